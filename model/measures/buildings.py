"""Measure kinds of stationary energy in buildings."""

from __future__ import annotations

from .base import Field, MeasureKind, field_levers, share

KINDS = (
    MeasureKind(
        "oil_conversion_grant", "buildings_energy",
        "Grant for removing an oil boiler or paraffin stove and converting to another heating system (Enova's "
        "household support 2015-2019), per dwelling in NOK of the price year. It lowers the cost of switching in "
        "the yearly review of oil and paraffin heating.",
        (Field("grant_nok", "NOK/dwelling", None, 0.0, 200000.0, "grant per dwelling that converts", required=True,
               money=True),),
        field_levers({"grant_nok": "oil_conversion_grant"}),
        source="oil_heating_policy.csv: Enova 10 000 NOK (until 2017), 20 000 (2018), 10 000 (2019); the response "
               "follows the replacement logit's cost coefficient (buildings.logit_beta)",
    ),
    MeasureKind(
        "oil_heating_ban", "buildings_energy",
        "Ban on fossil oil and paraffin for heating buildings: no new oil or paraffin heating, existing "
        "installations phased out over the ramp.",
        (share("compliance", "share of the oil- and paraffin-heated area that has switched at full strength"),),
        field_levers({"compliance": "oil_heating_ban"}),
        source="Forskrift om forbud mot bruk av mineralolje til oppvarming av bygninger (2018); methods §3",
    ),
)
