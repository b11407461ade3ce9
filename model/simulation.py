"""The simulation: one Mesa model, one scenario, years 2009-2050 in a fixed order.

Each year:
  1. drivers (population, heating degree days) and the year's lever values;
  2. municipalities take stock of their distance to target;
  3. land use allocates growth over zone types;
  4. household cohorts choose modes and new cars;
  5. stocks move on (fleets, buildings, landfills) — from 2010;
  6. transport, buildings, waste, energy supply and the other sectors account;
  7. everything is written into preallocated arrays.

The base year is calibrated first (``calibration.py``): every submodel is set up
once with unit factors under the 2009 policies, its 2009 emissions are compared
with the inventory, and the submodels are set up again with the factors.
"""

from __future__ import annotations

import functools

import numpy as np

from . import base_year, calibration, dims, levers
from .mesa_core import Agent, Model
from .agents import HouseholdCohort, Municipality
from .data_store import observations
from .errors import DataError
from .measures import lever_paths
from .parameters import Params
from .results import ACTIVITY, empty_record
from .scenario import Scenario, builtin_path, load
from .submodels import (buildings, energy_supply, land_use, other_sectors, population, transport,
                        waste)

YEARS = np.array(dims.YEARS)
SUBMODEL_SOURCES = ("transport", "buildings", "waste", "energy_supply", "other_sectors")


@functools.lru_cache(maxsize=8)
def _base_levers(n_draws: int) -> dict[str, np.ndarray]:
    policy = load(builtin_path("policies-2009"))
    return levers.year_slice(lever_paths(list(policy.measures), YEARS[:1], n_draws), 0)


def base_levers(n_draws: int) -> dict[str, np.ndarray]:
    """Lever values of the policies in force in 2009, the world the inventory observed."""
    return {k: v.copy() for k, v in _base_levers(n_draws).items()}


def _targets() -> dict[str, tuple[int, int, float]]:
    """Each municipality's emission target with a stated base year (latest target year first)."""
    out = {}
    for o in observations():
        if o.variable.startswith("target.emissions_change_vs_") and o.municipality in dims.MUNICIPALITIES:
            base = o.variable.rsplit("_", 1)[1]
            if base.isdigit() and (o.municipality not in out or o.year > out[o.municipality][1]):
                out[o.municipality] = (int(base), o.year, o.value)
    return out


def population_paths(inputs: base_year.BaseInputs, params: Params, anchors: dict) -> np.ndarray:
    path = population.project_population(inputs.population_years, inputs.population_observed, YEARS,
                                         params["land_use.population_growth_long_run"],
                                         params["land_use.population_convergence_years"])
    if anchors:
        idx = {dims.MUNICIPALITIES.index(m): a for m, a in anchors.items()}
        path = population.apply_anchors(path, YEARS, int(inputs.population_years[-1]), idx)
    return path


def degree_days(hdd_normal: np.ndarray, params: Params) -> np.ndarray:
    """Heating degree days per year [K d/yr], (D, M, T): the normal in 2009, then a warming trend.

    HDD(t) = HDD_normal * (1 + g)^(t - 2009), g = ``buildings.hdd_trend`` (negative: fewer degree days).
    """
    growth = (1.0 + params["buildings.hdd_trend"][:, None]) ** (YEARS[None, :] - dims.BASE_YEAR)   # (D, T)
    return hdd_normal[None, :, None] * growth[:, None, :]


class FramtidModel(Model):
    """One scenario run over all 13 municipalities."""

    def __init__(self, scenario: Scenario, params: Params, seed: int = 0,
                 inputs: base_year.BaseInputs | None = None):
        super().__init__(seed=seed)
        self.scenario = scenario
        self.params = params
        self.n_draws = params.n_draws
        self.inputs = inputs or base_year.load()
        self.population = population_paths(self.inputs, params, scenario.population_anchors)  # (D, M, T)
        self.hdd = degree_days(self.inputs.hdd_normal, params)                                # (D, M, T)
        self.lever_paths = lever_paths(list(scenario.measures), YEARS, self.n_draws)
        self.levers_now: dict[str, np.ndarray] = {}
        self.record = empty_record(len(YEARS), self.n_draws)
        self.gwp = None
        self.calibration = self._calibrate()
        self.state = self._init_states(self.calibration)
        targets = _targets()
        for i in range(len(dims.MUNICIPALITIES)):
            Municipality(self, i, targets.get(dims.MUNICIPALITIES[i]))
        for m in range(len(dims.MUNICIPALITIES)):
            for z in range(len(dims.ZONES)):
                HouseholdCohort(self, m, z)
        self.choices: dict[str, np.ndarray] = {}
        self.year_index = 0

    # -- set-up -------------------------------------------------------------------------------
    def _init_states(self, cal: calibration.Calibration | None) -> dict:
        """Set up every submodel for 2009: bottom-up (``cal`` None) or calibrated."""
        p, inp = self.params, self.inputs
        factors = cal.as_dict() if cal is not None else None
        d = self.n_draws
        pop0 = self.population[:, :, 0]
        zone_share = np.broadcast_to(inp.zone_share, (d,) + inp.zone_share.shape)
        lu = land_use.init_state(pop0, zone_share, p)
        lu_out = land_use.account(lu, p, dims.BASE_YEAR)
        tr = transport.init_state(pop0, lu_out["zone_population"], lu_out["trip_length_factor"], lu_out["jobs"],
                                  inp.mode_shares, inp.cars_per_capita, inp.car_powertrain_share, p, factors)
        tr = transport.set_base_levers(tr, base_levers(d), p)
        apartment = land_use.apartment_share(zone_share, land_use.zone_vector(p, "land_use.stock_apartment_share"))
        bu = buildings.init_state(pop0, apartment, inp.hdd_normal, inp.gas_lpg_share, p, factors)
        wa = waste.init_state(pop0, np.broadcast_to(inp.waste_per_capita, (d, len(dims.MUNICIPALITIES))),
                              np.broadcast_to(inp.treatment_shares, (d,) + inp.treatment_shares.shape), p, factors)
        base = base_levers(d)
        w_out = waste.account(wa, pop0, base, p, dims.BASE_YEAR)
        b_out = buildings.account(bu, self.hdd[:, :, 0], base, p, dims.BASE_YEAR)
        es = energy_supply.init_state(w_out["incineration_fossil_co2"], b_out["district_heat_demand"], p,
                                      cal.levels_of(energy_supply.SOURCES) if cal is not None else None)
        ot = other_sectors.init_state(pop0[0], p, cal.levels_of(other_sectors.SOURCES) if cal is not None else None)
        return {"land_use": lu, "transport": tr, "buildings": bu, "waste": wa, "energy_supply": es,
                "other_sectors": ot}

    def _calibrate(self) -> calibration.Calibration:
        """Bottom-up 2009 under the 2009 policies, then factors that reproduce the inventory."""
        state = self._init_states(None)
        outputs = self._account(state, 0, base_levers(self.n_draws))
        profiles = np.zeros((self.n_draws, len(dims.SOURCES), len(dims.GASES)))
        profiles[:, :, 0] = 1.0   # modelled sources always have a bottom-up estimate; CO2 is a placeholder
        for s in energy_supply.SOURCES + other_sectors.SOURCES:
            profiles[:, dims.SOURCES.index(s)] = other_sectors.gas_profile(self.params, s)
        cal = calibration.calibrate(self._emission_array(outputs), self.params, unit_profiles=profiles)
        level_sources = set(energy_supply.SOURCES + other_sectors.SOURCES)
        for s_idx, source in enumerate(dims.SOURCES):
            bad = np.isnan(cal.factors[:, :, s_idx]).any(axis=0)
            if source not in level_sources and bad.any():
                where = ", ".join(m for m, b in zip(dims.MUNICIPALITIES, bad) if b)
                raise DataError(f"cannot calibrate {source} in {where}: the inventory reports it but the "
                                "submodel estimates zero in 2009; check the base-year drivers")
        return cal

    # -- yearly steps ---------------------------------------------------------------------------
    def _account(self, state: dict, k: int, lv: dict, land_use_out: dict | None = None) -> dict:
        p, year = self.params, int(YEARS[k])
        pop = self.population[:, :, k]
        out = {"drivers": {"population": pop}}
        out["land_use"] = land_use_out if land_use_out is not None else land_use.account(state["land_use"], p, year)
        out["transport"] = transport.account(state["transport"], lv, p, year)
        out["buildings"] = buildings.account(state["buildings"], self.hdd[:, :, k], lv, p, year)
        out["waste"] = waste.account(state["waste"], pop, lv, p, year)
        out["energy_supply"] = energy_supply.account(
            state["energy_supply"], out["waste"]["incineration_fossil_co2"],
            out["buildings"]["district_heat_demand"], lv, p, year)
        out["other_sectors"] = other_sectors.account(state["other_sectors"], p, year)
        return out

    @staticmethod
    def _emission_array(outputs: dict) -> np.ndarray:
        """Collect every submodel's emissions into (D, M, S, G) over ``dims.SOURCES``."""
        by_source = {}
        for name in SUBMODEL_SOURCES:
            by_source.update(outputs[name]["emissions"])
        missing = set(dims.SOURCES) - set(by_source)
        if missing:
            raise RuntimeError(f"no submodel produced source(s) {', '.join(sorted(missing))}")
        return np.stack([by_source[s] for s in dims.SOURCES], axis=2)

    def total_emissions(self, m: int, year: int) -> np.ndarray:
        """Recorded total of municipality ``m`` in ``year`` [t CO2e/yr] (D,), in the scenario's GWP."""
        gas = self.record["emissions_gas"][year - dims.BASE_YEAR, :, m]       # (D, S, G)
        return (gas.sum(axis=1) * self.gwp).sum(axis=-1)

    def step(self) -> None:
        k = self.year_index
        year = int(YEARS[k])
        p, st = self.params, self.state
        # The base year is the observed world: it is accounted under the 2009 policies
        # whatever the scenario says, so every scenario starts from the calibrated
        # inventory and its measures act from 2010 on.
        self.levers_now = base_levers(self.n_draws) if k == 0 else levers.year_slice(self.lever_paths, k)
        lv = self.levers_now
        pop = self.population[:, :, k]
        if k > 0:
            self.agents_by_type[Municipality].do("deliberate", year)
            st["land_use"] = land_use.advance(st["land_use"], pop, lv, p, year)
        lu_out = land_use.account(st["land_use"], p, year)
        self.choices = HouseholdCohort.decide_all(self, year)
        if k > 0:
            st["transport"] = transport.advance(st["transport"], pop, lu_out["zone_population"],
                                                lu_out["trip_length_factor"], lu_out["jobs"],
                                                self.choices["modes"], self.choices["cars"], lv, p, year)
            st["buildings"] = buildings.advance(st["buildings"], pop, lu_out["new_dwelling_apartment_share"],
                                                lv, p, year)
            st["waste"] = waste.advance(st["waste"], pop, lv, p, year)
        outputs = self._account(st, k, lv, lu_out)
        self._record(k, outputs)
        self.year_index += 1
        if self.year_index == len(YEARS):
            self.running = False

    def _record(self, k: int, outputs: dict) -> None:
        rec = self.record
        for v in ACTIVITY:
            rec[v.name][k] = outputs[v.submodel][v.key]
        rec["emissions_gas"][k] = self._emission_array(outputs)
        for agent in self.agents_by_type[Municipality]:
            rec["target_gap"][k, :, agent.index] = agent.target_gap

    def release(self) -> None:
        """Forget this model in Mesa's class-level id counters.

        Mesa 3.3 keeps every model alive through ``Agent._ids``; dropping ours lets
        repeated runs (ensembles, attribution) and models built only for their
        calibration be garbage-collected.
        """
        Agent._ids.pop(self, None)

    def run(self) -> dict[str, np.ndarray]:
        from .accounting import gwp_vector

        self.gwp = gwp_vector(self.params, self.scenario.gwp)
        try:
            while self.running:
                self.step()
        finally:
            self.release()
        return self.record
