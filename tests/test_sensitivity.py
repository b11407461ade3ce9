"""Global sensitivity analysis (model/uncertainty/sensitivity*.py, `framtid sensitivity`).

The SALib wiring is checked on functions with known indices (Ishigami; a linear function whose
elementary effects are its coefficients), the mapping from the unit hypercube to the parameter
table's distributions on the table itself, and the framtid side on tiny real runs (a few
parameters, a few trajectories): what cannot move an output must get mu_star = 0.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from framtid.cli.main import main
from framtid.model import api, dims, parameters
from framtid.model.errors import FramtidError, UsageError
from framtid.model.uncertainty import sampling, sensitivity_model
from framtid.model.uncertainty import sensitivity as sa

REPO = Path(__file__).resolve().parent.parent
REFERENCE = str(REPO / "scenarios" / "reference.toml")
TOLL = "transport.toll_elasticity"           # moves car traffic through the toll cordons (Oslo owns one)
WASTE = "waste.biogas_yield"                 # cannot move road-traffic emissions
COBENEFIT = "cobenefits.heat.bicycle.speed"  # an evaluation parameter: moves no emissions at all


def invoke(*args):
    return CliRunner().invoke(main, list(args))


# -- the SALib wiring on known functions ------------------------------------------------------------

def ishigami(u, a=7.0, b=0.1):
    """Ishigami and Homma (1990) on x_i uniform in [-pi, pi], from the unit hypercube."""
    x = -np.pi + 2.0 * np.pi * np.asarray(u)
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_recovers_the_ishigami_indices():
    # analytic values for a = 7, b = 0.1 (e.g. Saltelli et al. 2008, p. 179)
    s1, st = (0.3139, 0.4424, 0.0), (0.5576, 0.4424, 0.2437)
    # the inputs given in another order than their ranking: x3 first, then x1 and x2
    ind = sa.sobol(["x3", "x1", "x2"], lambda u: ishigami(u[:, [1, 2, 0]]), samples=1024, seed=1)
    assert ind.n_runs == 1024 * (3 + 2)
    got = {n: i for i, n in enumerate(ind.names)}
    for k, name in enumerate(("x1", "x2", "x3")):
        i = got[name]
        assert ind.values["S1"][i] == pytest.approx(s1[k], abs=0.05)
        assert ind.values["ST"][i] == pytest.approx(st[k], abs=0.05)
        assert 0 < ind.values["ST_conf"][i] < 0.15
    assert ind.names == ["x1", "x2", "x3"]          # ranked by ST


def test_a_first_order_index_above_its_total_beyond_both_intervals_is_called_too_few_samples(monkeypatch):
    """S1 <= ST for the true indices; an estimate above it by more than both intervals is the noise of a small
    sample (a review found several with --samples 16 and no note)."""
    import SALib.analyze.sobol as salib_sobol

    def estimates(problem, y, **options):
        return {"S1": np.array([0.6, 0.2]), "S1_conf": np.array([0.05, 0.3]), "ST": np.array([0.3, 0.1]),
                "ST_conf": np.array([0.05, 0.3])}

    monkeypatch.setattr(salib_sobol, "analyze", estimates)
    ind = sa.sobol(["a", "b"], lambda u: u.sum(axis=1), samples=16, seed=1)
    notes = [n for n in ind.notes if n.startswith("first-order above total-order")]
    assert notes == ["first-order above total-order index for a beyond their intervals (never so for the true "
                     "indices): the sample is too small for this output; raise --samples"]


@pytest.mark.parametrize("method", ["sobol", "morris"])
@pytest.mark.parametrize("seed", [0, 5])
def test_the_same_seed_gives_the_same_indices_and_intervals(method, seed):
    def run():
        if method == "sobol":
            return sa.sobol(["x1", "x2", "x3"], ishigami, samples=64, seed=seed)
        return sa.morris(["x1", "x2", "x3"], ishigami, trajectories=10, seed=seed)

    first, again = run(), run()
    assert first.names == again.names
    for column, values in first.values.items():
        np.testing.assert_array_equal(values, again.values[column], err_msg=column)


def test_morris_recovers_linear_effects_exactly_and_ranks_ishigami():
    a = np.array([3.0, -2.0, 0.5, 0.0])
    ind = sa.morris(list("abcd"), lambda u: u @ a + 1.0, trajectories=5, seed=2)
    assert ind.names == ["a", "b", "c", "d"]
    assert ind.n_runs == 5 * (4 + 1)
    np.testing.assert_allclose(ind.values["mu"], a, atol=1e-12)
    np.testing.assert_allclose(ind.values["mu_star"], np.abs(a), atol=1e-12)
    np.testing.assert_allclose(ind.values["sigma"], 0.0, atol=1e-12)
    # Ishigami with an inert fourth input: x1 and x2 above x3 (as S1 ranks them), x4 exactly 0
    ind = sa.morris(["x1", "x2", "x3", "x4"], ishigami, trajectories=50, seed=1)
    assert set(ind.names[:2]) == {"x1", "x2"} and ind.names[2:] == ["x3", "x4"]
    assert ind.values["mu_star"][-1] == 0.0


def test_morris_groups_move_together():
    ind = sa.morris(list("abcd"), lambda u: u @ np.array([1.0, 1.0, 0.5, 0.0]), trajectories=4, seed=0,
                    groups=["g", "g", "h", "i"])
    assert ind.names == ["g", "h", "i"] and ind.members == {"g": ["a", "b"], "h": ["c"], "i": ["d"]}
    assert ind.n_runs == 4 * (3 + 1)
    assert ind.values["mu_star"][2] == 0.0 and ind.values["mu_star"][1] == pytest.approx(0.5)


def test_failed_runs_drop_their_trajectories_and_base_samples():
    def fragile(u):
        y = u @ np.array([2.0, 1.0, 0.0])
        y[(u[:, 0] > 0.99) & (u[:, 1] > 0.99)] = np.nan      # a corner the "model" cannot run
        return y

    ind = sa.morris(["a", "b", "c"], fragile, trajectories=20, seed=3)
    assert ind.settings["trajectories_used"] < 20 and any("runs failed" in n for n in ind.notes)
    assert ind.values["mu_star"][0] == pytest.approx(2.0)
    ind = sa.sobol(["a", "b", "c"], lambda u: np.where(u[:, 2] > 0.97, np.nan, u[:, 0]), samples=64, seed=0)
    assert ind.settings["samples_used"] < 64 and ind.names[0] == "a"
    with pytest.raises(FramtidError, match="too few"):
        sa.morris(["a", "b"], lambda u: np.full(len(u), np.nan), trajectories=3)


def test_constant_output_gives_zero_indices():
    ind = sa.sobol(["a", "b"], lambda u: np.ones(len(u)), samples=16)
    assert not ind.values["ST"].any() and "did not change" in ind.notes[0]


def test_samples_and_trajectories_are_checked():
    with pytest.raises(UsageError, match="--samples: a power of two"):
        sa.sobol(["a", "b"], ishigami, samples=100)
    with pytest.raises(UsageError, match="--samples"):
        sa.sobol(["a", "b"], ishigami, samples=8)
    with pytest.raises(UsageError, match="--trajectories"):
        sa.morris(["a", "b"], ishigami, trajectories=1)


def test_the_planned_runs_by_hand_and_an_analysis_too_large_is_refused_before_it_runs():
    """Morris r (k + 1); Sobol' N (k + 2) on at most --top parameters, after a screening r (k + 1) of them all
    where they are more; beyond MAX_RUNS the analysis is refused before any model runs."""
    from framtid.model.scenario import load
    from framtid.model.scenario_inheritance import builtin_path
    names = [f"p{i}" for i in range(30)]
    assert sa.planned_runs("morris", names, None, 10, None, None) == 10 * 31
    assert sa.planned_runs("morris", names, ["a", "b", "c"] * 10, 4, None, None) == 4 * 4
    assert sa.planned_runs("sobol", names, None, None, None, None) == 10 * 31 + 256 * (10 + 2)
    assert sa.planned_runs("sobol", names[:5], None, None, 64, None) == 64 * (5 + 2)        # no screening
    assert sa.planned_runs("sobol", names, ["a", "b", "c"] * 10, None, 64, None) == 64 * (3 + 2)

    def never(*args, **kwargs):
        raise AssertionError("no model may run")

    with pytest.raises(UsageError, match=r"the analysis would take 1,200,000 model runs \(at most 100,000, some "
                                         r"45-50 minutes\): ask for fewer --trajectories"):
        sa.analyse(load(builtin_path("reference")), "morris", sa.output("emissions", year=2030),
                     trajectories=100_000, grouping="submodel", evaluator=never)


# -- from the unit hypercube to the parameter table ---------------------------------------------------

def test_unit_hypercube_maps_through_each_distribution():
    specs = parameters.table()
    tri = next(s for s in specs.values() if s.distribution == "triangular" and s.low < s.default < s.high)
    at_mode = (tri.default - tri.low) / (tri.high - tri.low)       # the CDF of a triangle at its mode
    u = np.array([[0.0], [at_mode], [1.0]])
    np.testing.assert_allclose(sa.unit_to_values([tri.name], u)[tri.name], [tri.low, tri.default, tri.high])
    many = sa.unit_to_values([tri.name], np.random.default_rng(0).random((4000, 1)))[tri.name]
    counts, edges = np.histogram(many, bins=20, range=(tri.low, tri.high))
    k = int(np.argmax(counts))
    assert edges[k] - (edges[1] - edges[0]) <= tri.default <= edges[k + 1] + (edges[1] - edges[0])
    # a uniform maps linearly; a lognormal's median is its default and its ends the 2.5 and 97.5 % quantiles
    uni = next(s for s in specs.values() if s.distribution == "uniform" and s.low < s.high)
    np.testing.assert_allclose(sa.unit_to_values([uni.name], np.array([[0.0], [0.25], [1.0]]))[uni.name],
                               [uni.low, uni.low + 0.25 * (uni.high - uni.low), uni.high])
    log = next(s for s in specs.values() if s.distribution == "lognormal" and s.low < s.default < s.high)
    np.testing.assert_allclose(sa.unit_to_values([log.name], np.array([[0.0], [0.5], [1.0]]))[log.name],
                               [log.low, log.default, log.high], rtol=1e-9)
    # inside, each side its own sigma (the first such row is wider below its median than above): u = 0.75 is the
    # quantile 0.025 + 0.75 x 0.95 of the upper half's normal, not of one normal with the wider side's sigma
    from statistics import NormalDist
    z975 = NormalDist().inv_cdf(0.975)
    assert math.log(log.default / log.low) != pytest.approx(math.log(log.high / log.default))
    above = math.exp(math.log(log.default) + NormalDist().inv_cdf(0.7375)
                     * (math.log(log.high) - math.log(log.default)) / z975)
    assert sa.unit_to_values([log.name], np.array([[0.75]]))[log.name][0] == pytest.approx(above, rel=1e-9)
    # fixed parameters are never varied, and would stay at their default if they were
    fixed = next(s for s in specs.values() if s.distribution == "fixed")
    names, _ = sa.select_parameters(None)
    assert fixed.name not in names and names == sampling.uncertain(specs)
    np.testing.assert_array_equal(sa.unit_to_values([fixed.name], u)[fixed.name], fixed.default)


def test_parameter_selection():
    specs = parameters.table()
    names, _ = sa.select_parameters("waste.*," + TOLL)
    assert TOLL in names and all(n.startswith("waste.") for n in names if n != TOLL)
    # in the table's order, whatever the order named: the sample's columns, and the indices, follow it
    assert sa.select_parameters(TOLL + ",waste.*")[0] == names
    assert names == [n for n in sa.select_parameters(None)[0] if n in set(names)]
    names, notes = sa.select_parameters("transport.*", fixed_by_scenario={TOLL: -0.3})
    assert TOLL not in names and TOLL in notes[0]
    fixed = next(n for n, s in specs.items() if s.distribution == "fixed")
    for bad, message in [("transport.toll_elastcity", "did you mean transport.toll_elasticity"),
                         (fixed, "is not uncertain"), ("nosuch.*", "matches no parameter")]:
        with pytest.raises(UsageError, match=message):
            sa.select_parameters(bad)
    with pytest.raises(UsageError, match="set by the scenario"):
        sa.select_parameters(TOLL, fixed_by_scenario={TOLL: -0.3})
    for empty in ("", ",", TOLL + ",,waste.*"):   # not "all": an item left empty
        with pytest.raises(UsageError, match="an empty item; leave --parameters out for all"):
            sa.select_parameters(empty)
    for empty in ("emissions:", "pkm:bicycle,"):
        with pytest.raises(UsageError, match="an empty label"):
            sa.output(empty)


def test_outputs_are_checked_and_summed():
    assert sa.output("pkm", "oslo").description.endswith("sum over mode [km yr-1]")
    for args, message in [(("nosuch",), "unknown output 'nosuch'"), (("emissions:heating2",), "one sector"),
                          (("mode_share", "oslo"), "does not add up"), (("sealed_share",), "give --municipality"),
                          (("pkm:rocket",), "unknown mode 'rocket'"), (("emissions", "narnia"), "--municipality"),
                          (("emissions", None, 2051), "--year: must lie in 2009-2050")]:
        with pytest.raises(UsageError, match=message):
            sa.output(*args)
    assert "emissions:SECTOR" in sa.allowed_outputs() and "mode_share:MODE" in sa.allowed_outputs()


def test_outputs_read_the_recorded_arrays():
    from framtid.model.simulation import FramtidModel

    scenario = api.load_scenario(REFERENCE)
    model = FramtidModel(scenario, parameters.Params.defaults(1, scenario.parameters))
    model.run()
    k = 2030 - dims.BASE_YEAR
    totals = model.emission_totals()[k]                                                   # (D, M)
    assert sa.output("emissions")(model)[0] == pytest.approx(totals.sum())
    assert sa.output("emissions", "oslo")(model)[0] == pytest.approx(totals[0, 0])
    road = sum(sa.output(f"emissions:{s}", "oslo")(model)[0] for s in dims.SECTOR_GROUPS["road_traffic"])
    assert sa.output("emissions:road_traffic", "oslo")(model)[0] == pytest.approx(road)
    assert sa.output("pkm", "bergen")(model)[0] == pytest.approx(model.record["pkm"][k, 0, 10].sum())
    assert sa.output("mode_share:bicycle", "bergen")(model)[0] == model.record["mode_share"][k, 0, 10, 3]


def test_a_failing_batch_is_halved_until_the_failing_draws_stand_alone(monkeypatch):
    def fake(u, scenario, names, output, seed, correlations=()):
        if (u[:, 0] > 0.5).any():
            raise ValueError("calibration cannot be met")
        return u[:, 0]

    monkeypatch.setattr(sensitivity_model, "_batch_run", fake)
    u = np.array([[0.1], [0.9], [0.2], [0.3], [0.8]])
    y, errors = sa.run_chunk(u, None, ("a",), None)
    np.testing.assert_array_equal(np.isnan(y), [False, True, False, False, True])
    assert y[0] == 0.1 and errors == ["ValueError: calibration cannot be met"] * 2


# -- declared correlations: --groups correlated -----------------------------------------------------------

ERRANDS, LEISURE = "transport.value_of_time.car.errands", "transport.value_of_time.car.leisure"   # declared 1.0
PETROL, DIESEL = "prices.real_trend.petrol_product", "prices.real_trend.diesel_product"           # declared 0.9


def test_correlate_gives_a_group_its_rank_correlation_and_keeps_every_column_uniform():
    from scipy.stats import spearmanr

    rng = np.random.default_rng(4)
    u = rng.random((20000, 3))
    names = (PETROL, "other", DIESEL)
    groups = sa.correlated_groups(names)
    assert [members for members, _ in groups] == [(DIESEL, PETROL)]
    v = sa.correlate(u, names, groups)
    assert spearmanr(u[:, 0], u[:, 2])[0] == pytest.approx(0.0, abs=0.03)
    assert spearmanr(v[:, 0], v[:, 2])[0] == pytest.approx(0.9, abs=0.01)
    np.testing.assert_array_equal(v[:, 1], u[:, 1])             # a parameter outside every group is untouched
    for j in (0, 2):                                             # uniform still: its own distribution is kept
        assert np.histogram(v[:, j], bins=10, range=(0, 1))[0] == pytest.approx([2000] * 10, rel=0.08)
    # a correlation of 1: the two move as one parameter, at every probability of a Morris grid too
    one = sa.correlate(np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1 / 3, 2 / 3]]), (ERRANDS, LEISURE),
                       sa.correlated_groups((ERRANDS, LEISURE)))
    np.testing.assert_allclose(one[:, 0], one[:, 1], atol=1e-6)
    np.testing.assert_allclose(one[:, 0], [0.0, 1.0, 0.5, 0.5], atol=1e-5)


def test_group_names_by_hand():
    assert sa.group_name((DIESEL, "prices.real_trend.heating_oil_product", PETROL)) == (
        "prices.real_trend.{diesel_product,heating_oil_product,petrol_product}")
    assert sa.group_name(("cost.zero_emission_freight.premium_decline", "transport.price_premium_decline.bev")) == (
        "{cost.zero_emission_freight.premium_decline,transport.price_premium_decline.bev}")
    assert sa.groups_of([ERRANDS, TOLL, LEISURE], "correlated") == [
        "transport.value_of_time.car.{errands,leisure}", TOLL, "transport.value_of_time.car.{errands,leisure}"]


def test_sobol_of_correlated_groups_by_hand():
    """f = u_errands + u_leisure + u_toll with errands and leisure declared one estimate (rank correlation 1):
    moved as one group with their correlation, f = 2U + V, so the group explains 4/12 of the variance 5/12
    (S1 = ST = 0.8) and the toll elasticity 0.2. Sampled independently (no groups) each would explain 1/3."""
    seen = {}

    def evaluator(scenario, names, output, correlations=(), **kwargs):
        seen["correlations"] = correlations
        return lambda u: sa.correlate(u, names, correlations).sum(axis=1)

    scenario = api.load_scenario(REFERENCE)
    chosen = f"{ERRANDS},{LEISURE},{TOLL}"
    rep = sa.analyse(scenario, "sobol", sa.output("emissions"), parameters=chosen, samples=1024, seed=2,
                     grouping="correlated", evaluator=evaluator)
    got = dict(zip(rep.indices.names, rep.indices.values["S1"]))
    total = dict(zip(rep.indices.names, rep.indices.values["ST"]))
    group = "transport.value_of_time.car.{errands,leisure}"
    assert set(got) == {group, TOLL} and rep.indices.members[group] == [ERRANDS, LEISURE]
    assert got[group] == pytest.approx(0.8, abs=0.04) and total[group] == pytest.approx(0.8, abs=0.04)
    assert got[TOLL] == pytest.approx(0.2, abs=0.04)
    assert any("rank correlations imposed" in n for n in rep.notes)
    independent = sa.analyse(scenario, "sobol", sa.output("emissions"), parameters=chosen, samples=1024, seed=2,
                             evaluator=lambda *a, **k: lambda u: u.sum(axis=1))
    assert all(s == pytest.approx(1 / 3, abs=0.04) for s in independent.indices.values["S1"])
    assert any("declared correlated (transport.value_of_time.car.{errands,leisure}) but sampled independently"
               in n for n in independent.notes)


def test_groups_correlated_without_correlated_parameters_says_so():
    scenario = api.load_scenario(REFERENCE)
    rep = sa.analyse(scenario, "morris", sa.output("emissions"), parameters=f"{TOLL},{WASTE}", trajectories=2,
                     grouping="correlated", evaluator=lambda *a, **k: lambda u: u.sum(axis=1))
    assert any(n.startswith("--groups correlated: none of the parameters varied is declared correlated")
               for n in rep.notes)
    assert not any("0 group(s)" in n for n in rep.notes)


def test_a_top_above_the_parameters_chosen_says_all_are_kept():
    scenario = api.load_scenario(REFERENCE)
    rep = sa.analyse(scenario, "morris", sa.output("emissions"), parameters=f"{TOLL},{WASTE}", trajectories=2, top=5,
                     evaluator=lambda *a, **k: lambda u: u.sum(axis=1))
    assert "--top 5 is more than the 2 parameters chosen: all of them are kept" in rep.notes
    assert len(rep.indices.names) == 2
    within = sa.analyse(scenario, "morris", sa.output("emissions"), parameters=f"{TOLL},{WASTE}", trajectories=2,
                        top=2, evaluator=lambda *a, **k: lambda u: u.sum(axis=1))
    assert not any(n.startswith("--top") for n in within.notes)


def test_the_model_runs_take_the_correlated_sample(monkeypatch):
    """The batch runs map the sample given its correlations to the parameter values (ModelEvaluator, run_chunk)."""
    seen = []

    def capture(names, u, *args):
        seen.append(np.array(u))
        raise ValueError("stop here")

    monkeypatch.setattr(sensitivity_model, "unit_to_values", capture)
    names = (ERRANDS, LEISURE, TOLL)
    u = np.array([[0.1, 0.9, 0.5], [0.3, 0.2, 0.7]])
    evaluate = sa.ModelEvaluator(api.load_scenario(REFERENCE), names, sa.output("emissions"),
                                 correlations=sa.correlated_groups(names))
    assert np.isnan(evaluate(u)).all()
    np.testing.assert_allclose(seen[0][:, 0], seen[0][:, 1], atol=1e-6)
    np.testing.assert_array_equal(seen[0][:, 2], u[:, 2])


def test_cli_groups_correlated_ranks_the_set_as_one():
    res = invoke("sensitivity", REFERENCE, "--output", "emissions:road_traffic", "--parameters",
                 f"{ERRANDS},{LEISURE},{TOLL}", "--groups", "correlated", "--trajectories", "2", "--format", "csv")
    assert res.exit_code == 0, res.output
    import csv

    rows = list(csv.DictReader(res.stdout.splitlines()))
    assert res.stdout.startswith("rank,group,mu_star")
    assert {r["group"] for r in rows} == {TOLL, "transport.value_of_time.car.{errands,leisure}"}
    assert "3 parameters" not in res.stdout and "2 parameters with declared rank correlations" in res.stdout


# -- the real model, tiny ----------------------------------------------------------------------------

def test_real_morris_ranks_what_can_move_oslo_road_traffic():
    scenario = api.load_scenario(REFERENCE)
    out = sa.output("emissions:road_traffic", "oslo", 2030)
    rep = sa.analyse(scenario, "morris", out, parameters=[WASTE, TOLL, COBENEFIT], trajectories=2)
    ind = rep.indices
    assert ind.n_runs == 2 * (3 + 1) and sorted(rep.parameters) == sorted([WASTE, TOLL, COBENEFIT])
    assert ind.names[0] == TOLL and ind.values["mu_star"][0] > 1000.0     # t CO2e/yr per quantile range
    assert dict(zip(ind.names, ind.values["mu_star"]))[WASTE] == 0.0
    assert dict(zip(ind.names, ind.values["mu_star"]))[COBENEFIT] == 0.0
    header, rows = sa.rows(rep)
    assert header[:2] == ("parameter", "mu_star") and rows[0][0] == TOLL and rows[0][-2] == "1"


def test_sobol_screens_with_morris_first():
    seen = []

    def evaluator(scenario, names, output, **kwargs):
        seen.append(list(names))
        weights = np.array([5.0 if n == TOLL else 1.0 if n.startswith("waste.biogas") else 0.0 for n in names])
        return lambda u: u @ weights

    scenario = api.load_scenario(REFERENCE)
    rep = sa.analyse(scenario, "sobol", sa.output("emissions"), parameters=f"waste.*,{TOLL}", top=3,
                     samples=64, evaluator=evaluator)
    assert len(seen[0]) > 3 and seen[1][0] == TOLL and len(seen[1]) == 2    # only 2 moved the output
    assert rep.indices.names[0] == TOLL and rep.screening is not None
    assert rep.n_runs == rep.screening.n_runs + 64 * (2 + 2)


def test_method_option_combinations_are_refused():
    scenario = api.load_scenario(REFERENCE)
    out = sa.output("emissions")
    for kwargs, message in [({"method": "morris", "samples": 64}, "--samples"),
                            ({"method": "fast"}, "--method"),
                            ({"method": "sobol", "grouping": "submodel", "top": 3}, "--groups"),
                            ({"method": "sobol", "parameters": f"{TOLL},{WASTE}", "trajectories": 4},
                             "--trajectories"),
                            ({"method": "morris", "parameters": TOLL}, "at least two"),
                            ({"method": "morris", "grouping": "sector"}, "--groups")]:
        with pytest.raises(UsageError, match=message):
            sa.analyse(scenario, output=out, evaluator=None, **kwargs)


# -- the command line ----------------------------------------------------------------------------------

def test_cli_csv_json_and_plot(tmp_path):
    plot = tmp_path / "morris.png"
    common = ["sensitivity", REFERENCE, "--output", "emissions:road_traffic", "--municipality", "oslo",
              "--parameters", f"{TOLL},{WASTE}", "--trajectories", "2"]
    res = invoke(*common, "--format", "csv", "--plot", str(plot))
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "rank,parameter,mu_star,mu_star_conf,sigma,mu,unit,description"
    assert lines[1].startswith(f"1,{TOLL},") and lines[2].startswith(f"2,{WASTE},0.0,")
    assert plot.read_bytes()[:4] == b"\x89PNG" and f"wrote {plot}" in res.stderr
    from PIL import Image

    source = Image.open(plot).info["Source"]
    assert "method: morris" in source and "seed: 0" in source and "scenario files: reference.toml sha256:" in source
    again = invoke(*common, "--plot", str(plot))
    assert again.exit_code == 2 and "--force" in again.stderr and "Traceback" not in again.output
    res = invoke("sensitivity", REFERENCE, "--method", "sobol", "--parameters", f"{TOLL},{WASTE}",
                 "--samples", "16", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["method"] == "sobol" and doc["runs"] == 16 * 4 and doc["output"]["unit"] == "t CO2e yr-1"
    assert [r["parameter"] for r in doc["indices"]] == [TOLL, WASTE]
    assert set(doc["indices"][0]) >= {"S1", "S1_conf", "ST", "ST_conf", "unit", "description"}


def test_cli_table_names_the_basis():
    res = invoke("sensitivity", REFERENCE, "--parameters", f"{TOLL},{COBENEFIT}", "--trajectories", "2",
                 "--municipality", "oslo")
    assert res.exit_code == 0, res.output
    assert "own distribution" in res.output and TOLL in res.output
    assert "1 parameter(s) did not change the output" in res.output and "cobenefits.* (1)" in res.output


@pytest.mark.parametrize("args, message", [
    (["--output", "nosuch"], "--output: unknown output 'nosuch'"),
    (["--municipality", "narnia"], "--municipality: unknown id 'narnia'"),
    (["--parameters", "transport.nosuch"], "--parameters: unknown parameter"),
    (["--samples", "64"], "--samples sets the Sobol' base sample"),
    (["--year", "2060"], "--year: must lie in 2009-2050"),
    (["--method", "sobol", "--samples", "8"], "--samples: a power of two of at least 16"),
    (["--trajectories", "1"], "--trajectories: at least 2"),
    (["--method", "sobol", "--parameters", "prices.*", "--trajectories", "5"],
     "--trajectories: no Morris screening runs, as the 9 parameters chosen are at most the 10 Sobol' keeps"),
    (["--plot", "chart.jpg"], "--plot chart.jpg: the chart is a PNG"),
])
def test_cli_bad_input_is_one_message_and_exit_code_2(args, message):
    res = invoke("sensitivity", REFERENCE, "--parameters", f"{TOLL},{WASTE}", *args)
    assert res.exit_code == 2, res.output
    assert message in res.stderr and "Traceback" not in res.output
