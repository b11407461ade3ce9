"""Fixtures shared by several test modules."""

import pytest

from framtid.model import api


@pytest.fixture(scope="session")
def sampled(tmp_path_factory):
    """A result file of the reference run as an ensemble of 8 LHS draws (seed 0); read only."""
    path = tmp_path_factory.mktemp("sampled") / "ref8.nc"
    api.save(api.run(["framtid:reference"], n_draws=8, sampler="lhs"), path)
    return path
