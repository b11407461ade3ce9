"""Result files on disk: NetCDF written atomically and exclusively, with a checksum per variable.

Writing
    The Dataset goes to a hidden temporary file in the target folder
    (``.NAME.nc.XXXXXXXX.tmp``, matched by the ignore patterns), which is then
    linked to its final name. Without ``force`` the link is exclusive: of two
    runs writing the same new path, the second fails with "exists already"
    instead of silently replacing the first. With ``force`` the temporary file
    replaces the old one in one rename. On any exception, including the
    KeyboardInterrupt or termination signal the command line turns into one, the
    temporary file is removed.

Format
    NetCDF-4 (HDF5) with zlib compression by default; NetCDF-3 (64-bit offset)
    on request, for tools that read only that.

Checksums
    Every data variable carries ``checksum = "sha256:..."`` over its dimensions,
    shape and values (floats as little-endian float64, NaN canonical). Opening
    verifies them, so a damaged, cut or edited file is refused with the name of
    the variable instead of printing nonsense; re-saving the same data with
    another NetCDF tool keeps them valid.
"""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

from .errors import FramtidError, ResultExistsError, ResultFileError

FORMATS = ("netcdf4", "netcdf3")
CHECKSUM_ATTR = "checksum"
TEMP_SUFFIX = ".tmp"
# The temporary name adds a dot, 8 random characters, a dot and ".tmp" to the final name.
_TEMP_EXTRA = 1 + 1 + 8 + len(TEMP_SUFFIX)


def data_checksum(var) -> str:
    """``sha256:<hex>`` of a variable's dimensions, shape and values."""
    values = np.asarray(var.values)
    digest = hashlib.sha256(repr((tuple(var.dims), values.shape)).encode())
    if values.dtype.kind in "fiub":
        canonical = np.ascontiguousarray(values, dtype="<f8")
        canonical = np.where(np.isnan(canonical), np.nan, canonical)   # one NaN bit pattern
        digest.update(canonical.tobytes())
    else:
        digest.update("\x1f".join(str(v) for v in values.ravel()).encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def add_checksums(ds) -> None:
    """Record each data variable's checksum in its attributes (in place)."""
    for name, var in ds.data_vars.items():
        var.attrs[CHECKSUM_ATTR] = data_checksum(var)
    ds.attrs["checksums"] = f"sha256 of each data variable in its '{CHECKSUM_ATTR}' attribute"


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


def temporary_name(path: Path) -> str:
    """Prefix and suffix of the temporary file written before ``path`` (hidden, ends in .tmp)."""
    return f".{path.name}."


def _encoding(ds, fmt: str) -> dict:
    if fmt != "netcdf4":
        return {}
    # Compress numbers; strings (variable length in NetCDF-4) are not compressible by HDF5 filters.
    return {name: {"zlib": True, "complevel": 4, "shuffle": True}
            for name, var in ds.variables.items() if var.dtype.kind in "fiu" and var.ndim > 0}


def _write(ds, tmp: str, fmt: str) -> None:
    if fmt == "netcdf4":
        ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4", encoding=_encoding(ds, fmt))
    else:
        ds.to_netcdf(tmp, engine="scipy", format="NETCDF3_64BIT")


def _publish(tmp: str, path: Path, force: bool) -> None:
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
    path = Path(path)
    if fmt not in FORMATS:
        raise FramtidError(f"unknown result format {fmt!r}; allowed: {', '.join(FORMATS)}")
    if path.suffix != ".nc":
        raise ResultFileError(f"{path}: result files must end in .nc")
    check_name(path)
    if path.exists() and not force:
        raise ResultExistsError(f"{path}: exists already; choose another --out or pass --force to replace it")
    return write_atomically(path, lambda tmp: _write(ds, tmp, fmt), force, "the result")


def write_atomically(path: Path, write, force: bool, what: str) -> Path:
    """Write a file through ``write(temporary_path)`` into a hidden temporary file beside ``path``,
    then give it its name: exclusively unless ``force`` (:func:`_publish`). On any error or
    interrupt the temporary file is removed; an OSError becomes one message naming ``path``."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=temporary_name(path), suffix=TEMP_SUFFIX, dir=path.parent)
        os.close(fd)
        write(tmp)
        # mkstemp creates the file readable by its owner only; give it the usual mode.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        _publish(tmp, path, force)
    except OSError as exc:
        raise FramtidError(f"{path}: cannot write {what} ({exc.strerror or exc}); nothing was written") from None
    finally:
        # Whatever happened (error, Ctrl-C, termination signal), no temporary file stays behind.
        if tmp is not None and os.path.lexists(tmp):
            os.unlink(tmp)
    return path


REQUIRED = {"emissions": ("scenario", "municipality", "sector", "year", "draw")}


def open_results(path: str | Path):
    """Open a result file (NetCDF-3 or -4, from framtid or re-saved by other tools), verify it, load it
    into memory and close the file."""
    import xarray as xr

    path = Path(path)
    if not path.exists():
        raise ResultFileError(f"{path}: no such result file")
    if path.is_dir():
        raise ResultFileError(f"{path}: is a folder, not a result file")
    try:
        with xr.open_dataset(path) as ds:
            loaded = ds.load()
    except Exception as exc:  # the NetCDF back-ends raise many types for files they cannot read
        raise ResultFileError(f"{path}: not a framtid result file ({type(exc).__name__}: {exc})") from None
    if "emissions" not in loaded or "framtid_version" not in loaded.attrs:
        raise ResultFileError(f"{path}: not a framtid result file (no emissions variable or provenance)")
    for name, dims in REQUIRED.items():
        if tuple(loaded[name].dims) != dims:
            raise ResultFileError(f"{path}: variable {name} has dimensions {loaded[name].dims}; a framtid result "
                                  f"has {dims}")
    verify(loaded, path)
    return loaded


def verify(ds, path: Path | str = "result") -> None:
    """Refuse data that do not match the checksums recorded when the file was written."""
    if "checksums" not in ds.attrs:
        return   # written before checksums existed (framtid 0.1)
    for name, var in ds.data_vars.items():
        recorded = var.attrs.get(CHECKSUM_ATTR)
        if recorded is None:
            raise ResultFileError(f"{path}: variable {name} has no checksum; the file was edited after the run")
        if data_checksum(var) != recorded:
            raise ResultFileError(f"{path}: the data of {name} do not match the checksum written with them "
                                  f"(the file was damaged, cut or edited after the run; dimensions now "
                                  f"{dict(var.sizes)}); run the scenario again")


def require(ds, names: list[str], path: Path | str, why: str) -> None:
    """Refuse a result that lacks variables a command needs."""
    missing = [n for n in names if n not in ds]
    if missing:
        raise ResultFileError(f"{path}: has no {', '.join(missing)}, which {why} needs")
