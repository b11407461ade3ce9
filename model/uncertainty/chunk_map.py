"""Run a function over items in order: serially in this process, or on Dask (a local cluster of worker
processes, or a running cluster), with a progress bar on a terminal. Ensembles run their chunks of draws this
way (:mod:`.ensemble`), and sensitivity analyses their batches of runs (:mod:`.sensitivity_model`)."""

from __future__ import annotations

import shutil
import sys
from contextlib import contextmanager
from typing import Callable, Iterable

from ..errors import UsageError

CONNECT_TIMEOUT = "10s"        # to reach a running Dask scheduler


def _progress_bar(total: int, progress: bool, desc: str):
    """A tqdm bar on stderr when asked for and stderr is a terminal; a silent one otherwise."""
    from tqdm import tqdm

    shown = progress and sys.stderr.isatty()
    # a terminal that reports no width (some emulators and CI consoles): a bar of 80 columns, not carriage returns
    sized = shutil.get_terminal_size((0, 0)).columns > 0
    return tqdm(total=total, desc=desc, unit="chunk", file=sys.stderr, disable=not shown, dynamic_ncols=sized,
                ncols=None if sized else 80)


def check_where(workers: int | None, scheduler: str | None) -> None:
    """Refuse both a local cluster and a running one, or a cluster of no workers."""
    if workers is not None and scheduler is not None:
        raise UsageError("--workers and --scheduler: give one of them (--workers starts a local cluster, "
                         "--scheduler uses a running one)")
    if workers is not None and workers < 1:
        raise UsageError(f"--workers: must be at least 1 (got {workers})")


@contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None):
    """A Dask client: of a local cluster of ``workers`` processes (one thread each, no dashboard,
    no memory limit: a chunk's memory is the caller's choice), or of the running cluster at
    ``scheduler``. The local cluster is shut down on leaving."""
    import logging

    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"--scheduler {scheduler}: cannot connect to a Dask scheduler there "
                             f"({type(exc).__name__}: {exc})") from None
        with client:
            yield client
        return
    # Dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536 (memory back to the system
    # sooner); with the model's many large numpy temporaries that made a chunk ~40 % slower than in
    # this process, so the local workers keep the C library's default.
    environ = {k: v for k, v in dask.config.get("distributed.nanny.pre-spawn-environ").items()
               if k != "MALLOC_TRIM_THRESHOLD_"}
    # No dashboard; the scheduler's small HTTP server on a free port (8787 may belong to another cluster).
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}), \
            LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                         scheduler_kwargs={"dashboard_address": ":0"}, memory_limit=0,
                         silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def map_chunks(func: Callable, items: Iterable, workers: int | None = None, scheduler: str | None = None,
               progress: bool = True, desc: str = "chunks") -> list:
    """``[func(item) for item in items]``, in the input order: serially here, or on Dask (a local
    cluster of ``workers`` processes, or the cluster at ``scheduler``). ``func`` and the items must
    pickle when Dask runs them. A progress bar over the items shows on stderr if it is a terminal
    (and ``progress``). The first exception of a call is raised (the other calls are cancelled)."""
    items = list(items)
    check_where(workers, scheduler)
    with _progress_bar(len(items), progress, desc) as bar:
        if workers is None and scheduler is None:
            results = []
            for item in items:
                results.append(func(item))
                bar.update()
            return results
        if not items:
            return []
        from distributed import as_completed

        with dask_client(workers, scheduler) as client:
            futures = client.map(func, items, pure=False)
            position = {future.key: i for i, future in enumerate(futures)}
            results = [None] * len(items)
            for future in as_completed(futures):
                results[position[future.key]] = future.result()   # raises the call's exception
                bar.update()
            return results
