"""The programme's indicators: definitions by hand, aggregation over areas, and the command."""

import json

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from framtid.cli.main import main
from framtid.model import api, dims
from framtid.model.evaluation import cobenefits as cb
from framtid.model.evaluation import indicators as ind


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def _by_municipality(values, extra=None):
    """A DataArray over (municipality, [extra], year, draw) for oslo and baerum, one year, one draw."""
    arr = np.asarray(values, dtype=float)
    if extra is None:
        return xr.DataArray(arr.reshape(2, 1, 1), dims=("municipality", "year", "draw"),
                            coords={"municipality": ["oslo", "baerum"], "year": [2009], "draw": [0]})
    name, labels = extra
    return xr.DataArray(arr.reshape(2, len(labels), 1, 1), dims=("municipality", name, "year", "draw"),
                        coords={"municipality": ["oslo", "baerum"], name: list(labels), "year": [2009],
                                "draw": [0]})


def test_ratios_add_up_as_ratios_of_sums():
    # Oslo 500 t over 100 residents (5 t each), Baerum 300 t over 300 (1 t each):
    # together 800 / 400 = 2 t per resident, not the mean 3 of the two ratios.
    emissions = _by_municipality([[500.0, 0.0], [100.0, 200.0]], ("sector", ("heating", "industry")))
    num, den = ind.emissions_per_capita(emissions, _by_municipality([100.0, 300.0]))
    groups = ind.membership([("oslo", ["oslo"]), ("baerum", ["baerum"]), ("total", ["oslo", "baerum"])],
                            ["oslo", "baerum"])
    value = ind.aggregate(ind.BY_NAME["emissions_per_capita"], num.values, den.values, groups)
    assert value[:, 0, 0] == pytest.approx([5.0, 1.0, 2.0])
    # a share of an area the result does not record is not added up
    sealed = ind.aggregate(ind.BY_NAME["sealed_surface_share"], _by_municipality([0.4, 0.3]).values, None, groups)
    assert sealed[:2, 0, 0] == pytest.approx([0.4, 0.3]) and np.isnan(sealed[2, 0, 0])
    # flows are summed
    nox = ind.aggregate(ind.BY_NAME["nox_road_exhaust"], _by_municipality([10.0, 5.0]).values, None, groups)
    assert nox[:, 0, 0] == pytest.approx([10.0, 5.0, 15.0])


def test_definitions_by_hand():
    area = _by_municipality([[100.0, 300.0, 600.0], [50.0, 50.0, 0.0]],
                            ("building_type", ("house", "apartment", "non_residential")))
    systems = np.zeros((2, 3, len(dims.HEATING_SYSTEMS)))
    systems[:, :, dims.HEATING_SYSTEMS.index("oil_boiler")] = 0.1
    systems[:, :, dims.HEATING_SYSTEMS.index("gas_boiler")] = 0.05
    systems[:, :, dims.HEATING_SYSTEMS.index("heat_pump")] = 0.85
    share = xr.DataArray(systems.reshape(2, 3, -1, 1, 1), dims=("municipality", "building_type", "heating_system",
                                                                 "year", "draw"),
                         coords={"municipality": ["oslo", "baerum"], "building_type": list(dims.BUILDING_TYPES),
                                 "heating_system": list(dims.HEATING_SYSTEMS), "year": [2009], "draw": [0]})
    num, den = ind.fossil_heating_share(share, area)
    # 15 % of every building type: Oslo 0.15 * 1 000 m2 = 150 of 1 000; Baerum 15 of 100
    assert num.values.ravel() == pytest.approx([150.0, 15.0]) and den.values.ravel() == pytest.approx([1000.0, 100.0])
    energy = _by_municipality([[0.1, 0.05, 0, 0, 0, 0, 0], [0.01, 0, 0, 0, 0, 0, 0.001]],
                              ("carrier", dims.CARRIERS))
    num, den = ind.energy_per_floor_area(energy, area)
    # Oslo 0.15 GWh = 150 000 kWh over 1 000 m2 = 150 kWh/m2; Baerum 11 000 kWh / 100 m2 = 110
    assert (num / den).values.ravel() == pytest.approx([150.0, 110.0])
    waste = _by_municipality([[30.0, 10.0, 50.0, 10.0], [0.0, 0.0, 1.0, 1.0]], ("treatment", dims.TREATMENTS))
    num, den = ind.treatment_share(waste, "landfill")
    assert (num / den).values.ravel() == pytest.approx([0.1, 0.5])
    num, den = ind.waste_per_capita(_by_municipality([38.0, 4.0]), _by_municipality([100.0, 10.0]))
    assert (num / den).values.ravel() == pytest.approx([380.0, 400.0])     # kg per resident


def test_car_vkm_index_is_one_in_its_reference_year():
    vkm = xr.DataArray(np.array([100.0, 110.0, 121.0]).reshape(1, 3, 1), dims=("municipality", "year", "draw"),
                       coords={"municipality": ["oslo"], "year": [2009, 2010, 2011], "draw": [0]})
    num, den = ind.car_vkm_index(vkm, 2010)
    assert (num / den).values.ravel() == pytest.approx([100 / 110, 1.0, 1.1])


def test_areas_are_municipalities_regions_and_the_total():
    labels = [a for a, _ in ind.areas(list(dims.MUNICIPALITIES))]
    assert labels[:13] == list(dims.MUNICIPALITIES)
    assert set(labels[13:]) == {"region:oslo", "region:nedre_glomma", "region:grenland", "region:nord_jaeren",
                                "total"}
    # several, fewer than the 13: their selection (not to be read as the 13 together)
    assert [a for a, _ in ind.areas(["oslo", "skien"])] == ["oslo", "skien", "selection"]
    assert [a for a, _ in ind.areas(["bergen"])] == ["bergen"]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    ds = api.run(["framtid:reference", "framtid:current-policies"])
    path = tmp_path_factory.mktemp("indicators") / "both.nc"
    api.save(ds, path)
    return ds, path


def test_indicators_agree_with_the_result(result):
    ds, _ = result
    years, values = ind.compute(ds)
    i = years.index(2030)
    sel = ds.sel(scenario="current-policies", year=2030).mean("draw")
    total = float(sel["emissions"].sum()) / float(sel["population"].sum())
    assert values[("current-policies", "total", "emissions_per_capita")][i] == pytest.approx(total)
    # the car-driver share of trips is the recorded mode share
    assert values[("current-policies", "bergen", "car_driver_share")][i] == pytest.approx(
        float(sel["mode_share"].sel(municipality="bergen", mode="car_driver")))
    # a region is its members together
    pair = sel["car_vkm_resident"].sel(municipality=["stavanger", "sandnes"]).sum()
    base = ds.sel(scenario="current-policies", year=2009).mean("draw")["car_vkm_resident"].sel(
        municipality=["stavanger", "sandnes"]).sum()
    assert values[("current-policies", "region:nord_jaeren", "car_vkm_index")][i] == pytest.approx(
        float(pair / base))
    assert values[("reference", "oslo", "car_vkm_index")][0] == pytest.approx(1.0)
    # toll payments by residence, as recorded
    np.testing.assert_allclose(values[("reference", "oslo", "toll_paid")],
                               ds.sel(scenario="reference", municipality="oslo").mean("draw")["toll_paid"] / 1e6)
    assert values[("reference", "bergen", "toll_paid")][0] > 0
    # passages through the cordons a municipality owns: Oslo's three rings of 2030, per cordon in the file
    rings = ds["cordon_passages"].sel(scenario="current-policies", year=2030, cordon=[
        "oslo_ring_2019", "oslo_inner_ring", "oslo_city_boundary"]).mean("draw").sum()
    assert values[("current-policies", "oslo", "cordon_car_trips")][i] == pytest.approx(float(rings))
    assert values[("current-policies", "tromso", "cordon_car_trips")][0] == 0   # no ring charging before 2023


def test_heat_change_against_a_scenario_and_a_year(result):
    ds, _ = result
    years, by_year = ind.compute(ds, compare=2009)
    assert by_year[("reference", "total", "heat_deaths_avoided_change")][0] == pytest.approx(0.0)
    years, by_scenario = ind.compute(ds, compare="reference", scenarios=["current-policies"])
    change = by_scenario[("current-policies", "total", "heat_deaths_avoided_change")]
    own = [by_scenario[("current-policies", "total", f"heat_deaths_avoided_{m}")] for m in ("walk", "bicycle")]
    _, ref = ind.compute(ds, scenarios=["reference"])
    theirs = [ref[("reference", "total", f"heat_deaths_avoided_{m}")] for m in ("walk", "bicycle")]
    assert change == pytest.approx(own[0] + own[1] - theirs[0] - theirs[1])
    assert ("reference", "total", "heat_value") not in by_scenario


def test_tolls_paid_are_shown_when_the_result_records_them(result):
    ds, _ = result
    paid = ds["population"] * 500.0                              # 500 NOK per resident and year
    header, rows = ind.indicator_rows(ds.assign(toll_paid=paid), [2030], scenarios=["reference"])
    got = {(r[1], r[3]): r[4] for r in rows}
    assert got[("total", "toll_paid_per_capita")] == pytest.approx(500.0)
    pop = float(ds["population"].sel(scenario="reference", year=2030, municipality="oslo").mean())
    assert got[("oslo", "toll_paid")] == pytest.approx(pop * 500.0 / 1e6, rel=1e-5)
    # the tolls are at full rates (no tag discounts or monthly caps), which the note says
    notes = {(r[1], r[3]): r[-1] for r in rows}
    assert "no tag discounts or monthly caps" in notes[("oslo", "toll_paid")]


def test_command_prints_tables_csv_and_json(result):
    _, path = result
    res = invoke("indicators", str(path), "--municipality", "oslo,baerum", "--year", "2009,2030")
    assert res.exit_code == 0, res.output
    assert "Indicators of region:oslo, scenario current-policies" in res.output
    assert "toll_paid" in res.output and "compared with 2009" in res.output
    res = invoke("indicators", str(path), "--scenario", "reference", "--municipality", "tromso", "--format", "csv",
                 "--compare", "current-policies")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "scenario,area,year,indicator,value,unit,note"
    assert len(lines) == 1 + 4 * len(ind.INDICATORS)          # one area, four default years
    assert "compared with current-policies" in res.output
    res = invoke("indicators", str(path), "--municipality", "skien", "--year", "2050", "--format", "json")
    rows = json.loads(res.output)
    assert {r["indicator"] for r in rows} == {i.name for i in ind.INDICATORS}
    toll = [r for r in rows if r["indicator"] == "toll_paid"]
    assert toll[0]["value"] is not None and toll[0]["note"] != "not in this result file"


@pytest.mark.parametrize("args, words", [
    (("--years", "2008"), "--year/--years: years must lie in 2009-2050"),
    (("--year", "soon"), "--year/--years: expected comma-separated years"),
    (("--municipality", "oslo,atlantis"), "--municipality: 'atlantis' not in"),
    (("--scenario", "nope"), "--scenario: 'nope' not in"),
    (("--compare", "1990"), "--compare: year 1990 not in"),
    (("--compare", "nope"), "--compare: 'nope' is neither a year"),
    (("--reference-year", "2070"), "--reference-year: 2070 not in"),
])
def test_command_bad_input_is_one_located_message(result, args, words):
    _, path = result
    res = invoke("indicators", str(path), *args)
    assert res.exit_code == 2 and words in res.output and "Traceback" not in res.output



@pytest.mark.parametrize("args", [(), ("--format", "csv", "--compare", "reference", "--scenario", "current-policies",
                                       "--municipality", "oslo,baerum", "--reference-year", "2017")])
def test_command_prints_the_same_as_with_the_whole_file_loaded(result, args, prints_as_with_whole_file):
    prints_as_with_whole_file(ind.VARIABLES, "indicators", result[1], *args)


def test_the_indicators_read_no_variable_they_do_not_declare(result):
    _, path = result
    declared = api.open_results(path, list(ind.VARIABLES))
    whole = api.open_results(path)
    assert set(declared.data_vars) < set(whole.data_vars) and "toll_paid" in declared   # tolls have values
    for options in ((dims.BASE_YEAR, dims.BASE_YEAR, None), (2017, "reference", ["current-policies"])):
        assert (ind.indicator_rows(declared, [2009, 2030, 2050], *options)
                == ind.indicator_rows(whole, [2009, 2030, 2050], *options))

def test_draws_in_years_are_the_draws_of_compute_in_any_block(sampled):
    ds = api.open_results(sampled, list(ind.VARIABLES))
    years, means = ind.compute(ds)
    _, draws = ind.compute(ds, keep_draws=True)
    k = [years.index(y) for y in (2009, 2030)]
    for block in (3, 8):
        chosen, parts = ind.draws_in_years(ds, [2009, 2030], block=block)
        assert chosen == [2009, 2030] and parts.keys() == draws.keys()
        for key, value in draws.items():
            if value is None:
                assert parts[key] is None and means[key] is None
                continue
            assert value.shape == (len(years), 8)
            np.testing.assert_array_equal(value.mean(axis=-1), means[key])
            np.testing.assert_array_equal(parts[key], value[k])


def test_command_refuses_a_file_that_is_not_a_result(tmp_path):
    bad = tmp_path / "bad.nc"
    bad.write_text("not netcdf")
    res = invoke("indicators", str(bad))
    assert res.exit_code == 2 and "not a framtid result file" in res.output


def test_a_file_without_the_optional_toll_variables_still_has_its_indicators(result, tmp_path):
    ds, _ = result
    path = tmp_path / "lean.nc"
    api.save(api.select_variables(ds, [v for v in ind.VARIABLES if v not in cb.OPTIONAL and v != "emissions"]), path)
    res = invoke("indicators", str(path), "--municipality", "oslo", "--years", "2030")
    assert res.exit_code == 0, res.output
    row = next(line for line in res.output.splitlines() if line.startswith("cordon_car_trips"))
    assert cb.NOT_IN_FILE in row
