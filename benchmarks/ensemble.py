"""Throughput and peak memory of ensemble runs in chunks, serially and on one or two Dask workers.

    python benchmarks/ensemble.py                 # 1, 100, 1000, 10000 draws; 1 vs 2 workers at 1000 (long)
    python benchmarks/ensemble.py --quick         # 1, 100, 500 draws; 1 vs 2 workers at 200 (a few minutes)
    python benchmarks/ensemble.py --draws 1,50 --chunk-size 25 --workers-draws 0

Each measurement runs in a subprocess of its own (``--child``) that warms up (imports, embedded data,
one small run), then times :func:`framtid.model.uncertainty.ensemble.run_ensemble` writing a result
file into a temporary folder, in the precision ``framtid run`` chooses (single for more than one draw):
running the chunks, and combining them into the compressed file. It prints the throughput in
municipality-years x draws per second (13 municipalities x 42 years x draws x scenarios, over the
whole run including the combination, and over running alone) and the peak resident memory of the
largest process (``ru_maxrss`` of the subprocess itself and of its Dask worker processes, read with
:func:`resource.getrusage`). Asserts nothing: timings on shared machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MUNICIPALITY_YEARS = 13 * 42


def child(args) -> None:
    """One measurement, in this (fresh) process: print one JSON line."""
    from framtid.model import api, result_file  # noqa: F401  (imports not timed)
    from framtid.model.uncertainty import ensemble

    scenarios = [api.load_scenario(s) for s in args.scenarios.split(",")]
    api.run_scenario(scenarios[0], 0, 2, "lhs")            # warm-up: embedded data, caches
    import dask.array  # noqa: F401  (the combination's imports, not timed either)

    with tempfile.TemporaryDirectory(prefix="framtid-bench-", dir=args.tmp) as folder:
        t0 = time.perf_counter()
        done = ensemble.run_ensemble(scenarios, Path(folder) / "bench.nc", args.n, seed=1,
                                     chunk_size=args.chunk_size, workers=args.workers or None, progress=False,
                                     precision=api.choose_precision("auto", args.n))   # as framtid run does
        seconds = time.perf_counter() - t0
        size = done.path.stat().st_size
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss          # kB on Linux
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Dask worker processes, once ended
    print(json.dumps({"seconds": seconds, "run": done.run_seconds, "combine": done.combine_seconds,
                      "chunks": done.chunks, "bytes": size, "rss_kb": own, "worker_rss_kb": workers,
                      "scenarios": len(scenarios)}))


def measure(n: int, chunk_size: int, workers: int, scenarios: str, tmp: str | None) -> dict:
    """Run one measurement in a subprocess and return its figures."""
    cmd = [sys.executable, __file__, "--child", "--n", str(n), "--chunk-size", str(chunk_size),
           "--workers", str(workers), "--scenarios", scenarios]
    if tmp:
        cmd += ["--tmp", tmp]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"measurement of {n} draws failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(label: str, n: int, m: dict) -> None:
    cells = MUNICIPALITY_YEARS * n * m["scenarios"]
    peak = max(m["rss_kb"], m["worker_rss_kb"]) / 1024
    print(f"{label:<28} {n:>6} draws in {m['chunks']:>3} chunk(s): {m['seconds']:8.1f} s "
          f"(run {m['run']:.1f} s, combine {m['combine']:.1f} s)  "
          f"{cells / m['seconds']:>9,.0f} municipality-years x draws/s overall, "
          f"{cells / m['run']:>9,.0f} running;  peak {peak:,.0f} MB;  file {m['bytes'] / 1e6:,.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", default="1,100,1000,10000", help="ensemble sizes, comma-separated")
    parser.add_argument("--chunk-size", type=int, default=250)
    parser.add_argument("--workers-draws", type=int, default=1000,
                        help="ensemble size of the 1 vs 2 workers comparison (0: skip it)")
    parser.add_argument("--scenarios", default="framtid:current-policies", help="comma-separated")
    parser.add_argument("--quick", action="store_true", help="1, 100, 500 draws; workers at 200 draws, chunks of 50")
    parser.add_argument("--tmp", default=None, help="folder for the result files (default: the system's)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    sizes = [int(x) for x in args.draws.split(",")]
    chunk, workers_draws = args.chunk_size, args.workers_draws
    if args.quick:
        sizes, chunk, workers_draws = [1, 100, 500], 50, 200
    print(f"scenarios {args.scenarios}; chunks of {chunk} draws; 13 municipalities x 42 years")
    for n in sizes:
        report("serial, in process", n, measure(n, chunk, 0, args.scenarios, args.tmp))
    if workers_draws:
        for w in (1, 2):
            report(f"{w} Dask worker(s)", workers_draws, measure(workers_draws, chunk, w, args.scenarios, args.tmp))


if __name__ == "__main__":
    main()
