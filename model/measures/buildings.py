"""Measure kinds of stationary energy in buildings."""

from __future__ import annotations

from .base import MeasureKind, field_levers, share

KINDS = (
    MeasureKind(
        "oil_heating_ban", "buildings_energy",
        "Ban on fossil oil and paraffin for heating buildings: no new oil or paraffin heating, existing "
        "installations phased out over the ramp.",
        (share("compliance", "share of the oil- and paraffin-heated area that has switched at full strength"),),
        field_levers({"compliance": "oil_heating_ban"}),
        source="Forskrift om forbud mot bruk av mineralolje til oppvarming av bygninger (2018); methods §3",
    ),
)
