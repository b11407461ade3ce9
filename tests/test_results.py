"""The results schema and the library front door: Dataset layout, provenance, saving and opening."""

import dataclasses
import os
import stat
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr

import framtid
from framtid.model import api, dims, results
from framtid.model.errors import FramtidError, ResultExistsError
from framtid.model.scenario import builtin_path

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


def test_every_data_variable_has_units(ds):
    assert len(ds.data_vars) == len(results.ACTIVITY) + 6
    for name, var in ds.data_vars.items():
        assert isinstance(var.attrs.get("units"), str) and var.attrs["units"], name


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
    assert ds.attrs["seed"] == 0
    assert ds.attrs["draws"] == 1
    assert ds.attrs["scenarios"] == "reference"
    # reference.toml extends the built-in policies-2009: both texts are kept, parent first.
    parent = builtin_path("policies-2009").read_text(encoding="utf-8")
    child = REFERENCE.read_text(encoding="utf-8")
    assert ds.attrs["scenario_reference_file0"] == "# policies-2009.toml\n" + parent
    assert ds.attrs["scenario_reference_file1"] == "# reference.toml\n" + child
    assert "scenario_reference_file2" not in ds.attrs
    assert ds.attrs["scenario_reference_parameters"] == "[]"
    assert ds["emissions"].attrs["gwp"] == "ar4"


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


def test_emissions_equal_ar4_weighted_gases(ds):
    # AR4: CH4 25, N2O 298; CO2 and F-gases (already CO2e) 1.
    gwp = xr.DataArray([1.0, 25.0, 298.0, 1.0], dims="gas", coords={"gas": list(dims.GASES)})
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
                            record=model.record, params=model.params, calibration=model.calibration)
    both = api.to_dataset([model, other], seed=0)
    assert list(both["scenario"].values) == ["reference", "twin"]
    assert both["emissions"].dims[0] == "scenario" and both.sizes["scenario"] == 2
    assert both.attrs["scenarios"] == "reference,twin"
    assert "scenario_twin_file1" in both.attrs
    np.testing.assert_array_equal(both["emissions"].sel(scenario="twin").values,
                                  both["emissions"].sel(scenario="reference").values)
    with pytest.raises(FramtidError, match="unique"):
        api.to_dataset([model, model], seed=0)


def test_scenarios_with_different_gwp_sets_are_not_mixed_in_one_file(model):
    # The same gas masses under a scenario declaring AR5 next to AR4: one file holds one GWP set.
    ar5 = SimpleNamespace(scenario=dataclasses.replace(model.scenario, name="ar5", gwp="ar5"),
                          n_draws=model.n_draws, record=model.record, params=model.params,
                          calibration=model.calibration)
    with pytest.raises(FramtidError, match="same GWP set"):
        api.to_dataset([model, ar5], seed=0)
    alone = api.to_dataset([ar5], seed=0)
    assert alone["emissions"].attrs["gwp"] == "ar5"
    gas = alone["emissions_gas"].sel(scenario="ar5")
    w = xr.DataArray([1.0, 28.0, 265.0, 1.0], dims="gas", coords={"gas": list(dims.GASES)})
    np.testing.assert_allclose(alone["emissions_source"].sel(scenario="ar5").values,
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
    assert path.read_bytes()[:3] == b"CDF"            # NetCDF 3 magic number
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

    def to_netcdf(self, path, engine=None):
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
    assert back.attrs["scenario_reference_file0"].startswith("# policies-2009.toml\n")


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


# -- reproducibility --------------------------------------------------------------------------------

def test_same_seed_gives_identical_datasets(ds):
    again = api.to_dataset([api.run_scenario(api.load_scenario(REFERENCE), seed=0)], seed=0)
    xr.testing.assert_identical(again, ds)
