"""evaluate(): the values of `deterrence-sim sweep` over a table of the same points, and
standard errors that match the spread between independent seeds."""

import numpy as np
import pandas as pd
import pytest

import deterrence_sim as ds
from deterrence_sim._tables import frame

PARAMS = ["russia.lambda", "guarantors.USA.public_support"]
X = np.array([[2.0, 0.3], [3.5, 0.6], [2.7, 0.45]])


def sweep_points(cli, tmp_path, X, params, *, replicates, seed, crn, regimes=None):
    """Run the CLI's sweep over a table of the points of X; its points.csv as text."""
    table = tmp_path / "points_in.csv"
    table.write_text(",".join(params) + "\n" + "".join(",".join(repr(float(v)) for v in row) + "\n" for row in X))
    lines = [
        'name = "py_check"',
        f"replicates = {replicates}",
        f"seed = {seed}",
        f"common_random_numbers = {'true' if crn else 'false'}",
    ]
    if regimes:
        lines.append("regimes = [" + ", ".join(f'"{r}"' for r in regimes) + "]")
    lines += ["[design]", 'kind = "table"', f'file = "{table}"']
    f = tmp_path / "sweep.toml"
    f.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    cli("sweep", f, "--quiet", "--out", out)
    return (out / "points.csv").read_text()


@pytest.mark.parametrize("crn", [True, False])
def test_evaluate_equals_sweep(cli, tmp_path, crn):
    got = ds.evaluate(X, PARAMS, replicates=120, seed=3, common_random_numbers=crn, full=True)
    text = sweep_points(cli, tmp_path, X, PARAMS, replicates=120, seed=3, crn=crn)
    cols = [(c, k) for c, k in zip(got.columns[:-1], kinds(got.iloc[:, :-1]))]
    want = frame(text, cols)
    pd.testing.assert_frame_equal(got.iloc[:, :-1], want, check_exact=True)
    assert list(got["point"].unique()) == [0, 1, 2]
    np.testing.assert_array_equal(got.drop_duplicates("point")[PARAMS].to_numpy(), X)


def test_evaluate_regimes_and_metric_column(cli, tmp_path):
    got = ds.evaluate(X[:2], PARAMS, regimes=["nato_light"], metric="p_hold_given_offensive", replicates=80, seed=5)
    assert list(got.columns) == ["point", *PARAMS, "regime", "runs", "p_hold_given_offensive", "p_hold_given_offensive_se"]
    assert list(got["regime"]) == ["nato_light", "none"] * 2  # the baseline is kept, as in a sweep
    assert ds.regimes(None, ["nato_light"]) == ["nato_light", "none"]
    text = sweep_points(cli, tmp_path, X[:2], PARAMS, replicates=80, seed=5, crn=True, regimes=["nato_light"])
    plain = pd.read_csv(pd.io.common.StringIO(text))
    np.testing.assert_array_equal(plain["p_hold_given_offensive"].to_numpy(), got["p_hold_given_offensive"].to_numpy())


def kinds(df):
    back = {"string": "text", "int64": "int", "Int64": "optint", "boolean": "bool", "float64": "float"}
    return [back[str(t)] for t in df.dtypes]


def test_one_column_and_dataframe_input():
    a = ds.evaluate(np.array([2.0, 3.0]), ["russia.lambda"], replicates=30, seed=1)
    b = ds.evaluate(pd.DataFrame({"x": [0, 0], "russia.lambda": [2.0, 3.0]}), ["russia.lambda"], replicates=30, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 2 * len(ds.regimes())


@pytest.mark.parametrize("metric", ["success_rate", "p_hold_given_offensive", "probes_per_run", "honoured_share", "mean_support"])
def test_standard_error_matches_the_spread_between_seeds(metric):
    # 30 copies of one point without common random numbers: 30 independent estimates, each with
    # its own streams. Their standard deviation estimates the true standard error; the reported
    # one must agree within the sampling error of a 30-sample sd (about 13%; allow 35%).
    k = 30
    out = ds.evaluate(np.full((k, 1), 2.5), ["russia.lambda"], regimes=["nato_light"], metric=metric,
                      replicates=100, seed=11, common_random_numbers=False)
    nl = out[out["regime"] == "nato_light"]
    spread = nl[metric].std(ddof=1)
    reported = nl[f"{metric}_se"].mean()
    assert spread > 0
    assert 0.65 < reported / spread < 1.35, (metric, reported, spread)


def test_ratio_estimates_agree_with_the_summary():
    # The per-run rows the standard errors come from add up to the point's own value.
    from deterrence_sim import _native

    (_, text, cols), runs = _native.evaluate("builtin", "", ["russia.lambda"], [[2.5]], replicates=60, seed=2, per_run=True)
    pts, rr = frame(text, cols), frame(runs[1], runs[2])
    for _, p in pts.iterrows():
        g = rr[rr["regime"] == p["regime"]]
        assert g["probes"].mean() == pytest.approx(p["probes_per_run"], abs=5e-7)
        if g["commitments"].sum() > 0:
            assert g["commitments_honoured"].sum() / g["commitments"].sum() == pytest.approx(p["honoured_share"], abs=5e-7)
        if g["crises"].sum() > 0:
            # Both sides are rounded to 6 decimals (the point's value, and each run's mean
            # support, whose crisis-weighted mean then errs by up to 5e-7 as well): 1e-6.
            s = (g["mean_support"].fillna(0) * g["crises"]).sum() / g["crises"].sum()
            assert s == pytest.approx(p["mean_support"], abs=1e-6 + 1e-12)


def test_common_random_numbers_make_a_dummy_exactly_flat():
    # nato_light's audience cost cannot change article5's runs: with common random numbers
    # every row gives article5 the same value.
    out = ds.evaluate([[0.2], [0.6], [1.0]], ["regimes.nato_light.audience_cost"], regimes=["article5"], replicates=60, seed=4)
    a5 = out[out["regime"] == "article5"]["success_rate"]
    assert a5.nunique() == 1
