"""The command line: each command, its exit codes, and its behaviour on bad input."""

import json
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
    assert res.exit_code == 1
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
    assert res.exit_code == 2 and "nope.toml: cannot read scenario file" in res.output
    res = invoke("summary", str(result_file[0]), "--years", "2009,1999")
    assert res.exit_code == 2 and "--years" in res.output
    res = invoke("summary", str(tmp_path / "none.nc"))
    assert res.exit_code == 1 and "no such result file" in res.output


@pytest.mark.parametrize("what", ["municipalities", "measures", "parameters", "levers"])
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


def test_summary_by_sector(result_file):
    res = invoke("summary", str(result_file[0]), "--years", "2009,2030", "--by", "sector")
    assert res.exit_code == 0, res.output
    assert "road_passenger_cars" in res.output and "2030" in res.output


def test_data_marks_observed_and_estimated():
    res = invoke("data", "oslo")
    assert res.exit_code == 0, res.output
    assert "observed" in res.output and "estimated" in res.output
    assert "heating_oil" in res.output
    res = invoke("data", "gotham")
    assert res.exit_code == 1 and "unknown municipality" in res.output


def test_run_checks_everything_before_running(tmp_path):
    # a result path that cannot be written, a wrong suffix, a negative seed: refused at once, nothing written
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    res = invoke("run", REFERENCE, "--out", str(blocker / "x.nc"))
    assert res.exit_code == 1 and "cannot write there" in res.output
    blocker.unlink()
    res = invoke("run", REFERENCE, "--out", str(tmp_path / "x.csv"))
    assert res.exit_code == 1 and "must end in .nc" in res.output
    res = invoke("run", REFERENCE, "--seed", "-1", "--out", str(tmp_path / "x.nc"))
    assert res.exit_code == 2 and "--seed" in res.output
    res = invoke("run", REFERENCE, REFERENCE, "--out", str(tmp_path / "x.nc"))
    assert res.exit_code == 1 and "unique" in res.output
    assert not list(tmp_path.iterdir())


def test_non_utf8_scenario_is_a_located_error(tmp_path):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('[scenario]\nname = "Bærum"\n'.encode("latin-1"))
    res = invoke("validate", str(bad))
    assert res.exit_code == 2 and "latin1.toml: not a UTF-8 text file" in res.output
