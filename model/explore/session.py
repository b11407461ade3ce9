"""A package of measures explored interactively: turn measures on and off, change their values, and see
the paths against the targets (``framtid explore``; the page and its server are :mod:`.server`).

A *package* is what attribution calls one: the measures a scenario file adds to the scenario it extends
(or to an earlier one of its chain, ``base``). A *choice* says, for each measure of the package, whether it
is on and which of its values differ from the file's. Each choice is run as the package's scenario with only
the chosen measures (:func:`simulation.run_variants`, the batch run attribution uses: the same numbers as a
scenario file holding those measures), at the default parameter values or, with ranges asked for, over sampled
draws shared by every run, and summarised for the page: the emissions of every area (a municipality, a city
region, the 13 together) by sector and year, every target of ``framtid targets``, every indicator of ``framtid
indicators`` and the warnings of ``framtid validate``, for the choice, the base (no measure of the package) and
the package as written; on request, what each measure does within the choice (:meth:`Explorer.effects`). An
edited measure is validated exactly as a scenario file's ``[[measure]]`` entry is
(:func:`scenario_measures._measure`), so a value the file would refuse is refused here with the same message,
located by the measure's position and label.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict
from datetime import date

import numpy as np

from .. import dims
from ..errors import UsageError
from ..measures import AREAS, KINDS, Measure
from . import DEFAULT_DRAWS, MAX_DRAWS

# Keys a choice may change besides the kind's own fields: where the measure acts (but for a kind whose
# municipality is the owner of its cordon), when it starts, how long it ramps up and when it ends (None: never).
COMMON = ("municipality", "start_year", "ramp_years", "end_year")
MAX_ADDED = 30           # measures a choice may add of its own (each is a member of the effects' batch)
CACHE_SIZE = 32          # choices kept with their summaries (a summary is about 0.2 MB, 2 MB with 100 draws)
ZERO_GROWTH_YEAR = 2017  # the car-vkm index's reference year on the page: the zero-growth goal's (targets.csv)


def entry_of(m: Measure) -> dict:
    """The ``[[measure]]`` table that gives ``m`` (as TOML would read it): the common keys the measure has, and the
    fields its file gave, in the file's form (a number, a table by axis label, a label). Read back by
    :func:`scenario_measures._measure` it makes a measure with the same values."""
    kind = KINDS[m.kind]
    every = tuple(m.municipalities) == dims.MUNICIPALITIES
    entry: dict = {"kind": m.kind}
    if m.label != m.kind:   # a measure without a label is called by its kind; two such may share it, unwritten
        entry["label"] = m.label
    entry.update({"municipality": "*" if every else list(m.municipalities), "start_year": m.start_year})
    if m.ramp_years:
        entry["ramp_years"] = m.ramp_years
    if m.end_year is not None:
        entry["end_year"] = m.end_year
    if m.replaces:
        entry["replaces"] = list(m.replaces)
    if m.price_year is not None:
        entry["price_year"] = m.price_year
    if m.start_date is not None:
        entry["start_date"] = m.start_date
    if m.adoption != "forced":
        entry["adoption"] = m.adoption
    if m.acceptance is not None:
        entry["acceptance"] = m.acceptance
    for f in kind.fields:
        if f.name not in m.given:
            continue
        value = m.values[f.name]
        if f.choice_axis or value is None:
            entry[f.name] = value
        elif f.axis:
            entry[f.name] = {label: float(v) for label, v in zip(f.labels, np.asarray(value, dtype=float))
                             if not math.isnan(v)}
        else:
            entry[f.name] = float(value)
    return entry


def _editable(m: Measure) -> list[dict]:
    """The fields of ``m`` a choice may change, as the page shows them: numbers and tables of numbers by axis
    label (a label field, such as a cordon, stays as written)."""
    kind = KINDS[m.kind]
    out = []
    for f in kind.fields:
        if f.choice_axis:
            continue
        value = m.values.get(f.name)
        if f.axis:
            given = np.asarray(value, dtype=float) if value is not None else np.full(len(f.labels), np.nan)
            shown = {label: (None if math.isnan(v) else float(v)) for label, v in zip(f.labels, given)}
        else:
            shown = None if value is None else float(value)
        out.append({"name": f.name, "unit": f.unit, "money": f.money, "low": f.low, "high": f.high,
                    "description": f.description, "required": f.required,
                    "default": f.default if not isinstance(f.default, str) else None,
                    "labels": list(f.labels) if f.axis else None, "value": shown, "given": f.name in m.given})
    return out


def _kind(kind) -> dict:
    """A measure kind as the page offers it for adding: its fields with units, ranges, defaults and choices."""
    return {"name": kind.name, "area": kind.area, "area_label": AREAS.get(kind.area, kind.area),
            "description": kind.description, "municipality_from": kind.municipality_from,
            "fields": [{"name": f.name, "unit": f.unit, "money": f.money, "low": f.low, "high": f.high,
                        "description": f.description, "required": f.required,
                        "default": f.default if not isinstance(f.default, str) else None,
                        "labels": list(f.labels) if f.axis else None,
                        "choices": list(f.choices) if f.choice_axis else None,
                        "choice_default": f.default if isinstance(f.default, str) else None}
                       for f in kind.fields]}


def _where(i: int, m: Measure) -> str:
    return f"measure {i + 1} ({m.label})"


class Explorer:
    """A scenario's package, the runs of the choices made of it, and what the page shows of them."""

    def __init__(self, scenario, base: str | None = None, draws: int = DEFAULT_DRAWS, seed: int = 0,
                 sampler: str = "lhs"):
        """``draws``, ``seed``, ``sampler``: the ensemble a view with uncertainty runs (every choice, the base and the
        package with the same draws, so their differences are paired)."""
        from ..evaluation.attribution import _package
        from ..scenario_inheritance import package_since

        # a scenario that adds no measures is explored too: the page then adds them (base, package and scenario
        # are one)
        inherited, own, self.base_name = _package(scenario, base, None, "explored")
        self.base_path = package_since(scenario, base)[2]
        self.scenario = scenario
        self.inherited = tuple(inherited)
        self.own = list(own)
        self.entries = [entry_of(m) for m in self.own]
        if not isinstance(draws, int) or not 2 <= draws <= MAX_DRAWS:
            raise UsageError(f"--draws: from 2 to {MAX_DRAWS} (each change of the page runs them; got {draws})")
        self.draws, self.seed, self.sampler = draws, seed, sampler
        self._lock = threading.Lock()        # one run at a time: the page may ask again before an answer
        self._cache: OrderedDict[str, dict] = OrderedDict()

    # -- the package, as the page lists it ------------------------------------------------------------------

    def package(self) -> dict:
        """The scenario, its base, the areas and every measure of the package with its editable values."""
        from ..data_store import municipalities
        from ..evaluation.indicators import INDICATORS
        from ..evaluation.targets import areas

        names = {m.id: m.name for m in municipalities()}
        return {
            "scenario": self.scenario.name, "description": self.scenario.description, "base": self.base_name,
            "gwp": self.scenario.gwp, "years": list(dims.YEARS), "draws": self.draws, "sampler": self.sampler,
            "seed": self.seed,
            "areas": [{"id": area_id(a), "level": a.level,
                       "label": (names.get(a.name, a.name) if a.level == "municipality" else
                                 "All 13 together" if a.level == "all" else
                                 f"{a.name.replace('_', ' ').title()} region ("
                                 + ", ".join(names.get(m, m) for m in a.members) + ")")}
                      for a in areas()],
            "municipalities": [{"id": m, "name": names.get(m, m)} for m in dims.MUNICIPALITIES],
            "sectors": list(dims.SECTORS),
            "indicators": [{"name": i.name, "unit": i.unit, "definition": i.definition} for i in INDICATORS],
            "area_labels": dict(AREAS),
            "kinds": [_kind(k) for k in sorted(KINDS.values(), key=lambda k: (list(AREAS).index(k.area)
                                                                             if k.area in AREAS else 99, k.name))],
            "measures": [{"index": i, "label": m.label, "kind": m.kind, "area": KINDS[m.kind].area,
                          "area_label": AREAS.get(KINDS[m.kind].area, KINDS[m.kind].area),
                          "description": KINDS[m.kind].description,
                          "municipalities": list(m.municipalities),
                          "municipality_fixed": KINDS[m.kind].municipality_from is not None,
                          "start_year": m.start_year, "ramp_years": m.ramp_years, "end_year": m.end_year,
                          "price_year": m.price_year,
                          "choices": {f.name: m.values[f.name] for f in KINDS[m.kind].fields if f.choice_axis},
                          "fields": _editable(m)}
                         for i, m in enumerate(self.own)],
        }

    # -- a choice: which measures are on, with which values -----------------------------------------------------

    def measures(self, choice: dict | None) -> list[Measure]:
        """The package's measures a choice keeps, edited as it says (None: the package as written)."""
        return [m for _, _, m in self.chosen(choice)]

    def chosen(self, choice: dict | None) -> list[tuple[int, dict, Measure]]:
        """(number in the package, ``[[measure]]`` table, measure) of each measure a choice keeps, in the
        package's order, edited as it says (None: the package as written).

        ``choice``: ``{"on": [numbers of the measures kept], "edits": {number: {key: value}}, "added": [tables]}``,
        "added" being measures of the choice's own (``[[measure]]`` tables, numbered after the package's), and in
        "edits" a key is a
        field of the measure's kind or one of :data:`COMMON`, and a field's value is a number, for a field by
        axis label a table ``{label: number}`` (a label left out takes the field's default or stays unset), or
        None for the field's default. Every problem is a :class:`UsageError` naming the measure and the key, as
        a scenario file's would."""
        from ..cordons import using
        from ..scenario_measures import _measure
        from ..scenario_values import _Problems

        if choice is None:
            return list(zip(range(len(self.own)), self.entries, self.own))
        if not isinstance(choice, dict) or set(choice) - {"on", "edits", "added"}:
            raise UsageError("choice: a table with the keys 'on' (the measures kept), 'edits' (their values) and "
                             "'added' (measures of its own)")
        on = choice.get("on", list(range(len(self.own))))
        edits = choice.get("edits") or {}
        if not isinstance(on, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in on):
            raise UsageError("choice.on: must be a list of measure numbers")
        bad = [i for i in on if not 0 <= i < len(self.own)]
        if bad:
            raise UsageError(f"choice.on: measure numbers run from 0 to {len(self.own) - 1} (got {bad})")
        if not isinstance(edits, dict):
            raise UsageError("choice.edits: must be a table by measure number")
        numbers = {str(i) for i in range(len(self.own))}
        stray = [k for k in edits if str(k) not in numbers]
        if stray:   # (the edits of a measure turned off are kept, unused: the page remembers them)
            raise UsageError(f"choice.edits: measure numbers run from 0 to {len(self.own) - 1} (got "
                             f"{', '.join(map(repr, stray))})")
        problems = _Problems()
        out = []
        for i in sorted(set(on)):
            m = self.own[i]
            change = edits.get(str(i), edits.get(i)) or {}
            if not change:
                out.append((i, self.entries[i], m))
                continue
            where = _where(i, m)
            if not isinstance(change, dict):
                problems.add(where, "the edits must be a table of keys and values")
                continue
            kind = KINDS[m.kind]
            entry = dict(self.entries[i])
            allowed = [k for k in COMMON if not (k == "municipality" and kind.municipality_from)]
            allowed += [g.name for g in kind.fields if not g.choice_axis]
            for key, value in change.items():
                f = kind.field(key)
                if key not in allowed:
                    why = (f"; the municipality is the owner of its {kind.municipality_from}"
                           if key == "municipality" and kind.municipality_from else "")
                    problems.add(f"{where}.{key}", f"cannot be changed here{why}; allowed: {', '.join(allowed)}")
                elif value is None and key not in ("municipality", "start_year", "ramp_years"):
                    entry.pop(key, None)     # back to the kind's default (the field left out); no end_year
                elif f is not None and f.axis and isinstance(value, dict):
                    # a label given as None is left out of the table (its default, or not set), as the page's
                    # empty box; a table of none is the field left out
                    table = {label: v for label, v in value.items() if v is not None}
                    if table:
                        entry[key] = table
                    else:
                        entry.pop(key, None)
                else:
                    entry[key] = value
            if m.start_date is not None and entry.get("start_year") != m.start_year:
                entry.pop("start_date")      # the day belonged to the written start year
            with using(self.scenario.cordons):   # a measure may charge the scenario's own cordons
                made = _measure(entry, where, m.origin, problems)
            if made is not None:
                out.append((i, entry, made))
        out += self._added(choice.get("added") or [], problems)
        if problems:
            raise UsageError("\n".join(problems))
        return out

    def _added(self, added, problems) -> list[tuple[int, dict, Measure]]:
        """The measures a choice adds of its own (``[[measure]]`` tables, read as a file's), numbered after the
        package's."""
        from ..cordons import using
        from ..scenario_measures import _measure

        if not isinstance(added, list):
            problems.add("choice.added", "must be a list of [[measure]] tables")
            return []
        if len(added) > MAX_ADDED:
            problems.add("choice.added", f"at most {MAX_ADDED} measures may be added here (got {len(added)}); write "
                                         "a scenario file for more")
            return []
        out = []
        for k, entry in enumerate(added):
            where = f"added measure {k + 1}"
            if isinstance(entry, dict) and isinstance(entry.get("label"), str):
                where += f" ({entry['label']})"
            try:
                json.dumps(entry, ensure_ascii=False).encode("utf-8")
            except (UnicodeEncodeError, TypeError, ValueError):
                problems.add(where, "holds text that is not UTF-8 (or a value that is not JSON)")
                continue
            with using(self.scenario.cordons):
                made = _measure(entry, where, f"explore: {where}", problems)
            if made is not None and made.adoption == "adaptive":
                problems.add(f"{where}.adoption", "the page runs its measures as forced (whether an adaptive one acts "
                                                  "depends on the run); leave adoption out")
            elif made is not None:
                out.append((len(self.own) + k, dict(entry), made))
        return out

    def warnings(self, chosen: list[Measure]) -> list[str]:
        """What ``framtid validate`` and ``framtid run`` would warn of in a scenario of these measures (overlaps,
        values beyond range, what replaces and end_year do, ...: ``measures.scenario_checks``)."""
        import dataclasses

        from ..cordons import using
        from ..measures.scenario_checks import scenario_warnings
        from ..scenario_inheritance import compose

        measures = compose(self.inherited, chosen, [], package=self.own)
        with using(self.scenario.cordons):
            return scenario_warnings(dataclasses.replace(self.scenario, measures=measures, own=tuple(chosen)))

    def _remember(self, key: str, value: dict) -> None:
        """Keep ``value`` under ``key``, forgetting the least recently used beyond :data:`CACHE_SIZE` (under the
        lock)."""
        self._cache[key] = value
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    @staticmethod
    def key(chosen: list[tuple[int, dict, Measure]]) -> str:
        """A canonical name of the measures a choice keeps, as :meth:`chosen` gives them (the cache's key): two
        choices that differ only in how they are written (a number as text, a measure named twice, the edits
        of a measure turned off) share it."""
        return json.dumps([[i, entry] for i, entry, _ in chosen], sort_keys=True, default=str)

    # -- runs and what the page shows of them ------------------------------------------------------------------

    def run(self, chosen: list[Measure], uncertain: bool = False):
        """The finished model of the package's scenario with only ``chosen`` of its measures: one draw at the
        default parameter values, or with ``uncertain`` the explorer's ensemble of sampled draws."""
        from ..parameters import Params
        from ..scenario_inheritance import compose
        from ..simulation import run_variants

        problems: list[str] = []
        measures = compose(self.inherited, chosen, problems, package=self.own)
        if problems:
            raise UsageError("\n".join(problems))
        if not uncertain:
            return run_variants(self.scenario, [measures])
        params = Params.sampled(self.draws, self.seed, self.sampler, self.scenario.parameters)
        model = run_variants(self.scenario, [measures] * self.draws, seed=self.seed, params=params)
        model.sampling = {"sampler": self.sampler, "ensemble_draws": self.draws, "first_draw": 0}
        return model

    def summary(self, choice: dict | None, uncertain: bool = False) -> dict:
        """What the page shows of a choice (cached): for every area, the yearly emissions by sector
        [kt CO2e/yr], the targets' rows and the indicators, and the seconds the run took; with ``uncertain``, of
        the explorer's ensemble of draws."""
        chosen = self.chosen(choice)
        key = f"{self.draws if uncertain else 1} " + self.key(chosen)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return dict(self._cache[key], cached=True)
            t0 = time.perf_counter()
            model = self.run([m for _, _, m in chosen], uncertain)
            seconds = time.perf_counter() - t0
            out = summarise(model)
            out["warnings"] = self.warnings([m for _, _, m in chosen])
            out["seconds"] = seconds
            out["measures_on"] = sum(1 for i, _, _ in chosen if i < len(self.own))
            out["added"] = len(chosen) - out["measures_on"]
            out["cached"] = False
            self._remember(key, out)
            return out

    def view(self, choice: dict | None, area: str, uncertain: bool = False) -> dict:
        """The page's figures of one area: the choice, the base and the package as written side by side; with
        ``uncertain``, medians and 5-95 % ranges over the explorer's draws, the differences from the base taken
        draw by draw."""
        _check_area(area)
        if not isinstance(uncertain, bool):
            raise UsageError(f"uncertain: true or false (got {uncertain!r})")
        runs = {"choice": self.summary(choice, uncertain), "base": self.summary({"on": []}, uncertain),
                "package": self.summary(None, uncertain)}
        totals = {k: r["totals"][area] for k, r in runs.items()}          # (D, T) each, the same draws
        return {"area": area, "years": list(dims.YEARS), "draws": len(totals["base"]),
                "seconds": runs["choice"]["seconds"], "measures_on": runs["choice"]["measures_on"],
                "added": runs["choice"]["added"],
                "cached": runs["choice"]["cached"],
                # what framtid run would warn of in the choice, but not in the package as written
                "warnings": [w for w in runs["choice"]["warnings"] if w not in runs["package"]["warnings"]],
                "emissions": {k: r["emissions"][area] for k, r in runs.items()},
                "totals": {k: _band(v) for k, v in totals.items()},
                "against_base": {k: _band(totals[k] - totals["base"]) for k in ("choice", "package")},
                "summed_against_base": {k: _summed(totals[k] - totals["base"]) for k in ("choice", "package")},
                "indicators": _indexed_to_base({k: r["indicators"][area] for k, r in runs.items()},
                                               {k: r["car_vkm_resident"][area] for k, r in runs.items()}),
                "targets": _target_rows({k: r["targets"] for k, r in runs.items()}, area)}


    def effects(self, choice: dict | None, area: str, year: int = 2030) -> dict:
        """What each measure of the package, and each the choice adds, does within the choice, in ``area`` and
        ``year`` [kt CO2e/yr] (negative: a cut): for a measure that is on, the choice minus the choice without it
        (what it adds, last in); for one that is off, the choice with it (as edited) minus the choice (what adding it
        would do). One
        batch run of as many members as the package has measures, at the default parameter values; the values of
        a choice are kept for every area."""
        _check_area(area)
        if not isinstance(year, int) or isinstance(year, bool) or not dims.BASE_YEAR < year <= dims.FINAL_YEAR:
            raise UsageError(f"year: from {dims.BASE_YEAR + 1} to {dims.FINAL_YEAR} (got {year!r})")
        chosen = self.chosen(choice)
        # every measure as the choice would run it: the edits of a measure that is off apply to its variant, so
        # they are checked, and name the variants, too
        every = self.chosen({"on": list(range(len(self.own))), "edits": (choice or {}).get("edits") or {},
                             "added": (choice or {}).get("added") or []})
        key = f"effects {year} {sorted(i for i, _, _ in chosen)} " + self.key(every)
        with self._lock:
            if key not in self._cache:
                t0 = time.perf_counter()
                by_area = self._effects(chosen, every, year)
                self._remember(key, {"by_area": by_area, "seconds": time.perf_counter() - t0})
            self._cache.move_to_end(key)
            kept = self._cache[key]
        return {"area": area, "year": year, "seconds": kept["seconds"],
                "effects": [{"index": i, "on": on, "kt": value} for i, (on, value) in enumerate(kept["by_area"][area])]}

    def _effects(self, chosen: list, every_chosen: list, year: int) -> dict[str, list]:
        from ..accounting import co2e
        from ..evaluation.targets import areas
        from ..scenario_inheritance import compose
        from ..simulation import run_variants

        on = {i: m for i, _, m in chosen}
        every = {i: m for i, _, m in every_chosen}
        variants = [list(on.values())]                                  # member 0: the choice itself
        variants += [[every[j] for j in sorted(set(on) ^ {i})] for i in range(len(every))]
        problems: list[str] = []
        measures = [compose(self.inherited, v, problems, package=self.own) for v in variants]
        if problems:
            raise UsageError("\n".join(dict.fromkeys(problems)))
        model = run_variants(self.scenario, measures)
        k = year - dims.BASE_YEAR
        total = co2e(model.record["emissions_gas"][k], model.gwp).sum(axis=-1) / 1e3    # (V, M) [kt CO2e/yr]
        out = {}
        for a in areas():
            rows = [dims.MUNICIPALITIES.index(m) for m in a.members]
            values = total[:, rows].sum(axis=1)
            # on: the choice minus the choice without it; off: the choice with it minus the choice
            out[area_id(a)] = [(i in on, float(values[0] - values[i + 1]) if i in on
                                else float(values[i + 1] - values[0])) for i in range(len(every))]
        return out


def _indexed_to_base(indicators: dict[str, dict], car_vkm: dict[str, np.ndarray]) -> dict[str, dict]:
    """The runs' indicators with the car-vkm index of every run against the *base's* 2017: each run's own 2017
    (the zero-growth goal's definition, which the targets keep) would move with measures acting before 2017, and a
    choice that cuts car traffic could then be drawn above the base."""
    k = ZERO_GROWTH_YEAR - dims.BASE_YEAR
    out = {}
    for run, values in indicators.items():
        values = dict(values)
        if values.get("car_vkm_index") is not None and car_vkm["base"][k] > 0:
            values["car_vkm_index"] = _finite(car_vkm[run] / car_vkm["base"][k])
        out[run] = values
    return out


def _check_area(area: str) -> None:
    from ..evaluation.targets import areas

    known = [area_id(a) for a in areas()]
    if area not in known:
        raise UsageError(f"area: {area!r} is not an area; allowed: {', '.join(known)}")


def area_id(area) -> str:
    """An area's name on the page, as ``framtid indicators`` names it: a municipality's id, ``region:<name>``
    for a region of several (Oslo's region shares its name with the municipality), ``total`` for the 13 together."""
    if area.level == "region" and len(dims.REGIONS.get(area.name, ())) > 1:
        return f"region:{area.name}"
    return "total" if area.level == "all" else area.name   # a region of one municipality is that municipality


def _band(values: np.ndarray) -> dict:
    """Median, 5th and 95th percentile over the draws (the first axis) of each year, as lists for JSON."""
    low, mid, high = np.percentile(values, [5, 50, 95], axis=0)
    return {"median": _finite(mid), "p05": _finite(low), "p95": _finite(high)}


def _summed(values: np.ndarray) -> dict:
    """Median, 5th and 95th percentile over the draws of the sum over 2010-2050 of ``values`` (D, T) [kt CO2e]."""
    low, mid, high = np.percentile(values[:, 1:].sum(axis=1), [5, 50, 95])
    return {"median": float(mid), "p05": float(low), "p95": float(high)}


def _finite(values) -> list:
    """A list of floats for JSON, None where not finite."""
    return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=float)]


def summarise(model) -> dict:
    """A finished model as the page reads it: ``emissions[area][sector]`` yearly [kt CO2e/yr] (the median over the
    draws), ``totals[area]`` (D, T) every draw's total [kt CO2e/yr] (numpy),
    ``indicators[area][name]`` yearly (car_vkm_index against :data:`ZERO_GROWTH_YEAR`), ``targets``, the rows of
    :func:`evaluation.targets.assess`, and ``car_vkm_resident[area]`` yearly [vkm/yr] (numpy)."""
    from ..evaluation import indicators, targets
    from ..result_dataset import to_dataset

    ds = to_dataset([model], 0)
    by_sector = ds["emissions"].isel(scenario=0).transpose("draw", "municipality", "sector", "year")
    values = np.asarray(by_sector.values, dtype=float) / 1e3          # t -> kt, (D, M, S, T)
    municipalities = [str(m) for m in ds["municipality"].values]
    vkm = np.asarray(ds["car_vkm_resident"].isel(scenario=0).mean("draw").transpose("municipality", "year").values,
                     dtype=float)
    emissions, totals, car_vkm = {}, {}, {}
    for a in targets.areas():
        rows = [municipalities.index(m) for m in a.members]
        part = values[:, rows].sum(axis=1)                              # (D, S, T)
        median = np.median(part, axis=0)
        emissions[area_id(a)] = {s: _finite(median[k]) for k, s in enumerate(dims.SECTORS)}
        totals[area_id(a)] = part.sum(axis=1)
        car_vkm[area_id(a)] = vkm[rows].sum(axis=0)
    _, ind = indicators.compute(ds, reference_year=ZERO_GROWTH_YEAR)   # its areas are named as area_id's
    per_area: dict[str, dict] = {}
    for (_, area, indicator), value in ind.items():
        per_area.setdefault(area, {})[indicator] = None if value is None else _finite(value)
    rows = targets.assess(ds)
    for r in rows:
        r["area_id"] = area_id(targets.Area(r["level"], r["area"], ()))
    return {"emissions": emissions, "totals": totals, "indicators": per_area, "targets": rows,
            "car_vkm_resident": car_vkm}


TARGET_KEYS = ("target_id", "target", "indicator", "scope", "base_year", "target_year", "unit", "confidence",
               "note", "group")


def _target_rows(by_run: dict[str, list[dict]], area: str) -> list[dict]:
    """The targets of ``area``, one row each, with the target value and the modelled value of every run."""
    out: dict[str, dict] = {}
    for run, rows in by_run.items():
        for r in rows:
            if r["area_id"] != area:
                continue
            row = out.setdefault(r["target_id"], {k: r.get(k) for k in TARGET_KEYS})
            row[run] = {"target_value": r["target_value"], "modelled_value": r["modelled_value"],
                        "met": bool(r["met_in_target_year"]), "first_year_met": r["first_year_met"],
                        "p_met_inventory": r.get("p_met_inventory"), "p_met": r.get("p_met"),
                        "modelled_p05": r.get("modelled_p05"), "modelled_p95": r.get("modelled_p95")}
    return [_json_safe(r) for r in out.values()]


def _json_safe(x):
    """``x`` with numpy numbers as Python ones and non-finite floats as None (JSON has neither)."""
    if isinstance(x, dict):
        return {k: _json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_json_safe(v) for v in x]
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, date):
        return x.isoformat()
    return x

