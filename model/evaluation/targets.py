"""How far a run is from its targets (``framtid targets``; the targets as data are ``target_data.py``,
the tables ``target_tables.py``).

The targets are rows of ``model/data/targets.csv`` (:mod:`.target_data`): the national targets, the
municipalities' own targets and the zero-growth goal for passenger-car traffic. This module sets them
against the municipalities and measures a result against them.

**National targets against the municipalities.** The municipal inventory starts in 2009, so a target
stated against 1990 (or 2005) is carried to 2009 first: the national path's relative change from 2009
is r = N_target / N_2009 - 1, with N_target the national emissions the target allows in its year and
N_2009 the national emissions of 2009 (both from one national series, ``targets.csv``). For 2030:
51 348 kt x 0.45 / 52 541 kt - 1 = -56.0 %. The non-ETS target (-45 % by 2030 against 2005) has no
national non-ETS series in the data: 2009 stands in for 2005, r = -45 % (assumption). A rule then sets
r against each municipality (:data:`RULES`, ``--national-rule``):

- ``share`` (default): the municipality follows the national path: target = X_2009 (1 + r), X its
  territorial emissions (all sectors; the non-ETS target: its non-ETS sources);
- ``per-capita``: the same change per inhabitant: target = X_2009 / P_2009 (1 + r) P_T, so growing
  municipalities get room in proportion to their population (P from the run). The national population
  path is not in the embedded data, so the national change is taken per inhabitant of the municipality;
- ``non-ets``: as ``share``, but on the sources outside the EU emissions trading system only, for every
  national target (:data:`ETS_SOURCES` are left out of target and modelled values alike).

**Arithmetic** (pure functions in ``target_arithmetic.py``, re-exported here): target value = base value
x (1 + change); gap = modelled - target in the target year (positive: above the target), also as a share
of the base value; first year met = the first modelled year after the base year whose value is at or
below the target value, and for a target missed in its own year the first such year from the target year
on (so a path below the target early and above it by the target year does not count as met); average
annual cut still needed from year f to the target year T: c = 1 - (target / X_f)^(1 / (T - f)) (negative:
the value may still grow by -c a year).

**Several draws.** Each draw is set against its own target (under the share rule a draw's target
follows its own 2009 emissions): gap, met or not, first year met and the needed cut are computed draw
by draw, then summarised over the draws (:func:`_evaluate`): target, base and modelled values and the
gap as medians with their 5-95 % ranges; P(met), the share of draws at or below their target in the
target year; the median first year met (the first year by which half of the draws are at or below
their target) and P(ever met), the share of draws that meet it by that rule in some year up to the last. One draw
gives that draw's numbers.

**Zero-growth goal** (nullvekstmålet): residents' car vehicle-km of a city region (``car_vkm_resident``
summed over its municipalities, ``dims.REGIONS``) as an index against the reference year (2017 for the
four largest regions; ``--zero-growth-base``); met when the index is at most 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import dims
from ..errors import UsageError
from ..uncertainty import discrepancy
from .target_arithmetic import (RULES, annual_cut_needed, first_year_met, gap, median_first_year,  # noqa: F401
                                national_rule_value, share_met, share_met_inventory, target_value)  # (re-exported)
from .target_data import NATIONAL, Target, load_targets

# what the assessment reads from a result file (the command loads only these)
VARIABLES = ("emissions", "emissions_source", "population", "car_vkm_resident")

RULE_TEXT = {
    "share": "rule 'share': the national path's change from 2009 applied to each municipality's 2009 emissions "
             "(all sectors; the non-ETS target to its non-ETS sources)",
    "per-capita": "rule 'per-capita': the national path's change from 2009 applied to each municipality's 2009 "
                  "emissions per inhabitant, times its population in the target year",
    "non-ets": "rule 'non-ets': the national path's change from 2009 applied to each municipality's 2009 "
               "emissions outside the EU ETS (industry, district-heating fuels and aviation left out)",
}

# Emission sources treated as inside the EU emissions trading system (assumption): industry (the
# municipal inventory's industry in the 13 is that of registered plants, taken as ETS installations as a
# whole), district-heating fuels (plants above 20 MW thermal input) and aviation (flights within the
# EEA). Waste incineration, shipping, road traffic, heating, waste, agriculture, other mobile
# combustion and F-gases are non-ETS.
ETS_SOURCES = ("industry", "district_heating_fuels", "aviation")
ZERO_GROWTH_BASE = 2017
# [yr] The last year of the policy history the model carries (toll rates, taxes and grants to 2026 in
# current-policies): the needed annual cut is counted from it by default, the year a plan made today starts from
# (from the year before a target's year where that comes first).
PRESENT_YEAR = 2026


# -- a result against the targets -------------------------------------------------------------------

@dataclass(frozen=True)
class Area:
    level: str                 # municipality | region | all
    name: str
    members: tuple[str, ...]


def areas() -> list[Area]:
    """The 13 municipalities, the city regions with more than one of them, and the 13 together."""
    out = [Area("municipality", m, (m,)) for m in dims.MUNICIPALITIES]
    out += [Area("region", r, ms) for r, ms in dims.REGIONS.items() if len(ms) > 1]
    out.append(Area("all", "all 13", tuple(dims.MUNICIPALITIES)))
    return out


SELECTION = "selection"   # level of the national-target rows of several chosen municipalities together


def selection_areas(municipalities: list[str] | None, unless_region: bool = False) -> tuple[Area, ...]:
    """The chosen ``municipalities`` together as an area of their own (for :func:`assess`'s ``extra_areas``),
    when they are more than one and not all 13 (whose row :func:`areas` has), nor, with ``unless_region``,
    exactly a city region (whose row it has too); its ``name`` lists the ids joined by commas, in the order of
    ``dims.MUNICIPALITIES``."""
    picked = tuple(m for m in dims.MUNICIPALITIES if m in (municipalities or ()))
    if not 1 < len(picked) < len(dims.MUNICIPALITIES):
        return ()
    if unless_region and picked in [tuple(m for m in dims.MUNICIPALITIES if m in ms) for ms in dims.REGIONS.values()]:
        return ()
    return (Area(SELECTION, ",".join(picked), picked),)


def of_municipalities(rows: list[dict], municipalities: list[str] | None) -> list[dict]:
    """The rows of :func:`assess` about ``municipalities`` (all rows when None): a municipality's rows
    when it is one of them, a city region's (national targets, zero-growth goal) only when every member
    of the region is, the 13 together's only when all 13 are, and a selection's (:func:`selection_areas`)
    when it is made of them (as ``framtid report --municipality``)."""
    if not municipalities:
        return rows
    picked = set(municipalities)

    def members(r):
        return (dims.REGIONS[r["area"]] if r["level"] == "region" else dims.MUNICIPALITIES if r["level"] == "all"
                else r["area"].split(",") if r["level"] == SELECTION else (r["area"],))

    return [r for r in rows if picked.issuperset(members(r))]


class _Paths:
    """Yearly paths of one scenario, (D, M, T) arrays over draws, municipalities and years."""

    def __init__(self, ds, scenario: str):
        sel = ds.sel(scenario=scenario)
        order = dict(municipality=list(dims.MUNICIPALITIES))
        self.years = [int(y) for y in ds["year"].values]

        def arr(da):
            return np.asarray(da.sel(order).transpose("draw", "municipality", "year").values, dtype=float)

        # skipna=False: numpy's sum in float64 over the single-precision values as they are; skipping NaN (of which
        # a result has none) would first copy the whole array (2.4 GB peak at 10 000 draws)
        self.total = arr(sel["emissions"].sum("sector", dtype=float, skipna=False))
        keep = [s for s in dims.SOURCES if s not in ETS_SOURCES]
        self.non_ets = arr(sel["emissions_source"].sel(source=keep).sum("source", dtype=float, skipna=False))
        # the parts whose discrepancy the inventory's value of a total carries, read year by year when asked
        # (log_variance): kept whole they would be as large as the emissions of every draw, sector and year
        self._order = order
        self._parts = {False: (sel["emissions"], "sector", list(ds["sector"].values)),
                       True: (sel["emissions_source"], "source", keep)}
        self._by_year: dict[tuple[int, bool], tuple[np.ndarray, np.ndarray]] = {}
        self.population = arr(sel["population"])
        self.car_vkm = arr(sel["car_vkm_resident"])

    def k(self, year: int) -> int | None:
        return self.years.index(year) if year in self.years else None

    def log_variance(self, municipalities: list[int], year: int, non_ets: bool = False) -> np.ndarray:
        """The discrepancy's log variance [1] of the emissions of ``municipalities`` together in ``year``,
        in each draw (D,): from the parts, each sector (the non-ETS sources) of each municipality. Without the
        error of an estimated 2009 (``discrepancy.estimated_log_variance``): every target is set against the
        modelled 2009 or a later modelled base year (a national path's change, also per capita, applied to it),
        so a level error of an estimated 2009 moves the target with the inventory and cancels."""
        if (year, non_ets) not in self._by_year:
            parts, level, names = self._parts[non_ets]
            values = parts.sel(year=year).sel(self._order).sel({level: names})            # the year first: small
            values = np.asarray(values.transpose("draw", "municipality", level).values, dtype=float)
            self._by_year[(year, non_ets)] = (values, discrepancy.of_each(level, names, year - dims.BASE_YEAR))
        values, variance = self._by_year[(year, non_ets)]
        return discrepancy.sum_log_variance(values[:, municipalities], variance, axis=(1, 2))   # over (m, part)


def _percent(x: float, digits: int) -> str:
    return f"{100.0 * x:+.{digits}f} %"


def _pct(x: float | None) -> float | None:
    return None if x is None else 100.0 * x


def _row(scenario, group, level, area, target: Target, label, unit, stat, **values) -> dict:
    row = dict(scenario=scenario, group=group, level=level, area=area, target_id=target.id, target=label,
               indicator=target.indicator, scope=values.pop("scope", target.scope), rule=values.pop("rule", ""),
               base_year=None, base_value=None, target_year=target.target_year, target_value=None,
               target_value_strict=None, modelled_value=None, gap=None, gap_pct_of_base=None,
               met_in_target_year=None, first_year_met=None, from_year=None, annual_cut_needed_pct=None,
               unit=unit, statistic=stat, note=values.pop("note", ""), confidence=target.confidence,
               source=target.source, draws=None, p_met=None, p_ever_met=None, target_value_p05=None,
               target_value_p95=None, modelled_p05=None, modelled_p95=None, gap_p05=None, gap_p95=None,
               p_met_inventory=None)
    row.update(values)
    return row


def _stats(values) -> tuple[float, float, float]:
    """(median, 5th, 95th percentile) over draws, as floats."""
    from ..draw_statistics import spread

    return tuple(float(x) for x in spread(values))


def _evaluate(path: np.ndarray, target: np.ndarray, base: np.ndarray, base_year: int, target_year: int,
              years: list[int], from_year: int | None, strict: np.ndarray | None = None,
              log_variance: np.ndarray | None = None) -> dict:
    """Numbers of one row from per-draw paths (D, T) and per-draw target and base values (D,).

    Each draw is set against its own target, since the target may depend on the draw (the share
    rule sets it on the draw's own 2009 emissions): the gap, whether the target is met and the
    first year met are taken draw by draw, and only then summarised over the draws: medians with
    their 5th and 95th percentiles, and shares of draws (P(met) in the target year, P(ever met) up
    to the last year). Target, base and modelled values are the medians of their own draws. With
    one draw every number is that draw's. ``log_variance`` (D,): the discrepancy of the modelled value
    in the target year, for P(the inventory shows it met) (:func:`share_met_inventory`; None: not
    an emission, no such probability)."""
    k = years.index(target_year)
    modelled = path[:, k]                                                  # (D,)
    gaps = gap(modelled, target)                                           # (D,), each against its own target
    firsts = [first_year_met(years, p, float(tv), base_year, target_year) for p, tv in zip(path, target)]
    start = from_year if from_year is not None else min(target_year - 1, PRESENT_YEAR)
    cuts = ([annual_cut_needed(float(p[years.index(start)]), float(tv), start, target_year)
             for p, tv in zip(path, target)] if start in years else [])
    cuts = [c for c in cuts if c is not None]
    g, g05, g95 = _stats(gaps)
    _, m05, m95 = _stats(modelled)
    _, t05, t95 = _stats(target)
    p_met = share_met(modelled, target)
    return dict(base_year=base_year, base_value=float(np.median(base)), target_value=float(np.median(target)),
                target_value_strict=None if strict is None else float(np.median(strict)),
                modelled_value=float(np.median(modelled)), gap=g,
                gap_pct_of_base=float(np.median(100.0 * gaps / base)) if np.all(base) else None,
                # met when at least half of the draws meet it (one draw: when it does)
                met_in_target_year=bool(p_met >= 0.5), first_year_met=median_first_year(firsts, years),
                from_year=start if cuts else None,
                annual_cut_needed_pct=_pct(float(np.median(cuts))) if cuts else None,
                draws=len(modelled), p_met=p_met, p_ever_met=float(np.mean([f is not None for f in firsts])),
                p_met_inventory=None if log_variance is None else share_met_inventory(modelled, target, log_variance),
                target_value_p05=t05, target_value_p95=t95, modelled_p05=m05, modelled_p95=m95,
                gap_p05=g05, gap_p95=g95)


def national_rows(paths: _Paths, scenario: str, rule: str, from_year: int | None, stat: str,
                  extra_areas: tuple[Area, ...] = ()) -> list[dict]:
    """Every national target against each municipality, the regions with several, the 13 together and
    any ``extra_areas`` (e.g. a report's selection of municipalities, summed draw by draw)."""
    years, k09 = paths.years, paths.k(dims.BASE_YEAR)
    out = []
    for t in load_targets():
        if t.area != NATIONAL:
            continue
        non_ets = t.scope == "non_ets" or rule == "non-ets"
        x = (paths.non_ets if non_ets else paths.total) / 1000.0           # (D, M, T) kt
        r, rs = t.change_from_2009(), t.strict_change_from_2009()
        if abs(t.change * 100 - round(t.change * 100)) > 1e-9 and t.national_target_kt is not None:
            base_text = f"at most {t.national_target_kt / 1000:.0f} Mt"        # a cap (Klimaforliket)
        else:
            base_text = f"{_percent(t.change, 0)} vs {t.base_year}"
        label = f"{base_text} = {_percent(r, 1)} vs 2009"
        if t.national_target_kt is None:
            label = f"{base_text} (2009 for {t.base_year})"
        scope = "non_ets" if non_ets else "total"
        kt = paths.k(t.target_year)
        if kt is None or k09 is None:
            for a in areas() + list(extra_areas):
                out.append(_row(scenario, "national", a.level, a.name, t, label, "kt CO2e/yr", stat, scope=scope,
                                rule=rule, note="not evaluated: the run does not cover 2009 and the target year"))
            continue

        def allowance(change):                                                # (D, M)
            return national_rule_value(rule, x[:, :, k09], change, paths.population[:, :, k09],
                                       paths.population[:, :, kt])

        tv = allowance(r)
        tvs = allowance(rs) if rs is not None else None
        for a in areas() + list(extra_areas):
            idx = [dims.MUNICIPALITIES.index(m) for m in a.members]
            values = _evaluate(x[:, idx].sum(axis=1), tv[:, idx].sum(axis=1), x[:, idx, k09].sum(axis=1),
                               dims.BASE_YEAR, t.target_year, years, from_year,
                               None if tvs is None else tvs[:, idx].sum(axis=1),
                               paths.log_variance(idx, t.target_year, non_ets))
            out.append(_row(scenario, "national", a.level, a.name, t, label, "kt CO2e/yr", stat, scope=scope,
                            rule=rule, **values))
    return out


def own_rows(paths: _Paths, scenario: str, from_year: int | None, stat: str) -> list[dict]:
    """The municipalities' own targets: emissions (kt CO2e/yr, all sectors) and car traffic (residents'
    car vehicle-km as an index, base year = 1)."""
    years = paths.years
    out = []
    for t in load_targets():
        if t.area == NATIONAL or t.indicator == "car_vkm_resident":
            continue
        m = dims.MUNICIPALITIES.index(t.area)
        emissions = t.indicator == "emissions"
        unit = "kt CO2e/yr" if emissions else "index (base year = 1)"
        against = f"vs {t.base_year}" if t.base_year is not None else "(base year not stated)"
        label = f"{'emissions' if emissions else 'car traffic'} {_percent(t.change, 0)} {against}"
        kb = paths.k(t.base_year) if t.base_year is not None else None
        if kb is None or paths.k(t.target_year) is None:
            why = ("the source states no base year" if t.base_year is None else
                   f"its base year {t.base_year} lies before the run ({years[0]}-{years[-1]})"
                   if kb is None else f"its year lies outside the run ({years[0]}-{years[-1]})")
            out.append(_row(scenario, "own", "municipality", t.area, t, label, unit, stat,
                            base_year=t.base_year, note=f"not evaluated: {why}"))
            continue
        series = paths.total[:, m] / 1000.0 if emissions else paths.car_vkm[:, m]
        base = series[:, kb]
        if not emissions:   # an index against the base year, draw by draw
            series, base = series / base[:, None], np.ones_like(base)
        values = _evaluate(series, target_value(base, t.change), base, t.base_year, t.target_year, years, from_year,
                           log_variance=paths.log_variance([m], t.target_year) if emissions else None)
        note = "" if emissions else "car traffic measured as residents' car vehicle-km (the model's indicator)"
        out.append(_row(scenario, "own", "municipality", t.area, t, label, unit, stat, note=note, **values))
    out.sort(key=lambda r: (dims.MUNICIPALITIES.index(r["area"]), r["indicator"], r["target_year"]))
    return out


def zero_growth_rows(paths: _Paths, scenario: str, base_year: int | None, from_year: int | None,
                     stat: str) -> list[dict]:
    """The zero-growth goal per city region: residents' car vehicle-km, index against the reference year."""
    years = paths.years
    out = []
    for t in load_targets():
        if t.indicator != "car_vkm_resident":
            continue
        ref = base_year if base_year is not None else t.base_year
        idx = [dims.MUNICIPALITIES.index(m) for m in dims.REGIONS[t.area]]
        label = f"zero growth vs {ref}"
        kb = paths.k(ref)
        if kb is None or paths.k(t.target_year) is None:
            out.append(_row(scenario, "zero_growth", "region", t.area, t, label, "index (reference year = 1)",
                            stat, note=f"not evaluated: {ref} or {t.target_year} lies outside the run"))
            continue
        vkm = paths.car_vkm[:, idx].sum(axis=1)                               # (D, T)
        index = vkm / vkm[:, kb][:, None]
        ones = np.ones(index.shape[0])
        values = _evaluate(index, ones, ones, ref, t.target_year, years, from_year)
        out.append(_row(scenario, "zero_growth", "region", t.area, t, label, "index (reference year = 1)", stat,
                        note=f"members: {', '.join(dims.REGIONS[t.area])}", **values))
    return out


def check_options(ds, rule: str, zero_growth_base: int | None, from_year: int | None, source: str = "result"):
    """Refuse options the result cannot answer, naming the option and what is allowed."""
    if rule not in RULES:
        raise UsageError(f"--national-rule: {rule!r} is not a rule; allowed: {', '.join(RULES)}")
    years = [int(y) for y in ds["year"].values]
    span = f"{years[0]}-{years[-1]}"
    if zero_growth_base is not None:
        last = min(t.target_year for t in load_targets() if t.indicator == "car_vkm_resident") - 1
        if not (years[0] <= zero_growth_base <= last and zero_growth_base in years):
            raise UsageError(f"--zero-growth-base: must be a year of {source} before the year the goal is assessed "
                             f"({years[0]}-{last}), got {zero_growth_base}")
    if from_year is not None and from_year not in years:
        raise UsageError(f"--from: must be a year of {source} ({span}), got {from_year}")


def assess(ds, rule: str = "share", zero_growth_base: int | None = None, from_year: int | None = None,
           source: str = "result", extra_areas: tuple[Area, ...] = ()) -> list[dict]:
    """Every target against every scenario of a result Dataset: one dict per scenario, target and area
    (keys as in :func:`_row`; emissions in kt CO2e/yr of the run's GWP set, indices as shares).

    ``rule``: how national targets are set against the municipalities (:data:`RULES`);
    ``zero_growth_base``: reference year of the zero-growth goal (default: each row's, 2017);
    ``from_year``: the year the needed annual cut is counted from (default: :data:`PRESENT_YEAR`, or the
    year before a target's year where that is earlier); ``extra_areas``: groups of municipalities to assess
    the national targets for besides :func:`areas`.

    With several draws every row is computed draw by draw and summarised over the draws
    (:func:`_evaluate`): values are medians, with 5-95 % ranges and the share of draws that meet
    the target (``p_met``, ``p_ever_met``); ``sampler`` names how the draws were drawn.
    """
    from ..result_file import require, require_all_municipalities

    require(ds, ["emissions_source", "population", "car_vkm_resident"], source, "framtid targets")
    require_all_municipalities(ds, source, "framtid targets")   # regions, the 13 together, national shares
    check_options(ds, rule, zero_growth_base, from_year, source)
    n = int(ds.sizes["draw"])
    stat = "1 draw" if n == 1 else f"median of {n} draws"
    out = []
    for scenario in [str(s) for s in ds["scenario"].values]:
        paths = _Paths(ds, scenario)
        out += national_rows(paths, scenario, rule, from_year, stat, tuple(extra_areas))
        out += own_rows(paths, scenario, from_year, stat)
        out += zero_growth_rows(paths, scenario, zero_growth_base, from_year, stat)
    sampler = str(ds.attrs.get("sampler", "unknown"))
    for r in out:
        r["sampler"] = sampler
    return out
