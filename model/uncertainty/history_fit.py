"""Each sampled draw fitted to the battery-electric history: the maturity gain that reproduces the new-car
sales of 2018-2024 under the policies actually in force.

Every draw is calibrated to the 2009 inventory (``calibration.py``), but the battery-electric path of the
years since is known too, and the draws' parameters do not hold it: the weight of cost, the price premium
and its fall, the maturity path and the peer and charging terms are each sampled over their own range, and
together they gave the 13's new cars a battery-electric share of 12-85 % in 2018 (observed nationally 31 %)
and 34-100 % in 2024 (observed 90 %), so that the ranges of car emissions rested on draws history has ruled
out. As 2009 is fitted in each draw, so is this history: each draw's ``transport.maturity_amplitude.bev``
(the utility that range, model choice and charging add to a battery-electric car; methods §1.5) is the one
with which the policy history (``framtid:current-policies``, whatever scenario is run, so that a scenario's
own policies are not fitted away) misses the observed sales on average as the default path does,

    R(A) = mean over the observed years y of [logit s_y(A) - logit o_y] = R_default,

with s_y the car-stock weighted battery-electric share of the 13's new cars and o_y the national share
(``observations.csv``, ``bev_share_of_new_cars``; the same comparison as ``tools/fit_ev_uptake.py``, which
fitted the default path by least squares on the shares, leaving R_default = -0.039, a path 1-3 points
below the observed shares). Aiming at the default's own misfit rather than at zero keeps the ensemble
centred where the single run is, and an ensemble whose every range is collapsed equal to that run. The
shape of the path (the maturity midpoint and rate, the premium's fall) stays sampled, so the draws still
spread around the history (5-95 % of 64 draws: 22-49 % in 2018, 78-92 % in 2024). R rises with A (A moves
every battery-electric utility of the observed years up by the maturity path's share g_y there), so one
Newton step from the default value with dR/dA = mean g_y and one secant step solve it: |R - R_default|
below 0.03 in logit in most draws, at most about 0.06 (5 of 1 024 LHS draws above 0.03), a fraction of a
percentage point of share (two runs of the policy history to 2024 per batch of draws;
tests/test_history_fit.py). A draw whose other parameters overshoot the history even without any maturity
gain stays at A = 0 with its misfit (2 of 1 024 LHS draws of seed 3, +0.61 and +0.20 in logit): history rules it
out less clearly than it does the rest, and it is kept rather than resampled, so that the draws stay those of
the sample.

A draw's fit depends on its own parameters only, so it is the same in every chunk and on every worker;
the single run at default parameters is not refitted (its path is the fit of ``tools/fit_ev_uptake.py``).
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from .. import dims

AMPLITUDE = "transport.maturity_amplitude.bev"
# [1] the amplitudes a fit may take: from none to far beyond any seen (64 draws: 0.8 to 10)
BOUNDS = (0.0, 30.0)
HISTORY = "framtid:current-policies"


@lru_cache(maxsize=1)
def observed_sales() -> tuple[np.ndarray, np.ndarray]:
    """The years and the national battery-electric shares of new cars [1] the draws are fitted to."""
    from ..data_store import observations

    rows = sorted((o.year, o.value) for o in observations()
                  if o.municipality == "norway" and o.variable == "bev_share_of_new_cars")
    return np.array([y for y, _ in rows]), np.array([v for _, v in rows])


def logit(p: np.ndarray) -> np.ndarray:
    """ln(p / (1 - p)) of shares held inside (0, 1)."""
    p = np.clip(p, 1e-9, 1.0 - 1e-9)
    return np.log(p / (1.0 - p))


def new_car_bev_share(params, years: np.ndarray) -> np.ndarray:
    """The car-stock weighted battery-electric share of the 13's new cars [1] in ``years`` ``(Y, D)`` under the
    policy history with ``params`` (the run stops after the last of the years)."""
    from ..scenario import load
    from ..simulation import FramtidModel

    # transport alone each year: the new cars are transport's, and no submodel it reads comes after it
    model = FramtidModel(load(HISTORY), params, through="transport", recorded=("new_car_share", "car_stock"))
    try:
        for _ in range(int(years.max()) - dims.BASE_YEAR + 1):
            model.step()
        k = years - dims.BASE_YEAR
        bev = model.record["new_car_share"][k, :, :, dims.POWERTRAINS.index("bev")]      # (Y, D, M)
        stock = model.record["car_stock"][k].sum(axis=-1)                                 # (Y, D, M)
        return (bev * stock).sum(axis=-1) / stock.sum(axis=-1)
    finally:
        model.release()
        # a model holds reference cycles (agents and their model) that only the cyclic collector frees: collected
        # here, the history's runs do not stay in memory beside the scenario's own (as ensemble.run_chunk does)
        del model
        gc.collect()


def misfit(params) -> np.ndarray:
    """R: the mean over the observed years of the logit of the modelled less the observed share ``(D,)``."""
    years, observed = observed_sales()
    return (logit(new_car_bev_share(params, years)) - logit(observed)[:, None]).mean(axis=0)


@lru_cache(maxsize=1)
def default_misfit() -> float:
    """R at the default parameters: what each draw is fitted to."""
    from ..parameters import Params

    return float(misfit(Params.defaults(1))[0])


def maturity_share(params) -> np.ndarray:
    """dR/dA: the mean over the observed years of the logistic maturity path's share of its amplitude ``(D,)``
    (the change of R with A, all else held)."""
    years, _ = observed_sales()
    rate = params["transport.maturity_rate.bev"]
    midpoint = params["transport.maturity_midpoint.bev"]
    return (1.0 / (1.0 + np.exp(-rate[None, :] * (years[:, None] - midpoint[None, :])))).mean(axis=0)


def fit_amplitude(params):
    """``params`` with each draw's ``transport.maturity_amplitude.bev`` fitted to the observed sales (R at
    :func:`default_misfit`): one Newton step from the value given (dR/dA = :func:`maturity_share`), then one
    secant step on the two runs."""
    target = default_misfit()
    a0 = params[AMPLITUDE].copy()
    r0 = misfit(params) - target
    slope = maturity_share(params)
    a1 = np.clip(a0 - r0 / slope, *BOUNDS)
    r1 = misfit(params.with_overrides({AMPLITUDE: a1})) - target
    moved = np.abs(a1 - a0) > 1e-9
    secant = (r1 - r0) / np.where(moved, a1 - a0, 1.0)
    # R rises with A: a secant that does not (a draw pinned at a bound) keeps the Newton slope
    slope = np.where(moved & (secant > 0), secant, slope)
    return params.with_overrides({AMPLITUDE: np.clip(a1 - r1 / slope, *BOUNDS)})


# Fitted amplitudes by ensemble, chunk and overrides: every scenario of a batch (paired draws) takes the same
_FITTED: dict[tuple, np.ndarray] = {}


def fitted_to_history(params, overrides: Mapping[str, float], key: tuple | None = None):
    """``params`` with each draw's battery-electric maturity gain fitted to the new-car sales 2018-2024
    (:func:`fit_amplitude`), unless the scenario's ``[parameters]`` set it. ``key``
    names a sample of the packaged table whose fit is kept for the other scenarios of its batch."""
    if AMPLITUDE in overrides or AMPLITUDE not in params:
        return params
    known = _FITTED.get(key) if key is not None else None     # .get: another thread may clear the cache
    if known is not None:
        return params.with_overrides({AMPLITUDE: known})
    fitted = fit_amplitude(params)
    if key is not None:
        if len(_FITTED) >= 16:
            _FITTED.clear()
        _FITTED[key] = fitted[AMPLITUDE].copy()
    return fitted
