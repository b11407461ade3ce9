"""The cost and utility terms of the powertrain choice of new cars (methods §1.5; docs/model.md §3.3, car purchase).

The choice of a new car's powertrain is a logit on its annualised total cost of ownership plus terms for
what the cost does not hold (methods §1.5, recommendation 1). This module holds those terms as pure
arithmetic: the capital recovery factor that annualises a purchase (:func:`annuity_factor`), the total
cost of ownership with VAT and registration tax and their exemptions (:func:`ownership_cost`) and the
logistic path of a new technology's maturing (:func:`logistic_path`). What the terms are applied to (prices,
energy use, tolls and parking by zone, the peer effect) and the logit itself are in :mod:`.car_powertrains`;
arguments broadcast, nothing here reads the state.
"""

from __future__ import annotations

import numpy as np

from .powers import power


def annuity_factor(rate: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Capital recovery factor [1/yr]: ``r / (1 - (1 + r)^-n)`` (``1/n`` when ``r = 0``)."""
    rate = np.asarray(rate, dtype=float)
    safe = np.where(rate == 0.0, 1.0, rate)
    return np.where(rate == 0.0, 1.0 / years, safe / (1.0 - power(1.0 + safe, -np.asarray(years, dtype=float))))


def ownership_cost(price: np.ndarray, registration_tax: np.ndarray, vat_rate: np.ndarray,
                   vat_paid: np.ndarray, registration_tax_paid: np.ndarray,
                   annuity: np.ndarray, annual_km: np.ndarray, energy_cost_per_km: np.ndarray,
                   tolls_per_year: np.ndarray, parking_per_year: np.ndarray) -> np.ndarray:
    """Annualised total cost of owning and running a new car [NOK/yr].

    ``TCO = a (P (1 + v u_vat) + T_reg u_reg) + km c_energy + tolls + parking``, with the
    pre-tax price ``P`` and registration tax ``T_reg`` [NOK], VAT rate ``v``, the shares
    ``u`` of VAT and registration tax actually paid (1 - exemption), annuity factor
    ``a`` [1/yr], [km/yr], [NOK/km] and yearly tolls and parking [NOK/yr] (methods §1.5).
    Arguments broadcast.
    """
    purchase = price * (1.0 + vat_rate * vat_paid) + registration_tax * registration_tax_paid
    return annuity * purchase + annual_km * energy_cost_per_km + tolls_per_year + parking_per_year


def logistic_path(year: float, amplitude: np.ndarray, midpoint: np.ndarray,
                  rate: np.ndarray) -> np.ndarray:
    """A logistic time path ``A / (1 + exp(-k (t - t0)))`` [same unit as ``A``].

    Used for the maturing of a new technology (range, model choice, charging network)
    as a utility constant (methods §1.5).
    """
    return amplitude / (1.0 + np.exp(-rate * (year - midpoint)))
