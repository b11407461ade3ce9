"""The model's answer to each toll change of a scenario, beside observed counts at the cordons (``framtid tolls``).

A toll change is a ``congestion_charge`` measure that starts after 2009 (a new scheme on a cordon, or new
rates that replace the rates before them) or a ``toll_change`` (a factor on the prices in force of the cordons
it names or its municipality owns; one case per cordon it meets charged). For each, the scenario runs again
without it (a new scheme removed, new rates replaced by the rates they replaced, a factor left out or the factor
it replaced kept, :func:`without`) and without the other toll changes that take effect the same day (a count at
the cordon sees them together: a rise on two rings of one owner under one hour rule is mostly hidden from a run
that leaves out one ring's rise alone, :func:`together`), and the light-vehicle passages across the cordon's line
(``cordon_passages``, counted also while a ring charges nothing) give

* the passages per day the year before the change and in its first full year, and their change: what a
  before-and-after count at the cordon sees, the trend (population, fleet, other measures) included;
* the effect: the first full year against the run without the change, in total and by period, and again in
  the last year before the cordon's next change (at most five years on; later the next change sets the
  rates in both runs).

The model runs in whole years (a change from a date ramps in over the years it spans, see the measure's
``ramp_years``), so a change is compared year on year; a count over a few months after an opening is not
the same thing. With sampled draws every run holds the same draws, so each effect is paired draw by draw;
the figures are medians over the draws with their 5-95 % ranges.

An observed file (:func:`read_observed_changes`) sets measured changes beside the model's: per case the
model's value, the observed one, their difference and, with draws, whether the observation lies in the
model's 5-95 % range (:func:`compare`, :func:`agreement`). No observed count is an input of the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np

from .. import dims
from ..errors import ObservationFileError, UsageError, did_you_mean
from ..observed import Table

LATER = 5   # years after the first full year for the second effect
COLUMNS = ("cordon", "start", "from", "date", "change", "peak_nok", "offpeak_nok", "passages_before", "passages_after",
           "before_after_pct", "before_after_p05", "before_after_p95", "effect_pct", "effect_p05", "effect_p95",
           "effect_peak_pct", "effect_offpeak_pct", "until", "effect_until_pct", "label", "factor", "together")
PEAK, OFFPEAK = (dims.PERIODS.index(p) for p in ("peak", "offpeak"))
COMPARED = {"before_after": "before_after", "effect": "effect"}   # observed 'compare' -> model column prefix
OBSERVED_COLUMNS = ("cordon", "year", "change_pct")
OBSERVED_OPTIONAL = ("compare", "source", "date")


def _passages(record: dict, k: int, c: int, period: int | None = None) -> np.ndarray:
    """Passages per day across cordon ``c``'s line in year index ``k``, by draw ``(D,)``: both periods, or
    ``period``."""
    by_period = record["cordon_passages"][k, :, c]
    return by_period.sum(axis=-1) if period is None else by_period[:, period]


def _pct(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """Change of ``new`` against ``old`` [%], draw by draw."""
    return 100.0 * (new / old - 1.0)


CHARGE, FACTOR = "congestion_charge", "toll_change"   # the kinds of toll change


def _replaced(scenario, change) -> list:
    """The measures whose rates (on ``change``'s cordon) or factor ``change`` replaces (none for a new scheme)."""
    return [m for m in scenario.measures if m.label in change.replaces and m.kind == change.kind
            and (change.kind != CHARGE or m.values["cordon"] == change.values["cordon"])]


def cordons_of(scenario, change) -> list[str]:
    """The cordons a toll change acts on: a charge's cordon; a factor's, the cordons it names (or every cordon its
    municipalities own, for a number) that carry a price in its first year."""
    if change.kind == CHARGE:
        return [change.values["cordon"]]
    key = (id(scenario), id(change))
    if key not in _FACTOR_CORDONS or _FACTOR_CORDONS[key][0] is not scenario:
        if len(_FACTOR_CORDONS) > 64:
            _FACTOR_CORDONS.clear()
        _FACTOR_CORDONS[key] = (scenario, _factor_cordons(scenario, change))
    return _FACTOR_CORDONS[key][1]


# cordons_of a factor by (scenario, measure), each holding its scenario so that the ids stay its own: the lever
# paths of a scenario are read once, not for every case and year of `framtid tolls`
_FACTOR_CORDONS: dict[tuple, tuple] = {}


def _factor_cordons(scenario, change) -> list[str]:
    """:func:`cordons_of` a ``toll_change``."""
    from ..cordons import using
    from ..measures.scenario_checks import Facts

    field = next(f for f in _kind(change).fields if f.axis == "cordon")
    factor = np.atleast_1d(np.asarray(change.values[field.name], dtype=float))
    with using(scenario.cordons):   # the cordons its runs know: the embedded ones and the scenario's own
        facts = Facts(list(scenario.measures))
        owners = {c.id: c.municipality for c in facts.cordons}
        k = min(max(change.start_year, dims.BASE_YEAR + 1), dims.FINAL_YEAR) - dims.BASE_YEAR
        return [c for i, c in enumerate(field.labels) if owners.get(c) in change.municipalities
                and i < factor.size and not np.isnan(factor[i]) and (facts.priced[k, facts.ids.index(c)] > 0).any()]


def _kind(change):
    """The measure kind of a change."""
    from ..measures import KINDS

    return KINDS[change.kind]


def without(scenario, change):
    """``scenario`` with ``change`` left out: the rates it replaced kept; for a new scheme on a cordon that
    succeeds another (``Cordon.succeeds``), the system that replaced the predecessor left out (the new schemes
    of the owner's cordons starting that year) and the predecessor kept (its end that year undone,
    :func:`_ends`); for another new scheme, no scheme."""
    before, ends = _replaced(scenario, change), _ends(scenario, change)
    system = _system(scenario, change) if ends else [change]
    rest = [m for m in scenario.measures if not any(m is x for x in system)]
    # The rates before held where the change ends them: each piece of what it replaced (a replaced measure of
    # several municipalities stands in pieces, those it ends and those it keeps) in the municipalities the
    # piece and the change share; where the change acts and replaced nothing, nothing is held.
    for w in before:
        shared = tuple(x for x in change.municipalities if x in w.municipalities)
        if shared:
            rest.append(replace(change, values=dict(w.values), price_year=w.price_year, deflator=w.deflator,
                                municipalities=shared, label=f"{change.label} (rates held)"))
    for end in ends:   # the predecessor's last rates run on, as if the scheme had not come
        rest = [replace(m, end_year=end.end_year, label=f"{m.label} (kept)") if m in _replaced(scenario, end)
                else m for m in rest if m is not end]
    return replace(scenario, measures=tuple(rest))


def predecessor(scenario, change) -> str | None:
    """The cordon whose stations a new scheme's cordon continues, or None (a change of rates, or a cordon that
    succeeds none)."""
    from ..cordons import cordons, using

    if change.kind != CHARGE or _replaced(scenario, change):
        return None
    with using(scenario.cordons):   # the cordons its runs know: the embedded ones and the scenario's own
        cordon = next((c for c in cordons() if c.id == change.values["cordon"]), None)
    return (cordon.succeeds or None) if cordon is not None else None


def _ends(scenario, change) -> list:
    """The measures that end the predecessor's charge (rates of zero) in the year a new scheme on its successor
    starts."""
    old = predecessor(scenario, change)
    return [m for m in scenario.measures if old is not None and m.kind == "congestion_charge"
            and m.values["cordon"] == old and m.start_year == change.start_year
            and not (m.values["peak_nok"] or m.values["offpeak_nok"])]


def _system(scenario, change) -> list:
    """The new schemes (:func:`changes`, no rates replaced) on cordons of ``change``'s owner that start in its
    year: the scheme a successor belongs to (Oslo 2019: Osloringen, the Indre ring and Bygrensen). A charge
    belongs to its cordon's owner, so the measures' municipalities tell the owner."""
    return [m for m in changes(scenario) if m.kind == CHARGE and m.start_year == change.start_year
            and not _replaced(scenario, m) and m.municipalities == change.municipalities]


def together(scenario, change, candidates: list) -> list:
    """The toll changes among ``candidates`` that take effect on the day ``change`` does (its start year and
    date) in its owner's region: ``change`` and the rest that a count at its cordon sees with it, left out of
    its counterfactual together."""
    region = {dims.REGION_OF[m] for m in change.municipalities}
    return [m for m in candidates if m.start_year == change.start_year and m.start_date == change.start_date
            and region & {dims.REGION_OF[x] for x in m.municipalities}]


def without_all(scenario, group: list):
    """``scenario`` with every change of ``group`` left out, each as :func:`without` leaves it out."""
    for change in group:
        scenario = without(scenario, change)
    return scenario


def changes(scenario, cordons: tuple[str, ...] | None = None, own: bool = False) -> list:
    """The toll changes of ``scenario`` (module docstring), in the scenario's order: of its cordons
    ``cordons`` (all when None; a factor is taken when it acts on one of them), of its own measures only with
    ``own``. A scheme's end (rates of zero) is not a change that a run without it compares, nor a factor that
    meets no charged cordon."""
    # The scenario's measures as composed (an own measure that a later one replaces carries its end year there).
    written = {(m.label, m.origin) for m in scenario.own} if own else None
    out = [m for m in scenario.measures if m.start_year > dims.BASE_YEAR
           and (written is None or (m.label, m.origin) in written)
           and ((m.kind == CHARGE and (m.values["peak_nok"] or m.values["offpeak_nok"]))
                or (m.kind == FACTOR and cordons_of(scenario, m)))]
    return [m for m in out if cordons is None or set(cordons_of(scenario, m)) & set(cordons)]


def years(scenario, change, cordon: str | None = None) -> tuple[int, int]:
    """The first year ``change`` acts at full strength, or its last year when it ends before then (a change of
    July ramps over two years; one of October that year ends it after the first), and the last year before the
    next change on ``cordon`` (the change's own cordon when None: a new rate, a factor, or the scheme's end), at
    most ``LATER`` years on and not after 2050."""
    full = min(change.start_year + max(change.ramp_years, 1) - 1, dims.FINAL_YEAR)
    if change.end_year is not None:
        full = min(full, change.end_year)
    cordon = cordon or cordons_of(scenario, change)[0]
    following = [m.start_year for m in scenario.measures if m.start_year > change.start_year and (
        (m.kind == CHARGE and m.values["cordon"] == cordon)
        or (m.kind == FACTOR and cordon in cordons_of(scenario, m)))]
    ends = [] if change.end_year is None else [change.end_year + 1]
    return full, max(full, min([full + LATER, dims.FINAL_YEAR] + [y - 1 for y in following + ends]))


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
    picked = {id(m) for m in changes(scenario, cordons, own)}
    spans = [(m, c, years(scenario, m)[0]) for m in changes(scenario) for c in cordons_of(scenario, m)]
    for obs in observed:
        on_cordon = [(m, full) for m, c, full in spans if c == obs.cordon]
        if not on_cordon:
            known = sorted({c for _, c, _ in spans})
            raise ObservationFileError(f"{path}: line {obs.line}, column 'cordon': {scenario.name} has no toll "
                                       f"change on {obs.cordon!r}; {_no_cordon(obs.cordon, known)}")
        m, _ = on_cordon[_case_of(obs, [(m.start_year, full, m.start_date) for m, full in on_cordon], path,
                                  scenario.name)]
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


def cases(scenario, draws: int = 1, seed: int = 0, sampler: str = "lhs", cordons: tuple[str, ...] | None = None,
          own: bool = False) -> list[dict]:
    """One row per toll change of ``scenario`` (:func:`changes`) with the figures of the module docstring
    (keys :data:`COLUMNS`); with ``draws`` > 1 the medians over sampled draws and the 5-95 % ranges."""
    from ..api import run_scenario

    def run(s):
        return run_scenario(s, seed, draws, sampler if draws > 1 else None)

    picked = changes(scenario, cordons, own)
    if not picked:
        which = f" on {', '.join(cordons)}" if cordons else ""
        raise UsageError(f"scenario {scenario.name!r} has no toll change after {dims.BASE_YEAR}{which}"
                         + (" among its own measures" if own else ""))
    model = run(scenario)
    ids = list(model.cordons)
    candidates = changes(scenario, own=own)   # the changes a day's group is made of, whatever --cordon picks
    counterfactuals: dict[tuple, dict] = {}   # the runs without each day's group, made once
    rows = []
    for change in picked:
        group = together(scenario, change, candidates)
        key = tuple(id(m) for m in group)
        if key not in counterfactuals:
            counterfactuals[key] = run(without_all(scenario, group)).record
        base = counterfactuals[key]
        full = years(scenario, change)[0]
        k, k0 = full - dims.BASE_YEAR, change.start_year - 1 - dims.BASE_YEAR
        for cordon in cordons_of(scenario, change):
            if cordons is not None and cordon not in cordons:
                continue
            c = ids.index(cordon)
            until = years(scenario, change, cordon)[1]
            later = until - dims.BASE_YEAR
            before, after = _passages(model.record, k0, c), _passages(model.record, k, c)
            before_after, effect = _pct(after, before), _pct(after, _passages(base, k, c))
            charge = change.kind == CHARGE
            row = {
                "cordon": cordon, "start": change.start_year, "from": full,
                "date": change.start_date.isoformat() if change.start_date else "",
                "change": ("factor" if not charge else "rates" if _replaced(scenario, change) else (
                    f"successor of {predecessor(scenario, change)}" if _ends(scenario, change) else "new scheme")),
                "peak_nok": change.values["peak_nok"] if charge else math.nan,
                "offpeak_nok": change.values["offpeak_nok"] if charge else math.nan,
                "passages_before": before, "passages_after": after,
                "before_after_pct": before_after, "before_after_p05": np.percentile(before_after, 5),
                "before_after_p95": np.percentile(before_after, 95),
                "effect_pct": effect, "effect_p05": np.percentile(effect, 5),
                "effect_p95": np.percentile(effect, 95),
                **{f"effect_{name}_pct": _pct(_passages(model.record, k, c, p), _passages(base, k, c, p))
                   for name, p in (("peak", PEAK), ("offpeak", OFFPEAK))},
                "until": until,
                "effect_until_pct": _pct(_passages(model.record, later, c), _passages(base, later, c)),
                "label": change.label,
                "factor": math.nan if charge else _factor_on(scenario, change, cordon),
                "together": "; ".join(m.label for m in group if m is not change),
            }
            rows.append({key: float(np.median(v)) if isinstance(v, np.ndarray) else v for key, v in row.items()})
    return rows


def _factor_on(scenario, change, cordon: str) -> float:
    """A ``toll_change``'s factor on ``cordon``."""
    from ..cordons import using

    field = next(f for f in _kind(change).fields if f.axis == "cordon")
    factor = np.atleast_1d(np.asarray(change.values[field.name], dtype=float))
    with using(scenario.cordons):
        return float(factor[field.labels.index(cordon)] if factor.size > 1 else factor[0])


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
    ``date`` the day or month it took effect (2017-10-01, 2017-10) where the year fits two changes. Every
    problem raises :class:`ObservationFileError` naming the file, the line, the column and what is allowed."""
    header = f"{','.join(OBSERVED_COLUMNS)}[,{'][,'.join(OBSERVED_OPTIONAL)}]"
    table = Table(Path(path), header)
    missing = [c for c in OBSERVED_COLUMNS if c not in table.header]
    if missing:
        table.fail(1, f"missing column(s) {', '.join(missing)}; the file needs the columns {header}", missing[0])
    table.refuse_unknown_columns(OBSERVED_COLUMNS + OBSERVED_OPTIONAL, header)
    out = []
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
            table.fail(line, f"must be the day or month the change took effect in {year}, like {year}-10-01 or "
                             f"{year}-10, got {when!r}", "date")
        out.append(ObservedChange(table.cell(line, row, "cordon"), year, value, compare,
                                  (row.get("source") or "").strip(), line, when))
    return out


def _date_of(text: str, year: int) -> bool:
    """Whether ``text`` is a day (2017-10-01) or a month (2017-10) of ``year``."""
    try:
        day = date.fromisoformat(text if len(text) == 10 else text + "-01")
    except ValueError:
        return False
    return len(text) in (7, 10) and day.year == year


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


def title(scenario: str, draws: int) -> str:
    """The heading of the table of cases."""
    how = f"; medians over {draws} sampled draws, the effect with its 5-95 % range" if draws > 1 else ""
    return (f"Toll changes of {scenario}: light-vehicle passages across the cordon's line [thousand per day] the "
            "year before the change and in its first full year (b/a: their change, trend included); eff: the effect "
            "against the run without the change and the other toll changes of the same day in its region, which a "
            "count sees with it [%], in all, by period and later (the last year before the cordon's next change, in "
            "brackets)"
            f"{how}. Passages include vehicles from outside the 13 by each cordon's external ratio; NOK: the petrol "
            "car's peak/off-peak rates in NOK of the measure's price year, * for a new scheme (against no scheme), + "
            "for one that succeeds another cordon's (its owner's new schemes of that year against the predecessor "
            "kept), x for a factor on the prices in force (toll_change).")


def _mark(change: str) -> str:
    """The table's mark of a case: * a new scheme, + a successor, nothing for new rates."""
    return "*" if change == "new scheme" else "+" if change.startswith("successor") else ""


def table_rows(rows: list[dict], draws: int) -> tuple[tuple[str, ...], list[tuple]]:
    """The cases as the rows of a table."""
    from ..draw_statistics import range_cell

    def ranged(r: dict, key: str) -> str:
        return (range_cell(r[f"{key}_pct"], r[f"{key}_p05"], r[f"{key}_p95"], 1, sign=True) if draws > 1
                else f"{r[f'{key}_pct']:+.1f}")

    header = ("cordon", "from", "NOK", "before", "after", "b/a %", "eff %", "peak %", "off %", "later %")
    return header, [(r["cordon"], r["from"],
                     (f"x{r['factor']:g}" if r["change"] == "factor"
                      else f"{r['peak_nok']:.0f}/{r['offpeak_nok']:.0f}" + _mark(r["change"])),
                     f"{r['passages_before'] / 1e3:,.1f}", f"{r['passages_after'] / 1e3:,.1f}",
                     f"{r['before_after_pct']:+.1f}", ranged(r, "effect"), f"{r['effect_peak_pct']:+.1f}",
                     f"{r['effect_offpeak_pct']:+.1f}", f"{r['effect_until_pct']:+.1f} ({r['until']})") for r in rows]


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
