"""deterrence-sim wired to SALib.

A SALib problem dict names its variables; here the names are the config's dotted paths
(``"russia.lambda"``). :func:`problem` builds one from ranges, :func:`evaluate` runs the
engine on a sample from any SALib sampler (rows in the sampler's order) and returns the output
vector ``Y`` that SALib's analysers take, one per regime.

Example
-------
>>> from SALib.sample import sobol as sobol_sample
>>> from SALib.analyze import sobol
>>> from deterrence_sim import salib
>>> problem = salib.problem({"russia.lambda": (1.5, 3.5), "russia.war_cost": (0.5, 2.0)})
>>> X = sobol_sample.sample(problem, 64)
>>> Y = salib.evaluate(problem, X, regime="article5", replicates=200)
>>> Si = sobol.analyze(problem, Y)
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

import deterrence_sim as ds


def problem(ranges: Mapping[str, Tuple[float, float]]) -> Dict[str, Any]:
    """A SALib problem dict from dotted path -> (low, high)."""
    return {
        "num_vars": len(ranges),
        "names": list(ranges),
        "bounds": [[float(lo), float(hi)] for lo, hi in ranges.values()],
    }


def evaluate(
    problem: Mapping[str, Any],
    X: Any,
    *,
    regime: Optional[str] = None,
    regimes: Optional[Sequence[str]] = None,
    metric: str = "success_rate",
    replicates: int = 1000,
    seed: Optional[int] = None,
    common_random_numbers: bool = True,
    config: ds.ConfigArg = None,
    threads: Optional[int] = None,
    with_se: bool = False,
) -> Union[np.ndarray, Dict[str, np.ndarray], Tuple[Any, Any]]:
    """Run :func:`deterrence_sim.evaluate` on a SALib sample.

    Parameters
    ----------
    problem : dict
        A SALib problem whose ``names`` are dotted paths.
    X : ndarray, shape (n, num_vars)
        The sample (any SALib sampler), in its row order.
    regime : str, optional
        Return ``Y`` for this regime only (a 1-D array, what ``analyze`` takes). Only this
        regime and the baseline ``none`` are run.
    regimes : list of str, optional
        Without ``regime``: the regimes run (default all); the result is then a dict
        regime -> ``Y``.
    metric, replicates, seed, common_random_numbers, config, threads
        As for :func:`deterrence_sim.evaluate` (common random numbers keep a parameter with no
        effect at exactly zero).
    with_se : bool
        Also return the standard errors, in the same shape, as a pair ``(Y, se)``.
    """
    names = list(problem["names"])
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != len(names):
        raise ValueError(f"SALib sample has shape {X.shape}; the problem has {len(names)} variables {names}")
    run = [regime] if regime is not None else regimes
    out = ds.evaluate(
        X,
        names,
        regimes=run,
        metric=metric,
        replicates=replicates,
        seed=seed,
        common_random_numbers=common_random_numbers,
        config=config,
        threads=threads,
    )
    wide = out.pivot(index="point", columns="regime", values=metric).sort_index()
    se = out.pivot(index="point", columns="regime", values=f"{metric}_se").sort_index()
    if regime is not None:
        y, e = wide[regime].to_numpy(dtype=float), se[regime].to_numpy(dtype=float)
        return (y, e) if with_se else y
    ys = {str(r): wide[r].to_numpy(dtype=float) for r in wide.columns}
    es = {str(r): se[r].to_numpy(dtype=float) for r in se.columns}
    return (ys, es) if with_se else ys


def frame(problem: Mapping[str, Any], X: Any) -> pd.DataFrame:
    """The sample as a DataFrame with the problem's names as columns (for plotting)."""
    return pd.DataFrame(np.asarray(X, dtype=float), columns=list(problem["names"]))
