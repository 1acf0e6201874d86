"""The EMA Workbench and SALib examples at small sizes, and what each adapter must hold."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import deterrence_sim as ds

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_salib_example_small():
    pytest.importorskip("SALib")
    problem, X, Y, Si = load("salib_sobol").main(["--n", "8", "--replicates", "20"])
    d = len(problem["names"])
    assert X.shape == (8 * (d + 2), d) and Y.shape == (len(X),)
    # Y is evaluate()'s article5 column, row for row in the sampler's order.
    direct = ds.evaluate(X, problem["names"], regimes=["article5"], replicates=20, seed=1)
    np.testing.assert_array_equal(Y, direct[direct["regime"] == "article5"]["success_rate"].to_numpy())
    # nato_light's audience cost cannot move article5's runs (common random numbers): exactly 0.
    k = problem["names"].index("regimes.nato_light.audience_cost")
    assert Si["S1"][k] == 0.0 and Si["ST"][k] == 0.0


def test_salib_evaluate_shapes():
    from deterrence_sim import salib

    problem = salib.problem({"russia.lambda": (1.5, 3.5)})
    X = np.array([[2.0], [3.0]])
    ys, es = salib.evaluate(problem, X, replicates=20, seed=2, with_se=True)
    assert set(ys) == set(ds.regimes()) and all(v.shape == (2,) for v in ys.values())
    assert all(np.all(e > 0) for e in es.values())
    with pytest.raises(ValueError, match="variables"):
        salib.evaluate(problem, np.ones((2, 2)))


def test_ema_example_small(capsys):
    pytest.importorskip("ema_workbench")
    experiments, outcomes = load("ema_prim").main(["--scenarios", "6", "--replicates", "40", "--seeds", "2"])
    regimes = ds.regimes()
    assert set(outcomes) == set(regimes) | {f"{r}{s}" for r in regimes for s in ["_se", "_seed_sd"]}
    assert np.asarray(outcomes["nato_light"]).shape == (6,)
    # Experiment 0 is evaluate() at its values with seeds 1 and 2: the mean, its error, the sd.
    from deterrence_sim.ema import uncertainty_name

    mod = load("ema_prim")
    paths = list(mod.UNCERTAINTIES)
    row = [[experiments[uncertainty_name(p)].iloc[0] for p in paths]]
    by_seed = [ds.evaluate(row, paths, replicates=40, seed=s).set_index("regime") for s in (1, 2)]
    for r in regimes:
        v = np.array([d.loc[r, "success_rate"] for d in by_seed])
        e = np.array([d.loc[r, "success_rate_se"] for d in by_seed])
        assert outcomes[r][0] == pytest.approx(v.mean(), abs=1e-12)
        assert outcomes[f"{r}_se"][0] == pytest.approx(np.sqrt((e**2).sum()) / 2, abs=1e-12)
        assert outcomes[f"{r}_seed_sd"][0] == pytest.approx(v.std(ddof=1), abs=1e-12)
    assert "experiments x 40 runs" in capsys.readouterr().out


def test_ema_model_without_replications():
    pytest.importorskip("ema_workbench")
    from ema_workbench import perform_experiments

    from deterrence_sim import ema

    m = ema.model({"russia.lambda": (2.0, 3.0)}, regimes=["nato_light"], replicates=30, seed=3)
    assert [u.variable_name for u in m.uncertainties] == [["russia.lambda"]]
    exp, out = perform_experiments(m, scenarios=3)
    assert set(out) == {"nato_light", "none", "nato_light_se", "none_se"}
    assert np.asarray(out["nato_light"]).shape == (3,)
