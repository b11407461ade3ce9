"""Run time and memory of batch runs: one model whose arrays carry D batch members (draws).

    python benchmarks/batch.py [--members 1,32,256] [--repeat 3]
    python benchmarks/batch.py --sampled --members 1000 --scenario reference   # the ensemble goal

Prints, for framtidens-byer-2009 (all 13 municipalities, every programme area; ``--scenario`` for
another) run as one model with D members: the median wall time of set-up and run (after a warm-up),
members per second, and the peak memory the run allocates (tracemalloc, measured in a separate run
because tracing slows numpy down); then the single-draw reference run. The members carry different
parameters: a spread of the toll elasticity, or with ``--sampled`` a Latin-hypercube sample of every
uncertain parameter (another seed for each run) recorded in single precision, as ``framtid run --draws``
does, with set-up (calibration of every draw) and the yearly run timed apart. Asserts nothing: timings on shared
machines are noisy.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


SAMPLED = {"on": False}   # --sampled


def build(scenario, n: int, seed: int = 0):
    from framtid.model.parameters import Params
    from framtid.model.simulation import FramtidModel

    if SAMPLED["on"]:
        # Each timed run draws its own sample (seed): set-up caches keyed on parameter values never help,
        # as in an ensemble, whose every chunk holds other draws.
        return FramtidModel(scenario, Params.sampled(n, seed, "lhs", scenario.parameters), precision="single")
    params = Params.defaults(n, scenario.parameters).with_overrides(
        {"transport.toll_elasticity": np.linspace(-0.45, -0.22, n) if n > 1 else [-0.35]})
    return FramtidModel(scenario, params)


def timed(scenario, n: int, repeat: int) -> tuple[float, float, float]:
    """Median and minimum wall time [s] of set-up and run of ``n`` members, and the median of set-up alone."""
    build(scenario, n, seed=repeat).run()   # warm-up: imports, embedded data, caches of set-up work
    times, setups = [], []
    for seed in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        model = build(scenario, n, seed)
        setups.append(time.perf_counter() - t0)
        model.run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), statistics.median(setups)


def peak_memory(scenario, n: int) -> float:
    """Peak memory [MB] allocated while setting up and running ``n`` members."""
    gc.collect()
    tracemalloc.start()
    build(scenario, n).run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", default="1,32,256", help="batch sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sampled", action="store_true", help="sampled draws, recorded in single precision")
    parser.add_argument("--scenario", default="framtidens-byer-2009", help="a scenario of scenarios/")
    args = parser.parse_args()
    SAMPLED["on"] = args.sampled
    from framtid.model import api

    scenario = api.load_scenario(REPO / "scenarios" / f"{args.scenario}.toml")
    for n in (int(x) for x in args.members.split(",")):
        median, fastest, setup = timed(scenario, n, args.repeat)
        print(f"{args.scenario}, {n:5d} members: median {median:.3f} s (set-up with calibration {setup:.3f} s), "
              f"min {fastest:.3f} s, "
              f"{n / median:8.1f} members/s, peak {peak_memory(scenario, n):8.1f} MB")
    reference = api.load_scenario(REPO / "scenarios" / "reference.toml")
    api.run_scenario(reference)   # warm-up
    times = []
    for _ in range(max(5, 3 * args.repeat)):
        t0 = time.perf_counter()
        api.run_scenario(reference)
        times.append(time.perf_counter() - t0)
    gc.collect()
    tracemalloc.start()
    api.run_scenario(reference)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    print(f"reference, 1 draw: median {statistics.median(times):.3f} s, min {min(times):.3f} s, peak {peak:.1f} MB")


if __name__ == "__main__":
    main()
