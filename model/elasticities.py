"""Elasticities implied by the model itself, beside the published ranges they must fall in.

Each elasticity is measured the way a study would: the reference scenario (the 2009 policies
held) is run, and again with one instrument raised by 10 % from ``start_year`` through an
ordinary measure (a fuel tax, a congestion charge on every cordon in force, a parking fee, a
fare, a service change); the arc elasticity ``ln(Q1 / Q0) / ln(1.1)`` of the response is read
in the first year and after ten years. The direct rebound of a cheaper cost per km
(``running_cost``, methods §1.7) is read the same way on a large change, the pump price halved,
as electric cars halve and more the cost per km of the fleet: ``ln(Q1 / Q0) / ln(0.5)``. The direct
rebound of space heating (``rebound``, methods §3) is a share, not an elasticity: every renovation from
``start_year`` is made deep (the ``deep_renovation`` measure, its cut of space heat the row's ``-change``), and
the share of the engineering saving of the space-heating need that the heat service takes back is read against
the same two runs without the heat service's price response (:func:`_rebound`). Nothing
here sets a behavioural parameter: the numbers come out of the mode, period and destination
choices, partial adjustment, congestion and the fleet as they are. Targets, the change of each
instrument and their sources: ``model/data/elasticity_targets.csv``.
"""

from __future__ import annotations

import dataclasses
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import dims
from .data_store import data_path, read_rows
from .errors import DataError, UsageError, did_you_mean
from .measures.charges import charge_fields

# [NOK per paying car trip, real 2009] The fee a car trip parking in public paid spaces in an A zone paid in
# 2009, which the 2009 travel choices hold and the parking_fee lever adds to (assumption: about an hour in
# Oslo's yellow zone in 2015, 20 NOK/h in parking.csv, in the range of the central fees of 2009; no fees of
# 2009 in the reference data). The parking elasticity is read against this fee plus the lever.
PARKING_FEE_2009 = 20.0
HORIZONS = ("first_year", "ten_years")
# The parameter whose zero gives the engineering savings of the rebound's runs (the heat service's price response).
HEAT_SERVICE_ELASTICITY = "buildings.heat_service_elasticity"


@dataclass(frozen=True)
class Target:
    quantity: str
    response: str
    instrument: str
    horizon: str
    change: float      # [1] relative change of the instrument: 0.10 raises it by 10 %, -0.50 halves it
    low: float
    high: float
    central: float
    source: str


COLUMNS = ("quantity", "response", "instrument", "horizon", "change", "low", "high", "central", "source")


def targets(path=None) -> tuple[Target, ...]:
    """The published ranges (``model/data/elasticity_targets.csv``, or the file ``path``)."""
    out = []
    changes: dict[str, float] = {}
    for lineno, row in read_rows(Path(path) if path else data_path("elasticity_targets.csv"), COLUMNS):
        try:
            change, low, high, central = (float(row[c]) for c in ("change", "low", "high", "central"))
        except (TypeError, ValueError):
            raise DataError(f"elasticity_targets.csv: line {lineno}: change, low, high and central must be "
                            "numbers") from None
        if not low <= central <= high or row["horizon"] not in HORIZONS:
            raise DataError(f"elasticity_targets.csv: line {lineno}: need low <= central <= high and a horizon "
                            f"in {', '.join(HORIZONS)}")
        # Both horizons of a quantity are read from the same two runs: one change of the instrument.
        if not -1.0 < change != 0.0 or changes.setdefault(row["quantity"], change) != change:
            raise DataError(f"elasticity_targets.csv: line {lineno}: column 'change' must lie above -1, not be "
                            f"0, and be the same for every horizon of {row['quantity']!r}")
        out.append(Target(row["quantity"], row["response"], row["instrument"], row["horizon"], change, low,
                          high, central, row["source"]))
    return tuple(out)


def _measure(kind: str, munis: tuple[str, ...], start: int, values: dict, label: str):
    from .measures import KINDS
    from .measures.base import programmatic

    return programmatic(KINDS[kind], munis, start, values, label, "framtid elasticities", dims.BASE_YEAR)


def _with(scenario, *measures):
    return dataclasses.replace(scenario, name=f"{scenario.name}+{measures[0].label}",
                               measures=scenario.measures + tuple(measures))


def _perturbations(base, start: int, steps: dict[str, float]) -> dict[str, tuple]:
    """For each quantity: (scenario at the base level, scenario with the instrument changed by the factor
    ``steps[quantity]``; 1.1 for +10 %)."""
    from .cordons import cordon_ids, cordons
    from .levers import year_slice
    from .measures import lever_paths
    from .parameters import Params

    k = start - dims.BASE_YEAR
    lv = year_slice(lever_paths(list(base.measures), np.array(dims.YEARS), 1), k)
    pump = pump_price_path(base)[k]                                                          # (2,)
    vat = Params.defaults(1, base.parameters)["transport.vat_rate"][0]
    everyone = dims.MUNICIPALITIES

    def pump_price(factor: float, label: str):
        """The base with the pump price times ``factor`` from ``start``: the road-usage tax moved by as much (below
        zero for a large cut: a price instrument of the measurement, not a tax the scenario files allow)."""
        road_tax = lv["road_usage_tax"][0, 0] + (factor - 1.0) * pump / (1.0 + vat)
        return _with(base, _measure("fuel_tax", everyone, start, {"road_usage_nok_per_l": road_tax}, label))

    out = {"fuel_price": (base, pump_price(steps["fuel_price"], "fuel +10%"))}
    out["fuel_use"] = out["fuel_price"]   # the same two runs, read on the cars' fuel instead of their traffic
    out["freight_fuel"] = out["fuel_price"]   # ... and on the vans' and heavy vehicles' traffic
    out["running_cost"] = (base, pump_price(steps["running_cost"], "fuel -50%"))
    charges, step = [], steps["toll"]
    for c, cordon in enumerate(cordons()):
        owner = dims.MUNICIPALITIES.index(cordon.municipality)
        rates = lv["toll_nok"][0, owner, c]                                    # (class, fuel, period)
        if rates[0, 0].max() <= 0:
            continue
        # The rates in force, every price (not the battery cars' discounts) times the step.
        raised = {name: value * step if name.endswith("_nok") else value
                  for name, value in charge_fields(rates).items()}
        charges.append(_measure("congestion_charge", (cordon.municipality,), start,
                                {"cordon": cordon_ids()[c], **raised}, "toll +10%"))
    if charges:
        out["toll"] = (base, _with(base, *charges))
    # The lever is the fee's rise since 2009: both runs hold it at its value in the start year, the second raising
    # the whole fee (the 2009 fee and the rise) by the step.
    fee = lv["parking_fee_nok"][0, :, 0]
    raise_by = (steps["parking"] - 1.0) * (PARKING_FEE_2009 + fee)
    parked = [_measure("parking_fee", (m,), start, {"fee_nok": [fee[i], np.nan, np.nan]}, "parking")
              for i, m in enumerate(everyone)]
    raised = [_measure("parking_fee", (m,), start, {"fee_nok": [fee[i] + raise_by[i], np.nan, np.nan]},
                       "parking +10%")
              for i, m in enumerate(everyone)]
    out["parking"] = (_with(base, *parked), _with(base, *raised))
    fare = lv["pt_fare_change"][0, 0]
    service = lv["pt_service_change"][0, 0]
    # More lane-km on every road: the lever adds to the scenario's own change k, so +10 % of the lanes is 0.1 (1 + k).
    capacity = lv["road_capacity_change"][0]
    out["road_capacity"] = (base, _with(base, *(
        _measure("road_capacity", (m,), start, {"change": (steps["road_capacity"] - 1.0) * (1.0 + capacity[i])},
                 "lane-km +10%") for i, m in enumerate(everyone))))
    out["travel_time"] = out["road_capacity"]   # the same runs, read against the car travel time they change
    out["pt_fare"] = (base, _with(base, _measure("pt_fare", everyone, start,
                                                   {"change": steps["pt_fare"] * (1.0 + fare) - 1.0}, "fare +10%")))
    # Every renovation deep from the start year, cutting the space heat of a renovated m2 by -change (0.6).
    out["rebound"] = (base, _with(base, _measure("deep_renovation", everyone, start,
                                                 {"share": 1.0, "reduction": 1.0 - steps["rebound"]},
                                                 "all renovations deep")))
    # A share of every municipality's population growth placed by the compact allocation from the start year: the
    # residents' mean distance to the centre falls (measured, as the car time of the lane-km runs).
    out["residence_distance"] = (base, _with(base, _measure(
        "densification", everyone, start, {"share": steps["residence_distance"] - 1.0}, "compact growth 10%")))
    out["pt_service"] = (base, _with(base, _measure("pt_service", everyone, start,
                                                      {"change": steps["pt_service"] * (1.0 + service) - 1.0},
                                                      "service +10%")))
    return out


def pump_price_path(scenario) -> np.ndarray:
    """The pump prices of petrol and diesel in ``scenario`` [real 2009 NOK/l], ``(years, 2)``, at the default
    parameters."""
    from . import prices
    from .levers import year_slice
    from .measures import lever_paths
    from .parameters import Params

    paths = lever_paths(list(scenario.measures), np.array(dims.YEARS), 1)
    params = Params.defaults(1, scenario.parameters)
    kg = params.vector("transport.co2_per_litre", ("petrol", "diesel"))
    price = prices.price_paths(params)
    return np.stack([prices.pump_prices(price, k, lv["road_usage_tax"], lv["co2_tax_road_nok_per_t"], kg)[0, 0]
                     for k, lv in ((k, year_slice(paths, k)) for k in range(len(dims.YEARS)))])


# The quantities read against the pump price, and the fuels whose price they answer (0 petrol, 1 diesel).
PUMP_PRICE_FUELS = {"fuel_price": (0, 1), "fuel_use": (0, 1), "running_cost": (0, 1), "freight_fuel": (1,)}


def _pump_price_steps(perturbations: dict) -> dict[str, np.ndarray]:
    """For each quantity read against the pump price, its change between the two runs in every year, as a
    factor (the geometric mean over the fuels it answers) ``(years,)``: the tax that makes the change is a fixed
    amount per litre, so its relative size shrinks as the price rises after the start year, and the ten-year
    reading is set against the change of that year. (The quantities share their runs: each run's prices once.)"""
    paths: dict[int, np.ndarray] = {}
    for quantity in PUMP_PRICE_FUELS:
        for run in perturbations.get(quantity, ()):
            if id(run) not in paths:
                paths[id(run)] = pump_price_path(run)                                     # (years, 2)
    out = {}
    for quantity, fuels in PUMP_PRICE_FUELS.items():
        if quantity in perturbations:
            low, high = perturbations[quantity]
            ratio = paths[id(high)] / paths[id(low)]
            out[quantity] = np.exp(np.log(ratio[:, list(fuels)]).mean(axis=1))
    return out


def _response(quantity: str, record: dict, k: int, municipalities: list[int]) -> float:
    """The response a quantity's elasticity is read on, summed over ``municipalities`` (draw 0)."""
    car = dims.VEHICLE_CLASSES.index("car")
    pt = dims.MODES.index("public_transport")
    if quantity in ("fuel_price", "running_cost", "road_capacity"):
        values = record["vkm"][k, 0, :, car]
    elif quantity == "fuel_use":   # fossil fuel burnt by cars: their tailpipe CO2 (the biofuel blend held)
        values = record["emissions_gas"][k, 0, :, dims.SOURCES.index("cars"), dims.GASES.index("co2")]
    elif quantity == "freight_fuel":
        values = record["vkm"][k, 0, :, [dims.VEHICLE_CLASSES.index(c) for c in ("van", "heavy")]].sum(axis=0)
    elif quantity in ("travel_time", "residence_distance"):   # residents' car vkm (set against their car time per
        values = record["car_vkm_resident"][k, 0]                 # trip, or their mean distance to the centre)
    elif quantity == "toll":
        values = record["cordon_car_trips"][k, 0].sum(axis=-1)
    elif quantity == "parking":
        values = record["parked_car_trips"][k, 0, :, dims.ZONES.index("A")]
    else:
        values = record["trips"][k, 0, :, pt]
    return float(values[municipalities].sum())


def _engineering(scenario):
    """``scenario`` without the heat service's price response: its savings of space heat are the engineering ones."""
    return dataclasses.replace(scenario, name=f"{scenario.name} (engineering)",
                               parameters={**scenario.parameters, HEAT_SERVICE_ELASTICITY: 0.0})


def _space_heating(record: dict, k: int, municipalities: list[int], other_need: np.ndarray) -> float:
    """Space-heating need [GWh/yr] over ``municipalities`` (draw 0): the energy need less hot water and
    electric-specific use, the floor area times ``other_need`` (D, T) [kWh/m2/yr], which the rebound leaves."""
    need = record["energy_need"][k, 0, municipalities]                             # (m, T) [GWh/yr]
    area = record["floor_area"][k, 0, municipalities]                              # (m, T) [m2]
    return float((need - area * other_need[0] / 1e6).sum())


def _rebound(runs: tuple[dict, dict, dict, dict], k: int, municipalities: list[int], other_need: np.ndarray) -> float:
    """Share of an efficiency measure's engineering saving of space heat taken back [1]: ``1 - (1 - S1 / S0) /
    (1 - E1 / E0)``, the relative saving of the space-heating need S of the runs without (0) and with (1) the
    measure, over the same without the heat service's price response (E, the engineering saving). Relative
    savings, so that the level of the heat service in the reference year (prices and heating systems since 2009)
    does not count as rebound: for one building type in one municipality, an envelope that cuts the engineering
    need by x gives ``1 - (1 - (1 - x) ** (1 - eta)) / x`` (0.18 for x = 0.2 and eta = 0.2). NaN where the
    measure saves nothing."""
    s0, s1, e0, e1 = (_space_heating(r, k, municipalities, other_need) for r in runs)
    engineering = 1.0 - e1 / e0
    return 1.0 - (1.0 - s1 / s0) / engineering if engineering > 0 else float("nan")


def _time_per_trip(record: dict, k: int, municipalities: list[int]) -> float:
    """Residents' car time per car-driver trip [h/trip] over ``municipalities`` (draw 0), each trip at its 2009
    length (``car_hours``): the instrument of the travel-time elasticity, which the lane-km change moves (so its
    change is measured, not set). The time of a trip of fixed length is what faster roads change (the inverse of
    the speed); the time per vkm would also fall as the trips lengthen in answer, counting the response as part
    of the instrument."""
    hours = record["car_hours"][k, 0, municipalities].sum()
    trips = record["trips"][k, 0, municipalities, dims.MODES.index("car_driver")].sum()
    return float(hours / trips)


def _mean_distance(record: dict, k: int, municipalities: list[int], distance: np.ndarray) -> float:
    """Residents' mean distance to the main centre [km] over ``municipalities`` (draw 0): the zone populations
    weighted by ``distance`` (Z,) [km] (``land_use.distance_to_centre.*``): the instrument of the residence
    elasticity, which compact growth moves (so its change is measured, not set)."""
    people = record["zone_population"][k, 0, municipalities]                                  # (m, Z)
    return float((people * distance).sum() / people.sum())


def implied(municipality: str | None = None, start_year: int = 2012, scenario=None) -> list[dict]:
    """Implied elasticities beside their targets, one row per quantity and horizon.

    ``municipality`` restricts the responses to one municipality (toll: the passages through
    its own cordons); ``scenario`` is the base (default: the shipped reference).
    """
    return implied_each([municipality], start_year, scenario)[municipality]


def implied_each(municipalities: list[str | None] | None = None, start_year: int = 2012, scenario=None) -> dict:
    """The rows of :func:`implied` for each of ``municipalities`` (None in the list: the 13 together; the list
    left out: the 13 together and each of them), ``{id: rows}``, from one set of runs (the responses of each
    municipality are read from the same runs)."""
    from .api import run_scenario
    from .scenario import load

    if municipalities is None:
        municipalities = [None, *dims.MUNICIPALITIES]
    for municipality in municipalities:
        if municipality is not None and municipality not in dims.MUNICIPALITIES:
            raise UsageError(f"--municipality: unknown id {municipality!r}; "
                             f"{did_you_mean(municipality, dims.MUNICIPALITIES)}allowed: "
                             f"{', '.join(dims.MUNICIPALITIES)}")
    if not dims.BASE_YEAR < start_year <= dims.FINAL_YEAR - 9:
        raise UsageError(f"--year: must lie in {dims.BASE_YEAR + 1}-{dims.FINAL_YEAR - 9} (got {start_year})")
    base = scenario or load("framtid:reference")
    runs: dict[str, dict] = {}

    def record(s):
        key = repr(([(m.kind, m.label, m.municipalities, sorted((k, repr(v)) for k, v in m.values.items()))
                     for m in s.measures], sorted(s.parameters.items())))
        if key not in runs:
            runs[key] = run_scenario(s).record
        return runs[key]

    from .cordons import using

    published = targets()   # read once: every quantity's rows and steps come from it
    steps = {t.quantity: 1.0 + t.change for t in published}
    with using(base.cordons):   # a base scenario's own cordons are charged (and raised) too
        perturbations = _perturbations(base, start_year, steps)
        # The pump-price change each reading year sees (measured: a tax of so many NOK/l shrinks relative to a
        # rising price).
        pump_steps = _pump_price_steps(perturbations)
    from .parameters import Params

    p = Params.defaults(1, base.parameters)   # the base's values the readings need (zone distances, heat needs)
    distance = p.vector("land_use.distance_to_centre", dims.ZONES)[0]
    out = {municipality: [] for municipality in municipalities}
    for quantity, (low_run, high_run) in perturbations.items():
        r0, r1 = record(low_run), record(high_run)
        if quantity == "rebound":
            engineering = record(_engineering(low_run)), record(_engineering(high_run))
            other_need = sum(p.vector(f"buildings.{use}", dims.BUILDING_TYPES) for use in ("hot_water",
                                                                                           "electric_specific"))
        for t in published:
            if t.quantity != quantity:
                continue
            k = start_year - dims.BASE_YEAR + (0 if t.horizon == "first_year" else 9)
            for municipality in municipalities:
                munis = list(range(len(dims.MUNICIPALITIES))) if municipality is None else \
                    [dims.MUNICIPALITIES.index(municipality)]
                if quantity == "rebound":
                    value = _rebound((r0, r1) + engineering, k, munis, other_need)
                else:
                    q0, q1 = _response(quantity, r0, k, munis), _response(quantity, r1, k, munis)
                    if quantity == "travel_time":
                        step = _time_per_trip(r1, k, munis) / _time_per_trip(r0, k, munis)
                    elif quantity == "residence_distance":
                        step = _mean_distance(r1, k, munis, distance) / _mean_distance(r0, k, munis, distance)
                    else:
                        step = float(pump_steps[quantity][k]) if quantity in pump_steps else steps[quantity]
                    value = float(np.log(q1 / q0) / np.log(step)) if q0 > 0 and q1 > 0 else float("nan")
                out[municipality].append({
                    "quantity": quantity, "response": t.response, "instrument": t.instrument, "horizon": t.horizon,
                    "change": t.change, "year": dims.YEARS[k], "implied": value, "low": t.low, "high": t.high,
                    "central": t.central, "in_range": bool(t.low <= value <= t.high) if value == value else None,
                    "source": t.source})
    return out


def without_nan(row: dict) -> dict:
    """A row with its NaN values (an elasticity that cannot be measured) as None: null in JSON, empty in CSV
    (:func:`.catalogue.plain_cell`)."""
    from .catalogue import plain_cell

    return {k: plain_cell(v) for k, v in row.items()}


def each_table(by_municipality: dict, fmt: str, width: int | None = None) -> str:
    """:func:`implied_each`'s rows as text: for a table, one line per municipality (``all 13`` for the 13 together)
    and quantity with both horizons, under the target ranges, and what lies outside them; for CSV and JSON one
    row per municipality, quantity and horizon with the fields of :func:`implied` (``municipality`` ``all`` for
    the 13 together; null in JSON, empty in CSV where an elasticity cannot be measured)."""
    from .catalogue import render

    def name(municipality):
        return "all" if municipality is None else municipality

    if fmt != "table":
        fields = ("quantity", "horizon", "change", "year", "implied", "low", "high", "central", "in_range")
        rows = [(name(m),) + tuple(without_nan(r)[f] for f in fields)
                for m, rs in by_municipality.items() for r in rs]
        return render(("municipality",) + fields, rows, fmt)
    first = next(iter(by_municipality.values()))
    ranges = {(r["quantity"], r["horizon"]): f"{r['low']:+.2f} to {r['high']:+.2f}" for r in first}
    quantities = list(dict.fromkeys(r["quantity"] for r in first))
    table, outside = [], 0
    for municipality, rs in by_municipality.items():
        by = {(r["quantity"], r["horizon"]): r for r in rs}
        for q in quantities:
            # A quantity may have a target for one horizon only (road capacity: the long run).
            cells = [by.get((q, h)) for h in HORIZONS]
            off = [h.replace("_", " ") for h, r in zip(HORIZONS, cells) if r is not None and r["in_range"] is False]
            outside += len(off)
            unmeasured = all(r is None or r["in_range"] is None for r in cells)
            verdict = "-" if unmeasured else "yes" if not off else "NO: " + ", ".join(off)
            table.append(("all 13" if municipality is None else municipality, q)
                         + tuple("-" if r is None or r["implied"] != r["implied"] else f"{r['implied']:+.3f}"
                                 for r in cells)
                         + (verdict,))
    ranges_line = "Target ranges, first year / ten years: " + "; ".join(
        f"{q} " + " / ".join(ranges.get((q, h), "-") for h in HORIZONS) for q in quantities) + "."
    header = ("municipality", "quantity", "first_year", "ten_years", "in_range")
    summary = (f"{outside} of the measured elasticities lie outside their ranges ('-': nothing to measure, e.g. no "
               "toll ring in the municipality in the start year).")
    return "\n".join([textwrap.fill(ranges_line, width or 100), "", render(header, table, "table", width),
                      textwrap.fill(summary, width or 100)])
