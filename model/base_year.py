"""Base-year (2009) drivers per municipality, each marked observed or estimated.

Where a municipality has its own observation, it is used and marked ``observed``.
Where it has none, the value is estimated from what other municipalities or the
nation show and marked ``estimated``, with the method spelled out, so that nobody
mistakes an estimate for a statistic. ``framtid data MUNICIPALITY`` prints this.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import dims
from .data_store import find, municipalities, observations
from .errors import DataError

POPULATION_YEARS = (2009, 2020, 2022)  # years observed on 2020 borders for all 13


@dataclass(frozen=True)
class Provenance:
    status: str  # "observed", "estimated" or "assumed"
    method: str
    source: str = ""
    confidence: str = ""


@dataclass
class BaseInputs:
    """Base-year drivers, arrays over ``dims.MUNICIPALITIES``."""

    population_years: np.ndarray          # (K,)
    population_observed: np.ndarray       # (M, K) [inhabitants]
    mode_shares: np.ndarray               # (M, 5) share of trips over dims.MODES
    cars_per_capita: np.ndarray           # (M,) [cars/inhabitant]
    car_powertrain_share: np.ndarray      # (M, 4) over dims.POWERTRAINS
    waste_per_capita: np.ndarray          # (M,) [t/inhabitant/yr]
    treatment_shares: np.ndarray          # (M, 4) over dims.TREATMENTS
    zone_share: np.ndarray                # (M, 3) over dims.ZONES
    hdd_normal: np.ndarray                # (M,) [K d/yr]
    gas_lpg_share: np.ndarray             # (M,) share of gas heating that is LPG
    provenance: dict[tuple[str, str], Provenance] = field(default_factory=dict)

    @property
    def population_2009(self) -> np.ndarray:
        return self.population_observed[:, 0]


def _population(prov) -> np.ndarray:
    out = np.empty((len(dims.MUNICIPALITIES), len(POPULATION_YEARS)))
    for i, m in enumerate(dims.MUNICIPALITIES):
        for k, year in enumerate(POPULATION_YEARS):
            o = find(m, "population", year)
            if o is None:
                raise DataError(f"observations.csv: no population of {m} in {year} (needed for every "
                                f"municipality in {', '.join(map(str, POPULATION_YEARS))})")
            out[i, k] = o.value
        o = find(m, "population", 2009)
        prov[(m, "population_2009")] = Provenance("observed", o.note, o.source, o.confidence)
    return out


def _grades(rows) -> str:
    """The confidence grades of the observations a driver is made of, joined (``derived/high``)."""
    return "/".join(sorted({o.confidence for o in rows}))


def _survey_profile(m: str) -> tuple[dict[str, float], int | None, str, str]:
    """Observed mode shares of municipality ``m`` from the survey nearest to 2009 (earlier on a tie), its year,
    source and confidence (its rows' grades)."""
    rows = [o for o in observations() if o.municipality == m and o.variable.startswith("mode_share.")]
    if not rows:
        return {}, None, "", ""
    year = min({o.year for o in rows}, key=lambda y: (abs(y - dims.BASE_YEAR), y))
    picked = [o for o in rows if o.year == year]
    return {o.variable.split(".", 1)[1]: o.value for o in picked}, year, picked[0].source, _grades(picked)


def default_mode_profile() -> tuple[np.ndarray, str]:
    """Mean of the complete survey profiles in the embedded data (used where a city has none)."""
    complete = []
    names = []
    for m in dims.MUNICIPALITIES:
        shares, year, _, _ = _survey_profile(m)
        if len(shares) == len(dims.MODES):
            vec = np.array([shares[k] for k in dims.MODES])
            vec = vec / vec.sum()
            if not any(np.allclose(vec, c) for c in complete):  # a regional survey counts once
                complete.append(vec)
                names.append(f"{m} {year}")
    later = [n for n in names if not n.endswith(str(dims.BASE_YEAR))]
    held = f"; {' and '.join(later)} holding the changes since 2009" if later else ""
    return np.mean(complete, axis=0), "mean of complete travel surveys in the data (" + ", ".join(names) + held + ")"


def _mode_shares(prov) -> np.ndarray:
    default, default_how = default_mode_profile()
    out = np.empty((len(dims.MUNICIPALITIES), len(dims.MODES)))
    for i, m in enumerate(dims.MUNICIPALITIES):
        shares, year, source, confidence = _survey_profile(m)
        if len(shares) == len(dims.MODES):
            vec = np.array([shares[k] for k in dims.MODES])
            out[i] = vec / vec.sum()  # drop 'other modes' (taxi, motorcycle) and renormalise
            if year == dims.BASE_YEAR:
                prov[(m, "mode_shares")] = Provenance("observed", f"travel survey {year}", source, confidence)
            else:
                # A later survey holds what changed since 2009 (tolls, services), which the runs apply again.
                prov[(m, "mode_shares")] = Provenance(
                    "estimated", f"travel survey {year}, the nearest, used for 2009: it holds the changes of "
                    f"2009-{year} (toll rings, services), which the runs of those years apply again", source,
                    confidence)
        elif shares:
            # Observed modes are kept; the rest share the remainder like the default profile.
            known = np.array([k in shares for k in dims.MODES])
            vec = np.where(known, [shares.get(k, 0.0) for k in dims.MODES], 0.0)
            rest = default * ~known
            vec = vec + rest / rest.sum() * (1.0 - vec.sum())
            out[i] = vec
            prov[(m, "mode_shares")] = Provenance(
                "estimated", f"survey {year} gives {', '.join(sorted(shares))}; other modes from the {default_how}",
                source, confidence)
        else:
            out[i] = default
            prov[(m, "mode_shares")] = Provenance("estimated", default_how)
    return out


def _cars(prov) -> tuple[np.ndarray, np.ndarray]:
    per_capita = {}
    fleets = {}
    for m in dims.MUNICIPALITIES:
        o = find(m, "cars_per_capita", 2009)
        if o:
            per_capita[m] = (o.value, o.source, o.confidence)
        stock = {k: find(m, f"car_stock.{k}", 2009) for k in ("petrol", "diesel", "other", "bev")}
        if all(stock.values()):
            # 'other fuel incl. hybrids' were almost all hybrids in 2009: counted as PHEV.
            vec = np.array([stock["petrol"].value, stock["diesel"].value, stock["other"].value,
                            stock["bev"].value])
            fleets[m] = (vec / vec.sum(), stock["petrol"].source, _grades(stock.values()))
    non_oslo = [v for m, (v, _, _) in per_capita.items() if m != "oslo"]
    default_cpc = float(np.mean(non_oslo))
    default_mix = np.mean([v for v, _, _ in fleets.values()], axis=0)
    cpc = np.empty(len(dims.MUNICIPALITIES))
    mix = np.empty((len(dims.MUNICIPALITIES), len(dims.POWERTRAINS)))
    for i, m in enumerate(dims.MUNICIPALITIES):
        if m in per_capita:
            cpc[i] = per_capita[m][0]
            prov[(m, "cars_per_capita")] = Provenance("observed", "registered private cars 31 Dec 2009 / "
                                                      "population", *per_capita[m][1:])
        else:
            cpc[i] = default_cpc
            prov[(m, "cars_per_capita")] = Provenance(
                "estimated", "mean of cities with fleet data other than Oslo (" +
                ", ".join(k for k in per_capita if k != "oslo") + ")")
        if m in fleets:
            mix[i] = fleets[m][0]
            prov[(m, "car_powertrain_share")] = Provenance("observed", "registered cars by fuel 2009",
                                                           *fleets[m][1:])
        else:
            mix[i] = default_mix
            prov[(m, "car_powertrain_share")] = Provenance(
                "estimated", "mean fuel mix of " + ", ".join(fleets))
    return cpc, mix


def _waste(prov) -> tuple[np.ndarray, np.ndarray]:
    nat = {v: find("norway", v, 2009) for v in ("household_waste_per_capita", "household_waste_sorted_share",
                                               "household_waste_recovery_incl_energy_share",
                                               "household_waste_material_recovery_per_capita")}
    # Recycled (material recovery with biological treatment, as the same SSB series says from 2021: "incl.
    # compost/biogas") part of what is sorted out, nationally: 180 kg of the 53 % of 420 kg. The rest of the sorted
    # waste is recovered as energy (sorting "til gjenvinning" covers both). Biological treatment is not apart in the
    # 2009 data: taken as the sorted waste not recycled, a tenth of the whole (assumption; the split of earlier
    # versions, which read the 180 kg as material recovery alone; 2023: 18 % after a decade of food-waste sorting,
    # methods §4.1).
    recycled_part = nat["household_waste_material_recovery_per_capita"].value / (
        nat["household_waste_sorted_share"].value * nat["household_waste_per_capita"].value)
    per_capita = np.empty(len(dims.MUNICIPALITIES))
    shares = np.empty((len(dims.MUNICIPALITIES), len(dims.TREATMENTS)))
    for i, m in enumerate(dims.MUNICIPALITIES):
        own = {v: find(m, v, 2009) for v in nat}
        w = own["household_waste_per_capita"] or nat["household_waste_per_capita"]
        sorted_ = own["household_waste_sorted_share"] or nat["household_waste_sorted_share"]
        recovered = own["household_waste_recovery_incl_energy_share"] or \
            nat["household_waste_recovery_incl_energy_share"]
        per_capita[i] = w.value
        recycled, biological = sorted_.value * recycled_part, sorted_.value * (1 - recycled_part)
        shares[i] = (recycled - biological, biological, recovered.value - recycled, 1.0 - recovered.value)
        if (shares[i] < 0).any():
            raise DataError(f"observations.csv: the 2009 waste treatment shares of {m} come out negative "
                            f"({', '.join(f'{t} {v:.3f}' for t, v in zip(dims.TREATMENTS, shares[i]))}): the sorted "
                            "share, the recovered share and the national recycled part do not fit together")
        status = "observed" if own["household_waste_per_capita"] else "estimated"
        prov[(m, "waste_per_capita")] = Provenance(
            status, "household waste 2009" if status == "observed" else "national household waste 2009",
            w.source, w.confidence)
        status = "observed" if own["household_waste_sorted_share"] else "estimated"
        prov[(m, "treatment_shares")] = Provenance(
            status, ("sorted and recovery shares 2009" if status == "observed" else "national shares 2009") +
            f"; of the sorted waste {recycled_part:.2f} recycled (material and biological, the national ratio), "
            "the rest burnt for energy; biological treatment the sorted share not recycled (assumption)",
            sorted_.source, sorted_.confidence)
    return per_capita, shares


def _gas_lpg_share(prov) -> np.ndarray:
    out = np.ones(len(dims.MUNICIPALITIES))
    for i, m in enumerate(dims.MUNICIPALITIES):
        ng = find(m, "emissions.source.heating_natural_gas", 2009)
        lpg = find(m, "emissions.source.heating_lpg", 2009)
        if ng and lpg and ng.value + lpg.value > 0:
            out[i] = lpg.value / (ng.value + lpg.value)
            prov[(m, "gas_lpg_share")] = Provenance("observed", "LPG / (LPG + natural gas) heating emissions 2009",
                                                   lpg.source, lpg.confidence)
        else:
            prov[(m, "gas_lpg_share")] = Provenance(
                "assumed", "all gas heating taken as LPG (no piped gas observed); calibration corrects where "
                "the inventory says otherwise")
    return out


def load() -> BaseInputs:
    """Assemble the base-year drivers from the embedded data."""
    prov: dict[tuple[str, str], Provenance] = {}
    munis = municipalities()
    pop = _population(prov)
    modes = _mode_shares(prov)
    cpc, mix = _cars(prov)
    waste_pc, treatment = _waste(prov)
    zone = np.array([m.zone_share for m in munis])
    for m in munis:
        prov[(m.id, "zone_share")] = Provenance("assumed", m.zone_source)
        prov[(m.id, "hdd_normal")] = Provenance("observed", "normal heating degree days", m.hdd_source, "low")
    return BaseInputs(
        population_years=np.array(POPULATION_YEARS), population_observed=pop, mode_shares=modes,
        cars_per_capita=cpc, car_powertrain_share=mix, waste_per_capita=waste_pc, treatment_shares=treatment,
        zone_share=zone, hdd_normal=np.array([m.hdd_normal for m in munis]),
        gas_lpg_share=_gas_lpg_share(prov), provenance=prov)
