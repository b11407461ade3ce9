"""The model's responses to grants lie where published studies put them (`framtid grants`)."""

import numpy as np
import pytest
from click.testing import CliRunner

from framtid.cli.main import main
from framtid.model import dims, grant_responses
from framtid.model.errors import DataError
from framtid.model.scenario import load


def test_adopters_per_money_by_hand():
    # 1 000 battery-electric cars with the grant, 900 with 50 MNOK less of it: 100 cars for 50 MNOK, 200 per 100.
    assert grant_responses.adopters_per_money((1000.0, 900.0), (5e8, 4.5e8)) == pytest.approx(200.0)
    # The money spent on those who adopt anyway counts: 10 more adopters that cost 40 MNOK more in all.
    assert grant_responses.adopters_per_money((110.0, 100.0), (1.4e8, 1.0e8)) == pytest.approx(25.0)
    assert np.isnan(grant_responses.adopters_per_money((10.0, 10.0), (1e8, 1e8)))


def test_the_cut_lowers_the_grant_over_the_window_only():
    base = load("framtid:reference")
    target = grant_responses.targets()[0]
    cut = grant_responses._cut(base, target)
    before = grant_responses._lever_in(base, "bev_vat_exemption", target.first_year)
    cut_by = 1.0 + target.change
    for year, factor in ((target.first_year - 1, 1.0), (target.first_year, cut_by), (target.last_year, cut_by),
                         (target.last_year + 1, 1.0)):
        assert grant_responses._lever_in(cut, "bev_vat_exemption", year) == pytest.approx(factor * before), year


@pytest.fixture(scope="module")
def rows():
    return grant_responses.implied()


def test_battery_electric_cars_per_100_mnok_of_relief_lie_in_the_published_range(rows):
    (row,) = [r for r in rows if r["quantity"] == "bev_purchase_relief"]
    # Less relief buys fewer cars and costs less, and the ratio lies around Springel's 387 per 100 MNOK.
    assert row["adopters_less"] < row["adopters_with"] and row["money_less_nok"] < row["money_with_nok"]
    assert row["in_range"] is True and row["low"] <= row["implied"] <= row["high"]
    assert row["window"] == "2010-2015"


def test_one_municipality_reads_its_own_cars_and_money(rows):
    (oslo,) = grant_responses.implied("oslo")
    (every,) = rows
    assert 0 < oslo["adopters_with"] < every["adopters_with"] and 0 < oslo["money_with_nok"] < every["money_with_nok"]


@pytest.mark.parametrize("row, message", [
    ("bev_purchase_relief,r,i,2010,2015,0.10,232,542,387,s", "column 'change' must lie between -1 and 0"),
    ("bev_purchase_relief,r,i,2010,2015,-0.10,600,542,387,s", "need 0 <= low <= central <= high"),
    ("bev_purchase_relief,r,i,2015,2010,-0.10,232,542,387,s", f"need {dims.BASE_YEAR + 1} <= first_year <= "),
    ("bev_purchase_relief,r,i,20x0,2015,-0.10,232,542,387,s", "first_year and last_year must be years"),
    ("heat_pumps,r,i,2010,2015,-0.10,232,542,387,s", "unknown quantity 'heat_pumps'; the model reads bev_purchase_"),
])
def test_a_bad_target_file_names_the_line(tmp_path, row, message):
    path = tmp_path / "grant_targets.csv"
    path.write_text("quantity,response,instrument,first_year,last_year,change,low,high,central,source\n" + row + "\n")
    with pytest.raises(DataError, match="grant_targets.csv: line 2: " + message):
        grant_responses.targets(path)


def test_the_command_prints_the_numbers_as_they_are_in_csv():
    res = CliRunner().invoke(main, ["grants", "--format", "csv"])
    assert res.exit_code == 0, res.output
    header, line = res.output.splitlines()
    assert header.startswith("quantity,response,instrument,window,change,adopters_with,adopters_less,")
    assert line.startswith("bev_purchase_relief,")


def test_a_target_file_without_a_column_says_which(tmp_path):
    path = tmp_path / "grant_targets.csv"
    path.write_text("quantity,response,instrument,first_year,last_year,change,low,high,source\n")
    with pytest.raises(DataError, match="grant_targets.csv: missing column\\(s\\) central"):
        grant_responses.targets(path)
