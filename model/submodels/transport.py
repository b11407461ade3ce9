"""Road transport: passenger demand, mode and period choice, tolls, vehicle fleets and road emissions
(methods §1).

ASIF chain per municipality (methods §1.1): residents' trips by home zone, purpose and period
(Activity) are split over ``dims.MODES`` by a pivot-point logit on generalised cost (Structure,
:mod:`.mode_choice`); car-driver trips times trip length give the residents' car vkm, which the
``cars`` calibration factor turns into territorial vkm (through traffic and visitors). Vans and
heavy vehicles follow jobs and the tolls they pay, buses population and public-transport
service (methods §1.6). Each vehicle class has a vintage fleet (:mod:`.fleet`) that sets energy
per km by powertrain and age (Intensity) and the fuel mix with its biofuel blend (Fuel).

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

Year protocol: ``init_state`` (2009, with the 2009 levers and prices) -> each year ``choose``
(the household cohorts' rule), ``advance`` (from 2010), ``account``; the adapter
:class:`Transport` at the end fits it to the simulation. Levers (``levers.py``) are indexed
directly; every call gets all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from .. import cordons as cordon_data
from .. import dims
from .. import prices as price_paths
from ..parameters import Params
from . import fleet, mode_choice, same_inputs_reused, tolls
from .fleet import FleetCoefficients, fleet_coefficients
from .ordered_sums import trailing_sum
from .travel_segments import (ChoiceTerms, full_cells, partial_adjustment, period_first,
                              period_last_view, segment_mixture)
from .mode_choice import DemandCoefficients, demand_coefficients

# Carriers of ``road_energy`` [GWh/yr]: fossil petrol, fossil diesel, electricity, and all biofuel (blended
# into petrol and diesel, and biogas in buses, lever ``bus_biogas_share``).
ROAD_CARRIERS = ("petrol", "diesel", "electricity", "biofuel")
CLASS_SOURCES = ("cars", "vans", "heavy_vehicles", "buses")      # emission source of each dims.VEHICLE_CLASSES
KWH_PER_GWH = 1e6
G_PER_T = 1e6
SHARE_TOLERANCE = 1e-6
TINY = np.finfo(float).tiny  # guards divisions by an empty zone or municipality
HOURS = 1.0 / 60.0

CAR, PASSENGER, PT, BIKE, WALK = (dims.index(dims.MODES, m) for m in dims.MODES)
COMMUTE, ERRANDS = dims.index(dims.PURPOSES, "commute"), dims.index(dims.PURPOSES, "errands")
PETROL, DIESEL, PHEV, BEV = range(len(dims.POWERTRAINS))
CAR_CLASS, BUS_CLASS = dims.index(dims.VEHICLE_CLASSES, "car"), dims.index(dims.VEHICLE_CLASSES, "bus")
VAN_COLUMN, HEAVY_COLUMN, BUS_COLUMN = 0, 1, 2  # the activity-driven classes (van, heavy, bus)
POWERTRAIN_TOLL_FUEL = (tolls.PETROL, tolls.DIESEL, tolls.PETROL, tolls.BEV_FUEL)  # PHEVs pay the petrol rate
COMMUTING_YEAR = dims.BASE_YEAR   # commuting shares nearest to 2009, held (cordons.commute_matrix)
TOLL_TERMS_KEPT = 4   # sets of cordon prices whose toll terms a run keeps (_toll_terms)


@dataclass(frozen=True)
class Geography:
    """Who crosses which cordon: fixed for a run (set up from the embedded cordon and commuting data)."""

    crossings: np.ndarray   # (D, C, M, Z, P) [crossings per one-way trip] of each cordon
    paid: np.ndarray        # (D, C, M, Z, P) [paid passages per one-way trip]
    owner: np.ndarray       # (C,) index of the municipality that owns each cordon
    external: np.ndarray    # (C,) [1] passages not counted by the rule per passage counted


def geography(c: DemandCoefficients) -> Geography:
    """Crossings and paid passages per trip of every cordon for residents of each municipality,
    zone type and purpose (:func:`framtid.model.cordons.crossing_matrix`)."""
    return _geography(c.outside_factor.tobytes(), c.destination_share.tobytes(), len(c.outside_factor))


@lru_cache(maxsize=8)
def _geography(outside: bytes, destination: bytes, n_draws: int) -> Geography:
    # Keyed on the two parameter arrays it depends on: the calibration pass and the run share it.
    outside_factor = np.frombuffer(outside).reshape(n_draws)
    destination_share = np.frombuffer(destination).reshape(n_draws, -1)
    cords = cordon_data.cordons()
    commute = cordon_data.commute_matrix(cordon_data.load_commuting(), COMMUTING_YEAR)
    split = cordon_data.destination_split(commute, outside_factor)                  # (D, M, P, M)
    crossings, paid = cordon_data.crossing_matrix(cords, split, destination_share)  # (D, C, M, Z, P)
    owner = np.array([dims.MUNICIPALITIES.index(x.municipality) for x in cords])
    # Contiguous, so that the yearly matrix products with them (tolls.py) need no copy.
    crossings, paid = np.ascontiguousarray(crossings), np.ascontiguousarray(paid)
    for array in (crossings, paid):
        array.flags.writeable = False   # shared between runs
    return Geography(crossings, paid, owner, np.array([x.external_passage_ratio for x in cords]))


@dataclass
class TransportState:
    """Transport in one year; ``advance`` returns a new state and ``account`` only reads it."""

    demand: DemandCoefficients
    fleet: FleetCoefficients
    geo: Geography
    params: Params                      # the table both were derived from
    year: int
    population: np.ndarray              # (D, M) [inhabitants]
    population_base: np.ndarray         # (D, M) 2009
    zone_population: np.ndarray         # (D, M, Z)
    trip_length_factor: np.ndarray      # (D, M, Z) [1] relative trip length by home zone (land use)
    trip_length_factor_base: np.ndarray  # (D, M, Z) 2009
    jobs: np.ndarray                    # (D, M)
    jobs_base: np.ndarray               # (D, M) 2009
    cars_per_capita_base: np.ndarray    # (D, M) [cars/inhabitant] 2009
    trip_volume: np.ndarray             # (D, M, Z, P, T) [trips/yr] with the 2009 split over periods
    base_shares: np.ndarray             # (D, M, Z, P, T, 5) [1] pivot shares P0
    choice: dict                        # this year's choice (see :func:`choose`)
    car_cost_coefficient: np.ndarray    # (D, M, P) [1/NOK] beta of car-driver costs per purpose
    pt_cost_coefficient: np.ndarray     # (D, M, P) [1/NOK] beta of PT costs per purpose
    calibration: np.ndarray             # (D, M, 4 classes) [1] factors of CLASS_SOURCES
    activity_vkm_base: np.ndarray       # (D, M, 3) [vkm/yr] vans, heavy, buses in 2009, calibrated
    stock: fleet.VintageStock           # (D, M, C, A, K) [vehicles] by vintage, with this year's sums
    new_car_share: np.ndarray           # (D, M, K) [1] powertrains of this year's new cars
    vkm_share: np.ndarray               # (D, M, C, K) [1] share of each class's vkm by powertrain
    energy_per_vkm: np.ndarray          # (D, M, C, 3) [kWh/vkm] petrol, diesel, electricity
    base_levers: dict                   # levers in force in 2009 (pivot reference)
    base_costs: dict                    # generalised-cost terms under the base levers and prices
    powertrain_constants: np.ndarray    # (D, M, K) constants reproducing 2009 new-car shares
    job_zone_share: np.ndarray = None   # (D, M, Z) [1] where the jobs are (commute destinations, land use)
    purpose_factor: np.ndarray = None   # (D, M, P) [1] trips by purpose relative to the trip rates (telework)
    # base_shares mode- and period-first, (5, T, D, M, Z, P) contiguous, as ``choose`` reads them every year
    # (made once by init_state: the transposed copy costs as much as a segment of the mode choice).
    base_shares_by_mode: np.ndarray = None
    choice_terms: ChoiceTerms = None    # the run's constant terms of the travel choice (made once by init_state)
    # The toll terms of the last few sets of cordon prices (_toll_terms), shared by the states of a run:
    # prices stay the same for years at a time, and the terms depend on nothing else that changes.
    toll_memo: dict = field(default_factory=dict, repr=False, compare=False)


def _coef(state: TransportState, params: Params) -> tuple[DemandCoefficients, FleetCoefficients]:
    if params is state.params:
        return state.demand, state.fleet
    return params.derived(demand_coefficients), params.derived(fleet_coefficients)   # other parameters: once each


def bev_share_of_stock(stock: fleet.VintageStock) -> np.ndarray:
    """BEV share of the car stock [1], ``(D, M)``."""
    return _bev_share(_cars_by_powertrain(stock))


def _cars_by_powertrain(stock: fleet.VintageStock) -> np.ndarray:
    """Cars by powertrain ``(D, M, K)`` (the stock's sums over age)."""
    return stock.sums[:, :, CAR_CLASS, fleet.VEHICLES]


def _bev_share(cars: np.ndarray) -> np.ndarray:
    """BEV share of cars by powertrain ``(D, M, K)`` [1], ``(D, M)``."""
    return cars[..., BEV] / np.maximum(cars.sum(axis=-1), TINY)


def slot_weights(fc: FleetCoefficients, year: int, ages: np.ndarray) -> np.ndarray:
    """The weights the fleet is summed with in ``year``, for vehicles of the ``ages`` ``(n,)`` of the stock's
    slots: ``(C, D, 5, n)`` [1], rows ``fleet.VEHICLES`` (1), ``SURVIVORS`` (annual survival), ``KM``
    (relative annual km) and ``FUEL`` and ``ELECTRICITY`` (km times the vintage's energy use relative to a
    2009 vehicle, :func:`fleet.vintage_efficiency`)."""
    offset = (year - dims.BASE_YEAR) - ages
    fuel_eff = fleet.vintage_efficiency(offset, fc.fuel_gain.T[:, :, None], fc.efficiency_floor[:, None])  # (C, D, n)
    el_eff = fleet.vintage_efficiency(offset, fc.electric_gain[:, None], fc.efficiency_floor[:, None])  # (D, n)
    km = fc.mileage[:, ages]                                                                 # (D, n)
    out = np.empty((fc.survival.shape[1], len(km), 5, len(ages)))
    out[:, :, fleet.VEHICLES] = 1.0
    out[:, :, fleet.SURVIVORS] = fc.survival[:, :, ages].transpose(1, 0, 2)
    out[:, :, fleet.KM] = km
    out[:, :, fleet.FUEL] = km * fuel_eff
    out[:, :, fleet.ELECTRICITY] = km * el_eff
    return out


def _fleet_state(stock: fleet.VintageStock, fc: FleetCoefficients,
                 year: int) -> tuple[fleet.VintageStock, np.ndarray, np.ndarray]:
    """The stock with this year's sums, vkm share by powertrain ``(D, M, C, K)`` and energy per vkm
    ``(D, M, C, 3)`` [kWh/vkm]."""
    sums = fleet.vintage_sums(stock, slot_weights(fc, year, stock.slot_ages()))               # (D, M, C, 5, K)
    share, fuel, electricity = fleet.mix_of_sums(sums[..., fleet.KM, :], sums[..., fleet.FUEL, :],
                                                 sums[..., fleet.ELECTRICITY, :], fc.fuel_per_km_new[:, None],
                                                 fc.electricity_per_km_new[:, None])
    energy = np.stack([fuel[..., PETROL] + fuel[..., PHEV], fuel[..., DIESEL], electricity], axis=-1)
    return replace(stock, sums=sums), share, energy


def fleet_stock(by_age: np.ndarray, fc: FleetCoefficients, year: int) -> fleet.VintageStock:
    """A fleet ``(D, M, C, A + 1, K)`` [vehicles] by age as the state keeps it in ``year`` (with its sums)."""
    return _fleet_state(fleet.vintage_stock(by_age, fc.survival, year), fc, year)[0]


def energy_prices(paths, k: int, levers: dict, fc: FleetCoefficients) -> np.ndarray:
    """Prices of petrol, diesel and charging electricity in year index ``k`` [real 2009 NOK/kWh],
    ``(D, M, 3)``: pump prices with this year's road-usage and CO2 taxes (``prices.pump_prices``)
    per kWh of fuel, and the household electricity price incl. grid, taxes and VAT."""
    pump = price_paths.pump_prices(paths, k, levers["road_usage_tax"], levers["co2_tax_road_nok_per_t"],
                                   fc.co2_per_litre, fc.vat_rate[:, None, None])
    electricity = price_paths.electricity_consumer_price(paths, k, fc.vat_rate)
    return np.concatenate([pump / fc.energy_content[:, None, :],
                           np.broadcast_to(electricity[:, None, None], pump.shape[:2] + (1,))], axis=-1)


def _cost_per_km(energy_per_vkm: np.ndarray, price: np.ndarray) -> np.ndarray:
    """Fleet-average energy cost of driving a car [NOK/vkm], ``(D, M)``."""
    return (energy_per_vkm[:, :, CAR_CLASS] * price).sum(axis=-1)


def _toll_terms(state: TransportState, prices: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which cordons charge ``(D, C)`` (bool), the toll of a one-way trip by fuel and period
    ``(D, M, Z, P, T, F)`` [NOK/trip] and the share of trips crossing a charged cordon ``(D, M, Z, P)``
    [1] under cordon ``prices`` (:mod:`.tolls`); computed once per set of prices in a run."""
    key = (prices.shape, prices.tobytes())
    # Compared with the kept keys one by one, the last first: hashing the bytes would cost more (the terms
    # are read four times a year, by the choice, the advance and twice by the accounting).
    terms = next((kept for known, kept in reversed(state.toll_memo.items()) if known == key), None)
    if terms is None:
        is_charged = tolls.charged(prices)
        # The crossing shares depend only on which cordons charge, which new prices seldom change.
        weight = next((kept[2] for kept in state.toll_memo.values() if np.array_equal(kept[0], is_charged)), None)
        terms = (is_charged, tolls.toll_per_trip(state.geo.paid, prices, is_charged),
                 tolls.crossing_weight(state.geo.crossings, is_charged) if weight is None else weight)
        for array in terms:
            array.flags.writeable = False   # shared by the years with these prices
        if len(state.toll_memo) >= TOLL_TERMS_KEPT:
            del state.toll_memo[next(iter(state.toll_memo))]
        state.toll_memo[key] = terms
    return terms


def _toll_fuel_mix(vkm_share: np.ndarray) -> np.ndarray:
    """Shares of car vkm by toll fuel ``(D, M, F)``: petrol incl. plug-in hybrids, diesel, BEV."""
    car = vkm_share[:, :, CAR_CLASS]
    return np.stack([car[..., PETROL] + car[..., PHEV], car[..., DIESEL], car[..., BEV]], axis=-1)


def _bev_parking_discount(lv: dict) -> np.ndarray:
    """Discount on parking for BEVs ``(D, M)``: the municipality's own or the national minimum."""
    return np.maximum(lv["bev_parking_discount"], lv["bev_parking_discount_min"])


def _away_shares(state: TransportState, c: DemandCoefficients) -> np.ndarray:
    """Share of each purpose's trips that end away from home in each zone type ``(D, M, P, Zdest)`` [1]:
    ``(1 - home) x`` the destination split; commute trips end where the jobs are (land use)."""
    d, m = state.population.shape
    split = np.broadcast_to(c.destination_share[:, None, None, :], (d, m, len(dims.PURPOSES), len(dims.ZONES))).copy()
    split[:, :, COMMUTE] = state.job_zone_share
    return (1.0 - c.home_end_share)[:, None, None, None] * split


def _generalised_costs(state: TransportState, c: DemandCoefficients, lv: dict, price: np.ndarray,
                       volume_ratio: np.ndarray) -> dict:
    """The generalised-cost terms that levers, prices and the fleet change [NOK/trip, h/trip].

    ``volume_ratio`` ``(D, M, T)`` is car traffic relative to 2009 by period (last year's),
    which stretches car travel time along the BPR curve (methods §1.4); the capacity lever
    ``road_capacity_change`` k lowers the volume-capacity ratio to ``x V/C / (1 + k)``.

    Trips ending away from home meet the costs of their destination zone type (``destination``):
    the municipal parking fee, a workplace parking charge on commute trips where free workplace
    parking is removed, search and walking time where public spaces are removed, and a
    low-emission-zone charge on fossil-fuelled cars (fleet average: times the non-BEV share of car
    vkm). Car-free areas and zero-emission zones remove the car for a share of the trips ending
    there (``car_free``, ``zez_removed``: the fossil share of the fleet). Public transport's cost
    falls with in-vehicle time saved by new lines and with park-and-ride access time saved on trips
    to A zones; bicycle and walking costs fall with the perceived time saved by cycle networks and
    walkable streets, valued at public transport's values of time.
    """
    bev = state.vkm_share[:, :, CAR_CLASS, BEV]
    fossil = 1.0 - bev
    per_km = _cost_per_km(state.energy_per_vkm, price)
    energy = per_km[:, :, None] * c.trip_length[:, None, None, CAR] * state.trip_length_factor_base
    # Expected fee of a car trip ending in each zone type: only trips parking in public paid spaces pay.
    parking = (lv["parking_fee_nok"] * c.public_parking[:, None, :]
               * (1.0 - bev * _bev_parking_discount(lv))[..., None])                                # (D, M, Zdest)
    destination = parking[:, :, None, :]                                                           # (D, M, 1, Zdest)
    if np.any(lv["low_emission_zone_nok"]):
        destination = destination + (lv["low_emission_zone_nok"] * fossil[..., None])[:, :, None, :]
    if np.any(lv["public_parking_removed"]):
        destination = destination + ((lv["public_parking_removed"] * c.public_parking[:, None, :])[:, :, None, :]
                                     * (c.parking_relocation_min * HOURS)[:, None, None, None]
                                     * c.car_value_of_time[:, None, :, None])                     # (D, M, P, Zdest)
    if np.any(lv["workplace_parking_charged"]):
        workplace = np.zeros(destination.shape[:2] + (len(dims.PURPOSES), len(dims.ZONES)))
        workplace[:, :, COMMUTE] = (lv["workplace_parking_charged"] * c.free_workplace_parking[:, None, :]
                                    * c.workplace_parking_value[:, None, None])
        destination = destination + workplace
    car_free = lv["car_free_share"]                                                                 # (D, M, Zdest)
    zez_removed = lv["zero_emission_zone_share"]
    if np.any(zez_removed):
        zez_removed = np.minimum(zez_removed * fossil[..., None], 1.0 - car_free)
    away = _away_shares(state, c)                                                                   # (D, M, P, Zd)
    prices = tolls.cordon_prices(lv["toll_nok"], state.geo.owner, lv["bev_toll_discount_min"], lv["toll_scale"])
    _, by_fuel, weight = _toll_terms(state, prices)                               # (D, M, Z, P, T, F), (D, M, Z, P)
    # The toll per crossing trip and the PT cost are computed period first (T, D, M, Z, P), the layout choose
    # reads them in (the dict holds views in the usual order): products broadcasting a leading axis run
    # faster than those broadcasting the short period axis.
    per_crossing = period_first(tolls.fleet_average(by_fuel, _toll_fuel_mix(state.vkm_share)))
    per_crossing /= np.maximum(weight, TINY)
    np.copyto(per_crossing, 0.0, where=weight <= 0)   # no charged cordon crossed: no toll per crossing
    alpha, beta = c.bpr[:, 0, None, None], c.bpr[:, 1, None, None]
    capacity = (1.0 + lv["road_capacity_change"])[..., None]                                        # (D, M, 1)
    time = (c.trip_length[:, None, None, CAR] / c.car_speed[:, None, :]
            * mode_choice.bpr_time_ratio(volume_ratio / capacity, c.volume_capacity[:, None, :], alpha, beta))
    wait = mode_choice.headway_wait_min(c.headway[:, None, :], lv["pt_service_change"][..., None])
    fare = c.pt_fare[:, None] * (1.0 + lv["pt_fare_change"])
    vot_pt = c.value_of_time[:, None, None, :]                                                      # (D, 1, 1, P)
    park_and_ride = (-vot_pt * HOURS * lv["park_and_ride_saving_min"][..., None]
                     * away[:, :, None, :, dims.ZONES.index("A")])                                  # (D, M, Z, P)
    pt = mode_choice.generalised_cost(fare[:, :, None, None], -lv["pt_time_saving_min"][..., None],
                                      np.moveaxis(wait, -1, 0)[..., None, None], vot_pt,
                                      c.wait_weight[:, None, None, None])
    pt += park_and_ride                                                                             # (T,D,M,Z,P)
    return {
        "energy": energy,                    # (D, M, Z) car-driver trip at the 2009 trip length
        "per_km": per_km,                    # (D, M) [NOK/vkm]
        "parking": parking,                  # (D, M, Zdest) municipal fee per trip ending in the zone type
        "destination": destination,          # (D, M, P, Zdest) car costs of trips ending in the zone type
        "away": away,                        # (D, M, P, Zdest) trips ending away from home in the zone type
        "car_free": car_free,                # (D, M, Zdest) trips ending there that lose both car modes
        "zez_removed": zez_removed,          # (D, M, Zdest) trips ending there that lose the car-driver mode
        "prices": prices,                    # (D, C, 2, F, T) [NOK/passage]
        "toll_by_fuel": by_fuel,             # (D, M, Z, P, T, F) per one-way trip
        "crossing": weight,                  # (D, M, Z, P) share crossing a charged cordon
        "toll": period_last_view(per_crossing),  # (D, M, Z, P, T) per crossing trip, fleet average
        "car_time": time,                    # (D, M, T) [h/trip]
        "pt": period_last_view(pt),         # (D, M, Z, P, T)
        "park_and_ride": park_and_ride,      # (D, M, Z, P) the park-and-ride part of pt
        "pt_destination": trailing_sum(c.destination_constant_pt[:, None, :] * state.job_zone_share),  # (D, M)
        "bicycle": -vot_pt * HOURS * lv["bicycle_time_saving_min"][..., None],                     # (D, M, Z, P)
        "walk": -vot_pt * HOURS * lv["walk_time_saving_min"][..., None],                           # (D, M, Z, P)
        "car_ownership": np.log1p(lv["car_ownership_change"]),   # (D, M)
    }


def _over_groups(trips: np.ndarray, per_trip: np.ndarray, keep: int) -> np.ndarray:
    """``sum trips x per_trip`` over the axes of ``trips`` ``(D, M, Z, P, T)`` after its first ``keep``
    [trips/yr x the unit of ``per_trip``], ``per_trip`` ``(D, M, Z, P, T, n)``: ``(D, M, ..., n)``.

    A matrix product per kept cell: numpy's sum over leading axes of a product broadcast along a
    short last axis is several times slower.
    """
    lead = trips.shape[:keep]
    out = np.matmul(trips.reshape(lead + (1, -1)), per_trip.reshape(lead + (-1, per_trip.shape[-1])))
    return out[..., 0, :]


def _zone_car_weights(trip_volume: np.ndarray, mode_shares: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """Car-driver trips by home zone ``(D, M, Z)``: where the municipality's cars are used."""
    return np.einsum("dmzpt->dmz", trip_volume * periods * mode_shares[..., CAR])


def _powertrain_utility(state: TransportState, c: DemandCoefficients, fc: FleetCoefficients,
                        lv: dict, base: dict, price: np.ndarray, costs: dict, year: int) -> np.ndarray:
    """Utility of each powertrain for a new car bought in zone z, without the municipal
    constants, ``(D, M, Z, K)`` (methods §1.5).

    ``V = beta_TCO TCO + maturity(t) - maturity(2009) + charging + peer``: the TCO holds
    price with VAT and registration tax, energy at this year's prices, and the tolls (each
    powertrain at its own rate) and parking the household's car trips meet, per car; home
    charging access penalises BEV (and PHEV for its electric share) where it is missing;
    the peer term rises with the local BEV share of the car stock (social contagion).
    """
    t = year - dims.BASE_YEAR
    choice = state.choice
    drivers = state.trip_volume * choice["periods"]
    drivers *= choice["modes"][..., CAR]
    drivers /= np.maximum(state.zone_population, TINY)[..., None, None]         # (D, M, Z, P, T) [trips/person/yr]
    cars = state.cars_per_capita_base * (1.0 + lv["car_ownership_change"]) / (1.0 + base["car_ownership_change"])
    toll_fuel = _over_groups(drivers, costs["toll_by_fuel"], 3)                                # (D, M, Z, F)
    tolls_k = toll_fuel[..., list(POWERTRAIN_TOLL_FUEL)] / cars[..., None, None]            # (D, M, Z, K)
    away = costs["away"]                                                                       # (D, M, P, Zdest)

    def per_car(trips: np.ndarray, per_trip: np.ndarray) -> np.ndarray:
        """Yearly cost per car ``(D, M, Z)`` of trips per person ``(D, M, Z, P, T)`` ending away from home,
        each paying ``per_trip`` ``(D, M, P, Zdest)`` or ``(D, M, Z, P, T, Zdest)`` where it ends [NOK/yr]."""
        if per_trip.ndim == 4:
            per_trip = per_trip[:, :, None, :, None, :]
        return np.einsum("dmzpt,dmzptj->dmz", trips, away[:, :, None, :, None, :] * per_trip) / cars[..., None]

    fee = trailing_sum(away * (lv["parking_fee_nok"] * c.public_parking[:, None, :])[:, :, None, :])   # (D, M, P)
    parking = np.einsum("dmzpt,dmp->dmz", drivers, fee) / cars[..., None]                         # (D, M, Z)
    parking_k = np.empty(parking.shape + (len(dims.POWERTRAINS),))                                # (D, M, Z, K)
    parking_k[...] = parking[..., None]
    parking_k[..., BEV] *= 1.0 - _bev_parking_discount(lv)[..., None]
    # Low- and zero-emission zones: fossil-fuelled cars (petrol, diesel, plug-in hybrid) pay the charge on
    # their trips ending there, and lose access to the zero-emission zones; the loss per trip of any mode
    # is the fall in the logsum when the car goes, -ln(1 - P_car) / beta in NOK (compensating variation).
    lez, zez = lv["low_emission_zone_nok"], lv["zero_emission_zone_share"]
    if np.any(lez) or np.any(zez):
        zone_cost = per_car(drivers, lez[:, :, None, :])
        if np.any(zez):
            everyone = state.trip_volume * choice["periods"] / np.maximum(state.zone_population, TINY)[..., None, None]
            lost = (np.log1p(-np.minimum(choice["modes"][..., CAR], 0.99))
                    / state.car_cost_coefficient[:, :, None, :, None])                           # (D,M,Z,P,T) NOK
            zone_cost = zone_cost + per_car(everyone, lost[..., None] * zez[:, :, None, None, None, :])
        parking_k = parking_k + zone_cost[..., None] * np.array([1.0, 1.0, 1.0, 0.0])
    premium = fc.price_premium * np.exp(-fc.price_premium_decline * t)
    car_price = fc.car_price + premium                                                       # (D, K)
    fuel = fc.fuel_per_km_new[:, CAR_CLASS] * fleet.vintage_efficiency(t, fc.fuel_gain[:, CAR_CLASS, None],
                                                                        fc.efficiency_floor[:, None])
    electricity = fc.electricity_per_km_new[:, CAR_CLASS] * fleet.vintage_efficiency(
        t, fc.electric_gain[:, None], fc.efficiency_floor[:, None])
    fuel_price = price[..., [0, 1, 0, 0]] * np.array([1.0, 1.0, 1.0, 0.0])                   # (D, M, K)
    energy_cost = fuel[:, None] * fuel_price + electricity[:, None] * price[..., 2, None]    # (D, M, K)
    vat_paid = np.stack([np.ones_like(lv["bev_vat_exemption"])] * 3 + [1.0 - lv["bev_vat_exemption"]], -1)
    reg_paid = np.stack([np.ones_like(lv["bev_registration_tax_exemption"])] * 3
                        + [1.0 - lv["bev_registration_tax_exemption"]], -1)
    tco = fleet.ownership_cost(
        car_price[:, None, None, :], fc.registration_tax[:, None, None, :], fc.vat_rate[:, None, None, None],
        vat_paid[:, :, None, :], reg_paid[:, :, None, :], fc.annuity[:, None, None, None],
        fc.annual_km[:, None, None, CAR_CLASS, None], energy_cost[:, :, None, :], tolls_k, parking_k)
    path = (fc.maturity_amplitude, fc.maturity_midpoint, fc.maturity_rate)
    maturity = fleet.logistic_path(year, *path) - fleet.logistic_path(dims.BASE_YEAR, *path)      # (D, K)
    charging = (fc.charging_coefficient[:, None, None] * (fc.home_charging[:, :, None] - 1.0)
                * fc.charging_need[:, None, :])                                                   # (D, Z, K)
    peer = fc.peer_coefficient[:, None] * bev_share_of_stock(state.stock)                        # (D, M)
    utility = fc.tco_coefficient[:, None, None, None] * tco + (maturity[:, None, :] + charging)[:, None]
    utility[..., BEV] += peer[..., None]
    return utility


def _mode_first(state: TransportState) -> np.ndarray:
    """The pivot shares ``(5, T, D, M, Z, P)``, contiguous (the state's copy when it has one)."""
    if state.base_shares_by_mode is not None:
        return state.base_shares_by_mode
    return np.ascontiguousarray(state.base_shares.transpose(5, 4, 0, 1, 2, 3))


def _choice_terms(state: TransportState, c: DemandCoefficients) -> ChoiceTerms:
    """The constant terms of :func:`choose` for the coefficients ``c`` (the state's own at set-up)."""
    cells = state.trip_volume.shape[:4]                                                        # (D, M, Z, P)
    peak_share = full_cells(c.peak_share[:, None, None, :], cells)
    persistence = full_cells(c.persistence[:, None, None, None], cells)
    terms = ChoiceTerms(car_cost=full_cells(state.car_cost_coefficient[:, :, None, :], cells),
                        pt_cost=full_cells(state.pt_cost_coefficient[:, :, None, :], cells),
                        peak_share=peak_share, off_peak_share=1.0 - peak_share,
                        peak_odds=mode_choice.peak_odds(peak_share),
                        period_scale=full_cells(c.period_scale[:, None, None, None], cells),
                        persistence=persistence, adjustment=1.0 - persistence,
                        toll=period_first(state.base_costs["toll"]))
    for array in vars(terms).values():
        array.flags.writeable = False   # shared by the states of a run
    return terms


def choose(state: TransportState, levers: dict, params: Params, year: int, price: np.ndarray) -> dict:
    """The household cohorts' travel choice this year (methods §1.2-1.4).

    Every segment (trips crossing a charged cordon in 2009 and/or now, crossed with trips
    ending at home or in each zone type, where a destination cost changed) pivots on the 2009
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
    car-driver trip length answers the energy cost per km the same way.

    Returns ``modes`` ``(D, M, Z, P, T, 5)`` mode shares of each period's trips, ``periods``
    ``(D, M, Z, P, T)`` trips relative to the 2009 split over periods, ``crossing_car``
    ``(D, M, Z, P, T)`` car-driver trips crossing a charged cordon per trip of the group
    crossing now (relative to the 2009 period split), ``parked_car`` ``(D, M, Z, P, T, Zdest)``
    car-driver trips ending in each zone type away from home per trip, ``trip_length``
    ``(D, M)`` [1] car-driver trip length relative to 2009, ``volume_ratio`` ``(D, M, T)``
    car trips by period relative to 2009, ``costs`` this year's cost terms and ``lagged``
    the adjusted utility changes (next year's starting point; utilities by mode and toll changes
    by segment, ``(T, D, M, Z, P)``, None where zero).

    Inside, arrays hold the period (and the mode) as leading axes and every coefficient is
    stored at the full ``(D, M, Z, P)`` size: numpy runs products that broadcast a short
    trailing axis (2 periods, 3 purposes, 5 modes) many times slower than products of arrays
    laid out alike, and the segment loop (:func:`.travel_segments.segment_mixture`) takes the largest part of a
    batch run.
    """
    c, fc = _coef(state, params)
    # The run's constant terms, unless other parameters are given (or the state was built by hand).
    terms = state.choice_terms if params is state.params and state.choice_terms is not None else _choice_terms(state, c)
    previous = state.choice
    lagged = previous["lagged"]
    now = _generalised_costs(state, c, levers, price, previous["volume_ratio"])
    base = state.base_costs
    lam = c.persistence
    cells = state.trip_volume.shape[:4]                                                        # (D, M, Z, P)

    def lag(before: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Partial adjustment of arrays with the draw axis first."""
        weight = lam.reshape((-1,) + (1,) * (np.ndim(target) - 1))
        return partial_adjustment(before, target, (weight, 1.0 - weight))

    def change(key: str) -> np.ndarray | None:
        """now - base of a cost term, None when both are zero everywhere (a lever no measure sets)."""
        if not (np.any(now[key]) or np.any(base[key])):
            return None
        return now[key] - base[key]

    def nonzero(x: np.ndarray | None) -> np.ndarray | None:
        """Last year's change, None when it is zero everywhere (no segment has met one yet)."""
        return x if x is not None and np.any(x) else None

    beta, beta_pt = terms.car_cost, terms.pt_cost                                              # (D, M, Z, P)
    vot = c.car_value_of_time[:, None, None, :]                                                # (D, 1, 1, P)
    # Long-run utility changes by mode (T, D, M, Z, P) or (D, M, Z, P); None for the modes nothing changes.
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
        d_active = change(key)
        if d_active is not None:
            target[mode] = beta_pt * d_active
    # Each mode's (last year's, long-run) change; None where both are zero (the car passenger's always).
    utilities = [None if towards is None and nonzero(before) is None
                 else (nonzero(before), 0.0 if towards is None else towards)
                 for before, towards in zip(lagged["dv"], target)]
    # The park-and-ride part of the PT utility, adjusted alike: it sets the share of PT trips that use a site.
    park_and_ride = lagged["park_and_ride"]
    d_park_and_ride = change("park_and_ride")
    if d_park_and_ride is not None or np.any(park_and_ride):
        beta_pr = state.pt_cost_coefficient[:, :, None, :, None]
        park_and_ride = lag(park_and_ride, beta_pr * (0.0 if d_park_and_ride is None else d_park_and_ride[..., None]))
    d_dest = lag(lagged["destination"], now["destination"] - base["destination"])            # (D, M, P, Zdest)
    # ln(L / L0) = e (c / c0 - 1): linear in the cost per km, like the utilities (methods §1.3).
    log_length = lag(lagged["length"], c.trip_length_elasticity[:, None] * (now["per_km"] / base["per_km"] - 1.0))

    away = now["away"]                                                                         # (D, M, P, Zdest)
    home = 1.0 - trailing_sum(away)                                                          # (D, M, P)
    car_free, zez = now["car_free"], now["zez_removed"]                                        # (D, M, Zdest)
    removal = bool(np.any(car_free) or np.any(zez))
    single = not (removal or np.any(d_dest))
    # Destination segments: (weight (D, M, P), car cost change (D, M, P) or None, modes removed, zone type).
    if single:   # nothing differs between destinations: one segment (the same shares for every destination)
        destinations = [(None, None, (), None)]
    else:
        destinations = [(home, None, (), None)]
        for d in range(len(dims.ZONES)):
            w = away[..., d]
            destinations.append((w * (1.0 - car_free[..., d, None] - zez[..., d, None]), d_dest[..., d], (), d))
            if np.any(car_free[..., d]):
                destinations.append((w * car_free[..., d, None], None, (CAR, PASSENGER), d))
            if np.any(zez[..., d]):
                destinations.append((w * zez[..., d, None], None, (CAR,), d))
    destinations = [(None if w is None else full_cells(w[:, :, None, :], cells),
                     None if d_car is None else beta * d_car[:, :, None, :], removed, dest)
                    for w, d_car, removed, dest in destinations]
    crossing = (base["crossing"], now["crossing"], terms.toll, period_first(now["toll"]))
    choice, dv, d_tolls = segment_mixture(crossing, [nonzero(before) for before in lagged["toll"]], utilities,
                                           destinations, _mode_first(state), terms, away if single else None)
    car_trips = state.trip_volume * choice["periods"]
    car_trips *= choice["modes"][..., CAR]
    car_by_period = np.einsum("dmzpt->dmt", car_trips)                                         # (D, M, T)
    # Against the car trips of the trip rates at 2009 shares: fewer commute trips (telework) relieve congestion.
    base_trips = state.trip_volume / state.purpose_factor[:, :, None, :, None]
    base_trips *= state.base_shares[..., CAR]
    base_by_period = np.einsum("dmzpt->dmt", base_trips)
    return dict(choice, trip_length=np.exp(log_length), volume_ratio=car_by_period / np.maximum(base_by_period, TINY),
                costs=now,
                park_and_ride=-np.expm1(-np.maximum(park_and_ride, 0.0)) if np.any(park_and_ride) else park_and_ride,
                lagged={"dv": dv, "toll": d_tolls, "destination": d_dest, "park_and_ride": park_and_ride,
                        "length": log_length})


def choose_car_powertrains(state: TransportState, levers: dict, params: Params, year: int,
                           price: np.ndarray, costs: dict) -> np.ndarray:
    """New-car shares by powertrain for buyers in each zone ``(D, M, Z, K)`` [1] (methods §1.5).

    With BEVs exempt from VAT and registration tax and free tolls and parking (the
    Norwegian policy of the 2010s) the default parameters give a national BEV share of
    new cars of roughly 30 % in 2018 and 90 % in 2024, as observed (OFV, methods §1.5);
    tests/test_transport.py checks this. Nothing here fixes that path: it follows from
    the levers and prices.
    """
    c, fc = _coef(state, params)
    utility = _powertrain_utility(state, c, fc, levers, state.base_levers, price, costs, year)
    return mode_choice.logit_shares(utility + state.powertrain_constants[:, :, None, :])


def _car_passages(state: TransportState, prices: np.ndarray, crossing_car: np.ndarray) -> np.ndarray:
    """Passages of residents' cars through the charged cordons [passages/yr], ``(D, C, T)``."""
    counted = tolls.passages(state.trip_volume, state.geo.paid, crossing_car)
    return counted * _toll_terms(state, prices)[0][..., None]


def _toll_per_vkm(state: TransportState, prices: np.ndarray, by_cordon: np.ndarray,
                  resident_car_vkm: np.ndarray) -> np.ndarray:
    """Tolls a van and a heavy vehicle pay per vkm in each municipality [NOK/vkm], ``(D, M, 2)``.

    Vans and trucks are taken to pass their municipality's charged cordons as often per vkm as
    its residents' cars do (passages ``by_cordon`` ``(D, C, T)`` per car vkm); vans pay the light
    diesel rate, trucks the heavy rate, each averaged over cordons and periods as the car passages are.
    """
    geo, m = state.geo, len(dims.MUNICIPALITIES)
    per_owner = tolls.per_owner(trailing_sum(by_cordon), geo.owner, m)
    rate = per_owner / np.maximum(resident_car_vkm, TINY)                                        # passages/vkm
    paid = [tolls.per_owner(trailing_sum(prices[:, :, k, tolls.DIESEL] * by_cordon), geo.owner, m)
            / np.maximum(per_owner, TINY) for k in (tolls.LIGHT, tolls.HEAVY)]                 # (D, M) each
    return rate[..., None] * np.stack(paid, axis=-1)


def _park_and_ride_vkm(state: TransportState, c: DemandCoefficients, choice: dict) -> np.ndarray:
    """Car vkm of the access legs to park-and-ride sites ``(D, M)`` [vkm/yr]: the public-transport trips the
    park-and-ride improvement draws (share ``1 - exp(-dV_pr)`` of each group's PT trips; from car, bicycle,
    walking alike, so a short drive can replace a walk, transport_land_use.csv park_and_ride) times
    ``transport.park_and_ride_access_km``."""
    share = choice.get("park_and_ride")
    if share is None or not np.any(share):
        return np.zeros(state.population.shape)
    trips = state.trip_volume * choice["periods"] * choice["modes"][..., PT] * share              # (D,M,Z,P,T)
    return np.einsum("dmzpt->dm", trips) * c.park_and_ride_access_km[:, None]


def _resident_car_vkm(state: TransportState, c: DemandCoefficients, choice: dict) -> np.ndarray:
    trips = state.trip_volume * choice["periods"]
    trips *= choice["modes"][..., CAR]                                                         # (D,M,Z,P,T)
    per_zone = np.einsum("dmzpt->dmz", trips) * state.trip_length_factor
    return (np.einsum("dmz->dm", per_zone) * c.trip_length[:, None, CAR] * choice["trip_length"]
            + _park_and_ride_vkm(state, c, choice))


def _activity_vkm(state: TransportState, fc: FleetCoefficients, lv: dict, population: np.ndarray,
                  jobs: np.ndarray, freight: np.ndarray) -> np.ndarray:
    """vkm of vans, heavy vehicles and buses ``(D, M, 3)`` [vkm/yr] (methods §1.6).

    ``vkm = vkm_2009 (act / act_2009)^eps`` with jobs as the activity of vans and heavy
    vehicles and population for buses; vans and heavy vehicles answer the tolls they pay
    (``freight`` ``(D, M, 2)``, :func:`tolls.freight_vkm_factor`); bus vkm scales with
    public-transport service ``(1 + s) / (1 + s_2009)`` (more departures, more bus-km).
    Urban consolidation centres (lever ``van_vkm_consolidated`` u) take
    ``a u r`` off van vkm: ``a`` = ``transport.van_vkm_share_a`` (van vkm of deliveries into A
    zones), ``r`` = ``transport.consolidation_van_vkm_saving``.
    """
    jobs_ratio = jobs / state.jobs_base
    activity = np.stack([jobs_ratio, jobs_ratio, population / state.population_base], axis=-1)
    vkm = state.activity_vkm_base * activity ** fc.activity_elasticity[:, None, :]
    vkm[..., :2] *= freight
    consolidated = lv["van_vkm_consolidated"] - state.base_levers["van_vkm_consolidated"]
    if np.any(consolidated):
        vkm[..., VAN_COLUMN] *= 1.0 - fc.van_share_a[:, None] * fc.consolidation_saving[:, None] * consolidated
    service = (1.0 + lv["pt_service_change"]) / (1.0 + state.base_levers["pt_service_change"])
    vkm[..., BUS_COLUMN] *= service
    return vkm


def _freight_factor(state: TransportState, per_vkm: np.ndarray) -> np.ndarray:
    """Van and heavy-vehicle vkm relative to the 2009 toll situation ``(D, M, 2)``, from this year's
    tolls per vkm (:func:`_toll_per_vkm`)."""
    p = state.params
    operating = np.stack([p["transport.operating_cost.van"], p["transport.operating_cost.heavy"]], -1)[:, None]
    return tolls.freight_vkm_factor(per_vkm, state.base_costs["toll_per_vkm"], operating,
                                    p["transport.freight_cost_elasticity"][:, None, None])


def _validate_shares(name: str, shares: np.ndarray, columns: int, lowest: float) -> np.ndarray:
    """Check ``(M, columns)`` shares (each >= ``lowest``, rows sum 1) and rescale rows to sum exactly 1."""
    shares = np.asarray(shares, dtype=float)
    if shares.ndim != 2 or shares.shape[1] != columns:
        raise ValueError(f"{name} must have shape (M, {columns}), got {shares.shape}")
    if np.any(shares < lowest) or np.any(np.abs(shares.sum(axis=1) - 1.0) > SHARE_TOLERANCE):
        raise ValueError(f"{name} must be >= {lowest} and sum to 1 per municipality")
    return shares / shares.sum(axis=1, keepdims=True)


def _base_mode_shares(c: DemandCoefficients, weights: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """2009 shares ``(D, M, Z, P, T, 5)``: zone and purpose constants plus municipal constants
    solved so that the weighted municipal shares equal the observed ``shares`` (M, 5)."""
    return _solved_base_shares(c.zone_constant, c.purpose_constant, weights, shares)


@same_inputs_reused()
def _solved_base_shares(zone_constant: np.ndarray, purpose_constant: np.ndarray, weights: np.ndarray,
                        shares: np.ndarray) -> np.ndarray:
    # Solved once for the runs of the same draws (same_inputs_reused; no calibration factor enters).
    structure = np.broadcast_to(zone_constant[:, None, :, None, :] + purpose_constant[:, None, None, :, :],
                                weights.shape + (len(dims.MODES),))
    constants = mode_choice.solve_constants(structure, weights, shares)
    p0 = mode_choice.logit_shares(structure + constants[:, :, None, None])
    # The same in both periods: a read-only view repeats them (a copy would only take memory).
    return np.broadcast_to(p0[:, :, :, :, None, :], p0.shape[:4] + (len(dims.PERIODS),) + p0.shape[4:])


def _base_stock(fc: FleetCoefficients, cars: np.ndarray, car_mix: np.ndarray,
                activity_vkm: np.ndarray) -> fleet.VintageStock:
    """2009 fleets ``(D, M, C, A, K)`` [vehicles]: stationary age profiles; cars with the observed
    powertrain mix at every age, the other classes diesel and sized as vkm / annual km."""
    vehicles = np.concatenate([cars[..., None], activity_vkm / fc.annual_km[:, None, 1:]], axis=-1)
    mix = np.zeros(vehicles.shape + (len(dims.POWERTRAINS),))
    mix[..., DIESEL] = 1.0
    mix[:, :, CAR_CLASS] = car_mix
    return fleet.stationary_vintage_stock(vehicles, fc.age_profile, mix, fc.survival, dims.BASE_YEAR)


def _base_fleets(fc: FleetCoefficients, population: np.ndarray, cars_per_capita: np.ndarray,
                 car_powertrain_share: np.ndarray, calibration: dict[str, np.ndarray] | None
                 ) -> tuple[np.ndarray, np.ndarray, fleet.VintageStock, np.ndarray, np.ndarray]:
    """The part of the 2009 state that the calibration factors act on: the factors of ``CLASS_SOURCES``
    ``(D, M, 4)`` [1] (1 where missing), the base vkm of vans, heavy vehicles and buses ``(D, M, 3)``
    [vkm/yr] they scale, and the fleets sized from it (:func:`_base_stock`) with their vkm shares by
    powertrain and energy per vkm (:func:`_fleet_state`)."""
    powertrains = _validate_shares("car_powertrain_share", car_powertrain_share, len(dims.POWERTRAINS), 0.0)
    calibration = calibration or {}
    cal = np.stack([np.broadcast_to(np.asarray(calibration.get(source, 1.0), float), population.shape)
                    for source in CLASS_SOURCES], axis=-1)
    activity_vkm = fc.base_vkm_per_capita[:, None, :] * population[..., None] * cal[..., 1:]
    stock, vkm_share, energy = _fleet_state(_base_stock(fc, population * cars_per_capita, powertrains, activity_vkm),
                                            fc, dims.BASE_YEAR)
    return cal, activity_vkm, stock, vkm_share, energy


def calibrated(bottom_up: TransportState, car_powertrain_share: np.ndarray,
               calibration: dict[str, np.ndarray] | None) -> TransportState:
    """The 2009 state with the calibration factors, made from the bottom-up one (:func:`init_state` without
    factors, from the same inputs): equal to ``init_state`` with the factors.

    The factors of vans, heavy vehicles and buses size their base vkm and fleets, and the ``cars`` factor
    acts only in :func:`account`; nothing else in the state depends on a factor (the car fleet, the cost
    terms, the base mode shares and the powertrain constants read cars alone), so it is kept, and only
    the fleets are built again (``bottom_up.stock`` is not read).
    """
    cal, activity_vkm, stock, vkm_share, energy = _base_fleets(
        bottom_up.fleet, bottom_up.population, bottom_up.cars_per_capita_base, car_powertrain_share, calibration)
    return replace(bottom_up, calibration=cal, activity_vkm_base=activity_vkm, stock=stock, vkm_share=vkm_share,
                   energy_per_vkm=energy)


def _cost_coefficients(c: DemandCoefficients, weights: np.ndarray, p0: np.ndarray,
                       costs: dict) -> tuple[np.ndarray, np.ndarray]:
    """``beta = kappa / VoT`` per municipality and purpose [1/NOK], car driver and public transport.

    ``kappa`` [1/h] makes the trip-weighted long-run elasticity ``e = beta x (1 - P0)`` equal the
    target: for the car, the toll elasticity of crossing trips at the 2009 toll per crossing
    trip (``transport.reference_toll`` where no ring was in force); for public transport, the
    fare elasticity at the 2009 fare (methods §1.2-1.3).
    """
    p0 = p0[..., 0, :]                                                                      # (D, M, Z, P, 5)
    crossing = weights * np.maximum(costs["crossing"], 0.0)
    toll_weights = np.where(crossing.sum(axis=(2, 3), keepdims=True) > 0, crossing, weights)  # (D, M, Z, P)
    car_w = toll_weights * p0[..., CAR]
    toll = (car_w * costs["toll"].mean(axis=-1)).sum(axis=(2, 3)) / np.maximum(car_w.sum(axis=(2, 3)), TINY)
    toll = np.where(toll > 0, toll, c.reference_toll[:, None])                               # (D, M)
    car_term = (car_w * (1.0 - p0[..., CAR]) / c.car_value_of_time[:, None, None, :]).sum(axis=(2, 3)) \
        / np.maximum(car_w.sum(axis=(2, 3)), TINY)
    kappa_car = c.toll_elasticity[:, None] / (toll * car_term)
    pt_w = weights * p0[..., PT]
    pt_term = (pt_w * (1.0 - p0[..., PT]) / c.value_of_time[:, None, None, :]).sum(axis=(2, 3)) \
        / np.maximum(pt_w.sum(axis=(2, 3)), TINY)
    kappa_pt = c.fare_elasticity[:, None] / (c.pt_fare[:, None] * pt_term)
    return (kappa_car[..., None] / c.car_value_of_time[:, None, :],
            kappa_pt[..., None] / c.value_of_time[:, None, :])


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
    from their base vkm. Cost coefficients: :func:`_cost_coefficients`. Powertrain constants
    make the 2009 new-car shares (car-trip-weighted over zones) equal the base shares.

    Calibration [1] (D, M) per source: ``cars`` = territorial car vkm / residents' car vkm
    (through traffic and visitors); ``vans``, ``heavy_vehicles``, ``buses`` scale the base vkm.
    ``job_zone_share`` (D, M, Z) [1]: where the jobs are (land use), the destinations of commute
    trips (default: ``transport.parking_destination_share``).
    """
    c, fc = params.derived(demand_coefficients), params.derived(fleet_coefficients)
    # Every mode needs a positive share: the pivot cannot create a mode that has none.
    shares = _validate_shares("mode_shares", mode_shares, len(dims.MODES), TINY)
    population, zone_population, trip_length_factor, jobs = (
        np.array(x, dtype=float) for x in (population, zone_population, trip_length_factor, jobs))
    d, m = population.shape
    weights = zone_population[..., None] * c.purpose_share[:, None, None, :]                 # (D, M, Z, P)
    p0 = _base_mode_shares(c, weights, shares)
    cal, activity_vkm, stock, vkm_share, energy = _base_fleets(fc, population, cars_per_capita, car_powertrain_share,
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
              "park_and_ride": no_change,
              "lagged": {"dv": np.zeros((len(dims.MODES), len(dims.PERIODS)) + weights.shape),
                         "toll": [np.zeros((len(dims.PERIODS),) + weights.shape)] * 4, "park_and_ride": no_change,
                         "destination": np.zeros((d, m, len(dims.PURPOSES), len(dims.ZONES))),
                         "length": np.zeros((d, m))}}
    state = TransportState(
        demand=c, fleet=fc, geo=geography(c), params=params, year=dims.BASE_YEAR, population=population,
        population_base=population, zone_population=zone_population, trip_length_factor=trip_length_factor,
        trip_length_factor_base=trip_length_factor, jobs=jobs, jobs_base=jobs,
        cars_per_capita_base=np.broadcast_to(cars_per_capita, (d, m)), trip_volume=volume,
        base_shares=p0, choice=choice, car_cost_coefficient=np.zeros((d, m, len(dims.PURPOSES))),
        pt_cost_coefficient=np.zeros((d, m, len(dims.PURPOSES))), calibration=cal,
        activity_vkm_base=activity_vkm, stock=stock,
        new_car_share=np.broadcast_to(fc.base_new_car_share[:, None, :], (d, m, len(dims.POWERTRAINS))),
        vkm_share=vkm_share, energy_per_vkm=energy, base_levers=levers_2009, base_costs={},
        powertrain_constants=np.zeros((d, m, len(dims.POWERTRAINS))), job_zone_share=jobs_split,
        purpose_factor=np.ones((d, m, len(dims.PURPOSES))))
    costs = _generalised_costs(state, c, levers_2009, price_2009, choice["volume_ratio"])
    beta_car, beta_pt = _cost_coefficients(c, weights, p0, costs)
    crossing_car = np.where(costs["crossing"][..., None] > 0, p0[..., CAR], 0.0)
    choice = dict(choice, crossing_car=crossing_car)
    state = replace(state, car_cost_coefficient=beta_car, pt_cost_coefficient=beta_pt, choice=choice)
    costs["toll_per_vkm"] = _toll_per_vkm(state, costs["prices"],
                                          _car_passages(state, costs["prices"], crossing_car),
                                          _resident_car_vkm(state, c, choice))
    by_mode = np.ascontiguousarray(p0.transpose(5, 4, 0, 1, 2, 3))
    by_mode.flags.writeable = False   # shared by the states of a run
    state = replace(state, base_costs=costs, base_shares_by_mode=by_mode)
    state = replace(state, choice_terms=_choice_terms(state, c))
    utility = _powertrain_utility(state, c, fc, levers_2009, levers_2009, price_2009, costs, dims.BASE_YEAR)
    car_weights = _zone_car_weights(volume, p0, ones)
    constants = mode_choice.solve_constants(utility, car_weights, fc.base_new_car_share[:, None, :])
    return replace(state, powertrain_constants=constants)


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
            in_place: bool = False) -> TransportState:
    """Transition from ``year - 1`` to ``year``: new demography, the chosen travel, and one year
    of fleet turnover with car stock = population x cars per capita and the stock of the other
    classes following their vkm (methods §1.5-1.6). Telework (lever ``telework_share``) scales
    trips by purpose (:func:`purpose_factor`); ``job_zone_share`` (D, M, Z) is where the jobs are
    this year (land use; unchanged when None). ``in_place``: age the fleet in the arrays of ``state``, which
    then can no longer be advanced or read by age (:class:`fleet.VintageStock`); the simulation, which
    keeps only the newest state, does so and saves a copy of the fleet each year."""
    c, fc = _coef(state, params)
    factor = purpose_factor(c, levers["telework_share"])
    volume = (mode_choice.trip_volumes(zone_population, c.trip_rate, c.purpose_share, c.peak_share)
              * factor[:, :, None, :, None])
    weights = _zone_car_weights(volume, choice["modes"], choice["periods"])[..., None]
    new_car = np.einsum("dmz,dmzk->dmk", weights[..., 0], new_car_shares) / np.maximum(weights.sum(axis=2), TINY)
    ownership = (1.0 + levers["car_ownership_change"]) / (1.0 + state.base_levers["car_ownership_change"])
    cars = population * state.cars_per_capita_base * ownership
    jobs_split = state.job_zone_share if job_zone_share is None else np.broadcast_to(
        np.asarray(job_zone_share, dtype=float), zone_population.shape)
    moved = replace(state, year=year, population=population, jobs=jobs, zone_population=zone_population,
                    trip_length_factor=trip_length_factor, trip_volume=volume, choice=choice,
                    job_zone_share=jobs_split, purpose_factor=factor)
    prices = choice["costs"]["prices"]
    per_vkm = _toll_per_vkm(moved, prices, _car_passages(moved, prices, choice["crossing_car"]),
                            _resident_car_vkm(moved, c, choice))
    freight = _freight_factor(moved, per_vkm)
    others = _activity_vkm(moved, fc, levers, population, jobs, freight) / fc.annual_km[:, None, 1:]
    zero_emission = np.stack([levers["zero_emission_share_new_van"], levers["zero_emission_share_new_heavy"],
                              levers["zero_emission_share_new_bus"]], axis=-1)
    new_shares = np.zeros(cars.shape + (len(dims.VEHICLE_CLASSES), len(dims.POWERTRAINS)))
    new_shares[:, :, CAR_CLASS] = new_car
    new_shares[:, :, 1:, DIESEL] = 1.0 - zero_emission
    new_shares[:, :, 1:, BEV] = zero_emission
    targets = np.concatenate([cars[..., None], others], axis=-1)                               # (D, M, C)
    survivors = np.einsum("dmck->dmc", state.stock.sums[..., fleet.SURVIVORS, :])
    stock, _ = fleet.advance_vintages(state.stock if in_place else state.stock.copy(), survivors, targets, new_shares)
    stock, vkm_share, energy = _fleet_state(stock, fc, year)
    return replace(moved, stock=stock, new_car_share=new_car, vkm_share=vkm_share, energy_per_vkm=energy)


def account(state: TransportState, levers: dict, params: Params, year: int) -> dict:
    """Activity, energy, tolls and tailpipe emissions of road transport in ``year`` (methods §1.1).

    ``emissions[source]`` (D, M, 4) [t gas/yr] for ``CLASS_SOURCES``; ``vkm`` (D, M, 4 classes)
    and ``car_vkm`` (D, M, 4 powertrains) territorial [vkm/yr]; ``car_vkm_resident`` (D, M)
    [vkm/yr] driven by residents (the zero-growth goal's measure); ``trips`` [trips/yr],
    ``pkm`` [pkm/yr] and trip-weighted ``mode_share`` [1] (D, M, 5); ``car_stock`` (D, M, 4)
    [cars]; ``new_car_share`` (D, M, 4) [1]; ``bev_share_of_car_stock`` (D, M) [1];
    ``road_energy`` (D, M, 4) [GWh/yr] over ``ROAD_CARRIERS``; ``cordon_car_trips`` (D, M, T)
    [passages/day] through the cordons each municipality owns, by period, counting every
    light vehicle (residents of the 13 with the crossing rule, plus vehicles from elsewhere and
    through traffic in proportion, ``cordons.csv`` external_passage_ratio); ``toll_revenue``
    (D, M) [NOK/yr] of those cordons from cars, vans and heavy vehicles;
    ``parked_car_trips`` (D, M, Zdest) [trips/yr] residents' car-driver trips ending away from
    home in each zone type; ``toll_paid`` (D, M) [NOK/yr] the tolls residents' cars pay, by
    municipality of residence (who pays, wherever the cordon); ``car_hours`` (D, M) [h/yr]
    residents' car-driver hours in vehicles at this year's congested speeds (trips by period x
    the BPR travel time of a trip of the 2009 length), whose change values the time congestion
    costs or saves.
    """
    c, fc = _coef(state, params)
    choice, geo = state.choice, state.geo
    costs = choice.get("costs", state.base_costs)
    volume = state.trip_volume * choice["periods"]                                            # (D, M, Z, P, T)
    trips = _over_groups(volume, choice["modes"], 3)                                          # (D, M, Z, 5)
    pkm = np.einsum("dmzk,dmz->dmk", trips, state.trip_length_factor) * c.trip_length[:, None, :]
    pkm[..., CAR] *= choice["trip_length"]
    pkm[..., CAR] += _park_and_ride_vkm(state, c, choice)
    trips = np.einsum("dmzk->dmk", trips)
    resident_car_vkm = pkm[..., CAR]
    prices = costs["prices"]
    counted = _car_passages(state, prices, choice["crossing_car"])                              # (D, C, T) /yr
    per_vkm = _toll_per_vkm(state, prices, counted, resident_car_vkm)                          # (D, M, 2)
    freight = _freight_factor(state, per_vkm)
    vkm = np.concatenate([(resident_car_vkm * state.calibration[..., CAR_CLASS])[..., None],
                          _activity_vkm(state, fc, levers, state.population, state.jobs, freight)], axis=-1)
    energy = vkm[..., None] * state.energy_per_vkm                                       # (D, M, C, 3) [kWh]
    # Biogas buses (lever bus_biogas_share g): g of the diesel buses' energy is replaced by biogas, at
    # transport.biogas_bus_energy_ratio kWh per kWh of diesel; biogenic CO2 counts zero.
    biogas = 0.0
    if np.any(levers["bus_biogas_share"]):
        biogas = levers["bus_biogas_share"] * energy[:, :, BUS_CLASS, 1] * fc.biogas_energy_ratio[:, None]  # (D, M)
        energy[:, :, BUS_CLASS, 1] *= 1.0 - levers["bus_biogas_share"]
    content = fc.energy_content[:, None, None, :]
    bio_share = np.stack([levers["biofuel_share_petrol"], levers["biofuel_share_diesel"]], axis=-1)[:, :, None, :]
    bio_ratio = fc.bio_energy_ratio[:, None, None, :]
    fossil, bio = fleet.blend_volumes(energy[..., :2], bio_share, content, bio_ratio)            # (D, M, C, 2) [L]
    gases = fleet.tailpipe_gases(fossil, energy[..., :2] / content, fc.co2_per_litre[:, None, None, :],
                                 fc.ch4_per_litre[:, None, :, None], fc.n2o_per_litre[:, None, :, None])
    gases = np.einsum("dmcfg->dmcg", gases)                                                    # over fuels
    if np.any(biogas):
        gases[:, :, BUS_CLASS, 1] += biogas * fc.ch4_per_kwh_biogas[:, None] / G_PER_T
        gases[:, :, BUS_CLASS, 2] += biogas * fc.n2o_per_kwh_biogas[:, None] / G_PER_T
    # Sums over classes and fuels by einsum: numpy's sums over leading axes of these short arrays are slower.
    fossil_kwh = np.einsum("dmcf,df->dmf", fossil, fc.energy_content)
    bio_kwh = np.einsum("dmcf,df->dm", bio, fc.energy_content * fc.bio_energy_ratio) + biogas
    road_energy = np.concatenate([fossil_kwh, np.einsum("dmc->dm", energy[..., 2])[..., None], bio_kwh[..., None]], -1)

    m = len(dims.MUNICIPALITIES)
    all_light = counted * (1.0 + geo.external)[None, :, None]
    mix = _toll_fuel_mix(state.vkm_share)[:, geo.owner]                                         # (D, C, F)
    car_revenue = np.einsum("dct,dcft,dcf->dc", all_light, prices[:, :, tolls.LIGHT], mix)     # (D, C)
    freight_revenue = trailing_sum(vkm[..., 1:3] * per_vkm)                                  # (D, M)
    parked = _over_groups(state.trip_volume, choice["parked_car"], 2)                        # (D, M, Zdest)
    car_stock = _cars_by_powertrain(state.stock)                                              # (D, M, K)
    # Who pays: each group's crossing car trips x the expected toll of its trip, averaged over the
    # fuels of its own municipality's cars (the same terms as the passages and the mode choice).
    toll_by_fuel = _toll_terms(state, prices)[1]                                              # (D, M, Z, P, T, F)
    per_trip = tolls.fleet_average(toll_by_fuel, _toll_fuel_mix(state.vkm_share))             # (D, M, Z, P, T)
    toll_paid = np.einsum("dmzpt,dmzpt->dm", state.trip_volume * choice["crossing_car"], per_trip)
    car_trips = np.einsum("dmzpt->dmt", volume * choice["modes"][..., CAR])                   # (D, M, T)
    car_hours = np.einsum("dmt,dmt->dm", car_trips, costs["car_time"])
    return {
        "emissions": {source: gases[:, :, i] for i, source in enumerate(CLASS_SOURCES)},
        "vkm": vkm,
        "car_vkm": vkm[..., CAR_CLASS, None] * state.vkm_share[:, :, CAR_CLASS],
        "car_vkm_resident": resident_car_vkm,
        "trips": trips,
        "pkm": pkm,
        "mode_share": trips / trailing_sum(trips)[..., None],
        "car_stock": car_stock,
        "new_car_share": state.new_car_share,
        "bev_share_of_car_stock": _bev_share(car_stock),
        "road_energy": road_energy / KWH_PER_GWH,
        "cordon_car_trips": tolls.per_owner(all_light, geo.owner, m) / tolls.DAYS_PER_YEAR,
        "toll_revenue": tolls.per_owner(car_revenue, geo.owner, m) + freight_revenue,
        "parked_car_trips": parked,
        "toll_paid": toll_paid,
        "car_hours": car_hours,
    }


class Transport:
    """Road transport in the simulation's protocol (``submodels/__init__.py``); the household
    cohorts (Mesa agents) make its choices."""

    name, decided_by, emits = "transport", "HouseholdCohort", True

    @staticmethod
    def _price(state_or_fc, ctx) -> np.ndarray:
        fc = state_or_fc.fleet if isinstance(state_or_fc, TransportState) else state_or_fc
        return energy_prices(ctx.prices, ctx.k, ctx.levers, fc)

    def init_state(self, ctx) -> TransportState:
        inp = ctx.inputs
        if ctx.bottom_up is not None:
            # The calibrated set-up (what land use gives transport has no factor). The bottom-up fleet, the
            # largest array of the set-up, goes before the calibrated one is made, which then takes its memory.
            bottom_up = replace(ctx.bottom_up.pop(self.name), stock=None)
            return calibrated(bottom_up, inp.car_powertrain_share, ctx.factors)
        lu = ctx.outputs["land_use"]
        price = energy_prices(ctx.prices, 0, ctx.base_levers, ctx.params.derived(fleet_coefficients))
        return init_state(ctx.population, lu["zone_population"], lu["trip_length_factor"], lu["jobs"],
                          inp.mode_shares, inp.cars_per_capita, inp.car_powertrain_share, ctx.params,
                          ctx.base_levers, price, ctx.factors, lu.get("job_zone_share"))

    def choose(self, state: TransportState, ctx) -> dict:
        price = self._price(state, ctx)
        travel = choose(state, ctx.levers, ctx.params, ctx.year, price)
        cars = choose_car_powertrains(state, ctx.levers, ctx.params, ctx.year, price, travel["costs"])
        return {"travel": travel, "cars": cars}

    def advance(self, state: TransportState, ctx) -> TransportState:
        lu, choice = ctx.outputs["land_use"], ctx.choices["transport"]
        return advance(state, ctx.population, lu["zone_population"], lu["trip_length_factor"], lu["jobs"],
                       choice["travel"], choice["cars"], ctx.levers, ctx.params, ctx.year, lu.get("job_zone_share"),
                       in_place=True)

    def account(self, state: TransportState, ctx) -> dict:
        return account(state, ctx.levers, ctx.params, ctx.year)


SUBMODEL = Transport()
