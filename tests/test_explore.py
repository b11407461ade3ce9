"""framtid explore: a package's measures turned on and off and edited give the numbers of the scenario file that
holds that choice; edits are validated as a file's measures are; the page's service answers and refuses as
documented; the command serves until stopped."""

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from datetime import date

import numpy as np
import pytest

from framtid.model import api, dims
from framtid.model.errors import UsageError
from framtid.model.explore import scenario_text as st
from framtid.model.explore.server import page, serve_in_thread
from framtid.model.explore.choice import entry_of
from framtid.model.explore.figures import area_id
from framtid.model.explore.session import Explorer
from framtid.model.scenario_inheritance import builtin_names
from framtid.model.scenario_measures import _measure
from framtid.model.scenario_values import _Problems

PACKAGE = "framtid:framtidens-byer-2009"
PARKING = 6            # "Parking fees" in framtidens-byer-2009 (fee_nok = { A = 20 })
TRONDHEIM_CHARGE = 8   # "Rush-hour charge Trondheim" (cordon, peak_nok, offpeak_nok)


@pytest.fixture(scope="module")
def explorer():
    return Explorer(api.load_scenario(PACKAGE))


def _emissions(model) -> np.ndarray:
    return model.record["emissions_gas"]


def _same_measure(a, b) -> bool:
    keys = ("kind", "municipalities", "start_year", "ramp_years", "end_year", "label", "replaces", "price_year",
            "adoption", "acceptance", "start_date", "given")
    if any(getattr(a, k) != getattr(b, k) for k in keys) or not np.allclose(a.deflator, b.deflator):
        return False
    for name, v in a.values.items():
        w = b.values[name]
        if isinstance(v, str) or v is None:
            if v != w:
                return False
        elif not np.array_equal(np.asarray(v, dtype=float), np.asarray(w, dtype=float), equal_nan=True):
            return False
    return True


def test_every_shipped_measure_is_written_back_as_the_file_gave_it():
    """entry_of, read as a scenario file's [[measure]] is, makes the same measure: every measure of every shipped
    scenario (numbers, tables by axis label, labels, dates, price years, replaces)."""
    seen = 0
    for name in builtin_names():
        for m in api.load_scenario(f"framtid:{name}").own:
            problems = _Problems()
            again = _measure(entry_of(m), "here", m.origin, problems)
            assert not problems, (name, problems)
            assert _same_measure(m, again), (name, m.label)
            seen += 1
    assert seen > 200


def test_entry_of_by_hand(explorer):
    parking = entry_of(explorer.own[PARKING])
    assert parking["municipality"] == "*" and parking["fee_nok"] == {"A": 20.0}   # B and C not set: left out
    charge = entry_of(explorer.own[TRONDHEIM_CHARGE])
    assert charge["municipality"] == ["trondheim"] and charge["cordon"] == "trondheim_ring"
    assert (charge["peak_nok"], charge["offpeak_nok"]) == (20.0, 10.0)


def test_whole_package_and_none_of_it_are_the_scenario_and_its_base(explorer):
    """All on: the scenario as run by framtid run; all off: the base it extends. To the bit."""
    whole = explorer.run(explorer.measures(None))
    assert np.array_equal(_emissions(whole), _emissions(api.run_scenario(explorer.scenario)))
    none = explorer.run(explorer.measures({"on": []}))
    assert np.array_equal(_emissions(none), _emissions(api.run_scenario(api.load_scenario("framtid:reference"))))


def test_an_edited_choice_is_the_scenario_file_it_downloads(explorer, tmp_path):
    """The choice's run equals framtid run of the file /api/scenario writes, and the edits act (a dearer parking
    fee and an earlier, dearer Trondheim charge cut the car emissions there below the unedited choice)."""
    on = [0, 3, PARKING, TRONDHEIM_CHARGE, 20]
    edits = {str(PARKING): {"fee_nok": {"A": 40, "B": 10}},
             str(TRONDHEIM_CHARGE): {"peak_nok": 40, "start_year": 2012}}
    text = st.scenario_text(explorer, {"on": on, "edits": edits}, "my-choice")
    (tmp_path / "my-choice.toml").write_text(text)
    written = api.load_scenario(tmp_path / "my-choice.toml")
    assert [m.label for m in written.own] == [explorer.own[i].label for i in on]
    run = explorer.run(explorer.measures({"on": on, "edits": edits}))
    assert np.array_equal(_emissions(run), _emissions(api.run_scenario(written)))
    plain = explorer.run(explorer.measures({"on": on}))
    cars, trondheim, k = dims.SOURCES.index("cars"), dims.MUNICIPALITIES.index("trondheim"), 2030 - dims.BASE_YEAR
    assert _emissions(run)[k, 0, trondheim, cars].sum() < _emissions(plain)[k, 0, trondheim, cars].sum()
    assert "# edited in framtid explore" in text and 'extends = "framtid:reference"' in text


def test_a_choice_leaving_out_a_replaced_measure_is_written_as_it_runs(tmp_path):
    """Turned off, a measure another one replaces leaves that one replacing nothing, as attribution runs it; the
    file leaves the label out of its replaces (a file naming no earlier measure is refused) and runs to the same
    numbers, to the bit. current-policies-tolls: every second toll change of the history turned off."""
    ex = Explorer(api.load_scenario("framtid:current-policies-tolls"))
    on = list(range(0, len(ex.own), 2))
    text = st.scenario_text(ex, {"on": on}, "every-second")
    assert "# replaces only what this file holds" in text
    (tmp_path / "every-second.toml").write_text(text)
    written = api.load_scenario(tmp_path / "every-second.toml")
    assert np.array_equal(_emissions(api.run_scenario(written)), _emissions(ex.run(ex.measures({"on": on}))))


def test_a_package_reaching_back_is_written_with_its_measures_origins(tmp_path):
    """--base reference: the package of current-policies is its three files' measures; a file of half of them runs
    to the choice's numbers, and an edited measure's comment names the file and entry it came from."""
    ex = Explorer(api.load_scenario("framtid:current-policies"), base="reference")
    on = list(range(1, len(ex.own), 2))
    text = st.scenario_text(ex, {"on": on, "edits": {"1": {"start_year": 2012}}}, "half")
    assert "# edited in framtid explore (as written: current-policies-taxes.toml: measure[2])" in text
    assert "/" not in text.split("[scenario]")[0]   # the header names files, not where they are on this machine
    (tmp_path / "half.toml").write_text(text)
    run = ex.run(ex.measures({"on": on, "edits": {"1": {"start_year": 2012}}}))
    assert np.array_equal(_emissions(api.run_scenario(api.load_scenario(tmp_path / "half.toml"))), _emissions(run))


def test_labels_in_the_written_file(tmp_path):
    """Measures without a label (called by their kind) are written without one, so two of a kind fit in one file;
    two measures given one label in different files of a chain cannot share a file, and say so."""
    (tmp_path / "fares.toml").write_text('[scenario]\nname = "fares"\nextends = "framtid:reference"\n'
                                         + 2 * '[[measure]]\nkind = "pt_fare"\nmunicipality = "bergen"\n'
                                               'start_year = 2027\nchange = -0.2\n')
    ex = Explorer(api.load_scenario(tmp_path / "fares.toml"))
    text = st.scenario_text(ex, None, "fares-2")
    assert "label" not in text
    (tmp_path / "fares-2.toml").write_text(text)
    assert len(api.load_scenario(tmp_path / "fares-2.toml").own) == 2
    (tmp_path / "a.toml").write_text('[scenario]\nname = "a"\nextends = "framtid:reference"\n[[measure]]\n'
                                     'kind = "pt_fare"\nlabel = "Fare cut"\nmunicipality = "bergen"\n'
                                     'start_year = 2027\nchange = -0.2\n')
    (tmp_path / "b.toml").write_text('[scenario]\nname = "b"\nextends = "a"\n[[measure]]\nkind = "pt_fare"\n'
                                     'label = "Fare cut"\nreplaces = "Fare cut"\nmunicipality = "bergen"\n'
                                     'start_year = 2030\nchange = -0.4\n')
    ex = Explorer(api.load_scenario(tmp_path / "b.toml"), base="reference")
    with pytest.raises(UsageError, match=r"measures 1 \(a.toml: measure\[1\]\) and 2 \(b.toml: measure\[1\]\) "
                                         r"are both labelled 'Fare cut'; one scenario file cannot hold both"):
        st.scenario_text(ex, None, "both")
    (tmp_path / "later.toml").write_text(st.scenario_text(ex, {"on": [1]}, "later"))   # the later alone
    assert api.load_scenario(tmp_path / "later.toml").own[0].replaces == ()       # replaces nothing the file holds


def test_a_label_replaced_before_and_carried_again_is_written_as_composed(tmp_path):
    """A label that an earlier replacement has ended and a turned-off measure carries again matches nothing when
    a later measure names it (compose passes it over); the file must leave it out to load."""
    fee = 'kind = "parking_fee"\nmunicipality = "oslo"\nfee_nok = 10\n'
    (tmp_path / "base.toml").write_text(f'[scenario]\nname = "base"\nextends = "framtid:reference"\n'
                                        f'[[measure]]\nlabel = "a"\nstart_year = 2020\n{fee}')
    (tmp_path / "pkg.toml").write_text(
        '[scenario]\nname = "pkg"\nextends = "base"\n'
        f'[[measure]]\nlabel = "c1"\nreplaces = "a"\nstart_year = 2015\n{fee}'
        f'[[measure]]\nlabel = "a"\nstart_year = 2025\n{fee}'
        f'[[measure]]\nlabel = "c2"\nreplaces = "a"\nstart_year = 2030\n{fee}')
    ex = Explorer(api.load_scenario(tmp_path / "pkg.toml"))
    (tmp_path / "choice.toml").write_text(st.scenario_text(ex, {"on": [0, 2]}, "choice"))
    written = api.load_scenario(tmp_path / "choice.toml")
    assert [m.replaces for m in written.own] == [("a",), ()]
    assert np.array_equal(_emissions(api.run_scenario(written)), _emissions(ex.run(ex.measures({"on": [0, 2]}))))


def test_a_measure_added_on_the_page_runs_and_is_written_as_a_file_would_give_it(tmp_path):
    """A measure of the choice's own (a rush-hour charge in Kristiansand added to restrictive) is read as a file's
    [[measure]], runs, has its effect and is written into the file, which runs to the same numbers; a table
    missing a required key is refused as a file's would be."""
    ex = Explorer(api.load_scenario("framtid:restrictive"))
    charge = {"kind": "congestion_charge", "label": "Kristiansand charge", "cordon": "kristiansand_ring",
              "start_year": 2027, "peak_nok": 60, "offpeak_nok": 30}
    choice = {"on": [1], "added": [charge]}
    kept = ex.chosen(choice)
    assert [i for i, _, _ in kept] == [1, len(ex.own)] and kept[1][2].municipalities == ("kristiansand",)
    view = ex.view(choice, "kristiansand")
    assert (view["measures_on"], view["added"]) == (1, 1)
    alone = ex.view({"on": [1]}, "kristiansand")
    k = 2030 - dims.BASE_YEAR
    assert view["totals"]["choice"]["median"][k] < alone["totals"]["choice"]["median"][k]
    effect = ex.effects(choice, "kristiansand", 2030)["effects"][-1]
    assert effect["index"] == len(ex.own) and effect["on"] and effect["kt"] == pytest.approx(
        view["totals"]["choice"]["median"][k] - alone["totals"]["choice"]["median"][k], abs=1e-9)
    text = st.scenario_text(ex, choice, "with-charge")
    assert "# added in framtid explore" in text and "1 of the 6 measures" in text and "1 added" in text
    (tmp_path / "with-charge.toml").write_text(text)
    assert np.array_equal(_emissions(api.run_scenario(api.load_scenario(tmp_path / "with-charge.toml"))),
                          _emissions(ex.run(ex.measures(choice))))
    with pytest.raises(UsageError, match=r"added measure 1 \(Kristiansand charge\): missing required key 'peak_nok'"):
        ex.measures({"added": [{k: v for k, v in charge.items() if k != "peak_nok"}]})
    with pytest.raises(UsageError, match=r"added measure 1 \(Kristiansand charge\).adoption: the page runs its "
                                         r"measures as forced"):
        ex.measures({"added": [{"kind": "parking_fee", "label": "Kristiansand charge", "municipality": "oslo",
                                "start_year": 2027, "fee_nok": 20, "adoption": "adaptive"}]})
    with pytest.raises(UsageError, match=r"choice.added: must be a list of \[\[measure\]\] tables"):
        ex.measures({"added": {"kind": "pt_fare"}})
    # replaces as one label (a string, as a file may write it), with the measure it names on and off; two added
    # measures without a label (the page's emptied box) fit in one file, as in a file
    fee = {"kind": "parking_fee", "label": "New parking", "fee_nok": {"A": 80}, "replaces": "Parking fees",
           "municipality": "*", "start_year": 2030}
    for on in ([1], [0]):
        (tmp_path / "replacing.toml").write_text(st.scenario_text(ex, {"on": on, "added": [fee]}, "replacing"))
        assert api.load_scenario(tmp_path / "replacing.toml").own[-1].replaces == (("Parking fees",) if on == [1]
                                                                                  else ())
    unlabelled = [dict(fee, label="", replaces=[]), dict(fee, label="", start_year=2035, replaces=[])]
    assert st.scenario_text(ex, {"on": [], "added": unlabelled}, "two").count("[[measure]]") == 2
    with pytest.raises(UsageError, match=r"choice.added: at most 30 measures may be added here \(got 31\)"):
        ex.measures({"added": [fee] * 31})
    with pytest.raises(UsageError, match=r"added measure 1 \(a.\): holds text that is not UTF-8"):
        ex.measures({"added": [dict(fee, label="a\ud800")]})
    from framtid.model.measures import KINDS

    kinds = ex.package()["kinds"]
    assert len(kinds) == len(KINDS) and {f["name"] for f in next(k for k in kinds if k["name"] == "congestion_charge")[
        "fields"]} >= {"cordon", "peak_nok"}


def test_the_page_offers_start_years_a_run_accepts(explorer):
    # a measure with money and no price year of its own has its money in NOK of its start year, which a run
    # takes from 1990; the page's start-year input starts there too (1960 for the others)
    from framtid.model.measures import KINDS

    kinds = {k["name"]: k for k in explorer.package()["kinds"]}
    assert kinds["parking_fee"]["earliest_start"] == 1990 and kinds["densification"]["earliest_start"] == 1960
    for m in explorer.package()["measures"]:
        money = KINDS[m["kind"]].has_money and m["price_year"] is None
        assert m["earliest_start"] == (1990 if money else 1960), m["label"]
    fee = {"kind": "parking_fee", "label": "Early parking", "municipality": "oslo", "fee_nok": {"A": 80}}
    with pytest.raises(UsageError, match=r"Early parking\)\.price_year: a measure starting before 1990"):
        explorer.measures({"added": [dict(fee, start_year=1989)]})
    explorer.measures({"added": [dict(fee, start_year=1990)]})


def test_edits_are_validated_as_a_scenario_file_is(explorer):
    with pytest.raises(UsageError) as err:
        explorer.measures({"on": [PARKING], "edits": {str(PARKING): {"fee_nok": {"A": 900, "Q": 1}, "colour": 2}}})
    text = str(err.value)
    assert ("measure 7 (Parking fees).colour: cannot be changed here; allowed: municipality, start_year, ramp_years, "
            "end_year" in text)
    assert "measure 7 (Parking fees).fee_nok.A: must be between 0 and 300 [NOK/trip] (got 900)" in text
    assert "measure 7 (Parking fees).fee_nok.Q: unknown zone; allowed: A, B, C" in text
    with pytest.raises(UsageError, match=r"cordon: cannot be changed here"):
        explorer.measures({"on": [TRONDHEIM_CHARGE], "edits": {str(TRONDHEIM_CHARGE): {"cordon": "oslo_ring"}}})
    with pytest.raises(UsageError, match=r"start_year: must be between 1960 and 2050 \(got 2070\)"):
        explorer.measures({"edits": {"0": {"start_year": 2070}}})
    with pytest.raises(UsageError, match=r"choice.on: measure numbers run from 0 to 35 \(got \[36\]\)"):
        explorer.measures({"on": [36]})
    with pytest.raises(UsageError, match=r"choice.on: must be a list of measure numbers"):
        explorer.measures({"on": [True]})
    with pytest.raises(UsageError, match=r"choice: a table with the keys 'on'"):
        explorer.measures({"on": [], "off": []})
    with pytest.raises(UsageError, match=r"measure 1 \(Compact growth\): the edits must be a table"):
        explorer.measures({"edits": {"0": 5}})


def test_a_measure_moved_to_one_municipality_acts_there_only(explorer):
    """Parking fees in Bergen alone: Bergen's emissions change against the base, every other municipality's are
    the base's (to rounding: a few 1e-10 t where sums over the 13 meet; Bergen's region is Bergen alone)."""
    i = str(PARKING)
    (m,) = explorer.measures({"on": [PARKING], "edits": {i: {"municipality": ["bergen"]}}})
    assert m.municipalities == ("bergen",)
    run = _emissions(explorer.run([m]))
    base = _emissions(explorer.run([]))
    bergen = dims.MUNICIPALITIES.index("bergen")
    others = [k for k in range(len(dims.MUNICIPALITIES)) if k != bergen]
    assert run[:, :, others] == pytest.approx(base[:, :, others], rel=1e-12, abs=1e-6)
    assert run[2030 - dims.BASE_YEAR, 0, bergen].sum() < base[2030 - dims.BASE_YEAR, 0, bergen].sum() - 1e3   # t
    with pytest.raises(UsageError, match=r"measure 7 \(Parking fees\).municipality: must be a municipality"):
        explorer.measures({"on": [PARKING], "edits": {i: {"municipality": []}}})
    with pytest.raises(UsageError, match=r"municipality: cannot be changed here; the municipality is the owner of its "
                                         r"cordon; allowed: start_year, ramp_years, end_year, peak_nok"):
        explorer.measures({"on": [TRONDHEIM_CHARGE], "edits": {str(TRONDHEIM_CHARGE): {"municipality": "*"}}})


def test_a_table_edit_leaves_out_the_labels_given_as_none(explorer):
    """The page sends an empty box as None: that label is left out of the table (not set here), and a table of
    none leaves the field out."""
    i = str(PARKING)
    (m,) = explorer.measures({"on": [PARKING], "edits": {i: {"fee_nok": {"A": 35, "B": None, "C": None}}}})
    assert m.values["fee_nok"][0] == 35 and np.isnan(m.values["fee_nok"][1:]).all()
    with pytest.raises(UsageError, match=r"measure 7 \(Parking fees\): missing required key 'fee_nok'"):
        explorer.measures({"on": [PARKING], "edits": {i: {"fee_nok": {"A": None}}}})


def test_choices_written_differently_share_a_run(explorer):
    """The cache is keyed by the measures a choice keeps: a measure named twice, an edit of a measure turned off
    and a number key as text are the same choice; a different value is not."""
    explorer.summary({"on": [2, 2], "edits": {"5": {"share": 0.9}}})
    assert explorer.summary({"on": [2]})["cached"]
    assert explorer.summary({"on": [2], "edits": {2: {}}})["cached"]
    assert not explorer.summary({"on": [2], "edits": {"2": {"change": 0.3}}})["cached"]
    with pytest.raises(UsageError, match=r"choice.edits: measure numbers run from 0 to 35 \(got 'x', '40'\)"):
        explorer.summary({"on": [2], "edits": {"x": {}, "40": {}}})


def test_an_edit_to_none_returns_a_field_to_its_default(explorer):
    """None leaves the field out, as a file that does not give it: the kind's default, or a refusal where the
    field is required."""
    i = str(TRONDHEIM_CHARGE)
    (m,) = explorer.measures({"on": [TRONDHEIM_CHARGE], "edits": {i: {"bev_discount": 0.5}}})
    assert m.values["bev_discount"] == 0.5 and "bev_discount" in m.given
    (m,) = explorer.measures({"on": [TRONDHEIM_CHARGE], "edits": {i: {"heavy_factor": None, "bev_discount": None}}})
    assert m.values["bev_discount"] == 1.0 and m.values["heavy_factor"] == 2.5 and "bev_discount" not in m.given
    with pytest.raises(UsageError, match=r"measure 9 \(Rush-hour charge Trondheim\): missing required key 'offpeak"):
        explorer.measures({"on": [TRONDHEIM_CHARGE], "edits": {i: {"offpeak_nok": None}}})


def test_a_new_start_year_drops_the_written_start_date():
    """A measure dated in its start year (a toll change of October) keeps its day only in that year."""
    scenario = api.load_scenario("framtid:current-policies-tolls")
    ex = Explorer(scenario)
    dated = [i for i, m in enumerate(ex.own) if m.start_date is not None]
    assert dated
    i = dated[0]
    (m,) = ex.measures({"on": [i], "edits": {str(i): {"start_year": 2040}}})
    assert m.start_year == 2040 and m.start_date is None
    (kept,) = ex.measures({"on": [i]})
    assert kept.start_date == ex.own[i].start_date and isinstance(kept.start_date, date)


def test_areas_keep_oslo_and_its_region_apart(explorer):
    view = explorer.view({"on": [0]}, "region:oslo")
    oslo = explorer.view({"on": [0]}, "oslo")
    baerum = explorer.view({"on": [0]}, "baerum")
    for run in ("choice", "base", "package"):
        for sector in dims.SECTORS:
            together = np.array(view["emissions"][run][sector])
            assert together == pytest.approx(np.array(oslo["emissions"][run][sector])
                                             + np.array(baerum["emissions"][run][sector]))
    assert {t["target_id"] for t in view["targets"]} >= {"oslo.car_vkm_resident.zero_growth", "norway.emissions.2030"}
    assert "oslo.emissions.2030" in {t["target_id"] for t in oslo["targets"]}
    # a region of one municipality is that municipality: Bergen's zero-growth goal is on Bergen's page
    assert "bergen.car_vkm_resident.zero_growth" in {t["target_id"] for t in explorer.view(None, "bergen")["targets"]}
    assert area_id(type("A", (), {"level": "all", "name": "all 13"})()) == "total"
    with pytest.raises(UsageError, match=r"area: 'narvik' is not an area; allowed: oslo, baerum"):
        explorer.view(None, "narvik")


def test_view_numbers_by_hand(explorer):
    """The 13 together in 2009 are the reference's 2009 (7 363.4 kt, README); the package's totals are its own run's;
    the choice's target rows carry the choice's modelled values."""
    view = explorer.view({"on": [3, 4]}, "total")
    total = lambda run: np.sum([view["emissions"][run][s] for s in dims.SECTORS], axis=0)  # noqa: E731
    assert total("base")[0] == pytest.approx(7363.4, abs=0.05)
    whole = api.to_dataset([api.run_scenario(explorer.scenario)], 0)["emissions"]
    assert total("package") == pytest.approx(whole.isel(scenario=0, draw=0).sum(["municipality", "sector"]) / 1e3)
    row = next(t for t in view["targets"] if t["target_id"] == "norway.emissions.2030")
    assert row["choice"]["modelled_value"] == pytest.approx(total("choice")[2030 - dims.BASE_YEAR])
    assert row["base"]["target_value"] == pytest.approx(total("base")[0] * (1 - 0.56), rel=2e-3)   # -56.0 % vs 2009
    # the chart's car-vkm index: every run against the base's 2017 (the targets keep each run's own 2017)
    k = 2017 - dims.BASE_YEAR
    index = {run: np.array(view["indicators"][run]["car_vkm_index"]) for run in ("choice", "base", "package")}
    assert index["base"][k] == pytest.approx(1.0)
    assert index["package"][k] < 1 and index["package"][-1] < index["base"][-1]   # the package cuts car traffic


def test_each_measures_effect_is_the_difference_of_two_choices(explorer):
    """effects: for a measure that is on, the choice minus the choice without it; for one that is off, the choice
    with it (as edited) minus the choice; in the area and year asked, equal to the views of those choices. A charge
    in Stavanger does nothing in Trondheim."""
    edits = {str(PARKING): {"fee_nok": {"A": 40}}, "3": {"time_saving_min": 5.0}}
    choice = {"on": [0, 2, PARKING, TRONDHEIM_CHARGE], "edits": edits}
    got = explorer.effects(choice, "trondheim", 2035)
    assert got["year"] == 2035 and len(got["effects"]) == len(explorer.own)
    k = 2035 - dims.BASE_YEAR

    def total(on):
        view = explorer.view({"on": on, "edits": edits}, "trondheim")
        return sum(view["emissions"]["choice"][s][k] for s in dims.SECTORS)

    charge, cycle = got["effects"][TRONDHEIM_CHARGE], got["effects"][3]
    assert charge["on"] and charge["kt"] == pytest.approx(total(choice["on"]) - total([0, 2, PARKING]), abs=1e-9)
    assert charge["kt"] < -1                                            # the charge cuts Trondheim's emissions
    assert not cycle["on"] and cycle["kt"] == pytest.approx(total(choice["on"] + [3]) - total(choice["on"]), abs=1e-9)
    assert got["effects"][9] == {"index": 9, "on": False, "kt": 0.0}      # Stavanger's charge
    with pytest.raises(UsageError, match=r"year: from 2010 to 2050 \(got 2009\)"):
        explorer.effects(choice, "trondheim", 2009)
    # an edit of a measure that is off changes what adding it would do (and is checked)
    more = explorer.effects({"on": choice["on"], "edits": {**edits, "3": {"time_saving_min": 10.0}}}, "trondheim", 2035)
    assert more["effects"][3]["kt"] < cycle["kt"] < 0
    with pytest.raises(UsageError, match=r"measure 4 \(Cycle network\).time_saving_min: must be between"):
        explorer.effects({"on": choice["on"], "edits": {"3": {"time_saving_min": 1e6}}}, "trondheim", 2035)


def test_a_choice_carries_the_warnings_framtid_run_would_give():
    """Oslo's rush-hour charges moved to 2020 overlap the toll history there (framtid run warns); the page shows
    what the package as written does not already have. An end year can be set and taken away again."""
    ex = Explorer(api.load_scenario("framtid:congestion-oslo-rush-hour"))
    assert ex.view(None, "oslo")["warnings"] == []
    # a package with warnings of its own: not repeated for a choice that has them too
    fb = Explorer(api.load_scenario(PACKAGE))
    assert fb.warnings(fb.measures(None)) and fb.view(None, "total")["warnings"] == []
    moved = ex.view({"edits": {"0": {"start_year": 2020}}}, "oslo")["warnings"]
    assert all(w.startswith("congestion-oslo-rush-hour.toml: measure[1]: ") for w in moved)
    assert any("overlaps current-policies-tolls.toml: measure[10] ('oslo_ring_2019 tolls from 2019-06-01')" in w
               for w in moved)
    (m,) = ex.measures({"on": [0], "edits": {"0": {"end_year": 2035}}})
    assert m.end_year == 2035
    (m,) = ex.measures({"on": [0], "edits": {"0": {"end_year": None}}})
    assert m.end_year is None


def test_ranges_over_draws_are_paired():
    """With uncertainty every run has the same draws: a choice of none of the measures is the base in every draw
    (its difference from the base zero in each, so its 5-95 % range too), while the emissions themselves spread;
    the targets carry the share of draws that meet them."""
    ex = Explorer(api.load_scenario("framtid:consumption-waste"), draws=4, seed=3)
    view = ex.view({"on": []}, "total", uncertain=True)
    assert view["draws"] == 4
    k = 2030 - dims.BASE_YEAR
    assert view["against_base"]["choice"]["p05"][k] == view["against_base"]["choice"]["p95"][k] == 0
    assert view["summed_against_base"]["choice"] == {"median": 0, "p05": 0, "p95": 0}
    base = view["totals"]["base"]
    assert base["p05"][k] < base["median"][k] < base["p95"][k]
    cut = view["against_base"]["package"]
    assert cut["p95"][k] < 0 and cut["p05"][k] < cut["p95"][k]            # the package cuts, by how much varies
    row = next(t for t in view["targets"] if t["target_id"] == "norway.emissions.2030")
    assert row["base"]["p_met"] in (0.0, 0.25, 0.5, 0.75, 1.0)
    assert row["base"]["modelled_p05"] <= row["base"]["modelled_value"] <= row["base"]["modelled_p95"]
    # the same numbers as framtid run --draws 4 --seed 3 of the package's scenario and of its base, draw by draw
    package = api.to_dataset([api.run_scenario(ex.scenario, 3, 4, "lhs")], 3)["emissions"].isel(scenario=0) / 1e3
    cp = api.to_dataset([api.run_scenario(api.load_scenario("framtid:current-policies"), 3, 4, "lhs")], 3)
    own = package.sum(["municipality", "sector"]).transpose("draw", "year").values
    base = (cp["emissions"].isel(scenario=0) / 1e3).sum(["municipality", "sector"])
    cut = own - base.transpose("draw", "year").values
    assert view["totals"]["package"]["median"] == pytest.approx(np.median(own, axis=0))
    assert view["against_base"]["package"]["p05"] == pytest.approx(np.percentile(cut, 5, axis=0))
    assert view["summed_against_base"]["package"]["p95"] == pytest.approx(np.percentile(cut[:, 1:].sum(1), 95))
    waste = package.sum("municipality").sel(sector="waste_wastewater").transpose("draw", "year").values
    assert view["emissions"]["package"]["waste_wastewater"] == pytest.approx(np.median(waste, axis=0))
    one = ex.view({"on": []}, "total")                                       # the same choice without: one draw
    assert one["draws"] == 1 and one["totals"]["base"]["p05"] == one["totals"]["base"]["p95"]
    with pytest.raises(UsageError, match=r"uncertain: true or false \(got 'yes'\)"):
        ex.view(None, "total", uncertain="yes")
    with pytest.raises(UsageError, match=r"--draws: from 2 to 1000"):
        Explorer(api.load_scenario("framtid:consumption-waste"), draws=1)


def test_packages_that_cannot_be_explored_and_one_of_no_measures(tmp_path):
    """Adaptive measures are refused; a scenario that adds no measures opens with none (its base, its package as
    written and itself are one run), for measures added on the page, and its file extends its base."""
    with pytest.raises(UsageError, match=r"adaptive measures cannot be explored"):
        Explorer(api.load_scenario("framtid:restrictive-adaptive"))
    ex = Explorer(api.load_scenario("framtid:reference"))
    assert ex.own == [] and ex.base_name == "policies-2009"
    fare = {"kind": "pt_fare", "municipality": "bergen", "start_year": 2027, "change": -0.5}
    view = ex.view({"added": [fare]}, "bergen")
    assert (view["measures_on"], view["added"]) == (0, 1)
    assert view["totals"]["base"] == view["totals"]["package"]
    assert view["against_base"]["choice"]["median"][2030 - dims.BASE_YEAR] != 0
    text = st.scenario_text(ex, {"added": [fare]}, "fares")
    assert 'extends = "framtid:policies-2009"' in text
    (tmp_path / "fares.toml").write_text(text)
    assert np.array_equal(_emissions(api.run_scenario(api.load_scenario(tmp_path / "fares.toml"))),
                          _emissions(ex.run(ex.measures({"added": [fare]}))))


# -- the scenario file's text ----------------------------------------------------------------------------------------

def test_toml_values_by_hand():
    assert st.value_text(0.5) == "0.5" and st.value_text(20.0) == "20.0" and st.value_text(1e-5) == "1e-05"
    assert st.value_text(2030) == "2030" and st.value_text(True) == "true"
    assert st.value_text('Rush-hour "charge"') == '"Rush-hour \\"charge\\""'
    assert st.value_text("Tromsø") == '"Tromsø"'
    assert st.value_text("a\x7fb") == '"a\\u007fb"'     # DEL, which TOML takes only escaped
    assert st.value_text(date(2017, 10, 1)) == "2017-10-01"
    assert st.value_text({"A": 20.0, "a b": 1}) == '{ A = 20.0, "a b" = 1 }'
    assert st.value_text(["oslo", "bergen"]) == '["oslo", "bergen"]'
    with pytest.raises(ValueError):
        st.value_text(float("nan"))


def test_scenario_text_refuses_a_bad_name(explorer):
    with pytest.raises(UsageError, match=r"name: must be a name of 1 to 64 ASCII letters"):
        st.scenario_text(explorer, None, "my package")


def test_a_package_with_cordons_of_its_own_is_not_written(tmp_path):
    (tmp_path / "own.toml").write_text("""
[scenario]
name = "own"
extends = "framtid:current-policies"
[cordons.tromso_copy]
municipality = "tromso"
charged_direction = "both"
inside_share = { A = 1, B = 0.3, C = 0.1 }
external_passage_ratio = 0.3
[[measure]]
kind = "congestion_charge"
cordon = "tromso_copy"
start_year = 2027
peak_nok = 40
offpeak_nok = 20
""")
    ex = Explorer(api.load_scenario(tmp_path / "own.toml"))
    assert ex.measures(None)[0].values["cordon"] == "tromso_copy"
    with pytest.raises(UsageError, match=r"defines toll cordons of its own"):
        st.scenario_text(ex, None, "copy")


def test_a_package_on_a_file_of_ones_own_extends_it_by_name(tmp_path):
    (tmp_path / "mine-base.toml").write_text('[scenario]\nname = "mine-base"\nextends = "framtid:reference"\n'
                                             '[parameters]\n"transport.bev_sales_fitted_through" = 2020\n')
    (tmp_path / "mine.toml").write_text('[scenario]\nname = "mine"\nextends = "mine-base"\n'
                                        '[[measure]]\nkind = "pt_fare"\nmunicipality = "bergen"\nstart_year = 2027\n'
                                        'change = -0.3\n')
    ex = Explorer(api.load_scenario(tmp_path / "mine.toml"))
    text = st.scenario_text(ex, {"edits": {"0": {"change": -0.5}}}, "mine-2")
    assert 'extends = "mine-base"' in text and "keep it in the folder of" in text
    (tmp_path / "mine-2.toml").write_text(text)
    again = api.load_scenario(tmp_path / "mine-2.toml")
    assert again.own[0].values["change"] == -0.5
    assert again.parameters["transport.bev_sales_fitted_through"] == 2020


# -- the page and its service ---------------------------------------------------------------------------------------

def _get(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.status, r.headers.get("Content-Type"), r.read()


def _post(url, body: bytes, headers=None):
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture(scope="module")
def service(explorer):
    server, url = serve_in_thread(explorer)
    yield url
    server.shutdown()
    server.server_close()


def test_service_answers(service, explorer):
    status, kind, body = _get(service)
    assert status == 200 and kind.startswith("text/html") and body == page()
    status, kind, body = _get(service + "api/package")
    package = json.loads(body)
    assert status == 200 and len(package["measures"]) == len(explorer.own) == 36
    assert package["base"] == "reference" and "total" in [a["id"] for a in package["areas"]]
    parking = package["measures"][PARKING]
    fee = next(f for f in parking["fields"] if f["name"] == "fee_nok")
    assert fee["labels"] == ["A", "B", "C"] and fee["value"] == {"A": 20.0, "B": None, "C": None}
    status, body = _post(service + "api/view", json.dumps({"choice": {"on": [1, 2]}, "area": "trondheim"}).encode())
    view = json.loads(body)
    assert status == 200 and view["area"] == "trondheim" and view["measures_on"] == 2
    assert len(view["emissions"]["choice"]["road_passenger_cars"]) == len(dims.YEARS)
    status, body = _post(service + "api/scenario", json.dumps({"choice": {"on": [2]}, "name": "one"}).encode())
    assert status == 200 and b'name = "one"' in body and body.count(b"[[measure]]") == 1


@pytest.mark.parametrize("path, body, status, message", [
    ("api/view", b"{not json", 400, "the request is not JSON"),
    ("api/view", b"[1, 2]", 400, "the request must be a JSON object"),
    ("api/view", json.dumps({"area": "nowhere"}).encode(), 400, "area: 'nowhere' is not an area"),
    ("api/view", json.dumps({"choice": {"on": [99]}}).encode(), 400, "choice.on: measure numbers run from 0 to 35"),
    ("api/scenario", json.dumps({"name": "a b"}).encode(), 400, "name: must be a name"),
    ("api/other", b"{}", 404, "/api/other: not found"),
    ("api/effects", json.dumps({"year": "2030"}).encode(), 400, "year: from 2010 to 2050 (got '2030')"),
])
def test_service_refuses_with_one_message(service, path, body, status, message):
    got, answer = _post(service + path, body)
    assert got == status and message in json.loads(answer)["error"]


def test_service_refuses_what_a_page_elsewhere_could_send(service):
    """No JSON, no run (a form of another site cannot post JSON without asking first); requests must name the
    local machine (a name of another site resolving here, DNS rebinding, is refused); JSON nested too deep is a
    400, not a dropped connection."""
    got, answer = _post(service + "api/view", b"area=total", headers={"Content-Type": "text/plain"})
    assert got == 415 and "Content-Type: application/json" in json.loads(answer)["error"]
    port = service.rsplit(":", 1)[1].strip("/")
    got, answer = _post(service + "api/view", b"{}", headers={"Host": f"evil.example:{port}"})
    assert got == 403 and "localhost, 127.0.0.1, [::1] only" in json.loads(answer)["error"]
    got, answer = _post(service + "api/view", b"[" * 100_000 + b"]" * 100_000)
    assert got == 400 and "nested too deep" in json.loads(answer)["error"]
    status, _, _ = _get(service.replace("localhost", "127.0.0.1") + "api/package")
    assert status == 200


def test_names_the_service_answers_to(explorer):
    """Loopback addresses and localhost always; other names only when allowed (a forwarded port's name); bound to
    ::1 the address printed is ::1's own (localhost may name 127.0.0.1 alone)."""
    from framtid.model.explore.server import _loopback, make_server, url_of

    assert _loopback("127.0.0.2") and _loopback("::1") and _loopback("LOCALHOST") and not _loopback("10.0.0.1")
    server = make_server(explorer, "127.0.0.1", 0, allow_hosts=("Lab.example",))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = url_of(server)
    try:
        port = url.rsplit(":", 1)[1].strip("/")
        assert _post(url + "api/view", b"{}", headers={"Host": f"lab.example:{port}"})[0] == 200
        assert _post(url + "api/view", b"{}", headers={"Host": f"127.0.0.2:{port}"})[0] == 200
        assert _post(url + "api/view", b"{}", headers={"Host": f"other.example:{port}"})[0] == 403
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(UsageError, match=r"--allow-host: a host name without its port \(got 'lab.example:8080'\)"):
        make_server(explorer, "127.0.0.1", 0, allow_hosts=("lab.example:8080",))
    for bad in ("bad host!", "", "-lab.example", "lab..example", "a" * 64 + ".example", "[::1"):
        with pytest.raises(UsageError, match=r"--allow-host: a host name is letters, digits, hyphens and dots"):
            make_server(explorer, "127.0.0.1", 0, allow_hosts=(bad,))
    for good in ("lab", "lab-1.example.org.", "[::1]", "10.0.0.2"):
        make_server(explorer, "127.0.0.1", 0, allow_hosts=(good,)).server_close()
    try:
        six = make_server(explorer, "::1", 0)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    assert url_of(six).startswith("http://[::1]:") and six.local
    six.server_close()


def test_service_refuses_a_body_too_large(service):
    got, answer = _post(service + "api/view", b"{}", headers={"Content-Length": str(10**7)})
    assert got == 413 and "at most" in json.loads(answer)["error"]
    with pytest.raises(urllib.error.HTTPError) as err:
        _get(service + "nothing-here")
    assert err.value.code == 404


def test_page_script_parses():
    """The page's script is valid JavaScript (node --check), where node is installed."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    text = page().decode()
    script = text[text.index("<script>") + len("<script>"):text.index("</script>")]
    out = subprocess.run([node, "--check", "-"], input=script, capture_output=True, text=True)
    if out.returncode != 0 and "--check" in out.stderr:   # an old node without --check of stdin
        pytest.skip(out.stderr)
    assert out.returncode == 0, out.stderr


# -- the command -------------------------------------------------------------------------------------------------------

def _framtid(*args) -> list[str]:
    return [sys.executable, "-c", "from framtid.cli.main import entry; entry()", *args]


def _stopped(proc: subprocess.Popen, sig: int) -> tuple[str, str]:
    """Send ``sig`` to the server and wait for it to end: its output and error text. One that does not end within
    a minute is killed (no server outlives its test), and its error text says so for the test's assertions (run in
    a ``finally``, this raises nothing that would hide an assertion of the test's body)."""
    proc.send_signal(sig)
    try:
        return proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return out, f"{err}\n[test] framtid explore did not stop within 60 s of signal {sig}; killed"


def _with_ctrl_c():
    """A child process that answers Ctrl-C as a terminal's foreground command does: a test suite started in the
    background (``&``) ignores SIGINT, which its children inherit, and Python then installs no handler for it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_command_serves_until_interrupted(tmp_path):
    proc = subprocess.Popen(_framtid("explore", "framtid:consumption-waste", "--no-browser", "--port", "0"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            preexec_fn=_with_ctrl_c)
    try:
        first = proc.stdout.readline()
        assert "consumption-waste, 8 measures on current-policies" in first, proc.stderr.read()
        url = first.split(" at ", 1)[1].split()[0]
        package = json.loads(_get(url + "api/package")[2])
        assert [m["label"] for m in package["measures"]][:2] == ["Waste prevention", "Food waste halved"]
    finally:
        out, err = _stopped(proc, signal.SIGINT)
    assert proc.returncode == 0 and "stopped" in out and "Traceback" not in err, (proc.returncode, out, err)
    assert os.listdir(tmp_path) == []       # writes nothing


def test_command_terminated_says_so():
    """A termination signal is not a Ctrl-C: exit 143 and "terminated", as every command."""
    proc = subprocess.Popen(_framtid("explore", "framtid:consumption-waste", "--no-browser", "--port", "0"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert " at http://localhost:" in proc.stdout.readline()
    finally:
        _, err = _stopped(proc, signal.SIGTERM)
    assert proc.returncode == 143 and "terminated" in err and "Traceback" not in err


def test_command_refuses_bad_input(tmp_path):
    out = subprocess.run(_framtid("explore", "framtid:restrictive-adaptive", "--no-browser"), capture_output=True,
                         text=True)
    assert out.returncode == 2 and "adaptive measures cannot be explored" in out.stderr
    assert "Traceback" not in out.stderr
    out = subprocess.run(_framtid("explore", str(tmp_path / "none.toml"), "--no-browser"), capture_output=True,
                         text=True)
    assert out.returncode == 2 and "no such scenario file" in out.stderr
    out = subprocess.run(_framtid("explore", "--port", "70000"), capture_output=True, text=True)
    assert out.returncode == 2 and "--port" in out.stderr


def test_command_refuses_a_port_in_use():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run(_framtid("explore", "framtid:consumption-waste", "--no-browser", "--port", str(port)),
                             capture_output=True, text=True)
    assert out.returncode == 2 and f"--port: {port} is in use" in out.stderr and "Traceback" not in out.stderr


def test_a_server_beyond_this_machine_is_told_so():
    """The page runs the model for whoever reaches it: bound to a loopback address it is local; bound to every
    interface or to a network's address the command warns (cli.explore_command.local_only)."""
    from framtid.cli.explore_command import local_only

    assert local_only("127.0.0.1") and local_only("127.8.9.1") and local_only("::1")
    assert not local_only("0.0.0.0") and not local_only("::") and not local_only("192.168.1.20")
    assert not local_only("fe80::1%eth0") and not local_only("not an address")
