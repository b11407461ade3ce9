"""Tests of the pure toll functions: crossing weights, tolls per trip, passages, owners' sums."""

import numpy as np
import pytest

from framtid.model.submodels import tolls

# One draw, two cordons, two municipalities, one zone type, one purpose.
CROSSINGS = np.array([[[[[0.3]], [[0.0]]], [[[0.5]], [[0.2]]]]])          # (D=1, C=2, M=2, Z=1, P=1)
PAID = np.array([[[[[0.6]], [[0.0]]], [[[1.0]], [[0.4]]]]])               # paid passages per one-way trip


def light_prices(petrol, diesel, bev):
    """Prices (D=1, C=2, 2 classes, F=3, T=2): ``petrol`` etc. (C,) in both periods, heavy twice light."""
    by_fuel = np.stack([petrol, diesel, bev], axis=-1)                       # (C, F)
    light = np.repeat(by_fuel[:, :, None], 2, axis=-1)                      # (C, F, T)
    return np.stack([light, 2.0 * light], axis=1)[None]


def test_crossing_weight_takes_the_most_crossed_charged_cordon():
    # both charged: max(0.3, 0.5) = 0.5 and max(0, 0.2) = 0.2; only cordon 0 charged: 0.3 and 0
    both = tolls.crossing_weight(CROSSINGS, np.array([[True, True]]))
    first = tolls.crossing_weight(CROSSINGS, np.array([[True, False]]))
    np.testing.assert_allclose(both[0, :, 0, 0], [0.5, 0.2])
    np.testing.assert_allclose(first[0, :, 0, 0], [0.3, 0.0])


def test_toll_per_trip_hand_case():
    # municipality 0: 0.6 x 20 + 1.0 x 10 = 22 NOK (petrol), 0.6 x 30 + 1.0 x 15 = 33 (diesel),
    # 0.6 x 0 + 1.0 x 5 = 5 (BEV); municipality 1: 0.4 x (10, 15, 5) = 4, 6, 2; uncharged cordon 1: 12, 18, 0
    prices = light_prices(np.array([20.0, 10.0]), np.array([30.0, 15.0]), np.array([0.0, 5.0]))
    charged = tolls.charged(prices)
    assert charged.tolist() == [[True, True]]
    by_fuel = tolls.toll_per_trip(PAID, prices, charged)                                 # (D, M, Z, P, T, F)
    assert by_fuel.shape == (1, 2, 1, 1, 2, 3)
    np.testing.assert_allclose(by_fuel[0, :, 0, 0, 0], [[22.0, 33.0, 5.0], [4.0, 6.0, 2.0]])
    np.testing.assert_allclose(by_fuel[0, :, 0, 0, 1], by_fuel[0, :, 0, 0, 0])
    first = tolls.toll_per_trip(PAID, prices, np.array([[True, False]]))
    np.testing.assert_allclose(first[0, :, 0, 0, 0], [[12.0, 18.0, 0.0], [0.0, 0.0, 0.0]])


def test_fleet_average_weighs_fuels_by_vkm():
    # (22, 33, 5) with petrol 0.5, diesel 0.3, BEV 0.2: 11 + 9.9 + 1 = 21.9
    by_fuel = np.array([[[[22.0, 33.0, 5.0], [4.0, 6.0, 2.0]]]])                     # (D=1, M=1, 2, F)
    mix = np.array([[[0.5, 0.3, 0.2]]])
    np.testing.assert_allclose(tolls.fleet_average(by_fuel, mix), [[[21.9, 4.2]]])


def test_passages_and_per_owner_hand_case():
    # trips (M=2) 1000 and 500 a year in the peak, 2000 and 0 off-peak; car share among crossers 0.5:
    # cordon 0: 0.6 x 1000 x 0.5 = 300 (peak), 0.6 x 2000 x 0.5 = 600; cordon 1: 500 + 0.4 x 250 = 600, 1000
    trips = np.array([[1000.0, 2000.0], [500.0, 0.0]]).reshape(1, 2, 1, 1, 2)
    counted = tolls.passages(trips, PAID, np.full(trips.shape, 0.5))
    np.testing.assert_allclose(counted, [[[300.0, 600.0], [600.0, 1000.0]]])
    # cordons 0 and 1 both owned by municipality 1: the owners' sum; municipality 0 owns none
    np.testing.assert_allclose(tolls.per_owner(counted, np.array([1, 1]), 2), [[[0.0, 0.0], [900.0, 1600.0]]])
    np.testing.assert_allclose(tolls.per_owner(counted, np.array([0, 1]), 2), counted)


def test_per_owner_gives_the_same_sums_for_few_and_many_draws():
    """A few draws are added with np.add.at, many cordon by cordon: both in cordon order, the same bits."""
    rng = np.random.default_rng(5)
    owner = np.array([0, 0, 0, 0, 1, 10, 10, 11, 11, 7, 8, 9, 3, 4, 5, 6, 12])
    for shape in ((1, 17), (1, 17, 2), (3, 17, 4), (400, 17, 2)):
        by_cordon = rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 7, shape)
        expected = np.zeros((shape[0], 13) + shape[2:])
        for c, m in enumerate(owner):
            expected[:, m] += by_cordon[:, c]
        assert tolls.per_owner(by_cordon, owner, 13).tobytes() == expected.tobytes()


def test_the_toll_cases_of_tromso_set_the_ring_before_and_after_and_against_no_ring(tool):
    rows = tool("toll_cases").cases(cordons=("tromso_ring",))
    opening, rates = rows
    assert (opening["cordon"], opening["from"], opening["change"]) == ("tromso_ring", 2023, "new scheme")
    # the line carries traffic before the ring, less after; the ring's own effect is a cut, most in the peak
    assert 0 < opening["passages_after"] < opening["passages_before"]
    assert opening["effect_pct"] < 0 and opening["effect_peak_pct"] < opening["effect_pct"] < 0
    assert opening["before_after_pct"] == pytest.approx(
        100 * (opening["passages_after"] / opening["passages_before"] - 1))
    # the rates of June 2024 act at half strength that year: their first full year is 2025, and the opening's
    # effect is read up to the year before them
    assert (rates["change"], rates["from"], opening["until"]) == ("rates", 2025, 2023)


def test_the_toll_cases_leave_out_one_change_as_the_rates_before_it_or_no_scheme(tool):
    """tools/toll_cases.py compares each toll change with the run without it: new rates replaced by the rates
    they replaced (the cordon's prices then stay as before), a new scheme removed (no price on its cordon)."""
    from framtid.model import dims, levers
    from framtid.model.measures import lever_paths
    from framtid.model.scenario import load

    cases = tool("toll_cases")
    cp = load("framtid:current-policies")
    c = levers.axis_labels("cordon").index
    charges = {m.label: m for m in cp.measures if m.kind == "congestion_charge"}

    def tolls(scenario, cordon):
        return lever_paths(list(scenario.measures), dims.YEARS, 1)["toll_nok"][:, 0, :, c(cordon)].sum(axis=1)

    # Trondheim's rates of 2019 held at those of 2010: the prices of 2018 go on
    rates = next(m for m in charges.values() if m.values["cordon"] == "trondheim_ring" and m.replaces)
    held = tolls(cases._without(cp, rates), "trondheim_ring")
    k = rates.start_year - dims.BASE_YEAR
    np.testing.assert_allclose(held[k:], np.broadcast_to(held[k - 1], held[k:].shape))
    assert not np.allclose(tolls(cp, "trondheim_ring")[k], held[k - 1])
    # Tromsø's new ring of 2023 removed: no price on it until its next change (June 2024, half that year) sets
    # rates again
    new, then = sorted((m for m in charges.values() if m.values["cordon"] == "tromso_ring"),
                       key=lambda m: m.start_year)[:2]
    k, nxt = new.start_year - dims.BASE_YEAR, then.start_year - dims.BASE_YEAR
    without = tolls(cases._without(cp, new), "tromso_ring")
    assert not without[:nxt].any() and without[nxt].any() and tolls(cp, "tromso_ring")[k].any()
