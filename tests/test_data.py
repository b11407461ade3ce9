"""The embedded data and the parameter table: complete, sourced, and rejected clearly when malformed."""

import re
from pathlib import Path

import numpy as np
import pytest

from framtid.model import api, data_store, dims, parameters
from framtid.model.accounting import GWP_SETS, gwp_vector
from framtid.model.errors import DataError

REPO = Path(__file__).resolve().parent.parent
HEADER = "name,unit,default,low,high,distribution,description,source\n"


def test_every_parameter_has_unit_range_and_source():
    table = parameters.table()
    assert len(table) > 300
    for p in table.values():
        assert p.unit and p.description and p.source, p.name
        assert p.low <= p.default <= p.high, p.name
        assert p.name.split(".")[0] in ("accounting", "land_use", "transport", "buildings", "waste",
                                        "other_sectors", "energy_supply", "prices", "adaptation", "adoption",
                                        "cobenefits", "cost"), p.name


def test_a_uniform_parameter_has_its_default_near_the_centre_of_its_range():
    """A default off the centre of its range is a best estimate (a fit, a derived value, a convention) and is
    sampled peaked at it (pert, triangular), so that an ensemble is centred near the run without draws;
    ``uniform`` is kept for defaults within a tenth of the range of its centre."""
    off = [p.name for p in parameters.table().values() if p.distribution == "uniform"
           and abs(p.default - (p.low + p.high) / 2) > 0.1 * (p.high - p.low)]
    assert not off, off


def test_every_parameter_is_read_by_a_run(monkeypatch):
    """No dead rows: a current-policies run, one with adaptive measures (the adoption rule) and the
    GWP sets read every parameter in the table."""
    seen = set()
    original = parameters.Params.__getitem__

    def spy(self, name):
        seen.add(name)
        return original(self, name)

    monkeypatch.setattr(parameters.Params, "__getitem__", spy)
    current = api.run_scenario(api.load_scenario(REPO / "scenarios" / "current-policies.toml"))
    api.run_scenario(api.load_scenario(REPO / "tests" / "data" / "adaptive.toml"))
    for gwp in GWP_SETS:
        gwp_vector(parameters.Params.defaults(1), gwp)
    from framtid.model.evaluation import indicators   # co-benefit parameters are read after a run

    indicators.compute(api.to_dataset([current], 0))
    from framtid.model.evaluation import costs   # cost parameters are read by the kinds' cost declarations

    costs.check_declarations(current)
    assert set(parameters.table()) - seen == set()


@pytest.mark.parametrize("row, words", [
    ("a.b,1,x,0,1,fixed,d,s\n", "column 'default' must be a finite number, got 'x'"),
    ("a.b,1,0.5,0,,fixed,d,s\n", "column 'high' must be a finite number, got ''"),
    ("a.b,1,0.5,-inf,inf,uniform,d,s\n", "column 'low' must be a finite number, got '-inf'"),
    ("a.b,1,4,4,3,fixed,d,s\n", "low 4 is above high 3"),
    ("a.b,1,2,0,1,fixed,d,s\n", "outside [0.0, 1.0]"),
    ("a.b,1,0,0,30,lognormal,d,s\n", "a lognormal parameter takes positive values only, so its low must be above 0"),
    ("a.b,share,1.2,0,1.65,fixed,d,s\n", "unit share, but its range [0.0, 1.65] leaves [0, 1]"),
    ("a.b,share,0,-0.1,0.5,fixed,d,s\n", "unit share, but its range [-0.1, 0.5] leaves [0, 1]"),
    ("a.b,1,0.5,0,1,gaussian,d,s\n", "distribution 'gaussian'"),
    ("a.b,1,0.5,0,1,fixed,d,\n", "empty source"),
    ("a.b,,0.5,0,1,fixed,d,s\n", "empty unit"),
    ("a.b,1,0.5,0,1,fixed,d,s\na.b,1,0.5,0,1,fixed,d,s\n", "defined twice"),
])
def test_bad_parameter_rows_are_rejected_with_file_and_line(tmp_path, row, words):
    path = tmp_path / "demo.csv"
    path.write_text(HEADER + row)
    with pytest.raises(DataError) as info:
        parameters.load_table([path])
    assert str(info.value).startswith("demo.csv: line ") and words in str(info.value)


def test_parameter_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "demo.csv"
    path.write_bytes((HEADER + "a.b,1,0.5,0,1,fixed,Tromsø,s\n").encode("latin-1"))
    with pytest.raises(DataError, match="^demo.csv: not a UTF-8 text file; save it as UTF-8$"):
        parameters.load_table([path])


def test_a_parameter_the_model_needs_but_the_files_lack_is_a_data_error():
    params = parameters.Params({"a.b": np.ones(1)}, 1, {})
    with pytest.raises(DataError, match=r"parameters/\*.csv\) have no row for parameter 'c.d', which the model needs"):
        params["c.d"]


def test_bad_parameter_header_is_rejected(tmp_path):
    path = tmp_path / "demo.csv"
    path.write_text("name,unit,default\n")
    with pytest.raises(DataError, match="demo.csv: header must be"):
        parameters.load_table([path])


def test_observations_are_sourced_and_graded():
    obs = data_store.observations()
    assert len(obs) > 300
    for o in obs:
        assert o.source and o.confidence in ("high", "medium", "low", "derived"), o
    # every municipality has its 2009 population on 2020 borders
    for m in dims.MUNICIPALITIES:
        assert data_store.find(m, "population", 2009).value > 30_000


def test_municipalities_and_regions_match_the_dimensions():
    munis = data_store.municipalities()
    assert tuple(m.id for m in munis) == dims.MUNICIPALITIES
    for m in munis:
        assert dims.REGION_OF[m.id] == m.region
        assert 3000 < m.hdd_normal < 6000


def test_malformed_data_file_names_file_line_and_column(data_in_tmp):
    bad = data_in_tmp(data_store.observations) / "observations.csv"
    bad.write_text("municipality,variable,year,value,unit,gwp_basis,confidence,source,note\n"
                   "oslo,population,2009,many,inhabitants,,high,x,\n")
    with pytest.raises(DataError, match=r"observations.csv: line 2: column 'value' must be a number"):
        data_store.observations()


def test_data_file_that_is_not_utf8_is_named(data_in_tmp):
    bad = data_in_tmp(data_store.observations) / "observations.csv"
    bad.write_bytes("municipality,variable,year,value,unit,gwp_basis,confidence,source,note\n"
                    "tromso,population,2009,1,inhabitants,,high,Tromsø,\n".encode("latin-1"))
    with pytest.raises(DataError, match="^observations.csv: not a UTF-8 text file; save it as UTF-8$"):
        data_store.observations()


OBSERVATIONS_HEADER = "municipality,variable,year,value,unit,gwp_basis,confidence,source,note\n"


@pytest.mark.parametrize("text, message", [
    # csv.DictReader keeps values beyond the header under the key None: the row was read without them
    (OBSERVATIONS_HEADER + "tromso,population,2009,65,286,inhabitants,,high,SSB,\n",
     "line 2: more values than the 9 columns; quote a value that holds a comma"),
    # and of the columns of one name it keeps the last, dropping the others without a word
    (OBSERVATIONS_HEADER.replace("note", "value,note") + "tromso,population,2009,65286,inhabitants,,high,SSB,1,\n",
     "line 1, column 'value': named twice in the header; name each column once"),
], ids=["more values", "column named twice"])
def test_a_row_with_more_values_or_a_header_naming_a_column_twice_is_refused(data_in_tmp, text, message):
    bad = data_in_tmp(data_store.observations) / "observations.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=f"^observations.csv: {re.escape(message)}$"):
        data_store.observations()


@pytest.mark.parametrize("row, message", [
    ("oslo,population,2009,-100,inhabitants,,high,x,", "line 2: column 'value' of population must be a finite "
                                                       "number above 0 [inhabitants], got '-100'"),
    ("oslo,emissions.sector.heating,2009,-5,t CO2e,ar5,high,x,", "line 2: column 'value' of "
                                                                 "emissions.sector.heating must be a finite number "
                                                                 "from 0 up [t CO2e], got '-5'"),
    ("oslo,population,2009.7,600000,inhabitants,,high,x,", "line 2: column 'year' must be a whole year like 2009, "
                                                           "got '2009.7'"),
    # kt written for t would be read as t (a thousandth), a share in per cent rescaled: both refused
    ("bergen,emissions.sector.heating,2009,250,kt CO2e,ar5,high,x,",
     "line 2: column 'unit' of emissions.sector.heating must be 't CO2e' (the values are read in it), got 'kt CO2e'; "
     "convert the value"),
    ("porsgrunn,mode_share.walk,2009,17,share of trips,,high,x,",
     "line 2: column 'value' of mode_share.walk must be a finite number from 0 to 1 [share of trips], got '17'"),
    ("bergen,emissions.sector.heating,09,250,t CO2e,ar5,high,x,",
     "line 2: column 'year' must be a year from 1900 to 2100 written in full, got '09'"),
    # a misspelt name was left unread, or failed deep in the calibration
    ("oslo,emissions.sector.heatng,2009,250,t CO2e,ar5,high,x,",
     "line 2: column 'variable': unknown name 'heatng' in 'emissions.sector.heatng'; did you mean 'heating'? "
     "allowed: "),
    ("oslo,mode_share.public_transprt,2009,0.3,share of trips,,high,x,",
     "line 2: column 'variable': unknown name 'public_transprt' in 'mode_share.public_transprt'; did you mean "
     "'public_transport'? allowed: car_driver, car_passenger, public_transport, bicycle, walk"),
    ("oslo,emission.sector.heating,2009,250,t CO2e,ar5,high,x,",
     "line 2: column 'variable': unknown variable 'emission.sector.heating'; did you mean 'emissions'? allowed: "),
], ids=["negative population", "negative emissions", "part of a year", "kt for t", "per cent for a share",
        "two-digit year", "misspelt sector", "misspelt mode", "misspelt variable"])
def test_an_observation_that_cannot_be_is_refused_naming_its_line(data_in_tmp, row, message):
    bad = data_in_tmp(data_store.observations) / "observations.csv"
    bad.write_text(OBSERVATIONS_HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=f"^observations.csv: {re.escape(message)}"):
        data_store.observations()


def test_a_spreadsheet_s_csv_is_read_or_refused_naming_the_file_s_own_line(data_in_tmp):
    """A byte-order mark (Excel's "CSV UTF-8") is read past; a blank line counts in the line numbers of the
    file; a row of commas is an empty row, and a semicolon-separated file says so."""
    path = data_in_tmp(data_store.observations) / "observations.csv"
    good = "oslo,population,2009,600000,inhabitants,,high,x,\n"
    path.write_text("\ufeff" + OBSERVATIONS_HEADER + good, encoding="utf-8")
    assert data_store.observations()[0].value == 600000
    data_store.observations.cache_clear()
    path.write_text(OBSERVATIONS_HEADER + good + "\n" + "oslo,population,2010,many,inhabitants,,high,x,\n",
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"^observations.csv: line 4: column 'value' must be a number"):
        data_store.observations()
    path.write_text(OBSERVATIONS_HEADER + good + ",,,,,,,,\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"^observations.csv: line 3: an empty row"):
        data_store.observations()
    path.write_text(OBSERVATIONS_HEADER.replace(",", ";") + good.replace(",", ";"), encoding="utf-8")
    with pytest.raises(DataError, match=r"^observations.csv: line 1: columns must be separated by commas, not "
                                        r"semicolons"):
        data_store.observations()


def test_a_municipality_given_twice_or_unknown_is_refused(data_in_tmp):
    lines = data_store.data_path("municipalities.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    path = data_in_tmp(data_store.municipalities) / "municipalities.csv"
    path.write_text("".join(lines + [lines[1]]), encoding="utf-8")
    with pytest.raises(DataError, match=f"^municipalities.csv: line {len(lines) + 1}: oslo is given twice"):
        data_store.municipalities()
    path.write_text("".join(lines + [lines[1].replace("oslo,", "osl,", 1)]), encoding="utf-8")
    with pytest.raises(DataError, match="unknown municipality id 'osl'"):
        data_store.municipalities()


def test_a_parameter_row_with_more_values_than_the_header_is_refused(tmp_path):
    table = tmp_path / "demo.csv"
    table.write_text(HEADER + "a.b,1,0.5,0,1,fixed,one,two,three\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"^demo.csv: line 2: more values than the 8 columns"):
        parameters.load_table([table])


PLANTS_HEADER = "municipality,plant,plant_id,nace,category,year,t_co2e,source\n"


@pytest.mark.parametrize("row, message", [
    ("Bergen,Engines,1,x,industry,2009,170,s", "line 2: unknown municipality 'Bergen'; did you mean 'bergen'?"),
    ("bergen,Engines,1,x,Industry,2009,170,s", "line 2: column 'category' must be one of industry, district_heating, "
                                               "waste_incineration, got 'Industry'"),
    ("bergen,Engines,1,x,industry,2009,-170,s", "line 2: column 't_co2e' must be a finite number from 0 up"),
    ("bergen,Engines,1,x,industry,2009,170,s\nbergen,Engines,1,x,industry,2009,50,s",
     "line 3: Engines of bergen in 2009 is given twice (also line 2)"),
], ids=["capitalised municipality", "capitalised category", "negative", "twice"])
def test_a_plant_row_that_would_be_dropped_or_counted_silently_is_refused(data_in_tmp, row, message):
    path = data_in_tmp(data_store.plants) / "plants.csv"
    path.write_text(PLANTS_HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=f"^plants.csv: {re.escape(message)}"):
        data_store.plants()


def test_missing_data_file_is_a_clear_error(data_in_tmp):
    data_in_tmp(data_store.plants)
    with pytest.raises(DataError, match="plants.csv: cannot read data file"):
        data_store.plants()


def test_gwp_weights_are_made_once_per_table_and_set():
    """gwp_vector keeps each set's weights with the parameter table (read-only), as stacked from it."""
    params = parameters.Params.sampled(5, 1)
    for gwp in GWP_SETS:
        weights = gwp_vector(params, gwp)
        assert weights is gwp_vector(params, gwp) and not weights.flags.writeable
        ones = np.ones(5)
        assert np.array_equal(weights, np.stack([ones, params[f"accounting.gwp.{gwp}.ch4"],
                                                 params[f"accounting.gwp.{gwp}.n2o"], ones], axis=1))
    assert not np.array_equal(gwp_vector(params, "ar4"), gwp_vector(params, "sar"))
