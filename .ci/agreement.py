#!/usr/bin/env python3
"""Every summary statistic of two engines agrees within 3 standard errors (issue 10, goal 1).

Usage: python3 .ci/agreement.py OLD_BINARY NEW_BINARY [--seeds 10] [--runs 10000] [--out DIR]

Each binary runs the default config with `--seeds` different seeds of `--runs` runs each (so
seeds x runs per arm in all). A statistic's standard error is the between-seed standard
deviation over sqrt(seeds) (batch means), which covers every column of summary.csv, ratios and
medians included. For each arm and column it prints z = (new - old) / sqrt(se_new^2 + se_old^2)
and exits 1 if any |z| > 3.
"""
import argparse, csv, math, os, subprocess, sys, tempfile

p = argparse.ArgumentParser()
p.add_argument("old"); p.add_argument("new")
p.add_argument("--seeds", type=int, default=10); p.add_argument("--runs", type=int, default=10000)
p.add_argument("--out", default=None)
a = p.parse_args()
out = a.out or tempfile.mkdtemp(prefix="agreement-")
SKIP = {"regime", "force", "runs", "successes", "median_censored", "better_than_none", "worse_than_none"}

def collect(binary, tag):
    rows = {}
    for k in range(a.seeds):
        d = os.path.join(out, f"{tag}-{k}")
        subprocess.run([binary, "run", "--runs", str(a.runs), "--seed", str(1000 + k), "--quiet",
                        "--force", "--out", d], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(d, "summary.csv")) as f:
            for r in csv.DictReader(f):
                arm = (r["regime"], r["force"])
                for c, v in r.items():
                    if c in SKIP or v == "":
                        continue
                    rows.setdefault((arm, c), []).append(float(v))
    return rows

def stats(xs):
    m = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return m, sd / math.sqrt(len(xs))

old, new = collect(a.old, "old"), collect(a.new, "new")
worst, bad = 0.0, []
print(f"{'arm':<22}{'statistic':<28}{'old':>12}{'new':>12}{'z':>8}")
for key in sorted(old):
    if key not in new:
        continue
    (mo, so), (mn, sn) = stats(old[key]), stats(new[key])
    se = math.hypot(so, sn)
    z = 0.0 if se == 0 else (mn - mo) / se
    worst = max(worst, abs(z))
    if abs(z) > 3:
        bad.append(key)
    (arm, c) = key
    print(f"{arm[0] + '/' + arm[1]:<22}{c:<28}{mo:>12.5f}{mn:>12.5f}{z:>8.2f}")
print(f"{len(old)} statistics, {a.seeds} seeds x {a.runs} runs per arm per engine; largest |z| = {worst:.2f}")
if bad:
    print("beyond 3 standard errors:", bad)
    sys.exit(1)
