"""Tests of the pure fleet functions: survival, turnover, vintage stocks, energy use and the fleet parameters."""

import numpy as np
import pytest

from framtid.model import dims
from framtid.model.parameters import Params
from framtid.model.submodels import fleet


def test_weibull_survival_values_of_methods():
    # R(a) = exp(-(a/19)^3): R(10) = exp(-0.14579) = 0.8643, R(20) = exp(-1.16635) = 0.3115
    r = fleet.weibull_survival(np.array([0.0, 10.0, 20.0]), 3.0, 19.0)
    np.testing.assert_allclose(r, [1.0, 0.8643, 0.3115], atol=1e-4)
    assert abs(r[1] - 0.87) < 0.01 and abs(r[2] - 0.31) < 0.01


def test_annual_survival_is_the_ratio_of_survival():
    p = fleet.annual_survival(3.0, 19.0, 30)
    assert p.shape == (31,)
    r = fleet.weibull_survival(np.arange(32.0), 3.0, 19.0)
    np.testing.assert_allclose(p[:30], r[1:31] / r[:30], rtol=1e-12)
    assert 0.0 < p[30] < p[29]           # the open class keeps some survivors


def test_turnover_hand_case():
    # ages 0, 1, 2 (open); powertrains 2
    stock = np.array([[10.0, 0.0], [5.0, 5.0], [2.0, 0.0]])
    survival = np.array([0.9, 0.5, 0.2])
    # aged: [9, 0], [2.5, 2.5], [0.4, 0]; survivors age 1 = [9, 0], age 2 = [2.9, 2.5]; total 14.4
    # target 20 -> 5.6 new, split 0.25 / 0.75 -> [1.4, 4.2]
    new_stock, new = fleet.turnover(stock, survival, np.array(20.0), np.array([0.25, 0.75]))
    np.testing.assert_allclose(new_stock, [[1.4, 4.2], [9.0, 0.0], [2.9, 2.5]])
    assert float(new) == pytest.approx(5.6)
    assert new_stock.sum() == pytest.approx(20.0)


def test_turnover_when_the_stock_shrinks_faster_than_scrapping():
    stock = np.array([[10.0, 0.0], [5.0, 5.0], [2.0, 0.0]])
    # survivors 14.4 > target 10: no new vehicles, every cohort scaled by 10 / 14.4
    new_stock, new = fleet.turnover(stock, np.array([0.9, 0.5, 0.2]), np.array(10.0), np.array([0.5, 0.5]))
    assert float(new) == 0.0
    np.testing.assert_allclose(new_stock, np.array([[0, 0], [9.0, 0.0], [2.9, 2.5]]) * 10.0 / 14.4)
    assert new_stock.min() >= 0.0


def test_turnover_keeps_a_stationary_stock_stationary():
    profile = fleet.stationary_age_profile(3.0, 19.0, dims.MAX_VEHICLE_AGE)
    stock = 1000.0 * profile[:, None] * np.array([0.7, 0.3])
    survival = fleet.annual_survival(3.0, 19.0, dims.MAX_VEHICLE_AGE)
    new_stock, new = fleet.turnover(stock, survival, np.array(1000.0), np.array([0.7, 0.3]))
    np.testing.assert_allclose(new_stock, stock, rtol=1e-10)
    assert float(new) == pytest.approx(1000.0 * profile[0])


def test_turnover_broadcasts_over_leading_axes():
    stock = np.ones((2, 3, 4, 31, 4))
    survival = np.full((2, 1, 4, 31), 0.9)
    target = np.full((2, 3, 4), 150.0)
    shares = np.full((2, 3, 4, 4), 0.25)
    new_stock, new = fleet.turnover(stock, survival, target, shares)
    np.testing.assert_allclose(new_stock.sum(axis=(-2, -1)), target)
    assert new.shape == (2, 3, 4)


def test_turnover_and_fleet_mix_on_a_powertrain_major_stock():
    # The simulation stores stocks with the ages of each powertrain contiguous (a transposed view);
    # turnover keeps that layout and both functions give the same numbers as on an ordinary array.
    rng = np.random.default_rng(5)
    stock = rng.uniform(0.0, 10.0, (2, 3, 31, 4))
    powertrain_major = np.swapaxes(np.ascontiguousarray(np.swapaxes(stock, -1, -2)), -1, -2)
    survival = rng.uniform(0.7, 1.0, (2, 1, 31))
    target, shares = np.full((2, 3), 300.0), np.full((2, 3, 4), 0.25)
    ordinary, new = fleet.turnover(stock, survival, target, shares)
    other, new_other = fleet.turnover(powertrain_major, survival, target, shares)
    np.testing.assert_allclose(other, ordinary, rtol=1e-14)
    np.testing.assert_allclose(new_other, new, rtol=1e-14)
    assert other.strides == powertrain_major.strides
    mileage, vintage = 0.97 ** np.arange(31.0), 1.02 ** np.arange(31.0)
    per_km = np.array([0.6, 0.5, 0.3, 0.0])
    for a, b in zip(fleet.fleet_mix(stock, mileage, per_km, vintage, per_km[::-1], np.ones(31)),
                    fleet.fleet_mix(powertrain_major, mileage, per_km, vintage, per_km[::-1], np.ones(31))):
        np.testing.assert_allclose(b, a, rtol=1e-14)


def _vintage(stock, survival, year=2009):
    """A VintageStock of one class ``(A + 1, K)`` with survival ``(A + 1,)``."""
    return fleet.vintage_stock(np.asarray(stock, float)[None, None, None], np.asarray(survival, float)[None, None],
                               year)


def _sums(vs, survival):
    """The survivors' total (D, M, C) from the stock's own sums over age."""
    weights = np.stack(np.broadcast_arrays(np.ones_like(survival), survival), axis=-2)      # (C, D, 2, A + 1)
    return fleet.vintage_sums(vs, weights[..., vs.slot_ages()])[..., 1, :].sum(axis=-1)


def test_vintage_turnover_hand_case():
    # The hand case of test_turnover_hand_case on a vintage stock: ring of 2 slots and the open class.
    stock, survival = [[10.0, 0.0], [5.0, 5.0], [2.0, 0.0]], np.array([0.9, 0.5, 0.2])
    vs = _vintage(stock, survival)
    survivors = _sums(vs, survival[None, None])
    assert survivors.item() == pytest.approx(14.4)
    nxt, new = fleet.advance_vintages(vs, survivors, np.full((1, 1, 1), 20.0), np.array([[[[0.25, 0.75]]]]))
    np.testing.assert_allclose(nxt.by_age()[0, 0, 0], [[1.4, 4.2], [9.0, 0.0], [2.9, 2.5]], rtol=1e-14)
    assert new.item() == pytest.approx(5.6)


def test_vehicles_given_up_leave_every_vintage_and_the_new_ones_replace_the_scrapped_of_the_kept():
    # The hand case above with owners keeping 0.8 of the 14.4 survivors (11.52) and a target of 13: every vintage
    # keeps 0.8 of its survivors (9 x 0.8 = 7.2; the open class (2.5 + 0.4) x 0.8 = 2.32 and 2.5 x 0.8 = 2.0) and
    # 13 - 11.52 = 1.48 new vehicles come in; without ``kept`` the stock would shrink by withholding them (0 new).
    stock, survival = [[10.0, 0.0], [5.0, 5.0], [2.0, 0.0]], np.array([0.9, 0.5, 0.2])
    vs = _vintage(stock, survival)
    survivors = _sums(vs, survival[None, None])
    kept = np.full((1, 1, 1), 0.8)
    nxt, new = fleet.advance_vintages(vs, survivors, np.full((1, 1, 1), 13.0), np.array([[[[0.25, 0.75]]]]), kept)
    np.testing.assert_allclose(nxt.by_age()[0, 0, 0], [[0.37, 1.11], [7.2, 0.0], [2.32, 2.0]], rtol=1e-13)
    assert new.item() == pytest.approx(1.48)
    # Owners keeping all (1.0) is the usual rule to the bit; a target below the cars kept scales them to it.
    usual, _ = fleet.advance_vintages(_vintage(stock, survival), survivors, np.full((1, 1, 1), 20.0),
                                      np.array([[[[0.25, 0.75]]]]))
    same, _ = fleet.advance_vintages(_vintage(stock, survival), survivors, np.full((1, 1, 1), 20.0),
                                     np.array([[[[0.25, 0.75]]]]), np.ones((1, 1, 1)))
    np.testing.assert_array_equal(same.by_age(), usual.by_age())
    low = _vintage(stock, survival)
    shrunk, none = fleet.advance_vintages(low, survivors, np.full((1, 1, 1), 7.2), np.array([[[[0.25, 0.75]]]]), kept)
    assert none.item() == 0.0 and shrunk.by_age()[0, 0, 0].sum() == pytest.approx(7.2)
    # Owners buying cars of every age (1.1 of the survivors, 15.84): every vintage x 1.1, 20 - 15.84 = 4.16 new.
    more, new = fleet.advance_vintages(_vintage(stock, survival), survivors, np.full((1, 1, 1), 20.0),
                                       np.array([[[[0.25, 0.75]]]]), np.full((1, 1, 1), 1.1))
    np.testing.assert_allclose(more.by_age()[0, 0, 0], [[1.04, 3.12], [9.9, 0.0], [3.19, 2.75]], rtol=1e-13)
    assert new.item() == pytest.approx(4.16)


def test_vintage_stock_follows_turnover_for_decades():
    # 45 years (the ring of 30 slots turns over more than once) of growth, decline and a collapse to
    # nothing and back, for several draws, municipalities and classes: the same stock as fleet.turnover.
    rng = np.random.default_rng(11)
    d, m, c, k = 3, 2, 2, 4
    survival = fleet.annual_survival(rng.uniform(2.0, 4.0, (d, c)), rng.uniform(10.0, 25.0, (d, c)),
                                     dims.MAX_VEHICLE_AGE)                                   # (D, C, A + 1)
    stock = rng.uniform(0.0, 100.0, (d, m, c, dims.MAX_VEHICLE_AGE + 1, k))
    vs = fleet.vintage_stock(stock, survival, 2009)
    weights = np.stack([np.ones_like(survival), survival], axis=-2).transpose(1, 0, 2, 3)    # (C, D, 2, A + 1)
    for year in range(2010, 2055):
        total = stock.sum(axis=(-2, -1))
        target = total * rng.uniform(0.85, 1.1, total.shape)
        if year == 2030:
            target[0, 0, 0] = 0.0                     # every vehicle gone ...
        elif year > 2030 and total[0, 0, 0] < 40.0:
            target[0, 0, 0] = 40.0                    # ... and new ones bought
        shares = rng.dirichlet(np.ones(k), (d, m, c))
        sums = fleet.vintage_sums(vs, weights[..., vs.slot_ages()])                        # (D, M, C, 2, K)
        np.testing.assert_allclose(sums[..., 0, :], stock.sum(axis=-2), rtol=1e-11, atol=1e-9)
        vs, new_vintage = fleet.advance_vintages(vs, sums[..., 1, :].sum(axis=-1), target, shares)
        stock, new = fleet.turnover(stock, survival[:, None], target, shares)
        np.testing.assert_allclose(new_vintage, new, rtol=1e-11, atol=1e-9)
        np.testing.assert_allclose(vs.by_age(), stock, rtol=1e-11, atol=1e-9)
    assert stock[0, 0, 0].sum() > 0.0                 # ... and the stock has grown again since


def test_a_stationary_vintage_stock_is_the_stock_of_its_profile():
    rng = np.random.default_rng(12)
    d, m, c, k = 2, 3, 4, 4
    shape, scale = rng.uniform(2.0, 4.0, (d, c)), rng.uniform(10.0, 25.0, (d, c))
    profile = fleet.stationary_age_profile(shape, scale, dims.MAX_VEHICLE_AGE)                  # (D, C, A + 1)
    survival = fleet.annual_survival(shape, scale, dims.MAX_VEHICLE_AGE)
    vehicles, mix = rng.uniform(100.0, 1000.0, (d, m, c)), rng.dirichlet(np.ones(k), (d, m, c))
    by_age = vehicles[..., None, None] * profile[:, None, :, :, None] * mix[..., None, :]
    direct = fleet.stationary_vintage_stock(vehicles, profile, mix, survival, 2009)
    np.testing.assert_allclose(direct.by_age(), by_age, rtol=1e-13)
    np.testing.assert_allclose(direct.cohorts, fleet.vintage_stock(by_age, survival, 2009).cohorts, rtol=1e-13)


def test_an_advanced_vintage_stock_refuses_to_be_read_and_a_copy_branches():
    survival = np.array([0.9, 0.8, 0.5, 0.2])
    vs = _vintage(np.full((4, 2), 10.0), survival)
    branch = vs.copy()
    target, shares = np.full((1, 1, 1), 50.0), np.array([[[[0.5, 0.5]]]])
    survivors = _sums(vs, survival[None, None])
    one, _ = fleet.advance_vintages(vs, survivors, target, shares)
    other, _ = fleet.advance_vintages(branch, survivors, target, shares)
    np.testing.assert_array_equal(one.by_age(), other.by_age())
    with pytest.raises(RuntimeError, match="advanced to 2010"):
        vs.by_age()
    with pytest.raises(RuntimeError, match="copy"):
        fleet.advance_vintages(vs, survivors, target, shares)


def test_vintage_efficiency():
    # 0.98^10 = 0.8171; floor 0.9 binds; vintages before the base year use more
    assert fleet.vintage_efficiency(10, 0.02, 0.5) == pytest.approx(0.98 ** 10)
    assert fleet.vintage_efficiency(10, 0.02, 0.9) == pytest.approx(0.9)
    assert fleet.vintage_efficiency(-5, 0.02, 0.6) == pytest.approx(0.98 ** -5)


def test_fleet_mix_hand_case():
    # 2 ages x 2 powertrains; mileage 1 and 0.5; fuel per km 1 and 2 (new, vintage factor 2), electricity 0.3
    stock = np.array([[10.0, 10.0], [20.0, 0.0]])
    mileage = np.array([1.0, 0.5])
    # weights 10, 10, 10, 0 -> vkm shares petrol 2/3, second 1/3
    share, fuel, electricity = fleet.fleet_mix(stock, mileage, np.array([1.0, 0.0]), np.array([1.0, 2.0]),
                                               np.array([0.0, 0.3]), np.array([1.0, 1.0]))
    np.testing.assert_allclose(share, [2 / 3, 1 / 3])
    np.testing.assert_allclose(fuel, [(1.0 + 2.0) / 3, 0.0])     # kWh per vkm of the whole class
    assert float(electricity) == pytest.approx(0.1)


def test_fleet_coefficients_reproduce_the_2009_fleet_average_fuel_use():
    params = Params.defaults(1)
    coef = fleet.fleet_coefficients(params)
    ages = np.arange(dims.MAX_VEHICLE_AGE + 1)
    weights = coef.age_profile[0] * coef.mileage[0]
    weights = weights / weights.sum(axis=-1, keepdims=True)
    older = (1.0 - coef.fuel_gain[0][:, None]) ** -ages
    fleet_avg = (weights * older * coef.fuel_per_km_new[0, :, 1][:, None]).sum(axis=-1)   # diesel column
    # cars: 0.067 L/km x 10.056 kWh/L; buses 0.45 L/km x 10.056
    assert fleet_avg[0] == pytest.approx(0.067 * 10.056)
    assert fleet_avg[3] == pytest.approx(0.45 * 10.056)
    np.testing.assert_allclose(coef.base_new_car_share.sum(), 1.0)
