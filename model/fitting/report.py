"""What ``framtid calibrate`` prints and writes: the fitted parameters, the observations beside the model,
and a scenario that runs the policy history with the fit."""

from __future__ import annotations

import math

from .. import dims
from ..toml_text import comment_text, key_text
from ..uncertainty.history_fit import THROUGH as SALES_THROUGH
from .history import HISTORY, Calibration, Fit
from .series import Series

PARAMETER_COLUMNS = ("fit", "parameter", "default", "fitted", "low", "high", "on_bound", "fitted_years",
                     "error", "rms_fitted", "rms_fitted_default", "rms_checks", "rms_checks_default")


def _years(years: tuple[int, ...]) -> str:
    return ", ".join(map(str, years)) or "none"


def cut_off_text(calibration: Calibration) -> str:
    return "none" if calibration.cut_off is None else str(calibration.cut_off)


def _error_name(fit: Fit) -> str:
    return "log" if fit.error == "log" else "share"


def parameter_rows(calibration: Calibration) -> list[dict]:
    """One row per fitted parameter: its table default and range, the fit, and the fit's errors."""
    rows = []
    for fit in calibration.fits:
        for i, name in enumerate(fit.parameters):
            rows.append({"fit": fit.name, "parameter": name, "default": fit.defaults[i],
                         "fitted": None if fit.fitted is None else fit.fitted[i],
                         "low": fit.bounds[i][0], "high": fit.bounds[i][1], "on_bound": fit.on_bound[i],
                         "fitted_years": _years(fit.fitted_years), "error": _error_name(fit),
                         "rms_fitted": fit.rms("fitted"), "rms_fitted_default": fit.rms("fitted", "default"),
                         "rms_checks": fit.rms("check"), "rms_checks_default": fit.rms("check", "default")})
    return rows


def observation_rows(fit: Fit, series: Series, rows) -> list[dict]:
    """The observations of ``series`` beside the model at the table's default and at ``fit``, and the
    municipalities the model is summed over for each."""
    who = {p.year: list(p.municipalities) for p in series.points}
    over = {p.year: series.modelled_over or covered(p.municipalities) for p in series.points}
    return [{"fit": fit.name, "quantity": series.quantity, "year": r.year, "observed": r.observed,
             "at_default": r.at_default, "at_fit": r.at_fit, "role": r.role, "municipalities": who[r.year],
             "modelled_over": over[r.year]} for r in rows]


def as_json(calibration: Calibration) -> dict:
    return {"history": HISTORY, "cut_off": calibration.cut_off, "observed": calibration.observed,
            "parameters": parameter_rows(calibration),
            "fits": [{"fit": fit.name, "quantity": fit.series.quantity, "source": fit.series.source,
                      "error": _error_name(fit), "candidates_run": fit.evaluated,
                      "observations": observation_rows(fit, fit.series, fit.rows),
                      "checks": [{"quantity": c.series.quantity, "source": c.series.source,
                                  "observations": observation_rows(fit, c.series, c.rows)} for c in fit.checks]}
                     for fit in calibration.fits]}


def _number(x: float | None, digits: int = 4) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}g}"


def underdetermined(calibration: Calibration) -> list[str]:
    """A warning for each fit with no more observed years than parameters: it can meet them exactly whatever it
    does elsewhere (two parameters of the battery-electric path on the sales of 2018 alone), so a later cut-off,
    or none, is what to fit on."""
    return [f"{fit.name}: {len(fit.parameters)} parameters fitted on {len(fit.fitted_years)} observed year(s) "
            f"({_years(fit.fitted_years)}): the fit can meet them exactly and says little beyond them; see the "
            "checks, or fit on a later cut-off"
            for fit in calibration.fits if fit.fitted is not None and len(fit.fitted_years) <= len(fit.parameters)]


def fit_lines(fit: Fit) -> list[str]:
    """A fit in words: each parameter's fit beside the table's default and range, what it was fitted to, and its
    errors at the fit and at the table's values."""
    lines = [f"{fit.name}: fitted on {_years(fit.fitted_years)} to {fit.series.quantity}, {fit.series.source}"]
    for i, name in enumerate(fit.parameters):
        fitted = ("not fitted (no observation up to the cut-off)" if fit.fitted is None
                  else f"{fit.fitted[i]:.6g}" + (" (on a bound of its range)" if fit.on_bound[i] else ""))
        lines.append(f"  {name}: {fitted}; table {fit.defaults[i]:g}, range {fit.bounds[i][0]:g} to "
                     f"{fit.bounds[i][1]:g}")
    lines.append(f"  rms {_error_name(fit)} error, fitted years: {_number(fit.rms('fitted'), 3)} at the fit, "
                 f"{_number(fit.rms('fitted', 'default'), 3)} at {fit.baseline}; checks: "
                 f"{_number(fit.rms('check'), 3)} and {_number(fit.rms('check', 'default'), 3)}")
    return lines


def covered(municipalities: tuple[str, ...]) -> str:
    """The municipalities an observation is set against, in words ("the 13" for all of them, "the 13 but ..." for
    all but a few)."""
    missing = [m for m in dims.MUNICIPALITIES if m not in set(municipalities)]
    if not missing:
        return "the 13"
    return f"the 13 but {', '.join(missing)}" if len(missing) <= 3 else ", ".join(municipalities)


def observation_table(series: Series, rows) -> tuple[tuple, list[tuple]]:
    """The observations of ``series`` (``rows``: :class:`.history.Row`) beside the model, as a table."""
    header = ("year", "observed", "default", "fitted", "role", "modelled over")
    who = {p.year: series.modelled_over or covered(p.municipalities) for p in series.points}
    return header, [(r.year, f"{r.observed:.3f}", f"{r.at_default:.3f}", "-" if r.at_fit is None else f"{r.at_fit:.3f}",
                     r.role, who[r.year]) for r in rows]


def title(calibration: Calibration) -> str:
    cut = ("every year each fit may use" if calibration.cut_off is None
           else f"the years up to {calibration.cut_off}, later ones as checks")
    return (f"Free parameters fitted with the policy history ({HISTORY}) in force, on {cut}; observations: "
            f"{calibration.observed}. rms: root mean square error of the fitted years and of the checks, in log "
            "(emissions relative to 2009) or in share (new cars), at the fit and at the table's default.")


def _sales_through_default() -> float:
    """The table's last year of the sales the draws are fitted to (read when asked, not at import)."""
    from ..parameters import table

    return table()[SALES_THROUGH].default


def scenario_text(calibration: Calibration, name: str, version: str) -> str:
    """A scenario file extending the policy history with the fitted values as its ``[parameters]``."""
    lines = [f"# Free parameters fitted by framtid calibrate (framtid {version}): cut-off {cut_off_text(calibration)}, "
             f"observations {comment_text(calibration.observed)}.",
             "# Run it as it is, or copy the [parameters] into another scenario; `framtid calibrate` prints the fit."]
    lines += [f"# {label}: {comment_text(value)}" for label, value in inputs_of(calibration)]
    for fit in calibration.fits:
        if fit.fitted is None:
            lines.append(f"# {fit.name}: not fitted (no observation up to the cut-off); the table's values stay")
            continue
        error = fit.rms("fitted")
        lines.append(f"# {fit.name}: fitted on {_years(fit.fitted_years)} to {fit.series.quantity} "
                     f"({comment_text(fit.series.source)}); rms {_error_name(fit)} error {_number(error, 3)} "
                     f"({fit.baseline}: {_number(fit.rms('fitted', 'default'), 3)})")
    described = f"observations up to {calibration.cut_off}" if calibration.cut_off else "every observation"
    lines += ["", "[scenario]", f'name = "{name}"',
              f'description = "The policy history with its free parameters fitted to {described} (framtid calibrate)"',
              f'extends = "{HISTORY}"', "", "[parameters]"]
    lines += [f"{key_text(p)} = {value:.6g}" for p, value in calibration.overrides().items()]
    if calibration.cut_off is not None and calibration.cut_off < _sales_through_default():
        lines += ["# an ensemble's draws are fitted to the battery-electric sales up to the cut-off alone",
                  f"{key_text(SALES_THROUGH)} = {calibration.cut_off}"]
    return "\n".join(lines) + "\n"


def inputs_of(calibration: Calibration) -> list[tuple[str, str]]:
    """What the fit read, as the scenario file and the chart record it: the observations file with its SHA-256
    (where one was given) and the embedded data and code."""
    from ..provenance import of_code, of_file

    given = [of_file("observed", calibration.observed)] if calibration.observed != "embedded" else []
    return given + of_code()


def check_out(path, force: bool):
    """The ``--out`` scenario file, refused before any fitting if it cannot or must not be written."""
    from ..safe_write import check_file

    return check_file(path, force, "--out", (".toml",), "the fit is written as a scenario file ending in .toml")


def write(calibration: Calibration, out, plot, force: bool, version: str) -> list:
    """Write the scenario of the fit (:func:`scenario_text`) to ``out`` and its chart to ``plot`` (either may be
    None), together and atomically: both or neither, never over a file without ``force``. The scenario is named
    after its file where that is a valid scenario name, else "calibrated"; the chart carries the command's
    inputs in its text chunks."""
    from ..safe_write import check_plot_path, text_writer, write_all_atomically
    from ..scenario_values import NAME_PATTERN

    files = []
    if out is not None:
        target = check_out(out, force)
        name = target.stem if NAME_PATTERN.fullmatch(target.stem) else "calibrated"
        files.append((target, text_writer(scenario_text(calibration, name, version))))
    if plot is not None:
        from .plot import writer

        provenance = [("written by", f"framtid {version} calibrate"), ("cut-off", cut_off_text(calibration))]
        provenance += inputs_of(calibration)
        files.append((check_plot_path(plot, force), writer(calibration, provenance)))
    return (write_all_atomically(files, force, "the calibration's files", hold_writes=True, option="--out or --plot")
            if files else [])
