"""Tests of the pure toll functions: crossing weights, tolls per trip, passages, owners' sums."""

import numpy as np

from framtid.model import cordon_crossing, cordons, dims
from framtid.model.submodels import tolls

# One draw, two cordons, two municipalities, one zone type, one purpose.
CROSSINGS = np.array([[[[[0.3]], [[0.0]]], [[[0.5]], [[0.2]]]]])          # (D=1, C=2, M=2, Z=1, P=1)
PAID = np.array([[[[[0.6]], [[0.0]]], [[[1.0]], [[0.4]]]]])               # paid passages per one-way trip


def light_prices(petrol, diesel, bev):
    """Prices (D=1, C=2, 2 classes, F=3, T=2): ``petrol`` etc. (C,) in both periods, heavy twice light."""
    by_fuel = np.stack([petrol, diesel, bev], axis=-1)                       # (C, F)
    light = np.repeat(by_fuel[:, :, None], 2, axis=-1)                      # (C, F, T)
    return np.stack([light, 2.0 * light], axis=1)[None]


def test_system_weights_are_the_union_of_the_charged_cordons_draw_by_draw():
    # Three draws: the 2019 Oslo rings, only the ring of 1990, and the 2019 rings again (with another
    # destination split). Each draw's shares are the union of its charged cordons (system_union), bit for bit
    # what the draw gives alone.
    cords = [c for c in cordons.embedded_cordons() if c.municipality == "oslo"]
    ids = [c.id for c in cords]
    rings_2019 = [i in ("oslo_ring_2019", "oslo_inner_ring", "oslo_city_boundary") for i in ids]
    is_charged = np.array([rings_2019, [i == "oslo_ring" for i in ids], rings_2019])
    commute = cordon_crossing.commute_matrix(cordons.load_commuting(), 2009)
    split = cordon_crossing.destination_split(commute, np.array([0.6, 0.6, 0.9]))        # (D, M, P, M)
    delta = np.array([[0.5, 0.3, 0.2]] * 3)
    own, other = tolls.system_weights(cords, is_charged, split, delta)
    for d, charged in enumerate(is_charged):
        live = [c for c, on in zip(cords, charged) if on]
        alone = cordon_crossing.system_union(live, split[d], delta[d])
        assert own[d].tobytes() == alone[0].tobytes() and other[d].tobytes() == alone[1].tobytes()
    oslo = dims.index(dims.MUNICIPALITIES, "oslo")
    assert (own[0, oslo] > own[1, oslo]).all()            # three rings cut more trips than one
    assert not tolls.system_weights(cords, np.zeros_like(is_charged), split, delta)[0].any()


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


def test_cordon_blocks_cover_the_municipalities_crossing_each_cordon():
    crossed = np.array([[1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1], [1, 0, 0, 1]], bool)
    # cordons 0-1 from municipalities 0-1; cordon 2 crossed by nobody; 3-4 from 2-3; 5 from 0 and 3 (the range 0-3)
    assert tolls.cordon_blocks(crossed) == [(0, 2, 0, 2), (3, 6, 0, 4)]
    assert tolls.cordon_blocks(np.zeros((2, 3), bool)) == []


def test_passages_summed_over_the_crossing_municipalities_alone_agree_with_the_full_sums():
    rng = np.random.default_rng(3)
    for n_draws, n_cordons in ((4, 7), (1, 7), (3, 2), (2, 1)):
        crossed = rng.random((n_cordons, 5)) < 0.3
        crossed[n_cordons // 2] = False
        crossed[-1, 4] = True   # a lone cordon at the end
        paid = rng.random((n_draws, n_cordons, 5, 3, 3)) * crossed[None, :, :, None, None]
        trips, share = rng.random((n_draws, 5, 3, 3, 2)) * 1e3, rng.random((n_draws, 5, 3, 3, 2))
        np.testing.assert_allclose(tolls.passages(trips, paid, share, crossed), tolls.passages(trips, paid, share),
                                   rtol=1e-14, atol=0.0)


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


def test_an_hour_rule_charges_a_trip_crossing_both_cordons_the_dearer_passage():
    # municipality 0 crosses both cordons with 0.5 of a paid passage each way; the hour rule waives the
    # cheaper (cordon 1: 10 NOK petrol, 15 diesel; BEV 0 at cordon 0, so 0): 22 - 0.5 x 10 = 17, 33 - 7.5 = 25.5,
    # 5 - 0 = 5; municipality 1 waives nothing
    prices = light_prices(np.array([20.0, 10.0]), np.array([30.0, 15.0]), np.array([0.0, 5.0]))
    charged = tolls.charged(prices)
    waived = np.array([[[[[0.5]], [[0.0]]]]])                                    # (D=1, G=1, M=2, Z=1, P=1)
    pairs = np.array([[0, 1]])
    by_fuel = tolls.toll_per_trip(PAID, prices, charged, waived, pairs)
    np.testing.assert_allclose(by_fuel[0, :, 0, 0, 0], [[17.0, 25.5, 5.0], [4.0, 6.0, 2.0]])
    # a cordon that does not charge waives nothing: the plain sum
    first = tolls.toll_per_trip(PAID, prices, np.array([[True, False]]), waived, pairs)
    np.testing.assert_allclose(first, tolls.toll_per_trip(PAID, prices, np.array([[True, False]])))
    # no pairs: as before
    np.testing.assert_allclose(tolls.toll_per_trip(PAID, prices, charged, waived[:, :0], pairs[:0]),
                               tolls.toll_per_trip(PAID, prices, charged))
