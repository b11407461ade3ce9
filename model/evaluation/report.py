"""A report of a result for readers without the tool (``framtid report``): one self-contained HTML page,
the same content as Markdown, and the figures as PNG files.

The report is built in three steps, each usable on its own:

1. :func:`build` computes the content from a result Dataset (and, with a package, from the runs of its
   attribution and costs) as data: a :class:`Report` of :class:`Section` s, each a list of blocks
   (:class:`Text`, :class:`Bullets`, :class:`Table`, :class:`Chart`). Tables hold formatted cells
   with the unit in every numeric column's header; charts hold a function that draws a matplotlib
   Figure and a caption that says what it shows.
2. :func:`render_pngs` draws the charts; :func:`render_html` and :func:`render_markdown` turn the
   sections into documents. The HTML has its CSS inline and the figures embedded as base64 PNG data
   URIs, so it needs no other file, no network and no JavaScript; the Markdown links the PNGs in
   ``figures/``.
3. :func:`write` writes ``report.html``, ``report.md`` and ``figures/*.png`` into a hidden temporary
   folder beside the target and renames it into place when everything is written: an interrupted
   report leaves nothing, and an existing folder is replaced only with ``force`` (and only when it
   holds what a report writes).

Content, in the order a planner reads it: a summary (scenarios, totals, targets met and not met);
emission paths against the targets per municipality; emissions by sector; what the measures of a
package do (Shapley wedges, ``attribution.py``) and cost (MAC curve, ``costs.py``), or without a
package each scenario's difference from the first by sector; why emissions changed (LMDI,
``decomposition.py``); indicators and co-benefits (``indicators.py``); the targets in detail
(``targets.py``); how to read the report, method and provenance.

Emissions are territorial, in kt CO2e/yr of the run's GWP set.

**Several draws** (a sampled ensemble): the path charts become fan charts (the median over draws, the
25-75 % and 5-95 % bands) against the targets; tables give the median and the 5-95 % range of each
value, every total, ratio, change or difference computed draw by draw before the percentiles; target
tables give P(met), the share of draws that meet a target (each draw against its own target, as in
``framtid targets``); a paragraph says how many draws, which sampler, and what the calibration,
re-fitted in every draw, does to the band at 2009. Stacked sector charts, difference bars and the
decomposition stay means over draws, which keep their parts adding up. A single draw reports as
before.
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import numpy as np

from .. import dims
from ..errors import ResultExistsError, ResultFileError, UsageError
from .report_figures import (DECOMPOSITION_SECTORS, MEASURE_COLOURS, SECTOR_LABELS, PathPanel,
                             decomposition_figure, difference_figure, fan, mac_figure, paths_figure, paths_grid,
                             stacked_figure, stacked_grid, wedge_figure)
from .report_figures import wedge_bands  # noqa: F401  (part of the report's interface)

HTML_NAME = "report.html"
MARKDOWN_NAME = "report.md"
FIGURE_FOLDER = "figures"
REPORT_ENTRIES = (HTML_NAME, MARKDOWN_NAME, FIGURE_FOLDER)
DPI = 100
SUMMARY_YEARS = (2009, 2020, 2030, 2050)
SELECTION = "selection"                  # level of the target rows of a --municipality selection together
P_MET = "P(met) [share of draws]"        # header of the share of draws that meet a target

SCENARIO_COLOURS = ("#333333", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
                    "#17becf", "#bcbd22")
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


# ---------------------------------------------------------------- the report as data

@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of formatted cells; ``caption`` says what it shows, numeric headers carry their unit.

    ``groups`` optionally names runs of columns: (label, number of columns) pairs covering every
    column, e.g. a scenario over its columns or ``[kt CO2e/yr]`` over the columns in that unit. The
    renderers fold a group into each of its columns' headers (:meth:`flat_header`): a unit (a label in
    brackets) after the column's name, another label before it."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""
    groups: tuple[tuple[str, int], ...] = ()

    def flat_header(self) -> tuple[str, ...]:
        """The header with each column's group folded in (for Markdown)."""
        out, i = [], 0
        for label, span in self.groups or (("", len(self.header)),):
            for h in self.header[i:i + span]:
                out.append(h if not label else f"{h} {label}" if label.startswith("[") else f"{label} {h}")
            i += span
        return tuple(out)


@dataclass(frozen=True)
class Chart:
    """A figure: ``draw()`` returns a matplotlib Figure; the PNG is ``figures/<name>.png``."""

    name: str
    caption: str
    draw: Callable = field(compare=False)
    alt: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    blocks: tuple


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    sections: tuple[Section, ...]

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]


# ---------------------------------------------------------------- small pure helpers

def municipality_names() -> dict[str, str]:
    """id -> name of the 13 municipalities (e.g. ``baerum`` -> ``Bærum``)."""
    from ..data_store import municipalities

    return {m.id: m.name for m in municipalities()}


def number(x, digits: int = 1, sign: bool = False) -> str:
    """A number for a table: thousands separated by commas, a sign if asked (none on zero), ``-`` when
    undefined."""
    if x is None:
        return "-"
    x = float(x)
    if not np.isfinite(x):
        return "-"
    text = f"{x:{'+' if sign else ''},.{digits}f}"
    return text.lstrip("+-") if re.fullmatch(r"[+-]?0(\.0*)?", text) else text


def smart(x, unit: str = "") -> str:
    """A value of any size with about three significant digits (indicators); shares (unit 1) with
    three decimals."""
    from .indicators import fmt_value

    if unit == "1" and x is not None and np.isfinite(x):
        return f"{x:.3f}"
    return fmt_value(x)


def percent_change(new: float, old: float) -> str:
    """(new / old - 1) in % with sign, ``-`` when old is zero."""
    return f"{(new / old - 1.0) * 100:+.0f} %" if old else "-"


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def area_label(municipalities: list[str], names: dict[str, str]) -> str:
    """How the selected municipalities together are called: 'the 13 together', 'Oslo and Bærum together'."""
    if list(municipalities) == list(dims.MUNICIPALITIES):
        return "the 13 together"
    if len(municipalities) == 1:
        return names[municipalities[0]]
    if len(municipalities) > 4:
        return f"the {len(municipalities)} selected together"
    return join_names([names[m] for m in municipalities]) + " together"


def indicator_label(name: str) -> str:
    """An indicator's name as a reader reads it: ``nox_road_exhaust`` -> ``NOx road exhaust``."""
    text = name.replace("_", " ")
    for word, shown in (("nox", "NOx"), ("pm10", "PM10"), ("heat", "HEAT"), ("20yr", "20-year"),
                        ("100yr", "100-year"), ("vkm", "vehicle-km")):
        text = re.sub(rf"\b{word}\b", shown, text)
    return text[0].upper() + text[1:]


def unit_label(unit: str, name: str = "") -> str:
    """A unit as a reader reads it: dimensionless shares and indices said so."""
    if unit == "1":
        return "index" if name.endswith("index") else "share"
    return unit


# ---------------------------------------------------------------- checks before any work

def check_out(out, force: bool = False) -> Path:
    """The report folder named by ``--out``: refuse an empty name, a file, a name the file system cannot
    hold, an existing folder without ``force``, and with ``force`` a folder holding anything a report
    does not write (so ``--force`` never deletes other files)."""
    from ..result_file import check_name

    if out is None or not str(out).strip():
        raise UsageError("--out: give the folder to write the report into (it holds report.html, report.md "
                         "and figures/)")
    path = Path(out)
    check_name(path)
    if path.exists() or path.is_symlink():
        if path.is_symlink() or not path.is_dir():
            raise ResultFileError(f"--out {path}: is a file or a link, not a folder; give the name of a new folder")
        if not force:
            raise ResultExistsError(f"{path}: exists already; choose another --out or pass --force to replace it; "
                                    "nothing was written")
        strays = [p.name for p in sorted(path.iterdir()) if p.name not in REPORT_ENTRIES]
        figures = path / FIGURE_FOLDER
        if figures.is_dir():
            strays += [f"{FIGURE_FOLDER}/{p.name}" for p in sorted(figures.iterdir()) if p.suffix != ".png"]
        if strays:
            raise ResultFileError(f"--out {path}: holds {strays[0]}" + (f" and {len(strays) - 1} more" if
                                                                          len(strays) > 1 else "")
                                  + ", which a report does not write; --force replaces only a report folder "
                                    "(report.html, report.md, figures/); nothing was written")
    return path


def check_options(ds, municipalities: list[str] | None, year: int, source: str = "result") -> list[str]:
    """The municipalities to report (default all 13); refuse unknown ids and an evaluation year the
    result cannot answer, naming the option and what is allowed."""
    if municipalities:
        unknown = [m for m in municipalities if m not in dims.MUNICIPALITIES]
        if unknown:
            raise UsageError(f"--municipality: unknown id(s) {', '.join(unknown)}; allowed: "
                             f"{', '.join(dims.MUNICIPALITIES)}")
        picked = [m for m in dims.MUNICIPALITIES if m in municipalities]
    else:
        picked = list(dims.MUNICIPALITIES)
    have = [str(m) for m in ds["municipality"].values]
    if any(m not in have for m in dims.MUNICIPALITIES):
        raise ResultFileError(f"{source}: holds only {', '.join(have)}; a report needs all 13 municipalities")
    years = [int(y) for y in ds["year"].values]
    if year not in years or year <= dims.BASE_YEAR:
        raise UsageError(f"--year: must be a year of {source} after the base year ({years[0] + 1}-{years[-1]}), "
                         f"got {year}")
    return picked


def check_package(scenario, source: str) -> None:
    """A package must add measures to the scenario it extends, and none adaptive (they cannot be
    attributed: whether they act depends on the run)."""
    if not scenario.own:
        raise UsageError(f"--package {source}: adds no measures to the scenario it extends, so it has no "
                         "package to attribute and cost; give a scenario file with [[measure]] entries that "
                         "extends another scenario")
    adaptive = [m.label for m in scenario.own if m.adoption == "adaptive"]
    if adaptive:
        raise UsageError(f"--package {source}: adaptive measures cannot be attributed ({', '.join(adaptive)}); "
                         "write them without adoption = \"adaptive\"")


# ---------------------------------------------------------------- building the content

@dataclass
class _Context:
    ds: object                      # the result, the selected scenarios, all 13 municipalities
    source: str
    scenarios: list[str]
    municipalities: list[str]
    year: int
    rule: str
    names: dict[str, str]
    gwp: str
    stat: str
    target_rows: list[dict]
    colours: dict[str, str]
    package: object = None          # (scenario, attribution, cost report, base emissions (T, M)) with --package
    package_source: str = ""
    draws: int = 1
    ensemble: str = ""              # e.g. "32 draws, sampler lhs" (catalogue.ensemble_text)

    @property
    def ranged(self) -> bool:
        """Several draws: tables show medians and 5-95 % ranges, path charts are fan charts."""
        return self.draws > 1

    @property
    def years(self) -> np.ndarray:
        return np.asarray([int(y) for y in self.ds["year"].values])

    def name(self, m: str) -> str:
        return self.names.get(m, m)

    def kt(self, variable: str = "emissions") -> object:
        """``variable`` of the selected municipalities [kt CO2e/yr], mean over draws, by scenario,
        municipality, (sector,) year."""
        return self.ds[variable].sel(municipality=self.municipalities).mean("draw", dtype=float) / 1000.0

    def kt_draws(self, variable: str = "emissions") -> object:
        """``variable`` of the selected municipalities [kt CO2e/yr] by scenario, municipality, (sector,)
        year and draw: sum what a table shows over this first, then take percentiles."""
        return self.ds[variable].sel(municipality=self.municipalities).astype(float) / 1000.0

    def cell(self, draws, sign: bool = False, digits: int = 1) -> str:
        """A value over draws (D,) as a table cell: the single draw as before (``digits`` decimals), or
        the median and the 5-95 % range (the median alone where the draws agree to its digits)."""
        from ..catalogue import is_range_cell, range_cell, range_digits, spread

        draws = np.atleast_1d(np.asarray(draws, dtype=float))
        if not self.ranged:
            return number(float(draws[0]), digits, sign)
        cell = range_cell(*spread(draws), sign=sign)
        return cell if is_range_cell(cell) else number(float(np.median(draws)), range_digits(*draws), sign)


def _paths(ctx: _Context, draws: bool = False):
    """Emissions the path charts show [kt CO2e/yr]: (scenario, municipality, year), mean over draws, or
    with ``draws`` (scenario, municipality, year, draw); all sectors, or the non-ETS sources under the
    rule 'non-ets'."""
    from .targets import ETS_SOURCES

    kt = ctx.kt_draws if draws else ctx.kt
    if ctx.rule == "non-ets":
        keep = [s for s in dims.SOURCES if s not in ETS_SOURCES]
        return kt("emissions_source").sel(source=keep).sum("source")
    return kt().sum("sector")


def _panel(ctx: _Context, title: str, members: list[str], paths, paths_draws) -> PathPanel:
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


def _national_picks(ctx: _Context, rows: list[dict], members: list[str]) -> list[dict]:
    """The rows of one national target that make its value for ``members`` together: the 13 together's,
    the selection's (several draws: summed draw by draw in :func:`targets.assess`), or one row per
    municipality to be summed (one draw)."""
    if list(members) == list(dims.MUNICIPALITIES) and len(members) > 1:
        return [r for r in rows if r["level"] == "all"]
    if ctx.ranged and len(members) > 1:
        return [r for r in rows if r["level"] == SELECTION and list(r["area"].split(",")) == list(members)]
    return [r for r in rows if r["level"] == "municipality" and r["area"] in members]


def _path_marks(ctx: _Context, members: list[str]) -> tuple[list, list]:
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


def _national_mark_rows(ctx: _Context, sc: str, members: list[str]) -> list[list[dict]]:
    """Per national target on the charts' scope, the rows that make its mark for ``members``."""
    scope = "non_ets" if ctx.rule == "non-ets" else "total"
    rows = [r for r in ctx.target_rows if r["scenario"] == sc and r["target_value"] is not None
            and r["group"] == "national" and r["scope"] == scope]
    out = []
    for tid in dict.fromkeys(r["target_id"] for r in rows):
        picked = _national_picks(ctx, [r for r in rows if r["target_id"] == tid], members)
        if picked:
            out.append(picked)
    return out


def _own_mark_rows(ctx: _Context, sc: str, members: list[str]) -> list[dict]:
    """A municipality's own emission targets (on all sectors, so not under the rule 'non-ets')."""
    if len(members) != 1 or ctx.rule == "non-ets":
        return []
    return [r for r in ctx.target_rows if r["scenario"] == sc and r["target_value"] is not None
            and r["group"] == "own" and r["indicator"] == "emissions" and r["area"] == members[0]]


def _mark_spans(ctx: _Context, members: list[str]) -> dict[tuple[int, str], tuple[float, float]]:
    """(year, label) -> the 5-95 % range over draws of each target mark's value (several draws)."""
    spans = {}
    for sc in ctx.scenarios:
        for picked in _national_mark_rows(ctx, sc, members):
            r = picked[0]
            spans.setdefault((r["target_year"], _national_label(r)), (r["target_value_p05"], r["target_value_p95"]))
        for r in _own_mark_rows(ctx, sc, members):
            spans.setdefault((r["target_year"], r["target"]), (r["target_value_p05"], r["target_value_p95"]))
    return spans


def _not_marked(ctx: _Context) -> list[str]:
    out = []
    for r in ctx.target_rows:
        if (r["scenario"] == ctx.scenarios[0] and r["group"] == "own" and r["indicator"] == "emissions"
                and r["target_value"] is None and r["area"] in ctx.municipalities):
            out.append(f"{ctx.name(r['area'])}'s {r['target']} by {r['target_year']}")
    return out


def _unit(ctx: _Context) -> str:
    """The unit of emissions in table headers (the GWP set is named in the text)."""
    return "kt CO2e/yr"


def _axis(ctx: _Context) -> str:
    """The unit of emissions on chart axes and in captions, with the GWP set."""
    return f"kt CO2e/yr ({ctx.gwp.upper()})"


def _summary_years(ctx: _Context) -> list[int]:
    have = set(int(y) for y in ctx.years)
    return sorted((set(SUMMARY_YEARS) | {ctx.year}) & have)


def _scenario_descriptions(ds) -> dict[str, tuple[str, list[str]]]:
    """scenario -> (description, file names from the first parent to the scenario's own), from the
    scenario files recorded in the result's attributes."""
    import tomllib

    out = {}
    for key, value in ds.attrs.items():
        m = re.fullmatch(r"scenario(\d+)_name", key)
        if not m:
            continue
        k = m.group(1)
        files = sorted(((int(f.group(1)), str(v)) for a, v in ds.attrs.items()
                        if (f := re.fullmatch(rf"scenario{k}_file(\d+)", a))), key=lambda x: x[0])
        names = [text.split("\n", 1)[0].removeprefix("# ").strip() for _, text in files]
        description = ""
        if files:
            try:
                description = str(tomllib.loads(files[-1][1].split("\n", 1)[1]).get("scenario", {})
                                  .get("description", ""))
            except (tomllib.TOMLDecodeError, IndexError):
                description = ""
        out[str(value)] = (description, names)
    return out


def _rows_for(ctx: _Context, sc: str, **match) -> list[dict]:
    return [r for r in ctx.target_rows if r["scenario"] == sc and all(r[k] == v for k, v in match.items())]


def _together_target(ctx: _Context, sc: str, target_id: str) -> tuple[float, float, int | None] | None:
    """(target, modelled, first year met or None) of a national target for the selection together."""
    rows = [r for r in _rows_for(ctx, sc, group="national", target_id=target_id) if r["target_value"] is not None]
    if not rows:
        return None
    if ctx.municipalities == list(dims.MUNICIPALITIES):
        r = next(r for r in rows if r["level"] == "all")
        return r["target_value"], r["modelled_value"], r["first_year_met"]
    picked = [r for r in rows if r["level"] == "municipality" and r["area"] in ctx.municipalities]
    return sum(r["target_value"] for r in picked), sum(r["modelled_value"] for r in picked), None


def _national_ids(ctx: _Context) -> list[str]:
    return list(dict.fromkeys(r["target_id"] for r in ctx.target_rows if r["group"] == "national"
                              and r["target_value"] is not None))


def _national_title(ctx: _Context, target_id: str) -> str:
    from .targets import load_targets

    t = next(t for t in load_targets() if t.id == target_id)
    row = next(r for r in ctx.target_rows if r["target_id"] == target_id)
    name = t.label.split(":")[0] if ":" in t.label else ("Non-ETS target" if t.scope == "non_ets" else t.label)
    return f"{name} ({t.target_year}): {row['target']}"


CHANCES_NOTE = ("P(met): the share of draws at or below their own target value in the target year (a target set "
                "against a base year's emissions is set on each draw's own); modelled values are medians over the "
                "draws with their 5-95 % range; target values are medians over the draws.")


def _chances(r: dict, digits: int, last_year: int) -> str:
    """A target row of several draws as a cell: P(met), the modelled median and range against the target
    (``digits`` decimals; 1 means as many as the values need, :func:`catalogue.range_digits`), and when
    most draws miss it in its year, the first year by which half of them meet it or else the share of
    draws that meet it by ``last_year``."""
    from ..catalogue import range_cell, range_digits

    d = range_digits(r["modelled_value"], r["target_value"]) if digits == 1 else digits
    modelled = range_cell(r["modelled_value"], r["modelled_p05"], r["modelled_p95"], d)
    text = f"P(met) {r['p_met']:.2f}: {modelled} against {number(r['target_value'], d)}"
    if not r["met_in_target_year"]:
        text += (f"; half of the draws meet it by {r['first_year_met']}" if r["first_year_met"] else
                 f"; P(met by {last_year}) {r['p_ever_met']:.2f}")
    return text


def _ranged_total_rows(ctx: _Context, years: list[int]) -> list[tuple]:
    """The summary's emission rows with several draws: per scenario the total of the selection in each
    year, its change from 2009 to the evaluation year and its difference from the first scenario, each
    computed draw by draw (the scenarios' draws share their parameter values), then median and range."""
    from ..catalogue import range_cell, spread

    totals = ctx.kt_draws().sum(["municipality", "sector"])                  # (scenario, year, draw)
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


def _ranged_note(ctx: _Context, first: str) -> str:
    text = (f"Medians over the {ctx.ensemble}, with the 5-95 % range in brackets; totals, changes and differences "
            "are computed in each draw before the percentiles are taken.")
    if len(ctx.scenarios) > 1:
        text += f" The last column is the scenario's emissions minus those of {first}, draw by draw."
    return text


def summary_section(ctx: _Context) -> Section:
    descriptions = _scenario_descriptions(ctx.ds)
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
        pays = [m.label for m in report.measures if m.pays()]
        blocks.append(Text(
            f"The package {ctx.package_source} adds {len(result.measures)} measures to {result.base}. In {ctx.year} "
            f"it changes the emissions of {area_label(ctx.municipalities, ctx.names)} by {number(effect, sign=True)} "
            f"kt CO2e/yr ({percent_change(before + effect, before)} against {result.base}). "
            + (f"Costing at most the carbon price: {join_names(pays)}." if pays else
               "No measure of it costs at most the carbon price.")))
    header = ("scenario",) + tuple(str(y) for y in years) + (f"change 2009-{ctx.year} [%]",)
    groups = (("", 1), (f"[{_unit(ctx)}]", len(years)), ("", 1))
    if len(ctx.scenarios) > 1:
        header += (f"minus {first}, {ctx.year} [{_unit(ctx)}]",)
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
    ids = _national_ids(ctx)
    from .targets import RULE_TEXT

    trows = []
    for tid in ids:
        cells = []
        for sc in ctx.scenarios:
            if ctx.ranged:
                together = _national_picks(ctx, [r for r in _rows_for(ctx, sc, group="national", target_id=tid)
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
        trows.append((_national_title(ctx, tid),) + tuple(cells))
    scope = "non-ETS emissions" if ctx.rule == "non-ets" else "emissions"
    note = f"National targets are set against the municipalities by the {RULE_TEXT[ctx.rule]}."
    if ctx.ranged:
        note += " " + CHANCES_NOTE
    blocks.append(Table(f"National targets for {area_label(ctx.municipalities, ctx.names)} in their target year: "
                        f"modelled against target {scope} [{_unit(ctx)}]",
                        ("target",) + tuple(f"scenario {sc}" for sc in ctx.scenarios), tuple(trows), note))
    # which municipalities meet each national target in its year
    mrows = []
    for tid in ids:
        cells = []
        for sc in ctx.scenarios:
            rows = [r for r in _rows_for(ctx, sc, group="national", target_id=tid, level="municipality")
                    if r["area"] in ctx.municipalities and r["target_value"] is not None]
            met = [ctx.name(r["area"]) + (f" ({r['p_met']:.2f})" if ctx.ranged else "")
                   for r in rows if r["met_in_target_year"]]
            cells.append(f"{len(met)} of {len(rows)}" + (f": {', '.join(met)}" if met else ""))
        mrows.append((_national_title(ctx, tid),) + tuple(cells))
    if len(ctx.municipalities) > 1 and not ctx.ranged:
        blocks.append(Table("Municipalities that meet each national target in its target year",
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
            for sc in ctx.scenarios:
                r = next(x for x in _rows_for(ctx, sc, group="own", target_id=r0["target_id"]))
                d = 3 if r["unit"].startswith("index") else 1
                if ctx.ranged:
                    cells.append(_chances(r, d, int(ctx.years[-1])))
                    continue
                verdict = "met" if r["met_in_target_year"] else "not met"
                cells.append(f"{verdict}: {number(r['modelled_value'], d)} against {number(r['target_value'], d)}")
            orows.append((ctx.name(r0["area"]), f"{r0['target']} by {r0['target_year']}", unit_label(r0["unit"]))
                         + tuple(cells))
        note = ("Emission targets in kt CO2e/yr of all sectors; car-traffic targets as residents' car vehicle-km, "
                "index base year = 1.")
        blocks.append(Table("The municipalities' own targets in their target year: modelled against target",
                            ("municipality", "target", "unit") + tuple(f"scenario {sc}" for sc in ctx.scenarios),
                            tuple(orows), note + (" " + CHANCES_NOTE if ctx.ranged else "")))
    return Section("summary", "Summary", tuple(blocks))


def paths_section(ctx: _Context) -> Section:
    paths = _paths(ctx)
    paths_draws = _paths(ctx, draws=True) if ctx.ranged else None
    years = ctx.years
    what = "non-ETS emissions" if ctx.rule == "non-ets" else "emissions, all sectors"
    ylabel = _axis(ctx)
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
        Chart("paths-total", f"Emission paths of {label}, 2009-2050 [{ylabel}; {what}], one line per scenario. "
                             f"{total_marks}{non_ets}",
              lambda: paths_figure(years, total_panel, colours, ylabel),
              alt=f"Emission paths of {label}")],
        Chart("paths-municipalities", f"Emission paths per municipality, 2009-2050 [{ylabel}; {what}; each panel on "
                                      f"its own scale], one line per scenario. {marks}{non_ets}{missing_text}",
              lambda: paths_grid(years, panels, colours, ylabel, "Emission paths against targets"),
              alt="Emission paths per municipality with targets"))


def _paths_section(ctx: _Context, blocks: list, per_municipality: Chart) -> Section:
    """The paths section: ``blocks``, then the chart ``per_municipality`` when there is more than one."""
    if len(ctx.municipalities) > 1:
        blocks.append(per_municipality)
    return Section("paths", "Emission paths against targets", tuple(blocks))


def _fan_section(ctx: _Context, total_panel: PathPanel, panels: list[PathPanel], label: str, what: str,
                 total_marks: str, marks: str, non_ets: str, missing_text: str) -> Section:
    """The paths section of a result with several draws: fan charts against the targets."""
    years, colours, ylabel = ctx.years, ctx.colours, _axis(ctx)
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


def _ensemble_paragraph(ctx: _Context, label: str) -> str:
    """How many draws, how they were drawn, what the calibration does to the band at 2009, and how wide
    the band of the selection is at the start and at the end."""
    from ..catalogue import spread

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


def sectors_section(ctx: _Context) -> Section:
    by_sector = ctx.kt()                                         # (scenario, municipality, sector, year)
    years = ctx.years
    ylabel = _axis(ctx)
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
    summed = (ctx.kt_draws() if ctx.ranged else by_sector).sum("municipality")
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
                        note, (("", 1), (f"[{_unit(ctx)}]", len(cols)))))
    return Section("sectors", "Emissions by sector", tuple(blocks))


def _file_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)


def difference_section(ctx: _Context) -> Section:
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
    groups = (("", 1),) + tuple((f"{sc} minus {first} [{_unit(ctx)}]", len(shown)) for sc in ctx.scenarios[1:])
    rows = []
    # differences draw by draw (the scenarios' draws share their parameter values), then percentiles
    paired = ctx.kt_draws().sum("municipality") if ctx.ranged else by_sector
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
                             f"[{_axis(ctx)}], every year 2009-2050: bars below zero are cuts, above zero "
                             f"increases; the black line is the net difference.{means}",
              lambda: difference_figure(years, diffs, _axis(ctx), f"Difference from {first} by sector, {label}"),
              alt="Differences from the first scenario by sector"),
        Table(f"Difference from {first} by sector, {label} (negative: lower emissions)", header, tuple(rows), note,
              groups=groups),
    )
    return Section("measures", f"What the scenarios change against {first}", blocks)


def package_section(ctx: _Context) -> list[Section]:
    scenario, result, report, base_path = ctx.package
    idx = [dims.MUNICIPALITIES.index(m) for m in ctx.municipalities]
    label = area_label(ctx.municipalities, ctx.names)
    years = np.asarray(dims.YEARS)
    effects = result.yearly[:, :, idx].sum(axis=-1) / 1000.0            # (n, T) kt
    base = base_path[:, idx].sum(axis=-1) / 1000.0
    labels = [lab for _, lab in result.measures]
    colour_of = [MEASURE_COLOURS[i % len(MEASURE_COLOURS)] for i in range(len(labels))]
    first_start = min(m.start_year for m in scenario.own)
    how = "exact Shapley values over all subsets" if result.exact else "Shapley values estimated from sampled orders"
    wedge = Chart("wedges",
                  f"What each measure of {ctx.package_source} does, {label} [{_axis(ctx)}]. Left: the solid line "
                  f"is {result.base} without the package, the dashed line with it; each band is a measure's share "
                  f"of the difference in each year ({how}: each measure's effect averaged over every order of "
                  "adding the measures, so the bands add up to the package's effect); bands below the solid line "
                  "are cuts, above it increases. Right: the same bands on their own scale, so that small measures "
                  "show; the dashed line is the package's net effect.",
                  lambda: wedge_figure(years, base, effects, labels, result.base, scenario.name, _axis(ctx),
                                       f"What each measure does, {label}", first_start, colour_of),
                  alt="Wedge chart of the package's measures")
    def kt(arr, j):
        return float(arr[j][idx].sum()) / 1000.0

    rows = []
    for i, (kind, lab) in enumerate(result.measures):
        rows.append((lab, kind, number(kt(result.shapley[i], 0), 1, True), number(kt(result.first_in[i], 0), 1, True),
                     number(kt(result.last_in[i], 0), 1, True), number(kt(result.shapley[i], 1), 1, True)))
    rows.append(("interaction", "", number(kt(result.interaction, 0), 1, True), "", "",
                 number(kt(result.interaction, 1), 1, True)))
    rows.append(("the package", "", number(kt(result.total, 0), 1, True), "", "", number(kt(result.total, 1), 1, True)))
    span = f"{result.span[0]}-{result.span[1]}"
    attribution_table = Table(
        f"Effect of each measure on the emissions of {label} (negative: a cut)",
        ("measure", "kind", f"Shapley {result.year} [kt CO2e/yr]", f"alone {result.year} [kt CO2e/yr]",
         f"last in {result.year} [kt CO2e/yr]", f"Shapley summed {span} [kt CO2e]"), tuple(rows),
        "Shapley: the measure's effect averaged over every order of adding the measures; alone: the measure "
        "added to the base by itself (first-in); last in: what the package loses without it; interaction: the "
        "package's effect minus the sum of the measures alone (positive when measures cut the same emissions).")
    curve = [(m.label, left / 1000.0, right / 1000.0, h) for m, left, right, h in report.mac()]
    position = {id(m): i for i, m in enumerate(report.measures)}           # the package's order, as attributed
    curve_colours = [colour_of[position[id(m)]] for m, *_ in report.mac()]
    from .costs import discount_factors, window_mask

    w = discount_factors(report.years, report.discount_rate, report.year_from) * window_mask(
        report.years, report.year_from, report.year_to)
    price = float((report.carbon_price["central"] * w).sum() / w.sum())
    mac = Chart("mac", f"Marginal abatement cost (MAC) curve of {ctx.package_source}: one bar per costed measure with "
                       "positive abatement, cheapest first; width: its abatement over "
                       f"{report.year_from}-{report.year_to} in all 13 municipalities [kt CO2e, undiscounted]; height: "
                       "its cost per tonne [real 2009 NOK/t CO2e, present value of the social cost over discounted "
                       f"tonnes at {report.discount_rate:.1%}/yr]; each measure alone on {report.base} (first-in). "
                       "Dashed: the central carbon price for cost-benefit analysis (discounted mean over the window); "
                       "measures below it pay.",
                lambda: mac_figure(curve, price, f"abatement {report.year_from}-{report.year_to} [kt CO2e]",
                                   f"Marginal abatement cost: {scenario.name} on {result.base}", curve_colours),
                alt="Marginal abatement cost curve")
    from .costs import assumed

    order = [m for m, *_ in report.mac()]
    on_curve = {id(m) for m in order}
    order += [m for m in report.measures if id(m) not in on_curve]
    crows = []
    for m in order:
        pays = m.pays()
        note = ("not costed" if not m.costed else "" if np.mean(m.tonnes) > 0 else
                "no abatement" if np.mean(m.tonnes) == 0 else "adds emissions")
        crows.append((f"{m.label} ({note})" if note else m.label, number(np.mean(m.tonnes) / 1000.0),
                      number(np.mean(m.nok_per_t), 0), number(np.mean(m.carbon_price["central"]), 0),
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
        Text(f"The package {ctx.package_source} adds {len(labels)} measure{'s' if len(labels) > 1 else ''} to "
             f"{result.base}: {join_names(labels)}. Its effect is attributed to the measures by "
             f"{how} ({result.n_runs} runs of the model at default parameters)."),
        wedge, attribution_table))
    costs = Section("costs", "What the measures cost", (mac, cost_table, item_table,
                                                       Text("Not counted, and measures not costed:"), Bullets(left)))
    return [measures, costs]


def decomposition_section(ctx: _Context) -> Section:
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
                               f"[{_axis(ctx)}]: bars below zero lowered emissions, above zero raised them; the "
                               "last group is the net change (the sum of the four)."
                               + (f" Means over the {ctx.draws} draws (means keep the effects adding up to the "
                                  "change)." if ctx.ranged else ""),
              lambda: decomposition_figure(effects, ctx.colours, _axis(ctx), f"Why emissions changed, {span}"),
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


def _indicator_draws(ds, compare: str, scenarios: list[str]) -> tuple[list[int], dict]:
    """As :func:`indicators.compute` (reference year 2009, HEAT against the scenario ``compare``), keeping
    the draws: ``{(scenario, area, indicator): (T, D) array, or None}``. Each ratio is taken within a
    draw, so its percentiles are of the ratio, not ratios of percentiles. (Built from the indicators
    module's parts; a ``keep_draws`` option of ``compute`` would make this copy unnecessary.)"""
    from . import cobenefits as cb
    from . import indicators as ind

    params = cb.scenario_params(ds)
    heat = {sc: cb.health_effects(ds.sel(scenario=sc), params[sc]) for sc in dict.fromkeys(scenarios + [compare])}
    tolls = cb.toll_paid(ds)
    municipalities = [str(m) for m in ds["municipality"].values]
    area_list = ind.areas(municipalities)
    groups = ind.membership(area_list, municipalities)
    order = ("municipality", "year", "draw")
    out = {}
    for sc in scenarios:
        comps = ind._components(ds.sel(scenario=sc), params[sc], dims.BASE_YEAR, heat[sc], heat[compare],
                                None if tolls is None else tolls.sel(scenario=sc))
        for i in ind.INDICATORS:
            if i.name not in comps:
                values = [None] * len(area_list)
            else:
                num, den = comps[i.name]
                values = ind.aggregate(i, num.transpose(*order).values,
                                       None if den is None else den.transpose(*order).values, groups)
            for (area, _), value in zip(area_list, values):
                out[(sc, area, i.name)] = value
    return [int(y) for y in ds["year"].values], out


def smart_range(draws, unit: str = "") -> str:
    """A value over draws (D,) of any size as ``median (p05–p95)``, each as :func:`smart` writes it
    ('to' instead of the dash where a bound is negative; the median alone where the draws agree to the
    digits shown); ``-`` when undefined."""
    from ..catalogue import spread

    draws = np.asarray(draws, dtype=float)
    if not np.all(np.isfinite(draws)):
        return "-"
    med, lo, hi = (float(x) for x in spread(draws))
    texts = [smart(x, unit) for x in (med, lo, hi)]
    if len(set(texts)) == 1:                 # the draws agree to the digits shown
        return texts[0]
    dash = "–" if lo >= 0 and hi >= 0 else " to "
    return f"{texts[0]} ({texts[1]}{dash}{texts[2]})"


def indicator_section(ctx: _Context) -> Section:
    from . import indicators as ind

    ds = ctx.ds.sel(municipality=ctx.municipalities)
    first = ctx.scenarios[0]
    if ctx.ranged:
        years, values = _indicator_draws(ds, first, ctx.scenarios)          # (T, D) arrays

        def fmt(v, unit=""):
            return smart_range(v, unit)

        def central(v, unit=""):
            return smart(float(np.median(v)), unit) if np.all(np.isfinite(v)) else "-"
    else:
        years, values = ind.compute(ds, dims.BASE_YEAR, first, ctx.scenarios)
        fmt = central = smart
    k0, k = years.index(dims.BASE_YEAR), years.index(ctx.year)
    total = "total" if len(ctx.municipalities) > 1 else ctx.municipalities[0]
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
    the value needs (:func:`catalogue.range_digits`)."""
    from ..catalogue import range_cell

    return range_cell(r["modelled_value"], r["modelled_p05"], r["modelled_p95"], None if digits == 1 else digits)


def _first_met(r: dict, last_year: int) -> str:
    return str(r["first_year_met"]) if r["first_year_met"] is not None else f"not by {last_year}"


def _region_name(region: str, ctx: _Context) -> str:
    return f"{REGION_NAMES.get(region, region)} ({join_names([ctx.name(m) for m in dims.REGIONS[region]])})"


def targets_section(ctx: _Context) -> Section:
    from ..catalogue import range_digits
    from .targets import RULE_TEXT

    last = int(ctx.years[-1])
    blocks: list = [Text(f"National targets are set against the municipalities by the {RULE_TEXT[ctx.rule]}. "
                         "A municipality meets a target when its emissions in the target year are at or below the "
                         "target value; first met: the first year after 2009 at or below it (for the 2020 target "
                         "this can lie before 2020). The command framtid targets also gives the gaps and the "
                         "annual cuts still needed.")]
    if ctx.ranged:
        blocks.append(Text(f"With {ctx.draws} draws, each draw is set against its own target (under the rule 'share' "
                           "the target follows the draw's own 2009 emissions). Target values are medians over the "
                           "draws; modelled values medians with their 5-95 % range; P(met) is the share of draws "
                           "at or below their target in the target year; first met is the first year by which half "
                           "of the draws are at or below their target ('not by' when fewer than half ever are)."))
    regions = [r for r, ms in dims.REGIONS.items() if len(ms) > 1 and all(m in ctx.municipalities for m in ms)]
    for tid in _national_ids(ctx):
        rows = []
        first_rows = _rows_for(ctx, ctx.scenarios[0], group="national", target_id=tid)
        areas = [("municipality", m) for m in ctx.municipalities] + [("region", r) for r in regions] + \
            ([("all", "all 13")] if ctx.municipalities == list(dims.MUNICIPALITIES) else [])
        for level, area in areas:
            r0 = next(r for r in first_rows if r["level"] == level and r["area"] == area)
            name = (ctx.name(area) if level == "municipality" else _region_name(area, ctx) if level == "region"
                    else "the 13 together")
            cells = [number(r0["target_value"], range_digits(r0["target_value"]) if ctx.ranged else 1)]
            for sc in ctx.scenarios:
                r = next(x for x in _rows_for(ctx, sc, group="national", target_id=tid)
                         if x["level"] == level and x["area"] == area)
                if ctx.ranged:
                    cells += [_modelled_range(r, 1), f"{r['p_met']:.2f}", _first_met(r, last)]
                else:
                    cells += [number(r["modelled_value"]), _first_met(r, last)]
            rows.append((name,) + tuple(cells))
        year = first_rows[0]["target_year"]
        header = ("area", f"target {year} [kt CO2e/yr]")
        for sc in ctx.scenarios:
            header += (f"{year} [kt CO2e/yr]",) + ((P_MET,) if ctx.ranged else ()) + ("first met [year]",)
        groups = (("", 2),) + tuple((sc, 3 if ctx.ranged else 2) for sc in ctx.scenarios)
        scope = "non-ETS emissions" if first_rows[0]["scope"] == "non_ets" else "all sectors"
        blocks.append(Table(f"{_national_title(ctx, tid)} ({scope})", header, tuple(rows), groups=groups))
    own = [r for r in ctx.target_rows if r["scenario"] == ctx.scenarios[0] and r["group"] == "own"
           and r["area"] in ctx.municipalities]
    done = [r for r in own if r["target_value"] is not None]
    if done:
        rows = []
        for r0 in done:
            d = 3 if r0["unit"].startswith("index") else 1
            cells = [f"{r0['target']} by {r0['target_year']}", unit_label(r0["unit"])]
            for sc in ctx.scenarios:
                r = next(x for x in _rows_for(ctx, sc, group="own", target_id=r0["target_id"]))
                if ctx.ranged:
                    cells += [number(r["target_value"], d), _modelled_range(r, d), f"{r['p_met']:.2f}",
                              _first_met(r, last)]
                else:
                    cells += [number(r["target_value"], d), number(r["modelled_value"], d), _first_met(r, last)]
            rows.append((ctx.name(r0["area"]),) + tuple(cells))
        header = ("municipality", "target", "unit")
        for sc in ctx.scenarios:
            header += ("target value", "in the target year") + ((P_MET,) if ctx.ranged else ()) + (
                "first met [year]",)
        groups = (("", 3),) + tuple((sc, 4 if ctx.ranged else 3) for sc in ctx.scenarios)
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
            for sc in ctx.scenarios:
                r = next(x for x in _rows_for(ctx, sc, group="zero_growth", target_id=r0["target_id"]))
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
                            f"region against {base}; met when at most 1", header, tuple(rows), groups=groups))
    return Section("targets", "Targets in detail", tuple(blocks))


def method_section(ctx: _Context) -> Section:
    from framtid import __version__

    from ..data_store import municipalities
    from .targets import RULE_TEXT

    ds = ctx.ds
    a = ds.attrs
    gwp_basis = ds["emissions"].attrs.get("co2e_basis", ctx.gwp)
    descriptions = _scenario_descriptions(ds)
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
    prov = [("result file", Path(ctx.source).name),
            ("model version of the run", str(a.get("framtid_version", "-"))),
            ("git commit of the run", str(a.get("git_commit", "-"))),
            ("seed", str(a.get("seed", "-"))),
            ("draws", str(a.get("draws", "-")))]
    if ctx.ranged:
        prov += [("sampler", str(a.get("sampler", "-"))), ("draws of the ensemble", str(a.get("ensemble_draws", "-"))),
                 ("calibration", str(a.get("calibration", "-")))]
    prov += [("embedded data digest (SHA-256)", str(a.get("embedded_data_sha256", "-"))),
             ("accounting", str(a.get("accounting", "-"))),
             ("GWP set", str(gwp_basis)),
             ("national rule", ctx.rule)]
    for sc in ctx.scenarios:
        prov.append((f"scenario files of {sc}", " extends ".join(reversed(descriptions.get(sc, ("", []))[1])) or "-"))
    if ctx.package is not None:
        scenario = ctx.package[0]
        prov.append(("package", f"{ctx.package_source}: " + " extends ".join(
            reversed([Path(p).name for p, _ in scenario.files]))))
    prov.append(("report written by", f"framtid {__version__} on {date.today().isoformat()}"))
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


def build(ds, scenarios: list[str] | None = None, municipalities: list[str] | None = None, year: int = 2030,
          package=None, rule: str = "share", source: str = "result", package_source: str = "",
          seed: int = 0) -> Report:
    """The report's content from a result Dataset ``ds`` (of ``source``): ``scenarios`` (default all, the
    first is the one others are compared with), ``municipalities`` (default all 13), evaluation ``year``,
    national ``rule`` and an optional ``package`` (a loaded scenario whose own measures are attributed
    against the scenario it extends and costed; ``package_source`` names it)."""
    from .. import catalogue
    from . import targets as tg

    picked = check_options(ds, municipalities, year, source)
    if rule not in tg.RULES:
        raise UsageError(f"--national-rule: {rule!r} is not a rule; allowed: {', '.join(tg.RULES)}")
    if package is not None:
        check_package(package, package_source or package.name)
    ds = catalogue.select(ds, scenarios, source=source)
    chosen = [str(s) for s in ds["scenario"].values]
    names = municipality_names()
    n = int(ds.sizes["draw"])
    # With several draws a selection's targets are summed draw by draw (never its members' medians).
    extra = (tg.Area(SELECTION, ",".join(picked), tuple(picked)),) if n > 1 and 1 < len(picked) < 13 else ()
    rows = tg.assess(ds, rule, None, None, source, extra)
    ctx = _Context(ds, source, chosen, picked, year, rule, names, str(ds["emissions"].attrs.get("gwp", "")),
                   "one draw at default parameters" if n == 1 else f"{n} draws", rows,
                   {sc: SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)] for i, sc in enumerate(chosen)},
                   draws=n, ensemble=catalogue.ensemble_text(ds))
    if package is not None:
        ctx.package = _run_package(package, year, seed)
        given = package_source or package.name
        ctx.package_source = given if given.startswith("framtid:") else Path(given).name
    sections = [summary_section(ctx), paths_section(ctx), sectors_section(ctx)]
    sections += package_section(ctx) if package is not None else [difference_section(ctx)]
    sections += [decomposition_section(ctx), indicator_section(ctx), targets_section(ctx), method_section(ctx)]
    title = "Greenhouse-gas emissions of the Framtidens byer municipalities, 2009-2050"
    subtitle = (f"Scenarios {join_names(chosen)} from {Path(source).name}; {area_label(picked, names)}; "
                f"evaluation year {year}")
    return Report(title, subtitle, tuple(sections))


def _run_package(scenario, year: int, seed: int):
    """(scenario, attribution, cost report, base emissions (T, M) [t CO2e/yr]) of a package."""
    from .. import api
    from . import attribution, costs

    result = attribution.attribute(scenario, year, None, seed=seed)
    report = costs.evaluate(scenario, seed=seed)
    base, _ = costs.package_of(scenario)
    base_path = api.run_scenario(base, seed).emission_totals().mean(axis=1)        # (T, M)
    return scenario, result, report, base_path


# ---------------------------------------------------------------- rendering

def render_pngs(report: Report) -> dict[str, bytes]:
    """Each chart drawn as PNG bytes, by name."""
    out = {}
    for chart in report.charts():
        fig = chart.draw()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
        out[chart.name] = buf.getvalue()
    return out


CSS = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #d0d0d0; --band: #f4f5f7; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: var(--ink); line-height: 1.45;
       font-size: 15px; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; max-width: 66rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 .6rem; padding-top: .4rem; border-top: 2px solid var(--ink); }
p.subtitle { color: var(--muted); margin: 0 0 1rem; }
nav ol { columns: 2; margin: .4rem 0 1rem; padding-left: 1.4rem; }
nav a { color: inherit; }
figure { margin: 1rem 0 1.4rem; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { font-size: .88rem; color: var(--muted); margin-top: .35rem; text-align: left; }
.table { overflow-x: auto; margin: .8rem 0 1.2rem; }
table { border-collapse: collapse; font-size: .82rem; }
p.caption { font-weight: 600; margin: 0 0 .3rem; font-size: .9rem; break-after: avoid; }
th, td { padding: .22rem .5rem; border-bottom: 1px solid var(--rule); vertical-align: top; text-align: left; }
th { font-weight: 600; background: var(--band); border-bottom: 1px solid #999; vertical-align: bottom; }
th .unit { font-weight: 400; color: var(--muted); font-size: .9em; white-space: nowrap; }
td { overflow-wrap: break-word; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
th.n { min-width: 4.5em; }
tbody tr:last-child td { border-bottom: 1px solid #999; }
p.note { font-size: .8rem; color: var(--muted); margin: .3rem 0 0; max-width: 60rem; }
code { font-size: .9em; }
@media print {
  body { font-size: 10pt; max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  figure, .table { break-inside: avoid; }
  .table { overflow: visible; }
  table { font-size: 7.5pt; }
  nav { display: none; }
}
@page { size: A4; margin: 14mm 12mm; }
"""


RANGE_CSS = "td .range { color: var(--muted); font-size: .88em; white-space: nowrap; }\n"   # with several draws


def _is_numeric(cells: list[str]) -> bool:
    """Whether a column holds numbers only (or medians with their ranges): set right-aligned."""
    from ..catalogue import is_range_cell

    filled = [c for c in cells if c not in ("", "-")]
    return bool(filled) and all(re.fullmatch(r"[+-]?[\d,]*\.?\d+( %)?", c) or is_range_cell(c) for c in filled)


def _html_cell(text: str) -> str:
    """A cell's HTML: a median with its range as two lines, the range under the median in grey, so that
    wide tables of ranges stay narrow and the medians line up."""
    from ..catalogue import is_range_cell, range_parts

    if not is_range_cell(text):
        return html.escape(text)
    median, spread = range_parts(text)
    return f'{html.escape(median)}<br><span class="range">{html.escape(spread)}</span>'


def _header_cell(text: str) -> str:
    """A header with its unit ('name [unit]') on a line of its own."""
    name, bracket, unit = text.partition(" [")
    if not bracket:
        return html.escape(text)
    return f'{html.escape(name)}<br><span class="unit">[{html.escape(unit)}</span>'


def _html_table(table: Table) -> str:
    numeric = [_is_numeric([r[i] for r in table.rows]) for i in range(len(table.header))]
    esc = html.escape
    cls = [' class="n"' if n else "" for n in numeric]
    # groups are folded into the column headers (spanning cells lay out unevenly in simple renderers)
    head = "<tr>" + "".join(f'<th{c} scope="col">{_header_cell(h)}</th>'
                            for h, c in zip(table.flat_header(), cls)) + "</tr>"
    body = "\n".join("<tr>" + "".join(f"<td{c}>{_html_cell(x)}</td>" for x, c in zip(r, cls)) + "</tr>"
                     for r in table.rows)
    note = f'<p class="note">{esc(table.note)}</p>' if table.note else ""
    return (f'<div class="table"><p class="caption">{esc(table.caption)}</p>\n<table>\n<thead>\n{head}\n</thead>\n'
            f"<tbody>\n{body}\n</tbody></table>{note}</div>")


def _has_ranges(report: Report) -> bool:
    """Whether any table holds a median with its range (a result of several draws)."""
    from ..catalogue import is_range_cell

    return any(is_range_cell(c) for s in report.sections for b in s.blocks if isinstance(b, Table)
               for r in b.rows for c in r)


def render_html(report: Report, pngs: dict[str, bytes]) -> str:
    """The report as one HTML page: CSS inline, figures as base64 PNG data URIs, no script."""
    esc = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{esc(report.title)}</title>",
             f"<style>{CSS}{RANGE_CSS if _has_ranges(report) else ''}</style>", "</head>", "<body>",
             f"<h1>{esc(report.title)}</h1>",
             f'<p class="subtitle">{esc(report.subtitle)}</p>', "<nav><strong>Contents</strong><ol>"]
    parts += [f'<li><a href="#{s.key}">{esc(s.title)}</a></li>' for s in report.sections]
    parts.append("</ol></nav>")
    n_fig = 0
    for s in report.sections:
        parts.append(f'<section id="{s.key}"><h2>{esc(s.title)}</h2>')
        for b in s.blocks:
            if isinstance(b, Text):
                parts.append(f"<p>{esc(b.text)}</p>")
            elif isinstance(b, Bullets):
                parts.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in b.items) + "</ul>")
            elif isinstance(b, Table):
                parts.append(_html_table(b))
            elif isinstance(b, Chart):
                n_fig += 1
                data = base64.b64encode(pngs[b.name]).decode("ascii")
                parts.append(f'<figure id="figure-{n_fig}"><img src="data:image/png;base64,{data}" '
                             f'alt="{esc(b.alt or b.name)}"><figcaption><strong>Figure {n_fig}.</strong> '
                             f"{esc(b.caption)}</figcaption></figure>")
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    """The report as Markdown: pipe tables, figures linked from ``figures/``."""
    lines = [f"# {report.title}", "", f"*{report.subtitle}*", ""]
    n_fig = 0
    for s in report.sections:
        lines += [f"## {s.title}", ""]
        for b in s.blocks:
            if isinstance(b, Text):
                lines += [b.text, ""]
            elif isinstance(b, Bullets):
                lines += [f"- {i}" for i in b.items] + [""]
            elif isinstance(b, Table):
                numeric = [_is_numeric([r[i] for r in b.rows]) for i in range(len(b.header))]
                lines += [f"**{b.caption}**", "", "| " + " | ".join(_md_cell(h) for h in b.flat_header()) + " |",
                          "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
                lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in b.rows]
                lines.append("")
                if b.note:
                    lines += [f"*{b.note}*", ""]
            elif isinstance(b, Chart):
                n_fig += 1
                lines += [f"![Figure {n_fig}: {b.alt or b.name}]({FIGURE_FOLDER}/{b.name}.png)", "",
                          f"*Figure {n_fig}.* {b.caption}", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- writing the folder

def write(report: Report, out, force: bool = False) -> Path:
    """Write ``report.html``, ``report.md`` and ``figures/*.png`` into the folder ``out``: everything
    goes to a hidden temporary folder beside it first, which is renamed into place when complete, so
    an interruption leaves nothing and an existing folder is kept unless ``force`` (then it is replaced
    in one step, and only if it holds what a report writes)."""
    path = check_out(out, force)
    parent = path.parent if str(path.parent) else Path(".")
    tmp = None
    try:
        parent.mkdir(parents=True, exist_ok=True)
        pngs = render_pngs(report)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent))
        (tmp / FIGURE_FOLDER).mkdir()
        for name, data in pngs.items():
            (tmp / FIGURE_FOLDER / f"{name}.png").write_bytes(data)
        (tmp / HTML_NAME).write_text(render_html(report, pngs), encoding="utf-8")
        (tmp / MARKDOWN_NAME).write_text(render_markdown(report), encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        _publish(tmp, path, force)
        tmp = None
    except OSError as exc:
        from ..errors import FramtidError

        raise FramtidError(f"{path}: cannot write the report ({exc.strerror or exc}); nothing was written") from None
    finally:
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return path


def _publish(tmp: Path, path: Path, force: bool) -> None:
    """Rename the finished folder to ``path``: refused if ``path`` exists, unless ``force``, when the old
    folder is moved aside, the new one renamed in and the old one removed (restored on failure)."""
    if os.path.lexists(path):
        if not force:
            raise ResultExistsError(f"{path}: exists already; choose another --out or pass --force to replace it; "
                                    "nothing was written")
        check_out(path, force)                       # still a report folder
        old = path.parent / f".{path.name}.{secrets.token_hex(4)}.old.tmp"
        os.rename(path, old)
        try:
            os.rename(tmp, path)
        except BaseException:
            os.rename(old, path)
            raise
        shutil.rmtree(old, ignore_errors=True)
        return
    try:
        os.rename(tmp, path)        # a folder made at this moment with something in it refuses the rename
    except OSError as exc:
        if os.path.lexists(path):
            raise ResultExistsError(f"{path}: exists already; choose another --out or pass --force to replace it; "
                                    "nothing was written") from None
        raise exc
