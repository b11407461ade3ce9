"""A scenario's own toll cordons: its ``[cordons.<id>]`` tables read and validated, every problem located,
into :class:`cordons.Cordon` objects that follow the shipped ones and those of the scenarios it extends."""

from __future__ import annotations

from . import dims
from .errors import did_you_mean
from .scenario_values import NAME_PATTERN, _check_printable, _municipalities, _number, _Problems, _shown, _type_name

CORDON_KEYS = ("municipality", "charged_direction", "inside_share", "exchange_with", "external_passage_ratio",
               "hour_rule", "succeeds", "name", "source")
# about twice the largest of the shipped cordons' (Bygrensen's 2.55): room for a ring crossed by few of the 13
MAX_EXTERNAL_RATIO = 5.0


def _cordons(table, where: str, problems: _Problems, known: tuple) -> tuple:
    """The toll cordons a scenario file defines (``[cordons.<id>]``), after the ``known`` ones (the
    embedded cordons and those of the scenarios it extends), as :class:`cordons.Cordon`."""
    from .cordons import (DIRECTION_FACTOR, Cordon, default_external_passage_ratio, hour_rule_problem,
                          predecessor_problem, succession_problem)

    if not isinstance(table, dict):
        problems.add(where, f"must be tables [cordons.<id>] (got {_type_name(table)})")
        return ()
    taken = {c.id: c for c in known}
    out = []
    for cid, entry in table.items():
        here = f"{where}.{cid}"
        n_before = len(problems)
        if not NAME_PATTERN.fullmatch(cid):
            problems.add(here, "a cordon id must be letters, digits, '.', '_' or '-' (at most 64)")
        elif cid in taken:
            whose = "a cordon of the scenario it extends" if taken[cid].scenario_file else "a shipped cordon"
            problems.add(here, f"the id {cid!r} is taken by {whose}; choose another id (`framtid list cordons`)")
        if not isinstance(entry, dict):
            problems.add(here, f"must be a table (got {_type_name(entry)})")
            continue
        for key in entry:
            if key not in CORDON_KEYS:
                problems.add(f"{here}.{key}", f"unknown key; {did_you_mean(key, CORDON_KEYS)}"
                                              f"allowed: {', '.join(CORDON_KEYS)}")
        for key in ("municipality", "charged_direction", "inside_share"):
            if key not in entry:
                problems.add(here, f"missing required key {key!r}")
        owner = entry.get("municipality")
        if "municipality" in entry and owner not in dims.MUNICIPALITIES:
            problems.add(f"{here}.municipality", f"unknown municipality {owner!r}; "
                                                 f"{did_you_mean(owner, dims.MUNICIPALITIES)}allowed: "
                                                 f"{', '.join(dims.MUNICIPALITIES)}")
        direction = entry.get("charged_direction")
        if "charged_direction" in entry and direction not in DIRECTION_FACTOR:
            problems.add(f"{here}.charged_direction", f"must be one of {', '.join(DIRECTION_FACTOR)} "
                                                      f"(got {_shown(direction)})")
        shares = _inside_shares(entry["inside_share"], f"{here}.inside_share", problems) \
            if "inside_share" in entry else ()
        exchange = entry.get("exchange_with", "all")
        if exchange in ("all", "*"):       # "*" as a measure's municipality = "*": all (the others)
            others = tuple(m for m in dims.MUNICIPALITIES if m != owner)
        else:
            others = _municipalities(exchange, f"{here}.exchange_with", problems) or ()
            if owner in others:
                problems.add(f"{here}.exchange_with", "lists the cordon's own municipality; name the others")
        ratio = entry["external_passage_ratio"] if "external_passage_ratio" in entry \
            else default_external_passage_ratio()
        if not _number(ratio) or not 0.0 <= ratio <= MAX_EXTERNAL_RATIO:
            problems.add(f"{here}.external_passage_ratio", f"must be a number from 0 to {MAX_EXTERNAL_RATIO:g} "
                                                           "(passages not counted per counted passage; got "
                                                           f"{_shown(ratio)})")
        for key in ("name", "source"):
            if key in entry and not isinstance(entry[key], str):
                problems.add(f"{here}.{key}", f"must be a string (got {_type_name(entry[key])})")
            elif key in entry:
                _check_printable(entry[key], f"{here}.{key}", problems)
        hour_rule, succeeds = entry.get("hour_rule", ""), entry.get("succeeds", "")
        if not isinstance(hour_rule, str) or (hour_rule and not NAME_PATTERN.fullmatch(hour_rule)):
            problems.add(f"{here}.hour_rule", f"must be the name of an hour rule its cordons share, letters, digits, "
                                              f"'.', '_' or '-' (got {_shown(hour_rule)})")
        if not isinstance(succeeds, str):
            problems.add(f"{here}.succeeds", f"must be the id of the cordon it continues (got {_type_name(succeeds)})")
        if len(problems) > n_before:
            # the cordon cannot be built; its predecessor is still checked, so that one pass reports it too
            problem = predecessor_problem(list(taken.values()), succeeds,
                                          owner if owner in dims.MUNICIPALITIES else None) \
                if isinstance(succeeds, str) else None
            if problem:
                problems.add(f"{here}.succeeds", problem)
            continue
        file = where.split(":")[0]
        cordon = Cordon(cid, entry.get("name", cid), owner, direction, shares, others, float(ratio),
                        dims.BASE_YEAR, None, "assumption", f"defined in {file}",
                        entry.get("source", "") or "the scenario file", scenario_file=file, hour_rule=hour_rule,
                        succeeds=succeeds)
        found = [(key, problem) for key, problem in (
            ("hour_rule", hour_rule_problem(list(taken.values()) + [cordon], cordon)),
            ("succeeds", succession_problem(list(taken.values()) + [cordon], cordon))) if problem]
        for key, problem in found:
            problems.add(f"{here}.{key}", problem)
        if found:
            continue
        taken[cid] = cordon
        out.append(cordon)
    return tuple(out)


def _inside_shares(inside, where: str, problems: _Problems) -> tuple[float, ...]:
    """A cordon's ``inside_share`` table: the share of the owner's residents and trip ends inside it for each
    zone type, in the order of ``dims.ZONES`` (empty when a problem was found)."""
    if not isinstance(inside, dict):
        problems.add(where, f"must be a table of shares by zone type, e.g. {{ A = 1.0, B = 0.3, C = 0.0 }} "
                            f"(got {_type_name(inside)})")
        return ()
    n_before = len(problems)
    for zone in inside:
        if zone not in dims.ZONES:
            problems.add(f"{where}.{zone}", f"unknown zone type; allowed: {', '.join(dims.ZONES)}")
    for zone in dims.ZONES:
        value = inside.get(zone)
        if zone not in inside:
            problems.add(where, f"missing zone type {zone!r} (give A, B and C)")
        elif not _number(value) or not 0.0 <= value <= 1.0:
            problems.add(f"{where}.{zone}", f"must be a share from 0 to 1 of the residents and trip ends of zone "
                                            f"type {zone} inside (got {_shown(value)})")
    if len(problems) > n_before:
        return ()
    if not any(inside[zone] for zone in dims.ZONES):
        problems.add(where, "is 0 in every zone type: no trip would cross the cordon")
        return ()
    return tuple(float(inside[zone]) for zone in dims.ZONES)
