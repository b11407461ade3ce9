"""The commands that run the model to analyse a scenario or the model itself: ``framtid
elasticities``, ``grants``, ``attribute``, ``costs``, ``tolls``, ``sensitivity`` and ``calibrate``."""

from __future__ import annotations

import json
import sys
import textwrap

import click

from framtid.model.provenance import of_scenario
from framtid.model.uncertainty import MAX_DRAWS_IN_PROCESS

from .common import (check_save, handle_errors, imports_done, municipality_id, names, no_empty_item, output_path,
                     print_or_save, refuse_idle_force, save_option, stat, table_width, warn_of_an_idle_seed)


def _draws_origin(seed: int, n_draws: int | None, sampler: str | None) -> dict:
    """The provenance items of a command's sampled draws: seed, draws (1 without) and sampler ("none" without)."""
    return {"seed": seed, "draws": n_draws or 1, "sampler": (sampler or "lhs") if n_draws else "none"}


@click.command()
@click.option("--municipality", default=None, metavar="ID", help="Responses of one municipality (default: all 13).")
@click.option("--year", "start_year", type=int, default=2012, show_default=True,
              help="Year the changes start; read then and nine years later.")
@click.option("--each", is_flag=True,
              help="Each municipality's own elasticities, and the 13 together's, from the same runs.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@save_option()
@handle_errors
def elasticities(municipality, start_year, each, fmt, save, force):
    """Elasticities implied by the model (arc changes of +10 % through ordinary measures, the lane-km of every
    road among them, read also against the car time they save; the pump price halved for the rebound of a
    cheaper cost per km), beside the published ranges and their sources."""
    from framtid.model import catalogue
    from framtid.model import elasticities as el
    from framtid.model.errors import UsageError
    from framtid.model.scenario import load

    save = check_save(save, fmt, force)   # before any work
    origin = of_scenario(load("framtid:reference"), year=start_year)   # the base every elasticity is read on
    if each:
        if municipality is not None:
            raise UsageError("--each: gives every municipality; leave out --municipality")
        print_or_save(el.each_table(el.implied_each(start_year=start_year), fmt, table_width(save)), fmt, save, force,
                      origin)
        return
    rows = el.implied(municipality_id(municipality), start_year)
    if fmt == "json":   # an elasticity that cannot be measured (no toll ring there) is null, not NaN
        rows = [el.without_nan(r) for r in rows]
        print_or_save(json.dumps(rows, indent=2, ensure_ascii=False), fmt, save, force, origin)
        return
    header = ("quantity", "response", "change", "horizon", "year", "implied", "target", "central", "in_range",
              "source")
    table = [(r["quantity"], r["response"], f"{100 * r['change']:+.0f} %", r["horizon"].replace("_", " "), r["year"],
              "-" if r["implied"] != r["implied"] else f"{r['implied']:+.3f}",
              f"{r['low']:+.2f} to {r['high']:+.2f}", f"{r['central']:+.2f}",
              "-" if r["in_range"] is None else "yes" if r["in_range"] else "NO", r["source"]) for r in rows]
    print_or_save(catalogue.render(header, table, fmt, table_width(save)), fmt, save, force, origin)


@click.command()
@click.option("--municipality", default=None, metavar="ID",
              help="Adopters and money of one municipality (default: all 13).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@save_option()
@handle_errors
def grants(municipality, fmt, save, force):
    """Responses to grants implied by the model: the extra adopters per 100 MNOK of public money when a grant
    is cut over a published study's window (the money that goes to those who would adopt anyway counted),
    beside the study's estimate and its source."""
    from framtid.model import catalogue
    from framtid.model import grant_responses as gr
    from framtid.model.elasticities import without_nan
    from framtid.model.scenario import load

    save = check_save(save, fmt, force)   # before any work
    origin = of_scenario(load("framtid:reference"))   # the base the grants are cut on
    rows = gr.implied(municipality_id(municipality))
    if fmt == "json":
        print_or_save(json.dumps([without_nan(r) for r in rows], indent=2, ensure_ascii=False), fmt, save, force,
                      origin)
        return
    if fmt == "csv":   # the numbers as they are, one column each
        fields = tuple(rows[0]) if rows else ()
        print_or_save(catalogue.render(fields, [tuple(without_nan(r).values()) for r in rows], fmt), fmt, save,
                      force, origin)
        return
    header = ("quantity", "response", "change", "window", "adopters", "money_MNOK", "implied", "target", "central",
              "in_range", "source")
    table = [(r["quantity"], r["response"], f"{100 * r['change']:+.0f} %", r["window"],
              f"{r['adopters_with']:.0f} -> {r['adopters_less']:.0f}",
              f"{r['money_with_nok'] / 1e6:.0f} -> {r['money_less_nok'] / 1e6:.0f}",
              "-" if r["implied"] != r["implied"] else f"{r['implied']:.0f}", f"{r['low']:.0f} to {r['high']:.0f}",
              f"{r['central']:.0f}", "-" if r["in_range"] is None else "yes" if r["in_range"] else "NO", r["source"])
             for r in rows]
    print_or_save(catalogue.render(header, table, fmt, table_width(save)), fmt, save, force, origin)


@click.command()
@click.argument("scenario")
@click.option("--year", type=int, default=2030, show_default=True, help="Year of the effects.")
@click.option("--from", "span_from", type=int, default=None,
              help="First year of the cumulative effects (default: the package's first start year).")
@click.option("--municipality", "municipalities", default=None, metavar="IDS",
              help="Only these municipalities (comma-separated ids, names or municipality numbers; default: each of "
                   "the 13 and all together).")
@click.option("--base", default=None, metavar="NAME",
              help="Attribute every measure the scenario's chain of extends adds after this scenario of the chain "
                   "(e.g. reference: the whole policy history of current-policies), not only its own file's.")
@click.option("--by", "by", type=click.Choice(["measure", "kind", "area"]), default="measure", show_default=True,
              help="Credit the measures one by one, or by kind or programme area together (one Shapley player "
                   "each).")
@click.option("--permutations", type=click.IntRange(2, 100_000), default=200, show_default=True,
              help="Sampled orders when the package has more than 12 measures (or groups).")
@click.option("--draws", "n_draws", type=click.IntRange(1, MAX_DRAWS_IN_PROCESS), default=None, metavar="N",
              help="Attribute in each of N sampled draws of the uncertain parameters (paired: every subset of the "
                   "package runs the same draws) and show the mean with the 5-95 % range; costs N times the runs "
                   f"(at most {MAX_DRAWS_IN_PROCESS:,} draws, held in memory together).")
@click.option("--sampler", type=click.Choice(["lhs", "sobol", "random"]), default=None,
              help="How --draws are sampled.  [default: lhs]")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
              help="Seed of the sampled orders and of the --draws.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@save_option()
@handle_errors
def attribute(scenario, year, span_from, municipalities, base, by, n_draws, sampler, permutations, seed, fmt, save,
              force):
    """Attribute the effect of SCENARIO's own measures (file, or framtid:NAME) against the scenario it
    extends (or, with --base, all the measures its chain adds after that scenario): Shapley values (exact up
    to 12 measures or groups), first-in and last-in effects and the interaction, in --year [kt CO2e/yr] and
    summed from --from to --year [kt CO2e]; negative = emissions cut."""
    from framtid.model import api, catalogue, dims
    from framtid.model.errors import UsageError, did_you_mean
    from framtid.model.evaluation import attribution
    from framtid.model.evaluation import attribution_tables as tables
    from framtid.model.uncertainty import ensemble

    save = check_save(save, fmt, force)   # before any work
    picked = names(municipalities, "--municipality")
    unknown = [m for m in picked or () if m not in dims.MUNICIPALITIES]
    if unknown:
        raise UsageError(f"--municipality: unknown id(s) {', '.join(unknown)}; "
                         f"{did_you_mean(unknown[0], dims.MUNICIPALITIES)}allowed: {', '.join(dims.MUNICIPALITIES)}")
    for warning in ensemble.check_options(n_draws, sampler):
        click.echo(f"warning: {warning}", err=True)
    loaded = api.load_scenario(scenario)
    result = attribution.attribute(loaded, year, span_from, permutations, seed,
                                   draws=n_draws, sampler=sampler or "lhs", base=base, by=by)
    origin = of_scenario(loaded, **_draws_origin(seed, n_draws, sampler))
    given = click.get_current_context().get_parameter_source("permutations") is click.core.ParameterSource.COMMANDLINE
    if result.exact and given:
        click.echo(f"warning: --permutations {permutations}: not used; the {len(result.measures)} "
                   f"{'measures' if by == 'measure' else 'groups'} are attributed exactly (every subset runs)",
                   err=True)
    if fmt == "json":
        print_or_save(json.dumps(tables.to_json(result, picked), indent=2, ensure_ascii=False), fmt, save, force,
                      origin)
        return
    quiet = tables.unmoved(result) if fmt == "table" and picked is None else []
    header, rows = tables.rows(result, picked, tuple(quiet)) if fmt == "table" else tables.long_rows(result, picked)
    lines = []
    if fmt == "table":
        how = ("exact Shapley values" if result.exact else
               f"Shapley values estimated from {permutations} sampled orders (std_error: their standard error)")
        lines.append(f"{result.scenario} against {result.base}: {how}, {result.n_runs} runs; kt CO2e/yr in "
                   f"{result.year}, kt CO2e over {result.span[0]}-{result.span[1]}; negative = emissions cut; "
                   "(interaction), in the first_in column: the package's effect less the sum of the measures "
                   "alone (positive where measures cut the same emissions), so that first_in adds up to the "
                   "package, as the Shapley columns do by themselves. Shapley shares what measures do together "
                   "among them, so a measure can be credited in years before it starts where another's effect "
                   "needs it (an oil-heating ban and its announcement) and have an effect in first_in of 0")
        if result.draws:
            lines.append(f"{result.draws} draws (sampler {result.sampler}, seed {seed}): each value is the mean over "
                         "the draws (so the measures' values still add up to the package's) and, in brackets, the "
                         "5-95 % range of the draws (5th to 95th percentile)")
        lines.append("")
    lines.append(catalogue.render(header, rows, fmt, table_width(save)))
    if quiet:
        lines.append(f"\nLeft out, the package moving them less than {tables.UNMOVED_T:g} t in every column: "
                     f"{', '.join(quiet)} (--municipality shows them; csv and json hold every municipality)")
    print_or_save("\n".join(lines), fmt, save, force, origin)


@click.command()
@click.argument("scenario")
@click.option("--discount-rate", "discount_rate", type=float, default=None, metavar="R",
              help="Real discount rate per year (default: cost.discount_rate = 0.04, the Norwegian CBA rate).")
@click.option("--year-from", "--from", "year_from", type=int, default=None, metavar="YEAR",
              help="First year of the appraisal, the year costs are discounted to (default: the package's first "
                   "start year).")
@click.option("--year-to", "--to", "year_to", type=int, default=None, metavar="YEAR", help="Last year (default: 2050).")
@click.option("--base", default=None, metavar="NAME",
              help="Cost every measure the scenario's chain of extends adds after this scenario of the chain (e.g. "
                   "reference: the policy history of current-policies), each first-in on it.")
@click.option("--by", "by", type=click.Choice(["measure", "kind"]), default="measure", show_default=True,
              help="Cost the measures one by one, or the measures of each kind together (first-in as one).")
@click.option("--plot", default=None, type=click.Path(dir_okay=False), help="Write the MAC curve to this PNG.")
@click.option("--force", is_flag=True, help="Replace an existing --plot file and an existing --save file.")
@click.option("--draws", "n_draws", type=click.IntRange(1, MAX_DRAWS_IN_PROCESS), default=None, metavar="N",
              help="Run the base and every measure in the same N sampled draws of the uncertain parameters (cost "
                   "parameters included) and show the 5-95 % ranges and the share of draws in which each pays "
                   f"(at most {MAX_DRAWS_IN_PROCESS:,} draws, held in memory together).")
@click.option("--sampler", type=click.Choice(["lhs", "sobol", "random"]), default=None,
              help="How --draws are sampled.  [default: lhs]")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="Seed of the --draws.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@save_option(force=False)
@handle_errors
def costs(scenario, discount_rate, year_from, year_to, base, by, plot, force, n_draws, sampler, seed, fmt, save):
    """Cost the measures SCENARIO adds to the scenario it extends: each measure alone on that base
    (first-in), its cost items by payer, abatement, NOK per t CO2e beside the carbon price, and the
    marginal abatement cost curve."""
    from pathlib import Path

    from framtid.model import api, catalogue
    from framtid.model.evaluation import cost_tables
    from framtid.model.evaluation import costs as appraisal
    from framtid.model.uncertainty import ensemble

    save = check_save(save, fmt, force, (), (("--plot", plot),))   # before any work
    plot = output_path(plot, "--plot", "the PNG file to write the MAC curve to, or leave --plot out for no chart")
    loaded = api.load_scenario(scenario)
    if plot:
        cost_tables.check_plot_path(plot, force)   # refuse before the runs
    warn_of_an_idle_seed(n_draws)
    for warning in ensemble.check_options(n_draws, sampler):
        click.echo(f"warning: {warning}", err=True)
    report = appraisal.evaluate(loaded, discount_rate, year_from, year_to, seed=seed, draws=n_draws,
                                sampler=sampler or "lhs", base=base, by=by)
    starts = [m.start_year for m in loaded.own] if base is None else []
    if starts and report.year_to < min(starts):
        click.echo(f"warning: --to {report.year_to}: the package's measures start in {min(starts)} or later, so "
                   "nothing is cut or paid in the years appraised", err=True)
    written = None
    origin = of_scenario(
        loaded, base=base or "the scenario it extends",
        discount_rate=discount_rate if discount_rate is not None else "the parameter table's",
        years=f"{report.year_from}-{report.year_to}", by=by or "measure", **_draws_origin(seed, n_draws, sampler))
    if plot:
        click.get_current_context().meta["framtid.target"] = (Path(plot), stat(plot))
        written = cost_tables.plot_mac(report, plot, force, origin)
    sections = cost_tables.tables(report, fmt)
    print_or_save(catalogue.render_sections(sections, fmt, table_width(save)).lstrip("\n"), fmt, save, force,
                  origin)
    if written:   # CSV, JSON and a saved table keep stdout to themselves
        click.echo(f"wrote {written}", err=fmt != "table" or save is not None)


@click.command()
@click.argument("scenario", default="framtid:current-policies")
@click.option("--cordon", "cordon_ids", default=None, metavar="IDS",
              help="Only the changes on these cordons (comma-separated ids; see `framtid list cordons`).")
@click.option("--own", is_flag=True, help="Only the toll changes SCENARIO adds to the scenario it extends.")
@click.option("--observed", default=None, type=click.Path(dir_okay=False), metavar="FILE",
              help="Measured changes to set beside the model's: CSV cordon,year,change_pct[,compare][,source][,date].")
@click.option("--draws", "n_draws", type=click.IntRange(1, MAX_DRAWS_IN_PROCESS), default=None, metavar="N",
              help="Run every case in the same N sampled draws (paired) and show medians with 5-95 % ranges "
                   f"(at most {MAX_DRAWS_IN_PROCESS:,} draws, held in memory together).")
@click.option("--sampler", type=click.Choice(["lhs", "sobol", "random"]), default=None,
              help="How --draws are sampled.  [default: lhs]")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="Seed of the --draws.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@save_option()
@handle_errors
def tolls(scenario, cordon_ids, own, observed, n_draws, sampler, seed, fmt, save, force):
    """The model's answer to each toll change of SCENARIO (file, or framtid:NAME; default
    current-policies): passages per day across the cordon's line the year before and in the first full
    year, and the effect against the same run without the change (a scheme that succeeds another cordon's
    stations: against the predecessor kept on the share of the line they carried), by period and up to the
    cordon's next change (at most five years on). With --observed, measured changes beside the model's, with
    the error and whether they lie in the range."""
    from framtid.model import api, catalogue
    from framtid.model.errors import UsageError, did_you_mean
    from framtid.model.evaluation import toll_cases
    from framtid.model.provenance import of_file
    from framtid.model.uncertainty import ensemble

    save = check_save(save, fmt, force, (observed,))   # before any work
    loaded = api.load_scenario(scenario)
    picked = names(cordon_ids, "--cordon")
    if picked:
        known = sorted({c for m in toll_cases.changes(loaded, own=own) for c in toll_cases.cordons_of(loaded, m)})
        unknown = [c for c in picked if c not in known]
        if unknown:
            mine = " among its own measures" if own else ""   # --own: only the cordons the scenario itself changes
            raise UsageError(f"--cordon: no toll change on {', '.join(unknown)} in {loaded.name}{mine}; "
                             f"{did_you_mean(unknown[0], known)}"
                             f"{'cordons its own measures change' if own else 'cordons with toll changes'}: "
                             f"{', '.join(known) or 'none'}")
    observations = None
    if observed:   # refused before the runs: a bad file, or an observation no case will meet
        observations = toll_cases.read_observed_changes(observed)
        toll_cases.check_observed(loaded, observations, observed, tuple(picked) if picked else None, own)
    warn_of_an_idle_seed(n_draws)
    for warning in ensemble.check_options(n_draws, sampler):
        click.echo(f"warning: {warning}", err=True)
    draws = n_draws or 1
    rows = toll_cases.cases(loaded, draws, seed, sampler or "lhs", tuple(picked) if picked else None, own)
    compared = toll_cases.compare(rows, observations, observed) if observations is not None else None
    origin = of_scenario(loaded, **_draws_origin(seed, n_draws, sampler)) + (
        [of_file("observed", observed)] if observed else [])
    if fmt in ("json", "csv"):   # a value that does not apply (NaN) as null in JSON, empty in CSV
        from framtid.model.elasticities import without_nan

        plain = [without_nan(r) for r in rows]
        plain_compared = None if compared is None else [without_nan(r) for r in compared]
    if fmt == "json":
        body = {"scenario": loaded.name, "draws": draws, "cases": plain}
        if compared is not None:
            body |= {"observed": plain_compared, "agreement": without_nan(toll_cases.agreement(compared))}
        print_or_save(json.dumps(body, indent=2, ensure_ascii=False, allow_nan=False), fmt, save, force, origin)
        return
    if fmt == "csv":
        header = toll_cases.COMPARED_COLUMNS if compared is not None else toll_cases.COLUMNS
        table = [[r[k] for k in header] for r in (plain_compared if compared is not None else plain)]
        print_or_save(catalogue.render(header, table, "csv"), fmt, save, force, origin)
        return
    width = table_width(save)
    header, table = toll_cases.table_rows(rows, draws)
    lines = [textwrap.fill(toll_cases.title(loaded.name, draws), width) + "\n",
             catalogue.render(header, table, "table", width)]
    if compared is not None:
        header, table = toll_cases.compared_rows(compared)
        lines += ["\nObserved changes beside the model's [%; error = model - observed, percentage points]\n",
                  catalogue.render(header, table, "table", width),
                  toll_cases.agreement_line(toll_cases.agreement(compared))]
    print_or_save("\n".join(lines), fmt, save, force, origin)


@click.command()
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
@click.option("--groups", "grouping", type=click.Choice(["submodel", "correlated"]), default=None,
              help="submodel: move the parameters of each submodel together (fast overview); correlated: move each "
                   "set of declared-correlated parameters together with its correlations, every other alone.")
@click.option("--top", type=int, default=None, metavar="K",
              help="morris: show only the first K (default: all); sobol: keep the K with the largest Morris "
                   "mu_star (default 10).")
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

    refuse_idle_force(force, (("--plot", plot),))
    plot = output_path(plot, "--plot", "the PNG file to write the ranked indices to, or leave --plot out for no "
                                       "chart")
    if parameters is not None:
        no_empty_item(parameters, "--parameters")
    loaded = api.load_scenario(scenario)
    out = sa.output(output_name, municipality_id(municipality), year)
    if plot:
        sa.check_plot_path(plot, force)   # refuse before the runs
    imports_done()
    rep = sa.analyse(loaded, method, out, parameters, top, trajectories, samples, seed, grouping, workers,
                     scheduler, progress=sys.stderr.isatty())
    written = None
    if plot:
        click.get_current_context().meta["framtid.target"] = (Path(plot), stat(plot))
        written = sa.plot(rep, plot, force, of_scenario(
            loaded, method=method, output=output_name, municipality=municipality or "all 13", year=year,
            parameters=parameters or "every uncertain one", groups=grouping or "none", top=top or "-",
            trajectories=trajectories or "default", samples=samples or "default", seed=seed, runs=rep.n_runs))
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



@click.command()
@click.option("--cut-off", "cut_off", type=int, default=None, metavar="YEAR",
              help="Fit on the observations up to YEAR; later ones are shown as checks (default: every year each "
                   "fit may use).")
@click.option("--observed", default=None, type=click.Path(dir_okay=False), metavar="FILE",
              help="Municipal inventories (framtid hindcast's layouts, or framtid:inventory for the embedded "
                   "2009-2013): their heating emissions replace Norway's as the review's target, and their vans and "
                   "heavy vehicles are fitted too.")
@click.option("--municipality", default=None, metavar="ID", help="Municipality of an agency export without a "
                                                                  "municipality column.")
@click.option("--out", default=None, type=click.Path(dir_okay=False), metavar="FILE.toml",
              help="Write the fit as a scenario: the policy history with the fitted [parameters].")
@click.option("--plot", default=None, type=click.Path(dir_okay=False), metavar="FILE.png",
              help="Draw the observations beside the model at the table's values and at the fit.")
@click.option("--force", is_flag=True, help="Replace an existing --out or --plot file.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@handle_errors
def calibrate(cut_off, observed, municipality, out, plot, force, fmt):
    """Fit the model's free parameters (the review of oil heating, the battery-electric maturity path; with
    --observed also the efficiency gains of new vans and heavy vehicles) to the observations up to a cut-off year
    with the policy history in force, and set the later observations beside the fit as checks. CSV gives the
    parameters; JSON every observation too."""
    from framtid import __version__
    from framtid.model import catalogue
    from framtid.model.fitting import calibrate as fit, report

    from framtid.model.safe_write import check_plot_path

    refuse_idle_force(force, (("--out", out), ("--plot", plot)))
    out = output_path(out, "--out", "a scenario file to write the fit to")
    plot = output_path(plot, "--plot", "a PNG file to draw the fit in")
    if out is not None:
        report.check_out(out, force)           # before the runs
    if plot is not None:
        check_plot_path(plot, force)
    calibration = fit(cut_off, observed, municipality_id(municipality))
    for warning in report.underdetermined(calibration):
        click.echo(f"warning: {warning}", err=True)
    click.get_current_context().meta["framtid.target"] = [(p, stat(p)) for p in (out, plot) if p is not None]
    for written in report.write(calibration, out, plot, force, __version__):
        click.echo(f"wrote {written}", err=True)
    if fmt == "json":
        click.echo(json.dumps(report.as_json(calibration), indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        rows = report.parameter_rows(calibration)
        click.echo(catalogue.render(report.PARAMETER_COLUMNS, [[r[k] for k in report.PARAMETER_COLUMNS]
                                                                for r in rows], "csv"))
        return
    width = catalogue.terminal_width()
    click.echo(textwrap.fill(report.title(calibration), width))
    for one in calibration.fits:
        click.echo("\n" + "\n".join(report.fit_lines(one)))
        click.echo(catalogue.render(*report.observation_table(one.series, one.rows), "table", width))
        for check in one.checks:
            click.echo(f"  beside it, not fitted: {check.series.quantity}, {check.series.source}")
            click.echo(catalogue.render(*report.observation_table(check.series, check.rows), "table", width))
