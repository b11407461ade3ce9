"""The ``framtid`` command line: parse, call the library, print.

Heavy modules (numpy, xarray, mesa) are imported inside the commands so that
``framtid --help`` answers at once.
"""

from __future__ import annotations

import functools
import sys
import traceback

import click

from framtid import __version__


def _fail(message: str, code: int) -> None:
    click.echo(f"framtid: {message}", err=True)
    sys.exit(code)


def handle_errors(func):
    """Turn library errors into one clear message and an exit code (traceback with --debug)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        debug = ctx.find_root().params.get("debug", False)
        from framtid.model.errors import FramtidError, ScenarioError

        try:
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
        except KeyboardInterrupt:
            _fail("interrupted; no result written", 130)
        except BrokenPipeError:
            # the reader (e.g. `head`) closed the pipe: stop quietly, as Unix tools do
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:  # an internal error: say so plainly
            if debug:
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", 1)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="framtid")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
def main(debug: bool) -> None:
    """framtid: emissions of the 13 Framtidens byer municipalities, 2009-2050, under measure packages.

    \b
    Start here:
      framtid run scenarios/reference.toml      run a scenario, write results/reference.nc
      framtid summary results/reference.nc      totals by municipality
      framtid data oslo                         which 2009 values are observed, which estimated
      framtid list measures                     what a scenario may contain
    """


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Result file (.nc). Default: results/<scenario names>.nc")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
              help="Random seed (recorded in the result).")
@click.option("--force", is_flag=True, help="Replace an existing result file.")
@click.option("--years", default="2009,2020,2030,2050", show_default=True, help="Years in the printed summary.")
@handle_errors
def run(scenarios, out, seed, force, years):
    """Validate and run SCENARIO files; write one NetCDF result and print a summary."""
    from pathlib import Path

    from framtid.model import api

    year_list = _parse_years(years)
    loaded = [api.load_scenario(p) for p in scenarios]
    path = Path(out) if out else Path("results") / ("+".join(s.name for s in loaded) + ".nc")
    api.check_run(loaded, path, force)   # every check that can fail before an expensive run
    ds = api.to_dataset([api.run_scenario(s, seed) for s in loaded], seed)
    api.save(ds, path, force=force)
    _print_summary(ds, year_list)
    click.echo(f"\nwrote {path}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@handle_errors
def validate(files):
    """Check scenario FILES without running them (exit code 2 on problems)."""
    from framtid.model.errors import ScenarioError
    from framtid.model.scenario import load

    problems = []
    for f in files:
        try:
            s = load(f)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        click.echo(f"{f}: ok — scenario {s.name!r}, {len(s.measures)} measure(s), GWP {s.gwp}")
        for m in s.measures:
            where = "all municipalities" if len(m.municipalities) == 13 else ", ".join(m.municipalities)
            ramp = f", ramp {m.ramp_years} yr" if m.ramp_years else ""
            click.echo(f"  - {m.label} [{m.kind}] from {m.start_year}{ramp}: {where}")
    if problems:
        raise ScenarioError(problems)


@main.command(name="list")
@click.argument("what", type=click.Choice(["municipalities", "measures", "parameters", "levers"]))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def list_(what, fmt):
    """List MUNICIPALITIES, MEASURES (kinds and fields), PARAMETERS or LEVERS."""
    from framtid.model import catalogue

    header, rows = catalogue.listing(what)
    click.echo(catalogue.render(header, rows, fmt))


@main.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--years", default="2009,2020,2030,2050", show_default=True, help="Comma-separated years.")
@click.option("--by", type=click.Choice(["municipality", "sector"]), default="municipality", show_default=True)
@click.option("--gwp", type=click.Choice(["ar4", "ar5", "ar6", "sar"]), default=None,
              help="Re-weigh the gases with another GWP set (default: the one the run used).")
@handle_errors
def summary(result, years, by, gwp):
    """Print total emissions from a RESULT file."""
    from framtid.model import api

    ds = api.open_results(result)
    if gwp:
        ds = api.reweigh(ds, gwp)
    _print_summary(ds, _parse_years(years), by)


@main.command()
@click.argument("municipality")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def data(municipality, fmt):
    """Show MUNICIPALITY's base-year (2009) values: observed or estimated, and from where."""
    from framtid.model import catalogue

    for title, header, rows in catalogue.base_year_report(municipality):
        if fmt == "table":
            click.echo(f"\n{title}")
        click.echo(catalogue.render(header, rows, fmt))


def _parse_years(text: str) -> list[int]:
    from framtid.model import dims
    from framtid.model.errors import UsageError

    try:
        years = [int(y) for y in text.split(",") if y.strip()]
    except ValueError:
        raise UsageError(f"--years: expected comma-separated years like 2009,2030 (got {text!r})") from None
    bad = [y for y in years if not dims.BASE_YEAR <= y <= dims.FINAL_YEAR]
    if not years or bad:
        raise UsageError(f"--years: years must lie in {dims.BASE_YEAR}-{dims.FINAL_YEAR} (got {text!r})")
    return years


def _print_summary(ds, years: list[int], by: str = "municipality") -> None:
    from framtid.model import catalogue

    for title, header, rows in catalogue.summary_tables(ds, years, by):
        click.echo(f"\n{title}")
        click.echo(catalogue.render(header, rows, "table"))


if __name__ == "__main__":
    main()
