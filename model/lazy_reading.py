"""Reading an open result file part by part (``open_results(..., lazy=True)``), for commands that go
through a large ensemble a variable, a year or a block of draws at a time instead of loading it whole.

Two things of the NetCDF library would make that slow or large, and are changed here for the file
being opened only:

- the library keeps up to 64 MB of decompressed chunks of every variable in memory while the file
  is open (its chunk cache), 1.5 GB over a report's 23 variables; a part read here is read in one
  go, so each variable keeps one chunk at most (:data:`CHUNK_CACHE_BYTES`);
- it reads a list of labels (e.g. the non-ETS sources, or some municipalities) label by label,
  decompressing the same chunks again for each; here the covering range is read once and the
  labels are taken from it in memory (:class:`HyperslabArray`).

The module is imported only where a file is opened so (it imports xarray). Values are the file's,
as :func:`result_file.open_results` loads them: only when and how much is read changes.
"""

from __future__ import annotations

import contextlib

import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

CHUNK_CACHE_BYTES = 1 << 20      # [bytes] per variable: one chunk of a result file (up to 0.9 MB at 250 draws)


@contextlib.contextmanager
def small_chunk_cache():
    """The NetCDF library's chunk cache at :data:`CHUNK_CACHE_BYTES` per variable for the files
    opened inside (it is set when a file is opened), and as it was after."""
    import netCDF4

    size, elements, preemption = netCDF4.get_chunk_cache()
    netCDF4.set_chunk_cache(CHUNK_CACHE_BYTES, elements, preemption)
    try:
        yield
    finally:
        netCDF4.set_chunk_cache(size, elements, preemption)


def read_by_hyperslabs(ds) -> None:
    """Make every data variable of the lazily opened ``ds`` read in one hyperslab per access (in
    place): xarray then asks the file for whole ranges and picks lists of labels from them in memory."""
    for name in list(ds.data_vars):
        v = ds[name].variable
        ds[name] = xr.Variable(v.dims, indexing.LazilyIndexedArray(HyperslabArray(v)), v.attrs, v.encoding)


class HyperslabArray(BackendArray):
    """A lazily opened variable that is read by ranges (integers and slices) only."""

    def __init__(self, variable):
        self.variable = variable
        self.shape = variable.shape
        self.dtype = variable.dtype

    def __getitem__(self, key):
        return indexing.explicit_indexing_adapter(key, self.shape, indexing.IndexingSupport.BASIC, self._read)

    def _read(self, key: tuple) -> np.ndarray:
        return np.asarray(self.variable[key].values)
