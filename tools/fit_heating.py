"""Fit the yearly review of oil heating to the national heating series 2009-2015 under the policy history.

    python tools/fit_heating.py

``buildings.oil_review_rate`` is the share of the oil- and paraffin-heated floor area whose owners review
the heating each year and may convert before the system's end of life (methods §3.3; the share that converts
follows the running-cost gap, the taxes and the grants through the replacement logit). It is the one free
parameter of the conversion before the 2020 ban: prices, taxes, grants, the ban's announcement (2012) and
adoption (2018) are inputs of ``framtid:current-policies``. It is fitted here, with those policies in force,
to the fall of Norway's heating emissions (SSB 08940, heating in other industries and households, one
vintage; ``national_emissions.heating`` in model/data/observations.csv), compared with the fall of the 13
municipalities' heating emissions, each relative to 2009, by least squares on the logarithms:

    min over r of  sum over fitted years y of  [ln(E_13(y) / E_13(2009)) - ln(E_N(y) / E_N(2009))]^2

Fitted years: those of the series from 2011 up to the cut-off 2015. 2010 is left out because the model has
no weather and 2010 was the coldest year of the decade (the national series +18 % on 2009); the years after
the ban's adoption are left out because the national series holds what the ban leaves untouched and the
13's buildings hardly have (agricultural buildings exempt until 2025, industrial buildings, construction-site
heating until 2022): they are printed as checks, with the municipal inventories of 2011 and 2013. Prints
the fit; the parameter table is edited by hand (tests/test_heating_history.py fails when it no longer holds the
fit). The logit's cost coefficient (``buildings.logit_beta``)
is held: two fitted years cannot tell the two apart, and it also sets the choice among the new systems.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from framtid.model import dims
from framtid.model.accounting import gwp_vector
from framtid.model.data_store import observations
from framtid.model.parameters import Params
from framtid.model.scenario import load
from framtid.model.simulation import FramtidModel

CUT_OFF = 2015
LEFT_OUT = {2010: "cold year, no weather in the model"}
RATE = "buildings.oil_review_rate"
HEATING = [i for i, s in enumerate(dims.SOURCES) if dims.SOURCE_SECTOR[s] == "heating"]
CHECKED = ("oslo", "porsgrunn", "skien")


def national() -> dict[int, float]:
    """Norway's heating emissions relative to 2009 [1], by year."""
    series = {o.year: o.value for o in observations()
              if o.municipality == "norway" and o.variable == "national_emissions.heating"}
    return {y: v / series[dims.BASE_YEAR] for y, v in sorted(series.items()) if y >= dims.BASE_YEAR}


def municipal(municipality: str) -> dict[int, float]:
    """A municipality's inventoried heating emissions relative to 2009 [1], by year (none without 2009)."""
    series = {o.year: o.value for o in observations()
              if o.municipality == municipality and o.variable == "emissions.sector.heating"}
    base = series.get(dims.BASE_YEAR)
    return {y: v / base for y, v in sorted(series.items()) if base and y > dims.BASE_YEAR}


def heating_paths(rates: np.ndarray, scenario) -> np.ndarray:
    """Heating emissions [t CO2e/yr] (T, D, M) of the policy history with each review rate a draw."""
    params = Params.defaults(len(rates), dict(scenario.parameters) | {RATE: np.asarray(rates, dtype=float)})
    model = FramtidModel(scenario, params)
    model.run()
    gas = model.record["emissions_gas"][:, :, :, HEATING, :]                                 # (T, D, M, S, G)
    return np.einsum("tdmsg,dg->tdm", gas, gwp_vector(params, "ar5"))


def misfit(rate: float, scenario, observed: dict[int, float], years: list[int]) -> float:
    """The sum of squared log errors of the 13's heating relative to 2009 in ``years``."""
    total = heating_paths(np.array([rate]), scenario)[:, 0].sum(axis=-1)
    return float(sum(np.log(total[y - dims.BASE_YEAR] / total[0] / observed[y]) ** 2 for y in years))


def fitted(scenario) -> tuple[float, float, list[int]]:
    """The review rate [1/yr] that fits the fitted years under ``scenario`` (the policy history), its rms log
    error [1] and the fitted years."""
    observed = national()
    years = [y for y in observed if dims.BASE_YEAR < y <= CUT_OFF and y not in LEFT_OUT]
    fit = minimize_scalar(misfit, bounds=(0.01, 0.6), args=(scenario, observed, years), method="bounded",
                          options={"xatol": 1e-4})
    return float(fit.x), float(np.sqrt(fit.fun / len(years))), years


def main() -> None:
    scenario = load("framtid:current-policies")
    observed = national()
    rate, rms, years = fitted(scenario)
    default = Params.defaults(1)[RATE][0]
    paths = heating_paths(np.array([rate, default]), scenario)
    print(f"{RATE}: fitted {rate:.4f} on {', '.join(map(str, years))} (rms log error {rms:.3f}); "
          f"the table's default {default:g}")
    print("year  observed   fitted  default   (Norway's heating and the 13's, relative to 2009)")
    for y, value in observed.items():
        if y == dims.BASE_YEAR:
            continue
        k = y - dims.BASE_YEAR
        at_fit, table = (paths[k, d].sum() / paths[0, d].sum() for d in (0, 1))
        role = "fitted" if y in years else LEFT_OUT.get(y, "check")
        print(f"{y}  {value:8.3f} {at_fit:8.3f} {table:8.3f}   {role}")
    for muni in CHECKED:
        m = dims.MUNICIPALITIES.index(muni)
        for y, value in municipal(muni).items():
            k = y - dims.BASE_YEAR
            at_fit, table = (paths[k, d, m] / paths[0, d, m] for d in (0, 1))
            print(f"{muni} {y}: inventory {value:.3f}, fitted {at_fit:.3f}, default {table:.3f}")


if __name__ == "__main__":
    main()
