"""Population projection: observed inhabitants, then a default path and scenario overrides.

Population is an exogenous driver. Between observations the path is interpolated
log-linearly (constant growth rate within each interval), so observed years are
reproduced exactly. After the last observation the annual growth rate of each
municipality moves linearly from its recent observed rate to a common long-run
rate, then stays there: big-city growth in Norway has been well above the national
rate, and Statistics Norway's national projections slow down towards a few tenths
of a percent a year by the 2040s, so a permanent extrapolation of recent growth
would overstate 2050 population.

A scenario may replace the default path with its own figures ("anchors", e.g. a
municipality's planning projection for 2030 and 2040); the path then passes
through them log-linearly and keeps the default growth rates after the last one.

All functions are pure: arrays in, arrays out, shapes ``(D, M, T)`` with the draw
axis first.
"""

from __future__ import annotations

import numpy as np


def log_interpolate(knot_years: np.ndarray, knot_values: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Log-linear interpolation between knots (constant growth rate in each interval).

    ``P(y) = P_j * (P_{j+1} / P_j) ** ((y - y_j) / (y_{j+1} - y_j))`` for
    ``y_j <= y <= y_{j+1}`` [same unit as ``knot_values``].

    knot_years: ``(K,)`` increasing, ``K >= 2``; knot_values: ``(..., K)`` positive;
    years: ``(T,)`` within ``[knot_years[0], knot_years[-1]]``. Returns ``(..., T)``.
    Knot years are reproduced exactly.
    """
    knot_years = np.asarray(knot_years, dtype=float)
    years = np.asarray(years, dtype=float)
    j = np.clip(np.searchsorted(knot_years, years, side="right") - 1, 0, len(knot_years) - 2)
    w = (years - knot_years[j]) / (knot_years[j + 1] - knot_years[j])
    v0 = knot_values[..., j]
    out = v0 * (knot_values[..., j + 1] / v0) ** w
    # At the last knot w == 1 and the power can be one ulp off; observed values
    # must come back exactly.
    out[..., years == knot_years[-1]] = knot_values[..., -1:]
    return out


def recent_growth(obs_years: np.ndarray, obs_values: np.ndarray) -> np.ndarray:
    """Compound annual growth rate between the last two observations [1/yr].

    ``r = (P_K / P_{K-1}) ** (1 / (y_K - y_{K-1})) - 1``; obs_values ``(M, K)`` -> ``(M,)``.
    """
    span = float(obs_years[-1] - obs_years[-2])
    return (obs_values[:, -1] / obs_values[:, -2]) ** (1.0 / span) - 1.0


def converging_growth_index(start_rate: np.ndarray, long_run_rate: np.ndarray,
                            convergence_years: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """Population relative to the start year when the growth rate converges linearly.

    The growth rate of the k-th year after the start is
    ``g_k = r0 + (g_lr - r0) * min(k / C, 1)`` [1/yr], so it reaches the long-run rate
    after ``C`` years (at once if ``C <= 0``); the index is ``prod_{j<=k} (1 + g_j)`` [1].

    start_rate: ``(M,)`` or ``(D, M)`` [1/yr]; long_run_rate, convergence_years: ``(D,)`` [1/yr], [yr];
    steps: ``(T,)`` whole years after the start, ``>= 0``. Returns ``(D, M, T)``, 1 at step 0.
    """
    steps = np.asarray(steps, dtype=int)
    k = np.arange(1, int(steps.max(initial=0)) + 1, dtype=float)
    conv = np.asarray(convergence_years, dtype=float)[:, None]
    frac = np.ones((conv.shape[0], k.size))
    np.divide(k[None, :], conv, out=frac, where=conv > 0)
    frac = np.minimum(frac, 1.0)
    r0 = np.atleast_2d(np.asarray(start_rate, dtype=float))[:, :, None]
    g = r0 + (np.asarray(long_run_rate, dtype=float)[:, None, None] - r0) * frac[:, None, :]
    index = np.concatenate([np.ones(g.shape[:2] + (1,)), np.cumprod(1.0 + g, axis=-1)], axis=-1)
    return index[..., steps]


def _check_observations(obs_years: np.ndarray, obs_values: np.ndarray, years: np.ndarray) -> None:
    if obs_years.ndim != 1 or obs_years.size == 0:
        raise ValueError("population observations: obs_years must be a non-empty 1-D array")
    if np.any(np.diff(obs_years) <= 0):
        raise ValueError(f"population observations: years must increase strictly, got {obs_years.tolist()}")
    if obs_values.ndim != 2 or obs_values.shape[1] != obs_years.size:
        raise ValueError(f"population observations: values must have shape (M, {obs_years.size}), "
                         f"got {obs_values.shape}")
    if not np.all(np.isfinite(obs_values) & (obs_values > 0)):
        raise ValueError("population observations: every value must be a positive number")
    if years.min() < obs_years[0]:
        raise ValueError(f"population: projection starts in {int(years.min())}, before the first "
                         f"observation ({int(obs_years[0])})")


def project_population(obs_years: np.ndarray, obs_values: np.ndarray, years: np.ndarray,
                       long_run_growth: np.ndarray, convergence_years: np.ndarray) -> np.ndarray:
    """Default population path [inhabitants on 1 January], shape ``(D, M, T)``.

    Inside the observed span: log-linear interpolation between observations.
    After the last observation ``L``: ``P(L + k) = P(L) * prod_{j<=k} (1 + g_j)`` with
    ``g_j = r0 + (g_lr - r0) * min(j / C, 1)``, ``r0`` the municipality's compound growth
    rate between its last two observations (``g_lr`` from the start if there is only
    one observation).

    obs_years: ``(K,)`` increasing; obs_values: ``(M, K)`` [inhabitants];
    years: ``(T,)``, not before the first observation;
    long_run_growth: ``(D,)`` [1/yr]; convergence_years: ``(D,)`` [yr].
    Parameters: ``land_use.population_growth_long_run``, ``land_use.population_convergence_years``.
    """
    obs_years = np.asarray(obs_years)
    obs_values = np.asarray(obs_values, dtype=float)
    years = np.asarray(years)
    long_run_growth = np.asarray(long_run_growth, dtype=float)
    _check_observations(obs_years, obs_values, years)
    n_draws, n_munis = long_run_growth.shape[0], obs_values.shape[0]
    last = obs_years[-1]
    path = np.empty((n_draws, n_munis, years.size))

    inside = years < last
    if inside.any():
        path[:, :, inside] = log_interpolate(obs_years, obs_values, years[inside])[None]

    after = ~inside
    if after.any():
        if obs_years.size >= 2:
            start = recent_growth(obs_years, obs_values)
        else:
            # No observed trend to start from: grow at the long-run rate at once.
            start = np.broadcast_to(long_run_growth[:, None], (n_draws, n_munis))
        index = converging_growth_index(start, long_run_growth, convergence_years, years[after] - last)
        path[:, :, after] = obs_values[None, :, -1:] * index
    return path


def apply_anchors(path: np.ndarray, years: np.ndarray, last_observed_year: int,
                  anchors: dict[int, dict[int, float]]) -> np.ndarray:
    """Scenario override of the population path through given future values.

    ``anchors[m] = {year: inhabitants, ...}`` for municipality index ``m``. Between the
    last observed year and the first anchor, and between anchors, the path is
    log-linear; after the last anchor ``a`` it keeps the default growth:
    ``P'(t) = P'(a) * P(t) / P(a)``. Years up to the last observation are unchanged.

    path: ``(D, M, T)`` default path [inhabitants]; years: ``(T,)``. Returns a new array.
    Raises ValueError for anchors at or before the last observation, outside ``years``,
    non-positive, or for an unknown municipality index.
    """
    years = np.asarray(years)
    out = np.array(path, dtype=float, copy=True)
    if last_observed_year not in years:
        raise ValueError(f"population anchors: last observed year {last_observed_year} "
                         "is not in the projection years")
    i_last = int(np.flatnonzero(years == last_observed_year)[0])
    n_munis = path.shape[1]
    for m, points in anchors.items():
        if not points:
            continue
        if not 0 <= m < n_munis:
            raise ValueError(f"population anchors: municipality index {m} outside 0..{n_munis - 1}")
        anchor_years = sorted(points)
        early = [y for y in anchor_years if y <= last_observed_year]
        if early:
            raise ValueError(f"population anchors for municipality {m}: year(s) {early} at or before the last "
                             f"observed year {last_observed_year}; anchors can only set future population")
        outside = [y for y in anchor_years if y not in years]
        if outside:
            raise ValueError(f"population anchors for municipality {m}: year(s) {outside} outside the projection "
                             f"years {int(years[0])}-{int(years[-1])}")
        values = np.array([points[y] for y in anchor_years], dtype=float)
        if not np.all(np.isfinite(values) & (values > 0)):
            raise ValueError(f"population anchors for municipality {m}: inhabitants must be positive numbers")

        knot_years = np.array([last_observed_year] + anchor_years)
        knot_values = np.concatenate(
            [path[:, m, i_last:i_last + 1], np.broadcast_to(values, (path.shape[0], values.size))], axis=1)
        between = (years > last_observed_year) & (years <= anchor_years[-1])
        out[:, m, between] = log_interpolate(knot_years, knot_values, years[between])

        i_anchor = int(np.flatnonzero(years == anchor_years[-1])[0])
        later = years > anchor_years[-1]
        out[:, m, later] = values[-1] * path[:, m, later] / path[:, m, i_anchor:i_anchor + 1]
    return out
