"""National taxes on fossil energy (land use and transport area): they act through the price paths of road
fuels, heating oil and heating gas."""

from __future__ import annotations

from . import costing
from .base import Field, MeasureKind, field_levers

KINDS = (
    MeasureKind(
        "co2_tax", "land_use_transport",
        "CO2 tax level on fossil road fuels, on heating oil and paraffin, and on LPG and natural gas for heating "
        "[NOK per tonne CO2], in NOK of the price year; converted to NOK per litre or kWh with each fuel's carbon "
        "content. A field left out keeps the level in force.",
        (Field("road_fuel_nok_per_t", "NOK/t CO2", None, 0.0, 10000.0, "CO2 tax on petrol and diesel for road "
               "transport (one rate, or a table by fuel: { petrol = ..., diesel = ... })", axis="road_fuel",
               money=True),
         Field("heating_oil_nok_per_t", "NOK/t CO2", None, 0.0, 10000.0, "CO2 tax on heating oil and paraffin",
               money=True),
         Field("heating_gas_nok_per_t", "NOK/t CO2", None, 0.0, 10000.0, "CO2 tax on LPG and natural gas for "
               "heating (none in 2009)", money=True)),
        field_levers({"road_fuel_nok_per_t": "co2_tax_road_nok_per_t",
                      "heating_oil_nok_per_t": "co2_tax_heating_oil_nok_per_t",
                      "heating_gas_nok_per_t": "co2_tax_heating_gas_nok_per_t"}),
        source="prices enter the car's running cost, the powertrain choice and the heating-system choice; "
               "fuel-price elasticities of car traffic -0.1 / -0.3 (Goodwin, Dargay & Hanly 2004)",
    ),
    MeasureKind(
        "fuel_tax", "land_use_transport",
        "Excise taxes per litre besides the CO2 tax: the road-usage tax on petrol and diesel and the base tax "
        "on heating oil and paraffin, in NOK of the price year. A field left out keeps the level in force.",
        (Field("road_usage_nok_per_l", "NOK/l", None, 0.0, 50.0, "road-usage tax (one rate, or a table by "
               "fuel: { petrol = ..., diesel = ... })", axis="road_fuel", money=True),
         Field("heating_oil_base_nok_per_l", "NOK/l", None, 0.0, 20.0, "base tax on heating oil and paraffin",
               money=True)),
        field_levers({"road_usage_nok_per_l": "road_usage_tax",
                      "heating_oil_base_nok_per_l": "base_tax_heating_oil"}),
        source="as co2_tax",
    ),
)

# -- costs (measures/costing.py; docs/model.md "Costs") --------------------------------------------------

_TAX = ("a tax is a transfer; its social cost is the users' loss on the energy use it removes, which the model "
        "does not record as a change of generalised cost for car purchase and heating; the carbon price beside "
        "the MAC curve is the benchmark a CO2 tax stands for")

KINDS = costing.attach_costs(KINDS, {"co2_tax": costing.not_costed(_TAX), "fuel_tax": costing.not_costed(_TAX)})
