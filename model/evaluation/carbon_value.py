"""The carbon price a measure's abatement is valued at: the CBA carbon price paths (central, low, high;
``model/data/carbon_price_path.csv``, 2023 NOK, read into real 2009 NOK) and their value per tonne of a measure,
weighted by when it abates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import dims
from ..data_store import data_path, read_rows
from ..errors import DataError
from .discounting import present_value

CARBON_PRICE_FILE = "carbon_price_path.csv"
CARBON_SERIES = ("central", "low", "high")


def weighted_price(price, abatement, years, rate: float, year_from: int, year_to: int) -> np.ndarray:
    """The carbon value of a measure's timing [NOK/t]: PV(price x abatement) / PV(abatement); the
    discounted mean price over the window where the measure abates nothing."""
    a = np.asarray(abatement, dtype=float)
    p = np.asarray(price, dtype=float).reshape((-1,) + (1,) * (a.ndim - 1))
    tonnes = present_value(a, years, rate, year_from, year_to)
    plain = present_value(np.broadcast_to(p, a.shape), years, rate, year_from, year_to) / present_value(
        np.ones(a.shape), years, rate, year_from, year_to)
    return np.where(tonnes > 0, present_value(p * a, years, rate, year_from, year_to)
                    / np.where(tonnes > 0, tonnes, 1.0), plain)


def carbon_price_rows(path: Path | None = None) -> dict[str, dict[int, float]]:
    """The embedded carbon price paths {series: {year: NOK/t CO2 in 2023 NOK}}."""
    path = path or data_path(CARBON_PRICE_FILE)
    out: dict[str, dict[int, float]] = {}
    for line, row in read_rows(path, ("series", "year", "value", "unit", "price_year", "source")):
        where = f"{path.name}: line {line}"
        if row["series"] not in CARBON_SERIES:
            raise DataError(f"{where}: series {row['series']!r} not one of {', '.join(CARBON_SERIES)}")
        try:
            year, value, price_year = int(row["year"]), float(row["value"]), int(row["price_year"])
        except ValueError:
            raise DataError(f"{where}: year, value and price_year must be numbers") from None
        if price_year != 2023 or not row["source"].strip():
            raise DataError(f"{where}: every row must be in 2023 NOK and name its source")
        out.setdefault(row["series"], {})[year] = value
    missing = [s for s in CARBON_SERIES if s not in out]
    if missing:
        raise DataError(f"{path.name}: no rows for series {', '.join(missing)}")
    return out


def carbon_price_path(series: str = "central", years=dims.YEARS, path: Path | None = None) -> np.ndarray:
    """Carbon price for cost-benefit analysis over ``years`` [real 2009 NOK/t CO2e]: the embedded
    path (2023 NOK) linearly interpolated between its years, held at its first year before it
    (2023: the path starts there) and at its last year after it, times ``prices.to_real_2009(2023)``."""
    from ..prices import to_real_2009

    rows = carbon_price_rows(path)[series]
    known = sorted(rows)
    return np.interp(np.asarray(years, dtype=float), known, [rows[y] for y in known]) * to_real_2009(2023)


def carbon_value_outside(abatement, prices: dict, years, rate: float, y0: int, y1: int) -> bool:
    """Whether the carbon value per net tonne of an abatement path ``(T, D)`` (its mean over the draws), weighted
    as :func:`weighted_price` does, lies outside one of the ``prices`` paths' range over the window: where the
    measure abates in some years and adds emissions in others (slower battery-electric uptake later), so that
    its value is no price of the path."""
    window = (np.asarray(years) >= y0) & (np.asarray(years) <= y1)
    mean = np.asarray(abatement, dtype=float).mean(axis=1, keepdims=True)
    for p in prices.values():
        value = float(weighted_price(p, mean, years, rate, y0, y1)[0])
        low, high = float(np.min(p[window])), float(np.max(p[window]))
        if not low - 1e-6 * abs(low) <= value <= high + 1e-6 * abs(high):
            return True
    return False
