"""Uncertainty and scale: sampling the parameter table (``sampling``), ensembles of draws run in
chunks, serially or on Dask (``ensemble``), and global sensitivity analysis with SALib
(``sensitivity``, the entry; the indices of any function in ``sensitivity_indices``, the model as
such a function in ``sensitivity_model``, tables, JSON and chart in ``sensitivity_report``)."""
