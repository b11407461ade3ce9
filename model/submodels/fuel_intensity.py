"""How combustion cars' fuel use per km answers the fuel price (methods §1.3).

Goodwin, Dargay & Hanly (2004) split the response of car fuel use to the real fuel price (-0.25 within a
year, -0.6 in the long run) into less traffic (-0.1, -0.3) and more fuel-efficient use of fuel (fuel
efficiency +0.15, +0.4): a calmer driving style and the thriftier car of a household driven more, at once, and
newer, smaller cars bought over the years. Their dynamic models give that efficiency response as a partial
adjustment of the log of fuel use per km, ``r_t = lambda r_(t-1) + (1 - lambda) e_LR ln(x_t)``, with
``lambda = 1 - e_SR / e_LR`` and ``e_SR``, ``e_LR`` the first-year and long-run elasticities of fuel use per
km (``transport.fuel_intensity_elasticity``; -0.15 and -0.4, Goodwin et al.'s fuel-efficiency elasticities
with the sign of fuel per km) and ``x_t`` the fleet's fuel price against 2009 (real, at this year's
petrol/diesel mix). Relative to the trend of the vintages (``transport.fuel_efficiency_gain``).

That adjustment was estimated while nearly every car sold burnt fuel. The part beyond the first year works
through the cars bought, so this module splits it in two:

    behaviour    b_t = (1 - lambda) e_LR ln(x_t)                      the whole fuel-burning fleet, at once,
                                                                     and undone when the price falls back;
    technology   T_t = T_(t-1) + (1 - lambda) u_t (lambda e_LR ln(x_(t-1)) - T_(t-1))
                                                                     carried by the cars bought, answering
                                                                     the price of the year before;
    r_t = b_t + T_t,

with ``u_t = min(1, phi_t / f_t)`` the pace at which fuel-burning cars renew the fuel-burning fleet against a fleet
where every car burns fuel: ``phi_t`` the share of this year's new cars' km that burns fuel and ``f_t`` that of the
fleet's km (petrol and diesel cars 1, plug-in hybrids their fuel share, battery cars 0). The new fuel-burning km
over the fleet's fuel-burning km is ``phi_t / f_t`` times the new km over the fleet's km, the renewal at which
Goodwin et al.'s adjustment was measured. While every car burns fuel (``u = 1``) this is their partial adjustment
exactly, for any price path (``T`` takes the lagged term of ``lambda r_(t-1)``); as new cars turn electric faster
than the fleet, the technology part moves ever more slowly and the fleet keeps what its fuel-burning cars
embodied, while the behaviour still answers each year's price. (The fleet's technology is one average: the cars
scrapped carry it as those that stay do, where the oldest go first: bought before a rise, the response is a
little slow; before a fall, a little fast.)

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


def fuel_burning_share(shares: np.ndarray, electric_share: np.ndarray) -> np.ndarray:
    """Share of the cars' km that burns fuel [1], ``(D, M)``: ``sum_k s_k (1 - e_k)``.

    ``shares`` (D, M, K) [1] the new cars' (phi) or the fleet's km (f) by powertrain, ``electric_share`` (D, K) [1]
    the share of each powertrain's km on electricity (0 petrol and diesel, the plug-in hybrids' share, 1 battery
    cars).
    Example: 40 % petrol, 10 % plug-in hybrids at half electric, 50 % battery cars give 0.4 + 0.05 = 0.45.
    """
    return np.einsum("dmk,dk->dm", shares, 1.0 - np.asarray(electric_share, dtype=float))


def renewal_pace(new_share: np.ndarray, fleet_share: np.ndarray) -> np.ndarray:
    """The pace ``u = min(1, phi / f)`` [1], ``(D, M)``, at which this year's fuel-burning cars renew the fleet's
    fuel-burning km against a fleet where every car burns fuel: ``new_share`` phi and ``fleet_share`` f (D, M) [1]
    the fuel-burning shares of the new cars' and of the fleet's km (:func:`fuel_burning_share`). No fuel-burning car
    bought: 0. Example: phi = 0.116, f = 0.699 give 0.166; phi = 0.5, f = 0.4 give 1 (no faster than Goodwin et al.).
    """
    return new_share / np.maximum(np.maximum(fleet_share, new_share), np.finfo(float).tiny)


def technology_response(previous: np.ndarray, previous_index: np.ndarray, pace: np.ndarray,
                        long_run: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """This year's technology part ``T_t`` of the log of fuel use per km [1], ``(D, M)``.

    ``T_t = T_(t-1) + (1 - lambda) u_t (lambda e_LR ln(x_(t-1)) - T_(t-1))`` with ``previous`` T_(t-1) (D, M),
    ``previous_index`` x_(t-1) (D, M) [1] last year's :func:`fleet_fuel_price_index`, ``pace`` u_t (D, M) [1]
    (:func:`renewal_pace`), ``long_run`` e_LR (D,) [1] and ``lam`` lambda (D,) [1] (:func:`persistence`).
    Example: T = 0, x = 1.1, u = 1, e_LR = -0.4, lambda = 0.625 give 0.375 * 0.625 * -0.4 * ln 1.1 = -0.00893;
    with u = 0.2, a fifth of it.
    """
    lam = np.asarray(lam, dtype=float)[:, None]
    target = lam * np.asarray(long_run, dtype=float)[:, None] * np.log(previous_index)
    return previous + (1.0 - lam) * pace * (target - previous)


def fuel_intensity_response(technology: np.ndarray, price_index: np.ndarray, long_run: np.ndarray,
                            lam: np.ndarray) -> np.ndarray:
    """This year's log of combustion cars' fuel use per km relative to their vintages' trend [1], ``(D, M)``.

    ``r_t = (1 - lambda) e_LR ln(x_t) + T_t``: the behaviour at this year's ``price_index`` x_t (D, M) [1]
    (:func:`fleet_fuel_price_index`) and the ``technology`` T_t (D, M) [1] (:func:`technology_response`);
    ``long_run`` e_LR (D,) [1], ``lam`` lambda (D,) [1]. Example: T = 0, x = 1.1, e_LR = -0.4, lambda = 0.625
    give 0.375 * -0.4 * ln 1.1 = -0.0143 (fuel use per km -1.42 %, Goodwin et al.'s first year).
    """
    lam = np.asarray(lam, dtype=float)[:, None]
    return (1.0 - lam) * np.asarray(long_run, dtype=float)[:, None] * np.log(price_index) + technology
