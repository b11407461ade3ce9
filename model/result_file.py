"""Result files on disk: NetCDF written atomically and exclusively, with a checksum per variable.

Writing
    The Dataset goes to a hidden temporary file in the target folder
    (``.NAME.nc.<8 random characters>.tmp``, matched by the ignore patterns), which is then
    linked to its final name. Without ``force`` the link is exclusive: of two
    runs writing the same new path, the second fails with "exists already"
    instead of silently replacing the first. With ``force`` the temporary file
    replaces the old one in one rename. On any exception, including the
    KeyboardInterrupt or termination signal the command line turns into one, the
    temporary file is removed; Ctrl-C and SIGTERM wait for the file being written
    (:func:`interrupts_held`).

Format
    NetCDF-4 (HDF5) with zlib compression by default; NetCDF-3 (64-bit offset)
    on request, for tools that read only that.

Checksums
    Every data variable carries ``checksum = "sha256:..."`` over its dimensions,
    shape and values (floats as little-endian float64, NaN canonical). Opening
    verifies them, so a damaged, cut or edited file is refused with the name of
    the variable instead of printing nonsense; re-saving the same data with
    another NetCDF tool keeps them valid.

Ensembles
    :mod:`framtid.model.ensemble_file` combines files of consecutive draws (the
    chunks of an ensemble) into one result file chunked along ``draw``. Checksums
    computed slab by slab (:func:`streamed_checksum`) are the very checksums
    :func:`data_checksum` gives the same data in memory, so a file written whole
    and one combined from chunks verify alike (:func:`verify_file`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import tempfile
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np

from .errors import FramtidError, ResultExistsError, ResultFileError

FORMATS = ("netcdf4", "netcdf3")
COMPRESSION_LEVEL = 4        # zlib, of the numbers of NetCDF-4 result files
CHECKSUM_ATTR = "checksum"
# The global attribute "checksums": the file carries a checksum per data variable (has_checksums).
CHECKSUMS_NOTE = f"sha256 of each data variable in its '{CHECKSUM_ATTR}' attribute"
TEMP_SUFFIX = ".tmp"
# The temporary name adds a dot, 8 random characters, a dot and ".tmp" to the final name.
_TEMP_EXTRA = 1 + 1 + 8 + len(TEMP_SUFFIX)


# The most bytes of one variable (as float64) read at once while checksumming a file slab by slab.
SLAB_BYTES = 128 << 20
FEED_BLOCK = 1 << 15     # numbers converted to float64 at a time for a checksum (256 kB)
NUMERIC_KINDS = "fiub"   # hashed as little-endian float64; other kinds (strings, times) as text


def digest_start(dims, shape):
    """The sha256 object of a checksum, fed with the variable's dimensions and shape."""
    return hashlib.sha256(repr((tuple(dims), tuple(shape))).encode())


def feed_numbers(digest, values: np.ndarray) -> None:
    """Add numbers to a checksum as little-endian float64 in C order, NaN canonical. Feeding
    consecutive slabs of an array (in C order) gives the digest of the whole array.

    The float64 bytes are made ``FEED_BLOCK`` numbers at a time in one small buffer: a float64 copy
    of a whole large float32 record took longer than hashing it (new memory is slow to touch)."""
    flat = np.asarray(values).reshape(-1)          # C order; a copy only where values is not contiguous
    if flat.dtype == np.dtype("<f8") and not np.isnan(flat).any():
        digest.update(flat.view(np.uint8))
        return
    block = np.empty(min(FEED_BLOCK, flat.size), dtype="<f8")
    for start in range(0, flat.size, FEED_BLOCK):
        piece = block[:min(FEED_BLOCK, flat.size - start)]
        np.copyto(piece, flat[start:start + FEED_BLOCK], casting="unsafe")
        np.copyto(piece, np.nan, where=np.isnan(piece))   # one NaN bit pattern
        digest.update(piece.view(np.uint8))


def data_checksum(var) -> str:
    """``sha256:<hex>`` of a variable's dimensions, shape and values."""
    values = np.asarray(var.values)
    digest = digest_start(var.dims, values.shape)
    if values.dtype.kind in NUMERIC_KINDS:
        feed_numbers(digest, values)
    else:
        digest.update("\x1f".join(str(v) for v in values.ravel()).encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def slab_axes(shape: tuple[int, ...], budget: int = SLAB_BYTES, chunks: tuple[int, ...] | None = None) -> int:
    """How many leading axes to loop over so that one slab (one index of those axes, the other
    axes whole) holds at most ``budget`` bytes of float64 [bytes]; at most all axes but the last.
    With the file's HDF5 ``chunks``, the slabs hold whole chunks where that fits the budget (each
    chunk then is decompressed once)."""
    def fits(k: int) -> bool:
        return int(np.prod(shape[k:], dtype=np.int64)) * 8 <= budget

    if chunks:
        whole = next((i for i, c in enumerate(chunks) if c != 1), len(chunks))   # leading axes chunked by 1
        if fits(min(whole, len(shape) - 1)):
            return min(whole, len(shape) - 1)
    for k in range(max(len(shape), 1)):
        if fits(k):
            return k
    return len(shape) - 1


def streamed_checksum(var, budget: int = SLAB_BYTES) -> str:
    """:func:`data_checksum` of a variable read slab by slab (a lazily loaded variable of an open
    file reads only each slab): the same bytes in the same order, so the same checksum, while at
    most ``budget`` bytes [bytes] (or one row of the last axis) are in memory."""
    if var.dtype.kind not in NUMERIC_KINDS or var.ndim == 0:
        return data_checksum(var)          # text and times: small variables without a draw axis
    digest = digest_start(var.dims, var.shape)
    k = slab_axes(var.shape, budget, var.encoding.get("chunksizes"))
    for index in np.ndindex(*var.shape[:k]):
        feed_numbers(digest, np.asarray(var[index].values))
    return "sha256:" + digest.hexdigest()


def add_checksums(ds) -> None:
    """Record each data variable's checksum in its attributes (in place)."""
    for name, var in ds.data_vars.items():
        var.attrs[CHECKSUM_ATTR] = data_checksum(var)
    ds.attrs["checksums"] = CHECKSUMS_NOTE


def check_name(path: Path) -> None:
    """Refuse a result path whose file name (or its temporary twin) the file system cannot hold."""
    folder = path.parent if str(path.parent) else Path(".")
    existing = next((p for p in (folder.absolute(), *folder.absolute().parents) if p.exists()), Path("/"))
    try:
        name_max = os.pathconf(existing, "PC_NAME_MAX")
        path_max = os.pathconf(existing, "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):
        name_max, path_max = 255, 4096
    limit = name_max - _TEMP_EXTRA
    if len(os.fsencode(path.name)) > limit:
        raise ResultFileError(f"{str(path)[:60]}...: file name too long ({len(os.fsencode(path.name))} bytes; at "
                              f"most {limit} here); choose a shorter --out")
    if len(os.fsencode(str(path.absolute()))) + _TEMP_EXTRA >= path_max:
        raise ResultFileError(f"{str(path)[:60]}...: path too long (at most {path_max - _TEMP_EXTRA - 1} bytes "
                              "here); choose a shorter --out")


def check_folder(path: Path) -> None:
    """Refuse a file or folder to write whose folder cannot be made or written: the nearest existing folder
    above it is a file or read-only. Checked before any work (a write would fail only after it, and with
    "File exists" where the folder is a file)."""
    folder = path.parent if str(path.parent) else Path(".")
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise ResultFileError(f"{path}: cannot write there ({existing} is not a writable folder)")


def temporary_name(path: Path) -> str:
    """Prefix and suffix of the temporary file written before ``path`` (hidden, ends in .tmp)."""
    return f".{path.name}."


def netcdf_encoding(ds, fmt: str) -> dict:
    """xarray's ``encoding`` for writing ``ds`` in format ``fmt``: NetCDF-4 compresses every numeric
    variable (:func:`number_encoding`), NetCDF-3 nothing."""
    if fmt != "netcdf4":
        return {}
    # Compress numbers; strings (variable length in NetCDF-4) are not compressible by HDF5 filters.
    return {name: number_encoding() for name, var in ds.variables.items()
            if var.dtype.kind in "fiu" and var.ndim > 0}


def number_encoding(level: int = COMPRESSION_LEVEL) -> dict:
    """How numbers are compressed in NetCDF-4 result files: zlib (which every NetCDF-4 reader has)
    at ``level``, after HDF5's byte shuffle."""
    return {"zlib": True, "complevel": level, "shuffle": True}


def _write(ds, tmp: str, fmt: str) -> None:
    if fmt == "netcdf4":
        ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4", encoding=netcdf_encoding(ds, fmt))
    else:
        ds.to_netcdf(tmp, engine="scipy", format="NETCDF3_64BIT")


def publish(tmp: str, path: Path, force: bool) -> None:
    """Give the finished temporary file its final name: exclusively unless ``force``."""
    if force:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)          # fails if the name exists, even if created a moment ago
    except FileExistsError:
        raise ResultExistsError(f"{path}: exists already; choose another --out or pass --force to replace it") \
            from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        # file systems without hard links: reserve the name exclusively, then move the file over it
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            raise ResultExistsError(f"{path}: exists already; choose another --out or pass --force to replace "
                                    "it") from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def save(ds, path: str | Path, force: bool = False, fmt: str = "netcdf4") -> Path:
    """Write a results Dataset atomically; refuse to overwrite without ``force``.

    ``fmt`` is ``"netcdf4"`` (compressed, default) or ``"netcdf3"``.
    """
    if fmt not in FORMATS:
        raise FramtidError(f"unknown result format {fmt!r}; allowed: {', '.join(FORMATS)}")
    path = check_result_path(path, force)
    return write_atomically(path, lambda tmp: _write(ds, tmp, fmt), force, "the result")


def check_result_path(path: str | Path, force: bool = False) -> Path:
    """Refuse a result path that does not end in .nc, that the file system cannot name, or that exists
    (without ``force``); return it as a Path."""
    path = Path(path)
    if path.suffix != ".nc":
        raise ResultFileError(f"{path}: result files must end in .nc")
    check_name(path)
    if path.exists() and not force:
        raise ResultExistsError(f"{path}: exists already; choose another --out or pass --force to replace it")
    return path


HELD_SIGNALS = ("SIGINT", "SIGTERM")


@contextmanager
def interrupts_held():
    """Hold Ctrl-C and SIGTERM while the block runs and deliver them when it ends.

    The NetCDF libraries hold a file lock of their own while they write; an interrupt raised inside (the
    command line turns SIGTERM into one) leaves it taken, and their clean-up then waits for it forever: a
    terminated ensemble run hung instead of ending. Held, the interrupt comes once the file is written and
    named (a finished chunk stays finished, for ``--resume``). Only the main thread receives signals, so
    elsewhere nothing is held."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum, frame):
        caught.append(signum)

    numbers = [getattr(signal, name) for name in HELD_SIGNALS]
    previous = {number: signal.signal(number, hold) for number in numbers}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:   # the first signal, as its own handler would have met it
            handler = previous[caught[0]]
            if callable(handler):
                handler(caught[0], None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(caught[0])


def write_atomically(path: Path, write, force: bool, what: str) -> Path:
    """Write a file through ``write(temporary_path)`` into a hidden temporary file beside ``path``,
    then give it its name: exclusively unless ``force`` (:func:`publish`). On any error or
    interrupt the temporary file is removed; an OSError becomes one message naming ``path``.
    Interrupts wait while ``write`` runs (:func:`interrupts_held`: the NetCDF libraries' locks)."""
    return write_all_atomically([(path, write)], force, what, hold_writes=True)[0]


def write_all_atomically(files: list[tuple[Path, object]], force: bool, what: str,
                         hold_writes: bool = False) -> list[Path]:
    """:func:`write_atomically` for several files ``[(path, write), ...]`` that belong together (the charts of
    one command): each is written into its temporary file first, and only then are they all given their names,
    with interrupts held, so that an error or interrupt while writing leaves none of them and no mix of new
    and old. ``hold_writes`` holds interrupts from the first write until the files have their names."""
    temps: list[str] = []
    path = files[0][0] if files else Path(".")
    try:
        with interrupts_held() if hold_writes else nullcontext():
            for path, write in files:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=temporary_name(path), suffix=TEMP_SUFFIX, dir=path.parent)
                os.close(fd)
                temps.append(tmp)
                write(tmp)
                # mkstemp creates the file readable by its owner only; give it the usual mode.
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            with interrupts_held():
                for (path, _), tmp in zip(files, temps):
                    publish(tmp, path, force)
    except OSError as exc:
        raise FramtidError(f"{path}: cannot write {what} ({exc.strerror or exc}); nothing was written") from None
    finally:
        # Whatever happened (error, Ctrl-C, termination signal), no temporary file stays behind.
        for tmp in temps:
            if os.path.lexists(tmp):
                os.unlink(tmp)
    return [p for p, _ in files]


REQUIRED = {"emissions": ("scenario", "municipality", "sector", "year", "draw")}


def open_results(path: str | Path, variables: list[str] | None = None, needed_by: str | None = None,
                 optional=(), lazy: bool = False):
    """Open a result file (NetCDF-3 or -4, from framtid or re-saved by other tools), verify it, load it
    into memory and close the file. ``variables`` loads only those data variables (those the file has,
    with ``emissions`` always), so a command that needs a few reads a large ensemble file in part. With
    ``needed_by`` (e.g. "framtid export"), a file without one of ``variables`` that is not ``optional``
    is refused (:func:`require`).

    With ``lazy`` the file stays open and nothing is loaded: each computation reads the part it uses,
    so a large ensemble is never in memory as a whole (the checksums are verified slab by slab, as in
    :func:`verify_file`); close the Dataset when done (``with open_results(..., lazy=True) as ds:``)."""
    import xarray as xr

    path = Path(path)
    if not path.exists():
        raise ResultFileError(f"{path}: no such result file")
    if path.is_dir():
        raise ResultFileError(f"{path}: is a folder, not a result file")
    opened = None
    try:
        try:
            if lazy:
                from .lazy_reading import read_by_hyperslabs, small_chunk_cache

                with small_chunk_cache():
                    opened = xr.open_dataset(path, cache=False)     # nothing kept after it is read
            else:
                opened = xr.open_dataset(path)
            ds = opened
            if variables is not None:
                ds = ds[[n for n in dict.fromkeys(["emissions", *variables]) if n in ds.data_vars]]
            loaded = ds if lazy else ds.load()
        except Exception as exc:  # the NetCDF back-ends raise many types for files they cannot read
            raise ResultFileError(f"{path}: not a framtid result file ({_unreadable(path, exc)})") from None
        if "emissions" not in loaded or "framtid_version" not in loaded.attrs:
            raise ResultFileError(f"{path}: not a framtid result file (no emissions variable or provenance)")
        for name, dims in REQUIRED.items():
            if tuple(loaded[name].dims) != dims:
                raise ResultFileError(f"{path}: variable {name} has dimensions {loaded[name].dims}; a framtid result "
                                      f"has {dims}")
        verify(loaded, path, streamed_checksum if lazy else data_checksum)
        empty = [d for d in REQUIRED["emissions"] if loaded.sizes[d] == 0]
        if empty:   # a file cut with another tool: every statistic over it would be of nothing
            raise ResultFileError(f"{path}: its {empty[0]} axis is empty; a result needs at least one {empty[0]}")
        if needed_by is not None:
            require(loaded, [n for n in variables or () if n not in optional], path, needed_by)
    except BaseException:
        if opened is not None:
            opened.close()
        raise
    if lazy:
        read_by_hyperslabs(loaded)
        if loaded is not opened:
            loaded.set_close(opened.close)     # closing the selection of variables closes the file
    else:
        opened.close()
    return loaded


def _unreadable(path: Path, exc: Exception) -> str:
    """Why a file given as a result could not be read, in a line: not NetCDF at all (a scenario, a
    CSV, a chart), or NetCDF that the back-ends cannot read (cut short, damaged)."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as cannot:
        return cannot.strerror or str(cannot)
    if not head.startswith((b"CDF", b"\x89HDF")):
        hint = f"; a scenario? run it first: framtid run {path}" if path.suffix.lower() == ".toml" else ""
        return f"not a NetCDF file; a result is the .nc file that framtid run writes{hint}"
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"a NetCDF file that cannot be read, cut short or damaged: {type(exc).__name__}: {first}"


def has_checksums(ds, path: Path | str) -> bool:
    """Whether a result carries checksums: every file since framtid 0.2 does, so one without them is refused
    unless its provenance says 0.1 (written before checksums existed); removing the attribute does not turn
    the check off."""
    if "checksums" in ds.attrs:
        return True
    written_by = str(ds.attrs.get("framtid_version", ""))
    if written_by.startswith("0.1."):
        return False
    raise ResultFileError(f"{path}: has no checksums (global attribute 'checksums'), which every result of framtid "
                          f"0.2 and later carries (this one says {written_by or 'no version'}); the file was edited "
                          "after the run: run the scenario again")


def verify(ds, path: Path | str = "result", checksum=data_checksum) -> None:
    """Refuse data that do not match the checksums recorded when the file was written (``checksum``:
    :func:`data_checksum` of loaded data, or :func:`streamed_checksum` of an open file)."""
    if not has_checksums(ds, path):
        return
    for name, var in ds.data_vars.items():
        recorded = var.attrs.get(CHECKSUM_ATTR)
        if recorded is None:
            raise ResultFileError(f"{path}: variable {name} has no checksum; the file was edited after the run")
        if checksum(var.variable) != recorded:
            raise ResultFileError(f"{path}: the data of {name} do not match the checksum written with them "
                                  f"(the file was damaged, cut or edited after the run; dimensions now "
                                  f"{dict(var.sizes)}); run the scenario again")


def require(ds, names: list[str], path: Path | str, why: str) -> None:
    """Refuse a result that lacks variables a command needs."""
    missing = [n for n in names if n not in ds]
    if missing:
        raise ResultFileError(f"{path}: has no {', '.join(missing)}, which {why} needs (a run with --variables keeps "
                              "only the variables it names; run the scenario again keeping these)")


def require_all_municipalities(ds, path: Path | str, why: str) -> None:
    """Refuse a result that lacks some of the 13 municipalities (a file cut with another tool) for a command
    whose regions, totals or national targets need every one of them."""
    from . import dims

    have = [str(m) for m in ds["municipality"].values]
    if any(m not in have for m in dims.MUNICIPALITIES):
        raise ResultFileError(f"{path}: holds only {', '.join(have)}; {why} needs all 13 municipalities")


def verify_file(path: Path | str) -> None:
    """Verify every checksum of a result file slab by slab, without loading it (for files too
    large for :func:`open_results`)."""
    import xarray as xr

    path = Path(path)
    try:
        with xr.open_dataset(path) as ds:
            if not has_checksums(ds, path):
                return
            for name, var in ds.data_vars.items():
                recorded = var.attrs.get(CHECKSUM_ATTR)
                if recorded is None:
                    raise ResultFileError(f"{path}: variable {name} has no checksum; the file was edited after "
                                          "the run")
                if streamed_checksum(var.variable) != recorded:
                    raise ResultFileError(f"{path}: the data of {name} do not match the checksum written with "
                                          "them (the file was damaged, cut or edited after the run)")
    except (OSError, ValueError, RuntimeError) as exc:
        raise ResultFileError(f"{path}: not a readable result file ({type(exc).__name__}: {exc})") from None


def check_plot_path(path: str | Path, force: bool = False) -> Path:
    """Refuse a chart path that is not a PNG name, is a folder, or exists (without ``force``)."""
    from .errors import UsageError

    path = Path(path)
    if path.suffix.lower() != ".png":
        raise UsageError(f"--plot {path}: the chart is a PNG; give a file name ending in .png")
    if path.is_dir():
        raise ResultFileError(f"--plot {path}: is a folder")
    if path.exists() and not force:
        raise ResultExistsError(f"{path}: exists already; choose another --plot or pass --force to replace it; "
                                "no chart was written")
    check_name(path)
    check_folder(path)
    return path
