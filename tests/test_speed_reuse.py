"""What the speed-ups of batch runs may not change: results reused between the bottom-up and the
calibrated set-up, and per-run caches, are the values the plain computation gives."""

import numpy as np
import pytest

from framtid.model import dims
from framtid.model.levers import LEVERS, neutral_paths
from framtid.model.parameters import Params
from framtid.model.scenario import builtin_path, load
from framtid.model.simulation import FramtidModel
from framtid.model.submodels import same_inputs_reused, transport, waste


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
    shares = waste.fit_fraction_shares(state.composition, np.broadcast_to(
        model.inputs.treatment_shares, (n_draws,) + model.inputs.treatment_shares.shape), waste.sorting_weights(params))
    assert np.array_equal(state.base_shares, shares)
    tr = model.state["transport"]
    c = tr.demand
    weights = tr.zone_population[..., None] * c.purpose_share[:, None, None, :]
    observed = transport._validate_shares("mode_shares", model.inputs.mode_shares, len(dims.MODES), transport.TINY)
    fresh = transport._solved_base_shares.__wrapped__(c.zone_constant, c.purpose_constant, weights, observed)
    assert np.array_equal(tr.base_shares, fresh)
    model.release()
