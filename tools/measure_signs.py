"""Which way each measure kind moves a municipality's emissions, while it acts and after it ends.

    python tools/measure_signs.py                       # every kind in Oslo from 2015 on current-policies
    python tools/measure_signs.py --until 2020          # acting 2015-2020 only: what outlives a measure
    python tools/measure_signs.py --municipality bergen --base framtid:reference

Each kind is added at its example values (``measures.example_values(kind, "default")``, large on purpose: fares
x3, a charge of 150 NOK) as an ordinary measure, and the change of the municipality's total emissions against the
base is printed for some years [kt CO2e/yr], with the two sources that move most in the last year but one. A kind
that raises emissions is not wrong in itself (induced traffic, park-and-ride's access legs, diesel buses for more
departures, dearer fares); one that raises them against what its settings ask, or keeps moving them long after it
ended, is a behaviour to explain: car sharing did both until members were taken to give up the cars they have.
Money is in NOK of the start year. A kind that sets an instrument the base sets again later is re-set then (a
congestion charge on Osloringen acts until current-policies' next rates of that cordon, 2017). Kinds that act only
with another measure (the oil-heating ban's announcement and adoption) are left out. Prints only; runs in about
half a minute.
"""

from __future__ import annotations

import argparse
import dataclasses

from framtid.model import api, dims
from framtid.model.measures import KINDS, example_values
from framtid.model.measures.base import programmatic
from framtid.model.scenario import load

START = 2015
COMPANIONS = {"oil_heating_ban_announcement", "oil_heating_ban_adoption"}


def changes(run, base, m: int, years: tuple[int, ...]) -> list[float]:
    """The change of municipality ``m``'s total emissions against ``base`` in ``years`` [kt CO2e/yr] (draw 0)."""
    return [(run.emission_totals()[y - dims.BASE_YEAR, 0, m] - base.emission_totals()[y - dims.BASE_YEAR, 0, m])
            / 1e3 for y in years]


def moved_sources(run, base, m: int, year: int, n: int = 2) -> str:
    """The ``n`` sources whose emissions change most in ``year`` (all gases as tonnes of each, draw 0) [kt/yr]."""
    k = year - dims.BASE_YEAR
    delta = (run.record["emissions_gas"][k, 0, m].sum(-1) - base.record["emissions_gas"][k, 0, m].sum(-1)) / 1e3
    top = sorted(range(len(delta)), key=lambda i: -abs(delta[i]))[:n]
    return ", ".join(f"{dims.SOURCES[i]} {delta[i]:+.2f}" for i in top if abs(delta[i]) > 0.005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="framtid:current-policies", help="scenario the kinds are added to")
    parser.add_argument("--municipality", default="oslo", choices=dims.MUNICIPALITIES)
    parser.add_argument("--until", type=int, default=None, help="last year the measures act (default: to 2050)")
    args = parser.parse_args()
    base = load(args.base)
    reference = api.run_scenario(base)
    m = dims.MUNICIPALITIES.index(args.municipality)
    years = (START + 1, 2020, 2025, 2030, 2040) if args.until is None else (
        args.until - 2, args.until + 1, args.until + 2, args.until + 5, args.until + 10, args.until + 20)
    years = tuple(y for y in years if y <= dims.YEARS[-1])
    acting = f"from {START}" + ("" if args.until is None else f" to {args.until}")
    print(f"{args.municipality}, each kind at its example values {acting} on {base.name}: total emissions against "
          f"the base [kt CO2e/yr]; the sources moving most in {years[-2]}")
    print(f"{'kind':30s}" + "".join(f"{y:>9d}" for y in years))
    for kind in sorted(set(KINDS) - COMPANIONS):
        measure = programmatic(KINDS[kind], (args.municipality,), START, example_values(KINDS[kind], "default"),
                               f"{kind} (example)", "tools/measure_signs.py", START)
        measure = dataclasses.replace(measure, end_year=args.until)
        run = api.run_scenario(dataclasses.replace(base, name=kind, measures=base.measures + (measure,)))
        print(f"{kind:30s}" + "".join(f"{x:+9.2f}" for x in changes(run, reference, m, years))
              + f"  {moved_sources(run, reference, m, years[-2])}")


if __name__ == "__main__":
    main()
