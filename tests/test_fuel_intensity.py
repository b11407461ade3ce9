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


def test_fuel_burning_share_by_hand():
    shares = np.array([[[0.4, 0.0, 0.1, 0.5], [0.0, 0.0, 0.0, 1.0]]])       # (1, 2, K) petrol, diesel, PHEV, BEV
    electric = np.array([[0.0, 0.0, 0.5, 1.0]])
    # 0.4 + 0.1 * (1 - 0.5) = 0.45; all battery cars: 0
    np.testing.assert_allclose(fi.fuel_burning_share(shares, electric), [[0.45, 0.0]])


def test_renewal_pace_by_hand():
    # Oslo in 2022: 11.6 % of the new cars' km burns fuel, 69.9 % of the fleet's: the fuel-burning fleet renews at
    # 0.116 / 0.699 = 0.166 of the pace of a fleet where every car burns fuel; never faster than that pace; none
    # bought, none (also where the fleet burns no fuel)
    np.testing.assert_allclose(fi.renewal_pace(np.array([[0.116, 0.5, 0.0, 0.0]]), np.array([[0.699, 0.4, 0.3, 0.0]])),
                               [[0.116 / 0.699, 1.0, 0.0, 0.0]])


def test_response_by_hand():
    lam, long_run = np.array([0.625]), np.array([-0.4])
    first = fi.fuel_intensity_response(np.zeros((1, 1)), np.full((1, 1), 1.1), long_run, lam)
    assert first[0, 0] == pytest.approx(0.375 * -0.4 * np.log(1.1))            # -0.0143: fuel per km -1.42 %
    assert np.exp(first[0, 0]) - 1.0 == pytest.approx(-0.014195, abs=1e-6)
    # the technology part answers last year's price, at the pace of the fuel-burning cars bought
    tech = fi.technology_response(np.zeros((1, 1)), np.full((1, 1), 1.1), np.ones((1, 1)), long_run, lam)
    assert tech[0, 0] == pytest.approx(0.375 * 0.625 * -0.4 * np.log(1.1))     # -0.00893
    fifth = fi.technology_response(np.zeros((1, 1)), np.full((1, 1), 1.1), np.full((1, 1), 0.2), long_run, lam)
    assert fifth[0, 0] == pytest.approx(0.2 * tech[0, 0])
    # held at 1.1 with every new car burning fuel: Goodwin et al.'s long run, -0.4 ln 1.1 = -0.0381
    t, index = np.zeros((1, 1)), np.full((1, 1), 1.1)
    for _ in range(80):
        t = fi.technology_response(t, index, np.ones((1, 1)), long_run, lam)
    assert fi.fuel_intensity_response(t, index, long_run, lam)[0, 0] == pytest.approx(-0.4 * np.log(1.1), rel=1e-9)
    # back at the 2009 price the behaviour goes at once; what the cars bought embodied stays
    assert fi.fuel_intensity_response(t, np.ones((1, 1)), long_run, lam)[0, 0] == pytest.approx(0.625 * -0.4 *
                                                                                              np.log(1.1), rel=1e-9)


def _goodwin(path, long_run, lam):
    """Goodwin et al.'s partial adjustment of the whole response, r_t = lambda r_(t-1) + (1 - lambda) e_LR ln x_t."""
    r, out = 0.0, []
    for x in path:
        r = lam * r + (1.0 - lam) * long_run * np.log(x)
        out.append(r)
    return np.array(out)


def _split(path, burning, long_run, lam):
    t, previous, out = np.zeros((1, 1)), np.ones((1, 1)), []
    for x, phi in zip(path, burning):
        t = fi.technology_response(t, previous, np.full((1, 1), phi), np.array([long_run]), np.array([lam]))
        previous = np.full((1, 1), x)
        out.append(fi.fuel_intensity_response(t, previous, np.array([long_run]), np.array([lam]))[0, 0])
    return np.array(out)


def test_every_new_car_burning_fuel_gives_goodwins_adjustment_on_any_price_path():
    rng = np.random.default_rng(3)
    for _ in range(20):
        path = np.exp(rng.normal(0.0, 0.2, 30))
        long_run, short_run = -rng.uniform(0.1, 0.8), -rng.uniform(0.0, 0.8)
        lam = float(fi.persistence(np.array([short_run]), np.array([long_run]))[0])
        np.testing.assert_allclose(_split(path, np.ones(30), long_run, lam), _goodwin(path, long_run, lam),
                                   rtol=1e-12, atol=1e-15)


def test_no_fuel_burning_car_bought_leaves_the_behaviour_alone():
    # The price doubles in year 5 and stays; from then no new car burns fuel: only the first-year response acts.
    path = np.r_[np.ones(5), np.full(20, 2.0)]
    none_bought = _split(path, np.r_[np.ones(5), np.zeros(20)], -0.4, 0.625)
    np.testing.assert_allclose(none_bought[5:], 0.375 * -0.4 * np.log(2.0), rtol=1e-12)
    # while fuel-burning cars are bought the fleet reaches the long run; bought at a fifth of the pace, slower
    all_bought = _split(path, np.ones(25), -0.4, 0.625)
    some = _split(path, np.r_[np.ones(5), np.full(20, 0.2)], -0.4, 0.625)
    assert all_bought[-1] == pytest.approx(-0.4 * np.log(2.0), rel=1e-3)
    assert none_bought[-1] > some[-1] > all_bought[-1]


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
