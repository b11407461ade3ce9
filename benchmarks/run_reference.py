"""Time one reference run in-process, `framtid elasticities`, and `framtid --help` as a fresh process.

    python benchmarks/run_reference.py [--repeat 10]

Prints figures; asserts nothing (timings on shared machines are noisy). The run
is timed after a warm-up run, so imports and the one-off reading of the embedded
data are excluded; they are reported separately.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def time_run(repeat: int) -> None:
    t0 = time.perf_counter()
    from framtid.model import api, simulation  # noqa: F401  (import cost reported below)

    t_import = time.perf_counter() - t0
    scenario = api.load_scenario(REPO / "scenarios" / "reference.toml")
    t0 = time.perf_counter()
    api.run_scenario(scenario)
    t_first = time.perf_counter() - t0
    runs, builds = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        model = api.run_scenario(scenario)
        t1 = time.perf_counter()
        api.to_dataset([model], seed=0)
        builds.append(time.perf_counter() - t1)
        runs.append(t1 - t0)
    print(f"import framtid.model.api + simulation: {t_import:.3f} s")
    print(f"first reference run (reads embedded data): {t_first:.3f} s")
    print(f"reference run, 13 municipalities x 2009-2050, {repeat} repeats: "
          f"median {statistics.median(runs):.3f} s, min {min(runs):.3f} s")
    print(f"building the xarray Dataset: median {statistics.median(builds):.3f} s")


def time_elasticities(repeat: int) -> None:
    from framtid.model import elasticities

    elasticities.implied()      # warm-up
    times = []
    for _ in range(max(1, repeat // 3)):
        t0 = time.perf_counter()
        elasticities.implied()
        times.append(time.perf_counter() - t0)
    runs = len({id(scenario) for pair in elasticities_runs() for scenario in pair})
    print(f"framtid elasticities ({runs} runs in process), {len(times)} repeats: "
          f"median {statistics.median(times):.3f} s")


def elasticities_runs() -> list:
    """The (base, perturbed) scenario pairs `framtid elasticities` runs, one run per distinct scenario."""
    from framtid.model import elasticities
    from framtid.model.cordons import using
    from framtid.model.scenario import load

    base = load("framtid:reference")
    steps = {t.quantity: 1.0 + t.change for t in elasticities.targets()}
    with using(base.cordons):
        return list(elasticities._perturbations(base, 2012, steps).values())


def time_help(repeat: int) -> None:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "framtid.cli.main", "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    print(f"framtid --help (new process), {repeat} repeats: median {statistics.median(times):.3f} s, "
          f"min {min(times):.3f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    time_run(args.repeat)
    time_elasticities(args.repeat)
    time_help(args.repeat)
