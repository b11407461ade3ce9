"""The tables of an attribution (:mod:`.attribution`): one row per area and measure, tidy rows for CSV, JSON,
the draws' ranges of an area's sums, and what to call the players in a list or legend."""

from __future__ import annotations

import numpy as np

from .. import dims
from ..draw_statistics import range_cell, spread
from .attribution import Attribution
from .players import display_name


def player_names(result: Attribution) -> list[str]:
    """What to call each player in a legend or a list: the measure's label, the kind with its count
    ("co2_tax (16 measures)"), or the area with its count."""
    return [display_name(kind, label, result.by) for kind, label in result.measures]


def counted(result: Attribution) -> str:
    """'3 measures', '1 measure', or with the measures grouped '118 measures of 12 kinds'."""
    n = sum(result.sizes) if result.sizes else len(result.measures)
    measures = f"{n} measure{'s' if n > 1 else ''}"
    if result.by == "measure":
        return measures
    groups = len(result.measures)
    return f"{measures} of {groups} {result.by}{'s' if groups > 1 else ''}"


def _areas(municipalities: list[str] | None) -> list[tuple[str, list[int]]]:
    picked = municipalities or list(dims.MUNICIPALITIES)
    areas = [(m, [dims.MUNICIPALITIES.index(m)]) for m in picked]
    if municipalities is None:
        areas.append(("all 13", list(range(len(dims.MUNICIPALITIES)))))
    return areas


def area_draws(per_draw: np.ndarray, idx: list[int], k: int) -> np.ndarray:
    """``per_draw`` (D, 2, M, S) summed over the areas ``idx`` and every sector in each draw, at ``k``
    (0: the year, 1: the span) (D,) [t]: a sum's percentiles are taken of it, not summed from its parts'."""
    return per_draw[:, k][:, idx, :].sum(axis=(-1, -2))


def _spread_kt(per_draw: np.ndarray, idx: list[int], k: int) -> tuple[np.ndarray, np.ndarray]:
    """5th and 95th percentile over the draws [kt] of :func:`area_draws`."""
    _, low, high = spread(area_draws(per_draw, idx, k) / 1e3, axis=0)
    return low, high


def cut_share(per_draw: np.ndarray, idx: list[int], k: int) -> float:
    """Share of the draws [1] in which :func:`area_draws` is a cut (below zero)."""
    return float((area_draws(per_draw, idx, k) < 0.0).mean())


# [t CO2e] an effect below this in every column of a municipality shows as zero at the table's decimals
UNMOVED_T = 5.0


def unmoved(result: Attribution) -> list[str]:
    """The municipalities where no measure, first-in, last-in, interaction or package effect reaches
    :data:`UNMOVED_T` in the year or over the span (each sector summed; draws: their mean): a package of one
    municipality's measures leaves most of the others so."""
    parts = [result.shapley, result.first_in, result.last_in, result.total[None],
             None if result.interaction is None else result.interaction[None]]
    biggest = np.max([np.abs(p.sum(axis=-1)).max(axis=(0, 1)) for p in parts if p is not None], axis=0)   # (M,)
    return [m for m, b in zip(dims.MUNICIPALITIES, biggest) if b < UNMOVED_T]


def rows(result: Attribution, municipalities: list[str] | None = None,
         leave_out: tuple[str, ...] = ()) -> tuple[tuple[str, ...], list[tuple]]:
    """One row per area and measure (plus the package total and the interaction residual), all sectors
    together [kt CO2e/yr in the year; kt CO2e over the span], but for the municipalities in ``leave_out``.
    With draws, the Shapley values and the package's effect are the mean over the draws with the 5-95 % range
    of the draws in brackets."""
    sampled = result.order_effects is not None
    header = ("municipality", "measure", "kind", f"shapley_{result.year}") + (("std_error",) if sampled else ()) + \
        ("first_in", "last_in", f"shapley_{result.span[0]}_{result.span[1]}")
    out = []
    for name, idx in _areas(municipalities):
        if name in leave_out:
            continue

        def kt(a, k=0):
            return a[..., k, :, :][..., idx, :].sum(axis=(-1, -2)) / 1e3

        def cell(mean, per_draw, k):
            """The mean [kt], with the draws' range when there are draws."""
            if per_draw is None:
                return f"{kt(mean, k):+.{2 - k}f}"
            return range_cell(kt(mean, k), *_spread_kt(per_draw, idx, k), digits=2 - k, sign=True)

        for i, (kind, label) in enumerate(result.measures):
            se = (f"{result.error_of_sum(i, 0, idx) / 1e3:.2f}",) if sampled else ()
            draws = None if result.shapley_draws is None else result.shapley_draws[i]
            out.append((name, label, kind, cell(result.shapley[i], draws, 0)) + se +
                       (f"{kt(result.first_in[i]):+.2f}", f"{kt(result.last_in[i]):+.2f}",
                        cell(result.shapley[i], draws, 1)))
        blank = ("",) if sampled else ()
        # The interaction is the first-in column's residual: it stands there, so that column adds up to the
        # package as the Shapley columns do by themselves.
        out.append((name, "(interaction)", "", "") + blank + (f"{kt(result.interaction):+.2f}", "", ""))
        out.append((name, "(package)", "", cell(result.total, result.total_draws, 0)) + blank +
                   (f"{kt(result.total):+.2f}", "", cell(result.total, result.total_draws, 1)))
    return header, out


def long_rows(result: Attribution, municipalities: list[str] | None = None) -> tuple[tuple[str, ...], list[tuple]]:
    """Tidy rows for CSV: area, measure, kind, sector, quantity, value [t CO2e/yr or t CO2e]; the package's
    ``total`` and its ``interaction`` (the package less the sum of the measures alone, ``first_in``). With
    draws, the values are means over the draws, and ``shapley_p05_...``/``shapley_p95_...`` (and
    ``total_p05_...``/``total_p95_...``) the 5th and 95th percentiles of the draws, of the area's sum. Each
    quantity also has a row of sector ``all``: the sum over the sectors (its percentiles of the sum in each draw)."""
    header = ("scenario", "base", "municipality", "measure", "kind", "sector", "quantity", "value", "unit")
    out = []
    quantities = [("shapley", result.shapley), ("first_in", result.first_in), ("last_in", result.last_in)]
    ranged = result.shapley_draws is not None
    for name, idx in _areas(municipalities):
        def percentile(per_draw, k, s, high):
            """The 5th or 95th percentile of the draws of a sum over the areas (and over every sector where ``s``
            is ``ALL``), summed in each draw first."""
            values = per_draw[:, k, idx].sum(axis=(-2, -1)) if s is ALL else per_draw[:, k, idx, s].sum(axis=-1)
            return spread(values, axis=0)[2 if high else 1]

        for k, (span_name, unit) in enumerate(((str(result.year), "t yr-1"),
                                               (f"{result.span[0]}-{result.span[1]}", "t"))):
            def row(label, kind, sector, quantity, value):
                return (result.scenario, result.base, name, label, kind, sector, f"{quantity}_{span_name}",
                        round(float(value), 3), unit)

            for q, arr in quantities:
                for i, (kind, label) in enumerate(result.measures):
                    for s, sector in enumerate(result.sectors):
                        out.append(row(label, kind, sector, q, arr[i, k, idx, s].sum()))
            for i, (kind, label) in enumerate(result.measures) if result.order_effects is not None else ():
                for s, sector in enumerate(result.sectors):
                    out.append(row(label, kind, sector, "std_error", result.error_of_sum(i, k, idx, s)))
            for q, arr in quantities:       # every sector together ("all"), as an audit's table of measures takes
                for i, (kind, label) in enumerate(result.measures if arr is not None else ()):
                    out.append(row(label, kind, "all", q, arr[i, k, idx].sum()))
            for q, high in (("shapley_p05", False), ("shapley_p95", True)) if ranged else ():
                for i, (kind, label) in enumerate(result.measures):
                    for s, sector in enumerate(result.sectors):
                        out.append(row(label, kind, sector, q, percentile(result.shapley_draws[i], k, s, high)))
                    out.append(row(label, kind, "all", q, percentile(result.shapley_draws[i], k, ALL, high)))
            for s, sector in enumerate(result.sectors):
                out.append(row("(package)", "", sector, "total", result.total[k, idx, s].sum()))
            # the package less the measures alone, as the table's (interaction) row: first_in and it add up
            for s, sector in enumerate(result.sectors):
                out.append(row("(interaction)", "", sector, "interaction", result.interaction[k, idx, s].sum()))
            out.append(row("(package)", "", "all", "total", result.total[k, idx].sum()))
            out.append(row("(interaction)", "", "all", "interaction", result.interaction[k, idx].sum()))
            for q, high in (("total_p05", False), ("total_p95", True)) if ranged else ():
                for s, sector in enumerate(result.sectors):
                    out.append(row("(package)", "", sector, q, percentile(result.total_draws, k, s, high)))
                out.append(row("(package)", "", "all", q, percentile(result.total_draws, k, ALL, high)))
    return header, out


ALL = "all"   # the sector of a long row summed over every sector


def to_json(result: Attribution, municipalities: list[str] | None = None) -> dict:
    """Per area a block with ``total`` and ``measures`` (kind, label, shapley, ... ), in t CO2e/yr for
    the year and t CO2e for the cumulative span; sector detail under ``by_sector``. With draws, the
    values are means over the draws, with ``shapley_p05``/``shapley_p95`` (and ``total_p05``/
    ``total_p95``) the draws' 5-95 % range in the year and ``cut_share`` the share of draws in which
    the measure cuts emissions."""
    def pack(arr, idx, k):
        return round(float(arr[k, idx, :].sum()), 3)

    def sectors(arr, idx, k):
        return {s: round(float(arr[k, idx, j].sum()), 3) for j, s in enumerate(result.sectors)}

    def ranged(per_draw, idx, prefix):
        _, low, high = spread(area_draws(per_draw, idx, 0), axis=0)
        return {f"{prefix}_p05": round(float(low), 3), f"{prefix}_p95": round(float(high), 3)}

    blocks = {}
    for name, idx in _areas(municipalities):
        measures = []
        for i, (kind, label) in enumerate(result.measures):
            item = {"kind": kind, "label": label, "shapley": pack(result.shapley[i], idx, 0),
                    "shapley_cumulative": pack(result.shapley[i], idx, 1),
                    "first_in": pack(result.first_in[i], idx, 0), "last_in": pack(result.last_in[i], idx, 0),
                    "by_sector": sectors(result.shapley[i], idx, 0)}
            if result.order_effects is not None:
                item["std_error"] = round(result.error_of_sum(i, 0, idx), 3)
            if result.shapley_draws is not None:
                item |= ranged(result.shapley_draws[i], idx, "shapley")
                item["cut_share"] = round(cut_share(result.shapley_draws[i], idx, 0), 4)
            measures.append(item)
        blocks[name] = {"total": pack(result.total, idx, 0), "total_cumulative": pack(result.total, idx, 1),
                        "interaction": pack(result.interaction, idx, 0), "measures": measures}
        if result.total_draws is not None:
            blocks[name] |= ranged(result.total_draws, idx, "total")
    out = {"scenario": result.scenario, "base": result.base, "year": result.year,
           "cumulative_years": list(result.span), "units": {"year": "t CO2e/yr", "cumulative": "t CO2e"},
           "method": "exact Shapley over all subsets" if result.exact else
                     "Shapley estimated from sampled orders (std_error: standard error of the estimate)",
           "runs": result.n_runs, "municipalities": blocks}
    if result.draws:
        out["draws"] = {"count": result.draws, "sampler": result.sampler,
                        "statistic": "mean over the draws; _p05 and _p95 the 5th and 95th percentiles of the draws"}
    return out
