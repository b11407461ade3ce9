"""Other sectors: plant-register sums, per-capita medians, gas profiles and exogenous growth."""

import numpy as np
import pytest

from framtid.model import dims
from framtid.model.data_store import find
from framtid.model.parameters import Params
from framtid.model.submodels import other_sectors
from framtid.model.submodels.other_sectors import gas_profile, per_capita_medians, plant_sum

M = len(dims.MUNICIPALITIES)
MU = {m: i for i, m in enumerate(dims.MUNICIPALITIES)}
CO2, CH4, N2O, FGAS = range(4)
# Residents on 1 January 2009 (observations.csv, variable "population").
PARAMS = Params.defaults(1)

POP_2009 = np.array([575475, 109700, 90196, 72760, 51723, 34377, 51359, 96330, 128288, 64565, 252051, 173891,
                     66513], dtype=float)


@pytest.fixture(scope="module")
def params():
    return Params.defaults(1)


def test_population_constant_matches_the_observations():
    for m, i in MU.items():
        assert find(m, "population", 2009).value == POP_2009[i], m


# -- plant_sum ----------------------------------------------------------------------------------------

def test_plant_sum_adds_the_2009_reports_of_a_category():
    # Sandnes industry 2009: Fatland 93.7 + Figgjo 1 400 + Sandnes garn 1 375 = 2 868.7 t.
    assert plant_sum("sandnes", "industry") == pytest.approx(2868.7)
    # Tromsø: Cognis 277.2 + Tromsø fiskeindustri 111.689 = 388.889 (the 1990s plants are too old).
    assert plant_sum("tromso", "industry") == pytest.approx(388.889)


def test_plant_sum_window_fills_gaps_of_one_year():
    # Bergen industry 2009: Bergen engines 170.298 + Janusfabrikken 37.1144, plus Corus packaging whose
    # last report is 2008 (227.298, one year off): 434.7104 t.
    assert plant_sum("bergen", "industry") == pytest.approx(170.298 + 37.1144 + 227.298)
    # Without a window Corus drops out.
    assert plant_sum("bergen", "industry", window=0) == pytest.approx(170.298 + 37.1144)


def test_plant_that_reports_only_later_contributes_nothing():
    # Borregaard's incinerator (Sarpsborg) first reports in 2013 (37 500 t).
    assert plant_sum("sarpsborg", "waste_incineration") == 0.0
    assert plant_sum("sarpsborg", "waste_incineration", year=2011) == 0.0
    # Within one year of its first report it counts; with a wider window earlier too.
    assert plant_sum("sarpsborg", "waste_incineration", year=2012) == pytest.approx(37500)
    assert plant_sum("sarpsborg", "waste_incineration", year=2009, window=4) == pytest.approx(37500)
    # Bærum's only industrial plant (Fornebu airport) stopped reporting in 2000.
    assert plant_sum("baerum", "industry") == 0.0


def test_plant_sum_prefers_the_exact_year_then_the_earlier_neighbour():
    # Oslo incineration 2009: both plants report 2009 (68 507 + 50 233), although Haraldrud's
    # 2010 report (46 035) is also in the window.
    assert plant_sum("oslo", "waste_incineration") == pytest.approx(68507 + 50233)
    # 2007: Klemetsrud reports 62 778; Haraldrud has no 2007 report, and 2006 (37 325) and 2008
    # (48 145) are equally near: the earlier is taken, once. 62 778 + 37 325 = 100 103.
    assert plant_sum("oslo", "waste_incineration", year=2007) == pytest.approx(100_103)


def test_plant_sum_of_unknown_category_or_municipality_is_zero():
    assert plant_sum("oslo", "no_such_category") == 0.0
    assert plant_sum("narnia", "industry") == 0.0


# -- per-capita medians ---------------------------------------------------------------------------------

def test_per_capita_medians_by_hand():
    med = per_capita_medians(POP_2009, PARAMS)
    assert set(med) == set(other_sectors.PER_CAPITA_SOURCES)
    # Agriculture 2009 is observed in five municipalities [t CO2e / inhabitant]:
    #   oslo 0 / 575 475 = 0; porsgrunn 2 865 / 34 377 = 0.0833;
    #   fredrikstad 14 000 / 72 760 = 0.1924; skien 16 529 / 51 359 = 0.3218;
    #   sarpsborg 22 000 / 51 723 = 0.4253  -> median fredrikstad's 0.19241.
    # Fredrikstad's series uses SAR weights; with the agriculture profile (AR5 shares CO2 0.02,
    # CH4 0.55, N2O 0.43) the same gases weigh 0.02 + 0.55*21/28 + 0.43*310/265 = 0.93552 of their AR5 CO2e.
    assert med["agriculture"] == pytest.approx(14000 / 72760 / (0.02 + 0.55 * 21 / 28 + 0.43 * 310 / 265))
    # Shipping: skien 451 / 51 359 = 0.0088, oslo 35 964 / 575 475 = 0.0625,
    # porsgrunn 31 350 / 34 377 = 0.912 -> median Oslo's.
    assert med["shipping"] == pytest.approx(35964 / 575475)
    # Aviation: oslo 0, porsgrunn 0, skien 420 / 51 359 -> median 0 (observed zeros count).
    assert med["aviation"] == 0.0
    # F-gases: skien 5 649 / 51 359 = 0.110, oslo 67 583 / 575 475 = 0.1174, porsgrunn 9 304 / 34 377 = 0.271.
    assert med["fgas_products"] == pytest.approx(67583 / 575475)


def test_per_capita_medians_follow_the_population_given():
    med, doubled = per_capita_medians(POP_2009, PARAMS), per_capita_medians(2 * POP_2009, PARAMS)
    for s in other_sectors.PER_CAPITA_SOURCES:
        assert doubled[s] == pytest.approx(med[s] / 2), s


def test_per_capita_median_is_zero_when_no_municipality_observes_the_sector(monkeypatch):
    monkeypatch.setattr(other_sectors, "find", lambda *args, **kw: None)
    assert per_capita_medians(POP_2009, PARAMS) == {s: 0.0 for s in other_sectors.PER_CAPITA_SOURCES}


def test_base_year_estimates():
    est = other_sectors.base_year_co2e(POP_2009, PARAMS)
    assert set(est) == set(other_sectors.SOURCES)
    # Per-capita sources: population x median. Oslo shipping = 575 475 x 35 964 / 575 475 = 35 964.
    assert est["shipping"][MU["oslo"]] == pytest.approx(35964)
    # Bergen agriculture = 252 051 x Fredrikstad's 14 000 / 72 760, re-weighted from SAR to AR5
    # (factor 1 / 0.93552, see test_per_capita_medians_by_hand) = 51 841.
    assert est["agriculture"][MU["bergen"]] == pytest.approx(
        252051 * 14000 / 72760 / (0.02 + 0.55 * 21 / 28 + 0.43 * 310 / 265))
    # Industry from the register.
    assert est["industry"][MU["sandnes"]] == pytest.approx(2868.7)
    assert est["industry"][MU["baerum"]] == 0.0
    for s in other_sectors.SOURCES:
        assert est[s].shape == (M,), s


# -- gas profiles -----------------------------------------------------------------------------------------

GWP_AR5 = np.array([1.0, 28.0, 265.0, 1.0])
GWP_AR4 = np.array([1.0, 25.0, 298.0, 1.0])
PROFILED = other_sectors.SOURCES + ("waste_incineration", "district_heating_fuels")


@pytest.mark.parametrize("source", PROFILED)
def test_gas_profile_weighs_back_to_one_t_co2e_with_ar5(source, params):
    prof = gas_profile(params, source)
    assert prof.shape == (1, len(dims.GASES))
    assert np.all(prof >= 0)
    # The published shares sum to 1 up to rounding in the 6th digit.
    assert prof[0] @ GWP_AR5 == pytest.approx(1.0, abs=1e-6)


def test_agriculture_profile_by_hand(params):
    # Shares of AR5 CO2e: CO2 0.02, CH4 0.55, N2O 0.43. Masses per t CO2e:
    #   CO2 0.02; CH4 0.55 / 28 = 0.019643; N2O 0.43 / 265 = 0.0016226.
    prof = gas_profile(params, "agriculture")[0]
    assert prof == pytest.approx([0.02, 0.55 / 28, 0.43 / 265, 0.0])
    # Weighed with AR4 instead: 0.02 + 0.55 * 25/28 + 0.43 * 298/265 = 0.994619.
    assert prof @ GWP_AR4 == pytest.approx(0.02 + 0.55 * 25 / 28 + 0.43 * 298 / 265)
    assert prof @ GWP_AR4 == pytest.approx(0.994619, abs=1e-6)


def test_fgas_and_shipping_profiles(params):
    assert gas_profile(params, "fgas_products")[0].tolist() == [0.0, 0.0, 0.0, 1.0]
    assert gas_profile(params, "shipping")[0].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_gas_profile_uses_each_draws_gwp():
    p = Params.defaults(2).with_overrides({"accounting.gwp.ar5.ch4": np.array([28.0, 14.0])})
    prof = gas_profile(p, "agriculture")
    assert prof.shape == (2, 4)
    assert prof[:, CH4] == pytest.approx([0.55 / 28, 0.55 / 14])
    assert prof[:, N2O] == pytest.approx([0.43 / 265] * 2)


# -- state and growth ----------------------------------------------------------------------------------

def test_init_state_without_levels_uses_the_estimates(params):
    state = other_sectors.init_state(POP_2009, params)
    est = other_sectors.base_year_co2e(POP_2009, PARAMS)
    for s in other_sectors.SOURCES:
        assert state.base[s].shape == (1, M, len(dims.GASES)), s
        assert state.base[s][0] @ GWP_AR5 == pytest.approx(est[s], rel=1e-5), s


def test_init_state_keeps_given_levels(params):
    lv = {s: np.full((1, M, 4), float(i + 1)) for i, s in enumerate(other_sectors.SOURCES)}
    state = other_sectors.init_state(POP_2009, params, lv)
    for i, s in enumerate(other_sectors.SOURCES):
        assert np.all(state.base[s] == i + 1), s
    lv["industry"][:] = -1.0
    assert np.all(state.base["industry"] == 1.0)    # copied, not aliased


def test_account_holds_2009_by_default(params):
    state = other_sectors.init_state(POP_2009, params)
    for year in (2009, 2030, 2050):
        out = other_sectors.account(state, params, year)["emissions"]
        assert set(out) == set(other_sectors.SOURCES)
        for s in other_sectors.SOURCES:
            assert np.array_equal(out[s], state.base[s]), (year, s)


def test_account_grows_each_source_at_its_own_rate():
    p = Params.defaults(1, {"other_sectors.annual_change.industry": -0.03,
                            "other_sectors.annual_change.shipping": 0.02})
    state = other_sectors.init_state(POP_2009, p)
    out = other_sectors.account(state, p, 2019)["emissions"]
    # Industry: (1 - 0.03)^10 = 0.737424; shipping: 1.02^10 = 1.218994.
    assert out["industry"] == pytest.approx(state.base["industry"] * 0.97 ** 10)
    assert 0.97 ** 10 == pytest.approx(0.737424, abs=1e-6)
    assert out["shipping"] == pytest.approx(state.base["shipping"] * 1.218994, rel=1e-6)
    assert out["agriculture"] == pytest.approx(state.base["agriculture"])
    # 2009 is the base whatever the rate.
    assert other_sectors.account(state, p, 2009)["emissions"]["industry"] == pytest.approx(state.base["industry"])
    # Sandnes industry 2050: 2 868.7 t x 0.97^41 = 2 868.7 x 0.286841 = 822.9 t CO2e (AR5).
    e2050 = other_sectors.account(state, p, 2050)["emissions"]["industry"][0, MU["sandnes"]]
    assert e2050 @ GWP_AR5 == pytest.approx(2868.7 * 0.97 ** 41, rel=1e-5)


def test_account_growth_per_draw():
    p = Params.defaults(2, {"other_sectors.annual_change.aviation": np.array([0.01, -0.02])})
    lv = {s: np.ones((2, M, 4)) for s in other_sectors.SOURCES}
    state = other_sectors.init_state(POP_2009, p, lv)
    out = other_sectors.account(state, p, 2011)["emissions"]["aviation"]
    # 1.01^2 = 1.0201; 0.98^2 = 0.9604.
    assert out[0] == pytest.approx(np.full((M, 4), 1.0201))
    assert out[1] == pytest.approx(np.full((M, 4), 0.9604))
