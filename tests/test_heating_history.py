"""The conversion of oil heating before the 2020 ban, against Norway's heating series (``framtid calibrate``
fits the review rate to it; tests/test_calibrate.py holds the table to that fit)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from framtid.model import dims
from framtid.model.fitting.history import RATE, heating_emissions
from framtid.model.fitting.series import national_heating, proxied
from framtid.model.parameters import Params

FITTED = (2013, 2015)


@pytest.fixture(scope="module")
def history():
    """The heating emissions relative to 2009 of the municipalities Norway's series stands for (the 13 but Oslo and
    Skien) under the policy history, the review rate at 0.15, the table's default and 0.25 (one run, the rates as
    draws) ``(T, 3)``, to 2019."""
    default = Params.defaults(1)[RATE][0]
    own = [dims.MUNICIPALITIES.index(m) for m in proxied()]
    total = heating_emissions(np.array([0.15, default, 0.25]), 2019)[:, :, own].sum(axis=-1)
    return total / total[0]


@pytest.fixture(scope="module")
def national():
    return {p.year: p.value for p in national_heating().points}


def test_the_13s_heating_falls_as_the_nations_in_the_fitted_years(history, national):
    # The fit misses by 0.055 and 0.039 in log (0.709 and 0.575 against Norway's 0.749 and 0.553); the 0.1 assumed
    # before gives 0.863 and 0.766 with today's model (0.14 and 0.33 in log)
    for year in FITTED:
        assert abs(math.log(history[year - dims.BASE_YEAR, 1] / national[year])) < 0.08, year


def test_the_fit_minimises_its_misfit(history, national):
    """The misfit of the fitted years is smaller at the table's default than at 0.15 and 0.25 (the objective of
    `framtid calibrate`, on the runs of ``history``)."""
    misfit = [sum(math.log(history[y - dims.BASE_YEAR, d] / national[y]) ** 2 for y in FITTED) for d in range(3)]
    assert misfit[1] < misfit[0] and misfit[1] < misfit[2]


def test_a_faster_review_converts_more_before_the_ban(history):
    years = slice(1, 2019 - dims.BASE_YEAR + 1)
    assert np.all(history[years, 2] < history[years, 1]) and np.all(history[years, 1] < history[years, 0])


def test_a_municipalitys_factor_moves_its_review_alone():
    """``buildings.oil_review_factor.oslo`` at 2 doubles Oslo's review: Oslo's heating falls faster and every other
    municipality's heating is the same to the bit; at the range's top with the shared rate at its own (4 x 0.4) the
    review is capped at all of the oil-heated area a year, and the shares stay within [0, 1]."""
    from framtid.model.fitting.history import _sector_gases

    rate = Params.defaults(1)[RATE][0]
    gas, weights = _sector_gases({RATE: np.array([rate, rate, 0.4]),
                                  "buildings.oil_review_factor.oslo": np.array([1.0, 2.0, 4.0])}, "heating", 2015)
    total = np.einsum("tdmsg,dg->tdm", gas, weights["ar5"])                                  # (T, 3, M)
    oslo = dims.MUNICIPALITIES.index("oslo")
    others = [m for m in range(len(dims.MUNICIPALITIES)) if m != oslo]
    np.testing.assert_array_equal(total[:, 0, others], total[:, 1, others])
    assert np.all(total[2:, 1, oslo] < total[2:, 0, oslo]) and total[0, 1, oslo] == total[0, 0, oslo]
    assert np.all(np.isfinite(gas)) and np.all(gas >= 0.0)        # every source and gas: no share converted twice


def test_the_review_is_capped_at_all_of_the_oil_heated_area():
    from framtid.model.submodels.building_parameters import coefficients

    oslo = dims.MUNICIPALITIES.index("oslo")
    review = coefficients(Params.defaults(1, {RATE: 0.4, "buildings.oil_review_factor.oslo": 4.0})).review_rate
    assert review[0, oslo] == 1.0 and review[0, oslo - 1 if oslo else 1] == 0.4


def test_the_factor_of_one_is_the_shared_rate_to_the_bit():
    from framtid.model.submodels.building_parameters import coefficients

    params = Params.defaults(2, {RATE: np.array([0.15, 0.3])} | {f"buildings.oil_review_factor.{m}": 1.0
                                                                  for m in dims.MUNICIPALITIES})
    review = coefficients(params).review_rate
    assert review.shape == (2, len(dims.MUNICIPALITIES))
    np.testing.assert_array_equal(review, np.array([[0.15], [0.3]]) * np.ones(len(dims.MUNICIPALITIES)))
