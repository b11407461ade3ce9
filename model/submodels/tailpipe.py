"""Road fuel volumes with their biofuel blend, and the tailpipe gases they emit (methods §1.5; docs/model.md §3.3,
emissions).

The fleets (:mod:`.fleet`) give the energy road traffic uses by fuel; this module turns that energy into
litres of fossil fuel and of blended biofuel (:func:`blend_volumes`) and the litres into tailpipe CO2, CH4
and N2O (:func:`tailpipe_gases`). CO2 counts only the fossil part of the fuel, because the territorial
inventory counts biofuel CO2 as zero (methods §1.5, recommendation 2); CH4 and N2O follow the fuel burnt.
:func:`road_fuels` does both for the year's road energy of every class, biogas buses included. Pure functions:
arrays in, arrays out, arguments broadcast.
"""

from __future__ import annotations

import numpy as np

from .ordered_sums import trailing_sum
from .transport_state import BUS_CLASS

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


def road_fuels(energy: np.ndarray, bio_share_petrol: np.ndarray, bio_share_diesel: np.ndarray,
               biogas_share: np.ndarray | None, fc) -> tuple[np.ndarray, np.ndarray]:
    """Tailpipe gases ``(D, M, C, 4)`` [t/yr] of road energy by class ``energy`` ``(D, M, C, 3)`` [kWh/yr] (petrol,
    diesel, electricity; the diesel of buses taken over by biogas at ``biogas_share`` (D, M) [1]
    (:func:`.bus_biogas.bus_biogas_share`, None where none), which ``energy`` loses in place), and the road
    energy by carrier ``(D, M, 4)`` [kWh/yr] (fossil petrol, fossil diesel, electricity, all biofuel).
    ``bio_share_*`` (D, M) [1] are the blends' biofuel volume shares and ``fc`` the fleet coefficients
    (:class:`.fleet.FleetCoefficients`).

    Biogas buses (share g of the diesel buses' energy, at ``transport.biogas_bus_energy_ratio`` kWh per kWh of
    diesel): biogenic CO2 counts zero, its CH4 and N2O per kWh are added.
    """
    biogas = 0.0
    if biogas_share is not None:
        biogas = biogas_share * energy[:, :, BUS_CLASS, 1] * fc.biogas_energy_ratio[:, None]         # (D, M)
        energy[:, :, BUS_CLASS, 1] *= 1.0 - biogas_share
    content = fc.energy_content[:, None, None, :]
    bio_share = np.stack([bio_share_petrol, bio_share_diesel], axis=-1)[:, :, None, :]
    bio_ratio = fc.bio_energy_ratio[:, None, None, :]
    fossil, bio = blend_volumes(energy[..., :2], bio_share, content, bio_ratio)                  # (D, M, C, 2) [L]
    gases = tailpipe_gases(fossil, energy[..., :2] / content, fc.co2_per_litre[:, None, None, :],
                           fc.ch4_per_litre[:, None, :, None], fc.n2o_per_litre[:, None, :, None])
    gases = np.einsum("dmcfg->dmcg", gases)                                                    # over fuels
    if np.any(biogas):
        gases[:, :, BUS_CLASS, 1] += biogas * fc.ch4_per_kwh_biogas[:, None] / G_PER_T
        gases[:, :, BUS_CLASS, 2] += biogas * fc.n2o_per_kwh_biogas[:, None] / G_PER_T
    # Sums over classes and fuels by einsum: numpy's sums over leading axes of these short arrays are slower.
    fossil_kwh = np.einsum("dmcf,df->dmf", fossil, fc.energy_content)
    # (over fuels, then classes, in order: an einsum over both added them in an order that depends on the draws)
    bio_kwh = trailing_sum(trailing_sum(bio * (fc.energy_content * fc.bio_energy_ratio)[:, None, None, :])) + biogas
    road_energy = np.concatenate([fossil_kwh, np.einsum("dmc->dm", energy[..., 2])[..., None], bio_kwh[..., None]], -1)
    return gases, road_energy
