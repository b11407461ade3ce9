"""Tests of household waste generation by fraction and the treatment shares under the levers."""

import numpy as np
import pytest

from framtid.model import dims
from framtid.model.parameters import Params
from framtid.model.submodels import waste_generation

F = len(dims.WASTE_FRACTIONS)
FOOD, PLASTICS = dims.WASTE_FRACTIONS.index("food"), dims.WASTE_FRACTIONS.index("plastics")
MR, BIO, INC, LF = range(4)
# National household waste 2009 (SSB): 53 % sorted (split here 43 % material, 10 %
# biological), 23 % incinerated, 24 % landfilled; Oslo: 43 % sorted, 82 % recovered.
NATIONAL = (0.43, 0.10, 0.23, 0.24)
OSLO = (0.33, 0.10, 0.39, 0.18)


@pytest.fixture
def params():
    return Params.defaults(n_draws=1)


def test_fit_reproduces_totals_and_keeps_mass_balance(params):
    comp = waste_generation.composition(params)
    totals = np.array([[OSLO, NATIONAL, (0.2, 0.0, 0.8, 0.0)]])
    shares = waste_generation.fit_fraction_shares(comp, totals, waste_generation.sorting_weights(params))
    assert shares.shape == (1, 3, F, 4)
    assert shares.sum(axis=-1) == pytest.approx(np.ones((1, 3, F)))
    assert np.einsum("df,dmfj->dmj", comp, shares) == pytest.approx(totals, abs=1e-10)
    # Food cannot be recycled as material; glass cannot be composted.
    assert np.all(shares[..., FOOD, MR] == 0)
    assert np.all(shares[..., dims.WASTE_FRACTIONS.index("glass_metal"), BIO] == 0)


def test_composition_sums_to_one(params):
    comp = waste_generation.composition(params.with_overrides({"waste.composition.food": 0.5}))
    assert comp.sum(axis=1) == pytest.approx([1.0])


def test_material_recovery_minimum_by_hand():
    # Two fractions, 50/50: food (not recyclable) and paper. Paper: MR 0.2, inc 0.4, lf 0.4.
    # Total MR = 0.5 * 0.2 = 0.1; minimum 0.3 needs 0.2 more from paper's residual
    # 0.5 * (0.4 + 0.4) = 0.4, so theta = 0.5: paper becomes MR 0.6, inc 0.2, lf 0.2.
    fractions = dims.WASTE_FRACTIONS
    comp = np.zeros((1, F))
    comp[0, fractions.index("food")] = comp[0, fractions.index("paper")] = 0.5
    shares = np.zeros((1, 1, F, 4))
    shares[..., INC] = 1.0
    shares[0, 0, fractions.index("food")] = (0.0, 0.2, 0.4, 0.4)
    shares[0, 0, fractions.index("paper")] = (0.2, 0.0, 0.4, 0.4)
    out = waste_generation.raise_material_recovery(shares, comp, np.array([[0.3]]))
    assert out[0, 0, fractions.index("paper")] == pytest.approx([0.6, 0.0, 0.2, 0.2])
    assert out[0, 0, fractions.index("food")] == pytest.approx([0.0, 0.2, 0.4, 0.4])
    assert np.einsum("df,dmf->dm", comp, out[..., MR])[0, 0] == pytest.approx(0.3)
    # A minimum already met changes nothing.
    assert waste_generation.raise_material_recovery(shares, comp, np.array([[0.05]])) == pytest.approx(shares)


def test_landfill_ban_by_hand():
    # Food: bio 0.1, inc 0.3, lf 0.6; ban 0.5 moves 0.3 of food: 0.3 * 0.1/0.4 = 0.075 to
    # biological, 0.225 to incineration. Plastics (0.75 t C/t) are banned too: half goes to incineration;
    # glass and metal (no carbon) are not: unchanged.
    shares = np.zeros((1, 1, F, 4))
    shares[..., LF] = 1.0
    shares[0, 0, FOOD] = (0.0, 0.1, 0.3, 0.6)
    out = waste_generation.divert_from_landfill(shares, np.array([[0.5]]))
    assert out[0, 0, FOOD] == pytest.approx([0.0, 0.175, 0.525, 0.3])
    assert out[0, 0, PLASTICS] == pytest.approx([0.0, 0.0, 0.5, 0.5])
    assert out[0, 0, dims.WASTE_FRACTIONS.index("glass_metal")] == pytest.approx([0.0, 0.0, 0.0, 1.0])
    # Paper with neither biological treatment nor incineration goes to incineration.
    paper = dims.WASTE_FRACTIONS.index("paper")
    assert out[0, 0, paper] == pytest.approx([0.0, 0.0, 0.5, 0.5])


def test_generation_by_hand():
    # 1000 inhabitants * 0.4 t = 400 t; 10 % less waste per capita: 360 t, a quarter of it food (90 t).
    # Food waste halved with avoidable share a = 0.4: food * (1 - 0.4 * 0.5) = 90 * 0.8 = 72 t.
    comp = np.zeros((1, F))
    comp[0, FOOD], comp[0, PLASTICS] = 0.25, 0.75
    levers = {"waste_per_capita_change": np.array([[-0.1]]), "food_waste_change": np.array([[-0.5]])}
    out = waste_generation.generation(np.array([[1000.0]]), np.array([[0.4]]), comp, levers, np.array([[0.4]]))
    assert out.shape == (1, 1, F)
    assert out[0, 0, FOOD] == pytest.approx(72.0)
    assert out[0, 0, PLASTICS] == pytest.approx(270.0)
    # Without levers: the 2009 generation per capita and composition.
    plain = waste_generation.generation(np.array([[1000.0]]), np.array([[0.4]]), comp, {}, np.array([[0.4]]))
    assert plain[0, 0, [FOOD, PLASTICS]] == pytest.approx([100.0, 300.0])
