"""Tests of the pure mode-choice functions: logit, pivot point, generalised cost, segments."""

import numpy as np
import pytest

from framtid.model.submodels import mode_choice as mc

BASE = np.array([0.40, 0.10, 0.15, 0.05, 0.30])


def test_pivot_point_hand_case():
    # P0 = (0.5, 0.3, 0.2), dV = (ln 2, 0, 0): weights (1.0, 0.3, 0.2), sum 1.5
    # -> (0.6667, 0.2, 0.1333)
    shares = mc.pivot_point_logit(np.array([0.5, 0.3, 0.2]), np.array([np.log(2.0), 0.0, 0.0]))
    np.testing.assert_allclose(shares, [1.0 / 1.5, 0.3 / 1.5, 0.2 / 1.5], rtol=1e-12)


def test_pivot_point_without_change_returns_base_shares():
    np.testing.assert_allclose(mc.pivot_point_logit(BASE, np.zeros(5)), BASE, rtol=1e-15)


def test_pivot_point_ignores_a_common_utility_shift():
    dv = np.array([0.3, -0.2, 0.1, 0.0, 0.5])
    np.testing.assert_allclose(mc.pivot_point_logit(BASE, dv), mc.pivot_point_logit(BASE, dv + 7.0), rtol=1e-12)


def test_own_cost_elasticity_of_the_pivot_logit():
    # e = beta x (1 - P) = -0.05 * 20 * (1 - 0.40) = -0.60 (methods §1.2)
    beta, cost, h = -0.05, 20.0, 1e-6
    dv = np.zeros(5)
    dv[0] = beta * cost * h                     # cost rises by the fraction h
    p1 = mc.pivot_point_logit(BASE, dv)
    numeric = (np.log(p1[0]) - np.log(BASE[0])) / np.log1p(h)
    assert numeric == pytest.approx(-0.60, rel=1e-5)
    assert mc.own_cost_elasticity(beta, cost, BASE[0]) == pytest.approx(-0.60)
    # cross elasticity -beta x P_m = 0.05 * 20 * 0.40 = 0.40 for every other mode
    cross = (np.log(p1[1:]) - np.log(BASE[1:])) / np.log1p(h)
    np.testing.assert_allclose(cross, 0.40, rtol=1e-5)


def test_cost_coefficient_reproduces_the_target_elasticity():
    # beta = e / (x (1 - P0)) = -0.3 / (10 * 0.6) = -0.05 [1/NOK]
    beta = mc.cost_coefficient(-0.3, 10.0, 0.4)
    assert beta == pytest.approx(-0.05)
    assert mc.own_cost_elasticity(beta, 10.0, 0.4) == pytest.approx(-0.3)


def test_generalised_cost_hand_case():
    # 15 NOK + 90 NOK/h * (20 + 2 * 5) min / 60 = 15 + 45 = 60 NOK
    assert mc.generalised_cost(15.0, 20.0, 5.0, 90.0, 2.0) == pytest.approx(60.0)


def test_logit_shares_do_not_overflow():
    shares = mc.logit_shares(np.array([1000.0, 1000.0 + np.log(3.0)]))
    np.testing.assert_allclose(shares, [0.25, 0.75])


def test_partial_adjustment_hand_case_and_limits():
    previous, target = np.array([0.5, 0.5]), np.array([0.8, 0.2])
    # lambda = 0.5: sqrt(0.4) = 0.63246, sqrt(0.1) = 0.31623 -> normalised (2/3, 1/3)
    np.testing.assert_allclose(mc.partial_adjustment(previous, target, 0.5), [2 / 3, 1 / 3], rtol=1e-12)
    np.testing.assert_allclose(mc.partial_adjustment(previous, target, 0.0), target)
    np.testing.assert_allclose(mc.partial_adjustment(previous, target, 1.0), previous)


def test_short_run_response_is_one_minus_lambda_of_long_run():
    lam = 2.0 / 3.0
    long_run = mc.pivot_point_logit(BASE, np.array([-0.01, 0, 0, 0, 0]))
    short_run = mc.partial_adjustment(BASE, long_run, lam)
    ratio = np.log(short_run[0] / BASE[0]) / np.log(long_run[0] / BASE[0])
    assert ratio == pytest.approx(1.0 - lam, rel=1e-2)


def test_trip_volumes_hand_case():
    zone_pop = np.array([[[1000.0, 0.0, 500.0]]])                    # (D=1, M=1, Z=3)
    purpose = np.array([[0.2, 0.5, 0.3]])
    peak = np.array([[0.6, 0.2, 0.2]])
    vol = mc.trip_volumes(zone_pop, np.array([3.5]), purpose, peak)
    assert vol.shape == (1, 1, 3, 3, 2)
    # zone A commute peak: 1000 * 3.5 * 365 * 0.2 * 0.6 = 153 300 trips/yr
    assert vol[0, 0, 0, 0, 0] == pytest.approx(153_300.0)
    # all trips of zone A: 1000 * 3.5 * 365 = 1 277 500; empty zone B makes none
    assert vol[0, 0, 0].sum() == pytest.approx(1_277_500.0)
    assert vol[0, 0, 1].sum() == 0.0


def test_headway_wait():
    # half the headway; doubling departures halves the wait
    assert mc.headway_wait_min(10.0, 0.0) == pytest.approx(5.0)
    assert mc.headway_wait_min(10.0, 1.0) == pytest.approx(2.5)


def test_cordon_segments_hand_case():
    # c0 = 0.2, c1 = 0.5, toll 20 -> 30 NOK:
    # both 0.2 (+10), only now 0.3 (+30), only base 0 (-20), neither 0.5 (0)
    segments = mc.cordon_segments(np.array(0.2), np.array(0.5), np.array(20.0), np.array(30.0))
    weights = [float(w) for w, _ in segments]
    tolls = [float(t) for _, t in segments]
    np.testing.assert_allclose(weights, [0.2, 0.3, 0.0, 0.5], atol=1e-15)
    np.testing.assert_allclose(tolls, [10.0, 30.0, -20.0, 0.0])


def test_segment_mixture_applies_the_toll_only_to_crossing_trips():
    beta = np.array([-0.05])
    base = np.tile(BASE, (2, 1))                           # two segments of trips
    crossing = np.array([0.5, 0.0])                        # only the first crosses the cordon
    segments = mc.cordon_segments(np.zeros(2), crossing, np.zeros(2), np.array([20.0, 20.0]))
    shares = mc.segment_mixture(base, np.zeros((2, 5)), 0, segments, beta)
    # first: 0.5 * pivot(P0, -1 on car) + 0.5 * P0
    tolled = mc.pivot_point_logit(BASE, np.array([-1.0, 0, 0, 0, 0]))
    np.testing.assert_allclose(shares[0], 0.5 * tolled + 0.5 * BASE, rtol=1e-12)
    np.testing.assert_allclose(shares[1], BASE, rtol=1e-14)
    np.testing.assert_allclose(shares.sum(axis=-1), 1.0)


def test_pivot_weights_hand_case():
    # P0 = (0.5, 0.3, 0.2), dV = (5, ln 2, 0), varying alternative 0: top = ln 2 over the others,
    # weights (0, 0.3 * 2 / 2, 0.2 / 2) = (0, 0.3, 0.1)
    top, weights = mc.pivot_weights(np.array([0.5, 0.3, 0.2]), np.array([5.0, np.log(2.0), 0.0]), 0)
    assert float(top) == pytest.approx(np.log(2.0), rel=1e-15)
    np.testing.assert_allclose(weights, [0.0, 0.3, 0.1], rtol=1e-15)
    # alternatives on the first axis: the same terms
    top0, weights0 = mc.pivot_weights(np.array([0.5, 0.3, 0.2])[:, None], np.array([5.0, np.log(2.0), 0.0])[:, None],
                                      0, axis=0)
    np.testing.assert_allclose(weights0[:, 0], weights, rtol=1e-15)


def test_pivot_varying_alternative_hand_case():
    # P0 = (0.5, 0.3, 0.2), dV = (ln 2, 0, 0): rest weights 0.3 + 0.2 = 0.5 at top 0, own 0.5 * 2 = 1,
    # W = 1.5 -> P_car = 2/3, f = 1/1.5 (others 0.2 and 0.1333), dLS = ln 1.5
    top, weights = mc.pivot_weights(np.array([0.5, 0.3, 0.2]), np.zeros(3), 0)
    car, f, logsum = mc.pivot_varying_alternative(np.array(0.5), np.array(np.log(2.0)), top, weights.sum())
    assert float(car) == pytest.approx(2.0 / 3.0, rel=1e-15)
    np.testing.assert_allclose(weights[1:] * f, [0.2, 0.2 / 1.5], rtol=1e-15)
    assert float(logsum) == pytest.approx(np.log(1.5), rel=1e-15)


def test_pivot_varying_alternative_equals_the_full_pivot_and_logsum():
    rng = np.random.default_rng(3)
    dv = rng.normal(0.0, 2.0, (4, 5))
    top, weights = mc.pivot_weights(BASE, dv, 0)
    car, f, logsum = mc.pivot_varying_alternative(BASE[0], dv[:, 0], top, weights.sum(axis=-1))
    full = mc.pivot_point_logit(BASE, dv)
    np.testing.assert_allclose(car, full[:, 0], rtol=1e-13)
    np.testing.assert_allclose(weights[:, 1:] * f[:, None], full[:, 1:], rtol=1e-13)
    np.testing.assert_allclose(logsum, mc.pivot_logsum(BASE, dv), rtol=1e-13)
    # removing the car (dV = -inf) and the passenger (left out of the rest): the rest share out the trips
    car, f, logsum = mc.pivot_varying_alternative(BASE[0], -np.inf, top, weights[:, 2:].sum(axis=-1))
    removed = dv.copy()
    removed[:, :2] = -np.inf
    np.testing.assert_allclose(car, 0.0)
    np.testing.assert_allclose(weights[:, 2:] * f[:, None], mc.pivot_point_logit(BASE, removed)[:, 2:], rtol=1e-13)
    np.testing.assert_allclose(logsum, mc.pivot_logsum(BASE, removed), rtol=1e-13)


def test_pivot_varying_alternative_does_not_overflow():
    # dV_car = 800 above the rest: exp(800) overflows; the car takes all but e^-800 of the trips and the
    # logsum change is 800 + ln P0_car.
    top, weights = mc.pivot_weights(BASE, np.zeros(5), 0)
    car, f, logsum = mc.pivot_varying_alternative(BASE[0], np.array([800.0, 0.0]), top, weights.sum())
    np.testing.assert_allclose(car, [1.0, BASE[0]], rtol=1e-15)
    assert f[0] == 0.0 and f[1] == pytest.approx(1.0, rel=1e-15)
    np.testing.assert_allclose(logsum, [800.0 + np.log(BASE[0]), 0.0], rtol=1e-15, atol=1e-15)


def test_period_shift_hand_case():
    # s0 = 0.5, mu = 1, the off-peak logsum 3 times the peak's in exp: s = 1 / (1 + 3) = 0.25
    assert float(mc.period_shift(0.5, 0.0, np.log(3.0), 1.0)) == pytest.approx(0.25, rel=1e-15)
    # only the difference of the logsum changes matters; mu = 0: nobody moves; s0 = 0.65 and no change: 0.65
    assert float(mc.period_shift(0.5, 2.0, 2.0 + np.log(3.0), 1.0)) == pytest.approx(0.25, rel=1e-14)
    assert float(mc.period_shift(0.2, 1.0, -4.0, 0.0)) == pytest.approx(0.2, rel=1e-15)
    assert float(mc.period_shift(0.65, 0.0, 0.0, 0.7)) == pytest.approx(0.65, rel=1e-15)
    # the nested-logit form s0 e^(mu LSp) / (s0 e^(mu LSp) + (1 - s0) e^(mu LSo))
    s0, p, o, mu = 0.3, -0.4, 0.25, 0.6
    expected = s0 * np.exp(mu * p) / (s0 * np.exp(mu * p) + (1 - s0) * np.exp(mu * o))
    assert float(mc.period_shift(s0, p, o, mu)) == pytest.approx(expected, rel=1e-14)


def test_solve_constants_matches_the_weighted_total():
    # two zones with different structural utilities; the weighted mean must hit the target
    structure = np.array([[[[0.0, 0.0, 0.8, 0.2, 0.6], [0.0, 0.0, -0.6, -0.3, -0.6]]]])  # (1, 1, 2, 5)
    weights = np.array([[[1.0, 3.0]]])
    constants = mc.solve_constants(structure, weights, BASE[None, None])
    shares = mc.logit_shares(structure + constants[:, :, None])
    np.testing.assert_allclose((weights[..., None] * shares).sum(axis=2) / 4.0, BASE[None, None], atol=1e-12)
    assert shares[0, 0, 0, 2] > shares[0, 0, 1, 2]     # the zone with the PT constant keeps more PT



def test_volume_ratio_hand_case_and_limits():
    # 1.2 times the trips at base shares in a city grown by 10 %: 1.2 x 1.1^0.75 = 1.2 x 1.074099 = 1.288919 at
    # e = 0.25; the plain 1.2 to the bit where the roads grow with the city (e = 1); 1.32 on the base network (e = 0)
    ratio = mc.volume_ratio(np.array([1.2, 1.2, 1.2]), np.ones(3), np.full(3, 1.1), np.array([0.25, 1.0, 0.0]))
    np.testing.assert_allclose(ratio, [1.2 * 1.1 ** 0.75, 1.2, 1.32], rtol=1e-12)
    assert ratio[1] == 1.2 and ratio[0] == pytest.approx(1.288919, abs=1e-6)
    assert mc.volume_ratio(np.array([3.0]), np.zeros(1), np.ones(1), np.ones(1))[0] > 1e300   # no division by 0


def test_expected_volume_ratio_hand_case_and_limits():
    # Halfway in logs from 1.0 to 1.21: sqrt(1.21) = 1.1; learning 1 expects last year's, 0 keeps the expectation.
    assert mc.expected_volume_ratio(np.array(1.0), np.array(1.21), np.array(0.5)) == pytest.approx(1.1)
    assert mc.expected_volume_ratio(np.array(0.9), np.array(1.21), np.array(1.0)) == pytest.approx(1.21)
    assert mc.expected_volume_ratio(np.array(0.9), np.array(1.21), np.array(0.0)) == pytest.approx(0.9)
