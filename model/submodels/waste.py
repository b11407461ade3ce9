"""Household waste and wastewater: generation, treatment, and the emissions of the
"avfall og avløp" sector (landfill gas, biological treatment, wastewater).

Each year (methods.md §4)::

    W       = P * w_2009 * (1 + lever waste_per_capita_change)       [t/yr]
    W_f     = W * c_f                                                [t/yr] by waste fraction
    W_f,j   = W_f * S_f,j                                            [t/yr] by treatment j

``c`` is the composition of household waste and ``S`` the treatment shares per
fraction. The municipality's observed 2009 shares are totals over all fractions;
:func:`fit_fraction_shares` spreads them over fractions (food and garden waste can
only be treated biologically among the sorted streams, glass cannot be composted,
...). Without levers the 2009 generation per capita and shares are held (the
policies of 2009 continue); the landfill stock left from the past keeps decaying
(:mod:`landfill`).

Incineration with energy recovery belongs to the energy-supply sector in the
municipality that hosts the plant; this module only reports the fossil CO2 of the
waste a municipality sends to incineration, for the accounting layer to use.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import dims
from ..parameters import Params
from . import landfill

FRACTIONS = dims.WASTE_FRACTIONS
MATERIAL, BIOLOGICAL, INCINERATION, LANDFILL = (
    dims.index(dims.TREATMENTS, t) for t in ("material_recovery", "biological", "incineration", "landfill"))
CH4, N2O = dims.index(dims.GASES, "ch4"), dims.index(dims.GASES, "n2o")

# Fractions with degradable organic carbon (plastics, glass and metal have none,
# IPCC 2006 Vol 5 ch. 2 Table 2.4), so only these have DOC and decay-rate parameters.
DEGRADABLE = ("food", "garden", "paper", "wood", "textiles", "other")
# Fractions containing fossil carbon (IPCC Table 2.4: fossil carbon fraction of food,
# garden, paper and wood is 0; glass and metal hold no carbon).
FOSSIL = ("plastics", "textiles", "other")
# Fractions that can be sorted for material recovery, and for composting or biogas.
RECYCLABLE = ("paper", "wood", "textiles", "plastics", "glass_metal", "other")
COMPOSTABLE = ("food", "garden")
# The fractions the 2009 landfill ban on biodegradable waste applies to.
BIODEGRADABLE = ("food", "garden", "paper", "wood", "textiles")

# The FOD pre-run starts here so that 2009 includes decades of legacy waste (methods.md §4.2).
FIRST_DEPOSIT_YEAR = 1960
CO2_PER_C = 44.0 / 12.0
KG_PER_T = 1000.0


def _mask(labels: tuple[str, ...]) -> np.ndarray:
    return np.isin(np.array(FRACTIONS), labels).astype(float)


RECYCLABLE_MASK = _mask(RECYCLABLE)
BIODEGRADABLE_MASK = _mask(BIODEGRADABLE)


def by_fraction(params: Params, prefix: str, labels: tuple[str, ...]) -> np.ndarray:
    """Parameters ``prefix.<fraction>`` for ``labels`` as a ``(D, F)`` array, 0 for other fractions."""
    out = np.zeros((params.n_draws, len(FRACTIONS)))
    out[:, [FRACTIONS.index(f) for f in labels]] = params.vector(prefix, labels)
    return out


def composition(params: Params) -> np.ndarray:
    """Mass shares of household waste by fraction, normalised to sum 1 [1], ``(D, F)``.

    Normalising keeps the shares a composition when the rows are sampled independently.
    """
    raw = params.vector("waste.composition", FRACTIONS)
    return raw / raw.sum(axis=1, keepdims=True)


def sorting_weights(params: Params) -> np.ndarray:
    """Relative propensity of each fraction to end in each treatment [1], ``(D, F, 4)``.

    Zero where a treatment cannot take the fraction; mixed residual waste goes to
    incineration or landfill whatever it contains, so those columns are 1.
    """
    weights = np.ones((params.n_draws, len(FRACTIONS), len(dims.TREATMENTS)))
    weights[:, :, MATERIAL] = by_fraction(params, "waste.sorting_weight.material_recovery", RECYCLABLE)
    weights[:, :, BIOLOGICAL] = by_fraction(params, "waste.sorting_weight.biological", COMPOSTABLE)
    return weights


def fit_fraction_shares(composition: np.ndarray, totals: np.ndarray, weights: np.ndarray,
                        tol: float = 1e-12, max_iter: int = 2000) -> np.ndarray:
    """Treatment shares per fraction consistent with the municipality's total shares [1].

    Biproportional fitting (RAS): find ``S_f,j = a_f,j u_f v_j`` with seed weights ``a``
    such that every fraction is fully treated, ``sum_j S_f,j = 1``, and the shares
    over all waste match the observed totals, ``sum_f c_f S_f,j = s_j``.

    composition: ``(D, F)``; totals: ``(D, M, 4)`` summing to 1; weights: ``(D, F, 4)``.
    Returns ``(D, M, F, 4)``. Rows always sum to 1 (mass balance); if the totals
    cannot be met (e.g. a biological share above the food and garden share) the fit
    stops at the closest proportional solution after ``max_iter`` sweeps.
    """
    seed = weights / weights.sum(axis=-1, keepdims=True)
    shares = np.broadcast_to(seed[:, None], totals.shape[:2] + seed.shape[1:]).copy()
    c = composition[:, None, :, None]
    for _ in range(max_iter):
        achieved = (c * shares).sum(axis=2)
        if np.max(np.abs(achieved - totals)) < tol:
            break
        scale = np.divide(totals, achieved, out=np.zeros_like(achieved), where=achieved > 0.0)
        scaled = shares * scale[:, :, None, :]
        row = scaled.sum(axis=-1, keepdims=True)
        # A fraction whose every outlet was scaled to zero keeps its previous split.
        np.divide(scaled, row, out=shares, where=row > 0.0)
    return shares


def raise_material_recovery(shares: np.ndarray, composition: np.ndarray, minimum: np.ndarray) -> np.ndarray:
    """Lever ``material_recovery_share_min``: material recovery of at least ``minimum`` of all waste.

    The missing share comes from incineration and landfill of the recyclable
    fractions, the same proportion ``theta`` of each [1]::

        theta = min(1, max(0, m - sum_f c_f S_f,MR) / sum_f c_f (S_f,inc + S_f,lf) [f recyclable])

    shares: ``(D, M, F, 4)``; composition: ``(D, F)``; minimum: ``(D, M)``. Returns new shares.
    If the recyclable residual is too small the minimum is not reached (theta = 1).
    """
    c = composition[:, None, :]
    residual = (shares[..., INCINERATION] + shares[..., LANDFILL]) * RECYCLABLE_MASK
    missing = np.maximum(minimum - (c * shares[..., MATERIAL]).sum(axis=-1), 0.0)
    available = (c * residual).sum(axis=-1)
    theta = np.minimum(np.divide(missing, available, out=np.zeros_like(missing), where=available > 0.0), 1.0)
    moved = theta[..., None] * RECYCLABLE_MASK
    out = shares.copy()
    out[..., MATERIAL] += moved * (shares[..., INCINERATION] + shares[..., LANDFILL])
    out[..., INCINERATION] *= 1.0 - moved
    out[..., LANDFILL] *= 1.0 - moved
    return out


def divert_from_landfill(shares: np.ndarray, ban: np.ndarray) -> np.ndarray:
    """Lever ``landfill_ban``: divert share ``ban`` of the landfilled biodegradable fractions.

    For food, garden, paper, wood and textiles the diverted part ``ban * S_f,lf`` goes
    to biological treatment and incineration in proportion to that fraction's
    current shares of the two (all to incineration if it has neither) [1].
    shares: ``(D, M, F, 4)``; ban: ``(D, M)`` in [0, 1]. Returns new shares.
    """
    moved = shares[..., LANDFILL] * ban[..., None] * BIODEGRADABLE_MASK
    bio, inc = shares[..., BIOLOGICAL], shares[..., INCINERATION]
    to_bio = moved * np.divide(bio, bio + inc, out=np.zeros_like(bio), where=(bio + inc) > 0.0)
    out = shares.copy()
    out[..., LANDFILL] -= moved
    out[..., BIOLOGICAL] += to_bio
    out[..., INCINERATION] += moved - to_bio
    return out


def fossil_co2_per_tonne(dry_matter: np.ndarray, carbon_content: np.ndarray, fossil_share: np.ndarray,
                         oxidation: np.ndarray) -> np.ndarray:
    """Fossil CO2 from incinerating one tonne of a fraction: ``dm * CF * FCF * OF * 44/12`` [t CO2/t wet].

    dm: dry-matter share of wet mass, CF: carbon share of dry matter, FCF: fossil share
    of carbon, OF: oxidation factor [1] (IPCC 2006 Vol 5 ch. 5 eq. 5.2; methods.md §4.3).
    """
    return dry_matter * carbon_content * fossil_share * oxidation * CO2_PER_C


def fossil_co2_factors(params: Params) -> np.ndarray:
    """:func:`fossil_co2_per_tonne` for every fraction, ``(D, F)`` [t CO2/t]; 0 without fossil carbon."""
    return fossil_co2_per_tonne(by_fraction(params, "waste.dry_matter", FOSSIL),
                                by_fraction(params, "waste.carbon_content", FOSSIL),
                                by_fraction(params, "waste.fossil_carbon_share", FOSSIL),
                                params["waste.incineration_oxidation"][:, None])


def biological_treatment_emissions(treated: np.ndarray, composting_share: np.ndarray,
                                   ef_composting: np.ndarray, ef_digestion: np.ndarray) -> np.ndarray:
    """CH4 or N2O from composting and anaerobic digestion [t gas/yr].

    ``E = W_bio * (s_comp * EF_comp + (1 - s_comp) * EF_AD) / 1000`` with ``W_bio``
    [t wet/yr] and emission factors [kg gas/t wet] (IPCC 2006 Vol 5 ch. 4 Table 4.1, eq. 4.1-4.2).
    """
    return treated * (composting_share * ef_composting + (1.0 - composting_share) * ef_digestion) / KG_PER_T


def wastewater_emissions(population: np.ndarray, ef_per_capita: np.ndarray) -> np.ndarray:
    """CH4 or N2O from wastewater handling: ``E = P * EF / 1000`` [t gas/yr], EF [kg/cap/yr]."""
    return population * ef_per_capita / KG_PER_T


def _landfill_ddocm_per_t(params: Params) -> np.ndarray:
    """DDOCm per tonne landfilled, ``DOC_f * DOCf * MCF`` [t C/t wet], ``(D, F)``."""
    return landfill.ddocm_deposited(1.0, by_fraction(params, "waste.doc", DEGRADABLE),
                                    params["waste.docf"][:, None], params["waste.mcf"][:, None])


def _decay_rates(params: Params) -> np.ndarray:
    """FOD decay rate ``k`` per fraction [1/yr], ``(D, F)``; 0 where there is nothing to decay."""
    return by_fraction(params, "waste.decay_rate", DEGRADABLE)


@dataclass(frozen=True)
class WasteState:
    """Waste flows and landfill stock of one year, arrays ``(D, M, ...)``."""

    year: int
    waste_per_capita_base: np.ndarray   # (D, M) household waste per inhabitant in 2009 [t/cap/yr]
    composition: np.ndarray             # (D, F) mass shares of household waste [1]
    base_shares: np.ndarray             # (D, M, F, 4) 2009 treatment shares per fraction [1]
    shares: np.ndarray                  # (D, M, F, 4) this year's shares, after levers [1]
    waste_by_fraction: np.ndarray       # (D, M, F) generated this year [t/yr]
    ddocm_stock: np.ndarray             # (D, M, F) DDOCm in landfills at the end of last year [t C]
    ddocm_deposited: np.ndarray         # (D, M, F) DDOCm landfilled this year [t C/yr]
    wastewater_factor: np.ndarray       # (D, M) calibration of the per-capita factors [1]
    biological_factor: np.ndarray       # (D, M) calibration of the biological-treatment EFs [1]


def _flows(population: np.ndarray, waste_per_capita_base: np.ndarray, composition: np.ndarray,
           base_shares: np.ndarray, levers: dict, params: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """This year's generation by fraction [t/yr], shares after levers, and DDOCm landfilled [t C/yr]."""
    change = levers.get("waste_per_capita_change")
    generated = population * waste_per_capita_base * (1.0 if change is None else 1.0 + change)
    by_fraction_ = generated[..., None] * composition[:, None, :]
    shares = base_shares
    if "material_recovery_share_min" in levers:
        shares = raise_material_recovery(shares, composition, levers["material_recovery_share_min"])
    if "landfill_ban" in levers:
        shares = divert_from_landfill(shares, levers["landfill_ban"])
    deposited = by_fraction_ * shares[..., LANDFILL] * _landfill_ddocm_per_t(params)[:, None, :]
    return by_fraction_, shares, deposited


def init_state(population: np.ndarray, waste_per_capita: np.ndarray, treatment_shares: np.ndarray,
               params: Params, calibration: dict[str, np.ndarray] | None = None) -> WasteState:
    """The base year 2009, with the landfill stock built by a pre-run from 1960.

    population: ``(D, M)`` inhabitants; waste_per_capita: ``(D, M)`` household waste
    [t/cap/yr]; treatment_shares: ``(D, M, 4)`` over ``dims.TREATMENTS``, summing to 1.
    Calibration factors (``(D, M)``, missing = 1) act on:
    ``landfill_gas`` the DDOCm stock deposited up to 2008 (the inventory counts every
    landfill in the municipality, incl. industrial and regional waste);
    ``wastewater`` the per-capita emission factors; ``biological_treatment`` the
    emission factors of composting and digestion.
    """
    calibration = calibration or {}
    shape = population.shape

    def factor(source: str) -> np.ndarray:
        return np.broadcast_to(np.asarray(calibration.get(source, 1.0), dtype=float), shape)

    comp = composition(params)
    base_shares = fit_fraction_shares(comp, treatment_shares, sorting_weights(params))
    stock = landfill.legacy_pool(
        population, waste_per_capita, comp, base_shares[..., LANDFILL], _landfill_ddocm_per_t(params),
        _decay_rates(params), params["waste.history.population_growth"],
        params["waste.history.waste_per_capita_growth"], params["waste.history.landfill_share_early"],
        params["waste.history.landfill_decline_start"], FIRST_DEPOSIT_YEAR, dims.BASE_YEAR)
    by_fraction_, shares, deposited = _flows(population, waste_per_capita, comp, base_shares, {}, params)
    return WasteState(
        year=dims.BASE_YEAR, waste_per_capita_base=waste_per_capita, composition=comp,
        base_shares=base_shares, shares=shares, waste_by_fraction=by_fraction_,
        ddocm_stock=stock * factor("landfill_gas")[..., None], ddocm_deposited=deposited,
        wastewater_factor=factor("wastewater"), biological_factor=factor("biological_treatment"))


def advance(state: WasteState, population: np.ndarray, levers: dict, params: Params, year: int) -> WasteState:
    """From ``year - 1`` to ``year``: last year's deposit joins the decaying stock, then
    this year's waste is generated and treated under this year's levers.

    ``stock(t) = deposit(t-1) + stock(t-1) * exp(-k)`` [t C] (:func:`landfill.fod_step`).
    Levers (``(D, M)``, absent = neutral): ``waste_per_capita_change``,
    ``material_recovery_share_min``, ``landfill_ban``.
    """
    if year != state.year + 1:
        raise ValueError(f"waste: advance to {year} from {state.year}; years must be consecutive")
    stock, _ = landfill.fod_step(state.ddocm_stock, state.ddocm_deposited, _decay_rates(params)[:, None, :])
    by_fraction_, shares, deposited = _flows(population, state.waste_per_capita_base, state.composition,
                                             state.base_shares, levers, params)
    return replace(state, year=year, shares=shares, waste_by_fraction=by_fraction_, ddocm_stock=stock,
                   ddocm_deposited=deposited)


def account(state: WasteState, population: np.ndarray, levers: dict, params: Params, year: int) -> dict:
    """Emissions and flows of ``year``; does not change the state.

    Landfill CH4 comes from the stock at the end of last year (this year's deposit
    decays from next year); recovered CH4 is ``max(r, lever landfill_gas_recovery_min)``
    of the generated. Waste flows were set by :func:`advance` (for 2009 by
    :func:`init_state`: the observed base year, so waste levers act from 2010).
    Wastewater scales with ``population`` of this year.

    Returns ``"emissions"``: {source: ``(D, M, 4)`` gas masses [t/yr] over ``dims.GASES``}
    and flows ``(D, M)`` [t/yr] unless noted: ``waste_generated``, ``waste_by_treatment``
    ``(D, M, 4)``, ``waste_by_fraction`` ``(D, M, F)``, ``landfill_ch4_generated``,
    ``landfill_ch4_recovered`` [t CH4/yr], ``incinerated``, ``incineration_fossil_co2``
    [t CO2/yr], ``incineration_fossil_co2_per_t`` [t CO2/t] (0 where nothing is incinerated),
    ``landfill_ddocm_stock`` [t C].
    """
    if year != state.year:
        raise ValueError(f"waste: account for {year} but the state describes {state.year}")
    _, decomposed = landfill.fod_step(state.ddocm_stock, 0.0, _decay_rates(params)[:, None, :])
    generated = landfill.methane_generated(decomposed.sum(axis=-1), params.bcast("waste.ch4_share_landfill_gas", 2))
    recovery = params.bcast("waste.landfill_gas_recovery", 2)
    if "landfill_gas_recovery_min" in levers:
        recovery = np.maximum(recovery, levers["landfill_gas_recovery_min"])
    recovered = generated * recovery
    emitted = landfill.methane_emitted(generated, recovered, params.bcast("waste.landfill_oxidation", 2))

    treated = state.waste_by_fraction[..., None] * state.shares
    by_treatment = treated.sum(axis=2)
    incinerated = by_treatment[..., INCINERATION]
    fossil = (treated[..., INCINERATION] * fossil_co2_factors(params)[:, None, :]).sum(axis=-1)

    composting = params.bcast("waste.biological.composting_share", 2)
    bio = by_treatment[..., BIOLOGICAL]
    bio_ef = state.biological_factor

    emissions = {source: np.zeros(population.shape + (len(dims.GASES),))
                 for source in ("landfill_gas", "wastewater", "biological_treatment")}
    emissions["landfill_gas"][..., CH4] = emitted
    emissions["biological_treatment"][..., CH4] = biological_treatment_emissions(
        bio, composting, bio_ef * params.bcast("waste.biological.ef_ch4.composting", 2),
        bio_ef * params.bcast("waste.biological.ef_ch4.anaerobic_digestion", 2))
    emissions["biological_treatment"][..., N2O] = biological_treatment_emissions(
        bio, composting, bio_ef * params.bcast("waste.biological.ef_n2o.composting", 2),
        bio_ef * params.bcast("waste.biological.ef_n2o.anaerobic_digestion", 2))
    ww_ef = state.wastewater_factor
    emissions["wastewater"][..., CH4] = wastewater_emissions(
        population, ww_ef * params.bcast("waste.wastewater.ch4_per_capita", 2))
    emissions["wastewater"][..., N2O] = wastewater_emissions(
        population, ww_ef * params.bcast("waste.wastewater.n2o_per_capita", 2))

    return {
        "emissions": emissions,
        "waste_generated": by_treatment.sum(axis=-1),
        "waste_by_treatment": by_treatment,
        "waste_by_fraction": state.waste_by_fraction,
        "landfill_ch4_generated": generated,
        "landfill_ch4_recovered": recovered,
        "landfill_ddocm_stock": state.ddocm_stock.sum(axis=-1),
        "incinerated": incinerated,
        "incineration_fossil_co2": fossil,
        "incineration_fossil_co2_per_t": np.divide(fossil, incinerated, out=np.zeros_like(fossil),
                                                   where=incinerated > 0.0),
    }


class Waste:
    """Waste in the simulation's protocol (``submodels/__init__.py``)."""

    name, decided_by, emits = "waste", None, True

    def init_state(self, ctx) -> WasteState:
        inp, d = ctx.inputs, ctx.params.n_draws
        return init_state(ctx.population, np.broadcast_to(inp.waste_per_capita, (d, len(dims.MUNICIPALITIES))),
                          np.broadcast_to(inp.treatment_shares, (d,) + inp.treatment_shares.shape), ctx.params,
                          ctx.factors)

    def advance(self, state: WasteState, ctx) -> WasteState:
        return advance(state, ctx.population, ctx.levers, ctx.params, ctx.year)

    def account(self, state: WasteState, ctx) -> dict:
        return account(state, ctx.population, ctx.levers, ctx.params, ctx.year)


SUBMODEL = Waste()
