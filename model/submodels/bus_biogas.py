"""Biogas in the municipality's buses: the share of the diesel buses' fuel it replaces (methods §4.1, §1.6).

Two measure kinds put biogas in buses: ``bus_biogas`` sets the share outright (lever ``bus_biogas_share``), and
``biogas_from_food_waste`` digests a share of the residents' food waste for them (lever
``food_waste_to_bus_biogas``), whose biomethane replaces as much of the buses' diesel as it can: the share is
reckoned each year against the diesel the buses burn that year, from each draw's own parameters (the food share
of household waste, the biogas yield, the energy ratio of gas buses), so that an ensemble samples it and a
scenario's ``[parameters]`` reach it. Pure functions: arrays in, arrays out.
"""

from __future__ import annotations

import numpy as np

from ..levers import acting
from ..parameters import Params
from .waste_generation import FRACTIONS, composition


def food_waste_biogas(food_share: np.ndarray, waste_per_capita: float, food_fraction: np.ndarray,
                      biogas_yield: np.ndarray) -> np.ndarray:
    """Biomethane made for the buses from the residents' food waste [kWh/inhabitant/yr]:
    ``B = w * c_food * s * yield``.

    ``food_share`` s [1]: the share of household food waste digested for the buses (capture x digestion x bus
    use, lever ``food_waste_to_bus_biogas``); ``waste_per_capita`` w [t/inhabitant/yr]: household waste (the
    national figure of 2009, observations, SSB); ``food_fraction`` c_food [1]; ``biogas_yield`` [kWh/t].
    Arguments broadcast. Example (the defaults, Oslo's capture): s = 0.45, w = 0.42 t, c_food = 0.237, 900 kWh/t:
    B = 40.31 kWh.
    """
    return food_share * waste_per_capita * food_fraction * biogas_yield


def food_waste_bus_share(biogas: np.ndarray, bus_diesel: np.ndarray, gas_energy_ratio: np.ndarray) -> np.ndarray:
    """Share of the diesel buses' fuel that the biomethane ``biogas`` B [kWh/yr] replaces [1]:
    ``min(1, B / (r D))`` with ``bus_diesel`` D [kWh/yr] the diesel the buses would burn this year without it and
    ``gas_energy_ratio`` r [1] the kWh of gas a gas bus burns per kWh of diesel it replaces (so the gas burnt is B
    where it does not replace all the diesel); 0 where the buses burn no diesel. Arguments broadcast.
    Example: B = 40.31 kWh, D = 294.14 kWh, r = 1.2: 40.31 / 352.97 = 0.1142.
    """
    diesel = np.asarray(gas_energy_ratio * bus_diesel, dtype=float)
    share = np.divide(biogas, diesel, out=np.zeros(np.broadcast_shapes(np.shape(biogas), diesel.shape)),
                      where=diesel > 0)
    return np.minimum(1.0, share)


def national_waste_per_capita() -> float:
    """Norway's household waste per inhabitant in 2009 [t/inhabitant/yr] (observations, SSB): the waste the
    share of food waste for the buses is taken of, as every municipality's own waste starts from it."""
    from ..data_store import find

    return float(find("norway", "household_waste_per_capita", 2009).value)


def bus_biogas_share(levers: dict, params: Params, population: np.ndarray | None = None,
                     bus_diesel: np.ndarray | None = None) -> np.ndarray | None:
    """The share of the diesel buses' fuel replaced by biogas this year ``(D, M)`` [1]: the larger of the
    lever ``bus_biogas_share`` and what the food waste digested for the buses gives against this year's diesel of
    the buses ``bus_diesel`` (D, M) [kWh/yr] (:func:`food_waste_biogas` of each draw's parameters times
    ``population`` (D, M), :func:`food_waste_bus_share`); None where neither acts. The biogas made is burnt as long
    as diesel buses are left to burn it, whatever zero-emission buses or more departures do to their diesel."""
    direct, food = acting(levers, "bus_biogas_share"), acting(levers, "food_waste_to_bus_biogas")
    if food is None:
        return direct
    from_food = food_waste_bus_share(_made(food, params, population), bus_diesel,
                                     params["transport.biogas_bus_energy_ratio"][:, None])
    return from_food if direct is None else np.maximum(direct, from_food)


def _made(food: np.ndarray, params: Params, population: np.ndarray) -> np.ndarray:
    """The biogas made for the buses [kWh/yr]: :func:`food_waste_biogas` of the lever ``food`` and each draw's
    parameters (``(..., D, M)``, a leading year axis allowed), times ``population``."""
    return food_waste_biogas(food, national_waste_per_capita(), composition(params)[:, FRACTIONS.index("food"), None],
                             params["waste.biogas_yield"][:, None]) * population
