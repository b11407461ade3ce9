"""Cost quantities of the waste kinds: treatment and separate collection of household waste, landfill gas
extracted, and capture and storage of the CO2 of waste incineration. Conventions: ``costing.py``.

Used by the kinds of ``waste.py`` that are costed: landfill_ban, source_separation, recycling_target,
landfill_gas_capture, biogas_from_food_waste and incineration_ccs.
"""

from __future__ import annotations

import numpy as np

from .. import dims
from .base import CostItem
from .costing import RunView, level_item, money, param


def waste_treatment_cost(view: RunView) -> np.ndarray:
    """Treatment of household waste [real 2009 NOK/yr] ``(T, D, M)``: tonnes by treatment x
    ``cost.waste.treatment.<treatment>`` (2019 NOK/t, excluding taxes)."""
    per_t = np.stack([money(view.params, f"cost.waste.treatment.{j}", 2019) for j in dims.TREATMENTS], -1)
    return (view.record["waste_by_treatment"] * per_t).sum(-1)


def separate_collection_cost(view: RunView) -> np.ndarray:
    """Separate collection [real 2009 NOK/yr] ``(T, D, M)``: tonnes to material recovery and
    biological treatment x ``cost.waste.separate_collection`` (2019 NOK/t)."""
    sorted_out = view.record["waste_by_treatment"][..., [dims.TREATMENTS.index("material_recovery"),
                                                         dims.TREATMENTS.index("biological")]].sum(-1)
    return sorted_out * money(view.params, "cost.waste.separate_collection", 2019)


def waste_items() -> tuple[CostItem, ...]:
    return (level_item("treatment", "resource", "users",
                       "change in household waste by treatment [t/yr] x cost.waste.treatment.<treatment> "
                       "(2019 NOK/t, taxes excluded; paid through the waste fees)", waste_treatment_cost,
                       tuple(f"cost.waste.treatment.{j}" for j in dims.TREATMENTS)),
            level_item("collection", "resource", "users",
                       "change in waste sorted out (material recovery and biological treatment) [t/yr] x "
                       "cost.waste.separate_collection (2019 NOK/t)", separate_collection_cost,
                       ("cost.waste.separate_collection",)))


def ccs_cost(base: RunView, run: RunView, rate) -> np.ndarray:
    """Capture, transport and storage [real 2009 NOK/yr] ``(T, D, M)``: fossil CO2 of waste incineration
    removed (base - run, t CO2) / ``cost.incineration_ccs.fossil_share`` (the plant captures biogenic
    CO2 too) x ``cost.incineration_ccs.cost_per_t`` (2019 NOK/t CO2)."""
    def co2(view):
        return view.record["emissions_gas"][..., dims.SOURCES.index("waste_incineration"), dims.GASES.index("co2")]

    p = run.params
    captured = (co2(base) - co2(run)) / param(p, "cost.incineration_ccs.fossil_share")
    return captured * money(p, "cost.incineration_ccs.cost_per_t", 2019)


def landfill_gas_cost(view: RunView) -> np.ndarray:
    """Landfill gas extracted [real 2009 NOK/yr] ``(T, D, M)``: CH4 recovered [t/yr] x
    ``cost.landfill_gas_capture.cost_per_t_ch4`` (2019 NOK/t CH4)."""
    return view.record["landfill_ch4_recovered"] * money(view.params, "cost.landfill_gas_capture.cost_per_t_ch4", 2019)
