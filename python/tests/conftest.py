"""Shared fixtures: the CLI binary the Python package is compared with, and a helper to run it.

The binary is ``$DETERRENCE_SIM_BIN`` or ``target/release/deterrence-sim`` of this checkout
(``cargo build --release`` makes it; ``.ci/python.sh`` does so before pytest)."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("DETERRENCE_SIM_BIN", ROOT / "target" / "release" / "deterrence-sim"))


@pytest.fixture(scope="session")
def cli():
    if not BIN.is_file():
        pytest.fail(f"no CLI binary at {BIN}: run `cargo build --release` (or set DETERRENCE_SIM_BIN)")

    def call(*args, check=True, cwd=None):
        p = subprocess.run([str(BIN), *map(str, args)], capture_output=True, text=True, cwd=cwd)
        if check and p.returncode != 0:
            raise AssertionError(f"deterrence-sim {' '.join(map(str, args))} failed ({p.returncode}): {p.stderr}")
        return p

    return call


@pytest.fixture(scope="session")
def root():
    return ROOT
