"""Where a scenario file's parent comes from, and what the child makes of the parent's measures.

``extends`` names a file in the same folder or a scenario shipped with framtid (``framtid:NAME``), never a
path, so a folder of scenarios can be moved or shared as it is (:data:`EXTENDS_RULE`); the shipped ones live
in two folders of the package (:func:`builtin_path`, :func:`builtin_names`). :func:`compose` puts an
extending scenario's own measures after the inherited ones, a measure with ``replaces`` ending the earlier
ones it names. scenario.py reads each file of a chain with these; attribution and costs compose the
variants of a package with :func:`compose` as a scenario file would, the package being a file's own
measures or all that the files after one of its ancestors add (:func:`package_since`).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from .errors import ScenarioError, UsageError
from .measures import Measure, measure_replacing
from .scenario_values import NAME_PATTERN, _Problems

BUILTIN_PREFIX = "framtid:"
EXTENDS_RULE = ('extends names a scenario file in the same folder ("reference" or "reference.toml") or a '
                'scenario shipped with framtid ("framtid:reference"); paths are not allowed')
MAX_EXTENDS_DEPTH = 16   # a deeper chain is a mistake, and must not reach Python's recursion limit


def _builtin_folders() -> list[Path]:
    """Where shipped scenarios live: the ones a planner starts from (the package's scenarios/
    folder), then the calibration base (model/data/scenarios). `framtid list scenarios` shows them."""
    return [Path(str(resources.files("framtid.scenarios"))),
            Path(str(resources.files("framtid.model") / "data" / "scenarios"))]


def builtin_names() -> list[str]:
    """Names of the scenarios shipped with framtid (usable as ``framtid:NAME``)."""
    names = []
    for folder in _builtin_folders():
        names += [p.stem for p in sorted(folder.glob("*.toml")) if p.stem not in names]
    return names


def builtin_path(name: str) -> Path:
    """The file of a scenario shipped with framtid, e.g. ``reference`` or the calibration base ``policies-2009``.
    Returns a path that does not exist if there is no such scenario."""
    folders = _builtin_folders()
    for folder in folders:
        candidate = folder / f"{name}.toml"
        if candidate.is_file():
            return candidate
    return folders[0] / f"{name}.toml"


def extends_target(extends: str) -> tuple[str, bool] | None:
    """(file stem, is built-in) of an ``extends`` value, or None if it breaks the rule."""
    builtin = extends.startswith(BUILTIN_PREFIX)
    name = extends.removeprefix(BUILTIN_PREFIX) if builtin else extends
    name = name.removesuffix(".toml")
    return (name, builtin) if NAME_PATTERN.fullmatch(name) else None


def resolve(path: Path, problems: _Problems, where: str) -> Path | None:
    try:
        return path.resolve(strict=True)
    except FileNotFoundError:
        return path.absolute()
    except (OSError, RuntimeError) as exc:   # a symlink loop is RuntimeError before Python 3.13
        problems.add(where, f"cannot follow the path {path} ({getattr(exc, 'strerror', None) or exc})")
        return None


def compose(inherited, added, problems: list | None = None, package: Iterable[Measure] = ()) -> tuple[Measure, ...]:
    """The measures in force when ``added`` are written after ``inherited``, in order: a measure with
    ``replaces`` ends the earlier measures of those labels first (``measure_replacing``). Problems
    (a label that matches nothing, an adaptive measure replaced) go to ``problems`` when given, located
    by the measure's origin; without it they raise :class:`ScenarioError`.

    ``package``: the measures of which ``added`` are some (attribution and costs run the base with some
    of a package): a measure that replaces one of the package left out replaces nothing here and
    simply starts, as it would in a scenario without the measure it replaces."""
    added = list(added)
    chosen = {id(m) for m in added}      # the package's own objects: by identity, as value equality costs n^2
    left_out = {m.label for m in package if id(m) not in chosen}
    out = _Problems()
    measures = list(inherited)
    for m in added:
        if m.replaces:
            for lab in m.replaces:
                if any(x.label == lab and x.adoption == "adaptive" for x in measures):
                    out.add(f"{m.origin}.replaces", f"{lab!r} is adaptive and may never be adopted; it cannot "
                                                    "be replaced")
                problem = _replacing_nothing(m, [x for x in measures if x.label == lab])
                if problem:
                    out.add(f"{m.origin}.replaces", problem)
            problem = _ramp_on_summed_levers(m)
            if problem:
                out.add(f"{m.origin}.ramp_years", problem)
            before = measures
            measures, unmatched = measure_replacing(measures, m)
            for lab in unmatched:
                if lab not in left_out:
                    out.add(f"{m.origin}.replaces", f"no earlier measure is labelled {lab!r}; "
                                                    + _labels_it_may_mean(lab, m, before))
        measures.append(m)
    if problems is not None:
        problems.extend(out)
    elif out:
        raise ScenarioError(list(out))
    return tuple(measures)


def _labels_it_may_mean(label: str, m: Measure, earlier: list[Measure], shown: int = 5) -> str:
    """What a ``replaces`` label that matches nothing may have meant, newest first: the nearest spellings among the
    labels of the earlier measures it may replace (in its municipalities; adaptive ones may never be replaced), then
    the latest labels of those of ``m``'s kind (on its cordon first, for a measure of one), so that a planner
    extending a shipped scenario sees what to write."""
    from .errors import did_you_mean

    if not earlier:
        return "there is no earlier measure to replace (only those of the scenario it extends and its own earlier ones)"
    usable = [x for x in reversed(earlier) if x.adoption != "adaptive"]
    here = [x for x in usable if set(x.municipalities) & set(m.municipalities)]
    same = [x for x in here if x.kind == m.kind]
    cordon = m.values.get("cordon")
    if isinstance(cordon, str) and any(x.values.get("cordon") == cordon for x in same):
        same = [x for x in same if x.values.get("cordon") == cordon]
    near = list(dict.fromkeys(x.label for x in same))[:shown]
    hint = did_you_mean(label, list(dict.fromkeys(x.label for x in here)))
    if near:
        return hint + f"allowed: the label of an earlier measure, e.g. {', '.join(repr(n) for n in near)}"
    return hint + ("allowed: the label of an earlier measure that is not adaptive (`framtid validate` of the scenario "
                   "it extends lists them)")


def _replacing_nothing(m: Measure, named: list[Measure]) -> str | None:
    """Why ``m`` cannot replace the earlier measures ``named`` by one of its ``replaces`` labels (None if it can):
    acting in other municipalities, it would end nothing. (Ending a policy of other levers is allowed, a fare cut
    in place of a toll ring, and warned of: ``scenario_checks.replaced_across_levers``.)"""
    if not named or any(set(m.municipalities) & set(x.municipalities) for x in named):
        return None
    where = ", ".join(dict.fromkeys(mu for x in named for mu in x.municipalities))
    return (f"{named[0].label!r} acts in {where}, this measure in {', '.join(m.municipalities)}: it would replace "
            "nothing (a measure ends the one it replaces only in its own municipalities)")


def _ramp_on_summed_levers(m: Measure) -> str | None:
    """Why ``m`` cannot ramp from the measure it replaces (None if it can): the replaced measure runs at full
    strength until the replacing one is, which is a ramp from it only on levers where the later setting
    replaces the earlier; where settings add up or the larger wins, the two would stack and then drop."""
    from .levers import LEVERS
    from .measures import lever_targets

    if m.ramp_years <= 1:
        return None
    summed = sorted(k for k in lever_targets(m) if LEVERS[k].combine != "replace")
    if not summed:
        return None
    rules = ", ".join(f"{k} ({LEVERS[k].combine})" for k in summed)
    return (f"{m.ramp_years} with `replaces`: {m.kind} sets {rules}, whose settings combine rather than replace "
            "one another, so it cannot ramp from the measure it replaces; write ramp_years = 1, or end that "
            "measure with end_year and start this one as a ramp of its own (no replaces)")


def package_since(scenario, base: str | None = None) -> tuple[tuple[Measure, ...], list[Measure], Path | None]:
    """(the measures in force in the base, the package, the base's file): the package is the measures the files
    of ``scenario``'s chain of ``extends`` add after the scenario named ``base`` (its file's stem), in the order
    they are written; None: the one ``scenario`` extends (its own measures). ``compose(base's, package,
    package=package)`` gives the scenario's measures. The base's file is None for a scenario extending none."""
    from .scenario import load

    stems = [Path(p).stem for p, _ in scenario.files]
    if base is None or (len(stems) > 1 and base == stems[-2]):
        return tuple(scenario.inherited), list(scenario.own), Path(scenario.files[-2][0]) if len(stems) > 1 else None
    if base not in stems[:-1]:
        ancestors = list(reversed(stems[:-1]))
        raise UsageError(f"--base: {base!r} is not a scenario that {scenario.name!r} extends; allowed: "
                         f"{', '.join(ancestors) if ancestors else '(none: it extends no scenario)'}")
    k = stems.index(base)
    own = [m for p, _ in scenario.files[k + 1:-1] for m in load(p).own] + list(scenario.own)
    return tuple(load(scenario.files[k][0]).measures), own, Path(scenario.files[k][0])
