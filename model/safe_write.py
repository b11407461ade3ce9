"""Files written safely: whole or not at all, and never over an existing file by accident.

A file is written into a hidden temporary twin beside its target (``.NAME.<8 random characters>.tmp``, matched
by the ignore patterns) and then given its name (:func:`publish`): without ``force`` by a hard link, which fails
if the name exists, even if it was created a moment ago, so that of two runs writing the same new path the second
says "exists already" instead of replacing the first; with ``force`` by one rename over the old file. On any
exception, including the KeyboardInterrupt or termination signal the command line turns into one, the temporary
file is removed; Ctrl-C and SIGTERM wait for the file being written (:func:`interrupts_held`). Files that belong
together (the charts of one command) are all written before any is named (:func:`write_all_atomically`).
Names the file system cannot hold and folders that cannot be written are refused before any work
(:func:`check_name`, :func:`check_folder`; :func:`check_file` checks a file to write whole: its ending, its name,
whether it exists). Result files (:mod:`framtid.model.result_file`), exports, charts and
an ensemble's chunks are written this way.
"""

from __future__ import annotations

import errno
import glob
import os
import signal
import tempfile
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path

from .errors import FramtidError, ResultExistsError, ResultFileError

TEMP_SUFFIX = ".tmp"
# The temporary name adds a dot, 8 random characters, a dot and ".tmp" to the final name.
_TEMP_EXTRA = 1 + 1 + 8 + len(TEMP_SUFFIX)


def check_name(path: Path, option: str = "--out") -> None:
    """Refuse a result path whose file name (or its temporary twin) the file system cannot hold; the message
    asks for a shorter ``option``."""
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
                              f"most {limit} here); choose a shorter {option}")
    if len(os.fsencode(str(path.absolute()))) + _TEMP_EXTRA >= path_max:
        raise ResultFileError(f"{str(path)[:60]}...: path too long (at most {path_max - _TEMP_EXTRA - 1} bytes "
                              f"here); choose a shorter {option}")


def check_folder(path: Path, option: str | None = None) -> None:
    """Refuse a file or folder to write whose folder cannot be made or written: the nearest existing folder
    above it is a file or read-only. Checked before any work (a write would fail only after it, and with
    "File exists" where the folder is a file). The message begins with ``option`` when one is given."""
    folder = path.parent if str(path.parent) else Path(".")
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        where = f"{option}: " if option else ""
        raise ResultFileError(f"{where}{path}: cannot write there ({existing} is not a writable folder)")


def exists_already(path: Path, option: str = "--out") -> ResultExistsError:
    """The error for a file to write that exists and may not be replaced (no ``--force``)."""
    return ResultExistsError(f"{path}: exists already; choose another {option} or pass --force to replace it")


def check_file(path: str | Path, force: bool, option: str, suffixes: tuple[str, ...], allowed: str) -> Path:
    """Refuse a file named by ``option`` that cannot or must not be written, before any work: a name not
    ending in one of ``suffixes`` (the message says ``allowed``), a name the file system cannot hold, a folder,
    an existing file without ``force``, a folder above it that cannot be written. Each message names
    ``option`` and the file."""
    from .errors import UsageError

    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise UsageError(f"{option}: {path}: {allowed}")
    check_name(path, option)          # before asking the file system about a name it cannot hold
    if path.is_dir():
        raise UsageError(f"{option}: {path} is a folder; give a file name ending in {' or '.join(suffixes)}")
    if os.path.lexists(path) and not force:          # a link to nothing too: the file could not be named later
        raise exists_already(path, option)
    check_folder(path, option)
    return path


def temporary_name(path: Path) -> str:
    """Prefix and suffix of the temporary file written before ``path`` (hidden, ends in .tmp)."""
    return f".{path.name}."


def leftover_temporaries(path: Path) -> list[str]:
    """The hidden temporary twins of ``path`` (:func:`temporary_name`) beside it: what a write killed outright
    (kill -9, a power cut) leaves. Named, not removed, by their callers: another run writing the same file would
    own one, and only the user knows whether one does."""
    return sorted(p.name for p in path.parent.glob(f"{glob.escape(temporary_name(path))}*{TEMP_SUFFIX}"))


def publish(tmp: str, path: Path, force: bool) -> None:
    """Give the finished temporary file its final name: exclusively unless ``force``."""
    if force:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)          # fails if the name exists, even if created a moment ago
    except FileExistsError:
        raise exists_already(path) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        # file systems without hard links: reserve the name exclusively, then move the file over it
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            raise exists_already(path) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


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


def write_atomically(path: Path, write, force: bool, what: str, option: str = "--out") -> Path:
    """Write a file through ``write(temporary_path)`` into a hidden temporary file beside ``path``,
    then give it its name: exclusively unless ``force`` (:func:`publish`). On any error or
    interrupt the temporary file is removed; an OSError becomes one message naming ``path``.
    Interrupts wait while ``write`` runs (:func:`interrupts_held`: the NetCDF libraries' locks). ``option``
    is the one that named the file, for the message of a name taken meanwhile."""
    return write_all_atomically([(path, write)], force, what, hold_writes=True, option=option)[0]


def text_writer(text: str):
    """What writes ``text`` as UTF-8 into a file, its line ends as they are (for :func:`write_all_atomically`)."""
    def _write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)

    return _write


def write_text(path: Path, text: str, force: bool, what: str, option: str = "--out") -> Path:
    """:func:`write_atomically` of ``text`` as UTF-8, its line ends as they are."""
    return write_atomically(path, text_writer(text), force, what, option)


def regenerate(path: Path, text: str, check: bool, said: str | None = None) -> int:
    """A file a tool writes from the embedded data (tools/tax_history.py and the like): with ``check``, 0 if
    ``path`` holds ``text`` already and 1 if it is out of date or missing, writing nothing; else ``text`` written
    over it (:func:`write_text`), ``said`` (default "wrote PATH") printed, and 0."""
    if check:
        return 0 if path.exists() and path.read_text(encoding="utf-8") == text else 1
    write_text(path, text, force=True, what="generated file")
    print(said or f"wrote {path}")
    return 0


def write_all_atomically(files: list[tuple[Path, object]], force: bool, what: str,
                         hold_writes: bool = False, option: str = "--out") -> list[Path]:
    """:func:`write_atomically` for several files ``[(path, write), ...]`` that belong together (the charts of
    one command): each is written into its temporary file first, and only then are they all given their names,
    with interrupts held, so that an error or interrupt while writing leaves none of them and no mix of new
    and old. ``hold_writes`` holds interrupts from the first write until the files have their names."""
    temps: list[str] = []
    path = files[0][0] if files else Path(".")
    # a name taken by a folder would fail only when its file is named, after the others: refused before any
    folders = [p for p, _ in files if p.is_dir()]
    if folders:
        raise FramtidError(f"{folders[0]}: is a folder, so {what} cannot take its name; move it or choose another "
                           "place; nothing was written")
    # ... and so would a name taken (a link to nothing included), whose file would fail after the others had theirs
    taken = [p for p, _ in files if os.path.lexists(p)] if not force else []
    if taken:
        raise exists_already(taken[0], option)
    # the names given so far, each with the (device, inode) of the file it was given to: taken back should a later
    # one fail, where they still hold that file
    named: list[tuple[Path, int, int]] = []
    folders_made: list[Path] = []     # the folders made for the files, removed again should the write not complete
    done = False
    try:
        with interrupts_held() if hold_writes else nullcontext():
            for path, write in files:
                folders_made += make_folder(path.parent)
                fd, tmp = tempfile.mkstemp(prefix=temporary_name(path), suffix=TEMP_SUFFIX, dir=path.parent)
                os.close(fd)
                temps.append(tmp)
                write(tmp)
                # mkstemp creates the file readable by its owner only; give it the usual mode.
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            with interrupts_held():
                try:
                    for (path, _), tmp in zip(files, temps):
                        made = os.stat(tmp)      # the name takes this file itself (a link, or the file moved)
                        publish(tmp, path, force)
                        named.append((path, made.st_dev, made.st_ino))
                except ResultExistsError:   # taken since it was checked: ask for another of its option
                    _take_back(named, force)
                    raise exists_already(path, option) from None
                except OSError:
                    _take_back(named, force)
                    raise
        done = True
    except OSError as exc:
        raise FramtidError(f"{path}: cannot write {what} ({exc.strerror or exc}); {_left(named, force)}") from None
    except RuntimeError as exc:
        if not str(exc).startswith("NetCDF:"):   # the NetCDF library's own errors (a full disk: "HDF error")
            raise
        raise FramtidError(f"{path}: cannot write {what} ({exc}: is the disk full?); nothing was written") from None
    finally:
        # Whatever happened (error, Ctrl-C, termination signal), no temporary file stays behind.
        for tmp in temps:
            if os.path.lexists(tmp):
                os.unlink(tmp)
        if not done:
            remove_made_folders(folders_made)
    return [p for p, _ in files]


def make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` with its missing parents; the folders it made, outermost first (for
    :func:`remove_made_folders` should the write they were made for fail)."""
    missing = []
    for p in (folder, *folder.parents):
        if os.path.lexists(p):
            break
        missing.append(p)
    folder.mkdir(parents=True, exist_ok=True)
    return missing[::-1]


def remove_made_folders(made: list[Path]) -> None:
    """Remove the folders :func:`make_folder` made, innermost first, where they are still empty: a write that
    failed or was interrupted leaves no trace, not even the folders made for it."""
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:       # not empty (something else put a file there meanwhile) or gone: left as it is
            pass


def _left(named: list[tuple[Path, int, int]], force: bool) -> str:
    """What an error while naming the files of :func:`write_all_atomically` leaves: nothing, or with ``force``
    the files it had already put in place, new or over old ones (:func:`_take_back` does not take those back)."""
    if force and named:
        written = ", ".join(str(path) for path, _, _ in named)
        return f"{written} written already (--force: not taken back), the rest not written"
    return "nothing was written"


def _take_back(named: list[tuple[Path, int, int]], force: bool) -> None:
    """Remove the files of :func:`write_all_atomically` already named when a later one could not be: without
    ``force`` each name was new, so none of the files stays. (With ``force`` a file replaced is not restored.)
    A name that holds another file by now (another process replaced ours meanwhile) is left to it."""
    if not force:
        for path, device, inode in named:
            try:
                now = os.lstat(path)
            except FileNotFoundError:
                continue
            if (now.st_dev, now.st_ino) == (device, inode):
                os.unlink(path)


def check_plot_path(path: str | Path, force: bool = False) -> Path:
    """Refuse a chart path that is not a PNG name, is a folder, or exists (without ``force``)."""
    from .errors import UsageError

    path = Path(path)
    if path.suffix.lower() != ".png":
        raise UsageError(f"--plot {path}: the chart is a PNG; give a file name ending in .png")
    if path.is_dir():
        raise ResultFileError(f"--plot {path}: is a folder")
    if os.path.lexists(path) and not force:   # a link to nothing too
        raise ResultExistsError(f"{path}: exists already; choose another --plot or pass --force to replace it; "
                                "no chart was written")
    check_name(path)
    check_folder(path)
    return path


def is_utf8_name(name: str) -> bool:
    """Whether a file name is UTF-8, which the NetCDF library needs: bytes that are not come from the command
    line as surrogates, which no codec but ``surrogateescape`` can write."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
