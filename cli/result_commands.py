"""The commands that read a result file: ``framtid summary``, ``hindcast``, ``targets``,
``decompose``, ``indicators``, ``export`` and ``report``."""

from __future__ import annotations

import click

from framtid.model.provenance import of_file, of_result

from .common import (check_save, handle_errors, names, output_path, parse_years, print_or_save, refuse_idle_force,
                     save_option, stat, table_width)

YEARS_OPTION = "--year/--years"     # how messages name the option that takes either spelling


@click.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--years", default="2009,2020,2030,2050", show_default=True, help="Comma-separated years.")
@click.option("--by", type=click.Choice(["municipality", "sector"]), default="municipality", show_default=True)
@click.option("--municipality", "municipalities", default=None, metavar="IDS",
              help="Only these municipalities (comma-separated ids, names or municipality numbers).")
@click.option("--scenario", "scenarios", default=None, metavar="NAMES", help="Only these scenarios (comma-separated).")
@click.option("--sector", "sectors", default=None, metavar="NAMES", help="Only these sectors (comma-separated).")
@click.option("--gwp", type=click.Choice(["ar4", "ar5", "ar6", "sar"]), default=None,
              help="Re-weigh the gases with another GWP set (default: the one the run used).")
@click.option("--band", type=click.Choice(["draws", "prediction"]), default="draws", show_default=True,
              help="The range of each emission value: the draws' 5-95 %, or the prediction band that adds the model's "
                   "discrepancy (how far the inventory strays from the model; also for one draw).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@save_option()
@handle_errors
def summary(result, years, by, municipalities, scenarios, sectors, gwp, band, fmt, save, force):
    """Print total emissions from a RESULT file [kt CO2e/yr], and each scenario's difference from the first.
    With several draws: the median and the 5-95 % range over the draws (columns _p05 and _p95 in CSV/JSON);
    with --band prediction each emission value's prediction band (columns _pred_p05 and _pred_p95)."""
    from framtid.model import api, catalogue, result_summary
    from framtid.model.result_file import require

    year_list = parse_years(years)
    save = check_save(save, fmt, force, (result,))        # before any work
    # only what the summary reads: an ensemble file can hold gigabytes of other variables
    read = ["emissions", "emissions_gas", "emissions_source"] if gwp else ["emissions"]
    ds = api.open_results(result, read)
    if band == "prediction":
        result_summary.add_base_year_status(ds, result)   # for the error of an estimated 2009
        read += ["emissions_source", "base_year_status"]
    origin = of_result(ds, result, tuple(dict.fromkeys(read)))
    result_summary.check_years(ds, year_list, result)
    if gwp:
        require(ds, ["emissions_gas"], result, "--gwp")
        ds = api.reweigh(ds, gwp)
    ds = result_summary.select(ds, names(scenarios, "--scenario"), names(municipalities, "--municipality"),
                               names(sectors, "--sector"), result)
    if fmt == "table":
        text = catalogue.render_sections(result_summary.summary_tables(ds, year_list, by, band == "prediction"),
                                         "table", table_width(save))
    else:
        text = catalogue.render(*result_summary.summary_rows(ds, year_list, by, band == "prediction"), fmt)
    print_or_save(text, fmt, save, force, origin)


@click.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--observed", required=True, type=click.Path(dir_okay=False),
              help="Observed emissions [t CO2e]: a long CSV (municipality,year,sector,value[,gwp]) or an agency "
                   "export by source and gas; framtid:inventory for the inventory values embedded in framtid "
                   "(2009-2013).")
@click.option("--municipality", default=None, metavar="ID", help="Municipality of an agency export without a "
                                                                  "municipality column.")
@click.option("--scenario", default=None, metavar="NAME", help="Scenario to compare (when RESULT holds several).")
@click.option("--out", default=None, type=click.Path(file_okay=False), help="Folder for one PNG per municipality.")
@click.option("--force", is_flag=True, help="Replace existing PNGs in --out and an existing --save file.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@save_option(force=False)
@handle_errors
def hindcast(result, observed, municipality, scenario, out, force, fmt, save):
    """Compare RESULT with observed emissions: bias, MAPE, RMSE, skill against persistence of 2009 and
    the direction of the trend, per municipality and sector/source (CSV and JSON add every observation)."""
    from framtid.model import api, catalogue
    from framtid.model import hindcast as hc

    out = output_path(out, "--out", "the folder to write the charts into, or leave --out out for no charts")
    save = check_save(save, fmt, force, (result, observed), (("--out", out),))   # before any work
    observations = hc.read_observed(observed, municipality)
    # read part by part: the comparison weighs one municipality's gases at a time
    with api.open_results(result, list(hc.VARIABLES), lazy=True) as ds:
        rows = hc.compare(ds, observations, scenario, source=result, observed=observed)
        skipped = hc.outside_run(ds, observations)
        origin = of_result(ds, result, hc.VARIABLES) + [of_file("observed", observed)] if out or save else []
    if skipped:
        click.echo(f"warning: {len(skipped)} observation(s) of years outside the run left out", err=True)
    slip = hc.unit_slip(rows)
    if slip:
        click.echo(f"warning: {observed}: {slip}", err=True)
    if out:
        ctx = click.get_current_context()
        ctx.meta["framtid.target"] = [(p, stat(p)) for p in hc.chart_paths(rows, out)]   # what an interrupt leaves
    written = hc.plot(rows, out, force, origin) if out else []
    header, table = hc.metric_table(hc.metrics(rows), fmt)
    sections = [("metrics", hc.title(rows), header, table)]
    if fmt != "table":
        sections.append(("observations", "", *hc.row_table(rows)))
    print_or_save(catalogue.render_sections(sections, fmt, table_width(save)).lstrip("\n"), fmt, save,
                  force, origin)
    for path in written:
        click.echo(f"wrote {path}", err=fmt != "table" or save is not None)   # CSV, JSON keep stdout to themselves


@click.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--scenario", "scenarios", default=None, metavar="NAMES", help="Only these scenarios (comma-separated).")
@click.option("--municipality", "municipalities", default=None, metavar="IDS",
              help="Only the rows of these municipalities (comma-separated ids, names or municipality numbers; "
                   "default: all 13); a city region's rows only when all its members are named, the 13 together's "
                   "only when all 13 are.")
@click.option("--national-rule", "rule", type=click.Choice(["share", "per-capita", "non-ets"]), default="share",
              show_default=True, help="How national targets are set against the municipalities: the national "
                                      "path's change from 2009 on their 2009 emissions, per inhabitant, or on "
                                      "their emissions outside the EU ETS.")
@click.option("--zero-growth-base", "zero_growth_base", type=int, default=None, metavar="YEAR",
              help="Reference year of the zero-growth goal for car traffic (default: 2017).")
@click.option("--from", "from_year", type=int, default=None, metavar="YEAR",
              help="Year the needed annual cut is counted from (default: 2026, the last year of the policy "
                   "history, or the year before a target's year where that is earlier).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@save_option()
@handle_errors
def targets(result, scenarios, municipalities, rule, zero_growth_base, from_year, fmt, save, force):
    """Set RESULT against the targets: national targets, the municipalities' own targets and the
    zero-growth goal for car traffic; per municipality, city region and the 13 together: target value,
    modelled value in its year, gap, first year met and the average annual cut still needed. With several
    draws: medians, the gap's 5-95 % range and the share of draws that meet each target (P(met))."""
    from framtid.model import api, catalogue, result_summary
    from framtid.model.evaluation import target_tables as tt
    from framtid.model.evaluation import targets as tg

    save = check_save(save, fmt, force, (result,))        # before any work
    ds = result_summary.select(api.open_results(result, list(tg.VARIABLES)), names(scenarios, "--scenario"),
                               source=result)
    picked = names(municipalities, "--municipality")
    result_summary.select(ds, None, picked, None, result)                 # unknown ids: a usage error with a hint
    rows = tg.of_municipalities(tg.assess(ds, rule, zero_growth_base, from_year, result,
                                          tg.selection_areas(picked, unless_region=True)), picked)
    if fmt != "table":
        text = catalogue.render(*tt.tidy(rows), fmt)
    else:
        text = tt.table_text(ds, rows, rule, table_width(save))
    print_or_save(text, fmt, save, force, of_result(ds, result, tg.VARIABLES))


@click.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--scenario", "scenarios", default=None, metavar="NAMES",
              help="Only these scenarios (comma-separated; default: every scenario of RESULT).")
@click.option("--municipality", "municipalities", default=None, metavar="IDS",
              help="Only these municipalities (comma-separated ids, names or municipality numbers; default: the 13 "
                   "and all together).")
@click.option("--from", "year_from", type=int, default=None, metavar="YEAR", help="Start year (default: 2009).")
@click.option("--to", "year_to", type=int, default=2030, show_default=True, metavar="YEAR", help="End year.")
@click.option("--versus", default=None, metavar="SCENARIO",
              help="Decompose the difference from this scenario in the --to year instead of a change over time.")
@click.option("--quantity", type=click.Choice(["emissions", "car-traffic"]), default="emissions", show_default=True,
              help="What to decompose: road-transport and building emissions, or residents' car vkm (the "
                   "zero-growth goal's measure) into population, trip rate, car-driver share and trip length.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@save_option()
@handle_errors
def decompose(result, scenarios, municipalities, year_from, year_to, versus, quantity, fmt, save, force):
    """Split the change in road-transport and building emissions in RESULT into activity, structure,
    intensity and fuel effects (additive LMDI-I; the effects add up to the change exactly) [kt CO2e/yr];
    with --quantity car-traffic, the change in residents' car vkm [million vkm/yr]."""
    from framtid.model import api, catalogue
    from framtid.model.evaluation import decomposition as dc
    from framtid.model.evaluation import traffic_decomposition as td

    module = td if quantity == "car-traffic" else dc
    save = check_save(save, fmt, force, (result,))        # before any work
    ds = api.open_results(result, list(module.VARIABLES))
    rows = module.decompose(ds, names(scenarios, "--scenario"), names(municipalities, "--municipality"), year_from,
                            year_to, versus, result)
    if fmt != "table":
        text = catalogue.render(*module.tidy(rows), fmt)
    elif module is td:
        text = catalogue.render_sections(td.sections(rows), "table", table_width(save)).lstrip("\n")
    else:
        text = dc.table_text(ds, rows, table_width(save))
    print_or_save(text, fmt, save, force, of_result(ds, result, module.VARIABLES))


@click.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--year", "--years", "years", default="2009,2020,2030,2050", show_default=True,
              help="Comma-separated years.")
@click.option("--municipality", "municipalities", default=None, metavar="IDS",
              help="Only these municipalities (comma-separated ids, names or municipality numbers); regions and the "
                   "total cover the selection.")
@click.option("--scenario", "scenarios", default=None, metavar="NAMES", help="Only these scenarios (comma-separated).")
@click.option("--reference-year", "reference_year", type=int, default=2009, show_default=True,
              help="Year the car vkm index is 1 in.")
@click.option("--compare", default="2009", show_default=True, metavar="YEAR|SCENARIO",
              help="What the HEAT change is measured against: a year's walking and cycling per resident, or a "
                   "scenario of RESULT.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@save_option()
@handle_errors
def indicators(result, years, municipalities, scenarios, reference_year, compare, fmt, save, force):
    """The programme's indicators from a RESULT file, per municipality, region and all together: emissions
    per capita, car share and car vkm index, kWh per m2, fossil heating, waste, adaptation, road NOx and
    PM10, the health value of walking and cycling (WHO HEAT), passages through the municipality's toll cordons
    and tolls paid by residents."""
    from framtid.model import api, catalogue, result_summary
    from framtid.model.evaluation import cobenefits as cb
    from framtid.model.evaluation import indicators as ind

    year_list = parse_years(years, YEARS_OPTION)
    save = check_save(save, fmt, force, (result,))        # before any work
    ds = api.open_results(result, list(ind.VARIABLES), "framtid indicators", optional=cb.OPTIONAL)
    result_summary.check_years(ds, year_list, result, YEARS_OPTION)
    ind.check_reference_year(ds, reference_year, result)
    ds = result_summary.select(ds, None, names(municipalities, "--municipality"), None, result)
    picked = list(result_summary.select(ds, names(scenarios, "--scenario"), None, None, result)["scenario"].values)
    against = ind.parse_compare(compare, ds, result)
    if fmt == "table":
        sections = ind.indicator_sections(ds, year_list, reference_year, against, [str(s) for s in picked])
        text = catalogue.render_sections(sections, "table", table_width(save)).lstrip("\n")
    else:
        text = catalogue.render(*ind.indicator_rows(ds, year_list, reference_year, against, [str(s) for s in picked]),
                                fmt)
    print_or_save(text, fmt, save, force, of_result(ds, result, ind.VARIABLES))


@click.command()
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
              help="Only these municipalities (comma-separated ids, names or municipality numbers).")
@click.option("--year", "--years", "years", default=None, help="Only these years (comma-separated; default: all).")
@handle_errors
def export(result, fmt, out, force, scenarios, municipalities, years):
    """Write the emissions of a RESULT file in a standard city-inventory layout (t and t CO2e per year,
    mean over draws), each row beside the agency's sector and the model's sources."""
    from framtid.model import api, result_summary
    from framtid.model.evaluation import export as ex

    refuse_idle_force(force, (("--out", out),))
    out = output_path(out, "--out", "the CSV file to write, or leave --out out to print to the terminal")
    year_list = parse_years(years, YEARS_OPTION) if years else None
    if out:
        ex.check_out(out, force)     # before any work
    ds = api.open_results(result, list(ex.VARIABLES), "framtid export")
    if year_list:
        result_summary.check_years(ds, year_list, result, YEARS_OPTION)
        ds = ds.sel(year=year_list)
    ds = result_summary.select(ds, names(scenarios, "--scenario"), names(municipalities, "--municipality"), None,
                               result)
    text = ex.export_text(ds, fmt)
    if out:
        ctx = click.get_current_context()
        ctx.meta["framtid.target"] = (out, stat(out))
        chosen = ", ".join(f"{d} {','.join(str(v) for v in ds[d].values)}" for d in ("scenario", "municipality")
                           if d in ds.dims)
        path = ex.write(text, out, force, of_result(ds, result, ex.VARIABLES) + [
            ("export", f"{fmt}; {chosen}; means over the draws; t and t CO2e per year")])
        click.echo(f"wrote {path} ({fmt}: {text.count(chr(10)) - 1} rows)", err=True)
    else:
        click.echo(text, nl=False)


@click.command()
@click.argument("result", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(), metavar="DIR",
              help="Folder to write (report.html, report.md and figures/*.png); must not exist unless --force.")
@click.option("--force", is_flag=True, help="Replace an existing report folder.")
@click.option("--scenario", "scenarios", default=None, metavar="NAMES",
              help="Only these scenarios (comma-separated; the first is the one the others are compared with).")
@click.option("--municipality", "municipalities", default=None, metavar="IDS",
              help="Only these municipalities (comma-separated ids, names or municipality numbers; default: all 13).")
@click.option("--package", default=None, metavar="SCENARIO.toml",
              help="A scenario file (or framtid:NAME) whose own measures are attributed against the scenario it "
                   "extends and costed: adds the wedge chart and the MAC curve.")
@click.option("--base", default=None, metavar="NAME",
              help="With --package: attribute and cost every measure its chain of extends adds after this scenario "
                   "(e.g. reference: the policy history of current-policies).")
@click.option("--by", "by", type=click.Choice(["measure", "kind"]), default="measure", show_default=True,
              help="With --package: credit and cost the measures one by one, or those of each kind together.")
@click.option("--year", type=int, default=2030, show_default=True, help="Evaluation year.")
@click.option("--national-rule", "rule", type=click.Choice(["share", "per-capita", "non-ets"]), default="share",
              show_default=True, help="How national targets are set against the municipalities (as framtid targets).")
@click.option("--zero-growth-base", "zero_growth_base", type=int, default=None, metavar="YEAR",
              help="Reference year of the zero-growth goal for car traffic (default: 2017; as framtid targets).")
@handle_errors
def report(result, out, force, scenarios, municipalities, package, base, by, year, rule, zero_growth_base):
    """Write a report of RESULT that reads without the tool: one self-contained HTML page and Markdown with PNG
    figures (paths against targets, sectors, wedges and MAC curve of a --package, decomposition, indicators,
    targets, method and provenance). With several draws: fan charts, medians with 5-95 % ranges and P(met)."""
    from framtid.model import api
    from framtid.model.errors import UsageError
    from framtid.model.evaluation import report as rp

    if (base is not None or by != "measure") and not package:
        raise UsageError("--base and --by apply to a --package; give one")
    target = rp.check_out(out, force)                      # refuse before any work
    # the file stays open and each section reads what it uses: a large ensemble is never in memory whole
    with api.open_results(result, list(rp.VARIABLES), lazy=True) as ds:
        loaded = api.load_scenario(package) if package else None
        content = rp.build(ds, names(scenarios, "--scenario"), names(municipalities, "--municipality"), year, loaded,
                           rule, result, package or "", base=base, by=by, zero_growth_base=zero_growth_base)
    click.get_current_context().meta["framtid.target"] = (target, stat(target))
    path = rp.write(content, target, force)
    click.echo(f"wrote {path / rp.HTML_NAME}, {path / rp.MARKDOWN_NAME} and {len(content.charts())} figures in "
               f"{path / rp.FIGURE_FOLDER}")

