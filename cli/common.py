"""What the ``framtid`` commands share: library errors turned into one message and an exit code
(SIGTERM handled as Ctrl-C), the parsing of shared option values, and the start-up of the installed
command."""

from __future__ import annotations

import functools
import gc
import sys
import traceback

import click


def _fail(message: str, code: int) -> None:
    click.echo(f"framtid: {message}", err=True)
    sys.exit(code)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that the same clean-up as for Ctrl-C runs."""

    signal_name = "SIGTERM"


def on_sigterm(signum, frame):
    raise Terminated()


STANDARD_OUTPUT = "standard output"


class StandardOutput:
    """The process's standard output, whose failing writes (a full disk behind ``> file``) raise an OSError that
    names it, as a failing file's error names the file; a closed pipe stays a BrokenPipeError."""

    def __init__(self, stream):
        self._stream = stream

    def _named(self, call, *args):
        try:
            return call(*args)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror or str(exc), STANDARD_OUTPUT) from None

    def write(self, text):
        return self._named(self._stream.write, text)

    def flush(self):
        return self._named(self._stream.flush)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def fail_on_standard_output(exc: OSError) -> None:
    """A full disk behind ``> file``, not a bad name: exit as a file that cannot be written does."""
    _fail(f"cannot write to {STANDARD_OUTPUT} ({exc.strerror or exc})", 1)


def _interrupted_message(ctx, exc: KeyboardInterrupt) -> str:
    """Say what an interrupted command leaves behind, as it is on disk."""
    what = "terminated" if isinstance(exc, Terminated) else "interrupted"
    target = ctx.meta.get("framtid.target")
    if not target:
        return f"{what}; no result written"
    # one file, or the files a command writes together (all or none): (path, its stat before)
    targets = target if isinstance(target, list) else [target]
    written = [str(path) for path, before in targets if stat(path) not in (None, before)]
    if written:
        return f"{what}; the result was written completely to {', '.join(written)}"
    kept = "; the previous file is unchanged" if any(before is not None for _, before in targets) else ""
    return f"{what}; no result written{kept}"


def stat(path):
    import os

    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


# output paths, which :func:`output_path` refuses empty saying what the file is for
OWN_EMPTY_MESSAGE = ("out", "save", "plot")


def warn_of_an_idle_seed(n_draws: int | None) -> None:
    """Say so where ``--seed`` is given to a command that samples only with ``--draws N`` and has none: one run at
    the default values, which the seed does not change (it is recorded). A warning, where ``--sampler`` is refused:
    a script may pass its seed to every run."""
    ctx = click.get_current_context()
    if n_draws is None and ctx.get_parameter_source("seed") is click.core.ParameterSource.COMMANDLINE:
        click.echo(f"warning: --seed {ctx.params['seed']}: without --draws N nothing is sampled (one run at the "
                   "default values; the seed is recorded)", err=True)


def refuse_empty(ctx) -> None:
    """Refuse an option or argument given on the command line with an empty value (``--observed ""``): a slip
    (an unset shell variable), not "not given" and not "all", and a path "" would be read as the folder "."."""
    from framtid.model.errors import UsageError

    for param in ctx.command.params:
        if param.name in OWN_EMPTY_MESSAGE or \
                ctx.get_parameter_source(param.name) is not click.core.ParameterSource.COMMANDLINE:
            continue
        value = ctx.params.get(param.name)
        values = value if isinstance(value, (tuple, list)) else (value,)
        if any(isinstance(v, str) and not v.strip() for v in values):
            name = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
            raise UsageError(f"{name}: given empty; give a value or leave it out")


def handle_errors(func):
    """Turn library errors into one clear message and an exit code (traceback with --debug)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        debug = ctx.find_root().params.get("debug", False)
        from framtid.model.errors import FramtidError, ScenarioError

        try:
            refuse_empty(ctx)
            return func(*args, **kwargs)
        except ScenarioError as exc:
            if debug:
                traceback.print_exc()
            for problem in exc.problems:
                click.echo(f"error: {problem}", err=True)
            _fail(f"{len(exc.problems)} problem(s) found; nothing was run", exc.exit_code)
        except FramtidError as exc:
            if debug:
                traceback.print_exc()
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt as exc:
            if debug:
                traceback.print_exc()
            _fail(_interrupted_message(ctx, exc), 143 if isinstance(exc, Terminated) else 130)
        except BrokenPipeError:
            # the reader (e.g. `head`) closed the pipe: stop quietly, as Unix tools do
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except OSError as exc:
            # a file the user named could not be used (name too long, permissions, ...)
            if debug:
                raise
            where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
            if exc.filename == STANDARD_OUTPUT:
                fail_on_standard_output(exc)
            _fail(f"{where}{exc.strerror or exc}", 2)
        except MemoryError:
            if debug:
                raise
            _fail("out of memory: the run needs more than this machine has; use fewer --draws (an ensemble of "
                  "framtid run: a smaller --chunk-size, or only the --variables needed)", 1)
        except Exception as exc:  # an internal error: say so plainly
            if debug:
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", 1)

    return wrapper


def names(text: str | None, option: str) -> list[str] | None:
    """Comma-separated names, None when the option is not given; an option given without a name (``--municipality
    ,,`` or ``''``) is a usage error naming ``option``, not "all"."""
    from framtid.model.errors import UsageError

    if text is None:
        return None
    found = [t.strip() for t in text.split(",") if t.strip()]
    if not found:
        raise UsageError(f"{option}: expected one or more comma-separated names (got {text!r})")
    no_empty_item(text, option)
    # a municipality named twice (Bærum,baerum) counts once
    return list(dict.fromkeys(municipality_id(t) for t in found)) if option == "--municipality" else found


def municipality_id(text: str | None) -> str | None:
    """The framtid id of a municipality given by its id, name or municipality number of 2020 or 2024 (Bærum,
    3024 or 3201: baerum), as observed files may name them; anything else as it is, for the command to refuse
    with the ids it allows."""
    if text is None:
        return None
    from framtid.model.municipality_names import municipality_aliases

    return municipality_aliases().get(text.strip().casefold(), text)


def no_empty_item(text: str, option: str) -> None:
    """Refuse a comma-separated list with an empty item among its items (``2009,,2020``, ``oslo,``): a slip, not
    something to pass over; messages name ``option``."""
    from framtid.model.errors import UsageError

    items = [t.strip() for t in text.split(",")]
    if "" in items and any(items):
        raise UsageError(f"{option}: empty item in {text!r}")


def output_path(value: str | None, option: str, what: str) -> str | None:
    """The path of an output option, None when it is not given; an empty one (``--out ""``) is a usage error naming
    ``option`` and ``what`` it is for, not "not given"."""
    from framtid.model.errors import UsageError
    from framtid.model.safe_write import is_utf8_name

    if value is not None and not value.strip():
        raise UsageError(f"{option}: give {what}")
    if value is not None and not is_utf8_name(value):
        raise UsageError(f"{option}: the file name {value.encode('utf-8', 'surrogateescape')!r} is not UTF-8, which "
                         "the NetCDF and chart libraries need; give a UTF-8 name")
    return value



def save_option(force: bool = True):
    """The ``--save FILE`` option of a command that prints a table (and ``--force`` unless the command has its
    own): the table in its --format, written to FILE with its provenance instead of printed."""
    def add(command):
        if force:
            command = click.option("--force", is_flag=True, help="Replace an existing --save file.")(command)
        return click.option("--save", default=None, type=click.Path(dir_okay=False), metavar="FILE",
                            help="Write the table in its --format to FILE instead of printing it, after comment "
                                 "lines of where it came from (version, result file, checksums, options; JSON: "
                                 "an object with 'provenance' and 'table'); FILE ends in .csv, .json, or .txt/.md "
                                 "for a table, and must not exist unless --force.")(command)
    return add


def refuse_idle_force(force: bool, targets: tuple) -> None:
    """Refuse ``--force`` where none of the outputs it would replace is asked for (``targets``: (option, path or
    None)): it would do nothing, and a script that passes it may expect a file that is not written."""
    from framtid.model.errors import UsageError

    if force and all(path is None for _, path in targets):
        options = " or ".join(option for option, _ in targets)
        raise UsageError(f"--force: replaces an existing {options} file, and none is asked for; give {options}, "
                         "or leave --force out")


def check_save(save: str | None, fmt: str, force: bool, inputs: tuple = (), outputs: tuple = ()):
    """The file of ``--save``, checked before any work (:func:`framtid.model.saved_table.check`, with the files
    the command reads, ``inputs``, and its other outputs, ``outputs`` as (option, path)); None when the option is
    not given. ``--force`` with neither is refused (:func:`refuse_idle_force`)."""
    from framtid.model import saved_table

    refuse_idle_force(force, (("--save", save),) + tuple(outputs))
    save = output_path(save, "--save", "the file to write the table to, or leave --save out to print it")
    return saved_table.check(save, fmt, force, inputs, outputs) if save else None


def table_width(save) -> int:
    """Columns to render a text table in: the terminal's when it is printed, a fixed width when it is saved
    (``--save``), so that the file does not depend on the terminal it was made in."""
    from framtid.model import catalogue

    return catalogue.FILE_WIDTH if save is not None else catalogue.terminal_width()


def chosen_options(ctx, leave_out=("save", "force", "out")) -> tuple[str, str]:
    """The command and the options it was given or took by default, as a provenance item: ``("summary",
    "--years 2009,2030 --by municipality ...")``; output options (``leave_out``) and options not set are
    left out."""
    import shlex

    words = []
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        if not isinstance(param, click.Option) or param.name in leave_out or value is None or value is False:
            continue
        words.append(param.opts[0] if value is True else f"{param.opts[0]} {shlex.quote(str(value))}")
    return ctx.info_name, " ".join(words)


def print_or_save(text: str, fmt: str, save, force: bool, provenance: list[tuple[str, str]]) -> None:
    """Print a command's table ``text`` (in ``fmt``), or with ``save`` write it there with ``provenance`` and
    the command's options (:func:`chosen_options`) and say so on stderr."""
    if save is None:
        click.echo(text)
        return
    from framtid.model import saved_table

    ctx = click.get_current_context()
    ctx.meta["framtid.target"] = (save, stat(save))
    path = saved_table.write(text, save, fmt, force, [*provenance, chosen_options(ctx)])
    click.echo(f"wrote {path} ({fmt}: {saved_table.count(text, fmt)})", err=True)


def parse_years(text: str, option: str = "--years") -> list[int]:
    """Comma-separated years, sorted and without repeats; messages name ``option``."""
    from framtid.model import dims
    from framtid.model.errors import UsageError

    try:
        years = sorted({int(y) for y in text.split(",") if y.strip()})
    except ValueError:
        raise UsageError(f"{option}: expected comma-separated years like 2009,2030 (got {text!r})") from None
    bad = [y for y in years if not dims.BASE_YEAR <= y <= dims.FINAL_YEAR]
    if not years or bad:
        raise UsageError(f"{option}: years must lie in {dims.BASE_YEAR}-{dims.FINAL_YEAR} (got {text!r})")
    no_empty_item(text, option)
    return years


STANDALONE = False   # set by :func:`framtid.cli.main.entry`


def imports_done() -> None:
    """Start-up of the installed command: the garbage collector is off while the libraries
    import (their objects are long-lived; collecting them cost ~35 ms per run) and the
    imported objects are then frozen out of later collections."""
    if STANDALONE:
        gc.freeze()
        gc.enable()

