"""The players of a package's evaluation: each measure, or the measures of one kind or programme area together.

Attribution credits its players with Shapley values (:mod:`.attribution`) and costing runs each first-in
(:mod:`.costs`); a group is in or out with all its measures. :func:`display_name` is what tables, legends and
cost labels call a player.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError

BY = ("measure", "kind", "area")   # what a player is: a measure, or the measures of a kind or area


def players(own: list, by: str = "measure") -> tuple[list[tuple[str, str]], list[list[int]]]:
    """The players of the attribution, (kind, label) each, and the package's measures each takes (indices into
    ``own``): every measure on its own, or the measures of one kind or one programme area together (in the
    order their first measure is written; the label says how many, after the area's name)."""
    from ..measures import KINDS

    if by not in BY:
        raise UsageError(f"--by: {by!r}; allowed: {', '.join(BY)}")
    if by == "measure":
        return [(m.kind, m.label) for m in own], [[i] for i in range(len(own))]
    key = (lambda m: m.kind) if by == "kind" else (lambda m: KINDS[m.kind].area)
    groups = list(dict.fromkeys(key(m) for m in own))
    members = [[i for i, m in enumerate(own) if key(m) == g] for g in groups]

    def count(ix: list[int]) -> str:
        return f"{len(ix)} measure{'s' if len(ix) > 1 else ''}"

    # a kind's group: the kind in its column and the count as its label; an area's: the area and the count
    names = [(g, count(ix)) if by == "kind" else ("", f"{g} ({count(ix)})") for g, ix in zip(groups, members)]
    return names, members


def display_name(kind: str, label: str, by: str) -> str:
    """A player's name in a list or legend: the measure's label, the kind with its count ("co2_tax (16
    measures)"), or the area's label (which holds its count already)."""
    return f"{kind} ({label})" if by == "kind" else label


def package_of(scenario, base: str | None = None, nothing: str | None = "attribute", verb: str = "attributed",
               ) -> tuple[tuple, list, Path | None]:
    """(the measures in force in the base, the package, the base's file): :func:`.scenario_inheritance.package_since`,
    refused when it is empty ("nothing to ``nothing``"; None: an empty package is allowed) or holds an adaptive
    measure ("cannot be ``verb``")."""
    from ..scenario_inheritance import package_since

    inherited, own, path = package_since(scenario, base)
    if not own and nothing is not None:
        given = Path(scenario.files[-1][0]).name if scenario.files else scenario.name
        after = "the scenario it extends" if base is None else repr(base)
        raise UsageError(f"{given}: adds no measures to {after}, so there is nothing to {nothing}; give a scenario "
                         "file with [[measure]] entries")
    adaptive = [m.label for m in own if m.adoption == "adaptive"]
    if adaptive:
        raise UsageError(f"adaptive measures cannot be {verb} ({', '.join(adaptive)}): whether they act "
                         "depends on the run; write them without adoption = \"adaptive\"")
    return inherited, own, path


