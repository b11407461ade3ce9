"""The report's sections on what the emissions are made of and what changes them: emissions by sector,
each scenario's difference from the first (or, with a package, what its measures do and cost), and
why emissions changed (the LMDI decomposition).
"""

from __future__ import annotations

import re

import numpy as np

from .. import dims
from .attribution_tables import counted, player_names
from .report_content import Bullets, Chart, Section, Table, Text, area_label, join_names, number
from .report_context import Context, axis, unit
from .report_figures import (DECOMPOSITION_SECTORS, MEASURE_COLOURS, SECTOR_LABELS, decomposition_figure,
                             difference_figure, stacked_figure, stacked_grid, wedge_figure)


def sectors_section(ctx: Context) -> Section:
    by_sector = ctx.kt()                                         # (scenario, municipality, sector, year)
    years = ctx.years
    ylabel = axis(ctx)
    together = {f"scenario {sc}": by_sector.sel(scenario=sc).sum("municipality").transpose("sector", "year")
                .sel(sector=list(dims.SECTORS)).values for sc in ctx.scenarios}
    first = ctx.scenarios[0]
    each = {ctx.name(m): by_sector.sel(scenario=first, municipality=m).transpose("sector", "year")
            .sel(sector=list(dims.SECTORS)).values for m in ctx.municipalities}
    label = area_label(ctx.municipalities, ctx.names)
    columns = 2 if len(together) > 1 else 1
    means = (f" Means over the {ctx.draws} draws, so that the sectors add up to the total (the spread of the draws "
             "is in the fan charts above and the table below)." if ctx.ranged else "")
    blocks = [
        Chart("sectors-total", f"Emissions of {label} by inventory sector, stacked, one panel per scenario "
                               f"[{ylabel}], 2009-2050; the black line is the total. Panels share one scale.{means}",
              lambda: stacked_figure(years, together, ylabel, f"Emissions by sector, {label}", columns),
              alt="Emissions by sector per scenario"),
    ]
    if len(ctx.municipalities) > 1:
        blocks.append(Chart(f"sectors-{_file_safe(first)}-municipalities",
                            f"Emissions per municipality by inventory sector in scenario {first}, stacked "
                            f"[{ylabel}], 2009-2050; each panel on its own scale.{means}",
                            lambda: stacked_grid(years, each, ylabel, f"Emissions by sector, scenario {first}"),
                            alt="Emissions by sector per municipality"))
    cols = [(sc, y) for sc in ctx.scenarios for y in ((dims.BASE_YEAR, ctx.year) if sc == first else (ctx.year,))]
    header = ("sector",) + tuple(f"{sc} {y}" for sc, y in cols)
    # summed over the municipalities (and, for the total, the sectors) draw by draw
    summed = ctx.kt_draws(over=("municipality",)) if ctx.ranged else by_sector.sum("municipality")
    rows = []
    for s in dims.SECTORS + ("total",):
        cells = []
        for sc, y in cols:
            v = summed.sel(scenario=sc, year=y)
            cells.append(ctx.cell((v.sum("sector") if s == "total" else v.sel(sector=s)).values))
        rows.append((SECTOR_LABELS.get(s, s),) + tuple(cells))
    note = "Energy supply: waste incineration and district-heating fuels."
    if ctx.ranged:
        note += (f" Medians over the {ctx.draws} draws with the 5-95 % range; the total is summed in each draw, so "
                 "the sectors' medians need not add up to it.")
    blocks.append(Table(f"Emissions of {label} by inventory sector (GWP {ctx.gwp.upper()})", header, tuple(rows),
                        note, (("", 1), (f"[{unit(ctx)}]", len(cols)))))
    return Section("sectors", "Emissions by sector", tuple(blocks))


def _file_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)


def difference_section(ctx: Context) -> Section:
    first = ctx.scenarios[0]
    how = ("To see what each measure of a package does (wedges) and costs (MAC curve), run: framtid report "
           "RESULT.nc --out DIR --package SCENARIO.toml (a scenario file that extends another, or framtid:NAME).")
    if len(ctx.scenarios) < 2:
        return Section("measures", "What the scenarios change", (Text(
            f"The report holds one scenario ({first}), so there is no difference to show. {how}"),))
    by_sector = ctx.kt().sum("municipality")                            # (scenario, sector, year)
    years = ctx.years
    label = area_label(ctx.municipalities, ctx.names)
    diffs = {f"{sc} minus {first}": (by_sector.sel(scenario=sc) - by_sector.sel(scenario=first))
             .transpose("sector", "year").sel(sector=list(dims.SECTORS)).values for sc in ctx.scenarios[1:]}
    shown = sorted({2020, ctx.year, 2050} & set(int(y) for y in years))
    header = ("sector",) + tuple(str(y) for sc in ctx.scenarios[1:] for y in shown)
    groups = (("", 1),) + tuple((f"{sc} minus {first} [{unit(ctx)}]", len(shown)) for sc in ctx.scenarios[1:])
    rows = []
    # differences draw by draw (the scenarios' draws share their parameter values), then percentiles
    paired = ctx.kt_draws(over=("municipality",)) if ctx.ranged else by_sector
    for s in dims.SECTORS + ("total",):
        cells = []
        for sc in ctx.scenarios[1:]:
            d = paired.sel(scenario=sc) - paired.sel(scenario=first)
            for y in shown:
                v = d.sel(year=y)
                cells.append(ctx.cell((v.sum("sector") if s == "total" else v.sel(sector=s)).values, sign=True))
        rows.append((SECTOR_LABELS.get(s, s),) + tuple(cells))
    means = (f" Means over the {ctx.draws} draws, so that the sectors add up to the net difference." if ctx.ranged
             else "")
    note = (f"Medians over the {ctx.draws} draws of the differences taken draw by draw, with the 5-95 % range."
            if ctx.ranged else "")
    blocks = (
        Text(how),
        Chart("differences", f"Each scenario's emissions minus those of {first}, {label}, by inventory sector "
                             f"[{axis(ctx)}], every year 2009-2050: bars below zero are cuts, above zero "
                             f"increases; the black line is the net difference.{means}",
              lambda: difference_figure(years, diffs, axis(ctx), f"Difference from {first} by sector, {label}"),
              alt="Differences from the first scenario by sector"),
        Table(f"Difference from {first} by sector, {label} (negative: lower emissions)", header, tuple(rows), note,
              groups=groups),
    )
    return Section("measures", f"What the scenarios change against {first}", blocks)


def package_section(ctx: Context) -> list[Section]:
    scenario, result, report, base_path = ctx.package
    idx = [dims.MUNICIPALITIES.index(m) for m in ctx.municipalities]
    label = area_label(ctx.municipalities, ctx.names)
    years = np.asarray(dims.YEARS)
    effects = result.yearly[:, :, idx].sum(axis=-1) / 1000.0            # (n, T) kt
    base = base_path[:, idx].sum(axis=-1) / 1000.0
    labels = player_names(result)
    colour_of = [MEASURE_COLOURS[i % len(MEASURE_COLOURS)] for i in range(len(labels))]
    first_start = result.span[0]                                         # the package's first year (from 2010)
    how = "exact Shapley values over all subsets" if result.exact else "Shapley values estimated from sampled orders"
    wedge = Chart("wedges",
                  f"What each measure of {ctx.package_source} does, {label} [{axis(ctx)}]. Left: the solid line "
                  f"is {result.base} without the package, the dashed line with it; each band is a measure's share "
                  f"of the difference in each year ({how}: each measure's effect averaged over every order of "
                  "adding the measures, so the bands add up to the package's effect); bands below the solid line "
                  "are cuts, above it increases. Right: the same bands on their own scale, so that small measures "
                  "show; the dashed line is the package's net effect.",
                  lambda: wedge_figure(years, base, effects, labels, result.base, scenario.name, axis(ctx),
                                       f"What each measure does, {label}", first_start, colour_of),
                  alt="Wedge chart of the package's measures")
    def kt(arr, j):
        return float(arr[j][idx].sum()) / 1000.0

    rows = []
    for i, (kind, lab) in enumerate(result.measures):
        rows.append((lab, kind, number(kt(result.shapley[i], 0), 1, True), number(kt(result.first_in[i], 0), 1, True),
                     number(kt(result.last_in[i], 0), 1, True), number(kt(result.shapley[i], 1), 1, True)))
    # Each column adds up to the package: the Shapley values by themselves, the measures alone with the
    # interaction (so the interaction stands under "alone", not under the Shapley values it is no part of).
    rows.append(("interaction", "", "", number(kt(result.interaction, 0), 1, True), "", ""))
    package = number(kt(result.total, 0), 1, True)
    rows.append(("the package", "", package, package, "", number(kt(result.total, 1), 1, True)))
    span = f"{result.span[0]}-{result.span[1]}"
    attribution_table = Table(
        f"Effect of each measure on the emissions of {label} (negative: a cut)",
        ("measure", "kind", f"Shapley {result.year} [kt CO2e/yr]", f"alone {result.year} [kt CO2e/yr]",
         f"last in {result.year} [kt CO2e/yr]", f"Shapley summed {span} [kt CO2e]"), tuple(rows),
        "Shapley: the measure's effect averaged over every order of adding the measures; alone: the measure "
        "added to the base by itself (first-in); last in: what the package loses without it; interaction: the "
        "package's effect minus the sum of the measures alone (positive when measures cut the same emissions, "
        "negative when one makes another cut more). The Shapley values add up to the package by themselves, the "
        "measures alone with the interaction. The columns read up to the evaluation year: a measure "
        "that starts after it shows nothing here (framtid report --year).")
    from .cost_tables import assumed, mac_chart, measure_note

    position = {id(m): i for i, m in enumerate(report.measures)}           # the package's order, as attributed
    curve_colours = [colour_of[position[id(m)]] for m, *_ in report.mac()]
    mac = Chart("mac", f"Marginal abatement cost (MAC) curve of {ctx.package_source}: one bar per costed measure with "
                       "positive abatement, cheapest first; width: its abatement over "
                       f"{report.year_from}-{report.year_to} in all 13 municipalities [kt CO2e, undiscounted]; height: "
                       "its cost per tonne [real 2009 NOK/t CO2e, present value of the social cost over discounted "
                       f"tonnes at {report.discount_rate:.1%}/yr]; each measure alone on {report.base} (first-in). "
                       "Dashed: the central carbon price for cost-benefit analysis (discounted mean over the window; "
                       "the table's price of each measure is the same path weighted by its own discounted abatement); "
                       "measures below it pay. Above the carbon price the cost axis is logarithmic where the costs "
                       "span orders of magnitude (the axis says so): bar heights there do not compare linearly.",
                lambda: mac_chart(report, f"{scenario.name} on {result.base}", curve_colours),
                alt="Marginal abatement cost curve")
    order = [m for m, *_ in report.mac()]
    on_curve = {id(m) for m in order}
    order += [m for m in report.measures if id(m) not in on_curve]
    crows = []
    for m in order:
        pays = m.pays()
        note = measure_note(m)
        crows.append((f"{m.label} ({note})" if note else m.label, number(np.mean(m.tonnes) / 1000.0),
                      number(m.central_nok_per_t(), 0), number(np.mean(m.carbon_price["central"]), 0),
                      "-" if pays is None else ("yes" if pays else "no"), number(np.mean(m.social) / 1e6, 0),
                      number(np.mean(m.public) / 1e6, 0), number(np.mean(m.users) / 1e6, 0)))
    window = f"{report.year_from}-{report.year_to}"
    cost_table = Table(
        f"Costs of the measures, each alone on {report.base}, {window}, all 13 municipalities (MAC order, cheapest "
        "first)",
        ("measure", f"abatement {window} [kt CO2e]", "cost [NOK/t CO2e]", "carbon price [NOK/t CO2e]",
         "pays at the carbon price", "social cost [MNOK]", "public budget [MNOK]", "users [MNOK]"),
        tuple(crows),
        f"Money in real 2009 NOK, present values in {report.year_from} at {report.discount_rate:.1%}/yr. Cost per "
        "tonne: social cost over discounted tonnes; carbon price: the central path weighted by the measure's "
        "abatement; social cost: resources used plus the cost of public funds on the public's net outlays "
        "(transfers such as revenue and grants cancel); public budget and users: what each pays, transfers included; "
        "negative: a saving or a gain.")
    irows = tuple((m.label, i.name.replace("_", " "), i.flow, i.payer, number(np.mean(i.pv) / 1e6, 1),
                   ", ".join(assumed(i.parameters)) or "-") for m in order for i in m.items)
    item_table = Table("Cost items of each measure (present values)",
                       ("measure", "item", "flow", "payer", "present value [MNOK]", "parameters that are assumptions"),
                       irows, "Flow: resource (a cost to society) or transfer (between payers).")
    left = tuple(f"{m.label}: {text}".replace("(GAP)", "(no cost for it in the model's reference material)")
                 for m in order for text in
                 (m.not_counted if m.costed else ("the whole measure is not costed: " + m.reason,)))
    measures = Section("measures", "What the measures do", (
        Text(f"The package {ctx.package_source} adds {counted(result)} to "
             f"{result.base}: {join_names(labels)}. Its effect is attributed to the measures by "
             f"{how} ({result.n_runs} runs of the model at default parameters)."),
        wedge, attribution_table))
    costs = Section("costs", "What the measures cost", (mac, cost_table, item_table,
                                                       Text("Not counted, and measures not costed:"), Bullets(left)))
    return [measures, costs]


def decomposition_section(ctx: Context) -> Section:
    from . import decomposition as dc

    rows = dc.decompose(ctx.ds, ctx.scenarios, ctx.municipalities, dims.BASE_YEAR, ctx.year, None, ctx.source)
    total_name = "all selected" if len(ctx.municipalities) > 1 else ctx.municipalities[0]
    effects = {sector: {sc: {**{e: r[e] for e in dc.EFFECTS}, "change": r["change"]}
                        for r in rows if r["sector"] == sector and r["municipality"] == total_name
                        for sc in [r["scenario"]]} for sector in dc.SECTORS}
    label = area_label(ctx.municipalities, ctx.names)
    span = f"{dims.BASE_YEAR}-{ctx.year}"
    blocks = [
        Text(f"Why emissions of road transport and buildings changed from {dims.BASE_YEAR} to {ctx.year}: the "
             "change is split into activity (vehicle-km driven, heated floor area), structure (the mix of "
             "vehicles, e.g. battery-electric cars, or of building types), intensity (fuel per vehicle-km, "
             "energy per m2) and fuel (CO2e per unit of fuel or delivered energy: biofuel, oil phased out). "
             "The four effects add up to the change exactly (additive LMDI-I)."),
        Chart("decomposition", f"Change in emissions {span} of {label} split into effects, per sector and scenario "
                               f"[{axis(ctx)}]: bars below zero lowered emissions, above zero raised them; the "
                               "last group is the net change (the sum of the four)."
                               + (f" Means over the {ctx.draws} draws (means keep the effects adding up to the "
                                  "change)." if ctx.ranged else ""),
              lambda: decomposition_figure(effects, ctx.colours, axis(ctx), f"Why emissions changed, {span}"),
              alt="LMDI decomposition bars"),
    ]
    for sector in dc.SECTORS:
        header = ("municipality", f"change {span}", "activity", "structure", "intensity", "fuel")
        for sc in ctx.scenarios:
            body = [r for r in rows if r["sector"] == sector and r["scenario"] == sc]
            table_rows = tuple((label if r["municipality"] == "all selected" else ctx.name(r["municipality"]),
                                number(r["change"], sign=True)) + tuple(number(r[e], sign=True) for e in dc.EFFECTS)
                               for r in body)
            blocks.append(Table(f"{DECOMPOSITION_SECTORS[sector].capitalize()}, scenario {sc}: the change {span} "
                                "and its effects", header, table_rows,
                                f"Means over the {ctx.draws} draws." if ctx.ranged else "",
                                groups=(("", 1), ("[kt CO2e/yr]", 5))))
    return Section("decomposition", "Why emissions changed", tuple(blocks))
