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

The space-heating need is the engineering need times the heat service's price response (the direct rebound,
:func:`building_measures.heat_service_demand`), for each heating system: set in ``advance`` from the year's
prices and stock, applied in ``account`` to the heat each system delivers.

Levers (each (D, M) for the current year; absent = neutral value):

* ``oil_heating_ban`` [0, 1], neutral 0: while > 0, oil boilers and paraffin
  stoves are not chosen at replacement or in new buildings, and their share is
  capped at ``(1 - lever)`` times their share when the lever first became > 0 (or when the ban was
  adopted, below);
* ``oil_heating_ban_lead`` [yr], neutral 0: the ban scheduled on ``oil_heating_ban`` is adopted, this long
  before it takes effect; the area it will remove converts evenly over that time
  (:func:`heating_shares.converted_ahead_of_ban`);
* ``oil_heating_ban_foresight`` [0, 1], neutral 0: that share of the owners replacing a system expect
  the ban scheduled on ``oil_heating_ban`` and recover a new oil boiler or paraffin stove over the years
  left until it (:func:`heating_choice.foreseen_capital`);
* ``new_build_fossil_heating_ban`` [0, 1], neutral 0: that share of the area built this year is built under
  the building code's ban on fossil heating and chooses no gas boiler (:func:`heating_shares.new_build_choice`);
* ``heat_pump_subsidy_share`` [0, 1], neutral 0: subsidised share of heat-pump investment;
* ``district_heating_access`` (>= 0), neutral 1: multiplies ``exp`` of the
  district-heating choice constant (e.g. connection duty in concession areas);
* ``renovation_rate_multiplier`` (>= 0), neutral 1;
* ``heat_pump_grant`` [NOK/dwelling], neutral 0: spread over the dwelling's floor area, it adds to the
  subsidised share of heat-pump investment of houses and apartments;
* ``new_build_space_heat_need`` [kWh/m2/yr] by building type, neutral 100 (no requirement): caps the
  calculated space-heat need of the area built this year (energy standard of new build);
* ``deep_renovation_share`` [0, 1], neutral 0, and ``deep_renovation_reduction`` [1], neutral 0.6:
  that share of this year's renovations of cohorts up to TEK10 cuts space heat by the deep reduction
  instead of ``buildings.renovation.reduction``;
* ``solar_pv_new_build_share`` and ``solar_pv_existing_share`` [0, 1], neutral 0: floor area with
  rooftop PV (new build, and at least this share of the stock; PV stays once installed);
* ``municipal_energy_saving`` [0, 1], neutral 0: share of the energy need of the municipal part of
  non-residential floor area saved (energy performance contracting) while in force;
* ``wood_stove_old_replaced`` [0, 1], neutral 0: share of the old stoves still in use replaced by
  clean-burning ones (kept once reached), beyond those renewed at the end of their life
  (:func:`building_measures.old_stove_share`).

Every lever is read in ``advance``; ``account`` reads only the state.

Stock arithmetic lives in :mod:`building_stock`, heating-system arithmetic in
:mod:`heating`, the yearly choice of heating systems in :mod:`heating_choice`, parameter
reshaping (and reading the levers) in :mod:`building_parameters`, what the measures do to the stock (deep
renovation, energy standards of new build, rooftop PV, old wood stoves) in :mod:`building_measures`, the calibration
factors applied
to the base-year heating-system shares in :mod:`heating_calibration`, and the yearly inputs read
from the simulation context (carrier prices, years until the ban) in :mod:`building_inputs`.
Methods: NVE Energibruksmodell logic (methods.md §3.2-3.3).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import dims
from ..parameters import Params
from . import building_stock as stock
from . import building_inputs, heating, heating_calibration, heating_shares
from . import building_measures as measures
from .building_measures import old_stove_share, wood_ch4_factor
from .building_parameters import Coefficients, coefficients, draws_fastest, lever
from .heating_choice import annual_cost, fuel_costs, heating_systems

SOURCES = ("heating_oil", "heating_paraffin", "heating_natural_gas", "heating_lpg",
           "heating_wood", "heating_other")
# Emission source of each fuel carrier (the inventory's "Oppvarming" rows).
SOURCE_CARRIER = {
    "heating_oil": "heating_oil", "heating_paraffin": "paraffin",
    "heating_natural_gas": "natural_gas", "heating_lpg": "lpg", "heating_wood": "wood",
}
# Cohorts a deep renovation can reach: those with the ordinary renovation cut (up to TEK10);
# TEK17 and TEK21 are built near today's standard (TABULA's "advanced" refurbishment is for the old stock).
ELECTRICITY = dims.CARRIERS.index("electricity")
CH4 = dims.GASES.index("ch4")


@dataclass(frozen=True)
class BuildingState:
    """Building stock of every draw and municipality at the end of a year.

    The arrays are stored draws fastest (:func:`building_parameters.draws_fastest`): every yearly
    step then runs along contiguous draws, and a system's or cohort's slab is contiguous.
    """

    year: int
    area: np.ndarray                 # (D, M, T, V) floor area [m2]
    renovated: np.ndarray            # (D, M, T, V) part of `area` renovated [m2]
    system_share: np.ndarray         # (D, M, T, H) share of floor area heated by each system [1]
    need_share: np.ndarray           # (D, M, T, H) share of the space-heat need it heats [1] (efficient new build:
    #                                  less than its area's share; the 2009 shares are both)
    lpg_share: np.ndarray            # (D, M) share of gas-boiler fuel that is LPG [1]
    other_fossil_factor: np.ndarray  # (D, M) calibration of other fossil use per m2 [1]
    wood_emission_factor: np.ndarray  # (D, M) calibration of CH4 and N2O per unit of wood burnt [1]
    hdd_normal: np.ndarray           # (M,) heating degree days, normal [K d/yr]
    space_need_2009: np.ndarray      # (D, M, T) mean space-heat need of the 2009 stock, local climate [kWh/m2/yr]
    water_need_2009: np.ndarray      # (D, 1, T) hot-water need [kWh/m2/yr]
    replacement_asc: np.ndarray      # (D, M, T, H) logit constants at end-of-life replacement [1]
    new_build_asc: np.ndarray        # (D, 1, T, H) logit constants for new buildings [1]
    ban_reference: np.ndarray        # (D, M, T, H) shares when the oil ban began; NaN before [1]
    need_ban_reference: np.ndarray   # (D, M, T, H) need shares then; NaN before [1]
    need_factor: np.ndarray          # (D, M, T, V) cohort's mean space-heat need over its archetype [1]
    deep_saving: np.ndarray          # (D, M, T, V) area-equivalent saved by deep renovation beyond `red` [m2]
    pv_area: np.ndarray              # (D, M, T, V) part of `area` with rooftop solar PV [m2]
    municipal_saving: np.ndarray     # (D, M) share of municipal non-residential energy need saved [1]
    wood_renewed: np.ndarray         # (D, M) share of the old stoves in use that a measure replaced [1]
    cohort_need_2009: np.ndarray     # (D, M, T, V) engineering space-heat need per m2 of each cohort in 2009, or its
    #                                  archetype's for a cohort without area then [kWh/m2/yr] (reference climate)
    service_factor: np.ndarray | None  # (D, M, T, H) space heat over its engineering value by system [1]; None: 1
    new_area: np.ndarray             # (D, M, T) built in `year` [m2/yr]
    demolished_area: np.ndarray      # (D, M, T) demolished in `year` [m2/yr]
    renovated_area: np.ndarray       # (D, M, T) renovated in `year` [m2/yr]
    params: Params                   # the parameter set `coef` was built from
    coef: Coefficients               # parameter arrays shaped for the yearly step
    # Whether a measure has acted yet; until then its array holds its neutral value throughout, and
    # the steps that would read it whole to find out are skipped.
    deep_renovated: bool = False     # else deep_saving is zero
    standard_built: bool = False     # else need_factor is one
    pv_installed: bool = False       # else pv_area is zero


def _coef(state: BuildingState, params: Params) -> Coefficients:
    # Building the coefficient arrays costs more than a whole year's step, so
    # they are kept on the state and rebuilt only for another parameter set.
    return state.coef if params is state.params else coefficients(params)


def init_state(population: np.ndarray, apartment_share: np.ndarray, hdd_normal: np.ndarray,
               gas_lpg_share: np.ndarray, params: Params,
               calibration: dict[str, np.ndarray] | None = None) -> BuildingState:
    """The 2009 building stock [m2] and heating-system shares of every municipality.

    Floor area by type from :func:`building_stock.floor_area_demand`, split over
    cohorts by the 2009 stock shares; the part of each cohort renovated before
    2009 follows the same constant renovation rate as the simulation.
    Calibration (``calibration[source]`` of shape (D, M), missing = 1) scales the
    base-year oil, paraffin, natural-gas, LPG and wood shares (see
    :func:`heating_calibration.calibrated_shares`) and, for ``heating_other``, the other fossil fuel
    use per m2 of non-residential floor area; 2009 emissions of each source are
    therefore linear in its factor.
    """
    coef = coefficients(params)
    d, m = population.shape
    demand = draws_fastest(stock.floor_area_demand(population, apartment_share, coef.persons_per_dwelling,
                                                   coef.m2_per_dwelling, coef.m2_per_capita))
    area = demand[..., None] * coef.stock_share[:, None]
    age = stock.cohort_age(dims.BASE_YEAR, coef.representative_year)
    renovated_share = draws_fastest(stock.renovated_share_before_start(
        age[:, None, :], coef.renovation_rate[..., None], coef.renovation_earliest[..., None]))
    renovated = area * renovated_share[:, None]

    # Mean need per m2 of the 2009 stock of each type: the heat a household
    # weighs when it compares systems; kept fixed so the reference holds still.
    remaining = 1.0 - renovated_share * coef.renovation_reduction[:, None, :]
    # The archetype needs describe the national reference climate; a colder town
    # needs more heat per m2 (Tromsø ~5 050 degree days, Stavanger ~3 450).
    climate = (np.asarray(hdd_normal, dtype=float)[None, :] / params["buildings.hdd_reference"][:, None])
    space_need = stock.over_cohorts(coef.stock_share * coef.space_need * remaining)[:, None, :] * climate[..., None]
    water_need = coef.water_need[:, None, :]
    zeros = np.zeros((d, m, len(dims.BUILDING_TYPES)), order="F")
    area, renovated = draws_fastest(area), draws_fastest(renovated)
    uncalibrated = BuildingState(
        year=dims.BASE_YEAR, area=area, renovated=renovated,
        # set by calibrated():
        system_share=None, need_share=None, lpg_share=None, other_fossil_factor=None, wood_emission_factor=None,
        hdd_normal=np.asarray(hdd_normal, dtype=float),
        space_need_2009=draws_fastest(space_need), water_need_2009=draws_fastest(water_need),
        replacement_asc=None, new_build_asc=None,
        ban_reference=np.full((d, m) + coef.system_share_2009.shape[1:], np.nan, order="F"),
        need_ban_reference=np.full((d, m) + coef.system_share_2009.shape[1:], np.nan, order="F"),
        need_factor=np.ones_like(area), deep_saving=np.zeros_like(area), pv_area=np.zeros_like(area),
        municipal_saving=np.zeros((d, m), order="F"), wood_renewed=np.zeros((d, m), order="F"),
        cohort_need_2009=engineering_need(area, renovated, coef)[0], service_factor=None,
        new_area=zeros, demolished_area=zeros, renovated_area=zeros,
        params=params, coef=coef,
    )
    return calibrated(uncalibrated, gas_lpg_share, calibration)


def calibrated(state: BuildingState, gas_lpg_share: np.ndarray,
               calibration: dict[str, np.ndarray] | None) -> BuildingState:
    """A 2009 state of :func:`init_state` with the calibration factors ``calibration`` instead of its own:
    equal to ``init_state`` with them. The factors set the heating-system shares
    (:func:`heating_calibration.calibrated_shares`), the constants of the replacement choice that keep them,
    and the factors of other fossil fuel and of wood; the stock and its heat needs do not depend on them and
    are kept."""
    coef = state.coef
    d, m = state.area.shape[:2]
    base_shares = np.broadcast_to(coef.system_share_2009[:, None], (d, m) + coef.system_share_2009.shape[1:])
    shares, lpg_share = heating_calibration.calibrated_shares(base_shares, np.asarray(gas_lpg_share, dtype=float),
                                                              calibration)
    cost = annual_cost(coef, state.space_need_2009, state.water_need_2009, np.zeros((d, 1)))
    beta = coef.beta[:, None, None, None]
    lifetime = coef.lifetime[:, None, None, :]
    return replace(
        state, system_share=draws_fastest(shares), need_share=draws_fastest(shares), lpg_share=draws_fastest(lpg_share),
        other_fossil_factor=draws_fastest(heating_calibration.factor(calibration, "heating_other", (d, m))),
        wood_emission_factor=draws_fastest(heating_calibration.factor(calibration, "heating_wood", (d, m))),
        replacement_asc=draws_fastest(heating_shares.reference_constants(
            heating_shares.steady_replacement_probability(shares, lifetime), beta, cost)),
        new_build_asc=draws_fastest(heating_shares.reference_constants(coef.new_build_share[:, None], beta, cost)))


def engineering_need(area: np.ndarray, renovated: np.ndarray, coef: Coefficients,
                     need_factor: np.ndarray | float = 1.0, deep_saving: np.ndarray | float = 0.0
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Engineering space-heat need of each construction cohort in the reference climate, with its measures (need
    factors, deep-renovation savings) and no degree-day scaling (the terms of
    :func:`building_stock.space_heating_need`): per m2 [kWh/m2/yr] (the archetype's where a cohort has no area)
    and in all [kWh/yr], both (D, M, T, V); the need of the price of the heat service
    (:func:`.building_measures.heat_service_demand`)."""
    total = stock.cohort_space_need(area, renovated, coef.space_need[:, None],
                                    coef.renovation_reduction[:, None, None, :], need_factor, deep_saving)   # [kWh/yr]
    archetype = np.broadcast_to(coef.space_need[:, None] * need_factor, total.shape)
    per_m2 = np.divide(total, area, out=np.array(archetype, order="F"), where=area > 0)
    return per_m2, total


def advance(state: BuildingState, population: np.ndarray, new_apartment_share: np.ndarray,
            levers: dict, params: Params, year: int, price_index: np.ndarray | None = None,
            ban_ahead: np.ndarray | None = None,
            ban_schedule: tuple[np.ndarray, np.ndarray] | None = None) -> BuildingState:
    """Move the stock from ``year - 1`` to ``year`` (methods.md §3.2).

    1. demolition: each cohort loses the S-curve share for its age;
    2. renovation: ``rate * renovation_rate_multiplier`` of the not yet renovated
       area of cohorts past the earliest renovation age;
    3. new construction fills the gap to the floor-area demand and joins the
       TEK cohort in force in ``year``;
    4. heating systems: ``1/lifetime`` of each system's area is replaced by the
       logit choice, new area takes the new-build choice, and while
       ``oil_heating_ban > 0`` oil and paraffin are neither chosen nor allowed
       above ``(1 - ban)`` times their share in the ban's first year
       (:func:`heating_choice.heating_systems`).

    ``population`` and ``new_apartment_share`` are (D, M); ``levers`` as in the
    module docstring, each (D, M), absent = neutral; ``price_index`` (D, M, carriers) this
    year's carrier prices relative to 2009 (None: 2009 prices); ``ban_ahead`` (D, M) [yr] the years
    until the scheduled ban, for the owners who foresee it (``oil_heating_ban_foresight``; None: none);
    ``ban_schedule`` (years until the ban, its strength in its first year), both (D, M), where an adopted ban is
    known (``oil_heating_ban_lead``; None: none), for the conversions ahead of it.
    """
    coef = _coef(state, params)
    shape = state.lpg_share.shape
    population, new_apartment_share = draws_fastest(population), draws_fastest(new_apartment_share)
    age = stock.cohort_age(year, coef.representative_year)[:, None, :]
    demolition = draws_fastest(stock.demolition_share(
        age, coef.demolition_mean[..., None], coef.demolition_scale[..., None],
        coef.demolition_earliest[..., None], coef.never_demolished[:, None, None]))[:, None]
    eligible = draws_fastest(age >= coef.renovation_earliest[..., None]).astype(float)   # 1 past the earliest age
    rate = np.minimum(coef.renovation_rate[:, None, :, None]
                      * lever(levers, "renovation_rate_multiplier", shape)[..., None, None], 1.0)
    area, renovated, newly_renovated, demolished = stock.turnover(state.area, state.renovated, demolition, rate,
                                                                  eligible[:, None])
    deep_saving = measures.deep_saving(state, coef, levers, shape, demolition, newly_renovated)

    remaining = stock.over_cohorts(area)
    new = draws_fastest(stock.new_construction(population, new_apartment_share, remaining,
                                               coef.persons_per_dwelling, coef.m2_per_dwelling, coef.m2_per_capita))
    v = stock.cohort_in_force(year, coef.start_years)
    new_factor = measures.new_build_factor(coef, levers, shape, v)   # an energy standard's on this year's new build
    need_factor = measures.need_factor(state, new_factor, area[..., v], new, v)
    pv_area = measures.pv_area(state, levers, shape, area, demolition, new, v)
    area[..., v] += new

    deep_renovated = state.deep_renovated or deep_saving is not state.deep_saving
    standard_built = state.standard_built or need_factor is not state.need_factor
    need, weight = engineering_need(area, renovated, coef, need_factor if standard_built else 1.0,
                                    deep_saving if deep_renovated else 0.0)
    # The need the new build adds, at its own factor, and the need of the stock it joins
    new_need = new * coef.space_need[:, None, :, v] * new_factor
    fuel_cost = fuel_costs(coef, price_index)     # per kWh of need by system: for the choice and the heat service
    shares, ban_reference, need_shares, need_ban_reference = heating_systems(
        state, coef, levers, remaining, new, fuel_cost, (stock.over_cohorts(weight) - new_need, new_need),
        ban_ahead, ban_schedule)
    # The rebound: the heat service of each heating system answers this year's price of warmth per m2, its cost
    # per kWh of space heat times the engineering need per m2, against 2009's.
    cost = fuel_cost[0]                                                                      # (D, H) or (D, M, H)
    service_factor = measures.heat_service_demand(
        (cost[:, None] if cost.ndim == 2 else cost)[:, :, None, :], coef.space_cost[:, None, None, :],
        need, state.cohort_need_2009, weight, coef.heat_service_elasticity[:, None, None])
    # The measure helpers hand back the array carried over as long as the measure has not acted.
    return replace(state, year=year, area=area, renovated=renovated, system_share=shares, need_share=need_shares,
                   ban_reference=ban_reference, need_ban_reference=need_ban_reference, need_factor=need_factor,
                   deep_saving=deep_saving, pv_area=pv_area,
                   deep_renovated=deep_renovated, standard_built=standard_built, service_factor=service_factor,
                   pv_installed=state.pv_installed or pv_area is not state.pv_area,
                   municipal_saving=lever(levers, "municipal_energy_saving", shape).copy(),
                   wood_renewed=np.maximum(state.wood_renewed, lever(levers, "wood_stove_old_replaced", shape)),
                   new_area=new, demolished_area=demolished,
                   renovated_area=stock.over_cohorts(newly_renovated))


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
    per m2 of non-residential floor area. The space heat each system delivers is its share of the engineering
    need (``need_share``, not its share of the area: new build needs less per m2) times the system's heat-service
    price response of ``advance`` (``state.service_factor``, the direct rebound; 1 in 2009), and
    ``space_heating_need`` their sum. The measures' state enters here: cohorts' need factors and deep-renovation
    savings in the space need (:func:`building_stock.space_heating_need`); the municipal energy saving on the
    non-residential need and its other fossil use; rooftop PV output, subtracted from each
    building type's delivered electricity (net, never below zero); old wood stoves renewed at the end of
    their life and by a measure in the wood CH4 (:func:`.building_measures.old_stove_share`,
    :func:`.building_measures.wood_ch4_factor`).
    ``levers`` act through ``advance`` only. Returns arrays
    as listed in the keys below, units in the comments.
    """
    coef = _coef(state, params)
    hdd_ratio = draws_fastest(np.asarray(hdd, dtype=float) / params["buildings.hdd_reference"][:, None])
    floor_area = stock.over_cohorts(state.area)
    space = stock.space_heating_need(state.area, state.renovated, coef.space_need[:, None],
                                     coef.renovation_reduction[:, None, None, :], hdd_ratio,
                                     state.need_factor if state.standard_built else 1.0,
                                     state.deep_saving if state.deep_renovated else 0.0)
    water = floor_area * coef.water_need[:, None, :] / stock.KWH_PER_GWH
    electric = floor_area * coef.electric_need[:, None, :] / stock.KWH_PER_GWH
    kept = 1.0
    if state.municipal_saving.any():
        # energy management in municipal buildings: their share of non-residential need falls
        kept = np.ones(space.shape)
        kept[..., stock.NON_RESIDENTIAL] = 1.0 - coef.municipal_share[:, None] * state.municipal_saving
        space, water, electric = space * kept, water * kept, electric * kept
    # Delivered energy works in C order (carriers last and contiguous), as its matrix products give it;
    # the shares in C order are also the output.
    shares = np.ascontiguousarray(state.system_share)
    # The space heat each system delivers: its share of the need (not of the area: new build needs less per m2) and
    # the heat service's price response (None in 2009: the engineering need, whose shares are the area's)
    served = None if state.service_factor is None else np.ascontiguousarray(state.need_share) * state.service_factor
    by_type = heating.delivered_energy(space, water, electric, shares, coef.space_input, coef.water_input,
                                       state.lpg_share, space_shares=served)
    if served is not None:
        space = space * served.sum(axis=-1)       # the need the systems meet, the rebound included
    pv = measures.solar_pv(state, coef)
    if pv is not None:
        # net delivered electricity: PV output offsets what the building draws from the grid over the year
        by_type[..., ELECTRICITY] -= np.minimum(pv, by_type[..., ELECTRICITY])
    # Sum over building types in turn (numpy's order); slab by slab, as numpy sums a middle axis slowly.
    delivered = by_type[:, :, 0]
    for t in range(1, by_type.shape[2]):
        delivered = delivered + by_type[:, :, t]
    delivered = draws_fastest(delivered)      # for the emission factors over draws below
    fuel_emissions = heating.combustion_emissions(delivered, coef.ef_co2[:, None], coef.ef_ch4[:, None],
                                                  coef.ef_n2o[:, None])
    emissions = {source: fuel_emissions[:, :, dims.CARRIERS.index(carrier)]
                 for source, carrier in SOURCE_CARRIER.items()}
    emissions["heating_wood"] = emissions["heating_wood"] * state.wood_emission_factor[..., None]
    if year > dims.BASE_YEAR or state.wood_renewed.any():
        left = old_stove_share(year - dims.BASE_YEAR, coef.lifetime[:, heating.WOOD_STOVE, None], state.wood_renewed)
        emissions["heating_wood"][..., CH4] *= wood_ch4_factor(1.0 - left, coef.wood_old_share[:, None],
                                                               coef.wood_ch4_ratio[:, None])
    other_area = floor_area[..., stock.NON_RESIDENTIAL] * state.other_fossil_factor
    if state.municipal_saving.any():
        other_area = other_area * kept[..., stock.NON_RESIDENTIAL]
    other = other_area[..., None] * coef.other_fossil[:, None, :] * heating.T_PER_KG
    emissions["heating_other"] = np.concatenate([other, np.zeros_like(other[..., :1])], axis=-1)
    return {
        "emissions": emissions,                                   # {source: (D, M, 4)} [t/yr]
        "floor_area": floor_area,                                 # (D, M, T) [m2]
        "floor_area_by_period": state.area,                       # (D, M, T, V) [m2]
        "heating_system_share": shares,                           # (D, M, T, H) [1]
        "energy_need": space + water + electric,                  # (D, M, T) [GWh/yr]
        "space_heating_need": space,                              # (D, M, T) [GWh/yr]
        "delivered_energy": delivered,                            # (D, M, C) [GWh/yr]
        "district_heat_demand": delivered[..., dims.CARRIERS.index("district_heat")],  # (D, M) [GWh/yr]
        "new_floor_area": state.new_area,                         # (D, M, T) [m2/yr]
        "demolished_floor_area": state.demolished_area,           # (D, M, T) [m2/yr]
        "renovated_floor_area": state.renovated_area,             # (D, M, T) [m2/yr]
        "solar_pv_generation": np.zeros(space.shape) if pv is None else pv,   # (D, M, T) [GWh/yr]
    }


class Buildings:
    """Buildings in the simulation's protocol (``submodels/__init__.py``)."""

    name, decided_by, emits = "buildings", None, True

    def init_state(self, ctx) -> BuildingState:
        from . import land_use

        inp, p = ctx.inputs, ctx.params
        zone_share = np.broadcast_to(inp.zone_share, (p.n_draws,) + inp.zone_share.shape)
        apartment = land_use.apartment_share(zone_share, land_use.zone_vector(p, "land_use.stock_apartment_share"))
        return init_state(ctx.population, apartment, inp.hdd_normal, inp.gas_lpg_share, p, ctx.factors)

    def calibrated(self, bottom_up: BuildingState, ctx) -> BuildingState:
        return calibrated(bottom_up, ctx.inputs.gas_lpg_share, ctx.factors)

    def advance(self, state: BuildingState, ctx) -> BuildingState:
        return advance(state, ctx.population, ctx.outputs["land_use"]["new_dwelling_apartment_share"],
                       ctx.levers, ctx.params, ctx.year, building_inputs.price_index(ctx),
                       building_inputs.ban_ahead(ctx), building_inputs.ban_schedule(ctx))

    def account(self, state: BuildingState, ctx) -> dict:
        return account(state, ctx.hdd, ctx.levers, ctx.params, ctx.year)


SUBMODEL = Buildings()
