"""Tests of the building-stock arithmetic (framtid.model.submodels.building_stock)."""

import numpy as np
import pytest

from framtid.model import dims
from framtid.model.submodels import building_stock as stock

STARTS = np.array([1949, 1969, 1987, 1997, 2007, 2011, 2020, 2025], float)


@pytest.mark.parametrize("year, period", [
    (1948, "pre_tek49"), (1949, "tek49"), (2009, "tek07"), (2010, "tek07"),
    (2011, "tek10"), (2019, "tek10"), (2020, "tek17"), (2025, "tek21"), (2050, "tek21"),
])
def test_cohort_in_force(year, period):
    assert dims.CONSTRUCTION_PERIODS[stock.cohort_in_force(year, STARTS)] == period


def test_cohort_age_is_never_negative():
    np.testing.assert_array_equal(stock.cohort_age(2009, np.array([1945.0, 2012.0])), [64.0, 0.0])


def test_demolition_share_hand_computed():
    # L(a) = 1 / (1 + exp(-(a - 90)/10)), L(60) = 1 / (1 + e^3) = 0.047426; F(a) = 0.95 (L(a) - L(60)) / (1 - L(60))
    # F(90) = 0.95 (0.5 - 0.047426) / 0.952574 = 0.451354; F(89) = 0.95 (0.475021 - 0.047426) / 0.952574 = 0.426443
    # q = (0.451354 - 0.426443) / (1 - 0.426443) = 0.043433
    q = stock.demolition_share(np.array(90.0), 90.0, 10.0, 60.0, 0.05)
    start = 1 / (1 + np.exp(3.0))
    f90, f89 = (0.95 * (1 / (1 + np.exp(x)) - start) / (1 - start) for x in (0.0, 0.1))
    assert q == pytest.approx((f90 - f89) / (1 - f89))
    assert q == pytest.approx(0.043433, abs=1e-6)


def test_demolition_starts_from_zero_at_the_earliest_age():
    # The first year of demolition takes only a year's slice of the curve, not the logistic's tail below it:
    # 0.59 % at the defaults of houses (mean 90, scale 11.53) in the year after the earliest age 60, where
    # the curve cut at 60 took 6.5 % at once.
    q = stock.demolition_share(np.array([59.0, 60.0, 61.0, 62.0]), 90.0, 11.53, 60.0, 0.05)
    assert q[0] == 0.0 and q[1] == 0.0
    assert q[2] == pytest.approx(0.0059, abs=1e-4)
    assert q[2] < q[3]


def test_demolition_share_zero_before_earliest_and_bounded():
    ages = np.arange(0.0, 200.0)
    q = stock.demolition_share(ages, 90.0, 11.53, 60.0, 0.05)
    assert np.all(q[:60] == 0)
    assert np.all((q >= 0) & (q < 1))
    # survivors after 200 years approach the never-demolished share
    assert np.prod(1 - q) == pytest.approx(0.05, abs=0.01)


def test_renovated_share_before_start():
    # 1 - exp(-0.02 * (40 - 10)) = 1 - exp(-0.6) = 0.451188
    assert stock.renovated_share_before_start(40.0, 0.02, 10.0) == pytest.approx(0.451188, abs=1e-6)
    assert stock.renovated_share_before_start(5.0, 0.02, 10.0) == 0.0


def test_floor_area_demand_hand_computed():
    # 2000 persons / 2 per dwelling = 1000 dwellings; 40 % apartments
    # house 600 * 120 = 72000 m2; apartment 400 * 65 = 26000 m2; non-residential 2000 * 25 = 50000 m2
    area = stock.floor_area_demand(np.array([[2000.0]]), np.array([[0.4]]), np.array([2.0]),
                                   np.array([[120.0, 65.0]]), np.array([25.0]))
    np.testing.assert_allclose(area, [[[72000.0, 26000.0, 50000.0]]])


def _new(population, remaining, apartment_share=0.5):
    return stock.new_construction(np.array([[population]]), np.array([[apartment_share]]),
                                  np.array([[remaining]], float), np.array([2.0]),
                                  np.array([[120.0, 60.0]]), np.array([25.0]))[0, 0]


def test_new_construction_fills_growth_and_demolition():
    # left: 400 houses (48000 m2) + 500 apartments (30000 m2) = 900 dwellings; needed 2000/2 = 1000
    # 100 new dwellings, half apartments: house 50 * 120 = 6000, apartment 50 * 60 = 3000
    # non-residential: 2000 * 25 - 49000 = 1000
    np.testing.assert_allclose(_new(2000.0, [48000.0, 30000.0, 49000.0]), [6000.0, 3000.0, 1000.0])


def test_new_construction_zero_growth_replaces_only_demolition():
    # stock exactly meets demand: nothing is built
    np.testing.assert_allclose(_new(2000.0, [60000.0, 30000.0, 50000.0]), [0.0, 0.0, 0.0])


def test_new_construction_shrinking_population_builds_nothing():
    np.testing.assert_allclose(_new(1500.0, [60000.0, 30000.0, 50000.0]), [0.0, 0.0, 0.0])


def test_space_heating_need_with_renovation_and_hdd():
    # one type, two cohorts: (1000 - 200 * 0.2) * 150 + 500 * 50 = 144000 + 25000 = 169000 kWh
    # times HDD ratio 1.1 = 185900 kWh = 0.1859 GWh
    area = np.array([[[[1000.0, 500.0]]]])
    renovated = np.array([[[[200.0, 0.0]]]])
    need = stock.space_heating_need(area, renovated, np.array([[[[150.0, 50.0]]]]),
                                    np.array([[[[0.2, 0.05]]]]), np.array([[1.1]]))
    assert need.shape == (1, 1, 1)
    assert need[0, 0, 0] == pytest.approx(0.1859)


def test_turnover_of_one_draw_is_that_of_many():
    """A single draw is turned over in whole-array operations, many draws cohort by cohort: the same bits."""
    rng = np.random.default_rng(8)
    d, m, t, v = 1, 13, 3, 9
    area = rng.random((d, m, t, v)) * 1e6
    renovated = area * rng.random((d, m, t, v))
    demolition, eligible = rng.random((d, 1, t, v)) * 0.02, (rng.random((d, 1, t, v)) < 0.7).astype(float)
    rate = rng.random((d, m, t, 1)) * 0.03
    small = stock.turnover(area, renovated, demolition, rate, eligible)
    assert area.size <= stock.FEW_VALUES < 1000 * area.size
    many = stock.turnover(*(np.concatenate([x] * 1000) for x in (area, renovated, demolition, rate, eligible)))
    for a, b in zip(small, many):
        assert a.tobytes() == np.ascontiguousarray(b[:d]).tobytes()
