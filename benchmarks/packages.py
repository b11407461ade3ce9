"""Run time of measure packages against the reference run, in process.

    python benchmarks/packages.py [--repeat 7]

Prints, for the reference, current policies, the full Framtidens byer 2009 package, the restrictive
package and a package the municipalities adopt adaptively (which appraises its measures in one
extra batch run first): the median and minimum wall time of a run, the number of measures and the
ratio to the reference. Every run is timed after a warm-up run. Asserts nothing: timings on shared
machines are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("reference", "current-policies", "framtidens-byer-2009", "restrictive", "restrictive-adaptive")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    from framtid.model import api

    medians = {}
    for name in PACKAGES:
        path = REPO / "scenarios" / f"{name}.toml"
        if not path.exists():
            print(f"{name:22s} (no scenarios/{name}.toml)")
            continue
        scenario = api.load_scenario(path)
        api.run_scenario(scenario)   # warm-up
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            api.run_scenario(scenario)
            times.append(time.perf_counter() - t0)
        medians[name] = statistics.median(times)
        adaptive = sum(m.adoption == "adaptive" for m in scenario.measures)
        ratio = medians[name] / medians["reference"] if "reference" in medians else float("nan")
        print(f"{name:22s} {len(scenario.measures):4d} measures ({adaptive} adaptive): median "
              f"{medians[name]:.3f} s, min {min(times):.3f} s, {ratio:.2f} x reference")


if __name__ == "__main__":
    main()
