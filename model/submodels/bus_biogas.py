"""Biogas in the municipality's buses: the share of the diesel buses' fuel it replaces (methods §4.1, §1.6).

Two measure kinds put biogas in buses: ``bus_biogas`` sets the share outright (lever ``bus_biogas_share``), and
``biogas_from_food_waste`` digests a share of the residents' food waste for them (lever
``food_waste_to_bus_biogas``), whose biomethane replaces as much of the buses' diesel as it can. The second is
computed here from each draw's own parameters (the food share of household waste, the biogas yield, the buses'
diesel and the energy ratio of gas buses), so that an ensemble samples it and a scenario's ``[parameters]``
reach it. Pure functions: arrays in, arrays out.
"""

from __future__ import annotations

import numpy as np

from ..levers import acting
from ..parameters import Params
from .waste_generation import FRACTIONS, composition


def food_waste_bus_share(food_share: np.ndarray, waste_per_capita: float, food_fraction: np.ndarray,
                         biogas_yield: np.ndarray, bus_vkm_per_capita: np.ndarray, bus_fuel_use: np.ndarray,
                         diesel_energy: np.ndarray, gas_energy_ratio: np.ndarray) -> np.ndarray:
    """Share of the diesel buses' fuel that biomethane from the residents' food waste replaces [1].

    Per inhabitant::

        B = w * c_food * s * yield                        [kWh/inhabitant/yr] biomethane
        D = vkm_bus * fuel_bus * e_diesel                 [kWh/inhabitant/yr] bus diesel
        share = min(1, B / (r D))

    ``food_share`` s [1]: the share of household food waste digested for the buses (capture x digestion x bus
    use, lever ``food_waste_to_bus_biogas``); ``waste_per_capita`` w [t/inhabitant/yr]: household waste (the
    national figure of 2009, observations, SSB); ``food_fraction`` c_food [1]; ``biogas_yield`` [kWh/t];
    ``bus_vkm_per_capita`` [vkm/inhabitant/yr]; ``bus_fuel_use`` [L/vkm]; ``diesel_energy`` e_diesel [kWh/L];
    ``gas_energy_ratio`` r [1], the kWh of gas a gas bus burns per kWh of diesel it replaces (the share is of the
    diesel replaced, so the biogas burnt is B, not r B). Arguments broadcast.

    Example (the defaults, Oslo's capture): s = 0.45, w = 0.42 t, c_food = 0.237, 900 kWh/t, 65 vkm at 0.45 L
    and 10.056 kWh/L, r = 1.2: B = 40.31 kWh, D = 294.14 kWh, share = 40.31 / 352.97 = 0.1142.
    """
    biogas = food_share * waste_per_capita * food_fraction * biogas_yield
    diesel = bus_vkm_per_capita * bus_fuel_use * diesel_energy
    return np.minimum(1.0, biogas / (gas_energy_ratio * diesel))


def national_waste_per_capita() -> float:
    """Norway's household waste per inhabitant in 2009 [t/inhabitant/yr] (observations, SSB): the waste the
    share of food waste for the buses is taken of, as every municipality's own waste starts from it."""
    from ..data_store import find

    return float(find("norway", "household_waste_per_capita", 2009).value)


def bus_biogas_share(levers: dict, params: Params) -> np.ndarray | None:
    """The share of the diesel buses' fuel replaced by biogas this year ``(D, M)`` [1]: the larger of the
    lever ``bus_biogas_share`` and what the food waste digested for the buses gives (:func:`food_waste_bus_share`
    with each draw's parameters); None where neither acts."""
    direct, food = acting(levers, "bus_biogas_share"), acting(levers, "food_waste_to_bus_biogas")
    if food is None:
        return direct
    from_food = food_waste_bus_share(
        food, national_waste_per_capita(), composition(params)[:, FRACTIONS.index("food"), None],
        params["waste.biogas_yield"][:, None], params["transport.base_vkm_per_capita.bus"][:, None],
        params["transport.fuel_use_2009.bus"][:, None], params["transport.energy_content.diesel"][:, None],
        params["transport.biogas_bus_energy_ratio"][:, None])
    return from_food if direct is None else np.maximum(direct, from_food)
