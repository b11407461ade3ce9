"""Interactive use: a package's measures turned on and off and edited in the browser, the paths against the
targets redrawn at once (``framtid explore``). :mod:`.session` runs and summarises a choice, :mod:`.server`
serves the page (``page.html``) and its small web service, :mod:`.scenario_text` writes a choice as a scenario
file."""

# The ensemble a view with uncertainty runs (here, not in session, so the command line imports no numpy for --help).
DEFAULT_DRAWS = 100      # sampled draws: about 3 s a choice (benchmarks/explore.py)
MAX_DRAWS = 1000
