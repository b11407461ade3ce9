"""Result files on disk: NetCDF written atomically and exclusively, with a checksum per variable, and opened
with checks.

Writing
    Through :mod:`framtid.model.safe_write`: a hidden temporary twin, then the final name, exclusively unless
    ``force``; nothing is left half-written on an error, Ctrl-C or SIGTERM.

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

import hashlib
import os
import re
from pathlib import Path

import numpy as np

from .errors import FramtidError, ResultExistsError, ResultFileError
from .safe_write import check_name, is_utf8_name, write_atomically

FORMATS = ("netcdf4", "netcdf3")
COMPRESSION_LEVEL = 4        # zlib, of the numbers of NetCDF-4 result files
CHECKSUM_ATTR = "checksum"
LABELS_ATTR = "labels_checksum"
# The global attribute "checksums": the file carries a checksum per data variable (has_checksums), and since
# 0.8.0 one of the labels it is read by (its coordinates and attributes); files of 0.2-0.7 have none.
CHECKSUMS_NOTE = (f"sha256 of each data variable in its '{CHECKSUM_ATTR}' attribute, and of its coordinates and "
                  f"attributes in '{LABELS_ATTR}'")
CHECKSUMS_NOTE_0_2 = f"sha256 of each data variable in its '{CHECKSUM_ATTR}' attribute"   # files of 0.2-0.7


# The global attribute with the checksum of the run's record (provenance_checksum), and the attributes it covers:
# those framtid writes about the run (version, code, seed, draws, scenarios and their files, ...), not those other
# tools add or change when they re-save a file (history, Conventions, NCO's).
PROVENANCE_ATTR = "provenance_checksum"
PROVENANCE_KEYS = re.compile(r"framtid_version|git_commit|code_sha256|libraries|seed|draws|sampler|ensemble_draws|"
                             r"ensemble_chunk_size|ensemble_manifest|precision|calibration|scenarios|accounting|"
                             r"data_sources|embedded_data_sha256|scenario\d+_(name|file\d+|parameters)")
PROVENANCE_SINCE = (0, 10, 3)   # files of earlier versions have none

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


def _canonical(value) -> list[str]:
    """An attribute's or coordinate's values as text that reads the same however a NetCDF back-end returns
    them (a scalar or a one-element array, an int8 or a bool): numbers as float64, the rest as text."""
    if isinstance(value, str):
        return [value]
    flat = np.atleast_1d(np.asarray(value)).ravel()
    if flat.dtype.kind in NUMERIC_KINDS:
        return [repr(float(x)) for x in flat]
    return [str(x) for x in flat]


def labels_checksum(da) -> str:
    """``sha256:<hex>`` of what a variable's numbers are read by: the values of its coordinates and its
    attributes (units, GWP set, ...), but the two checksums. A file whose years were reversed or whose GWP
    attribute was changed keeps its data checksums; this one does not."""
    digest = hashlib.sha256()
    for name in sorted(da.coords):
        coord = da.coords[name]
        digest.update(repr((str(name), tuple(coord.dims))).encode())
        digest.update("\x1f".join(_canonical(coord.values)).encode("utf-8"))
    for key in sorted(k for k in da.attrs if k not in (CHECKSUM_ATTR, LABELS_ATTR)):
        digest.update(("\x1e" + key + "\x1d" + "\x1f".join(_canonical(da.attrs[key]))).encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def write_labels_checksums(path: Path | str) -> None:
    """Record :func:`labels_checksum` of every data variable of a written file, as a reader sees it, in the
    variable's attributes (in place; NetCDF-3 or -4)."""
    import netCDF4
    import xarray as xr

    with xr.open_dataset(path, cache=False) as ds:
        sums = {name: labels_checksum(ds[name]) for name in ds.data_vars}
    with netCDF4.Dataset(path, "a") as nc:
        for name, value in sums.items():
            nc.variables[name].setncattr(LABELS_ATTR, value)


def provenance_checksum(attrs) -> str:
    """``sha256:<hex>`` of the run's record among the global attributes ``attrs`` (:data:`PROVENANCE_KEYS`):
    a file whose seed, version, scenario texts or parameters were edited, or one of them removed, keeps its data
    checksums; this one does not."""
    digest = hashlib.sha256()
    for key in sorted(k for k in attrs if PROVENANCE_KEYS.fullmatch(k)):
        digest.update(("\x1e" + key + "\x1d" + "\x1f".join(_canonical(attrs[key]))).encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def with_provenance_checksum(ds):
    """``ds`` (a shallow copy) with :func:`provenance_checksum` of its attributes, as written."""
    ds = ds.copy(deep=False)
    ds.attrs = {**ds.attrs, PROVENANCE_ATTR: provenance_checksum(ds.attrs)}
    return ds


def _version(ds) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in str(ds.attrs.get("framtid_version", "")).split(".")[:3])
    except ValueError:
        return ()


def add_checksums(ds) -> None:
    """Record each data variable's checksum in its attributes (in place)."""
    for name, var in ds.data_vars.items():
        var.attrs[CHECKSUM_ATTR] = data_checksum(var)
        var.attrs[LABELS_ATTR] = labels_checksum(var)   # as a reader of the file will see them (tested)
    ds.attrs["checksums"] = CHECKSUMS_NOTE
    ds.attrs[PROVENANCE_ATTR] = provenance_checksum(ds.attrs)   # made again as written (attributes added since)


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
    ds = with_provenance_checksum(ds)
    if fmt == "netcdf4":
        ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4", encoding=netcdf_encoding(ds, fmt))
    else:
        ds.to_netcdf(tmp, engine="scipy", format="NETCDF3_64BIT")


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
    if path.suffix != ".nc" or path.name == ".nc":   # ".nc" alone is a name without an extension
        raise ResultFileError(f"{path}: result files are named NAME.nc" if path.name == ".nc"
                              else f"{path}: result files must end in .nc")
    check_name(path)
    if os.path.lexists(path) and not force:   # a link to nothing too: its name could not be taken
        raise ResultExistsError(f"{path}: exists already; choose another --out or pass --force to replace it")
    return path


REQUIRED = {"emissions": ("scenario", "municipality", "sector", "year", "draw")}


def readable_path(path: str | Path) -> Path:
    """``path`` as a Path if it names a file a result can be read from, else one ResultFileError: no such file, a
    folder, or no regular file (a named pipe, a device or a socket, which the NetCDF libraries would wait on
    for ever: a result is read by seeking, never as a stream)."""
    path = Path(path)
    if not is_utf8_name(str(path)):
        raise ResultFileError(f"{str(path).encode('utf-8', 'surrogateescape')!r}: the file name is not UTF-8, which "
                              "the NetCDF library needs; rename the file")
    if not path.exists():
        raise ResultFileError(f"{path}: no such result file")
    if path.is_dir():
        raise ResultFileError(f"{path}: is a folder, not a result file")
    if not path.is_file():
        raise ResultFileError(f"{path}: not a regular file (a pipe, device or socket); give a result file "
                              "written by framtid run")
    return path


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

    path = readable_path(path)
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


# The first bytes of a NetCDF file: NetCDF-3 classic, 64-bit offset and CDF-5, and NetCDF-4 (HDF5)
NETCDF_SIGNATURES = (b"CDF\x01", b"CDF\x02", b"CDF\x05", b"\x89HDF")


def is_netcdf(head: bytes) -> bool:
    """Whether a file starting with the bytes ``head`` is a NetCDF file (a result, say, given where a scenario or
    observations were asked for)."""
    return head.startswith(NETCDF_SIGNATURES)


def _unreadable(path: Path, exc: Exception) -> str:
    """Why a file given as a result could not be read, in a line: not NetCDF at all (a scenario, a
    CSV, a chart), or NetCDF that the back-ends cannot read (cut short, damaged)."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as cannot:
        return cannot.strerror or str(cannot)
    if not is_netcdf(head):
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
    # Files of 0.2-0.7 have no labels checksums: only those, by their version and their note together.
    labelled = not (str(ds.attrs.get("framtid_version", "")).startswith(tuple(f"0.{v}." for v in range(2, 8)))
                    and ds.attrs.get("checksums") == CHECKSUMS_NOTE_0_2)
    recorded = ds.attrs.get(PROVENANCE_ATTR)
    if (recorded is None and _version(ds) >= PROVENANCE_SINCE) or (
            recorded is not None and recorded != provenance_checksum(ds.attrs)):
        raise ResultFileError(f"{path}: the record of the run (its version, code, seed, draws, scenarios or their "
                              "files) is not the one written with it; the file was edited after the run: run the "
                              "scenario again")
    for name, var in ds.data_vars.items():
        recorded = var.attrs.get(CHECKSUM_ATTR)
        if recorded is None:
            raise ResultFileError(f"{path}: variable {name} has no checksum; the file was edited after the run")
        if checksum(var.variable) != recorded:
            raise ResultFileError(f"{path}: the data of {name} do not match the checksum written with them "
                                  f"(the file was damaged, cut or edited after the run; dimensions now "
                                  f"{dict(var.sizes)}); run the scenario again")
        if labelled and var.attrs.get(LABELS_ATTR) != labels_checksum(var):
            raise ResultFileError(f"{path}: the coordinates or attributes of {name} (its years, municipalities, "
                                  "units, GWP set, ...) are not those written with it; the file was edited after "
                                  "the run: run the scenario again")


def require(ds, names: list[str], path: Path | str, why: str) -> None:
    """Refuse a result that lacks variables a command needs."""
    missing = [n for n in names if n not in ds]
    if missing:
        from .. import __version__

        written = str(ds.attrs.get("framtid_version", ""))
        older = (f"the file was written by framtid {written}, which may not have recorded them, or "
                 if written and written != __version__ else "")
        raise ResultFileError(f"{path}: has no {', '.join(missing)}, which {why} needs ({older}a run with --variables "
                              "keeps only the variables it names; run the scenario again keeping these)")


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

    path = readable_path(path)
    try:
        with xr.open_dataset(path) as ds:
            verify(ds, path, streamed_checksum)
    except (OSError, ValueError, RuntimeError) as exc:
        raise ResultFileError(f"{path}: not a readable result file ({type(exc).__name__}: {exc})") from None


