"""The ``framtid`` command line: parse, call the library, print.

Heavy modules (numpy, xarray, mesa) are imported inside the commands so that
``framtid --help`` answers at once.
"""

from __future__ import annotations

import functools
import gc
import json
import sys
import traceback

import click

from framtid import __version__


def _fail(message: str, code: int) -> None:
    click.echo(f"framtid: {message}", err=True)
    sys.exit(code)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that the same clean-up as for Ctrl-C runs."""

    signal_name = "SIGTERM"


def _on_sigterm(signum, frame):
    raise Terminated()


def _interrupted_message(ctx, exc: KeyboardInterrupt) -> str:
    """Say what an interrupted command leaves behind, as it is on disk."""
    what = "terminated" if isinstance(exc, Terminated) else "interrupted"
    target = ctx.meta.get("framtid.target")
    if target is None:
        return f"{what}; no result written"
    path, before = target
    now = _stat(path)
    if now is not None and now != before:
        return f"{what}; the result was written completely to {path}"
    kept = "; the previous file is unchanged" if before is not None else ""
    return f"{what}; no result written{kept}"


def _stat(path):
    import os

    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


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
            _fail(f"{where}{exc.strerror or exc}", 2)
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
      framtid run framtid:reference             run a shipped scenario, write results/reference.nc
      framtid summary results/reference.nc      totals by municipality
      framtid data oslo                         which 2009 values are observed, which estimated
      framtid list scenarios                    the scenarios shipped with framtid
      framtid list measures                     what a scenario may contain
    """
    import signal

    # A terminated run cleans up like an interrupted one: no temporary file, a true message.
    signal.signal(signal.SIGTERM, _on_sigterm)


@main.command()
@click.argument("scenarios", nargs=-1, required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Result file (.nc). Default: results/<scenario names>.nc")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
              help="Random seed (recorded in the result).")
@click.option("--force", is_flag=True, help="Replace an existing result file.")
@click.option("--nc-format", "nc_format", type=click.Choice(["netcdf4", "netcdf3"]), default="netcdf4",
              show_default=True, help="NetCDF-4 (compressed) or NetCDF-3 for tools that read only that.")
@click.option("--years", default="2009,2020,2030,2050", show_default=True, help="Years in the printed summary.")
@click.option("--draws", "n_draws", type=click.IntRange(min=1), default=None, metavar="N",
              help="Run an ensemble of N draws of the uncertain parameters (default: one draw at the default "
                   "values).")
@click.option("--sampler", type=click.Choice(["lhs", "sobol", "random"]), default=None,
              help="How --draws are sampled: Latin hypercube, Sobol' sequence (N a power of two) or independent "
                   "draws.  [default: lhs]")
@click.option("--chunk-size", "chunk_size", type=click.IntRange(min=1), default=None, metavar="N",
              help="Draws run, written and combined at a time; bounds the memory.  [default: 250]")
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Run the chunks on a local Dask cluster of N processes.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run the chunks on a running Dask cluster (e.g. tcp://host:8786) whose workers share this "
                   "file system.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted --draws run of the same scenarios and options, keeping its finished "
                   "chunks.")
@click.option("--variables", default=None, metavar="NAMES",
              help="Keep only these variables (comma-separated); emissions, parameter_sample and time_bounds are "
                   "always kept.")
@click.option("--precision", type=click.Choice(["auto", "single", "double"]), default="auto", show_default=True,
              help="Store results as float32 (single) or float64 (double); auto: single with --draws N above 1 "
                   "(half the memory and file size), else double.")
@handle_errors
def run(scenarios, out, seed, force, nc_format, years, n_draws, sampler, chunk_size, workers, scheduler, resume,
        variables, precision):
    """Validate and run SCENARIOS (files, or framtid:NAME for a shipped one); write one NetCDF result
    and print a summary. With --draws, an ensemble run in chunks (resumable with --resume)."""
    from pathlib import Path

    import xarray  # noqa: F401  (imported here so that start-up work is done in one place)

    from framtid.model import api, catalogue, simulation  # noqa: F401
    from framtid.model.uncertainty import ensemble

    _imports_done()
    year_list = _parse_years(years)
    keep = api.check_variables(_names(variables) or []) if variables is not None else None
    precision = api.choose_precision(precision, n_draws)
    for warning in ensemble.check_options(n_draws, sampler, chunk_size, workers, scheduler, resume, nc_format):
        click.echo(f"warning: {warning}", err=True)
    loaded = [api.load_scenario(p) for p in scenarios]
    for s in loaded:
        _warn_overlaps(s)
    path = Path(out) if out else api.default_result_path(loaded)
    api.check_run(loaded, path, force)   # every check that can fail before an expensive run
    ctx = click.get_current_context()
    done = None
    if n_draws is None:
        models = [api.run_scenario(s, seed, precision=precision) for s in loaded]
        ds = api.select_variables(api.to_dataset(models, seed), keep)
        ctx.meta["framtid.target"] = (path, _stat(path))   # what an interrupt would leave, told truthfully
        api.save(ds, path, force=force, fmt=nc_format)
    else:
        ctx.meta["framtid.target"] = (path, _stat(path))
        try:
            done = ensemble.run_ensemble(loaded, path, n_draws, seed, sampler or "lhs",
                                         chunk_size or ensemble.DEFAULT_CHUNK, keep, workers, scheduler, resume, force,
                                         precision=precision)
        except KeyboardInterrupt:
            note = ensemble.unfinished_note(path)
            if note:
                click.echo(f"framtid: {note}", err=True)
            raise
        for name in done.recomputed:
            click.echo(f"warning: {name} was damaged and ran again", err=True)
        ds = api.open_results(path, ["emissions"])   # all the summary needs, of a file that may be large
    click.echo(catalogue.render_sections(catalogue.summary_tables(ds, year_list), "table",
                                         catalogue.terminal_width()))
    if done is not None:
        click.echo(f"\nran {n_draws} draws in {done.chunks} chunk(s) ({done.resumed} kept from before) in "
                   f"{done.run_seconds:.1f} s; combined in {done.combine_seconds:.1f} s")
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
            until = f" to {m.end_year}" if m.end_year is not None else ""
            click.echo(f"  - {m.label} [{m.kind}] from {m.start_year}{until}{ramp}: {where}")
        _warn_overlaps(s)
    if problems:
        raise ScenarioError(problems)


@main.command(name="list")
@click.argument("what", type=click.Choice(["municipalities", "scenarios", "measures", "parameters", "levers",
                                           "cordons"]))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def list_(what, fmt):
    """List MUNICIPALITIES, SCENARIOS (shipped), MEASURES (kinds and fields), PARAMETERS, LEVERS or
    CORDONS (toll cordons: owner, direction, who crosses them)."""
    from framtid.model import catalogue

    if what == "measures" and fmt == "json":   # nested: one object per kind with its fields
        click.echo(json.dumps(catalogue.measure_catalogue(), indent=2, ensure_ascii=False))
        return
    header, rows = catalogue.listing(what)
    click.echo(catalogue.render(header, rows, fmt, catalogue.terminal_width()))


def _warn_overlaps(scenario) -> None:
    """Measures that set the same lever cells in the same years: allowed (the lever's combine rule
    decides), but worth a line on stderr."""
    from framtid.model.measures import overlaps

    for warning in overlaps(list(scenario.measures)):
        click.echo(f"warning: {warning}", err=True)


def _names(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


@main.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--years", default="2009,2020,2030,2050", show_default=True, help="Comma-separated years.")
@click.option("--by", type=click.Choice(["municipality", "sector"]), default="municipality", show_default=True)
@click.option("--municipality", "municipalities", default=None, metavar="IDS",
              help="Only these municipalities (comma-separated ids).")
@click.option("--scenario", "scenarios", default=None, metavar="NAMES", help="Only these scenarios (comma-separated).")
@click.option("--sector", "sectors", default=None, metavar="NAMES", help="Only these sectors (comma-separated).")
@click.option("--gwp", type=click.Choice(["ar4", "ar5", "ar6", "sar"]), default=None,
              help="Re-weigh the gases with another GWP set (default: the one the run used).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def summary(result, years, by, municipalities, scenarios, sectors, gwp, fmt):
    """Print total emissions from a RESULT file [kt CO2e/yr], and each scenario's difference from the first.
    With several draws: the median and the 5-95 % range over the draws (columns _p05 and _p95 in CSV/JSON)."""
    from framtid.model import api, catalogue
    from framtid.model.result_file import require

    year_list = _parse_years(years)
    # only what the summary reads: an ensemble file can hold gigabytes of other variables
    ds = api.open_results(result, ["emissions", "emissions_gas", "emissions_source"] if gwp else ["emissions"])
    catalogue.check_years(ds, year_list, result)
    if gwp:
        require(ds, ["emissions_gas"], result, "--gwp")
        ds = api.reweigh(ds, gwp)
    ds = catalogue.select(ds, _names(scenarios), _names(municipalities), _names(sectors), result)
    if fmt == "table":
        click.echo(catalogue.render_sections(catalogue.summary_tables(ds, year_list, by), "table",
                                             catalogue.terminal_width()))
    else:
        header, rows = catalogue.summary_rows(ds, year_list, by)
        click.echo(catalogue.render(header, rows, fmt))


@main.command()
@click.argument("municipality")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def data(municipality, fmt):
    """Show MUNICIPALITY's base-year (2009) values: observed or estimated, and from where."""
    from framtid.model import catalogue

    click.echo(catalogue.render_sections(catalogue.base_year_report(municipality), fmt, catalogue.terminal_width()))


@main.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--observed", required=True, type=click.Path(dir_okay=False),
              help="Observed emissions [t CO2e]: a long CSV (municipality,year,sector,value[,gwp]) or an agency "
                   "export by source and gas.")
@click.option("--municipality", default=None, metavar="ID", help="Municipality of an agency export without a "
                                                                  "municipality column.")
@click.option("--scenario", default=None, metavar="NAME", help="Scenario to compare (when RESULT holds several).")
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Folder for one PNG per municipality.")
@click.option("--force", is_flag=True, help="Replace existing PNGs in --out.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def hindcast(result, observed, municipality, scenario, out, force, fmt):
    """Compare RESULT with observed emissions: bias, MAPE, RMSE, skill against persistence of 2009 and
    the direction of the trend, per municipality and sector/source (CSV and JSON add every observation)."""
    from framtid.model import api, catalogue
    from framtid.model import hindcast as hc

    observations = hc.read_observed(observed, municipality)
    ds = api.open_results(result)
    rows = hc.compare(ds, observations, scenario)
    skipped = hc.outside_run(ds, observations)
    if skipped:
        click.echo(f"warning: {len(skipped)} observation(s) of years outside the run left out", err=True)
    written = hc.plot(rows, out, force) if out else []
    header, table = hc.metric_table(hc.metrics(rows), fmt)
    sections = [("metrics", hc.title(rows), header, table)]
    if fmt != "table":
        sections.append(("observations", "", *hc.row_table(rows)))
    click.echo(catalogue.render_sections(sections, fmt, catalogue.terminal_width()).lstrip("\n"))
    for path in written:
        click.echo(f"wrote {path}", err=fmt != "table")   # CSV and JSON keep stdout to themselves


@main.command()
@click.option("--municipality", default=None, metavar="ID", help="Responses of one municipality (default: all 13).")
@click.option("--year", "start_year", type=int, default=2012, show_default=True,
              help="Year the +10 % changes start; read then and nine years later.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def elasticities(municipality, start_year, fmt):
    """Elasticities implied by the model (arc changes of +10 % through ordinary measures), beside the
    published ranges and their sources."""
    from framtid.model import catalogue
    from framtid.model import elasticities as el

    rows = el.implied(municipality, start_year)
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    header = ("quantity", "response", "horizon", "year", "implied", "target", "central", "in_range", "source")
    table = [(r["quantity"], r["response"], r["horizon"].replace("_", " "), r["year"],
              "-" if r["implied"] != r["implied"] else f"{r['implied']:+.3f}",
              f"{r['low']:+.2f} to {r['high']:+.2f}", f"{r['central']:+.2f}",
              "yes" if r["in_range"] else "NO", r["source"]) for r in rows]
    click.echo(catalogue.render(header, table, fmt, catalogue.terminal_width()))


@main.command()
@click.argument("scenario")
@click.option("--year", type=int, default=2030, show_default=True, help="Year of the effects.")
@click.option("--from", "span_from", type=int, default=None,
              help="First year of the cumulative effects (default: the package's first start year).")
@click.option("--municipality", "municipalities", default=None, metavar="IDS",
              help="Only these municipalities (comma-separated ids; default: each of the 13 and all together).")
@click.option("--permutations", type=click.IntRange(2, 100_000), default=200, show_default=True,
              help="Sampled orders when the package has more than 12 measures.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
              help="Seed of the sampled orders.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def attribute(scenario, year, span_from, municipalities, permutations, seed, fmt):
    """Attribute the effect of SCENARIO's own measures (file, or framtid:NAME) against the scenario it
    extends: Shapley values (exact up to 12 measures), first-in and last-in effects and the interaction,
    in --year [kt CO2e/yr] and summed from --from to --year [kt CO2e]; negative = emissions cut."""
    from framtid.model import api, catalogue, dims
    from framtid.model.errors import UsageError
    from framtid.model.evaluation import attribution

    picked = _names(municipalities)
    unknown = [m for m in picked or () if m not in dims.MUNICIPALITIES]
    if unknown:
        raise UsageError(f"--municipality: unknown id(s) {', '.join(unknown)}; allowed: {', '.join(dims.MUNICIPALITIES)}")
    result = attribution.attribute(api.load_scenario(scenario), year, span_from, permutations, seed)
    if fmt == "json":
        click.echo(json.dumps(attribution.to_json(result, picked), indent=2, ensure_ascii=False))
        return
    header, rows = (attribution.rows if fmt == "table" else attribution.long_rows)(result, picked)
    if fmt == "table":
        how = ("exact Shapley values" if result.exact else
               f"Shapley values estimated from {permutations} sampled orders (std_error: their standard error)")
        click.echo(f"{result.scenario} against {result.base}: {how}, {result.n_runs} runs; kt CO2e/yr in "
                   f"{result.year}, kt CO2e over {result.span[0]}-{result.span[1]}; negative = emissions cut\n")
    click.echo(catalogue.render(header, rows, fmt, catalogue.terminal_width()))


@main.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--scenario", "scenarios", default=None, metavar="NAMES", help="Only these scenarios (comma-separated).")
@click.option("--national-rule", "rule", type=click.Choice(["share", "per-capita", "non-ets"]), default="share",
              show_default=True, help="How national targets are set against the municipalities: the national "
                                      "path's change from 2009 on their 2009 emissions, per inhabitant, or on "
                                      "their emissions outside the EU ETS.")
@click.option("--zero-growth-base", "zero_growth_base", type=int, default=None, metavar="YEAR",
              help="Reference year of the zero-growth goal for car traffic (default: 2017).")
@click.option("--from", "from_year", type=int, default=None, metavar="YEAR",
              help="Year the needed annual cut is counted from (default: the year before each target's year).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def targets(result, scenarios, rule, zero_growth_base, from_year, fmt):
    """Set RESULT against the targets: national targets, the municipalities' own targets and the
    zero-growth goal for car traffic; per municipality, city region and the 13 together: target value,
    modelled value in its year, gap, first year met and the average annual cut still needed. With several
    draws: medians, the gap's 5-95 % range and the share of draws that meet each target (P(met))."""
    from framtid.model import api, catalogue
    from framtid.model.evaluation import targets as tg

    ds = catalogue.select(api.open_results(result, list(tg.VARIABLES)), _names(scenarios), source=result)
    rows = tg.assess(ds, rule, zero_growth_base, from_year, result)
    if fmt != "table":
        click.echo(catalogue.render(*tg.tidy(rows), fmt))
        return
    last_year = int(ds["year"].values[-1])
    click.echo(catalogue.render_sections(tg.sections(rows, ds["emissions"].attrs.get("gwp", ""), rule, last_year,
                                                     catalogue.ensemble_text(ds)),
                                         "table", catalogue.terminal_width()).lstrip("\n"))


@main.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--scenario", "scenarios", default=None, metavar="NAMES",
              help="Only these scenarios (comma-separated; default: every scenario of RESULT).")
@click.option("--municipality", "municipalities", default=None, metavar="IDS",
              help="Only these municipalities (comma-separated ids; default: the 13 and all together).")
@click.option("--from", "year_from", type=int, default=None, metavar="YEAR", help="Start year (default: 2009).")
@click.option("--to", "year_to", type=int, default=2030, show_default=True, metavar="YEAR", help="End year.")
@click.option("--versus", default=None, metavar="SCENARIO",
              help="Decompose the difference from this scenario in the --to year instead of a change over time.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def decompose(result, scenarios, municipalities, year_from, year_to, versus, fmt):
    """Split the change in road-transport and building emissions in RESULT into activity, structure,
    intensity and fuel effects (additive LMDI-I; the effects add up to the change exactly) [kt CO2e/yr]."""
    from framtid.model import api, catalogue
    from framtid.model.evaluation import decomposition as dc

    ds = api.open_results(result)
    rows = dc.decompose(ds, _names(scenarios), _names(municipalities), year_from, year_to, versus, result)
    if fmt != "table":
        click.echo(catalogue.render(*dc.tidy(rows), fmt))
        return
    click.echo(catalogue.render_sections(dc.sections(rows, ds["emissions"].attrs.get("gwp", "")), "table",
                                         catalogue.terminal_width()).lstrip("\n"))


def _option_years(text: str, option: str) -> list[int]:
    """``_parse_years`` with its messages naming ``option``."""
    from framtid.model.errors import UsageError

    try:
        return _parse_years(text)
    except UsageError as exc:
        raise UsageError(str(exc).replace("--years", option, 1)) from None


@main.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--year", "--years", "years", default="2009,2020,2030,2050", show_default=True,
              help="Comma-separated years.")
@click.option("--municipality", "municipalities", default=None, metavar="IDS",
              help="Only these municipalities (comma-separated ids); regions and the total cover the selection.")
@click.option("--scenario", "scenarios", default=None, metavar="NAMES", help="Only these scenarios (comma-separated).")
@click.option("--reference-year", "reference_year", type=int, default=2009, show_default=True,
              help="Year the car vkm index is 1 in.")
@click.option("--compare", default="2009", show_default=True, metavar="YEAR|SCENARIO",
              help="What the HEAT change is measured against: a year's walking and cycling per resident, or a "
                   "scenario of RESULT.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def indicators(result, years, municipalities, scenarios, reference_year, compare, fmt):
    """The programme's indicators from a RESULT file, per municipality, region and all together: emissions
    per capita, car share and car vkm index, kWh per m2, fossil heating, waste, adaptation, road NOx and
    PM10, the health value of walking and cycling (WHO HEAT) and tolls paid by residents."""
    from framtid.model import api, catalogue
    from framtid.model.errors import UsageError
    from framtid.model.evaluation import indicators as ind

    year_list = _option_years(years, "--year")
    ds = api.open_results(result)
    try:
        catalogue.check_years(ds, year_list, result)
    except UsageError as exc:
        raise UsageError(str(exc).replace("--years", "--year", 1)) from None
    ind.check_reference_year(ds, reference_year, result)
    ds = catalogue.select(ds, None, _names(municipalities), None, result)
    picked = list(catalogue.select(ds, _names(scenarios), None, None, result)["scenario"].values)
    against = ind.parse_compare(compare, ds, result)
    if fmt == "table":
        sections = ind.indicator_sections(ds, year_list, reference_year, against, [str(s) for s in picked])
        click.echo(catalogue.render_sections(sections, "table", catalogue.terminal_width()).lstrip("\n"))
    else:
        header, rows = ind.indicator_rows(ds, year_list, reference_year, against, [str(s) for s in picked])
        click.echo(catalogue.render(header, rows, fmt))


@main.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["gpc", "csv"]), default="gpc", show_default=True,
              help="gpc: the GHG Protocol for Cities BASIC layout beside the agency's sectors; csv: one row per "
                   "source and gas.")
@click.option("--out", default=None, type=click.Path(dir_okay=False),
              help="CSV file to write (default: print to the terminal).")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
@click.option("--scenario", "scenarios", default=None, metavar="NAME", help="Only this scenario (or comma-separated "
                                                                           "names).")
@click.option("--municipality", "municipalities", default=None, metavar="IDS",
              help="Only these municipalities (comma-separated ids).")
@click.option("--year", "--years", "years", default=None, help="Only these years (comma-separated; default: all).")
@handle_errors
def export(result, fmt, out, force, scenarios, municipalities, years):
    """Write the emissions of a RESULT file in a standard city-inventory layout (t and t CO2e per year,
    mean over draws), each row beside the agency's sector and the model's sources."""
    from framtid.model import api, catalogue
    from framtid.model.errors import UsageError
    from framtid.model.evaluation import export as ex

    year_list = _option_years(years, "--year") if years else None
    if out:
        ex.check_out(out, force)     # before any work
    ds = api.open_results(result)
    if year_list:
        try:
            catalogue.check_years(ds, year_list, result)
        except UsageError as exc:
            raise UsageError(str(exc).replace("--years", "--year", 1)) from None
        ds = ds.sel(year=year_list)
    ds = catalogue.select(ds, _names(scenarios), _names(municipalities), None, result)
    text = ex.export_text(ds, fmt)
    if out:
        ctx = click.get_current_context()
        ctx.meta["framtid.target"] = (out, _stat(out))
        path = ex.write(text, out, force)
        click.echo(f"wrote {path} ({fmt}: {text.count(chr(10)) - 1} rows)", err=True)
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("scenario")
@click.option("--discount-rate", "discount_rate", type=float, default=None, metavar="R",
              help="Real discount rate per year (default: cost.discount_rate = 0.04, the Norwegian CBA rate).")
@click.option("--year-from", "year_from", type=int, default=None, metavar="YEAR",
              help="First year of the appraisal, the year costs are discounted to (default: the package's first "
                   "start year).")
@click.option("--year-to", "year_to", type=int, default=None, metavar="YEAR", help="Last year (default: 2050).")
@click.option("--plot", default=None, type=click.Path(dir_okay=False), help="Write the MAC curve to this PNG.")
@click.option("--force", is_flag=True, help="Replace an existing --plot file.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def costs(scenario, discount_rate, year_from, year_to, plot, force, fmt):
    """Cost the measures SCENARIO adds to the scenario it extends: each measure alone on that base
    (first-in), its cost items by payer, abatement, NOK per t CO2e beside the carbon price, and the
    marginal abatement cost curve."""
    from pathlib import Path

    from framtid.model import api, catalogue
    from framtid.model.evaluation import costs as appraisal

    loaded = api.load_scenario(scenario)
    if plot:
        appraisal.check_plot_path(plot, force)   # refuse before the runs
    report = appraisal.evaluate(loaded, discount_rate, year_from, year_to)
    written = None
    if plot:
        click.get_current_context().meta["framtid.target"] = (Path(plot), _stat(plot))
        written = appraisal.plot_mac(report, plot, force)
    sections = appraisal.tables(report, fmt)
    click.echo(catalogue.render_sections(sections, fmt, catalogue.terminal_width()).lstrip("\n"))
    if written:
        click.echo(f"wrote {written}", err=fmt != "table")


@main.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(), metavar="DIR",
              help="Folder to write (report.html, report.md and figures/*.png); must not exist unless --force.")
@click.option("--force", is_flag=True, help="Replace an existing report folder.")
@click.option("--scenario", "scenarios", default=None, metavar="NAMES",
              help="Only these scenarios (comma-separated; the first is the one the others are compared with).")
@click.option("--municipality", "municipalities", default=None, metavar="IDS",
              help="Only these municipalities (comma-separated ids; default: all 13).")
@click.option("--package", default=None, metavar="SCENARIO.toml",
              help="A scenario file (or framtid:NAME) whose own measures are attributed against the scenario it "
                   "extends and costed: adds the wedge chart and the MAC curve.")
@click.option("--year", type=int, default=2030, show_default=True, help="Evaluation year.")
@click.option("--national-rule", "rule", type=click.Choice(["share", "per-capita", "non-ets"]), default="share",
              show_default=True, help="How national targets are set against the municipalities (as framtid targets).")
@handle_errors
def report(result, out, force, scenarios, municipalities, package, year, rule):
    """Write a report of RESULT that reads without the tool: one self-contained HTML page and Markdown with PNG
    figures (paths against targets, sectors, wedges and MAC curve of a --package, decomposition, indicators,
    targets, method and provenance). With several draws: fan charts, medians with 5-95 % ranges and P(met)."""
    from framtid.model import api
    from framtid.model.evaluation import report as rp

    target = rp.check_out(out, force)                      # refuse before any work
    ds = api.open_results(result)
    loaded = api.load_scenario(package) if package else None
    content = rp.build(ds, _names(scenarios), _names(municipalities), year, loaded, rule, result, package or "")
    click.get_current_context().meta["framtid.target"] = (target, _stat(target))
    path = rp.write(content, target, force)
    click.echo(f"wrote {path / rp.HTML_NAME}, {path / rp.MARKDOWN_NAME} and {len(content.charts())} figures in "
               f"{path / rp.FIGURE_FOLDER}")


def _parse_years(text: str) -> list[int]:
    """Comma-separated years, sorted and without repeats."""
    from framtid.model import dims
    from framtid.model.errors import UsageError

    try:
        years = sorted({int(y) for y in text.split(",") if y.strip()})
    except ValueError:
        raise UsageError(f"--years: expected comma-separated years like 2009,2030 (got {text!r})") from None
    bad = [y for y in years if not dims.BASE_YEAR <= y <= dims.FINAL_YEAR]
    if not years or bad:
        raise UsageError(f"--years: years must lie in {dims.BASE_YEAR}-{dims.FINAL_YEAR} (got {text!r})")
    return years


def _imports_done() -> None:
    """Start-up of the installed command: the garbage collector is off while the libraries
    import (their objects are long-lived; collecting them cost ~35 ms per run) and the
    imported objects are then frozen out of later collections."""
    if _STANDALONE:
        gc.freeze()
        gc.enable()


@main.command()
@click.argument("scenario")
@click.option("--method", type=click.Choice(["morris", "sobol"]), default="morris", show_default=True,
              help="morris: elementary effects, screens many parameters; sobol: S1 and ST of the few that matter.")
@click.option("--output", "output_name", default="emissions", show_default=True, metavar="NAME[:LABEL]",
              help="emissions [t CO2e/yr], emissions:SECTOR, or a recorded variable (summed over its extra axes, "
                   "or at one label, e.g. pkm:bicycle).")
@click.option("--municipality", default=None, metavar="ID", help="One municipality (default: the 13 together).")
@click.option("--year", type=int, default=2030, show_default=True, help="Year of the output.")
@click.option("--parameters", default=None, metavar="NAMES|PREFIX*",
              help="Parameters to vary: comma-separated names and prefixes ending in * (default: every "
                   "uncertain parameter the scenario does not set).")
@click.option("--groups", "grouping", type=click.Choice(["submodel"]), default=None,
              help="Move the parameters of each submodel together: indices of groups (fast overview).")
@click.option("--top", type=int, default=None, metavar="K",
              help="morris: show the first K; sobol: keep the K with the largest Morris mu_star (default 10).")
@click.option("--trajectories", type=int, default=None, metavar="R",
              help="Morris trajectories (default 10); runs = R x (parameters + 1).")
@click.option("--samples", type=int, default=None, metavar="N",
              help="Sobol' base sample, a power of two (default 256); runs = N x (parameters + 2).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
              help="Seed of the sample and of the bootstrap intervals.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--plot", default=None, type=click.Path(dir_okay=False), help="Write the ranked indices to this PNG.")
@click.option("--force", is_flag=True, help="Replace an existing --plot file.")
@click.option("--workers", type=click.IntRange(1, 512), default=None, metavar="N",
              help="Run the batch runs on N local Dask worker processes.")
@click.option("--scheduler", default=None, metavar="ADDR", help="Run the batch runs on this Dask scheduler.")
@handle_errors
def sensitivity(scenario, method, output_name, municipality, year, parameters, grouping, top, trajectories,
                samples, seed, fmt, plot, force, workers, scheduler):
    """Global sensitivity of an output of SCENARIO (file, or framtid:NAME) to the uncertain parameters
    (SALib): Morris screening or Sobol' indices, with respect to each parameter's distribution in the
    parameter table, ranked most important first."""
    from pathlib import Path

    from framtid.model import api, catalogue
    from framtid.model.uncertainty import sensitivity as sa

    loaded = api.load_scenario(scenario)
    out = sa.output(output_name, municipality, year)
    if plot:
        sa.check_plot_path(plot, force)   # refuse before the runs
    _imports_done()
    rep = sa.analyse(loaded, method, out, parameters, top, trajectories, samples, seed, grouping, workers,
                     scheduler, progress=sys.stderr.isatty())
    written = None
    if plot:
        click.get_current_context().meta["framtid.target"] = (Path(plot), _stat(plot))
        written = sa.plot(rep, plot, force)
    if fmt == "json":
        click.echo(json.dumps(sa.to_json(rep), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(catalogue.render(*sa.rows(rep, "csv"), "csv"))
    else:
        header, body = sa.rows(rep, "table", catalogue.terminal_width())
        body, inert = sa.inert_summary(rep, body)
        click.echo(sa.title(rep) + "\n")
        click.echo(catalogue.render(header, body, "table"))
        if inert:
            click.echo(inert)
    if written:
        click.echo(f"wrote {written}", err=fmt != "table")


_STANDALONE = False


def entry() -> None:
    """The ``framtid`` console command (a process of its own, unlike the library or tests)."""
    global _STANDALONE
    _STANDALONE = True
    gc.disable()   # until the commands' libraries are imported (_imports_done)
    try:
        main()
    finally:
        gc.enable()


if __name__ == "__main__":
    entry()
