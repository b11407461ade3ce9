"""What the land-use and transport kinds cost: each kind's declaration (``COSTS`` at the end, attached to the
kinds in ``transport.py``: its items, their methods and what they leave out, or why it is not costed) and the
quantities the items read: the charges the transport records hold (tolls,
parking fees, low-emission-zone charges, fares) and the users' time (public-transport waiting, parking
supply, congestion), the vehicles bought and held (the residents' cars, the tax relief on battery-electric
cars, zero-emission vans and trucks, gas buses), shared cars and bus operation. Conventions: ``costing.py``.

Costed kinds (congestion_charge, toll_change, parking_fee, pt_fare,
pt_service, ev_incentives, parking_supply, low_emission_zone, zero_emission_freight, car_sharing,
bus_biogas); the gas buses are also used by ``biogas_from_food_waste`` (``costs_waste.py``).
"""

from __future__ import annotations

import numpy as np

from .. import dims
from ..parameters import Params
from ..submodels import tolls
from . import costing
from .base import CostItem, Costs
from .costing import (RunView, annuity_factor, difference, money, param, purchases, rule_of_half,
                      weibull_mean_life)



# ---------------------------------------------------------------- charges the transport records hold

def toll_charge(view: RunView) -> tuple[np.ndarray, np.ndarray]:
    """Mean revenue per light passage [NOK] and light passages [1/yr] through the cordons each
    municipality owns ``(T, D, M)``: toll_revenue / (365 x cordon_car_trips summed over periods).
    The revenue holds vans' and trucks' tolls too, so the price per passage is an upper estimate."""
    q = tolls.DAYS_PER_YEAR * view.record["cordon_car_trips"].sum(-1)
    r = view.record["toll_revenue"]
    return np.where(q > 0, r / np.maximum(q, 1e-9), 0.0), q


def toll_line_loss(base: RunView, run: RunView) -> np.ndarray:
    """Users' loss beyond what they pay from a change of tolls [NOK/yr] ``(T, D, M)``, cordon by cordon and
    period by period on the light vehicles' passages across each cordon's line (``cordon_passages``, counted
    also where a cordon does not charge) at its fleet-average toll per passage (0 where it does not charge):
    1/2 (P0 + P1) (L0 - L1), to the owner of the cordon; less the same over the passages the hour rules waive
    at their (cheaper) toll, pair by pair. The line's passages are the same units with and without the measure,
    so a scheme that charges more cordons, both directions, or a successor's stations (Oslo's three cordons of
    2019 in place of the inbound ring of 1990) has its loss on the passages it removes, not a gain on the
    passages it starts to count; and a passage moved out of the peak loses half its change of toll."""
    def rule_of_half(prices: str, passages: np.ndarray, passages_run: np.ndarray, owner: np.ndarray) -> np.ndarray:
        """:func:`costing.deadweight` over the periods of each cordon (or pair), per year, to its owner."""
        p0, p1, q0, q1 = (np.nan_to_num(np.asarray(x, dtype=float)) for x in
                          (base.cordon_record[prices], run.cordon_record[prices], passages, passages_run))
        loss = costing.deadweight(q0, q1, p0, p1).sum(-1) * tolls.DAYS_PER_YEAR         # (T, D, C or G)
        out = np.zeros(loss.shape[:2] + (len(dims.MUNICIPALITIES),))
        np.add.at(out, (slice(None), slice(None), owner), loss)
        return out

    loss = rule_of_half("cordon_price", base.record["cordon_passages"], run.record["cordon_passages"],
                        run.cordon_owner)
    if len(run.pair_owner):
        loss -= rule_of_half("waived_price", base.cordon_record["waived_passages"],
                             run.cordon_record["waived_passages"], run.pair_owner)
    return loss


def _toll_and_parking_loss(base: RunView, run: RunView) -> np.ndarray:
    """Users' loss of a change of tolls (:func:`toll_line_loss`) and parking fees (rule of half) together."""
    (p0, q0), (p1, q1) = parking_charge(base), parking_charge(run)
    return toll_line_loss(base, run) + costing.deadweight(q0, q1, p0, p1).sum(-1)


def _bev_vkm_share(view: RunView) -> np.ndarray:
    car_vkm = view.record["car_vkm"]
    total = car_vkm.sum(-1)
    return np.where(total > 0, car_vkm[..., dims.POWERTRAINS.index("bev")] / np.maximum(total, 1e-9), 0.0)


def parking_charge(view: RunView) -> tuple[np.ndarray, np.ndarray]:
    """Expected municipal parking fee per car trip ending in each zone type [NOK] and those trips
    [1/yr], ``(T, D, M, Z)``: fee x ``transport.public_parking_share.<zone>`` x (1 - BEV share of car
    vkm x BEV discount), as the mode choice prices it."""
    lv, p = view.levers, view.params
    discount = np.maximum(lv["bev_parking_discount"], lv["bev_parking_discount_min"])
    public = p.vector("transport.public_parking_share", dims.ZONES)[None, :, None, :]
    fee = lv["parking_fee_nok"] * public * (1.0 - _bev_vkm_share(view) * discount)[..., None]
    return fee, view.record["parked_car_trips"]


def low_emission_charge(view: RunView) -> tuple[np.ndarray, np.ndarray]:
    """Low-emission-zone charge per car trip ending in each zone type [NOK] (charge x non-BEV share of
    car vkm) and those trips [1/yr], ``(T, D, M, Z)``."""
    fossil = 1.0 - _bev_vkm_share(view)
    return view.levers["low_emission_zone_nok"] * fossil[..., None], view.record["parked_car_trips"]


def pt_fare_charge(view: RunView) -> tuple[np.ndarray, np.ndarray]:
    """Fare per public-transport trip [NOK] (``transport.pt_fare`` x (1 + lever pt_fare_change)) and
    the residents' public-transport trips [1/yr], ``(T, D, M)``."""
    fare = param(view.params, "transport.pt_fare") * (1.0 + view.levers["pt_fare_change"])
    return fare, view.record["trips"][..., dims.MODES.index("public_transport")]


# ---------------------------------------------------------------- users' time

def purpose_mean(p: Params, prefix: str) -> np.ndarray:
    """Trip-weighted mean over purposes of ``prefix.<purpose>`` ``(D,)`` (weights
    ``transport.purpose_share.*``)."""
    w = p.vector("transport.purpose_share", dims.PURPOSES)
    return (w * p.vector(prefix, dims.PURPOSES)).sum(-1) / w.sum(-1)


def pt_wait_cost(view: RunView) -> np.ndarray:
    """Weighted waiting cost of a public-transport trip [NOK] ``(T, D, M)``: wait weight x mean PT
    value of time x (peak share x h_peak + (1 - peak share) x h_offpeak) / (2 (1 + s)) / 60, s the
    lever pt_service_change, peak share the trip-weighted ``transport.peak_share.*``."""
    p = view.params
    peak = purpose_mean(p, "transport.peak_share")
    headway = peak * p["transport.pt_headway.peak"] + (1.0 - peak) * p["transport.pt_headway.offpeak"]
    per_min = p["transport.wait_weight"] * purpose_mean(p, "transport.value_of_time.pt") / 60.0
    return (per_min * headway)[None, :, None] / (2.0 * (1.0 + view.levers["pt_service_change"]))


def pt_trips(view: RunView) -> np.ndarray:
    return view.record["trips"][..., dims.MODES.index("public_transport")]


def parking_supply_cost(view: RunView) -> np.ndarray:
    """Extra cost per car trip ending in each zone type [NOK] ``(T, D, M, Z)`` from removed public
    spaces (removed share x public share x ``transport.parking_relocation_min`` / 60 x mean car value
    of time) and from free workplace parking removed or charged (charged share x min(free share,
    1 - public share) x ``transport.workplace_parking_value``, on the commute share of the trips,
    ``transport.purpose_share.commute`` over the sum of the purpose shares, as in the travel demand)."""
    p, lv = view.params, view.levers
    public = p.vector("transport.public_parking_share", dims.ZONES)[None, :, None, :]
    vot = purpose_mean(p, "transport.value_of_time.car")[None, :, None, None]
    search = lv["public_parking_removed"] * public * param(p, "transport.parking_relocation_min")[..., None] / 60 * vot
    free = np.minimum(p["transport.free_workplace_parking_share"][None, :, None, None], 1.0 - public)
    # the commute share as the travel demand uses it: the sampled purpose shares rescaled to sum to 1
    shares = p.vector("transport.purpose_share", dims.PURPOSES)
    commute = (shares[:, dims.PURPOSES.index("commute")] / shares.sum(-1))[None, :, None, None]
    work = (lv["workplace_parking_charged"] * free * param(p, "transport.workplace_parking_value")[..., None]
            * commute)
    return search + work


def car_time_cost(view: RunView) -> np.ndarray:
    """In-vehicle time cost of a residents' car-driver trip at the year's congested speeds [NOK] ``(T, D, M)``:
    ``car_hours / car-driver trips x`` the trip-weighted mean car value of time (``transport.value_of_time.car.*``)."""
    trips = view.record["trips"][..., dims.MODES.index("car_driver")]
    hours = view.record["car_hours"] / np.maximum(trips, 1e-9)
    return hours * purpose_mean(view.params, "transport.value_of_time.car")[None, :, None]


def car_driver_trips(view: RunView) -> np.ndarray:
    return view.record["trips"][..., dims.MODES.index("car_driver")]


def congestion_item() -> CostItem:
    """Time gained (or lost) by the car trips as congestion changes: the rule of half on the in-vehicle time
    cost of a car-driver trip, 1/2 (q0 + q1) (g1 - g0), negative when the roads get faster."""
    def compute(base, run, rate):
        return rule_of_half(car_driver_trips(base), car_driver_trips(run), car_time_cost(base), car_time_cost(run))

    return CostItem("congestion_time", "resource", "users",
                    "car drivers' in-vehicle time at the year's congested speeds (BPR, car_hours / car-driver trips x "
                    "the mean car value of time, transport.value_of_time.car.*); rule of half: 1/2 (q0 + q1) "
                    "(g1 - g0), a gain where less traffic speeds the roads up", compute)


# ---------------------------------------------------------------- vehicles bought

def car_prices(view: RunView) -> np.ndarray:
    """Pre-tax price of a new car by powertrain [real 2009 NOK], ``(T, D, 1, K)``: petrol and diesel
    ``transport.car_price.*``; PHEV and BEV the petrol price plus the battery premium
    ``transport.price_premium_2009.*`` x exp(-``transport.price_premium_decline.*`` (t - 2009))
    (as the powertrain choice prices them)."""
    p = view.params
    t = (view.years - dims.BASE_YEAR).astype(float)[:, None, None]
    petrol, diesel = param(p, "transport.car_price.petrol"), param(p, "transport.car_price.diesel")
    plug = [petrol + param(p, f"transport.price_premium_2009.{k}")
            * np.exp(-param(p, f"transport.price_premium_decline.{k}") * t) for k in ("phev", "bev")]
    return np.stack(np.broadcast_arrays(petrol, diesel, *plug), axis=-1)


def vehicle_life(p: Params, vehicle: str) -> np.ndarray:
    """Mean life of a vehicle class [yr] ``(D,)`` from its Weibull survival."""
    return weibull_mean_life(p[f"transport.weibull_scale.{vehicle}"], p[f"transport.weibull_shape.{vehicle}"])


def car_capital_cost(view: RunView, rate) -> np.ndarray:
    """Capital cost of the residents' cars [real 2009 NOK/yr] ``(T, D, M)``: sum over powertrains of
    cars x pre-tax price x annuity_factor(rate, mean car life)."""
    factor = annuity_factor(rate, vehicle_life(view.params, "car"))[None, :, None]
    return (view.record["car_stock"] * car_prices(view)).sum(-1) * factor


def cars_item() -> CostItem:
    return difference(
        "vehicles", "resource", "users",
        "change in the capital cost of the residents' cars: cars by powertrain x pre-tax price "
        "(transport.car_price.*, battery premium falling at transport.price_premium_decline.*) x annuity "
        "factor over the mean car life (Weibull, transport.weibull_*.car)", car_capital_cost)


def new_cars(view: RunView) -> np.ndarray:
    """New cars bought by the residents [cars/yr] ``(T, D, M)``: :func:`purchases` of the car stock
    over the mean car life."""
    return purchases(view.record["car_stock"].sum(-1), vehicle_life(view.params, "car"))


def bev_tax_relief(view: RunView) -> np.ndarray:
    """VAT and registration tax the new battery-electric cars are spared [real 2009 NOK/yr]
    ``(T, D, M)``: new cars x BEV share of new cars x (VAT exemption x ``transport.vat_rate`` x pre-tax
    price + registration-tax exemption x ``transport.registration_tax.bev``)."""
    p, lv = view.params, view.levers
    bev = view.record["new_car_share"][..., dims.POWERTRAINS.index("bev")] * new_cars(view)
    price = car_prices(view)[..., dims.POWERTRAINS.index("bev")]
    per_car = (lv["bev_vat_exemption"] * param(p, "transport.vat_rate") * price
               + lv["bev_registration_tax_exemption"] * param(p, "transport.registration_tax.bev"))
    return bev * per_car


def zero_emission_premium(p: Params, kind: str, vehicle: str, years: np.ndarray) -> np.ndarray:
    """Extra purchase price of a zero-emission vehicle [real 2009 NOK] ``(T, D, 1)``:
    ``cost.<kind>.<vehicle>_premium`` (2019 NOK) x exp(-``cost.<kind>.premium_decline`` (t - 2019))."""
    t = (years - 2019).astype(float)[:, None, None]
    return (money(p, f"cost.{kind}.{vehicle}_premium", 2019)
            * np.exp(-param(p, f"cost.{kind}.premium_decline") * t))


def zero_emission_outlays(view: RunView, kind: str, vehicles: tuple[str, ...]) -> np.ndarray:
    """Extra purchase cost of the zero-emission vehicles of ``vehicles`` (classes of ``dims.VEHICLE_CLASSES``)
    bought [real 2009 NOK/yr] ``(T, D, M)``: for each class, purchases of the stock (territorial vkm /
    ``transport.annual_km.<class>``, over its mean Weibull life) x the lever's zero-emission share of new
    vehicles x the premium (:func:`zero_emission_premium`)."""
    p, out = view.params, 0.0
    for vehicle in vehicles:
        vkm = view.record["vkm"][..., dims.VEHICLE_CLASSES.index(vehicle)]
        stock = vkm / param(p, f"transport.annual_km.{vehicle}")
        bought = purchases(stock, vehicle_life(p, vehicle)) * view.levers[f"zero_emission_share_new_{vehicle}"]
        out = out + bought * zero_emission_premium(p, kind, vehicle, view.years)
    return out


def zero_emission_item(kind: str, vehicles: tuple[str, ...], what: str, life: str) -> CostItem:
    """The vehicles item of a zero-emission kind: the extra purchase cost of the vehicles bought, an
    investment annuitised over the mean life of ``life`` (a class)."""
    names = tuple(f"cost.{kind}.{v}_premium" for v in vehicles) + (f"cost.{kind}.premium_decline",)
    return costing.investment_item(
        "vehicles", "users",
        f"extra purchase cost of {what} bought: purchases of each fleet (vkm / transport.annual_km.*, over the mean "
        f"Weibull life) x zero-emission share of new vehicles x cost.{kind}.<{'|'.join(vehicles)}>_premium (2019 "
        f"NOK), falling at cost.{kind}.premium_decline",
        lambda view: zero_emission_outlays(view, kind, vehicles), lambda p: vehicle_life(p, life), names)


def gas_bus_capital_cost(view: RunView, rate) -> np.ndarray:
    """Extra capital cost of gas buses [real 2009 NOK/yr] ``(T, D, M)``: gas buses x ``cost.bus_biogas.bus_premium``
    (2019 NOK) x annuity_factor(rate, mean bus life). The gas buses are the run's share of the bus km on biogas
    (``bus_biogas_vkm_share``: the lever ``bus_biogas_share`` or the food waste's biogas, of the diesel buses' km)
    x buses (bus vkm / ``transport.annual_km.bus``)."""
    p = view.params
    buses = view.record["vkm"][..., dims.VEHICLE_CLASSES.index("bus")] / param(p, "transport.annual_km.bus")
    factor = annuity_factor(rate, vehicle_life(p, "bus"))[None, :, None]
    return view.record["bus_biogas_vkm_share"] * buses * money(p, "cost.bus_biogas.bus_premium", 2019) * factor


def gas_bus_item() -> CostItem:
    return difference("vehicles", "resource", "public",
                      "change in the extra capital cost of gas buses: the run's share of the bus km on biogas (of the "
                      "diesel buses' km: the lever bus_biogas_share or the food waste's biogas) x buses (bus vkm / "
                      "transport.annual_km.bus) x cost.bus_biogas.bus_premium (2019 NOK) x annuity factor over the "
                      "mean bus life", gas_bus_capital_cost, ("cost.bus_biogas.bus_premium",))


# ---------------------------------------------------------------- operation

def shared_fleet_cost(base: RunView, run: RunView, rate) -> np.ndarray:
    """Shared cars in service [real 2009 NOK/yr] ``(T, D, M)``: the members' cars given up (base - run
    car stock) / ``cost.car_sharing.cars_replaced_per_shared_car``, each costing a petrol car's
    price x annuity_factor(rate, mean car life) + ``cost.car_sharing.operating_cost_per_car`` (2019 NOK/yr)."""
    p = run.params
    given_up = np.maximum(base.record["car_stock"].sum(-1) - run.record["car_stock"].sum(-1), 0.0)
    shared = given_up / param(p, "cost.car_sharing.cars_replaced_per_shared_car")
    capital = param(p, "transport.car_price.petrol") * annuity_factor(rate, vehicle_life(p, "car"))[None, :, None]
    return shared * (capital + money(p, "cost.car_sharing.operating_cost_per_car", 2019))


def bus_operating_cost(view: RunView) -> np.ndarray:
    """Bus operation [real 2009 NOK/yr] ``(T, D, M)``: territorial bus vkm x
    ``cost.pt_service.operating_cost_per_vkm`` (2019 NOK/vkm)."""
    return (view.record["vkm"][..., dims.VEHICLE_CLASSES.index("bus")]
            * money(view.params, "cost.pt_service.operating_cost_per_vkm", 2019))


# ---------------------------------------------------------------- what each kind costs (attached in transport.py)

_TOLL_METHOD = ("revenue per light passage (toll_revenue / light passages of the owner's cordons) x passages; the "
                "users' loss cordon by cordon on the passages across its line at its fleet-average light toll")
_TOLL_LEFT_OUT = (
    "investment in gantries and back office: no figure in the reference (transport_land_use.csv "
    "congestion_charge: GAP); an existing cordon needs none",
    "the loss of trips moved between periods beyond the rule of half on each period's passages",
    "vehicle and energy costs of the charge's effect on car purchase and use: the users' own fuel savings on "
    "trips given up are inside the rule of half, and fuel taxes are transfers",
)
_NOT_RECORDED = "the transport submodel records no change of generalised cost or logsum for it"


def _toll_costs() -> Costs:
    return Costs(
        costing.charge_items("toll", toll_charge, _TOLL_METHOD, "cost.toll.operating_share",
                             users_loss=toll_line_loss) + (congestion_item(),),
        not_counted=_TOLL_LEFT_OUT + (
            "the price per passage includes the tolls of vans and trucks (an upper estimate of the loss)",),
        # README "Known limits": the 13's modelled toll revenue of 2018 exceeds what all Norwegian toll companies
        # collected; the tax-financing item is a share of it
        caveat="toll revenue about twice observed")


COSTS = {
    "congestion_charge": _toll_costs(),
    "toll_change": _toll_costs(),
    "parking_fee": Costs(
        costing.charge_items("parking fee", parking_charge,
                             "fee x transport.public_parking_share.<zone> x (1 - BEV share of car vkm x BEV discount) "
                             "x car-driver trips ending in the zone type", "cost.parking_fee.operating_share")
        + (congestion_item(),),
        not_counted=("investment in payment systems and signs (GAP)",
                     "vehicle and energy costs of the fee's effect on car use: the users' own fuel savings are "
                     "inside the rule of half")),
    "pt_fare": Costs(
        costing.charge_items("fare", pt_fare_charge,
                             "transport.pt_fare x (1 + pt_fare_change) x residents' public-transport trips")
        + (congestion_item(),),
        not_counted=("crowding and the extra capacity new riders may need (the model holds the service)",
                     "car fuel saved by those who switch: inside the users' surplus"),
        caveat="new riders carried at no cost"),
    "pt_service": Costs(
        (costing.level_item("operation", "resource", "public",
                            "change in bus vkm x cost.pt_service.operating_cost_per_vkm (2019 NOK; driver, vehicle, "
                            "fuel)", bus_operating_cost, ("cost.pt_service.operating_cost_per_vkm",)),
         *costing.charge_items("fare", pt_fare_charge,
                               "transport.pt_fare x (1 + pt_fare_change) x residents' public-transport trips"),
         costing.users_time_item(
             "waiting time of public-transport trips: wait weight x mean PT value of time x headway / (2 (1 + "
             "pt_service_change)), peak and off-peak weighted by the trips' peak share",
             pt_wait_cost, pt_trips), congestion_item()),
        not_counted=("rail and tram service (all extra service is priced as bus vkm)",
                     "car fuel saved by those who switch: inside the users' surplus")),
    "biofuel_blend": Costs(
        (costing.energy_item(),),
        not_counted=("the users' loss from dearer fuel beyond its resource cost (fuel taxes are transfers)",)),
    "ev_incentives": Costs(
        (cars_item(), costing.energy_item(),
         *costing.transfer_pair("tax_expenditure", "tax_relief",
                                "VAT and registration tax the new battery-electric cars are spared: new cars x BEV "
                                "share x (VAT exemption x transport.vat_rate x pre-tax price + registration-tax "
                                "exemption x transport.registration_tax.bev)", bev_tax_relief),
         *costing.charge_items("toll and parking", costing.combined_charge(toll_charge, parking_charge),
                               "as congestion_charge and parking_fee", users_loss=_toll_and_parking_loss)),
        not_counted=("access to bus lanes and free ferries",
                     "the users' surplus of the purchase incentives beyond the vehicles' resource cost")),
    "parking_supply": Costs(
        (costing.users_time_item(
            "removed public spaces: removed share x public share x transport.parking_relocation_min / 60 x mean car "
            "value of time; free workplace parking removed or charged: charged share x min(free share, 1 - public "
            "share) x transport.workplace_parking_value on the commute share (transport.purpose_share.commute) of "
            "the car-driver trips ending in the zone type",
            parking_supply_cost, lambda v: v.record["parked_car_trips"]),
         congestion_item()),
        not_counted=("the value of the parking space freed (land for other uses) and any workplace charge employers "
                     "collect: a gain, so the cost is an upper estimate",
                     "users' fuel savings on trips given up: inside the rule of half")),
    "low_emission_zone": Costs(
        (*costing.charge_items("zone charge", low_emission_charge,
                               "charge x non-BEV share of car vkm x car-driver trips ending in the zone type",
                               "cost.toll.operating_share"),
         cars_item(), costing.energy_item(), congestion_item()),
        not_counted=("cameras and signs (GAP)",
                     "the energy item also counts fuel saved on trips given up, which the users' surplus holds at "
                     "consumer prices (the cost is slightly understated)")),
    "zero_emission_zone": costing.not_costed(
        "the users' loss of car access is the main cost and " + _NOT_RECORDED + "; no enforcement cost is "
        "published (transport_land_use.csv low_emission_zone: GAP)"),
    "car_free_centre": costing.not_costed(
        "Oslo's car-free city-life programme cost 100 MNOK/yr (transport_land_use.csv car_free_centre, low "
        "confidence) for a package whose extent is not a field here; the users' loss of car access " + _NOT_RECORDED),
    "new_rail_line": costing.not_costed(
        "investment and operating cost of Bybanen are a GAP in the reference, and the line's length is not a field"),
    "cycle_network": costing.not_costed(
        "no cost of cycle infrastructure in the reference (GAP), and the network's length is not a field"),
    "walkability": costing.not_costed("no cost of street improvements in the reference (GAP)"),
    "densification": costing.not_costed(
        "a planning rule: the land and construction-cost differences of compact growth are not in the reference "
        "(GAP)"),
    "job_location_abc": costing.not_costed(
        "a planning rule: the cost of locating jobs at hubs is not in the reference (GAP)"),
    "park_and_ride": costing.not_costed(
        "the cost of park-and-ride spaces is not in the reference (GAP), and the number of spaces is not a field"),
    "freight_consolidation": costing.not_costed(
        "the running cost of consolidation centres is a GAP (Allen et al. 2012: figures not retrieved); Klimakur "
        "2030 T03 gives only a cost class (< 500 NOK/t)"),
    "zero_emission_freight": Costs(
        (zero_emission_item("zero_emission_freight", ("van", "heavy"), "zero-emission vans and trucks", "van"),
         costing.energy_item()),
        not_counted=("charging infrastructure (GAP)",
                     "Enova support, a transfer that is not part of the kind")),
    "zero_emission_buses": Costs(
        (zero_emission_item("zero_emission_buses", ("bus",), "zero-emission buses", "bus"),
         costing.energy_item()),
        not_counted=("chargers at depots and end stops (GAP; in the premium's range)",
                     "Enova support, a transfer that is not part of the kind")),
    "car_sharing": Costs(
        (cars_item(),
         CostItem("operation", "resource", "users",
                  "shared cars in service: members' cars given up / cost.car_sharing.cars_replaced_per_shared_car x "
                  "(petrol car price x annuity factor over the mean car life + "
                  "cost.car_sharing.operating_cost_per_car, 2019 NOK)", shared_fleet_cost,
                  ("cost.car_sharing.cars_replaced_per_shared_car", "cost.car_sharing.operating_cost_per_car")),
         costing.energy_item(), congestion_item()),
        not_counted=("the members' loss of having a car at hand (" + _NOT_RECORDED + ")",
                     "membership fees, a transfer",
                     "the remaining value of the cars members give up (sold or scrapped early; the vehicles item "
                     "counts every car at a new car's annuity)")),
    "telework": costing.not_costed(
        "no cost of telework in the reference (GAP); its main economic effects, commuting time saved and office "
        "space, are not in the model"),
    "road_capacity": costing.not_costed(
        "road investment per lane-km is not in the reference and the base lane-km is not in the model (the field "
        "is a relative change); travel-time gains " + _NOT_RECORDED),
    "bus_biogas": Costs(
        (gas_bus_item(), costing.energy_item()),
        not_counted=("filling stations (GAP)",)),
}
