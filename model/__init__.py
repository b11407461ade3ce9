"""framtid.model: the simulation library.

The public API lives in :mod:`framtid.model.api`; it is imported lazily here so
that light users (the command line's ``--help``) do not pay for numpy or mesa.
"""

from __future__ import annotations

__all__ = ["run", "load_scenario", "open_results"]


def __getattr__(name):
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(name)
