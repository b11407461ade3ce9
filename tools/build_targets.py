"""Build the targets as data (model/data/targets.csv) from the reference statistics.

Run by hand when the reference data change (it uses tools/build_data.py's readers):

    python tools/build_targets.py /path/to/shared/data

One row per target: national targets (Klimaforliket 2008 for 2020, -55 % by 2030 and -90 to -95 % by
2050 against 1990, non-ETS -45 % by 2030 against 2005), the municipalities' own targets (emissions and
car traffic) and the zero-growth goal for passenger-car traffic in the four largest city regions.
Every row keeps its source address and confidence grade; values computed here say how in ``note``
and carry the confidence ``derived``.

Columns:
  id                 unique name, <area>.<indicator>.<target year>[.<variant>]
  area               norway, a municipality id or a city region id (dims.REGIONS)
  indicator          emissions | car_traffic | car_vkm_resident
  scope              total (all territorial sectors) | non_ets (sources outside the EU ETS) | region
  base_year          year the change is stated against, or "unstated"
  target_year        year the target is for (the zero-growth goal: the year it is assessed in)
  change             relative change against the base year (-0.55 = -55 %); the less strict end of a range
  change_strict      the stricter end of a range ("" if the target is one number)
  national_base_kt   national emissions in the base year [kt CO2e] (national targets against 1990)
  national_target_kt national emissions the target allows in the target year [kt CO2e]
  national_2009_kt   national emissions in 2009 [kt CO2e], the first year of the municipal inventory
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_data import NAMES, OUT, number, read, write  # noqa: E402

COLUMNS = ("id", "area", "indicator", "scope", "base_year", "target_year", "change", "change_strict",
           "national_base_kt", "national_target_kt", "national_2009_kt", "label", "confidence", "source", "note")

# The national series every national target is set against (the one the sector paths use too).
NATIONAL_SERIES = "ghg_total"
SERIES_NAME = "SSB 13931, AR5 GWP, 2024 vintage"

# The municipality a city-target row of the reference data belongs to, where its name is not one of
# build_data.NAMES.
TARGET_AREAS = {"Kristiansand (Knutepunkt Sørlandet)": "kristiansand"}

# The zero-growth goal (nullvekstmålet): no growth in passenger-car traffic in the city regions of the
# four largest urban-growth agreements, reference year 2017; through traffic, service trips and goods
# traffic excluded (methods §0, after tiltak.no).
ZERO_GROWTH_REGIONS = ("oslo", "bergen", "trondheim", "nord_jaeren")
ZERO_GROWTH_SOURCE = ("https://www.tiltak.no/0-overordnede-virkemidler/0-4-kunnskap-og-verktoey-som-hjelpemidler/"
                      "forpliktende-avtaler-stat-kommune-byvekstavtaler-og-bypakker/")
ZERO_GROWTH_YEAR = 2030
# The goal holds in the nine urban areas that may enter such agreements; the five medium-sized ones among the
# programme's regions (Buskerudbyen: Drammen; Nedre Glomma; Grenland; the Kristiansand region; Tromsø) are taken at
# the four largest agreements' reference year, an assumption: their agreements, where made, may set another.
ZERO_GROWTH_MEDIUM = ("drammen", "nedre_glomma", "grenland", "kristiansand", "tromso")


def _row(**kw) -> dict:
    row = dict.fromkeys(COLUMNS, "")
    row.update(kw)
    return row


def national_rows(rows: list[dict[str, str]]) -> list[dict]:
    totals = {int(r["year"]): number(r["value"]) / 1000.0 for r in rows
              if r["municipality"] == "Norway" and r["indicator"] == NATIONAL_SERIES}
    total_src = next(r["source_url"] for r in rows if r["municipality"] == "Norway"
                     and r["indicator"] == NATIONAL_SERIES)
    ind = {r["indicator"]: r for r in rows if r["municipality"] == "Norway"}
    n1990, n2009 = totals[1990], totals[2009]
    out = []

    low, high = ind["klimaforlik_domestic_emission_cap_2020_low"], ind["klimaforlik_domestic_emission_cap_2020_high"]
    cap, strict = number(high["value"]) * 1000.0, number(low["value"]) * 1000.0
    out.append(_row(
        id="norway.emissions.2020", area="norway", indicator="emissions", scope="total", base_year=1990,
        target_year=2020, change=cap / n1990 - 1.0, change_strict=strict / n1990 - 1.0, national_base_kt=n1990,
        national_target_kt=cap, national_2009_kt=n2009,
        label="Klimaforliket 2008: national emissions at most 46-48 Mt CO2e in 2020", confidence="derived",
        source=f"{high['source_url']} ; {total_src}",
        note=(f"the agreement's cap on national emissions in 2020 ({low['value']}-{high['value']} Mt CO2e, "
              f"{high['confidence']} confidence); the less strict end is the target, the other change_strict; "
              f"change = cap / 1990 - 1 with 1990 and 2009 from {SERIES_NAME} (the cap was agreed on an older "
              "inventory vintage)")))

    act = ind["target_ghg_reduction_vs_1990"]
    change = number(act["value"]) / 100.0
    out.append(_row(
        id="norway.emissions.2030", area="norway", indicator="emissions", scope="total", base_year=1990,
        target_year=int(act["year"]), change=change, national_base_kt=n1990, national_target_kt=n1990 * (1 + change),
        national_2009_kt=n2009, label="Climate Change Act: national emissions -55 % by 2030 against 1990",
        confidence=act["confidence"], source=f"{act['source_url']} ; {total_src}",
        note=f"{act['unit']}; national 1990 and 2009 emissions from {SERIES_NAME}"))

    les = ind["target_ghg_reduction_vs_1990_low_emission_society"]
    change = number(les["value"]) / 100.0
    out.append(_row(
        id="norway.emissions.2050", area="norway", indicator="emissions", scope="total", base_year=1990,
        target_year=int(les["year"]), change=change, change_strict=-0.95, national_base_kt=n1990,
        national_target_kt=n1990 * (1 + change), national_2009_kt=n2009,
        label="Low-emission society: national emissions -90 to -95 % by 2050 against 1990",
        confidence=les["confidence"], source=f"{les['source_url']} ; {total_src}",
        note=(f"{les['unit']}; the less strict end is the target, the stricter end of the same range is "
              f"change_strict; national 1990 and 2009 emissions from {SERIES_NAME}")))

    non_ets = ind["target_non_ets_reduction_vs_2005"]
    out.append(_row(
        id="norway.non_ets.2030", area="norway", indicator="emissions", scope="non_ets", base_year=2005,
        target_year=int(non_ets["year"]), change=number(non_ets["value"]) / 100.0,
        label="Non-ETS emissions -45 % by 2030 against 2005", confidence=non_ets["confidence"],
        source=non_ets["source_url"],
        note=("national non-ETS emissions of 2005 and 2009 are not in the reference data: set against the "
              "municipalities with their 2009 non-ETS emissions standing in for 2005 (assumption)")))
    return out


def city_rows(rows: list[dict[str, str]]) -> list[dict]:
    out: list[dict] = []
    seen: set[str] = set()
    for r in rows:
        area = NAMES.get(r["municipality"]) or TARGET_AREAS.get(r["municipality"])
        ind = r["indicator"]
        if area is None or not (ind.startswith("target_ghg_reduction") or ind.startswith("target_car_traffic_vs_")):
            continue
        if ind.startswith("target_ghg_reduction"):
            indicator = "emissions"
            base = ind.removeprefix("target_ghg_reduction").removeprefix("_vs_") or "unstated"
        else:
            indicator = "car_traffic"
            base = ind.removeprefix("target_car_traffic_vs_")
        note = r["unit"]
        if not base.isdigit() and base != "unstated":
            # e.g. "1991_2009plan": a base year with the plan it comes from
            base, plan = base.split("_", 1)
            note = f"{note}; from the {plan.replace('plan', '')} plan"
        if area != NAMES.get(r["municipality"]):
            note = f"{note}; stated for {r['municipality']} on the borders of that time"
        ident = f"{area}.{indicator}.{r['year']}"
        if ident in seen:
            ident += ".alternative"
        seen.add(ident)
        what = "emissions" if indicator == "emissions" else "car traffic"
        against = f"against {base}" if base != "unstated" else "(base year not stated)"
        out.append(_row(
            id=ident, area=area, indicator=indicator, scope="total" if indicator == "emissions" else "",
            base_year=base, target_year=int(r["year"]), change=number(r["value"]) / 100.0,
            label=f"{r['municipality']}: {what} {number(r['value']):+.0f} % by {r['year']} {against}",
            confidence=r["confidence"], source=r["source_url"], note=note))
    return sorted(out, key=lambda r: (r["area"], r["indicator"], r["target_year"], r["id"]))


def zero_growth_rows() -> list[dict]:
    return [_row(
        id=f"{region}.car_vkm_resident.zero_growth", area=region, indicator="car_vkm_resident", scope="region",
        base_year=2017, target_year=ZERO_GROWTH_YEAR, change=0.0,
        label=f"Zero-growth goal: no growth in passenger-car traffic in the {region} region against 2017",
        confidence="medium", source=ZERO_GROWTH_SOURCE,
        note=("the goal holds every year from the reference year (2017 in the four largest agreements); measured "
              "on residents' car vehicle-km of the region's programme municipalities (through traffic, service "
              "trips and goods traffic are outside the goal); assessed in 2030 (assumption: the reference data "
              "give no end year of the agreements)")) for region in ZERO_GROWTH_REGIONS] + [_row(
        id=f"{region}.car_vkm_resident.zero_growth", area=region, indicator="car_vkm_resident", scope="region",
        base_year=2017, target_year=ZERO_GROWTH_YEAR, change=0.0,
        label=f"Zero-growth goal: no growth in passenger-car traffic in the {region} region against 2017 "
              "(medium-sized urban area)",
        confidence="low", source=ZERO_GROWTH_SOURCE,
        note=("assumption: the goal of the urban-growth agreements holds in the nine urban areas that may enter "
              "one, the five medium-sized as well as the four largest; reference year 2017 as in the four largest "
              "(an agreement of the area may set another); measured and assessed as theirs")) for region in
        ZERO_GROWTH_MEDIUM]


def main(shared: Path) -> None:
    rows = read(shared / "observations.csv")
    out = national_rows(rows) + city_rows(rows) + zero_growth_rows()
    write(OUT / "targets.csv", out, COLUMNS)
    print(f"targets: {len(out)} rows")


if __name__ == "__main__":
    from reference_folder import arguments

    main(arguments(__doc__).shared)
