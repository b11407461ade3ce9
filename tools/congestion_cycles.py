"""How often car traffic cycles year on year when travellers learn congestion at a given pace.

    python tools/congestion_cycles.py                          # 200 LHS draws of the reference, seed 0
    python tools/congestion_cycles.py --draws 500 --seed 1 --scenario framtid:current-policies

Travellers choose on the congestion they expect, moved each year a share omega (``transport.congestion_learning``)
of the way towards last year's (docs/model.md section 3.3). With omega = 1 each year answers last year's congestion
alone and overshoots where the BPR curve is steep: car traffic swings in a two-year cycle. The tool runs the same
sampled draws with omega set to 1, to 0.5 (the default) and sampled over its range, and counts the draws in which
some municipality's car vkm (on its territory) cycle: year-on-year changes above ``--threshold`` (3 %)
alternating in sign ``--run`` times in a row (4: five years or more). It prints the count, the municipalities and
the largest yearly change within the cycles. Prints only; runs in about ten seconds for 200 draws.
"""

from __future__ import annotations

import argparse

import numpy as np

from framtid.model import api, dims
from framtid.model.parameters import Params
from framtid.model.simulation import FramtidModel

LEARNING = "transport.congestion_learning"


def cycling(car_vkm: np.ndarray, threshold: float, run: int) -> np.ndarray:
    """Whether each draw and municipality cycles ``(D, M)``: ``run`` alternations in a row of year-on-year changes
    of ``car_vkm`` ``(T, D, M)`` whose logs exceed ``threshold`` in size."""
    change = np.diff(np.log(car_vkm), axis=0)
    alternate = ((np.sign(change[1:]) != np.sign(change[:-1])) & (np.abs(change[1:]) > threshold)
                 & (np.abs(change[:-1]) > threshold))
    streak = np.zeros(alternate.shape[1:], int)
    longest = np.zeros_like(streak)
    for year in alternate:
        streak = np.where(year, streak + 1, 0)
        longest = np.maximum(longest, streak)
    return longest >= run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="framtid:reference")
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threshold", type=float, default=0.03, help="size of a yearly change in logs (0.03)")
    parser.add_argument("--run", type=int, default=4, help="alternations in a row that make a cycle (4)")
    args = parser.parse_args()
    scenario = api.load_scenario(args.scenario)
    print(f"{args.scenario}, {args.draws} LHS draws (seed {args.seed}); a cycle: {args.run} alternations in a row of "
          f"yearly changes of car vkm above {args.threshold:.0%}")
    for learning in (1.0, 0.5, None):
        params = Params.sampled(args.draws, args.seed, "lhs", scenario.parameters)
        if learning is not None:
            params = params.with_overrides({LEARNING: [learning] * args.draws})
        model = FramtidModel(scenario, params)
        model.run()
        vkm = np.asarray(model.record["car_vkm"], dtype=float).sum(axis=-1)      # territorial, (T, D, M)
        cycles = cycling(vkm, args.threshold, args.run)
        where = sorted({dims.MUNICIPALITIES[m] for m in np.nonzero(cycles)[1]})
        largest = np.abs(np.diff(np.log(vkm), axis=0))[:, cycles].max() if cycles.any() else 0.0
        label = "sampled" if learning is None else f"{learning:g}"
        print(f"omega {label:>7}: {int(cycles.any(axis=1).sum())} of {args.draws} draws cycle"
              + (f", in {len(where)} municipalities ({', '.join(where)}), largest yearly change {largest:.1%}"
                 if where else ""))
        model.dispose()


if __name__ == "__main__":
    main()
