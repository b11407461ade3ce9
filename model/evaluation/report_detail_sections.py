"""The report's closing sections: indicators and co-benefits, the targets in detail (national targets
per municipality and city region, own targets, the zero-growth goal) and how to read the report
(method, municipalities, abbreviations and provenance).
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np

from .. import dims
from ..provenance import scenario_files
from .report_content import (Bullets, Section, Table, Text, area_label, indicator_label, join_names, number, smart,
                             smart_range, unit_label)
from .report_context import (Context, in_each_scenario, national_ids, national_title, rows_for,
                             scenario_descriptions)

P_MET = "P(met) [share of draws]"        # header of the share of draws that meet a target
P_INV = "P(inventory meets it) [0-1]"     # header of the chance that the inventory shows it met (discrepancy)
REGION_NAMES = {"oslo": "Oslo region", "drammen": "Drammen region", "nedre_glomma": "Nedre Glomma",
                "grenland": "Grenland", "kristiansand": "Kristiansand region", "nord_jaeren": "Nord-Jæren",
                "bergen": "Bergen region", "trondheim": "Trondheim region", "tromso": "Tromsø region"}
KEY_INDICATORS = ("emissions_per_capita", "car_driver_share", "car_vkm_index", "energy_per_floor_area",
                  "fossil_heating_share", "nox_road_exhaust")
COBENEFITS = ("nox_road_exhaust", "pm10_road_exhaust", "pm10_road_wear", "heat_deaths_avoided_walk",
              "heat_deaths_avoided_bicycle", "heat_value")
ABBREVIATIONS = (
    ("CO2e", "CO2 equivalents: the gases weighted by their 100-year global warming potential (GWP)"),
    ("kt", "kilotonne, a thousand tonnes"),
    ("GWP, AR4, AR5, AR6, SAR", "global warming potential; the IPCC assessment report whose values weigh the "
                               "gases (fourth, fifth, sixth, second)"),
    ("ETS", "the EU emissions trading system; non-ETS emissions are those outside it"),
    ("LMDI", "logarithmic mean Divisia index, a decomposition of a change into effects that add up exactly"),
    ("MAC", "marginal abatement cost: the cost of cutting one tonne, measure by measure"),
    ("NOK, MNOK", "Norwegian kroner, million kroner (real 2009 NOK unless stated)"),
    ("vkm", "vehicle-kilometres"),
    ("NOx, PM10", "nitrogen oxides; particulate matter under 10 micrometres"),
    ("HEAT, VSL", "WHO Health Economic Assessment Tool for walking and cycling; value of a statistical life"),
    ("BEV", "battery-electric vehicle"),
)


def indicator_section(ctx: Context) -> Section:
    from . import indicators as ind

    ds = ctx.ds.sel(municipality=ctx.municipalities)
    first = ctx.scenarios[0]
    if ctx.ranged:
        years, values = ind.draws_in_years(ds, [dims.BASE_YEAR, ctx.year], dims.BASE_YEAR, first,
                                           ctx.scenarios)                   # (2, D) arrays

        def fmt(v, unit=""):
            return smart_range(v, unit)

        def central(v, unit=""):
            return smart(float(np.median(v)), unit) if np.all(np.isfinite(v)) else "-"
    else:
        years, values = ind.compute(ds, dims.BASE_YEAR, first, ctx.scenarios)
        fmt = central = smart
    k0, k = years.index(dims.BASE_YEAR), years.index(ctx.year)
    total = ind.together(ctx.municipalities) if len(ctx.municipalities) > 1 else ctx.municipalities[0]
    label = area_label(ctx.municipalities, ctx.names)
    shown = [i for i in ind.INDICATORS if not i.name.endswith("_change")
             and not (len(ctx.municipalities) > 1 and i.aggregate == "none")]
    rows = []
    for i in shown:
        series = [values.get((sc, total, i.name)) for sc in ctx.scenarios]
        if all(x is None for x in series):
            continue
        cells = [fmt(series[0][k0], i.unit) if series[0] is not None else "-"]
        cells += [fmt(x[k], i.unit) if x is not None else "-" for x in series]
        rows.append((indicator_label(i.name), unit_label(i.unit, i.name)) + tuple(cells))
    header = ("indicator", "unit", str(dims.BASE_YEAR)) + tuple(f"{sc} {ctx.year}" for sc in ctx.scenarios)
    note = f"The car vehicle-km index is 1 in {dims.BASE_YEAR}; values are means over draws."
    if ctx.ranged:
        note = (f"The car vehicle-km index is 1 in {dims.BASE_YEAR}; values are medians over the {ctx.draws} draws "
                "with the 5-95 % range in brackets, each ratio taken within a draw.")
    if len(ctx.municipalities) > 1:
        note = ("Ratios are taken over the municipalities together (sum of numerators over sum of denominators); "
                "sealed surface, green roofs and the runoff coefficient are given per municipality only. " + note)
    if any("toll" in r[0].lower() or "passage" in r[0].lower() for r in rows):
        note += (" Tolls paid and cordon passages are high: the model's toll revenue is about twice what the toll "
                 "companies collect (tag discounts and monthly caps are not modelled; README, known limits).")
    blocks: list = [Table(f"Indicators of {label}", header, tuple(rows), note)]
    # key indicators per municipality (medians only with several draws: a range in each cell would not fit)
    for sc in (ctx.scenarios if len(ctx.municipalities) > 1 else []):
        body = []
        for m in ctx.municipalities:
            cells = []
            for name in KEY_INDICATORS:
                v = values.get((sc, m, name))
                cells.append(central(v[k], ind.BY_NAME[name].unit) if v is not None else "-")
            body.append((ctx.name(m),) + tuple(cells))
        header = ("municipality",) + tuple(f"{indicator_label(n)} [{unit_label(ind.BY_NAME[n].unit, n)}]"
                                           for n in KEY_INDICATORS)
        blocks.append(Table(f"Key indicators per municipality, scenario {sc}, {ctx.year}", header, tuple(body),
                            f"Medians over the {ctx.draws} draws." if ctx.ranged else ""))
    # co-benefits: each scenario's value and, beside it, its difference from the first (draw by draw)
    cheader, cgroups = ["co-benefit", "unit"], [("", 2)]
    for sc in ctx.scenarios:
        cheader += [str(ctx.year)] + ([f"minus {first}"] if sc != first else [])
        cgroups.append((sc, 1 if sc == first else 2))
    crow = []
    for name in COBENEFITS:
        i = ind.BY_NAME[name]
        v0 = values.get((first, total, name))
        cells = []
        for sc in ctx.scenarios:
            v = values.get((sc, total, name))
            cells.append(fmt(v[k]) if v is not None else "-")
            if sc != first:
                cells.append(fmt(v[k] - v0[k]) if v is not None and v0 is not None else "-")
        crow.append((indicator_label(name), unit_label(i.unit, name)) + tuple(cells))
    cnote = ("NOx and PM10: exhaust by vehicle age and Euro step, and PM10 from tyre, brake and road wear (studded "
             "tyres included); HEAT: deaths avoided a year by walking and cycling, and their value (value of a "
             "statistical life, real 2009 NOK).")
    if ctx.ranged:
        cnote += f" Medians over the {ctx.draws} draws with the 5-95 % range; differences taken draw by draw."
    blocks.append(Table(f"Co-benefits of {label} in {ctx.year}: road-traffic air pollutants and the health effect "
                        "of walking and cycling", tuple(cheader), tuple(crow), cnote, tuple(cgroups)))
    shown_names = {r[0] for r in rows + crow} | {indicator_label(n) for n in KEY_INDICATORS}
    defs = tuple((indicator_label(i.name), unit_label(i.unit, i.name), i.definition) for i in ind.INDICATORS
                 if indicator_label(i.name) in shown_names)
    blocks.append(Table("What the indicators measure", ("indicator", "unit", "definition"), defs))
    return Section("indicators", "Indicators and co-benefits", tuple(blocks))


def _modelled_range(r: dict, digits: int) -> str:
    """A target row's modelled value over the draws: median (5-95 %); ``digits`` 1 means as many as
    the value needs (:func:`draw_statistics.range_digits`)."""
    from ..draw_statistics import range_cell

    return range_cell(r["modelled_value"], r["modelled_p05"], r["modelled_p95"], None if digits == 1 else digits)


def _chance(r: dict) -> str:
    """P(the inventory shows the target met), or "-" for a target that is not an emission."""
    from .target_tables import inventory_chance

    return inventory_chance(r["p_met_inventory"])


def _first_met(r: dict, last_year: int) -> str:
    return str(r["first_year_met"]) if r["first_year_met"] is not None else f"not by {last_year}"


def _region_name(region: str, ctx: Context) -> str:
    return f"{REGION_NAMES.get(region, region)} ({join_names([ctx.name(m) for m in dims.REGIONS[region]])})"


def targets_section(ctx: Context) -> Section:
    from ..draw_statistics import range_digits
    from .targets import RULE_TEXT

    last = int(ctx.years[-1])
    blocks: list = [Text(f"National targets are set against the municipalities by the {RULE_TEXT[ctx.rule]}. "
                         "A municipality meets a target when its emissions in the target year are at or below the "
                         "target value; first met: the year from which the emissions stay at or below it through "
                         "the target year (for the 2020 target this can lie before 2020), or where the target year "
                         "misses it, the first later year at or below it. The command framtid targets also gives "
                         "the gaps and the annual cuts still needed.")]
    if ctx.ranged:
        blocks.append(Text(f"With {ctx.draws} draws, each draw is set against its own target (under the rule 'share' "
                           "the target follows the draw's own 2009 emissions). Target values are medians over the "
                           "draws; modelled values medians with their 5-95 % range; P(met) is the share of draws "
                           "at or below their target in the target year; first met is the first year by which half "
                           "of the draws are at or below their target ('not by' when fewer than half ever are)."))
    blocks.append(Text(f"{P_INV}: the chance that the municipal inventory will show an emission target met in its "
                       "year. The modelled value is not what the inventory will report: in the hindcast of 2011 and "
                       "2013 the inventory strayed from the model by more than its parameters spread, most in "
                       "heating, least in road traffic, and more the longer after the 2009 calibration. That "
                       "discrepancy, fitted per sector (framtid's data/discrepancy.csv), is set about "
                       + ("each draw's" if ctx.ranged else "the run's") + " modelled value."))
    regions = [r for r, ms in dims.REGIONS.items() if len(ms) > 1 and all(m in ctx.municipalities for m in ms)]
    for tid in national_ids(ctx):
        rows = []
        first_rows = rows_for(ctx, ctx.scenarios[0], group="national", target_id=tid)
        areas = [("municipality", m) for m in ctx.municipalities] + [("region", r) for r in regions] + \
            ([("all", "all 13")] if ctx.municipalities == list(dims.MUNICIPALITIES) else [])
        for level, area in areas:
            r0 = next(r for r in first_rows if r["level"] == level and r["area"] == area)
            name = (ctx.name(area) if level == "municipality" else _region_name(area, ctx) if level == "region"
                    else "the 13 together")
            cells = [number(r0["target_value"], range_digits(r0["target_value"]) if ctx.ranged else 1)]
            for sc in ctx.scenarios:
                r = next(x for x in rows_for(ctx, sc, group="national", target_id=tid)
                         if x["level"] == level and x["area"] == area)
                if ctx.ranged:
                    cells += [_modelled_range(r, 1), f"{r['p_met']:.2f}", _chance(r), _first_met(r, last)]
                else:
                    cells += [number(r["modelled_value"]), _chance(r), _first_met(r, last)]
            rows.append((name,) + tuple(cells))
        year = first_rows[0]["target_year"]
        header = ("area", f"target {year} [kt CO2e/yr]")
        for sc in ctx.scenarios:
            header += (f"{year} [kt CO2e/yr]",) + ((P_MET,) if ctx.ranged else ()) + (P_INV, "first met [year]")
        groups = (("", 2),) + tuple((sc, 4 if ctx.ranged else 3) for sc in ctx.scenarios)
        scope = "non-ETS emissions" if first_rows[0]["scope"] == "non_ets" else "all sectors"
        blocks.append(Table(f"{national_title(ctx, tid)} ({scope})", header, tuple(rows), groups=groups))
    own = [r for r in ctx.target_rows if r["scenario"] == ctx.scenarios[0] and r["group"] == "own"
           and r["area"] in ctx.municipalities]
    done = [r for r in own if r["target_value"] is not None]
    if done:
        rows = []
        for r0 in done:
            d = 3 if r0["unit"].startswith("index") else 1
            cells = [f"{r0['target']} by {r0['target_year']}", unit_label(r0["unit"])]
            for r in in_each_scenario(ctx, r0):
                if ctx.ranged:
                    cells += [number(r["target_value"], d), _modelled_range(r, d), f"{r['p_met']:.2f}", _chance(r),
                              _first_met(r, last)]
                else:
                    cells += [number(r["target_value"], d), number(r["modelled_value"], d), _chance(r),
                              _first_met(r, last)]
            rows.append((ctx.name(r0["area"]),) + tuple(cells))
        header = ("municipality", "target", "unit")
        for sc in ctx.scenarios:
            header += ("target value", "in the target year") + ((P_MET,) if ctx.ranged else ()) + (
                P_INV, "first met [year]")
        groups = (("", 3),) + tuple((sc, 5 if ctx.ranged else 4) for sc in ctx.scenarios)
        skipped = [f"{ctx.name(r['area'])}'s {r['target']} by {r['target_year']} "
                   f"({r['note'].removeprefix('not evaluated: ')})" for r in own if r["target_value"] is None]
        note = ("Emission targets in kt CO2e/yr of all sectors; car traffic as residents' car vehicle-km, an index "
                "with the base year = 1. Targets against a base year after 2009 differ between scenarios.")
        if skipped:
            note += f" Not evaluated: {'; '.join(skipped)}."
        blocks.append(Table("The municipalities' own targets", header, tuple(rows), note, groups))
    zero = [r for r in ctx.target_rows if r["scenario"] == ctx.scenarios[0] and r["group"] == "zero_growth"
            and all(m in ctx.municipalities for m in dims.REGIONS[r["area"]])]
    if zero:
        rows = []
        for r0 in zero:
            cells = []
            for r in in_each_scenario(ctx, r0):
                if ctx.ranged:
                    cells += [_modelled_range(r, 3), f"{r['p_met']:.2f}"]
                else:
                    cells += [number(r["modelled_value"], 3), "yes" if r["met_in_target_year"] else "no"]
            rows.append((_region_name(r0["area"], ctx),) + tuple(cells))
        year, base = zero[0]["target_year"], zero[0]["base_year"]
        header = ("city region",)
        for sc in ctx.scenarios:
            header += (f"{year} [index, {base} = 1]", P_MET if ctx.ranged else "met")
        groups = (("", 1),) + tuple((sc, 2) for sc in ctx.scenarios)
        blocks.append(Table("Zero-growth goal for passenger-car traffic: residents' car vehicle-km of the city "
                            f"region against {base}; met when at most 1", header, tuple(rows),
                            f"Each scenario is indexed to its own {base} value: a scenario with less car traffic "
                            "already by then can show a higher index and still have less traffic in "
                            f"{year}; compare the vehicle-km themselves for that.", groups=groups))
    return Section("targets", "Targets in detail", tuple(blocks))


def written_on() -> date:
    """The day a report is written, in UTC (one day wherever it is written); ``SOURCE_DATE_EPOCH`` [s since 1970]
    fixes it, as reproducible builds do, so that two reports of one result are the same files."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit() else datetime.now(timezone.utc)
    return moment.date()


def method_section(ctx: Context) -> Section:
    from framtid import __version__

    from ..data_store import municipalities
    from .targets import RULE_TEXT

    ds = ctx.ds
    a = ds.attrs
    gwp_basis = ds["emissions"].attrs.get("co2e_basis", ctx.gwp)
    descriptions = scenario_descriptions(ds)
    reading = (
        "Emissions are territorial: what is emitted inside each municipality's border, in the sectors of "
        "Miljødirektoratet's municipal inventory. Electricity and biogenic CO2 count zero; district heat and waste "
        "incineration count at the plant, in the host municipality.",
        f"Gases are weighted by their {gwp_basis}; kt CO2e/yr is a thousand tonnes of CO2 equivalents per year.",
        f"National targets are set against the municipalities by the {RULE_TEXT[ctx.rule]}. Targets stated against "
        "1990 or 2005 are first carried to 2009 along the national series (2009 stands in for 2005 for the non-ETS "
        "target).",
        "2009 is the calibrated base year: every scenario reproduces the municipal inventory where it has data "
        "and starts from the same 2009; a scenario's measures act from 2010.",
        "Road transport, buildings, waste and energy supply are modelled; industry, shipping, other mobile "
        "combustion, agriculture, aviation and F-gas products follow the national inventory by sector to 2023 "
        "(registered plants their own reports 2009-2013, hence jumps such as Porsgrunn's industry in 2010) and "
        "the national projections after, the same in every scenario unless a measure changes them.",
        f"Values are from {ctx.stat} (paths and sums are means over draws, target values medians over draws)."
        if not ctx.ranged else
        f"Values are from {ctx.ensemble}: tables give the median over the draws and the 5-95 % range (90 % of the "
        "draws lie in it), each total, ratio, change or difference computed in each draw before the percentiles; "
        "P(met) is the share of draws that meet a target, each draw against its own target; path charts are fan "
        "charts; stacked sector charts, the difference bars and the decomposition are means over the draws (means "
        "keep the parts adding up). The base-year calibration is "
        + ("re-fitted in every draw, so the draws agree in 2009 where the inventory is observed."
           if "re-fitted in every draw" in str(a.get("calibration", "")) else
           "not described in the result file.")
        + (" A --package is attributed and costed at the default parameter values (one draw)."
           if ctx.package is not None else ""),
        "Scenarios are projections under stated assumptions, not forecasts; the reference holds the 2009 policies "
        "constant and is therefore not a 'no change' baseline (electric cars still spread, for instance).",
    )
    checksum = ctx.ds["emissions"].attrs.get("checksum") if "emissions" in ctx.ds else None
    prov = [("result file", Path(ctx.source).name + (f" (its emissions: {checksum})" if checksum else "")),
            ("model version of the run", str(a.get("framtid_version", "-"))),
            ("git commit of the run", str(a.get("git_commit", "-"))),
            ("code digest of the run (SHA-256)", str(a.get("code_sha256", "-"))),
            ("seed", str(a.get("seed", "-"))),
            ("draws", str(a.get("draws", "-")))]
    if ctx.ranged:
        prov += [("sampler", str(a.get("sampler", "-"))), ("draws of the ensemble", str(a.get("ensemble_draws", "-"))),
                 ("calibration", str(a.get("calibration", "-")))]
    prov += [("embedded data digest (SHA-256)", str(a.get("embedded_data_sha256", "-"))),
             ("accounting", str(a.get("accounting", "-"))),
             ("GWP set", str(gwp_basis)),
             ("national rule", ctx.rule),
             ("options", "; ".join(f"{k} {v}" for k, v in ctx.options.items() if v is not None) or "-")]
    for sc in ctx.scenarios:
        prov.append((f"scenario files of {sc}", " extends ".join(reversed(descriptions.get(sc, ("", []))[1])) or "-"))
    if ctx.package is not None:
        scenario = ctx.package[0]
        prov.append(("package", f"{ctx.package_source}: " + " extends ".join(
            reversed([Path(p).name for p, _ in scenario.files]))))
        prov.append(("package files (SHA-256 of each)", scenario_files(scenario)))
    prov.append(("report written by", f"framtid {__version__} on {written_on().isoformat()} (UTC)"))
    munis = tuple((m.name, m.id, m.kommunenummer_2020, REGION_NAMES.get(m.region, m.region))
                  for m in municipalities() if m.id in ctx.municipalities)
    blocks = (
        Bullets(reading),
        Table("Municipalities in this report (2020 borders)", ("municipality", "id", "municipality number",
                                                                "city region"), munis),
        Table("Abbreviations", ("abbreviation", "meaning"), ABBREVIATIONS),
        Table("Provenance: what this report was computed from", ("item", "value"), tuple(prov),
              "The scenario files themselves are stored in the result file's attributes; the model's documentation "
              "(docs/model.md of framtid) describes every submodel, parameter and limitation."),
    )
    return Section("method", "How to read this: method and provenance", blocks)
