"""The report as data, and the small pure helpers that format what it says.

A :class:`Report` is a title and a tuple of :class:`Section` s, each a tuple of blocks: :class:`Text`,
:class:`Bullets`, :class:`Table` (formatted cells, the unit in every numeric column's header) and
:class:`Chart` (a function that draws a matplotlib Figure, and a caption). The helpers turn numbers,
names and units into the text of cells and captions (:func:`number`, :func:`smart`,
:func:`smart_range`, :func:`percent_change`, :func:`area_label`, ...); none reads a result.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .. import dims


# ---------------------------------------------------------------- the report as data

@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of formatted cells; ``caption`` says what it shows, numeric headers carry their unit.

    ``groups`` optionally names runs of columns: (label, number of columns) pairs covering every
    column, e.g. a scenario over its columns or ``[kt CO2e/yr]`` over the columns in that unit. The
    renderers fold a group into each of its columns' headers (:meth:`flat_header`): a unit (a label in
    brackets) after the column's name, another label before it."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""
    groups: tuple[tuple[str, int], ...] = ()

    def flat_header(self) -> tuple[str, ...]:
        """The header with each column's group folded in (for Markdown)."""
        out, i = [], 0
        for label, span in self.groups or (("", len(self.header)),):
            for h in self.header[i:i + span]:
                out.append(h if not label else f"{h} {label}" if label.startswith("[") else f"{label} {h}")
            i += span
        return tuple(out)


@dataclass(frozen=True)
class Chart:
    """A figure: ``draw()`` returns a matplotlib Figure; the PNG is ``figures/<name>.png``."""

    name: str
    caption: str
    draw: Callable = field(compare=False)
    alt: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    blocks: tuple


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    sections: tuple[Section, ...]

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]


# ---------------------------------------------------------------- small pure helpers

def municipality_names() -> dict[str, str]:
    """id -> name of the 13 municipalities (e.g. ``baerum`` -> ``Bærum``)."""
    from ..data_store import municipalities

    return {m.id: m.name for m in municipalities()}


def number(x, digits: int = 1, sign: bool = False) -> str:
    """A number for a table: thousands separated by commas, a sign if asked (none on zero), ``-`` when
    undefined."""
    if x is None:
        return "-"
    x = float(x)
    if not np.isfinite(x):
        return "-"
    text = f"{x:{'+' if sign else ''},.{digits}f}"
    return text.lstrip("+-") if re.fullmatch(r"[+-]?0(\.0*)?", text) else text


def smart(x, unit: str = "") -> str:
    """A value of any size with about three significant digits (indicators); shares (unit 1) with
    three decimals."""
    from .indicators import fmt_value

    if unit == "1" and x is not None and np.isfinite(x):
        return f"{x:.3f}"
    return fmt_value(x)


def smart_range(draws, unit: str = "") -> str:
    """A value over draws (D,) of any size as ``median (p05–p95)``, each as :func:`smart` writes it
    ('to' instead of the dash where a bound is negative; the median alone where the draws agree to the
    digits shown); ``-`` when undefined."""
    from ..draw_statistics import spread

    draws = np.asarray(draws, dtype=float)
    if not np.all(np.isfinite(draws)):
        return "-"
    med, lo, hi = (float(x) for x in spread(draws))
    texts = [smart(x, unit) for x in (med, lo, hi)]
    if len(set(texts)) == 1:                 # the draws agree to the digits shown
        return texts[0]
    dash = "–" if lo >= 0 and hi >= 0 else " to "
    return f"{texts[0]} ({texts[1]}{dash}{texts[2]})"


def percent_change(new: float, old: float) -> str:
    """(new / old - 1) in % with sign, ``-`` when old is zero."""
    return f"{(new / old - 1.0) * 100:+.0f} %" if old else "-"


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def area_label(municipalities: list[str], names: dict[str, str]) -> str:
    """How the selected municipalities together are called: 'the 13 together', 'Oslo and Bærum together'."""
    if list(municipalities) == list(dims.MUNICIPALITIES):
        return "the 13 together"
    if len(municipalities) == 1:
        return names[municipalities[0]]
    if len(municipalities) > 4:
        return f"the {len(municipalities)} selected together"
    return join_names([names[m] for m in municipalities]) + " together"


# Indicators whose name is a result variable's rather than words a reader would use.
LABELS = {"cordon_car_trips": "Passages through own toll cordons"}


def indicator_label(name: str) -> str:
    """An indicator's name as a reader reads it: ``nox_road_exhaust`` -> ``NOx road exhaust``."""
    if name in LABELS:
        return LABELS[name]
    text = name.replace("_", " ")
    for word, shown in (("nox", "NOx"), ("pm10", "PM10"), ("heat", "HEAT"), ("20yr", "20-year"),
                        ("100yr", "100-year"), ("vkm", "vehicle-km")):
        text = re.sub(rf"\b{word}\b", shown, text)
    return text[0].upper() + text[1:]


def unit_label(unit: str, name: str = "") -> str:
    """A unit as a reader reads it: dimensionless shares and indices said so."""
    if unit == "1":
        return "index" if name.endswith("index") else "share"
    return unit
