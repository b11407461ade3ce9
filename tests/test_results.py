"""The results schema and the library front door: Dataset layout, provenance, saving and opening."""

import dataclasses
import os
import re
import stat
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr

import framtid
from framtid.model import api, dims, results
from framtid.model.errors import FramtidError, ResultExistsError, ResultFileError
from framtid.model.result_file import verify_file
from framtid.model.scenario_inheritance import builtin_path

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO / "scenarios" / "reference.toml"


@pytest.fixture(scope="module")
def model():
    return api.run_scenario(api.load_scenario(REFERENCE))


@pytest.fixture(scope="module")
def ds(model):
    return api.to_dataset([model], seed=0)


@pytest.fixture(scope="module")
def saved(ds, tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "reference.nc"
    return api.save(ds, path)


# -- layout -----------------------------------------------------------------------------------------

def test_emissions_dims_order(ds):
    assert ds["emissions"].dims == ("scenario", "municipality", "sector", "year", "draw")
    assert ds["emissions"].shape == (1, len(dims.MUNICIPALITIES), len(dims.SECTORS), len(dims.YEARS), 1)
    assert ds["emissions_source"].dims == ("scenario", "municipality", "source", "year", "draw")
    assert ds["emissions_gas"].dims == ("scenario", "municipality", "source", "gas", "year", "draw")
    assert ds["target_gap"].dims == ("scenario", "municipality", "year", "draw")


def test_activity_variables_follow_the_schema(ds):
    for v in results.ACTIVITY:
        assert ds[v.name].dims == ("scenario", "municipality") + v.extra + ("year", "draw"), v.name
        assert ds[v.name].attrs["units"] == v.units, v.name


def test_coordinates(ds):
    assert list(ds["municipality"].values) == list(dims.MUNICIPALITIES)
    assert list(ds["sector"].values) == list(dims.SECTORS)
    assert list(ds["year"].values) == list(dims.YEARS)
    assert ds["region"].sel(municipality="baerum").item() == "oslo"
    assert ds["region"].sel(municipality="sarpsborg").item() == "nedre_glomma"
    assert ds["sector_of_source"].sel(source="waste_incineration").item() == "energy_supply"
    assert ds["sector_of_source"].sel(source="heating_wood").item() == "heating"


def test_every_data_variable_has_units_and_a_long_name(ds):
    assert len(ds.data_vars) == len(results.ACTIVITY) + 9     # with time_bounds, adoption_year, cordon_passages
    for name, var in ds.data_vars.items():
        if name in ("base_year_status", "time_bounds"):      # text; bounds take their coordinate's units
            continue
        assert isinstance(var.attrs.get("units"), str) and var.attrs["units"], name
    for name, var in ds.variables.items():
        assert name == "time_bounds" or var.attrs.get("long_name"), name


def test_values_are_placed_on_the_right_axes(ds, model):
    # Oslo's population on 1 January 2009 is observed: 575 475.
    assert ds["population"].sel(scenario="reference", municipality="oslo", year=2009, draw=0).item() == \
        pytest.approx(575475)
    # The record (T, D, M, ...) and the Dataset agree element by element.
    k, m = 2030 - dims.BASE_YEAR, dims.MUNICIPALITIES.index("bergen")
    assert ds["zone_population"].sel(municipality="bergen", year=2030, draw=0, scenario="reference").values == \
        pytest.approx(model.record["zone_population"][k, 0, m])
    s, g = dims.SOURCES.index("landfill_gas"), dims.GASES.index("ch4")
    assert ds["emissions_gas"].sel(municipality="bergen", source="landfill_gas", gas="ch4", year=2030,
                                   draw=0, scenario="reference").item() == \
        model.record["emissions_gas"][k, 0, m, s, g]


def test_emissions_are_complete_and_finite(ds):
    assert np.all(np.isfinite(ds["emissions"].values))
    assert np.all(np.isfinite(ds["emissions_gas"].values))
    assert float(ds["emissions"].sel(municipality="oslo", year=2009).sum()) > 0


# -- provenance ------------------------------------------------------------------------------------

def test_attrs_record_version_seed_and_scenario_files(ds):
    assert ds.attrs["framtid_version"] == framtid.__version__
    # the code itself, which an installed package's version alone does not pin (no commit is recorded there)
    assert ds.attrs["code_sha256"] == api.code_digest() and len(ds.attrs["code_sha256"]) == 64
    assert ds.attrs["seed"] == 0
    assert ds.attrs["draws"] == 1
    assert ds.attrs["scenarios"] == "reference"
    # reference.toml extends the built-in policies-2009: both texts are kept, parent first.
    parent = builtin_path("policies-2009").read_text(encoding="utf-8")
    child = REFERENCE.read_text(encoding="utf-8")
    assert ds.attrs["scenario1_name"] == "reference"
    assert ds.attrs["scenario1_file0"] == "# policies-2009.toml\n" + parent
    assert ds.attrs["scenario1_file1"] == "# reference.toml\n" + child
    assert "scenario1_file2" not in ds.attrs
    assert ds.attrs["scenario1_parameters"] == "[]"
    assert ds["emissions"].attrs["gwp"] == "ar5"


def test_seed_is_recorded_as_given(model):
    assert api.to_dataset([model], seed=17).attrs["seed"] == 17


# -- consistency between the emission variables -----------------------------------------------------

def test_emissions_equal_sources_summed_by_sector(ds):
    by_source = ds["emissions_source"]
    for sector in dims.SECTORS:
        members = [s for s in dims.SOURCES if dims.SOURCE_SECTOR[s] == sector]
        expected = by_source.sel(source=members).sum("source")
        np.testing.assert_allclose(ds["emissions"].sel(sector=sector).values, expected.values, rtol=1e-12,
                                   err_msg=sector)
    # The same through the coordinate.
    grouped = by_source.groupby("sector_of_source").sum().rename(sector_of_source="sector")
    np.testing.assert_allclose(ds["emissions"].values, grouped.sel(sector=list(dims.SECTORS))
                               .transpose(*ds["emissions"].dims).values, rtol=1e-12)


def test_emissions_equal_ar5_weighted_gases(ds):
    # AR5 (the default): CH4 28, N2O 265; CO2 and F-gases (already CO2e) 1.
    gwp = xr.DataArray([1.0, 28.0, 265.0, 1.0], dims="gas", coords={"gas": list(dims.GASES)})
    weighted = (ds["emissions_gas"] * gwp).sum("gas")
    np.testing.assert_allclose(ds["emissions_source"].values, weighted.transpose(*ds["emissions_source"].dims)
                               .values, rtol=1e-12)
    total = ds["emissions"].sum("sector")
    np.testing.assert_allclose(total.values, weighted.sum("source").transpose(*total.dims).values, rtol=1e-10)
    # CH4 matters: landfill gas of some municipality is non-zero, so the weights were applied.
    assert float(ds["emissions_gas"].sel(source="landfill_gas", gas="ch4").sum()) > 0


# -- several scenarios in one Dataset ---------------------------------------------------------------

def test_two_scenarios_stack_and_names_must_be_unique(model):
    # to_dataset reads only these attributes of a finished run.
    other = SimpleNamespace(scenario=dataclasses.replace(model.scenario, name="twin"), n_draws=model.n_draws,
                            agenda=model.agenda,
                            record=model.record, params=model.params, calibration=model.calibration,
                            cordons=model.cordons)
    both = api.to_dataset([model, other], seed=0)
    assert list(both["scenario"].values) == ["reference", "twin"]
    assert both["emissions"].dims[0] == "scenario" and both.sizes["scenario"] == 2
    assert both.attrs["scenarios"] == "reference,twin"
    assert both.attrs["scenario2_name"] == "twin" and "scenario2_file1" in both.attrs
    np.testing.assert_array_equal(both["emissions"].sel(scenario="twin").values,
                                  both["emissions"].sel(scenario="reference").values)
    with pytest.raises(FramtidError, match="unique"):
        api.to_dataset([model, model], seed=0)


def test_scenarios_with_different_gwp_sets_are_not_mixed_in_one_file(model):
    # The same gas masses under a scenario declaring AR4 next to AR5: one file holds one GWP set.
    ar4 = SimpleNamespace(scenario=dataclasses.replace(model.scenario, name="ar4", gwp="ar4"),
                          n_draws=model.n_draws, record=model.record, params=model.params,
                          calibration=model.calibration, agenda=model.agenda, cordons=model.cordons)
    with pytest.raises(FramtidError, match="same GWP set"):
        api.to_dataset([model, ar4], seed=0)
    alone = api.to_dataset([ar4], seed=0)
    assert alone["emissions"].attrs["gwp"] == "ar4"
    gas = alone["emissions_gas"].sel(scenario="ar4")
    w = xr.DataArray([1.0, 25.0, 298.0, 1.0], dims="gas", coords={"gas": list(dims.GASES)})
    np.testing.assert_allclose(alone["emissions_source"].sel(scenario="ar4").values,
                               (gas * w).sum("gas").transpose("municipality", "source", "year", "draw").values,
                               rtol=1e-12)


# -- save -------------------------------------------------------------------------------------------

def test_save_writes_atomically(saved):
    assert saved.exists() and saved.stat().st_size > 0
    assert not list(saved.parent.glob("*.tmp"))
    assert [p.name for p in saved.parent.iterdir()] == ["reference.nc"]


def test_save_refuses_to_overwrite_without_force(ds, saved):
    before = saved.read_bytes()
    with pytest.raises(ResultExistsError, match="exists already"):
        api.save(ds, saved)
    assert saved.read_bytes() == before
    assert issubclass(ResultExistsError, FramtidError)


def test_save_with_force_replaces(ds, tmp_path):
    path = tmp_path / "out.nc"
    path.write_bytes(b"old")
    assert api.save(ds, path, force=True) == path
    assert path.read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"   # NetCDF-4 is HDF5
    assert not list(tmp_path.glob("*.tmp"))


def test_save_rejects_other_suffixes(ds, tmp_path):
    for name in ("out.nc4", "out.txt", "out", "out.nc.bak"):
        with pytest.raises(FramtidError, match=r"\.nc"):
            api.save(ds, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_save_creates_missing_folders(ds, tmp_path):
    path = api.save(ds, tmp_path / "a" / "b" / "out.nc")
    assert path.exists()


class _FailingDataset:
    """Writes half a file, then fails (disk full, interrupted)."""

    variables: dict = {}
    attrs: dict = {}

    def copy(self, deep=False):
        return self

    def to_netcdf(self, path, engine=None, format=None, encoding=None):
        Path(path).write_bytes(b"CDF partial")
        raise OSError("disk full")


def test_failed_write_leaves_no_temporary_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "out.nc"
    path.write_bytes(b"previous result")
    with pytest.raises(FramtidError, match="disk full"):
        api.save(_FailingDataset(), path, force=True)
    assert path.read_bytes() == b"previous result"
    assert [p.name for p in tmp_path.iterdir()] == ["out.nc"]
    with pytest.raises(FramtidError, match="nothing was written"):
        api.save(_FailingDataset(), tmp_path / "new.nc")
    assert not (tmp_path / "new.nc").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out.nc"]


def test_failed_write_into_new_folders_leaves_no_folder_either(tmp_path):
    """The folders made for a result that could not be written go with it: nothing is left, not even them (a
    folder that was there before stays)."""
    (tmp_path / "kept").mkdir()
    with pytest.raises(FramtidError, match="nothing was written"):
        api.save(_FailingDataset(), tmp_path / "kept" / "new" / "deeper" / "out.nc")
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")] == ["kept"]
    saved = api.save(xr.Dataset({"x": ("a", [1.0])}), tmp_path / "made" / "out.nc")      # a write that completes
    assert saved.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_saved_file_has_the_usual_permissions(ds, tmp_path):
    old = os.umask(0o022)
    try:
        path = api.save(ds, tmp_path / "shared.nc")
        plain = tmp_path / "plain.txt"
        plain.write_text("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(plain.stat().st_mode) == 0o644
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


# -- open_results -----------------------------------------------------------------------------------

def test_open_results_round_trips(ds, saved):
    back = api.open_results(saved)
    xr.testing.assert_identical(back, ds)
    assert back.attrs["scenario1_file0"].startswith("# policies-2009.toml\n")


@pytest.mark.parametrize("edit", [
    lambda d: d.assign_coords(year=d.year.values[::-1]),                      # 2050 read as 2009
    lambda d: d.assign_coords(municipality=["x" + m for m in d.municipality.values]),
    lambda d: d.assign(emissions=d.emissions.assign_attrs(gwp="ar9")),
    lambda d: d.assign(emissions=d.emissions.assign_attrs(units="kt CO2e yr-1")),
], ids=["years reversed", "municipalities renamed", "gwp attribute", "units attribute"])
def test_a_file_whose_labels_were_edited_is_refused(saved, tmp_path, edit):
    """The data checksums cover the numbers; the labels checksum what they are read by: years, municipalities,
    units, the GWP set. Edited, the file is refused (it gave 2050's emissions as 2009's); re-saved as it was,
    it is read."""
    with xr.open_dataset(saved) as ds:
        ds.load()
    edited = tmp_path / "edited.nc"
    edit(ds).to_netcdf(edited)
    with pytest.raises(ResultFileError, match="coordinates or attributes of [a-z_]+ .* are not those written "
                                              "with it; the file was edited after the run"):
        api.open_results(edited)
    with pytest.raises(ResultFileError, match="are not those written with it"):
        verify_file(edited)
    again = tmp_path / "again.nc"
    ds.to_netcdf(again)
    api.open_results(again)
    # a file of 0.2-0.7 carries no labels checksums, and is read as before (told by its version, not by the note)
    old = ds.copy()
    for var in old.data_vars.values():
        var.attrs.pop("labels_checksum")
    old.attrs["framtid_version"] = "0.7.0"
    del old.attrs["provenance_checksum"]                     # which files before 0.10.3 do not carry
    old.attrs["checksums"] = "sha256 of each data variable in its 'checksum' attribute"
    old.to_netcdf(tmp_path / "old.nc")
    api.open_results(tmp_path / "old.nc")
    # a file of now given an old version (or an old note) alone is still checked
    lied = edit(ds)
    lied.attrs["framtid_version"] = "0.7.0"
    del lied.attrs["provenance_checksum"]
    lied.to_netcdf(tmp_path / "lied.nc")
    with pytest.raises(ResultFileError, match="are not those written with it"):
        api.open_results(tmp_path / "lied.nc")
    old.attrs["framtid_version"] = ds.attrs["framtid_version"]   # a file of now without them was edited
    old.to_netcdf(tmp_path / "stripped.nc")
    with pytest.raises(ResultFileError, match="written with it"):
        api.open_results(tmp_path / "stripped.nc")


@pytest.mark.parametrize("edit", [
    lambda a: a.update(seed=99),
    lambda a: a.update(framtid_version="0.10.9"),
    lambda a: a.update(scenario1_parameters="[('transport.bpr_alpha', 0.3)]"),
    lambda a: a.update(scenario1_file1=a["scenario1_file1"].replace("reference", "other")),
    lambda a: a.pop("code_sha256"),
    lambda a: a.pop("provenance_checksum"),
], ids=["seed", "version", "parameters", "scenario text", "code removed", "checksum removed"])
def test_a_file_whose_record_of_the_run_was_edited_is_refused(saved, tmp_path, edit):
    """The global attributes that say how the run was made (seed, version, code, scenarios, their files and
    parameters) carry a checksum of their own: edited or removed, the file is refused (an export of it wrote
    '# seed: 99'); what other tools add when they re-save a file (history, their own attributes) is not covered."""
    with xr.open_dataset(saved) as ds:
        ds.load()
    edited = tmp_path / "edited.nc"
    edit(ds.attrs)
    ds.to_netcdf(edited)
    with pytest.raises(ResultFileError, match="the record of the run .* is not the one written with it; the file "
                                              "was edited after the run"):
        api.open_results(edited)
    with pytest.raises(ResultFileError, match="is not the one written with it"):
        verify_file(edited)


def test_a_file_re_saved_by_another_tool_with_its_own_attributes_is_read(saved, tmp_path):
    with xr.open_dataset(saved) as ds:
        ds.load()
    ds.attrs["history"] += "\nncks -O in.nc out.nc"
    ds.attrs["NCO"] = "netCDF Operators version 5.1.4"
    ds.to_netcdf(tmp_path / "resaved.nc")
    api.open_results(tmp_path / "resaved.nc")


def test_a_variable_missing_from_an_older_file_is_not_blamed_on_variables():
    """A result of 0.2.0, from before toll_paid was recorded, was told it came from a run with --variables."""
    from framtid.model.result_file import require

    old = xr.Dataset(attrs={"framtid_version": "0.2.0"})
    with pytest.raises(ResultFileError, match=r"old.nc: has no toll_paid, which framtid report needs \(the file was "
                                              r"written by framtid 0.2.0, which may not have recorded them, or a run "
                                              r"with --variables"):
        require(old, ["toll_paid"], "old.nc", "framtid report")
    with pytest.raises(ResultFileError, match=r"needs \(a run with --variables"):
        require(xr.Dataset(attrs={"framtid_version": framtid.__version__}), ["toll_paid"], "new.nc", "framtid report")


def test_open_results_rejects_non_framtid_files(tmp_path):
    text = tmp_path / "notes.nc"
    text.write_text("not a NetCDF file\n")
    with pytest.raises(FramtidError, match="not a framtid result file"):
        api.open_results(text)
    # A valid NetCDF file without framtid's emissions and provenance.
    plain = tmp_path / "plain.nc"
    xr.Dataset({"x": ("t", np.arange(3.0))}).to_netcdf(plain, engine="scipy")
    with pytest.raises(FramtidError, match="not a framtid result file"):
        api.open_results(plain)
    # Emissions but no provenance.
    no_attrs = tmp_path / "no_attrs.nc"
    xr.Dataset({"emissions": ("t", np.arange(3.0))}).to_netcdf(no_attrs, engine="scipy")
    with pytest.raises(FramtidError, match="not a framtid result file"):
        api.open_results(no_attrs)
    with pytest.raises(FramtidError, match="no such result file"):
        api.open_results(tmp_path / "missing.nc")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_given_as_a_result_is_refused_at_once(tmp_path):
    """A named pipe (or device) is no result file: the NetCDF libraries would wait on it for a writer for ever.
    Run in a subprocess with a time limit, so that a regression fails instead of hanging the suite."""
    import subprocess
    import sys

    fifo = tmp_path / "result.nc"
    os.mkfifo(fifo)
    observed = tmp_path / "observed.csv"
    observed.write_text("municipality,year,sector,value\noslo,2011,heating,150000\n", encoding="utf-8")
    for command in (["summary", str(fifo)], ["hindcast", str(fifo), "--observed", str(observed)]):
        done = subprocess.run([sys.executable, "-m", "framtid.cli.main", *command], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode != 0 and "Traceback" not in done.stderr + done.stdout
        assert f"{fifo}: not a regular file (a pipe, device or socket)" in done.stderr + done.stdout, command


def test_a_file_that_is_not_a_result_is_refused_in_one_line_that_says_what_it_is(saved, tmp_path):
    """A scenario, a CSV or a chart given as a result: one line, no back-end advice or links; a NetCDF
    file cut short: said so."""
    scenario = tmp_path / "package.toml"
    scenario.write_text('[scenario]\nname = "package"\n')
    with pytest.raises(FramtidError) as info:
        api.open_results(scenario)
    assert str(info.value) == (f"{scenario}: not a framtid result file (not a NetCDF file; a result is the .nc file "
                               f"that framtid run writes; a scenario? run it first: framtid run {scenario})")
    chart = tmp_path / "mac.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(FramtidError) as info:
        api.open_results(chart)
    assert str(info.value) == (f"{chart}: not a framtid result file (not a NetCDF file; a result is the .nc file "
                               "that framtid run writes)")
    cut = tmp_path / "cut.nc"
    cut.write_bytes(saved.read_bytes()[:4096])
    with pytest.raises(FramtidError) as info:
        api.open_results(cut)
    message = str(info.value)
    assert message.startswith(f"{cut}: not a framtid result file (a NetCDF file that cannot be read, cut short or "
                              "damaged: ") and "\n" not in message and "http" not in message


# -- reproducibility --------------------------------------------------------------------------------

def test_same_seed_gives_identical_datasets(ds):
    again = api.to_dataset([api.run_scenario(api.load_scenario(REFERENCE), seed=0)], seed=0)
    xr.testing.assert_identical(again, ds)


# -- file format, standards and checksums --------------------------------------------------------------

def test_default_format_is_compressed_netcdf4_and_netcdf3_on_request(ds, tmp_path):
    nc4 = api.save(ds, tmp_path / "four.nc")
    nc3 = api.save(ds, tmp_path / "three.nc", fmt="netcdf3")
    assert nc4.read_bytes()[:4] == b"\x89HDF" and nc3.read_bytes()[:3] == b"CDF"
    with xr.open_dataset(nc4) as back:
        assert back["emissions"].encoding.get("zlib") is True
    xr.testing.assert_identical(api.open_results(nc3), ds)
    with pytest.raises(FramtidError, match="unknown result format"):
        api.save(ds, tmp_path / "x.nc", fmt="hdf9")


@pytest.mark.parametrize("engine", ["netcdf4", "h5netcdf", "scipy"])
def test_a_file_re_saved_by_other_tools_opens(saved, tmp_path, engine):
    with xr.open_dataset(saved) as plain:
        plain.load().to_netcdf(tmp_path / "again.nc", engine=engine)
    back = api.open_results(tmp_path / "again.nc")
    np.testing.assert_array_equal(back["emissions"].values, api.open_results(saved)["emissions"].values)


def test_a_cut_file_is_refused_naming_what_changed(saved, tmp_path):
    with xr.open_dataset(saved) as plain:
        plain.load().isel(year=slice(0, 12)).to_netcdf(tmp_path / "cut.nc")
    with pytest.raises(FramtidError, match=r"cut.nc: the data of \w+ do not match the checksum.*'year': 12"):
        api.open_results(tmp_path / "cut.nc")


@pytest.mark.parametrize("lazy", [False, True])
def test_a_file_with_an_empty_draw_axis_is_refused(saved, tmp_path, lazy):
    from framtid.model.result_file import add_checksums

    with xr.open_dataset(saved) as plain:
        empty = plain.load().isel(draw=slice(0, 0))
    add_checksums(empty)                               # edited with another tool, checksums made anew
    empty.to_netcdf(tmp_path / "no-draws.nc")
    with pytest.raises(FramtidError, match=r"^\S*no-draws.nc: its draw axis is empty; a result needs at least one "
                                           r"draw$"):
        api.open_results(tmp_path / "no-draws.nc", lazy=lazy)


def test_damaged_data_are_detected(saved, tmp_path):
    import shutil

    import netCDF4

    damaged = tmp_path / "damaged.nc"
    shutil.copy(saved, damaged)
    with netCDF4.Dataset(damaged, "a") as nc:
        nc["emissions"][0, 0, 0, 5, 0] = 1.8e307        # one value flipped on disk
    with pytest.raises(FramtidError, match="the data of emissions do not match the checksum") as info:
        api.open_results(damaged)
    assert info.value.exit_code == 2
    with netCDF4.Dataset(damaged, "a") as nc:
        nc["emissions"].delncattr("checksum")
    with pytest.raises(FramtidError, match="emissions has no checksum"):
        api.open_results(damaged)


def test_a_lazily_opened_file_has_the_values_of_the_loaded_one_and_is_verified(saved, tmp_path):
    import shutil

    import netCDF4

    loaded = api.open_results(saved)
    with api.open_results(saved, lazy=True) as lazy:
        xr.testing.assert_identical(lazy.load(), loaded)
    with api.open_results(saved, ["emissions_source"], lazy=True) as lazy:
        # a list of labels is taken from the range read, as from the loaded variable
        picked = lazy["emissions_source"].sel(source=["industry", "cars"], year=[2030, 2009])
        np.testing.assert_array_equal(picked.values, loaded["emissions_source"].sel(
            source=["industry", "cars"], year=[2030, 2009]).values)
    damaged = tmp_path / "damaged.nc"
    shutil.copy(saved, damaged)
    with netCDF4.Dataset(damaged, "a") as nc:
        nc["emissions"][0, 0, 0, 5, 0] = 1.8e307
    with pytest.raises(FramtidError, match="the data of emissions do not match the checksum"):
        api.open_results(damaged, lazy=True)


def test_checksum_covers_values_dimensions_and_shape():
    from framtid.model.result_file import data_checksum

    a = xr.Variable(("x",), np.array([1.0, np.nan, 3.0]))
    assert data_checksum(a) == data_checksum(xr.Variable(("x",), np.array([1.0, np.nan, 3.0])))
    assert data_checksum(a) == data_checksum(xr.Variable(("x",), np.array([1.0, np.nan, 3.0], dtype="f4")))
    assert data_checksum(a) != data_checksum(xr.Variable(("x",), np.array([1.0, np.nan, 3.5])))
    assert data_checksum(a) != data_checksum(xr.Variable(("y",), np.array([1.0, np.nan, 3.0])))
    assert data_checksum(a) != data_checksum(xr.Variable(("x", "y"), np.array([[1.0, np.nan, 3.0]])))
    assert data_checksum(xr.Variable(("s",), np.array(["a", "b"]))) != \
        data_checksum(xr.Variable(("s",), np.array(["a", "c"])))


def test_result_follows_cf_1_8_by_the_ioos_checker(saved, tmp_path):
    import json

    from compliance_checker.runner import CheckSuite, ComplianceChecker

    CheckSuite.load_all_available_checkers()
    report = tmp_path / "cf.json"
    ComplianceChecker.run_checker(str(saved), ["cf:1.8"], 0, "normal", output_filename=str(report),
                                  output_format="json")
    result = next(iter(json.loads(report.read_text()).values()))
    failed = [(p["name"], p["msgs"]) for p in result["all_priorities"] if p["msgs"]]
    assert result["high_count"] == 0 and result["medium_count"] == 0, failed
    assert result["scored_points"] == result["possible_points"], failed


def test_result_follows_cf_rules_the_checker_leaves_to_us(ds):
    import re

    from cf_units import Unit

    assert ds.attrs["Conventions"] == "CF-1.8"
    for name, var in ds.variables.items():
        if name != "time_bounds":                      # bounds take their coordinate's metadata
            assert var.attrs.get("long_name"), name
        if "units" in var.attrs:
            Unit(var.attrs["units"])                   # UDUNITS parses it (raises otherwise)
        assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", k) for k in var.attrs), (name, list(var.attrs))
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", k) for k in ds.attrs), list(ds.attrs)
    assert ds["emissions"].attrs["units"] == "t yr-1" and "AR5" in ds["emissions"].attrs["co2e_basis"]
    # the year is a time axis through its auxiliary coordinate
    assert ds["time"].dims == ("year",) and ds["time"].attrs["standard_name"] == "time"
    assert str(ds["time"].values[0])[:10] == "2009-07-01"
    assert ds["year"].dtype == np.int32 and ds["draw"].dtype == np.int32   # CF-1.8 has no int64


def test_an_old_file_without_checksums_still_opens(saved, tmp_path):
    with xr.open_dataset(saved) as plain:
        old = plain.load()
    del old.attrs["checksums"]
    for var in old.data_vars.values():
        var.attrs.pop("checksum")
    old.attrs["framtid_version"] = "0.1.0"          # written before checksums existed
    old.to_netcdf(tmp_path / "old.nc")
    assert "emissions" in api.open_results(tmp_path / "old.nc")
    verify_file(tmp_path / "old.nc")


def test_removing_the_checksums_does_not_turn_the_check_off(saved, tmp_path):
    with xr.open_dataset(saved) as plain:
        edited = plain.load()
    del edited.attrs["checksums"]                    # the attribute removed, the data changed
    edited["emissions"][:] = np.nan
    edited.to_netcdf(tmp_path / "edited.nc")
    says = f"edited.nc: has no checksums .*this one says {re.escape(framtid.__version__)}"
    for read in (api.open_results, verify_file, lambda p: api.open_results(p, lazy=True)):
        with pytest.raises(ResultFileError, match=says):
            read(tmp_path / "edited.nc")


# -- writing safely -------------------------------------------------------------------------------------

class _Racing:
    """A dataset whose writing takes long enough for another run to create the same file meanwhile."""

    def __init__(self, ds, target: Path):
        self.ds, self.target = ds, target
        self.variables, self.attrs = ds.variables, ds.attrs

    def copy(self, deep=False):
        return self

    def to_netcdf(self, path, **kwargs):
        self.ds.to_netcdf(path, **kwargs)
        self.target.write_bytes(b"the other run's result")


def test_two_runs_writing_the_same_new_path_cannot_both_succeed(ds, tmp_path):
    target = tmp_path / "same.nc"
    with pytest.raises(ResultExistsError, match="exists already"):
        api.save(_Racing(ds, target), target)
    assert target.read_bytes() == b"the other run's result"          # the other run's file is kept
    assert [p.name for p in tmp_path.iterdir()] == ["same.nc"]         # and no temporary file is left
    # with --force the later run replaces it, as asked
    api.save(_Racing(ds, tmp_path / "forced.nc"), tmp_path / "forced.nc", force=True)
    assert (tmp_path / "forced.nc").read_bytes()[:4] == b"\x89HDF"


def test_temporary_files_match_the_ignore_patterns(ds, tmp_path, monkeypatch):
    import fnmatch

    from framtid.model import result_file

    seen = []
    real = result_file._write

    def spy(ds_, tmp, fmt):
        seen.append(Path(tmp).name)
        real(ds_, tmp, fmt)

    monkeypatch.setattr(result_file, "_write", spy)
    api.save(ds, tmp_path / "spied.nc")
    patterns = [line.strip() for line in (REPO / ".gitignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert seen and seen[0].startswith(".spied.nc.") and seen[0].endswith(".tmp")
    assert any(fnmatch.fnmatch(seen[0], p) for p in patterns if "/" not in p), (seen, patterns)


def test_file_names_too_long_are_refused_before_writing(ds, tmp_path):
    from framtid.model.errors import ResultFileError

    with pytest.raises(ResultFileError, match="file name too long") as info:
        api.save(ds, tmp_path / ("x" * 300 + ".nc"))
    assert info.value.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def test_default_name_of_many_scenarios_is_shortened():
    names = [SimpleNamespace(name=f"scenario-number-{i:02d}") for i in range(40)]
    path = api.default_result_path(names)
    assert path.parent == Path("results") and len(path.name) <= api.DEFAULT_NAME_MAX
    assert path.name.startswith("scenario-number-00+39-more-") and path.suffix == ".nc"
    assert path != api.default_result_path(names[:-1])
    assert api.default_result_path(names[:2]).name == "scenario-number-00+scenario-number-01.nc"


def test_provenance_records_this_checkout_commit():
    import subprocess

    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                          text=True)
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    assert api._git_commit().startswith(head.stdout.strip()[:7])


def test_open_results_can_load_only_some_variables(saved):
    part = api.open_results(saved, ["car_vkm", "not_in_the_file"])
    assert sorted(part.data_vars) == ["car_vkm", "emissions"]      # emissions always, unknown names skipped
    whole = api.open_results(saved)
    assert part["car_vkm"].equals(whole["car_vkm"]) and part["emissions"].equals(whole["emissions"])


# --- interrupts while a file is written ------------------------------------------------------------------

class _Stop(Exception):
    pass


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_an_interrupt_during_a_write_comes_after_the_file_is_written_and_named(tmp_path, signal_name):
    # An interrupt raised inside a NetCDF write left the library's file lock taken and its clean-up waiting for
    # it forever (a terminated ensemble run hung). Held, it arrives once the file has its name.
    import signal

    from framtid.model.safe_write import write_atomically

    number = getattr(signal, signal_name)

    def stop(signum, frame):
        raise _Stop(signum)

    before = signal.signal(number, stop)
    try:
        def write(tmp):
            with open(tmp, "w") as fh:
                fh.write("first half ")
                signal.raise_signal(number)          # delivered now, it would cut the write here
                fh.write("second half")

        target = tmp_path / "out.txt"
        with pytest.raises(_Stop) as caught:
            write_atomically(target, write, False, "a test file")
        assert caught.value.args == (number,)
        assert target.read_text() == "first half second half"
        assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]          # no temporary file left
        assert signal.getsignal(number) is stop                              # the handler is back
        # a write that fails removes its temporary file and leaves the handler as it was
        with pytest.raises(ZeroDivisionError):
            write_atomically(tmp_path / "bad.txt", lambda tmp: 1 / 0, False, "a test file")
        assert [p.name for p in tmp_path.iterdir()] == ["out.txt"] and signal.getsignal(number) is stop
    finally:
        signal.signal(number, before)


def test_a_write_outside_the_main_thread_holds_nothing(tmp_path):
    import signal
    import threading

    from framtid.model.safe_write import write_atomically

    seen = []

    def write(tmp):
        seen.append(signal.getsignal(signal.SIGINT))
        Path(tmp).write_text("x")

    worker = threading.Thread(target=write_atomically, args=(tmp_path / "t.txt", write, False, "a test file"))
    worker.start()
    worker.join()
    assert (tmp_path / "t.txt").read_text() == "x" and seen == [signal.getsignal(signal.SIGINT)]


def test_files_written_together_are_all_named_or_none(tmp_path):
    """A name taken before the write (a link to nothing too) is refused before any file is written; one taken
    while the files are written takes back the names already given, so no file of the group stays."""
    from framtid.model.safe_write import write_all_atomically

    first, second = tmp_path / "a.png", tmp_path / "b.png"
    os.symlink(tmp_path / "nowhere", second)
    with pytest.raises(ResultExistsError, match="b.png: exists already"):
        write_all_atomically([(first, lambda tmp: 1 / 0), (second, lambda tmp: None)], False, "two charts")
    second.unlink()

    def taking_the_second(tmp):
        Path(tmp).write_text("a")
        second.write_text("someone else's")

    with pytest.raises(ResultExistsError, match="b.png: exists already"):
        write_all_atomically([(first, taking_the_second), (second, lambda tmp: Path(tmp).write_text("b"))], False,
                             "two charts")
    assert not first.exists() and second.read_text() == "someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.png"]


def test_files_replaced_together_say_which_were_replaced_when_a_later_one_fails(tmp_path):
    """With --force a file already put in place of the old one is not restored when a later one of its group
    cannot be named: the message names it instead of saying that nothing was written."""
    from framtid.model.safe_write import write_all_atomically

    first, second = tmp_path / "a.png", tmp_path / "b.png"
    first.write_text("old a")

    def taking_the_second_name(tmp):
        Path(tmp).write_text("new a")
        second.mkdir()                          # a folder (not empty) takes the name meanwhile
        (second / "x").write_text("")

    with pytest.raises(FramtidError, match=r"a.png written already \(--force: not taken back\), the rest not written"):
        write_all_atomically([(first, taking_the_second_name), (second, lambda tmp: Path(tmp).write_text("b"))],
                             True, "two charts")
    assert first.read_text() == "new a" and second.is_dir()


def test_files_taken_back_leave_a_name_another_process_took_meanwhile(tmp_path, monkeypatch):
    """When a later file of a group cannot be named, the names already given are taken back, but only where they
    still hold our file: one that another process put in its place meanwhile stays."""
    from framtid.model import safe_write

    first, second = tmp_path / "a.png", tmp_path / "b.png"
    publish = safe_write.publish

    def publish_then_replace(tmp, path, force):
        publish(tmp, path, force)
        if path == first:                                    # someone else's file takes the first name at once
            other = tmp_path / "theirs"
            other.write_text("theirs")
            os.replace(other, first)
            second.write_text("taken")                       # and the second name is taken too
    monkeypatch.setattr(safe_write, "publish", publish_then_replace)
    with pytest.raises(ResultExistsError, match="b.png: exists already"):
        safe_write.write_all_atomically([(first, lambda tmp: Path(tmp).write_text("a")),
                                         (second, lambda tmp: Path(tmp).write_text("b"))], False, "two charts")
    assert first.read_text() == "theirs" and second.read_text() == "taken"
