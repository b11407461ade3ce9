"""Tests of the first-order-decay landfill model (IPCC 2006 Vol 5 ch. 3)."""

import numpy as np
import pytest

from framtid.model.submodels import landfill

LN2 = np.log(2.0)  # k = ln 2 halves the stock each year, which keeps the hand arithmetic exact


def test_fod_three_years_by_hand():
    # One fraction, 1000 t food landfilled in year 1 only, DOC 0.15, DOCf 0.5, MCF 1:
    # DDOCm_d = 1000 * 0.15 * 0.5 * 1 = 75 t C.
    deposit = landfill.ddocm_deposited(np.array([1000.0, 0.0, 0.0]), 0.15, 0.5, 1.0)
    assert deposit == pytest.approx([75.0, 0.0, 0.0])
    pool, decomposed = np.zeros(1), []
    for d in deposit:
        pool, dec = landfill.fod_step(pool, np.array([d]), LN2)
        decomposed.append(dec[0])
    # Year 1: nothing decays in the deposit year; stock 75.
    # Year 2: 75 * (1 - 1/2) = 37.5 decays; stock 37.5.
    # Year 3: 37.5 * 1/2 = 18.75 decays; stock 18.75.
    assert decomposed == pytest.approx([0.0, 37.5, 18.75])
    assert pool[0] == pytest.approx(18.75)
    # CH4 in year 2: 37.5 t C * F 0.5 * 16/12 = 25 t CH4; with 20 % recovered and OX 0.1:
    # (25 - 5) * 0.9 = 18 t CH4.
    generated = landfill.methane_generated(np.array(decomposed), 0.5)
    assert generated == pytest.approx([0.0, 25.0, 12.5])
    assert landfill.methane_emitted(generated[1], 0.2 * generated[1], 0.1) == pytest.approx(18.0)


def test_fod_with_realistic_rate():
    # k = 0.185 (food): exp(-0.185) = 0.831104; deposits 10 each year.
    k = 0.185
    r = np.exp(-k)
    pool = np.zeros(1)
    pools = []
    for _ in range(3):
        pool, dec = landfill.fod_step(pool, np.array([10.0]), k)
        pools.append(pool[0])
    # 10, 10 + 10 r, 10 + 10 r + 10 r^2
    assert pools == pytest.approx([10.0, 10.0 + 10.0 * r, 10.0 * (1 + r + r * r)])
    assert dec[0] == pytest.approx(pools[1] * (1 - r))


def test_decay_conserves_carbon():
    # Every tonne deposited is either still in the stock or has decomposed.
    rng = np.random.default_rng(1)
    deposits = rng.uniform(0, 100, size=(30, 2, 3))
    k = np.array([0.185, 0.06, 0.03])
    pool, decomposed = np.zeros((2, 3)), np.zeros((2, 3))
    for d in deposits:
        pool, dec = landfill.fod_step(pool, d, k)
        decomposed += dec
    assert pool + decomposed == pytest.approx(deposits.sum(axis=0))


def _constant_history(d, k, first_year, base_year=2009):
    """Pre-run of one municipality, one fraction, with constant deposits ``d`` [t C/yr]."""
    one = np.ones(1)
    # Population 1, 1 t/cap, composition 1, landfill share 0.5 in 2009 and before,
    # DDOCm per tonne 2 d: deposit = 1 * 1 * 1 * 0.5 * 2 d = d every year.
    return landfill.legacy_pool(
        population_base=np.ones((1, 1)), waste_per_capita_base=np.ones((1, 1)), composition=np.ones((1, 1)),
        base_fraction_share=np.full((1, 1, 1), 0.5), ddocm_per_t=np.array([[2.0 * d]]), k=np.array([[k]]),
        population_growth=0.0 * one, waste_growth=0.0 * one, share_early=0.5 * one,
        decline_start=np.array([1990.0]), first_year=first_year, base_year=base_year)


def test_prerun_reaches_analytical_steady_state():
    # After many years of constant deposits the stock is d / (1 - exp(-k)) and the
    # yearly decomposition equals the deposit.
    d, k = 40.0, 0.185
    pool = _constant_history(d, k, first_year=2009 - 400)
    assert pool[0, 0, 0] == pytest.approx(landfill.steady_state_pool(d, k), rel=1e-12)
    _, dec = landfill.fod_step(pool, 0.0, k)
    assert dec[0, 0, 0] == pytest.approx(d, rel=1e-12)


def test_prerun_from_1960_matches_finite_geometric_sum():
    # 49 deposits (1960..2008) of d: stock = d (1 - exp(-49 k)) / (1 - exp(-k)).
    d, k = 40.0, 0.03
    pool = _constant_history(d, k, first_year=1960)
    expected = d * (1 - np.exp(-49 * k)) / (1 - np.exp(-k))
    assert pool[0, 0, 0] == pytest.approx(expected, rel=1e-12)
    assert pool[0, 0, 0] < landfill.steady_state_pool(d, k)


def test_historic_landfill_share_path():
    years = np.array([1960, 1990, 1999.5, 2008])
    share = landfill.historic_landfill_share(years, np.array([0.9]), np.array([1990.0]),
                                             np.array([[0.24]]), base_year=2009)
    # Constant 0.9 up to 1990; halfway to 2009 (1999.5): 0.9 + (0.24 - 0.9) * 0.5 = 0.57;
    # 2008: 0.9 - 0.66 * 18/19.
    assert share[:, 0, 0] == pytest.approx([0.9, 0.9, 0.57, 0.9 - 0.66 * 18 / 19])


def test_fraction_landfill_share_is_consistent_with_the_total():
    composition = np.array([[0.3, 0.5, 0.2]])
    base = np.array([[[0.6, 0.1, 0.3]]])
    base_total = np.einsum("df,dmf->dm", composition, base)  # 0.18 + 0.05 + 0.06 = 0.29
    for total in (0.29, 0.5, 0.8, 1.0):
        by_fraction = landfill.fraction_landfill_share(np.array([[total]]), base, base_total)
        assert np.einsum("df,dmf->dm", composition, by_fraction)[0, 0] == pytest.approx(total)
        assert np.all((by_fraction >= 0) & (by_fraction <= 1))
    assert landfill.fraction_landfill_share(base_total, base, base_total) == pytest.approx(base)
    # Nothing kept out of landfill in the base year: everything landfilled, no division by zero.
    all_in = landfill.fraction_landfill_share(np.array([[0.7]]), np.ones((1, 1, 3)), np.ones((1, 1)))
    assert all_in == pytest.approx(np.ones((1, 1, 3)))


def test_legacy_pool_grows_with_history_assumptions():
    args = dict(population_base=np.full((1, 2), 1e5), waste_per_capita_base=np.full((1, 2), 0.4),
                composition=np.array([[0.5, 0.5]]), base_fraction_share=np.array([[[0.2, 0.3], [0.2, 0.3]]]),
                ddocm_per_t=np.array([[0.075, 0.2]]), k=np.array([[0.185, 0.06]]),
                population_growth=np.array([0.005]), waste_growth=np.array([0.018]),
                share_early=np.array([0.9]), decline_start=np.array([1990.0]), first_year=1960, base_year=2009)
    base = landfill.legacy_pool(**args)
    # Less landfilling in the past, or faster growth towards 2009 (smaller past volumes),
    # both leave a smaller legacy stock.
    assert np.all(landfill.legacy_pool(**{**args, "share_early": np.array([0.5])}) < base)
    assert np.all(landfill.legacy_pool(**{**args, "waste_growth": np.array([0.03])}) < base)
    # Shrinking population in the past means more people then, a larger stock.
    assert np.all(landfill.legacy_pool(**{**args, "population_growth": np.array([-0.005])}) > base)
