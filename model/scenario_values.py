"""The small value checks shared by the reading of a scenario file (scenario.py), of its own cordons
(scenario_cordons.py) and of its ``extends`` (scenario_inheritance.py): the list that collects located
problems, the type names their messages use, and what counts as a number, a file-safe name and a set of
municipalities."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time

from . import dims
from .errors import did_you_mean

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")   # names result files: short and file-safe


def _type_name(value) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "list",
            dict: "table"}.get(type(value), type(value).__name__)


def _shown(value) -> str:
    """A value of a scenario file as a message quotes it: dates and times as TOML writes them (2030-01-01, not
    datetime.date(2030, 1, 1)), also in a list; anything else as Python writes it (strings quoted)."""
    if isinstance(value, (date, time)):      # a datetime is a date
        return value.isoformat()
    if isinstance(value, list):
        return f"[{', '.join(map(_shown, value))}]"
    return repr(value)


def _control_character(text: str) -> str | None:
    """The problem with a text a terminal shows (a label, a description), or None: a control or format character
    (a bell, a carriage return that overwrites the line a user reads, an escape sequence, a right-to-left override
    that shows the text reversed) or a line or paragraph separator, named by its code point."""
    bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")), None)
    if bad is None:
        return None
    return (f"must not hold control characters (U+{ord(bad):04X} at position {text.index(bad) + 1}); allowed: "
            "printable text on one line")


def _check_printable(text: str, where: str, problems: "_Problems") -> None:
    """Add the problem of :func:`_control_character` with ``text`` at ``where``, if it has one."""
    problem = _control_character(text)
    if problem:
        problems.add(where, problem)


class _Problems(list):
    def add(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _municipalities(value, where: str, problems: _Problems) -> tuple[str, ...] | None:
    if value == "*":
        return dims.MUNICIPALITIES
    # a municipality number may be written as a TOML integer (3201; Oslo's 0301 as 301) as well as a string
    items = [value] if isinstance(value, (str, int)) and not isinstance(value, bool) else value
    if isinstance(items, list):
        items = [f"{v:04d}" if isinstance(v, int) and not isinstance(v, bool) else v for v in items]
    if not isinstance(items, list) or not items or not all(isinstance(v, str) for v in items):
        problems.add(where, f"must be a municipality (id, name or number), a list of them, or \"*\" (got "
                            f"{_shown(value)})")
        return None
    if "*" in items:
        problems.add(where, f'"*" (all 13) stands alone, not inside a list: write {where.rsplit(".", 1)[-1]} = "*"')
        return None
    # a name or a municipality number of 2020 or 2024 (Bærum, 3024, 3201) is its id, as on the command line
    from .municipality_names import municipality_aliases

    aliases = municipality_aliases()
    items = [aliases.get(v.strip().casefold(), v) for v in items]
    unknown = [v for v in items if v not in dims.MUNICIPALITIES]
    if unknown:
        problems.add(where, f"unknown municipality {', '.join(map(repr, unknown))}; "
                            f"{did_you_mean(unknown[0], dims.MUNICIPALITIES)}allowed: "
                            f"{', '.join(dims.MUNICIPALITIES)} (or their names or municipality numbers) or \"*\"")
        return None
    if len(set(items)) != len(items):
        problems.add(where, "lists a municipality twice")
        return None
    return tuple(items)
