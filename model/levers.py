"""Levers: the numeric policy variables the submodels read each year.

A lever is what a measure changes inside the model (a biofuel share, a toll in
NOK per crossing, a compliance share of a ban). Every lever has a neutral value
(no policy) and a rule for combining several measures that set it. The scenario's
measures are turned into one array per lever over all years at the start of a
run, shape ``(T, D, M, *extra)``; the simulation hands the submodels the slice of
the current year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import dims


@dataclass(frozen=True)
class Lever:
    name: str
    unit: str
    neutral: float
    extra: tuple[tuple[str, ...], ...]   # extra axes after (D, M), as label tuples
    low: float
    high: float
    description: str


def _lever(name, unit, neutral, low, high, description, extra=()):
    return Lever(name, unit, neutral, tuple(extra), low, high, description)


LEVERS = {lv.name: lv for lv in (
    # transport
    _lever("biofuel_share_petrol", "share of volume", 0.0, 0.0, 1.0, "biofuel blended into petrol"),
    _lever("biofuel_share_diesel", "share of volume", 0.0, 0.0, 1.0, "biofuel blended into diesel"),
    _lever("toll_nok", "NOK/crossing", 0.0, 0.0, 500.0, "toll per cordon crossing for petrol and diesel cars",
           (dims.PERIODS,)),
    _lever("cordon_crossing_share", "share of trips", 0.0, 0.0, 1.0, "trips crossing a charged cordon",
           (dims.ZONES, dims.PURPOSES)),
    _lever("parking_fee_nok", "NOK/trip", 0.0, 0.0, 500.0, "parking fee at the destination of a car trip",
           (dims.ZONES,)),
    _lever("pt_fare_change", "relative change", 0.0, -1.0, 5.0, "change in public-transport fares"),
    _lever("pt_service_change", "relative change", 0.0, -0.9, 5.0, "change in public-transport frequency"),
    _lever("bev_vat_exemption", "share", 0.0, 0.0, 1.0, "share of VAT battery-electric cars are spared"),
    _lever("bev_registration_tax_exemption", "share", 0.0, 0.0, 1.0,
           "share of the registration tax battery-electric cars are spared"),
    _lever("bev_toll_discount", "share", 0.0, 0.0, 1.0, "toll discount for battery-electric cars"),
    _lever("bev_parking_discount", "share", 0.0, 0.0, 1.0, "parking discount for battery-electric cars"),
    _lever("zero_emission_share_new_van", "share", 0.0, 0.0, 1.0, "zero-emission share of new vans"),
    _lever("zero_emission_share_new_heavy", "share", 0.0, 0.0, 1.0, "zero-emission share of new heavy vehicles"),
    _lever("zero_emission_share_new_bus", "share", 0.0, 0.0, 1.0, "zero-emission share of new buses"),
    _lever("car_ownership_change", "relative change", 0.0, -0.9, 1.0, "change in cars per inhabitant"),
    # land use
    _lever("densification", "share of growth", 0.0, 0.0, 1.0,
           "population growth redirected from the trend allocation to central zones"),
    # buildings
    _lever("oil_heating_ban", "share", 0.0, 0.0, 1.0, "oil and paraffin heating phased out"),
    _lever("heat_pump_subsidy_share", "share of investment", 0.0, 0.0, 1.0, "subsidy on heat-pump investment"),
    _lever("district_heating_access", "multiplier", 1.0, 0.0, 10.0,
           "availability of district heating to buildings choosing a system"),
    _lever("renovation_rate_multiplier", "multiplier", 1.0, 0.0, 5.0, "multiplier on the renovation rate"),
    # waste and energy supply
    _lever("landfill_ban", "share", 0.0, 0.0, 1.0, "biodegradable waste diverted from landfill"),
    _lever("waste_per_capita_change", "relative change", 0.0, -0.9, 1.0, "change in household waste per inhabitant"),
    _lever("material_recovery_share_min", "share", 0.0, 0.0, 1.0, "minimum material-recovery share of waste"),
    _lever("landfill_gas_recovery_min", "share", 0.0, 0.0, 1.0, "minimum recovered share of landfill methane"),
    _lever("incineration_capture_share", "share", 0.0, 0.0, 1.0, "fossil CO2 captured at waste incineration"),
)}


def strength(years: np.ndarray, start_year: int, ramp_years: int, end_year: int | None) -> np.ndarray:
    """Share of a measure's full effect in each year, shape (T,).

    Zero before ``start_year``; with ``ramp_years`` = R > 0 the measure acts at
    1/R of its strength in its start year, 2/R the next, and fully from year
    ``start_year + R - 1``; zero again after ``end_year``.
    """
    years = np.asarray(years)
    s = np.where(years >= start_year, 1.0, 0.0)
    if ramp_years > 0:
        s = np.clip((years - start_year + 1) / ramp_years, 0.0, 1.0)
    if end_year is not None:
        s = np.where(years > end_year, 0.0, s)
    return s


def neutral_paths(n_years: int, n_draws: int, n_muni: int) -> dict[str, np.ndarray]:
    """Every lever at its neutral value for all years, shape (T, D, M, *extra)."""
    out = {}
    for lv in LEVERS.values():
        shape = (n_years, n_draws, n_muni) + tuple(len(e) for e in lv.extra)
        out[lv.name] = np.full(shape, lv.neutral)
    return out


def apply_setting(path: np.ndarray, muni_index: np.ndarray, s: np.ndarray, target) -> None:
    """A measure sets a lever: ramp each affected municipality from the value in force before it.

    ``path`` (T, D, M, ...) is changed in place; later measures override earlier
    ones, which is how a policy instrument that is tightened or relaxed works.
    """
    sub = path[:, :, muni_index]
    shape = (len(s),) + (1,) * (sub.ndim - 1)
    path[:, :, muni_index] = sub + s.reshape(shape) * (np.asarray(target, dtype=float) - sub)


def year_slice(paths: dict[str, np.ndarray], t_index: int) -> dict[str, np.ndarray]:
    """The lever values of one year: name -> (D, M, *extra)."""
    return {name: p[t_index] for name, p in paths.items()}
