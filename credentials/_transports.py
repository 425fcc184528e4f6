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


def is_public_address(host: str) -> bool:
    """False for private, loopback, link-local, reserved, multicast or unspecified addresses."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return True  # the connection will fail on its own
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved \
                or addr.is_multicast or addr.is_unspecified:
            return False
    return True


class GuardedTransport(httpx.HTTPTransport):
    """Live network with rules: https only (http for loopback when allowed), no private ranges.

    Blocks server-side request forgery through a URL a credential names (a hosted badge
    pointing at 169.254.169.254, say). Redirects come back through here, so each hop is checked.
    """

    def __init__(self, allow_loopback: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._allow_loopback = allow_loopback

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host in ("127.0.0.1", "::1", "localhost") and self._allow_loopback:
            return super().handle_request(request)
        if request.url.scheme != "https":
            raise RefusedError(f"{request.url}: only https URLs are fetched", request=request)
        if not is_public_address(host):
            raise RefusedError(f"{request.url}: private or local addresses are never fetched", request=request)
        return super().handle_request(request)


def make_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(transport=transport or GuardedTransport(), timeout=DEFAULT_TIMEOUT,
                        follow_redirects=True, max_redirects=MAX_REDIRECTS,
                        headers={"user-agent": "satchel-verifier/0.1"})
