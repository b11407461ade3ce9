import numpy as np
import pytest

from framtid.model import dims
from framtid.model.parameters import Params
from framtid.model.submodels import land_use
from framtid.model.submodels.land_use import (
    account,
    advance,
    allocate_growth,
    apartment_share,
    init_state,
    trip_length_factor,
    zone_sealed_fraction,
)

Z = len(dims.ZONES)
TREND = np.array([0.2, 0.3, 0.5])
COMPACT = np.array([0.6, 0.4, 0.0])
# Oslo's assumed zone split (model/data/municipalities.csv) and observed 2009 dwelling mix:
# 222 382 of 304 797 dwellings in blocks of flats (SSB 06265, observations.csv).
OSLO_SHARE = np.array([0.35, 0.45, 0.20])
OSLO_APARTMENTS_2009 = 222382 / 304797


def allocate(growth, d, zone_population=(10.0, 20.0, 30.0)):
    zp = np.array(zone_population)[None, None, :]
    return allocate_growth(zp, np.array([[growth]]), TREND, COMPACT, np.array([[d]]))[0, 0]


# --- allocation ------------------------------------------------------------------------------

def test_positive_growth_trend_allocation():
    # d = 0: 10 more residents split 0.2/0.3/0.5 -> [10+2, 20+3, 30+5].
    np.testing.assert_allclose(allocate(10.0, 0.0), [12.0, 23.0, 35.0])


def test_positive_growth_compact_allocation():
    # d = 1: split 0.6/0.4/0 -> [10+6, 20+4, 30+0].
    np.testing.assert_allclose(allocate(10.0, 1.0), [16.0, 24.0, 30.0])


def test_positive_growth_half_densification():
    # d = 0.5: shares 0.5*[0.2,0.3,0.5] + 0.5*[0.6,0.4,0] = [0.4,0.35,0.25] -> [14, 23.5, 32.5].
    np.testing.assert_allclose(allocate(10.0, 0.5), [14.0, 23.5, 32.5])


@pytest.mark.parametrize("d", [0.0, 1.0])
def test_decline_removes_in_proportion_to_zone_population(d):
    # 60 residents lose 6 (10 %) -> every zone keeps 90 %, whatever the lever: [9, 18, 27].
    np.testing.assert_allclose(allocate(-6.0, d), [9.0, 18.0, 27.0])


def test_no_growth_changes_nothing_and_total_loss_cannot_go_negative():
    np.testing.assert_array_equal(allocate(0.0, 0.7), [10.0, 20.0, 30.0])
    np.testing.assert_array_equal(allocate(-60.0, 0.0), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(allocate(-90.0, 0.0), [0.0, 0.0, 0.0])


# --- state over time -------------------------------------------------------------------------

def start(population=((1000.0,),), share=(0.2, 0.5, 0.3), p=None):
    population = np.array(population, dtype=float)
    p = p or Params.defaults(population.shape[0])
    zone_share = np.broadcast_to(np.array(share), population.shape + (Z,))
    return init_state(population, zone_share, p), p


def test_init_state_zone_area_from_base_density():
    # 1000 inhabitants split 200/500/300 at 80/30/12 inhabitants/ha -> 2.5, 16.67, 25 ha.
    state, p = start()
    np.testing.assert_allclose(state.zone_area[0, 0], [200 / 80, 500 / 30, 300 / 12])
    out = account(state, p, 2009)
    np.testing.assert_allclose(out["zone_density"][0, 0], [80.0, 30.0, 12.0])


@pytest.mark.parametrize("share, message", [((0.2, 0.5, 0.2), "sum to 1"), ((0.0, 0.5, 0.5), "positive")])
def test_init_state_rejects_bad_zone_shares(share, message):
    with pytest.raises(ValueError, match=message):
        start(share=share)


def test_advance_keeps_municipal_totals_over_many_years():
    rng = np.random.default_rng(1)
    population = rng.uniform(3e4, 7e5, size=(2, 13))
    state, p = start(population, share=OSLO_SHARE)
    for year in range(2010, 2051):
        population = population * (1 + rng.uniform(-0.01, 0.02, size=population.shape))
        levers = {"densification": rng.uniform(0, 1, size=population.shape)}
        state = advance(state, population, levers, p, year)
        np.testing.assert_allclose(state.zone_population.sum(axis=-1), population, rtol=1e-12)
        assert np.all(state.zone_population > 0)


def test_advance_uses_rescaled_parameter_shares():
    # Trend shares 0.5/0.5/0.5 are rescaled to thirds: 30 new residents -> +10 in each zone.
    p = Params.defaults(1, {f"land_use.growth_share_trend.{z}": 0.5 for z in dims.ZONES})
    state, _ = start(p=p)
    state = advance(state, np.array([[1030.0]]), {}, p, 2010)
    np.testing.assert_allclose(state.zone_growth[0, 0], [10.0, 10.0, 10.0])


def test_absent_lever_equals_neutral_lever():
    state, p = start()
    a = advance(state, np.array([[1100.0]]), {}, p, 2010)
    b = advance(state, np.array([[1100.0]]), {"densification": np.zeros((1, 1))}, p, 2010)
    np.testing.assert_array_equal(a.zone_population, b.zone_population)


def test_lever_acts_per_municipality():
    state, p = start(population=((1000.0, 1000.0),))
    new = advance(state, np.array([[1100.0, 1100.0]]), {"densification": np.array([[0.0, 1.0]])}, p, 2010)
    # Compact growth puts 55 % of the 100 new residents in A, trend 25 %.
    np.testing.assert_allclose(new.zone_growth[0, :, 0], [25.0, 55.0])


def test_account_does_not_change_state():
    state, p = start()
    state = advance(state, np.array([[1200.0]]), {"densification": np.array([[0.5]])}, p, 2010)
    before = {k: v.copy() for k, v in vars(state).items()}
    account(state, p, 2010)
    for key, value in before.items():
        np.testing.assert_array_equal(getattr(state, key), value)


# --- trip length -----------------------------------------------------------------------------

def test_trip_length_factor_hand_computed():
    # Factors 0.8/1/1.2, 2009 shares 0.25/0.5/0.25 -> norm = 0.2 + 0.5 + 0.3 = 1.
    # Zone A twice as dense as in 2009, elasticity -0.1: 0.8 * 2 ** -0.1 = 0.746426.
    f = trip_length_factor(np.array([2.0, 1.0, 1.0]), np.array([0.25, 0.5, 0.25]),
                           np.array([0.8, 1.0, 1.2]), -0.1)
    np.testing.assert_allclose(f, [0.746426, 1.0, 1.2], rtol=1e-6)


def test_trip_length_factor_is_normalised_in_2009():
    # Defaults 0.886/1/1.106 with shares 0.2/0.5/0.3: norm = 0.1772 + 0.5 + 0.3318 = 1.009.
    state, p = start(population=((1000.0, 5e5),), share=(0.2, 0.5, 0.3))
    out = account(state, p, 2009)
    np.testing.assert_allclose(out["trip_length_factor"][0, 0], np.array([0.886, 1.0, 1.106]) / 1.009, rtol=1e-12)
    np.testing.assert_allclose(out["mean_trip_length_factor"], 1.0, rtol=1e-14)


def test_trip_length_normalised_in_2009_for_sampled_draws():
    rng = np.random.default_rng(7)
    p = Params.defaults(50).with_overrides({
        "land_use.trip_length_zone_factor.A": rng.uniform(0.83, 0.94, 50),
        "land_use.trip_length_zone_factor.C": rng.uniform(1.05, 1.16, 50),
        "land_use.elasticity_trip_length_density": rng.uniform(-0.15, -0.05, 50)})
    share = rng.dirichlet(np.ones(Z), size=(50, 13))
    state = init_state(rng.uniform(3e4, 7e5, size=(50, 13)), share, p)
    np.testing.assert_allclose(account(state, p, 2009)["mean_trip_length_factor"], 1.0, rtol=1e-14)


def run(years, growth_rate, densification, p=None, share=OSLO_SHARE):
    population = np.array([[575475.0, 51359.0]])
    state, p = start(population, share=share, p=p)
    for year in range(2010, 2010 + years):
        population = population * (1 + growth_rate)
        state = advance(state, population, {"densification": np.full((1, 2), densification)}, p, year)
    return state, account(state, p, 2010 + years - 1), p


def test_densification_lowers_mean_trip_length():
    _, trend, _ = run(20, 0.01, 0.0)
    _, compact, _ = run(20, 0.01, 1.0)
    assert np.all(compact["mean_trip_length_factor"] < trend["mean_trip_length_factor"])


def test_denser_zones_have_shorter_trips_than_in_2009():
    _, out, _ = run(10, 0.01, 0.0)
    base = np.array([0.886, 1.0, 1.106]) / (OSLO_SHARE @ [0.886, 1.0, 1.106])
    assert np.all(out["trip_length_factor"][0] < base)


def test_no_density_effect_with_zero_elasticity():
    p = Params.defaults(1, {"land_use.elasticity_trip_length_density": 0.0})
    _, out, _ = run(10, 0.01, 0.0, p=p)
    base = np.array([0.886, 1.0, 1.106]) / (OSLO_SHARE @ [0.886, 1.0, 1.106])
    np.testing.assert_allclose(out["trip_length_factor"][0], np.broadcast_to(base, (2, Z)), rtol=1e-12)


# --- dwellings, jobs, sealing ----------------------------------------------------------------

def test_new_dwelling_apartment_share_growth_weighted():
    # 100 new residents, trend 0.25/0.45/0.30 -> growth-weighted 0.97/0.85/0.35:
    # 0.25*0.97 + 0.45*0.85 + 0.30*0.35 = 0.2425 + 0.3825 + 0.105 = 0.73.
    state, p = start()
    state = advance(state, np.array([[1100.0]]), {}, p, 2010)
    assert account(state, p, 2010)["new_dwelling_apartment_share"][0, 0] == pytest.approx(0.73, rel=1e-12)


def test_new_dwelling_apartment_share_falls_back_to_zone_shares():
    # No growth (2009) or decline: zone-share weighted, 0.2*0.97 + 0.5*0.85 + 0.3*0.35 = 0.724.
    state, p = start()
    assert account(state, p, 2009)["new_dwelling_apartment_share"][0, 0] == pytest.approx(0.724, rel=1e-12)
    declined = advance(state, np.array([[900.0]]), {}, p, 2010)
    assert account(declined, p, 2010)["new_dwelling_apartment_share"][0, 0] == pytest.approx(0.724, rel=1e-12)


def test_densification_raises_new_apartment_share():
    _, trend, _ = run(1, 0.01, 0.0)
    _, compact, _ = run(1, 0.01, 1.0)
    assert np.all(compact["new_dwelling_apartment_share"] > trend["new_dwelling_apartment_share"])


def test_stock_apartment_share_close_to_oslo_2009():
    # 0.35*0.95 + 0.45*0.75 + 0.20*0.25 = 0.72 against the observed 0.7296.
    p = Params.defaults(1)
    share = apartment_share(OSLO_SHARE[None, None, :], land_use.zone_vector(p, "land_use.stock_apartment_share"))
    assert share[0, 0] == pytest.approx(0.72, rel=1e-12)
    assert abs(share[0, 0] - OSLO_APARTMENTS_2009) < 0.03


def test_jobs_per_capita():
    # 1000 inhabitants * 0.5 jobs per inhabitant.
    state, p = start()
    assert account(state, p, 2009)["jobs"][0, 0] == pytest.approx(500.0)


def test_zone_sealed_fraction_hand_computed():
    # Twice the 2009 density, 2009 sealed 0.5, elasticity 0.3: 1 - 0.5 * 2 ** -0.3 = 0.593874.
    # Half the 2009 density: sealing is not undone -> 0.5.
    s = zone_sealed_fraction(np.array([2.0, 0.5]), 0.5, 0.3)
    np.testing.assert_allclose(s, [0.593874, 0.5], rtol=1e-6)


def test_sealed_share_area_weighted_in_2009_and_rises_with_growth():
    # Areas 2.5/16.667/25 ha with sealed 0.75/0.45/0.25:
    # (1.875 + 7.5 + 6.25) / 44.1667 = 0.353774.
    state, p = start()
    base = 15.625 / (2.5 + 500 / 30 + 25)
    assert account(state, p, 2009)["sealed_share"][0, 0] == pytest.approx(base, rel=1e-12)
    grown = advance(state, np.array([[1300.0]]), {}, p, 2010)
    shrunk = advance(state, np.array([[700.0]]), {}, p, 2010)
    assert account(grown, p, 2010)["sealed_share"][0, 0] > base
    assert account(shrunk, p, 2010)["sealed_share"][0, 0] == pytest.approx(base, rel=1e-12)


def test_account_output_shapes():
    state, p = start(population=np.full((3, 13), 1e5), p=Params.defaults(3))
    out = account(state, p, 2009)
    for key in ("zone_population", "zone_density", "trip_length_factor", "zone_sealed_share"):
        assert out[key].shape == (3, 13, Z)
    for key in ("mean_trip_length_factor", "new_dwelling_apartment_share", "jobs", "sealed_share"):
        assert out[key].shape == (3, 13)
