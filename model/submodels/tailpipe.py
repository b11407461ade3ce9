"""Road fuel volumes with their biofuel blend, and the tailpipe gases they emit (methods §1.5; docs/model.md §3.3,
emissions).

The fleets (:mod:`.fleet`) give the energy road traffic uses by fuel; this module turns that energy into
litres of fossil fuel and of blended biofuel (:func:`blend_volumes`) and the litres into tailpipe CO2, CH4
and N2O (:func:`tailpipe_gases`). CO2 counts only the fossil part of the fuel, because the territorial
inventory counts biofuel CO2 as zero (methods §1.5, recommendation 2); CH4 and N2O follow the fuel burnt.
Pure functions: arrays in, arrays out, arguments broadcast.
"""

from __future__ import annotations

import numpy as np

KG_PER_T = 1e3
G_PER_T = 1e6


def blend_volumes(energy_kwh: np.ndarray, bio_share: np.ndarray, energy_content: np.ndarray,
                  bio_energy_ratio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Litres of fossil fuel and of biofuel that deliver an amount of energy [L].

    A blend with biofuel volume share ``b`` holds ``h (1 - b + b r)`` kWh per litre, where
    ``h`` [kWh/L] is the fossil fuel's energy content and ``r`` the energy of a litre of
    biofuel relative to a litre of fossil fuel; so ``L = E / (h (1 - b + b r))``, of which
    ``(1 - b) L`` fossil and ``b L`` bio. Arguments broadcast.
    """
    litres = energy_kwh / (energy_content * (1.0 - bio_share + bio_share * bio_energy_ratio))
    return (1.0 - bio_share) * litres, bio_share * litres


def tailpipe_gases(fossil_litres: np.ndarray, fuel_equivalent_litres: np.ndarray,
                   co2_per_litre: np.ndarray, ch4_per_litre: np.ndarray,
                   n2o_per_litre: np.ndarray) -> np.ndarray:
    """Tailpipe gas masses in ``dims.GASES`` order [t/yr]; the F-gas column is zero.

    CO2 = fossil litres x kg CO2/L (biofuel CO2 counts as zero, methods §1.5);
    CH4 and N2O = fuel burnt, in litres of fossil-fuel energy equivalent, x g/L: they come
    from combustion and the exhaust catalyst, not from the carbon in the fuel, so a bio
    blend leaves them unchanged. Vehicle air-conditioning F-gases belong to the inventory's
    F-gas products, not to road traffic. Inputs share the shape ``(...)``; returns ``(..., 4)``.
    """
    co2 = fossil_litres * co2_per_litre / KG_PER_T
    ch4 = fuel_equivalent_litres * ch4_per_litre / G_PER_T
    n2o = fuel_equivalent_litres * n2o_per_litre / G_PER_T
    return np.stack([co2, ch4, n2o, np.zeros_like(co2)], axis=-1)
