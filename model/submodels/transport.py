"""Road transport: passenger demand, mode and period choice, tolls, vehicle fleets and road emissions
(methods §1).

ASIF chain per municipality (methods §1.1): residents' trips by home zone, purpose and period
(Activity) are split over ``dims.MODES`` by a pivot-point logit on generalised cost (Structure,
:mod:`.mode_choice`); car-driver trips times trip length give the residents' car vkm, which the
``cars`` calibration factor turns into territorial vkm (through traffic and visitors). Vans and
heavy vehicles follow jobs, the tolls they pay and the diesel price, buses population and public-transport
service (methods §1.6). Each vehicle class has a vintage fleet (:mod:`.fleet`) that sets energy
per km by powertrain and age (Intensity; combustion cars' fuel use per km also answers the fuel price,
:mod:`.fuel_intensity`) and the fuel mix, with its biofuel blend (Fuel, :mod:`.tailpipe`).

Generalised cost (methods §1.2): car driver = energy cost + parking + tolls + value of time x
in-vehicle time (which congestion stretches, BPR); public transport = fare + value of time x
weighted waiting time. Only changes against 2009 enter the pivot, ``dV = beta dGC`` with
``beta = kappa / VoT`` per purpose: ``kappa`` [utility per hour] is calibrated per municipality
so that cordon-crossing car trips answer the toll with the long-run elasticity
``transport.toll_elasticity`` at the 2009 toll, and public-transport trips the fare with
``transport.fare_elasticity``. Energy prices and taxes are yearly paths (:mod:`framtid.model.prices`).

Segments: trips that cross a charged cordon (who crosses which cordon comes from commuting and
the zone structure, :mod:`.tolls`) and trips that end in a zone type whose costs changed (parking,
workplace parking, low-emission charges) or where the car is not allowed (car-free areas,
zero-emission zones) answer their own costs; each segment also chooses between the peak and the
off-peak (a nest above the mode choice, so a peak-only charge moves trips out of the peak). The
car-driver trip length answers the energy cost per km (destination choice). Short- and long-run
responses differ by partial adjustment (methods §1.3). The measure kinds of land use and transport
(``measures/transport.py``) act only through levers read here and in :mod:`.land_use`
(docs/model.md §3.3).

Modules: this one holds the year's steps, :func:`choose`, :func:`advance` and :func:`account`, and the
adapter :class:`Transport`; the 2009 state (``init_state``, ``calibrated``) and the choice's constant terms
are in :mod:`.transport_setup`. The state and the indices and helpers the modules share are in
:mod:`.transport_state`; the generalised costs and the energy prices in
:mod:`.travel_costs`; the powertrain choice of new cars and the fleet state in :mod:`.car_powertrains`;
residents' car vkm, the cordon passages, the tolls per vkm, the vkm of vans, heavy vehicles and buses and the
year's toll revenue and tolls paid in :mod:`.road_traffic`; the 2009 base (mode shares, fleets, cost
coefficients) in :mod:`.transport_base`. The segments of the travel choice are :mod:`.travel_segments`, the
logit and its coefficients :mod:`.mode_choice`, the vintage fleets :mod:`.fleet`, the fuel blend, biogas buses
and tailpipe gases :mod:`.tailpipe` and the cordons :mod:`.tolls`.

Year protocol: ``init_state`` (2009, with the 2009 levers and prices) -> each year ``choose``
(the household cohorts' rule), ``advance`` (from 2010), ``account``; the adapter
:class:`Transport` at the end fits it to the simulation. Levers (``levers.py``) are indexed
directly; every call gets all of them.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import dims
from ..parameters import Params
from . import fleet, fuel_intensity, mode_choice, tolls
from .car_stock import car_ownership, car_stock_target, cars_kept, class_kept
from .car_powertrains import bev_share, cars_by_powertrain, fleet_state, new_cars_and_local_advantage, zone_car_weights
from .fleet import fleet_coefficients
from .demand_coefficients import DemandCoefficients
from .ordered_sums import trailing_sum
from .bus_biogas import bus_biogas_share
from .road_traffic import (activity_vkm, counted_passages, freight_factor, line_passages, park_and_ride_vkm,
                           toll_accounts, toll_per_vkm)
from .tailpipe import road_fuels
from .transport_setup import calibrated, choice_terms, init_state
from .transport_state import (BEV, BIKE, BUS_CLASS, CAR, CAR_CLASS, CLASS_SOURCES, COMMUTE, DIESEL, ERRANDS, PT,
                              TINY, WALK, Passages, TransportState, coef, crossing_cars, over_groups)
from .travel_costs import cost_per_km_change, energy_prices, generalised_costs
from .travel_segments import destination_segments, partial_adjustment, period_first, segment_mixture, toll_crossing

# Carriers of ``road_energy`` [GWh/yr]: fossil petrol, fossil diesel, electricity, and all biofuel (blended
# into petrol and diesel, and biogas in buses, ``bus_biogas.bus_biogas_share``).
ROAD_CARRIERS = ("petrol", "diesel", "electricity", "biofuel")
KWH_PER_GWH = 1e6


def _mode_first(state: TransportState) -> np.ndarray:
    """The pivot shares ``(5, T, D, M, Z, P)``, contiguous (the state's copy when it has one)."""
    if state.base_shares_by_mode is not None:
        return state.base_shares_by_mode
    return np.ascontiguousarray(state.base_shares.transpose(5, 4, 0, 1, 2, 3))


def cost_change(now: dict, base: dict, key: str) -> np.ndarray | None:
    """``now - base`` of a cost term, None when both are zero everywhere (a lever no measure sets)."""
    if not (np.any(now[key]) or np.any(base[key])):
        return None
    return now[key] - base[key]


def long_run_utility_changes(now: dict, base: dict, c, terms) -> list:
    """The long-run utility change of each mode against 2009, ``beta dGC`` (:func:`choose`), by ``dims.MODES``:
    ``(T, D, M, Z, P)`` for the car driver and public transport, ``(D, M, Z, P)`` for cycling and walking where a
    measure saves them time, None for the modes nothing changes (the car passenger's always). ``now`` and
    ``base``: this year's and 2009's cost terms (:func:`.travel_costs.generalised_costs`); ``c`` the demand
    coefficients; ``terms`` the run's cost coefficients by cell (``car_cost``, ``pt_cost``, ``(D, M, Z, P)``)."""
    beta, beta_pt = terms.car_cost, terms.pt_cost                                              # (D, M, Z, P)
    vot = c.car_value_of_time[:, None, None, :]                                                # (D, 1, 1, P)
    target = [None] * len(dims.MODES)
    ownership = c.ownership_utility[:, None] * (now["car_ownership"] - base["car_ownership"])
    d_time = (now["car_time"] - base["car_time"]).transpose(2, 0, 1)[..., None, None]          # (T, D, M, 1, 1)
    # beta (dGC) + ownership, built in place (each a pass over the largest arrays of the year)
    target[CAR] = (now["energy"] - base["energy"])[..., None] + vot * d_time
    target[CAR] *= beta
    target[CAR] += ownership[:, :, None, None]
    target[PT] = period_first(now["pt"]) - period_first(base["pt"])
    target[PT] *= beta_pt
    target[PT][..., COMMUTE] += (now["pt_destination"] - base["pt_destination"])[:, :, None]
    for mode, key in ((BIKE, "bicycle"), (WALK, "walk")):
        d_active = cost_change(now, base, key)
        if d_active is not None:
            target[mode] = beta_pt * d_active
    return target


def choose(state: TransportState, levers: dict, params: Params, year: int, price: np.ndarray,
           counted: bool = True) -> dict:
    """The household cohorts' travel choice this year (methods §1.2-1.4).

    Every segment (trips crossing a charged cordon in 2009 and/or now, crossed with trips
    ending at home or in each zone type, where a destination cost changed; set up by
    :func:`.travel_segments.toll_crossing` and :func:`.travel_segments.destination_segments`) pivots on the 2009
    shares with ``dV = beta dGC`` (car driver: energy at 2009 trip length, time, tolls and the
    destination's parking, workplace parking, search time and low-emission charge, plus
    ``theta ln((1 + o) / (1 + o_2009))`` for car ownership; public transport: fare, weighted
    waiting time and the time measures save, and for commute trips the change in the
    destination constant where jobs moved; bicycle and walking: the time measures save, at
    public transport's values of time); its trips choose the period by the change in the
    segment's logsum (:func:`mode_choice.period_shift`). For the trips ending inside a car-free
    area the car modes are removed (``V = -inf``), and inside a zero-emission zone the car-driver
    mode for the fossil share of the fleet; these removals act at once, without partial adjustment.

    Short and long run differ by partial adjustment of the utility changes: each year's
    ``dV`` moves from last year's towards the long-run one, ``dV_t = lambda dV_(t-1) +
    (1 - lambda) dV*`` (the lagged-cost form of methods §1.3; for small changes it equals the
    partial adjustment of log shares, ``e_SR = (1 - lambda) e_LR``), for every segment alike,
    so segment results (passages through a cordon) adjust at the same pace as the totals. The
    car-driver trip length answers the generalised cost per km (energy, and time at the value of time:
    :func:`.travel_costs.cost_per_km_change`) the same way, at its own, slower pace
    (``transport.trip_length_adjustment``).

    Returns ``modes`` ``(D, M, Z, P, T, 5)`` mode shares of each period's trips, ``periods``
    ``(D, M, Z, P, T)`` trips relative to the 2009 split over periods, ``crossing_car``
    ``(D, M, Z, P, T)`` car-driver trips crossing a charged cordon per trip of the group
    crossing now (relative to the 2009 period split; ``crossing_own`` and ``crossing_other`` the same per
    trip crossing a charged cordon of the home municipality and of another, ``crossing_own_both`` and
    ``crossing_other_both`` per trip of those that cross a reference cordon of the system too, :mod:`.toll_groups`;
    ``crossing_share`` ``(D, M, Z, P)``
    the share of the group's trips crossing one now), ``parked_car`` ``(D, M, Z, P, T, Zdest)``
    car-driver trips ending in each zone type away from home per trip, ``trip_length``
    ``(D, M)`` [1] car-driver trip length relative to 2009, ``volume_ratio`` ``(D, M, T)``
    car trips by period relative to 2009, ``costs`` this year's cost terms and ``lagged``
    the adjusted utility changes (next year's starting point; utilities by mode and toll changes
    by segment, ``(T, D, M, Z, P)``, None where zero). Without ``counted`` (a run that reads the car fleet alone,
    :data:`FLEET_OUTPUTS`), ``crossing_car``, ``crossing_own``, ``crossing_other``, their ``_both`` and
    ``parked_car`` are left out: only the passages through the cordons and the accounting read them.

    Inside, arrays hold the period (and the mode) as leading axes and every coefficient is
    stored at the full ``(D, M, Z, P)`` size: numpy runs products that broadcast a short
    trailing axis (2 periods, 3 purposes, 5 modes) many times slower than products of arrays
    laid out alike, and the segment loop (:func:`.travel_segments.segment_mixture`) takes the largest part of a
    batch run.
    """
    c, fc = coef(state, params)
    # The run's constant terms, unless other parameters are given (or the state was built by hand).
    terms = state.choice_terms if params is state.params and state.choice_terms is not None else choice_terms(state, c)
    previous = state.choice
    lagged = previous["lagged"]
    # The car times of the congestion travellers expect: last year's expectation learning from last year's.
    expected = mode_choice.expected_volume_ratio(previous["expected_volume_ratio"], previous["volume_ratio"],
                                                 c.congestion_learning[:, None, None])
    now = generalised_costs(state, c, levers, price, expected)
    base = state.base_costs
    lam = c.persistence
    cells = state.trip_volume.shape[:4]                                                        # (D, M, Z, P)

    def lag(before: np.ndarray, target: np.ndarray, pace: np.ndarray = lam) -> np.ndarray:
        """Partial adjustment of arrays with the draw axis first, at the pace (lambda) ``pace`` (D,)."""
        weight = pace.reshape((-1,) + (1,) * (np.ndim(target) - 1))
        return partial_adjustment(before, target, (weight, 1.0 - weight))

    def nonzero(x: np.ndarray | None) -> np.ndarray | None:
        """Last year's change, None when it is zero everywhere (no segment has met one yet)."""
        return x if x is not None and np.any(x) else None

    beta = terms.car_cost                                                                      # (D, M, Z, P)
    target = long_run_utility_changes(now, base, c, terms)
    # Each mode's (last year's, long-run) change; None where both are zero (the car passenger's always).
    utilities = [None if towards is None and nonzero(before) is None
                 else (nonzero(before), 0.0 if towards is None else towards)
                 for before, towards in zip(lagged["dv"], target)]
    # The park-and-ride part of the PT utility, adjusted alike: it sets the share of PT trips that use a site.
    park_and_ride = lagged["park_and_ride"]
    d_park_and_ride = cost_change(now, base, "park_and_ride")
    if d_park_and_ride is not None or np.any(park_and_ride):
        beta_pr = state.pt_cost_coefficient[:, :, None, :, None]
        park_and_ride = lag(park_and_ride, beta_pr * (0.0 if d_park_and_ride is None else d_park_and_ride[..., None]))
    d_dest = lag(lagged["destination"], now["destination"] - base["destination"])            # (D, M, P, Zdest)
    # ln(L / L0) = e (dc + v dtau) / c0: linear in the generalised cost per km, like the utilities (methods §1.3),
    # its time part valued at the value of time, so that faster or slower roads lengthen or shorten car trips.
    # Destinations (and homes and jobs) change more slowly than modes: the trip length has its own pace.
    log_length = lag(lagged["length"], c.trip_length_elasticity[:, None] * cost_per_km_change(now, base, c)
                     / base["per_km"], c.trip_length_persistence)

    destinations, away = destination_segments(now, d_dest, beta, cells)
    crossing = toll_crossing(base, now, terms, lagged["segments"])
    segments, _, crossing_now, _, _ = crossing
    choice, dv, d_tolls = segment_mixture(crossing, [nonzero(before) for before in lagged["toll"]], utilities,
                                           destinations, _mode_first(state), terms, away, counted)
    car_trips = state.trip_volume * choice["periods"]
    car_trips *= choice["modes"][..., CAR]
    car_by_period = np.einsum("dmzpt->dmt", car_trips)                                         # (D, M, T)
    # Against the car trips of the trip rates at 2009 shares: fewer commute trips (telework) relieve congestion.
    # (Made again, not divided back by the purpose factor, which is 0 for commutes when every commuter teleworks.)
    base_trips = mode_choice.trip_volumes(state.zone_population, c.trip_rate, c.purpose_share, c.peak_share)
    base_trips *= state.base_shares[..., CAR]
    base_by_period = np.einsum("dmzpt->dmt", base_trips)
    return dict(choice, crossing_share=crossing_now, trip_length=np.exp(log_length),
                volume_ratio=mode_choice.volume_ratio(car_by_period, base_by_period,
                                                      (state.population / state.population_base)[..., None],
                                                      c.road_network_growth[:, None, None]),
                expected_volume_ratio=expected,
                costs=now,
                park_and_ride=-np.expm1(-np.maximum(park_and_ride, 0.0)) if np.any(park_and_ride) else park_and_ride,
                lagged={"dv": dv, "toll": d_tolls, "segments": [w for w, _, _, _ in segments], "destination": d_dest,
                        "park_and_ride": park_and_ride,
                        "length": log_length})


def purpose_factor(c: DemandCoefficients, telework: np.ndarray) -> np.ndarray:
    """Trips by purpose relative to the trip rates ``(D, M, P)`` [1] when a share ``telework`` ``(D, M)`` of
    commute trips is replaced by telework: commute ``1 - tau``; errands ``1 + rho tau s_commute / s_errands``
    (the rebound ``rho`` = ``transport.telework_rebound`` errand trips per commute trip avoided); leisure 1."""
    tau = np.clip(telework, 0.0, 1.0)
    out = np.ones(tau.shape + (len(dims.PURPOSES),))
    if not np.any(tau):
        return out
    out[..., COMMUTE] = 1.0 - tau
    out[..., ERRANDS] = 1.0 + (c.telework_rebound * c.purpose_share[:, COMMUTE]
                               / c.purpose_share[:, ERRANDS])[:, None] * tau
    return out


def advance(state: TransportState, population: np.ndarray, zone_population: np.ndarray,
            trip_length_factor: np.ndarray, jobs: np.ndarray, choice: dict, new_car_shares: np.ndarray,
            levers: dict, params: Params, year: int, job_zone_share: np.ndarray | None = None,
            in_place: bool = False, cars_alone: bool = False) -> TransportState:
    """Transition from ``year - 1`` to ``year``: new demography, the chosen travel, and one year
    of fleet turnover with car stock = population x cars per capita and the stock of the other
    classes following their vkm (methods §1.5-1.6). Telework (lever ``telework_share``) scales
    trips by purpose (:func:`purpose_factor`); ``job_zone_share`` (D, M, Z) is where the jobs are
    this year (land use; unchanged when None). ``in_place``: age the fleet in the arrays of ``state``, which
    then can no longer be advanced or read by age (:class:`fleet.VintageStock`); the simulation, which
    keeps only the newest state, does so, and no copy of the fleet is made each year. ``cars_alone``: turn over
    the car fleet alone, for a run that reads nothing of transport but the cars (:data:`FLEET_OUTPUTS`, the
    history fit's runs): the vans, heavy vehicles and buses, and the cordon passages whose tolls per vkm they
    answer, are left out, and the state keeps the car class of the fleet alone (its class axis of length 1,
    ``passages`` None). Its cars are the whole turnover's to the bit: the classes of a fleet turn over apart,
    and what the travel choice reads of the fleet is the car class's."""
    c, fc = coef(state, params)
    factor = purpose_factor(c, levers["telework_share"])
    volume = (mode_choice.trip_volumes(zone_population, c.trip_rate, c.purpose_share, c.peak_share)
              * factor[:, :, None, :, None])
    weights = zone_car_weights(volume, choice["modes"], choice["periods"])[..., None]
    new_car = np.einsum("dmz,dmzk->dmk", weights[..., 0], new_car_shares) / np.maximum(weights.sum(axis=2), TINY)
    ownership = car_ownership(state, levers)
    cars, kept = car_stock_target(state, population, ownership), cars_kept(ownership, state.car_ownership)
    jobs_split = state.job_zone_share if job_zone_share is None else np.broadcast_to(
        np.asarray(job_zone_share, dtype=float), zone_population.shape)
    moved = replace(state, year=year, population=population, jobs=jobs, zone_population=zone_population,
                    trip_length_factor=trip_length_factor, trip_volume=volume, choice=choice,
                    job_zone_share=jobs_split, purpose_factor=factor,
                    reference_cordons=choice["costs"].get("reference_cordons", state.reference_cordons))
    stock = state.stock
    if cars_alone:
        targets, new_shares, passages = cars[..., None], new_car[:, :, None, :], None               # (D, M, 1)
        if len(stock.cohorts) > 1:
            stock = stock.one_class(CAR_CLASS)   # a copy, once: the whole fleet of the state is not aged
    else:
        targets, new_shares, passages = _fleet_targets(moved, c, fc, levers, choice, cars, new_car)
    if not in_place and stock is state.stock:
        stock = stock.copy()
    survivors = np.einsum("dmck->dmc", stock.sums[..., fleet.SURVIVORS, :])
    stock, _ = fleet.advance_vintages(stock, survivors, targets, new_shares, class_kept(kept, survivors.shape))
    stock, vkm_share, energy = fleet_state(stock, fc, year, cars_alone)
    index = fuel_intensity.fleet_fuel_price_index(energy[:, :, CAR_CLASS, :2], choice["costs"]["energy_price"][..., :2],
                                                  state.base_costs["energy_price"][..., :2])
    # The technology part moves as the fuel-burning cars bought this year renew the fuel-burning fleet, at last
    # year's price.
    pace = fuel_intensity.renewal_pace(fuel_intensity.fuel_burning_share(new_car, fc.charging_need),
                                       fuel_intensity.fuel_burning_share(vkm_share[:, :, CAR_CLASS], fc.charging_need))
    technology = fuel_intensity.technology_response(state.fuel_technology, state.fuel_price_index, pace,
                                                    fc.intensity_elasticity, fc.intensity_persistence)
    return replace(moved, stock=stock, new_car_share=new_car, vkm_share=vkm_share, energy_per_vkm=energy,
                   passages=passages, fuel_technology=technology, fuel_price_index=index, car_ownership=ownership)


def _fleet_targets(moved: TransportState, c: DemandCoefficients, fc: fleet.FleetCoefficients, levers: dict,
                   choice: dict, cars: np.ndarray, new_car: np.ndarray) -> tuple[np.ndarray, np.ndarray, Passages]:
    """What every class's turnover aims at in the year of ``moved``: the stock ``(D, M, C)`` [vehicles] (the ``cars``
    ``(D, M)``; vans, heavy vehicles and buses from their vkm, which answer the tolls per vkm of the year's
    passages) and the powertrain shares of the new vehicles ``(D, M, C, K)`` [1] (the cars' ``new_car``
    ``(D, M, K)``), and the passages through the charged cordons they were counted from."""
    population, jobs, prices = moved.population, moved.jobs, choice["costs"]["prices"]
    passages = counted_passages(moved, prices, crossing_cars(choice))
    per_vkm = toll_per_vkm(moved, prices)
    freight = freight_factor(moved, per_vkm, choice["costs"]["energy_price"])
    others = activity_vkm(moved, fc, levers, population, jobs, freight) / fc.annual_km[:, None, 1:]
    zero_emission = np.stack([levers["zero_emission_share_new_van"], levers["zero_emission_share_new_heavy"],
                              levers["zero_emission_share_new_bus"]], axis=-1)
    new_shares = np.zeros(cars.shape + (len(dims.VEHICLE_CLASSES), len(dims.POWERTRAINS)))
    new_shares[:, :, CAR_CLASS] = new_car
    new_shares[:, :, 1:, DIESEL] = 1.0 - zero_emission
    new_shares[:, :, 1:, BEV] = zero_emission
    return np.concatenate([cars[..., None], others], axis=-1), new_shares, passages


# The outputs of :func:`account` that are the fleet's after the year's turnover, read off the state alone.
FLEET_OUTPUTS = frozenset({"car_stock", "new_car_share", "bev_share_of_car_stock"})


def fleet_outputs(state: TransportState) -> dict:
    """``car_stock`` (D, M, 4) [cars], ``new_car_share`` (D, M, 4) [1] and ``bev_share_of_car_stock`` (D, M) [1]
    of :func:`account`: what a run that reads the fleet alone needs of the year, without its travel and tolls."""
    car_stock = cars_by_powertrain(state.stock)                                               # (D, M, K)
    return {"car_stock": car_stock, "new_car_share": state.new_car_share,
            "bev_share_of_car_stock": bev_share(car_stock)}


def account(state: TransportState, levers: dict, params: Params, year: int, lines: bool = True) -> dict:
    """Activity, energy, tolls and tailpipe emissions of road transport in ``year`` (methods §1.1).

    ``emissions[source]`` (D, M, 4) [t gas/yr] for ``CLASS_SOURCES``; ``vkm`` (D, M, 4 classes)
    and ``car_vkm`` (D, M, 4 powertrains) territorial [vkm/yr]; ``car_vkm_resident`` (D, M)
    [vkm/yr] driven by residents (the zero-growth goal's measure); ``trips`` [trips/yr],
    ``pkm`` [pkm/yr] and trip-weighted ``mode_share`` [1] (D, M, 5); ``car_stock`` (D, M, 4)
    [cars]; ``new_car_share`` (D, M, 4) [1]; ``bev_share_of_car_stock`` (D, M) [1];
    ``road_energy`` (D, M, 4) [GWh/yr] over ``ROAD_CARRIERS``; ``cordon_car_trips`` (D, M, T)
    [passages/day] through the cordons each municipality owns, by period, counting every
    light vehicle (residents of the 13 with the crossing rule, plus vehicles from elsewhere and
    through traffic in proportion, ``cordons.csv`` external_passage_ratio); ``cordon_passages``
    (D, C, T) [passages/day] across each cordon's line, charged or not (:func:`road_traffic.line_passages`,
    the same external ratio), for every cordon of the toll lever's axis; ``toll_revenue``
    (D, M) [NOK/yr] of those cordons from cars, vans and heavy vehicles;
    ``parked_car_trips`` (D, M, Zdest) [trips/yr] residents' car-driver trips ending away from
    home in each zone type; ``toll_paid`` (D, M) [NOK/yr] the tolls residents' cars pay, by
    municipality of residence (who pays, wherever the cordon); ``car_hours`` (D, M) [h/yr]
    residents' car-driver hours in vehicles at this year's congested speeds (trips by period x
    the BPR travel time of a trip of the 2009 length), whose change values the time congestion
    costs or saves. ``lines=False`` leaves out ``cordon_passages`` (the lines' passages, charged or not: the
    costliest count of the year, which only a whole run records).
    """
    c, fc = coef(state, params)
    choice, geo = state.choice, state.geo
    costs = choice.get("costs", state.base_costs)
    volume = state.trip_volume * choice["periods"]                                            # (D, M, Z, P, T)
    trips = over_groups(volume, choice["modes"], 3)                                           # (D, M, Z, 5)
    pkm = np.einsum("dmzk,dmz->dmk", trips, state.trip_length_factor) * c.trip_length[:, None, :]
    pkm[..., CAR] *= choice["trip_length"]
    pkm[..., CAR] += park_and_ride_vkm(state, c, choice)
    trips = np.einsum("dmzk->dmk", trips)
    car_vkm_resident = pkm[..., CAR]
    prices = costs["prices"]
    counted = counted_passages(state, prices, crossing_cars(choice)).counted                    # (D, C, T) /yr
    per_vkm = toll_per_vkm(state, prices)                                                      # (D, M, 2)
    freight = freight_factor(state, per_vkm, costs["energy_price"])
    vkm = np.concatenate([(car_vkm_resident * state.calibration[..., CAR_CLASS])[..., None],
                          activity_vkm(state, fc, levers, state.population, state.jobs, freight)], axis=-1)
    energy = vkm[..., None] * state.energy_per_vkm                                       # (D, M, C, 3) [kWh]
    # Combustion cars burn less fuel per km as the fuel price rises (fuel_intensity); the cost per km the
    # choices saw stays at the vintages' trend, as the traffic elasticity to the fuel price holds the rebound.
    response = state.fuel_intensity
    if np.any(response):
        energy[:, :, CAR_CLASS, :2] *= np.exp(response)[..., None]
    # (the buses' diesel of this year, before the biogas takes its share: the food waste's biogas is burnt in full)
    gas_share = bus_biogas_share(levers, params, state.population, energy[:, :, BUS_CLASS, 1])
    gases, road_energy = road_fuels(energy, levers["biofuel_share_petrol"], levers["biofuel_share_diesel"],
                                    gas_share, fc)
    # the gas buses' share of the bus km: the biogas takes its share of the diesel buses' fuel, so of their km
    on_gas = (np.zeros(state.population.shape) if gas_share is None
              else gas_share * state.vkm_share[:, :, BUS_CLASS, DIESEL])

    parked = over_groups(state.trip_volume, choice["parked_car"], 2)                         # (D, M, Zdest)
    car_trips = np.einsum("dmzpt->dmt", volume * choice["modes"][..., CAR])                   # (D, M, T)
    car_hours = np.einsum("dmt,dmt->dm", car_trips, costs["car_time"])
    return fleet_outputs(state) | {
        "emissions": {source: gases[:, :, i] for i, source in enumerate(CLASS_SOURCES)},
        "vkm": vkm,
        "car_vkm": vkm[..., CAR_CLASS, None] * state.vkm_share[:, :, CAR_CLASS],
        "car_vkm_resident": car_vkm_resident,
        "trips": trips,
        "pkm": pkm,
        "mode_share": trips / trailing_sum(trips)[..., None],
        "road_energy": road_energy / KWH_PER_GWH,
        "bus_biogas_vkm_share": on_gas,
        "cordon_passages": (line_passages(state, prices, choice, counted)
                            * (1.0 + geo.external)[None, :, None] / tolls.DAYS_PER_YEAR) if lines else None,
        "parked_car_trips": parked,
        "car_hours": car_hours,
    } | toll_accounts(state, prices, choice, counted, trailing_sum(vkm[..., 1:3] * per_vkm))


class Transport:
    """Road transport in the simulation's protocol (``submodels/__init__.py``); the household
    cohorts (Mesa agents) make its choices."""

    name, decided_by, emits = "transport", "HouseholdCohort", True

    @staticmethod
    def _price(state_or_fc, ctx) -> np.ndarray:
        fc = state_or_fc.fleet if isinstance(state_or_fc, TransportState) else state_or_fc
        return energy_prices(ctx.prices, ctx.k, ctx.levers, fc)

    def init_state(self, ctx) -> TransportState:
        inp, lu = ctx.inputs, ctx.outputs["land_use"]
        price = energy_prices(ctx.prices, 0, ctx.base_levers, ctx.params.derived(fleet_coefficients))
        return init_state(ctx.population, lu["zone_population"], lu["trip_length_factor"], lu["jobs"],
                          inp.mode_shares, inp.cars_per_capita, inp.car_powertrain_share, ctx.params,
                          ctx.base_levers, price, ctx.factors, lu.get("job_zone_share"))

    def calibrated(self, bottom_up: TransportState, ctx) -> TransportState:
        # What land use gives transport has no factor. The bottom-up fleet, the largest array of the set-up,
        # goes before the calibrated one is made, which then takes its memory (the simulation hands over
        # the only reference to the bottom-up state).
        bottom_up = replace(bottom_up, stock=None)
        return calibrated(bottom_up, ctx.inputs.car_powertrain_share, ctx.factors)

    def choose(self, state: TransportState, ctx) -> dict:
        price = self._price(state, ctx)
        travel = choose(state, ctx.levers, ctx.params, ctx.year, price, counted=not self._fleet_alone(ctx))
        # the local advantage: what the nation's other buyers lack, which the history fit replays
        cars, local = new_cars_and_local_advantage(state, ctx.levers, ctx.params, ctx.year, price, travel["costs"])
        return {"travel": travel, "cars": cars, "local_advantage": local}

    def _fleet_alone(self, ctx) -> bool:
        """Whether the run reads nothing of transport but the car fleet (:data:`FLEET_OUTPUTS`; the history
        fit's runs)."""
        reads = (ctx.reads or {}).get(self.name)
        return reads is not None and reads <= FLEET_OUTPUTS

    def advance(self, state: TransportState, ctx) -> TransportState:
        lu, choice = ctx.outputs["land_use"], ctx.choices["transport"]
        return advance(state, ctx.population, lu["zone_population"], lu["trip_length_factor"], lu["jobs"],
                       choice["travel"], choice["cars"], ctx.levers, ctx.params, ctx.year, lu.get("job_zone_share"),
                       in_place=True, cars_alone=self._fleet_alone(ctx))

    def account(self, state: TransportState, ctx) -> dict:
        if self._fleet_alone(ctx):   # its travel, tolls and emissions are not read
            return fleet_outputs(state)
        return account(state, ctx.levers, ctx.params, ctx.year, lines=not ctx.partial)


SUBMODEL = Transport()
