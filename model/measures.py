"""Measure kinds: what a scenario's ``[[measure]]`` entries may say and what they do.

A measure kind is a small declaration: its fields (with unit, default, allowed
range and meaning) and a function mapping the fields to lever targets. The
scenario loader validates entries against the declaration; the run turns them
into lever paths (``levers.py``). Adding a kind means adding one entry to
``KINDS`` and a test.
"""

from __future__ import annotations

from dataclasses import dataclass
import numpy as np

from . import dims
from .levers import LEVERS, apply_setting, neutral_paths, strength


@dataclass(frozen=True)
class Field:
    name: str
    unit: str
    default: float | None        # used when the field is omitted; None: the lever keeps its value
    low: float
    high: float
    description: str
    lever: str                   # the lever this field sets
    required: bool = False


@dataclass(frozen=True)
class MeasureKind:
    name: str
    area: str                    # transport, buildings, waste, land_use
    description: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def to_levers(self, values: dict) -> dict[str, object]:
        """Full-strength lever targets of the fields given (omitted optional fields set nothing)."""
        return {f.lever: values[f.name] for f in self.fields if values.get(f.name) is not None}


@dataclass(frozen=True)
class Measure:
    """One validated ``[[measure]]`` entry of a scenario."""

    kind: str
    municipalities: tuple[str, ...]
    start_year: int
    ramp_years: int
    end_year: int | None
    values: dict
    label: str
    origin: str                   # file and entry, e.g. "current-policies.toml: measure[2]"

    def lever_targets(self) -> dict[str, object]:
        return KINDS[self.kind].to_levers(self.values)


def _share(name, lever, description, default=1.0, required=False):
    return Field(name, "share", default, 0.0, 1.0, description, lever, required)


KINDS = {k.name: k for k in (
    MeasureKind(
        "biofuel_blend", "transport",
        "Biofuel blended into road fuels (sales mandate). Biofuel CO2 counts as zero in the territorial "
        "inventory, so the blend lowers fossil CO2 of every petrol and diesel vehicle.",
        (_share("petrol_share", "biofuel_share_petrol", "biofuel share of petrol sold, by volume", None, True),
         _share("diesel_share", "biofuel_share_diesel", "biofuel share of diesel sold, by volume", None, True)),
    ),
    MeasureKind(
        "ev_incentives", "transport",
        "Advantages for battery-electric cars: VAT and registration-tax exemption at purchase, toll and "
        "parking discounts in use. 1 = fully exempt, 0 = pays like a petrol car; a field left out keeps the "
        "value in force. The toll and parking discounts act only where a scenario charges tolls or parking fees.",
        (_share("vat_exemption", "bev_vat_exemption", "share of the 25 % VAT a battery-electric car is spared",
                None),
         _share("registration_tax_exemption", "bev_registration_tax_exemption",
                "share of the registration tax spared", None),
         _share("toll_discount", "bev_toll_discount", "discount on tolls", None),
         _share("parking_discount", "bev_parking_discount", "discount on municipal parking fees", None)),
    ),
    MeasureKind(
        "landfill_ban", "waste",
        "Ban on landfilling biodegradable waste: the biodegradable fractions that would have been "
        "landfilled go to incineration and biological treatment instead.",
        (_share("compliance", "landfill_ban",
                "share of the biodegradable waste otherwise landfilled that is diverted"),),
    ),
    MeasureKind(
        "oil_heating_ban", "buildings",
        "Ban on fossil oil and paraffin for heating buildings: no new oil or paraffin heating, existing "
        "installations phased out over the ramp.",
        (_share("compliance", "oil_heating_ban",
                "share of the oil- and paraffin-heated area that has switched at full strength"),),
    ),
)}

COMMON_KEYS = ("kind", "municipality", "start_year", "ramp_years", "end_year", "label")


def lever_paths(measures: list[Measure], years: np.ndarray, n_draws: int) -> dict[str, np.ndarray]:
    """Turn a scenario's measures into lever paths ``(T, D, M, *extra)``.

    Measures are applied in order of start year (file order on ties): a measure that
    starts later overrides the lever values in force before it, ramping from them.
    """
    paths = neutral_paths(len(years), n_draws, len(dims.MUNICIPALITIES))
    for m in sorted(measures, key=lambda m: m.start_year):
        s = strength(years, m.start_year, m.ramp_years, m.end_year)
        idx = np.array([dims.MUNICIPALITIES.index(x) for x in m.municipalities])
        for lever, target in m.lever_targets().items():
            if lever not in LEVERS:
                raise KeyError(f"measure kind {m.kind!r} sets unknown lever {lever!r}")
            apply_setting(paths[lever], idx, s, target)
    return paths
