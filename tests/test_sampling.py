"""Sampling the parameter table: inverse CDFs by hand, one stream per parameter, samplers,
chunks equal to the whole ensemble, paired draws across scenarios, and the model's spread."""

from dataclasses import replace
from pathlib import Path
from statistics import NormalDist

import numpy as np
import pytest

from framtid.model import api
from framtid.model.errors import DataError
from framtid.model.parameters import (ParameterSpec, Params, alternatives, correlations, load_alternatives,
                                      load_correlations, table)
from framtid.model.uncertainty import history_fit, sampling

REPO = Path(__file__).resolve().parent.parent


def spec(dist, default, low, high, name="x.y"):
    return ParameterSpec(name, "1", default, low, high, dist, "test", "assumption: test")


# -- inverse cumulative distributions, by hand ----------------------------------------------------

def test_uniform_ppf():
    assert sampling.ppf(spec("uniform", 2, 1, 5), np.array([0.0, 0.25, 1.0])).tolist() == [1, 2, 5]


def test_triangular_ppf_by_hand():
    # low 0, mode 1, high 4: F(mode) = 1/4; F^-1(u) = sqrt(4u) below it, 4 - sqrt(12 (1-u)) above
    s = spec("triangular", 1, 0, 4)
    got = sampling.ppf(s, np.array([0.0, 0.0625, 0.25, 0.25 + 0.75 * 0.25, 1.0]))
    assert got == pytest.approx([0.0, 0.5, 1.0, 4 - np.sqrt(12 * 0.5625), 4.0])


def test_triangular_matches_scipy():
    from scipy import stats

    s = spec("triangular", 0.3, -1.0, 2.0)
    u = np.linspace(0.001, 0.999, 57)
    assert sampling.ppf(s, u) == pytest.approx(stats.triang.ppf(u, 1.3 / 3.0, loc=-1.0, scale=3.0))


def test_pert_mean_is_the_pert_formula():
    # Beta-PERT mean = (low + 4 mode + high) / 6
    s = spec("pert", 2.0, 0.0, 10.0)
    u = (np.arange(20000) + 0.5) / 20000
    assert sampling.ppf(s, u).mean() == pytest.approx((0 + 4 * 2 + 10) / 6, rel=1e-3)


def test_lognormal_median_and_quantiles():
    # symmetric in logs: median 10, 2.5 % at 1, 97.5 % at 100 (then truncated to [1, 100])
    s = spec("lognormal", 10.0, 1.0, 100.0)
    got = sampling.ppf(s, np.array([1e-12, 0.5, 1 - 1e-12]))
    assert got[1] == pytest.approx(10.0)
    assert got[0] == pytest.approx(1.0, rel=1e-6) and got[2] == pytest.approx(100.0, rel=1e-6)


def test_lognormal_keeps_its_median_where_the_range_is_skewed():
    # The biogas buses' CH4 factor: default 0.331, range 0.18-5.5 (ln: -0.61 below, +2.81 above the median).
    # Each side its own spread: half the draws below the default, the range's ends at the ends.
    s = spec("lognormal", 0.331, 0.18, 5.5)
    u = (np.arange(20000) + 0.5) / 20000
    got = sampling.ppf(s, u)
    assert np.median(got) == pytest.approx(0.331, rel=1e-3)
    assert got.min() == pytest.approx(0.18, rel=1e-3) and got.max() == pytest.approx(5.5, rel=1e-3)
    # u = 0.25: p = 0.025 + 0.95 x 0.25 = 0.2625, z = -0.636 on the lower side: 0.331 x (0.18 / 0.331)^(0.636 / 1.96)
    z = NormalDist().inv_cdf(0.025 + 0.95 * 0.25)
    assert z == pytest.approx(-0.636, abs=1e-3)
    assert sampling.ppf(s, np.array([0.25]))[0] == pytest.approx(0.331 * (0.18 / 0.331) ** (-z / sampling.Z975),
                                                                 rel=1e-9)


def test_normal_truncated_to_range():
    s = spec("normal", 0.0, -1.0, 1.0)
    got = sampling.ppf(s, np.linspace(0, 1, 11))
    assert got.min() == pytest.approx(-1.0) and got.max() == pytest.approx(1.0) and got[5] == pytest.approx(0.0)


def test_discrete_picks_alternatives_by_weight():
    s = spec("discrete", 0.5, 0.0, 1.0, name="a.b")
    alt = {"a.b": ((0.1, 0.9), (1.0, 3.0))}        # 25 % and 75 %
    got = sampling.ppf(s, np.array([0.1, 0.24, 0.26, 0.99]), alt)
    assert got.tolist() == [0.1, 0.1, 0.9, 0.9]


def test_fixed_and_point_ranges_never_vary():
    assert sampling.ppf(spec("fixed", 3, 1, 5), np.array([0.1, 0.9])).tolist() == [3, 3]
    assert sampling.ppf(spec("triangular", 3, 3, 3), np.array([0.1, 0.9])).tolist() == [3, 3]


# -- streams and samplers ---------------------------------------------------------------------------

def test_one_stream_per_parameter():
    a = sampling.unit_sample(["p.a", "p.b"], 50, seed=7, sampler="lhs")
    b = sampling.unit_sample(["p.b", "p.new", "p.a"], 50, seed=7, sampler="lhs")
    assert np.array_equal(a[:, 0], b[:, 2]) and np.array_equal(a[:, 1], b[:, 0])
    assert not np.array_equal(a[:, 0], a[:, 1])
    c = sampling.unit_sample(["p.a"], 50, seed=8, sampler="lhs")
    assert not np.array_equal(a[:, 0], c[:, 0])


@pytest.mark.parametrize("sampler", ["lhs", "sobol"])
def test_stratified_samplers_fill_every_stratum(sampler):
    n = 16
    u = sampling.unit_sample([f"p.{k}" for k in range(5)], n, seed=3, sampler=sampler)
    assert ((u > 0) & (u < 1)).all()
    for j in range(u.shape[1]):
        assert sorted(np.floor(u[:, j] * n).astype(int)) == list(range(n))


def test_random_sampler_is_uniform_enough():
    u = sampling.unit_sample(["p.a"], 4000, seed=1, sampler="random")[:, 0]
    assert abs(u.mean() - 0.5) < 0.02 and abs(u.var() - 1 / 12) < 0.01


def test_unknown_sampler_refused():
    with pytest.raises(ValueError, match="lhs"):
        sampling.unit_sample(["p.a"], 4, seed=0, sampler="grid")


# -- the packaged table -----------------------------------------------------------------------------

def test_every_sampled_value_inside_its_range():
    p = Params.sampled(64, seed=11, sampler="lhs")
    for name, s in table().items():
        v = p[name]
        assert (v >= s.low - 1e-12).all() and (v <= s.high + 1e-12).all(), name
        if name == history_fit.AMPLITUDE:            # not sampled: fitted in each draw to the sales history
            assert v.std() > 0.5, name
        elif name not in sampling.uncertain(table()):
            assert (v == s.default).all(), name


def test_alternatives_file_errors_are_located(tmp_path):
    specs = {"a.b": spec("discrete", 0.5, 0.0, 1.0, name="a.b")}
    bad = tmp_path / "alt.csv"
    bad.write_text("parameter,value,weight,source\na.b,2.0,1,study\na.b,0.1,1,study\n")
    with pytest.raises(DataError, match=r"alt.csv: line 2: parameter 'a.b': value 2.0 outside"):
        load_alternatives(bad, specs)
    bad.write_text("parameter,value,weight,source\na.b,0.2,1,study\n")
    with pytest.raises(DataError, match="fewer than two alternatives"):
        load_alternatives(bad, specs)


def spearman(x, y):
    """Rank correlation of two samples without ties."""
    return np.corrcoef(np.argsort(np.argsort(x)), np.argsort(np.argsort(y)))[0, 1]


def test_normal_score_correlation_by_hand():
    # r = 2 sin(pi rho / 6): 0 -> 0, 1 -> 2 sin(pi/6) = 1, 0.5 -> 2 sin(pi/12) = 0.5176
    assert sampling.normal_score_correlation(0.0) == 0.0
    assert sampling.normal_score_correlation(1.0) == pytest.approx(1.0)
    assert sampling.normal_score_correlation(0.5) == pytest.approx(0.517638, abs=1e-6)
    assert sampling.normal_score_correlation(-0.5) == pytest.approx(-0.517638, abs=1e-6)


def test_correlation_groups_join_linked_pairs():
    pairs = {("a", "b"): 0.5, ("b", "c"): 1.0, ("d", "e"): -0.3, ("e", "zz"): 0.9}
    groups = sampling.correlation_groups(pairs, ["a", "b", "c", "d", "e"])   # zz not sampled: its pair drops
    assert [g for g, _ in groups] == [("a", "b", "c"), ("d", "e")]
    abc = groups[0][1]
    assert abc[0, 1] == pytest.approx(sampling.normal_score_correlation(0.5)) and abc[1, 2] == pytest.approx(1.0)
    assert abc[0, 2] == 0.0 and groups[1][1][0, 1] == pytest.approx(sampling.normal_score_correlation(-0.3))


def test_iman_conover_reorders_values_to_the_target_rank_correlation():
    rng = np.random.default_rng(0)
    n = 2000
    sample = {"a": rng.lognormal(size=n), "b": rng.random(n), "c": rng.normal(size=n), "free": rng.random(n)}
    pairs = {("a", "b"): 0.8, ("b", "c"): -0.5, ("a", "c"): -0.4}
    out = sampling.correlate(sample, pairs, seed=1)
    for (x, y), rho in pairs.items():
        assert spearman(out[x], out[y]) == pytest.approx(rho, abs=0.03), (x, y)
    for name in sample:   # every parameter keeps its own values: only their order over the draws changes
        assert np.array_equal(np.sort(out[name]), np.sort(sample[name])), name
    assert out["free"] is sample["free"]
    assert abs(spearman(sample["a"], sample["b"])) < 0.06   # (they were independent before)
    again = sampling.correlate(sample, pairs, seed=1)
    assert all(np.array_equal(out[k], again[k]) for k in sample)
    other = sampling.correlate(sample, pairs, seed=2)
    assert not np.array_equal(out["a"], other["a"])


def test_the_correlated_order_does_not_depend_on_the_eigenvectors_returned(monkeypatch):
    # Equal correlations give repeated eigenvalues, whose eigenvectors a linear algebra library may return
    # in any rotation and sign: the draws must not change with them (the symmetric square root does not).
    rng = np.random.default_rng(5)
    sample = {k: rng.random(200) for k in "abc"}
    pairs = {("a", "b"): 0.9, ("b", "c"): 0.9, ("a", "c"): 0.9}
    before = sampling.correlate(sample, pairs, seed=3)
    eigh = np.linalg.eigh

    def other_basis(m):
        w, v = eigh(m)
        c, s = np.cos(0.7), np.sin(0.7)
        v = v.copy()
        v[:, :2] = v[:, :2] @ np.array([[c, -s], [s, c]])   # a rotation inside the repeated eigenspace
        return w, -v                                         # and every sign flipped
    monkeypatch.setattr(np.linalg, "eigh", other_basis)
    after = sampling.correlate(sample, pairs, seed=3)
    assert all(np.array_equal(before[k], after[k]) for k in sample)


def test_a_correlation_of_one_gives_the_same_order():
    rng = np.random.default_rng(3)
    sample = {"a": rng.random(300), "b": rng.random(300) * 10}
    out = sampling.correlate(sample, {("a", "b"): 1.0}, seed=0)
    assert np.array_equal(np.argsort(out["a"]), np.argsort(out["b"]))


def test_too_few_draws_stay_uncorrelated():
    sample = {"a": np.array([1.0, 2.0, 3.0]), "b": np.array([3.0, 1.0, 2.0]), "c": np.array([2.0, 3.0, 1.0])}
    out = sampling.correlate(sample, {("a", "b"): 0.9, ("b", "c"): 0.9}, seed=0)   # 3 draws < 3 + 2
    assert all(np.array_equal(out[k], sample[k]) for k in sample)


def test_packaged_correlations_hold_in_an_ensemble_and_keep_every_distribution():
    pairs = correlations()
    assert len(pairs) >= 10 and all(-1 <= r <= 1 for r in pairs.values())
    p = Params.sampled(500, seed=4)
    independent = sampling.sample_table(table(), 500, 4, "lhs", alternatives())
    for (a, b), rho in pairs.items():
        assert spearman(p[a], p[b]) == pytest.approx(rho, abs=0.05), (a, b)
        for name in (a, b):
            assert np.array_equal(np.sort(p[name]), np.sort(independent[name])), name
    correlated = {name for pair in pairs for name in pair}
    assert all(np.array_equal(p[n], independent[n]) for n in independent if n not in correlated)


def test_correlation_file_errors_are_located(tmp_path):
    specs = {n: spec("uniform", 0.5, 0.0, 1.0, name=n) for n in ("a.x", "a.y", "a.z")}
    specs["a.fixed"] = spec("fixed", 0.5, 0.0, 1.0, name="a.fixed")
    head = "parameter_a,parameter_b,rank_correlation,source\n"
    path = tmp_path / "corr.csv"
    for body, message in [
        ("a.x,a.nope,0.5,s\n", r"corr.csv: line 2: parameter_b 'a.nope' is not a parameter"),
        ("a.fixed,a.x,0.5,s\n", r"line 2: parameter_a 'a.fixed' is a parameter that is not sampled"),
        ("a.x,a.x,0.5,s\n", "correlated with itself"),
        ("a.x,a.y,1.5,s\n", r"line 2: rank_correlation 1.5 outside \[-1, 1\]"),
        ("a.x,a.y,high,s\n", "rank_correlation must be a number"),
        ("a.x,a.y,0.5,\n", "empty source"),
        ("a.x,a.y,0.5,s\na.y,a.x,0.4,s\n", "line 3: correlation of 'a.x' and 'a.y' given twice"),
        ("a.x,a.y,0.5,a source, with a comma\n", "line 2: more values than the 4 columns; quote a value"),
        ("a.x,a.y,0.9,s\na.y,a.z,0.9,s\na.x,a.z,-0.9,s\n", "among a.x, a.y, a.z cannot hold together"),
    ]:
        path.write_text(head + body)
        with pytest.raises(DataError, match=message):
            load_correlations(path, specs)
    path.write_text("a,b,rho,source\n")
    with pytest.raises(DataError, match="header must be parameter_a,parameter_b,rank_correlation,source"):
        load_correlations(path, specs)
    path.write_text(head + "a.x,a.y,0.9,s\na.y,a.z,0.9,s\na.x,a.z,0.85,s\n")
    read = load_correlations(path, specs)
    assert {pair: c.rank_correlation for pair, c in read.items()} == {("a.x", "a.y"): 0.9, ("a.y", "a.z"): 0.9,
                                                                   ("a.x", "a.z"): 0.85}
    assert read[("a.x", "a.y")].source == "s"


def test_a_chunk_equals_those_rows_of_the_whole_ensemble():
    whole = Params.sampled(40, seed=5, sampler="sobol")
    part = Params.sampled(40, seed=5, sampler="sobol", draws=slice(10, 25))
    assert part.n_draws == 15
    assert all(np.array_equal(part[n], whole[n][10:25]) for n in whole.names())


def test_scenario_parameters_override_the_sample():
    p = Params.sampled(8, seed=0, overrides={"transport.toll_elasticity": -0.3})
    assert (p["transport.toll_elasticity"] == -0.3).all()


# -- the model over draws ---------------------------------------------------------------------------

def emissions(ds, year=2030):
    return ds["emissions"].sum(["municipality", "sector"]).sel(year=year).values   # (scenario, draw)


def test_parameter_sample_holds_the_sampled_values_whichever_scenario_comes_first(tmp_path):
    """A scenario's [parameters] replace the sample in its runs only: the result's parameter_sample keeps the
    values the other scenario ran with, whether the scenario that sets one is named first or second."""
    fixed = tmp_path / "fixed.toml"
    fixed.write_text('[scenario]\nname = "fixed"\nextends = "framtid:reference"\n[parameters]\n'
                     '"transport.bpr_alpha" = 0.3\n', encoding="utf-8")
    reference = REPO / "scenarios/reference.toml"
    first = api.run([fixed, reference], seed=2, n_draws=4, sampler="lhs")
    second = api.run([reference, fixed], seed=2, n_draws=4, sampler="lhs")
    alone = api.run([reference], seed=2, n_draws=4, sampler="lhs")
    column = {"parameter": "transport.bpr_alpha"}
    sampled = alone["parameter_sample"].sel(column).values
    assert len(set(sampled)) == 4 and "numpy" in first.attrs["libraries"]   # what its draws depend on
    for ds in (first, second):
        np.testing.assert_array_equal(ds["parameter_sample"].sel(column).values, sampled)
        # every column, the battery-electric fit too: the reference's (the fit runs the history with the
        # scenario's own parameters, so fixed's differs)
        np.testing.assert_array_equal(ds["parameter_sample"].values, alone["parameter_sample"].values)
        # each scenario's own fit is in maturity_amplitude: the reference's is the sample's column, fixed's its own
        fits = ds["maturity_amplitude"]
        np.testing.assert_array_equal(fits.sel(scenario="reference").values,
                                      alone["parameter_sample"].sel(parameter=history_fit.AMPLITUDE).values)
        assert not np.array_equal(fits.sel(scenario="fixed").values, fits.sel(scenario="reference").values)
    only = api.run([fixed], seed=2, n_draws=4, sampler="lhs")
    np.testing.assert_array_equal(only["parameter_sample"].sel(column).values, 0.3)
    np.testing.assert_array_equal(only["maturity_amplitude"].sel(scenario="fixed").values,
                                  first["maturity_amplitude"].sel(scenario="fixed").values)


def test_same_seed_same_results_other_seed_other_results():
    a = api.run([REPO / "scenarios/reference.toml"], seed=3, n_draws=4, sampler="lhs")
    b = api.run([REPO / "scenarios/reference.toml"], seed=3, n_draws=4, sampler="lhs")
    c = api.run([REPO / "scenarios/reference.toml"], seed=4, n_draws=4, sampler="lhs")
    assert np.array_equal(emissions(a), emissions(b))
    assert np.array_equal(a["parameter_sample"].values, b["parameter_sample"].values)
    # the result names the correlations its sample carries, and only those: 4 draws carry a group of two (the
    # fuel-use elasticities), not the oil-price trends' group of three or the values of time's larger group (it
    # listed errands ~ leisure: 1 where the draws had -0.2)
    carried = a["parameter_sample"].attrs["rank_correlations"]
    assert "transport.fuel_intensity_elasticity.long_run ~ transport.fuel_intensity_elasticity.short_run: 0.6" \
        in carried
    assert "prices.real_trend" not in carried and "value_of_time" not in carried, carried
    assert not np.array_equal(emissions(a), emissions(c))
    assert a.attrs["sampler"] == "lhs" and "re-fitted in every draw" in a.attrs["calibration"]


def test_draws_differ_and_are_paired_across_scenarios():
    ds = api.run([REPO / "scenarios/reference.toml", REPO / "scenarios/current-policies.toml"],
                 seed=1, n_draws=6, sampler="lhs")
    e = emissions(ds)
    assert np.unique(e[0]).size == 6                    # every draw its own value
    # paired: the same draw has the same parameters in both scenarios, so their difference is
    # much less spread than either scenario's own values
    diff = e[1] - e[0]
    assert diff.std() < 0.5 * e[0].std()


def test_spread_shrinks_to_zero_when_every_range_collapses():
    from framtid.model.scenario import load
    from framtid.model.simulation import FramtidModel

    scenario = load(REPO / "scenarios/reference.toml")

    def spread(factor):
        specs = {n: replace(s, low=s.default - factor * (s.default - s.low),
                            high=s.default + factor * (s.high - s.default)) for n, s in table().items()}
        if factor == 0:   # a collapsed range has no alternatives either
            specs = {n: replace(s, distribution="fixed") if s.distribution == "discrete" else s
                     for n, s in specs.items()}
        model = FramtidModel(scenario, Params.sampled(6, 2, "lhs", scenario.parameters, specs=specs))
        model.run()
        total = model.emission_totals().sum(-1)          # (T, D)
        return np.ptp(total, axis=1).max(), total

    wide, _ = spread(1.0)
    narrow, _ = spread(0.2)
    none, total = spread(0.0)
    assert wide > narrow > 0
    assert none == 0.0
    default = api.run_scenario(scenario).emission_totals().sum(-1)[:, 0]
    assert np.array_equal(total[:, 0], default)


def test_collapsed_ranges_give_the_single_run_of_a_scenario_with_its_own_parameters():
    """A scenario whose [parameters] move the new-car choice: its draws are fitted to miss the battery-electric
    history as its own single run does (history_fit.default_misfit of its parameters), so with every range
    collapsed they are that run (the fit aimed at the packaged defaults' misfit moved them off it)."""
    import dataclasses

    from framtid.model.scenario import load
    from framtid.model.simulation import FramtidModel

    base = load(REPO / "scenarios/reference.toml")
    scenario = dataclasses.replace(base, parameters={**base.parameters, "transport.peer_coefficient": 6.0})
    specs = {n: replace(s, low=s.default, high=s.default) for n, s in table().items()}
    specs = {n: replace(s, distribution="fixed") if s.distribution == "discrete" else s for n, s in specs.items()}
    params = Params.sampled(3, 4, "lhs", scenario.parameters, specs=specs)
    alone = api.run_scenario(scenario)
    assert np.all(params[history_fit.AMPLITUDE] == alone.params[history_fit.AMPLITUDE][0])
    batch = FramtidModel(scenario, params)
    batch.run()
    np.testing.assert_array_equal(batch.emission_totals()[:, 0], alone.emission_totals()[:, 0])


def test_a_draw_gives_every_output_alike_alone_and_in_a_batch():
    """Every recorded variable of a draw at the default parameters is the single run's to the bit, in a batch of
    six (ranges collapsed): no per-draw exponent taken as a square root in the run of one draw alone
    (submodels/powers.py), no sum whose order follows the number of draws."""
    from framtid.model.scenario import load
    from framtid.model.simulation import FramtidModel

    scenario = load(REPO / "scenarios/reference.toml")
    specs = {n: replace(s, low=s.default, high=s.default) for n, s in table().items()}
    specs = {n: replace(s, distribution="fixed") if s.distribution == "discrete" else s for n, s in specs.items()}
    batch = FramtidModel(scenario, Params.sampled(6, 2, "lhs", scenario.parameters, specs=specs))
    batch.run()
    alone = api.run_scenario(scenario)
    compared = 0
    for name, values in alone.record.items():
        if isinstance(values, np.ndarray) and values.ndim >= 2 and values.shape[1] == 1 and values.dtype.kind == "f":
            assert np.array_equal(values[:, 0], batch.record[name][:, 0], equal_nan=True), name
            compared += 1
    assert compared > 30
