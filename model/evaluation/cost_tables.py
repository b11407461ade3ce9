"""What ``framtid costs`` prints and draws from a :class:`.costs.CostReport`: the tables (measures in MAC
order, cost items, what is not counted, the carbon price path), their ranges over draws, and the MAC chart.
The arithmetic and the runs are :mod:`.costs`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import dims
from ..draw_statistics import range_cell, spread
from ..safe_write import check_plot_path
from .carbon_value import CARBON_SERIES
from .costs import MNOK, CostReport, MeasureCost
from .discounting import discount_factors, window_mask

__all__ = ["tables", "measure_note", "plot_mac", "mac_chart", "central_carbon_price", "nok_per_t_range",
           "adoption_note", "assumed", "check_plot_path"]


def _number(x: float, digits: int = 0) -> str:
    return "-" if not np.isfinite(x) else f"{x:,.{digits}f}"


def _cell(x, fmt: str, digits: int = 0):
    """A number for a table (text with thousands separators, '-' when undefined) or for CSV and JSON
    (rounded; None when undefined)."""
    x = float(np.mean(x))
    if fmt == "table":
        return _number(x, digits)
    return round(x, digits) if np.isfinite(x) else None


def measure_note(m: MeasureCost) -> str:
    """The note beside a measure's cost: how an adaptive measure was adopted, "not costed", "no abatement" or
    "adds emissions", and its kind's caveat (what may outweigh the cost shown)."""
    notes = [adoption_note(m.adopted)] if m.adopted is not None else []
    if not m.costed:
        notes.append("not costed")
    elif getattr(m, "partly", ""):
        notes.append(f"partly costed: {m.partly}")
    if m.costed and not np.mean(m.tonnes) > 0:
        notes.append("no abatement" if np.mean(m.tonnes) == 0 else "adds emissions")
    if getattr(m, "carbon_outside", False):
        notes.append("abates in some years and adds emissions in others: its carbon value per net tonne, "
                     "weighted by the abatement, lies outside the carbon price path")
    if m.caveat:
        notes.append(m.caveat)
    return "; ".join(notes)


def adoption_note(adopted: np.ndarray) -> str:
    """What an adaptive measure's rule did in the run, from its adoption years (D, M') (NaN: never):
    "adopted 2031"; "adopted in 9/13 from 2027" (municipalities adopting in any draw, first year); over
    draws ", in 62 % of draws" (draws adopting anywhere). Its costs and abatement are those of the run
    with the rule, so a measure never adopted costs and abates nothing."""
    taken = np.isfinite(adopted)
    if not taken.any():
        return "never adopted"
    d, m = adopted.shape
    where = "" if m == 1 else f" in {int(taken.any(axis=0).sum())}/{m}"
    share = "" if d == 1 else f", in {taken.any(axis=1).mean():.0%} of draws"
    return f"adopted{where} from {int(np.nanmin(adopted))}{share}" if m > 1 or d > 1 else \
        f"adopted {int(np.nanmin(adopted))}"


def assumed(names) -> list[str]:
    """The cost parameters among ``names`` whose source is an assumption."""
    from ..parameters import table

    spec = table()
    return [n for n in names if n in spec and spec[n].source.lower().startswith("assumption")]


def _draw_range(per_draw: np.ndarray) -> tuple[float, float]:
    """5th and 95th percentile of ``per_draw`` (D,) (:func:`spread`); NaN unless every draw is defined
    (a cost per tonne of a draw that abates nothing is undefined, so no range over the draws would be)."""
    if not np.all(np.isfinite(per_draw)):
        return float("nan"), float("nan")
    _, low, high = spread(per_draw, axis=0)
    return float(low), float(high)


def nok_per_t_range(m: MeasureCost) -> tuple[float, float]:
    """5th and 95th percentile of the draws' NOK/t; NaN unless the measure is costed and abates in every draw."""
    return _draw_range(m.nok_per_t) if m.costed else (float("nan"), float("nan"))


def _ranged(central: float, per_draw: np.ndarray, digits: int = 0) -> str:
    """A central value with the 5-95 % range of ``per_draw`` for a table ('-' when undefined)."""
    low, high = _draw_range(per_draw)
    if not np.isfinite(central):
        return "-"
    if not (np.isfinite(low) and np.isfinite(high)):
        return _number(central, digits)
    return range_cell(central, low, high, digits=digits)


def tables(report: CostReport, fmt: str) -> list[tuple[str, str, tuple, list]]:
    """(key, title, header, rows) sections for ``catalogue.render_sections``: the measures in MAC
    order (cheapest first, then the rest), their cost items, what is not counted, and the carbon
    price path over the window. Means over draws (NOK/t: mean cost over mean discounted tonnes); with
    sampled draws the table shows the 5-95 % ranges of abatement and NOK/t and, as "pays", the share
    of draws in which the measure pays; CSV and JSON get plain numbers and more columns."""
    order = [m for m, *_ in report.mac()]
    order += [m for m in report.measures if m not in order]
    table = fmt == "table"
    ranged = table and report.draws > 0
    rows = []
    for m in order:
        pays, share = m.pays(), m.pays_share()
        pays_cell = ("-" if not np.isfinite(share) else f"{share:.0%}") if ranged else \
            "-" if pays is None else ("yes" if pays else "no")
        rows.append((m.label, m.kind,
                     _ranged(float(np.mean(m.tonnes)) / 1e3, m.tonnes / 1e3, 1) if ranged else
                     _cell(m.tonnes / 1e3, fmt, 1),
                     _ranged(m.central_nok_per_t(), m.nok_per_t) if ranged and m.costed else
                     _cell(m.central_nok_per_t(), fmt),
                     _cell(m.carbon_price["central"], fmt), pays_cell,
                     _cell(m.social / MNOK, fmt, 0 if table else 3), _cell(m.public / MNOK, fmt, 0 if table else 3),
                     _cell(m.users / MNOK, fmt, 0 if table else 3), measure_note(m)))
    if table:   # short headers, so that numbers keep their width (the title gives the units)
        head = ("measure", "kt", "NOK/t", "carbon", "pays", "social", "public", "users", "note")
        rows = [r[:1] + r[2:] for r in rows]
    else:
        head = ("measure", "kind", "abatement_kt", "nok_per_t", "carbon_price_nok_per_t", "pays", "social_cost_mnok",
                "public_mnok", "users_mnok", "note", "abatement_discounted_kt", "nok_per_t_undiscounted_tonnes",
                "carbon_price_low", "carbon_price_high", "abatement_source", "origin", "costed", "discount_rate",
                "year_from", "year_to")
        rows = [r + (_cell(m.tonnes_discounted / 1e3, fmt, 1), _cell(m.nok_per_t_undiscounted, fmt),
                     _cell(m.carbon_price["low"], fmt), _cell(m.carbon_price["high"], fmt), m.abatement_source,
                     m.origin, m.costed, report.discount_rate, report.year_from, report.year_to)
                for r, m in zip(rows, order)]
        if report.draws:
            head += ("draws", "abatement_kt_p05", "abatement_kt_p95", "nok_per_t_p05", "nok_per_t_p95", "pays_share")
            rows = [r + (report.draws,)
                    + tuple(_cell(x / 1e3, fmt, 1) for x in _draw_range(m.tonnes))
                    + tuple(_cell(x, fmt) for x in nok_per_t_range(m))
                    + (_cell(m.pays_share(), fmt, 4),) for r, m in zip(rows, order)]
    title = (f"Costs of the measures {report.scenario} adds to {report.base}: each alone on the base (first-in), "
             f"{report.year_from}-{report.year_to}, real 2009 NOK discounted to {report.year_from} at "
             f"{report.discount_rate:.1%}/yr. kt: abatement [kt CO2e, undiscounted]; NOK/t: social cost / "
             "discounted tonnes (MAC order, cheapest first); carbon: central CBA carbon price weighted by the "
             "measure's abatement [NOK/t]; pays: NOK/t at most the carbon price; social, public (budget), users: "
             "present values [MNOK]. Not counted for any measure: health, noise, accidents and local air "
             "pollution (road time is, as congestion_time)")
    if any(m.adopted is not None for m in report.measures):
        title += ("; adaptive measures run with their adoption rule (note: in how many of their municipalities "
                  "and from which year they were adopted), so one never adopted costs and abates nothing")
    if report.draws:
        title += (f". Over {report.draws} sampled parameter draws (sampler {report.sampler}; the base and every "
                  "measure run the same draws): kt and the present values are means, NOK/t the mean cost over the "
                  "mean discounted tonnes, in brackets the 5-95 % range of the draws (NOK/t only where the measure "
                  "abates in every draw); pays: the share of draws in which the measure pays at that draw's "
                  "carbon price")
    items = [(m, i) for m in order for i in m.items]
    item_head = ("measure", "item", "flow", "payer", "pv_mnok", "assumptions")
    item_rows = [(m.label, i.name, i.flow, i.payer, _cell(i.pv / MNOK, fmt, 1 if table else 3),
                  ", ".join(assumed(i.parameters)) or "-") for m, i in items]
    if not table:
        item_head += ("parameters", "method")
        item_rows = [r + (", ".join(i.parameters), i.method) for r, (m, i) in zip(item_rows, items)]
    left_head = ("measure", "not_counted")
    left_rows = [(m.label, text) for m in order for text in
                 (m.not_counted if m.costed else ("the whole measure: " + m.reason,))]
    years = [int(y) for y in report.years if report.year_from <= y <= report.year_to
             and (y == report.year_from or y == report.year_to or y % 5 == 0 or not table)]
    price_head = ("year",) + tuple(f"{s}_nok_per_t" for s in CARBON_SERIES)
    price_rows = [(y,) + tuple(_cell(report.carbon_price[s][y - dims.BASE_YEAR], fmt, 0 if table else 1)
                               for s in CARBON_SERIES) for y in years]
    return [("measures", title, head, rows),
            ("items", "Cost items, present value [MNOK, real 2009]; transfers cancel between payers; parameters "
                      "whose source is an assumption are named", item_head, item_rows),
            ("not_counted", "Not counted, and measures not costed", left_head, left_rows),
            ("carbon_price", "Carbon price for cost-benefit analysis [real 2009 NOK/t CO2e] (R-109/21 path as "
                             "implemented by Kystverket, 2023 NOK converted; held at 2023 before it)",
             price_head, price_rows)]


def plot_mac(report: CostReport, path: str | Path, force: bool = False,
             provenance: list[tuple[str, str]] = ()) -> Path:
    """Write the MAC curve (:func:`mac_chart`) as a PNG, with ``provenance`` (:mod:`framtid.model.provenance`) in
    its text chunks. Atomic; an existing file only with ``force``."""
    from ..provenance import png_metadata
    from ..safe_write import write_atomically

    path = check_plot_path(path, force)
    fig = mac_chart(report)
    meta = png_metadata(list(provenance))
    return write_atomically(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100, metadata=meta), force,
                            "the chart")


def central_carbon_price(report: CostReport) -> float:
    """The central carbon price path's discounted mean over the appraisal window [real 2009 NOK/t]: the
    line the MAC curve is read against."""
    weights = discount_factors(report.years, report.discount_rate, report.year_from) * window_mask(
        report.years, report.year_from, report.year_to)
    return float((report.carbon_price["central"] * weights).sum() / weights.sum())


def mac_chart(report: CostReport, names: str | None = None, colours: list[str] | None = None):
    """The MAC curve as a matplotlib Figure (``framtid costs --plot`` and ``framtid report --package``), drawn
    by :func:`.report_figures.mac_figure`: one bar per costed measure with positive abatement, width its
    abatement [kt CO2e over the window], height its NOK/t, cheapest first, with the draws' 5-95 % range of
    NOK/t when the report has draws; the central carbon price (discounted mean over the window) as a line.
    ``names``: what the title calls the package and its base (default: the report's); ``colours``: one per
    bar (default: a colour per bar in MAC order)."""
    from .report_figures import mac_figure

    curve = report.mac()
    price = central_carbon_price(report)
    bars = [(f"{m.label} ({m.kind}): {height:,.0f} NOK/t", left / 1e3, right / 1e3, height)
            for m, left, right, height in curve]
    ranges = [nok_per_t_range(m) if report.draws else (np.nan, np.nan) for m, *_ in curve]
    over = f"\nmean over {report.draws} sampled draws; lines: the draws' 5-95 % range of NOK/t" if report.draws else ""
    title = (f"Marginal abatement cost: {names or f'{report.scenario} on {report.base}'} (first-in, r = "
             f"{report.discount_rate:.1%}){over}")
    return mac_figure(bars, price, f"abatement {report.year_from}-{report.year_to} [kt CO2e, undiscounted]", title,
                      colours, ranges, f"carbon price, central path ({price:,.0f} NOK/t, discounted mean)")
