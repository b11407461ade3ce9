"""Wall time of costing the shipped packages (`framtid costs`), in process.

    python benchmarks/costs.py [--repeat 3] [--draws N]

For each package scenario: the number of measures, the runs (the base and one first-in run per
measure), the median wall time of ``costs.evaluate`` after a warm-up, and the time per run; with
``--draws N`` every run holds N sampled parameter draws. Asserts nothing: timings on shared machines
are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("land-use-transport", "buildings-energy", "consumption-waste", "congestion-oslo-rush-hour")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--draws", type=int, default=None, help="runs of N sampled parameter draws")
    args = parser.parse_args()
    from framtid.model import api
    from framtid.model.evaluation import costs

    print(f"{'package':28s} {'measures':>8s} {'runs':>5s} {'median s':>9s} {'s/run':>7s}")
    for name in PACKAGES:
        scenario = api.load_scenario(REPO / "scenarios" / f"{name}.toml")
        costs.evaluate(scenario)   # warm-up
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            report = costs.evaluate(scenario, draws=args.draws)
            times.append(time.perf_counter() - t0)
        runs = len(report.measures) + 1
        median = statistics.median(times)
        print(f"{name:28s} {len(report.measures):8d} {runs:5d} {median:9.2f} {median / runs:7.3f}")


if __name__ == "__main__":
    main()
