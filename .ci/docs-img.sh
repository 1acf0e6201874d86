#!/usr/bin/env bash
# Regenerate every figure in docs/img from the commands the README quotes, at full size:
#   deterrence.png, survival.png      <- deterrence-sim run                (configs/default.toml,
#                                        seed 20250818, 10,000 runs per regime and force arm)
#   sweep_reassurance.png             <- sweep configs/sweep_reassurance.toml     (sweep.png)
#   sweep_provocation_diff.png        <- sweep configs/sweep_provocation.toml     (sweep_diff.png)
#   sens_article5_sobol.png           <- sensitivity configs/sens_article5_sobol.toml (sobol.png)
# About 3 minutes on 2 cores. Usage: bash .ci/docs-img.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin="$PWD/target/release/deterrence-sim"
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
q=(--quiet)
"$bin" run "${q[@]}" --out "$t/default" >/dev/null
"$bin" sweep configs/sweep_reassurance.toml "${q[@]}" --out "$t/reassurance" >/dev/null
"$bin" sweep configs/sweep_provocation.toml "${q[@]}" --out "$t/provocation" >/dev/null
"$bin" sensitivity configs/sens_article5_sobol.toml "${q[@]}" --out "$t/sobol" >/dev/null
mkdir -p docs/img
cp "$t/default/deterrence.png" docs/img/deterrence.png
cp "$t/default/survival.png" docs/img/survival.png
cp "$t/reassurance/sweep.png" docs/img/sweep_reassurance.png
cp "$t/provocation/sweep_diff.png" docs/img/sweep_provocation_diff.png
cp "$t/sobol/sobol.png" docs/img/sens_article5_sobol.png
echo "docs/img regenerated:"
ls -l docs/img
