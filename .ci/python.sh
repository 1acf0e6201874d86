#!/usr/bin/env bash
# The Python package in a fresh virtual environment: `pip install ./python` (maturin builds the
# abi3 wheel from source), the test dependencies from the package index, then pytest against
# the CLI binary of this checkout. Nothing is cached between runs (no pip cache; a new venv).
#   bash .ci/python.sh            (from the project root or anywhere in it)
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
cargo build --release -q
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
export PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
python3 -m venv "$t/venv"
"$t/venv/bin/pip" install -q ./python pytest pandas pyarrow SALib ema_workbench
built=$(date +%s)
echo "venv and wheel built in $(( built - start )) s ($("$t/venv/bin/python" -c 'import deterrence_sim as d; print("deterrence_sim", d.__version__)'))"
# From outside python/, so `import deterrence_sim` is the installed wheel, not the source folder.
DETERRENCE_SIM_BIN="$PWD/target/release/deterrence-sim" "$t/venv/bin/pytest" -q -p no:cacheprovider python/tests
echo "pytest in $(( $(date +%s) - built )) s; .ci/python.sh in $(( $(date +%s) - start )) s"
