"""SALib on deterrence-sim: Sobol indices of Article 5's success rate.

SALib draws the Saltelli sample, deterrence-sim runs every row (its runs in parallel in the
engine, common random numbers across the design), SALib computes S1 and ST.

    python examples/salib_sobol.py                          # N = 64: 64 x 8 points x 200 runs
    python examples/salib_sobol.py --n 8 --replicates 20    # a quick check
"""

import argparse
import time

from SALib.analyze import sobol
from SALib.sample import sobol as sobol_sample

from deterrence_sim import salib

RANGES = {
    "russia.lambda": (1.5, 3.5),
    "russia.war_cost": (0.5, 2.0),
    "modifiers.reassurance_troops": (0.0, 20000.0),
    "regimes.nato_light.audience_cost": (0.2, 1.0),  # no effect on Article 5: S1 = ST = 0
}


def main(argv=None):
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--n", type=int, default=64, help="Saltelli base samples (a power of 2)")
    a.add_argument("--replicates", type=int, default=200)
    a.add_argument("--seed", type=int, default=1)
    args = a.parse_args(argv)

    problem = salib.problem(RANGES)
    X = sobol_sample.sample(problem, args.n, calc_second_order=False, seed=args.seed)
    start = time.time()
    Y = salib.evaluate(problem, X, regime="article5", replicates=args.replicates, seed=args.seed)
    wall = time.time() - start
    Si = sobol.analyze(problem, Y, calc_second_order=False, seed=args.seed)
    print(f"{len(X)} points x {args.replicates} runs (article5 and none) in {wall:.1f} s")
    print(f"{'parameter':<36} {'S1':>7} {'S1_conf':>8} {'ST':>7} {'ST_conf':>8}")
    for k, name in enumerate(problem["names"]):
        print(f"{name:<36} {Si['S1'][k]:7.3f} {Si['S1_conf'][k]:8.3f} {Si['ST'][k]:7.3f} {Si['ST_conf'][k]:8.3f}")
    return problem, X, Y, Si


if __name__ == "__main__":
    main()
