"""What a measure kind is: validated fields and a function from field values to lever targets.

A field is a number (``compliance = 0.8``), a number per label of one lever axis
(``fee_nok = { A = 40, B = 20 }``: labels left out keep the field's default, or stay
unset when it has none), or a label (``cordon = "oslo_ring"``). A kind's ``to_levers``
turns the validated values into the full-strength target of each lever it sets, an
array over the lever's axes with NaN in the cells it does not set (see ``levers.py`` for
how several measures on one lever combine).

Money fields are in NOK of the measure's ``price_year`` (its start year unless given);
``to_levers`` receives them already converted to real 2009 NOK.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import numpy as np

from ..levers import LEVERS, axis_labels

COMMON_KEYS = ("kind", "municipality", "start_year", "ramp_years", "end_year", "label", "replaces",
               "price_year", "start_date", "adoption", "acceptance")
ADOPTION = ("forced", "adaptive")   # forced: starts at start_year; adaptive: its municipality decides (agents.py)


@dataclass(frozen=True)
class Field:
    name: str
    unit: str
    default: float | str | None   # used when the field is omitted; None: the lever keeps its value
    low: float
    high: float
    description: str
    axis: str | None = None       # a lever axis: the field may give one value per label of it
    required: bool = False
    choice_axis: str | None = None  # the field is a label of this axis (e.g. a cordon id)
    money: bool = False           # NOK: converted from the price year to real 2009 NOK

    @property
    def labels(self) -> tuple[str, ...] | None:
        return axis_labels(self.axis) if self.axis else None

    @property
    def choices(self) -> tuple[str, ...] | None:
        return axis_labels(self.choice_axis) if self.choice_axis else None


@dataclass(frozen=True)
class CostItem:
    """One cost stream of a measure kind, computed from two finished runs: the scenario without the
    measure (``base``) and with it (``run``). ``compute(base, run, rate)`` returns ``(T, D, M)``
    [real 2009 NOK/yr], positive where the payer pays more (or society uses more resources) with the
    measure, negative where it saves or receives; ``rate`` [1/yr] annualises investments.

    ``flow`` is ``"resource"`` (a cost to society: investment, operation, energy, time) or
    ``"transfer"`` (money between parties: revenue, grants, taxes; the counterpart is another item,
    and transfers are left out of the social cost). ``payer`` is ``"public"`` (municipality, state,
    toll company, public transport) or ``"users"`` (households and firms).
    """

    name: str
    flow: str
    payer: str
    method: str                        # the formula, with units and sources
    compute: Callable = field(compare=False, repr=False)
    parameters: tuple[str, ...] = ()   # the cost.* parameters it reads
    # where the parameters that matter depend on what the measure changed: ``reads(base, run)`` gives them
    reads: Callable | None = field(default=None, compare=False, repr=False)

    def parameters_for(self, base, run) -> tuple[str, ...]:
        """The parameters this item's stream of ``base`` and ``run`` rests on."""
        return self.parameters if self.reads is None else self.reads(base, run)


@dataclass(frozen=True)
class Costs:
    """A kind's cost declaration: its items, what they leave out and why; or, with no items, why the
    kind is not costed."""

    items: tuple[CostItem, ...] = ()
    not_counted: tuple[str, ...] = ()
    reason: str = ""                   # why the kind is not costed (no items)
    caveat: str = ""                   # a few words beside each cost of the kind: what may outweigh it
    # a costed kind whose measure, as given, acts only through what its items leave out: the measure's values
    # -> why that measure is not costed, or None (e.g. a district-heat fuel switch with connections unchanged)
    uncosted: Callable[[dict], str | None] | None = field(default=None, compare=False, repr=False)
    # a costed kind whose measure, as given, acts also through what its items leave out: the measure's values ->
    # why its costs cover only a part of its abatement (then no cost per tonne is given), or None
    partly: Callable[[dict], str | None] | None = field(default=None, compare=False, repr=False)

    @property
    def costed(self) -> bool:
        return bool(self.items)

    def partly_costed_because(self, values: dict) -> str | None:
        """Why a costed measure with these ``values`` has costs for only a part of its abatement (None: all)."""
        return self.partly(values) if self.costed and self.partly is not None else None

    def not_costed_because(self, values: dict) -> str | None:
        """Why a measure with these ``values`` is not costed (None: it is): the kind has no items, or the
        measure acts only through what they leave out."""
        if not self.costed:
            return self.reason
        return self.uncosted(values) if self.uncosted is not None else None


@dataclass(frozen=True)
class MeasureKind:
    name: str
    area: str                          # programme area: land_use_transport, buildings_energy, waste
    description: str
    fields: tuple[Field, ...]
    to_levers: Callable[[dict], dict[str, np.ndarray]]
    source: str = ""                   # where the mechanism's effect size comes from
    municipality_from: str | None = None   # a field whose label fixes the municipality (cordon owner)
    costs: Costs | None = field(default=None, compare=False)   # cost items (measures/costing.py)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def levers(self) -> tuple[str, ...]:
        """The levers this kind can set (from its full-range values)."""
        return tuple(self.to_levers(example_values(self, "high")))

    @property
    def has_money(self) -> bool:
        """Whether some field is in NOK (of the measure's price year)."""
        return any(f.money for f in self.fields)

    def deflator(self, price_year: int) -> float:
        """The factor turning this kind's money from NOK of ``price_year`` into real 2009 NOK [1] (1 without
        money)."""
        if not self.has_money:
            return 1.0
        from ..prices import to_real_2009

        return to_real_2009(price_year)


@dataclass(frozen=True)
class Measure:
    """One validated ``[[measure]]`` entry of a scenario."""

    kind: str
    municipalities: tuple[str, ...]
    start_year: int
    ramp_years: int
    end_year: int | None
    values: dict                   # field -> float | str | np.ndarray (NaN = not given) | None
    label: str
    origin: str                    # file and entry, e.g. "current-policies.toml: measure[2]"
    replaces: tuple[str, ...] = ()
    price_year: int | None = None
    deflator: float | np.ndarray = field(default=1.0, compare=False)   # NOK of price_year -> real 2009 NOK
    adoption: str = "forced"       # "adaptive": on the agenda from start_year, adopted when the rule fires
    acceptance: float | None = None   # public support for an adaptive measure (None: the kind's default)
    # The day it took effect, where a whole start year rounds it (a toll change of October acts from the next
    # year): it names the change to observations dated by the calendar (``framtid tolls --observed``); runs
    # never read it.
    start_date: date | None = None
    # The fields the file gives (the others are at their defaults): a default that changes what a scenario had
    # can then be pointed out (``scenario_checks.bev_free_by_default``). Empty for measures built in code.
    given: frozenset = field(default=frozenset(), compare=False)


def programmatic(kind: MeasureKind, municipalities: tuple[str, ...], start: int, values: dict, label: str,
                 origin: str, price_year: int) -> Measure:
    """A measure built in code rather than read from a scenario file (elasticities, measurement tools): the
    ``values`` given, each other field at its default; an axis field as one number for every label or a table
    ``{label: value}`` (labels left out not set). Money fields are in NOK of ``price_year``, converted to real
    2009 NOK as a scenario file's are."""
    full = {}
    for f in kind.fields:
        value = values.get(f.name, f.default)
        if f.axis and isinstance(value, dict):
            value = np.array([value.get(x, np.nan) for x in f.labels], dtype=float)
        elif f.axis and value is not None and np.ndim(value) == 0:
            value = np.full(len(f.labels), float(value))
        full[f.name] = value
    return Measure(kind.name, municipalities, start, 0, None, full, label, origin, price_year=price_year,
                   deflator=kind.deflator(price_year))


def same_values(a: dict, b: dict) -> bool:
    """Whether two measures' field values are the same (NaN equal to NaN, arrays element by element): a toll
    rate posted again in a later year's kroner is the same rate (``toll_cases.is_carry``)."""
    def same(x, y) -> bool:
        if isinstance(x, str) or isinstance(y, str) or x is None or y is None:
            return x == y
        return np.array_equal(np.asarray(x, dtype=float), np.asarray(y, dtype=float), equal_nan=True)

    return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)


def example_values(kind: MeasureKind, pick: str) -> dict:
    """Field values at each field's default (mid-range when required), low or high end."""
    out = {}
    for f in kind.fields:
        if f.choice_axis:
            out[f.name] = f.default if isinstance(f.default, str) else f.choices[0]
        elif pick == "default":
            out[f.name] = f.default if f.default is not None else (f.low + f.high) / 2
        else:
            out[f.name] = getattr(f, pick)
    return out


def target(lever: str, cells: dict[str, str | int] | None = None, value=np.nan) -> np.ndarray:
    """A lever target over its axes: NaN everywhere, ``value`` in the cells chosen by
    ``cells`` (axis name -> label or index; axes not named: every label)."""
    lv = LEVERS[lever]
    out = np.full(lv.shape, np.nan)
    index = []
    for axis in lv.axes:
        pick = (cells or {}).get(axis)
        if pick is None:
            index.append(slice(None))
        else:
            index.append(axis_labels(axis).index(pick) if isinstance(pick, str) else pick)
    out[tuple(index)] = value
    return out


def field_levers(mapping: dict[str, str]) -> Callable[[dict], dict[str, np.ndarray]]:
    """``to_levers`` for kinds whose fields each set one lever: field -> lever. A field left out
    sets nothing; a vector field keeps NaN in the cells it does not give."""

    def to_levers(values: dict) -> dict[str, np.ndarray]:
        return {lever: np.asarray(values[name], dtype=float) for name, lever in mapping.items()
                if values.get(name) is not None}

    return to_levers


def share(name, description, default=1.0, required=False) -> Field:
    return Field(name, "share", default, 0.0, 1.0, description, required=required)


ZONES = axis_labels("zone")


def zone_values(values: dict, name: str, default_zone: str) -> np.ndarray:
    """A field by zone type; left out (None): 1 in ``default_zone`` only (NaN elsewhere: not set)."""
    given = values.get(name)
    if given is None:
        out = np.full(len(ZONES), np.nan)
        out[ZONES.index(default_zone)] = 1.0
        return out
    return np.broadcast_to(np.asarray(given, dtype=float), (len(ZONES),)).copy()
