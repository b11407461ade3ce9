"""What every section of the report is built from: the :class:`Context` of one report (the result,
the scenarios and municipalities chosen, the evaluation year, the national rule, the assessed target
rows, a package's runs) and the look-ups in it that several sections share (units, target rows,
national targets, the scenario descriptions stored in the result).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .. import dims
from .report_content import number
from .targets import SELECTION  # noqa: F401  (re-exported: the report's selection rows)

DRAW_BLOCK = 1000       # draws read and summed at a time (Context.kt_draws): about 0.4 GB of emissions in float64


@dataclass
class Context:
    ds: object                      # the result, the selected scenarios, all 13 municipalities (the command
                                    # opens it lazily: each section reads what it uses)
    source: str
    scenarios: list[str]
    municipalities: list[str]
    year: int
    rule: str
    names: dict[str, str]
    gwp: str
    stat: str
    target_rows: list[dict]
    colours: dict[str, str]
    package: object = None          # (scenario, attribution, cost report, base emissions (T, M)) with --package
    package_source: str = ""
    draws: int = 1
    ensemble: str = ""              # e.g. "32 draws, sampler lhs" (draw_statistics.ensemble_text)
    options: dict = field(default_factory=dict)   # the command's options as given (None: left out), for provenance
    means: dict = field(default_factory=dict, repr=False)     # variable -> kt(variable)

    @property
    def ranged(self) -> bool:
        """Several draws: tables show medians and 5-95 % ranges, path charts are fan charts."""
        return self.draws > 1

    @property
    def years(self) -> np.ndarray:
        return np.asarray([int(y) for y in self.ds["year"].values])

    def name(self, m: str) -> str:
        return self.names.get(m, m)

    def kt(self, variable: str = "emissions") -> object:
        """``variable`` of the selected municipalities [kt CO2e/yr], mean over draws, by scenario,
        municipality, (sector,) year. Kept once computed: several sections draw on it, and each
        computation reads every draw of the variable."""
        if variable not in self.means:
            self.means[variable] = (self.ds[variable].sel(municipality=self.municipalities)
                                    .mean("draw", dtype=float) / 1000.0)
        return self.means[variable]

    def kt_draws(self, variable: str = "emissions", over: tuple[str, ...] = (), select: dict | None = None) -> object:
        """``variable`` of the selected municipalities [kt CO2e/yr] by scenario, municipality, (sector,)
        year and draw, summed ``over`` those dimensions (after ``select``, e.g. some sources): sum what a
        table shows over this first, then take percentiles. Read and summed a block of draws at a time, in
        double precision, so that only the sums are as large as every draw (not kept)."""
        import xarray as xr

        values = self.ds[variable].sel(municipality=self.municipalities)
        if select:
            values = values.sel(select)
        blocks = []
        for start in range(0, values.sizes["draw"], DRAW_BLOCK):
            block = values.isel(draw=slice(start, start + DRAW_BLOCK)).astype(float).load()
            block /= 1000.0                    # in place: one double-precision copy, not two
            blocks.append(block.sum(list(over)) if over else block)
        return blocks[0] if len(blocks) == 1 else xr.concat(blocks, dim="draw")

    def cell(self, draws, sign: bool = False, digits: int = 1) -> str:
        """A value over draws (D,) as a table cell: the single draw as before (``digits`` decimals), or
        the median and the 5-95 % range (the median alone where the draws agree to its digits)."""
        from ..draw_statistics import is_range_cell, range_cell, range_digits, spread

        draws = np.atleast_1d(np.asarray(draws, dtype=float))
        if not self.ranged:
            return number(float(draws[0]), digits, sign)
        cell = range_cell(*spread(draws), sign=sign)
        return cell if is_range_cell(cell) else number(float(np.median(draws)), range_digits(*draws), sign)


def unit(ctx: Context) -> str:
    """The unit of emissions in table headers (the GWP set is named in the text)."""
    return "kt CO2e/yr"


def axis(ctx: Context) -> str:
    """The unit of emissions on chart axes and in captions, with the GWP set."""
    return f"kt CO2e/yr ({ctx.gwp.upper()})"


def national_picks(ctx: Context, rows: list[dict], members: list[str]) -> list[dict]:
    """The rows of one national target that make its value for ``members`` together: the 13 together's,
    the selection's (several draws: summed draw by draw in :func:`targets.assess`), or one row per
    municipality to be summed (one draw)."""
    if list(members) == list(dims.MUNICIPALITIES) and len(members) > 1:
        return [r for r in rows if r["level"] == "all"]
    if ctx.ranged and len(members) > 1:
        return [r for r in rows if r["level"] == SELECTION and list(r["area"].split(",")) == list(members)]
    return [r for r in rows if r["level"] == "municipality" and r["area"] in members]


def recorded_files(ds) -> dict[str, list[str]]:
    """scenario -> the texts of the files it was built from (parents first), as the result records them."""
    out = {}
    for key, value in ds.attrs.items():
        m = re.fullmatch(r"scenario(\d+)_name", key)
        if m:
            files = sorted(((int(f.group(1)), str(v)) for a, v in ds.attrs.items()
                            if (f := re.fullmatch(rf"scenario{m.group(1)}_file(\d+)", a))), key=lambda x: x[0])
            out[str(value)] = [text.split("\n", 1)[1] if "\n" in text else "" for _, text in files]
    return out


def scenario_descriptions(ds) -> dict[str, tuple[str, list[str]]]:
    """scenario -> (description, file names from the first parent to the scenario's own), from the
    scenario files recorded in the result's attributes."""
    import tomllib

    out = {}
    for key, value in ds.attrs.items():
        m = re.fullmatch(r"scenario(\d+)_name", key)
        if not m:
            continue
        k = m.group(1)
        files = sorted(((int(f.group(1)), str(v)) for a, v in ds.attrs.items()
                        if (f := re.fullmatch(rf"scenario{k}_file(\d+)", a))), key=lambda x: x[0])
        names = [text.split("\n", 1)[0].removeprefix("# ").strip() for _, text in files]
        description = ""
        if files:
            try:
                description = str(tomllib.loads(files[-1][1].split("\n", 1)[1]).get("scenario", {})
                                  .get("description", ""))
            except (tomllib.TOMLDecodeError, IndexError):
                description = ""
        out[str(value)] = (description, names)
    return out


def rows_for(ctx: Context, sc: str, **match) -> list[dict]:
    return [r for r in ctx.target_rows if r["scenario"] == sc and all(r[k] == v for k, v in match.items())]


def in_each_scenario(ctx: Context, r0: dict) -> list[dict]:
    """The rows of the target of the row ``r0`` (its group and id) in each scenario, in their order."""
    return [next(x for x in rows_for(ctx, sc, group=r0["group"], target_id=r0["target_id"])) for sc in ctx.scenarios]


def national_ids(ctx: Context) -> list[str]:
    return list(dict.fromkeys(r["target_id"] for r in ctx.target_rows if r["group"] == "national"
                              and r["target_value"] is not None))


def national_title(ctx: Context, target_id: str) -> str:
    from .target_data import load_targets

    t = next(t for t in load_targets() if t.id == target_id)
    row = next(r for r in ctx.target_rows if r["target_id"] == target_id)
    name = t.label.split(":")[0] if ":" in t.label else ("Non-ETS target" if t.scope == "non_ets" else t.label)
    # a target given as a range is assessed at its less strict end: say so
    ranged = " (the less strict end of the target's range)" if t.change_strict is not None else ""
    return f"{name} ({t.target_year}): {row['target']}{ranged}"
