"""The report's figures: pure functions from data to a matplotlib Figure (``framtid report``).

Each takes arrays and labels, never a result file, so it can be drawn and tested on its own; the
report (:mod:`.report`) decides what goes in and writes the PNGs. Paths and fan charts against
targets, stacked sectors, scenario differences, wedges of a package's measures, the marginal
abatement cost curve and the LMDI decomposition. The page geometry they share (a figure, the style of
its axes, grids of panels with their legend) is :mod:`.report_layout`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import dims
from . import report_layout as layout

DIFFERENCE_STEP = 1                      # [yr] between the bars of the difference charts
SECTOR_LABELS = {
    "road_passenger_cars": "passenger cars", "road_vans": "vans", "road_heavy_vehicles": "heavy vehicles",
    "road_buses": "buses", "heating": "heating", "waste_wastewater": "waste and wastewater",
    "energy_supply": "energy supply", "industry": "industry",
    "shipping": "shipping", "other_mobile": "other mobile combustion", "agriculture": "agriculture",
    "aviation": "aviation", "fgas_products": "F-gas products",
}
SECTOR_COLOURS = {
    "road_passenger_cars": "#1f77b4", "road_vans": "#aec7e8", "road_heavy_vehicles": "#17becf",
    "road_buses": "#9edae5", "heating": "#d62728", "waste_wastewater": "#8c564b", "energy_supply": "#ff7f0e",
    "industry": "#7f7f7f", "shipping": "#9467bd", "other_mobile": "#ffbb78", "agriculture": "#2ca02c",
    "aviation": "#e377c2", "fgas_products": "#bcbd22",
}
MEASURE_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                   "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94")
NATIONAL_MARKERS = ("v", "o", "s", "D")
EFFECT_LABELS = {"activity": "activity", "structure": "structure", "intensity": "intensity", "fuel": "fuel"}
DECOMPOSITION_SECTORS = {"road_transport": "road transport", "buildings": "buildings (heating)"}


def wedge_bands(base: np.ndarray, effects: np.ndarray) -> list[tuple[tuple, tuple]]:
    """Each measure's wedge around a base path: ((lower, upper) of its cut, (lower, upper) of its
    increase), each edge (T,) [unit of the inputs].

    ``base`` (T,) is the path without the package, ``effects`` (n, T) each measure's effect (negative: a
    cut). The cuts are stacked downwards from the base in the order given, the increases upwards, so
    the bands never overlap, also where a measure's effect changes sign between years (each edge is a
    continuous path), and the outer edges are base + the sums of the cuts and of the increases."""
    effects = np.asarray(effects, dtype=float)
    zero = np.zeros((1,) + np.shape(base))
    down = base + np.concatenate([zero, np.cumsum(np.minimum(effects, 0.0), axis=0)])
    up = base + np.concatenate([zero, np.cumsum(np.maximum(effects, 0.0), axis=0)])
    return [((down[i + 1], down[i]), (up[i], up[i + 1])) for i in range(effects.shape[0])]


@dataclass
class PathPanel:
    """One panel of emission paths [kt CO2e/yr]: a line per scenario, target marks
    ``(year, value, label)`` (national: by the national rule; own: the municipality's own target).

    With several draws the line is the median over the draws, ``bands`` holds each scenario's
    (p05, p25, p75, p95) paths (4, T) drawn as a fan around it, and ``spans`` the 5-95 % range
    ``(low, high)`` of a target mark's value by ``(year, label)`` (a target set on each draw's own
    2009 emissions varies with the draw)."""

    title: str
    lines: dict[str, np.ndarray]
    national: list[tuple[int, float, str]] = field(default_factory=list)
    own: list[tuple[int, float, str]] = field(default_factory=list)
    bands: dict[str, np.ndarray] = field(default_factory=dict)
    spans: dict[tuple[int, str], tuple[float, float]] = field(default_factory=dict)


BAND_ALPHA = (0.14, 0.3)                 # the 5-95 % band, the 25-75 % band (over the first)
FAN_PERCENTILES = (5.0, 25.0, 75.0, 95.0)


def fan(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The median path (T,) and the fan (p05, p25, p75, p95) (4, T) of paths over draws (T, D) [unit of
    the paths]. The paths must be the quantity shown, summed draw by draw (a total's percentiles are
    not the sums of its parts' percentiles)."""
    draws = np.asarray(draws, dtype=float)
    return np.median(draws, axis=-1), np.percentile(draws, FAN_PERCENTILES, axis=-1)


def _marks_handles(panels: list[PathPanel], colours: dict[str, str] | None = None):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    seen: dict[str, str] = {}
    for p in panels:
        for _, _, label in p.national:
            seen.setdefault(label, NATIONAL_MARKERS[len(seen) % len(NATIONAL_MARKERS)])
    handles = [Line2D([], [], marker=m, linestyle="none", markerfacecolor="white", markeredgecolor="black",
                      markersize=6) for m in seen.values()]
    labels = list(seen)
    if any(p.own for p in panels):
        handles.append(Line2D([], [], marker="*", linestyle="none", color="#c00000", markersize=9))
        labels.append("the municipality's own emission target")
    fans = {sc for p in panels for sc in p.bands}
    if fans:
        # one scenario: its colour; several: grey, each scenario's fan having its line's colour
        colour = colours[next(iter(fans))] if len(fans) == 1 and colours else "black"
        which = "" if len(fans) == 1 else " (in each scenario's colour)"
        outer, inner = BAND_ALPHA
        for alpha, what in ((outer, "5-95 %"), (1 - (1 - outer) * (1 - inner), "25-75 %")):
            handles.append(Patch(facecolor=colour, alpha=alpha, linewidth=0))   # the inner band lies over the outer
            labels.append(f"{what} of the draws{which}")
    if any(p.spans for p in panels):
        handles.append(Line2D([], [], marker="|", linestyle="none", color="black", markersize=10))
        labels.append("a target's 5-95 % range over the draws")
    return seen, handles, labels


def _draw_paths(ax, panel: PathPanel, years, colours: dict[str, str], markers: dict[str, str], size=8.5):
    for sc, band in panel.bands.items():                 # behind the lines and the marks
        ax.fill_between(years, band[0], band[3], color=colours[sc], alpha=BAND_ALPHA[0], linewidth=0)
        ax.fill_between(years, band[1], band[2], color=colours[sc], alpha=BAND_ALPHA[1], linewidth=0)
    for sc, values in panel.lines.items():
        ax.plot(years, values, color=colours[sc], linewidth=1.5, label=sc)
    for year, value, label in panel.national:
        if (year, label) in panel.spans:
            ax.plot([year, year], panel.spans[(year, label)], color="black", linewidth=1.0, zorder=4, clip_on=False)
        ax.plot([year], [value], marker=markers[label], linestyle="none", markerfacecolor="white",
                markeredgecolor="black", markersize=6, zorder=5, clip_on=False)
    for year, value, label in panel.own:
        if (year, label) in panel.spans:
            ax.plot([year, year], panel.spans[(year, label)], color="#c00000", linewidth=1.0, zorder=4,
                    clip_on=False)
        ax.plot([year], [value], marker="*", linestyle="none", color="#c00000", markersize=9, zorder=6,
                clip_on=False)
    ax.set_ylim(bottom=0)
    ax.set_xlim(years[0], years[-1])
    ax.set_xticks([2010, 2020, 2030, 2040, 2050])
    layout.style(ax, size=size)


def _line_label(sc: str, panel: PathPanel) -> str:
    return f"scenario {sc}, median of the draws" if panel.bands else f"scenario {sc}"


def paths_figure(years, panel: PathPanel, colours: dict[str, str], ylabel: str):
    """One large panel of emission paths with the national-rule targets marked (the selection together);
    the legend below it."""
    from matplotlib.lines import Line2D

    markers, mark_handles, mark_labels = _marks_handles([panel], colours)
    handles = [Line2D([], [], color=colours[sc], linewidth=2) for sc in panel.lines] + mark_handles
    labels = [_line_label(sc, panel) for sc in panel.lines] + mark_labels
    legend_lines = -(-len(labels) // 2)
    height = 4.4 + 0.22 * legend_lines
    fig = layout.figure(10.0, height)
    ax = fig.add_axes((0.08, (0.55 + 0.22 * legend_lines) / height, 0.9, 1 - (0.95 + 0.22 * legend_lines) / height))
    _draw_paths(ax, panel, years, colours, markers, size=9.5)
    ax.set_ylabel(ylabel, fontsize=9.5)
    ax.set_title(panel.title, fontsize=11)
    fig.legend(handles, labels, loc="lower center", ncols=2, fontsize=9, frameon=False)
    return fig


def paths_grid(years, panels: list[PathPanel], colours: dict[str, str], ylabel: str, title: str):
    """Small panels of emission paths, one per municipality, each on its own scale, with the targets
    marked; the legend fills the free slots of the grid."""
    from matplotlib.lines import Line2D

    markers, mark_handles, mark_labels = _marks_handles(panels, colours)
    free_slots = (-len(panels)) % 4
    below = free_slots < 2                       # one free slot is too narrow for the legend
    fig, axes, free = layout.grid(len(panels), 0 if below else free_slots, legend_below=1.3 if below else 0.0)
    for ax, panel in zip(axes, panels):
        _draw_paths(ax, panel, years, colours, markers)
        ax.set_title(panel.title, fontsize=9.5)
    for ax in axes[::4]:
        ax.set_ylabel(ylabel, fontsize=8.5)
    fig.suptitle(title, fontsize=11, y=1 - 0.12 / fig.get_figheight(), va="top")
    scenarios = list(panels[0].lines) if panels else []
    handles = [Line2D([], [], color=colours[sc], linewidth=2) for sc in scenarios] + mark_handles
    labels = [_line_label(sc, panels[0]) for sc in scenarios] + mark_labels
    layout.legend_box(fig, free, handles, labels, ncols=2 if below else 1)
    return fig


def stacked_figure(years, stacks: dict[str, np.ndarray], ylabel: str, title: str, columns: int = 2,
                   shared: bool = True):
    """Stacked areas of emissions by sector, one panel per key of ``stacks`` ((S, T) over
    ``dims.SECTORS``), the legend of sectors at the right."""
    from matplotlib.patches import Patch

    n = len(stacks)
    columns = min(columns, n)
    lines = -(-n // columns)
    width, height = 3.9 * columns + 2.9, 3.0 * lines + 0.9
    fig = layout.figure(width, height)
    axes = fig.subplots(lines, columns, squeeze=False, sharey=shared, gridspec_kw=dict(
        left=0.75 / width, right=1 - 2.95 / width, top=1 - 0.6 / height, bottom=0.35 / height, wspace=0.15 if
        shared else 0.35, hspace=0.45)).ravel()
    colours = [SECTOR_COLOURS[s] for s in dims.SECTORS]
    for ax, (name, stack) in zip(axes, stacks.items()):
        ax.stackplot(years, stack, colors=colours, linewidth=0)
        ax.plot(years, stack.sum(axis=0), color="black", linewidth=0.8)
        ax.set_title(name, fontsize=9.5)
        ax.set_xlim(years[0], years[-1])
        ax.set_ylim(bottom=0)
        layout.style(ax)
    for ax in axes[::columns]:
        ax.set_ylabel(ylabel, fontsize=8.5)
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=11, y=1 - 0.12 / height, va="top")
    handles = [Patch(color=SECTOR_COLOURS[s]) for s in reversed(dims.SECTORS)]
    fig.legend(handles, [SECTOR_LABELS[s] for s in reversed(dims.SECTORS)], loc="center left",
               bbox_to_anchor=(1 - 2.85 / width, 0.5), fontsize=8.5, frameon=False, title="sector (top to bottom)",
               title_fontsize=8.5)
    return fig


def stacked_grid(years, stacks: dict[str, np.ndarray], ylabel: str, title: str):
    """Stacked areas by sector, one small panel per municipality (each on its own scale)."""
    from matplotlib.patches import Patch

    free_slots = (-len(stacks)) % 4
    below = free_slots < 2
    fig, axes, free = layout.grid(len(stacks), 0 if below else free_slots, legend_below=1.6 if below else 0.0)
    colours = [SECTOR_COLOURS[s] for s in dims.SECTORS]
    for ax, (name, stack) in zip(axes, stacks.items()):
        ax.stackplot(years, stack, colors=colours, linewidth=0)
        ax.set_title(name, fontsize=9.5)
        ax.set_xlim(years[0], years[-1])
        ax.set_xticks([2010, 2030, 2050])
        ax.set_ylim(bottom=0)
        layout.style(ax)
    for ax in axes[::4]:
        ax.set_ylabel(ylabel, fontsize=8.5)
    fig.suptitle(title, fontsize=11, y=1 - 0.12 / fig.get_figheight(), va="top")
    handles = [Patch(color=SECTOR_COLOURS[s]) for s in reversed(dims.SECTORS)]
    labels = [SECTOR_LABELS[s] for s in reversed(dims.SECTORS)]
    layout.legend_box(fig, free, handles, labels, ncols=4 if below else 2, fontsize=8)
    return fig


def difference_figure(years, differences: dict[str, np.ndarray], ylabel: str, title: str):
    """Bars of each scenario's difference from the first by sector ((S, T) per scenario; cuts below
    zero, increases above) and the net difference as a line."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    n = len(differences)
    width, height = 10.0, 3.2 * n + 1.3
    fig = layout.figure(width, height)
    axes = fig.subplots(n, 1, squeeze=False, sharey=True, gridspec_kw=dict(
        left=0.8 / width, right=1 - 2.95 / width, top=1 - 0.6 / height, bottom=0.5 / height, hspace=0.45)).ravel()
    years = np.asarray(years)
    for ax, (name, diff) in zip(axes, differences.items()):
        pick = (years - years[0]) % DIFFERENCE_STEP == 0
        x = years[pick]
        low = np.zeros(x.shape)
        high = np.zeros(x.shape)
        for s, sector in enumerate(dims.SECTORS):
            v = diff[s][pick]
            neg, pos = np.minimum(v, 0.0), np.maximum(v, 0.0)
            if np.any(neg):
                ax.bar(x, neg, bottom=low, color=SECTOR_COLOURS[sector], width=0.8, linewidth=0)
                low = low + neg
            if np.any(pos):
                ax.bar(x, pos, bottom=high, color=SECTOR_COLOURS[sector], width=0.8, linewidth=0)
                high = high + pos
        ax.plot(years, diff.sum(axis=0), color="black", linewidth=1.2)
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_title(name, fontsize=9.5)
        ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
        layout.style(ax, ylabel, size=9)
    fig.suptitle(title, fontsize=11, y=1 - 0.12 / height, va="top")
    handles = [Line2D([], [], color="black", linewidth=1.2)] + [Patch(color=SECTOR_COLOURS[s]) for s in dims.SECTORS]
    labels = ["net difference"] + [SECTOR_LABELS[s] for s in dims.SECTORS]
    fig.legend(handles, labels, loc="center left", bbox_to_anchor=(1 - 2.85 / width, 0.5), fontsize=8.5,
               frameon=False)
    return fig


def wedge_figure(years, base: np.ndarray, effects: np.ndarray, labels: list[str], base_name: str,
                 package_name: str, ylabel: str, title: str, first_year: int | None = None,
                 colours: list[str] | None = None):
    """The wedge chart. Left: the path without the package, each measure's Shapley effect as a band
    stacked from it (cuts below, increases above) and the path with the package. Right: the same
    bands on their own scale (each measure's Shapley share of the package's effect, negative: cuts)
    and their net, so that small measures show."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    years = np.asarray(years)
    colours = colours or [MEASURE_COLOURS[i % len(MEASURE_COLOURS)] for i in range(len(labels))]
    legend_lines = -(-(len(labels) + 2) // 2)
    height = 4.3 + 0.24 * legend_lines
    fig = layout.figure(10.0, height)
    bottom = (0.45 + 0.24 * legend_lines) / height
    axes = fig.subplots(1, 2, gridspec_kw=dict(left=0.085, right=0.985, top=1 - 0.75 / height, bottom=bottom,
                                               wspace=0.28))
    start = max(years[0], (first_year or years[0]) - 5)
    shown = years >= start
    total = effects.sum(axis=0)
    for ax, origin in zip(axes, (base, np.zeros_like(base))):
        for i, bands in enumerate(wedge_bands(origin, effects)):
            for lo, hi in bands:                      # the cut below, the increase above
                ax.fill_between(years, lo, hi, color=colours[i], linewidth=0, alpha=0.9)
        ax.set_xlim(start, years[-1])
        layout.style(ax, ylabel, size=9)
    axes[0].plot(years, base, color="black", linewidth=1.6)
    axes[0].plot(years, base + total, color="black", linewidth=1.6, linestyle="--")
    top = max(float(base[shown].max()), float((base + np.maximum(effects, 0).sum(axis=0))[shown].max()))
    axes[0].set_ylim(0, top * 1.05)
    axes[0].set_title("emissions without and with the package", fontsize=10)
    axes[1].plot(years, total, color="black", linewidth=1.2, linestyle="--")
    axes[1].axhline(0, color="black", linewidth=1.6)
    axes[1].set_title("each measure's share of the effect (Shapley; negative: cuts)", fontsize=10)
    fig.suptitle(title, fontsize=11, y=1 - 0.1 / height, va="top")
    handles = [Line2D([], [], color="black", linewidth=1.6),
               Line2D([], [], color="black", linewidth=1.6, linestyle="--")]
    names = [f"without the package ({base_name})", f"with the package ({package_name}); right: its net effect"]
    handles += [Patch(color=colours[i]) for i in range(len(labels))]
    names += list(labels)
    fig.legend(handles, names, loc="lower center", ncols=2, fontsize=8.5, frameon=False)
    return fig


MAC_AXES = (3.0, 0.15)        # [in] height of the MAC chart's axes; padding around its labels and legend


def mac_figure(curve: list[tuple[str, float, float, float]], carbon_price: float, xlabel: str, title: str,
               colours: list[str] | None = None, ranges: list[tuple[float, float]] | None = None,
               price_label: str | None = None):
    """The MAC curve (``framtid costs --plot`` and ``framtid report --package``): a bar per measure (legend
    label, left, right [kt CO2e], height [NOK/t]), cheapest first, each with the draws' (low, high) range of
    its NOK/t as a vertical line where ``ranges`` gives one (NaN: none), and the carbon price as a dashed
    line. The cost axis turns logarithmic beyond the carbon price where costs span orders of magnitude, and
    is padded on that scale, so the tallest bar and its range stay inside the axes. The legend goes below
    the chart, in two columns or one when they would not fit, and the figure grows to hold it, its labels
    and its title (long measure labels widen the figure instead of running off it)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    colours = colours or [MEASURE_COLOURS[k % len(MEASURE_COLOURS)] for k in range(len(curve))]
    ranges = ranges or [(np.nan, np.nan)] * len(curve)
    fig = layout.figure(10.0, 5.0)
    ax = fig.add_axes((0.12, 0.3, 0.85, 0.6))
    for k, (label, left, right, height) in enumerate(curve):
        ax.bar(left, height, width=right - left, align="edge", color=colours[k], edgecolor="white", linewidth=0.8)
        low, high = ranges[k]
        if np.isfinite(low) and np.isfinite(high):          # the draws' 5-95 % range of NOK/t
            ax.vlines((left + right) / 2, low, high, color="black", linewidth=1)
    ax.axhline(carbon_price, color="black", linestyle="--", linewidth=1.1)
    ax.axhline(0, color="grey", linewidth=0.6)
    ylabel = "NOK per t CO2e (real 2009, levelised)"
    if curve and max(abs(h) for *_, h in curve) > 10 * carbon_price:
        # costs spanning orders of magnitude: linear up to the carbon price, logarithmic beyond
        ax.set_yscale("symlog", linthresh=carbon_price)
        ylabel += f"\nlogarithmic beyond {carbon_price:,.0f}"
    layout.style(ax, ylabel, size=9)
    ax.yaxis.set_major_formatter(lambda y, pos: f"{y:,.0f}")
    ax.xaxis.set_major_formatter(lambda x, pos: f"{x:,.0f}")
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_title(title, fontsize=10)
    if curve:
        ends = [0.0, carbon_price] + [h for *_, h in curve] + [v for pair in ranges for v in pair if np.isfinite(v)]
        scale = ax.yaxis.get_transform()                    # pad on the axis' own (symlog) scale
        lo, hi = scale.transform(np.array([[min(ends)], [max(ends)]]))[:, 0]
        pad = 0.08 * (hi - lo)
        ax.set_ylim(*scale.inverted().transform(np.array([[lo - pad], [hi + pad]]))[:, 0])
    else:
        ax.text(0.5, 0.5, "no costed measure with positive abatement", transform=ax.transAxes, ha="center")
        ax.set_xlim(0, 1)
    handles = [Line2D([], [], color="black", linestyle="--")] + [Patch(color=colours[k]) for k in range(len(curve))]
    labels = [price_label or f"carbon price, central path ({carbon_price:,.0f} NOK/t)"] + [c[0] for c in curve]
    layout.fit_below(fig, ax, handles, labels, MAC_AXES[0], MAC_AXES[1])
    return fig


def decomposition_figure(effects: dict[str, dict[str, dict[str, float]]], colours: dict[str, str], ylabel: str,
                         title: str):
    """LMDI effects as grouped bars: a panel per sector, a group per effect and the net change, a bar per
    scenario. ``effects[sector][scenario][effect or 'change']`` [kt CO2e/yr]."""
    from matplotlib.patches import Patch

    keys = list(EFFECT_LABELS) + ["change"]
    n = len(effects)
    width, height = 10.0, 3.6
    fig = layout.figure(width, height)
    axes = fig.subplots(1, n, squeeze=False, gridspec_kw=dict(left=0.75 / width, right=1 - 0.15 / width,
                                                             top=1 - 0.75 / height, bottom=0.75 / height,
                                                             wspace=0.3)).ravel()
    scenarios = []
    for ax, (sector, by_scenario) in zip(axes, effects.items()):
        scenarios = list(by_scenario)
        k = len(scenarios)
        step = 0.8 / max(k, 1)
        x = np.arange(len(keys))
        for j, sc in enumerate(scenarios):
            ax.bar(x - 0.4 + step * (j + 0.5), [by_scenario[sc][e] for e in keys], width=step * 0.95,
                   color=colours[sc])
        ax.axhline(0, color="black", linewidth=0.6)
        ax.axvline(len(keys) - 1.5, color="grey", linewidth=0.6, linestyle=":")
        ax.set_xticks(x, [EFFECT_LABELS.get(e, "net change") for e in keys], fontsize=8.5)
        ax.set_title(DECOMPOSITION_SECTORS[sector], fontsize=9.5)
        layout.style(ax, ylabel if ax is axes[0] else None)
    fig.suptitle(title, fontsize=11, y=1 - 0.1 / height, va="top")
    fig.legend([Patch(color=colours[sc]) for sc in scenarios], [f"scenario {sc}" for sc in scenarios],
               loc="lower center", ncols=min(4, len(scenarios)), fontsize=8.5, frameon=False)
    return fig
