"""The programme's indicators, per municipality and year, from a result file.

One table per scenario and area (a municipality, a commuting region of several municipalities, or
all selected municipalities together), computed after the run from the recorded variables
(``docs/model.md``, "Co-benefits and indicators", defines each indicator):

- ratios (per capita, shares, intensities, the car-vkm index) are aggregated as the ratio of the
  summed numerators and denominators, so "total" is the 13 together, not a mean of ratios;
- flows (t/yr, m3/s, deaths/yr, NOK/yr) are summed;
- shares of an area the result does not record (sealed surface, green roofs, runoff coefficient)
  are given per municipality only.

Values are means over the result's draws. Money is in real 2009 NOK.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import dims
from ..errors import UsageError
from . import cobenefits as cb

FOSSIL_SYSTEMS = ("oil_boiler", "paraffin_stove", "gas_boiler")
KWH_PER_GWH = 1e6
KG_PER_T = 1e3
NOK_PER_MNOK = 1e6
M3_PER_MILLION_M3 = 1e6


@dataclass(frozen=True)
class Indicator:
    name: str
    unit: str
    aggregate: str        # "ratio" (sum of numerators / sum of denominators), "sum" or "none"
    definition: str


I = Indicator  # noqa: E741  (a short name for the table below)
INDICATORS = (
    I("emissions_per_capita", "t CO2e/inh/yr", "ratio",
      "territorial emissions of all inventory sectors (the run's GWP set) per resident on 1 January"),
    I("car_driver_share", "1", "ratio", "share of the residents' trips made as car driver"),
    I("car_vkm_index", "1", "ratio",
      "car vehicle-km driven by residents relative to the reference year (2009 unless another is asked for; the "
      "zero-growth goal's is 2017, framtid targets)"),
    I("energy_per_floor_area", "kWh/m2/yr", "ratio",
      "energy delivered to buildings, all carriers, per m2 of heated floor area"),
    I("fossil_heating_share", "1", "ratio",
      "share of the heated floor area heated by oil boilers, paraffin stoves or gas boilers"),
    I("waste_per_capita", "kg/inh/yr", "ratio", "household waste generated per resident"),
    I("material_recovery_share", "1", "ratio", "share of household waste sent to material recovery (recycling)"),
    I("landfill_share", "1", "ratio", "share of household waste landfilled"),
    I("sealed_surface_share", "1", "none", "sealed share of the developed zone area (roofs and paved ground)"),
    I("green_roof_share", "1", "none", "share of the roof area with green roofs"),
    I("runoff_coefficient", "1", "none", "area-weighted runoff coefficient of the developed zone area"),
    I("design_peak_flow_20yr", "m3/s", "sum",
      "stormwater peak flow of the developed area in the climate-adjusted 20-year, 10-minute design rain"),
    I("design_peak_flow_100yr", "m3/s", "sum",
      "stormwater peak flow of the developed area in the climate-adjusted 100-year, 10-minute design rain"),
    I("annual_runoff", "million m3/yr", "sum", "stormwater runoff of the developed area in a normal year"),
    I("new_floor_area_flood_exposed", "m2/yr", "sum", "floor area built below the 200-year flood level"),
    I("nox_road_exhaust", "t/yr", "sum", "exhaust NOx of road traffic in the municipality"),
    I("pm10_road_exhaust", "t/yr", "sum", "exhaust PM10 of road traffic in the municipality"),
    I("pm10_road_wear", "t/yr", "sum", "PM10 from tyre, brake and road wear, studded tyres included"),
    I("pm10_road_wear_studded", "t/yr", "sum", "of pm10_road_wear: the extra road wear from studded tyres"),
    I("walk_km_per_capita", "km/inh/yr", "ratio", "km walked by the residents per resident"),
    I("bicycle_km_per_capita", "km/inh/yr", "ratio", "km cycled by the residents per resident"),
    I("heat_deaths_avoided_walk", "deaths/yr", "sum",
      "deaths avoided by walking, against no walking (WHO HEAT, residents aged 20-74)"),
    I("heat_deaths_avoided_bicycle", "deaths/yr", "sum",
      "deaths avoided by cycling, against no cycling (WHO HEAT, residents aged 20-64)"),
    I("heat_value", "MNOK/yr", "sum", "value of the deaths avoided by walking and cycling (VSL, real 2009 NOK)"),
    I("heat_deaths_avoided_change", "deaths/yr", "sum",
      "deaths avoided by walking and cycling minus those of the comparison (a year's walking and cycling per "
      "resident at this year's population, or another scenario)"),
    I("heat_value_change", "MNOK/yr", "sum", "value of heat_deaths_avoided_change (real 2009 NOK)"),
    I("cordon_car_trips", "passages/day", "sum",
      "light-vehicle passages in the charged direction through the toll cordons the municipality owns, while "
      "they charge (the result's cordon_car_trips; per cordon, charged or not: cordon_passages)"),
    I("toll_paid", "MNOK/yr", "sum", "tolls paid by the municipality's residents, wherever the cordon (real 2009 NOK)"),
    I("toll_paid_per_capita", "NOK/inh/yr", "ratio", "tolls paid by the residents per resident (real 2009 NOK)"),
)
BY_NAME = {i.name: i for i in INDICATORS}
# what the indicators read from a result file (the command loads only these): those of _components,
# and those of the co-benefits it computes
VARIABLES = tuple(dict.fromkeys((
    "emissions", "population", "trips", "car_vkm_resident", "delivered_energy", "floor_area", "heating_system_share",
    "waste_generated", "waste_by_treatment", "sealed_surface_share", "green_roof_share", "runoff_coefficient",
    "design_peak_flow", "annual_runoff", "new_floor_area_flood_exposed", "pkm", "cordon_car_trips") + cb.VARIABLES))


# ---------------------------------------------------------------- the indicators as pure functions

def emissions_per_capita(emissions, population):
    """(numerator, denominator): territorial emissions summed over sectors [t CO2e/yr], residents."""
    return emissions.sum("sector"), population


def car_driver_share(trips):
    """(car-driver trips, all trips) [trips/yr]."""
    return trips.sel(mode="car_driver", drop=True), trips.sum("mode")


def car_vkm_index(car_vkm_resident, reference_year: int):
    """(residents' car vkm in the year, in the reference year) [vkm/yr]; index = ratio."""
    return car_vkm_resident, car_vkm_resident.sel(year=reference_year, drop=True).broadcast_like(car_vkm_resident)


def energy_per_floor_area(delivered_energy, floor_area):
    """(delivered energy [kWh/yr], heated floor area [m2]); GWh are turned into kWh."""
    return delivered_energy.sum("carrier") * KWH_PER_GWH, floor_area.sum("building_type")


def fossil_heating_share(heating_system_share, floor_area):
    """(floor area heated by oil boilers, paraffin stoves or gas boilers [m2], all heated area [m2])."""
    fossil = heating_system_share.sel(heating_system=list(FOSSIL_SYSTEMS)).sum("heating_system")
    return (fossil * floor_area).sum("building_type"), floor_area.sum("building_type")


def waste_per_capita(waste_generated, population):
    """(household waste [kg/yr], residents)."""
    return waste_generated * KG_PER_T, population


def treatment_share(waste_by_treatment, treatment: str):
    """(household waste to ``treatment`` [t/yr], all household waste [t/yr])."""
    return waste_by_treatment.sel(treatment=treatment, drop=True), waste_by_treatment.sum("treatment")


# ---------------------------------------------------------------- one scenario's components

def _components(one, params, reference_year: int, heat, heat_compared, tolls) -> dict:
    """name -> (numerator, denominator or None) over (municipality, year, draw) for one scenario."""
    air = cb.road_air_pollutants(one, params)
    pop = one["population"]
    wear = air["pm10_wear"]
    out = {
        "emissions_per_capita": emissions_per_capita(one["emissions"], pop),
        "car_driver_share": car_driver_share(one["trips"]),
        "car_vkm_index": car_vkm_index(one["car_vkm_resident"], reference_year),
        "energy_per_floor_area": energy_per_floor_area(one["delivered_energy"], one["floor_area"]),
        "fossil_heating_share": fossil_heating_share(one["heating_system_share"], one["floor_area"]),
        "waste_per_capita": waste_per_capita(one["waste_generated"], pop),
        "material_recovery_share": treatment_share(one["waste_by_treatment"], "material_recovery"),
        "landfill_share": treatment_share(one["waste_by_treatment"], "landfill"),
        "sealed_surface_share": (one["sealed_surface_share"], None),
        "green_roof_share": (one["green_roof_share"], None),
        "runoff_coefficient": (one["runoff_coefficient"], None),
        "design_peak_flow_20yr": (one["design_peak_flow"].sel(return_period=20, drop=True), None),
        "design_peak_flow_100yr": (one["design_peak_flow"].sel(return_period=100, drop=True), None),
        "annual_runoff": (one["annual_runoff"] / M3_PER_MILLION_M3, None),
        "new_floor_area_flood_exposed": (one["new_floor_area_flood_exposed"], None),
        "nox_road_exhaust": (air["nox_exhaust"].sum("vehicle_class"), None),
        "pm10_road_exhaust": (air["pm10_exhaust"].sum("vehicle_class"), None),
        "pm10_road_wear": (wear.sum("wear_source"), None),
        "pm10_road_wear_studded": (wear.sel(wear_source="studded", drop=True), None),
        "walk_km_per_capita": (one["pkm"].sel(mode="walk", drop=True), pop),
        "bicycle_km_per_capita": (one["pkm"].sel(mode="bicycle", drop=True), pop),
        "heat_deaths_avoided_walk": (heat["heat_deaths_avoided"].sel(mode="walk", drop=True), None),
        "heat_deaths_avoided_bicycle": (heat["heat_deaths_avoided"].sel(mode="bicycle", drop=True), None),
        "heat_value": (heat["heat_value"].sum("mode") / NOK_PER_MNOK, None),
        "heat_deaths_avoided_change": ((heat["heat_deaths_avoided"] - heat_compared["heat_deaths_avoided"])
                                       .sum("mode"), None),
        "heat_value_change": ((heat["heat_value"] - heat_compared["heat_value"]).sum("mode") / NOK_PER_MNOK, None),
    }
    if "cordon_car_trips" in one:
        out["cordon_car_trips"] = (one["cordon_car_trips"].sum("period"), None)
    if tolls is not None:
        out["toll_paid"] = (tolls / NOK_PER_MNOK, None)
        out["toll_paid_per_capita"] = (tolls, pop)
    return out


def areas(municipalities: list[str]) -> list[tuple[str, list[str]]]:
    """(label, members): each municipality; each commuting region of several municipalities whose
    members are all selected (``region:<name>``); ``total`` of the 13 when all are selected, else
    ``selection`` of the several named (not to be read as the 13 together)."""
    out = [(m, [m]) for m in municipalities]
    for region, members in dims.REGIONS.items():
        if len(members) > 1 and all(m in municipalities for m in members):
            out.append((f"region:{region}", list(members)))
    if len(municipalities) > 1:
        out.append((together(municipalities), list(municipalities)))
    return out


def together(municipalities: list[str]) -> str:
    """The label of the area of several municipalities taken together: ``total`` for the 13, ``selection``
    for fewer."""
    return "total" if set(municipalities) == set(dims.MUNICIPALITIES) else "selection"


def membership(area_list: list[tuple[str, list[str]]], municipalities: list[str]) -> np.ndarray:
    """``(A, M)`` matrix with 1 where municipality m belongs to area a."""
    out = np.zeros((len(area_list), len(municipalities)))
    for a, (_, members) in enumerate(area_list):
        for m in members:
            out[a, municipalities.index(m)] = 1.0
    return out


def aggregate(indicator: Indicator, num: np.ndarray, den: np.ndarray | None, groups: np.ndarray) -> np.ndarray:
    """Values of each area ``(A, ...)`` from numerators and denominators ``(M, ...)``: the ratio of
    the sums (or the sum) over the area's members; NaN for areas of several municipalities where
    the indicator does not add up. ``groups`` is the ``(A, M)`` :func:`membership` matrix."""
    value = np.tensordot(groups, num, axes=(1, 0))
    if den is not None:
        total = np.tensordot(groups, den, axes=(1, 0))
        value = np.divide(value, total, out=np.full_like(value, np.nan), where=total != 0)
    if indicator.aggregate == "none":
        value[groups.sum(axis=1) > 1] = np.nan
    return value


def parse_compare(text: str, ds, source: str = "result"):
    """``--compare``: a year of the result (int) or one of its scenarios (str)."""
    years = [int(y) for y in ds["year"].values]
    scenarios = [str(s) for s in ds["scenario"].values]
    text = str(text).strip()
    if text.lstrip("-").isdigit():
        if int(text) not in years:
            raise UsageError(f"--compare: year {text} not in {source} (it covers {years[0]}-{years[-1]})")
        return int(text)
    if text not in scenarios:
        raise UsageError(f"--compare: {text!r} is neither a year of {source} ({years[0]}-{years[-1]}) nor one of "
                         f"its scenarios; allowed scenarios: {', '.join(scenarios)}")
    return text


def _heat_compared(one, params, compare):
    """HEAT at a comparison year's walking and cycling per resident, at this year's population."""
    km = {mode: cb.km_per_person(one, mode).sel(year=compare, drop=True).broadcast_like(one["population"])
          for mode in cb.HEAT_MODES}
    return cb.health_effects(one, params, km=km)


def check_reference_year(ds, year: int, source: str = "result") -> None:
    years = [int(y) for y in ds["year"].values]
    if year not in years:
        raise UsageError(f"--reference-year: {year} not in {source} (it covers {years[0]}-{years[-1]})")


def compute(ds, reference_year: int = dims.BASE_YEAR, compare: int | str = dims.BASE_YEAR,
            scenarios: list[str] | None = None, keep_draws: bool = False) -> tuple[list[int], dict]:
    """Every indicator for each scenario (all of ``ds``, or ``scenarios``) and area of ``ds``:
    the years and ``{(scenario, area, indicator): array over the years (mean over draws), or None
    when the result file lacks the indicator's variable}``; NaN where the indicator does not add up
    over the area. ``compare`` (HEAT's comparison) may be any scenario of ``ds``. With ``keep_draws``
    the arrays are (T, D), each ratio taken within a draw (its percentiles are then those of the
    ratio, not ratios of percentiles)."""
    params = cb.scenario_params(ds)
    scenarios = scenarios or [str(s) for s in ds["scenario"].values]
    needed = list(dict.fromkeys(scenarios + ([compare] if isinstance(compare, str) else [])))
    heat = {sc: cb.health_effects(ds.sel(scenario=sc), params[sc]) for sc in needed}
    tolls = cb.toll_paid(ds)
    municipalities = [str(m) for m in ds["municipality"].values]
    area_list = areas(municipalities)
    groups = membership(area_list, municipalities)
    order = ("municipality", "year", "draw")
    out = {}
    for sc in scenarios:
        one = ds.sel(scenario=sc)
        compared = (heat[compare] if isinstance(compare, str)
                    else _heat_compared(one, params[sc], compare))
        comps = _components(one, params[sc], reference_year, heat[sc], compared,
                            None if tolls is None else tolls.sel(scenario=sc))
        for ind in INDICATORS:
            if ind.name not in comps:
                values = [None] * len(area_list)
            else:
                num, den = comps[ind.name]
                values = aggregate(ind, num.transpose(*order).values,
                                   None if den is None else den.transpose(*order).values, groups)
                if not keep_draws:
                    values = values.mean(axis=-1)
            for (area, _), value in zip(area_list, values):
                out[(sc, area, ind.name)] = value
    return [int(y) for y in ds["year"].values], out


DRAW_BLOCK = 250          # draws computed at a time by :func:`draws_in_years` (a result file's chunk of draws)


def draws_in_years(ds, years: list[int], reference_year: int = dims.BASE_YEAR, compare: int | str = dims.BASE_YEAR,
                   scenarios: list[str] | None = None, block: int = DRAW_BLOCK) -> tuple[list[int], dict]:
    """As :func:`compute` with ``keep_draws``, in ``years`` only: ``{(scenario, area, indicator): (len(years),
    D) array, or None}``. The draws are computed ``block`` at a time from what the indicators read of them
    (each draw's indicators depend on that draw alone), so the memory needed grows with the draws only by
    the values kept, not by every variable and indicator of every year."""
    names = [v for v in VARIABLES if v in ds.data_vars]
    n = int(ds.sizes["draw"])
    parts: dict = {}
    for start in range(0, n, block):
        part = ds[names].isel(draw=slice(start, start + block)).load()
        all_years, values = compute(part, reference_year, compare, scenarios, keep_draws=True)
        index = [all_years.index(y) for y in years]
        for key, value in values.items():
            parts.setdefault(key, []).append(None if value is None else value[index])
        del part, values
    return list(years), {key: None if chunks[0] is None else np.concatenate(chunks, axis=-1)
                         for key, chunks in parts.items()}


def _note(ind: Indicator, value, reference_year: int, compare, has_tolls: bool) -> str:
    if ind.name.startswith("toll_paid") and not has_tolls:
        return cb.NOT_IN_FILE
    if value is None:
        return cb.NOT_IN_FILE if ind.name == "cordon_car_trips" else ""
    if not np.isfinite(value).any():
        return "not additive"
    if ind.name == "car_vkm_index":
        return f"{reference_year} = 1"
    if ind.name == "cordon_car_trips":
        # a sum over the cordons charged each year: a new ring adds its passages, not traffic (Oslo 2019)
        return "summed over the cordons charged that year"
    if ind.name.startswith("toll_paid"):
        # tag discounts and monthly caps are not modelled: the 13's revenue of 2018 is about twice what was collected
        return ("full rates: no tag discounts or monthly caps (the 13's toll revenue of 2018 is about twice what "
                "was collected)")
    if ind.name.endswith("_change"):
        return f"compared with {compare}"
    return ""


def indicator_rows(ds, years: list[int], reference_year: int = dims.BASE_YEAR,
                   compare: int | str = dims.BASE_YEAR, scenarios: list[str] | None = None):
    """The indicators as one long table (header, rows): scenario, area, year, indicator, value,
    unit, note; value is None where the indicator is not defined for the area or not in the file."""
    all_years, values = compute(ds, reference_year, compare, scenarios)
    has_tolls = cb.toll_paid(ds) is not None
    index = [all_years.index(y) for y in years]
    rows = []
    for (sc, area, name), value in values.items():
        ind = BY_NAME[name]
        note = _note(ind, value, reference_year, compare, has_tolls)
        for y, i in zip(years, index):
            v = None if value is None else float(value[i])
            rows.append((sc, area, int(y), name, None if v is None or not np.isfinite(v) else float(f"{v:.6g}"),
                         ind.unit, note))
    return ("scenario", "area", "year", "indicator", "value", "unit", "note"), rows


def fmt_value(v) -> str:
    """A value of any size with about three significant digits; "-" where there is none."""
    if v is None or not np.isfinite(v):
        return "-"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}" if a else "0"


def indicator_sections(ds, years: list[int], reference_year: int = dims.BASE_YEAR,
                       compare: int | str = dims.BASE_YEAR, scenarios: list[str] | None = None):
    """Sections (key, title, header, rows) for the table view: one per scenario and area, a row
    per indicator, a column per year."""
    header, rows = indicator_rows(ds, years, reference_year, compare, scenarios)
    grouped: dict[tuple[str, str], dict[str, list]] = {}
    for sc, area, year, name, value, unit, note in rows:
        grouped.setdefault((sc, area), {}).setdefault(name, [unit, note]).append(value)
    sections = []
    n = int(ds.sizes.get("draw", 1))
    over = f" (means over {n} draws; `framtid report` gives their ranges)" if n > 1 else ""
    for (sc, area), by_name in grouped.items():
        body = [(name, unit, *(fmt_value(v) for v in vals), note) for name, (unit, note, *vals) in by_name.items()]
        sections.append((f"{sc}:{area}", f"Indicators of {area}, scenario {sc}{over}",
                         ("indicator", "unit", *(str(y) for y in years), "note"), body))
    return sections
