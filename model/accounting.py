"""Territorial accounting: gases to CO2-equivalents, sources to inventory sectors.

Submodels return gas masses per emission source. This module owns the only two
conversions between those and what the municipal inventory reports: the GWP set
(selectable; AR5 by default, as the national inventory of the 2024 vintage,
SSB 13931, and the 1990 and 2009 bases of the national targets) and the source -> sector mapping of ``dims``.
"""

from __future__ import annotations

import functools

import numpy as np

from . import dims
from .parameters import Params

GWP_SETS = ("ar4", "ar5", "ar6", "sar")
DEFAULT_GWP = "ar5"

# Which sector each source feeds, as an index matrix (S, SECTORS) of 0/1.
SOURCE_TO_SECTOR = np.array(
    [[1.0 if dims.SOURCE_SECTOR[s] == sec else 0.0 for sec in dims.SECTORS] for s in dims.SOURCES])


def gwp_vector(params: Params, gwp_set: str) -> np.ndarray:
    """GWP100 weights over ``dims.GASES``, shape (D, G) [t CO2e / t gas], read-only.

    F-gases are carried in CO2e already, so their weight is 1.
    """
    if gwp_set not in GWP_SETS:
        raise ValueError(f"unknown GWP set {gwp_set!r}; allowed: {', '.join(GWP_SETS)}")
    # Made once for the table: the gas profiles of the other sectors ask for it every year.
    return params.derived(_GWP_WEIGHTS[gwp_set])


def _gwp_weights(params: Params, gwp_set: str) -> np.ndarray:
    """:func:`gwp_vector`, made anew."""
    ones = np.ones(params.n_draws)
    return np.stack([ones, params[f"accounting.gwp.{gwp_set}.ch4"], params[f"accounting.gwp.{gwp_set}.n2o"],
                     ones], axis=1)


# One function per set, so that Params.derived keeps each set's weights apart.
_GWP_WEIGHTS = {s: functools.partial(_gwp_weights, gwp_set=s) for s in GWP_SETS}


def co2e(gas_masses: np.ndarray, gwp: np.ndarray) -> np.ndarray:
    """Sum gas masses ``(D, ..., G)`` into CO2e ``(D, ...)`` with weights ``gwp`` (D, G)."""
    shape = (gwp.shape[0],) + (1,) * (gas_masses.ndim - 2) + (gwp.shape[1],)
    return (gas_masses * gwp.reshape(shape)).sum(axis=-1)


def sectors_from_sources(by_source: np.ndarray, source_axis: int) -> np.ndarray:
    """Aggregate an array with a ``dims.SOURCES`` axis into ``dims.SECTORS``."""
    moved = np.moveaxis(by_source, source_axis, -1)
    return np.moveaxis(moved @ SOURCE_TO_SECTOR, -1, source_axis)
