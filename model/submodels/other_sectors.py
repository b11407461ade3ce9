"""Sectors no measure drives yet: industry, shipping, other mobile combustion,
agriculture, aviation and F-gas products.

They follow yearly index paths (2009 = 1) so that municipal totals are complete and
comparable with the inventory:

    E(t) = E(2009) * I(t) * (1 + x(t))

E(2009) is the municipality's calibrated 2009 level (inventory, else the estimate below);
I(t) the source's path in ``model/data/sector_paths.csv`` (tools/build_sector_paths.py):
the national inventory by sector to its last year (2023), then the national projections
to 2035, then held. Industry has its own path there where registered plants make up
its 2009 level in whole or part (their share follows the plants' reports 2010-2013,
see the tool for the rule). Two parameters per
source widen or narrow the path for the uncertainty analysis:

    I_m(t) = I(t_obs) + m * (I(t) - I(t_obs))              t_obs < t <= t_proj
    I_m(t) = I_m(t_proj) * (1 + g)^(t - t_proj)             t > t_proj

with m = ``other_sectors.projection_multiplier.<source>`` (1: the projected change as
derived) and g = ``other_sectors.annual_change_after_projection.<source>`` (0: held).
x is the lever ``exogenous_change`` (one value per source, neutral 0), through which
measure kinds act on these sectors: a relative change on top of the path.

Base-year values where the inventory has none are estimated from drivers:
industry from the plant register (sum of the industrial plants' reported
emissions), the rest from population times the median per-capita emission of the
municipalities whose inventory reports the sector. Where the inventory reports one of
these per-capita sectors only in a later year (Stavanger's inventory of 2015), that
year's value back-cast along the sector's observed path sets the 2009 level instead
(:func:`backcast_2009`): a port's shipping is no per-inhabitant quantity, and the path
is what the model carries the level forward on, so the later year is met as observed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from .. import dims
from ..accounting import GWP_SETS, gwp_vector
from ..data_store import Observation, find, observations, plants, sector_paths
from ..errors import DataError
from ..levers import acting, axis_labels
from ..parameters import Params

SOURCES = ("industry", "shipping", "other_mobile", "agriculture", "aviation", "fgas_products")
PER_CAPITA_SOURCES = ("shipping", "other_mobile", "agriculture", "aviation", "fgas_products")
# The confidence of a 2009 value back-cast from a later year (backcast_2009): not a grade a data file may give
# (data_store.CONFIDENCE), so calibration tells a back-cast from any observation.
BACKCAST = "back-cast"
LEVER_AXIS = axis_labels("exogenous_source")     # the sources along the last axis of lever exogenous_change
if set(LEVER_AXIS) != set(SOURCES):
    raise RuntimeError(f"lever axis exogenous_source {LEVER_AXIS} does not list the sources {SOURCES}")


def gas_profile(params: Params, source: str) -> np.ndarray:
    """Gas masses per t CO2e of a source, shape (D, G) [t gas / t CO2e].

    The parameters give each gas's share of the source's CO2e as published with
    AR5 weights (Oslo 2009 inventory by source); dividing by the AR5 GWP turns the
    shares into masses, which any GWP set can then weigh again.
    """
    shares = params.vector(f"other_sectors.gas_share.{source}", dims.GASES)
    return shares / gwp_vector(params, "ar5")


def plant_sum(municipality: str, category: str, year: int = dims.BASE_YEAR, window: int = 1) -> float:
    """Reported plant emissions [t CO2e] of a category in a municipality.

    A plant with no report in ``year`` contributes its report from the nearest
    year within ``window`` (registers have gaps); a plant that only reports later
    was not running yet and contributes nothing.
    """
    total = 0.0
    by_plant: dict[str, dict[int, float]] = {}
    for p in plants():
        if p.municipality == municipality and p.category == category:
            by_plant.setdefault(p.plant, {})[p.year] = p.t_co2e
    for reports in by_plant.values():
        near = [y for y in reports if abs(y - year) <= window]
        if near:
            total += reports[min(near, key=lambda y: (abs(y - year), y))]
    return total


def to_ar5(value: float, basis: str, source: str, params: Params) -> float:
    """An observed CO2e value re-weighted to AR5 through the source's gas profile (first draw).

    Observations come with different GWP sets (old SSB series: SAR); the profiles
    and estimates here are in AR5 weights.
    """
    if basis not in GWP_SETS:
        return value
    return value / float(gas_profile(params, source)[0] @ gwp_vector(params, basis)[0])


def per_capita_medians(population_2009: np.ndarray, params: Params) -> dict[str, float]:
    """Median 2009 emission per inhabitant [t CO2e (AR5)/inhabitant] over municipalities observing the sector."""
    out = {}
    for source in PER_CAPITA_SOURCES:
        sector = dims.SOURCE_SECTOR[source]
        ratios = [to_ar5(o.value, o.gwp_basis, source, params) / population_2009[i]
                  for i, m in enumerate(dims.MUNICIPALITIES)
                  if (o := find(m, f"emissions.sector.{sector}", dims.BASE_YEAR)) is not None]
        out[source] = float(np.median(ratios)) if ratios else 0.0
    return out


def backcast_2009(municipality: str) -> list[Observation]:
    """2009 values [t CO2e, the observation's GWP basis] of the per-capita sectors the inventory reports for
    ``municipality`` only in a later year: the earliest such year's value divided by the sector's path index in
    that year (``sector_paths.csv``, within its observed segment, the same in every draw), with confidence
    :data:`BACKCAST`. Sectors with a 2009 value of their own (as sector or as source: each of these sectors is one
    source of the same name), years past the observed segment (where the index depends on the draw's projection
    parameters) and an index of 0 give none. These values are not observations of 2009, so
    :func:`per_capita_medians` does not see them (they are not in ``data_store.observations()``)."""
    paths = default_paths()
    later: dict[str, list[Observation]] = {}   # the municipality's values after 2009 in the path's observed years
    for o in observations():
        if o.municipality == municipality and o.year is not None and dims.BASE_YEAR < o.year <= paths.last_observed:
            later.setdefault(o.variable, []).append(o)
    m = dims.MUNICIPALITIES.index(municipality)
    out = []
    for source in PER_CAPITA_SOURCES:
        variable = f"emissions.sector.{dims.SOURCE_SECTOR[source]}"
        own = (variable, f"emissions.source.{source}")
        if variable not in later or any(find(municipality, v, dims.BASE_YEAR) is not None for v in own):
            continue
        o = min(later[variable], key=lambda x: x.year)
        index = float(paths.index[source][m, o.year - dims.BASE_YEAR])
        if not index > 0:
            continue
        out.append(replace(o, year=dims.BASE_YEAR, value=o.value / index, confidence=BACKCAST,
                           note=f"the inventory's {o.year} value ({o.value:,.0f} t) back-cast along the sector's "
                                f"path (index {index:.4f} in {o.year})"))
    return out


def base_year_co2e(population_2009: np.ndarray, params: Params) -> dict[str, np.ndarray]:
    """Bottom-up 2009 estimate per source [t CO2e (AR5)], shape (M,) each."""
    medians = per_capita_medians(population_2009, params)
    out = {s: population_2009 * medians[s] for s in PER_CAPITA_SOURCES}
    out["industry"] = np.array([plant_sum(m, "industry") for m in dims.MUNICIPALITIES])
    return out


@dataclass
class OtherSectorsState:
    base: dict[str, np.ndarray]      # source -> (D, M, G) gas masses in 2009, calibrated


def estimated_levels(estimates: dict[str, np.ndarray], sources, params: Params) -> dict[str, np.ndarray]:
    """Bottom-up estimates [t CO2e] (M,) as gas masses (D, M, G) through each source's gas profile."""
    return {s: estimates[s][None, :, None] * gas_profile(params, s)[:, None, :] for s in sources}


def init_state(population_2009: np.ndarray, params: Params,
               levels: dict[str, np.ndarray] | None = None) -> OtherSectorsState:
    """2009 emissions per source: the calibrated ``levels`` (D, M, G) if given, else the estimates."""
    if levels is None:
        levels = estimated_levels(base_year_co2e(population_2009, params), SOURCES, params)
    return OtherSectorsState({s: np.array(levels[s], dtype=float) for s in SOURCES})


@dataclass(frozen=True)
class Paths:
    """The default index paths (2009 = 1) of every source, per municipality, over ``dims.YEARS``."""

    index: dict[str, np.ndarray]     # source -> (M, T)
    last_observed: int               # last year of the national inventory segment
    last_projected: int              # last year of the national projections


def _segments(points, label: str) -> tuple[int, int]:
    """Last observed and last projected year of one path; its segments must come in order."""
    order = {"observed": 0, "projected": 1, "extended": 2}
    ranks = [order[p.segment] for p in sorted(points, key=lambda p: p.year)]
    if ranks != sorted(ranks) or ranks[0] != 0:
        raise DataError(f"sector_paths.csv: {label}: segments must run observed, projected, extended")
    last_obs = max(p.year for p in points if p.segment == "observed")
    last_proj = max((p.year for p in points if p.segment == "projected"), default=last_obs)
    return last_obs, last_proj


@lru_cache(maxsize=1)
def default_paths() -> Paths:
    """Read and check ``sector_paths.csv``: a national path per source, optional municipal ones, every year."""
    groups: dict[tuple[str, str], list] = {}
    for p in sector_paths():
        if p.emission_source not in SOURCES:
            raise DataError(f"sector_paths.csv: unknown emission source {p.emission_source!r}; "
                            f"known: {', '.join(SOURCES)}")
        groups.setdefault((p.emission_source, p.municipality), []).append(p)
    bounds = set()
    index = {}
    for s in SOURCES:
        if (s, "") not in groups:
            raise DataError(f"sector_paths.csv: no national path for {s}")
        arr = np.empty((len(dims.MUNICIPALITIES), len(dims.YEARS)))
        for key in [(s, "")] + [(s, m) for m in dims.MUNICIPALITIES if (s, m) in groups]:
            points = groups[key]
            label = f"{s}" + (f" in {key[1]}" if key[1] else "")
            by_year = {p.year: p.index for p in points}
            if sorted(by_year) != list(dims.YEARS) or len(points) != len(dims.YEARS):
                years = [p.year for p in points]
                twice = sorted({y for y in years if years.count(y) > 1})
                missing = [y for y in dims.YEARS if y not in by_year]
                extra = sorted(y for y in by_year if y not in dims.YEARS)
                found = "; ".join(f"{what} {', '.join(map(str, ys))}" for what, ys in
                                  (("given twice:", twice), ("missing:", missing), ("outside them:", extra)) if ys)
                raise DataError(f"sector_paths.csv: {label}: needs one row for each year "
                                f"{dims.YEARS[0]}-{dims.YEARS[-1]} ({found})")
            if by_year[dims.BASE_YEAR] != 1.0:
                raise DataError(f"sector_paths.csv: {label}: the index must be 1 in {dims.BASE_YEAR}")
            bounds.add(_segments(points, label))
            row = np.array([by_year[y] for y in dims.YEARS])
            if key[1]:
                arr[dims.MUNICIPALITIES.index(key[1])] = row
            else:
                arr[:] = row
        index[s] = arr
    if len(bounds) != 1:
        raise DataError("sector_paths.csv: every path must end its observed and projected segments in the same "
                        f"years (found {sorted(bounds)})")
    last_obs, last_proj = bounds.pop()
    return Paths(index, last_obs, last_proj)


def path_index(params: Params, year: int) -> dict[str, np.ndarray]:
    """Index (2009 = 1) of every source in ``year`` at the draws' parameters, (D, M) each (module docstring)."""
    paths = default_paths()
    k = year - dims.BASE_YEAR
    k_obs, k_proj = paths.last_observed - dims.BASE_YEAR, paths.last_projected - dims.BASE_YEAR
    out = {}
    for s in SOURCES:
        path = paths.index[s]                                                   # (M, T)
        if year <= paths.last_observed:
            out[s] = np.broadcast_to(path[:, k], (params.n_draws, path.shape[0])).copy()
            continue
        m = params[f"other_sectors.projection_multiplier.{s}"][:, None]          # (D, 1)
        g = params[f"other_sectors.annual_change_after_projection.{s}"][:, None]
        at_obs = path[None, :, k_obs]
        idx = at_obs + m * (path[None, :, min(k, k_proj)] - at_obs)
        if year > paths.last_projected:
            idx = idx * (1.0 + g) ** (year - paths.last_projected)
        out[s] = np.maximum(idx, 0.0)
    return out


def account(state: OtherSectorsState, params: Params, year: int, levers: dict | None = None) -> dict:
    """Emissions per source [t gas/yr]: base x path index x (1 + lever ``exogenous_change``).

    The lever (D, M, 6) over the axis ``exogenous_source`` (labels :data:`LEVER_AXIS`) is a
    relative change on top of the path, neutral 0; missing, it counts as 0.
    """
    index = path_index(params, year)
    change = acting(levers or {}, "exogenous_change")    # None when neutral: max(1 + 0, 0) = 1 changes nothing
    out = {}
    for s in SOURCES:
        factor = index[s]
        if change is not None:
            factor = factor * np.maximum(1.0 + change[..., LEVER_AXIS.index(s)], 0.0)
        out[s] = state.base[s] * factor[..., None]
    return {"emissions": out}


class OtherSectors:
    """The sectors no measure drives yet, in the simulation's protocol (``submodels/__init__.py``)."""

    name, decided_by, emits = "other_sectors", None, True

    def init_state(self, ctx) -> OtherSectorsState:
        levels = ctx.calibration.levels_of(SOURCES) if ctx.calibration is not None else None
        return init_state(ctx.population[0], ctx.params, levels)

    def advance(self, state: OtherSectorsState, ctx) -> OtherSectorsState:
        return state

    def account(self, state: OtherSectorsState, ctx) -> dict:
        return account(state, ctx.params, ctx.year, ctx.levers)


SUBMODEL = OtherSectors()
