"""The faster yearly steps of the smaller submodels give the plain computation's numbers to the last bit:
sums added slice by slice in numpy's order, surfaces stored surface first, work a neutral lever makes a
no-op skipped, parameter-only terms and unchanged treatment shares kept for the run."""

import numpy as np
import pytest

from framtid.model import dims
from framtid.model.parameters import Params
from framtid.model.submodels import adaptation as ad
from framtid.model.submodels import land_use, landfill, other_sectors, waste, waste_generation
from framtid.model.submodels.ordered_sums import sum_in_numpy_order, trailing_sum

RNG = np.random.default_rng(11)


def _wide(shape):
    """Values over many orders of magnitude and both signs, so any change in the order of additions shows."""
    return RNG.standard_normal(shape) * 10.0 ** RNG.integers(-6, 7, shape)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9, 12, 15, 16, 17, 40, 128])
def test_sums_in_numpy_order_equal_numpys_sum(n):
    x = _wide((200, 3, n))
    assert np.array_equal(trailing_sum(x), x.sum(axis=-1))
    assert np.array_equal(sum_in_numpy_order([x[..., i] for i in range(n)]), x.sum(axis=-1))


@pytest.mark.parametrize("n", range(1, 41))
def test_few_sums_taken_by_numpy_are_the_slice_by_slice_sums(n):
    """Small arrays (one draw) take numpy's own sum where the last axis is contiguous; it is the same bits as
    the slice-by-slice sum, whatever the layout of the other axes."""
    for lead in ((1,), (1, 13), (2, 3), (1, 13, 4)):
        x = _wide(lead + (n,))
        f = np.asfortranarray(x)
        strided = np.concatenate([x, x], axis=-1)[..., ::2]
        for arr in (x, f, strided, x[..., ::-1], np.broadcast_to(x[:1], (3,) + x.shape[1:])):
            expected = sum_in_numpy_order([arr[..., i] for i in range(n)])
            assert trailing_sum(arr).tobytes() == expected.tobytes()
        assert trailing_sum(x.astype(np.float32)).tobytes() == x.astype(np.float32).sum(axis=-1).tobytes()


def test_sums_in_numpy_order_refuse_what_they_do_not_reproduce():
    with pytest.raises(ValueError):
        sum_in_numpy_order([np.zeros(2)] * 129)
    with pytest.raises(ValueError):
        sum_in_numpy_order([])
    assert np.array_equal(trailing_sum(np.zeros((2, 0))), np.zeros(2))


def test_zone_surface_sum_is_numpys_sum_whatever_the_layout():
    x = _wide((50, 13, 3, 4))
    surface_first = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, -1, 0)), 0, -1)
    for areas in (x, surface_first):
        assert np.array_equal(ad.zone_surface_sum(ad.by_surface(areas)), x.sum(axis=(-2, -1)))


# -- adaptation: the plain formulas (numpy's reductions on a contiguous (D, M, Z, S) array) ---------------

def _plain_surface_areas(zone_area, sealed_fraction, roof_share, green_roof_share, depaved_share, green_share_min):
    sealed = zone_area * sealed_fraction
    roofs = roof_share * sealed
    paved = (sealed - roofs) * (1.0 - depaved_share[..., None])
    paved = np.minimum(paved, np.maximum(zone_area * (1.0 - green_share_min) - roofs, 0.0))
    green_roofs = green_roof_share[..., None] * roofs
    return np.stack([roofs - green_roofs, green_roofs, paved, zone_area - roofs - paved], axis=-1)


def _plain_design_peak_flow(areas, coefficients, intensity, climate, detention, duration_min):
    weighted = areas * coefficients
    rain = (intensity * climate[:, None])[:, None, None, :] / ad.L_PER_M3
    green = weighted[..., ad.GREEN, None] * rain
    sealed = weighted[..., ad.SEALED].sum(axis=-1)[..., None] * rain
    detained = (detention[..., None] * areas[..., ad.SEALED].sum(axis=-1)
                / (ad.S_PER_MIN * duration_min[:, None, None]))[..., None]
    return (green + np.maximum(sealed - detained, 0.0)).sum(axis=2)


@pytest.mark.parametrize("levers_on", [False, True])
def test_adaptation_indicators_equal_the_plain_formulas(levers_on):
    d, m, z = 6, 13, 3
    zone_area = RNG.uniform(10.0, 3000.0, (d, m, z))
    sealed = RNG.uniform(0.2, 0.95, (d, m, z))
    roof_share = RNG.uniform(0.2, 0.5, (d, 1, z))
    on = RNG.uniform(0.0, 0.6, (d, m)) if levers_on else np.zeros((d, m))
    green_min = RNG.uniform(0.0, 0.7, (d, m, z)) if levers_on else np.zeros((d, m, z))
    detention = RNG.uniform(0.0, 300.0, (d, m)) if levers_on else np.zeros((d, m))
    coefficients = RNG.uniform(0.1, 0.95, (d, 1, 1, 4))
    intensity, climate, duration = RNG.uniform(100, 300, (d, 2)), RNG.uniform(1.0, 1.4, d), RNG.uniform(5, 20, d)

    plain = _plain_surface_areas(zone_area, sealed, roof_share, on, on[::-1], green_min)
    areas = ad.surface_areas(zone_area, sealed, roof_share, on, on[::-1], green_min)
    assert np.array_equal(areas, plain)
    assert np.array_equal(ad.composite_coefficient(areas, coefficients),
                          (plain * coefficients).sum(axis=(-2, -1)) / plain.sum(axis=(-2, -1)))
    precipitation = RNG.uniform(500, 2000, (d, m))
    assert np.array_equal(ad.annual_runoff(areas, coefficients, precipitation),
                          precipitation * ad.M3_PER_HA_MM * (plain * coefficients).sum(axis=(-2, -1)))
    expected = _plain_design_peak_flow(plain, coefficients, intensity, climate, detention, duration)
    assert np.array_equal(ad.design_peak_flow(areas, coefficients, intensity, climate, detention, duration), expected)
    weighted = ad.surface_products(areas, coefficients)
    assert np.array_equal(ad.design_peak_flow(areas, coefficients, intensity, climate, detention, duration,
                                              weighted), expected)


# -- land use -------------------------------------------------------------------------------------------

def test_growth_without_densification_follows_the_plain_formula():
    d, m = 5, 13
    zone_population = RNG.uniform(1e3, 1e5, (d, m, 3))
    growth = RNG.uniform(-2e3, 5e3, (d, m))
    trend, compact = RNG.dirichlet(np.ones(3), d)[:, None, :], RNG.dirichlet(np.ones(3), d)[:, None, :]
    zero = np.zeros((d, m))
    g = growth[..., None]
    plain = zone_population * np.maximum(1.0 + np.minimum(g, 0.0) / zone_population.sum(axis=-1, keepdims=True),
                                         0.0) + np.maximum(g, 0.0) * ((1.0 - zero[..., None]) * trend
                                                                      + zero[..., None] * compact)
    assert np.array_equal(land_use.allocate_growth(zone_population, growth, trend, compact, zero), plain)


# -- waste and landfill -----------------------------------------------------------------------------------

def _waste_state(n_draws=3):
    params = Params.sampled(n_draws, 4, "lhs")
    m = len(dims.MUNICIPALITIES)
    population = RNG.uniform(2e4, 6e5, (n_draws, m))
    per_capita = RNG.uniform(0.3, 0.5, (n_draws, m))
    totals = RNG.dirichlet([3.0, 2.0, 4.0, 1.0], (n_draws, m))
    return waste.init_state(population, per_capita, totals, params), population, params


def test_landfill_shares_are_taken_once_and_step_as_the_fod_step():
    state, _, _ = _waste_state()
    c = state.coef
    assert c.kept is c.kept and np.array_equal(c.kept, np.exp(-c.decay))
    stock, decomposed = landfill.fod_step(state.ddocm_stock, state.ddocm_deposited, c.decay)
    assert np.array_equal(landfill.carried_over(state.ddocm_stock, state.ddocm_deposited, c.kept), stock)
    assert np.array_equal(landfill.decomposing(state.ddocm_stock, c.decomposed), decomposed)


def test_treatment_shares_are_reused_only_while_their_levers_stay():
    state, population, params = _waste_state()
    m = len(dims.MUNICIPALITIES)
    ban = np.full((3, m), 0.5)
    years = [{"landfill_ban": ban}, {"landfill_ban": ban.copy()},
             {"landfill_ban": ban, "food_separation_min": np.full((3, m), 0.4)},
             {"landfill_ban": np.full((3, m), 0.8), "food_separation_min": np.full((3, m), 0.4)}, {}]
    for year, levers in enumerate(years, start=dims.BASE_YEAR + 1):
        before = state
        state = waste.advance(state, population, levers, params, year)
        fresh = waste_generation.treatment_shares_after_levers(state.base_shares, state.composition, levers)
        assert np.array_equal(state.shares, fresh), year
        assert (state.shares is before.shares) == (year == dims.BASE_YEAR + 2), year
        out = waste.account(state, population, levers, params, year)
        assert np.array_equal(out["waste_generated"], out["waste_by_treatment"].sum(axis=-1))
        assert np.array_equal(out["landfill_ddocm_stock"], state.ddocm_stock.sum(axis=-1))


# -- neutral levers ------------------------------------------------------------------------------------------

def test_a_neutral_exogenous_change_is_the_path_itself():
    params = Params.defaults(2)
    m = len(dims.MUNICIPALITIES)
    state = other_sectors.init_state(RNG.uniform(2e4, 6e5, m), params)
    index = other_sectors.path_index(params, 2030)
    out = other_sectors.account(state, params, 2030, {"exogenous_change": np.zeros((2, m, 6))})["emissions"]
    for s in other_sectors.SOURCES:
        assert np.array_equal(out[s], state.base[s] * (index[s] * np.maximum(1.0 + 0.0, 0.0))[..., None])
