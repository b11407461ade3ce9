"""Measured changes of the passages at the cordons beside the model's toll cases (``framtid tolls --observed``).

A CSV of observed changes (:func:`read_observed_changes`) is checked against a scenario's cases before any run
(:func:`check_observed`), and each observation is set beside the case it measures (:func:`compare`): the model's
before-and-after change or effect, the observed one, their difference and, with draws, whether the observation lies
in the model's 5-95 % range; :func:`agreement` sums them up. No observed count is an input of the model. The cases
themselves are :mod:`.toll_cases`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from .. import dims
from ..errors import ObservationFileError, did_you_mean
from ..observation_table import Table

COMPARED = {"before_after": "before_after", "effect": "effect"}   # observed 'compare' -> model column prefix
OBSERVED_COLUMNS = ("cordon", "year", "change_pct")
OBSERVED_OPTIONAL = ("compare", "source", "date")


def _span(start: int, full: int) -> str:
    """A change's years from its start to its first full year: ``2024-2025``, or ``2023``."""
    return f"{start}-{full}" if full > start else str(start)


def _no_cordon(cordon: str, known: list[str]) -> str:
    """What to say of an observation on a cordon without toll changes."""
    return f"{did_you_mean(cordon, known)}cordons with toll changes: {', '.join(known) or 'none'}"


def check_observed(scenario, observed: list[ObservedChange], path: str | Path,
                   cordons: tuple[str, ...] | None = None, own: bool = False) -> None:
    """Refuse, before any run, an observation that no case of ``scenario`` (as :func:`cases` picks them) will
    meet (:func:`compare`): naming its line, the cases on its cordon and, where a case was left out by
    ``cordons`` or ``own``, that option."""
    from .toll_cases import changes, cordons_of, years

    picked = {id(m) for m in changes(scenario, cordons, own)}
    spans = [(m, c, years(scenario, m)[0]) for m in changes(scenario) for c in cordons_of(scenario, m)]
    seen: dict[tuple, int] = {}
    for obs in observed:
        on_cordon = [(m, full) for m, c, full in spans if c == obs.cordon]
        if not on_cordon:
            known = sorted({c for _, c, _ in spans})
            raise ObservationFileError(f"{path}: line {obs.line}, column 'cordon': {scenario.name} has no toll "
                                       f"change on {obs.cordon!r}; {_no_cordon(obs.cordon, known)}")
        m, _ = on_cordon[_case_of(obs, [(m.start_year, full, m.start_date) for m, full in on_cordon], path,
                                  scenario.name)]
        # one measured change per change and comparison, however its date is written: two would weigh it twice
        key = (id(m), obs.cordon, obs.compare)
        if key in seen:
            raise ObservationFileError(f"{path}: line {obs.line}, column 'change_pct': the toll change on {obs.cordon} "
                                       f"of {m.start_date or m.start_year} ({obs.compare}) is given twice (also line "
                                       f"{seen[key]}); one value per cordon, change and comparison is allowed "
                                       "(combine two studies of it into one)")
        seen[key] = obs.line
        if id(m) not in picked:
            left_out = "--cordon" if cordons is not None and obs.cordon not in cordons else "--own"
            raise ObservationFileError(f"{path}: line {obs.line}: the toll change on {obs.cordon} in {obs.year} is "
                                       f"left out by {left_out}; leave the option out or the observation")


def _case_of(obs: ObservedChange, on_cordon: list[tuple], path: str | Path, scenario: str) -> int:
    """The index in ``on_cordon`` (the toll changes on the observation's cordon, each (start year, first full
    year, start_date or None)) of the change ``obs`` measures. With a ``date``, the change that took effect then
    (2017-10 or 2017-10-01). Else the change that took effect in the observed calendar year, so that an opening
    on 2019-11-15 is "2019" although the model runs it from 2020; where none did, the change whose years from
    start to first full year hold the observed year (the last of them where several do: a change of July
    2017 still ramps in 2018, the year a change of October 2017 starts). Refuses, naming the line and the
    changes there are, an observation no change or more than one change taking effect that year fits."""
    def dated(d):
        return "" if d is None else f" (took effect {d.isoformat()})"

    runs = "; ".join(_span(start, full) + dated(d) for start, full, d in on_cordon)
    where = f"{path}: line {obs.line}"
    if obs.date:
        found = [i for i, (_, _, d) in enumerate(on_cordon) if d is not None and d.isoformat().startswith(obs.date)]
        if not found:
            raise ObservationFileError(f"{where}, column 'date': no toll change of {scenario} on {obs.cordon} took "
                                       f"effect on {obs.date}; the toll changes on {obs.cordon}: {runs}")
        return found[-1]
    found = [i for i, (_, _, d) in enumerate(on_cordon) if d is not None and d.year == obs.year]
    if len(found) > 1:
        raise ObservationFileError(
            f"{where}, column 'year': {len(found)} toll changes of {scenario} on {obs.cordon} took effect in "
            f"{obs.year} ({', '.join(on_cordon[i][2].isoformat() for i in found)}); add a column date (like "
            f"{on_cordon[found[-1]][2].isoformat()[:7]}) to say which")
    found = found or [i for i, (start, full, _) in enumerate(on_cordon) if start <= obs.year <= full]
    if not found:
        raise ObservationFileError(f"{where}, column 'year': no toll change of {scenario} on {obs.cordon} took "
                                   f"effect, starts or reaches full strength in {obs.year}; the toll changes on "
                                   f"{obs.cordon}: {runs}")
    return found[-1]


@dataclass(frozen=True)
class ObservedChange:
    """A measured change of the passages across a cordon after a toll change [%]."""

    cordon: str
    year: int         # a year of the change's ramp: its start year or its first full year
    change_pct: float
    compare: str      # "before_after" (a count before and after, trend included) or "effect" (trend removed)
    source: str
    line: int         # in the file, for messages
    date: str = ""    # "2017-10" or "2017-10-01": the day (or month) the change took effect, where the year is not
                      # enough to tell two changes apart


def read_observed_changes(path: str | Path) -> list[ObservedChange]:
    """Measured changes in a CSV with the columns ``cordon,year,change_pct[,compare][,source][,date]``.

    ``cordon`` is a cordon id (``framtid list cordons``), ``year`` the calendar year the change took effect
    (or one of the model's years of it: its start year or first full year, :func:`_case_of`), ``change_pct``
    the change of passages [%] (-8.5 for a fall of 8.5 %), ``compare`` what it measures: ``before_after``
    (default; a count before and after, the trend included) or ``effect`` (a study that removed the trend),
    ``date`` the day or month it took effect (2017-10-01, 2017-10; in ``year`` or the year before) where the year
    fits two changes or is the change's first full year. Every
    problem raises :class:`ObservationFileError` naming the file, the line, the column and what is allowed."""
    header = f"{','.join(OBSERVED_COLUMNS)}[,{'][,'.join(OBSERVED_OPTIONAL)}]"
    table = Table(Path(path), header)
    missing = [c for c in OBSERVED_COLUMNS if c not in table.header]
    if missing:
        table.fail(1, f"missing column(s) {', '.join(missing)}; the file needs the columns {header}", missing[0])
    table.refuse_unknown_columns(OBSERVED_COLUMNS + OBSERVED_OPTIONAL, header)
    out, seen = [], {}
    for line, row in table.rows:
        year_text = table.cell(line, row, "year")
        try:
            year = int(year_text)
        except ValueError:
            table.fail(line, f"must be a whole year like 2019, got {year_text!r}", "year")
        if not dims.BASE_YEAR < year <= dims.FINAL_YEAR:
            table.fail(line, f"year {year} is outside the model's years of change, {dims.BASE_YEAR + 1}-"
                             f"{dims.FINAL_YEAR}", "year")
        text = table.cell(line, row, "change_pct")
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value <= -100.0:
            table.fail(line, f"must be a change in per cent above -100, like -8.5, got {text!r}", "change_pct")
        compare = (row.get("compare") or "").strip() or "before_after"
        if compare not in COMPARED:
            table.fail(line, f"unknown comparison {compare!r}; allowed: {', '.join(COMPARED)} (empty: before_after)",
                       "compare")
        when = (row.get("date") or "").strip()
        if when and not _date_of(when, year):
            table.fail(line, f"must be the day or month the change took effect, in {year} or the year before (a "
                             f"change of late {year - 1} measured in {year}), like {year}-10-01 or {year - 1}-10, "
                             f"got {when!r}", "date")
        cordon = table.cell(line, row, "cordon")
        # one measured change per change and comparison: two would weigh that change twice in the mean error
        key = (cordon, year, when, compare)
        if key in seen:
            table.fail(line, f"the change on {cordon} in {when or year} ({compare}) is given twice (also line "
                             f"{seen[key]}); one value per cordon, change and comparison is allowed (combine two "
                             "studies of it into one)", "change_pct")
        seen[key] = line
        out.append(ObservedChange(cordon, year, value, compare, (row.get("source") or "").strip(), line, when))
    return out


def _date_of(text: str, year: int) -> bool:
    """Whether ``text`` is a day (2017-10-01) or a month (2017-10) of ``year`` or of the year before (the
    ring of 2018-10-01 measured in its first full year, 2019)."""
    try:
        day = date.fromisoformat(text if len(text) == 10 else text + "-01")
    except ValueError:
        return False
    return len(text) in (7, 10) and day.year in (year - 1, year)


def compare(rows: list[dict], observed: list[ObservedChange], path: str | Path) -> list[dict]:
    """Each observed change beside the model's case it measures: the case on its cordon whose ramp (start
    year to first full year) holds the observed year. Adds ``observed_pct``, ``model_pct`` (the model's
    before-and-after change or effect, as the observation's ``compare`` says), ``error_pp`` (model -
    observed [percentage points]) and ``in_range`` (observed within the model's 5-95 %; None with one draw).
    An observation without a case raises :class:`ObservationFileError` naming its line and the cases there are."""
    out = []
    for obs in observed:
        on_cordon = [r for r in rows if r["cordon"] == obs.cordon]
        if not on_cordon:
            known = sorted({r["cordon"] for r in rows})
            raise ObservationFileError(f"{path}: line {obs.line}, column 'cordon': the scenario has no toll change "
                                       f"on {obs.cordon!r}; {_no_cordon(obs.cordon, known)}")
        dated = [(r["start"], r["from"], date.fromisoformat(r["date"]) if r.get("date") else None) for r in on_cordon]
        row = on_cordon[_case_of(obs, dated, path, "the scenario")]
        prefix = COMPARED[obs.compare]
        model_value = row[f"{prefix}_pct"]
        low, high = row[f"{prefix}_p05"], row[f"{prefix}_p95"]
        spread = high > low
        out.append({"cordon": obs.cordon, "year": obs.year, "from": row["from"], "date": row.get("date", ""),
                    "compare": obs.compare,
                    "observed_pct": obs.change_pct, "model_pct": model_value, "p05": low, "p95": high,
                    "error_pp": model_value - obs.change_pct,
                    "in_range": bool(low <= obs.change_pct <= high) if spread else None, "source": obs.source})
    return out


def agreement(compared: list[dict]) -> dict:
    """Mean error (bias) and mean absolute error [percentage points] over the compared cases, the count of
    cases, and the share of observations in the model's 5-95 % range (None with one draw)."""
    errors = np.array([r["error_pp"] for r in compared])
    ranged = [r["in_range"] for r in compared if r["in_range"] is not None]
    return {"cases": len(compared), "bias_pp": float(errors.mean()), "mae_pp": float(np.abs(errors).mean()),
            "in_range_share": (sum(ranged) / len(ranged)) if ranged else None}


COMPARED_COLUMNS = ("cordon", "year", "from", "date", "compare", "observed_pct", "model_pct", "p05", "p95", "error_pp",
                    "in_range", "source")


def compared_rows(compared: list[dict]) -> tuple[tuple[str, ...], list[tuple]]:
    """The observed changes beside the model's, as the rows of a table."""
    from ..draw_statistics import range_cell

    header = ("cordon", "year", "took effect", "compare", "observed", "model", "error", "in 5-95 %", "source")
    return header, [(r["cordon"], r["year"], r.get("date") or "-", r["compare"].replace("_", "-"),
                     f"{r['observed_pct']:+.1f}",
                     range_cell(r["model_pct"], r["p05"], r["p95"], 1, sign=True), f"{r['error_pp']:+.1f}",
                     "-" if r["in_range"] is None else ("yes" if r["in_range"] else "no"), r["source"] or "-")
                    for r in compared]


def agreement_line(a: dict) -> str:
    """:func:`agreement` in one sentence."""
    share = ("" if a["in_range_share"] is None
             else f"; {a['in_range_share']:.0%} of the observations lie in the model's 5-95 % range")
    return (f"{a['cases']} observed changes: mean error {a['bias_pp']:+.1f} percentage points (model - observed), "
            f"mean absolute error {a['mae_pp']:.1f}{share}")
