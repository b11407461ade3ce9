"""Measure kinds of land use and transport: tolls, parking, public transport, fuels and vehicles."""

from __future__ import annotations

import numpy as np

from ..levers import LEVERS, TOLL_FUELS, axis_labels
from .base import Field, MeasureKind, field_levers, share, target

NOK = "NOK/passage"


def _congestion_charge(values: dict) -> dict[str, np.ndarray]:
    """Prices of one cordon by vehicle class, fuel and period [real 2009 NOK/passage]."""
    out = target("toll_nok")
    c = axis_labels("cordon").index(values["cordon"])
    light = np.array([values["peak_nok"], values["offpeak_nok"]])            # (period,)
    heavy = np.array([values["heavy_peak_nok"] if values.get("heavy_peak_nok") is not None
                      else values["heavy_factor"] * light[0],
                      values["heavy_offpeak_nok"] if values.get("heavy_offpeak_nok") is not None
                      else values["heavy_factor"] * light[1]])
    keep = 1.0 - values["bev_discount"]
    for k, rates in enumerate((light, heavy)):
        out[c, k, TOLL_FUELS.index("petrol")] = rates
        out[c, k, TOLL_FUELS.index("diesel")] = rates + values["diesel_surcharge_nok"] * (k == 0)
        out[c, k, TOLL_FUELS.index("bev")] = keep * rates
    return {"toll_nok": out}


def _parking_fee(values: dict) -> dict[str, np.ndarray]:
    out = {"parking_fee_nok": np.asarray(values["fee_nok"], dtype=float)}
    if values.get("bev_discount") is not None:
        out["bev_parking_discount"] = np.asarray(float(values["bev_discount"]))
    return out


KINDS = (
    MeasureKind(
        "congestion_charge", "land_use_transport",
        "Toll (congestion charge) on a cordon: prices per passage for light petrol and diesel vehicles in "
        "and outside the peaks, a discount for battery-electric cars, and heavy-vehicle rates. It sets the "
        "cordon's prices from its start year, replacing what was in force there (including the 2009 rings); "
        "who crosses the cordon comes from the commuting and zone structure (`framtid list cordons`).",
        (Field("cordon", "id", None, 0, 0, "the cordon charged (see `framtid list cordons`)", required=True,
               choice_axis="cordon"),
         Field("peak_nok", NOK, None, 0.0, 200.0, "price per passage in the peaks, light petrol vehicles",
               required=True, money=True),
         Field("offpeak_nok", NOK, None, 0.0, 200.0, "price per passage outside the peaks, light petrol "
               "vehicles", required=True, money=True),
         share("bev_discount", "share of the petrol price battery-electric cars are spared (1 = free)", 1.0),
         Field("diesel_surcharge_nok", NOK, 0.0, 0.0, 100.0, "extra price per passage for light diesel "
               "vehicles", money=True),
         Field("heavy_peak_nok", NOK, None, 0.0, 600.0, "price per passage in the peaks for heavy vehicles "
               "(default: heavy_factor x the light price)", money=True),
         Field("heavy_offpeak_nok", NOK, None, 0.0, 600.0, "price per passage outside the peaks for heavy "
               "vehicles (default: heavy_factor x the light price)", money=True),
         Field("heavy_factor", "1", 2.5, 1.0, 5.0, "heavy-vehicle price relative to the light price when "
               "no heavy price is given (Norwegian schemes 2009-2024: 2 to 3)")),
        _congestion_charge,
        source="tolls enter the car's generalised cost in the mode and period choice (methods §1.2-1.4); the "
               "response is calibrated to Norwegian toll-ring elasticities (`framtid elasticities`)",
        municipality_from="cordon",
    ),
    MeasureKind(
        "parking_fee", "land_use_transport",
        "Municipal parking fee per car trip ending in each zone type (A central, B mixed, C car-oriented); "
        "trips ending at home park free. Zones left out keep the fee in force.",
        (Field("fee_nok", "NOK/trip", None, 0.0, 300.0, "parking fee per car trip ending in the zone type",
               axis="zone", required=True, money=True),
         share("bev_discount", "local discount for battery-electric cars (national rules may require more)",
               None)),
        _parking_fee,
        source="parking fees enter the car's generalised cost; calibrated to car-trip elasticities to parking "
               "price of -0.1 to -0.3 (Litman, methods §1.3)",
    ),
    MeasureKind(
        "pt_fare", "land_use_transport",
        "Public-transport fares relative to 2009 (-0.3 = 30 % cheaper).",
        (Field("change", "relative change", None, -1.0, 5.0, "fare change relative to 2009", required=True),),
        field_levers({"change": "pt_fare_change"}),
        source="fare elasticity of Norwegian local public transport -0.38 (TØI 505/2001)",
    ),
    MeasureKind(
        "pt_service", "land_use_transport",
        "Public-transport departures per hour relative to 2009 (0.2 = 20 % more departures); waiting time "
        "falls with the headway, and bus vehicle-km rise.",
        (Field("change", "relative change", None, -0.9, 5.0, "change in departures per hour relative to 2009",
               required=True),),
        field_levers({"change": "pt_service_change"}),
        source="service elasticity of Norwegian local public transport +0.42 (TØI 505/2001)",
    ),
    MeasureKind(
        "biofuel_blend", "land_use_transport",
        "Biofuel blended into road fuels (sales mandate). Biofuel CO2 counts as zero in the territorial "
        "inventory, so the blend lowers fossil CO2 of every petrol and diesel vehicle.",
        (share("petrol_share", "biofuel share of petrol sold, by volume", None, True),
         share("diesel_share", "biofuel share of diesel sold, by volume", None, True)),
        field_levers({"petrol_share": "biofuel_share_petrol", "diesel_share": "biofuel_share_diesel"}),
        source="IPCC 2006 and the municipal inventory: biogenic CO2 is not counted",
    ),
    MeasureKind(
        "ev_incentives", "land_use_transport",
        "National advantages for battery-electric cars: VAT and registration-tax exemption at purchase, and "
        "the discount on tolls and municipal parking that national rules guarantee (1 = free; a cordon's or "
        "municipality's own lower BEV rate applies where lower). A field left out keeps the value in force.",
        (share("vat_exemption", "share of the 25 % VAT a battery-electric car is spared", None),
         share("registration_tax_exemption", "share of the registration tax spared", None),
         share("toll_discount", "minimum discount on tolls guaranteed by national rules", None),
         share("parking_discount", "minimum discount on municipal parking fees guaranteed by national rules",
               None)),
        field_levers({"vat_exemption": "bev_vat_exemption",
                       "registration_tax_exemption": "bev_registration_tax_exemption",
                       "toll_discount": "bev_toll_discount_min", "parking_discount": "bev_parking_discount_min"}),
        source="Bjerkan, Nørbech & Nordtømme (2016), Transportation Research Part D 43 (methods §1.5)",
    ),
)

assert all(lever in LEVERS for lever in ("toll_nok", "parking_fee_nok", "bev_parking_discount"))
