"""Tests of the toll cordons, their rates and the commuting geography (framtid.model.cordons)."""

import csv
import io
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from framtid.model import cordons as cm
from framtid.model import data_store, dims, parameters
from framtid.model.errors import DataError

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
M = {m: i for i, m in enumerate(dims.MUNICIPALITIES)}
DELTA = np.array([0.5, 0.3, 0.2])   # trip ends in zone types A, B, C


def _cordon(owner="oslo", inside=(1.0, 0.5, 0.0), direction="inbound", exchange=None, cid="test_ring"):
    others = tuple(m for m in dims.MUNICIPALITIES if m != owner) if exchange is None else exchange
    return cm.Cordon(cid, cid, owner, direction, inside, others, 0.0, 2009, None, "assumption", "test", "test")


def _rate(start, end, price, fuel="all", period="all", cls="light", discount=0.0, cordon="test_ring"):
    return cm.TollRate(cordon, date.fromisoformat(start), date.fromisoformat(end) if end else None, cls, fuel,
                       period, price, discount, "observed", "test", "high", "")


def _defaults():
    """Trip ends by zone type, purpose shares and zone shares from the embedded defaults."""
    table = parameters.table()
    delta = np.array([table[f"transport.parking_destination_share.{z}"].default for z in dims.ZONES])
    purpose = np.array([table[f"transport.purpose_share.{p}"].default for p in dims.PURPOSES])
    zones = {m.id: np.array(m.zone_share) for m in data_store.municipalities()}
    return delta / delta.sum(), purpose / purpose.sum(), zones


# -- the crossing rule, by hand ----------------------------------------------------------------

def test_crossing_probability_by_hand():
    inside = np.array([1.0, 0.5, 0.0])
    # Trip ends inside: 0.5 * 1 + 0.3 * 0.5 + 0.2 * 0 = 0.65.
    # Internal trip from A (home inside): the other end is outside with 0.35.
    # From B: 0.5 * 0.35 + 0.5 * 0.65 = 0.5. From C (home outside): 0.65.
    assert cm.crossing_probability(inside, inside, DELTA) == pytest.approx([0.35, 0.5, 0.65])
    # From another municipality into the owner: the destination end is inside with 0.65.
    assert cm.crossing_probability(np.zeros(3), inside, DELTA) == pytest.approx([0.65, 0.65, 0.65])
    # From the owner out: crosses when the home lies inside.
    assert cm.crossing_probability(inside, np.zeros(3), DELTA) == pytest.approx([1.0, 0.5, 0.0])
    # A ring on the owner's boundary (1, 1, 1) is never crossed by internal trips.
    ones = np.ones(3)
    assert cm.crossing_probability(ones, ones, DELTA) == pytest.approx(np.zeros(3))


def test_crossing_matrix_by_hand():
    commute = np.eye(len(M))
    commute[M["baerum"], M["oslo"]] = 0.4      # 40 % of Baerum's workers work in Oslo
    commute[M["oslo"], M["baerum"]] = 0.1
    split = cm.destination_split(commute, 0.5)
    crossings, paid = cm.crossing_matrix([_cordon()], split, DELTA)
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
    both = cm.crossing_matrix([_cordon(direction="both")], split, DELTA)[1]
    assert both == pytest.approx(crossings)
    # Residents of places that do not exchange trips with the owner never cross.
    assert crossings[0, M["tromso"]] == pytest.approx(np.zeros((3, 3)))


def test_exchange_with_limits_who_crosses():
    commute = np.eye(len(M))
    commute[M["drammen"], M["baerum"]] = 0.05
    commute[M["oslo"], M["baerum"]] = 0.1
    split = cm.destination_split(commute, 1.0)
    # A ring on Baerum's western boundary: Drammen residents cross on their way in, Oslo residents do not.
    crossings, _ = cm.crossing_matrix([_cordon("baerum", (1, 1, 1), exchange=("drammen",))], split, DELTA)
    assert crossings[0, M["drammen"]] == pytest.approx(np.full((3, 3), 0.05))
    assert crossings[0, M["oslo"]] == pytest.approx(np.zeros((3, 3)))
    assert crossings[0, M["baerum"]] == pytest.approx(np.zeros((3, 3)))


def test_destination_split_rows_sum_to_one():
    commute = cm.commute_matrix(cm.load_commuting(), 2009)
    split = cm.destination_split(commute, 0.5)
    assert split.shape == (len(M), len(dims.PURPOSES), len(M))
    assert split.sum(axis=-1) == pytest.approx(np.ones((len(M), 3)))
    # Commute trips follow the commuting shares, the other purposes leave half as often.
    b, o = M["baerum"], M["oslo"]
    assert split[b, 0, o] == pytest.approx(commute[b, o])
    assert split[b, 1:, o] == pytest.approx([0.5 * commute[b, o]] * 2)
    assert split[b, 1, b] == pytest.approx(1.0 - 0.5 * (1.0 - commute[b, b]))
    # A factor per draw gives a leading draw axis.
    draws = cm.destination_split(commute, np.array([0.0, 0.5, 1.0]))
    assert draws.shape == (3, len(M), 3, len(M))
    assert draws.sum(axis=-1) == pytest.approx(np.ones((3, len(M), 3)))
    assert draws[0, :, 1:] == pytest.approx(np.broadcast_to(np.eye(len(M))[:, None, :], (len(M), 2, len(M))))
    assert draws[1] == pytest.approx(split)
    with pytest.raises(ValueError):
        cm.destination_split(commute, 10.0)


def test_commute_matrix_takes_the_nearest_year():
    rows = [cm.CommuteShare("oslo", "baerum", 2011, 0.05, "observed", "", ""),
            cm.CommuteShare("oslo", "baerum", 2019, 0.07, "observed", "", ""),
            cm.CommuteShare("baerum", "oslo", 2018, 0.4, "observed", "", "")]
    for year, expected in ((2009, 0.05), (2015, 0.05), (2016, 0.07), (2030, 0.07)):
        c = cm.commute_matrix(rows, year)
        assert c[M["oslo"], M["baerum"]] == pytest.approx(expected)
        assert c[M["baerum"], M["oslo"]] == pytest.approx(0.4)
        assert c.sum(axis=1) == pytest.approx(np.ones(len(M)))
        assert c[M["oslo"], M["oslo"]] == pytest.approx(1.0 - expected)


# -- the embedded cordons ----------------------------------------------------------------------

def _embedded_crossings(year=2009):
    delta, purpose, zones = _defaults()
    cordons = cm.load_cordons()
    split = cm.destination_split(cm.commute_matrix(cm.load_commuting(), year), 0.5)
    crossings, paid = cm.crossing_matrix(cordons, split, delta)
    return cordons, crossings, paid, purpose, zones


def test_baerum_residents_cross_oslo_cordons_and_tromso_residents_none():
    cordons, crossings, paid, purpose, zones = _embedded_crossings()
    oslo = [k for k, c in enumerate(cordons) if c.municipality == "oslo"]
    assert len(oslo) == 4
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


def test_city_boundary_ring_is_never_crossed_by_internal_trips():
    cordons = cm.load_cordons()
    boundary = [c for c in cordons if c.inside_share == (1.0, 1.0, 1.0)]
    assert {c.id for c in boundary} >= {"oslo_city_boundary"}
    internal_only = cm.destination_split(np.eye(len(M)), 0.5)
    crossings, paid = cm.crossing_matrix(boundary, internal_only, _defaults()[0])
    assert crossings == pytest.approx(np.zeros_like(crossings))
    assert paid == pytest.approx(np.zeros_like(paid))


def test_oslo_ring_calibrated_to_half_of_residents_car_trips():
    cordons, crossings, paid, purpose, zones = _embedded_crossings()
    k = [c.id for c in cordons].index("oslo_ring")
    share = zones["oslo"] @ crossings[k, M["oslo"]] @ purpose
    assert share == pytest.approx(0.5, abs=0.01)   # policies/cordon_shares.csv: 'about half'
    assert zones["oslo"] @ paid[k, M["oslo"]] @ purpose == pytest.approx(share / 2)


def test_embedded_files_are_complete_and_sourced():
    cordons = cm.load_cordons()
    ids = [c.id for c in cordons]
    rates = cm.load_toll_rates()
    commuting = cm.load_commuting()
    for c in cordons:
        assert c.method and c.source and c.status in cm.STATUSES, c.id
        assert any(r.cordon == c.id for r in rates), c.id
    for owner in set(dims.MUNICIPALITIES) - {"drammen"}:     # Drammen has no toll ring in the sources
        assert any(c.municipality == owner for c in cordons), owner
    pairs = {(r.home, r.work) for r in commuting}
    for pair in (("oslo", "baerum"), ("baerum", "oslo"), ("fredrikstad", "sarpsborg"), ("sarpsborg", "fredrikstad"),
                 ("porsgrunn", "skien"), ("skien", "porsgrunn"), ("stavanger", "sandnes"), ("sandnes", "stavanger"),
                 ("drammen", "oslo"), ("drammen", "baerum")):
        assert pair in pairs
    # The rings the data put in force during 2009 charge in 2009.
    in_2009 = cm.rates_in_year(rates, 2009, ids)[:, 0, 0, 0]
    charging = {ids[k] for k in np.flatnonzero(in_2009 > 0)}
    assert charging == {"oslo_ring", "baerum_ring", "bergen_ring", "kristiansand_ring"}


# -- rates -------------------------------------------------------------------------------------

def test_rates_in_year_weights_a_mid_year_change_by_days():
    rates = [_rate("2018-01-01", "2019-06-30", 10.0), _rate("2019-07-01", None, 20.0)]
    r = cm.rates_in_year(rates, 2019, ["test_ring"])
    assert r.shape == (1, 2, 3, 2)
    # 181 days at 10 (January-June) and 184 at 20.
    expected = (181 * 10.0 + 184 * 20.0) / 365
    assert r[0, 0] == pytest.approx(np.full((3, 2), expected))
    assert r[0, 1] == pytest.approx(np.zeros((3, 2)))            # no heavy rate
    assert cm.rates_in_year(rates, 2020, ["test_ring"])[0, 0, 0, 0] == pytest.approx(20.0)
    # Opening on 1 October 2018: 92 of 365 days.
    late = [_rate("2018-10-01", None, 36.5)]
    assert cm.rates_in_year(late, 2018, ["test_ring"])[0, 0, 0, 0] == pytest.approx(9.2)
    assert cm.rates_in_year(late, 2017, ["test_ring", "other"]) == pytest.approx(np.zeros((2, 2, 3, 2)))


def test_rates_in_year_expands_all_and_prefers_named_fuel_and_period():
    rates = [_rate("2019-01-01", None, 20.0, period="peak"), _rate("2019-01-01", None, 10.0, period="offpeak"),
             _rate("2019-01-01", None, 0.0, fuel="bev"), _rate("2019-01-01", None, 25.0, fuel="diesel",
                                                              period="peak"),
             _rate("2019-01-01", None, 50.0, cls="heavy", discount=0.2)]
    r = cm.rates_in_year(rates, 2019, ["test_ring"])[0]
    light = r[0]
    assert light[cm.FUELS.index("petrol")] == pytest.approx([20.0, 10.0])
    assert light[cm.FUELS.index("diesel")] == pytest.approx([25.0, 10.0])
    assert light[cm.FUELS.index("bev")] == pytest.approx([0.0, 0.0])     # bev/all beats all/peak
    assert r[1] == pytest.approx(np.full((3, 2), 50.0))
    with_tag = cm.rates_in_year(rates, 2019, ["test_ring"], tag_share=0.5)[0]
    assert with_tag[1] == pytest.approx(np.full((3, 2), 50.0 * (1 - 0.5 * 0.2)))


def test_embedded_rates_in_2009_and_on_a_suspension():
    rates = cm.load_toll_rates()
    ids = ["oslo_ring", "nord_jaeren_stavanger", "trondheim_ring"]
    r2009 = cm.rates_in_year(rates, 2009, ids)
    assert r2009[0, 0] == pytest.approx(np.array([[26, 26], [26, 26], [0, 0]]))   # 2011 rate carried back, EVs free
    assert r2009[0, 1] == pytest.approx(np.full((3, 2), 78.0))
    # Nord-Jaeren's rush charge was suspended (and refunded) until 2019-03-24: 83 days at 22, then 44.
    peak_2019 = cm.rates_in_year(rates, 2019, ids)[1, 0, 0, 0]
    assert peak_2019 == pytest.approx((83 * 22 + 282 * 44) / 365)
    # Trondheim opened on 2010-03-31: 276 of 365 days.
    assert cm.rates_in_year(rates, 2010, ids)[2, 0, 0] == pytest.approx(np.array([20, 10]) * 276 / 365)


# -- loaders -----------------------------------------------------------------------------------

def _corrupt(tmp_path, name, line, column, value):
    """A copy of an embedded file with one value replaced (``line`` counts the header as 1)."""
    rows = list(csv.reader(io.StringIO(cm._embedded(name).read_text(encoding="utf-8"))))
    rows[line - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_loaders_name_file_line_and_column(tmp_path):
    bad = _corrupt(tmp_path, "cordons.csv", 3, "inside_share_B", "lots")
    with pytest.raises(DataError, match=r"cordons\.csv: line 3: column 'inside_share_B' must be a number"):
        cm.load_cordons(bad)
    bad = _corrupt(tmp_path, "cordons.csv", 4, "charged_direction", "outbound")
    with pytest.raises(DataError, match=r"cordons\.csv: line 4: column 'charged_direction' must be one of"):
        cm.load_cordons(bad)
    bad = _corrupt(tmp_path, "toll_rates.csv", 5, "valid_from", "2011-13-01")
    with pytest.raises(DataError, match=r"toll_rates\.csv: line 5: column 'valid_from' must be a date"):
        cm.load_toll_rates(bad)
    bad = _corrupt(tmp_path, "toll_rates.csv", 6, "cordon", "atlantis_ring")
    with pytest.raises(DataError, match=r"toll_rates\.csv: line 6: column 'cordon' must be one of"):
        cm.load_toll_rates(bad)
    # Line 5 (Oslo ring, light, from 2011) moved into the span of line 2 (2009-2010).
    bad = _corrupt(tmp_path, "toll_rates.csv", 5, "valid_from", "2010-06-01")
    with pytest.raises(DataError, match=r"toll_rates\.csv: line 5: column 'valid_from' 2010-06-01 overlaps line 2"):
        cm.load_toll_rates(bad)
    bad = _corrupt(tmp_path, "commuting.csv", 2, "share", "1.5")
    with pytest.raises(DataError, match=r"commuting\.csv: line 2: column 'share' must lie in \[0, 1\]"):
        cm.load_commuting(bad)
    bad = _corrupt(tmp_path, "commuting.csv", 3, "work", "oslo")
    with pytest.raises(DataError, match=r"commuting\.csv: line 3: column 'work' must differ from home"):
        cm.load_commuting(bad)


# -- the build tool ----------------------------------------------------------------------------

@pytest.mark.skipif(not (SHARED / "policies" / "toll_schemes.csv").exists(), reason="reference data not present")
def test_tool_reproduces_the_embedded_files(tmp_path, tool):
    tool("build_cordons").main(SHARED, out=tmp_path)
    for name in ("cordons.csv", "toll_rates.csv", "commuting.csv"):
        assert (tmp_path / name).read_bytes() == cm._embedded(name).read_bytes(), name
