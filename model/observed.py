"""Observed emissions from a user's file, for comparing a run with history (``framtid hindcast``).

Two layouts are read, told apart by their header:

long (framtid's own)
    ``municipality,year,sector,value[,gwp][,unit][,note]``, one value per row [t CO2e/yr]. ``sector`` is a
    sector of ``dims.SECTORS``, a source of ``dims.SOURCES`` (names that are both, like ``shipping``,
    count as sectors), ``total`` (all 13 sectors) or ``total_excl_fgas`` (all but F-gas products).
    ``gwp`` is ar4, ar5, ar6 or sar (empty or absent: ar5); ``unit``, if present, must say t CO2e;
    ``note`` is free text, not read.
    ``municipality`` is a framtid id (``tromso``), a name (``Tromsø``) or a 2020 municipality number.

agency export (Miljødirektoratet's municipal inventory by source)
    ``year,sector,source,gas,t_co2e[,municipality]`` with Norwegian labels, each row one gas already
    in t CO2e. Labels map to framtid sectors or sources through ``data/inventory_labels.csv``; gases
    are summed per year and framtid sector or source. Values are taken as AR5 (the basis of the
    recent inventory vintages, as in the embedded data). An export of one municipality has no
    ``municipality`` column: name the municipality with ``municipality=`` (``--municipality``).

The long layout has no other columns (a misspelt ``gwp`` would be read as absent); an agency export may carry
more, which are left alone but for a ``unit`` column, which must say t CO2e as in the long layout. Every
problem raises :class:`ObservationFileError` (exit code 2) with one message naming the file, the line, the
column and what is allowed. The file itself is read by :mod:`.observation_table` (its size, encoding and CSV
form), the municipalities' names and numbers by :mod:`.municipality_names`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import dims
from .errors import ObservationFileError, did_you_mean
from .municipality_names import leading_number, merged_numbers, merger_reason, municipality_aliases
from .observation_table import Table

GWP_SETS = ("ar4", "ar5", "ar6", "sar")     # as accounting.GWP_SETS (not imported: it pulls in the parameters)
DEFAULT_GWP = "ar5"
TOTALS = {"total": dims.SECTORS,
          "total_excl_fgas": tuple(s for s in dims.SECTORS if s != "fgas_products")}
LEVELS = ("total", "sector", "source")
LONG_COLUMNS = ("municipality", "year", "sector", "value")
LONG_OPTIONAL = ("gwp", "unit", "note")     # note: free text, not read
AGENCY_COLUMNS = ("year", "sector", "source", "gas", "t_co2e")
AGENCY_GASES = ("CO2", "CH4", "N2O", "HFK", "PFK", "SF6")
AGENCY_GWP = "ar5"
UNITS = ("t CO2e", "t CO2-eq", "tCO2e", "tonn CO2e", "tonn CO2-ekvivalenter")   # the last two as in Norwegian exports
YEAR_RANGE = (1900, 2100)
# --observed: the inventory values embedded in the package, 2009-2013 (as tools/observed_2009_2013.py writes them)
EMBEDDED_NAME = "framtid:inventory"
# Column names that carry values in another unit than t CO2e (kt_co2e, value_kt, Mt, ...).
_OTHER_UNIT = re.compile(r"^(value_)?(kg|kt|mt|gt)(_?co2e?(q)?)?$|^(kg|kt|mt|gt)_.*$", re.IGNORECASE)


@dataclass(frozen=True)
class Observation:
    """One observed value: a municipality's emissions in one year at one level [t CO2e/yr]."""

    municipality: str
    year: int
    level: str          # "sector", "source" or "total"
    name: str           # sector, source, "total" or "total_excl_fgas"
    value: float        # [t CO2e/yr]
    gwp: str            # GWP set the value is weighted with: ar4, ar5, ar6, sar


def sort_key(level: str, name: str) -> tuple[int, int]:
    """Order of levels (total, sector, source) and of names within them (as in ``dims``)."""
    names = (*TOTALS, *dims.SECTORS, *dims.SOURCES)
    return LEVELS.index(level), names.index(name)


@dataclass(frozen=True)
class Label:
    """One row of ``data/inventory_labels.csv``: an agency sector and source, and where it goes."""

    agency_sector: str
    agency_source: str
    level: str
    name: str
    note: str


def read_observed(path: str | Path, municipality: str | None = None) -> list[Observation]:
    """Observations in a long CSV or an agency export (see the module docstring) [t CO2e/yr], or for
    :data:`EMBEDDED_NAME` the inventory values embedded in the package (:func:`embedded`).

    ``municipality`` names the municipality of an agency export without a municipality column.
    """
    if str(path) == EMBEDDED_NAME:
        if municipality is not None:
            raise ObservationFileError(f"{EMBEDDED_NAME}: --municipality is for agency exports without a "
                                       "municipality column; the embedded values name their municipalities")
        return embedded()[0]
    if str(path).startswith("framtid:") and not Path(path).exists():
        raise ObservationFileError(f"{path}: no such file, nor a set of observations embedded in framtid (the "
                                   f"embedded one is {EMBEDDED_NAME})")
    table = Table(Path(path), f"{','.join(LONG_COLUMNS)}[,gwp] or {','.join(AGENCY_COLUMNS)}")
    check_units(table)
    if set(AGENCY_COLUMNS[1:4]) <= set(table.header):
        return _read_agency(table, municipality)
    if municipality is not None:
        raise ObservationFileError(f"{table.path}: --municipality is for agency exports without a municipality "
                                   "column; this file is in the long layout, whose rows name their municipality")
    return _read_long(table)


def check_units(table: Table) -> None:
    """Refuse value columns in another unit than t CO2e (kt_co2e, value_kt, ...)."""
    for column in table.header:
        if _OTHER_UNIT.match(column):
            table.fail(1, "values must be in t CO2e (tonnes of CO2 equivalents); convert them and name the "
                          "column 'value' (long layout) or 't_co2e' (agency export)", column)


def _require(table: Table, columns: tuple[str, ...], layout: str) -> None:
    missing = [c for c in columns if c not in table.header]
    if missing:
        cased = [c for c in table.header if c.lower() in missing]
        hint = f" (column names are lower case: {cased[0]!r} is {cased[0].lower()!r})" if cased else ""
        table.fail(1, f"missing column(s) {', '.join(missing)}; {layout} has the columns {','.join(columns)}{hint}",
                   missing[0])


def _read_long(table: Table) -> list[Observation]:
    _require(table, LONG_COLUMNS, "the long layout")
    table.refuse_unknown_columns(LONG_COLUMNS + LONG_OPTIONAL,
                                 f"{','.join(LONG_COLUMNS)}[,{'][,'.join(LONG_OPTIONAL)}] (the long layout)")
    out, seen = [], {}
    for line, row in table.rows:
        muni = _municipality(table, line, table.cell(line, row, "municipality"), "municipality")
        year = _year(table, line, row)
        level, name = _level_and_name(table, line, table.cell(line, row, "sector"))
        value = _value(table, line, row, "value")
        gwp = _gwp(table, line, row)
        if "unit" in table.header:
            _unit(table, line, row)
        key = (muni, year, name)
        if key in seen:
            table.fail(line, f"{name} of {muni} in {year} is given twice (also line {seen[key]}); one value "
                             f"per municipality, year and sector/source is allowed", "sector")
        seen[key] = line
        out.append(Observation(muni, year, level, name, value, gwp))
    return out


def _read_agency(table: Table, municipality: str | None) -> list[Observation]:
    # Other columns are left alone on purpose, unlike in the long layout: an export as downloaded may carry more
    # than these (the agency's tables change), and every column read here is required, so none is misread as absent.
    _require(table, AGENCY_COLUMNS, "an agency export")
    fixed = _fixed_municipality(table, municipality)
    sums: dict[tuple, float] = {}
    seen: dict[tuple, int] = {}
    for line, row in table.rows:
        muni = fixed or _municipality(table, line, table.cell(line, row, "municipality"), "municipality")
        year = _year(table, line, row)
        label = _label(table, line, row)
        gas = _gas(table, line, row)
        value = _value(table, line, row, "t_co2e")
        if "unit" in table.header:   # the one column beyond the required ones that is read: it would change the value
            _unit(table, line, row)
        key = (muni, year, label.agency_sector, label.agency_source, gas)
        if key in seen:
            table.fail(line, f"{gas} of {label.agency_sector} / {label.agency_source} for {muni} in {year} is "
                             f"given twice (also line {seen[key]}); one row per year, sector, source and gas "
                             "is allowed", "gas")
        seen[key] = line
        total_key = (muni, year, label.level, label.name)
        sums[total_key] = sums.get(total_key, 0.0) + value
    return [Observation(m, y, lev, n, v, AGENCY_GWP) for (m, y, lev, n), v in sums.items()]


def _fixed_municipality(table: Table, municipality: str | None) -> str | None:
    """The municipality of a one-municipality export (``--municipality``), or None if the file has a column."""
    has_column = "municipality" in table.header
    if municipality is not None and has_column:
        raise ObservationFileError(f"{table.path}: the file has a municipality column; leave out --municipality")
    if municipality is None and not has_column:
        table.fail(1, "an agency export without a municipality column needs --municipality ID (allowed: "
                      f"{', '.join(dims.MUNICIPALITIES)})", "municipality")
    if municipality is None:
        return None
    municipality = leading_number(municipality)
    if municipality.strip() in merged_numbers():
        raise ObservationFileError(f"--municipality: {merger_reason(municipality.strip())}")
    found = municipality_aliases().get(municipality.strip().casefold())
    if found is None:
        raise ObservationFileError(f"--municipality: unknown municipality {municipality!r}; "
                                   f"{did_you_mean(municipality, dims.MUNICIPALITIES)}allowed: "
                                   f"{', '.join(dims.MUNICIPALITIES)}")
    return found


def _municipality(table: Table, line: int, text: str, column: str) -> str:
    text = leading_number(text)
    if text in merged_numbers():
        table.fail(line, merger_reason(text), column)
    found = municipality_aliases().get(text.casefold())
    if found is None:
        table.fail(line, f"unknown municipality {text!r}; allowed: {', '.join(dims.MUNICIPALITIES)} (or their "
                         "names or municipality numbers of 2020 or 2024)", column)
    return found


def _year(table: Table, line: int, row: dict) -> int:
    text = table.cell(line, row, "year")
    try:
        year = int(text)
    except ValueError:
        table.fail(line, f"must be a whole year like 2011, got {text!r}", "year")
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        table.fail(line, f"year {year} is outside {YEAR_RANGE[0]}-{YEAR_RANGE[1]}", "year")
    return year


def _level_and_name(table: Table, line: int, text: str) -> tuple[str, str]:
    name = text.casefold()
    if name in TOTALS:
        return "total", name
    if name in dims.SECTORS:
        return "sector", name
    if name in dims.SOURCES:
        return "source", name
    table.fail(line, f"unknown sector or source {text!r}; allowed: sectors {', '.join(dims.SECTORS)}; sources "
                     f"{', '.join(s for s in dims.SOURCES if s not in dims.SECTORS)}; "
                     f"{', '.join(TOTALS)}", "sector")


def _value(table: Table, line: int, row: dict, column: str) -> float:
    text = table.cell(line, row, column)
    try:
        value = float(text)
    except ValueError:
        table.fail(line, f"must be a number of t CO2e like 12345.6, got {text!r}", column)
    if not math.isfinite(value) or value < 0:
        table.fail(line, f"must be a finite number of t CO2e, zero or more, got {text!r}", column)
    return value


def _gwp(table: Table, line: int, row: dict) -> str:
    text = (row.get("gwp") or "").strip().lower()
    if not text:
        return DEFAULT_GWP
    if text not in GWP_SETS:
        table.fail(line, f"unknown GWP set {text!r}; allowed: {', '.join(GWP_SETS)} (empty: {DEFAULT_GWP})", "gwp")
    return text


def _unit(table: Table, line: int, row: dict) -> None:
    text = (row.get("unit") or "").strip()
    if text and text.replace(" ", "").casefold() not in {u.replace(" ", "").casefold() for u in UNITS}:
        table.fail(line, f"values must be in t CO2e, got unit {text!r}; allowed: {', '.join(UNITS)}", "unit")


def _gas(table: Table, line: int, row: dict) -> str:
    text = table.cell(line, row, "gas")
    if text.upper() not in AGENCY_GASES:
        table.fail(line, f"unknown gas {text!r}; allowed: {', '.join(AGENCY_GASES)}", "gas")
    return text.upper()


def _label(table: Table, line: int, row: dict) -> Label:
    sector, source = table.cell(line, row, "sector"), table.cell(line, row, "source")
    by_sector = inventory_labels()
    sources = by_sector.get(sector.casefold())
    if sources is None:
        table.fail(line, f"unknown inventory sector {sector!r}; allowed: "
                         f"{', '.join(next(iter(s.values())).agency_sector for s in by_sector.values())}", "sector")
    label = sources.get(source.casefold())
    if label is None:
        table.fail(line, f"unknown source {source!r} of sector {sector!r}; allowed: "
                         f"{', '.join(lab.agency_source for lab in sources.values())} "
                         "(data/inventory_labels.csv)", "source")
    return label


@lru_cache(maxsize=1)
def inventory_labels() -> dict[str, dict[str, Label]]:
    """``data/inventory_labels.csv`` as {agency sector: {agency source: Label}} (keys casefolded)."""
    from .data_store import data_path, read_rows
    from .errors import DataError

    name = "inventory_labels.csv"
    out: dict[str, dict[str, Label]] = {}
    for line, r in read_rows(data_path(name), ("agency_sector", "agency_source", "framtid_level",
                                                "framtid_name", "note")):
        label = Label(r["agency_sector"], r["agency_source"], r["framtid_level"], r["framtid_name"], r["note"])
        allowed = {"sector": dims.SECTORS, "source": dims.SOURCES}.get(label.level, ())
        if label.name not in allowed:
            raise DataError(f"{name}: line {line}: {label.level} {label.name!r} is not a framtid sector or source")
        out.setdefault(label.agency_sector.casefold(), {})[label.agency_source.casefold()] = label
    return out


EMBEDDED_YEARS = range(dims.BASE_YEAR, 2014)      # the municipal inventory values the package holds
_EMBEDDED_LEVELS = {"emissions.sector.": "sector", "emissions.source.": "source"}


def embedded(years: range = EMBEDDED_YEARS) -> tuple[list[Observation], list[str]]:
    """The inventory values of the embedded data (``data_store.observations()``) at sector or source
    level in ``years`` [t CO2e/yr, each in its own GWP basis], and descriptions of those left out:
    values whose GWP basis is not stated ("unknown"), road-traffic group totals and check totals.
    A name that is both a sector and a source (``shipping``) counts as a sector, as in a file."""
    from .data_store import observations

    kept, left_out = [], []
    for o in observations():
        if o.year not in years or not o.variable.startswith("emissions."):
            continue
        prefix = next((p for p in _EMBEDDED_LEVELS if o.variable.startswith(p)), None)
        if prefix is None:
            left_out.append(f"{o.variable.split('.')[1]} totals")
            continue
        if o.gwp_basis not in GWP_SETS:
            left_out.append(f"no stated GWP basis ({o.municipality} {o.variable.split('.')[-1]} {o.year})")
            continue
        name = o.variable.removeprefix(prefix)
        level = "sector" if name in dims.SECTORS else _EMBEDDED_LEVELS[prefix]
        kept.append(Observation(o.municipality, o.year, level, name, o.value, o.gwp_basis))
    return kept, left_out
