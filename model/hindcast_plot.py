"""Charts of a hindcast: one PNG per municipality, a panel per observed sector, source or total with
the modelled path over every year of the run and the observed points.

matplotlib is imported only when a chart is drawn, and through its Agg canvas directly, so the
process-wide backend (pyplot's) is left alone. PNGs are written like result files: to a hidden
temporary name in the folder, then linked to their name; existing PNGs are replaced only with
``force``, and a refusal comes before anything is written.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from . import dims
from .errors import ResultExistsError, ResultFileError
from .observed import sort_key
from .safe_write import check_folder, write_all_atomically

PANEL_SIZE = (3.4, 2.5)     # [inch] width, height of one panel
MAX_COLUMNS = 4
TITLE_HEIGHT = 0.6      # [inch] above the panels
LEGEND_HEIGHT = 0.35    # [inch] below them
DPI = 100


def plot(rows, out_dir: str | Path, force: bool = False, provenance: list[tuple[str, str]] = ()) -> list[Path]:
    """Write ``hindcast-<scenario>-<municipality>.png`` for each municipality in ``rows`` into
    ``out_dir`` (created if missing), ``provenance`` (:mod:`framtid.model.provenance`) in their text chunks;
    return the paths written. Refuse existing PNGs unless ``force``."""
    folder = Path(out_dir)
    by_municipality = _panels(rows)
    targets = _targets(by_municipality, folder)
    _check_targets(folder, list(targets.values()), force)
    made = not folder.exists()
    try:
        # Every chart is drawn before any is given its name: an interrupt leaves none of them, and with
        # --force no mix of new and old charts.
        return write_all_atomically([(targets[m], png_writer(_figure(m, panels), provenance)) for m, panels in
                                     by_municipality.items()], force, "the chart")
    except BaseException:
        if made and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()                 # the folder made for the charts, left empty
        raise


def chart_paths(rows, out_dir: str | Path) -> list[Path]:
    """The PNGs :func:`plot` writes of ``rows`` into ``out_dir``, one per municipality."""
    return list(_targets(_panels(rows), Path(out_dir)).values())


def _targets(by_municipality: dict, folder: Path) -> dict[str, Path]:
    """Each municipality's PNG in ``folder``, of its panels (:func:`_panels`)."""
    return {m: folder / file_name(_scenario(panels), m) for m, panels in by_municipality.items()}


def file_name(scenario: str, municipality: str) -> str:
    """The PNG's file name (characters other than letters, digits, '.', '_', '-' become '_')."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", f"hindcast-{scenario}-{municipality}") + ".png"


def _panels(rows) -> dict[str, dict[tuple[str, str, str], list]]:
    """Rows by municipality, then by (level, name, gwp): totals, sectors, sources, all in ``dims`` order."""
    out: dict[str, dict[tuple[str, str, str], list]] = {}
    for r in sorted(rows, key=lambda r: (dims.MUNICIPALITIES.index(r.municipality), *sort_key(r.level, r.name),
                                         r.gwp)):
        out.setdefault(r.municipality, {}).setdefault((r.level, r.name, r.gwp), []).append(r)
    return out


def _scenario(panels) -> str:
    series = next((r.series for rows in panels.values() for r in rows if r.series is not None), None)
    return series.scenario if series is not None else "run"


def _check_targets(folder: Path, targets: list[Path], force: bool) -> None:
    if folder.exists() and not folder.is_dir():
        raise ResultFileError(f"{folder}: is not a folder; --out names the folder for the PNGs")
    if targets:
        check_folder(targets[0])
    existing = [p for p in targets if os.path.lexists(p)]   # a link to nothing too
    if existing and not force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise ResultExistsError(f"{existing[0]}: exists already{more}; choose another --out or pass --force to "
                                "replace them; no chart was written")


def _figure(municipality: str, panels):
    """A matplotlib Figure with one panel per (level, name, gwp) [kt CO2e/yr]. The margins are fixed
    in inches (matplotlib's constrained layout costs about twice the drawing time)."""
    from matplotlib.figure import Figure

    columns = min(MAX_COLUMNS, len(panels))
    lines = math.ceil(len(panels) / columns)
    width, height = PANEL_SIZE[0] * columns, PANEL_SIZE[1] * lines + TITLE_HEIGHT + LEGEND_HEIGHT
    fig = Figure(figsize=(width, height))
    axes = fig.subplots(lines, columns, squeeze=False, gridspec_kw=dict(
        left=0.7 / width, right=1 - 0.2 / width, top=1 - TITLE_HEIGHT / height, bottom=(LEGEND_HEIGHT + 0.35) / height,
        wspace=0.4, hspace=0.55)).ravel()
    for ax, ((level, name, gwp), rows) in zip(axes, panels.items()):
        _panel(ax, level, name, gwp, sorted(rows, key=lambda r: r.year))
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=2, fontsize=9, frameon=False)
    fig.suptitle(f"{_display_name(municipality)}: scenario {_scenario(panels)} against observed emissions",
                 y=1 - 0.15 / height, va="top")
    return fig


def _panel(ax, level: str, name: str, gwp: str, rows) -> None:
    series = rows[0].series
    if series is not None and series.predicted_low is not None:   # the prediction band, behind the draws' range
        ax.fill_between(series.years, [v / 1000.0 for v in series.predicted_low],
                        [v / 1000.0 for v in series.predicted_high], color="C0", alpha=0.08, linewidth=0,
                        label="prediction band 5-95 % (draws and discrepancy)")
    if series is not None and series.low is not None:   # the draws' 5-95 % range
        ax.fill_between(series.years, [v / 1000.0 for v in series.low], [v / 1000.0 for v in series.high],
                        color="C0", alpha=0.2, linewidth=0, label="modelled, 5-95 % of the draws")
    if series is not None:
        ax.plot(series.years, [v / 1000.0 for v in series.values], color="C0", label="modelled")
    else:
        ax.plot([r.year for r in rows], [r.modelled / 1000.0 for r in rows], color="C0", label="modelled")
    ax.plot([r.year for r in rows], [r.observed / 1000.0 for r in rows], "o", color="C3", markersize=4,
            label="observed")
    ax.set_title(name if level != "source" else f"{name} (source)", fontsize=9)
    ax.set_ylabel(f"kt CO2e/yr ({gwp.upper()})", fontsize=8)
    ax.set_ylim(bottom=0)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)


def _display_name(municipality: str) -> str:
    from .data_store import municipalities

    return next((m.name for m in municipalities() if m.id == municipality), municipality)


def png_writer(fig, provenance: list[tuple[str, str]] = ()):
    """What writes ``fig`` as a PNG into a file (for :func:`~framtid.model.safe_write.write_all_atomically`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from .provenance import png_metadata

    FigureCanvasAgg(fig)
    meta = png_metadata(list(provenance))
    return lambda tmp: fig.savefig(tmp, format="png", dpi=DPI, metadata=meta)
