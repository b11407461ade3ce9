"""Energy supply: waste incineration and the fossil fuels of district heating.

The inventory counts waste incineration under energy supply in the municipality
that hosts the plant, not where the waste comes from. Plants do not move, so each
host's 2009 emissions (inventory, or plant register where the inventory is
silent) are carried forward with two indices from the other submodels:

    E_incineration(t) = E_incineration(2009) * F(t) / F(2009)
    E_dh_fuels(t)     = E_dh_fuels(2009)     * Q(t) / Q(2009)

F is the fossil CO2 of the incinerated waste of the host's own residents (waste
submodel: it falls when plastics are sorted out or waste is diverted), Q the
district-heat demand of its buildings (buildings submodel). A municipality with no
plant stays at zero whatever its own waste does (its waste is burned elsewhere).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import dims
from ..parameters import Params
from .other_sectors import estimated_levels, gas_profile, plant_sum

SOURCES = ("waste_incineration", "district_heating_fuels")


def base_year_co2e() -> dict[str, np.ndarray]:
    """Bottom-up 2009 estimates [t CO2e], (M,): plant-register sums per host municipality."""
    return {
        "waste_incineration": np.array([plant_sum(m, "waste_incineration") for m in dims.MUNICIPALITIES]),
        "district_heating_fuels": np.array([plant_sum(m, "district_heating") for m in dims.MUNICIPALITIES]),
    }


@dataclass
class EnergySupplyState:
    base: dict[str, np.ndarray]          # source -> (D, M, G) calibrated 2009 gas masses
    fossil_co2_2009: np.ndarray          # (D, M) index base F(2009)
    district_heat_2009: np.ndarray       # (D, M) index base Q(2009)


def init_state(incineration_fossil_co2: np.ndarray, district_heat_demand: np.ndarray, params: Params,
               levels: dict[str, np.ndarray] | None = None) -> EnergySupplyState:
    """2009 emissions per source: the calibrated ``levels`` (D, M, G) if given, else the plant register."""
    if levels is None:
        levels = estimated_levels(base_year_co2e(), SOURCES, params)
    base = {s: np.array(levels[s], dtype=float) for s in SOURCES}
    return EnergySupplyState(base, incineration_fossil_co2.copy(), district_heat_demand.copy())


def _index(now: np.ndarray, base: np.ndarray) -> np.ndarray:
    """now / base, and 1 where the base is zero (no activity to index)."""
    safe = np.where(base > 0, base, 1.0)
    return np.where(base > 0, now / safe, 1.0)


def account(state: EnergySupplyState, incineration_fossil_co2: np.ndarray, district_heat_demand: np.ndarray,
            levers: dict, params: Params, year: int) -> dict:
    """Emissions per source [t gas/yr].

    Lever ``incineration_capture_share`` (D, M) in [0, 1], neutral 0: share of the
    plant's fossil CO2 captured and stored (CCS); it leaves CH4 and N2O untouched.
    """
    f_index = _index(incineration_fossil_co2, state.fossil_co2_2009)
    q_index = _index(district_heat_demand, state.district_heat_2009)
    incineration = state.base["waste_incineration"] * f_index[:, :, None]
    capture = levers.get("incineration_capture_share")
    if capture is not None:
        incineration = incineration.copy()
        incineration[:, :, 0] *= 1.0 - capture
    return {"emissions": {"waste_incineration": incineration,
                          "district_heating_fuels": state.base["district_heating_fuels"] * q_index[:, :, None]}}
