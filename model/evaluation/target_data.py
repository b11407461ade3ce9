"""The targets as data: the rows of ``model/data/targets.csv`` (built by ``tools/build_targets.py`` from the
reference statistics, each row with its source and confidence), validated, and the municipalities' own
emission targets the ``Municipality`` agents follow (:func:`municipal_targets`). How a run is measured
against them is :mod:`.targets`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from .. import dims
from ..data_store import CONFIDENCE, data_path, read_rows
from ..errors import DataError

FILE = "targets.csv"
COLUMNS = ("id", "area", "indicator", "scope", "base_year", "target_year", "change", "change_strict",
           "national_base_kt", "national_target_kt", "national_2009_kt", "label", "confidence", "source", "note")
INDICATORS = ("emissions", "car_traffic", "car_vkm_resident")
SCOPES = ("total", "non_ets", "region", "")
NATIONAL = "norway"
UNSTATED = "unstated"


@dataclass(frozen=True)
class Target:
    """One row of ``targets.csv``."""

    id: str
    area: str                  # "norway", a municipality id or a region id
    indicator: str             # emissions | car_traffic | car_vkm_resident
    scope: str                 # total | non_ets | region | ""
    base_year: int | None      # None: not stated in the source
    target_year: int
    change: float              # relative change against the base year (the less strict end of a range)
    change_strict: float | None
    national_base_kt: float | None
    national_target_kt: float | None
    national_2009_kt: float | None
    label: str
    confidence: str
    source: str
    note: str

    def change_from_2009(self) -> float:
        """The national path's relative change from 2009 to the target year [1]:
        N_target / N_2009 - 1; the target's own change where the data hold no national series for it
        (2009 stands in for the base year)."""
        if self.national_target_kt is not None and self.national_2009_kt:
            return self.national_target_kt / self.national_2009_kt - 1.0
        return self.change

    def strict_change_from_2009(self) -> float | None:
        """As :meth:`change_from_2009` for the stricter end of a range [1] (None without a range)."""
        if self.change_strict is None:
            return None
        if self.national_base_kt and self.national_2009_kt:
            return self.national_base_kt * (1.0 + self.change_strict) / self.national_2009_kt - 1.0
        return self.change_strict


def _number(name: str, lineno: int, row: dict, column: str, blank_ok: bool = False) -> float | None:
    text = row[column].strip()
    if not text and blank_ok:
        return None
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"{name}: line {lineno}: column {column!r} must be a number, got {row[column]!r}") from None
    if not math.isfinite(value):
        raise DataError(f"{name}: line {lineno}: column {column!r} must be finite, got {row[column]!r}")
    return value


def parse_targets(rows: list[tuple[int, dict[str, str]]], name: str = FILE) -> tuple[Target, ...]:
    """Validated targets from (line number, row) pairs; a bad row raises :class:`DataError` naming the
    file, line and column."""
    areas = set(dims.MUNICIPALITIES) | set(dims.REGIONS) | {NATIONAL}
    seen: dict[str, int] = {}
    out = []
    for n, r in rows:
        if r["id"] in seen:
            raise DataError(f"{name}: line {n}: target id {r['id']!r} is given twice (also line {seen[r['id']]})")
        seen[r["id"]] = n
        if r["area"] not in areas:
            raise DataError(f"{name}: line {n}: column 'area' must be {NATIONAL!r}, a municipality or a region id, "
                            f"got {r['area']!r}")
        for column, allowed in (("indicator", INDICATORS), ("scope", SCOPES), ("confidence", CONFIDENCE)):
            if r[column] not in allowed:
                raise DataError(f"{name}: line {n}: column {column!r} must be one of "
                                f"{', '.join(repr(a) for a in allowed)}, got {r[column]!r}")
        if r["indicator"] == "car_vkm_resident" and r["area"] not in dims.REGIONS:
            raise DataError(f"{name}: line {n}: the zero-growth goal (car_vkm_resident) is set for a region "
                            f"({', '.join(dims.REGIONS)}), got {r['area']!r}")
        if r["base_year"] == UNSTATED:
            base = None
        else:
            base = _number(name, n, r, "base_year")
            if base != int(base):
                raise DataError(f"{name}: line {n}: column 'base_year' must be a year or {UNSTATED!r}, "
                                f"got {r['base_year']!r}")
            base = int(base)
        year = _number(name, n, r, "target_year")
        if year != int(year) or (base is not None and year <= base) or not dims.BASE_YEAR < year <= dims.FINAL_YEAR:
            raise DataError(f"{name}: line {n}: column 'target_year' must be a year after the base year within the "
                            f"model's years ({dims.BASE_YEAR + 1}-{dims.FINAL_YEAR}), got {r['target_year']!r}")
        change = _number(name, n, r, "change")
        strict = _number(name, n, r, "change_strict", blank_ok=True)
        for column, value in (("change", change), ("change_strict", strict)):
            if value is not None and not -1.0 <= value <= 1.0:
                raise DataError(f"{name}: line {n}: column {column!r} is a relative change and must lie in -1 to 1, "
                                f"got {r[column]!r}")
        if not r["source"].strip():
            raise DataError(f"{name}: line {n}: every target needs a source")
        national = [_number(name, n, r, c, blank_ok=True)
                    for c in ("national_base_kt", "national_target_kt", "national_2009_kt")]
        if any(v is not None and v <= 0 for v in national):
            raise DataError(f"{name}: line {n}: national emissions must be positive")
        out.append(Target(r["id"], r["area"], r["indicator"], r["scope"], base, int(year), change, strict,
                          *national, r["label"], r["confidence"], r["source"], r["note"]))
    return tuple(out)


@lru_cache(maxsize=1)
def load_targets() -> tuple[Target, ...]:
    """Every target of the embedded ``targets.csv``."""
    return parse_targets(read_rows(data_path(FILE), COLUMNS))


def municipal_targets() -> dict[str, tuple[int, int, float]]:
    """Each municipality's own emission target with a base year inside the modelled years, the latest
    target year where there are several: municipality -> (base year, target year, relative change).

    This is what the ``Municipality`` agents follow, e.g. ``{"oslo": (2009, 2030, -0.95), ...}``;
    targets without a stated base year (Tromsø) or with one before 2009 (Kristiansand, 1991) are left
    out, since the run has no emissions to set them against.
    """
    out: dict[str, tuple[int, int, float]] = {}
    for t in load_targets():
        if (t.indicator == "emissions" and t.area in dims.MUNICIPALITIES and t.base_year is not None
                and t.base_year >= dims.BASE_YEAR
                and (t.area not in out or t.target_year > out[t.area][1])):
            out[t.area] = (t.base_year, t.target_year, t.change)
    return out
