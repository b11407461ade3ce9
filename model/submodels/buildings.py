"""Buildings (stationary energy): floor area, heating systems, delivered energy and heating emissions.

The yearly protocol of the simulation:

* ``init_state`` builds the 2009 stock from population and the dwelling mix,
  applies the calibration factors to the base-year heating-system shares, and
  fixes the logit constants so that, without policy change, replacements and
  new buildings choose the reference mix;
* ``advance`` moves the stock from year t-1 to t: demolition, renovation, new
  construction into the TEK cohort in force, end-of-life replacement of
  heating systems, and the oil-heating ban;
* ``account`` turns the stock into energy need, delivered energy by carrier
  and on-site emissions of the six heating sources, without changing the state.

Levers (each (D, M) for the current year; absent = neutral value):

* ``oil_heating_ban`` [0, 1], neutral 0: while > 0, oil boilers and paraffin
  stoves are not chosen at replacement or in new buildings, and their share is
  capped at ``(1 - lever)`` times their share when the lever first became > 0;
* ``heat_pump_subsidy_share`` [0, 1], neutral 0: subsidised share of heat-pump investment;
* ``district_heating_access`` (>= 0), neutral 1: multiplies ``exp`` of the
  district-heating choice constant (e.g. connection duty in concession areas);
* ``renovation_rate_multiplier`` (>= 0), neutral 1.

Stock arithmetic lives in :mod:`building_stock`, heating-system arithmetic in
:mod:`heating`, parameter reshaping in :mod:`building_parameters`.
Methods: NVE Energibruksmodell logic (methods.md §3.2-3.3).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import dims
from ..levers import LEVERS
from ..parameters import Params
from . import building_stock as stock
from . import heating
from .building_parameters import Coefficients, coefficients

SOURCES = ("heating_oil", "heating_paraffin", "heating_natural_gas", "heating_lpg",
           "heating_wood", "heating_other")
# Emission source of each fuel carrier (the inventory's "Oppvarming" rows).
SOURCE_CARRIER = {
    "heating_oil": "heating_oil", "heating_paraffin": "paraffin",
    "heating_natural_gas": "natural_gas", "heating_lpg": "lpg", "heating_wood": "wood",
}
# System whose 2009 share each calibration factor scales. Wood is calibrated on
# its emissions per unit of wood instead: the inventory's wood emissions depend
# on the stove stock (old stoves emit several times more CH4 than new ones) as
# much as on the heat share, and scaling the share could need more houses on
# wood than there are (Porsgrunn and Skien imply a factor near 4).
SOURCE_SYSTEM = {
    "heating_oil": heating.OIL_BOILER, "heating_paraffin": heating.PARAFFIN_STOVE,
}
IS_DISTRICT_HEATING = np.arange(heating.N_SYSTEMS) == heating.DISTRICT_HEATING


@dataclass(frozen=True)
class BuildingState:
    """Building stock of every draw and municipality at the end of a year."""

    year: int
    area: np.ndarray                 # (D, M, T, V) floor area [m2]
    renovated: np.ndarray            # (D, M, T, V) part of `area` renovated [m2]
    system_share: np.ndarray         # (D, M, T, H) share of floor area heated by each system [1]
    lpg_share: np.ndarray            # (D, M) share of gas-boiler fuel that is LPG [1]
    other_fossil_factor: np.ndarray  # (D, M) calibration of other fossil use per m2 [1]
    wood_emission_factor: np.ndarray  # (D, M) calibration of CH4 and N2O per unit of wood burnt [1]
    hdd_normal: np.ndarray           # (M,) heating degree days, normal [K d/yr]
    space_need_2009: np.ndarray      # (D, M, T) mean space-heat need of the 2009 stock, local climate [kWh/m2/yr]
    water_need_2009: np.ndarray      # (D, 1, T) hot-water need [kWh/m2/yr]
    replacement_asc: np.ndarray      # (D, M, T, H) logit constants at end-of-life replacement [1]
    new_build_asc: np.ndarray        # (D, 1, T, H) logit constants for new buildings [1]
    ban_reference: np.ndarray        # (D, M, T, H) shares when the oil ban began; NaN before [1]
    new_area: np.ndarray             # (D, M, T) built in `year` [m2/yr]
    demolished_area: np.ndarray      # (D, M, T) demolished in `year` [m2/yr]
    renovated_area: np.ndarray       # (D, M, T) renovated in `year` [m2/yr]
    params: Params                   # the parameter set `coef` was built from
    coef: Coefficients               # parameter arrays shaped for the yearly step


def _coef(state: BuildingState, params: Params) -> Coefficients:
    # Building the coefficient arrays costs more than a whole year's step, so
    # they are kept on the state and rebuilt only for another parameter set.
    return state.coef if params is state.params else coefficients(params)


def _factor(calibration: dict | None, source: str, shape: tuple) -> np.ndarray:
    value = (calibration or {}).get(source, 1.0)
    return np.broadcast_to(np.asarray(value, dtype=float), shape)


def calibrated_shares(shares: np.ndarray, gas_lpg_share: np.ndarray,
                      calibration: dict | None) -> tuple[np.ndarray, np.ndarray]:
    """Scale the base-year system shares by the calibration factors [1].

    oil_boiler and paraffin_stove shares are multiplied by the factors of
    heating_oil and heating_paraffin (heating_wood acts on wood's emission
    factors instead, see ``SOURCE_SYSTEM``); the gas-boiler
    share is split into its natural-gas part ``(1 - lpg)`` and LPG part ``lpg``,
    each scaled by its own factor. The heat moved is taken from (or given to)
    direct_electric, so shares still sum to one and every m2 keeps its heat.

    ``shares`` (D, M, T, H); ``gas_lpg_share`` (M,). Returns the new shares and
    the LPG share of gas-boiler fuel (D, M). Raises ValueError if
    direct_electric would go negative.
    """
    d, m = shares.shape[:2]
    out = shares.copy()
    for source, h in SOURCE_SYSTEM.items():
        out[..., h] *= _factor(calibration, source, (d, m))[..., None]
    gas_natural = (1.0 - gas_lpg_share) * _factor(calibration, "heating_natural_gas", (d, m))
    gas_lpg = gas_lpg_share * _factor(calibration, "heating_lpg", (d, m))
    gas_total = gas_natural + gas_lpg
    out[..., heating.GAS_BOILER] *= gas_total[..., None]
    lpg_share = np.divide(gas_lpg, gas_total, out=np.broadcast_to(gas_lpg_share, (d, m)).copy(),
                          where=gas_total > 0)
    moved = (out - shares).sum(axis=-1)
    out[..., heating.DIRECT_ELECTRIC] -= moved
    short = out[..., heating.DIRECT_ELECTRIC] < -1e-12
    if short.any():
        munis = sorted({int(i) for i in np.nonzero(short)[1]})
        names = [dims.MUNICIPALITIES[i] for i in munis if i < len(dims.MUNICIPALITIES)]
        raise ValueError(
            "heating calibration needs more heat than direct_electric holds in municipality index "
            f"{', '.join(map(str, munis))} ({', '.join(names)}); "
            "lower the heating factors or raise the base-year fossil/wood shares")
    out[..., heating.DIRECT_ELECTRIC] = np.maximum(out[..., heating.DIRECT_ELECTRIC], 0.0)
    return out, lpg_share


def _annual_cost(coef: Coefficients, space_need: np.ndarray, water_need: np.ndarray,
                 heat_pump_subsidy: np.ndarray, price_index: np.ndarray | None = None) -> np.ndarray:
    """Annualised cost per m2 by system; ``price_index`` (D, M, carriers) scales the 2009 carrier
    prices to this year's (prices and taxes as paths), None keeps them."""
    if price_index is None:
        space, water = coef.space_cost, coef.water_cost
    else:
        price = coef.price[:, None, :] * price_index                                   # (D, M, carriers)
        space = np.einsum("dhc,dmc->dmh", coef.space_input, price)
        water = np.einsum("dhc,dmc->dmh", coef.water_input, price)
    return heating.annual_cost(coef.investment, coef.recovery_factor, space, water, space_need, water_need,
                               heat_pump_subsidy)


def init_state(population: np.ndarray, apartment_share: np.ndarray, hdd_normal: np.ndarray,
               gas_lpg_share: np.ndarray, params: Params,
               calibration: dict[str, np.ndarray] | None = None) -> BuildingState:
    """The 2009 building stock [m2] and heating-system shares of every municipality.

    Floor area by type from :func:`building_stock.floor_area_demand`, split over
    cohorts by the 2009 stock shares; the part of each cohort renovated before
    2009 follows the same constant renovation rate as the simulation.
    Calibration (``calibration[source]`` of shape (D, M), missing = 1) scales the
    base-year oil, paraffin, natural-gas, LPG and wood shares (see
    :func:`calibrated_shares`) and, for ``heating_other``, the other fossil fuel
    use per m2 of non-residential floor area; 2009 emissions of each source are
    therefore linear in its factor.
    """
    coef = coefficients(params)
    d, m = population.shape
    demand = stock.floor_area_demand(population, apartment_share, coef.persons_per_dwelling,
                                     coef.m2_per_dwelling, coef.m2_per_capita)
    area = demand[..., None] * coef.stock_share[:, None]
    age = stock.cohort_age(dims.BASE_YEAR, coef.representative_year)
    renovated_share = stock.renovated_share_before_start(
        age[:, None, :], coef.renovation_rate[..., None], coef.renovation_earliest[..., None])
    renovated = area * renovated_share[:, None]

    base_shares = np.broadcast_to(coef.system_share_2009[:, None], (d, m) + coef.system_share_2009.shape[1:])
    shares, lpg_share = calibrated_shares(base_shares, np.asarray(gas_lpg_share, dtype=float), calibration)

    # Mean need per m2 of the 2009 stock of each type: the heat a household
    # weighs when it compares systems; kept fixed so the reference holds still.
    remaining = 1.0 - renovated_share * coef.renovation_reduction[:, None, :]
    # The archetype needs describe the national reference climate; a colder town
    # needs more heat per m2 (Tromsø ~5 050 degree days, Stavanger ~3 450).
    climate = (np.asarray(hdd_normal, dtype=float)[None, :] / params["buildings.hdd_reference"][:, None])
    space_need = (coef.stock_share * coef.space_need * remaining).sum(axis=-1)[:, None, :] * climate[..., None]
    water_need = coef.water_need[:, None, :]
    cost = _annual_cost(coef, space_need, water_need, np.zeros((d, 1)))
    beta = coef.beta[:, None, None, None]
    lifetime = coef.lifetime[:, None, None, :]
    zeros = np.zeros((d, m, len(dims.BUILDING_TYPES)))
    return BuildingState(
        year=dims.BASE_YEAR, area=area, renovated=renovated, system_share=shares,
        lpg_share=lpg_share,
        other_fossil_factor=_factor(calibration, "heating_other", (d, m)).copy(),
        wood_emission_factor=_factor(calibration, "heating_wood", (d, m)).copy(),
        hdd_normal=np.asarray(hdd_normal, dtype=float),
        space_need_2009=space_need, water_need_2009=water_need,
        replacement_asc=heating.reference_constants(
            heating.steady_replacement_probability(shares, lifetime), beta, cost),
        new_build_asc=heating.reference_constants(coef.new_build_share[:, None], beta, cost),
        ban_reference=np.full(shares.shape, np.nan),
        new_area=zeros, demolished_area=zeros, renovated_area=zeros,
        params=params, coef=coef,
    )


def _lever(levers: dict, name: str, shape: tuple) -> np.ndarray:
    """A lever this year, its neutral value (``levers.py``) when the caller left it out."""
    return np.broadcast_to(np.asarray(levers.get(name, LEVERS[name].neutral), dtype=float), shape)


def _convert_early(state: BuildingState, coef: Coefficients, levers: dict, shares: np.ndarray, cost: np.ndarray,
                   shift: np.ndarray, beta: np.ndarray, price_index: np.ndarray | None) -> np.ndarray:
    """Oil and paraffin heating converted before the end of its life (:func:`heating.early_conversion`).

    Keeping costs the running cost of the system; switching costs the annual cost of the systems
    still allowed, weighted by the replacement choice among them, less the annualised grant for
    removing an oil system (lever ``oil_conversion_grant`` [NOK per dwelling], per m2 of a house or
    an apartment; non-residential buildings get none).
    """
    shape = state.lpg_share.shape
    running = _annual_cost(replace(coef, investment=0.0 * coef.investment), state.space_need_2009,
                           state.water_need_2009, np.zeros(shape), price_index)
    targets = ~heating.PHASED_OUT
    choice = heating.choose_heating_systems(cost, state.replacement_asc + shift, beta, targets)
    grant = _lever(levers, "oil_conversion_grant", shape)[..., None] / coef.grant_area[:, None, :]   # (D, M, T)
    annualised = grant[..., None] * coef.recovery_factor[:, None, None, :]                        # NOK/m2/yr
    switch = ((cost - annualised) * choice).sum(axis=-1, keepdims=True)
    return heating.early_conversion(shares, running, switch, beta, coef.review_rate[:, None, None, None], choice)


def _heating_systems(state: BuildingState, coef: Coefficients, levers: dict, remaining: np.ndarray,
                     new: np.ndarray, price_index: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """System shares after replacement, new construction and the oil ban; and the ban reference."""
    shape = state.lpg_share.shape
    ban = _lever(levers, "oil_heating_ban", shape)
    banned = ban > 0
    cost = _annual_cost(coef, state.space_need_2009, state.water_need_2009,
                        _lever(levers, "heat_pump_subsidy_share", shape), price_index)
    with np.errstate(divide="ignore"):
        access = np.log(_lever(levers, "district_heating_access", shape))
    shift = np.where(IS_DISTRICT_HEATING, access[..., None], 0.0)[:, :, None, :]
    allowed = ~(heating.PHASED_OUT & banned[..., None])[:, :, None, :]
    beta = coef.beta[:, None, None, None]

    replacement = heating.choose_heating_systems(cost, state.replacement_asc + shift, beta, allowed)
    shares = heating.replace_at_end_of_life(state.system_share, coef.lifetime[:, None, None, :],
                                            replacement)
    shares = _convert_early(state, coef, levers, shares, cost, shift, beta, price_index)
    if new.any():
        choice_new = heating.choose_heating_systems(cost, state.new_build_asc + shift, beta,
                                                    allowed & ~heating.PHASED_OUT)
        total = remaining + new
        mixed = (shares * remaining[..., None] + choice_new * new[..., None]) / np.where(total > 0, total, 1.0)[..., None]
        shares = np.where((total > 0)[..., None], mixed, shares)

    if not banned.any():
        return shares, state.ban_reference
    first = banned[..., None, None] & np.isnan(state.ban_reference)
    reference = np.where(first, state.system_share, state.ban_reference)
    cap = np.where(banned[..., None, None] & heating.PHASED_OUT,
                   (1.0 - ban)[..., None, None] * reference, np.inf)
    return heating.enforce_cap(shares, cap, replacement), reference


def advance(state: BuildingState, population: np.ndarray, new_apartment_share: np.ndarray,
            levers: dict, params: Params, year: int, price_index: np.ndarray | None = None) -> BuildingState:
    """Move the stock from ``year - 1`` to ``year`` (methods.md §3.2).

    1. demolition: each cohort loses the S-curve share for its age;
    2. renovation: ``rate * renovation_rate_multiplier`` of the not yet renovated
       area of cohorts past the earliest renovation age;
    3. new construction fills the gap to the floor-area demand and joins the
       TEK cohort in force in ``year``;
    4. heating systems: ``1/lifetime`` of each system's area is replaced by the
       logit choice, new area takes the new-build choice, and while
       ``oil_heating_ban > 0`` oil and paraffin are neither chosen nor allowed
       above ``(1 - ban)`` times their share in the ban's first year.

    ``population`` and ``new_apartment_share`` are (D, M); ``levers`` as in the
    module docstring, each (D, M), absent = neutral; ``price_index`` (D, M, carriers) this
    year's carrier prices relative to 2009 (None: 2009 prices).
    """
    coef = _coef(state, params)
    shape = state.lpg_share.shape
    age = stock.cohort_age(year, coef.representative_year)[:, None, :]
    demolition = stock.demolition_share(
        age, coef.demolition_mean[..., None], coef.demolition_scale[..., None],
        coef.demolition_earliest[..., None], coef.never_demolished[:, None, None])[:, None]
    demolished = state.area * demolition
    area = state.area - demolished
    renovated = state.renovated * (1.0 - demolition)

    eligible = age >= coef.renovation_earliest[..., None]
    rate = np.minimum(coef.renovation_rate[:, None, :, None]
                      * _lever(levers, "renovation_rate_multiplier", shape)[..., None, None], 1.0)
    newly_renovated = (area - renovated) * rate * eligible[:, None]
    renovated = renovated + newly_renovated

    remaining = area.sum(axis=-1)
    new = stock.new_construction(population, new_apartment_share, remaining, coef.persons_per_dwelling,
                                 coef.m2_per_dwelling, coef.m2_per_capita)
    area[..., stock.cohort_in_force(year, coef.start_years)] += new

    shares, ban_reference = _heating_systems(state, coef, levers, remaining, new, price_index)
    return replace(state, year=year, area=area, renovated=renovated, system_share=shares,
                   ban_reference=ban_reference, new_area=new, demolished_area=demolished.sum(axis=-1),
                   renovated_area=newly_renovated.sum(axis=-1))


def account(state: BuildingState, hdd: np.ndarray, levers: dict, params: Params, year: int) -> dict:
    """Energy need, delivered energy and emissions of the stock in ``state`` for ``year``.

    Space-heating need is scaled by ``hdd / hdd_reference``: the archetype needs
    hold for the national reference climate, so a municipality's normal degree days
    set its level and a year's actual degree days its weather (SSB/Enova climate
    correction); hot water and electric-specific use are not. Delivered energy
    per carrier follows the heating-system shares and their load splits and
    efficiencies (:func:`heating.delivered_energy`); emissions are on-site
    combustion only (territorial), as gas masses per source over ``dims.GASES``:
    heating_oil, heating_paraffin, heating_natural_gas, heating_lpg and
    heating_wood from the fuels burnt; heating_other from other fossil fuel use
    per m2 of non-residential floor area. ``levers`` act through ``advance``
    only. Returns arrays as listed in the keys below, units in the comments.
    """
    coef = _coef(state, params)
    hdd_ratio = np.asarray(hdd, dtype=float) / params["buildings.hdd_reference"][:, None]
    floor_area = state.area.sum(axis=-1)
    space = stock.space_heating_need(state.area, state.renovated, coef.space_need[:, None],
                                     coef.renovation_reduction[:, None, None, :], hdd_ratio)
    water = floor_area * coef.water_need[:, None, :] / stock.KWH_PER_GWH
    electric = floor_area * coef.electric_need[:, None, :] / stock.KWH_PER_GWH
    by_type = heating.delivered_energy(space, water, electric, state.system_share, coef.space_input,
                                       coef.water_input, state.lpg_share)
    delivered = by_type.sum(axis=2)
    fuel_emissions = heating.combustion_emissions(delivered, coef.ef_co2[:, None], coef.ef_ch4[:, None],
                                                  coef.ef_n2o[:, None])
    emissions = {source: fuel_emissions[:, :, dims.CARRIERS.index(carrier)]
                 for source, carrier in SOURCE_CARRIER.items()}
    emissions["heating_wood"] = emissions["heating_wood"] * state.wood_emission_factor[..., None]
    other_area = floor_area[..., stock.NON_RESIDENTIAL] * state.other_fossil_factor
    other = other_area[..., None] * coef.other_fossil[:, None, :] * heating.T_PER_KG
    emissions["heating_other"] = np.concatenate([other, np.zeros_like(other[..., :1])], axis=-1)
    return {
        "emissions": emissions,                                   # {source: (D, M, 4)} [t/yr]
        "floor_area": floor_area,                                 # (D, M, T) [m2]
        "floor_area_by_period": state.area,                       # (D, M, T, V) [m2]
        "heating_system_share": state.system_share,               # (D, M, T, H) [1]
        "energy_need": space + water + electric,                  # (D, M, T) [GWh/yr]
        "space_heating_need": space,                              # (D, M, T) [GWh/yr]
        "delivered_energy": delivered,                            # (D, M, C) [GWh/yr]
        "district_heat_demand": delivered[..., dims.CARRIERS.index("district_heat")],  # (D, M) [GWh/yr]
        "new_floor_area": state.new_area,                         # (D, M, T) [m2/yr]
        "demolished_floor_area": state.demolished_area,           # (D, M, T) [m2/yr]
        "renovated_floor_area": state.renovated_area,             # (D, M, T) [m2/yr]
    }


def price_index(ctx) -> np.ndarray:
    """This year's carrier prices relative to 2009, ``(D, M, carriers)`` [1]: electricity incl. grid,
    taxes and VAT; heating oil and paraffin with this year's CO2 and base taxes (the levers), both
    from the price paths (``prices.py``); the other carriers held at their 2009 real price.

    Heating oil is gas oil: its carbon is taken as that of road diesel (``transport.co2_per_litre.diesel``).
    """
    from .. import prices

    p, k = ctx.params, ctx.k
    d, m = ctx.population.shape
    index = np.ones((d, m, len(dims.CARRIERS)))
    kg = p["transport.co2_per_litre.diesel"]
    oil_now = prices.heating_oil_consumer_price(ctx.prices, k, ctx.levers["base_tax_heating_oil"],
                                                ctx.levers["co2_tax_heating_oil_nok_per_t"], kg)
    oil_2009 = prices.heating_oil_consumer_price(ctx.prices, 0, ctx.base_levers["base_tax_heating_oil"],
                                                 ctx.base_levers["co2_tax_heating_oil_nok_per_t"], kg)
    for carrier in ("heating_oil", "paraffin"):
        index[..., dims.CARRIERS.index(carrier)] = oil_now / oil_2009
    electricity = prices.electricity_consumer_price(ctx.prices, k) / prices.electricity_consumer_price(ctx.prices, 0)
    index[..., dims.CARRIERS.index("electricity")] = electricity[:, None]
    return index


class Buildings:
    """Buildings in the simulation's protocol (``submodels/__init__.py``)."""

    name, decided_by, emits = "buildings", None, True

    def init_state(self, ctx) -> BuildingState:
        from . import land_use

        inp, p = ctx.inputs, ctx.params
        zone_share = np.broadcast_to(inp.zone_share, (p.n_draws,) + inp.zone_share.shape)
        apartment = land_use.apartment_share(zone_share, land_use.zone_vector(p, "land_use.stock_apartment_share"))
        return init_state(ctx.population, apartment, inp.hdd_normal, inp.gas_lpg_share, p, ctx.factors)

    def advance(self, state: BuildingState, ctx) -> BuildingState:
        return advance(state, ctx.population, ctx.outputs["land_use"]["new_dwelling_apartment_share"],
                       ctx.levers, ctx.params, ctx.year, price_index(ctx))

    def account(self, state: BuildingState, ctx) -> dict:
        return account(state, ctx.hdd, ctx.levers, ctx.params, ctx.year)


SUBMODEL = Buildings()
