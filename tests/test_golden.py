"""Golden regression: the reference run still gives the figures recorded in tests/golden/reference.json.

A failure means results changed. If the change is intended, regenerate with
`python tests/golden/update.py` and explain the change in the commit.
"""

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "golden"
sys.path.insert(0, str(HERE))

from update import figures  # noqa: E402


@pytest.fixture(scope="module")
def pair():
    return json.loads((HERE / "reference.json").read_text()), figures()


def test_emissions_unchanged(pair):
    golden, now = pair
    for muni, sectors in golden["emissions_t_co2e"].items():
        for sector, values in sectors.items():
            assert now["emissions_t_co2e"][muni][sector] == pytest.approx(values, rel=1e-6, abs=1e-3), (muni, sector)


def test_activity_unchanged(pair):
    golden, now = pair
    for name, by_muni in golden["activity"].items():
        for muni, values in by_muni.items():
            assert now["activity"][name][muni] == pytest.approx(values, rel=1e-6, abs=1e-9), (name, muni)
