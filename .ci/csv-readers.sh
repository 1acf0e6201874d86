#!/usr/bin/env bash
# Every CSV file the tool writes, read by pandas and by polars with no options (issue 8,
# defect 9): a run with --per-run, a grid, an LHS and a table sweep, a Sobol, a Morris and a
# PRIM study, and a merge of two shards, all at small sizes with the release binary. Fails on
# any read error, any object column mixing value types, and any column empty in every row.
# The product does not need Python; this check does (a venv with pandas and polars).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin="$PWD/target/release/deterrence-sim"
venv="$PWD/target/csv-venv"
if ! "$venv/bin/python" -c "import pandas, polars" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pandas polars
fi
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
q=(--quiet --threads 2)
cat > "$t/table.csv" <<'CSV'
russia.lambda,guarantors.USA.public_support
2.0,0.3
3.5,0.6
CSV
sed "s#^base *= *\"#base = \"$PWD/configs/#" configs/sweep_deadline.toml > "$t/sweep_table.toml"
"$venv/bin/python" - "$t/sweep_table.toml" "$t/table.csv" <<'PY'
import re, sys
p, tab = sys.argv[1], sys.argv[2]
s = open(p).read()
s = re.sub(r"\[design\][^\[]*", f'[design]\nkind = "table"\nfile = "{tab}"\n\n', s, flags=re.S)
s = re.sub(r"\[\[parameters\]\].*", "", s, flags=re.S)
open(p, "w").write(s.replace('name = "sweep_deadline"', 'name = "sweep_table"'))
PY
o="$t/out"
"$bin" run --runs 300 --seed 5 --per-run "${q[@]}" --out "$o/run"
"$bin" sweep configs/sweep_deadline.toml --replicates 30 --seed 5 --per-run "${q[@]}" --out "$o/grid"
"$bin" sweep configs/sweep_uncertainty_lhs.toml --replicates 20 --points 8 --seed 5 "${q[@]}" --out "$o/lhs"
"$bin" sweep "$t/sweep_table.toml" --replicates 20 --seed 5 "${q[@]}" --out "$o/table"
"$bin" sensitivity configs/sens_article5_sobol.toml --samples 8 --replicates 20 --seed 5 "${q[@]}" --out "$o/sobol"
"$bin" sensitivity configs/sens_gap_morris.toml --samples 4 --replicates 20 --seed 5 "${q[@]}" --out "$o/morris"
"$bin" sensitivity configs/sens_nato_light_prim.toml --samples 60 --replicates 20 --seed 5 "${q[@]}" --out "$o/prim"
for k in 0 1; do
  "$bin" sweep configs/sweep_deadline.toml --replicates 30 --seed 5 --per-run --shard $k/2 "${q[@]}" --out "$o/s$k"
done
"$bin" merge "$o/merged" "$o/s0" "$o/s1" >/dev/null
"$venv/bin/python" - "$o" <<'PY'
import pathlib, sys
import pandas as pd
import polars as pl

files = sorted(pathlib.Path(sys.argv[1]).rglob("*.csv"))
problems = []
for f in files:
    try:
        df = pd.read_csv(f)
    except Exception as e:
        problems.append(f"{f}: pandas cannot read it: {e}")
        df = None
    if df is not None:
        for c in df.columns:
            col = df[c]
            if col.isna().all():
                problems.append(f"{f}: column {c!r} is empty in every row (pandas)")
            elif col.dtype == object:
                kinds = {type(v).__name__ for v in col.dropna()}
                if len(kinds) > 1 or col.isna().any() and kinds != {"str"}:
                    problems.append(f"{f}: column {c!r} mixes {sorted(kinds)} (pandas dtype object)")
                elif kinds == {"str"} and col.isna().any():
                    problems.append(f"{f}: column {c!r} mixes text with empty cells (pandas)")
    try:
        pf = pl.read_csv(f)
    except Exception as e:
        problems.append(f"{f}: polars cannot read it: {e}")
        continue
    for c in pf.columns:
        if pf[c].null_count() == pf.height and pf.height > 0:
            problems.append(f"{f}: column {c!r} is empty in every row (polars)")
print(f"csv-readers: {len(files)} CSV files read by pandas {pd.__version__} and polars {pl.__version__}")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("csv-readers: every column has one type and some value")
PY
