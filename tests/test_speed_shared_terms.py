"""Terms the yearly steps now compute once and share must equal the plain computation."""

import numpy as np

from framtid.model.submodels import heating


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
    utility = heating.choice_utility(cost, asc, -0.02)
    for allowed in (np.ones(heating.N_SYSTEMS, bool), ~heating.PHASED_OUT):
        assert np.array_equal(heating.logit_of_utility(utility, allowed),
                              heating.choose_heating_systems(cost, asc, -0.02, allowed))
