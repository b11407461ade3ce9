"""Cost items of measure kinds: how a measure's cost streams follow from two finished runs.

Each kind's items (``MeasureKind.costs``, a :class:`~.base.Costs`) are declared in its area's costs
module (``costs_transport.py``, ``costs_buildings.py``, ``costs_waste.py``: the declarations and the
quantities they read) with the builders below; taxes and adaptation, costed by none, say why in their own
modules. An item is computed from the run of the scenario without the measure
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
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from .. import dims
from ..parameters import Params
from .base import CostItem, Costs

KWH_PER_GWH = 1e6


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
    cordon_owner: np.ndarray | None = None   # (C,) index of the municipality owning each cordon of the record
    pair_owner: np.ndarray | None = None     # (G,) the same of each pair of cordons sharing an hour rule
    cordon_record: dict | None = None        # tolls per passage by cordon and the hour rules' waived passages

    @classmethod
    def of(cls, model) -> "RunView":
        return cls(model.record, applied_levers(model), model.params, model.prices, model.gwp,
                   np.asarray(model.years), model.cordon_owner, model.pair_owner, model.cordon_record)


def applied_levers(model) -> dict:
    """The lever paths ``(T, D, M, ...)`` a finished run applied: its scheduled paths, but in 2009 the levers of
    the 2009 policies, under which the base year runs whatever a measure says (``simulation.base_levers``), so that
    a measure of 2009 changes its lever from 2009 to 2010 as it acts (copies only of the paths that differ)."""
    from ..cordons import using
    from ..simulation import base_levers

    with using(model.scenario.cordons):      # the toll levers' axis: the run's cordons, its scenario's own too
        base = base_levers(model.n_draws)
    out = dict(model.lever_paths)
    for name, path in out.items():
        if name in base and not np.array_equal(path[0], np.broadcast_to(base[name], path[0].shape)):
            out[name] = path.copy()
            out[name][0] = base[name]
    return out


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


def whole_years(lifetime) -> np.ndarray:
    """A life [yr] as the whole years :func:`annualise` spreads an outlay over: rounded, at least 1."""
    return np.maximum(np.rint(np.asarray(lifetime, dtype=float)), 1.0)


def annualise(outlays: np.ndarray, rate, lifetime) -> np.ndarray:
    """Spread one-off outlays ``(T, D, M)`` [NOK in year t] over the asset life: each outlay costs
    outlay x annuity_factor(rate, life) in its year and the life - 1 years after (cut at the last
    year), so a whole life discounted to the outlay's year is the outlay; ``lifetime`` [yr] ``(D,)``
    is rounded to whole years."""
    outlays = np.asarray(outlays, dtype=float)
    t = outlays.shape[0]
    life = whole_years(np.broadcast_to(np.asarray(lifetime, dtype=float), outlays.shape[1:2]))
    factor = annuity_factor(rate, life)                                          # (D,)
    factor = factor.reshape(factor.shape + (1,) * (outlays.ndim - 2))
    n = life.astype(int)
    out = np.zeros_like(outlays)
    if out.size == 0:
        return out
    # By lag, the longest first: each year's annuities are added in the order of the outlays' years, the earliest
    # first, as a loop over the outlays would add them, at a numpy operation per lag instead of per draw and year.
    for lag in range(min(int(n.max()), t) - 1, -1, -1):
        paying = n > lag                                                         # (D,) draws whose life reaches it
        if paying.all():
            out[lag:] += outlays[:t - lag] * factor
        else:
            out[lag:, paying] += outlays[:t - lag, paying] * factor[paying]
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


def first_differences(stock: np.ndarray) -> np.ndarray:
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
    return np.maximum(first_differences(stock), 0.0) + _previous(stock) / life


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


# The parameters of the table that :func:`energy_prices` reads besides the price paths (and the biofuel premium)
ENERGY_PRICE_PARAMETERS = ("transport.energy_content.petrol", "transport.energy_content.diesel",
                           "buildings.price.heating_oil", "buildings.price.paraffin", "buildings.price.district_heat",
                           "buildings.price.natural_gas", "buildings.price.lpg", "buildings.price.wood")


def energy_prices(view: RunView) -> tuple[np.ndarray, np.ndarray]:
    """Resource prices of energy [real 2009 NOK/kWh], ``(T, D, 1, carriers)`` for the road carriers
    (petrol, diesel, electricity, biofuel) and the building carriers (``dims.CARRIERS``).

    Petrol and diesel: product price paths (without VAT, road-usage and CO2 taxes) over
    ``transport.energy_content.*``; electricity: the energy part of the household price (grid
    tariff and taxes left out: the grid is a fixed cost at the margin); biofuel (and biogas in
    buses, recorded with it): diesel per kWh x (1 + ``cost.energy.biofuel_premium``), biogas from the
    municipality's own food waste too (its digestion is costed net of biogas sales, so the buses buy it);
    heating oil: the product path over ``transport.energy_content.diesel`` (heating oil is gas oil),
    paraffin the same x the end-user price ratio ``buildings.price.paraffin / .heating_oil``;
    district heat, natural gas, LPG and wood: ``buildings.price.*`` (2009 end-user prices excl. VAT,
    held in real terms as in the buildings submodel).
    """
    p, pr = view.params, view.prices
    petrol = _path(pr.petrol_product) / param(p, "transport.energy_content.petrol")
    diesel = _path(pr.diesel_product) / param(p, "transport.energy_content.diesel")
    electricity = _path(pr.electricity_energy)
    bio = diesel * (1.0 + param(p, "cost.energy.biofuel_premium"))
    oil = _path(pr.heating_oil_product) / param(p, "transport.energy_content.diesel")
    paraffin = oil * param(p, "buildings.price.paraffin") / param(p, "buildings.price.heating_oil")
    shape = petrol.shape
    held = {c: np.broadcast_to(param(p, f"buildings.price.{c}"), shape)
            for c in ("district_heat", "natural_gas", "lpg", "wood")}
    building = {"electricity": electricity, "heating_oil": oil, "paraffin": paraffin, **held}
    road = np.stack(np.broadcast_arrays(petrol, diesel, electricity, bio), axis=-1)
    return road, np.stack([np.broadcast_to(building[c], shape) for c in dims.CARRIERS], axis=-1)


def energy_expenditure(view: RunView) -> np.ndarray:
    """Road and building energy at resource prices [real 2009 NOK/yr], ``(T, D, M)``:
    sum over carriers of energy [GWh/yr] x 10^6 kWh/GWh x price [NOK/kWh]."""
    road, building = energy_prices(view)
    rec = view.record
    return KWH_PER_GWH * ((rec["road_energy"] * road).sum(-1) + (rec["delivered_energy"] * building).sum(-1))


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


# The parameters of the table each carrier's resource price reads (energy_prices), road carriers then building ones
ROAD_PRICE_PARAMETERS = {
    "petrol": ("transport.energy_content.petrol",),
    "diesel": ("transport.energy_content.diesel",),
    "electricity": (),
    "biofuel": ("transport.energy_content.diesel", "cost.energy.biofuel_premium"),
}
BUILDING_PRICE_PARAMETERS = {
    "electricity": (),
    "heating_oil": ("transport.energy_content.diesel",),
    "paraffin": ("transport.energy_content.diesel", "buildings.price.paraffin", "buildings.price.heating_oil"),
    **{c: (f"buildings.price.{c}",) for c in ("district_heat", "natural_gas", "lpg", "wood")},
}


def changed_energy_parameters(base: RunView, run: RunView) -> tuple[str, ...]:
    """The price parameters of the carriers whose road or building energy differs between ``base`` and
    ``run`` (in any year, draw or municipality): those the energy item's stream rests on. A measure on
    buses does not rest on the price of wood."""
    from ..submodels.transport import ROAD_CARRIERS

    names: list[str] = []
    for variable, carriers, table in (("road_energy", ROAD_CARRIERS, ROAD_PRICE_PARAMETERS),
                                      ("delivered_energy", dims.CARRIERS, BUILDING_PRICE_PARAMETERS)):
        before, after = base.record[variable], run.record[variable]
        moved = np.abs(after - before).reshape(-1, len(carriers)).max(axis=0) > 1e-9 * max(
            float(np.abs(before).max(initial=0.0)), 1.0)
        names += [n for c, m in zip(carriers, moved) if m for n in table[c]]
    return tuple(dict.fromkeys(names))


def energy_item() -> CostItem:
    method = ("change in road and building energy [GWh/yr] x resource price [NOK/kWh]: product prices without "
              "taxes and VAT (petrol, diesel, heating oil, the energy part of electricity), biofuel and biogas at "
              "diesel x (1 + cost.energy.biofuel_premium), district heat, gas, LPG and wood at buildings.price.*")
    return replace(difference("energy", "resource", "users", method, lambda v, r: energy_expenditure(v),
                              ENERGY_PRICE_PARAMETERS + ("cost.energy.biofuel_premium",)),
                   reads=changed_energy_parameters)


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
                 users_loss: Callable | None = None) -> tuple[CostItem, ...]:
    """Items of a charge: ``charge(view)`` gives the charge per unit ``p`` [NOK] and the units ``q``
    [1/yr], ``(T, D, M, ...)``. Revenue p q is a transfer (public receives, users pay); operating
    cost = share x change in revenue; users' loss beyond their payments = the deadweight loss
    1/2 (p0 + p1) (q0 - q1), summed over the trailing axes. ``users_loss(base, run)`` ``(T, D, M)`` replaces
    the deadweight where the charged units are not the same with and without the measure (tolls: a new
    cordon's passages are not units gained)."""

    def revenue(view):
        p, q = charge(view)
        return _sum_extra(p * q)

    def users_surplus(base, run, rate):
        if users_loss is not None:
            return users_loss(base, run)
        p0, q0 = charge(base)
        p1, q1 = charge(run)
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


def users_time_item(method: str, cost_per_trip: Callable, trips: Callable) -> CostItem:
    """Users' time (or other non-money) cost by the rule of half: ``cost_per_trip(view)`` [NOK] and
    ``trips(view)`` [1/yr] of each run, summed over trailing axes."""

    def compute(base, run, rate):
        return _sum_extra(rule_of_half(trips(base), trips(run), cost_per_trip(base), cost_per_trip(run)))

    return CostItem("users_time", "resource", "users", method + "; rule of half: 1/2 (q0 + q1) (g1 - g0)",
                    compute)


def per_tonne_avoided(source: str, parameter: str, price_year: int):
    """A cost per tonne of a source's emissions avoided: ``compute(base, run, rate)`` =
    parameter (NOK of ``price_year`` per t CO2e) x (base - run emissions of ``source``) [t CO2e/yr]."""

    def compute(base, run, rate):
        return money(run.params, parameter, price_year) * (emissions_co2e(base, source) - emissions_co2e(run, source))

    return compute


def attach_costs(kinds: tuple, costs: dict[str, Costs]) -> tuple:
    """The kinds with their cost declarations; every kind must have one, and no other."""
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
