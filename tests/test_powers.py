"""submodels/powers.py: a power whose value is the same for a draw alone and in a batch."""

import numpy as np
import pytest

from framtid.model.submodels.powers import power


@pytest.mark.parametrize("exponent", [0.5, -1.0, 2.0, 0.2])
def test_a_draw_alone_and_in_a_batch_get_the_same_power(exponent):
    base = np.random.default_rng(0).random((6, 13, 2)) + 0.5
    per_draw = np.full((6, 1, 1), exponent)
    alone, batch = power(base[:1], per_draw[:1]), power(base, per_draw)
    np.testing.assert_array_equal(alone[0], batch[0])
    np.testing.assert_allclose(batch, base ** exponent, rtol=4e-16)


def test_scalars_and_broadcast_shapes():
    assert power(4.0, 0.5) == pytest.approx(2.0, rel=1e-15)
    out = power(np.array([[1.0, 8.0]]), np.array([[1.0], [1.0 / 3.0]]))
    assert out.shape == (2, 2) and out[1, 1] == pytest.approx(2.0, rel=1e-15)
