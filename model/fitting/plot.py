"""A chart of a calibration (``framtid calibrate --plot``): a panel per observed series, the observations
(filled where fitted, open where checks, crossed where left out) beside the model at the table's values and at
the fit, and the cut-off. Written like the hindcast's charts: to a hidden temporary name, then given its name;
an existing file is replaced only with ``force``."""

from __future__ import annotations

import textwrap
from pathlib import Path

from .history import Calibration

PANEL_SIZE = (4.2, 3.0)     # [inch] width, height of one panel
DPI = 100


def _panels(calibration: Calibration) -> list[tuple[str, str, tuple]]:
    """(title, source, rows) of every series of the calibration: each fit's own, then its checks."""
    panels = []
    for fit in calibration.fits:
        panels.append((f"{fit.name}: {fit.series.quantity}", fit.series.source, fit.rows))
        panels += [(f"{fit.name}, not fitted: {c.series.quantity}", c.series.source, c.rows) for c in fit.checks]
    return panels


def figure(calibration: Calibration):
    """The matplotlib Figure of ``calibration``: one panel per series."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    panels = _panels(calibration)
    width, height = PANEL_SIZE[0] * len(panels), PANEL_SIZE[1] + 1.4
    fig = Figure(figsize=(width, height))
    axes = fig.subplots(1, len(panels), squeeze=False, gridspec_kw=dict(
        left=0.5 / width, right=1 - 0.2 / width, top=1 - 0.95 / height, bottom=0.75 / height, wspace=0.3)).ravel()
    for ax, (title, source, rows) in zip(axes, panels):
        years = [r.year for r in rows]
        ax.plot(years, [r.at_default for r in rows], "-", color="0.5", label="model, table's values")
        if any(r.at_fit is not None for r in rows):
            ax.plot(years, [r.at_fit for r in rows], "-", color="C0", label="model, fitted")
        for role, marker, face, label in (("fitted", "o", "C3", "observed, fitted"),
                                          ("check", "o", "none", "observed, check after the cut-off")):
            picked = [r for r in rows if r.role == role]
            ax.plot([r.year for r in picked], [r.observed for r in picked], marker, color="C3", markerfacecolor=face,
                    linestyle="none", markersize=5, label=label)
        left = [r for r in rows if r.role not in ("fitted", "check")]
        ax.plot([r.year for r in left], [r.observed for r in left], "x", color="C3", linestyle="none", markersize=5,
                label="observed, left out")
        if calibration.cut_off is not None and min(years) <= calibration.cut_off < max(years):
            ax.axvline(calibration.cut_off + 0.5, color="0.3", linestyle=":", linewidth=1, label="cut-off")
        ax.set_title(textwrap.fill(title, 48), fontsize=9)
        ax.set_xlabel(source, fontsize=7)
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    handles, labels = {}, []
    for ax in axes:
        for h, label in zip(*ax.get_legend_handles_labels()):
            if label not in handles:
                handles[label] = h
                labels.append(label)
    fig.legend([handles[k] for k in labels], labels, loc="lower center", ncols=len(labels), fontsize=8,
               frameon=False)
    cut = "no cut-off" if calibration.cut_off is None else f"cut-off {calibration.cut_off}"
    fig.suptitle(f"Free parameters fitted to history ({cut}; observations {calibration.observed})", fontsize=10)
    return fig


def write(calibration: Calibration, path: str | Path, force: bool, provenance: list[tuple[str, str]] = ()) -> Path:
    """Write the chart of ``calibration`` to ``path`` (a PNG), atomically; refused if it exists without ``force``."""
    from ..hindcast_plot import _png_writer
    from ..safe_write import check_plot_path, write_atomically

    target = check_plot_path(path, force)
    return write_atomically(target, _png_writer(figure(calibration), provenance), force, "the chart", "--plot")
