"""Tests of the energy prices and taxes (model/prices.py, model/data/prices.csv, tools/build_prices.py)."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from framtid.model import dims, parameters, prices
from framtid.model.errors import DataError

REPO = Path(__file__).resolve().parents[1]
YEARS = list(dims.YEARS)
ADJ = (4.87 / 4.33) ** (1 / 7)   # nominal yearly adjustment of excise rates used by the build tool


def params(**overrides):
    return parameters.Params.defaults(1, overrides)


def value(item, year):
    return prices.nominal()[item][year - 2009]


def rec(item, year):
    return next(r for r in prices.load() if r.item == item and r.year == year)


# ---------------------------------------------------------------- the embedded file

def test_embedded_file_covers_every_item_and_year():
    records = prices.load()
    assert {(r.item, r.year) for r in records} == {(i, y) for i in prices.ITEMS for y in range(2009, 2025)}
    assert len(records) == 11 * 16
    for r in records:
        assert r.status in prices.STATUSES and r.source and r.method
        assert np.isfinite(r.value)


def test_observed_values_are_read_as_given():
    # SSB means of twelve monthly prices, relayed in road_fuel_prices_taxes.csv / heating_prices_taxes.csv.
    assert rec("petrol_pump_price", 2009).status == "observed" and value("petrol_pump_price", 2009) == 11.74
    assert value("diesel_pump_price", 2009) == 10.72
    assert value("heating_oil_price", 2009) == 7.2
    # 35.2 øre/kWh -> 0.352 NOK/kWh
    assert value("electricity_energy_price", 2009) == pytest.approx(0.352)
    assert value("petrol_co2_tax", 2021) == 1.37 and value("mineral_oil_base_tax", 2023) == 0.0


def test_interpolated_taxes():
    # Petrol road-usage tax: 4.33 (2008) and 4.54 (2011) -> 2010 = 4.33 + 2/3 * 0.21 = 4.47.
    assert rec("petrol_road_usage_tax", 2010).status == "interpolated"
    assert value("petrol_road_usage_tax", 2009) == pytest.approx(4.40)
    assert value("petrol_road_usage_tax", 2010) == pytest.approx(4.47)
    # Base tax on mineral oil: 1.63 (2018) and 1.68 (2020) -> 2019 = 1.655.
    assert value("mineral_oil_base_tax", 2019) == pytest.approx(1.655)


def test_taxes_carried_back_and_converted_from_nok_per_tonne():
    # Petrol CO2 tax 2009: 0.93 (2015) carried back six years at (4.87/4.33)^(1/7) per year.
    assert value("petrol_co2_tax", 2009) == pytest.approx(0.93 / ADJ ** 6, abs=5e-5)
    assert value("petrol_co2_tax", 2009) == pytest.approx(0.8409)
    # Mineral-oil CO2 tax 2014: ~330 NOK/t x 2.66 kg/l = 0.8778 NOK/l; 2013: 230 NOK/t -> 0.6118.
    assert value("mineral_oil_co2_tax", 2014) == pytest.approx(0.8778)
    assert value("mineral_oil_co2_tax", 2013) == pytest.approx(0.6118)
    assert value("diesel_co2_tax", 2013) == pytest.approx(0.6118)
    # Diesel road-usage tax 2009: 3.40 (2008) adjusted one year = 3.4576.
    assert value("diesel_road_usage_tax", 2009) == pytest.approx(3.40 * ADJ, abs=5e-5)


def test_electricity_grid_and_taxes_from_totals():
    # 2010: 103.8 øre incl. everything / 1.25 - 46.8 øre energy = 83.04 - 46.8 = 36.24 øre.
    assert value("electricity_grid_and_taxes", 2010) == pytest.approx(0.3624)
    # 2009: 85.9 / 1.25 - 35.2 = 68.72 - 35.2 = 33.52 øre.
    assert value("electricity_grid_and_taxes", 2009) == pytest.approx(0.3352)
    assert rec("electricity_grid_and_taxes", 2010).status == "derived"
    # 2024 has no observation: the 2023 energy price is held.
    assert rec("electricity_energy_price", 2024).status == "held"
    assert value("electricity_energy_price", 2024) == value("electricity_energy_price", 2023)


def test_interpolated_pump_price_goes_through_the_product_price():
    # Petrol product 2018 = 15.55/1.25 - 5.17 - 1.16 = 6.11; 2021 = 16.52/1.25 - 5.01 - 1.37 = 6.836.
    # 2019 product = 6.11 + (6.836 - 6.11)/3 = 6.352; pump = (6.352 + 5.25 + 1.18) * 1.25 = 15.9775.
    assert rec("petrol_pump_price", 2019).status == "interpolated"
    assert value("petrol_pump_price", 2019) == pytest.approx(15.9775)


# ---------------------------------------------------------------- helpers and product prices

def test_small_helpers_by_hand():
    assert prices.co2_tax_per_litre(330.0, 2.66) == pytest.approx(0.8778)
    # The reference equates 952 NOK/t with 2.53 NOK/l of diesel (2023).
    assert prices.co2_tax_per_litre(952.0, 2.66) == pytest.approx(2.53, abs=0.005)
    assert prices.consumer_price(4.0, 5.0, 0.25) == pytest.approx(11.25)
    x = np.array([11.74, 13.55])
    assert prices.consumer_price(prices.product_price(x, 5.0), 5.0, 0.25) == pytest.approx(x)


def test_2009_product_prices_by_hand():
    products = prices.nominal_products()
    # Petrol: 11.74 / 1.25 = 9.392; - road-usage 4.40 - CO2 0.8409 = 4.1511 NOK/l.
    assert products["petrol_product"][0] == pytest.approx(9.392 - 4.40 - 0.8409)
    assert prices.road_fuel_product_price(11.74, 4.40, 0.8409) == pytest.approx(4.1511)
    # Diesel: 10.72 / 1.25 = 8.576; - 3.4576 - 0.5721 = 4.5463.
    assert products["diesel_product"][0] == pytest.approx(8.576 - 3.4576 - 0.5721)
    # Heating oil: 7.2 / 1.25 = 5.76; - CO2 0.5721 - base 0.8712 = 4.3167.
    assert products["heating_oil_product"][0] == pytest.approx(5.76 - 0.5721 - 0.8712)
    assert prices.heating_oil_product_price(7.2, 0.5721, 0.8712) == pytest.approx(4.3167)
    assert products["electricity_energy"][0] == pytest.approx(0.352)


def test_heating_oil_follows_the_diesel_product_price():
    p = prices.nominal_products()
    ratio = p["heating_oil_product"] / p["diesel_product"]
    assert ratio == pytest.approx(np.full(16, ratio[0]), abs=2e-4)   # rounding of the written prices only


# ---------------------------------------------------------------- deflation and paths

def test_deflator_arithmetic():
    d = prices.deflator([2009, 2010, 2017, 2018, 2024], params())
    assert d.shape == (1, 5)
    assert d[0] == pytest.approx([1.0, 1.025, 1.025 ** 8, 1.025 ** 8 * 1.02, 1.025 ** 8 * 1.02 ** 7])
    d = prices.deflator([2009, 2019], params(**{"prices.inflation_to_2017": 0.0, "prices.inflation_from_2018": 0.1}))
    assert d[0] == pytest.approx([1.0, 1.1 ** 2])


def test_real_paths_are_deflated_data_until_2024():
    pp = prices.price_paths(params())
    nominal = prices.nominal_products()
    assert pp.petrol_product.shape == (1, len(YEARS))
    assert pp.petrol_product[0, 0] == pytest.approx(nominal["petrol_product"][0])      # 2009: real = nominal
    assert pp.diesel_product[0, 1] == pytest.approx(nominal["diesel_product"][1] / 1.025)
    i24 = YEARS.index(2024)
    assert pp.electricity_energy[0, i24] == pytest.approx(0.86 / (1.025 ** 8 * 1.02 ** 7))


def test_projection_returns_to_the_mean_of_the_base_years_without_trend():
    pp = prices.price_paths(params())   # half-life 3 years
    k = np.arange(1, 27)
    for name in prices.PATH_ITEMS:
        path = getattr(pp, name)[0]
        mean, last = path[YEARS.index(2015):YEARS.index(2024) + 1].mean(), path[YEARS.index(2024)]
        assert path[YEARS.index(2025):] == pytest.approx(mean + (last - mean) * 0.5 ** (k / 3.0))
    short = prices.price_paths(params(**{"prices.projection_base_years": 3,
                                         "prices.reversion_half_life": 0.0})).electricity_energy[0]
    assert short[-1] == pytest.approx(short[YEARS.index(2022):YEARS.index(2024) + 1].mean())


def test_projection_grows_with_the_real_trend():
    flat = prices.price_paths(params()).petrol_product[0]
    grown = prices.price_paths(params(**{"prices.real_trend.petrol_product": 0.01})).petrol_product[0]
    i = YEARS.index
    assert grown[:i(2025)] == pytest.approx(flat[:i(2025)])
    assert grown[i(2025)] == pytest.approx(flat[i(2025)] * 1.01)
    assert grown[i(2030)] == pytest.approx(flat[i(2030)] * 1.01 ** 6)
    assert grown[i(2050)] == pytest.approx(flat[i(2050)] * 1.01 ** 26)


def test_project_by_hand_and_per_draw():
    # Mean of the last two (3, 4) = 3.5; +10 %/yr: 3.85, 4.235.
    out = prices.project(np.array([[1.0, 2.0, 3.0, 4.0]]), np.array([2.0]), np.array([0.1]), 2)
    assert out[0] == pytest.approx([3.85, 4.235])
    # Two draws with different base lengths (rounded: 2.4 -> 2, 3.6 -> 4) and trends.
    out = prices.project(np.array([[1.0, 2.0, 3.0, 4.0]] * 2), np.array([2.4, 3.6]), np.array([0.0, -0.5]), 1)
    assert out[:, 0] == pytest.approx([3.5, 2.5 * 0.5])
    with pytest.raises(ValueError):
        prices.project(np.ones((1, 4)), np.array([5.0]), np.zeros(1), 1)


def test_projection_returns_to_the_mean_at_its_half_life():
    # Last value 4, mean of the last two 3.5: the gap of 0.5 halves every 2 years.
    # k = 1: 3.5 + 0.5 * 2^-0.5 = 3.853553; k = 2: 3.75; k = 4: 3.625; +10 %/yr on top of the level.
    out = prices.project(np.array([[1.0, 2.0, 3.0, 4.0]]), np.array([2.0]), np.array([0.0]), 4, np.array([2.0]))
    assert out[0] == pytest.approx([3.853553, 3.75, 3.676777, 3.625], abs=1e-6)
    grown = prices.project(np.array([[1.0, 2.0, 3.0, 4.0]]), np.array([2.0]), np.array([0.1]), 2, 2.0)
    assert grown[0] == pytest.approx([3.853553 * 1.1, 3.75 * 1.21], abs=1e-6)
    # Half-life 0: the mean at once (the projection before the return at a pace); per draw.
    out = prices.project(np.array([[1.0, 2.0, 3.0, 4.0]] * 2), np.array([2.0, 2.0]), np.zeros(2), 1,
                         np.array([0.0, 1.0]))
    assert out[:, 0] == pytest.approx([3.5, 3.75])
    with pytest.raises(ValueError, match="half-life"):
        prices.project(np.ones((1, 4)), np.array([2.0]), np.zeros(1), 1, np.array([-1.0]))


def test_projected_prices_leave_the_2024_level_gradually():
    # The crisis years left the 2024 petrol product price above the 2015-2024 mean: 2025 lies between the two,
    # nearer 2024 with a longer half-life, and the path approaches the mean.
    i = YEARS.index
    slow = prices.price_paths(params(**{"prices.reversion_half_life": 6.0})).petrol_product[0]
    fast = prices.price_paths(params(**{"prices.reversion_half_life": 1.0})).petrol_product[0]
    instant = prices.price_paths(params(**{"prices.reversion_half_life": 0.0})).petrol_product[0]
    mean = instant[i(2025)]
    assert slow[i(2024)] > slow[i(2025)] > fast[i(2025)] > mean
    assert fast[i(2050)] == pytest.approx(mean, rel=1e-6)
    assert slow[i(2031)] - mean == pytest.approx((slow[i(2024)] - mean) / 2 ** (7 / 6))


def test_price_paths_read_every_price_parameter(monkeypatch):
    seen = set()
    original = parameters.Params.__getitem__

    def spy(self, name):
        seen.add(name)
        return original(self, name)

    monkeypatch.setattr(parameters.Params, "__getitem__", spy)
    prices.price_paths(parameters.Params.defaults(2))
    assert {n for n in parameters.table() if n.startswith("prices.")} == seen


def test_tax_paths_and_2009_levels():
    p = params()
    tx = prices.tax_paths(p)
    i24 = YEARS.index(2024)
    assert tx.petrol_co2.shape == (1, len(YEARS))
    assert tx.petrol_road_usage[0, 0] == pytest.approx(4.40)
    assert tx.diesel_co2[0, i24] == pytest.approx(3.17 / (1.025 ** 8 * 1.02 ** 7))
    assert tx.mineral_oil_co2[0, i24:] == pytest.approx(np.full(len(YEARS) - i24, tx.mineral_oil_co2[0, i24]))
    assert tx.mineral_oil_base[0, -1] == 0.0
    levels = prices.taxes_2009()
    assert levels == pytest.approx({"petrol_road_usage": 4.40, "petrol_co2": 0.8409, "diesel_road_usage": 3.4576,
                                    "diesel_co2": 0.5721, "mineral_oil_co2": 0.5721, "mineral_oil_base": 0.8712})
    assert {k: getattr(tx, k)[0, 0] for k in levels} == pytest.approx(levels)


def test_2009_consumer_prices_are_rebuilt():
    pp, tx = prices.price_paths(params()), prices.tax_paths(params())
    pump = prices.consumer_price(pp.petrol_product, tx.petrol_road_usage + tx.petrol_co2, 0.25)
    assert pump[0, 0] == pytest.approx(11.74)
    power = prices.consumer_price(pp.electricity_energy, pp.electricity_grid_and_taxes, 0.25)
    assert power[0, 0] == pytest.approx(0.859)


def test_parameter_rows_state_their_source():
    rows = {n: s for n, s in parameters.table().items() if n.startswith("prices.")}
    assert set(rows) == {"prices.inflation_to_2017", "prices.inflation_from_2018", "prices.projection_base_years",
                         "prices.reversion_half_life",
                         *(f"prices.real_trend.{n}" for n in prices.PATH_ITEMS)}
    for spec in rows.values():
        assert spec.source.startswith("assumption: ")


# ---------------------------------------------------------------- loader errors

def _broken(tmp_path, line, edit):
    lines = prices.data_path().read_text(encoding="utf-8").splitlines(keepends=True)
    if edit is None:
        del lines[line - 1]
    else:
        lines[line - 1] = edit(lines[line - 1])
    path = tmp_path / "prices.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("line, edit, words", [
    (5, lambda s: s.replace(",12.", ",12x.", 1), "prices.csv: line 5: column 'value' must be a number"),
    # a sign slipped, a unit mistaken: a number, but not a price
    (2, lambda s: s.replace(",11.74,", ",-11.74,", 1),
     "prices.csv: line 2: column 'value' of petrol_pump_price must lie in (0, 100] NOK/l"),
    (2, lambda s: s.replace(",11.74,", ",1e300,", 1), "prices.csv: line 2: column 'value' of petrol_pump_price"),
    (7, lambda s: s.replace(",interpolated,", ",guessed,", 1), "prices.csv: line 7: column 'status'"),
    (3, lambda s: s.replace(",2010,", ",2025,", 1), "prices.csv: line 3: column 'year'"),
    (3, lambda s: s.replace("petrol_pump_price", "petrol_price", 1), "prices.csv: line 3: column 'item'"),
    (3, lambda s: s.replace("NOK/l (nominal, incl. taxes and VAT)", "NOK/l", 1), "prices.csv: line 3: column 'unit'"),
    (2, lambda s: s.replace(",observed,", ",observed,,", 1), "prices.csv: line 2: expected 8 columns"),
    (4, None, "prices.csv: item 'petrol_pump_price' has no row for year(s) 2011"),
])
def test_loader_names_file_line_and_column(tmp_path, line, edit, words):
    path = _broken(tmp_path, line, edit)
    with pytest.raises(DataError) as info:
        prices.load(path)
    assert words in str(info.value)


def test_loader_rejects_duplicates(tmp_path):
    text = prices.data_path().read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "prices.csv"
    path.write_text("".join(text + [text[1]]), encoding="utf-8")
    with pytest.raises(DataError, match=r"line 178: petrol_pump_price 2009 is given twice \(also line 2\)"):
        prices.load(path)


# ---------------------------------------------------------------- the build tool

def test_tool_reproduces_the_embedded_file(tmp_path, tool, shared_data):
    build = tool("build_prices")
    out = tmp_path / "prices.csv"
    build.write(out, build.build(shared_data))
    assert out.read_bytes() == prices.data_path().read_bytes()


def test_model_reads_only_embedded_data(tmp_path):
    # The packaged file is used; the reference folder is never needed at run time.
    assert prices.data_path().parent.name == "data" and "shared" not in str(prices.data_path())
    copy = tmp_path / "prices.csv"
    shutil.copy(prices.data_path(), copy)
    assert prices.load(copy) == prices.load()
