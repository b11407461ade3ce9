"""The simulation: one Mesa model, one scenario, years 2009-2050 in a fixed order.

Each year:
  1. drivers (population, heating degree days) and the year's lever values;
  2. municipalities take stock of their distance to target and decide which measures on
     their agenda to adopt (``adoption.py``);
  3. the submodels in their order (``submodels.submodels()``: land use, transport,
     buildings, waste, energy supply, other sectors), each through one protocol: the
     agents it needs decide (household cohorts choose modes and new cars), its stocks
     move on (from 2010), it accounts;
  4. everything is written into preallocated arrays (float64, or float32 with ``precision="single"``:
     the model computes in float64 either way, only the record is rounded).

The base year is calibrated first (``calibration.py``): every submodel is set up
once with unit factors under the 2009 policies, its 2009 emissions are compared
with the inventory, and the submodels are set up again with the factors (from their
bottom-up states where they can: the protocol in ``submodels/__init__.py``).
"""

from __future__ import annotations

import functools

import numpy as np

from . import adoption, base_year, calibration, dims, levers, prices
from .accounting import gwp_vector
from .mesa_core import Agent, Model
from .agents import HouseholdCohort, Municipality
from .measures import lever_paths
from .errors import DataError
from .evaluation.target_data import municipal_targets
from .parameters import Params
from .results import ACTIVITY, empty_record, record_dtype
from .cordons import cordon_ids, cordons, hour_rule_pairs, owner_of, using
from .scenario import Scenario, load
from .scenario_inheritance import builtin_path
from .submodels import Context, energy_supply, other_sectors, population, submodels

YEARS = np.array(dims.YEARS)


@functools.lru_cache(maxsize=8)
def _base_levers(n_draws: int, cordons: tuple[str, ...]) -> dict[str, np.ndarray]:
    # keyed on the cordon axis: a scenario's own cordons (neutral in 2009) lengthen it
    policy = load(builtin_path("policies-2009"))
    return levers.year_slice(lever_paths(list(policy.measures), YEARS[:1], n_draws), 0)


def base_levers(n_draws: int) -> dict[str, np.ndarray]:
    """Lever values of the policies in force in 2009, the world the inventory observed (read-only
    arrays shared by every run: the submodels read levers, never write them)."""
    levers_2009 = _base_levers(n_draws, cordon_ids())
    for v in levers_2009.values():
        v.flags.writeable = False
    return dict(levers_2009)


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


def _piece_key(m) -> tuple:
    # One measure piece whatever list it came in: ``compose`` makes new objects for the pieces a
    # replacement ends, equal in these fields across the lists of a batch.
    return (m.origin, m.kind, m.label, m.municipalities, m.start_year, m.ramp_years, m.end_year, m.adoption)


def variant_paths(variants, n_years: int | None = None) -> dict[str, np.ndarray]:
    """Lever paths (T, V, M, *axes) of V measure lists in one pass: member v of the batch axis runs
    ``variants[v]``. Each distinct measure is applied once, acting only in the members that hold it,
    so member v equals ``lever_paths(variants[v])`` exactly."""
    pieces: dict[tuple, object] = {}
    members: dict[tuple, np.ndarray] = {}
    for v, measures in enumerate(variants):
        for m in measures:
            key = _piece_key(m)
            pieces.setdefault(key, m)
            members.setdefault(key, np.zeros(len(variants), dtype=bool))[v] = True
    keys = list(pieces)
    masks = {i: members[k] for i, k in enumerate(keys) if not members[k].all()}
    return lever_paths([pieces[k] for k in keys], YEARS, len(variants), masks)


def run_variants(scenario: Scenario, variants, seed: int = 0, params: Params | None = None) -> "FramtidModel":
    """Run V measure lists of one scenario (its parameters, anchors and GWP) as one batch run: member v
    of the batch ("draw") axis holds ``variants[v]``, at the default parameter values or at row v of
    ``params`` (V draws, e.g. ``Params.take`` of a sample). Returns the finished model; ``model.record``
    arrays are (T, V, M, ...). Adaptive measures cannot take part (their adoption depends on the run)."""
    from .errors import UsageError

    variants = [tuple(v) for v in variants]
    if not variants:
        raise UsageError("run_variants needs at least one list of measures")
    adaptive = sorted({m.label for v in variants for m in v if m.adoption == "adaptive"})
    if adaptive:
        raise UsageError(f"adaptive measures cannot be run as fixed variants ({', '.join(adaptive)}); "
                         "write them without adoption = \"adaptive\" to attribute them")
    if params is None:
        params = Params.defaults(len(variants), scenario.parameters)
    elif params.n_draws != len(variants):
        raise ValueError(f"run_variants: {len(variants)} variants but {params.n_draws} rows of parameters")
    with using(scenario.cordons):
        paths = variant_paths(variants)
    model = FramtidModel(scenario, params, seed=seed, paths=paths)
    model.run()
    return model


class FramtidModel(Model):
    """One scenario run over all 13 municipalities."""

    def __init__(self, scenario: Scenario, params: Params, seed: int = 0,
                 inputs: base_year.BaseInputs | None = None, paths: dict[str, np.ndarray] | None = None,
                 precision: str = "double", through: str | None = None, recorded: tuple[str, ...] | None = None):
        """``paths``: lever paths to run instead of the scenario's measures (no measure is then
        adaptive; the appraisal of adaptive measures runs this way). ``precision``: "double" records
        float64, "single" float32 (the model computes in float64 either way). ``through``: a submodel's
        name; each year then runs only the submodels up to it in the order of the year (set-up and
        calibration are whole) and records only their activity variables and population (no emissions;
        cordon passages stay NaN): for a run read
        for one submodel's results (the history fit reads transport's new cars), which are the same as
        in a whole run, as no submodel reads one after it. Refused with adaptive measures, which decide
        on every sector's emissions. ``recorded``: with ``through``, the only variables recorded (the history fit
        reads two; the others' arrays of every year and draw cost their memory and the time to fill them)."""
        dtype = record_dtype(precision)        # refuse an unknown precision before any work
        super().__init__(seed=seed)
        with using(scenario.cordons):   # the scenario's own cordons are on the toll lever's axis
            self._set_up(scenario, params, seed, inputs, paths, precision, dtype, through, recorded)

    def _through(self, name: str | None) -> tuple:
        """The submodels of the year up to and including ``name`` (every one for None)."""
        if name is None:
            return self.submodels
        names = [sm.name for sm in self.submodels]
        if name not in names:
            raise ValueError(f"through: unknown submodel {name!r}; allowed: {', '.join(names)}")
        if self.agenda.adaptive:
            raise ValueError("through: adaptive measures decide on every sector's emissions; run the whole year")
        return self.submodels[:names.index(name) + 1]

    def _set_up(self, scenario: Scenario, params: Params, seed: int, inputs: base_year.BaseInputs | None,
                paths: dict[str, np.ndarray] | None, precision: str, dtype, through: str | None = None,
                recorded: tuple[str, ...] | None = None) -> None:
        self.precision = precision
        self.seed_value = seed
        self.years = YEARS
        self.scenario = scenario
        self.params = params
        self.n_draws = params.n_draws
        self.inputs = inputs or base_year.load()
        self.population = population_paths(self.inputs, params, scenario.population_anchors)  # (D, M, T)
        self.hdd = degree_days(self.inputs.hdd_normal, params)                                # (D, M, T)
        self.prices = prices.price_paths(params)                                               # real 2009 NOK
        self.agenda = adoption.Agenda.of(scenario.measures if paths is None else (), self.n_draws)
        self.lever_paths = self.agenda.lever_paths(YEARS) if paths is None else paths
        self.levers_now: dict[str, np.ndarray] = {}
        self.submodels = submodels()
        self.stepped = self._through(through)
        self.partial = through is not None      # (through the last submodel steps them all, still recording less)
        # What a run recording some variables alone reads of its last submodel, which no submodel after it reads:
        # that submodel may account those alone (transport its fleet, for the history fit).
        last = self.stepped[-1].name
        self.reads = None if recorded is None or not self.partial else {
            last: frozenset(v.key for v in ACTIVITY if v.submodel == last and v.name in recorded)}
        self.record = empty_record(len(YEARS), self.n_draws, dtype,
                                   None if through is None else {"drivers"} | {sm.name for sm in self.stepped},
                                   recorded)
        # Passages by cordon: the cordons of this scenario (the embedded ones and its own), so not in the
        # per-municipality schema of empty_record.
        self.cordons = cordon_ids()
        self.cordon_owner = np.array([dims.MUNICIPALITIES.index(owner_of(c)) for c in self.cordons], dtype=int)
        by_cordon = np.full((len(YEARS), self.n_draws, len(self.cordons), len(dims.PERIODS)), np.nan, dtype=dtype)
        if recorded is None:
            self.record["cordon_passages"] = by_cordon
        # The light vehicles' toll per passage at each cordon (the owner's fleet average; 0 where it does not
        # charge), and the passages per day the hour rules waive with their toll, by pair of cordons: the users'
        # loss of a toll is taken cordon by cordon on these (costs_transport.toll_line_loss). Kept apart from the
        # record of result variables, whose axes after the draw are the municipalities'.
        pairs = np.array(hour_rule_pairs(cordons()), dtype=int).reshape(-1, 2)
        self.pair_owner = self.cordon_owner[pairs[:, 0]]
        # (a run recording some variables alone records no passages: their array serves for the prices, unwritten)
        price = by_cordon if recorded is not None else np.full_like(by_cordon, np.nan)
        self.cordon_record = {"cordon_price": price} | {
            name: np.full((len(YEARS), self.n_draws, len(pairs), len(dims.PERIODS)), np.nan, dtype=dtype)
            for name in ("waived_passages", "waived_price")}
        # Totals [t CO2e/yr] (T, D, M) in float64 from the unrounded emissions: what the municipalities
        # decide on is the same whatever the record precision.
        self.totals = np.full((len(YEARS), self.n_draws, len(dims.MUNICIPALITIES)), np.nan)
        self.gwp = gwp_vector(params, scenario.gwp)
        self.calibration, bottom_up = self._calibrate()
        self.state = self._init_states(self.calibration, bottom_up)[0]
        targets = municipal_targets()   # the municipalities' own targets (evaluation/targets.py)
        for i in range(len(dims.MUNICIPALITIES)):
            Municipality(self, i, targets.get(dims.MUNICIPALITIES[i]))
        for m in range(len(dims.MUNICIPALITIES)):
            for z in range(len(dims.ZONES)):
                HouseholdCohort(self, m, z)
        self.deciders = {"HouseholdCohort": HouseholdCohort}
        self.choices: dict[str, dict] = {}
        self.year_index = 0
        if self.agenda.adaptive:
            adoption.check_parameters(params)
            self.agenda.appraisal = adoption.appraise(self)

    # -- set-up -------------------------------------------------------------------------------
    def context(self, k: int, lv: dict, cal: calibration.Calibration | None = None) -> Context:
        """What the submodels may read in year ``k`` under levers ``lv``."""
        return Context(year=int(YEARS[k]), k=k, params=self.params, inputs=self.inputs,
                       population=self.population[:, :, k], hdd=self.hdd[:, :, k], levers=lv,
                       base_levers=base_levers(self.n_draws), prices=self.prices, calibration=cal,
                       lever_paths=getattr(self, "lever_paths", None) if k > 0 else None,
                       partial=self.partial)

    def _init_states(self, cal: calibration.Calibration | None,
                     bottom_up: dict | None = None) -> tuple[dict, Context]:
        """Set up every submodel for 2009, accounting each under the 2009 policies so the next can read
        its outputs: bottom-up when ``cal`` is None, else calibrated; then a submodel with the optional
        ``calibrated`` makes its state from its ``bottom_up`` one, where given (``submodels/__init__.py``).

        The bottom-up states are taken out of ``bottom_up`` as they are used: the submodel then holds
        the only reference and may let go of parts of it before it builds the calibrated state.
        """
        ctx = self.context(0, base_levers(self.n_draws), cal)
        ctx.outputs["drivers"] = {"population": ctx.population}
        states = {}
        for sm in self.submodels:
            if bottom_up is not None and hasattr(sm, "calibrated"):
                states[sm.name] = sm.calibrated(bottom_up.pop(sm.name), ctx)
            else:
                states[sm.name] = sm.init_state(ctx)
            ctx.outputs[sm.name] = sm.account(states[sm.name], ctx)
        return states, ctx

    def _calibrate(self) -> tuple[calibration.Calibration, dict]:
        """Bottom-up 2009 under the 2009 policies, then factors that reproduce the inventory; returns
        them and the bottom-up states."""
        bottom_up, ctx = self._init_states(None)
        profiles = np.zeros((self.n_draws, len(dims.SOURCES), len(dims.GASES)))
        profiles[:, :, 0] = 1.0   # modelled sources always have a bottom-up estimate; CO2 is a placeholder
        for s in energy_supply.SOURCES + other_sectors.SOURCES:
            profiles[:, dims.SOURCES.index(s)] = other_sectors.gas_profile(self.params, s)
        cal = calibration.calibrate(self._emission_array(ctx.outputs), self.params, unit_profiles=profiles)
        level_sources = set(energy_supply.SOURCES + other_sectors.SOURCES)
        for s_idx, source in enumerate(dims.SOURCES):
            bad = np.isnan(cal.factors[:, :, s_idx]).any(axis=0)
            if source not in level_sources and bad.any():
                where = ", ".join(m for m, b in zip(dims.MUNICIPALITIES, bad) if b)
                raise DataError(f"cannot calibrate {source} in {where}: the inventory reports it but the "
                                "submodel estimates zero in 2009; check the base-year drivers")
        return cal, bottom_up

    # -- yearly steps ---------------------------------------------------------------------------
    def _emissions_by_source(self, outputs: dict) -> list[np.ndarray]:
        """Every submodel's emissions (D, M, G) [t gas/yr], in the order of ``dims.SOURCES``."""
        by_source = {}
        for sm in self.submodels:
            if sm.emits:
                by_source.update(outputs[sm.name]["emissions"])
        missing = set(dims.SOURCES) - set(by_source)
        if missing:
            raise RuntimeError(f"no submodel produced source(s) {', '.join(sorted(missing))}")
        return [by_source[s] for s in dims.SOURCES]

    def _emission_array(self, outputs: dict) -> np.ndarray:
        """Collect every submodel's emissions into (D, M, S, G) over ``dims.SOURCES``."""
        return np.stack(self._emissions_by_source(outputs), axis=2)

    def total_emissions(self, m: int, year: int) -> np.ndarray:
        """Total of municipality ``m`` in ``year`` [t CO2e/yr] (D,), in the scenario's GWP (NaN
        before the year is recorded)."""
        return self.totals[year - dims.BASE_YEAR, :, m]

    def emission_totals(self, k: int | None = None) -> np.ndarray:
        """Totals [t CO2e/yr] in the scenario's GWP, float64 whatever the record precision: (T, D, M),
        or (D, M) in year index ``k`` (NaN before the year is recorded)."""
        return self.totals if k is None else self.totals[k]

    def _weigh(self, by_source: list[np.ndarray]) -> np.ndarray:
        """Totals [t CO2e/yr] (D, M) of emissions by source (D, M, G) [t/yr], summed in float64."""
        gas = by_source[0].astype(float)             # a copy, summed into source by source
        for emissions in by_source[1:]:
            gas += emissions
        return (gas * self.gwp[:, None, :]).sum(axis=-1)

    def step(self) -> None:
        with using(self.scenario.cordons):
            self._step()

    def _step(self) -> None:
        k = self.year_index
        year = int(YEARS[k])
        # The base year is the observed world: it is accounted under the 2009 policies
        # whatever the scenario says, so every scenario starts from the calibrated
        # inventory and its measures act from 2010 on.
        if k > 0 and not self.partial:
            # Municipalities decide first, on last year's state; what they adopt acts from this year.
            self.agents_by_type[Municipality].do("deliberate", year)
            if self.agenda.adaptive:
                adopted = Municipality.decide_adoptions(self, year)
                if adopted.any():
                    self.agenda.adopted[adopted] = year
                    self.lever_paths = self.agenda.lever_paths(YEARS)
        self.levers_now = base_levers(self.n_draws) if k == 0 else levers.year_slice(self.lever_paths, k)
        ctx = self.context(k, self.levers_now)
        ctx.reads = self.reads
        ctx.outputs["drivers"] = {"population": ctx.population}
        for sm in self.stepped:
            if sm.decided_by is not None:
                ctx.choices[sm.name] = self.deciders[sm.decided_by].decide_all(self, sm, self.state[sm.name], ctx)
            if k > 0:
                self.state[sm.name] = sm.advance(self.state[sm.name], ctx)
            ctx.outputs[sm.name] = sm.account(self.state[sm.name], ctx)
        self.choices = ctx.choices
        self._record(k, ctx.outputs)
        self.year_index += 1
        if self.year_index == len(YEARS):
            self.running = False

    def _record(self, k: int, outputs: dict) -> None:
        rec = self.record
        for v in ACTIVITY:
            if v.name in rec:        # a partial run (``through``) records its submodels' variables alone
                rec[v.name][k] = outputs[v.submodel][v.key]
        if self.partial:
            return
        by_source = self._emissions_by_source(outputs)
        gas = rec["emissions_gas"][k]                       # (D, M, S, G)
        for i, emissions in enumerate(by_source):
            gas[:, :, i] = emissions                        # rounded to the record's precision
        self.totals[k] = self._weigh(by_source)
        for agent in self.agents_by_type[Municipality]:
            rec["target_gap"][k, :, agent.index] = agent.target_gap
        rec["cordon_passages"][k] = outputs["transport"]["cordon_passages"]
        for name, values in self.cordon_record.items():
            values[k] = outputs["transport"][name]

    def release(self) -> None:
        """Forget this model in Mesa's class-level id counters.

        Mesa 3.3 keeps every model alive through ``Agent._ids``; dropping ours lets
        repeated runs (ensembles, attribution) and models built only for their
        calibration be garbage-collected.
        """
        Agent._ids.pop(self, None)

    def dispose(self) -> None:
        """Release the model and break its reference cycles, so that it and everything it holds are freed as
        soon as nobody else refers to them; the model cannot be used afterwards.

        A model sits in cycles (its agents refer to it and it to them; Mesa keeps the step method it wraps in
        an attribute) that only Python's cyclic collector frees, and that collector runs on counts of objects,
        not on memory: a loop of runs held several GB. A full collection after each run frees them but walks
        every object of the process, which costs little in a command (about 10 ms) and 0.15 s a time in a long
        process holding many objects (a test session); emptying the model's attributes frees it at once for
        what a reference count costs. Arrays taken from the model before (its record) stay valid.
        """
        self.release()
        self.__dict__.clear()   # the agents, referred to by nothing else, go with it

    def run(self) -> dict[str, np.ndarray]:
        try:
            while self.running:
                self.step()
        finally:
            self.release()
        return self.record
