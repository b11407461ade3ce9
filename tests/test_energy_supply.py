"""Energy supply: plant-register base year, incineration and district-heating indices, CO2 capture, plants opened
after 2009."""

import dataclasses
import runpy
from pathlib import Path

import numpy as np
import pytest

from framtid.model import data_store, dims
from framtid.model.errors import DataError
from framtid.model.parameters import Params
from framtid.model.submodels import energy_supply
from framtid.model.submodels.other_sectors import gas_profile

M = len(dims.MUNICIPALITIES)
MU = {m: i for i, m in enumerate(dims.MUNICIPALITIES)}
CO2, CH4, N2O = 0, 1, 2
INC, DH = energy_supply.SOURCES


@pytest.fixture(scope="module")
def params():
    return Params.defaults(1)


def levels(inc, dh):
    """Explicit 2009 gas masses (D=1, M, G) per source: CO2, CH4 and N2O in fixed proportions."""
    gas = np.array([1.0, 0.01, 0.001, 0.0])
    return {INC: np.asarray(inc, float)[None, :, None] * gas, DH: np.asarray(dh, float)[None, :, None] * gas}


def row(**values):
    out = np.zeros(M)
    for m, v in values.items():
        out[MU[m]] = v
    return out


# -- base year from the plant register ------------------------------------------------------------

def test_base_year_uses_the_plant_register():
    base = energy_supply.base_year_co2e()
    assert set(base) == set(energy_supply.SOURCES)
    inc, dh = base[INC], base[DH]
    assert inc.shape == dh.shape == (M,)
    # Oslo's two incinerators in 2009: Klemetsrud 68 507 + Haraldrud 50 233 = 118 740 t.
    assert inc[MU["oslo"]] == pytest.approx(68507 + 50233)
    # Bergen (BIR) reports from 2010 only: 65 000 t, used for 2009 within the +-1-year window.
    assert inc[MU["bergen"]] == pytest.approx(65000)
    # Trondheim (Heimdal) 2009: 43 600 t; Fredrikstad (Frevar) 2009: 794 t.
    assert inc[MU["trondheim"]] == pytest.approx(43600)
    assert inc[MU["fredrikstad"]] == pytest.approx(794)
    # Sarpsborg's Borregaard incinerator reports from 2013 only: not running in 2009.
    assert inc[MU["sarpsborg"]] == 0.0
    # Drammen's Eie reports 2001 and 2005 only: too old for 2009.
    assert inc[MU["drammen"]] == 0.0
    assert inc[MU["baerum"]] == 0.0
    # District heating: Oslo's Hoff 9 406 t in 2009 (Haraldrud varmesentral last 2006, Rodeløkka
    # from 2013: neither counts); Drammen fjernvarme 762.26 t.
    assert dh[MU["oslo"]] == pytest.approx(9406)
    assert dh[MU["drammen"]] == pytest.approx(762.26)
    assert np.count_nonzero(dh) == 2


def test_init_state_without_levels_carries_the_register_through_the_gas_profile(params):
    f0 = np.full((1, M), 1000.0)
    q0 = np.full((1, M), 50.0)
    state = energy_supply.init_state(f0, q0, params)
    reg = energy_supply.base_year_co2e()
    gwp_ar5 = np.array([1.0, params["accounting.gwp.ar5.ch4"][0], params["accounting.gwp.ar5.n2o"][0], 1.0])
    for s in energy_supply.SOURCES:
        assert state.base[s].shape == (1, M, len(dims.GASES))
        # AR5-weighted sum of the masses gives back the register's t CO2e.
        assert (state.base[s][0] @ gwp_ar5) == pytest.approx(reg[s], rel=1e-5)
        assert state.base[s][0] == pytest.approx(reg[s][:, None] * gas_profile(params, s)[0])


def test_init_state_copies_its_index_bases(params):
    f0, q0 = np.full((1, M), 1000.0), np.full((1, M), 50.0)
    state = energy_supply.init_state(f0, q0, params, levels(row(oslo=100.0), row(oslo=10.0)))
    f0[:] = 1.0
    q0[:] = 1.0
    assert np.all(state.fossil_co2_2009 == 1000.0) and np.all(state.district_heat_2009 == 50.0)


# -- indices ---------------------------------------------------------------------------------------

@pytest.fixture
def state(params):
    """2009 levels by hand, without the register's reports after 2009 and the residents' change they hold (tested on
    their own below)."""
    f0 = row(oslo=200_000.0, baerum=40_000.0, bergen=100_000.0, trondheim=80_000.0)[None]
    q0 = row(oslo=2000.0, baerum=100.0, drammen=300.0)[None]
    made = energy_supply.init_state(f0, q0, params, levels(row(oslo=118_740.0, bergen=65_000.0, trondheim=0.0),
                                                           row(oslo=9406.0, drammen=762.26)))
    return dataclasses.replace(made, reported=np.zeros_like(made.reported), in_reports=np.zeros_like(made.in_reports))


# -- the incinerators' reports after 2009 ------------------------------------------------------------

def test_reported_changes_follow_the_register_where_it_agrees_with_the_level():
    level = row(oslo=159_397.0, bergen=65_000.0, trondheim=43_600.0, fredrikstad=52_100.0, sarpsborg=49_100.0)
    r = energy_supply.reported_changes(level)
    at = {y: k for k, y in enumerate(dims.YEARS)}
    oslo, bergen, trondheim = MU["oslo"], MU["bergen"], MU["trondheim"]
    # Oslo: Klemetsrud + Haraldrud against 68 507 + 50 233 = 118 740 t in 2009 (0.74 of the level)
    assert r[at[2009], oslo] == 0.0
    assert r[at[2010], oslo] == pytest.approx(69_018 + 46_035 - 118_740)           # -3 687
    assert r[at[2012], oslo] == pytest.approx(121_700 + 46_400 - 118_740)          # +49 360 (Klemetsrud's third line)
    held = ((121_700 + 46_400) + (118_700 + 45_300)) / 2 - 118_740                # mean of 2012 and 2013: +47 310
    assert r[at[2014], oslo] == r[at[2050], oslo] == pytest.approx(held)
    # Trondheim's Heimdal 43 600 -> 87 500 in 2010; Bergen's BIR from 2010 only (its 2009 level): 56 000 in 2011
    assert r[at[2010], trondheim] == pytest.approx(43_900)
    assert r[at[2011], bergen] == pytest.approx(56_000 - 65_000)
    # Fredrikstad's 794 t reported in 2009 against 52 100 t counted; Sarpsborg none: their reports add nothing
    assert not r[:, MU["fredrikstad"]].any() and not r[:, MU["sarpsborg"]].any()
    # nor where the level is zero, or more than twice the register's
    assert not energy_supply.reported_changes(row(oslo=0.0)).any()
    assert not energy_supply.reported_changes(row(oslo=2.5 * 118_740)).any()


def test_reported_changes_enter_incineration_through_its_gas_profile(params):
    """Residents whose fossil CO2 incinerated changes as under the policy history (Oslo's +45.3 % in 2012,
    incineration_history.csv) leave the plants at their reports: the reports hold that change already."""
    f0, q0 = row(oslo=200_000.0)[None], row(oslo=2000.0)[None]
    state = energy_supply.init_state(f0, q0, params, levels(row(oslo=118_740.0), row(oslo=9406.0)))
    g = data_store.incineration_history(energy_supply.REPORTED_YEARS)[("oslo", 2012)]
    out = energy_supply.account(state, f0 * (1.0 + g), q0, {}, params, 2012)["emissions"]
    added = (121_700 + 46_400 - 118_740) * gas_profile(params, INC)[0]
    assert out[INC][0, MU["oslo"]] == pytest.approx(state.base[INC][0, MU["oslo"]] + added)
    assert out[DH] == pytest.approx(state.base[DH])


def test_the_residents_change_in_the_reports_is_not_added_again(params):
    """Where the reports are added, the residents' change counts only as far as it departs from the policy
    history's: residents whose waste stays as in 2009 (a scenario without the landfill ban's diversion) burn
    F(2009) g(t) t CO2 less than the reports, and after 2013 the held mean of 2012 and 2013 (g 0.453 and 0.478)."""
    f0, q0 = row(oslo=200_000.0)[None], row(oslo=2000.0)[None]
    state = energy_supply.init_state(f0, q0, params, levels(row(oslo=118_740.0), row(oslo=9406.0)))
    history = data_store.incineration_history(energy_supply.REPORTED_YEARS)
    for year, g in ((2012, history[("oslo", 2012)]), (2030, (history[("oslo", 2012)] + history[("oslo", 2013)]) / 2)):
        out = energy_supply.account(state, f0, q0, {}, params, year)["emissions"]
        added = energy_supply.reported_changes(row(oslo=118_740.0))[year - dims.BASE_YEAR, MU["oslo"]]
        expected = 118_740.0 + added * gas_profile(params, INC)[0, CO2] - 200_000.0 * g
        assert out[INC][0, MU["oslo"], CO2] == pytest.approx(expected, rel=1e-12)
    assert 0.4 < history[("oslo", 2012)] < history[("oslo", 2013)] < 0.5
    # where no report is added, nothing is taken out: Oslo's level twice the register's
    far = energy_supply.init_state(f0, q0, params, levels(row(oslo=2.5 * 118_740.0), row(oslo=9406.0)))
    out = energy_supply.account(far, f0, q0, {}, params, 2012)["emissions"]
    assert out[INC][0, MU["oslo"], CO2] == pytest.approx(2.5 * 118_740.0)


def test_the_residents_history_is_the_one_of_this_model():
    """tools/incineration_history.py from the default run of current-policies gives the shipped file: a change of
    the waste submodel that moves the history must write it again."""
    tool = runpy.run_path(str(Path(__file__).resolve().parent.parent / "tools" / "incineration_history.py"))
    assert tool["text"]() == data_store.data_path("incineration_history.csv").read_text(encoding="utf-8")


def test_base_year_inputs_reproduce_the_base(state, params):
    out = energy_supply.account(state, state.fossil_co2_2009.copy(), state.district_heat_2009.copy(), {},
                                params, 2009)["emissions"]
    assert out[INC] == pytest.approx(state.base[INC])
    assert out[DH] == pytest.approx(state.base[DH])


def test_incineration_adds_the_hosts_own_change_in_fossil_co2(state, params):
    f = state.fossil_co2_2009.copy()
    f[0, MU["oslo"]] = 100_000.0       # Oslo's residents' fossil CO2: 200 000 -> 100 000 (-100 000 t)
    f[0, MU["bergen"]] = 130_000.0     # Bergen's: 100 000 -> 130 000 (+30 000 t)
    out = energy_supply.account(state, f, state.district_heat_2009, {}, params, 2030)["emissions"]
    # The plant keeps its other waste: Oslo 118 740 - 100 000 = 18 740 t CO2; Bergen 65 000 + 30 000 = 95 000.
    assert out[INC][0, MU["oslo"], CO2] == pytest.approx(18_740.0)
    assert out[INC][0, MU["bergen"], CO2] == pytest.approx(95_000.0)
    # CH4 of the change follows the source's gas profile per t CO2 (the base keeps its own: 650 t).
    per_co2 = energy_supply.per_t_co2(params, INC)[0, 0]
    assert out[INC][0, MU["bergen"], CH4] == pytest.approx(650.0 + 30_000.0 * per_co2[CH4])
    # District-heating fuels do not react to waste.
    assert out[DH] == pytest.approx(state.base[DH])


def test_incineration_never_goes_negative(state, params):
    f = state.fossil_co2_2009.copy()
    f[0, MU["oslo"]] = 0.0             # -200 000 t against a plant level of 118 740 t
    out = energy_supply.account(state, f, state.district_heat_2009, {}, params, 2030)["emissions"]
    assert out[INC][0, MU["oslo"], CO2] == 0.0
    assert np.all(out[INC] >= 0.0)


def test_district_heating_fuels_add_extra_heat_at_the_marginal_intensity(state, params):
    q = state.district_heat_2009.copy()
    q[0, MU["oslo"]] = 3000.0          # +1000 GWh x 40 t/GWh = +40 000 t CO2 -> 9 406 + 40 000 = 49 406
    q[0, MU["drammen"]] = 290.0        # -10 GWh -> 762.26 - 400 = 362.26 t CO2
    out = energy_supply.account(state, state.fossil_co2_2009, q, {}, params, 2030)["emissions"]
    assert params["energy_supply.district_heating_marginal_co2"][0] == 40.0
    assert out[DH][0, MU["oslo"], CO2] == pytest.approx(49_406.0)
    assert out[DH][0, MU["drammen"], CO2] == pytest.approx(362.26)
    assert out[INC] == pytest.approx(state.base[INC])


def test_municipality_without_a_plant_burns_nothing_whatever_its_waste_does(state, params):
    # Bærum burns no waste: its residents' fossil CO2 grows five-fold, its incineration stays zero.
    # Trondheim's base is 0 in this fixture too.
    f = state.fossil_co2_2009 * 5.0
    out = energy_supply.account(state, f, state.district_heat_2009, {}, params, 2040)["emissions"]
    for m in ("baerum", "trondheim", "tromso"):
        assert np.all(out[INC][0, MU[m]] == 0.0), m


def test_new_district_heat_where_there_was_none_emits_at_the_marginal_intensity(state, params):
    q = state.district_heat_2009.copy()
    q[0, MU["baerum"]] = 110.0         # +10 GWh in Bærum, no DH fuels in 2009: 400 t CO2
    out = energy_supply.account(state, state.fossil_co2_2009, q, {}, params, 2040)["emissions"]
    assert out[DH][0, MU["baerum"], CO2] == pytest.approx(400.0)


def test_changes_are_per_draw():
    p2 = Params.defaults(2)
    lv = levels(row(oslo=1000.0), row(oslo=100.0))
    lv = {k: np.repeat(v, 2, axis=0) for k, v in lv.items()}
    f0 = np.full((2, M), 10.0)
    state = energy_supply.init_state(f0, np.full((2, M), 10.0), p2, lv)
    f = np.array([np.full(M, 10.0), np.full(M, 20.0)])   # draw 0 unchanged, draw 1 +10 t
    out = energy_supply.account(state, f, np.full((2, M), 10.0), {}, p2, 2030)["emissions"]
    assert out[INC][:, MU["oslo"], CO2] == pytest.approx([1000.0, 1010.0])


# -- CO2 capture -------------------------------------------------------------------------------------

def test_capture_removes_that_share_of_co2_only(state, params):
    capture = row(oslo=0.9, bergen=0.25)[None]
    f = state.fossil_co2_2009.copy()
    out = energy_supply.account(state, f, state.district_heat_2009, {"incineration_capture_share": capture},
                                params, 2035)["emissions"]
    no_capture = energy_supply.account(state, f, state.district_heat_2009, {}, params, 2035)["emissions"]
    oslo, bergen = MU["oslo"], MU["bergen"]
    # Oslo: 118 740 t CO2 before capture; 10 % left: 11 874 t.
    assert out[INC][0, oslo, CO2] == pytest.approx(11_874.0)
    # Bergen: 65 000 * 0.75 = 48 750 t CO2.
    assert out[INC][0, bergen, CO2] == pytest.approx(48_750.0)
    # CH4 and N2O untouched; F-gas column stays zero.
    assert out[INC][0, :, CH4:] == pytest.approx(no_capture[INC][0, :, CH4:])
    assert out[INC][0, oslo, CH4] > 0
    # District-heating fuels are not captured.
    assert out[DH] == pytest.approx(no_capture[DH])
    # Municipalities without capture are unchanged.
    others = [i for i in range(M) if i not in (oslo, bergen)]
    assert out[INC][0, others] == pytest.approx(no_capture[INC][0, others])


def test_neutral_capture_changes_nothing_and_state_is_not_mutated(state, params):
    base_before = {k: v.copy() for k, v in state.base.items()}
    full = energy_supply.account(state, state.fossil_co2_2009, state.district_heat_2009,
                                 {"incineration_capture_share": np.ones((1, M))}, params, 2040)["emissions"]
    assert np.all(full[INC][..., CO2] == 0.0)
    for k in state.base:
        assert np.array_equal(state.base[k], base_before[k]), k
    neutral = energy_supply.account(state, state.fossil_co2_2009, state.district_heat_2009,
                                    {"incineration_capture_share": np.zeros((1, M))}, params, 2040)["emissions"]
    assert neutral[INC] == pytest.approx(state.base[INC])


# -- plants opened after 2009 (model/data/plants_opened.csv) ------------------------------------------

def test_returkraft_is_in_the_opened_plants():
    (plant,) = [p for p in data_store.plants_opened() if p.municipality == "kristiansand"]
    assert plant.plant.startswith("Returkraft") and plant.category == "waste_incineration"
    assert (plant.start_year, plant.start_month, plant.first_year_share) == (2010, 4, 0.5)
    assert plant.tonnage_t_per_yr == 130_000
    assert plant.method and plant.source and plant.status in ("observed", "derived", "estimated", "assumption")
    # Half a year in 2010, full capacity after, nothing before.
    assert [plant.tonnage(y) for y in (2009, 2010, 2011, 2050)] == [0.0, 65_000.0, 130_000.0, 130_000.0]
    tonnage = energy_supply.opened_tonnage(2011)
    assert tonnage[MU["kristiansand"]] == 130_000.0 and tonnage.sum() == 130_000.0


def test_fossil_co2_per_tonne_own_or_the_mean_of_all():
    fossil = row(oslo=30_000.0, kristiansand=4_000.0)[None]
    burnt = row(oslo=100_000.0, kristiansand=10_000.0)[None]
    f = energy_supply.fossil_co2_per_tonne(fossil, burnt)
    assert f[0, MU["oslo"]] == pytest.approx(0.3) and f[0, MU["kristiansand"]] == pytest.approx(0.4)
    # Where residents burn nothing: (30 000 + 4 000) / 110 000 = 0.309091.
    assert f[0, MU["bergen"]] == pytest.approx(34_000 / 110_000)


@pytest.fixture
def waste_k():
    """Residents' incinerated waste and its fossil CO2: Kristiansand 10 000 t at 0.39 t CO2/t."""
    return row(oslo=100_000.0, kristiansand=10_000.0)[None], row(oslo=30_000.0, kristiansand=3_900.0)[None]


def _opened(state, waste_k):
    """``state`` as the simulation makes it: with the residents' 2009 waste (``waste_k``) as its 2009 fossil CO2
    and tonnage, so that the plants opened after 2009 burn at their 2009 fossil CO2 per tonne."""
    burnt, fossil = waste_k
    return dataclasses.replace(state, fossil_co2_2009=fossil.copy(),
                               fossil_per_tonne_2009=energy_supply.fossil_co2_per_tonne(fossil, burnt))


def test_opened_plant_enters_in_its_year_with_the_incineration_profile(state, params, waste_k):
    burnt, fossil = waste_k
    state = _opened(state, waste_k)
    k = MU["kristiansand"]
    per_co2 = energy_supply.per_t_co2(params, INC)[0, 0]

    def incineration(year, **kw):
        return energy_supply.account(state, fossil, state.district_heat_2009, {}, params, year,
                                     **kw)["emissions"][INC][0]

    by_year = {year: incineration(year, incinerated=burnt)[k] for year in (2009, 2010, 2011, 2030)}
    assert np.all(by_year[2009] == 0.0)
    # 2010: half a year, 65 000 t x 0.39 t CO2/t = 25 350 t CO2; 2011 on: 130 000 x 0.39 = 50 700 t CO2.
    assert by_year[2010][CO2] == pytest.approx(25_350.0)
    assert by_year[2011][CO2] == pytest.approx(50_700.0)
    assert by_year[2030] == pytest.approx(by_year[2011])
    # CH4 and N2O by the incineration profile per t CO2.
    assert by_year[2011] == pytest.approx(50_700.0 * per_co2)
    # Without the residents' tonnage (the 2009 plants alone) nothing is added.
    alone = incineration(2011)
    assert np.all(alone[k] == 0.0)
    # Other municipalities are unchanged by the new plant.
    others = [i for i in range(M) if i != k]
    assert incineration(2011, incinerated=burnt)[others] == pytest.approx(alone[others])


def test_opened_plant_follows_its_residents_sorting_and_can_capture(state, params, waste_k):
    burnt, fossil = waste_k
    state = _opened(state, waste_k)
    k = MU["kristiansand"]
    # Fewer plastics in the residents' residual waste: 3 000 t CO2 from their 10 000 t, 900 t less. The plant
    # burns its 130 000 t whatever they sort, so it emits their 900 t less: 130 000 x 0.39 - 900.
    less = fossil.copy()
    less[0, k] = 3_000.0
    out = energy_supply.account(state, less, state.district_heat_2009, {}, params, 2020, incinerated=burnt)
    assert out["emissions"][INC][0, k, CO2] == pytest.approx(130_000 * 0.39 - 900.0)
    # Food sorted out leaves their residual waste more fossil per tonne (3 900 t CO2 in 8 000 t) but the
    # fossil CO2 they send is the same: the plant's emissions do not move (they rose 17.7 kt a year in
    # Kristiansand when the whole tonnage took the residents' mix of the year; this year's tonnage only
    # switches the opened plants on, the 2009 rate is the state's).
    fewer = burnt.copy()
    fewer[0, k] = 8_000.0
    out = energy_supply.account(state, fossil, state.district_heat_2009, {}, params, 2020, incinerated=fewer)
    assert out["emissions"][INC][0, k, CO2] == pytest.approx(130_000 * 0.39)
    # Capture (CCS) takes the new plant's CO2 too.
    capture = row(kristiansand=0.9)[None]
    out = energy_supply.account(state, fossil, state.district_heat_2009, {"incineration_capture_share": capture},
                                params, 2040, incinerated=burnt)
    assert out["emissions"][INC][0, k, CO2] == pytest.approx(0.1 * 130_000 * 0.39)


@pytest.mark.parametrize("line, words", [
    ("kristiansand,X,industry,2010,4,0.5,1000,derived,m,s,high", "category 'industry' is not modelled"),
    ("kristiansand,X,waste_incineration,2009,4,0.5,1000,derived,m,s,high", "start_year must be after 2009"),
    ("narnia,X,waste_incineration,2010,4,0.5,1000,derived,m,s,high", "unknown municipality 'narnia'"),
    ("kristiansand,X,waste_incineration,2010,4,1.5,1000,derived,m,s,high", "'first_year_share' must lie in 0-1"),
])
def test_bad_opened_plants_are_rejected(data_in_tmp, line, words):
    (data_in_tmp(data_store.plants_opened) / "plants_opened.csv").write_text(
        "municipality,plant,category,start_year,start_month,first_year_share,tonnage_t_per_yr,status,method,"
        "source,confidence\n" + line + "\n")
    with pytest.raises(DataError, match=words):
        data_store.plants_opened()


def _history_without(drop=(), extra=(), change="0.4"):
    rows = [f"{m},{y},{change},s" for m in dims.MUNICIPALITIES for y in energy_supply.REPORTED_YEARS
            if (m, y) not in drop]
    return "municipality,year,relative_change,source\n" + "\n".join(rows + list(extra)) + "\n"


@pytest.mark.parametrize("text, words", [
    (_history_without(drop=[("oslo", 2012)]), "no row for oslo 2012"),
    (_history_without(extra=["oslo,2014,0.4,s"]), "year 2014 is not one of the incinerators' reported years"),
    (_history_without(change="40.5"), "a share from -1 to 5 .a relative change, not per cent., got '40.5'"),
    (_history_without(extra=["oslo,2010,0.4,s"]), "oslo in 2010 is given twice"),
    (_history_without(extra=["narnia,2010,0.4,s"]), "unknown municipality 'narnia'"),
])
def test_a_bad_residents_history_is_refused(data_in_tmp, text, words):
    """A row missing would bring the double count back silently; another year, a per-cent figure, a row twice and an
    unknown municipality are refused as well, each naming the file."""
    (data_in_tmp(data_store.incineration_history) / "incineration_history.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="incineration_history.csv: .*" + words):
        data_store.incineration_history(energy_supply.REPORTED_YEARS)


def test_build_data_reproduces_the_opened_plants(tmp_path, monkeypatch, shared_data):
    """model/data/plants_opened.csv is what tools/build_data.py writes from policies/plants_opened.csv."""
    repo, shared = Path(__file__).resolve().parent.parent, shared_data
    tool = runpy.run_path(str(repo / "tools" / "build_data.py"))
    out = tmp_path / "plants_opened.csv"
    tool["write"](out, tool["build_plants_opened"](tool["read"](shared / "policies" / "plants_opened.csv")),
                  tool["OPENED_COLUMNS"])
    assert out.read_bytes() == data_store.data_path("plants_opened.csv").read_bytes()
