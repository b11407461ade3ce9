"""Measure kinds of stationary energy in buildings and district heating.

Each kind acts through a mechanism of the buildings or energy-supply submodel (or, for construction
machinery, through the sector path of other mobile combustion), never as a fixed cut of emissions:

* ``new_build_standard``: the space-heat need of floor area built from the start year;
* ``renovation_programme`` and ``deep_renovation``: how much of the stock is renovated each year, and
  how deep (the renovated-state reduction);
* ``heat_pump_subsidy``, ``district_heating_expansion`` (access), ``oil_conversion_grant``,
  ``oil_heating_ban``, ``oil_heating_ban_announcement`` and ``oil_heating_ban_adoption`` (conversions ahead of
  the ban), ``new_build_fossil_heating_ban`` (no gas boiler in new build): the heating-system choice;
* ``district_heating_expansion`` (fuel mix) and ``waste_heat``: the fossil fuel burnt per GWh of
  district heat;
* ``solar_pv``: delivered electricity (no territorial emissions change; the effect is energy);
* ``energy_management_municipal``: the energy need of municipal non-residential buildings;
* ``wood_stove_renewal``: the CH4 emitted per unit of wood burnt (the stove stock);
* ``fossil_free_construction``: construction machinery in other mobile combustion.
"""

from __future__ import annotations

import numpy as np

from . import costing, costs_buildings
from .base import Field, MeasureKind, field_levers, share, target

# Share of "other mobile combustion" (Annen mobil forbrenning) that is construction machinery
# (Bygg og anlegg) in Oslo's inventory: 76 461 of 132 997 t CO2e in 2009 (0.57), 65 026 of
# 156 234 in 2011 (0.42), 82 604 of 162 190 in 2013 (0.51) (shared data oslo_inventory_by_source.csv).
# The field default is the mean of the three years; no other municipality reports the split.
CONSTRUCTION_SHARE_OF_OTHER_MOBILE = 0.5


def _heat_pump_subsidy(values: dict) -> dict[str, np.ndarray]:
    out = {"heat_pump_subsidy_share": np.asarray(float(values["share"]))}
    if values.get("grant_nok") is not None:
        out["heat_pump_grant"] = np.asarray(float(values["grant_nok"]))
    return out


def _district_heating_expansion(values: dict) -> dict[str, np.ndarray]:
    out = {}
    if values.get("access") is not None:
        out["district_heating_access"] = np.asarray(float(values["access"]))
    if values.get("fossil_fuel_replaced") is not None:
        out["district_heating_fossil_replaced"] = np.asarray(float(values["fossil_fuel_replaced"]))
    return out


def _solar_pv(values: dict) -> dict[str, np.ndarray]:
    out = {"solar_pv_new_build_share": np.asarray(float(values["new_build_share"]))}
    if values.get("existing_share") is not None:
        out["solar_pv_existing_share"] = np.asarray(float(values["existing_share"]))
    return out


def _energy_management(values: dict) -> dict[str, np.ndarray]:
    return {"municipal_energy_saving": np.asarray(float(values["coverage"]) * float(values["saving"]))}


def _fossil_free_construction(values: dict) -> dict[str, np.ndarray]:
    change = -float(values["share"]) * float(values["construction_share"])
    return {"exogenous_change": target("exogenous_change", {"exogenous_source": "other_mobile"}, change)}


KINDS = (
    MeasureKind(
        "oil_conversion_grant", "buildings_energy",
        "Grant for removing an oil boiler or paraffin stove and converting to another heating system (Enova's "
        "household support 2015-2019), per dwelling in NOK of the price year. It lowers the cost of switching in "
        "the yearly review of oil and paraffin heating.",
        (Field("grant_nok", "NOK/dwelling", None, 0.0, 200000.0, "grant per dwelling that converts", required=True,
               money=True),),
        field_levers({"grant_nok": "oil_conversion_grant"}),
        source="oil_heating_policy.csv: Enova 10 000 NOK (until 2017), 20 000 (2018), 10 000 (2019); the response "
               "follows the replacement logit's cost coefficient (buildings.logit_beta)",
    ),
    MeasureKind(
        "oil_heating_ban", "buildings_energy",
        "Ban on fossil oil and paraffin for heating buildings: no new oil or paraffin heating, existing "
        "installations phased out over the ramp.",
        (share("compliance", "share of the oil- and paraffin-heated area that has switched at full strength"),),
        field_levers({"compliance": "oil_heating_ban"}),
        source="Forskrift om forbud mot bruk av mineralolje til oppvarming av bygninger (2018); methods §3",
    ),
    MeasureKind(
        "oil_heating_ban_announcement", "buildings_energy",
        "Announcement of an oil-heating ban before it takes effect. From the start year, owners who replace a "
        "heating system know the ban scheduled by the scenario's oil_heating_ban measures: a new oil boiler or "
        "paraffin stove would serve only the years left until the ban, so its investment is recovered over "
        "those years instead of its lifetime, and fewer owners choose one. Without a scheduled ban it does "
        "nothing; the ban itself is its own measure.",
        (share("credibility", "share of the owners replacing a heating system who expect the ban", default=1.0),),
        field_levers({"credibility": "oil_heating_ban_foresight"}),
        source="Meld. St. 21 (2011-2012) Norsk klimapolitikk and Innst. 390 S (2011-2012), the climate "
               "settlement of June 2012: a ban on fossil oil for heating households and as base load in other "
               "buildings in 2020, adopted as regulation in 2018 (forskrift 2018-06-28-1060). The response "
               "follows the replacement logit's cost coefficient (buildings.logit_beta) and discount rate",
    ),
    MeasureKind(
        "oil_heating_ban_adoption", "buildings_energy",
        "Adoption of an oil-heating ban as law before it takes effect. From the start year (the year of the "
        "adoption) the owners of the oil and paraffin heating the ban scheduled by the scenario's oil_heating_ban "
        "measures will remove convert ahead of it, evenly over the lead time from the adoption to the ban, to the "
        "systems still allowed; a year's heating counts at its middle. The ban then finds that area converted. "
        "Without a scheduled ban it does nothing.",
        (Field("lead_years", "yr", None, 0.1, 10.0,
               "time from the adoption to the ban's entry into force (28 June 2018 to 1 January 2020: 1.51)",
               required=True),),
        field_levers({"lead_years": "oil_heating_ban_lead"}),
        source="Forskrift 2018-06-28-1060 (oil_heating_policy.csv: adopted June 2018 for 1 January 2020); the "
               "owners' rush ahead of it: Enova's grants for removing an oil boiler in 2018 (1 925 to about "
               "November, twice 2017's; NRK on queues for removing oil tanks, oil_heating_policy.csv). Assumption: "
               "the conversions are spread evenly over the lead time",
    ),
    MeasureKind(
        "new_build_fossil_heating_ban", "buildings_energy",
        "No heating installation for fossil fuel (oil, paraffin, fossil gas) in new buildings (building code). "
        "From the start year the share of the new floor area built under the ban chooses its heating among the "
        "systems that burn no fossil fuel: no gas boiler (new build never gets oil or paraffin). Existing "
        "buildings keep and replace their gas boilers as before.",
        (share("compliance", "share of the new floor area built under the ban", default=1.0),),
        field_levers({"compliance": "new_build_fossil_heating_ban"}),
        source="Byggteknisk forskrift TEK10 § 14-7 (1) as amended in force 1 January 2016 (\"Det er ikke tillatt å "
               "installere varmeinstallasjon for fossilt brensel\"; projects applied for before then could use the "
               "old rules until 1 January 2017), carried into TEK17 § 14-4 (1) "
               "(https://www.dibk.no/regelverk/byggteknisk-forskrift-tek17/14/14-4); fossil fuel covers oil, "
               "paraffin and fossil gas (natural gas and LPG). The energy frame of the same regulation: § 14-2 "
               "(https://www.dibk.no/regelverk/byggteknisk-forskrift-tek17/14/14-2)",
    ),
    MeasureKind(
        "new_build_standard", "buildings_energy",
        "Energy standard for new build: floor area built from the start year needs at most this much space "
        "heating and ventilation per m2 (net, as calculated in the reference climate; the actual need follows "
        "the local degree days and, for non-residential buildings, the behaviour factor). Where the TEK cohort "
        "in force already needs less, it keeps its own need. For scale: the EBM archetypes of new build are "
        "58/39/39 kWh/m2 (house/apartment/non-residential) under TEK10 and 47/29/26 under TEK17; a passive "
        "house (NS 3700) about 15. Area built before the start year keeps its need; a ramp tightens the "
        "requirement step by step from no requirement (100).",
        (Field("space_heat_kwh", "kWh/m2/yr", 15.0, 0.0, 100.0,
               "net space-heating and ventilation need of new floor area by building type (passive house about 15)",
               axis="building_type"),),
        field_levers({"space_heat_kwh": "new_build_space_heat_need"}),
        source="passive house NS 3700:2013 space-heating need about 15 kWh/m2 (indicative) and the TEK10/TEK17 "
               "frames (methods §3.3; reference measures/buildings_waste_adaptation.csv energy_standard_new_build "
               "rows, which also give the passive-house extra cost of 1 100-1 500 NOK/m2); the TEK cohort needs "
               "it is compared with are NVE EBM's archetypes (buildings.space_heating.*)",
    ),
    MeasureKind(
        "renovation_programme", "buildings_energy",
        "Renovation programme: the yearly renovation rate of the stock past its earliest renovation age is "
        "multiplied (2 = twice as much area renovated each year). Each renovation cuts the space-heat need by "
        "the ordinary renovated-state reduction (buildings.renovation.reduction, -20 %); combine with "
        "deep_renovation for deeper cuts.",
        (Field("rate_multiplier", "multiplier", 2.0, 0.0, 5.0,
               "multiplier on the renovation rate (model base rates 1.0-1.7 %/yr of the unrenovated area)"),),
        field_levers({"rate_multiplier": "renovation_rate_multiplier"}),
        source="Enova survey: major renovations 1.89 %/yr of dwellings (earlier estimates 0.4-2.1), under half "
               "with an energy upgrade; a potential study for blocks of flats assumes 3 %/yr, 'far above the "
               "current rate' (reference measures/buildings_waste_adaptation.csv renovation_programme and "
               "deep_renovation rows); the base rates are NVE EBM's renovation S-curves (buildings.renovation.rate.*)",
    ),
    MeasureKind(
        "deep_renovation", "buildings_energy",
        "Deep renovation: a share of the renovations of cohorts up to TEK10 cuts the space-heat need by the "
        "deep reduction instead of the ordinary -20 % (a deep renovated state). It does not change how much is "
        "renovated; combine with renovation_programme for that. TEK17 and TEK21 area keeps its small cut.",
        (share("share", "share of this year's renovations done as deep renovations", 0.5),
         Field("reduction", "share", 0.6, 0.3, 0.9, "cut in the space-heat need of a deeply renovated m2 "
               "(methods §3.3: -50 to -70 %)")),
        field_levers({"share": "deep_renovation_share", "reduction": "deep_renovation_reduction"}),
        source="methods §3.3: a deep-renovation state of -50 to -70 % (indicative, TABULA 'advanced' "
               "refurbishment) beside EBM's -20 %; reference measures/buildings_waste_adaptation.csv "
               "deep_renovation: upgrading all pre-1990 detached houses to the current standard saves about "
               "27 % of their use (Risholt), per-m2 saving a GAP there",
    ),
    MeasureKind(
        "heat_pump_subsidy", "buildings_energy",
        "Subsidy for heat pumps: a share of the investment, and optionally a grant per dwelling (houses and "
        "apartments; spread over the dwelling's floor area). It lowers the annualised cost of a heat pump in "
        "the heating-system choice at end-of-life replacement, in new buildings and in the review of oil and "
        "paraffin heating.",
        (Field("share", "share of investment", 0.25, 0.0, 1.0, "share of the heat-pump investment subsidised "
               "(Enova: 25 %, up to a cap)"),
         Field("grant_nok", "NOK/dwelling", None, 0.0, 200000.0, "grant per dwelling that installs a heat pump, "
               "on top of the share", money=True)),
        _heat_pump_subsidy,
        source="Enova grants: 25 % of the cost, at most 10 000-20 000 NOK (air-to-water) or 20 000-30 000 "
               "(brine/water) per dwelling until 2019, 5 000 NOK 2019-2021 (reference "
               "measures/buildings_waste_adaptation.csv heat_pump_subsidy); the uptake response is a GAP there, "
               "so it follows the heating-choice logit's cost coefficient (buildings.logit_beta, assumption)",
    ),
    MeasureKind(
        "district_heating_expansion", "buildings_energy",
        "District-heating expansion: connections (network extension, connection duty in concession areas) "
        "multiply the odds that a building choosing a heating system takes district heat; and the fuel mix: a "
        "share of the fossil fuel of district-heat production (oil and gas peak and reserve boilers) replaced "
        "by renewable heat (bioenergy, heat pumps, electric boilers). More district heat at the 2009 mix adds "
        "energy_supply.district_heating_marginal_co2 per GWh in the host municipality; the replacement cuts "
        "that and the 2009 fossil fuel alike. To change the fuel mix only, give access = 1.",
        (Field("access", "multiplier", 2.0, 0.0, 10.0, "odds of choosing district heating relative to 2009 "
               "(1 = unchanged)"),
         Field("fossil_fuel_replaced", "share", None, 0.0, 1.0, "share of the fossil fuel of district-heat "
               "production replaced by renewable heat (national 2009-2022: about 0.77)")),
        _district_heating_expansion,
        source="fuel mix: national district-heat production 2009 14 % oil and gas (521 of 3 642 GWh, "
               "observations.csv, SSB), 2018 5.2 % (SSB via Norsk Fjernvarme) and 2022 3.3 % (energifakta) "
               "(reference measures/buildings_waste_adaptation.csv district_heating_expansion rows): about 77 % "
               "of the fossil fuel replaced 2009-2022; connections: assumption, the connection cost and response "
               "are a GAP there, so access acts on the odds in the heating-choice logit",
    ),
    MeasureKind(
        "waste_heat", "buildings_energy",
        "Waste heat in district heating: a share of the district heat delivered comes from waste heat "
        "(industry, data centres, sewage) beyond what the network used in 2009, so less fuel is burnt per GWh "
        "delivered: each GWh of waste heat displaces fuel-fired production at the 2009 fossil intensity "
        "(energy_supply.district_heating_marginal_co2), never below zero fossil fuel.",
        (Field("share", "share", 0.1, 0.0, 0.9, "share of the district heat delivered that comes from waste heat "
               "beyond 2009"),),
        field_levers({"share": "district_heating_waste_heat_share"}),
        source="SINTEF Energi: 20 TWh/yr of industrial surplus heat in Norway, technical potential (reference "
               "measures/buildings_waste_adaptation.csv waste_heat_use), nearly three times the 7 TWh of district "
               "heat delivered in 2023 (district_heating_expansion row), so the networks rather than the supply "
               "bound the share; waste heat already gave 174 of 3 642 GWh of production in 2009 (observations.csv), "
               "held in the base year; the displaced intensity is the 2009 national mix (energy_supply.* source)",
    ),
    MeasureKind(
        "solar_pv", "buildings_energy",
        "Rooftop solar PV on new buildings (a share of the floor area built from the start year) and on existing "
        "ones (at least a share of the floor area standing). The yearly output lowers the electricity the "
        "buildings draw from the grid (net delivered energy). Territorial emissions do not change, since "
        "electricity counts zero in the municipal inventory: the effect shows in delivered energy (and in the "
        "buildings' solar_pv_generation output). PV stays on its buildings until they are demolished.",
        (share("new_build_share", "share of the floor area built from the start year that gets rooftop PV", 1.0),
         share("existing_share", "share of the floor area standing that has rooftop PV at full strength", None)),
        _solar_pv,
        source="NVE: 650-1 000 kWh/kWp/yr in Norway (buildings.pv_yield; reference "
               "measures/buildings_waste_adaptation.csv rooftop_solar_pv rows); capacity per m2 of floor area "
               "buildings.pv_kwp_per_m2.* (assumption: roof per floor area and usable share); Miljødirektoratet "
               "counts electricity as zero in the territorial inventory",
    ),
    MeasureKind(
        "energy_management_municipal", "buildings_energy",
        "Energy management and energy performance contracting (EPC) in the municipality's own buildings: the "
        "energy need (space heat, hot water and electricity) of the municipal share of non-residential floor "
        "area falls by the guaranteed saving while the measure is in force, and with it the fuel, district heat "
        "and electricity delivered and other fossil use per m2.",
        (share("coverage", "share of the municipal non-residential floor area under contract", 1.0),
         Field("saving", "share of energy use", 0.3, 0.0, 0.9, "saving of the buildings under contract "
               "(Norwegian EPC guarantees: 20-40 %)")),
        _energy_management,
        source="Norwegian municipal energy performance contracts guarantee 30 % (20-40 %) savings of energy use "
               "(reference measures/buildings_waste_adaptation.csv energy_management_municipal); municipal share "
               "of non-residential floor area buildings.municipal_share_non_residential (assumption)",
    ),
    MeasureKind(
        "wood_stove_renewal", "buildings_energy",
        "Renewal of old wood stoves: a share of the old (pre-1998) stoves and open fireplaces still in use is "
        "replaced by clean-burning stoves, which emit less CH4 per kg of wood, ahead of the end of their life "
        "(1/buildings.lifetime.wood_stove of the stoves are renewed each year in every scenario, the reference "
        "too, so the effect is measured against that renewal). The wood burnt and the heat it gives are unchanged; "
        "N2O too. Stoves once replaced stay replaced.",
        (share("old_replaced", "share of the old stoves still in use replaced by clean-burning ones", 1.0),),
        field_levers({"old_replaced": "wood_stove_old_replaced"}),
        source="Klimakur 2030 O03 and KiN 2025 O02 forced replacement of old stoves (108 kt CO2e nationally in "
               "2035), Oslo and Drammen grants (reference measures/buildings_waste_adaptation.csv woodstove_renewal "
               "rows); the CH4 factor of old against new stoves is a GAP there: buildings.wood_stove.ch4_ratio_new_old "
               "and buildings.wood_stove.old_share_2009 (assumptions with reasons)",
    ),
    MeasureKind(
        "fossil_free_construction", "buildings_energy",
        "Fossil-free or zero-emission construction sites: a share of construction machinery runs on electricity "
        "or biofuel (whose CO2 counts zero), which lowers other mobile combustion by that share times the "
        "construction machinery's share of the sector (lever exogenous_change, source other_mobile). "
        "Construction-site heating (byggvarme) is not modelled separately: where it burns oil it is part of "
        "heating with oil, which the oil_heating_ban kind phases out (national ban on mineral oil for "
        "construction-site heating from 2022).",
        (share("share", "share of construction machinery work done fossil-free or zero-emission", 1.0),
         Field("construction_share", "share", CONSTRUCTION_SHARE_OF_OTHER_MOBILE, 0.0, 1.0,
               "share of other mobile combustion that is construction machinery (Oslo inventory 2009-2013: "
               "0.42-0.57)")),
        _fossil_free_construction,
        source="Oslo: fossil-free municipal construction sites from 2017, zero-emission machinery from 2025 "
               "(data/policies/oil_heating_policy.csv); technical potential 99 % (DNV GL 2017), KiN 2025 T25 "
               "357 kt in 2035 (reference measures/buildings_waste_adaptation.csv zero_emission_construction); "
               "construction share derived from Oslo's inventory, 'Bygg og anlegg' in 'Annen mobil forbrenning': "
               "0.57 (2009), 0.42 (2011), 0.51 (2013), mean 0.5 (oslo_inventory_by_source.csv)",
    ),
)


KINDS = costing.attach_costs(KINDS, costs_buildings.COSTS)
