"""A report of a result for readers without the tool (``framtid report``): one self-contained HTML page,
the same content as Markdown, and the figures as PNG files.

The report is built in three steps, each usable on its own:

1. :func:`build` computes the content from a result Dataset (and, with a package, from the runs of its
   attribution and costs) as data: a :class:`Report` of :class:`Section` s, each a list of blocks
   (:class:`Text`, :class:`Bullets`, :class:`Table`, :class:`Chart`). Tables hold formatted cells
   with the unit in every numeric column's header; charts hold a function that draws a matplotlib
   Figure and a caption that says what it shows.
2. :func:`render_pngs` draws the charts; :func:`render_html` and :func:`render_markdown` turn the
   sections into documents. The HTML has its CSS inline and the figures embedded as base64 PNG data
   URIs, so it needs no other file, no network and no JavaScript; the Markdown links the PNGs in
   ``figures/``.
3. :func:`write` writes ``report.html``, ``report.md`` and ``figures/*.png`` into a hidden temporary
   folder beside the target and renames it into place when everything is written: an interrupted
   report leaves nothing, and an existing folder is replaced only with ``force`` (and only when it
   holds what a report writes).

Content, in the order a planner reads it: a summary (scenarios, totals, targets met and not met);
emission paths against the targets per municipality; emissions by sector; what the measures of a
package do (Shapley wedges, ``attribution.py``) and cost (MAC curve, ``costs.py``), or without a
package each scenario's difference from the first by sector; why emissions changed (LMDI,
``decomposition.py``); indicators and co-benefits (``indicators.py``); the targets in detail
(``targets.py``); how to read the report, method and provenance.

Emissions are territorial, in kt CO2e/yr of the run's GWP set.

**Several draws** (a sampled ensemble): the path charts become fan charts (the median over draws, the
25-75 % and 5-95 % bands) against the targets; tables give the median and the 5-95 % range of each
value, every total, ratio, change or difference computed draw by draw before the percentiles; target
tables give P(met), the share of draws that meet a target (each draw against its own target, as in
``framtid targets``); a paragraph says how many draws, which sampler, and what the calibration,
re-fitted in every draw, does to the band at 2009. Stacked sector charts, difference bars and the
decomposition stay means over draws, which keep their parts adding up. A single draw reports as
before.

**Modules.** This module is the entry point: the checks before any work (:func:`check_out`,
:func:`check_options`, :func:`check_package`), :func:`build`, and :func:`write`; it re-exports the
public names of the modules below (``__all__``), so that callers need only ``report``.

- ``report_content.py``: the report as data and the small pure helpers that format its cells.
- ``report_context.py``: the context every section is built from, and the look-ups sections share.
- ``report_summary.py``, ``report_paths.py``, ``report_sections.py``, ``report_detail_sections.py``:
  one function per section (summary; emission paths; sectors, differences or package, decomposition;
  indicators, targets, method).
- ``report_figures.py``: the charts, pure functions from arrays to a matplotlib Figure; ``report_layout.py``: their
  page geometry (figure, axes style, panel grids and legends).
- ``report_render.py``: the PNGs, the HTML page and the Markdown.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path

from .. import dims
from ..errors import ResultExistsError, ResultFileError, UsageError, did_you_mean
from ..safe_write import make_folder, remove_made_folders
from . import decomposition as dc
from . import indicators as ind
from . import targets as tg
from .report_content import (Report, Section, Table, Text, area_label, indicator_label, join_names, municipality_names,
                             number)
from .report_context import Context
from .report_detail_sections import indicator_section, method_section, targets_section
from .report_figures import wedge_bands
from .report_paths import paths_section
from .report_render import FIGURE_FOLDER, render_html, render_markdown, render_pngs
from .report_sections import decomposition_section, difference_section, package_section, sectors_section
from .report_summary import summary_section

__all__ = [
    "FIGURE_FOLDER", "HTML_NAME", "MARKDOWN_NAME", "REPORT_ENTRIES", "VARIABLES", "Report", "Section", "Table", "Text",
    "area_label", "build", "check_options", "check_out", "check_package", "decomposition_section",
    "difference_section", "indicator_label", "indicator_section", "join_names", "method_section",
    "municipality_names", "number", "package_section", "paths_section", "render_html", "render_markdown",
    "render_pngs", "sectors_section", "summary_section", "targets_section", "wedge_bands", "write",
]

HTML_NAME = "report.html"
MARKDOWN_NAME = "report.md"
REPORT_ENTRIES = (HTML_NAME, MARKDOWN_NAME, FIGURE_FOLDER)
# what the report reads from a result file (the command loads only these): emissions by sector (summary,
# paths, sectors, differences) and by source (the paths under the rule 'non-ets'), and what the targets,
# the decomposition and the indicators read (a --package is run anew and reads no more of the file)
# base_year_status: the paths' prediction band carries the error of an estimated 2009 (report_paths)
VARIABLES = tuple(dict.fromkeys(("emissions", "emissions_source", "base_year_status") + tg.VARIABLES + dc.VARIABLES
                                + ind.VARIABLES))
SCENARIO_COLOURS = ("#333333", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
                    "#17becf", "#bcbd22")


# ---------------------------------------------------------------- checks before any work

def check_out(out, force: bool = False) -> Path:
    """The report folder named by ``--out``: refuse an empty name, a file, a name the file system cannot
    hold, an existing folder without ``force``, and with ``force`` a folder holding anything a report
    does not write (so ``--force`` never deletes other files)."""
    from ..safe_write import check_folder, check_name

    if out is None or not str(out).strip():
        raise UsageError("--out: give the folder to write the report into (it holds report.html, report.md "
                         "and figures/)")
    path = Path(out)
    check_name(path)
    if path.exists() or path.is_symlink():
        if path.is_symlink() or not path.is_dir():
            raise ResultFileError(f"--out {path}: is a file or a link, not a folder; give the name of a new folder")
        if not force:
            raise ResultExistsError(f"{path}: exists already; choose another --out or pass --force to replace it; "
                                    "nothing was written")
        strays = [p.name for p in sorted(path.iterdir()) if p.name not in REPORT_ENTRIES]
        figures = path / FIGURE_FOLDER
        if figures.is_dir():
            strays += [f"{FIGURE_FOLDER}/{p.name}" for p in sorted(figures.iterdir()) if p.suffix != ".png"]
        if strays:
            raise ResultFileError(f"--out {path}: holds {strays[0]}" + (f" and {len(strays) - 1} more" if
                                                                          len(strays) > 1 else "")
                                  + ", which a report does not write; --force replaces only a report folder "
                                    "(report.html, report.md, figures/); nothing was written")
    check_folder(path)
    return path


def check_options(ds, municipalities: list[str] | None, year: int, source: str = "result") -> list[str]:
    """The municipalities to report (default all 13); refuse unknown ids and an evaluation year the
    result cannot answer, naming the option and what is allowed."""
    if municipalities:
        unknown = [m for m in municipalities if m not in dims.MUNICIPALITIES]
        if unknown:
            raise UsageError(f"--municipality: unknown id(s) {', '.join(unknown)}; "
                             f"{did_you_mean(unknown[0], dims.MUNICIPALITIES)}allowed: "
                             f"{', '.join(dims.MUNICIPALITIES)}")
        picked = [m for m in dims.MUNICIPALITIES if m in municipalities]
    else:
        picked = list(dims.MUNICIPALITIES)
    from ..result_file import require_all_municipalities

    require_all_municipalities(ds, source, "a report")
    years = [int(y) for y in ds["year"].values]
    if year not in years or year <= dims.BASE_YEAR:
        raise UsageError(f"--year: must be a year of {source} after the base year ({years[0] + 1}-{years[-1]}), "
                         f"got {year}")
    return picked


def check_package(scenario, source: str, base: str | None = None, by: str = "measure") -> None:
    """A package must add measures to the scenario it extends (or, with ``base``, to that scenario of its
    chain), and none adaptive (they cannot be attributed: whether they act depends on the run); ``by`` is
    ``measure`` or ``kind`` (what both its attribution and its costs can group)."""
    from ..scenario_inheritance import package_since

    if by not in ("measure", "kind"):
        raise UsageError(f"--by: {by!r}; allowed: measure, kind")
    own = package_since(scenario, base)[1]
    if not own:
        after = "the scenario it extends" if base is None else repr(base)
        raise UsageError(f"--package {source}: adds no measures to {after}, so it has no "
                         "package to attribute and cost; give a scenario file with [[measure]] entries that "
                         "extends another scenario")
    adaptive = [m.label for m in own if m.adoption == "adaptive"]
    if adaptive:
        raise UsageError(f"--package {source}: adaptive measures cannot be attributed ({', '.join(adaptive)}); "
                         "write them without adoption = \"adaptive\"")


def check_package_recorded(ds, package, given: str, source: str) -> None:
    """A package that the result ran under the same scenario name must be the scenario the result recorded
    (the same text of each file of its chain): the report sets the package's own runs beside the result's paths,
    and a file edited since the run would mix two scenarios without a word."""
    from .report_context import recorded_files

    recorded = recorded_files(ds).get(package.name)
    if recorded is None:
        return
    now = [text for _, text in package.files]
    if now != recorded:
        changed = [Path(path).name for (path, text), was in zip(package.files, recorded) if text != was]
        what = (f"{', '.join(changed)} changed" if changed and len(now) == len(recorded)
                else "its chain of files is another")
        raise UsageError(f"--package {given}: {Path(source).name} ran scenario {package.name!r} from other text "
                         f"({what} since the run); run the scenario again, or give the package that was run "
                         "(its files are recorded in the result's attributes scenarioK_file*)")


# ---------------------------------------------------------------- building the content

def build(ds, scenarios: list[str] | None = None, municipalities: list[str] | None = None, year: int = 2030,
          package=None, rule: str = "share", source: str = "result", package_source: str = "",
          seed: int = 0, base: str | None = None, by: str = "measure", zero_growth_base: int | None = None) -> Report:
    """The report's content from a result Dataset ``ds`` (of ``source``): ``scenarios`` (default all, the
    first is the one others are compared with), ``municipalities`` (default all 13), evaluation ``year``,
    national ``rule`` and an optional ``package`` (a loaded scenario whose own measures are attributed
    against the scenario it extends and costed; ``package_source`` names it; with ``base``, every measure its
    chain adds after that scenario; ``by="kind"``, the measures of a kind together; ``zero_growth_base``, the
    reference year of the zero-growth goal, default each goal's own)."""
    from .. import draw_statistics, result_summary

    from ..result_file import require

    picked = check_options(ds, municipalities, year, source)
    # before any work (a large ensemble takes minutes); the parameter sample only where there are draws
    require(ds, [v for v in VARIABLES if v != "parameter_sample"], source, "framtid report")
    tg.check_options(ds, rule, zero_growth_base, None, source)   # the rule and the zero-growth base
    if package is not None:
        check_package(package, package_source or package.name, base, by)
        check_package_recorded(ds, package, package_source or package.name, source)
    ds = result_summary.select(ds, scenarios, source=source)
    chosen = [str(s) for s in ds["scenario"].values]
    names = municipality_names()
    n = int(ds.sizes["draw"])
    # With several draws a selection's targets are summed draw by draw (never its members' medians).
    extra = tg.selection_areas(picked) if n > 1 else ()
    rows = tg.assess(ds, rule, zero_growth_base, None, source, extra)
    ctx = Context(ds, source, chosen, picked, year, rule, names, str(ds["emissions"].attrs.get("gwp", "")),
                   draw_statistics.one_run_text(ds) if n == 1 else f"{n} draws", rows,
                   {sc: SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)] for i, sc in enumerate(chosen)},
                   draws=n, ensemble=draw_statistics.ensemble_text(ds),
                   options={"--scenario": ",".join(scenarios) if scenarios else None,
                            "--municipality": ",".join(municipalities) if municipalities else None,
                            "--year": year, "--zero-growth-base": zero_growth_base,
                            "--base": base if package is not None else None,
                            "--by": by if package is not None else None})
    if package is not None:
        ctx.package = _run_package(package, year, seed, base, by)
        given = package_source or package.name
        ctx.package_source = given if given.startswith("framtid:") else Path(given).name
    sections = [summary_section(ctx), paths_section(ctx), sectors_section(ctx)]
    sections += package_section(ctx) if package is not None else [difference_section(ctx)]
    sections += [decomposition_section(ctx), indicator_section(ctx), targets_section(ctx), method_section(ctx)]
    title = "Greenhouse-gas emissions of the Framtidens byer municipalities, 2009-2050"
    subtitle = (f"Scenarios {join_names(chosen)} from {Path(source).name}; {area_label(picked, names)}; "
                f"evaluation year {year}")
    return Report(title, subtitle, tuple(sections))


def _run_package(scenario, year: int, seed: int, base: str | None = None, by: str = "measure"):
    """(scenario, attribution, cost report, base emissions (T, M) [t CO2e/yr]) of a package. The base
    path is the costing's base run, not a run of its own. (The attribution runs its subsets as one
    batch, whose members differ from single runs in the last digits, so it shares no run with the
    costing.)"""
    from . import attribution, costs

    result = attribution.attribute(scenario, year, None, seed=seed, base=base, by=by)
    report = costs.evaluate(scenario, seed=seed, base=base, by=by)
    return scenario, result, report, report.base_totals.mean(axis=1)                # (T, M)


# ---------------------------------------------------------------- writing the folder

def write(report: Report, out, force: bool = False) -> Path:
    """Write ``report.html``, ``report.md`` and ``figures/*.png`` into the folder ``out``: everything
    goes to a hidden temporary folder beside it first, which is renamed into place when complete, so
    an interruption leaves nothing and an existing folder is kept unless ``force`` (then it is replaced
    in one step, and only if it holds what a report writes)."""
    path = check_out(out, force)
    parent = path.parent if str(path.parent) else Path(".")
    tmp = None
    made: list[Path] = []       # the folders made for it, removed again should the report not be written
    try:
        made = make_folder(parent)
        pngs = render_pngs(report)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent))
        (tmp / FIGURE_FOLDER).mkdir()
        for name, data in pngs.items():
            (tmp / FIGURE_FOLDER / f"{name}.png").write_bytes(data)
        (tmp / HTML_NAME).write_text(render_html(report, pngs), encoding="utf-8")
        (tmp / MARKDOWN_NAME).write_text(render_markdown(report), encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)
        _publish(tmp, path, force)
        tmp = None
        made = []
    except OSError as exc:
        from ..errors import FramtidError

        raise FramtidError(f"{path}: cannot write the report ({exc.strerror or exc}); nothing was written") from None
    finally:
        if tmp is not None and tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        remove_made_folders(made)
    return path


def _publish(tmp: Path, path: Path, force: bool) -> None:
    """Rename the finished folder to ``path``: refused if ``path`` exists, unless ``force``, when the old
    folder is moved aside, the new one renamed in and the old one removed (restored on failure)."""
    if os.path.lexists(path):
        if not force:
            raise ResultExistsError(f"{path}: exists already; choose another --out or pass --force to replace it; "
                                    "nothing was written")
        check_out(path, force)                       # still a report folder
        old = path.parent / f".{path.name}.{secrets.token_hex(4)}.old.tmp"
        os.rename(path, old)
        try:
            os.rename(tmp, path)
        except BaseException:
            os.rename(old, path)
            raise
        shutil.rmtree(old, ignore_errors=True)
        return
    try:
        os.rename(tmp, path)        # a folder made at this moment with something in it refuses the rename
    except OSError as exc:
        if os.path.lexists(path):
            raise ResultExistsError(f"{path}: exists already; choose another --out or pass --force to replace it; "
                                    "nothing was written") from None
        raise exc
