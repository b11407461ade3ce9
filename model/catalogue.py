"""Tables for people: listings, the base-year report and result summaries.

Each function returns plain rows; :func:`render` prints them as an aligned table,
CSV or JSON, so the command line stays a thin layer.
"""

from __future__ import annotations

import csv
import io
import json

from . import dims


def render(header: tuple[str, ...], rows: list[tuple], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(header, r)) for r in rows], indent=2, ensure_ascii=False)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
        return buf.getvalue().rstrip("\n")
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in r) for r in rows]
    widths = [min(60, max(len(r[i]) for r in cells)) for i in range(len(header))]
    numeric = [all(_is_number(r[i]) for r in cells[1:]) for i in range(len(header))]
    lines = []
    for j, r in enumerate(cells):
        parts = [(c.rjust(w) if numeric[i] and j else c.ljust(w)) if len(c) <= w else c
                 for i, (c, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(parts).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "").replace("%", "").replace("+", ""))
        return True
    except ValueError:
        return False


def listing(what: str) -> tuple[tuple[str, ...], list[tuple]]:
    if what == "municipalities":
        from .data_store import municipalities

        return (("id", "name", "kommunenummer", "region", "borders", "hdd_normal"),
                [(m.id, m.name, m.kommunenummer_2020, m.region, m.borders, m.hdd_normal)
                 for m in municipalities()])
    if what == "measures":
        from .measures import COMMON_KEYS, KINDS

        rows = []
        for k in KINDS.values():
            rows.append((k.name, k.area, "", "", "", "", k.description))
            for f in k.fields:
                default = "required" if f.required else "unchanged" if f.default is None else f"{f.default:g}"
                rows.append(("", "", f.name, f.unit, default, f"{f.low:g}..{f.high:g}", f.description))
        rows.append(("(every kind)", "", "(common keys)", "", "", "",
                     "kind; municipality (id, list or \"*\"); start_year; optional ramp_years (years to full "
                     "strength), end_year, label — " + ", ".join(COMMON_KEYS)))
        return ("kind", "area", "field", "unit", "default", "range", "description"), rows
    if what == "parameters":
        from .parameters import table

        return (("name", "unit", "default", "low", "high", "distribution", "description", "source"),
                [(p.name, p.unit, f"{p.default:g}", f"{p.low:g}", f"{p.high:g}", p.distribution, p.description,
                  p.source) for p in table().values()])
    if what == "levers":
        from .levers import LEVERS

        return (("lever", "unit", "neutral", "range", "axes", "description"),
                [(lv.name, lv.unit, f"{lv.neutral:g}", f"{lv.low:g}..{lv.high:g}",
                  " x ".join("/".join(e) for e in lv.extra) or "-", lv.description) for lv in LEVERS.values()])
    raise ValueError(what)


def base_year_report(municipality: str):
    """Sections (title, header, rows) describing one municipality's 2009 values."""
    from .errors import FramtidError

    if municipality not in dims.MUNICIPALITIES:
        raise FramtidError(f"unknown municipality {municipality!r}; allowed: {', '.join(dims.MUNICIPALITIES)}")
    from . import base_year
    from .accounting import gwp_vector
    from .parameters import Params
    from .scenario import builtin_path, load
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
        drivers.append((name, value, p.status, p.method, p.source or "-"))
    sources = []
    gwp = gwp_vector(params, "ar4")[0]
    for s_idx, s in enumerate(dims.SOURCES):
        bu = float((cal.bottom_up[0, i, s_idx] * gwp).sum())
        level = float((cal.levels[0, i, s_idx] * gwp).sum())
        factor = float(cal.factors[0, i, s_idx])
        sources.append((s, dims.SOURCE_SECTOR[s], f"{level:,.0f}", f"{bu:,.0f}", f"{factor:.3f}",
                        cal.status[(municipality, s)]))
    observed = [(r.level, r.name, f"{r.observed:,.0f}", r.gwp_basis, f"{r.bottom_up:,.0f}", f"{r.calibrated:,.0f}",
                 r.note or "-") for r in cal.rows if r.municipality == municipality]
    return [
        ("Base-year drivers (2009)", ("driver", "value", "status", "how", "source"), drivers),
        ("Emission sources 2009 [t CO2e, AR4]",
         ("source", "sector", "model_2009", "bottom_up", "factor", "status"), sources),
        ("Inventory values used (in their own GWP basis)",
         ("level", "name", "observed", "gwp", "bottom_up", "model_2009", "note"), observed),
    ]


def _driver_value(inputs, name: str, i: int) -> str:
    if name == "population_2009":
        return f"{inputs.population_2009[i]:,.0f}"
    arr = getattr(inputs, name)
    value = arr[i]
    labels = {"mode_shares": dims.MODES, "car_powertrain_share": dims.POWERTRAINS,
              "treatment_shares": dims.TREATMENTS, "zone_share": dims.ZONES}.get(name)
    if labels is not None:
        return " ".join(f"{lab}={v:.3f}" for lab, v in zip(labels, value))
    return f"{float(value):.4g}"


def summary_tables(ds, years: list[int], by: str = "municipality"):
    """Sections (title, header, rows) of total emissions [kt CO2e/yr], mean over draws."""
    total = ds["emissions"].mean("draw")
    gwp = ds["emissions"].attrs.get("gwp", "")
    header = (by,) + tuple(str(y) for y in years) + (f"change {years[0]}-{years[-1]}",)
    out = []
    for sc in ds.scenario.values:
        sel = total.sel(scenario=sc)
        other = "sector" if by == "municipality" else "municipality"
        table = sel.sum(other)
        rows = []
        for label in list(table[by].values) + ["total"]:
            series = table.sum(by) if label == "total" else table.sel({by: label})
            vals = [float(series.sel(year=y)) / 1000.0 for y in years]
            change = f"{(vals[-1] / vals[0] - 1.0) * 100:+.0f} %" if vals[0] else "-"
            rows.append((str(label),) + tuple(f"{v:,.1f}" for v in vals) + (change,))
        out.append((f"Scenario {sc}: emissions by {by} [kt CO2e/yr, GWP {gwp}]", header, rows))
    # With several scenarios, what each does relative to the first (usually the reference).
    first = ds.scenario.values[0]
    for sc in ds.scenario.values[1:]:
        other = "sector" if by == "municipality" else "municipality"
        diff = (total.sel(scenario=sc) - total.sel(scenario=first)).sum(other)
        rows = []
        for label in list(diff[by].values) + ["total"]:
            series = diff.sum(by) if label == "total" else diff.sel({by: label})
            rows.append((str(label),) + tuple(f"{float(series.sel(year=y)) / 1000.0:+,.1f}" for y in years))
        out.append((f"Difference {sc} minus {first} [kt CO2e/yr]", header[:-1], rows))
    return out
