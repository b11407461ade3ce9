"""The building code's ban on heating installations for fossil fuel in new buildings (TEK10 § 14-7 (1) from 2016,
TEK17 § 14-4 (1)): the share of the new floor area built under it chooses no gas boiler.

Hand-computed mixtures for :func:`heating_shares.new_build_choice`, the buildings submodel with only new construction
moving the mix, and whole runs of current-policies with and without the ban.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
import pytest

from framtid.model import api, dims
from framtid.model.measures import KINDS
from framtid.model.parameters import Params
from framtid.model.scenario import load
from framtid.model.submodels import buildings, heating, heating_shares

M = len(dims.MUNICIPALITIES)
SYSTEM = {s: i for i, s in enumerate(dims.HEATING_SYSTEMS)}
GAS = SYSTEM["gas_boiler"]
POP_2009 = np.array([[575475, 109700, 90196, 72760, 51723, 34377, 51359, 96330, 128288, 64565,
                      252051, 173891, 66513]], float)
HDD_NORMAL = np.array([4052, 4074, 4021, 3658, 3904, 3740, 3794, 3480, 3452, 3405, 3687, 4245, 5055], float)
APARTMENTS = np.full((1, M), 0.45)
LPG = np.full(M, 0.4)
YEAR = {y: k for k, y in enumerate(dims.YEARS)}
KIND = "new_build_fossil_heating_ban"


def test_the_kind_is_declared_national_costed_and_sets_its_lever():
    kind = KINDS[KIND]
    assert kind.area == "buildings_energy" and "14-4" in kind.source and "14-7" in kind.source
    assert [f.name for f in kind.fields] == ["compliance"] and kind.fields[0].default == 1.0
    assert set(kind.levers()) == {KIND}
    assert kind.costs.costed
    from framtid.model.adoption import NATIONAL_KINDS
    assert KIND in NATIONAL_KINDS                     # the state's building code, not a council's decision


# Utilities (direct electric, heat pump, district heating, oil, paraffin, gas, wood) of two cells.
UTILITY = np.array([[0.0, 1.0, -1.0, 2.0, 0.5, 0.3, -0.5],
                    [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2]])


def test_the_new_build_choice_at_half_is_the_half_half_mixture_of_two_logits_by_hand():
    e = np.exp(UTILITY)
    # every system but oil and paraffin: exp(u_h) / (e_de + e_hp + e_dh + e_gas + e_wood)
    free = e * np.array([1, 1, 1, 0, 0, 1, 1]) / (e[:, [0, 1, 2, 5, 6]].sum(axis=1, keepdims=True))
    # no fossil fuel: the gas boiler out as well
    clean = e * np.array([1, 1, 1, 0, 0, 0, 1]) / (e[:, [0, 1, 2, 6]].sum(axis=1, keepdims=True))
    # first cell: e = (1, 2.71828, 0.36788, -, -, 1.34986, 0.60653), sums 6.04255 and 4.69269; gas 0.22339 -> half
    assert free[0, GAS] == pytest.approx(1.34986 / 6.04255, rel=1e-5)
    out = heating_shares.new_build_choice(UTILITY, np.array([0.5, 0.5]))
    np.testing.assert_allclose(out, 0.5 * free + 0.5 * clean, rtol=1e-12)
    np.testing.assert_allclose(out[0, GAS], 0.5 * 1.34986 / 6.04255, rtol=1e-5)
    # equal utilities: the gas boiler gets half of 1/5, each other system new build may get 0.5/5 + 0.5/4
    np.testing.assert_allclose(out[1], [0.225, 0.225, 0.225, 0.0, 0.0, 0.1, 0.225], rtol=1e-12)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-12)


def test_the_new_build_choice_at_zero_and_one():
    free = heating_shares.logit_of_utility(UTILITY, ~heating.PHASED_OUT)
    np.testing.assert_array_equal(heating_shares.new_build_choice(UTILITY, np.zeros(2)), free)       # to the digit
    np.testing.assert_array_equal(heating_shares.new_build_choice(UTILITY, None), free)
    full = heating_shares.new_build_choice(UTILITY, np.ones(2))
    np.testing.assert_array_equal(full[:, heating.FOSSIL], 0.0)
    np.testing.assert_allclose(full, heating_shares.logit_of_utility(UTILITY, ~heating.FOSSIL), rtol=1e-12)
    # per cell: no ban in the first, the full ban in the second
    mixed = heating_shares.new_build_choice(UTILITY, np.array([0.0, 1.0]))
    np.testing.assert_array_equal(mixed[0], free[0])
    assert mixed[1, GAS] == 0.0


def _only_new_build() -> Params:
    """No demolition, no end-of-life replacement, no review of oil heating: only new construction moves the mix."""
    overrides = {f"buildings.demolition.earliest_age.{t}": 1000.0 for t in dims.BUILDING_TYPES}
    overrides.update({f"buildings.lifetime.{s}": 1e12 for s in dims.HEATING_SYSTEMS})
    overrides["buildings.oil_review_rate"] = 0.0
    return Params.defaults(1, overrides)


def _grow(params, ban: float | None, years=range(2010, 2031)):
    state = buildings.init_state(POP_2009, APARTMENTS, HDD_NORMAL, LPG, params)
    states = {}
    for year in years:
        levers = {} if ban is None or year < 2016 else {KIND: np.full((1, M), ban)}
        population = POP_2009 * (1.0 + 0.02 * (year - 2009))                     # 2 % of 2009 a year
        state = buildings.advance(state, population, APARTMENTS, levers, params, year)
        states[year] = state
    return states


def _gas_area(state) -> np.ndarray:
    return state.system_share[..., GAS] * state.area.sum(-1)                    # (D, M, T) [m2]


def test_at_one_the_area_built_gets_no_gas_boiler():
    params = _only_new_build()
    banned, free = _grow(params, 1.0), _grow(params, None)
    # without the ban, new build adds gas boilers every year
    assert np.all(_gas_area(free[2016]) > _gas_area(free[2015]))
    # with it, the gas-boiler area stays at 2015's: none of the area built from 2016 gets one
    np.testing.assert_array_equal(_gas_area(banned[2015]), _gas_area(free[2015]))
    for year in (2016, 2020, 2030):
        np.testing.assert_allclose(_gas_area(banned[year]), _gas_area(banned[2015]), rtol=1e-9)
    # so its share of the stock falls as the stock grows
    assert np.all(banned[2030].system_share[..., GAS] < banned[2015].system_share[..., GAS])
    np.testing.assert_allclose(banned[2030].system_share.sum(-1), 1.0, rtol=1e-12)


def test_at_half_the_new_area_takes_the_mixture():
    params = _only_new_build()
    states = {b: _grow(params, b, range(2010, 2017))[2016] for b in (0.5, 1.0, None)}
    # the gas area added in 2016 at 0.5 is half of what the free choice adds (the clean logit adds none)
    before = _grow(params, None, range(2010, 2016))[2015]
    added = {b: _gas_area(s) - _gas_area(before) for b, s in states.items()}
    np.testing.assert_allclose(added[0.5], 0.5 * added[None], rtol=1e-9)
    np.testing.assert_allclose(added[1.0], 0.0, atol=1e-6)
    # every system's area is the mixture of the two (the area built is the same)
    area = {b: s.system_share * s.area.sum(-1)[..., None] for b, s in states.items()}
    np.testing.assert_allclose(area[0.5], 0.5 * area[None] + 0.5 * area[1.0], rtol=1e-9)


def test_at_zero_nothing_changes_to_the_digit():
    params = Params.defaults(1)
    zero, none = _grow(params, 0.0), _grow(params, None)
    for year in (2016, 2030):
        np.testing.assert_array_equal(zero[year].system_share, none[year].system_share)
        np.testing.assert_array_equal(zero[year].area, none[year].area)


def test_existing_buildings_keep_and_replace_their_gas_boilers():
    """Nothing built (population held, no demolition): the ban changes nothing, replacement included."""
    overrides = {f"buildings.demolition.earliest_age.{t}": 1000.0 for t in dims.BUILDING_TYPES}
    params = Params.defaults(1, overrides)
    state = buildings.init_state(POP_2009, APARTMENTS, HDD_NORMAL, LPG, params)
    banned, free = state, state
    for year in range(2010, 2021):
        banned = buildings.advance(banned, POP_2009, APARTMENTS, {KIND: np.ones((1, M))}, params, year)
        free = buildings.advance(free, POP_2009, APARTMENTS, {}, params, year)
    np.testing.assert_array_equal(banned.system_share, free.system_share)
    assert np.all(free.system_share[..., GAS] > 0)


# -------------------------------------------------------------------- current-policies with and without

@lru_cache(maxsize=None)
def runs():
    cp = load("framtid:current-policies")
    ours = [m for m in cp.measures if m.kind == KIND]
    assert len(ours) == 1 and ours[0].start_year == 2016 and ours[0].municipalities == tuple(dims.MUNICIPALITIES)
    without = replace(cp, measures=tuple(m for m in cp.measures if m.kind != KIND))
    return api.run_scenario(cp).record, api.run_scenario(without).record


def _co2(record, source: str, year: int) -> float:
    """t CO2 of a source, the 13 together."""
    return float(record["emissions_gas"][YEAR[year], 0, :, dims.SOURCES.index(source), 0].sum())


def test_current_policies_lpg_falls_with_the_ban_and_nothing_moves_before_2016():
    with_ban, without = runs()
    for name, values in with_ban.items():
        np.testing.assert_array_equal(values[:YEAR[2016]], without[name][:YEAR[2016]], err_msg=name)
    for year in (2016, 2020, 2030, 2050):
        assert _co2(with_ban, "heating_lpg", year) < _co2(without, "heating_lpg", year), year
    # the gas-boiler share of the 13's stock stops rising from new build: it falls from 2015 on
    share = {}
    for name, record in (("with", with_ban), ("without", without)):
        area = record["floor_area"][:, 0]                                                    # (Y, M, T)
        gas = (record["heating_system_share"][:, 0, ..., GAS] * area).sum(axis=(1, 2)) / area.sum(axis=(1, 2))
        share[name] = gas
    assert share["without"][YEAR[2016]] > share["without"][YEAR[2015]]
    assert share["with"][YEAR[2016]] < share["with"][YEAR[2015]]
