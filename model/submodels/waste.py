"""Household waste and wastewater: generation, treatment, and the emissions of the
"avfall og avløp" sector (landfill gas, biological treatment, wastewater).

Each year (methods.md §4)::

    W       = P * w_2009 * (1 + lever waste_per_capita_change)       [t/yr]
    W_f     = W * c_f * (1 + a * lever food_waste_change [f = food])  [t/yr] by waste fraction
    W_f,j   = W_f * S_f,j                                            [t/yr] by treatment j

``c`` is the composition of household waste, ``a`` the avoidable share of the food
fraction (``waste.food.avoidable_share``) and ``S`` the treatment shares per
fraction. The municipality's observed 2009 shares are totals over all fractions;
:func:`fit_fraction_shares` spreads them over fractions (food and garden waste can
only be treated biologically among the sorted streams, glass cannot be composted,
...). Without levers the 2009 generation per capita and shares are held (the
policies of 2009 continue); the landfill stock left from the past keeps decaying
(:mod:`landfill`). Levers on the shares act in this order: the capture rates of
separate collection (food to biological treatment, plastics to material recovery),
the minimum material-recovery share, the landfill ban.

Incineration with energy recovery belongs to the energy-supply sector in the
municipality that hosts the plant; this module only reports the fossil CO2 of the
waste a municipality sends to incineration, for the accounting layer to use. It
also reports the biomethane from anaerobic digestion and the residents'
consumption-based emissions (:mod:`framtid.model.consumption`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from .. import consumption, dims
from ..levers import acting
from ..parameters import Params
from . import landfill, same_inputs_reused
from .ordered_sums import trailing_sum

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

FOOD, PLASTICS = FRACTIONS.index("food"), FRACTIONS.index("plastics")

# The FOD pre-run starts here so that 2009 includes decades of legacy waste (methods.md §4.2).
FIRST_DEPOSIT_YEAR = 1960
CO2_PER_C = 44.0 / 12.0
KG_PER_T = 1000.0
KWH_PER_GWH = 1.0e6


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
    fitted = np.broadcast_to(seed[:, None], totals.shape[:2] + seed.shape[1:]).copy()
    # Each draw stops at its own convergence, so a draw's result does not depend on the draws it
    # is batched with (chunked ensembles equal whole ones bit for bit). The sweeps go on with the draws
    # not fitted yet alone: ``shares`` holds the rows ``todo`` of ``fitted``.
    todo = np.arange(len(fitted))
    shares, scaled = fitted.copy(), np.empty(fitted.shape)
    for _ in range(max_iter):
        # Sums over fractions and over treatments by einsum: numpy's sums over a middle or a short last
        # axis are several times slower.
        achieved = np.einsum("df,dmfj->dmj", composition, shares)
        fitting = np.abs(achieved - totals).reshape(len(todo), -1).max(axis=1) >= tol
        if not fitting.all():
            fitted[todo[~fitting]] = shares[~fitting]
            todo = todo[fitting]
            shares, composition, totals, achieved = (x[fitting] for x in (shares, composition, totals, achieved))
            scaled = scaled[:todo.size]
            if not todo.size:
                break
        scale = np.divide(totals, achieved, out=np.zeros_like(achieved), where=achieved > 0.0)
        np.multiply(shares, scale[:, :, None, :], out=scaled)
        row = np.einsum("dmfj->dmf", scaled)[..., None]
        # A fraction whose every outlet was scaled to zero keeps its previous split (unmasked, the faster
        # loop, where every fraction has an outlet left).
        positive = row > 0.0
        np.divide(scaled, row, out=shares, where=True if positive.all() else positive)
    fitted[todo] = shares   # the draws still fitting after max_iter sweeps
    return fitted


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


def raise_capture(shares: np.ndarray, fraction: int, treatment: int, minimum: np.ndarray) -> np.ndarray:
    """Levers ``food_separation_min`` and ``plastics_separation_min``: separate collection.

    The share of ``fraction`` going to ``treatment`` (biological treatment for food, material
    recovery for plastics) is raised to the capture rate ``minimum``; the missing share comes
    from that fraction's incineration and landfill, the same proportion ``theta`` of each [1]::

        theta = min(1, max(0, m - S_f,j) / (S_f,inc + S_f,lf))

    shares: ``(D, M, F, 4)``; minimum: ``(D, M)``. Returns new shares (rows still sum to 1). A
    capture rate already reached changes nothing; what is sorted elsewhere (e.g. food composted at
    home) is not touched.
    """
    row = shares[..., fraction, :]
    residual = row[..., INCINERATION] + row[..., LANDFILL]
    missing = np.maximum(minimum - row[..., treatment], 0.0)
    theta = np.minimum(np.divide(missing, residual, out=np.zeros_like(missing), where=residual > 0.0), 1.0)
    out = shares.copy()
    out[..., fraction, treatment] += theta * residual
    out[..., fraction, INCINERATION] *= 1.0 - theta
    out[..., fraction, LANDFILL] *= 1.0 - theta
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


def composted_and_digested(bio: np.ndarray, bio_food: np.ndarray, composting_share: np.ndarray,
                           food_digestion_min: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Biologically treated waste split into composted and digested [t wet/yr].

    Share ``1 - s_comp`` of all biologically treated waste is digested; lever
    ``food_digestion_share_min`` raises the food part to ``d`` (biogas from food waste)::

        W_AD   = (W_bio - W_bio,food) * (1 - s_comp) + W_bio,food * max(1 - s_comp, d)
        W_comp = W_bio - W_AD

    bio, bio_food: ``(D, M)``; composting_share: ``(D, 1)``; food_digestion_min: ``(D, M)`` or 0.
    """
    digested = (bio - bio_food) * (1.0 - composting_share) + bio_food * np.maximum(1.0 - composting_share,
                                                                                  food_digestion_min)
    return bio - digested, digested


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
class WasteCoefficients:
    """The parameters the yearly steps use, read once at set-up and shaped to broadcast on
    ``(D, M, ...)``: arrays over draws ``(D, 1)``, per fraction ``(D, 1, F)``."""

    ddocm_per_t: np.ndarray           # (D, 1, F) DOC * DOCf * MCF [t C/t wet]
    decay: np.ndarray                 # (D, 1, F) FOD rate k [1/yr]
    fossil_co2: np.ndarray            # (D, 1, F) fossil CO2 of incineration [t CO2/t]
    food_avoidable: np.ndarray        # (D, 1) avoidable share of the food fraction [1]
    ch4_share: np.ndarray             # (D, 1) F, CH4 in landfill gas [1]
    gas_recovery: np.ndarray          # (D, 1) recovered share of landfill CH4 without levers [1]
    landfill_oxidation: np.ndarray    # (D, 1) OX [1]
    composting_share: np.ndarray      # (D, 1) [1]
    ef_ch4_composting: np.ndarray     # (D, 1) [kg CH4/t]
    ef_ch4_digestion: np.ndarray      # (D, 1) [kg CH4/t]
    ef_n2o_composting: np.ndarray     # (D, 1) [kg N2O/t]
    ef_n2o_digestion: np.ndarray      # (D, 1) [kg N2O/t]
    biogas_yield: np.ndarray          # (D, 1) [kWh/t digested]
    wastewater_ch4: np.ndarray        # (D, 1) [kg CH4/cap/yr]
    wastewater_n2o: np.ndarray        # (D, 1) [kg N2O/cap/yr]
    consumption: consumption.ConsumptionCoefficients

    @cached_property
    def kept(self) -> np.ndarray:
        """(D, 1, F) ``exp(-k)``, the share of a landfill pool left after a year [1] (once a run)."""
        return landfill.kept_share(self.decay)

    @cached_property
    def decomposed(self) -> np.ndarray:
        """(D, 1, F) ``1 - exp(-k)``, the share of a landfill pool that decomposes in a year [1] (once a run)."""
        return landfill.decomposed_share(self.kept)


def coefficients(params: Params) -> WasteCoefficients:
    """Read the waste parameters once (the yearly steps reuse them; methods.md §4)."""
    b = lambda name: params.bcast(name, 2)   # noqa: E731
    return WasteCoefficients(
        ddocm_per_t=_landfill_ddocm_per_t(params)[:, None, :], decay=_decay_rates(params)[:, None, :],
        fossil_co2=fossil_co2_factors(params)[:, None, :], food_avoidable=b("waste.food.avoidable_share"),
        ch4_share=b("waste.ch4_share_landfill_gas"), gas_recovery=b("waste.landfill_gas_recovery"),
        landfill_oxidation=b("waste.landfill_oxidation"), composting_share=b("waste.biological.composting_share"),
        ef_ch4_composting=b("waste.biological.ef_ch4.composting"),
        ef_ch4_digestion=b("waste.biological.ef_ch4.anaerobic_digestion"),
        ef_n2o_composting=b("waste.biological.ef_n2o.composting"),
        ef_n2o_digestion=b("waste.biological.ef_n2o.anaerobic_digestion"),
        biogas_yield=b("waste.biogas_yield"), wastewater_ch4=b("waste.wastewater.ch4_per_capita"),
        wastewater_n2o=b("waste.wastewater.n2o_per_capita"), consumption=consumption.coefficients(params))


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
    coef: WasteCoefficients             # parameters read at set-up
    share_levers: tuple | None = None   # the acting SHARE_LEVERS ``shares`` were made under (None: not known)


# The levers that move the treatment shares, in the order they act.
SHARE_LEVERS = ("food_separation_min", "plastics_separation_min", "material_recovery_share_min", "landfill_ban")


def share_levers(levers: dict) -> tuple:
    """The :data:`SHARE_LEVERS` as :func:`levers.acting` gives them (None where neutral or absent)."""
    return tuple(acting(levers, name) for name in SHARE_LEVERS)


def same_share_levers(acting: tuple, before: tuple | None) -> bool:
    """Whether the acting share levers equal those of ``before`` (None: not known, never equal)."""
    return before is not None and all(
        (a is None and b is None) or (a is not None and b is not None and np.array_equal(a, b))
        for a, b in zip(acting, before))


def shares_under(base_shares: np.ndarray, composition: np.ndarray, acting: tuple) -> np.ndarray:
    """The 2009 shares ``(D, M, F, 4)`` moved by the acting share levers (:func:`share_levers`), in the
    order separate collection (food, plastics), minimum material recovery, landfill ban."""
    food, plastics, minimum, ban = acting
    shares = base_shares
    if food is not None:
        shares = raise_capture(shares, FOOD, BIOLOGICAL, food)
    if plastics is not None:
        shares = raise_capture(shares, PLASTICS, MATERIAL, plastics)
    if minimum is not None:
        shares = raise_material_recovery(shares, composition, minimum)
    if ban is not None:
        shares = divert_from_landfill(shares, ban)
    return shares


def treatment_shares_after_levers(base_shares: np.ndarray, composition: np.ndarray, levers: dict) -> np.ndarray:
    """The year's treatment shares per fraction ``(D, M, F, 4)``: the 2009 shares moved by the levers
    present in ``levers`` (absent = neutral), in the order separate collection (food, plastics),
    minimum material recovery, landfill ban."""
    return shares_under(base_shares, composition, share_levers(levers))


def generation(population: np.ndarray, waste_per_capita_base: np.ndarray, composition: np.ndarray, levers: dict,
               coef: WasteCoefficients) -> np.ndarray:
    """This year's household waste by fraction [t/yr] ``(D, M, F)`` (module docstring)."""
    change = levers.get("waste_per_capita_change")
    generated = population * waste_per_capita_base * (1.0 if change is None else 1.0 + change)
    by_fraction_ = generated[..., None] * composition[:, None, :]
    food = acting(levers, "food_waste_change")
    if food is not None:
        by_fraction_[..., FOOD] *= np.maximum(1.0 + coef.food_avoidable * food, 0.0)
    return by_fraction_


def landfilled_ddocm(by_fraction_: np.ndarray, shares: np.ndarray, coef: WasteCoefficients) -> np.ndarray:
    """DDOCm landfilled this year [t C/yr] ``(D, M, F)``: waste by fraction times its landfill share and DDOCm per t."""
    return by_fraction_ * shares[..., LANDFILL] * coef.ddocm_per_t


def _flows(population: np.ndarray, waste_per_capita_base: np.ndarray, composition: np.ndarray,
           base_shares: np.ndarray, levers: dict, coef: WasteCoefficients
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """This year's generation by fraction [t/yr], shares after levers, and DDOCm landfilled [t C/yr]."""
    by_fraction_ = generation(population, waste_per_capita_base, composition, levers, coef)
    shares = treatment_shares_after_levers(base_shares, composition, levers)
    return by_fraction_, shares, landfilled_ddocm(by_fraction_, shares, coef)


@same_inputs_reused()
def _base_year_landfill(population, waste_per_capita, comp, treatment_shares, weights, ddocm_per_t, decay,
                        population_growth, waste_growth, share_early, decline_start):
    """Treatment shares per fraction in 2009 ``(D, M, F, 4)`` [1] (:func:`fit_fraction_shares`) and the
    uncalibrated landfill stock built up to 2008 ``(D, M, F)`` [t C] (:func:`landfill.legacy_pool`):
    the costly part of :func:`init_state`, which the calibration factors do not touch."""
    base_shares = fit_fraction_shares(comp, treatment_shares, weights)
    stock = landfill.legacy_pool(population, waste_per_capita, comp, base_shares[..., LANDFILL], ddocm_per_t,
                                 decay, population_growth, waste_growth, share_early, decline_start,
                                 FIRST_DEPOSIT_YEAR, dims.BASE_YEAR)
    return base_shares, stock


def init_state(population: np.ndarray, waste_per_capita: np.ndarray, treatment_shares: np.ndarray,
               params: Params, calibration: dict[str, np.ndarray] | None = None) -> WasteState:
    """The base year 2009, with the landfill stock built by a pre-run from 1960.

    population: ``(D, M)`` inhabitants; waste_per_capita: ``(D, M)`` household waste
    [t/cap/yr]; treatment_shares: ``(D, M, 4)`` over ``dims.TREATMENTS``, summing to 1.
    Calibration factors (``(D, M)``, missing = 1) act on:
    ``landfill_gas`` the DDOCm stock deposited up to 2008 (the inventory counts every
    landfill in the municipality, incl. industrial and regional waste);
    ``wastewater`` the per-capita emission factors; ``biological_treatment`` the
    emission factors of composting and digestion. The parameters are read here once
    (:func:`coefficients`); :func:`advance` and :func:`account` use the state's copy.
    """
    coef = coefficients(params)
    comp = composition(params)
    base_shares, stock = _base_year_landfill(
        population, waste_per_capita, comp, treatment_shares, sorting_weights(params), coef.ddocm_per_t[:, 0],
        coef.decay[:, 0], params["waste.history.population_growth"],
        params["waste.history.waste_per_capita_growth"], params["waste.history.landfill_share_early"],
        params["waste.history.landfill_decline_start"])
    by_fraction_, shares, deposited = _flows(population, waste_per_capita, comp, base_shares, {}, coef)
    unit = np.ones(population.shape)
    uncalibrated = WasteState(
        year=dims.BASE_YEAR, waste_per_capita_base=waste_per_capita, composition=comp,
        base_shares=base_shares, shares=shares, waste_by_fraction=by_fraction_, ddocm_stock=stock,
        ddocm_deposited=deposited, wastewater_factor=unit, biological_factor=unit, coef=coef)
    return calibrated(uncalibrated, calibration)


def _factor(calibration: dict[str, np.ndarray] | None, source: str, shape: tuple) -> np.ndarray:
    """The calibration factor of ``source`` ``(D, M)`` [1], 1 where missing."""
    return np.broadcast_to(np.asarray((calibration or {}).get(source, 1.0), dtype=float), shape)


def calibrated(bottom_up: WasteState, calibration: dict[str, np.ndarray] | None) -> WasteState:
    """The 2009 state with the calibration factors, made from the bottom-up one (:func:`init_state` without
    factors): equal to ``init_state`` with the factors. The factors scale the legacy landfill stock and the
    emission factors of wastewater and biological treatment; the fitted treatment shares and the year's
    flows do not depend on them and are kept."""
    shape = bottom_up.ddocm_stock.shape[:2]
    # The bottom-up stock is the uncalibrated one: factors of 1 leave every value as it is.
    legacy = bottom_up.ddocm_stock * _factor(calibration, "landfill_gas", shape)[..., None]
    return replace(bottom_up, ddocm_stock=legacy, wastewater_factor=_factor(calibration, "wastewater", shape),
                   biological_factor=_factor(calibration, "biological_treatment", shape))


def advance(state: WasteState, population: np.ndarray, levers: dict, params: Params, year: int) -> WasteState:
    """From ``year - 1`` to ``year``: last year's deposit joins the decaying stock, then
    this year's waste is generated and treated under this year's levers.

    ``stock(t) = deposit(t-1) + stock(t-1) * exp(-k)`` [t C] (:func:`landfill.carried_over`, the pool part of
    :func:`landfill.fod_step`).
    Levers (``(D, M)``, absent = neutral): ``waste_per_capita_change``, ``food_waste_change``,
    ``food_separation_min``, ``plastics_separation_min``, ``material_recovery_share_min``,
    ``landfill_ban``. ``params`` is not read again (the state holds its coefficients), and the
    treatment shares are made again only when their levers (:data:`SHARE_LEVERS`) change.
    """
    if year != state.year + 1:
        raise ValueError(f"waste: advance to {year} from {state.year}; years must be consecutive")
    c = state.coef
    stock = landfill.carried_over(state.ddocm_stock, state.ddocm_deposited, c.kept)
    by_fraction_ = generation(population, state.waste_per_capita_base, state.composition, levers, c)
    acting = share_levers(levers)
    if same_share_levers(acting, state.share_levers):
        # The shares follow the 2009 shares (fixed) and these levers only: as they are, so are the shares.
        shares, acting = state.shares, state.share_levers
    else:
        shares = shares_under(state.base_shares, state.composition, acting)
        acting = tuple(None if a is None else np.array(a) for a in acting)   # a copy, as the state keeps it
    return replace(state, year=year, shares=shares, waste_by_fraction=by_fraction_, ddocm_stock=stock,
                   ddocm_deposited=landfilled_ddocm(by_fraction_, shares, c), share_levers=acting)


def account(state: WasteState, population: np.ndarray, levers: dict, params: Params, year: int) -> dict:
    """Emissions and flows of ``year``; does not change the state.

    Landfill CH4 comes from the stock at the end of last year (this year's deposit
    decays from next year); recovered CH4 is ``max(r, lever landfill_gas_recovery_min)``
    of the generated. Biological treatment is split into composted and digested
    (:func:`composted_and_digested`, lever ``food_digestion_share_min``); the digested
    waste yields biomethane. Waste flows were set by :func:`advance` (for 2009 by
    :func:`init_state`: the observed base year, so waste levers act from 2010).
    Wastewater scales with ``population`` of this year.

    Returns ``"emissions"``: {source: ``(D, M, 4)`` gas masses [t/yr] over ``dims.GASES``}
    and flows ``(D, M)`` [t/yr] unless noted: ``waste_generated``, ``waste_by_treatment``
    ``(D, M, 4)``, ``waste_by_fraction`` ``(D, M, F)``, ``landfill_ch4_generated``,
    ``landfill_ch4_recovered`` [t CH4/yr], ``incinerated``, ``incineration_fossil_co2``
    [t CO2/yr], ``incineration_fossil_co2_per_t`` [t CO2/t] (0 where nothing is incinerated),
    ``landfill_ddocm_stock`` [t C], ``composted``, ``digested``, ``biogas_produced`` [GWh/yr]
    and ``consumption_emissions`` [t CO2e/yr] (:mod:`framtid.model.consumption`, with lever
    ``green_procurement_reduction``).
    """
    if year != state.year:
        raise ValueError(f"waste: account for {year} but the state describes {state.year}")
    c = state.coef
    decomposed = landfill.decomposing(state.ddocm_stock, c.decomposed)
    generated = landfill.methane_generated(trailing_sum(decomposed), c.ch4_share)
    recovery = c.gas_recovery
    if "landfill_gas_recovery_min" in levers:
        recovery = np.maximum(recovery, levers["landfill_gas_recovery_min"])
    recovered = generated * recovery
    emitted = landfill.methane_emitted(generated, recovered, c.landfill_oxidation)

    waste, shares = state.waste_by_fraction, state.shares                                    # (D, M, F), (D, M, F, 4)
    # Sums over fractions by einsum: numpy's sums over a middle or a short last axis are slower.
    by_treatment = np.einsum("dmf,dmfj->dmj", waste, shares)
    incinerated = by_treatment[..., INCINERATION]
    fossil = np.einsum("dmf,dmf,dxf->dm", waste, shares[..., INCINERATION], c.fossil_co2)

    bio = by_treatment[..., BIOLOGICAL]
    composted, digested = composted_and_digested(bio, waste[..., FOOD] * shares[..., FOOD, BIOLOGICAL],
                                                 c.composting_share, levers.get("food_digestion_share_min", 0.0))
    bio_ef = state.biological_factor

    emissions = {source: np.zeros(population.shape + (len(dims.GASES),))
                 for source in ("landfill_gas", "wastewater", "biological_treatment")}
    emissions["landfill_gas"][..., CH4] = emitted
    emissions["biological_treatment"][..., CH4] = bio_ef * (
        composted * c.ef_ch4_composting + digested * c.ef_ch4_digestion) / KG_PER_T
    emissions["biological_treatment"][..., N2O] = bio_ef * (
        composted * c.ef_n2o_composting + digested * c.ef_n2o_digestion) / KG_PER_T
    ww_ef = state.wastewater_factor
    emissions["wastewater"][..., CH4] = wastewater_emissions(population, ww_ef * c.wastewater_ch4)
    emissions["wastewater"][..., N2O] = wastewater_emissions(population, ww_ef * c.wastewater_n2o)

    base = population * state.waste_per_capita_base
    food_share = state.composition[:, None, FOOD]
    food_now = state.waste_by_fraction[..., FOOD]
    footprint = consumption.emissions(population, base * food_share, food_now, base * (1.0 - food_share),
                                      trailing_sum(state.waste_by_fraction) - food_now,
                                      levers.get("green_procurement_reduction", 0.0), c.consumption)
    return {
        "emissions": emissions,
        "waste_generated": trailing_sum(by_treatment),
        "waste_by_treatment": by_treatment,
        "waste_by_fraction": state.waste_by_fraction,
        "landfill_ch4_generated": generated,
        "landfill_ch4_recovered": recovered,
        "landfill_ddocm_stock": trailing_sum(state.ddocm_stock),
        "incinerated": incinerated,
        "incineration_fossil_co2": fossil,
        "incineration_fossil_co2_per_t": np.divide(fossil, incinerated, out=np.zeros_like(fossil),
                                                   where=incinerated > 0.0),
        "composted": composted,
        "digested": digested,
        "biogas_produced": digested * c.biogas_yield / KWH_PER_GWH,
        "consumption_emissions": footprint,
    }


class Waste:
    """Waste in the simulation's protocol (``submodels/__init__.py``)."""

    name, decided_by, emits = "waste", None, True

    def init_state(self, ctx) -> WasteState:
        inp, d = ctx.inputs, ctx.params.n_draws
        return init_state(ctx.population, np.broadcast_to(inp.waste_per_capita, (d, len(dims.MUNICIPALITIES))),
                          np.broadcast_to(inp.treatment_shares, (d,) + inp.treatment_shares.shape), ctx.params,
                          ctx.factors)

    def calibrated(self, bottom_up: WasteState, ctx) -> WasteState:
        return calibrated(bottom_up, ctx.factors)

    def advance(self, state: WasteState, ctx) -> WasteState:
        return advance(state, ctx.population, ctx.levers, ctx.params, ctx.year)

    def account(self, state: WasteState, ctx) -> dict:
        return account(state, ctx.population, ctx.levers, ctx.params, ctx.year)


SUBMODEL = Waste()
