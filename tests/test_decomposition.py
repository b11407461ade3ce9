"""LMDI-I by hand (the logarithmic mean, a two-factor and a two-segment example, zero values), exact
closure of the road-transport, buildings and car-traffic identities on a real run, and `framtid decompose`."""

import csv
import io
import math

import numpy as np
import pytest
from click.testing import CliRunner

from framtid.cli.main import main
from framtid.model import api
from framtid.model.errors import UsageError
from framtid.model.evaluation import decomposition as dc
from framtid.model.evaluation import traffic_decomposition as td

ROAD_SECTORS = ["road_passenger_cars", "road_vans", "road_heavy_vehicles", "road_buses"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# --- the method by hand ------------------------------------------------------------------------------

def test_log_mean_by_hand():
    assert dc.log_mean(2.0, 1.0) == pytest.approx(1.0 / math.log(2.0))        # 1.442695
    assert dc.log_mean(3.0, 3.0) == 3.0
    assert dc.log_mean(1.0, 1.0 + 1e-12) == pytest.approx(1.0, rel=1e-12)
    assert dc.log_mean(0.0, 5.0) == 0.0 and dc.log_mean(5.0, 0.0) == 0.0
    assert dc.log_mean([2.0, 4.0], [1.0, 4.0]) == pytest.approx([1.442695, 4.0], abs=1e-6)


def test_two_factor_example_by_hand():
    # G = x y: from 2 x 3 = 6 to 4 x 3.5 = 14. L(14, 6) = 8 / ln(14/6) = 9.44178;
    # x: 9.44178 ln 2 = 6.54454; y: 9.44178 ln(3.5/3) = 1.45546; together 8
    effects = dc.lmdi({"x": np.array([2.0]), "y": np.array([3.0])}, {"x": np.array([4.0]), "y": np.array([3.5])})
    assert effects["x"] == pytest.approx(6.54454, abs=1e-5)
    assert effects["y"] == pytest.approx(1.45546, abs=1e-5)
    assert effects["x"] + effects["y"] == pytest.approx(8.0, abs=1e-12)


def test_two_segment_activity_and_structure_by_hand():
    # G = sum_i A S_i: A 10 -> 12, S (0.6, 0.4) -> (0.5, 0.5); segments 6, 4 -> 6, 6.
    # activity: L(6,6) ln 1.2 + L(6,4) ln 1.2 = 6 x 0.18232 + 4.93261 x 0.18232 = 1.99325
    # structure: 6 ln(5/6) + 4.93261 ln 1.25 = -1.09393 + 1.10068 = 0.00675
    effects = dc.lmdi({"activity": np.array([10.0]), "structure": np.array([0.6, 0.4])},
                      {"activity": np.array([12.0]), "structure": np.array([0.5, 0.5])})
    assert effects["activity"] == pytest.approx(1.99325, abs=1e-5)
    assert effects["structure"] == pytest.approx(0.00675, abs=1e-5)
    assert effects["activity"] + effects["structure"] == pytest.approx(2.0, abs=1e-12)


def test_zero_values_go_to_the_factor_that_is_zero():
    # segment 2 appears (share 0 -> 0.5; its intensity undefined at the start): its 20 go to structure.
    # segment 1: 20 -> 10 by its share halving: structure L(10, 20) ln 0.5 = -10
    start = {"activity": np.array([10.0]), "structure": np.array([1.0, 0.0]), "intensity": np.array([2.0, np.nan])}
    end = {"activity": np.array([10.0]), "structure": np.array([0.5, 0.5]), "intensity": np.array([2.0, 4.0])}
    effects = dc.lmdi(start, end)
    assert effects["structure"] == pytest.approx(10.0) and effects["activity"] == pytest.approx(0.0)
    assert effects["intensity"] == pytest.approx(0.0)
    # a segment that stops emitting (intensity 0 at the end) gives its whole 6 to intensity
    effects = dc.lmdi({"a": np.array([2.0]), "i": np.array([3.0])}, {"a": np.array([4.0]), "i": np.array([0.0])})
    assert effects["i"] == pytest.approx(-6.0) and effects["a"] == 0.0
    # two factors zero at once share the change equally (the limit of the small-value strategy)
    effects = dc.lmdi({"a": np.array([0.0]), "b": np.array([0.0])}, {"a": np.array([2.0]), "b": np.array([3.0])})
    assert effects["a"] == pytest.approx(3.0) and effects["b"] == pytest.approx(3.0)
    with pytest.raises(ValueError, match="negative"):
        dc.lmdi({"a": np.array([-1.0])}, {"a": np.array([1.0])})


def test_road_identity_by_hand():
    # one municipality: cars 800 petrol + 200 battery vkm, 100 van, 50 heavy, 50 bus vkm (1 200 vkm);
    # burnt 60 + 40 + 0 GWh (petrol, diesel, biofuel), 20 GWh electricity; emissions 20, 5, 10, 5 t
    f, g = dc.road_factors(np.array([1000.0, 100.0, 50.0, 50.0]), np.array([800.0, 0.0, 0.0, 200.0]),
                           np.array([60.0, 40.0, 20.0, 0.0]), np.array([20.0, 5.0, 10.0, 5.0]))
    assert f["activity"] == pytest.approx([1200.0])
    assert f["structure"] == pytest.approx([800 / 1200, 200 / 1200, 100 / 1200, 50 / 1200, 50 / 1200])
    assert f["fuel"] == pytest.approx([0.4])                        # 40 t / 100 GWh burnt
    # e_k = G_k / (V_k F): cars 20 / (800 x 0.4) = 0.0625 GWh/vkm; battery cars burn nothing
    assert f["intensity"] == pytest.approx([0.0625, 0.0, 0.125, 0.5, 0.25])
    assert g == pytest.approx([20.0, 0.0, 5.0, 10.0, 5.0])
    product = f["activity"] * f["structure"] * f["intensity"] * f["fuel"]
    assert product == pytest.approx(g)


def test_buildings_identity_by_hand():
    # 100 + 50 + 50 m2 need 10, 4, 6 GWh; 25 GWh delivered; 5 t: F = 0.2, i_b = (N_b / A_b)(25 / 20)
    f, g = dc.building_factors(np.array([100.0, 50.0, 50.0]), np.array([10.0, 4.0, 6.0]),
                               np.array([20.0, 5.0, 0, 0, 0, 0, 0]), np.array(5.0))
    assert f["activity"] == pytest.approx([200.0]) and f["fuel"] == pytest.approx([0.2])
    assert f["structure"] == pytest.approx([0.5, 0.25, 0.25])
    assert f["intensity"] == pytest.approx([0.125, 0.1, 0.15])
    assert g == pytest.approx([2.5, 1.0, 1.5])                       # G N_b / N


def test_car_traffic_identity_by_hand():
    # 100 residents making 3 trips a year each, 40 % of them as car drivers, 10 km per car trip: 1 200 vkm. Ten
    # years on: 110 residents, 36 % by car. L(1188, 1200) = -12 / ln(0.99) = 1193.99;
    # population: 1193.99 ln 1.1 = +113.80; car share: 1193.99 ln 0.9 = -125.80; together -12
    trips = np.array([[120.0, 30.0, 90.0, 30.0, 30.0], [118.8, 30.0, 121.2, 30.0, 30.0]])   # by mode (5)
    factors, vkm = td.traffic_factors(np.array([100.0, 110.0]), trips, np.array([1200.0, 1188.0]))
    assert vkm[:, 0] == pytest.approx([1200.0, 1188.0])
    assert factors["trip_rate"][:, 0] == pytest.approx([3.0, 3.0]) and factors["trip_length"][:, 0] == pytest.approx(
        [10.0, 10.0])
    assert factors["car_share"][:, 0] == pytest.approx([0.4, 0.36])
    effects = dc.lmdi({k: v[0] for k, v in factors.items()}, {k: v[1] for k, v in factors.items()})
    assert effects["population"] == pytest.approx(113.80, abs=0.01)
    assert effects["car_share"] == pytest.approx(-125.80, abs=0.01)
    assert effects["trip_rate"] == pytest.approx(0.0, abs=1e-9) and effects["trip_length"] == pytest.approx(0.0,
                                                                                                          abs=1e-9)
    assert sum(effects.values()) == pytest.approx(-12.0, abs=1e-9)


# --- a real run -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def run_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("decompose") / "both.nc"
    api.save(api.run(["framtid:reference", "framtid:current-policies"]), path)
    return path


@pytest.fixture(scope="module")
def ds(run_file):
    return api.open_results(run_file)


def test_cars_by_powertrain_add_up_to_the_car_class(ds):
    assert np.allclose(ds["car_vkm"].sum("powertrain"), ds["vkm"].sel(vehicle_class="car"), rtol=1e-12)


def test_effects_add_up_exactly_on_a_real_run(ds):
    rows = dc.decompose(ds, year_to=2030) + dc.decompose(ds, scenarios=["current-policies"], versus="reference")
    assert len(rows) == 2 * 2 * 14 + 2 * 14
    for r in rows:
        assert r["change"] == pytest.approx(r["emissions_to"] - r["emissions_from"], abs=1e-9)
        assert sum(r[e] for e in dc.EFFECTS) == pytest.approx(r["change"], abs=1e-7)
        assert abs(r["residual"]) < 1e-7
    # the identities reproduce the sectors' emissions as the result holds them
    cp = ds.sel(scenario="current-policies", draw=0)
    road = {r["municipality"]: r for r in rows if r["sector"] == "road_transport" and r["scenario"] ==
            "current-policies" and not r["versus"]}
    heat = {r["municipality"]: r for r in rows if r["sector"] == "buildings" and r["scenario"] ==
            "current-policies" and not r["versus"]}
    for m in ("oslo", "tromso"):
        assert road[m]["emissions_to"] == pytest.approx(
            float(cp["emissions"].sel(municipality=m, year=2030, sector=ROAD_SECTORS).sum()) / 1000, rel=1e-12)
        assert heat[m]["emissions_from"] == pytest.approx(
            float(cp["emissions"].sel(municipality=m, year=2009, sector="heating")) / 1000, rel=1e-12)
    total = float(cp["emissions"].sel(year=2030, sector=ROAD_SECTORS).sum()) / 1000
    assert road["all selected"]["emissions_to"] == pytest.approx(total, rel=1e-12)


def test_why_emissions_fell_in_current_policies(ds):
    rows = dc.decompose(ds, scenarios=["current-policies"], year_to=2030)
    for r in rows:
        if r["municipality"] == "all selected":
            continue
        if r["sector"] == "road_transport":
            # more driving, but battery cars take vkm from combustion cars and blending lowers CO2e per kWh
            assert r["activity"] > 0 and r["structure"] < 0 and r["fuel"] < 0
        else:
            # the oil-heating ban: CO2e per delivered kWh falls; more floor area adds
            assert r["fuel"] < 0 and r["activity"] > 0


def test_the_coverage_line_sets_the_sectors_split_beside_every_sector_s_change(ds):
    """What the command adds below its tables: the change it splits (road transport and buildings) against the
    change of the total, in a municipality and over a selection, over time and against another scenario."""
    cp = ds.sel(scenario="current-policies", draw=0)["emissions"]
    oslo = dc.decompose(ds, scenarios=["current-policies"], municipalities=["oslo"], year_to=2030)
    (line,) = dc.coverage(ds, oslo)
    split = sum(r["change"] for r in oslo)
    total = float(cp.sel(municipality="oslo", year=2030).sum() - cp.sel(municipality="oslo", year=2009).sum()) / 1e3
    assert f"by {split:+,.1f} of the {total:+,.1f} kt CO2e/yr of every sector (oslo)" in line
    assert line.startswith("current-policies, 2009 to 2030") and "not decomposed" in line
    both = dc.decompose(ds, scenarios=["current-policies"], municipalities=["oslo", "bergen"], versus="reference")
    (line,) = dc.coverage(ds, both)
    two = ds.sel(draw=0, year=2030, municipality=["oslo", "bergen"])["emissions"].sum(("municipality", "sector"))
    gap = float(two.sel(scenario="current-policies") - two.sel(scenario="reference")) / 1e3
    assert f"of the {gap:+,.1f} kt CO2e/yr of every sector (the selection)" in line


def test_options_are_checked(ds):
    with pytest.raises(UsageError, match=r"--from: must be before --to \(2020\), got 2030"):
        dc.decompose(ds, year_from=2030, year_to=2020)
    with pytest.raises(UsageError, match="--from: not used with --versus"):
        dc.decompose(ds, versus="reference", year_from=2010)
    with pytest.raises(UsageError, match="--municipality: 'atlantis' not in result"):
        dc.decompose(ds, municipalities=["atlantis"])
    with pytest.raises(UsageError, match=r"--to: must be a year of result \(2009-2050\), got 2051"):
        dc.decompose(ds, year_to=2051)
    with pytest.raises(UsageError, match=r"^--versus: 'reference' needs another scenario to compare with; --scenario "
                                         r"names only reference \(others of result: current-policies\)$"):
        dc.decompose(ds, scenarios=["reference"], versus="reference")


def test_command_table_and_csv(run_file):
    res = invoke("decompose", run_file, "--scenario", "current-policies", "--municipality", "oslo,bergen",
                 "--to", "2050")
    assert res.exit_code == 0, res.output
    assert "Road transport, current-policies, 2009 to 2050" in res.output and "all selected" in res.output
    res = invoke("decompose", run_file, "--versus", "reference", "--format", "csv")
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert {(r["scenario"], r["versus"]) for r in rows} == {("current-policies", "reference")}
    for r in rows:
        assert sum(float(r[e]) for e in dc.EFFECTS) == pytest.approx(float(r["change"]), abs=1e-6)


@pytest.mark.parametrize("args, message", [
    (("--from", "2030", "--to", "2020"), "--from: must be before --to"),
    (("--municipality", "atlantis"), "--municipality: 'atlantis' not in"),
    (("--versus", "nowhere"), "--versus: 'nowhere' not in"),
])
def test_command_refuses_bad_options_in_one_line(run_file, args, message):
    res = invoke("decompose", run_file, *args)
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output


def test_car_traffic_effects_add_up_and_regions_sum_their_municipalities(ds):
    rows = td.decompose(ds, year_from=2017, year_to=2030) + td.decompose(ds, scenarios=["current-policies"],
                                                                        versus="reference")
    areas = [r["area"] for r in rows if r["scenario"] == "reference"]
    assert areas == list(ds["municipality"].values) + ["region oslo", "region nedre_glomma", "region grenland",
                                                       "region nord_jaeren", "all selected"]
    for r in rows:
        assert r["change"] == pytest.approx(r["car_vkm_to"] - r["car_vkm_from"], abs=1e-9)
        assert sum(r[e] for e in td.EFFECTS) == pytest.approx(r["change"], abs=1e-7)
        assert r["index"] == pytest.approx(r["car_vkm_to"] / r["car_vkm_from"], rel=1e-12)   # one draw
    by = {(r["scenario"], r["versus"], r["area"]): r for r in rows}
    cp = ds.sel(scenario="current-policies", draw=0)["car_vkm_resident"]
    assert by[("current-policies", "", "oslo")]["car_vkm_to"] == pytest.approx(
        float(cp.sel(municipality="oslo", year=2030)) / 1e6, rel=1e-12)
    region, members = by[("current-policies", "", "region oslo")], ("oslo", "baerum")
    for key in ("car_vkm_from", "change") + td.EFFECTS:
        assert region[key] == pytest.approx(sum(by[("current-policies", "", m)][key] for m in members), abs=1e-9)
    # the index of the region is the zero-growth goal's (framtid targets): residents' car vkm 2030 over 2017
    assert region["index"] == pytest.approx(float(cp.sel(municipality=list(members), year=2030).sum()
                                                  / cp.sel(municipality=list(members), year=2017).sum()), rel=1e-12)
    # the model's trip generation is fixed per resident: the trip rate never moves car traffic
    assert all(abs(r["trip_rate"]) < 1e-6 for r in rows)
    # against the 2009 policies, current policies (tolls, parking fees) cut car traffic by the car-driver share
    versus = by[("current-policies", "reference", "region oslo")]
    assert versus["car_share"] < 0 and versus["change"] < 0 and abs(versus["population"]) < 1e-6


def test_car_traffic_command(run_file):
    res = invoke("decompose", run_file, "--quantity", "car-traffic", "--scenario", "current-policies",
                 "--municipality", "oslo,baerum", "--from", "2017")
    assert res.exit_code == 0, res.output
    assert "Residents' car traffic, current-policies, 2017 to 2030" in " ".join(res.output.split())
    assert "-0.0" not in res.output and "selected" not in res.output   # the two are the region: no third row
    res = invoke("decompose", run_file, "--quantity", "car-traffic", "--format", "csv", "--municipality",
                 "oslo,baerum,bergen", "--scenario", "reference")
    assert [r["area"] for r in csv.DictReader(io.StringIO(res.output))] == ["oslo", "baerum", "bergen", "region oslo",
                                                                            "all selected"]
    res = invoke("decompose", run_file, "--quantity", "car-traffic", "--format", "csv", "--municipality", "tromso")
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert res.exit_code == 0 and [r["area"] for r in rows] == ["tromso", "tromso"]
    assert rows[0]["unit"] == "million vkm/yr"
    res = invoke("decompose", run_file, "--quantity", "traffic")
    assert res.exit_code == 2 and "--quantity" in res.output and "Traceback" not in res.output


# --- what the command reads of a result file -------------------------------------------------------------

@pytest.mark.parametrize("args", [("--format", "csv"), ("--versus", "reference"),
                                  ("--scenario", "current-policies", "--municipality", "oslo,bergen", "--to", "2050")])
def test_command_prints_the_same_as_with_the_whole_file_loaded(run_file, args, prints_as_with_whole_file):
    prints_as_with_whole_file(dc.VARIABLES, "decompose", run_file, *args)


def test_car_traffic_prints_the_same_as_with_the_whole_file_loaded(run_file, prints_as_with_whole_file):
    prints_as_with_whole_file(td.VARIABLES, "decompose", run_file, "--quantity", "car-traffic", "--versus", "reference")


def test_the_decomposition_reads_no_variable_it_does_not_declare(run_file, ds):
    declared = api.open_results(run_file, list(dc.VARIABLES))
    assert set(declared.data_vars) < set(ds.data_vars)
    for options in ({}, {"versus": "reference", "year_to": 2050}, {"municipalities": ["tromso"], "year_from": 2020}):
        assert dc.decompose(declared, **options) == dc.decompose(ds, **options)
