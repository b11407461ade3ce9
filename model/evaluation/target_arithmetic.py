"""The arithmetic of targets (pure functions; ``targets.py`` sets a result against the targets with them):
a target value from a base and a change, a national target set against a municipality by a rule, the gap,
the first year met, the average annual cut still needed, and over draws the share of draws that meet a
target, the chance that the inventory shows it met and the median first year met.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import UsageError

RULES = ("share", "per-capita", "non-ets")   # how a national target is set against a municipality


def target_value(base_value: float, change: float) -> float:
    """Target level [unit of ``base_value``] = base value x (1 + relative change [1])."""
    return base_value * (1.0 + change)


def national_rule_value(rule: str, value_2009: float, change_from_2009: float, population_2009: float = 1.0,
                        population_target: float = 1.0) -> float:
    """A national target set against one municipality [unit of ``value_2009``, e.g. t CO2e/yr].

    ``share`` and ``non-ets``: X_2009 (1 + r); ``per-capita``: X_2009 / P_2009 (1 + r) P_T, with r the
    national path's relative change from 2009 [1] and P residents [1]. (Which sources make X is the
    caller's: all, or the non-ETS ones.)
    """
    if rule not in RULES:
        raise UsageError(f"--national-rule: {rule!r} is not a rule; allowed: {', '.join(RULES)}")
    if rule == "per-capita":
        return value_2009 / population_2009 * (1.0 + change_from_2009) * population_target
    return value_2009 * (1.0 + change_from_2009)


def gap(modelled: float, target: float) -> float:
    """Distance to the target [unit of the values]: modelled - target (positive: above it, not met)."""
    return modelled - target


def first_year_met(years, values, target: float, after: int, target_year: int | None = None) -> int | None:
    """The first year after ``after`` whose value is at or below ``target`` [year], None if none is.

    With ``target_year``, the year from which the target stays met through the target year: a target
    met in its own year is met from the year after its last miss before it (a dip below the target
    that rose above it again before the target year does not count: a zero-growth index below 1 in
    2020, above it 2021-2029 and below it in 2030 is met from 2030); one missed in its own year is met
    only in that year or later, the first year from the target year on at or below it."""
    if target_year is not None:
        by_year = dict(zip((int(y) for y in years), values))
        if target_year in by_year and not by_year[target_year] <= target:
            after = max(after, target_year - 1)
        elif target_year in by_year:
            missed = [y for y, v in by_year.items() if after < y < target_year and not v <= target]
            after = max([after] + missed)
    for year, value in zip(years, values):
        if year > after and value <= target:
            return int(year)
    return None


def annual_cut_needed(value_from: float, target: float, from_year: int, target_year: int) -> float | None:
    """Average annual relative cut c [1/yr] that takes ``value_from`` in ``from_year`` to ``target`` in
    ``target_year``: value_from (1 - c)^n = target, n = target_year - from_year, so
    c = 1 - (target / value_from)^(1/n). Negative when the value may still grow; 1 for a target of zero
    or less; None when n < 1 or there is nothing to cut from (value_from <= 0)."""
    n = target_year - from_year
    if n < 1 or not value_from > 0:
        return None
    if target <= 0:
        return 1.0
    return 1.0 - (target / value_from) ** (1.0 / n)


def share_met(modelled, target) -> float:
    """P(met): the share of draws [1] whose modelled value is at or below their own target value
    (arrays over draws (D,), e.g. kt CO2e/yr in the target year); 30 of 100 draws below -> 0.30."""
    modelled, target = np.asarray(modelled, dtype=float), np.asarray(target, dtype=float)
    return float(np.mean(modelled <= target))


def share_met_inventory(modelled, target, log_variance) -> float:
    """P(the inventory shows the target met) [1]: the mean over draws of P(X <= target) for an inventory
    value X lognormal about the draw's modelled value with the discrepancy's log variance
    (``uncertainty.discrepancy``; arrays over draws (D,)); where the variance is 0, whether the draw
    meets it. One draw at 100 against a target of 90 with log variance 0.01: Phi(ln 0.9 / 0.1) = 0.146."""
    modelled, target = np.asarray(modelled, dtype=float), np.asarray(target, dtype=float)
    v = np.broadcast_to(np.asarray(log_variance, dtype=float), modelled.shape)
    met = (modelled <= target).astype(float)
    ok = (v > 0) & (modelled > 0) & (target > 0)
    z = np.log(np.where(ok, target, 1.0) / np.where(ok, modelled, 1.0)) / np.sqrt(np.where(ok, v, 1.0))
    phi = 0.5 * (1.0 + _ERF(z / math.sqrt(2.0)))     # the standard normal's distribution function
    return float(np.mean(np.where(ok, phi, np.where((v > 0) & (target <= 0) & (modelled > 0), 0.0, met))))


_ERF = np.vectorize(math.erf, otypes=[float])   # numpy has no erf, and scipy.special costs 16 MB to import


def median_first_year(firsts: list[int | None], years) -> int | None:
    """The median over draws of the first year met [year]: the first year by which at least half of
    the draws have met the target (a draw that never meets it counts as later than every year), so
    it is a year of the run; None when fewer than half the draws ever meet it. One draw: its year."""
    for year in years:
        if sum(f is not None and f <= year for f in firsts) * 2 >= len(firsts):
            return int(year)
    return None
