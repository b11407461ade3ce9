"""Measure kinds of land use and transport: public transport, active travel, land use, freight, fuels and
vehicles, after the kinds that charge or restrain car use (tolls, parking, zones: ``charges.py``).

Every kind sets levers that a submodel turns into a mechanism (docs/model.md §3.2-3.3): a cost or time in
the generalised cost of the pivot-point logit, an alternative removed for some trips, trips by purpose, a
zone allocation, road capacity in the BPR curve, fleet shares or a fuel. None cuts emissions by a fixed
percentage: effects and interactions (e.g. a zero-emission zone and the electric share of the fleet) come
out of the model. Effect sizes: transport_land_use.csv (the shared reference file of published effects)
and methods §1-2, cited in each kind's ``source`` and in the parameter table.
"""

from __future__ import annotations

import numpy as np

from ..levers import LEVERS
from . import costing, costs_transport
from . import charges
from .base import ZONES, Field, MeasureKind, example_values, field_levers, share, zone_values
from .charges import COVERAGE_A, REF

def _times_share(lever: str, time_field: str, share_field: str, default_zone: str | None):
    """lever = time saved x share of the zone's trips reached (per zone; zones left out are not set)."""
    def to_levers(values: dict) -> dict[str, np.ndarray]:
        share = (zone_values(values, share_field, default_zone) if default_zone
                 else np.broadcast_to(np.asarray(values[share_field], dtype=float), (len(ZONES),)))
        return {lever: float(values[time_field]) * share}
    return to_levers


def _car_sharing(values: dict) -> dict[str, np.ndarray]:
    return {"car_ownership_change": np.asarray(-values["member_share"] * values["ownership_fall"])}


def _telework(values: dict) -> dict[str, np.ndarray]:
    return {"telework_share": np.asarray(values["days_per_week"] / 5.0 * values["worker_share"])}


def _road_capacity(values: dict) -> dict[str, np.ndarray]:
    return {"road_capacity_change": np.asarray(values["change"] * values["traffic_share"])}


def _zero_emission_freight(values: dict) -> dict[str, np.ndarray]:
    return field_levers({"van_share": "zero_emission_share_new_van",
                         "heavy_share": "zero_emission_share_new_heavy"})(values)


MIN = "min/trip"

# the area's kinds: those that charge or restrain car use (charges.py), then the rest
KINDS = charges.KINDS + (
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
    MeasureKind(
        "new_rail_line", "land_use_transport",
        "A new rail line (light rail, metro, or bus rapid transit): public-transport in-vehicle time falls on "
        "the corridors it serves. The saving per trip times the share of the zone type's trips on the served "
        "corridors lowers public transport's generalised cost by the value of time (VoT x time) in the "
        "pivot-point logit. Two lines add up.",
        (Field("time_saving_min", MIN, None, 0.0, 30.0, "in-vehicle time saved per public-transport trip on the "
               "served corridors", required=True),
         Field("corridor_share", "share", None, 0.0, 1.0, "share of the residents' trips on the served corridors "
               "(a number: every zone type; a table: the zone types served)", axis="zone", required=True)),
        _times_share("pt_time_saving_min", "time_saving_min", "corridor_share", None),
        source=f"{REF} new_rail_brt: ridership per minute saved is a GAP; the value of in-vehicle time "
               "(TØI 1389/2015, transport.value_of_time.pt.*) and the fare-calibrated PT coefficient "
               "(transport.fare_elasticity) turn minutes into utility (methods §1.2); check against Bergen's "
               "light rail: +1 pp PT share per 5 years attributable (district comparison) to +4 pp for the whole "
               "2008-2014 package (Engebretsen et al. 2017)",
    ),
    MeasureKind(
        "cycle_network", "land_use_transport",
        "Cycle network (separated lanes and paths, fewer detours and junction waits): the perceived time of a "
        "bicycle trip falls for the share of the zone type's trips it reaches; the utility of cycling rises by "
        "the time saved at public transport's value of time, and trips shift by the pivot-point logit.",
        (Field("time_saving_min", MIN, 3.0, 0.0, 15.0, "perceived time saved per bicycle trip on the network "
               "(includes the safety and comfort of separated lanes)"),
         Field("coverage", "share", 1.0, 0.0, 1.0, "share of the zone type's trips the network reaches",
               axis="zone")),
        _times_share("bicycle_time_saving_min", "time_saving_min", "coverage", None),
        source=f"assumption: {REF} cycle_network gives no effect size (Buehler & Pucher 2012 elasticity and "
               "the Norwegian 'sykkelbyer' effect: GAP); the default 3 perceived minutes (of about 14 for a "
               "3.5 km trip) at public transport's value of time (TØI 1389/2015) raise cycling by about a "
               "quarter in the long run (docs/model.md §3.3), towards the NTP goal of 8 % (20 % in the largest urban "
               "areas) from 4.8 % (RVU 2016/17, same file)",
    ),
    MeasureKind(
        "walkability", "land_use_transport",
        "More walkable streets (denser street network, shorter crossings, wider pavements): the perceived time "
        "of a walking trip falls for the share of the zone type's trips reached; the utility of walking rises "
        "by the time saved at public transport's value of time (pivot-point logit).",
        (Field("time_saving_min", MIN, 2.0, 0.0, 10.0, "perceived time saved per walking trip in the improved "
               "area"),
         Field("coverage", "share", None, 0.0, 1.0, COVERAGE_A, axis="zone")),
        _times_share("walk_time_saving_min", "time_saving_min", "coverage", "A"),
        source=f"assumption: {REF} built_environment (Ewing & Cervero 2010): walking depends on land-use "
               "diversity, intersection density and nearby destinations, but the per-variable values were not "
               "retrieved (GAP); 2 perceived minutes of about 15 per walking trip, at public transport's value "
               "of time (TØI 1389/2015)",
    ),
    MeasureKind(
        "densification", "land_use_transport",
        "Densification (compact growth, the ABC principle for homes): a share of population growth is placed by "
        "the compact allocation (mostly A and B zones) instead of the trend. New residents then travel with "
        "their zone's mode shares and trip lengths, and trip lengths fall with density.",
        (Field("share", "share of growth", None, 0.0, 1.0, "population growth redirected from the trend to the "
               "compact allocation", required=True),),
        field_levers({"share": "densification"}),
        source="land_use.csv growth allocations (assumptions) and trip lengths by zone and density (Ewing & "
               "Cervero 2010, methods §2.1); mode shares by zone type (transport.zone_constant.*, methods §2.1)",
    ),
    MeasureKind(
        "job_location_abc", "land_use_transport",
        "Jobs at public-transport hubs (the ABC principle for workplaces): a share of job growth goes to A zones "
        "instead of following the 2009 split. Commute trips end where the jobs are: more of them meet A zones' "
        "parking and the public-transport constant of trips ending in A zones "
        "(transport.destination_constant.*). Trip lengths are not changed.",
        (Field("share", "share of growth", None, 0.0, 1.0, "job growth redirected to A zones", required=True),),
        field_levers({"share": "job_location_a"}),
        source="methods §2.1-2.2: travel mode depends mostly on where trips end (Næss; Engebretsen/TØI) and the "
               f"ABC principle; the Norwegian effect size is a GAP ({REF} built_environment, where TØI judges "
               "the commuting effect of moving jobs and homes closer small), so the destination constants are "
               "assumptions the size of the home-zone constants",
    ),
    MeasureKind(
        "park_and_ride", "land_use_transport",
        "Park-and-ride sites: residents of the zone type (C zones unless given) can drive a short way to a site "
        "and continue by public transport into A zones, saving access and waiting time on those trips. Public "
        "transport's generalised cost falls; the public-transport trips the sites draw come from car, cycling "
        "and walking alike and each adds a car access leg (transport.park_and_ride_access_km), so the net "
        "effect on car vkm can have either sign.",
        (Field("time_saving_min", MIN, 10.0, 0.0, 40.0, "access and waiting time saved per public-transport trip "
               "into A zones via a site"),
         Field("served_share", "share", None, 0.0, 1.0, "share of the zone type's trips into A zones within reach "
               "of a site (a number: every zone type; left out: all C-zone trips)", axis="zone")),
        _times_share("park_and_ride_saving_min", "time_saving_min", "served_share", "C"),
        source=f"{REF} park_and_ride: over half of the users of 75 Norwegian sites live under 3 km from them "
               "(TØI 1366/2014), and the net car-km effect has either sign (Parkhurst 1995, Mingardo 2013: "
               "abstraction from public transport and walking; Whitfield & Cooper 1998: a decrease); the time "
               "saving is an assumption (a feeder bus with its wait in C zones)",
    ),
    MeasureKind(
        "freight_consolidation", "land_use_transport",
        "Urban consolidation centres: a share of the van deliveries into A zones is bundled at a centre, so van "
        "vkm fall by that share x the van vkm of deliveries into A zones (transport.van_vkm_share_a) x the "
        "saving per consolidated delivery (transport.consolidation_van_vkm_saving). The trunk haul to the "
        "centre stays with heavy vehicles as before.",
        (share("share", "share of van deliveries into A zones routed through consolidation centres", None, True),),
        field_levers({"share": "van_vkm_consolidated"}),
        source=f"assumption: {REF} freight_consolidation names the van-km reduction a GAP (Allen et al. 2012, "
               "review of 114 schemes: figures not retrieved); Klimakur 2030 T03 (better van logistics, "
               "< 500 NOK/t) in the same file; methods §1.6",
    ),
    MeasureKind(
        "zero_emission_freight", "land_use_transport",
        "Zero-emission vans and trucks: the share of new vans and of new heavy vehicles that are zero-emission "
        "(procurement, support or a mandate). The fleets turn over by vintage (Weibull survival), so emissions "
        "follow with the vehicles' lifetimes; electricity replaces diesel.",
        (share("van_share", "zero-emission share of new vans", None),
         share("heavy_share", "zero-emission share of new heavy vehicles", None)),
        _zero_emission_freight,
        source=f"{REF} zero_emission_van/zero_emission_truck (Enova support) and klimakur_cost T06-T08 (100 % of "
               "new light vans electric by 2025, 50 % of new trucks by 2030, 500-1 500 NOK/t); lifetimes TØI "
               "1888/2022 (methods §1.5)",
    ),
    MeasureKind(
        "zero_emission_buses", "land_use_transport",
        "Zero-emission city buses: the share of new buses that are zero-emission (the public-transport "
        "authority's procurement). The bus fleet turns over by vintage (Weibull survival), so emissions follow "
        "with the buses' lifetimes; electricity replaces diesel, and bus_biogas acts on the diesel buses left.",
        (share("share", "zero-emission share of new buses", None, True),),
        field_levers({"share": "zero_emission_share_new_bus"}),
        source="KiN 2025 T11, electrify city buses: 55 kt CO2e/yr nationally by 2035 at most 500 NOK/t "
               "(observations.csv); bus lifetimes TØI 1888/2022 (methods §1.5)",
    ),
    MeasureKind(
        "car_sharing", "land_use_transport",
        "Car sharing: member households give up cars, so cars per inhabitant fall by member share x the fall in "
        "members' car ownership. Fewer cars lower the car's utility through the ownership term of the mode "
        "choice (transport.car_ownership_utility), so car-driver trips fall, and the fleet shrinks.",
        (share("member_share", "share of households that are members", None, True),
         Field("ownership_fall", "share", 0.47, 0.0, 0.9, "relative fall in members' cars (0.47 round-trip "
               "car sharing, 0.09 free-floating)")),
        _car_sharing,
        source=f"{REF} car_sharing: members' household cars 0.68 -> 0.36 with round-trip car sharing (-47 %) and "
               "1.08 -> 0.98 free-floating (-9 %) (Namazu & Dowlatabadi 2018); 5-15 private cars replaced per "
               "shared car (T&E 2017), up to 20 (Jochem et al. 2020); members' VKT change is a GAP, so car use "
               "follows from the ownership term",
    ),
    MeasureKind(
        "telework", "land_use_transport",
        "Telework: commute trips fall by the days teleworked (share of commute trips = days per week / 5 x share "
        "of commuters who telework); errand trips rise by transport.telework_rebound per commute trip avoided "
        "(the rebound in non-work travel). Fewer peak car trips also relieve congestion (BPR).",
        (Field("days_per_week", "d/week", None, 0.0, 5.0, "days teleworked per week by those who telework",
               required=True),
         share("worker_share", "share of commuters who telework", None, True)),
        _telework,
        source=f"{REF} telework: -76 % car distance on telework days and no rise in non-work trips in a "
               "California pilot (Sampath et al. 1991); -14 min travel a day for full-day home workers "
               "(Lachapelle et al. 2018); the net rebound is a GAP (reviews: mixed), so "
               "transport.telework_rebound = 0.25 is an assumption",
    ),
    MeasureKind(
        "road_capacity", "land_use_transport",
        "More road capacity (lane-km): the volume-capacity ratio of the BPR curve falls, car travel time falls, "
        "and the car's generalised cost with it, so car trips rise; the extra traffic fills part of the new "
        "capacity in later years (BPR with last year's volume) and grows by partial adjustment: induced traffic.",
        (Field("change", "relative change", None, 0.0, 1.0, "change in lane-km of the roads widened",
               required=True),
         share("traffic_share", "share of the municipality's car traffic on those roads", 1.0)),
        _road_capacity,
        source=f"{REF} road_capacity: long-run elasticity of VKT to lane-km 1.0 (Duranton & Turner 2011) and "
               "0.16 (Hymel, Small & Van Dender 2010); the model carries the time-cost part (mode, period and "
               "trip length answer the car time along a BPR curve, methods §1.4 and §1.7) and no new trips or "
               "relocation: about 0.30 after ten years (`framtid elasticities`), the low end",
    ),
    MeasureKind(
        "bus_biogas", "land_use_transport",
        "Biogas in buses: a share of the diesel buses' energy is replaced by biogas (at "
        "transport.biogas_bus_energy_ratio kWh per kWh of diesel). Biogenic CO2 counts zero; CH4 and N2O as for "
        "gas buses (IPCC defaults). Where biogas_from_food_waste feeds the same buses, the larger share acts.",
        (share("share", "share of the diesel buses' energy replaced by biogas", None, True),),
        field_levers({"share": "bus_biogas_share"}),
        source="biogenic CO2 is not counted in the territorial inventory (methods §0, §1.5); CH4 92 and N2O 3 "
               "kg/TJ for gas vehicles (IPCC 2006 Vol. 2 ch. 3 Table 3.2.2; transport.ch4_per_kwh.biogas_bus)",
    ),
)

assert all(lever in LEVERS for kind in KINDS for lever in kind.to_levers(example_values(kind, "default")))


KINDS = costing.attach_costs(KINDS, costs_transport.COSTS)
