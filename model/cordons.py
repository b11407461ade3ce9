"""Toll cordons, their rates and commuting: the data of who crosses which cordon, and what it charged when.

Three embedded files, built by ``tools/build_cordons.py`` from the reference data:

* ``cordons.csv``: one row per charging ring. A cordon belongs to one of the 13
  municipalities (its owner; a scheme spanning two municipalities has one cordon in
  each). ``inside_share`` ``I_z`` is the share of the owner's residents of ABC zone type
  ``z`` and of the car-trip ends in zone type ``z`` that lie inside the cordon.
* ``toll_rates.csv``: the rate history per cordon, by vehicle class, fuel and period.
* ``commuting.csv``: the share of the employed residents of one municipality who work
  in another.

The three loaders read them and raise :class:`DataError` naming file, line and column;
:func:`rates_in_year` gives a year's mean rates from the rate history; :func:`cordons` is the toll
lever's cordon axis (the embedded cordons, then those of the scenario in hand, :func:`using`).
The crossing rule, which turns commuting and zone shares into crossings and paid passages per trip,
is :mod:`cordon_crossing`; ``DIRECTION_FACTOR`` (paid passages per crossing) stays here because
``load_cordons`` and :mod:`scenario_cordons` check ``charged_direction`` against it.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta
from pathlib import Path
from typing import Sequence

import numpy as np

from . import dims
from .data_store import data_path, read_rows
from .errors import DataError

STATUSES = ("observed", "derived", "estimated", "assumption")
CONFIDENCE = ("high", "medium", "low", "derived")
DIRECTION_FACTOR = {"inbound": 0.5, "both": 1.0}   # paid passages per crossing [1]
VEHICLE_CLASSES = ("light", "heavy")
FUELS = ("petrol", "diesel", "bev")                  # petrol includes plug-in hybrids
RATE_FUELS = FUELS + ("all",)
RATE_PERIODS = dims.PERIODS + ("all",)

CORDON_COLUMNS = ("id", "name", "municipality", "charged_direction", "inside_share_A", "inside_share_B",
                  "inside_share_C", "exchange_with", "external_passage_ratio", "hour_rule", "succeeds", "first_year",
                  "last_year", "status", "method", "source")
# The cordons whose operator adjusted the rates by the consumer prices between the changes the data state:
# Fjellinjen's in Oslo and Bærum (toll_schemes.csv: "CPI adjustment" of 2012-03-15, "CPI-adjusted ~2020-2021").
# Their rates are held in real terms between changes; every other cordon's rate is posted in kroner
# (tools/toll_history.py carries it into each later year's kroner; toll_cases holds it so in a counterfactual).
PRICE_INDEXED = frozenset({"oslo_ring", "baerum_ring", "oslo_ring_2019", "oslo_inner_ring", "oslo_city_boundary"})
HOUR_RULE_SIZE = 2      # cordons one hour rule may join (one payment for a trip crossing both: the dearer)
RATE_COLUMNS = ("cordon", "valid_from", "valid_to", "vehicle_class", "fuel", "period", "price_nok",
                "tag_discount_share", "status", "source", "confidence", "note")
COMMUTING_COLUMNS = ("home", "work", "year", "share", "status", "method", "source")


@dataclass(frozen=True)
class Cordon:
    """A charging ring owned by one municipality."""

    id: str
    name: str
    municipality: str                      # owner, one of dims.MUNICIPALITIES
    charged_direction: str                 # inbound | both
    inside_share: tuple[float, float, float]  # I_z for zones A, B, C [1]
    exchange_with: tuple[str, ...]         # other municipalities whose trips to and from the owner cross it
    # Passages the crossing rule does not count (vehicles from outside the 13, through traffic,
    # transit across a third municipality, residents' trips to places outside the 13) per
    # passage it counts [1]; multiply counted passages by (1 + ratio) for all passages.
    external_passage_ratio: float
    first_year: int
    last_year: int | None                  # None: still in force
    status: str
    method: str
    source: str
    scenario_file: str | None = None       # the scenario file that defines it; None for the embedded ones
    # Cordons of one owner sharing an hour rule ("" for none): a trip that crosses both pays once, the dearer
    # passage (the Norwegian "timesregel", e.g. Osloringen and Indre ring from 2019).
    hour_rule: str = ""
    # The cordon whose stations this one continues under a new scheme ("" for none; the 2019 Osloringen the
    # 1990 ring): a toll case of the new scheme is set against the predecessor kept (evaluation.toll_cases).
    succeeds: str = ""


@dataclass(frozen=True)
class TollRate:
    """A rate per passage in force from ``valid_from`` to ``valid_to`` (inclusive; None: open)."""

    cordon: str
    valid_from: date
    valid_to: date | None
    vehicle_class: str                     # light | heavy
    fuel: str                              # petrol | diesel | bev | all
    period: str                            # peak | offpeak | all
    price_nok: float                       # nominal NOK per passage, without tag discount (EV rows
                                           # quoted only with a tag carry that price and discount 0)
    tag_discount_share: float              # [1]; 0 where the source states none
    status: str
    source: str
    confidence: str
    note: str


@dataclass(frozen=True)
class CommuteShare:
    """Share of the employed residents of ``home`` who work in ``work`` [1]."""

    home: str
    work: str
    year: int
    share: float
    status: str
    method: str
    source: str


# -- loaders -------------------------------------------------------------------------------

def _embedded(name: str) -> Path:
    return data_path(name)


_rows = read_rows


class _Row:
    """One CSV row that reports bad values with file, line and column."""

    def __init__(self, name: str, lineno: int, row: dict[str, str]):
        self.name, self.lineno, self.row = name, lineno, row

    def fail(self, column: str, what: str) -> DataError:
        return DataError(f"{self.name}: line {self.lineno}: column {column!r} {what}, "
                         f"got {self.row.get(column)!r}")

    def text(self, column: str, allowed: Sequence[str] | None = None, optional: bool = False) -> str:
        value = (self.row.get(column) or "").strip()
        if allowed is not None and value not in allowed:
            raise self.fail(column, f"must be one of {', '.join(allowed)}")
        if allowed is None and not value and not optional:
            raise self.fail(column, "must not be empty")
        return value

    def number(self, column: str, low: float = -np.inf, high: float = np.inf) -> float:
        try:
            value = float(self.row.get(column) or "")
        except ValueError:
            raise self.fail(column, "must be a number") from None
        if not low <= value <= high:
            raise self.fail(column, f"must lie in [{low:g}, {high:g}]")
        return value

    def year(self, column: str, optional: bool = False) -> int | None:
        if optional and not (self.row.get(column) or "").strip():
            return None
        value = self.number(column, 1900, 2100)
        if value != int(value):
            raise self.fail(column, "must be a whole year")
        return int(value)

    def date(self, column: str, optional: bool = False) -> date | None:
        text = (self.row.get(column) or "").strip()
        if optional and not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise self.fail(column, "must be a date YYYY-MM-DD") from None


def load_cordons(path: Path | None = None) -> tuple[Cordon, ...]:
    """The cordons of ``cordons.csv`` (the embedded file unless ``path`` is given), in file order."""
    path = path or _embedded("cordons.csv")
    out: dict[str, Cordon] = {}
    for lineno, raw in _rows(path, CORDON_COLUMNS):
        r = _Row(path.name, lineno, raw)
        cid, owner = r.text("id"), r.text("municipality", dims.MUNICIPALITIES)
        if cid in out:
            raise r.fail("id", "must be unique")
        exchange = r.text("exchange_with")
        if exchange == "all":
            others = tuple(m for m in dims.MUNICIPALITIES if m != owner)
        else:
            others = tuple(exchange.split("+"))
            if any(m not in dims.MUNICIPALITIES or m == owner for m in others):
                raise r.fail("exchange_with", "must be 'all' or other municipality ids joined by '+'")
        first, last = r.year("first_year"), r.year("last_year", optional=True)
        if last is not None and last < first:
            raise r.fail("last_year", f"must not precede first_year {first}")
        out[cid] = Cordon(
            cid, r.text("name"), owner, r.text("charged_direction", tuple(DIRECTION_FACTOR)),
            tuple(r.number(f"inside_share_{z}", 0.0, 1.0) for z in dims.ZONES), others,
            r.number("external_passage_ratio", 0.0), first, last,
            r.text("status", STATUSES), r.text("method"), r.text("source"), hour_rule=r.text("hour_rule", None, True),
            succeeds=r.text("succeeds", None, True))
        for column, problem in (("hour_rule", hour_rule_problem(list(out.values()), out[cid])),
                                ("succeeds", succession_problem(list(out.values()), out[cid]))):
            if problem:
                raise r.fail(column, problem)
    if not out:   # the toll history and the toll lever's axis are built on the cordons
        raise DataError(f"{path.name}: no cordons after the header; the file needs one row per cordon")
    return tuple(out.values())


def hour_rule_problem(cordons: Sequence[Cordon], cordon: Cordon) -> str | None:
    """Why ``cordon``'s hour rule cannot join the others' of ``cordons`` (it among them), or None: an hour
    rule joins at most ``HOUR_RULE_SIZE`` cordons, all of one owner (the crossing rule knows which of one
    municipality's cordons a trip crosses together, not which of two)."""
    if not cordon.hour_rule:
        return None
    group = [c for c in cordons if c.hour_rule == cordon.hour_rule]
    if any(c.municipality != cordon.municipality for c in group):
        others = ", ".join(f"{c.id} ({c.municipality})" for c in group if c.municipality != cordon.municipality)
        return f"joins cordons of another municipality ({others}); an hour rule joins cordons of one owner"
    if len(group) > HOUR_RULE_SIZE:
        return (f"joins {len(group)} cordons ({', '.join(c.id for c in group)}); an hour rule joins at most "
                f"{HOUR_RULE_SIZE}")
    return None


def succession_problem(cordons: Sequence[Cordon], cordon: Cordon) -> str | None:
    """Why ``cordon`` cannot succeed the cordon it names among ``cordons`` (those before it), or None: the
    predecessor must be another cordon of the same owner."""
    return predecessor_problem([c for c in cordons if c is not cordon], cordon.succeeds, cordon.municipality)


def predecessor_problem(earlier: Sequence[Cordon], succeeds: str, municipality: str | None) -> str | None:
    """Why no cordon of ``earlier`` can be the one ``succeeds`` names for a cordon of ``municipality`` (None: not
    known, when the cordon's own municipality is in error), or None."""
    if not succeeds:
        return None
    by_id = {c.id: c for c in earlier}
    if succeeds not in by_id:
        return f"must name a cordon defined before it ({', '.join(by_id) or 'none'})"
    if municipality is not None and by_id[succeeds].municipality != municipality:
        return f"names a cordon of another municipality ({by_id[succeeds].municipality})"
    return None


def hour_rule_pairs(cordons: Sequence[Cordon]) -> tuple[tuple[int, int], ...]:
    """The index pairs of ``cordons`` that share an hour rule, in cordon order."""
    return tuple((i, j) for i, a in enumerate(cordons) for j, b in enumerate(cordons)
                 if i < j and a.hour_rule and a.hour_rule == b.hour_rule)


def load_toll_rates(path: Path | None = None, cordon_ids: Sequence[str] | None = None) -> tuple[TollRate, ...]:
    """The rates of ``toll_rates.csv``; every cordon must be one of ``cordon_ids``
    (default: the embedded cordons). Two rows for the same cordon, class, fuel and
    period must not be in force on the same day."""
    path = path or _embedded("toll_rates.csv")
    known = tuple(cordon_ids) if cordon_ids is not None else tuple(c.id for c in load_cordons())
    out: list[tuple[int, TollRate]] = []
    for lineno, raw in _rows(path, RATE_COLUMNS):
        r = _Row(path.name, lineno, raw)
        start, end = r.date("valid_from"), r.date("valid_to", optional=True)
        if end is not None and end < start:
            raise r.fail("valid_to", f"must not precede valid_from {start}")
        discount = r.number("tag_discount_share", 0.0, 1.0) if raw.get("tag_discount_share") else 0.0
        out.append((lineno, TollRate(
            r.text("cordon", known), start, end, r.text("vehicle_class", VEHICLE_CLASSES),
            r.text("fuel", RATE_FUELS), r.text("period", RATE_PERIODS), r.number("price_nok", 0.0),
            discount, r.text("status", STATUSES), r.text("source"), r.text("confidence", CONFIDENCE),
            raw.get("note") or "")))
    _check_overlaps(path.name, out)
    return tuple(rate for _, rate in out)


def _check_overlaps(name: str, rates: list[tuple[int, TollRate]]) -> None:
    last_day = date.max
    seen: dict[tuple, list[tuple[int, TollRate]]] = {}
    for lineno, t in rates:
        key = (t.cordon, t.vehicle_class, t.fuel, t.period)
        for other_line, o in seen.get(key, []):
            if t.valid_from <= (o.valid_to or last_day) and o.valid_from <= (t.valid_to or last_day):
                raise DataError(f"{name}: line {lineno}: column 'valid_from' {t.valid_from} overlaps line "
                                f"{other_line} ({t.cordon}, {t.vehicle_class}, {t.fuel}, {t.period})")
        seen.setdefault(key, []).append((lineno, t))


def load_commuting(path: Path | None = None) -> tuple[CommuteShare, ...]:
    """The commuting shares of ``commuting.csv``. A home's shares in one year sum to at most 1."""
    path = path or _embedded("commuting.csv")
    out: list[CommuteShare] = []
    totals: dict[tuple[str, int], float] = {}
    seen: set[tuple[str, str, int]] = set()
    for lineno, raw in _rows(path, COMMUTING_COLUMNS):
        r = _Row(path.name, lineno, raw)
        home, work = r.text("home", dims.MUNICIPALITIES), r.text("work", dims.MUNICIPALITIES)
        if work == home:
            raise r.fail("work", "must differ from home")
        year, share = r.year("year"), r.number("share", 0.0, 1.0)
        if (home, work, year) in seen:
            raise r.fail("year", f"repeats the pair {home} -> {work}")
        seen.add((home, work, year))
        totals[(home, year)] = totals.get((home, year), 0.0) + share
        if totals[(home, year)] > 1.0:
            raise r.fail("share", f"makes the shares of {home} in {year} exceed 1")
        out.append(CommuteShare(home, work, year, share, r.text("status", STATUSES), r.text("method"),
                                r.text("source")))
    return tuple(out)


# -- rates ---------------------------------------------------------------------------------

def _specificity(rate: TollRate) -> int:
    """Named fuel first, then named period: a bev row beats an all-fuel peak row."""
    return 2 * (rate.fuel != "all") + (rate.period != "all")


def cells(live: Sequence[TollRate], tag_share: float) -> np.ndarray:
    """Rates ``(class, fuel, period)`` on a day when the rows ``live`` are in force."""
    out = np.zeros((len(VEHICLE_CLASSES), len(FUELS), len(dims.PERIODS)))
    rank = np.full(out.shape, -1)
    for r in live:
        k = VEHICLE_CLASSES.index(r.vehicle_class)
        fuels = range(len(FUELS)) if r.fuel == "all" else (FUELS.index(r.fuel),)
        periods = range(len(dims.PERIODS)) if r.period == "all" else (dims.PERIODS.index(r.period),)
        for f in fuels:
            for t in periods:
                if _specificity(r) > rank[k, f, t]:
                    rank[k, f, t] = _specificity(r)
                    out[k, f, t] = r.price_nok * (1.0 - tag_share * r.tag_discount_share)
    return out


def rates_in_year(rates: Sequence[TollRate], year: int, cordon_ids: Sequence[str],
                  tag_share: float = 0.0) -> np.ndarray:
    """Mean toll per passage over ``year`` [nominal NOK/passage], ``(C, 2, 3, 2)``.

    Axes: cordon (in the order of ``cordon_ids``), vehicle class (light, heavy), fuel
    (petrol incl. plug-in hybrids, diesel, bev), period (peak, offpeak). The year is
    cut where rows start or end; each piece counts with its number of days, so a rate
    change on 1 July weighs the two rates about half and half, and days without a rate
    (before a cordon opens, after it closes) count as 0. This is the mean rate for
    passages spread evenly over the year. On each day the most specific row in force sets
    each cell: a row for a named fuel wins over an ``all``-fuel row (so an EV exemption
    ``bev, all`` beats ``all, peak``), and among those a named period over ``all``; ``all``
    expands to every fuel or period otherwise. ``tag_share`` [1] is the share of passages made with
    a tag, which pay ``price * (1 - tag_discount_share)``; 0 gives the full price.
    """
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    days = (end - start).days
    out = np.zeros((len(cordon_ids), len(VEHICLE_CLASSES), len(FUELS), len(dims.PERIODS)))
    for c, cid in enumerate(cordon_ids):
        rows = [r for r in rates if r.cordon == cid and r.valid_from < end
                and (r.valid_to is None or r.valid_to >= start)]
        cuts = {start, end}
        for r in rows:
            cuts.add(max(r.valid_from, start))
            if r.valid_to is not None and r.valid_to + timedelta(days=1) < end:
                cuts.add(r.valid_to + timedelta(days=1))
        cuts = sorted(cuts)
        for a, b in zip(cuts, cuts[1:]):
            live = [r for r in rows if r.valid_from <= a and (r.valid_to is None or r.valid_to >= a)]
            out[c] += cells(live, tag_share) * (b - a).days / days
    return out


# -- the cordon axis of the toll lever ---------------------------------------------------------

# The cordons a scenario defines itself (``[cordons.<id>]`` in its file), in force while that scenario is read,
# set up or run (:func:`using`): they follow the embedded ones on the toll lever's cordon axis.
_SCENARIO_CORDONS: ContextVar[tuple[Cordon, ...]] = ContextVar("framtid_scenario_cordons", default=())


@lru_cache(maxsize=1)
def embedded_cordons() -> tuple[Cordon, ...]:
    """The cordons of ``cordons.csv`` (read once)."""
    return load_cordons()


def cordons() -> tuple[Cordon, ...]:
    """The cordons of the toll lever's ``cordon`` axis: the embedded ones, then those of the scenario in
    hand (:func:`using`)."""
    return embedded_cordons() + _SCENARIO_CORDONS.get()


@contextmanager
def using(scenario_cordons: Sequence[Cordon]):
    """Add a scenario's own cordons to the cordon axis while the scenario is read, set up or run."""
    token = _SCENARIO_CORDONS.set(tuple(scenario_cordons))
    try:
        yield
    finally:
        _SCENARIO_CORDONS.reset(token)


def default_external_passage_ratio() -> float:
    """The external passage ratio of a cordon a scenario defines without one: the median of the embedded
    cordons' [1]."""
    return float(np.median([c.external_passage_ratio for c in embedded_cordons()]))


def cordon_ids() -> tuple[str, ...]:
    """Cordon ids in the order of the toll lever's ``cordon`` axis."""
    return tuple(c.id for c in cordons())


def owner_of(cordon_id: str) -> str:
    """The municipality whose cordon it is."""
    for c in cordons():
        if c.id == cordon_id:
            return c.municipality
    raise KeyError(f"unknown cordon {cordon_id!r}; known: {', '.join(cordon_ids())}")
