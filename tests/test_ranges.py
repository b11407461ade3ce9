"""Summaries with ranges (`framtid summary` of a result with several draws): medians and 5-95 % ranges,
taken over draws of the summed quantity, by hand on a tiny made-up result; the header line; the
table layout of range cells; single-draw output unchanged; and the command on a sampled run."""

import csv
import io
import json

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from framtid.cli.main import main
from framtid.model import api, catalogue, dims, result_summary
from framtid.model import draw_statistics as stats

DRAWS = np.arange(1.0, 101.0)                 # draws 1, 2, ..., 100
YEARS = [2009, 2030]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def made_up(draws=DRAWS, scenarios=("a", "b"), attrs=None):
    """Emissions [t CO2e/yr] of two municipalities, one sector each, two years, by hand.

    In draw d (the value of ``draws``): Oslo's heating d kt, Bergen's industry (101 - d) kt, so that the
    two run opposite ways and their total is 101 kt in every draw. Scenario b: Oslo 5 kt lower in 2030
    in every draw. Every other sector is zero."""
    d = np.asarray(draws, dtype=float)
    e = np.zeros((len(scenarios), 2, len(dims.SECTORS), len(YEARS), len(d)))
    e[:, 0, dims.SECTORS.index("heating")] = d * 1000.0
    e[:, 1, dims.SECTORS.index("industry")] = (101.0 - d) * 1000.0
    if len(scenarios) > 1:
        e[1, 0, dims.SECTORS.index("heating"), 1] -= 5000.0
    coords = dict(scenario=list(scenarios), municipality=["oslo", "bergen"], sector=list(dims.SECTORS), year=YEARS,
                  draw=np.arange(len(d)))
    ds = xr.Dataset({"emissions": (("scenario", "municipality", "sector", "year", "draw"), e, {"gwp": "ar4"})},
                    coords=coords)
    ds.attrs.update(attrs if attrs is not None else {"sampler": "lhs", "ensemble_draws": len(d)})
    return ds


def rows_of(ds, by="municipality"):
    header, rows = result_summary.summary_rows(ds, YEARS, by)
    return [dict(zip(header, r)) for r in rows]


def pick(rows, scenario, label, year, by="municipality"):
    found = [r for r in rows if r["scenario"] == scenario and r[by] == label and r["year"] == year]
    assert len(found) == 1
    return found[0]


# ---------------------------------------------------------------- the statistics by hand

def test_median_and_5_95_range_of_draws_1_to_100_by_hand():
    # linear interpolation between sorted draws: rank 0.05 x 99 = 4.95 -> 5 + 0.95; 50.5; 95 + 0.05
    median, p05, p95 = stats.spread(DRAWS)
    assert (median, p05, p95) == pytest.approx((50.5, 5.95, 95.05))
    shuffled = np.random.default_rng(1).permutation(DRAWS)                 # the order of draws does not matter
    assert stats.spread(shuffled) == pytest.approx((50.5, 5.95, 95.05))


def test_percentiles_of_totals_are_taken_over_draws_of_the_sum():
    rows = rows_of(made_up())
    oslo, bergen = pick(rows, "a", "oslo", 2030), pick(rows, "a", "bergen", 2030)
    assert (oslo["emissions_kt_co2e"], oslo["emissions_p05_kt_co2e"], oslo["emissions_p95_kt_co2e"]) == \
        pytest.approx((50.5, 5.95, 95.05))
    assert (bergen["emissions_p05_kt_co2e"], bergen["emissions_p95_kt_co2e"]) == pytest.approx((5.95, 95.05))
    # the total is 101 kt in every draw: no spread at all, although summing the parts' percentiles
    # would give 11.9 to 190.1 kt
    total = pick(rows, "a", "total", 2030)
    assert (total["emissions_kt_co2e"], total["emissions_p05_kt_co2e"], total["emissions_p95_kt_co2e"]) == \
        pytest.approx((101.0, 101.0, 101.0))
    assert oslo["emissions_p95_kt_co2e"] + bergen["emissions_p95_kt_co2e"] == pytest.approx(190.1)


def test_differences_are_taken_draw_by_draw():
    rows = rows_of(made_up())
    # scenario b is 5 kt below a in every draw: the difference has no spread, though each level has
    oslo = pick(rows, "b", "oslo", 2030)
    assert (oslo["difference_kt_co2e"], oslo["difference_p05_kt_co2e"], oslo["difference_p95_kt_co2e"]) == \
        pytest.approx((-5.0, -5.0, -5.0))
    assert (oslo["emissions_p05_kt_co2e"], oslo["emissions_p95_kt_co2e"]) == pytest.approx((0.95, 90.05))
    assert pick(rows, "b", "total", 2030)["difference_kt_co2e"] == pytest.approx(-5.0)
    assert pick(rows, "b", "oslo", 2009)["difference_p95_kt_co2e"] == 0.0


def test_csv_and_json_carry_median_p05_p95_draws_and_sampler():
    header, rows = result_summary.summary_rows(made_up(), YEARS)
    assert header == ("scenario", "municipality", "year", "emissions_kt_co2e", "emissions_p05_kt_co2e",
                      "emissions_p95_kt_co2e", "compared_with", "difference_kt_co2e", "difference_p05_kt_co2e",
                      "difference_p95_kt_co2e", "gwp", "draws", "sampler")
    record = json.loads(catalogue.render(header, rows, "json"))[0]
    assert record["draws"] == 100 and record["sampler"] == "lhs" and record["gwp"] == "ar4"
    by_sector = {r["sector"] for r in rows_of(made_up(), "sector")}
    assert {"heating", "industry", "total"} <= by_sector


def test_the_change_column_is_taken_in_each_draw():
    ds = made_up(draws=[1.0, 2.0, 4.0], scenarios=("a",))
    ds["emissions"][0, 0, dims.SECTORS.index("heating"), 1] = [2000.0, 2000.0, 2000.0]    # 2030: 2 kt in each draw
    table = result_summary.summary_tables(ds, YEARS)[0][3]
    oslo = next(r for r in table if r[0] == "oslo")
    # per draw +100 %, 0 %, -50 %: median 0 %, 5th percentile -45 %, 95th +90 %
    assert oslo[-1] == "0 % (-45 to +90)"


# ---------------------------------------------------------------- the table

def test_table_cells_show_the_median_and_the_range_and_a_header_line_says_how():
    sections = result_summary.summary_tables(made_up(), YEARS)
    key, title, header, rows = sections[0]
    assert title.startswith("100 draws, sampler lhs: each value is the median over the draws and, in brackets, "
                            "the 5-95 % range")
    assert "median (5-95 %) of 100 draws" in title
    cells = {r[0]: r for r in rows}
    assert cells["oslo"][2] == "50.5 (6.0–95.0)"                       # 5.95 and 95.05 to one decimal
    assert cells["total"][1:3] == ("101", "101")                      # the draws agree: no range to show
    diff = dict((r[0], r) for r in sections[2][3])
    assert diff["oslo"][1:] == ("0.0", "-5.0") and sections[2][0] == "b-minus-a"
    text = catalogue.render_sections(sections, "table", 200)
    assert "sampler lhs" in text.splitlines()[1]


def test_a_chunk_of_an_ensemble_and_an_unsampled_file_say_so():
    chunk = made_up(attrs={"sampler": "sobol", "ensemble_draws": 400}).assign_coords(draw=np.arange(100, 200))
    assert stats.ensemble_text(chunk) == "100 draws (draws 100-199 of an ensemble of 400), sampler sobol"
    assert stats.ensemble_text(made_up(attrs={})) == "100 draws, sampler unknown"
    assert "default parameter values" in stats.ensemble_text(made_up(attrs={"sampler": "none"}))


def test_range_cells_read_well():
    assert stats.range_cell(4761.2, 4310.4, 5220.0) == "4,761 (4,310–5,220)"
    assert stats.range_cell(-37.2, -45.1, -30.0, 0, True, " %") == "-37 % (-45 to -30)"
    assert stats.range_cell(12.0, 3.0, 20.0, sign=True) == "+12.0 (+3.0 to +20.0)"
    assert stats.range_cell(-2.1, -119.3, -0.4) == "-2 (-119 to 0)"                   # no "-0"
    assert stats.range_cell(0.05, 0.01, 0.09) == "0.05 (0.01–0.09)"
    assert stats.range_cell(160.2, 159.9, 160.4) == "160"                    # the draws agree to the digits shown
    assert stats.is_range_cell("4,761 (4,310–5,220)") and stats.is_range_cell("-37 % (-45 to -30)")
    assert not stats.is_range_cell("region oslo") and not stats.is_range_cell("2,261")


def test_a_narrow_terminal_puts_the_range_under_the_median_right_aligned():
    header = ("municipality", "2009", "2050", "note")
    rows = [("oslo", "1,381 (1,381–1,382)", "822 (746–881)", "-"), ("kristiansand", "352 (331–368)", "5.0", "-")]
    assert catalogue.render(header, rows, "table", 60).splitlines()[2:] == [
        "oslo          1,381 (1,381–1,382)  822 (746–881)  -",
        "kristiansand        352 (331–368)            5.0  -"]
    # too wide for 46 columns: every range cell of a column goes under its median, the names stay whole
    assert catalogue.render(header, rows, "table", 46).splitlines() == [
        "municipality  2009           2050       note",
        "------------  -------------  ---------  ----",
        "oslo                  1,381        822  -",
        "              (1,381–1,382)  (746–881)",
        "kristiansand            352        5.0  -",
        "                  (331–368)"]


def test_a_narrow_table_keeps_its_names_whole():
    """Piped output is 100 columns wide; a table of names and numbers wider than that wraps its text at spaces
    but never inside a word ("Kristiansan" over "d" read as two names), staying wider where it must."""
    header = ("area", "region", "2017", "2030", "change")
    rows = [("fredrikstad", "region nedre_glomma", "612.7", "730.0", "+117.4"),
            ("kristiansand", "region kristiansand", "1,043.9", "1,216.7", "+172.8")]
    lines = catalogue.render(header, rows, "table", 40).splitlines()
    text = " ".join(lines)
    for word in ("fredrikstad", "kristiansand", "nedre_glomma"):
        assert word in text.split(), lines


def test_names_stay_on_their_rows_line_where_wrapping_them_would_not_make_the_table_fit():
    """A region's name wrapped under its row ("region" over "nord_jaeren") read as the next row's name on an
    80-column terminal, for a table of numbers too wide to fit anyway: the names then stay whole on their line."""
    header = ("area", "2009", "2030", "change", "index", "population", "share")
    rows = [("region nedre_glomma", "934.7", "1,176.0", "+241.3", "1.258", "+210.9", "-13.3"),
            ("region nord_jaeren", "1,450.8", "1,798.1", "+347.2", "1.239", "+329.9", "-69.3")]
    lines = catalogue.render(header, rows, "table", 50).splitlines()
    assert [line.split("  ")[0] for line in lines[2:]] == ["region nedre_glomma", "region nord_jaeren"]


def test_a_table_of_long_texts_prints_as_records_on_a_narrow_terminal():
    header = ("kind", "field", "unit", "description")
    rows = [("bus_biogas", "", "", "Biogas in buses: a share of the diesel buses' energy is replaced by biogas"),
            ("", "share", "share", "share of the energy replaced"),
            ("car_free", "", "", "")]
    # at 200 columns it is a table
    assert catalogue.render(header, rows, "table", 200).splitlines()[0].split() == list(header)
    # at 40 the description would break every 12 characters: one block per row, fields under their kind;
    # values wrap at 40 - indent - the longest column name (11) - 2 = 25 characters (23 under a field)
    assert catalogue.render(header, rows, "table", 40).splitlines() == [
        "bus_biogas",
        "  description  Biogas in buses: a share",
        "               of the diesel buses'",
        "               energy is replaced by",
        "               biogas",
        "  field share",
        "    unit         share",
        "    description  share of the energy",
        "                 replaced",
        "",
        "car_free"]


def test_a_table_of_numbers_stays_a_table_when_a_few_cells_wrap():
    header = ("measure", "kt", "NOK/t", "note")
    rows = [("Oil-heating ban, agricultural exception ended", "2,159.0", "-917", ""),
            ("Landfill ban", "5,092.7", "248", "adds emissions")]
    lines = catalogue.render(header, rows, "table", 44).splitlines()
    assert lines[0].split() == list(header) and len(lines) <= 2 + 2 * 3 and max(map(len, lines)) <= 44
    # mostly numbers: a table even where its text columns wrap onto many lines (rows are compared down the columns)
    header = ("measure", "kt", "NOK/t", "carbon", "social", "note")
    rows = [("Oil-heating ban, agricultural exception ended", "2,159.0", "-917", "1,445", "-780", "adds emissions"),
            ("Landfill ban on biodegradable waste", "5,092.7", "248", "1,227", "536", "")]
    lines = catalogue.render(header, rows, "table", 46).splitlines()
    assert lines[0].split() == list(header) and len(lines) > 2 + 3 * 2


def test_records_keep_to_the_width_with_long_names_and_values():
    header = ("kind", "field", "a_column_name_longer_than_the_room_left", "description")
    rows = [("bus_biogas", "", "", "word " * 30), ("", "f" * 70, "v", "a_long_unbreakable_value_" * 4)]
    lines = catalogue.records(header, rows, 40).splitlines()
    assert max(map(len, lines)) <= 40
    assert lines[0] == "bus_biogas" and lines[1] == "  description" and lines[2].startswith("    word word")


# ---------------------------------------------------------------- one draw: as before

def test_one_draw_prints_as_before():
    ds = made_up(draws=[7.0], attrs={"sampler": "none", "ensemble_draws": 1})     # the default run
    assert result_summary.summary_rows(ds, YEARS)[0] == ("scenario", "municipality", "year", "emissions_kt_co2e",
                                                    "compared_with", "difference_kt_co2e", "gwp")
    oslo = pick(rows_of(ds), "b", "oslo", 2030)
    assert (oslo["emissions_kt_co2e"], oslo["difference_kt_co2e"]) == (2.0, -5.0)
    sections = result_summary.summary_tables(ds, YEARS)
    assert sections[0][1] == "Scenario a: emissions by municipality [kt CO2e/yr, GWP ar4]"
    assert [r for r in sections[0][3] if r[0] == "oslo"] == [("oslo", "7.0", "7.0", "+0 %")]
    assert [r for r in sections[2][3] if r[0] == "total"] == [("total", "+0.0", "-5.0")]
    assert "draws" not in catalogue.render_sections(sections, "table", 100)


# ---------------------------------------------------------------- the command on a sampled run

def test_command_prints_medians_and_ranges_of_a_sampled_run(sampled):
    res = invoke("summary", sampled, "--years", "2009,2030")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[1].startswith("8 draws, sampler lhs: each value is the median")
    total = next(line for line in lines if line.startswith("total"))
    assert stats.is_range_cell(" ".join(total.split()[3:5]))       # 2030: "median (low–high)"
    ds = api.open_results(sampled)
    per_draw = ds["emissions"].sel(scenario="reference", year=2030).sum(["municipality", "sector"]).values / 1000
    res = invoke("summary", sampled, "--years", "2030", "--format", "csv")
    row = next(r for r in csv.DictReader(io.StringIO(res.output)) if r["municipality"] == "total")
    assert float(row["emissions_kt_co2e"]) == pytest.approx(np.median(per_draw), abs=1e-3)
    assert float(row["emissions_p05_kt_co2e"]) == pytest.approx(np.percentile(per_draw, 5), abs=1e-3)
    assert float(row["emissions_p95_kt_co2e"]) == pytest.approx(np.percentile(per_draw, 95), abs=1e-3)
    assert row["draws"] == "8" and row["sampler"] == "lhs"
    assert float(row["emissions_p05_kt_co2e"]) < float(row["emissions_p95_kt_co2e"])


def test_a_title_wider_than_the_terminal_wraps_at_its_spaces():
    sections = [("a", "Scenario a: emissions by municipality [kt CO2e/yr, GWP ar4; median (5-95 %) of 100 draws]",
                 ("municipality", "2030"), [("oslo", "7.0")])]
    lines = catalogue.render_sections(sections, "table", 40).splitlines()
    assert lines[1:4] == ["Scenario a: emissions by municipality", "[kt CO2e/yr, GWP ar4; median (5-95 %) of",
                          "100 draws]"]                                   # (the second line is 40 wide)
    assert catalogue.render_sections(sections, "table", 200).splitlines()[1] == sections[0][1]



def test_one_sampled_draw_says_it_is_not_the_default_run():
    """framtid run --draws 1 samples one draw: its tables say so, where the default run's say nothing."""
    sampled = made_up(draws=[7.0], attrs={"sampler": "lhs", "ensemble_draws": 1, "seed": 3})
    default = made_up(draws=[7.0], attrs={"sampler": "none", "ensemble_draws": 1, "seed": 0})
    assert stats.sampled_once(sampled) and not stats.sampled_once(default)
    assert stats.one_run_text(sampled) == ("one sampled draw (sampler lhs, seed 3), not the default parameter "
                                           "values")
    assert stats.one_run_text(default) == "one draw at default parameters"
    titles = [t for _, t, _, _ in result_summary.summary_tables(sampled, list(YEARS), "municipality")]
    assert titles[0].startswith("one sampled draw (sampler lhs, seed 3)")
    titles = [t for _, t, _, _ in result_summary.summary_tables(default, list(YEARS), "municipality")]
    assert not any("sampled" in t for t in titles)
