"""Where the time of a batch run goes: each submodel's choice, advance and accounting, and the recording.

    python benchmarks/parts.py [--members 1000] [--scenario reference] [--repeat 3]

Prints, for one model carrying ``--members`` sampled draws (set up as ``batch.py --sampled`` does: a
Latin-hypercube sample of every uncertain parameter, recorded in single precision), the median wall time
of set-up (calibration of every draw) and of each part of the yearly step summed over the 42 years, with
its share of the run and its cost per municipality-year-draw, and how far numpy's element-wise
throughput on this machine goes (the floor a faster yearly step would have to beat): an exponential and
a product on an array that stays in the processor's cache; and the pivot of a segment's varying alternative
(``mode_choice.pivot_varying_alternative``: an exponential, a logarithm, a division and a few sums) as the
numpy passes the model runs and, when numba is installed (it is not a dependency of framtid), as a compiled
loop over the cells, which saves the passes' memory traffic but evaluates exp and log one element at a time
(on a 2-core Xeon with AVX-512, numpy 2.4, numba 0.68: 2.7 ns per element as numpy passes, 8.7 as a compiled
loop, the same with ``fastmath``: numba finds no vector maths library). Asserts nothing: timings on shared
machines are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import time
import timeit
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import numpy as np

import batch

REPO = Path(__file__).resolve().parent.parent


class Clocked:
    """A submodel with some of its methods replaced by timed ones; everything else is the submodel's."""

    def __init__(self, inner, **methods):
        self._inner = inner
        self.__dict__.update(methods)

    def __getattr__(self, name):
        return getattr(self._inner, name)


def timed_parts(model) -> dict[str, float]:
    """Run ``model`` with every submodel phase and the recording timed [s], summed over the years."""
    spent: dict[str, float] = defaultdict(float)

    def clocked(name: str, function):
        def run(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t0
        return run

    # Submodels and deciders are shared by every model: wrapped in this model's own list and table only.
    model.submodels = [Clocked(sm, advance=clocked(f"{sm.name}: advance", sm.advance),
                               account=clocked(f"{sm.name}: account", sm.account)) for sm in model.submodels]
    # The year steps the submodels the model chose at set-up (all of them in a whole run): those, clocked.
    model.stepped = tuple(model.submodels[:len(model.stepped)])
    chooses = {sm.decided_by: sm.name for sm in model.submodels if sm.decided_by is not None}
    model.deciders = {name: SimpleNamespace(decide_all=clocked(f"{chooses[name]}: choose", decider.decide_all))
                      for name, decider in model.deciders.items() if name in chooses}
    model._record = clocked("recording", model._record)
    t0 = time.perf_counter()
    model.run()
    spent["whole run"] = time.perf_counter() - t0
    return spent


def pivot_passes(share, gap, rest, top, out, tmp) -> None:
    """The pivot of a varying alternative, ``P = s e^g / (s e^g + W)`` and ``dLS = ln(s e^g + W) + top``, as
    numpy passes (:func:`framtid.model.submodels.mode_choice.pivot_varying_alternative`)."""
    np.exp(gap, out=tmp)
    np.multiply(share, tmp, out=tmp)
    np.add(tmp, rest, out=out)
    np.divide(tmp, out, out=tmp)
    np.log(out, out=out)
    np.add(out, top, out=out)


def compiled_pivot():
    """The same pivot as one loop over the cells compiled by numba, or None when numba is not installed."""
    try:
        import numba
    except ImportError:
        return None

    @numba.njit
    def pivot_loop(share, gap, rest, top, out, tmp):
        for i in range(share.size):
            own = share[i] * np.exp(gap[i])
            total = own + rest[i]
            tmp[i] = own / total
            out[i] = np.log(total) + top[i]

    return pivot_loop


def element_throughput() -> dict[str, float]:
    """Time per element [ns] of a few element-wise operations on 16 384 doubles (in cache), and of the pivot
    as numpy passes and (with numba) as a compiled loop."""
    x, out, tmp = np.random.default_rng(0).random(16384) + 0.5, np.empty(16384), np.empty(16384)
    operations = {"exp": lambda: np.exp(x, out=out), "log": lambda: np.log(x, out=out),
                  "multiply": lambda: np.multiply(x, x, out=out), "divide": lambda: np.divide(x, x, out=out),
                  "pivot (numpy passes)": lambda: pivot_passes(x, x, x, x, out, tmp)}
    loop = compiled_pivot()
    if loop is not None:
        loop(x, x, x, x, out, tmp)   # compiled on its first call
        operations["pivot (compiled loop)"] = lambda: loop(x, x, x, x, out, tmp)
    return {name: min(timeit.repeat(f, number=2000, repeat=3)) / 2000 / x.size * 1e9
            for name, f in operations.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenario", default="reference", help="a scenario of scenarios/")
    args = parser.parse_args()
    batch.SAMPLED["on"] = True
    from framtid.model import api, dims

    scenario = api.load_scenario(REPO / "scenarios" / f"{args.scenario}.toml")
    batch.build(scenario, args.members, seed=args.repeat).run()   # warm-up
    runs, setups = [], []
    for seed in range(args.repeat):
        t0 = time.perf_counter()
        model = batch.build(scenario, args.members, seed)
        setups.append(time.perf_counter() - t0)
        runs.append(timed_parts(model))
    cells = args.members * len(dims.MUNICIPALITIES) * len(dims.YEARS)
    whole = statistics.median(r["whole run"] for r in runs)
    print(f"{args.scenario}, {args.members} sampled draws: set-up {statistics.median(setups):.3f} s, "
          f"run {whole:.3f} s ({whole / cells * 1e6:.2f} us per municipality-year-draw)")
    parts = sorted((statistics.median(r[name] for r in runs), name) for name in runs[0] if name != "whole run")
    for seconds, name in reversed(parts):
        print(f"  {name:28s} {seconds:7.3f} s  {100 * seconds / whole:5.1f} %  {seconds / cells * 1e6:6.2f} us")
    rest = whole - sum(seconds for seconds, _ in parts)
    print(f"  {'the rest (year set-up)':28s} {rest:7.3f} s  {100 * rest / whole:5.1f} %")
    floor = ", ".join(f"{name} {ns:.2f} ns" for name, ns in element_throughput().items())
    print(f"numpy, 16 384 doubles in cache: {floor} per element")


if __name__ == "__main__":
    main()
