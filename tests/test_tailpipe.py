"""Tests of the fuel blend and the tailpipe gases."""

import numpy as np
import pytest

from framtid.model.submodels import tailpipe


def test_blend_volumes_conserve_energy():
    # 9 024 kWh of petrol energy, 10 % ethanol by volume at 0.65 energy ratio:
    # L = 9024 / (9.024 * (0.9 + 0.065)) = 1036.27 L; fossil 932.64 L, bio 103.63 L
    fossil, bio = tailpipe.blend_volumes(9024.0, 0.1, 9.024, 0.65)
    assert fossil == pytest.approx(932.642, rel=1e-5)
    assert bio == pytest.approx(103.627, rel=1e-5)
    assert fossil * 9.024 + bio * 9.024 * 0.65 == pytest.approx(9024.0)


def test_tailpipe_gases_hand_case():
    # 1000 L fossil x 2.32 kg/L = 2.32 t CO2; 1100 L burnt x 0.3 g/L = 0.00033 t CH4, x 0.06 g/L N2O
    gases = tailpipe.tailpipe_gases(np.array(1000.0), np.array(1100.0), 2.32, 0.3, 0.06)
    np.testing.assert_allclose(gases, [2.32, 0.00033, 0.000066, 0.0], rtol=1e-12)


@pytest.mark.parametrize("year, mandate", [(2023, 0.17), (2024, 0.19)])
def test_current_policies_blend_at_least_what_the_mandate_demands(year, mandate):
    # From 2023 the advanced sub-mandate (12.5 %) counts once and only advanced biofuel beyond it twice, so the
    # litres blended are at least 12.5 % + (mandate - 12.5 %) / 2 of the road fuel, over petrol and diesel
    # together (weighted by their litres in the run), and at most the mandate.
    from framtid.model import api, dims
    from framtid.model.levers import year_slice
    from framtid.model.measures import lever_paths
    from framtid.model.submodels.transport import ROAD_CARRIERS

    scenario = api.load_scenario("framtid:current-policies")
    model = api.run_scenario(scenario)
    k = year - dims.BASE_YEAR
    levers = year_slice(lever_paths(list(scenario.measures), np.array(dims.YEARS), 1), k)
    shares = np.array([levers["biofuel_share_petrol"][0, 0], levers["biofuel_share_diesel"][0, 0]])
    energy = model.record["road_energy"][k, 0].sum(axis=0)                      # (carrier,) [GWh]
    fossil = np.array([energy[ROAD_CARRIERS.index(f)] for f in ("petrol", "diesel")]) / [9.024, 10.056]
    litres = fossil / (1.0 - shares)
    blended = (shares * litres).sum() / litres.sum()
    assert 0.125 + (mandate - 0.125) / 2 - 0.001 <= blended <= mandate
