"""Build the yearly paths of the sectors no submodel drives (model/data/sector_paths.csv).

Run by hand when the reference data change (after tools/build_data.py, whose readers it uses):

    python tools/build_sector_paths.py /path/to/shared/data

Each path is an index, 2009 = 1, that scales a municipality's calibrated 2009 level of
industry, shipping, other mobile combustion, agriculture, aviation or F-gas products
(submodels/other_sectors.py). Every row says what it is (``status``: observed, derived,
estimated or assumption), how it was made (``method``) and from what (``source``), and in
which part of the path it lies (``segment``):

observed   2009 to the last year of the national inventory by sector (2023). Municipal outcomes
           after 2013 are kept out of the reference data on purpose, so the national series
           (SSB table 13931, AR5, 2024 vintage; years 1990, 2005, 2009, 2015, 2019, 2020, 2022,
           2023) give the changes; years between are interpolated linearly. Which series:
             industry                          <- "industry and mining" (oil and gas extraction,
                                                  nearly all offshore, is left out: none of the 13
                                                  municipalities hosts an oil or gas facility)
             shipping, other_mobile, aviation  <- "aviation, shipping, fishing, motor equipment"
                                                  (published as one group: each member gets the
                                                  group's index)
             agriculture, fgas_products        <- no national series in the data: the residual of
                                                  the total minus the six published sectors (it holds
                                                  agriculture, waste, F-gases, solvents and other
                                                  process emissions)
           Where registered plants make up a municipality's 2009 industry level in whole or part
           (at least 1 kt), the plants' share follows their own reports 2010-2013 (an observed input
           of the plants, not a municipal outcome), then the national series from 2013 (see
           :func:`plant_rows`).
projected  the last observed year to 2035: the national total as projected (2024 about 44.9 Mt,
           Klimastatus og -plan 2026; 2030 = 2021 - 10.5 Mt and 2035 = 2030 - 5 Mt, Nasjonalbudsjettet
           2023), linear between. The data hold no sector split of the projections, so each source
           keeps its share of the total from its last observed year (every source changes by the
           total's relative change). A parameter per source multiplies this change
           (``other_sectors.projection_multiplier.<source>``).
extended   after 2035 (no projection): held at the 2035 level, an assumption; parameter
           ``other_sectors.annual_change_after_projection.<source>`` sets a yearly change instead.

The file holds the paths at the default parameters (multiplier 1, no change after 2035); the
submodel applies the parameters.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_data import NAMES, OUT, build_observations, build_plants, read, write  # noqa: E402

BASE, LAST = 2009, 2050
SOURCES = ("industry", "shipping", "other_mobile", "agriculture", "aviation", "fgas_products")
COLUMNS = ("emission_source", "municipality", "year", "index", "status", "segment", "method", "source")

VINTAGE = "SSB 13931, AR5 GWP, 2024 vintage"
PUBLISHED = ("ghg_oil_gas_extraction", "ghg_industry_mining", "ghg_energy_supply",
             "ghg_heating_other_industries_households", "ghg_road_traffic", "ghg_aviation_shipping_fishing_machinery")
GROUP = "ghg_aviation_shipping_fishing_machinery"
RESIDUAL = "residual"
SERIES = {"industry": "ghg_industry_mining", "shipping": GROUP, "other_mobile": GROUP, "aviation": GROUP,
          "agriculture": RESIDUAL, "fgas_products": RESIDUAL}
SERIES_NAME = {
    "ghg_industry_mining": "national industry and mining",
    GROUP: "national group aviation, shipping, fishing and motor equipment",
    RESIDUAL: "national total minus the six published sectors (agriculture, waste, F-gases, solvents, other)",
}

# Plant rule (see plant_rows): plants must add up to at least this much in 2009 [t CO2e].
PLANT_MIN_T = 1000.0
PLANT_YEARS = range(2010, 2014)      # the register's years after 2009


def interpolate(points: dict[int, float], year: int) -> float:
    """Linear interpolation between the nearest given years (no extrapolation)."""
    if year in points:
        return points[year]
    lo = max(y for y in points if y < year)
    hi = min(y for y in points if y > year)
    return points[lo] + (points[hi] - points[lo]) * (year - lo) / (hi - lo)


def national_series(rows: list[dict[str, str]]) -> tuple[dict[str, dict[int, float]], str]:
    """The national inventory by sector [t CO2e] of one vintage, plus the residual, by year; and its source."""
    out: dict[str, dict[int, float]] = {}
    url = ""
    for r in rows:
        if r["municipality"] == "Norway" and VINTAGE in r["unit"]:
            out.setdefault(r["indicator"], {})[int(r["year"])] = float(r["value"])
            url = r["source_url"]
    years = sorted(set.intersection(*(set(out[k]) for k in PUBLISHED + ("ghg_total",))))
    out[RESIDUAL] = {y: out["ghg_total"][y] - sum(out[k][y] for k in PUBLISHED) for y in years}
    return out, url


def national_row(rows: list[dict[str, str]], indicator: str, year: int, unit_part: str) -> float:
    hits = [float(r["value"]) for r in rows if r["municipality"] == "Norway" and r["indicator"] == indicator
            and r["year"] == str(year) and unit_part in r["unit"]]
    if len(hits) != 1:
        raise ValueError(f"expected one national {indicator} {year} ({unit_part}), found {len(hits)}")
    return hits[0]


def projection(shared: Path, rows: list[dict[str, str]], series: dict) -> tuple[dict[int, float], str, str]:
    """The national total's index (2009 = 1) at the projection anchors after the last observed year.

    Returns ({year: index}, method text, sources). Each anchor is taken relative to a level of the
    same vintage as the figure it uses, then chained to 2009.
    """
    total = series["ghg_total"]
    proj = read(shared / "policies" / "national_projections.csv")
    by_sector = read(shared / "policies" / "national_projections_by_sector.csv")

    def proj_value(year: int, sector: str) -> tuple[float, str]:
        hit = [r for r in proj if r["year"] == str(year) and r["sector"] == sector]
        return float(hit[0]["value"]), hit[0]["source_url"]

    def change(sector: str) -> tuple[float, str]:
        hit = [r for r in by_sector if r["sector"] == sector]
        return float(hit[0]["value"]), hit[0]["source_url"]

    # 2024: preliminary total 44.9 Mt, published as -12.4 % against 1990 (51.3 Mt, the same publication);
    # chained to 2009 through the 1990/2009 ratio of the inventory vintage used for the sectors.
    v2024, url2024 = proj_value(2024, "total (excl. LULUCF)")
    v1990, url1990 = proj_value(1990, "total (excl. LULUCF)")
    i2024 = v2024 / v1990 * total[1990] / total[BASE]
    # 2030 and 2035: Nasjonalbudsjettet 2023 gives changes, -10.5 Mt 2021->2030 and about -5 Mt 2030->2035,
    # against the 2021 inventory of its time (SSB 08940, 2022 vintage: 2021 and 2009 from the same table).
    d2030, url_nb23 = change("total change 2021->2030")
    d2035, _ = change("total change 2030->2035")
    t2021 = national_row(rows, "ghg_total_national_inventory", 2021, "2022 vintage") / 1000.0      # Mt
    t2009 = national_row(rows, "ghg_total_national_inventory", BASE, "2022 vintage") / 1000.0
    i2030 = (t2021 + d2030) / t2009
    i2035 = (t2021 + d2030 + d2035) / t2009
    method = (f"national total projected (index 2009 = 1): 2024 {i2024:.4f} ({v2024} Mt, preliminary, = "
              f"{v2024}/{v1990} of 1990, chained through the inventory's 1990/2009 ratio); 2030 {i2030:.4f} "
              f"(NB2023: 2021 {t2021:.3f} Mt {d2030:+} Mt, against 2009 {t2009:.3f} Mt of the same vintage); 2035 "
              f"{i2035:.4f} (NB2023: 2030 {d2035:+} Mt, 'nearly 5'); linear between anchors")
    sources = f"{url2024} ; {url1990} ; {url_nb23} ; SSB 08940 2021 and 2009 (observations.csv)"
    return {2024: i2024, 2030: i2030, 2035: i2035}, method, sources


def national_paths(shared: Path) -> tuple[list[dict], dict[str, dict[int, float]], int, int]:
    """Rows of the national path of every source; the paths by source; last observed and projected years."""
    rows = read(shared / "observations.csv")
    series, url = national_series(rows)
    last_obs = max(series[RESIDUAL])
    anchors, proj_method, proj_sources = projection(shared, rows, series)
    last_proj = max(anchors)
    total = {y: v / series["ghg_total"][BASE] for y, v in series["ghg_total"].items()}
    total_path = dict(anchors)
    total_path[last_obs] = total[last_obs]

    out, paths = [], {}
    for source in SOURCES:
        key = SERIES[source]
        level = series[key]
        own = key == "ghg_industry_mining"
        name = SERIES_NAME[key]
        path: dict[int, float] = {}
        for year in range(BASE, LAST + 1):
            if year == BASE:
                idx, status, segment = 1.0, "observed", "observed"
                method = ("base year, index 1: the municipality's 2009 level comes from the calibration "
                          "(inventory, else the model's estimate)")
                src = url
            elif year <= last_obs:
                idx = interpolate(level, year) / level[BASE]
                segment = "observed"
                src = f"{url} ({VINTAGE})"
                if year in level:
                    status = "observed" if own else "derived"
                    method = (f"observed nationally: {name} {year} {level[year]:.0f} t / 2009 {level[BASE]:.0f} t"
                              + ("" if own else f"; applied to {source}, which it contains"))
                else:
                    lo = max(y for y in level if y < year)
                    hi = min(y for y in level if y > year)
                    status = "derived"
                    method = (f"interpolated linearly between the national observations {lo} and {hi} of {name}"
                              + ("" if own else f"; applied to {source}"))
            elif year <= last_proj:
                share = interpolate(total_path, year) / total[last_obs]
                idx = path[last_obs] * share
                status, segment = "derived", "projected"
                method = (f"projected: {source}'s {last_obs} index x the national total's change "
                          f"{last_obs}->{year} ({share:.4f}); no sector projection in the data, so every sector "
                          f"keeps its {last_obs} share of the total; {proj_method}")
                src = f"{proj_sources} ; {url} ({VINTAGE}, {last_obs})"
            else:
                idx = path[last_proj]
                status, segment = "assumption", "extended"
                method = (f"held at the {last_proj} level: no national projection after {last_proj}; parameter "
                          f"other_sectors.annual_change_after_projection.{source} (default 0) sets a yearly change")
                src = "assumption"
            path[year] = idx
            out.append(dict(emission_source=source, municipality="", year=year, index=idx, status=status,
                            segment=segment, method=method, source=src))
        paths[source] = path
    return out, paths, last_obs, last_proj


def plant_report(reports: dict[int, float], year: int, window: int = 1) -> float | None:
    """A plant's report in ``year``, else its nearest within ``window`` (earlier first), as plant_sum does."""
    near = [y for y in reports if abs(y - year) <= window]
    return reports[min(near, key=lambda y: (abs(y - year), y))] if near else None


def plant_rows(shared: Path, national: dict[int, float], last_obs: int, last_proj: int) -> list[dict]:
    """Industry paths of municipalities whose 2009 industry is mostly registered plants.

    Rule. The plants counted in 2009 (a report in 2008-2010, as ``other_sectors.plant_sum``) make up a share
    s = min(1, P(2009) / L(2009)) of the municipality's 2009 industry level L (the inventory's where it reports
    industry, else the plant sum itself, s = 1). Their own reports 2010-2013 are observed inputs of those
    plants, not municipal outcomes, and carry plant-specific events the national trend cannot (a kiln outage,
    a plant converting to biofuel). So

        I(t) = s P(t) / P(2009) + (1 - s) I_nat(t)                              2010-2013
        I(t) = s P(2013) / P(2009) I_nat(t) / I_nat(2013) + (1 - s) I_nat(t)    after 2013

    with P(t) the same plants' reports (nearest within a year; 0 once a plant stops reporting; plants that
    first report later are left out, since a first report often marks the register's coverage rather than a
    new plant). Where the plants add up to less than 1 kt in 2009 (Bergen, Tromsø) single small reports
    dominate and the national path is kept. No municipal inventory value after 2009 enters the rule.
    """
    plants = build_plants(read(shared / "plant_emissions.csv"))
    obs = build_observations(read(shared / "observations.csv"))
    by_muni: dict[str, dict[str, dict[int, float]]] = {}
    for p in plants:
        if p["category"] == "industry":
            by_muni.setdefault(p["municipality"], {}).setdefault(p["plant"], {})[p["year"]] = p["t_co2e"]
    url = "Norskeutslipp plant register (plant_emissions.csv)"
    out = []
    for muni in NAMES.values():
        reports = by_muni.get(muni, {})
        base = {name: r for name, r in reports.items() if plant_report(r, BASE) is not None}
        p = {y: sum(plant_report(r, y) or 0.0 for r in base.values()) for y in range(BASE, PLANT_YEARS[-1] + 1)}
        if p[BASE] < PLANT_MIN_T:
            continue
        inv = [o for o in obs if o["municipality"] == muni and o["variable"] == "emissions.sector.industry"
               and o["year"] == BASE]
        level = inv[0]["value"] if inv else p[BASE]
        s = min(1.0, p[BASE] / level)
        whose = (f"the inventory's 2009 industry {level:.0f} t ({inv[0]['gwp_basis'].upper()})" if inv
                 else "the 2009 estimate, which is the plant sum")
        plant_names = ", ".join(sorted(base))
        last_plant = PLANT_YEARS[-1]
        for year in range(BASE, LAST + 1):
            nat = national[year]
            if year == BASE:
                idx, status, seg = 1.0, "observed", "observed"
                method = (f"base year, index 1. Registered plants counted in 2009 ({plant_names}): {p[BASE]:.0f} t, "
                          f"share s = {s:.3f} of {whose}")
            elif year <= last_plant:
                idx = s * p[year] / p[BASE] + (1 - s) * nat
                status = "observed" if s == 1.0 else "derived"
                seg = "observed"
                method = (f"plant register: the 2009 plants report {p[year]:.0f} t in {year} (x {p[year] / p[BASE]:.4f})"
                          + ("" if s == 1.0 else f"; s = {s:.3f} of the level follows them, the rest the national "
                                                  f"path ({nat:.4f})"))
            else:
                idx = s * p[last_plant] / p[BASE] * nat / national[last_plant] + (1 - s) * nat
                status = "derived" if year <= last_proj else "assumption"
                seg = "observed" if year <= last_obs else "projected" if year <= last_proj else "extended"
                kind = ("observed nationally" if year <= last_obs else "projected nationally" if year <= last_proj
                        else "held after the last projection (assumption)")
                method = (f"plants' {last_plant} level (x {p[last_plant] / p[BASE]:.4f}) moved with the national path "
                          f"since {last_plant} ({kind}: {nat:.4f} / {national[last_plant]:.4f})"
                          + ("" if s == 1.0 else f" for s = {s:.3f}; the rest the national path"))
            out.append(dict(emission_source="industry", municipality=muni, year=year, index=idx, status=status,
                            segment=seg, method=method,
                            source=url if year <= last_plant else f"{url} ; SSB 13931 and projections (see the "
                                                                   "national rows)"))
    return out


def main(shared: Path) -> None:
    rows, paths, last_obs, last_proj = national_paths(shared)
    rows += plant_rows(shared, paths["industry"], last_obs, last_proj)
    write(OUT / "sector_paths.csv", rows, COLUMNS)
    print(f"sector_paths: {len(rows)} rows; observed to {last_obs}, projected to {last_proj}")
    for s in SOURCES:
        print(f"  {s:14s} " + "  ".join(f"{y}: {paths[s][y]:.4f}" for y in (2013, 2020, 2023, 2030, 2035, 2050)))
    for r in rows:
        if r["municipality"] and r["year"] in (2010, 2013, 2020, 2030, 2050):
            print(f"  industry {r['municipality']:12s} {r['year']} {r['index']:.4f} {r['status']}")


if __name__ == "__main__":
    from reference_folder import arguments

    main(arguments(__doc__).shared)
