"""Other sectors: plant-register sums, per-capita medians, gas profiles, index paths and the lever."""

import runpy
from pathlib import Path

import numpy as np
import pytest

from framtid.model import data_store, dims
from framtid.model.data_store import find
from framtid.model.errors import DataError
from framtid.model.parameters import Params
from framtid.model.submodels import other_sectors
from framtid.model.submodels.other_sectors import gas_profile, per_capita_medians, plant_sum

REPO = Path(__file__).resolve().parent.parent
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


# -- index paths (model/data/sector_paths.csv) ------------------------------------------------------
#
# National inventory by sector, SSB 13931 (AR5, 2024 vintage) in observations.csv [kt CO2e]:
#                        2009     2015     2020     2023
#   industry and mining  11 231   11 717   11 252   10 812
#   aviation, shipping,   6 737    7 470    7 384    7 637    (one group: shipping, other mobile, aviation)
#   fishing, machinery
#   total                52 541   54 417   49 499   46 654
#   residual = total - oil and gas - industry - energy supply - heating - road - the group:
#                         7 426    7 493    7 097    6 747    (agriculture and F-gas products)
# Projections: 2024 44.9 Mt = 44.9/51.3 of 1990 (1990: 51 348 kt in SSB 13931) -> N(2024) = 0.855372;
# NB2023: 2021 (48 927 kt, SSB 08940 2022 vintage, 2009 52 546 kt) -10.5 Mt by 2030, a further -5 Mt by 2035:
# N(2030) = 38.427 / 52.546 = 0.731302, N(2035) = 33.427 / 52.546 = 0.636148; N(2023) = 46 654 / 52 541.
N2023 = 46654 / 52541
N2024 = 44.9 / 51.3 * 51348 / 52541
N2030 = (48.927 - 10.5) / 52.546
N2035 = (48.927 - 15.5) / 52.546
IND_2023 = 10812 / 11231
GROUP_2023 = 7637 / 6737
RESID_2023 = 6747 / 7426
YEAR = {y: i for i, y in enumerate(dims.YEARS)}


def national(source):
    return other_sectors.default_paths().index[source][MU["skien"]]    # Skien has no plant path


def test_every_path_row_is_sourced_and_labelled():
    rows = data_store.sector_paths()
    assert {r.emission_source for r in rows} == set(other_sectors.SOURCES)
    for r in rows:
        assert r.status in ("observed", "derived", "estimated", "assumption") and r.method and r.source, r
    for r in rows:
        segment = "observed" if r.year <= 2023 else "projected" if r.year <= 2035 else "extended"
        assert r.segment == segment, r
        # What is observed nationally is said so; projections and holds say what they are.
        if r.segment == "projected":
            assert r.status == "derived" and "projected" in r.method, r
        if r.segment == "extended":
            assert r.status == "assumption", r
        if not r.municipality and r.segment == "observed" and r.year > 2009:
            assert ("observed nationally" in r.method) or ("interpolated" in r.method), r
    paths = other_sectors.default_paths()
    assert (paths.last_observed, paths.last_projected) == (2023, 2035)
    # Industry's own national series is observed in its years; the group and the residual are derived.
    status = {(r.emission_source, r.year): r.status for r in rows if not r.municipality}
    assert status[("industry", 2015)] == status[("industry", 2023)] == "observed"
    assert status[("industry", 2013)] == "derived"          # interpolated 2009-2015
    assert status[("shipping", 2015)] == status[("agriculture", 2023)] == "derived"


def test_national_paths_by_hand():
    ind, ship, agri = national("industry"), national("shipping"), national("agriculture")
    # 2009 is the calibrated level itself.
    for s in other_sectors.SOURCES:
        assert national(s)[YEAR[2009]] == 1.0
    # Observed segment: 2013 interpolated between 2009 and 2015 (4/6 of the way).
    assert ind[YEAR[2013]] == pytest.approx((11231 + 4 / 6 * (11717 - 11231)) / 11231, rel=1e-9)   # 1.02885
    assert ship[YEAR[2013]] == pytest.approx((6737 + 4 / 6 * (7470 - 6737)) / 6737, rel=1e-9)       # 1.07254
    assert agri[YEAR[2013]] == pytest.approx((7426 + 4 / 6 * (7493 - 7426)) / 7426, rel=1e-9)       # 1.00601
    assert ind[YEAR[2020]] == pytest.approx(11252 / 11231, rel=1e-9)                               # 1.00187
    assert ship[YEAR[2020]] == pytest.approx(7384 / 6737, rel=1e-9)                                # 1.09604
    assert agri[YEAR[2020]] == pytest.approx(7097 / 7426, rel=1e-9)                                # 0.95570
    assert ind[YEAR[2023]] == pytest.approx(IND_2023, rel=1e-9)
    # Projected: the 2023 index times the total's change from 2023.
    assert ind[YEAR[2024]] == pytest.approx(IND_2023 * N2024 / N2023, rel=1e-9)                     # 0.92737
    assert ind[YEAR[2027]] == pytest.approx(IND_2023 * (N2024 + N2030) / 2 / N2023, rel=1e-9)
    assert ind[YEAR[2030]] == pytest.approx(IND_2023 * N2030 / N2023, rel=1e-9)                     # 0.79286
    assert ind[YEAR[2030]] == pytest.approx(0.792856, abs=1e-6)
    assert ship[YEAR[2030]] == pytest.approx(GROUP_2023 * N2030 / N2023, rel=1e-9)                  # 0.93360
    assert agri[YEAR[2030]] == pytest.approx(RESID_2023 * N2030 / N2023, rel=1e-9)                  # 0.74828
    assert ind[YEAR[2035]] == pytest.approx(IND_2023 * N2035 / N2023, rel=1e-9)                     # 0.68969
    # Held after 2035.
    assert ind[YEAR[2050]] == ind[YEAR[2035]]
    assert agri[YEAR[2050]] == pytest.approx(0.65091, abs=1e-5)
    # Members of one published group share its index; agriculture and F-gases share the residual's.
    assert np.array_equal(national("other_mobile"), ship) and np.array_equal(national("aviation"), ship)
    assert np.array_equal(national("fgas_products"), agri)


def test_plant_paths_by_hand():
    paths = other_sectors.default_paths().index["industry"]
    nat = national("industry")
    # Porsgrunn: the plants counted in 2009 (Yara 1 130 930, Norcem 824 871, Eramet 53 258.6, Magnor 12 400,
    # Porsgrunds porselaen 960.0, Renor 492) = 2 022 911.6 t of the inventory's 2 099 750 t: s = 0.963406.
    p09 = plant_sum("porsgrunn", "industry")
    assert p09 == pytest.approx(2022911.6)
    s = p09 / 2099750
    # 2010: Norcem reports 246 125 t (a one-year dip in the register): 1 366 285.152 t of the same plants.
    assert paths[MU["porsgrunn"], YEAR[2010]] == pytest.approx(s * 1366285.152 / p09 + (1 - s) * nat[YEAR[2010]])
    assert paths[MU["porsgrunn"], YEAR[2010]] == pytest.approx(0.6875, abs=1e-4)
    # 2013: the same plants 1 970 812.71 t (Inovyn, first reporting in 2013, is not one of them).
    p13 = 908928.3 + 794081 + 149325.41 + 117885 + 593
    assert paths[MU["porsgrunn"], YEAR[2013]] == pytest.approx(s * p13 / p09 + (1 - s) * nat[YEAR[2013]])
    # After 2013 the plants' 2013 level moves with the national path.
    for year in (2020, 2030, 2050):
        assert paths[MU["porsgrunn"], YEAR[year]] == pytest.approx(
            s * p13 / p09 * nat[YEAR[year]] / nat[YEAR[2013]] + (1 - s) * nat[YEAR[year]]), year
    # Kristiansand's 2009 industry is the plant sum itself (s = 1): Elkem carbon, Glencore, REC solar, Vestas.
    k13 = 14187.5 + 15700 + 26202.48 + 311.0475
    assert paths[MU["kristiansand"], YEAR[2013]] == pytest.approx(k13 / 64438.4648)              # 0.87527
    assert paths[MU["kristiansand"], YEAR[2030]] == pytest.approx(
        k13 / 64438.4648 * nat[YEAR[2030]] / nat[YEAR[2013]])                                     # 0.67451
    # Municipalities without plants (Baerum, Skien) or below 1 kt of them (Bergen 0.4 kt, Tromso 0.4 kt)
    # follow the national path.
    for m in ("baerum", "skien", "bergen", "tromso"):
        assert np.array_equal(paths[MU[m]], nat), m


def test_account_follows_the_paths(params):
    state = other_sectors.init_state(POP_2009, params)
    paths = other_sectors.default_paths().index
    for year in (2009, 2013, 2030, 2050):
        out = other_sectors.account(state, params, year)["emissions"]
        assert set(out) == set(other_sectors.SOURCES)
        for s in other_sectors.SOURCES:
            assert out[s] == pytest.approx(state.base[s] * paths[s][None, :, YEAR[year], None]), (year, s)
    # 2009 is the base, and the sectors move after it (not flat).
    out09 = other_sectors.account(state, params, 2009)["emissions"]
    out30 = other_sectors.account(state, params, 2030)["emissions"]
    for s in other_sectors.SOURCES:
        assert np.array_equal(out09[s], state.base[s]), s
    # Sandnes industry 2030: 2 868.7 t x its plant path.
    e2030 = out30["industry"][0, MU["sandnes"]] @ GWP_AR5
    assert e2030 == pytest.approx(2868.7 * paths["industry"][MU["sandnes"], YEAR[2030]], rel=1e-5)
    assert e2030 < 0.8 * 2868.7


def test_multiplier_and_change_after_projection_by_hand():
    p = Params.defaults(2, {"other_sectors.projection_multiplier.industry": np.array([0.0, 2.0]),
                            "other_sectors.annual_change_after_projection.industry": np.array([0.0, -0.02]),
                            "other_sectors.projection_multiplier.shipping": 0.5})
    lv = {s: np.ones((2, M, 4)) for s in other_sectors.SOURCES}
    state = other_sectors.init_state(POP_2009, p, lv)
    i23, i30, i35 = IND_2023, IND_2023 * N2030 / N2023, IND_2023 * N2035 / N2023
    skien = MU["skien"]

    def ind(year):
        return other_sectors.account(state, p, year)["emissions"]["industry"][:, skien, 0]

    # The observed part is data: no parameter moves it.
    assert ind(2020) == pytest.approx([11252 / 11231] * 2)
    assert ind(2023) == pytest.approx([i23, i23])
    # Multiplier 0 holds the 2023 level; 2 doubles the projected change: 0.962693 + 2 (0.792856 - 0.962693) = 0.623018.
    assert ind(2030) == pytest.approx([i23, i23 + 2 * (i30 - i23)])
    assert ind(2030)[1] == pytest.approx(0.623018, abs=1e-6)
    # After 2035: the 2035 value, then (1 + g)^(t - 2035): 0.98^15 = 0.738569.
    assert ind(2050) == pytest.approx([i23, (i23 + 2 * (i35 - i23)) * 0.98 ** 15])
    # Shipping at half the projected change; other sources untouched by these parameters.
    ship = other_sectors.account(state, p, 2030)["emissions"]["shipping"][:, skien, 0]
    assert ship == pytest.approx([GROUP_2023 * (1 + 0.5 * (N2030 / N2023 - 1))] * 2)
    agri = other_sectors.account(state, p, 2030)["emissions"]["agriculture"][:, skien, 0]
    assert agri == pytest.approx([RESID_2023 * N2030 / N2023] * 2)


def test_lever_exogenous_change_shifts_each_source_on_top_of_the_path(params):
    state = other_sectors.init_state(POP_2009, params)
    lever = np.zeros((1, M, len(other_sectors.SOURCES)))
    axis = other_sectors.LEVER_AXIS
    lever[0, MU["oslo"], axis.index("industry")] = -0.25
    lever[0, MU["porsgrunn"], axis.index("fgas_products")] = 0.1
    lever[0, MU["skien"], axis.index("agriculture")] = -1.0
    plain = other_sectors.account(state, params, 2030)["emissions"]
    neutral = other_sectors.account(state, params, 2030, {"exogenous_change": np.zeros_like(lever)})["emissions"]
    moved = other_sectors.account(state, params, 2030, {"exogenous_change": lever})["emissions"]
    for s in other_sectors.SOURCES:
        assert np.array_equal(neutral[s], plain[s]), s
    assert moved["industry"][0, MU["oslo"]] == pytest.approx(0.75 * plain["industry"][0, MU["oslo"]])
    assert moved["fgas_products"][0, MU["porsgrunn"]] == pytest.approx(1.1 * plain["fgas_products"][0, MU["porsgrunn"]])
    assert np.all(moved["agriculture"][0, MU["skien"]] == 0.0)
    # Everything else as without the lever.
    assert moved["industry"][0, MU["porsgrunn"]] == pytest.approx(plain["industry"][0, MU["porsgrunn"]])
    assert moved["shipping"] == pytest.approx(plain["shipping"])
    assert axis == other_sectors.SOURCES


def test_bad_path_files_are_rejected(data_in_tmp):
    header = "emission_source,municipality,year,index,status,segment,method,source\n"
    good = [f"{s},,{y},1,observed,{'observed' if y <= 2023 else 'projected' if y <= 2035 else 'extended'},m,s\n"
            for s in other_sectors.SOURCES for y in dims.YEARS]
    cases = [
        (header + "industry,,2009,1,guessed,observed,m,s\n", "column 'status' must be one of"),
        (header + "industry,,2009,-1,observed,observed,m,s\n", "column 'index' must be >= 0"),
        (header + "industry,narnia,2009,1,observed,observed,m,s\n", "unknown municipality 'narnia'"),
        (header + "industry,,2009,1,observed,observed,,s\n", "every row needs a method and a source"),
        (header + "".join(good[1:]), r"industry: needs one row for each year 2009-2050 \(missing: 2009\)"),
        (header + "".join(good) + good[5], r"industry: needs one row for each year 2009-2050 \(given twice: 2014\)"),
        (header + "".join(good).replace("industry,,2009,1,", "industry,,2009,1.1,"), "must be 1 in 2009"),
        (header + "".join(good) + "coal,,2009,1,observed,observed,m,s\n", "unknown emission source 'coal'"),
    ]
    for text, words in cases:
        (data_in_tmp(data_store.sector_paths, other_sectors.default_paths) / "sector_paths.csv").write_text(text)
        with pytest.raises(DataError, match=words):
            other_sectors.default_paths()


def test_tool_reproduces_the_embedded_paths(tmp_path, monkeypatch, shared_data):
    """model/data/sector_paths.csv is what tools/build_sector_paths.py writes from the reference data."""
    shared = shared_data
    monkeypatch.syspath_prepend(str(REPO / "tools"))
    tool = runpy.run_path(str(REPO / "tools" / "build_sector_paths.py"))
    rows, paths, last_obs, last_proj = tool["national_paths"](shared)
    rows += tool["plant_rows"](shared, paths["industry"], last_obs, last_proj)
    out = tmp_path / "sector_paths.csv"
    tool["write"](out, rows, tool["COLUMNS"])
    assert out.read_bytes() == data_store.data_path("sector_paths.csv").read_bytes()


def test_the_data_build_knows_the_sectors_the_model_back_casts():
    """tools/build_data.py marks a later inventory value of the sectors the model back-casts along their path
    (``PER_CAPITA_SOURCES``) as no test: the two lists are one."""
    tool = runpy.run_path(str(REPO / "tools" / "build_data.py"))
    assert tuple(tool["PATH_SECTORS"]) == tuple(dims.SOURCE_SECTOR[s] for s in other_sectors.PER_CAPITA_SOURCES)


def test_a_back_cast_takes_the_earliest_later_year_within_the_observed_path(monkeypatch):
    """By hand, on a path of index 1 + 0.1 per year to 2023: shipping given for 2012 (1 300 t) and 2015 takes 2012,
    1 300 / 1.3 = 1 000 t; a value after the observed segment (agriculture 2030) gives none, nor a sector with a
    2009 value of its own as source (other mobile), nor an index of 0 (aviation); the others' values are not
    looked at."""
    from framtid.model.data_store import Observation
    from framtid.model.submodels.other_sectors import BACKCAST, Paths, backcast_2009

    def obs(muni, variable, year, value):
        return Observation(muni, variable, year, value, "t CO2e", "ar5", "high", "test", "")

    rows = [obs("bergen", "emissions.sector.shipping", 2015, 2000.0),
            obs("bergen", "emissions.sector.shipping", 2012, 1300.0),
            obs("bergen", "emissions.sector.agriculture", 2030, 500.0),
            obs("bergen", "emissions.sector.other_mobile", 2015, 700.0),
            obs("bergen", "emissions.source.other_mobile", 2009, 600.0),
            obs("bergen", "emissions.sector.aviation", 2015, 5.0),
            obs("oslo", "emissions.sector.fgas_products", 2015, 9.0)]
    years = np.array(dims.YEARS, dtype=float)
    index = {s: np.tile(1.0 + 0.1 * (years - dims.BASE_YEAR), (len(dims.MUNICIPALITIES), 1))
             for s in other_sectors.SOURCES}
    index["aviation"] = np.where(years == dims.BASE_YEAR, 1.0, 0.0)[None].repeat(len(dims.MUNICIPALITIES), 0)
    monkeypatch.setattr(other_sectors, "default_paths", lambda: Paths(index, 2023, 2035))
    monkeypatch.setattr(other_sectors, "observations", lambda: tuple(rows))
    monkeypatch.setattr(other_sectors, "find", lambda m, v, y=None: next(
        (o for o in rows if (o.municipality, o.variable, o.year) == (m, v, y)), None))
    got = backcast_2009("bergen")
    assert [(o.variable, o.year, o.confidence) for o in got] == [("emissions.sector.shipping", 2009, BACKCAST)]
    assert got[0].value == pytest.approx(1000.0) and "2012" in got[0].note


def test_build_data_reproduces_the_observations(tmp_path, monkeypatch, shared_data):
    """model/data/observations.csv is what tools/build_data.py writes; the tool marks a later inventory value of the
    sectors the model back-casts along their path as no test, the others as kept for one."""
    monkeypatch.syspath_prepend(str(REPO / "tools"))
    tool = runpy.run_path(str(REPO / "tools" / "build_data.py"))
    rows = tool["build_observations"](tool["read"](shared_data / "observations.csv"))
    rows.sort(key=lambda r: (r["municipality"], r["variable"], r["year"]))
    out = tmp_path / "observations.csv"
    tool["write"](out, rows, tool["OBS_COLUMNS"])
    assert out.read_bytes() == data_store.data_path("observations.csv").read_bytes()
    later = {r["variable"].split(".")[-1]: r["note"] for r in rows if r["municipality"] == "stavanger"
             and r["year"] == 2015 and r["variable"].startswith("emissions.sector.")}
    assert "no test" in later["shipping"] and "testing projections" in later["heating"]
