"""Emissions of a result in a standard city-inventory layout, beside the agency's sectors.

``gpc``
    The GHG Protocol for Cities (GPC, WRI/C40/ICLEI 2014) BASIC layout: sectors I stationary
    energy, II transportation and III waste with their sub-sectors and scopes, plus the
    IPPU (IV) and AFOLU (V) rows, which BASIC leaves out ("outside BASIC"). Each of the model's 21
    sources (``dims.SOURCES``) goes to exactly one GPC row (:data:`SOURCE_GPC`, with a note where
    the mapping is approximate); rows the territorial inventory does not fill carry a GPC
    notation key (NE not estimated, IE included elsewhere, NO not occurring). Per scenario,
    municipality and year: CO2, CH4, N2O [t], F-gases [t CO2e] and the total [t CO2e, the run's
    GWP set], then the totals: BASIC (scope 1), energy generation supplied to a grid (I.4.4,
    which GPC reports but leaves out of the BASIC total), outside BASIC, and the territorial total
    (= the agency's total over its 13 sectors).
``csv``
    A tidy long table: scenario, municipality, year, agency sector, source, GPC row, gas, t of the
    gas, t CO2e.

Values are means over the result's draws. Output files are written atomically and never replace
an existing file without ``force``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import dims
from ..accounting import gwp_vector
from ..errors import UsageError

FORMATS = ("gpc", "csv")
VARIABLES = ("emissions", "emissions_gas")   # what the layouts read from a result (the command loads only these)


@dataclass(frozen=True)
class GpcRow:
    ref: str
    sector: str
    subsector: str
    scope: str
    basic: str            # "yes", or why the row is left out of the BASIC total
    empty_key: str        # notation key when no source maps here
    empty_note: str


SCOPE2 = ("NE", "scope 2 (grid electricity and district heat used in the city) is not part of the territorial "
                "inventory; the result's delivered_energy and road_energy hold the energy to weigh with a grid factor")
NO_SOURCE = ("NE", "not a source of the model or of the agency's municipal inventory")
SCOPE3_WASTE = ("NE", "the model follows the residents' waste and reports its emissions under the scope-1 row "
                      "(see there); treatment outside the city is not separated")
OUTSIDE_IPPU = "no (IPPU: outside BASIC)"
OUTSIDE_AFOLU = "no (AFOLU: outside BASIC)"
GRID = "no (I.4.4: reported, not in the BASIC total)"

SE, TR, WA, IP, AF = ("I Stationary energy", "II Transportation", "III Waste",
                      "IV Industrial processes and product use", "V Agriculture, forestry and other land use")
G = GpcRow
GPC_ROWS = (
    G("I.1.1", SE, "Residential buildings", "1", "yes", *NO_SOURCE),
    G("I.1.2", SE, "Residential buildings", "2", "yes", *SCOPE2),
    G("I.2.1", SE, "Commercial and institutional buildings and facilities", "1", "yes", *NO_SOURCE),
    G("I.2.2", SE, "Commercial and institutional buildings and facilities", "2", "yes", *SCOPE2),
    G("I.3.1", SE, "Manufacturing industries and construction", "1", "yes", *NO_SOURCE),
    G("I.3.2", SE, "Manufacturing industries and construction", "2", "yes", *SCOPE2),
    G("I.4.1", SE, "Energy industries: own use in plants", "1", "yes", "IE",
      "the plants' own fuel use is in their totals, row I.4.4"),
    G("I.4.2", SE, "Energy industries: own use in plants", "2", "yes", *SCOPE2),
    G("I.4.4", SE, "Energy industries: generation supplied to a grid", "1", GRID, *NO_SOURCE),
    G("I.5.1", SE, "Agriculture, forestry and fishing activities", "1", "yes", *NO_SOURCE),
    G("I.5.2", SE, "Agriculture, forestry and fishing activities", "2", "yes", *SCOPE2),
    G("I.6.1", SE, "Non-specified sources", "1", "yes", *NO_SOURCE),
    G("I.6.2", SE, "Non-specified sources", "2", "yes", *SCOPE2),
    G("I.7.1", SE, "Fugitive emissions from coal", "1", "yes", "NO", "no coal mining or handling in the 13"),
    G("I.8.1", SE, "Fugitive emissions from oil and natural gas systems", "1", "yes", *NO_SOURCE),
    G("II.1.1", TR, "On-road transportation", "1", "yes", *NO_SOURCE),
    G("II.1.2", TR, "On-road transportation", "2", "yes", *SCOPE2),
    G("II.2.1", TR, "Railways", "1", "yes", *NO_SOURCE),
    G("II.2.2", TR, "Railways", "2", "yes", *SCOPE2),
    G("II.3.1", TR, "Waterborne navigation", "1", "yes", *NO_SOURCE),
    G("II.3.2", TR, "Waterborne navigation", "2", "yes", *SCOPE2),
    G("II.4.1", TR, "Aviation", "1", "yes", *NO_SOURCE),
    G("II.4.2", TR, "Aviation", "2", "yes", *SCOPE2),
    G("II.5.1", TR, "Off-road transportation", "1", "yes", *NO_SOURCE),
    G("II.5.2", TR, "Off-road transportation", "2", "yes", *SCOPE2),
    G("III.1.1", WA, "Solid waste disposal", "1", "yes", *NO_SOURCE),
    G("III.1.2", WA, "Solid waste disposal (waste of the city disposed outside)", "3", "yes", *SCOPE3_WASTE),
    G("III.2.1", WA, "Biological treatment of waste", "1", "yes", *NO_SOURCE),
    G("III.2.2", WA, "Biological treatment of waste (outside the city)", "3", "yes", *SCOPE3_WASTE),
    G("III.3.1", WA, "Incineration and open burning", "1", "yes", "IE",
      "incineration with energy recovery is reported under stationary energy (I.4.4); open burning is not estimated"),
    G("III.3.2", WA, "Incineration and open burning (outside the city)", "3", "yes", *SCOPE3_WASTE),
    G("III.4.1", WA, "Wastewater treatment and discharge", "1", "yes", *NO_SOURCE),
    G("III.4.2", WA, "Wastewater treatment and discharge (outside the city)", "3", "yes", *SCOPE3_WASTE),
    G("IV.1", IP, "Industrial processes", "1", OUTSIDE_IPPU, "IE",
      "the agency's industry sector does not separate process emissions; they are in I.3.1"),
    G("IV.2", IP, "Product use", "1", OUTSIDE_IPPU, *NO_SOURCE),
    G("V.1", AF, "Livestock", "1", OUTSIDE_AFOLU, *NO_SOURCE),
    G("V.2", AF, "Land", "1", OUTSIDE_AFOLU, *NO_SOURCE),
    G("V.3", AF, "Aggregate sources and non-CO2 emission sources on land", "1", OUTSIDE_AFOLU, "IE",
      "agricultural soils and liming are in V.1 (the agency's agriculture sector is not split)"),
)
ROW_BY_REF = {r.ref: r for r in GPC_ROWS}

# Each of the model's sources in one GPC row, with what is approximate about it.
SOURCE_GPC = {
    "cars": ("II.1.1", "territorial: all driving inside the border, also by non-residents (GPC's geographic method)"),
    "vans": ("II.1.1", "territorial (GPC's geographic method)"),
    "heavy_vehicles": ("II.1.1", "territorial (GPC's geographic method)"),
    "buses": ("II.1.1", "territorial (GPC's geographic method)"),
    "heating_oil": ("I.1.1", "approximate: the agency's heating sector does not split homes from commercial and "
                             "institutional buildings, so I.1.1 holds both (I.2.1 only the other fossil use of "
                             "non-residential area)"),
    "heating_paraffin": ("I.1.1", "approximate: homes and commercial buildings together (see heating_oil)"),
    "heating_natural_gas": ("I.1.1", "approximate: homes and commercial buildings together (see heating_oil)"),
    "heating_lpg": ("I.1.1", "approximate: homes and commercial buildings together (see heating_oil)"),
    "heating_wood": ("I.1.1", "CH4 and N2O only; wood CO2 is biogenic (GPC: reported outside the scopes, not "
                              "estimated here)"),
    "heating_other": ("I.2.1", "other fossil fuel per m2 of non-residential area"),
    "landfill_gas": ("III.1.1", "approximate: landfill methane of the residents' waste calibrated to the "
                                "inventory's landfills in the municipality; GPC separates waste generated and "
                                "disposed inside (III.1.1) from waste from outside (III.1.3, not BASIC)"),
    "wastewater": ("III.4.1", "per-capita factors of the residents"),
    "biological_treatment": ("III.2.1", "approximate: composting and digestion of the residents' waste, "
                                        "wherever treated"),
    "waste_incineration": ("I.4.4", "incineration with energy recovery is reported under stationary energy (GPC "
                                    "ch. 8); in the host municipality of the plant, as in the agency's energy "
                                    "supply sector"),
    "district_heating_fuels": ("I.4.4", "district-heating plants supply a grid; the heat's consumers would report "
                                        "it as scope 2"),
    "industry": ("I.3.1", "approximate: the agency's 'industry, oil and gas' includes process emissions (GPC IV.1, "
                          "outside BASIC) and energy production on oil and gas installations, not separated"),
    "shipping": ("II.3.1", "territorial: all navigation in the municipality's waters"),
    "other_mobile": ("II.5.1", "approximate: construction, agricultural and other machinery; GPC may place "
                               "construction and industrial machinery under I.3"),
    "agriculture": ("V.1", "approximate: livestock, manure and agricultural soils together (V.1 and V.3)"),
    "aviation": ("II.4.1", "approximate: the agency's domestic landing and take-off cycles in the municipality; "
                           "GPC II.4.1 is in-boundary flights"),
    "fgas_products": ("IV.2", "F-gases from products (refrigeration, air conditioning, ...), in t CO2e"),
}

GPC_HEADER = ("scenario", "municipality", "year", "gpc_ref", "gpc_sector", "gpc_subsector", "scope", "in_basic",
              "notation_key", "co2_t", "ch4_t", "n2o_t", "fgas_t_co2e", "total_t_co2e", "agency_sector",
              "model_sources", "note", "gwp")
CSV_HEADER = ("scenario", "municipality", "year", "agency_sector", "source", "gpc_ref", "gas", "t", "t_co2e", "gwp")


def gpc_row_of(source: str) -> str:
    """The GPC row of a model source."""
    return SOURCE_GPC[source][0]


def gpc_matrix() -> np.ndarray:
    """``(R, S)`` matrix mapping the model's sources (``dims.SOURCES``) to :data:`GPC_ROWS`."""
    out = np.zeros((len(GPC_ROWS), len(dims.SOURCES)))
    refs = [r.ref for r in GPC_ROWS]
    for j, s in enumerate(dims.SOURCES):
        out[refs.index(gpc_row_of(s)), j] = 1.0
    return out


def _gas_masses(ds) -> np.ndarray:
    """``(N, M, S, G, T)`` gas masses [t/yr, fgas in t CO2e], mean over draws."""
    return ds["emissions_gas"].mean("draw").transpose("scenario", "municipality", "source", "gas", "year").values


def _gwp(ds) -> tuple[str, np.ndarray]:
    """The run's GWP set and its weights over ``dims.GASES`` [t CO2e/t]."""
    from ..parameters import Params

    # a file without the attribute comes from a version before its GWP set was recorded, all of which weighed AR4
    gwp = str(ds["emissions"].attrs.get("gwp", "ar4"))
    return gwp, gwp_vector(Params.defaults(1), gwp)[0]


def _t(value: float) -> float:
    return round(float(value), 3)


def gpc_rows(ds) -> tuple[tuple[str, ...], list[tuple]]:
    """The GPC BASIC table (header, rows) of every scenario, municipality and year of ``ds``."""
    gases = list(ds["gas"].values)
    if tuple(gases) != dims.GASES or tuple(ds["source"].values) != dims.SOURCES:
        raise UsageError("the result's sources or gases are not this framtid version's; run the scenario again")
    gwp, weights = _gwp(ds)
    masses = _gas_masses(ds)                                                   # (N, M, S, G, T)
    by_row = np.einsum("rs,nmsgt->nmrgt", gpc_matrix(), masses)                # (N, M, R, G, T)
    co2e = np.einsum("nmrgt,g->nmrt", by_row, weights)
    sources_of = {r.ref: [s for s in dims.SOURCES if gpc_row_of(s) == r.ref] for r in GPC_ROWS}
    basic = np.array([r.basic == "yes" for r in GPC_ROWS])
    grid = np.array([r.basic == GRID for r in GPC_ROWS])
    outside = ~(basic | grid)
    totals = (("total BASIC", "scope-1 rows of BASIC (I.4.4 excluded, as GPC asks)", basic),
              ("total I.4.4", "energy generation supplied to a grid (reported beside BASIC)", grid),
              ("total outside BASIC", "IPPU and AFOLU", outside),
              ("total territorial", "all rows: the agency's territorial total over its 13 sectors",
               np.ones(len(GPC_ROWS), bool)))
    scenarios, munis, years = ([str(v) for v in ds[d].values] for d in ("scenario", "municipality", "year"))
    rows = []
    for n, sc in enumerate(scenarios):
        for m, mu in enumerate(munis):
            for t, year in enumerate(years):
                for r, row in enumerate(GPC_ROWS):
                    src = sources_of[row.ref]
                    g = by_row[n, m, r, :, t]
                    if src:
                        key = ""
                        sectors = sorted({dims.SOURCE_SECTOR[s] for s in src}, key=dims.SECTORS.index)
                        note = "; ".join(f"{s}: {SOURCE_GPC[s][1]}" for s in src)
                        values = (_t(g[0]), _t(g[1]), _t(g[2]), _t(g[3]), _t(co2e[n, m, r, t]))
                    else:
                        key, sectors, note, values = row.empty_key, [], row.empty_note, ("",) * 5
                    rows.append((sc, mu, int(year), row.ref, row.sector, row.subsector, row.scope, row.basic, key,
                                 *values, " ".join(sectors), " ".join(src), note, gwp))
                for label, what, mask in totals:
                    g = by_row[n, m, mask, :, t].sum(axis=0)
                    rows.append((sc, mu, int(year), label, "", what, "", "", "", _t(g[0]), _t(g[1]), _t(g[2]),
                                 _t(g[3]), _t(co2e[n, m, mask, t].sum()), "", "", "", gwp))
    return GPC_HEADER, rows


def long_rows(ds) -> tuple[tuple[str, ...], list[tuple]]:
    """The tidy long table (header, rows): one row per scenario, municipality, year, source and gas
    (gases a source never emits in the selection are left out)."""
    gwp, weights = _gwp(ds)
    masses = _gas_masses(ds)                                                   # (N, M, S, G, T)
    emitted = (masses != 0).any(axis=(0, 1, 4))                                # (S, G)
    scenarios, munis, years = ([str(v) for v in ds[d].values] for d in ("scenario", "municipality", "year"))
    rows = []
    for n, sc in enumerate(scenarios):
        for m, mu in enumerate(munis):
            for t, year in enumerate(years):
                for s, source in enumerate(dims.SOURCES):
                    for g, gas in enumerate(dims.GASES):
                        if not emitted[s, g]:
                            continue
                        value = masses[n, m, s, g, t]
                        rows.append((sc, mu, int(year), dims.SOURCE_SECTOR[source], source, gpc_row_of(source), gas,
                                     _t(value), _t(value * weights[g]), gwp))
    return CSV_HEADER, rows


def to_text(header: tuple[str, ...], rows: list[tuple]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def export_text(ds, fmt: str) -> str:
    """The export of ``ds`` as CSV text in ``fmt`` (``gpc`` or ``csv``)."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: {fmt!r} is not an export format; allowed: {', '.join(FORMATS)}")
    return to_text(*(gpc_rows(ds) if fmt == "gpc" else long_rows(ds)))


def check_out(path: str | Path, force: bool) -> Path:
    """Refuse an output path that cannot or must not be written, before any work."""
    from ..safe_write import check_file

    return check_file(path, force, "--out", (".csv",), "export files are CSV and must end in .csv")


def write(text: str, path: str | Path, force: bool = False, provenance: list[tuple[str, str]] = ()) -> Path:
    """Write the export atomically (a hidden temporary file beside ``path``, then its name), ``provenance``
    (:mod:`framtid.model.provenance`) as comment lines before the header; an existing file is replaced only
    with ``force``."""
    from ..provenance import with_provenance
    from ..safe_write import write_text

    return write_text(check_out(path, force), with_provenance(text, "csv", list(provenance)), force, "the export")
