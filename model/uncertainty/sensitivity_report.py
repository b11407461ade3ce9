"""A finished sensitivity analysis (:class:`Report`) and how it is shown: the ranked table
(:func:`rows`, :func:`title`, :func:`inert_summary`), one JSON object (:func:`to_json`) and the chart
(:func:`plot`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..safe_write import check_plot_path
from .sensitivity_indices import Indices, _all
from .sensitivity_model import Output


@dataclass
class Report:
    """A sensitivity analysis of one scenario's output: the indices and how they were obtained."""

    scenario: str
    output: Output
    indices: Indices
    screening: Indices | None
    parameters: list[str]           # what was varied (before any screening)
    seconds: float
    notes: list[str]

    @property
    def n_runs(self) -> int:
        return self.indices.n_runs + (self.screening.n_runs if self.screening else 0)


def describe(name: str, indices: Indices, specs: Mapping | None = None) -> tuple[str, str]:
    """Unit and description of a parameter, or of a group (its member count)."""
    from .. import parameters

    specs = specs if specs is not None else parameters.table()
    if indices.members is not None:
        members = indices.members.get(name, [])
        if len(members) == 1:
            return "", f"1 parameter: {members[0]}"
        if name.endswith("}"):   # a group of correlated parameters (--groups correlated) names them all
            return "", f"{len(members)} parameters with declared rank correlations, moved together"
        return "", f"{len(members)} parameters {name}.*"
    spec = specs[name]
    return spec.unit, (f"{spec.description} ({spec.distribution} {spec.low:g} to {spec.high:g}, default "
                       f"{spec.default:g})")


def _number(x: float, fmt: str, digits: int = 4):
    if fmt == "table":
        return "-" if not np.isfinite(x) else f"{x:.{digits}g}"
    return float(x) if np.isfinite(x) else None


def rows(report: Report, fmt: str = "table", width: int | None = None) -> tuple[tuple[str, ...], list[tuple]]:
    """The ranked indices: (rank,) parameter (or group), the method's columns, unit, description.

    csv and json number the ranks and keep every description whole. The table starts with the name
    (the column a reader copies) and keeps one line per parameter in ``width`` characters: the
    description is cut to the room left (at least :data:`MIN_DESCRIPTION`), ending in "...".
    """
    ind = report.indices
    label = "group" if ind.members is not None else "parameter"
    rank = () if fmt == "table" else ("rank",)
    header = (*rank, label, *ind.columns, "unit", "description")
    body = []
    for i, name in enumerate(ind.names):
        unit, text = describe(name, ind)
        body.append(((i + 1,) if rank else ()) + (name, *(_number(ind.values[c][i], fmt) for c in ind.columns),
                                                  unit, text))
    if fmt == "table" and width is not None and body:
        fixed = sum(max(len(str(r[j])) for r in [header, *body]) + 2 for j in range(len(header) - 1))
        room = max(MIN_DESCRIPTION, width - fixed)
        body = [r[:-1] + (r[-1] if len(r[-1]) <= room else r[-1][:room - 3].rstrip() + "...",) for r in body]
    return header, body


MIN_DESCRIPTION = 30   # characters of a description kept in the table however narrow the terminal


def title(report: Report) -> str:
    """What the table shows, how it was computed and how to read it (for the table format)."""
    ind, out = report.indices, report.output
    what = "groups" if ind.members is not None else "parameters"
    if ind.method == "morris":
        s = ind.settings
        head = (f"Morris elementary effects (Morris 1991; mu_star: Campolongo et al. 2007) of {out.label}, "
                f"scenario {report.scenario}: {s.get('screened', len(_all(ind)))} {what}, "
                f"r = {s['trajectories']} trajectories, "
                f"{s['levels']} levels, {report.n_runs} runs in {report.seconds:.0f} s.")
        read = (f"mu_star, mu_star_conf (its {s['conf_level']:.0%} bootstrap half-width), sigma and mu are in "
                f"{out.unit} per unit change of the parameter's quantile; sigma large against mu_star: "
                "non-linear or interacting; |mu| well below mu_star: effects of both signs.")
        if ind.members is not None:
            read += (" Groups move all their parameters together (Campolongo et al. 2007): mu_star ranks them; "
                     "mu mixes the signs of their members and sigma is given only for one-parameter groups.")
    else:
        s = ind.settings
        head = (f"Sobol' indices (Sobol' 2001; Saltelli 2002, Saltelli et al. 2010) of {out.label} "
                f"[{out.unit}], scenario {report.scenario}: {len(ind.names)} {what}, N = {s['samples']}, "
                f"{report.n_runs} runs in {report.seconds:.0f} s.")
        read = (f"S1: share of the output variance a {what[:-1]} explains alone; ST: with all its interactions "
                f"(shares of the variance of these {len(ind.names)} {what} alone, the others held at their "
                f"defaults, not of the whole projection's); *_conf: {s['conf_level']:.0%} bootstrap half-widths.")
    basis = ("Indices are with respect to each parameter's own distribution in the parameter table (SALib "
             "samples the unit hypercube, mapped through each parameter's inverse CDF); other parameters at "
             "their defaults. Whole descriptions: --format csv or json.")
    return "\n".join([head, read, basis] + [f"note: {n}" for n in report.notes])


def inert_summary(report: Report, shown: list) -> tuple[list, str]:
    """For the table: rows with mu_star = 0 left out, summarised by submodel in one line."""
    ind = report.indices
    if ind.method != "morris" or ind.members is not None:
        return shown, ""
    keep = [r for r, m in zip(shown, ind.values["mu_star"]) if m > 0]
    zero = [n for n, m in zip(ind.names, ind.values["mu_star"]) if m == 0]
    if not zero or not keep:
        return shown, ""
    counts: dict[str, int] = {}
    for n in zero:
        counts[n.split(".", 1)[0]] = counts.get(n.split(".", 1)[0], 0) + 1
    parts = ", ".join(f"{k}.* ({v})" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
    return keep, (f"{len(zero)} parameter(s) did not change the output in any run (mu_star = 0; listed in csv "
                  f"and json): {parts}")


def to_json(report: Report) -> dict:
    """The report as one JSON object: settings, output, and the ranked indices."""
    header, body = rows(report, "json")
    out = report.output
    doc = {"method": report.indices.method, "scenario": report.scenario,
           "output": {"name": out.name, "labels": list(out.labels), "municipality": out.municipality,
                      "year": out.year, "unit": out.unit, "description": out.description},
           "settings": {k: v for k, v in report.indices.settings.items()},
           "runs": report.n_runs,   # not the run time: the same inputs give the same JSON
           "basis": "indices with respect to each parameter's own distribution in the parameter table",
           "notes": report.notes,
           "indices": [dict(zip(header, r)) for r in body]}
    if report.screening is not None:
        doc["screening"] = {"method": "morris", "runs": report.screening.n_runs,
                            "settings": report.screening.settings,
                            "mu_star": {n: float(v) for n, v in zip(report.screening.names,
                                                                     report.screening.values["mu_star"])}}
    return doc


PLOT_ROWS = 25   # bars in the chart: the rest of a long Morris ranking is unreadable there


def plot(report: Report, path: str | Path, force: bool = False, provenance: list[tuple[str, str]] = ()) -> Path:
    """Write the ranked indices as a PNG: horizontal bars with the confidence intervals as error bars.
    Morris: mu_star with its interval, beside sigma against mu_star; Sobol': S1 and ST side by side.
    ``provenance`` (:mod:`framtid.model.provenance`) goes into its text chunks. Atomic (temporary file, then
    rename); an existing file only with ``force``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..provenance import png_metadata
    from ..safe_write import write_atomically

    path = check_plot_path(path, force)
    ind, out = report.indices, report.output
    n = min(len(ind.names), PLOT_ROWS)
    names = ind.names[:n][::-1]                     # most important at the top
    pos = np.arange(n)
    v = {c: np.asarray(a[:n][::-1], dtype=float) for c, a in ind.values.items() if c in ind.columns}
    fig = Figure(figsize=(12.0, max(3.0, 0.32 * n + 1.6)))
    FigureCanvasAgg(fig)
    if ind.method == "morris":
        # sigma against mu_star (Morris 1991, fig. 2) only for parameters: SALib has no sigma for groups
        scatter = ind.members is None
        ax = fig.add_subplot(1, 2, 1) if scatter else fig.add_subplot(1, 1, 1)
        ax.barh(pos, v["mu_star"], xerr=v["mu_star_conf"], color="C0", ecolor="black", capsize=2)
        ax.set_xlabel(f"mu_star [{out.unit} per unit quantile]")
        if scatter:
            ax2 = fig.add_subplot(1, 2, 2)
            mu_star, sigma = ind.values["mu_star"], ind.values["sigma"]
            ax2.scatter(mu_star, sigma, s=12, color="C0")
            top = max(float(np.nanmax(mu_star, initial=0.0)), float(np.nanmax(sigma, initial=0.0)))
            ax2.plot([0, top], [0, top], color="grey", linewidth=0.7, linestyle="--", label="sigma = mu_star")
            for i in range(min(8, len(ind.names))):
                ax2.annotate(ind.names[i], (mu_star[i], sigma[i]), fontsize=6, xytext=(3, 2),
                             textcoords="offset points")
            ax2.set_xlabel(f"mu_star [{out.unit} per unit quantile]")
            ax2.set_ylabel("sigma")
            ax2.legend(fontsize=7, frameon=False)
            ax2.grid(alpha=0.3)
            ax2.set_title("sigma against mu_star: above the line, non-linear or interacting", fontsize=9)
    else:
        ax = fig.add_subplot(1, 1, 1)
        h = 0.4
        ax.barh(pos + h / 2, v["S1"], height=h, xerr=v["S1_conf"], color="C0", ecolor="black", capsize=2,
                label="S1 (first order)")
        ax.barh(pos - h / 2, v["ST"], height=h, xerr=v["ST_conf"], color="C1", ecolor="black", capsize=2,
                label="ST (total)")
        ax.set_xlabel("share of the output variance [-]")
        ax.legend(fontsize=8, loc="lower right", frameon=False)
    ax.set_yticks(pos)
    ax.set_yticklabels(names, fontsize=7)
    ax.axvline(0, color="grey", linewidth=0.5)
    ax.grid(axis="x", alpha=0.3)
    more = f" (top {n} of {len(ind.names)})" if n < len(ind.names) else ""
    method = "Morris" if ind.method == "morris" else "Sobol'"
    held = "; other parameters at their defaults" if ind.method == "sobol" else ""
    fig.suptitle(f"{method} sensitivity of {out.label}, scenario "
                 f"{report.scenario}{more}; bars: {ind.settings['conf_level']:.0%} bootstrap intervals{held}",
                 fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    meta = png_metadata(list(provenance))
    return write_atomically(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100, metadata=meta), force,
                            "the chart")
