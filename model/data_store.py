"""Read the embedded data files (``model/data/*.csv``) into plain records.

These files are built by ``tools/build_data.py`` (and ``tools/build_sector_paths.py``:
the paths of the sectors no submodel drives) from public statistics and are the
only data the model reads at run time. Malformed files raise :class:`DataError`
naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from . import dims
from .errors import DataError, csv_rows, did_you_mean, refuse_semicolons, utf8_data

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
    kommunenummer_2024: str = ""   # after the county reform of 2024 (same borders)
    kommunenummer_2019: str = ""   # before the 2020 mergers, of the municipality whose name it kept

    @property
    def merged_2020(self) -> bool:
        """Whether the 2020 mergers made it larger (``borders`` says so, as tools/build_data.py writes it)."""
        return "merged 2020" in self.borders


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
        fh = open(path, newline="", encoding="utf-8-sig")     # a byte-order mark (Excel's "CSV UTF-8") is read past
    except OSError as exc:
        raise DataError(f"{path}: cannot read data file ({exc.strerror})") from None
    with fh, utf8_data(path):
        reader = csv.DictReader(fh)
        refuse_semicolons(reader.fieldnames, path.name)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path.name}: missing column(s) {', '.join(missing)}")
        return list(csv_rows(reader, path.name))


def _float(name: str, lineno: int, row: dict[str, str], column: str) -> float:
    try:
        return float(row[column])
    except (TypeError, ValueError):
        raise DataError(f"{name}: line {lineno}: column {column!r} must be a number, got {row[column]!r}") from None


# What observations.csv may hold, by the first part of a variable's name: its unit (the unit column must say it:
# a value in another unit would be read as this one) and the values it may take (low, high; None: no bound;
# population must be above 0). A share written in per cent, or kt written for t, is refused, not rescaled.
OBSERVED = {
    "population": ("inhabitants", 0.0, None), "emissions": ("t CO2e", 0.0, None),
    "mode_share": ("share of trips", 0.0, 1.0), "cars_per_capita": ("cars/inhabitant", 0.0, 2.0),
    "car_stock": ("cars", 0.0, None), "bev_share_of_new_cars": ("share", 0.0, 1.0),
    "bev_share_of_car_stock": ("share", 0.0, 1.0),
    "dwellings": ("dwellings", 0.0, None), "household_waste_per_capita": ("t/inhabitant", 0.0, 2.0),
    "household_waste_material_recovery_per_capita": ("t/inhabitant", 0.0, 2.0),
    "household_waste_sorted_share": ("share", 0.0, 1.0),
    "household_waste_recovery_incl_energy_share": ("share", 0.0, 1.0), "target": ("relative change", -1.0, 1.0),
    "national_emissions": ("t CO2e", 0.0, None),   # Norway's, by sector (the heating review's fit)
}
OBSERVED_YEARS = (1900, 2100)
PLANT_CATEGORIES = ("industry", "district_heating", "waste_incineration")     # what other_sectors reads
EMISSION_LEVELS = ("sector", "source", "group", "check")    # emissions.<level>.<name>; a check's name is free


def _year(name: str, lineno: int, row: dict[str, str], column: str) -> int:
    """A whole year of a data file's column (2009, not 2009.7)."""
    value = _float(name, lineno, row, column)
    if not value.is_integer():
        raise DataError(f"{name}: line {lineno}: column {column!r} must be a whole year like 2009, got {row[column]!r}")
    return int(value)


def _observed_kind(name: str, lineno: int, variable: str) -> tuple[str, float, float | None]:
    """The unit and bounds of an observed variable (:data:`OBSERVED`); an unknown variable, emission level or
    sector/source name, or mode, is one DataError naming the line and what is allowed (misspelt, it would be
    left unread, or fail deep in the calibration)."""
    parts = variable.split(".")
    kind = OBSERVED.get(parts[0])
    if kind is None:
        raise DataError(f"{name}: line {lineno}: column 'variable': unknown variable {variable!r}; "
                        f"{did_you_mean(parts[0], list(OBSERVED))}allowed: {', '.join(OBSERVED)} (with their parts)")
    allowed = {"mode_share": dims.MODES}
    if parts[0] == "emissions":
        level = parts[1] if len(parts) > 1 else ""
        if level not in EMISSION_LEVELS or len(parts) != 3:
            raise DataError(f"{name}: line {lineno}: column 'variable': {variable!r} must be emissions.LEVEL.NAME "
                            f"with LEVEL one of {', '.join(EMISSION_LEVELS)}")
        allowed = {"sector": dims.SECTORS, "source": dims.SOURCES, "group": tuple(dims.SECTOR_GROUPS)}.get(level)
        part = parts[2]
    else:
        allowed = allowed.get(parts[0])
        part = parts[1] if len(parts) > 1 else ""
    if allowed is not None and part not in allowed:
        raise DataError(f"{name}: line {lineno}: column 'variable': unknown name {part!r} in {variable!r}; "
                        f"{did_you_mean(part, allowed)}allowed: {', '.join(allowed)}")
    return kind


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
        year = _year(name, lineno, r, "year") if r["year"] else None
        if year is not None and not OBSERVED_YEARS[0] <= year <= OBSERVED_YEARS[1]:
            raise DataError(f"{name}: line {lineno}: column 'year' must be a year from {OBSERVED_YEARS[0]} to "
                            f"{OBSERVED_YEARS[1]} written in full, got {r['year']!r}")
        unit, low, high = _observed_kind(name, lineno, r["variable"])
        if r["unit"].strip() != unit:
            raise DataError(f"{name}: line {lineno}: column 'unit' of {r['variable']} must be {unit!r} (the values "
                            f"are read in it), got {r['unit']!r}; convert the value")
        key = (r["municipality"], r["variable"], year)
        if key in seen:
            raise DataError(f"{name}: line {lineno}: {r['variable']} of {r['municipality']} in {year} is given "
                            f"twice (also line {seen[key]})")
        seen[key] = lineno
        value = _float(name, lineno, r, "value")
        above = r["variable"].split(".")[0] == "population"          # a population of 0 is no population
        if (not math.isfinite(value) or value < low or (above and value <= low)
                or (high is not None and value > high)):
            allowed = f"above {low:g}" if above else f"from {low:g}" + (f" to {high:g}" if high is not None else
                                                                       " up")
            raise DataError(f"{name}: line {lineno}: column 'value' of {r['variable']} must be a finite number "
                            f"{allowed} [{unit}], got {r['value']!r}")
        out.append(Observation(r["municipality"], r["variable"], year, value,
                               r["unit"], r["gwp_basis"], r["confidence"], r["source"], r["note"]))
    return tuple(out)


@lru_cache(maxsize=1)
def municipalities() -> tuple[Municipality, ...]:
    name = "municipalities.csv"
    numbers = ("kommunenummer_2020", "kommunenummer_2024", "kommunenummer_2019")
    cols = ("id", "name", *numbers, "region", "borders", "hdd_normal", "dut_winter_c",
            "hdd_source", "zone_share_a", "zone_share_b", "zone_share_c", "zone_source", "numbers_source")
    by_id = {}
    for lineno, r in _rows(name, cols):
        shares = tuple(_float(name, lineno, r, c) for c in ("zone_share_a", "zone_share_b", "zone_share_c"))
        if abs(sum(shares) - 1.0) > 1e-9 or min(shares) <= 0:
            raise DataError(f"{name}: line {lineno}: zone shares of {r['id']} must be positive and sum to 1")
        if not 1000 <= _float(name, lineno, r, "hdd_normal") <= 9000:
            raise DataError(f"{name}: line {lineno}: column 'hdd_normal' of {r['id']} must lie in 1000-9000 K d/yr")
        for column in numbers:
            if not (len(r[column]) == 4 and r[column].isdigit()):
                raise DataError(f"{name}: line {lineno}: column {column!r} of {r['id']} must be four digits like 0301 "
                                f"(got {r[column]!r})")
        if r["id"] not in dims.MUNICIPALITIES:
            raise DataError(f"{name}: line {lineno}: unknown municipality id {r['id']!r}; the ids are "
                            f"{', '.join(dims.MUNICIPALITIES)}")
        if r["id"] in by_id:
            raise DataError(f"{name}: line {lineno}: {r['id']} is given twice (one row per municipality)")
        by_id[r["id"]] = Municipality(
            r["id"], r["name"], r["kommunenummer_2020"], r["region"], r["borders"],
            _float(name, lineno, r, "hdd_normal"), _float(name, lineno, r, "dut_winter_c"), r["hdd_source"],
            shares, r["zone_source"], r["kommunenummer_2024"], r["kommunenummer_2019"])
    missing = [m for m in dims.MUNICIPALITIES if m not in by_id]
    if missing:
        raise DataError(f"{name}: missing municipality rows: {', '.join(missing)}")
    return tuple(by_id[m] for m in dims.MUNICIPALITIES)


@lru_cache(maxsize=1)
def plants() -> tuple[Plant, ...]:
    """Plant emissions [t CO2e/yr] by plant and year; an unknown municipality or category, a negative value or a
    plant's year given twice is one DataError naming the line (each would be dropped or counted silently)."""
    name = "plants.csv"
    cols = ("municipality", "plant", "category", "year", "t_co2e", "source")
    out, seen = [], {}
    for n, r in _rows(name, cols):
        if r["municipality"] not in dims.MUNICIPALITIES:
            raise DataError(f"{name}: line {n}: unknown municipality {r['municipality']!r}; "
                            f"{did_you_mean(r['municipality'], dims.MUNICIPALITIES)}allowed: "
                            f"{', '.join(dims.MUNICIPALITIES)}")
        if r["category"] not in PLANT_CATEGORIES:
            raise DataError(f"{name}: line {n}: column 'category' must be one of {', '.join(PLANT_CATEGORIES)}, "
                            f"got {r['category']!r}")
        year, value = _year(name, n, r, "year"), _float(name, n, r, "t_co2e")
        if not math.isfinite(value) or value < 0:
            raise DataError(f"{name}: line {n}: column 't_co2e' must be a finite number from 0 up, got {r['t_co2e']!r}")
        key = (r["municipality"], r["plant"], year)
        if key in seen:
            raise DataError(f"{name}: line {n}: {r['plant']} of {r['municipality']} in {year} is given twice (also "
                            f"line {seen[key]})")
        seen[key] = n
        out.append(Plant(r["municipality"], r["plant"], r["category"], year, value, r["source"]))
    return tuple(out)


MAX_RELATIVE_CHANGE = 5.0   # a change above +500 % is a per-cent figure written for a share, not a fact


@lru_cache(maxsize=4)
def incineration_history(years: tuple[int, ...]) -> dict[tuple[str, int], float]:
    """The residents' fossil CO2 incinerated under the policy history, relative to 2009 [1], by (municipality,
    year) for every municipality and each of ``years``: what of the incinerators' reported change after 2009 their
    own residents' waste explains (``incineration_history.csv``, written by tools/incineration_history.py). A row
    of another year, a year or municipality given twice or missing, or a change below -1 or above
    ``MAX_RELATIVE_CHANGE`` is one DataError naming the line (a missing row would bring the double count back)."""
    name = "incineration_history.csv"
    out, seen = {}, {}
    for n, r in _rows(name, ("municipality", "year", "relative_change", "source")):
        if r["municipality"] not in dims.MUNICIPALITIES:
            raise DataError(f"{name}: line {n}: unknown municipality {r['municipality']!r}; "
                            f"{did_you_mean(r['municipality'], dims.MUNICIPALITIES)}allowed: "
                            f"{', '.join(dims.MUNICIPALITIES)}")
        year, value = _year(name, n, r, "year"), _float(name, n, r, "relative_change")
        if year not in years:
            raise DataError(f"{name}: line {n}: year {year} is not one of the incinerators' reported years; allowed: "
                            f"{', '.join(map(str, years))}")
        if not math.isfinite(value) or not -1.0 <= value <= MAX_RELATIVE_CHANGE:
            raise DataError(f"{name}: line {n}: column 'relative_change' must be a share from -1 to "
                            f"{MAX_RELATIVE_CHANGE:g} (a relative change, not per cent), got {r['relative_change']!r}")
        key = (r["municipality"], year)
        if key in seen:
            raise DataError(f"{name}: line {n}: {key[0]} in {year} is given twice (also line {seen[key]})")
        seen[key] = n
        out[key] = value
    missing = [f"{m} {y}" for m in dims.MUNICIPALITIES for y in years if (m, y) not in out]
    if missing:
        raise DataError(f"{name}: no row for {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}; every "
                        f"municipality needs each of {', '.join(map(str, years))} (run tools/incineration_history.py)")
    return out


PATH_STATUSES = ("observed", "derived", "estimated", "assumption")
PATH_SEGMENTS = ("observed", "projected", "extended")


@dataclass(frozen=True)
class SectorPathPoint:
    """One year of the index path (2009 = 1) of a sector no submodel drives (tools/build_sector_paths.py)."""

    emission_source: str
    municipality: str        # "" for the national path every municipality follows unless it has its own
    year: int
    index: float
    status: str              # observed | derived | estimated | assumption
    segment: str             # observed (national inventory) | projected (national projections) | extended
    method: str
    source: str


@lru_cache(maxsize=1)
def sector_paths() -> tuple[SectorPathPoint, ...]:
    name = "sector_paths.csv"
    cols = ("emission_source", "municipality", "year", "index", "status", "segment", "method", "source")
    out = []
    for lineno, r in _rows(name, cols):
        if r["municipality"] and r["municipality"] not in dims.MUNICIPALITIES:
            raise DataError(f"{name}: line {lineno}: unknown municipality {r['municipality']!r}")
        if r["status"] not in PATH_STATUSES:
            raise DataError(f"{name}: line {lineno}: column 'status' must be one of {', '.join(PATH_STATUSES)}, "
                            f"got {r['status']!r}")
        if r["segment"] not in PATH_SEGMENTS:
            raise DataError(f"{name}: line {lineno}: column 'segment' must be one of {', '.join(PATH_SEGMENTS)}, "
                            f"got {r['segment']!r}")
        index = _float(name, lineno, r, "index")
        if not index >= 0.0:
            raise DataError(f"{name}: line {lineno}: column 'index' must be >= 0, got {r['index']!r}")
        if not (r["method"] and r["source"]):
            raise DataError(f"{name}: line {lineno}: every row needs a method and a source")
        out.append(SectorPathPoint(r["emission_source"], r["municipality"], _year(name, lineno, r, "year"),
                                   index, r["status"], r["segment"], r["method"], r["source"]))
    return tuple(out)


OPENED_CATEGORIES = ("waste_incineration",)


@dataclass(frozen=True)
class OpenedPlant:
    """A plant that opened after 2009 and is missing from the plant register (tools/build_data.py)."""

    municipality: str
    plant: str
    category: str            # waste_incineration (the only kind modelled so far)
    start_year: int
    start_month: int
    first_year_share: float  # share of a full year's tonnage burned in the start year
    tonnage_t_per_yr: float  # waste burned in a full year [t/yr]
    status: str
    method: str
    source: str
    confidence: str

    def tonnage(self, year: int) -> float:
        """Waste burned in ``year`` [t/yr]: 0 before the start, the start year's share, then the full tonnage."""
        if year < self.start_year:
            return 0.0
        return self.tonnage_t_per_yr * (self.first_year_share if year == self.start_year else 1.0)


@lru_cache(maxsize=1)
def plants_opened() -> tuple[OpenedPlant, ...]:
    name = "plants_opened.csv"
    cols = ("municipality", "plant", "category", "start_year", "start_month", "first_year_share",
            "tonnage_t_per_yr", "status", "method", "source", "confidence")
    out = []
    for n, r in _rows(name, cols):
        if r["municipality"] not in dims.MUNICIPALITIES:
            raise DataError(f"{name}: line {n}: unknown municipality {r['municipality']!r}")
        if r["category"] not in OPENED_CATEGORIES:
            raise DataError(f"{name}: line {n}: category {r['category']!r} is not modelled; plants opened after "
                            f"2009 can be {', '.join(OPENED_CATEGORIES)}")
        start = _year(name, n, r, "start_year")
        if start <= dims.BASE_YEAR:
            raise DataError(f"{name}: line {n}: start_year must be after {dims.BASE_YEAR} (earlier plants belong "
                            f"in plants.csv), got {start}")
        share, tonnage = _float(name, n, r, "first_year_share"), _float(name, n, r, "tonnage_t_per_yr")
        if not 0.0 <= share <= 1.0:
            raise DataError(f"{name}: line {n}: column 'first_year_share' must lie in 0-1, "
                            f"got {r['first_year_share']!r}")
        if not tonnage >= 0.0:
            raise DataError(f"{name}: line {n}: column 'tonnage_t_per_yr' must be >= 0, got {r['tonnage_t_per_yr']!r}")
        if r["confidence"] not in CONFIDENCE:
            raise DataError(f"{name}: line {n}: column 'confidence' must be one of {', '.join(CONFIDENCE)}, "
                            f"got {r['confidence']!r}")
        out.append(OpenedPlant(r["municipality"], r["plant"], r["category"], start,
                               int(_float(name, n, r, "start_month")), share, tonnage, r["status"], r["method"],
                               r["source"], r["confidence"]))
    return tuple(out)


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
