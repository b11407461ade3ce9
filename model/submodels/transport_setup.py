"""The transport submodel's state in 2009 (:func:`init_state`, :func:`calibrated`) and the constant terms of its
travel choice (:func:`choice_terms`).

The 2009 state holds the base mode shares, trip volumes, fleets, the cost terms under the 2009 levers and
prices, the cost coefficients that reproduce the toll and fare elasticities, the toll segments and passages
of 2009 and the powertrain constants that reproduce the 2009 new-car shares; the pieces it is made of (base
mode shares, fleets, cost coefficients) are in :mod:`.transport_base`. The yearly steps are in
:mod:`.transport`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import dims
from ..parameters import Params
from . import mode_choice
from .car_powertrains import (CITIES_WEIGHT, cities_are_not_the_nation, powertrain_utility_and_local_advantage,
                              zone_car_weights)
from .fleet import fleet_coefficients
from .demand_coefficients import DemandCoefficients, demand_coefficients
from .road_traffic import counted_passages, freight_crossing_rate, resident_car_vkm, toll_per_vkm
from .transport_base import base_fleets, base_mode_shares, cost_coefficients, validate_shares
from .transport_state import CAR, COMMUTE, TINY, TransportState, crossing_cars, geography
from .travel_costs import generalised_costs
from .travel_segments import ChoiceTerms, full_cells, period_first, toll_segments


def choice_terms(state: TransportState, c: DemandCoefficients) -> ChoiceTerms:
    """The constant terms of :func:`.transport.choose` for the coefficients ``c`` (the state's own at set-up)."""
    cells = state.trip_volume.shape[:4]                                                        # (D, M, Z, P)
    peak_share = full_cells(c.peak_share[:, None, None, :], cells)
    persistence = full_cells(c.persistence[:, None, None, None], cells)
    terms = ChoiceTerms(car_cost=full_cells(state.car_cost_coefficient[:, :, None, :], cells),
                        pt_cost=full_cells(state.pt_cost_coefficient[:, :, None, :], cells),
                        peak_share=peak_share, off_peak_share=1.0 - peak_share,
                        peak_odds=mode_choice.peak_odds(peak_share),
                        period_scale=full_cells(c.period_scale[:, None, None, None], cells),
                        persistence=persistence, adjustment=1.0 - persistence,
                        toll_own=period_first(state.base_costs["toll_own"]),
                        toll_other=period_first(state.base_costs["toll_other"]))
    for array in vars(terms).values():
        array.flags.writeable = False   # shared by the states of a run
    return terms


def calibrated(bottom_up: TransportState, car_powertrain_share: np.ndarray,
               calibration: dict[str, np.ndarray] | None) -> TransportState:
    """The 2009 state with the calibration factors, made from the bottom-up one (:func:`init_state` without
    factors, from the same inputs): equal to ``init_state`` with the factors.

    The factors of vans, heavy vehicles and buses size their base vkm and fleets, and the ``cars`` factor
    acts only in :func:`.transport.account`; nothing else in the state depends on a factor (the car fleet, the cost
    terms, the base mode shares and the powertrain constants read cars alone), so it is kept, and only
    the fleets are built again (``bottom_up.stock`` is not read).
    """
    cal, vkm_base, stock, vkm_share, energy = base_fleets(
        bottom_up.fleet, bottom_up.population, bottom_up.cars_per_capita_base, car_powertrain_share, calibration)
    return replace(bottom_up, calibration=cal, activity_vkm_base=vkm_base, stock=stock, vkm_share=vkm_share,
                   energy_per_vkm=energy)


def init_state(population: np.ndarray, zone_population: np.ndarray, trip_length_factor: np.ndarray,
               jobs: np.ndarray, mode_shares: np.ndarray, cars_per_capita: np.ndarray,
               car_powertrain_share: np.ndarray, params: Params, levers_2009: dict, price_2009: np.ndarray,
               calibration: dict[str, np.ndarray] | None = None,
               job_zone_share: np.ndarray | None = None) -> TransportState:
    """Transport in 2009 under the 2009 levers and prices.

    Base mode shares by zone and purpose: zone and purpose constants (parameters) plus
    municipal constants re-solved so that the trip-weighted municipal shares equal
    ``mode_shares`` (M, 5) exactly (the observed shares already hold the 2009 tolls). Fleets:
    stationary age profiles; cars = population x ``cars_per_capita`` with
    ``car_powertrain_share`` (M, 4) at every age; vans, heavy vehicles and buses diesel, sized
    from their base vkm. Cost coefficients: :func:`.transport_base.cost_coefficients`. Powertrain constants
    make the 2009 new-car shares (car-trip-weighted over zones) equal the base shares.

    Calibration [1] (D, M) per source: ``cars`` = territorial car vkm / residents' car vkm
    (through traffic and visitors); ``vans``, ``heavy_vehicles``, ``buses`` scale the base vkm.
    ``job_zone_share`` (D, M, Z) [1]: where the jobs are (land use), the destinations of commute
    trips (default: ``transport.parking_destination_share``).
    """
    c, fc = params.derived(demand_coefficients), params.derived(fleet_coefficients)
    # Every mode needs a positive share: the pivot cannot create a mode that has none.
    shares = validate_shares("mode_shares", mode_shares, len(dims.MODES), TINY)
    population, zone_population, trip_length_factor, jobs = (
        np.array(x, dtype=float) for x in (population, zone_population, trip_length_factor, jobs))
    d, m = population.shape
    weights = zone_population[..., None] * c.purpose_share[:, None, None, :]                 # (D, M, Z, P)
    p0 = base_mode_shares(c, weights, shares)
    cal, vkm_base, stock, vkm_share, energy = base_fleets(fc, population, cars_per_capita, car_powertrain_share,
                                                              calibration)
    volume = mode_choice.trip_volumes(zone_population, c.trip_rate, c.purpose_share, c.peak_share)
    ones = np.ones(volume.shape)
    no_change = np.zeros(volume.shape)
    jobs_split = (np.broadcast_to(c.destination_share[:, None, :], zone_population.shape) if job_zone_share is None
                  else np.broadcast_to(np.asarray(job_zone_share, dtype=float), zone_population.shape))
    away = np.broadcast_to(c.destination_share[:, None, None, :], (d, m, len(dims.PURPOSES), len(dims.ZONES))).copy()
    away[:, :, COMMUTE] = jobs_split
    away *= (1.0 - c.home_end_share)[:, None, None, None]
    choice = {"modes": p0, "periods": ones, "crossing_car": p0[..., CAR].copy(),
              "parked_car": p0[..., CAR, None] * away[:, :, None, :, None, :],
              "trip_length": np.ones((d, m)), "volume_ratio": np.ones((d, m, len(dims.PERIODS))),
              "expected_volume_ratio": np.ones((d, m, len(dims.PERIODS))),
              "park_and_ride": no_change,
              "lagged": {"dv": np.zeros((len(dims.MODES), len(dims.PERIODS)) + weights.shape),
                         "toll": [np.zeros((len(dims.PERIODS),) + weights.shape)] * 7, "park_and_ride": no_change,
                         "destination": np.zeros((d, m, len(dims.PURPOSES), len(dims.ZONES))),
                         "length": np.zeros((d, m))}}
    state = TransportState(
        demand=c, fleet=fc, geo=geography(c), params=params, year=dims.BASE_YEAR, population=population,
        population_base=population, zone_population=zone_population, trip_length_factor=trip_length_factor,
        trip_length_factor_base=trip_length_factor, jobs=jobs, jobs_base=jobs,
        cars_per_capita_base=np.broadcast_to(cars_per_capita, (d, m)), trip_volume=volume,
        base_shares=p0, choice=choice, car_cost_coefficient=np.zeros((d, m, len(dims.PURPOSES))),
        pt_cost_coefficient=np.zeros((d, m, len(dims.PURPOSES))), calibration=cal,
        activity_vkm_base=vkm_base, stock=stock,
        new_car_share=np.broadcast_to(fc.base_new_car_share[:, None, :], (d, m, len(dims.POWERTRAINS))),
        vkm_share=vkm_share, energy_per_vkm=energy, base_levers=levers_2009, base_costs={},
        powertrain_constants=np.zeros((d, m, len(dims.POWERTRAINS))), job_zone_share=jobs_split,
        purpose_factor=np.ones((d, m, len(dims.PURPOSES))), fuel_technology=np.zeros((d, m)),
        fuel_price_index=np.ones((d, m)), car_ownership=np.ones((d, m)))
    costs = generalised_costs(state, c, levers_2009, price_2009, choice["volume_ratio"])
    beta_car, beta_pt = cost_coefficients(c, weights, p0, costs)
    crossing_car = np.where(costs["crossing"][..., None] > 0, p0[..., CAR], 0.0)
    # The toll segments of 2009 (crossing then and now alike): last year's for the first year's choice.
    system = (costs["crossing_own"], costs["crossing_other"], period_first(costs["toll_own"]),
              period_first(costs["toll_other"]))
    choice = dict(choice, crossing_share=costs["crossing"], crossing_car=crossing_car,
                  crossing_own=np.where(costs["crossing_own"][..., None] > 0, p0[..., CAR], 0.0),
                  crossing_other=np.where(costs["crossing_other"][..., None] > 0, p0[..., CAR], 0.0),
                  crossing_own_both=np.where(costs["both_own"][..., None] > 0, p0[..., CAR], 0.0),
                  crossing_other_both=np.where(costs["both_other"][..., None] > 0, p0[..., CAR], 0.0),
                  lagged=dict(choice["lagged"], segments=[w for w, _, _, _ in toll_segments(system, system)[0]]))
    state = replace(state, car_cost_coefficient=beta_car, pt_cost_coefficient=beta_pt, choice=choice)
    passages = counted_passages(state, costs["prices"], crossing_cars(choice))
    rate = freight_crossing_rate(state, costs["prices"], choice, passages.counted, resident_car_vkm(state, c, choice))
    rate.flags.writeable = False   # shared by the states of a run
    costs["freight_crossing_rate"] = rate
    costs["toll_per_vkm"] = toll_per_vkm(state, costs["prices"], rate)
    by_mode = np.ascontiguousarray(p0.transpose(5, 4, 0, 1, 2, 3))
    by_mode.flags.writeable = False   # shared by the states of a run
    state = replace(state, base_costs=costs, base_shares_by_mode=by_mode, passages=passages)
    state = replace(state, choice_terms=choice_terms(state, c))
    # One constant per powertrain for the 13 together, fitted to the national shares of 2009 over every
    # municipality's car trips: the shares are national, and constants per municipality would cancel what
    # differed between the municipalities in 2009 - the toll rings battery-electric cars passed free (Oslo's ring
    # of 1990 and its Bærum ring, Bergen's, Kristiansand's) - so that every municipality started alike and only
    # later changes acted.
    # The nation's buyers are the 13's and, for the rest (1 - w), buyers without what the 13 give a
    # powertrain locally (car_powertrains.local_advantage), as the later sales are fitted.
    w = params[CITIES_WEIGHT]
    mixed = cities_are_not_the_nation(w)                                                           # (D,)
    utility, advantage = powertrain_utility_and_local_advantage(state, c, fc, levers_2009, levers_2009, price_2009,
                                                                costs, dims.BASE_YEAR)
    car_weights = zone_car_weights(volume, p0, ones)
    d, m, k = utility.shape[0], utility.shape[1], utility.shape[-1]
    target = fc.base_new_car_share[:, None, :]
    common = np.empty((d, 1, k))
    # Each draw's constants are its own (solve_constants stops each at its own convergence); the draws whose
    # nation is the 13 alone are solved apart, on the 13's cells only, as a draw run alone would be.
    alone = ~mixed
    if alone.any():
        common[alone] = mode_choice.solve_constants(utility[alone].reshape(-1, 1, m * utility.shape[2], k),
                                                    car_weights[alone].reshape(-1, 1, m * utility.shape[2]),
                                                    target[alone])
    if mixed.any():
        u, a, cw, wm = utility[mixed], advantage[mixed], car_weights[mixed], w[mixed]
        n = len(wm)
        elsewhere = u - a
        cells = np.concatenate([u.reshape(n, -1, k), elsewhere.reshape(n, -1, k)], axis=1)[:, None]
        cell_weights = np.concatenate([wm[:, None] * cw.reshape(n, -1), (1.0 - wm)[:, None] * cw.reshape(n, -1)],
                                      axis=1)[:, None]
        common[mixed] = mode_choice.solve_constants(cells, cell_weights, target[mixed])           # (D, 1, K)
    constants = np.ascontiguousarray(np.broadcast_to(common, (d, m, k)))
    return replace(state, powertrain_constants=constants)
