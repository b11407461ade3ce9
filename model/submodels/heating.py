"""Heating systems: what each costs, the carriers it draws and their on-site combustion emissions.

Axes (after draw ``D`` and municipality ``M``): heating system ``H`` over
``dims.HEATING_SYSTEMS`` and carrier ``C`` over ``dims.CARRIERS``. Each system
covers a share of the space-heating need with its own carrier and leaves the
peak to panel heaters (EBM's base/peak load split, methods.md §3.3).
All functions are pure: numpy in, numpy out. How the systems' shares move (the replacement and new-build
logit, end-of-life replacement, early conversion, the oil ban) is :mod:`.heating_shares`; the yearly step that
joins them is :mod:`.heating_choice`.

In the simulation the arrays are laid out draws fastest (Fortran order, as the building state), so
the slab ``[..., h]`` of one system is contiguous: the functions work system by system and lay out
what they allocate the same way. Results do not depend on the layout, only the speed does.
"""

from __future__ import annotations

import numpy as np

from .. import dims
from .powers import power

N_SYSTEMS = len(dims.HEATING_SYSTEMS)
# Over a contiguous last axis of up to this many systems numpy's einsum adds in the order of
# in_system_order (even- and odd-numbered systems apart); arrays of up to FEW_CELLS values (a single
# draw) are cheaper in whole-array operations than system by system.
EINSUM_IN_ORDER = 7
FEW_CELLS = 4096
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
PHASED_OUT_SYSTEMS = tuple(int(h) for h in np.flatnonzero(PHASED_OUT))
# Systems that burn fossil fuel (oil, paraffin, fossil gas: the gas boiler's natural gas and LPG alike), which
# the building code forbids installing in new buildings from 2016 (TEK10 § 14-7 (1) as amended, TEK17 § 14-4 (1)).
# Wood stoves burn biomass and district heating is the utility's fuel, not an installation in the building.
FOSSIL = np.isin(dims.HEATING_SYSTEMS, ("oil_boiler", "paraffin_stove", "gas_boiler"))

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
    annuity = safe / (1.0 - power(1.0 + safe, -np.asarray(lifetime, dtype=float)))
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
    capital = np.empty(heat_pump_subsidy.shape + investment.shape[-1:], order="F")
    # Only the heat pump's investment is subsidised; the others' is investment * (1 - 0) * crf.
    capital[...] = (investment * recovery_factor)[:, None, None, :]
    capital[..., HEAT_PUMP] = (investment[:, None, None, HEAT_PUMP] * (1.0 - heat_pump_subsidy)
                               * recovery_factor[:, None, None, HEAT_PUMP])
    return capital


def running_cost(space_cost_per_kwh: np.ndarray, water_cost_per_kwh: np.ndarray, space_need_per_m2: np.ndarray,
                 water_need_per_m2: np.ndarray) -> np.ndarray:
    """The fuel part of :func:`annual_cost` [NOK/m2/yr], ``(D, M, T, H)``: what keeping a system costs."""
    space = space_cost_per_kwh[:, None] if space_cost_per_kwh.ndim == 2 else space_cost_per_kwh
    water = water_cost_per_kwh[:, None] if water_cost_per_kwh.ndim == 2 else water_cost_per_kwh
    space, water = space[:, :, None, :], water[:, :, None, :]
    running = empty_over_systems(space_need_per_m2[..., None], space, water_need_per_m2[..., None], water)
    for h in range(running.shape[-1]):
        out = np.multiply(space_need_per_m2, system_slab(space, h), out=running[..., h])
        out += water_need_per_m2 * system_slab(water, h)
    return running


def empty_over_systems(*operands) -> np.ndarray:
    """An empty result for ``operands`` broadcast together, ``(..., H)``, laid out draws fastest (the
    outer products built here give numpy no layout to follow), so that each system's slab is contiguous
    and results are filled slab by slab while the slab is in cache."""
    return np.empty(np.broadcast_shapes(*(np.shape(x) for x in operands)), order="F")


def system_slab(values, h: int):
    """The slab of system ``h`` of an array that broadcasts over ``(..., H)`` (a last axis of length 1, or
    none, broadcasts to every system), or of a mapping ``{h: slab}`` of some systems (None for the others)."""
    if isinstance(values, dict):
        return values.get(h)
    values = np.asarray(values)
    if values.ndim == 0:
        return values
    return values[..., h] if values.shape[-1] > 1 else values[..., 0]


def in_system_order(slabs) -> np.ndarray:
    """Sum of per-system slabs [their unit], given as ``{h: array}`` or as pairs ``(h, array)`` in
    rising ``h`` (a generator: each slab is added as it is made, while it is in cache); a system left out
    counts as zero.

    The even- and the odd-numbered systems are each summed in turn and the two sums then added: the
    order of numpy's einsum over a short last axis, written out so that the sum does not depend on the
    memory layout and systems known to hold nothing cost nothing. Slab by slab, because numpy reduces
    a short last axis slowly, and with the draws fastest in memory each slab is contiguous.
    """
    lanes = [None, None]
    for h, slab in sorted(slabs.items()) if isinstance(slabs, dict) else slabs:
        lane = lanes[h % 2]
        lanes[h % 2] = slab if lane is None else lane + slab
    even, odd = lanes
    if even is None or odd is None:
        return np.asarray(0.0 if even is None and odd is None else odd if even is None else even)
    return even + odd


def delivered_energy(space_need: np.ndarray, water_need: np.ndarray, electric_need: np.ndarray,
                     shares: np.ndarray, space_input: np.ndarray, water_input: np.ndarray,
                     lpg_share: np.ndarray, space_shares: np.ndarray | None = None) -> np.ndarray:
    """Delivered energy by building type and carrier [GWh/yr], ``(D, M, T, C)``.

    E[c] = EN_space * sum_h s'[h] * space_input[h, c] + EN_water * sum_h s[h] * water_input[h, c]
           + EN_electric * [c = electricity]        (methods.md §3.2)
    then the gas-boiler carrier is split: lpg = lpg_share * gas, natural gas = the rest.

    Needs are (D, M, T) [GWh/yr]; ``shares`` s (D, M, T, H); inputs (D, H, C) [kWh/kWh];
    ``lpg_share`` (D, M) [1]; ``space_shares`` s' (D, M, T, H) [1] the space heat each system delivers per unit
    of the engineering need (its share times its heat service's price response), ``shares`` when None.
    """
    n_carriers = space_input.shape[-1]
    # One matrix product per draw, (M*T, H) x (H, 2C), gives the carrier inputs of both needs: one call
    # per draw rather than two per municipality. BLAS wants the systems contiguous, so the product and
    # what follows are in C order (carriers last and contiguous), needs included.
    def per_draw(x: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(x).reshape(x.shape[0], -1, x.shape[-1])

    if space_shares is None:
        inputs = np.concatenate([space_input, water_input], axis=-1)
        per_need = np.matmul(per_draw(shares), inputs).reshape(shares.shape[:-1] + (2 * n_carriers,))
    else:
        per_need = np.concatenate([np.matmul(per_draw(space_shares), space_input),
                                   np.matmul(per_draw(shares), water_input)], axis=-1).reshape(
            shares.shape[:-1] + (2 * n_carriers,))
    # Products broadcast along the carriers: einsum is faster than numpy's broadcasting along so short an axis.
    energy = np.einsum("...,...c->...c", np.ascontiguousarray(space_need), per_need[..., :n_carriers])
    energy += np.einsum("...,...c->...c", np.ascontiguousarray(water_need), per_need[..., n_carriers:])
    energy[..., ELECTRICITY] += electric_need
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
    shape = np.broadcast_shapes(*(np.shape(x) for x in (fuel, ef_co2, ef_ch4, ef_n2o)))
    out = np.zeros(shape + (4,), order="F")               # laid out as the fuels (draws fastest)
    for gas, ef, per_gwh in ((0, ef_co2, KWH_PER_GWH), (1, ef_ch4, TJ_PER_GWH), (2, ef_n2o, TJ_PER_GWH)):
        mass = np.multiply(fuel, ef, out=out[..., gas])
        mass *= per_gwh
        mass *= T_PER_KG
    return out
