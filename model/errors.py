"""Exceptions the command line turns into one clear message and a non-zero exit, and the hint
for a near miss that such a message may carry."""

from contextlib import contextmanager
from pathlib import Path


class FramtidError(Exception):
    """Base class: an error the user can fix (bad input, missing file)."""

    exit_code = 1


class DataError(FramtidError):
    """An embedded or user-supplied data file is malformed."""


class ScenarioError(FramtidError):
    """A scenario file is invalid. Carries every problem found, each with its location."""

    exit_code = 2

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class ResultExistsError(FramtidError):
    """Refuse to overwrite an existing result file without ``--force`` (exit code 2: an output option names a file
    that may not be replaced, like any other option not allowed)."""

    exit_code = 2


class UsageError(FramtidError):
    """A command-line argument is not allowed (exit code 2, like click's own usage errors)."""

    exit_code = 2


class ResultFileError(FramtidError):
    """A result file cannot be written there, or a file given as a result is not one (or is damaged)."""

    exit_code = 2


class ObservationFileError(DataError):
    """A file of observed values given on the command line is malformed (exit code 2: bad input)."""

    exit_code = 2


@contextmanager
def utf8_data(path):
    """Read a data file inside this: bytes that are not UTF-8 become one DataError naming the file (the csv
    readers decode as they go, so without it the error names neither the file nor what to do)."""
    try:
        yield
    except UnicodeDecodeError:
        raise DataError(f"{Path(str(path)).name}: not a UTF-8 text file; save it as UTF-8") from None


def csv_rows(reader, name: str):
    """(line number, row) of a ``csv.DictReader`` over the data file ``name``; a row with more values than the
    header is one DataError naming the file and line (DictReader keeps the extra values under the key None,
    and the row would be read without them), and so is a header that names a column twice."""
    header = reader.fieldnames or []
    refuse_semicolons(header, name)
    refuse_repeated_columns(header, name)
    for row in reader:
        lineno = reader.line_num          # the file's own line: blank lines, which the reader skips, count
        if None in row:
            raise DataError(f"{name}: line {lineno}: more values than the {len(reader.fieldnames)} columns; "
                            "quote a value that holds a comma")
        if not any((v or "").strip() for v in row.values()):
            raise DataError(f"{name}: line {lineno}: an empty row (only separators, as a spreadsheet pads a table); "
                            "delete it")
        yield lineno, row


def refuse_semicolons(header, name: str) -> None:
    """Refuse a data file whose header is one column holding semicolons: a spreadsheet saved it
    semicolon-separated, and every column would read as missing."""
    if len(header or ()) == 1 and ";" in header[0]:
        raise DataError(f"{name}: line 1: columns must be separated by commas, not semicolons (save the file as "
                        "comma-separated CSV)")


def refuse_repeated_columns(header, where: str, error: type[FramtidError] = DataError) -> None:
    """Refuse a CSV header that names a column twice (``csv.DictReader`` keeps the values of the last such column and
    drops the others without a word): an ``error`` whose message starts with ``where`` (the file). Unnamed columns
    (a header ending in commas) are not names."""
    seen = set()
    for column in header or ():
        if column and column in seen:
            raise error(f"{where}: line 1, column {column!r}: named twice in the header; name each column once")
        seen.add(column)


def did_you_mean(word, allowed) -> str:
    """The hint ``did you mean 'x'? `` for a ``word`` that is not among ``allowed``, to put before the
    list of what is allowed; empty when nothing is close. Case is ignored; the names that begin with
    the word are offered, else the nearest spellings (up to three)."""
    import difflib

    if not isinstance(word, str) or not word.strip():
        return ""
    by_lower = {str(a).lower(): str(a) for a in allowed}
    w = word.strip().lower()
    close = [a for a in by_lower if len(w) >= 3 and a.startswith(w)][:3]
    if not close:
        # real_quick_ratio bounds ratio from the lengths alone: a name too long or short to reach 0.6 is not
        # compared (a key thousands of characters long would take seconds against every parameter's name)
        matchers = ((difflib.SequenceMatcher(None, w, a), a) for a in by_lower)
        scored = sorted(((m.ratio(), a) for m, a in matchers if m.real_quick_ratio() >= 0.6), reverse=True)
        close = [a for r, a in scored[:3] if r >= 0.6 and r >= scored[0][0] - 0.1]
    return f"did you mean {' or '.join(repr(by_lower[c]) for c in close)}? " if close else ""
