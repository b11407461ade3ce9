"""How the shares of heating systems move, year by year (methods.md §3.3): the multinomial logit of the
replacement and new-build choices on annualised cost, replacement at the end of a system's life, early conversion
of oil and paraffin heating, conversion ahead of an adopted ban and the ban's cap, and the choice of the area built
under the building code's ban on fossil heating.

Axes as :mod:`.heating` (heating system ``H`` last), laid out draws fastest in the simulation, worked system by
system. All functions are pure: numpy in, numpy out; :mod:`.heating_choice` calls them each year.
"""

from __future__ import annotations

import numpy as np

from .heating import (EINSUM_IN_ORDER, FEW_CELLS, FOSSIL, PHASED_OUT, PHASED_OUT_SYSTEMS, empty_over_systems,
                      in_system_order, system_slab)


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
    out = empty_over_systems(shares, choice, total[..., None])
    for h in range(out.shape[-1]):
        given = np.multiply(system_slab(choice, h), total, out=out[..., h])
        given += shares[..., h] - taken[h] if h in taken else shares[..., h]
    return out
