"""What ``replaces`` and ``end_year`` do to the measures as a planner wrote them, where that is allowed but likely
not meant: one line each, printed with the other warnings of ``framtid validate`` and ``framtid run``
(:func:`.scenario_checks.scenario_warnings`).

A replacement ends the measures it names in its municipalities the year before it is in force
(``measures.measure_replacing``). So a measure replaced no later than it starts never acts there; the cells of a
lever the replaced measure set and its replacement leaves out (a parking fee's zone B, where the new fee names A
only) return to the level before it, usually 2009's, although a field left out of a measure otherwise keeps the
level in force, and so do the levers of its own the replacement does not set where its kind cannot end in part (a
district-heating connection duty replacing the policy history's measure of the fuel mix ends the fuel mix); and a
measure whose own ``end_year`` comes before its ramp is done stops short of full strength.
(A ramp cut short by the measure that replaces it is how a change in the middle of a year is written, as in the
toll history: that is not warned of.)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..levers import LEVERS, axis_labels
from . import Measure, lever_targets, replaced_until

MAX_CELLS = 4   # cells named in a warning before "and N more"


def set_away_from_neutral(lever: str, target) -> np.ndarray:
    """The cells a measure's ``target`` of ``lever`` sets to something other than the lever's neutral value (bool,
    the lever's axes): a cell left unset (NaN) or held at the neutral value changes nothing when it ends."""
    values = np.asarray(target, dtype=float)
    return ~np.isnan(values) & ~np.isclose(values, LEVERS[lever].neutral)


def _cells(lever: str, mask: np.ndarray) -> str:
    """The cells of ``lever`` where ``mask`` (its axes after (D, M)) is True, by their labels."""
    axes = LEVERS[lever].axes
    if not axes:
        return "its value"
    named = ["/".join(axis_labels(a)[i] for a, i in zip(axes, idx)) for idx in np.argwhere(mask)]
    more = f" and {len(named) - MAX_CELLS} more" if len(named) > MAX_CELLS else ""
    return f"{', '.join(named[:MAX_CELLS])}{more} ({'/'.join(axes)})"


def never_in_force(own: Sequence[Measure], measures: Sequence[Measure]) -> list[str]:
    """Warnings for a measure the scenario writes itself (``own``) that no piece of the measures in force
    (``measures``, after every ``replaces``) carries into some of its municipalities: a later-written measure
    replaces it there no later than it starts, so it never acts. (A measure of the scenario it extends replaced
    from its own start is how other rates from that year are written: not warned of.)"""
    warnings = []
    for x in own:
        acting = {mu for y in measures if (y.label, y.origin) == (x.label, x.origin) for mu in y.municipalities}
        missing = [mu for mu in x.municipalities if mu not in acting]
        if not missing:
            continue
        by = [m for m in measures if x.label in m.replaces and set(missing) & set(m.municipalities)]
        how = (f"{by[0].origin} ({by[0].label!r}) replaces it from {by[0].start_year}, no later than it starts"
               if by else "a later measure replaces it no later than it starts")
        warnings.append(f"{x.origin} ({x.label!r}, from {x.start_year}) never acts in {', '.join(missing)}: {how}; "
                        "remove it there, or start it earlier")
    return warnings


def dropped_cells(measures: Sequence[Measure], own: Sequence[Measure]) -> list[str]:
    """Warnings for a replacement the scenario writes itself (``own``) that leaves out cells of a lever the measure
    it replaces set: those cells lose the replaced measure's setting when it ends (they do not keep it, as cells
    left out of a measure otherwise keep the level in force). (The replacements of the scenario it extends were
    warned of in their own file; a piece of one that a replacement here split is not a replacement here.)"""
    written = {(o.label, o.origin) for o in own}
    warnings = []
    for m in measures:
        if not m.replaces or (m.label, m.origin) not in written:
            continue
        mine = lever_targets(m)
        for x in measures:
            # only where m ended it, the year before m is in force (a measure that ended by itself is not m's)
            if x is not m and x.label in m.replaces and x.end_year is not None and x.end_year >= replaced_until(m):
                warnings += _dropped_by(m, mine, x)
    return warnings


def _dropped_by(m: Measure, mine: dict, x: Measure) -> list[str]:
    """What ``m`` (its lever targets ``mine``), replacing ``x``, leaves out of what ``x`` set (see
    :func:`dropped_cells`)."""
    shared = [mu for mu in x.municipalities if mu in m.municipalities]
    if not shared:
        return []
    theirs = lever_targets(x)
    where = ", ".join(shared)
    out = []
    for lever, target in theirs.items():
        moved = set_away_from_neutral(lever, target)
        if lever not in mine:
            # a lever of its own that ends with it (a kind whose fields cannot be left out ends whole: its fuel mix
            # with a district-heating connection duty); one that sets no lever of this measure at all is
            # replaced_across_levers'
            if set(mine) & set(theirs) and np.any(moved):
                out.append(f"{m.origin}: replaces {x.label!r}, which also sets {lever}, a lever this measure does not "
                           f"set: from {x.end_year + 1} it returns to the level before {x.label!r} in {where} (2009's "
                           "unless another measure sets it); to keep it, give it in this measure too, or leave out "
                           "replaces (the two then combine by their levers' rules)")
            continue
        dropped = moved & np.isnan(np.asarray(mine[lever], dtype=float))
        if np.any(dropped):
            out.append(f"{m.origin}: replaces {x.label!r}, which sets {lever} in {_cells(lever, dropped)} where this "
                       f"measure sets nothing: from {x.end_year + 1} those return to the level before {x.label!r} in "
                       f"{where} (2009's unless another measure sets them); to keep them, give them in this measure "
                       "too")
    return out


def cut_ramps(own: Sequence[Measure]) -> list[str]:
    """Warnings for a measure as written whose ``end_year`` comes before its ramp reaches full strength (strength
    (t - start + 1) / ramp_years, ``levers.strength``)."""
    warnings = []
    for m in own:
        full = m.start_year + m.ramp_years - 1
        if m.ramp_years > 1 and m.end_year is not None and m.end_year < full:
            reached = (m.end_year - m.start_year + 1) / m.ramp_years
            warnings.append(f"{m.origin}: ramp_years = {m.ramp_years} from {m.start_year} would reach full strength "
                            f"in {full}, but end_year = {m.end_year}: it ends at {reached:.0%} of it")
    return warnings


def replacement_warnings(measures: Sequence[Measure], own: Sequence[Measure]) -> list[str]:
    """Every warning of this module: ``measures`` in force, ``own`` the scenario's own as written."""
    return never_in_force(own, measures) + dropped_cells(measures, own) + cut_ramps(own)
