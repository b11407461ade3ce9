"""The parts folder of an ensemble batch: where its finished chunks wait beside the target, what batch they
belong to, and who may write them.

    results/.NAME.nc.parts/
        manifest.json                what the batch is (:meth:`.ensemble.Batch.manifest`)
        .lock                        held (flock) by the process running the batch, while it runs
        draws-000000-000249.nc       one result file per finished chunk, recording the batch's manifest

:func:`prepare` sets the folder up for a new batch or checks it for a resumed one (the manifest must match,
naming what differs; a running batch holds the lock, so a second run on the target is refused); a part found
on resume is kept only where :func:`check_part` finds it whole and this batch's. The batch itself, its chunks
and how they run are :mod:`.ensemble`'s.
"""

from __future__ import annotations

import errno
import json
import shutil
import sys
from pathlib import Path

from .. import api
from ..errors import UsageError, ResultFileError
from ..result_file import verify_file
from ..safe_write import write_atomically

MANIFEST = "manifest.json"
PARTS_SUFFIX = ".parts"


def part_file_name(n_draws: int, bounds: tuple[int, int]) -> str:
    """File name of the finished chunk ``bounds`` of a batch of ``n_draws`` draws (first and last draw)."""
    width = max(6, len(str(n_draws - 1)))
    return f"draws-{bounds[0]:0{width}d}-{bounds[1] - 1:0{width}d}.nc"


def parts_folder(path: str | Path) -> Path:
    """The folder of a batch's finished chunks: ``.NAME.nc.parts`` beside the target."""
    path = Path(path)
    return path.parent / f".{path.name}{PARTS_SUFFIX}"


def _write_manifest(folder: Path, manifest: dict) -> None:
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    write_atomically(folder / MANIFEST, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"), False,
                     "the manifest")


def _read_manifest(folder: Path) -> dict:
    where = folder / MANIFEST
    try:
        recorded = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"--resume: {where} is missing or unreadable ({exc}); remove {folder} and run without "
                         "--resume to start over") from None
    if not isinstance(recorded, dict):
        raise UsageError(f"--resume: {where} is not a batch manifest; remove {folder} and run without --resume")
    return recorded


def check_manifest(recorded: dict, wanted: dict, where: Path | str) -> None:
    """Refuse to resume a batch whose manifest differs from the one asked for, naming every key
    that differs with both values."""
    details = differences(recorded, wanted, "in the unfinished batch", "now")
    if details:
        raise UsageError(f"--resume: the unfinished batch in {where} was run with other inputs ({details}); "
                         "resume with the same scenarios and options, or run without --resume and with --force "
                         "to discard it and start over")


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


MANIFEST_ATTR = "ensemble_manifest"   # a part's record of the batch it belongs to


def manifest_text(manifest: dict) -> str:
    return json.dumps(manifest, sort_keys=True, ensure_ascii=False)


def differences(a: dict, b: dict, where_a: str, where_b: str) -> str:
    """The keys where two manifests differ, with both values ("seed: 11 in the unfinished batch, 12 now")."""
    return "; ".join(f"{key}: {_short(a.get(key))} {where_a}, {_short(b.get(key))} {where_b}"
                     for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key))


def part_manifest(part: Path) -> str | None:
    """The batch manifest a part records (None: unreadable, or written without one)."""
    import xarray as xr

    try:
        with xr.open_dataset(part) as ds:
            return ds.attrs.get(MANIFEST_ATTR)
    except (OSError, ValueError):
        return None


LOCK = ".lock"   # in the parts folder: held (flock) by the process running the batch, while it runs


class Held:
    """The lock of a parts folder, held from :func:`prepare` until :meth:`release` (or the process ends)."""

    def __init__(self, folder: Path):
        self.handle = None
        try:
            import fcntl
        except ImportError:              # no flock (Windows): batches on one target are not guarded
            return
        handle = open(folder / LOCK, "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.close()
            if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                raise UsageError(f"{folder}: another framtid run is writing this batch now; wait for it to finish "
                                 "or stop it (then --resume continues it)") from None
            # a file system without locks (some network mounts): the batch runs, unguarded, and says so
            sys.stderr.write(f"warning: {folder}: the file system cannot lock it ({exc.strerror}), so another run "
                             "on this target is not kept off while this batch runs\n")
            return
        self.handle = handle

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def prepare(batch, path: str | Path, resume: bool = False, force: bool = False
            ) -> tuple[Path, list[Path], Held]:
    """Check that the batch can run into ``path`` and set up its parts folder; return it, the parts
    already finished (resume) and the folder's lock, held until the batch ends: a second run on the same
    target is refused while the first runs, whatever it asks (--force discards only a batch that has
    stopped). Everything here happens before any chunk runs."""
    path = Path(path)
    api.check_run(list(batch.scenarios), path, force)
    folder = parts_folder(path)
    if resume:
        if not folder.is_dir():
            raise UsageError(f"--resume: no unfinished batch for {path} ({folder} does not exist); run without "
                             "--resume")
        held = Held(folder)
        try:
            check_manifest(_read_manifest(folder), batch.manifest(), folder / MANIFEST)
        except BaseException:
            held.release()
            raise
        for stale in folder.glob(".draws-*"):   # temporary files of chunks a stop cut short
            stale.unlink(missing_ok=True)
        return folder, [folder / batch.part_name(c) for c in batch.chunks
                        if (folder / batch.part_name(c)).exists()], held
    if folder.exists():
        Held(folder).release()          # refuses a batch that is running
        if not force:
            raise UsageError(f"{folder}: an unfinished batch for {path} is there; pass --resume to continue it, or "
                             "--force to discard it and start over")
        shutil.rmtree(folder)
    try:
        folder.mkdir(parents=True)       # exclusive: of two batches started for one target, one goes on
    except FileExistsError:
        raise UsageError(f"{folder}: another batch for {path} started just now") from None
    held = Held(folder)
    _write_manifest(folder, batch.manifest())
    return folder, [], held


def check_part(batch, part: Path) -> bool:
    """Whether a part found on resume is whole and this batch's: its checksums hold, it has the draws its name
    says, and it records this batch's manifest (not a chunk of another run copied in)."""
    import xarray as xr

    try:
        verify_file(part)
        with xr.open_dataset(part) as ds:
            draws = [int(d) for d in ds["draw"].values]
            recorded = ds.attrs.get(MANIFEST_ATTR)
    except (ResultFileError, OSError, KeyError, ValueError):
        return False
    expected = next(list(range(a, b)) for a, b in batch.chunks if batch.part_name((a, b)) == part.name)
    return draws == expected and recorded == manifest_text(batch.manifest())


__all__ = ["MANIFEST", "MANIFEST_ATTR", "LOCK", "Held", "check_manifest", "check_part", "differences",
           "manifest_text", "part_file_name", "part_manifest", "parts_folder", "prepare"]
