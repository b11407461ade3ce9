"""A user's CSV file of observations, read safely: at most :data:`MAX_OBSERVATION_BYTES` (a pipe reads as a file;
a device that never ends is refused), UTF-8 with or without a byte-order mark, not a NetCDF file, commas between
columns, each row as wide as the header; and :class:`Table`, its rows with their line numbers and one located
message for whatever is wrong in them (:class:`.errors.ObservationFileError`). Read by the emissions of
:mod:`.observed` and the toll counts of :mod:`.evaluation.toll_observations`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .errors import ObservationFileError, did_you_mean, refuse_repeated_columns
from .result_file import is_netcdf


class Table:
    """A CSV file being read: its path for messages and its rows with their line numbers. ``expected`` names
    the header an empty file lacks."""

    def __init__(self, path: Path, expected: str):
        self.path = path
        self.header, self.rows = _read_csv(path, expected)

    def fail(self, line: int, what: str, column: str | None = None):
        where = f"line {line}" + (f", column {column!r}" if column else "")
        raise ObservationFileError(f"{self.path}: {where}: {what}")

    def refuse_unknown_columns(self, allowed: tuple[str, ...], described: str) -> None:
        """Refuse a column that is not among ``allowed`` (``described`` says them, optional ones in brackets): a
        misspelt optional column would otherwise be read as absent, its values as the default."""
        unknown = [c for c in self.header if c not in allowed]
        if unknown:
            self.fail(1, f"unknown column {unknown[0]!r}; {did_you_mean(unknown[0], allowed)}allowed: {described}",
                      unknown[0])

    def cell(self, line: int, row: dict, column: str) -> str:
        value = (row.get(column) or "").strip()
        if not value:
            self.fail(line, "empty cell", column)
        return value


# [bytes] the largest observation file read: a few thousand rows of a municipality's inventory take well under a
# megabyte; a device or a stray large file is refused rather than read into memory
MAX_OBSERVATION_BYTES = 100_000_000


def _read_bytes(path: Path) -> bytes:
    """The bytes of an observation file, at most :data:`MAX_OBSERVATION_BYTES` of them (a pipe is read as a file
    is; a device that never ends is refused once past the limit), or one ObservationFileError: cannot be read,
    too large, or a NetCDF file (a result, not observations)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_OBSERVATION_BYTES + 1)
    except OSError as exc:
        raise ObservationFileError(f"{path}: cannot read the observation file ({exc.strerror or exc})") from None
    if len(data) > MAX_OBSERVATION_BYTES:
        raise ObservationFileError(f"{path}: more than {MAX_OBSERVATION_BYTES:,} bytes, more than an observation "
                                   "file holds; give a CSV file of observations")
    if is_netcdf(data):
        raise ObservationFileError(f"{path}: a NetCDF file (a result?), not observations; give a CSV file")
    return data


def _read_csv(path: Path, expected: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header and (line number, row) of a UTF-8 CSV file (a byte-order mark is accepted)."""
    data = _read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            data.decode("utf-8")
            at = ""
        except UnicodeDecodeError as exc:   # the position in the file, byte-order mark included
            at = f" (byte {exc.start})"
        raise ObservationFileError(f"{path}: not a UTF-8 text file{at}; save it as UTF-8 (in Excel: CSV UTF-8)") \
            from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [(c or "").strip() for c in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows = list(enumerate(reader, start=2))
    except csv.Error as exc:
        raise ObservationFileError(f"{path}: not a readable CSV file ({exc})") from None
    if len(header) == 1 and ";" in header[0]:
        raise ObservationFileError(f"{path}: line 1: columns must be separated by commas, not semicolons")
    if not header:
        raise ObservationFileError(f"{path}: line 1: empty file; expected a header {expected}")
    refuse_repeated_columns(header, str(path), ObservationFileError)
    if not rows:
        raise ObservationFileError(f"{path}: line 2: no observations after the header")
    for line, row in rows:
        # A quote opened and never closed takes the rest of the file as one value, line breaks and all.
        if any("\n" in v or "\r" in v for v in row.values() if isinstance(v, str)):
            raise ObservationFileError(f"{path}: line {line}: a value runs over several lines (a quote opened "
                                       "and not closed?); close the quote, or remove it")
        # DictReader keeps the values beyond the header under the key None; dropping them would take
        # "5,7" written with a decimal comma for 5
        if None in row:
            raise ObservationFileError(f"{path}: line {line}: more values than the {len(header)} columns "
                                       f"({','.join(header)}); write decimals with a point, and quote a value that "
                                       "holds a comma")
    return header, rows
