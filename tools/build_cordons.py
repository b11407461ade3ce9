"""Build the toll cordons, their rate history and the commuting shares from the reference data.

Run by hand when the reference data change:

    python tools/build_cordons.py /path/to/shared/data            # writes model/data/
    python tools/build_cordons.py /path/to/shared/data --report   # also prints the crossing shares

Reads ``policies/toll_schemes.csv``, ``policies/commuting.csv``, ``policies/cordon_shares.csv``,
``policies/README.md`` and ``observations.csv`` (populations) and writes
``model/data/cordons.csv``, ``toll_rates.csv`` and ``commuting.csv``. The model never reads
the reference folder at run time. Every row states its status (observed | derived |
estimated | assumption), how it was made and its source; every gap the reference data
leave is resolved here, explicitly, with the reason in the row.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from framtid.model import cordon_crossing as cc
from framtid.model import cordons as cm
from framtid.model import data_store, dims, parameters

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "model" / "data"

NAMES = {
    "Oslo": "oslo", "Bærum": "baerum", "Drammen": "drammen", "Fredrikstad": "fredrikstad",
    "Sarpsborg": "sarpsborg", "Porsgrunn": "porsgrunn", "Skien": "skien",
    "Kristiansand": "kristiansand", "Stavanger": "stavanger", "Sandnes": "sandnes",
    "Bergen": "bergen", "Trondheim": "trondheim", "Tromsø": "tromso",
}

# Errand and leisure trips leave the home municipality this many times as often as commute
# trips (assumption: they are shorter on average in Norwegian travel surveys). Used only to
# calibrate the Oslo inside shares; the model takes the factor from its own parameters.
OTHER_PURPOSE_FACTOR = 0.5
# Oslo 1990 ring: the central zone type lies inside, the periphery almost wholly outside
# (assumption); the B share is fitted on this grid.
OSLO_RING_A, OSLO_RING_C = 1.0, 0.1
GRID_B = tuple(round(0.05 * k, 2) for k in range(21))
# Oslo inner ring (Ring 2, 2019): inside the Oslo ring, no C zone (assumption); A and B fitted.
GRID_INNER_A = tuple(round(0.1 * k, 1) for k in range(11))
GRID_INNER_B = (0.0, 0.1, 0.2, 0.3)
# A ring on the approach roads that encloses most of a city (Trondheim 2010, Bergen's 2019 stations).
WIDE_RING = (1.0, 0.7, 0.3)
# The Bærum ring's vehicles from outside the 13 per counted passage (assumption, see its row).
BAERUM_RING_EXTERNAL = 0.5
CORDON_ORDER = ("oslo_ring", "oslo_ring_2019", "oslo_inner_ring", "baerum_ring", "oslo_city_boundary",
                "bergen_ring", "bergen_outer", "trondheim_ring", "trondheim_inner", "kristiansand_ring",
                "nord_jaeren_stavanger", "nord_jaeren_sandnes", "fredrikstad_ring", "sarpsborg_ring",
                "grenland_porsgrunn", "grenland_skien", "tromso_ring")
THROUGH_TRAFFIC = 0.2   # passages by through traffic and firms' vans and trucks from outside the 13, per
                        # counted passage (assumption added to the in-commuting ratios below)


# -- reading ---------------------------------------------------------------------------------

def read(path: Path) -> list[tuple[int, dict[str, str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(enumerate(csv.DictReader(fh), start=2))


def fmt(value) -> str:
    return f"{value:.12g}" if isinstance(value, float) else str(value)


def write(path: Path, rows: list[dict], columns: tuple[str, ...]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({k: fmt(row[k]) for k in columns})


class Tolls:
    """The rows of toll_schemes.csv, picked by content so that a changed file fails loudly."""

    def __init__(self, rows):
        self.rows = rows
        self.used: set[int] = set()

    def pick(self, region: str, scheme: str, valid_from: str, **match) -> list[tuple[int, dict]]:
        hits = [(n, r) for n, r in self.rows if r["region"] == region and r["scheme"].startswith(scheme)
                and r["valid_from"] == valid_from and all(r[k] == v for k, v in match.items())]
        if not hits:
            raise ValueError(f"toll_schemes.csv: no row {region} / {scheme} / {valid_from!r} / {match}")
        self.used.update(n for n, _ in hits)
        return hits

    def note_says(self, line: int, text: str) -> bool:
        """Whether the note of row ``line`` says ``text``; a note that no longer does fails loudly."""
        note = next(r["note"] for n, r in self.rows if n == line)
        if text not in note:
            raise ValueError(f"toll_schemes.csv line {line}: the note no longer says {text!r}: review the hour rules")
        return True

    def one(self, region: str, scheme: str, valid_from: str, **match) -> tuple[int, dict]:
        hits = self.pick(region, scheme, valid_from, **match)
        if len(hits) != 1:
            raise ValueError(f"toll_schemes.csv: {len(hits)} rows for {region} / {scheme} / {valid_from} / {match}")
        return hits[0]


class Rates:
    """Collects the rows of toll_rates.csv."""

    def __init__(self):
        self.rows: list[dict] = []

    def add(self, cordon, start, end, cls, fuel, period, price, discount, status, source, confidence, note):
        self.rows.append(dict(cordon=cordon, valid_from=start, valid_to=end or "", vehicle_class=cls, fuel=fuel,
                              period=period, price_nok=float(price),
                              tag_discount_share="" if discount in ("", None) else float(discount),
                              status=status, source=source, confidence=confidence, note=note))

    def copy(self, cordons, line, start=None, end=None, status="observed", note="", **override):
        """Rows for ``cordons`` taken from a source row, dates and fields optionally replaced."""
        n, r = line
        values = dict(cls=r["vehicle_class"], fuel=r["fuel"], period=r["period"],
                      price=r["price_nok_per_passage"], discount=r["discount_with_tag_share"])
        values.update(override)
        for cordon in ([cordons] if isinstance(cordons, str) else cordons):
            self.add(cordon, start or r["valid_from"], r["valid_to"] if end is None else end, values["cls"],
                     values["fuel"], values["period"], values["price"], values["discount"], status,
                     f"toll_schemes.csv line {n}: {r['source_url']}", r["confidence"], note)

    def copy_all(self, cordons, lines, **kw):
        for line in lines:
            self.copy(cordons, line, **kw)


def day_before(iso: str) -> str:
    return (date.fromisoformat(iso) - timedelta(days=1)).isoformat()


# -- toll rates ------------------------------------------------------------------------------

def interpolate(rates: Rates, cordon: str, first: tuple[int, dict], last: tuple[int, dict], years, end: str):
    """Yearly rows between two observed rates, linear in time (the changes in between are not in the data)."""
    (n0, r0), (n1, r1) = first, last
    t0, t1 = date.fromisoformat(r0["valid_from"]), date.fromisoformat(r1["valid_from"])
    v0, v1 = float(r0["price_nok_per_passage"]), float(r1["price_nok_per_passage"])
    for year in years:
        t = date(year, 1, 1)
        value = round(v0 + (v1 - v0) * (t - t0).days / (t1 - t0).days, 2)
        stop = f"{year}-12-31" if year < years[-1] else end
        rates.add(cordon, t.isoformat(), stop, r0["vehicle_class"], "all", "all", value,
                  r0["discount_with_tag_share"], "estimated",
                  f"toll_schemes.csv lines {n0}, {n1}: {r0['source_url']} ; {r1['source_url']}", "low",
                  f"rate changes between {r0['valid_from']} ({v0:g}) and {r1['valid_from']} ({v1:g}) are not in "
                  f"the data: linear in time, value on 1 January held for the year; tag discount held")


def oslo_rates(t: Tolls, rates: Rates) -> None:
    ring, inner, boundary, baerum = "oslo_ring", "oslo_inner_ring", "oslo_city_boundary", "baerum_ring"
    o3 = "Oslopakke 3 - Oslo ring (1990 ring)"
    b3 = "Oslopakke 3 - Bærum ring"
    for cordon, region, scheme, half in ((ring, "Oslo", o3, "Oslo"), (baerum, "Bærum", b3, "Bærum")):
        y2011 = t.pick(region, scheme, "2011-01-01")
        rates.copy_all(cordon, y2011, start="2009-01-01", end="2010-12-31", status="estimated",
                       note="no rate for 2008-2010 in the data: the 2011 rate is carried back to 2009 (the rate "
                            "was CPI-adjusted, so 2009-2010 were probably a little lower)")
        rates.copy_all(cordon, y2011, note="2011 start date is the source's placeholder")
        y2012 = t.pick(region, scheme, "2012-03-15")
        rates.copy_all(cordon, y2012, end="2012-12-31", note="valid_to not in the data: see the interpolated rows")
        y2017 = {r["vehicle_class"]: (n, r) for n, r in t.pick(region, scheme, "2017-07-01")}
        for n, r in y2012:
            interpolate(rates, cordon, (n, r), y2017[r["vehicle_class"]], range(2013, 2018), "2017-06-30")
        rates.copy_all(cordon, y2017.values(), end="2017-09-30",
                       note="" if cordon == ring else "valid_to not in the data (Bærum's Oct-2017 rates not "
                       "found): closed when Oslo's time- and environment-differentiated rates began")
        n12, _ = y2012[0]
        rates.add(cordon, "2009-01-01", "2012-03-14", "light", "bev", "all", 0.0, "", "estimated",
                  f"toll_schemes.csv line {n12}", "medium",
                  "battery-electric cars passed free (stated from 2012-03-15; carried back under the national "
                  "exemption of the time)")
        rates.add(cordon, "2012-03-15", "2017-09-30", "light", "bev", "all", 0.0, "", "observed",
                  f"toll_schemes.csv lines {n12}, {y2017['light'][0]}", "high", "EV free")
    step1 = t.pick("Oslo", "Oslopakke 3 - Oslo ring, time+environment", "2017-10-01")
    rates.copy_all(ring, step1)
    for n, r in step1:
        rates.add(baerum, "2017-10-01", "2019-05-31", r["vehicle_class"], r["fuel"], r["period"],
                  float(r["price_nok_per_passage"]) / 2, r["discount_with_tag_share"], "estimated",
                  f"toll_schemes.csv line {n}: {r['source_url']}", "low",
                  "Bærum rates after 2017-10 are not in the data: half the Oslo ring's rate, as in 2011, 2012 "
                  "and 2017-07")
    # 2019-06-01: three rings; the Bærum ring becomes part of the city boundary ring (Bygrensen), which succeeds it
    # (the Bærum ring charges until 2019-05-31, as the 1990 ring).
    heavy_2022 = t.pick("Oslo/Bærum", "Oslopakke 3 - all three rings", "2022-09-01", vehicle_class="heavy")
    for cordon, scheme in (("oslo_ring_2019", "Oslopakke 3 step 2 - Osloringen"), (inner, "Oslopakke 3 step 2 - Indre ring"),
                           (boundary, "Oslopakke 3 step 2 - Bygrensen")):
        region = "Oslo/Bærum" if "Bygrensen" in scheme else "Oslo"
        rates.copy_all(cordon, t.pick(region, scheme, "2019-06-01"))
        rates.copy_all(cordon, heavy_2022, start="2019-06-01", end="2022-08-31", status="estimated",
                       note="heavy rates 2019-06 to 2022-08 are not in the data: the 2022-09-01 rate carried back")
        for start in ("2022-09-01", "2023-03-01", "2024-01-01", "2025-01-01"):
            rates.copy_all(cordon, t.pick("Oslo/Bærum", "Oslopakke 3 - all three rings", start),
                           note="same rate at all Fjellinjen stations")
        rates.copy_all(cordon, t.pick("Oslo/Bærum", "Oslopakke 3 - all three rings", "2024-01-01",
                                      vehicle_class="heavy"), start="2025-01-01", end="", status="estimated",
                       note="heavy rates from 2025 are not in the data: the 2024 rate held")


def bergen_rates(t: Tolls, rates: Rates) -> None:
    ring, outer = "bergen_ring", "bergen_outer"
    env_start = "2017-07-01"   # environment-differentiated rates: start date not in the data
    env_note = ("start date not in the data (between 2016-02 and 2019-01): taken as the midpoint of that "
                "interval, 2017-07-01")
    flat = t.one("Bergen", "Bomringen i Bergen - flat rate", "")
    rates.copy(ring, flat, start="2009-01-01", status="estimated",
               note="start of this rate not in the data: carried back to 2009 (the ring has charged since 1986)")
    n, r = flat
    rates.add(ring, "2009-01-01", "2016-01-31", "heavy", "all", "all", 2 * float(r["price_nok_per_passage"]), "",
              "estimated", f"toll_schemes.csv line {n}: {r['source_url']}", "low",
              "heavy rate not in the data: twice the light rate, as in the 2016 rates")
    rates.add(ring, "2009-01-01", day_before(env_start), "light", "bev", "all", 0.0, "", "estimated",
              f"toll_schemes.csv line {n}", "medium", "EV free (stated for 2016; national exemption of the time)")
    rush = t.pick("Bergen", "Bergensprogrammet / Bomringen i Bergen - rush-hour charge", "2016-02-01")
    rates.copy_all(ring, rush, end=day_before(env_start), note="valid_to not in the data; " + env_note)
    env = t.pick("Bergen", "Bypakke Bergen - environment differentiated", "")
    rates.copy_all(ring, env, start=env_start, status="estimated", note=env_note)
    n, r = env[0]
    for period, price in (("offpeak", 67.0), ("peak", 118.0)):
        rates.add(ring, env_start, "2018-12-31", "heavy", "all", period, price, 0.0, "estimated",
                  f"toll_schemes.csv line {n}: {r['source_url']}", "low",
                  "Euro V and older heavy, read from the source's note; " + env_note)
    april = t.pick("Bergen", "Bypakke Bergen / Miljøløftet", "2019-04-06")
    rates.copy_all(ring, t.pick("Bergen", "Bypakke Bergen", "2019-01-01"))
    for n, r in april:
        if r["vehicle_class"] == "heavy" or r["period"] == "offpeak" and r["fuel"] != "bev":
            rates.copy(ring, (n, r), start="2019-01-01", end="2019-04-05", status="estimated",
                       note="not in the data for 2019-01-01 to 2019-04-05: the 2019-04-06 rate carried back "
                            "(its peak rates equal the 2019-01-01 ones)")
    rates.add(ring, "2019-01-01", "2019-04-05", "light", "bev", "all", 0.0, "", "estimated",
              f"toll_schemes.csv line {april[0][0]}", "medium", "EVs charged from 2019-04-06 ('+ EV charge')")
    rates.copy_all(ring, april, end="2021-12-31", note="valid_to from the CPI adjustment of 2022-01-01; the EV rate "
                   "fell to about 5/11 at an unknown date before 2022")
    cpi = t.pick("Bergen", "Bypakke Bergen (CPI-adjusted)", "2022-01-01")
    rates.copy_all(ring, cpi)
    heavy_2019 = [(n, r) for n, r in april if r["vehicle_class"] == "heavy"]
    rates.copy_all(ring, heavy_2019, start="2022-01-01", end="", status="estimated",
                   note="heavy rates after 2022-01-01 are not in the data: the 2019 rate held")
    # The 15 stations added on 2019-04-06 charge the off-peak rate all day.
    for lines, start, end in ((april, "2019-04-06", "2021-12-31"), (cpi, "2022-01-01", "")):
        for n, r in lines:
            if r["period"] == "offpeak" and r["vehicle_class"] == "light":
                rates.copy(outer, (n, r), start=start, end=end, status="derived", period="all",
                           note="the 15 new stations have no rush surcharge: off-peak rate all day")
    for n, r in heavy_2019:
        if r["period"] == "offpeak":
            rates.copy(outer, (n, r), start="2019-04-06", end="", status="estimated", period="all",
                       note="no rush surcharge at the new stations; heavy rate after 2022 not in the data: held")


def trondheim_rates(t: Tolls, rates: Rates) -> None:
    ring, inner = "trondheim_ring", "trondheim_inner"
    start = t.pick("Trondheim", "Miljøpakken Trondheim - toll ring start", "2010-03-31")
    rates.copy_all(ring, start, end="2018-12-31",
                   note="valid_to not in the data: closed when the undated snapshot rates are taken to begin")
    rates.add(ring, "2010-03-31", "2018-12-31", "light", "bev", "all", 0.0, "", "estimated",
              f"toll_schemes.csv line {start[0][0]}", "medium", "EV free (national rule at the time, per the "
              "source's note)")
    snapshot_note = ("undated snapshot (the source places changes in 2014 and 2019: a new omkjøringsvegen cordon "
                     "and EV charging; the snapshot charges EVs, so it is taken to hold from 2019-01-01)")
    outer = t.pick("Trondheim", "Miljøpakken - outer cordons", "")
    rates.copy_all(ring, outer, start="2019-01-01", status="estimated", note=snapshot_note)
    inner_rows = t.pick("Trondheim", "Miljøpakken - omkjøringsvegen cordon", "")
    rates.copy_all(inner, inner_rows, start="2014-01-01", status="estimated",
                   note="undated snapshot; the cordon is taken to open on 2014-01-01 (the source's '2014' change) "
                        "and the snapshot rate applied from then")
    rates.add(inner, "2014-01-01", "2018-12-31", "light", "bev", "all", 0.0, "", "estimated",
              f"toll_schemes.csv line {inner_rows[0][0]}", "low", "EV free until EV charging (2019, assumed)")
    for cordon, lines, ev, start_heavy in ((ring, outer, {"offpeak": 2.88, "peak": 5.92}, "2019-01-01"),
                                           (inner, inner_rows, {"offpeak": 2.08, "peak": 2.72}, "2014-01-01")):
        for n, r in lines:
            rates.add(cordon, "2019-01-01", "", "light", "bev", r["period"], ev[r["period"]], 0.0, "estimated",
                      f"toll_schemes.csv line {n}: {r['source_url']}", "low",
                      "zero-emission price WITH tag from the source's note (EVs need a tag for it); dated as the "
                      "snapshot")
            rates.add(cordon, start_heavy, "", "heavy", "all", r["period"], 2 * float(r["price_nok_per_passage"]),
                      0.0, "estimated", f"toll_schemes.csv line {n}: {r['source_url']}", "low",
                      "heavy rate not in the snapshot: twice the light rate, as in 2010")


def other_rates(t: Tolls, rates: Rates) -> None:
    # Kristiansand
    k = "kristiansand_ring"
    first = t.one("Kristiansand", "Bomringen i Kristiansand (Samferdselspakke)", "2008-07-01")
    rates.copy(k, first)
    n, r = first
    rates.add(k, "2008-07-01", "2010-06-30", "heavy", "all", "all", 40.0, "", "estimated",
              f"toll_schemes.csv line {n}: {r['source_url']}", "low",
              "heavy rate not in the data: twice the light rate, as in the 2010 rates")
    rates.add(k, "2008-07-01", "2010-06-30", "light", "bev", "all", 0.0, "", "estimated",
              f"toll_schemes.csv line {n}", "medium", "EV free (stated from 2010; national exemption of the time)")
    mid = t.pick("Kristiansand", "Bomringen i Kristiansand", "2010-07-01")
    rates.copy_all(k, mid, end="2013-09-15", note="the source's valid_to 2013-09-16 is the first day of the next "
                   "rates (from 12:00): that day is given to them")
    later = t.pick("Kristiansand", "Bomringen i Kristiansand - time differentiated", "2013-09-16")
    rates.add(k, "2010-07-01", "", "light", "bev", "all", 0.0, "", "observed",
              f"toll_schemes.csv lines {mid[0][0]}, {later[0][0]}", "high",
              "EV (and hydrogen) free; held after 2013 (later EV charging not dated in the data)")
    rates.copy_all(k, later, note="held: later changes (a stop and a restart 'on 1 September' of an unstated year, EV "
                        "charging) are not dated in the data")
    # Nord-Jæren: one cordon in Stavanger and one in Sandnes, same rates.
    nj = ("nord_jaeren_stavanger", "nord_jaeren_sandnes")
    start = {(r["vehicle_class"], r["period"]): (n, r)
             for n, r in t.pick("Stavanger/Sandnes", "Bymiljøpakken Nord-Jæren - start", "2018-10-01")}
    for cls in ("light", "heavy"):
        rates.copy(nj, start[(cls, "offpeak")], end="2019-03-24", status="derived", period="all",
                   note="rush charge suspended 2018-12-10 to 2019-03-24 and refunded back to 2018-10-01: "
                        "off-peak rate all day")
        for period in ("offpeak", "peak"):
            rates.copy(nj, start[(cls, period)], start="2019-03-25", note="rush charge reinstated 2019-03-25")
    rates.add(nj[0], "2018-10-01", "2020-02-09", "light", "bev", "all", 0.0, "", "observed",
              f"toll_schemes.csv line {start[('light', 'offpeak')][0]}", "high", "EV free until 2020-02-10")
    rates.add(nj[1], "2018-10-01", "2020-02-09", "light", "bev", "all", 0.0, "", "observed",
              f"toll_schemes.csv line {start[('light', 'offpeak')][0]}", "high", "EV free until 2020-02-10")
    flat = t.pick("Stavanger/Sandnes", "Bymiljøpakken Nord-Jæren - flat rate", "2020-02-10")
    for n, r in flat:
        rates.copy(nj, (n, r), **({"discount": 0.0} if r["fuel"] == "bev" else {}),
                   note="EV price WITH tag (50 % of the tag price)" if r["fuel"] == "bev" else
                   "CPI adjustments 2022-01-01 and 2024-05-31 not in the data: held")
    # Nedre Glomma: the Fredrikstad ring from 2019, Sarpsborg's stations from 2024.
    for n, r in t.pick("Fredrikstad", "Bypakke Nedre Glomma fase 1", "2019-11-15"):
        rates.copy("fredrikstad_ring", (n, r), **({"discount": 0.0} if r["fuel"] == "bev" else {}))
    for region, cordon in (("Fredrikstad", "fredrikstad_ring"), ("Sarpsborg", "sarpsborg_ring")):
        for n, r in t.pick(region, "Bypakke Nedre Glomma fase 2", "2024-03-20"):
            note = "EV price WITH tag" if r["fuel"] == "bev" else ""
            if cordon == "fredrikstad_ring":
                note = (note + "; " if note else "") + "fase-1 ring stations assumed to charge the fase-2 rate"
            rates.copy(cordon, (n, r), note=note, **({"discount": 0.0} if r["fuel"] == "bev" else {}))
            if r["fuel"] == "petrol":
                rates.copy(cordon, (n, r), fuel="diesel", status="derived", note="same for diesel (source note)")
    # Grenland: one cordon in Porsgrunn and one in Skien.
    for region, cordon in (("Porsgrunn", "grenland_porsgrunn"), ("Skien", "grenland_skien")):
        opening = t.pick(region, "Bypakke Grenland fase 1", "2016-10-03")
        rates.copy_all(cordon, opening, end="2019-12-31", note="2015-NOK rates from the parliamentary bill used "
                       "as nominal; valid_to: see the undated later rates")
        rates.add(cordon, "2016-10-03", "2019-12-31", "light", "bev", "all", 0.0, "", "observed",
                  f"toll_schemes.csv line {opening[0][0]}", "medium", "EV free")
        rates.add(cordon, "2020-01-01", "", "light", "bev", "all", 0.0, "", "estimated",
                  f"toll_schemes.csv line {opening[0][0]}", "low", "EV exemption held: later EV rates not in the data")
        later = t.pick(region, "Bypakke Grenland fase 1 (later rates, undated)", "")
        rates.copy_all(cordon, later, start="2020-01-01", status="estimated",
                       note="undated: 17/23 is about 13 %/10 % above the 2015-NOK opening rates, about 4-5 years "
                            "of CPI growth at an assumed 2.5 %/yr, so taken to hold from 2020-01-01")
        light = {r["period"]: float(r["price_nok_per_passage"]) for _, r in later}
        base = {r["period"]: float(r["price_nok_per_passage"]) for _, r in opening if r["vehicle_class"] == "light"}
        for n, r in opening:
            if r["vehicle_class"] == "heavy":
                p = r["period"]
                rates.add(cordon, "2020-01-01", "", "heavy", "all", p,
                          round(float(r["price_nok_per_passage"]) * light[p] / base[p], 2), 0.2, "estimated",
                          f"toll_schemes.csv line {n}: {r['source_url']}", "low",
                          "heavy rate not in the later data: the opening heavy rate scaled like the light one")
    # Tromsø
    for n, r in t.pick("Tromsø", "Bypakke Tenk Tromsø", "2023-01-05") + t.pick("Tromsø", "Bypakke Tenk Tromsø",
                                                                            "2024-06-14"):
        bev = r["fuel"] == "bev"
        rates.copy("tromso_ring", (n, r), note="EV price WITH tag (50 % of the tag price)" if bev else "",
                   **({"discount": 0.0} if bev else {}))
        if r["fuel"] == "petrol":
            rates.copy("tromso_ring", (n, r), fuel="diesel", status="derived", note="same for diesel (source note)")


def build_rates(toll_rows) -> list[dict]:
    t, rates = Tolls(toll_rows), Rates()
    oslo_rates(t, rates)
    bergen_rates(t, rates)
    trondheim_rates(t, rates)
    other_rates(t, rates)
    unused = sorted(n for n, _ in toll_rows if n not in t.used)
    if unused:
        raise ValueError(f"toll_schemes.csv lines {unused} are not used: map them to a cordon")
    order = {cid: k for k, cid in enumerate(CORDON_ORDER)}
    return sorted(rates.rows, key=lambda r: (order[r["cordon"]], r["valid_from"]))


# -- commuting -------------------------------------------------------------------------------

def populations(obs_rows) -> dict[tuple[str, str, int], float]:
    out = {}
    for _, r in obs_rows:
        if r["municipality"] in NAMES and r["indicator"].startswith("population_1jan") and r["year"]:
            out[(NAMES[r["municipality"]], r["indicator"], int(r["year"]))] = float(r["value"])
    return out


def build_commuting(comm_rows, obs_rows) -> tuple[list[dict], dict]:
    """Commuting shares and the numbers behind them (also used for the cordons' external passages)."""
    flows = {(r["home_municipality"], r["work_municipality"], r["year"]): (n, r) for n, r in comm_rows}

    def flow(home, work, year):
        n, r = flows[(home, work, year)]
        return float(r["employed"]), f"policies/commuting.csv line {n}: {r['source_url']} ({r['confidence']})"

    pop = populations(obs_rows)
    same = "population_1jan_borders_of_that_year"
    # Employment rate: employed residents Q4 2011 over the population on 1 Jan 2012, interpolated
    # geometrically between 2009 and 2019 (borders of that year, as the 2011 figures).
    rate, jobs_ratio = {}, {}
    for name in ("Oslo", "Bergen", "Trondheim", "Stavanger", "Sandnes"):
        m = NAMES[name]
        w, _ = flow(name, "(all)", "2011")
        j, _ = flow("(all)", name, "2011")
        p2012 = pop[(m, same, 2009)] * (pop[(m, same, 2019)] / pop[(m, same, 2009)]) ** 0.3
        rate[m], jobs_ratio[m] = w / p2012, j / w
    mean_rate = sum(rate.values()) / len(rate)

    def workers(m, year):
        """Employed residents in Q4 of ``year`` ~ rate x population on 1 January of the next year."""
        indicator = "population_1jan_2020_borders" if year + 1 >= 2020 else same
        return rate.get(m, mean_rate) * pop[(m, indicator, year + 1)]

    def rate_text(m):
        return (f"employment rate {rate[m]:.4f} of {m} (employed residents Q4 2011 / population 1 Jan 2012 "
                f"interpolated geometrically 2009-2019)" if m in rate else
                f"employment rate {mean_rate:.4f} (mean of the Q4-2011 rates of Oslo, Bergen, Trondheim, "
                f"Stavanger and Sandnes; no employment figure for {m} in the data)")

    rows = []

    def add(home, work, year, share, status, method, source):
        rows.append(dict(home=home, work=work, year=year, share=round(share, 4), status=status, method=method,
                         source=source))

    # Drammen, Q4 2019 (2019 borders): all four numbers from one source.
    d_in, src_d = flow("Drammen", "Drammen", "2019")
    d_out, _ = flow("Drammen", "(other municipalities, total out-commuters)", "2019")
    d_workers = d_in + d_out
    for work, name in (("oslo", "Oslo"), ("baerum", "Bærum")):
        f, src = flow("Drammen", name, "2019")
        add("drammen", work, 2019, f / d_workers, "derived",
            f"{f:.0f} commuters / {d_workers:.0f} employed residents (working in Drammen {d_in:.0f} + "
            f"out-commuters {d_out:.0f}); 2019 borders, share assumed to hold for the 2020 borders (Nedre Eiker "
            f"and Svelvik lie further from Oslo, so this may overstate)", src)
    # Oslo <-> Baerum, Q4 2018.
    ob, src_ob = flow("Oslo", "Bærum", "2018")
    add("oslo", "baerum", 2018, ob / workers("oslo", 2018), "estimated",
        f"{ob:.0f} commuters (rounded in the source) / {workers('oslo', 2018):.0f} employed residents = "
        f"{rate_text('oslo')} x population 1 Jan 2019", src_ob)
    j_o = jobs_ratio["oslo"]
    bo = ob * j_o
    add("baerum", "oslo", 2018, bo / workers("baerum", 2018), "estimated",
        f"reverse flow by the gravity rule F_ij ~ W_i J_j f(d) (W employed residents, J jobs, f symmetric in "
        f"distance), so F_ij/F_ji = (J/W of j) / (J/W of i): F(Baerum->Oslo) = "
        f"F(Oslo->Baerum) x (J/W of Oslo, {j_o:.4f} in Q4 2011) x (W/J of Baerum, assumed 1: no jobs figure) = "
        f"{bo:.0f}; / {workers('baerum', 2018):.0f} employed residents ({rate_text('baerum')} x population 1 Jan "
        f"2019)", src_ob + " ; policies/commuting.csv (Oslo 2011 totals)")
    # Oslo/Baerum -> Drammen (reverse of the Drammen flows; Drammen jobs per employed resident assumed 1).
    for home, work_name, factor, fac_text in (("oslo", "Oslo", 1 / j_o, f"W/J of Oslo {1 / j_o:.4f} (Q4 2011)"),
                                              ("baerum", "Bærum", 1.0, "W/J of Baerum assumed 1")):
        f, src = flow("Drammen", work_name, "2019")
        reverse = f * factor
        add(home, "drammen", 2019, reverse / workers(home, 2019), "estimated",
            f"reverse of Drammen->{work_name} ({f:.0f}) by the gravity rule: x {fac_text} x J/W of Drammen "
            f"(assumed 1: no jobs figure) = {reverse:.0f}; / {workers(home, 2019):.0f} employed residents "
            f"({rate_text(home)} x population 1 Jan 2020)", src)
    # Sandnes <-> Stavanger. The source does not state the year; it relays the SSB release whose national
    # total (about 960 000 out-commuters) is Q4 2019, so 2019 is assumed.
    ss, src_ss = flow("Sandnes", "Stavanger", "")
    add("sandnes", "stavanger", 2019, ss / workers("sandnes", 2019), "estimated",
        f"{ss:.0f} commuters, year not stated (taken as Q4 2019: the same article's national total is SSB's "
        f"Q4-2019 figure) / {workers('sandnes', 2019):.0f} employed residents ({rate_text('sandnes')} x "
        f"population 1 Jan 2020, 2020 borders)", src_ss)
    gravity = jobs_ratio["sandnes"] / jobs_ratio["stavanger"]
    st = ss * gravity
    add("stavanger", "sandnes", 2019, st / workers("stavanger", 2019), "estimated",
        f"reverse flow by the gravity rule F_ij/F_ji = W_i J_j / (W_j J_i) = (J/W of j) / (J/W of i), with the "
        f"Q4-2011 jobs per employed resident of Sandnes ({jobs_ratio['sandnes']:.4f}) and Stavanger "
        f"({jobs_ratio['stavanger']:.4f}): ratio {gravity:.4f}, {st:.0f} commuters; / "
        f"{workers('stavanger', 2019):.0f} employed "
        f"residents ({rate_text('stavanger')} x population 1 Jan 2020)", src_ss + " ; policies/commuting.csv "
        "(Stavanger and Sandnes 2011 totals)")
    # Sarpsborg <-> Fredrikstad (year not stated either: 2019 as above).
    sf, src_sf = flow("Sarpsborg", "Fredrikstad", "")
    w_s, w_f = workers("sarpsborg", 2019), workers("fredrikstad", 2019)
    add("sarpsborg", "fredrikstad", 2019, sf / w_s, "estimated",
        f"about {sf:.0f} commuters, year not stated (taken as Q4 2019) / {w_s:.0f} employed residents "
        f"({rate_text('sarpsborg')} x population 1 Jan 2020)", src_sf)
    add("fredrikstad", "sarpsborg", 2019, sf / w_f, "estimated",
        f"reverse flow by the gravity rule (F_ij/F_ji = (J/W of j) / (J/W of i)) with equal jobs per employed "
        f"resident in both (no jobs figures): the same {sf:.0f} commuters / {w_f:.0f} employed residents ({rate_text('fredrikstad')} "
        f"x population 1 Jan 2020)", src_sf)
    # Porsgrunn <-> Skien: no data. Analogue of the other twin-town region, Nedre Glomma: the share of a
    # town's workers in its twin is proportional to the twin's share of the pair's population.
    p = {m: pop[(m, "population_1jan_2020_borders", 2020)]
         for m in ("fredrikstad", "sarpsborg", "porsgrunn", "skien")}
    kappa = (sf / w_s) / (p["fredrikstad"] / (p["fredrikstad"] + p["sarpsborg"]))
    for home, work in (("porsgrunn", "skien"), ("skien", "porsgrunn")):
        weight = p[work] / (p["porsgrunn"] + p["skien"])
        add(home, work, 2019, kappa * weight, "assumption",
            f"no Grenland flows in the data: analogue of Nedre Glomma, share = kappa x population share of "
            f"{work} in Porsgrunn+Skien ({weight:.4f}, 1 Jan 2020), kappa = {kappa:.4f} = Sarpsborg->Fredrikstad "
            f"share / Fredrikstad's population share of the pair (the twin towns of Grenland lie closer together, "
            f"so this may understate)", src_sf + " ; observations.csv (population)")
    rows.sort(key=lambda r: (dims.MUNICIPALITIES.index(r["home"]), dims.MUNICIPALITIES.index(r["work"])))
    # In- and out-commuters of Oslo from and to places outside the 13 (for the city boundary).
    viken_in, src_vi = flow("(Viken county, all)", "Oslo", "2018")
    viken_out, src_vo = flow("Oslo", "(Viken county, all)", "2018")
    counted = bo + ob + flow("Drammen", "Oslo", "2019")[0] + flow("Drammen", "Oslo", "2019")[0] / j_o
    uncounted = (viken_in - bo - flow("Drammen", "Oslo", "2019")[0]) + (viken_out - ob - flow("Drammen", "Oslo",
                                                                                             "2019")[0] / j_o)
    facts = dict(jobs_ratio=jobs_ratio, boundary_counted=counted, boundary_uncounted=uncounted,
                 boundary_source=f"{src_vi} ; {src_vo} ; {src_ob} ; {src_d}")
    return rows, facts


# -- cordons ---------------------------------------------------------------------------------

def calibration_inputs():
    """Oslo's zone shares, trip ends by zone type and purpose shares from the embedded defaults."""
    table = parameters.table()
    delta = np.array([table[f"transport.parking_destination_share.{z}"].default for z in dims.ZONES])
    purpose = np.array([table[f"transport.purpose_share.{p}"].default for p in dims.PURPOSES])
    zones = {m.id: np.array(m.zone_share) for m in data_store.municipalities()}
    return delta / delta.sum(), purpose / purpose.sum(), zones


def resident_share(per_zone_purpose: np.ndarray, zones: np.ndarray, purpose: np.ndarray) -> float:
    """Average over a municipality's residents (zone shares) and trips (purpose shares) of ``(Z, P)``."""
    return float(zones @ per_zone_purpose @ purpose)


def nested_union(insides: list[np.ndarray], internal: np.ndarray, outbound: np.ndarray,
                 delta: np.ndarray) -> np.ndarray:
    """Share of one-way trips of the owner's residents crossing at least one of nested cordons ``(Z, P)``.

    ``insides`` from the innermost out, each ``(Z,)`` and containing the previous one. An internal trip
    (share ``internal``, ``(P,)``) crosses with the model's :func:`cordon_crossing.nested_union` (its ends at
    different levels of the nest), a trip to a municipality the cordons exchange trips with (share
    ``outbound``) if its home lies inside the outermost cordon; other trips do not cross.
    """
    within = cc.nested_union(np.array(insides), delta)                             # (Z,)
    return within[:, None] * internal[None, :] + insides[-1][:, None] * outbound[None, :]


def calibrate_oslo(commuting: list[dict], shares_rows) -> dict:
    delta, purpose, zones = calibration_inputs()
    records = [cm.CommuteShare(r["home"], r["work"], r["year"], r["share"], r["status"], "", "") for r in commuting]
    split = cc.destination_split(cc.commute_matrix(records, dims.BASE_YEAR), OTHER_PURPOSE_FACTOR)
    o = dims.index(dims.MUNICIPALITIES, "oslo")
    internal = split[o, :, o]
    targets = {}
    for n, r in shares_rows:
        targets["old" if r["year"].startswith("2019 (pre") else "new"] = (float(r["value"]), n, r)

    def share_with(*insides):
        union = nested_union([np.array(i) for i in insides], internal, 1.0 - internal, delta)   # exchange: all
        return resident_share(union, zones["oslo"], purpose)

    target_old = targets["old"][0]
    b = min(GRID_B, key=lambda b: (abs(share_with((OSLO_RING_A, b, OSLO_RING_C)) - target_old), b))
    ring = (OSLO_RING_A, b, OSLO_RING_C)
    target_new = targets["new"][0]
    boundary = (1.0, 1.0, 1.0)
    candidates = [(a, bb, 0.0) for a in GRID_INNER_A for bb in GRID_INNER_B if a <= ring[0] and bb <= ring[1]]
    inner = min(candidates, key=lambda i: (abs(share_with(i, ring, boundary) - target_new), i))
    return dict(ring=ring, inner=inner, share_old=share_with(ring), share_new=share_with(inner, ring, boundary),
                target_old=targets["old"], target_new=targets["new"])


def build_cordons(t: Tolls, shares_rows, commuting: list[dict], facts: dict, readme: str) -> list[dict]:
    cal = calibrate_oslo(commuting, shares_rows)
    ring, inner = cal["ring"], cal["inner"]
    old_value, old_line, old = cal["target_old"]
    new_value, new_line, new = cal["target_new"]
    src_shares = "policies/cordon_shares.csv line {}: {} ({})"
    ring_method = (f"derived: A {ring[0]:g} and C {ring[2]:g} assumed (central Oslo inside, the periphery almost "
                   f"wholly outside); B fitted on a 0.05 grid so that the share of Oslo residents' one-way car "
                   f"trips crossing the ring (= share of their home-based tours that pay) is {cal['share_old']:.3f} "
                   f"vs the target {old_value:g} (crossing rule of framtid.model.cordon_crossing, zone-type shares of "
                   f"municipalities.csv, trip ends and purposes from the transport parameter defaults, commuting "
                   f"shares with errands/leisure leaving {OTHER_PURPOSE_FACTOR:g} times as often). The rule's "
                   f"maximum is about 0.5, so the target is met only near an even split of trip ends over the ring")
    central = (f"assumption: same inside shares as the calibrated Oslo 1990 ring ({ring[0]:g}/{ring[1]:g}/"
               f"{ring[2]:g}), no zone data for this city: a ring around the centre that holds the A zone and a "
               f"minor part of B and C")
    jr = facts["jobs_ratio"]

    def in_commuting(m):
        return (f"estimated: 2011 jobs exceeded employed residents by {jr[m] - 1:.0%} (net in-commuting, data) "
                f"+ {THROUGH_TRAFFIC:g} assumed for through traffic and firms' vans and trucks from outside the 13")

    def ext(m):
        return round(max(jr[m] - 1.0, 0.0) + THROUGH_TRAFFIC, 2)

    boundary_ratio = round(facts["boundary_uncounted"] / facts["boundary_counted"], 2)
    if "Drammen has no toll ring" not in readme:
        raise ValueError("policies/README.md no longer says that Drammen has no toll ring: review the cordons")

    def src(*lines):
        return f"toll_schemes.csv line{'s' if len(lines) > 1 else ''} " + ", ".join(str(n) for n in lines)

    oslo_line = t.pick("Oslo", "Oslopakke 3 - Oslo ring (1990 ring)", "2011-01-01")[0][0]
    baerum_line = t.pick("Bærum", "Oslopakke 3 - Bærum ring", "2011-01-01")[0][0]
    step2 = {k: t.pick(reg, s, "2019-06-01")[0][0] for k, reg, s in (
        ("ring", "Oslo", "Oslopakke 3 step 2 - Osloringen"), ("inner", "Oslo", "Oslopakke 3 step 2 - Indre ring"),
        ("boundary", "Oslo/Bærum", "Oslopakke 3 step 2 - Bygrensen"))}
    bergen = t.pick("Bergen", "Bergensprogrammet / Bomringen i Bergen - rush-hour charge", "2016-02-01")[0]
    bergen_new = t.pick("Bergen", "Bypakke Bergen / Miljøløftet - 15 new stations", "2019-04-06")[0][0]
    trd = t.pick("Trondheim", "Miljøpakken Trondheim - toll ring start", "2010-03-31")[0][0]
    trd_inner = t.pick("Trondheim", "Miljøpakken - omkjøringsvegen cordon", "")[0][0]
    kr = t.pick("Kristiansand", "Bomringen i Kristiansand (Samferdselspakke)", "2008-07-01")[0][0]
    nj = t.pick("Stavanger/Sandnes", "Bymiljøpakken Nord-Jæren - start", "2018-10-01")[0][0]
    fr = t.pick("Fredrikstad", "Bypakke Nedre Glomma fase 1", "2019-11-15")[0][0]
    sa = t.pick("Sarpsborg", "Bypakke Nedre Glomma fase 2", "2024-03-20")[0][0]
    gr = {m: t.pick(reg, "Bypakke Grenland fase 1", "2016-10-03")[0][0] for m, reg in (("porsgrunn", "Porsgrunn"),
                                                                                      ("skien", "Skien"))}
    tr = t.pick("Tromsø", "Bypakke Tenk Tromsø", "2023-01-05")[0][0]
    inbound_assumed = "; charging direction not stated in the data: inbound assumed (one direction, like the " \
                      "Oslo and Bergen rings of the period)"
    both_assumed = "; charging direction not stated in the data: both assumed (each passage pays, as in the other " \
                   "multi-ring schemes of the period, Trondheim 2010 and Oslo 2019)"
    rows = []

    def add(cid, name, owner, direction, inside, exchange, ratio, first, last, status, method, source, hour_rule="",
            succeeds=""):
        rows.append(dict(id=cid, name=name, municipality=owner, charged_direction=direction,
                         inside_share_A=float(inside[0]), inside_share_B=float(inside[1]),
                         inside_share_C=float(inside[2]), exchange_with=exchange, external_passage_ratio=ratio,
                         hour_rule=hour_rule, succeeds=succeeds, first_year=first, last_year=last, status=status,
                         method=method, source=source))

    # Hour rules the data state ("timesregel": a trip crossing both cordons within the hour pays once, the
    # dearer passage): Osloringen and the Indre ring share one from 2019 (Bygrensen does not), and Bergen's
    # 2019 scheme has one over its stations. The Nedre Glomma rule spans two municipalities' cordons, which
    # the crossing rule cannot join (cordons.hour_rule_problem).
    oslo_hour = t.note_says(step2["ring"], "Osloringen+Indre ring share one hour-rule") and "oslo_2019"
    bergen_hour = t.note_says(bergen_new, "hour rule") and "bergen"
    hour_src = " ; hour rule: {}"

    oslo_ext = (f"external_passage_ratio {ext('oslo'):g}: " + in_commuting("oslo"))
    add("oslo_ring", "Oslo toll ring of 1990 (inbound; Oslopakke 1-3)", "oslo", "inbound", ring, "all",
        ext("oslo"), 1990, 2019, "derived", ring_method + "; " + oslo_ext,
        f"{src(oslo_line)} (scheme name gives 1990, direction inbound) ; "
        + src_shares.format(old_line, old["source_url"], old["confidence"]))
    add("oslo_ring_2019", "Osloringen from 2019-06-01 (both directions)", "oslo", "both", ring, "all",
        ext("oslo"), 2019, "", "derived",
        "derived: the calibrated shares of the 1990 ring, taken to hold for the 2019 Osloringen (assumption: its "
        "stations follow the old ring, which it succeeds; now charged both ways); " + oslo_ext,
        src(step2["ring"]) + hour_src.format(src(step2["ring"])), hour_rule=oslo_hour, succeeds="oslo_ring")
    add("oslo_inner_ring", "Indre ring (Ring 2) from 2019-06-01 (both directions)", "oslo", "both", inner, "all",
        ext("oslo"), 2019, "", "derived",
        f"derived: inside the Oslo ring, no C zone (assumption); A and B chosen on a grid (A step 0.1, B 0-0.3) to "
        f"bring the share of Oslo residents' one-way car trips crossing at least one of the three 2019 rings "
        f"(nested, ends at independent levels) closest to the target {new_value:g}: {cal['share_new']:.3f} is the "
        f"most the crossing rule gives; the target is low confidence with its base not visible (it may count car "
        f"drivers, not trips, or include non-residents); " + oslo_ext,
        f"{src(step2['inner'])} ; " + src_shares.format(new_line, new["source_url"], new["confidence"])
        + hour_src.format(src(step2["ring"])), hour_rule=oslo_hour)
    add("baerum_ring", "Bærum ring (Bærumssnittet, inbound towards Oslo; part of Bygrensen from 2019)", "oslo",
        "inbound", (1.0, 1.0, 1.0), "baerum+drammen", BAERUM_RING_EXTERNAL, 2008, 2019, "assumption",
        "assumption: the data say 'Baerum ring', inbound (towards Oslo), half the Oslo rate, and that it 'becomes part "
        "of' Bygrensen, the Oslo city boundary ring, in 2019: it is taken to stand on the boundary between Baerum and "
        "Oslo, so every Oslo resident and trip end is inside (1/1/1) and of the 13 the trips between Oslo and Baerum "
        "and between Oslo and Drammen (through Baerum) cross it; owned by Oslo, as the Oslopakke 3 rings it belongs "
        "to and Bygrensen, which succeeds it (a Baerum trip into the Oslo ring pays both, which a cordon of another owner "
        "than Oslo's rings would split into two trips); charges until 2019-05-31; external_passage_ratio "
        f"{BAERUM_RING_EXTERNAL:g}: commuters from Asker and further west are not in the data, taken as half the "
        "commuters the model counts crossing it (western Viken outside Baerum and Drammen has about as many "
        "residents as the two, further from Oslo)",
        f"{src(baerum_line)} ; toll_schemes.csv Bygrensen rows ('Baerum ring becomes part of it')")
    add("oslo_city_boundary", "Bygrensen, Oslo city boundary from 2019-06-01 (inbound)", "oslo", "inbound",
        (1.0, 1.0, 1.0), "all", boundary_ratio, 2019, "", "estimated",
        f"inside shares 1/1/1 by definition: a ring on the municipal boundary holds every resident and trip end, "
        f"so Oslo-internal trips never cross it; external_passage_ratio estimated from commuting: commuters between Oslo and the "
        f"rest of Viken other than Baerum and Drammen, both ways ({facts['boundary_uncounted']:.0f}, 2018), over the "
        f"commuters the model counts crossing it (Oslo<->Baerum and Oslo<->Drammen, {facts['boundary_counted']:.0f}); "
        f"assumes equal car shares and the same ratio for other purposes; succeeds the Baerum ring, its western part",
        f"{src(step2['boundary'])} ; {facts['boundary_source']}", succeeds="baerum_ring")
    add("bergen_ring", "Bomringen i Bergen (inbound towards the centre)", "bergen", "inbound", ring, "all",
        ext("bergen"), 1986, "", "assumption",
        f"{central}; first year 1986 from the source's note; " + in_commuting("bergen"),
        f"{src(bergen[0])}: {bergen[1]['source_url']}" + hour_src.format(src(bergen_new)), hour_rule=bergen_hour)
    add("bergen_outer", "Bergen: the 15 stations added on 2019-04-06 (no rush charge)", "bergen", "inbound",
        WIDE_RING, "all", ext("bergen"), 2019, "", "assumption",
        f"assumption: the new stations extend the ring outwards, taken as a wider cordon holding all of the A "
        f"zone, most of B and part of C ({WIDE_RING[0]:g}/{WIDE_RING[1]:g}/{WIDE_RING[2]:g}); " + in_commuting("bergen"),
        src(bergen_new) + hour_src.format(src(bergen_new)), hour_rule=bergen_hour)
    add("trondheim_ring", "Miljøpakken Trondheim: the 2010 cordons (Klett, Sluppen, Være; both directions)",
        "trondheim", "both", WIDE_RING, "all", ext("trondheim"), 2010, "", "assumption",
        f"assumption: cordons on the approach roads south and east of the city, enclosing most of it "
        f"({WIDE_RING[0]:g}/{WIDE_RING[1]:g}/{WIDE_RING[2]:g}); the flat E6 Kroppanbrua point is left out; "
        + in_commuting("trondheim"), src(trd))
    add("trondheim_inner", "Miljøpakken Trondheim: omkjøringsvegen cordon", "trondheim", "both", inner, "all",
        ext("trondheim"), 2014, "", "assumption",
        f"assumption: an inner cordon like Oslo's Ring 2 ({inner[0]:g}/{inner[1]:g}/{inner[2]:g}); opening year "
        f"2014 taken from the source's undated '2014/2019 changes'" + both_assumed + "; " + in_commuting("trondheim"),
        src(trd_inner))
    add("kristiansand_ring", "Bomringen i Kristiansand", "kristiansand", "inbound", ring, "all", 0.3, 2008, "",
        "assumption", f"{central}; in force by 2008-07-01 per the data (earlier start not in the data)"
        + inbound_assumed + "; external_passage_ratio 0.3 assumed (no jobs figure)", src(kr))
    for m, name in (("stavanger", "Stavanger"), ("sandnes", "Sandnes")):
        ratio = ext(m)
        add(f"nord_jaeren_{m}", f"Bymiljøpakken Nord-Jæren: the stations in {name}", m, "both", ring, "all", ratio,
            2018, "", "assumption",
            f"{central}; one scheme of 5 rings in Stavanger, Sandnes, Sola and Randaberg, represented by one cordon "
            f"per municipality with the same rates" + both_assumed + "; " + in_commuting(m), src(nj))
    add("fredrikstad_ring", "Bypakke Nedre Glomma: the Fredrikstad ring (inbound towards the centre)",
        "fredrikstad", "inbound", ring, "all", 0.3, 2019, "", "assumption",
        f"{central}; the 2 Kråkerøy bridge portals (tolled since 2011, rates not in the data) are not modelled; "
        f"the fase-2 stations of 2024 in Fredrikstad are taken to charge like the ring; external_passage_ratio 0.3 "
        f"assumed (no jobs figure)", src(fr))
    add("sarpsborg_ring", "Bypakke Nedre Glomma fase 2: the stations in Sarpsborg (one direction per cordon)",
        "sarpsborg", "inbound", ring, "all", 0.3, 2024, "", "assumption",
        f"{central}; one direction per cordon = one paid passage per round trip (inbound); external_passage_ratio "
        f"0.3 assumed (no jobs figure)", src(sa))
    for m, name in (("porsgrunn", "Porsgrunn"), ("skien", "Skien")):
        add(f"grenland_{m}", f"Bypakke Grenland: the points in {name} (one direction)", m, "inbound", ring, "all",
            0.3, 2016, "", "assumption",
            f"{central}; 13 points in Porsgrunn and Skien charged one way (one paid passage per round trip), "
            f"represented by one cordon per municipality; external_passage_ratio 0.3 assumed (no jobs figure)",
            src(gr[m]))
    add("tromso_ring", "Bypakke Tenk Tromsø (both directions)", "tromso", "both", ring, "all", 0.3, 2023, "",
        "assumption", f"{central}; 15 stations; external_passage_ratio 0.3 assumed (no jobs figure)", src(tr))
    assert tuple(r["id"] for r in rows) == CORDON_ORDER
    return rows


def main(shared: Path, out: Path = OUT, report: bool = False) -> None:
    policies = shared / "policies"
    toll_rows = read(policies / "toll_schemes.csv")
    commuting, facts = build_commuting(read(policies / "commuting.csv"), read(shared / "observations.csv"))
    cordons = build_cordons(Tolls(toll_rows), read(policies / "cordon_shares.csv"), commuting, facts,
                            (policies / "README.md").read_text(encoding="utf-8"))
    rates = build_rates(toll_rows)
    write(out / "cordons.csv", cordons, cm.CORDON_COLUMNS)
    write(out / "toll_rates.csv", rates, cm.RATE_COLUMNS)
    write(out / "commuting.csv", commuting, cm.COMMUTING_COLUMNS)
    print(f"cordons: {len(cordons)} rows; toll rates: {len(rates)} rows; commuting: {len(commuting)} rows")
    if report:
        print_report(out)


# -- report ----------------------------------------------------------------------------------

def print_report(out: Path) -> None:
    """Crossing shares of each municipality's residents with the cordons in force on 1 July."""
    cordons = cm.load_cordons(out / "cordons.csv")
    rates = cm.load_toll_rates(out / "toll_rates.csv", [c.id for c in cordons])
    commuting = cm.load_commuting(out / "commuting.csv")
    delta, purpose, zones = calibration_inputs()
    ids = [c.id for c in cordons]
    for year in (2009, 2019):
        split = cc.destination_split(cc.commute_matrix(commuting, year), OTHER_PURPOSE_FACTOR)
        crossings, paid = cc.crossing_matrix(cordons, split, delta)
        on_day = [r for r in rates if r.valid_from <= date(year, 7, 1) and (r.valid_to is None
                                                                             or r.valid_to >= date(year, 7, 1))]
        live = [c for c, cid in enumerate(ids) if any(r.cordon == cid and r.price_nok > 0 for r in on_day)]
        print(f"\n{year} (cordons in force on 1 July: {', '.join(ids[c] for c in live)})")
        print(f"  {'home':13s} {'crossings/trip':>15s} {'paid/trip':>10s}  by cordon")
        for h, m in enumerate(dims.MUNICIPALITIES):
            x = {ids[c]: resident_share(crossings[c, h], zones[m], purpose) for c in live}
            pd = sum(resident_share(paid[c, h], zones[m], purpose) for c in live)
            parts = ", ".join(f"{k} {v:.3f}" for k, v in x.items() if v > 0)
            print(f"  {m:13s} {sum(x.values()):15.3f} {pd:10.3f}  {parts}")
        print("  share of residents' one-way car trips crossing at least one of their own municipality's cordons "
              "(nested; = share of home-based tours that pay):")
        union = cc.system_union([cordons[c] for c in live], split, delta)[0]          # (M, Z, P), the model's
        for o, m in enumerate(dims.MUNICIPALITIES):
            own = [cordons[c].id for c in live if cordons[c].municipality == m]
            if own:
                print(f"    {m:13s} {resident_share(union[o], zones[m], purpose):.3f}  ({', '.join(own)})")
        print("  rates (light petrol peak/offpeak, diesel, bev; heavy) [NOK, mean over the year]:")
        table = cm.rates_in_year(rates, year, ids)
        for c in live:
            r = table[c]
            print(f"    {ids[c]:22s} petrol {r[0, 0, 0]:6.2f}/{r[0, 0, 1]:6.2f} diesel {r[0, 1, 0]:6.2f}/"
                  f"{r[0, 1, 1]:6.2f} bev {r[0, 2, 0]:5.2f}/{r[0, 2, 1]:5.2f} heavy {r[1, 0, 0]:6.2f}/{r[1, 0, 1]:6.2f}")


if __name__ == "__main__":
    from reference_folder import arguments

    args = arguments(__doc__, ("--report", {"action": "store_true", "help": "also print the crossing shares"}))
    main(args.shared, report=args.report)
