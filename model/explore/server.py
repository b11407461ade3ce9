"""The explorer's page and the small web service behind it, on Python's own HTTP server.

    GET  /                  the page (``page.html``: HTML, CSS and script in one file, nothing fetched from elsewhere)
    GET  /api/package       the package: its measures with their editable values, the areas, sectors, indicators
    POST /api/view          {"choice": ..., "area": ..., "uncertain": false} -> the figures of one area
                            (``Explorer.view``; with "uncertain", over the explorer's sampled draws)
    POST /api/effects       {"choice": ..., "area": ..., "year": 2030} -> what each measure does within the choice
                            (``Explorer.effects``)
    POST /api/scenario      {"choice": ..., "name": ...} -> the choice as a scenario file (TOML text)

A choice is ``{"on": [...], "edits": {...}, "added": [...]}``
(``Explorer.chosen``). A problem with a request is answered with
status 400 and ``{"error": message}``, the message naming the measure and key as ``framtid run`` would.
The service listens on the local machine only unless told otherwise (``--host``): it runs the model for anyone
who can reach it.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

from ..errors import FramtidError, UsageError
from .figures import json_safe
from .session import Explorer

MAX_BODY = 1_000_000      # bytes of a request: a choice of every measure with every value edited is ~50 kB


def page() -> bytes:
    """The page, as shipped inside the package."""
    return resources.files(__package__).joinpath("page.html").read_bytes()


class _Handler(BaseHTTPRequestHandler):
    explorer: Explorer          # set on the class made by :func:`make_server`
    server_version = "framtid-explore"
    quiet = True

    def log_message(self, format, *args):  # noqa: A002  (the base class's name)
        if not self.quiet:
            super().log_message(format, *args)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload) -> None:
        self._send(status, json.dumps(json_safe(payload), allow_nan=False).encode(), "application/json")

    def _error(self, status: int, message: str) -> None:
        self._json(status, {"error": message})

    def _host_allowed(self) -> bool:
        """Served on the local machine, the service answers only requests addressed to it by a local name: a page
        of another site cannot reach it through a name of its own that resolves here (DNS rebinding)."""
        if not self.server.local:
            return True
        host = self.headers.get("Host") or ""
        name = host.split("]", 1)[0] + "]" if host.startswith("[") else host.rsplit(":", 1)[0]   # without the port
        allowed = LOCAL_NAMES + self.server.allowed_hosts
        if name.lower() in allowed or _loopback(name.strip("[]")):
            return True
        self._error(HTTPStatus.FORBIDDEN, f"this service answers requests to {', '.join(allowed)} only (got Host "
                                          f"{self.headers.get('Host')!r}; framtid explore --allow-host NAME adds one)")
        return False

    def do_GET(self):  # noqa: N802  (the base class's name)
        if not self._host_allowed():
            return
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, page(), "text/html; charset=utf-8")
        elif path == "/api/package":
            self._json(HTTPStatus.OK, self.explorer.package())
        else:
            self._error(HTTPStatus.NOT_FOUND, f"{path}: not found; the page is at /")

    def _body(self) -> dict | None:
        """The request's JSON object, or None after answering why it is not one."""
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE if length > MAX_BODY else HTTPStatus.BAD_REQUEST,
                        f"a request body of at most {MAX_BODY} bytes, with its Content-Length, is allowed")
            return None
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except (ValueError, UnicodeDecodeError) as e:
            self._error(HTTPStatus.BAD_REQUEST, f"the request is not JSON: {e}")
            return None
        except RecursionError:
            self._error(HTTPStatus.BAD_REQUEST, "the request is not JSON this service reads: nested too deep")
            return None
        if not isinstance(body, dict):
            self._error(HTTPStatus.BAD_REQUEST, "the request must be a JSON object")
            return None
        return body

    def do_POST(self):  # noqa: N802
        if not self._host_allowed():
            return
        path = self.path.split("?", 1)[0]
        if path not in ("/api/view", "/api/effects", "/api/scenario"):
            self._error(HTTPStatus.NOT_FOUND, f"{path}: not found")
            return
        # JSON only: a form of another site cannot post it without the browser asking first (which this service
        # does not answer), so pages elsewhere cannot make it run the model
        if not (self.headers.get("Content-Type") or "").lower().startswith("application/json"):
            self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "a request must be JSON (Content-Type: application/json)")
            return
        body = self._body()
        if body is None:
            return
        try:
            if path == "/api/view":
                self._json(HTTPStatus.OK, self.explorer.view(body.get("choice"), str(body.get("area", "total")),
                                                             body.get("uncertain", False)))
            elif path == "/api/effects":
                self._json(HTTPStatus.OK, self.explorer.effects(body.get("choice"), str(body.get("area", "total")),
                                                                body.get("year", 2030)))
            else:
                from .scenario_text import scenario_text

                text = scenario_text(self.explorer, body.get("choice"), body.get("name") or "my-package")
                self._send(HTTPStatus.OK, text.encode(), "application/toml; charset=utf-8")
        except FramtidError as e:
            self._error(HTTPStatus.BAD_REQUEST, str(e))
        except Exception as e:   # an internal error: the page says so, the command's output has the traceback
            traceback.print_exc()
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"internal error: {type(e).__name__}: {e}")


LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")


def _loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (127.0.0.0/8, ::1) or ``localhost``."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    local = True                 # bound to the local machine: requests must name it (``_Handler._host_allowed``)
    allowed_hosts: tuple[str, ...] = ()   # other names it answers to (a forwarded port's name)


class _Server6(_Server):
    address_family = socket.AF_INET6


def make_server(explorer: Explorer, host: str = "127.0.0.1", port: int = 8765, quiet: bool = True,
                allow_hosts: tuple[str, ...] = ()):
    """A threading HTTP server for ``explorer`` (not yet serving); port 0 takes a free one; an address with a
    colon is IPv6. Bound to a loopback address it answers only requests naming the local machine or one of
    ``allow_hosts`` (a browser reaching it through a forwarded port's name)."""
    for name in allow_hosts:
        check_host_name(name)
    handler = type("Handler", (_Handler,), {"explorer": explorer, "quiet": quiet})
    server = (_Server6 if ":" in host else _Server)((host, port), handler)
    server.local = _loopback(host)
    server.allowed_hosts = tuple(h.lower() for h in allow_hosts)
    return server


# A host name as a Host header carries it (RFC 1123 labels, or an IPv6 address in brackets)
_HOST_NAME = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
                        r"[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\]")


def check_host_name(name: str) -> None:
    """Refuse an ``--allow-host`` value no browser would send as the name of a host."""
    if ":" in name and not name.startswith("["):
        raise UsageError(f"--allow-host: a host name without its port (got {name!r})")
    if len(name) > 253 or not _HOST_NAME.fullmatch(name):
        raise UsageError(f"--allow-host: a host name is letters, digits, hyphens and dots (e.g. myhost.example.org), "
                         f"or an IPv6 address in brackets (e.g. [::1]); got {name!r}")


def serve_in_thread(explorer: Explorer, host: str = "127.0.0.1", port: int = 0):
    """Start serving in a background thread; return the server (``server.shutdown()`` stops it) and its URL."""
    server = make_server(explorer, host, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, url_of(server)


def url_of(server) -> str:
    host, port = server.server_address[:2]
    if host in ("127.0.0.1", ""):
        host = "localhost"      # (::1 stays: localhost may name 127.0.0.1 alone)
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"
