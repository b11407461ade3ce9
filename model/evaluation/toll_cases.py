"""The model's answer to each toll change of a scenario, beside observed counts at the cordons (``framtid tolls``).

A toll change is a ``congestion_charge`` measure that starts after 2009 (a new scheme on a cordon, or new
rates that replace the rates before them) or a ``toll_change`` (a factor on the prices in force of the cordons
it names or its municipality owns; one case per cordon it meets charged). For each, the scenario runs again
without it (a new scheme removed, new rates replaced by the rates they replaced, a factor left out or the factor
it replaced kept, :func:`without`) and without the other toll changes that take effect the same day (a count at
the cordon sees them together: a rise on two rings of one owner under one hour rule is mostly hidden from a run
that leaves out one ring's rise alone, :func:`together`), and the light-vehicle passages across the cordon's line
(``cordon_passages``, counted also while a ring charges nothing) give the figures below. A new scheme on a cordon
that succeeds another (``Cordon.succeeds``) is set against the predecessor kept on the share of its line that the
predecessor's stations carried the year before (:func:`kept_share`; all of Osloringen's in 2019), against no scheme
on the rest (most of Bygrensen's: the Bærum ring it succeeded stood on its western part alone):

* the passages per day the year before the change and in its first full year, and their change: what a
  before-and-after count at the cordon sees, the trend (population, fleet, other measures) included;
* the effect: the first full year against the run without the change, in total and by period, and again in
  the last year before the cordon's next change (at most five years on; later the next change sets the
  rates in both runs).

The model runs in whole years (a change from a date ramps in over the years it spans, see the measure's
``ramp_years``), so a change is compared year on year; a count over a few months after an opening is not
the same thing. With sampled draws every run holds the same draws, so each effect is paired draw by draw;
the figures are medians over the draws with their 5-95 % ranges.

Measured changes beside these cases (``--observed``) are :mod:`.toll_observations` (re-exported here). No observed
count is an input of the model.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from .. import dims
from ..errors import UsageError
from ..cordons import PRICE_INDEXED
from ..measures.base import same_values

LATER = 5   # years after the first full year for the second effect
COLUMNS = ("cordon", "start", "from", "date", "change", "peak_nok", "offpeak_nok", "passages_before", "passages_after",
           "before_after_pct", "before_after_p05", "before_after_p95", "effect_pct", "effect_p05", "effect_p95",
           "effect_peak_pct", "effect_offpeak_pct", "until", "effect_until_pct", "label", "factor", "together")
PEAK, OFFPEAK = (dims.PERIODS.index(p) for p in ("peak", "offpeak"))


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
    return [m for m in scenario.measures if m.label in change.replaces and m.kind == change.kind and m is not change
            and (change.kind != CHARGE or m.values["cordon"] == change.values["cordon"])]


def _price_year(m) -> int:
    """The year whose kroner ``m``'s money is in: its price year, or its start year where it gives none."""
    return m.price_year if m.price_year is not None else m.start_year


def _posted_year(m) -> int:
    """The last year whose kroner ``m``'s rates are in when it starts: its price year, or its start where later
    (a change of October acts from the next year)."""
    return max(m.start_year, _price_year(m))


def is_carry(scenario, measure) -> bool:
    """Whether ``measure`` posts again, the next year and in that year's kroner, the rates it replaces on its
    cordon: a posted rate carried on (``tools/toll_history.py``), whose real value falls with the model's prices.
    That is no toll change a count would see: :func:`changes` leaves it out, and the change it carries goes on
    through it. The same rates in the kroner of a later year than the next are a change (a cut in real terms)."""
    if measure.kind != CHARGE or _price_year(measure) != measure.start_year:
        return False
    before = _replaced(scenario, measure)
    return bool(before) and all(same_values(measure.values, w.values)
                                and measure.start_year == _posted_year(w) + 1 for w in before)


def carries_of(scenario, change) -> list:
    """The carries of ``change``'s rates (:func:`is_carry`), each replacing the one before, in order."""
    chain, last, seen = [], change, {id(change)}
    while True:
        nxt = next((m for m in scenario.measures if m.kind == CHARGE and last.label in m.replaces
                    and id(m) not in seen and m.start_year > last.start_year
                    and m.values["cordon"] == change.values["cordon"] and is_carry(scenario, m)), None)
        if nxt is None:
            return chain
        chain.append(nxt)
        seen.add(id(nxt))
        last = nxt


def cordons_of(scenario, change) -> list[str]:
    """The cordons a toll change acts on: a charge's cordon; a factor's, the cordons it names (or every cordon its
    municipalities own, for a number) that carry a price in its first year."""
    return [change.values["cordon"]] if change.kind == CHARGE else list(_factors(scenario, change))


def _factors(scenario, change) -> dict[str, float]:
    """A ``toll_change``'s factor on each cordon it acts on (:func:`cordons_of`), read once per scenario and
    measure."""
    key = (id(scenario), id(change))
    if key not in _FACTORS or _FACTORS[key][0] is not scenario:
        if len(_FACTORS) > 64:
            _FACTORS.clear()
        _FACTORS[key] = (scenario, _read_factors(scenario, change))
    return _FACTORS[key][1]


# _factors by (scenario, measure), each holding its scenario so that the ids stay its own: the lever paths of a
# scenario are read once, not for every case and year of `framtid tolls`
_FACTORS: dict[tuple, tuple] = {}


def _read_factors(scenario, change) -> dict[str, float]:
    """:func:`_factors` of a ``toll_change``: its factor on the cordons its municipalities own
    (``scenario_checks.cordon_factors``) that carry a price in its first year."""
    from ..cordons import using
    from ..measures.check_facts import Facts
    from ..measures.toll_checks import cordon_factors

    with using(scenario.cordons):   # the cordons its runs know: the embedded ones and the scenario's own
        facts = Facts(list(scenario.measures))
        owners = {c.id: c.municipality for c in facts.cordons}
        k = min(max(change.start_year, dims.BASE_YEAR + 1), dims.FINAL_YEAR) - dims.BASE_YEAR
        return {c: f for c, f in (cordon_factors(change, owners) or {}).items()
                if (facts.priced[k, facts.ids.index(c)] > 0).any()}


def without(scenario, change, keep_predecessor: bool = True):
    """``scenario`` with ``change`` left out: the rates it replaced kept; for a new scheme on a cordon that
    succeeds another (``Cordon.succeeds``), the system that replaced the predecessor left out (the new schemes
    of the owner's cordons starting that year) and the predecessor kept (its end that year undone,
    :func:`_ends`; not with ``keep_predecessor`` False, the new scheme then set against no scheme on its line);
    for another new scheme, no scheme."""
    before, ends = _replaced(scenario, change), _ends(scenario, change)
    system = _system(scenario, change) if ends else [change]
    carried = carries_of(scenario, change) if change.kind == CHARGE else []
    rest = [m for m in scenario.measures if not any(m is x for x in system + carried)]
    # The rates before held where the change ends them: each piece of what it replaced (a replaced measure of
    # several municipalities stands in pieces, those it ends and those it keeps) in the municipalities the
    # piece and the change share; where the change acts and replaced nothing, nothing is held. Rates posted in
    # kroner (every cordon's but those whose rates followed the prices, cordons.PRICE_INDEXED) stay posted: in the
    # kroner of the change's year and of each year its own rates were carried into; the others are held in real
    # terms.
    for w in before:
        shared = tuple(x for x in change.municipalities if x in w.municipalities)
        if shared:
            # posted on only where they were posted the year before the change (carried up to it, or in force from
            # the year before); a rate held in real terms up to the change (a cordon's last rate) stays so
            posted = (change.kind == CHARGE and change.values["cordon"] not in PRICE_INDEXED
                      and change.start_year == _posted_year(w) + 1)
            real = {} if posted else {"price_year": w.price_year, "deflator": w.deflator}
            rest.append(replace(change, values=dict(w.values), municipalities=shared,
                                label=f"{change.label} (rates held)", **real))
            rest += [replace(c, values=dict(w.values), label=f"{c.label} (rates held)", **real,
                             municipalities=tuple(x for x in c.municipalities if x in shared)) for c in carried]
    for end in ends if keep_predecessor else ():   # the predecessor's last rates run on, as if the scheme had not come
        rest = [replace(m, end_year=end.end_year, label=f"{m.label} (kept)") if m in _replaced(scenario, end)
                else m for m in rest if m is not end]
    return replace(scenario, measures=tuple(rest))


def _cordons_by_id(scenario) -> dict:
    """The cordons ``scenario``'s runs know (the embedded ones and the scenario's own), by id."""
    from ..cordons import cordons, using

    with using(scenario.cordons):
        return {c.id: c for c in cordons()}


def predecessor(scenario, change) -> str | None:
    """The cordon whose stations a new scheme's cordon continues, or None (a change of rates, or a cordon that
    succeeds none)."""
    if change.kind != CHARGE or _replaced(scenario, change):
        return None
    cordon = _cordons_by_id(scenario).get(change.values["cordon"])
    return (cordon.succeeds or None) if cordon is not None else None


def _direction_factors(scenario, *ids: str) -> tuple[float, ...]:
    """The direction factors (``cordons.DIRECTION_FACTOR``) of the cordons ``ids`` as ``scenario`` knows them."""
    from ..cordons import DIRECTION_FACTOR

    by_id = _cordons_by_id(scenario)
    return tuple(DIRECTION_FACTOR[by_id[i].charged_direction] for i in ids)


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


def without_all(scenario, group: list, ended=None):
    """``scenario`` with every change of ``group`` left out, each as :func:`without` leaves it out (``ended``, one
    of them, with its predecessor not kept)."""
    for change in group:
        scenario = without(scenario, change, keep_predecessor=change is not ended)
    return scenario


def kept_share(record: dict, k0: int, c: int, p: int, factors: tuple[float, float] = (1.0, 1.0)) -> np.ndarray:
    """The share of the crossings of a successor's line (cordon ``c``) that crossed its predecessor's (``p``) the
    year before (year index ``k0``), by draw ``(D,)``, at most 1: 1 where the successor follows the predecessor's
    stations (Osloringen the 1990 ring), less where it extends them (Bygrensen the Bærum ring, the rest of Oslo's
    boundary charged from 2019). The passages a line counts are its crossings times its direction factor
    (``factors``, the successor's and the predecessor's: 0.5 inbound, 1 both ways; ``cordons.DIRECTION_FACTOR``).
    That share of the line is set against the predecessor kept, the rest against no scheme (:func:`cases`)."""
    line = _passages(record, k0, c) / factors[0]
    kept = _passages(record, k0, p) / factors[1]
    return np.where(line > 0, np.minimum(kept / np.maximum(line, 1e-12), 1.0), 1.0)


def changes(scenario, cordons: tuple[str, ...] | None = None, own: bool = False) -> list:
    """The toll changes of ``scenario`` (module docstring), in the scenario's order: of its cordons
    ``cordons`` (all when None; a factor is taken when it acts on one of them), of its own measures only with
    ``own``. A scheme's end (rates of zero) is not a change that a run without it compares, nor a factor that
    meets no charged cordon."""
    # The scenario's measures as composed (an own measure that a later one replaces carries its end year there).
    written = {(m.label, m.origin) for m in scenario.own} if own else None
    out = [m for m in scenario.measures if m.start_year > dims.BASE_YEAR
           and (written is None or (m.label, m.origin) in written)
           and ((m.kind == CHARGE and (m.values["peak_nok"] or m.values["offpeak_nok"])
                 and not is_carry(scenario, m))
                or (m.kind == FACTOR and cordons_of(scenario, m)))]
    return [m for m in out if cordons is None or set(cordons_of(scenario, m)) & set(cordons)]


def years(scenario, change, cordon: str | None = None) -> tuple[int, int]:
    """The first year ``change`` acts at full strength, or its last year when it ends before then (a change of
    July ramps over two years; one of October that year ends it after the first), and the last year before the
    next change on ``cordon`` (the change's own cordon when None: a new rate, a factor, or the scheme's end), at
    most ``LATER`` years on and not after 2050."""
    full = min(change.start_year + max(change.ramp_years, 1) - 1, dims.FINAL_YEAR)
    # a change carried into later years (:func:`is_carry`) lasts as long as its last carry
    end = ([change] + (carries_of(scenario, change) if change.kind == CHARGE else []))[-1].end_year
    if end is not None:
        full = min(full, end)
    cordon = cordon or cordons_of(scenario, change)[0]
    following = [m.start_year for m in scenario.measures if m.start_year > change.start_year and (
        (m.kind == CHARGE and m.values["cordon"] == cordon and not is_carry(scenario, m))
        or (m.kind == FACTOR and cordon in cordons_of(scenario, m)))]
    ends = [] if end is None else [end + 1]
    return full, max(full, min([full + LATER, dims.FINAL_YEAR] + [y - 1 for y in following + ends]))


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
        old, share = predecessor(scenario, change) if _ends(scenario, change) else None, 1.0
        if old is not None and old in ids:
            line = cordons_of(scenario, change)[0]
            share = kept_share(model.record, k0, ids.index(line), ids.index(old),
                               _direction_factors(scenario, line, old))
            share = np.where(share < 1.0 - 1e-9, share, 1.0)   # one line to rounding: the predecessor kept alone
            if (share < 1.0).any():
                # the part of the line the predecessor did not charge is set against no scheme
                new_line = run(without_all(scenario, group, ended=change)).record
                base = {"cordon_passages": share[None, :, None, None] * base["cordon_passages"]
                        + (1.0 - share[None, :, None, None]) * new_line["cordon_passages"]}
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
                    "new scheme" if old is None else f"successor of {old}" if np.all(np.equal(share, 1.0)) else
                    f"successor of {old} on {float(np.median(share)):.2f} of its line")),
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
                "factor": math.nan if charge else _factors(scenario, change)[cordon],
                "together": "; ".join(m.label for m in group if m is not change),
            }
            rows.append({key: float(np.median(v)) if isinstance(v, np.ndarray) else v for key, v in row.items()})
    return rows


def title(scenario: str, draws: int) -> str:
    """The heading of the table of cases."""
    how = f"; medians over {draws} sampled draws, the effect with its 5-95 % range" if draws > 1 else ""
    return (f"Toll changes of {scenario}: light-vehicle passages across the cordon's line [thousand per day] the "
            "year before the change and in its first full year (b/a: their change, trend included); eff: the effect "
            "against the run without the change and the other toll changes of the same day in its region, which a "
            "count sees with it [%], in all, by period and later (five years on, or the last year before the "
            "cordon's next change if that comes sooner, in brackets)"
            f"{how}. Passages include vehicles from outside the 13 by each cordon's external ratio; NOK: the petrol "
            "car's peak/off-peak rates in NOK of the measure's price year, * for a new scheme (against no scheme), + "
            "for one that succeeds another cordon's (its owner's new schemes of that year against the predecessor "
            "kept, on the share of the line the predecessor's stations carried the year before; the rest against no "
            "scheme), x for a factor on the prices in force (toll_change).")


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


# The observed counts beside the cases (their own module; re-exported here, the command line reads them here).
from .toll_observations import (COMPARED, COMPARED_COLUMNS, OBSERVED_COLUMNS, OBSERVED_OPTIONAL,  # noqa: E402,F401
                                ObservedChange, agreement, agreement_line, check_observed, compare, compared_rows,
                                read_observed_changes)
