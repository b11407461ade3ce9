"""What a file written from a result or a scenario records of where it came from.

A result file (NetCDF) records its inputs, the model version and the seed in its attributes (``result_dataset``).
Files made from one — an export's CSV, the charts of ``hindcast``, ``costs`` and ``sensitivity`` — record them
too, as ``(item, value)`` pairs: the version that wrote the file, the run's version, commit, seed, draws and
scenarios, and the checksums of the result's variables it read, or the scenario files' SHA-256 digests. A CSV
carries them as comment lines before its header (``# item: value``; pandas reads past them with
``comment="#"``), a text table the same lines before it, a JSON file an object with them under ``provenance`` and
the table under ``table`` (:func:`with_provenance`), a PNG in its text chunks (``Software`` and ``Source``).
Nothing in them depends on the clock, so the same inputs still give the same files.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from framtid import __version__

RUN_ATTRS = (("model version of the run", "framtid_version"), ("git commit of the run", "git_commit"),
             ("scenarios", "scenarios"), ("seed", "seed"), ("draws", "draws"), ("sampler", "sampler"),
             ("embedded data (SHA-256)", "embedded_data_sha256"), ("code of the run (SHA-256)", "code_sha256"))


def written_by() -> tuple[str, str]:
    return ("written by", f"framtid {__version__}")


def of_result(ds, path: str | Path, read: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """Where a file made from the result ``ds`` (read from ``path``) came from: the result, its run, and the
    checksums of the variables read (``read``; default every data variable of ``ds`` that carries one)."""
    a = ds.attrs
    items = [written_by(), ("result file", Path(path).name)]
    items += [(label, str(a[key])) for label, key in RUN_ATTRS if key in a]
    names = read if read is not None else tuple(ds.data_vars)
    sums = [f"{n} {ds[n].attrs['checksum']}" for n in names if n in ds and "checksum" in ds[n].attrs]
    if sums:
        items.append(("checksums of the variables read", "; ".join(sums)))
    return items


def scenario_files(scenario) -> str:
    """A scenario's files, each with the SHA-256 of its text: the file first, the ones it extends after it. The
    text is the file's UTF-8 bytes without a byte-order mark, so ``sha256sum`` of the file gives the same digest
    unless the file begins with one."""
    return "; ".join(f"{Path(p).name} sha256:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"
                     for p, text in reversed(scenario.files)) or "-"


def of_code() -> list[tuple[str, str]]:
    """The embedded data and the code that made a file (their SHA-256, as a result file records them): what tells
    two installations of one version apart."""
    from .result_dataset import code_digest, data_digest

    return [("embedded data (SHA-256)", data_digest()), ("code (SHA-256)", code_digest())]


def of_scenario(scenario, **settings) -> list[tuple[str, str]]:
    """Where a file made by running ``scenario`` came from: its name, its files (:func:`scenario_files`),
    ``settings`` (seed, method, ...) and the data and code (:func:`of_code`)."""
    return [written_by(), ("scenario", scenario.name), ("scenario files", scenario_files(scenario))] + [
        (k.replace("_", " "), str(v)) for k, v in settings.items()] + of_code()


def of_file(label: str, path: str | Path) -> tuple[str, str]:
    """An input file by name and the SHA-256 of its bytes (the embedded inventory values: of the package's data)."""
    from .observed import EMBEDDED_NAME

    if str(path) == EMBEDDED_NAME:
        from .result_dataset import data_digest

        return label, (f"{EMBEDDED_NAME} (the inventory values embedded in framtid, 2009-2013) "
                       f"data sha256:{data_digest()}")
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return label, f"{Path(path).name} sha256:{digest}"


def csv_comments(items: list[tuple[str, str]]) -> str:
    """The items as comment lines to put before a CSV's header (one line each, line breaks folded)."""
    return "".join(f"# {k}: {' '.join(str(v).split())}\n" for k, v in items)


def with_provenance(text: str, fmt: str, items: list[tuple[str, str]], markdown: bool = False) -> str:
    """The file's text of a table ``text`` printed in ``fmt`` with the ``items`` of its provenance: for ``csv``
    and ``table`` the comment lines of :func:`csv_comments` before it, for ``json`` the object
    ``{"provenance": {item: value, ...}, "table": <the JSON of text>}``. ``markdown`` (a text table saved as
    ``.md``): the comment lines and the table each in a fenced block, which a Markdown viewer shows as they are
    (``# `` lines outside a block would render as headings, and a table's columns would not stay aligned); each
    fence longer than any run of backticks inside it, so that no value closes it. Ends with a line break."""
    if fmt == "json":
        return json.dumps({"provenance": dict(items), "table": json.loads(text)}, indent=2, ensure_ascii=False) + "\n"
    text = text + ("" if text.endswith("\n") else "\n")
    if markdown:
        return fenced(csv_comments(items)) + "\n" + fenced(text)
    return csv_comments(items) + text


def fenced(text: str) -> str:
    """``text`` (ending in a line break) in a fenced code block of Markdown, its fence of backticks one longer
    than the longest run of them in ``text`` (at least three)."""
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}{fence}\n"


def png_metadata(items: list[tuple[str, str]]) -> dict[str, str]:
    """The items as a PNG's text chunks, for matplotlib's ``savefig(metadata=...)``: Software the version that
    wrote it, Source everything else (one ``item: value`` per line)."""
    rest = [(k, v) for k, v in items if k != "written by"]
    return {"Software": f"framtid {__version__}", "Source": "\n".join(f"{k}: {' '.join(str(v).split())}"
                                                                     for k, v in rest)}
