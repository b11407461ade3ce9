"""Heating systems: replacement choice, energy carriers and on-site combustion emissions.

Axes (after draw ``D`` and municipality ``M``): heating system ``H`` over
``dims.HEATING_SYSTEMS`` and carrier ``C`` over ``dims.CARRIERS``. Each system
covers a share of the space-heating need with its own carrier and leaves the
peak to panel heaters (EBM's base/peak load split, methods.md §3.3).
All functions are pure: numpy in, numpy out.
"""

from __future__ import annotations

import numpy as np

from .. import dims

N_SYSTEMS = len(dims.HEATING_SYSTEMS)
N_CARRIERS = len(dims.CARRIERS)
DIRECT_ELECTRIC = dims.index(dims.HEATING_SYSTEMS, "direct_electric")
HEAT_PUMP = dims.index(dims.HEATING_SYSTEMS, "heat_pump")
DISTRICT_HEATING = dims.index(dims.HEATING_SYSTEMS, "district_heating")
OIL_BOILER = dims.index(dims.HEATING_SYSTEMS, "oil_boiler")
PARAFFIN_STOVE = dims.index(dims.HEATING_SYSTEMS, "paraffin_stove")
GAS_BOILER = dims.index(dims.HEATING_SYSTEMS, "gas_boiler")
WOOD_STOVE = dims.index(dims.HEATING_SYSTEMS, "wood_stove")
ELECTRICITY = dims.index(dims.CARRIERS, "electricity")
NATURAL_GAS = dims.index(dims.CARRIERS, "natural_gas")
LPG = dims.index(dims.CARRIERS, "lpg")

# The carrier each system burns or draws for its own share of the load. Gas
# boilers are booked as natural gas here; the LPG part is split off per
# municipality afterwards because the inventory reports the two separately.
OWN_CARRIER = {
    "direct_electric": "electricity", "heat_pump": "electricity",
    "district_heating": "district_heat", "oil_boiler": "heating_oil",
    "paraffin_stove": "paraffin", "gas_boiler": "natural_gas", "wood_stove": "wood",
}
_OWN = np.zeros((N_SYSTEMS, N_CARRIERS))
for _h, _system in enumerate(dims.HEATING_SYSTEMS):
    _OWN[_h, dims.index(dims.CARRIERS, OWN_CARRIER[_system])] = 1.0
_ELECTRIC = np.zeros(N_CARRIERS)
_ELECTRIC[ELECTRICITY] = 1.0

# Waterborne (central) systems also heat tap water; behind panel heaters,
# stoves and air-to-air heat pumps an electric water heater does it.
WATERBORNE = np.isin(dims.HEATING_SYSTEMS, ("district_heating", "oil_boiler", "gas_boiler"))

# Systems the oil-heating ban removes (mineral oil for heating, regulation
# 2018-06-28-1060, methods.md §3.3) and that new buildings never get.
PHASED_OUT = np.isin(dims.HEATING_SYSTEMS, ("oil_boiler", "paraffin_stove"))

TJ_PER_GWH = 3.6
T_PER_KG = 1e-3
KWH_PER_GWH = 1e6


def space_heat_input(efficiency: np.ndarray, load_share: np.ndarray) -> np.ndarray:
    """Carrier delivered per kWh of space-heating need, per system [kWh/kWh], ``(D, H, C)``.

    input[h, own carrier] = load_share[h] / efficiency[h];
    input[h, electricity] += (1 - load_share[h]) / efficiency[direct_electric]
    (base/peak load split, methods.md §3.2-3.3). ``efficiency`` and
    ``load_share`` are (D, H); load_share of direct_electric must be 1.
    """
    own = (load_share / efficiency)[..., None] * _OWN
    peak = ((1.0 - load_share) / efficiency[:, DIRECT_ELECTRIC, None])[..., None] * _ELECTRIC
    return own + peak


def hot_water_input(efficiency: np.ndarray) -> np.ndarray:
    """Carrier delivered per kWh of hot-water need, per system [kWh/kWh], ``(D, H, C)``.

    Waterborne systems (district heat, oil and gas boilers) heat tap water with
    their own carrier at their own efficiency; all others use an electric water
    heater at the direct-electric efficiency.
    """
    own = (1.0 / efficiency)[..., None] * _OWN
    electric = (1.0 / efficiency[:, DIRECT_ELECTRIC])[:, None, None] * _ELECTRIC
    return np.where(WATERBORNE[None, :, None], own, electric)


def capital_recovery_factor(rate: np.ndarray, lifetime: np.ndarray) -> np.ndarray:
    """Annuity factor [1/yr]: ``r / (1 - (1 + r)^-L)``, or ``1/L`` when ``r = 0``."""
    safe = np.where(rate > 0, rate, 1.0)
    annuity = safe / (1.0 - (1.0 + safe) ** -lifetime)
    return np.where(rate > 0, annuity, 1.0 / lifetime)


def annual_cost(investment: np.ndarray, recovery_factor: np.ndarray,
                space_cost_per_kwh: np.ndarray, water_cost_per_kwh: np.ndarray,
                space_need_per_m2: np.ndarray, water_need_per_m2: np.ndarray,
                heat_pump_subsidy: np.ndarray) -> np.ndarray:
    """Annualised cost of heating one m2 with each system [NOK/m2/yr], ``(D, M, T, H)``.

    cost[h] = investment[h] * (1 - subsidy * [h = heat pump]) * crf[h]
              + space_need * space_cost_per_kwh[h] + water_need * water_cost_per_kwh[h]

    ``investment`` [NOK/m2] and ``recovery_factor`` [1/yr] are (D, H), the fuel costs per
    kWh of need [NOK/kWh] (D, H) or, with this year's prices per municipality, (D, M, H);
    needs per m2 [kWh/m2/yr] are (D, M, T);
    ``heat_pump_subsidy`` is the subsidised share of heat-pump investment (D, M), or (D, M, T)
    where it differs by building type (a grant per dwelling spread over the dwelling's area).
    """
    return (capital_cost(investment, recovery_factor, heat_pump_subsidy)
            + running_cost(space_cost_per_kwh, water_cost_per_kwh, space_need_per_m2, water_need_per_m2))


def capital_cost(investment: np.ndarray, recovery_factor: np.ndarray, heat_pump_subsidy: np.ndarray) -> np.ndarray:
    """The investment part of :func:`annual_cost` [NOK/m2/yr], ``(D, M, T|1, H)``."""
    if heat_pump_subsidy.ndim == 2:
        heat_pump_subsidy = heat_pump_subsidy[..., None]
    subsidy = heat_pump_subsidy[..., None] * (np.arange(N_SYSTEMS) == HEAT_PUMP)          # (D, M, T|1, H)
    return investment[:, None, None, :] * (1.0 - subsidy) * recovery_factor[:, None, None, :]


def running_cost(space_cost_per_kwh: np.ndarray, water_cost_per_kwh: np.ndarray, space_need_per_m2: np.ndarray,
                 water_need_per_m2: np.ndarray) -> np.ndarray:
    """The fuel part of :func:`annual_cost` [NOK/m2/yr], ``(D, M, T, H)``: what keeping a system costs."""
    space = space_cost_per_kwh[:, None] if space_cost_per_kwh.ndim == 2 else space_cost_per_kwh
    water = water_cost_per_kwh[:, None] if water_cost_per_kwh.ndim == 2 else water_cost_per_kwh
    return space_need_per_m2[..., None] * space[:, :, None, :] + water_need_per_m2[..., None] * water[:, :, None, :]


def _over_systems(values: np.ndarray) -> np.ndarray:
    """Sum over the systems (the last axis), kept as an axis of length 1 (einsum: numpy's sum over a
    short last axis is several times slower)."""
    return np.einsum("...h->...", values)[..., None]


def choose_heating_systems(annual_cost: np.ndarray, asc: np.ndarray, beta: np.ndarray,
                           allowed: np.ndarray) -> np.ndarray:
    """Multinomial logit over heating systems (the last axis, ``H``) [1].

    P[h] = allowed[h] * exp(asc[h] + beta * cost[h]) / sum_j allowed[j] * exp(asc[j] + beta * cost[j])
    (methods.md §1.2, §3.3: replacement choice on annualised cost).
    ``annual_cost`` [NOK/m2/yr], ``asc`` [1] (``-inf`` for a system never chosen),
    ``beta`` [1/(NOK/m2/yr)], ``allowed`` (bool) broadcast against each other.
    Raises ValueError when some choice situation has no system left to choose.
    """
    return logit_of_utility(choice_utility(annual_cost, asc, beta), allowed)


def choice_utility(annual_cost: np.ndarray, asc: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """The utility of each heating system in :func:`choose_heating_systems`, ``asc + beta * cost``."""
    return asc + beta * annual_cost


def logit_of_utility(utility: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """:func:`choose_heating_systems` from the utilities (:func:`choice_utility`): choices that differ only
    in the systems allowed share them."""
    utility = np.where(allowed, utility, -np.inf)
    best = utility[..., 0]
    for h in range(1, utility.shape[-1]):   # column by column: numpy reduces a short last axis slowly
        best = np.maximum(best, utility[..., h])
    if not np.all(np.isfinite(best)):
        raise ValueError("no heating system can be chosen: every allowed system has zero probability")
    weight = np.exp(utility - best[..., None])
    return weight / _over_systems(weight)


def reference_constants(reference_probability: np.ndarray, beta: np.ndarray,
                        reference_cost: np.ndarray) -> np.ndarray:
    """Alternative-specific constants that make the logit return ``reference_probability``.

    asc[h] = ln P_ref[h] - beta * cost_ref[h]; a zero probability gives ``-inf``
    (never chosen). With these constants, costs equal to ``reference_cost``
    reproduce ``P_ref`` exactly, and a policy shifts the choice by
    ``beta * (cost - cost_ref)`` (pivot-point logit, methods.md §1.2).
    """
    with np.errstate(divide="ignore"):
        return np.log(reference_probability) - beta * reference_cost


def steady_replacement_probability(shares: np.ndarray, lifetime: np.ndarray) -> np.ndarray:
    """Replacement choice that keeps shares unchanged [1], over the last axis.

    Systems reach end of life at ``share / lifetime`` per year, so choosing
    ``P[h] = (s[h]/L[h]) / sum_j s[j]/L[j]`` refills exactly what retires.
    """
    retiring = shares / lifetime
    total = _over_systems(retiring)
    return np.divide(retiring, total, out=np.zeros_like(retiring), where=total > 0)


def replace_at_end_of_life(shares: np.ndarray, lifetime: np.ndarray,
                           choice: np.ndarray) -> np.ndarray:
    """Shares after one year of end-of-life replacement [1], over the last axis.

    s'[h] = s[h] - s[h]/L[h] + P[h] * sum_j s[j]/L[j]  (area is conserved).
    """
    retiring = shares / lifetime
    return shares - retiring + choice * _over_systems(retiring)


def early_conversion(shares: np.ndarray, keep_cost: np.ndarray, switch_cost: np.ndarray, beta: np.ndarray,
                     review_rate: np.ndarray, choice: np.ndarray) -> np.ndarray:
    """Shares after oil and paraffin heating is converted before the end of its life [1].

    Each year a share ``r`` of the oil- and paraffin-heated area is reviewed (a service, a
    tank inspection, a renovation); its owners keep the system, paying only its running cost,
    or switch, paying the annualised investment of a new system (net of subsidies and grants)
    and its running cost. A binary logit on the two costs with the replacement logit's cost
    coefficient: ``P_switch = 1 / (1 + exp(beta (C_keep - C_switch)))`` (beta < 0), and

        converted[h] = r * P_switch[h] * s[h]   for h in oil boiler, paraffin stove
        s'[h] = s[h] - converted[h] + P[h] * sum_j converted[j]

    with ``P`` the replacement choice among the systems still allowed. So the conversion
    answers the running-cost gap (prices and the CO2 and base taxes on heating oil) and the
    grants, as the Norwegian oil phase-out did before the 2020 ban (methods §3.3).
    keep_cost and switch_cost [NOK/m2/yr] broadcast to ``shares`` ``(..., H)``; ``choice``
    (..., H) is zero for the phased-out systems.
    """
    switching = 1.0 / (1.0 + np.exp(beta * (keep_cost - switch_cost)))
    converted = np.where(PHASED_OUT, review_rate * switching * shares, 0.0)
    return shares - converted + choice * _over_systems(converted)


def enforce_cap(shares: np.ndarray, cap: np.ndarray, choice: np.ndarray) -> np.ndarray:
    """Cut shares above ``cap`` and give the excess to the systems in ``choice`` [1].

    excess[h] = max(s[h] - cap[h], 0);  s'[h] = s[h] - excess[h] + P[h] * sum_j excess[j].
    ``cap`` is ``inf`` where nothing is capped; ``choice`` must be zero for capped systems.
    """
    excess = np.maximum(shares - cap, 0.0)
    return shares - excess + choice * _over_systems(excess)


def delivered_energy(space_need: np.ndarray, water_need: np.ndarray, electric_need: np.ndarray,
                     shares: np.ndarray, space_input: np.ndarray, water_input: np.ndarray,
                     lpg_share: np.ndarray) -> np.ndarray:
    """Delivered energy by building type and carrier [GWh/yr], ``(D, M, T, C)``.

    E[c] = EN_space * sum_h s[h] * space_input[h, c] + EN_water * sum_h s[h] * water_input[h, c]
           + EN_electric * [c = electricity]        (methods.md §3.2)
    then the gas-boiler carrier is split: lpg = lpg_share * gas, natural gas = the rest.

    Needs are (D, M, T) [GWh/yr]; ``shares`` (D, M, T, H); inputs (D, H, C) [kWh/kWh];
    ``lpg_share`` (D, M) [1].
    """
    per_space = shares @ space_input[:, None]
    per_water = shares @ water_input[:, None]
    energy = (space_need[..., None] * per_space + water_need[..., None] * per_water
              + electric_need[..., None] * _ELECTRIC)
    gas = energy[..., NATURAL_GAS]
    lpg = gas * lpg_share[..., None]
    energy[..., NATURAL_GAS] = gas - lpg
    energy[..., LPG] = lpg
    return energy


def combustion_emissions(fuel: np.ndarray, ef_co2: np.ndarray, ef_ch4: np.ndarray,
                         ef_n2o: np.ndarray) -> np.ndarray:
    """Gas masses from burning fuel in buildings [t/yr], ``(..., 4)`` over ``dims.GASES``.

    CO2 [t] = E [GWh] * 1e6 kWh/GWh * ef_co2 [kg/kWh] * 1e-3 t/kg
    CH4, N2O [t] = E [GWh] * 3.6 TJ/GWh * ef [kg/TJ] * 1e-3 t/kg      (IPCC 2006 Vol 2 ch 2)
    F-gases: none. All arguments broadcast (e.g. fuel (D, M) with factors (D, 1)).
    """
    co2 = fuel * ef_co2 * KWH_PER_GWH * T_PER_KG
    ch4 = fuel * ef_ch4 * TJ_PER_GWH * T_PER_KG
    n2o = fuel * ef_n2o * TJ_PER_GWH * T_PER_KG
    return np.stack([co2, ch4, n2o, np.zeros_like(co2)], axis=-1)
