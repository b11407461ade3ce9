"""Uncertainty and scale: sampling the parameter table (``sampling``), ensembles of draws run in
chunks, serially or on Dask (``ensemble``), and global sensitivity analysis with SALib
(``sensitivity``, the entry; the indices of any function in ``sensitivity_indices``, the model as
such a function in ``sensitivity_model``, tables, JSON and chart in ``sensitivity_report``)."""

# Draws of one ensemble or batch, at most. Every chunk of an ensemble reads its rows of the whole sample, which
# is drawn at once (the Latin hypercube and Sobol' points are balanced over all N): about 5 kB a draw for the
# ~650 uncertain parameters, 0.5 GB at this limit; the result takes about 0.4 MB a draw and scenario in single
# precision, 40 GB at it.
MAX_DRAWS = 100_000
# Draws of the commands that hold every draw of a run in memory at once (attribute, costs, tolls; framtid run
# chunks its ensembles instead): one in-process batch of 1 000 draws peaks at about 0.9 GB, so 2 000 stay near
# 2 GB, the memory an ensemble of 10 000 draws is held to.
MAX_DRAWS_IN_PROCESS = 2_000
