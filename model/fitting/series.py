"""The observed series the free parameters are fitted to, and the years each may not be fitted on.

Heating emissions are compared relative to 2009, the year every draw is calibrated to: the fit is of the
fall, not of the level. By default the series is Norway's (SSB 08940, heating in other industries and
households; ``national_emissions.heating`` of the embedded observations) standing in for the 13's. Given the
municipalities' own inventories (a file of ``framtid hindcast --observed``'s layouts), it is theirs: in each
year, the heating emissions summed over the municipalities observed both that year and in 2009, against the
same municipalities' modelled sum. Battery-electric sales are the national share of new cars (OFV), compared
with the 13's car-stock weighted share.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from .. import dims

HEATING = "heating"
HEATING_SOURCES = tuple(s for s in dims.SOURCES if dims.SOURCE_SECTOR[s] == HEATING)
# The model has no weather: 2010 was the coldest year of the decade (Norway's heating emissions +18 % on 2009)
COLD_YEARS = MappingProxyType({2010: "cold year (the model has no weather)"})
# Norway's heating emissions after the ban's adoption (2018) hold what the ban leaves and the 13's building
# stock hardly has: agricultural buildings (exempt to 2025), industrial buildings, construction-site heating (to 2022)
BAN_ADOPTED = 2018
_AFTER_BAN = "after the ban's adoption (the nation's rest)"


@dataclass(frozen=True)
class Point:
    """One observed value [1] and the municipalities whose modelled values it is set against."""

    year: int
    value: float
    municipalities: tuple[str, ...]


@dataclass(frozen=True)
class Series:
    """An observed quantity by year: what a fit holds the model to."""

    quantity: str                   # what is observed, as the output names it
    source: str                     # where the values come from
    points: tuple[Point, ...]       # by year
    left_out: Mapping[int, str] = field(default_factory=dict)   # years never fitted, and why

    def years(self) -> tuple[int, ...]:
        return tuple(p.year for p in self.points)

    def role(self, year: int, cut_off: int) -> str:
        """"fitted", "check" (after the cut-off) or why the year is left out."""
        if year in self.left_out:
            return self.left_out[year]
        return "fitted" if year <= cut_off else "check"

    def fitted_years(self, cut_off: int) -> tuple[int, ...]:
        return tuple(y for y in self.years() if self.role(y, cut_off) == "fitted")


def national_heating() -> Series:
    """Norway's heating emissions relative to 2009 [1], the 13's proxy (embedded, SSB 08940)."""
    from ..data_store import observations

    values = {o.year: o.value for o in observations()
              if o.municipality == "norway" and o.variable == "national_emissions.heating"}
    base = values[dims.BASE_YEAR]
    points = tuple(Point(y, v / base, dims.MUNICIPALITIES) for y, v in sorted(values.items()) if y > dims.BASE_YEAR)
    left_out = dict(COLD_YEARS) | {p.year: _AFTER_BAN for p in points if p.year >= BAN_ADOPTED}
    return Series("heating emissions relative to 2009", "Norway (SSB 08940, embedded) as the 13's proxy", points,
                  MappingProxyType(left_out))


def heating_by_municipality(observations) -> dict[str, dict[int, float]]:
    """Each municipality's observed heating emissions [t CO2e/yr] by year from ``observations``
    (:class:`..observed.Observation`): the sector's value, or where a year has none the sum of its heating
    sources (an agency export gives the sector by source)."""
    sector, sources = defaultdict(dict), defaultdict(lambda: defaultdict(float))
    for o in observations:
        if o.level == "sector" and o.name == HEATING:
            sector[o.municipality][o.year] = o.value
        elif o.level == "source" and o.name in HEATING_SOURCES:
            sources[o.municipality][o.year] += o.value
    found = {m: dict(years) for m, years in sources.items()}
    for m, years in sector.items():
        found.setdefault(m, {}).update(years)
    return {m: dict(sorted(years.items())) for m, years in sorted(found.items())}


def observed_heating(observations, source: str) -> Series | None:
    """The heating emissions relative to 2009 [1] of the municipalities in ``observations`` that have 2009
    (None if none has both 2009 and a later year): each year's sum over those observed then and in 2009."""
    by_municipality = {m: years for m, years in heating_by_municipality(observations).items()
                       if years.get(dims.BASE_YEAR, 0.0) > 0.0}
    years = sorted({y for years in by_municipality.values() for y in years if y > dims.BASE_YEAR})
    points = []
    for year in years:
        who = tuple(m for m in dims.MUNICIPALITIES if year in by_municipality.get(m, {}))
        base = sum(by_municipality[m][dims.BASE_YEAR] for m in who)
        points.append(Point(year, sum(by_municipality[m][year] for m in who) / base, who))
    if not points:
        return None
    return Series("heating emissions relative to 2009", source, tuple(points), COLD_YEARS)


def bev_sales() -> Series:
    """The national battery-electric share of new cars [1] (embedded, OFV), set against the 13's."""
    from ..uncertainty.history_fit import observed_sales

    years, shares = observed_sales()
    return Series("battery-electric share of new cars", "Norway (OFV, embedded)",
                  tuple(Point(int(y), float(s), dims.MUNICIPALITIES) for y, s in zip(years, shares)))


def bev_fleet() -> Series:
    """The battery-electric share of Norway's car fleet at the end of the year [1] (embedded, SSB and elbil.no),
    set beside the 13's as a check: never fitted, as the cities led the nation (their own fleet shares are not in
    the data)."""
    from ..data_store import observations

    values = sorted((o.year, o.value) for o in observations()
                    if o.municipality == "norway" and o.variable == "bev_share_of_car_stock")
    return Series("battery-electric share of the car stock", "Norway (SSB, elbil.no; embedded), which the 13 led",
                  tuple(Point(y, v, dims.MUNICIPALITIES) for y, v in values),
                  MappingProxyType({y: "check: the nation's fleet, not fitted" for y, _ in values}))
