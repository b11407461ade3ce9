"""The yearly inputs of the buildings submodel read from the simulation context: carrier prices and the ban ahead.

Each year ``buildings.advance`` weighs the heating systems at this year's carrier prices relative to
2009 (:func:`price_index`, from the price paths of :mod:`framtid.model.prices` and this year's oil
taxes) and, where owners foresee the oil-heating ban, at the years left until it (:func:`ban_ahead`,
from the scheduled lever paths). Both are read here from the context so that :mod:`buildings` and
:mod:`heating_choice` take plain arrays.
"""

from __future__ import annotations

import numpy as np

from .. import dims
from ..levers import acting

GAS_TAX = "co2_tax_heating_gas_nok_per_t"


def ban_ahead(ctx) -> np.ndarray | None:
    """Years until the scheduled oil-heating ban (D, M) [yr] where owners foresee it
    (lever ``oil_heating_ban_foresight``), else None: the path is read only when it matters."""
    if acting(ctx.levers, "oil_heating_ban_foresight") is None:
        return None
    return ctx.years_until("oil_heating_ban")


def ban_schedule(ctx) -> tuple[np.ndarray, np.ndarray] | None:
    """Years until the scheduled oil-heating ban and its strength in its first year, both (D, M), where an
    adopted ban is known (lever ``oil_heating_ban_lead``), else None."""
    if acting(ctx.levers, "oil_heating_ban_lead") is None:
        return None
    return ctx.years_until("oil_heating_ban"), ctx.first_value("oil_heating_ban")


def price_index(ctx) -> np.ndarray:
    """This year's carrier prices relative to 2009, ``(D, M, carriers)`` [1]: electricity incl. grid,
    taxes and VAT; heating oil and paraffin with this year's CO2 and base taxes (the levers), both
    from the price paths (``prices.py``); district heat as electricity (the energy act caps its price at that
    of electric heating, energiloven § 5-5, and suppliers price by it: 119.2 øre/kWh in the dear year 2022,
    100.4 in 2023, in the reference data); LPG and natural gas as the heating-oil product without its taxes
    (assumption: petroleum gases priced with oil products; no gas price is in the data) plus this year's CO2
    tax on them (:func:`gas_price_index`; none in 2009); wood held at its 2009 real price.

    Heating oil is gas oil: its carbon is taken as that of road diesel (``transport.co2_per_litre.diesel``).
    """
    from .. import prices

    p, k = ctx.params, ctx.k
    d, m = ctx.population.shape
    index = np.ones((d, m, len(dims.CARRIERS)))
    kg = p["transport.co2_per_litre.diesel"]
    oil_now = prices.heating_oil_consumer_price(ctx.prices, k, ctx.levers["base_tax_heating_oil"],
                                                ctx.levers["co2_tax_heating_oil_nok_per_t"], kg)
    oil_2009 = prices.heating_oil_consumer_price(ctx.prices, 0, ctx.base_levers["base_tax_heating_oil"],
                                                 ctx.base_levers["co2_tax_heating_oil_nok_per_t"], kg)
    for carrier in ("heating_oil", "paraffin"):
        index[..., dims.CARRIERS.index(carrier)] = oil_now / oil_2009
    electricity = prices.electricity_consumer_price(ctx.prices, k) / prices.electricity_consumer_price(ctx.prices, 0)
    for carrier in ("electricity", "district_heat"):
        index[..., dims.CARRIERS.index(carrier)] = electricity[:, None]
    gas = ctx.prices.heating_oil_product[:, k] / ctx.prices.heating_oil_product[:, 0]
    for carrier in ("lpg", "natural_gas"):
        index[..., dims.CARRIERS.index(carrier)] = gas_price_index(
            gas[:, None], ctx.levers[GAS_TAX], ctx.base_levers[GAS_TAX], p[f"buildings.ef_co2.{carrier}"][:, None],
            p[f"buildings.price.{carrier}"][:, None])
    return index


def gas_price_index(product_index: np.ndarray, co2_tax: np.ndarray, co2_tax_2009: np.ndarray,
                    kg_co2_per_kwh: np.ndarray, price_2009: np.ndarray) -> np.ndarray:
    """Price of LPG or natural gas for heating relative to 2009 [1]: its 2009 price ``price_2009`` [NOK/kWh]
    moved by the oil product's price index ``product_index`` [1], plus the change of the CO2 tax on it
    ``co2_tax - co2_tax_2009`` [NOK/t CO2] times its carbon ``kg_co2_per_kwh``:
    ``(p x + (tau - tau_2009) e / 1000) / p``. Arguments broadcast; prices excluding VAT, which divides out.
    Example: p = 0.55, x = 1.1, tau = 500, tau_2009 = 0, e = 0.2: (0.605 + 0.1) / 0.55 = 1.28182.
    """
    return (price_2009 * product_index + (co2_tax - co2_tax_2009) * kg_co2_per_kwh / 1000.0) / price_2009
