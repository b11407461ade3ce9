"""Each sampled draw fitted to the battery-electric history: the maturity gain that reproduces the new-car
sales of 2018-2024 under the policies actually in force.

Every draw is calibrated to the 2009 inventory (``calibration.py``), but the battery-electric path of the
years since is known too, and the draws' parameters do not hold it: the weight of cost, the price premium
and its fall, the maturity path and the peer and charging terms are each sampled over their own range, and
together they gave the 13's new cars a battery-electric share of 12-85 % in 2018 (at 0.8.0; observed nationally 31 %)
and 34-100 % in 2024 (observed 90 %), so that the ranges of car emissions rested on draws history has ruled
out. As 2009 is fitted in each draw, so is this history: each draw's ``transport.maturity_amplitude.bev``
(the utility that range, model choice and charging add to a battery-electric car; methods §1.5) is the one
with which the policy history (``framtid:current-policies``, whatever scenario is run, so that a scenario's
own policies are not fitted away) misses the observed sales on average as the default path does,

    R(A) = mean over the observed years y of [logit s_y(A) - logit o_y] = R_default,

with s_y the nation's battery-electric share of new cars as the model has it and o_y the observed national share
(``observations.csv``, ``bev_share_of_new_cars``). The model's nation is the 13 for their share of the nation's new
cars, w = ``transport.bev_sales_cities_weight`` (0.3; their car-stock weighted share), and for the rest buyers
without what the 13 give each powertrain locally (the tolls and parking fees it pays, the home charging their
denser zones lack: ``car_powertrains.local_advantage``): the run's new cars replayed with those advantages
taken off (:func:`.car_replay.replayed_new_cars`), so that the 13 may lead the nation, as they did (at w = 1, the
runs before 0.29.0, they stood for it and every local advantage only moved cars between them). The same
comparison as ``framtid calibrate``
(:mod:`..fitting`), which fitted the default path by least squares on the shares, leaving R_default = -0.045, a
path within 2.4 points of the observed shares: below them in 2018, 2022 and 2024, above in 2020, 2021 and 2023).
Aiming at the default's own misfit rather than at zero keeps the ensemble centred where the single run is, and an
ensemble whose every range is collapsed equal to that run. The shape of the path (the maturity midpoint and rate,
the premium's fall) stays sampled, so the draws still spread around the history (5-95 % of 64 draws of seed 1: the
13's new cars 23-63 % in 2018, 86-95 % in 2024). R rises with A (A moves
every battery-electric utility of the observed years up by the maturity path's share g_y there).

It is solved on one run of the policy history to 2024 per batch of draws, at the default value of A
(not sampled). The travel choice is what makes a run costly, and A moves the new-car choice almost alone: the run's
new-car shares by zone are replayed (:func:`replayed_bev_share`, :mod:`framtid.model.submodels.car_replay`) with
the battery-electric utility raised by the maturity gain of another A and by the peer term on the replayed
stock, and the car stock turned over with them, the run's travel, costs and car totals held. A Newton step from
the default value with dR/dA =
mean g_y, then secant steps on the replays, solve the replayed R = R_default to below 1e-5. What a replay
leaves out is the feedback of the battery-electric share on travel (the fleet's energy cost per km and its
average toll, congestion: more battery-electric cars, more car trips, whose tolls and parking battery-electric
cars are spared), about 0.005 in logit per unit of A moved from the default (5-95 % of 1 000 LHS draws:
0.002-0.01; A moves 5-95 %: -2.9 to +2.5; measured before 0.29.0). The nation's other buyers (0.7 of its new
cars) are a replay in the whole model too, so only the 13's part carries that feedback: |R - R_default| of the
whole model, with the fitted A, is below 0.03 in logit in every draw, a fraction of a percentage point of share
(1 000 LHS draws of seeds 0 and 1: median 0.001, largest 0.011; before 0.29.0, when the 13 stood for the nation,
median 0.004, 3 and 4 above 0.03, largest 0.034 and 0.045; tests/test_history_fit.py). A second whole run at the
Newton step's value with a secant step, as the fit did before, came closer (median 0.0004, 8 and 5 above 0.03,
largest 0.046 and 0.062; the amplitudes differ by at most 0.074, median 0.005) but took 5.2 s of the 1 000 draws'
set-up where this takes 3.0-3.2 s.
A draw whose other parameters overshoot the history even without any maturity
gain stays at A = 0 with its misfit (2 of 1 024 LHS draws of seed 3 before 0.19.0, +0.61 and +0.20 in logit;
none since): history rules it out less clearly than it does the rest, and it is kept rather than resampled, so
that the draws stay those of the sample.

A draw's fit depends on its own parameters only, so it is the same in every chunk and on every worker;
the single run at default parameters is not refitted (its path is the fit of ``framtid calibrate``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from .. import dims
from ..submodels.car_powertrains import CITIES_WEIGHT, cities_are_not_the_nation
from ..submodels.car_replay import (CarTrace, cars_alone, replayed_new_cars, replayed_stock_share, traced_year,
                                    without_local_advantage)
from ..submodels.transport_state import BEV

AMPLITUDE = "transport.maturity_amplitude.bev"
THROUGH = "transport.bev_sales_fitted_through"
# [1] the amplitudes a fit may take: from none to far beyond any seen (64 draws: 1.3 to 9.4)
BOUNDS = (0.0, 30.0)
HISTORY = "framtid:current-policies"
# Secant steps on the replays of the history's run: the replays' |R - R_default| falls below 1e-5 in four
# (1 000 LHS draws: 0.86, 0.055, 0.0013, 3e-6 after one to four)
REPLAYS = 4


@lru_cache(maxsize=1)
def _every_sale() -> tuple[np.ndarray, np.ndarray]:
    from ..data_store import observations

    rows = sorted((o.year, o.value) for o in observations()
                  if o.municipality == "norway" and o.variable == "bev_share_of_new_cars")
    return np.array([y for y, _ in rows]), np.array([v for _, v in rows])


def observed_sales(through: float = math.inf) -> tuple[np.ndarray, np.ndarray]:
    """The years and the national battery-electric shares of new cars [1] the draws are fitted to: those up to
    ``through``."""
    years, shares = _every_sale()
    kept = years <= through
    return years[kept], shares[kept]


def fitted_through(params) -> float:
    """The last year of the sales the draws of ``params`` are fitted to (``transport.bev_sales_fitted_through``,
    the same in every draw: a fit setting, not sampled; a hold-out sets it to its cut-off)."""
    return float(params[THROUGH][0]) if THROUGH in params else math.inf


def logit(p: np.ndarray) -> np.ndarray:
    """ln(p / (1 - p)) of shares held inside (0, 1)."""
    p = np.clip(p, 1e-9, 1.0 - 1e-9)
    return np.log(p / (1.0 - p))


def _history_run(params, last_year: int, traced: bool) -> tuple[np.ndarray, np.ndarray, CarTrace | None]:
    """A run of the policy history with ``params`` to ``last_year``: its new-car shares and car stock
    ``(Y + 1, D, M, K)`` [1], [cars] from 2009, and with ``traced`` what the replays read of it."""
    from ..scenario import load
    from ..simulation import FramtidModel

    # transport alone each year: the new cars are transport's, and no submodel it reads comes after it. Recording
    # the car fleet alone, transport turns over the cars alone and counts no passages (transport.advance's
    # cars_alone): nothing here reads the vans, trucks and buses or the cordons, and the cars are the same.
    model = FramtidModel(load(HISTORY), params, through="transport", recorded=("new_car_share", "car_stock"))
    try:
        model.step()
        start = cars_alone(model.state["transport"].stock) if traced else None
        choice, weights, targets, kept, local = [], [], [], [], []
        for _ in range(last_year - dims.BASE_YEAR):
            before = model.state["transport"].car_ownership
            model.step()
            if traced:
                for into, x in zip((choice, weights, targets, kept), traced_year(
                        model.state["transport"], model.choices["transport"]["cars"], before)):
                    into.append(x)
                local.append(model.choices["transport"]["local_advantage"])
        years = slice(0, last_year - dims.BASE_YEAR + 1)
        shares, stock = model.record["new_car_share"][years].copy(), model.record["car_stock"][years].copy()
        coefficients = model.state["transport"].fleet
        trace = CarTrace(coefficients, start, choice, weights, targets, kept, stock, local,
                         [without_local_advantage(c, a) for c, a in zip(choice, local)]) if traced else None
        return shares, stock, trace
    finally:
        # a model holds reference cycles (agents and their model): broken here, the history's runs do not stay in
        # memory beside the scenario's own (as ensemble.run_chunk does)
        model.dispose()


def _weighted(new_car_bev: np.ndarray, car_stock: np.ndarray, years: np.ndarray) -> np.ndarray:
    """The car-stock weighted battery-electric share of the 13's new cars [1] ``(Y, D)`` in ``years``, of the
    shares ``(T, D, M)`` [1] and the car stock by powertrain ``(T, D, M, K)`` [cars] from 2009."""
    k = years - dims.BASE_YEAR
    stock = car_stock[k].sum(axis=-1)                                                     # (Y, D, M)
    return (new_car_bev[k] * stock).sum(axis=-1) / stock.sum(axis=-1)


def _cities_weight(params) -> np.ndarray | None:
    """The 13's share of the nation's new cars ``(D,)`` [1] (``transport.bev_sales_cities_weight``), None where it
    is 1 in every draw (the 13 stand for the nation)."""
    w = params[CITIES_WEIGHT] if CITIES_WEIGHT in params else None
    return None if w is None or not cities_are_not_the_nation(w).any() else w


def _mixed(w: np.ndarray | None, cities: np.ndarray, elsewhere) -> np.ndarray:
    """The nation's share ``(Y, D)`` [1]: the 13's ``cities`` and, for the rest ``1 - w``, ``elsewhere()``'s."""
    return cities if w is None else w * cities + (1.0 - w) * elsewhere()


def new_car_bev_share(params, years: np.ndarray) -> np.ndarray:
    """The nation's battery-electric share of new cars [1] in ``years`` ``(Y, D)`` under the policy history with
    ``params`` (the run stops after the last of the years): the car-stock weighted share of the 13's new cars
    and, for the rest of the nation's buyers (``transport.bev_sales_cities_weight``), that of buyers without the
    13's local advantages (the run replayed without them, :func:`.car_replay.replayed_new_cars`)."""
    if _cities_weight(params) is not None:
        return traced_history(params, years)[0]
    shares, stock, _ = _history_run(params, int(years.max()), traced=False)
    return _weighted(shares[..., BEV], stock, years)


def car_stock_bev_share(params, years: np.ndarray) -> np.ndarray:
    """The nation's battery-electric share of the car stock [1] at the end of ``years`` ``(Y, D)`` under the policy
    history with ``params``: the 13's and that of the replay of the rest as :func:`new_car_bev_share`."""
    w = _cities_weight(params)
    _, stock, trace = _history_run(params, int(years.max()), traced=w is not None)
    k = years - dims.BASE_YEAR
    return _mixed(w, stock[k][..., BEV].sum(axis=-1) / stock[k].sum(axis=(-2, -1)),
                  lambda: _weighted(replayed_stock_share(trace, np.zeros(stock.shape[1]), elsewhere=True), stock,
                                    years))


def traced_history(params, years: np.ndarray) -> tuple[np.ndarray, CarTrace]:
    """:func:`new_car_bev_share`, with what :func:`replayed_bev_share` reads of the run."""
    shares, stock, trace = _history_run(params, int(years.max()), traced=True)
    w = _cities_weight(params)
    return _mixed(w, _weighted(shares[..., BEV], stock, years),
                  lambda: _weighted(replayed_new_cars(trace, np.zeros(stock.shape[1]), elsewhere=True), stock,
                                    years)), trace


def replayed_bev_share(trace: CarTrace, years: np.ndarray, shift: np.ndarray, w: np.ndarray | None
                       ) -> np.ndarray:
    """:func:`new_car_bev_share` ``(Y, D)`` [1] of the traced run with each draw's amplitude ``shift`` ``(D,)`` [1]
    higher, its travel and costs held (:func:`.car_replay.replayed_new_cars`), the 13's share ``w`` of the nation's
    new cars (:func:`_cities_weight` of the run's parameters; None: the 13 stand for the nation)."""
    return _mixed(w, _weighted(replayed_new_cars(trace, shift), trace.car_stock, years),
                  lambda: _weighted(replayed_new_cars(trace, shift, elsewhere=True), trace.car_stock, years))


def _misfit_of(share: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """R ``(D,)`` of the battery-electric shares of new cars ``(Y, D)`` [1] against the ``observed`` ``(Y,)``."""
    return (logit(share) - logit(observed)[:, None]).mean(axis=0)


def misfit(params) -> np.ndarray:
    """R: the mean over the observed years of the logit of the modelled less the observed share ``(D,)``."""
    years, observed = observed_sales(fitted_through(params))
    return _misfit_of(new_car_bev_share(params, years), observed)


# R of the single run, by the scenario's [parameters] (their repr: values may be lists)
_DEFAULT_MISFIT: dict[str, float] = {}


def default_misfit(overrides: Mapping[str, float] | None = None) -> float:
    """R of the single run at the default parameters with a scenario's ``[parameters]`` ``overrides``: what each
    draw of that scenario is fitted to, so that its ensemble stays centred where its single run is (and one
    whose every range is collapsed equals it, as the single run is not refitted)."""
    from ..parameters import Params

    overrides = dict(overrides or {})
    key = repr(sorted(overrides.items()))
    if key not in _DEFAULT_MISFIT:
        if len(_DEFAULT_MISFIT) >= 16:
            _DEFAULT_MISFIT.clear()
        _DEFAULT_MISFIT[key] = float(misfit(Params.defaults(1, overrides))[0])
    return _DEFAULT_MISFIT[key]


def maturity_share(params) -> np.ndarray:
    """dR/dA: the mean over the observed years of the logistic maturity path's share of its amplitude ``(D,)``
    (the change of R with A, all else held)."""
    years, _ = observed_sales(fitted_through(params))
    rate = params["transport.maturity_rate.bev"]
    midpoint = params["transport.maturity_midpoint.bev"]
    return (1.0 / (1.0 + np.exp(-rate[None, :] * (years[:, None] - midpoint[None, :])))).mean(axis=0)


def _step(a: np.ndarray, r: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """The amplitudes ``(D,)`` [1] a step on ``slope`` takes from ``a``, where R is ``r`` off, within the bounds; a
    draw whose R is off by no more than rounding keeps its amplitude to the bit (a draw at the default parameters
    is exactly on target, as a draw gives the same numbers alone and in a batch: the guard is a safety net)."""
    return np.where(np.abs(r) > 1e-12, np.clip(a - r / slope, *BOUNDS), a)


def fit_amplitude(params, target: float | None = None):
    """``params`` with each draw's ``transport.maturity_amplitude.bev`` fitted to the observed sales (R at
    ``target``, by default :func:`default_misfit` of the packaged defaults): one run of the policy history at the
    value given, then secant steps on replays of it (:func:`replayed_bev_share`), the first after a Newton step
    (dR/dA = :func:`maturity_share`)."""
    target = default_misfit() if target is None else target
    years, observed = observed_sales(fitted_through(params))
    a0 = params[AMPLITUDE].copy()
    share, trace = traced_history(params, years)
    before, r_before = a0, _misfit_of(share, observed) - target
    slope = maturity_share(params)
    a = _step(a0, r_before, slope)
    for _ in range(REPLAYS):
        r = _misfit_of(replayed_bev_share(trace, years, a - a0, _cities_weight(params)), observed) - target
        step = a - before
        moved = np.abs(step) > 1e-12
        secant = (r - r_before) / np.where(moved, step, 1.0)
        # R rises with A: a secant that does not (a draw pinned at a bound) keeps the slope it had
        slope = np.where(moved & (secant > 0), secant, slope)
        before, r_before = a, r
        a = _step(a, r, slope)
    return params.with_overrides({AMPLITUDE: a})


# Fitted amplitudes by ensemble, chunk and overrides: every scenario of a batch (paired draws) takes the same
_FITTED: dict[tuple, np.ndarray] = {}


def fitted_to_history(params, overrides: Mapping[str, float], key: tuple | None = None):
    """``params`` with each draw's battery-electric maturity gain fitted to the new-car sales 2018-2024
    (:func:`fit_amplitude`) to miss them as the scenario's single run does (:func:`default_misfit` with its
    ``[parameters]`` ``overrides``), unless those set the amplitude itself or end the sales fitted before the first
    (``transport.bev_sales_fitted_through`` before 2018: the draws keep their amplitudes). ``key``
    names a sample of the packaged table whose fit is kept for the other scenarios of its batch."""
    if AMPLITUDE in overrides or AMPLITUDE not in params or not len(observed_sales(fitted_through(params))[0]):
        return params
    known = _FITTED.get(key) if key is not None else None     # .get: another thread may clear the cache
    if known is not None:
        return params.with_overrides({AMPLITUDE: known})
    fitted = fit_amplitude(params, default_misfit(overrides))
    if key is not None:
        if len(_FITTED) >= 16:
            _FITTED.clear()
        _FITTED[key] = fitted[AMPLITUDE].copy()
    return fitted
