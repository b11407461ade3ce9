"""The observed series the free parameters are fitted to, and the years each may not be fitted on.

Heating emissions are compared relative to 2009, the year every draw is calibrated to: the fit is of the
fall, not of the level. By default the series is Norway's (SSB 08940, heating in other industries and
households; ``national_emissions.heating`` of the embedded observations) standing in for the 13's. Given the
municipalities' own inventories (a file of ``framtid hindcast --observed``'s layouts), a series is made of a
sector's emissions in each year summed over the municipalities observed both that year and in 2009 (of one
municipality for its own factor on the review), against the same municipalities' modelled sum, each value set
beside the model's of the same sources (the sector, or the sources given) in its own GWP set. Battery-electric
sales are the national share of new cars (OFV), compared with the nation's as the model has it: the 13's car-stock
weighted share and, for the rest of the nation's new cars, that of buyers without the 13's local advantages.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from .. import dims

HEATING = "heating"
# The model has no weather: 2010 was the coldest year of the decade (Norway's heating emissions +18 % on 2009)
COLD_YEARS = MappingProxyType({2010: "cold year (the model has no weather)"})
# Norway's heating emissions after the ban's adoption (2018) hold what the ban leaves and the 13's building
# stock hardly has: agricultural buildings (exempt to 2025), industrial buildings, construction-site heating (to 2022)
BAN_ADOPTED = 2018
_AFTER_BAN = "after the ban's adoption (the nation's rest)"


@dataclass(frozen=True)
class Point:
    """One observed value [1] and the municipalities whose modelled values it is set against; for a value made
    of municipal inventories relative to 2009, the observed ``terms`` of the year and ``base_terms`` of 2009 (what
    the model's emissions are summed and weighted as; none: the sector summed in AR5)."""

    year: int
    value: float
    municipalities: tuple[str, ...]
    terms: tuple = ()
    base_terms: tuple = ()


@dataclass(frozen=True)
class Series:
    """An observed quantity by year: what a fit holds the model to."""

    quantity: str                   # what is observed, as the output names it
    source: str                     # where the values come from
    points: tuple[Point, ...]       # by year
    left_out: Mapping[int, str] = field(default_factory=dict)   # years never fitted, and why
    file: str = ""                  # the file of inventories the values come from ("" for embedded national ones)
    modelled_over: str = ""         # what the model sets against the values, where not the points' municipalities

    def years(self) -> tuple[int, ...]:
        return tuple(p.year for p in self.points)

    def role(self, year: int, cut_off: int) -> str:
        """"fitted", "check" (after the cut-off) or why the year is left out."""
        if year in self.left_out:
            return self.left_out[year]
        return "fitted" if year <= cut_off else "check"

    def fitted_years(self, cut_off: int) -> tuple[int, ...]:
        return tuple(y for y in self.years() if self.role(y, cut_off) == "fitted")


def proxied() -> tuple[str, ...]:
    """The municipalities Norway's heating stands in for: those that review oil heating at the shared rate (their
    ``buildings.oil_review_factor.<id>`` 1 in the table); a municipality whose factor the table fits to its own
    inventories is set against those, not against the nation's."""
    from ..parameters import table

    return tuple(m for m in dims.MUNICIPALITIES if table()[f"buildings.oil_review_factor.{m}"].default == 1.0)


def national_heating() -> Series:
    """Norway's heating emissions relative to 2009 [1], the proxy of the municipalities without a review of their
    own (:func:`proxied`; embedded, SSB 08940)."""
    from ..data_store import observations

    values = {o.year: o.value for o in observations()
              if o.municipality == "norway" and o.variable == "national_emissions.heating"}
    base = values[dims.BASE_YEAR]
    stands_for = proxied()
    points = tuple(Point(y, v / base, stands_for) for y, v in sorted(values.items()) if y > dims.BASE_YEAR)
    left_out = dict(COLD_YEARS) | {p.year: _AFTER_BAN for p in points if p.year >= BAN_ADOPTED}
    return Series("heating emissions relative to 2009",
                  "Norway (SSB 08940, embedded) as the proxy of the municipalities without a review of their own",
                  points, MappingProxyType(left_out))


@dataclass(frozen=True)
class Term:
    """A municipality's observed emissions of one year, the sources they hold and the GWP set they are weighted
    with: what the model's emissions are summed and weighted as, to be set beside them."""

    municipality: str
    year: int
    sources: tuple[str, ...]
    gwp: str
    value: float            # [t CO2e/yr]


def sources_of(sector: str) -> tuple[str, ...]:
    """The sources of ``sector`` (``dims.SOURCES`` order)."""
    return tuple(s for s in dims.SOURCES if dims.SOURCE_SECTOR[s] == sector)


def sector_terms(observations, sector: str = HEATING) -> dict[str, dict[int, list[Term]]]:
    """Each municipality's observed emissions of ``sector`` by year from ``observations``
    (:class:`..observed.Observation`): the sector's value (all of its sources), or where a year has none its
    sources, one term each (an agency export gives the sector by source)."""
    every = sources_of(sector)
    sector_rows, sources = defaultdict(dict), defaultdict(lambda: defaultdict(list))
    for o in observations:
        if o.level == "sector" and o.name == sector:
            sector_rows[o.municipality][o.year] = [Term(o.municipality, o.year, every, o.gwp, o.value)]
        elif o.level == "source" and o.name in every and (o.name != sector or len(every) > 1):
            sources[o.municipality][o.year].append(Term(o.municipality, o.year, (o.name,), o.gwp, o.value))
    found = {m: dict(years) for m, years in sources.items()}
    for m, years in sector_rows.items():
        found.setdefault(m, {}).update(years)
    return {m: dict(sorted(years.items())) for m, years in sorted(found.items())}


def _sources(terms: list[Term]) -> set[str]:
    """The sources a municipality-year's observed terms hold (a sector value: all of its sources)."""
    return {x for t in terms for x in t.sources}


def observed_heating(observations, source: str) -> Series | None:
    """The heating emissions relative to 2009 [1] of the municipalities in ``observations`` (read from
    ``source``), 2010 left out (:func:`observed_relative`); None without any."""
    return observed_relative(observations, source, HEATING, COLD_YEARS)


def observed_relative(observations, source: str, sector: str, left_out: Mapping[int, str] = MappingProxyType({})
                      ) -> Series | None:
    """The emissions of ``sector`` relative to 2009 [1] of the municipalities in ``observations`` (read from
    ``source``): each year's sum over the municipalities observed then and in 2009, each municipality with the
    same sources in both years (the sector counts as all of its sources) and each value in its own GWP set; None
    where no municipality has the sector in 2009 and a later year. Refuses (ObservationFileError, naming
    ``source``) a compared value that is not above 0 or lies after 2050, and a municipality whose sources differ
    between 2009 and the year (a row missing in one of them: the comparison would change with the share of the
    missing source, not with emissions)."""
    from ..errors import ObservationFileError

    name = sector.replace("_", " ")
    by_municipality = sector_terms(observations, sector)
    points = []
    for year in sorted({y for years in by_municipality.values() for y in years if y > dims.BASE_YEAR}):
        terms, base_terms = [], []
        for m in dims.MUNICIPALITIES:
            years = by_municipality.get(m, {})
            if year not in years or dims.BASE_YEAR not in years:
                continue
            now, then = years[year], years[dims.BASE_YEAR]
            if _sources(now) != _sources(then):
                only_then, only_now = sorted(_sources(then) - _sources(now)), sorted(_sources(now) - _sources(then))
                missing = "; ".join(f"{', '.join(xs)} in {y} only" for xs, y in ((only_then, dims.BASE_YEAR),
                                                                                (only_now, year)) if xs)
                raise ObservationFileError(
                    f"{source}: {m}: {sector} is given with other sources in {dims.BASE_YEAR} and {year} ({missing}); "
                    f"give the same sources in both years (0 where there were none), or the sector ({sector}) in "
                    "both, so that like is set beside like")
            for terms_of_year in (then, now):
                total = sum(t.value for t in terms_of_year)
                if not total > 0.0:
                    raise ObservationFileError(
                        f"{source}: {m}: {sector} {terms_of_year[0].year}: {total:g} t CO2e; the fits compare the "
                        f"change relative to {dims.BASE_YEAR} on a log scale, so every value compared must be "
                        "above 0")
            if year > dims.FINAL_YEAR:
                raise ObservationFileError(f"{source}: {m}: {sector} {year}: after {dims.FINAL_YEAR}, the last "
                                           f"year of the model's runs; leave out the years after it")
            terms += now
            base_terms += then
        if terms:
            who = tuple(dict.fromkeys(t.municipality for t in terms))
            value = sum(t.value for t in terms) / sum(t.value for t in base_terms)
            points.append(Point(year, value, who, tuple(terms), tuple(base_terms)))
    if not points:
        return None
    unmatched = sorted(m for m, years in by_municipality.items() if dims.BASE_YEAR not in years)
    note = f"; left out for want of {dims.BASE_YEAR}: {', '.join(unmatched)}" if unmatched else ""
    return Series(f"{name} emissions relative to 2009", source + note, tuple(points), left_out, source)


def _nation(weight: float) -> str:
    """What the model sets against a national battery-electric share: the 13 for ``weight`` of the nation's new
    cars, the rest as buyers without the 13's local advantages (``transport.bev_sales_cities_weight``)."""
    if weight >= 1.0:
        return "the 13"
    return f"the 13 ({weight:g}), the rest ({1.0 - weight:g})"


def _history_cities_weight() -> float:
    """The 13's share of the nation's new cars in the policy history the fits run (its [parameters], else the
    table's)."""
    from ..parameters import table
    from ..scenario import load
    from ..submodels.car_powertrains import CITIES_WEIGHT
    from ..uncertainty.history_fit import HISTORY

    return float(load(HISTORY).parameters.get(CITIES_WEIGHT, table()[CITIES_WEIGHT].default))


def bev_sales() -> Series:
    """The national battery-electric share of new cars [1] (embedded, OFV), set against the 13's and, for the rest
    of the nation's buyers, those of buyers without the 13's local advantages."""
    from ..uncertainty.history_fit import observed_sales

    years, shares = observed_sales()
    return Series("battery-electric share of new cars", "Norway (OFV, embedded)",
                  tuple(Point(int(y), float(s), dims.MUNICIPALITIES) for y, s in zip(years, shares)),
                  modelled_over=_nation(_history_cities_weight()))


def bev_fleet() -> Series:
    """The battery-electric share of Norway's car fleet at the end of the year [1] (embedded, SSB and elbil.no),
    set beside the model's nation (:func:`bev_sales`) as a check: never fitted (the cities' own fleet shares are
    not in the data)."""
    from ..data_store import observations

    values = sorted((o.year, o.value) for o in observations()
                    if o.municipality == "norway" and o.variable == "bev_share_of_car_stock")
    return Series("battery-electric share of the car stock", "Norway (SSB, elbil.no; embedded)",
                  tuple(Point(y, v, dims.MUNICIPALITIES) for y, v in values),
                  MappingProxyType({y: "check: the nation's fleet, not fitted" for y, _ in values}),
                  modelled_over=_nation(_history_cities_weight()))
