"""Wall time of fitting the free parameters to history (`framtid calibrate`), in process.

    python benchmarks/calibrate.py [--repeat 3] [--cut-off YEAR]

Prints, for the embedded observations (and a cut-off if given), the median and minimum wall time of
``fitting.calibrate`` after a warm-up, and of each fit alone: the candidates it ran, in how many runs, and the
time per candidate. Asserts nothing: timings on shared machines are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import time


def timed(call, repeat: int) -> tuple[float, float, object]:
    """Median and minimum wall time [s] of ``call()`` over ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cut-off", type=int, default=None)
    args = parser.parse_args()
    from framtid.model.fitting import calibrate, history
    from framtid.model.fitting import series

    calibrate(args.cut_off)   # warm-up: imports, embedded data, scenario files

    def fresh():
        history._national_fits.cache_clear()   # the national fits are kept per cut-off in a process: time them
        return calibrate(args.cut_off)

    median, fastest, result = timed(fresh, args.repeat)
    print(f"calibrate (cut-off {args.cut_off or 'none'}): median {median:.2f} s, min {fastest:.2f} s")
    last = history.dims.FINAL_YEAR if args.cut_off is None else args.cut_off
    fits = {
        "heating review": lambda: history._fit("heating review", (history.RATE,), series.national_heating(), "log",
                                               last, history.heating_relative, history.HEATING_GRID),
        "battery-electric uptake": lambda: history._fit("battery-electric uptake", (history.MIDPOINT, history.SPEED),
                                                        series.bev_sales(), "level", last, history.bev_shares,
                                                        history.BEV_GRID),
    }
    print(f"{'fit':26s} {'candidates':>10s} {'runs':>5s} {'median s':>9s} {'ms/candidate':>13s}")
    for name, fit in fits.items():
        median, _, found = timed(fit, args.repeat)
        runs = history.HEATING_GRID[1] if name == "heating review" else history.BEV_GRID[1]
        runs = runs + 1 if found.fitted is not None else 1      # the grid's rounds and the run at fit and default
        per = 1e3 * median / max(found.evaluated, 1)
        print(f"{name:26s} {found.evaluated:10d} {runs:5d} {median:9.2f} {per:13.1f}")


if __name__ == "__main__":
    main()
