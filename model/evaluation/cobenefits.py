"""Co-benefits of a run, computed after it from the result Dataset: road-traffic NOx and PM10, the
health effect of walking and cycling (WHO HEAT), and toll payments by municipality of residence.

Nothing here changes how the model runs: every function reads variables a run records
(``vkm``, ``car_vkm``, ``car_stock``, ``pkm``, ``population``, ``toll_paid``) and the parameter
table (``cobenefits.*`` rows, ``model/data/parameters/cobenefits.csv``). A scenario's own
``[parameters]`` overrides, which the result file records, apply here too, so a municipality's
studded-tyre count can be entered in a scenario file.

Road-traffic NOx and PM10 [t/yr]
    Exhaust of vehicle class c (car, van, heavy, bus) and fuel f::

        E_exh = sum_f vkm_{c,f}(t) * sum_s w_{c,f,s}(t) EF_{c,f,s}

    with EF the factor of emission step s (Euro 4 and older, Euro 5, Euro 6 a-c, Euro 6d for
    cars and vans; Euro V and older, Euro VI for heavy vehicles and buses) [g/vkm] and
    w the share of the year's vkm driven by vehicles first registered in the step's years
    (:func:`fleet_step_shares`). Cars use the territorial ``car_vkm`` by powertrain: petrol and
    diesel their own factors, plug-in hybrids the petrol factors times the share of their km
    driven on fuel (1 - ``transport.phev_electric_share``), battery-electric cars none. Vans,
    heavy vehicles and buses are counted as diesel (the result file does not split them by
    powertrain, so zero-emission vans, trucks and biogas buses are not credited here).

    Non-exhaust PM10 = vkm_c (tyre_c + brake_c + road_c) + (vkm_car + vkm_van) s_m q_m x
    (EMEP/EEA Tier 1 wear factors [g/vkm], every powertrain alike; s_m the share of light-vehicle
    km on studded tyres in the season, q_m the season's share of the year, x the extra PM10 of
    road wear per studded km).

Health effect of walking and cycling (WHO HEAT 2017, physical-activity module)
    The residents' walked and cycled km are spread evenly over all residents, so every adult
    walks pkm_walk / population km a year; minutes per week m = km / v * 60 / (365 / 7).
    Mortality reduction r = min((1 - RR) m / m_ref, cap); deaths avoided per year
    D = P a mu r with P the population, a the share in HEAT's age group (20-74 walking, 20-64
    cycling) and mu that group's all-cause mortality [1/yr]; their value D x VSL [real 2009 NOK].
    HEAT's build-up period and its air-pollution and crash modules are not applied.
"""

from __future__ import annotations

import ast
import re

import numpy as np

from .. import dims
from ..errors import ResultFileError
from ..parameters import Params, table
from ..submodels.fleet import weibull_survival

P = "cobenefits."
LIGHT_STEPS = ("to_euro4", "euro5", "euro6", "euro6d")
HEAVY_STEPS = ("to_euro_v", "euro_vi")
STEPS = {"car": LIGHT_STEPS, "van": LIGHT_STEPS, "heavy": HEAVY_STEPS, "bus": HEAVY_STEPS}
EXHAUST_FUELS = {"car": ("petrol", "diesel"), "van": ("diesel",), "heavy": ("diesel",), "bus": ("diesel",)}
POLLUTANTS = ("nox", "pm10_exhaust")
WEAR = ("tyre", "brake", "road")
WEAR_SOURCES = WEAR + ("studded",)
LIGHT_CLASSES = ("car", "van")
AIR_DRAW_BLOCK = 32   # draws whose road fleet is rebuilt at a time (about 5 MB each, see road_air_pollutants)
# Nordland, Troms and Finnmark have the longer studded-tyre season (vehicle-use regulation).
NORTH = ("tromso",)
# what the co-benefits read from a result (the commands that compute them load only these, with their
# own); toll_paid may be missing (see toll_paid)
VARIABLES = ("vkm", "car_vkm", "car_stock", "pkm", "population", "toll_paid", "parameter_sample")
OPTIONAL = ("toll_paid", "cordon_car_trips", "parameter_sample")   # the sample: only in files with draws
HEAT_MODES = ("walk", "bicycle")
MAX_AGE = 60                 # ages counted in the reconstructed fleets; Weibull survival is negligible beyond
G_PER_T = 1e6
WEEKS_PER_YEAR = 365.0 / 7.0
MINUTES_PER_HOUR = 60.0


# ---------------------------------------------------------------- parameters of a result's scenarios

def scenario_params(ds) -> dict[str, Params]:
    """The parameter values each scenario of a result ran with: the table's defaults with the
    scenario's ``[parameters]`` overrides (recorded as ``scenario<k>_parameters``); one draw, or with a
    ``parameter_sample`` of several draws each draw's sampled values of the co-benefits' own parameters
    (``cobenefits.*``, in the order of the file's draws), so that they spread the draws as their table says."""
    names = {str(value): int(key[len("scenario"):-len("_name")]) for key, value in ds.attrs.items()
             if re.fullmatch(r"scenario\d+_name", key)}
    known = table()
    out = {}
    for sc in (str(s) for s in ds["scenario"].values):
        overrides = {}
        k = names.get(sc)
        if k is not None and f"scenario{k}_parameters" in ds.attrs:
            text = str(ds.attrs[f"scenario{k}_parameters"])
            try:
                pairs = ast.literal_eval(text)
                overrides = {str(n): float(v) for n, v in pairs if n in known}
            except (ValueError, SyntaxError, TypeError):
                raise ResultFileError(f"attribute scenario{k}_parameters of scenario {sc!r} is not a list of "
                                      f"(name, value) pairs (got {text[:60]!r}); the file was edited") from None
        out[sc] = _sampled(ds, overrides, known)
    return out


def _sampled(ds, overrides: dict, known) -> Params:
    """The defaults with ``overrides``, over the file's draws with their sampled values where it holds some."""
    n = ds.sizes.get("draw", 1)
    if n == 1 or "parameter_sample" not in ds:
        return Params.defaults(1, overrides)
    sample = ds["parameter_sample"]
    names = [str(p) for p in sample["parameter"].values]
    values = np.asarray(sample.transpose("draw", "parameter").values, dtype=float)
    # Only the co-benefits' own parameters: the fleet's renewal (rebuilt from the stock, not run) and the
    # deflator of the VSL keep the scenario's values, the same in every draw and every block of draws.
    drawn = {name: values[:, j] for j, name in enumerate(names)
             if name.startswith(P) and name in known and name not in overrides}
    return Params.defaults(n, overrides).with_overrides(drawn)


def _value(params: Params, name: str) -> float:
    """A parameter's value in the first draw (for those held at one value in every draw: regulation years)."""
    return float(params[P + name][0])


def _draw_values(params: Params, name: str, draws=None):
    """A parameter's value: a number with one draw; with several, its values over the draws ``(D,)``, as a
    DataArray on the ``draws`` coordinate when given (to broadcast against result variables)."""
    values = params[P + name]
    if params.n_draws == 1:
        return float(values[0])
    if draws is None:
        return np.asarray(values, dtype=float)
    import xarray as xr

    return xr.DataArray(np.asarray(values, dtype=float), dims="draw", coords={"draw": draws})


# ---------------------------------------------------------------- fleet renewal

def vintage_counts(stock: np.ndarray, survival: np.ndarray, max_age: int) -> np.ndarray:
    """Vehicles by first-registration year in every year, rebuilt from the stock path [vehicles].

    The first year's stock is stationary: the same registrations N0 = S(0) / sum_{a<=A} R(a) in
    each of the A + 1 years up to it (A = ``max_age``). From then on each year's registrations
    fill the gap between the stock and the survivors (the turnover identity of the fleet model)::

        N(t) = max(S(t) - sum_{v<t} N(v) R(t - v), 0),   n(t, v) = N(v) R(t - v)

    stock ``(T, ...)`` [vehicles, or anything proportional to them]; survival R(a) for
    a = 0..A+T-1 [1]. Returns ``(T, A + T, ...)``; vintage j was registered in year index j - A
    (index 0 is the first year of ``stock``).
    """
    stock = np.asarray(stock, dtype=float)
    survival = np.asarray(survival, dtype=float)
    n_years = stock.shape[0]
    if survival.shape[0] < max_age + n_years:
        raise ValueError(f"survival needs {max_age + n_years} ages (got {survival.shape[0]})")
    rest = (1,) * (stock.ndim - 1)
    offsets = np.arange(-max_age, n_years)
    registrations = np.zeros((max_age + n_years,) + stock.shape[1:])
    registrations[:max_age + 1] = stock[0] / survival[:max_age + 1].sum()
    counts = np.zeros((n_years, max_age + n_years) + stock.shape[1:])
    for t in range(n_years):
        age = t - offsets
        r = np.where(age >= 0, survival[np.clip(age, 0, None)], 0.0).reshape((-1,) + rest)
        if t > 0:
            j = max_age + t
            survivors = (registrations[:j] * r[:j]).sum(axis=0)
            registrations[j] = np.maximum(stock[t] - survivors, 0.0)
        counts[t] = registrations * r
    return counts


def fleet_step_shares(stock: np.ndarray, survival: np.ndarray, max_age: int, first_year: int,
                      mileage_decline: float, step_starts: tuple[int, ...]) -> np.ndarray:
    """Share of each year's vkm driven by vehicles of each emission step [1].

    Vehicles of age a drive (1 - d)^a times the km of a new one (``transport.mileage_decline`` d,
    as in the fleet model); a vehicle belongs to step s if it was first registered in
    [start_s, start_{s+1}) (``step_starts`` are the first registration years of steps 1, 2, ...;
    step 0 holds everything before). stock ``(T, ...)`` from ``first_year`` on. Returns
    ``(T, S, ...)`` with S = len(step_starts) + 1, summing to 1 over S (0 where the stock is 0).
    """
    counts = vintage_counts(stock, survival, max_age)
    n_years, n_vintages = counts.shape[:2]
    rest = (1,) * (counts.ndim - 2)
    registered = first_year + np.arange(-max_age, n_years)
    age = np.arange(n_years)[:, None] - np.arange(-max_age, n_years)[None, :]
    weights = counts * ((1.0 - mileage_decline) ** np.maximum(age, 0)).reshape(age.shape + rest)
    step = np.searchsorted(np.asarray(step_starts), registered, side="right")
    by_step = np.stack([weights[:, step == s].sum(axis=1) for s in range(len(step_starts) + 1)], axis=1)
    total = by_step.sum(axis=1, keepdims=True)
    return np.divide(by_step, total, out=np.zeros_like(by_step), where=total > 0)


def _survival(params: Params, vehicle_class: str, n_years: int) -> np.ndarray:
    ages = np.arange(MAX_AGE + n_years)
    return weibull_survival(ages, params[f"transport.weibull_shape.{vehicle_class}"][0],
                            params[f"transport.weibull_scale.{vehicle_class}"][0])


def step_factors(params: Params, pollutant: str, vehicle_class: str, fuel: str) -> np.ndarray:
    """Emission factors of the class's steps, ``(S,)`` [g/vkm], or ``(S, D)`` over several draws."""
    return np.array([_draw_values(params, f"{pollutant}.{vehicle_class}.{fuel}.{s}") for s in STEPS[vehicle_class]])


def step_starts(params: Params, vehicle_class: str) -> tuple[int, ...]:
    """First registration years of the class's steps after the first [yr]."""
    return tuple(int(_value(params, f"first_registration.{vehicle_class}.{s}")) for s in STEPS[vehicle_class][1:])


# ---------------------------------------------------------------- NOx and PM10

def exhaust_emissions(vkm: np.ndarray, shares: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Exhaust emissions [t/yr] = vkm x sum_s w_s EF_s / 1e6.

    vkm ``(T, ...)`` [vkm/yr]; shares ``(T, S, ...)`` [1] (:func:`fleet_step_shares`);
    factors ``(S,)`` [g/vkm], or ``(S, D)`` when the last axis of the shares is the draws'.
    """
    factors = np.asarray(factors, dtype=float)
    rest = (1,) * (shares.ndim - 1 - factors.ndim) + factors.shape[1:]
    fleet_factor = (shares * factors.reshape((1, factors.shape[0]) + rest)).sum(axis=1)
    return np.asarray(vkm, dtype=float) * fleet_factor / G_PER_T


def wear_pm10(vkm, tyre, brake, road) -> tuple:
    """PM10 from tyre, brake and road-surface wear [t/yr]: vkm [vkm/yr] x factor [g/vkm] / 1e6 each."""
    return vkm * tyre / G_PER_T, vkm * brake / G_PER_T, vkm * road / G_PER_T


def studded_tyre_pm10(light_vkm, studded_share, season_share, extra_road_wear):
    """Extra road-wear PM10 from studded tyres [t/yr] = light-vehicle vkm [vkm/yr] x share of km on
    studded tyres in the season [1] x the season's share of the year [1] x extra PM10 [g/vkm] / 1e6."""
    return light_vkm * studded_share * season_share * extra_road_wear / G_PER_T


def _year_first(da, *order):
    """numpy array of ``da`` with ``year`` first and the other dimensions in ``order``."""
    return da.transpose("year", *order).values


def road_air_pollutants(ds, params: Params):
    """NOx and PM10 of road traffic in one scenario's results [t/yr].

    ``ds`` holds one scenario (no ``scenario`` dimension) with ``vkm``, ``car_vkm`` and
    ``car_stock``. Returns a Dataset with ``nox_exhaust`` and ``pm10_exhaust`` by
    ``vehicle_class`` and ``pm10_wear`` by ``wear_source`` (tyre, brake, road, studded), each
    over (municipality, ..., year, draw).

    Draws are independent here and taken ``AIR_DRAW_BLOCK`` at a time: the fleet rebuilt by
    emission step holds some 5 MB per draw (years x ages x powertrains x municipalities), which
    for a whole ensemble file took gigabytes.
    """
    import xarray as xr

    n = ds.sizes.get("draw", 1)
    if n > AIR_DRAW_BLOCK:
        def block(a):
            rows = slice(a, a + AIR_DRAW_BLOCK)
            return _road_air_pollutants(ds.isel(draw=rows),
                                        params if params.n_draws == 1 else params.take(np.arange(n)[rows]))
        return xr.concat([block(a) for a in range(0, n, AIR_DRAW_BLOCK)], dim="draw")
    return _road_air_pollutants(ds, params)


def _road_air_pollutants(ds, params: Params):
    """:func:`road_air_pollutants` of the draws in ``ds``, all at once (``params`` over the same draws, or one).
    The emission and wear factors take each draw's value; the fleet's renewal (survival, the decline of
    mileage with age, the plug-in hybrids' electric share) is rebuilt at the scenario's values."""
    import xarray as xr

    years = [int(y) for y in ds["year"].values]
    first, n_years = years[0], len(years)
    if years != list(range(first, first + n_years)):
        raise ValueError("co-benefits need consecutive years (the fleet is rebuilt year by year)")
    decline = float(params["transport.mileage_decline"][0])
    phev_fuel_share = 1.0 - float(params["transport.phev_electric_share"][0])
    order = ("municipality", "draw")
    out = {p: {} for p in POLLUTANTS}
    for cls in dims.VEHICLE_CLASSES:
        survival = _survival(params, cls, n_years)
        starts = step_starts(params, cls)
        if cls == "car":
            stock = _year_first(ds["car_stock"], "powertrain", *order)          # (T, K, M, D)
            vkm = _year_first(ds["car_vkm"], "powertrain", *order)
            shares = fleet_step_shares(stock, survival, MAX_AGE, first, decline, starts)   # (T, S, K, M, D)
            k = {p: dims.POWERTRAINS.index(p) for p in dims.POWERTRAINS}
            for pol in POLLUTANTS:
                petrol, diesel = step_factors(params, pol, cls, "petrol"), step_factors(params, pol, cls, "diesel")
                out[pol][cls] = (exhaust_emissions(vkm[:, k["petrol"]], shares[:, :, k["petrol"]], petrol)
                                 + exhaust_emissions(vkm[:, k["diesel"]], shares[:, :, k["diesel"]], diesel)
                                 + phev_fuel_share * exhaust_emissions(vkm[:, k["phev"]], shares[:, :, k["phev"]],
                                                                       petrol))
        else:
            # no stock of vans, trucks and buses in the results: their fleet is taken as proportional to vkm
            vkm = _year_first(ds["vkm"].sel(vehicle_class=cls), *order)         # (T, M, D)
            shares = fleet_step_shares(vkm, survival, MAX_AGE, first, decline, starts)
            for pol in POLLUTANTS:
                out[pol][cls] = exhaust_emissions(vkm, shares, step_factors(params, pol, cls, "diesel"))
    coords = {"year": ds["year"].values, "municipality": ds["municipality"].values, "draw": ds["draw"].values}

    def by_class(arrays: dict) -> "xr.DataArray":
        data = np.stack([arrays[c] for c in dims.VEHICLE_CLASSES], axis=0)   # (C, T, M, D)
        return xr.DataArray(data, dims=("vehicle_class", "year") + order,
                            coords={"vehicle_class": list(dims.VEHICLE_CLASSES), **coords})

    vkm = ds["vkm"]
    draws = ds["draw"].values

    def value(name):
        return _draw_values(params, name, draws)

    def by_municipality(names):
        return xr.concat([xr.DataArray(value(n)) for n in names],
                         dim="municipality").assign_coords(municipality=ds["municipality"].values)

    wear = {name: 0.0 for name in WEAR}
    for cls in dims.VEHICLE_CLASSES:
        parts = wear_pm10(vkm.sel(vehicle_class=cls, drop=True), *(value(f"pm10_wear.{w}.{cls}") for w in WEAR))
        for name, part in zip(WEAR, parts):
            wear[name] = wear[name] + part
    munis = [str(m) for m in ds["municipality"].values]
    share = by_municipality([f"studded_tyre_share.{m}" for m in munis])
    season = by_municipality(["studded_season_share." + ("north" if m in NORTH else "south") for m in munis])
    light = vkm.sel(vehicle_class=list(LIGHT_CLASSES)).sum("vehicle_class")
    wear["studded"] = studded_tyre_pm10(light, share, season, value("studded_road_wear_pm10"))
    pm10_wear = xr.concat([wear[w].transpose("municipality", "year", "draw") for w in WEAR_SOURCES],
                          dim="wear_source").assign_coords(wear_source=list(WEAR_SOURCES))
    return xr.Dataset({
        "nox_exhaust": by_class(out["nox"]).assign_attrs(units="t yr-1", long_name="road-traffic exhaust NOx"),
        "pm10_exhaust": by_class(out["pm10_exhaust"]).assign_attrs(units="t yr-1",
                                                                   long_name="road-traffic exhaust PM10"),
        "pm10_wear": pm10_wear.assign_attrs(units="t yr-1", long_name="road-traffic non-exhaust PM10"),
    })


# ---------------------------------------------------------------- WHO HEAT

def heat_mortality_reduction(minutes_per_week, relative_risk, reference_minutes, max_reduction):
    """Relative reduction of all-cause mortality from walking or cycling [1] (WHO HEAT 2017):
    r = min((1 - RR) m / m_ref, cap), linear in minutes per week m [min/week] up to the cap."""
    return np.minimum((1.0 - relative_risk) * minutes_per_week / reference_minutes, max_reduction)


def heat_minutes_per_week(km_per_person, speed):
    """Minutes per week [min/week] of km_per_person [km/yr] at speed [km/h]."""
    return km_per_person / speed * MINUTES_PER_HOUR / WEEKS_PER_YEAR


def heat_deaths_avoided(km_per_person, population, speed, relative_risk, reference_minutes, max_reduction,
                        mortality, age_share):
    """Deaths avoided per year by walking or cycling [deaths/yr] (WHO HEAT 2017):
    D = P a mu min((1 - RR) m / m_ref, cap), m the minutes per week of km_per_person [km/yr] at
    speed [km/h]; population P [residents], age_share a [1], mortality mu [1/yr]."""
    minutes = heat_minutes_per_week(km_per_person, speed)
    return population * age_share * mortality * heat_mortality_reduction(minutes, relative_risk,
                                                                       reference_minutes, max_reduction)


def heat_parameters(params: Params, mode: str, draws=None) -> dict:
    """Speed [km/h], relative risk, reference minutes [min/week], cap, mortality [1/yr], age share: numbers,
    or over several draws DataArrays on the ``draws`` coordinate (:func:`_draw_values`)."""
    names = ("speed", "relative_risk", "reference_minutes", "max_reduction", "mortality", "age_share")
    return {n: _draw_values(params, f"heat.{mode}.{n}", draws) for n in names}


def value_of_statistical_life(params: Params, years) -> np.ndarray:
    """VSL in real 2009 NOK for each year [NOK]: VSL (1 + g)^(t - t_p) / CPI(t_p)/CPI(2009), with
    t_p the price year of the value and the model's inflation path (``prices.deflator``); ``(Y,)``, or
    ``(D, Y)`` over several draws."""
    from ..prices import deflator

    price_year = int(_value(params, "vsl_price_year"))
    years = np.asarray(years, dtype=float)
    vsl, growth = (np.asarray(params[P + n], dtype=float)[:, None] for n in ("vsl", "vsl_growth"))
    value = vsl / deflator([price_year], params) * (1.0 + growth) ** (years - price_year)       # (D, Y)
    return value[0] if params.n_draws == 1 else value


def km_per_person(ds, mode: str):
    """Residents' km by ``mode`` per resident [km/yr] (the km spread evenly over all residents)."""
    return ds["pkm"].sel(mode=mode, drop=True) / ds["population"]


def health_effects(ds, params: Params, km=None, population=None):
    """WHO HEAT deaths avoided by walking and cycling [deaths/yr] and their value [real 2009 NOK/yr]
    for one scenario's results, against no walking or cycling at all.

    ``km`` (a Dataset or mapping of mode -> km per resident [km/yr]) and ``population`` replace the
    result's own, e.g. to price a comparison year's activity at this year's population.
    Returns a Dataset with ``heat_deaths_avoided`` and ``heat_value`` by ``mode`` (walk, bicycle).
    """
    import xarray as xr

    population = ds["population"] if population is None else population
    value = value_of_statistical_life(params, ds["year"].values)
    vsl = xr.DataArray(value, dims=("year",) if value.ndim == 1 else ("draw", "year"),
                       coords={"year": ds["year"].values, **({"draw": ds["draw"].values} if value.ndim > 1 else {})})
    deaths = []
    for mode in HEAT_MODES:
        h = heat_parameters(params, mode, ds["draw"].values if "draw" in ds.dims else None)
        per_person = km_per_person(ds, mode) if km is None else km[mode]
        deaths.append(heat_deaths_avoided(per_person, population, h["speed"], h["relative_risk"],
                                          h["reference_minutes"], h["max_reduction"], h["mortality"],
                                          h["age_share"]))
    deaths = xr.concat(deaths, dim="mode").assign_coords(mode=list(HEAT_MODES))
    return xr.Dataset({
        "heat_deaths_avoided": deaths.assign_attrs(units="yr-1", long_name="deaths avoided by walking and cycling"),
        "heat_value": (deaths * vsl).assign_attrs(units="yr-1", long_name="value of the deaths avoided, real 2009 NOK"),
    })


# ---------------------------------------------------------------- toll payments

NOT_IN_FILE = "not in this result file"


def toll_paid(ds):
    """Tolls paid by the residents of each municipality [real 2009 NOK/yr], or None when the
    result file does not record them (variable ``toll_paid``)."""
    return ds["toll_paid"] if "toll_paid" in ds else None
