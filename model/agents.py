"""The actors: municipalities and household cohorts (Mesa agents).

Agents are few and hold no stocks: vehicle fleets, buildings and landfills are
numpy arrays owned by the submodels. What agents own is *decisions*:

* a :class:`Municipality` follows its own climate target and, each year, takes
  stock of how far it is from it (recorded as ``target_gap``), then decides which of
  the measures on its agenda (``adoption = "adaptive"``) to adopt: the rule in
  ``adoption.py`` weighs that gap, each measure's expected effect and cost, public
  acceptance and the peers in the programme that have the measure already;
* a :class:`HouseholdCohort` (the residents of one zone type in one municipality)
  chooses how to travel and which car to buy. Heating systems are chosen per
  municipality and building type when a system reaches the end of its life, inside
  the building-stock step (``submodels.heating_choice.heating_systems``).

A cohort's decision rule is applied to all cohorts at once as array operations
(``decide_all``), so a year costs a fixed few dozen numpy calls however many
cohorts or Monte Carlo draws there are; each agent is a named view on its slice.
"""

from __future__ import annotations

import numpy as np

from . import adoption, dims, prices
from .mesa_core import Agent


class Municipality(Agent):
    """One of the 13 municipalities, with its own emission target."""

    def __init__(self, model, index: int, target: tuple[int, int, float] | None):
        super().__init__(model)
        self.index = index
        self.id = dims.MUNICIPALITIES[index]
        self.region = dims.REGION_OF[self.id]
        # (base year, target year, relative change), e.g. (2009, 2030, -0.95) for Oslo.
        self.target = target
        self.target_gap = np.full(model.n_draws, np.nan)
        self.relative_gap = np.zeros(model.n_draws)   # target_gap / base-year emissions; 0 without a target

    def target_path(self, year: int) -> np.ndarray | None:
        """Emissions on the straight line from the target's base year to its target [t CO2e/yr]."""
        if self.target is None:
            return None
        base_year, target_year, change = self.target
        if not dims.BASE_YEAR <= base_year <= year:
            return None
        base = self.model.total_emissions(self.index, base_year)
        share = min(1.0, (year - base_year) / (target_year - base_year))
        return base * (1.0 + change * share)

    def deliberate(self, year: int) -> None:
        """Take stock: last year's emissions against the target path (positive = above the path)."""
        path = self.target_path(year - 1)
        if path is not None:
            self.target_gap = self.model.total_emissions(self.index, year - 1) - path
            self.relative_gap = self.target_gap / self.model.total_emissions(self.index, self.target[0])

    @classmethod
    def decide_adoptions(cls, model, year: int) -> np.ndarray:
        """Which measures on the agenda every municipality adopts this year, (D, M, J) bool.

        All municipalities decide at once on last year's state (so the order of agents cannot
        matter); see ``adoption.py`` for the rule and its parameters.
        """
        agenda, params, k = model.agenda, model.params, year - dims.BASE_YEAR
        municipalities = sorted(model.agents_by_type[cls], key=lambda a: a.index)
        gap = np.stack([a.relative_gap for a in municipalities], axis=1)                 # (D, M)
        emissions = model.emission_totals(k - 1)                                          # (D, M)
        carbon_value = model.lever_paths["co2_tax_road_nok_per_t"][k - 1].max(axis=-1)    # (D, M)
        expected = adoption.expected_abatement(agenda, params, model.years, year)         # (D, M, J)
        to_2009 = prices.to_real_2009(adoption.COST_PRICE_YEAR)
        fires = np.zeros(agenda.adopted.shape, dtype=bool)
        for j, meas in enumerate(agenda.adaptive):
            if not meas.start_year <= year <= (meas.end_year or dims.FINAL_YEAR):
                continue
            peers = adoption.peer_share(agenda.kind_in_force(meas.kind, model.years, k - 1))
            acceptance = (params[f"adoption.acceptance.{meas.kind}"][:, None] if meas.acceptance is None
                          else meas.acceptance)
            fires[:, :, j] = adoption.rule_fires(
                cost=params[f"adoption.cost.{meas.kind}"][:, None] * to_2009, peer_share=peers,
                novelty_premium=params["adoption.novelty_premium"][:, None], carbon_value=carbon_value,
                relative_gap=gap, urgency_weight=params["adoption.urgency_weight"][:, None],
                expected_abatement=expected[:, :, j], emissions=emissions,
                min_effect_share=params["adoption.min_effect_share"][:, None], acceptance=acceptance,
                peer_gain=params["adoption.peer_support_gain"][:, None],
                majority=params["adoption.majority"][:, None], leadership=params["adoption.leadership"][:, None])
        return fires & agenda.on_agenda[None] & np.isnan(agenda.adopted)


class HouseholdCohort(Agent):
    """The residents of one zone type (A, B or C) in one municipality."""

    def __init__(self, model, municipality: int, zone: int):
        super().__init__(model)
        self.municipality = municipality
        self.zone = zone

    @property
    def mode_shares(self) -> np.ndarray:
        """This cohort's trip shares by purpose, period and mode, (D, P, T, 5)."""
        return self.model.choices["transport"]["travel"]["modes"][:, self.municipality, self.zone]

    @property
    def new_car_shares(self) -> np.ndarray:
        """Powertrain shares of the cars this cohort buys this year, (D, K)."""
        return self.model.choices["transport"]["cars"][:, self.municipality, self.zone]

    @classmethod
    def decide_all(cls, model, submodel, state, ctx) -> dict[str, np.ndarray]:
        """Every cohort's travel and car-purchase choice this year, as array operations.

        Mode choice is a pivot-point logit on the change in generalised cost since
        2009; car purchase a logit on total cost of ownership with a peer effect of
        the local electric-car fleet (``submodels.transport``, ``submodels.car_powertrains``).
        """
        return submodel.choose(state, ctx)
