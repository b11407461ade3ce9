"""Targets as data (targets.csv), the arithmetic of gaps, first years met and needed cuts by hand, the
national rules applied by hand on a small made-up result, and the `framtid targets` command."""

import csv
import io
import json

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from framtid.cli.main import main
from framtid.model import api, dims
from framtid.model.agents import Municipality
from framtid.model.errors import DataError, UsageError
from framtid.model.evaluation import target_data
from framtid.model.evaluation import target_tables as tt
from framtid.model.evaluation import targets as tg
from framtid.model.parameters import Params
from framtid.model.simulation import FramtidModel

YEARS = list(range(dims.BASE_YEAR, dims.FINAL_YEAR + 1))
R2030 = 51348 * 0.45 / 52541 - 1          # the national path 2009 -> 2030 (-55 % vs 1990): -0.560218


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# --- the data ------------------------------------------------------------------------------------

def test_every_target_has_a_source_a_confidence_and_a_known_area():
    targets = target_data.load_targets()
    assert len({t.id for t in targets}) == len(targets) == 24
    for t in targets:
        assert t.source and t.confidence in ("high", "medium", "low", "derived")
    ids = {t.id for t in targets}
    assert {"norway.emissions.2020", "norway.emissions.2030", "norway.emissions.2050", "norway.non_ets.2030"} <= ids
    assert {f"{r}.car_vkm_resident.zero_growth" for r in ("oslo", "bergen", "trondheim", "nord_jaeren")} <= ids
    # the medium-sized urban areas too (an assumption, graded low), so that every one of the 13 is in a region
    # with the goal
    medium = [t for t in targets if t.id.endswith("zero_growth") and t.confidence == "low"]
    assert {t.area for t in medium} == {"drammen", "nedre_glomma", "grenland", "kristiansand", "tromso"}
    from framtid.model import dims
    assert {dims.REGION_OF[m] for m in dims.MUNICIPALITIES} == {t.area for t in targets if t.id.endswith("zero_growth")}


def test_national_targets_carried_to_2009_by_hand():
    by_id = {t.id: t for t in target_data.load_targets()}
    # -55 % of 51 348 kt (1990) = 23 106.6 kt; against 52 541 kt in 2009: -56.02 %
    assert by_id["norway.emissions.2030"].change_from_2009() == pytest.approx(-0.560218, abs=1e-6)
    # -90 %: 5 134.8 / 52 541 - 1 = -90.23 %; the stricter -95 %: 2 567.4 / 52 541 - 1 = -95.11 %
    assert by_id["norway.emissions.2050"].change_from_2009() == pytest.approx(-0.902271, abs=1e-6)
    assert by_id["norway.emissions.2050"].strict_change_from_2009() == pytest.approx(-0.951136, abs=1e-6)
    # Klimaforliket: a cap of 48 Mt in 2020 against 52 541 kt in 2009: -8.64 %
    assert by_id["norway.emissions.2020"].change_from_2009() == pytest.approx(48000 / 52541 - 1)
    # no national non-ETS series: 2009 stands in for 2005
    assert by_id["norway.non_ets.2030"].change_from_2009() == -0.45


def test_municipal_targets_are_what_the_agents_follow():
    expected = {"oslo": (2009, 2030, -0.95), "drammen": (2009, 2030, -0.55), "trondheim": (2009, 2030, -0.8),
                "stavanger": (2015, 2030, -0.8), "sandnes": (2015, 2030, -0.55)}
    assert target_data.municipal_targets() == expected
    # The simulation's Municipality agents carry these targets; the other eight none.
    scenario = api.load_scenario("framtid:reference")
    model = FramtidModel(scenario, Params.defaults(1, scenario.parameters))
    carried = {a.id: a.target for a in model.agents_by_type[Municipality]}
    model.release()
    assert carried == {m: expected.get(m) for m in dims.MUNICIPALITIES}


@pytest.mark.parametrize("column, value, words", [
    ("area", "atlantis", "column 'area' must be 'norway'"),
    ("change", "5", "column 'change' is a relative change"),
    ("base_year", "soon", "column 'base_year' must be a number"),
    ("target_year", "2001", "column 'target_year' must be a year after the base year"),
    ("target_year", "2060", "within the model's years (2010-2050)"),      # it was dropped without a word
    ("indicator", "happiness", "column 'indicator' must be one of"),
    ("source", "", "every target needs a source"),
])
def test_a_bad_targets_row_is_refused_with_file_line_and_column(column, value, words):
    row = dict(id="x", area="oslo", indicator="emissions", scope="total", base_year="2009", target_year="2030",
               change="-0.5", change_strict="", national_base_kt="", national_target_kt="", national_2009_kt="",
               label="", confidence="high", source="somewhere", note="")
    row[column] = value
    with pytest.raises(DataError) as info:
        target_data.parse_targets([(7, row)])
    assert str(info.value).startswith("targets.csv: line 7: ") and words in str(info.value)


# --- the arithmetic by hand -------------------------------------------------------------------------

def test_target_gap_first_year_and_needed_cut_by_hand():
    assert tg.target_value(1000.0, -0.55) == pytest.approx(450.0)
    assert tg.gap(600.0, 450.0) == 150.0 and tg.gap(400.0, 450.0) == -50.0
    years, values = [2009, 2010, 2011, 2012, 2013, 2014], [100, 90, 80, 85, 70, 60]
    assert tg.first_year_met(years, values, 80, after=2009) == 2011      # at or below counts
    assert tg.first_year_met(years, values, 80, after=2011) == 2013      # 2012 rose again to 85
    assert tg.first_year_met(years, values, 50, after=2009) is None
    # missed in its own year 2012 (85 > 80): met only from 2012 on, in 2013, not at the early dip of 2011;
    # met in its year 2013 or 2014: from the year it stays met through it, 2013 (2012 rose again to 85), and
    # from the first year below it where it never rose again
    assert tg.first_year_met(years, values, 80, after=2009, target_year=2012) == 2013
    assert tg.first_year_met(years, values, 80, after=2009, target_year=2013) == 2013
    assert tg.first_year_met(years, values, 80, after=2009, target_year=2014) == 2013
    assert tg.first_year_met(years, values, 86, after=2009, target_year=2013) == 2011
    # a zero-growth index just below 1 the year after its base, above it for years, below it in the target year
    assert tg.first_year_met(years, [1.0, 0.99, 1.05, 1.03, 1.01, 0.998], 1.0, after=2009, target_year=2014) == 2014
    assert tg.first_year_met(years, [100, 70, 90, 95, 95, 95], 80, after=2009, target_year=2012) is None
    # 100 -> 81 in two years: 10 % a year; 100 -> 121: the value may grow 10 % a year
    assert tg.annual_cut_needed(100.0, 81.0, 2028, 2030) == pytest.approx(0.10)
    assert tg.annual_cut_needed(100.0, 121.0, 2028, 2030) == pytest.approx(-0.10)
    assert tg.annual_cut_needed(100.0, 0.0, 2028, 2030) == 1.0
    assert tg.annual_cut_needed(100.0, 81.0, 2030, 2030) is None


def test_national_rules_by_hand():
    # share and non-ets: X_2009 (1 + r); per-capita: X_2009 / P_2009 (1 + r) P_T
    assert tg.national_rule_value("share", 200.0, -0.56) == pytest.approx(88.0)
    assert tg.national_rule_value("non-ets", 200.0, -0.56) == pytest.approx(88.0)
    assert tg.national_rule_value("per-capita", 200.0, -0.5, 100.0, 125.0) == pytest.approx(125.0)
    with pytest.raises(UsageError, match="--national-rule: 'fair' is not a rule; allowed: share, per-capita"):
        tg.national_rule_value("fair", 200.0, -0.5)


# --- a small made-up result, worked by hand --------------------------------------------------------
# Every municipality m has a scale s (Oslo 1, Baerum 0.2, the other eleven 0.5); n = year - 2009:
#   heating (heating_oil, non-ETS) = s (1000 - 30 n) kt, industry (ETS) = s 500 kt: total s (1500 - 30 n)
#   population = s (500 000 + 5 000 n)
#   residents' car vkm: Oslo 100 + n up to 2024 (n = 15), then 115 - 2 (n - 15); Baerum 50; others 100

SCALE = {m: 1.0 if m == "oslo" else 0.2 if m == "baerum" else 0.5 for m in dims.MUNICIPALITIES}


def made_up(draw_scales=(1.0,), scenarios=("a",)):
    n = np.arange(len(YEARS), dtype=float)
    s = np.array([SCALE[m] for m in dims.MUNICIPALITIES])[:, None]             # (M, 1)
    heating = s * (1000.0 - 30.0 * n) * 1000.0                                # (M, T) t
    industry = s * 500.0 * 1000.0 + 0.0 * n
    population = s * (500_000.0 + 5_000.0 * n)
    oslo = np.where(n <= 15, 100.0 + n, 115.0 - 2.0 * (n - 15))
    vkm = np.array([oslo if m == "oslo" else np.full_like(n, 50.0 if m == "baerum" else 100.0)
                    for m in dims.MUNICIPALITIES]) * 1e6
    d = np.array(draw_scales)[None, None, :]                                   # (1, 1, D)

    def add_axes(a, extra):   # (M, T) -> (S, M, *extra, T, D)
        a = a[:, :, None] * d
        for _ in range(extra):
            a = a[:, None]
        return np.broadcast_to(a[None], (len(scenarios),) + a.shape).copy()

    sector = np.zeros((len(scenarios), len(dims.MUNICIPALITIES), len(dims.SECTORS), len(YEARS), len(draw_scales)))
    sector[:, :, dims.SECTORS.index("heating")] = add_axes(heating, 0)
    sector[:, :, dims.SECTORS.index("industry")] = add_axes(industry, 0)
    source = np.zeros((len(scenarios), len(dims.MUNICIPALITIES), len(dims.SOURCES), len(YEARS), len(draw_scales)))
    source[:, :, dims.SOURCES.index("heating_oil")] = add_axes(heating, 0)
    source[:, :, dims.SOURCES.index("industry")] = add_axes(industry, 0)
    coords = dict(scenario=list(scenarios), municipality=list(dims.MUNICIPALITIES), sector=list(dims.SECTORS),
                  source=list(dims.SOURCES), year=YEARS, draw=list(range(len(draw_scales))))
    base = ("scenario", "municipality")
    return xr.Dataset(
        {"emissions": (base + ("sector", "year", "draw"), sector, {"gwp": "ar4"}),
         "emissions_source": (base + ("source", "year", "draw"), source),
         "population": (base + ("year", "draw"), add_axes(population, 0)),
         "car_vkm_resident": (base + ("year", "draw"), add_axes(vkm, 0))}, coords=coords)


def pick(rows, target_id, area, **match):
    found = [r for r in rows if r["target_id"] == target_id and r["area"] == area
             and all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, (target_id, area, match, len(found))
    return found[0]


def test_share_rule_by_hand():
    rows = tg.assess(made_up())
    r = pick(rows, "norway.emissions.2030", "oslo", level="municipality")
    # target 1500 (1 + r) = 659.67 kt; modelled 1500 - 30 x 21 = 870; gap 210.33 = 14.02 % of 1500
    assert r["base_value"] == pytest.approx(1500.0)
    assert r["target_value"] == pytest.approx(659.6734, abs=1e-3)
    assert r["modelled_value"] == pytest.approx(870.0)
    assert r["gap"] == pytest.approx(210.3266, abs=1e-3) and r["gap_pct_of_base"] == pytest.approx(14.0218, abs=1e-3)
    # 1500 - 30 n <= 659.67 from n = 29: 2038; the cut from 2026 (the present, 990 kt) in four years:
    # 1 - (659.67 / 990)^(1/4) = 9.651 % a year
    assert r["first_year_met"] == 2038 and r["met_in_target_year"] is False
    assert r["from_year"] == 2026 and r["annual_cut_needed_pct"] == pytest.approx(9.6510, abs=1e-3)
    # the Oslo region (Oslo + Baerum at 0.2) and the 13 together (scales sum to 6.7)
    region = pick(rows, "norway.emissions.2030", "oslo", level="region")
    assert region["target_value"] == pytest.approx(1.2 * 659.6734, abs=1e-3)
    assert region["modelled_value"] == pytest.approx(1.2 * 870.0)
    everyone = pick(rows, "norway.emissions.2030", "all 13")
    assert everyone["target_value"] == pytest.approx(6.7 * 659.6734, abs=1e-2)
    assert everyone["first_year_met"] == 2038
    # the non-ETS target on the non-ETS sources: 1000 x 0.55 = 550; 1000 - 30 n <= 550 from n = 15: 2024
    non_ets = pick(rows, "norway.non_ets.2030", "oslo", level="municipality")
    assert non_ets["scope"] == "non_ets" and non_ets["target_value"] == pytest.approx(550.0)
    assert non_ets["modelled_value"] == pytest.approx(370.0) and non_ets["first_year_met"] == 2024
    # Klimaforliket's 48 Mt cap: 1500 x 48000 / 52541 = 1370.36; 1500 - 30 n <= 1370.36 from n = 5: 2014
    cap = pick(rows, "norway.emissions.2020", "oslo", level="municipality")
    assert cap["target_value"] == pytest.approx(1500 * 48000 / 52541) and cap["first_year_met"] == 2014
    assert cap["target_value_strict"] == pytest.approx(1500 * 46000 / 52541)


def test_needed_cut_from_a_chosen_year_by_hand():
    r = pick(tg.assess(made_up(), from_year=2020), "norway.emissions.2030", "oslo", level="municipality")
    # from 1170 kt (2020) to 659.67 kt in ten years: 1 - (659.67 / 1170)^(1/10) = 5.569 % a year
    assert r["from_year"] == 2020 and r["annual_cut_needed_pct"] == pytest.approx(5.5691, abs=1e-3)
    passed = pick(tg.assess(made_up(), from_year=2040), "norway.emissions.2030", "oslo", level="municipality")
    assert passed["annual_cut_needed_pct"] is None and passed["from_year"] is None


def test_non_ets_and_per_capita_rules_by_hand():
    r = pick(tg.assess(made_up(), rule="non-ets"), "norway.emissions.2030", "oslo", level="municipality")
    # the 2030 path on the non-ETS sources only: 1000 (1 + r) = 439.78; 1000 - 30 n <= 439.78 from n = 19
    assert r["scope"] == "non_ets" and r["rule"] == "non-ets"
    assert r["target_value"] == pytest.approx(439.7823, abs=1e-3) and r["modelled_value"] == pytest.approx(370.0)
    assert r["first_year_met"] == 2028 and r["met_in_target_year"] is True
    # per inhabitant: 1500 / 500 000 x (1 + r) x 605 000 = 798.20 kt
    rows = tg.assess(made_up(), rule="per-capita")
    r = pick(rows, "norway.emissions.2030", "oslo", level="municipality")
    assert r["target_value"] == pytest.approx(798.2048, abs=1e-3)
    assert pick(rows, "norway.emissions.2030", "oslo", level="region")["target_value"] == pytest.approx(
        1.2 * 798.2048, abs=1e-3)


def test_own_targets_by_hand():
    rows = tg.assess(made_up())
    oslo = pick(rows, "oslo.emissions.2023", "oslo")
    # -52 % of 1500 = 720; 2023: 1500 - 30 x 14 = 1080; met from n = 26 (2035)
    assert (oslo["target_value"], oslo["modelled_value"]) == pytest.approx((720.0, 1080.0))
    assert oslo["first_year_met"] == 2035 and oslo["from_year"] == 2022
    stavanger = pick(rows, "stavanger.emissions.2030", "stavanger")
    # against 2015: 0.5 (1500 - 180) = 660; -80 %: 132; 2030: 435; gap 303 = 45.9 % of 660; never met by 2050
    assert stavanger["base_year"] == 2015 and stavanger["base_value"] == pytest.approx(660.0)
    assert stavanger["target_value"] == pytest.approx(132.0) and stavanger["gap"] == pytest.approx(303.0)
    assert stavanger["gap_pct_of_base"] == pytest.approx(45.9091, abs=1e-3) and stavanger["first_year_met"] is None
    car = pick(rows, "oslo.car_traffic.2030", "oslo")
    # car traffic as an index against 2015 (106): 2030 is 103 / 106 = 0.9717 against 0.67
    assert car["unit"].startswith("index") and car["target_value"] == pytest.approx(0.67)
    assert car["modelled_value"] == pytest.approx(103 / 106)
    for unstated in ("tromso.emissions.2030", "tromso.emissions.2030.alternative"):
        r = pick(rows, unstated, "tromso")
        assert r["target_value"] is None and "states no base year" in r["note"]
    assert "1991 lies before the run" in pick(rows, "kristiansand.emissions.2020", "kristiansand")["note"]


def test_zero_growth_goal_by_hand():
    rows = tg.assess(made_up())
    oslo = pick(rows, "oslo.car_vkm_resident.zero_growth", "oslo")
    # region: Oslo + Baerum = 158 in 2017, 153 in 2030: index 0.9684; Oslo back at 108 in 2028 (n = 19)
    assert oslo["level"] == "region" and oslo["base_year"] == 2017
    assert oslo["modelled_value"] == pytest.approx(153 / 158) and oslo["first_year_met"] == 2028
    assert oslo["gap"] == pytest.approx(153 / 158 - 1)
    trondheim = pick(rows, "trondheim.car_vkm_resident.zero_growth", "trondheim")
    assert trondheim["modelled_value"] == pytest.approx(1.0) and trondheim["first_year_met"] == 2018
    # reference year 2024 (165): 2030 at 153 / 165; 2025 already lower (163)
    later = pick(tg.assess(made_up(), zero_growth_base=2024), "oslo.car_vkm_resident.zero_growth", "oslo")
    assert later["modelled_value"] == pytest.approx(153 / 165) and later["first_year_met"] == 2025


def test_several_scenarios_and_draws_report_medians():
    rows = tg.assess(made_up(draw_scales=(0.9, 1.2, 1.0), scenarios=("a", "b")))
    assert {r["scenario"] for r in rows} == {"a", "b"}
    r = pick(rows, "norway.emissions.2030", "oslo", level="municipality", scenario="b")
    assert r["statistic"] == "median of 3 draws"
    assert r["target_value"] == pytest.approx(659.6734, abs=1e-3) and r["modelled_value"] == pytest.approx(870.0)
    assert pick(rows, "oslo.car_vkm_resident.zero_growth", "oslo", scenario="a")["modelled_value"] == \
        pytest.approx(153 / 158)


def test_options_the_result_cannot_answer_are_refused():
    ds = made_up()
    with pytest.raises(UsageError, match=r"--zero-growth-base: must be a year of result before the year the goal "
                                         r"is assessed \(2009-2029\), got 2035"):
        tg.assess(ds, zero_growth_base=2035)
    with pytest.raises(UsageError, match=r"--from: must be a year of result \(2009-2050\), got 2051"):
        tg.assess(ds, from_year=2051)


# --- the command on a real run ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def result_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("targets") / "both.nc"
    api.save(api.run(["framtid:reference", "framtid:current-policies"]), path)
    return path


def test_command_prints_every_scenario_and_group(result_file):
    res = invoke("targets", result_file)
    assert res.exit_code == 0, res.output
    for text in ("Scenario reference: Climate Change Act", "Scenario current-policies: Non-ETS emissions",
                 "rule 'share'", "own emission targets", "own car-traffic targets", "zero-growth goal",
                 "not evaluated: the source states no base year", "not by 2050"):
        assert text in " ".join(res.output.split())   # (titles wrap at the terminal's width)


def test_command_csv_and_json_match_the_result(result_file):
    res = invoke("targets", result_file, "--format", "csv", "--scenario", "current-policies",
                 "--national-rule", "per-capita")
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert {r["scenario"] for r in rows} == {"current-policies"}
    assert {r["rule"] for r in rows if r["group"] == "national"} == {"per-capita"}
    own = json.loads(invoke("targets", result_file, "--format", "json").output)
    oslo = next(r for r in own if r["target_id"] == "oslo.emissions.2030" and r["scenario"] == "current-policies")
    ds = api.open_results(result_file)
    total = ds["emissions"].sel(scenario="current-policies", municipality="oslo").sum("sector").isel(draw=0) / 1000
    assert oslo["modelled_value"] == pytest.approx(float(total.sel(year=2030)))
    assert oslo["target_value"] == pytest.approx(0.05 * float(total.sel(year=2009)))
    assert oslo["gap"] == pytest.approx(oslo["modelled_value"] - oslo["target_value"])


def test_only_the_rows_of_the_municipalities_asked_for():
    """A municipality's rows when it is named, a region's only when all its members are, the 13 together's
    only when all 13 are."""
    rows = tg.assess(made_up())
    assert tg.of_municipalities(rows, None) == rows
    assert tg.of_municipalities(rows, list(dims.MUNICIPALITIES)) == rows
    kept = tg.of_municipalities(rows, ["skien", "oslo", "baerum", "bergen"])
    assert {(r["level"], r["area"]) for r in kept} == {
        ("municipality", "oslo"), ("municipality", "baerum"), ("municipality", "skien"),
        ("municipality", "bergen"), ("region", "oslo"), ("region", "bergen")}
    assert {r["group"] for r in kept if r["level"] == "region" and r["area"] == "bergen"} == {"zero_growth"}
    assert kept == [r for r in rows if r in kept]                            # in the order of assess
    assert pick(kept, "norway.emissions.2030", "oslo", level="region") == \
        pick(rows, "norway.emissions.2030", "oslo", level="region")


def test_a_selection_of_municipalities_is_an_area_of_its_own():
    (sel,) = tg.selection_areas(["bergen", "oslo"])
    assert (sel.level, sel.name, sel.members) == ("selection", "oslo,bergen", ("oslo", "bergen"))   # 13's order
    assert tg.selection_areas(["oslo"]) == () and tg.selection_areas(list(dims.MUNICIPALITIES)) == ()
    assert tg.selection_areas(["sandnes", "stavanger"], unless_region=True) == ()            # Nord-Jæren's row
    assert len(tg.selection_areas(["sandnes", "stavanger"])) == 1                            # the report's sums
    rows = tg.assess(made_up(), extra_areas=tg.selection_areas(["oslo", "bergen"]))
    kept = tg.of_municipalities(rows, ["bergen", "oslo"])
    assert {r["area"] for r in kept if r["level"] == "selection"} == {"oslo,bergen"}
    assert not [r for r in tg.of_municipalities(rows, ["oslo", "baerum"]) if r["level"] == "selection"]


def test_command_shows_the_municipalities_asked_for(result_file):
    res = invoke("targets", result_file, "--municipality", "skien,porsgrunn,bergen", "--format", "json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    areas = {(r["level"], r["area"]) for r in rows}
    assert areas == {("municipality", "skien"), ("municipality", "porsgrunn"), ("municipality", "bergen"),
                     ("region", "grenland"), ("region", "bergen"), ("selection", "porsgrunn,skien,bergen")}
    # the three together: their national targets and emissions summed (one draw), and only national targets
    together = [r for r in rows if r["level"] == "selection"]
    assert together and {r["group"] for r in together} == {"national"}
    for r in together:
        members = [x for x in rows if x["target_id"] == r["target_id"] and x["level"] == "municipality"
                   and x["scenario"] == r["scenario"]]
        assert len(members) == 3
        for key in ("target_value", "modelled_value"):
            assert r[key] == pytest.approx(sum(x[key] for x in members), rel=1e-6), (r["target_id"], key)
    # exactly a city region, or all 13: their own rows are there, no selection besides
    grenland = json.loads(invoke("targets", result_file, "--municipality", "skien,porsgrunn", "--format",
                                 "json").output)
    assert "selection" not in {r["level"] for r in grenland} and "region" in {r["level"] for r in grenland}
    table = invoke("targets", result_file, "--municipality", "skien,oslo")
    assert table.exit_code == 0, table.output
    assert "skien " in table.output and "\noslo " in table.output and "baerum" not in table.output
    assert "region " not in table.output and "all 13" not in table.output and "together: oslo, skien" in table.output
    assert "zero-growth goal" not in table.output                      # Oslo's region needs Bærum too
    # a municipality whose own targets cannot be evaluated still hears of them, and why (Tromsø states no base)
    alone = invoke("targets", result_file, "--municipality", "tromso")
    assert alone.exit_code == 0, alone.output
    assert "own emission targets" in alone.output and "not evaluated: the source states no base" in alone.output


@pytest.mark.parametrize("args, message", [
    (("--from", "2060"), "--from: must be a year of"),
    (("--zero-growth-base", "2040"), "--zero-growth-base: must be a year of"),
    (("--scenario", "nowhere"), "--scenario: 'nowhere' not in"),
    (("--municipality", "oslo,olso"), "--municipality: 'olso' not in"),
    (("--national-rule", "fair"), "Invalid value for '--national-rule'"),
])
def test_command_refuses_bad_options_in_one_line(result_file, args, message):
    res = invoke("targets", result_file, *args)
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output


def test_command_refuses_a_file_that_is_not_a_result(tmp_path):
    bad = tmp_path / "bad.nc"
    bad.write_text("not a result")
    res = invoke("targets", bad)
    assert res.exit_code == 2 and "not a framtid result file" in res.output


# --- several draws: P(met), ranges, each draw against its own target -----------------------------

def set_oslo_total(ds, year, totals_kt):
    """Oslo's total emissions [kt CO2e/yr] in ``year``, one per draw (heating makes up what industry,
    500 kt x the draw's scale, leaves), in both the sector and the source variables."""
    industry = ds["emissions"].sel(scenario="a", municipality="oslo", sector="industry", year=year).values
    heating = np.asarray(totals_kt, dtype=float) * 1000.0 - industry
    where = dict(scenario="a", municipality="oslo", year=year)
    ds["emissions"].loc[dict(where, sector="heating")] = heating
    ds["emissions_source"].loc[dict(where, source="heating_oil")] = heating
    return ds


def test_p_met_is_the_share_of_draws_at_or_below_the_target():
    # 100 draws alike, but Oslo's 2030 total is 600 kt in 30 of them and 700 kt in 70 (target 659.67)
    ds = set_oslo_total(made_up(draw_scales=(1.0,) * 100), 2030, [600.0] * 30 + [700.0] * 70)
    rows = tg.assess(ds)
    r = pick(rows, "norway.emissions.2030", "oslo", level="municipality")
    assert r["draws"] == 100 and r["statistic"] == "median of 100 draws"
    assert r["p_met"] == pytest.approx(0.30) and r["met_in_target_year"] is False
    assert (r["modelled_value"], r["modelled_p05"], r["modelled_p95"]) == pytest.approx((700.0, 600.0, 700.0))
    assert r["target_value"] == r["target_value_p05"] == r["target_value_p95"] == pytest.approx(659.6734, abs=1e-3)
    assert (r["gap"], r["gap_p05"], r["gap_p95"]) == pytest.approx((40.3266, -59.6734, 40.3266), abs=1e-3)
    # first met: 2030 in 30 draws, 2038 in the others, so half of the draws have met it by 2038; all ever do
    assert r["first_year_met"] == 2038 and r["p_ever_met"] == 1.0
    # the 13 together miss it in every draw; the Oslo region (Oslo + Baerum at 0.2: target 791.6 kt) meets it
    # in the same 30 draws (600 + 174 kt), as its sum is taken draw by draw
    assert pick(rows, "norway.emissions.2030", "all 13")["p_met"] == 0.0
    assert pick(rows, "norway.emissions.2030", "oslo", level="region")["p_met"] == pytest.approx(0.30)


def test_a_target_met_in_half_the_draws_counts_as_met_and_p_ever_met_counts_the_draws_that_ever_meet_it():
    # 4 draws alike; Oslo's 2030 total 600 kt in the first two, 700 kt from 2030 to 2050 in the others (target
    # 659.67): met in 2 of 4 draws in its year, which is "met" (at least half), and ever met in those 2 alone
    ds = made_up(draw_scales=(1.0,) * 4)
    for year in range(2030, 2051):
        now = ds["emissions"].sel(scenario="a", municipality="oslo", year=year).sum("sector").values / 1000.0
        set_oslo_total(ds, year, [600.0, 600.0, 700.0, 700.0] if year == 2030 else [now[0], now[1], 700.0, 700.0])
    r = pick(tg.assess(ds), "norway.emissions.2030", "oslo", level="municipality")
    assert r["p_met"] == 0.5 and r["met_in_target_year"] is True
    assert r["p_ever_met"] == 0.5 and r["first_year_met"] == 2030


def test_each_draw_is_set_against_its_own_target():
    # the share rule sets each draw's target on its own 2009 emissions: 1500, 1650 and 3000 kt give targets
    # 659.67, 725.64 and 1319.35 kt; 2030 totals 700 (above), 710 (below) and 1400 (above)
    ds = set_oslo_total(made_up(draw_scales=(1.0, 1.1, 2.0)), 2030, [700.0, 710.0, 1400.0])
    r = pick(tg.assess(ds), "norway.emissions.2030", "oslo", level="municipality")
    # medians alone would call it met (710 <= 725.64); per draw it is met in one draw of three
    assert r["modelled_value"] == pytest.approx(710.0) and r["target_value"] == pytest.approx(725.6407, abs=1e-3)
    assert r["p_met"] == pytest.approx(1 / 3) and r["met_in_target_year"] is False
    assert r["gap"] == pytest.approx(40.3266, abs=1e-3)                      # the median of the draws' gaps
    assert (r["target_value_p05"], r["target_value_p95"]) == pytest.approx((659.6734 + 0.1 * 65.9673,
                                                                             1319.3468 - 0.1 * 593.7061), abs=1e-3)


def test_median_first_year_and_share_met_by_hand():
    years = list(range(2009, 2051))
    assert tg.median_first_year([2030] * 30 + [2038] * 70, years) == 2038
    assert tg.median_first_year([2030] * 50 + [None] * 50, years) == 2030        # half of the draws by 2030
    assert tg.median_first_year([2040] * 49 + [None] * 51, years) is None         # fewer than half ever
    assert tg.median_first_year([2035], years) == 2035 and tg.median_first_year([None], years) is None
    assert tg.share_met([1.0] * 30 + [3.0] * 70, [2.0] * 100) == pytest.approx(0.30)
    assert tg.share_met([2.0, 2.5], [2.0, 2.0]) == 0.5                            # at the target counts as met


def test_tables_of_several_draws_show_the_range_and_p_met_and_one_draw_stays_as_it_was():
    one = tg.assess(made_up())
    assert tt.tidy(one)[0] == tt.TIDY and "p_met" not in tt.TIDY
    text = "\n".join(f"{t}\n{h}\n{b}" for _, t, h, b in tt.sections(one))
    assert "P(met)" not in text and "gap_%" in text
    ds = set_oslo_total(made_up(draw_scales=(1.0,) * 100), 2030, [600.0] * 30 + [700.0] * 70)
    rows = tg.assess(ds)
    header, body = tt.tidy(rows)
    assert header == tt.TIDY_RANGED and {"p_met", "p_ever_met", "modelled_p05", "modelled_p95", "gap_p05",
                                         "gap_p95", "target_value_p05", "draws", "sampler"} <= set(header)
    sections = tt.sections(rows, "ar4", "share", 2050, "100 draws, sampler lhs")
    key, title, head, table = next(s for s in sections if s[0] == "a-norway.emissions.2030")
    assert head == ("area",) + tt.NUMBERS_RANGED
    oslo = next(r for r in table if r[0] == "oslo")
    # P(inv) 0.48: the discrepancy of 2030 spreads each draw about its value, so the 30 draws below the
    # target count less than 1 each and the 70 above more than 0 (test_discrepancy checks the arithmetic); the
    # cut from 2026 (990 kt in every draw) to 659.67 in four years: 9.7 % a year
    assert oslo[1:] == ("659.7", "700.0", "+40.3 (-59.7 to +40.3)", "0.30", "0.48", 2038, "1.00", "9.7")
    assert "100 draws, sampler lhs: each draw is set against its own target" in sections[0][1]


def test_command_on_a_sampled_run_gives_p_met_per_draw(sampled):
    res = invoke("targets", sampled)
    assert res.exit_code == 0, res.output
    assert "8 draws, sampler lhs: each draw is set against its own target" in " ".join(res.output.split())
    assert "P(met)" in res.output and "P(ever)" in res.output and "median of 8 draws" in res.output
    records = json.loads(invoke("targets", sampled, "--format", "json").output)
    r = next(x for x in records if x["target_id"] == "norway.emissions.2030" and x["area"] == "oslo"
             and x["level"] == "municipality")
    assert r["draws"] == 8 and r["sampler"] == "lhs"
    # by hand from the file: each draw's 2030 total against its own share-rule target
    total = api.open_results(sampled)["emissions"].sel(scenario="reference", municipality="oslo").sum("sector") / 1000
    modelled, target = total.sel(year=2030).values, total.sel(year=2009).values * (1 + R2030)
    assert r["p_met"] == pytest.approx(np.mean(modelled <= target))
    assert (r["modelled_value"], r["modelled_p05"], r["modelled_p95"]) == pytest.approx(
        (np.median(modelled), np.percentile(modelled, 5), np.percentile(modelled, 95)))
    assert r["gap"] == pytest.approx(np.median(modelled - target))
    # Oslo misses -55 % in every draw (P(met) 0); Klimaforliket's 2020 cap (48 Mt against 52 541 kt in 2009) it
    # meets in every draw since 0.27.0 (in some before), and some target is met in some draws only
    cap = next(x for x in records if x["target_id"] == "norway.emissions.2020" and x["area"] == "oslo"
               and x["level"] == "municipality")
    p_cap = np.mean(total.sel(year=2020).values <= total.sel(year=2009).values * 48000 / 52541)
    assert cap["p_met"] == pytest.approx(p_cap) and any(0 < x["p_met"] < 1 for x in records if x["p_met"] is not None)
    rows = list(csv.DictReader(io.StringIO(invoke("targets", sampled, "--format", "csv").output)))
    assert set(rows[0]) == set(tt.TIDY_RANGED)


def test_a_chance_of_the_inventory_never_prints_as_certain():
    assert [tt.inventory_chance(x) for x in (None, 0.0, 0.004, 0.005, 0.5, 0.995, 0.996, 1.0)] == [
        "-", "<0.01", "<0.01", "0.01", "0.50", "0.99", ">0.99", ">0.99"]
