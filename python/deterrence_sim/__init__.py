"""deterrence_sim: the deterrence-sim engine from Python.

A game-theoretic agent-based Monte Carlo simulation of security guarantees for Ukraine. The
engine is the Rust library of the ``deterrence-sim`` CLI, compiled into this package; every call
runs it on its own threads with the GIL released, so two Python threads can run it at once.

- :func:`run` runs every regime of a config (as ``deterrence-sim run``) and returns
  :class:`Results`: the CLI's tables as typed pandas DataFrames and its manifest;
- :func:`evaluate` runs a design matrix (rows of parameter values, as SALib and EMA Workbench
  produce them) and returns a metric per row and regime with its Monte Carlo standard error,
  the same values as ``deterrence-sim sweep`` over a table of the same points;
- :func:`replay` returns one run's month-by-month trace (``deterrence-sim replay --json``).

Bad input raises ``ValueError`` with the message the CLI prints (file, field, what is allowed).
Adapters: :mod:`deterrence_sim.ema` (EMA Workbench) and :mod:`deterrence_sim.salib` (SALib).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _native
from ._tables import frame

__version__: str = _native.__version__

#: The built-in default config (``configs/default.toml`` of the release).
DEFAULT_TOML: str = _native.DEFAULT_TOML

#: The metrics :func:`evaluate` returns (a sensitivity study's ``[output] metric``).
METRICS: Tuple[str, ...] = tuple(_native.metrics())

ConfigArg = Union[str, "os.PathLike[str]", None]

__all__ = [
    "DEFAULT_TOML",
    "METRICS",
    "Results",
    "evaluate",
    "regimes",
    "replay",
    "run",
    "__version__",
]


def _config(config: ConfigArg) -> Tuple[str, str]:
    """Classify the config argument: a path, TOML text, or None for the built-in default."""
    if config is None:
        return ("builtin", "")
    if isinstance(config, os.PathLike):
        return ("path", os.fspath(config))
    if not isinstance(config, str):
        raise TypeError(f"config must be a path, TOML text or None, not {type(config).__name__}")
    # TOML text has a line break or an `=`; a file name has neither (or names an existing file).
    if os.path.isfile(config) or ("\n" not in config and "=" not in config):
        return ("path", config)
    return ("text", config)


def _sets(set: Optional[Mapping[str, Any]]) -> List[str]:
    """``--set PATH=VALUE`` arguments from a dict (booleans as true/false, numbers exactly)."""
    if set is None:
        return []
    if not isinstance(set, Mapping):
        raise TypeError("set must be a dict of dotted paths to values, e.g. {'russia.lambda': 3.0}")
    out = []
    for path, value in set.items():
        if isinstance(value, (bool, np.bool_)):
            text = "true" if value else "false"
        elif isinstance(value, (int, np.integer)):
            text = str(int(value))
        elif isinstance(value, (float, np.floating)):
            text = repr(float(value))
        else:
            text = str(value)
        out.append(f"{path}={text}")
    return out


class Results:
    """What :func:`run` returns: the tables ``deterrence-sim run`` writes, as DataFrames.

    Attributes
    ----------
    summary : DataFrame
        ``summary.csv``: one row per regime and arm of the reassurance force.
    force_effect : DataFrame
        ``force_effect.csv``: the paired effect of the force within each regime.
    guarantors : DataFrame
        ``guarantors.csv``: one row per regime, arm and guarantor.
    timeline : DataFrame
        ``timeline.csv``: one row per regime, arm and month.
    runs : DataFrame or None
        ``runs.csv`` (``run --per-run``): one row per regime, arm and run; None with
        ``per_run=False``.
    manifest : dict
        What ``manifest.json`` would hold; ``manifest["files"]`` has the SHA-256 of each table's
        CSV text, equal to the hash of the CLI's file for the same config, seed and runs.
    """

    _NAMES = {
        "summary.csv": "summary",
        "force_effect.csv": "force_effect",
        "guarantors.csv": "guarantors",
        "timeline.csv": "timeline",
        "runs.csv": "runs",
    }

    def __init__(self, tables: Sequence[Tuple[str, str, Sequence[Tuple[str, str]]]], manifest: str):
        self.runs: Optional[pd.DataFrame] = None
        self._csv: Dict[str, str] = {}
        for name, text, columns in tables:
            setattr(self, self._NAMES[name], frame(text, columns))
            self._csv[name] = text
        self.manifest: Dict[str, Any] = json.loads(manifest)

    def csv(self, name: str) -> str:
        """The CSV text of table ``name`` (``"summary.csv"``, ...): the bytes the CLI writes."""
        return self._csv[name]

    def to_csv(self, directory: Union[str, "os.PathLike[str]"]) -> List[Path]:
        """Write the tables and ``manifest.json`` into ``directory`` as the CLI does (no charts)."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in self._csv.items():
            (d / name).write_text(text)
            written.append(d / name)
        (d / "manifest.json").write_text(json.dumps(self.manifest, indent=2))
        written.append(d / "manifest.json")
        return written

    def to_parquet(self, directory: Union[str, "os.PathLike[str]"]) -> List[Path]:
        """Write each table as ``NAME.parquet`` into ``directory`` (needs pyarrow), with the
        manifest as ``manifest.json``. Column types are kept (nullable integers and booleans)."""
        try:
            import pyarrow  # noqa: F401
        except ImportError as e:
            raise ImportError(
                "Results.to_parquet needs pyarrow: pip install pyarrow "
                "(or write CSV files with Results.to_csv)"
            ) from e
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        written = []
        for name in self._csv:
            attr = self._NAMES[name]
            p = d / f"{attr}.parquet"
            getattr(self, attr).to_parquet(p, index=False)
            written.append(p)
        (d / "manifest.json").write_text(json.dumps(self.manifest, indent=2))
        written.append(d / "manifest.json")
        return written

    def __repr__(self) -> str:
        m = self.manifest
        return (
            f"<deterrence_sim.Results {m.get('config_name')}: seed {m.get('seed')}, "
            f"{m.get('runs')} runs per regime and arm, {len(self.summary)} summary rows>"
        )


def run(
    config: ConfigArg = None,
    *,
    seed: Optional[int] = None,
    runs: Optional[int] = None,
    periods: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    threads: Optional[int] = None,
    per_run: bool = True,
) -> Results:
    """Run every regime of a config over the same seeded runs (``deterrence-sim run``).

    Parameters
    ----------
    config : path, TOML text or None
        A config file, a config as TOML text, or None for the built-in default.
    seed, runs, periods, threads : int, optional
        As ``--seed``, ``--runs`` (per regime and arm), ``--periods`` and ``--threads``
        (0 = all cores; results do not depend on it).
    set : dict, optional
        Dotted paths to values, as ``--set PATH=VALUE`` (``{"russia.lambda": 3.0}``); checked
        like a file.
    per_run : bool
        Also return the per-run table (``Results.runs``; ``run --per-run``).

    Returns
    -------
    Results
        The tables as DataFrames, with values identical to the CLI's CSV files.

    Raises
    ------
    ValueError
        Bad input, with the message the CLI prints.
    """
    kind, value = _config(config)
    tables, manifest = _native.run(
        kind,
        value,
        seed=seed,
        runs=runs,
        periods=periods,
        sets=_sets(set),
        threads=threads,
        per_run=per_run,
    )
    return Results(tables, manifest)


def replay(
    config: ConfigArg = None,
    *,
    regime: str,
    run: int,
    seed: Optional[int] = None,
    periods: Optional[int] = None,
    set: Optional[Mapping[str, Any]] = None,
    force: str = "with",
) -> Dict[str, Any]:
    """One run's month-by-month trace, as ``deterrence-sim replay --json`` prints it.

    ``force`` is the arm of the reassurance force, ``"with"`` (default, as the CLI) or
    ``"without"``. The trace is exactly run ``run`` of the batch :func:`run` folds in.
    """
    if force not in ("with", "without"):
        raise ValueError(f"option `--force`: must be `with` or `without` (got `{force}`)")
    kind, value = _config(config)
    text = _native.replay(
        kind,
        value,
        regime,
        run,
        seed=seed,
        periods=periods,
        sets=_sets(set),
        with_force=force == "with",
    )
    return json.loads(text)


def regimes(config: ConfigArg = None, regimes: Optional[Sequence[str]] = None) -> List[str]:
    """The regimes :func:`evaluate` reports for ``config`` and ``regimes``, in config order: the
    regimes asked for (all by default) and the baseline ``none``, as a sweep runs them."""
    kind, value = _config(config)
    return list(_native.regimes(kind, value, list(regimes) if regimes is not None else None))


def _standard_errors(points: pd.DataFrame, runs: Optional[pd.DataFrame], metric: str) -> np.ndarray:
    """Monte Carlo standard error of ``metric`` for every row of ``points``.

    - ``success_rate``: binomial, sqrt(p(1-p)/runs);
    - ``p_hold_given_offensive``: binomial over the runs with an offensive (runs - successes);
    - ``probes_per_run``: sample standard deviation of the runs' probes / sqrt(runs);
    - ``honoured_share``, ``mean_support``: ratio estimators (sum over runs of the numerator
      over sum of the denominator), delta-method standard error from the per-run rows;
    - ``mean_response_hours``, ``median_months_to_offensive``: NaN (the per-run table does not
      hold the counts of timed responses, and a median has no simple standard error).
    """
    n = points["runs"].to_numpy(dtype=float)
    value = points[metric].to_numpy(dtype=float)
    if metric == "success_rate":
        return np.sqrt(value * (1.0 - value) / n)
    if metric == "p_hold_given_offensive":
        off = n - points["successes"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(off > 0, np.sqrt(value * (1.0 - value) / off), np.nan)
    if metric in ("mean_response_hours", "median_months_to_offensive") or runs is None:
        return np.full(len(points), np.nan)
    se = np.full(len(points), np.nan)
    groups = runs.groupby(["point", "regime"], sort=False)
    for i, (p, r) in enumerate(zip(points["point"], points["regime"])):
        g = groups.get_group((p, r))
        m = len(g)
        if m < 2:
            continue
        if metric == "probes_per_run":
            se[i] = g["probes"].to_numpy(dtype=float).std(ddof=1) / math.sqrt(m)
            continue
        if metric == "honoured_share":
            num = g["commitments_honoured"].to_numpy(dtype=float)
            den = g["commitments"].to_numpy(dtype=float)
        else:  # mean_support: support per crisis, summed over runs
            den = g["crises"].to_numpy(dtype=float)
            num = g["mean_support"].fillna(0.0).to_numpy(dtype=float) * den
        if den.sum() == 0:
            continue
        ratio = num.sum() / den.sum()
        resid = num - ratio * den
        se[i] = math.sqrt((resid**2).sum() / (m * (m - 1))) / den.mean()
    return se


def evaluate(
    X: Any,
    params: Sequence[str],
    *,
    regimes: Optional[Sequence[str]] = None,
    metric: str = "success_rate",
    replicates: int = 1000,
    seed: Optional[int] = None,
    common_random_numbers: bool = True,
    config: ConfigArg = None,
    threads: Optional[int] = None,
    periods: Optional[int] = None,
    full: bool = False,
) -> pd.DataFrame:
    """Run the engine at every row of a design matrix; one row out per design row and regime.

    Each row of ``X`` is a design point, its columns the values of ``params`` (dotted paths,
    as in a sweep file: ``"russia.lambda"``, ``"guarantors.USA.public_support"``), in the order
    SALib's samplers and EMA Workbench's experiments give them. The points are the points of a
    table sweep and are run by the sweep engine (each point's runs in parallel), so the values
    equal those of ``deterrence-sim sweep`` over a table of the same points with the same base
    config, regimes, seed, replicates and ``common_random_numbers``.

    Parameters
    ----------
    X : array-like, shape (n, len(params))
        The design matrix (a 1-D array is one column when ``params`` has one entry).
    params : list of str
        The dotted path of each column.
    regimes : list of str, optional
        The regimes to run (default: all of the config's); ``none`` is kept as the baseline of
        the paired differences, as in a sweep.
    metric : str
        One of :data:`METRICS`.
    replicates : int
        Runs per regime at every point.
    seed : int, optional
        Seed of the streams (default: the config's ``run.seed``).
    common_random_numbers : bool
        Every point uses the same streams (default True here; a sweep file's default is False),
        so differences between points are paired and a parameter with no effect has none.
    config : path, TOML text or None
        The base config (default: the built-in one).
    threads : int, optional
        Worker threads (0 = all cores); results do not depend on it.
    periods : int, optional
        Months in the horizon.
    full : bool
        Return every column of the sweep's ``points.csv`` too.

    Returns
    -------
    DataFrame
        ``point`` (the row of ``X``), one column per parameter, ``regime``, ``runs``, the metric
        and ``<metric>_se``, its Monte Carlo standard error (see the module's notes: NaN for
        ``mean_response_hours`` and ``median_months_to_offensive``).
    """
    params = [str(p) for p in ([params] if isinstance(params, str) else params)]
    if isinstance(X, pd.DataFrame):
        X = X[params].to_numpy() if _has_columns(X.columns, params) else X.to_numpy()
    arr = np.asarray(X, dtype=float)
    if arr.ndim == 1 and len(params) == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2:
        raise ValueError(f"evaluate(): X must be a 2-D design matrix (rows of {len(params)} values), got shape {arr.shape}")
    if arr.shape[1] != len(params):
        raise ValueError(f"evaluate(): X has {arr.shape[1]} columns for {len(params)} parameters {params}")
    if metric not in METRICS:
        raise ValueError(f"evaluate(): field `metric`: unknown `{metric}`; allowed: {', '.join(METRICS)}")
    need_runs = metric in ("probes_per_run", "honoured_share", "mean_support")
    kind, value = _config(config)
    (_, text, cols), runs = _native.evaluate(
        kind,
        value,
        params,
        arr.tolist(),
        regimes=list(regimes) if regimes is not None else None,
        metric=metric,
        replicates=int(replicates),
        seed=seed,
        crn=bool(common_random_numbers),
        threads=threads,
        periods=periods,
        per_run=need_runs,
    )
    points = frame(text, cols)
    run_rows = frame(runs[1], runs[2]) if runs is not None else None
    se = _standard_errors(points, run_rows, metric)
    if full:
        out = points.copy()
    else:
        out = points[["point", *params, "regime", "runs", metric]].copy()
    out[f"{metric}_se"] = se
    return out


def _has_columns(columns: Any, params: Sequence[str]) -> bool:
    """Whether a DataFrame's columns hold every parameter (then they are picked by name)."""
    cols = {str(c) for c in columns}
    return all(p in cols for p in params)
