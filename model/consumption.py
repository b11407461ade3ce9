"""A consumption-based indicator beside the territorial inventory: residents' footprint.

The territorial inventory counts what is emitted inside the border. The consumption-based
view counts what residents' consumption causes wherever it is emitted (food grown abroad,
goods made in Asia, the municipality's own purchases). framtid estimates it from per-capita
factors by category (parameters ``waste.consumption.footprint.*`` [t CO2e/inhabitant/yr]; a
national average split into food, housing, transport, goods, private services and the
municipality's purchases), moved by the measures whose effect on it is documented::

    C = P * (f_food + f_housing + f_transport + f_services
             + f_goods * (1 + eps * dN)
             + f_public * (1 - min(1, g)))
        - A_food * e_food                                                  [t CO2e/yr]

    dN     = N / (P * w_2009 * (1 - c_food)) - 1     relative change in non-food household waste per inhabitant
    A_food = P * w_2009 * c_food - W_food            household food waste avoided [t/yr]

``P`` inhabitants, ``w_2009`` household waste per inhabitant in 2009, ``c_food`` the food share
of household waste, ``N`` and ``W_food`` this year's non-food and food waste [t/yr] (the waste
submodel's flows, so waste prevention and food-waste reduction act through the tonnes they
avoid), ``eps`` = ``waste.consumption.goods_waste_elasticity``, ``e_food`` =
``waste.consumption.food_per_t_avoided`` [t CO2e/t] and ``g`` the lever
``green_procurement_reduction`` (share of purchases covered times the reduction per NOK).

The other categories are held at their per-capita factors: transport and heating measures do
not move this indicator yet, and no rebound (money saved spent elsewhere) is counted. The
factors are CO2e of the studies they come from; the scenario's GWP set does not re-weigh them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CATEGORIES = ("food", "housing", "transport", "goods", "services", "public")


@dataclass(frozen=True)
class ConsumptionCoefficients:
    """Per-capita factors and response parameters, arrays over draws shaped to broadcast on ``(D, M)``."""

    footprint: np.ndarray          # (D, 1, C) [t CO2e/inhabitant/yr] over CATEGORIES
    goods_elasticity: np.ndarray   # (D, 1) [1]
    food_per_t: np.ndarray         # (D, 1) [t CO2e/t food waste avoided]
    total: np.ndarray              # (D, 1) sum of the footprint over categories [t CO2e/inhabitant/yr]
    food: np.ndarray               # (D, 1) footprint of food
    goods: np.ndarray              # (D, 1) footprint of goods
    public: np.ndarray             # (D, 1) footprint of the municipality's purchases


def coefficients(params) -> ConsumptionCoefficients:
    """Read the consumption parameters once (``waste.consumption.*``)."""
    footprint = params.vector("waste.consumption.footprint", CATEGORIES)[:, None, :]
    return ConsumptionCoefficients(
        footprint=footprint,
        goods_elasticity=params.bcast("waste.consumption.goods_waste_elasticity", 2),
        food_per_t=params.bcast("waste.consumption.food_per_t_avoided", 2),
        total=footprint.sum(axis=-1), food=footprint[..., CATEGORIES.index("food")],
        goods=footprint[..., CATEGORIES.index("goods")], public=footprint[..., CATEGORIES.index("public")])


def by_category(population: np.ndarray, food_base: np.ndarray, food_now: np.ndarray, nonfood_base: np.ndarray,
                nonfood_now: np.ndarray, procurement: np.ndarray | float,
                coef: ConsumptionCoefficients) -> np.ndarray:
    """Residents' consumption-based emissions by category [t CO2e/yr], ``(D, M, C)`` over :data:`CATEGORIES`.

    population: ``(D, M)`` inhabitants; food_base, nonfood_base: ``(D, M)`` [t/yr] household food and
    non-food waste at 2009 generation per inhabitant and this year's population; food_now, nonfood_now:
    this year's [t/yr]; procurement: lever ``green_procurement_reduction`` ``(D, M)``.
    The food category falls by the food waste avoided times ``food_per_t``, not below zero.
    """
    per_capita = population[..., None] * coef.footprint
    out = per_capita.copy()
    change = np.divide(nonfood_now, nonfood_base, out=np.ones_like(nonfood_now), where=nonfood_base > 0.0) - 1.0
    out[..., CATEGORIES.index("goods")] *= np.maximum(1.0 + coef.goods_elasticity * change, 0.0)
    out[..., CATEGORIES.index("public")] *= 1.0 - np.clip(procurement, 0.0, 1.0)
    avoided = (food_base - food_now) * coef.food_per_t
    food = CATEGORIES.index("food")
    out[..., food] = np.maximum(out[..., food] - avoided, 0.0)
    return out


def emissions(population, food_base, food_now, nonfood_base, nonfood_now, procurement, coef) -> np.ndarray:
    """Total consumption-based emissions of the residents [t CO2e/yr], ``(D, M)``: :func:`by_category`
    summed over categories, computed without the category axis (it runs every year)."""
    change = np.divide(nonfood_now, nonfood_base, out=np.ones_like(nonfood_now), where=nonfood_base > 0.0) - 1.0
    goods = coef.goods * (np.maximum(1.0 + coef.goods_elasticity * change, 0.0) - 1.0)
    public = coef.public * np.clip(procurement, 0.0, 1.0)
    food = np.minimum((food_base - food_now) * coef.food_per_t, population * coef.food)
    return population * (coef.total + goods - public) - food
