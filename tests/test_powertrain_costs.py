"""Tests of the cost and utility terms of the powertrain choice: annuity, cost of ownership, maturity."""

import pytest

from framtid.model.submodels import powertrain_costs


def test_annuity_factor():
    # 0.07 / (1 - 1.07^-10) = 0.142378; without interest 1/n
    assert float(powertrain_costs.annuity_factor(0.07, 10)) == pytest.approx(0.142378, rel=1e-5)
    assert float(powertrain_costs.annuity_factor(0.0, 10)) == pytest.approx(0.1)


def test_ownership_cost_hand_case():
    def tco(vat_paid, tax_paid):
        return powertrain_costs.ownership_cost(200_000, 90_000, 0.25, vat_paid, tax_paid, 0.1, 10_000, 1.0, 3000, 1000)

    # 0.1 * (200 000 * 1.25 + 90 000) + 10 000 km * 1 NOK/km + 3 000 + 1 000 = 48 000 NOK/yr
    assert tco(1.0, 1.0) == pytest.approx(48_000)
    # exempt from VAT and registration tax: 0.1 * 200 000 + 14 000 = 34 000 NOK/yr
    assert tco(0.0, 0.0) == pytest.approx(34_000)


def test_logistic_path_midpoint():
    assert float(powertrain_costs.logistic_path(2016.0, 6.0, 2016.0, 0.3)) == pytest.approx(3.0)
