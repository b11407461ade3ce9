"""Mesa's ``Model`` and ``Agent``, without paying for the rest of Mesa at import.

Mesa's package ``__init__`` imports its experimental continuous space (which pulls in
``scipy.spatial``), its data collector (``pandas``) and its batch runner (``tqdm``).
framtid uses none of them, yet importing ``mesa`` cost 0.33 s of a 0.8 s ``framtid run``
(measured with ``python -X importtime``; see benchmarks/startup.py).

So, unless Mesa is already imported, its package module is registered without running
its ``__init__``; ``mesa.model`` and ``mesa.agent`` import on their own (they need only
numpy). The first use of any other name of the package (``mesa.DataCollector``,
``from mesa import batch_run``, ``mesa.__version__``) runs the real ``__init__`` then, so
other code in the same process sees the whole of Mesa as usual (PEP 562 module
``__getattr__``).
"""

from __future__ import annotations

import importlib.util
import sys


def _defer_package_init(name: str) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return   # not an ordinary package: import it the usual way below
    module = importlib.util.module_from_spec(spec)

    def __getattr__(attr: str):
        # Anything beyond the submodules imported so far: run the package's own __init__ once.
        module.__dict__.pop("__getattr__", None)
        spec.loader.exec_module(module)
        return getattr(module, attr)

    module.__getattr__ = __getattr__
    sys.modules[name] = module


_defer_package_init("mesa")

from mesa.agent import Agent  # noqa: E402
from mesa.model import Model  # noqa: E402

__all__ = ["Agent", "Model"]
