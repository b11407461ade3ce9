"""Uncertainty and scale: sampling the parameter table (``sampling``), ensembles of draws run in
chunks, serially or on Dask (``ensemble``), and global sensitivity analysis with SALib
(``sensitivity``)."""
