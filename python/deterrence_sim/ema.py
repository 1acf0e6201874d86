"""deterrence-sim as an EMA Workbench model.

:func:`model` builds an ``ema_workbench`` ``Model`` (or a ``ReplicatorModel`` when seeds are
given) whose function runs :func:`deterrence_sim.evaluate` on one experiment. Uncertainties are
named as you like and mapped to the config's dotted paths through EMA's ``variable_name``
(``RealParameter("lambda", 1.5, 3.5, variable_name="russia.lambda")``); by default each is named
by its path, with dots turned into double underscores (``russia__lambda``) so that the names are
valid Python identifiers for EMA's analysis tools. Outcomes are one per regime, the metric
(``nato_light``) and its Monte Carlo standard error (``nato_light_se``). Seeds go through EMA's
replications: ``seeds=[1, 2, 3]`` makes a ``ReplicatorModel`` whose replication *k* runs with
seed ``seeds[k]``; its outcomes are the mean over the seeds, its standard error, and the
standard deviation between the seeds (``nato_light_seed_sd``).

The engine runs its own threads behind each call, so EMA's ``SequentialEvaluator`` uses every
core without a multiprocessing pool.

Example
-------
>>> from ema_workbench import perform_experiments
>>> from deterrence_sim import ema
>>> m = ema.model({"russia.lambda": (1.5, 3.5), "guarantors.USA.public_support": (0.2, 0.8)},
...               regimes=["nato_light"], replicates=500)
>>> experiments, outcomes = perform_experiments(m, scenarios=20)
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple

import numpy as np

import deterrence_sim as ds


def uncertainty_name(path: str) -> str:
    """The EMA name of a dotted path: dots become double underscores (``russia__lambda``)."""
    return path.replace(".", "__")


def seed_mean(values: Any) -> float:
    """The mean of an outcome over the seeds of the replications."""
    return float(np.mean(np.asarray(values, dtype=float)))


def seed_mean_se(se: Any) -> float:
    """The standard error of that mean: the seeds are independent, sqrt(sum se^2) / k."""
    se = np.asarray(se, dtype=float)
    return float(np.sqrt(np.sum(se**2)) / len(se))


def seed_sd(values: Any) -> float:
    """The standard deviation of an outcome between the seeds (NaN with one seed)."""
    v = np.asarray(values, dtype=float)
    return float(np.std(v, ddof=1)) if len(v) > 1 else float("nan")


class DeterrenceFunction:
    """The callable EMA runs per experiment: keyword arguments named by dotted path (EMA passes
    each uncertainty under its ``variable_name``) and, in a replication, ``seed``."""

    def __init__(
        self,
        paths: Sequence[str],
        regimes: Sequence[str],
        *,
        metric: str,
        replicates: int,
        seed: Optional[int],
        common_random_numbers: bool,
        config: ds.ConfigArg,
        threads: Optional[int],
        run_regimes: Optional[Sequence[str]],
    ):
        self.paths = list(paths)
        self.regimes = list(regimes)
        self.metric = metric
        self.replicates = replicates
        self.seed = seed
        self.crn = common_random_numbers
        self.config = config
        self.threads = threads
        self.run_regimes = run_regimes

    def __call__(self, **kwargs: Any) -> Dict[str, float]:
        seed = kwargs.pop("seed", self.seed)
        missing = [p for p in self.paths if p not in kwargs]
        if missing:
            raise ValueError(f"deterrence_sim.ema: the experiment has no value for {missing}")
        row = [[float(kwargs[p]) for p in self.paths]]
        out = ds.evaluate(
            row,
            self.paths,
            regimes=self.run_regimes,
            metric=self.metric,
            replicates=self.replicates,
            seed=seed,
            common_random_numbers=self.crn,
            config=self.config,
            threads=self.threads,
        )
        result: Dict[str, float] = {}
        for _, r in out.iterrows():
            result[str(r["regime"])] = float(r[self.metric])
            result[f"{r['regime']}_se"] = float(r[f"{self.metric}_se"])
        return result


def model(
    uncertainties: Mapping[str, Tuple[float, float]],
    *,
    regimes: Optional[Sequence[str]] = None,
    metric: str = "success_rate",
    replicates: int = 1000,
    seed: Optional[int] = None,
    seeds: Optional[Iterable[int]] = None,
    common_random_numbers: bool = True,
    config: ds.ConfigArg = None,
    threads: Optional[int] = None,
    name: str = "deterrencesim",
) -> Any:
    """An EMA Workbench model of deterrence-sim.

    Parameters
    ----------
    uncertainties : dict
        Dotted path -> (low, high): one ``RealParameter`` each, named by
        :func:`uncertainty_name` with ``variable_name`` the path.
    regimes : list of str, optional
        The regimes to run (default all; ``none`` is always kept, as in a sweep). Every regime
        run is an outcome.
    metric, replicates, seed, common_random_numbers, config, threads
        As for :func:`deterrence_sim.evaluate`.
    seeds : iterable of int, optional
        Replications: one per seed (a ``ReplicatorModel``); outcomes become arrays over them.

    Returns
    -------
    ema_workbench.Model or ema_workbench.ReplicatorModel
            Outcomes per regime: the metric (``nato_light``) and its standard error
        (``nato_light_se``); with ``seeds`` they are the mean over the seeds and its standard
        error, and ``nato_light_seed_sd`` is the standard deviation between the seeds.
    """
    try:
        from ema_workbench import Model, RealParameter, ReplicatorModel, ScalarOutcome
    except ImportError as e:
        raise ImportError("deterrence_sim.ema needs EMA Workbench: pip install ema_workbench") from e
    paths = list(uncertainties)
    names = ds.regimes(config, regimes)
    fn = DeterrenceFunction(
        paths,
        names,
        metric=metric,
        replicates=replicates,
        seed=seed,
        common_random_numbers=common_random_numbers,
        config=config,
        threads=threads,
        run_regimes=regimes,
    )
    if seeds is not None:
        m = ReplicatorModel(name, function=fn)
        m.replications = [{"seed": int(s)} for s in seeds]
    else:
        m = Model(name, function=fn)
    m.uncertainties = [
        RealParameter(uncertainty_name(p), float(lo), float(hi), variable_name=p)
        for p, (lo, hi) in uncertainties.items()
    ]
    if seeds is None:
        m.outcomes = [ScalarOutcome(r) for r in names] + [ScalarOutcome(f"{r}_se") for r in names]
    else:
        # Scalar outcomes over the replications (EMA keeps one class per outcome name, so the
        # names stay scalar with and without seeds): the mean over the seeds, its standard error
        # from the seeds' own errors, and the standard deviation between the seeds.
        m.outcomes = (
            [ScalarOutcome(r, variable_name=r, function=seed_mean) for r in names]
            + [ScalarOutcome(f"{r}_se", variable_name=f"{r}_se", function=seed_mean_se) for r in names]
            + [ScalarOutcome(f"{r}_seed_sd", variable_name=r, function=seed_sd) for r in names]
        )
    return m
