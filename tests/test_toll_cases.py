"""The model's answer to each toll change (``framtid tolls``, model/evaluation/toll_cases.py) and the
comparison with observed changes at the cordons."""

import json
from datetime import date

import numpy as np
import pytest
from click.testing import CliRunner

from framtid.cli.main import main
from framtid.model import cordons as cm
from framtid.model import dims
from framtid.model.errors import ObservationFileError
from framtid.model.evaluation import toll_cases
from framtid.model.measures.charges import charge_fields
from framtid.model.scenario import load

TRONDHEIM_RUSH_HOUR = "framtid:congestion-trondheim-rush-hour"


def test_the_toll_cases_of_tromso_set_the_ring_before_and_after_and_against_no_ring():
    rows = toll_cases.cases(load("framtid:current-policies"), cordons=("tromso_ring",))
    opening, rates = rows
    assert (opening["cordon"], opening["from"], opening["change"]) == ("tromso_ring", 2023, "new scheme")
    # the line carries traffic before the ring, less after; the ring's own effect is a cut, most in the peak
    assert 0 < opening["passages_after"] < opening["passages_before"]
    assert opening["effect_pct"] < 0 and opening["effect_peak_pct"] < opening["effect_pct"] < 0
    assert opening["before_after_pct"] == pytest.approx(
        100 * (opening["passages_after"] / opening["passages_before"] - 1))
    # the rates of June 2024 act at half strength that year: their first full year is 2025, and the opening's
    # effect is read up to the year before them
    assert (rates["change"], rates["from"], opening["until"]) == ("rates", 2025, 2023)


def _toll_paths(scenario, cordon):
    """The cordon's toll lever summed over the municipalities ``(T, class, fuel, period)`` [real 2009 NOK]."""
    from framtid.model import levers
    from framtid.model.measures import lever_paths

    c = levers.axis_labels("cordon").index(cordon)
    return lever_paths(list(scenario.measures), dims.YEARS, 1)["toll_nok"][:, 0, :, c].sum(axis=1)


def test_the_toll_cases_leave_out_one_change_as_the_rates_before_it_or_no_scheme():
    """``framtid tolls`` compares each toll change with the run without it: new rates replaced by the rates
    they replaced (the cordon's prices then stay as before), a new scheme removed (no price on its cordon)."""
    from framtid.model import levers

    cp = load("framtid:current-policies")
    c = levers.axis_labels("cordon").index
    charges = {m.label: m for m in cp.measures if m.kind == "congestion_charge"}
    tolls = _toll_paths

    # Trondheim's rates of 2019 held at those of 2010, which were posted nominally (carried year by year): their
    # kroner go on, in the prices of 2019, and are held in real terms after
    from framtid.model.prices import to_real_2009

    rates = charges["trondheim_ring tolls from 2019-01-01"]
    held = tolls(toll_cases.without(cp, rates), "trondheim_ring")
    k = rates.start_year - dims.BASE_YEAR
    np.testing.assert_allclose(held[k:], np.broadcast_to(held[k], held[k:].shape))
    np.testing.assert_allclose(held[k], held[k - 1] * to_real_2009(2019) / to_real_2009(2018))
    assert not np.allclose(tolls(cp, "trondheim_ring")[k], held[k - 1])
    # Osloringen's rates of October 2017 held at those before: Fjellinjen's rates follow the prices, so they are
    # held in real terms
    from framtid.model.measures import lever_targets

    rates = charges["oslo_ring tolls from 2017-10-01"]
    held = tolls(toll_cases.without(cp, rates), "oslo_ring")
    k = rates.start_year - dims.BASE_YEAR
    before = lever_targets(charges["oslo_ring tolls from 2017-07-01"])["toll_nok"]   # in its own kroner of 2017
    np.testing.assert_allclose(held[k], before[c("oslo_ring")])
    # Tromsø's new ring of 2023 removed: no price on it until its next change (June 2024, half that year) sets
    # rates again
    new, then = sorted((m for m in charges.values() if m.values["cordon"] == "tromso_ring"),
                       key=lambda m: m.start_year)[:2]
    k, nxt = new.start_year - dims.BASE_YEAR, then.start_year - dims.BASE_YEAR
    without = tolls(toll_cases.without(cp, new), "tromso_ring")
    assert not without[:nxt].any() and without[nxt].any() and tolls(cp, "tromso_ring")[k].any()


def test_a_scheme_that_succeeds_a_cordon_is_set_against_the_predecessor_kept():
    """Oslo's 2019 Osloringen continues the 1990 ring's stations (cordons.csv: succeeds oslo_ring): its case
    leaves out the owner's new schemes of 2019 (Osloringen, the Indre ring, Bygrensen) and keeps the old ring's
    last rates, whose end in 2019 is undone; the Indre ring, a scheme of its own, is set against no Indre ring."""
    from framtid.model import levers
    from framtid.model.measures import lever_paths

    cp = load("framtid:current-policies")
    c = levers.axis_labels("cordon").index
    ring = next(m for m in toll_cases.changes(cp, ("oslo_ring_2019",)) if m.start_year == 2019)
    assert toll_cases.predecessor(cp, ring) == "oslo_ring" and len(toll_cases._ends(cp, ring)) == 1
    kept = toll_cases.without(cp, ring)

    def tolls(scenario, cordon):
        return lever_paths(list(scenario.measures), dims.YEARS, 1)["toll_nok"][:, 0, :, c(cordon)].sum(axis=1)

    # up to the successor's next rates (2022): none of the three 2019 cordons charges ...
    k = 2020 - dims.BASE_YEAR
    for cordon in ("oslo_ring_2019", "oslo_inner_ring", "oslo_city_boundary"):
        assert not tolls(kept, cordon)[k:k + 2].any() and tolls(cp, cordon)[k].any(), cordon
    # ... and the old ring goes on charging its rates of October 2017 (54/44 NOK), which end in 2019 in fact
    old = tolls(kept, "oslo_ring")
    np.testing.assert_allclose(old[k:k + 2], np.broadcast_to(old[2018 - dims.BASE_YEAR], old[k:k + 2].shape))
    assert not tolls(cp, "oslo_ring")[k].any()
    inner = next(m for m in toll_cases.changes(cp, ("oslo_inner_ring",)) if m.start_year == 2019)
    assert toll_cases.predecessor(cp, inner) is None and not toll_cases._ends(cp, inner)
    # a change of the successor's rates is set against its rates held, as any other
    later = next(m for m in toll_cases.changes(cp, ("oslo_ring_2019",)) if m.start_year == 2022)
    assert toll_cases.predecessor(cp, later) is None
    (row,) = [r for r in toll_cases.cases(cp, cordons=("oslo_ring_2019",)) if r["start"] == 2019]
    assert row["change"] == "successor of oslo_ring"
    assert toll_cases.table_rows([row], 1)[1][0][2] == "27/21+"


def test_a_successor_that_extends_its_predecessor_is_set_against_it_on_its_share_of_the_line():
    """Bygrensen (2019, inbound) succeeds the Bærum ring (inbound), which stood on its western part alone: the year
    before, the Bærum ring's line carried 0.42 of the crossings of Bygrensen's (their external ratios 0.5 and 2.55,
    1.5 / 3.55), so the case sets that share against the Bærum ring kept and the rest against no scheme on the line;
    Osloringen follows the 1990 ring's stations (inbound then, both ways after: the passages a line counts are its
    crossings times 0.5 or 1) and is set against the old ring kept alone."""
    from framtid.model.api import run_scenario

    cp = load("framtid:current-policies")
    change = next(m for m in toll_cases.changes(cp, ("oslo_city_boundary",)) if m.start_year == 2019)
    (row,) = [r for r in toll_cases.cases(cp, cordons=("oslo_city_boundary",)) if r["start"] == 2019]
    model = run_scenario(cp).record
    ids = list(run_scenario(cp).cordons)
    k0, k = 2018 - dims.BASE_YEAR, 2020 - dims.BASE_YEAR
    c, p = ids.index("oslo_city_boundary"), ids.index("baerum_ring")
    share = toll_cases._passages(model, k0, p) / toll_cases._passages(model, k0, c)
    assert share == pytest.approx(1.5 / 3.55, rel=1e-9)
    assert row["change"] == "successor of baerum_ring on 0.42 of its line"
    group = toll_cases.together(cp, change, toll_cases.changes(cp))
    kept = run_scenario(toll_cases.without_all(cp, group)).record
    none = run_scenario(toll_cases.without_all(cp, group, ended=change)).record
    mixed = share * toll_cases._passages(kept, k, c) + (1 - share) * toll_cases._passages(none, k, c)
    after = toll_cases._passages(model, k, c)
    assert row["effect_pct"] == pytest.approx(float(100 * (after / mixed - 1)[0]), rel=1e-12)
    # against the Bærum ring kept alone the opening would read small; against no scheme alone, large
    assert 100 * (after / toll_cases._passages(kept, k, c) - 1) > row["effect_pct"] > \
        100 * (after / toll_cases._passages(none, k, c) - 1)
    (ring,) = [r for r in toll_cases.cases(cp, cordons=("oslo_ring_2019",)) if r["start"] == 2019]
    assert ring["change"] == "successor of oslo_ring"


def _row(cordon, start, full, b_a, effect, low=None, high=None):
    """A case row as :func:`toll_cases.cases` makes it (the keys compare reads); one draw without a range."""
    low = effect if low is None else low
    high = effect if high is None else high
    return {"cordon": cordon, "start": start, "from": full, "before_after_pct": b_a, "before_after_p05": b_a - 2.0,
            "before_after_p95": b_a + 2.0, "effect_pct": effect, "effect_p05": low, "effect_p95": high}


def _observed(tmp_path, text, name="counts.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_observed_change_meets_the_case_whose_ramp_holds_its_year(tmp_path):
    """A change from July 2018 ramps over 2018-2019: an observation dated either year is compared with it; the
    error is model - observed in percentage points, and in_range reads the model's 5-95 % of what it compares."""
    rows = [_row("ring", 2018, 2019, b_a=-12.0, effect=-10.0, low=-15.0, high=-6.0),
            _row("ring", 2022, 2022, b_a=-3.0, effect=-1.0)]
    path = _observed(tmp_path, "cordon,year,change_pct,compare,source\n"
                               "ring,2018,-8,,count A\nring,2019,-16,effect,study B\nring,2022,-2.5,,count C\n")
    compared = toll_cases.compare(rows, toll_cases.read_observed_changes(path), path)
    assert [(r["year"], r["from"], r["compare"], r["model_pct"]) for r in compared] == [
        (2018, 2019, "before_after", -12.0), (2019, 2019, "effect", -10.0), (2022, 2022, "before_after", -3.0)]
    assert [r["error_pp"] for r in compared] == pytest.approx([-4.0, 6.0, -0.5])
    # before-and-after range -14 to -10 does not hold -8; the effect's -15 to -6 does not hold -16; the
    # before-and-after range of the 2022 case (-5 to -1) holds -2.5
    assert [r["in_range"] for r in compared] == [False, False, True]
    assert [r["source"] for r in compared] == ["count A", "study B", "count C"]
    a = toll_cases.agreement(compared)
    assert a == pytest.approx({"cases": 3, "bias_pp": (-4.0 + 6.0 - 0.5) / 3, "mae_pp": (4.0 + 6.0 + 0.5) / 3,
                               "in_range_share": 1 / 3})


def test_an_observation_is_dated_by_the_calendar_year_its_change_took_effect(tmp_path):
    """A scheme opened on 2018-10-01 runs in the model from 2019: a count dated 2018 is that change, as is one
    dated 2019 (its first full year). Two changes that took effect in 2017 (July and October) need the date to
    tell them apart; 2018, the July change's second ramp year and the October change's first, is the later."""
    rows = [{**_row("ring", 2019, 2019, b_a=-14.0, effect=-15.0), "date": "2018-10-01"},
            {**_row("other", 2017, 2018, b_a=0.5, effect=-0.3), "date": "2017-07-01"},
            {**_row("other", 2018, 2018, b_a=-5.0, effect=-6.0), "date": "2017-10-01"}]
    path = _observed(tmp_path, "cordon,year,change_pct,date\nring,2018,-9,\nring,2019,-9,\nother,2017,-1,2017-07\n"
                               "other,2017,-6,2017-10-01\nother,2018,-6,\n")
    compared = toll_cases.compare(rows, toll_cases.read_observed_changes(path), path)
    assert [(r["cordon"], r["year"], r["date"], r["model_pct"]) for r in compared] == [
        ("ring", 2018, "2018-10-01", -14.0), ("ring", 2019, "2018-10-01", -14.0),
        ("other", 2017, "2017-07-01", 0.5), ("other", 2017, "2017-10-01", -5.0), ("other", 2018, "2017-10-01", -5.0)]
    # the ring's first full year with the day it opened, as framtid tolls lists the change
    first_full = _observed(tmp_path, "cordon,year,change_pct,date\nring,2019,-9,2018-10\n", "full.csv")
    assert [r["model_pct"] for r in toll_cases.compare(rows, toll_cases.read_observed_changes(first_full),
                                                       first_full)] == [-14.0]
    ambiguous = _observed(tmp_path, "cordon,year,change_pct\nother,2017,-6\n", "two.csv")
    with pytest.raises(ObservationFileError, match=r"two.csv: line 2, column 'year': 2 toll changes of the scenario on "
                                                   r"other took effect in 2017 \(2017-07-01, 2017-10-01\); add a "
                                                   r"column date \(like 2017-10\) to say which"):
        toll_cases.compare(rows, toll_cases.read_observed_changes(ambiguous), ambiguous)
    undated = _observed(tmp_path, "cordon,year,change_pct,date\nother,2017,-6,2017-08\n", "august.csv")
    with pytest.raises(ObservationFileError, match=r"line 2, column 'date': no toll change of the scenario on other "
                                                   r"took effect on 2017-08; the toll changes on other: 2017-2018 "
                                                   r"\(took effect 2017-07-01\); 2018 \(took effect 2017-10-01\)"):
        toll_cases.compare(rows, toll_cases.read_observed_changes(undated), undated)


def test_the_toll_history_dates_each_change_and_an_opening_by_its_first_day():
    history = {m.label: m for m in toll_cases.changes(load("framtid:current-policies"))}
    # opened 2018-10-01, in the model from 2019 at the rates of 2019-03-25
    assert history["nord_jaeren_stavanger tolls from 2019-03-25"].start_date.isoformat() == "2018-10-01"
    assert history["oslo_ring tolls from 2017-10-01"].start_year == 2018
    assert history["oslo_ring tolls from 2017-10-01"].start_date.isoformat() == "2017-10-01"
    assert history["fredrikstad_ring tolls from 2019-11-15"].start_date.isoformat() == "2019-11-15"
    for label, m in history.items():
        assert m.start_date.year in (m.start_year - 1, m.start_year), label


def test_a_posted_rate_is_carried_nominally_until_its_next_change_and_held_in_real_terms_after_the_last():
    """Bergen's 25 NOK, in force until 2016-01-31 and carried back to 2009, is 25 NOK of each year to 2015: its
    real value falls with the prices (by 2015 to 25 NOK of 2015, 0.86 of 25 NOK of 2009), not 25 NOK of 2009 held.
    Fjellinjen's rates in Oslo followed the prices and are held in real terms; a cordon's last rate is too."""
    from framtid.model import levers
    from framtid.model.measures import lever_paths
    from framtid.model.prices import to_real_2009

    cp = load("framtid:current-policies")
    paths = lever_paths(list(cp.measures), dims.YEARS, 1)["toll_nok"][:, 0]         # (T, M, C, class, fuel, period)
    cordon = levers.axis_labels("cordon").index

    def petrol_peak(name, owner):
        return paths[:, dims.MUNICIPALITIES.index(owner), cordon(name), 0, 0, 0]

    bergen = petrol_peak("bergen_ring", "bergen")
    k = np.arange(2009, 2016) - dims.BASE_YEAR
    np.testing.assert_allclose(bergen[k], [25 * to_real_2009(y) / to_real_2009(2009) for y in range(2009, 2016)])
    assert bergen[2015 - dims.BASE_YEAR] == pytest.approx(25 * 0.8623, rel=0.01)   # d(2015), current-policies
    # the last rates (Bergen 2022, Trondheim 2019) and Oslo's stay at their real value
    for name, owner, first in (("bergen_ring", "bergen", 2022), ("trondheim_ring", "trondheim", 2019),
                               ("oslo_ring_2019", "oslo", 2025)):
        rate = petrol_peak(name, owner)[first - dims.BASE_YEAR:]
        np.testing.assert_allclose(rate, rate[0], err_msg=name)
    oslo = petrol_peak("oslo_ring_2019", "oslo")[2020 - dims.BASE_YEAR:2022 - dims.BASE_YEAR]
    assert oslo[0] == oslo[1]
    # a carry is no toll change: the cases are the changes of the data, and a change is read on through its carries
    history = toll_cases.changes(cp, ("trondheim_ring",))
    assert [m.label for m in history] == ["trondheim_ring tolls from 2010-03-31",
                                          "trondheim_ring tolls from 2019-01-01"]
    assert toll_cases.years(cp, history[0]) == (2010, 2015)
    carries = toll_cases.carries_of(cp, history[0])
    assert [m.start_year for m in carries] == list(range(2011, 2019))
    assert all(toll_cases.is_carry(cp, m) and m.price_year == m.start_year for m in carries)
    assert not toll_cases.carries_of(cp, history[1])


def test_a_battery_electric_rate_quoted_with_a_tag_only_is_taken_back_to_its_full_price(tool):
    """Tromsø 2023: petrol 36/12 NOK in full, 20 % off with a tag; battery cars 14.4/4.8 with a tag (half the
    tagged rate): full, 18/6, half the full rate. A rate stated with its own discount (Oslo 2019) is a full price."""
    history = tool("toll_history")
    day = date(2023, 6, 1)
    live = [r for r in cm.load_toll_rates() if r.cordon == "tromso_ring" and r.valid_from <= day
            and (r.valid_to is None or r.valid_to >= day)]
    bev = {r.period: r.price_nok for r in history._full_prices(live) if r.fuel == "bev"}
    assert bev == pytest.approx({"peak": 14.4 / 0.8, "offpeak": 4.8 / 0.8}) == {"peak": 18.0, "offpeak": 6.0}
    fields = charge_fields(cm.cells(history._full_prices(live), 0.0))
    assert fields["bev_discount"] == pytest.approx(0.5) and fields["bev_offpeak_discount"] == pytest.approx(0.5)
    day = date(2020, 6, 1)
    oslo = [r for r in cm.load_toll_rates() if r.cordon == "oslo_ring_2019" and r.valid_from <= day
            and (r.valid_to is None or r.valid_to >= day)]
    assert history._full_prices(oslo) == oslo
    written = {m.label: m for m in toll_cases.changes(load("framtid:current-policies"))}
    assert written["tromso_ring tolls from 2023-01-05"].values["bev_discount"] == pytest.approx(0.5)
    assert written["trondheim_ring tolls from 2019-01-01"].values["bev_discount"] == pytest.approx(0.8)


def test_one_draw_has_no_range_to_hold_an_observation(tmp_path):
    rows = [{**_row("ring", 2018, 2019, b_a=-12.0, effect=-10.0), "before_after_p05": -12.0,
             "before_after_p95": -12.0}]
    path = _observed(tmp_path, "cordon,year,change_pct\nring,2019,-12\n")
    compared = toll_cases.compare(rows, toll_cases.read_observed_changes(path), path)
    assert compared[0]["in_range"] is None and compared[0]["error_pp"] == 0.0
    assert toll_cases.agreement(compared)["in_range_share"] is None


@pytest.mark.parametrize("text, where, allowed", [
    ("cordon,year\nring,2019\n", "line 1, column 'change_pct'", "cordon,year,change_pct[,compare][,source]"),
    ("cordon,year,change_pct\nring,19,-8\n", "line 2, column 'year'", "outside the model's years of change, 2010-2050"),
    ("cordon,year,change_pct\nring,2019,minus 8\n", "line 2, column 'change_pct'", "above -100, like -8.5"),
    ("cordon,year,change_pct\nring,2019,-100\n", "line 2, column 'change_pct'", "above -100"),
    ("cordon,year,change_pct,compare\nring,2019,-8,after\n", "line 2, column 'compare'",
     "allowed: before_after, effect"),
    ("cordon,year,change_pct\n,2019,-8\n", "line 2, column 'cordon'", "empty cell"),
    ("", "line 1", "expected a header cordon,year,change_pct[,compare][,source]"),
    ("cordon,year,change_pct,date\nring,2019,-8,2017-10\n", "line 2, column 'date'",
     "the day or month the change took effect, in 2019 or the year before (a change of late 2018 measured in "
     "2019), like 2019-10-01 or 2018-10, got '2017-10'"),
    ("cordon,year,change_pct,date\nring,2019,-8,October\n", "line 2, column 'date'", "got 'October'"),
    ("cordon,year,change_pct,date\nring,2019,-8,2019-10-1\n", "line 2, column 'date'", "got '2019-10-1'"),
    ("cordon,year,change_pct\nring,2019,-8,5\n", "line 2", "more values than the 3 columns"),
    ("cordon,cordon,year,change_pct\nx,ring,2019,-8\n", "line 1, column 'cordon'", "named twice in the header"),
    ("cordon,year,change_pct\nring,2019,-10\nring,2019,-12\n", "line 3, column 'change_pct'",
     "the change on ring in 2019 (before_after) is given twice (also line 2)"),
])
def test_a_bad_observed_file_is_refused_naming_the_file_line_column_and_what_is_allowed(tmp_path, text, where,
                                                                                        allowed):
    path = _observed(tmp_path, text)
    with pytest.raises(ObservationFileError) as err:
        toll_cases.read_observed_changes(path)
    assert str(err.value).startswith(f"{path}: {where}") and allowed in str(err.value)


def test_an_observation_without_a_case_names_the_cases_there_are(tmp_path):
    rows = [_row("tromso_ring", 2023, 2023, -8.0, -8.0), _row("tromso_ring", 2024, 2025, -6.0, -1.6)]
    path = _observed(tmp_path, "cordon,year,change_pct\ntromso_ring,2021,-5\ntromso_rng,2023,-5\n")
    observed = toll_cases.read_observed_changes(path)
    with pytest.raises(ObservationFileError, match=r"line 2, column 'year': .* on tromso_ring .* in 2021; the toll "
                                                    r"changes on tromso_ring: 2023; 2024-2025"):
        toll_cases.compare(rows, observed[:1], path)
    with pytest.raises(ObservationFileError, match=r"line 3, .*did you mean 'tromso_ring'\? cordons with toll "
                                                    r"changes: tromso_ring"):
        toll_cases.compare(rows, observed[1:], path)


def test_own_takes_only_the_toll_changes_a_scenario_adds():
    scenario = load(TRONDHEIM_RUSH_HOUR)
    own = toll_cases.changes(scenario, own=True)
    assert {m.values["cordon"] for m in own} == {"trondheim_ring", "trondheim_inner"}
    assert all(m.start_year == 2027 for m in own)
    everything = toll_cases.changes(scenario)
    assert len(everything) > len(own) and all(m in everything for m in own)
    assert toll_cases.changes(scenario, cordons=("tromso_ring",), own=True) == []


def test_framtid_tolls_prints_a_scenarios_own_cases_and_compares_observations(tmp_path):
    path = _observed(tmp_path, "cordon,year,change_pct,source\ntrondheim_ring,2027,1.0,a test value\n")
    args = ["tolls", TRONDHEIM_RUSH_HOUR, "--own", "--cordon", "trondheim_ring", "--observed", str(path)]
    table = CliRunner().invoke(main, args)
    assert table.exit_code == 0, table.output
    assert "trondheim_ring" in table.output and "trondheim_inner" not in table.output
    assert "1 observed changes: mean error" in table.output
    out = CliRunner().invoke(main, args + ["--format", "json"])
    body = json.loads(out.stdout, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    (case,) = body["cases"]
    assert case["factor"] is None          # a change of rates has no toll_change factor: null, not NaN
    (seen,) = body["observed"]
    assert (case["cordon"], case["start"], case["from"], body["draws"]) == ("trondheim_ring", 2027, 2027, 1)
    assert seen["model_pct"] == case["before_after_pct"] and seen["error_pp"] == pytest.approx(
        case["before_after_pct"] - 1.0)
    # the rush-hour charge (peak price up by half) moves trips out of the peak
    assert case["effect_peak_pct"] < 0 < case["passages_after"]
    csv_out = CliRunner().invoke(main, args + ["--format", "csv"])
    assert csv_out.stdout.splitlines()[0] == ",".join(toll_cases.COMPARED_COLUMNS) and "nan" not in csv_out.stdout


@pytest.mark.parametrize("args, message", [
    (["--cordon", "trondheim_rng"], "--cordon: no toll change on trondheim_rng in congestion-trondheim-rush-hour; "
                                    "did you mean 'trondheim_ring'"),
    # with --own, the cordons allowed are those the scenario's own measures change, not every one with a change
    (["--cordon", "bergen_ring", "--own"], "--cordon: no toll change on bergen_ring in congestion-trondheim-rush-hour "
                                           "among its own measures; cordons its own measures change: trondheim_inner, "
                                           "trondheim_ring"),
    (["--cordon", "trondheim_rng", "--own"], "did you mean 'trondheim_ring'? cordons its own measures change: "
                                             "trondheim_inner, trondheim_ring\n"),
])
def test_framtid_tolls_refuses_bad_options_with_one_message(args, message):
    res = CliRunner().invoke(main, ["tolls", TRONDHEIM_RUSH_HOUR] + args)
    assert res.exit_code == 2 and message in res.stderr and "Traceback" not in res.output + res.stderr


def test_framtid_tolls_refuses_a_bad_observed_file_before_running(tmp_path, monkeypatch):
    path = _observed(tmp_path, "cordon,year,change_pct\ntrondheim_ring,2027,-8 %\n")
    monkeypatch.setattr(toll_cases, "cases", lambda *a, **k: pytest.fail("ran the model"))
    res = CliRunner().invoke(main, ["tolls", TRONDHEIM_RUSH_HOUR, "--observed", str(path)])
    assert res.exit_code == 2 and "line 2, column 'change_pct'" in res.stderr


def test_one_change_observed_twice_is_refused_however_its_date_is_written(tmp_path):
    """A day, its month and the year alone name the same change of Oslo's 2019 rings: a second value of it would
    weigh that change twice in the mean error, so it is refused before any run."""
    from framtid.model.evaluation.toll_observations import check_observed
    from framtid.model.scenario_inheritance import builtin_path

    path = _observed(tmp_path, "cordon,year,change_pct,date\noslo_ring_2019,2019,-10,2019-06-01\n"
                               "oslo_ring_2019,2019,-12,2019-06\noslo_ring_2019,2019,-11,\n")
    observed = toll_cases.read_observed_changes(path)
    scenario = load(builtin_path("current-policies-tolls"))
    with pytest.raises(ObservationFileError, match=r"line 3, column 'change_pct': the toll change on oslo_ring_2019 "
                                                    r"of 2019-06-01 \(before_after\) is given twice \(also line 2\)"):
        check_observed(scenario, observed, path)
    check_observed(scenario, observed[:1], path)        # once is allowed


def test_an_own_change_that_a_later_own_change_replaces_is_left_out_of_its_counterfactual(tmp_path):
    """The first of two own changes on a cordon ends when the second starts: its case still runs the scenario
    without it (the rates before it held until 2030), so its effect is the change's own, not zero."""
    path = tmp_path / "trondheim-steps.toml"
    path.write_text('''[scenario]
name = "trondheim-steps"
extends = "framtid:current-policies"

[[measure]]
kind = "congestion_charge"
label = "step 1"
replaces = "trondheim_ring tolls from 2019-01-01"
cordon = "trondheim_ring"
start_year = 2027
price_year = 2019
peak_nok = 60
offpeak_nok = 30

[[measure]]
kind = "congestion_charge"
label = "step 2"
replaces = "step 1"
cordon = "trondheim_ring"
start_year = 2030
price_year = 2019
peak_nok = 80
offpeak_nok = 40
''', encoding="utf-8")
    first, second = toll_cases.cases(load(path), own=True)
    assert (first["label"], first["from"], first["until"]) == ("step 1", 2027, 2029)
    assert (second["label"], second["from"]) == ("step 2", 2030)
    assert first["effect_pct"] < -1.0 and second["effect_pct"] < -1.0


def test_a_change_is_read_later_only_while_its_scheme_lasts():
    """The 1990 Oslo ring's rates of 2018 end with the ring in 2019: its later effect is read in 2018, not
    five years on in a year it no longer charges."""
    scenario = load("framtid:current-policies")
    change = next(m for m in toll_cases.changes(scenario, ("oslo_ring",)) if m.start_year == 2018)
    assert toll_cases.years(scenario, change) == (2018, 2018)


def test_a_change_ramping_past_2050_is_read_in_2050(tmp_path):
    path = tmp_path / "late.toml"
    path.write_text('[scenario]\nname = "late"\nextends = "framtid:current-policies"\n\n[[measure]]\n'
                    'kind = "congestion_charge"\nlabel = "late"\nreplaces = "tromso_ring tolls from 2024-06-14"\n'
                    'cordon = "tromso_ring"\nstart_year = 2050\nramp_years = 3\nprice_year = 2024\n'
                    'peak_nok = 80\noffpeak_nok = 40\nbev_discount = 0.3\n', encoding="utf-8")
    (row,) = toll_cases.cases(load(path), own=True)
    assert (row["start"], row["from"], row["until"]) == (2050, 2050, 2050) and row["effect_pct"] < 0


def test_an_unknown_column_of_the_observed_file_is_refused(tmp_path):
    path = _observed(tmp_path, "cordon,year,change_pct,comapre\nring,2019,-8,effect\n")
    with pytest.raises(ObservationFileError, match=r"line 1, column 'comapre': unknown column 'comapre'; did you "
                                                   r"mean 'compare'\? allowed: cordon,year,change_pct"):
        toll_cases.read_observed_changes(path)


@pytest.mark.parametrize("text, options, message", [
    ("tromso_rng,2023,-5", {}, r"line 2, column 'cordon': current-policies has no toll change on 'tromso_rng'; "
                               r"did you mean 'tromso_ring'\?"),
    ("tromso_ring,2021,-5", {}, r"line 2, column 'year': .* on tromso_ring took effect, starts or reaches full "
                                r"strength in 2021; the toll changes on tromso_ring: 2023 \(took effect 2023-01-05\); "
                                r"2024-2025 \(took effect 2024-06-14\)"),
    ("tromso_ring,2023,-5", {"cordons": ("oslo_ring",)}, r"line 2: the toll change on tromso_ring in 2023 is "
                                                         r"left out by --cordon"),
    ("tromso_ring,2023,-5", {"own": True}, r"left out by --own"),
])
def test_an_observation_no_case_will_meet_is_refused_before_the_runs(tmp_path, text, options, message):
    path = _observed(tmp_path, f"cordon,year,change_pct\n{text}\n")
    observed = toll_cases.read_observed_changes(path)
    with pytest.raises(ObservationFileError, match=message):
        toll_cases.check_observed(load("framtid:current-policies"), observed, path, **options)
    toll_cases.check_observed(load("framtid:current-policies"), toll_cases.read_observed_changes(
        _observed(tmp_path, "cordon,year,change_pct\ntromso_ring,2023,-5\n", "fine.csv")), path)


def _tromso_factor(tmp_path, factor):
    path = tmp_path / "tromso-factor.toml"
    path.write_text('[scenario]\nname = "tromso-factor"\nextends = "framtid:current-policies"\n[[measure]]\n'
                    f'kind = "toll_change"\nlabel = "tromso x{factor}"\nmunicipality = "tromso"\nstart_year = 2027\n'
                    f'factor = {factor}\n', encoding="utf-8")
    return load(path)


def test_a_factor_on_the_tolls_is_a_case_at_each_cordon_it_meets_and_bounds_the_cases_before_it(tmp_path):
    """A toll_change is a toll change too: one case per cordon it meets charged, against the run without it; and
    the case of the cordon's rates before it is read 'later' only up to the year before the factor."""
    scenario = _tromso_factor(tmp_path, 2.0)
    (row,) = toll_cases.cases(scenario, own=True)
    assert (row["cordon"], row["change"], row["factor"], row["from"]) == ("tromso_ring", "factor", 2.0, 2027)
    assert row["effect_pct"] < row["effect_offpeak_pct"] < 0 and row["effect_peak_pct"] < row["effect_pct"]
    assert toll_cases.table_rows([row], 1)[1][0][2] == "x2"
    removed = _tromso_factor(tmp_path, 0.0)   # a factor of 0 takes the ring away: more passages
    (gone,) = toll_cases.cases(removed, own=True)
    assert gone["effect_pct"] > 0
    before = [r for r in toll_cases.cases(scenario, cordons=("tromso_ring",)) if r["change"] != "factor"]
    assert before[-1]["until"] == 2026


def test_the_toll_changes_of_one_day_are_left_out_together():
    """Oslo's rush-hour variant raises the peak rates of its three cordons on one day; under the hour rule a rise
    on one ring alone is mostly hidden by the other's rate, so each case leaves out the day's changes together:
    its effect is what the run without the variant's tolls shows at the cordon."""
    from framtid.model.api import run_scenario

    scenario = load("framtid:congestion-oslo-rush-hour")
    rows = toll_cases.cases(scenario, own=True)
    assert {r["cordon"] for r in rows} == {"oslo_ring_2019", "oslo_inner_ring", "oslo_city_boundary"}
    base = run_scenario(load("framtid:current-policies"), 0, 1, None).record
    model = run_scenario(scenario, 0, 1, None)
    ids = list(model.cordons)
    for r in rows:
        c, k = ids.index(r["cordon"]), r["from"] - dims.BASE_YEAR
        expected = 100 * (model.record["cordon_passages"][k, :, c].sum() / base["cordon_passages"][k, :, c].sum() - 1)
        assert r["effect_pct"] == pytest.approx(expected, abs=1e-9)
        assert len(r["together"].split("; ")) == 2 and r["label"] not in r["together"]
    assert all(r["effect_peak_pct"] < -10 for r in rows)


def test_a_change_is_held_at_what_it_replaced_only_where_that_acted(tmp_path):
    """A factor of two municipalities replacing one of one: its case holds the old factor in the first only (the
    second had none to hold), so its effect at the second's cordon is against no factor."""
    from framtid.model import levers
    from framtid.model.measures import lever_paths

    path = tmp_path / "factors.toml"
    path.write_text('[scenario]\nname = "f"\nextends = "framtid:current-policies"\n'
                    '[[measure]]\nkind = "toll_change"\nlabel = "F1"\nmunicipality = "stavanger"\nstart_year = 2030\n'
                    'factor = 1.2\n[[measure]]\nkind = "toll_change"\nlabel = "F2"\nreplaces = "F1"\n'
                    'municipality = ["stavanger", "sandnes"]\nstart_year = 2035\nfactor = 1.5\n', encoding="utf-8")
    scenario = load(path)
    (f2,) = [m for m in toll_cases.changes(scenario, own=True) if m.label == "F2"]
    scale = lever_paths(list(toll_cases.without(scenario, f2).measures), dims.YEARS, 1)["toll_scale"]
    c, k = levers.axis_labels("cordon").index, 2040 - dims.BASE_YEAR
    assert scale[k, 0, dims.MUNICIPALITIES.index("stavanger"), c("nord_jaeren_stavanger")] == 1.2
    assert scale[k, 0, dims.MUNICIPALITIES.index("sandnes"), c("nord_jaeren_sandnes")] == 1.0


BERGEN_2022_RATES = ('cordon = "bergen_ring"\npeak_nok = 54\noffpeak_nok = 26\ndiesel_surcharge_nok = 5\n'
                     'diesel_offpeak_surcharge_nok = 6\nbev_discount = 0.8\nbev_offpeak_discount = 0.81\n'
                     'heavy_peak_nok = 123\nheavy_offpeak_nok = 70\n')


def _bergen(tmp_path, label: str, start: int, price_year: int):
    """current-policies with Bergen's rates of 2022 written again from ``start`` in NOK of ``price_year``."""
    path = tmp_path / "again.toml"
    path.write_text('[scenario]\nname = "again"\nextends = "framtid:current-policies"\n\n[[measure]]\n'
                    f'kind = "congestion_charge"\nlabel = "{label}"\nreplaces = "bergen_ring tolls from 2022-01-01"\n'
                    f'start_year = {start}\nprice_year = {price_year}\n' + BERGEN_2022_RATES, encoding="utf-8")
    return load(path)


def test_the_same_rates_posted_in_a_later_years_kroner_than_the_next_are_a_change(tmp_path):
    """A carry posts the rates again the next year in its kroner; the same numbers in the kroner of 2030 after the
    rates of 2022 held in real terms are a cut a count would see, and a case of their own."""
    later = _bergen(tmp_path, "posted in 2030", 2030, 2030)
    own = toll_cases.changes(later, own=True)
    assert [m.label for m in own] == ["posted in 2030"] and not toll_cases.is_carry(later, own[0])
    # without it, the rates of 2022 stay at their real value (a cordon's last rate is held in real terms): a cut
    k = 2030 - dims.BASE_YEAR
    held, written = _toll_paths(toll_cases.without(later, own[0]), "bergen_ring"), _toll_paths(later, "bergen_ring")
    np.testing.assert_allclose(held[k], held[k - 1])
    assert (written[k] < held[k]).any()
    # posted the next year in its kroner, the same rates carry the rates of 2022 on
    carried = _bergen(tmp_path, "posted in 2023", 2023, 2023)
    assert toll_cases.is_carry(carried, next(m for m in carried.measures if m.label == "posted in 2023"))
    assert toll_cases.changes(carried, ("bergen_ring",), own=True) == []


def test_a_measure_that_replaces_its_own_label_is_read_without_end(tmp_path):
    """A measure named as the one it replaces (allowed) is not its own carry: the chain of carries ends."""
    itself = _bergen(tmp_path, "bergen_ring tolls from 2022-01-01", 2030, 2022)
    for change in toll_cases.changes(itself, ("bergen_ring",)):
        assert toll_cases.years(itself, change)[1] <= dims.FINAL_YEAR
        assert all(m is not change for m in toll_cases.carries_of(itself, change))


def test_rates_posted_in_kroner_are_held_so_without_a_change_and_those_that_followed_the_prices_in_real_terms():
    """Tromsø's rates of June 2024 left out: the rates of 2023 stay posted, in the kroner of 2024 (Tromsø's rates
    are posted in kroner); Oslo's (Fjellinjen's, which followed the prices) are held at their own year's value."""
    from framtid.model.prices import to_real_2009

    cp = load("framtid:current-policies")
    change = next(m for m in cp.measures if m.label == "tromso_ring tolls from 2024-06-14")
    held = _toll_paths(toll_cases.without(cp, change), "tromso_ring")
    k = 2025 - dims.BASE_YEAR
    np.testing.assert_allclose(held[k], held[k - 2] * to_real_2009(2024) / to_real_2009(2023))
