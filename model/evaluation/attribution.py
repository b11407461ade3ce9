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

Up to ``MAX_EXACT`` measures every subset is run (2^n batch members, as one vectorised run in chunks:
``simulation.run_variants``); beyond, the values are estimated from sampled orders (permutations),
with their standard error; the estimates still sum to the package's effect exactly, since the
marginal effects along each order do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import dims
from ..accounting import sectors_from_sources
from ..errors import UsageError

MAX_EXACT = 12          # 2^12 = 4 096 batch members
CHUNK = 256             # batch members run at once (memory)
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


def shapley_sampled(values: dict[int, np.ndarray], orders: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shapley estimates (n, ...) and their standard errors from the marginal effects along sampled
    orders; ``values`` maps a subset's bit mask to v(S)."""
    k, n = orders.shape
    contributions = []
    for order in orders:
        marginal = [None] * n
        mask = 0
        for i in order:
            marginal[i] = values[mask | (1 << i)] - values[mask]
            mask |= 1 << i
        contributions.append(np.stack(marginal))
    c = np.stack(contributions)                                    # (k, n, ...)
    se = c.std(axis=0, ddof=1) / np.sqrt(k) if k > 1 else np.full(c.shape[1:], np.nan)
    return c.mean(axis=0), se


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
    standard_error: np.ndarray | None     # (n, 2, M, S) when sampled
    first_in: np.ndarray | None           # (n, 2, M, S) (exact, or sampled runs that hold them)
    last_in: np.ndarray | None
    yearly: np.ndarray | None = None      # (n, T, M): Shapley values of every year, all sectors (wedges)
    yearly_total: np.ndarray | None = None   # (T, M)
    sectors: tuple[str, ...] = dims.SECTORS

    @property
    def interaction(self) -> np.ndarray | None:
        """Package effect minus the sum of the measures' effects alone (2, M, S)."""
        return None if self.first_in is None else self.total - self.first_in.sum(axis=0)


def _package(scenario):
    own = list(scenario.own)
    if not own:
        raise UsageError(f"scenario {scenario.name!r} adds no measures to the one it extends: nothing to attribute")
    adaptive = [m.label for m in own if m.adoption == "adaptive"]
    if adaptive:
        raise UsageError(f"adaptive measures cannot be attributed ({', '.join(adaptive)}): whether they act "
                         "depends on the run; write them without adoption = \"adaptive\"")
    return own


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


def _run_subsets(scenario, own, subset_bits, year, span, seed) -> tuple[dict, dict]:
    """v(S) for the subsets given as bit masks: (2, M, S) in the year and span, and (T, M) every year."""
    from ..scenario import compose
    from ..simulation import run_variants

    point: dict[int, np.ndarray] = {}
    yearly: dict[int, np.ndarray] = {}
    bits = list(subset_bits)
    for start in range(0, len(bits), CHUNK):
        chunk = bits[start:start + CHUNK]
        variants = [compose(scenario.inherited, [m for i, m in enumerate(own) if b >> i & 1], package=own)
                    for b in chunk]
        model = run_variants(scenario, variants, seed=seed)
        values, totals = _values(model, year, span)
        for j, b in enumerate(chunk):
            point[int(b)], yearly[int(b)] = values[j], totals[j]
    return point, yearly


def attribute(scenario, year: int = 2030, span_from: int | None = None, permutations: int = DEFAULT_PERMUTATIONS,
              seed: int = 0, max_exact: int = MAX_EXACT) -> Attribution:
    """Attribute the effect of ``scenario``'s own measures (a ``Scenario`` or a path) against the
    scenario it extends, in ``year`` and summed from ``span_from`` (default: the first start year of
    the package, not before 2010) to ``year``."""
    from ..scenario import load

    if isinstance(scenario, (str, Path)):
        scenario = load(scenario)
    if not dims.BASE_YEAR < year <= dims.FINAL_YEAR:
        raise UsageError(f"--year must be from {dims.BASE_YEAR + 1} to {dims.FINAL_YEAR} (got {year})")
    own = _package(scenario)
    n = len(own)
    start = span_from if span_from is not None else max(dims.BASE_YEAR + 1, min(m.start_year for m in own))
    if not dims.BASE_YEAR < start <= year:
        raise UsageError(f"the cumulative span must start after {dims.BASE_YEAR} and not after --year {year} "
                         f"(got {start})")
    span = (start, year)
    base = Path(scenario.files[-2][0]).stem if len(scenario.files) > 1 else "(no measures)"
    measures = [(m.kind, m.label) for m in own]
    full = 2 ** n - 1
    if n <= max_exact:
        values, yearly = _run_subsets(scenario, own, range(2 ** n), year, span, seed)
        v = np.stack([values[b] for b in range(2 ** n)])
        y = np.stack([yearly[b] for b in range(2 ** n)])
        return Attribution(scenario.name, base, year, span, measures, True, 2 ** n, v[full] - v[0],
                           shapley_exact(v), None, first_in(v), last_in(v), shapley_exact(y), y[full] - y[0])
    if permutations < 2:
        raise UsageError(f"--permutations must be at least 2 (got {permutations})")
    orders = sampled_orders(n, permutations, seed)
    bits = set(order_subsets(orders).tolist()) | {1 << i for i in range(n)} | {full & ~(1 << i) for i in range(n)}
    values, yearly = _run_subsets(scenario, own, sorted(bits), year, span, seed)
    phi, se = shapley_sampled(values, orders)
    first = np.stack([values[1 << i] - values[0] for i in range(n)])
    last = np.stack([values[full] - values[full & ~(1 << i)] for i in range(n)])
    return Attribution(scenario.name, base, year, span, measures, False, len(bits), values[full] - values[0],
                       phi, se, first, last, shapley_sampled(yearly, orders)[0], yearly[full] - yearly[0])


# -- tables ------------------------------------------------------------------------------------------------

def _areas(municipalities: list[str] | None) -> list[tuple[str, list[int]]]:
    picked = municipalities or list(dims.MUNICIPALITIES)
    areas = [(m, [dims.MUNICIPALITIES.index(m)]) for m in picked]
    if municipalities is None:
        areas.append(("all 13", list(range(len(dims.MUNICIPALITIES)))))
    return areas


def rows(result: Attribution, municipalities: list[str] | None = None) -> tuple[tuple[str, ...], list[tuple]]:
    """One row per area and measure (plus the package total and the interaction residual), all sectors
    together [kt CO2e/yr in the year; kt CO2e over the span]."""
    sampled = result.standard_error is not None
    header = ("municipality", "measure", "kind", f"shapley_{result.year}") + (("std_error",) if sampled else ()) + \
        ("first_in", "last_in", f"shapley_{result.span[0]}_{result.span[1]}")
    out = []
    for name, idx in _areas(municipalities):
        def kt(a, k=0):
            return a[..., k, :, :][..., idx, :].sum(axis=(-1, -2)) / 1e3
        for i, (kind, label) in enumerate(result.measures):
            se = (f"{kt(result.standard_error[i]):.2f}",) if sampled else ()
            out.append((name, label, kind, f"{kt(result.shapley[i]):+.2f}") + se +
                       (f"{kt(result.first_in[i]):+.2f}", f"{kt(result.last_in[i]):+.2f}",
                        f"{kt(result.shapley[i], 1):+.1f}"))
        blank = ("",) if sampled else ()
        out.append((name, "(interaction)", "", f"{kt(result.interaction):+.2f}") + blank +
                   ("", "", f"{kt(result.interaction, 1):+.1f}"))
        out.append((name, "(package)", "", f"{kt(result.total):+.2f}") + blank + ("", "", f"{kt(result.total, 1):+.1f}"))
    return header, out


def long_rows(result: Attribution, municipalities: list[str] | None = None) -> tuple[tuple[str, ...], list[tuple]]:
    """Tidy rows for CSV: area, measure, kind, sector, quantity, value [t CO2e/yr or t CO2e]."""
    header = ("scenario", "base", "municipality", "measure", "kind", "sector", "quantity", "value", "unit")
    out = []
    quantities = [("shapley", result.shapley), ("first_in", result.first_in), ("last_in", result.last_in)]
    if result.standard_error is not None:
        quantities.append(("std_error", result.standard_error))
    for name, idx in _areas(municipalities):
        for k, (span_name, unit) in enumerate(((str(result.year), "t yr-1"),
                                               (f"{result.span[0]}-{result.span[1]}", "t"))):
            for q, arr in quantities:
                for i, (kind, label) in enumerate(result.measures):
                    for s, sector in enumerate(result.sectors):
                        out.append((result.scenario, result.base, name, label, kind, sector, f"{q}_{span_name}",
                                    round(float(arr[i, k, idx, s].sum()), 3), unit))
            for s, sector in enumerate(result.sectors):
                out.append((result.scenario, result.base, name, "(package)", "", sector, f"total_{span_name}",
                            round(float(result.total[k, idx, s].sum()), 3), unit))
    return header, out


def to_json(result: Attribution, municipalities: list[str] | None = None) -> dict:
    """Per area a block with ``total`` and ``measures`` (kind, label, shapley, ... ), in t CO2e/yr for
    the year and t CO2e for the cumulative span; sector detail under ``by_sector``."""
    def pack(arr, idx, k):
        return round(float(arr[k, idx, :].sum()), 3)

    def sectors(arr, idx, k):
        return {s: round(float(arr[k, idx, j].sum()), 3) for j, s in enumerate(result.sectors)}

    blocks = {}
    for name, idx in _areas(municipalities):
        measures = []
        for i, (kind, label) in enumerate(result.measures):
            item = {"kind": kind, "label": label, "shapley": pack(result.shapley[i], idx, 0),
                    "shapley_cumulative": pack(result.shapley[i], idx, 1),
                    "first_in": pack(result.first_in[i], idx, 0), "last_in": pack(result.last_in[i], idx, 0),
                    "by_sector": sectors(result.shapley[i], idx, 0)}
            if result.standard_error is not None:
                item["std_error"] = pack(result.standard_error[i], idx, 0)
            measures.append(item)
        blocks[name] = {"total": pack(result.total, idx, 0), "total_cumulative": pack(result.total, idx, 1),
                        "interaction": pack(result.interaction, idx, 0), "measures": measures}
    return {"scenario": result.scenario, "base": result.base, "year": result.year,
            "cumulative_years": list(result.span), "units": {"year": "t CO2e/yr", "cumulative": "t CO2e"},
            "method": "exact Shapley over all subsets" if result.exact else
                      "Shapley estimated from sampled orders (std_error: standard error of the estimate)",
            "runs": result.n_runs, "municipalities": blocks}
