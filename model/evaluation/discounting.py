"""The arithmetic of an appraisal: discounting to the first year of a window, totals, cost per tonne and the
order of a marginal abatement cost curve (pure functions; ``costs.py`` says what they are applied to).

    PV(x) = sum_{t=Y0..Y1} x_t / (1 + r)^(t - Y0)        with r the real discount rate [1/yr]
"""

from __future__ import annotations

import numpy as np


def discount_factors(years, rate: float, base_year: int) -> np.ndarray:
    """(1 + r)^-(t - base_year) for each year t [1]."""
    t = np.asarray(years, dtype=float)
    return (1.0 + float(rate)) ** -(t - base_year)


def window_mask(years, year_from: int, year_to: int) -> np.ndarray:
    """Years inside the appraisal window, bool over ``years``."""
    y = np.asarray(years)
    return (y >= year_from) & (y <= year_to)


def present_value(stream, years, rate: float, year_from: int, year_to: int) -> np.ndarray:
    """Present value in ``year_from`` of a yearly stream over the window [NOK]: the sum over
    ``year_from <= t <= year_to`` of x_t / (1 + r)^(t - year_from). ``stream`` has years on axis 0."""
    x = np.asarray(stream, dtype=float)
    w = discount_factors(years, rate, year_from) * window_mask(years, year_from, year_to)
    return np.tensordot(w, x, axes=(0, 0))


def total(stream, years, year_from: int, year_to: int) -> np.ndarray:
    """Undiscounted sum of a yearly stream over the window (years on axis 0)."""
    return present_value(stream, years, 0.0, year_from, year_to)


def cost_per_tonne(cost, tonnes) -> np.ndarray:
    """Cost per tonne abated [NOK/t CO2e]; NaN where nothing is abated (tonnes <= 0)."""
    cost, tonnes = np.asarray(cost, dtype=float), np.asarray(tonnes, dtype=float)
    return np.where(tonnes > 0, cost / np.where(tonnes > 0, tonnes, 1.0), np.nan)


def mac_curve(nok_per_t, widths) -> list[tuple[int, float, float, float]]:
    """Order of a marginal abatement cost curve: (index, left edge, right edge, height) for every
    entry with a finite cost and positive width, cheapest first (ties keep their order)."""
    heights, widths = np.asarray(nok_per_t, dtype=float), np.asarray(widths, dtype=float)
    keep = [i for i in range(len(heights)) if np.isfinite(heights[i]) and widths[i] > 0]
    keep.sort(key=lambda i: heights[i])
    out, left = [], 0.0
    for i in keep:
        out.append((i, left, left + float(widths[i]), float(heights[i])))
        left += float(widths[i])
    return out
