import numpy as np
import pytest

from framtid.model.submodels.population import (
    apply_anchors,
    converging_growth_index,
    log_interpolate,
    project_population,
    recent_growth,
)

YEARS = np.arange(2009, 2051)
OBS_YEARS = np.array([2009, 2020, 2022])
# Oslo, Bergen and Skien on 1 January (2020 borders), observations.csv.
OBS = np.array([[575475.0, 693494.0, 699827.0],
                [252051.0, 283929.0, 286930.0],
                [51359.0, 54942.0, 55513.0]])


def project(long_run=(0.004,), conv=(15.0,), obs_years=OBS_YEARS, obs=OBS, years=YEARS):
    return project_population(obs_years, obs, years, np.array(long_run), np.array(conv))


def test_shape_is_draw_municipality_year():
    assert project(long_run=(0.0, 0.004), conv=(10.0, 20.0)).shape == (2, 3, YEARS.size)


def test_observed_years_are_reproduced_exactly():
    path = project(long_run=(0.0, 0.01), conv=(5.0, 20.0))
    for k, year in enumerate(OBS_YEARS):
        np.testing.assert_array_equal(path[:, :, year - 2009], np.broadcast_to(OBS[:, k], (2, 3)))


def test_log_linear_between_observations():
    # 100 in 2009 and 121 in 2011: constant 10 %/yr, so 110 in 2010.
    path = project(obs_years=np.array([2009, 2011]), obs=np.array([[100.0, 121.0]]),
                   years=np.array([2009, 2010, 2011]))
    np.testing.assert_allclose(path[0, 0], [100.0, 110.0, 121.0], rtol=1e-12)


def test_interpolated_growth_is_constant_within_an_interval():
    path = project()[0]
    ratios = path[:, 1:12] / path[:, 0:11]          # 2010/2009 ... 2020/2019
    expected = (OBS[:, 1] / OBS[:, 0]) ** (1 / 11)
    np.testing.assert_allclose(ratios, np.broadcast_to(expected[:, None], ratios.shape), rtol=1e-12)


def test_growth_rate_moves_linearly_to_long_run_hand_computed():
    # Observed 100 (2009) and 110 (2010): recent rate 10 %/yr. Long run 0, C = 2 years:
    # 2011 rate = 0.10 + (0 - 0.10) * 1/2 = 0.05 -> 115.5; from 2012 the rate is 0 -> 115.5.
    path = project(long_run=(0.0,), conv=(2.0,), obs_years=np.array([2009, 2010]),
                   obs=np.array([[100.0, 110.0]]), years=np.arange(2009, 2015))
    np.testing.assert_allclose(path[0, 0], [100.0, 110.0, 115.5, 115.5, 115.5, 115.5], rtol=1e-12)


def test_recent_growth_is_cagr_of_last_two_observations():
    # Oslo 2020-2022: (699827 / 693494) ** 0.5 - 1 = 0.0045555...
    assert recent_growth(OBS_YEARS, OBS)[0] == pytest.approx(0.0045555, abs=1e-6)


def test_converges_to_long_run_growth_per_draw():
    long_run, conv = np.array([0.0, 0.006]), np.array([10.0, 10.0])
    path = project(long_run=long_run, conv=conv)
    after = YEARS >= 2022 + 10
    ratio = path[:, :, after][:, :, 1:] / path[:, :, after][:, :, :-1]
    np.testing.assert_allclose(ratio, np.broadcast_to((1 + long_run)[:, None, None], ratio.shape), rtol=1e-12)
    # Before convergence the rate still differs from the long-run rate.
    assert path[1, 0, 2023 - 2009] / path[1, 0, 2022 - 2009] != pytest.approx(1.006, abs=1e-6)


def test_zero_convergence_years_switches_at_once():
    index = converging_growth_index(np.array([0.02]), np.array([0.01]), np.array([0.0]), np.array([0, 1, 2]))
    np.testing.assert_allclose(index[0, 0], [1.0, 1.01, 1.01 ** 2], rtol=1e-12)


def test_single_observation_grows_at_long_run_rate():
    path = project(long_run=(0.01,), obs_years=np.array([2009]), obs=np.array([[1000.0]]),
                   years=np.array([2009, 2010, 2011]))
    np.testing.assert_allclose(path[0, 0], [1000.0, 1010.0, 1020.1], rtol=1e-12)


def test_projection_cannot_start_before_first_observation():
    with pytest.raises(ValueError, match="before the first observation"):
        project(years=np.arange(2008, 2051))


def test_observation_years_must_increase():
    with pytest.raises(ValueError, match="increase"):
        project(obs_years=np.array([2009, 2022, 2020]))


def test_observations_must_be_positive():
    bad = OBS.copy()
    bad[1, 1] = 0.0
    with pytest.raises(ValueError, match="positive"):
        project(obs=bad)


def test_log_interpolate_hits_knots_exactly():
    values = np.array([[3.0, 7.0, 11.0]])
    out = log_interpolate(np.array([2000, 2003, 2010]), values, np.array([2000, 2003, 2010]))
    np.testing.assert_array_equal(out, values)


# --- scenario anchors --------------------------------------------------------------------

def test_anchors_are_honoured_and_interpolated_hand_computed():
    # Default path: 100 in 2022, then +1 %/yr. Anchor 121 in 2024:
    # 2023 = 100 * (121/100) ** 0.5 = 110; after 2024 the default growth (+1 %) continues.
    years = np.arange(2020, 2028)
    default = 100.0 * 1.01 ** (years - 2022.0)
    path = np.broadcast_to(default, (2, 1, years.size)).copy()
    out = apply_anchors(path, years, 2022, {0: {2024: 121.0}})
    np.testing.assert_array_equal(out[:, 0, :3], path[:, 0, :3])       # 2020-2022 untouched
    np.testing.assert_allclose(out[:, 0, 3], 110.0, rtol=1e-12)         # 2023
    np.testing.assert_array_equal(out[:, 0, 4], 121.0)                  # 2024 exactly
    np.testing.assert_allclose(out[:, 0, 5:], np.tile(121.0 * 1.01 ** np.arange(1, 4), (2, 1)), rtol=1e-12)


def test_two_anchors_and_untouched_municipalities():
    path = project(long_run=(0.0, 0.005), conv=(10.0, 10.0))
    out = apply_anchors(path, YEARS, 2022, {1: {2030: 300000.0, 2040: 330000.0}})
    np.testing.assert_array_equal(out[:, [0, 2]], path[:, [0, 2]])
    np.testing.assert_array_equal(out[:, 1, YEARS == 2030], 300000.0)
    np.testing.assert_array_equal(out[:, 1, YEARS == 2040], 330000.0)
    # Between the anchors the growth rate is constant: (330000/300000) ** (1/10).
    seg = out[:, 1, (YEARS >= 2030) & (YEARS <= 2040)]
    np.testing.assert_allclose(seg[:, 1:] / seg[:, :-1], 1.1 ** 0.1, rtol=1e-12)
    # After the last anchor the default growth rates are kept, draw by draw.
    tail = YEARS >= 2040
    np.testing.assert_allclose(out[:, 1, tail] / out[:, 1, YEARS == 2040],
                               path[:, 1, tail] / path[:, 1, YEARS == 2040], rtol=1e-12)
    assert path is not out and not np.shares_memory(path, out)


def test_anchor_at_or_before_last_observation_is_rejected():
    path = project()
    for year in (2022, 2015):
        with pytest.raises(ValueError, match="at or before the last observed year 2022"):
            apply_anchors(path, YEARS, 2022, {0: {year: 700000.0, 2030: 750000.0}})


def test_anchor_outside_years_bad_value_or_municipality_is_rejected():
    path = project()
    with pytest.raises(ValueError, match="outside the projection years"):
        apply_anchors(path, YEARS, 2022, {0: {2060: 800000.0}})
    with pytest.raises(ValueError, match="positive"):
        apply_anchors(path, YEARS, 2022, {0: {2030: -1.0}})
    with pytest.raises(ValueError, match="municipality index 5"):
        apply_anchors(path, YEARS, 2022, {5: {2030: 1.0}})


def test_no_anchors_returns_the_default_path():
    path = project()
    np.testing.assert_array_equal(apply_anchors(path, YEARS, 2022, {}), path)
