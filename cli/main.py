"""The ``framtid`` command line: the command group, its commands and the console entry point.

Each command parses its options, calls the library and prints: ``run_commands`` (run, validate,
list, data), ``result_commands`` (the commands that read a result file) and ``analysis_commands``
(elasticities, grants, attribute, costs, tolls, sensitivity); ``common`` has what they share. Heavy modules (numpy,
xarray, mesa) are imported inside the commands so that ``framtid --help`` answers at once.
"""

from __future__ import annotations

import gc

import click

from framtid import __version__

from . import analysis_commands, common, explore_command, result_commands, run_commands
from .common import on_sigterm


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="framtid")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
def main(debug: bool) -> None:
    """framtid: emissions of the 13 Framtidens byer municipalities, 2009-2050, under measure packages.

    \b
    Start here:
      framtid run framtid:reference             run a shipped scenario, write results/reference.nc
      framtid summary results/reference.nc      totals by municipality
      framtid data oslo                         which 2009 values are observed, which estimated
      framtid list scenarios                    the scenarios shipped with framtid
      framtid list measures                     what a scenario may contain
      framtid explore                           a package's measures in the browser, run as you change them
    """
    import signal

    # A terminated run cleans up like an interrupted one: no temporary file, a true message.
    signal.signal(signal.SIGTERM, on_sigterm)


main.add_command(run_commands.run)
main.add_command(run_commands.validate)
main.add_command(run_commands.list_)
main.add_command(result_commands.summary)
main.add_command(run_commands.data)
main.add_command(result_commands.hindcast)
main.add_command(analysis_commands.elasticities)
main.add_command(analysis_commands.grants)
main.add_command(analysis_commands.attribute)
main.add_command(result_commands.targets)
main.add_command(result_commands.decompose)
main.add_command(result_commands.indicators)
main.add_command(result_commands.export)
main.add_command(analysis_commands.costs)
main.add_command(analysis_commands.tolls)
main.add_command(result_commands.report)
main.add_command(analysis_commands.sensitivity)
main.add_command(analysis_commands.calibrate)
main.add_command(explore_command.explore)


def debug_first(args: list[str]) -> list[str]:
    """``args`` with a ``--debug`` written after the command (``framtid run x.toml --debug``) moved before it,
    where the option belongs (no command has an option of that name; it was "No such option")."""
    if "--debug" not in args[1:] or args[:1] == ["--debug"]:
        return list(args)
    k = args.index("--", 1) if "--" in args[1:] else len(args)   # nothing after "--" is an option
    if "--debug" not in args[1:k]:
        return list(args)
    rest = list(args)
    del rest[rest.index("--debug", 1)]
    return ["--debug"] + rest


def entry() -> None:
    """The ``framtid`` console command (a process of its own, unlike the library or tests)."""
    import signal
    import sys

    common.STANDALONE = True
    sys.stdout = common.StandardOutput(sys.stdout)   # a write that fails names the standard output
    gc.disable()   # until the commands' libraries are imported (imports_done)
    try:
        main(args=debug_first(sys.argv[1:]))
    except OSError as exc:   # writing --help or --version, outside any command's handling of errors
        if exc.filename != common.STANDARD_OUTPUT or "--debug" in sys.argv[1:]:
            raise
        common.fail_on_standard_output(exc)
    finally:
        # The command has finished, or said why it stopped: a Ctrl-C while the interpreter shuts down would
        # only print a traceback from its clean-up (and exit 0), so it is ignored from here on.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        gc.enable()


if __name__ == "__main__":
    entry()
