"""Evaluation of runs: targets, attribution of effects to measures, decomposition, costs,
co-benefits and indicators, exports and the report.

Each module reads finished runs (result Datasets, or models of one batch run) and computes; none
changes how the model runs. The command line calls them through thin commands in ``cli/``.
"""
