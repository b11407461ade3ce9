"""What the speed-ups of batch runs may not change: results reused between the bottom-up and the
calibrated set-up, and per-run caches, are the values the plain computation gives."""

import numpy as np
import pytest

from framtid.model import dims
from framtid.model.levers import LEVERS, neutral_paths
from framtid.model.parameters import Params
from framtid.model.scenario import load
from framtid.model.scenario_inheritance import builtin_path
from framtid.model.simulation import FramtidModel
from framtid.model.submodels import (same_inputs_reused, transport, transport_base, transport_setup,
                                     transport_state, travel_costs, waste, waste_generation)


def test_same_inputs_reused_keys_on_contents():
    calls = []

    @same_inputs_reused(maxsize=2)
    def double(x, k):
        calls.append(k)
        return 2.0 * x

    a = np.arange(3.0)
    first = double(a, 1)
    assert double(a.copy(), 1) is first                   # equal contents: the first result
    assert len(calls) == 1
    assert not first.flags.writeable                      # shared: nobody may write it
    assert np.array_equal(double(a + 1.0, 1), 2.0 * (a + 1.0))
    assert np.array_equal(double(a, 2), 2.0 * a)          # another plain argument: computed again
    assert len(calls) == 3
    double(a, 1)                                          # dropped (maxsize 2): computed again
    assert len(calls) == 4


def test_neutral_paths_hold_neutral_values():
    paths = neutral_paths(3, 4, len(dims.MUNICIPALITIES), {"toll_nok", "landfill_ban"})
    assert set(paths) == {"toll_nok", "landfill_ban"}
    for name, path in paths.items():
        assert path.shape == (3, 4, len(dims.MUNICIPALITIES)) + LEVERS[name].shape
        assert path.flags.writeable and np.all(path == LEVERS[name].neutral)


def test_cached_mode_first_shares_equal_the_transpose():
    scenario = load(builtin_path("reference"))
    model = FramtidModel(scenario, Params.defaults(2, scenario.parameters))
    state = model.state["transport"]
    expected = state.base_shares.transpose(5, 4, 0, 1, 2, 3)
    assert np.array_equal(transport._mode_first(state), expected)
    assert transport._mode_first(state).flags.c_contiguous
    # A state without the cached copy (built by hand) gets the same array.
    from dataclasses import replace
    assert np.array_equal(transport._mode_first(replace(state, base_shares_by_mode=None)), expected)
    model.release()


@pytest.mark.parametrize("n_draws", [1, 3])
def test_reused_setup_parts_equal_a_fresh_computation(n_draws):
    """The calibrated set-up reuses the parts of the bottom-up one that the factors do not touch:
    they equal the plain computation (``__wrapped__``: the function without reuse)."""
    scenario = load(builtin_path("reference"))
    params = Params.sampled(n_draws, 0, "lhs", scenario.parameters) if n_draws > 1 else Params.defaults(1)
    model = FramtidModel(scenario, params)
    state = model.state["waste"]
    totals = np.broadcast_to(model.inputs.treatment_shares, (n_draws,) + model.inputs.treatment_shares.shape)
    shares = waste_generation.fit_fraction_shares(state.composition, totals, waste_generation.sorting_weights(params))
    assert np.array_equal(state.base_shares, shares)
    tr = model.state["transport"]
    c = tr.demand
    weights = tr.zone_population[..., None] * c.purpose_share[:, None, None, :]
    observed = transport_base.validate_shares("mode_shares", model.inputs.mode_shares, len(dims.MODES),
                                              transport_state.TINY)
    fresh = transport_base._solved_base_shares.__wrapped__(c.zone_constant, c.purpose_constant, weights, observed)
    assert np.array_equal(tr.base_shares, fresh)
    model.release()


def _assert_same(a, b, where="state"):
    """Bit for bit equal, through dataclasses, dicts and sequences (caches, ``compare=False``, skipped)."""
    import dataclasses

    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), where
        assert a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True), where
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            if f.compare:
                _assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            _assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, Params):
        assert a is b, where
    else:
        assert a == b, where


@pytest.mark.parametrize("n_draws", [1, 3])
def test_calibrated_set_up_from_the_bottom_up_states_equals_a_fresh_one(n_draws):
    """The calibrated set-up keeps what the factors do not touch from the bottom-up states (transport,
    buildings, waste): every submodel's state equals the one a set-up with the factors from scratch makes."""
    scenario = load(builtin_path("reference"))
    params = Params.sampled(n_draws, 0, "lhs", scenario.parameters) if n_draws > 1 else Params.defaults(1)
    model = FramtidModel(scenario, params)
    fresh, _ = model._init_states(model.calibration)          # no bottom-up states: everything computed again
    assert fresh.keys() == model.state.keys()
    for name in fresh:
        _assert_same(model.state[name], fresh[name], name)
    model.release()


def test_transport_calibrated_equals_init_state_with_the_factors():
    scenario = load(builtin_path("reference"))
    params = Params.sampled(4, 1, "lhs", scenario.parameters)
    model = FramtidModel(scenario, params)
    bottom_up, ctx = model._init_states(None)
    rng = np.random.default_rng(5)
    factors = {s: rng.uniform(0.5, 2.0, (4, len(dims.MUNICIPALITIES))) for s in transport_state.CLASS_SOURCES}
    lu, inp = ctx.outputs["land_use"], model.inputs
    price = travel_costs.energy_prices(model.prices, 0, ctx.base_levers, bottom_up["transport"].fleet)
    direct = transport_setup.init_state(ctx.population, lu["zone_population"], lu["trip_length_factor"], lu["jobs"],
                                  inp.mode_shares, inp.cars_per_capita, inp.car_powertrain_share, params,
                                  ctx.base_levers, price, factors, lu.get("job_zone_share"))
    _assert_same(transport_setup.calibrated(bottom_up["transport"], inp.car_powertrain_share, factors), direct)
    # From the calibrated state as well (it reads no fleet), and again without factors.
    _assert_same(transport_setup.calibrated(direct, inp.car_powertrain_share, None), bottom_up["transport"])
    model.release()


def test_waste_calibrated_equals_init_state_with_the_factors():
    params = Params.sampled(3, 2, "lhs")
    rng = np.random.default_rng(6)
    m = len(dims.MUNICIPALITIES)
    population = rng.uniform(2e4, 6e5, (3, m))
    per_capita = rng.uniform(0.3, 0.5, (3, m))
    shares = rng.dirichlet(np.ones(len(dims.TREATMENTS)), size=(3, m))
    factors = {s: rng.uniform(0.5, 2.0, (3, m)) for s in ("landfill_gas", "wastewater", "biological_treatment")}
    bottom_up = waste.init_state(population, per_capita, shares, params)
    direct = waste.init_state(population, per_capita, shares, params, factors)
    _assert_same(waste.calibrated(bottom_up, factors), direct)


def test_buildings_calibrated_equals_init_state_with_the_factors():
    from framtid.model.submodels import buildings

    scenario = load(builtin_path("reference"))
    params = Params.sampled(3, 3, "lhs", scenario.parameters)
    model = FramtidModel(scenario, params)
    state = model.state["buildings"]
    factors = {s: f for s, f in model.calibration.as_dict().items() if s in buildings.SOURCES}
    bottom_up = buildings.calibrated(state, model.inputs.gas_lpg_share, None)      # from a calibrated state
    _assert_same(buildings.calibrated(bottom_up, model.inputs.gas_lpg_share, factors), state)
    model.release()


def _plain_solve_constants(utility, weights, target, tolerance=1e-13, max_iterations=2000):
    # The iteration as written first: every draw, every step through logit_shares.
    from framtid.model.submodels.mode_choice import logit_shares

    seg_axes = tuple(range(2, utility.ndim - 1))
    expand = (slice(None), slice(None)) + (None,) * len(seg_axes)
    w = weights[..., None]
    w_total = np.maximum(w.sum(axis=seg_axes), np.finfo(float).tiny)
    constants = np.zeros(utility.shape[:2] + utility.shape[-1:])
    active = np.ones(constants.shape[0], dtype=bool)
    for _ in range(max_iterations):
        modelled = (w * logit_shares(utility + constants[expand])).sum(axis=seg_axes) / w_total
        error = np.abs(modelled - target).reshape(len(active), -1).max(axis=1)
        active &= error >= tolerance
        if not active.any():
            break
        constants = constants + np.where(active[:, None, None], np.log(target / modelled), 0.0)
    return constants


def test_solve_constants_gives_the_numbers_of_the_plain_iteration():
    from framtid.model.submodels.mode_choice import solve_constants

    rng = np.random.default_rng(7)
    for case in range(60):
        d, n = int(rng.integers(1, 12)), int(rng.integers(2, 6))
        segments = tuple(int(x) for x in rng.integers(1, 5, int(rng.integers(1, 3))))
        utility = rng.normal(scale=2.0, size=(d, 4) + segments + (n,))
        weights = rng.uniform(0.0, 1.0, (d, 4) + segments)
        target = (rng.dirichlet(np.ones(n), size=d)[:, None, :] if case % 2
                  else rng.dirichlet(np.ones(n), size=4))
        iterations = 2000 if case % 3 else int(rng.integers(1, 8))
        got = solve_constants(utility, weights, target, max_iterations=iterations)
        assert got.flags.c_contiguous
        assert np.array_equal(got, _plain_solve_constants(utility, weights, target, max_iterations=iterations))


def _plain_fit_fraction_shares(composition, totals, weights, tol=1e-12, max_iter=2000):
    # The sweeps as written first: every draw in every sweep, converged draws masked.
    seed = weights / weights.sum(axis=-1, keepdims=True)
    shares = np.broadcast_to(seed[:, None], totals.shape[:2] + seed.shape[1:]).copy()
    active = np.ones(shares.shape[0], dtype=bool)
    for _ in range(max_iter):
        achieved = np.einsum("df,dmfj->dmj", composition, shares)
        active &= np.abs(achieved - totals).reshape(len(active), -1).max(axis=1) >= tol
        if not active.any():
            break
        scale = np.divide(totals, achieved, out=np.zeros_like(achieved), where=achieved > 0.0)
        scaled = shares * scale[:, :, None, :]
        row = np.einsum("dmfj->dmf", scaled)[..., None]
        np.divide(scaled, row, out=shares, where=(row > 0.0) & active[:, None, None, None])
    return shares


def test_fit_fraction_shares_gives_the_numbers_of_the_plain_sweeps():
    rng = np.random.default_rng(8)
    f = len(dims.WASTE_FRACTIONS)
    for case in range(60):
        d, m = int(rng.integers(1, 12)), int(rng.integers(1, 5))
        composition = rng.dirichlet(np.ones(f), size=d)
        totals = rng.dirichlet(np.ones(4), size=(d, m))
        weights = rng.uniform(0.0, 1.0, (d, f, 4)) * (rng.random((d, f, 4)) > 0.3)
        weights[..., 2:] = 1.0                                    # incineration and landfill take everything
        if case % 4 == 0:   # no waste goes to incineration or landfill: fraction 0 loses every outlet
            weights[:, 0, :2] = 0.0
            totals[..., 2:] = 0.0
        iterations = 2000 if case % 3 else int(rng.integers(1, 40))
        got = waste_generation.fit_fraction_shares(composition, totals, weights, max_iter=iterations)
        expected = _plain_fit_fraction_shares(composition, totals, weights, max_iter=iterations)
        assert np.array_equal(got, expected, equal_nan=True)


def test_derived_coefficients_are_made_once_per_table_and_read_only():
    from framtid.model.submodels.fleet import fleet_coefficients

    params = Params.defaults(2)
    first = params.derived(fleet_coefficients)
    assert params.derived(fleet_coefficients) is first
    assert not first.survival.flags.writeable
    other = params.with_overrides({"transport.weibull_scale.car": 15.0})
    assert other.derived(fleet_coefficients) is not first           # another table: derived again
    assert not np.array_equal(other.derived(fleet_coefficients).survival, first.survival)
