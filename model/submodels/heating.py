"""Heating systems: replacement choice, energy carriers and on-site combustion emissions.

Axes (after draw ``D`` and municipality ``M``): heating system ``H`` over
``dims.HEATING_SYSTEMS`` and carrier ``C`` over ``dims.CARRIERS``. Each system
covers a share of the space-heating need with its own carrier and leaves the
peak to panel heaters (EBM's base/peak load split, methods.md §3.3).
All functions are pure: numpy in, numpy out.

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
    running = _empty_over_systems(space_need_per_m2[..., None], space, water_need_per_m2[..., None], water)
    for h in range(running.shape[-1]):
        out = np.multiply(space_need_per_m2, system_slab(space, h), out=running[..., h])
        out += water_need_per_m2 * system_slab(water, h)
    return running


def _empty_over_systems(*operands) -> np.ndarray:
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


def _over_systems(values: np.ndarray) -> np.ndarray:
    """Sum over the systems (the last axis), kept as an axis of length 1 (see :func:`in_system_order`)."""
    return in_system_order({h: values[..., h] for h in range(values.shape[-1])})[..., None]


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
    in the systems allowed share them.

    System by system: a system allowed nowhere is never exponentiated, and with the draws fastest in
    memory each system's slab is contiguous.
    """
    utility, allowed = np.asarray(utility, dtype=float), np.asarray(allowed, dtype=bool)
    shape = np.broadcast_shapes(utility.shape, allowed.shape)
    if shape[-1] <= EINSUM_IN_ORDER and utility.size <= FEW_CELLS and utility.shape == shape:
        return _small_logit(utility, allowed)
    chosen = {}
    for h in range(shape[-1]):
        ok = system_slab(allowed, h)
        if ok.any():
            u = system_slab(utility, h)
            chosen[h] = u if ok.all() else np.where(ok, u, -np.inf)
    best = None
    for u in chosen.values():
        best = u if best is None else np.maximum(best, u)
    if best is None or not np.all(np.isfinite(best)):
        raise ValueError("no heating system can be chosen: every allowed system has zero probability")
    weight = np.empty_like(utility) if utility.shape == shape else np.empty(shape, order="F")
    for h in range(shape[-1]):
        if h not in chosen:
            weight[..., h] = 0.0
    # Each weight joins the sum as soon as it is made, while it is in cache.
    total = in_system_order((h, np.exp(np.subtract(u, best, out=weight[..., h]), out=weight[..., h]))
                            for h, u in chosen.items())
    for h in chosen:
        weight[..., h] /= total
    return weight


def _small_logit(utility: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """:func:`logit_of_utility` of a small array (a single draw) in whole-array operations: the same
    numbers, as the Python loop over systems only pays off for many draws. A system not allowed gets
    ``exp(-inf) = 0``, which leaves the sum as it is, and over a contiguous last axis of up to
    :data:`EINSUM_IN_ORDER` systems einsum adds in the order of :func:`in_system_order`."""
    if not allowed.any():
        raise ValueError("no heating system can be chosen: every allowed system has zero probability")
    u = np.ascontiguousarray(np.where(allowed, utility, -np.inf))
    best = u.max(axis=-1, keepdims=True)
    if not np.isfinite(best).all():
        raise ValueError("no heating system can be chosen: every allowed system has zero probability")
    weight = np.exp(np.subtract(u, best, out=u), out=u)
    total = np.einsum("...h->...", weight)
    out = np.empty_like(utility)
    np.divide(weight, total[..., None], out=out)
    return out


def new_build_choice(utility: np.ndarray, fossil_ban: np.ndarray | None = None) -> np.ndarray:
    """Shares of this year's new floor area by system [1], (..., H), from the new-build utilities [1] (..., H).

    ``(1 - b) * logit(every system but oil and paraffin) + b * logit(the systems that burn no fossil fuel)``,
    ``b`` [1] the share of the new area built under the building code's ban on fossil heating (``fossil_ban``,
    broadcast against the utilities without their system axis; None: none). New build never gets oil or paraffin
    (:data:`PHASED_OUT`); the ban takes the gas boiler out of the choice of its share of the area, which the other
    systems share in proportion to their weights. Example: equal utilities and b = 0.5 give the gas boiler
    0.5 * 1/5 = 0.1 and each of the other four systems new build may get 0.5 * 1/5 + 0.5 * 1/4 = 0.225.
    """
    free = logit_of_utility(utility, ~PHASED_OUT)
    if fossil_ban is None or not np.any(fossil_ban > 0):
        return free                      # no ban: the choice as it was, to the digit
    ban = np.asarray(fossil_ban, dtype=float)[..., None]
    # The mixture of two logits, not one logit with the gas boiler's weight scaled by 1 - b: the share b of the new
    # area is built under the ban, the rest chooses as before (projects under the old rules, or not complying).
    free *= 1.0 - ban                    # in place: a fresh array, laid out as the utilities
    free += ban * logit_of_utility(utility, ~FOSSIL)
    return free


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
    retiring = {h: shares[..., h] / system_slab(lifetime, h) for h in range(shares.shape[-1])}
    return _reassigned(shares, retiring, choice)


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
    keep_cost and switch_cost [NOK/m2/yr] broadcast to ``shares`` ``(..., H)`` (keep_cost may also map
    the phased-out systems to their slabs); ``choice`` (..., H) is zero for the phased-out systems.
    Only their slabs are computed.
    """
    converted = {}
    for h in PHASED_OUT_SYSTEMS:
        gap = system_slab(keep_cost, h) - system_slab(switch_cost, h)
        switching = 1.0 / (1.0 + np.exp(system_slab(beta, h) * gap))
        converted[h] = system_slab(review_rate, h) * switching * shares[..., h]
    return _reassigned(shares, converted, choice)


def share_left_ahead_of_ban(years_left: np.ndarray, lead: np.ndarray) -> np.ndarray:
    """Share of the area a scheduled ban will remove that is still unconverted in the middle of this year [1].

    The owners convert evenly over the ``lead`` [yr] from the ban's adoption to its entry into force, ``years_left``
    [yr] from the start of this year (1: the ban starts next year); a year's heating counts at its middle, so
    ``R = clip((n - 1/2) / L, 0, 1)``. Example: adopted 28 June 2018 (L = 1.51) for 1 January 2020: 2018 (n = 2)
    0.993, 2019 (n = 1) 0.331. Where the ban is in force (n = 0), is not scheduled (inf) or not adopted (L = 0): 1.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.clip((years_left - 0.5) / lead, 0.0, 1.0)       # inf years left (no ban) clip to 1 as well
    return np.where((lead > 0) & (years_left >= 1), left, 1.0)


def converted_ahead_of_ban(shares: np.ndarray, reference: np.ndarray, strength: np.ndarray, years_left: np.ndarray,
                           lead: np.ndarray, choice: np.ndarray) -> np.ndarray:
    """Shares after this year's conversions of oil and paraffin heating ahead of an adopted ban [1].

    The ban will leave ``(1 - b) s_ref`` of each phased-out system (``strength`` b (D, M) in its first year,
    ``reference`` s_ref the shares at the adoption, ``(..., H)``); the area above that converts evenly over the
    lead time (:func:`share_left_ahead_of_ban`): this year the share ``1 - R_t / R_(t-1)`` of what is still above
    it, to the systems in ``choice`` (zero for the phased-out ones), by :func:`enforce_cap` with that share:

        converted[h] = (1 - R_t / R_(t-1)) * max(s[h] - (1 - b) s_ref[h], 0)
        s'[h] = s[h] - converted[h] + P[h] * sum_j converted[j]

    ``years_left`` and ``lead`` [yr] (D, M) as in :func:`share_left_ahead_of_ban`. Example: L = 1.51, n = 1
    (2019): R 0.331 after 0.993, so two thirds of the excess left converts. A year in which nothing converts
    (before the adoption, from the ban on) returns ``shares`` as they are.
    """
    # R_(t-1) is never 0 (n + 1/2 > 0); from the ban on (n = 0) nothing converts here, the cap does it.
    rate = np.where(years_left >= 1, 1.0 - share_left_ahead_of_ban(years_left, lead)
                    / share_left_ahead_of_ban(years_left + 1.0, lead), 0.0)[..., None]              # (D, M, 1)
    converting = rate > 0
    if not converting.any():
        return shares
    # Where nothing converts the reference may be unset (NaN): no cap there.
    cap = {h: np.where(converting, (1.0 - strength)[..., None] * reference[..., h], np.inf) for h in PHASED_OUT_SYSTEMS}
    return enforce_cap(shares, cap, choice, rate)


def enforce_cap(shares: np.ndarray, cap: np.ndarray, choice: np.ndarray, share: np.ndarray | None = None) -> np.ndarray:
    """Cut shares above ``cap`` and give the excess to the systems in ``choice`` [1].

    excess[h] = max(s[h] - cap[h], 0);  s'[h] = s[h] - excess[h] + P[h] * sum_j excess[j].
    ``cap`` is ``inf`` where nothing is capped (or a mapping ``{h: slab}`` of the capped systems);
    ``choice`` must be zero for capped systems. A system capped nowhere has no excess and is skipped.
    ``share`` (broadcasting to a system's slab), when given, moves only that share of each excess this year.
    """
    excess = {}
    for h in range(shares.shape[-1]):
        cap_h = system_slab(cap, h)
        if cap_h is not None and not np.all(np.isposinf(cap_h)):
            excess[h] = np.maximum(shares[..., h] - cap_h, 0.0)
            if share is not None:
                excess[h] = share * excess[h]
    return _reassigned(shares, excess, choice)


def _reassigned(shares: np.ndarray, taken: dict, choice: np.ndarray) -> np.ndarray:
    """s'[h] = s[h] - taken[h] + P[h] * sum_j taken[j] [1], ``taken`` given for the systems that give
    (``{h: slab}``, zero for the others, whose slabs are then just ``s + P * sum``). One system at a time:
    each slab of the result is written once."""
    total = in_system_order(taken)
    out = _empty_over_systems(shares, choice, total[..., None])
    for h in range(out.shape[-1]):
        given = np.multiply(system_slab(choice, h), total, out=out[..., h])
        given += shares[..., h] - taken[h] if h in taken else shares[..., h]
    return out


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
