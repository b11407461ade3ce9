"""A chart of a calibration (``framtid calibrate --plot``): a panel per observed series, the observations
(filled where fitted, open where checks, crossed where left out or never fitted) beside the model at the table's
values and at the fit, and the cut-off; series relative to 2009 around their data, with 2009's 1 drawn. Written
with the fit's scenario, both or neither (:func:`.report.write`)."""

from __future__ import annotations

import math
import textwrap

from .history import Calibration

PANEL_SIZE = (4.2, 3.0)     # [inch] width, height of one panel
MAX_COLUMNS = 4


def _panels(calibration: Calibration) -> list[tuple[str, str, tuple, bool]]:
    """(title, source, rows, relative to 2009?) of every series of the calibration: each fit's own, then its
    checks."""
    panels = []
    for fit in calibration.fits:
        panels.append((f"{fit.name}: {fit.series.quantity}", fit.series.source, fit.rows, fit.error == "log"))
        panels += [(f"{fit.name}, not fitted: {c.series.quantity}", c.series.source, c.rows, False)
                   for c in fit.checks]
    return panels


# How each observation is marked: fitted (filled), a check after the cut-off (open), never fitted (a cross: left
# out, as a cold year, or a series set beside a fit without being fitted to)
MARKS = (("fitted", "o", "C3", "observed, fitted"), ("check", "o", "none", "observed, check after the cut-off"))
NOT_FITTED = "observed, left out or never fitted"


def figure(calibration: Calibration):
    """The matplotlib Figure of ``calibration``: one panel per series."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    panels = _panels(calibration)
    columns = min(MAX_COLUMNS, len(panels))
    lines = math.ceil(len(panels) / columns)
    width, height = PANEL_SIZE[0] * columns, (PANEL_SIZE[1] + 0.6) * lines + 0.8
    fig = Figure(figsize=(width, height))
    axes = fig.subplots(lines, columns, squeeze=False, gridspec_kw=dict(
        left=0.5 / width, right=1 - 0.2 / width, top=1 - 0.95 / height, bottom=0.75 / height, wspace=0.3,
        hspace=0.6)).ravel()
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    for ax, (title, source, rows, relative) in zip(axes, panels):
        years = [r.year for r in rows]
        ax.plot(years, [r.at_default for r in rows], "-", color="0.5", label="model before the fit")
        if any(r.at_fit is not None for r in rows):
            ax.plot(years, [r.at_fit for r in rows], "-", color="C0", label="model, fitted")
        for role, marker, face, label in MARKS:
            picked = [r for r in rows if r.role == role]
            if picked:
                ax.plot([r.year for r in picked], [r.observed for r in picked], marker, color="C3",
                        markerfacecolor=face, linestyle="none", markersize=5, label=label)
        left = [r for r in rows if r.role not in ("fitted", "check")]
        if left:
            ax.plot([r.year for r in left], [r.observed for r in left], "x", color="C3", linestyle="none",
                    markersize=5, label=NOT_FITTED)
        if calibration.cut_off is not None and min(years) <= calibration.cut_off < max(years):
            ax.axvline(calibration.cut_off + 0.5, color="0.3", linestyle=":", linewidth=1, label="cut-off")
        ax.set_title(textwrap.fill(title, 48), fontsize=9)
        ax.set_xlabel(source, fontsize=7)
        if relative:     # around the data: the changes the fits turn on are a few per cent; 2009 = 1 drawn
            ax.axhline(1.0, color="0.6", linewidth=0.8, linestyle="--")
        else:
            ax.set_ylim(bottom=0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    handles, labels = {}, []
    for ax in axes[:len(panels)]:
        for h, label in zip(*ax.get_legend_handles_labels()):
            if label not in handles:
                handles[label] = h
                labels.append(label)
    fig.legend([handles[k] for k in labels], labels, loc="lower center", ncols=len(labels), fontsize=8,
               frameon=False)
    cut = "no cut-off" if calibration.cut_off is None else f"cut-off {calibration.cut_off}"
    fig.suptitle(f"Free parameters fitted to history ({cut}; observations {calibration.observed})", fontsize=10)
    return fig


def writer(calibration: Calibration, provenance: list[tuple[str, str]] = ()):
    """What writes the chart of ``calibration`` as a PNG into a file, ``provenance`` in its text chunks (for
    :func:`~framtid.model.safe_write.write_all_atomically`)."""
    from ..hindcast_plot import png_writer

    return png_writer(figure(calibration), provenance)
