"""The powertrain choice of new cars, and the state of the fleets it reads (methods §1.5).

New cars: a logit over ``dims.POWERTRAINS`` for buyers in each zone type on the total cost of ownership
(price with VAT and registration tax, energy at this year's prices, the tolls and parking the household's
car trips meet), technology maturity, home charging and the peer effect of the local BEV share, with
constants shared by the 13 that reproduce the nation's 2009 new-car shares with the rest of the nation's buyers
(:func:`choose_car_powertrains`, :func:`local_advantage`); the cost and
maturity terms are the arithmetic of :mod:`.powertrain_costs`. Fleet state: the weights the vintage stock
(:mod:`.fleet`) is summed with each year and what follows from its sums, the vkm share by powertrain, the
energy per vkm and the BEV share of the car stock.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .. import dims
from ..levers import acting
from ..parameters import Params
from . import fleet, mode_choice, tolls
from .fleet import FleetCoefficients
from .demand_coefficients import DemandCoefficients
from .ordered_sums import trailing_sum
from .powertrain_costs import logistic_path, ownership_cost
from .car_stock import car_ownership
from .transport_state import (BEV, CAR, CAR_CLASS, DIESEL, PETROL, PHEV, TINY, TransportState, coef, over_groups)
from .travel_costs import bev_parking_discount

# [1] the 13's share of the nation's new cars: the national sales the battery-electric path is fitted to are theirs
# and, for the rest, those of buyers without the 13's local advantages (:func:`local_advantage`)
CITIES_WEIGHT = "transport.bev_sales_cities_weight"


def cities_are_not_the_nation(weight: np.ndarray) -> np.ndarray:
    """Draws whose nation has buyers besides the 13 (``CITIES_WEIGHT`` below 1) ``(D,)`` [bool]: the one test of
    the 2009 constants and the history fit."""
    return np.asarray(weight) < 1.0

POWERTRAIN_TOLL_FUEL = (tolls.PETROL, tolls.DIESEL, tolls.PETROL, tolls.BEV_FUEL)  # PHEVs pay the petrol rate


def bev_share_of_stock(stock: fleet.VintageStock) -> np.ndarray:
    """BEV share of the car stock [1], ``(D, M)``."""
    return bev_share(cars_by_powertrain(stock))


def cars_by_powertrain(stock: fleet.VintageStock) -> np.ndarray:
    """Cars by powertrain ``(D, M, K)`` (the stock's sums over age)."""
    return stock.sums[:, :, CAR_CLASS, fleet.VEHICLES]


def bev_share(cars: np.ndarray) -> np.ndarray:
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


def fleet_state(stock: fleet.VintageStock, fc: FleetCoefficients, year: int,
                cars_alone: bool = False) -> tuple[fleet.VintageStock, np.ndarray, np.ndarray]:
    """The stock with this year's sums, vkm share by powertrain ``(D, M, C, K)`` and energy per vkm
    ``(D, M, C, 3)`` [kWh/vkm]; with ``cars_alone``, of a stock of the car class alone (C = 1,
    :meth:`fleet.VintageStock.one_class`), the car class's numbers of the whole fleet to the bit."""
    classes = slice(CAR_CLASS, CAR_CLASS + 1) if cars_alone else slice(None)
    sums = fleet.vintage_sums(stock, slot_weights(fc, year, stock.slot_ages())[classes])      # (D, M, C, 5, K)
    share, fuel, electricity = fleet.mix_of_sums(sums[..., fleet.KM, :], sums[..., fleet.FUEL, :],
                                                 sums[..., fleet.ELECTRICITY, :], fc.fuel_per_km_new[:, None, classes],
                                                 fc.electricity_per_km_new[:, None, classes])
    energy = np.stack([fuel[..., PETROL] + fuel[..., PHEV], fuel[..., DIESEL], electricity], axis=-1)
    return replace(stock, sums=sums), share, energy


def fleet_stock(by_age: np.ndarray, fc: FleetCoefficients, year: int) -> fleet.VintageStock:
    """A fleet ``(D, M, C, A + 1, K)`` [vehicles] by age as the state keeps it in ``year`` (with its sums)."""
    return fleet_state(fleet.vintage_stock(by_age, fc.survival, year), fc, year)[0]


def zone_car_weights(trip_volume: np.ndarray, mode_shares: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """Car-driver trips by home zone ``(D, M, Z)``: where the municipality's cars are used."""
    return np.einsum("dmzpt->dmz", trip_volume * periods * mode_shares[..., CAR])


def powertrain_utility(state: TransportState, c: DemandCoefficients, fc: FleetCoefficients,
                       lv: dict, base: dict, price: np.ndarray, costs: dict, year: int) -> np.ndarray:
    """Utility of each powertrain for a new car bought in zone z, without the municipal constants,
    ``(D, M, Z, K)`` (:func:`powertrain_utility_and_local_advantage` without the advantage)."""
    return powertrain_utility_and_local_advantage(state, c, fc, lv, base, price, costs, year)[0]


def powertrain_utility_and_local_advantage(state: TransportState, c: DemandCoefficients, fc: FleetCoefficients,
                                           lv: dict, base: dict, price: np.ndarray, costs: dict,
                                           year: int) -> tuple[np.ndarray, np.ndarray]:
    """Utility of each powertrain for a new car bought in zone z, without the municipal
    constants, ``(D, M, Z, K)`` (methods §1.5), and each powertrain's local advantage ``(D, M, Z, K)``
    (:func:`local_advantage`, read from the same tolls and parking per car).

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
    cars = state.cars_per_capita_base * car_ownership(state, lv)     # ``base`` is the state's 2009 levers
    toll_fuel = over_groups(drivers, costs["toll_by_fuel"], 3)                                 # (D, M, Z, F)
    tolls_k = toll_fuel[..., list(POWERTRAIN_TOLL_FUEL)] / cars[..., None, None]            # (D, M, Z, K)
    away = costs["away"]                                                                       # (D, M, P, Zdest)
    # A car trip cannot end where the car may not go: no car inside a car-free area, no fossil-fuelled car inside a
    # zero-emission zone. Their fees and charges there are no cost of owning such a car (each None where no zone).
    zez, car_free = acting(lv, "zero_emission_zone_share"), acting(lv, "car_free_share")
    closed_to_fossil = car_free if zez is None else zez if car_free is None else np.minimum(car_free + zez, 1.0)

    # The car trips of ``drivers`` already lack those a car-free area took: the rest end in the open destinations
    # as all trips do there, so their shares of the away trips are divided by what car-free areas leave open.
    left_open = None if car_free is None else 1.0 - trailing_sum(away * car_free[:, :, None, :])   # (D, M, P)

    def reachable(closed: np.ndarray | None) -> np.ndarray:
        """Where the car trips ending away from home end ``(D, M, P, Zdest)`` [1], less the ``closed`` shares."""
        if closed is None:
            return away
        out = away * (1.0 - closed)[:, :, None, :]
        if left_open is not None:
            np.divide(out, left_open[..., None], out=out, where=left_open[..., None] > 0)
        return out

    def per_car(trips: np.ndarray, per_trip: np.ndarray, closed: np.ndarray | None = None) -> np.ndarray:
        """Yearly cost per car ``(D, M, Z)`` of trips per person ``(D, M, Z, P, T)`` ending away from home (but
        where ``closed``), each paying ``per_trip`` ``(D, M, P, Zdest)`` or ``(D, M, Z, P, T, Zdest)`` where it
        ends [NOK/yr]."""
        if per_trip.ndim == 4:
            per_trip = per_trip[:, :, None, :, None, :]
        return (np.einsum("dmzpt,dmzptj->dmz", trips, reachable(closed)[:, :, None, :, None, :] * per_trip)
                / cars[..., None])

    def parking(closed: np.ndarray | None) -> np.ndarray:
        """Yearly parking fees per car ``(D, M, Z)`` [NOK/yr] of its trips ending away from home (but where
        ``closed``)."""
        fee = trailing_sum(reachable(closed) * (lv["parking_fee_nok"] * c.public_parking[:, None, :])[:, :, None, :])
        return np.einsum("dmzpt,dmp->dmz", drivers, fee) / cars[..., None]                     # (D, M, Z)

    fossil = parking(closed_to_fossil)
    parking_k = np.empty(fossil.shape + (len(dims.POWERTRAINS),))                                # (D, M, Z, K)
    parking_k[...] = fossil[..., None]
    if zez is not None:   # battery-electric cars may park inside zero-emission zones
        parking_k[..., BEV] = parking(car_free)
    parking_k[..., BEV] *= 1.0 - bev_parking_discount(lv)[..., None]
    # Low- and zero-emission zones: fossil-fuelled cars (petrol, diesel, plug-in hybrid) pay the charge on
    # their trips ending there, and lose access to the zero-emission zones; the loss per trip of any mode
    # is the fall in the logsum when the car goes, -ln(1 - P_car) / beta in NOK (compensating variation).
    if zez is not None or acting(lv, "low_emission_zone_nok") is not None:
        zone_cost = per_car(drivers, lv["low_emission_zone_nok"][:, :, None, :], closed_to_fossil)
        if zez is not None:
            everyone = state.trip_volume * choice["periods"] / np.maximum(state.zone_population, TINY)[..., None, None]
            # P_car held at 0.99 at most (assumption): a group that drives for all its trips would lose an unbounded
            # amount; at 0.99 the loss per trip is at most ln(100) / beta [NOK], 4.6 units of utility in money. The
            # bound acts only on groups that drive for nearly all their trips.
            lost = (np.log1p(-np.minimum(choice["modes"][..., CAR], 0.99))
                    / state.car_cost_coefficient[:, :, None, :, None])                           # (D,M,Z,P,T) NOK
            # (a zone's trips a car-free area already took lose no car: the zone holds what it leaves)
            lost_share = zez if car_free is None else np.minimum(zez, 1.0 - car_free)
            zone_cost = zone_cost + per_car(everyone, lost[..., None] * lost_share[:, :, None, None, None, :])
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
    tco = ownership_cost(
        car_price[:, None, None, :], fc.registration_tax[:, None, None, :], fc.vat_rate[:, None, None, None],
        vat_paid[:, :, None, :], reg_paid[:, :, None, :], fc.annuity[:, None, None, None],
        fc.annual_km[:, None, None, CAR_CLASS, None], energy_cost[:, :, None, :], tolls_k, parking_k)
    path = (fc.maturity_amplitude, fc.maturity_midpoint, fc.maturity_rate)
    maturity = logistic_path(year, *path) - logistic_path(dims.BASE_YEAR, *path)                  # (D, K)
    charging = (fc.charging_coefficient[:, None, None] * (fc.home_charging[:, :, None] - 1.0)
                * fc.charging_need[:, None, :])                                                   # (D, Z, K)
    peer = fc.peer_coefficient[:, None] * bev_share_of_stock(state.stock)                        # (D, M)
    utility = fc.tco_coefficient[:, None, None, None] * tco + (maturity[:, None, :] + charging)[:, None]
    utility[..., BEV] += peer[..., None]
    return utility, local_advantage(fc, tolls_k, parking_k)


def local_advantage(fc: FleetCoefficients, tolls: np.ndarray, parking: np.ndarray) -> np.ndarray:
    """What each powertrain gains in utility over a petrol car for a buyer in zone z of the municipality that a
    buyer elsewhere in Norway would not ``(D, M, Z, K)`` [1] (0 for the petrol car): the tolls and parking fees
    (and low- and zero-emission zone costs) of the household's trips, ``beta_TCO (C_k - C_petrol)`` of the yearly
    ``tolls`` and ``parking`` per car ``(D, M, Z, K)`` [NOK/yr], and the home charging the zone lacks against a
    C zone's, ``c_ch (h_z - h_C) n_k`` (the rest of the country taken to live as the 13's detached-house zones
    do: no cordon, no parking fee, charging at home; an assumption). The battery-electric car's is what it is
    spared (positive where tolls and fees charge the others); a diesel car's the dearer tolls it pays; a plug-in
    hybrid's the home charging the zone lacks. It is 0 where the municipality has none of these; the national
    sales are those of the 13 and of such buyers together (``transport.bev_sales_cities_weight``,
    ``uncertainty/history_fit.py``)."""
    paid = tolls + parking                                                                        # (D, M, Z, K)
    charging = (fc.charging_coefficient[:, None, None] * (fc.home_charging - fc.home_charging[:, -1:])[:, :, None]
                * fc.charging_need[:, None, :])                                                   # (D, Z, K)
    return fc.tco_coefficient[:, None, None, None] * (paid - paid[..., PETROL, None]) + charging[:, None]


def choose_car_powertrains(state: TransportState, levers: dict, params: Params, year: int,
                           price: np.ndarray, costs: dict) -> np.ndarray:
    """New-car shares by powertrain for buyers in each zone ``(D, M, Z, K)`` [1]
    (:func:`new_cars_and_local_advantage` without the advantage)."""
    return new_cars_and_local_advantage(state, levers, params, year, price, costs)[0]


def new_cars_and_local_advantage(state: TransportState, levers: dict, params: Params, year: int,
                                 price: np.ndarray, costs: dict) -> tuple[np.ndarray, np.ndarray]:
    """New-car shares by powertrain for buyers in each zone ``(D, M, Z, K)`` [1] (methods §1.5), and the
    local advantage of each powertrain ``(D, M, Z, K)`` [1] (:func:`local_advantage`), which the history fit
    replays for the nation's other buyers.

    With BEVs exempt from VAT and registration tax and free tolls and parking (the
    Norwegian policy of the 2010s) the default parameters give a national BEV share of
    new cars of roughly 30 % in 2018 and 90 % in 2024, as observed (OFV, methods §1.5);
    tests/test_transport.py checks this. That path is not the levers' and prices' alone: most of it
    is the maturity term of :func:`powertrain_utility`, a logistic path in the calendar year (range,
    models on sale, fast charging) whose midpoint and speed were fitted to the national sales of
    2018-2024 (``framtid calibrate``) and whose amplitude is fitted again in each sampled draw
    (``uncertainty/history_fit.py``). Without it the policies of current-policies give battery-electric
    cars about 2 % of new cars in 2018-2024: what the early market had beyond prices, the cars on sale,
    is not in the inputs, so the sales of those years are in sample for car emissions.
    """
    c, fc = coef(state, params)
    utility, advantage = powertrain_utility_and_local_advantage(state, c, fc, levers, state.base_levers, price,
                                                                costs, year)
    return mode_choice.logit_shares(utility + state.powertrain_constants[:, :, None, :]), advantage
