"""run(): the same tables as the CLI's files, value by value and byte by byte, with typed
columns; replay(): the CLI's JSON trace, and the very run the batch folded in."""

import hashlib
import json
import sys

import numpy as np
import pandas as pd
import pytest

import deterrence_sim as ds
from deterrence_sim._tables import frame

TABLES = ["summary", "force_effect", "guarantors", "timeline", "runs"]


def cli_frames(res, out):
    """The CLI's files read with the schema of the same tables (so dtypes match)."""
    frames = {}
    for name in TABLES:
        text = (out / f"{name}.csv").read_text()
        cols = [(c, k) for c, k in zip(getattr(res, name).columns, kinds(getattr(res, name)))]
        frames[name] = (text, frame(text, cols))
    return frames


def kinds(df):
    back = {"string": "text", "int64": "int", "Int64": "optint", "boolean": "bool", "float64": "float"}
    return [back[str(t)] for t in df.dtypes]


@pytest.mark.parametrize(
    "kwargs, args",
    [
        (dict(seed=7, runs=600), ["--seed", "7", "--runs", "600"]),
        (
            dict(seed=3, runs=300, periods=12, set={"russia.lambda": 3.0, "guarantors.USA.bilateral": True}),
            ["--seed", "3", "--runs", "300", "--periods", "12", "--set", "russia.lambda=3", "--set", "guarantors.USA.bilateral=true"],
        ),
    ],
)
def test_run_equals_cli_tables(cli, tmp_path, kwargs, args):
    res = ds.run(**kwargs)
    out = tmp_path / "cli"
    cli("run", *args, "--per-run", "--quiet", "--out", out)
    manifest = json.loads((out / "manifest.json").read_text())
    for name, (text, df) in cli_frames(res, out).items():
        # Byte for byte: the text the library wrote for Python is the CLI's file...
        assert res.csv(f"{name}.csv") == text
        assert res.manifest["files"][f"{name}.csv"] == manifest["files"][f"{name}.csv"]
        assert hashlib.sha256(text.encode()).hexdigest() == manifest["files"][f"{name}.csv"]
        # ...and value by value, every cell of every column.
        pd.testing.assert_frame_equal(getattr(res, name), df, check_exact=True)
    # The CLI's summary read by pandas with no options gives the same numbers.
    plain = pd.read_csv(out / "summary.csv")
    for c in plain.columns:
        if plain[c].dtype.kind == "f":
            np.testing.assert_array_equal(plain[c].to_numpy(), res.summary[c].to_numpy(dtype=float))
    for k in ["seed", "runs", "periods", "config_sha256", "config", "design", "rng", "version"]:
        assert res.manifest[k] == manifest[k], k


def test_typed_columns():
    res = ds.run(seed=1, runs=50, periods=6)
    s, r, g = res.summary, res.runs, res.guarantors
    assert str(s["regime"].dtype) == "string" and str(s["force"].dtype) == "string"
    assert s["runs"].dtype == np.int64 and s["successes"].dtype == np.int64
    assert str(s["median_censored"].dtype) == "boolean"
    assert s["success_rate"].dtype == np.float64
    # nullable integers where a cell can be empty: no offensive -> <NA>, not NaN in a float column
    assert str(r["offensive_month"].dtype) == "Int64"
    assert r["offensive_month"].isna().eq(r["success"]).all()
    assert str(r["success"].dtype) == "boolean"
    assert str(g["bound"].dtype) == "boolean"
    # an undefined rate stays NaN: the baseline `none` binds nobody, so it has no commitments
    none = s[s["regime"] == "none"]
    assert none["honoured_share"].isna().all()
    assert len(res.runs) == 50 * len(s)
    assert ds.run(seed=1, runs=50, periods=6, per_run=False).runs is None


def test_threads_do_not_change_results():
    a = ds.run(seed=5, runs=300, threads=1)
    b = ds.run(seed=5, runs=300, threads=2)
    for name in TABLES:
        assert a.csv(f"{name}.csv") == b.csv(f"{name}.csv")


def test_config_as_path_text_and_default(root, tmp_path):
    text = (root / "configs" / "default.toml").read_text()
    a = ds.run(seed=2, runs=100)
    b = ds.run(root / "configs" / "default.toml", seed=2, runs=100)
    c = ds.run(text, seed=2, runs=100)
    d = ds.run(str(root / "configs" / "meeting_value.toml"), seed=2, runs=100)
    assert a.csv("summary.csv") == b.csv("summary.csv") == c.csv("summary.csv")
    assert a.manifest["config_file"] == "<built-in default>"
    assert c.manifest["config_file"] == "<config text>"
    assert set(d.summary["regime"]) != set(a.summary["regime"])


def test_parquet_round_trip(tmp_path):
    pytest.importorskip("pyarrow")
    res = ds.run(seed=4, runs=80, periods=6)
    files = res.to_parquet(tmp_path)
    assert {p.name for p in files} >= {"summary.parquet", "runs.parquet", "manifest.json"}
    back = pd.read_parquet(tmp_path / "runs.parquet")
    pd.testing.assert_frame_equal(back, res.runs, check_exact=True)


def test_parquet_without_pyarrow(monkeypatch, tmp_path):
    res = ds.run(seed=4, runs=20, periods=3, per_run=False)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match="pip install pyarrow"):
        res.to_parquet(tmp_path)


def test_replay_is_the_cli_trace_and_the_batch_run(cli):
    for regime, run, force in [("nato_light", 5, "with"), ("bilateral", 17, "without")]:
        t = ds.replay(regime=regime, run=run, seed=9, force=force)
        p = cli("replay", "--regime", regime, "--run", run, "--seed", 9, "--force", force, "--json")
        assert t == json.loads(p.stdout)
    # The replayed run is the one run() folded in: same outcome in runs.csv.
    res = ds.run(seed=9, runs=20)
    row = res.runs[(res.runs["regime"] == "nato_light") & (res.runs["force"] == "with") & (res.runs["run"] == 5)]
    t = ds.replay(regime="nato_light", run=5, seed=9)
    om = row["offensive_month"].iloc[0]
    assert (t["offensive_month"] is None) == bool(row["success"].iloc[0])
    if t["offensive_month"] is not None:
        assert t["offensive_month"] == om
    assert t["probes"] == row["probes"].iloc[0]
