"""Costs of measures: the present-value arithmetic, the kinds' cost declarations, hand-checked costs of
one measure per programme area, the MAC curve and the `framtid costs` command."""

import dataclasses
import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from framtid.cli.main import main
from framtid.model import api, dims, parameters, prices
from framtid.model.errors import UsageError
from framtid.model.evaluation import cost_tables, costs
from framtid.model.measures import KINDS, costing
from package_texts import BIOGAS, PARKING_60, parking_fee, scenario

REPO = Path(__file__).resolve().parent.parent
T2030 = 2030 - dims.BASE_YEAR
T2035 = 2035 - dims.BASE_YEAR
OSLO = dims.MUNICIPALITIES.index("oslo")


# ---------------------------------------------------------------- arithmetic

def test_present_value_discounts_to_the_first_year_of_the_window():
    years = np.arange(2028, 2034)
    stream = np.array([50.0, 70.0, 100.0, 100.0, 100.0, 7.0])
    # 100 + 100 / 1.04 + 100 / 1.04^2 = 100 + 96.1538 + 92.4556; the years outside 2030-2032 drop out
    assert costs.present_value(stream, years, 0.04, 2030, 2032) == pytest.approx(288.6095, abs=1e-4)
    assert costs.total(stream, years, 2030, 2032) == 300.0
    assert costs.discount_factors([2030, 2032], 0.04, 2030) == pytest.approx([1.0, 0.924556], abs=1e-6)
    two = np.stack([stream, 2 * stream], axis=1)            # draws on axis 1
    assert costs.present_value(two, years, 0.0, 2028, 2033) == pytest.approx([427.0, 854.0])


def test_annuity_spreads_an_outlay_so_its_present_value_is_the_outlay():
    # crf(10 %, 2 yr) = 0.1 / (1 - 1.1^-2) = 0.576190; paid at the start of each year: / 1.1 = 0.523810
    assert costing.capital_recovery_factor(0.1, 2) == pytest.approx(0.576190, abs=1e-6)
    assert costing.annuity_factor(0.1, 2) == pytest.approx(0.523810, abs=1e-6)
    assert costing.capital_recovery_factor(0.0, 4) == pytest.approx(0.25)
    outlays = np.zeros((5, 1, 1))
    outlays[1] = 1000.0
    stream = costing.annualise(outlays, 0.1, np.array([2.0]))
    assert stream[:, 0, 0] == pytest.approx([0, 523.810, 523.810, 0, 0], abs=1e-3)
    assert costs.present_value(stream[:, 0, 0], np.arange(5), 0.1, 1, 4) == pytest.approx(1000.0)
    # a life longer than the years left is cut at the last year
    assert costing.annualise(outlays, 0.1, np.array([10.0]))[:, 0, 0] == pytest.approx(
        [0] + [1000 * 0.1 / (1 - 1.1 ** -10) / 1.1] * 4)


def test_rule_of_half_and_deadweight_loss():
    # a charge rising 10 -> 20 NOK moves 100 trips to 80: users lose 1/2 (100 + 80) x 10 = 900, they pay
    # 20 x 80 - 10 x 100 = 600 more, so 300 is lost beyond the payments: 1/2 (10 + 20) (100 - 80)
    assert costing.rule_of_half(100, 80, 10, 20) == 900
    assert costing.deadweight(100, 80, 10, 20) == 300
    assert costing.rule_of_half(100, 80, 10, 20) - (20 * 80 - 10 * 100) == costing.deadweight(100, 80, 10, 20)
    # an unchanged charge on more trips: the wedge on the extra trips is a gain
    assert costing.deadweight(100, 120, 15, 15) == -300


def test_cost_per_tonne_is_undefined_without_abatement():
    assert costs.cost_per_tonne([100.0, 100.0, 100.0], [4.0, 0.0, -2.0])[0] == 25.0
    assert np.isnan(costs.cost_per_tonne([100.0, 100.0, 100.0], [4.0, 0.0, -2.0])[1:]).all()


def test_mac_curve_is_cheapest_first_with_cumulative_widths():
    curve = costs.mac_curve([500.0, -20.0, np.nan, 300.0, 100.0], [10.0, 5.0, 8.0, 0.0, 2.0])
    # NaN cost and zero width are left out; widths pile up from 0
    assert curve == [(1, 0.0, 5.0, -20.0), (4, 5.0, 7.0, 100.0), (0, 7.0, 17.0, 500.0)]


def test_carbon_price_path_is_interpolated_held_and_deflated():
    to_2009 = prices.to_real_2009(2023)
    assert to_2009 == pytest.approx(1 / (1.025 ** 8 * 1.02 ** 6))
    path = costs.carbon_price_path("central", [2020, 2023, 2030, 2032, 2050])
    # held at 2023 before the path starts; 2 230 NOK (2023) flat from 2030
    assert path / to_2009 == pytest.approx([952, 952, 2230, 2230, 2230])
    low = costs.carbon_price_path("low", [2032])
    assert low / to_2009 == pytest.approx([757 + (921 - 757) * 2 / 5])   # between 2030 and 2035


def test_carbon_value_of_a_measure_is_weighted_by_its_abatement():
    years = np.arange(2030, 2033)
    price = np.array([100.0, 200.0, 400.0])
    a = np.array([[0.0], [1.0], [1.0]])
    # (200 / 1.1 + 400 / 1.21) / (1 / 1.1 + 1 / 1.21) = 295.238...
    assert costs.weighted_price(price, a, years, 0.1, 2030, 2032)[0] == pytest.approx(295.2381, abs=1e-4)
    # no abatement: the discounted mean price
    none = costs.weighted_price(price, np.zeros((3, 1)), years, 0.0, 2030, 2032)
    assert none[0] == pytest.approx(700 / 3)


def test_a_measure_whose_abatement_changes_sign_says_why_its_carbon_value_leaves_the_price_path():
    """Abating 10 t early and adding 9 t later, when the price is four times higher: PV(p a) / PV(a) is
    negative at 0 %, (100 x 10 + 400 x -9) / (10 - 9) = -2 600 NOK/t, and the note says why."""
    from types import SimpleNamespace

    years = np.arange(2030, 2033)
    a = np.array([[10.0], [0.0], [-9.0]])
    price = np.array([100.0, 200.0, 400.0])
    assert costs.weighted_price(price, a, years, 0.0, 2030, 2032)[0] == pytest.approx(-2600.0)
    assert costs.carbon_value_outside(a, {"central": price}, years, 0.0, 2030, 2032)
    # a little added at the end (as a fare cut's, whose riders' cars turn electric) leaves it inside the path
    assert not costs.carbon_value_outside(np.array([[10.0], [8.0], [-0.1]]), {"central": price}, years, 0.0, 2030,
                                          2032)
    assert not costs.carbon_value_outside(np.abs(a), {"central": price}, years, 0.0, 2030, 2032)
    m = SimpleNamespace(adopted=None, costed=True, tonnes=np.array([1.0]), caveat="", carbon_outside=True)
    assert cost_tables.measure_note(m) == ("abates in some years and adds emissions in others: its carbon value "
                                           "per net tonne, weighted by the abatement, lies outside the carbon "
                                           "price path")


# ---------------------------------------------------------------- declarations

def test_every_kind_declares_its_costs_or_why_not():
    table = parameters.table()
    named = set()
    for kind in KINDS.values():
        c = kind.costs
        assert c is not None, kind.name
        assert c.costed or len(c.reason) > 30, kind.name
        names = [i.name for i in c.items]
        assert len(names) == len(set(names)), kind.name
        for item in c.items:
            assert item.flow in ("resource", "transfer") and item.payer in ("public", "users"), (kind.name, item)
            assert item.method and set(item.parameters) <= set(table), (kind.name, item.name)
            named.update(item.parameters)
        transfers = [i for i in c.items if i.flow == "transfer"]
        assert len(transfers) % 2 == 0, kind.name   # each transfer has its counterpart
    # every cost row is used by a declaration or by the appraisal itself
    rows = {n for n in table if n.startswith("cost.")}
    assert rows - named == {"cost.discount_rate", "cost.tax_financing_share"}
    assert sum(k.costs.costed for k in KINDS.values()) == 30
    assert not any(k.costs.costed for k in KINDS.values() if k.area == "adaptation")


def test_one_run_as_base_and_run_costs_nothing():
    model = api.run_scenario(api.load_scenario(REPO / "scenarios" / "current-policies.toml"))
    largest = costs.check_declarations(model)
    assert set(largest) == {k for k, v in KINDS.items() if v.costs.costed}
    assert max(largest.values()) == 0.0


PACKAGE_ALL = """
[scenario]
name = "all-costed"
extends = "framtid:current-policies"
{measures}
"""

ALL = {
    "congestion_charge": 'cordon = "oslo_ring_2019"\npeak_nok = 60\noffpeak_nok = 36',
    "toll_change": "factor = 1.2", "parking_fee": "fee_nok = { A = 40, B = 15 }", "pt_fare": "change = -0.3",
    "pt_service": "change = 0.2", "biofuel_blend": "petrol_share = 0.2\ndiesel_share = 0.3",
    "ev_incentives": "vat_exemption = 0.2\ntoll_discount = 0.2",
    "parking_supply": "workplace_share = 0.5\npublic_removed = { A = 0.3 }", "low_emission_zone": "charge_nok = 30",
    "zero_emission_freight": "van_share = 0.6\nheavy_share = 0.3", "zero_emission_buses": "share = 0.5",
    "car_sharing": "member_share = 0.2",
    "bus_biogas": "share = 0.5", "oil_conversion_grant": "grant_nok = 20000", "oil_heating_ban": "",
    "new_build_standard": "", "heat_pump_subsidy": "grant_nok = 10000", "district_heating_expansion": "",
    "solar_pv": "existing_share = 0.2", "wood_stove_renewal": "", "fossil_free_construction": "",
    "landfill_ban": "", "source_separation": "", "recycling_target": "", "landfill_gas_capture": "",
    "biogas_from_food_waste": "", "incineration_ccs": "", "oil_heating_ban_announcement": "",
    "oil_heating_ban_adoption": "lead_years = 1.5", "new_build_fossil_heating_ban": "",
}


def test_every_costed_kind_gives_finite_streams_and_balanced_transfers(tmp_path):
    """All costed kinds at once in Oslo from 2015 against current policies: every item finite, non-zero for
    the kinds that act there, and each transfer cancelled by its counterpart."""
    assert set(ALL) == {k for k, v in KINDS.items() if v.costs.costed}
    entries = "\n".join(f'[[measure]]\nkind = "{k}"\nmunicipality = "oslo"\nstart_year = 2015\n{v}\n'
                        for k, v in ALL.items())
    path = tmp_path / "all.toml"
    path.write_text(PACKAGE_ALL.format(measures=entries))
    scenario = api.load_scenario(path)
    base, _, _ = costs.package_of(scenario)
    base_view = costing.RunView.of(api.run_scenario(base))
    run_view = costing.RunView.of(api.run_scenario(scenario))
    for kind in ALL:
        streams = costs.item_streams(kind, base_view, run_view, 0.04)
        for name, s in streams.items():
            assert s.shape == (len(dims.YEARS), 1, 13) and np.isfinite(s).all(), (kind, name)
        assert any(np.abs(s).max() > 0 for s in streams.values()), kind
        flows = {i.name: i.flow for i in KINDS[kind].costs.items}
        transfers = sum(s for name, s in streams.items() if flows[name] == "transfer")
        if isinstance(transfers, np.ndarray):
            assert np.abs(transfers).max() <= 1e-6 * max(np.abs(s).max() for s in streams.values()), kind


# ---------------------------------------------------------------- one measure per area, checked by hand

PACKAGE = """
[scenario]
name = "costs-check"
extends = "framtid:current-policies"

[[measure]]
kind = "pt_fare"
label = "Free fares"
municipality = "oslo"
start_year = 2030
change = -1.0

[[measure]]
kind = "new_build_standard"
label = "Passive houses"
municipality = "oslo"
start_year = 2030
space_heat_kwh = 15

[[measure]]
kind = "incineration_ccs"
label = "CCS"
municipality = "bergen"
start_year = 2030

[[measure]]
kind = "green_roofs"
label = "Green roofs"
municipality = "oslo"
start_year = 2030
new_share = 0.3
"""


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    path = tmp_path_factory.mktemp("costs") / "costs-check.toml"
    path.write_text(PACKAGE)
    scenario = api.load_scenario(path)
    report = costs.evaluate(scenario)
    base, package, _ = costs.package_of(scenario)
    return report, {m.label: m for m in report.measures}, api.run_scenario(base), path


def _item(measure, name):
    return next(i for i in measure.items if i.name == name)


def test_package_is_what_the_file_adds_and_window_starts_with_it(checked):
    report, by_label, _, _ = checked
    assert [m.label for m in report.measures] == ["Free fares", "Passive houses", "CCS", "Green roofs"]
    assert (report.year_from, report.year_to, report.discount_rate) == (2030, 2050, 0.04)
    assert report.base == "current-policies.toml" and report.scenario == "costs-check.toml"
    assert all(m.abatement_source == "first-in" for m in report.measures)


def test_the_report_keeps_the_base_run_s_emissions(checked):
    """What the report of a package draws its base path from, instead of running the base again."""
    report, _, base, _ = checked
    assert report.base_totals.shape == (len(report.years), 1, 13)
    np.testing.assert_array_equal(report.base_totals, base.emission_totals())


def test_free_fares_lose_the_fare_revenue_and_gain_the_wedge(checked):
    """Land use and transport: fares to zero in Oslo. The public loses 15 NOK (transport.pt_fare, 2009
    NOK) on every trip it carried before; the riders' gain beyond that is 1/2 x 15 x the extra trips."""
    _, by_label, base, path = checked
    m = by_label["Free fares"]
    pt = dims.MODES.index("public_transport")
    q0 = base.record["trips"][T2035, 0, OSLO, pt]
    revenue = _item(m, "revenue").stream[T2035, 0]
    assert revenue == pytest.approx(15.0 * q0, rel=1e-9)                      # public's loss
    assert _item(m, "charges_paid").stream[T2035, 0] == pytest.approx(-15.0 * q0, rel=1e-9)
    run = api.run_scenario(costs.with_measure(costs.package_of(api.load_scenario(path))[0],
                                              api.load_scenario(path).own[0]))
    q1 = run.record["trips"][T2035, 0, :, pt]
    assert q1[OSLO] > 1.5 * q0                                                # fare elasticity -0.95: riders double
    others = base.record["trips"][T2035, 0, :, pt] - q1
    others[OSLO] = 0.0
    assert np.abs(others).max() == 0.0                                        # only Oslo's riders answer
    surplus = _item(m, "users_surplus").stream[T2035, 0]
    assert surplus == pytest.approx(0.5 * (15.0 + 0.0) * (q0 - q1[OSLO]), rel=1e-9)   # a gain (negative)
    assert _item(m, "tax_financing").stream[T2035, 0] == pytest.approx(0.2 * revenue)
    # fewer cars: the remaining car trips are faster (a gain, by the rule of half on their time cost)
    congestion = _item(m, "congestion_time").stream[T2035, 0]
    assert congestion < 0
    # social cost = the wedge gain + the time gain + tax financing of the lost revenue
    pv = lambda s: costs.present_value(s, dims.YEARS, 0.04, 2030, 2050)   # noqa: E731
    assert m.social[0] == pytest.approx(pv(_item(m, "users_surplus").stream + _item(m, "congestion_time").stream
                                           + 0.2 * _item(m, "revenue").stream)[0])
    assert m.public[0] == pytest.approx(pv(_item(m, "revenue").stream)[0])


def test_passive_house_standard_costs_its_extra_envelope_per_m2(checked):
    """Buildings and energy: 15 kWh/m2 from 2030 closes the whole gap to passive-house level, so each m2
    built costs 980 NOK (2016) = 980 / 1.025^7 = 824.44 real 2009 NOK, spread over 40 years at 4 % with
    the annuity factor 0.04 / (1 - 1.04^-40) / 1.04 = 0.048580."""
    _, by_label, base, path = checked
    m = by_label["Passive houses"]
    assert prices.to_real_2009(2016) * 980 == pytest.approx(824.44, abs=0.01)
    assert costing.annuity_factor(0.04, 40) == pytest.approx(0.048580, abs=1e-6)
    scenario = costs.with_measure(costs.package_of(api.load_scenario(path))[0],
                                  api.load_scenario(path).own[1])
    run = api.run_scenario(scenario)
    built = run.record["new_floor_area"][T2030, 0, OSLO].sum()                 # m2 in 2030, all types
    assert built > 1e5
    first = _item(m, "investment").stream[T2030, 0]
    assert first == pytest.approx(built * 824.44 * 0.048580, rel=1e-4)
    second = _item(m, "investment").stream[T2030 + 1, 0]
    built_next = run.record["new_floor_area"][T2030 + 1, 0, OSLO].sum()
    assert second == pytest.approx((built + built_next) * 824.44 * 0.048580, rel=1e-4)
    assert _item(m, "energy").stream[T2035, 0] < 0                            # less heat bought
    assert m.public[0] == 0.0 and m.nok_per_t[0] > 0


def test_ccs_costs_its_full_chain_per_tonne_captured(checked):
    """Consumption and waste: 90 % capture at Bergen's incinerator (Oslo's Klemetsrud captures in current
    policies). The captured fossil CO2 is 0.9 of the base's incineration CO2 and half of what is captured; at
    4 000 NOK (2019) = 3 155.5 real 2009 NOK per tonne captured, plus 20 % tax financing (the public pays), every
    fossil tonne costs 4 000 / 0.5 x 0.788876 x 1.2 = 7 573.2 NOK."""
    _, by_label, base, _ = checked
    m = by_label["CCS"]
    co2 = base.record["emissions_gas"][T2035, 0, dims.MUNICIPALITIES.index("bergen"),
                                       dims.SOURCES.index("waste_incineration"), dims.GASES.index("co2")]
    assert co2 > 1e4
    assert prices.to_real_2009(2019) == pytest.approx(0.788876, abs=1e-6)
    assert _item(m, "operation").stream[T2035, 0] == pytest.approx(0.9 * co2 / 0.5 * 4000 * 0.788876, rel=1e-5)
    assert m.abatement[T2035, 0] == pytest.approx(0.9 * co2, rel=1e-6)
    assert m.nok_per_t[0] == pytest.approx(7573.2, abs=0.1)
    # per undiscounted tonne: the same discounted cost over the tonnes as they fall (the window's abatement summed),
    # so below the cost per tonne
    report = checked[0]
    window = slice(report.year_from - dims.BASE_YEAR, report.year_to - dims.BASE_YEAR + 1)
    assert m.tonnes[0] == pytest.approx(m.abatement[window, 0].sum(), rel=1e-12)
    assert m.nok_per_t_undiscounted[0] == pytest.approx(m.social[0] / m.abatement[window, 0].sum(), rel=1e-12)
    assert m.nok_per_t_undiscounted[0] < 0.9 * m.nok_per_t[0]
    assert m.pays() is False                                                  # above the carbon price
    assert m.carbon_price["central"][0] == pytest.approx(2230 * prices.to_real_2009(2023), rel=1e-9)


def _outside(fig, artists, within=None) -> list:
    """The artists whose drawn box is not inside ``within`` (default: the figure's box)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    within = within or fig.bbox
    boxes = [(a, a.get_window_extent(renderer)) for a in artists]
    return [(a, b) for a, b in boxes if not (within.x0 - 0.5 <= b.x0 and b.x1 <= within.x1 + 0.5
                                             and within.y0 - 0.5 <= b.y0 and b.y1 <= within.y1 + 0.5)]


def test_the_mac_chart_shows_its_whole_cost_label_legend_and_tallest_bar(checked):
    """The cost axis of `framtid costs --plot` (and of the report's MAC curve) turns logarithmic here; its
    two-line label, the title, the legend below the chart and the tallest bar lie inside the picture, the bar
    inside the axes with room above it (the report's tallest bar was cut at the top)."""
    report = checked[0]
    fig = cost_tables.mac_chart(report)
    ax = fig.axes[0]
    assert ax.get_yscale() == "symlog" and ax.get_ylabel().startswith("NOK per t CO2e (real 2009, levelised)\n")
    tallest = max(ax.patches, key=lambda bar: bar.get_height())
    assert tallest.get_height() == pytest.approx(max(h for *_, h in report.mac()))
    assert not _outside(fig, [ax.yaxis.label, ax.title, fig.legends[0], tallest])
    assert not _outside(fig, [tallest], ax.bbox)
    assert ax.bbox.y1 - tallest.get_window_extent().y1 > 5                     # pixels of room above it


def test_the_mac_chart_makes_room_for_long_labels_and_the_draws_ranges(checked):
    """A long measure label widens the picture (one legend column) instead of running off its right edge;
    with draws, each bar's 5-95 % range line lies inside the axes too."""
    report = checked[0]
    long = ("Free fares on every bus, tram, metro, ferry and regional train in the whole municipality from 2030, "
            "paid by the municipality and the county")
    measures = [dataclasses.replace(m, label=long) if m.label == "Free fares" else m for m in report.measures]
    mac = report.mac()
    top = max(mac, key=lambda row: row[3])[0]
    high = 3 * top.central_nok_per_t()
    measures = [dataclasses.replace(m, nok_per_t=np.array([0.5, 1.0, high])) if m is top else m for m in measures]
    drawn = dataclasses.replace(report, measures=measures, draws=3)
    fig = cost_tables.mac_chart(drawn)
    ax, legend = fig.axes[0], fig.legends[0]
    assert any(text.get_text().startswith(long) for text in legend.get_texts())
    assert legend._ncols == 1 and fig.get_figwidth() > 10.0
    lines = ax.collections                                                      # the range lines, one per bar
    tops = [seg[:, 1].max() for line in lines for seg in line.get_segments()]
    assert len(lines) == len(report.mac()) and max(tops) == pytest.approx(np.percentile([0.5, 1.0, high], 95))
    assert not _outside(fig, [ax.yaxis.label, ax.title, legend])
    assert not _outside(fig, lines, ax.bbox)


def test_adaptation_is_declared_not_costed(checked):
    report, by_label, _, _ = checked
    m = by_label["Green roofs"]
    assert not m.costed and m.items == [] and "no emission" in m.reason
    assert np.isnan(m.nok_per_t).all() and m.tonnes[0] == pytest.approx(0.0, abs=1e-6)
    curve = report.mac()
    assert sorted(x.label for x, *_ in curve) == ["CCS", "Free fares", "Passive houses"]
    assert [h for *_, h in curve] == sorted(h for *_, h in curve)
    assert curve[0][1] == 0.0 and curve[1][1] == pytest.approx(curve[0][2])


def test_abatement_can_be_passed_in(tmp_path):
    path = tmp_path / "gas.toml"
    path.write_text('[scenario]\nname = "gas"\nextends = "framtid:current-policies"\n\n[[measure]]\n'
                    'kind = "landfill_gas_capture"\nlabel = "Gas"\nmunicipality = "bergen"\nstart_year = 2030\n')
    scenario = api.load_scenario(path)
    given = np.where(np.asarray(dims.YEARS) >= 2030, 1000.0, 0.0)
    report = costs.evaluate(scenario, discount_rate=0.0, abatement={"Gas": given})
    m = report.measures[0]
    assert m.abatement_source == "given" and m.tonnes[0] == 21 * 1000.0
    assert m.nok_per_t[0] == pytest.approx(m.social[0] / 21000.0)
    with pytest.raises(UsageError, match="'Nope'.*labels: Gas"):
        costs.evaluate(scenario, abatement={"Nope": given})


def test_bad_windows_and_rates_are_refused_before_any_run(checked):
    scenario = api.load_scenario(checked[3])
    with pytest.raises(UsageError, match="--year-from: must lie in 2010-2050"):
        costs.evaluate(scenario, year_from=2005)
    with pytest.raises(UsageError, match="--year-from 2045 is after --year-to 2040"):
        costs.evaluate(scenario, year_from=2045, year_to=2040)
    with pytest.raises(UsageError, match="--discount-rate"):
        costs.evaluate(scenario, discount_rate=4.0)
    with pytest.raises(UsageError, match="adds no measures"):
        costs.evaluate(api.load_scenario(REPO / "scenarios" / "reference.toml"))


# ---------------------------------------------------------------- the command

GAS = ('[scenario]\nname = "gas"\nextends = "framtid:current-policies"\n\n[[measure]]\nkind = "landfill_gas_capture"\n'
       'label = "Gas"\nmunicipality = "*"\nstart_year = 2027\n\n[[measure]]\nkind = "recycling_target"\n'
       'label = "Recycling"\nmunicipality = "*"\nstart_year = 2027\n')


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_costs_command_prints_the_mac_table_and_writes_the_chart(tmp_path):
    scenario = tmp_path / "gas.toml"
    scenario.write_text(GAS)
    png = tmp_path / "mac.png"
    res = invoke("costs", scenario, "--format", "json", "--plot", png, "--discount-rate", "0.03")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [r["measure"] for r in data["measures"]] == ["Gas", "Recycling"]      # cheapest first
    assert data["measures"][0]["discount_rate"] == 0.03 and data["measures"][0]["pays"] == "yes"
    assert {r["item"] for r in data["items"]} == {"operation", "treatment", "collection"}
    assert data["carbon_price"][0]["year"] == 2027
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {png}" in res.stderr
    from PIL import Image   # the chart records what it was computed from in its text chunks

    source = Image.open(png).info["Source"]
    digest = hashlib.sha256(GAS.encode("utf-8")).hexdigest()
    assert f"scenario files: gas.toml sha256:{digest}; " in source and "discount rate: 0.03" in source
    assert Image.open(png).info["Software"].startswith("framtid ")
    again = invoke("costs", scenario, "--plot", png)
    assert again.exit_code == 2 and "exists already" in again.output and "--force" in again.output
    forced = invoke("costs", scenario, "--plot", png, "--force", "--year-to", "2035")
    assert forced.exit_code == 0 and "2027-2035" in forced.stdout and f"wrote {png}" in forced.stdout
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temporary file left


@pytest.mark.parametrize("args, words", [
    (("--discount-rate", "abc"), "'abc' is not a valid float"),
    (("--discount-rate", "2"), "--discount-rate: must be a real rate"),
    (("--year-from", "2060"), "--year-from: must lie in 2010-2050"),
    (("--plot", "mac.pdf"), "--plot mac.pdf: the chart is a PNG"),
])
def test_costs_command_refuses_bad_options_with_exit_code_2(tmp_path, args, words):
    scenario = tmp_path / "gas.toml"
    scenario.write_text(GAS)
    res = invoke("costs", scenario, *args)
    assert res.exit_code == 2 and words in res.output and "Traceback" not in res.output
    assert not (tmp_path / "mac.pdf").exists()


# ---------------------------------------------------------------- over sampled draws

def test_costs_over_draws_are_paired_differences_with_ranges(tmp_path):
    scenario = tmp_path / "gas.toml"
    scenario.write_text(GAS)
    loaded = api.load_scenario(scenario)
    report = costs.evaluate(loaded, draws=4, seed=3)
    assert report.draws == 4 and report.sampler == "lhs"
    gas = next(m for m in report.measures if m.label == "Gas")
    assert gas.abatement.shape == (len(dims.YEARS), 4) and gas.nok_per_t.shape == (4,)
    assert np.ptp(gas.tonnes) > 0 and np.ptp(gas.social) > 0        # the draws differ, costs included
    # Draw by draw, the abatement is the base's emissions less the run's, in the same draws of both.
    base, package, _ = costs.package_of(loaded)
    ensemble = [api.run_scenario(s, 3, 4, "lhs").emission_totals().sum(-1)
                for s in (base, costs.with_measure(base, package[0], package))]
    np.testing.assert_allclose(gas.abatement, ensemble[0] - ensemble[1], rtol=1e-12, atol=1e-9)
    # The central NOK/t is the mean cost over the mean discounted tonnes; pays_share counts the draws.
    assert gas.central_nok_per_t() == pytest.approx(np.mean(gas.social) / np.mean(gas.tonnes_discounted))
    paying = np.mean(gas.nok_per_t <= gas.carbon_price["central"])
    assert gas.pays_share() == pytest.approx(paying)
    # A range of NOK/t only where the measure abates in every draw: gas capture abates nothing in a draw
    # whose base already captures as much (seed 3, draw 0), recycling abates in all four.
    assert not gas.tonnes[0] > 0 and np.isnan(cost_tables.nok_per_t_range(gas)).all()
    recycling = next(m for m in report.measures if m.label == "Recycling")
    low, high = cost_tables.nok_per_t_range(recycling)
    assert low == pytest.approx(np.percentile(recycling.nok_per_t, 5)) and low <= high


def test_costs_command_over_draws_shows_ranges_and_the_share_that_pays(tmp_path):
    scenario = tmp_path / "gas.toml"
    scenario.write_text(GAS)
    res = invoke("costs", scenario, "--draws", "3", "--seed", "1", "--format", "json")
    assert res.exit_code == 0, res.output
    row = json.loads(res.stdout)["measures"][0]
    assert row["draws"] == 3 and row["pays"] in ("yes", "no") and 0.0 <= row["pays_share"] <= 1.0
    assert row["abatement_kt_p05"] <= row["abatement_kt"] <= row["abatement_kt_p95"]
    table = invoke("costs", scenario, "--draws", "3")
    assert table.exit_code == 0 and "Over 3 sampled parameter draws" in table.stdout
    assert re.search(r"\s\d{1,3}%\s", table.stdout)                     # pays: the share of draws
    assert any("(" in line and "–" in line for line in table.stdout.splitlines())   # a range cell
    bad = invoke("costs", scenario, "--sampler", "random")
    assert bad.exit_code == 2 and "--sampler: only with --draws N" in bad.output


# ---------------------------------------------------------------- adaptive measures

def test_zero_emission_buses_cost_within_their_klimakur_class(tmp_path):
    """Every new bus zero-emission from 2027 in the 13: the premium (an assumption) and the energy saved at resource
    prices give a cost per tonne within KiN 2025 T11's class, at most 500 NOK/t (observations.csv; 2019 NOK taken,
    here in real 2009 NOK), which bounds the premium; the buses cost more to buy and save energy."""
    from framtid.model.prices import to_real_2009

    path = tmp_path / "e-buses.toml"
    path.write_text('[scenario]\nname = "e-buses"\nextends = "framtid:current-policies"\n\n[[measure]]\n'
                    'kind = "zero_emission_buses"\nlabel = "E-buses"\nmunicipality = "*"\nstart_year = 2027\n'
                    'share = 1.0\n')
    m, = costs.evaluate(api.load_scenario(path)).measures
    assert m.tonnes[0] > 0 and float(m.nok_per_t[0]) <= 500.0 * to_real_2009(2019)
    assert _item(m, "vehicles").pv[0] > 0 > _item(m, "energy").pv[0]
    # its energy rests on the diesel and the blended biofuel it saves (electricity's price is a path, no
    # parameter), not on the prices of heating fuels
    assert _item(m, "energy").parameters == ("transport.energy_content.diesel", "cost.energy.biofuel_premium")


def test_adoption_note_says_where_and_from_when_by_hand():
    nan = np.nan
    assert cost_tables.adoption_note(np.array([[nan]])) == "never adopted"
    assert cost_tables.adoption_note(np.array([[2031.0]])) == "adopted 2031"
    assert cost_tables.adoption_note(np.array([[nan, 2033.0, 2029.0]])) == "adopted in 2/3 from 2029"
    # over draws: municipalities adopting in any draw, and the share of draws adopting anywhere
    years = np.array([[nan, nan], [2030.0, nan], [nan, 2035.0], [nan, nan]])
    assert cost_tables.adoption_note(years) == "adopted in 2/2 from 2030, in 50% of draws"


def test_adaptive_measures_are_costed_as_their_rule_adopts_them():
    report = costs.evaluate(api.load_scenario("framtid:restrictive-adaptive"))
    notes = {m.label: cost_tables.measure_note(m) for m in report.measures}
    for m in report.measures:
        assert m.adopted is not None and m.adopted.shape == (1, len(m.municipalities))
        if np.isfinite(m.adopted).any():          # adopted: from its start year on, at the earliest
            start = min(x.start_year for x in api.load_scenario("framtid:restrictive-adaptive").own
                        if x.label == m.label)
            assert np.nanmin(m.adopted) >= start and notes[m.label].startswith("adopted")
        else:                                     # never adopted: no abatement, and the note says why
            assert notes[m.label].startswith("never adopted") and np.all(m.tonnes == 0)
    assert any(n.startswith("never adopted") for n in notes.values())
    assert "adaptive measures run with their adoption rule" in cost_tables.tables(report, "table")[0][1]


def test_costs_take_from_and_to_as_the_other_commands_do(tmp_path):
    scenario = tmp_path / "gas.toml"
    scenario.write_text(GAS)
    short = invoke("costs", scenario, "--from", "2030", "--to", "2040", "--format", "csv")
    long = invoke("costs", scenario, "--year-from", "2030", "--year-to", "2040", "--format", "csv")
    assert short.exit_code == 0 and short.stdout == long.stdout and ",2030,2040" in short.stdout


CHAIN_MIDDLE = scenario("middle", "framtid:current-policies", PARKING_60, BIOGAS)
BERGEN_FEE = parking_fee("parking Bergen 40", "bergen", 2022, "{ A = 40 }")
CHAIN_TOP = scenario("top", "middle", BERGEN_FEE)


def test_a_chain_is_costed_by_kind_each_kind_first_in_as_one(tmp_path):
    (tmp_path / "middle.toml").write_text(CHAIN_MIDDLE)
    (tmp_path / "top.toml").write_text(CHAIN_TOP)
    top = api.load_scenario(tmp_path / "top.toml")
    by_kind = costs.evaluate(top, base="current-policies", by="kind")
    one_by_one = costs.evaluate(top, base="current-policies")
    assert by_kind.base == "current-policies.toml" and by_kind.year_from == 2020
    assert [(m.label, m.municipalities) for m in by_kind.measures] == [
        ("parking_fee (2 measures)", ("oslo", "bergen")), ("bus_biogas (1 measure)", ("oslo",))]
    assert [m.label for m in one_by_one.measures] == ["parking 60", "biogas", "parking Bergen 40"]
    # The parking kind first-in: both fees on current-policies, as a file with both would run them.
    both = tmp_path / "fees.toml"
    both.write_text(scenario("fees", "framtid:current-policies", PARKING_60, BERGEN_FEE))
    base_run = api.run_scenario(api.load_scenario("framtid:current-policies")).emission_totals()
    fees_run = api.run_scenario(api.load_scenario(both)).emission_totals()
    np.testing.assert_allclose(by_kind.measures[0].abatement, (base_run - fees_run).sum(-1), rtol=1e-9, atol=1e-6)
    # A kind of one measure is that measure costed alone.
    biogas = {m.kind: m for m in by_kind.measures}["bus_biogas"]
    alone = {m.label: m for m in one_by_one.measures}["biogas"]
    np.testing.assert_allclose(biogas.social, alone.social, rtol=1e-12)
    np.testing.assert_allclose(biogas.tonnes, alone.tonnes, rtol=1e-12)
    with pytest.raises(UsageError, match=r"^--by: area mixes measure kinds"):
        costs.evaluate(top, base="current-policies", by="area")
    with pytest.raises(UsageError, match=r"^--by: 'sector'; allowed: measure, kind$"):
        costs.evaluate(top, by="sector")
    res = CliRunner().invoke(main, ["costs", str(tmp_path / "top.toml"), "--base", "restrictive"])
    assert res.exit_code == 2 and res.output.startswith("framtid: --base: 'restrictive' is not a scenario that 'top' "
                                                        "extends; allowed: middle, current-policies")




def _first_in_runs(scenario: str, label: str):
    loaded = api.load_scenario(scenario)
    base, package, _ = costs.package_of(loaded)
    [measure] = [m for m in package if m.label == label]
    base_run, run = api.run_scenario(base), api.run_scenario(costs.with_measure(base, measure, package))
    streams = costs.item_streams(measure.kind, costing.RunView.of(base_run), costing.RunView.of(run), 0.04)
    return loaded, base_run, run, streams


def test_a_scheme_charging_other_cordons_costs_its_users_a_loss_not_a_gain():
    """Oslo's system of 2019 replaced the inbound ring of 1990 with three cordons charged both ways. On the owner's
    charged passages at its revenue per passage, the rule of half counted the passages it began to charge as
    passages gained, a gain to the users of some 41 billion NOK; on each cordon's line at its own toll (0 where it
    does not charge: the new cordon in the base) it is a loss."""
    from framtid.model import cordons

    loaded, base_run, run, streams = _first_in_runs("framtid:current-policies-tolls",
                                                    "oslo_ring_2019 tolls from 2019-06-01")
    k = 2022 - dims.BASE_YEAR
    assert streams["users_surplus"][k, 0, dims.MUNICIPALITIES.index("oslo")] > 0.0
    with cordons.using(loaded.cordons):
        new_ring = cordons.cordon_ids().index("oslo_ring_2019")
    price = base_run.cordon_record["cordon_price"][k, 0, new_ring], run.cordon_record["cordon_price"][k, 0, new_ring]
    assert price[0].max() == 0.0 < price[1].min()


def test_the_users_loss_of_a_toll_by_hand_cordon_by_cordon_less_the_hour_rules_waivers():
    # Rush-hour rates on the Indre ring, which shares an hour rule with Osloringen: 1/2 (P0 + P1) (L0 - L1) over
    # Oslo's cordons and the periods, less the same over the passages the rule waives at their cheaper toll.
    from framtid.model import cordons

    loaded, base_run, run, streams = _first_in_runs(str(REPO / "scenarios" / "congestion-oslo-rush-hour.toml"),
                                                    "oslo_inner_ring rush-hour from 2027")
    k, oslo = 2030 - dims.BASE_YEAR, dims.MUNICIPALITIES.index("oslo")
    with cordons.using(loaded.cordons):
        ids = cordons.cordon_ids()
        own = [i for i, c in enumerate(ids) if cordons.owner_of(c) == "oslo"]
        pairs = cordons.hour_rule_pairs(cordons.cordons())
    oslo_pairs = [g for g, (a, _) in enumerate(pairs) if a in own]
    assert oslo_pairs and run.cordon_record["waived_passages"][k, 0, oslo_pairs].sum() > 0.0

    def half(prices, units, index):
        p0, p1 = base_run.cordon_record[prices][k, 0, index], run.cordon_record[prices][k, 0, index]
        q0 = (base_run.record | base_run.cordon_record)[units][k, 0, index]
        q1 = (run.record | run.cordon_record)[units][k, 0, index]
        return float((0.5 * (p0 + p1) * (q0 - q1)).sum() * 365.0)

    by_hand = half("cordon_price", "cordon_passages", own) - half("waived_price", "waived_passages", oslo_pairs)
    assert streams["users_surplus"][k, 0, oslo] == pytest.approx(by_hand, rel=1e-9)
    assert 0.0 < by_hand < half("cordon_price", "cordon_passages", own)


def _switch_and_connections(label: str, access: int) -> str:
    """Two district-heating measures from 2030: ``label`` in Oslo, a fuel switch with connections ``access``, and
    "Connections" in Bergen (access 2, no switch)."""
    return f"""
[[measure]]
kind = "district_heating_expansion"
label = "{label}"
municipality = "oslo"
start_year = 2030
access = {access}
fossil_fuel_replaced = 1.0

[[measure]]
kind = "district_heating_expansion"
label = "Connections"
municipality = "bergen"
start_year = 2030
access = 2
"""


def test_a_measure_abating_partly_through_what_its_items_leave_out_gets_no_cost_per_tonne(tmp_path):
    """District heating with new connections and a fuel switch: the connections are costed, the switch is not
    (its cost is a GAP), and its abatement is most of the measure's. Its NOK/t divided the connections' costs by
    the switch's tonnes (5 659 NOK/t in buildings-energy, where the connections alone add emissions). It is
    "partly costed": costs shown, no NOK/t, no verdict, not on the MAC curve; the connections alone keep theirs."""
    kind = KINDS["district_heating_expansion"].costs
    assert kind.partly_costed_because({"access": 2.0, "fossil_fuel_replaced": 0.5}).startswith("the fuel switch")
    assert kind.partly_costed_because({"access": 2.0, "fossil_fuel_replaced": None}) is None
    assert kind.partly_costed_because({"access": 1.0, "fossil_fuel_replaced": 0.5}) is None   # not costed at all
    path = tmp_path / "switch.toml"
    path.write_text(scenario("switch", "framtid:current-policies", _switch_and_connections("Both", 2)))
    report = costs.evaluate(api.load_scenario(path))
    by_label = {m.label: m for m in report.measures}
    both, connections = by_label["Both"], by_label["Connections"]
    assert both.costed and both.tonnes[0] > 0 and both.social[0] > 0
    assert np.isnan(both.nok_per_t).all() and np.isnan(both.central_nok_per_t()) and both.pays() is None
    assert np.isnan(both.pays_share())
    assert cost_tables.measure_note(both).startswith("partly costed: the fuel switch (fossil_fuel_replaced)")
    # the connections alone add emissions (more district heat at the 2009 mix): costed, with that note
    assert connections.partly == "" and cost_tables.measure_note(connections) == "adds emissions"
    assert report.mac() == []


def test_a_kind_some_of_whose_measures_are_not_costed_is_partly_costed_by_kind(tmp_path):
    """By kind, a fuel switch with connections unchanged (not costed) and connections elsewhere (costed) are one
    group: its costs are the connections', its abatement mostly the switch's. It showed a NOK/t and "pays"."""
    path = tmp_path / "mix.toml"
    path.write_text(scenario("mix", "framtid:current-policies", _switch_and_connections("Switch", 1)))
    (group,) = costs.evaluate(api.load_scenario(path), by="kind").measures
    assert group.costed and group.tonnes[0] > 0 and group.social[0] > 0
    assert group.partly == "1 of its 2 measures not costed, so no NOK/t"
    assert np.isnan(group.nok_per_t).all() and group.pays() is None
    assert cost_tables.measure_note(group).startswith("partly costed: 1 of its 2 measures not costed")


def test_a_wood_stove_renewal_from_2009_is_costed(tmp_path):
    """2009 runs under the 2009 policies: a renewal of 2009 replaces its stoves in 2010, and buys them then (its
    path already held its value in 2009, so no rise was counted and it came out at 0 NOK/t, "pays")."""
    path = tmp_path / "ws.toml"
    path.write_text(scenario("ws", "framtid:current-policies", """
[[measure]]
kind = "wood_stove_renewal"
municipality = "porsgrunn"
start_year = 2009
old_replaced = 0.5
"""))
    (m,) = costs.evaluate(api.load_scenario(path)).measures
    assert m.tonnes[0] > 0 and m.social[0] > 0 and m.nok_per_t[0] > 0


def test_a_measure_acting_only_through_what_its_items_leave_out_is_not_costed_rather_than_free(tmp_path):
    """A district-heat fuel switch with connections unchanged (access = 1) has no cost item that moves: it was
    shown at 0 NOK/t, "pays". It is "not costed", with the reason; with new connections it is costed. A kind's
    caveat stands beside its cost (a fare cut carries its new riders at no cost)."""
    kind = KINDS["district_heating_expansion"].costs
    assert kind.not_costed_because({"access": 1.0, "fossil_fuel_replaced": 0.5}).startswith("a fuel switch")
    assert kind.not_costed_because({"access": 2.0, "fossil_fuel_replaced": 0.5}) is None
    assert KINDS["green_roofs"].costs.not_costed_because({}) == KINDS["green_roofs"].costs.reason
    path = tmp_path / "switch.toml"
    path.write_text(scenario("switch", "framtid:current-policies", """
[[measure]]
kind = "district_heating_expansion"
label = "Fuel switch"
municipality = "oslo"
start_year = 2030
access = 1
fossil_fuel_replaced = 1.0

[[measure]]
kind = "pt_fare"
label = "Fare cut"
municipality = "oslo"
start_year = 2030
change = -0.3
"""))
    by_label = {m.label: m for m in costs.evaluate(api.load_scenario(path)).measures}
    switch, fares = by_label["Fuel switch"], by_label["Fare cut"]
    assert switch.tonnes[0] > 0 and not switch.costed and switch.items == []
    assert np.isnan(switch.nok_per_t).all() and "Klimakur" in switch.reason
    assert cost_tables.measure_note(switch) == "not costed"
    assert fares.costed and cost_tables.measure_note(fares) == "new riders carried at no cost"


def test_years_before_every_measure_starts_are_appraised_with_a_warning(tmp_path):
    """--to before the package's measures start: every figure is 0, and the command says why."""
    package = tmp_path / "later.toml"
    package.write_text('[scenario]\nname = "later"\nextends = "framtid:reference"\n\n[[measure]]\nkind = "pt_fare"\n'
                       'label = "Cheaper fares"\nmunicipality = "oslo"\nstart_year = 2027\nchange = -0.2\n')
    res = CliRunner().invoke(main, ["costs", str(package), "--from", "2020", "--to", "2026"])
    assert res.exit_code == 0, res.output
    assert "warning: --to 2026: the package's measures start in 2027 or later" in res.stderr


def test_heating_installations_by_hand():
    """max(A(t) - A(t-1) + A(t-1) / life, 0): an oil area of 100 m2 steady over a life of 20 years is bought again
    at 5 m2 a year; scrapped to 40 m2 it is not bought at all while its successor's 60 m2 are."""
    from framtid.model.measures.costs_buildings import installed

    oil = np.array([100.0, 100.0, 40.0, 40.0])[:, None]
    heat_pump = np.array([0.0, 0.0, 60.0, 60.0])[:, None]
    np.testing.assert_allclose(installed(oil, 20.0)[:, 0], [0.0, 5.0, 0.0, 2.0])
    np.testing.assert_allclose(installed(heat_pump, 15.0)[:, 0], [0.0, 0.0, 60.0, 4.0])


def test_an_oil_boiler_scrapped_early_is_a_cost_not_a_saving(tmp_path):
    """A ban that replaces oil boilers by other systems years before their end of life buys those early while the
    scrapped boilers' capital is spent: the heating systems' item is a cost (valued as the annuity of the area in
    place, it had shown the ban of current-policies saving 156 MNOK against the reference)."""
    ban = ('# The oil-heating ban of 2020 in Oslo (assumption: a test).\n[[measure]]\nkind = "oil_heating_ban"\n'
           'label = "ban"\nmunicipality = "oslo"\nstart_year = 2020\ncompliance = 0.95\n')
    path = tmp_path / "ban.toml"
    path.write_text(scenario("ban", "framtid:reference", ban), encoding="utf-8")
    (cost,) = costs.evaluate(api.load_scenario(path)).measures
    item = {i.name: float(i.pv[0]) for i in cost.items}
    assert item["heating_systems"] > 0.0


def test_the_gas_buses_costed_are_the_recorded_share_of_the_buses_by_hand():
    """Gas buses = the run's share of the bus km on biogas x buses (bus vkm / 50 000 km a year), each at the
    300 000 NOK (2019) premium annuitised over a bus's mean life, 12.3 Gamma(4/3) = 10.98 years at 4 %."""
    from framtid.model.measures.costs_transport import gas_bus_capital_cost

    params = parameters.Params.defaults(1)
    m, bus = len(dims.MUNICIPALITIES), dims.VEHICLE_CLASSES.index("bus")
    vkm = np.zeros((2, 1, m, len(dims.VEHICLE_CLASSES)))
    vkm[:, 0, :, bus] = 5_000_000.0                                                  # 100 buses everywhere
    share = np.zeros((2, 1, m))
    share[1, 0, 0], share[1, 0, 1] = 0.2, 1.0
    view = costing.RunView({"vkm": vkm, "bus_biogas_vkm_share": share}, {}, params, None, None, np.array([2009, 2010]))
    life = 12.3 * 0.8929795
    per_bus = 300_000.0 * prices.to_real_2009(2019) * 0.04 / (1.0 - 1.04 ** -life) / 1.04
    cost = gas_bus_capital_cost(view, 0.04)
    assert cost[1, 0, 0] == pytest.approx(20 * per_bus, rel=1e-6) and cost[1, 0, 1] == pytest.approx(100 * per_bus,
                                                                                                    rel=1e-6)
    assert np.all(cost[0] == 0.0) and np.all(cost[1, 0, 2:] == 0.0)
