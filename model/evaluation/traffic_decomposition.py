"""Why residents' car traffic changed: additive LMDI-I decomposition of the zero-growth goal's measure into
population, trip rate, car-driver share and trip length (``framtid decompose --quantity car-traffic``).

The zero-growth goal (nullvekstmålet) asks that passenger-car traffic in the city regions not grow; the
model's measure is the residents' car vehicle-km (``car_vkm_resident``). For each municipality

    V = P · (T / P) · (C / T) · (V / C)

V residents' car vkm [vkm/yr]; P population (activity: more residents make more trips); T / P trips per
inhabitant of all modes [trips/yr] (trip rate); C / T the car-driver share of those trips (mode choice:
costs of driving, tolls, parking, public transport, cycling and walking); V / C vehicle-km per car-driver
trip [km] (trip length: land use, the cost per km, park-and-ride legs). The change between two years of a
scenario, or between two scenarios in one year (``--versus``), splits exactly into one effect per factor
(:func:`.decomposition.lmdi`, Ang 2005), so that "car traffic grows by 22 %" has an answer: how much of it
is more residents, and how much each resident drives more, and why. A region's effects and those of the
municipalities chosen together are sums of their municipalities' effects (additive); with several draws
the effects are means over the draws (means keep the sum exact).
"""

from __future__ import annotations

import numpy as np

from .. import dims
from .decomposition import _ratio, between, compared, prepare

EFFECTS = ("population", "trip_rate", "car_share", "trip_length")
IDENTITY = "V = P * (T/P) * (C/T) * (V/C) (residents' car vkm: population, trip rate, car-driver share, km per trip)"
VARIABLES = ("population", "trips", "car_vkm_resident")
UNIT = "million vkm/yr"


def traffic_factors(population: np.ndarray, trips: np.ndarray, car_vkm: np.ndarray) -> tuple[dict, np.ndarray]:
    """Factors of V = P (T/P) (C/T) (V/C) and the car vkm V, each (..., 1) (one segment).

    ``population`` (...) [persons]; ``trips`` (..., 5) over dims.MODES [trips/yr]; ``car_vkm`` (...)
    residents' car vkm [vkm/yr]. Returns ({population [persons], trip_rate [trips/person/yr], car_share [1],
    trip_length [vkm/trip]}, V (..., 1) [vkm/yr]); a factor undefined where its denominator is 0 is NaN.
    """
    p = np.asarray(population, dtype=float)[..., None]
    t = np.asarray(trips, dtype=float).sum(-1, keepdims=True)
    c = np.asarray(trips, dtype=float)[..., [dims.MODES.index("car_driver")]]
    v = np.asarray(car_vkm, dtype=float)[..., None]
    factors = {"population": p, "trip_rate": _ratio(t, p), "car_share": _ratio(c, t), "trip_length": _ratio(v, c)}
    return factors, v


def _arrays(ds, scenario: str, year: int, municipalities: list[str]) -> tuple[dict, np.ndarray]:
    """The factors of one scenario and year for ``municipalities``: arrays (M, D, 1)."""
    sel = ds.sel(scenario=scenario, year=year, municipality=municipalities)

    def arr(name, *last):
        return np.asarray(sel[name].transpose("municipality", "draw", *last).values, dtype=float)

    return traffic_factors(arr("population"), arr("trips", "mode"), arr("car_vkm_resident"))


def decompose_traffic(ds, start: tuple[str, int], end: tuple[str, int], municipalities: list[str]) -> dict:
    """Effects on residents' car vkm between ``start`` and ``end`` (each a (scenario, year)) for each
    municipality, (M, D) arrays [vkm/yr]: the four effects, the ``start`` and ``end`` car vkm, their ``change``
    and the ``residual`` change - Σ effects (zero up to rounding)."""
    return between(_arrays(ds, *start, municipalities), _arrays(ds, *end, municipalities),
                   f"car traffic, {start[0]} {start[1]}", f"car traffic, {end[0]} {end[1]}")


def areas(municipalities: list[str]) -> list[tuple[str, list[int]]]:
    """(label, indices into ``municipalities``) of each row: every municipality, every city region of more than
    one municipality whose members are all chosen (the zero-growth goal is set for regions), and the chosen
    together when they are more than one and not exactly such a region (whose row they have)."""
    out = [(m, [i]) for i, m in enumerate(municipalities)]
    for region, members in dims.REGIONS.items():
        if len(members) > 1 and set(members) <= set(municipalities):
            out.append((f"region {region}", [municipalities.index(m) for m in members]))
    if len(municipalities) > 1 and not (len(out) == len(municipalities) + 1
                                        and len(out[-1][1]) == len(municipalities)):
        out.append(("all selected", list(range(len(municipalities)))))
    return out


def decompose(ds, scenarios: list[str] | None = None, municipalities: list[str] | None = None,
              year_from: int | None = None, year_to: int = 2030, versus: str | None = None,
              source: str = "result") -> list[dict]:
    """Rows of effects on residents' car vkm [million vkm/yr] per scenario and area (:func:`areas`): from
    ``year_from`` (default 2009) to ``year_to`` in each scenario, or, with ``versus``, from that scenario to
    each other one in ``year_to``. Means over draws; ``index`` is the end's car vkm over the start's."""
    ds, scenarios, municipalities, start_year, stat = prepare(
        ds, VARIABLES, "framtid decompose --quantity car-traffic", scenarios, municipalities, year_from, year_to,
        versus, source)
    rows = []
    for sc in scenarios:
        start = (versus, year_to) if versus else (sc, start_year)
        res = decompose_traffic(ds, start, (sc, year_to), municipalities)
        for label, members in areas(municipalities):
            # sums over the area's municipalities draw by draw, then the mean over draws [million vkm/yr]
            total = {k: v[members].sum(axis=0) / 1e6 for k, v in res.items()}
            mean = {k: float(v.mean()) for k, v in total.items()}
            rows.append(dict(scenario=sc, versus=versus or "", from_year=start[1], to_year=year_to, area=label,
                             car_vkm_from=mean["start"], car_vkm_to=mean["end"], change=mean["change"],
                             index=float((total["end"] / total["start"]).mean()),
                             **{e: mean[e] for e in EFFECTS}, residual=mean["residual"], unit=UNIT,
                             statistic=stat, identity=IDENTITY))
    return rows


TIDY = ("scenario", "versus", "from_year", "to_year", "area", "car_vkm_from", "car_vkm_to", "change", "index") \
    + EFFECTS + ("residual", "unit", "statistic", "identity")


def tidy(rows: list[dict]) -> tuple[tuple[str, ...], list[tuple]]:
    """One tidy table (header, rows) of every row and column, for CSV and JSON."""
    return TIDY, [tuple(r[c] for c in TIDY) for r in rows]


def sections(rows: list[dict]):
    """Sections (key, title, header, rows) for :func:`catalogue.render_sections`: a table per scenario."""
    out = []
    for scenario in dict.fromkeys(r["scenario"] for r in rows):
        body = [r for r in rows if r["scenario"] == scenario]
        first = body[0]
        a, b, when = compared(first)
        title = (f"Residents' car traffic, {when}: {first['identity']}; index: {b} over {a} (the zero-growth goal: "
                 f"at most 1) [{UNIT}; {first['statistic']}]")
        header = ("area", a, b, "change", "index") + EFFECTS + ("residual",)
        table = [(r["area"], f"{r['car_vkm_from']:,.1f}", f"{r['car_vkm_to']:,.1f}", f"{r['change']:+,.1f}",
                  f"{r['index']:.3f}") + tuple(f"{round(r[e], 1) + 0.0:+,.1f}" for e in EFFECTS)   # no "-0.0"
                 + (f"{r['residual']:+.1e}",) for r in body]
        out.append((f"{scenario}-car-traffic", title, header, table))
    return out
