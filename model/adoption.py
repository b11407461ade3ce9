"""Adaptive adoption: the rule by which a municipality takes up a measure, and what it reads.

A measure written with ``adoption = "adaptive"`` is on the agenda of each of its
municipalities from its ``start_year`` to its ``end_year``. At the start of every year the
municipality weighs each measure on its agenda with what it knew at the end of the year
before, and adopts it (it starts that year, with its ``ramp_years``) when three tests pass:

1. **Worth it** — the cost it expects per tonne is at most the value it puts on a tonne::

       perceived cost  c* = c_kind * (1 + pi * (1 - p))              [NOK/t CO2e]
       value           v  = v_CO2 * (1 + w * max(0, g))               [NOK/t CO2e]

   ``c_kind`` is the kind's abatement cost (Klimakur 2030 cost classes,
   ``adoption.cost.<kind>``); ``pi`` the premium on a measure no peer has tried
   (``adoption.novelty_premium``); ``p`` the share of the other programme municipalities that
   have a measure of the kind in force; ``v_CO2`` the national CO2 tax on road fuel in force,
   the state's own price of a tonne; ``g`` how far last year's emissions were above the
   municipality's straight-line target path, as a share of its emissions in the target's base
   year (a gap that stays bounded as the path nears a -95 % target); ``w`` the urgency weight
   (``adoption.urgency_weight``).
2. **Material** — the abatement it expects is at least a share ``m`` of its emissions
   (``adoption.min_effect_share``). The expectation is the model's own appraisal: the scenario
   run once more with each adaptive measure in force from its ``start_year`` (all in one batch
   run, one slice of the draw axis per measure), its effect on the municipality's emissions
   averaged over the ``adoption.appraisal_years`` after it would reach full strength.
3. **Supported** — public support reaches the majority the council needs::

       a + gamma * p  >=  s - lambda * max(0, g)

   ``a`` is the measure's ``acceptance`` or the kind's (``adoption.acceptance.<kind>``);
   ``gamma`` the support gained as peers show the measure working (``adoption.peer_support_gain``);
   ``s`` the majority (``adoption.majority``), lowered by ``lambda`` (``adoption.leadership``) as
   a council far off its target acts ahead of opinion, as the first toll cities did.

Peers enter twice, as the programme meant the cities to learn from each other: their
experience takes the risk premium off the cost and wins public support. Every input is read
from the year before, so the order in which municipalities decide cannot matter. Decisions
are taken per draw: with sampled parameters, adoption years have a distribution.

All coefficients are in the parameter table (``model/data/parameters/adoption.csv``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import dims, levers
from .measures import KINDS, Measure, lever_paths

# Instruments the state sets: a municipality cannot adopt them (nor announce a national ban).
NATIONAL_KINDS = frozenset({"co2_tax", "fuel_tax", "biofuel_blend", "oil_heating_ban_announcement",
                           "oil_heating_ban_adoption", "new_build_fossil_heating_ban"})   # the last: building code
COST_PRICE_YEAR = 2019   # adoption.cost.* are in 2019 NOK, as Klimakur 2030 states them


def adaptable_kinds() -> tuple[str, ...]:
    """Kinds a municipality can adopt adaptively (the three mitigation areas, municipal instruments)."""
    return tuple(sorted(k for k, kind in KINDS.items() if kind.area != "adaptation" and k not in NATIONAL_KINDS))


def check_parameters(params) -> None:
    """Every kind a municipality can adopt has its cost and acceptance in the parameter table."""
    from .errors import DataError

    kinds = adaptable_kinds()
    missing = [f"adoption.{what}.{k}" for what in ("cost", "acceptance") for k in kinds
               if f"adoption.{what}.{k}" not in params]
    if missing:
        raise DataError(f"parameters/adoption.csv: missing {', '.join(missing)}")
    params.vector("adoption.cost", kinds)
    params.vector("adoption.acceptance", kinds)


# -- the decision rule (pure functions over draws and municipalities) ----------------------------------

def perceived_cost(cost, peer_share, novelty_premium):
    """Cost a council expects per tonne [NOK/t CO2e]: ``cost * (1 + premium * (1 - peer_share))``."""
    return np.asarray(cost) * (1.0 + np.asarray(novelty_premium) * (1.0 - np.asarray(peer_share)))


def value_of_abatement(carbon_value, relative_gap, urgency_weight):
    """Value a council puts on a tonne abated [NOK/t CO2e]: the national carbon price raised by how
    far the municipality is above its target path, ``v * (1 + w * max(0, gap))``."""
    gap = np.nan_to_num(np.asarray(relative_gap, dtype=float), nan=0.0)
    return np.asarray(carbon_value) * (1.0 + np.asarray(urgency_weight) * np.maximum(gap, 0.0))


def public_support(acceptance, peer_share, peer_gain):
    """Share of the public in favour [1]: ``acceptance + gain * peer_share``, at most 1."""
    return np.minimum(np.asarray(acceptance) + np.asarray(peer_gain) * np.asarray(peer_share), 1.0)


def support_needed(majority, relative_gap, leadership):
    """Public support a council needs [1]: ``majority - leadership * max(0, gap)``."""
    gap = np.nan_to_num(np.asarray(relative_gap, dtype=float), nan=0.0)
    return np.asarray(majority) - np.asarray(leadership) * np.maximum(gap, 0.0)


def rule_fires(*, cost, peer_share, novelty_premium, carbon_value, relative_gap, urgency_weight,
               expected_abatement, emissions, min_effect_share, acceptance, peer_gain, majority, leadership):
    """Whether a municipality adopts a measure: worth it, material and supported (all broadcast)."""
    worth = perceived_cost(cost, peer_share, novelty_premium) <= value_of_abatement(
        carbon_value, relative_gap, urgency_weight)
    material = np.asarray(expected_abatement) >= np.asarray(min_effect_share) * np.asarray(emissions)
    material &= np.asarray(expected_abatement) > 0.0
    supported = public_support(acceptance, peer_share, peer_gain) >= support_needed(majority, relative_gap,
                                                                                    leadership)
    return worth & material & supported


def peer_share(in_force: np.ndarray) -> np.ndarray:
    """Share of the *other* programme municipalities with the kind in force, (D, M) from (D, M) bool."""
    n = in_force.shape[-1]
    count = in_force.sum(axis=-1, keepdims=True) - in_force
    return count / (n - 1)


def window_mean(series: np.ndarray, years: np.ndarray, first: np.ndarray, n_years: np.ndarray) -> np.ndarray:
    """Mean of ``series`` (T, D, M) over the ``n_years`` from ``first`` (D, M), cut at the last year
    (the last year alone when ``first`` is beyond it)."""
    first = np.minimum(first, years[-1])
    y = years[:, None, None]
    inside = (y >= first[None]) & (y < first[None] + n_years[None])
    return np.where(inside, series, 0.0).sum(axis=0) / inside.sum(axis=0)


# -- the agenda: what is adaptive, what was adopted ------------------------------------------------------

@dataclass
class Agenda:
    """The adaptive measures of a scenario and, per draw and municipality, when each was adopted."""

    forced: list[Measure]
    adaptive: list[Measure]
    n_draws: int

    def __post_init__(self):
        j, m = len(self.adaptive), len(dims.MUNICIPALITIES)
        self.on_agenda = np.zeros((m, j), dtype=bool)
        for i, meas in enumerate(self.adaptive):
            self.on_agenda[[dims.MUNICIPALITIES.index(x) for x in meas.municipalities], i] = True
        self.adopted = np.full((self.n_draws, m, j), np.nan)     # year adopted, NaN: not (yet)
        self.appraisal: np.ndarray | None = None                 # (J, T, D, M) t CO2e/yr abated

    @classmethod
    def of(cls, measures, n_draws: int) -> "Agenda":
        return cls([m for m in measures if m.adoption != "adaptive"],
                   [m for m in measures if m.adoption == "adaptive"], n_draws)

    def lever_paths(self, years: np.ndarray) -> dict[str, np.ndarray]:
        """Lever paths of the forced measures and of every adoption so far (per draw)."""
        measures, masks = list(self.forced), {}
        for j, meas in enumerate(self.adaptive):
            for mi in np.nonzero(self.on_agenda[:, j])[0]:
                when = self.adopted[:, mi, j]
                for year in np.unique(when[~np.isnan(when)]):
                    masks[len(measures)] = when == year
                    measures.append(replace(meas, municipalities=(dims.MUNICIPALITIES[mi],),
                                            start_year=int(year)))
        return lever_paths(measures, years, self.n_draws, masks)

    def kind_in_force(self, kind: str, years: np.ndarray, k: int) -> np.ndarray:
        """(D, M) bool: a measure of ``kind`` acts in year index ``k`` (forced, or adopted by then)."""
        out = np.zeros((self.n_draws, len(dims.MUNICIPALITIES)), dtype=bool)
        year = int(years[k])
        for meas in self.forced:
            if meas.kind == kind and levers.strength(years[k:k + 1], meas.start_year, meas.ramp_years,
                                                     meas.end_year)[0] > 0:
                out[:, [dims.MUNICIPALITIES.index(x) for x in meas.municipalities]] = True
        for j, meas in enumerate(self.adaptive):
            if meas.kind == kind and (meas.end_year is None or year <= meas.end_year):
                out |= self.adopted[:, :, j] <= year
        return out

    def adoption_years(self) -> dict[str, tuple[str, np.ndarray]]:
        """label -> (adoption, (D, M) year each measure starts: start_year if forced, the year it was
        adopted if adaptive; NaN where it is not on the agenda or never adopted)."""
        out: dict[str, tuple[str, np.ndarray]] = {}
        shape = (self.n_draws, len(dims.MUNICIPALITIES))
        for meas in self.forced:
            mode, years = out.get(meas.label, ("forced", np.full(shape, np.nan)))
            idx = [dims.MUNICIPALITIES.index(x) for x in meas.municipalities]
            years[:, idx] = np.fmin(years[:, idx], meas.start_year)
            out[meas.label] = (mode, years)
        for j, meas in enumerate(self.adaptive):
            _, years = out.get(meas.label, ("adaptive", np.full(shape, np.nan)))
            out[meas.label] = ("adaptive", np.fmin(years, self.adopted[:, :, j]))
        return out


# -- the appraisal -----------------------------------------------------------------------------------------

def appraise(model) -> np.ndarray:
    """Expected abatement of each adaptive measure, (J, T, D, M) [t CO2e/yr]: the scenario's forced
    measures run once as they are and once with each adaptive measure forced from its start_year,
    all as one batch run (the draw axis holds J + 1 copies of the draws).

    Adopted in year Y, a measure starts in Y and so re-sets an instrument (a ``replace`` lever: a fee,
    a toll) over the forced settings that started before Y. The appraisal cannot know Y, so each
    measure is set on top of every forced one: its effect is that of being the instrument's last
    setting (Oslo's parking fee of 2020 does not hide a fee Oslo may adopt in 2026). Forced settings
    that start after the adoption would in fact replace it; the appraisal then overstates the effect
    for the years after them."""
    from .parameters import Params
    from .simulation import YEARS, FramtidModel

    agenda: Agenda = model.agenda
    d, j = model.n_draws, len(agenda.adaptive)
    params = Params({name: np.tile(model.params[name], j + 1) for name in model.params.names()},
                    d * (j + 1), model.params.specs)
    masks = {len(agenda.forced) + i: np.repeat(np.arange(j + 1) == i + 1, d) for i in range(j)}
    paths = lever_paths(agenda.forced + [replace(m, adoption="forced") for m in agenda.adaptive], YEARS,
                        d * (j + 1), masks, on_top=frozenset(masks))
    batch = FramtidModel(model.scenario, params, seed=model._seed, inputs=model.inputs, paths=paths)
    batch.run()
    total = batch.emission_totals()                                     # (T, (J+1)*D, M)
    total = total.reshape(len(YEARS), j + 1, d, -1)
    return np.moveaxis(total[:, :1] - total[:, 1:], 1, 0)              # (J, T, D, M)


def expected_abatement(agenda: Agenda, params, years: np.ndarray, year: int) -> np.ndarray:
    """(D, M, J): what each adaptive measure would abate a year if adopted in ``year``, from the
    appraisal, averaged over ``adoption.appraisal_years`` from the year it would reach full strength."""
    d, m = agenda.n_draws, len(dims.MUNICIPALITIES)
    n_years = np.broadcast_to(np.round(params["adoption.appraisal_years"])[:, None], (d, m))
    out = np.zeros((d, m, len(agenda.adaptive)))
    for j, meas in enumerate(agenda.adaptive):
        first = np.full((d, m), year + max(meas.ramp_years, 1) - 1)
        out[:, :, j] = window_mean(agenda.appraisal[j], years, first, n_years)
    return out
