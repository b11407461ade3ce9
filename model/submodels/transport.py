"""Road transport: passenger demand, mode choice, vehicle fleets and road emissions (methods §1).

ASIF chain per municipality (methods §1.1): residents' trips by zone, purpose and
period (Activity) are split over ``dims.MODES`` by a pivot-point logit on generalised
cost (Structure, :mod:`.mode_choice`); car-driver trips times trip length give the
residents' car vkm, which the ``cars`` calibration factor turns into territorial vkm
(through traffic and visitors, and whatever the resident-travel estimate misses: Oslo's
factor is 0.51). Vans and heavy vehicles follow jobs, buses population
and public-transport service (methods §1.6). Each vehicle class has a vintage fleet
(:mod:`.fleet`) that sets energy per km by powertrain and age (Intensity) and the fuel
mix with its biofuel blend (Fuel).

Year protocol: ``init_state`` (2009) -> ``set_base_levers`` (2009 levers) -> each year
``choose_modes`` and ``choose_car_powertrains``, ``advance`` (from 2010), ``account``.

Levers (``levers[name]``, absent = neutral 0), shapes after ``(D, M)``:
``biofuel_share_petrol``, ``biofuel_share_diesel`` () volume share of biofuel;
``toll_nok`` (T,) NOK per cordon crossing for cars that pay; ``cordon_crossing_share``
(Z, P) share of trips crossing the charged cordon; ``parking_fee_nok`` (Z,) NOK per car
trip ending in the zone; ``pt_fare_change``, ``pt_service_change`` () relative changes;
``bev_vat_exemption``, ``bev_registration_tax_exemption``, ``bev_toll_discount``,
``bev_parking_discount`` () in [0, 1]; ``zero_emission_share_new_van``, ``_heavy``,
``_bus`` () in [0, 1]; ``car_ownership_change`` () relative. Choices respond to the change
relative to the levers passed to ``set_base_levers``.

Parameter-derived arrays are computed once (``demand_coefficients``, ``fleet_coefficients``)
and kept in the state; the yearly functions reuse them while they are given the same
``Params`` object.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import dims
from ..parameters import Params
from . import fleet, mode_choice
from .fleet import FleetCoefficients, fleet_coefficients
from .mode_choice import DemandCoefficients, demand_coefficients

# Carriers of ``road_energy`` [GWh/yr]: fossil petrol, fossil diesel, electricity, and all biofuel blended in.
ROAD_CARRIERS = ("petrol", "diesel", "electricity", "biofuel")
CLASS_SOURCES = ("cars", "vans", "heavy_vehicles", "buses")      # emission source of each dims.VEHICLE_CLASSES
KWH_PER_GWH = 1e6
SHARE_TOLERANCE = 1e-6
TINY = np.finfo(float).tiny  # guards divisions by an empty zone or municipality

CAR, PT = (dims.index(dims.MODES, m) for m in ("car_driver", "public_transport"))
PETROL, DIESEL, PHEV, BEV = range(len(dims.POWERTRAINS))
CAR_CLASS = dims.index(dims.VEHICLE_CLASSES, "car")
BUS_COLUMN = 2  # position of buses among the activity-driven classes (van, heavy, bus)

LEVER_AXES = {
    "biofuel_share_petrol": (), "biofuel_share_diesel": (),
    "toll_nok": (len(dims.PERIODS),), "cordon_crossing_share": (len(dims.ZONES), len(dims.PURPOSES)),
    "parking_fee_nok": (len(dims.ZONES),), "pt_fare_change": (), "pt_service_change": (),
    "bev_vat_exemption": (), "bev_registration_tax_exemption": (), "bev_toll_discount": (),
    "bev_parking_discount": (), "zero_emission_share_new_van": (), "zero_emission_share_new_heavy": (),
    "zero_emission_share_new_bus": (), "car_ownership_change": (),
}


@dataclass
class TransportState:
    """Transport in one year; ``advance`` returns a new state and ``account`` only reads it."""

    demand: DemandCoefficients
    fleet: FleetCoefficients
    params: Params                      # the table both were derived from
    year: int
    population: np.ndarray              # (D, M) [inhabitants]
    population_base: np.ndarray         # (D, M) 2009
    zone_population: np.ndarray         # (D, M, Z)
    trip_length_factor: np.ndarray      # (D, M, Z) [1] relative trip length by home zone
    trip_length_factor_base: np.ndarray # (D, M, Z) 2009
    jobs: np.ndarray                    # (D, M)
    jobs_base: np.ndarray               # (D, M) 2009
    cars_per_capita_base: np.ndarray    # (D, M) [cars/inhabitant] 2009
    trip_volume: np.ndarray             # (D, M, Z, P, T) [trips/yr]
    base_shares: np.ndarray             # (D, M, Z, P, T, 5) [1] pivot shares P0
    mode_shares: np.ndarray             # (D, M, Z, P, T, 5) [1] this year's shares
    car_cost_coefficient: np.ndarray    # (D, M, P) [1/NOK] beta of car-driver costs per purpose
    pt_cost_coefficient: np.ndarray     # (D, M, P) [1/NOK] beta of PT costs per purpose
    calibration: np.ndarray             # (D, M, 4 classes) [1] factors of CLASS_SOURCES
    activity_vkm_base: np.ndarray       # (D, M, 3) [vkm/yr] vans, heavy, buses in 2009, calibrated
    stock: np.ndarray                   # (D, M, C, A, K) [vehicles]
    new_car_share: np.ndarray           # (D, M, K) [1] powertrains of this year's new cars
    vkm_share: np.ndarray               # (D, M, C, K) [1] share of each class's vkm by powertrain
    energy_per_vkm: np.ndarray          # (D, M, C, 3) [kWh/vkm] petrol, diesel, electricity
    neutral_levers: dict                # name -> zeros, for absent levers
    base_levers: dict                   # levers in force in 2009 (pivot reference)
    base_costs: dict                    # generalised-cost terms under the base levers
    powertrain_constants: np.ndarray    # (D, M, K) constants reproducing 2009 new-car shares


def _coef(state: TransportState, params: Params) -> tuple[DemandCoefficients, FleetCoefficients]:
    if params is state.params:
        return state.demand, state.fleet
    return demand_coefficients(params), fleet_coefficients(params)


def _levers(state: TransportState, levers: dict) -> dict:
    """Every lever, with the neutral value for the absent ones."""
    return {name: levers.get(name, zero) for name, zero in state.neutral_levers.items()}


def _bev_column(paid_by_bev: np.ndarray) -> np.ndarray:
    """``(D, M, K)``: 1 for the other powertrains, the given share for BEV."""
    one = np.ones_like(paid_by_bev)
    return np.stack([one, one, one, paid_by_bev], axis=-1)


def bev_share_of_stock(stock: np.ndarray) -> np.ndarray:
    """BEV share of the car stock [1], ``(D, M)``."""
    cars = stock[:, :, CAR_CLASS]
    return cars[..., BEV].sum(axis=-1) / np.maximum(cars.sum(axis=(-2, -1)), TINY)


def _fleet_state(stock: np.ndarray, fc: FleetCoefficients, year: int) -> tuple[np.ndarray, np.ndarray]:
    """vkm share by powertrain ``(D, M, C, K)`` and energy per vkm ``(D, M, C, 3)`` [kWh/vkm]."""
    offset = (year - dims.BASE_YEAR) - np.arange(dims.MAX_VEHICLE_AGE + 1)
    fuel_eff = fleet.vintage_efficiency(offset, fc.fuel_gain[:, :, None], fc.efficiency_floor[:, None, None])
    el_eff = fleet.vintage_efficiency(offset, fc.electric_gain[:, None], fc.efficiency_floor[:, None])
    fuel_km = fc.fuel_per_km_new[:, None, :, None, :] * fuel_eff[:, None, :, :, None]
    el_km = fc.electricity_per_km_new[:, None, :, None, :] * el_eff[:, None, None, :, None]
    share, fuel, electricity = fleet.fleet_mix(stock, fc.mileage[:, None, None, :, None], fuel_km, el_km)
    energy = np.stack([fuel[..., PETROL] + fuel[..., PHEV], fuel[..., DIESEL], electricity], axis=-1)
    return share, energy


def _car_cost_per_km(energy_per_vkm: np.ndarray, fc: FleetCoefficients) -> np.ndarray:
    """Fleet-average energy cost of driving a car [NOK/vkm], ``(D, M)``."""
    return (energy_per_vkm[:, :, CAR_CLASS] * fc.price_per_kwh[:, None, :]).sum(axis=-1)


def _parking_per_trip(fee: np.ndarray, c: DemandCoefficients) -> np.ndarray:
    """Expected parking fee of a car trip [NOK/trip], ``(D, M)``: trips ending at home park free,
    the others end in zone z with the destination share of z."""
    return (1.0 - c.home_end_share[:, None]) * (fee * c.destination_share[:, None, :]).sum(axis=-1)


def _generalised_costs(state: TransportState, c: DemandCoefficients, fc: FleetCoefficients,
                       lv: dict) -> dict:
    """The generalised-cost terms the levers and the fleet can change [NOK/trip].

    Car driver: energy cost at the base trip length (land use acts on trip length
    outside the logit, methods §2.3) plus expected parking; tolls are kept apart for the
    cordon segments. BEVs' toll and parking discounts lower both in proportion to the
    BEV share of the car stock. Public transport: fare plus weighted waiting time.
    Travel times that no lever changes cancel in the pivot and are left out.
    """
    bev = bev_share_of_stock(state.stock)
    energy = (_car_cost_per_km(state.energy_per_vkm, fc)[:, :, None]
              * c.trip_length[:, None, None, CAR] * state.trip_length_factor_base)
    parking = _parking_per_trip(lv["parking_fee_nok"], c) * (1.0 - bev * lv["bev_parking_discount"])
    wait = mode_choice.headway_wait_min(c.headway[:, None, :], lv["pt_service_change"][..., None])
    fare = c.pt_fare[:, None] * (1.0 + lv["pt_fare_change"])
    pt = mode_choice.generalised_cost(fare[:, :, None, None], 0.0, wait[:, :, None, :],
                                      c.value_of_time[:, None, :, None], c.wait_weight[:, None, None, None])
    return {
        "car": energy + parking[..., None],                                          # (D, M, Z)
        "pt": pt,                                                                     # (D, M, P, T)
        "toll": lv["toll_nok"] * (1.0 - bev * lv["bev_toll_discount"])[..., None],    # (D, M, T)
        "crossing": lv["cordon_crossing_share"],                                      # (D, M, Z, P)
        "car_ownership": np.log1p(lv["car_ownership_change"]),                        # (D, M)
    }


def _zone_car_weights(trip_volume: np.ndarray, mode_shares: np.ndarray) -> np.ndarray:
    """Car-driver trips by home zone ``(D, M, Z)``: where the municipality's cars are used."""
    return (trip_volume * mode_shares[..., CAR]).sum(axis=(3, 4))


def _powertrain_utility(state: TransportState, c: DemandCoefficients, fc: FleetCoefficients,
                        lv: dict, base: dict, year: int) -> np.ndarray:
    """Utility of each powertrain for a new car bought in zone z, without the municipal
    constants, ``(D, M, Z, K)`` (methods §1.5).

    ``V = beta_TCO TCO + maturity(t) - maturity(2009) + charging + peer``: the TCO holds
    price with VAT and registration tax, energy, and the tolls and parking the household's
    car trips meet (driver trips per person x crossing share x toll, per car); home
    charging access penalises BEV (and PHEV for its electric share) where it is missing;
    the peer term rises with the local BEV share of the car stock (social contagion).
    """
    t = year - dims.BASE_YEAR
    drivers = state.trip_volume * state.mode_shares[..., CAR] / np.maximum(
        state.zone_population, TINY)[..., None, None]         # (D, M, Z, P, T) [trips/person/yr]
    cars = state.cars_per_capita_base * (1.0 + lv["car_ownership_change"]) / (1.0 + base["car_ownership_change"])
    tolls = (drivers * lv["cordon_crossing_share"][..., None]
             * lv["toll_nok"][:, :, None, None, :]).sum(axis=(3, 4)) / cars[..., None]
    parking = (drivers.sum(axis=(3, 4)) * _parking_per_trip(lv["parking_fee_nok"], c)[..., None]
               / cars[..., None])
    price = fc.car_price + fc.price_premium * np.exp(-fc.price_premium_decline * t)              # (D, K)
    fuel = fc.fuel_per_km_new[:, CAR_CLASS] * fleet.vintage_efficiency(t, fc.fuel_gain[:, CAR_CLASS, None],
                                                                        fc.efficiency_floor[:, None])
    electricity = fc.electricity_per_km_new[:, CAR_CLASS] * fleet.vintage_efficiency(
        t, fc.electric_gain[:, None], fc.efficiency_floor[:, None])
    energy_cost = fuel * fc.fuel_price_by_powertrain + electricity * fc.price_per_kwh[:, 2, None]  # (D, K)
    tco = fleet.ownership_cost(
        price[:, None, None, :], fc.registration_tax[:, None, None, :], fc.vat_rate[:, None, None, None],
        _bev_column(1.0 - lv["bev_vat_exemption"])[:, :, None, :],
        _bev_column(1.0 - lv["bev_registration_tax_exemption"])[:, :, None, :],
        fc.annuity[:, None, None, None], fc.annual_km[:, None, None, CAR_CLASS, None],
        energy_cost[:, None, None, :],
        tolls[..., None] * _bev_column(1.0 - lv["bev_toll_discount"])[:, :, None, :],
        parking[..., None] * _bev_column(1.0 - lv["bev_parking_discount"])[:, :, None, :])
    path = (fc.maturity_amplitude, fc.maturity_midpoint, fc.maturity_rate)
    maturity = fleet.logistic_path(year, *path) - fleet.logistic_path(dims.BASE_YEAR, *path)      # (D, K)
    charging = (fc.charging_coefficient[:, None, None] * (fc.home_charging[:, :, None] - 1.0)
                * fc.charging_need[:, None, :])                                                   # (D, Z, K)
    peer = fc.peer_coefficient[:, None] * bev_share_of_stock(state.stock)                        # (D, M)
    utility = fc.tco_coefficient[:, None, None, None] * tco + (maturity[:, None, :] + charging)[:, None]
    utility[..., BEV] += peer[..., None]
    return utility


def _activity_vkm(state: TransportState, fc: FleetCoefficients, lv: dict,
                  population: np.ndarray, jobs: np.ndarray) -> np.ndarray:
    """vkm of vans, heavy vehicles and buses ``(D, M, 3)`` [vkm/yr] (methods §1.6).

    ``vkm = vkm_2009 (act / act_2009)^eps`` with jobs as the activity of vans and heavy
    vehicles and population for buses; bus vkm also scales with public-transport service
    ``(1 + s) / (1 + s_2009)`` (more departures, more bus-km).
    """
    jobs_ratio = jobs / state.jobs_base
    activity = np.stack([jobs_ratio, jobs_ratio, population / state.population_base], axis=-1)
    vkm = state.activity_vkm_base * activity ** fc.activity_elasticity[:, None, :]
    service = (1.0 + lv["pt_service_change"]) / (1.0 + state.base_levers["pt_service_change"])
    vkm[..., BUS_COLUMN] *= service
    return vkm


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
    structure = np.broadcast_to(c.zone_constant[:, None, :, None, :] + c.purpose_constant[:, None, None, :, :],
                                weights.shape + (len(dims.MODES),))
    constants = mode_choice.solve_constants(structure, weights, shares)
    p0 = mode_choice.logit_shares(structure + constants[:, :, None, None])
    return np.repeat(p0[:, :, :, :, None, :], len(dims.PERIODS), axis=4)    # same in both periods


def _base_stock(fc: FleetCoefficients, cars: np.ndarray, car_mix: np.ndarray,
                activity_vkm: np.ndarray) -> np.ndarray:
    """2009 fleets ``(D, M, C, A, K)`` [vehicles]: stationary age profiles; cars with the observed
    powertrain mix at every age, the other classes diesel and sized as vkm / annual km."""
    vehicles = np.concatenate([cars[..., None], activity_vkm / fc.annual_km[:, None, 1:]], axis=-1)
    mix = np.zeros(vehicles.shape + (len(dims.POWERTRAINS),))
    mix[..., DIESEL] = 1.0
    mix[:, :, CAR_CLASS] = car_mix
    return vehicles[..., None, None] * fc.age_profile[:, None, :, :, None] * mix[:, :, :, None, :]


def init_state(population: np.ndarray, zone_population: np.ndarray, trip_length_factor: np.ndarray,
               jobs: np.ndarray, mode_shares: np.ndarray, cars_per_capita: np.ndarray,
               car_powertrain_share: np.ndarray, params: Params,
               calibration: dict[str, np.ndarray] | None = None) -> TransportState:
    """Transport in 2009 (with neutral base levers until :func:`set_base_levers`).

    Base mode shares by zone and purpose: zone and purpose constants (parameters) plus
    municipal constants re-solved so that the trip-weighted municipal shares equal
    ``mode_shares`` (M, 5) exactly. Fleets: stationary age profiles; cars = population x
    ``cars_per_capita`` with ``car_powertrain_share`` (M, 4) at every age; vans, heavy
    vehicles and buses diesel, sized from their base vkm. Cost coefficients per purpose
    reproduce target long-run elasticities: car-driver trips to the car's energy cost, and
    public-transport trips to the fare (``beta = e / (x (1 - P0))``, methods §1.2-1.3).

    Calibration [1] (D, M) per source: ``cars`` = territorial car vkm / residents' car vkm
    (through traffic and visitors); ``vans``, ``heavy_vehicles``, ``buses`` scale the base vkm.
    """
    c, fc = demand_coefficients(params), fleet_coefficients(params)
    # Every mode needs a positive share: the pivot cannot create a mode that has none.
    shares = _validate_shares("mode_shares", mode_shares, len(dims.MODES), TINY)
    powertrains = _validate_shares("car_powertrain_share", car_powertrain_share, len(dims.POWERTRAINS), 0.0)
    population, zone_population, trip_length_factor, jobs = (
        np.array(x, dtype=float) for x in (population, zone_population, trip_length_factor, jobs))
    d, m = population.shape
    calibration = calibration or {}
    cal = np.stack([np.broadcast_to(np.asarray(calibration.get(source, 1.0), float), (d, m))
                    for source in CLASS_SOURCES], axis=-1)
    weights = zone_population[..., None] * c.purpose_share[:, None, None, :]                 # (D, M, Z, P)
    p0 = _base_mode_shares(c, weights, shares)
    activity_vkm = fc.base_vkm_per_capita[:, None, :] * population[..., None] * cal[..., 1:]
    stock = _base_stock(fc, population * cars_per_capita, powertrains, activity_vkm)
    vkm_share, energy = _fleet_state(stock, fc, dims.BASE_YEAR)

    # Cost coefficients from the purpose's municipal base shares (beta = e / (x (1 - P0))).
    by_purpose = ((weights[..., None] * p0[:, :, :, :, 0]).sum(axis=2)
                  / np.maximum(weights.sum(axis=2), TINY)[..., None])                          # (D, M, P, 5)
    car_trip_cost = _car_cost_per_km(energy, fc) * c.trip_length[:, None, CAR]                # (D, M) [NOK/trip]
    beta_car = mode_choice.cost_coefficient(c.car_cost_elasticity[:, None, :], car_trip_cost[..., None],
                                            by_purpose[..., CAR])
    beta_pt = mode_choice.cost_coefficient(c.fare_elasticity[:, None, :], c.pt_fare[:, None, None],
                                           by_purpose[..., PT])

    state = TransportState(
        demand=c, fleet=fc, params=params, year=dims.BASE_YEAR, population=population, population_base=population,
        zone_population=zone_population, trip_length_factor=trip_length_factor,
        trip_length_factor_base=trip_length_factor, jobs=jobs, jobs_base=jobs,
        cars_per_capita_base=np.broadcast_to(cars_per_capita, (d, m)),
        trip_volume=mode_choice.trip_volumes(zone_population, c.trip_rate, c.purpose_share, c.peak_share),
        base_shares=p0, mode_shares=p0, car_cost_coefficient=beta_car,
        pt_cost_coefficient=beta_pt, calibration=cal,
        activity_vkm_base=activity_vkm, stock=stock,
        new_car_share=np.broadcast_to(fc.base_new_car_share[:, None, :], (d, m, len(dims.POWERTRAINS))),
        vkm_share=vkm_share, energy_per_vkm=energy,
        neutral_levers={n: np.zeros((d, m) + axes) for n, axes in LEVER_AXES.items()},
        base_levers={}, base_costs={}, powertrain_constants=np.zeros((d, m, len(dims.POWERTRAINS))))
    return set_base_levers(state, {}, params)


def set_base_levers(state: TransportState, levers_2009: dict, params: Params) -> TransportState:
    """Fix the pivot: generalised costs under the 2009 levers, and powertrain constants that
    make the 2009 new-car shares (car-trip-weighted over zones) equal the base shares."""
    c, fc = _coef(state, params)
    lv = _levers(state, levers_2009)
    utility = _powertrain_utility(state, c, fc, lv, lv, dims.BASE_YEAR)
    weights = _zone_car_weights(state.trip_volume, state.mode_shares)
    constants = mode_choice.solve_constants(utility, weights, fc.base_new_car_share[:, None, :])
    return replace(state, base_levers=lv, base_costs=_generalised_costs(state, c, fc, lv),
                   powertrain_constants=constants)


def choose_modes(state: TransportState, levers: dict, params: Params, year: int) -> np.ndarray:
    """Mode shares of this year's trips ``(D, M, Z, P, T, 5)`` [1], the household cohorts' rule.

    Long-run shares pivot on the base shares with ``dV = beta dGC`` (car driver: energy,
    parking, and tolls in the cordon segments; public transport: fare and waiting time)
    plus ``theta ln((1 + o) / (1 + o_2009))`` for car ownership on the car-driver utility;
    this year's shares move from last year's by partial adjustment (methods §1.2-1.4).
    """
    c, fc = _coef(state, params)
    now = _generalised_costs(state, c, fc, _levers(state, levers))
    base = state.base_costs
    beta = state.car_cost_coefficient[:, :, None, :, None]
    dv = np.zeros(state.base_shares.shape)
    ownership = c.ownership_utility[:, None] * (now["car_ownership"] - base["car_ownership"])      # (D, M)
    dv[..., CAR] = beta * (now["car"] - base["car"])[..., None, None] + ownership[:, :, None, None, None]
    dv[..., PT] = state.pt_cost_coefficient[:, :, None, :, None] * (now["pt"] - base["pt"])[:, :, None]
    segments = mode_choice.cordon_segments(base["crossing"][..., None], now["crossing"][..., None],
                                           base["toll"][:, :, None, None, :], now["toll"][:, :, None, None, :])
    long_run = mode_choice.segment_mixture(state.base_shares, dv, CAR, segments, beta)
    persistence = c.persistence.reshape((-1,) + (1,) * (long_run.ndim - 1))
    return mode_choice.partial_adjustment(state.mode_shares, long_run, persistence)


def choose_car_powertrains(state: TransportState, levers: dict, params: Params, year: int) -> np.ndarray:
    """New-car shares by powertrain for buyers in each zone ``(D, M, Z, K)`` [1] (methods §1.5).

    With BEVs exempt from VAT and registration tax and free tolls and parking (the
    Norwegian policy of the 2010s) the default parameters give a national BEV share of
    new cars of roughly 30 % in 2018 and 90 % in 2024, as observed (OFV, methods §1.5);
    tests/test_transport.py checks this. Nothing here fixes that path: it follows from
    the levers.
    """
    c, fc = _coef(state, params)
    lv = _levers(state, levers)
    utility = _powertrain_utility(state, c, fc, lv, state.base_levers, year)
    return mode_choice.logit_shares(utility + state.powertrain_constants[:, :, None, :])


def advance(state: TransportState, population: np.ndarray, zone_population: np.ndarray,
            trip_length_factor: np.ndarray, jobs: np.ndarray, mode_shares: np.ndarray,
            new_car_shares: np.ndarray, levers: dict, params: Params, year: int) -> TransportState:
    """Transition from ``year - 1`` to ``year``: new demography, the chosen mode shares, and
    one year of fleet turnover with car stock = population x cars per capita and the
    stock of the other classes following their vkm (methods §1.5-1.6)."""
    c, fc = _coef(state, params)
    lv = _levers(state, levers)
    volume = mode_choice.trip_volumes(zone_population, c.trip_rate, c.purpose_share, c.peak_share)
    weights = _zone_car_weights(volume, mode_shares)[..., None]
    new_car = (weights * new_car_shares).sum(axis=2) / np.maximum(weights.sum(axis=2), TINY)
    ownership = (1.0 + lv["car_ownership_change"]) / (1.0 + state.base_levers["car_ownership_change"])
    cars = population * state.cars_per_capita_base * ownership
    others = _activity_vkm(state, fc, lv, population, jobs) / fc.annual_km[:, None, 1:]
    zero_emission = np.stack([lv["zero_emission_share_new_van"], lv["zero_emission_share_new_heavy"],
                              lv["zero_emission_share_new_bus"]], axis=-1)
    new_shares = np.zeros(state.stock.shape[:3] + state.stock.shape[-1:])
    new_shares[:, :, CAR_CLASS] = new_car
    new_shares[:, :, 1:, DIESEL] = 1.0 - zero_emission
    new_shares[:, :, 1:, BEV] = zero_emission
    targets = np.concatenate([cars[..., None], others], axis=-1)                               # (D, M, C)
    stock, _ = fleet.turnover(state.stock, fc.survival[:, None], targets, new_shares)
    vkm_share, energy = _fleet_state(stock, fc, year)
    return replace(state, year=year, population=population, jobs=jobs, zone_population=zone_population,
                   trip_length_factor=trip_length_factor, trip_volume=volume,
                   mode_shares=mode_shares, stock=stock, new_car_share=new_car, vkm_share=vkm_share,
                   energy_per_vkm=energy)


def account(state: TransportState, levers: dict, params: Params, year: int) -> dict:
    """Activity, energy and tailpipe emissions of road transport in ``year`` (methods §1.1).

    ``emissions[source]`` (D, M, 4) [t gas/yr] for ``CLASS_SOURCES``; ``vkm`` (D, M, 4 classes)
    and ``car_vkm`` (D, M, 4 powertrains) territorial [vkm/yr]; ``car_vkm_resident`` (D, M)
    [vkm/yr] driven by residents (the zero-growth goal's measure); ``trips`` [trips/yr],
    ``pkm`` [pkm/yr] and trip-weighted ``mode_share`` [1] (D, M, 5); ``car_stock`` (D, M, 4)
    [cars]; ``new_car_share`` (D, M, 4) [1]; ``bev_share_of_car_stock`` (D, M) [1];
    ``road_energy`` (D, M, 4) [GWh/yr] over ``ROAD_CARRIERS``.
    """
    c, fc = _coef(state, params)
    lv = _levers(state, levers)
    trips = (state.trip_volume[..., None] * state.mode_shares).sum(axis=(3, 4))                  # (D, M, Z, 5)
    pkm = (trips * state.trip_length_factor[..., None]).sum(axis=2) * c.trip_length[:, None, :]
    trips = trips.sum(axis=2)
    resident_car_vkm = pkm[..., CAR]
    vkm = np.concatenate([(resident_car_vkm * state.calibration[..., CAR_CLASS])[..., None],
                          _activity_vkm(state, fc, lv, state.population, state.jobs)], axis=-1)
    energy = vkm[..., None] * state.energy_per_vkm                                       # (D, M, C, 3) [kWh]
    content = fc.energy_content[:, None, None, :]
    bio_share = np.stack([lv["biofuel_share_petrol"], lv["biofuel_share_diesel"]], axis=-1)[:, :, None, :]
    bio_ratio = fc.bio_energy_ratio[:, None, None, :]
    fossil, bio = fleet.blend_volumes(energy[..., :2], bio_share, content, bio_ratio)            # (D, M, C, 2) [L]
    gases = fleet.tailpipe_gases(fossil, energy[..., :2] / content, fc.co2_per_litre[:, None, None, :],
                                 fc.ch4_per_litre[:, None, :, None], fc.n2o_per_litre[:, None, :, None])
    gases = gases.sum(axis=3)                                                                  # over fuels
    fossil_kwh = (fossil * content).sum(axis=2)
    bio_kwh = (bio * content * bio_ratio).sum(axis=(2, 3))
    road_energy = np.concatenate([fossil_kwh, energy[..., 2].sum(axis=2)[..., None], bio_kwh[..., None]], -1)
    return {
        "emissions": {source: gases[:, :, i] for i, source in enumerate(CLASS_SOURCES)},
        "vkm": vkm,
        "car_vkm": vkm[..., CAR_CLASS, None] * state.vkm_share[:, :, CAR_CLASS],
        "car_vkm_resident": resident_car_vkm,
        "trips": trips,
        "pkm": pkm,
        "mode_share": trips / trips.sum(axis=-1, keepdims=True),
        "car_stock": state.stock[:, :, CAR_CLASS].sum(axis=2),
        "new_car_share": state.new_car_share,
        "bev_share_of_car_stock": bev_share_of_stock(state.stock),
        "road_energy": road_energy / KWH_PER_GWH,
    }
