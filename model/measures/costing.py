"""Cost items of measure kinds: how a measure's cost streams follow from two finished runs.

Each kind declares its items in its area's module (``MeasureKind.costs``, a :class:`~.base.Costs`)
with the builders below. An item is computed from the run of the scenario without the measure
(``base``) and with it (``run``), as a level of one run minus the same level of the other, or, for
the users' surplus, by the rule of half on both. Streams are ``(T, D, M)`` [real 2009 NOK/yr];
positive = the payer pays more (society uses more resources) with the measure.

Unit costs are ``cost.*`` rows of the parameter table (``model/data/parameters/costs.csv``), each in
NOK of the price year its unit names, converted with :func:`framtid.model.prices.to_real_2009`.
Energy, vehicle and heating-system costs reuse the model's own prices and parameters
(``prices.py`` paths; ``transport.car_price.*``, ``buildings.investment.*``, ``buildings.price.*``).

Conventions (docs/model.md, section "Costs"):

* energy at resource prices: product prices without taxes and VAT where the price paths have them
  (petrol, diesel, heating oil, the energy part of electricity), the buildings' 2009 end-user
  prices for district heat, gas, LPG and wood (held in real terms, taxes not separated);
* capital: a stock (cars, heating systems, gas buses) costs its price times the annuity factor
  over its life each year it stands (:func:`annuity_factor`: paid at the start of each year, so a
  whole life discounted to the purchase is the price); a one-off outlay (envelopes, PV, stoves,
  zero-emission vans and trucks) is spread the same way over its life from the year it is made, so
  an appraisal window that ends before an asset's life does not carry its whole price;
* charges (tolls, parking fees, zone charges, fares) are transfers from users to the public;
  the users' welfare loss beyond what they pay is the rule of half on the charge,
  1/2 (p0 + p1) (q0 - q1) (the deadweight loss; a gain where a charge falls).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import dims
from ..parameters import Params
from .base import CostItem, Costs

DAYS_PER_YEAR = 365.0
KWH_PER_GWH = 1e6
PASSIVE_HOUSE_KWH = 15.0    # [kWh/m2/yr] NS 3700:2013 space-heat need, the level the extra cost refers to
RESIDENTIAL = ("house", "apartment")


@dataclass(frozen=True)
class RunView:
    """What cost items read of one finished run: records and lever paths ``(T, D, M, ...)``,
    parameters ``(D,)``, price paths ``(D, T)`` [real 2009 NOK], GWP weights ``(D, G)``."""

    record: dict
    levers: dict
    params: Params
    prices: object
    gwp: np.ndarray
    years: np.ndarray

    @classmethod
    def of(cls, model) -> "RunView":
        return cls(model.record, model.lever_paths, model.params, model.prices, model.gwp,
                   np.asarray(model.years))


# ---------------------------------------------------------------- arithmetic (pure functions)

def capital_recovery_factor(rate, years):
    """Equivalent annual cost of 1 NOK invested [1/yr]: r / (1 - (1 + r)^-n); 1/n at r = 0."""
    r = np.asarray(rate, dtype=float)
    n = np.asarray(years, dtype=float)
    safe = np.where(np.abs(r) < 1e-12, 1.0, r)
    return np.where(np.abs(r) < 1e-12, 1.0 / n, safe / (1.0 - (1.0 + safe) ** -n))


def annuity_factor(rate, years):
    """Yearly cost of 1 NOK of capital paid at the start of each year of its life [1/yr] (annuity
    due): crf(r, n) / (1 + r), so that the payments' present value in the first year is 1."""
    return capital_recovery_factor(rate, years) / (1.0 + np.asarray(rate, dtype=float))


def annualise(outlays: np.ndarray, rate, lifetime) -> np.ndarray:
    """Spread one-off outlays ``(T, D, M)`` [NOK in year t] over the asset life: each outlay costs
    outlay x annuity_factor(rate, life) in its year and the life - 1 years after (cut at the last
    year), so a whole life discounted to the outlay's year is the outlay; ``lifetime`` [yr] ``(D,)``
    is rounded to whole years."""
    outlays = np.asarray(outlays, dtype=float)
    t = outlays.shape[0]
    life = np.maximum(np.rint(np.broadcast_to(np.asarray(lifetime, dtype=float), outlays.shape[1:2])), 1)
    factor = annuity_factor(rate, life)                                          # (D,)
    out = np.zeros_like(outlays)
    for d, n in enumerate(life.astype(int)):
        for k in range(t):
            out[k:k + n, d] += outlays[k, d] * factor[d]
    return out


def rule_of_half(q0, q1, g0, g1):
    """Users' loss from a change of their generalised cost per trip g0 -> g1 [NOK], with q0 -> q1
    trips: 1/2 (q0 + q1) (g1 - g0) [NOK] (negative: a gain)."""
    return 0.5 * (np.asarray(q0) + np.asarray(q1)) * (np.asarray(g1) - np.asarray(g0))


def deadweight(q0, q1, p0, p1):
    """Users' loss beyond what they pay when a charge p0 -> p1 [NOK/unit] moves q0 -> q1 units:
    the rule of half less the change in payments, 1/2 (p0 + p1) (q0 - q1) [NOK]."""
    return 0.5 * (np.asarray(p0) + np.asarray(p1)) * (np.asarray(q0) - np.asarray(q1))


def weibull_mean_life(scale, shape):
    """Mean of a Weibull survival curve [yr]: scale x Gamma(1 + 1/shape)."""
    scale, shape = np.asarray(scale, dtype=float), np.asarray(shape, dtype=float)
    return scale * np.vectorize(math.gamma)(1.0 + 1.0 / shape)


def _first_differences(stock: np.ndarray) -> np.ndarray:
    """stock(t) - stock(t - 1) along the year axis, 0 in the first year."""
    out = np.zeros_like(stock)
    out[1:] = stock[1:] - stock[:-1]
    return out


def _previous(stock: np.ndarray) -> np.ndarray:
    """stock(t - 1) along the year axis (the first year its own value)."""
    return np.concatenate([stock[:1], stock[:-1]])


def purchases(stock: np.ndarray, life) -> np.ndarray:
    """Units bought per year to hold a stock [units/yr]: growth plus replacement of 1/life of last
    year's stock, max(stock(t) - stock(t-1), 0) + stock(t-1) / life; ``life`` broadcasts on the
    draw axis (axis 1)."""
    life = np.asarray(life, dtype=float).reshape((1, -1) + (1,) * (stock.ndim - 2))
    return np.maximum(_first_differences(stock), 0.0) + _previous(stock) / life


# ---------------------------------------------------------------- parameters and prices

def param(p: Params, name: str) -> np.ndarray:
    """A parameter as ``(1, D, 1)``, to broadcast against ``(T, D, M)``."""
    return p[name][None, :, None]


def money(p: Params, name: str, price_year: int) -> np.ndarray:
    """A money parameter in NOK of ``price_year`` as real 2009 NOK, ``(1, D, 1)``."""
    from ..prices import to_real_2009

    return param(p, name) * to_real_2009(price_year)


def _path(values: np.ndarray) -> np.ndarray:
    """A price path ``(D, T)`` as ``(T, D, 1)``."""
    return np.asarray(values, dtype=float).T[:, :, None]


def energy_prices(view: RunView, own_biogas: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Resource prices of energy [real 2009 NOK/kWh], ``(T, D, 1, carriers)`` for the road carriers
    (petrol, diesel, electricity, biofuel) and the building carriers (``dims.CARRIERS``).

    Petrol and diesel: product price paths (without VAT, road-usage and CO2 taxes) over
    ``transport.energy_content.*``; electricity: the energy part of the household price (grid
    tariff and taxes left out: the grid is a fixed cost at the margin); biofuel (and biogas in
    buses, recorded with it): diesel per kWh x (1 + ``cost.energy.biofuel_premium``), or 0 with
    ``own_biogas`` (biogas from the municipality's own food waste, whose cost is in its treatment);
    heating oil: the product path over ``transport.energy_content.diesel`` (heating oil is gas oil),
    paraffin the same x the end-user price ratio ``buildings.price.paraffin / .heating_oil``;
    district heat, natural gas, LPG and wood: ``buildings.price.*`` (2009 end-user prices excl. VAT,
    held in real terms as in the buildings submodel).
    """
    p, pr = view.params, view.prices
    petrol = _path(pr.petrol_product) / param(p, "transport.energy_content.petrol")
    diesel = _path(pr.diesel_product) / param(p, "transport.energy_content.diesel")
    electricity = _path(pr.electricity_energy)
    bio = (np.zeros_like(diesel) if own_biogas
           else diesel * (1.0 + param(p, "cost.energy.biofuel_premium")))
    oil = _path(pr.heating_oil_product) / param(p, "transport.energy_content.diesel")
    paraffin = oil * param(p, "buildings.price.paraffin") / param(p, "buildings.price.heating_oil")
    shape = petrol.shape
    held = {c: np.broadcast_to(param(p, f"buildings.price.{c}"), shape)
            for c in ("district_heat", "natural_gas", "lpg", "wood")}
    building = {"electricity": electricity, "heating_oil": oil, "paraffin": paraffin, **held}
    road = np.stack(np.broadcast_arrays(petrol, diesel, electricity, bio), axis=-1)
    return road, np.stack([np.broadcast_to(building[c], shape) for c in dims.CARRIERS], axis=-1)


def energy_expenditure(view: RunView, own_biogas: bool = False) -> np.ndarray:
    """Road and building energy at resource prices [real 2009 NOK/yr], ``(T, D, M)``:
    sum over carriers of energy [GWh/yr] x 10^6 kWh/GWh x price [NOK/kWh]."""
    road, building = energy_prices(view, own_biogas)
    rec = view.record
    return KWH_PER_GWH * ((rec["road_energy"] * road).sum(-1) + (rec["delivered_energy"] * building).sum(-1))


def car_prices(view: RunView) -> np.ndarray:
    """Pre-tax price of a new car by powertrain [real 2009 NOK], ``(T, D, 1, K)``: petrol and diesel
    ``transport.car_price.*``; PHEV and BEV the petrol price plus the battery premium
    ``transport.price_premium_2009.*`` x exp(-``transport.price_premium_decline.*`` (t - 2009))
    (as the powertrain choice prices them)."""
    p = view.params
    t = (view.years - dims.BASE_YEAR).astype(float)[:, None, None]
    petrol, diesel = param(p, "transport.car_price.petrol"), param(p, "transport.car_price.diesel")
    plug = [petrol + param(p, f"transport.price_premium_2009.{k}")
            * np.exp(-param(p, f"transport.price_premium_decline.{k}") * t) for k in ("phev", "bev")]
    return np.stack(np.broadcast_arrays(petrol, diesel, *plug), axis=-1)


def car_life(p: Params) -> np.ndarray:
    """Mean life of a car [yr] ``(D,)`` from the fleet's Weibull survival."""
    return weibull_mean_life(p["transport.weibull_scale.car"], p["transport.weibull_shape.car"])


def car_capital_cost(view: RunView, rate) -> np.ndarray:
    """Capital cost of the residents' cars [real 2009 NOK/yr] ``(T, D, M)``: sum over powertrains of
    cars x pre-tax price x annuity_factor(rate, mean car life)."""
    factor = annuity_factor(rate, car_life(view.params))[None, :, None]
    return (view.record["car_stock"] * car_prices(view)).sum(-1) * factor


def heating_capital_cost(view: RunView, rate) -> np.ndarray:
    """Capital cost of the heating systems in place [real 2009 NOK/yr] ``(T, D, M)``: sum over
    building types and systems of floor area x system share x ``buildings.investment.<system>``
    [NOK/m2] x annuity_factor(rate, ``buildings.lifetime.<system>``)."""
    p = view.params
    invest = p.vector("buildings.investment", dims.HEATING_SYSTEMS)                    # (D, H)
    factor = annuity_factor(rate, p.vector("buildings.lifetime", dims.HEATING_SYSTEMS))
    per_m2 = (invest * factor)[None, :, None, None, :]                                  # (1, D, 1, 1, H)
    rec = view.record
    return (rec["floor_area"][..., None] * rec["heating_system_share"] * per_m2).sum(axis=(-1, -2))


def _system_area(view: RunView, systems: tuple[str, ...], types=dims.BUILDING_TYPES) -> np.ndarray:
    """Floor area heated by ``systems`` in building ``types`` [m2], ``(T, D, M, len(types))``."""
    rec = view.record
    b = [dims.BUILDING_TYPES.index(x) for x in types]
    h = [dims.HEATING_SYSTEMS.index(x) for x in systems]
    return rec["floor_area"][..., b] * rec["heating_system_share"][..., b, :][..., h].sum(-1)


def _per_dwelling(p: Params, types=RESIDENTIAL) -> np.ndarray:
    """m2 per dwelling of ``types`` as ``(1, D, 1, len(types))``."""
    return p.vector("buildings.m2_per_dwelling", types)[None, :, None, :]


def emissions_co2e(view: RunView, source: str) -> np.ndarray:
    """Emissions of one source [t CO2e/yr] ``(T, D, M)`` in the run's GWP set."""
    gas = view.record["emissions_gas"][..., dims.SOURCES.index(source), :]
    return (gas * view.gwp[None, :, None, :]).sum(-1)


# ---------------------------------------------------------------- item builders

def difference(name: str, flow: str, payer: str, method: str, level: Callable,
               parameters: tuple[str, ...] = ()) -> CostItem:
    """An item that is a level of the run less the same level of the base: ``level(view, rate)``
    ``(T, D, M)`` [NOK/yr]."""
    return CostItem(name, flow, payer, method, lambda base, run, rate: level(run, rate) - level(base, rate),
                    parameters)


def energy_item(own_biogas: bool = False) -> CostItem:
    method = ("change in road and building energy [GWh/yr] x resource price [NOK/kWh]: product prices without "
              "taxes and VAT (petrol, diesel, heating oil, the energy part of electricity), biofuel at diesel x "
              "(1 + cost.energy.biofuel_premium), district heat, gas, LPG and wood at buildings.price.*")
    if own_biogas:
        method += "; biogas from the municipality's own food waste at 0 (its cost is in the treatment item)"
    return difference("energy", "resource", "users", method, lambda v, r: energy_expenditure(v, own_biogas),
                      () if own_biogas else ("cost.energy.biofuel_premium",))


def cars_item() -> CostItem:
    return difference(
        "vehicles", "resource", "users",
        "change in the capital cost of the residents' cars: cars by powertrain x pre-tax price "
        "(transport.car_price.*, battery premium falling at transport.price_premium_decline.*) x annuity "
        "factor over the mean car life (Weibull, transport.weibull_*.car)", car_capital_cost)


def heating_item() -> CostItem:
    return difference(
        "heating_systems", "resource", "users",
        "change in the capital cost of the heating systems in place: floor area by system x "
        "buildings.investment.<system> [NOK/m2] x annuity factor over buildings.lifetime.<system>",
        heating_capital_cost)


def level_item(name: str, flow: str, payer: str, method: str, level: Callable, parameters=()) -> CostItem:
    """An item computed as a level difference, from a level that needs no discount rate."""
    return difference(name, flow, payer, method, lambda v, r: level(v), parameters)


def transfer_pair(public_name: str, users_name: str, method: str, level: Callable,
                  parameters=()) -> tuple[CostItem, CostItem]:
    """A transfer paid by the public to users (``level`` > 0, e.g. grants) as two items that cancel:
    the public's outlay and the users' receipt."""
    return (level_item(public_name, "transfer", "public", method, level, parameters),
            level_item(users_name, "transfer", "users", method + " (received)", lambda v: -level(v), parameters))


def charge_items(what: str, charge: Callable, method: str, operating_share: str | None = None,
                 base_quantity: Callable | None = None) -> tuple[CostItem, ...]:
    """Items of a charge: ``charge(view)`` gives the charge per unit ``p`` [NOK] and the units ``q``
    [1/yr], ``(T, D, M, ...)``. Revenue p q is a transfer (public receives, users pay); operating
    cost = share x change in revenue; users' loss beyond their payments = the deadweight loss
    1/2 (p0 + p1) (q0 - q1), summed over the trailing axes. ``base_quantity(base, run)`` may replace
    q0 where the base record cannot count the units (a charge that did not exist)."""

    def revenue(view):
        p, q = charge(view)
        return _sum_extra(p * q)

    def users_surplus(base, run, rate):
        p0, q0 = charge(base)
        p1, q1 = charge(run)
        if base_quantity is not None:
            q0 = base_quantity(base, run, q0, q1)
        return _sum_extra(deadweight(q0, q1, p0, p1))

    items = [level_item("revenue", "transfer", "public", f"{what} revenue received: {method}",
                        lambda v: -revenue(v)),
             level_item("charges_paid", "transfer", "users", f"{what} paid by users: {method}", revenue)]
    if operating_share is not None:
        items.append(CostItem(
            "operation", "resource", "public", f"collection and enforcement: {operating_share} x change in {what} "
            "revenue", lambda base, run, rate: run.params[operating_share][None, :, None]
            * (revenue(run) - revenue(base)), (operating_share,)))
    items.append(CostItem("users_surplus", "resource", "users",
                          f"users' loss beyond what they pay (rule of half on the {what}): 1/2 (p0 + p1) (q0 - q1)",
                          users_surplus))
    return tuple(items)


def _sum_extra(x: np.ndarray) -> np.ndarray:
    """Sum a ``(T, D, M, ...)`` array to ``(T, D, M)``."""
    x = np.asarray(x, dtype=float)
    return x.reshape(x.shape[:3] + (-1,)).sum(-1) if x.ndim > 3 else x


def investment_item(name: str, payer: str, method: str, outlays: Callable, lifetime: str | Callable,
                    parameters=()) -> CostItem:
    """A one-off outlay ``outlays(view)`` ``(T, D, M)`` [NOK/yr] of the run less the base, spread over
    ``lifetime`` [yr] (a parameter name, or a function of the parameters giving ``(D,)``) by
    :func:`annualise`."""

    def compute(base, run, rate):
        life = run.params[lifetime] if isinstance(lifetime, str) else lifetime(run.params)
        return annualise(outlays(run) - outlays(base), rate, life)

    if isinstance(lifetime, str):
        return CostItem(name, "resource", payer, method + f"; spread over {lifetime} years at the discount rate",
                        compute, tuple(parameters) + (lifetime,))
    return CostItem(name, "resource", payer, method + "; spread over the vehicles' mean life at the discount rate",
                    compute, tuple(parameters))


def attach_costs(kinds: tuple, costs: dict[str, Costs]) -> tuple:
    """The kinds with their cost declarations; every kind must have one, and no other."""
    from dataclasses import replace

    names = [k.name for k in kinds]
    missing, extra = set(names) - set(costs), set(costs) - set(names)
    if missing or extra:
        raise ValueError(f"cost declarations missing for {sorted(missing)}, unknown kinds {sorted(extra)}")
    return tuple(replace(k, costs=costs[k.name]) for k in kinds)


def combined_charge(*charges: Callable) -> Callable:
    """Several charges as one: prices and units of each, side by side on a last axis."""

    def charge(view):
        parts = [c(view) for c in charges]
        ps = [np.broadcast_to(p, q.shape).reshape(q.shape[:3] + (-1,)) for p, q in parts]
        qs = [q.reshape(q.shape[:3] + (-1,)) for _, q in parts]
        return np.concatenate(ps, -1), np.concatenate(qs, -1)

    return charge


def not_costed(reason: str) -> Costs:
    return Costs(reason=reason)


# ---------------------------------------------------------------- charges the transport records hold

def toll_charge(view: RunView) -> tuple[np.ndarray, np.ndarray]:
    """Mean revenue per light passage [NOK] and light passages [1/yr] through the cordons each
    municipality owns ``(T, D, M)``: toll_revenue / (365 x cordon_car_trips summed over periods).
    The revenue holds vans' and trucks' tolls too, so the price per passage is an upper estimate."""
    q = DAYS_PER_YEAR * view.record["cordon_car_trips"].sum(-1)
    r = view.record["toll_revenue"]
    return np.where(q > 0, r / np.maximum(q, 1e-9), 0.0), q


def toll_base_passages(base: RunView, run: RunView, q0, q1):
    """Passages without the measure where the base charged nothing (the record counts only charged
    passages): the passages with it plus the residents' car-driver trips the charge removed (one paid
    passage each)."""
    car = dims.MODES.index("car_driver")
    removed = np.maximum(base.record["trips"][..., car] - run.record["trips"][..., car], 0.0)
    return np.where((q0 <= 0) & (q1 > 0), q1 + removed, q0)


def _bev_vkm_share(view: RunView) -> np.ndarray:
    car_vkm = view.record["car_vkm"]
    total = car_vkm.sum(-1)
    return np.where(total > 0, car_vkm[..., dims.POWERTRAINS.index("bev")] / np.maximum(total, 1e-9), 0.0)


def parking_charge(view: RunView) -> tuple[np.ndarray, np.ndarray]:
    """Expected municipal parking fee per car trip ending in each zone type [NOK] and those trips
    [1/yr], ``(T, D, M, Z)``: fee x ``transport.public_parking_share.<zone>`` x (1 - BEV share of car
    vkm x BEV discount), as the mode choice prices it."""
    lv, p = view.levers, view.params
    discount = np.maximum(lv["bev_parking_discount"], lv["bev_parking_discount_min"])
    public = p.vector("transport.public_parking_share", dims.ZONES)[None, :, None, :]
    fee = lv["parking_fee_nok"] * public * (1.0 - _bev_vkm_share(view) * discount)[..., None]
    return fee, view.record["parked_car_trips"]


def low_emission_charge(view: RunView) -> tuple[np.ndarray, np.ndarray]:
    """Low-emission-zone charge per car trip ending in each zone type [NOK] (charge x non-BEV share of
    car vkm) and those trips [1/yr], ``(T, D, M, Z)``."""
    fossil = 1.0 - _bev_vkm_share(view)
    return view.levers["low_emission_zone_nok"] * fossil[..., None], view.record["parked_car_trips"]


def pt_fare_charge(view: RunView) -> tuple[np.ndarray, np.ndarray]:
    """Fare per public-transport trip [NOK] (``transport.pt_fare`` x (1 + lever pt_fare_change)) and
    the residents' public-transport trips [1/yr], ``(T, D, M)``."""
    fare = param(view.params, "transport.pt_fare") * (1.0 + view.levers["pt_fare_change"])
    return fare, view.record["trips"][..., dims.MODES.index("public_transport")]


def purpose_mean(p: Params, prefix: str) -> np.ndarray:
    """Trip-weighted mean over purposes of ``prefix.<purpose>`` ``(D,)`` (weights
    ``transport.purpose_share.*``)."""
    w = p.vector("transport.purpose_share", dims.PURPOSES)
    return (w * p.vector(prefix, dims.PURPOSES)).sum(-1) / w.sum(-1)


def pt_wait_cost(view: RunView) -> np.ndarray:
    """Weighted waiting cost of a public-transport trip [NOK] ``(T, D, M)``: wait weight x mean PT
    value of time x (peak share x h_peak + (1 - peak share) x h_offpeak) / (2 (1 + s)) / 60, s the
    lever pt_service_change, peak share the trip-weighted ``transport.peak_share.*``."""
    p = view.params
    peak = purpose_mean(p, "transport.peak_share")
    headway = peak * p["transport.pt_headway.peak"] + (1.0 - peak) * p["transport.pt_headway.offpeak"]
    per_min = p["transport.wait_weight"] * purpose_mean(p, "transport.value_of_time.pt") / 60.0
    return (per_min * headway)[None, :, None] / (2.0 * (1.0 + view.levers["pt_service_change"]))


def pt_trips(view: RunView) -> np.ndarray:
    return view.record["trips"][..., dims.MODES.index("public_transport")]


def parking_supply_cost(view: RunView) -> np.ndarray:
    """Extra cost per car trip ending in each zone type [NOK] ``(T, D, M, Z)`` from removed public
    spaces (removed share x public share x ``transport.parking_relocation_min`` / 60 x mean car value
    of time) and from free workplace parking removed or charged (charged share x min(free share,
    1 - public share) x ``transport.workplace_parking_value``, on the commute share of the trips,
    ``transport.purpose_share.commute``)."""
    p, lv = view.params, view.levers
    public = p.vector("transport.public_parking_share", dims.ZONES)[None, :, None, :]
    vot = purpose_mean(p, "transport.value_of_time.car")[None, :, None, None]
    search = lv["public_parking_removed"] * public * param(p, "transport.parking_relocation_min")[..., None] / 60 * vot
    free = np.minimum(p["transport.free_workplace_parking_share"][None, :, None, None], 1.0 - public)
    work = (lv["workplace_parking_charged"] * free * param(p, "transport.workplace_parking_value")[..., None]
            * param(p, "transport.purpose_share.commute")[..., None])
    return search + work


# ---------------------------------------------------------------- vehicles bought

def new_cars(view: RunView) -> np.ndarray:
    """New cars bought by the residents [cars/yr] ``(T, D, M)``: :func:`purchases` of the car stock
    over the mean car life."""
    return purchases(view.record["car_stock"].sum(-1), car_life(view.params))


def bev_tax_relief(view: RunView) -> np.ndarray:
    """VAT and registration tax the new battery-electric cars are spared [real 2009 NOK/yr]
    ``(T, D, M)``: new cars x BEV share of new cars x (VAT exemption x ``transport.vat_rate`` x pre-tax
    price + registration-tax exemption x ``transport.registration_tax.bev``)."""
    p, lv = view.params, view.levers
    bev = view.record["new_car_share"][..., dims.POWERTRAINS.index("bev")] * new_cars(view)
    price = car_prices(view)[..., dims.POWERTRAINS.index("bev")]
    per_car = (lv["bev_vat_exemption"] * param(p, "transport.vat_rate") * price
               + lv["bev_registration_tax_exemption"] * param(p, "transport.registration_tax.bev"))
    return bev * per_car


def freight_premium(p: Params, vehicle: str, years: np.ndarray) -> np.ndarray:
    """Extra purchase price of a zero-emission van or truck [real 2009 NOK] ``(T, D, 1)``:
    ``cost.zero_emission_freight.<vehicle>_premium`` (2019 NOK) x exp(-decline (t - 2019))."""
    t = (years - 2019).astype(float)[:, None, None]
    return (money(p, f"cost.zero_emission_freight.{vehicle}_premium", 2019)
            * np.exp(-param(p, "cost.zero_emission_freight.premium_decline") * t))


def zero_emission_freight_outlays(view: RunView) -> np.ndarray:
    """Extra purchase cost of the zero-emission vans and trucks bought [real 2009 NOK/yr] ``(T, D, M)``:
    for each class, purchases of the stock (territorial vkm / ``transport.annual_km.<class>``, over
    its mean Weibull life) x the lever's zero-emission share of new vehicles x the premium."""
    p, out = view.params, 0.0
    for vehicle, cls in (("van", "van"), ("heavy", "heavy")):
        stock = view.record["vkm"][..., dims.VEHICLE_CLASSES.index(cls)] / param(p, f"transport.annual_km.{cls}")
        life = weibull_mean_life(p[f"transport.weibull_scale.{cls}"], p[f"transport.weibull_shape.{cls}"])
        bought = purchases(stock, life) * view.levers[f"zero_emission_share_new_{vehicle}"]
        out = out + bought * freight_premium(p, vehicle, view.years)
    return out


def freight_life(p: Params) -> np.ndarray:
    """Mean life of vans and trucks [yr] ``(D,)`` (the van's; the two Weibull curves are the same)."""
    return weibull_mean_life(p["transport.weibull_scale.van"], p["transport.weibull_shape.van"])


def gas_bus_capital_cost(view: RunView, rate) -> np.ndarray:
    """Extra capital cost of gas buses [real 2009 NOK/yr] ``(T, D, M)``: biogas share of the buses'
    energy (lever bus_biogas_share) x buses (bus vkm / ``transport.annual_km.bus``) x
    ``cost.bus_biogas.bus_premium`` (2019 NOK) x annuity_factor(rate, mean bus life)."""
    p = view.params
    buses = view.record["vkm"][..., dims.VEHICLE_CLASSES.index("bus")] / param(p, "transport.annual_km.bus")
    life = weibull_mean_life(p["transport.weibull_scale.bus"], p["transport.weibull_shape.bus"])
    factor = annuity_factor(rate, life)[None, :, None]
    return view.levers["bus_biogas_share"] * buses * money(p, "cost.bus_biogas.bus_premium", 2019) * factor


def gas_bus_item() -> CostItem:
    return difference("vehicles", "resource", "public",
                      "change in the extra capital cost of gas buses: biogas share of the buses' energy x buses (bus "
                      "vkm / transport.annual_km.bus) x cost.bus_biogas.bus_premium (2019 NOK) x annuity "
                      "factor over the mean bus life", gas_bus_capital_cost, ("cost.bus_biogas.bus_premium",))


# ---------------------------------------------------------------- buildings

def heat_pump_grants(view: RunView) -> np.ndarray:
    """Heat-pump support paid [real 2009 NOK/yr] ``(T, D, M)``: heat pumps installed (purchases of the
    heat-pump area over ``buildings.lifetime.heat_pump``) x (subsidy share x
    ``buildings.investment.heat_pump`` + grant per dwelling / m2 per dwelling for houses and
    apartments). Every installation gets it, also those that would have come without."""
    p, lv = view.params, view.levers
    area = _system_area(view, ("heat_pump",))                                     # (T, D, M, B)
    installed = purchases(area, p["buildings.lifetime.heat_pump"])
    share = lv["heat_pump_subsidy_share"][..., None] * param(p, "buildings.investment.heat_pump")[..., None]
    per_m2 = np.broadcast_to(share, installed.shape).copy()
    res = [dims.BUILDING_TYPES.index(x) for x in RESIDENTIAL]
    per_m2[..., res] += lv["heat_pump_grant"][..., None] / _per_dwelling(p)
    return (installed * per_m2).sum(-1)


def oil_conversion_grants(view: RunView) -> np.ndarray:
    """Conversion grants paid [real 2009 NOK/yr] ``(T, D, M)``: lever oil_conversion_grant [NOK/dwelling]
    x dwellings that left oil or paraffin heating that year (fall of that area in houses and
    apartments / ``buildings.m2_per_dwelling.*``)."""
    area = _system_area(view, ("oil_boiler", "paraffin_stove"), RESIDENTIAL)
    left = np.maximum(-_first_differences(area), 0.0) / _per_dwelling(view.params)
    return view.levers["oil_conversion_grant"] * left.sum(-1)


def _cohort_in_force(p: Params, years: np.ndarray) -> list[str]:
    """The TEK cohort new building joins in each year (the last with a start year at or before it)."""
    starts = [(c, p.scalar(f"buildings.cohort_start_year.{c}")) for c in dims.CONSTRUCTION_PERIODS[1:]]
    return [max((s, c) for c, s in starts if s <= y)[1] if any(s <= y for _, s in starts) else "tek49"
            for y in years]


def passive_share(view: RunView) -> np.ndarray:
    """How far new build goes towards passive-house level [1] ``(T, D, M, B)``:
    clip((e - S) / (e - 15), 0, 1), S the lever new_build_space_heat_need, e the space-heat need of the
    TEK cohort in force (``buildings.space_heating.<type>.<cohort>``), 15 kWh/m2 the NS 3700 level."""
    p = view.params
    cohorts = _cohort_in_force(p, view.years)
    need = np.stack([p.vector("buildings.space_heating", [f"{b}.{c}" for b in dims.BUILDING_TYPES])
                     for c in cohorts])[:, :, None, :]                                # (T, D, 1, B)
    gap = (need - view.levers["new_build_space_heat_need"]) / np.maximum(need - PASSIVE_HOUSE_KWH, 1e-9)
    return np.clip(gap, 0.0, 1.0)


def new_build_outlays(view: RunView) -> np.ndarray:
    """Extra construction cost of new build [real 2009 NOK/yr] ``(T, D, M)``: new floor area x
    :func:`passive_share` x ``cost.new_build_standard.passive_extra_cost`` (2016 NOK/m2)."""
    cost = money(view.params, "cost.new_build_standard.passive_extra_cost", 2016)[..., None]
    return (view.record["new_floor_area"] * passive_share(view) * cost).sum(-1)


def pv_capacity(view: RunView) -> np.ndarray:
    """Rooftop PV in place [kWp] ``(T, D, M)``: per building type, area with PV
    P(t) = min(max(P(t-1) + s_new N(t), s_exist A(t)), A(t)) (as the buildings submodel, demolition
    left out) x ``buildings.pv_kwp_per_m2.<type>``; N new floor area, A floor area, s the levers."""
    rec, lv, p = view.record, view.levers, view.params
    new, area = rec["new_floor_area"], rec["floor_area"]
    out = np.zeros_like(area)
    for k in range(1, area.shape[0]):
        grown = out[k - 1] + lv["solar_pv_new_build_share"][k][..., None] * new[k]
        out[k] = np.minimum(np.maximum(grown, lv["solar_pv_existing_share"][k][..., None] * area[k]), area[k])
    return (out * p.vector("buildings.pv_kwp_per_m2", dims.BUILDING_TYPES)[None, :, None, :]).sum(-1)


def pv_outlays(view: RunView) -> np.ndarray:
    """PV installed [real 2009 NOK/yr] ``(T, D, M)``: growth of the capacity in place [kWp] x
    ``cost.solar_pv.investment_per_kwp`` (2022 NOK/kWp)."""
    return (np.maximum(_first_differences(pv_capacity(view)), 0.0)
            * money(view.params, "cost.solar_pv.investment_per_kwp", 2022))


def wood_stove_outlays(view: RunView) -> np.ndarray:
    """New stoves bought [real 2009 NOK/yr] ``(T, D, M)``: dwellings heated with wood stoves (area /
    m2 per dwelling, houses and apartments) x ``buildings.wood_stove.old_share_2009`` x the yearly rise
    of the replaced share (lever wood_stove_old_replaced, kept at its highest) x
    ``cost.wood_stove_renewal.cost_per_stove`` (2020 NOK)."""
    p = view.params
    dwellings = (_system_area(view, ("wood_stove",), RESIDENTIAL) / _per_dwelling(p)).sum(-1)
    replaced = np.maximum.accumulate(view.levers["wood_stove_old_replaced"], axis=0)
    rise = np.maximum(_first_differences(replaced), 0.0)
    return (dwellings * param(p, "buildings.wood_stove.old_share_2009") * rise
            * money(p, "cost.wood_stove_renewal.cost_per_stove", 2020))


# ---------------------------------------------------------------- waste and sources

def waste_treatment_cost(view: RunView) -> np.ndarray:
    """Treatment of household waste [real 2009 NOK/yr] ``(T, D, M)``: tonnes by treatment x
    ``cost.waste.treatment.<treatment>`` (2019 NOK/t, excluding taxes)."""
    per_t = np.stack([money(view.params, f"cost.waste.treatment.{j}", 2019) for j in dims.TREATMENTS], -1)
    return (view.record["waste_by_treatment"] * per_t).sum(-1)


def separate_collection_cost(view: RunView) -> np.ndarray:
    """Separate collection [real 2009 NOK/yr] ``(T, D, M)``: tonnes to material recovery and
    biological treatment x ``cost.waste.separate_collection`` (2019 NOK/t)."""
    sorted_out = view.record["waste_by_treatment"][..., [dims.TREATMENTS.index("material_recovery"),
                                                         dims.TREATMENTS.index("biological")]].sum(-1)
    return sorted_out * money(view.params, "cost.waste.separate_collection", 2019)


def waste_items() -> tuple[CostItem, ...]:
    return (level_item("treatment", "resource", "users",
                       "change in household waste by treatment [t/yr] x cost.waste.treatment.<treatment> "
                       "(2019 NOK/t, taxes excluded; paid through the waste fees)", waste_treatment_cost,
                       tuple(f"cost.waste.treatment.{j}" for j in dims.TREATMENTS)),
            level_item("collection", "resource", "users",
                       "change in waste sorted out (material recovery and biological treatment) [t/yr] x "
                       "cost.waste.separate_collection (2019 NOK/t)", separate_collection_cost,
                       ("cost.waste.separate_collection",)))


def per_tonne_avoided(source: str, parameter: str, price_year: int):
    """A cost per tonne of a source's emissions avoided: ``compute(base, run, rate)`` =
    parameter (NOK of ``price_year`` per t CO2e) x (base - run emissions of ``source``) [t CO2e/yr]."""

    def compute(base, run, rate):
        return money(run.params, parameter, price_year) * (emissions_co2e(base, source) - emissions_co2e(run, source))

    return compute


def ccs_cost(base: RunView, run: RunView, rate) -> np.ndarray:
    """Capture, transport and storage [real 2009 NOK/yr] ``(T, D, M)``: fossil CO2 of waste incineration
    removed (base - run, t CO2) / ``cost.incineration_ccs.fossil_share`` (the plant captures biogenic
    CO2 too) x ``cost.incineration_ccs.cost_per_t`` (2019 NOK/t CO2)."""
    def co2(view):
        return view.record["emissions_gas"][..., dims.SOURCES.index("waste_incineration"), dims.GASES.index("co2")]

    p = run.params
    captured = (co2(base) - co2(run)) / param(p, "cost.incineration_ccs.fossil_share")
    return captured * money(p, "cost.incineration_ccs.cost_per_t", 2019)


def landfill_gas_cost(view: RunView) -> np.ndarray:
    """Landfill gas extracted [real 2009 NOK/yr] ``(T, D, M)``: CH4 recovered [t/yr] x
    ``cost.landfill_gas_capture.cost_per_t_ch4`` (2019 NOK/t CH4)."""
    return view.record["landfill_ch4_recovered"] * money(view.params, "cost.landfill_gas_capture.cost_per_t_ch4", 2019)


def shared_fleet_cost(base: RunView, run: RunView, rate) -> np.ndarray:
    """Shared cars in service [real 2009 NOK/yr] ``(T, D, M)``: the members' cars given up (base - run
    car stock) / ``cost.car_sharing.cars_replaced_per_shared_car``, each costing a petrol car's
    price x annuity_factor(rate, mean car life) + ``cost.car_sharing.operating_cost_per_car`` (2019 NOK/yr)."""
    p = run.params
    given_up = np.maximum(base.record["car_stock"].sum(-1) - run.record["car_stock"].sum(-1), 0.0)
    shared = given_up / param(p, "cost.car_sharing.cars_replaced_per_shared_car")
    capital = param(p, "transport.car_price.petrol") * annuity_factor(rate, car_life(p))[None, :, None]
    return shared * (capital + money(p, "cost.car_sharing.operating_cost_per_car", 2019))


def bus_operating_cost(view: RunView) -> np.ndarray:
    """Bus operation [real 2009 NOK/yr] ``(T, D, M)``: territorial bus vkm x
    ``cost.pt_service.operating_cost_per_vkm`` (2019 NOK/vkm)."""
    return (view.record["vkm"][..., dims.VEHICLE_CLASSES.index("bus")]
            * money(view.params, "cost.pt_service.operating_cost_per_vkm", 2019))


def car_time_cost(view: RunView) -> np.ndarray:
    """In-vehicle time cost of a residents' car-driver trip at the year's congested speeds [NOK] ``(T, D, M)``:
    ``car_hours / car-driver trips x`` the trip-weighted mean car value of time (``transport.value_of_time.car.*``)."""
    trips = view.record["trips"][..., dims.MODES.index("car_driver")]
    hours = view.record["car_hours"] / np.maximum(trips, 1e-9)
    return hours * purpose_mean(view.params, "transport.value_of_time.car")[None, :, None]


def car_driver_trips(view: RunView) -> np.ndarray:
    return view.record["trips"][..., dims.MODES.index("car_driver")]


def congestion_item() -> CostItem:
    """Time gained (or lost) by the car trips as congestion changes: the rule of half on the in-vehicle time
    cost of a car-driver trip, 1/2 (q0 + q1) (g1 - g0), negative when the roads get faster."""
    def compute(base, run, rate):
        return rule_of_half(car_driver_trips(base), car_driver_trips(run), car_time_cost(base), car_time_cost(run))

    return CostItem("congestion_time", "resource", "users",
                    "car drivers' in-vehicle time at the year's congested speeds (BPR, car_hours / car-driver trips x "
                    "the mean car value of time, transport.value_of_time.car.*); rule of half: 1/2 (q0 + q1) "
                    "(g1 - g0), a gain where less traffic speeds the roads up", compute)


def users_time_item(method: str, cost_per_trip: Callable, trips: Callable) -> CostItem:
    """Users' time (or other non-money) cost by the rule of half: ``cost_per_trip(view)`` [NOK] and
    ``trips(view)`` [1/yr] of each run, summed over trailing axes."""

    def compute(base, run, rate):
        return _sum_extra(rule_of_half(trips(base), trips(run), cost_per_trip(base), cost_per_trip(run)))

    return CostItem("users_time", "resource", "users", method + "; rule of half: 1/2 (q0 + q1) (g1 - g0)",
                    compute)
