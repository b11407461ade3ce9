"""What the buildings kinds cost: each kind's declaration (``COSTS`` at the end, attached to the kinds in
``buildings.py``) and the quantities the items read: the heating systems installed, the grants paid for heat pumps and
for leaving oil heating, and the outlays on passive-house new build, rooftop PV and new wood stoves.
Conventions: ``costing.py``.

Costed kinds: oil_conversion_grant, oil_heating_ban, new_build_fossil_heating_ban,
new_build_standard, heat_pump_subsidy, district_heating_expansion, solar_pv and wood_stove_renewal.
"""

from __future__ import annotations

import numpy as np

from .. import dims
from ..parameters import Params
from . import costing
from .base import CostItem, Costs
from .costing import RunView, difference, first_differences, money, param, purchases

PASSIVE_HOUSE_KWH = 15.0    # [kWh/m2/yr] NS 3700:2013 space-heat need, the level the extra cost refers to
RESIDENTIAL = ("house", "apartment")


# ---------------------------------------------------------------- heating systems

def heating_capital_cost(view: RunView, rate) -> np.ndarray:
    """Capital cost of the heating systems installed since the first year [real 2009 NOK/yr] ``(T, D, M)``: each
    year's installations of each system (:func:`installed`) x ``buildings.investment.<system>`` [NOK/m2], spread
    over ``buildings.lifetime.<system>`` from the year bought (``costing.annualise``).

    A system retired before its life's end goes on costing its annuity to the end (the capital is spent), and its
    successor's starts when it is bought, so scrapping a working oil boiler early costs what the successor bought
    years ahead costs, not a saving. (Valued as the annuity of the area in place each year, the item had counted an
    oil boiler scrapped under the ban as capital no longer paid: the oil ban's heating systems were a saving of
    156 MNOK.) The systems in place in the first year are sunk, the same in the run and its base."""
    p = view.params
    rec = view.record
    invest = p.vector("buildings.investment", dims.HEATING_SYSTEMS)                    # (D, H)
    life = p.vector("buildings.lifetime", dims.HEATING_SYSTEMS)                        # (D, H)
    area = (rec["floor_area"][..., None] * rec["heating_system_share"]).sum(axis=-2)   # (T, D, M, H)
    # whole years, as annualise counts a life: the end-of-life area and the annuity's years agree
    bought = installed(area, costing.whole_years(life)[None, :, None, :]) * invest[None, :, None, :]   # (T, D, M, H)
    return sum(costing.annualise(bought[..., h], rate, life[:, h]) for h in range(len(dims.HEATING_SYSTEMS)))


def installed(area: np.ndarray, life) -> np.ndarray:
    """Area of each heating system installed each year [m2/yr] ``(T, ...)``: its net change plus the area whose
    life ended, ``max(A(t) - A(t-1) + A(t-1) / life, 0)``, 0 in the first year. Unlike ``costing.purchases``, a
    system whose area falls by more than its end of life (owners switching away, a ban) is not bought again:
    the area leaving it is installed as its successors' growth."""
    out = np.zeros_like(area)
    out[1:] = np.maximum(area[1:] - area[:-1] + area[:-1] / life, 0.0)
    return out


def heating_item() -> CostItem:
    return difference(
        "heating_systems", "resource", "users",
        "change in the capital cost of the heating systems installed from the first year: each system's "
        "installations (net change of its area plus the area at the end of its life, at least 0) x "
        "buildings.investment.<system> [NOK/m2], annualised over buildings.lifetime.<system> from the year bought "
        "(a system scrapped early goes on costing to its life's end)",
        heating_capital_cost)


def _system_area(view: RunView, systems: tuple[str, ...], types=dims.BUILDING_TYPES) -> np.ndarray:
    """Floor area heated by ``systems`` in building ``types`` [m2], ``(T, D, M, len(types))``."""
    rec = view.record
    b = [dims.BUILDING_TYPES.index(x) for x in types]
    h = [dims.HEATING_SYSTEMS.index(x) for x in systems]
    return rec["floor_area"][..., b] * rec["heating_system_share"][..., b, :][..., h].sum(-1)


def _per_dwelling(p: Params, types=RESIDENTIAL) -> np.ndarray:
    """m2 per dwelling of ``types`` as ``(1, D, 1, len(types))``."""
    return p.vector("buildings.m2_per_dwelling", types)[None, :, None, :]


# ---------------------------------------------------------------- grants

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
    left = np.maximum(-first_differences(area), 0.0) / _per_dwelling(view.params)
    return view.levers["oil_conversion_grant"] * left.sum(-1)


# ---------------------------------------------------------------- outlays

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
    return (np.maximum(first_differences(pv_capacity(view)), 0.0)
            * money(view.params, "cost.solar_pv.investment_per_kwp", 2022))


def wood_stove_outlays(view: RunView) -> np.ndarray:
    """New stoves bought ahead of time [real 2009 NOK/yr] ``(T, D, M)``: dwellings heated with wood stoves
    (area / m2 per dwelling, houses and apartments) x ``buildings.wood_stove.old_share_2009`` x the share of
    the old stoves still in use after the end-of-life renewal (:func:`.submodels.building_measures.old_stove_share`)
    x the yearly rise of the replaced share (lever wood_stove_old_replaced, kept at its highest) x
    ``cost.wood_stove_renewal.cost_per_stove`` (2020 NOK). The stoves renewed at the end of their life are
    bought in every scenario."""
    from ..submodels.building_measures import old_stove_share

    p = view.params
    dwellings = (_system_area(view, ("wood_stove",), RESIDENTIAL) / _per_dwelling(p)).sum(-1)
    replaced = np.maximum.accumulate(view.levers["wood_stove_old_replaced"], axis=0)
    rise = np.maximum(first_differences(replaced), 0.0)
    left = old_stove_share((view.years - dims.BASE_YEAR)[:, None, None], param(p, "buildings.lifetime.wood_stove"))
    return (dwellings * param(p, "buildings.wood_stove.old_share_2009") * left * rise
            * money(p, "cost.wood_stove_renewal.cost_per_stove", 2020))


# ---------------------------------------------------------------- what each kind costs (attached in buildings.py)

# Why the replacement of fossil fuel in district-heat production has no cost here.
_FUEL_SWITCH = "its cost is a GAP, Klimakur 2030 E04 gives only the class above 1 500 NOK/t"

_HEATING = (heating_item(), costing.energy_item())

COSTS = {
    "oil_conversion_grant": Costs(
        _HEATING + costing.transfer_pair(
            "grants", "grants_received",
            "lever oil_conversion_grant [NOK/dwelling] x dwellings leaving oil or paraffin heating (fall of that area "
            "in houses and apartments / buildings.m2_per_dwelling.*); every conversion is paid, also those that "
            "would have come without", oil_conversion_grants),
        not_counted=("removing the old tank (part of the replacement's price)",)),
    "oil_heating_ban": Costs(_HEATING, not_counted=("enforcement",)),
    "oil_heating_ban_announcement": Costs(_HEATING, not_counted=("the announcement itself",)),
    "oil_heating_ban_adoption": Costs(_HEATING, not_counted=("the adoption itself",)),
    "new_build_fossil_heating_ban": Costs(_HEATING, not_counted=("enforcement",)),
    "new_build_standard": Costs(
        (costing.investment_item(
            "investment", "users",
            "new floor area x cost.new_build_standard.passive_extra_cost (2016 NOK/m2) x the share of the gap "
            "between the TEK cohort's need and 15 kWh/m2 that the requirement closes",
            new_build_outlays, "cost.new_build_standard.lifetime",
            ("cost.new_build_standard.passive_extra_cost",)),
         costing.energy_item()),
        not_counted=("ventilation and energy supply of a passive house (the cost row covers the envelope only)",)),
    "renovation_programme": costing.not_costed(
        "the cost per m2 of an energy renovation is not in the reference (GAP), and renovated area is not recorded"),
    "deep_renovation": costing.not_costed(
        "the cost per m2 of a deep renovation is not in the reference (GAP: buildings_waste_adaptation.csv "
        "deep_renovation gives a national saving only)"),
    "heat_pump_subsidy": Costs(
        _HEATING + costing.transfer_pair(
            "grants", "grants_received",
            "heat pumps installed (purchases of the heat-pump area over buildings.lifetime.heat_pump) x (subsidy "
            "share x buildings.investment.heat_pump + grant per dwelling / m2 per dwelling); free riders included",
            heat_pump_grants),
        not_counted=("administration of the grant scheme",)),
    "district_heating_expansion": Costs(
        _HEATING,
        not_counted=("network extension and connection beyond buildings.investment.district_heating (connection "
                     "cost: GAP in buildings_waste_adaptation.csv)",
                     "replacing fossil fuel in district-heat production (fossil_fuel_replaced): " + _FUEL_SWITCH
                     + "; a measure that sets it with new connections is partly costed (no NOK/t)"),
        uncosted=lambda values: (f"a fuel switch with connections unchanged (access = 1): {_FUEL_SWITCH}"
                                 if values.get("access") == 1.0 else None),
        partly=lambda values: ("the fuel switch (fossil_fuel_replaced) has no cost counted, so no NOK/t (leave it "
                               "out to cost the connections alone)"
                               if (values.get("fossil_fuel_replaced") or 0.0) > 0 and values.get("access") != 1.0
                               else None)),
    "waste_heat": costing.not_costed(
        "the cost of connecting waste heat to district heating is not in the reference (SINTEF gives a technical "
        "potential only)"),
    "solar_pv": Costs(
        (costing.investment_item(
            "investment", "users",
            "growth of rooftop PV in place [kWp] (new-build and existing shares x floor area x "
            "buildings.pv_kwp_per_m2.*) x cost.solar_pv.investment_per_kwp (2022 NOK)", pv_outlays,
            "cost.solar_pv.lifetime", ("cost.solar_pv.investment_per_kwp",)),
         costing.energy_item()),
        not_counted=("grid export at a lower price than purchase (the model nets generation against purchase)",)),
    "energy_management_municipal": costing.not_costed(
        "the investment behind energy performance contracts is not in the reference (GAP)"),
    "wood_stove_renewal": Costs(
        (costing.investment_item(
            "investment", "users",
            "old stoves replaced ahead of their end of life (dwellings with wood stoves x "
            "buildings.wood_stove.old_share_2009 x the old stoves still in use after the end-of-life renewal at "
            "1/buildings.lifetime.wood_stove a year x the rise of the replaced share) x "
            "cost.wood_stove_renewal.cost_per_stove (2020 NOK)", wood_stove_outlays,
            "cost.wood_stove_renewal.lifetime", ("cost.wood_stove_renewal.cost_per_stove",
                                                 "buildings.lifetime.wood_stove")),),
        not_counted=("municipal subsidies (transfers)",)),
    "fossil_free_construction": Costs(
        (CostItem(
            "operation", "resource", "users",
            "cost.fossil_free_construction.cost_per_t (2023 NOK per t CO2e, Klimatiltak i Norge 2025 T25) x the "
            "fall of other mobile combustion [t CO2e/yr]: a top-down unit cost",
            costing.per_tonne_avoided("other_mobile", "cost.fossil_free_construction.cost_per_t", 2023),
            ("cost.fossil_free_construction.cost_per_t",)),),
        not_counted=("bottom-up machine and site costs (the reference gives only the ratio of machine prices)",)),
}
