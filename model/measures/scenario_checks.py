"""What a scenario's measures do that is allowed but likely not meant: one line each, which ``framtid validate``
and ``framtid run`` print as warnings (:func:`scenario_warnings`).

Each check is a function of the measures in force (after ``replaces``), returning its warnings: measures that set
the same lever cells in the same years (:func:`overlaps`) or add up beyond a lever's range, replaced policies of
other levers, capture where no incinerator stands, oil-heating bans announced out of step, values likely written
in another unit, standards no stricter than the code, deep fare cuts and ramps past 2050; the toll checks are in
:mod:`.toll_checks`. What several checks read of the scenario (its lever paths, which cordons it charges) is made
once, when first asked for (:class:`.check_facts.Facts`). What would do nothing at all is refused where the
scenario is read instead (``scenario_measures``, ``scenario_inheritance``).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from .. import dims
from ..levers import LEVERS
from . import KINDS, Measure, field_levers, lever_targets, setting_order
from .check_facts import Facts, active_years
from .replacement_checks import replacement_warnings, set_away_from_neutral
# the toll checks, with the others in CHECKS (and read from here by name)
from .toll_checks import (bev_free_by_default, bev_parking_rate_above_national_cap, bev_rate_above_national_cap,
                          cordonless, twin_cordons)

# [NOK/t CO2] below this a CO2 tax is more likely NOK per litre written in a field of NOK per tonne (1 NOK/l of
# diesel is about 375 NOK/t; the rates of 2009 were 215-363 NOK/t, policies-2009.toml).
CO2_TAX_SLIP = 20.0
# What a rate of the co2_tax fields is near, for the warning of a rate written per litre or kg
CO2_TAX_KNOWN = {
    "road_fuel_nok_per_t": "the 2009 rates were 215-363; 1 NOK/l of diesel is about 375 NOK/t",
    "heating_oil_nok_per_t": "the 2009 rate was 215; 1 NOK/l of heating oil is about 375 NOK/t",
    "heating_gas_nok_per_t": "none in 2009, 500 in 2018: LPG 1.50 NOK/kg",
}


def _targets(m: Measure) -> dict:
    """:func:`lever_targets` of ``m``, a lever that sets one thing with another (``Lever.shares_cells_with``: the
    buses' biogas share, set outright or from the food waste digested for them) under the other's name, so the
    checks compare them as two settings of one lever."""
    return {LEVERS[lever].shares_cells_with or lever: t for lever, t in lever_targets(m).items()}


def overlaps(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for pairs of measures that set the same cells of a lever for the same
    municipality in overlapping years (they combine by the lever's rule; say so, or end one
    of them with ``replaces`` or ``end_year``)."""
    warnings = []
    cells = [(m, {lever: np.asarray(t, dtype=float) for lever, t in _targets(m).items()}) for m in measures]
    for i, (a, ta) in enumerate(cells):
        for b, tb in cells[i + 1:]:
            if a.label in b.replaces or b.label in a.replaces:
                continue   # a replacement ramping from the measure it ends
            shared_munis = sorted(set(a.municipalities) & set(b.municipalities),
                                  key=dims.MUNICIPALITIES.index)
            (a0, a1), (b0, b1) = active_years(a), active_years(b)
            if not shared_munis or max(a0, b0) > min(a1, b1):
                continue
            first = min((a, b), key=setting_order)
            for lever in sorted(set(ta) & set(tb)):
                both = ~np.isnan(ta[lever]) & ~np.isnan(tb[lever])
                if LEVERS[lever].combine == "replace":
                    # a setting the later one re-sets from the lever's neutral value is no conflict: the measure of
                    # the fuel mix of district heat that writes access = 1 (no change) beside it
                    both &= set_away_from_neutral(lever, (ta if first is a else tb)[lever])
                if np.any(both):
                    where = ", ".join(shared_munis) if len(shared_munis) < 13 else "all municipalities"
                    rule = LEVERS[lever].combine
                    how = {"replace": "the later start is in force", "add": "their changes add up",
                           "max": "the stronger applies"}[rule]
                    if a.start_year == b.start_year:
                        if rule == "replace":
                            # a tie goes by label, kind and values (setting_order), never by the order in the file
                            last = max((a, b), key=setting_order)
                            how = (f"both start in {a.start_year}: {last.label!r} is in force, the tie going by "
                                   "label, then kind and values")
                        # (a replacement from the same year would never let the other act, an end_year before it
                        # is refused)
                        mend = "remove one, or start one earlier"
                    else:
                        earlier, later = (a, b) if a.start_year < b.start_year else (b, a)
                        mend = (f"to end the earlier one, give replaces = {earlier.label!r} in {later.origin}, or "
                                "an end_year")
                    warnings.append(
                        f"{b.origin}: overlaps {a.origin} ({a.label!r}) on lever {lever} for {where} in "
                        f"{max(a0, b0)}-{min(a1, b1)}; combined by rule '{rule}' ({how}); {mend}")
    if len(warnings) > MAX_OVERLAPS:
        # every pair is one warning: a file of 500 measures on one lever gave 124 750 lines
        warnings = warnings[:MAX_OVERLAPS] + [
            f"... and {len(warnings) - MAX_OVERLAPS} more overlaps of pairs of measures (the first {MAX_OVERLAPS} "
            "are shown); end each measure with replaces or end_year where the next one starts"]
    return warnings


MAX_OVERLAPS = 50   # overlap warnings shown; the rest counted in one line


def replaced_across_levers(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for a measure that ends, by ``replaces``, one that sets other levers (a fare cut naming a toll
    ring): allowed, a policy switched for another, but a label copied by mistake would end a scheme unseen."""
    warnings = []
    for m in measures:
        mine = set(_targets(m)) if m.replaces else set()
        for lab in m.replaces:
            named = [x for x in measures if x.label == lab and x is not m]
            if named and not any(mine & set(_targets(x)) for x in named):
                kinds = ", ".join(dict.fromkeys(x.kind for x in named))
                warnings.append(f"{m.origin}: replaces {lab!r}, a {kinds} that sets none of this {m.kind}'s levers: "
                                f"it ends that policy in {', '.join(m.municipalities)} from {m.start_year} rather "
                                "than changing it; if that is not meant, remove the label from replaces")
    return warnings


WASTE_MINIMUMS = ("food_separation_min", "plastics_separation_min", "material_recovery_share_min",
                  "landfill_gas_recovery_min")


@lru_cache(maxsize=1)
def _waste_2009() -> dict[str, np.ndarray]:
    """What each waste minimum is in 2009 at the default parameters, per municipality ``(M,)`` [1]: the food
    and plastics sorted (food to biological treatment, plastics to material recovery), the material recovery
    share of all household waste and the landfill CH4 recovered."""
    from .. import base_year
    from ..parameters import Params
    from ..submodels import waste, waste_generation as wg

    inputs, params = base_year.load(), Params.defaults(1)
    state = waste.init_state(inputs.population_2009[None], inputs.waste_per_capita[None],
                             inputs.treatment_shares[None], params)
    shares, comp = state.shares[0], state.composition[0]                             # (M, F, 4), (F,)
    return {"food_separation_min": shares[:, wg.FOOD, wg.BIOLOGICAL],
            "plastics_separation_min": shares[:, wg.PLASTICS, wg.MATERIAL],
            "material_recovery_share_min": comp @ shares[..., wg.MATERIAL].T,
            "landfill_gas_recovery_min": np.full(len(dims.MUNICIPALITIES), params["waste.landfill_gas_recovery"][0])}


def _minimums_met(measures) -> list[tuple[Measure, str, float, np.ndarray, str]]:
    """Each waste minimum of ``measures`` (a capture rate of sorting, a material recovery share, a landfill-gas
    recovery) that some of its municipalities had reached in 2009 at the default parameters: (measure, the field
    that sets it, its value, which of its municipalities had reached it (bool), the lever)."""
    def field_of(m: Measure, lever: str) -> str:
        """The field of ``m`` that sets ``lever`` alone (the lever's name where none does)."""
        for f in KINDS[m.kind].fields:
            if m.values.get(f.name) is None:
                continue
            try:
                if lever in field_levers(m, f.name):
                    return f.name
            except (KeyError, TypeError):   # a kind whose levers need several fields together
                continue
        return lever

    out = []
    for m in measures:
        levers = lever_targets(m)
        for lever in sorted(set(levers) & set(WASTE_MINIMUMS)):
            level = _waste_2009()[lever][[dims.MUNICIPALITIES.index(x) for x in m.municipalities]]
            value = float(np.max(levers[lever]))
            met = value <= level + 1e-9
            if met.any():
                out.append((m, field_of(m, lever), value, met, lever))
    return out


def _given(m: Measure, name: str, lever: str) -> str:
    return "" if name in m.given or name == lever else " (the field's default)"


def minimums_already_met(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for a waste minimum no higher than what every one of its municipalities had in 2009: a minimum
    raises what falls short of it and leaves the rest, so it changes nothing (a food capture of 0.2 where 2009
    sorted 0.3)."""
    warnings = []
    for m, name, value, met, lever in _minimums_met(measures):
        if met.all():
            level = _waste_2009()[lever][[dims.MUNICIPALITIES.index(x) for x in m.municipalities]]
            warnings.append(f"{m.origin}: {name} = {value:g}{_given(m, name, lever)} is no higher than what its "
                            f"municipalities had in 2009 at the default parameters ({level.min():.2f} to "
                            f"{level.max():.2f}; {lever}), so this minimum changes nothing there (in sampled "
                            "draws it may); give more than that")
    return warnings


def partly_met_minimums(own: Sequence[Measure]) -> list[str]:
    """Warnings for a waste minimum of the scenario's own measures (``own``: those it extends were warned of in
    their own file) that some of its municipalities, not all, had reached in 2009: it acts in the others only (a
    material recovery share of 0.42 for all 13 acts in Oslo alone)."""
    warnings = []
    for m, name, value, met, lever in _minimums_met(own):
        if not met.all():
            idle = [x for x, done in zip(m.municipalities, met) if done]
            acts = [x for x, done in zip(m.municipalities, met) if not done]
            warnings.append(f"{m.origin}: {name} = {value:g}{_given(m, name, lever)} is no higher than what "
                            f"{len(idle)} of its {len(met)} municipalities had in 2009 at the default parameters "
                            f"({lever}): it changes nothing in {', '.join(idle)} (in sampled draws it may) and acts "
                            f"in {', '.join(acts)} only")
    return warnings


def unit_slips(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for values more likely written in another unit than the field's: a CO2 tax of a few NOK per
    tonne (NOK per litre?), which abolishes the tax in effect; a fare or service change above +100 % (a factor
    such as 1.2 written where the field is a relative change, 0.2); a toll factor below 0.5 (a relative change
    such as 0.2 written where the field is a factor, 1.2)."""
    warnings = []
    for m in measures:
        if m.kind in ("pt_fare", "pt_service") and np.any(np.asarray(m.values.get("change"), dtype=float) > 1.0):
            change = float(np.max(m.values["change"]))
            warnings.append(f"{m.origin}: change = {change:g} is {100 * change:+.0f} % (the field is a relative "
                            f"change: +20 % is 0.2); for a factor of {change:g} write {change - 1:g}")
        elif m.kind == "toll_change" and np.any(np.asarray(m.values.get("factor"), dtype=float) < 0.5):
            low = float(np.nanmin(np.asarray(m.values["factor"], dtype=float)))
            warnings.append(f"{m.origin}: factor = {low:g} cuts the tolls by {100 * (1 - low):.0f} % (the field is "
                            f"a factor: +20 % is 1.2); for a change of {low:+g} write {1 + low:g}")
        elif m.kind == "co2_tax":
            for name, known in CO2_TAX_KNOWN.items():
                value = m.values.get(name)
                low = [] if value is None else [v for v in np.atleast_1d(np.asarray(value, dtype=float))
                                                if 0.0 < v < CO2_TAX_SLIP]
                if low:
                    warnings.append(f"{m.origin}: {name} = {low[0]:g} NOK per tonne of CO2 is next to no tax "
                                    f"({known}); the field is in NOK per tonne, not per litre or kg")
    return warnings


def lax_standards(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for a new-build standard no stricter than the building code already built to: the TEK10 archetypes'
    needs (``buildings.space_heating.<type>.tek10`` at their defaults; TEK17's are lower), so the requirement changes
    nothing (95, TEK17's total energy frame for a block of flats, is not the space-heating need)."""
    from ..parameters import table

    specs = table()
    types = ("house", "apartment", "non_residential")
    code = np.array([specs[f"buildings.space_heating.{t}.tek10"].default for t in types])
    warnings = []
    for m in measures:
        value = m.values.get("space_heat_kwh") if m.kind == "new_build_standard" else None
        if value is not None and np.all(np.broadcast_to(np.asarray(value, dtype=float), code.shape) >= code):
            warnings.append(f"{m.origin}: space_heat_kwh is no stricter than the code new buildings meet already "
                            f"(TEK10: {'/'.join(f'{v:g}' for v in code)} kWh/m2 for {'/'.join(types)}; TEK17 less), "
                            "so the standard changes nothing; the field is the net space-heating and ventilation "
                            "need, not the total energy frame")
    return warnings


# [1] A fare cut deeper than this lies beyond the changes the fare elasticity was measured on
DEEP_FARE_CUT = -0.5
# what a cut beyond DEEP_FARE_CUT does, by kind: the fare's cost coefficient and the service's waits (half the
# headway, which a deep cut multiplies) are carried by the same logit far beyond the changes they were set on
DEEP_CUTS = {
    "pt_fare": ("cuts fares by more than half, beyond the changes the fare elasticity was measured on; the model's "
                "answer grows with the cut as for an ordinary one (fare-free, about +40 % public-transport trips in "
                "the first year and +120 % after ten), well above the +10 to +36 % of fare-free trials: read it as "
                "an upper end"),
    "pt_service": ("cuts public-transport service by more than half, beyond the changes the service elasticity was "
                   "measured on; the waits grow with the headway and the model's answer with them (most "
                   "public-transport trips gone within a year): read it as an upper end"),
}


def deep_fare_cuts(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for a fare cut of more than half (and a cut of more than half of the service, whose waits the
    same logit carries as far): the cost coefficient is calibrated to the fare elasticity of
    ordinary changes (``transport.fare_elasticity``), and the logit carries it unchanged to a free fare, where
    it gives far more riders than fare-free trials saw (+10 to +36 % in the short run, reference measures
    pt_fare, low confidence; the model: about +40 % in the first year and +120 % after ten)."""
    warnings = []
    for m in measures:
        what = DEEP_CUTS.get(m.kind)
        change = m.values.get("change") if what else None
        if change is not None and float(change) < DEEP_FARE_CUT:
            warnings.append(f"{m.origin}: change = {float(change):g} {what}")
    return warnings


def unfinished_ramps(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for a ramp that runs past 2050, so the measure never reaches full strength (strength
    (t - start + 1) / ramp_years, ``levers.strength``). A ramp cut short by the measure that replaces it is how a
    change in the middle of a year is written (the toll history), so only the run's end counts."""
    warnings = []
    for m in measures:
        full = m.start_year + m.ramp_years - 1
        if m.ramp_years > 1 and full > dims.FINAL_YEAR:
            reached = (dims.FINAL_YEAR - m.start_year + 1) / m.ramp_years
            warnings.append(f"{m.origin}: ramp_years = {m.ramp_years} from {m.start_year} would reach full strength in "
                            f"{full}, after {dims.FINAL_YEAR}: it reaches {reached:.0%} of it")
    return warnings


def plantless(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for carbon capture at waste incineration in municipalities that host no incinerator (reporting to
    the plant register from 2009, or opened since): the plant's emissions are counted where it stands, so there
    the measure changes nothing."""
    from ..data_store import plants, plants_opened

    hosts = ({p.municipality for p in plants() if p.category == "waste_incineration" and p.year >= dims.BASE_YEAR}
             | {p.municipality for p in plants_opened() if p.category == "waste_incineration"})
    warnings = []
    for m in measures:
        idle = [mu for mu in m.municipalities if mu not in hosts]
        if m.kind == "incineration_ccs" and idle and len(m.municipalities) < len(dims.MUNICIPALITIES):
            warnings.append(f"{m.origin}: {', '.join(idle)} host{'s' if len(idle) == 1 else ''} no waste "
                            "incinerator (its emissions are counted where the plant stands: "
                            f"{', '.join(sorted(hosts))}), so this incineration_ccs changes nothing there")
    return warnings


def unforeseeable_bans(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for an announced or adopted oil-heating ban with nothing to foresee: no forced ``oil_heating_ban``
    in its municipalities after its start (an adaptive ban is foreseen only once adopted), a ban already in force
    when it starts, or an adoption whose start year and lead time disagree with the ban's first year."""
    warnings = []
    verbs = {"oil_heating_ban_announcement": ("announces", "announcement"),
             "oil_heating_ban_adoption": ("adopts", "adoption")}
    for m in measures:
        if m.kind not in verbs:
            continue
        bans = [b for b in measures if b.kind == "oil_heating_ban" and b.adoption == "forced"
                and set(b.municipalities) & set(m.municipalities)
                and (b.end_year is None or b.end_year >= m.start_year)]
        verb, noun = verbs[m.kind]
        if not bans:
            warnings.append(f"{m.origin}: {verb} an oil-heating ban, but no forced oil_heating_ban measure "
                            f"schedules one in {', '.join(m.municipalities)}; the {noun} changes nothing "
                            "(an adaptive ban is foreseen only once adopted)")
            continue
        first = min(b.start_year for b in bans)
        if m.start_year >= first:
            warnings.append(f"{m.origin}: {verb} the oil-heating ban in {m.start_year}, but the ban is in force from "
                            f"{first}; an {noun} acts only before the ban, so it changes nothing")
        elif m.kind == "oil_heating_ban_adoption":
            lead = float(m.values["lead_years"])
            if abs(first - lead - m.start_year) >= 1.0:
                warnings.append(f"{m.origin}: adopted in {m.start_year} with lead_years = {lead:g} before a ban from "
                                f"{first}: the owners convert over the {lead:g} years before the ban (from "
                                f"{first - lead:g}) whatever start_year says; make start_year and lead_years agree")
    return warnings


def beyond_range(measures: list[Measure], facts: Facts | None = None) -> list[str]:
    """Warnings for levers whose settings add up (rule ``add``) beyond the lever's range in some municipality
    and years: the run holds them at the bound (:func:`~framtid.model.measures.lever_paths`). The measures are
    read as written, every one in force: where some act in some draws only (adopted adaptively), a draw without
    one that pulls the other way may be held without a warning."""
    added = sorted({lever for m in measures for lever in lever_targets(m) if LEVERS[lever].combine == "add"})
    if not added:
        return []
    sums = (facts or Facts(measures)).paths            # as written, before the run holds them
    warnings = []
    for name in added:
        lv = LEVERS[name]
        path = sums[name][:, 0]                                                   # (T, M, *axes)
        for bound, outside in ((lv.low, path < lv.low - 1e-12), (lv.high, path > lv.high + 1e-12)):
            by_muni = outside.reshape(outside.shape[0], outside.shape[1], -1).any(axis=-1)        # (T, M)
            if not by_muni.any():
                continue
            years = np.flatnonzero(by_muni.any(axis=1)) + dims.BASE_YEAR
            munis = [m for m, hit in zip(dims.MUNICIPALITIES, by_muni.any(axis=0)) if hit]
            extreme = float(path[outside].min() if bound == lv.low else path[outside].max())
            who = sorted({m.origin for m in measures if name in lever_targets(m)
                          and set(m.municipalities) & set(munis)})
            warnings.append(f"{', '.join(who)}: settings of lever {name} add up to {extreme:g} for "
                            f"{', '.join(munis) if len(munis) < 13 else 'all municipalities'} in "
                            f"{years[0]}-{years[-1]}, beyond its range {lv.low:g} to {lv.high:g} [{lv.unit}]; "
                            f"the run holds it at {bound:g}")
    return warnings


CHECKS = (overlaps, beyond_range, twin_cordons, unforeseeable_bans, cordonless, replaced_across_levers, plantless,
          bev_free_by_default, bev_rate_above_national_cap, bev_parking_rate_above_national_cap,
          minimums_already_met, unit_slips, lax_standards,
          unfinished_ramps, deep_fare_cuts)


def scenario_warnings(scenario) -> list[str]:
    """Every check's warnings for ``scenario`` (a :class:`framtid.model.scenario.Scenario`), in the order of
    :data:`CHECKS` on its measures in force, then those of the measures it writes itself: minimums some of their
    municipalities met in 2009 (:func:`partly_met_minimums`) and what ``replaces`` and ``end_year`` do
    (:mod:`.replacement_checks`); its lever paths are made once for all."""
    measures = list(scenario.measures)
    facts = Facts(measures)
    return ([w for check in CHECKS for w in check(facts.measures, facts)]
            + partly_met_minimums(scenario.own) + replacement_warnings(measures, scenario.own))
