"""A grid search whose candidates run as the draws of one model run.

A run of the model carries a draw axis, and every draw is computed alike whether it runs alone or in a batch:
so a grid of candidate values costs one run, not one per candidate. The search lays a grid over the
parameters' ranges, keeps the best candidate, lays a finer grid over the cells beside it, and so on. It finds
the least misfit to the last grid's spacing (range / (points - 1) / ((points - 1) / 2) ** (rounds - 1)), as long
as the misfit has one valley within a grid cell of the first grid's best point; it stays within the ranges, and
says when the best value lies on a bound.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np


@dataclass(frozen=True)
class Found:
    """The best candidate of a search, its misfit and whether each parameter lies on a bound of its range."""

    values: tuple[float, ...]
    misfit: float
    on_bound: tuple[bool, ...]
    evaluated: int          # candidates run


def _ranges(bounds: Sequence[tuple[float, float]], points: int, rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """The low and high ends ``(P,)`` of ``bounds``, once the grid's ``points`` and ``rounds`` are checked."""
    if points < 3 or points % 2 == 0 or rounds < 1:
        raise ValueError(f"grid_search: points must be odd and at least 3, rounds at least 1; got {points}, {rounds}")
    return np.array([b[0] for b in bounds], dtype=float), np.array([b[1] for b in bounds], dtype=float)


def _narrowed(best: np.ndarray, box_low: np.ndarray, box_high: np.ndarray, points: int, low: np.ndarray,
              high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The next round's box: the cells beside ``best`` on this round's grid, within the range."""
    step = (box_high - box_low) / (points - 1)
    return np.maximum(best - step, low), np.minimum(best + step, high)


def _on_bound(value: float, low: float, high: float) -> bool:
    # The grid's ends and a box clipped to the range are the bounds themselves; a point a step inside is not on one
    return bool(min(value - low, high - value) <= 1e-9 * (high - low))


def grid_search(misfits: Callable[[np.ndarray], np.ndarray], bounds: Sequence[tuple[float, float]],
                points: int, rounds: int) -> Found:
    """The candidate of least misfit. ``misfits(candidates)`` takes ``(K, P)`` values and returns ``(K,)``
    misfits; ``bounds``: the range of each of the P parameters; ``points`` per parameter and round (odd, so
    that a finer grid is centred on the best point); ``rounds`` of refinement."""
    low, high = _ranges(bounds, points, rounds)
    box_low, box_high = low.copy(), high.copy()
    best, best_misfit, evaluated = None, np.inf, 0
    for _ in range(rounds):
        axes = [np.linspace(a, b, points) for a, b in zip(box_low, box_high)]
        candidates = np.array(list(itertools.product(*axes)))
        values = np.asarray(misfits(candidates), dtype=float)
        evaluated += len(candidates)
        if not np.isfinite(values).any():
            raise ValueError(f"grid_search: no candidate of {len(candidates)} has a finite misfit")
        k = int(np.nanargmin(np.where(np.isfinite(values), values, np.nan)))
        if values[k] < best_misfit:      # a finer grid holds the best point again: it never gets worse
            best, best_misfit = candidates[k], float(values[k])
        box_low, box_high = _narrowed(best, box_low, box_high, points, low, high)
    on_bound = tuple(_on_bound(v, a, b) for v, a, b in zip(best, low, high))
    return Found(tuple(float(v) for v in best), best_misfit, on_bound, evaluated)


def grid_search_each(misfits: Callable[[np.ndarray], np.ndarray], bounds: Sequence[tuple[float, float]],
                     points: int, rounds: int) -> list[Found]:
    """:func:`grid_search` of P parameters that do not interact (each municipality's own factor), all in the same
    runs: ``misfits(candidates)`` takes ``(K, P)`` values and returns ``(K, P)`` misfits, column p depending on
    column p alone, so each round runs ``points`` candidates however many parameters there are, every column on
    its own grid."""
    low, high = _ranges(bounds, points, rounds)
    box_low, box_high = low.copy(), high.copy()
    best, best_misfit = np.full(len(bounds), np.nan), np.full(len(bounds), np.inf)
    for _ in range(rounds):
        candidates = np.linspace(box_low, box_high, points)                                   # (K, P)
        values = np.asarray(misfits(candidates), dtype=float)
        finite = np.isfinite(values)
        if not finite.any(axis=0).all():
            raise ValueError("grid_search_each: a parameter has no candidate with a finite misfit")
        k = np.nanargmin(np.where(finite, values, np.nan), axis=0)
        found = values[k, np.arange(len(bounds))]
        better = found < best_misfit     # a finer grid holds the best point again: it never gets worse
        best = np.where(better, candidates[k, np.arange(len(bounds))], best)
        best_misfit = np.where(better, found, best_misfit)
        box_low, box_high = _narrowed(best, box_low, box_high, points, low, high)
    return [Found((float(v),), float(f), (_on_bound(v, a, b),), points * rounds)
            for v, f, a, b in zip(best, best_misfit, low, high)]
