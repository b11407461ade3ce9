"""Powers whose value does not depend on how many draws a run carries.

numpy's power takes a shortcut when the exponent is a single number over the whole loop: ``x ** 0.5`` is
``sqrt(x)``, ``x ** -1`` is ``1 / x`` and ``x ** 2`` is ``x * x``, all correctly rounded, where the general power
may be one unit in the last place off (numpy 2.4). An exponent that is a parameter, one value a draw (shape
``(D, 1, ...)``), is a single number over the loop in a run of one draw, and not in a batch: a draw whose exponent
is 0.5 (at its default, ``transport.congestion_learning``) came out a unit in the last place apart alone and in a
batch, which the feedback of the years carried into car emissions (3e-11 t in 2016), so that an ensemble with
every range collapsed no longer equalled the run at the defaults to the bit. :func:`power` always takes the
general power; every per-draw exponent of the submodels goes through it.
"""

from __future__ import annotations

import numpy as np


def power(base: np.ndarray | float, exponent: np.ndarray | float) -> np.ndarray:
    """``base ** exponent`` [1] by numpy's general power whatever the shapes: the exponent is spread to the
    broadcast shape in memory, so that no loop sees it as a single number (see the module)."""
    shape = np.broadcast_shapes(np.shape(base), np.shape(exponent))
    if not shape:   # two numbers: no loop to take the shortcut over in one run and not in another
        return np.power(base, exponent)
    return np.power(base, np.ascontiguousarray(np.broadcast_to(np.asarray(exponent, dtype=float), shape)))
