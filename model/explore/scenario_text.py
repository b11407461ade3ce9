"""A choice of the explorer written as a scenario file that ``framtid run`` runs to the same numbers.

The file extends the package's base (a shipped scenario by its ``framtid:`` name; a file of one's own by its
name, so the written file belongs beside it) and holds the chosen measures, as edited, with the parameters,
population anchors and GWP set of the package's scenario. A package whose files define toll cordons of
their own is refused: the cordons would have to be copied too, and copying the file is then the simpler way.
"""

from __future__ import annotations

from ..errors import UsageError
from ..scenario_values import NAME_PATTERN
from ..toml_text import comment_text, key_text, value_text
from .session import Explorer

def _shipped(path) -> bool:
    """Whether ``path`` is the file of a shipped scenario (``framtid:NAME``)."""
    from pathlib import Path

    from ..scenario_inheritance import builtin_path

    p = Path(path)
    try:
        return builtin_path(p.stem).resolve() == p.resolve()
    except (OSError, ValueError):
        return False


def _extends(explorer: Explorer) -> str:
    """The base as the written file's ``extends``."""
    from ..scenario_inheritance import BUILTIN_PREFIX

    path = explorer.base_path
    if path is None:
        return ""
    return f"{BUILTIN_PREFIX}{path.stem}" if _shipped(path) else path.stem


def _own_cordons(explorer: Explorer) -> bool:
    """Whether the package's files define toll cordons the base does not have."""
    from ..scenario import load

    base = load(explorer.base_path).cordons if explorer.base_path is not None else ()
    return len(explorer.scenario.cordons) > len(base)


def _file_name(path: str) -> str:
    """A scenario file as the written file's comments name it: a shipped one ``framtid:NAME``, another by its name."""
    from pathlib import Path

    from ..scenario_inheritance import BUILTIN_PREFIX

    return f"{BUILTIN_PREFIX}{Path(path).stem}" if _shipped(path) else Path(path).name


def _replacing_what_is_there(explorer: Explorer, chosen: list) -> list[dict]:
    """The chosen measures' tables, each ``replaces`` without the labels that match no measure in force before it.

    The page's run composes the choice as attribution does (``compose(..., package=...)``): a label of a package
    measure that is turned off (or already ended by another replacement) matches nothing and is passed over. A file
    cannot say so (such a label is refused), so the composition is replayed here, measure by measure, as ``compose``
    makes it, and only the labels that matched something are written."""
    from ..measures import measure_replacing

    in_force = list(explorer.inherited)
    out = []
    for _, entry, m in chosen:
        if entry.get("replaces"):
            in_force, unmatched = measure_replacing(in_force, m)
            kept = [lab for lab in m.replaces if lab not in unmatched]   # (a file may give one label as a string)
            entry = dict(entry)          # (the key keeps its place)
            if kept:
                entry["replaces"] = kept
            else:
                del entry["replaces"]
        in_force.append(m)
        out.append(entry)
    return out


def _check_labels(chosen: list, n: int) -> None:
    """Refuse two chosen measures with one label: one file cannot hold both (``replaces`` names measures by label).
    It happens where a chain of files revises a measure under its own label (``--base`` reaching back)."""
    first: dict[str, tuple] = {}
    for i, entry, m in chosen:
        label = entry.get("label")
        if not isinstance(label, str) or not label:   # (as the file's reader: a measure without a label)
            continue
        if label in first:
            j, other = first[label]
            added = "rename or remove the added one" if i >= n else "turn one of them off"
            raise UsageError(f"measures {j + 1} ({other.origin}) and {i + 1} ({m.origin}) are both labelled "
                             f"{label!r}; one scenario file cannot hold both: {added} to write the choice as a file")
        first[label] = (i, m)


def scenario_text(explorer: Explorer, choice: dict | None, name: str) -> str:
    """The scenario file of ``choice`` (see :meth:`Explorer.chosen`), named ``name``."""
    from framtid import __version__

    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise UsageError(f"name: must be a name of 1 to 64 ASCII letters, digits, '.', '_' or '-', beginning with a "
                         f"letter or digit (it names the result file; got {name!r})")
    if _own_cordons(explorer):
        raise UsageError(f"{explorer.scenario.name}: defines toll cordons of its own, which a file extending "
                         f"{explorer.base_name} would lack; copy the scenario's file and edit it instead")
    chosen = explorer.chosen(choice)
    entries = _replacing_what_is_there(explorer, chosen)
    _check_labels(chosen, len(explorer.own))
    n = len(explorer.own)
    edited = sum(1 for i, entry, _ in chosen if i < n and entry is not explorer.entries[i])
    added = sum(1 for i, _, _ in chosen if i >= n)
    scenario = explorer.scenario
    where = _file_name(scenario.files[-1][0]) if scenario.files else scenario.name
    lines = [
        f"# Written by framtid {__version__} (framtid explore) from {comment_text(where)}:",
        f"# {len(chosen) - added} of the {len(explorer.own)} measures it adds to {comment_text(explorer.base_name)}, "
        f"{edited} of them edited" + (f", and {added} added" if added else "") + ".",
        f"#   framtid run {name}.toml",
    ]
    extends = _extends(explorer)
    if extends and not extends.startswith("framtid:"):
        lines.append(f"# It extends {extends}: keep it in the folder of {comment_text(explorer.base_path.name)}.")
    description = (f"{len(chosen) - added} measures of {scenario.name}" + (f" and {added} added" if added else "")
                   + ", chosen in framtid explore")
    lines += ["", "[scenario]", f"name = {value_text(name)}",
              f"description = {value_text(description)}"]
    if extends:
        lines.append(f"extends = {value_text(extends)}")
    lines.append(f"gwp = {value_text(scenario.gwp)}")
    if scenario.parameters:
        lines += ["", "[parameters]"]
        lines += [f"{key_text(k)} = {value_text(float(v))}" for k, v in sorted(scenario.parameters.items())]
    if scenario.population_anchors:
        lines += ["", "[population.anchors]"]
        lines += [f"{key_text(m)} = {value_text({str(y): float(v) for y, v in sorted(years.items())})}"
                  for m, years in scenario.population_anchors.items()]
    for (i, written, m), entry in zip(chosen, entries):
        lines += ["", "[[measure]]"]
        if i >= n:
            lines.append("# added in framtid explore")
        elif written is not explorer.entries[i]:
            lines.append(f"# edited in framtid explore (as written: {comment_text(m.origin)})")
        if entry.get("replaces") != written.get("replaces"):
            lines.append(f"# replaces only what this file holds (as written: replaces "
                         f"{comment_text(written['replaces'])})")
        lines += [f"{key_text(k)} = {value_text(v)}" for k, v in entry.items()]
    text = "\n".join(lines) + "\n"
    if not extends or extends.startswith("framtid:"):
        _reads_back(text, name)
    return text


def _reads_back(text: str, name: str) -> None:
    """Refuse to hand out a file ``framtid run`` would refuse (checked where the file needs no folder of its own:
    its base is shipped, or it has none)."""
    import tempfile
    from pathlib import Path

    from ..errors import ScenarioError
    from ..scenario import load

    with tempfile.TemporaryDirectory(prefix="framtid-explore-") as folder:
        path = Path(folder) / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        try:
            load(path)
        except ScenarioError as e:
            raise UsageError("the choice cannot be written as a scenario file that loads: "
                             + "; ".join(e.problems).replace(str(path), f"{name}.toml")) from None
