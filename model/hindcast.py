"""Checking a run against history: modelled beside observed emissions, and how well they agree.

    from framtid.model import api, hindcast
    ds = api.open_results("results/current-policies.nc")
    rows = hindcast.compare(ds, hindcast.read_observed("observed.csv"))
    for m in hindcast.metrics(rows): print(m)
    hindcast.plot(rows, "plots/")

Modelled values are taken in each observation's own GWP basis (the run is re-weighed from its gas
masses when the bases differ), at the observation's level (sector, source, or the total over all
sectors, ``total``, or over all but F-gas products, ``total_excl_fgas``), as the median over draws
(a total summed in each draw first).

Metrics per municipality and sector/source, per municipality over all its observations, and over
everything (see :func:`metrics`): n, bias [t CO2e/yr and %], MAPE [%], RMSE [t CO2e/yr], skill
against persistence of the observed 2009 value, and the direction of the trend. A run with sampled
draws adds the **coverage** of its band: the share of the observations after 2009 that lie within
the draws' 5-95 % range. A band that states the model's uncertainty honestly holds about 90 % of
them; far fewer means the ranges understate it (2009 is left out: every draw is calibrated to it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import dims
from .draw_statistics import spread
from .errors import ObservationFileError, ResultFileError, UsageError, did_you_mean
from .hindcast_plot import chart_paths, plot  # noqa: F401  (re-exported)
from .observed import TOTALS, Observation, read_observed, sort_key  # noqa: F401  (re-exported)
from .uncertainty import discrepancy

__all__ = ["Observation", "Series", "Row", "Metric", "read_observed", "compare", "outside_run", "metrics",
           "plot", "title", "metric_table", "row_table"]

FLAT_SHARE = 0.01       # a change within 1 % of the observed level counts as flat [share]
WEIGHED_KEPT = 4        # (GWP set, municipality) pairs whose weighed emissions are kept while comparing
ALL = "all"
# what the comparison reads from a result file (the command loads only these): emissions by sector and
# by source, and by gas to re-weigh the run to an observation's GWP set (the agency's are AR5, as runs by
# default; a scenario may choose another)
VARIABLES = ("emissions", "emissions_source", "emissions_gas", "base_year_status")


@dataclass(frozen=True)
class Series:
    """A modelled path over every year of the run [t CO2e/yr], in one GWP basis."""

    scenario: str
    years: tuple[int, ...]
    values: tuple[float, ...]                     # median over the draws
    low: tuple[float, ...] | None = None          # 5th percentile over the draws (None with one draw)
    high: tuple[float, ...] | None = None         # 95th percentile
    predicted_low: tuple[float, ...] | None = None    # 5 % of the prediction band (draws and discrepancy)
    predicted_high: tuple[float, ...] | None = None   # 95 %


@dataclass(frozen=True)
class Row:
    """One observation beside the modelled value of the same municipality, year, level and GWP basis."""

    municipality: str
    year: int
    level: str
    name: str
    gwp: str
    observed: float     # [t CO2e/yr]
    modelled: float     # [t CO2e/yr], median over draws
    series: Series | None = None
    low: float | None = None    # [t CO2e/yr] 5th percentile over the draws (None with one draw)
    high: float | None = None   # [t CO2e/yr] 95th percentile
    predicted_low: float | None = None    # [t CO2e/yr] 5 % of the prediction band
    predicted_high: float | None = None   # [t CO2e/yr] 95 %

    @property
    def error(self) -> float:
        """Modelled minus observed [t CO2e/yr]."""
        return self.modelled - self.observed

    @property
    def inside(self) -> bool | None:
        """Whether the observation lies within the draws' 5-95 % range (None with one draw)."""
        return None if self.low is None else self.low <= self.observed <= self.high

    @property
    def predicted(self) -> bool | None:
        """Whether the observation lies within the prediction band (None where there is none)."""
        return None if self.predicted_low is None else self.predicted_low <= self.observed <= self.predicted_high


@dataclass(frozen=True)
class Metric:
    """Agreement of one group of rows (a series, a municipality or everything)."""

    municipality: str
    level: str
    name: str
    n: int
    years: str
    bias: float                 # mean(modelled - observed) [t CO2e/yr]
    bias_pct: float | None      # sum(modelled - observed) / sum(observed) [%]
    mape: float | None          # mean |modelled - observed| / observed over observed != 0 [%]
    rmse: float                 # [t CO2e/yr]
    skill: float | None         # 1 - MAE(model) / MAE(persistence of 2009), over the years after 2009 [1]
    direction: str              # same, opposite, flat; "k/n same" for groups of series; "-" if undefined
    inside: int | None = None   # observations after 2009 within the draws' 5-95 % range (None: one draw)
    after_base: int = 0         # observations after 2009
    predicted: int | None = None    # observations after 2009 within the prediction band

    @property
    def coverage(self) -> float | None:
        """Share of the observations after 2009 within the draws' 5-95 % range [1] (None if undefined)."""
        return None if self.inside is None or not self.after_base else self.inside / self.after_base

    @property
    def predicted_coverage(self) -> float | None:
        """Share of the observations after 2009 within the prediction band [1] (None if undefined)."""
        return None if self.predicted is None or not self.after_base else self.predicted / self.after_base


def pick_scenario(ds, scenario: str | None, source: str = "the result") -> str:
    """The scenario to compare: the one named, or the only one in the result (``source`` names it in
    messages)."""
    names = [str(s) for s in ds["scenario"].values]
    if scenario is None:
        if len(names) > 1:
            raise UsageError(f"{source} holds several scenarios ({', '.join(names)}); choose one with --scenario")
        return names[0]
    if scenario not in names:
        raise UsageError(f"--scenario: {scenario!r} not in {source}; {did_you_mean(scenario, names)}"
                         f"allowed: {', '.join(names)}")
    return scenario


def outside_run(ds, observations: list[Observation]) -> list[Observation]:
    """Observations of years the run does not cover (left out of the comparison)."""
    years = {int(y) for y in ds["year"].values}
    return [o for o in observations if o.year not in years]


def compare(ds, observations: list[Observation], scenario: str | None = None, prediction: bool = True,
            source: str = "the result", observed: str = "the observations") -> list[Row]:
    """Each observation in the run's years beside the modelled value [t CO2e/yr], in the observation's
    GWP basis and at its level, median over draws; in the order of the observations. With
    ``prediction`` (the default) each with its prediction band (``uncertainty.discrepancy``; without,
    the discrepancy's table is not read, as when it is being fitted). ``source`` and ``observed`` name
    the result and the observations' file in messages."""
    sc = pick_scenario(ds, scenario, source)
    years = {int(y) for y in ds["year"].values}
    inside = [o for o in observations if o.year in years]
    if not inside:
        span = f"{int(ds['year'].values[0])}-{int(ds['year'].values[-1])}"
        raise ObservationFileError(f"{observed}: no observation falls in the run's years ({span}) of {source}")
    have = {str(m) for m in ds["municipality"].values}
    absent = sorted({o.municipality for o in inside} - have)
    if absent:   # a file cut with another tool
        raise ResultFileError(f"{source}: holds no {', '.join(absent)}, which {observed} has observations of; the "
                              f"result holds {', '.join(m for m in dims.MUNICIPALITIES if m in have)}")
    paths = _Paths(ds, sc, prediction, source)
    rows = []
    for o in inside:
        series = paths.series(o.municipality, o.level, o.name, o.gwp)
        k = series.years.index(o.year)
        low, high = (None, None) if series.low is None else (series.low[k], series.high[k])
        predicted = (None, None) if series.predicted_low is None else (series.predicted_low[k],
                                                                        series.predicted_high[k])
        rows.append(Row(o.municipality, o.year, o.level, o.name, o.gwp, o.value, series.values[k], series, low, high,
                        *predicted))
    return rows


class _Paths:
    """Modelled paths of one scenario by municipality, level, name and GWP basis (computed once each); ``source``
    names the result in messages."""

    def __init__(self, ds, scenario: str, prediction: bool = True, source: str = "the result"):
        self.ds, self.scenario, self.prediction, self.source = ds, scenario, prediction, source
        self.run_gwp = ds["emissions"].attrs.get("gwp")
        if self.run_gwp is None:
            raise ResultFileError(f"{source}: does not say which GWP set its emissions use (attribute gwp)")
        self.years = tuple(int(y) for y in ds["year"].values)
        self._weighed: dict[tuple[str, str], tuple] = {}
        self._series: dict[tuple, Series] = {}

    def series(self, municipality: str, level: str, name: str, gwp: str) -> Series:
        key = (municipality, level, name, gwp)
        if key not in self._series:
            by_sector, by_source = self._weighed_draws(gwp, municipality)
            if level == "source":
                parts = by_source.sel(source=[name]).rename(source="part")
            else:   # a total is summed in each draw, before its median and percentiles are taken
                sectors = list(TOTALS[name]) if level == "total" else [name]
                parts = by_sector.sel(sector=sectors).rename(sector="part")
            draws = np.asarray(parts.sum("part").transpose("year", "draw").values, dtype=float)   # (T, D)
            median = np.median(draws, axis=1)
            low = high = None
            if draws.shape[1] > 1:
                low, high = (tuple(float(v) for v in p) for p in spread(draws, axis=1)[1:])
            predicted = (None, None)
            if self.prediction:
                predicted = tuple(tuple(float(v) for v in p) for p in discrepancy.band(
                    median, low, high, self._log_variance(level, parts, municipality)))
            self._series[key] = Series(self.scenario, self.years, tuple(float(v) for v in median), low, high,
                                       *predicted)
        return self._series[key]

    def _log_variance(self, level: str, parts, municipality: str) -> np.ndarray:
        """The discrepancy's log variance of a source, sector or sum of sectors in each year [1]: a sum's
        from its parts' medians (``discrepancy.sum_log_variance``); with the error of the municipality's 2009
        where it is estimated."""
        since = np.array(self.years) - dims.BASE_YEAR
        part_level = "source" if level == "source" else "sector"
        names = [str(n) for n in parts["part"].values]
        variances = discrepancy.log_variances(self.ds, part_level, names, [municipality], since)[0]   # (P, T)
        return discrepancy.sum_log_variance(parts.median("draw").transpose("part", "year").values, variances)

    def _weighed_draws(self, gwp: str, municipality: str):
        """A municipality's emissions by sector and by source in GWP basis ``gwp``, every draw [t CO2e/yr].
        Read and weighed one municipality at a time, the last few kept: an ensemble's every municipality and
        gas at once would take gigabytes (a file opened lazily reads only the municipality's part)."""
        key = (gwp, municipality)
        if key not in self._weighed:
            ds = self.ds[[v for v in VARIABLES if v in self.ds]].sel(scenario=[self.scenario],
                                                                   municipality=[municipality])
            if gwp != self.run_gwp:
                from .api import reweigh
                from .result_file import require

                require(ds, ["emissions_gas"], self.source, f"comparing with observations in {gwp.upper()}")
                ds = reweigh(ds.load(), gwp)
            ds = ds.isel(scenario=0, municipality=0)
            if len(self._weighed) >= WEIGHED_KEPT:
                del self._weighed[next(iter(self._weighed))]
            self._weighed[key] = (ds["emissions"].load(), ds["emissions_source"].load())
        return self._weighed[key]


UNIT_SLIP = 100.0   # observed against modelled: a file off by this factor or more likely holds kt (or kg) as t


def unit_slip(rows: list[Row]) -> str | None:
    """A warning where the observations lie a factor ``UNIT_SLIP`` or more from the model's values in the median of
    their ratios (the column is tonnes of CO2e; kilotonnes written in it read a thousand times too small), or
    None. The median: a few sectors far off (a plant the model does not hold) do not set it off."""
    ratios = [r.observed / r.modelled for r in rows if r.observed > 0 and r.modelled > 0]
    if not ratios:
        return None
    median = float(np.median(ratios))
    if 1.0 / UNIT_SLIP < median < UNIT_SLIP:
        return None
    return (f"the observed values are {median:.3g} times the model's (median of {len(ratios)} observations); the "
            "value column is in tonnes of CO2e (t CO2e/yr): are they in kt or kg?")


def metrics(rows: list[Row]) -> list["Metric"]:
    """Metrics per municipality and sector/source, then per municipality over all its rows, then over
    all rows ("all"); municipalities in the order of ``dims.MUNICIPALITIES``."""
    out = []
    for muni in [m for m in dims.MUNICIPALITIES if any(r.municipality == m for r in rows)]:
        mine = [r for r in rows if r.municipality == muni]
        groups = _series_groups(mine)
        out.extend(_metric(muni, level, name, [g]) for (level, name), g in groups.items())
        if len(groups) > 1:
            out.append(_metric(muni, ALL, ALL, list(groups.values())))
    if len({r.municipality for r in rows}) > 1:
        out.append(_metric(ALL, ALL, ALL, [g for m in dims.MUNICIPALITIES
                                           for g in _series_groups([r for r in rows if r.municipality == m]).values()]))
    return out


def _series_groups(rows: list[Row]) -> dict[tuple[str, str], list[Row]]:
    """Rows by (level, name), each sorted by year; levels total, sector, source, names in dims order."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for r in sorted(rows, key=lambda r: (*sort_key(r.level, r.name), r.year)):
        groups.setdefault((r.level, r.name), []).append(r)
    return groups


def _metric(municipality: str, level: str, name: str, groups: list[list[Row]]) -> Metric:
    """The metrics of the rows of one or more series (each a list of rows sorted by year)."""
    rows = [r for g in groups for r in g]
    n = len(rows)
    errors = [r.error for r in rows]
    observed_sum = sum(r.observed for r in rows)
    nonzero = [r for r in rows if r.observed != 0]
    after = [r for r in rows if r.year > dims.BASE_YEAR]
    ranged = any(r.low is not None for r in rows)
    return Metric(
        municipality, level, name, n, _span(rows),
        bias=sum(errors) / n,
        bias_pct=100.0 * sum(errors) / observed_sum if observed_sum else None,
        mape=100.0 * sum(abs(r.error / r.observed) for r in nonzero) / len(nonzero) if nonzero else None,
        rmse=math.sqrt(sum(e * e for e in errors) / n),
        skill=persistence_skill(groups),
        direction=direction(groups[0]) if len(groups) == 1 else _directions(groups),
        inside=sum(bool(r.inside) for r in after) if ranged else None,
        after_base=len(after),
        predicted=sum(bool(r.predicted) for r in after) if any(r.predicted_low is not None for r in rows) else None,
    )


def _span(rows: list[Row]) -> str:
    """The years of ``rows``: "2009-2013", or "2011" for one year."""
    first, last = min(r.year for r in rows), max(r.year for r in rows)
    return f"{first}-{last}" if last > first else str(first)


def persistence_skill(groups: list[list[Row]]) -> float | None:
    """1 - MAE(model) / MAE(persistence) over the years after 2009 of the series that observe 2009,
    where persistence predicts each series' observed 2009 value [1]; None if undefined."""
    model_err = persistence_err = 0.0
    for rows in groups:
        base = [r for r in rows if r.year == dims.BASE_YEAR]
        if not base:
            continue
        for r in rows:
            if r.year > dims.BASE_YEAR:
                model_err += abs(r.error)
                persistence_err += abs(base[0].observed - r.observed)
    return 1.0 - model_err / persistence_err if persistence_err > 0 else None


def direction(rows: list[Row]) -> str:
    """The modelled against the observed change from the first to the last observed year: "same"
    (both up, both down, or both flat), "opposite" (one up, one down), "flat" (one of them flat, the
    other not), "-" with fewer than two years. Flat: within FLAT_SHARE of the larger observed value."""
    if len(rows) < 2 or rows[0].year == rows[-1].year:
        return "-"
    first, last = rows[0], rows[-1]
    tolerance = FLAT_SHARE * max(abs(first.observed), abs(last.observed))
    observed = _sign(last.observed - first.observed, tolerance)
    modelled = _sign(last.modelled - first.modelled, tolerance)
    if observed == modelled:
        return "same"
    return "flat" if 0 in (observed, modelled) else "opposite"


def _sign(change: float, tolerance: float) -> int:
    return 0 if abs(change) <= tolerance else (1 if change > 0 else -1)


def _directions(groups: list[list[Row]]) -> str:
    """"k/n same": of the n series with two years or more, k change in the same direction as observed."""
    found = [direction(g) for g in groups]
    judged = [d for d in found if d != "-"]
    return f"{judged.count('same')}/{len(judged)} same" if judged else "-"


METRIC_HEADER = ("municipality", "level", "name", "n", "years", "bias_t", "bias_pct", "mape_pct", "rmse_t",
                 "skill", "direction")
# The printed table leaves out level (the names tell sectors and sources apart) and years (in its title).
TABLE_HEADER = ("municipality", "name", "n", "bias_t", "bias_%", "mape_%", "rmse_t", "skill", "direction")
ROW_HEADER = ("municipality", "year", "level", "name", "gwp", "observed_t", "modelled_t", "error_t", "error_pct")


def title(rows: list[Row]) -> str:
    """A title for the metrics of ``rows``: scenario, observed years and units (and, with sampled draws,
    what the coverage column means)."""
    scenario = next((r.series.scenario for r in rows if r.series is not None), "run")
    text = (f"Scenario {scenario} against observed emissions {_span(rows)} [t CO2e/yr; each observation "
            "in its own GWP basis; bias, MAPE in %]")
    if any(r.low is not None for r in rows):
        text += ("; modelled values are medians over the draws; in_5-95: the observations after 2009 within the "
                 "draws' 5-95 % range (an honest band holds about 90 % of them)")
    if any(r.predicted_low is not None for r in rows):
        text += ("; in_pred: within the 5-95 % prediction band, the draws' spread and the model's discrepancy "
                 "(data/discrepancy.csv, fitted on the embedded observations of 2011 and 2013: in sample for those)")
    return text


def metric_table(found: list[Metric], fmt: str) -> tuple[tuple[str, ...], list[tuple]]:
    """Header and rows of the metrics: formatted text for a table, rounded numbers (None if undefined)
    for CSV and JSON. With sampled draws, the coverage of the 5-95 % range: "k/n" in a table, the
    counts and the share in CSV and JSON."""
    ranged = any(m.inside is not None for m in found)
    banded = any(m.predicted is not None for m in found)

    def share(count: int | None, m: Metric) -> str:
        return f"{count}/{m.after_base}" if m.after_base else "-"

    if fmt == "table":
        return TABLE_HEADER + (("in_5-95",) if ranged else ()) + (("in_pred",) if banded else ()), [
            (m.municipality, m.name, m.n, _text(m.bias, "{:+,.0f}"), _text(m.bias_pct, "{:+.1f}"),
             _text(m.mape, "{:.1f}"), _text(m.rmse, "{:,.0f}"), _text(m.skill, "{:+.2f}"), m.direction)
            + ((share(m.inside, m),) if ranged else ()) + ((share(m.predicted, m),) if banded else ()) for m in found]
    return (METRIC_HEADER + (("inside_5_95", "after_2009", "coverage") if ranged else ())
            + (("inside_predicted", "after_2009_predicted", "predicted_coverage") if banded else ())), [
        (m.municipality, m.level, m.name, m.n, m.years, _round(m.bias, 1), _round(m.bias_pct, 2),
         _round(m.mape, 2), _round(m.rmse, 1), _round(m.skill, 4), m.direction)
        + ((m.inside, m.after_base, _round(m.coverage, 4)) if ranged else ())
        + ((m.predicted, m.after_base, _round(m.predicted_coverage, 4)) if banded else ()) for m in found]


def row_table(rows: list[Row]) -> tuple[tuple[str, ...], list[tuple]]:
    """Header and rows of the observations beside the modelled values [t CO2e/yr], for CSV and JSON;
    with sampled draws also the draws' 5th and 95th percentiles."""
    ranged = any(r.low is not None for r in rows)
    banded = any(r.predicted_low is not None for r in rows)
    return (ROW_HEADER + (("modelled_p05_t", "modelled_p95_t") if ranged else ())
            + (("predicted_p05_t", "predicted_p95_t") if banded else ())), [
        (r.municipality, r.year, r.level, r.name, r.gwp, round(r.observed, 1), round(r.modelled, 1),
         round(r.error, 1), round(100.0 * r.error / r.observed, 2) if r.observed else None)
        + ((round(r.low, 1), round(r.high, 1)) if ranged else ())
        + ((round(r.predicted_low, 1), round(r.predicted_high, 1)) if banded else ()) for r in rows]


def _text(value: float | None, pattern: str) -> str:
    """``value`` formatted, "-" if undefined; never "-0" (a value that rounds to zero has no sign)."""
    if value is None:
        return "-"
    text = pattern.format(value)
    return pattern.format(0.0) if text.strip("+-0.,") == "" else text


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits) + 0.0
