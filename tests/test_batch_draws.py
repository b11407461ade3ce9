"""A batch run: every member of the draw axis is the run of its own parameters, as if run alone."""

from pathlib import Path

import numpy as np
import pytest

from framtid.model import api
from framtid.model.parameters import Params
from framtid.model.simulation import FramtidModel

REPO = Path(__file__).resolve().parent.parent

# One parameter of each submodel the package's measures act through, different in every draw.
DRAWN = {
    "transport.toll_elasticity": [-0.3, -0.35, -0.45],
    "transport.partial_adjustment": [0.6, 0.5, 0.7],
    "transport.weibull_scale.car": [19.0, 17.0, 21.0],
    "transport.peak_share.commute": [0.65, 0.5, 0.8],
    "land_use.stock_apartment_share.A": [0.95, 0.5, 0.9],
    "buildings.hdd_trend": [-0.002, 0.0, -0.005],
}


def _run(scenario, values: dict) -> dict:
    params = Params.defaults(len(next(iter(values.values()))), scenario.parameters).with_overrides(values)
    model = FramtidModel(scenario, params, seed=0)
    model.run()
    return model.record


@pytest.fixture(scope="module")
def scenario():
    return api.load_scenario(REPO / "scenarios" / "framtidens-byer-2009.toml")


def test_a_batch_of_draws_with_different_parameters_equals_the_single_runs(scenario):
    batch = _run(scenario, DRAWN)
    for d in range(3):
        single = _run(scenario, {name: [values[d]] for name, values in DRAWN.items()})
        for name, array in single.items():
            np.testing.assert_allclose(batch[name][:, d], array[:, 0], rtol=1e-12, atol=1e-9,
                                       err_msg=f"{name}, draw {d}")
    # The draws differ: the test compares three different runs.
    totals = batch["emissions_gas"][-1].sum(axis=(1, 2, 3))
    assert len(set(np.round(totals, 3))) == 3
