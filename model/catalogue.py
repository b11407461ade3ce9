"""Tables for people: rendering rows as tables, CSV, JSON or records, the listings and the base-year report.

Each function returns plain rows; :func:`render` prints them as an aligned table,
CSV or JSON, so the command line stays a thin layer. The summaries of a result file are
:mod:`result_summary`'s.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

import numpy as np

from . import dims
from .draw_statistics import is_range_cell, range_parts


RECORD_LINES = 3   # a table whose rows wrap onto more lines than this on average prints as records
RECORD_FLOOR = 20  # [characters] the least width of a record's values


class Shown(float):
    """A number that a table shows in its format (``Shown(575475.0, ",.0f")`` as 575,475) and CSV and JSON write
    as the number it is (575475.0): text with thousands separators would be read as a decimal in some locales."""

    def __new__(cls, value: float, fmt: str):
        number = super().__new__(cls, value)
        number.fmt = fmt
        return number

    def __str__(self) -> str:
        return format(float(self), self.fmt)


def plain_cell(cell):
    """A cell as CSV and JSON take it: None where it is a NaN (null in JSON, an empty cell in CSV: a value that does
    not apply), a :class:`Shown` as its number, anything else as it is."""
    if isinstance(cell, float) and cell != cell:
        return None
    return float(cell) if isinstance(cell, Shown) else cell


def _exported(row) -> tuple:
    """A row for CSV and JSON: its :class:`Shown` numbers plain (:func:`plain_cell`), every other cell as it is."""
    return tuple(plain_cell(c) if isinstance(c, Shown) else c for c in row)


def render(header: tuple[str, ...], rows: list[tuple], fmt: str, width: int | None = None) -> str:
    """Rows as JSON (a list of objects), CSV (one header line) or an aligned table. A table wider
    than ``width`` characters puts the range of its range columns (cells "median (low–high)",
    :func:`range_cell`) under the median, and then wraps its widest text columns onto continuation
    lines; when that makes its rows more than ``RECORD_LINES`` lines high on average (descriptions
    and sources broken every few words) in a table of mostly text columns, the rows are printed as
    records instead, one block per row with a line per column (:func:`records`)."""
    if fmt == "json":
        return json.dumps([dict(zip(header, _exported(r))) for r in rows], indent=2, ensure_ascii=False)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows(map(_exported, rows))   # csv writes str(), a Shown's display text
        return buf.getvalue().rstrip("\n")
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in r) for r in rows]
    # a range column: range cells among numbers, and '-' where a value is undefined
    ranged = [any(is_range_cell(r[i]) for r in cells[1:]) and all(_is_number(r[i]) or is_range_cell(r[i])
                                                            or r[i] == "-" for r in cells[1:])
              for i in range(len(header))]
    numeric = [ranged[i] or all(_is_number(r[i]) for r in cells[1:]) for i in range(len(header))]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    full = list(widths)
    if width is not None:
        # a range column can narrow to its longest part: the median or the bracketed range
        least = [max(len(part) for r in cells for part in range_parts(r[i])) if ranged[i] else None
                 for i in range(len(header))]
        # a text column keeps its longest word whole (a name broken as "Kristiansan / d" reads as two)
        words = [max((len(word) for r in cells for word in r[i].split()), default=0) for i in range(len(header))]
        widths = _fit(widths, numeric, width, least=least, words=words)
    # a narrowed range column breaks every cell, so that its rows read alike
    wrapped_rows = [[_wrap(c, w, ranged[i] and j > 0, w < full[i]) for i, (c, w) in enumerate(zip(r, widths))]
                    for j, r in enumerate(cells)]
    heights = [max(len(x) for x in wrapped) for wrapped in wrapped_rows]
    # Tables of numbers stay tables (their rows are compared down the columns); those of texts become records.
    texts = sum(not n for n in numeric) > len(header) / 2
    if width is not None and texts and len(cells) > 1 and sum(heights[1:]) > RECORD_LINES * (len(cells) - 1):
        return records(cells[0], cells[1:], width)
    lines = []
    for j, (r, wrapped) in enumerate(zip(cells, wrapped_rows)):
        for k in range(heights[j]):
            parts = []
            for i, (pieces, w) in enumerate(zip(wrapped, widths)):
                c = pieces[k] if k < len(pieces) else ""
                parts.append(c.rjust(w) if numeric[i] and j else c.ljust(w))
            lines.append("  ".join(parts).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def records(header: tuple[str, ...], rows: list[tuple[str, ...]], width: int) -> str:
    """Rows as blocks for a terminal too narrow for their table: the first cell as the block's title and
    a line ``column  value`` for each other cell that is not empty, values wrapped at ``width``. A row
    whose first cell is empty continues the block above (as a field row under its measure kind): it is
    indented under it, titled by its first cell that is not empty."""
    key = max(len(h) for h in header)

    def wrap(text: str, room: int, first: str, rest: str) -> list[str]:
        parts = textwrap.wrap(text, max(room, 1), break_long_words=True, break_on_hyphens=False) or [""]
        return [(first if k == 0 else rest) + part for k, part in enumerate(parts)]

    lines: list[str] = []
    for row in rows:
        first = next((i for i, c in enumerate(row) if c), None)
        if first is None:
            continue
        indent = "  " * (1 + (first > 0))
        if first == 0:
            if lines:
                lines.append("")
            lines += wrap(row[0], width, "", "")
        else:
            lines += wrap(f"{header[first]} {row[first]}", width - 2, "  ", "  ")
        room = width - len(indent) - key - 2
        for name, value in zip(header[first + 1:], row[first + 1:]):
            if not value:
                continue
            if room >= RECORD_FLOOR:   # the value beside its column name
                lines += wrap(value, room, f"{indent}{name.ljust(key)}  ", " " * (len(indent) + key + 2))
            else:                      # too narrow for that: the name, then the value under it
                lines += wrap(name, width - len(indent), indent, indent)
                lines += wrap(value, width - len(indent) - 2, indent + "  ", indent + "  ")
    return "\n".join(lines)


def _wrap(cell: str, width: int, ranged: bool = False, narrowed: bool = False) -> list[str]:
    """The lines of one cell ``width`` wide: a range cell of a ``narrowed`` column breaks between its
    median and its range (never inside a number), text at spaces."""
    if ranged and narrowed:
        return range_parts(cell)
    if len(cell) <= width:
        return [cell]
    return textwrap.wrap(cell, width, break_long_words=True, break_on_hyphens=False) or [""]


SHORT_NAMES = 24   # [characters] a first column no wider than this is names (region nedre_glomma), not phrases


def _fit(widths: list[int], numeric: list[bool], width: int, floor: int = 8,
         least: list[int | None] | None = None, words: list[int] | None = None) -> list[int]:
    """Narrow the widest text columns, one character at a time, until the table fits ``width``
    (numbers keep their width, and the first column, the names one copies, narrows only when
    nothing else can, and names of at most ``SHORT_NAMES`` characters only if the table then fits: a name
    wrapped under its row reads as the next row's; so the wide columns end up equally wide and wrap).
    Range columns (``least`` not None: the width of their longest part) narrow first, all of them to that width at once:
    their cells then take two lines, the median over its range, which reads better than text
    broken mid-phrase. ``words``: the longest word of each column, below which a text column does not narrow
    while a wider word can still wrap elsewhere (the table may then stay wider than ``width``)."""
    widths = list(widths)
    first = widths[0] if widths else 0
    least = least or [None] * len(widths)
    words = words or [0] * len(widths)
    gaps = 2 * (len(widths) - 1)
    while sum(widths) + gaps > width:
        ranges = [i for i, w in enumerate(widths) if least[i] is not None and w > least[i]]
        if ranges:
            for i in ranges:             # all of them, so that every row of the table reads alike
                widths[i] = least[i]
            continue
        candidates = ([i for i, w in enumerate(widths) if i > 0 and not numeric[i] and w > max(floor, words[i])]
                      or [i for i, w in enumerate(widths) if not numeric[i] and w > max(floor, words[i])])
        if not candidates:
            break
        widths[max(candidates, key=lambda k: widths[k])] -= 1
    if sum(widths) + gaps > width and widths[0] < first <= SHORT_NAMES:
        widths[0] = first     # wrapping short names would not make the table fit: each stays on its row's line
    return widths


# Columns of a table written to a file (`--save`): those of output that is not a terminal, whatever the terminal,
# so that the same inputs give the same file.
FILE_WIDTH = 100


def terminal_width() -> int:
    """Columns of the terminal (COLUMNS if set; FILE_WIDTH when the output is not a terminal)."""
    import shutil

    return max(40, shutil.get_terminal_size((FILE_WIDTH, 24)).columns)


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "").replace("%", "").replace("+", ""))
        return True
    except ValueError:
        return False


def listing(what: str) -> tuple[tuple[str, ...], list[tuple]]:
    if what == "municipalities":
        from .data_store import municipalities

        return (("id", "name", "kommunenummer", "kommunenummer_2024", "region", "borders", "hdd_normal"),
                [(m.id, m.name, m.kommunenummer_2020, m.kommunenummer_2024, m.region, m.borders, m.hdd_normal)
                 for m in municipalities()])
    if what == "scenarios":
        from .scenario import load
        from .scenario_inheritance import BUILTIN_PREFIX, builtin_names, builtin_path

        rows = []
        for name in builtin_names():
            s = load(builtin_path(name))
            parent = Path(s.files[-2][0]).stem if len(s.files) > 1 else "-"
            rows.append((BUILTIN_PREFIX + name, parent, len(s.measures), s.description))
        return ("scenario", "extends", "measures", "description"), rows
    if what == "measures":
        from .measures import AREAS, COMMON_KEYS, KINDS

        rows = []
        for k in sorted(KINDS.values(), key=lambda k: (list(AREAS).index(k.area), k.name)):
            rows.append((k.name, k.area, "", "", "", "", k.description))
            for f in k.fields:
                if f.choice_axis:
                    default, span = "required" if f.required else f.default, f"one {f.choice_axis} id"
                else:
                    default = "required" if f.required else "unchanged" if f.default is None else f"{f.default:g}"
                    span = f"{f.low:g}..{f.high:g}" + (f" (or by {f.axis})" if f.axis else "")
                unit = f.unit + (" of price_year" if f.money else "")
                rows.append(("", "", f.name, unit, default, span, f.description))
        rows.append(("(every kind)", "", "(common keys)", "", "", "",
                     "kind; municipality (id, list or \"*\"); start_year; optional ramp_years (years to full "
                     "strength), end_year, label, replaces (labels of earlier measures this one ends), price_year "
                     "(year of the NOK in money fields; default start_year), start_date (the day it took effect, "
                     "where start_year rounds it; e.g. 2017-10-01) — " + ", ".join(COMMON_KEYS)))
        return ("kind", "area", "field", "unit", "default", "range", "description"), rows
    if what == "correlations":
        from .parameters import correlation_table

        return (("parameter_a", "parameter_b", "rank_correlation", "source"),
                [(c.parameter_a, c.parameter_b, f"{c.rank_correlation:g}", c.source)
                 for c in correlation_table().values()])
    if what == "parameters":
        from .parameters import table

        return (("name", "unit", "default", "low", "high", "distribution", "description", "source"),
                [(p.name, p.unit, f"{p.default:g}", f"{p.low:g}", f"{p.high:g}", p.distribution, p.description,
                  p.source) for p in table().values()])
    if what == "levers":
        from .levers import LEVERS

        return (("lever", "unit", "neutral", "range", "axes", "combine", "description"),
                [(lv.name, lv.unit, f"{lv.neutral:g}", f"{lv.low:g}..{lv.high:g}", " x ".join(lv.axes) or "-",
                  lv.combine, lv.description) for lv in LEVERS.values()])
    if what == "cordons":
        return cordon_listing()
    raise ValueError(what)


def measure_catalogue() -> list[dict]:
    """Every measure kind as a JSON-ready object: kind, area, description, source, the levers it
    sets, whether a municipality can adopt it adaptively, and its fields (name, unit, min, max,
    default; ``default`` is null when the field is required or leaves its lever unchanged)."""
    from .adoption import adaptable_kinds
    from .measures import AREAS, KINDS

    adaptable = set(adaptable_kinds())
    out = []
    for k in sorted(KINDS.values(), key=lambda k: (list(AREAS).index(k.area), k.name)):
        fields = []
        for f in k.fields:
            item = {"name": f.name, "unit": f.unit, "min": None if f.choice_axis else f.low,
                    "max": None if f.choice_axis else f.high, "default": f.default, "required": f.required,
                    "description": f.description}
            if f.axis:
                item["per"] = {"axis": f.axis, "labels": list(f.labels)}
            if f.choice_axis:
                item["choices"] = list(f.choices)
            if f.money:
                item["money"] = "NOK of the measure's price_year (default: its start_year)"
            fields.append(item)
        out.append({"kind": k.name, "area": k.area, "description": k.description, "source": k.source,
                    "levers": list(k.levers()), "adaptive_allowed": k.name in adaptable, "fields": fields})
    return out


def cordon_listing() -> tuple[tuple[str, ...], list[tuple]]:
    """The toll cordons: owner, direction charged, where they lie and who crosses them in 2009
    (share of each municipality's residents' car trips that cross, from commuting and zones)."""
    from .cordons import cordons
    from .parameters import Params
    from .submodels.demand_coefficients import demand_coefficients
    from .submodels.transport_state import geography

    c = demand_coefficients(Params.defaults(1))
    geo = geography(c)
    weights = c.purpose_share[0][None, None, :] * np.ones((1, len(dims.ZONES), 1))     # zone x purpose, even zones
    rows = []
    every = cordons()
    for i, cordon in enumerate(every):
        crossing = (geo.crossings[0, i] * weights).sum(axis=(1, 2)) / weights.sum()       # (M,)
        who = "; ".join(f"{m} {x:.2f}" for m, x in zip(dims.MUNICIPALITIES, crossing) if x > 0.0005)
        inside = "/".join(f"{x:g}" for x in cordon.inside_share)
        years = "scenario" if cordon.scenario_file else f"{cordon.first_year}-{cordon.last_year or ''}"
        rows.append((cordon.id, cordon.name, cordon.municipality, cordon.charged_direction, inside, years, who,
                     f"{cordon.external_passage_ratio:g}", _hour_rule(cordon, every), cordon.succeeds or "-",
                     cordon.status))
    return (("cordon", "name", "municipality", "direction", "inside_A/B/C", "years", "crossed_by",
             "external_ratio", "hour_rule", "succeeds", "status"), rows)


def _hour_rule(cordon, every) -> str:
    """The hour rule a cordon shares and with which cordon ("-" for none)."""
    partners = [c.id for c in every if c.hour_rule and c.hour_rule == cordon.hour_rule and c.id != cordon.id]
    return f"{cordon.hour_rule} (with {', '.join(partners)})" if cordon.hour_rule and partners else \
        cordon.hour_rule or "-"


def base_year_report(municipality: str):
    """Sections (title, header, rows) describing one municipality's 2009 values."""
    from .errors import UsageError, did_you_mean

    if municipality not in dims.MUNICIPALITIES:
        raise UsageError(f"unknown municipality {municipality!r}; {did_you_mean(municipality, dims.MUNICIPALITIES)}"
                         f"allowed: {', '.join(dims.MUNICIPALITIES)}")
    from . import base_year
    from .accounting import DEFAULT_GWP, gwp_vector
    from .parameters import Params
    from .scenario import load
    from .scenario_inheritance import builtin_path
    from .simulation import FramtidModel

    inputs = base_year.load()
    params = Params.defaults(1)
    model = FramtidModel(load(builtin_path("policies-2009")), params, inputs=inputs)
    model.release()   # built for its calibration only
    cal = model.calibration
    i = dims.MUNICIPALITIES.index(municipality)

    drivers = []
    for (m, name), p in sorted(inputs.provenance.items()):
        if m != municipality:
            continue
        value = _driver_value(inputs, name, i)
        # the grade of the observation an observed driver is (an estimate's is no grade of the estimate)
        grade = (p.confidence or "-") if p.status == "observed" else "-"
        drivers.append((name, value, p.status, p.method, p.source or "-", grade))
    sources = []
    gwp = gwp_vector(params, DEFAULT_GWP)[0]
    for s_idx, s in enumerate(dims.SOURCES):
        bu = float((cal.bottom_up[0, i, s_idx] * gwp).sum())
        level = float((cal.levels[0, i, s_idx] * gwp).sum())
        factor = float(cal.factors[0, i, s_idx])
        sources.append((s, dims.SOURCE_SECTOR[s], Shown(level, ",.0f"), Shown(bu, ",.0f"), Shown(factor, ".3f"),
                        cal.status[(municipality, s)]))
    observed = [(r.level, r.name, Shown(r.observed, ",.0f"), r.gwp_basis, Shown(r.bottom_up, ",.0f"),
                 Shown(r.calibrated, ",.0f"), r.note or "-") for r in cal.rows if r.municipality == municipality]
    from .data_store import municipalities

    name = next(m.name for m in municipalities() if m.id == municipality)
    return [
        ("drivers", f"{name}: base-year drivers (2009)", ("driver", "value", "status", "how", "source", "confidence"),
         drivers),
        ("sources", f"{name}: emission sources 2009 [t CO2e, {DEFAULT_GWP.upper()}]",
         ("source", "sector", "model_2009", "bottom_up", "factor", "status"), sources),
        ("inventory", f"{name}: inventory values used (in their own GWP basis)",
         ("level", "name", "observed", "gwp", "bottom_up", "model_2009", "note"), observed),
    ]


def render_sections(sections, fmt: str, width: int | None = None) -> str:
    """Several (key, title, header, rows) sections as one document: titled tables, one JSON
    object keyed by section, or one CSV table with a ``section`` column."""
    if fmt == "json":
        return json.dumps({key: [dict(zip(header, _exported(r))) for r in rows] for key, _, header, rows in sections},
                          indent=2, ensure_ascii=False)
    if fmt == "csv":
        columns = list(dict.fromkeys(c for _, _, header, _ in sections for c in header))
        rows = [(key,) + tuple(dict(zip(header, r)).get(c, "") for c in columns)
                for key, _, header, body in sections for r in body]
        return render(("section", *columns), rows, "csv")
    def titled(title: str) -> str:   # a title wider than the terminal wraps at its spaces, each of its lines apart
        return title if width is None else "\n".join(
            "\n".join(textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False) or [""])
            for line in title.split("\n"))

    return "\n".join(f"\n{titled(title)}\n{render(header, rows, 'table', width)}"
                     for _, title, header, rows in sections)


def _driver_value(inputs, name: str, i: int) -> str | Shown:
    if name == "population_2009":
        return Shown(inputs.population_2009[i], ",.0f")
    arr = getattr(inputs, name)
    value = arr[i]
    labels = {"mode_shares": dims.MODES, "car_powertrain_share": dims.POWERTRAINS,
              "treatment_shares": dims.TREATMENTS, "zone_share": dims.ZONES}.get(name)
    if labels is not None:
        return " ".join(f"{lab}={v:.3f}" for lab, v in zip(labels, value))
    return Shown(value, ".4g")
