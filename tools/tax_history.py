"""Write the fuel-tax history 2010-2025 as co2_tax and fuel_tax measures: scenarios/current-policies-taxes.toml.

    python tools/tax_history.py            # rewrites the file
    python tools/tax_history.py --check    # exit 1 if it is out of date

Each year's rates come from model/data/prices.csv (nominal NOK per litre, each row with its status and
source: observed, or derived/interpolated where the reference data have a gap). CO2 taxes are turned into
NOK per tonne with the carbon of the fuel (petrol 2.32, diesel and heating oil 2.66 kg CO2 per litre, the
parameters transport.co2_per_litre.*), which the model turns back into NOK per litre. LPG and natural gas for
heating pay the mineral-oil rate per tonne from 2010 (taxes_more.csv: in 2018 LPG 1.50 NOK/kg = 500 NOK/t, the
mineral-oil rate; none in 2009, model/data/scenarios/policies-2009.toml). Every year re-sets the
rates in NOK of that year (``price_year``) and ends the year before (``replaces``); the first year ends
the 2009 rates of model/data/scenarios/policies-2009.toml. After 2024 the file holds what is set or decided: the
road-usage taxes of 2025 (``SET_2025``, from the reference data's rate tables, outside prices.csv, which ends in
2024) and the CO2 tax rising to 2 000 NOK/t (2020 NOK) in 2030 (heating_prices_taxes.csv, the announced path).
"""

from __future__ import annotations

import sys
from pathlib import Path

from framtid.model import prices
from framtid.model.safe_write import regenerate

OUT = Path(__file__).resolve().parent.parent / "scenarios" / "current-policies-taxes.toml"
KG_PER_L = {"petrol": 2.32, "diesel": 2.66, "heating_oil": 2.66}
# The CO2 tax on LPG and natural gas for heating: the mineral-oil rate per tonne (taxes_more.csv, 2018: LPG 1.50
# NOK/kg = 500 NOK/t, as mineral oil) in every year written, from 2010 (assumption: the data give no rate on gas
# before 2018 nor the date it began, and none is in the 2009 policies; a year runs at one rate, so 2010 is charged
# whole)
YEARS = range(2010, 2025)

HEAD = '''# Fuel taxes as they were set, 2010-2025, and the CO2-tax path decided for 2025-2030.
# Written by tools/tax_history.py from model/data/prices.csv (each rate's status and source are there:
# observed rates from Skatteetaten and the state budgets, gaps interpolated or carried back as stated).
# CO2 taxes per tonne from the rates per litre with 2.32 (petrol) and 2.66 (diesel, heating oil) kg CO2/l;
# LPG and natural gas for heating at the mineral-oil rate per tonne from 2010 (taxes_more.csv, 2018: LPG
# 1.50 NOK/kg = 500 NOK/t, as mineral oil).
# Do not edit by hand; run the tool.

[scenario]
name = "current-policies-taxes"
description = "The 2009 policies plus the fuel-tax history 2010-2025 and the decided CO2-tax path"
extends = "reference"
'''

SET_2025 = '''
# Set for 2025: the road-usage tax falls as the CO2 tax rises (taxes_more.csv, Skatteetaten's rates: petrol
# 4.16 NOK/l, medium confidence; road_fuel_prices_taxes.csv, the rate table of the 2026 budget: diesel 2.69 NOK/l,
# low). The CO2 rates of 2025 in the same tables (3.25 and 3.79 NOK/l, 1 400 and 1 425 NOK/t) are near what the
# decided path below gives (about 1 365 NOK/t at the default inflation). 2026 is left out: petrol's rate is not in
# the reference data, and diesel's (2.28 NOK/l) came with a temporary zero rate for part of the year.
[[measure]]
kind = "fuel_tax"
label = "Road-usage and base taxes 2025"
replaces = "Road-usage and base taxes 2024"
municipality = "*"
start_year = 2025
price_year = 2025
road_usage_nok_per_l = { petrol = 4.16, diesel = 2.69 }
heating_oil_base_nok_per_l = 0
'''

DECIDED = '''
# Decided: the CO2 tax rises to 2 000 NOK per tonne (2020 NOK) in 2030 (heating_prices_taxes.csv: the
# announced path of the climate plan for 2021-2030; carbon_price_path.csv), for road fuels, mineral oil and
# heating gas alike (heating with mineral oil is banned from 2020). Linear from the 2024 rate, full in 2030.
[[measure]]
kind = "co2_tax"
label = "CO2 tax path to 2030 (decided)"
replaces = "CO2 tax 2024"
municipality = "*"
start_year = 2025
ramp_years = 6
price_year = 2020
road_fuel_nok_per_t = 2000
heating_oil_nok_per_t = 2000
heating_gas_nok_per_t = 2000
'''


def _fmt(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def text() -> str:
    nominal = prices.nominal()
    first = {int(y): i for i, y in enumerate(prices.DATA_YEARS)}
    blocks = [HEAD]
    previous = {"co2_tax": "CO2 tax 2009", "fuel_tax": "Road-usage and base taxes 2009"}
    for year in YEARS:
        k = first[year]
        co2 = {f: nominal[f"{f}_co2_tax"][k] / KG_PER_L[f] * 1000.0 for f in ("petrol", "diesel")}
        oil_co2 = nominal["mineral_oil_co2_tax"][k] / KG_PER_L["heating_oil"] * 1000.0
        road = {f: nominal[f"{f}_road_usage_tax"][k] for f in ("petrol", "diesel")}
        base = nominal["mineral_oil_base_tax"][k]
        label_co2, label_fuel = f"CO2 tax {year}", f"Road-usage and base taxes {year}"
        blocks.append(
            f'[[measure]]\nkind = "co2_tax"\nlabel = "{label_co2}"\nreplaces = "{previous["co2_tax"]}"\n'
            f'municipality = "*"\nstart_year = {year}\nprice_year = {year}\n'
            f'road_fuel_nok_per_t = {{ petrol = {_fmt(co2["petrol"])}, diesel = {_fmt(co2["diesel"])} }}\n'
            f'heating_oil_nok_per_t = {_fmt(oil_co2)}\nheating_gas_nok_per_t = {_fmt(oil_co2)}\n')
        blocks.append(
            f'[[measure]]\nkind = "fuel_tax"\nlabel = "{label_fuel}"\nreplaces = "{previous["fuel_tax"]}"\n'
            f'municipality = "*"\nstart_year = {year}\nprice_year = {year}\n'
            f'road_usage_nok_per_l = {{ petrol = {_fmt(road["petrol"])}, diesel = {_fmt(road["diesel"])} }}\n'
            f'heating_oil_base_nok_per_l = {_fmt(base)}\n')
        previous = {"co2_tax": label_co2, "fuel_tax": label_fuel}
    blocks.append(SET_2025)
    blocks.append(DECIDED)
    return "\n".join(blocks)


def main(check: bool) -> int:
    return regenerate(OUT, text(), check)


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
