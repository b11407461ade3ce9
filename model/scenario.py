"""Scenario files: TOML -> a validated, immutable :class:`Scenario`.

A scenario file has these tables (all but ``[scenario]`` optional)::

    [scenario]
    name = "current-policies"
    description = "..."
    extends = "reference"        # a scenario file in the same folder (".toml" optional), or one
                                 # shipped with framtid: "framtid:reference"; paths are refused
    gwp = "ar5"                  # GWP set for CO2e: ar5 (default), ar4, ar6, sar

    [parameters]                 # overrides of the parameter table, by name
    "land_use.population_growth_long_run" = 0.004

    [population.anchors]         # inhabitants in future years, per municipality
    oslo = { 2030 = 760000, 2050 = 850000 }

    [cordons.drammen_centre]     # a toll cordon of the scenario's own (see `framtid list cordons`)
    municipality = "drammen"     # its owner
    charged_direction = "both"   # inbound | both
    inside_share = { A = 1.0, B = 0.3, C = 0.0 }   # share of residents and trip ends inside, by zone
    exchange_with = "all"        # optional: "all" or the ids whose trips to and from the owner cross it
    external_passage_ratio = 0.3 # optional: passages from outside the 13 and through traffic per
                                 # counted passage (default: the median of the shipped cordons)
    name = "..."                 # optional
    source = "..."               # optional: where the geography comes from

    [[measure]]                  # any number; see `framtid list measures`
    kind = "oil_heating_ban"
    municipality = "*"           # an id, a list of ids, or "*" for all 13
    start_year = 2018
    ramp_years = 3               # optional: years to full strength
    end_year = 2050              # optional
    label = "..."                # optional: a name for reports
    adoption = "adaptive"        # optional: the municipality decides when (default "forced":
                                 # from start_year); see agents.Municipality
    acceptance = 0.45            # optional, adaptive only: public support (default: the kind's)

2009 is the calibrated base year: it always runs under the policies in force then
(``framtid:policies-2009``), so a scenario's measures act from 2010 on; measures
with earlier start years describe policies already in force.

Validation collects every problem before anything runs and reports each with
its file and key path, e.g. ``oslo.toml: measure[2].compliance: must be between
0 and 1 (got 1.5)``.

The ``[[measure]]`` entries are read in scenario_measures.py and the ``[cordons.<id>]`` tables in
scenario_cordons.py, with the small value checks of scenario_values.py that the modules share. Where a
parent comes from (the ``extends`` rule, the shipped scenarios' files) and how a file's measures follow its
parent's (``compose``) are in scenario_inheritance.py; this module reads each file of the chain.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import dims
from .accounting import DEFAULT_GWP, GWP_SETS
from .errors import ScenarioError, did_you_mean
from .measures import Measure
from .parameters import table as parameter_table
from .result_file import is_netcdf
from .scenario_cordons import CORDON_KEYS, MAX_EXTERNAL_RATIO, _cordons, _inside_shares  # noqa: F401  (re-exported)
from .scenario_inheritance import (BUILTIN_PREFIX, EXTENDS_RULE, MAX_EXTENDS_DEPTH, extends_target, resolve,
                                   builtin_names, builtin_path, compose)
from .scenario_measures import _measure
from .scenario_values import NAME_PATTERN, _check_printable, _number, _Problems, _shown, _type_name

TOP_KEYS = ("scenario", "parameters", "population", "cordons", "measure")
SCENARIO_KEYS = ("name", "description", "extends", "gwp")


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    gwp: str
    measures: tuple[Measure, ...]
    parameters: dict[str, float]
    population_anchors: dict[str, dict[int, float]]
    files: tuple[tuple[str, str], ...] = field(default=())   # (path, text) of the file and its parents
    # toll cordons the scenario (or one it extends) defines itself; they follow the embedded ones on the
    # toll lever's cordon axis while it is read, set up and run (cordons.using)
    cordons: tuple = field(default=())
    # The measures of the scenario it extends, and its own as written (before any ends another): a
    # package of measures and its base, e.g. for attribution (``compose(inherited, own) == measures``).
    inherited: tuple[Measure, ...] = field(default=(), compare=False)
    own: tuple[Measure, ...] = field(default=(), compare=False)


def _read(path: Path, problems: _Problems) -> dict | None:
    try:
        raw = path.read_bytes()
        if is_netcdf(raw):
            problems.add(path.name, "is a NetCDF file (a result of framtid run?), not a scenario; a scenario is "
                                    "a TOML text file (see `framtid list scenarios`)")
            return None
        # utf-8-sig: a byte-order mark written by some Windows editors is accepted and dropped
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        problems.add(path.name, f"cannot read scenario file ({exc.strerror or exc})")
        return None
    except UnicodeDecodeError as exc:
        problems.add(path.name, f"not a UTF-8 text file (byte {exc.start}); save it as UTF-8")
        return None
    try:
        return tomllib.loads(text) | {"__text__": text}
    except tomllib.TOMLDecodeError as exc:
        problems.add(path.name, f"invalid TOML: {exc}")
        return None
    except RecursionError:   # arrays or inline tables nested some hundreds deep: the reader gives up
        problems.add(path.name, "invalid TOML: values nested too deeply (arrays or inline tables within one "
                                "another hundreds of levels deep)")
        return None


def _parameters(table, where: str, problems: _Problems) -> dict[str, float]:
    if not isinstance(table, dict):
        problems.add(where, f"must be a table (got {_type_name(table)})")
        return {}
    specs = parameter_table()
    out = {}
    for name, value in table.items():
        key = f'{where}."{name}"'
        spec = specs.get(name)
        if spec is None and isinstance(value, dict):
            # An unquoted dotted name (transport.toll_elasticity = -0.3) is a nested table in TOML.
            full = _dotted_names(name, value)
            known = [n for n in full if n in specs]
            hint = (f'write "{known[0]}" = {_shown(full[known[0]])} (quoted)' if known else
                    f"{did_you_mean(next(iter(full), name), specs)}see `framtid list parameters`")
            problems.add(key, f"a table, not a parameter: a parameter's dotted name must be quoted in TOML; {hint}")
        elif spec is None:
            problems.add(key, f"unknown parameter; {did_you_mean(name, specs)}see `framtid list parameters`")
        elif not _number(value):
            problems.add(key, f"must be a number [{spec.unit}] (got {_type_name(value)} {_shown(value)})")
        elif not spec.low <= value <= spec.high:
            problems.add(key, f"must be between {spec.low:g} and {spec.high:g} [{spec.unit}] (got {value})")
        else:
            out[name] = float(value)
    return out


def _dotted_names(name: str, value) -> dict:
    """The dotted names and values of a nested table (``{"transport": {"toll_elasticity": -0.3}}`` gives
    ``{"transport.toll_elasticity": -0.3}``), as TOML reads an unquoted dotted key. Walked without recursion: a
    dotted key thousands of parts long reads as tables as deep, which must get its message, not a RecursionError."""
    out = {}
    stack = [(name, value)]
    while stack:
        key, inner = stack.pop()
        if isinstance(inner, dict):
            stack.extend((f"{key}.{k}", v) for k, v in reversed(list(inner.items())))
        else:
            out[key] = inner
    return out


def _population(table, where: str, problems: _Problems) -> dict[str, dict[int, float]]:
    if not isinstance(table, dict):
        problems.add(where, f"must be a table (got {_type_name(table)})")
        return {}
    out: dict[str, dict[int, float]] = {}
    for key, value in table.items():
        if key != "anchors":
            problems.add(f"{where}.{key}", "unknown key; allowed: anchors")
            continue
        if not isinstance(value, dict):
            problems.add(f"{where}.anchors", f"must be a table (got {_type_name(value)})")
            continue
        for muni, points in value.items():
            here = f"{where}.anchors.{muni}"
            if muni not in dims.MUNICIPALITIES:
                problems.add(here, f"unknown municipality; allowed: {', '.join(dims.MUNICIPALITIES)}")
                continue
            if not isinstance(points, dict) or not points:
                problems.add(here, "must be a table of year = inhabitants")
                continue
            parsed = {}
            for year, inhabitants in points.items():
                if not (year.isascii() and year.isdigit()) or not 2023 <= int(year) <= dims.FINAL_YEAR:
                    problems.add(f"{here}.{year}", f"year must be from 2023 to {dims.FINAL_YEAR} "
                                                   "(after the last observed population)")
                elif not _number(inhabitants) or not 10_000 <= inhabitants <= 5_000_000:
                    problems.add(f"{here}.{year}", "must be a number of inhabitants from 10 000 to 5 000 000 "
                                                   f"(got {_shown(inhabitants)})")
                else:
                    parsed[int(year)] = float(inhabitants)
            jump = _population_jump(muni, parsed)
            if jump:
                problems.add(here, jump)
            out[muni] = parsed
    return out


MAX_POPULATION_CHANGE = 0.15   # [1/yr] assumption: 8 times the fastest growth of the 13, 2009-2022 (Sandnes, 1.8 %/yr)
POPULATION_RATIO = (0.5, 2.5)  # [1] assumption: an anchor against the last observed population (2022); 1.8 %/yr to
                               # 2050 is x1.65


def _population_jump(municipality: str, anchors: dict[int, float]) -> str | None:
    """What is wrong with anchors that make the population change by more than ``MAX_POPULATION_CHANGE`` a year
    (from the last observed year to the first anchor, or between two anchors): a digit too many or too few."""
    from .data_store import observations

    observed = max(((o.year, o.value) for o in observations() if o.municipality == municipality
                    and o.variable == "population" and o.year is not None), default=None)
    points = ([observed] if observed else []) + sorted(anchors.items())
    if observed:   # a digit too many over a long span stays under the yearly bound: the whole change too
        low, high = POPULATION_RATIO
        far = [(y, p) for y, p in anchors.items() if not low <= p / observed[1] <= high]
        if far:
            y, p = far[0]
            return (f"{p:,.0f} in {y} is {p / observed[1]:.2f} times the {observed[1]:,.0f} observed in {observed[0]}; "
                    f"a plausible projection lies within {low:g} and {high:g} times it (a digit too many or too few?)")
    for (y0, p0), (y1, p1) in zip(points, points[1:]):
        rate = (p1 / p0) ** (1.0 / (y1 - y0)) - 1.0
        if abs(rate) > MAX_POPULATION_CHANGE:
            seen = " (observed)" if observed and y0 == observed[0] else ""
            return (f"{p0:,.0f} in {y0}{seen} to {p1:,.0f} in {y1} is {100 * rate:+.0f} % a year; at most "
                    f"±{100 * MAX_POPULATION_CHANGE:.0f} % a year is taken for a plausible projection (a digit too "
                    "many or too few?)")
    return None


def _unique_labels(raw: list, label: str, problems: _Problems) -> None:
    """Refuse a label given to two measures of one file: ``replaces`` names measures by label, and would end
    both. (A measure without a label is called by its kind; several of those may stand side by side.)"""
    first: dict[str, int] = {}
    for i, entry in enumerate(raw, start=1):
        name = entry.get("label") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            continue
        if name in first:
            problems.add(f"{label}: measure[{i}].label", f"{name!r} labels measure[{first[name]}] already; give each "
                                                        "measure of a file its own label (replaces names measures "
                                                        "by label, and would end both)")
        else:
            first[name] = i


def _load(path: Path, problems: _Problems, chain: tuple[Path, ...]) -> Scenario | None:
    given = path
    where = chain[-1].name + ": scenario.extends" if chain else str(given)
    resolved = resolve(path, problems, where)
    if resolved is None:
        return None
    path = resolved
    label = path.name
    if path in chain:
        cycle = " -> ".join(p.name for p in chain + (path,))
        problems.add(chain[-1].name, f"scenario.extends: cycle in extends ({cycle})")
        return None
    if len(chain) >= MAX_EXTENDS_DEPTH:
        problems.add(f"{chain[-1].name}: scenario.extends",
                     f"chain of extends is deeper than {MAX_EXTENDS_DEPTH} files ({chain[0].name} -> ... -> "
                     f"{path.name}); flatten it")
        return None
    if not chain and not path.is_file():
        if path.exists():
            problems.add(str(given), "not a file")
        else:   # a shipped scenario's name written without its prefix reads as a file name
            shipped = f" (the shipped scenario is {BUILTIN_PREFIX}{given})" if str(given) in builtin_names() else ""
            problems.add(str(given), f"no such scenario file{shipped}")
        return None
    data = _read(path, problems)
    if data is None:
        return None
    text = data.pop("__text__")
    for key in data:
        if key not in TOP_KEYS:
            problems.add(f"{label}: {key}", f"unknown top-level key; {did_you_mean(key, TOP_KEYS)}"
                                            f"allowed: {', '.join(TOP_KEYS)}")
    head = data.get("scenario")
    if not isinstance(head, dict):
        problems.add(label, "missing [scenario] table with at least name = \"...\"")
        head = {}
    for key in head:
        if key not in SCENARIO_KEYS:
            problems.add(f"{label}: scenario.{key}", f"unknown key; {did_you_mean(key, SCENARIO_KEYS)}"
                                                     f"allowed: {', '.join(SCENARIO_KEYS)}")
    name = head.get("name")
    if head and not (isinstance(name, str) and NAME_PATTERN.fullmatch(name)):
        problems.add(f"{label}: scenario.name", "must be a name of 1 to 64 ASCII letters (a-z, A-Z, no æ, ø, å), "
                                                "digits, '.', '_' or '-', beginning with a letter or digit (it names "
                                                f"the result file; got {_shown(name)})")
    for key in ("description", "extends", "gwp"):
        if key in head and not isinstance(head[key], str):
            problems.add(f"{label}: scenario.{key}", f"must be a string (got {_type_name(head[key])})")
        elif key in head:
            _check_printable(head[key], f"{label}: scenario.{key}", problems)
    gwp = head.get("gwp")
    if isinstance(gwp, str) and gwp not in GWP_SETS:
        problems.add(f"{label}: scenario.gwp", f"unknown GWP set {gwp!r}; allowed: {', '.join(GWP_SETS)}")

    parent = None
    if isinstance(head.get("extends"), str):
        target = extends_target(head["extends"])
        if target is None:
            problems.add(f"{label}: scenario.extends", f"{head['extends']!r} is not allowed: {EXTENDS_RULE}")
        else:
            stem, builtin = target
            parent_path = builtin_path(stem) if builtin else path.parent / f"{stem}.toml"
            if not parent_path.exists() and not parent_path.is_symlink():
                if builtin:
                    problems.add(f"{label}: scenario.extends", f"no scenario {head['extends']!r} is shipped with "
                                                               f"framtid; {_shipped_hint(stem)}"
                                                               f"built-ins: {', '.join(builtin_names())}")
                else:
                    hint = (f'; the shipped one is extends = "framtid:{stem}"' if stem in builtin_names() else "")
                    problems.add(f"{label}: scenario.extends", f"no scenario {head['extends']!r} (looked for "
                                                               f"{parent_path.name} next to {label}){hint}")
            else:
                n_before = len(problems)
                parent = _load(parent_path, problems, chain + (path,))
                others = list(dict.fromkeys(p.split(": ", 1)[0] for p in problems[n_before:]
                                            if not p.startswith(f"{label}: ")))
                if others and not chain:   # the file named may not be the one in error: say how they meet
                    problems.add(f"{label}: scenario.extends",
                                 f"the problem(s) above are in {', '.join(others)}, "
                                 + (f"which {label} extends" if others == [parent_path.name]
                                    else f"of the files {label} extends ({head['extends']!r} and those it extends)"))

    from .cordons import embedded_cordons, using

    inherited_cordons = tuple(parent.cordons) if parent else ()
    scenario_cordons = inherited_cordons + _cordons(data.get("cordons", {}), f"{label}: cordons", problems,
                                                    embedded_cordons() + inherited_cordons)
    raw = data.get("measure", [])
    if not isinstance(raw, list):
        problems.add(f"{label}: measure", "must be written as [[measure]] tables")
        raw = []
    with using(scenario_cordons):   # the measures may charge the scenario's own cordons
        own = [m for i, entry in enumerate(raw, start=1)
               if (m := _measure(entry, f"{label}: measure[{i}]", f"{label}: measure[{i}]", problems)) is not None]
    _defined_but_broken(data.get("cordons", {}), scenario_cordons, problems)
    _unique_labels(raw, label, problems)
    inherited = tuple(parent.measures) if parent else ()
    measures = compose(inherited, own, problems)
    params = dict(parent.parameters) if parent else {}
    params.update(_parameters(data.get("parameters", {}), f"{label}: parameters", problems))
    anchors = dict(parent.population_anchors) if parent else {}
    anchors.update(_population(data.get("population", {}), f"{label}: population", problems))
    return Scenario(
        name=name if isinstance(name, str) else path.stem,
        description=head.get("description", "") if isinstance(head.get("description"), str) else "",
        gwp=gwp if gwp in GWP_SETS else (parent.gwp if parent else DEFAULT_GWP),
        measures=tuple(measures), parameters=params, population_anchors=anchors,
        files=((parent.files if parent else ()) + ((str(path), text),)), inherited=inherited, own=tuple(own),
        cordons=scenario_cordons,
    )


def _shipped_hint(name: str) -> str:
    """``did you mean 'framtid:x'? `` for a shipped scenario's name misspelt (compared without the prefix, which
    every name shares and would make any name look close)."""
    import re

    return re.sub(r"'([^']+)'", lambda m: f"'{BUILTIN_PREFIX}{m.group(1)}'", did_you_mean(name, builtin_names()))


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file, or a built-in given as ``framtid:NAME``;
    raise :class:`ScenarioError` listing every problem."""
    problems = _Problems()
    text = str(path)
    if text.startswith(BUILTIN_PREFIX):
        target = extends_target(text)
        if target is None or not builtin_path(target[0]).is_file():
            wanted = target[0] if target is not None else text[len(BUILTIN_PREFIX):]
            raise ScenarioError([f"{text}: no such built-in scenario; {_shipped_hint(wanted)}built-ins: "
                                 + ", ".join(BUILTIN_PREFIX + n for n in builtin_names())])
        path = builtin_path(target[0])
    scenario = _load(Path(path), problems, ())
    if problems or scenario is None:
        raise ScenarioError(list(dict.fromkeys(problems)))
    return scenario


def _defined_but_broken(table, made: tuple, problems: _Problems) -> None:
    """A measure naming a cordon this file defines, whose definition has problems (reported where it stands), was
    told the cordon must be one of the others, as if a scenario could not define one: it is told that the
    cordon's definition has problems instead."""
    import re

    broken = set(table) - {c.id for c in made} if isinstance(table, dict) else set()
    for k, problem in enumerate(problems):
        found = re.fullmatch(r"(.*\.cordon): must be one of .* \(got '([^']*)'\).*", problem)
        if found and found.group(2) in broken:
            problems[k] = (f"{found.group(1)}: names the cordon {found.group(2)!r} this file defines, whose "
                           "definition has problems (see its [cordons] table)")

