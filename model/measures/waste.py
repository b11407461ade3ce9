"""Measure kinds of consumption and waste.

Each kind acts through the waste submodel's flows (generation by fraction, treatment shares,
landfill gas, digestion), energy supply (incineration CO2), transport (biogas buses) or the
consumption-based indicator (:mod:`framtid.model.consumption`); none cuts emissions by a fixed
percentage. Effect sizes cite ``reference/measures/buildings_waste_adaptation.csv``
(rows by ``measure_kind``) and methods.md §4; where the reference names a GAP the default is an
assumption with its reason.
"""

from __future__ import annotations

import numpy as np

from . import costing, costs_waste
from .base import Field, MeasureKind, field_levers, share

REFERENCE = "buildings_waste_adaptation.csv"


def _negated(mapping: dict[str, str]):
    """``to_levers`` for fields that are reductions of an ``add`` lever: lever = -field."""

    def to_levers(values: dict) -> dict[str, np.ndarray]:
        return {lever: -np.asarray(values[name], dtype=float) for name, lever in mapping.items()
                if values.get(name) is not None}

    return to_levers


def _biogas_levers(values: dict) -> dict[str, np.ndarray]:
    # The buses' share of the fuel is computed by transport from each draw's parameters
    # (submodels/bus_biogas.py); the lever carries the share of the food waste that feeds them.
    capture, digestion = float(values["food_capture"]), float(values["digestion_share"])
    return {"food_separation_min": np.asarray(capture), "food_digestion_share_min": np.asarray(digestion),
            "food_waste_to_bus_biogas": np.asarray(capture * digestion * float(values["bus_use"]))}


def _ccs_levers(values: dict) -> dict[str, np.ndarray]:
    return {"incineration_capture_share": np.asarray(float(values["capture_rate"]) * float(values["coverage"]))}


def _procurement_levers(values: dict) -> dict[str, np.ndarray]:
    return {"green_procurement_reduction": np.asarray(float(values["coverage"]) * float(values["reduction"]))}


KINDS = (
    MeasureKind(
        "landfill_ban", "consumption_waste",
        "Ban on landfilling waste of more than 10 % organic carbon (in Norway from 2009, called the ban on "
        "biodegradable waste): every fraction but glass and metal, mixed residual waste and its plastics "
        "included, that would have been landfilled goes to incineration and biological treatment instead.",
        (share("compliance", "share of the waste covered otherwise landfilled that is diverted"),),
        field_levers({"compliance": "landfill_ban"}),
        source="Avfallsforskriften § 9-4 (2009); methods §4.1",
    ),
    MeasureKind(
        "waste_prevention", "consumption_waste",
        "Waste prevention (reuse, repair, less packaging): less household waste per inhabitant in every "
        "fraction, so less is treated (landfill methane falls as smaller deposits decay, less fossil CO2 at "
        "incineration) and, through the non-food waste avoided, a smaller goods footprint in the "
        "consumption-based indicator.",
        (Field("reduction", "share", 0.15, 0.0, 0.9,
               "reduction of household waste per inhabitant relative to 2009 (lever waste_per_capita_change)"),),
        _negated({"reduction": "waste_per_capita_change"}),
        source="methods §4.1: household waste per inhabitant in Norway fell from 439 kg (2015) to 375 kg (2023), "
               "-15 %, the default; the reference has targets for food waste only (" + REFERENCE +
               " food_waste_reduction), none for total household waste (assumption: the observed fall is a "
               "reachable prevention effect)",
    ),
    MeasureKind(
        "food_waste_reduction", "consumption_waste",
        "Less avoidable food waste (matsvinn) in households: the food fraction of household waste shrinks by "
        "the avoidable share times the reduction, and with it the food going to biological treatment, "
        "incineration and landfill (landfill CH4 falls from the next year); the food not bought lowers the "
        "consumption-based indicator.",
        (Field("reduction", "share", 0.5, 0.0, 1.0,
               "reduction of households' avoidable food waste relative to 2009 (lever food_waste_change)"),),
        _negated({"reduction": "food_waste_change"}),
        source=REFERENCE + " food_waste_reduction: national target -50 % by 2030 vs 2015 (Bransjeavtalen; "
               "interim -15 % 2020, achieved -10 % 2015-2020), 68.7 kg/inhabitant baseline, 60 % from "
               "households (parameter waste.food.avoidable_share); Klimakur J02 for the consumption effect "
               "(waste.consumption.food_per_t_avoided)",
    ),
    MeasureKind(
        "source_separation", "consumption_waste",
        "Separate collection of food waste and plastics: each fraction's share going to biological treatment "
        "(food) or material recovery (plastics) is raised to the capture rate, taken from incineration and "
        "landfill in proportion. Food leaves landfill (less CH4) and residual waste; plastics sorted out "
        "lower the fossil CO2 of incineration, which energy supply reads in host municipalities.",
        (share("food_capture", "share of household food waste collected separately for biological treatment "
                               "(capture rate; lever food_separation_min)", default=0.796),
         share("plastics_capture", "share of the plastics in household waste sorted out for material "
                                   "recovery (capture rate; lever plastics_separation_min)", default=0.5)),
        field_levers({"food_capture": "food_separation_min", "plastics_capture": "plastics_separation_min"}),
        source=REFERENCE + " source_separation: food capture 79.6 % at RIR Molde (Mepex pick analysis 2017; "
               "Oslo reached 45 %); plastics capture: GAP in the reference (only Klimakur E07 and KiN "
               "70 kt CO2e in 2030 nationally), assumption: half the plastics, between the 2009 fitted "
               "shares (0.22-0.32) and what the Molde food capture shows is reachable",
    ),
    MeasureKind(
        "recycling_target", "consumption_waste",
        "A minimum material-recovery share of household waste: recyclable fractions (paper, wood, textiles, "
        "plastics, glass and metal, other) move from incineration and landfill to material recovery, the "
        "same proportion of each, until the minimum is met.",
        (share("minimum", "minimum share of household waste to material recovery (lever "
                          "material_recovery_share_min; biological treatment not counted)", default=0.42),),
        field_levers({"minimum": "material_recovery_share_min"}),
        source=REFERENCE + " recycling_targets: EU/EEA target 60 % prepared for reuse and recycled in 2030 "
               "(55 % 2025, 65 % 2035) counts biological treatment, here 18 % (biogas 8 % + composting 10 % "
               "of household waste 2023, methods §4.1), so 0.60 - 0.18 = 0.42 material recovery (derived); "
               "Norway 41 % in 2018",
    ),
    MeasureKind(
        "landfill_gas_capture", "consumption_waste",
        "More landfill-gas extraction: at least this share of the methane the landfills generate (first-order "
        "decay of legacy and new deposits) is recovered and flared or used; the rest is emitted after "
        "oxidation in the cover.",
        (share("recovery", "minimum share of generated landfill CH4 recovered (lever landfill_gas_recovery_min)",
               default=0.33),),
        field_levers({"recovery": "landfill_gas_recovery_min"}),
        source=REFERENCE + " landfill_gas_capture: collectable share of the methane formed 25 % (25-33 %; Klif "
               "2013, about a third collected), the default is the upper end; Klimakur 2030 A01",
    ),
    MeasureKind(
        "biogas_from_food_waste", "consumption_waste",
        "Food waste to biogas for buses: food waste is collected separately (capture rate), the collected food "
        "is digested instead of composted (lower CH4 and N2O of biological treatment; biomethane at "
        "waste.biogas_yield, reported as biogas_produced) and the biomethane replaces diesel in the "
        "municipality's buses (lever food_waste_to_bus_biogas, turned by transport into a share of the buses' "
        "fuel with each draw's parameters).",
        (share("food_capture", "share of household food waste collected separately for biological treatment "
                               "(lever food_separation_min)", default=0.45),
         share("digestion_share", "share of the separately treated food waste digested to biogas instead of "
                                  "composted (lever food_digestion_share_min)", default=1.0),
         share("bus_use", "share of the biomethane that fuels the municipality's buses; the share of their "
                          "diesel it replaces is this times the biogas per inhabitant times the inhabitants over "
                          "the gas the municipality's buses would burn for this year's diesel (0.114 at the "
                          "default capture and digestion for buses at the 2009 default of 65 vkm per "
                          "inhabitant)", default=1.0)),
        _biogas_levers,
        source=REFERENCE + " biogas_food_waste and source_separation: Oslo sorts 45 % of household food waste "
               "(optical sorting) and its plant digests it to biomethane for buses (digestion_share 1, bus_use 1), "
               "900 kWh biomethane per t biowaste (waste.biogas_yield), biogenic CO2 counts zero; the biogas per "
               "inhabitant from the national household waste of 2009 (a proxy of the municipality's own food "
               "waste), against this year's diesel of the municipality's buses",
    ),
    MeasureKind(
        "incineration_ccs", "consumption_waste",
        "Carbon capture and storage at waste incineration: the captured share of the plant's fossil CO2 is "
        "not emitted (energy supply, in the municipality hosting the plant; CH4 and N2O untouched). The "
        "Klemetsrud plant in Oslo starts in the third quarter of 2029 (give start_year = 2029, ramp_years = 2).",
        (share("capture_rate", "share of the flue-gas CO2 captured at the lines with capture", default=0.9),
         share("coverage", "share of the municipality's incineration CO2 from lines with capture", default=1.0)),
        _ccs_levers,
        source=REFERENCE + " ccs_waste_incineration: Klemetsrud design capture rate 90 % (pilot up to 99 %), "
               "350 kt CO2/yr captured (about half biogenic), start Q3 2029; coverage assumption: all lines of "
               "the host (set lower where only one of several plants captures)",
    ),
    MeasureKind(
        "green_procurement", "consumption_waste",
        "Green public procurement: climate criteria on a share of the municipality's purchases lower the "
        "consumption-based emissions of those purchases by the reduction per NOK; reported in the "
        "consumption-based indicator (consumption_emissions), not in the territorial inventory.",
        (share("coverage", "share of the municipality's purchases (NOK) bought with climate criteria", default=0.5),
         share("reduction", "reduction of the emissions per NOK of the purchases covered", default=0.2)),
        _procurement_levers,
        source=REFERENCE + " green_procurement_consumption: Oslo municipality's footprint 707 kt CO2e in 2016, "
               "procurement dominates (waste.consumption.footprint.public); emission factors per NOK are a GAP, "
               "so coverage 0.5 and reduction 0.2 are assumptions (climate criteria reach the large categories "
               "such as construction, vehicles and food, and select products some tens of percent lower)",
    ),
)


KINDS = costing.attach_costs(KINDS, costs_waste.COSTS)
