"""Responses to grants implied by the model itself, beside the published estimates they must fall in.

A study of a grant asks what the public money bought: the extra adopters per 100 MNOK spent, counting the
money that goes to those who would have adopted anyway. The model is asked the same way: the reference
scenario (the 2009 policies held) is run, and again with the grant cut over the study's window through an
ordinary measure, and the change of the money spent is set against the change of the adopters,

    adopters per 100 MNOK = 1e8 (N0 - N1) / (G0 - G1),

N the adopters and G the public money over the window (nominal NOK of each year, as the studies count it).
A cut rather than a rise because the reference already spares battery-electric cars the whole VAT; for a
small change the two read the same marginal ratio. Nothing here sets a behavioural parameter: the number
comes out of the car-purchase choice (its price coefficient, the powertrains' costs) as it is. Targets and
their sources: ``model/data/grant_targets.csv``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import dims
from .data_store import data_path, read_rows
from .errors import DataError, UsageError, did_you_mean

PER_MONEY = 1e8   # [NOK] the studies' unit of spending: adopters per 100 MNOK


@dataclass(frozen=True)
class GrantTarget:
    quantity: str
    response: str
    instrument: str
    first_year: int
    last_year: int
    change: float      # [1] relative change of the grant over the window: -0.10 cuts it by 10 %
    low: float         # [adopters per 100 MNOK]
    high: float
    central: float
    source: str


COLUMNS = ("quantity", "response", "instrument", "first_year", "last_year", "change", "low", "high", "central",
           "source")


def targets(path=None) -> tuple[GrantTarget, ...]:
    """The published estimates (``model/data/grant_targets.csv``, or the file ``path``)."""
    out = []
    for lineno, row in read_rows(Path(path) if path else data_path("grant_targets.csv"), COLUMNS):
        try:
            first, last = int(row["first_year"]), int(row["last_year"])
            change, low, high, central = (float(row[c]) for c in ("change", "low", "high", "central"))
        except (TypeError, ValueError):
            raise DataError(f"grant_targets.csv: line {lineno}: first_year and last_year must be years, change, "
                            "low, high and central numbers") from None
        if not 0.0 <= low <= central <= high:
            raise DataError(f"grant_targets.csv: line {lineno}: need 0 <= low <= central <= high")
        if not dims.BASE_YEAR < first <= last <= dims.FINAL_YEAR:
            raise DataError(f"grant_targets.csv: line {lineno}: need {dims.BASE_YEAR + 1} <= first_year <= "
                            f"last_year <= {dims.FINAL_YEAR}")
        if not -1.0 < change < 0.0:
            raise DataError(f"grant_targets.csv: line {lineno}: column 'change' must lie between -1 and 0 "
                            "(a cut of the grant)")
        if row["quantity"] not in READERS:
            raise DataError(f"grant_targets.csv: line {lineno}: unknown quantity {row['quantity']!r}; the model "
                            f"reads {', '.join(READERS)}")
        out.append(GrantTarget(row["quantity"], row["response"], row["instrument"], first, last, change, low, high,
                               central, row["source"]))
    return tuple(out)


def adopters_per_money(adopters: tuple[float, float], money: tuple[float, float]) -> float:
    """Extra adopters per 100 MNOK of public money [adopters/100 MNOK]: ``1e8 (N0 - N1) / (G0 - G1)`` from the
    adopters and the money [NOK] of the run with the grant (index 0) and the run with less of it (index 1);
    NaN where the money does not change."""
    (n0, n1), (g0, g1) = adopters, money
    return PER_MONEY * (n0 - n1) / (g0 - g1) if g0 != g1 else float("nan")


def _bev_purchase_relief(view, window: slice, municipalities: list[int]) -> tuple[float, float]:
    """Battery-electric cars bought and the purchase taxes they were spared [nominal NOK of each year] over
    the years ``window`` (year indices) and ``municipalities``, draw 0: the new cars and the relief that
    ``framtid costs`` counts (``costs_transport.new_cars``, ``bev_tax_relief``)."""
    from .measures import costs_transport
    from .prices import to_real_2009

    bev = view.record["new_car_share"][..., dims.POWERTRAINS.index("bev")] * costs_transport.new_cars(view)
    nominal = np.array([1.0 / to_real_2009(int(y)) for y in view.years])[:, None, None]   # real 2009 -> that year
    relief = costs_transport.bev_tax_relief(view) * nominal
    return (float(bev[window, 0, municipalities].sum()), float(relief[window, 0, municipalities].sum()))


def _lever_path(base, name: str) -> np.ndarray:
    """Lever ``name`` year by year under ``base``'s measures, by municipality ``(T, M)``."""
    from .measures import lever_paths

    return lever_paths(list(base.measures), np.array(dims.YEARS), 1)[name][:, 0]


def _lever_in(base, name: str, year: int) -> np.ndarray:
    """The value of lever ``name`` in ``year`` under ``base``'s measures, by municipality ``(M,)``."""
    return _lever_path(base, name)[year - dims.BASE_YEAR]


def _cut(base, target: GrantTarget):
    """``base`` with the battery-electric cars' VAT exemption cut by ``target.change`` over its window in every
    municipality (from its level in the window's first year, held through the window), and restored after it."""
    from .measures import KINDS
    from .measures.base import programmatic

    def measure(municipality, year, value, label):
        return programmatic(KINDS["ev_incentives"], (municipality,), year, {"vat_exemption": float(value)}, label,
                            "framtid grants", dims.BASE_YEAR)

    path = _lever_path(base, "bev_vat_exemption")                      # the scenario's exemption, year by year
    level = path[target.first_year - dims.BASE_YEAR]
    label = f"VAT exemption {100 * target.change:+.0f} %"
    cut = [measure(m, target.first_year, level[i] * (1.0 + target.change), label)
           for i, m in enumerate(dims.MUNICIPALITIES)]
    if target.last_year < dims.FINAL_YEAR:
        after = path[target.last_year + 1 - dims.BASE_YEAR]
        cut += [measure(m, target.last_year + 1, after[i], "VAT exemption restored")
                for i, m in enumerate(dims.MUNICIPALITIES)]
    return dataclasses.replace(base, name=f"{base.name}+{label}", measures=base.measures + tuple(cut))


READERS = {"bev_purchase_relief": (_cut, _bev_purchase_relief)}


def implied(municipality: str | None = None, scenario=None) -> list[dict]:
    """The model's extra adopters per 100 MNOK beside each target, one row per grant: ``municipality``'s own
    adopters and money (default: the 13 together) under the grant cut in all 13; ``scenario`` is the base
    (default: the shipped reference)."""
    from .api import run_scenario
    from .measures.costing import RunView
    from .scenario import load

    if municipality is not None and municipality not in dims.MUNICIPALITIES:
        raise UsageError(f"--municipality: unknown id {municipality!r}; "
                         f"{did_you_mean(municipality, dims.MUNICIPALITIES)}allowed: "
                         f"{', '.join(dims.MUNICIPALITIES)}")
    munis = list(range(len(dims.MUNICIPALITIES))) if municipality is None else \
        [dims.MUNICIPALITIES.index(municipality)]
    base = scenario or load("framtid:reference")
    base_view = RunView.of(run_scenario(base))
    rows = []
    for t in targets():
        cut, read = READERS[t.quantity]
        window = slice(t.first_year - dims.BASE_YEAR, t.last_year - dims.BASE_YEAR + 1)
        (n0, g0), (n1, g1) = (read(view, window, munis) for view in (base_view, RunView.of(run_scenario(cut(base, t)))))
        value = adopters_per_money((n0, n1), (g0, g1))
        rows.append({"quantity": t.quantity, "response": t.response, "instrument": t.instrument,
                     "window": f"{t.first_year}-{t.last_year}", "change": t.change, "adopters_with": n0,
                     "adopters_less": n1, "money_with_nok": g0, "money_less_nok": g1, "implied": value,
                     "low": t.low, "high": t.high, "central": t.central,
                     "in_range": bool(t.low <= value <= t.high) if value == value else None, "source": t.source})
    return rows
