"""One result file from the files of an ensemble's chunks (:mod:`framtid.model.uncertainty.ensemble`).

Parts
    Each chunk of draws is written as a result file of its own (:func:`save_part`): atomically,
    one HDF5 chunk row per part along ``draw``, compressed quickly (zstd where the NetCDF library
    has it), with the checksums of its draws. Parts are read back only by framtid.

Combining
    :func:`save_parts` writes the parts, in draw order, into one NetCDF-4 result file chunked by
    ``draw`` (:func:`draw_chunksizes`) and compressed with zlib (which every NetCDF-4 reader has),
    atomically like :func:`framtid.model.result_file.save`, with a checksum per variable that
    :func:`framtid.model.result_file.verify_file` checks slab by slab. The variables with ``draw``
    last, nearly all the data, are copied slab by slab (all draws of some leading indices at a
    time, covering whole HDF5 chunks): each chunk of the parts is read once, each chunk of the
    file is shuffled and compressed once, on ``COMBINE_THREADS`` threads (zlib lets go of Python's
    lock), and written as a stored chunk, and the checksum is fed from the same slabs instead of
    reading the compressed file back. The rest (coordinates, the parameter sample, variables
    without draws) is written by xarray from the parts concatenated along ``draw``.
"""

from __future__ import annotations

import functools
import itertools
import os
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np

from .errors import FramtidError
from .result_file import (CHECKSUM_ATTR, CHECKSUMS_NOTE, LABELS_ATTR, PROVENANCE_ATTR, check_result_path, digest_start,
                          feed_numbers, netcdf_encoding, number_encoding, provenance_checksum, streamed_checksum,
                          with_provenance_checksum, write_labels_checksums)
from .safe_write import write_atomically

# Target uncompressed size of one HDF5 chunk [bytes]; the HDF5 chunk cache of each variable of each
# open file while combining [bytes] (whole chunks are read and written once, so a cache would only
# hold memory: by default 64 MB per variable, and of every part file, it grew to several GB for
# 10 000 draws); the most bytes (as float64) of one variable combined at once [bytes].
CHUNK_BYTES = 2 << 20
COMBINE_CACHE_BYTES = 0
COMBINE_SLAB_BYTES = 32 << 20
# zlib level of the combined file: level 1 took three quarters of level 4's time for a file 1.5 %
# larger (single-precision draws compress to about 57 % whatever the level).
ENSEMBLE_COMPRESSION_LEVEL = 1
COMBINE_THREADS = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                                 else os.cpu_count() or 1))


def draw_chunksizes(dims: tuple[str, ...], shape: tuple[int, ...], draw_chunk: int,
                    target: int | None = None) -> tuple[int, ...]:
    """HDF5 chunk shape of a variable with a ``draw`` axis: ``draw_chunk`` draws, the innermost
    other axes whole as long as a chunk stays within ``target`` bytes [bytes] of float64, the
    outer axes one index each (so one municipality's or source's values read without the rest).
    ``target`` defaults to ``CHUNK_BYTES``."""
    target = CHUNK_BYTES if target is None else target
    chunk = [1] * len(shape)
    d = dims.index("draw")
    chunk[d] = max(1, min(draw_chunk, shape[d]))
    size = chunk[d] * 8
    for axis in reversed(range(len(shape))):
        if axis == d:
            continue
        if size * shape[axis] > target:
            break
        chunk[axis] = max(1, shape[axis])
        size *= max(1, shape[axis])
    return tuple(chunk)


def _ensemble_encoding(ds, draw_chunk: int) -> dict:
    """Compression of :func:`_encoding` at ``ENSEMBLE_COMPRESSION_LEVEL``, and chunks along ``draw``
    of ``draw_chunk`` draws."""
    encoding = {name: number_encoding(ENSEMBLE_COMPRESSION_LEVEL) for name in netcdf_encoding(ds, "netcdf4")}
    for name, var in ds.variables.items():
        if "draw" in var.dims and name in encoding:
            encoding[name]["chunksizes"] = draw_chunksizes(var.dims, var.shape, draw_chunk)
    return encoding


def _part_encoding(ds) -> dict:
    """Encoding of a part: one HDF5 chunk row per part along ``draw``, compressed with zstd level 1
    where the NetCDF library has it (some ten times faster than zlib at nearly its ratio on these
    data; parts are read back only by framtid), else not compressed."""
    import netCDF4

    fast = {"compression": "zstd", "complevel": 1, "shuffle": True} if netCDF4.__has_zstandard_support__ else {}
    encoding = {}
    for name, var in ds.variables.items():
        if var.dtype.kind in "fiu" and var.ndim > 0:
            encoding[name] = dict(fast)
            if "draw" in var.dims:
                encoding[name]["chunksizes"] = draw_chunksizes(var.dims, var.shape, var.sizes["draw"])
    return encoding


def save_part(ds, path: str | Path) -> Path:
    """Write one chunk of an ensemble (a result Dataset of consecutive draws) for :func:`save_parts`:
    atomically and exclusively, quickly compressed (:func:`_part_encoding`)."""
    path = Path(path)

    ds = with_provenance_checksum(ds)
    return write_atomically(path, lambda tmp: ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4",
                                                           encoding=_part_encoding(ds)), False, "a chunk")


def _open_parts(parts: list[Path], drop: list[str]):
    """The part files as one lazy Dataset concatenated along ``draw``, without the variables ``drop``,
    variables without a draw axis taken from the first part. One dask chunk per part and variable: a
    small graph however many parts (one per HDF5 chunk grew to some 400 MB for 40 parts), and one
    part's variable in memory at a time."""
    import xarray as xr

    return xr.open_mfdataset([str(p) for p in parts], combine="nested", concat_dim="draw", data_vars="minimal",
                             coords="minimal", compat="override", join="exact", combine_attrs="override",
                             chunks=-1, parallel=False, drop_variables=drop)


def _keep_decoding_only(ds) -> None:
    """Forget what the parts' own layout put in the encodings (their chunk sizes, shapes, filters),
    keeping how values are stored (type, fill value, time units), in place."""
    kept = ("dtype", "_FillValue", "units", "calendar")
    for var in ds.variables.values():
        var.encoding = {k: v for k, v in var.encoding.items() if k in kept}


def file_checksums(path: Path | str, names: list[str] | None = None) -> dict[str, str]:
    """Checksums of the data variables ``names`` (default: every one) of a NetCDF file, computed slab
    by slab from the file."""
    import xarray as xr

    with xr.open_dataset(path) as ds:
        return {name: streamed_checksum(var.variable) for name, var in ds.data_vars.items()
                if names is None or name in names}


def _write_checksums(path: Path | str, checksums: dict[str, str]) -> None:
    """Record checksums in the variables' attributes of a written NetCDF-4 file (in place)."""
    import netCDF4

    with netCDF4.Dataset(path, "a") as nc:
        for name, value in checksums.items():
            nc.variables[name].setncattr(CHECKSUM_ATTR, value)
        nc.setncattr("checksums", CHECKSUMS_NOTE)     # says the file carries them (result_file.has_checksums)


@contextmanager
def _chunk_cache(size: int):
    """NetCDF's HDF5 chunk cache per variable [bytes] for the files opened inside."""
    import netCDF4

    before = netCDF4.get_chunk_cache()
    netCDF4.set_chunk_cache(size, *before[1:])
    try:
        yield
    finally:
        netCDF4.set_chunk_cache(*before)


def _copied_raw(var) -> bool:
    """Whether a variable of a part (read with netCDF4) goes into the combined file by copying its
    stored numbers: numbers with ``draw`` as the last axis, stored as they read (no scale or offset,
    NaN or no fill value), so that the copied numbers are also the values the checksum covers."""
    names = var.ncattrs()
    if var.dimensions[-1:] != ("draw",) or var.ndim < 2 or var.dtype.kind not in "fiu":
        return False
    if "scale_factor" in names or "add_offset" in names:
        return False
    if "_FillValue" not in names:
        return True
    return var.dtype.kind == "f" and bool(np.isnan(var.getncattr("_FillValue")))


def _copied_variables(part) -> list[str]:
    """The data variables of a part (open with netCDF4) that :func:`_copied_raw` copies: not its
    coordinates (named after a dimension, or in a variable's ``coordinates`` attribute)."""
    coordinates = {name for var in part.variables.values() if "coordinates" in var.ncattrs()
                   for name in str(var.getncattr("coordinates")).split()}
    return [name for name, var in part.variables.items()
            if name not in part.dimensions and name not in coordinates and _copied_raw(var)]


def _combined_slabs(shape: tuple[int, ...], chunks: tuple[int, ...], budget: int | None = None) -> int:
    """How many leading axes to loop over when combining a variable of HDF5 ``chunks`` (draw last):
    the fewest whose slabs (the other axes whole) hold at most ``budget`` bytes of float64 [bytes]
    (default ``COMBINE_SLAB_BYTES``), but never more than the leading axes chunked one index at a
    time, so that a slab covers whole chunks and each chunk of the combined file is compressed once
    (:func:`draw_chunksizes` keeps such a slab within ``CHUNK_BYTES`` x the number of draw chunks)."""
    budget = COMBINE_SLAB_BYTES if budget is None else budget
    fits = next((k for k in range(len(shape)) if int(np.prod(shape[k:], dtype=np.int64)) * 8 <= budget),
                len(shape) - 1)
    return min(fits, next((i for i, c in enumerate(chunks) if c != 1), len(chunks) - 1))


def _define_variable(name: str, sources: list, out, draw_chunk: int) -> None:
    """Create variable ``name`` in the open combined file ``out`` (netCDF4) as the parts (``sources``,
    open netCDF4 Datasets in draw order) define it: dimensions, type, fill value, attributes but the
    parts' checksum, chunks of ``draw_chunk`` draws, zlib after the byte shuffle. Its data are
    written by :func:`_fill_variable`, or by :func:`_stack_variable` where ``draw`` is not last."""
    first = sources[0].variables[name]
    d = first.dimensions.index("draw")
    shape = first.shape[:d] + (sum(src.variables[name].shape[d] for src in sources),) + first.shape[d + 1:]
    for dim, size in zip(first.dimensions, shape):
        if dim not in out.dimensions:     # a dimension without coordinates that only copied variables use
            out.createDimension(dim, size)
    fill = first.getncattr("_FillValue") if "_FillValue" in first.ncattrs() else None
    var = out.createVariable(name, first.dtype, first.dimensions, fill_value=fill,
                             chunksizes=draw_chunksizes(first.dimensions, shape, draw_chunk),
                             **number_encoding(ENSEMBLE_COMPRESSION_LEVEL))
    var.setncatts({k: first.getncattr(k) for k in first.ncattrs() if k not in ("_FillValue", CHECKSUM_ATTR,
                                                                                 LABELS_ATTR)})


def _stacked_variables(part, copied: list[str]) -> list[str]:
    """The variables of a part (open with netCDF4) with a ``draw`` axis that is not their last (the
    parameter sample), which :func:`_stack_variable` writes part after part: not ``draw`` itself, nor
    the ``copied`` ones."""
    return [name for name, var in part.variables.items()
            if "draw" in var.dimensions and name != "draw" and name not in copied]


def _stack_variable(name: str, sources: list, target) -> None:
    """Write the stored numbers of ``name`` from the parts (``sources``, netCDF4, draw order) into
    ``target`` (the netCDF4 variable made by :func:`_define_variable`), one part after the other."""
    d = target.dimensions.index("draw")
    start = 0
    for src in sources:
        values = src.variables[name][...]
        target[(slice(None),) * d + (slice(start, start + values.shape[d]),)] = values
        start += values.shape[d]


def _stored_chunk(slab: np.ndarray, chunk: tuple[int, ...], level: int, offset: tuple[int, ...]) -> bytes:
    """The HDF5 chunk of ``slab`` at ``offset`` as the file stores it: shuffled (HDF5's shuffle filter
    puts the first bytes of every number first, then the second bytes, ...) and zlib-compressed at
    ``level`` (HDF5's deflate filter writes the zlib format). A chunk reaching past the last draw is
    stored whole, the part past the end zero."""
    piece = slab[tuple(slice(o, o + c) for o, c in zip(offset, chunk))]
    if piece.shape != chunk:
        whole = np.zeros(chunk, dtype=slab.dtype)
        whole[tuple(slice(0, n) for n in piece.shape)] = piece
        piece = whole
    planes = np.ascontiguousarray(piece).view(np.uint8).reshape(-1, slab.dtype.itemsize).T
    return zlib.compress(np.ascontiguousarray(planes), level)


def _fill_variable(name: str, sources: list, target, pool: ThreadPoolExecutor) -> str:
    """Write the data of ``name`` from the parts (``sources``, netCDF4, draw order) into ``target``
    (the h5py dataset made by :func:`_define_variable`) slab by slab, each slab's chunks compressed on
    the threads of ``pool`` while this thread feeds the slab to the checksum; return the checksum
    (the slabs in C order: it equals :func:`framtid.model.result_file.streamed_checksum` of the file)."""
    if target.compression != "gzip" or not target.shuffle:
        raise FramtidError(f"{name}: the combined file's variable is not shuffled and zlib-compressed")
    dims = sources[0].variables[name].dimensions
    ends = np.cumsum([0] + [src.variables[name].shape[-1] for src in sources])
    shape, chunks = target.shape, target.chunks
    digest = digest_start(dims, shape)
    k = _combined_slabs(shape, chunks)
    slab = np.empty(shape[k:], dtype=target.dtype)
    grid = list(itertools.product(*(range(0, n, c) for n, c in zip(shape[k:], chunks[k:]))))
    encode = functools.partial(_stored_chunk, slab, chunks[k:], target.compression_opts)
    for index in np.ndindex(*shape[:k]):
        for src, a, b in zip(sources, ends[:-1], ends[1:]):
            slab[..., a:b] = src.variables[name][index]
        stored = pool.map(encode, grid)           # compressed on the threads ...
        feed_numbers(digest, slab)               # ... while this one hashes
        for offset, data in zip(grid, stored):
            target.id.write_direct_chunk(index + offset, data)
    return "sha256:" + digest.hexdigest()


def _combine(parts: list[Path], tmp: str, draw_chunk: int, attrs: dict) -> None:
    """Write the parts into ``tmp`` with their checksums (see the module's docstring)."""
    import dask
    import h5py
    import netCDF4

    with _chunk_cache(COMBINE_CACHE_BYTES), ExitStack() as stack:
        sources = [stack.enter_context(netCDF4.Dataset(p)) for p in parts]
        for src in sources:
            src.set_auto_maskandscale(False)
        copied = _copied_variables(sources[0])
        stacked = _stacked_variables(sources[0], copied)
        with _open_parts(parts, copied + stacked) as rest:
            _keep_decoding_only(rest)
            # what is left has no draw axis but its own (coordinates, labels): small, and written from memory
            # so that the file's bytes do not hang on the order dask writes its pieces in (keyed by the
            # parts' temporary names)
            rest.load()
            for var in rest.data_vars.values():
                var.attrs.pop(CHECKSUM_ATTR, None)      # the parts' checksums cover their draws only
                var.attrs.pop(LABELS_ATTR, None)
            rest.attrs.update(attrs)
            rest.attrs[PROVENANCE_ATTR] = provenance_checksum(rest.attrs)
            # a dimension of length 0 is unlimited in the parts; only the copied variables may have it
            rest.encoding["unlimited_dims"] = {d for d in rest.encoding.get("unlimited_dims", ()) if d in rest.dims}
            with dask.config.set(scheduler="synchronous"):   # one task's data in memory at a time
                rest.to_netcdf(tmp, engine="netcdf4", format="NETCDF4",
                               encoding=_ensemble_encoding(rest, draw_chunk))
            others = list(rest.data_vars) + stacked
        with netCDF4.Dataset(tmp, "a") as out:
            out.set_auto_maskandscale(False)
            for name in copied + stacked:
                _define_variable(name, sources, out, draw_chunk)
            for name in stacked:
                _stack_variable(name, sources, out.variables[name])
        with h5py.File(tmp, "r+") as out, ThreadPoolExecutor(COMBINE_THREADS) as pool:
            checksums = {name: _fill_variable(name, sources, out[name], pool) for name in copied}
    with _chunk_cache(COMBINE_CACHE_BYTES):
        checksums.update(file_checksums(tmp, others))
    _write_checksums(tmp, checksums)
    write_labels_checksums(tmp)


def save_parts(parts: list[Path], path: str | Path, draw_chunk: int, attrs: dict | None = None,
               force: bool = False) -> Path:
    """Combine result files of consecutive draws (in draw order) into one compressed NetCDF-4 result
    chunked by ``draw_chunk`` draws, written atomically like :func:`framtid.model.result_file.save`
    (never over an existing file without ``force``), with checksums. ``attrs`` replace global
    attributes of the first part."""
    path = check_result_path(path, force)
    if not parts:
        raise FramtidError(f"{path}: no finished chunks to combine")
    return write_atomically(path, lambda tmp: _combine(parts, tmp, draw_chunk, attrs or {}), force, "the result")


