"""Regenerate the golden reference figures (only when a change of results is intended).

    python tests/golden/update.py

Review the diff of reference.json before committing: every changed number is a
changed result, and the commit message should say why.
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
YEARS = (2009, 2015, 2020, 2030, 2040, 2050)


def figures() -> dict:
    from framtid.model import api

    ds = api.to_dataset([api.run_scenario(api.load_scenario(HERE.parent.parent / "scenarios" / "reference.toml"))],
                        seed=0).sel(scenario="reference", draw=0)
    out = {"emissions_t_co2e": {}, "activity": {}}
    for m in ds.municipality.values:
        out["emissions_t_co2e"][str(m)] = {
            str(s): [round(float(ds["emissions"].sel(municipality=m, sector=s, year=y)), 3) for y in YEARS]
            for s in ds.sector.values}
    activity = {
        "population": ds["population"], "car_vkm": ds["car_vkm"].sum("powertrain"),
        "floor_area": ds["floor_area"].sum("building_type"), "landfill_ch4_generated": ds["landfill_ch4_generated"],
        "bev_share_of_car_stock": ds["bev_share_of_car_stock"], "district_heat_demand": ds["district_heat_demand"],
    }
    for name, da in activity.items():
        out["activity"][name] = {str(m): [float(f"{float(da.sel(municipality=m, year=y)):.9g}") for y in YEARS]
                                 for m in ds.municipality.values}
    out["years"] = list(YEARS)
    return out


if __name__ == "__main__":
    (HERE / "reference.json").write_text(json.dumps(figures(), indent=1) + "\n")
    print(f"wrote {HERE / 'reference.json'}")
