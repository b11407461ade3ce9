"""Measure kinds of consumption and waste, run through the whole model.

For every kind: it moves what it should in the right direction, leaves alone what it should not
(transport and buildings, the other sectors, municipalities without the measure), is monotone in
its intensity, and gives at least one number checked by hand in its first year(s). The runs start
from framtid:reference with one measure added (as `framtid elasticities` does); each is run once.
"""

from dataclasses import replace
from functools import lru_cache

import numpy as np
import pytest

from framtid.model import api, consumption, dims
from framtid.model.elasticities import _measure, _with
from framtid.model.measures import KINDS, lever_paths
from framtid.model.parameters import Params
from framtid.model.submodels.bus_biogas import bus_biogas_share, food_waste_biogas, food_waste_bus_share
from framtid.model.results import ACTIVITY
from framtid.model.submodels import waste, waste_generation

OSLO, TROMSO = dims.MUNICIPALITIES.index("oslo"), dims.MUNICIPALITIES.index("tromso")
MR, BIO, INC, LF = range(4)
CO2, CH4, N2O = range(3)
FOOD, GARDEN, PLASTICS = (dims.WASTE_FRACTIONS.index(f) for f in ("food", "garden", "plastics"))
SOURCE = {s: i for i, s in enumerate(dims.SOURCES)}
WASTE_KINDS = ("waste_prevention", "food_waste_reduction", "source_separation", "recycling_target",
               "landfill_gas_capture", "biogas_from_food_waste", "incineration_ccs", "green_procurement")
# Where each kind starts in its default run (Klemetsrud's capture starts in Q3 2029: half a year, then full).
TIMING = {"incineration_ccs": (2029, 2)}
# Sources each kind may change in Oslo; every other source must stay exactly as in the reference.
CHANGES = {
    "waste_prevention": {"landfill_gas", "biological_treatment", "waste_incineration"},
    "food_waste_reduction": {"landfill_gas", "biological_treatment"},     # food holds no fossil carbon
    "source_separation": {"landfill_gas", "biological_treatment", "waste_incineration"},
    "recycling_target": {"landfill_gas", "waste_incineration"},
    "landfill_gas_capture": {"landfill_gas"},
    "biogas_from_food_waste": {"landfill_gas", "biological_treatment", "buses"},
    "incineration_ccs": {"waste_incineration"},
    "green_procurement": set(),                                           # consumption-based only
}
# Two intensities per kind (the weaker first) for the monotonicity check.
INTENSITIES = {
    "waste_prevention": ({"reduction": 0.1}, {"reduction": 0.3}),
    "food_waste_reduction": ({"reduction": 0.25}, {"reduction": 0.5}),
    "source_separation": ({"food_capture": 0.5, "plastics_capture": 0.4},
                          {"food_capture": 0.796, "plastics_capture": 0.6}),
    "recycling_target": ({"minimum": 0.38}, {"minimum": 0.45}),
    "landfill_gas_capture": ({"recovery": 0.25}, {"recovery": 0.33}),
    "biogas_from_food_waste": ({"food_capture": 0.3}, {"food_capture": 0.45}),
    "incineration_ccs": ({"capture_rate": 0.5}, {"capture_rate": 0.9}),
    "green_procurement": ({"coverage": 0.25}, {"coverage": 0.5}),
}
TRANSPORT_BUILDINGS = [v.name for v in ACTIVITY if v.submodel in ("transport", "buildings", "land_use", "drivers")]


def at(year):
    return year - dims.BASE_YEAR


@lru_cache(maxsize=None)
def _run(kind=None, values=(), munis=("oslo",)):
    scenario = api.load_scenario("framtid:reference")
    if kind is not None:
        start, ramp = TIMING.get(kind, (2010, 0))
        scenario = _with(scenario, replace(_measure(kind, munis, start, dict(values), kind), ramp_years=ramp))
    model = api.run_scenario(scenario)
    return model.record, model.state["waste"].base_shares[0]


def run(kind=None, **values):
    return _run(kind, tuple(sorted(values.items())))[0]


@pytest.fixture(scope="module")
def ref():
    return run()


@pytest.fixture(scope="module")
def shares():
    """Oslo's 2009 treatment shares per fraction (F, 4), fitted to its observed totals."""
    return _run()[1][OSLO]


def gas(rec, source, g, year, m=OSLO):
    return rec["emissions_gas"][at(year), 0, m, SOURCE[source], g]


def oslo(rec, name, year):
    return rec[name][at(year), 0, OSLO]


def population(rec, year):
    return oslo(rec, "population", year)


# -- (b) nothing it should not change ------------------------------------------------------------------

@pytest.mark.parametrize("kind", WASTE_KINDS)
def test_a_measure_in_oslo_changes_no_other_municipality(kind, ref):
    rec = run(kind)
    others = [m for m in range(len(dims.MUNICIPALITIES)) if m != OSLO]
    for name, values in rec.items():
        np.testing.assert_array_equal(values[:, :, others], ref[name][:, :, others], err_msg=f"{kind}: {name}")
    assert not np.array_equal(rec["emissions_gas"], ref["emissions_gas"]) or kind == "green_procurement"


@pytest.mark.parametrize("kind", WASTE_KINDS)
def test_only_the_sources_of_the_mechanism_change(kind, ref):
    rec = run(kind)
    for source, s in SOURCE.items():
        same = np.array_equal(rec["emissions_gas"][:, :, OSLO, s], ref["emissions_gas"][:, :, OSLO, s])
        if source not in CHANGES[kind]:
            assert same, f"{kind} changed {source}"
        else:
            assert not same, f"{kind} left {source} unchanged"
    for name in TRANSPORT_BUILDINGS:
        if kind == "biogas_from_food_waste" and name in ("road_energy", "bus_biogas_vkm_share"):
            continue   # biomethane replaces diesel: the carriers and the gas buses change, the activity does not
        np.testing.assert_array_equal(rec[name], ref[name], err_msg=f"{kind}: {name}")
    # The base year is the observed world whatever the scenario says.
    for name, values in rec.items():
        np.testing.assert_array_equal(values[0], ref[name][0], err_msg=f"{kind}: {name} in 2009")


def test_green_procurement_leaves_the_territorial_inventory_alone(ref):
    rec = run("green_procurement")
    np.testing.assert_array_equal(rec["emissions_gas"], ref["emissions_gas"])
    assert oslo(rec, "consumption_emissions", 2030) < oslo(ref, "consumption_emissions", 2030)


def test_territorial_only_kinds_leave_the_consumption_indicator_alone(ref):
    for kind in ("source_separation", "recycling_target", "landfill_gas_capture", "biogas_from_food_waste",
                 "incineration_ccs"):
        np.testing.assert_array_equal(run(kind)["consumption_emissions"], ref["consumption_emissions"], kind)


# -- (c) monotone in intensity ---------------------------------------------------------------------------

def _response(kind, rec, ref, year=2030):
    """The quantity each kind lowers (or, for biogas, raises), measure minus reference, Oslo."""
    def d(name):
        return oslo(rec, name, year) - oslo(ref, name, year)

    def g(source, gas_index):
        return gas(rec, source, gas_index, year) - gas(ref, source, gas_index, year)

    return {
        "waste_prevention": [d("waste_generated"), d("landfill_ch4_generated"), g("waste_incineration", CO2),
                             d("consumption_emissions")],
        "food_waste_reduction": [d("waste_generated"), d("landfill_ch4_generated"),
                                 g("biological_treatment", CH4), d("consumption_emissions")],
        "source_separation": [d("incineration_fossil_co2"), d("landfill_ch4_generated"), g("waste_incineration", CO2)],
        "recycling_target": [d("incineration_fossil_co2"), d("landfill_ch4_generated"), -d("waste_by_treatment")[MR]],
        "landfill_gas_capture": [g("landfill_gas", CH4), -d("landfill_ch4_recovered")],
        "biogas_from_food_waste": [-d("biogas_produced"), d("landfill_ch4_generated")],
        "incineration_ccs": [g("waste_incineration", CO2)],
        "green_procurement": [d("consumption_emissions")],
    }[kind]


@pytest.mark.parametrize("kind", WASTE_KINDS)
def test_effect_grows_with_intensity(kind, ref):
    weak, strong = (_response(kind, run(kind, **v), ref) for v in INTENSITIES[kind])
    for w, s in zip(weak, strong):
        assert s < w < 0, (kind, weak, strong)


# -- (a) and (d): direction and numbers by hand ------------------------------------------------------------

def test_waste_prevention_by_hand(ref, shares):
    rec = run("waste_prevention")          # reduction 0.15 of Oslo's 0.381 t per inhabitant (2009)
    p = population(rec, 2010)
    assert oslo(ref, "waste_generated", 2010) - oslo(rec, "waste_generated", 2010) == pytest.approx(
        0.15 * 0.381 * p, rel=1e-9)
    # Landfilled less in 2010 decays from 2011: DDOCm = W_lf * DOC * DOCf 0.5 * MCF 1, a share 1 - exp(-k)
    # decomposes in 2011, CH4 = DDOCm_dec * F 0.5 * 16/12 (food DOC 0.15, k 0.185; paper 0.40, 0.06; ...).
    comp = np.array([0.237, 0.07, 0.16, 0.13, 0.031, 0.083, 0.081, 0.208])
    doc = np.array([0.15, 0.20, 0.40, 0.43, 0.24, 0, 0, 0.05])
    k = np.array([0.185, 0.10, 0.06, 0.03, 0.06, 0, 0, 0.09])
    landfilled = 0.15 * 0.381 * p * comp * shares[:, LF]
    ch4 = (landfilled * doc * 0.5 * (1 - np.exp(-k))).sum() * 0.5 * 16 / 12
    assert oslo(ref, "landfill_ch4_generated", 2011) - oslo(rec, "landfill_ch4_generated", 2011) == pytest.approx(
        ch4, rel=1e-9)
    assert oslo(rec, "landfill_ch4_generated", 2010) == oslo(ref, "landfill_ch4_generated", 2010)
    # Consumption-based: goods 1.9 t * elasticity 0.5 * 0.15, food 0.381 * 0.237 * 0.15 t * 1.35 t CO2e/t.
    per_capita = 1.9 * 0.5 * 0.15 + 0.381 * 0.237 * 0.15 * 1.35
    assert oslo(ref, "consumption_emissions", 2010) - oslo(rec, "consumption_emissions", 2010) == pytest.approx(
        per_capita * p, rel=1e-9)


def test_waste_prevention_leaves_the_unavoidable_food_waste(ref):
    """A reduction of 0.9 cuts every fraction by 90 % but food, which falls by its avoidable 40 % alone (peels and
    bones stay); the consumption indicator counts that food as not bought, at 1.35 t CO2e per tonne."""
    rec = run("waste_prevention", reduction=0.9)
    p = population(rec, 2010)
    cut = 0.381 * p * (0.9 * (1 - 0.237) + 0.40 * 0.237)
    assert oslo(ref, "waste_generated", 2010) - oslo(rec, "waste_generated", 2010) == pytest.approx(cut, rel=1e-9)
    per_capita = 1.9 * 0.5 * 0.9 + 0.381 * 0.237 * 0.40 * 1.35
    assert oslo(ref, "consumption_emissions", 2010) - oslo(rec, "consumption_emissions", 2010) == pytest.approx(
        per_capita * p, rel=1e-9)


def test_food_waste_reduction_by_hand(ref, shares):
    rec = run("food_waste_reduction")      # half of the avoidable 40 % of the food fraction
    p = population(rec, 2010)
    avoided = 0.381 * 0.237 * 0.40 * 0.5 * p
    assert oslo(ref, "waste_generated", 2010) - oslo(rec, "waste_generated", 2010) == pytest.approx(avoided, rel=1e-9)
    less = oslo(ref, "waste_by_treatment", 2010) - oslo(rec, "waste_by_treatment", 2010)
    assert less == pytest.approx(avoided * shares[FOOD], rel=1e-9, abs=1e-6)   # food's own outlets
    # Landfill CH4 in 2011 from the food not landfilled in 2010: DOC 0.15, DOCf 0.5, k 0.185, F 0.5.
    ch4 = avoided * shares[FOOD, LF] * 0.15 * 0.5 * (1 - np.exp(-0.185)) * 0.5 * 16 / 12
    assert oslo(ref, "landfill_ch4_generated", 2011) - oslo(rec, "landfill_ch4_generated", 2011) == pytest.approx(
        ch4, rel=1e-9)
    assert oslo(ref, "consumption_emissions", 2010) - oslo(rec, "consumption_emissions", 2010) == pytest.approx(
        1.35 * avoided, rel=1e-9)
    assert gas(rec, "biological_treatment", CH4, 2010) < gas(ref, "biological_treatment", CH4, 2010)


def test_source_separation_by_hand(ref, shares):
    rec = run("source_separation")         # food capture 0.796 (RIR Molde), plastics 0.5
    p = population(rec, 2010)
    food = 0.381 * 0.237 * p * (0.796 - shares[FOOD, BIO])
    plastics = 0.381 * 0.083 * p * (0.5 - shares[PLASTICS, MR])
    gain = oslo(rec, "waste_by_treatment", 2010) - oslo(ref, "waste_by_treatment", 2010)
    assert gain[BIO] == pytest.approx(food, rel=1e-9)
    assert gain[MR] == pytest.approx(plastics, rel=1e-9)
    assert gain.sum() == pytest.approx(0.0, abs=1e-6)
    # Plastics leave incineration in proportion to its share of their residual; 2.75 t fossil CO2 per tonne.
    from_inc = plastics * shares[PLASTICS, INC] / (shares[PLASTICS, INC] + shares[PLASTICS, LF])
    fossil = from_inc * 1.0 * 0.75 * 1.0 * 44 / 12
    assert oslo(ref, "incineration_fossil_co2", 2010) - oslo(rec, "incineration_fossil_co2", 2010) == pytest.approx(
        fossil, rel=1e-9)
    # Oslo hosts plants: its energy supply burns that much less fossil CO2.
    assert gas(ref, "waste_incineration", CO2, 2010) - gas(rec, "waste_incineration", CO2, 2010) == pytest.approx(
        fossil, rel=1e-9)
    assert oslo(rec, "landfill_ch4_generated", 2011) < oslo(ref, "landfill_ch4_generated", 2011)


def test_recycling_target_by_hand(ref):
    # minimum 0.42 material recovery; Oslo had 0.265 in 2009: of its 0.43 sorted out, 0.81 recycled (the national
    # 180 kg of 0.53 x 420 kg, material and biological together), less the biological 0.43 x 0.19
    rec = run("recycling_target")
    observed = oslo(ref, "waste_by_treatment", 2009)[MR] / oslo(ref, "waste_generated", 2009)
    recycled = 0.18 / (0.53 * 0.42)
    assert observed == pytest.approx(0.43 * recycled - 0.43 * (1 - recycled), abs=5e-4)
    assert observed == pytest.approx(0.265, abs=5e-4)
    w = oslo(rec, "waste_generated", 2010)
    assert oslo(rec, "waste_by_treatment", 2010)[MR] == pytest.approx(0.42 * w, rel=1e-9)
    moved = oslo(rec, "waste_by_treatment", 2010)[MR] - oslo(ref, "waste_by_treatment", 2010)[MR]
    assert moved == pytest.approx((0.42 - observed) * w, rel=1e-9)
    assert gas(rec, "waste_incineration", CO2, 2010) < gas(ref, "waste_incineration", CO2, 2010)


def test_landfill_gas_capture_by_hand(ref):
    rec = run("landfill_gas_capture")      # recovery 0.33 instead of 0.2
    generated = oslo(ref, "landfill_ch4_generated", 2010)
    assert oslo(rec, "landfill_ch4_generated", 2010) == generated
    assert oslo(rec, "landfill_ch4_recovered", 2010) == pytest.approx(0.33 * generated, rel=1e-12)
    # Emitted (G - R)(1 - OX): 0.67 * 0.9 instead of 0.8 * 0.9 of the generated, times Oslo's calibration.
    ratio = gas(rec, "landfill_gas", CH4, 2010) / gas(ref, "landfill_gas", CH4, 2010)
    assert ratio == pytest.approx(0.67 / 0.8, rel=1e-12)


# The share of the diesel of 65 bus-vkm per inhabitant at 0.45 L/km (the 2009 default) that the default measure's
# biogas replaces (by hand below); in a run the share is reckoned against the year's own bus diesel.
BIOGAS_SHARE = 0.42 * 0.237 * 0.45 * 900 / (1.2 * 65 * 0.45 * 10.056)
BUS_DIESEL = 65 * 0.45 * 10.056   # [kWh/inhabitant/yr]


def test_biogas_from_food_waste_by_hand(ref, shares):
    # Biogas 0.42 t * 0.237 food * 0.45 capture * 1 digested * 900 kWh/t per inhabitant = 40.31 kWh, over the gas the
    # buses would burn for all their diesel, 1.2 kWh per kWh of 65 vkm * 0.45 L/km * 10.056 kWh/L = 294.14 kWh:
    # 40.31 / (1.2 * 294.14). (Over the diesel alone, 0.137, the buses burnt 1.2 times the biogas made.)
    assert food_waste_biogas(0.45, 0.42, 0.237, 900) == pytest.approx(40.3137, rel=1e-6)
    assert food_waste_bus_share(40.3137, BUS_DIESEL, 1.2) == pytest.approx(BIOGAS_SHARE, rel=1e-6)
    assert BIOGAS_SHARE == pytest.approx(0.1142, abs=1e-4)
    assert food_waste_bus_share(403.137, BUS_DIESEL, 1.2) == 1.0   # at most all of it
    assert food_waste_bus_share(40.3137, 0.0, 1.2) == 0.0          # no diesel bus left: nothing to replace
    scenario = _with(api.load_scenario("framtid:reference"),
                     _measure("biogas_from_food_waste", ("oslo",), 2010, {}, "biogas"))
    paths = lever_paths(list(scenario.measures), np.array(dims.YEARS), 1)
    # the lever is the share of the food waste digested for the buses; transport turns it into the fuel share
    assert paths["food_waste_to_bus_biogas"][at(2010), 0, OSLO] == 0.45
    assert paths["food_waste_to_bus_biogas"][at(2010), 0, TROMSO] == 0.0
    assert paths["food_waste_to_bus_biogas"][at(2009), 0, OSLO] == 0.0
    year = {name: lever[at(2010)] for name, lever in paths.items()}
    people = np.full((1, len(dims.MUNICIPALITIES)), 1000.0)
    fuel = bus_biogas_share(year, Params.defaults(1), people, people * BUS_DIESEL)
    assert fuel[0, OSLO] == pytest.approx(BIOGAS_SHARE, rel=1e-9) and fuel[0, TROMSO] == 0.0
    # half the buses' diesel (zero-emission buses, say): twice the share, the same biogas burnt
    assert bus_biogas_share(year, Params.defaults(1), people, people * BUS_DIESEL / 2)[0, OSLO] == pytest.approx(
        2 * BIOGAS_SHARE, rel=1e-9)

    rec = run("biogas_from_food_waste")
    p = population(rec, 2010)
    food = 0.381 * 0.237 * p
    # Digested food: 0.45 of the food, all of it, instead of Oslo's 2009 biological share at 1 - 0.8 composted.
    more = food * (0.45 * 1.0 - shares[FOOD, BIO] * 0.2)
    assert oslo(rec, "biogas_produced", 2010) - oslo(ref, "biogas_produced", 2010) == pytest.approx(
        more * 900 / 1e6, rel=1e-9)
    # Digestion emits 0.8 kg CH4 per tonne, composting 4; neither N2O as the inventory counts it (the table's
    # convention, waste.biological.ef_n2o.*), and landfill CH4 falls from 2011.
    assert gas(rec, "biological_treatment", N2O, 2010) == gas(ref, "biological_treatment", N2O, 2010) == 0.0
    assert oslo(rec, "landfill_ch4_generated", 2011) < oslo(ref, "landfill_ch4_generated", 2011)


def test_the_food_waste_biogas_is_burnt_whatever_the_buses_do():
    """The biogas made replaces the same diesel, and cuts the same tonnes of bus CO2, with zero-emission buses beside
    it as without (it was reckoned against the 2009 buses and applied to the year's: with 70 % zero-emission new
    buses in Oslo it cut 1.8 kt in 2030 instead of 5.8)."""
    base = api.load_scenario("framtid:reference")
    zero = _measure("zero_emission_buses", ("oslo",), 2015, {"share": 0.7}, "ze")
    biogas = _measure("biogas_from_food_waste", ("oslo",), 2015, {}, "biogas")
    runs = {name: api.run_scenario(scenario).record for name, scenario in (
        ("ref", base), ("bio", _with(base, biogas)), ("ze", _with(base, zero)),
        ("both", _with(_with(base, zero), biogas)))}
    for year in (2020, 2030):
        cut_alone = gas(runs["ref"], "buses", CO2, year) - gas(runs["bio"], "buses", CO2, year)
        cut_with_ze = gas(runs["ze"], "buses", CO2, year) - gas(runs["both"], "buses", CO2, year)
        assert cut_alone > 0 and cut_with_ze == pytest.approx(cut_alone, rel=1e-9), year
        assert gas(runs["both"], "buses", CO2, year) < gas(runs["ze"], "buses", CO2, year)


def test_the_gas_buses_are_the_biogas_share_of_the_diesel_buses_km():
    """The recorded share of the bus km on biogas (what `framtid costs` counts its gas buses from): the lever's share
    of the diesel buses' km, so the whole share while every bus is a diesel bus, less beside zero-emission buses;
    0 without biogas."""
    base = api.load_scenario("framtid:reference")
    gas = _measure("bus_biogas", ("oslo",), 2015, {"share": 0.3}, "gas")
    zero = _measure("zero_emission_buses", ("oslo",), 2015, {"share": 0.7}, "ze")
    alone = api.run_scenario(_with(base, gas)).record["bus_biogas_vkm_share"][:, 0]
    both = api.run_scenario(_with(_with(base, zero), gas)).record["bus_biogas_vkm_share"][:, 0]
    years = list(dims.YEARS)
    np.testing.assert_allclose(alone[years.index(2015):, OSLO], 0.3, rtol=1e-12)
    assert np.all(alone[:years.index(2015)] == 0.0) and np.all(np.delete(alone, OSLO, axis=1) == 0.0)
    # zero-emission buses take a growing share of the km: the gas buses' share falls below 0.3
    assert 0.0 < both[years.index(2030), OSLO] < both[years.index(2016), OSLO] < 0.3


def test_the_biogas_buses_share_follows_each_draws_parameters():
    # the yield and the food share of the waste are sampled: the buses' fuel share follows them draw by draw, and
    # a scenario's [parameters] reach it (it was once computed from the table's defaults alone)
    params = Params.defaults(3).with_overrides({"waste.biogas_yield": np.array([600.0, 900.0, 1100.0])})
    levers = {"food_waste_to_bus_biogas": np.full((3, len(dims.MUNICIPALITIES)), 0.45)}
    people = np.full((3, len(dims.MUNICIPALITIES)), 1000.0)
    fuel = bus_biogas_share(levers, params, people, people * BUS_DIESEL)[:, OSLO]
    np.testing.assert_allclose(fuel, BIOGAS_SHARE * np.array([600.0, 900.0, 1100.0]) / 900.0, rtol=1e-9)
    # with a direct share of biogas in the buses as well, the larger acts
    both = bus_biogas_share(dict(levers, bus_biogas_share=np.full((3, len(dims.MUNICIPALITIES)), 0.12)), params,
                            people, people * BUS_DIESEL)
    np.testing.assert_allclose(both[:, OSLO], np.maximum(0.12, fuel), rtol=1e-12)
    assert bus_biogas_share({}, params) is None


def test_both_kinds_of_bus_biogas_in_one_place_are_warned_of_as_one_lever():
    # they set the buses' biogas share between them (the larger acts), as two settings of one lever would
    from framtid.model.measures.scenario_checks import overlaps

    food = _measure("biogas_from_food_waste", ("oslo",), 2020, {}, "food")
    direct = _measure("bus_biogas", ("oslo",), 2020, {"share": 0.08}, "direct")
    warned = overlaps([food, direct])
    assert len(warned) == 1 and "('food') on lever bus_biogas_share for oslo" in warned[0], warned
    assert overlaps([food, _measure("bus_biogas", ("bergen",), 2020, {"share": 0.08}, "direct")]) == []


def test_incineration_ccs_by_hand(ref):
    rec = run("incineration_ccs")          # 0.9 from 2029 with a two-year ramp: 0.45 in 2029, 0.9 after
    for year, captured in ((2028, 0.0), (2029, 0.45), (2030, 0.9), (2050, 0.9)):
        assert gas(rec, "waste_incineration", CO2, year) == pytest.approx(
            (1 - captured) * gas(ref, "waste_incineration", CO2, year), rel=1e-12), year
    for g in (CH4, N2O):
        assert gas(rec, "waste_incineration", g, 2030) == gas(ref, "waste_incineration", g, 2030)


def test_green_procurement_by_hand(ref):
    rec = run("green_procurement")         # half the purchases, 20 % less per NOK, of 1.09 t per inhabitant
    p = population(rec, 2010)
    assert oslo(ref, "consumption_emissions", 2010) - oslo(rec, "consumption_emissions", 2010) == pytest.approx(
        1.09 * 0.5 * 0.2 * p, rel=1e-9)


# -- the consumption-based indicator ----------------------------------------------------------------------

def test_consumption_indicator_in_the_base_year_by_hand(ref):
    # 1.6 food + 1.2 housing + 2.3 transport + 1.9 goods + 1.4 services + 1.09 public = 9.49 t per inhabitant.
    assert ref["consumption_emissions"][0, 0] == pytest.approx(9.49 * ref["population"][0, 0], rel=1e-12)
    assert ref["consumption_emissions"][at(2050), 0] == pytest.approx(9.49 * ref["population"][at(2050), 0],
                                                                    rel=1e-9)


def test_consumption_module_by_hand():
    from framtid.model.parameters import Params

    coef = consumption.coefficients(Params.defaults(1))
    pop = np.array([[1000.0, 0.0]])
    # 100 t food and 300 t other waste expected; 80 t food (20 t avoided) and 240 t other (-20 %);
    # procurement 0.1 and 0.7 + 0.6 (capped at 1).
    args = (pop, np.array([[100.0, 0.0]]), np.array([[80.0, 0.0]]), np.array([[300.0, 0.0]]),
            np.array([[240.0, 0.0]]), np.array([[0.1, 1.3]]), coef)
    out = consumption.by_category(*args)
    assert out[0, 0] == pytest.approx([1600 - 20 * 1.35, 1200, 2300, 1900 * (1 - 0.5 * 0.2), 1400, 1090 * 0.9])
    assert np.all(out[0, 1] == 0.0)
    assert consumption.emissions(*args) == pytest.approx(out.sum(axis=-1), rel=1e-12)


# -- mechanisms in the waste submodel by hand ----------------------------------------------------------------

def test_capture_rate_moves_residual_in_proportion():
    # Food: bio 0.2, inc 0.5, lf 0.3; capture 0.6 needs 0.4 of the residual 0.8, theta = 0.5.
    shares = np.zeros((1, 1, len(dims.WASTE_FRACTIONS), 4))
    shares[..., INC] = 1.0
    shares[0, 0, FOOD] = (0.0, 0.2, 0.5, 0.3)
    out = waste_generation.raise_capture(shares, FOOD, BIO, np.array([[0.6]]))
    assert out[0, 0, FOOD] == pytest.approx([0.0, 0.6, 0.25, 0.15])
    assert out[0, 0, PLASTICS] == pytest.approx(shares[0, 0, PLASTICS])
    # A rate already reached changes nothing; a rate beyond the residual takes all of it.
    assert waste_generation.raise_capture(shares, FOOD, BIO, np.array([[0.1]])) == pytest.approx(shares)
    assert waste_generation.raise_capture(shares, PLASTICS, MR, np.array([[1.0]]))[0, 0, PLASTICS] == pytest.approx(
        [1.0, 0.0, 0.0, 0.0])


def test_food_digestion_split_by_hand():
    # 100 t biological, 60 t of it food; 80 % composted; food digested at least 0.9:
    # digested = 40 * 0.2 + 60 * 0.9 = 62, composted 38.
    composted, digested = waste.composted_and_digested(np.array([[100.0]]), np.array([[60.0]]),
                                                       np.array([[0.8]]), np.array([[0.9]]))
    assert (composted[0, 0], digested[0, 0]) == pytest.approx((38.0, 62.0))
    # Without the lever: 0.2 of all.
    _, digested = waste.composted_and_digested(np.array([[100.0]]), np.array([[60.0]]), np.array([[0.8]]), 0.0)
    assert digested[0, 0] == pytest.approx(20.0)


def test_kinds_are_declared_in_the_waste_area_with_sources():
    for kind in WASTE_KINDS:
        k = KINDS[kind]
        assert k.area == "consumption_waste" and k.source, kind
        assert "buildings_waste_adaptation.csv" in k.source or "methods" in k.source, kind


def test_scenario_file_with_every_waste_kind(tmp_path):
    from framtid.model.scenario import load

    path = tmp_path / "waste.toml"
    path.write_text('[scenario]\nname = "waste"\nextends = "framtid:reference"\n' + "".join(
        f'[[measure]]\nkind = "{kind}"\nmunicipality = "oslo"\nstart_year = 2025\n' for kind in WASTE_KINDS))
    paths = lever_paths(list(load(path).measures), np.array(dims.YEARS), 1)
    expected = {"waste_per_capita_change": -0.15, "food_waste_change": -0.5, "food_separation_min": 0.796,
                "plastics_separation_min": 0.5, "material_recovery_share_min": 0.42,
                "landfill_gas_recovery_min": 0.33, "food_digestion_share_min": 1.0,
                "food_waste_to_bus_biogas": 0.45, "incineration_capture_share": 0.9,
                "green_procurement_reduction": 0.1}
    for lever, value in expected.items():
        assert paths[lever][at(2025), 0, OSLO] == pytest.approx(value), lever
        assert paths[lever][at(2024), 0, OSLO] == 0.0 and paths[lever][at(2025), 0, TROMSO] == 0.0, lever
