"""Levers: the one table of policy variables the submodels read each year.

A lever is what a measure changes inside the model: a biofuel share, a toll in NOK
per passage by cordon, vehicle class, fuel and period, a parking fee by zone, the
compliance share of a ban. Each lever is declared once, here, with

* its unit and **neutral** value (no policy),
* its **axes** after ``(draw, municipality)``, named (``"period"``, ``"zone"``, ...) and
  labelled through :data:`AXES`,
* its allowed range, and
* its **combine rule**: how several measures that set the same cells combine, so that
  the result never depends on the order of measures in a file:

  ``replace``  the measure that started last is in force (ties broken by label, then
               kind); it ramps from the value in force before it, and when it ends the
               earlier value returns. For instruments that are re-set: tolls, fees, taxes.
  ``add``      contributions add to the neutral value. For changes that stack: an extra
               tax, a change in waste per inhabitant.
  ``max``      the strongest applies. For bans, minimum shares and mandates.

The scenario's measures are turned into one array per lever over all years at the start
of a run, shape ``(T, D, M, *axes)`` (:func:`framtid.model.measures.lever_paths`); the
simulation hands the submodels the slice of the current year, always with every lever.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import dims

COMBINE_RULES = ("replace", "add", "max")

# Axes of the toll lever: what a toll scheme differentiates (methods §1.4).
TOLL_CLASSES = ("light", "heavy")            # vans pay light rates, trucks and buses heavy rates
TOLL_FUELS = ("petrol", "diesel", "bev")     # plug-in hybrids pay the petrol rate


def _cordon_ids() -> tuple[str, ...]:
    from .cordons import cordon_ids

    return cordon_ids()


_STATIC_AXES = {
    "period": dims.PERIODS, "zone": dims.ZONES, "purpose": dims.PURPOSES,
    "toll_class": TOLL_CLASSES, "toll_fuel": TOLL_FUELS, "road_fuel": ("petrol", "diesel"),
    "building_type": dims.BUILDING_TYPES,
    # the sources of the sectors no submodel drives (submodels/other_sectors.py)
    "exogenous_source": ("industry", "shipping", "other_mobile", "agriculture", "aviation", "fgas_products"),
}


def axis_labels(axis: str) -> tuple[str, ...]:
    """The labels of a named lever axis (cordons come from the embedded cordon table)."""
    if axis == "cordon":
        return _cordon_ids()
    try:
        return _STATIC_AXES[axis]
    except KeyError:
        raise KeyError(f"unknown lever axis {axis!r}; known: cordon, {', '.join(_STATIC_AXES)}") from None


@dataclass(frozen=True)
class Lever:
    name: str
    unit: str
    neutral: float
    axes: tuple[str, ...]     # named axes after (D, M)
    low: float
    high: float
    combine: str              # one of COMBINE_RULES
    area: str                 # programme area of the submodel that reads it
    description: str
    # another lever that sets the same thing with this one (the larger acts), compared as one by the scenario checks
    shares_cells_with: str | None = None

    @property
    def shape(self) -> tuple[int, ...]:
        """Lengths of the axes after (D, M)."""
        return tuple(len(axis_labels(a)) for a in self.axes)


def _lever(name, unit, neutral, low, high, combine, area, description, axes=(), shares_cells_with=None):
    if combine not in COMBINE_RULES:
        raise ValueError(f"lever {name}: combine rule {combine!r} not one of {COMBINE_RULES}")
    return Lever(name, unit, neutral, tuple(axes), low, high, combine, area, description, shares_cells_with)


TOLL_AXES = ("cordon", "toll_class", "toll_fuel", "period")

LEVERS = {lv.name: lv for lv in (
    # -- land use and transport ------------------------------------------------------------------
    _lever("biofuel_share_petrol", "share of volume", 0.0, 0.0, 1.0, "replace", "transport",
           "biofuel blended into petrol (sales mandate)"),
    _lever("biofuel_share_diesel", "share of volume", 0.0, 0.0, 1.0, "replace", "transport",
           "biofuel blended into diesel (sales mandate)"),
    _lever("toll_nok", "NOK/passage", 0.0, 0.0, 1000.0, "replace", "transport",
           "toll per passage of a cordon by vehicle class, fuel and period (real 2009 NOK)", TOLL_AXES),
    _lever("parking_fee_nok", "NOK/trip", 0.0, 0.0, 500.0, "replace", "transport",
           "parking fee paid by a car trip ending in the zone type above the fee of 2009 (real 2009 NOK)",
           ("zone",)),
    _lever("pt_fare_change", "relative change", 0.0, -1.0, 5.0, "replace", "transport",
           "public-transport fares relative to 2009"),
    _lever("pt_service_change", "relative change", 0.0, -0.9, 5.0, "replace", "transport",
           "public-transport departures per hour relative to 2009"),
    _lever("co2_tax_road_nok_per_t", "NOK/t CO2", 0.0, 0.0, 10000.0, "replace", "transport",
           "CO2 tax on petrol and diesel sold for road transport (real 2009 NOK)", ("road_fuel",)),
    _lever("road_usage_tax", "NOK/l", 0.0, 0.0, 50.0, "replace", "transport",
           "road-usage tax on petrol and diesel (real 2009 NOK)", ("road_fuel",)),
    _lever("bev_vat_exemption", "share", 0.0, 0.0, 1.0, "replace", "transport",
           "share of VAT battery-electric cars are spared"),
    _lever("bev_registration_tax_exemption", "share", 0.0, 0.0, 1.0, "replace", "transport",
           "share of the registration tax battery-electric cars are spared"),
    _lever("bev_toll_discount_min", "share", 0.0, 0.0, 1.0, "replace", "transport",
           "discount on the petrol toll that national rules guarantee battery-electric cars "
           "(1 = toll-free); a cordon's own BEV rate applies if lower"),
    _lever("bev_parking_discount", "share", 0.0, 0.0, 1.0, "replace", "transport",
           "discount on municipal parking fees a municipality gives battery-electric cars"),
    _lever("bev_parking_discount_min", "share", 0.0, 0.0, 1.0, "replace", "transport",
           "discount on municipal parking fees that national rules guarantee battery-electric cars"),
    _lever("zero_emission_share_new_van", "share", 0.0, 0.0, 1.0, "max", "transport",
           "zero-emission share of new vans"),
    _lever("zero_emission_share_new_heavy", "share", 0.0, 0.0, 1.0, "max", "transport",
           "zero-emission share of new heavy vehicles"),
    _lever("zero_emission_share_new_bus", "share", 0.0, 0.0, 1.0, "max", "transport",
           "zero-emission share of new buses"),
    _lever("car_ownership_change", "relative change", 0.0, -0.9, 1.0, "add", "transport",
           "change in cars per inhabitant"),
    _lever("bus_biogas_share", "share of energy", 0.0, 0.0, 1.0, "max", "transport",
           "share of the diesel buses' fuel replaced by biogas (biogenic CO2 counts zero)"),
    _lever("food_waste_to_bus_biogas", "share", 0.0, 0.0, 1.0, "max", "transport",
           "share of household food waste digested to biomethane for the municipality's buses, which replaces "
           "as much of their diesel as it can (submodels/bus_biogas.py, with each draw's parameters)",
           shares_cells_with="bus_biogas_share"),
    _lever("densification", "share of growth", 0.0, 0.0, 1.0, "max", "land_use",
           "population growth redirected from the trend allocation to central zones"),
    _lever("toll_scale", "multiplier", 1.0, 0.0, 10.0, "replace", "transport",
           "factor on the prices in force at a cordon (every class, fuel and period), in the row of the "
           "cordon's owner", ("cordon",)),
    _lever("workplace_parking_charged", "share", 0.0, 0.0, 1.0, "max", "transport",
           "share of the free workplace parking of commuters ending in the zone type that is removed or "
           "charged at its value (transport.workplace_parking_value)", ("zone",)),
    _lever("public_parking_removed", "share", 0.0, 0.0, 1.0, "max", "transport",
           "share of the public parking spaces of the zone type removed; the car trips that parked there search "
           "and walk further (transport.parking_relocation_min)", ("zone",)),
    _lever("low_emission_zone_nok", "NOK/trip", 0.0, 0.0, 500.0, "replace", "transport",
           "charge per trip of a fossil-fuelled car (petrol, diesel, plug-in hybrid) ending in the zone type, "
           "a daily charge per entry (real 2009 NOK)", ("zone",)),
    _lever("zero_emission_zone_share", "share", 0.0, 0.0, 1.0, "max", "transport",
           "share of the car-trip ends of the zone type inside a zero-emission zone, where fossil-fuelled cars "
           "(petrol, diesel, plug-in hybrid) may not go", ("zone",)),
    _lever("car_free_share", "share", 0.0, 0.0, 1.0, "max", "transport",
           "share of the trip ends of the zone type inside a car-free area: no car-driver or car-passenger trip "
           "ends there (residents' trips home keep access)", ("zone",)),
    _lever("pt_time_saving_min", "min/trip", 0.0, 0.0, 60.0, "add", "transport",
           "mean in-vehicle time saved per public-transport trip of residents of the zone type by new lines "
           "(saving on the served corridors x share of trips on them)", ("zone",)),
    _lever("park_and_ride_saving_min", "min/trip", 0.0, 0.0, 60.0, "add", "transport",
           "public-transport access and waiting time saved by park-and-ride per trip ending in A zones, for "
           "residents of the zone type (saving x share of trips within reach of a site)", ("zone",)),
    _lever("bicycle_time_saving_min", "min/trip", 0.0, 0.0, 30.0, "add", "transport",
           "perceived time (detours, junctions, safety) saved per bicycle trip of residents of the zone type "
           "by a cycle network (saving x share of trips on it)", ("zone",)),
    _lever("walk_time_saving_min", "min/trip", 0.0, 0.0, 30.0, "add", "transport",
           "perceived time saved per walking trip of residents of the zone type by a more walkable street "
           "network (saving x share of trips in the improved area)", ("zone",)),
    _lever("van_vkm_consolidated", "share", 0.0, 0.0, 1.0, "max", "transport",
           "share of the van deliveries into A zones routed through urban consolidation centres"),
    _lever("telework_share", "share", 0.0, 0.0, 1.0, "add", "transport",
           "share of commute trips replaced by telework (days teleworked per working day x share of workers "
           "who telework); several measures add up"),
    _lever("road_capacity_change", "relative change", 0.0, -0.5, 2.0, "add", "transport",
           "change in the capacity (lane-km) of the urban roads the municipality's car traffic uses, relative "
           "to 2009, weighted by the traffic on them"),
    _lever("job_location_a", "share of growth", 0.0, 0.0, 1.0, "max", "land_use",
           "job growth redirected from the trend allocation to A zones (ABC principle)"),
    # -- buildings and energy ----------------------------------------------------------------------
    _lever("oil_heating_ban", "share", 0.0, 0.0, 1.0, "max", "buildings",
           "oil and paraffin heating phased out"),
    _lever("oil_heating_ban_foresight", "share", 0.0, 0.0, 1.0, "max", "buildings",
           "share of the owners replacing a heating system who expect the oil-heating ban scheduled in the "
           "scenario (oil_heating_ban) and annualise a new oil boiler or paraffin stove over the years left "
           "until it"),
    _lever("oil_heating_ban_lead", "yr", 0.0, 0.0, 10.0, "max", "buildings",
           "time from the adoption of the scheduled oil-heating ban (oil_heating_ban) to its entry into force, "
           "over which the owners it will remove convert evenly; 0: no adopted ban"),
    _lever("new_build_fossil_heating_ban", "share", 0.0, 0.0, 1.0, "max", "buildings",
           "share of the floor area built this year under the building code's ban on heating installations for "
           "fossil fuel (oil, paraffin, fossil gas): it chooses no gas boiler (new build never chooses oil or "
           "paraffin)"),
    _lever("heat_pump_subsidy_share", "share of investment", 0.0, 0.0, 1.0, "replace", "buildings",
           "subsidy on heat-pump investment"),
    _lever("district_heating_access", "multiplier", 1.0, 0.0, 10.0, "replace", "buildings",
           "availability of district heating to buildings choosing a system"),
    _lever("renovation_rate_multiplier", "multiplier", 1.0, 0.0, 5.0, "replace", "buildings",
           "multiplier on the renovation rate"),
    _lever("oil_conversion_grant", "NOK/dwelling", 0.0, 0.0, 200000.0, "replace", "buildings",
           "grant for removing an oil or paraffin heating system and converting to another (real 2009 NOK)"),
    _lever("co2_tax_heating_oil_nok_per_t", "NOK/t CO2", 0.0, 0.0, 10000.0, "replace", "buildings",
           "CO2 tax on heating oil and paraffin (real 2009 NOK)"),
    _lever("co2_tax_heating_gas_nok_per_t", "NOK/t CO2", 0.0, 0.0, 10000.0, "replace", "buildings",
           "CO2 tax on LPG and natural gas for heating (real 2009 NOK; none in 2009)"),
    _lever("base_tax_heating_oil", "NOK/l", 0.0, 0.0, 20.0, "replace", "buildings",
           "base tax (grunnavgift) on heating oil and paraffin (real 2009 NOK)"),
    _lever("new_build_space_heat_need", "kWh/m2/yr", 100.0, 0.0, 100.0, "replace", "buildings",
           "energy standard of new build: cap on the net space-heating and ventilation need (reference climate, "
           "as calculated) of floor area built from now on, by building type; 100 = no requirement beyond the "
           "TEK cohort in force (above every new-build archetype)", ("building_type",)),
    _lever("deep_renovation_share", "share", 0.0, 0.0, 1.0, "replace", "buildings",
           "share of renovations of cohorts up to TEK10 done as deep renovations"),
    _lever("deep_renovation_reduction", "share", 0.6, 0.3, 0.9, "replace", "buildings",
           "cut in space-heating need of a deep renovation (0.6 = the middle of the indicative -50 to -70 %); "
           "acts only where deep_renovation_share > 0"),
    _lever("heat_pump_grant", "NOK/dwelling", 0.0, 0.0, 200000.0, "replace", "buildings",
           "grant per dwelling for installing a heat pump, houses and apartments (real 2009 NOK)"),
    _lever("solar_pv_new_build_share", "share", 0.0, 0.0, 1.0, "max", "buildings",
           "share of floor area built from now on that gets rooftop solar PV"),
    _lever("solar_pv_existing_share", "share", 0.0, 0.0, 1.0, "max", "buildings",
           "share of the floor area standing that has rooftop solar PV (retrofits; area with PV stays)"),
    _lever("municipal_energy_saving", "share", 0.0, 0.0, 0.9, "max", "buildings",
           "share of the energy need of municipal non-residential buildings saved by energy management and "
           "energy performance contracting"),
    _lever("wood_stove_old_replaced", "share", 0.0, 0.0, 1.0, "max", "buildings",
           "share of the old (pre-1998) stoves still in use that are replaced by clean-burning ones, beyond "
           "their renewal at the end of their life (at its highest so far: replaced stoves stay replaced)"),
    _lever("district_heating_fossil_replaced", "share", 0.0, 0.0, 1.0, "max", "energy_supply",
           "share of the fossil fuel of district-heat production (oil and gas peak and reserve boilers) "
           "replaced by renewable heat"),
    _lever("district_heating_waste_heat_share", "share", 0.0, 0.0, 0.9, "max", "energy_supply",
           "share of the district heat delivered that comes from waste heat (industry, data centres, "
           "sewage) beyond 2009, displacing fuel-fired production"),
    # -- sectors without a submodel ----------------------------------------------------------------
    _lever("exogenous_change", "relative change", 0.0, -1.0, 1.0, "add", "other_sectors",
           "change in the emissions of a sector no submodel drives, relative to its projected path",
           ("exogenous_source",)),
    # -- adaptation to climate change (submodels/adaptation.py; indicators only, no emissions) -------
    # What these levers build stays built: the submodel keeps the largest value reached, so an
    # end_year stops further building but removes nothing.
    _lever("green_roof_share_new", "share", 0.0, 0.0, 1.0, "max", "adaptation",
           "share of the roof area of new buildings built as green (vegetated) roofs"),
    _lever("green_roof_share_existing", "share", 0.0, 0.0, 1.0, "max", "adaptation",
           "share of the 2009 roof area retrofitted with green roofs"),
    _lever("depaving_share", "share", 0.0, 0.0, 1.0, "max", "adaptation",
           "share of the paved (non-roof) sealed ground opened to green ground"),
    _lever("green_area_share_min", "share", 0.0, 0.0, 1.0, "max", "adaptation",
           "minimum green (unsealed) share of the developed area of the zone type; paved ground is opened to "
           "reach it", ("zone",)),
    _lever("detention_volume", "m3/ha", 0.0, 0.0, 2000.0, "max", "adaptation",
           "stormwater detention volume per hectare of sealed area"),
    _lever("flood_safe_location_share", "share", 0.0, 0.0, 1.0, "max", "adaptation",
           "share of the new floor area that would be built in flood-exposed areas that is placed outside them"),
    # -- consumption and waste ---------------------------------------------------------------------
    _lever("landfill_ban", "share", 0.0, 0.0, 1.0, "max", "waste",
           "waste of more than 10 % organic carbon diverted from landfill"),
    _lever("waste_per_capita_change", "relative change", 0.0, -0.9, 1.0, "add", "waste",
           "change in household waste per inhabitant"),
    _lever("material_recovery_share_min", "share", 0.0, 0.0, 1.0, "max", "waste",
           "minimum material-recovery share of waste"),
    _lever("landfill_gas_recovery_min", "share", 0.0, 0.0, 1.0, "max", "waste",
           "minimum recovered share of landfill methane"),
    _lever("incineration_capture_share", "share", 0.0, 0.0, 1.0, "max", "waste",
           "fossil CO2 captured at waste incineration"),
    _lever("food_waste_change", "relative change", 0.0, -1.0, 1.0, "add", "waste",
           "change in households' avoidable food waste (matsvinn) per inhabitant; the food fraction of "
           "household waste changes by waste.food.avoidable_share times this"),
    _lever("food_separation_min", "share", 0.0, 0.0, 1.0, "max", "waste",
           "minimum share of household food waste collected separately for biological treatment (capture rate)"),
    _lever("plastics_separation_min", "share", 0.0, 0.0, 1.0, "max", "waste",
           "minimum share of plastics in household waste sorted out for material recovery (capture rate)"),
    _lever("food_digestion_share_min", "share", 0.0, 0.0, 1.0, "max", "waste",
           "minimum share of the biologically treated food waste that goes to anaerobic digestion (biogas) "
           "instead of composting"),
    _lever("green_procurement_reduction", "share", 0.0, 0.0, 1.0, "add", "waste",
           "share of the consumption-based emissions of municipal purchases avoided by green procurement "
           "(share of purchases covered times the reduction per NOK); the indicator caps the sum at 1"),
)}


def acting(levers: dict, name: str) -> np.ndarray | None:
    """Lever ``name``'s values this year, shape (D, M, *axes), if present and away from its neutral value
    (:data:`LEVERS`) anywhere; else None.

    A neutral lever moves nothing, so a submodel that skips its arithmetic then saves the work and changes
    no number; an absent lever counts as neutral.
    """
    value = levers.get(name)
    return value if value is not None and np.any(value != LEVERS[name].neutral) else None


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


@lru_cache(maxsize=16)
def _neutral_template(n_draws: int, n_muni: int, cordons: tuple[str, ...]) -> dict[str, np.ndarray]:
    # keyed on the cordon axis too: a scenario's own cordons lengthen it (cordons.using)
    return {lv.name: np.full((n_draws, n_muni) + lv.shape, lv.neutral) for lv in LEVERS.values()}


def neutral_paths(n_years: int, n_draws: int, n_muni: int, names=None) -> dict[str, np.ndarray]:
    """Every lever (or those in ``names``) at its neutral value for all years, shape (T, D, M, *axes)."""
    # Filled directly rather than from the cached template (:func:`complete`): a run asks for the levers its
    # adaptive measures set over every draw, often none, and a template over 1 000 draws holds ~30 MB.
    return {name: np.full((n_years, n_draws, n_muni) + lv.shape, lv.neutral)
            for name, lv in LEVERS.items() if names is None or name in names}


def complete(levers: dict, n_draws: int, n_muni: int) -> dict[str, np.ndarray]:
    """This year's levers with every absent lever at its neutral value, shape (D, M, *axes).

    Submodels index levers directly; tests and tools that set only some of them use this.
    """
    out = dict(_neutral_template(n_draws, n_muni, _cordon_ids()))
    for name, value in levers.items():
        if name not in LEVERS:
            raise KeyError(f"unknown lever {name!r}")
        out[name] = value
    return out


def apply_setting(path: np.ndarray, muni_index: np.ndarray, s: np.ndarray, target, rule: str,
                  neutral: float) -> None:
    """One measure sets its cells of a lever path (T, D, M, *axes) in place.

    ``target`` broadcasts against ``(*axes)``; NaN cells are not set. ``s`` (T,) is the
    measure's strength, or (T, D) where it differs between draws (a measure adopted adaptively).
    ``replace`` ramps each cell from the value in force before it (callers apply measures in
    start-year order); ``add`` adds ``s * (target - neutral)``;
    ``max`` keeps the larger of the value in force and ``neutral + s * (target - neutral)``.
    """
    target = np.asarray(target, dtype=float)
    sub = path[:, :, muni_index]                                   # (T, D, m, *axes)
    s = np.asarray(s, dtype=float)
    shape = s.shape + (1,) * (sub.ndim - s.ndim)
    strength_ = s.reshape(shape)
    mask = ~np.isnan(target)
    goal = np.where(mask, target, 0.0)
    if rule == "replace":
        new = sub + strength_ * (goal - sub)
    elif rule == "add":
        new = sub + strength_ * (goal - neutral)
    elif rule == "max":
        new = np.maximum(sub, neutral + strength_ * (goal - neutral))
    else:
        raise ValueError(f"unknown combine rule {rule!r}")
    path[:, :, muni_index] = np.where(mask, new, sub)


def _in_force(paths: dict[str, np.ndarray], name: str, t_index: int) -> tuple[np.ndarray, np.ndarray]:
    """Lever ``name``'s scheduled path from year ``t_index`` on, and where it is away from its neutral value
    (T', D, M): anywhere on its axes, for a lever with axes."""
    path = paths[name][t_index:]
    ahead = path != LEVERS[name].neutral
    if ahead.ndim > 3:
        ahead = ahead.reshape(ahead.shape[:3] + (-1,)).any(axis=-1)
    return path, ahead


def years_until(paths: dict[str, np.ndarray], name: str, t_index: int) -> np.ndarray:
    """Years from year ``t_index`` until lever ``name`` is first away from its neutral value anywhere on its
    axes in the scheduled ``paths`` [yr], (D, M): 0 where it is in force this year, inf where it never is."""
    _, ahead = _in_force(paths, name, t_index)
    return np.where(ahead.any(axis=0), np.argmax(ahead, axis=0), np.inf)


def first_value(paths: dict[str, np.ndarray], name: str, t_index: int) -> np.ndarray:
    """The value lever ``name`` (without axes) first takes away from its neutral value from year ``t_index`` on in
    the scheduled ``paths``, (D, M): this year's where it is in force, the neutral value where it never is."""
    path, ahead = _in_force(paths, name, t_index)
    first = np.take_along_axis(path, np.argmax(ahead, axis=0)[None], axis=0)[0]
    return np.where(ahead.any(axis=0), first, LEVERS[name].neutral)


def year_slice(paths: dict[str, np.ndarray], t_index: int) -> dict[str, np.ndarray]:
    """The lever values of one year: name -> (D, M, *axes)."""
    return {name: p[t_index] for name, p in paths.items()}
