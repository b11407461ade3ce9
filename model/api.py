"""The library's front door: load scenarios, run them, build and save results.

    from framtid.model import api
    ds = api.run(["scenarios/reference.toml"])
    api.save(ds, "results/reference.nc")

The command line calls exactly these functions. Turning runs into a result Dataset (``to_dataset``, the
provenance it records, ``reweigh``) is :mod:`result_dataset`'s job; this module re-exports it.
"""

from __future__ import annotations

from pathlib import Path


from .parameters import Params
from .errors import ResultFileError, UsageError
from .result_dataset import (_git_commit, check_combinable, co2e_by_source, code_digest, data_digest,  # noqa: F401
                             library_versions, reweigh, to_dataset, version)  # (re-exported: the front door)
from .result_file import add_checksums, check_result_path, open_results, save  # noqa: F401  (re-exported)
from .safe_write import check_folder  # noqa: F401  (re-exported)
from .results import ACTIVITY, record_dtype
from .scenario import Scenario, load as load_scenario

__all__ = ["run", "run_scenario", "load_scenario", "to_dataset", "save", "open_results"]


def run_scenario(scenario: Scenario, seed: int = 0, n_draws: int = 1, sampler: str | None = None,
                 draws: slice | None = None, precision: str = "double"):
    """Run one scenario; return the FramtidModel after its last year.

    Without ``sampler`` every draw holds the default parameter values. With a sampler
    (``lhs``, ``sobol``, ``random``) the uncertain parameters are sampled over an ensemble of
    ``n_draws`` (see :mod:`framtid.model.uncertainty.sampling`); ``draws`` runs only that chunk of
    it, with exactly the values those draws have in the whole ensemble. ``precision`` ("single" or
    "double") is that of the recorded arrays (see :func:`choose_precision`)."""
    from .simulation import FramtidModel

    if sampler is None:
        size = len(range(*draws.indices(n_draws))) if draws is not None else n_draws
        params = Params.defaults(size, scenario.parameters)
    else:
        params = Params.sampled(n_draws, seed, sampler, scenario.parameters, draws)
    model = FramtidModel(scenario, params, seed=seed, precision=precision)
    model.sampling = {"sampler": sampler or "none", "ensemble_draws": n_draws,
                      "first_draw": draws.indices(n_draws)[0] if draws is not None else 0}
    model.run()
    return model


def run(scenario_paths: list[str | Path], seed: int = 0, n_draws: int = 1, sampler: str | None = None,
        precision: str = "double"):
    """Validate and run scenario files; return one Dataset with a ``scenario`` dimension."""
    scenarios = [load_scenario(p) for p in scenario_paths]   # validate all before running any
    return to_dataset([run_scenario(s, seed, n_draws, sampler, precision=precision) for s in scenarios], seed)


def choose_precision(precision: str, n_draws: int | None) -> str:
    """The record precision of a run: "auto" is "single" for an ensemble of sampled draws (``n_draws``
    above 1), where float32's 7 significant digits lie far below the spread of the draws and halve
    memory and file size, and "double" otherwise (a run at the default values keeps every digit)."""
    if precision == "auto":
        return "single" if n_draws is not None and n_draws > 1 else "double"
    record_dtype(precision)      # refuses an unknown precision
    return precision


__all__ += ["reweigh", "choose_precision"]


def check_run(scenarios: list[Scenario], path: str | Path, force: bool = False) -> None:
    """Everything that would make a run's result unwritable, checked before the run starts."""
    check_combinable(scenarios)
    path = check_result_path(path, force)
    if path.is_dir():
        raise ResultFileError(f"{path}: is a folder")
    check_folder(path)


DEFAULT_NAME_MAX = 100   # characters of a default result file name before it is shortened


def default_result_path(scenarios: list[Scenario], folder: str | Path = "results") -> Path:
    """``results/<a>+<b>.nc``; with so many scenarios that the name grows long, the first name,
    the count of the others and a short digest of all names."""
    import hashlib

    names = [s.name for s in scenarios]
    stem = "+".join(names)
    if len(stem) + 3 > DEFAULT_NAME_MAX:
        digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:8]
        stem = f"{names[0][:40]}+{len(names) - 1}-more-{digest}"
    return Path(folder) / f"{stem}.nc"


__all__ += ["check_run", "check_combinable", "default_result_path"]


# Data variables of a result besides the ACTIVITY ones (see to_dataset), and those every result keeps
# whatever variables are asked for: emissions (what makes a file a framtid result, see open_results),
# the sampled parameter values of each draw (and each scenario's fitted amplitude), and the bounds of the CF
# time axis.
OTHER_VARIABLES = ("emissions", "emissions_source", "emissions_gas", "target_gap", "adoption_year",
                   "cordon_passages", "calibration_factor", "base_year_status")
# base_year_status (13 x 21 labels): where 2009 is estimated, the prediction band adds that estimate's error
ALWAYS_KEPT = ("emissions", "parameter_sample", "maturity_amplitude", "time_bounds", "base_year_status")


def result_variables() -> list[str]:
    """Names of the data variables a run can keep (``--variables``), in the order of a result."""
    return [v.name for v in ACTIVITY] + list(OTHER_VARIABLES)


def check_variables(names: list[str]) -> list[str]:
    """The asked variables, without repeats; unknown names are one UsageError listing the allowed."""
    allowed = result_variables()
    unknown = [n for n in names if n not in allowed and n not in ALWAYS_KEPT]   # those kept anyway may be named
    if unknown or not names:
        what = f"unknown variable(s) {', '.join(unknown)}" if unknown else "no variable named"
        raise UsageError(f"--variables: {what}; allowed: {', '.join(allowed)} "
                         f"({', '.join(ALWAYS_KEPT)} are always kept)")
    return list(dict.fromkeys(names))


def select_variables(ds, names: list[str] | None):
    """``ds`` with only the data variables ``names`` (checked by :func:`check_variables`) and those
    every result keeps, with the coordinates they use; ``None`` keeps everything. Checksums stay valid."""
    if names is None:
        return ds
    keep = [n for n in ds.data_vars if n in names or n in ALWAYS_KEPT]
    out = ds[keep]
    out.attrs = dict(ds.attrs, variables=",".join(keep))   # which variables the run kept
    return out


__all__ += ["result_variables", "check_variables", "select_variables"]
