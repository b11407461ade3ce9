"""Base-year calibration: scale each emission source so that 2009 matches the inventory.

The submodels first compute every source bottom-up from drivers and default
parameters. The municipal inventory then pins what it observes, from the finest
level to the coarsest: sources (e.g. heating oil), sectors (heating), and sector
groups (road traffic). At each observed node the sources not yet pinned absorb
the difference in proportion to their bottom-up size; sources under no observed
node keep their bottom-up value and are reported as *estimated*, except cars
(``TRANSFERRED``), which take the geometric mean of the factors where the
inventory observes them (:func:`transfer`). A sector that follows a path and that the
inventory reports only in a later year is pinned at that value back-cast to 2009
(``other_sectors.backcast_2009``; status *derived*).

The result is one factor per municipality and source, each acting on a physical
quantity inside its submodel (territorial vs resident vkm, legacy landfill
deposits, heating-system share ...). Observed values are converted between GWP
sets through the sources' own gas profiles, so a series published with SAR or AR5
weights calibrates the same gas masses as one published with AR4.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import dims
from .accounting import gwp_vector
from .data_store import Observation, observations
from .parameters import Params
from .submodels.other_sectors import BACKCAST, backcast_2009

LEVELS = ("source", "sector", "group")  # calibration order: finest first
# Sources whose bottom-up error is systematic, so that an estimated one takes the correction the observed ones
# needed (:func:`transfer`): cars, whose factor (territorial car vkm over the residents' own) is below 1 in every
# municipality where the inventory gives cars apart (Oslo 0.52, Skien 0.60, Porsgrunn 0.95: residents drive
# much of their distance outside their municipality), and Stavanger's road traffic of 2015, left out of the
# calibration, agrees at that mean (166 kt against the inventory's 165; 220 kt at factor 1). The other sources'
# factors scatter around 1 with local causes (a plant, a port, a highway) and stay at 1 where estimated.
TRANSFERRED = ("cars",)
# Observations whose GWP basis the source does not state: taken as AR4, the set
# the Norwegian inventory used from 2015, still in 2021 (observations: gwp_ch4_current_inventory).
UNKNOWN_BASIS = "ar4"
# Status of a source whose 2009 is an inventory value of a later year back-cast along its path
# (``other_sectors.backcast_2009``): pinned like an observed one, and like one it shows how far an estimate
# per inhabitant would have lain (``discrepancy.estimate_errors``).
DERIVED = "derived"
TOLERANCE = 1e-9
# [1] how near 1 a calibration factor is taken as exactly 1 (sums of the same numbers in another order differ by
# ulps)
UNIT_FACTOR = 1e-9


@dataclass(frozen=True)
class CalibrationRow:
    """What calibration did with one observed value (or one check)."""

    municipality: str
    level: str           # source, sector, group or check
    name: str
    observed: float      # [t CO2e] in the observation's own GWP basis
    gwp_basis: str
    bottom_up: float     # model before calibration, same basis (first draw)
    calibrated: float    # model after calibration, same basis (first draw)
    note: str


@dataclass
class Calibration:
    factors: np.ndarray                    # (D, M, S) over dims.SOURCES, on each source's physical driver
    bottom_up: np.ndarray                  # (D, M, S, G) 2009 gas masses before calibration [t/yr]
    levels: np.ndarray                     # (D, M, S, G) calibrated 2009 gas masses [t/yr]
    status: dict[tuple[str, str], str]     # (municipality, source) -> observed/derived/estimated with how
    rows: list[CalibrationRow]

    def as_dict(self) -> dict[str, np.ndarray]:
        return {s: self.factors[:, :, i] for i, s in enumerate(dims.SOURCES)}

    def levels_of(self, sources) -> dict[str, np.ndarray]:
        return {s: self.levels[:, :, dims.SOURCES.index(s)] for s in sources}


def leaves(level: str, name: str) -> list[int]:
    """Indices into ``dims.SOURCES`` of the sources under an inventory node."""
    if level == "source":
        return [dims.SOURCES.index(name)]
    if level == "sector":
        return [i for i, s in enumerate(dims.SOURCES) if dims.SOURCE_SECTOR[s] == name]
    if level == "group":
        return [i for i, s in enumerate(dims.SOURCES) if dims.SOURCE_SECTOR[s] in dims.SECTOR_GROUPS[name]]
    raise ValueError(level)


def targets(municipality: str, year: int = dims.BASE_YEAR) -> list[tuple[str, str, Observation]]:
    """Observed emission nodes of one municipality in ``year``, finest level first; in 2009 with the per-capita
    sectors the inventory reports only later, back-cast to 2009 (``other_sectors.backcast_2009``, confidence
    ``other_sectors.BACKCAST``)."""
    found = []
    for o in list(observations()) + (backcast_2009(municipality) if year == dims.BASE_YEAR else []):
        if o.municipality != municipality or o.year != year or not o.variable.startswith("emissions."):
            continue
        _, level, name = o.variable.split(".", 2)
        found.append((level, name, o))
    order = {lvl: i for i, lvl in enumerate(LEVELS + ("check",))}
    return sorted(found, key=lambda t: (order[t[0]], t[1]))


def informative(factor: np.ndarray) -> np.ndarray:
    """Whether calibration factors say how far a bottom-up lay from the inventory: finite, above 0 and not 1 (a
    factor of 1, within rounding, is a bottom-up that is the inventory's own number or both zero; 0 has no
    logarithm). The transfer (:func:`transfer`) and the error of an estimate (``discrepancy.estimate_errors``)
    use the same ones."""
    factor = np.asarray(factor, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.isfinite(factor) & (factor > 0) & (np.abs(factor - 1.0) > UNIT_FACTOR)


def transfer(cal: np.ndarray, bottom_up: np.ndarray, status: dict, source: str, gwp: np.ndarray) -> None:
    """Give ``source`` where it is estimated the geometric mean of its :func:`informative` factors where the
    inventory observes it alone (status ``observed``), each draw over its own factors (so a draw's value does not
    depend on the other draws run with it), in place in ``cal`` (D, M, S, G) and ``status``; factor 1 in a draw with
    none. An estimate so corrected for the bias the observed municipalities show is still an estimate (its status
    says so, and the prediction band carries its error, ``discrepancy.fit_estimate``)."""
    j = dims.SOURCES.index(source)
    observed = [i for i, m in enumerate(dims.MUNICIPALITIES) if status[(m, source)] == "observed"]
    if not observed:
        return
    co2e = lambda x: (x[:, observed, j] * gwp[:, None, :]).sum(-1)    # noqa: E731  (D, seen)
    before, after = co2e(bottom_up), co2e(cal)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = after / before
    ok = informative(ratio)
    logs = np.log(np.where(ok, ratio, 1.0))
    factor = np.exp(logs.sum(axis=1) / np.maximum(ok.sum(axis=1), 1))                      # (D,)
    names = ", ".join(dims.MUNICIPALITIES[i] for i, used in zip(observed, ok.any(axis=0)) if used)
    for i, m in enumerate(dims.MUNICIPALITIES):
        if status[(m, source)].startswith("estimated"):
            cal[:, i, j] = bottom_up[:, i, j] * factor[:, None]
            status[(m, source)] = (f"estimated (bottom-up from drivers times the geometric mean of the factors where "
                                   f"the inventory observes {source}, in each draw: {names}; "
                                   f"{factor[0]:.2f} in the first)")


def _check_sources(name: str) -> list[int]:
    """Indices into ``dims.SOURCES`` of what a check node covers (every source, or all but F-gas products)."""
    return [i for i, s in enumerate(dims.SOURCES)
            if name == "total" or (name == "total_excl_fgas" and dims.SOURCE_SECTOR[s] != "fgas_products")]


def _checked(row: CalibrationRow, cal: np.ndarray, gwps: dict) -> CalibrationRow:
    """A check row with the model's 2009 as calibration left it, estimates transferred included (first draw;
    NaN where the check covers no source)."""
    idx = _check_sources(row.name)
    if not idx:
        return row
    m = dims.MUNICIPALITIES.index(row.municipality)
    return replace(row, calibrated=float((cal[0, m, idx] * gwps[row.gwp_basis][0]).sum()))


def _basis(o: Observation) -> str:
    return o.gwp_basis if o.gwp_basis in ("ar4", "ar5", "ar6", "sar") else UNKNOWN_BASIS


def calibrate(bottom_up: np.ndarray, params: Params,
              observed: dict[str, list[tuple[str, str, Observation]]] | None = None,
              unit_profiles: np.ndarray | None = None) -> Calibration:
    """Factors that make the 2009 sources reproduce every observed 2009 node.

    ``bottom_up``: (D, M, S, G) gas masses per source from the submodels with all
    factors equal to one. ``observed``: per municipality, the nodes to match
    (default: the embedded inventory, :func:`targets`). ``unit_profiles``: (D, S, G)
    gas masses per t CO2e (AR5 weights) of each source, used when an observed
    value must go to a source whose bottom-up estimate is zero (e.g. a plant the
    register does not list): the value is then assigned to the node's first such
    source and reported.
    """
    n_draws, n_muni, n_src, _ = bottom_up.shape
    gwps = {b: gwp_vector(params, b) for b in ("ar4", "ar5", "ar6", "sar")}
    cal = np.array(bottom_up, dtype=float)     # calibrated in place, node by node
    status: dict[tuple[str, str], str] = {}
    rows: list[CalibrationRow] = []
    for m_idx, muni in enumerate(dims.MUNICIPALITIES):
        pinned = np.zeros(n_src, dtype=bool)
        how = {}
        for level, name, obs in (observed[muni] if observed is not None else targets(muni)):
            gwp = gwps[_basis(obs)]
            if level == "check":
                # CO2e of the first draw; the calibrated side once calibration is done (_checked)
                idx = _check_sources(name)
                before = float((bottom_up[0, m_idx, idx] * gwp[0]).sum()) if idx else float("nan")
                rows.append(CalibrationRow(muni, level, name, obs.value, _basis(obs), before, float("nan"),
                                           "check only (other vintage or no framtid equivalent)"))
                continue
            idx = np.array(leaves(level, name))
            value = (cal[:, m_idx, idx] * gwp[:, None, :]).sum(-1)          # (D, len(idx)) CO2e, calibrated so far
            before = float((bottom_up[0, m_idx, idx] * gwp[0]).sum())
            fixed = pinned[idx]
            free = idx[~fixed]
            fixed_sum = value[:, fixed].sum(-1)                             # (D,)
            free_sum = value[:, ~fixed].sum(-1) if free.size else np.zeros(n_draws)
            residual = obs.value - fixed_sum
            note = ""
            if free.size and np.all(free_sum > 0):
                if np.any(residual < 0):
                    note = "finer observations exceed this total; free sources set to zero"
                scale = np.clip(residual, 0.0, None) / free_sum
                cal[:, m_idx, free] *= scale[:, None, None]
            elif free.size and np.all(residual > 0) and unit_profiles is not None:
                first = free[0]
                profile = unit_profiles[:, first]                            # (D, G)
                per_co2e = (profile * gwp).sum(-1)                           # (D,)
                cal[:, m_idx, first] = profile * (residual / per_co2e)[:, None]
                note = f"no bottom-up estimate; assigned to {dims.SOURCES[first]}"
            elif np.all(fixed_sum > 0) and np.any(np.abs(residual) > TOLERANCE * obs.value):
                # Every source is already pinned by finer observations that do not add up
                # (rounding in the published tables): rescale them all to the total.
                cal[:, m_idx, idx] *= (obs.value / fixed_sum)[:, None, None]
                note = "finer observations rescaled to this total"
            elif free.size and obs.value > 0:
                note = "free sources are zero bottom-up; the observed value cannot be allocated"
            backcast = obs.confidence == BACKCAST
            for i in free:
                how[dims.SOURCES[i]] = f"{DERIVED}: {obs.note}" if backcast else {
                    "source": "observed",
                    "sector": f"observed sector total ({name})" if idx.size > 1 else "observed",
                    "group": f"observed {name} total; split over sectors estimated",
                }[level]
            if backcast:
                note = "; ".join(filter(None, (obs.note, note)))
            pinned[idx] = True
            after = float((cal[0, m_idx, idx] * gwp[0]).sum())
            rows.append(CalibrationRow(muni, level, name, obs.value, _basis(obs), before, after, note))
        for i, s in enumerate(dims.SOURCES):
            status[(muni, s)] = how.get(s, "estimated (bottom-up from drivers)")
    for source in TRANSFERRED:
        transfer(cal, bottom_up, status, source, gwps["ar4"])
    rows = [_checked(r, cal, gwps) if r.level == "check" else r for r in rows]
    w = gwps["ar4"][:, None, None, :]
    weighed = bottom_up * w
    bu_co2e = weighed.sum(-1)
    cal_co2e = np.multiply(cal, w, out=weighed).sum(-1)
    factors = np.divide(cal_co2e, bu_co2e, out=np.ones_like(bu_co2e), where=bu_co2e > 0)
    # A value assigned to a source with no bottom-up estimate has no factor (NaN in results);
    # only level-type sources may be assigned, the modelled ones always have an estimate.
    assigned = (bu_co2e <= 0) & (cal_co2e > 0)
    factors[assigned] = np.nan
    return Calibration(factors, bottom_up, cal, status, rows)
