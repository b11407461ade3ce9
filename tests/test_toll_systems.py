"""Two systems of toll cordons: those of the residents' own municipality and those of the others, whose
crossing trips are distinct (tolls.system_weights, travel_segments.toll_segments, road_traffic passages)."""

from pathlib import Path

import numpy as np
import pytest

from framtid.model import api, dims
from framtid.model.scenario import load
from framtid.model.submodels import mode_choice
from framtid.model.submodels.travel_segments import OTHER, OWN, toll_segments

T = len(dims.PERIODS)


def _tolls(*values):
    """Tolls per crossing trip (T, cells) [NOK/trip], the same in both periods."""
    return np.repeat(np.array(values, dtype=float)[None], T, axis=0)


def test_a_ring_of_its_own_leaves_the_trips_into_another_ring_at_their_toll():
    """Hand case: 10 % of the trips cross another municipality's ring at 50 NOK, in 2009 and now; a ring of
    their own, 40 NOK, is now crossed by 45 %. The others' trips keep their toll (no change); the own ring's
    trips meet 40 NOK; 45 % cross neither."""
    zero = np.zeros(1)
    segments, own_now, other_now, _ = toll_segments((zero, np.array([0.1]), _tolls(0.0), _tolls(50.0)),
                                                 (np.array([0.45]), np.array([0.1]), _tolls(40.0), _tolls(50.0)))
    by_kind = {(system, i % 3): (w, d) for i, (w, d, _, system) in enumerate(segments[:6])}
    w, d = by_kind[(OTHER, 0)]                   # the others' ring crossed then and now: no change
    assert w.tolist() == [0.1] and np.all(d == 0.0)
    w, d = by_kind[(OWN, 1)]                     # the own ring, crossed only now: its toll
    assert w.tolist() == [0.45] and np.all(d == 40.0)
    assert all(not w.any() for key, (w, _) in by_kind.items() if key not in ((OTHER, 0), (OWN, 1)))
    neither = segments[6]
    assert neither[0] == pytest.approx([0.45]) and neither[1] == 0.0 and neither[3] is None
    assert [s[2] for s in segments] == [True, True, False] * 2 + [False]
    assert own_now.tolist() == [0.45] and other_now.tolist() == [0.1]


@pytest.mark.parametrize("system", [OWN, OTHER])
def test_one_system_alone_gives_the_segments_of_its_cordons_bit_for_bit(system):
    rng = np.random.default_rng(7)
    c0, c1 = rng.uniform(0, 0.7, 50), rng.uniform(0, 0.7, 50)
    t0, t1 = rng.uniform(0, 60, (T, 50)), rng.uniform(0, 60, (T, 50))
    zero, none = np.zeros(50), np.zeros((T, 50))
    if system == OWN:
        base, now = (c0, zero, t0, none), (c1, zero, t1, none)
    else:
        base, now = (zero, c0, none, t0), (zero, c1, none, t1)
    segments = toll_segments(base, now)[0]
    expected = mode_choice.cordon_segments(c0, c1, t0, t1)
    used = [s for s in segments[:6] if s[3] == system] + [segments[6]]
    for (w, d, _, _), (w_expected, d_expected) in zip(used, expected):
        assert w.tobytes() == np.asarray(w_expected).tobytes()
        assert np.asarray(d).tobytes() == np.asarray(d_expected).tobytes()
    assert not any(s[0].any() for s in segments[:6] if s[3] != system)


def test_systems_that_overfill_the_group_are_scaled_keeping_the_tolls_paid():
    """0.8 cross the own rings and 0.6 another's (more than all trips: some cross both): the crossing
    segments are scaled by 1/1.4 and their tolls up by 1.4, so weight x toll stays; none cross neither."""
    segments, own_now, other_now, crossing_now = toll_segments(
        (np.array([0.8]), np.array([0.6]), _tolls(20.0), _tolls(30.0)),
        (np.array([0.8]), np.array([0.6]), _tolls(25.0), _tolls(30.0)))
    both_own, both_other = segments[0], segments[3]
    assert both_own[0] == pytest.approx([0.8 / 1.4]) and both_own[1] == pytest.approx(_tolls(5.0 * 1.4))
    assert both_other[0] == pytest.approx([0.6 / 1.4]) and both_other[1] == pytest.approx(_tolls(0.0))
    assert sum(s[0] for s in segments) == pytest.approx([1.0])
    assert segments[6][0].tolist() == [0.0]
    assert own_now == pytest.approx([0.8 / 1.4]) and other_now == pytest.approx([0.6 / 1.4])
    assert crossing_now == pytest.approx([1.0])


DRAMMEN_RING = """
[scenario]
name = "drammen-ring"
extends = "framtid:current-policies"

[cordons.drammen_centre]
municipality = "drammen"
charged_direction = "inbound"
inside_share = { A = 1.0, B = 0.3, C = 0.0 }

[[measure]]
kind = "congestion_charge"
label = "Drammen ring 2027"
cordon = "drammen_centre"
start_year = 2027
price_year = 2024
peak_nok = 40
offpeak_nok = 20
"""


def test_a_drammen_ring_leaves_the_passages_into_oslo_and_its_line_before(tmp_path: Path):
    """Drammen's residents who drive towards Oslo cross Oslo's cordons (Bygrensen, on the line of the Bærum ring it
    succeeded, and Osloringen), not Drammen's: a ring of Drammen's own moves the passages there by under 1 % (taken
    as one nested system with Oslo's, they rose, through Bygrensen by 8.5 %), cuts its own line's passages, and
    changes nothing before it starts."""
    path = tmp_path / "drammen-ring.toml"
    path.write_text(DRAMMEN_RING, encoding="utf-8")
    ring, without = api.run_scenario(load(path)), api.run_scenario(load("framtid:current-policies"))
    k = 2027 - dims.BASE_YEAR

    def passages(model, cordon, year_index):
        return model.record["cordon_passages"][year_index, 0, list(model.cordons).index(cordon)].sum()

    for cordon in ("baerum_ring", "oslo_city_boundary", "oslo_ring_2019"):
        assert passages(ring, cordon, k) == pytest.approx(passages(without, cordon, k), rel=0.01), cordon
    line = list(ring.cordons).index("drammen_centre")
    before, after = (ring.record["cordon_passages"][i, 0, line].sum() for i in (k - 1, k))
    assert after < 0.97 * before
    np.testing.assert_array_equal(ring.record["car_vkm"][:k], without.record["car_vkm"][:k])


def test_overfilled_systems_whose_shares_changed_keep_the_crossing_share_of_their_segments():
    """Shares 0.7 and 0.6 in 2009, 0.7 and 0.2 now: the segments are scaled by 1/1.3, and the share of trips
    crossing now that the choice divides by is the crossing-now segments' own (0.9/1.3), not min(1, 0.9)."""
    segments, own_now, other_now, crossing_now = toll_segments(
        (np.array([0.7]), np.array([0.6]), _tolls(20.0), _tolls(30.0)),
        (np.array([0.7]), np.array([0.2]), _tolls(20.0), _tolls(30.0)))
    crossing_segments = sum(w for w, _, crosses_now, _ in segments if crosses_now)
    assert crossing_now == pytest.approx(crossing_segments) and crossing_now == pytest.approx([0.9 / 1.3])
    assert own_now + other_now == pytest.approx(crossing_now)
    assert sum(w for w, _, _, _ in segments) == pytest.approx([1.0])


def test_the_passages_an_hour_rule_waives_stay_within_those_its_cordons_count(tmp_path: Path):
    """Osloringen at 200 NOK of 2009 all day from 2027 (the charges' highest) nearly empties it: the passages the
    hour rule waives (trips crossing both it and the Indre ring, from their own crossing share) may not exceed the
    passages either cordon counts, or the revenue they are taken from could turn negative."""
    from framtid.model import cordons

    path = tmp_path / "dear.toml"
    path.write_text('[scenario]\nname = "dear"\nextends = "framtid:current-policies"\n[[measure]]\n'
                    'kind = "congestion_charge"\nlabel = "t"\nreplaces = "oslo_ring_2019 tolls from 2025-01-01"\n'
                    'cordon = "oslo_ring_2019"\nstart_year = 2027\nprice_year = 2009\npeak_nok = 200\n'
                    'offpeak_nok = 200\nbev_discount = 0\n', encoding="utf-8")
    scenario = load(path)
    run = api.run_scenario(scenario)
    with cordons.using(scenario.cordons):
        pairs = np.array(cordons.hour_rule_pairs(cordons.cordons()))
    counted, waived = run.record["cordon_passages"][:, 0], run.cordon_record["waived_passages"][:, 0]   # (Y, C|G, T)
    assert len(pairs) and waived.max() > 0.0
    bound = np.minimum(counted[:, pairs[:, 0]], counted[:, pairs[:, 1]])                     # (Y, G, T)
    both = slice(2019 - dims.BASE_YEAR + 1, None)           # the Oslo rings of 2019 charge from their first full year
    assert np.all(waived[both] <= bound[both] * (1.0 + 1e-12))
    assert np.all(run.record["toll_revenue"] >= 0.0)
    # before, the new rings did not charge: their waivers are worth nothing and are kept as they were, for the
    # costs' rule of a half when a cordon starts (or stops) charging
    assert waived[: 2019 - dims.BASE_YEAR].min() > 0.0


def test_a_ring_of_drammens_own_leaves_baerums_trips_into_oslos_rings_in_their_group(tmp_path: Path):
    """Drammen's ring is Drammen's first cordon, so its own residents' groups are set against it, and so are those of
    Oslo's residents' trips into it (their system of the others' cordons holds no cordon of 2009 they cross). In a
    Bærum resident's system of the others' cordons it lies beside Oslo's rings of 2009: there the groups stay set
    against 2009, the trips into Oslo's rings are one group, whatever Drammen's ring charges, and Bærum's trips
    across Drammen's ring cross it only now."""
    from framtid.model.cordons import using
    from framtid.model.parameters import Params
    from framtid.model.submodels import toll_groups, tolls
    from framtid.model.submodels.demand_coefficients import demand_coefficients
    from framtid.model.submodels.transport_state import geography

    path = tmp_path / "drammen.toml"
    path.write_text(DRAMMEN_RING, encoding="utf-8")
    with using(load(path).cordons):
        geo = geography(demand_coefficients(Params.defaults(1)))
        ids = [c.id for c in geo.cordons]

        def priced(cells: dict) -> np.ndarray:
            prices = np.zeros((1, len(ids), 2, 3, 2))
            for cordon, price in cells.items():
                prices[0, ids.index(cordon)] = price
            return prices

        base = priced({"oslo_ring": 20.0, "baerum_ring": 10.0})
        baerum, oslo = dims.MUNICIPALITIES.index("baerum"), dims.MUNICIPALITIES.index("oslo")
        west = [baerum, dims.MUNICIPALITIES.index("drammen")]                 # crossing Oslo's 2009 rings
        got = []
        for drammen in (20.0, 60.0):
            now = priced({"oslo_ring_2019": 20.0, "oslo_inner_ring": 15.0, "oslo_city_boundary": 20.0,
                          "drammen_centre": drammen})
            charged = tolls.charged(now)
            totals = toll_groups.trip_tolls(geo, now, charged)
            reference = toll_groups.reference(tolls.charged(base), charged, geo.owner)
            assert reference[0, ids.index("drammen_centre")]                  # Drammen's own groups: its ring
            groups = toll_groups.groups(geo, base, now, totals, reference)
            alone = toll_groups.groups(geo, base, now, totals)                # the groups set against 2009
            np.testing.assert_array_equal(groups.both_other[:, west], alone.both_other[:, west])
            crossing = tolls.system_weights(geo.cordons, charged, geo.split, geo.destination_share)[1]
            np.testing.assert_allclose(groups.both_other[0, oslo], crossing[0, oslo], rtol=1e-12)   # all of them
            assert alone.both_other[0, oslo].max() == 0.0
            at = list(groups.rows).index(baerum)
            got.append((groups.by_fuel - groups.own_by_fuel)[0, at])
        np.testing.assert_array_equal(*got)   # the trips into Oslo's rings pay Oslo's tolls alone
