"""The new-car choice of a run replayed with another battery-electric maturity gain, its travel held
(the history fit's cheap second look at a run, ``uncertainty/history_fit.py``).

A run of the policy history traces, year by year, what the powertrain choice of new cars and the car fleet's
turnover read (:func:`traced_year`: the new-car shares by home zone, the car-driver trips that weigh the zones, the
stock the turnover aims at and the share of the surviving cars their owners kept) and starts from the 2009 car
stock (:func:`cars_alone`). A replay (:func:`replayed_new_cars`) raises the battery-electric utility of every
year's choice by the maturity path's gain of another amplitude (``transport.maturity_amplitude.bev``; methods §1.5)
and by the peer term on the replayed stock (:func:`with_bev_gain`), and turns the car stock over with the replayed
new cars by the fleet's own functions (:func:`.fleet.advance_vintages`, :func:`.fleet.vintage_sums`). It is the run
to the bit at the run's own amplitude (not so the replay of the nation's other buyers, ``elsewhere``: their
utilities are lowered by the year's local advantage of each powertrain, ``CarTrace.local``); what it leaves out is how
the battery-electric share moves travel (the fleet's energy cost per km and its average toll, congestion), which
moves the car-driver trips the choice weighs and the zones the new cars go to.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import numpy as np

from .. import dims
from . import fleet
from .car_powertrains import bev_share, slot_weights, zone_car_weights
from .fleet import FleetCoefficients
from .powertrain_costs import logistic_path
from .car_stock import car_stock_target, cars_kept, class_kept
from .transport_state import BEV, CAR_CLASS, TINY, TransportState


class CarTrace(NamedTuple):
    """What the replays (:func:`replayed_new_cars`) read of a run (``history_fit.traced_history``)."""

    fleet: FleetCoefficients        # the run's fleet coefficients (the maturity path, the peer term, survival)
    stock: fleet.VintageStock       # the car stock of 2009 by vintage, the car class alone, with its sums
    choice: list                    # (D, M, Z, K) [1] each year's new-car shares by home zone, 2010 on
    weights: list                   # (D, M, Z) [trips/yr] each year's car-driver trips by home zone, 2010 on
    targets: list                   # (D, M) [cars] each year's car stock after its turnover, 2010 on
    kept: list                      # (D, M) [1] each year's share of the surviving cars kept, 2010 on
    car_stock: np.ndarray           # (Y + 1, D, M, K) [cars] the car stock from 2009 on
    local: list                     # (D, M, Z, K) [1] each year's local advantage of each powertrain, 2010 on
    elsewhere: list                 # (D, M, Z, K) [1] each year's new-car shares without it (the nation's other
    #                                 buyers; :func:`without_local_advantage`, once for every replay), 2010 on


def traced_year(state: TransportState, new_car_shares: np.ndarray, ownership_before: np.ndarray) -> tuple:
    """What a replay reads of a year of the run, ``state`` the transport state after the year's turnover,
    ``new_car_shares`` ``(D, M, Z, K)`` [1] the year's choice by home zone and ``ownership_before`` ``(D, M)`` [1]
    the cars per capita of last year's turnover (the state's before the year): those shares, the car-driver trips
    ``(D, M, Z)`` [trips/yr] that weigh the zones (``transport.advance``'s weights), the stock ``(D, M)`` [cars]
    the turnover aimed at (its sum over powertrains is it only to rounding), and the share ``(D, M)`` [1] of the
    surviving cars the residents kept (``car_stock.cars_kept``)."""
    weights = zone_car_weights(state.trip_volume, state.choice["modes"], state.choice["periods"])
    return (new_car_shares, weights, car_stock_target(state, state.population, state.car_ownership),
            cars_kept(state.car_ownership, ownership_before))


def cars_alone(stock: fleet.VintageStock) -> fleet.VintageStock:
    """A copy of the car class of a fleet's vintage stock, with its sums: what a replay turns over."""
    return stock.one_class(CAR_CLASS)


def with_bev_gain(shares: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Logit shares ``(..., K)`` [1] after the battery-electric utility rises by ``gain`` ``(...)`` [1], all else
    held: ``P_k exp(gain [k = bev]) / (1 + P_bev (exp(gain) - 1))`` (the shares summing to 1), the shares
    themselves, to the bit, where ``gain`` is 0."""
    rise = np.expm1(gain)
    out = shares / (1.0 + shares[..., BEV] * rise)[..., None]
    out[..., BEV] *= 1.0 + rise
    return out


def without_local_advantage(shares: np.ndarray, advantage: np.ndarray) -> np.ndarray:
    """Logit shares ``(..., K)`` [1] after each powertrain's utility falls by its local ``advantage`` ``(..., K)``
    [1] (``car_powertrains.local_advantage``), all else held: ``P_k exp(-a_k) / sum_j P_j exp(-a_j)``, written
    ``P_k (1 + r_k) / (1 + sum_j P_j r_j)`` with ``r = exp(-a) - 1`` (the shares summing to 1) so that it is the
    shares themselves, to the bit, where ``advantage`` is 0."""
    rise = np.expm1(-advantage)
    return shares * (1.0 + rise) / (1.0 + (shares * rise).sum(axis=-1, keepdims=True))


def replayed_new_cars(trace: CarTrace, shift: np.ndarray, elsewhere: bool = False) -> np.ndarray:
    """The battery-electric share of new cars ``(T, D, M)`` [1] from 2009 (0 in 2009) of the traced run with each
    draw's battery-electric maturity amplitude ``shift`` ``(D,)`` [1] higher, its travel and costs held: each
    year the run's new-car shares by zone with the battery-electric utility raised by the maturity path's gain
    and by the peer term's on the replayed stock's share, the car stock turned over with them (the same totals,
    vintages and survival as the run's). ``elsewhere``: of buyers who lack the year's local advantage of each
    powertrain (``trace.local``, ``car_powertrains.local_advantage``), their own stock's peer term included: the
    rest of the nation's buyers, as the 13's municipalities and zones weigh them.

    Exact at ``shift`` 0 (without ``elsewhere``); what it leaves out is how the battery-electric share moves
    travel (the fleet's energy cost per km and its average toll, congestion), which moves the car-driver trips
    the new-car choice weighs and the zones the new cars go to."""
    return _replayed(trace, shift, elsewhere)[0]


def replayed_stock_share(trace: CarTrace, shift: np.ndarray, elsewhere: bool = False) -> np.ndarray:
    """The battery-electric share of the car stock ``(T, D, M)`` [1] from 2009 of the replay of
    :func:`replayed_new_cars` (the run's own shares at ``shift`` 0 without ``elsewhere``)."""
    return _replayed(trace, shift, elsewhere)[1]


def _replayed(trace: CarTrace, shift: np.ndarray, elsewhere: bool) -> tuple[np.ndarray, np.ndarray]:
    """The new cars' and the stock's battery-electric shares ``(T, D, M)`` [1] of a replay."""
    fc = trace.fleet
    path = (1.0, fc.maturity_midpoint[:, BEV], fc.maturity_rate[:, BEV])
    gain = shift * (logistic_path(np.arange(1, len(trace.car_stock))[:, None] + dims.BASE_YEAR, *path)
                    - logistic_path(dims.BASE_YEAR, *path))                               # (T - 1, D)
    held = trace.car_stock[..., BEV] / np.maximum(trace.car_stock.sum(axis=-1), TINY)    # (T, D, M) the run's
    stock = trace.stock.copy()
    replayed, own = np.zeros(held.shape), held[0]
    owned = np.zeros(held.shape)
    owned[0] = own
    choices = trace.elsewhere if elsewhere else trace.choice
    for k, (choice, weights, target, kept) in enumerate(zip(choices, trace.weights, trace.targets, trace.kept),
                                                        start=1):
        # the choice of year k reads the stock of year k - 1, as transport.choose does
        zone_gain = (gain[k - 1][:, None] + fc.peer_coefficient[:, None] * (own - held[k - 1]))[:, :, None]
        zones = with_bev_gain(choice, zone_gain)
        new_car = np.einsum("dmz,dmzk->dmk", weights, zones) / np.maximum(weights.sum(axis=2), TINY)[..., None]
        survivors = np.einsum("dmck->dmc", stock.sums[..., fleet.SURVIVORS, :])   # (D, M, 1) as transport.advance
        stock, _ = fleet.advance_vintages(stock, survivors, target[..., None], new_car[:, :, None, :],
                                          class_kept(kept, survivors.shape))
        slots = slot_weights(fc, dims.BASE_YEAR + k, stock.slot_ages())[CAR_CLASS:CAR_CLASS + 1]
        stock = replace(stock, sums=fleet.vintage_sums(stock, slots))
        own = bev_share(stock.sums[:, :, 0, fleet.VEHICLES])
        replayed[k], owned[k] = new_car[..., BEV], own
    return replayed, owned


