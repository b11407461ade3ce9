"""What a choice of the explorer is made of: the package's measures as ``[[measure]]`` tables (:func:`entry_of`), the
values the page may change (:func:`editable`, and :func:`offered` for the kinds it may add), and a choice read and
validated into measures (:func:`read_choice`), every problem located as a scenario file's would be."""

from __future__ import annotations

import json
import math

import numpy as np

from .. import dims
from ..errors import UsageError
from ..measures import AREAS, KINDS, Measure
from ..scenario_measures import EARLIEST_PRICE_YEAR, EARLIEST_START_YEAR

# Keys a choice may change besides the kind's own fields: where the measure acts (but for a kind whose
# municipality is the owner of its cordon), when it starts, how long it ramps up and when it ends (None: never).
COMMON = ("municipality", "start_year", "ramp_years", "end_year")
MAX_ADDED = 30           # measures a choice may add of its own (each is a member of the effects' batch)


def entry_of(m: Measure) -> dict:
    """The ``[[measure]]`` table that gives ``m`` (as TOML would read it): the common keys the measure has, and the
    fields its file gave, in the file's form (a number, a table by axis label, a label). Read back by
    :func:`scenario_measures._measure` it makes a measure with the same values."""
    kind = KINDS[m.kind]
    every = tuple(m.municipalities) == dims.MUNICIPALITIES
    entry: dict = {"kind": m.kind}
    if m.label != m.kind:   # a measure without a label is called by its kind; two such may share it, unwritten
        entry["label"] = m.label
    entry.update({"municipality": "*" if every else list(m.municipalities), "start_year": m.start_year})
    if m.ramp_years:
        entry["ramp_years"] = m.ramp_years
    if m.end_year is not None:
        entry["end_year"] = m.end_year
    if m.replaces:
        entry["replaces"] = list(m.replaces)
    if m.price_year is not None:
        entry["price_year"] = m.price_year
    if m.start_date is not None:
        entry["start_date"] = m.start_date
    if m.adoption != "forced":
        entry["adoption"] = m.adoption
    if m.acceptance is not None:
        entry["acceptance"] = m.acceptance
    for f in kind.fields:
        if f.name not in m.given:
            continue
        value = m.values[f.name]
        if f.choice_axis or value is None:
            entry[f.name] = value
        elif f.axis:
            entry[f.name] = {label: float(v) for label, v in zip(f.labels, np.asarray(value, dtype=float))
                             if not math.isnan(v)}
        else:
            entry[f.name] = float(value)
    return entry


def editable(m: Measure) -> list[dict]:
    """The fields of ``m`` a choice may change, as the page shows them: numbers and tables of numbers by axis
    label (a label field, such as a cordon, stays as written)."""
    kind = KINDS[m.kind]
    out = []
    for f in kind.fields:
        if f.choice_axis:
            continue
        value = m.values.get(f.name)
        if f.axis:
            given = np.asarray(value, dtype=float) if value is not None else np.full(len(f.labels), np.nan)
            shown = {label: (None if math.isnan(v) else float(v)) for label, v in zip(f.labels, given)}
        else:
            shown = None if value is None else float(value)
        out.append({"name": f.name, "unit": f.unit, "money": f.money, "low": f.low, "high": f.high,
                    "description": f.description, "required": f.required,
                    "default": f.default if not isinstance(f.default, str) else None,
                    "labels": list(f.labels) if f.axis else None, "value": shown, "given": f.name in m.given})
    return out


def earliest_start(kind, price_year: int | None) -> int:
    """The earliest start year the page offers a measure of ``kind``: a scenario file's (1960), or 1990 for a
    measure with money and no price year of its own (its money is then in NOK of the start year, which must be
    1990 or later, ``scenario_measures.EARLIEST_PRICE_YEAR``), so the page does not offer what a run refuses."""
    return EARLIEST_PRICE_YEAR if kind.has_money and price_year is None else EARLIEST_START_YEAR


def offered(kind) -> dict:
    """A measure kind as the page offers it for adding: its fields with units, ranges, defaults and choices."""
    return {"name": kind.name, "area": kind.area, "area_label": AREAS.get(kind.area, kind.area),
            "description": kind.description, "municipality_from": kind.municipality_from,
            "earliest_start": earliest_start(kind, None),
            "fields": [{"name": f.name, "unit": f.unit, "money": f.money, "low": f.low, "high": f.high,
                        "description": f.description, "required": f.required,
                        "default": f.default if not isinstance(f.default, str) else None,
                        "labels": list(f.labels) if f.axis else None,
                        "choices": list(f.choices) if f.choice_axis else None,
                        "choice_default": f.default if isinstance(f.default, str) else None}
                       for f in kind.fields]}


def _where(i: int, m: Measure) -> str:
    return f"measure {i + 1} ({m.label})"


def listed(i: int, m: Measure) -> dict:
    """Package measure number ``i`` as the page lists it: label, kind, programme area, where and when it acts, its
    label fields (a cordon) and its editable values."""
    kind = KINDS[m.kind]
    return {"index": i, "label": m.label, "kind": m.kind, "area": kind.area,
            "area_label": AREAS.get(kind.area, kind.area), "description": kind.description,
            "municipalities": list(m.municipalities), "municipality_fixed": kind.municipality_from is not None,
            "start_year": m.start_year, "ramp_years": m.ramp_years, "end_year": m.end_year,
            "price_year": m.price_year, "earliest_start": earliest_start(kind, m.price_year),
            "choices": {f.name: m.values[f.name] for f in kind.fields if f.choice_axis},
            "fields": editable(m)}


def read_choice(choice: dict | None, own: list[Measure], entries: list[dict],
                cordons=()) -> list[tuple[int, dict, Measure]]:
    """(number in the package, ``[[measure]]`` table, measure) of each measure a choice keeps of the package ``own``
    (written as ``entries``), in the package's order, edited as it says, then those it adds (None: the package as
    written). ``cordons``: the scenario's own toll cordons, which a measure may charge.

    ``choice``: ``{"on": [numbers of the measures kept], "edits": {number: {key: value}}, "added": [tables]}``,
    "added" being measures of the choice's own (``[[measure]]`` tables, numbered after the package's), and in
    "edits" a key is a field of the measure's kind or one of :data:`COMMON`, and a field's value is a number, for a
    field by axis label a table ``{label: number}`` (a label left out takes the field's default or stays unset), or
    None for the field's default. Every problem is a :class:`UsageError` naming the measure and the key, as a
    scenario file's would."""
    from ..cordons import using
    from ..scenario_measures import _measure
    from ..scenario_values import _Problems

    if choice is None:
        return list(zip(range(len(own)), entries, own))
    on, edits = _checked(choice, len(own))
    problems = _Problems()
    out = []
    for i in sorted(set(on)):
        m = own[i]
        change = edits.get(str(i), edits.get(i)) or {}
        if not change:
            out.append((i, entries[i], m))
            continue
        entry = _edited(i, m, entries[i], change, problems)
        if entry is None:
            continue
        with using(cordons):   # a measure may charge the scenario's own cordons
            made = _measure(entry, _where(i, m), m.origin, problems)
        if made is not None:
            out.append((i, entry, made))
    out += _added(choice.get("added") or [], len(own), cordons, problems)
    if problems:
        raise UsageError("\n".join(problems))
    return out


def _checked(choice, n: int) -> tuple[list, dict]:
    """A choice's "on" and "edits", refused when they are not what :func:`read_choice` reads."""
    if not isinstance(choice, dict) or set(choice) - {"on", "edits", "added"}:
        raise UsageError("choice: a table with the keys 'on' (the measures kept), 'edits' (their values) and "
                         "'added' (measures of its own)")
    on = choice.get("on", list(range(n)))
    edits = choice.get("edits") or {}
    if not isinstance(on, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in on):
        raise UsageError("choice.on: must be a list of measure numbers")
    bad = [i for i in on if not 0 <= i < n]
    if bad:
        raise UsageError(f"choice.on: measure numbers run from 0 to {n - 1} (got {bad})")
    if not isinstance(edits, dict):
        raise UsageError("choice.edits: must be a table by measure number")
    stray = [k for k in edits if str(k) not in {str(i) for i in range(n)}]
    if stray:   # (the edits of a measure turned off are kept, unused: the page remembers them)
        raise UsageError(f"choice.edits: measure numbers run from 0 to {n - 1} (got {', '.join(map(repr, stray))})")
    return on, edits


def _edited(i: int, m: Measure, written: dict, change, problems) -> dict | None:
    """The ``[[measure]]`` table of package measure ``m`` (number ``i``, written as ``written``) with ``change``
    applied; None (and the problem noted) when ``change`` is not a table."""
    where = _where(i, m)
    if not isinstance(change, dict):
        problems.add(where, "the edits must be a table of keys and values")
        return None
    kind = KINDS[m.kind]
    entry = dict(written)
    allowed = [k for k in COMMON if not (k == "municipality" and kind.municipality_from)]
    allowed += [g.name for g in kind.fields if not g.choice_axis]
    for key, value in change.items():
        f = kind.field(key)
        if key not in allowed:
            why = (f"; the municipality is the owner of its {kind.municipality_from}"
                   if key == "municipality" and kind.municipality_from else "")
            problems.add(f"{where}.{key}", f"cannot be changed here{why}; allowed: {', '.join(allowed)}")
        elif value is None and key not in ("municipality", "start_year", "ramp_years"):
            entry.pop(key, None)     # back to the kind's default (the field left out); no end_year
        elif f is not None and f.axis and isinstance(value, dict):
            # a label given as None is left out of the table (its default, or not set), as the page's empty box;
            # a table of none is the field left out
            table = {label: v for label, v in value.items() if v is not None}
            if table:
                entry[key] = table
            else:
                entry.pop(key, None)
        else:
            entry[key] = value
    if m.start_date is not None and entry.get("start_year") != m.start_year:
        entry.pop("start_date")      # the day belonged to the written start year
    return entry


def _added(added, n: int, cordons, problems) -> list[tuple[int, dict, Measure]]:
    """The measures a choice adds of its own (``[[measure]]`` tables, read as a file's), numbered after the
    package's ``n``."""
    from ..cordons import using
    from ..scenario_measures import _measure

    if not isinstance(added, list):
        problems.add("choice.added", "must be a list of [[measure]] tables")
        return []
    if len(added) > MAX_ADDED:
        problems.add("choice.added", f"at most {MAX_ADDED} measures may be added here (got {len(added)}); write "
                                     "a scenario file for more")
        return []
    out = []
    for k, entry in enumerate(added):
        where = f"added measure {k + 1}"
        if isinstance(entry, dict) and isinstance(entry.get("label"), str):
            where += f" ({entry['label']})"
        try:
            json.dumps(entry, ensure_ascii=False).encode("utf-8")
        except (UnicodeEncodeError, TypeError, ValueError):
            problems.add(where, "holds text that is not UTF-8 (or a value that is not JSON)")
            continue
        with using(cordons):
            made = _measure(entry, where, f"explore: {where}", problems)
        if made is not None and made.adoption == "adaptive":
            problems.add(f"{where}.adoption", "the page runs its measures as forced (whether an adaptive one acts "
                                              "depends on the run); leave adoption out")
        elif made is not None:
            out.append((n + k, dict(entry), made))
    return out
