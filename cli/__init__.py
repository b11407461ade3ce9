"""framtid.cli: the ``framtid`` command line."""
