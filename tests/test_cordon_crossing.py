"""Tests of the crossing rule (framtid.model.cordon_crossing): crossings and paid passages per trip by hand,
and on the embedded cordons and commuting shares."""

import numpy as np
import pytest

from framtid.model import cordon_crossing as cc
from framtid.model import cordons as cm
from framtid.model import dims

M = {m: i for i, m in enumerate(dims.MUNICIPALITIES)}
DELTA = np.array([0.5, 0.3, 0.2])   # trip ends in zone types A, B, C


def _cordon(owner="oslo", inside=(1.0, 0.5, 0.0), direction="inbound", exchange=None, cid="test_ring"):
    others = tuple(m for m in dims.MUNICIPALITIES if m != owner) if exchange is None else exchange
    return cm.Cordon(cid, cid, owner, direction, inside, others, 0.0, 2009, None, "assumption", "test", "test")


# -- the crossing rule, by hand ----------------------------------------------------------------

def test_crossing_probability_by_hand():
    inside = np.array([1.0, 0.5, 0.0])
    # Trip ends inside: 0.5 * 1 + 0.3 * 0.5 + 0.2 * 0 = 0.65.
    # Internal trip from A (home inside): the other end is outside with 0.35.
    # From B: 0.5 * 0.35 + 0.5 * 0.65 = 0.5. From C (home outside): 0.65.
    assert cc.crossing_probability(inside, inside, DELTA) == pytest.approx([0.35, 0.5, 0.65])
    # From another municipality into the owner: the destination end is inside with 0.65.
    assert cc.crossing_probability(np.zeros(3), inside, DELTA) == pytest.approx([0.65, 0.65, 0.65])
    # From the owner out: crosses when the home lies inside.
    assert cc.crossing_probability(inside, np.zeros(3), DELTA) == pytest.approx([1.0, 0.5, 0.0])
    # A ring on the owner's boundary (1, 1, 1) is never crossed by internal trips.
    ones = np.ones(3)
    assert cc.crossing_probability(ones, ones, DELTA) == pytest.approx(np.zeros(3))


def test_crossing_matrix_by_hand():
    commute = np.eye(len(M))
    commute[M["baerum"], M["oslo"]] = 0.4      # 40 % of Baerum's workers work in Oslo
    commute[M["oslo"], M["baerum"]] = 0.1
    split = cc.destination_split(commute, 0.5)
    crossings, paid = cc.crossing_matrix([_cordon()], split, DELTA)
    assert crossings.shape == paid.shape == (1, len(M), 3, 3)
    # Baerum residents cross only on trips into Oslo: commute 0.4 * 0.65 = 0.26, errands and
    # leisure 0.2 * 0.65 = 0.13, whatever their home zone type.
    assert crossings[0, M["baerum"]] == pytest.approx(np.tile([0.26, 0.13, 0.13], (3, 1)))
    # Oslo residents in zone B: internal 0.5, out of Oslo 0.5.
    assert crossings[0, M["oslo"], 1] == pytest.approx([0.5, 0.5, 0.5])
    # Oslo residents in zone A, commute: 0.9 * 0.35 + 0.1 * 1 = 0.415; errands: 0.95 * 0.35 + 0.05 = 0.3825.
    assert crossings[0, M["oslo"], 0] == pytest.approx([0.415, 0.3825, 0.3825])
    # Inbound only: a round trip pays once.
    assert paid == pytest.approx(0.5 * crossings)
    both = cc.crossing_matrix([_cordon(direction="both")], split, DELTA)[1]
    assert both == pytest.approx(crossings)
    # Residents of places that do not exchange trips with the owner never cross.
    assert crossings[0, M["tromso"]] == pytest.approx(np.zeros((3, 3)))


def test_exchange_with_limits_who_crosses():
    commute = np.eye(len(M))
    commute[M["drammen"], M["baerum"]] = 0.05
    commute[M["oslo"], M["baerum"]] = 0.1
    split = cc.destination_split(commute, 1.0)
    # A ring of Baerum's own on its western boundary (made up): Drammen residents cross on their way in, Oslo
    # residents do not.
    crossings, _ = cc.crossing_matrix([_cordon("baerum", (1, 1, 1), exchange=("drammen",))], split, DELTA)
    assert crossings[0, M["drammen"]] == pytest.approx(np.full((3, 3), 0.05))
    assert crossings[0, M["oslo"]] == pytest.approx(np.zeros((3, 3)))
    assert crossings[0, M["baerum"]] == pytest.approx(np.zeros((3, 3)))


def test_destination_split_rows_sum_to_one():
    commute = cc.commute_matrix(cm.load_commuting(), 2009)
    split = cc.destination_split(commute, 0.5)
    assert split.shape == (len(M), len(dims.PURPOSES), len(M))
    assert split.sum(axis=-1) == pytest.approx(np.ones((len(M), 3)))
    # Commute trips follow the commuting shares, the other purposes leave half as often.
    b, o = M["baerum"], M["oslo"]
    assert split[b, 0, o] == pytest.approx(commute[b, o])
    assert split[b, 1:, o] == pytest.approx([0.5 * commute[b, o]] * 2)
    assert split[b, 1, b] == pytest.approx(1.0 - 0.5 * (1.0 - commute[b, b]))
    # A factor per draw gives a leading draw axis.
    draws = cc.destination_split(commute, np.array([0.0, 0.5, 1.0]))
    assert draws.shape == (3, len(M), 3, len(M))
    assert draws.sum(axis=-1) == pytest.approx(np.ones((3, len(M), 3)))
    assert draws[0, :, 1:] == pytest.approx(np.broadcast_to(np.eye(len(M))[:, None, :], (len(M), 2, len(M))))
    assert draws[1] == pytest.approx(split)
    with pytest.raises(ValueError):
        cc.destination_split(commute, 10.0)


def test_commute_matrix_takes_the_nearest_year():
    rows = [cm.CommuteShare("oslo", "baerum", 2011, 0.05, "observed", "", ""),
            cm.CommuteShare("oslo", "baerum", 2019, 0.07, "observed", "", ""),
            cm.CommuteShare("baerum", "oslo", 2018, 0.4, "observed", "", "")]
    for year, expected in ((2009, 0.05), (2015, 0.05), (2016, 0.07), (2030, 0.07)):
        c = cc.commute_matrix(rows, year)
        assert c[M["oslo"], M["baerum"]] == pytest.approx(expected)
        assert c[M["baerum"], M["oslo"]] == pytest.approx(0.4)
        assert c.sum(axis=1) == pytest.approx(np.ones(len(M)))
        assert c[M["oslo"], M["oslo"]] == pytest.approx(1.0 - expected)


# -- the embedded cordons ----------------------------------------------------------------------

def _embedded_crossings(tool, year=2009):
    """The embedded cordons' crossings at the inputs their geography was calibrated with (tools/build_cordons.py)."""
    delta, purpose, zones = tool("build_cordons").calibration_inputs()
    cordons = cm.load_cordons()
    split = cc.destination_split(cc.commute_matrix(cm.load_commuting(), year), 0.5)
    crossings, paid = cc.crossing_matrix(cordons, split, delta)
    return cordons, crossings, paid, purpose, zones


def test_baerum_residents_cross_oslo_cordons_and_tromso_residents_none(tool):
    cordons, crossings, paid, purpose, zones = _embedded_crossings(tool)
    oslo = [k for k, c in enumerate(cordons) if c.municipality == "oslo"]
    assert len(oslo) == 5   # the 1990 ring, the three of 2019 and the Bærum ring on the boundary with Bærum
    for k in oslo:
        baerum = zones["baerum"] @ crossings[k, M["baerum"]] @ purpose
        assert baerum > 0.01, cordons[k].id
        assert paid[k, M["baerum"]].sum() > 0
        assert crossings[k, M["tromso"]] == pytest.approx(np.zeros((3, 3)))
    # Tromso residents cross only their own ring.
    own = [k for k, c in enumerate(cordons) if c.municipality == "tromso"]
    others = [k for k in range(len(cordons)) if k not in own]
    assert crossings[others][:, M["tromso"]] == pytest.approx(0.0)
    assert crossings[own, M["tromso"]].sum() > 0


def test_city_boundary_ring_is_never_crossed_by_internal_trips(tool):
    cordons = cm.load_cordons()
    boundary = [c for c in cordons if c.inside_share == (1.0, 1.0, 1.0)]
    assert {c.id for c in boundary} >= {"oslo_city_boundary", "baerum_ring"}
    internal_only = cc.destination_split(np.eye(len(M)), 0.5)
    delta = tool("build_cordons").calibration_inputs()[0]
    crossings, paid = cc.crossing_matrix(boundary, internal_only, delta)
    assert crossings == pytest.approx(np.zeros_like(crossings))
    assert paid == pytest.approx(np.zeros_like(paid))


def test_oslo_ring_calibrated_to_half_of_residents_car_trips(tool):
    cordons, crossings, paid, purpose, zones = _embedded_crossings(tool)
    k = [c.id for c in cordons].index("oslo_ring")
    share = zones["oslo"] @ crossings[k, M["oslo"]] @ purpose
    assert share == pytest.approx(0.5, abs=0.01)   # policies/cordon_shares.csv: 'about half'
    assert zones["oslo"] @ paid[k, M["oslo"]] @ purpose == pytest.approx(share / 2)


# -- the union of an owner's nested cordons -----------------------------------------------------------

def test_nested_union_by_hand():
    outer, inner = (1.0, 0.5, 0.0), (0.6, 0.1, 0.0)
    # levels (inside the inner, between, outside both): A 0.6 / 0.4 / 0, B 0.1 / 0.4 / 0.5, C 0 / 0 / 1; the
    # destination end (DELTA 0.5/0.3/0.2) 0.33 / 0.32 / 0.35. A: 1 - (0.6 x 0.33 + 0.4 x 0.32) = 0.674;
    # B: 1 - (0.1 x 0.33 + 0.4 x 0.32 + 0.5 x 0.35) = 0.664; C: 1 - 0.35 = 0.65.
    got = cc.nested_union(np.array([outer, inner]), DELTA)
    assert got == pytest.approx([0.674, 0.664, 0.65])
    # = crossing either minus crossing both (inclusion-exclusion), whatever the order of the cordons
    o, i = np.array(outer), np.array(inner)
    either = (cc.crossing_probability(o, o, DELTA) + cc.crossing_probability(i, i, DELTA)
              - cc.joint_crossing_probability(o, i, o, i, DELTA))
    assert got == pytest.approx(either)
    assert cc.nested_union(np.array([inner, outer]), DELTA) == pytest.approx(got)
    # one cordon: the crossing rule; a ring on the boundary cuts no internal trip
    assert cc.nested_union(o[None], DELTA) == pytest.approx(cc.crossing_probability(o, o, DELTA))
    assert cc.nested_union(np.array([outer, (1.0, 1.0, 1.0)]), DELTA) == pytest.approx(
        cc.crossing_probability(o, o, DELTA))
    # one example of the docstring: one zone type, cordons at 0.2 and 0.6
    assert cc.nested_union(np.array([[0.2], [0.6]]), np.array([1.0])) == pytest.approx([0.64])


def test_system_union_by_hand():
    commute = np.eye(len(M))
    commute[M["baerum"], M["oslo"]] = 0.4
    commute[M["oslo"], M["baerum"]] = 0.1
    split = cc.destination_split(commute, 0.5)
    ring = _cordon(inside=(1.0, 0.5, 0.0), cid="ring")
    boundary = _cordon(inside=(1.0, 1.0, 1.0), exchange=("baerum",), cid="boundary")
    own, other = cc.system_union([ring, boundary], split, DELTA)
    assert own.shape == other.shape == (len(M), 3, 3)
    # Oslo residents in zone B, commute: internal 0.9 x 0.5 (the boundary cuts no internal trip) and every trip
    # to Baerum 0.1 x 1 (it crosses the boundary): 0.55, where the most-crossed cordon, the ring, gives 0.5.
    assert own[M["oslo"], 1, 0] == pytest.approx(0.55)
    crossings = cc.crossing_matrix([ring, boundary], split, DELTA)[0]
    assert crossings[:, M["oslo"], 1, 0].max() == pytest.approx(0.5)
    # zone A (inside the ring): its trips to Baerum cross both, so the union is the ring's 0.9 x 0.35 + 0.1
    assert own[M["oslo"], 0, 0] == pytest.approx(0.415)
    # Baerum residents into Oslo: every trip (the boundary holds every destination), in the others' system
    assert other[M["baerum"], :, 0] == pytest.approx([0.4] * 3) and other[M["baerum"], :, 1] == pytest.approx([0.2] * 3)
    assert not own[M["baerum"]].any() and not other[M["oslo"]].any()


def test_system_union_of_one_cordon_per_owner_is_the_crossings():
    cords = [c for c in cm.embedded_cordons() if c.first_year <= 2009 and c.id != "baerum_ring"]
    commute = cc.commute_matrix(cm.load_commuting(), 2009)
    split = cc.destination_split(commute, np.array([0.6, 0.8]))            # two draws
    crossings = cc.crossing_matrix(cords, split, DELTA)[0]                  # (D, C, M, Z, P)
    mine = np.array([[c.municipality == m for m in dims.MUNICIPALITIES] for c in cords])   # (C, M)
    own, other = cc.system_union(cords, split, DELTA)
    assert own == pytest.approx((crossings * mine[None, :, :, None, None]).sum(axis=1))
    assert other == pytest.approx((crossings * ~mine[None, :, :, None, None]).sum(axis=1))
    assert own.any() and other.any()


# -- hour rules: trips crossing both cordons of a pair ---------------------------------------------

def test_end_states_of_nested_cordons_by_hand():
    # outer (1, 0.5, 0), inner (0.6, 0.1, 0): inside both = the inner's share, only the outer's = the rest
    both, first, second, neither = cc.end_states(np.array([1.0, 0.5, 0.0]), np.array([0.6, 0.1, 0.0]))
    assert both == pytest.approx([0.6, 0.1, 0.0]) and first == pytest.approx([0.4, 0.4, 0.0])
    assert second == pytest.approx([0.0, 0.0, 0.0]) and neither == pytest.approx([0.0, 0.5, 1.0])


def test_joint_crossing_probability_by_hand():
    outer, inner = np.array([1.0, 0.5, 0.0]), np.array([0.6, 0.1, 0.0])
    # destination end (DELTA 0.5/0.3/0.2): inside both 0.5 x 0.6 + 0.3 x 0.1 = 0.33, only the outer
    # 0.5 x 0.4 + 0.3 x 0.4 = 0.32, outside both 0.3 x 0.5 + 0.2 = 0.35.
    # From A (inside both 0.6, only the outer 0.4): 0.6 x 0.35 = 0.21 (one end inside the inner, the other
    # outside the outer); from B (0.1 / 0.4 / 0.5): 0.1 x 0.35 + 0.5 x 0.33 = 0.2; from C (outside both): 0.33.
    got = cc.joint_crossing_probability(outer, inner, outer, inner, DELTA)
    assert got == pytest.approx([0.21, 0.2, 0.33])
    # a cordon with itself: the crossing rule's probability
    assert cc.joint_crossing_probability(outer, outer, outer, outer, DELTA) == pytest.approx(
        cc.crossing_probability(outer, outer, DELTA))
    # from another municipality into the owner: the destination end inside both (0.33)
    zeros = np.zeros(3)
    assert cc.joint_crossing_probability(zeros, zeros, outer, inner, DELTA) == pytest.approx([0.33] * 3)
    # a trip crosses both at most as often as either
    assert (got <= np.minimum(cc.crossing_probability(outer, outer, DELTA),
                              cc.crossing_probability(inner, inner, DELTA)) + 1e-12).all()


def test_waived_matrix_by_hand():
    commute = np.eye(len(M))
    commute[M["baerum"], M["oslo"]] = 0.4
    split = cc.destination_split(commute, 0.5)
    outer = _cordon(inside=(1.0, 0.5, 0.0), direction="both", cid="outer")
    inner = _cordon(inside=(0.6, 0.1, 0.0), direction="both", cid="inner")
    waived = cc.waived_matrix([outer, inner], [(0, 1)], split, DELTA)
    assert waived.shape == (1, len(M), 3, 3)
    # Oslo residents (all trips internal): the joint probabilities of the test above, both directions paid
    assert waived[0, M["oslo"], :, 0] == pytest.approx([0.21, 0.2, 0.33])
    # Baerum's commuters into Oslo: 0.4 x 0.33; errands and leisure 0.2 x 0.33
    assert waived[0, M["baerum"], 0] == pytest.approx([0.132, 0.066, 0.066])
    # on an inbound cordon only the inbound leg pays: half as many passages waived
    half = cc.waived_matrix([outer, _cordon(inside=(0.6, 0.1, 0.0), cid="inner")], [(0, 1)], split, DELTA)
    assert half == pytest.approx(0.5 * waived)
    # only trips exchanged with both cordons' municipalities cross both
    lone = _cordon(inside=(0.6, 0.1, 0.0), direction="both", cid="inner", exchange=("drammen",))
    assert cc.waived_matrix([outer, lone], [(0, 1)], split, DELTA)[0, M["baerum"]] == pytest.approx(np.zeros((3, 3)))
    assert cc.waived_matrix([outer, inner], [], split, DELTA).shape == (0, len(M), 3, 3)


def test_the_embedded_hour_rules_join_the_pairs_the_data_name():
    cords = cm.embedded_cordons()
    pairs = {(cords[i].id, cords[j].id) for i, j in cm.hour_rule_pairs(cords)}
    assert pairs == {("oslo_ring_2019", "oslo_inner_ring"), ("bergen_ring", "bergen_outer")}
