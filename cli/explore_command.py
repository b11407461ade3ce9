"""``framtid explore``: a page in the browser where a package's measures are turned on and off and edited, with
the paths against the targets redrawn at once (the library's :mod:`framtid.model.explore`)."""

from __future__ import annotations

import click

from framtid.model.explore import DEFAULT_DRAWS, MAX_DRAWS

from .common import Terminated, handle_errors, imports_done

DEFAULT_SCENARIO = "framtid:framtidens-byer-2009"


@click.command()
@click.argument("scenario", default=DEFAULT_SCENARIO)
@click.option("--base", default=None, metavar="NAME",
              help="Explore every measure the scenario's chain of extends adds after this scenario of the chain "
                   "(as framtid attribute --base), not only its own file's.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (the local machine only by default; anyone who reaches the address can "
                   "run the model).")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port to listen on (0: a free one).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="A name the page may be reached by besides the local machine's (a forwarded port's host name); "
                   "repeat for several.")
@click.option("--draws", "n_draws", type=click.IntRange(2, MAX_DRAWS), default=DEFAULT_DRAWS, show_default=True,
              help="Sampled draws of the uncertain parameters when the page asks for ranges (each change then runs "
                   "them for the choice; the base and the package once, with the same draws).")
@click.option("--sampler", type=click.Choice(["lhs", "sobol", "random"]), default="lhs", show_default=True,
              help="How the draws are sampled.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="Seed of the draws.")
@click.option("--no-browser", is_flag=True, help="Do not open the page in a browser; only print its address.")
@handle_errors
def explore(scenario, base, host, port, allow_hosts, n_draws, sampler, seed, no_browser):
    """Explore SCENARIO's measures (file, or framtid:NAME; default framtid:framtidens-byer-2009) in the browser:
    turn each on or off and change its values, and see the emissions by area and sector, the indicators and the
    targets of your choice beside the base (none of the measures) and the package as written, each change run at
    once (one run at the default parameter values, about 0.3 s; with ranges asked for on the page, --draws sampled
    draws, about 3 s for 100). The page can download the choice as a scenario file for framtid run. Stop with
    Ctrl-C."""
    import errno
    import webbrowser

    from framtid.model import api
    from framtid.model.errors import UsageError
    from framtid.model.explore.server import check_host_name, make_server, url_of
    from framtid.model.explore.session import Explorer

    for name in allow_hosts:
        check_host_name(name)     # before the scenario is loaded and run
    explorer = Explorer(api.load_scenario(scenario), base, n_draws, seed, sampler)
    try:
        server = make_server(explorer, host, port, allow_hosts=allow_hosts)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"--port: {port} is in use on {host}; give another (--port 0 takes a free one)") from None
        raise UsageError(f"--host: cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    imports_done()
    if not local_only(server.server_address[0]):
        click.echo(f"warning: --host {host}: the page listens beyond this machine ({server.server_address[0]}), and "
                   "anyone who reaches it can run the model here; the default 127.0.0.1 keeps it local", err=True)
    explorer.view(None, "total")     # the base and the package as written, run before the first visitor
    url = url_of(server)
    click.echo(f"framtid explore: {explorer.scenario.name}, {len(explorer.own)} measures on {explorer.base_name}, "
               f"at {url}  (Ctrl-C to stop)")
    if not no_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt as exc:
        if isinstance(exc, Terminated):
            raise       # a termination signal is not the user's Ctrl-C: exit 143, as every command
        click.echo("framtid explore: stopped")
    finally:
        server.server_close()


def local_only(address: str) -> bool:
    """Whether a server bound to ``address`` (an IP address as the socket reports it) is reached from this machine
    alone: a loopback address (127.0.0.0/8, ::1), not a network's or every interface's (0.0.0.0, ::)."""
    import ipaddress

    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False
