"""Ensembles of sampled draws, run in chunks: serially, or spread over Dask workers; resumable.

    from framtid.model import api
    from framtid.model.uncertainty import ensemble
    scenarios = [api.load_scenario("framtid:reference"), api.load_scenario("framtid:current-policies")]
    ensemble.run_ensemble(scenarios, "results/compare.nc", n_draws=1000, seed=1, workers=2)

An ensemble is N draws of the uncertain parameters (:mod:`.sampling`), run for a set of scenarios.
It is cut into chunks of consecutive draws ``[0, c), [c, 2c), ...``; each chunk is one batch run of
the model (:func:`framtid.model.api.run_scenario` with ``draws=slice(a, b)``) whose parameter values
are those rows of the whole ensemble. Which chunk runs where, and in which order, therefore changes
no number: the result is the serial run's to the last bit, whatever the number of workers.

Chunk size changes no number either: the base-year solvers (``mode_choice.solve_constants``,
``waste_generation.fit_fraction_shares``) stop each draw at its own convergence, so a draw does not depend on
the draws batched with it (tested bit for bit in ``tests/test_ensemble.py``). The one exception, a
batch of a single draw (numpy takes other paths over a length-1 axis), is avoided by
:func:`chunk_bounds`.

While a batch runs, its finished chunks are files in a parts folder beside the target ``results/NAME.nc``
(``results/.NAME.nc.parts/``, with the batch's manifest and lock: :mod:`.ensemble_parts`). A batch that
stops (Ctrl-C, a crash, a lost worker) continues with ``resume=True``: the finished chunks are verified and
kept, only the others run, and a manifest that does not match the batch asked for is refused, naming what
differs. At the end the chunks are combined into the target
(:func:`framtid.model.ensemble_file.save_parts`: compressed NetCDF-4 chunked by draw, written
atomically, with checksums; one chunk in memory at a time) and the parts folder is removed.

Where chunks run
    serially in this process (the default); on a local Dask cluster of ``workers`` processes with
    one thread each; or on a running Dask cluster at ``scheduler``, whose workers must see the
    target folder (a shared file system). :func:`.chunk_map.map_chunks` spreads any function this way.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import api
from . import MAX_DRAWS
from .chunk_map import check_where, dask_client, map_chunks  # noqa: F401  (re-exported)
from .ensemble_parts import (MANIFEST, MANIFEST_ATTR, check_manifest, check_part, differences,  # noqa: F401
                             manifest_text, part_file_name, part_manifest, parts_folder, prepare)
from ..errors import FramtidError, ResultExistsError, ResultFileError, UsageError
from ..ensemble_file import save_part, save_parts
from ..results import record_dtype
from ..safe_write import TEMP_SUFFIX, leftover_temporaries, make_folder, remove_made_folders

DEFAULT_CHUNK = 250            # draws per chunk: ~0.4 MB of results per draw and scenario in single precision
                               # (~0.8 MB in double), so ~100 MB (~200 MB) each
SAMPLERS = ("lhs", "sobol", "random")


# -- what a batch is --------------------------------------------------------------------------------

def chunk_bounds(n_draws: int, chunk_size: int) -> list[tuple[int, int]]:
    """The chunks ``[(a, b), ...]`` of ``n_draws`` draws, ``chunk_size`` each. A last chunk of a
    single draw joins the one before it: a batch of one draw takes other numpy paths (einsum over a
    length-1 axis) whose results may differ from a larger batch's in the last bit."""
    if not 1 <= n_draws <= MAX_DRAWS:
        raise UsageError(f"--draws: the number of draws must lie in 1-{MAX_DRAWS} (got {n_draws}; the whole "
                         "sample is drawn at once, about 5 kB a draw)")
    if chunk_size < 1 or (chunk_size == 1 and n_draws > 1):
        raise UsageError(f"--chunk-size: must be at least 2 draws (got {chunk_size}): a chunk of one draw takes "
                         "other numpy paths, whose last bits differ from a larger chunk's")
    bounds = [(a, min(a + chunk_size, n_draws)) for a in range(0, n_draws, chunk_size)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds[-2:] = [(bounds[-2][0], n_draws)]
    return bounds


def scenario_digest(scenario) -> str:
    """sha256 of a scenario's name and the text of its files (and of those it extends), by file name
    so that a batch resumes from another working folder."""
    digest = hashlib.sha256(scenario.name.encode("utf-8"))
    for path, text in scenario.files:
        digest.update(b"\x00" + Path(path).name.encode("utf-8") + b"\x00" + text.encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class Batch:
    """Everything that decides an ensemble's numbers and its files."""

    scenarios: tuple
    n_draws: int
    seed: int = 0
    sampler: str | None = "lhs"        # None: every draw at the default parameter values
    chunk_size: int = DEFAULT_CHUNK
    variables: tuple[str, ...] | None = None   # None: every variable
    precision: str = "double"          # of the recorded arrays: "single" (float32) or "double"
    chunks: tuple[tuple[int, int], ...] = field(init=False, repr=False)

    def __post_init__(self):
        if self.sampler is not None and self.sampler not in SAMPLERS:
            raise UsageError(f"--sampler: unknown sampler {self.sampler!r}; allowed: {', '.join(SAMPLERS)}")
        record_dtype(self.precision)       # refuses an unknown precision
        if self.variables is not None:     # the file keeps them in its own order, and those always kept
            object.__setattr__(self, "variables", tuple(sorted(set(self.variables) | set(api.ALWAYS_KEPT))))
        object.__setattr__(self, "chunks", tuple(chunk_bounds(self.n_draws, self.chunk_size)))

    def manifest(self) -> dict:
        """What a resumed batch must match: inputs, options and the framtid version (JSON-ready)."""
        return {
            "framtid_version": api.version(),
            "code_sha256": api.code_digest(),
            "libraries": api.library_versions(),
            "embedded_data_sha256": api.data_digest(),
            "scenarios": [{"name": s.name, "sha256": scenario_digest(s)} for s in self.scenarios],
            "seed": self.seed,
            "sampler": self.sampler or "none",
            "draws": self.n_draws,
            "chunk_size": self.chunk_size,
            "variables": list(self.variables) if self.variables is not None else "all",
            "precision": self.precision,
        }

    def part_name(self, bounds: tuple[int, int]) -> str:
        """File name of a finished chunk, e.g. ``draws-000000-000249.nc`` (first and last draw)."""
        return part_file_name(self.n_draws, bounds)


def check_options(n_draws: int | None, sampler: str | None = None, chunk_size: int | None = None,
                  workers: int | None = None, scheduler: str | None = None, resume: bool = False,
                  fmt: str = "netcdf4") -> list[str]:
    """Check the ensemble options of ``framtid run`` together, before anything runs; return warnings
    (lines for stderr). Options of an ensemble without ``--draws`` are refused, not ignored."""
    if n_draws is None:
        given = [name for name, value in (("--sampler", sampler), ("--chunk-size", chunk_size),
                                          ("--workers", workers), ("--scheduler", scheduler),
                                          ("--resume", resume or None)) if value is not None]
        if given:
            raise UsageError(f"{', '.join(given)}: only with --draws N (a run without --draws is one draw at the "
                             "default parameter values)")
        return []
    check_where(workers, scheduler)
    chunk_bounds(n_draws, chunk_size if chunk_size is not None else DEFAULT_CHUNK)
    if fmt != "netcdf4":
        raise UsageError(f"--nc-format {fmt}: an ensemble (--draws) is written as NetCDF-4 chunked by draw; leave "
                         "out --nc-format")
    if sampler is not None and sampler not in SAMPLERS:
        raise UsageError(f"--sampler: unknown sampler {sampler!r}; allowed: {', '.join(SAMPLERS)}")
    warnings = []
    if sampler == "sobol" and n_draws & (n_draws - 1):
        power = 1 << (n_draws - 1).bit_length()
        warnings.append(f"--sampler sobol: {n_draws} draws is not a power of two; Sobol' points keep their balance "
                        f"at powers of two (e.g. --draws {power})")
    # A group of k correlated parameters needs k + 2 draws to carry its correlation (sampling.correlate)
    from ..parameters import correlations, table
    from .sampling import correlation_groups, uncertain

    largest = max((len(members) for members, _ in correlation_groups(correlations(), uncertain(table()))), default=0)
    if largest and 2 <= n_draws < largest + 2:
        warnings.append(f"--draws {n_draws}: too few draws for the declared correlations (groups of up to {largest} "
                        f"parameters need {largest + 2}); the groups that do not fit are sampled independently "
                        f"(--draws {largest + 2} or more keeps every one)")
    return warnings


# -- running chunks -----------------------------------------------------------------------------------

def run_chunk(batch: Batch, folder: str, manifest: str, bounds: tuple[int, int]) -> str:
    """Run draws ``[a, b)`` of every scenario of ``batch``, keep its variables, and write the chunk
    into ``folder`` atomically; return the part's path. Runs in a worker as well as here: ``manifest``
    is the batch's as the process that started it made it (JSON), and a worker whose code, libraries or
    data make another refuses to run (its numbers would not be the batch's). The part records it."""
    a, b = bounds
    path = Path(folder) / batch.part_name(bounds)
    here = manifest_text(batch.manifest())
    if here != manifest:
        differ = differences(json.loads(manifest), json.loads(here), "in the batch", "in this worker")
        raise FramtidError(f"{path.name}: this worker runs other code, libraries or data than the batch was started "
                           f"with ({differ}); run every worker on the same installation")
    models = []
    try:
        for s in batch.scenarios:
            models.append(api.run_scenario(s, batch.seed, batch.n_draws, batch.sampler, slice(a, b), batch.precision))
        ds = api.select_variables(api.to_dataset(models, batch.seed), batch.variables)
    finally:
        # The records are in ds now. The models hold reference cycles (agents and their model): left to the
        # cyclic collector, chunk after chunk stayed in memory until a full collection came by (2 GB after 10
        # chunks of 250 draws instead of 1); broken here, each is freed at once, also when the chunk fails.
        for model in models:
            model.dispose()
        del models
    ds.attrs[MANIFEST_ATTR] = manifest
    try:
        save_part(ds, path)
    except ResultExistsError:        # written meanwhile: by a concurrent resume of this batch, or not
        if part_manifest(path) != manifest:
            raise FramtidError(f"{path}: another batch wrote this chunk meanwhile; run one batch per target at a "
                               "time") from None
    return str(path)


# -- an ensemble, start to finish ---------------------------------------------------------------------

@dataclass
class EnsembleRun:
    """What :func:`run_ensemble` did: the file, and how the chunks went [s]."""

    path: Path
    chunks: int                       # chunks in the ensemble
    resumed: int                      # of them finished earlier and kept
    recomputed: list[str]             # parts found damaged on resume and run again
    run_seconds: float                # running the chunks
    combine_seconds: float            # combining them into the result file
    leftovers: list[str] = field(default_factory=list)   # temporary twins of the file found on resume (below)


def unfinished_note(path: str | Path) -> str | None:
    """What an interrupted batch left: how many chunks are kept where, and how to continue."""
    folder = parts_folder(path)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        total = len(chunk_bounds(int(manifest["draws"]), int(manifest["chunk_size"])))
    except (OSError, ValueError, KeyError, TypeError, UsageError):
        return None
    draws = int(manifest["draws"])    # the batch's own chunks, not other files of that pattern
    names = {part_file_name(draws, c) for c in chunk_bounds(draws, int(manifest["chunk_size"]))}
    done = sum(1 for p in folder.glob("draws-*.nc") if p.name in names)
    return (f"{done} of {total} chunks finished and kept in {folder}; run the same command with --resume to "
            "continue")


def _attrs(batch: Batch) -> dict:
    """Global attributes of the combined file where they differ from a chunk's."""
    return {"draws": batch.n_draws,
            "history": f"written by framtid {api.version()} (ensemble run: {batch.n_draws} draws in "
                       f"{len(batch.chunks)} chunk(s) of up to {batch.chunk_size})",
            "ensemble_chunk_size": batch.chunk_size}


def run_ensemble(scenarios, path: str | Path, n_draws: int, seed: int = 0, sampler: str | None = "lhs",
                 chunk_size: int = DEFAULT_CHUNK, variables: list[str] | None = None, workers: int | None = None,
                 scheduler: str | None = None, resume: bool = False, force: bool = False,
                 progress: bool = True, precision: str = "double") -> EnsembleRun:
    """Run ``scenarios`` (loaded :class:`~framtid.model.scenario.Scenario` objects) as an ensemble of
    ``n_draws`` sampled draws in chunks of ``chunk_size``, and write one result file at ``path``.

    ``variables`` keeps only those data variables (see :func:`framtid.model.api.check_variables`);
    ``precision`` is that of the recorded arrays, "single" (float32) or "double" (the command line
    chooses "single" for sampled draws, see :func:`framtid.model.api.choose_precision`).
    ``workers`` / ``scheduler`` spread the chunks over Dask (see :func:`.chunk_map.map_chunks`). ``resume``
    continues an interrupted batch of the same inputs; ``force`` replaces an existing ``path`` and,
    without ``resume``, discards an unfinished batch of it. Every check runs before the first chunk."""
    batch = Batch(tuple(scenarios), n_draws, seed, sampler, chunk_size,
                  tuple(api.check_variables(variables)) if variables is not None else None, precision)
    check_where(workers, scheduler)
    path = Path(path)
    # The folders made for the result: removed again where the batch leaves neither the result nor chunks to resume
    made = make_folder(path.parent)
    try:
        return _run_batch(batch, path, workers, scheduler, resume, force, progress)
    finally:
        if not os.path.lexists(path) and not parts_folder(path).exists():
            remove_made_folders(made)


def _run_batch(batch: Batch, path: Path, workers, scheduler, resume: bool, force: bool,
               progress: bool) -> EnsembleRun:
    """:func:`run_ensemble`'s batch, its checks made and the result's folder there."""
    folder, found, held = prepare(batch, path, resume, force)
    try:
        recomputed = []
        for part in found:
            if not check_part(batch, part):
                part.unlink()
                recomputed.append(part.name)
        finished = {p.name for p in found if p.exists()}
        todo = [c for c in batch.chunks if batch.part_name(c) not in finished]
        t0 = time.perf_counter()
        _run_all(batch, folder, todo, workers, scheduler, progress, path, keep_empty=resume)
        t1 = time.perf_counter()
        parts = [folder / batch.part_name(c) for c in batch.chunks]
        missing = [p.name for p in parts if not p.exists()]
        if missing:
            raise FramtidError(f"{folder}: the chunks {', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''} "
                               "were reported written but are not there (do the Dask workers share this file "
                               "system?); run again with --resume")
        try:
            save_parts(parts, path, batch.chunk_size, _attrs(batch), force)
        except (OSError, RuntimeError, ResultFileError) as exc:
            # The chunks are all there: say so, and how to finish, whatever stopped the combination.
            what = str(exc) if isinstance(exc, FramtidError) else (
                f"{path}: cannot write the result ({type(exc).__name__}: {exc}){_disk_note(path)}")
            kept = unfinished_note(path) or f"the chunks are kept in {folder}; run again with --resume to write it"
            raise FramtidError(f"{what}; {kept}") from exc
        t2 = time.perf_counter()
        shutil.rmtree(folder, ignore_errors=True)
    finally:
        held.release()
    return EnsembleRun(path, len(batch.chunks), len(finished), recomputed, t1 - t0, t2 - t1,
                       leftover_temporaries(path) if resume else [])


# [bytes] below this free on the result's disk, a failure to write is most likely the full disk
FULL_DISK = 64 * 2**20


def _disk_note(path: Path) -> str:
    """`` (the disk of PATH has 3 MB free)`` where that is little enough to be the cause of a failed write."""
    try:
        free = shutil.disk_usage(Path(path).absolute().parent).free
    except OSError:
        return ""
    return f" (the disk of {path} has {free / 2**20:.0f} MB free)" if free < FULL_DISK else ""


def _run_all(batch: Batch, folder: Path, todo: list, workers, scheduler, progress: bool, path: Path,
             keep_empty: bool) -> None:
    """Run the chunks still to do. If the batch stops, a folder without a finished chunk is removed
    (unless ``keep_empty``: it was resumed), and an error says what is kept and how to continue."""
    func = functools.partial(run_chunk, batch, str(folder.absolute()), manifest_text(batch.manifest()))
    try:
        map_chunks(func, todo, workers, scheduler, progress, desc=path.name)
    except BaseException as exc:
        # A chunk a Dask worker was writing when the batch stopped (the local cluster's workers end with it, before
        # their own clean-up runs) leaves its hidden temporary file; the folder is this batch's (its lock), so none
        # is another's.
        for tmp in folder.glob(f".draws-*{TEMP_SUFFIX}"):
            tmp.unlink(missing_ok=True)
        kept = any(folder.glob("draws-*.nc"))
        if not kept and not keep_empty:
            shutil.rmtree(folder, ignore_errors=True)     # nothing finished: leave nothing to resume
        if isinstance(exc, (KeyboardInterrupt, UsageError)) or not isinstance(exc, Exception):
            raise
        note = unfinished_note(path) if kept or keep_empty else "no chunk finished"
        what = (str(exc) if isinstance(exc, FramtidError) else
                f"the batch stopped ({type(exc).__name__}: {exc}){_disk_note(path)}")
        error = FramtidError(f"{what}; {note}")
        error.exit_code = getattr(exc, "exit_code", 1)
        raise error from exc


__all__ = ["Batch", "DEFAULT_CHUNK", "EnsembleRun", "chunk_bounds", "check_manifest", "check_options", "check_where",
           "dask_client", "map_chunks", "parts_folder", "prepare", "run_chunk", "run_ensemble", "unfinished_note"]
