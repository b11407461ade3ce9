"""The state of road transport between years, who crosses which cordon, and what its modules share.

:class:`TransportState` is transport in one year (``transport.advance`` makes the next, ``transport.account``
reads it); :class:`Geography` who crosses which cordon, fixed for a run (methods §1.4); with them the
indices of modes, purposes, powertrains and vehicle classes and the guards and sums that the modules of
road transport share (:mod:`.transport`, :mod:`.travel_costs`, :mod:`.car_powertrains`,
:mod:`.road_traffic`, :mod:`.transport_base`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .. import cordon_crossing
from .. import cordons as cordon_data
from .. import dims
from ..parameters import Params
from . import fleet
from .fleet import FleetCoefficients, fleet_coefficients
from .fuel_intensity import fuel_intensity_response
from .demand_coefficients import DemandCoefficients, demand_coefficients
from .travel_segments import ChoiceTerms

CLASS_SOURCES = ("cars", "vans", "heavy_vehicles", "buses")      # emission source of each dims.VEHICLE_CLASSES
TINY = np.finfo(float).tiny  # guards divisions by an empty zone or municipality
HOURS = 1.0 / 60.0

CAR, PASSENGER, PT, BIKE, WALK = (dims.index(dims.MODES, m) for m in dims.MODES)
COMMUTE, ERRANDS = dims.index(dims.PURPOSES, "commute"), dims.index(dims.PURPOSES, "errands")
PETROL, DIESEL, PHEV, BEV = range(len(dims.POWERTRAINS))
CAR_CLASS, BUS_CLASS = dims.index(dims.VEHICLE_CLASSES, "car"), dims.index(dims.VEHICLE_CLASSES, "bus")
COMMUTING_YEAR = dims.BASE_YEAR   # commuting shares nearest to 2009, held (cordon_crossing.commute_matrix)


@dataclass(frozen=True)
class Geography:
    """Who crosses which cordon: fixed for a run (set up from the embedded cordon and commuting data)."""

    crossings: np.ndarray   # (D, C, M, Z, P) [crossings per one-way trip] of each cordon
    paid: np.ndarray        # (D, C, M, Z, P) [paid passages per one-way trip]
    owner: np.ndarray       # (C,) index of the municipality that owns each cordon
    own: np.ndarray         # (C, M) bool: the cordon belongs to the municipality (its residents' own system)
    paid_own: np.ndarray    # (D, C, M, Z, P) ``paid`` of the residents' own cordons, 0 for the others
    external: np.ndarray    # (C,) [1] passages not counted by the rule per passage counted
    crossed: np.ndarray     # (C, M) bool: residents of the municipality cross the cordon (in some draw)
    pairs: np.ndarray       # (G, 2) indices of the cordons that share an hour rule (cordons.hour_rule_pairs)
    waived: np.ndarray      # (D, G, M, Z, P) [paid passages per one-way trip] the hour rules waive
    waived_own: np.ndarray  # (D, G, M, Z, P) ``waived`` at the residents' own cordons, 0 for the others
    cordons: tuple          # (C,) the cordons (cordons.Cordon), for the union of those charged (tolls.system_weights)
    split: np.ndarray       # (D, M, P, M) [1] residents' one-way trips by destination (destination_split)
    destination_share: np.ndarray   # (D, Z) [1] trip ends by zone type
    # What the runs on this geography compute from it, the cordons charged and the 2009 prices alone (toll_groups,
    # road_traffic): the same sets come back year after year and run after run (the calibration pass and the run).
    memo: dict = field(default_factory=dict, repr=False, compare=False)


def geography(c: DemandCoefficients) -> Geography:
    """Crossings and paid passages per trip of every cordon for residents of each municipality,
    zone type and purpose (:func:`framtid.model.cordon_crossing.crossing_matrix`)."""
    return _geography(c.outside_factor.tobytes(), c.destination_share.tobytes(), len(c.outside_factor),
                      cordon_data.cordons())


@lru_cache(maxsize=8)
def _geography(outside: bytes, destination: bytes, n_draws: int, cords: tuple) -> Geography:
    # Keyed on the two parameter arrays it depends on (the calibration pass and the run share it) and on the
    # cordons (a scenario may add its own).
    outside_factor = np.frombuffer(outside).reshape(n_draws)
    destination_share = np.frombuffer(destination).reshape(n_draws, -1)
    commute = cordon_crossing.commute_matrix(cordon_data.load_commuting(), COMMUTING_YEAR)
    split = cordon_crossing.destination_split(commute, outside_factor)                  # (D, M, P, M)
    crossings, paid = cordon_crossing.crossing_matrix(cords, split, destination_share)  # (D, C, M, Z, P)
    owner = np.array([dims.MUNICIPALITIES.index(x.municipality) for x in cords])
    own = owner[:, None] == np.arange(len(dims.MUNICIPALITIES))                       # (C, M)
    # Contiguous, so that the yearly matrix products with them (tolls.py) need no copy.
    crossings, paid = np.ascontiguousarray(crossings), np.ascontiguousarray(paid)
    paid_own = np.ascontiguousarray(paid * own[:, :, None, None])
    pairs = np.array(cordon_data.hour_rule_pairs(cords), dtype=int).reshape(-1, 2)
    waived = np.ascontiguousarray(cordon_crossing.waived_matrix(cords, pairs, split, destination_share))
    waived_own = np.ascontiguousarray(waived * own[pairs[:, 0]][:, :, None, None])   # a pair shares its owner
    split = np.ascontiguousarray(split)
    for array in (crossings, paid, paid_own, waived, waived_own, split, destination_share):
        array.flags.writeable = False   # shared between runs
    return Geography(crossings, paid, owner, own, paid_own, np.array([x.external_passage_ratio for x in cords]),
                     (crossings > 0).any(axis=(0, 3, 4)), pairs, waived, waived_own, cords, split, destination_share)


class Passages(NamedTuple):
    """Passages of residents' cars through the charged cordons ``counted`` ``(D, C, T)`` [passages/yr], with
    the arrays they were counted from (``road_traffic.counted_passages``)."""

    trip_volume: np.ndarray     # (D, M, Z, P, T) [trips/yr]
    crossing_car: tuple         # (D, M, Z, P, T) car-driver trips crossing a charged cordon per crossing trip: of any,
                                # of the own municipality's and of another's, of those of each that cross a
                                # reference cordon too (crossing_cars)
    prices: np.ndarray          # (D, C, 2, F, T) [NOK/passage] cordon prices
    counted: np.ndarray         # (D, C, T) [passages/yr]


@dataclass
class TransportState:
    """Transport in one year; ``transport.advance`` returns a new state and ``transport.account`` only reads it."""

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
    choice: dict                        # this year's choice (see :func:`.transport.choose`)
    car_cost_coefficient: np.ndarray    # (D, M, P) [1/NOK] beta of car-driver costs per purpose
    pt_cost_coefficient: np.ndarray     # (D, M, P) [1/NOK] beta of PT costs per purpose
    calibration: np.ndarray             # (D, M, 4 classes) [1] factors of CLASS_SOURCES
    activity_vkm_base: np.ndarray       # (D, M, 3) [vkm/yr] vans, heavy, buses in 2009, calibrated
    # (D, M, C, A, K) [vehicles] by vintage, with this year's sums; the car class alone (C = 1, as in vkm_share and
    # energy_per_vkm) in a run that reads the car fleet alone (transport.advance's cars_alone)
    stock: fleet.VintageStock
    new_car_share: np.ndarray           # (D, M, K) [1] powertrains of this year's new cars
    vkm_share: np.ndarray               # (D, M, C, K) [1] share of each class's vkm by powertrain
    energy_per_vkm: np.ndarray          # (D, M, C, 3) [kWh/vkm] petrol, diesel, electricity
    base_levers: dict                   # levers in force in 2009 (pivot reference)
    base_costs: dict                    # generalised-cost terms under the base levers and prices
    powertrain_constants: np.ndarray    # (D, M, K) constants reproducing 2009 new-car shares
    job_zone_share: np.ndarray = None   # (D, M, Z) [1] where the jobs are (commute destinations, land use)
    purpose_factor: np.ndarray = None   # (D, M, P) [1] trips by purpose relative to the trip rates (telework)
    # (D, M) [1] the technology part of combustion cars' fuel per km after the fuel price
    # (fuel_intensity.technology_response) and the fleet's fuel price against 2009 of the year; 0 and 1 in 2009
    fuel_technology: np.ndarray = None
    fuel_price_index: np.ndarray = None
    # (D, M) [1] the cars per capita the stock was last turned over to, relative to 2009's (lever
    # car_ownership_change, car_stock.car_ownership); 1 in 2009
    car_ownership: np.ndarray = None
    # (D, C) bool the reference set of cordons the toll groups are set against (toll_groups.reference; the systems
    # of the others' cordons holding a 2009 cordon their residents cross keep 2009's): the cordons charged in 2009
    # (None: those of the base costs' prices) and each later owner's first charged; the choice's of the year stores
    # it (``costs["reference_cordons"]``)
    reference_cordons: np.ndarray = None
    # base_shares mode- and period-first, (5, T, D, M, Z, P) contiguous, as ``choose`` reads them every year
    # (made once by init_state: the transposed copy costs as much as a segment of the mode choice).
    base_shares_by_mode: np.ndarray = None
    choice_terms: ChoiceTerms = None    # the run's constant terms of the travel choice (made once by init_state)
    # The toll terms of the last few sets of cordon prices and reference sets (travel_costs.toll_terms), shared by
    # the states of a run: prices stay the same for years at a time, and the terms depend on nothing else that changes.
    toll_memo: dict = field(default_factory=dict, repr=False, compare=False)
    # [prices, reference set, terms] of the last call of toll_terms: the choice, the advance and the accounting of a
    # year read the terms of the same (read-only) prices array and reference set, found by identity without
    # comparing their bytes.
    toll_last: list = field(default_factory=list, repr=False, compare=False)
    line_memo: dict = field(default_factory=dict, repr=False, compare=False)   # road_traffic.line_passages'
    # This year's passages through the charged cordons, counted once: by advance (init_state in 2009) for the
    # tolls per vkm, and read again by account (road_traffic.counted_passages); None in a state built by hand or
    # turned over with the cars alone.
    # The tolls per vkm and the vkm that follow are not kept: account takes them from the residents' car vkm
    # of its pkm, which adds the same trips in another order (equal only to the last bit or so).
    passages: Passages = field(default=None, repr=False, compare=False)

    @property
    def fuel_intensity(self) -> np.ndarray:
        """(D, M) [1] ln of combustion cars' fuel use per km relative to their vintages' trend, after the fuel
        price: the behaviour at this year's price index and the technology part
        (``fuel_intensity.fuel_intensity_response``); 0 in 2009."""
        return fuel_intensity_response(self.fuel_technology, self.fuel_price_index, self.fleet.intensity_elasticity,
                                       self.fleet.intensity_persistence)


def coef(state: TransportState, params: Params) -> tuple[DemandCoefficients, FleetCoefficients]:
    """The demand and fleet coefficients of ``params``: the state's own when they are its parameters."""
    if params is state.params:
        return state.demand, state.fleet
    return params.derived(demand_coefficients), params.derived(fleet_coefficients)   # other parameters: once each


def over_groups(trips: np.ndarray, per_trip: np.ndarray, keep: int) -> np.ndarray:
    """``sum trips x per_trip`` over the axes of ``trips`` ``(D, M, Z, P, T)`` after its first ``keep``
    [trips/yr x the unit of ``per_trip``], ``per_trip`` ``(D, M, Z, P, T, n)``: ``(D, M, ..., n)``.

    A matrix product per kept cell: numpy's sum over leading axes of a product broadcast along a
    short last axis is several times slower.
    """
    lead = trips.shape[:keep]
    out = np.matmul(trips.reshape(lead + (1, -1)), per_trip.reshape(lead + (-1, per_trip.shape[-1])))
    return out[..., 0, :]


def crossing_cars(choice: dict) -> tuple[np.ndarray, ...]:
    """The choice's car-driver trips crossing a charged cordon, per trip crossing one, of any, of the own and of
    another municipality, and of the own and another's per trip that crosses a reference cordon of the system too
    (``road_traffic.counted_passages``, :mod:`.toll_groups`)."""
    return (choice["crossing_car"], choice["crossing_own"], choice["crossing_other"], choice["crossing_own_both"],
            choice["crossing_other_both"])
