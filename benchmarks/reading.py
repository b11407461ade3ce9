"""Wall time and peak memory of the commands that read an ensemble's result file.

    python benchmarks/reading.py [--draws 1000] [--file results/cp-1000.nc]

Runs ``framtid run framtid:current-policies --draws N`` into a temporary folder (or reads ``--file``), then
each reading command in a fresh process: ``framtid summary`` (draws' ranges, and ``--band prediction``),
``framtid targets``, ``framtid hindcast`` against the embedded inventory of 2009-2013 (re-weighed to AR5 and
SAR), and ``framtid report``. Prints the wall time and the peak resident memory of each process (``ru_maxrss``
the process reports). Asserts nothing: timings on shared machines are noisy.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# the command in a fresh interpreter that reports its own peak resident memory on stderr when it ends
WRAPPER = ("import resource, sys\n"
           "from framtid.cli.main import main\n"
           "try:\n"
           "    main(sys.argv[1:], standalone_mode=False)\n"
           "finally:\n"
           "    sys.stderr.write('PEAK_KB %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")


def measured(args: list[str], cwd: Path) -> tuple[float, float]:
    """(wall time [s], peak resident memory [MB]) of ``framtid ARGS`` in a fresh process."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAPPER, *args], check=True, capture_output=True, text=True, cwd=cwd)
    wall = time.perf_counter() - t0
    peak = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK_KB"))
    return wall, peak / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--file", type=Path, default=None, help="an existing result file to read instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run([sys.executable, str(REPO / "tools" / "observed_2009_2013.py"), str(work / "observed.csv")],
                       check=True, capture_output=True)
        result = args.file.resolve() if args.file else work / "cp.nc"
        if args.file is None:
            wall, peak = measured(["run", "framtid:current-policies", "--draws", str(args.draws), "--out",
                                   str(result)], work)
            print(f"run {args.draws} draws of current-policies: {wall:.1f} s, peak {peak:.0f} MB")
        cases = [("summary", ["summary", str(result)]),
                 ("summary --band prediction", ["summary", str(result), "--band", "prediction"]),
                 ("targets", ["targets", str(result)]),
                 ("hindcast", ["hindcast", str(result), "--observed", str(work / "observed.csv")]),
                 ("report", ["report", str(result), "--out", str(work / "report")])]
        for name, command in cases:
            wall, peak = measured(command, work)
            print(f"{name:28s} {wall:6.1f} s   peak {peak:6.0f} MB")


if __name__ == "__main__":
    main()
