"""Which measure did what: the effect of each measure of a package, by Shapley value.

A package is the measures a scenario file adds to the scenario it extends (its base). For a
subset S of the package, v(S) is the emissions of the base with the measures of S added, minus the
emissions of the base alone [t CO2e/yr] (negative: a cut), per municipality, sector and year. With
interactions (a charge saves less once cars are electric) the measures' effects alone do not add
up to the package's, and the order in which they are credited matters. The Shapley value credits
each measure with its marginal effect averaged over every order of adding the measures:

    phi_i = sum over S not holding i of  |S|! (n - |S| - 1)! / n!  * (v(S + i) - v(S))

(Shapley 1953; for emission decomposition e.g. Albrecht, François & Schoors 2002, Energy Policy
30: 727-736). The values sum to the package's effect v(N) - v({}) exactly. Beside them:
``first_in`` = v({i}) - v({}) (the measure alone), ``last_in`` = v(N) - v(N - i) (what the package
loses without it), and the interaction residual v(N) - v({}) - sum of first-in effects.

The package can reach further back than the scenario's own file (``base``: any scenario of its chain
of ``extends``, e.g. the whole policy history of current-policies against the reference), and its
measures can be credited in groups (``by``: their kind or programme area) rather than one by one: a
group is one player of the Shapley value, in or out with all its measures (the 120 toll, tax, fuel, heating
and waste measures of the history are 14 kinds: more than run exactly, so sampled orders; its 3 areas are
run exactly).

Up to ``MAX_EXACT`` players (measures or groups) every subset is run (2^n batch members, as one vectorised
run in chunks: ``simulation.run_variants``); beyond, the values are estimated from sampled orders (permutations),
with their standard error; the estimates still sum to the package's effect exactly, since the
marginal effects along each order do. The players (a measure, or a kind's or an area's measures) are made by
:mod:`.players`; the tables and JSON of a result by :mod:`.attribution_tables`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import dims
from ..accounting import sectors_from_sources
from ..errors import UsageError
from .players import package_of, players

MAX_EXACT = 12          # 2^12 = 4 096 batch members
CHUNK = 128             # batch members run at once (memory; the history's 4 096 subsets ran 20 % faster than at 256)
# Batch members (subsets x draws) an attribution may run: about 20 minutes on one core (some 80 members a
# second) with the values of every member kept (about 0.7 GB); beyond, ask for fewer draws.
MAX_RUNS = 100_000
DEFAULT_PERMUTATIONS = 200


# -- Shapley arithmetic (pure functions over a leading subset axis) --------------------------------------

def subset_masks(n: int) -> np.ndarray:
    """Every subset of n measures, (2^n, n) bool; row b holds measure i when bit i of b is set."""
    bits = np.arange(2 ** n)[:, None] >> np.arange(n)[None, :]
    return (bits & 1).astype(bool)


def shapley_weights(n: int) -> np.ndarray:
    """W (n, 2^n) with phi = W @ v for v over the subsets in :func:`subset_masks` order."""
    masks = subset_masks(n)
    size = masks.sum(axis=1)
    w = np.zeros((n, 2 ** n))
    for i in range(n):
        without = np.nonzero(~masks[:, i])[0]                 # subsets S not holding i
        weight = np.array([math.factorial(s) * math.factorial(n - s - 1) for s in size[without]],
                          dtype=float) / math.factorial(n)
        np.add.at(w[i], without | (1 << i), weight)           # + v(S + i)
        np.add.at(w[i], without, -weight)                     # - v(S)
    return w


def shapley_exact(values: np.ndarray) -> np.ndarray:
    """Shapley values (n, ...) from v over all 2^n subsets (2^n, ...), in subset_masks order."""
    n = int(round(math.log2(values.shape[0])))
    if 2 ** n != values.shape[0]:
        raise ValueError("values must have 2^n rows, one per subset")
    return np.tensordot(shapley_weights(n), values, axes=(1, 0))


def first_in(values: np.ndarray) -> np.ndarray:
    """v({i}) - v({}) for each measure (n, ...)."""
    n = int(round(math.log2(values.shape[0])))
    return np.stack([values[1 << i] - values[0] for i in range(n)])


def last_in(values: np.ndarray) -> np.ndarray:
    """v(N) - v(N - i) for each measure (n, ...)."""
    n = int(round(math.log2(values.shape[0])))
    full = 2 ** n - 1
    return np.stack([values[full] - values[full & ~(1 << i)] for i in range(n)])


def sampled_orders(n: int, k: int, seed: int = 0) -> np.ndarray:
    """k random orders of n measures (k, n), reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    return np.stack([rng.permutation(n) for _ in range(k)])


def order_subsets(orders: np.ndarray) -> np.ndarray:
    """The subsets (as bit masks) the orders pass through, sorted and unique: {} and every prefix."""
    prefixes = np.cumsum(np.left_shift(1, orders), axis=1)
    return np.unique(np.concatenate([[0], prefixes.ravel()]))


def order_effects(values: dict[int, np.ndarray], orders: np.ndarray) -> np.ndarray:
    """Each player's marginal effect along each sampled order (k, n, ...); ``values`` maps a subset's bit
    mask to v(S)."""
    k, n = orders.shape
    contributions = []
    for order in orders:
        marginal = [None] * n
        mask = 0
        for i in order:
            marginal[i] = values[mask | (1 << i)] - values[mask]
            mask |= 1 << i
        contributions.append(np.stack(marginal))
    return np.stack(contributions)


def error_of_mean(effects: np.ndarray) -> np.ndarray:
    """The standard error of the mean over the orders (axis 0) of :func:`order_effects` (NaN with one order).
    The error of a sum of cells (an area, every sector) is that of the orders' sums, not the sum of the
    cells' errors."""
    k = effects.shape[0]
    return effects.std(axis=0, ddof=1) / np.sqrt(k) if k > 1 else np.full(effects.shape[1:], np.nan)


def shapley_sampled(values: dict[int, np.ndarray], orders: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shapley estimates (n, ...) and their standard errors from the marginal effects along sampled
    orders; ``values`` maps a subset's bit mask to v(S)."""
    c = order_effects(values, orders)                              # (k, n, ...)
    return c.mean(axis=0), error_of_mean(c)


# -- running a package -----------------------------------------------------------------------------------

@dataclass
class Attribution:
    """Effects of a package's measures [t CO2e/yr in ``year``; t CO2e summed over ``span``], by
    municipality (M) and inventory sector (S). Negative: emissions cut."""

    scenario: str
    base: str
    year: int
    span: tuple[int, int]                 # years summed for the cumulative effects
    measures: list[tuple[str, str]]       # (kind, label)
    exact: bool
    n_runs: int
    total: np.ndarray                     # (2, M, S): [year, cumulative]
    shapley: np.ndarray                   # (n, 2, M, S)
    first_in: np.ndarray | None           # (n, 2, M, S) (exact, or sampled runs that hold them)
    last_in: np.ndarray | None
    yearly: np.ndarray | None = None      # (n, T, M): Shapley values of every year, all sectors (wedges)
    yearly_total: np.ndarray | None = None   # (T, M)
    sectors: tuple[str, ...] = dims.SECTORS
    # With sampled draws of the parameters (``draws`` > 0), the arrays above are means over the draws
    # and these hold each draw's values: Shapley values (n, D, 2, M, S) and package effect (D, 2, M, S).
    draws: int = 0
    sampler: str | None = None
    shapley_draws: np.ndarray | None = None
    total_draws: np.ndarray | None = None
    by: str = "measure"                   # what a player is: a measure, or the measures of a kind or an area
    sizes: tuple[int, ...] = ()           # the number of the package's measures each player holds
    order_effects: np.ndarray | None = None   # (k, n, 2, M, S) each sampled order's marginal effects (draws' mean)

    @property
    def standard_error(self) -> np.ndarray | None:
        """Standard errors (n, 2, M, S) of the sampled Shapley values, cell by cell (None when exact)."""
        return None if self.order_effects is None else error_of_mean(self.order_effects)

    def error_of_sum(self, i: int, k: int, idx: list[int], sector: int | None = None) -> float:
        """Standard error [t CO2e] of player ``i``'s Shapley value summed over the municipalities ``idx`` and
        every sector (or one), at ``k`` (0: the year, 1: the span): the spread of the orders' sums."""
        cells = self.order_effects[:, i, k][:, idx]                                  # (orders, len(idx), S)
        summed = cells.sum(axis=(1, 2)) if sector is None else cells[..., sector].sum(axis=1)
        return float(error_of_mean(summed))

    @property
    def interaction(self) -> np.ndarray | None:
        """Package effect minus the sum of the measures' effects alone (2, M, S)."""
        return None if self.first_in is None else self.total - self.first_in.sum(axis=0)


def _package(scenario, base: str | None = None) -> tuple[tuple, list, str]:
    """(the measures in force in the base, the package, the base's name): :func:`.players.package_of`, refused when
    it is empty or holds an adaptive measure."""
    inherited, own, path = package_of(scenario, base)
    return inherited, own, path.stem if path is not None else "(no measures)"


def _values(model, year: int, span: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """For every batch member: emissions by sector in ``year`` and summed over ``span`` (V, 2, M, S),
    and the total of every year (V, T, M)."""
    gas = model.record["emissions_gas"]                                  # (T, V, M, src, G)
    by_source = (gas * model.gwp[None, :, None, None, :]).sum(-1)        # (T, V, M, src)
    by_sector = sectors_from_sources(by_source, -1)                      # (T, V, M, S)
    k = year - dims.BASE_YEAR
    a, b = span[0] - dims.BASE_YEAR, span[1] - dims.BASE_YEAR
    point = np.stack([by_sector[k], by_sector[a:b + 1].sum(axis=0)], axis=1)
    return point, np.moveaxis(by_sector.sum(axis=-1), 1, 0)


def _run_subsets(scenario, package: tuple, subset_bits, year, span, seed, sample=None) -> tuple[dict, dict]:
    """v(S) for the subsets of players given as bit masks, in every draw of ``sample`` (a ``Params`` of D draws;
    None: one draw at the default values): (D, 2, M, S) in the year and span, and (D, T, M) every year.
    ``package``: (the base's measures, the package's measures, the indices of the measures each player takes).

    The batch members are (subset, draw) pairs, every subset run with the same D draws, so the
    differences between subsets, and the Shapley values, are taken draw by draw (paired)."""
    from ..scenario_inheritance import compose
    from ..simulation import run_variants

    inherited, own, members_of = package

    def added(b: int) -> list:
        """The package's measures of the players in subset ``b``, in the order they are written."""
        chosen = {j for i, ix in enumerate(members_of) if b >> i & 1 for j in ix}
        return [m for j, m in enumerate(own) if j in chosen]

    n_draws = 1 if sample is None else sample.n_draws
    members = [(int(b), d) for b in subset_bits for d in range(n_draws)]
    point: dict[int, list] = {}
    yearly: dict[int, list] = {}
    for start in range(0, len(members), CHUNK):
        chunk = members[start:start + CHUNK]
        variants = [compose(inherited, added(b), package=own) for b, _ in chunk]
        params = None if sample is None else sample.take([d for _, d in chunk])
        model = run_variants(scenario, variants, seed=seed, params=params)
        try:
            values, totals = _values(model, year, span)
        finally:
            # A finished model holds reference cycles (its agents and it) that the cyclic collector frees on counts
            # of objects, not on memory: broken here, the chunks' models do not pile up (the policy history's 32
            # chunks held 9 GB at once).
            model.dispose()
        for j, (b, _) in enumerate(chunk):
            point.setdefault(b, []).append(values[j])
            yearly.setdefault(b, []).append(totals[j])
    return ({b: np.stack(v) for b, v in point.items()}, {b: np.stack(v) for b, v in yearly.items()})


def attribute(scenario, year: int = 2030, span_from: int | None = None, permutations: int = DEFAULT_PERMUTATIONS,
              seed: int = 0, max_exact: int = MAX_EXACT, draws: int | None = None,
              sampler: str = "lhs", base: str | None = None, by: str = "measure") -> Attribution:
    """Attribute the effect of ``scenario``'s own measures (a ``Scenario`` or a path) against the
    scenario it extends, in ``year`` and summed from ``span_from`` (default: the first start year of
    the package, not before 2010) to ``year``.

    ``base``: attribute every measure the scenario's chain adds after this scenario of the chain (by name)
    instead; ``by``: credit the measures one by one ("measure") or by kind or programme area together
    (:func:`players`).

    ``draws``: attribute in each of ``draws`` sampled draws of the uncertain parameters (``sampler``,
    ``seed``; the scenario's own parameter values stay fixed) instead of at the default values. The
    point values are then the means over the draws: the Shapley value is linear in v, so the mean of
    the draws' values is the value of the mean effects and still sums to the package's mean effect;
    the draws' own values give the ranges (:attr:`Attribution.shapley_draws`)."""
    from ..scenario import load

    if isinstance(scenario, (str, Path)):
        scenario = load(scenario)
    if not dims.BASE_YEAR < year <= dims.FINAL_YEAR:
        raise UsageError(f"--year: must be from {dims.BASE_YEAR + 1} to {dims.FINAL_YEAR} (got {year})")
    if draws is not None and draws < 1:
        raise UsageError(f"--draws: must be at least 1 (got {draws})")
    inherited, own, base = _package(scenario, base)
    measures, members_of = players(own, by)
    package = (inherited, own, members_of)
    grouping = {"by": by, "sizes": tuple(len(ix) for ix in members_of)}
    n = len(measures)
    start = span_from if span_from is not None else max(dims.BASE_YEAR + 1, min(m.start_year for m in own))
    if not dims.BASE_YEAR < start <= year:
        if span_from is None:
            raise UsageError(f"--year: {year} is before the package's first measure starts ({start}); choose a "
                             f"later --year or give --from")
        raise UsageError(f"--from: the cumulative span must start after {dims.BASE_YEAR} and not after --year "
                         f"{year} (got {start})")
    span = (start, year)
    # (the draws are sampled once the runs are known to be allowed: a sample of 100 000 draws alone takes
    # gigabytes, the history fit of each included)
    full = 2 ** n - 1
    if n <= max_exact:
        _check_runs(2 ** n, draws, f"the {2 ** n} subsets of {n} {'measures' if by == 'measure' else 'groups'}")
        sample = _sample(draws, seed, sampler, scenario)
        values, yearly = _run_subsets(scenario, package, range(2 ** n), year, span, seed, sample)
        v = np.stack([values[b] for b in range(2 ** n)])                      # (2^n, D, 2, M, S)
        y = np.stack([yearly[b] for b in range(2 ** n)])                      # (2^n, D, T, M)
        phi = shapley_exact(v)
        return _summarised(Attribution(scenario.name, base, year, span, measures, True, 2 ** n * v.shape[1],
                                       v[full] - v[0], phi, first_in(v), last_in(v), shapley_exact(y),
                                       y[full] - y[0], **grouping), draws, sampler)
    if permutations < 2:
        raise UsageError(f"--permutations must be at least 2 (got {permutations})")
    orders = sampled_orders(n, permutations, seed)
    bits = set(order_subsets(orders).tolist()) | {1 << i for i in range(n)} | {full & ~(1 << i) for i in range(n)}
    _check_runs(len(bits), draws, f"the {len(bits)} subsets that {permutations} sampled orders of {n} "
                                  f"{'measures' if by == 'measure' else 'groups'} pass")
    sample = _sample(draws, seed, sampler, scenario)
    values, yearly = _run_subsets(scenario, package, sorted(bits), year, span, seed, sample)
    phi = shapley_sampled(values, orders)[0]
    # The orders' effects on the mean over the draws (the values are linear in v), for the standard errors of the
    # cells and of their sums over areas and sectors.
    effects = order_effects({b: v.mean(axis=0) for b, v in values.items()}, orders)    # (k, n, 2, M, S)
    first = np.stack([values[1 << i] - values[0] for i in range(n)])
    last = np.stack([values[full] - values[full & ~(1 << i)] for i in range(n)])
    n_draws = 1 if sample is None else sample.n_draws
    return _summarised(Attribution(scenario.name, base, year, span, measures, False, len(bits) * n_draws,
                                   values[full] - values[0], phi, first, last,
                                   shapley_sampled(yearly, orders)[0], yearly[full] - yearly[0], **grouping,
                                   order_effects=effects),
                       draws, sampler)


def _sample(draws: int | None, seed: int, sampler: str, scenario):
    """The sampled parameters of ``draws`` draws (None without draws), the scenario's own ``[parameters]`` kept."""
    from ..parameters import Params

    return None if draws is None else Params.sampled(draws, seed, sampler, scenario.parameters)


def _check_runs(subsets: int, draws: int | None, what: str) -> None:
    """Refuse an attribution of more than :data:`MAX_RUNS` batch members before any runs."""
    runs = subsets * (draws or 1)
    if runs > MAX_RUNS and draws:
        most = max(1, MAX_RUNS // subsets)
        raise UsageError(f"--draws {draws}: {what}, each in {draws} draws, are {runs:,} runs (at most {MAX_RUNS:,}, "
                         f"some 20 minutes); use --draws {most} or fewer")
    if runs > MAX_RUNS:
        raise UsageError(f"--permutations: {what} are {runs:,} runs (at most {MAX_RUNS:,}, some 20 minutes); "
                         "use fewer --permutations")


def _summarised(per_draw: Attribution, draws: int | None, sampler: str) -> Attribution:
    """The attribution with its arrays over a draw axis (second for the measures' arrays, first for the
    totals) replaced by their means over the draws; with ``draws``, the Shapley values and totals of
    each draw kept for the ranges. (The mean over a single draw is that draw's value exactly.)"""
    def mean(x, axis):
        return None if x is None else x.mean(axis=axis)

    a = per_draw
    return dataclasses.replace(
        a, total=mean(a.total, 0), shapley=mean(a.shapley, 1),
        first_in=mean(a.first_in, 1), last_in=mean(a.last_in, 1), yearly=mean(a.yearly, 1),
        yearly_total=mean(a.yearly_total, 0), draws=draws or 0, sampler=sampler if draws else None,
        shapley_draws=a.shapley if draws else None, total_draws=a.total if draws else None)
