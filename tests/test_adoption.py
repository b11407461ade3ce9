"""Adaptive adoption: the decision rule by hand, and municipalities that decide in a run."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from framtid.model import adoption, api, dims
from framtid.model.errors import ScenarioError
from framtid.model.parameters import Params
from framtid.model.scenario import load
from framtid.model.simulation import FramtidModel

REPO = Path(__file__).resolve().parents[1]
ADAPTIVE = REPO / "tests" / "data" / "adaptive.toml"


# -- the rule, hand-computed ---------------------------------------------------------------------------

def test_perceived_cost_falls_as_peers_adopt():
    # 1000 NOK/t with a 32 % premium when no peer has tried it, 16 % when half have, none when all have.
    assert adoption.perceived_cost(1000.0, 0.0, 0.32) == pytest.approx(1320.0)
    assert adoption.perceived_cost(1000.0, 0.5, 0.32) == pytest.approx(1160.0)
    assert adoption.perceived_cost(1000.0, 1.0, 0.32) == pytest.approx(1000.0)


def test_value_of_abatement_rises_with_the_gap_only_above_the_path():
    assert adoption.value_of_abatement(400.0, 0.5, 1.0) == pytest.approx(600.0)   # 50 % above the path
    assert adoption.value_of_abatement(400.0, -0.2, 1.0) == pytest.approx(400.0)  # below it: the tax
    assert adoption.value_of_abatement(400.0, np.nan, 1.0) == pytest.approx(400.0)  # no target


def test_support_and_the_support_needed():
    assert adoption.public_support(0.40, 0.5, 0.2) == pytest.approx(0.50)
    assert adoption.public_support(0.95, 1.0, 0.2) == pytest.approx(1.0)        # at most everyone
    assert adoption.support_needed(0.5, 1.0, 0.1) == pytest.approx(0.40)        # twice the path
    assert adoption.support_needed(0.5, -0.3, 0.1) == pytest.approx(0.50)


def test_peer_share_counts_the_other_municipalities():
    in_force = np.array([[True, False, True, False, False]])
    np.testing.assert_allclose(adoption.peer_share(in_force), [[0.25, 0.5, 0.25, 0.5, 0.5]])


def test_window_mean_is_cut_at_the_last_year():
    years = np.arange(2040, 2051)
    series = (years - 2040.0)[:, None, None] * np.ones((1, 1, 2))
    first = np.array([[2042, 2049]])
    n = np.array([[3, 5]])
    # 2042-2044 -> (2 + 3 + 4) / 3; 2049-2050 only -> (9 + 10) / 2
    np.testing.assert_allclose(adoption.window_mean(series, years, first, n), [[3.0, 9.5]])
    # Beyond the last year: the last year alone.
    np.testing.assert_allclose(adoption.window_mean(series, years, np.array([[2060, 2060]]), n), [[10.0, 10.0]])


RULE = dict(cost=800.0, peer_share=0.5, novelty_premium=0.3, carbon_value=600.0, relative_gap=0.6,
            urgency_weight=1.0, expected_abatement=5000.0, emissions=1.0e6, min_effect_share=0.002,
            acceptance=0.40, peer_gain=0.2, majority=0.5, leadership=0.1)


def test_the_rule_fires_when_worth_it_material_and_supported():
    # cost 800 * 1.15 = 920 <= 600 * 1.6 = 960; 5000 >= 2000; support 0.50 >= 0.5 - 0.06 = 0.44
    assert adoption.rule_fires(**RULE)


@pytest.mark.parametrize("change", [
    {"cost": 900.0},                 # 900 * 1.15 = 1035 > 960: not worth it
    {"relative_gap": 0.0},           # value 600 < 920
    {"expected_abatement": 1500.0},  # below 0.2 % of 1 Mt
    {"expected_abatement": -100.0},  # adds emissions
    {"acceptance": 0.30, "relative_gap": 0.6, "peer_share": 0.2, "cost": 700.0},   # 0.34 < 0.44
])
def test_the_rule_does_not_fire_when_one_test_fails(change):
    assert not adoption.rule_fires(**(RULE | change))


def test_every_kind_a_municipality_can_adopt_has_cost_and_acceptance():
    adoption.check_parameters(Params.defaults(1))
    assert "co2_tax" not in adoption.adaptable_kinds() and "congestion_charge" in adoption.adaptable_kinds()


# -- in a run -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def adaptive_run():
    return api.run_scenario(load(ADAPTIVE))


def _years(model, label):
    years = model.agenda.adoption_years()[label][1][0]
    return dict(zip(dims.MUNICIPALITIES, years))


def test_a_municipality_adopts_when_its_rule_fires_and_others_follow(adaptive_run):
    fee = _years(adaptive_run, "Central parking fee")
    adopted = {m: y for m, y in fee.items() if not np.isnan(y)}
    assert adopted, "the rule never fired"
    assert not np.isnan(fee["oslo"])                  # furthest above its target path: first
    assert len(adopted) < 13                          # not everyone: the rule is not a date
    assert all(y >= 2012 for y in adopted.values())   # never before the measure is on the agenda
    # The one that pays for itself in no city (more diesel buses than cars saved) is never adopted.
    assert all(np.isnan(y) for y in _years(adaptive_run, "More departures").values())


def test_an_adaptive_measure_acts_from_its_adoption_year_as_if_forced_then(adaptive_run):
    """Adopted in year Y, the measure is exactly the forced measure with start_year = Y there."""
    scenario = load(ADAPTIVE)
    fee = _years(adaptive_run, "Central parking fee")
    forced = []
    for m in scenario.measures:
        if m.adoption != "adaptive":
            forced.append(m)
            continue
        for muni, year in fee.items() if m.label == "Central parking fee" else ():
            if not np.isnan(year):
                forced.append(dataclasses.replace(m, adoption="forced", municipalities=(muni,),
                                                  start_year=int(year)))
    twin = api.run_scenario(dataclasses.replace(scenario, measures=tuple(forced)))
    np.testing.assert_allclose(twin.record["emissions_gas"], adaptive_run.record["emissions_gas"],
                               rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(twin.record["parked_car_trips"], adaptive_run.record["parked_car_trips"],
                               rtol=1e-12)


def test_a_rule_that_never_fires_leaves_the_run_as_without_the_measures():
    # Under the reference the CO2 tax stays at its 2009 level: no measure of the file is worth it.
    scenario = dataclasses.replace(load(ADAPTIVE), name="no-fire")
    base = load("framtid:reference")
    scenario = dataclasses.replace(scenario, measures=base.measures + tuple(
        m for m in scenario.measures if m.adoption == "adaptive"))
    run = api.run_scenario(scenario)
    assert np.isnan(run.agenda.adopted).all()
    ref = api.run_scenario(base)
    np.testing.assert_array_equal(run.record["emissions_gas"], ref.record["emissions_gas"])


def test_peer_learning_only_brings_adoption_forward(adaptive_run):
    scenario = load(ADAPTIVE)
    alone = api.run_scenario(dataclasses.replace(
        scenario, parameters=scenario.parameters | {"adoption.peer_support_gain": 0.0,
                                                    "adoption.novelty_premium": 0.0}))
    with_peers = _years(adaptive_run, "Central parking fee")
    without = _years(alone, "Central parking fee")
    # Peers only bring adoption forward: a municipality adopts alone no earlier than with peers, and never where
    # it did not with them; some that adopted after another adopt later alone, or not at all (Stavanger: 2030 alone
    # against 2028 after Trondheim's 2027).
    followers = [m for m, y in with_peers.items() if not np.isnan(y) and y > min(with_peers.values())]
    assert followers, "no municipality followed a peer in the adaptive test scenario"
    assert any(np.isnan(without[m]) or without[m] > with_peers[m] for m in followers)
    assert all(np.isnan(y) or (not np.isnan(with_peers[m]) and y >= with_peers[m]) for m, y in without.items())


def test_each_draw_decides_on_its_own_parameters():
    """Two draws with different acceptance and peer effect: each adopts as a single run with its
    values would."""
    scenario = load(ADAPTIVE)
    values = np.array([0.42, 0.95])
    params = Params.defaults(2, scenario.parameters).with_overrides({"adoption.peer_support_gain": [0.2, 0.0]})
    scenario = dataclasses.replace(scenario, measures=tuple(
        dataclasses.replace(m, acceptance=None) for m in scenario.measures))
    params = params.with_overrides({"adoption.acceptance.parking_fee": values})
    both = FramtidModel(scenario, params)
    both.run()
    for d, value in enumerate(values):
        single = api.run_scenario(dataclasses.replace(
            scenario, parameters=scenario.parameters | {"adoption.acceptance.parking_fee": float(value),
                                                        "adoption.peer_support_gain": [0.2, 0.0][d]}))
        np.testing.assert_array_equal(both.agenda.adopted[d], single.agenda.adopted[0])
        np.testing.assert_allclose(both.record["emissions_gas"][:, d], single.record["emissions_gas"][:, 0],
                                   rtol=1e-9, atol=1e-6)
    # With 95 % acceptance more municipalities adopt, none later than with 42 %.
    low, high = both.agenda.adopted[0, :, 0], both.agenda.adopted[1, :, 0]
    assert np.sum(~np.isnan(high)) > np.sum(~np.isnan(low))
    assert (high[~np.isnan(low)] <= low[~np.isnan(low)]).all()


def test_results_record_adoption_years(adaptive_run):
    ds = api.to_dataset([adaptive_run], seed=0)
    year = ds["adoption_year"]
    assert year.dims == ("scenario", "municipality", "measure", "draw")
    assert str(ds["adoption"].sel(measure="Central parking fee").values) == "adaptive"
    assert str(ds["adoption"].sel(measure="Oslo toll ring 2009").values) == "forced"
    oslo = float(year.sel(scenario="adaptive-test", municipality="oslo", measure="Central parking fee")[0])
    assert oslo == _years(adaptive_run, "Central parking fee")["oslo"]
    assert float(year.sel(municipality="oslo", measure="Oslo toll ring 2009")[0, 0]) == 1990.0
    assert np.isnan(year.sel(municipality="bergen", measure="Oslo toll ring 2009")).all()


# -- scenario files ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("lines, words", [
    ('kind = "parking_fee"\nfee_nok = { A = 40 }\nadoption = "sometimes"', "measure[1].adoption: must be one of"),
    ('kind = "parking_fee"\nfee_nok = { A = 40 }\nacceptance = 0.5', "measure[1].acceptance: applies only"),
    ('kind = "parking_fee"\nfee_nok = { A = 40 }\nadoption = "adaptive"\nacceptance = 1.5',
     "measure[1].acceptance: must be a share"),
    ('kind = "co2_tax"\nroad_fuel_nok_per_t = 500\nadoption = "adaptive"', "is set by the state"),
])
def test_bad_adoption_keys_are_located(tmp_path, lines, words):
    path = tmp_path / "bad.toml"
    path.write_text(f'[scenario]\nname = "bad"\n\n[[measure]]\nmunicipality = "oslo"\nstart_year = 2015\n{lines}\n')
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert any(p.startswith("bad.toml: measure[1]") and words in p for p in info.value.problems), \
        info.value.problems


def test_an_adaptive_measure_cannot_be_replaced(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[scenario]\nname = "bad"\n\n'
                    '[[measure]]\nkind = "parking_fee"\nlabel = "fee"\nmunicipality = "oslo"\nstart_year = 2015\n'
                    'fee_nok = { A = 40 }\nadoption = "adaptive"\n\n'
                    '[[measure]]\nkind = "parking_fee"\nreplaces = "fee"\nmunicipality = "oslo"\nstart_year = 2020\n'
                    'fee_nok = { A = 60 }\n')
    with pytest.raises(ScenarioError, match=r"measure\[2\].replaces: 'fee' is adaptive"):
        load(path)
