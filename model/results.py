"""The results schema: what a run records, in which units, and how it is saved.

Inside the yearly loop the simulation writes numpy arrays of shape
``(T, D, M, *extra)``; :func:`to_dataset` builds one xarray Dataset at the end,
with dimensions ordered ``(scenario, municipality, *extra, year, draw)`` and a
``units`` (UDUNITS) and ``long_name`` on every variable. Writing and opening the
file is :mod:`result_file`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import dims
from .errors import UsageError
from .submodels.adaptation import RETURN_PERIODS
from .submodels.transport import ROAD_CARRIERS


@dataclass(frozen=True)
class Variable:
    name: str
    submodel: str           # which account() output holds it
    key: str                # its key there
    extra: tuple[str, ...]  # extra dimension names after municipality
    units: str              # UDUNITS string
    description: str        # written as the CF long_name


COORDS = {
    "zone": dims.ZONES, "mode": dims.MODES, "powertrain": dims.POWERTRAINS,
    "vehicle_class": dims.VEHICLE_CLASSES, "road_carrier": ROAD_CARRIERS,
    "building_type": dims.BUILDING_TYPES, "heating_system": dims.HEATING_SYSTEMS,
    "carrier": dims.CARRIERS, "treatment": dims.TREATMENTS, "source": dims.SOURCES,
    "gas": dims.GASES, "sector": dims.SECTORS, "period": dims.PERIODS,
    "return_period": RETURN_PERIODS,
}

V = Variable
# Units are UDUNITS strings (CF conventions): counts are "1", "yr-1" is per year; what is counted
# (residents, passenger-km, vehicle-km, CH4 mass) is said in the description, which becomes long_name.
ACTIVITY = (
    V("population", "drivers", "population", (), "1", "residents on 1 January"),
    V("jobs", "land_use", "jobs", (), "1", "jobs located in the municipality"),
    V("zone_population", "land_use", "zone_population", ("zone",), "1", "residents by ABC zone type"),
    V("sealed_share", "land_use", "sealed_share", (), "1", "sealed share of the developed zone area"),
    V("mean_trip_length_factor", "land_use", "mean_trip_length_factor", (), "1",
      "trip length relative to 2009 from where people live (compact growth lowers it)"),
    V("mode_share", "transport", "mode_share", ("mode",), "1", "share of residents' trips by mode"),
    V("trips", "transport", "trips", ("mode",), "yr-1", "residents' trips by mode"),
    V("pkm", "transport", "pkm", ("mode",), "km yr-1", "residents' passenger-km by mode"),
    V("car_vkm", "transport", "car_vkm", ("powertrain",), "km yr-1", "territorial car vehicle-km by powertrain"),
    V("car_vkm_resident", "transport", "car_vkm_resident", (), "km yr-1",
      "car vehicle-km driven by residents (zero-growth goal indicator)"),
    V("vkm", "transport", "vkm", ("vehicle_class",), "km yr-1", "territorial vehicle-km by vehicle class"),
    V("car_stock", "transport", "car_stock", ("powertrain",), "1", "residents' cars by powertrain"),
    V("new_car_share", "transport", "new_car_share", ("powertrain",), "1", "powertrain shares of new cars"),
    V("bev_share_of_car_stock", "transport", "bev_share_of_car_stock", (), "1",
      "battery-electric share of residents' cars"),
    V("road_energy", "transport", "road_energy", ("road_carrier",), "GW h yr-1",
      "road-transport energy by carrier"),
    V("bus_biogas_vkm_share", "transport", "bus_biogas_vkm_share", (), "1",
      "share of the territorial bus vehicle-km driven on biogas"),
    V("cordon_car_trips", "transport", "cordon_car_trips", ("period",), "d-1",
      "light-vehicle passages in the charged direction through the toll cordons the municipality owns, "
      "per day, by period"),
    V("toll_revenue", "transport", "toll_revenue", (), "yr-1",
      "toll revenue of the cordons the municipality owns, from cars, vans and heavy vehicles, in real 2009 NOK "
      "per year"),
    V("parked_car_trips", "transport", "parked_car_trips", ("zone",), "yr-1",
      "residents' car-driver trips ending away from home, by zone type of the destination"),
    V("toll_paid", "transport", "toll_paid", (), "yr-1",
      "tolls paid by residents' cars, by municipality of residence, in real 2009 NOK per year"),
    V("car_hours", "transport", "car_hours", (), "h yr-1",
      "residents' car-driver hours in vehicles at the year's congested speeds"),
    V("floor_area", "buildings", "floor_area", ("building_type",), "m2", "heated floor area"),
    V("new_floor_area", "buildings", "new_floor_area", ("building_type",), "m2 yr-1", "floor area built"),
    V("heating_system_share", "buildings", "heating_system_share", ("building_type", "heating_system"), "1",
      "share of floor area by heating system"),
    V("energy_need", "buildings", "energy_need", ("building_type",), "GW h yr-1",
      "net energy need of buildings (normal degree days)"),
    V("delivered_energy", "buildings", "delivered_energy", ("carrier",), "GW h yr-1",
      "energy delivered to buildings by carrier"),
    V("district_heat_demand", "buildings", "district_heat_demand", (), "GW h yr-1", "district heat delivered"),
    V("waste_generated", "waste", "waste_generated", (), "t yr-1", "household waste generated"),
    V("waste_by_treatment", "waste", "waste_by_treatment", ("treatment",), "t yr-1",
      "household waste by treatment"),
    V("landfill_ch4_generated", "waste", "landfill_ch4_generated", (), "t yr-1",
      "methane (CH4 mass) generated in landfills (first-order decay incl. legacy waste)"),
    V("landfill_ch4_recovered", "waste", "landfill_ch4_recovered", (), "t yr-1",
      "landfill methane recovered (CH4 mass)"),
    V("incinerated", "waste", "incinerated", (), "t yr-1", "residents' waste incinerated"),
    V("incineration_fossil_co2", "waste", "incineration_fossil_co2", (), "t yr-1",
      "fossil CO2 (mass) of the residents' incinerated waste, wherever it is burned"),
    V("biogas_produced", "waste", "biogas_produced", (), "GW h yr-1",
      "biomethane from anaerobic digestion of the residents' separately collected biowaste"),
    V("consumption_emissions", "waste", "consumption_emissions", (), "t yr-1",
      "consumption-based greenhouse-gas emissions of the residents and the municipality's purchases, wherever "
      "emitted, in tonnes of CO2 equivalents (per-capita factors, model/consumption.py; not re-weighed by the "
      "GWP set)"),
    # -- adaptation (submodels/adaptation.py): indicators of the developed zone area, no emissions
    V("sealed_surface_share", "adaptation", "sealed_surface_share", (), "1",
      "sealed share of the developed zone area after adaptation measures (roofs, green roofs included, and "
      "paved ground)"),
    V("green_roof_share", "adaptation", "green_roof_share", (), "1", "share of the roof area with green roofs"),
    V("runoff_coefficient", "adaptation", "runoff_coefficient", (), "1",
      "area-weighted runoff coefficient of the developed zone area for design rain"),
    V("design_peak_flow", "adaptation", "design_peak_flow", ("return_period",), "m3 s-1",
      "peak stormwater runoff of the developed zone area in the climate-adjusted 10-minute design rain, by "
      "return period (rational method summed over small sub-catchments, after detention)"),
    V("annual_runoff", "adaptation", "annual_runoff", (), "m3 yr-1",
      "stormwater runoff volume of the developed zone area in a year of normal precipitation"),
    V("new_floor_area_flood_exposed", "adaptation", "new_floor_area_flood_exposed", (), "m2 yr-1",
      "floor area built below the 200-year flood level (flood-exposed for TEK17 safety class F2)"),
)

# long_name of every coordinate (CF: every variable says what it is).
COORD_NAMES = {
    "scenario": "scenario name", "municipality": "municipality id (see `framtid list municipalities`)",
    "year": "calendar year",
    "draw": "parameter draw: index in the ensemble (without sampling every draw holds the default values)",
    "zone": "ABC zone type (A central, B mixed, C car-oriented)", "mode": "travel mode",
    "powertrain": "car powertrain", "vehicle_class": "road vehicle class",
    "road_carrier": "road-transport energy carrier", "building_type": "building type",
    "heating_system": "heating system", "carrier": "energy carrier", "treatment": "waste treatment",
    "source": "emission source", "gas": "greenhouse gas", "sector": "inventory sector",
    "region": "commuting region of the municipality", "sector_of_source": "inventory sector of the emission source",
    "time": "1 July of the year (the time annual values are placed at)", "period": "time of day",
    "measure": "label of a measure of the scenario", "adoption": "how the measure is adopted (forced or adaptive)",
    "return_period": "return period of the design rain",
    "cordon": "toll cordon id (see `framtid list cordons`; a scenario's own cordons after the embedded ones)",
    "cordon_owner": "municipality whose toll cordon it is",
    "parameter": "name of a sampled parameter, or of one fitted in each draw (see `framtid list parameters`)",
    "parameter_unit": "unit of the sampled parameter",
}

# units of the numeric coordinates that are physical quantities (CF: every dimensional quantity has units).
COORD_UNITS = {"return_period": "yr"}


# Record precision: the model computes in float64 whatever it records; "single" stores the record
# (and the result file's data variables) as float32, which halves the memory and the files of large
# ensembles and keeps about 7 significant digits, far below the spread of sampled draws.
PRECISIONS = {"single": np.float32, "double": np.float64}


def record_dtype(precision: str) -> type:
    """The numpy type of a record in ``precision`` ("single" or "double")."""
    if precision not in PRECISIONS:
        raise UsageError(f"precision: unknown precision {precision!r}; allowed: {', '.join(PRECISIONS)}")
    return PRECISIONS[precision]


def precision_of(array: np.ndarray) -> str:
    """The precision ("single" or "double") of a recorded array."""
    return next(name for name, dtype in PRECISIONS.items() if array.dtype == dtype)


def empty_record(n_years: int, n_draws: int, dtype=np.float64, submodels: set[str] | None = None,
                 recorded: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """Preallocated arrays (T, D, M, *extra) of ``dtype`` for every recorded variable (NaN until written); with
    ``submodels``, only their activity variables (a run of some submodels alone records no emissions), and of
    those only the ones named in ``recorded`` where given."""
    m = len(dims.MUNICIPALITIES)
    kept = [v for v in ACTIVITY if submodels is None or v.submodel in submodels]
    if recorded is not None:
        if isinstance(recorded, str):
            raise TypeError("recorded: a tuple of variable names, not one string")
        unknown = sorted(set(recorded) - {v.name for v in kept})
        if submodels is None or unknown:
            raise ValueError(f"recorded: {', '.join(unknown) or 'a choice of variables'} not recorded alone by "
                             f"this run; allowed: {', '.join(v.name for v in kept) if submodels else 'none'}")
        kept = [v for v in kept if v.name in recorded]
    rec = {v.name: np.full((n_years, n_draws, m) + tuple(len(COORDS[e]) for e in v.extra), np.nan, dtype=dtype)
           for v in kept}
    if submodels is not None:
        return rec
    rec["emissions_gas"] = np.full((n_years, n_draws, m, len(dims.SOURCES), len(dims.GASES)), np.nan, dtype=dtype)
    rec["target_gap"] = np.full((n_years, n_draws, m), np.nan, dtype=dtype)
    return rec
