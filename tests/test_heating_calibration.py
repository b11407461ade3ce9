"""Tests of the base-year calibration of the heating-system shares (heating_calibration)."""

import numpy as np
import pytest

from framtid.model.submodels import heating, heating_calibration


def test_calibration_takes_heat_from_heat_pumps_and_district_heat_when_direct_electric_runs_short():
    # one draw, one municipality, one building type: oil 0.2, direct electric 0.1, heat pump 0.3,
    # district heating 0.1, the rest wood; an oil factor of 2 moves 0.2 more heat to oil: 0.1 from
    # direct electric, the remaining 0.1 from heat pump and district heating as 3:1 (0.075, 0.025)
    shares = np.zeros((1, 1, 1, heating.N_SYSTEMS))
    shares[..., heating.OIL_BOILER] = 0.2
    shares[..., heating.DIRECT_ELECTRIC] = 0.1
    shares[..., heating.HEAT_PUMP] = 0.3
    shares[..., heating.DISTRICT_HEATING] = 0.1
    shares[..., heating.WOOD_STOVE] = 0.3
    out, _ = heating_calibration.calibrated_shares(shares, np.zeros(1), {"heating_oil": 2.0})
    got = out[0, 0, 0]
    assert got[heating.OIL_BOILER] == pytest.approx(0.4)
    assert got[heating.DIRECT_ELECTRIC] == pytest.approx(0.0)
    assert got[heating.HEAT_PUMP] == pytest.approx(0.225)
    assert got[heating.DISTRICT_HEATING] == pytest.approx(0.075)
    assert got.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="direct_electric"):      # not even heat pumps suffice
        heating_calibration.calibrated_shares(shares, np.zeros(1), {"heating_oil": 4.0})
