"""How combustion cars' fuel use per km answers the fuel price (methods §1.3).

Goodwin, Dargay & Hanly (2004) split the response of car fuel use to the real fuel price (-0.25 within a
year, -0.6 in the long run) into less traffic (-0.1, -0.3) and more fuel-efficient use of fuel (fuel
efficiency +0.15, +0.4): newer and smaller cars bought, the thriftier car of a household driven more, a
calmer driving style. The travel choice gives the traffic part; this module gives the efficiency part as a
partial adjustment of the log of the fleet's fuel use per km, relative to the trend of its vintages
(``transport.fuel_efficiency_gain``):

    r_t = lambda r_(t-1) + (1 - lambda) e_LR ln(x_t),   lambda = 1 - e_SR / e_LR,

with ``x_t`` the fleet's fuel price against 2009 (real, at this year's petrol/diesel mix) and ``e_SR``,
``e_LR`` the first-year and long-run elasticities of fuel use per km (``transport.fuel_intensity_elasticity``;
-0.15 and -0.4, Goodwin et al.'s fuel-efficiency elasticities with the sign of fuel per km).

The response cuts the fuel burnt (and its emissions), not the cost per km the travel and powertrain
choices see. Goodwin et al.'s traffic elasticity is measured against the fuel price and already holds
whatever extra driving the more efficient cars brought back; the travel choice reproduces that elasticity
(``framtid elasticities``), so feeding the price-driven efficiency back into the cost per km would count
that rebound twice. The rebound of technology (electric cars, the vintages' trend) still acts through the
cost per km.
"""

from __future__ import annotations

import numpy as np


def persistence(short_run: np.ndarray, long_run: np.ndarray) -> np.ndarray:
    """Partial-adjustment weight ``lambda = 1 - e_SR / e_LR`` [1], in [0, 1].

    ``short_run`` and ``long_run`` [1] are elasticities of the same sign (D,); a first-year response at
    least as large as the long-run one adjusts at once (0), and no long-run response gives 0.
    Example: e_SR = -0.15, e_LR = -0.4 give 1 - 0.375 = 0.625.
    """
    long_run = np.asarray(long_run, dtype=float)
    ratio = np.divide(short_run, long_run, out=np.ones_like(long_run), where=long_run != 0)
    return 1.0 - np.clip(ratio, 0.0, 1.0)


def fleet_fuel_price_index(fuel_per_vkm: np.ndarray, price: np.ndarray, base_price: np.ndarray) -> np.ndarray:
    """The fleet's fuel price against 2009 [1], ``(D, M)``: ``sum_f I_f p_f / sum_f I_f p_f,2009``.

    ``fuel_per_vkm`` (D, M, F) [kWh/vkm] the cars' petrol and diesel per km this year (its mix weighs the
    fuels), ``price`` and ``base_price`` (D, M, F) [NOK/kWh] this year's and 2009's real pump prices. Where the
    fleet burns no fuel the index is 1. Example: half the fuel per km petrol, half diesel, petrol +20 % and
    diesel unchanged give 1.1 (with equal 2009 prices).
    """
    now = np.einsum("dmf,dmf->dm", fuel_per_vkm, price)
    then = np.einsum("dmf,dmf->dm", fuel_per_vkm, base_price)
    burns = then > 0
    return np.where(burns, now, 1.0) / np.where(burns, then, 1.0)


def fuel_intensity_response(previous: np.ndarray, price_index: np.ndarray, long_run: np.ndarray,
                            lam: np.ndarray) -> np.ndarray:
    """This year's log of combustion cars' fuel use per km relative to their vintages' trend [1], ``(D, M)``.

    ``r_t = lambda r_(t-1) + (1 - lambda) e_LR ln(x_t)`` with ``previous`` = r_(t-1) (D, M), ``price_index``
    x_t (D, M) [1] (:func:`fleet_fuel_price_index`), ``long_run`` e_LR (D,) [1] and ``lam`` lambda (D,) [1]
    (:func:`persistence`). Example: r_(t-1) = 0, x = 1.1, e_LR = -0.4, lambda = 0.625 give
    0.375 * -0.4 * ln 1.1 = -0.0143 (fuel use per km -1.42 %); held, the price brings r to -0.4 ln 1.1 = -0.0381.
    """
    lam = np.asarray(lam, dtype=float)[:, None]
    return lam * previous + (1.0 - lam) * (np.asarray(long_run, dtype=float)[:, None] * np.log(price_index))
