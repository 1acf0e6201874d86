#!/usr/bin/env bash
# Golden hashes: SHA-256 of the result tables for a fixed set of small commands (a run, each
# sweep design, each study method, a merge). A restructuring commit must leave them identical:
#   bash .ci/golden.sh > /tmp/now.txt && diff .ci/golden.txt /tmp/now.txt
# Regenerate .ci/golden.txt only in a commit that is meant to change results, and say why.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin="$PWD/target/release/deterrence-sim"
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
q=(--quiet --threads 2)
# A fixed absolute place, so the paths recorded in sweep-state.json are the same in any clone.
in=/tmp/dsim-golden-input; mkdir -p "$in"
cat > "$in/table.csv" <<'CSV'
russia.lambda,guarantors.USA.public_support
2.0,0.3
3.5,0.6
CSV
sed "/^base *=/d" configs/sweep_deadline.toml > "$in/sweep_table.toml"   # the built-in default
python3 - "$in/sweep_table.toml" "$in/table.csv" <<'PY'
import re, sys
p, tab = sys.argv[1], sys.argv[2]
s = open(p).read()
s = re.sub(r"\[design\][^\[]*", f'[design]\nkind = "table"\nfile = "{tab}"\n\n', s, flags=re.S)
s = re.sub(r"\[\[parameters\]\].*", "", s, flags=re.S)
s = s.replace('name = "sweep_deadline"', 'name = "sweep_table"')
open(p, "w").write(s)
PY
"$bin" run --runs 400 --seed 11 --per-run "${q[@]}" --out "$t/run"
"$bin" sweep configs/sweep_deadline.toml --replicates 60 --seed 3 "${q[@]}" --out "$t/grid"
"$bin" sweep configs/sweep_uncertainty_lhs.toml --replicates 30 --points 6 --seed 3 "${q[@]}" --out "$t/lhs"
"$bin" sweep "$in/sweep_table.toml" --replicates 40 --seed 3 "${q[@]}" --out "$t/table"
"$bin" sensitivity configs/sens_article5_sobol.toml --samples 8 --replicates 20 --seed 4 "${q[@]}" --out "$t/sobol"
"$bin" sensitivity configs/sens_gap_morris.toml --replicates 20 --seed 4 "${q[@]}" --out "$t/morris"
"$bin" sensitivity configs/sens_nato_light_prim.toml --samples 40 --replicates 20 --seed 4 "${q[@]}" --out "$t/prim" || \
"$bin" sensitivity configs/sens_nato_light_prim.toml --replicates 20 --seed 4 "${q[@]}" --out "$t/prim"
for k in 0 1; do "$bin" sweep configs/sweep_deadline.toml --replicates 60 --seed 3 --shard $k/2 "${q[@]}" --out "$t/s$k"; done
"$bin" merge "$t/merged" "$t/s0" "$t/s1" >/dev/null
cd "$t"
for f in $(find . \( -name summary.csv -o -name guarantors.csv -o -name timeline.csv -o -name points.csv \
  -o -name indices.csv -o -name sweep-state.json -o -name runs.csv -o -name boxes.csv -o -name force_effect.csv \) | sort); do
  sha256sum "$f"
done
