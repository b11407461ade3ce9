"""framtid: scenario simulation of urban climate measures (Framtidens byer).

The library lives in :mod:`framtid.model`; the command line in :mod:`framtid.cli`.
"""

__version__ = "0.35.0"
