"""``framtid run``, ``validate``, ``list`` and ``data``: running scenarios, checking them, and what
goes into them (shipped scenarios, measures, parameters, base-year data)."""

from __future__ import annotations

import json
import shutil

import click

from framtid.model.uncertainty import MAX_DRAWS, MAX_DRAWS_IN_PROCESS

from .common import (handle_errors, imports_done, municipality_id, names, output_path, parse_years, stat,
                     warn_of_an_idle_seed)


@click.command()
@click.argument("scenarios", nargs=-1, required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Result file (.nc). Default: results/<scenario names>.nc")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
              help="Random seed (recorded in the result).")
@click.option("--force", is_flag=True, help="Replace an existing result file.")
@click.option("--nc-format", "nc_format", type=click.Choice(["netcdf4", "netcdf3"]), default="netcdf4",
              show_default=True, help="NetCDF-4 (compressed) or NetCDF-3 for tools that read only that (a run "
                                      "with --draws N of several draws is always NetCDF-4, chunked by draw).")
@click.option("--years", default="2009,2020,2030,2050", show_default=True, help="Years in the printed summary.")
@click.option("--draws", "n_draws", type=click.IntRange(1, MAX_DRAWS), default=None, metavar="N",
              help="Run an ensemble of N draws of the uncertain parameters (default: one draw at the default "
                   "values).")
@click.option("--sampler", type=click.Choice(["lhs", "sobol", "random"]), default=None,
              help="How --draws are sampled: Latin hypercube, Sobol' sequence (N a power of two) or independent "
                   "draws.  [default: lhs]")
@click.option("--chunk-size", "chunk_size", type=click.IntRange(2, MAX_DRAWS_IN_PROCESS), default=None, metavar="N",
              help="Draws run, written and combined at a time; bounds the memory (at most "
                   f"{MAX_DRAWS_IN_PROCESS:,}, about 2 GB).  [default: 250]")
@click.option("--workers", type=click.IntRange(1, 512), default=None, metavar="N",
              help="Run the chunks on a local Dask cluster of N processes (at most 512, as sensitivity).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run the chunks on a running Dask cluster (e.g. tcp://host:8786) whose workers share this "
                   "file system.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted --draws run of the same scenarios and options, keeping its finished "
                   "chunks.")
@click.option("--variables", default=None, metavar="NAMES",
              help="Keep only these variables (comma-separated); emissions, parameter_sample, maturity_amplitude, "
                   "time_bounds and base_year_status are always kept.")
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
    from framtid.model import api, catalogue, result_summary, simulation  # noqa: F401
    from framtid.model.uncertainty import ensemble

    imports_done()
    out = output_path(out, "--out", "the result file to write (a name ending in .nc), or leave --out out for "
                                    "results/<scenario names>.nc")
    year_list = parse_years(years)
    keep = api.check_variables(names(variables, "--variables")) if variables is not None else None
    precision = api.choose_precision(precision, n_draws)
    warn_of_an_idle_seed(n_draws)
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
        ctx.meta["framtid.target"] = (path, stat(path))   # what an interrupt would leave, told truthfully
        api.save(ds, path, force=force, fmt=nc_format)
    else:
        ctx.meta["framtid.target"] = (path, stat(path))
        try:
            done = ensemble.run_ensemble(loaded, path, n_draws, seed, sampler or "lhs",
                                         chunk_size or ensemble.DEFAULT_CHUNK, keep, workers, scheduler, resume, force,
                                         precision=precision)
        except KeyboardInterrupt:
            if stat(path) not in (None, ctx.meta["framtid.target"][1]):
                # Stopped after the combined file was written (it is renamed into place whole): its chunks
                # are no longer needed, and there is nothing to resume.
                shutil.rmtree(ensemble.parts_folder(path), ignore_errors=True)
            else:
                note = ensemble.unfinished_note(path)
                if note:
                    click.echo(f"framtid: {note}", err=True)
            raise
        for name in done.recomputed:
            click.echo(f"warning: {name} was damaged and ran again", err=True)
        for name in done.leftovers:
            click.echo(f"note: {name} beside {path} was left by a write that was killed outright; remove it "
                       "unless another run is writing that file now", err=True)
        ds = api.open_results(path, ["emissions"])   # all the summary needs, of a file that may be large
    click.echo(catalogue.render_sections(result_summary.summary_tables(ds, year_list), "table",
                                         catalogue.terminal_width()))
    if done is not None:
        click.echo(f"\nran {n_draws} draws in {done.chunks} chunk(s) ({done.resumed} kept from before) in "
                   f"{done.run_seconds:.1f} s; combined in {done.combine_seconds:.1f} s")
    click.echo(f"\nwrote {path}")


@click.command()
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
        listed = s.measures
        if s.inherited:   # a planner's own measures as composed; the parent's listing is a command away
            own = {(m.label, m.origin) for m in s.own}
            listed = [m for m in s.measures if (m.label, m.origin) in own]
            click.echo(f"  {len(s.inherited)} measure(s) from {_parent_reference(s)} (framtid validate "
                       f"{_parent_reference(s)} lists them), and {'its own:' if s.own else 'none of its own'}")
        for m in listed:
            where = "all municipalities" if len(m.municipalities) == 13 else ", ".join(m.municipalities)
            ramp = f", ramp {m.ramp_years} yr" if m.ramp_years else ""
            until = f" to {m.end_year}" if m.end_year is not None else ""
            click.echo(f"  - {m.label} [{m.kind}] from {m.start_year}{until}{ramp}: {where}")
        for m in _ended_early(s):
            click.echo(f"  ends early: {m.label} [{m.kind}] to {m.end_year}: {', '.join(m.municipalities)}")
        for c in s.cordons:
            shares = "/".join(f"{x:g}" for x in c.inside_share)
            click.echo(f"  cordon of its own: {c.id} ({c.municipality}, {c.charged_direction}, inside A/B/C "
                       f"{shares}, external passage ratio {c.external_passage_ratio:g})")
        _warn_overlaps(s)
    if problems:
        raise ScenarioError(problems)


@click.command(name="list")
@click.argument("what", metavar="WHAT", type=click.Choice(["municipalities", "scenarios", "measures", "parameters",
                                                           "correlations", "levers", "cordons"]))
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--scenario", "scenario_file", default=None, metavar="SCENARIO",
              help="With cordons: also the cordons this scenario (file, or framtid:NAME) defines itself.")
@handle_errors
def list_(what, fmt, scenario_file):
    """List WHAT: municipalities, scenarios (shipped), measures (kinds and fields), parameters, correlations
    (between parameters, as ensembles sample them), levers or cordons (toll cordons: owner, direction, who
    crosses them)."""
    from framtid.model import catalogue
    from framtid.model.cordons import using
    from framtid.model.errors import UsageError
    from framtid.model.scenario import load

    if scenario_file is not None and what != "cordons":
        raise UsageError(f"--scenario: only with 'cordons' (a scenario's own cordons), not with {what!r}")
    if what == "measures" and fmt == "json":   # nested: one object per kind with its fields
        click.echo(json.dumps(catalogue.measure_catalogue(), indent=2, ensure_ascii=False))
        return
    with using(load(scenario_file).cordons if scenario_file is not None else ()):
        header, rows = catalogue.listing(what)
    click.echo(catalogue.render(header, rows, fmt, catalogue.terminal_width()))


@click.command()
@click.argument("municipality")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def data(municipality, fmt):
    """Show MUNICIPALITY's base-year (2009) values: observed or estimated, and from where."""
    from framtid.model import catalogue

    click.echo(catalogue.render_sections(catalogue.base_year_report(municipality_id(municipality)), fmt,
                                         catalogue.terminal_width()))


def _ended_early(scenario) -> list:
    """The pieces of measures (inherited or its own) that the scenario's own ``replaces`` end before the end they
    were written with (measures the parent's own replacements ended are the parent's, as they stand)."""
    inherited = {id(m) for m in scenario.inherited}
    own = {id(m) for m in scenario.own}

    def had(m):   # the end m's measure had as written (or inherited) where m acts: its own end_year is no end early
        return {x.end_year for x in scenario.inherited + scenario.own if (x.label, x.origin) == (m.label, m.origin)
                and set(m.municipalities) <= set(x.municipalities)}

    return [m for m in scenario.measures if id(m) not in inherited and id(m) not in own
            and m.end_year not in had(m)]


def _parent_reference(scenario) -> str:
    """How to name a scenario's parent on the command line: framtid:NAME for a shipped one, else its path."""
    from pathlib import Path

    from framtid.model.scenario_inheritance import BUILTIN_PREFIX, builtin_path

    parent = Path(scenario.files[-2][0])
    shipped = builtin_path(parent.stem)
    is_shipped = shipped.exists() and shipped.resolve() == parent.resolve()
    return f"{BUILTIN_PREFIX}{parent.stem}" if is_shipped else str(parent)


def _warn_overlaps(scenario) -> None:
    """What a scenario's measures do that is allowed but worth a line on stderr
    (:func:`framtid.model.measures.scenario_checks.scenario_warnings`)."""
    from framtid.model.cordons import using
    from framtid.model.measures.scenario_checks import scenario_warnings

    with using(scenario.cordons):   # its measures may charge cordons of its own
        warnings = scenario_warnings(scenario)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)

