"""The heat service's price response: the direct rebound of space heating (building_measures.heat_service_demand)."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from framtid.model import dims
from framtid.model.parameters import Params
from framtid.model.submodels import buildings
from framtid.model.submodels.building_measures import heat_service_demand

from test_buildings import APARTMENTS, HDD_NORMAL, M, POP_2009, start

ETA = "buildings.heat_service_elasticity"
GOLDEN = Path(__file__).resolve().parent / "golden"


def demand(cost, cost_2009, need, need_2009, eta, weight=None):
    """heat_service_demand of one system and one cohort from scalars: (D, M, 1, H) costs, (D, M, T, V) needs."""
    c, c0 = np.full((1, 1, 1, 1), cost), np.full((1, 1, 1, 1), cost_2009)
    n, n0 = np.full((1, 1, 1, 1), need), np.full((1, 1, 1, 1), need_2009)
    return float(heat_service_demand(c, c0, n, n0, np.ones((1, 1, 1, 1)) if weight is None else weight,
                                     np.full((1, 1, 1), eta))[0, 0, 0, 0])


def test_envelope_improvement_saves_less_than_its_engineering_saving():
    # 20 % less engineering need at the same cost of heat: the need is 0.8 x 0.8^-0.2 = 0.8^0.8 = 0.83651 of
    # before, a saving of 16.35 % instead of 20 % (rebound (0.2 - 0.16349) / 0.2 = 18.3 %)
    factor = demand(1.0, 1.0, 80.0, 100.0, 0.2)
    assert factor == pytest.approx(1.0456395525912732, rel=1e-14)
    assert 0.8 * factor == pytest.approx(0.8 ** 0.8, rel=1e-14)
    assert 1.0 - 0.8 * factor == pytest.approx(0.16349, abs=1e-5)


def test_cheaper_heat_raises_the_need_and_dearer_lowers_it():
    # a system's heat half as dear as in 2009: the heat it makes rises by 2^0.2 - 1 = 14.87 %
    assert demand(0.5, 1.0, 100.0, 100.0, 0.2) == pytest.approx(2 ** 0.2, rel=1e-14)
    assert demand(1.25, 1.0, 100.0, 100.0, 0.1) == pytest.approx(1.25 ** -0.1, rel=1e-14)
    # cost and need multiply: the price of warmth per m2 is unchanged, so is the need
    assert demand(1.25, 1.0, 80.0, 100.0, 0.3) == pytest.approx(1.0, rel=1e-14)


def test_each_system_answers_its_own_cost_and_each_cohort_its_own_need():
    # two systems, costs (D, M, 1, H) against their own of 2009 (D, 1, 1, H)
    cost = np.array([1.0, 0.25]).reshape(1, 1, 1, 2)
    before = np.array([0.5, 0.25]).reshape(1, 1, 1, 2)
    # two cohorts of one building type: the first renovated to 0.8 of its 2009 need, the second as it was; their
    # engineering needs 100 and 300 GWh weigh their responses
    need, need_2009 = np.array([80.0, 120.0]).reshape(1, 1, 1, 2), np.array([100.0, 120.0]).reshape(1, 1, 1, 2)
    weight = np.array([100.0, 300.0]).reshape(1, 1, 1, 2)
    factor = heat_service_demand(cost, before, need, need_2009, weight, np.full((1, 1, 1), 0.2))
    efficiency = (100.0 * 0.8 ** -0.2 + 300.0) / 400.0
    np.testing.assert_allclose(factor[0, 0, 0], efficiency * np.array([2.0 ** -0.2, 1.0]), rtol=1e-14)


def test_neutral_cases_are_exactly_one():
    cost, before_cost = np.array([0.7, 0.5, 0.0]).reshape(1, 1, 1, 3), np.array([0.8, 0.6, 0.0]).reshape(1, 1, 1, 3)
    need = np.array([90.0, 60.0, 0.0]).reshape(1, 1, 1, 3)        # a cohort without area: no need
    before_need = np.array([100.0, 80.0, 0.0]).reshape(1, 1, 1, 3)
    weight = np.array([90.0, 60.0, 0.0]).reshape(1, 1, 1, 3)
    # eta 0: the engineering need
    assert np.array_equal(heat_service_demand(cost, before_cost, need, before_need, weight, np.zeros((1, 1, 1))),
                          np.ones((1, 1, 1, 3)))
    assert np.array_equal(heat_service_demand(cost, cost, need, need, weight, np.full((1, 1, 1), 0.2)),
                          np.ones((1, 1, 1, 3)))
    # no engineering need in the type: a need part of 1
    assert np.array_equal(heat_service_demand(cost, cost, need, need, np.zeros((1, 1, 1, 3)), np.full((1, 1, 1), 0.2)),
                          np.ones((1, 1, 1, 3)))


def _space(params, years, levers=None, price_index=None):
    state, _ = start(params)
    for year in years:
        state = buildings.advance(state, POP_2009, APARTMENTS, (levers or {}).get(year, {}), params, year,
                                  price_index)
    return state, buildings.account(state, HDD_NORMAL[None], {}, params, years[-1])["space_heating_need"]


def test_efficiency_measure_saves_less_than_its_engineering_saving():
    # Deep renovation of every renovation cuts the need per m2 of the renovated cohorts; shares, floor area and the
    # cost of heat are those of the run without it (the heating choice weighs the 2009 needs), so in every
    # municipality and building type the space need with the measure over without is the cohorts' engineering
    # needs E, each times (its need per m2 over its own of 2009) ** -eta, summed, over the same without.
    years = range(2010, 2021)
    deep = {y: {"deep_renovation_share": np.ones((1, M))} for y in years}
    runs = {}
    for eta in (0.0, 0.2):
        params = Params.defaults(1, {ETA: eta})
        runs[eta] = _space(params, years), _space(params, years, deep)
    (plain, space0), (measured, space1) = runs[0.2]
    engineering = runs[0.0][1][1] / runs[0.0][0][1]
    assert np.all(engineering < 0.99)
    coef = buildings.coefficients(Params.defaults(1))

    def rebound_weighted(state):
        need, weight = buildings.engineering_need(state.area, state.renovated, coef, 1.0,
                                                  state.deep_saving if state.deep_renovated else 0.0)
        return (weight * (need / state.cohort_need_2009) ** -0.2).sum(axis=-1)

    np.testing.assert_allclose(space1 / space0, rebound_weighted(measured) / rebound_weighted(plain), rtol=1e-10)
    assert np.all(space1 / space0 > engineering) and np.all(space1 / space0 < 1.0)   # less saved than engineered


def test_new_efficient_area_gives_old_buildings_no_more_heat():
    # No renovation, no measure, 2009 prices: the stock grows and turns over (new area at the code, demolition of
    # old), which changes the mean need per m2 of each type but no building's: the heat service stays at 1
    params = Params.defaults(1, {f"buildings.renovation.rate.{t}": 0.0 for t in dims.BUILDING_TYPES})
    state, _ = _space(params, range(2010, 2031))
    assert state.new_area.sum() > 0
    np.testing.assert_allclose(state.service_factor, 1.0, rtol=1e-14)     # (1.07-1.10 in 2030 when the type's mean
    #                                                                            need per m2 made the ratio)


def test_dearer_carriers_lower_the_need():
    # all carriers twice as dear for a year: every system's heat costs twice its 2009 cost, so with the stock of
    # that year the space heat the systems make is 2^-0.2 of what it is at 2009 prices, whatever the shares
    params = Params.defaults(1)
    _, cheap = _space(params, [2010])
    _, dear = _space(params, [2010], price_index=np.full((1, M, len(dims.CARRIERS)), 2.0))
    np.testing.assert_allclose(dear / cheap, 2.0 ** -0.2, rtol=1e-12)


def test_base_year_is_unchanged_and_the_rebound_can_be_switched_off():
    state, params = start()
    assert state.service_factor is None                 # 2009: the engineering need
    sys.path.insert(0, str(GOLDEN))
    from update import figures

    golden = json.loads((GOLDEN / "reference.json").read_text())
    now = figures()
    for muni, sectors in golden["emissions_t_co2e"].items():        # 2009 to the digit, with the rebound
        for sector, values in sectors.items():
            assert now["emissions_t_co2e"][muni][sector][0] == values[0], (muni, sector)
    # eta 0: every system's factor is 1 in every year, so the space heat is the engineering need
    years = range(2010, 2016)
    prices = np.full((1, M, len(dims.CARRIERS)), 1.5)
    state, _ = _space(Params.defaults(1, {ETA: 0.0}), years, price_index=prices)
    assert np.array_equal(state.service_factor, np.ones_like(state.service_factor))
    with_rebound, _ = _space(Params.defaults(1), years, price_index=prices)
    assert not np.allclose(with_rebound.service_factor, 1.0)
