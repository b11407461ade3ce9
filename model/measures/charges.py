"""Measure kinds of land use and transport that charge or restrain car use: tolls on a cordon and their general
changes, parking fees and parking supply, low- and zero-emission zones and car-free centres (the programme's
restrictive measures; ``transport.py`` has the rest of the area).

Each sets levers that enter the car's generalised cost of the trips they reach, or remove the car for some of
them (docs/model.md §3.2-3.3); none cuts emissions by a fixed percentage.
"""

from __future__ import annotations

import numpy as np

from ..levers import TOLL_FUELS, axis_labels
from .base import Field, MeasureKind, field_levers, share, target, zone_values

REF = "transport_land_use.csv"

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
    # Discount and surcharge by period: the off-peak ones default to the peak's.
    keep = 1.0 - np.array([values["bev_discount"], _or(values, "bev_offpeak_discount", "bev_discount")])
    surcharge = np.array([values["diesel_surcharge_nok"],
                          _or(values, "diesel_offpeak_surcharge_nok", "diesel_surcharge_nok")])
    for k, rates in enumerate((light, heavy)):
        out[c, k, TOLL_FUELS.index("petrol")] = rates
        out[c, k, TOLL_FUELS.index("diesel")] = rates + surcharge * (k == 0)
        out[c, k, TOLL_FUELS.index("bev")] = keep * rates
    return {"toll_nok": out}


def charge_fields(cells: np.ndarray) -> dict[str, float]:
    """The fields of a ``congestion_charge`` that gives its cordon the prices ``cells`` [NOK/passage], axes
    (class: light, heavy; fuel: petrol, diesel, bev; period: peak, off-peak), the inverse of its levers: the
    petrol rates, each period's diesel surcharge (at least 0) and battery cars' discount (1 where petrol pays
    nothing), and the heavy (diesel) rates."""
    petrol, diesel, bev = (np.asarray(cells[0, TOLL_FUELS.index(f)], dtype=float) for f in TOLL_FUELS)
    surcharge = np.maximum(diesel - petrol, 0.0)
    paying = petrol > 0
    discount = np.where(paying, np.clip(1.0 - bev / np.where(paying, petrol, 1.0), 0.0, 1.0), 1.0)
    heavy = cells[1, TOLL_FUELS.index("diesel")]
    return {"peak_nok": float(petrol[0]), "offpeak_nok": float(petrol[1]),
            "diesel_surcharge_nok": float(surcharge[0]), "diesel_offpeak_surcharge_nok": float(surcharge[1]),
            "bev_discount": float(discount[0]), "bev_offpeak_discount": float(discount[1]),
            "heavy_peak_nok": float(heavy[0]), "heavy_offpeak_nok": float(heavy[1])}


def _or(values: dict, name: str, fallback: str) -> float:
    """The field ``name``, or ``fallback``'s value where it is left out."""
    return values[name] if values.get(name) is not None else values[fallback]


def _parking_fee(values: dict) -> dict[str, np.ndarray]:
    out = {"parking_fee_nok": np.asarray(values["fee_nok"], dtype=float)}
    if values.get("bev_discount") is not None:
        out["bev_parking_discount"] = np.asarray(float(values["bev_discount"]))
    return out


def _parking_supply(values: dict) -> dict[str, np.ndarray]:
    out = {}
    for name, lever in (("workplace_share", "workplace_parking_charged"), ("public_removed", "public_parking_removed")):
        if values.get(name) is not None:
            out[lever] = np.asarray(values[name], dtype=float)
    return out


def _emission_zone(lever: str, field: str):
    def to_levers(values: dict) -> dict[str, np.ndarray]:
        coverage = zone_values(values, "coverage", "A")
        return {lever: values[field] * coverage if field else coverage}
    return to_levers


COVERAGE_A = ("share of the trip ends of each zone type inside the zone (a number: every zone type; left out: "
              "all of A zones, nothing elsewhere)")

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
         share("bev_offpeak_discount", "the same outside the peaks, where it differs (default: bev_discount)",
               None),
         Field("diesel_surcharge_nok", NOK, 0.0, 0.0, 100.0, "extra price per passage for light diesel "
               "vehicles", money=True),
         Field("diesel_offpeak_surcharge_nok", NOK, None, 0.0, 100.0, "the same outside the peaks, where it "
               "differs (default: diesel_surcharge_nok)", money=True),
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
        "Municipal parking fee per car trip ending in each zone type (A central, B mixed, C car-oriented), "
        "as its rise above the fee of 2009: the 2009 fees are in the 2009 travel choices the model starts "
        "from, so 0 is the 2009 fee, not free parking (a fee of 40 NOK where 25 were paid in 2009 is 15). "
        "Trips ending at home park free. Zones left out keep the fee in force (not one set by a measure this one "
        "replaces, which ends with it).",
        (Field("fee_nok", "NOK/trip", None, 0.0, 300.0, "parking fee per car trip ending in the zone type, "
               "above the fee of 2009 (0: the 2009 fee)", axis="zone", required=True, money=True),
         share("bev_discount", "local discount for battery-electric cars (national rules may require more)",
               None)),
        _parking_fee,
        source="parking fees enter the car's generalised cost; calibrated to car-trip elasticities to parking "
               "price of -0.1 to -0.3 (Litman, methods §1.3)",
    ),
    MeasureKind(
        "toll_change", "land_use_transport",
        "A general change of the tolls in force: every price (classes, fuels, periods) of the municipality's "
        "cordons, or of the cordons listed, times a factor (1.2 = 20 % dearer). Unlike congestion_charge, which "
        "sets prices, this scales whatever prices are in force, including prices a later measure sets, until "
        "it ends or another toll_change replaces it.",
        (Field("factor", "multiplier", None, 0.0, 5.0, "factor on the prices in force (a number: every cordon the "
               "municipality owns; a table: the cordons given)", axis="cordon", required=True),),
        field_levers({"factor": "toll_scale"}),
        source="acts through the toll segments of the mode and period choice and the freight toll response "
               "(methods §1.2-1.4); crossing trips answer with the long-run toll elasticity -0.35 of "
               "transport.toll_elasticity (Norwegian rings -0.22 to -0.45, Jones & Hervik 1992, "
               "elasticities_and_values_of_time.csv; `framtid elasticities`)",
    ),
    MeasureKind(
        "parking_supply", "land_use_transport",
        "Less parking: free workplace parking removed or charged (the commute trips ending in the zone type that "
        "parked free at work pay its value, transport.workplace_parking_value, as an expected cost), and public "
        "spaces removed (the car trips that parked there search and walk transport.parking_relocation_min "
        "further, at the car drivers' value of time). Both enter the car's generalised cost of trips ending in "
        "the zone type; trips ending at home are not affected.",
        (Field("workplace_share", "share", None, 0.0, 1.0, "share of the free workplace parking of commuters "
               "ending in the zone type removed or charged (0.5 halves the share with free parking)", axis="zone"),
         Field("public_removed", "share", None, 0.0, 1.0, "share of the public parking spaces of the zone type "
               "removed", axis="zone")),
        _parking_supply,
        source=f"{REF} parking_supply_workplace: about 2/3 of workers have free workplace parking and halving that "
               "share gives -7 percentage points car share of commutes (TØI model, Nordbakke et al.; the model "
               "gives about -7 pp, tests/test_measures_transport.py); its value 65 NOK (2006) per trip "
               "(fase2.kollektivtransport.net); limiting spaces has the largest effect of parking measures "
               "(tiltak.no B-1.4), search time per removed space is an assumption (GAP; "
               "transport.parking_relocation_min)",
    ),
    MeasureKind(
        "low_emission_zone", "land_use_transport",
        "Low-emission zone: fossil-fuelled cars (petrol, diesel, plug-in hybrid) pay a charge for each trip "
        "ending in the zone (for a daily fee, give the fee over the trips a car makes into the zone a day). It "
        "raises the car's generalised cost of those trips by the charge times the "
        "non-electric share of car vkm, and the yearly cost of owning a fossil car in the powertrain choice "
        "(TCO), so its effect on travel falls as the fleet turns electric while it speeds that turn.",
        (Field("charge_nok", "NOK/trip", None, 0.0, 300.0, "charge per entry (trip ending in the zone) of a "
               "fossil-fuelled car", required=True, money=True),
         Field("coverage", "share", None, 0.0, 1.0, COVERAGE_A, axis="zone")),
        _emission_zone("low_emission_zone_nok", "charge_nok"),
        source=f"{REF} low_emission_zone: zones work through fleet renewal (London ULEZ: non-compliant vehicles "
               "-58 % from announcement to first month, -50 % after the expansion, traffic not reduced); "
               "Nordic effect sizes are a GAP, so the response follows from the model's toll-calibrated cost "
               "coefficient (transport.toll_elasticity) and the TCO logit of the powertrain choice "
               "(transport.tco_coefficient, methods §1.5)",
    ),
    MeasureKind(
        "zero_emission_zone", "land_use_transport",
        "Zero-emission zone: fossil-fuelled cars (petrol, diesel, plug-in hybrid) may not go there. For the "
        "trips ending in the zone the car-driver alternative is removed for the fossil share of the fleet (they "
        "shift by the logit to the other modes), and a fossil car's owner counts the lost access in the "
        "powertrain choice (the logsum loss -ln(1 - P_car)/beta per trip, in NOK). As the electric share "
        "rises, fewer trips lose the car, so the zone's effect shrinks.",
        (Field("coverage", "share", None, 0.0, 1.0, COVERAGE_A, axis="zone"),),
        _emission_zone("zero_emission_zone_share", ""),
        source=f"{REF} low_emission_zone: no published Nordic effect of a zero-emission zone (GAP); the mechanism "
               "is the removal of an alternative in the pivot-point logit (methods §1.2) and the compensating "
               "variation of the logsum (Small & Rosen 1981) in the TCO logit (methods §1.5)",
    ),
    MeasureKind(
        "car_free_centre", "land_use_transport",
        "Car-free centre: no car-driver or car-passenger trip ends inside the area; those trips shift by the "
        "logit to public transport, cycling and walking (destinations do not change). Residents' trips home "
        "keep access, and so do goods vehicles.",
        (Field("coverage", "share", None, 0.0, 1.0, "share of the trip ends of each zone type inside the car-free "
               "area (a number: every zone type; left out: all of A zones; Oslo's area inside Ring 1 is a small "
               "part of its A zones)", axis="zone"),),
        _emission_zone("car_free_share", ""),
        source=f"{REF} car_free_centre: Oslo's car-free city life 2016-2019, -28 % cars inside Ring 1 with parking "
               "removed, streets closed and tolls and fees raised at the same time (Sweco, low confidence, not "
               "attributable); here the mechanism is the removal of the car alternatives for the trips ending "
               "there (pivot-point logit, methods §1.2)",
    ),
)
