"""Morris elementary effects and Sobol' indices, with SALib, of any function of the unit hypercube
``evaluate(u: (n, k)) -> (n,)``: the sample designs, the estimators, runs that failed, and the ranked
:class:`Indices`. The methods and their references are described in
:mod:`framtid.model.uncertainty.sensitivity`."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import FramtidError, UsageError

MORRIS_COLUMNS = ("mu_star", "mu_star_conf", "sigma", "mu")
SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")

DEFAULT_TRAJECTORIES = 10    # r = 10 is the usual choice (Campolongo et al. 2007 use 10-20)
DEFAULT_LEVELS = 4           # p = 4 levels, delta = 2/3 (Morris 1991; Saltelli et al. 2008, ch. 3)
DEFAULT_SAMPLES = 256        # Sobol' base sample N (a power of two keeps the sequence balanced)
MIN_TRAJECTORIES = 2         # sigma and the bootstrap need at least two effects per parameter
MIN_SAMPLES = 16             # fewer base samples give bootstrap intervals wider than the indices
NUM_RESAMPLES = 1000         # bootstrap resamples of the confidence intervals
CONF_LEVEL = 0.95
NOISE = 1e-9                 # relative size of an elementary effect taken as rounding noise

Evaluator = Callable[[np.ndarray], np.ndarray]


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


def _all(ind: Indices) -> list[str]:
    return list(ind.members) if ind.members is not None else ind.names


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
        # SALib's Sobol' analysis seeds its bootstrap only for a seed that is true: seed 0 drew from
        # numpy's global state, so the intervals changed from run to run. A generator of the seed is
        # the same stream for every other seed.
        si = analyze.analyze(problem, y, calc_second_order=second_order, num_resamples=num_resamples,
                             conf_level=conf_level, seed=np.random.default_rng(seed))
    values = {c: np.asarray(si[c], dtype=float) for c in SOBOL_COLUMNS}
    order = sorted(range(len(labels)), key=lambda i: (-values["ST"][i], -values["S1"][i], labels[i]))
    ranked = {c: v[order] for c, v in values.items()}
    if second_order:
        ranked["S2"] = np.asarray(si["S2"], dtype=float)        # input order, upper triangle
        ranked["S2_conf"] = np.asarray(si["S2_conf"], dtype=float)
    if values["S1"].sum() > 1.0 + 0.1 or (values["S1"] < -0.05).any():
        notes.append(f"the first-order indices sum to {values['S1'].sum():.2f} or fall below 0: the sample "
                     "is too small for this output; raise --samples")
    # S1 <= ST holds for the true indices: an estimate of S1 above ST by more than both intervals is noise
    above = [labels[i] for i in range(len(labels))
             if values["S1"][i] - values["ST"][i] > values["S1_conf"][i] + values["ST_conf"][i]]
    if above:
        notes.append(f"first-order above total-order index for {', '.join(above[:3])}"
                     f"{' and others' if len(above) > 3 else ''} beyond their intervals (never so for the true "
                     "indices): the sample is too small for this output; raise --samples")
    return Indices("sobol", [labels[i] for i in order], ranked, n_runs, settings,
                   _members(names, groups), notes)
