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
memory, serially or on Dask through :func:`framtid.model.uncertainty.chunk_map.map_chunks`.

The analysis functions (:func:`morris`, :func:`sobol`) take the model as a function of the
unit-hypercube sample, ``evaluate(u: (n, k)) -> (n,)``, so they are tested on functions with known
indices (Ishigami) and run the framtid model through :func:`model_evaluator`.

The work is shared by four modules. :mod:`.sensitivity_indices` computes the Morris and Sobol'
indices of any function of the unit hypercube with SALib; :mod:`.sensitivity_model` makes the
framtid model such a function (the output looked at, the parameters varied, the batch runs);
:mod:`.sensitivity_report` holds a finished analysis and writes its tables, JSON and chart. This
module runs one analysis as the command asks for it (:func:`analyse`: a Morris screening, Sobol'
indices of the few parameters that matter) and is the public entry: every public name of the four
modules can be had from it.

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

import time
from collections.abc import Callable, Sequence

from ..errors import FramtidError, UsageError
from .sensitivity_indices import (
    DEFAULT_SAMPLES,
    DEFAULT_TRAJECTORIES,
    Evaluator,
    Indices,
    _all,
    check_samples,
    check_trajectories,
    morris,
    sobol,
)
from .sensitivity_model import (
    CHUNK_DRAWS,
    ModelEvaluator,
    Output,
    allowed_outputs,
    correlate,
    correlated_groups,
    correlation_note,
    group_name,
    model_evaluator,
    output,
    run_chunk,
    select_parameters,
    unit_to_values,
)
from .sensitivity_report import (
    Report,
    check_plot_path,
    describe,
    inert_summary,
    plot,
    rows,
    title,
    to_json,
)

METHODS = ("morris", "sobol")
GROUPINGS = ("submodel", "correlated")
DEFAULT_TOP = 10             # parameters a Sobol' analysis keeps from the Morris screening
# Model runs an analysis may plan (screening and indices together): some 45-50 minutes on one core at the 32-37
# runs a second of a batch measured on this machine; beyond, ask for fewer trajectories, a smaller sample or fewer
# parameters.
MAX_RUNS = 100_000


def groups_of(names: Sequence[str], grouping: str | None) -> list[str] | None:
    """A group per parameter: ``submodel`` groups by the name's prefix (``transport.*``); ``correlated`` puts the
    parameters linked by the declared correlations in one group each (:func:`correlated_groups`), every other
    parameter in its own."""
    if grouping is None:
        return None
    if grouping not in GROUPINGS:
        raise UsageError(f"--groups: unknown grouping {grouping!r}; allowed: {', '.join(GROUPINGS)}")
    if grouping == "correlated":
        group_of = {n: group_name(members) for members, _ in correlated_groups(names) for n in members}
        return [group_of.get(n, n) for n in names]
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
    from .chunk_map import check_where

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
    keep = top if top is not None else DEFAULT_TOP
    if method == "sobol" and groups is None and trajectories is not None and len(names) <= keep:
        raise UsageError(f"--trajectories: no Morris screening runs, as the {len(names)} parameters chosen are at "
                         f"most the {keep} Sobol' keeps (--top), so it would do nothing; leave it out")
    if groups is not None and len(set(groups)) < 2:
        raise UsageError(f"--groups {grouping}: the chosen parameters form only one group ({groups[0]}); "
                         "choose parameters of at least two")
    correlated = correlated_groups(names)
    if grouping == "correlated":
        notes.append(correlation_note(correlated, imposed=True))
    elif correlated:
        notes.append(correlation_note(correlated, imposed=False))
    # the declared correlations, imposed within the groups that hold them (only then are the groups independent)
    extra = {"correlations": correlated} if grouping == "correlated" and correlated else {}
    _check_runs(method, names, groups, trajectories, samples, top)
    ranked = len(set(groups)) if groups is not None else len(names)
    if top is not None and top > ranked:
        notes.append(f"--top {top} is more than the {ranked} {'groups' if groups is not None else 'parameters'} "
                     "chosen: all of them are kept")
    started = time.perf_counter()

    def evaluate_over(chosen):
        return evaluator(scenario, chosen, output, seed=seed, workers=workers, scheduler=scheduler,
                         progress=progress, **extra)

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


def planned_runs(method: str, names: Sequence[str], groups: Sequence[str] | None, trajectories: int | None,
                 samples: int | None, top: int | None) -> int:
    """The model runs an analysis takes: Morris r (k + 1) with k parameters or groups; Sobol' N (k + 2) on the
    parameters kept (at most ``top``), after a Morris screening of them all where they are more (no screening
    of groups)."""
    r = trajectories if trajectories is not None else DEFAULT_TRAJECTORIES
    k = len(set(groups)) if groups is not None else len(names)
    if method == "morris":
        return r * (k + 1)
    keep = top if top is not None else DEFAULT_TOP
    screening = r * (k + 1) if groups is None and k > keep else 0
    kept = k if groups is not None else min(k, keep)
    return screening + (samples if samples is not None else DEFAULT_SAMPLES) * (kept + 2)


def _check_runs(method: str, names, groups, trajectories: int | None, samples: int | None, top: int | None) -> None:
    """Refuse an analysis of more than :data:`MAX_RUNS` model runs before any runs."""
    runs = planned_runs(method, names, groups, trajectories, samples, top)
    if runs > MAX_RUNS:
        # (with --groups, Sobol' takes no --top and the groups are given)
        ask = (["fewer --trajectories"] if method == "morris"
               else ["a smaller --samples"] + ([] if groups is not None else ["--top"]))
        ask += ["fewer --parameters"] + ([] if groups is not None else ["--groups"])
        raise UsageError(f"the analysis would take {runs:,} model runs (at most {MAX_RUNS:,}, some 45-50 minutes): "
                         f"ask for {', '.join(ask[:-1])} or {ask[-1]}")


def _head(indices: Indices, k: int) -> Indices:
    return Indices(indices.method, indices.names[:k], {c: v[:k] for c, v in indices.values.items()},
                   indices.n_runs, indices.settings, indices.members, list(indices.notes))


__all__ = ["CHUNK_DRAWS", "DEFAULT_TOP", "GROUPINGS", "METHODS", "Evaluator", "Indices", "ModelEvaluator", "Output",
           "Report", "allowed_outputs", "analyse", "check_plot_path", "check_samples", "check_trajectories",
           "correlate", "correlated_groups", "correlation_note", "describe", "group_name", "groups_of",
           "inert_summary", "model_evaluator", "morris", "output", "plot", "rows", "run_chunk", "select_parameters",
           "sobol", "title", "to_json", "unit_to_values"]
