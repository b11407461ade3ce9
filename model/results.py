"""The results schema: what a run records, in which units, and how it is saved.

Inside the yearly loop the simulation writes numpy arrays of shape
``(T, D, M, *extra)``; :func:`to_dataset` builds one xarray Dataset at the end,
with dimensions ordered ``(scenario, municipality, *extra, year, draw)`` and a
``units`` attribute on every variable. :func:`save` writes NetCDF atomically
(temporary file, then rename) and never replaces an existing file unless told to.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import dims
from .errors import FramtidError, ResultExistsError
from .submodels.transport import ROAD_CARRIERS


@dataclass(frozen=True)
class Variable:
    name: str
    submodel: str           # which account() output holds it
    key: str                # its key there
    extra: tuple[str, ...]  # extra dimension names after municipality
    units: str
    description: str


COORDS = {
    "zone": dims.ZONES, "mode": dims.MODES, "powertrain": dims.POWERTRAINS,
    "vehicle_class": dims.VEHICLE_CLASSES, "road_carrier": ROAD_CARRIERS,
    "building_type": dims.BUILDING_TYPES, "heating_system": dims.HEATING_SYSTEMS,
    "carrier": dims.CARRIERS, "treatment": dims.TREATMENTS, "source": dims.SOURCES,
    "gas": dims.GASES, "sector": dims.SECTORS,
}

V = Variable
ACTIVITY = (
    V("population", "drivers", "population", (), "inhabitants", "residents on 1 January"),
    V("jobs", "land_use", "jobs", (), "jobs", "jobs located in the municipality"),
    V("zone_population", "land_use", "zone_population", ("zone",), "inhabitants", "residents by ABC zone type"),
    V("sealed_share", "land_use", "sealed_share", (), "1", "sealed share of the developed zone area"),
    V("mean_trip_length_factor", "land_use", "mean_trip_length_factor", (), "1",
      "trip length relative to 2009 from where people live (compact growth lowers it)"),
    V("mode_share", "transport", "mode_share", ("mode",), "1", "share of residents' trips by mode"),
    V("trips", "transport", "trips", ("mode",), "trips/yr", "residents' trips by mode"),
    V("pkm", "transport", "pkm", ("mode",), "pkm/yr", "residents' passenger-km by mode"),
    V("car_vkm", "transport", "car_vkm", ("powertrain",), "vkm/yr", "territorial car vehicle-km by powertrain"),
    V("car_vkm_resident", "transport", "car_vkm_resident", (), "vkm/yr",
      "car vehicle-km driven by residents (zero-growth goal indicator)"),
    V("vkm", "transport", "vkm", ("vehicle_class",), "vkm/yr", "territorial vehicle-km by vehicle class"),
    V("car_stock", "transport", "car_stock", ("powertrain",), "cars", "residents' cars by powertrain"),
    V("new_car_share", "transport", "new_car_share", ("powertrain",), "1", "powertrain shares of new cars"),
    V("bev_share_of_car_stock", "transport", "bev_share_of_car_stock", (), "1",
      "battery-electric share of residents' cars"),
    V("road_energy", "transport", "road_energy", ("road_carrier",), "GWh/yr", "road-transport energy by carrier"),
    V("floor_area", "buildings", "floor_area", ("building_type",), "m2", "heated floor area"),
    V("new_floor_area", "buildings", "new_floor_area", ("building_type",), "m2/yr", "floor area built"),
    V("heating_system_share", "buildings", "heating_system_share", ("building_type", "heating_system"), "1",
      "share of floor area by heating system"),
    V("energy_need", "buildings", "energy_need", ("building_type",), "GWh/yr",
      "net energy need of buildings (normal degree days)"),
    V("delivered_energy", "buildings", "delivered_energy", ("carrier",), "GWh/yr",
      "energy delivered to buildings by carrier"),
    V("district_heat_demand", "buildings", "district_heat_demand", (), "GWh/yr", "district heat delivered"),
    V("waste_generated", "waste", "waste_generated", (), "t/yr", "household waste generated"),
    V("waste_by_treatment", "waste", "waste_by_treatment", ("treatment",), "t/yr", "household waste by treatment"),
    V("landfill_ch4_generated", "waste", "landfill_ch4_generated", (), "t CH4/yr",
      "methane generated in landfills (first-order decay incl. legacy waste)"),
    V("landfill_ch4_recovered", "waste", "landfill_ch4_recovered", (), "t CH4/yr", "landfill methane recovered"),
    V("incinerated", "waste", "incinerated", (), "t/yr", "residents' waste incinerated"),
)


def _atomic_write(ds, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        ds.to_netcdf(tmp, engine="scipy")
        # mkstemp creates the file readable by its owner only; give it the usual mode.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def save(ds, path: str | Path, force: bool = False) -> Path:
    """Write a results Dataset to NetCDF atomically; refuse to overwrite without ``force``."""
    path = Path(path)
    if path.suffix != ".nc":
        raise FramtidError(f"{path}: result files must end in .nc")
    if path.exists() and not force:
        raise ResultExistsError(f"{path}: exists already; choose another --out or pass --force to replace it")
    try:
        _atomic_write(ds, path)
    except OSError as exc:
        raise FramtidError(f"{path}: cannot write the result ({exc.strerror or exc}); nothing was written") from None
    return path


def open_results(path: str | Path):
    """Open a results file written by :func:`save` (loaded into memory, file closed)."""
    import xarray as xr

    path = Path(path)
    if not path.exists():
        raise FramtidError(f"{path}: no such result file")
    try:
        with xr.open_dataset(path, engine="scipy") as ds:
            loaded = ds.load()
    except Exception as exc:  # scipy raises several types for files that are not NetCDF 3
        raise FramtidError(f"{path}: not a framtid result file ({exc})") from None
    if "emissions" not in loaded or "framtid_version" not in loaded.attrs:
        raise FramtidError(f"{path}: not a framtid result file (no emissions variable or provenance)")
    return loaded


def empty_record(n_years: int, n_draws: int) -> dict[str, np.ndarray]:
    """Preallocated arrays (T, D, M, *extra) for every recorded variable."""
    m = len(dims.MUNICIPALITIES)
    rec = {v.name: np.full((n_years, n_draws, m) + tuple(len(COORDS[e]) for e in v.extra), np.nan)
           for v in ACTIVITY}
    rec["emissions_gas"] = np.full((n_years, n_draws, m, len(dims.SOURCES), len(dims.GASES)), np.nan)
    rec["target_gap"] = np.full((n_years, n_draws, m), np.nan)
    return rec
