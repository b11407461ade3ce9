"""framtid hindcast: observed files (long and agency layouts), modelled values at the same level and GWP
basis, the metrics against hand computation, charts, the command and its refusals."""

import hashlib
import json
import math
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from framtid.cli.main import main
from framtid.model import api, data_store, dims, hindcast
from framtid.model.errors import FramtidError, ObservationFileError, ResultExistsError, UsageError
from framtid.model.hindcast import Row
from framtid.model.observed import Observation, read_observed

REPO = Path(__file__).resolve().parent.parent
OSLO_EXPORT = REPO / "tests" / "data" / "oslo_inventory_by_source.csv"   # the agency's export, as published
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def run_ds():
    """The reference scenario, weighed with AR5 (its scenario file says so)."""
    ds = api.run(["framtid:reference"])
    assert ds["emissions"].attrs["gwp"] == "ar5"
    return ds


@pytest.fixture(scope="module")
def result_file(run_ds, tmp_path_factory):
    path = tmp_path_factory.mktemp("hindcast") / "reference.nc"
    api.save(run_ds, path)
    return path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- metrics, computed by hand -------------------------------------------------------------------

def row(municipality, year, name, observed, modelled, level="sector"):
    return Row(municipality, year, level, name, "ar5", observed, modelled)


HAND_ROWS = [
    # heating: observed 100, 80, 60; modelled 100, 90, 75
    row("oslo", 2009, "heating", 100, 100), row("oslo", 2011, "heating", 80, 90), row("oslo", 2013, "heating", 60, 75),
    # vans: observed up, modelled down
    row("oslo", 2009, "road_vans", 50, 50), row("oslo", 2013, "road_vans", 60, 45),
    # heating oil: observed flat (+1 on 201, within 1 %), modelled up
    row("oslo", 2009, "heating_oil", 200, 200, "source"), row("oslo", 2011, "heating_oil", 201, 220, "source"),
    # landfill gas without 2009, one observed zero
    row("oslo", 2011, "landfill_gas", 0, 5, "source"), row("oslo", 2013, "landfill_gas", 10, 12, "source"),
    row("skien", 2011, "heating", 10, 12),
]


def by_name(found):
    return {(m.municipality, m.name): m for m in found}


def test_metrics_of_one_series_by_hand():
    m = by_name(hindcast.metrics(HAND_ROWS))[("oslo", "heating")]
    assert (m.n, m.years, m.level) == (3, "2009-2013", "sector")
    assert m.bias == pytest.approx(25 / 3)                       # errors 0, 10, 15
    assert m.bias_pct == pytest.approx(100 * 25 / 240)           # sum of errors / sum of observed
    assert m.mape == pytest.approx((0 + 12.5 + 25) / 3)
    assert m.rmse == pytest.approx(math.sqrt((0 + 100 + 225) / 3))
    # persistence predicts 100 for 2011 and 2013: errors 20, 40; the model's 10, 15
    assert m.skill == pytest.approx(1 - 12.5 / 30)
    assert m.direction == "same"


def test_skill_and_direction_by_hand():
    found = by_name(hindcast.metrics(HAND_ROWS))
    vans, oil, landfill = found[("oslo", "road_vans")], found[("oslo", "heating_oil")], found[("oslo", "landfill_gas")]
    assert vans.skill == pytest.approx(1 - 15 / 10) and vans.direction == "opposite"
    assert vans.mape == pytest.approx(12.5) and vans.bias == pytest.approx(-7.5)
    assert oil.skill == pytest.approx(1 - 19 / 1) and oil.direction == "flat"
    # no 2009 value: no skill; the zero observation is left out of MAPE, not of bias
    assert landfill.skill is None and landfill.direction == "same"
    assert landfill.mape == pytest.approx(20.0) and landfill.bias == pytest.approx(3.5)
    assert landfill.bias_pct == pytest.approx(70.0)


def test_pooled_metrics_by_hand():
    found = by_name(hindcast.metrics(HAND_ROWS))
    oslo, overall = found[("oslo", "all")], found[("all", "all")]
    assert oslo.n == 9 and oslo.bias == pytest.approx(36 / 9)
    assert oslo.bias_pct == pytest.approx(100 * 36 / 761)
    assert oslo.mape == pytest.approx(100 * (0.125 + 0.25 + 0.25 + 19 / 201 + 0.2) / 8)
    assert oslo.rmse == pytest.approx(math.sqrt((325 + 225 + 361 + 29) / 9))
    assert oslo.skill == pytest.approx(1 - (25 + 15 + 19) / (60 + 10 + 1))
    assert oslo.direction == "2/4 same"
    assert overall.n == 10 and overall.bias == pytest.approx(38 / 10)
    # skien has one series of one year: no pooled row of its own, no skill, no direction
    skien = found[("skien", "heating")]
    assert ("skien", "all") not in found and skien.skill is None and skien.direction == "-"


def test_direction_of_flat_pairs_and_undefined_skill():
    both_flat = [row("oslo", 2009, "heating", 100, 100), row("oslo", 2013, "heating", 100.5, 99.5)]
    assert hindcast.direction(both_flat) == "same"
    # observed 2009 equals every later value: persistence is perfect, skill undefined
    assert hindcast.persistence_skill([both_flat[:1] + [row("oslo", 2013, "heating", 100, 90)]]) is None


# --- reading observation files -------------------------------------------------------------------

def test_long_layout_with_names_numbers_totals_and_default_gwp(tmp_path):
    path = write(tmp_path / "obs.csv", "\ufeffmunicipality,year,sector,value,gwp,unit,note\n"
                 "oslo,2011,heating,152762,ar5,t CO2e,from the inventory\n"
                 "Tromsø,2009,landfill_gas,1000.5,,,\n"
                 "0301,2013,Total_excl_fgas,1221850,sar,,\n"
                 "skien,2011,shipping,20,AR4,,\n")
    assert read_observed(path) == [
        Observation("oslo", 2011, "sector", "heating", 152762.0, "ar5"),
        Observation("tromso", 2009, "source", "landfill_gas", 1000.5, "ar5"),
        Observation("oslo", 2013, "total", "total_excl_fgas", 1221850.0, "sar"),
        Observation("skien", 2011, "sector", "shipping", 20.0, "ar4"),   # a sector and a source: the sector
    ]


AGENCY_FIXTURE = """year,sector,source,gas,t_co2e
2009,Veitrafikk,Personbiler,CO2,300000
2009,Veitrafikk,Personbiler,CH4,100
2009,Veitrafikk,Personbiler,N2O,2000
2009,Oppvarming,Vedfyring,CH4,8000
2009,Oppvarming,Bioenergi,N2O,135.5
2009,Sjøfart,*Estimat sjøfart,CO2,30000
2009,Sjøfart,Passasjer,CO2,5000
2011,Veitrafikk,Personbiler,CO2,290000
2011,"Industri, olje og gass","Industri, olje og gass",CO2,9000
2011,produkter med fluorgasser,Bruk av HFK,HFK,70000
"""


def test_agency_layout_sums_gases_and_sources(tmp_path):
    path = write(tmp_path / "export.csv", AGENCY_FIXTURE)
    found = {(o.year, o.level, o.name): o.value for o in read_observed(path, "oslo")}
    assert found == {
        (2009, "sector", "road_passenger_cars"): 302100.0,
        (2009, "source", "heating_wood"): 8135.5,
        (2009, "sector", "shipping"): 35000.0,
        (2011, "sector", "road_passenger_cars"): 290000.0,
        (2011, "sector", "industry"): 9000.0,
        (2011, "sector", "fgas_products"): 70000.0,
    }
    assert {o.gwp for o in read_observed(path, "oslo")} == {"ar5"} and \
        {o.municipality for o in read_observed(path, "Oslo")} == {"oslo"}


def test_municipality_numbers_of_2020_2024_and_unchanged_2019_borders_name_the_same_municipality(tmp_path):
    # The county reform of 2024 renumbered seven of the 13 (borders unchanged); Bærum was 0219 before 2020, with
    # the same borders. Drammen's 0602 named a smaller municipality before the 2020 merger: refused, located.
    path = write(tmp_path / "obs.csv", "municipality,year,sector,value\n3024,2011,heating,1\n3201,2013,heating,2\n"
                 "0219,2009,heating,3\n5501,2011,heating,4\n4003,2011,heating,5\n1103,2011,heating,6\n")
    assert [(o.municipality, o.year) for o in read_observed(path)] == [
        ("baerum", 2011), ("baerum", 2013), ("baerum", 2009), ("tromso", 2011), ("skien", 2011), ("stavanger", 2011)]
    export = write(tmp_path / "export.csv", "year,sector,source,gas,t_co2e\n2011,Veitrafikk,Busser,CO2,47000\n")
    assert {o.municipality for o in read_observed(export, "3301")} == {"drammen"}
    with pytest.raises(ObservationFileError, match=r"^--municipality: 1001 is kristiansand's number before the 2020 "
                                                   r"merger"):
        read_observed(export, "1001")
    # As statistics tables write them: the number and the name in one cell.
    named = write(tmp_path / "named.csv", "municipality,year,sector,value\n3201 Bærum,2011,heating,1\n"
                  "0301 - Oslo,2011,heating,2\n5501 Tromsø,2013,heating,3\n")
    assert [o.municipality for o in read_observed(named)] == ["baerum", "oslo", "tromso"]
    for wrong, words in (("3201 Oslo", "unknown municipality '3201 Oslo'"), ("0602 Drammen", "before the 2020 merger")):
        with pytest.raises(ObservationFileError, match=words):
            read_observed(write(tmp_path / "wrong.csv", f"municipality,year,sector,value\n{wrong},2011,heating,1\n"))
    numbers = {m.id: (m.kommunenummer_2020, m.kommunenummer_2024) for m in data_store.municipalities()}
    assert numbers["baerum"] == ("3024", "3201") and numbers["oslo"] == ("0301", "0301")


def test_an_agency_export_may_carry_other_columns(tmp_path):
    """Unlike the long layout, an export as downloaded may carry more columns than the five read: left alone."""
    plain = read_observed(write(tmp_path / "export.csv", AGENCY_FIXTURE), "oslo")
    wider = AGENCY_FIXTURE.replace("t_co2e\n", "t_co2e,kommunenavn\n", 1).replace("\n2", ",Oslo\n2")
    assert read_observed(write(tmp_path / "wider.csv", wider), "oslo") == plain


def test_agency_layout_with_a_municipality_column(tmp_path):
    path = write(tmp_path / "export.csv", "municipality,year,sector,source,gas,t_co2e\n"
                 "oslo,2011,Veitrafikk,Busser,CO2,47000\nSkien,2011,Veitrafikk,Busser,CO2,3000\n")
    assert {(o.municipality, o.value) for o in read_observed(path)} == {("oslo", 47000.0), ("skien", 3000.0)}
    with pytest.raises(ObservationFileError, match="leave out --municipality"):
        read_observed(path, "oslo")


def test_the_agencys_oslo_export_gives_the_embedded_inventory_values():
    """Every label of the published export is in data/inventory_labels.csv, and the sums per framtid sector
    or source are the values the embedded data hold for Oslo (rounded to whole tonnes there)."""
    found = read_observed(OSLO_EXPORT, "oslo")
    assert {o.year for o in found} == {2009, 2011, 2013}
    checked = 0
    for o in found:
        embedded = data_store.find("oslo", f"emissions.{o.level}.{o.name}", o.year)
        assert embedded.gwp_basis == o.gwp == "ar5"
        assert o.value == pytest.approx(embedded.value, abs=1.0), (o, embedded)
        checked += 1
    # per year: ten sectors without sources of their own (road, industry, ...) and the 11 sources of heating,
    # waste and energy supply
    assert checked == len(found) == 3 * 21


# --- modelled values -----------------------------------------------------------------------------

def test_compare_takes_the_run_at_the_observations_level(run_ds):
    obs = [Observation("oslo", 2011, "sector", "heating", 1.0, "ar5"),
           Observation("skien", 2013, "source", "heating_oil", 1.0, "ar5"),
           Observation("bergen", 2030, "total", "total", 1.0, "ar5"),
           Observation("bergen", 2030, "total", "total_excl_fgas", 1.0, "ar5")]
    rows = hindcast.compare(run_ds, obs)
    e = run_ds["emissions"].isel(scenario=0).median("draw")
    assert rows[0].modelled == pytest.approx(float(e.sel(municipality="oslo", sector="heating", year=2011)))
    source = run_ds["emissions_source"].isel(scenario=0).median("draw")
    assert rows[1].modelled == pytest.approx(float(source.sel(municipality="skien", source="heating_oil", year=2013)))
    bergen = e.sel(municipality="bergen", year=2030)
    assert rows[2].modelled == pytest.approx(float(bergen.sum("sector")))
    assert rows[3].modelled == pytest.approx(rows[2].modelled - float(bergen.sel(sector="fgas_products")))
    assert rows[0].series.years == dims.YEARS and rows[0].series.scenario == "reference"


def test_an_ar4_observation_is_compared_with_the_run_reweighed_to_ar4(run_ds):
    """Landfill gas is methane: AR5 weighs it 28, AR4 25, so the re-weighed value is 25/28 of the run's."""
    obs = [Observation("oslo", 2011, "source", "landfill_gas", 66385.0, "ar5"),
           Observation("oslo", 2011, "source", "landfill_gas", 66385.0, "ar4")]
    # two bases of one value are not a duplicate inside the library (the file reader refuses them)
    ar5, ar4 = hindcast.compare(run_ds, obs)
    expected = api.reweigh(run_ds, "ar4")["emissions_source"].sel(municipality="oslo", source="landfill_gas",
                                                                  year=2011).median("draw").item()
    assert ar4.modelled == pytest.approx(expected)
    assert ar5.modelled == pytest.approx(run_ds["emissions_source"].sel(
        municipality="oslo", source="landfill_gas", year=2011).median("draw").item())
    assert ar5.modelled / ar4.modelled == pytest.approx(28 / 25, rel=1e-3)


def test_calibrated_2009_values_are_reproduced_in_their_own_gwp_basis(run_ds, tmp_path):
    """The embedded 2009 values (AR5, and SAR for Sarpsborg and Fredrikstad) come back within 1 %."""
    out = tmp_path / "observed.csv"
    runpy.run_path(str(REPO / "tools" / "observed_2009_2013.py"))["main"]([str(out)])
    rows = [r for r in hindcast.compare(run_ds, read_observed(out)) if r.year == 2009 and r.observed > 100]
    assert {r.gwp for r in rows} == {"ar5", "sar"} and len(rows) > 40
    for r in rows:
        assert r.modelled == pytest.approx(r.observed, rel=0.01), r


def test_several_scenarios_need_a_choice():
    ds = api.run(["framtid:reference", "framtid:current-policies"])
    obs = [Observation("oslo", 2013, "sector", "heating", 1.0, "ar5")]
    with pytest.raises(UsageError, match="several scenarios .*--scenario"):
        hindcast.compare(ds, obs)
    with pytest.raises(UsageError, match="^run.nc holds several scenarios"):
        hindcast.compare(ds, obs, source="run.nc")
    with pytest.raises(UsageError, match="allowed: reference, current-policies"):
        hindcast.compare(ds, obs, "nope")
    chosen = hindcast.compare(ds, obs, "current-policies")[0]
    assert chosen.modelled == pytest.approx(float(ds["emissions"].sel(
        scenario="current-policies", municipality="oslo", sector="heating", year=2013).median("draw")))


# --- charts ----------------------------------------------------------------------------------------

def test_charts_are_pngs_written_atomically_and_never_silently_replaced(run_ds, tmp_path):
    obs = [Observation(m, y, "sector", "heating", 1000.0, "ar5") for m in ("oslo", "skien") for y in (2009, 2013)]
    rows = hindcast.compare(run_ds, obs)
    paths = hindcast.plot(rows, tmp_path / "plots")
    assert [p.name for p in paths] == ["hindcast-reference-oslo.png", "hindcast-reference-skien.png"]
    for p in paths:
        assert p.read_bytes()[:8] == PNG_MAGIC
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == [p.name for p in paths]   # no temporary file
    before = [p.stat().st_mtime_ns for p in paths]
    paths[1].unlink()
    with pytest.raises(ResultExistsError, match="hindcast-reference-oslo.png: exists already.*--force"):
        hindcast.plot(rows, tmp_path / "plots")
    assert not paths[1].exists() and paths[0].stat().st_mtime_ns == before[0]    # refused before writing any
    hindcast.plot(rows, tmp_path / "plots", force=True)
    assert paths[1].read_bytes()[:8] == PNG_MAGIC
    # a chart's name taken by a folder: refused before any chart is written, not after the first ones
    other = tmp_path / "other"
    (other / "hindcast-reference-skien.png").mkdir(parents=True)
    with pytest.raises(FramtidError, match="hindcast-reference-skien.png: is a folder, so the chart cannot take its "
                                           "name; .*nothing was written"):
        hindcast.plot(rows, other, force=True)
    assert [p.name for p in other.iterdir()] == ["hindcast-reference-skien.png"]


def test_an_interrupt_while_drawing_leaves_no_chart_and_no_mix_of_old_and_new(run_ds, tmp_path, monkeypatch):
    from framtid.model import hindcast_plot

    obs = [Observation(m, y, "sector", "heating", 1000.0, "ar5") for m in ("oslo", "skien") for y in (2009, 2013)]
    rows = hindcast.compare(run_ds, obs)
    real, drawn = hindcast_plot._figure, []

    def figure(municipality, panels):
        if drawn:                      # Ctrl-C while the second chart is drawn
            raise KeyboardInterrupt
        drawn.append(municipality)
        return real(municipality, panels)

    monkeypatch.setattr(hindcast_plot, "_figure", figure)
    with pytest.raises(KeyboardInterrupt):
        hindcast.plot(rows, tmp_path / "new")
    assert not (tmp_path / "new").exists()               # the folder made for the charts goes too
    monkeypatch.undo()
    paths = hindcast.plot(rows, tmp_path / "old")
    before = [p.read_bytes() for p in paths]
    drawn.clear()
    monkeypatch.setattr(hindcast_plot, "_figure", figure)
    with pytest.raises(KeyboardInterrupt):
        hindcast.plot(hindcast.compare(run_ds, obs[:3]), tmp_path / "old", force=True)
    assert [p.read_bytes() for p in paths] == before     # with --force: the old charts, all of them
    assert sorted(p.name for p in (tmp_path / "old").iterdir()) == [p.name for p in paths]


def test_matplotlib_is_imported_only_to_draw():
    code = "import sys; from framtid.model import hindcast; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- the command -----------------------------------------------------------------------------------

def test_command_prints_metrics_and_writes_charts(result_file, tmp_path):
    observed = write(tmp_path / "obs.csv", "municipality,year,sector,value\n"
                     "oslo,2009,heating,277564\noslo,2011,heating,152762\noslo,2013,heating,117398\n"
                     "oslo,2008,heating,280000\n")
    res = invoke("hindcast", result_file, "--observed", observed, "--out", tmp_path / "plots")
    assert res.exit_code == 0, res.output
    assert "Scenario reference against observed emissions 2009-2013" in res.stdout
    assert "bias_t" in res.stdout and "skill" in res.stdout and "oslo" in res.stdout
    assert "1 observation(s) of years outside the run left out" in res.stderr
    assert (tmp_path / "plots" / "hindcast-reference-oslo.png").read_bytes()[:8] == PNG_MAGIC
    from PIL import Image   # the chart records the result, its run and the observed file

    source = Image.open(tmp_path / "plots" / "hindcast-reference-oslo.png").info["Source"]
    assert f"result file: {Path(result_file).name}" in source and "seed: 0" in source
    assert f"observed: obs.csv sha256:{hashlib.sha256(Path(observed).read_bytes()).hexdigest()}" in source
    again = invoke("hindcast", result_file, "--observed", observed, "--out", tmp_path / "plots")
    assert again.exit_code == 2 and "exists already" in again.stderr


def test_command_csv_and_json_carry_every_observation(result_file, tmp_path):
    export = write(tmp_path / "export.csv", AGENCY_FIXTURE)
    res = invoke("hindcast", result_file, "--observed", export, "--municipality", "oslo", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert len(doc["observations"]) == 6 and doc["observations"][0]["gwp"] == "ar5"
    assert {m["name"] for m in doc["metrics"]} >= {"road_passenger_cars", "heating_wood", "all"}
    csv_out = invoke("hindcast", result_file, "--observed", export, "--municipality", "oslo", "--format", "csv")
    assert csv_out.stdout.startswith("section,municipality,level,name,n,years,bias_t")


BAD_FILES = [
    ("municipality", "municipality,year,sector,value\nnarnia,2011,heating,5\n",
     ["line 2, column 'municipality'", "unknown municipality 'narnia'", "allowed: oslo"]),
    ("sector", "municipality,year,sector,value\noslo,2011,roads,5\n",
     ["line 2, column 'sector'", "unknown sector or source 'roads'", "allowed: sectors road_passenger_cars"]),
    ("source", "municipality,year,sector,source,gas,t_co2e\noslo,2011,Veitrafikk,Sykler,CO2,5\n",
     ["line 2, column 'source'", "unknown source 'Sykler'", "allowed: Personbiler"]),
    ("agency sector", "municipality,year,sector,source,gas,t_co2e\noslo,2011,Romfart,Raketter,CO2,5\n",
     ["line 2, column 'sector'", "unknown inventory sector 'Romfart'", "allowed: Veitrafikk"]),
    ("gas", "municipality,year,sector,source,gas,t_co2e\noslo,2011,Veitrafikk,Busser,H2O,5\n",
     ["line 2, column 'gas'", "unknown gas 'H2O'", "allowed: CO2, CH4"]),
    ("duplicate", "municipality,year,sector,value\noslo,2011,heating,5\noslo,2011,Heating,6\n",
     ["line 3, column 'sector'", "given twice (also line 2)"]),
    ("agency duplicate", "municipality,year,sector,source,gas,t_co2e\noslo,2011,Veitrafikk,Busser,CO2,5\n"
     "oslo,2011,Veitrafikk,Busser,CO2,5\n",
     ["line 3, column 'gas'", "given twice (also line 2)"]),
    ("number", "municipality,year,sector,value\noslo,2011,heating,five\n",
     ["line 2, column 'value'", "must be a number of t CO2e", "'five'"]),
    ("negative", "municipality,year,sector,value\noslo,2011,heating,-5\n",
     ["line 2, column 'value'", "zero or more"]),
    ("year", "municipality,year,sector,value\noslo,2011.5,heating,5\n",
     ["line 2, column 'year'", "whole year"]),
    ("unit column", "municipality,year,sector,value,unit\noslo,2011,heating,5,kt CO2e\n",
     ["line 2, column 'unit'", "must be in t CO2e", "allowed: t CO2e"]),
    ("agency unit column", "municipality,year,sector,source,gas,t_co2e,unit\noslo,2011,Veitrafikk,Personbiler,CO2,290,"
                           "kt CO2e\n", ["line 2, column 'unit'", "must be in t CO2e", "allowed: t CO2e"]),
    ("unit header", "municipality,year,sector,kt_co2e\noslo,2011,heating,5\n",
     ["line 1, column 'kt_co2e'", "must be in t CO2e"]),
    ("gwp", "municipality,year,sector,value,gwp\noslo,2011,heating,5,ar3\n",
     ["line 2, column 'gwp'", "unknown GWP set 'ar3'", "allowed: ar4, ar5, ar6, sar"]),
    ("missing column", "municipality,year,value\noslo,2011,5\n",
     ["line 1, column 'sector'", "missing column(s) sector", "municipality,year,sector,value"]),
    ("missing cell", "municipality,year,sector,value\noslo,,heating,5\n", ["line 2, column 'year'", "empty cell"]),
    ("no municipality", "year,sector,source,gas,t_co2e\n2011,Veitrafikk,Busser,CO2,5\n",
     ["line 1, column 'municipality'", "needs --municipality ID", "allowed: oslo"]),
    ("merged number", "municipality,year,sector,value\n0602,2011,heating,5\n",
     ["line 2, column 'municipality'", "0602 is drammen's number before the 2020 merger, for its smaller area",
      "numbered as in 2020 or 2024"]),
    ("empty", "", ["line 1", "empty file"]),
    ("header only", "municipality,year,sector,value\n", ["line 2", "no observations"]),
    ("decimal comma", "municipality,year,sector,value\noslo,2011,heating,5,7\n",
     ["line 2", "more values than the 4 columns (municipality,year,sector,value)", "decimals with a point"]),
    ("misspelt column", "municipality,year,sector,value,gwp,unti\noslo,2011,heating,5,ar5,kt CO2e\n",
     ["line 1, column 'unti'", "unknown column 'unti'; did you mean 'unit'?",
      "allowed: municipality,year,sector,value[,gwp][,unit][,note] (the long layout)"]),
    ("repeated column", "municipality,municipality,year,sector,value\nnarnia,oslo,2011,heating,5\n",
     ["line 1, column 'municipality'", "named twice in the header"]),
    ("agency repeated column", "year,sector,source,gas,t_co2e,t_co2e\n2011,Veitrafikk,Busser,CO2,5,6\n",
     ["line 1, column 't_co2e'", "named twice in the header"]),
    ("capitals", "Municipality,Year,Sector,Value\noslo,2011,heating,5\n",
     ["line 1, column 'municipality'", "missing column(s) municipality, year, sector, value",
      "column names are lower case: 'Municipality' is 'municipality'"]),
    ("unclosed quote",
     'municipality,year,sector,value\noslo,2011,heating,5\n"oslo,2013,heating,4\noslo,2014,heating,3\n',
     ["line 3", "a value runs over several lines (a quote opened and not closed?)"]),
]


@pytest.mark.parametrize("case, text, words", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_observation_files_exit_2_with_one_located_message(result_file, tmp_path, case, text, words):
    bad = write(tmp_path / "observed.csv", text)
    res = invoke("hindcast", result_file, "--observed", bad)
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"framtid: {bad}: line "), res.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    assert res.stdout == ""


def test_an_observation_file_not_in_utf8_is_told_where_and_what_to_do(result_file, tmp_path):
    """A Latin-1 file (Excel's plain CSV) got "not a UTF-8 text file" alone; scenario files say where and how."""
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("municipality,year,sector,value\nTromsø,2013,heating,1000\n".encode("latin-1"))
    res = invoke("hindcast", result_file, "--observed", bad)
    assert res.exit_code == 2 and res.stderr.strip() == (f"framtid: {bad}: not a UTF-8 text file (byte 36); save it "
                                                         "as UTF-8 (in Excel: CSV UTF-8)")


def test_what_is_no_observation_file_is_refused_saying_what(result_file, tmp_path):
    # a device that never ends is read no further than an observation file could be; a result file is no
    # observation file; a framtid: name other than the embedded inventory names nothing
    for given, words in (("/dev/zero", "more than 100,000,000 bytes, more than an observation file holds; give a "
                                       "CSV file of observations"),
                         (str(result_file), "a NetCDF file (a result?), not observations; give a CSV file"),
                         ("framtid:inventories", "no such file, nor a set of observations embedded in framtid (the "
                                                 "embedded one is framtid:inventory)")):
        res = invoke("hindcast", result_file, "--observed", given)
        assert res.exit_code == 2 and res.stderr.strip() == f"framtid: {given}: {words}", res.output


@pytest.mark.parametrize("args, words", [
    (["--municipality", "narnia"], "--municipality: unknown municipality 'narnia'; allowed: oslo"),
    (["--scenario", "nope"], "--scenario: 'nope' not in {result}; allowed: reference"),
])
def test_bad_options_exit_2(result_file, tmp_path, args, words):
    export = write(tmp_path / "export.csv", AGENCY_FIXTURE)
    res = invoke("hindcast", result_file, "--observed", export, *(args if "--municipality" in args
                                                                   else ["--municipality", "oslo", *args]))
    assert res.exit_code == 2 and words.format(result=result_file) in res.stderr, res.output


def test_a_result_without_the_gas_masses_is_named_by_its_path(run_ds, tmp_path):
    thin = tmp_path / "thin.nc"
    api.save(run_ds.drop_vars("emissions_gas"), thin)          # as a run with --variables writes it
    observed = write(tmp_path / "obs.csv", "municipality,year,sector,value,gwp\noslo,2011,heating,150000,ar4\n")
    res = invoke("hindcast", thin, "--observed", observed)
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith(f"framtid: {thin}: has no emissions_gas, which comparing with observations in AR4 "
                                 "needs"), res.stderr


def test_observations_outside_the_run_only_exit_2(result_file, tmp_path):
    observed = write(tmp_path / "old.csv", "municipality,year,sector,value\noslo,1990,heating,5\n")
    res = invoke("hindcast", result_file, "--observed", observed)
    assert res.exit_code == 2, res.output
    assert f"framtid: {observed}: no observation falls in the run's years (2009-2050) of {result_file}\n" == res.stderr



# --- what the command reads of a result file ---------------------------------------------------------------

def test_command_prints_the_same_as_with_the_whole_file_loaded(result_file, tmp_path, prints_as_with_whole_file):
    export = write(tmp_path / "export.csv", AGENCY_FIXTURE)          # AR5, by source: the run is re-weighed
    for fmt in ("table", "json"):
        prints_as_with_whole_file(hindcast.VARIABLES, "hindcast", result_file, "--observed", export,
                                  "--municipality", "oslo", "--format", fmt)


def test_the_comparison_reads_no_variable_it_does_not_declare(result_file, tmp_path):
    """On only the declared variables the comparison gives what it gives on the whole file: by sector,
    source and total, in the run's GWP set and re-weighed to another."""
    own = write(tmp_path / "ar4.csv", "municipality,year,sector,value,gwp\noslo,2009,heating,277564,ar4\n"
                "oslo,2011,total,152762,ar4\nbergen,2013,cars,117398,ar4\n")
    observations = read_observed(own) + read_observed(write(tmp_path / "export.csv", AGENCY_FIXTURE), "oslo")
    declared = api.open_results(result_file, list(hindcast.VARIABLES))
    whole = api.open_results(result_file)
    assert set(declared.data_vars) < set(whole.data_vars)
    assert hindcast.compare(declared, observations) == hindcast.compare(whole, observations)

def test_the_helper_writes_the_embedded_2009_2013_values(tmp_path):
    out = tmp_path / "observed.csv"
    tool = runpy.run_path(str(REPO / "tools" / "observed_2009_2013.py"))
    tool["main"]([str(out)])
    found = read_observed(out)
    assert {o.year for o in found} <= set(range(2009, 2014)) and {o.level for o in found} == {"sector", "source"}
    assert {o.municipality for o in found} == {"oslo", "fredrikstad", "sarpsborg", "porsgrunn", "skien"}
    embedded = data_store.find("porsgrunn", "emissions.source.landfill_gas", 2011)
    assert Observation("porsgrunn", 2011, "source", "landfill_gas", embedded.value, "ar5") in found
    with pytest.raises(SystemExit, match="exists already"):
        tool["main"]([str(out)])


def test_the_embedded_values_are_read_by_name_as_the_helper_writes_them(result_file, tmp_path):
    """``--observed framtid:inventory`` reads the inventory values embedded in the package: the same observations,
    and the same table, as the file the helper writes; its provenance names the package's data."""
    out = tmp_path / "observed.csv"
    runpy.run_path(str(REPO / "tools" / "observed_2009_2013.py"))["main"]([str(out)])
    assert read_observed("framtid:inventory") == read_observed(out)
    by_name, from_file = invoke("hindcast", result_file, "--observed", "framtid:inventory"), invoke(
        "hindcast", result_file, "--observed", out)
    assert by_name.exit_code == 0 and by_name.stdout == from_file.stdout
    saved = tmp_path / "table.csv"
    assert invoke("hindcast", result_file, "--observed", "framtid:inventory", "--format", "csv", "--save",
                  saved).exit_code == 0
    assert "# observed: framtid:inventory (the inventory values embedded in framtid, 2009-2013) data sha256:" in (
        saved.read_text(encoding="utf-8"))
    refused = invoke("hindcast", result_file, "--observed", "framtid:inventory", "--municipality", "oslo")
    assert refused.exit_code == 2 and "framtid:inventory: --municipality is for agency exports" in refused.output


# --- the band of sampled draws -----------------------------------------------------------------------

def test_coverage_counts_the_observations_after_2009_inside_the_band_by_hand():
    def banded(year, observed, low, high, name="heating"):
        return Row("oslo", year, "sector", name, "ar5", observed, (low + high) / 2, None, low, high)

    rows = [banded(2009, 100, 100, 100), banded(2011, 80, 85, 95), banded(2013, 60, 55, 70),   # out, in
            banded(2011, 50, 40, 50, "road_vans"), banded(2013, 61, 40, 60, "road_vans")]        # in (edge), out
    found = by_name(hindcast.metrics(rows))
    assert (found["oslo", "heating"].inside, found["oslo", "heating"].after_base) == (1, 2)
    assert found["oslo", "all"].coverage == pytest.approx(2 / 4)     # 2009, fitted in every draw, is left out
    header, table = hindcast.metric_table(list(found.values()), "table")
    assert header[-1] == "in_5-95" and table[0][-1] == "1/2"
    header, table = hindcast.metric_table(hindcast.metrics(HAND_ROWS), "csv")
    assert "coverage" not in header                                   # one draw: no band, no column


@pytest.fixture(scope="module")
def drawn_ds():
    return api.run(["framtid:reference"], seed=4, n_draws=6, sampler="lhs")


def test_a_band_is_taken_of_totals_summed_in_each_draw(drawn_ds):
    obs = [Observation("bergen", 2030, "total", "total", 1.0, "ar5"),
           Observation("oslo", 2013, "sector", "heating", 1.0, "ar5")]
    total, heating = hindcast.compare(drawn_ds, obs)
    per_draw = drawn_ds["emissions"].isel(scenario=0).sel(municipality="bergen", year=2030).sum("sector").values
    assert total.modelled == pytest.approx(float(np.median(per_draw)))
    assert (total.low, total.high) == pytest.approx(tuple(np.percentile(per_draw, [5, 95])))
    assert total.low < total.modelled < total.high and total.series.low is not None
    assert heating.inside is False                                    # 1 t is far below any draw
    header, table = hindcast.row_table([total, heating])
    assert header[-4:] == ("modelled_p05_t", "modelled_p95_t", "predicted_p05_t", "predicted_p95_t")
    assert table[0][-4] == round(total.low, 1) and table[0][-2] == round(total.predicted_low, 1)
    # the prediction band adds the discrepancy to the draws' spread: wider on both sides
    assert total.predicted_low < total.low and total.predicted_high > total.high


def test_observations_a_thousand_times_off_are_told_to_look_at_their_unit():
    def row(observed, modelled):
        return Row("oslo", 2011, "sector", "heating", "ar5", observed, modelled)

    # kilotonnes in the tonnes column: the median ratio 0.001
    slip = hindcast.unit_slip([row(300.0, 290_000.0), row(1_300.0, 1_250_000.0), row(5.0, 1_000.0)])
    assert slip.startswith("the observed values are 0.00104 times the model's (median of 3 observations)")
    assert "kt or kg" in slip
    # one sector far off (a plant the model does not hold) among agreeing ones is no slip of unit
    assert hindcast.unit_slip([row(300_000.0, 290_000.0), row(1_300_000.0, 1_250_000.0), row(5.0, 1_000.0)]) is None
    assert hindcast.unit_slip([row(0.0, 1_000.0)]) is None                      # nothing to set a ratio on
