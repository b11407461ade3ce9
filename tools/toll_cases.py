"""The model's answer to every toll change of 2009-2026, to set beside observed counts at the cordons.

    python tools/toll_cases.py [--format table|csv] [--draws N [--seed S]]

Runs ``current-policies`` and, for each ``congestion_charge`` measure of its toll history (a new scheme or
new rates on a cordon), the same scenario with that change left out: a new scheme removed, new rates
replaced by the rates before them. Prints, per change, the light-vehicle passages per day across the
cordon's line (``cordon_passages``: counted also before a ring charges) the year before the change and in
its first full year (or its only year, when the next change ends it first), their change (what a
before-and-after count sees, trend included), and the change against the run without it (what the change
itself did; also by period) in its first full year and in the last year before
the cordon's next change, at most five years on (later, the next change sets the rates in both runs). The
model runs in whole years (see tools/toll_history.py for how a date becomes a year), so a change is
compared year on year, and a count over a few months after an opening is not the same thing.
With ``--draws N`` every run is an ensemble of N sampled draws (Latin hypercube, the same draws in every run,
so each effect is paired draw by draw): the figures are medians over the draws and the effect in the first
full year gets its 5-95 % range. Asserts nothing; takes about ten seconds, and half a minute with 32 draws.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import replace

import numpy as np

from framtid.model import api, dims
from framtid.model.scenario import load

LATER = 5   # years after the first full year for the second effect
COLUMNS = ("cordon", "from", "change", "peak_nok", "offpeak_nok", "passages_before", "passages_after",
           "before_after_pct", "effect_pct", "effect_p05", "effect_p95", "effect_peak_pct", "effect_offpeak_pct",
           "until", "effect_until_pct")
PEAK, OFFPEAK = (dims.PERIODS.index(p) for p in ("peak", "offpeak"))


def _passages(record: dict, k: int, c: int, period: int | None = None) -> np.ndarray:
    """Passages per day across cordon ``c``'s line in year index ``k``, by draw ``(D,)``: both periods, or
    ``period``."""
    by_period = record["cordon_passages"][k, :, c]
    return by_period.sum(axis=-1) if period is None else by_period[:, period]


def _pct(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """Change of ``new`` against ``old`` [%], draw by draw."""
    return 100.0 * (new / old - 1.0)


def _without(scenario, change):
    """``scenario`` with ``change`` left out: the rates it replaced kept, or no scheme if it is a new one."""
    before = [m for m in scenario.measures if m.label in change.replaces and m.values["cordon"] == change.values[
        "cordon"]]
    rest = [m for m in scenario.measures if m is not change]
    if before:
        w = before[0]
        rest.append(replace(change, values=dict(w.values), price_year=w.price_year, deflator=w.deflator,
                            label=f"{change.label} (rates held)"))
    return replace(scenario, measures=tuple(rest))


def cases(draws: int = 1, seed: int = 0, cordons: tuple[str, ...] | None = None) -> list[dict]:
    """One row per toll change (module docstring), of every cordon or of ``cordons``; with ``draws`` > 1 the
    medians over sampled draws."""
    def run(s):
        return api.run_scenario(s, seed, draws, "lhs" if draws > 1 else None)

    scenario = load("framtid:current-policies")
    model = run(scenario)
    ids = list(model.cordons)
    charges = [m for m in scenario.measures if m.kind == "congestion_charge" and m.start_year > dims.BASE_YEAR]
    rows = []
    for change in charges:
        if not (change.values["peak_nok"] or change.values["offpeak_nok"]):
            continue   # a scheme's end (the ring of 1990 in 2019), not a charge: no run without it compares
        if cordons is not None and change.values["cordon"] not in cordons:
            continue
        c = ids.index(change.values["cordon"])
        # its first year at full strength, or its last year when the next change ends it before then (a change
        # of July ramps over two years; one of October that year ends it after the first)
        full = change.start_year + max(change.ramp_years, 1) - 1
        if change.end_year is not None:
            full = min(full, change.end_year)
        following = [m.start_year for m in charges if m.values["cordon"] == change.values["cordon"]
                     and m.start_year > change.start_year]
        until = max(full, min([full + LATER, dims.YEARS[-1]] + [y - 1 for y in following]))
        k, later = full - dims.BASE_YEAR, until - dims.BASE_YEAR
        base = run(_without(scenario, change)).record
        k0 = change.start_year - 1 - dims.BASE_YEAR
        before, after = _passages(model.record, k0, c), _passages(model.record, k, c)
        effect = _pct(after, _passages(base, k, c))
        row = {
            "cordon": change.values["cordon"], "from": full,
            "change": "rates" if change.replaces else "new scheme",
            "peak_nok": change.values["peak_nok"], "offpeak_nok": change.values["offpeak_nok"],
            "passages_before": before, "passages_after": after, "before_after_pct": _pct(after, before),
            "effect_pct": effect, "effect_p05": np.percentile(effect, 5), "effect_p95": np.percentile(effect, 95),
            **{f"effect_{name}_pct": _pct(_passages(model.record, k, c, p), _passages(base, k, c, p))
               for name, p in (("peak", PEAK), ("offpeak", OFFPEAK))},
            "until": until,
            "effect_until_pct": _pct(_passages(model.record, later, c), _passages(base, later, c)),
        }
        rows.append({key: float(np.median(v)) if isinstance(v, np.ndarray) else v for key, v in row.items()})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=("table", "csv"), default="table")
    parser.add_argument("--draws", type=int, default=1, help="sampled draws per run (1: the default values)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.draws < 1:
        parser.error(f"--draws must be at least 1 (got {args.draws})")
    rows = cases(args.draws, args.seed)
    if args.format == "csv":
        writer = csv.DictWriter(sys.stdout, COLUMNS)
        writer.writeheader()
        writer.writerows({k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()} for r in rows)
        return
    print("Toll changes of current-policies: light-vehicle passages per day across the cordon's line, the year "
          "before the change and its first full year; effect = against the run without the change [%]")
    spread = args.draws > 1
    print(f"{'cordon':22s} {'from':>4s} {'change':10s} {'peak':>5s} {'off':>5s} {'before':>9s} {'after':>9s} "
          f"{'b/a %':>6s} {'eff %':>6s}" + (f" {'5-95 %':>13s}" if spread else "") + f" {'until':>5s} {'eff %':>6s}")
    for r in rows:
        print(f"{r['cordon']:22s} {r['from']:4d} {r['change']:10s} {r['peak_nok']:5.0f} {r['offpeak_nok']:5.0f} "
              f"{r['passages_before']:9,.0f} {r['passages_after']:9,.0f} {r['before_after_pct']:+6.1f} "
              f"{r['effect_pct']:+6.1f}" + (f" {r['effect_p05']:+6.1f} {r['effect_p95']:+6.1f}" if spread else "")
              + f" {r['until']:5d} {r['effect_until_pct']:+6.1f}")
    print(f"({len(rows)} changes; passages include vehicles from outside the 13 by each cordon's external ratio; "
          "peak and off-peak are the petrol car's rates in NOK of the change's year"
          + (f"; medians over {args.draws} sampled draws)" if spread else ")"))


if __name__ == "__main__":
    main()
