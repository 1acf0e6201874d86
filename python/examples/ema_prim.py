"""EMA Workbench on deterrence-sim: where does NATO-light deter in fewer than 60% of runs?

Latin hypercube experiments over four uncertainties (named by dotted path through EMA's
variable_name), run by EMA's SequentialEvaluator (the engine uses every core inside each
call: no multiprocessing pool), then EMA's own PRIM on nato_light's success rate.

    python examples/ema_prim.py                      # 48 experiments x 1000 runs x 4 regimes
    python examples/ema_prim.py --scenarios 8 --replicates 50 --seeds 2   # a quick check
"""

import argparse
import time

import numpy as np
from ema_workbench import SequentialEvaluator, perform_experiments
from ema_workbench.analysis import prim

from deterrence_sim import ema

UNCERTAINTIES = {
    "russia.lambda": (1.5, 3.5),
    "russia.war_cost": (0.5, 2.0),
    "guarantors.USA.public_support": (0.2, 0.8),
    "modifiers.reassurance_troops": (0.0, 20000.0),
}


def main(argv=None):
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--scenarios", type=int, default=48)
    a.add_argument("--replicates", type=int, default=1000)
    a.add_argument("--seeds", type=int, default=0, help="replications over this many seeds (0: one run, seed 20250818)")
    a.add_argument("--threshold", type=float, default=0.6)
    args = a.parse_args(argv)

    seeds = list(range(1, args.seeds + 1)) if args.seeds else None
    model = ema.model(UNCERTAINTIES, replicates=args.replicates, seeds=seeds)
    start = time.time()
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=args.scenarios, evaluator=evaluator)
    wall = time.time() - start
    y = np.asarray(outcomes["nato_light"], dtype=float)
    se = np.asarray(outcomes["nato_light_se"], dtype=float)
    if seeds:  # replications: outcomes are means over the seeds
        sd = np.asarray(outcomes["nato_light_seed_sd"], dtype=float)
        print(f"replications over {len(seeds)} seeds: mean sd between seeds {sd.mean():.4f}, "
              f"mean se of one seed {se.mean() * np.sqrt(len(seeds)):.4f}")
    print(f"{args.scenarios} experiments x {args.replicates} runs x {len(model.outcomes) // 2} regimes in {wall:.1f} s")
    print(f"nato_light success: mean {y.mean():.3f}, min {y.min():.3f}, max {y.max():.3f}; "
          f"mean standard error {np.nanmean(se):.4f}")
    x = experiments[[ema.uncertainty_name(p) for p in UNCERTAINTIES]]
    low = y < args.threshold
    print(f"{low.sum()} of {len(y)} experiments below {args.threshold}")
    if 0 < low.sum() < len(y):
        alg = prim.Prim(x, low, threshold=0.5, peel_alpha=0.1)
        box = alg.find_box()
        box.inspect()  # prints the chosen box: coverage, density, and its limits per uncertainty
    return experiments, outcomes


if __name__ == "__main__":
    main()
