"""Tests of the toll cordons, their rates and the commuting shares as read and checked (framtid.model.cordons);
the crossing rule is tested in test_cordon_crossing.py."""

import csv
import io
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from framtid.model import cordons as cm
from framtid.model import dims
from framtid.model.errors import DataError

REPO = Path(__file__).resolve().parent.parent


def _rate(start, end, price, fuel="all", period="all", cls="light", discount=0.0, cordon="test_ring"):
    return cm.TollRate(cordon, date.fromisoformat(start), date.fromisoformat(end) if end else None, cls, fuel,
                       period, price, discount, "observed", "test", "high", "")


# -- the embedded files ------------------------------------------------------------------------

def test_embedded_files_are_complete_and_sourced():
    cordons = cm.load_cordons()
    ids = [c.id for c in cordons]
    rates = cm.load_toll_rates()
    commuting = cm.load_commuting()
    for c in cordons:
        assert c.method and c.source and c.status in cm.STATUSES, c.id
        assert any(r.cordon == c.id for r in rates), c.id
    # Drammen has no toll ring in the sources; the Bærum ring is Oslo's (Oslopakke 3, succeeded by Bygrensen)
    for owner in set(dims.MUNICIPALITIES) - {"drammen", "baerum"}:
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


# line 3 is Osloringen of 2019, line 6 the Oslo city boundary (both oslo), line 7 the Bergen ring (bergen)
@pytest.mark.parametrize("line, column, value, message", [
    (6, "hour_rule", "oslo_2019", r"joins 3 cordons \(oslo_ring_2019, oslo_inner_ring, oslo_city_boundary\); an hour "
                                  r"rule joins at most 2"),
    (7, "hour_rule", "oslo_2019", r"joins cordons of another municipality \(oslo_ring_2019 \(oslo\), oslo_inner_ring "
                                  r"\(oslo\)\)"),
    (3, "succeeds", "atlantis_ring", r"must name a cordon defined before it \(oslo_ring\)"),
    (7, "succeeds", "oslo_ring", r"names a cordon of another municipality \(oslo\)"),
])
def test_hour_rules_and_successors_are_checked_naming_line_and_column(tmp_path, line, column, value, message):
    bad = _corrupt(tmp_path, "cordons.csv", line, column, value)
    with pytest.raises(DataError, match=rf"cordons\.csv: line {line}: column '{column}' {message}"):
        cm.load_cordons(bad)


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

def test_tool_reproduces_the_embedded_files(tmp_path, tool, shared_data):
    tool("build_cordons").main(shared_data, out=tmp_path)
    for name in ("cordons.csv", "toll_rates.csv", "commuting.csv"):
        assert (tmp_path / name).read_bytes() == cm._embedded(name).read_bytes(), name


def test_a_cordon_file_with_only_its_header_is_refused(tmp_path):
    embedded = Path(cm.__file__).parent / "data" / "cordons.csv"
    bad = tmp_path / "cordons.csv"
    bad.write_text(embedded.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"^cordons\.csv: no cordons after the header; the file needs one row per "
                                        r"cordon$"):
        cm.load_cordons(bad)
