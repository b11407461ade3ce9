"""Export to a city-inventory layout: the GPC mapping, its sums, and the command's file handling."""

import csv
import io
import os

import pytest
from click.testing import CliRunner

import framtid
from framtid.cli.main import main
from framtid.model import api, dims
from framtid.model.evaluation import export as ex


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_every_source_is_in_exactly_one_gpc_row():
    assert set(ex.SOURCE_GPC) == set(dims.SOURCES)
    matrix = ex.gpc_matrix()
    assert matrix.shape == (len(ex.GPC_ROWS), len(dims.SOURCES))
    assert (matrix.sum(axis=0) == 1).all()                     # each source once
    assert all(ex.gpc_row_of(s) in ex.ROW_BY_REF for s in dims.SOURCES)
    assert len({r.ref for r in ex.GPC_ROWS}) == len(ex.GPC_ROWS)
    # BASIC leaves IPPU and AFOLU out: F-gas products and agriculture go to rows marked so
    for source, word in (("fgas_products", "IPPU"), ("agriculture", "AFOLU")):
        assert ex.ROW_BY_REF[ex.gpc_row_of(source)].basic == f"no ({word}: outside BASIC)"
    assert {ex.gpc_row_of(s) for s in ("cars", "vans", "heavy_vehicles", "buses")} == {"II.1.1"}
    assert ex.gpc_row_of("waste_incineration") == "I.4.4" and ex.gpc_row_of("landfill_gas") == "III.1.1"


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    ds = api.run(["framtid:reference"])
    path = tmp_path_factory.mktemp("export") / "ref.nc"
    api.save(ds, path)
    return ds, path


def _read(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_gpc_rows_sum_to_the_agency_total(result):
    ds, _ = result
    small = ds.sel(municipality=["oslo", "porsgrunn"], year=[2009, 2030])
    rows = _read(ex.export_text(small, "gpc"))
    agency = small["emissions"].mean("draw").sum("sector")
    for mu in ("oslo", "porsgrunn"):
        for year in (2009, 2030):
            mine = [r for r in rows if r["municipality"] == mu and r["year"] == str(year)]
            filled = [float(r["total_t_co2e"]) for r in mine if r["gpc_ref"] in ex.ROW_BY_REF and r["total_t_co2e"]]
            totals = {r["gpc_ref"]: float(r["total_t_co2e"]) for r in mine if r["gpc_ref"].startswith("total")}
            expected = float(agency.sel(scenario="reference", municipality=mu, year=year))
            assert sum(filled) == pytest.approx(expected, rel=1e-6)
            assert totals["total territorial"] == pytest.approx(expected, rel=1e-6)
            assert (totals["total BASIC"] + totals["total I.4.4"] + totals["total outside BASIC"]
                    == pytest.approx(expected, rel=1e-6))
    # every empty row carries a notation key; the agency's sector stands beside every filled row
    for r in rows:
        if r["gpc_ref"] in ex.ROW_BY_REF:
            assert bool(r["notation_key"]) != bool(r["model_sources"]), r
            assert bool(r["agency_sector"]) == bool(r["model_sources"])


def test_gpc_gas_columns_by_hand(result):
    ds, _ = result
    one = ds.sel(municipality=["oslo"], year=[2009])
    row = next(r for r in _read(ex.export_text(one, "gpc")) if r["gpc_ref"] == "III.1.1")
    ch4 = float(one["emissions_gas"].sel(source="landfill_gas", gas="ch4").mean("draw").squeeze())
    assert float(row["ch4_t"]) == pytest.approx(ch4, abs=1e-3)
    assert float(row["total_t_co2e"]) == pytest.approx(ch4 * 28, rel=1e-6)        # AR5: CH4 weighs 28
    assert row["agency_sector"] == "waste_wastewater" and row["model_sources"] == "landfill_gas"


def test_long_table_sums_to_each_agency_sector(result):
    ds, _ = result
    one = ds.sel(municipality=["bergen"], year=[2020])
    rows = _read(ex.export_text(one, "csv"))
    assert list(rows[0]) == list(ex.CSV_HEADER)
    by_sector = {}
    for r in rows:
        by_sector[r["agency_sector"]] = by_sector.get(r["agency_sector"], 0.0) + float(r["t_co2e"])
        assert r["gpc_ref"] == ex.gpc_row_of(r["source"])
    expected = one["emissions"].mean("draw").squeeze()
    for sector in dims.SECTORS:
        assert by_sector.get(sector, 0.0) == pytest.approx(float(expected.sel(sector=sector)), rel=1e-6, abs=1e-2)


def test_command_writes_atomically_and_never_overwrites_silently(result, tmp_path):
    _, path = result
    out = tmp_path / "sub" / "oslo.csv"
    res = invoke("export", str(path), "--out", str(out), "--municipality", "oslo", "--year", "2009")
    assert res.exit_code == 0, res.output
    text = out.read_text()
    table = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("# "))
    assert table.count("\n") == 1 + len(ex.GPC_ROWS) + 4
    before = out.stat().st_mtime_ns
    res = invoke("export", str(path), "--out", str(out), "--format", "csv")
    assert res.exit_code == 2 and "exists already" in res.output and "--force" in res.output
    assert out.stat().st_mtime_ns == before and out.read_text() == text
    res = invoke("export", str(path), "--out", str(out), "--format", "csv", "--force", "--year", "2030",
                 "--municipality", "tromso")
    assert res.exit_code == 0 and f"\n{','.join(ex.CSV_HEADER)}\n" in out.read_text()
    assert sorted(os.listdir(out.parent)) == ["oslo.csv"]          # no temporary file left


def test_an_export_file_records_where_it_came_from_and_reads_as_csv_past_it(result, tmp_path):
    """The file written with --out starts with comment lines: the version that wrote it, the result and its run
    (version, seed, draws, scenarios) and the checksums of the variables read; pandas reads past them."""
    import pandas as pd

    one, path = result
    out = tmp_path / "e.csv"
    assert invoke("export", str(path), "--out", str(out), "--format", "csv", "--year", "2009").exit_code == 0
    head = [line for line in out.read_text().splitlines() if line.startswith("# ")]
    said = dict(line[2:].split(": ", 1) for line in head)
    assert said["written by"] == f"framtid {framtid.__version__}" and said["result file"] == path.name
    assert said["seed"] == str(one.attrs["seed"]) and said["draws"] == str(one.attrs["draws"])
    assert said["scenarios"] == str(one.attrs["scenarios"])
    assert f"emissions_gas {one['emissions_gas'].attrs['checksum']}" in said["checksums of the variables read"]
    table = pd.read_csv(out, comment="#")
    assert list(table.columns) == list(ex.CSV_HEADER) and len(table) > 0
    printed = invoke("export", str(path), "--format", "csv", "--year", "2009").output
    assert not printed.startswith("#")                       # the terminal gets the table alone


def test_command_prints_without_out(result):
    _, path = result
    res = invoke("export", str(path), "--format", "csv", "--municipality", "skien", "--year", "2050")
    assert res.exit_code == 0 and res.output.startswith("scenario,municipality,year,agency_sector")


def test_interrupted_export_leaves_nothing(result, tmp_path, monkeypatch):
    from framtid.model import safe_write

    _, path = result

    def interrupted(tmp, target, force):
        raise KeyboardInterrupt

    monkeypatch.setattr(safe_write, "publish", interrupted)
    out = tmp_path / "gpc.csv"
    res = invoke("export", str(path), "--out", str(out), "--year", "2009")
    assert res.exit_code == 130 and "interrupted; no result written" in res.output
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("args, words", [
    (("--format", "xml"), "Invalid value for '--format'"),
    (("--out", "emissions.txt"), "--out: emissions.txt: export files are CSV and must end in .csv"),
    (("--years", "2051"), "--year/--years: years must lie in 2009-2050"),
    (("--scenario", "nope"), "--scenario: 'nope' not in"),
    (("--municipality", "atlantis"), "--municipality: 'atlantis' not in"),
])
def test_command_bad_input_is_one_located_message(result, tmp_path, args, words):
    _, path = result
    res = CliRunner().invoke(main, ["export", str(path), *args], catch_exceptions=False)
    assert res.exit_code == 2 and words in res.output and "Traceback" not in res.output
    assert not list(tmp_path.iterdir())


def test_command_refuses_an_out_folder(result, tmp_path):
    _, path = result
    folder = tmp_path / "x.csv"
    folder.mkdir()
    res = invoke("export", str(path), "--out", str(folder))
    assert res.exit_code == 2 and ("directory" in res.output or "folder" in res.output)
