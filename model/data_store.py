"""Read the embedded data files (``model/data/*.csv``) into plain records.

These files are built by ``tools/build_data.py`` from public statistics and are the
only data the model reads at run time. Malformed files raise :class:`DataError`
naming the file, the line and the column.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from . import dims
from .errors import DataError

GWP_BASES = ("", "ar4", "ar5", "ar6", "sar", "unknown")   # "" for values that are not emissions
CONFIDENCE = ("high", "medium", "low", "derived")


@dataclass(frozen=True)
class Observation:
    """One observed (or officially derived) value with its provenance."""

    municipality: str
    variable: str
    year: int | None
    value: float
    unit: str
    gwp_basis: str
    confidence: str
    source: str
    note: str


@dataclass(frozen=True)
class Municipality:
    id: str
    name: str
    kommunenummer_2020: str
    region: str
    borders: str
    hdd_normal: float
    dut_winter_c: float
    hdd_source: str
    zone_share: tuple[float, float, float]
    zone_source: str


@dataclass(frozen=True)
class Plant:
    municipality: str
    plant: str
    category: str
    year: int
    t_co2e: float
    source: str


def data_path(name: str) -> Path:
    return Path(str(resources.files("framtid.model") / "data" / name))


def _rows(name: str, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    return read_rows(data_path(name), required)


def read_rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of a CSV data file that has at least the ``required`` columns."""
    try:
        fh = open(path, newline="", encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot read data file ({exc.strerror})") from None
    with fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path.name}: missing column(s) {', '.join(missing)}")
        return list(enumerate(reader, start=2))


def _float(name: str, lineno: int, row: dict[str, str], column: str) -> float:
    try:
        return float(row[column])
    except (TypeError, ValueError):
        raise DataError(f"{name}: line {lineno}: column {column!r} must be a number, got {row[column]!r}") from None


@lru_cache(maxsize=1)
def observations() -> tuple[Observation, ...]:
    name = "observations.csv"
    cols = ("municipality", "variable", "year", "value", "unit", "gwp_basis", "confidence", "source", "note")
    out = []
    known = set(dims.MUNICIPALITIES) | {"norway"}
    seen: dict[tuple, int] = {}
    for lineno, r in _rows(name, cols):
        if r["municipality"] not in known:
            raise DataError(f"{name}: line {lineno}: unknown municipality {r['municipality']!r}")
        if r["gwp_basis"] not in GWP_BASES:
            raise DataError(f"{name}: line {lineno}: column 'gwp_basis' must be one of "
                            f"{', '.join(repr(b) for b in GWP_BASES)}, got {r['gwp_basis']!r}")
        if r["confidence"] not in CONFIDENCE:
            raise DataError(f"{name}: line {lineno}: column 'confidence' must be one of {', '.join(CONFIDENCE)}, "
                            f"got {r['confidence']!r}")
        year = int(_float(name, lineno, r, "year")) if r["year"] else None
        key = (r["municipality"], r["variable"], year)
        if key in seen:
            raise DataError(f"{name}: line {lineno}: {r['variable']} of {r['municipality']} in {year} is given "
                            f"twice (also line {seen[key]})")
        seen[key] = lineno
        out.append(Observation(r["municipality"], r["variable"], year, _float(name, lineno, r, "value"),
                               r["unit"], r["gwp_basis"], r["confidence"], r["source"], r["note"]))
    return tuple(out)


@lru_cache(maxsize=1)
def municipalities() -> tuple[Municipality, ...]:
    name = "municipalities.csv"
    cols = ("id", "name", "kommunenummer_2020", "region", "borders", "hdd_normal", "dut_winter_c",
            "hdd_source", "zone_share_a", "zone_share_b", "zone_share_c", "zone_source")
    by_id = {}
    for lineno, r in _rows(name, cols):
        shares = tuple(_float(name, lineno, r, c) for c in ("zone_share_a", "zone_share_b", "zone_share_c"))
        if abs(sum(shares) - 1.0) > 1e-9 or min(shares) <= 0:
            raise DataError(f"{name}: line {lineno}: zone shares of {r['id']} must be positive and sum to 1")
        if not 1000 <= _float(name, lineno, r, "hdd_normal") <= 9000:
            raise DataError(f"{name}: line {lineno}: column 'hdd_normal' of {r['id']} must lie in 1000-9000 K d/yr")
        if not (len(r["kommunenummer_2020"]) == 4 and r["kommunenummer_2020"].isdigit()):
            raise DataError(f"{name}: line {lineno}: column 'kommunenummer_2020' of {r['id']} must be four digits "
                            f"like 0301 (got {r['kommunenummer_2020']!r})")
        by_id[r["id"]] = Municipality(
            r["id"], r["name"], r["kommunenummer_2020"], r["region"], r["borders"],
            _float(name, lineno, r, "hdd_normal"), _float(name, lineno, r, "dut_winter_c"), r["hdd_source"],
            shares, r["zone_source"])
    missing = [m for m in dims.MUNICIPALITIES if m not in by_id]
    if missing:
        raise DataError(f"{name}: missing municipality rows: {', '.join(missing)}")
    return tuple(by_id[m] for m in dims.MUNICIPALITIES)


@lru_cache(maxsize=1)
def plants() -> tuple[Plant, ...]:
    name = "plants.csv"
    cols = ("municipality", "plant", "category", "year", "t_co2e", "source")
    return tuple(Plant(r["municipality"], r["plant"], r["category"], int(_float(name, n, r, "year")),
                       _float(name, n, r, "t_co2e"), r["source"]) for n, r in _rows(name, cols))


@lru_cache(maxsize=1)
def _by_variable() -> dict[tuple[str, str], list[Observation]]:
    index: dict[tuple[str, str], list[Observation]] = {}
    for o in observations():
        index.setdefault((o.municipality, o.variable), []).append(o)
    return index


def find(municipality: str, variable: str, year: int | None = None) -> Observation | None:
    """The observation of ``variable`` for ``municipality`` in ``year`` (any year if None: the latest)."""
    hits = [o for o in _by_variable().get((municipality, variable), ()) if year is None or o.year == year]
    return max(hits, key=lambda o: o.year or 0) if hits else None
