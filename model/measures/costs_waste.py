"""What the waste kinds cost: each kind's declaration (``COSTS`` at the end, attached to the kinds in ``waste.py``)
and the quantities the items read: treatment and separate collection of household waste, landfill gas
extracted, and capture and storage of the CO2 of waste incineration. Conventions: ``costing.py``.

Costed kinds: landfill_ban, source_separation, recycling_target,
landfill_gas_capture, biogas_from_food_waste and incineration_ccs.
"""

from __future__ import annotations

import numpy as np

from .. import dims
from . import costing, costs_transport
from .base import CostItem, Costs
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


# ---------------------------------------------------------------- what each kind costs (attached in waste.py)

COSTS = {
    "landfill_ban": Costs(waste_items()[:1], not_counted=("the landfill tax (a transfer)",)),
    "waste_prevention": costing.not_costed(
        "the cost of prevention (reuse, repair) and the value of goods not bought are not in the reference (GAP)"),
    "food_waste_reduction": costing.not_costed(
        "the reference gives only Klimatiltak i Norge 2025 J02 (250 NOK/t), which prices the food production "
        "avoided (consumption-based), not the territorial effect"),
    "source_separation": Costs(waste_items()),
    "recycling_target": Costs(waste_items()),
    "landfill_gas_capture": Costs(
        (costing.level_item("operation", "resource", "users",
                            "change in landfill CH4 recovered [t/yr] x cost.landfill_gas_capture.cost_per_t_ch4 (2019 "
                            "NOK/t CH4, from Klimakur 2030 A01's class)", landfill_gas_cost,
                            ("cost.landfill_gas_capture.cost_per_t_ch4",)),)),
    "biogas_from_food_waste": Costs(
        waste_items() + (costs_transport.gas_bus_item(), costing.energy_item()),
        not_counted=("upgrading and liquefying the biogas beyond the treatment cost",)),
    "incineration_ccs": Costs(
        (CostItem("operation", "resource", "public",
                  "fossil CO2 of incineration removed / cost.incineration_ccs.fossil_share x "
                  "cost.incineration_ccs.cost_per_t (2019 NOK per t captured, full chain)",
                  ccs_cost,
                  ("cost.incineration_ccs.fossil_share", "cost.incineration_ccs.cost_per_t")),),
        not_counted=("the value of the captured biogenic CO2 (negative emissions; not in the territorial inventory)",
                     "state support (a transfer)")),
    "green_procurement": costing.not_costed(
        "no territorial effect, and the price premium of green purchases is a GAP in the reference"),
}
