"""A run as a result Dataset: the models' records with their coordinates, units and provenance
(:func:`to_dataset`; the model version, the source commit, a digest of the embedded data), and the same
emissions weighed with another GWP set (:func:`reweigh`). ``api`` re-exports them.
"""

from __future__ import annotations

import subprocess
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import dims
from .accounting import co2e, gwp_vector, sectors_from_sources
from .cordons import cordons, using
from .data_store import observations, plants
from .errors import FramtidError, UsageError
from .parameters import Params
from .result_file import add_checksums
from .results import ACTIVITY, COORD_NAMES, COORD_UNITS, COORDS, precision_of
from .scenario import Scenario


def version() -> str:
    """The installed framtid version, as results record it."""
    from framtid import __version__

    return __version__


def _git_commit() -> str:
    """The source commit ('-dirty' with uncommitted changes) when this package runs from its own
    checkout; "none (installed package)" otherwise, e.g. a wheel installed inside another repository."""
    here = Path(__file__).resolve()
    try:
        top = subprocess.run(["git", "-C", str(here.parent), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, timeout=5)
        if top.returncode != 0 or (Path(top.stdout.strip()) / "model" / "result_dataset.py").resolve() != here:
            return "none (installed package)"
        out = subprocess.run(["git", "-C", str(here.parent), "describe", "--always", "--dirty", "--abbrev=12"],
                             capture_output=True, text=True, timeout=5)
        return out.stdout.strip() if out.returncode == 0 else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def library_versions() -> str:
    """Python and the libraries whose versions can move a result's last bits (random streams, quasi-random
    sequences, special functions, linear algebra): what a result needs beside its seed to be made again."""
    import platform

    import mesa
    import numpy
    import scipy
    import xarray

    return (f"python {platform.python_version()}; numpy {numpy.__version__}; scipy {scipy.__version__}; "
            f"xarray {xarray.__version__}; mesa {mesa.__version__}")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 over framtid's Python source (the package, its model and its command line), by file: what a
    batch's chunks must share to be one run's (an edited README or a commit leaves it; an edited module not)."""
    import hashlib

    import framtid
    import framtid.cli
    import framtid.model

    digest = hashlib.sha256()
    files = {"framtid": Path(framtid.__file__)}   # by module name: the same for an editable install and a wheel
    for package in (framtid.model, framtid.cli):
        folder = Path(package.__file__).parent
        for path in folder.rglob("*.py"):
            files[".".join((package.__name__, *path.relative_to(folder).with_suffix("").parts))] = path
    for name in sorted(files):
        digest.update(name.encode() + b"\x00" + files[name].read_bytes())
    return digest.hexdigest()


def data_digest() -> str:
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


GWP_LABELS = {"ar4": "IPCC AR4 (2007)", "ar5": "IPCC AR5 (2013)", "ar6": "IPCC AR6 (2021)", "sar": "IPCC SAR (1995)"}


def check_combinable(scenarios: list[Scenario]) -> None:
    """Scenarios can share one result file: unique names, one GWP set, and a cordon id that two scenarios
    define is the same cordon in both (the file's ``cordon`` axis has one row per id)."""
    files: dict[str, list[str]] = {}
    for s in scenarios:
        files.setdefault(s.name, []).append(s.files[-1][0] if s.files else s.name)
    for name, paths in files.items():
        if len(paths) > 1 and len(set(paths)) == 1:
            raise UsageError(f"{paths[0]}: given {len(paths)} times; scenario names must be unique in one result "
                             "file: give each file once")
        if len(paths) > 1:
            raise UsageError(f"{' and '.join(dict.fromkeys(paths))} have the same scenario name {name!r}; scenario "
                             "names must be unique in one result file: change the name in [scenario] of all but one")
    if len({s.gwp for s in scenarios}) > 1:
        raise UsageError("scenarios in one result file must use the same GWP set (got "
                           + ", ".join(f"{s.name}: {s.gwp}" for s in scenarios)
                           + "); set gwp in the scenario files or run them separately")
    seen: dict[str, tuple] = {}
    for s in scenarios:
        for c in s.cordons:
            geometry = _geometry(c)
            first = seen.setdefault(c.id, (s.name, geometry))
            if first[1] != geometry:
                raise UsageError(f"scenarios {first[0]} and {s.name} define cordon {c.id!r} differently (owner, "
                                 "direction, inside shares, exchange, external ratio or hour rule); one result file "
                                 "holds one cordon per id: give one of them another id, or run them separately")


def _geometry(cordon) -> tuple:
    """What makes two definitions of a cordon the same cordon: everything but its name, source and file."""
    return (cordon.municipality, cordon.charged_direction, cordon.inside_share, cordon.exchange_with,
            cordon.external_passage_ratio, cordon.first_year, cordon.last_year, cordon.hour_rule)


def to_dataset(models: list, seed: int):
    """Build one xarray Dataset from finished runs (one per scenario), with CF-1.8 metadata
    and a checksum on every data variable."""
    import xarray as xr

    check_combinable([m.scenario for m in models])
    names = [m.scenario.name for m in models]
    first = models[0]
    years = np.array(dims.YEARS, dtype=np.int32)     # CF-1.8 knows no 64-bit integers
    sampling = getattr(first, "sampling", {"sampler": "none", "ensemble_draws": first.n_draws, "first_draw": 0})
    draws = np.arange(sampling["first_draw"], sampling["first_draw"] + first.n_draws, dtype=np.int32)
    gwp = first.scenario.gwp
    co2e_attrs = {"co2e_basis": f"100-year global warming potentials, {GWP_LABELS.get(gwp, gwp)}", "gwp": gwp}

    def stack(name: str) -> np.ndarray:
        # (T, D, M, *extra) per scenario -> (scenario, M, *extra, T, D)
        arrays = [np.moveaxis(np.moveaxis(m.record[name], 0, -1), 0, -1) for m in models]
        return np.stack(arrays)

    data = {}
    for v in ACTIVITY:
        data[v.name] = (("scenario", "municipality") + v.extra + ("year", "draw"), stack(v.name),
                        {"units": v.units, "long_name": v.description})
    gas = np.stack([m.record["emissions_gas"] for m in models])           # (N, T, D, M, S, G)
    gwps = np.stack([gwp_vector(m.params, m.scenario.gwp) for m in models])  # (N, D, G)
    by_source = co2e_by_source(gas, gwps)                                     # (N, T, D, M, S), float64
    # Sectors from the float64 sources, then both in the record's precision.
    by_sector = sectors_from_sources(by_source, -1).astype(gas.dtype, copy=False)
    by_source = by_source.astype(gas.dtype, copy=False)
    # -> (N, M, S, T, D), stored in that order: the checksums and the file read them so (one copy instead of two)
    order = (0, 3, 4, 1, 2)
    data["emissions"] = (("scenario", "municipality", "sector", "year", "draw"),
                         np.ascontiguousarray(by_sector.transpose(order)),
                         {"units": "t yr-1", "long_name": "territorial greenhouse-gas emissions by inventory "
                                                          "sector, in tonnes of CO2 equivalents", **co2e_attrs})
    data["emissions_source"] = (("scenario", "municipality", "source", "year", "draw"),
                                np.ascontiguousarray(by_source.transpose(order)),
                                {"units": "t yr-1", "long_name": "territorial greenhouse-gas emissions by source, "
                                                                 "in tonnes of CO2 equivalents", **co2e_attrs})
    data["emissions_gas"] = (("scenario", "municipality", "source", "gas", "year", "draw"),
                             np.ascontiguousarray(gas.transpose(0, 3, 4, 5, 1, 2)),
                             {"units": "t yr-1", "long_name": "emissions by source and gas before GWP weighting, "
                                                              "in tonnes of each gas",
                              "comment": "gas fgas_co2e is already in tonnes of CO2 equivalents"})
    data["target_gap"] = (("scenario", "municipality", "year", "draw"), stack("target_gap"),
                          {"units": "t yr-1", "long_name": "last year's emissions minus the municipality's "
                                                           "straight-line target path (positive: above the path)",
                           **co2e_attrs})
    data["adoption_year"], coords_measure = _adoption_years(models)
    data["cordon_passages"], coords_cordon = _cordon_passages(models)
    coords_parameter = {}
    if sampling["sampler"] != "none":   # runs at default values have no sample to record
        data["parameter_sample"], coords_parameter = _parameter_sample(models, sampling["sampler"],
                                                                       int(sampling["ensemble_draws"]))
        data.update(_fitted_amplitude(models))
    data["calibration_factor"] = (("scenario", "municipality", "source", "draw"),
                                  np.stack([m.calibration.factors.transpose(1, 2, 0) for m in models]),
                                  {"units": "1", "long_name": "base-year calibration factor on each source's "
                                                              "physical driver",
                                   "comment": "1 = bottom-up estimate kept (an estimated source of "
                                              "calibration.TRANSFERRED, cars, takes the observed ones' geometric "
                                              "mean); NaN = observed value assigned to a source without a "
                                              "bottom-up estimate"})
    status = np.array([[first.calibration.status[(mu, s)] for s in dims.SOURCES] for mu in dims.MUNICIPALITIES])
    data["base_year_status"] = (("municipality", "source"), status,
                                {"long_name": "whether the 2009 value is observed, derived (a later inventory year "
                                              "back-cast) or estimated, and how"})
    coords = {"scenario": names, "municipality": list(dims.MUNICIPALITIES), "year": years, "draw": draws}
    coords.update(coords_measure)
    coords.update(coords_cordon)
    coords.update(coords_parameter)
    coords.update({k: list(v) for k, v in COORDS.items()})
    coords["region"] = ("municipality", [dims.REGION_OF[m] for m in dims.MUNICIPALITIES])
    coords["sector_of_source"] = ("source", [dims.SOURCE_SECTOR[s] for s in dims.SOURCES])
    # CF time axis: the integer `year` stays the dimension people select on; `time` is its
    # auxiliary time coordinate (1 July, bounded by 1 January and the next).
    starts = np.array([f"{y}-01-01" for y in years], dtype="datetime64[ns]")
    ends = np.array([f"{y + 1}-01-01" for y in years], dtype="datetime64[ns]")
    coords["time"] = ("year", np.array([f"{y}-07-01" for y in years], dtype="datetime64[ns]"))
    data["time_bounds"] = (("year", "nv"), np.stack([starts, ends], axis=1), {})
    for name in ("emissions", "population"):
        bad = ~np.isfinite(data[name][1])
        if bad.any():
            where = sorted({dims.MUNICIPALITIES[i] for i in np.nonzero(bad)[1]})
            raise FramtidError(f"the run produced non-finite {name} for {', '.join(where)}: a measure or "
                               "parameter at an extreme of its range, or the embedded data of these municipalities; "
                               "run again with --debug and report it (nothing was written)")
    ds = xr.Dataset(data, coords=coords)
    for name, long_name in COORD_NAMES.items():
        if name in ds.coords:
            ds[name].attrs["long_name"] = long_name
    for name, units in COORD_UNITS.items():
        ds[name].attrs["units"] = units
    ds["time"].attrs.update(standard_name="time", bounds="time_bounds")
    # CF-1.8 knows no 64-bit integers: whole days fit 32 bits.
    for name in ("time", "time_bounds"):
        ds[name].encoding.update(units="days since 2009-01-01 00:00:00", calendar="standard", dtype="int32")

    ds.attrs = {
        "Conventions": "CF-1.8",
        "title": "framtid scenario results",
        "institution": "framtid (open-source scenario model for the Framtidens byer municipalities)",
        "source": f"framtid {version()}",
        "history": f"written by framtid {version()} (scenario run)",
        "framtid_version": version(),
        "git_commit": _git_commit(),
        "code_sha256": code_digest(),   # an installed package records no commit: this tells its code apart
        "libraries": library_versions(),
        "seed": seed,
        "draws": int(first.n_draws),
        "sampler": sampling["sampler"],
        "ensemble_draws": int(sampling["ensemble_draws"]),
        "precision": precision_of(gas),
        "calibration": "re-fitted in every draw: each draw's base-year calibration factors make the 2009 values "
                       "match the observed inventory where it is observed, so the spread of draws starts after "
                       "2009 there",
        "scenarios": ",".join(names),
        "accounting": "territorial (Miljødirektoratet municipal inventory sectors); electricity and biofuel CO2 = 0",
        "data_sources": _data_sources(),
        "embedded_data_sha256": data_digest(),
    }
    # Scenario inputs by position (attribute names carry no hyphens; scenario names may).
    for k, m in enumerate(models, start=1):
        ds.attrs[f"scenario{k}_name"] = m.scenario.name
        for i, (path, text) in enumerate(m.scenario.files):
            ds.attrs[f"scenario{k}_file{i}"] = f"# {Path(path).name}\n{text}"
        ds.attrs[f"scenario{k}_parameters"] = repr(sorted(m.scenario.parameters.items()))
    add_checksums(ds)
    return ds


def co2e_by_source(gas: np.ndarray, gwps: np.ndarray) -> np.ndarray:
    """Emissions [t CO2e/yr] (N, T, D, M, S), float64, of gas masses (N, T, D, M, S, G) [t/yr] weighed
    with each scenario's GWPs (N, D, G). One scenario and year at a time: a single-precision record
    is weighed in float64 without a float64 copy of it whole."""
    out = np.empty(gas.shape[:-1])
    for n, t in np.ndindex(*gas.shape[:2]):
        out[n, t] = co2e(gas[n, t].astype(float, copy=False), gwps[n])
    return out


def _parameter_sample(models: list, sampler: str, ensemble_draws: int) -> tuple[tuple, dict]:
    """``parameter_sample(draw, parameter)``: the value every sampled parameter took in each draw
    (the uncertain parameters of the table), and the one fitted in each draw to the battery-electric history
    (``uncertainty/history_fit.py``), in name order. A scenario's own ``[parameters]`` replace the sample in its
    runs: each parameter's column is taken from the first scenario that does not set it, so it holds the
    sampled values whenever one scenario used them (and the value set where every scenario sets it). The fitted
    amplitude follows every parameter a scenario sets (the fit runs the history with them), so its column is
    taken from the first scenario that sets none, whose fit is the sample's own. ``ensemble_draws``: the draws of
    the whole ensemble, which decide the correlations the sample carries (a chunk's rows are the ensemble's)."""
    from .parameters import correlations
    from .uncertainty.history_fit import AMPLITUDE
    from .uncertainty.sampling import correlation_groups, uncertain

    first = models[0]
    names = sorted(set(uncertain(first.params.specs)) | ({AMPLITUDE} & set(first.params.names())))
    values = first.params.sample_matrix(names)
    for j, name in enumerate(names):
        sampled = next((m for m in models if not m.scenario.parameters), None) if name == AMPLITUDE else None
        sampled = sampled or next((m for m in models if name not in m.scenario.parameters), first)
        if sampled is not first:
            values[:, j] = sampled.params[name]
    # only the groups the sample could carry (k parameters need k + 2 draws of the ensemble, which is sampled
    # whole and then cut into chunks; sampling.correlate leaves the rest)
    imposed = {name for members, _ in correlation_groups(correlations(), names) if ensemble_draws >= len(members) + 2
               for name in members}
    pairs = [f"{a} ~ {b}: {rho:g}" for (a, b), rho in correlations().items() if a in imposed and b in imposed]
    if not pairs:
        pairs = ["none imposed in this sample"]
    var = (("draw", "parameter"), values,
           {"long_name": "sampled value of each uncertain parameter in each draw, and of "
                         f"{AMPLITUDE} as fitted in each draw to the new-car sales 2018-2024 (units: the "
                         "parameter table's)",
            "units": "1", "sampler": sampler,
            "comment": "values in the units of framtid list parameters; a scenario's [parameters] replace "
                       "the sampled values in its runs (scenarioK_parameters), and a parameter every scenario "
                       f"sets holds the value set; {AMPLITUDE} is the fit of a scenario that sets no parameter "
                       "where there is one (a scenario's [parameters] move its own fit)",
            "rank_correlations": "; ".join(pairs) + " (Iman-Conover, model/data/parameter_correlations.csv; "
                                 "groups of k parameters need k + 2 draws)"})
    units = [first.params.specs[n].unit for n in names]
    return var, {"parameter": names, "parameter_unit": ("parameter", units)}


def _fitted_amplitude(models: list) -> dict:
    """``maturity_amplitude(scenario, draw)`` [1]: the battery-electric maturity amplitude each scenario's draws
    were fitted to (``uncertainty/history_fit.py``). ``parameter_sample`` holds one column of it, a scenario's
    that sets no parameter; one whose ``[parameters]`` move its fit has its own here. None where the table has
    no amplitude to fit."""
    from .uncertainty.history_fit import AMPLITUDE

    if AMPLITUDE not in models[0].params.names():
        return {}
    values = np.stack([np.broadcast_to(m.params[AMPLITUDE], (m.n_draws,)) for m in models]).astype(float)
    return {"maturity_amplitude": (("scenario", "draw"), values,
                                   {"units": "1", "long_name": f"{AMPLITUDE} as run in each draw of each scenario: "
                                                               "fitted to the new-car sales 2018-2024 unless the "
                                                               "scenario sets it or ends the sales fitted before 2018",
                                    "comment": "a scenario's [parameters] move its own fit; parameter_sample "
                                               "holds the fit of a scenario that sets none"})}


def _adoption_years(models: list) -> tuple[tuple, dict]:
    """``adoption_year`` (scenario, municipality, measure, draw) over the union of the scenarios'
    measure labels, and the ``measure`` coordinates (with how each is adopted)."""
    per_model = [m.agenda.adoption_years() for m in models]
    labels = list(dict.fromkeys(label for years in per_model for label in years))
    out = np.full((len(models), len(dims.MUNICIPALITIES), len(labels), models[0].n_draws), np.nan)
    mode = dict.fromkeys(labels, "forced")
    for n, years in enumerate(per_model):
        for label, (how, when) in years.items():
            out[n, :, labels.index(label)] = when.T
            if how == "adaptive":
                mode[label] = "adaptive"
    var = (("scenario", "municipality", "measure", "draw"), out,
           {"units": "1", "long_name": "calendar year a measure starts acting in the municipality: its start_year "
                                       "if forced, the year its municipality adopted it if adaptive",
            "comment": "NaN: the measure does not apply to the municipality, or an adaptive measure was never "
                       "adopted by the final year; measures are named by label"})
    return var, {"measure": labels, "adoption": ("measure", [mode[x] for x in labels])}


def _cordon_passages(models: list) -> tuple[tuple, dict]:
    """``cordon_passages`` (scenario, cordon, period, year, draw) over the union of the scenarios' cordons
    (the embedded ones, then each scenario's own in order), NaN for a cordon a scenario does not have; and
    the ``cordon`` coordinates with the municipality that owns each."""
    owners = {}
    for m in models:
        with using(m.scenario.cordons):
            owners.update((c.id, c.municipality) for c in cordons())
    ids = list(owners)
    rec = models[0].record["cordon_passages"]
    out = np.full((len(models), len(ids), rec.shape[-1], rec.shape[0], rec.shape[1]), np.nan, dtype=rec.dtype)
    for n, m in enumerate(models):
        out[n, [ids.index(c) for c in m.cordons]] = m.record["cordon_passages"].transpose(2, 3, 0, 1)
    var = (("scenario", "cordon", "period", "year", "draw"), out,
           {"units": "d-1", "long_name": "light-vehicle passages in the charged direction across each toll cordon's "
                                         "line, charged or not, per day, by period",
            "comment": "every light vehicle: residents of the 13 by the crossing rule, plus vehicles from elsewhere "
                       "and through traffic by the cordon's external passage ratio; in years a cordon charges nothing "
                       "its line carries the trips that cross it at the car share of the trips they travel with "
                       "(road_traffic.line_passages), so a new ring can be compared before and after; NaN: the "
                       "scenario does not have the cordon"})
    return var, {"cordon": ids, "cordon_owner": ("cordon", [owners[c] for c in ids])}


def reweigh(ds, gwp_set: str):
    """A copy of a results Dataset with ``emissions`` and ``emissions_source`` recomputed
    from the gas masses with another GWP set (e.g. AR5 to compare with a recent inventory).

    Weighed a gas at a time and summed into sectors a source at a time, in float64: a product of
    every gas mass with its GWP, or a group-by over sources, would hold several float64 copies of the
    gas masses at once (2 GB for 1 000 draws)."""
    import xarray as xr

    w = gwp_vector(Params.defaults(1), gwp_set)[0]
    gas = ds["emissions_gas"]
    g = gas.dims.index("gas")
    by_source = np.zeros(tuple(n for i, n in enumerate(gas.shape) if i != g))
    for i, weight in enumerate(w):
        by_source += np.take(gas.values, i, axis=g).astype(float) * weight
    source_dims = tuple(d for d in gas.dims if d != "gas")
    source_da = xr.DataArray(by_source, dims=source_dims, coords={d: gas.coords[d] for d in source_dims
                                                                    if d in gas.coords})
    by_sector = sectors_from_sources(by_source, source_dims.index("source"))
    sector_dims = tuple("sector" if d == "source" else d for d in source_dims)
    sector_da = xr.DataArray(by_sector, dims=sector_dims,
                             coords={d: (ds["sector"] if d == "sector" else gas.coords[d]) for d in sector_dims
                                     if d == "sector" or d in gas.coords})
    out = ds.copy()
    out["emissions_source"] = source_da.transpose(*ds["emissions_source"].dims).assign_attrs(
        ds["emissions_source"].attrs)
    out["emissions"] = sector_da.transpose(*ds["emissions"].dims).assign_attrs({**ds["emissions"].attrs,
                                                                                  "gwp": gwp_set})
    return out
