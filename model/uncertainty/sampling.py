"""Sampling the parameter table: one random stream per parameter, paired draws across scenarios.

Every parameter row names a distribution over its plausible range (``low``, ``default``,
``high``); this module turns those rows into values over the draw axis.

* **One stream per parameter.** The uniform numbers behind parameter ``name`` come from
  ``numpy.random.default_rng([seed, crc32(name)])`` and nothing else, so two scenarios, two
  runs, or two chunks of one ensemble see the same value of ``name`` in draw ``d`` (their
  differences are paired draws), and adding a parameter to the table changes no other
  parameter's draws (for ``random`` and ``lhs``, unless it joins a group of correlated ones).
* **Samplers.** ``random``: independent uniforms. ``lhs``: Latin hypercube, each parameter's
  unit interval cut into N strata, one draw per stratum, strata shuffled by the parameter's own
  stream (McKay, Beckman and Conover 1979). ``sobol``: a Sobol' low-discrepancy sequence
  (Joe and Kuo 2008 direction numbers via :mod:`scipy.stats.qmc`), one dimension per uncertain
  parameter in the table's name order, each dimension randomised by a digital shift drawn from
  the parameter's own stream (Owen 2003); N a power of two keeps its balance.
* **Whole ensembles, then slices.** A chunk of draws ``[a, b)`` takes rows ``a..b-1`` of the
  whole ensemble's N draws, so chunked, parallel and serial runs give identical values.
* **Rank correlations** between parameters that move together (``parameter_correlations.csv``:
  oil product prices that follow crude oil, values of time from one study, premiums that fall with
  battery cost) are imposed on the whole ensemble by the Iman-Conover method (Iman and Conover
  1982): each correlated parameter keeps its own sampled values, only their order over the draws
  changes, so every marginal distribution (and a Latin hypercube's strata) stays as sampled. A group
  of k correlated parameters needs at least k + 2 draws; smaller ensembles stay uncorrelated.
  Reordering loosens the low discrepancy of ``sobol`` between the correlated columns. The
  sensitivity indices (:mod:`.sensitivity`) sample the parameters independently, as Morris and
  Sobol' indices assume.

The inverse cumulative distributions (``ppf``) map a uniform number to a value:

=============  =====================================================================================
fixed          the default, always
uniform        between low and high
triangular     low, mode = default, high
pert           Beta-PERT with minimum low, mode default, maximum high, shape 4 (Vose 2008, ch. 9)
normal         median = default; low and high are the 2.5 % and 97.5 % quantiles of a two-piece normal
               (each side its own sigma), drawn between them
lognormal      the same in logs: median = default, low and high the 2.5 % and 97.5 % quantiles, as IPCC
               ranges are quoted, each log side its own sigma, drawn between them
discrete       one of competing values (e.g. of two studies), with weights, from ``alternatives.csv``
=============  =====================================================================================
"""

from __future__ import annotations

import math
import zlib
from statistics import NormalDist
from typing import Iterable, Mapping

import numpy as np

SAMPLERS = ("random", "lhs", "sobol")
Z975 = 1.959963984540054          # the 97.5 % quantile of the standard normal
PERT_SHAPE = 4.0


def stream(seed: int, name: str) -> np.random.Generator:
    """The random stream of one parameter: keyed by the seed and the parameter's name only."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode("utf-8"))])


def uncertain(specs: Mapping) -> list[str]:
    """Names of the parameters that are sampled (every distribution but ``fixed``, and ranges
    wider than a point), in name order."""
    return sorted(n for n, s in specs.items() if s.distribution != "fixed" and s.high > s.low)


def unit_sample(names: list[str], n: int, seed: int, sampler: str = "lhs") -> np.ndarray:
    """Uniform numbers in (0, 1), shape ``(n, len(names))``, one column per parameter drawn from
    its own stream. ``names`` must be in a fixed order (for ``sobol`` it sets the dimensions)."""
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler {sampler!r} not one of {', '.join(SAMPLERS)}")
    if n < 1:
        raise ValueError("the number of draws must be at least 1")
    out = np.empty((n, len(names)))
    if sampler == "sobol" and names:
        from scipy.stats import qmc

        import warnings

        with warnings.catch_warnings():   # callers warn about N not a power of two themselves
            warnings.simplefilter("ignore", UserWarning)
            base = qmc.Sobol(len(names), scramble=False, bits=32).random(n)
        ints = (base * 2.0**32).astype(np.uint64)
        for j, name in enumerate(names):
            shift = stream(seed, name).integers(0, 2**32, dtype=np.uint64)
            # digital shift (XOR) keeps the net's balance; +0.5 centres the point in its cell
            out[:, j] = ((ints[:, j] ^ shift).astype(float) + 0.5) / 2.0**32
        return out
    for j, name in enumerate(names):
        rng = stream(seed, name)
        if sampler == "random":
            out[:, j] = rng.random(n)
        else:   # lhs
            out[:, j] = (rng.permutation(n) + rng.random(n)) / n
    return out


def ppf(spec, u: np.ndarray, alternatives: Mapping | None = None) -> np.ndarray:
    """Values of a parameter at uniform numbers ``u`` in (0, 1) (its inverse CDF)."""
    u = np.asarray(u, dtype=float)
    lo, mode, hi, dist = spec.low, spec.default, spec.high, spec.distribution
    if dist == "fixed" or hi <= lo:
        return np.full(u.shape, mode)
    if dist == "uniform":
        return lo + u * (hi - lo)
    if dist == "triangular":   # closed form (scipy.stats.triang gives the same, 20x slower)
        c = (mode - lo) / (hi - lo)
        left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
        right = hi - np.sqrt((1.0 - u) * (hi - lo) * (hi - mode))
        return np.where(u < c, left, right)
    if dist == "pert":
        from scipy.special import betaincinv   # imported only when needed: scipy costs 0.3-0.7 s to load

        a = 1 + PERT_SHAPE * (mode - lo) / (hi - lo)
        b = 1 + PERT_SHAPE * (hi - mode) / (hi - lo)
        return lo + (hi - lo) * betaincinv(a, b, u)
    if dist in ("normal", "lognormal"):
        log = dist == "lognormal"
        centre, low, high = (np.log([mode, lo, hi]) if log else (mode, lo, hi))
        # two-piece: each side its own sigma, so that the median is the default and low and high are
        # the 2.5 % and 97.5 % quantiles; truncated to [low, high]
        s_low, s_high = (centre - low) / Z975, (high - centre) / Z975
        p = np.clip(0.025 + u * 0.95, 1e-15, 1 - 1e-15)
        z = np.array([NormalDist().inv_cdf(float(q)) for q in p.ravel()]).reshape(p.shape)
        x = centre + z * np.where(z < 0, s_low, s_high)
        return np.clip(np.exp(x) if log else x, lo, hi)
    if dist == "discrete":
        values, weights = (alternatives or {}).get(spec.name, ((mode,), (1.0,)))
        edges = np.cumsum(weights) / np.sum(weights)
        return np.asarray(values, dtype=float)[np.minimum(np.searchsorted(edges, u, side="right"), len(values) - 1)]
    raise ValueError(f"parameter {spec.name!r}: unknown distribution {dist!r}")


def sample_table(specs: Mapping, n: int, seed: int, sampler: str = "lhs",
                 alternatives: Mapping | None = None, names: list[str] | None = None,
                 correlations: Mapping[tuple[str, str], float] | None = None) -> dict[str, np.ndarray]:
    """Sampled values of the uncertain parameters, ``{name: (n,) array}`` (the whole ensemble), with
    the rank ``correlations`` ``{(a, b): rho}`` between those of them that are sampled (:func:`correlate`)."""
    names = uncertain(specs) if names is None else names
    u = unit_sample(names, n, seed, sampler)
    sample = {name: ppf(specs[name], u[:, j], alternatives) for j, name in enumerate(names)}
    return correlate(sample, correlations or {}, seed)


def normal_score_correlation(rank_correlation: float) -> float:
    """The correlation of two normal variables whose rank (Spearman) correlation is ``rank_correlation``:
    ``r = 2 sin(pi rho_s / 6)`` (Pearson 1907; Kruskal 1958) [1]. The Iman-Conover method sets the
    correlation of normal scores, so a target rank correlation is converted first."""
    return 2.0 * math.sin(math.pi * rank_correlation / 6.0)


def correlation_groups(pairs: Mapping[tuple[str, str], float],
                       names: Iterable[str]) -> list[tuple[tuple[str, ...], np.ndarray]]:
    """The groups of parameters linked by ``pairs`` ``{(a, b): rank correlation}``, of the pairs whose
    parameters are both in ``names``: ``(names of the group in name order, (k, k) target correlation of
    their normal scores)``, pairs not given at 0. A group is a connected set: ``a`` with ``b`` and ``b``
    with ``c`` put all three in one group."""
    present = set(names)
    linked: dict[str, set[str]] = {}
    for a, b in pairs:
        if a in present and b in present:
            linked.setdefault(a, set()).add(b)
            linked.setdefault(b, set()).add(a)
    groups, seen = [], set()
    for start in sorted(linked):
        if start in seen:
            continue
        group, todo = set(), [start]
        while todo:
            name = todo.pop()
            if name not in group:
                group.add(name)
                todo.extend(linked[name] - group)
        seen |= group
        members = tuple(sorted(group))
        target = np.eye(len(members))
        for (a, b), rho in pairs.items():
            if a in group and b in group:
                i, j = members.index(a), members.index(b)
                target[i, j] = target[j, i] = normal_score_correlation(rho)
        groups.append((members, target))
    return groups


def correlate(sample: Mapping[str, np.ndarray], pairs: Mapping[tuple[str, str], float], seed: int) -> dict:
    """``sample`` ``{name: (n,)}`` with the rank correlations ``pairs`` imposed (Iman and Conover 1982).

    For each group of k correlated parameters (:func:`correlation_groups`): a matrix ``S`` (n, k) of van
    der Waerden scores ``Phi^-1(i / (n + 1))``, each column in an order drawn from the parameter's own
    stream (keyed ``name#correlation``); ``T = S (Q^-1)' P`` with ``Q Q' = corr(S)`` (Cholesky) and
    ``P = P' = C^(1/2)`` the symmetric square root of the target correlation of normal scores (from its
    eigen-decomposition, so that pairs of correlation 1 are allowed, and unique, so that the draws do
    not depend on the linear algebra library); each parameter's sampled values are then put in the rank order of its
    column of ``T``. The values of a parameter stay the same set: only which draw gets which value
    changes. Groups with ``n < k + 2`` draws, whose scores cannot carry k independent columns, are
    left as they are."""
    out = dict(sample)
    n = len(next(iter(sample.values()))) if sample else 0
    for members, target in correlation_groups(pairs, sample):
        k = len(members)
        if n < k + 2:
            continue
        from scipy.special import ndtri   # imported only when needed: scipy costs 0.3-0.7 s to load

        scores = ndtri(np.arange(1, n + 1) / (n + 1.0))
        s = np.stack([scores[stream(seed, f"{name}#correlation").permutation(n)] for name in members], axis=1)
        try:
            q = np.linalg.cholesky(np.corrcoef(s, rowvar=False))
        except np.linalg.LinAlgError:   # score columns that happen to be collinear (a tiny ensemble)
            continue
        # P: the symmetric square root of C, the one root that does not depend on which eigenvectors the
        # linear algebra library returns (C has repeated eigenvalues where a group's correlations are equal).
        eigenvalues, vectors = np.linalg.eigh(target)
        p = (vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ vectors.T
        t = s @ np.linalg.inv(q).T @ p
        for j, name in enumerate(members):
            values = np.empty(n)
            values[np.argsort(t[:, j], kind="stable")] = np.sort(sample[name], kind="stable")
            out[name] = values
    return out
