"""The command line: each command, its exit codes, and its behaviour on bad input."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from framtid.cli.main import main

REPO = Path(__file__).resolve().parent.parent
REFERENCE = str(REPO / "scenarios" / "reference.toml")


def invoke(*args):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def result_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("results") / "ref.nc"
    res = invoke("run", REFERENCE, "--out", str(out))
    assert res.exit_code == 0, res.output
    return out, res.output


def test_help_lists_commands_quickly_without_heavy_imports():
    code = ("import sys; from framtid.cli.main import main; "
            "print(sorted(m for m in ('numpy', 'mesa', 'xarray') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    res = invoke("--help")
    assert res.exit_code == 0
    for command in ("run", "validate", "list", "summary", "data"):
        assert command in res.output


def test_run_writes_result_and_prints_summary(result_file):
    out, printed = result_file
    assert out.exists()
    assert "Scenario reference" in printed and "oslo" in printed and "total" in printed
    assert f"wrote {out}" in printed


def test_run_refuses_to_overwrite_without_force(result_file):
    out, _ = result_file
    before = out.stat().st_mtime_ns
    res = invoke("run", REFERENCE, "--out", str(out))
    assert res.exit_code == 2            # an option not allowed, as every other
    assert "exists already" in res.output and "--force" in res.output
    assert out.stat().st_mtime_ns == before


def test_run_with_bad_scenario_writes_nothing(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "bad"\n[[measure]]\nkind = "landfill_ban"\nmunicipality = "narnia"\n'
                   'start_year = 2020\n')
    out = tmp_path / "bad.nc"
    res = invoke("run", str(bad), "--out", str(out))
    assert res.exit_code == 2
    assert "bad.toml: measure[1].municipality" in res.output
    assert "Traceback" not in res.output
    assert not out.exists() and not list(tmp_path.glob("*.tmp"))


def test_validate_good_and_bad(tmp_path):
    res = invoke("validate", REFERENCE, str(REPO / "scenarios" / "current-policies.toml"))
    assert res.exit_code == 0, res.output
    assert "Oil-heating ban" in res.output
    # a scenario's own measures are listed; what it inherits is counted, with the command that lists it
    assert ("  133 measure(s) from framtid:current-policies-tolls (framtid validate framtid:current-policies-tolls "
            "lists them), and its own:\n") in res.output
    assert "11 measure(s) from framtid:policies-2009" in res.output and "and none of its own" in res.output
    assert "oslo_ring tolls from 2011-01-01" not in res.output
    bad = tmp_path / "typo.toml"
    bad.write_text('[scenario]\nname = "typo"\n[[measure]]\nkind = "oil_heating_ban"\nmunicipality = "*"\n'
                   'start_year = 2018\ncompliance = 3\n')
    res = invoke("validate", str(bad))
    assert res.exit_code == 2
    assert "typo.toml: measure[1].compliance: must be between 0 and 1" in res.output
    assert "Traceback" not in res.output


def test_debug_shows_traceback(tmp_path):
    bad = tmp_path / "b.toml"
    bad.write_text("not toml [")
    res = invoke("--debug", "validate", str(bad))
    assert res.exit_code == 2
    assert "Traceback" in res.output


def test_missing_file_and_bad_years(tmp_path, result_file):
    res = invoke("validate", str(tmp_path / "nope.toml"))
    assert res.exit_code == 2 and "nope.toml: no such scenario file" in res.output
    res = invoke("summary", str(result_file[0]), "--years", "2009,1999")
    assert res.exit_code == 2 and "--years" in res.output
    res = invoke("summary", str(tmp_path / "none.nc"))
    assert res.exit_code == 2 and "no such result file" in res.output


@pytest.mark.parametrize("what", ["municipalities", "measures", "parameters", "correlations", "levers"])
def test_list_formats(what):
    for fmt in ("table", "csv", "json"):
        res = invoke("list", what, "--format", fmt)
        assert res.exit_code == 0, res.output
    rows = json.loads(invoke("list", what, "--format", "json").output)
    assert rows
    if what == "municipalities":
        assert [r["id"] for r in rows][:2] == ["oslo", "baerum"] and len(rows) == 13
    if what == "parameters":
        assert all(r["unit"] and r["source"] for r in rows)
    if what == "correlations":   # the declared pairs, each with its source
        assert all(r["source"] and -1 <= float(r["rank_correlation"]) <= 1 for r in rows)
        assert {"transport.value_of_time.car.errands", "transport.value_of_time.car.leisure"} in [
            {r["parameter_a"], r["parameter_b"]} for r in rows]


def test_list_measures_as_json_is_one_object_per_kind_with_its_fields():
    from framtid.model.measures import AREAS, KINDS

    kinds = json.loads(invoke("list", "measures", "--format", "json").output)
    assert sorted(k["kind"] for k in kinds) == sorted(KINDS)
    for k in kinds:
        assert k["area"] in AREAS and k["description"] and k["source"], k["kind"]
        assert k["fields"] and k["levers"], k["kind"]
        for f in k["fields"]:
            assert {"name", "unit", "min", "max", "default"} <= set(f), (k["kind"], f)
            if f["min"] is not None:
                assert f["min"] <= f["max"]
                assert f["default"] is None or f["min"] <= f["default"] <= f["max"], (k["kind"], f)
    charge = next(k for k in kinds if k["kind"] == "congestion_charge")
    cordon = next(f for f in charge["fields"] if f["name"] == "cordon")
    assert "oslo_ring" in cordon["choices"] and cordon["min"] is None
    assert charge["adaptive_allowed"] and not next(k for k in kinds if k["kind"] == "co2_tax")["adaptive_allowed"]
    assert {k["area"] for k in kinds} == set(AREAS)


def test_summary_by_sector(result_file):
    res = invoke("summary", str(result_file[0]), "--years", "2009,2030", "--by", "sector")
    assert res.exit_code == 0, res.output
    assert "road_passenger_cars" in res.output and "2030" in res.output


def test_summary_of_one_year_has_no_change_column(result_file):
    """A change needs two years: one year asked for gives its values alone (no "change 2030-2030 +0 %")."""
    res = invoke("summary", str(result_file[0]), "--years", "2030")
    assert res.exit_code == 0, res.output
    assert "change" not in res.output and " +0 %" not in res.output
    assert "change 2009-2030" in invoke("summary", str(result_file[0]), "--years", "2009,2030").output


def test_data_marks_observed_and_estimated():
    res = invoke("data", "oslo")
    assert res.exit_code == 0, res.output
    assert "observed" in res.output and "estimated" in res.output
    assert "heating_oil" in res.output
    res = invoke("data", "gotham")
    assert res.exit_code == 2 and "unknown municipality" in res.output
    res = invoke("data", "Tromsø")      # a name is the municipality's id
    assert res.exit_code == 0 and res.output == invoke("data", "tromso").output
    res = invoke("data", "tromsoe")
    assert res.exit_code == 2 and "unknown municipality 'tromsoe'; did you mean 'tromso'? allowed: oslo" in res.output


def test_data_writes_numbers_as_numbers_in_csv_and_json():
    """The table shows 575,475; CSV and JSON carry 575475.0 (a thousands separator reads as a decimal comma in a
    Norwegian spreadsheet), and every figure of the sources parses as a number."""
    import csv
    import io

    table = invoke("data", "oslo").output
    assert "575,475" in table
    rows = list(csv.DictReader(io.StringIO(invoke("data", "oslo", "--format", "csv").output)))
    population = next(r for r in rows if r["driver"] == "population_2009")
    assert float(population["value"]) == 575475.0
    sources = [r for r in rows if r["section"] == "sources"]
    assert sources and all(float(r[c]) >= 0 for r in sources for c in ("model_2009", "bottom_up", "factor"))
    body = json.loads(invoke("data", "oslo", "--format", "json").output)
    assert all(isinstance(r["model_2009"], float) for r in body["sources"])
    assert all(isinstance(r["observed"], float) for r in body["inventory"])
    # a factor that does not apply (Skien's sources without a bottom-up estimate) is null, not NaN (not JSON)
    skien = json.loads(invoke("data", "skien", "--format", "json").output,
                       parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert None in [r["factor"] for r in skien["sources"]]


@pytest.mark.parametrize("args, message", [
    (("--municipality", "olso"), "--municipality: 'olso' not in {path}; did you mean 'oslo'? allowed: oslo, baerum"),
    (("--municipality", "oslo,Baerun"), "--municipality: 'Baerun' not in {path}; did you mean 'baerum'? allowed: "),
    (("--sector", "heat"), "--sector: 'heat' not in {path}; did you mean 'heating'? allowed: road_passenger_cars"),
    (("--scenario", "referense"), "--scenario: 'referense' not in {path}; did you mean 'reference'? allowed: "
                                  "reference"),
    (("--municipality", "narnia"), "--municipality: 'narnia' not in {path}; allowed: oslo"),
])
def test_a_misspelt_selection_names_the_near_miss(result_file, args, message):
    path = str(result_file[0])
    res = invoke("summary", path, *args)
    assert res.exit_code == 2 and res.output.startswith("framtid: " + message.format(path=path)), res.output
    assert res.output.count("\n") == 1 and "Traceback" not in res.output


@pytest.mark.parametrize("args, message", [
    (("decompose", "{path}", "--municipality", "olso"), "--municipality: 'olso' not in {path}; did you mean 'oslo'?"),
    (("indicators", "{path}", "--municipality", "olso"), "--municipality: 'olso' not in {path}; did you mean 'oslo'?"),
    (("report", "{path}", "--out", "{tmp}/r", "--municipality", "olso"),
     "--municipality: unknown id(s) olso; did you mean 'oslo'? allowed: oslo"),
    (("attribute", str(REPO / "scenarios" / "restrictive.toml"), "--municipality", "olso"),
     "--municipality: unknown id(s) olso; did you mean 'oslo'? allowed: oslo"),
    (("elasticities", "--municipality", "olso"), "--municipality: unknown id 'olso'; did you mean 'oslo'? allowed: "),
    (("elasticities", "--each", "--municipality", "oslo"),
     "--each: gives every municipality; leave out --municipality"),
    (("grants", "--municipality", "olso"), "--municipality: unknown id 'olso'; did you mean 'oslo'? allowed: "),
    (("sensitivity", REFERENCE, "--municipality", "olso"),
     "--municipality: unknown id 'olso'; did you mean 'oslo'? allowed: oslo"),
    (("hindcast", "{path}", "--observed", "{tmp}/obs.csv", "--scenario", "referense"),
     "--scenario: 'referense' not in {path}; did you mean 'reference'? allowed: reference"),
    (("hindcast", "{path}", "--observed", "{tmp}/agency.csv", "--municipality", "olso"),
     "--municipality: unknown municipality 'olso'; did you mean 'oslo'? allowed: oslo"),
])
def test_every_command_names_the_near_miss_of_a_misspelt_option(result_file, tmp_path, args, message):
    (tmp_path / "obs.csv").write_text("municipality,year,sector,value\noslo,2009,heating,1000\n")
    (tmp_path / "agency.csv").write_text("year,sector,source,gas,t_co2e\n2009,Oppvarming,Fyringsolje,CO2,1000\n")
    path = str(result_file[0])
    res = invoke(*[a.format(path=path, tmp=tmp_path) for a in args])
    assert res.exit_code == 2 and res.output.startswith("framtid: " + message.format(path=path)), res.output
    assert "Traceback" not in res.output and not (tmp_path / "r").exists()


def test_list_and_sensitivity_help_say_what_they_take():
    res = invoke("list", "--help")
    assert res.exit_code == 0 and "list [OPTIONS] WHAT\n" in res.output
    assert "List WHAT: municipalities, scenarios (shipped), measures" in " ".join(res.output.split())
    res = invoke("sensitivity", "--help")
    assert "morris: show only the first K (default: all); sobol: keep the K with the largest Morris mu_star " \
           "(default 10)." in " ".join(res.output.split())


def test_run_checks_everything_before_running(tmp_path):
    # a result path that cannot be written, a wrong suffix, a negative seed: refused at once, nothing written
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    res = invoke("run", REFERENCE, "--out", str(blocker / "x.nc"))
    assert res.exit_code == 2 and "cannot write there" in res.output
    blocker.unlink()
    res = invoke("run", REFERENCE, "--out", str(tmp_path / "x.csv"))
    assert res.exit_code == 2 and "must end in .nc" in res.output
    res = invoke("run", REFERENCE, "--out", str(tmp_path / ".nc"))
    assert res.exit_code == 2 and "result files are named NAME.nc" in res.output
    res = invoke("run", REFERENCE, "--seed", "-1", "--out", str(tmp_path / "x.nc"))
    assert res.exit_code == 2 and "--seed" in res.output
    res = invoke("run", REFERENCE, REFERENCE, "--out", str(tmp_path / "x.nc"))
    assert res.exit_code == 2 and "unique" in res.output
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("args, work", [
    (("export", "{path}", "--out", "{blocker}/x.csv"), "framtid.model.evaluation.export.export_text"),
    (("report", "{path}", "--out", "{blocker}/report"), "framtid.model.evaluation.report.build"),
    (("costs", str(REPO / "scenarios" / "buildings-energy.toml"), "--plot", "{blocker}/mac.png"),
     "framtid.model.evaluation.costs.evaluate"),
    (("sensitivity", REFERENCE, "--groups", "submodel", "--plot", "{blocker}/s.png"),
     "framtid.model.uncertainty.sensitivity.analyse"),
    (("hindcast", "{path}", "--observed", "{tmp}/obs.csv", "--out", "{blocker}/charts"), None),
], ids=["export", "report", "costs", "sensitivity", "hindcast"])
def test_every_output_under_a_file_is_refused_before_the_work(result_file, tmp_path, monkeypatch, args, work):
    # a file where the output's folder should be: one message naming it, before the work (which would
    # only then fail, with "File exists")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    (tmp_path / "obs.csv").write_text("municipality,year,sector,value\noslo,2009,heating,1000\n")
    if work:
        monkeypatch.setattr(work, lambda *a, **k: pytest.fail("the work ran before the output was checked"))
    res = invoke(*[a.format(path=result_file[0], blocker=blocker, tmp=tmp_path) for a in args])
    assert res.exit_code == 2, res.output
    assert f"cannot write there ({blocker} is not a writable folder)" in res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "obs.csv"]


def test_non_utf8_scenario_is_a_located_error(tmp_path):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('[scenario]\nname = "Bærum"\n'.encode("latin-1"))
    res = invoke("validate", str(bad))
    assert res.exit_code == 2 and "latin1.toml: not a UTF-8 text file" in res.output


# -- hardening: interrupts, races, names, summaries people can use --------------------------------------

def _run_script(code: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_sigterm_during_the_write_waits_for_the_file_and_says_so(tmp_path):
    # An interrupt inside a NetCDF write can leave the library's file lock taken and the process waiting for it
    # forever: it is held until the file is written and named (safe_write.interrupts_held).
    out = tmp_path / "out" / "ref.nc"
    code = f"""
import os, signal, sys
from framtid.model import result_file
real = result_file._write
def write_then_get_terminated(ds, tmp, fmt):
    real(ds, tmp, fmt)                       # the temporary file is complete ...
    os.kill(os.getpid(), signal.SIGTERM)     # ... when the run is terminated
result_file._write = write_then_get_terminated
from framtid.cli.main import main
sys.argv = ["framtid", "run", {REFERENCE!r}, "--out", {str(out)!r}]
main()
"""
    done = _run_script(code, tmp_path)
    assert done.returncode == 143, done.stderr
    assert f"terminated; the result was written completely to {out}" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(out.parent.iterdir()) == [out]            # no temporary file beside it
    from framtid.model import api

    api.open_results(out)                                 # whole: its checksums verify


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (a device that is always full)")
@pytest.mark.parametrize("args", [["list", "scenarios"], ["--help"], ["list", "--help"]])
def test_standard_output_that_cannot_be_written_is_named(tmp_path, args):
    """``framtid ... > file`` on a full disk: one message naming the standard output, exit 1 as for a file that
    cannot be written, no traceback (a closed pipe stays quiet, as before)."""
    code = f"import sys; from framtid.cli.main import entry; sys.argv = ['framtid'] + {args!r}; entry()"
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-c", code], stdout=full, stderr=subprocess.PIPE, text=True,
                              cwd=tmp_path, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stderr == "framtid: cannot write to standard output (No space left on device)\n"


def test_interrupt_after_the_file_is_saved_says_it_was_written(tmp_path, monkeypatch):
    from framtid.model import result_summary

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(result_summary, "summary_tables", interrupted)
    out = tmp_path / "ref.nc"
    res = invoke("run", REFERENCE, "--out", str(out))
    assert res.exit_code == 130
    assert "no result written" not in res.output
    assert f"interrupted; the result was written completely to {out}" in res.output
    assert out.exists()


def test_an_ensemble_interrupted_once_combined_leaves_its_file_and_no_chunks(tmp_path, monkeypatch):
    # A Ctrl-C between writing the combined file and removing the chunks' folder: the file is whole, so the
    # folder goes and nothing invites a --resume that the existing file would then refuse.
    from framtid.model.uncertainty import ensemble

    real = ensemble.save_parts

    def saved_then_interrupted(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(ensemble, "save_parts", saved_then_interrupted)
    out = tmp_path / "ens.nc"
    res = invoke("run", REFERENCE, "--draws", "4", "--chunk-size", "2", "--out", str(out))
    assert res.exit_code == 130, res.output
    assert f"interrupted; the result was written completely to {out}" in res.output
    assert "--resume" not in res.output and "chunks finished" not in res.output
    assert out.exists() and not ensemble.parts_folder(out).exists()


def test_interrupt_during_a_forced_write_keeps_the_old_file_and_says_so(tmp_path, monkeypatch):
    from framtid.model import result_file

    def interrupted(ds, tmp, fmt):
        raise KeyboardInterrupt

    out = tmp_path / "ref.nc"
    out.write_bytes(b"old result")
    monkeypatch.setattr(result_file, "_write", interrupted)
    res = invoke("run", REFERENCE, "--out", str(out), "--force")
    assert res.exit_code == 130
    assert "interrupted; no result written; the previous file is unchanged" in res.output
    assert out.read_bytes() == b"old result" and [p.name for p in tmp_path.iterdir()] == ["ref.nc"]


def test_builtin_scenarios_run_by_name_and_are_listed(tmp_path):
    res = invoke("list", "scenarios", "--format", "csv")
    assert res.exit_code == 0
    rows = res.output.splitlines()
    assert rows[0] == "scenario,extends,measures,description"
    assert any(r.startswith("framtid:reference,policies-2009,") for r in rows)
    assert any(r.startswith("framtid:current-policies,current-policies-tolls,") for r in rows)
    assert any(r.startswith("framtid:current-policies-taxes,reference,") for r in rows)
    res = invoke("run", "framtid:reference", "--out", str(tmp_path / "ref.nc"))
    assert res.exit_code == 0, res.output
    res = invoke("run", "framtid:nothing", "--out", str(tmp_path / "x.nc"))
    assert res.exit_code == 2 and "no such built-in scenario" in res.output


def test_out_path_too_long_is_a_clear_error(result_file, tmp_path):
    res = invoke("run", REFERENCE, "--out", str(tmp_path / ("r" * 300 + ".nc")))
    assert res.exit_code == 2 and "file name too long" in res.output and "internal error" not in res.output
    res = invoke("export", str(result_file[0]), "--out", str(tmp_path / ("e" * 300 + ".csv")))
    assert res.exit_code == 2 and "file name too long" in res.output and "choose a shorter --out" in res.output
    assert list(tmp_path.iterdir()) == []


def test_years_are_sorted_and_deduplicated(result_file):
    res = invoke("summary", str(result_file[0]), "--years", "2050,2009,2050", "--format", "csv")
    assert res.exit_code == 0, res.output
    years = [line.split(",")[2] for line in res.output.splitlines()[1:] if line.startswith("reference,oslo,")]
    assert years == ["2009", "2050"]


def test_summary_filters_and_formats(result_file):
    import csv as csv_module
    import io

    path = str(result_file[0])
    res = invoke("summary", path, "--municipality", "oslo,bergen", "--sector", "heating,road_passenger_cars",
                 "--by", "sector", "--years", "2009,2030", "--format", "json")
    assert res.exit_code == 0, res.output
    records = json.loads(res.output)
    assert {r["sector"] for r in records} == {"heating", "road_passenger_cars", "total"}
    assert {r["year"] for r in records} == {2009, 2030}
    assert set(records[0]) == {"scenario", "sector", "year", "emissions_kt_co2e", "compared_with",
                               "difference_kt_co2e", "gwp"}
    # the filtered total is the sum of the filtered rows
    for year in (2009, 2030):
        parts = sum(r["emissions_kt_co2e"] for r in records if r["year"] == year and r["sector"] != "total")
        total = next(r["emissions_kt_co2e"] for r in records if r["year"] == year and r["sector"] == "total")
        assert total == pytest.approx(parts, abs=1e-3)
    res = invoke("summary", path, "--scenario", "reference", "--municipality", "skien", "--format", "csv")
    rows = list(csv_module.reader(io.StringIO(res.output)))
    assert rows[0][:3] == ["scenario", "municipality", "year"] and {r[1] for r in rows[1:]} == {"skien", "total"}
    res = invoke("summary", path, "--municipality", "skien")
    assert res.exit_code == 0 and "skien" in res.output and "oslo" not in res.output


@pytest.mark.parametrize("args, words", [
    (("--municipality", "narnia"), "--municipality: 'narnia' not in"),
    (("--scenario", "nope"), "--scenario: 'nope' not in"),
    (("--sector", "road"), "--sector: 'road' not in"),
])
def test_summary_filter_names_are_checked(result_file, args, words):
    res = invoke("summary", str(result_file[0]), *args)
    assert res.exit_code == 2 and words in res.output and "allowed:" in res.output


def test_summary_refuses_cut_damaged_or_incomplete_files(result_file, tmp_path):
    import numpy as np
    import xarray as xr

    with xr.open_dataset(result_file[0]) as plain:
        full = plain.load()
    full.isel(year=slice(0, 12)).to_netcdf(tmp_path / "cut.nc")
    res = invoke("summary", str(tmp_path / "cut.nc"))
    assert res.exit_code == 2 and "do not match the checksum" in res.output
    # a file cut deliberately, its checksums made again: the missing years are named
    from framtid.model.result_file import add_checksums

    stripped = full.isel(year=slice(0, 12))
    add_checksums(stripped)
    stripped.to_netcdf(tmp_path / "stripped.nc")
    res = invoke("summary", str(tmp_path / "stripped.nc"), "--years", "2009,2050")
    assert res.exit_code == 2 and "--years: 2050 not in" in res.output and "2009-2020" in res.output
    no_gas = full.drop_vars("emissions_gas")
    add_checksums(no_gas)
    no_gas.to_netcdf(tmp_path / "no_gas.nc")
    res = invoke("summary", str(tmp_path / "no_gas.nc"), "--gwp", "ar5")
    assert res.exit_code == 2 and "has no emissions_gas, which --gwp needs" in res.output
    res = invoke("export", str(tmp_path / "no_gas.nc"), "--format", "csv")
    assert res.exit_code == 2 and "has no emissions_gas, which framtid export needs" in res.output
    no_trips = no_gas.drop_vars(["trips", "toll_paid"])    # toll_paid may be missing, trips may not
    no_trips.to_netcdf(tmp_path / "no_trips.nc")
    res = invoke("indicators", str(tmp_path / "no_trips.nc"))
    assert res.exit_code == 2 and "has no trips, which framtid indicators needs" in res.output
    assert "Traceback" not in res.output and "internal error" not in res.output
    damaged = full.copy(deep=True)
    damaged["emissions"].values[0, 0, 0, 3, 0] = 1.8e307
    damaged.to_netcdf(tmp_path / "damaged.nc")
    res = invoke("summary", str(tmp_path / "damaged.nc"))
    assert res.exit_code == 2 and "emissions do not match the checksum" in res.output
    assert "1.8e" not in res.output and "internal error" not in res.output
    assert np.isfinite(full["emissions"].values).all()


def test_data_prints_one_json_document_or_one_csv_table():
    import csv as csv_module
    import io

    res = invoke("data", "oslo", "--format", "json")
    assert res.exit_code == 0
    doc = json.loads(res.output)
    assert set(doc) == {"drivers", "sources", "inventory"} and doc["sources"][0]["source"]
    res = invoke("data", "oslo", "--format", "csv")
    rows = list(csv_module.reader(io.StringIO(res.output)))
    assert rows[0][0] == "section" and len({len(r) for r in rows}) == 1
    assert {r[0] for r in rows[1:]} == {"drivers", "sources", "inventory"}


def test_municipality_numbers_keep_their_leading_zero():
    res = invoke("list", "municipalities", "--format", "csv")
    assert "oslo,Oslo,0301," in res.output
    res = invoke("list", "municipalities", "--format", "json")
    assert json.loads(res.output)[0]["kommunenummer"] == "0301"
    assert "0301" in invoke("list", "municipalities").output


def test_wide_tables_wrap_to_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "90")
    res = invoke("list", "parameters")
    assert res.exit_code == 0
    assert max(len(line) for line in res.output.splitlines()) <= 90
    monkeypatch.setenv("COLUMNS", "400")
    wide = invoke("list", "parameters").output
    assert max(len(line) for line in wide.splitlines()) > 90


def test_a_result_cut_to_some_municipalities_is_refused_where_all_13_are_needed(result_file, tmp_path):
    # framtid run always writes the 13; a file cut with xarray (and its checksums made again) lacks some
    from framtid.model import api
    from framtid.model.result_file import add_checksums

    cut = api.open_results(result_file[0]).sel(municipality=["oslo", "baerum"]).copy(deep=True)
    add_checksums(cut)
    path = tmp_path / "cut.nc"
    cut.to_netcdf(path)
    observed = tmp_path / "observed.csv"
    observed.write_text("municipality,year,sector,value,gwp\nskien,2011,heating,1000,ar5\n", encoding="utf-8")
    for args, message in ((("targets", path), "holds only oslo, baerum; framtid targets needs all 13 municipalities"),
                          (("report", path, "--out", tmp_path / "r"), "a report needs all 13 municipalities"),
                          (("hindcast", path, "--observed", observed),
                           f"holds no skien, which {observed} has observations of; the result holds oslo, baerum")):
        res = invoke(*map(str, args))
        assert res.exit_code == 2 and message in " ".join(res.output.split()), res.output
        assert "Traceback" not in res.output and "internal error" not in res.output
    assert invoke("summary", str(path)).exit_code == 0   # what needs no region or total still reads it


@pytest.mark.parametrize("args, option", [
    (("summary", "{path}", "--municipality", ",,"), "--municipality"),
    (("summary", "{path}", "--scenario", ""), "--scenario"),
    (("summary", "{path}", "--sector", " , "), "--sector"),
    (("targets", "{path}", "--municipality", ","), "--municipality"),
    (("decompose", "{path}", "--scenario", ","), "--scenario"),
    (("indicators", "{path}", "--municipality", ""), "--municipality"),
    (("export", "{path}", "--out", "{tmp}/r.csv", "--municipality", ","), "--municipality"),
    (("report", "{path}", "--out", "{tmp}/r", "--scenario", ","), "--scenario"),
    (("tolls", "--cordon", ","), "--cordon"),
])
def test_an_option_given_without_a_name_is_refused_not_read_as_all(result_file, tmp_path, args, option):
    path = str(result_file[0])
    res = invoke(*[a.format(path=path, tmp=tmp_path) for a in args])
    assert res.exit_code == 2, res.output
    assert res.output.startswith((f"framtid: {option}: expected one or more comma-separated names",
                                  f"framtid: {option}: given empty; give a value or leave it out")), res.output
    assert "Traceback" not in res.output and not (tmp_path / "r").exists() and not (tmp_path / "r.csv").exists()


def test_a_ctrl_c_after_the_command_has_finished_is_ignored(monkeypatch, capsys):
    # Interpreter shut-down after the command would otherwise print a traceback from its clean-up for a
    # Ctrl-C at the wrong moment, and exit 0.
    import signal

    from framtid.cli.main import entry

    before = signal.getsignal(signal.SIGINT)
    monkeypatch.setattr("sys.argv", ["framtid", "--version"])
    monkeypatch.setattr("framtid.cli.common.STANDALONE", False)   # entry sets it; restored after the test
    try:
        with pytest.raises(SystemExit) as done:
            entry()
        assert done.value.code in (0, None) and "framtid" in capsys.readouterr().out
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_draws_are_bounded_and_running_out_of_memory_is_said_plainly(tmp_path, monkeypatch):
    from framtid.model import api
    from framtid.model.errors import UsageError
    from framtid.model.uncertainty import MAX_DRAWS, MAX_DRAWS_IN_PROCESS, ensemble

    res = invoke("run", REFERENCE, "--out", str(tmp_path / "x.nc"), "--draws", str(MAX_DRAWS + 1))
    assert res.exit_code == 2 and f"{MAX_DRAWS + 1} is not in the range 1<=x<={MAX_DRAWS}" in res.output
    # the commands that hold every draw of a run in memory at once (framtid run chunks its ensembles)
    for command in (("tolls",), ("costs", REFERENCE), ("attribute", REFERENCE)):
        res = invoke(*command, "--draws", str(MAX_DRAWS_IN_PROCESS + 1))
        assert res.exit_code == 2 and (f"{MAX_DRAWS_IN_PROCESS + 1} is not in the range "
                                       f"1<=x<={MAX_DRAWS_IN_PROCESS}") in res.output
    # the chunks and the local workers of framtid run are bounded too
    for option, value, allowed in (("--chunk-size", 10 ** 23, f"2<=x<={MAX_DRAWS_IN_PROCESS}"),
                                   ("--workers", 513, "1<=x<=512")):
        res = invoke("run", REFERENCE, "--out", str(tmp_path / "x.nc"), "--draws", "2", option, str(value))
        assert res.exit_code == 2 and f"is not in the range {allowed}" in res.output, res.output
    assert not list(tmp_path.iterdir())
    with pytest.raises(UsageError, match=f"--draws: the number of draws must lie in 1-{MAX_DRAWS}"):
        ensemble.chunk_bounds(MAX_DRAWS + 1, 250)

    def too_big(*args, **kwargs):
        raise MemoryError("Unable to allocate 4.69 TiB")

    monkeypatch.setattr(api, "run_scenario", too_big)
    res = invoke("run", REFERENCE, "--out", str(tmp_path / "y.nc"))
    assert res.exit_code == 1 and res.output.startswith("framtid: out of memory: ")
    assert "internal error" not in res.output
    assert not (tmp_path / "y.nc").exists()


@pytest.mark.parametrize("args, message", [
    (("run", REFERENCE, "--years", "2009,,2020", "--out", "{tmp}/r.nc"), "--years: empty item in '2009,,2020'"),
    (("summary", "{path}", "--years", "2009,2020,"), "--years: empty item in '2009,2020,'"),
    (("export", "{path}", "--year", "2009,,2020"), "--year/--years: empty item in '2009,,2020'"),
    (("summary", "{path}", "--municipality", "oslo,,bergen"), "--municipality: empty item in 'oslo,,bergen'"),
    (("run", REFERENCE, "--variables", "car_vkm,", "--out", "{tmp}/r.nc"), "--variables: empty item in 'car_vkm,'"),
    (("sensitivity", REFERENCE, "--parameters", "transport.*,,"), "--parameters: empty item in 'transport.*,,'"),
])
def test_an_empty_item_in_a_list_is_refused(result_file, tmp_path, args, message):
    res = invoke(*[a.format(path=result_file[0], tmp=tmp_path) for a in args])
    assert res.exit_code == 2, res.output
    assert res.output == f"framtid: {message}\n"
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("args, option", [
    (("decompose", "{path}", "--versus", ""), "--versus"),
    (("export", "{path}", "--year", ""), "--year"),
    (("report", "{path}", "--out", "{tmp}/r", "--package", ""), "--package"),
    (("tolls", "--observed", " "), "--observed"),
    (("hindcast", "{path}", "--observed", ""), "--observed"),
    (("calibrate", "--observed", ""), "--observed"),
    (("run", ""), "SCENARIOS"),
    (("validate", ""), "FILES"),
], ids=["decompose", "export", "report", "tolls", "hindcast", "calibrate", "run", "validate"])
def test_an_option_or_argument_given_empty_is_refused_not_read_as_not_given(result_file, tmp_path, args, option):
    """An unset shell variable gives an empty value: once read as "not given" (a table of 2030 to 2030, every year
    exported, the report without its package) or as the folder "." (the path "")."""
    res = invoke(*[a.format(path=result_file[0], tmp=tmp_path) for a in args])
    assert (res.exit_code, res.output) == (2, f"framtid: {option}: given empty; give a value or leave it out\n")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("args, option, what", [
    (("run", REFERENCE, "--out", ""), "--out", "the result file to write"),
    (("export", "{path}", "--out", " "), "--out", "the CSV file to write"),
    (("hindcast", "{path}", "--observed", "{tmp}/obs.csv", "--out", ""), "--out", "the folder to write the charts"),
    (("costs", str(REPO / "scenarios" / "buildings-energy.toml"), "--plot", ""), "--plot", "the PNG file to write"),
    (("sensitivity", REFERENCE, "--groups", "submodel", "--plot", ""), "--plot", "the PNG file to write"),
    (("report", "{path}", "--out", ""), "--out", "the folder to write the report"),
], ids=["run", "export", "hindcast", "costs", "sensitivity", "report"])
def test_an_empty_output_path_is_refused_not_read_as_not_given(result_file, tmp_path, monkeypatch, args, option,
                                                                 what):
    monkeypatch.chdir(tmp_path)     # run would write results/reference.nc here
    (tmp_path / "obs.csv").write_text("municipality,year,sector,value\noslo,2009,heating,1000\n")
    res = invoke(*[a.format(path=result_file[0], tmp=tmp_path) for a in args])
    assert res.exit_code == 2, res.output
    assert res.output.startswith(f"framtid: {option}: give {what}") and res.output.count("\n") == 1, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["obs.csv"]


@pytest.fixture(scope="module")
def no_draws(result_file, tmp_path_factory):
    """The result with its draw axis cut to nothing by another tool, its checksums made anew."""
    import xarray as xr

    from framtid.model.result_file import add_checksums

    with xr.open_dataset(result_file[0]) as plain:
        empty = plain.load().isel(draw=slice(0, 0))
    add_checksums(empty)
    path = tmp_path_factory.mktemp("empty") / "no-draws.nc"
    empty.to_netcdf(path)
    return path


@pytest.mark.parametrize("command", [("summary",), ("targets",), ("decompose",), ("indicators",), ("export",),
                                     ("report", "--out", "{tmp}/report"), ("hindcast", "--observed", "{tmp}/obs.csv")],
                         ids=lambda c: c[0])
def test_a_result_without_draws_is_refused_by_every_command(no_draws, tmp_path, command):
    (tmp_path / "obs.csv").write_text("municipality,year,sector,value\noslo,2011,heating,150000\n")
    name, *rest = command
    res = invoke(name, str(no_draws), *[a.format(tmp=tmp_path) for a in rest])
    assert res.exit_code == 2, res.output
    assert res.output == f"framtid: {no_draws}: its draw axis is empty; a result needs at least one draw\n"
    assert not (tmp_path / "report").exists()


def test_scenarios_sharing_a_name_are_named_by_their_files(tmp_path):
    for name, scenario in (("a", "t"), ("b", "b"), ("c", "t")):
        (tmp_path / f"{name}.toml").write_text(f'[scenario]\nname = "{scenario}"\n', encoding="utf-8")
    res = invoke("run", *(str(tmp_path / f"{n}.toml") for n in "abc"), "--out", str(tmp_path / "two.nc"))
    assert res.exit_code == 2, res.output
    assert f"{tmp_path / 'a.toml'} and {tmp_path / 'c.toml'} have the same scenario name 't'" in res.output
    assert not (tmp_path / "two.nc").exists()


def test_attribute_names_the_file_of_a_scenario_without_measures(tmp_path):
    path = tmp_path / "bare.toml"
    path.write_text('[scenario]\nname = "t"\n', encoding="utf-8")
    res = invoke("attribute", str(path))
    assert res.exit_code == 2, res.output
    assert res.output.startswith("framtid: bare.toml: adds no measures to the scenario it extends, so there is "
                                 "nothing to attribute"), res.output


def test_municipalities_may_be_named_by_name_or_number_as_in_observed_files():
    """--municipality takes the ids, the names (any case) and the municipality numbers of 2020 and 2024, as
    observed files may give them; anything else is refused with the ids."""
    from framtid.cli.common import municipality_id, names

    assert names("Bærum, 0301,3201 ,tromsø", "--municipality") == ["baerum", "oslo", "tromso"]   # once each
    assert municipality_id("3024") == "baerum" and municipality_id("atlantis") == "atlantis"
    assert names("Bærum", "--scenario") == ["Bærum"]           # only municipalities are looked up
    res = CliRunner().invoke(main, ["data", "Kristiansand"])
    assert res.exit_code == 0 and "Kristiansand: base-year drivers" in res.output
    bad = CliRunner().invoke(main, ["data", "atlantis"])
    assert bad.exit_code != 0 and "allowed: oslo, baerum" in bad.output


def test_debug_written_after_the_command_is_taken_as_written_before_it():
    """`framtid run x.toml --debug` was refused with click's bare "No such option '--debug'"."""
    from framtid.cli.main import debug_first

    assert debug_first(["run", "x.toml", "--debug"]) == ["--debug", "run", "x.toml"]
    assert debug_first(["--debug", "run", "x.toml"]) == ["--debug", "run", "x.toml"]
    assert debug_first(["run", "x.toml"]) == ["run", "x.toml"]
    assert debug_first(["run", "--", "--debug"]) == ["run", "--", "--debug"]       # after "--": an argument
    assert debug_first([]) == []


def test_an_interrupt_names_every_file_of_a_group_written_before_it_came(tmp_path):
    """calibrate's scenario and chart, hindcast's charts: written together, and an interrupt held until they have
    their names says so instead of "no result written"."""
    from types import SimpleNamespace

    from framtid.cli.common import Terminated, _interrupted_message, stat

    toml, png = tmp_path / "fit.toml", tmp_path / "fit.png"
    ctx = SimpleNamespace(meta={"framtid.target": [(toml, stat(toml)), (png, stat(png))]})
    assert _interrupted_message(ctx, KeyboardInterrupt()) == "interrupted; no result written"
    toml.write_text("x")
    png.write_text("y")
    assert _interrupted_message(ctx, Terminated()) == f"terminated; the result was written completely to {toml}, {png}"
    ctx.meta["framtid.target"] = [(toml, stat(toml))]
    kept = "interrupted; no result written; the previous file is unchanged"
    assert _interrupted_message(ctx, KeyboardInterrupt()) == kept


def test_a_seed_without_draws_is_run_and_said_to_sample_nothing(tmp_path):
    """--sampler without --draws is refused; --seed is kept (recorded) with a warning: scripts pass it to every run."""
    res = invoke("run", REFERENCE, "--seed", "3", "--out", str(tmp_path / "s.nc"))
    assert res.exit_code == 0, res.output
    assert "warning: --seed 3: without --draws N nothing is sampled" in res.stderr
    assert "--seed" not in invoke("run", REFERENCE, "--out", str(tmp_path / "t.nc")).stderr


@pytest.mark.parametrize("command, options", [
    ("summary", "--save"), ("decompose", "--save"), ("export", "--out"), ("hindcast", "--save or --out"),
])
def test_force_without_the_output_it_would_replace_is_refused(result_file, command, options):
    # --force did nothing there, silently; a script passing it may expect a file that is not written
    extra = ("--observed", "framtid:inventory") if command == "hindcast" else ()
    res = invoke(command, str(result_file[0]), *extra, "--force")
    assert res.exit_code == 2 and (f"--force: replaces an existing {options} file, and none is asked for"
                                   in res.output), res.output


def test_force_without_a_plot_is_refused_before_any_run():
    for command in (("costs", REFERENCE), ("calibrate",), ("sensitivity", REFERENCE)):
        res = invoke(*command, "--force")
        assert res.exit_code == 2 and "--force: replaces an existing" in res.output, (command, res.output)


def test_a_file_name_that_is_not_utf8_is_refused_naming_it(result_file, tmp_path):
    # bytes that are not UTF-8 reach Python as surrogates, which the NetCDF library cannot take: once an internal
    # error on writing and "damaged" on reading
    name = str(tmp_path / "r\udcfe.nc")
    res = invoke("run", REFERENCE, "--out", name)
    assert res.exit_code == 2 and "--out: the file name b'" in res.output and "is not UTF-8" in res.output
    res = invoke("summary", name)
    assert res.exit_code == 2 and "the file name is not UTF-8, which the NetCDF library needs" in res.output
    assert not list(tmp_path.iterdir())
