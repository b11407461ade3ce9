"""What the checks of a scenario's measures (``scenario_checks``, ``toll_checks``) read beyond the measures
themselves, each made once when first asked for (:class:`Facts`: the lever paths, the cordons and what the
scenario charges on them), and the years a measure acts in.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from .. import dims
from . import Measure, lever_paths

PRICE_FIELDS = ("peak_nok", "offpeak_nok", "heavy_peak_nok", "heavy_offpeak_nok")


class Facts:
    """What the checks read of a scenario's measures beyond the measures themselves, each made once."""

    def __init__(self, measures: list[Measure]):
        self.measures = list(measures)

    @cached_property
    def paths(self) -> dict[str, np.ndarray]:
        """The lever paths ``(T, 1, M, ...)`` of the measures as written: the levers whose settings add up are not
        held at their range here (the run holds them; ``beyond_range`` warns where it does), the others are the
        run's."""
        return lever_paths(self.measures, np.array(dims.YEARS), 1, held=False)

    @cached_property
    def cordons(self) -> tuple:
        from ..cordons import cordons

        return tuple(cordons())

    @cached_property
    def ids(self) -> list[str]:
        return [c.id for c in self.cordons]

    @cached_property
    def owner(self) -> np.ndarray:
        """Index of the municipality that owns each cordon ``(C,)``."""
        return np.array([dims.MUNICIPALITIES.index(c.municipality) for c in self.cordons], dtype=int)

    @cached_property
    def priced(self) -> np.ndarray:
        """The light fossil vehicles' prices the measures set on each cordon, year by year ``(T, C, fuels,
        periods)`` [NOK], before any ``toll_scale`` factor: the toll lever in the owner's row."""
        from ..submodels.tolls import LIGHT, PETROL

        return self.paths["toll_nok"][:, 0, self.owner, np.arange(len(self.owner)), LIGHT, :PETROL + 2]

    @cached_property
    def charged(self) -> np.ndarray:
        """Whether the measures charge each cordon's light fossil vehicles, year by year ``(T, C)`` (bool): the
        prices times the ``toll_scale`` factor, as ``tolls.cordon_prices`` reads them."""
        c = np.arange(len(self.owner))
        prices = self.priced * self.paths["toll_scale"][:, 0, self.owner, c, None, None]
        return (prices > 0).any(axis=(-1, -2))


def active_years(m: Measure) -> tuple[int, int]:
    """First and last year of a measure (the last year of the run where it does not end)."""
    return m.start_year, m.end_year if m.end_year is not None else dims.FINAL_YEAR


def acting_span(m: Measure) -> slice:
    """The year indices in which a measure can act: from 2010 (2009 runs under the 2009 policies) to its end."""
    first, last = active_years(m)
    return slice(max(first, dims.BASE_YEAR + 1) - dims.BASE_YEAR, last - dims.BASE_YEAR + 1)


def charges(m: Measure) -> bool:
    """Whether a measure sets a toll price above zero."""
    return any(m.values.get(k) is not None and np.any(np.asarray(m.values[k], dtype=float) > 0) for k in PRICE_FIELDS)
