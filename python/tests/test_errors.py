"""Bad input raises ValueError with the message the CLI prints (after its `error: `)."""

import numpy as np
import pytest

import deterrence_sim as ds


def cli_message(cli, *args, cwd=None):
    # From a directory without configs/default.toml, so the CLI uses its built-in default too.
    p = cli(*args, check=False, cwd=cwd)
    assert p.returncode == 2, p.stderr
    line = p.stderr.strip()
    assert line.startswith("error: ")
    return line[len("error: "):]


def raised(fn, *a, **kw):
    with pytest.raises(ValueError) as e:
        fn(*a, **kw)
    return str(e.value)


def test_same_messages_as_the_cli(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    text = ds.DEFAULT_TOML
    assert "\nlambda = " in text
    bad.write_text(text.replace("\nlambda = ", "\nlambda = -1.0 # ", 1))
    broken = tmp_path / "broken.toml"
    broken.write_text("name = \n")
    cases = [
        (dict(set={"russia.no_such_field": 1.0}, runs=10), ["run", "--set", "russia.no_such_field=1", "--runs", "10"]),
        (dict(set={"russia.lambda": -2.0}, runs=10), ["run", "--set", "russia.lambda=-2", "--runs", "10"]),
        (dict(runs=0), ["run", "--runs", "0"]),
        (dict(periods=5000), ["run", "--periods", "5000"]),
        (dict(config=bad), ["run", bad]),
        (dict(config=broken), ["run", broken]),
        (dict(config=tmp_path / "missing.toml"), ["run", tmp_path / "missing.toml"]),
    ]
    for kwargs, args in cases:
        msg = raised(ds.run, **kwargs)
        want = cli_message(cli, *args, "--quiet", "--out", tmp_path / "o", cwd=tmp_path)
        assert msg.rstrip() == want, (kwargs, msg, want)
        assert msg  # never empty


def test_messages_name_file_field_and_what_is_allowed():
    msg = raised(ds.run, set={"russia.lambda": "abc"})
    # A word where a number belongs: the CLI's message, naming --set, the field and what it takes.
    assert "--set" in msg and "`russia.lambda`" in msg and "takes a number" in msg and "`abc`" in msg
    msg = raised(ds.run, 'name = "t"\n[russia]\nlambda = "x"\n')
    assert msg.startswith("<config text>")
    msg = raised(ds.run, set={"russia.lambda": -1.0}, runs=5)
    assert "russia.lambda" in msg and "with --set" in msg


def test_replay_and_evaluate_errors(cli, tmp_path):
    msg = raised(ds.replay, regime="nato_lite", run=0)
    assert msg.rstrip() == cli_message(cli, "replay", "--regime", "nato_lite", "--run", "0", cwd=tmp_path)
    assert "nato_light" in msg  # names what is allowed
    assert "unknown regime `foo`" in raised(ds.evaluate, [[2.0]], ["russia.lambda"], regimes=["foo"], replicates=5)
    assert "no such parameter" in raised(ds.evaluate, [[2.0]], ["russia.lambdaa"], replicates=5)
    assert "allowed: success_rate" in raised(ds.evaluate, [[2.0]], ["russia.lambda"], metric="nope")
    assert "columns" in raised(ds.evaluate, np.ones((2, 3)), ["russia.lambda"])
    assert "no rows" in raised(ds.evaluate, np.ones((0, 1)), ["russia.lambda"])
    assert "replicates" in raised(ds.evaluate, [[2.0]], ["russia.lambda"], replicates=0)
    assert "cannot be varied" in raised(ds.evaluate, [[2.0]], ["run.seed"], replicates=5)
    with pytest.raises(ValueError, match="point 1"):
        ds.evaluate([[2.0], [-1.0]], ["russia.lambda"], replicates=5)
