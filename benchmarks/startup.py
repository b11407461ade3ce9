"""Wall time of the command line as a user meets it, and where the start-up goes.

    python benchmarks/startup.py [--repeat 9]

Prints, for fresh processes: `framtid --help`; `framtid run framtid:reference` (the whole
job: imports, run, NetCDF-4 write, summary); the import time of the libraries a run needs,
with Mesa's package initialisation deferred (framtid.model.mesa_core) and with the whole of
Mesa imported as before; and the garbage-collection time of a run with the collector on
throughout. Asserts nothing: timings on shared machines are noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable


def wall(cmd: list[str], repeat: int, cwd: str) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=cwd)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def in_process(code: str, repeat: int) -> float:
    """Median of a figure a fresh interpreter prints."""
    values = [float(subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True).stdout)
              for _ in range(repeat)]
    return statistics.median(values)


IMPORTS = """
import time; t = time.perf_counter()
{pre}
import xarray, framtid.model.api, framtid.model.simulation, netCDF4
print(time.perf_counter() - t)
"""

GC_OF_A_RUN = """
import gc, time, sys, io, contextlib
spent = [0.0]; start = [0.0]
def clock(phase, info):
    if phase == "start": start[0] = time.perf_counter()
    else: spent[0] += time.perf_counter() - start[0]
gc.callbacks.append(clock)
from framtid.cli.main import main
sys.argv = ["framtid", "run", "framtid:reference", "--out", {out!r}, "--force"]
with contextlib.redirect_stdout(io.StringIO()):
    try: main()
    except SystemExit: pass
print(spent[0])
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    n = parser.parse_args().repeat
    framtid = str(Path(PY).with_name("framtid"))
    if not os.path.exists(framtid):
        sys.exit("install the package first (pip install .): the `framtid` command is timed as users run it")
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "ref.nc")
        med, low = wall([framtid, "--help"], n, tmp)
        print(f"framtid --help:                          median {med:.3f} s, min {low:.3f} s")
        med, low = wall([framtid, "run", "framtid:reference", "--out", out, "--force"], n, tmp)
        print(f"framtid run framtid:reference:           median {med:.3f} s, min {low:.3f} s")
        deferred = in_process(IMPORTS.format(pre=""), n)
        whole = in_process(IMPORTS.format(pre="import mesa"), n)
        print(f"imports of a run, Mesa init deferred:    median {deferred:.3f} s")
        print(f"imports of a run, whole of Mesa:         median {whole:.3f} s")
        gc_time = in_process(GC_OF_A_RUN.format(out=out), n)
        print(f"garbage collection in a run, gc always on (library use): median {gc_time * 1000:.0f} ms")


if __name__ == "__main__":
    main()
