"""How fast `framtid explore` answers: the start (the base and the package run once), a new choice (a run of the
package's scenario with those measures, summarised for the page), a choice seen before (from the cache) and the
page's request over HTTP, as the browser makes it; then the same with ranges over sampled draws.

    python benchmarks/explore.py [--scenario framtid:framtidens-byer-2009] [--repeat 8] [--draws 100]

Each new choice leaves one more measure out, so no answer comes from the cache. Prints figures (medians and
ranges); asserts nothing: timings on shared machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="framtid:framtidens-byer-2009")
    parser.add_argument("--repeat", type=int, default=8)
    parser.add_argument("--draws", type=int, default=100, help="draws of the views with ranges (0: skip them)")
    args = parser.parse_args()

    from framtid.model import api
    from framtid.model.explore.server import serve_in_thread
    from framtid.model.explore.session import Explorer

    t0 = time.perf_counter()
    explorer = Explorer(api.load_scenario(args.scenario), draws=max(args.draws, 2))
    explorer.view(None, "total")
    start = time.perf_counter() - t0
    n = len(explorer.own)
    print(f"{args.scenario}: {n} measures on {explorer.base_name}")
    print(f"start (loads the scenario, runs the base and the package, first imports included): {start:.2f} s")

    def timed(f) -> list[float]:
        out = []
        for k in range(args.repeat):
            t0 = time.perf_counter()
            f(k)
            out.append(time.perf_counter() - t0)
        return out

    def show(label: str, seconds: list[float]) -> None:
        print(f"{label:<58} median {statistics.median(seconds):.3f} s  "
              f"({min(seconds):.3f}-{max(seconds):.3f}, {len(seconds)} times)")

    runs = []

    def new_choice(k: int) -> None:
        view = explorer.view({"on": list(range(k + 1, n))}, "total")
        runs.append(view["seconds"])

    show("a new choice, in process (run + summary + view)", timed(new_choice))
    show("  of which the run", runs)
    show("the same choice again (cached)", timed(lambda k: explorer.view({"on": list(range(k + 1, n))}, "total")))
    show("another area of a choice seen before", timed(lambda k: explorer.view({"on": list(range(k + 1, n))}, "oslo")))

    server, url = serve_in_thread(explorer)
    try:
        def ask(k: int) -> None:
            body = json.dumps({"choice": {"on": list(range(0, n - k - 1))}, "area": "region:oslo"}).encode()
            req = urllib.request.Request(url + "api/view", data=body, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req) as r:
                r.read()

        show("a new choice over HTTP (POST /api/view, JSON of ~110 kB)", timed(ask))
    finally:
        server.shutdown()
        server.server_close()
    if not args.draws:
        return
    t0 = time.perf_counter()
    explorer.view(None, "total", uncertain=True)
    print(f"ranges over {args.draws} draws: the base and the package: {time.perf_counter() - t0:.2f} s")
    runs.clear()

    def ranged(k: int) -> None:
        runs.append(explorer.view({"on": list(range(k + 1, n))}, "total", uncertain=True)["seconds"])

    show(f"a new choice with ranges over {args.draws} draws", timed(ranged))
    show("  of which the run", runs)


if __name__ == "__main__":
    main()
