"""Terms the yearly steps now compute once and share must equal the plain computation."""

from dataclasses import replace

import numpy as np

from framtid.model.parameters import Params
from framtid.model.scenario import load
from framtid.model.scenario_inheritance import builtin_path
from framtid.model.simulation import FramtidModel
from framtid.model.submodels import heating, heating_shares, road_traffic
from framtid.model.submodels.transport_state import crossing_cars


def test_annual_cost_is_capital_plus_running_cost():
    rng = np.random.default_rng(2)
    d, m, t, h = 3, 2, 3, heating.N_SYSTEMS
    investment, crf = rng.uniform(100, 900, (d, h)), rng.uniform(0.05, 0.1, (d, h))
    space, water = rng.uniform(0.2, 1.5, (d, m, h)), rng.uniform(0.2, 1.5, (d, m, h))
    space_need, water_need = rng.uniform(50, 150, (d, m, t)), rng.uniform(10, 30, (d, m, t))
    subsidy = rng.uniform(0, 0.5, (d, m))
    whole = heating.annual_cost(investment, crf, space, water, space_need, water_need, subsidy)
    running = heating.running_cost(space, water, space_need, water_need)
    assert np.array_equal(whole, heating.capital_cost(investment, crf, subsidy) + running)
    # Keeping a system costs its running cost: the annual cost without investment.
    assert np.array_equal(heating.annual_cost(0.0 * investment, crf, space, water, space_need, water_need,
                                              np.zeros((d, m))), running)


def test_logit_of_a_shared_utility_equals_the_choice():
    rng = np.random.default_rng(3)
    cost = rng.uniform(100, 300, (4, 2, 3, heating.N_SYSTEMS))
    asc = rng.normal(size=heating.N_SYSTEMS)
    utility = heating_shares.choice_utility(cost, asc, -0.02)
    for allowed in (np.ones(heating.N_SYSTEMS, bool), ~heating.PHASED_OUT):
        assert np.array_equal(heating_shares.logit_of_utility(utility, allowed),
                              heating_shares.choose_heating_systems(cost, asc, -0.02, allowed))


def test_account_reads_the_passages_counted_for_the_same_year_and_counts_others_afresh():
    scenario = load(builtin_path("reference"))
    model = FramtidModel(scenario, Params.defaults(2, scenario.parameters))
    for _ in range(3):   # 2009 (counted at set-up), 2010 and 2011 (counted by advance)
        model.step()
        state = model.state["transport"]
        choice = state.choice
        prices, crossing_car = choice.get("costs", state.base_costs)["prices"], crossing_cars(choice)
        kept = road_traffic.counted_passages(state, prices, crossing_car)
        assert kept is state.passages
        assert np.any(kept.counted > 0)
        assert np.array_equal(kept.counted, road_traffic._car_passages(state, prices, crossing_car))
    # Another choice, as a state made by hand may hold, is counted from its own shares.
    other = dict(choice, **{key: 0.5 * choice[key] for key in ("crossing_car", "crossing_own", "crossing_other")})
    recounted = road_traffic.counted_passages(replace(state, choice=other), prices, crossing_cars(other))
    assert recounted is not state.passages
    assert np.array_equal(recounted.counted, road_traffic._car_passages(state, prices, crossing_cars(other)))
    model.release()
