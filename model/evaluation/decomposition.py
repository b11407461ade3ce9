"""Why emissions changed: additive LMDI-I decomposition into activity, structure, intensity and fuel
effects for road transport and buildings (``framtid decompose``).

Method (Ang 2005, "The LMDI approach to decomposition analysis: a practical guide", Energy Policy 33,
867-871; methods §6.4). For an aggregate written as a sum over segments i of a product of factors,
G = Σ_i Π_x x_i, the change between a start (0) and an end (T) splits exactly into one effect per
factor,

    ΔG_x = Σ_i L(G_i^T, G_i^0) ln(x_i^T / x_i^0),   L(a, b) = (a - b) / (ln a - ln b),  L(a, a) = a,

and Σ_x ΔG_x = G^T - G^0 with no residual. The start and end are two years of one scenario or two
scenarios in one year (``--versus``). Zero values (Ang & Liu 2007, Energy Policy 35, 238-246): where a
segment is zero at one end, its whole change goes to the factors that are zero there, in equal parts
(the limit of replacing zeros by a small number that goes to zero); a factor undefined at one end
(0/0: a segment without activity) takes its value at the other end.

**Road transport** (the sources cars, vans, heavy_vehicles and buses), segments k = combustion cars
(petrol, diesel and plug-in hybrid car vkm), battery-electric cars, vans, heavy vehicles, buses:

    G = Σ_k V · S_k · e_k · F

V total road vehicle-km [vkm/yr] (activity; ``vkm`` over vehicle classes); S_k = V_k / V the segment's
share (structure; ``car_vkm`` by powertrain splits the cars); F = G / E the CO2e per unit of fuel burnt on
the road, E the road energy of petrol, diesel and biofuel (``road_energy``; electricity emits nothing)
[t CO2e/GWh] (fuel: blending, the petrol-diesel mix); e_k = G_k / (V_k F) the fuel burnt per vkm of the
segment [GWh/vkm] (intensity). The results record road energy by carrier, not by vehicle class, so a
segment's fuel is imputed as E · G_k / G: the same CO2e per unit fuel in every segment (an
approximation: petrol and diesel and their blend shares differ a little). Battery cars emit nothing
(G_k = 0), so they enter only through the shares: moving vkm from combustion to battery cars is a
structure effect. The powertrain split is resolved for cars only (the one class recorded by
powertrain): zero-emission vans and trucks, and plug-in hybrids driving on electricity, lower the
intensity of their segment.

**Buildings** (the heating sources), segments b = houses, apartments, non-residential:

    G = Σ_b A · S_b · i_b · F

A the heated floor area [m2] (activity); S_b = A_b / A (structure); i_b = (N_b / A_b)(D / N) the
delivered energy per m2 [GWh/m2] (intensity), N_b the energy need of type b (``energy_need``) and D / N
the delivered energy per unit need of the stock (``delivered_energy``, heating systems' efficiency and
load); F = G / D the CO2e per delivered kWh of all carriers [t CO2e/GWh] (fuel). Delivered energy is
recorded by carrier, not by building type, so each type's delivered energy is imputed as D N_b / N (the
same delivered per unit need and CO2e per kWh in every type). Delivered energy includes appliance
electricity and ``heating_other`` has no carrier of its own; both are in D and G as the results hold
them.

Every identity is checked to reproduce each segment's emissions before it is decomposed. Effects of
the 13 together are the sums of the municipalities' effects; with several draws, effects are means
over draws (means keep the sum exact).
"""

from __future__ import annotations

import numpy as np

from .. import dims
from ..errors import UsageError, did_you_mean

EFFECTS = ("activity", "structure", "intensity", "fuel")
SECTORS = ("road_transport", "buildings")
ROAD_SOURCES = ("cars", "vans", "heavy_vehicles", "buses")
ROAD_SEGMENTS = ("car_combustion", "car_battery_electric", "van", "heavy", "bus")
COMBUSTION_CARRIERS = ("petrol", "diesel", "biofuel")
COMBUSTION_POWERTRAINS = ("petrol", "diesel", "phev")
HEATING_SOURCES = tuple(s for s, sector in dims.SOURCE_SECTOR.items() if sector == "heating")
IDENTITY = {
    "road_transport": "G = sum_k V * S_k * e_k * F (k: combustion cars, battery cars, vans, heavy vehicles, buses)",
    "buildings": "G = sum_b A * S_b * i_b * F (b: houses, apartments, non-residential)",
}
CLOSURE_TOLERANCE = 1e-9   # relative


def log_mean(a, b) -> np.ndarray:
    """Logarithmic mean L(a, b) = (a - b) / (ln a - ln b), with L(a, a) = a and L(a, 0) = L(0, b) = 0
    [unit of a and b] (Ang 2005, the weight of LMDI-I)."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    out = np.zeros(a.shape)
    pos = (a > 0) & (b > 0)
    near = pos & (np.abs(a - b) <= 1e-9 * np.maximum(a, b))
    far = pos & ~near
    out[near] = 0.5 * (a[near] + b[near])   # the limit; exact to O((a - b)^2)
    out[far] = (a[far] - b[far]) / (np.log(a[far]) - np.log(b[far]))
    return out


def lmdi(start: dict[str, np.ndarray], end: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Additive LMDI-I of G = Σ_i Π_x x_i from ``start`` to ``end``: factor name -> effect [unit of G].

    Each factor is an array (..., K) over K segments on the last axis (broadcast); the effects are
    (...) and add up to Σ_i G_i^end - Σ_i G_i^start exactly. Zero values: a segment zero at one end
    gives its whole change to the factors zero at that end, in equal parts; a factor undefined (NaN)
    at one end takes its value at the other (1 if undefined at both). Factors must be >= 0.
    """
    names = list(start)
    arrays = np.broadcast_arrays(*[np.asarray(start[n], dtype=float) for n in names],
                                 *[np.asarray(end[n], dtype=float) for n in names])
    f0 = dict(zip(names, arrays[:len(names)]))
    f1 = dict(zip(names, arrays[len(names):]))
    for n in names:
        a, b = f0[n], f1[n]
        f0[n] = np.where(np.isnan(a), np.where(np.isnan(b), 1.0, b), a)
        f1[n] = np.where(np.isnan(b), f0[n], b)
        if np.any(f0[n] < 0) or np.any(f1[n] < 0):
            raise ValueError(f"LMDI factor {n!r} has negative values; the method needs values >= 0")
    g0 = np.prod([f0[n] for n in names], axis=0)
    g1 = np.prod([f1[n] for n in names], axis=0)
    weight = log_mean(g1, g0)
    both = (g0 > 0) & (g1 > 0)
    appears, vanishes = (g0 == 0) & (g1 > 0), (g1 == 0) & (g0 > 0)
    zeros0 = sum((f0[n] == 0).astype(float) for n in names)
    zeros1 = sum((f1[n] == 0).astype(float) for n in names)
    effects = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for n in names:
            term = np.where(both, weight * np.log(np.where(both, f1[n] / np.where(both, f0[n], 1.0), 1.0)), 0.0)
            term = term + np.where(appears & (f0[n] == 0), g1 / np.maximum(zeros0, 1.0), 0.0)
            term = term - np.where(vanishes & (f1[n] == 0), g0 / np.maximum(zeros1, 1.0), 0.0)
            effects[n] = term.sum(axis=-1)
    return effects


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with NaN where both are 0 (undefined) and where den is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _check_closes(factors: dict[str, np.ndarray], segments: np.ndarray, what: str) -> None:
    product = np.prod(np.broadcast_arrays(*[np.nan_to_num(f, nan=0.0) for f in factors.values()]), axis=0)
    scale = np.maximum(np.abs(segments).max(initial=0.0), 1.0)
    if not np.allclose(product, segments, rtol=CLOSURE_TOLERANCE, atol=CLOSURE_TOLERANCE * scale):
        raise ValueError(f"{what}: the identity does not reproduce the segments' emissions "
                         f"(largest difference {np.abs(product - segments).max():.3g})")


def road_factors(vkm: np.ndarray, car_vkm: np.ndarray, road_energy: np.ndarray, emissions: np.ndarray):
    """Factors of G = Σ_k V S_k e_k F for road transport, and each segment's emissions G_k.

    ``vkm`` (..., 4) over dims.VEHICLE_CLASSES [vkm/yr]; ``car_vkm`` (..., 4) over dims.POWERTRAINS
    [vkm/yr]; ``road_energy`` (..., 4) over transport.ROAD_CARRIERS [GWh/yr]; ``emissions`` (..., 4) of
    ``ROAD_SOURCES`` [t CO2e/yr]. Returns ({activity V [vkm/yr], structure S_k [1], intensity e_k
    [GWh/vkm], fuel F [t CO2e/GWh]}, G_k (..., 5) [t CO2e/yr]) over ``ROAD_SEGMENTS``.
    """
    from ..submodels.transport import ROAD_CARRIERS

    comb = [dims.POWERTRAINS.index(p) for p in COMBUSTION_POWERTRAINS]
    bev = dims.POWERTRAINS.index("bev")
    cls = {c: dims.VEHICLE_CLASSES.index(c) for c in ("van", "heavy", "bus")}
    seg_vkm = np.stack([car_vkm[..., comb].sum(-1), car_vkm[..., bev], vkm[..., cls["van"]], vkm[..., cls["heavy"]],
                        vkm[..., cls["bus"]]], axis=-1)
    seg_g = np.stack([emissions[..., 0], np.zeros(emissions.shape[:-1]), emissions[..., 1], emissions[..., 2],
                      emissions[..., 3]], axis=-1)
    total_v = seg_vkm.sum(-1, keepdims=True)
    fuel_e = road_energy[..., [ROAD_CARRIERS.index(c) for c in COMBUSTION_CARRIERS]].sum(-1, keepdims=True)
    f = _ratio(seg_g.sum(-1, keepdims=True), fuel_e)                      # NaN where nothing is burnt
    burnt = np.broadcast_to(fuel_e > 0, seg_vkm.shape)
    # e_k: defined where the segment drives; 0 where nothing is burnt at all; undefined (NaN) where fuel
    # is burnt without emissions (F = 0: the fuel effect takes the change)
    intensity = np.where(burnt, _ratio(seg_g, seg_vkm * np.nan_to_num(f, nan=0.0)), 0.0)
    intensity = np.where(seg_vkm > 0, intensity, np.nan)
    factors = {"activity": total_v, "structure": _ratio(seg_vkm, total_v), "intensity": intensity, "fuel": f}
    return factors, seg_g


def building_factors(floor_area: np.ndarray, energy_need: np.ndarray, delivered: np.ndarray,
                     emissions: np.ndarray):
    """Factors of G = Σ_b A S_b i_b F for buildings, and each type's (imputed) emissions G_b.

    ``floor_area`` [m2] and ``energy_need`` [GWh/yr] (..., 3) over dims.BUILDING_TYPES; ``delivered``
    (..., 7) over dims.CARRIERS [GWh/yr]; ``emissions`` (...) of the heating sources [t CO2e/yr].
    Returns ({activity A [m2], structure S_b [1], intensity i_b [GWh/m2], fuel F [t CO2e/GWh]}, G_b (..., 3)
    [t CO2e/yr]) with G_b = G N_b / N.
    """
    total_a = floor_area.sum(-1, keepdims=True)
    need = energy_need.sum(-1, keepdims=True)
    d = delivered.sum(-1, keepdims=True)
    g = np.asarray(emissions, dtype=float)[..., None]
    factors = {"activity": total_a, "structure": _ratio(floor_area, total_a),
               "intensity": _ratio(energy_need, floor_area) * _ratio(d, need), "fuel": _ratio(g, d)}
    return factors, g * _ratio(energy_need, need)


def _arrays(ds, sector: str, scenario: str, year: int, municipalities: list[str]):
    """Factors and segment emissions of one sector, scenario and year: arrays (M, D, K)."""
    sel = ds.sel(scenario=scenario, year=year, municipality=municipalities)

    def arr(name, dim=None, labels=None, sum_over=None):
        da = sel[name]
        if labels is not None:
            da = da.sel({dim: list(labels)})
        if sum_over:
            da = da.sum(sum_over)
        order = ("municipality", "draw") + ((dim,) if dim and not sum_over else ())
        return np.asarray(da.transpose(*order).values, dtype=float)

    if sector == "road_transport":
        return road_factors(arr("vkm", "vehicle_class"), arr("car_vkm", "powertrain"),
                            arr("road_energy", "road_carrier"),
                            arr("emissions_source", "source", ROAD_SOURCES))
    return building_factors(arr("floor_area", "building_type"), arr("energy_need", "building_type"),
                            arr("delivered_energy", "carrier"),
                            arr("emissions_source", "source", HEATING_SOURCES, sum_over="source"))


NEEDS = {"road_transport": ["vkm", "car_vkm", "road_energy", "emissions_source"],
         "buildings": ["floor_area", "energy_need", "delivered_energy", "emissions_source"]}
FACTOR_VARIABLES = tuple(sorted({v for needs in NEEDS.values() for v in needs}))   # of both sectors
# what the decomposition reads from a result file (the command loads only these): the factors of
# both sectors, and emissions, whose attributes name the GWP set
VARIABLES = ("emissions", *FACTOR_VARIABLES)


def decompose_sector(ds, sector: str, start: tuple[str, int], end: tuple[str, int],
                     municipalities: list[str]) -> dict[str, np.ndarray]:
    """Effects of one sector between ``start`` and ``end`` (each a (scenario, year)) for each
    municipality, (M, D) arrays [t CO2e/yr]: the four effects, ``start`` and ``end`` emissions, their
    ``change`` and the ``residual`` change - Σ effects (zero up to rounding)."""
    return between(_arrays(ds, sector, *start, municipalities), _arrays(ds, sector, *end, municipalities),
                   f"{sector}, {start[0]} {start[1]}", f"{sector}, {end[0]} {end[1]}")


def between(start: tuple[dict, np.ndarray], end: tuple[dict, np.ndarray], start_name: str,
            end_name: str) -> dict[str, np.ndarray]:
    """The effects of each factor from ``start`` to ``end`` (each (factors, segments G_i); ``start_name`` and
    ``end_name`` name them in an error), after checking that the factors reproduce the segments: the effects,
    the ``start`` and ``end`` sums of the segments, their ``change`` and the ``residual`` change - Σ effects (zero
    up to rounding)."""
    (f0, g0), (f1, g1) = start, end
    _check_closes(f0, g0, start_name)
    _check_closes(f1, g1, end_name)
    effects = lmdi(f0, f1)
    out = dict(effects)
    out["start"], out["end"] = g0.sum(-1), g1.sum(-1)
    out["change"] = out["end"] - out["start"]
    out["residual"] = out["change"] - sum(effects.values())
    return out


def check_options(ds, scenarios: list[str] | None, municipalities: list[str] | None, year_from: int | None,
                  year_to: int, versus: str | None, source: str = "result") -> tuple[list[str], list[str], int]:
    """Scenarios, municipalities and start year the options name; a usage error names the option and
    what the result allows."""
    have_sc = [str(s) for s in ds["scenario"].values]
    have_m = [str(m) for m in ds["municipality"].values]
    years = [int(y) for y in ds["year"].values]
    span = f"{years[0]}-{years[-1]}"
    for option, wanted, have in (("--scenario", scenarios, have_sc), ("--versus", [versus] if versus else None,
                                                                      have_sc),
                                 ("--municipality", municipalities, have_m)):
        unknown = [w for w in wanted or [] if w not in have]
        if unknown:
            raise UsageError(f"{option}: {', '.join(map(repr, unknown))} not in {source}; "
                             f"{did_you_mean(unknown[0], have)}allowed: {', '.join(have)}")
    if year_to not in years:
        raise UsageError(f"--to: must be a year of {source} ({span}), got {year_to}")
    if versus is not None:
        if year_from is not None:
            raise UsageError("--from: not used with --versus (two scenarios are compared in the --to year); "
                             "leave one of them out")
        chosen = scenarios or [s for s in have_sc if s != versus]
        if not chosen or chosen == [versus]:
            # say which option leaves no other scenario: --scenario, or the file itself
            what = (f"--scenario names only {versus}" if scenarios else f"{source} holds only {versus}")
            others = [s for s in have_sc if s != versus]
            raise UsageError(f"--versus: {versus!r} needs another scenario to compare with; {what}"
                             + (f" (others of {source}: {', '.join(others)})" if others else ""))
        return [s for s in chosen if s != versus], municipalities or have_m, year_to
    start = dims.BASE_YEAR if year_from is None else year_from
    if start not in years:
        raise UsageError(f"--from: must be a year of {source} ({span}), got {start}")
    if start >= year_to:
        raise UsageError(f"--from: must be before --to ({year_to}), got {start}")
    return scenarios or have_sc, municipalities or have_m, start


def prepare(ds, variables, command: str, scenarios, municipalities, year_from, year_to, versus, source):
    """What a decomposition works on, after checking the file and the options (:func:`check_options`): (the two
    years compared of ``variables``, loaded; scenarios; municipalities; start year; the draws' statistic)."""
    from ..result_file import require

    require(ds, list(variables), source, command)
    scenarios, municipalities, start_year = check_options(ds, scenarios, municipalities, year_from, year_to,
                                                          versus, source)
    n = int(ds.sizes["draw"])
    stat = "1 draw" if n == 1 else f"mean of {n} draws"
    # only the years compared, each variable read once: a file opened lazily would otherwise be read
    # again for every scenario, sector and year
    ds = ds[list(variables)].sel(year=sorted({year_to, start_year})).load()
    return ds, scenarios, municipalities, start_year, stat


def decompose(ds, scenarios: list[str] | None = None, municipalities: list[str] | None = None,
              year_from: int | None = None, year_to: int = 2030, versus: str | None = None,
              source: str = "result") -> list[dict]:
    """Rows of effects [kt CO2e/yr] per scenario, sector and municipality, and for the municipalities
    together: from ``year_from`` (default 2009) to ``year_to`` in each scenario, or, with ``versus``,
    from that scenario to each other one in ``year_to``. Means over draws."""
    ds, scenarios, municipalities, start_year, stat = prepare(ds, FACTOR_VARIABLES, "framtid decompose", scenarios,
                                                              municipalities, year_from, year_to, versus, source)
    rows = []
    for sc in scenarios:
        start = (versus, year_to) if versus else (sc, start_year)
        for sector in SECTORS:
            res = decompose_sector(ds, sector, start, (sc, year_to), municipalities)
            kt = {k: v.mean(axis=1) / 1000.0 for k, v in res.items()}            # (M,) kt CO2e/yr
            labels = list(municipalities) + (["all selected"] if len(municipalities) > 1 else [])
            for i, m in enumerate(labels):
                pick = (lambda v: float(v.sum())) if m == "all selected" else (lambda v, i=i: float(v[i]))
                rows.append(dict(scenario=sc, versus=versus or "", from_year=start[1], to_year=year_to, sector=sector,
                                 municipality=m, emissions_from=pick(kt["start"]), emissions_to=pick(kt["end"]),
                                 change=pick(kt["change"]), **{e: pick(kt[e]) for e in EFFECTS},
                                 residual=pick(kt["residual"]), unit="kt CO2e/yr", statistic=stat,
                                 identity=IDENTITY[sector]))
    return rows


def coverage(ds, rows: list[dict]) -> list[str]:
    """What the decomposition covers of the change in every sector's emissions, one line per scenario: the
    change it splits (road transport and buildings) against the change of the total [kt CO2e/yr], over the
    municipalities of ``rows`` (means over draws)."""
    out = []
    for sc in dict.fromkeys(r["scenario"] for r in rows):
        body = [r for r in rows if r["scenario"] == sc]
        first = body[0]
        places = [r["municipality"] for r in body if r["municipality"] != "all selected"]
        places = list(dict.fromkeys(places))
        total = ds["emissions"].sel(municipality=places).sum(("municipality", "sector"))
        start = total.sel(scenario=first["versus"] or sc,
                          year=first["to_year"] if first["versus"] else first["from_year"])
        change = float((total.sel(scenario=sc, year=first["to_year"]) - start).mean()) / 1000.0
        area = "all selected" if len(places) > 1 else places[0]
        split = sum(r["change"] for r in body if r["municipality"] == area)
        _, _, when = compared(first)
        out.append(f"{when}: road transport and buildings change by {split:+,.1f} of the {change:+,.1f} kt CO2e/yr "
                   f"of every sector ({'the selection' if len(places) > 1 else places[0]}); waste, energy supply, "
                   "industry and the other sectors are not decomposed")
    return out


TIDY = ("scenario", "versus", "from_year", "to_year", "sector", "municipality", "emissions_from", "emissions_to",
        "change") + EFFECTS + ("residual", "unit", "statistic", "identity")


def tidy(rows: list[dict]) -> tuple[tuple[str, ...], list[tuple]]:
    """One tidy table (header, rows) of every row and column, for CSV and JSON."""
    return TIDY, [tuple(r[c] for c in TIDY) for r in rows]


def compared(row: dict) -> tuple[str, str, str]:
    """What a row of :func:`decompose` compares: the headers of its start and end columns (years, or scenarios
    with ``--versus``) and the phrase for a title."""
    if row["versus"]:
        return row["versus"], row["scenario"], f"{row['scenario']} against {row['versus']} in {row['to_year']}"
    return str(row["from_year"]), str(row["to_year"]), f"{row['scenario']}, {row['from_year']} to {row['to_year']}"


def sections(rows: list[dict], gwp: str = ""):
    """Sections (key, title, header, rows) for :func:`catalogue.render_sections`: a table per scenario
    and sector."""
    out = []
    for key in dict.fromkeys((r["scenario"], r["sector"]) for r in rows):
        body = [r for r in rows if (r["scenario"], r["sector"]) == key]
        first = body[0]
        a, b, when = compared(first)
        title = (f"{first['sector'].replace('_', ' ').capitalize()}, {when}: {first['identity']} "
                 f"[kt CO2e/yr, GWP {gwp}; {first['statistic']}]")
        header = ("municipality", a, b, "change") + EFFECTS + ("residual",)
        table = [(r["municipality"], f"{r['emissions_from']:,.1f}", f"{r['emissions_to']:,.1f}",
                  f"{r['change']:+,.1f}") + tuple(f"{r[e]:+,.1f}" for e in EFFECTS) + (f"{r['residual']:+.1e}",)
                 for r in body]
        out.append((f"{key[0]}-{key[1]}", title, header, table))
    return out



def table_text(ds, rows: list[dict], width: int | None = None) -> str:
    """The text tables of ``rows`` (:func:`sections`, fitted to ``width`` columns), then what they cover
    (:func:`coverage`, lines of at most 100 characters): what ``framtid decompose`` prints."""
    import textwrap

    from ..catalogue import render_sections

    tables = render_sections(sections(rows, ds["emissions"].attrs.get("gwp", "")), "table", width).lstrip("\n")
    wrap = min(width or 100, 100)
    return tables + "\n\n" + "\n".join(textwrap.fill(line, wrap) for line in coverage(ds, rows))
