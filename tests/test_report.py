"""The report (`framtid report`): the folder it writes, what both documents say, that the HTML stands alone,
that existing folders are kept, bad options refused, and the wedges and MAC curve of a small package."""

import base64
import math
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from click.testing import CliRunner

from framtid.cli.main import main
from framtid.model import api
from framtid.model.data_store import municipalities
from framtid.model.errors import ResultExistsError, ResultFileError
from framtid.model.evaluation import report as rp

PNG = b"\x89PNG\r\n\x1a\n"
PACKAGE = """[scenario]
name = "small-package"
description = "Landfill gas, recycling and zero-emission vans from 2027"
extends = "framtid:current-policies"

[[measure]]
kind = "landfill_gas_capture"
label = "Landfill gas collection"
municipality = "*"
start_year = 2027

[[measure]]
kind = "recycling_target"
label = "Recycling target"
municipality = "*"
start_year = 2027

[[measure]]
kind = "zero_emission_freight"
label = "Zero-emission vans"
municipality = ["oslo", "baerum"]
start_year = 2027
van_share = 0.5
"""


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def result_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "compare.nc"
    api.save(api.run(["framtid:reference", "framtid:current-policies"]), path)
    return path


@pytest.fixture(scope="module")
def written(result_file):
    out = result_file.parent / "report"
    res = invoke("report", result_file, "--out", out)
    assert res.exit_code == 0, res.output
    return out, res


@pytest.fixture(scope="module")
def with_package(result_file):
    scenario = result_file.parent / "small-package.toml"
    scenario.write_text(PACKAGE)
    out = result_file.parent / "package-report"
    res = invoke("report", result_file, "--out", out, "--package", scenario, "--municipality", "oslo,baerum",
                 "--scenario", "current-policies")
    assert res.exit_code == 0, res.output
    return out


class _References(HTMLParser):
    """Every tag and every attribute that could fetch or link something."""

    def __init__(self):
        super().__init__()
        self.tags, self.links, self.images = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("href", "src", "srcset", "action", "data", "poster", "background"):
                (self.images if tag == "img" and name == "src" else self.links).append((tag, name, value))


# ---------------------------------------------------------------- the folder and the documents

def test_report_folder_holds_html_markdown_and_the_figures(written):
    out, res = written
    assert sorted(p.name for p in out.iterdir()) == ["figures", "report.html", "report.md"]
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert figures == ["decomposition.png", "differences.png", "paths-municipalities.png", "paths-total.png",
                       "sectors-reference-municipalities.png", "sectors-total.png"]
    assert all((out / "figures" / f).read_bytes()[:8] == PNG for f in figures)
    assert f"wrote {out / 'report.html'}" in res.output
    assert not [p.name for p in out.parent.iterdir() if p.name.startswith(".")]      # no temporary folder left


def test_both_documents_name_every_municipality_by_name_and_id(written):
    out, _ = written
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    for m in municipalities():
        assert f"<td>{m.name}</td><td>{m.id}</td>" in html, m.id       # the table of municipalities
        assert f"| {m.name} | {m.id} |" in md, m.id
        assert html.count(m.name) >= 5 and md.count(m.name) >= 5          # and throughout the tables
    for section in ("Summary", "Emission paths against targets", "Emissions by sector", "Why emissions changed",
                    "Indicators and co-benefits", "Targets in detail", "How to read this: method and provenance"):
        assert f"<h2>{section}</h2>" in html and f"## {section}" in md


def test_html_stands_alone_with_every_figure_embedded_and_captioned(written):
    out, _ = written
    html = (out / "report.html").read_text(encoding="utf-8")
    parser = _References()
    parser.feed(html)
    assert {"script", "link", "iframe", "object", "embed"}.isdisjoint(parser.tags)
    assert all(value.startswith("#") for tag, name, value in parser.links), parser.links
    assert "@import" not in html and not re.search(r"url\((?!data:)", html)
    assert len(parser.images) == 6
    for _, _, src in parser.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == PNG
    assert html.count("<figcaption>") == 6 and html.count("<figure") == 6
    assert "--package" in html                       # says how to get the wedges and the MAC curve


def test_markdown_links_the_figures_it_has(written):
    out, _ = written
    md = (out / "report.md").read_text(encoding="utf-8")
    linked = re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", md)
    assert len(linked) == 6 and all((out / link).is_file() for link in linked)


def test_summary_says_which_targets_are_met_with_the_rule(written):
    out, _ = written
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "rule 'share'" in md
    # the 13 together miss -55 % by 2030 in both scenarios; Klimaforliket's cap in 2020 is met in both (the
    # reference by 86 kt at 0.23.0); the non-ETS cut of 2030 is met under current policies or the year after
    # (0.20.0: by 1.5 kt in 2030; 0.23.0: 17.7 kt above it in 2030, 0.25.0: 3.7 kt, met in 2031), and missed
    # under the 2009 policies held, met a decade and more later or not by 2050 (0.20.0, 0.23.0 and 0.25.0: 2045)
    cap, act, non_ets = (next(line for line in md.splitlines() if line.startswith(start)) for start in
                         ("| Klimaforliket 2008 (2020)", "| Climate Change Act (2030)", "| Non-ETS target (2030)"))
    assert act.count("| not met: ") == 2
    assert cap.count("| met: ") == 2 and "not met" not in cap
    reference, current = non_ets.split("|")[2:4]
    reference_year = re.search(r"first met in (\d{4})", reference)
    # (current policies lie within a few kt of the non-ETS target in 2030: met, or first met the year after)
    first = re.search(r"first met in (\d{4})", current)
    assert current.strip().startswith("met: ") or (current.strip().startswith("not met: ") and first
                                                   and int(first.group(1)) <= 2031)
    assert reference.strip().startswith("not met: ")
    assert reference_year is None or int(reference_year.group(1)) > 2040
    for year in ("2009", "2020", "2030", "2050"):
        assert f"| {year} [kt CO2e/yr] |" in md


def test_target_tables_give_the_chance_that_the_inventory_shows_a_target_met(written):
    """A run of one draw gets P(inventory meets it) for emission targets (the model's discrepancy about its
    value), "-" for car traffic; the value is the targets command's p_met_inventory."""
    from framtid.model.evaluation import targets
    from framtid.model.evaluation.report_detail_sections import P_INV
    from framtid.model.evaluation.target_tables import inventory_chance

    out, _ = written
    md = (out / "report.md").read_text(encoding="utf-8")
    assert P_INV in md and "the municipal inventory will show an emission target met" in md
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if line.startswith("| municipality | target | unit") and P_INV in line)
    column = lines[start].strip("|").split(" | ").index(f"reference {P_INV}")
    rows = {r["target"] + str(r["target_year"]): r for r in targets.assess(api.open_results(out.parent / "compare.nc"))
            if r["scenario"] == "reference" and r["group"] == "own" and r["area"] == "oslo"}
    table = lines[start + 2:lines.index("", start)]
    oslo = [line.strip("|").split(" | ") for line in table if line.startswith("| Oslo | ")]
    assert len(oslo) == 3
    for cells in oslo:
        target, year = cells[1].rsplit(" by ", 1)
        expected = rows[target.strip() + year.strip()]["p_met_inventory"]
        assert cells[column].strip() == inventory_chance(expected)
        if expected is not None and expected < 0.005:
            assert cells[column].strip() == "<0.01"      # never quite 0: it does not print as 0.00
    assert {c[column].strip() == "-" for c in oslo} == {True, False}      # car traffic and emissions


def test_the_paths_say_how_far_the_inventory_may_lie_from_the_model(written):
    """The paths section gives each scenario's emissions of the selection in 2030 and 2050 with the prediction
    band of the model's discrepancy (one draw: the discrepancy alone), as uncertainty.discrepancy computes it."""
    from framtid.model import dims
    from framtid.model.uncertainty import discrepancy

    out, _ = written
    md = (out / "report.md").read_text(encoding="utf-8")
    text = next(line for line in md.splitlines() if line.startswith("How sure:"))
    ds = api.open_results(out.parent / "compare.nc")
    v = ds["emissions"].sel(scenario="current-policies", year=2030).transpose("draw", "municipality", "sector").values
    variances = np.array([discrepancy.of("sector", s).log_variance(2030 - dims.BASE_YEAR) for s in dims.SECTORS])
    variances = variances[None, :] + discrepancy.estimated_log_variance(   # with the error of an estimated 2009
        "sector", dims.SECTORS, discrepancy.estimated_shares(ds, "sector", dims.SECTORS, dims.MUNICIPALITIES))
    median, low, high = discrepancy.total_band(v.reshape(1, -1) / 1000.0, variances.reshape(-1))
    assert low < median < high
    assert "in 2030 reference " in text and f"current-policies {median:,.0f} kt ({low:,.0f}–{high:,.0f})" in text
    assert "in 2050 " in text and "they share it" in text


def test_every_numeric_column_names_its_unit(written, with_package):
    for out in (written[0], with_package):
        lines = (out / "report.md").read_text(encoding="utf-8").splitlines()
        checked = 0
        for header, rule in zip(lines, lines[1:]):
            if not (header.startswith("| ") and rule.startswith("|---")):
                continue
            names = [h.strip() for h in header.strip("|").split(" | ")]
            numeric = [r.endswith(":") for r in rule.strip("|").split("|")]
            if "unit" in names:                      # a unit column says it row by row
                continue
            for name, is_number in zip(names, numeric):
                if is_number and name != "municipality number":
                    assert "[" in name, (out.name, header)
                    checked += 1
        assert checked > 30


# ---------------------------------------------------------------- existing folders and bad options

def test_existing_folder_is_refused_without_force_and_left_intact(written, result_file, tmp_path):
    out, _ = written
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    res = invoke("report", result_file, "--out", out)
    assert res.exit_code == 2 and "exists already" in res.output and "--force" in res.output
    assert "Traceback" not in res.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    res = invoke("report", result_file, "--out", other, "--force")       # --force replaces only a report folder
    assert res.exit_code == 2 and "notes.txt" in res.output and "nothing was written" in res.output
    assert [p.name for p in other.iterdir()] == ["notes.txt"] and (other / "notes.txt").read_text() == "keep me"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("args, words", [
    (("--year", "2005"), "--year: must be a year of"),
    (("--year", "x"), "'x' is not a valid integer"),
    (("--municipality", "oslo,atlantis"), "--municipality: unknown id(s) atlantis; allowed: oslo, baerum"),
    (("--scenario", "nope"), "--scenario: 'nope' not in"),
    (("--package", "framtid:reference"), "--package framtid:reference: adds no measures"),
    (("--national-rule", "fair"), "'fair' is not one of"),
    (("--zero-growth-base", "2035"), "--zero-growth-base: must be a year of"),
])
def test_bad_options_exit_2_and_write_nothing(result_file, tmp_path, args, words):
    out = tmp_path / "bad"
    res = invoke("report", result_file, "--out", out, *args)
    assert res.exit_code == 2, res.output
    assert words in res.output and "Traceback" not in res.output
    assert not list(tmp_path.iterdir())


def test_a_package_edited_since_the_result_was_run_is_refused_before_any_work(tmp_path):
    """The report sets the package's own runs beside the result's paths: a scenario file edited after the run
    (a fee of 40 made 80) would mix two scenarios, so a package of the result's scenario name must have the
    text the result recorded."""
    package = tmp_path / "mine.toml"
    package.write_text(PACKAGE.replace('name = "small-package"', 'name = "mine"'))
    result = tmp_path / "mine.nc"
    api.save(api.run([package]), result)
    package.write_text(package.read_text().replace("van_share = 0.5", "van_share = 0.9"))
    res = invoke("report", result, "--out", tmp_path / "rep", "--package", package)
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert ("--package " + str(package) + ": mine.nc ran scenario 'mine' from other text (mine.toml changed since "
            "the run)") in " ".join(res.output.split())
    assert not (tmp_path / "rep").exists()


def test_a_result_without_a_variable_the_report_reads_is_refused_before_any_work(tmp_path):
    path = tmp_path / "few.nc"
    api.save(api.select_variables(api.run(["framtid:reference"]), ["emissions", "emissions_source"]), path)
    res = invoke("report", path, "--out", tmp_path / "rep")
    assert res.exit_code != 0 and "which framtid report needs" in res.output and "car_vkm" in res.output
    assert not (tmp_path / "rep").exists()


def test_out_must_name_a_folder_and_is_required(result_file, tmp_path):
    file = tmp_path / "report.html"
    file.write_text("x")
    res = invoke("report", result_file, "--out", file)
    assert res.exit_code == 2 and "is a file or a link, not a folder" in res.output and file.read_text() == "x"
    res = invoke("report", result_file)
    assert res.exit_code == 2 and "--out" in res.output


def test_an_interrupted_report_leaves_nothing(tmp_path, monkeypatch):
    content = rp.Report("t", "s", (rp.Section("a", "A", (rp.Text("x"),)),))

    def interrupted(report):
        raise KeyboardInterrupt

    monkeypatch.setattr(rp, "render_markdown", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rp.write(content, tmp_path / "out")
    assert not list(tmp_path.iterdir())


def test_force_replaces_a_report_folder_in_one_step(tmp_path):
    out = tmp_path / "out"
    first = rp.Report("first", "s", (rp.Section("a", "A", (rp.Text("old"),)),))
    rp.write(first, out)
    with pytest.raises(ResultExistsError):
        rp.write(first, out)
    second = rp.Report("second", "s", (rp.Section("a", "A", (rp.Text("new"),)),))
    rp.write(second, out, force=True)
    assert "new" in (out / "report.md").read_text() and "old" not in (out / "report.html").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    (out / "figures" / "extra.csv").write_text("1")
    with pytest.raises(ResultFileError, match="figures/extra.csv"):
        rp.write(second, out, force=True)


# ---------------------------------------------------------------- a package: wedges and the MAC curve

def test_the_provenance_names_the_result_and_package_by_their_digests(result_file, with_package):
    """The report identifies the result by its emissions' checksum and the package by the SHA-256 of each file, so an
    edited result or package file shows."""
    import hashlib

    import xarray as xr

    md = (with_package / "report.md").read_text(encoding="utf-8")
    with xr.open_dataset(result_file) as ds:
        checksum = ds["emissions"].attrs["checksum"]
    assert f"{result_file.name} (its emissions: {checksum})" in md
    digest = hashlib.sha256(PACKAGE.encode("utf-8")).hexdigest()
    assert f"small-package.toml sha256:{digest}" in md
    # the options that chose what the report shows (the package's are its --scenario and --municipality)
    assert "| options | --scenario current-policies; --municipality oslo,baerum; --year 2030; --by measure |" in md


def test_package_adds_the_wedges_the_mac_curve_and_their_tables(with_package):
    out = with_package
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert "wedges.png" in figures and "mac.png" in figures and "differences.png" not in figures
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    for text in ("What the measures do", "What the measures cost", "Shapley", "Landfill gas collection",
                 "Recycling target", "Zero-emission vans", "carbon price"):
        assert text in html and text in md
    assert html.count("<img ") == len(figures)
    # the attribution table: the measures' Shapley values add up to the package's effect
    lines = [line for line in md.splitlines() if line.startswith("| ")]
    header = next(line for line in lines if line.startswith("| measure | kind | Shapley 2030"))
    rows = lines[lines.index(header) + 1:lines.index(header) + 6]

    def column(j):
        return {r.split(" | ")[0].lstrip("| "): float(r.split(" | ")[j].replace(",", "") or "nan") for r in rows}

    shapley, alone = column(2), column(3)
    three = ("Landfill gas collection", "Recycling target", "Zero-emission vans")
    measures = sum(shapley[m] for m in three)
    assert measures < 0 and measures == pytest.approx(shapley["the package"], abs=0.15)
    # ... and the measures alone add up to it with the interaction, which stands in their column
    assert math.isnan(shapley["interaction"])
    assert sum(alone[m] for m in three) + alone["interaction"] == pytest.approx(alone["the package"], abs=0.15)
    assert alone["the package"] == shapley["the package"]
    assert "| Oslo | oslo |" in md and "| Bergen | bergen |" not in md     # the municipalities chosen


# ---------------------------------------------------------------- pure functions


def test_report_is_the_same_as_with_the_whole_file_loaded(written, result_file, whole_file):
    out, _ = written
    with whole_file() as asked:
        res = invoke("report", result_file, "--out", out.parent / "whole-file-report")
    assert res.exit_code == 0, res.output
    assert asked == [list(rp.VARIABLES)]

    def files(folder):
        return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    assert files(out.parent / "whole-file-report") == files(out)

def test_wedge_bands_stack_cuts_down_and_increases_up_from_the_base():
    base = np.array([10.0, 10.0, 10.0])
    effects = np.array([[-1.0, -2.0, 0.0], [-3.0, 1.0, 0.0], [0.5, -1.0, 0.0]])
    bands = rp.wedge_bands(base, effects)
    (cut0, up0), (cut1, up1), (cut2, up2) = bands
    assert np.allclose(cut0, [[9.0, 8.0, 10.0], [10.0, 10.0, 10.0]]) and np.allclose(up0[1] - up0[0], 0.0)
    assert np.allclose(cut1, [[6.0, 8.0, 10.0], [9.0, 8.0, 10.0]]) and np.allclose(up1, [[10.0] * 3, [10, 11, 10]])
    assert np.allclose(cut2, [[6.0, 7.0, 10.0], [6.0, 8.0, 10.0]]) and np.allclose(up2, [[10, 11, 10], [10.5, 11, 10]])
    widths = np.array([(c[1] - c[0]) + (u[1] - u[0]) for c, u in bands])
    assert np.allclose(widths, np.abs(effects))                 # each wedge is as wide as its measure's effect
    assert np.all([c[0] <= c[1] for c, _ in bands]) and np.all([u[0] <= u[1] for _, u in bands])


def test_numbers_and_headers_for_readers():
    assert rp.number(1234.56) == "1,234.6" and rp.number(-0.04, sign=True) == "0.0"
    assert rp.number(3.0, 0, sign=True) == "+3" and rp.number(float("nan")) == "-" and rp.number(None) == "-"
    table = rp.Table("c", ("sector", "2009", "2030", "note"), (), groups=(("", 1), ("[kt CO2e/yr]", 2), ("", 1)))
    assert table.flat_header() == ("sector", "2009 [kt CO2e/yr]", "2030 [kt CO2e/yr]", "note")
    grouped = rp.Table("c", ("area", "2030", "met"), (), groups=(("", 1), ("reference", 2)))
    assert grouped.flat_header() == ("area", "reference 2030", "reference met")
    assert rp.indicator_label("nox_road_exhaust") == "NOx road exhaust"
    assert rp.indicator_label("cordon_car_trips") == "Passages through own toll cordons"
    assert rp.area_label(["oslo", "baerum"], rp.municipality_names()) == "Oslo and Bærum together"


# ---------------------------------------------------------------- several draws: fan charts and ranges

@pytest.fixture(scope="module")
def sampled_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sampled")
    path = folder / "compare8.nc"
    api.save(api.run(["framtid:reference", "framtid:current-policies"], n_draws=8, sampler="lhs"), path)
    out = folder / "report"
    res = invoke("report", path, "--out", out)
    assert res.exit_code == 0, res.output
    return path, out


def _fan_bands(fig) -> list[int]:
    """The number of filled bands (fill_between) on each visible panel of a figure."""
    from matplotlib.collections import PolyCollection

    return [sum(isinstance(c, PolyCollection) for c in ax.collections) for ax in fig.axes if ax.get_visible()]


def test_report_of_draws_has_fan_charts_and_names_every_municipality(sampled_report):
    path, out = sampled_report
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert "paths-total.png" in figures and "paths-municipalities.png" in figures
    html = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    for text in ("Fan chart of the emission paths of the 13 together", "Fan charts of the emission paths per "
                 "municipality", "8 draws, sampler lhs", "re-fitted in every draw", "narrow at 2009",
                 "the 5-95 % range spans", "P(met)"):
        assert text in html and text in md, text
    assert "P(met) [share of draws]" in md and '<span class="range">' in html
    for m in municipalities():
        assert f"<td>{m.name}</td><td>{m.id}</td>" in html and f"| {m.name} | {m.id} |" in md, m.id
        assert html.count(m.name) >= 5 and md.count(m.name) >= 5, m.id
    # the sampler, the draws of the ensemble and the calibration are in the provenance
    assert "| sampler | lhs |" in md and "| draws of the ensemble | 8 |" in md


def test_fan_charts_draw_two_bands_per_scenario_on_every_panel(sampled_report, result_file):
    path, _ = sampled_report
    content = rp.build(api.open_results(path), source=str(path))
    charts = {c.name: c for c in content.charts()}
    assert _fan_bands(charts["paths-total"].draw()) == [4]                  # 5-95 % and 25-75 % of 2 scenarios
    grid = charts["paths-municipalities"].draw()
    assert _fan_bands(grid) == [4] * 13
    legend = [t.get_text() for t in grid.legends[0].get_texts()]
    assert "5-95 % of the draws (in each scenario's colour)" in legend
    assert "scenario reference, median of the draws" in legend
    # one draw: lines only, as before
    single = {c.name: c for c in rp.build(api.open_results(result_file), source=str(result_file)).charts()}
    assert _fan_bands(single["paths-total"].draw()) == [0]


def test_tables_of_draws_show_medians_ranges_and_units(sampled_report):
    from framtid.model.draw_statistics import is_range_cell

    _, out = sampled_report
    md = (out / "report.md").read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if line.startswith("| current-policies | "))
    cells = [c.strip() for c in row.strip("|").split(" | ")]
    assert all(is_range_cell(c) for c in cells[1:6]), cells                  # 2009-2050 and the change
    act = next(line for line in md.splitlines() if line.startswith("| Climate Change Act (2030)"))
    assert act.count("P(met) 0.") + act.count("P(met) 1.") == 2 and " against " in act
    lines = md.splitlines()
    checked = 0
    for header, rule in zip(lines, lines[1:]):          # numeric columns (right-aligned) name their unit
        if header.startswith("| ") and rule.startswith("|---") and "unit" not in header:
            names = [h.strip() for h in header.strip("|").split(" | ")]
            for name, right in zip(names, [r.endswith(":") for r in rule.strip("|").split("|")]):
                if right and name != "municipality number":
                    assert "[" in name, header
                    checked += 1
    assert checked > 30


def test_the_summary_counts_a_package_s_measures_and_says_its_effect_is_at_default_values(sampled_report,
                                                                                          with_package, tmp_path):
    """'adds 1 measure' (not '1 measures'); over draws, the package's effect in the summary is a run at
    the default parameter values (as its attribution and costs), which the summary says."""
    one = tmp_path / "one.toml"   # its one measure in Bergen only, reported for Oslo
    one.write_text(PACKAGE.split("[[measure]]")[0] + "[[measure]]"
                   + PACKAGE.split("[[measure]]")[1].replace('municipality = "*"', 'municipality = "bergen"'))
    out = tmp_path / "one-report"
    res = invoke("report", sampled_report[0], "--out", out, "--package", one, "--municipality", "oslo",
                 "--scenario", "current-policies")
    assert res.exit_code == 0, res.output
    summary = next(line for line in (out / "report.md").read_text(encoding="utf-8").splitlines()
                   if line.startswith("The package one.toml"))
    assert summary.startswith("The package one.toml adds 1 measure to current-policies. In 2030 ")
    assert "; at the default parameter values, not over the draws, like the package's attribution and costs)" \
        in summary
    assert "Its measures act in Bergen, not in Oslo: what moves there is their spill-over." in summary
    three = next(line for line in (with_package / "report.md").read_text(encoding="utf-8").splitlines()
                 if line.startswith("The package small-package.toml"))
    assert " adds 3 measures to current-policies. " in three and "draws" not in three


def test_a_selection_of_draws_sums_its_targets_draw_by_draw(sampled_report, tmp_path):
    path, _ = sampled_report
    ds = api.open_results(path)
    content = rp.build(ds, ["current-policies"], ["oslo", "baerum"], source=str(path))
    summary = next(s for s in content.sections if s.key == "summary")
    table = next(b for b in summary.blocks if isinstance(b, rp.Table) and b.caption.startswith("National targets"))
    cell = next(r for r in table.rows if r[0].startswith("Climate Change Act"))[1]
    # by hand: each draw's Oslo + Baerum 2030 total against its own share-rule target
    total = ds["emissions"].sel(scenario="current-policies", municipality=["oslo", "baerum"]).sum(
        ["sector", "municipality"]) / 1000
    r2030 = 51348 * 0.45 / 52541 - 1
    p_met = np.mean(total.sel(year=2030).values <= total.sel(year=2009).values * (1 + r2030))
    assert cell.startswith(f"P(met) {p_met:.2f}: {np.median(total.sel(year=2030).values):,.0f} (")


def test_a_report_read_part_by_part_is_the_one_of_the_loaded_file(sampled_report):
    """The file opened lazily (each section reads the variables, years and blocks of draws it uses) gives
    the report of the loaded file, text and figures."""
    path, _ = sampled_report
    loaded = api.open_results(path, list(rp.VARIABLES))
    options = dict(municipalities=["oslo", "baerum", "bergen"], rule="non-ets", source=str(path))
    with api.open_results(path, list(rp.VARIABLES), lazy=True) as lazy:
        ours = rp.build(lazy, **options)
    theirs = rp.build(loaded, **options)
    assert rp.render_markdown(ours) == rp.render_markdown(theirs)
    assert rp.render_pngs(ours) == rp.render_pngs(theirs)


def test_the_report_reads_no_variable_it_does_not_declare(sampled_report):
    """On only the declared variables the report of draws (paths of the non-ETS sources, a selection)
    is the one of the whole file, text and figures."""
    path, _ = sampled_report
    declared = api.open_results(path, list(rp.VARIABLES))
    whole = api.open_results(path)
    assert set(declared.data_vars) < set(whole.data_vars)
    options = dict(municipalities=["oslo", "baerum", "bergen"], rule="non-ets", source=str(path))
    ours, theirs = rp.build(declared, **options), rp.build(whole, **options)
    assert rp.render_markdown(ours) == rp.render_markdown(theirs)
    assert rp.render_pngs(ours) == rp.render_pngs(theirs)


# The small package's landfill gas and vans in a middle file, and a top file extending it with more vans in Bergen
# (assumption: a test value).
_HEAD, _LANDFILL, _RECYCLING, _VANS = PACKAGE.split("[[measure]]")
CHAIN = {"middle.toml": '[scenario]\nname = "middle"\nextends = "framtid:current-policies"\n\n[[measure]]' + _LANDFILL
         + "[[measure]]" + _VANS,
         "top.toml": '[scenario]\nname = "top"\nextends = "middle"\n\n[[measure]]' + _VANS.replace(
             'label = "Zero-emission vans"\nmunicipality = ["oslo", "baerum"]\nstart_year = 2027\nvan_share = 0.5',
             'label = "Zero-emission vans Bergen"\nmunicipality = "bergen"\nstart_year = 2028\nvan_share = 0.4')}


def test_a_package_reaching_back_through_its_chain_is_reported_by_kind(result_file):
    assert 'municipality = "bergen"' in CHAIN["top.toml"]
    for name, text in CHAIN.items():
        (result_file.parent / name).write_text(text)
    out = result_file.parent / "chain-report"
    res = invoke("report", result_file, "--out", out, "--package", result_file.parent / "top.toml",
                 "--base", "current-policies", "--by", "kind", "--scenario", "current-policies")
    assert res.exit_code == 0, res.output
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "The package top.toml adds 3 measures of 2 kinds to current-policies." in md
    assert "| 2 measures | zero_emission_freight |" in md and "| 1 measure | landfill_gas_capture |" in md
    assert "adds 3 measures of 2 kinds to current-policies: landfill_gas_capture (1 measure) and " \
           "zero_emission_freight (2 measures)." in md
    bad = invoke("report", result_file, "--out", result_file.parent / "no", "--by", "kind")
    assert bad.exit_code == 2 and "--base and --by apply to a --package" in bad.output
    assert not (result_file.parent / "no").exists()


def test_the_summary_says_where_2009_is_estimated_and_how_sure_each_verdict_is(written):
    """A council reads 2009 as measured unless told: the municipalities whose 2009 is the model's estimate are
    named with the estimated share (Bergen's sources are all estimated); a verdict of one run carries P(inv);
    targets of published years are called hindcasts; the toll indicators carry their known excess."""
    out, _ = written
    md = (out / "report.md").read_text(encoding="utf-8")
    estimated = next(line for line in md.splitlines() if "the 2009 emissions are the model's own estimate" in line)
    assert "Bergen 100 %" in estimated and "Oslo" not in estimated
    assert re.search(r"Oslo \(P\(inv\) [01]\.\d\d\)", md)
    assert "Targets of 2020, 2023 are of years whose inventory is published" in md
    assert "the model's toll revenue is about twice what the toll companies collect" in md


def test_the_zero_growth_goal_is_indexed_to_the_base_year_asked_for(result_file):
    """As framtid targets --zero-growth-base: a city region whose agreement counts from 2019 (Nord-Jæren) gets
    its index against 2019 in the report too (it was always 2017)."""
    ds = api.open_results(result_file)

    def titles(**options):
        content = rp.build(ds, source=str(result_file), **options)
        return [b.caption for s in content.sections for b in s.blocks if hasattr(b, "caption")]

    assert any("against 2017; met when at most 1" in t for t in titles())
    assert any("against 2019; met when at most 1" in t for t in titles(zero_growth_base=2019))


def test_the_day_a_report_is_written_is_utc_or_source_date_epoch(monkeypatch):
    """Two reports of one result are the same files when SOURCE_DATE_EPOCH fixes the day (as reproducible
    builds do); otherwise it is the day in UTC, the same wherever the report is written."""
    from datetime import date, datetime, timezone

    from framtid.model.evaluation.report_detail_sections import written_on

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86399")          # 23:59:59 UTC on the first day
    assert written_on() == date(1970, 1, 1)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert written_on() in (datetime.now(timezone.utc).date(), date.today())
