"""A table a command prints, saved to a file with where it came from (``--save FILE`` of ``summary``,
``targets``, ``indicators``, ``decompose`` and ``hindcast``, which read a result, and of ``tolls``, ``attribute``,
``costs``, ``elasticities`` and ``grants``, which run scenarios).

The file holds the table as the command prints it in its ``--format``, with its provenance
(:func:`framtid.model.provenance.with_provenance`): CSV and text tables after ``# item: value`` comment
lines (in a ``.md`` file both in fenced blocks), JSON as
``{"provenance": {...}, "table": ...}``. Its name ends as its format asks (:data:`SUFFIXES`),
and it is checked before any work and written atomically, never over an existing file without ``force``
(:mod:`framtid.model.safe_write`).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

OPTION = "--save"
# the endings a saved table's file may have, by the command's --format
SUFFIXES = {"csv": (".csv",), "json": (".json",), "table": (".txt", ".md")}


def allowed(fmt: str) -> str:
    """What a file saved in ``fmt`` must be named, and what the other formats take."""
    others = ", ".join(f"--format {f}: {' or '.join(s)}" for f, s in SUFFIXES.items() if f != fmt)
    return f"--format {fmt} is saved to a file ending in {' or '.join(SUFFIXES[fmt])} ({others})"


def check(path: str | Path, fmt: str, force: bool, inputs=(), outputs=()) -> Path:
    """Refuse a file to save a table in ``fmt`` to that cannot or must not be written, before any work: a
    name whose ending does not fit ``fmt``, a name the file system cannot hold, a folder, an existing file
    without ``force``, a folder above it that cannot be written; one of the files the command reads (``inputs``:
    ``force`` would replace it) or one of its other outputs (``outputs``, as (option, path)), however written."""
    from .errors import UsageError
    from .safe_write import check_file

    target = check_file(path, force, OPTION, SUFFIXES[fmt], allowed(fmt))   # first: its name, before the file
    for read in inputs:                                                     # system is asked about it
        if read and (target.resolve() == Path(read).resolve()
                     or (target.exists() and Path(read).exists() and target.samefile(read))):
            raise UsageError(f"{OPTION}: {path} is a file this command reads ({read}); save the table elsewhere")
    for option, other in outputs:
        if other and target.resolve() == Path(other).resolve():
            raise UsageError(f"{OPTION}: {path} is also given as {option}; give them different names")
    return target


def count(text: str, fmt: str) -> str:
    """How much of a table ``text`` in ``fmt`` there is, for the line that says it was written: the rows of a
    CSV (after its header) or of a JSON table (of each of its sections), the lines of a text table."""
    if fmt == "csv":
        return f"{max(0, sum(1 for _ in csv.reader(io.StringIO(text))) - 1)} rows"
    if fmt == "json":
        # the rows of a table's sections: its lists (an object's other values, a scenario's name, are not rows)
        table = json.loads(text)
        parts = table.values() if isinstance(table, dict) else [table]
        lists = [p for p in parts if isinstance(p, list)]
        return f"{sum(len(p) for p in lists) if lists else len(list(parts))} rows"
    return f"{len(text.splitlines())} lines"


def write(text: str, path: str | Path, fmt: str, force: bool, provenance: list[tuple[str, str]]) -> Path:
    """Write ``text``, a table printed in ``fmt``, to ``path`` with its ``provenance``
    (:mod:`framtid.model.provenance`), atomically; an existing file is replaced only with ``force``."""
    from .provenance import with_provenance
    from .safe_write import write_text

    target = check(path, fmt, force)
    return write_text(target, with_provenance(text, fmt, list(provenance), markdown=target.suffix.lower() == ".md"),
                      force, "the table", OPTION)
