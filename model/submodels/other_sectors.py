"""Sectors no measure drives yet: industry, shipping, other mobile combustion,
agriculture, aviation and F-gas products.

They follow exogenous trajectories so that municipal totals are complete and
comparable with the inventory: ``E(t) = E(2009) * (1 + g)^(t - 2009)`` with one
annual rate ``g`` per source (parameter ``other_sectors.annual_change.<source>``,
0 by default: the reference holds 2009 activity and policy constant).

Base-year values where the inventory has none are estimated from drivers:
industry from the plant register (sum of the industrial plants' reported
emissions), the rest from population times the median per-capita emission of the
municipalities whose inventory reports the sector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import dims
from ..accounting import GWP_SETS, gwp_vector
from ..data_store import find, plants
from ..parameters import Params

SOURCES = ("industry", "shipping", "other_mobile", "agriculture", "aviation", "fgas_products")
PER_CAPITA_SOURCES = ("shipping", "other_mobile", "agriculture", "aviation", "fgas_products")


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


def account(state: OtherSectorsState, params: Params, year: int) -> dict:
    """Emissions per source [t gas/yr]: base x (1 + g)^(year - 2009)."""
    out = {}
    for s, base in state.base.items():
        growth = (1.0 + params[f"other_sectors.annual_change.{s}"]) ** (year - dims.BASE_YEAR)
        out[s] = base * growth[:, None, None]
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
        return account(state, ctx.params, ctx.year)


SUBMODEL = OtherSectors()
