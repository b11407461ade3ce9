"""Build framtid's embedded data (model/data/*.csv) from the reference statistics.

Run by hand when the reference data change:

    python tools/build_data.py /path/to/shared/data

The model never reads the reference folder at run time; it reads only what this
script writes into ``model/data/``. Every row keeps its original source address and
confidence grade, and says which inventory vintage and GWP set it uses, so observed
values stay distinguishable from the model's own estimates.

It writes observations.csv, plants.csv (the plant register), plants_opened.csv (plants
that opened after 2009 and are missing from the register, from policies/plants_opened.csv)
and municipalities.csv. tools/build_sector_paths.py builds on the same reference data.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "model" / "data"

NAMES = {
    "Oslo": "oslo", "Bærum": "baerum", "Drammen": "drammen", "Fredrikstad": "fredrikstad",
    "Sarpsborg": "sarpsborg", "Porsgrunn": "porsgrunn", "Skien": "skien",
    "Kristiansand": "kristiansand", "Stavanger": "stavanger", "Sandnes": "sandnes",
    "Bergen": "bergen", "Trondheim": "trondheim", "Tromsø": "tromso",
}
# Sectors that follow their national path and are estimated per inhabitant where the inventory has no 2009
# (model/submodels/other_sectors.py, PER_CAPITA_SOURCES): a later inventory year sets their 2009.
PATH_SECTORS = ("shipping", "other_mobile", "agriculture", "aviation", "fgas_products")
CHANGED_2020 = {"drammen", "kristiansand", "stavanger", "sandnes", "trondheim"}
# The county reform of 1 January 2024 renumbered the municipalities of the counties it split (Viken, Vestfold og
# Telemark, Troms og Finnmark) without changing their borders; later inventories and statistics use these numbers.
NUMBERS_2024 = {"oslo": "0301", "baerum": "3201", "drammen": "3301", "fredrikstad": "3107", "sarpsborg": "3105",
                "porsgrunn": "4001", "skien": "4003", "kristiansand": "4204", "stavanger": "1103", "sandnes": "1108",
                "bergen": "4601", "trondheim": "5001", "tromso": "5501"}
NUMBERS_SOURCE = ("kommunenummer_2020 and kommunenummer_2019 (before the 2020 mergers, of the municipality whose "
                  "name it kept): heating_degree_days.csv (reference data); kommunenummer_2024: Statistics Norway's "
                  "classification of municipalities (KLASS 131) from 2024, when the county reform renumbered the "
                  "municipalities of Viken, Vestfold og Telemark and Troms og Finnmark, their borders unchanged")

# Recent inventory vintage (Miljødirektoratet's municipal statistics, recomputed
# every year) for Oslo, Porsgrunn and Skien: inventory sector -> framtid sector.
NEW_SERIES_SECTORS = {
    "ghg_road_passenger_cars": "road_passenger_cars",
    "ghg_road_vans": "road_vans",
    "ghg_road_heavy_vehicles": "road_heavy_vehicles",
    "ghg_road_buses": "road_buses",
    "ghg_heating": "heating",
    "ghg_waste_wastewater": "waste_wastewater",
    "ghg_energy_supply": "energy_supply",
    "ghg_industry_oil_gas": "industry",
    "ghg_shipping": "shipping",
    "ghg_other_mobile_combustion": "other_mobile",
    "ghg_agriculture": "agriculture",
    "ghg_aviation": "aviation",
    "ghg_products_with_fluorinated_gases": "fgas_products",
}
# Inventory sources -> framtid emission sources (several may add up to one).
NEW_SERIES_SOURCES = {
    "ghg_heating_fossil_oil": "heating_oil",
    "ghg_heating_paraffin": "heating_paraffin",
    "ghg_heating_natural_gas": "heating_natural_gas",
    "ghg_heating_lpg": "heating_lpg",
    "ghg_heating_wood": "heating_wood",
    "ghg_heating_bioenergy_ch4_n2o": "heating_wood",
    "ghg_heating_other": "heating_other",
    "ghg_landfill_gas": "landfill_gas",
    "ghg_wastewater": "wastewater",
    "ghg_biological_waste_treatment": "biological_treatment",
    "ghg_waste_incineration": "waste_incineration",
    "ghg_district_heating_excl_waste_incineration": "district_heating_fuels",
    "ghg_electricity_and_other_energy_supply": "district_heating_fuels",
}
# Old SSB municipal series (SAR GWPs, older vintage): used for Sarpsborg and
# Fredrikstad, the only series there is for them.
OLD_SERIES = {
    "ghg_road_traffic_old_ssb_series": ("group", "road_traffic"),
    "ghg_other_heating_old_ssb_series": ("sector", "heating"),
    "ghg_energy_supply_old_ssb_series": ("sector", "energy_supply"),
    "ghg_industry_mining_old_ssb_series": ("sector", "industry"),
    "ghg_oil_gas_onshore_old_ssb_series": ("sector", "industry"),
    "ghg_agriculture_old_ssb_series": ("sector", "agriculture"),
    "ghg_other_mobile_combustion_old_ssb_series": ("sector", "other_mobile"),
    # No framtid equivalent: landfill gas, solvents and F-gases mixed together.
    "ghg_other_process_emissions_old_ssb_series": ("check", "other_process_old_series"),
    "ghg_total_old_ssb_series": ("check", "total"),
}
MODES = {
    "mode_share_car_driver": "car_driver", "mode_share_car_passenger": "car_passenger",
    "mode_share_pt": "public_transport", "mode_share_bike": "bicycle", "mode_share_walk": "walk",
}
SURVEY_AREAS = {
    "Grenland region (Porsgrunn+Skien+Siljan+Bamble)": ("porsgrunn", "skien"),
    "Nord-Jæren region": ("stavanger", "sandnes"),
}
# Zone shares of the 2009 population over the ABC zone types. No statistic in the
# reference data gives them; they are assumptions by city type, stated as such.
ZONES = {
    "oslo": (0.35, 0.45, 0.20), "bergen": (0.20, 0.45, 0.35), "trondheim": (0.20, 0.45, 0.35),
    "stavanger": (0.20, 0.45, 0.35), "baerum": (0.10, 0.40, 0.50),
}
ZONES_DEFAULT = (0.12, 0.40, 0.48)
ZONE_SOURCE = ("assumption: no zone statistic in the reference data; large cities (Oslo highest) have more "
               "residents in central public-transport zones, suburban Baerum and the middle-sized towns fewer")

# The battery-electric share of new cars in Norway (OFV), as methods.md §1.5 of the reference material quotes it:
# year, share, confidence, source, note. Read by `framtid calibrate` and each draw's history fit.
BEV_SHARES = (
    (2018, 0.312, "high", "https://www.di.se/hallbart-naringsliv/var-tredje-nyregistrerad-bil-i-norge-gar-pa-el/", ""),
    (2020, 0.54, "medium", "https://ringeriksporten.no/arkiv/item/8885-20-prosent-elbiler-i-norge?print=1&tmpl=component",
     "; rounded"),
    (2021, 0.65, "medium", "https://www.nyss.no/npk/innenriks/2021/12/30/Over-110.000-elbilar-selde-i-2021-24991288.ece",
     "; rounded"),
    (2022, 0.80, "medium", "https://www.adressa.no/nyheter/innenriks/i/P47pk5/lavt-nybilsalg-i-januar-nesten-bare-elbiler",
     "; about 80 %"),
    (2023, 0.82, "medium", "https://www.adressa.no/nyheter/innenriks/i/P47pk5/lavt-nybilsalg-i-januar-nesten-bare-elbiler",
     "; about 82 %"),
    (2024, 0.90, "medium", "http://mbl.is/mm/vidskipti/frett.html?nid=1261321", "; about 90 %"),
)
# The battery-electric share of Norway's passenger-car fleet at the end of the year, as methods.md §1.5 and
# observations.csv of the reference material give it: year, share, confidence, source, note. `framtid calibrate`
# sets the model's nation beside it as a check (not fitted): the 13's car stock and the rest's (history_fit).
BEV_FLEET = (
    (2016, 0.037, "high", "http://enerwe.no/elbil/her-er-det-flest-elbiler/", "end 2016 / early 2017 (SSB)"),
    (2019, 0.10, "medium", "https://elbil.no/over-600-000-elbiler-pa-norske-veier/", "10 % in March 2020, taken as "
     "the end of 2019"),
    (2022, 0.20, "medium", "https://www.nrk.no/rogaland/over-20-prosent-elbilar-i-rogaland-1.16216739",
     "December 2022"),
)
OBS_COLUMNS = ("municipality", "variable", "year", "value", "unit", "gwp_basis", "confidence", "source", "note")


def read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def number(text: str) -> float:
    return float(text.replace(" ", ""))


def build_observations(rows: list[dict[str, str]]) -> list[dict]:
    out: list[dict] = []
    summed: dict[tuple, dict] = {}

    def add(muni, variable, year, value, unit, gwp, conf, source, note="", accumulate=False):
        key = (muni, variable, year)
        if accumulate and key in summed:
            summed[key]["value"] += value
            summed[key]["note"] = "sum of inventory sources " + note
            return
        if key in summed:
            # The same statistic quoted by two sources: keep one row, name both sources.
            if abs(summed[key]["value"] - value) <= 1e-9 * max(1.0, abs(value)):
                summed[key]["source"] += " ; " + source
                return
            if not variable.startswith("target."):
                raise ValueError(f"{key}: two sources disagree ({summed[key]['value']} vs {value})")
            # Two different targets for the same year (e.g. a council platform and a climate
            # plan): both are kept, the second under its own name.
            variable, key = variable + ".alternative", (muni, variable + ".alternative", year)
        row = dict(municipality=muni, variable=variable, year=year, value=value, unit=unit,
                   gwp_basis=gwp, confidence=conf, source=source, note=note)
        out.append(row)
        summed[key] = row

    for r in rows:
        name, ind, unit = r["municipality"], r["indicator"], r["unit"]
        year = int(r["year"]) if r["year"] else ""
        conf, src = r["confidence"], r["source_url"]
        muni = NAMES.get(name)
        if muni is None:
            continue
        value = number(r["value"])
        # Population: prefer 2020 borders (mergers of 2020); a 2009 value on old
        # borders is the same thing where the borders did not change.
        if ind == "population_1jan_2020_borders":
            add(muni, "population", year, value, "inhabitants", "", conf, src, "1 January, 2020 borders")
        elif ind == "population_1jan_2020_borders_backcast":
            add(muni, "population", year, value, "inhabitants", "", conf, src,
                "1 January, back-cast to 2020 borders")
        elif ind == "population_1jan_borders_of_that_year" and muni not in CHANGED_2020:
            add(muni, "population", year, value, "inhabitants", "", conf, src,
                "1 January, borders unchanged by the 2020 reform")
        elif ind in NEW_SERIES_SECTORS and muni in ("oslo", "porsgrunn", "skien"):
            add(muni, f"emissions.sector.{NEW_SERIES_SECTORS[ind]}", year, value, "t CO2e", "ar5", conf, src,
                "recent inventory vintage (assumed AR5 GWP like the national inventory it follows)")
        elif ind == "ghg_road_traffic" and muni in ("oslo", "porsgrunn", "skien"):
            add(muni, "emissions.group.road_traffic", year, value, "t CO2e", "ar5", conf, src,
                "recent inventory vintage")
        elif ind in NEW_SERIES_SOURCES and muni in ("oslo", "porsgrunn", "skien"):
            add(muni, f"emissions.source.{NEW_SERIES_SOURCES[ind]}", year, value, "t CO2e", "ar5", conf, src,
                ind, accumulate=True)
        elif ind == "ghg_total_excl_fgas_products" and muni in ("oslo", "porsgrunn", "skien"):
            add(muni, "emissions.check.total_excl_fgas", year, value, "t CO2e", "ar5", conf, src,
                "sum of the nine classic sectors")
        elif ind in OLD_SERIES and muni in ("sarpsborg", "fredrikstad"):
            level, label = OLD_SERIES[ind]
            add(muni, f"emissions.{level}.{label}", year, value, "t CO2e", "sar", conf, src,
                "old SSB municipal series (SAR GWP, older vintage)", accumulate=(label == "industry"))
        elif ind == "ghg_heating" and muni == "trondheim":
            add(muni, "emissions.sector.heating", year, value, "t CO2e", "unknown", conf, src,
                "city climate plan figure; vintage and GWP not stated")
        elif ind == "ghg_total_scope1":
            add(muni, "emissions.check.total", year, value, "t CO2e", "unknown", conf, src,
                "total quoted in a city document (other vintage)")
        elif ind == "ghg_total" and muni == "bergen":
            add(muni, "emissions.check.total", year, value, "t CO2e", "unknown", conf, src, unit)
        elif muni == "stavanger" and ind.startswith("ghg_") and year == 2015:
            mapped = {"ghg_energy_supply_waste_incineration": "energy_supply", "ghg_heating": "heating",
                      "ghg_road_traffic": None, "ghg_total_incl_allocated_external_sources": None}
            sector = mapped.get(ind, NEW_SERIES_SECTORS.get(ind))
            if ind == "ghg_road_traffic":
                add(muni, "emissions.group.road_traffic", year, value, "t CO2e", "unknown", conf, src,
                    "2015 value kept for testing projections")
            elif sector in PATH_SECTORS:
                add(muni, f"emissions.sector.{sector}", year, value, "t CO2e", "unknown", conf, src,
                    "2015 value; back-cast along the sector's path it sets the 2009 level "
                    "(other_sectors.backcast_2009), so it is no test")
            elif sector:
                add(muni, f"emissions.sector.{sector}", year, value, "t CO2e", "unknown", conf, src,
                    "2015 value kept for testing projections")
        elif ind in MODES:
            add(muni, f"mode_share.{MODES[ind]}", year, value / 100.0, "share of trips", "", conf, src, unit)
        elif ind == "cars_per_1000_inhabitants":
            add(muni, "cars_per_capita", year, value / 1000.0, "cars/inhabitant", "", conf, src, unit)
        elif ind.startswith("cars_registered_") and ind != "cars_registered_total":
            kind = {"petrol": "petrol", "diesel": "diesel", "electric": "bev",
                    "other_fuel_incl_hybrids": "other"}[ind.removeprefix("cars_registered_")]
            add(muni, f"car_stock.{kind}", year, value, "cars", "", conf, src, unit)
        elif ind == "household_waste_per_capita":
            add(muni, "household_waste_per_capita", year, value / 1000.0, "t/inhabitant", "", conf, src, unit)
        elif ind == "household_waste_sorted_for_recovery_share":
            add(muni, "household_waste_sorted_share", year, value / 100.0, "share", "", conf, src, unit)
        elif ind == "household_waste_recovery_incl_energy_share":
            add(muni, "household_waste_recovery_incl_energy_share", year, value / 100.0, "share", "", conf,
                src, unit)
        elif ind.startswith("dwellings_"):
            kind = {"dwellings_total": "total", "dwellings_blocks_of_flats": "apartment",
                    "dwellings_detached_houses": "detached_house"}[ind]
            add(muni, f"dwellings.{kind}", year, value, "dwellings", "", conf, src, unit)
        elif ind.startswith("target_ghg_reduction"):
            base = ind.removeprefix("target_ghg_reduction").removeprefix("_vs_") or "unstated"
            add(muni, f"target.emissions_change_vs_{base}", year, value / 100.0, "relative change", "",
                conf, src, unit)
        elif ind.startswith("target_car_traffic_vs_"):
            base = ind.removeprefix("target_car_traffic_vs_")
            add(muni, f"target.car_traffic_change_vs_{base}", year, value / 100.0, "relative change", "",
                conf, src, unit)

    # Travel surveys published for a region apply to each municipality in it.
    for r in rows:
        if r["municipality"] in SURVEY_AREAS and r["indicator"] in MODES:
            for muni in SURVEY_AREAS[r["municipality"]]:
                add(muni, f"mode_share.{MODES[r['indicator']]}", int(r["year"]), number(r["value"]) / 100.0,
                    "share of trips", "", r["confidence"], r["source_url"],
                    f"regional survey ({r['municipality']})")

    # National values used as defaults where a municipality has none.
    national = {
        "household_waste_per_capita": ("household_waste_per_capita", 1 / 1000.0, "t/inhabitant"),
        "household_waste_sorted_for_recovery_share": ("household_waste_sorted_share", 0.01, "share"),
        "household_waste_recovery_incl_energy_share": ("household_waste_recovery_incl_energy_share", 0.01,
                                                       "share"),
        "household_waste_to_material_recovery_per_capita": ("household_waste_material_recovery_per_capita",
                                                            1 / 1000.0, "t/inhabitant"),
    }
    for r in rows:
        if r["municipality"] == "Norway" and r["indicator"] in national and r["year"] == "2009":
            var, scale, unit = national[r["indicator"]]
            add("norway", var, 2009, number(r["value"]) * scale, unit, "", r["confidence"], r["source_url"],
                r["unit"])
        if (r["municipality"] == "Norway" and r["indicator"] == "ghg_heating_other_industries_households"
                and "SSB 08940" in r["unit"]):
            # The national heating series of one vintage (SSB 08940, 2009-2021; caveat 1 of the data's README: the
            # 13931 rows are a later vintage), which `framtid calibrate` fits the review of oil heating to.
            add("norway", "national_emissions.heating", int(r["year"]), number(r["value"]) * 1000.0, "t CO2e",
                "unknown", r["confidence"], r["source_url"], "SSB 08940, heating in other industries and households; "
                "published in kt; GWP set of the vintage not stated")
        if r["municipality"] == "Norway" and r["indicator"].startswith("target_ghg_reduction_vs_1990"):
            # The target in force (Climate Change Act 2030, low-emission society 2050) and the earlier
            # NDC targets, kept apart by name.
            which = r["indicator"].removeprefix("target_ghg_reduction_vs_1990").removeprefix("_")
            suffix = "" if which in ("", "low_emission_society") else "." + which
            add("norway", "target.emissions_change_vs_1990" + suffix, int(r["year"]), number(r["value"]) / 100.0,
                "relative change", "", r["confidence"], r["source_url"], r["indicator"] + ": " + r["unit"])
    for year, value, confidence, url, note in BEV_SHARES:
        add("norway", "bev_share_of_new_cars", year, value, "share", "", confidence, url,
            "OFV, new passenger cars registered (methods §1.5)" + note)
    for year, value, confidence, url, note in BEV_FLEET:
        add("norway", "bev_share_of_car_stock", year, value, "share", "", confidence, url,
            "battery-electric share of the passenger-car fleet (methods §1.5): " + note)
    return out


PLANT_CATEGORY = {"38.210": "waste_incineration", "35.300": "district_heating"}


def build_plants(rows: list[dict[str, str]]) -> list[dict]:
    out = []
    for r in rows:
        muni = NAMES.get(r["municipality"])
        if muni is None or not r["year"]:
            continue
        category = PLANT_CATEGORY.get(r["nace"], "industry")
        # Heimdal in Trondheim is registered as district heating but is a waste incinerator.
        if "avfall" in r["plant"].lower() or "forbrenning" in r["plant"].lower():
            category = "waste_incineration"
        out.append(dict(municipality=muni, plant=r["plant"], plant_id=r["plant_id"], nace=r["nace"],
                        category=category, year=int(r["year"]),
                        t_co2e=number(r["annual_emission_to_air_t_co2e"]),
                        source="Norskeutslipp plant register (plant self-report to the Norwegian Environment "
                               f"Agency), basis code {r['basis_code']}"))
    return out


# Plants that opened after 2009 (policies/plants_opened.csv): kind -> framtid category. Only waste
# incinerators can be added so far (energy_supply.py turns their tonnage into emissions).
OPENED_KIND = {"waste incineration with energy recovery": "waste_incineration"}
# How much of the start year a plant counts, where the start month alone would overstate it
# (commissioning runs below full load). Stated per plant, as assumptions.
OPENED_FIRST_YEAR = {
    "Returkraft (Langemyr)": (0.5, "assumption: opened 2010-04, nine months of operation of which the first "
                                   "months at commissioning load; counted as half a year at capacity"),
}
OPENED_COLUMNS = ("municipality", "plant", "category", "start_year", "start_month", "first_year_share",
                  "tonnage_t_per_yr", "status", "method", "source", "confidence")


def build_plants_opened(rows: list[dict[str, str]]) -> list[dict]:
    """Plants that opened after 2009 and are missing from the plant register, with the waste they burn."""
    out = []
    for r in rows:
        muni = NAMES[r["municipality"]]
        category = OPENED_KIND.get(r["kind"])
        if category is None:
            raise ValueError(f"plants_opened.csv: {r['plant']}: kind {r['kind']!r} has no framtid category yet")
        if r["unit"] != "t residual waste per year":
            raise ValueError(f"plants_opened.csv: {r['plant']}: capacity unit {r['unit']!r} not understood")
        year, month = (int(x) for x in r["start"].split("-"))
        share, why = OPENED_FIRST_YEAR.get(
            r["plant"], ((13 - month) / 12, "derived: months of operation in the start year / 12"))
        out.append(dict(
            municipality=muni, plant=r["plant"], category=category, start_year=year, start_month=month,
            first_year_share=share, tonnage_t_per_yr=number(r["capacity"]), status="derived",
            method=("capacity as published; the source says the plant runs near full capacity, so the tonnage "
                    f"burned is taken at capacity from the year after the start. Start year: {why}"),
            source=r["source_url"], confidence=r["confidence"]))
    return out


def build_municipalities(hdd_rows: list[dict[str, str]]) -> list[dict]:
    from_hdd = {}
    for r in hdd_rows:
        if r["kommune"] in NAMES:
            from_hdd[NAMES[r["kommune"]]] = r
    regions = {
        "oslo": "oslo", "baerum": "oslo", "drammen": "drammen", "fredrikstad": "nedre_glomma",
        "sarpsborg": "nedre_glomma", "porsgrunn": "grenland", "skien": "grenland",
        "kristiansand": "kristiansand", "stavanger": "nord_jaeren", "sandnes": "nord_jaeren",
        "bergen": "bergen", "trondheim": "trondheim", "tromso": "tromso",
    }
    out = []
    for name, muni in NAMES.items():
        h = from_hdd[muni]
        a, b, c = ZONES.get(muni, ZONES_DEFAULT)
        out.append(dict(
            # Municipality numbers have four digits; the source drops Oslo's leading zero (0301).
            id=muni, name=name, kommunenummer_2020=h["kommunenummer_2020"].zfill(4),
            kommunenummer_2024=NUMBERS_2024[muni], kommunenummer_2019=h["old_kommunenummer"].zfill(4),
            region=regions[muni],
            borders="2020 borders" + (" (merged 2020; earlier values back-cast)" if muni in CHANGED_2020 else ""),
            hdd_normal=float(h["heating_degree_days"]), dut_winter_c=float(h["dut_winter_c"]),
            hdd_source="heating_degree_days.csv (reference data; low confidence: base period not stated)",
            zone_share_a=a, zone_share_b=b, zone_share_c=c, zone_source=ZONE_SOURCE, numbers_source=NUMBERS_SOURCE,
        ))
    return out


def write(path: Path, rows: list[dict], columns: tuple[str, ...] | None = None) -> None:
    columns = columns or tuple(rows[0])
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({k: (f"{v:.12g}" if isinstance(v, float) else v) for k, v in row.items()})


def main(shared: Path) -> None:
    obs = build_observations(read(shared / "observations.csv"))
    obs.sort(key=lambda r: (r["municipality"], r["variable"], r["year"]))
    write(OUT / "observations.csv", obs, OBS_COLUMNS)
    plants = build_plants(read(shared / "plant_emissions.csv"))
    plants.sort(key=lambda r: (r["municipality"], r["plant"], r["year"]))
    write(OUT / "plants.csv", plants)
    write(OUT / "municipalities.csv", build_municipalities(read(shared / "heating_degree_days.csv")))
    opened = build_plants_opened(read(shared / "policies" / "plants_opened.csv"))
    write(OUT / "plants_opened.csv", opened, OPENED_COLUMNS)
    counts = defaultdict(int)
    for r in obs:
        counts[r["municipality"]] += 1
    print(f"observations: {len(obs)} rows; plants: {len(plants)} rows; plants opened after 2009: {len(opened)}")
    for m, n in sorted(counts.items()):
        print(f"  {m:13s} {n}")


if __name__ == "__main__":
    from reference_folder import arguments

    main(arguments(__doc__).shared)
