"""Re-measure the effects of the land-use and transport measure kinds that docs/model.md §3.3 quotes.

    python tools/measure_effects.py

Each kind is added in Oslo from 2015 to the reference (the 2009 policies held), as an ordinary measure, and the
change against the reference is printed: Oslo residents' car vkm in 2016, 2020 and 2030, Oslo's road CO2e and its
buses' CO2e in 2030 [%]. The settings are those the documentation names (e.g. a 30 NOK low-emission charge in all
A zones); a figure that no longer matches is a documentation figure to update, or a changed result to explain.
Prints only; runs in a few seconds.
"""

from __future__ import annotations

import dataclasses

from framtid.model import api
from framtid.model.measures import KINDS
from framtid.model.measures.base import programmatic
from framtid.model.scenario import load

START = 2015
# (label, kind, values): the settings of docs/model.md §3.3 (fields left out take their defaults)
CASES = (
    ("tolls x1.2", "toll_change", {"factor": 1.2}),
    ("half the free workplace parking", "parking_supply", {"workplace_share": 0.5}),
    ("low-emission charge 30 NOK, all A zones", "low_emission_zone", {"charge_nok": 30.0, "coverage": {"A": 1.0}}),
    ("zero-emission zone, all A zones", "zero_emission_zone", {"coverage": {"A": 1.0}}),
    ("park and ride, 10 min, all C-zone trips", "park_and_ride", {"served_share": {"C": 1.0}}),
    ("car-free centre, 20 % of A", "car_free_centre", {"coverage": {"A": 0.2}}),
    ("cycle network (defaults)", "cycle_network", {}),
    ("walkable centres (defaults)", "walkability", {}),
    ("car sharing, 20 % members", "car_sharing", {"member_share": 0.2}),
    ("telework, 2 days for half the commuters", "telework", {"days_per_week": 2.0, "worker_share": 0.5}),
    ("road capacity +20 %", "road_capacity", {"change": 0.2}),
    ("biogas in every diesel bus", "bus_biogas", {"share": 1.0}),
    ("full densification", "densification", {"share": 1.0}),
    ("all job growth to A zones", "job_location_abc", {"share": 1.0}),
)
YEARS = (2016, 2020, 2030)


def measure(kind: str, values: dict, label: str):
    """An Oslo measure of ``kind`` from :data:`START` with ``values`` (a table by label for an axis field)."""
    return programmatic(KINDS[kind], ("oslo",), START, values, label, "tools/measure_effects.py", START)


def oslo(result) -> dict:
    """Oslo's residents' car vkm by year and its road and bus CO2e in 2030 [t CO2e, the run's GWP] (draw 0)."""
    ds = api.to_dataset([result], 0).sel(municipality="oslo", draw=0).squeeze()
    out = {f"car vkm {y}": float(ds["car_vkm_resident"].sel(year=y)) for y in YEARS}
    source = ds["emissions_source"].sel(year=2030)
    out["road CO2e 2030"] = float(source.sel(source=["cars", "vans", "heavy_vehicles", "buses"]).sum())
    out["bus CO2e 2030"] = float(source.sel(source="buses"))
    return out


def main() -> None:
    base = load("framtid:reference")
    reference = oslo(api.run_scenario(base))
    print(f"Oslo, each measure from {START} on the reference: change against the reference [%]")
    print(f"{'measure':42s}" + "".join(f"{key:>16s}" for key in reference))
    for label, kind, values in CASES:
        scenario = dataclasses.replace(base, name=label, measures=base.measures + (measure(kind, values, label),))
        run = oslo(api.run_scenario(scenario))
        print(f"{label:42s}" + "".join(f"{100 * (run[key] / reference[key] - 1):+16.2f}" for key in reference))


if __name__ == "__main__":
    main()
