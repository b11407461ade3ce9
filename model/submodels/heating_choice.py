"""The yearly choice of heating systems: at end of life, in new build, by early conversion and under the oil ban.

Each year :func:`heating_systems` prices the systems (investment less the heat-pump subsidy and
grants, fuel at this year's carrier prices; :func:`heating.annual_cost`), turns the prices and the
logit constants of the 2009 calibration into utilities, and moves the shares of every building type:
``1/lifetime`` of each system's area is replaced by the logit choice, oil and paraffin heating is
partly converted before the end of its life, the area built this year takes the new-build choice
(no gas boiler for the share built under the building code's ban on fossil heating in new buildings), and
while the oil-heating ban is in force oil boilers and paraffin stoves are neither chosen nor allowed above
their capped share. :func:`annual_cost` at 2009 prices also fixes those logit
constants (``buildings.calibrated``).

Axes (after draw ``D`` and municipality ``M``): building type ``T`` and heating system ``H``, laid
out draws fastest as the building state (:class:`buildings.BuildingState`), which this module reads;
:mod:`buildings` keeps the state and calls :func:`heating_systems` from ``advance``. The arithmetic of
a single choice lives in :mod:`heating`; levers are read with :func:`building_parameters.lever`.
Methods: logit replacement at end of life on annualised cost with subsidies and district-heating
access (methods.md §3.3; docs/model.md §3.4, heating choice).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..levers import acting
from . import heating, heating_shares
from .building_parameters import Coefficients, draws_fastest, lever

if TYPE_CHECKING:
    from .buildings import BuildingState


def annual_cost(coef: Coefficients, space_need: np.ndarray, water_need: np.ndarray,
                heat_pump_subsidy: np.ndarray, price_index: np.ndarray | None = None) -> np.ndarray:
    """Annualised cost per m2 by system; ``price_index`` (D, M, carriers) scales the 2009 carrier
    prices to this year's (prices and taxes as paths), None keeps them."""
    return heating.annual_cost(coef.investment, coef.recovery_factor, *fuel_costs(coef, price_index), space_need,
                               water_need, heat_pump_subsidy)


def fuel_costs(coef: Coefficients, price_index: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Fuel cost per kWh of space- and water-heating need by system [NOK/kWh] (see :func:`annual_cost`)."""
    if price_index is None:
        return coef.space_cost, coef.water_cost
    price = coef.price[:, None, :] * price_index                                   # (D, M, carriers)
    # One matrix product per draw, (M, carriers) x (carriers, 2H): einsum without BLAS is slower.
    cost = draws_fastest(np.matmul(price, coef.fuel_input))
    return cost[..., :heating.N_SYSTEMS], cost[..., heating.N_SYSTEMS:]


def _switch_cost(coef: Coefficients, levers: dict, shape: tuple, annual: dict, choice: np.ndarray) -> np.ndarray:
    """The cost of switching from oil or paraffin heating before the end of its life [NOK/m2/yr], (D, M, T, 1), for
    :func:`heating_shares.early_conversion` (keeping costs the running cost of the system).

    The annual cost of the systems still allowed (``annual``), weighted by their replacement choice ``choice`` (zero
    for oil and paraffin), less the annualised grant for removing an oil system (lever ``oil_conversion_grant``
    [NOK per dwelling], per m2 of a house or an apartment; non-residential buildings get none).
    """
    grant = (_per_m2(coef, lever(levers, "oil_conversion_grant", shape))
             if acting(levers, "oil_conversion_grant") is not None else None)
    switch = None
    for h, cost in annual.items():                  # in turn, as numpy sums a last axis this short
        net = cost if grant is None else cost - grant * coef.recovery_factor[:, None, None, h]
        term = net * choice[..., h]
        switch = term if switch is None else switch + term
    return switch[..., None]


def _heat_pump_subsidy(coef: Coefficients, levers: dict, shape: tuple) -> np.ndarray:
    """Subsidised share of heat-pump investment [1], (D, M), or (D, M, T) with a grant per dwelling.

    A grant ``G`` per dwelling (lever ``heat_pump_grant``) is spread over the dwelling's floor area
    (``buildings.m2_per_dwelling``; non-residential area gets none) and added to the subsidised share
    as ``G / (m2 per dwelling * heat-pump investment per m2)``, at most the whole investment.
    """
    subsidy = lever(levers, "heat_pump_subsidy_share", shape)
    if acting(levers, "heat_pump_grant") is None:
        return subsidy
    grant = lever(levers, "heat_pump_grant", shape)
    investment = coef.investment[:, heating.HEAT_PUMP][:, None, None]
    return np.minimum(subsidy[..., None] + _per_m2(coef, grant) / investment, 1.0)


def _per_m2(coef: Coefficients, grant: np.ndarray) -> np.ndarray:
    """A grant per dwelling (D, M) spread over the dwelling's floor area [NOK/m2], (D, M, T); none for
    non-residential area."""
    return draws_fastest(grant[..., None] / coef.grant_area[:, None, :])


def foreseen_capital(investment: np.ndarray, rate: np.ndarray, lifetime: np.ndarray, foresight: np.ndarray,
                     years_left: np.ndarray) -> np.ndarray:
    """Annualised investment in a system a scheduled ban will stop [NOK/m2/yr], (D, M).

    ``I * ((1 - f) * crf(r, L) + f * crf(r, min(n, L)))``: the share ``f`` of the owners who expect the
    ban recover the investment ``I`` [NOK/m2] (D,) over the ``n`` years left until it (D, M) [yr], at
    least one, instead of the lifetime ``L`` [yr] (D,); ``r`` [1/yr] (D,) is the discount rate and crf
    :func:`heating.capital_recovery_factor`. With no ban ahead (n = inf) it is ``I * crf(r, L)``.
    Example: I = 300, r = 0.04, L = 25, f = 1, n = 8 gives 300 * 0.1485 = 44.6 instead of 19.2.
    """
    horizon = np.clip(years_left, 1.0, lifetime[:, None])
    short = heating.capital_recovery_factor(rate[:, None], horizon)
    full = heating.capital_recovery_factor(rate, lifetime)[:, None]
    return investment[:, None] * ((1.0 - foresight) * full + foresight * short)


def _utilities(state: BuildingState, coef: Coefficients, subsidy: np.ndarray, access: np.ndarray | None,
               fuel_cost: tuple[np.ndarray, np.ndarray],
               foresight: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[dict, dict, np.ndarray, np.ndarray]:
    """Costs and utilities of the heating systems this year.

    Returns the annual cost [NOK/m2/yr] of the systems still chosen, ``{h: (D, M, T)}``
    (:func:`heating.annual_cost`); the running cost of oil and paraffin, the cost of keeping them,
    ``{h: (D, M, T)}``; and the utilities [1] ``asc + ln(district_heating_access) + beta * cost`` at
    replacement and for new build, (D, M, T, H) (:func:`heating_shares.choice_utility`; the access term on
    district heating only, ``access`` its log (D, M) or None; new build never chooses oil or
    paraffin: -inf). ``foresight`` (share of owners expecting a scheduled ban, years left until it), both
    (D, M), makes oil and paraffin's investment at replacement :func:`foreseen_capital`; None leaves it.
    ``fuel_cost``: the fuel costs per kWh of space- and water-heating need by system (:func:`fuel_costs`).
    One system at a time, each part made while its slab is in cache.
    """
    space_cost, water_cost = fuel_cost
    capital = heating.capital_cost(coef.investment, coef.recovery_factor, subsidy)
    beta = coef.beta[:, None, None]
    asc, asc_new = state.replacement_asc, state.new_build_asc
    utility, utility_new = np.empty(asc.shape, order="F"), np.empty(asc.shape, order="F")
    annual, keep = {}, {}
    # A single draw's running costs of every system at once: the same numbers (element by element), and
    # making them system by system, while each slab is in cache, only pays off for many draws.
    every = (heating.running_cost(space_cost, water_cost, state.space_need_2009, state.water_need_2009)
             if asc.size <= heating.FEW_CELLS else None)
    for h in range(heating.N_SYSTEMS):
        running = every[..., h] if every is not None else heating.running_cost(
            space_cost[..., h:h + 1], water_cost[..., h:h + 1], state.space_need_2009, state.water_need_2009)[..., 0]
        cost = capital[..., h] + running
        if foresight is not None and heating.PHASED_OUT[h]:
            cost = cost + (foreseen_capital(coef.investment[:, h], coef.discount_rate, coef.lifetime[:, h], *foresight)
                           - coef.investment[:, h, None] * coef.recovery_factor[:, h, None])[..., None]
        weighted = beta * cost
        shift = access if h == heating.DISTRICT_HEATING else None
        np.add(_shifted(asc[..., h], shift), weighted, out=utility[..., h])
        if heating.PHASED_OUT[h]:
            keep[h] = running
            utility_new[..., h] = -np.inf
        else:
            annual[h] = cost
            np.add(_shifted(asc_new[..., h], shift), weighted, out=utility_new[..., h])
    return annual, keep, utility, utility_new


def _first_reference(reference: np.ndarray, starting: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """The ban's reference shares: ``shares`` (the stock's at the start of the year) where ``starting`` (D, M) and
    none is set yet (NaN), else as they are."""
    first = starting[..., None, None] & np.isnan(reference)
    return np.where(first, shares, reference) if first.any() else reference


def _shifted(asc: np.ndarray, access: np.ndarray | None) -> np.ndarray:
    """Logit constants of district heating with the log of its access lever added (None: unchanged)."""
    return asc if access is None else asc + access[..., None]


def _mixed(shares: np.ndarray, remaining: np.ndarray, choice: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Shares of the stock after this year's new build joins it [1]: ``(s R + P N) / (R + N)`` with
    the remaining area R and the new area N (D, M, T) [m2] and the new-build choice P; where there is
    no area at all the shares stay. One system at a time, each slab of the result written once."""
    total = remaining + new
    built = total > 0
    denominator = np.where(built, total, 1.0)
    out = np.empty_like(shares)
    for h in range(shares.shape[-1]):
        mixed = np.multiply(shares[..., h], remaining, out=out[..., h])
        mixed += choice[..., h] * new
        mixed /= denominator
        if not built.all():
            np.copyto(mixed, shares[..., h], where=~built)
    return out


@dataclass(frozen=True)
class _YearMoves:
    """What moves the shares of the heating systems this year, the same for the area's and the need's shares."""

    coef: Coefficients
    replacement: np.ndarray               # (D, M, T, H) the end-of-life replacement choice [1]
    choice: np.ndarray                    # (D, M, T, H) the choice of early conversion and of the ban's [1]
    keep: dict                            # {h: (D, M, T)} running cost of keeping oil or paraffin [NOK/m2/yr]
    switch: np.ndarray                    # (D, M, T, 1) cost of switching from them [NOK/m2/yr]
    built: np.ndarray | None              # (D, M, T, H) the new-build choice [1]; None: nothing built
    schedule: tuple | None                # (years until an adopted ban, its strength), both (D, M); None: none
    lead: np.ndarray | None               # (D, M) [yr] the adopted ban's lead time (with ``schedule``)
    ban: np.ndarray                       # (D, M) the oil-heating ban in force [1]


def _moved(shares: np.ndarray, reference: np.ndarray, stock: np.ndarray, added: np.ndarray,
           moves: _YearMoves) -> tuple[np.ndarray, np.ndarray]:
    """``shares`` of the stock (``reference`` the ban's) after this year's end-of-life replacement, early
    conversion, new build joining ``stock`` with ``added`` (its area or its need, (D, M, T)), conversion ahead of
    an adopted ban and the ban's cap; and the ban's reference (the shares at the start of the year where the ban
    is adopted or begins, when none is set yet)."""
    coef, start, banned = moves.coef, shares, moves.ban > 0
    shares = heating_shares.replace_at_end_of_life(shares, coef.lifetime[:, None, None, :], moves.replacement)
    shares = heating_shares.early_conversion(shares, moves.keep, moves.switch, coef.beta[:, None, None, None],
                                             coef.review_rate[:, :, None, None], moves.choice)
    if moves.built is not None:
        shares = _mixed(shares, stock, moves.built, added)
    if moves.schedule is not None:
        # An adopted ban: its reference is the stock's shares when it was adopted, and owners convert ahead of it
        # (where no ban is scheduled, nothing: not even the reference of a ban adopted later).
        years_left, strength = moves.schedule
        reference = _first_reference(reference, (moves.lead > 0) & np.isfinite(years_left), start)
        shares = heating_shares.converted_ahead_of_ban(shares, reference, strength, years_left, moves.lead,
                                                       moves.choice)
    if not banned.any():
        return shares, reference
    reference = _first_reference(reference, banned, start)
    # Only oil and paraffin are capped, where the ban is in force.
    cap = {h: np.where(banned[..., None], (1.0 - moves.ban)[..., None] * reference[..., h], np.inf)
           for h in heating.PHASED_OUT_SYSTEMS}
    return heating_shares.enforce_cap(shares, cap, moves.replacement), reference


def heating_systems(state: BuildingState, coef: Coefficients, levers: dict, remaining: np.ndarray,
                    new: np.ndarray, fuel_cost: tuple[np.ndarray, np.ndarray], need: tuple[np.ndarray, np.ndarray],
                    ban_ahead: np.ndarray | None = None,
                    schedule: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, ...]:
    """System shares after replacement, new construction, conversion ahead of an adopted ban and the oil ban;
    the ban reference (the shares when the ban was adopted or, without adoption, when it began); and the same two
    of the space-heat need, moved alike but with new build joining the stock by its need, not its area
    (:func:`_moved`).

    ``remaining`` and ``new`` (D, M, T) [m2]: the stock's area after this year's demolition and the area built.
    ``need``: the space-heat need of that stock and of the new build (D, M, T) [kWh/yr]. Area heated by a system
    moves with its need (a replaced or converted system takes its building's need with it), but new build is
    efficient, so it adds less to the need its systems heat than to their area: the oil- and paraffin-heated area,
    all of it old, heats more than its share of the area (``state.need_share``), and an energy standard of new
    build saves heat of the systems new build chooses only (as far as the type-level replacement choice lets it).
    ``fuel_cost``: this year's fuel costs per kWh of need by system (:func:`fuel_costs`).
    ``ban_ahead`` (D, M) [yr]: years until the scheduled oil-heating ban (inf: none), read where the lever
    ``oil_heating_ban_foresight`` acts; None: no owner looks ahead. ``schedule``: (years until the ban, its
    strength in its first year), both (D, M), read where the lever ``oil_heating_ban_lead`` acts (an adopted
    ban, :func:`heating_shares.converted_ahead_of_ban`); None: none adopted."""
    shape = state.lpg_share.shape
    ban = lever(levers, "oil_heating_ban", shape)
    banned = ban > 0
    access = None                         # neutral (1): ln 1 = 0, no shift
    if acting(levers, "district_heating_access") is not None:
        with np.errstate(divide="ignore"):
            access = np.log(lever(levers, "district_heating_access", shape))
    foresight = None
    if ban_ahead is not None and acting(levers, "oil_heating_ban_foresight") is not None:
        foresight = (lever(levers, "oil_heating_ban_foresight", shape), ban_ahead)
    annual, keep, utility, utility_new = _utilities(state, coef, _heat_pump_subsidy(coef, levers, shape), access,
                                                    fuel_cost, foresight)
    allowed = draws_fastest(~(heating.PHASED_OUT & banned[..., None])[:, :, None, :])

    # The replacement logit and the early conversion's choice among the systems still allowed share a utility;
    # where oil is banned everywhere the two choices are the same.
    replacement = heating_shares.logit_of_utility(utility, allowed)
    choice = replacement if banned.all() else heating_shares.logit_of_utility(utility, ~heating.PHASED_OUT)
    built = None
    if new.any():
        # The building code's ban on fossil heating in new buildings takes gas boilers out of the new-build choice
        # of its share of the new area; existing buildings keep and replace theirs as before.
        fossil_ban = (lever(levers, "new_build_fossil_heating_ban", shape)[..., None]        # (D, M, 1)
                      if acting(levers, "new_build_fossil_heating_ban") is not None else None)
        built = heating_shares.new_build_choice(utility_new, fossil_ban)
    moves = _YearMoves(coef, replacement, choice, keep, _switch_cost(coef, levers, shape, annual, choice), built,
                       schedule, lever(levers, "oil_heating_ban_lead", shape) if schedule is not None else None, ban)
    return (_moved(state.system_share, state.ban_reference, remaining, new, moves)
            + _moved(state.need_share, state.need_ban_reference, *need, moves))
