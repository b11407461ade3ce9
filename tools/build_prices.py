"""Build framtid's embedded energy prices and taxes (model/data/prices.csv).

Run by hand when the reference data change:

    python tools/build_prices.py [/path/to/shared/data] [--out path/to/prices.csv]

The script reads ``policies/road_fuel_prices_taxes.csv``, ``policies/prices_more.csv``,
``policies/taxes_more.csv`` and ``policies/heating_prices_taxes.csv`` of the reference data
and writes one row per item and year 2009-2024 in nominal NOK. The model never reads the
reference folder at run time; ``framtid.model.prices`` reads only the file written here.

Every row says how its value was obtained (column ``status``):

- ``observed``: read directly from a reference row (its source address and grade are kept;
  a reference row graded ``derived``, e.g. a mean of twelve monthly SSB prices, keeps that grade);
- ``proposed``: a reference row that gives the government's budget proposal, not the rate adopted (its note
  says so): read as it is, but not an observation of the rate in force;
- ``derived``: computed from found numbers, the column ``method`` says how;
- ``interpolated``: linear between two stated years (named in ``method``);
- ``held``: the last known value carried forward.

Gap-filling rules (each row's ``method`` repeats the rule that made it):

1. Tax rates between two known years are interpolated linearly.
2. Tax rates before their first known year are carried back at the yearly nominal price
   adjustment ``ADJ`` of Norwegian excise rates, derived from the one tax observed on both
   sides of 2009-2014: the petrol road-usage tax, 4.33 NOK/l (2008) -> 4.87 NOK/l (2015),
   ``ADJ = (4.87 / 4.33) ** (1/7) - 1 = 1.69 %/yr`` (budget notes in heating_prices_taxes.csv
   say rates are "price-adjusted" each year).
3. Diesel road-usage tax 2009-2014: the 2008 rate carried forward at ``ADJ``, not interpolated
   to 2015, because the 2015 rate (3.36 NOK/l from 1 Oct 2015) follows a shift from road-usage
   tax to CO2 tax on diesel that the same data show (diesel CO2 tax 0.62 NOK/l in 2014, derived,
   1.09 NOK/l in 2015; the petrol road-usage tax rose 12 % over 2008-2015, the diesel one fell).
4. CO2 tax on mineral (heating) oil 2013-2014: the Budget 2014 row gives the general rate in
   NOK/t (~330 NOK/t after a rise of ~100 NOK/t); converted with 2.66 kg CO2 per litre of
   heating oil (the same factor as autodiesel; the reference itself equates 952 NOK/t with
   2.53 NOK/l, i.e. 2.66 kg/l). Autodiesel paid the general mineral-oil rate (the taxes_more rows
   for 2017-2019 name "heating oil / paraffin / autodiesel"; 2021-2024 rates are equal) but was
   excluded from the 2014 rise, so diesel 2013 = the general 2013 rate and 2014 = that rate
   price-adjusted by ``ADJ``.
5. Pump prices: the product (pre-tax) price ``pump / 1.25 - road-usage tax - CO2 tax`` is
   interpolated linearly between observed years and the pump price rebuilt as
   ``(product + taxes) * 1.25``; petrol after its last observation (2022) follows the relative
   change of the diesel product price (observed 2022 and 2024).
6. Heating oil (observed 2009 only; the SSB CPI retail price is taken to include VAT, like the
   pump prices): the product price follows the diesel product price in
   proportion (``HO_product(t) = HO_product(2009) * diesel_product(t) / diesel_product(2009)``),
   the price is rebuilt with that year's mineral-oil CO2 and base taxes and 25 % VAT.
7. Electricity: grid tariff + electricity tax + levies (excl. VAT) = household total incl.
   everything / 1.25 - energy price, in the years where both are known (2009, 2010, 2022),
   interpolated between them and held after 2022; the energy price of 2011 (missing) is the 2011
   total / 1.25 minus the interpolated grid and taxes; the energy price of 2024 is held from 2023.

VAT is 25 % on all these products for the whole period (general rate since 2005).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "model" / "data" / "prices.csv"
YEARS = tuple(range(2009, 2025))
COLUMNS = ("item", "year", "value", "unit", "status", "method", "source", "confidence")
VAT = 0.25                       # general Norwegian VAT rate, 2005 onwards
KG_CO2_PER_L_HEATING_OIL = 2.66  # kg CO2/l, as autodiesel (transport.co2_per_litre.diesel)
DIGITS = 4                       # derived values are rounded to 0.01 øre

from framtid.model.prices import UNITS  # noqa: E402  (one list of items and units, shared with the model)

ITEMS = tuple(UNITS)
TAXES = ("petrol_road_usage_tax", "diesel_road_usage_tax", "petrol_co2_tax", "diesel_co2_tax",
         "mineral_oil_co2_tax", "mineral_oil_base_tax")
# Helper series read from the reference data but not written.
TOTAL = "_electricity_total"       # household electricity incl. grid, taxes and VAT [NOK/kWh]
CO2_NOK_PER_T_2014 = "_mineral_oil_co2_nok_per_t_2014"


@dataclass
class Cell:
    value: float
    status: str
    method: str
    source: str
    confidence: str


def read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def number(text: str) -> float:
    return float(text.replace(" ", "").replace("~", ""))


def rounded(v: float) -> float:
    return round(v + 0.0, DIGITS) + 0.0


def sources(*cells: Cell) -> str:
    seen: list[str] = []
    for c in cells:
        for s in c.source.split(" ; "):
            if s and s not in seen:
                seen.append(s)
    return " ; ".join(seen)


def fmt(v: float) -> str:
    return f"{v:.{DIGITS}f}".rstrip("0").rstrip(".")


def observed(shared: Path) -> dict[str, dict[int, Cell]]:
    """Every reference row used, by item and year (2008-2024; 2008 only as an anchor)."""
    obs: dict[str, dict[int, Cell]] = defaultdict(dict)
    pol = shared / "policies"

    def put(item: str, year: str, value: float, file: str, name: str, r: dict[str, str], note: str = ""):
        y = int(year)
        if not 2008 <= y <= YEARS[-1]:
            return
        text = f"policies/{file} {name}" + (f": {r['note']}" if r.get("note") else "") + (f" ({note})" if note else "")
        # A rate the source gives as the government's proposal (not the rate adopted) is not an observation; a
        # note that says the proposal was kept or the tax office shows the rate (mineral-oil CO2 tax 2022) is one.
        remark = r.get("note", "").lower()
        status = ("proposed" if "proposal" in remark and not any(w in remark for w in ("kept by", "shows"))
                  else "observed")
        cell = Cell(value, status, text, r["source_url"], r["confidence"])
        if y in obs[item]:
            old = obs[item][y]
            if abs(old.value - value) > 1e-9:
                raise ValueError(f"{item} {y}: two reference rows disagree ({old.value} vs {value})")
            old.source = sources(old, cell)
            old.method += " ; also " + text
            return
        obs[item][y] = cell

    road = {"petrol95_pump_price_avg": "petrol_pump_price", "diesel_pump_price_avg": "diesel_pump_price",
            **{t: t for t in TAXES[:4]}}
    for r in read(pol / "road_fuel_prices_taxes.csv"):
        if r["item"] in road:
            put(road[r["item"]], r["year"], number(r["value"]), "road_fuel_prices_taxes.csv", r["item"], r)
    for r in read(pol / "prices_more.csv"):
        if r["item"] in road:
            put(road[r["item"]], r["year"], number(r["value"]), "prices_more.csv", r["item"], r)
        elif r["item"] == "household_electricity_total_incl_grid_taxes":
            put(TOTAL, r["year"], number(r["value"]) / 100.0, "prices_more.csv", r["item"], r, "øre -> NOK")
        # The quarterly electricity rows (Q3 2019, Q3 2021) are not annual values and are not used.
    for r in read(pol / "taxes_more.csv"):
        tax, fuel, name = r["tax"], r["fuel"], f"{r['tax']} / {r['fuel']}"
        if tax.startswith("road_usage_tax") and fuel.startswith("petrol"):
            put("petrol_road_usage_tax", r["year"], number(r["value"]), "taxes_more.csv", name, r)
        elif tax.startswith("road_usage_tax") and fuel.startswith("diesel"):
            put("diesel_road_usage_tax", r["year"], number(r["value"]), "taxes_more.csv", name, r)
        elif tax == "co2_tax" and fuel.startswith("petrol"):
            put("petrol_co2_tax", r["year"], number(r["value"]), "taxes_more.csv", name, r)
        elif tax == "co2_tax_mineral_oil_general":
            put("mineral_oil_co2_tax", r["year"], number(r["value"]), "taxes_more.csv", name, r)
            if "autodiesel" in fuel:
                put("diesel_co2_tax", r["year"], number(r["value"]), "taxes_more.csv", name, r,
                    "the general mineral-oil rate, which the row says applies to autodiesel")
        elif tax == "grunnavgift_mineral_oil":
            put("mineral_oil_base_tax", r["year"], number(r["value"]), "taxes_more.csv", name, r)
    heating = {"grunnavgift_mineralolje_general": ("mineral_oil_base_tax", 1.0, ""),
               "co2_tax_mineral_oil_general": ("mineral_oil_co2_tax", 1.0, ""),
               "price_heating_oil_consumer": ("heating_oil_price", 1.0, ""),
               "price_household_electricity_total": (TOTAL, 0.01, "øre -> NOK"),
               "price_household_power_energy_only": ("electricity_energy_price", 0.01, "øre -> NOK")}
    for r in read(pol / "heating_prices_taxes.csv"):
        if r["item"] in heating:
            item, scale, note = heating[r["item"]]
            put(item, r["year"], number(r["value"]) * scale, "heating_prices_taxes.csv", r["item"], r, note)
        elif r["item"] == "co2_tax_mineral_oil_general_increase" and r["year"] == "2014":
            put(CO2_NOK_PER_T_2014, r["year"], number(r["value"]), "heating_prices_taxes.csv", r["item"], r)
    for item, cells in obs.items():
        for c in cells.values():
            c.value = rounded(c.value)
    return obs


def interpolated(y: int, y0: int, a: Cell, y1: int, b: Cell, what: str = "", volatile: bool = False) -> Cell:
    value = a.value + (b.value - a.value) * (y - y0) / (y1 - y0)
    # A tax rate missing for one year between two graded rates is fairly safe; longer gaps
    # and volatile prices are not.
    safe = not volatile and y1 - y0 <= 2 and "low" not in (a.confidence, b.confidence)
    return Cell(rounded(value), "interpolated",
                f"linear{what} between {y0} ({fmt(a.value)}) and {y1} ({fmt(b.value)})",
                sources(a, b), "medium" if safe else "low")


def fill_tax(item: str, s: dict[int, Cell], adj: float, adj_text: str) -> None:
    """Rules 1 and 2: interpolate between known years, carry the first rate back at ``adj``."""
    known = sorted(s)
    for y in YEARS:
        if y in s:
            continue
        before = [k for k in known if k < y]
        after = [k for k in known if k > y]
        if before and after:
            y0, y1 = before[-1], after[0]
            s[y] = interpolated(y, y0, s[y0], y1, s[y1])
        elif after:
            y1 = after[0]
            s[y] = Cell(rounded(s[y1].value / (1.0 + adj) ** (y1 - y)), "derived",
                        f"first known rate ({y1}: {fmt(s[y1].value)}) carried back at {adj_text}; assumes no real "
                        "change before it", s[y1].source, "low")
        else:
            y0 = before[-1]
            s[y] = Cell(s[y0].value, "held", f"last known rate ({y0}) held", s[y0].source, "low")


def build(shared: Path) -> list[dict]:
    obs = observed(shared)
    out: dict[str, dict[int, Cell]] = {item: dict(obs.get(item, {})) for item in ITEMS}

    # Rule 2: the yearly nominal price adjustment, from the petrol road-usage tax 2008 -> 2015.
    p08, p15 = obs["petrol_road_usage_tax"][2008], obs["petrol_road_usage_tax"][2015]
    adj = (p15.value / p08.value) ** (1.0 / 7.0) - 1.0
    adj_text = (f"{100 * adj:.2f} %/yr (nominal yearly adjustment derived from the petrol road-usage tax "
                f"{fmt(p08.value)} NOK/l in 2008 -> {fmt(p15.value)} NOK/l in 2015)")
    adj_source = sources(p08, p15)

    # Rule 4: CO2 tax on mineral oil 2013-2014 from NOK/t, and autodiesel's rate then.
    ref = obs[CO2_NOK_PER_T_2014][2014]
    rise = 100.0   # NOK/t, the "+~100" of the same row's description
    mo = out["mineral_oil_co2_tax"]
    mo[2014] = Cell(rounded(ref.value * KG_CO2_PER_L_HEATING_OIL / 1000.0), "derived",
                    f"{fmt(ref.value)} NOK/t (Budget 2014 level, approximate) x {KG_CO2_PER_L_HEATING_OIL} kg CO2/l of "
                    "heating oil / 1000", ref.source, "low")
    mo[2013] = Cell(rounded((ref.value - rise) * KG_CO2_PER_L_HEATING_OIL / 1000.0), "derived",
                    f"({fmt(ref.value)} - {rise:.0f}) NOK/t (level before the Budget 2014 rise of ~100 NOK/t) x "
                    f"{KG_CO2_PER_L_HEATING_OIL} kg CO2/l of heating oil / 1000", ref.source, "low")
    dc = out["diesel_co2_tax"]
    dc[2013] = Cell(mo[2013].value, "derived",
                    "= general CO2 rate on mineral oil 2013 (derived, see mineral_oil_co2_tax): autodiesel paid the "
                    "general rate (taxes_more.csv 2017-2019 rows name autodiesel; 2021-2024 rates equal)",
                    ref.source, "low")
    dc[2014] = Cell(rounded(mo[2013].value * (1.0 + adj)), "derived",
                    f"2013 rate adjusted by {adj_text}: autodiesel was excluded from the Budget 2014 rise of the "
                    "general rate", sources(ref, p08, p15), "low")

    # Rule 3: diesel road-usage tax 2009-2014 from 2008, price-adjusted.
    dr = out["diesel_road_usage_tax"]
    d08 = obs["diesel_road_usage_tax"][2008]
    for y in range(2009, 2015):
        dr[y] = Cell(rounded(d08.value * (1.0 + adj) ** (y - 2008)), "derived",
                     f"2008 rate ({fmt(d08.value)}) carried forward at {adj_text}; not interpolated to the 2015 rate, "
                     "which follows the 2015 shift from road-usage tax to CO2 tax on diesel",
                     sources(d08, p08, p15), "low")

    # Rules 1 and 2 for every tax.
    for item in TAXES:
        fill_tax(item, out[item], adj, adj_text)
        for y in list(out[item]):
            if y not in YEARS:
                del out[item][y]
        for y in YEARS:
            c = out[item][y]
            if c.status == "derived" and "carried back" in c.method:
                c.source = sources(c, Cell(0, "", "", adj_source, ""))

    # Rule 5: pump prices through the product price.
    def taxes(fuel: str, y: int) -> float:
        return out[f"{fuel}_road_usage_tax"][y].value + out[f"{fuel}_co2_tax"][y].value

    product: dict[str, dict[int, float]] = {}
    for fuel in ("diesel", "petrol"):
        pump = out[f"{fuel}_pump_price"]
        prod = {y: c.value / (1.0 + VAT) - taxes(fuel, y) for y, c in pump.items()}
        known = sorted(prod)
        for y in YEARS:
            if y in pump:
                continue
            before = [k for k in known if k < y]
            after = [k for k in known if k > y]
            tax_src = [out[f"{fuel}_road_usage_tax"][y], out[f"{fuel}_co2_tax"][y]]
            if before and after:
                y0, y1 = before[-1], after[0]
                p = prod[y0] + (prod[y1] - prod[y0]) * (y - y0) / (y1 - y0)
                cell = Cell(0.0, "interpolated",
                            f"product price (pump / 1.25 - road-usage tax - CO2 tax) linear between {y0} "
                            f"({fmt(prod[y0])}) and {y1} ({fmt(prod[y1])}) = {fmt(p)}; pump = (product + this year's "
                            "road-usage and CO2 taxes) x 1.25 (misses oil-price swings between the two years)",
                            sources(pump[y0], pump[y1], *tax_src), "low")
            elif before and fuel == "petrol":
                y0 = before[-1]
                dp = product["diesel"]
                p = prod[y0] * dp[y] / dp[y0]
                cell = Cell(0.0, "derived",
                            f"product price {y0} ({fmt(prod[y0])}) x diesel product price {y} / {y0} "
                            f"({fmt(dp[y])} / {fmt(dp[y0])}) = {fmt(p)}; pump = (product + road-usage and CO2 "
                            "taxes) x 1.25", sources(pump[y0], out["diesel_pump_price"][y], *tax_src), "low")
            else:
                raise ValueError(f"{fuel} pump price {y}: no rule to fill it")
            cell.value = rounded((p + taxes(fuel, y)) * (1.0 + VAT))
            pump[y] = cell
        product[fuel] = {y: pump[y].value / (1.0 + VAT) - taxes(fuel, y) for y in YEARS}

    # Rule 6: heating oil.
    ho = out["heating_oil_price"]
    h09 = ho[2009]

    def oil_taxes(y: int) -> float:
        return out["mineral_oil_co2_tax"][y].value + out["mineral_oil_base_tax"][y].value

    hp09 = h09.value / (1.0 + VAT) - oil_taxes(2009)
    dp09 = product["diesel"][2009]
    for y in YEARS[1:]:
        p = hp09 * product["diesel"][y] / dp09
        ho[y] = Cell(rounded((p + oil_taxes(y)) * (1.0 + VAT)), "derived",
                     f"heating-oil product price 2009 ({fmt(h09.value)} / 1.25 - mineral-oil CO2 and base taxes = "
                     f"{fmt(hp09)}) x diesel product price {y} / 2009 ({fmt(product['diesel'][y])} / {fmt(dp09)}) = "
                     f"{fmt(p)}; price = (product + this year's mineral-oil CO2 and base taxes) x 1.25",
                     sources(h09, out["diesel_pump_price"][y], out["mineral_oil_co2_tax"][y],
                             out["mineral_oil_base_tax"][y]), "low")

    # Rule 7: electricity.
    energy, grid, total = out["electricity_energy_price"], out["electricity_grid_and_taxes"], obs[TOTAL]
    for y in sorted(total):
        if y in energy:
            g = total[y].value / (1.0 + VAT) - energy[y].value
            grid[y] = Cell(rounded(g), "derived",
                           f"household total incl. grid, taxes and VAT / 1.25 - energy price = {fmt(total[y].value)} / "
                           f"1.25 - {fmt(energy[y].value)}", sources(total[y], energy[y]),
                           "medium" if "low" not in (total[y].confidence, energy[y].confidence) else "low")
    known = sorted(grid)
    for y in YEARS:
        if y in grid:
            continue
        before = [k for k in known if k < y]
        after = [k for k in known if k > y]
        if before and after:
            grid[y] = interpolated(y, before[-1], grid[before[-1]], after[0], grid[after[0]])
            if y in (2019, 2021):
                grid[y].method += ("; check: SSB Q3 values (prices_more.csv, not annual) give 41-45 øre/kWh in Q3, "
                                   "above the annual mean as fixed charges weigh more in summer")
        else:
            y0 = before[-1]
            grid[y] = Cell(grid[y0].value, "held", f"last derived value ({y0}) held", grid[y0].source, "low")
    for y in YEARS:
        if y in energy:
            continue
        if y in total:
            energy[y] = Cell(rounded(total[y].value / (1.0 + VAT) - grid[y].value), "derived",
                             f"household total incl. grid, taxes and VAT / 1.25 - grid and taxes (interpolated) = "
                             f"{fmt(total[y].value)} / 1.25 - {fmt(grid[y].value)}", sources(total[y], grid[y]), "low")
        else:
            y0 = max(k for k in energy if k < y)
            energy[y] = Cell(energy[y0].value, "held", f"last observed value ({y0}) held", energy[y0].source, "low")

    rows = []
    for item in ITEMS:
        missing = [y for y in YEARS if y not in out[item]]
        if missing:
            raise ValueError(f"{item}: no value for {missing}")
        for y in YEARS:
            c = out[item][y]
            rows.append(dict(item=item, year=y, value=fmt(c.value), unit=UNITS[item], status=c.status,
                             method=c.method, source=c.source, confidence=c.confidence))
    return rows


def write(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(shared: Path, out: Path = OUT) -> None:
    rows = build(shared)
    write(out, rows)
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["status"]] += 1
    print(f"prices: {len(rows)} rows ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}) -> {out}")


if __name__ == "__main__":
    from reference_folder import arguments

    args = arguments(__doc__, ("--out", {"type": Path, "default": OUT, "help": f"file to write (default: {OUT})"}))
    main(args.shared, args.out)
