"""Record precision: a single-precision run records the double run's numbers rounded to float32 (the
model computes in float64 either way), in half the memory; `framtid run --precision auto` stores
sampled ensembles in single and a run at the default values in double; a single-precision ensemble
file verifies and summarises; a resumed batch keeps its precision."""

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from framtid.cli.main import main
from framtid.model import api
from framtid.model import result_file as rf
from framtid.model.errors import UsageError
from framtid.model.parameters import Params
from framtid.model.results import ACTIVITY
from framtid.model.simulation import FramtidModel
from framtid.model.uncertainty import ensemble

N, SEED = 6, 3
SINGLE_VARIABLES = [v.name for v in ACTIVITY] + ["emissions", "emissions_source", "emissions_gas", "target_gap"]


@pytest.fixture(scope="module")
def reference():
    return api.load_scenario("framtid:reference")      # no adaptive measures: the same decisions in both


@pytest.fixture(scope="module")
def runs(reference):
    """The reference ensemble of N draws, recorded in double and in single precision."""
    return {p: api.run_scenario(reference, SEED, N, "lhs", precision=p) for p in ("double", "single")}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# -- the record -------------------------------------------------------------------------------------------

def test_the_single_record_is_the_double_record_rounded_to_float32(runs):
    double, single = runs["double"].record, runs["single"].record
    assert double.keys() == single.keys()
    for name in double:
        assert double[name].dtype == np.float64 and single[name].dtype == np.float32, name
        np.testing.assert_array_equal(double[name].astype(np.float32), single[name], err_msg=name)
    assert runs["single"].precision == "single" and runs["double"].precision == "double"


def test_the_record_takes_half_the_memory(runs):
    nbytes = {p: sum(a.nbytes for a in m.record.values()) for p, m in runs.items()}
    assert nbytes["single"] * 2 == nbytes["double"]


def test_totals_the_municipalities_decide_on_stay_float64_and_unrounded(runs):
    double, single = runs["double"].emission_totals(), runs["single"].emission_totals()
    assert single.dtype == np.float64
    np.testing.assert_array_equal(single, double)
    assert np.isfinite(single).all()


def test_an_unknown_precision_is_refused(reference):
    with pytest.raises(UsageError, match="unknown precision 'half'; allowed: single, double"):
        FramtidModel(reference, Params.defaults(1, reference.parameters), precision="half")
    with pytest.raises(UsageError, match="unknown precision"):
        api.choose_precision("quad", 8)
    with pytest.raises(UsageError, match="unknown precision"):
        ensemble.Batch((reference,), 4, precision="auto")


def test_auto_is_single_for_sampled_draws_only():
    assert api.choose_precision("auto", None) == "double"
    assert api.choose_precision("auto", 1) == "double"
    assert api.choose_precision("auto", 2) == "single"
    assert api.choose_precision("double", 1000) == "double"
    assert api.choose_precision("single", None) == "single"


# -- the Dataset --------------------------------------------------------------------------------------------

def test_the_dataset_keeps_float32_and_agrees_with_double_to_float32_precision(runs):
    double, single = (api.to_dataset([runs[p]], SEED) for p in ("double", "single"))
    assert single.attrs["precision"] == "single" and double.attrs["precision"] == "double"
    for name in SINGLE_VARIABLES:
        assert single[name].dtype == np.float32 and double[name].dtype == np.float64, name
    np.testing.assert_array_equal(single["emissions_gas"], double["emissions_gas"].astype(np.float32))
    # Emissions in CO2e are weighed from the rounded gases, in float64, then rounded once more.
    for name in ("emissions", "emissions_source"):
        np.testing.assert_allclose(single[name], double[name], rtol=3e-7, atol=1e-3, err_msg=name)
    rf.verify(single)                 # checksums over float32 values hashed as float64


# -- the command line and the file ---------------------------------------------------------------------------

def test_auto_gives_double_for_one_draw_and_single_for_several(tmp_path):
    paths = {"default": tmp_path / "default.nc", "one": tmp_path / "one.nc", "four": tmp_path / "four.nc"}
    assert invoke("run", "framtid:reference", "--out", paths["default"]).exit_code == 0
    assert invoke("run", "framtid:reference", "--draws", 1, "--out", paths["one"]).exit_code == 0
    res = invoke("run", "framtid:reference", "--draws", 4, "--chunk-size", 2, "--out", paths["four"])
    assert res.exit_code == 0, res.output
    wanted = {"default": ("double", np.float64), "one": ("double", np.float64), "four": ("single", np.float32)}
    for key, (precision, dtype) in wanted.items():
        with xr.open_dataset(paths[key]) as ds:
            assert ds.attrs["precision"] == precision, key
            assert ds["emissions"].dtype == dtype and ds["emissions_gas"].dtype == dtype, key


def test_a_single_precision_ensemble_file_verifies_and_summarises(tmp_path):
    path = tmp_path / "single.nc"
    res = invoke("run", "framtid:reference", "--draws", 4, "--chunk-size", 2, "--precision", "single",
                 "--variables", "population,target_gap", "--out", path)
    assert res.exit_code == 0, res.output
    rf.verify_file(path)
    ds = api.open_results(path)       # verifies every checksum again, loaded
    assert ds.attrs["precision"] == "single" and ds.attrs["draws"] == 4
    assert {ds[n].dtype for n in ("emissions", "population", "target_gap")} == {np.dtype(np.float32)}
    summary = invoke("summary", path, "--years", "2009,2030", "--format", "csv")
    assert summary.exit_code == 0, summary.output
    assert "emissions_p05_kt_co2e" in summary.output and "\nreference,oslo,2030," in summary.output


def test_double_on_the_command_line_keeps_an_ensemble_in_double(tmp_path):
    path = tmp_path / "double.nc"
    res = invoke("run", "framtid:reference", "--draws", 4, "--chunk-size", 2, "--precision", "double",
                 "--variables", "population", "--out", path)
    assert res.exit_code == 0, res.output
    with xr.open_dataset(path) as ds:
        assert ds.attrs["precision"] == "double" and ds["population"].dtype == np.float64


def test_a_resume_with_another_precision_is_refused(reference, tmp_path):
    path = tmp_path / "batch.nc"
    batch = ensemble.Batch((reference,), 4, 0, "lhs", ensemble.DEFAULT_CHUNK, None, "single")
    folder, _, held = ensemble.prepare(batch, path)   # an unfinished batch of `--draws 4` in single precision ...
    held.release()                                      # ... that has stopped
    res = invoke("run", "framtid:reference", "--draws", 4, "--resume", "--precision", "double", "--out", path)
    assert res.exit_code == 2, res.output
    assert 'precision: "single" in the unfinished batch, "double" now' in res.output
    assert folder.is_dir() and not path.exists()
    res = invoke("run", "framtid:reference", "--draws", 4, "--resume", "--out", path)   # auto: single again
    assert res.exit_code == 0, res.output
    with xr.open_dataset(path) as ds:
        assert ds.attrs["precision"] == "single"
