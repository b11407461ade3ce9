"""The library's front door: load scenarios, run them, build and save results.

    from framtid.model import api
    ds = api.run(["scenarios/reference.toml"])
    api.save(ds, "results/reference.nc")

The command line calls exactly these functions.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np

from . import dims
from .accounting import gwp_vector, sectors_from_sources
from .data_store import observations, plants
from .parameters import Params
from .errors import FramtidError
from .results import ACTIVITY, COORDS, open_results, save  # noqa: F401  (re-exported)
from .scenario import Scenario, load as load_scenario

__all__ = ["run", "run_scenario", "load_scenario", "to_dataset", "save", "open_results"]


def _version() -> str:
    from framtid import __version__

    return __version__


def _git_commit() -> str:
    """The source commit ('-dirty' with uncommitted changes), if the package runs from a git checkout."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "-C", str(here), "describe", "--always", "--dirty", "--abbrev=12"],
                             capture_output=True, text=True, timeout=5)
        return out.stdout.strip() if out.returncode == 0 else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def run_scenario(scenario: Scenario, seed: int = 0, n_draws: int = 1):
    """Run one scenario; return the FramtidModel after its last year."""
    from .simulation import FramtidModel

    params = Params.defaults(n_draws, scenario.parameters)
    model = FramtidModel(scenario, params, seed=seed)
    model.run()
    return model


def _data_digest() -> str:
    """SHA-256 over the embedded data and parameter files, so a result names the exact inputs it used."""
    import hashlib

    from .data_store import data_path

    digest = hashlib.sha256()
    folder = data_path("")
    for path in sorted(p for p in folder.rglob("*") if p.suffix in (".csv", ".toml")):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _data_sources() -> str:
    urls = sorted({o.source for o in observations() if o.source})
    if plants():
        urls.append("Norskeutslipp plant register")
    return "; ".join(urls)


def to_dataset(models: list, seed: int):
    """Build one xarray Dataset from finished runs (one per scenario)."""
    import xarray as xr

    check_combinable([m.scenario for m in models])
    names = [m.scenario.name for m in models]
    first = models[0]
    years = np.array(dims.YEARS)
    draws = np.arange(first.n_draws)

    def stack(name: str) -> np.ndarray:
        # (T, D, M, *extra) per scenario -> (scenario, M, *extra, T, D)
        arrays = [np.moveaxis(np.moveaxis(m.record[name], 0, -1), 0, -1) for m in models]
        return np.stack(arrays)

    data = {}
    for v in ACTIVITY:
        data[v.name] = (("scenario", "municipality") + v.extra + ("year", "draw"), stack(v.name),
                        {"units": v.units, "description": v.description})
    gas = np.stack([m.record["emissions_gas"] for m in models])           # (N, T, D, M, S, G)
    gwps = np.stack([gwp_vector(m.params, m.scenario.gwp) for m in models])  # (N, D, G)
    by_source = (gas * gwps[:, None, :, None, None, :]).sum(-1)             # (N, T, D, M, S)
    by_sector = sectors_from_sources(by_source, -1)
    order = (0, 3, 4, 1, 2)   # -> (N, M, S, T, D)
    data["emissions"] = (("scenario", "municipality", "sector", "year", "draw"), by_sector.transpose(order),
                         {"units": "t CO2e/yr", "description": "territorial emissions by inventory sector",
                          "gwp": first.scenario.gwp})
    data["emissions_source"] = (("scenario", "municipality", "source", "year", "draw"),
                                by_source.transpose(order),
                                {"units": "t CO2e/yr", "description": "territorial emissions by source"})
    data["emissions_gas"] = (("scenario", "municipality", "source", "gas", "year", "draw"),
                             gas.transpose(0, 3, 4, 5, 1, 2),
                             {"units": "t/yr (fgas_co2e in t CO2e/yr)",
                              "description": "emissions by source and gas before GWP weighting"})
    data["target_gap"] = (("scenario", "municipality", "year", "draw"), stack("target_gap"),
                          {"units": "t CO2e/yr",
                           "description": "last year's emissions minus the municipality's straight-line "
                                          "target path (positive: above the path)"})
    data["calibration_factor"] = (("scenario", "municipality", "source", "draw"),
                                  np.stack([m.calibration.factors.transpose(1, 2, 0) for m in models]),
                                  {"units": "1", "description": "base-year calibration factor on each source's "
                                                                "physical driver (1 = bottom-up estimate kept; "
                                                                "NaN = observed value assigned to a source "
                                                                "without a bottom-up estimate)"})
    status = np.array([[first.calibration.status[(mu, s)] for s in dims.SOURCES] for mu in dims.MUNICIPALITIES])
    data["base_year_status"] = (("municipality", "source"), status,
                                {"units": "1", "description": "whether the 2009 value is observed or estimated"})
    coords = {"scenario": names, "municipality": list(dims.MUNICIPALITIES), "year": years, "draw": draws}
    coords.update({k: list(v) for k, v in COORDS.items()})
    coords["region"] = ("municipality", [dims.REGION_OF[m] for m in dims.MUNICIPALITIES])
    coords["sector_of_source"] = ("source", [dims.SOURCE_SECTOR[s] for s in dims.SOURCES])
    for name in ("emissions", "population"):
        bad = ~np.isfinite(data[name][1])
        if bad.any():
            where = sorted({dims.MUNICIPALITIES[i] for i in np.nonzero(bad)[1]})
            raise FramtidError(f"the run produced non-finite {name} for {', '.join(where)}; "
                               "check the embedded data of these municipalities (nothing was written)")
    ds = xr.Dataset(data, coords=coords)
    ds.attrs = {
        "title": "framtid scenario results",
        "framtid_version": _version(),
        "git_commit": _git_commit(),
        "seed": seed,
        "draws": int(first.n_draws),
        "scenarios": ",".join(names),
        "accounting": "territorial (Miljødirektoratet municipal inventory sectors); electricity and biofuel CO2 = 0",
        "data_sources": _data_sources(),
        "embedded_data_sha256": _data_digest(),
    }
    for m in models:
        for i, (path, text) in enumerate(m.scenario.files):
            ds.attrs[f"scenario_{m.scenario.name}_file{i}"] = f"# {Path(path).name}\n{text}"
        ds.attrs[f"scenario_{m.scenario.name}_parameters"] = repr(sorted(m.scenario.parameters.items()))
    return ds


def run(scenario_paths: list[str | Path], seed: int = 0, n_draws: int = 1):
    """Validate and run scenario files; return one Dataset with a ``scenario`` dimension."""
    scenarios = [load_scenario(p) for p in scenario_paths]   # validate all before running any
    return to_dataset([run_scenario(s, seed, n_draws) for s in scenarios], seed)


def reweigh(ds, gwp_set: str):
    """A copy of a results Dataset with ``emissions`` and ``emissions_source`` recomputed
    from the gas masses with another GWP set (e.g. AR5 to compare with a recent inventory)."""
    w = gwp_vector(Params.defaults(1), gwp_set)[0]
    by_source = (ds["emissions_gas"] * ds["gas"].copy(data=w)).sum("gas")
    out = ds.copy()
    out["emissions_source"] = by_source.assign_attrs(ds["emissions_source"].attrs)
    out["emissions"] = by_source.groupby(ds["sector_of_source"].rename("sector")).sum().reindex(
        sector=ds["sector"].values).transpose(*ds["emissions"].dims).assign_attrs(
        {**ds["emissions"].attrs, "gwp": gwp_set})
    return out


__all__ += ["reweigh"]


def check_combinable(scenarios: list[Scenario]) -> None:
    """Scenarios can share one result file: unique names, one GWP set."""
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise FramtidError(f"scenario names must be unique in one result file (got {', '.join(names)})")
    if len({s.gwp for s in scenarios}) > 1:
        raise FramtidError("scenarios in one result file must use the same GWP set (got "
                           + ", ".join(f"{s.name}: {s.gwp}" for s in scenarios)
                           + "); set gwp in the scenario files or run them separately")


def check_run(scenarios: list[Scenario], path: str | Path, force: bool = False) -> None:
    """Everything that would make a run's result unwritable, checked before the run starts."""
    path = Path(path)
    check_combinable(scenarios)
    if path.suffix != ".nc":
        raise FramtidError(f"{path}: result files must end in .nc")
    if path.exists() and not force:
        raise FramtidError(f"{path}: exists already; choose another --out or pass --force to replace it")
    folder = path.parent if str(path.parent) else Path(".")
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise FramtidError(f"{path}: cannot write there ({existing} is not a writable folder)")


__all__ += ["check_run", "check_combinable"]
