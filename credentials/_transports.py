"""httpx transports for the engine's fetcher (imported only when a client is made)."""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

import httpx

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_REDIRECTS = 3


class RefusedError(httpx.TransportError):
    """Raised by a transport that will not try a request (offline, forbidden address)."""


class RefusingTransport(httpx.BaseTransport):
    """Refuses every request without touching the network (``--offline``)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise RefusedError(f"offline: {request.url} is not available without network", request=request)


class DocumentMapTransport(httpx.BaseTransport):
    """Answers listed URLs (without fragment) from local files; passes the rest to ``fallback``."""

    def __init__(self, mapping: Mapping[str, str | Path], base: Path | None = None,
                 fallback: httpx.BaseTransport | None = None) -> None:
        base = base or Path.cwd()
        self._files = {urldefrag(url)[0]: base / path for url, path in mapping.items()}
        self._fallback = fallback or RefusingTransport()

    @classmethod
    def from_file(cls, path: str | Path, fallback: httpx.BaseTransport | None = None) -> DocumentMapTransport:
        p = Path(path)
        mapping = json.loads(p.read_text(encoding="utf-8"))
        if not isinstance(mapping, dict):
            raise ValueError(f"{p}: a documents map is a JSON object of URL -> file")
        return cls(mapping, base=p.parent, fallback=fallback)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = self._files.get(str(request.url).split("#", 1)[0])
        if path is None:
            return self._fallback.handle_request(request)
        try:
            body = path.read_bytes()
        except OSError:
            return httpx.Response(404, request=request)
        types = {".png": "image/png", ".svg": "image/svg+xml"}
        ctype = types.get(path.suffix, "application/json")
        return httpx.Response(200, content=body, headers={"content-type": ctype}, request=request)


def _is_global(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(addr, ipaddress.IPv6Address):
        # An IPv6 wrapper around an IPv4 address is judged by the address it carries.
        inner = addr.ipv4_mapped or addr.sixtofour or (addr.teredo[1] if addr.teredo else None)
        if inner is not None:
            return _is_global(inner)
    return addr.is_global and not addr.is_multicast


def resolve_public_addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, if all are globally routable; otherwise RefusedError.

    A failed lookup is a refusal too: a name that does not resolve now must not get a second
    chance to resolve somewhere private when the connection is made.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise RefusedError(f"{host} could not be looked up ({exc})") from None
    addresses: list[str] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]
        addr = ipaddress.ip_address(text)
        if not _is_global(addr):
            raise RefusedError(f"{host} ({addr}): private or local addresses are never fetched")
        addresses.append(text)
    if not addresses:
        raise RefusedError(f"{host} has no address")
    return addresses


class GuardedTransport(httpx.HTTPTransport):
    """Live network with rules: https only (http for loopback when allowed), no address that is
    not globally routable (private, loopback, link-local, shared, reserved, multicast).

    Blocks server-side request forgery through a URL a credential names (a hosted badge
    pointing at 169.254.169.254, say). The connection goes to the very address that was
    checked (the URL's host is replaced by it; Host header and TLS SNI keep the name), so DNS
    rebinding between check and connect cannot redirect it. Redirects come back through
    here, so each hop is checked.
    """

    def __init__(self, allow_loopback: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._allow_loopback = allow_loopback

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        loopback = host in ("127.0.0.1", "::1", "localhost")
        if loopback and self._allow_loopback:
            return super().handle_request(request)
        try:
            if request.url.scheme != "https":
                raise RefusedError(f"{request.url}: only https URLs are fetched")
            addresses = resolve_public_addresses(host, request.url.port or 443)
        except RefusedError as exc:
            # Named for what it is: this computer (a demo issuer, say), not an outage.
            hint = (" (it is this computer: --allow-loopback lets Satchel check a demo issuer running here)"
                    if loopback else "")
            raise RefusedError(f"{exc}{hint}", request=request) from None
        # A new request for the pinned connection: the caller's request keeps its URL, so
        # httpx resolves relative redirects against the name, not the address.
        pinned = httpx.Request(request.method, request.url.copy_with(host=addresses[0]), headers=request.headers,
                               stream=request.stream, extensions={**request.extensions, "sni_hostname": host})
        return super().handle_request(pinned)


def make_client(transport: httpx.BaseTransport | None = None, *, offline: bool = False,
                allow_loopback: bool = False) -> httpx.Client:
    """The one httpx client shape every part uses: timeouts, few redirects, and, unless a transport
    is given, live fetches guarded against SSRF (``allow_loopback`` for demos and tests on this
    machine) or, ``offline``, no fetch at all (each one refused: checks say "could not check")."""
    if transport is None:
        transport = RefusingTransport() if offline else GuardedTransport(allow_loopback=allow_loopback)
    return httpx.Client(transport=transport, timeout=DEFAULT_TIMEOUT,
                        follow_redirects=True, max_redirects=MAX_REDIRECTS,
                        headers={"user-agent": "satchel-verifier/0.1"})
