"""Measure kinds by programme area, and how a scenario's measures become lever paths.

Each kind is a small declaration in its area's module (``charges``, ``transport`` and ``taxes`` for land
use and transport, ``buildings``, ``waste`` for consumption and waste, ``adaptation``): fields with
unit, range and default, and a function to lever targets. :func:`lever_paths` applies every measure
by its lever's combine rule, in an order that does not depend on the order of the file;
what a scenario's measures do that is allowed but likely not meant (overlaps on a lever among it),
which ``framtid validate`` and ``framtid run`` report, is in :mod:`.scenario_checks`.
"""

from __future__ import annotations

import numpy as np

from .. import dims
from ..levers import LEVERS, apply_setting, axis_labels, neutral_paths, strength
from . import adaptation, buildings, taxes, transport, waste
from .base import COMMON_KEYS, Field, Measure, MeasureKind, example_values  # noqa: F401  (re-exported)

KINDS: dict[str, MeasureKind] = {k.name: k for module in (transport, taxes, buildings, waste, adaptation)
                                 for k in module.KINDS}

# The four programme areas of Framtidens byer.
AREAS = {
    "land_use_transport": "land use and transport",
    "buildings_energy": "stationary energy in buildings",
    "consumption_waste": "consumption and waste",
    "adaptation": "adaptation to climate change",
}


def lever_targets(m: Measure) -> dict[str, np.ndarray]:
    """Full-strength targets of the levers a measure sets, money in real 2009 NOK."""
    kind = KINDS[m.kind]
    values = dict(m.values)
    for f in kind.fields:
        if f.money and values.get(f.name) is not None:
            values[f.name] = np.asarray(values[f.name], dtype=float) * m.deflator
        if f.axis == "cordon" and values.get(f.name) is not None:
            # A measure read before a scenario extending its file added cordons of its own holds fewer cordons
            # than the axis: those it was not written for are left as it leaves a cordon it does not name, unless
            # it gave one number for every cordon (the field's "a number: every cordon"), which holds for them too.
            given, n = np.asarray(values[f.name], dtype=float), len(axis_labels("cordon"))
            if given.shape[-1] < n:
                fill = np.nan if f.default is None else float(f.default)
                if given.size and np.all(given == given.flat[0]):   # one number for every cordon: the new too
                    fill = float(given.flat[0])
                values[f.name] = np.concatenate([given, np.full(n - given.shape[-1], fill)])
    out = kind.to_levers(values)
    for lever in out:
        if lever not in LEVERS:
            raise KeyError(f"measure kind {m.kind!r} sets unknown lever {lever!r}")
    return out


def setting_order(m: Measure) -> tuple:
    # Start year decides (a later policy re-sets an instrument); ties go by label, kind and values,
    # never by the position in a file, so reordering a file cannot change a result.
    return (m.start_year, m.label, m.kind, sorted((k, repr(v)) for k, v in m.values.items()),
            m.municipalities, m.ramp_years, m.end_year or 0)


def lever_paths(measures: list[Measure], years: np.ndarray, n_draws: int,
                draw_masks: dict[int, np.ndarray] | None = None,
                on_top: frozenset[int] = frozenset(), held: bool = True) -> dict[str, np.ndarray]:
    """Turn a scenario's measures into lever paths ``(T, D, M, *axes)``, each lever by its rule.

    ``draw_masks`` maps the position of a measure in ``measures`` to the draws (D,) bool it acts
    in (a measure adopted adaptively in some draws only, or a subset of a package); other measures
    act in every draw. A lever no masked measure sets is the same in every draw: it is computed once
    and returned as a read-only view broadcast over the draws (a toll path over 1 000 draws would
    otherwise take gigabytes). The measures at the positions ``on_top`` are set after all others,
    whatever their start: under ``replace`` they stay in force over later settings (the appraisal of
    a measure a municipality may adopt in any year, which then re-sets the instrument).

    The levers whose settings add up are held within their declared range (``Lever.low`` to ``Lever.high``):
    each measure's own value lies within its field's range, but two or more may add up beyond it (two waste
    reductions of 0.9 would take waste below zero), where no submodel's equations hold. ``held=False`` gives
    the sums as they are (``scenario_checks.beyond_range`` warns of them).
    """
    masks = draw_masks or {}
    targets = [lever_targets(m) for m in measures]
    varying = {lever for i in masks for lever in targets[i]}
    n_muni = len(dims.MUNICIPALITIES)
    paths = neutral_paths(len(years), 1, n_muni, set(LEVERS) - varying)
    paths.update(neutral_paths(len(years), n_draws, n_muni, varying))
    for i in sorted(range(len(measures)), key=lambda i: (i in on_top, setting_order(measures[i]))):
        m = measures[i]
        s = strength(years, m.start_year, m.ramp_years, m.end_year)
        if i in masks:
            s = s[:, None] * np.asarray(masks[i], dtype=float)[None, :]
        idx = np.array([dims.MUNICIPALITIES.index(x) for x in m.municipalities])
        for lever, target in targets[i].items():
            lv = LEVERS[lever]
            apply_setting(paths[lever], idx, s, target, lv.combine, lv.neutral)
    if held:
        for name in {lever for t in targets for lever in t}:
            lv = LEVERS[name]
            if lv.combine == "add":
                np.clip(paths[name], lv.low, lv.high, out=paths[name])
    return {name: p if p.shape[1] == n_draws else np.broadcast_to(p, (p.shape[0], n_draws) + p.shape[2:])
            for name, p in paths.items()}


def replaced_until(replacing: Measure) -> int:
    """The last year of the measures ``replacing`` ends: the year before it is in force (before it starts, or,
    when it ramps, before it reaches full strength, so that it ramps from them)."""
    return replacing.start_year + max(replacing.ramp_years, 1) - 2


def measure_replacing(measures: list[Measure], replacing: Measure) -> tuple[list[Measure], list[str]]:
    """End the measures ``replacing`` names in ``replaces`` for its municipalities once it is in force:
    the year before it starts, or, when it ramps, the year before it reaches full strength (so it
    ramps from the measure it replaces). Returns the new list and the labels that matched nothing.

    A replaced measure of a kind whose fields may each be left out (a field left out keeps the level in
    force: ``co2_tax``, ``fuel_tax``, ``ev_incentives``) ends only in the levers ``replacing`` sets: its
    other fields go on as written, ramp and end included (:func:`_split_by_levers`). A heating-oil CO2 tax
    replacing the yearly CO2 taxes of the policy history ends their heating-oil rates, not their road-fuel
    rates."""
    from dataclasses import replace

    taken = set(lever_targets(replacing))
    # Labels some measure of which shares a lever with ``replacing``: a piece of those (a measure split by an
    # earlier replacement) that shares none is not this replacement's to end. A label none of whose measures
    # shares one is a policy of other levers ended (a fare cut naming a toll ring; warned of).
    sharing = {m.label for m in measures if m.label in replacing.replaces and set(lever_targets(m)) & taken}
    out, found = [], set()
    for m in measures:
        if m.label not in replacing.replaces:
            out.append(m)
            continue
        found.add(m.label)
        ended = [x for x in m.municipalities if x in replacing.municipalities]
        kept = tuple(x for x in m.municipalities if x not in ended)
        if kept:
            out.append(replace(m, municipalities=kept))
        if ended:
            end = replaced_until(replacing)
            if m.end_year is not None:
                end = min(end, m.end_year)
            parts = _split_by_levers(m, taken, m.label in sharing)
            touched, untouched = parts if parts is not None else (m, None)
            if touched is not None and end >= m.start_year:
                out.append(replace(touched, municipalities=tuple(ended), end_year=end))
            if untouched is not None:   # its other fields go on as written: start, ramp and end its own
                out.append(replace(untouched, municipalities=tuple(ended)))
    return out, [lab for lab in replacing.replaces if lab not in found]


def field_levers(m: Measure, name: str) -> set[str]:
    """The levers the field ``name`` of ``m`` sets, alone (``m`` with that field only; a kind whose levers need
    several fields together raises as its ``to_levers`` does)."""
    from dataclasses import replace

    return set(lever_targets(replace(m, values={name: m.values[name]})))


def _split_by_levers(m: Measure, taken: set, label_shares: bool) -> tuple[Measure | None, Measure | None] | None:
    """``m`` as two measures, one with the fields whose levers are ``taken`` (the replacing measure's) and one
    with the others (either None where it has no such fields); None where ``m``'s kind cannot leave a field out
    (a field with a default, or required, always sets its lever), or where no measure of its label shares a lever
    with the replacement (``label_shares`` False: the whole policy is ended)."""
    from dataclasses import replace

    kind = KINDS[m.kind]
    if any(f.default is not None or f.required for f in kind.fields) or not label_shares:
        return None
    given = [f for f in kind.fields if m.values.get(f.name) is not None]
    untouched = [f for f in given if not field_levers(m, f.name) & taken]
    if not untouched:
        return m, None
    if len(untouched) == len(given):
        return None, m

    def keeping(fields):
        names = {f.name for f in fields}
        return replace(m, values={f.name: (m.values[f.name] if f.name in names else None) for f in kind.fields},
                       given=frozenset(names))

    return keeping([f for f in given if f not in untouched]), keeping(untouched)


__all__ = ["KINDS", "AREAS", "COMMON_KEYS", "Field", "Measure", "MeasureKind", "field_levers", "lever_paths",
           "lever_targets", "measure_replacing", "example_values", "replaced_until", "setting_order"]
