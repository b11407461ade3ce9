"""Combustion cars' fuel use per km answers the fuel price (submodels/fuel_intensity.py)."""

from pathlib import Path

import numpy as np
import pytest

from framtid.model import api, dims
from framtid.model.parameters import Params
from framtid.model.simulation import FramtidModel
from framtid.model.submodels import fuel_intensity as fi

REPO = Path(__file__).resolve().parent.parent
CARS = dims.SOURCES.index("cars")


def test_persistence_by_hand():
    # 1 - (-0.15 / -0.4) = 0.625; a first-year response above the long-run one adjusts at once; none stays none
    np.testing.assert_allclose(fi.persistence(np.array([-0.15, -0.5, -0.1, 0.0]), np.array([-0.4, -0.4, 0.0, 0.0])),
                               [0.625, 0.0, 0.0, 0.0])


def test_fleet_fuel_price_index_by_hand():
    fuel = np.array([[[0.3, 0.3], [0.0, 0.0]]])              # (1, 2, 2) kWh/vkm; the second burns no fuel
    price = np.array([[[1.2, 1.0], [5.0, 5.0]]])
    base = np.array([[[1.0, 1.0], [1.0, 1.0]]])
    # (0.3 * 1.2 + 0.3 * 1.0) / (0.3 + 0.3) = 1.1; no fuel: 1
    np.testing.assert_allclose(fi.fleet_fuel_price_index(fuel, price, base), [[1.1, 1.0]])


def test_response_by_hand():
    lam, long_run = np.array([0.625]), np.array([-0.4])
    first = fi.fuel_intensity_response(np.zeros((1, 1)), np.full((1, 1), 1.1), long_run, lam)
    assert first[0, 0] == pytest.approx(0.375 * -0.4 * np.log(1.1))            # -0.0143: fuel per km -1.42 %
    assert np.exp(first[0, 0]) - 1.0 == pytest.approx(-0.014195, abs=1e-6)
    second = fi.fuel_intensity_response(first, np.full((1, 1), 1.1), long_run, lam)
    assert second[0, 0] == pytest.approx(0.625 * first[0, 0] + 0.375 * -0.4 * np.log(1.1))
    held = np.zeros((1, 1))
    for _ in range(60):
        held = fi.fuel_intensity_response(held, np.full((1, 1), 1.1), long_run, lam)
    assert held[0, 0] == pytest.approx(-0.4 * np.log(1.1), rel=1e-9)           # -0.0381 in the long run
    # back at the 2009 price the response decays by lambda a year
    assert fi.fuel_intensity_response(held, np.ones((1, 1)), long_run, lam)[0, 0] == pytest.approx(0.625 * held[0, 0])


@pytest.fixture(scope="module")
def run():
    """The reference with the response (draw 0) and without it (draw 1)."""
    scenario = api.load_scenario(REPO / "scenarios" / "reference.toml")
    params = Params.defaults(2, scenario.parameters).with_overrides({
        "transport.fuel_intensity_elasticity.long_run": [-0.4, 0.0],
        "transport.fuel_intensity_elasticity.short_run": [-0.15, 0.0]})
    model = FramtidModel(scenario, params)
    model.run()
    return model


def test_the_response_cuts_fuel_but_not_traffic(run):
    record = run.record
    # The travel and powertrain choices see the same cost per km with and without it.
    for name in ("car_vkm", "mode_share", "new_car_share", "cordon_car_trips"):
        np.testing.assert_array_equal(record[name][:, 0], record[name][:, 1], err_msg=name)
    # The cars' tailpipe gases scale by exp(r) of the last year's state; without the response r stays 0.
    r = run.state["transport"].fuel_intensity
    assert np.all(r[1] == 0.0) and np.all(r[0] < -0.01)
    cars = record["emissions_gas"][-1, :, :, CARS, :3]                          # (D, M, gas) CO2, CH4, N2O
    np.testing.assert_allclose(cars[0] / cars[1], np.broadcast_to(np.exp(r[0])[:, None], cars[0].shape), rtol=1e-12)
    # 2009 is the calibration year: nothing changes there.
    np.testing.assert_array_equal(record["emissions_gas"][0, 0], record["emissions_gas"][0, 1])
