"""The report's section of emission paths against targets: a line per scenario (with several draws a
fan chart of the draws) for the selection together and for each municipality, with the national-rule
and own emission targets marked in their target years.
"""

from __future__ import annotations

from .. import dims
from .report_content import Chart, Section, Text, area_label, join_names, number
from .report_context import Context, axis, national_picks
from .report_figures import PathPanel, fan, paths_figure, paths_grid


def _paths(ctx: Context, draws: bool = False):
    """Emissions the path charts show [kt CO2e/yr]: (scenario, municipality, year), mean over draws, or
    with ``draws`` (scenario, municipality, year, draw); all sectors, or the non-ETS sources under the
    rule 'non-ets'."""
    from .targets import ETS_SOURCES

    if ctx.rule == "non-ets":
        keep = [s for s in dims.SOURCES if s not in ETS_SOURCES]
        if draws:
            return ctx.kt_draws("emissions_source", over=("source",), select={"source": keep})
        return ctx.kt("emissions_source").sel(source=keep).sum("source")
    return ctx.kt_draws(over=("sector",)) if draws else ctx.kt().sum("sector")


def _panel(ctx: Context, title: str, members: list[str], paths, paths_draws) -> PathPanel:
    """The path panel of ``members`` together: one draw's (mean) lines, or with several draws the median
    and the fan of the members' emissions summed draw by draw."""
    national, own = _path_marks(ctx, members)
    if not ctx.ranged:
        return PathPanel(title, {sc: paths.sel(scenario=sc, municipality=members).sum("municipality").values
                                 if len(members) > 1 else paths.sel(scenario=sc, municipality=members[0]).values
                                 for sc in ctx.scenarios}, national, own)
    lines, bands = {}, {}
    for sc in ctx.scenarios:
        summed = paths_draws.sel(scenario=sc, municipality=members).sum("municipality").transpose("year", "draw")
        lines[sc], bands[sc] = fan(summed.values)
    return PathPanel(title, lines, national, own, bands, _mark_spans(ctx, members))


def _national_label(row: dict) -> str:
    return f"national target {row['target_year']}: {row['target']}"


def _path_marks(ctx: Context, members: list[str]) -> tuple[list, list]:
    """National-rule and own target marks (year, kt, label) for a municipality, or summed for several;
    a value repeated by several scenarios is marked once. With several draws a mark is the median
    target value over the draws."""
    national: dict[tuple, tuple] = {}
    own: dict[tuple, tuple] = {}
    for sc in ctx.scenarios:
        for picked in _national_mark_rows(ctx, sc, members):
            value = sum(r["target_value"] for r in picked)
            national.setdefault((picked[0]["target_year"], round(value, 1)),
                                (picked[0]["target_year"], value, _national_label(picked[0])))
        for r in _own_mark_rows(ctx, sc, members):
            own.setdefault((r["target_year"], round(r["target_value"], 1)),
                           (r["target_year"], r["target_value"], r["target"]))
    return list(national.values()), list(own.values())


def _national_mark_rows(ctx: Context, sc: str, members: list[str]) -> list[list[dict]]:
    """Per national target on the charts' scope, the rows that make its mark for ``members``."""
    scope = "non_ets" if ctx.rule == "non-ets" else "total"
    rows = [r for r in ctx.target_rows if r["scenario"] == sc and r["target_value"] is not None
            and r["group"] == "national" and r["scope"] == scope]
    out = []
    for tid in dict.fromkeys(r["target_id"] for r in rows):
        picked = national_picks(ctx, [r for r in rows if r["target_id"] == tid], members)
        if picked:
            out.append(picked)
    return out


def _own_mark_rows(ctx: Context, sc: str, members: list[str]) -> list[dict]:
    """A municipality's own emission targets (on all sectors, so not under the rule 'non-ets')."""
    if len(members) != 1 or ctx.rule == "non-ets":
        return []
    return [r for r in ctx.target_rows if r["scenario"] == sc and r["target_value"] is not None
            and r["group"] == "own" and r["indicator"] == "emissions" and r["area"] == members[0]]


def _mark_spans(ctx: Context, members: list[str]) -> dict[tuple[int, str], tuple[float, float]]:
    """(year, label) -> the 5-95 % range over draws of each target mark's value (several draws)."""
    spans = {}
    for sc in ctx.scenarios:
        for picked in _national_mark_rows(ctx, sc, members):
            r = picked[0]
            spans.setdefault((r["target_year"], _national_label(r)), (r["target_value_p05"], r["target_value_p95"]))
        for r in _own_mark_rows(ctx, sc, members):
            spans.setdefault((r["target_year"], r["target"]), (r["target_value_p05"], r["target_value_p95"]))
    return spans


def _not_marked(ctx: Context) -> list[str]:
    out = []
    for r in ctx.target_rows:
        if (r["scenario"] == ctx.scenarios[0] and r["group"] == "own" and r["indicator"] == "emissions"
                and r["target_value"] is None and r["area"] in ctx.municipalities):
            out.append(f"{ctx.name(r['area'])}'s {r['target']} by {r['target_year']}")
    return out


def paths_section(ctx: Context) -> Section:
    paths = _paths(ctx)
    paths_draws = _paths(ctx, draws=True) if ctx.ranged else None
    years = ctx.years
    what = "non-ETS emissions" if ctx.rule == "non-ets" else "emissions, all sectors"
    ylabel = axis(ctx)
    total_panel = _panel(ctx, f"{area_label(ctx.municipalities, ctx.names)[0].upper()}"
                              f"{area_label(ctx.municipalities, ctx.names)[1:]}: {what}",
                         ctx.municipalities, paths, paths_draws)
    panels = [_panel(ctx, ctx.name(m), [m], paths, paths_draws) for m in ctx.municipalities]
    colours = ctx.colours
    marks = (f"Open markers: the national targets set against each municipality (rule '{ctx.rule}', see the "
             "summary); " + ("the municipalities' own targets are on all sectors and in the targets tables."
                             if ctx.rule == "non-ets" else "red stars: the municipality's own emission target."))
    non_ets = ("" if ctx.rule == "non-ets" else
               " The national non-ETS target applies to emissions outside the EU ETS and is in the targets "
               "tables, not on these charts.")
    missing = _not_marked(ctx)
    missing_text = (f" Not marked, since their base year lies before 2009 or is not stated: {join_names(missing)}."
                    if missing and ctx.rule != "non-ets" else "")
    label = area_label(ctx.municipalities, ctx.names)
    if len(ctx.municipalities) > 1:
        total_marks = (f"Markers: the national targets set against the municipalities (rule '{ctx.rule}', see the "
                       "summary), summed.")
    else:
        total_marks = marks + missing_text
    if ctx.ranged:
        return _fan_section(ctx, total_panel, panels, label, what, total_marks, marks, non_ets, missing_text)
    return _paths_section(ctx, [
        Text("Each line is a scenario's yearly emissions; each marker a target in its target year. A line below a "
             "marker in the marker's year meets that target."),
        Text(_prediction_text(ctx, label)),
        Chart("paths-total", f"Emission paths of {label}, 2009-2050 [{ylabel}; {what}], one line per scenario. "
                             f"{total_marks}{non_ets}",
              lambda: paths_figure(years, total_panel, colours, ylabel),
              alt=f"Emission paths of {label}")],
        Chart("paths-municipalities", f"Emission paths per municipality, 2009-2050 [{ylabel}; {what}; each panel on "
                                      f"its own scale], one line per scenario. {marks}{non_ets}{missing_text}",
              lambda: paths_grid(years, panels, colours, ylabel, "Emission paths against targets"),
              alt="Emission paths per municipality with targets"))


def _paths_section(ctx: Context, blocks: list, per_municipality: Chart) -> Section:
    """The paths section: ``blocks``, then the chart ``per_municipality`` when there is more than one."""
    if len(ctx.municipalities) > 1:
        blocks.append(per_municipality)
    return Section("paths", "Emission paths against targets", tuple(blocks))


def _fan_section(ctx: Context, total_panel: PathPanel, panels: list[PathPanel], label: str, what: str,
                 total_marks: str, marks: str, non_ets: str, missing_text: str) -> Section:
    """The paths section of a result with several draws: fan charts against the targets."""
    years, colours, ylabel = ctx.years, ctx.colours, axis(ctx)
    fans = (f"per scenario the median over the {ctx.draws} draws (line), the middle half of the draws (25-75 %, "
            "darker band) and 90 % of them (5-95 %, lighter band)")
    spans = " A vertical line through a marker: the target's 5-95 % range over the draws."
    blocks = [
        Text(f"Each line is the median over the {ctx.draws} draws of a scenario's yearly emissions; the darker band "
             "around it holds the middle half of the draws (25-75 %), the lighter one 90 % of them (5-95 %). Each "
             "marker is a target in its target year, at its median over the draws: under the national rule 'share' "
             "a draw's target follows that draw's own 2009 emissions. Where the band lies below a marker in the "
             "marker's year, the target is met in nearly all draws; the share of draws that meet each target, "
             "P(met), is in the summary and the targets tables."),
        Text(_ensemble_paragraph(ctx, label)),
        Text(_prediction_text(ctx, label)),
        Chart("paths-total", f"Fan chart of the emission paths of {label}, 2009-2050 [{ylabel}; {what}]: {fans}; "
                             f"the draws are summed over the municipalities before the percentiles are taken. "
                             f"{total_marks}{spans}{non_ets}",
              lambda: paths_figure(years, total_panel, colours, ylabel),
              alt=f"Fan chart of the emission paths of {label} over {ctx.draws} draws"),
    ]
    return _paths_section(ctx, blocks, Chart(
        "paths-municipalities", f"Fan charts of the emission paths per municipality, 2009-2050 [{ylabel}; {what}; "
                                f"each panel on its own scale]: {fans}. {marks}{spans}{non_ets}{missing_text}",
        lambda: paths_grid(years, panels, colours, ylabel, f"Emission paths against targets, {ctx.draws} draws"),
        alt=f"Fan charts of the emission paths per municipality with targets, {ctx.draws} draws"))


def _prediction_text(ctx: Context, label: str) -> str:
    """How far the municipal inventory may lie from the modelled emissions of the selection: the median and the
    prediction band (5-95 %, the draws' spread and the model's discrepancy, ``uncertainty.discrepancy``) of
    each scenario in 2030 and in the last year."""
    from ..uncertainty import discrepancy
    from .targets import ETS_SOURCES

    if ctx.rule == "non-ets":
        level, variable = "source", "emissions_source"
        names = [s for s in dims.SOURCES if s not in ETS_SOURCES]
    else:
        level, variable, names = "sector", "emissions", list(dims.SECTORS)
    run_years = [int(x) for x in ctx.years]
    years = list(dict.fromkeys(y for y in (2030, run_years[-1]) if y in run_years))
    cells = []
    for y in years:
        variances = discrepancy.log_variances(ctx.ds, level, names, ctx.municipalities, y - dims.BASE_YEAR)  # (M, P)
        # one year of every draw at a time [kt CO2e/yr]: an ensemble's every year would be as large as the file
        values = ctx.ds[variable].sel(municipality=ctx.municipalities, year=y).sel({level: names}).astype(float) / 1e3
        found = []
        for sc in ctx.scenarios:
            v = values.sel(scenario=sc).transpose("draw", "municipality", level).values             # (D, M, P)
            median, low, high = discrepancy.total_band(v, variances)
            found.append(f"{sc} {number(median, 0)} kt ({number(low, 0)}–{number(high, 0)})")
        cells.append(f"in {y} " + ", ".join(found))
    return ("How sure: the municipal inventory will not show exactly what the model does. Beside the spread of the "
            "parameters" + (" (the bands of the charts)" if ctx.ranged else "") + ", the model's discrepancy, how "
            "far the inventory strayed from the model in the hindcast of 2011 and 2013 (most for heating, least for "
            "road traffic) and growing with the years since 2009, and where 2009 is estimated the error of that "
            "estimate (how far the bottom-up 2009 lay from the inventory where it is observed), gives the emissions "
            "of " + label + " a prediction "
            "band (5-95 %): " + "; ".join(cells) + "." + (" The differences between scenarios do not carry it: they "
                                                          "share it." if len(ctx.scenarios) > 1 else ""))


def _ensemble_paragraph(ctx: Context, label: str) -> str:
    """How many draws, how they were drawn, what the calibration does to the band at 2009, and how wide
    the band of the selection is at the start and at the end."""
    from ..draw_statistics import spread

    first = ctx.scenarios[0]
    summed = _paths(ctx, draws=True).sel(scenario=first).sum("municipality")           # (year, draw)
    width = {}
    for y in (int(ctx.years[0]), int(ctx.years[-1])):
        med, lo, hi = spread(summed.sel(year=y).values)
        width[y] = (hi - lo, 100 * (hi - lo) / med if med else float("nan"))
    (y0, (w0, r0)), (y1, (w1, r1)) = width.items()
    calibration = str(ctx.ds.attrs.get("calibration", ""))
    if "re-fitted in every draw" in calibration:
        cal = ("The base-year calibration is re-fitted in every draw (so says the result file), so where the "
               "municipal inventory is observed every draw starts from the observed 2009 emissions and the band is "
               "narrow at 2009; the 2009 values the model estimates where the inventory has no data (see framtid "
               "data MUNICIPALITY) differ between draws, and after 2009 the band widens as the draws' parameters "
               "act.")
    else:
        cal = ("The result file does not say whether the base-year calibration was re-fitted in every draw, so "
               "the width of the band at 2009 is not explained here.")
    return (f"The result holds {ctx.ensemble}: each draw is a run of the model with its own values of the "
            "uncertain parameters (their ranges: framtid list parameters). " + cal +
            f" For {label} in scenario {first}, the 5-95 % range spans {number(w0, 0)} kt CO2e/yr in {y0} "
            f"({number(r0, 1)} % of the median) and {number(w1, 0)} kt CO2e/yr in {y1} ({number(r1, 1)} %).")
