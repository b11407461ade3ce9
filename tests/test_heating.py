"""Tests of the heating-system arithmetic (framtid.model.submodels.heating)."""

import numpy as np
import pytest

from framtid.model import dims
from framtid.model.submodels import heating, heating_shares

H, C = heating.N_SYSTEMS, heating.N_CARRIERS
EFF = np.array([[1.0, 2.5, 0.99, 0.8, 0.85, 0.96, 0.65]])
LOAD = np.array([[1.0, 0.6, 1.0, 0.9, 0.5, 1.0, 0.3]])


def c(name):
    return dims.CARRIERS.index(name)


def test_choose_hand_computed():
    # V = [-0.02*100, -0.02*120] = [-2, -2.4]; P0 = 1 / (1 + e^-0.4) = 0.598688
    p = heating_shares.choose_heating_systems(np.array([100.0, 120.0]), np.zeros(2), -0.02, np.array([True, True]))
    np.testing.assert_allclose(p, [0.598688, 0.401312], atol=1e-6)


def test_choose_respects_allowed_and_minus_infinity():
    p = heating_shares.choose_heating_systems(np.zeros(3), np.array([0.0, -np.inf, 1.0]), -0.02,
                                       np.array([True, True, False]))
    np.testing.assert_array_equal(p, [1.0, 0.0, 0.0])


def test_choose_raises_when_nothing_can_be_chosen():
    with pytest.raises(ValueError, match="no heating system"):
        heating_shares.choose_heating_systems(np.zeros(2), np.array([0.0, -np.inf]), -0.02, np.array([False, True]))


def test_reference_constants_reproduce_probabilities_and_pivot():
    p_ref = np.array([0.5, 0.3, 0.2, 0.0])
    cost = np.array([100.0, 80.0, 150.0, 90.0])
    asc = heating_shares.reference_constants(p_ref, -0.03, cost)
    allowed = np.ones(4, bool)
    np.testing.assert_allclose(heating_shares.choose_heating_systems(cost, asc, -0.03, allowed), p_ref, atol=1e-15)
    # cut system 1's cost by 10: its odds against each other rise by e^(0.03*10)
    cheaper = cost - np.array([0.0, 10.0, 0.0, 0.0])
    p = heating_shares.choose_heating_systems(cheaper, asc, -0.03, allowed)
    assert p[1] / p[0] == pytest.approx(0.3 / 0.5 * np.exp(0.3))
    assert p[3] == 0.0


def test_steady_replacement_keeps_shares():
    shares = np.array([0.5, 0.3, 0.2])
    lifetime = np.array([25.0, 15.0, 20.0])
    p = heating_shares.steady_replacement_probability(shares, lifetime)
    np.testing.assert_allclose(heating_shares.replace_at_end_of_life(shares, lifetime, p), shares, atol=1e-15)


def test_replace_at_end_of_life_hand_computed():
    # retiring = [0.5/20, 0.5/10] = [0.025, 0.05]; all go to system 0:
    # s' = [0.5 - 0.025 + 0.075, 0.5 - 0.05] = [0.55, 0.45]
    s = heating_shares.replace_at_end_of_life(np.array([0.5, 0.5]), np.array([20.0, 10.0]), np.array([1.0, 0.0]))
    np.testing.assert_allclose(s, [0.55, 0.45])


def test_enforce_cap_moves_excess_by_choice():
    # excess 0.3 - 0.1 = 0.2 goes 3/4 to system 0, 1/4 to system 2
    s = heating_shares.enforce_cap(np.array([0.5, 0.3, 0.2]), np.array([np.inf, 0.1, np.inf]),
                            np.array([0.75, 0.0, 0.25]))
    np.testing.assert_allclose(s, [0.65, 0.1, 0.25])


def test_space_heat_input_heat_balance():
    # Each system's own part at its efficiency plus the electric peak at the
    # direct-electric efficiency deliver exactly the heat asked for.
    own_only = heating.space_heat_input(EFF, np.ones_like(LOAD))[0]
    peak_only = heating.space_heat_input(EFF, np.zeros_like(LOAD))[0]
    np.testing.assert_allclose(own_only.sum(-1) * EFF[0], 1.0)
    np.testing.assert_allclose(peak_only[:, c("electricity")] * EFF[0, 0], 1.0)
    mixed = heating.space_heat_input(EFF, LOAD)[0]
    np.testing.assert_allclose(mixed, LOAD[0, :, None] * own_only + (1 - LOAD[0, :, None]) * peak_only)
    # heat pump: 0.6/2.5 + 0.4/1.0 = 0.64 kWh electricity per kWh of heat
    assert mixed[heating.HEAT_PUMP, c("electricity")] == pytest.approx(0.64)
    # oil boiler: 0.9/0.8 = 1.125 kWh oil and 0.1 kWh electricity
    assert mixed[heating.OIL_BOILER, c("heating_oil")] == pytest.approx(1.125)
    assert mixed[heating.OIL_BOILER, c("electricity")] == pytest.approx(0.1)


def test_hot_water_input_waterborne_or_electric():
    w = heating.hot_water_input(EFF)[0]
    assert w[heating.DISTRICT_HEATING, c("district_heat")] == pytest.approx(1 / 0.99)
    assert w[heating.GAS_BOILER, c("natural_gas")] == pytest.approx(1 / 0.96)
    assert w[heating.WOOD_STOVE, c("electricity")] == pytest.approx(1.0)
    assert w[heating.WOOD_STOVE, c("wood")] == 0.0
    assert w[heating.HEAT_PUMP].sum() == pytest.approx(1.0)


def test_capital_recovery_factor():
    # 0.05 / (1 - 1.05^-20) = 0.080243; r = 0 gives 1/L
    np.testing.assert_allclose(heating.capital_recovery_factor(np.array([0.05, 0.0]), np.array([20.0, 20.0])),
                               [0.0802426, 0.05], atol=1e-7)


def test_annual_cost_subsidy_hits_heat_pump_only():
    inv = np.full((1, H), 100.0)
    crf = np.full((1, H), 0.1)
    fuel = np.full((1, H), 0.5)
    args = (inv, crf, fuel, fuel, np.array([[[100.0]]]), np.array([[[20.0]]]))
    base = heating.annual_cost(*args, np.array([[0.0]]))
    sub = heating.annual_cost(*args, np.array([[0.3]]))
    # 100 * 0.1 + 100 * 0.5 + 20 * 0.5 = 70; subsidy cuts 0.3 * 10 = 3 from the heat pump
    np.testing.assert_allclose(base, 70.0)
    diff = (base - sub)[0, 0, 0]
    np.testing.assert_allclose(diff, np.where(np.arange(H) == heating.HEAT_PUMP, 3.0, 0.0))


def test_delivered_energy_splits_lpg():
    shares = np.zeros((1, 1, 1, H))
    shares[..., heating.GAS_BOILER] = 1.0
    e = heating.delivered_energy(np.array([[[0.96]]]), np.array([[[0.0]]]), np.array([[[0.5]]]), shares,
                                 heating.space_heat_input(EFF, LOAD), heating.hot_water_input(EFF),
                                 np.array([[0.25]]))[0, 0, 0]
    # 0.96 GWh heat / 0.96 = 1 GWh gas: 0.25 LPG, 0.75 natural gas; electricity only the 0.5 specific use
    assert e[c("lpg")] == pytest.approx(0.25)
    assert e[c("natural_gas")] == pytest.approx(0.75)
    assert e[c("electricity")] == pytest.approx(0.5)


def test_combustion_emissions_hand_computed():
    # 10 GWh oil: CO2 10e6 kWh * 0.265 kg = 2650 t; CH4 36 TJ * 10 kg = 0.36 t; N2O 36 * 0.6 = 0.0216 t
    e = heating.combustion_emissions(np.array(10.0), 0.265, 10.0, 0.6)
    np.testing.assert_allclose(e, [2650.0, 0.36, 0.0216, 0.0])


def test_early_conversion_hand_computed():
    # oil 0.3, paraffin 0.1, heat pump 0.6; review 10 %/yr; keeping oil costs 150, switching 100 NOK/m2/yr,
    # beta -0.02: P_switch = 1 / (1 + exp(-0.02 * 50)) = 0.7311; converted oil 0.1 * 0.7311 * 0.3 = 0.021933
    shares = np.zeros(heating.N_SYSTEMS)
    shares[[heating.OIL_BOILER, heating.PARAFFIN_STOVE, heating.HEAT_PUMP]] = [0.3, 0.1, 0.6]
    keep = np.full(heating.N_SYSTEMS, 150.0)
    keep[heating.PARAFFIN_STOVE] = 100.0          # paraffin: no gain from switching, P = 0.5
    choice = np.zeros(heating.N_SYSTEMS)
    choice[heating.HEAT_PUMP] = 1.0
    out = heating_shares.early_conversion(shares, keep, 100.0, -0.02, 0.1, choice)
    p_oil = 1.0 / (1.0 + np.exp(-0.02 * 50.0))
    assert out[heating.OIL_BOILER] == pytest.approx(0.3 - 0.1 * p_oil * 0.3)
    assert out[heating.PARAFFIN_STOVE] == pytest.approx(0.1 - 0.1 * 0.5 * 0.1)
    assert out[heating.HEAT_PUMP] == pytest.approx(0.6 + 0.1 * p_oil * 0.3 + 0.005)
    assert out.sum() == pytest.approx(1.0)
    # nothing reviewed, nothing converted
    np.testing.assert_array_equal(heating_shares.early_conversion(shares, keep, 100.0, -0.02, 0.0, choice), shares)


def test_small_logit_is_the_system_by_system_logit():
    """A single draw's logit in whole-array operations gives the bits of the system-by-system one (used for
    many draws), whatever the systems allowed and the layout of the utilities."""
    rng = np.random.default_rng(3)
    for n_systems in range(1, heating.EINSUM_IN_ORDER + 1):
        for shape in ((1, 13, 3, n_systems), (2, 13, 1, n_systems), (1, 1, 1, n_systems)):
            utility = rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 3, shape)
            allowed = rng.random(shape) < 0.8
            allowed[..., 0] = True
            allowed[..., n_systems // 2] = n_systems == 1   # a system allowed nowhere (with two or more)
            for u in (utility, np.asfortranarray(utility)):
                many = heating_shares.logit_of_utility(np.concatenate([u] * 1000), np.concatenate([allowed] * 1000))
                small = heating_shares.logit_of_utility(u, allowed)
                first = many[:shape[0]]
                assert np.array_equal(small, first) and np.array_equal(np.signbit(small), np.signbit(first))


def test_running_cost_of_every_system_at_once_is_that_of_each_system():
    """buildings makes a single draw's running costs for every system at once, many draws' one system at a
    time: the same numbers."""
    rng = np.random.default_rng(4)
    n = heating.N_SYSTEMS
    for d in (1, 3):
        space, water = rng.random((d, 13, n)), rng.random((d, 13, n))
        space_need, water_need = rng.random((d, 13, 3)) * 200.0, rng.random((d, 13, 3)) * 30.0
        every = heating.running_cost(space, water, space_need, water_need)
        for h in range(n):
            one = heating.running_cost(space[..., h:h + 1], water[..., h:h + 1], space_need, water_need)[..., 0]
            assert every[..., h].tobytes() == one.tobytes()
