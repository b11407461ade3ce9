"""The report rendered: its charts as PNG bytes, and its sections as one self-contained HTML page
(CSS inline, figures as base64 PNG data URIs, no script) or as Markdown that links the PNGs in
``figures/``.
"""

from __future__ import annotations

import base64
import html
import io
import re

from .report_content import Bullets, Chart, Report, Table, Text

DPI = 100
FIGURE_FOLDER = "figures"


def render_pngs(report: Report) -> dict[str, bytes]:
    """Each chart drawn as PNG bytes, by name."""
    out = {}
    for chart in report.charts():
        fig = chart.draw()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
        out[chart.name] = buf.getvalue()
    return out


CSS = """
:root { --ink: #1a1a1a; --muted: #555; --rule: #d0d0d0; --band: #f4f5f7; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: var(--ink); line-height: 1.45;
       font-size: 15px; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; max-width: 66rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 .6rem; padding-top: .4rem; border-top: 2px solid var(--ink); }
p.subtitle { color: var(--muted); margin: 0 0 1rem; }
nav ol { columns: 2; margin: .4rem 0 1rem; padding-left: 1.4rem; }
nav a { color: inherit; }
figure { margin: 1rem 0 1.4rem; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { font-size: .88rem; color: var(--muted); margin-top: .35rem; text-align: left; }
.table { overflow-x: auto; margin: .8rem 0 1.2rem; }
table { border-collapse: collapse; font-size: .82rem; }
p.caption { font-weight: 600; margin: 0 0 .3rem; font-size: .9rem; break-after: avoid; }
th, td { padding: .22rem .5rem; border-bottom: 1px solid var(--rule); vertical-align: top; text-align: left; }
th { font-weight: 600; background: var(--band); border-bottom: 1px solid #999; vertical-align: bottom; }
th .unit { font-weight: 400; color: var(--muted); font-size: .9em; white-space: nowrap; }
td { overflow-wrap: break-word; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
th.n { min-width: 4.5em; }
tbody tr:last-child td { border-bottom: 1px solid #999; }
p.note { font-size: .8rem; color: var(--muted); margin: .3rem 0 0; max-width: 60rem; }
code { font-size: .9em; }
@media print {
  body { font-size: 10pt; max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  figure, .table { break-inside: avoid; }
  .table { overflow: visible; }
  table { font-size: 7.5pt; }
  nav { display: none; }
}
@page { size: A4; margin: 14mm 12mm; }
"""


RANGE_CSS = "td .range { color: var(--muted); font-size: .88em; white-space: nowrap; }\n"   # with several draws


def _is_numeric(cells: list[str]) -> bool:
    """Whether a column holds numbers only (or medians with their ranges): set right-aligned."""
    from ..draw_statistics import is_range_cell

    filled = [c for c in cells if c not in ("", "-")]
    return bool(filled) and all(re.fullmatch(r"[+-]?[\d,]*\.?\d+( %)?", c) or is_range_cell(c) for c in filled)


def _html_cell(text: str) -> str:
    """A cell's HTML: a median with its range as two lines, the range under the median in grey, so that
    wide tables of ranges stay narrow and the medians line up."""
    from ..draw_statistics import is_range_cell, range_parts

    if not is_range_cell(text):
        return html.escape(text)
    median, spread = range_parts(text)
    return f'{html.escape(median)}<br><span class="range">{html.escape(spread)}</span>'


def _header_cell(text: str) -> str:
    """A header with its unit ('name [unit]') on a line of its own."""
    name, bracket, unit = text.partition(" [")
    if not bracket:
        return html.escape(text)
    return f'{html.escape(name)}<br><span class="unit">[{html.escape(unit)}</span>'


def _html_table(table: Table) -> str:
    numeric = [_is_numeric([r[i] for r in table.rows]) for i in range(len(table.header))]
    esc = html.escape
    cls = [' class="n"' if n else "" for n in numeric]
    # groups are folded into the column headers (spanning cells lay out unevenly in simple renderers)
    head = "<tr>" + "".join(f'<th{c} scope="col">{_header_cell(h)}</th>'
                            for h, c in zip(table.flat_header(), cls)) + "</tr>"
    body = "\n".join("<tr>" + "".join(f"<td{c}>{_html_cell(x)}</td>" for x, c in zip(r, cls)) + "</tr>"
                     for r in table.rows)
    note = f'<p class="note">{esc(table.note)}</p>' if table.note else ""
    return (f'<div class="table"><p class="caption">{esc(table.caption)}</p>\n<table>\n<thead>\n{head}\n</thead>\n'
            f"<tbody>\n{body}\n</tbody></table>{note}</div>")


def _has_ranges(report: Report) -> bool:
    """Whether any table holds a median with its range (a result of several draws)."""
    from ..draw_statistics import is_range_cell

    return any(is_range_cell(c) for s in report.sections for b in s.blocks if isinstance(b, Table)
               for r in b.rows for c in r)


def render_html(report: Report, pngs: dict[str, bytes]) -> str:
    """The report as one HTML page: CSS inline, figures as base64 PNG data URIs, no script."""
    esc = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{esc(report.title)}</title>",
             f"<style>{CSS}{RANGE_CSS if _has_ranges(report) else ''}</style>", "</head>", "<body>",
             f"<h1>{esc(report.title)}</h1>",
             f'<p class="subtitle">{esc(report.subtitle)}</p>', "<nav><strong>Contents</strong><ol>"]
    parts += [f'<li><a href="#{s.key}">{esc(s.title)}</a></li>' for s in report.sections]
    parts.append("</ol></nav>")
    n_fig = 0
    for s in report.sections:
        parts.append(f'<section id="{s.key}"><h2>{esc(s.title)}</h2>')
        for b in s.blocks:
            if isinstance(b, Text):
                parts.append(f"<p>{esc(b.text)}</p>")
            elif isinstance(b, Bullets):
                parts.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in b.items) + "</ul>")
            elif isinstance(b, Table):
                parts.append(_html_table(b))
            elif isinstance(b, Chart):
                n_fig += 1
                data = base64.b64encode(pngs[b.name]).decode("ascii")
                parts.append(f'<figure id="figure-{n_fig}"><img src="data:image/png;base64,{data}" '
                             f'alt="{esc(b.alt or b.name)}"><figcaption><strong>Figure {n_fig}.</strong> '
                             f"{esc(b.caption)}</figcaption></figure>")
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    """The report as Markdown: pipe tables, figures linked from ``figures/``."""
    lines = [f"# {report.title}", "", f"*{report.subtitle}*", ""]
    n_fig = 0
    for s in report.sections:
        lines += [f"## {s.title}", ""]
        for b in s.blocks:
            if isinstance(b, Text):
                lines += [b.text, ""]
            elif isinstance(b, Bullets):
                lines += [f"- {i}" for i in b.items] + [""]
            elif isinstance(b, Table):
                numeric = [_is_numeric([r[i] for r in b.rows]) for i in range(len(b.header))]
                lines += [f"**{b.caption}**", "", "| " + " | ".join(_md_cell(h) for h in b.flat_header()) + " |",
                          "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
                lines += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in b.rows]
                lines.append("")
                if b.note:
                    lines += [f"*{b.note}*", ""]
            elif isinstance(b, Chart):
                n_fig += 1
                lines += [f"![Figure {n_fig}: {b.alt or b.name}]({FIGURE_FOLDER}/{b.name}.png)", "",
                          f"*Figure {n_fig}.* {b.caption}", ""]
    return "\n".join(lines)
