"""The framtid model as a function of the unit hypercube, for the sensitivity analysis: the output
looked at (:class:`Output`, parsed from ``--output`` by :func:`output`), the parameters varied
(:func:`select_parameters`), the mapping of probabilities to parameter values (:func:`unit_to_values`)
and the batch runs along the draw axis (:func:`run_chunk`, :class:`ModelEvaluator`), serially or on
Dask."""

from __future__ import annotations

import difflib
import functools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .. import dims
from ..errors import FramtidError, UsageError, did_you_mean

CHUNK_DRAWS = 256            # draws per batch run: ~0.7 GB peak, 3.6-4.7 s on one free core (measured)
DEFAULT_YEAR = 2030


# Recorded variables that are ratios per municipality (shares, factors, coefficients): summing them
# over municipalities or over their own extra axis means nothing, so they need --municipality and
# one label per extra axis.
RATIOS = frozenset({"sealed_share", "mean_trip_length_factor", "mode_share", "new_car_share",
                    "bev_share_of_car_stock", "heating_system_share", "sealed_surface_share",
                    "green_roof_share", "runoff_coefficient"})
# Flows that add over municipalities but not over their extra axis (peak flows of different
# return periods are different design cases).
NOT_SUMMED_OVER_EXTRA = frozenset({"design_peak_flow"})


@dataclass(frozen=True)
class Output:
    """What a sensitivity analysis looks at: one number per run.

    ``name`` is ``emissions`` (t CO2e per year in the scenario's GWP set, summed over sources or
    one inventory sector or sector group) or a recorded variable of
    :data:`framtid.model.results.ACTIVITY` (summed over its extra axes, or at one label of each);
    ``municipality`` None means the 13 together."""

    name: str
    labels: tuple[str, ...]
    municipality: str | None
    year: int
    unit: str
    description: str

    @property
    def label(self) -> str:
        what = self.name + (":" + ",".join(self.labels) if self.labels else "")
        where = self.municipality or "all 13 municipalities"
        return f"{what} in {where}, {self.year}"

    def __call__(self, model) -> np.ndarray:
        """The output of each draw of a finished run, shape (D,)."""
        k = self.year - dims.BASE_YEAR
        if self.name == "emissions":
            from ..accounting import sectors_from_sources

            gas = model.record["emissions_gas"][k]                                  # (D, M, S, G)
            by_source = (gas * model.gwp[:, None, None, :]).sum(axis=-1)            # (D, M, S)
            if self.labels:
                by_sector = sectors_from_sources(by_source, -1)                     # (D, M, sectors)
                picked = dims.SECTOR_GROUPS.get(self.labels[0], (self.labels[0],))
                values = by_sector[:, :, [dims.SECTORS.index(s) for s in picked]].sum(axis=-1)
            else:
                values = by_source.sum(axis=-1)
        else:
            from ..results import COORDS

            values = model.record[self.name][k]                                     # (D, M, *extra)
            var = _variable(self.name)
            for axis, label in zip(var.extra, self.labels):
                values = values[:, :, list(COORDS[axis]).index(label)]
            values = values.reshape(values.shape[:2] + (-1,)).sum(axis=-1)
        if self.municipality is not None:
            return values[:, dims.MUNICIPALITIES.index(self.municipality)]
        return values.sum(axis=1)


def _variable(name: str):
    from ..results import ACTIVITY

    return next(v for v in ACTIVITY if v.name == name)


def allowed_outputs() -> list[str]:
    """The names ``--output`` accepts, with the labels some of them need (``NAME:AXIS``)."""
    from ..results import ACTIVITY

    out = ["emissions", "emissions:SECTOR"]
    for v in ACTIVITY:
        if v.extra and (v.name in RATIOS or v.name in NOT_SUMMED_OVER_EXTRA):
            out.append(f"{v.name}:{','.join(a.upper() for a in v.extra)}")
        else:
            out.append(v.name + (f"[:{','.join(a.upper() for a in v.extra)}]" if v.extra else ""))
    return out


def output(text: str, municipality: str | None = None, year: int = DEFAULT_YEAR) -> Output:
    """Parse and check ``--output NAME[:LABEL[,LABEL]]``, ``--municipality`` and ``--year``.

    ``emissions`` [t CO2e yr-1]: all sources; ``emissions:SECTOR``: one inventory sector or a sector
    group (``road_traffic``). An ACTIVITY variable is summed over its extra axes and over the
    municipalities, or taken at one label of each extra axis (``pkm:bicycle``); shares and factors
    need ``--municipality`` and, with an extra axis, a label of each (``mode_share:bicycle``)."""
    from ..results import ACTIVITY, COORDS

    if municipality is not None and municipality not in dims.MUNICIPALITIES:
        raise UsageError(f"--municipality: unknown id {municipality!r}; "
                         f"{did_you_mean(municipality, dims.MUNICIPALITIES)}allowed: {', '.join(dims.MUNICIPALITIES)}")
    if not dims.BASE_YEAR <= year <= dims.FINAL_YEAR:
        raise UsageError(f"--year: must lie in {dims.BASE_YEAR}-{dims.FINAL_YEAR} (got {year})")
    name, colon, rest = text.strip().partition(":")
    labels = tuple(x.strip() for x in rest.split(",")) if rest else ()
    if (colon and not rest.strip()) or any(not x for x in labels):
        raise UsageError(f"--output {text}: an empty label; write NAME, or NAME:LABEL[,LABEL] with each label named")
    variables = {v.name: v for v in ACTIVITY}
    if name == "emissions":
        sectors = list(dims.SECTORS) + list(dims.SECTOR_GROUPS)
        if len(labels) > 1 or (labels and labels[0] not in sectors):
            raise UsageError(f"--output {text}: emissions takes one sector or sector group; allowed: "
                             f"{', '.join(sectors)}")
        what = f"sector {labels[0]}" if labels else "all sources"
        return Output("emissions", labels, municipality, year, "t CO2e yr-1",
                      f"territorial greenhouse-gas emissions ({what}) [t CO2e/yr]")
    var = variables.get(name)
    if var is None:
        close = difflib.get_close_matches(name, ["emissions", *variables], n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UsageError(f"--output: unknown output {name!r}{hint}; allowed: {', '.join(allowed_outputs())}")
    must_pick = var.name in RATIOS or var.name in NOT_SUMMED_OVER_EXTRA
    if labels and len(labels) != len(var.extra):
        axes = ",".join(a.upper() for a in var.extra) or "none"
        raise UsageError(f"--output {text}: {name} takes one label per axis ({axes}), got {len(labels)}")
    if must_pick and var.extra and not labels:
        axes = ",".join(a.upper() for a in var.extra)
        raise UsageError(f"--output {name}: a {'share' if var.name in RATIOS else 'value'} by "
                         f"{' and '.join(var.extra)} does not add up over them; pick one, as "
                         f"{name}:{axes} (e.g. {name}:{','.join(COORDS[a][0] for a in var.extra)})")
    for axis, label in zip(var.extra, labels):
        if label not in COORDS[axis]:
            raise UsageError(f"--output {text}: unknown {axis} {label!r}; allowed: {', '.join(COORDS[axis])}")
    if var.name in RATIOS and municipality is None:
        raise UsageError(f"--output {name}: a share or factor of each municipality does not add up over "
                         "municipalities; give --municipality")
    summed = f", sum over {' and '.join(var.extra)}" if var.extra and not labels else ""
    return Output(name, labels, municipality, year, var.units, f"{var.description}{summed} [{var.units}]")


def select_parameters(selection: str | Sequence[str] | None, specs: Mapping | None = None,
                      fixed_by_scenario: Mapping[str, float] | None = None) -> tuple[list[str], list[str]]:
    """The uncertain parameters a sensitivity analysis varies, and notes on what it left out.

    ``selection``: None or ``*`` for all; otherwise names and prefixes ending in ``*``
    (``transport.*``), comma-separated or as a list. A scenario's ``[parameters]`` are not
    uncertain in it: a prefix skips them, a name is refused, as are fixed and unknown names."""
    from .. import parameters
    from .sampling import uncertain

    specs = specs if specs is not None else parameters.table()
    fixed_by_scenario = fixed_by_scenario or {}
    pool = [n for n in uncertain(specs) if n not in fixed_by_scenario]
    if isinstance(selection, str):
        tokens = [t.strip() for t in selection.split(",")]
        if not any(tokens) or (len(tokens) > 1 and not all(tokens)):
            raise UsageError(f"--parameters {selection!r}: expected one or more comma-separated names or prefixes "
                             "(an empty item; leave --parameters out for all)")
        selection = tokens
    notes = []
    skipped = sorted(n for n in uncertain(specs) if n in fixed_by_scenario)
    if not selection or list(selection) == ["*"]:
        if skipped:
            notes.append(f"{len(skipped)} parameter(s) set by the scenario's [parameters] are not varied: "
                         f"{', '.join(skipped)}")
        return pool, notes
    picked: list[str] = []
    for token in selection:
        if token.endswith("*"):
            prefix = token[:-1]
            hits = [n for n in pool if n.startswith(prefix)]
            if not hits:
                in_table = [n for n in specs if n.startswith(prefix)]
                prefixes = sorted({n.split(".", 1)[0] + ".*" for n in pool})
                why = ("matches only parameters that are fixed or set by the scenario" if in_table
                       else "matches no parameter")
                raise UsageError(f"--parameters: {token} {why}; uncertain parameters start with "
                                 f"{', '.join(prefixes)} (see `framtid list parameters`)")
            skip = [n for n in skipped if n.startswith(prefix)]
            if skip:
                notes.append(f"set by the scenario's [parameters], not varied: {', '.join(skip)}")
            picked.extend(hits)
            continue
        if token not in specs:
            close = difflib.get_close_matches(token, list(specs), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UsageError(f"--parameters: unknown parameter {token!r}{hint} (see `framtid list parameters`; "
                             "a prefix ends in *, e.g. transport.*)")
        if token in fixed_by_scenario:
            raise UsageError(f"--parameters: {token} is set by the scenario's [parameters], so it is not "
                             "uncertain in this scenario")
        if token not in pool:
            raise UsageError(f"--parameters: {token} is not uncertain (its distribution in the parameter table is "
                             f"{specs[token].distribution!r} with range {specs[token].low:g} to "
                             f"{specs[token].high:g})")
        picked.append(token)
    # In name order (the pool's), not the order named: the sample's columns, and so the indices, follow it.
    chosen = set(picked)
    return [n for n in pool if n in chosen], notes


def unit_to_values(names: Sequence[str], u: np.ndarray, specs: Mapping | None = None,
                   alternatives: Mapping | None = None) -> dict[str, np.ndarray]:
    """Map the columns of a unit-hypercube sample ``u (n, k)`` through each parameter's inverse CDF:
    ``{name: (n,) values}`` in the parameter's unit."""
    from .. import parameters
    from .sampling import ppf

    specs = specs if specs is not None else parameters.table()
    alternatives = alternatives if alternatives is not None else parameters.alternatives()
    u = np.asarray(u, dtype=float)
    return {n: np.asarray(ppf(specs[n], u[:, j], alternatives), dtype=float) for j, n in enumerate(names)}


def correlated_groups(names: Sequence[str],
                      pairs: Mapping[tuple[str, str], float] | None = None) -> list[tuple[tuple[str, ...], np.ndarray]]:
    """The sets of ``names`` linked by declared rank correlations (``pairs``, default the parameter table's
    ``parameter_correlations.csv``), each with the target correlation of its normal scores
    (:func:`.sampling.correlation_groups`): ``[(members in name order, (k, k) matrix)]``."""
    from .. import parameters
    from .sampling import correlation_groups

    if pairs is None:
        pairs = {key: c.rank_correlation for key, c in parameters.correlation_table().items()}
    return correlation_groups(pairs, names)


def group_name(members: Sequence[str]) -> str:
    """The name of a group of correlated parameters: their common dotted prefix with the rest of each name in
    braces, ``prices.real_trend.{diesel_product,petrol_product}`` (the names alone in braces without one)."""
    parts = [m.split(".") for m in members]
    common = 0
    while all(len(p) > common + 1 and p[common] == parts[0][common] for p in parts):
        common += 1
    prefix = ".".join(parts[0][:common]) + ("." if common else "")
    return prefix + "{" + ",".join(".".join(p[common:]) for p in parts) + "}"


def correlation_note(groups: Sequence[tuple[tuple[str, ...], np.ndarray]], imposed: bool) -> str:
    """What an analysis did with the declared correlations among the parameters it varies (``groups`` of
    :func:`correlated_groups`)."""
    names = ", ".join(group_name(members) for members, _ in groups) or "none"
    n = sum(len(members) for members, _ in groups)
    if imposed and not groups:
        return ("--groups correlated: none of the parameters varied is declared correlated with another varied; "
                "each is a group of its own")
    if imposed:
        return (f"--groups correlated: {len(groups)} group(s) of {n} declared-correlated parameters ({names}) move "
                "together with their rank correlations imposed (a Gaussian copula on the sample's probabilities), "
                "every other parameter alone; the groups are independent, as the indices assume")
    return (f"{n} of the parameters varied are declared correlated ({names}) but sampled independently here, "
            "as the indices assume; --groups correlated moves each such set as one group with its correlations")


def correlate(u: np.ndarray, names: Sequence[str],
              groups: Sequence[tuple[tuple[str, ...], np.ndarray]]) -> np.ndarray:
    """The unit-hypercube sample ``u`` (n, k) with each group's columns given the group's correlation (a copy).

    Within a group the columns' probabilities are turned into normal scores ``z = Phi^-1(u)``, mixed by the
    symmetric square root of the target matrix ``R`` (``S S = R``, from its eigenvectors, so that a correlation
    of 1 is possible, and each column keeps most of its own score where correlations are small) and turned
    back, ``u' = Phi(z S)``: each column stays uniform (the parameter keeps its own distribution) and the scores
    take correlation ``R``. Row by row, so the designs' structure holds: a group swapped whole between
    Saltelli's matrices, or moved by one Morris step, stays one move of the group.
    """
    from scipy.stats import norm

    out = np.array(u, dtype=float)
    # (the probabilities 0 and 1 of a Morris grid have infinite scores: held a hair inside)
    tiny = 1e-12
    for members, target in groups:
        cols = [list(names).index(m) for m in members]
        w, v = np.linalg.eigh(target)
        root = (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T
        z = norm.ppf(np.clip(out[:, cols], tiny, 1.0 - tiny))
        out[:, cols] = norm.cdf(z @ root)
    return out


# What a batch run raises when some draw's parameter values are outside what the model can do (e.g.
# a base-year calibration that cannot be met); other errors are bugs and propagate.
MODEL_FAILURES = (ValueError, FloatingPointError, ZeroDivisionError, FramtidError)


def _batch_run(u: np.ndarray, scenario, names: tuple[str, ...], output: Output, seed: int,
               correlations: Sequence = ()) -> np.ndarray:
    from ..parameters import Params, table
    from ..simulation import FramtidModel
    from .history_fit import fitted_to_history

    specs = table()
    n = u.shape[0]
    values = {name: np.full(n, s.default) for name, s in specs.items()}
    values.update(unit_to_values(names, correlate(u, names, correlations) if correlations else u, specs))
    # each draw fitted to the battery-electric history, as an ensemble's draws are
    params = fitted_to_history(Params(values, n, specs).with_overrides(scenario.parameters), scenario.parameters)
    model = FramtidModel(scenario, params, seed=seed)
    try:
        model.run()
        return output(model)
    finally:
        # A model holds reference cycles (agents and their model): broken here, also when the run fails (a batch
        # that fails is halved and run again), one batch is in memory at a time (as ensemble.run_chunk).
        model.dispose()


def run_chunk(u: np.ndarray, scenario, names: tuple[str, ...], output: Output,
              seed: int = 0, correlations: Sequence = ()) -> tuple[np.ndarray, list[str]]:
    """One batch run: row d of ``u`` (n, k) is draw d. Returns the output of each draw (n,) and the
    messages of draws the model could not run (their output NaN). ``correlations``: groups of
    :func:`correlated_groups` whose correlation the rows are given first (:func:`correlate`).

    The chosen parameters take their values from ``u``, every other one its default, and the
    scenario's ``[parameters]`` override both. A batch fails as a whole when one draw fails, so a
    failed batch is halved until the failing draws stand alone (log2(n) extra batch runs per failing
    draw). Module level, so that Dask can send it to workers."""
    u = np.asarray(u, dtype=float)
    try:
        return np.asarray(_batch_run(u, scenario, names, output, seed, correlations), dtype=float), []
    except MODEL_FAILURES as exc:
        if u.shape[0] == 1:
            return np.array([np.nan]), [f"{type(exc).__name__}: {exc}"]
    half = u.shape[0] // 2
    y1, e1 = run_chunk(u[:half], scenario, names, output, seed, correlations)
    y2, e2 = run_chunk(u[half:], scenario, names, output, seed, correlations)
    return np.concatenate([y1, y2]), e1 + e2


class ModelEvaluator:
    """The framtid model as ``evaluate(u (n, k)) -> (n,)`` for :func:`.sensitivity_indices.morris` and
    :func:`.sensitivity_indices.sobol`.

    The n rows are split into near-equal chunks of at most ``chunk_draws`` draws, each one batch run
    (:func:`run_chunk`), mapped serially or on Dask by :func:`.chunk_map.map_chunks` (``workers``
    local processes, or a ``scheduler`` address). Runs the model could not complete are NaN;
    ``failures`` keeps their distinct messages. ``correlations``: groups of parameters whose declared
    correlations the sample's rows are given (:func:`correlate`; ``--groups correlated``)."""

    def __init__(self, scenario, names: Sequence[str], output: Output, seed: int = 0,
                 chunk_draws: int = CHUNK_DRAWS, workers: int | None = None, scheduler: str | None = None,
                 progress: bool = False, correlations: Sequence = ()):
        self.correlations = tuple(correlations)
        self.scenario, self.names, self.output, self.seed = scenario, tuple(names), output, seed
        self.chunk_draws, self.workers, self.scheduler, self.progress = chunk_draws, workers, scheduler, progress
        self.failures: list[str] = []
        self.runs = 0

    def __call__(self, u: np.ndarray) -> np.ndarray:
        from .chunk_map import map_chunks

        u = np.asarray(u, dtype=float)
        chunks = np.array_split(u, max(1, -(-u.shape[0] // self.chunk_draws)))
        func = functools.partial(run_chunk, scenario=self.scenario, names=self.names, output=self.output,
                                 seed=self.seed, correlations=self.correlations)
        with warnings.catch_warnings():
            # the sample itself goes to the workers (Morris over all parameters: ~30 MB); that is meant
            warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
            results = map_chunks(func, chunks, workers=self.workers, scheduler=self.scheduler,
                                 progress=self.progress, desc="batch runs")
        for _, errors in results:
            self.failures.extend(e for e in dict.fromkeys(errors) if e not in self.failures)
        self.runs += u.shape[0]
        return np.concatenate([np.asarray(y, dtype=float).reshape(-1) for y, _ in results])


model_evaluator = ModelEvaluator
