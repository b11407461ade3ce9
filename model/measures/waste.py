"""Measure kinds of consumption and waste."""

from __future__ import annotations

from .base import MeasureKind, field_levers, share

KINDS = (
    MeasureKind(
        "landfill_ban", "consumption_waste",
        "Ban on landfilling biodegradable waste: the biodegradable fractions that would have been "
        "landfilled go to incineration and biological treatment instead.",
        (share("compliance", "share of the biodegradable waste otherwise landfilled that is diverted"),),
        field_levers({"compliance": "landfill_ban"}),
        source="Avfallsforskriften § 9-4 (2009); methods §4.1",
    ),
)
