"""The checks of a scenario's tolls (``scenario_checks`` runs them with the others): a charge beside a twin cordon
still charged, a toll factor on no toll, battery-electric cars freed by a left-out discount where they paid, and a
battery-electric toll or parking rate dearer than the national cap allows.
"""

from __future__ import annotations

import numpy as np

from .. import dims
from . import KINDS, Measure
from .base import same_values
from .check_facts import Facts, acting_span, active_years, charges


def twin_cordons(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for a charge on a cordon beside the cordon it succeeded or was succeeded by (``succeeds`` in
    ``framtid list cordons``: Oslo's ring of 1990 and Osloringen of 2019) while the scenario still charges that
    one: both are charged as written, across the same trips. On the 2009 policies the ring of 1990 is the one in
    force, so charging it anew is no warning; charging Osloringen beside it is."""
    facts = facts or Facts(measures)
    warnings = []
    for m in measures:
        cordon = next((c for c in facts.cordons if c.id == m.values.get("cordon")), None)
        if cordon is None or not charges(m) or m.start_year <= dims.BASE_YEAR:
            continue
        twins = [c.id for c in facts.cordons if c.succeeds == cordon.id or cordon.succeeds == c.id]
        if not twins:
            continue
        # Both charged in two years or more of the measure's: in a year of change both carry part of it
        # (Osloringen from June 2019 after the ring of 1990), which is no double charge.
        charged = facts.charged[acting_span(m)]
        mine = charged[:, facts.ids.index(cordon.id)]
        twins = [c for c in twins if (mine & charged[:, facts.ids.index(c)]).sum() >= 2]
        if twins:
            warnings.append(f"{m.origin}: charges cordon {cordon.id!r} from {m.start_year} while the scenario "
                            f"still charges {', '.join(twins)}, which it succeeded or was succeeded by (`framtid list "
                            "cordons`): both are charged as written, across the same trips; end the other with "
                            "replaces, or charge only one")
    return warnings


def cordon_factors(m: Measure, owners: dict[str, str]) -> dict[str, float] | None:
    """A measure's factor [1] on each cordon of its ``cordon`` axis that one of its municipalities owns
    (``owners``: cordon id -> owning municipality) and that it gives a number for; None for a measure with no
    field by cordon. How ``tolls.cordon_prices`` applies it; ``framtid tolls`` reads its cases with it too."""
    field = next((f for f in KINDS[m.kind].fields if f.axis == "cordon" and m.values.get(f.name) is not None), None)
    if field is None:
        return None
    factor = np.atleast_1d(np.asarray(m.values[field.name], dtype=float))
    return {c: float(factor[i]) for i, c in enumerate(field.labels)
            if owners.get(c) in m.municipalities and i < factor.size and not np.isnan(factor[i])}


def cordonless(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for a measure by cordon (``toll_change``) that can change nothing: none of its municipalities owns
    a cordon (its factor acts on the cordons of its own municipalities, ``tolls.cordon_prices``), or none of the
    cordons it names or owns carries a charge in its years (a factor on no toll); and for one that lists, beside
    owners, municipalities that own no cordon (nothing changes for them: their residents meet the factor only on
    the listed owners' cordons), unless it lists all 13 (every cordon meant)."""
    facts = facts or Facts(measures)
    owners = {c.id: c.municipality for c in facts.cordons}
    warnings = []
    for m in measures:
        factors = cordon_factors(m, owners)
        if factors is None:
            continue
        acted = list(factors)
        idle = [x for x in m.municipalities if x not in owners.values()]
        if acted and idle and len(m.municipalities) < len(dims.MUNICIPALITIES):
            owning = ", ".join(x for x in m.municipalities if x not in idle)
            warnings.append(f"{m.origin}: {', '.join(idle)} own{'s' if len(idle) == 1 else ''} no cordon "
                            f"(`framtid list cordons`), so this {m.kind} changes nothing there; its factor acts on "
                            f"the cordons of {owning}, which residents of any municipality cross")
        if not acted:
            who = (f"{m.municipalities[0]} owns no cordon" if len(m.municipalities) == 1 else
                   f"none of {', '.join(m.municipalities)} owns a cordon")
            warnings.append(f"{m.origin}: {who} (`framtid list cordons`), so this {m.kind} changes nothing; "
                            "name the municipality that owns the cordon")
        # Priced before the factors: a factor of 0 removes a charge (not "a factor on no toll").
        elif not (facts.priced[acting_span(m)][:, [facts.ids.index(c) for c in acted]] > 0).any():
            first, last = active_years(m)
            warnings.append(f"{m.origin}: {', '.join(acted)} carr{'ies' if len(acted) == 1 else 'y'} no charge in "
                            f"{first}-{last} in this scenario, so this {m.kind} changes nothing (a factor on no "
                            "toll); charge the cordon first (congestion_charge), or choose years when it is charged")
    return warnings


def bev_free_by_default(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for a congestion charge that leaves out ``bev_discount`` (1 by default: battery-electric cars pass
    free) on a cordon where they paid the year before: the new rates drop their toll, which raises car traffic
    once the fleet is electric; give the discount to keep a rate."""
    from ..submodels.tolls import BEV_FUEL, LIGHT

    facts = facts or Facts(measures)
    warnings = []
    for m in measures:
        if (m.kind != "congestion_charge" or "bev_discount" in m.given or not charges(m)
                or m.start_year <= dims.BASE_YEAR + 1 or m.values.get("cordon") not in facts.ids):
            continue
        c = facts.ids.index(m.values["cordon"])
        before = facts.paths["toll_nok"][m.start_year - 1 - dims.BASE_YEAR, 0, facts.owner[c], c, LIGHT, BEV_FUEL]
        if before.max() > 0:
            warnings.append(f"{m.origin}: leaves out bev_discount (1: battery-electric cars pass free) on "
                            f"{facts.ids[c]!r}, where they paid up to {before.max():.1f} NOK (real 2009) in "
                            f"{m.start_year - 1}: its rates drop their toll; give bev_discount to keep a rate")
    return warnings


def bev_rate_above_national_cap(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for a congestion charge whose battery-electric rate is dearer than national rules allow in some of
    its years: a ``bev_discount`` (or ``bev_offpeak_discount``) below the minimum discount of the ``ev_incentives``
    in force (``toll_discount``: battery-electric cars pay at most 50 % of the petrol rate from 2018, 70 % from
    2023 in current-policies). The cap applies (``tolls.cordon_prices``), so the rate written is not the rate
    charged."""
    facts = facts or Facts(measures)
    warnings = []
    for m in measures:
        # the rings of the 2009 policies write the full rate for battery-electric cars on purpose: the national
        # exemption made them free, so that ending it makes them pay; so do the carries of those rates
        if (m.kind != "congestion_charge" or not charges(m) or m.values.get("cordon") not in facts.ids
                or not {"bev_discount", "bev_offpeak_discount"} & set(m.given) or m.start_year <= dims.BASE_YEAR
                or _carries_a_2009_rate(m, measures)):
            continue
        rates = {"bev_discount": float(m.values["bev_discount"])}
        if m.values.get("bev_offpeak_discount") is not None:
            rates["bev_offpeak_discount"] = float(m.values["bev_offpeak_discount"])
        name, given = min(rates.items(), key=lambda item: item[1])   # the dearer period's, named as written
        span = acting_span(m)
        floor = facts.paths["bev_toll_discount_min"][span, 0, facts.owner[facts.ids.index(m.values["cordon"])]]
        warning = _above_cap(m, f"{name} = {given:g} on {m.values['cordon']!r}", floor, given, span,
                             "toll_discount", "the petrol rate")
        warnings += [warning] if warning else []
    return warnings


def _carries_a_2009_rate(m: Measure, measures: list[Measure]) -> bool:
    """Whether the charge ``m`` posts again, unchanged, the rates of a ring of the 2009 policies, directly or through
    carries of them (``tools/toll_history.py``: a rate posted nominally, carried into later years)."""
    while m.start_year > dims.BASE_YEAR:
        before = next((w for w in measures if w.kind == m.kind and w.label in m.replaces
                       and w.values.get("cordon") == m.values.get("cordon")), None)
        if before is None or not same_values(before.values, m.values):
            return False
        m = before
    return True


def bev_parking_rate_above_national_cap(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for a parking fee whose ``bev_discount`` is below the minimum discount national rules guarantee in
    some of its years (``ev_incentives``' ``parking_discount``: battery-electric cars pay at most half the fee from
    2017 in current-policies). The larger of the two applies (``travel_costs.bev_parking_discount``), so the fee
    written is not the fee charged."""
    facts = facts or Facts(measures)
    warnings = []
    for m in measures:
        if m.kind != "parking_fee" or "bev_discount" not in m.given:
            continue
        given, span = float(m.values["bev_discount"]), acting_span(m)
        where = [dims.MUNICIPALITIES.index(x) for x in m.municipalities]
        floor = facts.paths["bev_parking_discount_min"][span, 0][:, where].min(axis=1)
        warning = _above_cap(m, f"bev_discount = {given:g}", floor, given, span, "parking_discount", "the fee")
        warnings += [warning] if warning else []
    return warnings


def _above_cap(m: Measure, written: str, floor: np.ndarray, given: float, span, lever: str, rate: str) -> str | None:
    """The warning for a battery-electric discount ``given`` below the national minimum ``floor`` (one per year of
    ``span``) in some year, or None."""
    over = np.nonzero(floor > given + 1e-9)[0]
    if not over.size:
        return None
    years = np.arange(dims.BASE_YEAR, dims.FINAL_YEAR + 1)[span][over]
    cap = float(floor[over].max())
    return (f"{m.origin}: {written}, but national rules guarantee battery-electric cars a discount of {cap:g} in "
            f"{years[0]}-{years[-1]} in this scenario (ev_incentives, {lever}): they pay {1 - cap:g} of {rate}, not "
            f"{1 - given:g}; to charge them more, lower {lever} with an ev_incentives measure")
