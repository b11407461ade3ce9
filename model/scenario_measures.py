"""A scenario file's ``[[measure]]`` entries read and validated, every problem located (``oslo.toml:
measure[2].compliance: must be between 0 and 1 (got 1.5)``), into :class:`measures.Measure` objects: the kind
and its fields (numbers, tables by axis label, choices), municipalities, years, ramp, label, ``replaces``,
price year, ``start_date`` and the adoption rule. scenario.py reads the rest of the file."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

from . import dims
from .errors import did_you_mean
from .measures import COMMON_KEYS, KINDS, Measure
from .measures.base import ADOPTION
from .scenario_values import _check_printable, _municipalities, _number, _Problems, _shown, _type_name

# [yr] the earliest price year of a measure's money (assumption): money is deflated at the assumed inflation of
# 2.5 %/yr (prices.inflation_to_2017; no consumer price index in the data), near Norway's consumer price inflation
# since 1990 but far below that of the 1980s, so money of earlier years would become too few 2009 NOK
EARLIEST_PRICE_YEAR = 1990
EARLIEST_START_YEAR = 1960   # a measure in force before the base year acts from 2010 on


def _year(entry: dict, key: str, where: str, problems: _Problems, required: bool) -> int | None:
    if key not in entry:
        if required:
            problems.add(where, f"missing required key {key!r}")
        return None
    value = entry[key]
    if not isinstance(value, int) or isinstance(value, bool):
        problems.add(f"{where}.{key}", f"must be an integer year (got {_type_name(value)} {_shown(value)})")
        return None
    # A measure acts from 2010: the base year is the observed world, run under the 2009 policies whatever a
    # scenario says, so one that ends by 2009 would do nothing.
    low = {"start_year": EARLIEST_START_YEAR, "price_year": EARLIEST_PRICE_YEAR}.get(key, dims.BASE_YEAR + 1)
    if not low <= value <= dims.FINAL_YEAR:
        why = (f"; measures act from {dims.BASE_YEAR + 1} (the base year {dims.BASE_YEAR} runs under the "
               f"{dims.BASE_YEAR} policies), so one that ends by then does nothing") if key == "end_year" else ""
        if key == "price_year":
            why = ("; money is turned into 2009 NOK at the assumed inflation (prices.inflation_to_2017, no consumer "
                   "price index in the data), which strays from the index further back")
        problems.add(f"{where}.{key}", f"must be between {low} and {dims.FINAL_YEAR} (got {value}){why}")
        return None
    return value


def _field_value(f, value, where: str, problems: _Problems):
    """One field's value: a number, a table of numbers by axis label, or a label."""
    if f.choice_axis:
        choices = f.choices
        if not isinstance(value, str) or value not in choices:
            hint = did_you_mean(value, choices).rstrip()
            problems.add(where, f"must be one of {', '.join(choices)} (got {_shown(value)})"
                         + (f"; {hint}" if hint else ""))
            return None
        return value
    if f.axis and isinstance(value, dict):
        labels = f.labels
        if not value:   # not "the default everywhere": the table names the labels it sets
            problems.add(where, f"an empty table sets no {f.axis}; give the {f.axis}s it covers ({', '.join(labels)}) "
                                "or leave the field out")
            return None
        out = np.full(len(labels), np.nan if f.default is None else float(f.default))
        for label, v in value.items():
            if label not in labels:
                problems.add(f"{where}.{label}", f"unknown {f.axis}; allowed: {', '.join(labels)}")
            elif not _number(v):
                problems.add(f"{where}.{label}", f"must be a number [{f.unit}] (got {_type_name(v)} {_shown(v)})")
            elif not f.low <= v <= f.high:
                problems.add(f"{where}.{label}", f"must be between {f.low:g} and {f.high:g} [{f.unit}] (got {v})")
            else:
                out[labels.index(label)] = float(v)
        return out
    if not _number(value):
        shape = f" or a table by {f.axis} ({', '.join(f.labels)})" if f.axis else ""
        problems.add(where, f"must be a number [{f.unit}]{shape} (got {_type_name(value)} {_shown(value)})")
        return None
    if not f.low <= value <= f.high:
        problems.add(where, f"must be between {f.low:g} and {f.high:g} [{f.unit}] (got {value})")
        return None
    return np.full(len(f.labels), float(value)) if f.axis else float(value)


def _check_cordon_owners(kind, entry: dict, munis: tuple[str, ...] | None, where: str, problems: _Problems) -> None:
    """A field by cordon acts in the row of the municipality that owns each cordon (``tolls.cordon_prices``): a
    cordon named in the table of a measure whose municipalities do not own it would change nothing."""
    if munis is None:
        return
    from .cordons import owner_of

    for f in kind.fields:
        value = entry.get(f.name)
        if f.axis != "cordon" or not isinstance(value, dict):
            continue
        for label in value:
            if label not in f.labels:   # reported as unknown already
                continue
            owner = owner_of(label)
            if owner not in munis:
                problems.add(f"{where}.{f.name}.{label}",
                             f"cordon {label!r} belongs to {owner!r}, which is not among the measure's "
                             f"municipalities ({', '.join(munis)}); a {kind.name} changes only its own "
                             f"municipalities' cordons: add {owner!r} to municipality, or name another cordon")


def _labels(value, where: str, problems: _Problems) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
        problems.add(where, f"must be a measure label or a list of labels (got {_shown(value)})")
        return ()
    for item in items:
        _check_printable(item, where, problems)
    return tuple(items)


def _measure(entry, where: str, origin: str, problems: _Problems) -> Measure | None:
    if not isinstance(entry, dict):
        problems.add(where, f"must be a table (got {_type_name(entry)})")
        return None
    n_before = len(problems)
    kind_name = entry.get("kind")
    if kind_name is None:
        problems.add(where, "missing required key 'kind'")
        return None
    if not isinstance(kind_name, str):
        problems.add(f"{where}.kind", f"must be a string naming a measure kind (got {_type_name(kind_name)}); "
                                      f"allowed: {', '.join(sorted(KINDS))}")
        return None
    if kind_name not in KINDS:
        problems.add(f"{where}.kind", f"unknown measure kind {kind_name!r}; {did_you_mean(kind_name, KINDS)}"
                                      f"allowed: {', '.join(sorted(KINDS))}")
        return None
    kind = KINDS[kind_name]
    allowed = list(COMMON_KEYS) + [f.name for f in kind.fields]
    misspelt = set()   # keys left out because the file spells them wrongly: reported once, as unknown keys
    for key in entry:
        if key not in COMMON_KEYS and kind.field(key) is None:
            hint = did_you_mean(key, [k for k in allowed if k not in entry])
            misspelt.update(k for k in allowed if k not in entry and repr(k) in hint)
            problems.add(f"{where}.{key}", f"unknown key for kind {kind_name!r}; {hint}allowed: {', '.join(allowed)}")
    values = {}
    for f in kind.fields:
        if f.name not in entry:
            if f.required and f.name not in misspelt:
                problems.add(where, f"missing required key {f.name!r} ({f.description} [{f.unit}])")
            values[f.name] = (np.full(len(f.labels), float(f.default)) if f.axis and f.default is not None
                              else f.default)
            continue
        values[f.name] = _field_value(f, entry[f.name], f"{where}.{f.name}", problems)
    munis = None
    owner_field = kind.municipality_from
    if "municipality" in entry:
        munis = _municipalities(entry["municipality"], f"{where}.municipality", problems)
    if owner_field and isinstance(values.get(owner_field), str):
        from .cordons import owner_of

        owner = owner_of(values[owner_field])
        if munis is not None and munis != (owner,):
            problems.add(f"{where}.municipality", f"{owner_field} {values[owner_field]!r} belongs to {owner!r}; "
                                                  f"leave municipality out or write {owner!r}")
        munis = (owner,)
    elif "municipality" not in entry and not owner_field and "municipality" not in misspelt:
        # (a measure whose municipality comes from a field has it from there, or an error there already)
        problems.add(where, "missing required key 'municipality'")
    _check_cordon_owners(kind, entry, munis, where, problems)
    start = _year(entry, "start_year", where, problems, required="start_year" not in misspelt)
    end = _year(entry, "end_year", where, problems, required=False)
    if start is not None and end is not None and end < start:
        problems.add(f"{where}.end_year", f"must not be before start_year ({start})")
    ramp = entry.get("ramp_years", 0)
    if not isinstance(ramp, int) or isinstance(ramp, bool) or not 0 <= ramp <= 40:
        problems.add(f"{where}.ramp_years", f"must be an integer from 0 to 40 (got {_shown(ramp)})")
    label = entry.get("label", "")
    if not isinstance(label, str):
        problems.add(f"{where}.label", f"must be a string (got {_type_name(label)})")
    else:
        _check_printable(label, f"{where}.label", problems)
    replaces = _labels(entry["replaces"], f"{where}.replaces", problems) if "replaces" in entry else ()
    price_year = _year(entry, "price_year", where, problems, required=False)
    if price_year is not None and not kind.has_money:
        problems.add(f"{where}.price_year", f"{kind_name} has no field in NOK, so price_year would do nothing (it "
                                            "says which year's NOK a measure's money is in): leave it out")
    elif price_year is None and kind.has_money and start is not None and start < EARLIEST_PRICE_YEAR:
        # its money would be in NOK of its start year, deflated as far back as a price_year may not go
        problems.add(f"{where}.price_year", f"a measure starting before {EARLIEST_PRICE_YEAR} has its money in NOK of "
                                            f"its start year ({start}) unless price_year says otherwise; give a "
                                            f"price_year from {EARLIEST_PRICE_YEAR}")
    start_date = _start_date(entry, start, where, problems)
    adoption, acceptance = _adoption(entry, kind, where, problems)
    if len(problems) == n_before and not _sets_something(kind, values):
        problems.add(where, f"sets nothing; give at least one of {', '.join(f.name for f in kind.fields)}")
    if len(problems) > n_before:
        return None
    deflator = kind.deflator(price_year if price_year is not None else start)
    given = frozenset(f.name for f in kind.fields if f.name in entry)
    return Measure(kind_name, munis, start, ramp, end, values, label or kind_name, origin, replaces, price_year,
                   deflator, adoption, acceptance, start_date, given)


def _start_date(entry: dict, start: int | None, where: str, problems: _Problems) -> date | None:
    """The optional ``start_date``: the day the measure took effect, a TOML date (2017-10-01) or a string
    "2017-10-01", in its start year or the year before (a change late in a year acts from the next)."""
    if "start_date" not in entry:
        return None
    value = entry["start_date"]
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, date) or isinstance(value, datetime):
        problems.add(f"{where}.start_date", f"must be a date like 2017-10-01 (got {_type_name(value)} {_shown(value)})")
        return None
    if start is not None and value.year not in (start - 1, start):
        problems.add(f"{where}.start_date", f"must lie in start_year ({start}) or the year before (got {value})")
        return None
    return value


def _adoption(entry: dict, kind, where: str, problems: _Problems) -> tuple[str, float | None]:
    """``adoption`` ("forced" or "adaptive") and ``acceptance`` (public support, adaptive only)."""
    from .adoption import NATIONAL_KINDS

    adoption = entry.get("adoption", "forced")
    if adoption not in ADOPTION:
        problems.add(f"{where}.adoption", f"must be one of {', '.join(map(repr, ADOPTION))} (got {_shown(adoption)})")
        return "forced", None
    if adoption == "adaptive":
        if kind.name in NATIONAL_KINDS:
            problems.add(f"{where}.adoption", f"{kind.name!r} is set by the state, not decided by a municipality; "
                                              "write it as forced (leave adoption out)")
        elif kind.area == "adaptation":
            problems.add(f"{where}.adoption", "adaptive adoption weighs a measure against the emission target; "
                                              "adaptation measures are forced (leave adoption out)")
        if "replaces" in entry:
            problems.add(f"{where}.replaces", "an adaptive measure cannot replace another (it may never be "
                                              "adopted); give the measure it would replace an end_year instead")
    acceptance = entry.get("acceptance")
    if acceptance is None:
        return adoption, None
    if adoption != "adaptive":
        problems.add(f"{where}.acceptance", 'applies only to measures with adoption = "adaptive"')
    elif not _number(acceptance) or not 0.0 <= acceptance <= 1.0:
        problems.add(f"{where}.acceptance", f"must be a share of the public in favour, between 0 and 1 "
                                            f"(got {_shown(acceptance)})")
    else:
        return adoption, float(acceptance)
    return adoption, None


def _sets_something(kind, values: dict) -> bool:
    try:
        targets = kind.to_levers(values)
    except (TypeError, KeyError, ValueError):
        return True   # a required field is missing; reported already
    return any(np.any(~np.isnan(np.asarray(t, dtype=float))) for t in targets.values())
