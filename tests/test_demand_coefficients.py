"""Tests of the demand side's parameters read into arrays over draws."""

import numpy as np

from framtid.model.parameters import Params
from framtid.model.submodels.demand_coefficients import demand_coefficients


def test_demand_coefficients_rescale_purpose_shares():
    params = Params.defaults(2, overrides={"transport.purpose_share.commute": 0.3})
    coef = demand_coefficients(params)
    assert coef.purpose_share.shape == (2, 3)
    np.testing.assert_allclose(coef.purpose_share.sum(axis=1), 1.0)
    np.testing.assert_allclose(coef.destination_share.sum(axis=1), 1.0)
    assert coef.zone_constant[0, 1].tolist() == [0.0] * 5       # zone B is the reference
