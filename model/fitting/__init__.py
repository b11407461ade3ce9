"""Fitting the model's free parameters to history up to a cut-off year (``framtid calibrate``).

The parameters of the table that are not measured but fitted, each with the policy history in force
(``framtid:current-policies``: prices, taxes, tolls, grants and bans are inputs, so the fit does not count
them twice):

- ``buildings.oil_review_rate``: the yearly review of oil heating, to the fall of heating emissions relative to
  2009 (Norway's, SSB 08940, as the proxy of the 13 but Oslo and Skien, whose factors below the table holds at
  the fits to their own inventories of 2011 and 2013);
- ``transport.maturity_midpoint.bev`` and ``transport.maturity_rate.bev``: the battery-electric maturity path, to
  the national battery-electric share of new cars (OFV, 2018 onwards);
- with a file of municipal inventories, each municipality's factor on the review
  (``buildings.oil_review_factor.<id>``) to its own heating, and the efficiency gains of new vans and heavy vehicles
  to theirs.

The observations after the cut-off are not fitted but shown beside the fit: a check out of sample. The fit is
written as a scenario that extends the policy history with the fitted values as its ``[parameters]``. See
:mod:`.series` (what is observed), :mod:`.search` (how candidates are searched: as the draws of one run) and
:mod:`.history` (the fits).
"""

from .history import Calibration, Fit, calibrate  # noqa: F401

__all__ = ["Calibration", "Fit", "calibrate"]
