"""The tables of ``framtid targets``: the rows of :func:`targets.assess` as one tidy table (CSV, JSON) or as
sections per scenario and target for the terminal, with the medians, ranges and P(met) of several draws.
"""

from __future__ import annotations

from .. import dims
from .target_data import load_targets
from .targets import RULE_TEXT

TIDY = ("scenario", "group", "level", "area", "target_id", "target", "indicator", "scope", "rule", "base_year",
        "base_value", "target_year", "target_value", "target_value_strict", "modelled_value", "gap",
        "gap_pct_of_base", "met_in_target_year", "p_met_inventory", "first_year_met", "from_year",
        "annual_cut_needed_pct", "unit", "statistic", "note", "confidence", "source")
# With several draws: each median beside its 5-95 % range, and the shares of draws that meet the target.
TIDY_RANGED = ("scenario", "group", "level", "area", "target_id", "target", "indicator", "scope", "rule",
               "base_year", "base_value", "target_year", "target_value", "target_value_p05", "target_value_p95",
               "target_value_strict", "modelled_value", "modelled_p05", "modelled_p95", "gap", "gap_p05", "gap_p95",
               "gap_pct_of_base", "p_met", "p_met_inventory", "met_in_target_year", "first_year_met", "p_ever_met",
               "from_year", "annual_cut_needed_pct", "unit", "statistic", "draws", "sampler", "note", "confidence",
               "source")
NUMBERS = ("target", "modelled", "gap", "gap_%", "P(inv)", "first_met", "from", "cut_%/yr")
NUMBERS_RANGED = ("target", "modelled", "gap", "P(met)", "P(inv)", "first_met", "P(ever)", "cut_%/yr")


def inventory_chance(x: float | None) -> str:
    """P(inv) as printed: a chance from a normal distribution is never quite 0 or 1, so what rounds to them
    prints as <0.01 and >0.99 (a share of draws, P(met), can be 0 or 1 and prints as it is)."""
    if x is None:
        return "-"
    return "<0.01" if x < 0.005 else ">0.99" if x > 0.995 else f"{x:.2f}"


def _fmt(x, digits: int) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def _area(r: dict) -> str:
    return {"municipality": r["area"], "region": f"region {r['area']}",
            "selection": "together: " + r["area"].replace(",", ", ")}.get(r["level"], r["area"])


def _numbers(r: dict, last_year: int) -> tuple:
    """The numeric cells of a row (or dashes and the reason when it was not evaluated), and a note."""
    if r["target_value"] is None:
        return ("-",) * len(NUMBERS) + (r["note"],)
    d = 3 if r["unit"].startswith("index") else 1
    met = r["first_year_met"] if r["first_year_met"] is not None else f"not by {last_year}"
    pct = "-" if r["gap_pct_of_base"] is None else f"{r['gap_pct_of_base']:+.1f}"
    cut = "-" if r["annual_cut_needed_pct"] is None else f"{r['annual_cut_needed_pct']:.1f}"
    return (_fmt(r["target_value"], d), _fmt(r["modelled_value"], d), f"{r['gap']:+,.{d}f}", pct,
            inventory_chance(r["p_met_inventory"]), met,
            r["from_year"] if r["from_year"] is not None else "-", cut, "")


def _numbers_ranged(r: dict, last_year: int) -> tuple:
    """As :func:`_numbers` for several draws: medians, the gap with its 5-95 % range, P(met) in the
    target year, the median first year met and P(ever met) by ``last_year``."""
    from ..draw_statistics import range_cell

    if r["target_value"] is None:
        return ("-",) * len(NUMBERS_RANGED) + (r["note"],)
    d = 3 if r["unit"].startswith("index") else 1
    met = r["first_year_met"] if r["first_year_met"] is not None else f"not by {last_year}"
    cut = "-" if r["annual_cut_needed_pct"] is None else f"{r['annual_cut_needed_pct']:.1f}"
    # an index keeps its three decimals; kt as many as the range needs (none from 100 on), to stay narrow
    gap_cell = range_cell(r["gap"], r["gap_p05"], r["gap_p95"], d if d == 3 else None, sign=True)
    return (_fmt(r["target_value"], d), _fmt(r["modelled_value"], d), gap_cell, f"{r['p_met']:.2f}",
            inventory_chance(r["p_met_inventory"]), met,
            f"{r['p_ever_met']:.2f}", cut, "")


def _section(key: str, title: str, header: tuple, table: list[tuple]):
    """A section, with a note column only where some row was not evaluated."""
    if any(t[-1] for t in table):
        return key, title, header + ("note",), table
    return key, title, header, [t[:-1] for t in table]


INVENTORY = ("P(inv): the chance that the municipal inventory shows an emission target met in its year, the "
             "modelled value with the model's discrepancy about it (data/discrepancy.csv: how far the inventory "
             "strayed from the model in the hindcast of 2011 and 2013, growing with the years since 2009; the "
             "targets are set against the modelled 2009, so the error of an estimated 2009 moves target and path "
             "together and is left out: exactly so only where the estimated sources change as the total does; "
             "where they fall faster or slower, the gap carries part of it, which P(inv) does not show)")
LEGEND = ("gap = modelled - target in the target year (gap_% of the base-year value, 2009 for national targets); "
          f"{INVENTORY}; first_met: the year from which the value stays at or below the target through the target year "
          "(where the target year misses it, the first year from the target year on at or below it: a dip below it "
          "that is gone again does not count); cut_%/yr: average "
          "annual cut needed from 'from' (default 2026, or the year before an earlier target year) to the target year "
          "(negative: room to grow)")
LEGEND_RANGED = ("each draw is set against its own target (under the share rule the target follows the draw's 2009 "
                 "emissions). target, modelled: medians over the draws; gap = modelled - target in the target year, "
                 "the median of the draws' gaps and their 5-95 % range; P(met): share of draws at or below their "
                 f"target in the target year; {INVENTORY}, in each draw; first_met: the first year by which half of "
                 "the draws have met their target so (each draw from the year it stays at or below it through the "
                 "target year; missing it in the target year, from the first year after at or below it: a dip that "
                 "is gone again does not count); P(ever): share "
                 "of draws that meet it so in some year up to the last; cut_%/yr: median of the draws' average "
                 "annual cut needed "
                 "from 2026 (the year before the target year where that is earlier), or --from (negative: room to "
                 "grow); --format csv/json add "
                 "the 5-95 % ranges of the target and modelled values")


def tidy(rows: list[dict]) -> tuple[tuple[str, ...], list[tuple]]:
    """One tidy table (header, rows) of every row and column, for CSV and JSON; with several draws
    also the ranges, P(met), P(ever met), the number of draws and the sampler (:data:`TIDY_RANGED`)."""
    columns = TIDY_RANGED if _ranged(rows) else TIDY
    return columns, [tuple(r[c] for c in columns) for r in rows]


def _ranged(rows: list[dict]) -> bool:
    return any((r.get("draws") or 1) > 1 for r in rows)


def sections(rows: list[dict], gwp: str = "", rule: str = "share", last_year: int = dims.FINAL_YEAR,
             ensemble: str = ""):
    """Sections (key, title, header, rows) for :func:`catalogue.render_sections`: per scenario a table for
    each national target, one of the municipalities' own targets and one of the zero-growth goal. Rows
    of several draws get the columns of :data:`NUMBERS_RANGED` and a header line that says how many
    draws and how they were drawn (``ensemble``, e.g. ``32 draws, sampler lhs``)."""
    targets = {t.id: t for t in load_targets()}
    ranged = _ranged(rows)
    numbers, columns = (_numbers_ranged, NUMBERS_RANGED) if ranged else (_numbers, NUMBERS)
    out = []
    for scenario in dict.fromkeys(r["scenario"] for r in rows):
        mine = [r for r in rows if r["scenario"] == scenario]
        stat = mine[0]["statistic"] if mine else ""
        for target_id in dict.fromkeys(r["target_id"] for r in mine if r["group"] == "national"):
            body = [r for r in mine if r["target_id"] == target_id]
            t, first = targets[target_id], body[0]
            title = (f"Scenario {scenario}: {t.label}; set against the municipalities as {first['target']} "
                     f"(rule {rule}, {first['scope']} emissions) [kt CO2e/yr in {t.target_year}, GWP {gwp}; {stat}]")
            out.append(_section(f"{scenario}-{target_id}", title, ("area",) + columns,
                                [(_area(r),) + numbers(r, last_year) for r in body]))
        for indicator, what in (("emissions", f"emission targets [kt CO2e/yr of all sectors, GWP {gwp}; {stat}]"),
                                ("car_traffic", "car-traffic targets [residents' car vehicle-km, index base year = 1; "
                                                f"{stat}]")):
            body = [r for r in mine if r["group"] == "own" and r["indicator"] == indicator]
            done = [r for r in body if r["target_value"] is not None]
            title = f"Scenario {scenario}: the municipalities' own {what}"
            for r in body:
                if r["target_value"] is None:
                    title += f"\n  {r['area']} {r['target']} by {r['target_year']}: {r['note']}"
            if body:   # (also when none could be evaluated: the title says which targets there are and why not)
                out.append(_section(f"{scenario}-own-{indicator}", title, ("area", "target", "year") + columns,
                                    [(r["area"], r["target"].removeprefix(indicator.replace("_", " ") + " "),
                                      r["target_year"]) + numbers(r, last_year) for r in done]))
        body = [r for r in mine if r["group"] == "zero_growth"]
        if body:
            title = (f"Scenario {scenario}: zero-growth goal for passenger-car traffic, {body[0]['target']} "
                     f"[residents' car vehicle-km of the region, index; met when at most 1; {stat}]")
            out.append(_section(f"{scenario}-zero-growth", title, ("region", "year") + columns,
                                [(r["area"], r["target_year"]) + numbers(r, last_year) for r in body]))
    if out:
        key, title, header, body = out[0]
        legend = LEGEND
        if ranged:
            legend = f"{ensemble or str(rows[0]['draws']) + ' draws'}: {LEGEND_RANGED}"
        out[0] = (key, f"National targets: {RULE_TEXT[rule]}.\n{legend}\n\n{title}", header, body)
    return out


def table_text(ds, rows: list[dict], rule: str = "share", width: int | None = None) -> str:
    """The text tables of ``rows`` assessed on the result ``ds`` (:func:`sections`, fitted to ``width``
    columns), after the line that says a result of one sampled draw is one run: what ``framtid targets``
    prints."""
    from .. import draw_statistics
    from ..catalogue import render_sections

    head = f"{draw_statistics.one_run_text(ds)}.\n\n" if draw_statistics.sampled_once(ds) else ""
    parts = sections(rows, ds["emissions"].attrs.get("gwp", ""), rule, int(ds["year"].values[-1]),
                     draw_statistics.ensemble_text(ds))
    return head + render_sections(parts, "table", width).lstrip("\n")
