"""The engine runs with the GIL released: Python code runs while a call is in the engine, and
two threads' calls are in it at once and give the results they give alone."""

import threading
import time

import deterrence_sim as ds


def test_python_runs_while_the_engine_does():
    done = threading.Event()
    entered = threading.Event()
    out = {}

    def work():
        entered.set()
        out["r"] = ds.run(seed=1, runs=3000, threads=1, per_run=False)
        done.set()

    t = threading.Thread(target=work)
    t.start()
    entered.wait()
    ticks = 0
    while not done.is_set():  # pure Python: it needs the GIL the engine must not hold
        ticks += 1
        done.wait(0.001)
    t.join()
    # Held for the whole call, the GIL would let this loop run at most a couple of times.
    assert ticks >= 20, ticks
    assert len(out["r"].summary) == 8


def test_two_threads_overlap_and_agree():
    spans = {}
    results = {}
    barrier = threading.Barrier(2)

    def work(name, seed):
        barrier.wait()
        start = time.monotonic()
        results[name] = ds.run(seed=seed, runs=2000, threads=1, per_run=False)
        spans[name] = (start, time.monotonic())

    ts = [threading.Thread(target=work, args=(n, s)) for n, s in [("a", 1), ("b", 2)]]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    (a0, a1), (b0, b1) = spans["a"], spans["b"]
    assert a0 < b1 and b0 < a1, spans  # the two calls were in flight at the same time
    # Each equals the same call made alone.
    for name, seed in [("a", 1), ("b", 2)]:
        alone = ds.run(seed=seed, runs=2000, threads=1, per_run=False)
        assert results[name].csv("summary.csv") == alone.csv("summary.csv")
