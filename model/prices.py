"""Energy prices and taxes as yearly paths in real 2009 NOK.

Data: ``model/data/prices.csv``, written by ``tools/build_prices.py`` from the reference
policy data (SSB pump, heating-oil and household electricity prices; excise rates from
Skatteetaten, the state budget and relayed tables; see each row's ``source``). One row per
item and year 2009-2024 in **nominal** NOK, each with a status (``observed``, ``proposed``: a rate the source
gives as the budget proposal, the rate adopted not verified, ``derived``, ``interpolated``, ``held``), the method
that made it, its source addresses and a confidence grade. The model reads only that file, never the reference folder.

Items of the file (nominal NOK):

==========================  =======================================================
petrol_pump_price           [NOK/l] national annual average incl. taxes and VAT
diesel_pump_price           [NOK/l] same, dutiable (road) diesel
petrol_road_usage_tax       [NOK/l] veibruksavgift on petrol
diesel_road_usage_tax       [NOK/l] veibruksavgift on autodiesel
petrol_co2_tax              [NOK/l] CO2 tax on petrol
diesel_co2_tax              [NOK/l] CO2 tax on autodiesel
mineral_oil_co2_tax         [NOK/l] CO2 tax on heating oil and paraffin (general mineral-oil rate)
mineral_oil_base_tax        [NOK/l] grunnavgift on heating oil and paraffin (0 from 2023)
heating_oil_price           [NOK/l] incl. taxes and VAT
electricity_energy_price    [NOK/kWh] household energy component, excl. VAT, grid and taxes
electricity_grid_and_taxes  [NOK/kWh] grid tariff + electricity tax + levies, excl. VAT
==========================  =======================================================

From these the module derives the product (pre-tax) prices, which are what markets set::

    product = consumer price / (1 + VAT) - excise taxes                     [NOK/l]

(VAT 25 % on all these products 2009-2024), turns nominal into real 2009 NOK with an assumed
consumer price index (:func:`deflator`; the reference data hold no CPI) and projects past 2024
(:func:`price_paths`)::

    real(t) = nominal(t) / CPI(t)                                   2009 <= t <= 2024
    real(t) = (m + (real(2024) - m) * 2 ** (-(t - 2024) / h)) * (1 + g) ** (t - 2024)    t > 2024

with ``m`` the mean real price over the last ``N = prices.projection_base_years`` observed years,
``h = prices.reversion_half_life`` and ``g = prices.real_trend.<item>``: the price leaves the last
observed level and returns towards the longer mean, half the gap every ``h`` years, instead of
jumping to the mean in the first projected year (a petrol product price 23 % below that of 2024 in
2025, and car traffic up 2.7 % in that one year, as a price shock's end would have it overnight). The taxes are
given as they were (:func:`tax_paths`, :func:`taxes_2009`); future tax policy is the business
of scenarios and measures, not of this module.

All functions are pure apart from reading the embedded file. Arrays over draws have the draw
axis first: parameters are ``(D,)``, paths ``(D, T)`` over ``dims.YEARS``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from . import dims
from .errors import DataError, utf8_data
from .parameters import Params

FILE = "prices.csv"
COLUMNS = ("item", "year", "value", "unit", "status", "method", "source", "confidence")
STATUSES = ("observed", "proposed", "derived", "interpolated", "held")
CONFIDENCE = ("high", "medium", "low", "derived")   # "derived": the reference row's own grade
DATA_YEARS = tuple(range(dims.BASE_YEAR, 2025))     # years with data: 2009-2024
LAST_DATA_YEAR = DATA_YEARS[-1]
UNITS = {
    "petrol_pump_price": "NOK/l (nominal, incl. taxes and VAT)",
    "diesel_pump_price": "NOK/l (nominal, incl. taxes and VAT)",
    "petrol_road_usage_tax": "NOK/l (nominal)",
    "diesel_road_usage_tax": "NOK/l (nominal)",
    "petrol_co2_tax": "NOK/l (nominal)",
    "diesel_co2_tax": "NOK/l (nominal)",
    "mineral_oil_co2_tax": "NOK/l (nominal)",
    "mineral_oil_base_tax": "NOK/l (nominal)",
    "heating_oil_price": "NOK/l (nominal, incl. taxes and VAT)",
    "electricity_energy_price": "NOK/kWh (nominal, excl. VAT, grid and taxes)",
    "electricity_grid_and_taxes": "NOK/kWh (nominal, excl. VAT)",
}
ITEMS = tuple(UNITS)
TAX_ITEMS = ("petrol_road_usage_tax", "petrol_co2_tax", "diesel_road_usage_tax", "diesel_co2_tax",
             "mineral_oil_co2_tax", "mineral_oil_base_tax")
# What a yearly value of each item can be, beyond being a number (a sign or a unit slipped, a typo): prices above
# zero, taxes zero or more, each below a bound far above any value in the file (the yearly means peaked in 2022 at
# 22.1 NOK/l of petrol and 1.50 NOK/kWh of electricity) [its unit]: (low, high, strictly above low) per item.
PLAUSIBLE = {item: (0.0, 20.0 if "kWh" in UNITS[item] else 100.0, item not in TAX_ITEMS) for item in ITEMS}
# Norwegian general VAT rate, unchanged 2005-2024 (merverdiavgiftsloven; 25 % since 2005), which
# the observed consumer prices include. Used only to take VAT out of observed prices; submodels
# add VAT to future prices with their own parameter (e.g. transport.vat_rate) via consumer_price.
VAT_RATE = 0.25
# Norges Bank's inflation target: 2.5 %/yr from 2001, 2 %/yr from March 2018.
TARGET_CHANGE_YEAR = 2018
P = "prices."
PATH_ITEMS = ("petrol_product", "diesel_product", "heating_oil_product", "electricity_energy",
              "electricity_grid_and_taxes")


@dataclass(frozen=True)
class PriceRecord:
    """One row of prices.csv."""

    item: str
    year: int
    value: float
    unit: str
    status: str
    method: str
    source: str
    confidence: str


# ---------------------------------------------------------------- loading and validation

def data_path() -> Path:
    return Path(str(resources.files("framtid.model") / "data" / FILE))


def _parse(path: Path) -> tuple[PriceRecord, ...]:
    name = path.name
    try:
        fh = open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(f"{path}: cannot read price data file ({exc.strerror})") from None
    with fh, utf8_data(path):
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise DataError(f"{name}: line 1: header must be {','.join(COLUMNS)}")
        rows = list(enumerate(reader, start=2))
    out: list[PriceRecord] = []
    seen: dict[tuple[str, int], int] = {}
    for lineno, r in rows:
        where = f"{name}: line {lineno}"
        if None in r or any(r[c] is None for c in COLUMNS):
            raise DataError(f"{where}: expected {len(COLUMNS)} columns ({','.join(COLUMNS)})")
        item = r["item"]
        if item not in UNITS:
            raise DataError(f"{where}: column 'item' must be one of {', '.join(ITEMS)}, got {item!r}")
        try:
            year = int(r["year"])
        except ValueError:
            year = None
        if year not in DATA_YEARS:
            raise DataError(f"{where}: column 'year' must be a whole year in {DATA_YEARS[0]}-{LAST_DATA_YEAR}, "
                            f"got {r['year']!r}")
        try:
            value = float(r["value"])
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise DataError(f"{where}: column 'value' must be a number, got {r['value']!r}")
        low, high, above = PLAUSIBLE[item]
        if not (low < value if above else low <= value) or value > high:
            raise DataError(f"{where}: column 'value' of {item} must lie in {'(' if above else '['}{low:g}, {high:g}] "
                            f"{UNITS[item]}, got {r['value']!r}")
        if r["unit"] != UNITS[item]:
            raise DataError(f"{where}: column 'unit' of {item} must be {UNITS[item]!r}, got {r['unit']!r}")
        if r["status"] not in STATUSES:
            raise DataError(f"{where}: column 'status' must be one of {', '.join(STATUSES)}, got {r['status']!r}")
        if r["confidence"] not in CONFIDENCE:
            raise DataError(f"{where}: column 'confidence' must be one of {', '.join(CONFIDENCE)}, "
                            f"got {r['confidence']!r}")
        for col in ("method", "source"):
            if not r[col].strip():
                raise DataError(f"{where}: column {col!r} is empty (every value says how it was made and where "
                                "it comes from)")
        if (item, year) in seen:
            raise DataError(f"{where}: {item} {year} is given twice (also line {seen[item, year]})")
        seen[item, year] = lineno
        out.append(PriceRecord(item, year, value, r["unit"], r["status"], r["method"], r["source"],
                               r["confidence"]))
    for item in ITEMS:
        missing = [str(y) for y in DATA_YEARS if (item, y) not in seen]
        if missing:
            raise DataError(f"{name}: item {item!r} has no row for year(s) {', '.join(missing)}")
    return tuple(out)


@lru_cache(maxsize=8)
def _load(path: str) -> tuple[PriceRecord, ...]:
    return _parse(Path(path))


def load(path: Path | None = None) -> tuple[PriceRecord, ...]:
    """Every row of the price file, validated [nominal NOK].

    Raises :class:`DataError` naming the file, the line and the column of the first bad
    value, or the item and years missing (every item needs every year 2009-2024).
    ``path`` defaults to the embedded ``model/data/prices.csv``.
    """
    return _load(str(path if path is not None else data_path()))


def nominal(path: Path | None = None) -> dict[str, np.ndarray]:
    """Each item's nominal values over ``DATA_YEARS`` (2009-2024), shape ``(16,)`` [units of ``UNITS``]."""
    out = {item: np.empty(len(DATA_YEARS)) for item in ITEMS}
    for rec in load(path):
        out[rec.item][rec.year - DATA_YEARS[0]] = rec.value
    return out


# ---------------------------------------------------------------- small pure helpers

def co2_tax_per_litre(nok_per_t: np.ndarray | float, kg_co2_per_litre: np.ndarray | float) -> np.ndarray | float:
    """CO2 tax per litre from the rate per tonne: ``nok_per_t * kg_co2_per_litre / 1000`` [NOK/l].

    E.g. 330 NOK/t on heating oil at 2.66 kg CO2/l is 0.8778 NOK/l.
    """
    return nok_per_t * kg_co2_per_litre / 1000.0


def consumer_price(product: np.ndarray | float, excise_taxes: np.ndarray | float,
                   vat_rate: np.ndarray | float) -> np.ndarray | float:
    """Price paid by consumers: ``(product + excise taxes) * (1 + VAT)`` [NOK/l or NOK/kWh].

    VAT is charged on top of the excise taxes (Norwegian practice for road-usage, CO2 and
    base taxes and the electricity tax). For electricity the "product" is the energy
    price and the "taxes" the grid tariff, electricity tax and levies.
    """
    return (product + excise_taxes) * (1.0 + vat_rate)


def product_price(consumer: np.ndarray | float, excise_taxes: np.ndarray | float,
                  vat_rate: np.ndarray | float = VAT_RATE) -> np.ndarray | float:
    """Inverse of :func:`consumer_price`: ``consumer / (1 + VAT) - excise taxes`` [NOK/l or NOK/kWh]."""
    return consumer / (1.0 + vat_rate) - excise_taxes


def road_fuel_product_price(pump_price: np.ndarray | float, road_usage_tax: np.ndarray | float,
                            co2_tax: np.ndarray | float, vat_rate: np.ndarray | float = VAT_RATE):
    """Product price of petrol or diesel, excl. VAT and excise taxes [NOK/l]:
    ``pump / (1 + VAT) - road-usage tax - CO2 tax``.

    2009 petrol: 11.74 / 1.25 - 4.40 - 0.8409 = 4.1511 NOK/l.
    """
    return product_price(pump_price, road_usage_tax + co2_tax, vat_rate)


def heating_oil_product_price(price: np.ndarray | float, co2_tax: np.ndarray | float,
                              base_tax: np.ndarray | float, vat_rate: np.ndarray | float = VAT_RATE):
    """Product price of heating oil, excl. VAT, CO2 and base taxes [NOK/l]:
    ``price / (1 + VAT) - mineral-oil CO2 tax - base tax``."""
    return product_price(price, co2_tax + base_tax, vat_rate)


def nominal_products(path: Path | None = None) -> dict[str, np.ndarray]:
    """Nominal product prices over ``DATA_YEARS``, shape ``(16,)``, keyed like :class:`PricePaths`.

    petrol_product, diesel_product, heating_oil_product [NOK/l excl. VAT and excise taxes];
    electricity_energy [NOK/kWh excl. VAT, grid and taxes]; electricity_grid_and_taxes
    [NOK/kWh excl. VAT].
    """
    n = nominal(path)
    return {
        "petrol_product": road_fuel_product_price(n["petrol_pump_price"], n["petrol_road_usage_tax"],
                                                  n["petrol_co2_tax"]),
        "diesel_product": road_fuel_product_price(n["diesel_pump_price"], n["diesel_road_usage_tax"],
                                                  n["diesel_co2_tax"]),
        "heating_oil_product": heating_oil_product_price(n["heating_oil_price"], n["mineral_oil_co2_tax"],
                                                         n["mineral_oil_base_tax"]),
        "electricity_energy": n["electricity_energy_price"].copy(),
        "electricity_grid_and_taxes": n["electricity_grid_and_taxes"].copy(),
    }


# ---------------------------------------------------------------- deflation and projection

def deflator(years, params: Params) -> np.ndarray:
    """Consumer price index relative to 2009, ``CPI(t) / CPI(2009)`` [1], shape ``(D, Y)``.

    No CPI is in the reference data, so inflation is assumed at Norges Bank's target::

        CPI(t) = (1 + i1) ** (min(t, 2017) - 2009) * (1 + i2) ** max(t - 2017, 0)

    with ``i1 = prices.inflation_to_2017`` (yearly inflation up to 2017) and
    ``i2 = prices.inflation_from_2018`` (from 2018) [1/yr]. Years before 2009 are
    deflated back at ``i1``.
    """
    t = np.asarray(years, dtype=float)[None, :]
    i1 = params[P + "inflation_to_2017"][:, None]
    i2 = params[P + "inflation_from_2018"][:, None]
    last = TARGET_CHANGE_YEAR - 1
    return (1.0 + i1) ** (np.minimum(t, last) - dims.BASE_YEAR) * (1.0 + i2) ** np.maximum(t - last, 0.0)


def to_real(nominal_values: np.ndarray, years, params: Params) -> np.ndarray:
    """Nominal values over ``years`` (shape ``(Y,)`` or ``(D, Y)``) in real 2009 NOK, ``(D, Y)``."""
    return np.asarray(nominal_values, dtype=float) / deflator(years, params)


def project(real_observed: np.ndarray, base_years: np.ndarray, trend: np.ndarray, horizon: int,
            half_life: np.ndarray | float = 0.0) -> np.ndarray:
    """Real values for the ``horizon`` years after the last observed year, ``(D, horizon)``.

    ``real(L + k) = (m + (real(L) - m) 2^(-k / h)) (1 + g) ** k`` for ``k = 1..horizon``: the
    last observed value ``real(L)`` returns towards ``m``, the mean real value over the last N
    observed years, half the gap every ``h = half_life`` [yr] (0: at once), on a real trend
    ``g = trend`` [1/yr]. ``N = base_years`` rounded to whole years (1 <= N <= number of observed
    years). real_observed: ``(D, Y)``; base_years, trend, half_life: ``(D,)`` or scalars. A mean
    over several years keeps one unusual year (e.g. the 2022 electricity crisis) from setting the
    whole future level on its own; the return at a pace keeps the end of such a year from acting
    in a single year (energy prices revert slowly to their long-run level, Pindyck 1999).
    """
    real_observed = np.asarray(real_observed, dtype=float)
    n_obs = real_observed.shape[1]
    n = np.rint(np.asarray(base_years, dtype=float)).astype(int)
    if np.any((n < 1) | (n > n_obs)):
        raise ValueError(f"projection base must be 1-{n_obs} years, got {sorted(set(n.tolist()))}")
    half_life = np.asarray(half_life, dtype=float)
    if np.any(half_life < 0.0):
        raise ValueError(f"half-life of the return to the mean must be >= 0, got {np.min(half_life)}")
    in_base = np.arange(n_obs)[None, :] >= (n_obs - n)[:, None]
    mean = ((real_observed * in_base).sum(axis=1) / n)[:, None]
    k = np.arange(1, horizon + 1, dtype=float)[None, :]
    h = np.broadcast_to(half_life, mean.shape[:1])[:, None]
    remaining = np.exp2(-k / np.where(h > 0.0, h, 1.0)) * (h > 0.0)           # share of the gap left after k years
    level = mean + (real_observed[:, -1:] - mean) * remaining
    return level * (1.0 + np.asarray(trend, dtype=float)[:, None]) ** k


@dataclass(frozen=True)
class PricePaths:
    """Energy product prices over draws and ``dims.YEARS`` (2009-2050), shape ``(D, T)``, real 2009 NOK.

    2009-2024 from prices.csv, deflated; from 2025 projected (:func:`project`).
    Add taxes and VAT with :func:`consumer_price`.
    """

    petrol_product: np.ndarray              # (D, T) [NOK/l] excl. VAT, road-usage and CO2 taxes
    diesel_product: np.ndarray              # (D, T) [NOK/l] excl. VAT, road-usage and CO2 taxes
    heating_oil_product: np.ndarray         # (D, T) [NOK/l] excl. VAT, mineral-oil CO2 and base taxes
    electricity_energy: np.ndarray          # (D, T) [NOK/kWh] household energy price excl. VAT, grid, taxes
    electricity_grid_and_taxes: np.ndarray  # (D, T) [NOK/kWh] grid tariff + electricity tax + levies excl. VAT


def price_paths(params: Params, path: Path | None = None) -> PricePaths:
    """Product prices 2009-2050 in real 2009 NOK, ``(D, T)`` per field of :class:`PricePaths`.

    Reads ``prices.inflation_to_2017``, ``prices.inflation_from_2018``,
    ``prices.projection_base_years``, ``prices.reversion_half_life`` and ``prices.real_trend.<field>``
    for each field.
    """
    products = nominal_products(path)
    horizon = dims.FINAL_YEAR - LAST_DATA_YEAR
    base = params[P + "projection_base_years"]
    fields = {}
    for name in PATH_ITEMS:
        real = to_real(products[name], DATA_YEARS, params)                       # (D, 16)
        future = project(real, base, params[P + "real_trend." + name], horizon,
                         params[P + "reversion_half_life"])                       # (D, 26)
        fields[name] = np.concatenate([real, future], axis=1)
    return PricePaths(**fields)


@dataclass(frozen=True)
class TaxPaths:
    """Excise tax rates over draws and ``dims.YEARS`` (2009-2050), shape ``(D, T)``, real 2009 NOK.

    2009-2024 as in prices.csv (deflated); from 2025 the real 2024 rate is held, i.e. the
    rates of 2024 kept up with inflation: current policy frozen. Announced or scenario
    paths (e.g. the CO2 tax towards 2 000 NOK/t in 2030) are applied by measures.
    """

    petrol_road_usage: np.ndarray   # (D, T) [NOK/l]
    petrol_co2: np.ndarray          # (D, T) [NOK/l]
    diesel_road_usage: np.ndarray   # (D, T) [NOK/l]
    diesel_co2: np.ndarray          # (D, T) [NOK/l]
    mineral_oil_co2: np.ndarray     # (D, T) [NOK/l] heating oil and paraffin
    mineral_oil_base: np.ndarray    # (D, T) [NOK/l] heating oil and paraffin (0 from 2023)


def tax_paths(params: Params, path: Path | None = None) -> TaxPaths:
    """Observed tax rates in real 2009 NOK over ``dims.YEARS``, ``(D, T)`` [NOK/l];
    the real 2024 rate held from 2025 (see :class:`TaxPaths`).

    Reads ``prices.inflation_to_2017`` and ``prices.inflation_from_2018``.
    """
    n = nominal(path)
    horizon = dims.FINAL_YEAR - LAST_DATA_YEAR
    fields = {}
    for item in TAX_ITEMS:
        real = to_real(n[item], DATA_YEARS, params)
        fields[item.removesuffix("_tax")] = np.concatenate([real, np.repeat(real[:, -1:], horizon, axis=1)], axis=1)
    return TaxPaths(**fields)


def taxes_2009(path: Path | None = None) -> dict[str, float]:
    """Tax rates in 2009 [NOK/l], keyed like :class:`TaxPaths`; real 2009 NOK = nominal 2009 NOK.

    petrol_road_usage, petrol_co2, diesel_road_usage, diesel_co2, mineral_oil_co2, mineral_oil_base.
    """
    n = nominal(path)
    return {item.removesuffix("_tax"): float(n[item][0]) for item in TAX_ITEMS}


@lru_cache(maxsize=256)
def to_real_2009(year: int) -> float:
    """Factor turning NOK of ``year`` into real 2009 NOK [1], at the default inflation assumptions.

    Used for the money fields of measures (tolls, fees, taxes written in NOK of their price
    year). Policy inputs are converted once, with the central inflation assumption, so that a
    toll written as 27 NOK in 2012 is the same policy in every Monte Carlo draw.
    """
    from .parameters import Params

    return float(1.0 / deflator([year], Params.defaults(1))[0, 0])


# -- consumer prices under a year's tax levers (real 2009 NOK) -------------------------------------------

def pump_prices(paths: PricePaths, k: int, road_usage_tax: np.ndarray, co2_tax_nok_per_t: np.ndarray,
                kg_co2_per_litre: np.ndarray, vat_rate: np.ndarray | float = VAT_RATE) -> np.ndarray:
    """Pump prices of petrol and diesel in year index ``k`` [real 2009 NOK/l], ``(D, M, 2)``.

    ``(product + road-usage tax + CO2 tax x kg CO2/l / 1000) (1 + VAT)``; taxes ``(D, M, 2)``
    [NOK/l], [NOK/t CO2] over (petrol, diesel), carbon ``(D, 2)`` [kg CO2/l].
    """
    product = np.stack([paths.petrol_product[:, k], paths.diesel_product[:, k]], axis=-1)[:, None, :]
    co2 = co2_tax_per_litre(co2_tax_nok_per_t, kg_co2_per_litre[:, None, :])
    return consumer_price(product, road_usage_tax + co2, vat_rate)


def heating_oil_consumer_price(paths: PricePaths, k: int, base_tax: np.ndarray, co2_tax_nok_per_t: np.ndarray,
                               kg_co2_per_litre: np.ndarray, vat_rate: np.ndarray | float = VAT_RATE) -> np.ndarray:
    """Heating-oil price paid by households in year index ``k`` [real 2009 NOK/l], ``(D, M)``:
    ``(product + base tax + CO2 tax x kg CO2/l / 1000) (1 + VAT)``."""
    co2 = co2_tax_per_litre(co2_tax_nok_per_t, kg_co2_per_litre[:, None])
    return consumer_price(paths.heating_oil_product[:, k, None], base_tax + co2, vat_rate)


def electricity_consumer_price(paths: PricePaths, k: int, vat_rate: np.ndarray | float = VAT_RATE) -> np.ndarray:
    """Household electricity price incl. grid, taxes and VAT in year index ``k`` [real 2009 NOK/kWh], ``(D,)``."""
    return consumer_price(paths.electricity_energy[:, k], paths.electricity_grid_and_taxes[:, k], vat_rate)
