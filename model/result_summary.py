"""The summary of a result file: the filters commands apply to it, and its total emissions as tables.

:func:`select` and :func:`check_years` refuse names and years a file does not have, in one message
naming the option; :func:`summary_tables` (sections for the terminal) and :func:`summary_rows` (one tidy
table for CSV and JSON) give total emissions [kt CO2e/yr] by municipality or sector and each scenario's
difference from the first, as medians and 5-95 % ranges when there are draws. :mod:`catalogue` renders them.
"""

from __future__ import annotations

import numpy as np

from .draw_statistics import draw_count, ensemble_text, one_run_text, range_cell, sampled_once, spread


def select(ds, scenarios=None, municipalities=None, sectors=None, source: str = "result"):
    """The part of a result the filters name; an unknown name is a usage error listing what the file has."""
    from .errors import UsageError, did_you_mean

    for option, dim, wanted in (("--scenario", "scenario", scenarios), ("--municipality", "municipality",
                                                                        municipalities),
                                ("--sector", "sector", sectors)):
        if not wanted:
            continue
        have = [str(v) for v in ds[dim].values]
        unknown = [w for w in wanted if w not in have]
        if unknown:
            also = " (or their names, or municipality numbers like 0301)" if dim == "municipality" else ""
            raise UsageError(f"{option}: {', '.join(map(repr, unknown))} not in {source}; "
                             f"{did_you_mean(unknown[0], have)}allowed: {', '.join(have)}{also}")
        ds = ds.sel({dim: list(dict.fromkeys(wanted))})
    return ds


def check_years(ds, years: list[int], source: str = "result", option: str = "--years") -> None:
    """Refuse years the result does not cover, in a message naming ``option``."""
    from .errors import UsageError

    have = [int(y) for y in ds["year"].values]
    missing = [y for y in years if y not in have]
    if missing:
        span = f"{have[0]}-{have[-1]}" if have else "no years"
        raise UsageError(f"{option}: {', '.join(map(str, missing))} not in {source} (it covers {span})")


# -- ensembles: the header line of tables of medians and ranges (draw_statistics.py) --------------

def _ensemble_line(ds, prediction: bool = False) -> str:
    """The header line of a table of medians and ranges (``prediction``: the levels' ranges are prediction
    bands)."""
    what = ("The emissions' and the differences' ranges are prediction bands (the parameters' spread and the "
            "model's own error, framtid hindcast); the changes over time keep the parameters' range." if prediction else
            "The range is that of the model's uncertain parameters, not a forecast interval: --band prediction "
            "adds the model's own error (framtid hindcast).")
    return (f"{ensemble_text(ds)}: each value is the median over the draws and, in brackets, the 5-95 % range "
            "(5th to 95th percentile; none where the draws agree to the digits shown); totals, changes and "
            f"differences are computed in each draw first. {what}")


# -- summaries of a result ------------------------------------------------------------------------

def _totals(ds, by: str):
    """kt CO2e/yr by scenario, ``by``, year and draw, with the total over ``by`` (also per draw).

    The total is summed draw by draw, before any percentile is taken: the 95th percentile of a sum
    is not the sum of the parts' 95th percentiles (the parts do not all run high in the same draws),
    so summing percentiles would overstate the range of the total."""
    other = "sector" if by == "municipality" else "municipality"
    # float64 also over a single-precision file; skipna=False sums the values as they are (a result has no NaN)
    # instead of a NaN-free copy of the whole array first
    table = ds["emissions"].sum(other, dtype=float, skipna=False) / 1000.0
    return table, table.sum(by)


def add_base_year_status(ds, path) -> None:
    """Put into ``ds`` what the prediction band needs to add the error of an estimated 2009
    (``discrepancy.estimated_shares``): the file's ``base_year_status`` and its 2009 ``emissions_source`` of the
    first draw, read lazily (an ensemble's every draw of every source would be large), unless ``ds`` has them.
    The 2009 slice keeps no year or draw axis, so it is not aligned to (and blown up over) the file's."""
    from . import dims
    from .api import open_results

    with open_results(path, ["emissions_source", "base_year_status"], lazy=True) as extra:
        if "base_year_status" not in ds and "base_year_status" in extra:
            ds["base_year_status"] = extra["base_year_status"].load()
        if "emissions_source" not in ds and "emissions_source" in extra:
            first = extra["emissions_source"].sel(year=dims.BASE_YEAR).isel(draw=0)
            ds["emissions_source"] = first.drop_vars([c for c in ("year", "draw", "time") if c in first.coords]).load()


class _Prediction:
    """The prediction band of the summary's emission values (``uncertainty.discrepancy``): each value's draws'
    spread widened by the discrepancy of its parts (the sectors of a municipality, the municipalities of a
    sector, every municipality's sectors for a total)."""

    def __init__(self, ds, by: str):
        from . import dims

        self.ds = ds
        self.by = by
        self.emissions = ds["emissions"]                      # read a year at a time: a large ensemble stays small
        self.base = dims.BASE_YEAR
        self._medians: dict[tuple[str, int], tuple] = {}

    def carries_estimates(self) -> bool:
        """Whether some value's band carries the error of an estimated 2009 (the caption says so)."""
        from .uncertainty import discrepancy

        sectors, places = (self.emissions[axis].values for axis in ("sector", "municipality"))
        return bool(discrepancy.estimated_shares(self.ds, "sector", sectors, places).any())

    def _parts(self, scenario: str, year: int):
        """The parts' medians over the draws [kt CO2e/yr] by municipality and sector and the sectors' log
        variances of one scenario and year, read once for every row of the table."""
        from .uncertainty import discrepancy

        key = (scenario, year)
        if key not in self._medians:
            parts = self.emissions.sel(scenario=scenario, year=year).astype(float) / 1000.0      # [kt CO2e/yr]
            medians = (parts.median("draw") if "draw" in parts.dims else parts).transpose("municipality", "sector")
            variances = discrepancy.log_variances(self.ds, "sector", medians["sector"].values,
                                                  medians["municipality"].values, year - self.base)    # (M, S)
            self._medians[key] = (medians, medians.copy(data=variances))
        return self._medians[key]

    def difference_band(self, scenario: str, first: str, label: str, year: int,
                        draws: np.ndarray) -> tuple[float, float, float]:
        """(median, 5 %, 95 %) of the prediction of a difference between two scenarios [kt CO2e/yr] from its
        draws (D,). The discrepancy is a factor both scenarios share, so the difference carries it as a level
        does: its parts (the differences by municipality and sector) weigh the sectors' log variances, and
        the draws' range of its size is widened as a level's (:func:`discrepancy.band`). A difference whose
        draws cross zero keeps the draws' range (a factor cannot move it across)."""
        from .uncertainty import discrepancy

        mine, variances = self._parts(scenario, year)
        parts = abs(mine - self._parts(first, year)[0])
        if label != "total":
            parts = parts.sel({self.by: [label]})
            variances = variances.sel({self.by: [label]})
        v = discrepancy.sum_log_variance(parts.values, variances.values, axis=None)
        median, low, high = spread(draws) if len(draws) > 1 else (draws[0], draws[0], draws[0])
        sign = -1.0 if median < 0 else 1.0
        size, (small, large) = sign * median, sorted((sign * low, sign * high))
        if not (size > 0 and small > 0):
            return float(median), float(low), float(high)
        lo, hi = discrepancy.band(size, small if len(draws) > 1 else None, large if len(draws) > 1 else None, v)
        a, b = sorted((sign * float(lo), sign * float(hi)))
        return float(median), a, b

    def band(self, scenario: str, label: str, year: int, draws: np.ndarray) -> tuple[float, float, float]:
        """(median, 5 %, 95 %) of the prediction of one value [kt CO2e/yr] from its draws (D,)."""
        from .uncertainty import discrepancy

        medians, variances = self._parts(scenario, year)
        if label != "total":
            medians = medians.sel({self.by: [label]})     # a list keeps the axis, also the sector axis
            variances = variances.sel({self.by: [label]})
        v = discrepancy.sum_log_variance(medians.values, variances.values, axis=None)            # over (M, S)
        median, low, high = spread(draws) if len(draws) > 1 else (draws[0], None, None)
        lo, hi = discrepancy.band(median, low, high, v)
        return float(median), float(lo), float(hi)


def _value_cell(draws: np.ndarray, ranged: bool, sign: bool = False) -> str:
    """A value [kt CO2e/yr] over draws (D,): the single draw as before, or the median and range."""
    if not ranged:
        return f"{float(draws[0]):{'+' if sign else ''},.1f}"
    return range_cell(*spread(draws), sign=sign)


def _change_cell(first: np.ndarray, last: np.ndarray, ranged: bool) -> str:
    """Relative change [%] from the first to the last year over draws (D,), taken in each draw;
    '-' where a draw starts from zero."""
    if not np.all(first):
        return "-"
    change = (last / first - 1.0) * 100
    if not ranged:
        return f"{float(change[0]):+.0f} %"
    return range_cell(*spread(change), digits=0, sign=True, unit=" %")


def summary_tables(ds, years: list[int], by: str = "municipality", prediction: bool = False):
    """Sections (key, title, header, rows) of total emissions [kt CO2e/yr] and each scenario's
    difference from the first. One draw: its values. Several: the median over draws and the 5-95 %
    range, of totals, changes and differences computed in each draw (a header line says so). With
    ``prediction`` each emission value's range is its prediction band (:class:`_Prediction`), with one
    draw as well; changes and differences keep the draws' range (the scenarios share the discrepancy)."""
    table, total = _totals(ds, by)
    ranged = draw_count(ds) > 1
    gwp = ds["emissions"].attrs.get("gwp", "")
    # A change needs two years: one year given, no column of changes from a year to itself.
    changed = len(years) > 1
    # a change over time keeps the draws' range under --band prediction too (the discrepancy's band is of levels)
    change_label = f"change {years[0]}-{years[-1]}" + (" (draws' range)" if prediction and ranged else "")
    header = (by,) + tuple(str(y) for y in years) + ((change_label,) if changed else ())
    labels = [str(v) for v in table[by].values]
    stat = f"; median (5-95 %) of {draw_count(ds)} draws" if ranged else ""
    predicted = _Prediction(ds, by) if prediction else None
    if predicted is not None:
        stat = (f"; median of {draw_count(ds)} draws, prediction band 5-95 % (the draws' spread and the model's "
                "discrepancy" if ranged else "; one run, prediction band 5-95 % (the model's discrepancy")
        stat += (", and the error of an estimated 2009 where it is)" if predicted.carries_estimates() else ")")
        if predicted.carries_estimates() and "emissions_source" not in ds:
            stat += ("; without emissions_source in the file (--variables) each source of a sector counts alike "
                     "in that error, which can widen the band")

    def draws(series) -> np.ndarray:                      # (Y, D) over the chosen years
        return np.stack([np.atleast_1d(series.sel(year=y).values) for y in years])

    out = []
    scenarios = [str(v) for v in ds.scenario.values]
    for sc in scenarios:
        rows = []
        for label in labels + ["total"]:
            series = total.sel(scenario=sc) if label == "total" else table.sel(scenario=sc, **{by: label})
            vals = draws(series)
            cells = (tuple(_value_cell(v, ranged) for v in vals) if predicted is None else
                     tuple(range_cell(*predicted.band(sc, label, y, v)) for y, v in zip(years, vals)))
            rows.append((label,) + cells + ((_change_cell(vals[0], vals[-1], ranged),) if changed else ()))
        out.append((sc, f"Scenario {sc}: emissions by {by} [kt CO2e/yr, GWP {gwp}{stat}]", header, rows))
    # With several scenarios, what each does relative to the first (usually the reference). Draws of
    # the scenarios share their index and their parameter values (one seed, one sample), so the
    # difference is taken draw by draw and its percentiles after.
    first = scenarios[0]
    for sc in scenarios[1:]:
        rows = []
        for label in labels + ["total"]:
            part = total if label == "total" else table.sel({by: label})
            series = part.sel(scenario=sc) - part.sel(scenario=first)
            rows.append((label,) + (tuple(_value_cell(v, ranged, sign=True) for v in draws(series))
                                    if predicted is None else
                                    tuple(range_cell(*predicted.difference_band(sc, first, label, y, v), sign=True)
                                          for y, v in zip(years, draws(series)))))
        # the discrepancy is a factor both scenarios share: it does not cancel from their difference
        shared = stat + ("; the discrepancy a factor both scenarios share" if predicted is not None else "")
        out.append((f"{sc}-minus-{first}", f"Difference {sc} minus {first} [kt CO2e/yr{shared}]",
                    header[:-1] if changed else header, rows))
    if out and (ranged or sampled_once(ds)):
        key, title, head, rows = out[0]
        line = _ensemble_line(ds, prediction) if ranged else f"{one_run_text(ds)}."
        out[0] = (key, f"{line}\n\n{title}", head, rows)
    return out


def summary_rows(ds, years: list[int], by: str = "municipality", prediction: bool = False):
    """One tidy table (header, rows) for CSV and JSON: a row per scenario, ``by`` label (and
    "total") and year, with emissions and the difference from the first scenario (``compared_with``)
    [kt CO2e/yr]. With several draws, ``emissions_kt_co2e`` and ``difference_kt_co2e`` are medians
    over the draws, each with its 5th and 95th percentile (``..._p05``, ``..._p95``; of totals and
    differences computed draw by draw), and every row names the ``draws`` and the ``sampler``. With
    ``prediction``, ``emissions_pred_p05_kt_co2e`` and ``..._p95_...``: the prediction band of each value."""
    table, total = _totals(ds, by)
    ranged = draw_count(ds) > 1
    gwp = ds["emissions"].attrs.get("gwp", "")
    scenarios = [str(v) for v in ds.scenario.values]
    first = scenarios[0]
    header = ("scenario", by, "year", "emissions_kt_co2e", "compared_with", "difference_kt_co2e", "gwp")
    if ranged:
        header = ("scenario", by, "year", "emissions_kt_co2e", "emissions_p05_kt_co2e", "emissions_p95_kt_co2e",
                  "compared_with", "difference_kt_co2e", "difference_p05_kt_co2e", "difference_p95_kt_co2e", "gwp",
                  "draws", "sampler")
    predicted = _Prediction(ds, by) if prediction else None
    if predicted is not None:
        header += ("emissions_pred_p05_kt_co2e", "emissions_pred_p95_kt_co2e")
    sampler = str(ds.attrs.get("sampler", "unknown"))
    rows = []
    for sc in scenarios:
        for label in [str(v) for v in table[by].values] + ["total"]:
            series = total if label == "total" else table.sel({by: label})
            for y in years:
                value = np.atleast_1d(series.sel(scenario=sc, year=y).values)
                base = np.atleast_1d(series.sel(scenario=first, year=y).values)
                band = () if predicted is None else tuple(round(x, 4) for x in predicted.band(sc, label, y, value)[1:])
                if not ranged:
                    rows.append((sc, label, int(y), round(float(value[0]), 4), first,
                                 round(float(value[0]) - float(base[0]), 4), gwp) + band)
                    continue
                level = [round(float(x), 4) for x in spread(value)]
                diff = [round(float(x), 4) for x in spread(value - base)]      # paired draws
                rows.append((sc, label, int(y), *level, first, *diff, gwp, draw_count(ds), sampler) + band)
    return header, rows
