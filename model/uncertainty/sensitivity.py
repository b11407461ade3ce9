"""Global sensitivity analysis of a scenario with SALib: which uncertain parameters move an output.

Two methods, used in sequence as Saltelli et al. (2008, ch. 2-4) recommend for models with many
inputs:

* **Morris screening** (elementary effects; Morris 1991, with the mean absolute effect ``mu_star``
  of Campolongo, Cariboni and Saltelli 2007) ranks all ~630 uncertain parameters of the table at a
  cost of ``r (k + 1)`` runs: ``r`` trajectories of ``k + 1`` points, each moving one parameter
  (or one group of parameters) by ``delta = levels / (2 (levels - 1))`` of its range.
  ``mu_star`` says how much the output moves; ``sigma`` (the spread of the effects) flags
  non-linearity or interaction; ``mu`` far below ``mu_star`` means effects of both signs.
* **Sobol' indices** (variance-based; Sobol' 2001) quantify the few parameters that matter:
  ``S1`` is the share of the output variance a parameter explains alone, ``ST`` its share
  including all interactions. They are estimated from Saltelli's scheme (Saltelli 2002; the
  estimators of Saltelli et al. 2010) at a cost of ``N (k + 2)`` runs (``N (2k + 2)`` with the
  second-order indices), with bootstrap confidence intervals.

Both work in the **unit hypercube**: the SALib problem has bounds [0, 1] for every parameter, and
each column is mapped through the parameter's inverse CDF
(:func:`framtid.model.uncertainty.sampling.ppf`) before the model sees it. So the indices are
**with respect to the parameters' own distributions** of the parameter table (triangular around
the default, lognormal IPCC ranges, competing studies of a discrete parameter), not with respect
to uniform ranges; a Morris step is a step in probability, and ``mu_star`` is in output units per
unit change in the parameter's quantile (a parameter moved from its low to its high end changes
the output by about ``mu_star`` when its effect is linear in the quantile).

All model evaluations are **batch runs along the draw axis**: the rows of the SALib sample become
the draws of one :class:`~framtid.model.parameters.Params` (the other parameters at their defaults,
the scenario's ``[parameters]`` overriding), run in chunks of :data:`CHUNK_DRAWS` draws to bound
memory, serially or on Dask through :func:`framtid.model.uncertainty.ensemble.map_chunks`.

The analysis functions (:func:`morris`, :func:`sobol`) take the model as a function of the
unit-hypercube sample, ``evaluate(u: (n, k)) -> (n,)``, so they are tested on functions with known
indices (Ishigami) and run the framtid model through :func:`model_evaluator`.

References
----------
Campolongo, F., Cariboni, J. and Saltelli, A. (2007). An effective screening design for
sensitivity analysis of large models. Environmental Modelling & Software 22(10), 1509-1518.
Herman, J. and Usher, W. (2017). SALib: An open-source Python library for sensitivity analysis.
Journal of Open Source Software 2(9), 97.
Ishigami, T. and Homma, T. (1990). An importance quantification technique in uncertainty analysis
for computer models. Proc. ISUMA '90, 398-403.
Morris, M. D. (1991). Factorial sampling plans for preliminary computational experiments.
Technometrics 33(2), 161-174.
Saltelli, A. (2002). Making best use of model evaluations to compute sensitivity indices.
Computer Physics Communications 145(2), 280-297.
Saltelli, A. et al. (2008). Global Sensitivity Analysis: The Primer. Wiley.
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. and Tarantola, S. (2010).
Variance based sensitivity analysis of model output. Design and estimator for the total
sensitivity index. Computer Physics Communications 181(2), 259-270.
Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical models and their
Monte Carlo estimates. Mathematics and Computers in Simulation 55(1-3), 271-280.
"""

from __future__ import annotations

import difflib
import gc
import functools
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from .. import dims
from ..errors import FramtidError, UsageError
from ..result_file import check_plot_path  # noqa: F401  (re-exported for the command)

METHODS = ("morris", "sobol")
MORRIS_COLUMNS = ("mu_star", "mu_star_conf", "sigma", "mu")
SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")
GROUPINGS = ("submodel",)

CHUNK_DRAWS = 256            # draws per batch run: ~0.7 GB peak, 3.6-4.7 s on one free core (measured)
DEFAULT_YEAR = 2030
DEFAULT_TRAJECTORIES = 10    # r = 10 is the usual choice (Campolongo et al. 2007 use 10-20)
DEFAULT_LEVELS = 4           # p = 4 levels, delta = 2/3 (Morris 1991; Saltelli et al. 2008, ch. 3)
DEFAULT_SAMPLES = 256        # Sobol' base sample N (a power of two keeps the sequence balanced)
DEFAULT_TOP = 10             # parameters a Sobol' analysis keeps from the Morris screening
MIN_TRAJECTORIES = 2         # sigma and the bootstrap need at least two effects per parameter
MIN_SAMPLES = 16             # fewer base samples give bootstrap intervals wider than the indices
NUM_RESAMPLES = 1000         # bootstrap resamples of the confidence intervals
CONF_LEVEL = 0.95
NOISE = 1e-9                 # relative size of an elementary effect taken as rounding noise

Evaluator = Callable[[np.ndarray], np.ndarray]


# -- the analyses, on any function of the unit hypercube ------------------------------------------

@dataclass
class Indices:
    """Sensitivity indices of ``names`` (parameters or groups), ranked most important first.

    ``values[column]`` is an array aligned with ``names``: Morris ``mu_star``, ``mu_star_conf``,
    ``sigma``, ``mu``; Sobol' ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (and ``S2`` (k, k) when the
    second-order indices were asked for). ``members`` maps each group to its parameters when the
    analysis moved groups."""

    method: str
    names: list[str]
    values: dict[str, np.ndarray]
    n_runs: int
    settings: dict
    members: dict[str, list[str]] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> tuple[str, ...]:
        return MORRIS_COLUMNS if self.method == "morris" else SOBOL_COLUMNS


def _problem(names: Sequence[str], groups: Sequence[str] | None) -> dict:
    # Bounds [0, 1]: SALib samples probabilities; the parameters' own distributions come after.
    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    if groups is not None:
        if len(groups) != len(names):
            raise ValueError("groups must name one group per parameter")
        problem["groups"] = list(groups)
    return problem


def _members(names: Sequence[str], groups: Sequence[str] | None) -> dict[str, list[str]] | None:
    if groups is None:
        return None
    out: dict[str, list[str]] = {}
    for name, group in zip(names, groups):
        out.setdefault(group, []).append(name)
    return out


def _outputs(evaluate: Evaluator, u: np.ndarray) -> np.ndarray:
    """``evaluate(u)`` as a float vector; NaN marks a run the model could not complete."""
    y = np.asarray(evaluate(u), dtype=float).reshape(-1)
    if y.shape[0] != u.shape[0]:
        raise ValueError(f"the evaluator returned {y.shape[0]} outputs for {u.shape[0]} sample rows")
    return y


def _complete_blocks(y: np.ndarray, size: int, what: str, evaluate: Evaluator) -> tuple[np.ndarray, list[str]]:
    """Which blocks of ``size`` consecutive runs (a Morris trajectory, a Saltelli base sample) have
    every run finished. A failed run spoils its whole block, as both designs difference runs inside
    a block only: dropping whole blocks keeps the estimators valid, on fewer blocks."""
    ok = np.isfinite(y).reshape(-1, size).all(axis=1)
    notes = []
    if not ok.all():
        failed = int((~np.isfinite(y)).sum())
        why = "; ".join(getattr(evaluate, "failures", ())[:3]) or "the output was not finite"
        notes.append(f"{failed} of {y.size} runs failed ({why}); {int((~ok).sum())} of {ok.size} {what} left "
                     "out")
    return ok, notes


def check_trajectories(trajectories: int) -> None:
    if trajectories < MIN_TRAJECTORIES:
        raise UsageError(f"--trajectories: at least {MIN_TRAJECTORIES} (got {trajectories})")


def check_samples(samples: int) -> None:
    if samples < MIN_SAMPLES or samples & (samples - 1):
        raise UsageError(f"--samples: a power of two of at least {MIN_SAMPLES} (got {samples}); Saltelli's "
                         "scheme keeps the Sobol' sequence balanced only at powers of two")


def morris(names: Sequence[str], evaluate: Evaluator, trajectories: int = DEFAULT_TRAJECTORIES,
           levels: int = DEFAULT_LEVELS, seed: int = 0, groups: Sequence[str] | None = None,
           optimal_trajectories: int | None = None, conf_level: float = CONF_LEVEL,
           num_resamples: int = NUM_RESAMPLES) -> Indices:
    """Morris elementary effects of ``names`` on ``evaluate`` over the unit hypercube.

    Parameters
    ----------
    names : the inputs, one column each of the sample given to ``evaluate``.
    evaluate : ``u (n, k) in [0, 1] -> y (n,)``, the model as a function of probabilities.
    trajectories : r, the number of one-at-a-time trajectories [-]; runs = r (k + 1), or
        r (g + 1) with g groups.
    levels : p, the grid levels per input [-]; the step is ``delta = p / (2 (p - 1))``.
    seed : seed of the trajectories and of the bootstrap.
    groups : a group name per input: the members of a group move together (Campolongo et al.
        2007), and the indices are of the groups.
    optimal_trajectories : pick this many of ``trajectories`` candidates for the widest spread
        (Campolongo et al. 2007; Ruano et al. 2012 local optimisation); ``None``: use them all.

    Returns
    -------
    Indices ranked by ``mu_star`` [output unit per unit quantile], with ``mu_star_conf`` (half
    width of the bootstrap confidence interval), ``sigma`` and ``mu``.
    """
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    names = list(names)
    check_trajectories(trajectories)
    problem = _problem(names, groups)
    u = sample.sample(problem, trajectories, num_levels=levels, seed=seed,
                      optimal_trajectories=optimal_trajectories,
                      local_optimization=optimal_trajectories is not None)
    y = _outputs(evaluate, u)
    size = u.shape[0] // trajectories if optimal_trajectories is None else u.shape[0] // optimal_trajectories
    ok, notes = _complete_blocks(y, size, "trajectories", evaluate)
    if ok.sum() < MIN_TRAJECTORIES:
        raise FramtidError(f"the model failed in {int((~ok).sum())} of {ok.size} trajectories; too few are left for "
                           f"elementary effects ({notes[0] if notes else ''})")
    keep = np.repeat(ok, size)
    u, y = u[keep], y[keep]
    si = analyze.analyze(problem, u, y, num_resamples=num_resamples, conf_level=conf_level,
                         num_levels=levels, seed=seed)
    labels = [str(n) for n in si["names"]]
    values = {c: np.asarray(si[c], dtype=float) for c in MORRIS_COLUMNS}
    # Effects below NOISE of the output's magnitude are floating-point noise (sums taken in another
    # order), not influence: they are set to 0 so that inert parameters read as such.
    tol = NOISE * float(np.max(np.abs(y), initial=0.0))
    for c in MORRIS_COLUMNS:
        values[c][np.abs(values[c]) <= tol] = 0.0
    # rank by mu_star, ties by name so that inert parameters come in a fixed order
    order = sorted(range(len(labels)), key=lambda i: (-values["mu_star"][i], labels[i]))
    settings = {"trajectories": trajectories, "levels": levels, "delta": levels / (2.0 * (levels - 1)),
                "seed": seed, "optimal_trajectories": optimal_trajectories, "conf_level": conf_level,
                "trajectories_used": int(ok.sum())}
    if np.ptp(y) == 0:
        notes.append("the output did not change in any run: every parameter has mu_star = 0")
    return Indices("morris", [labels[i] for i in order], {c: v[order] for c, v in values.items()},
                   int(keep.size), settings, _members(names, groups), notes)


def sobol(names: Sequence[str], evaluate: Evaluator, samples: int = DEFAULT_SAMPLES, seed: int = 0,
          groups: Sequence[str] | None = None, second_order: bool = False, conf_level: float = CONF_LEVEL,
          num_resamples: int = NUM_RESAMPLES) -> Indices:
    """Sobol' first-order and total indices of ``names`` on ``evaluate`` over the unit hypercube.

    Parameters
    ----------
    names : the inputs, one column each of the sample given to ``evaluate``.
    evaluate : ``u (n, k) in [0, 1] -> y (n,)``, the model as a function of probabilities.
    samples : N, the base sample of Saltelli's scheme [-] (a power of two); runs = N (k + 2),
        or N (2k + 2) with ``second_order``.
    seed : seed of the scrambled Sobol' sequence and of the bootstrap.
    groups : a group name per input: indices of the groups.
    second_order : also estimate the pairwise indices ``S2``.

    Returns
    -------
    Indices ranked by ``ST`` [-], with ``S1``, ``S1_conf``, ``ST_conf`` (half widths of the
    bootstrap confidence intervals); ``S2`` (k, k) in the input order with ``second_order``.
    """
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    names = list(names)
    check_samples(samples)
    problem = _problem(names, groups)
    u = sample.sample(problem, samples, calc_second_order=second_order, seed=seed)
    y = _outputs(evaluate, u)
    n_runs = int(y.size)
    labels = list(dict.fromkeys(groups)) if groups is not None else names
    ok, notes = _complete_blocks(y, y.size // samples, "base samples", evaluate)
    if ok.sum() < MIN_SAMPLES:
        raise FramtidError(f"the model failed in {int((~ok).sum())} of {ok.size} base samples; too few are left for "
                           f"Sobol' indices ({notes[0] if notes else ''})")
    y = y[np.repeat(ok, y.size // samples)]
    settings = {"samples": samples, "seed": seed, "second_order": second_order, "conf_level": conf_level,
                "samples_used": int(ok.sum())}
    if np.ptp(y) == 0:
        # no variance to share out: every index is zero (SALib would divide by zero)
        zeros = np.zeros(len(labels))
        values = {c: zeros.copy() for c in SOBOL_COLUMNS}
        return Indices("sobol", labels, values, n_runs, settings, _members(names, groups),
                       notes + ["the output did not change in any run: every index is 0"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        si = analyze.analyze(problem, y, calc_second_order=second_order, num_resamples=num_resamples,
                             conf_level=conf_level, seed=seed)
    values = {c: np.asarray(si[c], dtype=float) for c in SOBOL_COLUMNS}
    order = sorted(range(len(labels)), key=lambda i: (-values["ST"][i], -values["S1"][i], labels[i]))
    ranked = {c: v[order] for c, v in values.items()}
    if second_order:
        ranked["S2"] = np.asarray(si["S2"], dtype=float)        # input order, upper triangle
        ranked["S2_conf"] = np.asarray(si["S2_conf"], dtype=float)
    if values["S1"].sum() > 1.0 + 0.1 or (values["S1"] < -0.05).any():
        notes.append(f"the first-order indices sum to {values['S1'].sum():.2f} or fall below 0: the sample "
                     "is too small for this output; raise --samples")
    return Indices("sobol", [labels[i] for i in order], ranked, n_runs, settings,
                   _members(names, groups), notes)


# -- the framtid model as a function of the unit hypercube ----------------------------------------

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
        raise UsageError(f"--municipality: unknown id {municipality!r}; allowed: {', '.join(dims.MUNICIPALITIES)}")
    if not dims.BASE_YEAR <= year <= dims.FINAL_YEAR:
        raise UsageError(f"--year: must lie in {dims.BASE_YEAR}-{dims.FINAL_YEAR} (got {year})")
    name, _, rest = text.strip().partition(":")
    labels = tuple(x.strip() for x in rest.split(",")) if rest else ()
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
        selection = [t.strip() for t in selection.split(",") if t.strip()]
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
    return list(dict.fromkeys(picked)), notes


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


# What a batch run raises when some draw's parameter values are outside what the model can do (e.g.
# a base-year calibration that cannot be met); other errors are bugs and propagate.
MODEL_FAILURES = (ValueError, FloatingPointError, ZeroDivisionError, FramtidError)


def _batch_run(u: np.ndarray, scenario, names: tuple[str, ...], output: Output, seed: int) -> np.ndarray:
    from ..parameters import Params, table
    from ..simulation import FramtidModel

    specs = table()
    n = u.shape[0]
    values = {name: np.full(n, s.default) for name, s in specs.items()}
    values.update(unit_to_values(names, u, specs))
    params = Params(values, n, specs).with_overrides(scenario.parameters)
    model = FramtidModel(scenario, params, seed=seed)
    model.run()
    result = output(model)
    # A finished model holds reference cycles (agents and their model) that only the cyclic
    # collector frees; collecting here keeps one batch in memory at a time (as ensemble.run_chunk).
    del model
    gc.collect()
    return result


def run_chunk(u: np.ndarray, scenario, names: tuple[str, ...], output: Output,
              seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """One batch run: row d of ``u`` (n, k) is draw d. Returns the output of each draw (n,) and the
    messages of draws the model could not run (their output NaN).

    The chosen parameters take their values from ``u``, every other one its default, and the
    scenario's ``[parameters]`` override both. A batch fails as a whole when one draw fails, so a
    failed batch is halved until the failing draws stand alone (log2(n) extra batch runs per failing
    draw). Module level, so that Dask can send it to workers."""
    u = np.asarray(u, dtype=float)
    try:
        return np.asarray(_batch_run(u, scenario, names, output, seed), dtype=float), []
    except MODEL_FAILURES as exc:
        if u.shape[0] == 1:
            return np.array([np.nan]), [f"{type(exc).__name__}: {exc}"]
    half = u.shape[0] // 2
    y1, e1 = run_chunk(u[:half], scenario, names, output, seed)
    y2, e2 = run_chunk(u[half:], scenario, names, output, seed)
    return np.concatenate([y1, y2]), e1 + e2


class ModelEvaluator:
    """The framtid model as ``evaluate(u (n, k)) -> (n,)`` for :func:`morris` and :func:`sobol`.

    The n rows are split into near-equal chunks of at most ``chunk_draws`` draws, each one batch run
    (:func:`run_chunk`), mapped serially or on Dask by :func:`.ensemble.map_chunks` (``workers``
    local processes, or a ``scheduler`` address). Runs the model could not complete are NaN;
    ``failures`` keeps their distinct messages."""

    def __init__(self, scenario, names: Sequence[str], output: Output, seed: int = 0,
                 chunk_draws: int = CHUNK_DRAWS, workers: int | None = None, scheduler: str | None = None,
                 progress: bool = False):
        self.scenario, self.names, self.output, self.seed = scenario, tuple(names), output, seed
        self.chunk_draws, self.workers, self.scheduler, self.progress = chunk_draws, workers, scheduler, progress
        self.failures: list[str] = []
        self.runs = 0

    def __call__(self, u: np.ndarray) -> np.ndarray:
        from .ensemble import map_chunks

        u = np.asarray(u, dtype=float)
        chunks = np.array_split(u, max(1, -(-u.shape[0] // self.chunk_draws)))
        func = functools.partial(run_chunk, scenario=self.scenario, names=self.names, output=self.output,
                                 seed=self.seed)
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


# -- one command: screening, Sobol' on the few that matter, the report ----------------------------

@dataclass
class Report:
    """A sensitivity analysis of one scenario's output: the indices and how they were obtained."""

    scenario: str
    output: Output
    indices: Indices
    screening: Indices | None
    parameters: list[str]           # what was varied (before any screening)
    seconds: float
    notes: list[str]

    @property
    def n_runs(self) -> int:
        return self.indices.n_runs + (self.screening.n_runs if self.screening else 0)


def groups_of(names: Sequence[str], grouping: str | None) -> list[str] | None:
    """A group per parameter: ``submodel`` groups by the name's prefix (``transport.*``)."""
    if grouping is None:
        return None
    if grouping not in GROUPINGS:
        raise UsageError(f"--groups: unknown grouping {grouping!r}; allowed: {', '.join(GROUPINGS)}")
    return [n.split(".", 1)[0] for n in names]


def analyse(scenario, method: str, output: Output, parameters: str | Sequence[str] | None = None,
            top: int | None = None, trajectories: int | None = None, samples: int | None = None,
            seed: int = 0, grouping: str | None = None, workers: int | None = None,
            scheduler: str | None = None, progress: bool = False,
            evaluator: Callable[..., Evaluator] = model_evaluator) -> Report:
    """Sensitivity of ``output`` to the uncertain parameters of ``scenario``.

    ``morris``: elementary effects of every chosen parameter (or group); ``top`` keeps the first
    ``top`` of the ranking. ``sobol``: S1 and ST of the chosen parameters; when they are more than
    ``top`` (default :data:`DEFAULT_TOP`), a Morris screening of them (``trajectories``) picks the
    ``top`` by mu_star first. With ``grouping`` the indices are of groups of parameters.
    ``evaluator(scenario, names, output, seed=..., workers=..., scheduler=..., progress=...)`` builds
    the function of the unit hypercube (the framtid model by default)."""
    if method not in METHODS:
        raise UsageError(f"--method: unknown method {method!r}; allowed: {', '.join(METHODS)}")
    if top is not None and top < 1:
        raise UsageError(f"--top: at least 1 (got {top})")
    if method == "morris" and samples is not None:
        raise UsageError("--samples sets the Sobol' base sample; Morris takes --trajectories")
    if method == "sobol" and grouping is not None and (top is not None or trajectories is not None):
        raise UsageError("--top and --trajectories choose parameters by a Morris screening; with --groups the "
                         "Sobol' indices are of whole groups and no screening runs")
    # every check that can fail before the first run (a Sobol' analysis may screen for minutes first)
    from .ensemble import check_where

    check_where(workers, scheduler)
    if trajectories is not None:
        check_trajectories(trajectories)
    if samples is not None:
        check_samples(samples)
    names, notes = select_parameters(parameters, fixed_by_scenario=scenario.parameters)
    if len(names) < 2 and grouping is None:
        raise UsageError(f"--parameters: a sensitivity analysis needs at least two parameters (got "
                         f"{len(names)}: {', '.join(names) or 'none'})")
    groups = groups_of(names, grouping)
    if groups is not None and len(set(groups)) < 2:
        raise UsageError(f"--groups {grouping}: the chosen parameters form only one group ({groups[0]}); "
                         "choose parameters of at least two")
    started = time.perf_counter()

    def evaluate_over(chosen):
        return evaluator(scenario, chosen, output, seed=seed, workers=workers, scheduler=scheduler,
                         progress=progress)

    r = trajectories if trajectories is not None else DEFAULT_TRAJECTORIES
    screening = None
    if method == "morris":
        indices = morris(names, evaluate_over(names), r, seed=seed, groups=groups)
        indices.settings["screened"] = len(_all(indices))   # how many were ranked, before --top cuts the list
        if top is not None:
            indices = _head(indices, top)
    else:
        chosen = names
        k = top if top is not None else DEFAULT_TOP
        if groups is None and len(names) > k:
            screening = morris(names, evaluate_over(names), r, seed=seed)
            active = [n for n, m in zip(screening.names, screening.values["mu_star"]) if m > 0]
            chosen = (active or screening.names)[:k]
            notes.append(f"Morris screening of {len(names)} parameters ({screening.n_runs} runs, r = {r}) kept "
                         f"the top {len(chosen)} by mu_star for the Sobol' indices")
            notes.extend(f"screening: {n}" for n in screening.notes)
            if len(active) < len(names) and len(active) < k:
                notes.append(f"only {len(active)} parameter(s) changed the output at all in the screening")
        elif trajectories is not None:
            raise UsageError(f"--trajectories sets the Morris screening, which runs only when there are more "
                             f"parameters than --top ({len(names)} chosen, top {k})")
        if len(chosen) < 2 and groups is None:
            raise FramtidError(f"only {', '.join(chosen)} changed {output.label}; Sobol' indices need two or "
                               "more parameters (its ST is 1)")
        group_of = dict(zip(names, groups)) if groups is not None else None
        indices = sobol(chosen, evaluate_over(chosen), samples if samples is not None else DEFAULT_SAMPLES,
                        seed=seed, groups=[group_of[n] for n in chosen] if group_of else None)
    notes.extend(indices.notes)
    return Report(scenario.name, output, indices, screening, names, time.perf_counter() - started, notes)


def _head(indices: Indices, k: int) -> Indices:
    return Indices(indices.method, indices.names[:k], {c: v[:k] for c, v in indices.values.items()},
                   indices.n_runs, indices.settings, indices.members, list(indices.notes))


# -- tables, JSON and the chart --------------------------------------------------------------------

def describe(name: str, indices: Indices, specs: Mapping | None = None) -> tuple[str, str]:
    """Unit and description of a parameter, or of a group (its member count)."""
    from .. import parameters

    specs = specs if specs is not None else parameters.table()
    if indices.members is not None:
        members = indices.members.get(name, [])
        return "", f"{len(members)} parameters {name}.*" if len(members) > 1 else f"1 parameter: {members[0]}"
    spec = specs[name]
    return spec.unit, f"{spec.description} ({spec.distribution} {spec.low:g} to {spec.high:g}, default " \
                      f"{spec.default:g})"


def _number(x: float, fmt: str, digits: int = 4):
    if fmt == "table":
        return "-" if not np.isfinite(x) else f"{x:.{digits}g}"
    return float(x) if np.isfinite(x) else None


def rows(report: Report, fmt: str = "table", width: int | None = None) -> tuple[tuple[str, ...], list[tuple]]:
    """The ranked indices: (rank,) parameter (or group), the method's columns, unit, description.

    csv and json number the ranks and keep every description whole. The table starts with the name
    (the column a reader copies) and keeps one line per parameter in ``width`` characters: the
    description is cut to the room left (at least :data:`MIN_DESCRIPTION`), ending in "...".
    """
    ind = report.indices
    label = "group" if ind.members is not None else "parameter"
    rank = () if fmt == "table" else ("rank",)
    header = (*rank, label, *ind.columns, "unit", "description")
    body = []
    for i, name in enumerate(ind.names):
        unit, text = describe(name, ind)
        body.append(((i + 1,) if rank else ()) + (name, *(_number(ind.values[c][i], fmt) for c in ind.columns),
                                                  unit, text))
    if fmt == "table" and width is not None and body:
        fixed = sum(max(len(str(r[j])) for r in [header, *body]) + 2 for j in range(len(header) - 1))
        room = max(MIN_DESCRIPTION, width - fixed)
        body = [r[:-1] + (r[-1] if len(r[-1]) <= room else r[-1][:room - 3].rstrip() + "...",) for r in body]
    return header, body


MIN_DESCRIPTION = 30   # characters of a description kept in the table however narrow the terminal


def title(report: Report) -> str:
    """What the table shows, how it was computed and how to read it (for the table format)."""
    ind, out = report.indices, report.output
    what = "groups" if ind.members is not None else "parameters"
    if ind.method == "morris":
        s = ind.settings
        head = (f"Morris elementary effects (Morris 1991; mu_star: Campolongo et al. 2007) of {out.label}, "
                f"scenario {report.scenario}: {s.get('screened', len(_all(ind)))} {what}, r = {s['trajectories']} trajectories, "
                f"{s['levels']} levels, {report.n_runs} runs in {report.seconds:.0f} s.")
        read = (f"mu_star, mu_star_conf (its {s['conf_level']:.0%} bootstrap half-width), sigma and mu are in "
                f"{out.unit} per unit change of the parameter's quantile; sigma large against mu_star: "
                "non-linear or interacting; |mu| well below mu_star: effects of both signs.")
        if ind.members is not None:
            read += (" Groups move all their parameters together (Campolongo et al. 2007): mu_star ranks them; "
                     "mu mixes the signs of their members and sigma is given only for one-parameter groups.")
    else:
        s = ind.settings
        head = (f"Sobol' indices (Sobol' 2001; Saltelli 2002, Saltelli et al. 2010) of {out.label} "
                f"[{out.unit}], scenario {report.scenario}: {len(ind.names)} {what}, N = {s['samples']}, "
                f"{report.n_runs} runs in {report.seconds:.0f} s.")
        read = (f"S1: share of the output variance a {what[:-1]} explains alone; ST: with all its interactions; "
                f"*_conf: {s['conf_level']:.0%} bootstrap half-widths.")
    basis = ("Indices are with respect to each parameter's own distribution in the parameter table (SALib "
             "samples the unit hypercube, mapped through each parameter's inverse CDF); other parameters at "
             "their defaults. Whole descriptions: --format csv or json.")
    return "\n".join([head, read, basis] + [f"note: {n}" for n in report.notes])


def _all(ind: Indices) -> list[str]:
    return list(ind.members) if ind.members is not None else ind.names


def inert_summary(report: Report, shown: list) -> tuple[list, str]:
    """For the table: rows with mu_star = 0 left out, summarised by submodel in one line."""
    ind = report.indices
    if ind.method != "morris" or ind.members is not None:
        return shown, ""
    keep = [r for r, m in zip(shown, ind.values["mu_star"]) if m > 0]
    zero = [n for n, m in zip(ind.names, ind.values["mu_star"]) if m == 0]
    if not zero or not keep:
        return shown, ""
    counts: dict[str, int] = {}
    for n in zero:
        counts[n.split(".", 1)[0]] = counts.get(n.split(".", 1)[0], 0) + 1
    parts = ", ".join(f"{k}.* ({v})" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
    return keep, (f"{len(zero)} parameter(s) did not change the output in any run (mu_star = 0; listed in csv "
                  f"and json): {parts}")


def to_json(report: Report) -> dict:
    """The report as one JSON object: settings, output, and the ranked indices."""
    header, body = rows(report, "json")
    out = report.output
    doc = {"method": report.indices.method, "scenario": report.scenario,
           "output": {"name": out.name, "labels": list(out.labels), "municipality": out.municipality,
                      "year": out.year, "unit": out.unit, "description": out.description},
           "settings": {k: v for k, v in report.indices.settings.items()},
           "runs": report.n_runs, "seconds": round(report.seconds, 2),
           "basis": "indices with respect to each parameter's own distribution in the parameter table",
           "notes": report.notes,
           "indices": [dict(zip(header, r)) for r in body]}
    if report.screening is not None:
        doc["screening"] = {"method": "morris", "runs": report.screening.n_runs,
                            "settings": report.screening.settings,
                            "mu_star": {n: float(v) for n, v in zip(report.screening.names,
                                                                     report.screening.values["mu_star"])}}
    return doc


PLOT_ROWS = 25   # bars in the chart: the rest of a long Morris ranking is unreadable there


def plot(report: Report, path: str | Path, force: bool = False) -> Path:
    """Write the ranked indices as a PNG: horizontal bars with the confidence intervals as error bars.
    Morris: mu_star with its interval, beside sigma against mu_star; Sobol': S1 and ST side by side.
    Atomic (temporary file, then rename); an existing file only with ``force``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..result_file import write_atomically

    path = check_plot_path(path, force)
    ind, out = report.indices, report.output
    n = min(len(ind.names), PLOT_ROWS)
    names = ind.names[:n][::-1]                     # most important at the top
    pos = np.arange(n)
    v = {c: np.asarray(a[:n][::-1], dtype=float) for c, a in ind.values.items() if c in ind.columns}
    fig = Figure(figsize=(12.0, max(3.0, 0.32 * n + 1.6)))
    FigureCanvasAgg(fig)
    if ind.method == "morris":
        # sigma against mu_star (Morris 1991, fig. 2) only for parameters: SALib has no sigma for groups
        scatter = ind.members is None
        ax = fig.add_subplot(1, 2, 1) if scatter else fig.add_subplot(1, 1, 1)
        ax.barh(pos, v["mu_star"], xerr=v["mu_star_conf"], color="C0", ecolor="black", capsize=2)
        ax.set_xlabel(f"mu_star [{out.unit} per unit quantile]")
        if scatter:
            ax2 = fig.add_subplot(1, 2, 2)
            mu_star, sigma = ind.values["mu_star"], ind.values["sigma"]
            ax2.scatter(mu_star, sigma, s=12, color="C0")
            top = max(float(np.nanmax(mu_star, initial=0.0)), float(np.nanmax(sigma, initial=0.0)))
            ax2.plot([0, top], [0, top], color="grey", linewidth=0.7, linestyle="--", label="sigma = mu_star")
            for i in range(min(8, len(ind.names))):
                ax2.annotate(ind.names[i], (mu_star[i], sigma[i]), fontsize=6, xytext=(3, 2),
                             textcoords="offset points")
            ax2.set_xlabel(f"mu_star [{out.unit} per unit quantile]")
            ax2.set_ylabel("sigma")
            ax2.legend(fontsize=7, frameon=False)
            ax2.grid(alpha=0.3)
            ax2.set_title("sigma against mu_star: above the line, non-linear or interacting", fontsize=9)
    else:
        ax = fig.add_subplot(1, 1, 1)
        h = 0.4
        ax.barh(pos + h / 2, v["S1"], height=h, xerr=v["S1_conf"], color="C0", ecolor="black", capsize=2,
                label="S1 (first order)")
        ax.barh(pos - h / 2, v["ST"], height=h, xerr=v["ST_conf"], color="C1", ecolor="black", capsize=2,
                label="ST (total)")
        ax.set_xlabel("share of the output variance [-]")
        ax.legend(fontsize=8, loc="lower right", frameon=False)
    ax.set_yticks(pos)
    ax.set_yticklabels(names, fontsize=7)
    ax.axvline(0, color="grey", linewidth=0.5)
    ax.grid(axis="x", alpha=0.3)
    more = f" (top {n} of {len(ind.names)})" if n < len(ind.names) else ""
    method = "Morris" if ind.method == "morris" else "Sobol'"
    fig.suptitle(f"{method} sensitivity of {out.label}, scenario "
                 f"{report.scenario}{more}; bars: {ind.settings['conf_level']:.0%} bootstrap intervals", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return write_atomically(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100), force, "the chart")
