"""The page geometry of the report's figures (:mod:`.report_figures`): a figure drawn off screen, the style of
its axes, a grid of panels whose free slots hold the legend, and one axes sized around a legend below it.
Sizes in inches, font sizes in points.
"""

from __future__ import annotations


def figure(width: float, height: float):
    """A matplotlib Figure ``width`` x ``height`` [in] on the Agg canvas (no window, no pyplot state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def style(ax, ylabel: str | None = None, size: float = 8.5) -> None:
    """The house style of an axes: light grid, thousands separators, no top and right spines."""
    ax.tick_params(labelsize=size)
    ax.grid(alpha=0.3, linewidth=0.6)
    ax.yaxis.set_major_formatter(lambda y, pos: f"{y:,.0f}" if abs(y) >= 10 or y == 0 else f"{y:,.1f}")
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=size)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def grid(n_panels: int, legend_slots: int, columns: int = 4, panel=(2.6, 2.05), top=0.75, bottom=0.45,
         legend_below: float = 0.0):
    """A figure with ``n_panels`` axes in a grid, and the free slots (for the legend) left empty."""
    slots = n_panels + legend_slots
    columns = max(1, min(columns, slots))
    lines = -(-slots // columns)
    width = panel[0] * columns
    height = panel[1] * lines + top + bottom + legend_below
    fig = figure(width, height)
    axes = fig.subplots(lines, columns, squeeze=False, gridspec_kw=dict(
        left=0.85 / width, right=1 - 0.15 / width, top=1 - top / height, bottom=(bottom + legend_below) / height,
        wspace=0.38, hspace=0.5)).ravel()
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    return fig, axes[:n_panels], axes[n_panels:]


def legend_box(fig, free_axes, handles, labels, ncols: int = 1, fontsize: float = 8.5):
    """The legend in the grid's free slots (their area), or below the panels when there are none."""
    if len(free_axes):
        first, last = free_axes[0].get_position(), free_axes[-1].get_position()
        box = (first.x0, last.y0, last.x1 - first.x0, first.y1 - last.y0)
        fig.legend(handles, labels, loc="center", bbox_to_anchor=box, fontsize=fontsize, frameon=False, ncols=ncols)
    else:
        fig.legend(handles, labels, loc="lower center", fontsize=fontsize, frameon=False, ncols=ncols)


def fit_below(fig, ax, handles, labels, axes_height: float, pad: float, fontsize: float = 8.5):
    """Size ``fig`` around one axes ``axes_height`` [in] high and a legend below it: two columns, or one
    when two would be wider than the figure; the figure widens to the legend, and the margins are
    measured from the drawn tick labels, axis labels and title."""
    renderer = fig.canvas.get_renderer()
    dpi = fig.dpi
    width = fig.get_figwidth()
    legend = None
    for ncols in (2, 1):
        if legend is not None:
            legend.remove()
        legend = fig.legend(handles, labels, loc="lower center", ncols=ncols, fontsize=fontsize, frameon=False)
        box = legend.get_window_extent(renderer)
        if box.width / dpi <= width - 2 * pad:
            break
    legend_w, legend_h = box.width / dpi, box.height / dpi
    width = max(width, legend_w + 2 * pad)
    inner, outer = ax.get_window_extent(renderer), ax.get_tightbbox(renderer)
    left = (inner.x0 - outer.x0) / dpi + pad
    right = max((outer.x1 - inner.x1) / dpi, 0.0) + pad
    top = (outer.y1 - inner.y1) / dpi + pad
    below = (inner.y0 - outer.y0) / dpi + pad
    height = legend_h + 2 * pad + below + axes_height + top
    fig.set_size_inches(width, height)
    ax.set_position((left / width, (legend_h + 2 * pad + below) / height, 1 - (left + right) / width,
                     axes_height / height))
    legend.set_bbox_to_anchor((0.5, pad / height), transform=fig.transFigure)
