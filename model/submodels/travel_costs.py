"""Generalised costs of car and public transport, and the energy prices feeding them (methods §1.2, §1.4).

What the terms of a trip that levers, prices and the car fleet change come to in a year [NOK/trip, h/trip]:
for the car driver energy at the fleet's cost per km, parking and the other charges of the destination zone
type, tolls by fuel and period (:mod:`.tolls`, kept per set of cordon prices) and in-vehicle time that
congestion stretches (BPR); for public transport fare, weighted waiting time and the time measures save,
park-and-ride access included; for bicycle and walking the time measures save. ``transport.choose`` pivots
on their changes against 2009; the powertrain choice (:mod:`.car_powertrains`) and the passages and tolls
per vkm (:mod:`.road_traffic`) read the same terms.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import dims
from .. import prices as price_paths
from ..levers import acting
from . import mode_choice, toll_groups, tolls
from .fleet import FleetCoefficients
from .demand_coefficients import DemandCoefficients
from .ordered_sums import trailing_sum
from .toll_groups import Groups
from .transport_state import BEV, CAR, CAR_CLASS, COMMUTE, DIESEL, HOURS, PETROL, PHEV, TINY, TransportState
from .travel_segments import period_first, period_last_view

TOLL_TERMS_KEPT = 4   # sets of cordon prices whose toll terms a run keeps (toll_terms)


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


class TollTerms(NamedTuple):
    """What cordon prices make of the trips' tolls (:func:`toll_terms`)."""

    charged: np.ndarray       # (D, C) bool: the cordon charges light fossil vehicles
    by_fuel: np.ndarray       # (D, M, Z, P, T, F) [NOK/trip] toll of a one-way trip by fuel and period
    own_by_fuel: np.ndarray   # (D, M, Z, P, T, F) [NOK/trip] the part paid at the home municipality's cordons
    own: np.ndarray           # (D, M, Z, P) [1] share of trips crossing a charged cordon of the home municipality
    other: np.ndarray         # (D, M, Z, P) [1] ... of another municipality (tolls.system_weights)
    crossing: np.ndarray      # (D, M, Z, P) [1] ... of either: min(1, own + other), the systems' trips distinct
    groups: Groups            # the trips that cross a reference cordon of their system too, their tolls
    reference: np.ndarray     # (D, C) bool: the reference set of cordons the groups are set against (toll_groups)
    # (D, C) bool: the cordons charged in 2009, against which the systems of the others' cordons that hold one their
    # residents cross stay set (toll_groups.since_reference)
    first: np.ndarray


def toll_terms(state: TransportState, prices: np.ndarray) -> TollTerms:
    """The :class:`TollTerms` of cordon ``prices`` (:mod:`.tolls`), computed once per set of prices and reference
    set of cordons in a run. The reference set is the state's (``reference_cordons``; the cordons charged in 2009
    where None) with the first charged cordons of the owners that had none (:func:`.toll_groups.reference`)."""
    last = state.toll_last
    before = state.reference_cordons
    # the same prices, which nothing can change, and the same reference set
    if last and last[0] is prices and last[1] is before and not prices.flags.writeable:
        return last[2]
    base = state.base_costs.get("prices", prices)   # 2009's (at set-up, these are 2009's)
    is_charged, first = tolls.charged(prices), tolls.charged(base)
    cordons = toll_groups.reference(first if before is None else before, is_charged, state.geo.owner)
    key = (prices.shape, prices.tobytes(), cordons.tobytes())
    # Compared with the kept keys one by one, the last first: hashing the bytes would cost more (the terms
    # are read three times a year, by the choice, the advance and the accounting).
    terms = next((kept for known, kept in reversed(state.toll_memo.items()) if known == key), None)
    if terms is None:
        geo = state.geo
        # The crossing shares depend only on which cordons charge, which new prices seldom change: the geography
        # keeps them per set of charged cordons.
        own, other = toll_groups.union(geo, is_charged)
        weights = (own, other, np.minimum(own + other, 1.0))
        totals = toll_groups.trip_tolls(geo, prices, is_charged)
        terms = TollTerms(is_charged, *totals, *weights, toll_groups.groups(geo, base, prices, totals, cordons),
                          cordons, first)
        for array in terms[:-3] + terms.groups[:6] + (terms.groups.rows, cordons, first):
            array.flags.writeable = False   # shared by the years with these prices
        if len(state.toll_memo) >= TOLL_TERMS_KEPT:
            del state.toll_memo[next(iter(state.toll_memo))]
        state.toll_memo[key] = terms
    last[:] = [prices, before, terms]
    return terms


def _per_crossing(per_trip: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Toll per crossing trip [NOK/trip] from the toll per trip ``per_trip`` and the share crossing ``weight``
    (0 where nobody crosses), in place of ``per_trip``."""
    per_trip /= np.maximum(weight, TINY)
    np.copyto(per_trip, 0.0, where=weight <= 0)   # no charged cordon crossed: no toll per crossing
    return per_trip


def _by_system(by_fuel: np.ndarray, own_by_fuel: np.ndarray, fuel_mix: np.ndarray, own: np.ndarray,
               other: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fleet-average tolls ``(T, D, M, Z, P)`` [NOK/trip] from the tolls per one-way trip by fuel, all and at the
    home municipality's cordons: per trip, per trip crossing the own system (share ``own``) and per trip crossing
    the others' (``other``)."""
    per_trip = period_first(tolls.fleet_average(by_fuel, fuel_mix))
    own_trip = period_first(tolls.fleet_average(own_by_fuel, fuel_mix))
    other_trip = per_trip - own_trip
    return per_trip, _per_crossing(own_trip, own), _per_crossing(other_trip, other)


def cost_per_km_change(now: dict, base: dict, c: DemandCoefficients) -> np.ndarray:
    """Change of the car's generalised cost per km against 2009 [NOK/vkm], ``(D, M)``: the energy cost per km
    plus the car time per km valued at the car drivers' value of time,
    ``dc + v dtau``, ``dtau = (w (t_peak - t0_peak) + (1 - w) (t_off - t0_off)) / L_car`` [h/vkm].

    ``now`` and ``base`` are cost terms of :func:`generalised_costs` (``per_km`` [NOK/vkm], ``car_time``
    ``(D, M, T)`` [h/trip] at the 2009 car-driver trip length ``L_car`` [km]); ``w`` is the 2009 share of trips in
    the peak and ``v`` the value of time [NOK/h], each averaged over purposes by their share of trips. What the
    destination choice weighs when a km gets dearer or slower (methods §1.7: the time terms of the generalised
    cost drive induced traffic).
    """
    peak = (c.peak_share * c.purpose_share).sum(axis=-1)[:, None]                             # (D, 1)
    value_of_time = (c.car_value_of_time * c.purpose_share).sum(axis=-1)[:, None]             # (D, 1) [NOK/h]
    d_time = now["car_time"] - base["car_time"]                                                # (D, M, T) [h/trip]
    per_km = (peak * d_time[..., 0] + (1.0 - peak) * d_time[..., 1]) / c.trip_length[:, None, CAR]
    return now["per_km"] - base["per_km"] + value_of_time * per_km


def toll_fuel_mix(vkm_share: np.ndarray) -> np.ndarray:
    """Shares of car vkm by toll fuel ``(D, M, F)``: petrol incl. plug-in hybrids, diesel, BEV."""
    car = vkm_share[:, :, CAR_CLASS]
    return np.stack([car[..., PETROL] + car[..., PHEV], car[..., DIESEL], car[..., BEV]], axis=-1)


def bev_parking_discount(lv: dict) -> np.ndarray:
    """Discount on parking for BEVs ``(D, M)``: the municipality's own or the national minimum."""
    return np.maximum(lv["bev_parking_discount"], lv["bev_parking_discount_min"])


def _away_shares(state: TransportState, c: DemandCoefficients) -> np.ndarray:
    """Share of each purpose's trips that end away from home in each zone type ``(D, M, P, Zdest)`` [1]:
    ``(1 - home) x`` the destination split; commute trips end where the jobs are (land use)."""
    d, m = state.population.shape
    split = np.broadcast_to(c.destination_share[:, None, None, :], (d, m, len(dims.PURPOSES), len(dims.ZONES))).copy()
    split[:, :, COMMUTE] = state.job_zone_share
    return (1.0 - c.home_end_share)[:, None, None, None] * split


def generalised_costs(state: TransportState, c: DemandCoefficients, lv: dict, price: np.ndarray,
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
               * (1.0 - bev * bev_parking_discount(lv))[..., None])                                 # (D, M, Zdest)
    destination = parking[:, :, None, :]                                                           # (D, M, 1, Zdest)
    lez = acting(lv, "low_emission_zone_nok")
    if lez is not None:
        destination = destination + (lez * fossil[..., None])[:, :, None, :]
    removed = acting(lv, "public_parking_removed")
    if removed is not None:
        destination = destination + ((removed * c.public_parking[:, None, :])[:, :, None, :]
                                     * (c.parking_relocation_min * HOURS)[:, None, None, None]
                                     * c.car_value_of_time[:, None, :, None])                     # (D, M, P, Zdest)
    charged = acting(lv, "workplace_parking_charged")
    if charged is not None:
        workplace = np.zeros(destination.shape[:2] + (len(dims.PURPOSES), len(dims.ZONES)))
        workplace[:, :, COMMUTE] = (charged * c.free_workplace_parking[:, None, :]
                                    * c.workplace_parking_value[:, None, None])
        destination = destination + workplace
    car_free = lv["car_free_share"]                                                                 # (D, M, Zdest)
    zez_removed = lv["zero_emission_zone_share"]
    if acting(lv, "zero_emission_zone_share") is not None:
        zez_removed = np.minimum(zez_removed * fossil[..., None], 1.0 - car_free)
    away = _away_shares(state, c)                                                                   # (D, M, P, Zd)
    prices = tolls.cordon_prices(lv["toll_nok"], state.geo.owner, lv["bev_toll_discount_min"], lv["toll_scale"])
    prices.flags.writeable = False   # read by the choice, advance and accounting of the year (toll_terms: by identity)
    terms = toll_terms(state, prices)
    by_fuel, own, other, weight, groups = terms.by_fuel, terms.own, terms.other, terms.crossing, terms.groups
    # The tolls per crossing trip and the PT cost are computed period first (T, D, M, Z, P), the layout choose
    # reads them in (the dict holds views in the usual order): products broadcasting a leading axis run
    # faster than those broadcasting the short period axis.
    fuel_mix = toll_fuel_mix(state.vkm_share)
    base_mix = state.base_costs.get("toll_fuel_mix", fuel_mix)
    per_trip, per_own, per_other = _by_system(by_fuel, terms.own_by_fuel, fuel_mix, own, other)
    per_crossing = _per_crossing(per_trip, weight)
    # The trips crossing a reference cordon of the system and a charged one now: their tolls now and in 2009.
    both = (groups.both_own, groups.both_other)
    both_now = (per_own, per_other)   # where the groups are one, their tolls are all of the year's
    if groups.rows.size:   # the residents of rows: the tolls of the trips crossing a reference cordon too
        rows = groups.rows
        part = _by_system(groups.by_fuel, groups.own_by_fuel, fuel_mix[:, rows], *(x[:, rows] for x in both))[1:]
        both_now = tuple(x.copy() for x in both_now)
        for whole, of_rows in zip(both_now, part):
            whole[:, :, rows] = of_rows                                                        # (T, D, M, Z, P)
    both_then = _by_system(groups.base_by_fuel, groups.base_own_by_fuel, base_mix, *both)[1:]
    # The choice's base where the reference set holds a ring that came after 2009: the systems' shares crossing a
    # reference cordon and the 2009 tolls per such trip (None: the base costs' crossing shares and tolls).
    reference = None
    if groups.reference is not None:
        then = toll_groups.base_totals(state.geo, state.base_costs["prices"])
        reference = groups.reference + _by_system(*then, base_mix, *groups.reference)[1:]
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
        "energy_price": price,               # (D, M, 3) [real 2009 NOK/kWh] petrol, diesel, electricity
        "parking": parking,                  # (D, M, Zdest) municipal fee per trip ending in the zone type
        "destination": destination,          # (D, M, P, Zdest) car costs of trips ending in the zone type
        "away": away,                        # (D, M, P, Zdest) trips ending away from home in the zone type
        "car_free": car_free,                # (D, M, Zdest) trips ending there that lose both car modes
        "zez_removed": zez_removed,          # (D, M, Zdest) trips ending there that lose the car-driver mode
        "prices": prices,                    # (D, C, 2, F, T) [NOK/passage]
        "toll_by_fuel": by_fuel,             # (D, M, Z, P, T, F) per one-way trip
        "crossing": weight,                  # (D, M, Z, P) share crossing a charged cordon
        "toll": period_last_view(per_crossing),  # (D, M, Z, P, T) per crossing trip, fleet average
        "crossing_own": own,                 # (D, M, Z, P) share crossing a charged cordon of the home municipality
        "crossing_other": other,             # (D, M, Z, P) share crossing a charged cordon of another
        "toll_own": period_last_view(per_own),      # (D, M, Z, P, T) per trip crossing the own cordons
        "toll_other": period_last_view(per_other),  # (D, M, Z, P, T) per trip crossing the others'
        "toll_fuel_mix": fuel_mix,           # (D, M, F) shares of car vkm by toll fuel
        # (D, M, Z, P) shares crossing a reference and a charged cordon of each system (toll_groups), and per trip
        # of them their tolls now and in 2009 (D, M, Z, P, T)
        "both_own": both[0], "both_other": both[1],
        "toll_own_both": period_last_view(both_now[0]), "toll_other_both": period_last_view(both_now[1]),
        "toll_own_both_2009": period_last_view(both_then[0]), "toll_other_both_2009": period_last_view(both_then[1]),
        "reference_cordons": terms.reference,   # (D, C) bool the reference set of cordons (toll_groups.reference)
        # None, or (share crossing a reference cordon of the own system, of the others' (D, M, Z, P), 2009 toll per
        # such trip of the own, of the others' (T, D, M, Z, P)): the choice's base (travel_segments.toll_crossing)
        "reference_2009": reference,
        "car_time": time,                    # (D, M, T) [h/trip]
        "pt": period_last_view(pt),         # (D, M, Z, P, T)
        "park_and_ride": park_and_ride,      # (D, M, Z, P) the park-and-ride part of pt
        "pt_destination": trailing_sum(c.destination_constant_pt[:, None, :] * state.job_zone_share),  # (D, M)
        "bicycle": -vot_pt * HOURS * lv["bicycle_time_saving_min"][..., None],                     # (D, M, Z, P)
        "walk": -vot_pt * HOURS * lv["walk_time_saving_min"][..., None],                           # (D, M, Z, P)
        "car_ownership": np.log1p(lv["car_ownership_change"]),   # (D, M)
    }
