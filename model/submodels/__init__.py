"""The submodels and the one protocol through which the simulation drives them.

Each submodel is a module of pure functions (arrays in, arrays out) plus a small adapter
class at its end that fits it to this protocol::

    class Submodel(Protocol):
        name: str                      # key of its state and of its outputs
        decided_by: str | None         # agent type whose decisions it needs first, if any
        emits: bool                    # whether its outputs hold emissions by source
        def init_state(self, ctx: Context) -> State: ...            # the 2009 state
        def calibrated(self, bottom_up: State, ctx: Context) -> State: ...  # the same, calibrated (optional)
        def choose(self, state, ctx: Context) -> dict: ...          # the agents' decision rule (optional)
        def advance(self, state, ctx: Context) -> State: ...        # year - 1 -> year
        def account(self, state, ctx: Context) -> dict: ...         # outputs of the year

The simulation sets every submodel up twice for 2009: bottom-up (``init_state`` with
``ctx.calibration`` None), then, with the calibration factors that reproduce the inventory,
calibrated. A submodel that has ``calibrated`` makes that state from its bottom-up one, keeping
what the factors do not touch instead of computing it again (transport, buildings, waste); the
others are set up again by ``init_state`` with ``ctx.calibration`` set. Either way the result is
the state ``init_state`` gives with the factors.

Every year the simulation goes through :func:`submodels` in order: agents decide where a
submodel needs them, the submodel advances (from 2010), then accounts. A submodel may read
the outputs of the submodels before it in the same year (``ctx.outputs``): land use comes
first, energy supply after buildings and waste, whose flows it converts; adaptation last (it
reads land use's zones and the buildings' new floor area and emits nothing).
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from .. import levers as lever_table


@dataclass
class Context:
    """What a submodel may read in one year (or at set-up, ``year`` = 2009)."""

    year: int
    k: int                                   # index of the year
    params: Any                              # Params
    inputs: Any                              # base_year.BaseInputs (2009 drivers)
    population: np.ndarray                   # (D, M) [inhabitants] this year
    hdd: np.ndarray                          # (D, M) [K d/yr] heating degree days this year
    levers: dict                             # every lever this year, (D, M, *axes)
    base_levers: dict                        # the levers of 2009 (the pivot of behavioural responses)
    prices: Any = None                       # prices.PricePaths, real 2009 NOK
    calibration: Any = None                  # calibration.Calibration at the calibrated set-up, else None
    lever_paths: dict | None = None          # every lever's scheduled path over all years, (T, D, M, *axes)
    outputs: dict = field(default_factory=dict)   # this year's outputs of the submodels accounted so far
    choices: dict = field(default_factory=dict)   # this year's agent decisions, by submodel
    partial: bool = False                    # a partial run (``FramtidModel(through=...)``): outputs that only
                                             # a whole run records (cordon passages) may be left out
    reads: dict | None = None                # by submodel, its outputs the year's run reads where fewer than all
                                             # (a partial run recording some variables alone: its last submodel's)

    def years_until(self, lever: str) -> np.ndarray | None:
        """Years from this year until ``lever`` is first in force in the scheduled paths (D, M) [yr], inf where
        it never is; None without paths (set-up). What actors who know the policy calendar can foresee."""
        if self.lever_paths is None:
            return None
        return lever_table.years_until(self.lever_paths, lever, self.k)

    def first_value(self, lever: str) -> np.ndarray | None:
        """The value ``lever`` (without axes) first takes in force from this year on in the scheduled paths (D, M),
        its neutral value where it never is; None without paths (set-up)."""
        if self.lever_paths is None:
            return None
        return lever_table.first_value(self.lever_paths, lever, self.k)

    @property
    def factors(self) -> dict | None:
        """Calibration factors by source, or None for the bottom-up estimate."""
        return self.calibration.as_dict() if self.calibration is not None else None


class Submodel(Protocol):
    """What the simulation calls (module docstring). Optional, so not members here: ``choose(state, ctx)``
    where ``decided_by`` names an agent type, and ``calibrated(bottom_up, ctx)``, the calibrated 2009 state
    made from the bottom-up one, equal to ``init_state(ctx)`` with ``ctx.calibration`` set."""

    name: str
    decided_by: str | None
    emits: bool

    def init_state(self, ctx: Context) -> Any: ...

    def advance(self, state: Any, ctx: Context) -> Any: ...

    def account(self, state: Any, ctx: Context) -> dict: ...


def _ordered() -> tuple:
    from . import adaptation, buildings, energy_supply, land_use, other_sectors, transport, waste

    # adaptation reads land use and the buildings' new floor area, emits nothing and is read by none
    return (land_use.SUBMODEL, transport.SUBMODEL, buildings.SUBMODEL, waste.SUBMODEL,
            energy_supply.SUBMODEL, other_sectors.SUBMODEL, adaptation.SUBMODEL)


def submodels() -> tuple:
    """The submodels in the order of the year."""
    global _SUBMODELS
    if _SUBMODELS is None:
        _SUBMODELS = _ordered()
    return _SUBMODELS


_SUBMODELS = None


def _content_key(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return (x.shape, x.dtype.str, np.ascontiguousarray(x).tobytes())
    return x


def _freeze(result: Any) -> Any:
    for array in result if isinstance(result, tuple) else (result,):
        if isinstance(array, np.ndarray):
            array.flags.writeable = False
    return result


def same_inputs_reused(maxsize: int = 2):
    """Decorator: a pure function of arrays (and hashable values) computed once per set of argument values.

    Runs of the same draws (the scenarios of an ensemble chunk) set up the same base year: the costly
    parts of a set-up that depend only on the draws and the base-year data get the same arguments in each,
    and this returns the first result (read-only: the states share it). Keyed on the arrays' contents, so
    a caller can never get a result for other inputs; keeps the last ``maxsize``.
    """
    def wrap(fn):
        cache: OrderedDict = OrderedDict()

        @functools.wraps(fn)
        def reused(*args):
            key = tuple(_content_key(a) for a in args)
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
            result = cache[key] = _freeze(fn(*args))
            if len(cache) > maxsize:
                cache.popitem(last=False)
            return result
        return reused
    return wrap
