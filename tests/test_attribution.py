"""Attribution of a package's effect to its measures (Shapley values, first-in, last-in)."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from framtid.cli.main import main
from framtid.model import api, dims
from framtid.model.errors import ScenarioError, UsageError
from framtid.model.parameters import Params
from framtid.model.evaluation import attribution as at
from framtid.model.evaluation import attribution_tables as tables
from framtid.model.evaluation import costs
from framtid.model.evaluation.players import players
from framtid.model.scenario import load
from framtid.model.scenario_inheritance import compose
from framtid.model.simulation import run_variants
from package_texts import BIOGAS, PARKING_60, TOLLS_X2, parking_fee, scenario

REPO = Path(__file__).resolve().parents[1]

# A test package: a charge on Oslo's cordons and a central parking fee (they cut the same car trips, so together
# they cut less than their sum), and biogas buses (assumption: test values).
PACKAGE = scenario("pair", "framtid:current-policies", TOLLS_X2, PARKING_60, BIOGAS)


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    path = tmp_path_factory.mktemp("attr") / "pair.toml"
    path.write_text(PACKAGE)
    return path


@pytest.fixture(scope="module")
def result(package):
    return at.attribute(package, year=2030)


# -- the arithmetic by hand ---------------------------------------------------------------------------------

def test_two_measures_with_an_interaction_by_hand():
    # v({}) = 0, v(A) = -10, v(B) = -6, v(AB) = -12: together they cut 4 less than apart.
    v = np.array([0.0, -10.0, -6.0, -12.0])                 # subsets {}, {A}, {B}, {A, B}
    np.testing.assert_allclose(at.shapley_exact(v), [-8.0, -4.0])   # (-10 + (-12 + 6)) / 2, (-6 + (-12 + 10)) / 2
    np.testing.assert_allclose(at.first_in(v), [-10.0, -6.0])
    np.testing.assert_allclose(at.last_in(v), [-6.0, -2.0])


def test_shapley_weights_credit_an_additive_game_with_each_measure_alone():
    effects = np.array([-3.0, -5.0, 2.0, -1.0])
    masks = at.subset_masks(4)
    v = masks.astype(float) @ effects
    np.testing.assert_allclose(at.shapley_exact(v), effects, atol=1e-12)
    np.testing.assert_allclose(at.shapley_weights(4).sum(axis=1), 0.0, atol=1e-12)   # each phi is a difference


def test_every_order_sampled_equals_the_exact_values():
    rng = np.random.default_rng(1)
    v = rng.normal(size=(8, 2))                                 # 3 measures, a vector value per subset
    v[0] = 0.0
    orders = np.array(list(itertools.permutations(range(3))))
    phi, se = at.shapley_sampled({b: v[b] for b in range(8)}, orders)
    np.testing.assert_allclose(phi, at.shapley_exact(v), atol=1e-12)
    assert se.shape == phi.shape
    np.testing.assert_array_equal(at.order_subsets(orders), np.arange(8))


# -- on a run ------------------------------------------------------------------------------------------------

def test_batched_subsets_equal_separate_runs(package):
    scenario = load(package)
    subsets = [(), scenario.own[:1], scenario.own[1:], scenario.own]
    variants = [compose(scenario.inherited, s) for s in subsets]
    batch = run_variants(scenario, variants)
    for v, measures in enumerate(variants):
        single = api.run_scenario(dataclasses.replace(scenario, measures=measures))
        for name in single.record:
            np.testing.assert_allclose(batch.record[name][:, v], single.record[name][:, 0], rtol=1e-12, atol=1e-9,
                                       err_msg=name)


def test_shapley_values_sum_to_the_package_effect_and_match_hand_values(package, result):
    np.testing.assert_allclose(result.shapley.sum(axis=0), result.total, rtol=1e-9, atol=1e-6)
    # the yearly wedges sum to the yearly effect, and agree with the year's values
    np.testing.assert_allclose(result.yearly.sum(axis=0), result.yearly_total, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(result.yearly[:, 2030 - dims.BASE_YEAR], result.shapley[:, 0].sum(axis=-1),
                               rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(result.yearly[:, :2020 - dims.BASE_YEAR], 0.0, atol=1e-9)
    # by hand for the two car measures, from four separate runs of Oslo in 2030
    scenario = load(package)
    k, oslo = 2030 - dims.BASE_YEAR, dims.MUNICIPALITIES.index("oslo")

    def total(measures):
        return api.run_scenario(dataclasses.replace(scenario, measures=compose(scenario.inherited, measures))) \
            .emission_totals()[k, 0, oslo]

    toll, parking, biogas = scenario.own
    v0, va, vb, vab = total(()), total((toll,)), total((parking,)), total((toll, parking))
    assert vab - v0 > (va - v0) + (vb - v0)            # together they cut less than apart
    full = total((toll, parking, biogas))
    vc, vac, vbc = total((biogas,)), total((toll, biogas)), total((parking, biogas))
    # three players: phi_A = 1/3 [A] + 1/6 [AB - B] + 1/6 [AC - C] + 1/3 [ABC - BC]
    phi_toll = ((va - v0) / 3 + (vab - vb) / 6 + (vac - vc) / 6 + (full - vbc) / 3)
    np.testing.assert_allclose(result.shapley[0, 0, oslo].sum(), phi_toll, rtol=1e-9)
    np.testing.assert_allclose(result.first_in[1, 0, oslo].sum(), vb - v0, rtol=1e-9)
    np.testing.assert_allclose(result.last_in[2, 0, oslo].sum(), full - vab, rtol=1e-9)
    # last in, the tolls cut less than first in: the parking fee has taken some of their car trips
    np.testing.assert_allclose(result.last_in[0, 0, oslo].sum(), full - vbc, rtol=1e-9)
    assert abs(full - vbc) < abs(va - v0)
    assert result.interaction[0, oslo].sum() > 0          # overlap of the two car measures
    # nothing outside Oslo's commuting region moves
    bergen = dims.MUNICIPALITIES.index("bergen")
    np.testing.assert_allclose(result.shapley[:, :, bergen], 0.0, atol=1e-6)


def test_sampled_orders_sum_exactly_and_approach_the_exact_values(package, result):
    sampled = at.attribute(package, year=2030, permutations=30, max_exact=2, seed=3)
    assert not sampled.exact and sampled.standard_error is not None
    np.testing.assert_allclose(sampled.shapley.sum(axis=0), sampled.total, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(sampled.total, result.total, rtol=1e-12, atol=1e-6)
    err = np.abs(sampled.shapley - result.shapley)
    assert (err <= 4 * sampled.standard_error + 1e-6).all()


# A fee raised later: the second measure replaces the first (assumption: test values).
REPLACING = scenario("raised", "framtid:reference", parking_fee("fee 60", "oslo", 2015, "{ A = 60 }"),
                     parking_fee("fee 90", "oslo", 2025, "{ A = 90 }", replaces="fee 60"))
# The raised fee written without the fee it replaces.
ALONE = scenario("alone", "framtid:reference", parking_fee("fee 90", "oslo", 2025, "{ A = 90 }"))


def test_a_measure_replacing_another_of_the_package_acts_alone_in_the_subsets_without_it(tmp_path):
    path = tmp_path / "raised.toml"
    path.write_text(REPLACING)
    alone = tmp_path / "alone.toml"
    alone.write_text(ALONE)
    result = at.attribute(path, year=2030)
    assert result.exact and [label for _, label in result.measures] == ["fee 60", "fee 90"]
    assert [m.label for m in costs.evaluate(load(path)).measures] == ["fee 60", "fee 90"]   # each first in
    scenario = load(path)
    [variant] = [compose(scenario.inherited, scenario.own[1:], package=scenario.own)]
    single = api.run_scenario(dataclasses.replace(scenario, measures=variant)).emission_totals()
    np.testing.assert_array_equal(single, api.run_scenario(load(alone)).emission_totals())
    with pytest.raises(ScenarioError, match="no earlier measure is labelled 'fee 60'"):
        compose(scenario.inherited, scenario.own[1:])      # outside a package's variants it is still an error


def test_packages_that_cannot_be_attributed_say_why(tmp_path):
    with pytest.raises(UsageError, match="adds no measures"):
        at.attribute("framtid:reference")
    with pytest.raises(UsageError, match="adaptive measures cannot be attributed"):
        at.attribute(REPO / "scenarios" / "restrictive-adaptive.toml")
    with pytest.raises(UsageError, match=r"^--year: must be from 2010 to 2050 \(got 2009\)$"):
        at.attribute(REPO / "scenarios" / "restrictive.toml", year=2009)
    # a --year before the package starts names --year, not a --from the user did not give
    with pytest.raises(UsageError, match=r"^--year: 2020 is before the package's first measure starts \(2027\); "):
        at.attribute(REPO / "scenarios" / "restrictive.toml", year=2020)
    with pytest.raises(UsageError, match=r"^--from: the cumulative span must start after 2009 and not after --year "
                                         r"2030 \(got 2031\)$"):
        at.attribute(REPO / "scenarios" / "restrictive.toml", year=2030, span_from=2031)


def test_the_command_prints_json_blocks_per_municipality(package):
    runner = CliRunner()
    res = runner.invoke(main, ["attribute", str(package), "--format", "json", "--municipality", "oslo"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    block = out["municipalities"]["oslo"]
    assert set(out["municipalities"]) == {"oslo"}
    assert [m["label"] for m in block["measures"]] == ["tolls x2", "parking 60", "biogas"]
    assert all({"kind", "label", "shapley"} <= set(m) for m in block["measures"])
    assert abs(sum(m["shapley"] for m in block["measures"]) - block["total"]) < 0.01
    table = runner.invoke(main, ["attribute", str(package), "--year", "2025"])
    assert table.exit_code == 0 and "all 13" in table.output and "(interaction)" in table.output

    bad = runner.invoke(main, ["attribute", str(package), "--municipality", "narvik"])
    assert bad.exit_code == 2 and "unknown id" in bad.output


# -- over sampled draws of the parameters ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def drawn(package):
    return at.attribute(package, year=2030, draws=4, seed=2)


def test_each_draw_is_attributed_with_its_own_parameters_and_adds_up(package, drawn):
    n = len(drawn.measures)
    assert drawn.draws == 4 and drawn.shapley_draws.shape[:2] == (n, 4) and drawn.n_runs == 2 ** n * 4
    # In every draw the measures' values add up to the package's effect, and the means do as well.
    np.testing.assert_allclose(drawn.shapley_draws.sum(axis=0), drawn.total_draws, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(drawn.shapley, drawn.shapley_draws.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(drawn.shapley.sum(axis=0), drawn.total, rtol=1e-9, atol=1e-6)
    # The draws differ (the parameters are sampled) ...
    oslo = dims.MUNICIPALITIES.index("oslo")
    package_cut = drawn.total_draws[:, 0, oslo].sum(axis=-1)
    assert np.ptp(package_cut) > 0.05 * abs(package_cut.mean())
    # ... and draw 3 is the exact attribution at draw 3's parameters alone: every subset ran that draw.
    scenario = load(package)
    sample = Params.sampled(4, 2, "lhs", scenario.parameters)
    package_measures = (scenario.inherited, list(scenario.own), [[i] for i in range(n)])
    values, _ = at._run_subsets(scenario, package_measures, range(2 ** n), 2030, drawn.span, 2, sample.take([3]))
    alone = at.shapley_exact(np.stack([values[b] for b in range(2 ** n)]))[:, 0]
    np.testing.assert_allclose(drawn.shapley_draws[:, 3], alone, rtol=1e-9, atol=1e-6)


def test_the_ranges_are_percentiles_of_the_area_sums_and_reach_the_tables(package, drawn):
    oslo = dims.MUNICIPALITIES.index("oslo")
    per_draw = drawn.shapley_draws[0][:, 0].sum(axis=-1) / 1e3          # (D, M) kt in 2030
    out = tables.to_json(drawn, ["oslo"])
    item = out["municipalities"]["oslo"]["measures"][0]
    assert out["draws"]["count"] == 4
    assert item["shapley_p05"] == pytest.approx(np.percentile(per_draw[:, oslo], 5) * 1e3, abs=1e-3)
    assert item["shapley_p05"] <= item["shapley"] <= item["shapley_p95"]
    assert item["cut_share"] == pytest.approx(float((per_draw[:, oslo] < 0).mean()))
    # by hand (the package cuts in every draw above): four draws of two areas, summed per draw -2, -1, -0.5
    # and 0 over both (three cuts of four), -3, 1, -0.5, 0 in the first alone (two)
    made = np.zeros((4, 2, 2, 1))
    made[:, 0, :, 0] = [[-3.0, 1.0], [1.0, -2.0], [-0.5, 0.0], [0.0, 0.0]]
    assert tables.cut_share(made, [0, 1], 0) == 0.75 and tables.cut_share(made, [0], 0) == 0.5
    _, rows = tables.rows(drawn, ["oslo"])
    assert "(" in rows[0][3] and " to " in rows[0][3]          # mean (p05 to p95)
    header, long = tables.long_rows(drawn)
    cars = dims.SECTORS.index("road_passenger_cars")
    row = [r for r in long if r[2] == "all 13" and r[3] == "(package)" and r[5] == "road_passenger_cars"
           and r[6] == "total_p95_2030"]
    summed_first = drawn.total_draws[:, 0, :, cars].sum(axis=-1)        # over the municipalities in each draw
    assert len(row) == 1 and row[0][7] == pytest.approx(np.percentile(summed_first, 95), abs=1e-3)
    # the CSV carries the table's (interaction): with the measures alone it adds up to the package
    def value(measure, quantity):
        return sum(r[7] for r in long if r[2] == "oslo" and r[3] == measure and r[5] == "road_passenger_cars"
                   and r[6] == quantity)
    # a row of sector "all" per measure and quantity: the sum over the sectors, and its range over the draws
    # (percentiles of the sum in each draw, so not the sum of the sectors' percentiles)
    def over_sectors(measure, quantity):
        return sum(r[7] for r in long if r[2] == "all 13" and r[3] == measure and r[6] == quantity and r[5] != "all")
    first = drawn.measures[0][1]
    (everything,) = [r[7] for r in long if r[2] == "all 13" and r[3] == first and r[5] == "all"
                     and r[6] == "shapley_2030"]
    assert everything == pytest.approx(over_sectors(first, "shapley_2030"), abs=5e-3)
    (p95,) = [r[7] for r in long if r[2] == "all 13" and r[3] == first and r[5] == "all" and r[6] == "shapley_p95_2030"]
    assert p95 == pytest.approx(np.percentile(drawn.shapley_draws[0][:, 0].sum(axis=(-2, -1)), 95), abs=1e-3)
    alone = sum(value(label, "first_in_2030") for _, label in drawn.measures)
    assert value("(interaction)", "interaction_2030") != 0.0
    assert alone + value("(interaction)", "interaction_2030") == pytest.approx(value("(package)", "total_2030"),
                                                                               abs=2e-3)


def test_the_command_attributes_over_draws_and_refuses_a_sampler_without_them(package):
    runner = CliRunner()
    res = runner.invoke(main, ["attribute", str(package), "--municipality", "oslo", "--draws", "2",
                               "--permutations", "50"])
    assert res.exit_code == 0, res.output
    assert "2 draws (sampler lhs, seed 0)" in res.output and "5-95 % range" in res.output
    # three measures are attributed exactly: --permutations, given, does nothing and is said to
    assert "warning: --permutations 50: not used; the 3 measures are attributed exactly" in res.stderr
    bad = runner.invoke(main, ["attribute", str(package), "--sampler", "sobol"])
    assert bad.exit_code == 2 and "--sampler: only with --draws N" in bad.output


def test_an_attribution_too_large_to_run_is_refused_before_any_run(package, monkeypatch):
    monkeypatch.setattr(at, "MAX_RUNS", 20)                 # 8 subsets x 3 draws = 24 runs
    with pytest.raises(UsageError, match=r"--draws 3: the 8 subsets of 3 measures, each in 3 draws, are 24 runs "
                                         r"\(at most 20.*use --draws 2 or fewer"):
        at.attribute(package, draws=3)
    monkeypatch.setattr(at, "MAX_RUNS", 5)
    with pytest.raises(UsageError, match="--permutations: the .* subsets that 4 sampled orders"):
        at.attribute(package, permutations=4, max_exact=2)
    # refused before the draws are sampled (a sample of many draws, each fitted to the history, takes gigabytes)
    from framtid.model.parameters import Params

    monkeypatch.setattr(Params, "sampled", lambda *a, **k: pytest.fail("sampled before the runs were counted"))
    for options in ({}, {"permutations": 4, "max_exact": 2}):
        with pytest.raises(UsageError, match="--draws 3"):
            at.attribute(package, draws=3, **options)


# -- a package reaching back through the chain of extends, credited by kind or area ----------------------

# The test package's tolls and fee in a middle file, and a top file extending it with a fee in B zones and the
# biogas buses (assumption: test values).
MIDDLE = scenario("middle", "framtid:current-policies", TOLLS_X2, PARKING_60)
B_FEE = parking_fee("parking B 20", "oslo", 2022, "{ B = 20 }")
TOP = scenario("top", "middle", B_FEE, BIOGAS)


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chain")
    (folder / "middle.toml").write_text(MIDDLE)
    (folder / "top.toml").write_text(TOP)
    return folder


def _emissions(path, year=2030) -> float:
    scenario = load(path)
    return float(api.run_scenario(scenario).emission_totals()[year - dims.BASE_YEAR].sum())


def test_a_chain_credited_by_kind_runs_each_kind_with_all_its_measures(chain):
    result = at.attribute(chain / "top.toml", year=2030, base="current-policies", by="kind")
    assert result.base == "current-policies" and result.exact and result.n_runs == 8
    assert result.measures == [("toll_change", "1 measure"), ("parking_fee", "2 measures"),
                               ("bus_biogas", "1 measure")]
    # The package: top against current-policies; the parking kind alone: both fees, of two files, on current-policies.
    base = _emissions("framtid:current-policies")
    total = result.total[0].sum()
    assert total == pytest.approx(_emissions(chain / "top.toml") - base, rel=1e-9)
    both_fees = chain / "fees.toml"
    both_fees.write_text(scenario("fees", "framtid:current-policies", PARKING_60, B_FEE))
    assert result.first_in[1, 0].sum() == pytest.approx(_emissions(both_fees) - base, rel=1e-9)
    assert result.shapley[:, 0].sum() == pytest.approx(total, rel=1e-9)
    # One by one the same package is four measures, in the order the files write them, adding up alike.
    each = at.attribute(chain / "top.toml", year=2030, base="current-policies")
    assert [label for _, label in each.measures] == ["tolls x2", "parking 60", "parking B 20", "biogas"]
    assert each.shapley[:, 0].sum() == pytest.approx(total, rel=1e-9)
    # Without --base the package is the top file's own two measures, against middle.
    own = at.attribute(chain / "top.toml", year=2030, by="kind")
    assert own.base == "middle" and own.measures == [("parking_fee", "1 measure"), ("bus_biogas", "1 measure")]


def test_the_whole_policy_history_composes_back_to_current_policies():
    scenario = load("framtid:current-policies")
    inherited, own, name = at._package(scenario, "reference")
    assert name == "reference" and len(own) == 148   # 32 of them carry a posted toll rate into a later year
    def listed(measures):
        return [(m.kind, m.label, m.start_year, m.municipalities) for m in measures]

    assert listed(compose(inherited, own, package=own)) == listed(scenario.measures)
    names, members = players(own, "area")
    assert [n for _, n in names] == ["land_use_transport (136 measures)", "consumption_waste (2 measures)",
                                     "buildings_energy (10 measures)"]
    assert sorted(j for ix in members for j in ix) == list(range(len(own)))


def test_a_base_outside_the_chain_and_an_unknown_grouping_are_refused(chain):
    with pytest.raises(UsageError, match=r"^--base: 'restrictive' is not a scenario that 'top' extends; allowed: "
                                         r"middle, current-policies, current-policies-tolls, current-policies-taxes, "
                                         r"reference, policies-2009$"):
        at.attribute(chain / "top.toml", base="restrictive")
    with pytest.raises(UsageError, match=r"^--by: 'sector'; allowed: measure, kind, area$"):
        at.attribute(chain / "top.toml", by="sector")
    res = CliRunner().invoke(main, ["attribute", str(chain / "top.toml"), "--base", "top"])
    assert res.exit_code == 2 and res.output.startswith("framtid: --base: 'top' is not a scenario that 'top' extends")


def test_the_command_credits_the_policy_history_by_area():
    res = CliRunner().invoke(main, ["attribute", "framtid:current-policies", "--base", "reference", "--by", "area",
                                    "--year", "2020", "--municipality", "oslo", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    block = out["municipalities"]["oslo"]
    assert out["base"] == "reference" and out["runs"] == 8 and len(block["measures"]) == 3
    assert abs(sum(m["shapley"] for m in block["measures"]) - block["total"]) < 0.01
    oslo = dims.MUNICIPALITIES.index("oslo")
    k = 2020 - dims.BASE_YEAR
    history = api.run_scenario(load("framtid:current-policies")).emission_totals()[k, 0, oslo]
    reference = api.run_scenario(load("framtid:reference")).emission_totals()[k, 0, oslo]
    assert block["total"] == pytest.approx(history - reference, abs=0.01)


def test_the_error_of_an_area_is_that_of_the_orders_sums(package):
    # The standard error of a sum of cells (municipalities, sectors) is the spread of the orders' sums of
    # marginal effects, not the sum of the cells' errors (which overstates it when the cells vary apart).
    sampled = at.attribute(package, year=2030, permutations=30, max_exact=2, seed=3)
    idx = list(range(len(dims.MUNICIPALITIES)))
    sums = sampled.order_effects[:, 0, 0][:, idx].sum(axis=(1, 2))                      # (orders,)
    expected = sums.std(ddof=1) / np.sqrt(len(sums))
    assert sampled.error_of_sum(0, 0, idx) == pytest.approx(expected)
    assert sampled.error_of_sum(0, 0, idx) <= sampled.standard_error[0, 0][idx].sum() + 1e-9
    # one cell: the cell's own error
    oslo, s = dims.MUNICIPALITIES.index("oslo"), 0
    assert sampled.error_of_sum(0, 0, [oslo], s) == pytest.approx(sampled.standard_error[0, 0, oslo, s])


def test_the_chunks_models_are_freed_as_the_subsets_run(package, monkeypatch):
    """Each chunk's finished model is collected before the next runs: a model holds reference cycles, and the
    cyclic collector, which runs on counts of objects and not on memory, left the policy history's 32 chunks
    in memory at once (9 GB). With the automatic collector off, no chunk's model may outlive its chunk."""
    import gc
    import weakref

    import framtid.model.simulation as simulation

    made = []

    def tracked(*args, **kwargs):
        model = run_variants(*args, **kwargs)
        made.append(weakref.ref(model))
        return model

    monkeypatch.setattr(simulation, "run_variants", tracked)
    monkeypatch.setattr(at, "CHUNK", 2)
    scenario = load(package)
    package_measures = (scenario.inherited, list(scenario.own), [[i] for i in range(len(scenario.own))])
    enabled = gc.isenabled()
    gc.disable()
    try:
        at._run_subsets(scenario, package_measures, range(4), 2030, (2010, 2030), 0)
        alive = [ref for ref in made if ref() is not None]
    finally:
        if enabled:
            gc.enable()
    assert len(made) == 2 and not alive


def test_the_tables_interaction_stands_in_the_first_in_column_which_adds_up_with_it(result):
    """The (interaction) row is the residual of the measures alone: in the first_in column, which with it adds up to
    the package (as the Shapley column does by itself), and not in a Shapley column."""
    head, rows = tables.rows(result)
    first = head.index("first_in")
    shapley = head.index(f"shapley_{result.year}")
    for area in ("oslo", "all 13"):
        block = [r for r in rows if r[0] == area]
        alone = sum(float(r[first]) for r in block if not r[1].startswith("("))
        (interaction,) = (r for r in block if r[1] == "(interaction)")
        (total,) = (r for r in block if r[1] == "(package)")
        assert interaction[shapley] == "" and interaction[first].startswith(("+", "-"))
        assert alone + float(interaction[first]) == pytest.approx(float(total[first]), abs=0.015)
        assert float(total[first]) == pytest.approx(float(total[shapley]), abs=0.005)


def test_the_table_leaves_out_the_municipalities_the_package_does_not_move_and_says_so(package, result):
    """The package acts in Oslo (and through Oslo's cordons on its neighbours); municipalities where every
    column is below 5 t (zero at the table's decimals) are left out of the table and named under it, while
    csv keeps every one."""
    quiet = tables.unmoved(result)
    assert quiet and "oslo" not in quiet and "baerum" not in quiet
    _, shown = tables.rows(result, None, tuple(quiet))
    assert not {r[0] for r in shown} & set(quiet) and {"oslo", "all 13"} <= {r[0] for r in shown}
    _, every = tables.rows(result)
    for row in every:
        if row[0] in quiet:
            assert all(float(v) == 0.0 for v in row[3:] if v), row
    res = CliRunner().invoke(main, ["attribute", str(package), "--year", "2030"])
    assert res.exit_code == 0 and f"less than 5 t in every column: {', '.join(quiet)}" in res.output
    csv_out = CliRunner().invoke(main, ["attribute", str(package), "--year", "2030", "--format", "csv"]).output
    assert all(f",{m}," in csv_out for m in quiet)
