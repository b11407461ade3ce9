"""The free parameters fitted to the observations up to a cut-off, with the policy history in force.

Each fit searches the parameter's plausible range (the table's low to high) on a grid whose candidates run as
the draws of one run of ``framtid:current-policies`` (:mod:`.search`), each run stopping after the last fitted
year, and then runs the table's default and the fit to the last observed year to set both beside every
observation: fitted (up to the cut-off), check (after it) or left out (and why).

- *Heating review* (``buildings.oil_review_rate``): least squares on the logarithms of heating emissions
  relative to 2009, ``sum over fitted years of [ln(E(y) / E(2009)) - ln(O(y) / O(2009))]^2``, E the heating of the
  municipalities that review at the shared rate and O Norway's, standing in for them (:func:`.series.proxied`:
  the 13 but those whose factor the table fits to their own inventories, Oslo and Skien). With a file of
  inventories, each municipality's factor on it (``buildings.oil_review_factor.<id>``) the same way to its own
  heating, the shared rate at its fit; its baseline is factor 1, the shared rate alone. The
  logit's cost coefficient (``buildings.logit_beta``) is held: the few observed years cannot tell the two
  apart, and it also sets the choice among the new systems.
- *Battery-electric uptake* (``transport.maturity_midpoint.bev``, ``transport.maturity_rate.bev``): least squares
  on the shares, ``sum over fitted years of [s(y) - o(y)]^2``, with o the national share of new cars and s the
  nation's as the model has it: the 13's car-stock weighted share for their share of the nation's new cars
  (``transport.bev_sales_cities_weight``) and, for the rest, that of buyers without the 13's local advantages (the
  history run replayed without them, :func:`..uncertainty.history_fit.new_car_bev_share`); the nation's fleet
  shares are set beside it the same way, not fitted. Each sampled draw's amplitude of the same path is fitted
  again at run time (:mod:`..uncertainty.history_fit`) to the embedded sales up to
  ``transport.bev_sales_fitted_through``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from .. import dims
from ..errors import ObservationFileError, UsageError
from . import series as observed_series
from .search import grid_search, grid_search_each
from .series import Series

HISTORY = "framtid:current-policies"
RATE = "buildings.oil_review_rate"
FACTOR = "buildings.oil_review_factor"     # .<municipality>: on the shared rate
MIDPOINT, SPEED = "transport.maturity_midpoint.bev", "transport.maturity_rate.bev"
HEATING_SOURCES = observed_series.sources_of("heating")
# (points per parameter, rounds) of each search: spacing 0.3 / 16 / 8^3 = 4e-5 of the review rate; 3.5 / 8 / 4^3
# = 0.007 yr of the midpoint and 0.25 / 8 / 4^3 = 0.0005 of the rate (four runs of 17 and of 81 candidates)
HEATING_GRID = (17, 4)
BEV_GRID = (9, 4)
# The new vehicles' yearly efficiency gains fitted where a file of inventories gives the class: (fit, parameter,
# sector). Cars are left to the battery-electric fit, which carries most of their change after 2015.
ROAD_FITS = (("new vans' efficiency", "transport.fuel_efficiency_gain.van", "road_vans"),
             ("new heavy vehicles' efficiency", "transport.fuel_efficiency_gain.heavy", "road_heavy_vehicles"))
Modelled = Callable[[np.ndarray, "Series", tuple[int, ...]], np.ndarray]


@dataclass(frozen=True)
class Row:
    """One observation beside the model at the table's default and at the fit."""

    year: int
    observed: float
    at_default: float
    at_fit: float | None       # None where nothing was fitted
    role: str                  # "fitted", "check" or why the year is left out


@dataclass(frozen=True)
class Check:
    """An observed series a fit is not held to, beside the model at the table's values and at the fit."""

    series: Series
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Fit:
    """What one fit found: the parameters' table defaults and ranges, the fitted values (None where no
    observation lies up to the cut-off), and the observations beside the model."""

    name: str
    parameters: tuple[str, ...]
    defaults: tuple[float, ...]
    bounds: tuple[tuple[float, float], ...]
    fitted: tuple[float, ...] | None
    on_bound: tuple[bool, ...]
    series: Series
    error: str                 # the error measure of rms_fitted and rms_checks
    rows: tuple[Row, ...]
    evaluated: int             # candidates run
    checks: tuple[Check, ...] = ()    # other observed series set beside the default and the fit, never fitted
    baseline: str = "the table's values"      # what the "default" column is

    @property
    def fitted_years(self) -> tuple[int, ...]:
        return tuple(r.year for r in self.rows if r.role == "fitted")

    def rms(self, role: str, at: str = "fit") -> float | None:
        """The root mean square error of the rows of ``role`` ("fitted" or "check"), at the fit or "default"."""
        errors = [self._error(r, at) for r in self.rows if r.role == role]
        errors = [e for e in errors if e is not None]
        return math.sqrt(sum(e * e for e in errors) / len(errors)) if errors else None

    def _error(self, row: Row, at: str) -> float | None:
        value = row.at_default if at == "default" else row.at_fit
        if value is None:
            return None
        return math.log(value / row.observed) if self.error == "log" else value - row.observed


@dataclass(frozen=True)
class Calibration:
    """The fits of one cut-off and set of observations."""

    cut_off: int | None        # None: every year each fit may use
    observed: str              # what the observations are: "embedded" or the file given
    fits: tuple[Fit, ...]

    def overrides(self) -> dict[str, float]:
        """The fitted values by parameter name (those of fits that found observations to fit)."""
        return {name: value for fit in self.fits if fit.fitted is not None
                for name, value in zip(fit.parameters, fit.fitted)}


def _history_params(overrides: dict):
    """The policy history's parameters with ``overrides`` (arrays ``(K,)``, one value a draw, or numbers) as draws."""
    from ..parameters import Params
    from ..scenario import load

    draws = max(np.size(v) for v in overrides.values())
    return Params.defaults(draws, dict(load(HISTORY).parameters)
                           | {name: np.broadcast_to(np.asarray(v, dtype=float), (draws,)).copy()
                              for name, v in overrides.items()})


def _sector_gases(overrides: dict, sector: str, last_year: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Emissions of ``sector`` by source and gas [t gas/yr] ``(Y + 1, K, M, S, G)`` from 2009 to ``last_year`` of the
    policy history, the parameters ``overrides`` set (:func:`_history_params`), and the GWP weights ``(K, G)`` by
    set."""
    from ..accounting import GWP_SETS, gwp_vector
    from ..scenario import load
    from ..simulation import FramtidModel

    params = _history_params(overrides)
    model = FramtidModel(load(HISTORY), params)
    rows = [dims.SOURCES.index(x) for x in observed_series.sources_of(sector)]
    try:
        for _ in range(last_year - dims.BASE_YEAR + 1):
            model.step()
        gas = model.record["emissions_gas"][:last_year - dims.BASE_YEAR + 1, :, :, rows, :]   # (Y, K, M, S, G)
        return np.array(gas), {g: gwp_vector(params, g) for g in GWP_SETS}
    finally:
        model.dispose()     # the model's reference cycles: freed before the next candidates run


def heating_emissions(values: np.ndarray, last_year: int, overrides: dict | None = None) -> np.ndarray:
    """Heating emissions [t CO2e/yr, AR5] ``(Y + 1, K, M)`` from 2009 to ``last_year`` of the policy history, the
    review rate of each draw one of ``values`` ``(K,)`` (and other parameters set by ``overrides``)."""
    gas, weights = _sector_gases({RATE: values} | (overrides or {}), "heating", last_year)
    return np.einsum("tdmsg,dg->tdm", gas, weights["ar5"])


def _summed(gas: np.ndarray, weights: dict[str, np.ndarray], terms, sources: tuple[str, ...]) -> np.ndarray:
    """The model's emissions [t CO2e/yr] ``(K,)`` of the year of ``gas`` ``(K, M, S, G)`` (S: ``sources``) summed as
    the observed ``terms`` (:class:`.series.Term`) are: each municipality's sources in the term's GWP set."""
    total = 0.0
    for t in terms:
        s = [sources.index(x) for x in t.sources]
        total = total + np.einsum("dsg,dg->d", gas[:, dims.MUNICIPALITIES.index(t.municipality), s, :],
                                  weights[t.gwp])
    return total


def relative(parameter: str, sector: str) -> Modelled:
    """The modelled emissions of ``sector`` relative to 2009 [1] ``(Y, K)`` in ``years`` of a series, each summed as
    its observation is (the municipalities it covers, their sector or the sources given, each in its GWP set; the
    13's sector in AR5 where the nation stands in), with ``parameter`` at ``values`` ``(K,)``."""
    sources = observed_series.sources_of(sector)

    def modelled(values: np.ndarray, series: Series, years: tuple[int, ...]) -> np.ndarray:
        gas, weights = _sector_gases({parameter: values}, sector, max(years))
        return _ratios(gas, weights, series, years, sources)

    return modelled


def _ratios(gas: np.ndarray, weights: dict[str, np.ndarray], series: Series, years: tuple[int, ...],
            sources: tuple[str, ...]) -> np.ndarray:
    """The modelled emissions relative to 2009 [1] ``(Y, K)`` of the model's ``gas`` ``(T, K, M, S, G)`` (S:
    ``sources``) in ``years`` of ``series``, each summed as its observation is."""
    points = {p.year: p for p in series.points}
    _refuse_none_in_the_model(gas[0], weights, [points[y] for y in years], sources, series)
    rows = []
    for year in years:
        p = points[year]
        if p.terms:
            rows.append(_summed(gas[year - dims.BASE_YEAR], weights, p.terms, sources)
                        / _summed(gas[0], weights, p.base_terms, sources))
        else:
            total = np.einsum("tdmsg,dg->tdm", gas[[0, year - dims.BASE_YEAR]], weights["ar5"])
            m = [dims.MUNICIPALITIES.index(x) for x in p.municipalities]
            rows.append(total[1][:, m].sum(axis=-1) / total[0][:, m].sum(axis=-1))
    return np.array(rows)


def _refuse_none_in_the_model(gas: np.ndarray, weights: dict[str, np.ndarray], points, sources: tuple[str, ...],
                              series: Series) -> None:
    """Refuse a municipality whose observed 2009 the model has none of (its sources at 0 in every candidate, as
    natural gas in eleven of the 13): its fall cannot be compared, and hidden in a sum it would be set beside
    nothing. ``gas``: the model's 2009 ``(K, M, S, G)``."""
    for p in points:
        for m in dict.fromkeys(t.municipality for t in p.base_terms):
            mine = [t for t in p.base_terms if t.municipality == m]
            if not (_summed(gas, weights, mine, sources) > 0.0).any():
                held = ", ".join(sorted({x for t in mine for x in t.sources}))
                raise ObservationFileError(
                    f"{series.file or series.source}: {m}: {held} {dims.BASE_YEAR}: the model has none of it in "
                    f"{m} in {dims.BASE_YEAR}, so its change relative to {dims.BASE_YEAR} cannot be compared; "
                    "leave those rows out, or give the sector")


heating_relative = relative(RATE, "heating")


def _maturity(values: np.ndarray):
    """The parameters of the policy history with the maturity midpoints and rates ``values`` ``(K, 2)`` as draws."""
    return _history_params({MIDPOINT: values[:, 0], SPEED: values[:, 1]})


def bev_shares(values: np.ndarray, series: Series, years: tuple[int, ...]) -> np.ndarray:
    """The nation's battery-electric share of new cars [1] ``(Y, K)`` as the model has it (the 13's and the rest's,
    :func:`..uncertainty.history_fit.new_car_bev_share`) in ``years`` with the maturity midpoints and rates
    ``values`` ``(K, 2)``."""
    from ..uncertainty.history_fit import new_car_bev_share

    return new_car_bev_share(_maturity(values), np.array(years))


def bev_stock_shares(values: np.ndarray, series: Series, years: tuple[int, ...]) -> np.ndarray:
    """The battery-electric share of the nation's car stock [1] ``(Y, K)`` as the model has it (the 13's and the
    rest's, :func:`..uncertainty.history_fit.car_stock_bev_share`) at the end of ``years`` with the maturity
    midpoints and rates ``values`` ``(K, 2)``."""
    from ..uncertainty.history_fit import car_stock_bev_share

    return car_stock_bev_share(_maturity(values), np.array(years))


def _squared(got: np.ndarray, want: np.ndarray, error: str) -> np.ndarray:
    """The sum over years of the squared errors ``(K,)`` of the modelled ``got`` ``(Y, K)`` against ``want``
    ``(Y, 1)``: of the logarithms (``error`` "log") or of the levels."""
    gap = np.log(got / want) if error == "log" else got - want
    return (gap ** 2).sum(axis=0)


def _beside(series: Series, got: np.ndarray, fitted: bool, cut_off: int) -> tuple[Row, ...]:
    """The observations of ``series`` beside the model ``got`` ``(Y, 2)``, at the table's values and (``fitted``)
    at the fit, each with its role at ``cut_off``."""
    return tuple(Row(p.year, p.value, float(got[i, 0]), float(got[i, 1]) if fitted else None,
                     series.role(p.year, cut_off)) for i, p in enumerate(series.points))


def _fit(name: str, parameters: tuple[str, ...], series: Series, error: str, cut_off: int, modelled: Modelled,
         grid: tuple[int, int], checks: tuple[tuple[Series, Modelled], ...] = ()) -> Fit:
    """Fit ``parameters`` to ``series`` up to ``cut_off``: ``modelled(values (K, P), series, years)`` gives the
    modelled ``(Y, K)`` of candidate values; ``error`` is "log" (squared log errors) or "level". ``checks``: other
    series and their modelled values, set beside the table's values and the fit, never fitted."""
    from ..parameters import table

    specs = [table()[p] for p in parameters]
    defaults = tuple(s.default for s in specs)
    bounds = tuple((s.low, s.high) for s in specs)
    observed = {p.year: p.value for p in series.points}
    fitted_years = series.fitted_years(cut_off)

    def as_values(candidates: np.ndarray) -> np.ndarray:
        return candidates[:, 0] if len(parameters) == 1 else candidates

    def misfits(candidates: np.ndarray) -> np.ndarray:
        want = np.array([observed[y] for y in fitted_years])[:, None]
        return _squared(modelled(as_values(candidates), series, fitted_years), want, error)

    found = grid_search(misfits, bounds, *grid) if fitted_years else None
    candidates = np.array([defaults] + ([found.values] if found else []))
    rows = _beside(series, modelled(as_values(candidates), series, series.years()), bool(found), cut_off)
    checked = tuple(Check(check, _beside(check, model(as_values(candidates), check, check.years()), bool(found),
                                         cut_off)) for check, model in checks)
    return Fit(name, parameters, defaults, bounds, found.values if found else None,
               found.on_bound if found else (False,) * len(parameters), series, error, rows,
               found.evaluated if found else 0, checked)


def _municipal_reviews(observations, file: str, cut_off: int, shared: float) -> tuple[Fit, ...]:
    """Each municipality's factor on the shared review rate (``buildings.oil_review_factor.<id>``), fitted to its own
    heating inventories in ``observations`` (from ``file``) relative to 2009, with the shared rate at ``shared``:
    one fit per municipality with heating in 2009 and a later year. Municipalities do not interact in the
    buildings, so every municipality's grid runs in the same runs (:func:`.search.grid_search_each`)."""
    from ..parameters import table

    own = {}
    for m in dims.MUNICIPALITIES:
        series = observed_series.observed_heating([o for o in observations if o.municipality == m], file)
        if series is not None:
            own[m] = series
    if not own:
        return ()
    serieses = list(own.values())
    names = [f"{FACTOR}.{m}" for m in own]
    specs = [table()[n] for n in names]
    sources = observed_series.sources_of("heating")

    def run(values: np.ndarray, years: list[tuple[int, ...]]) -> list[np.ndarray | None]:
        """The modelled heating relative to 2009 ``(Y_p, K)`` of each municipality p in its ``years`` (None where
        none), with the factors ``values`` ``(K, P)``."""
        gas, weights = _sector_gases({RATE: shared} | {n: values[:, i] for i, n in enumerate(names)}, "heating",
                                     max(y for ys in years for y in ys))
        return [_ratios(gas, weights, series, ys, sources) if ys else None for series, ys in zip(serieses, years)]

    fitted_years = [series.fitted_years(cut_off) for series in serieses]
    fitting = [i for i, ys in enumerate(fitted_years) if ys]
    found = {}
    if fitting:
        def misfits(candidates: np.ndarray) -> np.ndarray:
            values = np.ones((len(candidates), len(names)))
            values[:, fitting] = candidates
            got = run(values, [fitted_years[i] if i in fitting else () for i in range(len(names))])
            return np.stack([_squared(got[i], np.array([p.value for p in serieses[i].points
                                                        if p.year in fitted_years[i]])[:, None], "log")
                             for i in fitting], axis=1)

        found = dict(zip(fitting, grid_search_each(misfits, [(specs[i].low, specs[i].high) for i in fitting],
                                                   *HEATING_GRID)))
    # The baseline is factor 1, the shared rate alone (the table holds the fits of Oslo and Skien, whose inventories
    # the embedded observations hold: set beside the fit, the table's value would show no gain).
    at = np.array([[1.0] * len(specs), [found[i].values[0] if i in found else 1.0 for i in range(len(specs))]])
    every = run(at, [series.years() for series in serieses])
    fits = []
    for i, (m, series) in enumerate(own.items()):
        f = found.get(i)
        fits.append(Fit(f"heating review, {m}", (names[i],), (specs[i].default,), ((specs[i].low, specs[i].high),),
                        f.values if f else None, f.on_bound if f else (False,), series, "log",
                        _beside(series, every[i], f is not None, cut_off), f.evaluated if f else 0,
                        baseline=f"factor 1 (the shared rate at {shared:.4g})"))
    return tuple(fits)


@lru_cache(maxsize=4)
def _national_fits(last: int) -> tuple[Fit, Fit]:
    """The fits to the national series up to ``last``: the shared review of oil heating to Norway's heating and the
    battery-electric path to the national sales. They read the embedded data and the table alone, so a file of
    municipal inventories fitted after another (or the same cut-off again) finds them made (the fits are frozen)."""
    heating = _fit("heating review", (RATE,), observed_series.national_heating(), "log", last, heating_relative,
                   HEATING_GRID)
    uptake = _fit("battery-electric uptake", (MIDPOINT, SPEED), observed_series.bev_sales(), "level", last,
                  bev_shares, BEV_GRID, ((observed_series.bev_fleet(), bev_stock_shares),))
    return heating, uptake


def calibrate(cut_off: int | None = None, observed: str | Path | None = None,
              municipality: str | None = None) -> Calibration:
    """Fit the free parameters to the observations up to ``cut_off`` (None: every year each fit may use): the shared
    review of oil heating to Norway's heating series and the battery-electric path to the national sales, and with
    ``observed``, a file of municipal inventories (``framtid hindcast --observed``'s layouts; ``municipality``
    names the municipality of an agency export of one), each municipality's factor on the review to its own
    heating and the efficiency gains of new vans and heavy vehicles to theirs (a file with none of these is
    refused)."""
    if cut_off is not None and not dims.BASE_YEAR < cut_off <= dims.FINAL_YEAR:
        raise UsageError(f"--cut-off: {cut_off} is not a year after {dims.BASE_YEAR} up to {dims.FINAL_YEAR}; the fits "
                         f"compare the years after {dims.BASE_YEAR} with {dims.BASE_YEAR}")
    if municipality is not None and observed is None:
        raise UsageError("--municipality: names the municipality of an agency export without a municipality "
                         "column; give it with --observed FILE")
    last = dims.FINAL_YEAR if cut_off is None else cut_off
    heating, uptake = _national_fits(last)
    own = []
    if observed is not None:
        from ..observed import read_observed

        observations = read_observed(observed, municipality)
        shared = heating.fitted[0] if heating.fitted is not None else heating.defaults[0]
        own = list(_municipal_reviews(observations, f"{observed}", last, shared))
        own += [_fit(name, (parameter,), series, "log", last, relative(parameter, sector), HEATING_GRID)
                for name, parameter, sector in ROAD_FITS
                if (series := observed_series.observed_relative(observations, f"{observed}", sector)) is not None]
        if not own:
            raise ObservationFileError(
                f"{observed}: no municipality has heating, vans (road_vans) or heavy vehicles (road_heavy_vehicles) in "
                f"{dims.BASE_YEAR} and in a later year, which the fits of a file of inventories compare; without "
                "--observed the review of oil heating is fitted to Norway's heating series")
    return Calibration(cut_off, "embedded" if observed is None else str(observed), (heating, uptake, *own))
