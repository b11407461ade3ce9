"""The model's own elasticities fall in the published ranges (`framtid elasticities`)."""

import dataclasses
import types

import numpy as np
import pytest

from framtid.model import api, dims, elasticities
from framtid.model.errors import UsageError
from framtid.model.scenario import load


@pytest.fixture(scope="module")
def runs():
    """The perturbation runs, made once for the module: ``implied``, ``implied_each`` and the command make the
    same runs of the same scenarios (a run is keyed by the whole scenario's repr, so two scenarios that differ in
    anything, a name among it, are run apart). Each set of them costs some 3 s."""
    made = {}
    plain = api.run_scenario

    def run_once(scenario, *args, **kwargs):
        assert not args and not kwargs, "elasticities runs a scenario at its defaults"
        key = repr(scenario)
        if key not in made:
            made[key] = types.SimpleNamespace(record=plain(scenario).record)
        return made[key]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(api, "run_scenario", run_once)
        yield made


@pytest.fixture(scope="module")
def each(runs):
    """The 13 together (None) and each municipality, from one set of runs."""
    return elasticities.implied_each([None] + list(dims.MUNICIPALITIES))


@pytest.fixture(scope="module")
def rows(each):
    return each[None]


def test_every_target_is_measured(rows):
    measured = {(r["quantity"], r["horizon"]) for r in rows}
    assert measured == {(t.quantity, t.horizon) for t in elasticities.targets()}
    assert {q for q, _ in measured} == {"fuel_price", "fuel_use", "freight_fuel", "running_cost", "toll", "parking",
                                       "pt_fare", "pt_service", "road_capacity", "travel_time", "rebound",
                                       "residence_distance"}


@pytest.mark.parametrize("quantity", ["fuel_price", "fuel_use", "freight_fuel", "running_cost", "toll", "parking",
                                      "pt_fare", "pt_service", "road_capacity", "travel_time", "rebound",
                                      "residence_distance"])
def test_implied_elasticities_lie_in_the_published_ranges(rows, quantity):
    for r in rows:
        if r["quantity"] == quantity:
            assert r["low"] <= r["implied"] <= r["high"], r
            assert r["in_range"], r


def test_where_people_live_is_measured_against_their_distance_to_the_centre(rows):
    # Compact growth shortens the residents' mean distance to the centre, and their car km fall: a positive
    # elasticity, Ewing & Cervero's 0.22 shared between the home-zone trip-length factors and the home-zone mode
    # constants (each at full size gave about 0.25 alone and 0.49 together, before 0.23.0).
    by = {r["horizon"]: r for r in rows if r["quantity"] == "residence_distance"}
    assert set(by) == {"first_year", "ten_years"}
    for r in by.values():
        assert (r["low"], r["central"], r["high"]) == (0.11, 0.22, 0.33)
        assert 0.2 < r["implied"] < 0.3, r


def test_cars_fuel_use_answers_beyond_traffic_by_the_efficiency_response(rows):
    # Fuel use falls with traffic, with the shift of new cars between powertrains and with combustion cars'
    # fuel use per km (fuel_intensity: -0.15 in the first year, -0.4 in the long run). Traffic is what the travel
    # choice gives alone: the price-driven efficiency does not feed back into the cost per km.
    by = {r["horizon"]: r["implied"] for r in rows if r["quantity"] == "fuel_use"}
    traffic = {r["horizon"]: r["implied"] for r in rows if r["quantity"] == "fuel_price"}
    # first year: 0.375 * -0.4 = -0.15 on top of traffic (few new cars change powertrain within a year)
    assert by["first_year"] - traffic["first_year"] == pytest.approx(-0.15, abs=0.02)
    # ten years: -0.4 * (1 - 0.625^10) = -0.396 were every new car to burn fuel; from 2012 the technology part moves
    # more slowly as new cars turn electric, and the shift of new cars to electric adds to the fall
    assert -0.50 < by["ten_years"] - traffic["ten_years"] < -0.39


def test_rebound_of_a_halved_cost_per_km(rows):
    # methods §1.7: a fuel-cost elasticity of vkm of -0.1 to -0.3 gives +5 % to +15 % vkm for a 50 % cut of the
    # cost per km; as an arc elasticity of the -50 % change, ln(1.15) / ln(0.5) = -0.2016 and ln(1.05) / ln(0.5)
    # = -0.0704
    by = {r["horizon"]: r for r in rows if r["quantity"] == "running_cost"}
    assert by["ten_years"]["change"] == -0.5
    assert (by["ten_years"]["low"], by["ten_years"]["high"]) == pytest.approx((-0.2016, -0.0704), abs=5e-4)
    rebound = 0.5 ** by["ten_years"]["implied"] - 1.0    # the change in car traffic after ten years
    assert 0.05 <= rebound <= 0.15
    # a large cut answers less per per cent than a small rise: the point elasticity beta x (1 - P) shrinks as the
    # cost x falls and the car's share P grows
    fuel = {r["horizon"]: r["implied"] for r in rows if r["quantity"] == "fuel_price"}
    assert abs(by["ten_years"]["implied"]) < abs(fuel["ten_years"])


def test_direct_rebound_of_space_heating(rows):
    # methods §3: the direct rebound of space heating is 10-30 % of the engineering saving. Every renovation deep
    # from 2012 cuts the need of a small part of the stock a year: near the small-change limit, where the share
    # taken back is eta itself (buildings.heat_service_elasticity 0.2); after ten years the cut is larger and the
    # share a little smaller, 1 - (1 - (1 - x) ** 0.8) / x for a cut x.
    by = {r["horizon"]: r for r in rows if r["quantity"] == "rebound"}
    assert by["first_year"]["implied"] == pytest.approx(0.2, abs=0.005)
    assert 0.18 < by["ten_years"]["implied"] < by["first_year"]["implied"]
    assert (by["ten_years"]["low"], by["ten_years"]["high"]) == (0.10, 0.30)


def test_short_run_is_weaker_than_long_run(rows):
    by = {(r["quantity"], r["horizon"]): r["implied"] for r in rows}
    for q in ("fuel_price", "fuel_use", "running_cost", "toll", "parking", "pt_fare", "pt_service", "travel_time"):
        assert abs(by[(q, "first_year")]) < abs(by[(q, "ten_years")]), q


def test_one_municipality_and_bad_arguments(runs):
    tromso = {(r["quantity"], r["horizon"]): r["implied"] for r in elasticities.implied("tromso")}
    assert np.isnan(tromso[("toll", "first_year")])            # no toll ring in 2012
    assert tromso[("pt_fare", "first_year")] < 0
    with pytest.raises(UsageError, match="--municipality"):
        elasticities.implied("atlantis")
    with pytest.raises(UsageError, match="--year"):
        elasticities.implied(start_year=2049)


def test_targets_file_is_consistent():
    for t in elasticities.targets():
        assert t.low <= t.central <= t.high and t.source, t
        assert t.change == {"running_cost": -0.5, "rebound": -0.6}.get(t.quantity, 0.1), t


def test_a_quantity_measured_with_two_changes_is_refused(tmp_path):
    from importlib import resources

    from framtid.model.errors import DataError

    rows = (resources.files("framtid.model") / "data" / "elasticity_targets.csv").read_text(encoding="utf-8")
    header, first, second = rows.splitlines()[:3]
    assert first.startswith("fuel_price,") and second.startswith("fuel_price,") and ",0.10," in second
    bad = tmp_path / "elasticity_targets.csv"
    bad.write_text("\n".join([header, first, second.replace(",0.10,", ",0.20,", 1)]), encoding="utf-8")
    with pytest.raises(DataError, match="line 3: column 'change' must lie above -1, not be 0, and be the same"):
        elasticities.targets(bad)
    # read as every data file is: a column named twice, or one missing, is one message naming the file
    bad.write_text("\n".join([header + ",quantity", first + ",fuel_price"]), encoding="utf-8")
    with pytest.raises(DataError, match="elasticity_targets.csv: line 1, column 'quantity': named twice"):
        elasticities.targets(bad)
    bad.write_text("\n".join([header.replace(",source", ""), first.rsplit(",", 1)[0]]), encoding="utf-8")
    with pytest.raises(DataError, match="elasticity_targets.csv: missing column\\(s\\) source"):
        elasticities.targets(bad)


def test_a_scenario_with_no_measures_equals_the_reference(tmp_path):
    empty = tmp_path / "same.toml"
    empty.write_text('[scenario]\nname = "same"\nextends = "framtid:reference"\n')
    a = api.run_scenario(load("framtid:reference")).record
    b = api.run_scenario(load(empty)).record
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_measures_combine_independently_of_their_order_in_a_run():
    base = load("framtid:current-policies")
    shuffled = dataclasses.replace(base, measures=tuple(reversed(base.measures)))
    a = api.run_scenario(base).record
    b = api.run_scenario(shuffled).record
    for name in ("emissions_gas", "car_vkm", "cordon_car_trips", "toll_revenue"):
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_json_says_null_where_an_elasticity_cannot_be_measured(runs):
    import json

    from click.testing import CliRunner

    from framtid.cli.main import main

    out = CliRunner().invoke(main, ["elasticities", "--municipality", "tromso", "--format", "json"])
    assert out.exit_code == 0, out.output

    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")
    rows = json.loads(out.output, parse_constant=refuse)
    assert [r["implied"] for r in rows if r["quantity"] == "toll"] == [None, None]   # Tromsø had no ring in 2012


def test_each_municipality_from_the_same_runs(each, runs):
    # read from the runs of all 14 (the 13 together and each), a municipality's rows are those read for it alone
    # from the same runs (the reading does not depend on which municipalities are asked for)
    # (implied(m) is implied_each([m]); the runs fixture makes each set of runs once)
    runs_made = len(runs)
    def plain(rows):   # NaN (no ring in Tromsø) is not equal to itself
        return [elasticities.without_nan(r) for r in rows]
    assert plain(each["oslo"]) == plain(elasticities.implied("oslo"))
    assert plain(each["tromso"]) == plain(elasticities.implied("tromso"))
    assert len(runs) == runs_made
    for municipality in dims.MUNICIPALITIES:
        by = {(r["quantity"], r["horizon"]): r for r in each[municipality]}
        # every municipality's car traffic answers the fuel price in range after ten years
        assert by[("fuel_price", "ten_years")]["in_range"], (municipality, by[("fuel_price", "ten_years")])
        # the toll only where a ring is in force in the reference (the 2009 rings; the Bærum ring is Oslo's)
        toll = by[("toll", "first_year")]
        ring = municipality in ("oslo", "bergen", "kristiansand")
        assert (toll["implied"] == toll["implied"]) == ring and (toll["in_range"] is None) == (not ring), municipality


def test_each_as_a_table_names_what_lies_outside(each):
    text = elasticities.each_table(each, "table", 100)
    out = sum(not r["in_range"] and r["implied"] == r["implied"] for rs in each.values() for r in rs)
    assert f"{out} of the measured elasticities lie outside their ranges" in " ".join(text.split())
    assert text.count("NO: ") == len({(m, r["quantity"]) for m, rs in each.items() for r in rs
                                       if not r["in_range"] and r["implied"] == r["implied"]})
    csv_rows = elasticities.each_table(each, "csv").splitlines()
    assert len(csv_rows) == 1 + 14 * len(elasticities.targets()) and csv_rows[1].startswith("all,fuel_price,")
    assert csv_rows[0].startswith("municipality,quantity,horizon,change,year,")


def test_travel_time_elasticity_is_read_on_the_time_change_the_lanes_make(rows):
    # The lane-km runs serve both: car traffic against the lanes (+10 %) and against the car time per trip they
    # save, so the two elasticities' ratio is the time's change per lane-km change: ln(t1 / t0) / ln(1.1) < 0.
    by = {(r["quantity"], r["horizon"]): r["implied"] for r in rows}
    time_per_lane = by[("road_capacity", "ten_years")] / by[("travel_time", "ten_years")]
    assert -1.0 < time_per_lane < 0.0


def test_travel_time_is_the_time_of_a_trip_of_fixed_length_by_hand():
    # car_hours counts each car-driver trip at its 2009 length, so hours per trip is the inverse of the speed
    # whatever the trips' lengths do; the time per vkm would fall too when the trips lengthen. Two years, two
    # draws (draw 0 is read), three municipalities of which the first and the last are summed.
    m, cd = 3, dims.MODES.index("car_driver")
    trips = np.zeros((2, 2, m, len(dims.MODES)))
    trips[1, 0, :, cd] = [100.0, 50.0, 300.0]
    record = {"car_hours": np.zeros((2, 2, m)), "trips": trips,
              "car_vkm_resident": np.full((2, 2, m), 1e9)}   # not read: a longer trip is not a slower one
    record["car_hours"][1, 0] = [20.0, 99.0, 40.0]
    record["car_hours"][1, 1] = 1e6                          # another draw
    assert elasticities._time_per_trip(record, 1, [0, 2]) == pytest.approx((20.0 + 40.0) / (100.0 + 300.0))
