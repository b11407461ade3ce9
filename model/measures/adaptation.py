"""Measure kinds of adaptation to climate change: less sealed surface, green areas, stormwater, flood-safe location.

Each kind sets one or two levers of the adaptation submodel (``submodels/adaptation.py``), which
turns them into surface areas, runoff and flood exposure; none of them changes an emission. What
a measure builds stays built (the submodel keeps the largest value reached): ``end_year`` stops
further building, and a ramp is the pace of building.
"""

from __future__ import annotations

from . import costing
from .base import Field, MeasureKind, field_levers, share

_COEFFICIENTS = ("runoff coefficients of roofs 0.9, paved ground 0.8, sedum roofs 0.4 (Svenskt Vatten P110) and "
                 "green ground 0.2 (methods §5.1: lawns and parks 0.1-0.3); "
                 "buildings_waste_adaptation.csv (reference/measures), parameters "
                 "adaptation.runoff_coefficient.*")

KINDS = (
    MeasureKind(
        "green_roofs", "adaptation",
        "Green (sedum) roofs on new buildings and retrofitted on existing roofs: a green roof sheds less of a "
        "design rain (runoff coefficient 0.4 against 0.9) and retains about a quarter of the annual precipitation. "
        "Green roofs stay sealed ground.",
        (share("new_share", "share of the roof area of buildings built from the start year that is green", None),
         share("existing_share", "share of the 2009 roof area retrofitted with green roofs at full strength "
               "(the ramp is the pace of retrofitting)", None)),
        field_levers({"new_share": "green_roof_share_new", "existing_share": "green_roof_share_existing"}),
        source="sedum roof runoff coefficient 0.4 (0.2-0.6) against 0.9 for a roof, Svenskt Vatten P110 via a "
               "Swedish report (low confidence); annual retention 24-25 % in Oslo, NVE report 65/2014, and 11-30 % at "
               "four Norwegian sites (Johannessen et al. 2018, methods §5.1): buildings_waste_adaptation.csv rows "
               "green_roof; parameters adaptation.runoff_coefficient.green_roof, "
               "adaptation.annual_runoff_coefficient.green_roof; new roof area = new floor area / adaptation.storeys.*",
    ),
    MeasureKind(
        "depaving", "adaptation",
        "Opening paved ground (streets, squares, parking, yards; roofs are never opened) to green, permeable "
        "ground: a share of the paved area of every zone, now and as it grows.",
        (share("paved_share_opened", "share of the paved (non-roof) sealed ground opened to green ground", None,
               required=True),),
        field_levers({"paved_share_opened": "depaving_share"}),
        source=_COEFFICIENTS + "; the opened ground takes the green-ground coefficient (buildings_waste_adaptation.csv "
                               "rows depaving_permeable_surfaces: asphalt 0.8 -> grass 0.1)",
    ),
    MeasureKind(
        "green_areas", "adaptation",
        "A minimum green (unsealed) share of the developed area of each zone type, as a zoning plan or a "
        "blue-green factor sets it: where densification would push the green share below it, paved ground is "
        "opened (or kept open) to hold it. Roofs are not opened; green roofs do not count.",
        (Field("green_share", "share", None, 0.0, 1.0, "minimum green share of the zone type's developed area",
               axis="zone", required=True),),
        field_levers({"green_share": "green_area_share_min"}),
        source=_COEFFICIENTS + "; per-zone surface accounts as methods §5.2 recommends",
    ),
    MeasureKind(
        "detention_volume", "adaptation",
        "Stormwater detention (ponds, tanks, retention on roofs and in the ground) per hectare of sealed area. "
        "Over the 10-minute design rain a volume V per hectare of sealed area takes V / (600 s) off the sealed "
        "area's peak flow (never below zero); green ground drains as before.",
        (Field("m3_per_ha", "m3/ha", None, 0.0, 2000.0, "detention volume in place per hectare of sealed area at "
               "full strength", required=True),),
        field_levers({"m3_per_ha": "detention_volume"}),
        source="methods §5.1, detention volume for a design storm V = (C i - q_out) A duration, turned round: "
               "q_out = C i - V / (A duration); the design duration adaptation.design_duration (10 min). The volume "
               "a municipality requires is the planner's value: no published m3/ha figure was found "
               "(buildings_waste_adaptation.csv row detention_volume: GAP)",
    ),
    MeasureKind(
        "flood_safe_location", "adaptation",
        "Keeping new building out of flood-exposed areas (below the 200-year flood or storm-surge level, the "
        "limit of TEK17 safety class F2 for most dwellings) through zoning: the share of the new floor area that "
        "would have been placed there that is placed elsewhere.",
        (share("share_kept_out", "share of the new floor area that would be flood-exposed that is placed outside "
               "flood-exposed areas"),),
        field_levers({"share_kept_out": "flood_safe_location_share"}),
        source="TEK17 §7-2 flood safety classes F1 1/20, F2 1/200, F3 1/1000 per year (buildings_waste_adaptation.csv "
               "rows flood_safe_location, high confidence); the exposed share without the measure is an assumption "
               "(parameter adaptation.flood_exposed_share_new_build, 0.05)",
    ),
)

# -- costs (measures/costing.py; docs/model.md "Costs") --------------------------------------------------

_NO_COST = ("adaptation measures change no emission, so they have no cost per tonne; their investment costs are "
            "not in the reference (buildings_waste_adaptation.csv gives effects only)")

KINDS = costing.attach_costs(KINDS, {k.name: costing.not_costed(_NO_COST) for k in KINDS})
