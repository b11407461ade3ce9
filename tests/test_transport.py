"""Tests of the transport submodel: base year, levers, fleets, calibration and accounting."""

from dataclasses import replace

import numpy as np
import pytest

from framtid.model import dims
from framtid.model.parameters import Params
from framtid.model.submodels import transport as tr

D, M = 2, 3
ZONE_SHARE = np.array([0.25, 0.45, 0.30])
MODE_SHARES = np.array([[0.35, 0.08, 0.25, 0.05, 0.27],     # Oslo-like
                        [0.57, 0.14, 0.04, 0.05, 0.20],     # Grenland 2009 (observations, RVU)
                        [0.44, 0.09, 0.11, 0.09, 0.27]])    # Trondheim-like
CARS_PER_CAPITA = np.array([0.371, 0.45, 0.444])
# Oslo 2009 stock: petrol 149 541, diesel 63 637, electric 368 (observations: cars_registered_*)
OSLO_STOCK = np.array([149_541, 63_637, 0, 368]) / (149_541 + 63_637 + 368)
POWERTRAINS = np.array([OSLO_STOCK, [0.7, 0.3, 0.0, 0.0], [0.7, 0.3, 0.0, 0.0]])
PCT_SHARE = dims.index(dims.MODES, "public_transport")


def drivers(growth=1.0):
    population = np.tile([575_475.0, 100_000.0, 180_000.0], (D, 1)) * growth
    zone_population = population[..., None] * ZONE_SHARE
    trip_length = np.tile([0.7, 0.95, 1.3] / (ZONE_SHARE @ [0.7, 0.95, 1.3]), (D, M, 1))
    return population, zone_population, trip_length, population * 0.55


def new_state(params=None, calibration=None, base_levers=None, powertrains=POWERTRAINS):
    params = params or Params.defaults(D)
    population, zone_population, trip_length, jobs = drivers()
    state = tr.init_state(population, zone_population, trip_length, jobs, MODE_SHARES, CARS_PER_CAPITA,
                          powertrains, params, calibration)
    return tr.set_base_levers(state, base_levers or {}, params), params


def full(value, *axes):
    return np.full((D, M) + axes, float(value))


def step(state, params, levers, year, growth=1.0):
    """One simulation year as the simulation runs it."""
    modes = tr.choose_modes(state, levers, params, year)
    cars = tr.choose_car_powertrains(state, levers, params, year)
    state = tr.advance(state, *drivers(growth), modes, cars, levers, params, year)
    return state, tr.account(state, levers, params, year)


# --- base year -------------------------------------------------------------------------------

def test_base_year_reproduces_the_observed_municipal_mode_shares():
    state, params = new_state()
    out = tr.account(state, {}, params, dims.BASE_YEAR)
    np.testing.assert_allclose(out["mode_share"], np.broadcast_to(MODE_SHARES, (D, M, 5)), atol=1e-12)
    # zone constants: A residents use more public transport and less car than C residents
    shares = state.base_shares[0, 0, :, 0, 0]
    assert shares[0, PCT_SHARE] > shares[1, PCT_SHARE] > shares[2, PCT_SHARE]
    assert shares[0, 0] < shares[2, 0]


@pytest.mark.parametrize("levers", [{}, {"toll_nok": full(25, 2), "cordon_crossing_share": full(0.3, 3, 3),
                                         "parking_fee_nok": full(20, 3), "bev_vat_exemption": full(1),
                                         "pt_fare_change": full(0.1), "biofuel_share_diesel": full(0.03)}])
def test_base_year_choices_return_the_base_shares(levers):
    state, params = new_state(base_levers=levers)
    np.testing.assert_allclose(tr.choose_modes(state, levers, params, dims.BASE_YEAR), state.base_shares,
                               rtol=1e-13)
    new_cars = tr.choose_car_powertrains(state, levers, params, dims.BASE_YEAR)
    weights = (state.trip_volume * state.mode_shares[..., 0]).sum(axis=(3, 4))[..., None]
    municipal = (weights * new_cars).sum(axis=2) / weights.sum(axis=2)
    base = params.vector("transport.base_new_car_share", dims.POWERTRAINS)
    base = np.broadcast_to((base / base.sum(1, keepdims=True))[:, None], municipal.shape)
    np.testing.assert_allclose(municipal, base, atol=1e-12)


def test_trips_pkm_and_car_vkm_hand_case():
    state, params = new_state()
    out = tr.account(state, {}, params, dims.BASE_YEAR)
    # trips: 575 475 inhabitants x 3.56 trips/day x 365 = 747 770 215 trips/yr
    assert out["trips"][0, 0].sum() == pytest.approx(575_475 * 3.56 * 365)
    # residents' car vkm = car-driver trips x 11 km x trip-length factor, weighted by zone
    driver_trips_by_zone = (state.trip_volume * state.mode_shares[..., 0]).sum(axis=(3, 4))
    expected = (driver_trips_by_zone * state.trip_length_factor).sum(axis=2) * 11.0
    np.testing.assert_allclose(out["car_vkm_resident"], expected, rtol=1e-12)
    np.testing.assert_allclose(out["vkm"][..., 0], expected)            # calibration factor 1
    np.testing.assert_allclose(out["car_vkm"].sum(axis=-1), out["vkm"][..., 0], rtol=1e-12)
    np.testing.assert_allclose(out["pkm"][..., 0], expected, rtol=1e-12)


def test_vkm_and_emissions_are_consistent_in_2009():
    state, params = new_state()
    out = tr.account(state, {}, params, dims.BASE_YEAR)
    # Oslo cars: every age holds the 2009 powertrain mix, so vkm shares = stock shares and
    # CO2/vkm = 0.7011 x 0.077 L/km x 2.32 + 0.2980 x 0.067 L/km x 2.66 kg/L (BEVs emit none)
    per_vkm = (OSLO_STOCK[0] * 0.077 * 2.32 + OSLO_STOCK[1] * 0.067 * 2.66) / 1000.0
    assert out["emissions"]["cars"][0, 0, 0] == pytest.approx(out["vkm"][0, 0, 0] * per_vkm, rel=1e-10)
    np.testing.assert_allclose(out["car_vkm"][0, 0] / out["vkm"][0, 0, 0], OSLO_STOCK, rtol=1e-10)
    # vans: 715 vkm/inhabitant x 575 475 = 411.5 M vkm; CO2 = vkm x 0.095 L/km x 2.66 kg/L
    assert out["vkm"][0, 0, 1] == pytest.approx(715 * 575_475)
    assert out["emissions"]["vans"][0, 0, 0] == pytest.approx(715 * 575_475 * 0.095 * 2.66 / 1000.0)
    # CH4 per litre of van diesel: 0.125 g/L
    assert out["emissions"]["vans"][0, 0, 1] == pytest.approx(715 * 575_475 * 0.095 * 0.125 / 1e6)
    for source in tr.CLASS_SOURCES:
        assert out["emissions"][source].shape == (D, M, 4)
        assert np.all(out["emissions"][source][..., 3] == 0.0)        # F-gases sit with products


def test_road_energy_balances_vkm_times_energy_per_vkm():
    state, params = new_state()
    levers = {"biofuel_share_petrol": full(0.05), "biofuel_share_diesel": full(0.07)}
    out = tr.account(state, levers, params, dims.BASE_YEAR)
    total_gwh = (out["vkm"][..., None] * state.energy_per_vkm).sum(axis=(2, 3)) / 1e6
    np.testing.assert_allclose(out["road_energy"].sum(axis=-1), total_gwh, rtol=1e-12)
    assert np.all(out["road_energy"][..., tr.ROAD_CARRIERS.index("biofuel")] > 0)


# --- calibration ------------------------------------------------------------------------------

def test_calibration_is_linear_for_every_source():
    base_state, params = new_state()
    base = tr.account(base_state, {}, params, dims.BASE_YEAR)
    factors = {"cars": np.array([[0.6, 1.0, 1.7], [0.8, 1.2, 2.0]]), "vans": np.full((D, M), 1.5),
               "heavy_vehicles": np.array([[0.3, 2.5, 1.0], [1.0, 1.0, 1.0]]), "buses": np.full((D, M), 0.8)}
    for source, factor in factors.items():
        state, _ = new_state(calibration={source: factor})
        out = tr.account(state, {}, params, dims.BASE_YEAR)
        for other in tr.CLASS_SOURCES:
            expected = base["emissions"][other] * (factor[..., None] if other == source else 1.0)
            np.testing.assert_allclose(out["emissions"][other], expected, rtol=1e-12)
    # the cars factor acts on territorial vkm only, not on what residents drive
    state, _ = new_state(calibration={"cars": factors["cars"]})
    out = tr.account(state, {}, params, dims.BASE_YEAR)
    np.testing.assert_allclose(out["car_vkm_resident"], base["car_vkm_resident"])
    np.testing.assert_allclose(out["vkm"][..., 0], base["vkm"][..., 0] * factors["cars"])


# --- mode choice levers -----------------------------------------------------------------------

def test_peak_toll_on_crossing_trips_acts_only_there():
    state, params = new_state()
    crossing = full(0, 3, 3)
    crossing[:, :, 0, 0] = 0.6                             # zone A commuters cross the cordon
    toll = full(0, 2)
    toll[..., 0] = 30.0                                    # charged in the peak only
    tolled = tr.choose_modes(state, {"toll_nok": toll, "cordon_crossing_share": crossing}, params, 2010)
    untolled = tr.choose_modes(state, {}, params, 2010)
    affected = np.zeros(tolled.shape[:-1], dtype=bool)
    affected[:, :, 0, 0, 0] = True
    assert np.all(tolled[affected][:, 0] < untolled[affected][:, 0])
    np.testing.assert_allclose(tolled[~affected], untolled[~affected], rtol=1e-13)


def test_bev_toll_discount_weakens_the_toll_with_the_bev_share():
    state, params = new_state()
    levers = {"toll_nok": full(30, 2), "cordon_crossing_share": full(0.5, 3, 3), "bev_toll_discount": full(1)}
    all_bev, _ = new_state(powertrains=np.tile([0.0, 0.0, 0.0, 1.0], (M, 1)))
    no_levers = tr.choose_modes(all_bev, {}, params, 2010)
    # a fleet of exempt BEVs does not feel the toll at all
    np.testing.assert_allclose(tr.choose_modes(all_bev, levers, params, 2010), no_levers, rtol=1e-13)
    mixed_fleet = tr.choose_modes(state, levers, params, 2010)[..., 0]
    assert np.all(mixed_fleet < tr.choose_modes(state, {}, params, 2010)[..., 0])


@pytest.mark.parametrize("lever, value, mode, sign", [
    ("pt_fare_change", 0.2, "public_transport", -1), ("pt_service_change", 0.5, "public_transport", +1),
    ("parking_fee_nok", 30.0, "car_driver", -1), ("car_ownership_change", -0.2, "car_driver", -1)])
def test_levers_move_the_mode_shares_the_right_way(lever, value, mode, sign):
    state, params = new_state()
    axes = tr.LEVER_AXES[lever]
    changed = tr.choose_modes(state, {lever: full(value, *axes)}, params, 2010)
    reference = tr.choose_modes(state, {}, params, 2010)
    k = dims.index(dims.MODES, mode)
    assert np.all(sign * (changed[..., k] - reference[..., k]) > 0)
    np.testing.assert_allclose(changed.sum(axis=-1), 1.0)


def test_short_run_response_is_a_third_of_the_long_run_one():
    state, params = new_state()
    levers = {"pt_fare_change": full(0.01)}
    long_params = params.with_overrides({"transport.partial_adjustment": 0.0})
    short = tr.choose_modes(state, levers, params, 2010)
    long = tr.choose_modes(state, levers, long_params, 2010)
    k = PCT_SHARE
    ratio = np.log(short[..., k] / state.base_shares[..., k]) / np.log(long[..., k] / state.base_shares[..., k])
    np.testing.assert_allclose(ratio, 1.0 - 0.667, rtol=0.02)


def test_long_run_fare_elasticity_matches_its_target_in_a_uniform_city():
    # without zone constants every zone has the municipal share, so beta = e / (fare (1 - P0)) is exact
    overrides = {f"transport.zone_constant.{z}.{m}": 0.0
                 for z in "AC" for m in ("public_transport", "bicycle", "walk")}
    overrides["transport.partial_adjustment"] = 0.0
    params = Params.defaults(D, overrides=overrides)
    state, _ = new_state(params)
    h = 1e-5
    p1 = tr.choose_modes(state, {"pt_fare_change": full(h)}, params, 2010)[..., PCT_SHARE]
    elasticity = np.log(p1 / state.base_shares[..., PCT_SHARE]) / np.log1p(h)
    for p, purpose in enumerate(dims.PURPOSES):
        target = params[f"transport.fare_elasticity.{purpose}"][0]
        np.testing.assert_allclose(elasticity[:, :, 0, p], target, rtol=1e-3)


# --- car fleet and powertrain choice ----------------------------------------------------------

EXEMPT = ("bev_vat_exemption", "bev_registration_tax_exemption", "bev_toll_discount", "bev_parking_discount")


def test_bev_exemptions_raise_the_bev_share_of_new_cars():
    state, params = new_state()
    shares = [tr.choose_car_powertrains(state, {name: full(1) for name in EXEMPT[:n]}, params, 2015)[..., 3]
              for n in range(len(EXEMPT) + 1)]
    for fewer, more in zip(shares, shares[1:]):
        assert np.all(more >= fewer)
    assert np.all(shares[2] > shares[0])                 # VAT and registration tax matter most


def test_home_charging_access_favours_bevs_in_c_zones():
    state, params = new_state()
    shares = tr.choose_car_powertrains(state, {}, params, 2020)[..., 3]
    assert np.all(shares[:, :, 2] > shares[:, :, 0])


def _with_bev_stock(state, share):
    cars = state.stock[:, :, 0]
    total = cars.sum(axis=-1, keepdims=True)
    ice = cars[..., :3] * (1.0 - share) * total / cars[..., :3].sum(axis=-1, keepdims=True)
    stock = state.stock.copy()
    stock[:, :, 0] = np.concatenate([ice, share * total], axis=-1)
    return replace(state, stock=stock)


def test_present_policy_reproduces_the_national_bev_share_of_new_cars():
    """Check of the powertrain constants (methods §1.5): with BEVs exempt from VAT and
    registration tax and free tolls and parking throughout, and the observed BEV share of the
    car fleet (3.7 % end 2016, 10 % March 2020, 20 % December 2022, 21 % February 2023;
    interpolated) in the peer term, the new-car BEV share follows OFV: 2018 31.2 %, 2020 54 %,
    2021 65 %, 2022 80 %, 2023 82 %, 2024 90 %."""
    params = Params.defaults(1)
    population = np.array([[100_000.0]])
    state = tr.init_state(population, population[..., None] * ZONE_SHARE, np.ones((1, 1, 3)), population * 0.5,
                          np.array([[0.50, 0.10, 0.10, 0.05, 0.25]]), np.array([0.45]),
                          np.array([[0.70, 0.298, 0.0, 0.002]]), params)
    one = np.ones((1, 1))
    policy = {name: one for name in EXEMPT}
    policy.update(toll_nok=np.full((1, 1, 2), 20.0), cordon_crossing_share=np.full((1, 1, 3, 3), 0.1))
    state = tr.set_base_levers(state, policy, params)
    observed = {2018: 0.312, 2020: 0.54, 2021: 0.65, 2022: 0.80, 2023: 0.82, 2024: 0.90}
    fleet_share = lambda year: np.interp(year, [2016.9, 2020.2, 2022.95, 2023.1, 2024.9],
                                         [0.037, 0.10, 0.20, 0.21, 0.27])
    for year, share in observed.items():
        at_year = _with_bev_stock(state, fleet_share(year))
        new_cars = tr.choose_car_powertrains(at_year, policy, params, year)[0, 0]
        weights = (at_year.trip_volume * at_year.mode_shares[..., 0]).sum(axis=(3, 4))[0, 0]
        assert (weights @ new_cars[:, 3]) / weights.sum() == pytest.approx(share, abs=0.05), year
    # without the purchase exemptions the 2020 share collapses
    no_tax = dict(policy, bev_vat_exemption=0 * one, bev_registration_tax_exemption=0 * one)
    at_2020 = _with_bev_stock(state, fleet_share(2020))
    assert tr.choose_car_powertrains(at_2020, no_tax, params, 2020)[0, 0, :, 3].max() < 0.3


def test_fleet_turnover_keeps_the_car_stock_at_its_target():
    state, params = new_state()
    for growth, year in ((1.0, 2010), (1.02, 2011), (0.9, 2012)):        # zero growth, growth, decline
        state, out = step(state, params, {}, year, growth)
        population = drivers(growth)[0]
        np.testing.assert_allclose(out["car_stock"].sum(axis=-1), population * CARS_PER_CAPITA, rtol=1e-12)
        assert state.stock.min() >= 0.0
        np.testing.assert_allclose(out["new_car_share"].sum(axis=-1), 1.0)


def test_car_ownership_lever_shrinks_the_stock():
    state, params = new_state()
    state, out = step(state, params, {"car_ownership_change": full(-0.1)}, 2010)
    np.testing.assert_allclose(out["car_stock"].sum(axis=-1), drivers()[0] * CARS_PER_CAPITA * 0.9, rtol=1e-12)


def test_zero_growth_keeps_trips_and_activity_vkm():
    state, params = new_state()
    base = tr.account(state, {}, params, dims.BASE_YEAR)
    for year in range(2010, 2014):
        state, out = step(state, params, {}, year)
    np.testing.assert_allclose(out["trips"].sum(axis=-1), base["trips"].sum(axis=-1), rtol=1e-12)
    np.testing.assert_allclose(out["vkm"][..., 1:], base["vkm"][..., 1:], rtol=1e-12)


def test_shrinking_population_lowers_activity_and_stock():
    state, params = new_state()
    base = tr.account(state, {}, params, dims.BASE_YEAR)
    state, out = step(state, params, {}, 2010, growth=0.8)
    # jobs fall 20 %: van vkm x 0.8^0.9; buses follow population: x 0.8
    np.testing.assert_allclose(out["vkm"][..., 1], base["vkm"][..., 1] * 0.8 ** 0.9, rtol=1e-12)
    np.testing.assert_allclose(out["vkm"][..., 3], base["vkm"][..., 3] * 0.8, rtol=1e-12)
    assert np.all(out["car_stock"].sum(axis=-1) < base["car_stock"].sum(axis=-1))
    assert state.stock.min() >= 0.0


def test_zero_emission_buses_cut_bus_emissions_over_time():
    state, params = new_state()
    diesel = electric = state
    for year in range(2010, 2021):
        diesel, diesel_out = step(diesel, params, {}, year)
        electric, electric_out = step(electric, params, {"zero_emission_share_new_bus": full(1)}, year)
    assert np.all(electric_out["emissions"]["buses"][..., 0] < 0.6 * diesel_out["emissions"]["buses"][..., 0])
    np.testing.assert_allclose(electric_out["vkm"], diesel_out["vkm"], rtol=1e-12)


def test_pt_service_adds_bus_kilometres():
    state, params = new_state()
    out = tr.account(state, {"pt_service_change": full(0.25)}, params, dims.BASE_YEAR)
    base = tr.account(state, {}, params, dims.BASE_YEAR)
    np.testing.assert_allclose(out["vkm"][..., 3], base["vkm"][..., 3] * 1.25, rtol=1e-12)


# --- fuels -----------------------------------------------------------------------------------

def test_biofuel_lowers_co2_but_not_ch4_or_n2o():
    state, params = new_state()
    base = tr.account(state, {}, params, dims.BASE_YEAR)
    blended = tr.account(state, {"biofuel_share_petrol": full(0.1), "biofuel_share_diesel": full(0.1)},
                         params, dims.BASE_YEAR)
    for source in tr.CLASS_SOURCES:
        assert np.all(blended["emissions"][source][..., 0] < base["emissions"][source][..., 0])
        np.testing.assert_allclose(blended["emissions"][source][..., 1:], base["emissions"][source][..., 1:],
                                   rtol=1e-12)
    # vans burn diesel only: fossil CO2 falls to (1 - b) / (1 - b + b r) = 0.9 / 0.993 of the fossil case
    np.testing.assert_allclose(blended["emissions"]["vans"][..., 0],
                               base["emissions"]["vans"][..., 0] * 0.9 / 0.993, rtol=1e-12)


# --- protocol -------------------------------------------------------------------------------

def test_account_does_not_change_the_state():
    state, params = new_state()
    before = {k: v.copy() for k, v in vars(state).items() if isinstance(v, np.ndarray)}
    tr.account(state, {"biofuel_share_petrol": full(0.2), "pt_service_change": full(0.3)}, params, 2009)
    for name, value in before.items():
        np.testing.assert_array_equal(getattr(state, name), value, err_msg=name)


def test_draws_carry_their_own_parameters():
    params = Params.defaults(D).with_overrides({"transport.trip_rate": np.array([3.0, 4.0])})
    state, _ = new_state(params)
    trips = tr.account(state, {}, params, dims.BASE_YEAR)["trips"].sum(axis=-1)
    np.testing.assert_allclose(trips[1] / trips[0], 4.0 / 3.0)


def test_mode_shares_must_be_positive():
    params = Params.defaults(D)
    with pytest.raises(ValueError):
        tr.init_state(*drivers(), np.array([[0.5, 0.0, 0.3, 0.1, 0.1]] * M), CARS_PER_CAPITA, POWERTRAINS, params)
