"""Base-year calibration of the heating-system shares: the inventory's heating factors applied to the 2009 mix.

The calibration (:mod:`framtid.model.calibration`) gives each heating source of a municipality a factor
that makes its 2009 emissions match the inventory. The factors of oil, paraffin, natural gas and LPG
scale the 2009 floor-area share of the system burning that fuel (:func:`calibrated_shares`); the heat
they move is taken from (or given to) direct electric, so that every m2 keeps its heat and the 2009
heat need does not depend on the factors. Wood is calibrated on its emissions per unit of wood instead
(``SOURCE_SYSTEM`` says why) and other fossil heating on its use per m2 of non-residential area;
``buildings.calibrated`` reads those two factors with :func:`factor` and builds the calibrated 2009
state (logit constants included) from the shares made here.

Axes (after draw ``D`` and municipality ``M``): building type ``T`` and heating system ``H`` over
``dims.HEATING_SYSTEMS``. Methods: docs/model.md §4 (what each factor acts on).
"""

from __future__ import annotations

import numpy as np

from .. import dims
from . import heating

# System whose 2009 share each calibration factor scales. Wood is calibrated on
# its emissions per unit of wood instead: the inventory's wood emissions depend
# on the stove stock (old stoves emit several times more CH4 than new ones) as
# much as on the heat share, and scaling the share could need more houses on
# wood than there are (Porsgrunn and Skien imply a factor near 4).
SOURCE_SYSTEM = {
    "heating_oil": heating.OIL_BOILER, "heating_paraffin": heating.PARAFFIN_STOVE,
}


def factor(calibration: dict | None, source: str, shape: tuple) -> np.ndarray:
    """The calibration factor of ``source`` over ``shape`` [1], 1 where ``calibration`` has none (or is None)."""
    value = (calibration or {}).get(source, 1.0)
    return np.broadcast_to(np.asarray(value, dtype=float), shape)


def calibrated_shares(shares: np.ndarray, gas_lpg_share: np.ndarray,
                      calibration: dict | None) -> tuple[np.ndarray, np.ndarray]:
    """Scale the base-year system shares by the calibration factors [1].

    oil_boiler and paraffin_stove shares are multiplied by the factors of
    heating_oil and heating_paraffin (heating_wood acts on wood's emission
    factors instead, see ``SOURCE_SYSTEM``); the gas-boiler
    share is split into its natural-gas part ``(1 - lpg)`` and LPG part ``lpg``,
    each scaled by its own factor. The heat moved is taken from (or given to)
    direct_electric, so shares still sum to one and every m2 keeps its heat;
    where direct_electric holds too little (a draw with high fossil factors and a
    small electric share), the rest comes from heat pumps and district heating in
    proportion to their shares.

    ``shares`` (D, M, T, H); ``gas_lpg_share`` (M,). Returns the new shares and
    the LPG share of gas-boiler fuel (D, M). Raises ValueError if even those
    cannot give the heat.
    """
    d, m = shares.shape[:2]
    out = np.array(shares, order="F")         # a copy, draws fastest
    for source, h in SOURCE_SYSTEM.items():
        out[..., h] *= factor(calibration, source, (d, m))[..., None]
    gas_natural = (1.0 - gas_lpg_share) * factor(calibration, "heating_natural_gas", (d, m))
    gas_lpg = gas_lpg_share * factor(calibration, "heating_lpg", (d, m))
    gas_total = gas_natural + gas_lpg
    out[..., heating.GAS_BOILER] *= gas_total[..., None]
    lpg_share = np.divide(gas_lpg, gas_total, out=np.broadcast_to(gas_lpg_share, (d, m)).copy(),
                          where=gas_total > 0)
    moved = (out - shares).sum(axis=-1)
    out[..., heating.DIRECT_ELECTRIC] -= moved
    _cover_from_other_electric(out)
    short = out[..., heating.DIRECT_ELECTRIC] < -1e-12
    if short.any():
        munis = sorted({int(i) for i in np.nonzero(short)[1]})
        names = [dims.MUNICIPALITIES[i] for i in munis if i < len(dims.MUNICIPALITIES)]
        raise ValueError(
            "heating calibration needs more heat than direct_electric holds in municipality index "
            f"{', '.join(map(str, munis))} ({', '.join(names)}); "
            "lower the heating factors or raise the base-year fossil/wood shares")
    out[..., heating.DIRECT_ELECTRIC] = np.maximum(out[..., heating.DIRECT_ELECTRIC], 0.0)
    return out, lpg_share


_OTHER_ELECTRIC = [heating.HEAT_PUMP, heating.DISTRICT_HEATING]


def _cover_from_other_electric(shares: np.ndarray) -> None:
    """Where the direct-electric share went negative, take the shortfall from heat pumps and
    district heating in proportion to their shares (in place) [1]. Only parameter draws whose
    calibrated fossil shares outgrow the 2009 direct-electric share reach this: the inventory then
    says there was more fossil heat than the assumed mix leaves room for in direct electric."""
    short = np.maximum(-shares[..., heating.DIRECT_ELECTRIC], 0.0)
    if not (short > 1e-12).any():
        return
    donors = shares[..., _OTHER_ELECTRIC]
    available = donors.sum(axis=-1)
    take = np.minimum(short, available)
    cut = np.divide(take, available, out=np.zeros_like(take), where=available > 0)
    shares[..., _OTHER_ELECTRIC] = donors * (1.0 - cut[..., None])
    shares[..., heating.DIRECT_ELECTRIC] += take
