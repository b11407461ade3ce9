"""Write the toll history 2009-2026 as congestion_charge measures: scenarios/current-policies-tolls.toml.

    python tools/toll_history.py            # rewrites the file
    python tools/toll_history.py --check    # exit 1 if it is out of date

Each change of a cordon's rates in model/data/toll_rates.csv (the embedded rate history, with
its sources and estimates) becomes one measure that re-sets the cordon's prices, in NOK of the
year of the change (``price_year``), and ends the measure before it on that cordon
(``replaces``). The model runs in whole years, so a change is placed by the rule:

* from January to March: in force from that year;
* from April to September: that year at half strength (``ramp_years = 2``), fully the next;
* from October: from the next year.

A posted rate is nominal: the same number of kroner until the operator changes it. Where the data give a rate's
end (a later change on the cordon), the rate is posted again on 1 January of each later year it is in force, in
NOK of that year (a carry: the same fields, ``price_year`` that year, replacing the year before), so that its
real value falls with the model's price index (``prices.deflator``: an assumed inflation, the data holding
no CPI); Bergen's 25 NOK, in force until 2016-01-31 and carried back to 2009, is 25 NOK of 2015 in 2015, not 25
of 2009. A ring already charging in 2009 carries its 2009 rate
(model/data/scenarios/policies-2009.toml) the same way until its first change. Two kinds of rate are held in
real terms instead: a cordon's last rate in the data, whose end is not known (as the projections hold every
price), and the rates of Fjellinjen's cordons in Oslo and Bærum, which the operator adjusted by the consumer
prices between its stated changes (toll_schemes.csv: "CPI adjustment" of 2012-03-15, "CPI-adjusted ~2020-2021").
``framtid tolls`` does not count a carry as a toll change (:func:`framtid.model.evaluation.toll_cases.is_carry`).

Prices are the full prices per passage of light petrol vehicles in and outside the peaks, the
diesel surcharge, the share battery-electric cars are spared, and the heavy-vehicle prices
(diesel). Tag discounts and monthly caps on paid passages are not modelled, so the tolls paid
are somewhat overstated; a battery-electric rate the sources quote only with a tag is taken back to
its full price, beside the full fossil prices (:func:`_full_prices`). Where several changes fall in
one start year the last sets the rates; the label and ``start_date`` name its day, but where the
cordon began to charge in that year ``start_date`` is the opening day (Nord-Jæren's scheme opened on
2018-10-01 and took its rates of 2019 on 2019-03-25): the day an observed count after a change is
dated by.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

from framtid.model import cordons as cd
from framtid.model import dims
from framtid.model.measures.charges import charge_fields
from framtid.model.safe_write import regenerate

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "current-policies-tolls.toml"
HEAD = '''# The toll history of the cordons of the 13 municipalities, 2009-2026: every change of rates in
# model/data/toll_rates.csv (the embedded rate history; each rate's source, confidence and any estimate are
# there), as congestion_charge measures. Written by tools/toll_history.py; do not edit by hand.

[scenario]
name = "current-policies-tolls"
description = "The fuel-tax history plus every toll change 2009-2026"
extends = "current-policies-taxes"
'''
# The labels of the rings already in the 2009 policies (model/data/scenarios/policies-2009.toml).
POLICIES_2009 = {"oslo_ring": "Oslo toll ring 2009", "baerum_ring": "Bærum toll ring 2009",
                 "bergen_ring": "Bergen toll ring 2009", "kristiansand_ring": "Kristiansand toll ring 2009"}
FIRST = date(2009, 1, 2)


def _placement(day: date) -> tuple[int, int]:
    """(start year, ramp years) of a change on ``day`` (see the module docstring)."""
    if day.month <= 3:
        return day.year, 0
    if day.month <= 9:
        return day.year, 2
    return day.year + 1, 0


def _fmt(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _full_prices(live: list) -> list:
    """The rows in force on a day with every price a full price (without a tag): a battery-electric rate the
    sources quote only with a tag (discount 0 beside fossil rates with a discount d: Trondheim from 2019,
    Nord-Jæren from 2020, Nedre Glomma from 2024, Tromsø) is the tagged price, taken back to its full price
    p / (1 - d), so that it stands beside the fossil cars' full prices as the schemes set it ("half the
    ordinary rate after the tag discount": half the full rate too)."""
    tagged = max((r.tag_discount_share for r in live if r.vehicle_class == "light" and r.fuel != "bev"), default=0.0)
    if not tagged:
        return live
    return [replace(r, price_nok=r.price_nok / (1.0 - tagged))
            if r.vehicle_class == "light" and r.fuel == "bev" and r.price_nok > 0 and not r.tag_discount_share else r
            for r in live]


def _carries(cordon: str, label: str, fields: list[str], years: range) -> tuple[list[str], str]:
    """The measures that post the rate of ``label`` (its field lines ``fields``: the cordon's prices, without the
    price year) again on 1 January of each of ``years``, each replacing the year before, and the label of the
    last (``label`` when there is none)."""
    blocks, previous = [], label
    for year in years:
        carry = f"{label} (posted in {year})"
        blocks.append("\n".join(['[[measure]]', 'kind = "congestion_charge"', f'label = "{carry}"',
                                  f'replaces = "{previous}"', f'cordon = "{cordon}"', f"start_year = {year}",
                                  f"price_year = {year}", *fields]))
        previous = carry
    return blocks, previous


POLICIES_2009_FILE = Path(__file__).resolve().parent.parent / "model" / "data" / "scenarios" / "policies-2009.toml"
# The fields of a charge that a carry posts again (all but where and when: the rates)
NOT_RATES = ("kind", "label", "cordon", "municipality", "start_year", "start_date", "ramp_years", "end_year",
             "price_year", "replaces")


def _rates_2009(label: str) -> list[str]:
    """The field lines of the 2009 ring ``label``'s rates, as policies-2009.toml writes them (a carry posts them
    again, and is a carry only while they are the same)."""
    entry = next(m for m in tomllib.loads(POLICIES_2009_FILE.read_text(encoding="utf-8"))["measure"]
                 if m.get("label") == label)
    return [f"{key} = {_fmt(value)}" for key, value in entry.items() if key not in NOT_RATES]


def measures() -> list[str]:
    rates = cd.load_toll_rates()
    blocks = []
    for cordon in cd.cordons():
        rows = [r for r in rates if r.cordon == cordon.id]
        days = sorted({r.valid_from for r in rows if r.valid_from >= FIRST}
                      | {r.valid_to.fromordinal(r.valid_to.toordinal() + 1) for r in rows
                         if r.valid_to is not None and r.valid_to >= FIRST})
        previous = POLICIES_2009.get(cordon.id)
        placed: dict[int, tuple] = {}
        opened: dict[int, date] = {}   # the day the cordon began to charge, by the start year it is placed in
        charging = previous is not None
        for day in days:
            live = [r for r in rows if r.valid_from <= day and (r.valid_to is None or r.valid_to >= day)]
            cells = cd.cells(_full_prices(live), 0.0)                  # (class, fuel, period), nominal NOK
            start, ramp = _placement(day)
            if not charging and np.any(cells):
                opened.setdefault(start, day)
            charging = bool(np.any(cells))
            if start > 2026:
                continue
            placed[start] = (day, ramp, cells)                            # the last change of a year wins
        starts = sorted(placed)
        nominal = cordon.id not in cd.PRICE_INDEXED
        if nominal and previous and starts:   # the 2009 rate, posted until the first change
            carried, previous = _carries(cordon.id, previous, _rates_2009(previous),
                                         range(dims.BASE_YEAR + 1, starts[0]))
            blocks += carried
        for i, start in enumerate(starts):
            day, ramp, cells = placed[start]
            f = charge_fields(cells)
            label = f"{cordon.id} tolls from {day.isoformat()}"
            lines = ['[[measure]]', 'kind = "congestion_charge"', f'label = "{label}"']
            if previous:
                lines.append(f'replaces = "{previous}"')
            lines += [f'cordon = "{cordon.id}"', f"start_year = {start}",
                      f"start_date = {opened.get(start, day).isoformat()}"]
            if ramp:
                lines.append(f"ramp_years = {ramp}")
            lines.append(f"price_year = {day.year}")
            fields = [f"peak_nok = {_fmt(f['peak_nok'])}", f"offpeak_nok = {_fmt(f['offpeak_nok'])}"]
            # Surcharge and discount of each period from its own rates; the off-peak ones written where they differ.
            if f["diesel_surcharge_nok"]:
                fields.append(f"diesel_surcharge_nok = {_fmt(f['diesel_surcharge_nok'])}")
            if _fmt(f["diesel_offpeak_surcharge_nok"]) != _fmt(f["diesel_surcharge_nok"]):
                fields.append(f"diesel_offpeak_surcharge_nok = {_fmt(f['diesel_offpeak_surcharge_nok'])}")
            fields.append(f"bev_discount = {_fmt(f['bev_discount'])}")
            if _fmt(f["bev_offpeak_discount"]) != _fmt(f["bev_discount"]):
                fields.append(f"bev_offpeak_discount = {_fmt(f['bev_offpeak_discount'])}")
            fields += [f"heavy_peak_nok = {_fmt(f['heavy_peak_nok'])}",
                       f"heavy_offpeak_nok = {_fmt(f['heavy_offpeak_nok'])}"]
            if not np.any(cells):
                lines.insert(3, "# the cordon stops charging")
            blocks.append("\n".join(lines + fields))
            previous = label
            if nominal and np.any(cells) and i + 1 < len(starts):   # posted until the next change
                carried, previous = _carries(cordon.id, label, fields, range(start + 1, starts[i + 1]))
                blocks += carried
    return blocks


def text(blocks: list[str] | None = None) -> str:
    return HEAD + "\n" + "\n\n".join(measures() if blocks is None else blocks) + "\n"


def main(check: bool) -> int:
    blocks = measures()   # once, for the file and the count
    return regenerate(SCENARIO, text(blocks), check, f"wrote {len(blocks)} toll measures into {SCENARIO}")


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
