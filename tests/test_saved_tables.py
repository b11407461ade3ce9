"""``--save FILE`` of the commands that print a table from a result file (summary, targets, indicators,
decompose, hindcast): the printed table in a file, after its provenance, checked before any work."""

import json
import os

import pytest
from click.testing import CliRunner

import framtid
from framtid.cli.main import main
from framtid.model import api

# each command with options that keep its table small; {path} is the result file, {obs} an observed file
COMMANDS = {
    "summary": ("summary", "{path}", "--years", "2009,2030"),
    "targets": ("targets", "{path}", "--municipality", "oslo"),
    "indicators": ("indicators", "{path}", "--year", "2009,2030", "--municipality", "oslo"),
    "decompose": ("decompose", "{path}", "--municipality", "oslo"),
    "hindcast": ("hindcast", "{path}", "--observed", "{obs}"),
}
# a variable each command reads besides emissions, whose checksum its provenance must name
READS = {"summary": "emissions", "targets": "car_vkm_resident", "indicators": "trips", "decompose": "road_energy",
         "hindcast": "emissions_gas"}
SUFFIX = {"csv": ".csv", "json": ".json", "table": ".txt"}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A result file of the reference run (one draw) and a small observed file for hindcast."""
    folder = tmp_path_factory.mktemp("saved")
    ds = api.run(["framtid:reference"])
    path = folder / "ref.nc"
    api.save(ds, path)
    obs = folder / "obs.csv"
    obs.write_text("municipality,year,sector,value\noslo,2011,heating,150000\nbergen,2013,heating,90000\n",
                   encoding="utf-8")
    return ds, path, obs


def invoke(files, command, *extra):
    _, path, obs = files
    args = [a.format(path=path, obs=obs) for a in COMMANDS[command]]
    return CliRunner().invoke(main, [*args, *map(str, extra)])


def split(text: str, fmt: str) -> tuple[dict, object]:
    """The provenance of a saved file (item -> value) and the rest: the table's text, or its JSON."""
    if fmt == "json":
        doc = json.loads(text)
        assert set(doc) == {"provenance", "table"}
        return doc["provenance"], doc["table"]
    lines = text.splitlines(keepends=True)
    head = 0
    while head < len(lines) and lines[head].startswith("# "):
        head += 1
    assert head > 0, "no provenance lines"
    return dict(line[2:].rstrip("\n").split(": ", 1) for line in lines[:head]), "".join(lines[head:])


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_the_saved_file_holds_the_printed_table_after_its_provenance(files, tmp_path, command, fmt):
    ds, path, obs = files
    printed = invoke(files, command, "--format", fmt)
    assert printed.exit_code == 0, printed.output
    out = tmp_path / f"t{SUFFIX[fmt]}"
    saved = invoke(files, command, "--format", fmt, "--save", out)
    assert saved.exit_code == 0, saved.output
    assert saved.stdout == ""                                       # the table goes to the file alone
    assert saved.stderr.startswith(f"wrote {out} ({fmt}: ")
    said, table = split(out.read_text(encoding="utf-8"), fmt)
    if fmt == "json":
        assert table == json.loads(printed.stdout)
    else:
        assert table == printed.stdout
    assert said["written by"] == f"framtid {framtid.__version__}" and said["result file"] == path.name
    assert said["model version of the run"] == ds.attrs["framtid_version"] and said["seed"] == str(ds.attrs["seed"])
    sums = said["checksums of the variables read"]
    for name in ("emissions", READS[command]):
        assert f"{name} {ds[name].attrs['checksum']}" in sums
    assert f"--format {fmt}" in said[command]                        # the command and its options
    if command == "hindcast":
        assert said["observed"].startswith(f"{obs.name} sha256:")
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temporary file left


def test_a_saved_csv_reads_with_pandas_past_its_provenance(files, tmp_path):
    import pandas as pd

    out = tmp_path / "s.csv"
    assert invoke(files, "summary", "--format", "csv", "--save", out).exit_code == 0
    table = pd.read_csv(out, comment="#")
    assert list(table.columns)[:3] == ["scenario", "municipality", "year"] and set(table["year"]) == {2009, 2030}
    said, _ = split(out.read_text(encoding="utf-8"), "csv")
    assert said["summary"] == "--years 2009,2030 --by municipality --band draws --format csv"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_existing_file_is_refused_before_the_work_and_kept(files, tmp_path, monkeypatch, command):
    out = tmp_path / "t.csv"
    out.write_bytes(b"keep me\n")
    with monkeypatch.context() as patch:
        patch.setattr(api, "open_results", lambda *a, **k: pytest.fail("the result was read before the check"))
        res = invoke(files, command, "--format", "csv", "--save", out)
    assert res.exit_code == 2, res.output
    assert res.output == f"framtid: {out}: exists already; choose another --save or pass --force to replace it\n"
    assert out.read_bytes() == b"keep me\n"
    res = invoke(files, command, "--format", "csv", "--save", out, "--force")
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").startswith("# written by: framtid ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


@pytest.mark.parametrize("fmt, name, allowed", [
    ("csv", "t.txt", ".csv"),
    ("json", "t.csv", ".json"),
    ("table", "t.json", ".txt or .md"),
    ("table", "t", ".txt or .md"),
])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_name_that_does_not_fit_the_format_is_refused_before_the_work(files, tmp_path, monkeypatch, command, fmt,
                                                                       name, allowed):
    monkeypatch.setattr(api, "open_results", lambda *a, **k: pytest.fail("the result was read before the check"))
    out = tmp_path / name
    res = invoke(files, command, "--format", fmt, "--save", out)
    assert res.exit_code == 2, res.output
    assert res.output.startswith(f"framtid: --save: {out}: --format {fmt} is saved to a file ending in {allowed} ")
    assert res.output.count("\n") == 1 and "Traceback" not in res.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_markdown_name_takes_the_text_table(files, tmp_path, command):
    out = tmp_path / "t.md"
    res = invoke(files, command, "--save", out)
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    # Rendered, a "# " line is a heading: the provenance and the table each sit in a fenced block (whose columns
    # stay aligned), and nothing outside them starts with "#".
    assert text.startswith("```text\n")
    provenance, rest = text[len("```text\n"):].split("```\n", 1)
    said, _ = split(provenance, "table")
    assert said[command].endswith("--format table")
    assert rest.startswith("\n```text\n") and rest.endswith("```\n")
    table = rest[len("\n```text\n"):-len("```\n")]
    assert table.strip() and "```" not in table


def test_a_fence_is_longer_than_any_run_of_backticks_inside_it():
    from framtid.model.provenance import fenced, with_provenance

    assert fenced("a\n") == "```text\na\n```\n"
    assert fenced("a ```` b\n").startswith("`````text\n") and fenced("a ```` b\n").endswith("\n`````\n")
    text = with_provenance("x\n", "table", [("result file", "ref-->x```.nc")], markdown=True)
    assert text == "````text\n# result file: ref-->x```.nc\n````\n\n```text\nx\n```\n"


@pytest.mark.parametrize("args, words", [
    (("--save", ""), "framtid: --save: give the file to write the table to, or leave --save out to print it\n"),
    (("--save", "{blocker}/t.csv"), "framtid: --save: {blocker}/t.csv: cannot write there ({blocker} is not a "
                                    "writable folder)\n"),
    (("--save", "{tmp}/" + "e" * 300 + ".csv"), "choose a shorter --save\n"),
])
def test_a_save_path_that_cannot_be_written_is_one_message_before_the_work(files, tmp_path, monkeypatch, args, words):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(api, "open_results", lambda *a, **k: pytest.fail("the result was read before the check"))
    res = invoke(files, "summary", "--format", "csv", *[a.format(blocker=blocker, tmp=tmp_path) for a in args])
    assert res.exit_code == 2, res.output
    assert res.output.startswith("framtid: ") and res.output.endswith(words.format(blocker=blocker))
    assert [p.name for p in tmp_path.iterdir()] == ["a-file"]


def test_hindcasts_force_covers_its_charts_and_the_saved_table(files, tmp_path):
    charts, out = tmp_path / "charts", tmp_path / "h.json"
    res = invoke(files, "hindcast", "--format", "json", "--out", charts, "--save", out)
    assert res.exit_code == 0, res.output
    assert res.stdout == "" and f"wrote {charts / 'hindcast-reference-oslo.png'}" in res.stderr
    first = out.read_bytes()
    res = invoke(files, "hindcast", "--format", "json", "--out", charts, "--save", out)
    assert res.exit_code == 2 and "exists already; choose another --save" in res.output
    res = invoke(files, "hindcast", "--format", "json", "--out", charts, "--save", out, "--force")
    assert res.exit_code == 0, res.output
    assert out.read_bytes() == first                                  # the same inputs give the same file
    assert sorted(os.listdir(charts)) == ["hindcast-reference-bergen.png", "hindcast-reference-oslo.png"]


def test_an_interrupted_save_leaves_nothing(files, tmp_path, monkeypatch):
    from framtid.model import safe_write

    def interrupted(tmp, target, force):
        raise KeyboardInterrupt

    monkeypatch.setattr(safe_write, "publish", interrupted)
    res = invoke(files, "targets", "--format", "csv", "--save", tmp_path / "t.csv")
    assert res.exit_code == 130 and "interrupted; no result written" in res.output
    assert os.listdir(tmp_path) == []


def test_hindcast_refuses_a_save_named_as_its_charts_folder_or_its_observed_file_before_the_work(files, tmp_path,
                                                                                                monkeypatch):
    """--save and --out the same name wrote the charts into a folder of that name, then refused the table; --save
    --force on the observed file replaced the input. Both are refused before anything is read or written."""
    _, path, obs = files
    before = obs.read_bytes()
    monkeypatch.setattr(api, "open_results", lambda *a, **k: pytest.fail("the result was read before the check"))
    same = tmp_path / "same.csv"
    res = invoke(files, "hindcast", "--format", "csv", "--out", same, "--save", same)
    assert res.exit_code == 2 and res.output == f"framtid: --save: {same} is also given as --out; give them " \
                                                "different names\n"
    assert list(tmp_path.iterdir()) == []
    res = invoke(files, "hindcast", "--format", "csv", "--save", obs, "--force")
    assert res.exit_code == 2 and "is a file this command reads" in res.output
    assert obs.read_bytes() == before


def test_a_link_to_nothing_is_refused_before_the_work(files, tmp_path, monkeypatch):
    """A dangling symbolic link passed the check (the file "does not exist") and failed after the work."""
    link = tmp_path / "t.csv"
    link.symlink_to(tmp_path / "nowhere.csv")
    monkeypatch.setattr(api, "open_results", lambda *a, **k: pytest.fail("the result was read before the check"))
    res = invoke(files, "summary", "--format", "csv", "--save", link)
    assert res.exit_code == 2 and "exists already" in res.output


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_saved_text_table_does_not_depend_on_the_terminal(files, tmp_path, command):
    """A text table printed follows the terminal's width; saved, it is rendered at a fixed width, so the same
    inputs give the same file from any terminal."""
    _, path, obs = files
    args = [a.format(path=path, obs=obs) for a in COMMANDS[command]]
    saved = []
    for columns in ("60", "200"):
        out = tmp_path / f"t{columns}.txt"
        res = CliRunner().invoke(main, [*args, "--save", str(out)], env={"COLUMNS": columns})
        assert res.exit_code == 0, res.output
        saved.append(split(out.read_text(encoding="utf-8"), "table")[1])
    assert saved[0] == saved[1]


# -- the commands that run scenarios: the table in the file after the scenario files, seed and code it came from

RUNNING = {
    "tolls": ("tolls", "--cordon", "tromso_ring"),
    "attribute": ("attribute", "framtid:congestion-oslo-flat", "--municipality", "oslo"),
    "costs": ("costs", "framtid:congestion-oslo-flat"),
    "elasticities": ("elasticities", "--municipality", "oslo"),
    "grants": ("grants",),
}
RUN_OF = {"tolls": "current-policies.toml", "attribute": "congestion-oslo-flat.toml",
          "costs": "congestion-oslo-flat.toml", "elasticities": "reference.toml", "grants": "reference.toml"}


@pytest.mark.parametrize("command", list(RUNNING))
def test_a_command_that_runs_scenarios_saves_its_table_with_the_scenario_files_and_code(tmp_path, command):
    printed = CliRunner().invoke(main, list(RUNNING[command]))
    assert printed.exit_code == 0, printed.output
    out = tmp_path / "t.txt"
    saved = CliRunner().invoke(main, [*RUNNING[command], "--save", str(out)])
    assert saved.exit_code == 0, saved.output
    assert saved.stdout == "" and saved.stderr.startswith(f"wrote {out} (table: ")
    said, table = split(out.read_text(encoding="utf-8"), "table")
    # the terminal's width is CliRunner's default, the file's fixed: the same table either way here
    assert table == printed.stdout
    assert said["written by"] == f"framtid {framtid.__version__}"
    assert said["scenario files"].startswith(RUN_OF[command] + " sha256:")
    assert len(said["code (SHA-256)"]) == 64 and len(said["embedded data (SHA-256)"]) == 64
    assert said[command].startswith("--")                            # the options it ran with
    again = CliRunner().invoke(main, [*RUNNING[command], "--save", str(out)])
    assert again.exit_code == 2 and "exists already" in again.output    # never over a file without --force


def test_a_saved_toll_table_with_draws_records_their_seed_and_sampler(tmp_path):
    out = tmp_path / "t.json"
    saved = CliRunner().invoke(main, ["tolls", "--cordon", "tromso_ring", "--draws", "5", "--seed", "3",
                                      "--format", "json", "--save", str(out)])
    assert saved.exit_code == 0, saved.output
    said, table = split(out.read_text(encoding="utf-8"), "json")
    assert (said["seed"], said["draws"], said["sampler"]) == ("3", "5", "lhs")
    assert table["draws"] == 5 and {c["cordon"] for c in table["cases"]} == {"tromso_ring"}


def test_costs_with_a_chart_and_a_saved_table_prints_nothing_on_stdout(tmp_path):
    out, chart = tmp_path / "c.txt", tmp_path / "mac.png"
    saved = CliRunner().invoke(main, ["costs", "framtid:congestion-oslo-flat", "--save", str(out),
                                      "--plot", str(chart)])
    assert saved.exit_code == 0, saved.output
    assert saved.stdout == "" and f"wrote {chart}" in saved.stderr and out.exists() and chart.exists()
