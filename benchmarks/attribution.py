"""Attribution of an 8-measure package (256 subsets as batch members) across all 13 municipalities.

    python benchmarks/attribution.py [--repeat 3] [--draws N]
    python benchmarks/attribution.py --history     # the policy history by kind: 4 096 subsets, once

The package: the first eight measures of scenarios/land-use-transport.toml on current policies.
Prints the wall time of `attribution.attribute` (exact Shapley values, first-in and last-in effects,
every municipality and sector), after a warm-up; with ``--draws N``, the attribution in each of N sampled
parameter draws (256 x N batch members). ``--history``: current-policies against the reference, its 118
measures by kind (12 players), timed once. Asserts nothing: timings on shared machines are noisy.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--draws", type=int, default=None, help="attribute in N sampled parameter draws")
    parser.add_argument("--history", action="store_true", help="the policy history by kind, timed once")
    args = parser.parse_args()
    from framtid.model.evaluation import attribution
    from framtid.model.scenario import load
    from framtid.model.scenario_inheritance import compose

    if args.history:
        t0 = time.perf_counter()
        result = attribution.attribute(load("framtid:current-policies"), 2024, base="reference", by="kind")
        print(f"the policy history by kind ({result.n_runs} batch members, {sum(result.sizes)} measures of "
              f"{len(result.measures)} kinds) x 13 municipalities x 2009-2050: {time.perf_counter() - t0:.1f} s; "
              f"its effect in 2024: {result.total[0].sum() / 1e3:+.1f} kt CO2e/yr")
        return

    full = load(REPO / "scenarios" / "land-use-transport.toml")
    own = full.own[:8]
    package = dataclasses.replace(full, own=own, measures=compose(full.inherited, own))
    attribution.attribute(package, 2030)            # warm-up (imports, embedded data)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = attribution.attribute(package, 2030, draws=args.draws)
        times.append(time.perf_counter() - t0)
    print(f"attribution of {len(own)} measures ({result.n_runs} batch members) x 13 municipalities x 2009-2050: "
          f"median {statistics.median(times):.2f} s, min {min(times):.2f} s over {args.repeat} repeats")
    print(f"package effect in 2030: {result.total[0].sum() / 1e3:+.1f} kt CO2e/yr; interaction "
          f"{result.interaction[0].sum() / 1e3:+.1f} kt CO2e/yr")


if __name__ == "__main__":
    main()
