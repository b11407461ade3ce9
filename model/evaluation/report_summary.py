"""The report's summary section: the scenarios, their emission totals, the national targets for the
selection together, which municipalities meet them, and the municipalities' own targets; with several
draws, medians with their 5-95 % ranges and the share of draws that meet each target.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import dims
from .attribution_tables import counted
from .report_content import Bullets, Section, Table, Text, area_label, join_names, number, percent_change, unit_label
from .report_context import (Context, in_each_scenario, national_ids, national_picks, national_title,
                             rows_for, scenario_descriptions, unit)

SUMMARY_YEARS = (2009, 2020, 2030, 2050)



# [yr] The last year whose municipal inventory is published by 2026 (assumption: the agency publishes a year's
# inventory about a year and a half after it): targets of that year and earlier are hindcasts.
INVENTORY_PUBLISHED_TO = 2024

def _inventory_chance(row: dict) -> str:
    """`` (P(inv) 0.54)``: the chance that the inventory shows an emission target met, where the row has it."""
    from .target_tables import inventory_chance

    p = row.get("p_met_inventory")
    return "" if p is None else f" (P(inv) {inventory_chance(p)})"


def estimated_2009(ctx) -> list[tuple[str, float]]:
    """The report's municipalities whose 2009 emissions are more than 5 % the model's estimate (no inventory
    value by sector), with that share [1] (the first scenario, the mean over draws): ``base_year_status``."""
    from ..uncertainty.discrepancy import estimated_shares

    ds = ctx.ds
    if "base_year_status" not in ds or "emissions_source" not in ds:
        return []
    sources = [str(s) for s in ds["base_year_status"]["source"].values]
    estimated = estimated_shares(ds, "source", sources, ctx.municipalities)                    # (M, S): 1 or 0
    values = (ds["emissions_source"].sel(scenario=ctx.scenarios[0], year=dims.BASE_YEAR, source=sources,
                                         municipality=ctx.municipalities).mean("draw")
              .transpose("municipality", "source").values)
    totals = values.sum(axis=1)
    shares = np.divide((values * estimated).sum(axis=1), totals, out=np.zeros_like(totals), where=totals > 0)
    return [(m, float(share)) for m, share in zip(ctx.municipalities, shares) if share > 0.05]

def _summary_years(ctx: Context) -> list[int]:
    have = set(int(y) for y in ctx.years)
    return sorted((set(SUMMARY_YEARS) | {ctx.year}) & have)


def _together_target(ctx: Context, sc: str, target_id: str) -> tuple[float, float, int | None] | None:
    """(target, modelled, first year met or None) of a national target for the selection together."""
    rows = [r for r in rows_for(ctx, sc, group="national", target_id=target_id) if r["target_value"] is not None]
    if not rows:
        return None
    if ctx.municipalities == list(dims.MUNICIPALITIES):
        r = next(r for r in rows if r["level"] == "all")
        return r["target_value"], r["modelled_value"], r["first_year_met"]
    picked = [r for r in rows if r["level"] == "municipality" and r["area"] in ctx.municipalities]
    return sum(r["target_value"] for r in picked), sum(r["modelled_value"] for r in picked), None


CHANCES_NOTE = ("P(met): the share of draws at or below their own target value in the target year (a target set "
                "against a base year's emissions is set on each draw's own); modelled values are medians over the "
                "draws with their 5-95 % range; target values are medians over the draws.")


def _chances(r: dict, digits: int, last_year: int) -> str:
    """A target row of several draws as a cell: P(met), the modelled median and range against the target
    (``digits`` decimals; 1 means as many as the values need, :func:`draw_statistics.range_digits`), and when
    most draws miss it in its year, the first year by which half of them meet it or else the share of
    draws that meet it by ``last_year``."""
    from ..draw_statistics import range_cell, range_digits

    d = range_digits(r["modelled_value"], r["target_value"]) if digits == 1 else digits
    modelled = range_cell(r["modelled_value"], r["modelled_p05"], r["modelled_p95"], d)
    text = f"P(met) {r['p_met']:.2f}: {modelled} against {number(r['target_value'], d)}"
    if not r["met_in_target_year"]:
        text += (f"; half of the draws meet it by {r['first_year_met']}" if r["first_year_met"] else
                 f"; P(met by {last_year}) {r['p_ever_met']:.2f}")
    return text


def _ranged_total_rows(ctx: Context, years: list[int]) -> list[tuple]:
    """The summary's emission rows with several draws: per scenario the total of the selection in each
    year, its change from 2009 to the evaluation year and its difference from the first scenario, each
    computed draw by draw (the scenarios' draws share their parameter values), then median and range."""
    from ..draw_statistics import range_cell, spread

    totals = ctx.kt_draws(over=("municipality", "sector"))                   # (scenario, year, draw)
    first = ctx.scenarios[0]
    rows = []
    for sc in ctx.scenarios:
        s = totals.sel(scenario=sc)
        base, end = s.sel(year=dims.BASE_YEAR).values, s.sel(year=ctx.year).values
        change = "-" if not np.all(base) else range_cell(*spread((end / base - 1.0) * 100), 0, True, " %")
        row = (sc,) + tuple(ctx.cell(s.sel(year=y).values) for y in years) + (change,)
        if len(ctx.scenarios) > 1:
            row += (ctx.cell(end - totals.sel(scenario=first, year=ctx.year).values, sign=True),)
        rows.append(row)
    return rows


def _ranged_note(ctx: Context, first: str) -> str:
    text = (f"Medians over the {ctx.ensemble}, with the 5-95 % range in brackets; totals, changes and differences "
            "are computed in each draw before the percentiles are taken.")
    if len(ctx.scenarios) > 1:
        text += f" The last column is the scenario's emissions minus those of {first}, draw by draw."
    return text


def summary_section(ctx: Context) -> Section:
    descriptions = scenario_descriptions(ctx.ds)
    totals = ctx.kt().sum(["municipality", "sector"])
    years = _summary_years(ctx)
    first = ctx.scenarios[0]
    blocks: list = []
    lines = []
    for sc in ctx.scenarios:
        description = descriptions.get(sc, ("", []))[0]
        lines.append(f"{sc}: {description}" if description else sc)
    blocks.append(Text(f"This report compares {len(ctx.scenarios)} scenario{'s' if len(ctx.scenarios) > 1 else ''} "
                       f"of {Path(ctx.source).name} for {area_label(ctx.municipalities, ctx.names)}"
                       + (f" ({', '.join(ctx.name(m) for m in ctx.municipalities)})" if len(ctx.municipalities) > 1
                          else "") + f"; the evaluation year is "
                       f"{ctx.year}. Emissions are territorial, in kt CO2e per year (thousand tonnes of CO2 "
                       f"equivalents) weighted with the GWP set {ctx.gwp.upper()}; the first scenario is the one "
                       f"the others are compared with."))
    blocks.append(Bullets(tuple(lines)))
    estimated = estimated_2009(ctx)
    if estimated:
        blocks.append(Text(
            "Where the municipal inventory has no data by sector for 2009, the 2009 emissions are the model's own "
            "estimate from its drivers, not an observation, and every target set against 2009 rests on it: "
            + ", ".join(f"{ctx.name(m)} {share * 100:.0f} %" for m, share in estimated)
            + " of 2009 estimated. `framtid data ID` says how each source was estimated; `framtid summary --band "
              "prediction` gives the range the inventory may show."))
    if ctx.ranged:
        blocks.append(Text(f"The result holds {ctx.ensemble}, each a run with its own values of the uncertain "
                           "parameters. Values are medians over the draws with the 5-95 % range in brackets (90 % of "
                           "the draws lie in it); totals, changes and differences are computed in each draw before "
                           "the percentiles are taken. P(met) is the share of draws that meet a target. The emission "
                           "paths below are fan charts of the draws."))
    if ctx.package is not None:
        scenario, result, report, base_path = ctx.package
        idx = [dims.MUNICIPALITIES.index(m) for m in ctx.municipalities]
        effect = float(result.total[0][idx].sum()) / 1000.0
        before = float(base_path[ctx.year - dims.BASE_YEAR, idx].sum()) / 1000.0
        here = set(ctx.municipalities)
        pays = [m.label + ("" if here & set(m.municipalities) else
                           f" (not in {area_label(ctx.municipalities, ctx.names)})")
                for m in report.measures if m.pays()]
        own = {m for measure in scenario.own for m in measure.municipalities}
        elsewhere = "" if here & own or not own else (
            f" Its measures act in {join_names([ctx.names[m] for m in sorted(own, key=dims.MUNICIPALITIES.index)])}, "
            f"not in {area_label(ctx.municipalities, ctx.names)}: what moves there is their spill-over.")
        later = ""
        if result.yearly_total is not None:
            last = int(dims.YEARS[-1])
            in_last = float(result.yearly_total[last - dims.BASE_YEAR, idx].sum()) / 1000.0
            over = float(result.yearly_total[ctx.year - dims.BASE_YEAR:, idx].sum()) / 1000.0
            later = (f" In {last} it changes them by {number(in_last, sign=True)} kt CO2e/yr, and "
                     f"{number(over, sign=True)} kt CO2e over {ctx.year}-{last}.")
        blocks.append(Text(
            f"The package {ctx.package_source} adds {counted(result)} to {result.base}. In {ctx.year} "
            f"it changes the emissions of {area_label(ctx.municipalities, ctx.names)} by {number(effect, sign=True)} "
            f"kt CO2e/yr ({percent_change(before + effect, before)} against {result.base}"
            + ("; at the default parameter values, not over the draws, like the package's attribution and costs"
               if ctx.ranged else "")
            + ")." + elsewhere + later + " "
            + (f"Costing at most the carbon price (each costed over the municipalities it acts in): "
               f"{join_names(pays)}." if pays else "No measure of it costs at most the carbon price.")))
    header = ("scenario",) + tuple(str(y) for y in years) + (f"change 2009-{ctx.year} [%]",)
    groups = (("", 1), (f"[{unit(ctx)}]", len(years)), ("", 1))
    if len(ctx.scenarios) > 1:
        header += (f"minus {first}, {ctx.year} [{unit(ctx)}]",)
        groups += (("", 1),)
    rows = []
    for sc in ctx.scenarios:
        s = totals.sel(scenario=sc)
        values = [float(s.sel(year=y)) for y in years]
        row = (sc,) + tuple(number(v) for v in values) + (
            percent_change(float(s.sel(year=ctx.year)), float(s.sel(year=dims.BASE_YEAR))),)
        if len(ctx.scenarios) > 1:
            row += (number(float(s.sel(year=ctx.year)) - float(totals.sel(scenario=first, year=ctx.year)), sign=True),)
        rows.append(row)
    note = (f"Values of {ctx.stat}; the last column is the scenario's emissions minus those of {first}."
            if len(ctx.scenarios) > 1 else f"Values of {ctx.stat}.")
    if ctx.ranged:
        rows, note = _ranged_total_rows(ctx, years), _ranged_note(ctx, first)
    blocks.append(Table(f"Emissions of {area_label(ctx.municipalities, ctx.names)}, all sectors "
                        f"(GWP {ctx.gwp.upper()})", header, tuple(rows), note, groups))
    # the national targets for the selection together
    ids = national_ids(ctx)
    from .targets import RULE_TEXT

    trows = []
    for tid in ids:
        cells = []
        for sc in ctx.scenarios:
            if ctx.ranged:
                together = national_picks(ctx, [r for r in rows_for(ctx, sc, group="national", target_id=tid)
                                                 if r["target_value"] is not None], ctx.municipalities)
                cells.append(_chances(together[0], 1, int(ctx.years[-1])) if together else "-")
                continue
            got = _together_target(ctx, sc, tid)
            if got is None:
                cells.append("-")
                continue
            target, modelled, first_met = got
            if modelled <= target:
                cells.append(f"met: {number(modelled)} against {number(target)}")
            else:
                when = f"; first met in {first_met}" if first_met else ""
                cells.append(f"not met: {number(modelled)} against {number(target)}{when}")
        trows.append((national_title(ctx, tid),) + tuple(cells))
    scope = "non-ETS emissions" if ctx.rule == "non-ets" else "emissions"
    note = f"National targets are set against the municipalities by the {RULE_TEXT[ctx.rule]}."
    past = sorted({r["target_year"] for r in ctx.target_rows if r["target_year"] <= INVENTORY_PUBLISHED_TO})
    if past:
        note += (f" Targets of {', '.join(str(y) for y in past)} are of years whose inventory is published: the "
                 "model's values there are a hindcast; set the inventory beside them (`framtid hindcast`).")
    if ctx.ranged:
        note += " " + CHANCES_NOTE
    blocks.append(Table(f"National targets for {area_label(ctx.municipalities, ctx.names)} in their target year: "
                        f"modelled against target {scope} [{unit(ctx)}]",
                        ("target",) + tuple(f"scenario {sc}" for sc in ctx.scenarios), tuple(trows), note))
    # which municipalities meet each national target in its year
    mrows = []
    for tid in ids:
        cells = []
        for sc in ctx.scenarios:
            rows = [r for r in rows_for(ctx, sc, group="national", target_id=tid, level="municipality")
                    if r["area"] in ctx.municipalities and r["target_value"] is not None]
            met = [ctx.name(r["area"]) + (f" ({r['p_met']:.2f})" if ctx.ranged else _inventory_chance(r))
                   for r in rows if r["met_in_target_year"]]
            cells.append(f"{len(met)} of {len(rows)}" + (f": {', '.join(met)}" if met else ""))
        mrows.append((national_title(ctx, tid),) + tuple(cells))
    if len(ctx.municipalities) > 1 and not ctx.ranged:
        blocks.append(Table("Municipalities that meet each national target in its target year in this run, with "
                            "P(inv), the chance that the municipal inventory shows it met (the model's discrepancy "
                            "about the modelled value)",
                            ("target",) + tuple(f"scenario {sc}" for sc in ctx.scenarios), tuple(mrows)))
    elif len(ctx.municipalities) > 1:
        blocks.append(Table("Municipalities that meet each national target in its target year in at least half of "
                            "the draws, with P(met), the share of draws that meet it",
                            ("target",) + tuple(f"scenario {sc}" for sc in ctx.scenarios), tuple(mrows)))
    # own targets
    own = [r for r in ctx.target_rows if r["scenario"] == first and r["group"] == "own"
           and r["target_value"] is not None and r["area"] in ctx.municipalities]
    if own:
        orows = []
        for r0 in own:
            cells = []
            for r in in_each_scenario(ctx, r0):
                d = 3 if r["unit"].startswith("index") else 1
                if ctx.ranged:
                    cells.append(_chances(r, d, int(ctx.years[-1])))
                    continue
                verdict = "met" if r["met_in_target_year"] else "not met"
                cells.append(f"{verdict}{_inventory_chance(r)}: {number(r['modelled_value'], d)} against "
                             f"{number(r['target_value'], d)}")
            orows.append((ctx.name(r0["area"]), f"{r0['target']} by {r0['target_year']}", unit_label(r0["unit"]))
                         + tuple(cells))
        note = ("Emission targets in kt CO2e/yr of all sectors; car-traffic targets as residents' car vehicle-km, "
                "index base year = 1.")
        blocks.append(Table("The municipalities' own targets in their target year: modelled against target",
                            ("municipality", "target", "unit") + tuple(f"scenario {sc}" for sc in ctx.scenarios),
                            tuple(orows), note + (" " + CHANCES_NOTE if ctx.ranged else "")))
    return Section("summary", "Summary", tuple(blocks))

