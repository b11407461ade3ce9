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
import threading
import time
from collections import OrderedDict

from .. import dims
from ..errors import UsageError
from ..measures import AREAS, KINDS, Measure
from . import DEFAULT_DRAWS, MAX_DRAWS
from .choice import entry_of, listed, offered, read_choice
from .figures import area_id, band, check_area, indexed_to_base, summarise, summed, target_rows

CACHE_SIZE = 32          # choices kept with their summaries (a summary is about 0.2 MB, 2 MB with 100 draws)


class Explorer:
    """A scenario's package, the runs of the choices made of it, and what the page shows of them."""

    def __init__(self, scenario, base: str | None = None, draws: int = DEFAULT_DRAWS, seed: int = 0,
                 sampler: str = "lhs"):
        """``draws``, ``seed``, ``sampler``: the ensemble a view with uncertainty runs (every choice, the base and the
        package with the same draws, so their differences are paired)."""
        from ..evaluation.players import package_of

        # a scenario that adds no measures is explored too: the page then adds them (base, package and scenario
        # are one)
        inherited, own, self.base_path = package_of(scenario, base, None, "explored")
        self.base_name = self.base_path.stem if self.base_path is not None else "(no measures)"
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
            "kinds": [offered(k) for k in sorted(KINDS.values(), key=lambda k: (list(AREAS).index(k.area)
                                                                             if k.area in AREAS else 99, k.name))],
            "measures": [listed(i, m) for i, m in enumerate(self.own)],
        }

    # -- a choice: which measures are on, with which values -----------------------------------------------------

    def measures(self, choice: dict | None) -> list[Measure]:
        """The package's measures a choice keeps, edited as it says (None: the package as written)."""
        return [m for _, _, m in self.chosen(choice)]

    def chosen(self, choice: dict | None) -> list[tuple[int, dict, Measure]]:
        """(number, ``[[measure]]`` table, measure) of each measure a choice keeps or adds, edited as it says
        (None: the package as written): :func:`.choice.read_choice`."""
        return read_choice(choice, self.own, self.entries, self.scenario.cordons)

    def composed(self, chosen: list[Measure]) -> tuple[Measure, ...]:
        """The measures in force with ``chosen`` written after the base's, as a scenario file composes them (a
        measure replacing one of the package that is left out replaces nothing: ``compose(..., package=...)``)."""
        from ..scenario_inheritance import compose

        problems: list[str] = []
        measures = compose(self.inherited, chosen, problems, package=self.own)
        if problems:
            raise UsageError("\n".join(dict.fromkeys(problems)))
        return measures

    def warnings(self, chosen: list[Measure], measures: tuple[Measure, ...] | None = None) -> list[str]:
        """What ``framtid validate`` and ``framtid run`` would warn of in a scenario of these measures (overlaps,
        values beyond range, what replaces and end_year do, ...: ``measures.scenario_checks``); ``measures``: their
        composition, when made already."""
        import dataclasses

        from ..cordons import using
        from ..measures.scenario_checks import scenario_warnings

        in_force = self.composed(chosen) if measures is None else measures
        with using(self.scenario.cordons):
            return scenario_warnings(dataclasses.replace(self.scenario, measures=in_force, own=tuple(chosen)))

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

    def run(self, chosen: list[Measure], uncertain: bool = False, measures: tuple[Measure, ...] | None = None):
        """The finished model of the package's scenario with only ``chosen`` of its measures: one draw at the
        default parameter values, or with ``uncertain`` the explorer's ensemble of sampled draws; ``measures``:
        their composition, when made already."""
        from ..parameters import Params
        from ..simulation import run_variants

        measures = self.composed(chosen) if measures is None else measures
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
            kept = [m for _, _, m in chosen]
            in_force = self.composed(kept)
            t0 = time.perf_counter()
            model = self.run(kept, uncertain, in_force)
            seconds = time.perf_counter() - t0
            out = summarise(model)
            out["warnings"] = self.warnings(kept, in_force)
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
        check_area(area)
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
                "totals": {k: band(v) for k, v in totals.items()},
                "against_base": {k: band(totals[k] - totals["base"]) for k in ("choice", "package")},
                "summed_against_base": {k: summed(totals[k] - totals["base"]) for k in ("choice", "package")},
                "indicators": indexed_to_base({k: r["indicators"][area] for k, r in runs.items()},
                                               {k: r["car_vkm_resident"][area] for k, r in runs.items()}),
                "targets": target_rows({k: r["targets"] for k, r in runs.items()}, area)}


    def effects(self, choice: dict | None, area: str, year: int = 2030) -> dict:
        """What each measure of the package, and each the choice adds, does within the choice, in ``area`` and
        ``year`` [kt CO2e/yr] (negative: a cut): for a measure that is on, the choice minus the choice without it
        (what it adds, last in); for one that is off, the choice with it (as edited) minus the choice (what adding it
        would do). One
        batch run of as many members as the package has measures, at the default parameter values; the values of
        a choice are kept for every area."""
        check_area(area)
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
        from ..simulation import run_variants

        on = {i: m for i, _, m in chosen}
        every = {i: m for i, _, m in every_chosen}
        variants = [list(on.values())]                                  # member 0: the choice itself
        variants += [[every[j] for j in sorted(set(on) ^ {i})] for i in range(len(every))]
        model = run_variants(self.scenario, [self.composed(v) for v in variants])
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
