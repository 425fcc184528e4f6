"""Every fetch the engine makes goes through a :class:`Fetcher` wrapping one httpx client.

The engine never opens a connection by itself: with no client there is no network at all.
Tests and ``--documents`` answer URLs from local files through :class:`DocumentMapTransport`,
an ordinary httpx transport, so the code path is the real one and only the wire is swapped.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import httpx

from .errors import FetchError, FetchRefusedError, GoneError

MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
MAX_REDIRECTS = 3


class RefusedError(httpx.TransportError):
    """Raised by a transport that will not try a request (offline, forbidden address)."""


class RefusingTransport(httpx.BaseTransport):
    """Refuses every request without touching the network (``--offline``)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise RefusedError(f"offline: {request.url} is not available without network", request=request)


class DocumentMapTransport(httpx.BaseTransport):
    """Answers listed URLs (without fragment) from local files; passes the rest to ``fallback``.

    The map is the shape of the corpus's ``web.json``: ``{url: path}``, paths relative to ``base``.
    """

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
        ctype = "application/json" if path.suffix in (".json", ".jsonld", "") else "application/octet-stream"
        if path.suffix == ".png":
            ctype = "image/png"
        elif path.suffix == ".svg":
            ctype = "image/svg+xml"
        return httpx.Response(200, content=body, headers={"content-type": ctype}, request=request)


def _is_public_address(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return True  # let the connection fail normally
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved \
                or addr.is_multicast or addr.is_unspecified:
            return False
    return True


class GuardedTransport(httpx.HTTPTransport):
    """Live network with rules: https only (http for loopback when allowed), no private ranges.

    Blocks server-side request forgery through a URL a credential names (a hosted badge
    pointing at 169.254.169.254, say).
    """

    def __init__(self, allow_loopback: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._allow_loopback = allow_loopback

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        loopback = host in ("127.0.0.1", "::1", "localhost")
        if loopback and self._allow_loopback:
            return super().handle_request(request)
        if request.url.scheme != "https":
            raise RefusedError(f"{request.url}: only https URLs are fetched", request=request)
        if not _is_public_address(host):
            raise RefusedError(f"{request.url}: private or local addresses are never fetched", request=request)
        return super().handle_request(request)


def make_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(transport=transport or GuardedTransport(), timeout=DEFAULT_TIMEOUT,
                        follow_redirects=True, max_redirects=MAX_REDIRECTS,
                        headers={"user-agent": "satchel-verifier/0.1"})


class Fetcher:
    """Fetches documents for verification through one injected httpx client.

    ``Fetcher(None)`` refuses every URL: the engine has no network unless given one.
    Answers are memoised per fetcher so one run fetches each status list once.
    """

    def __init__(self, client: httpx.Client | None = None, max_bytes: int = MAX_DOCUMENT_BYTES) -> None:
        self._client = client
        self._max = max_bytes
        self._cache: dict[str, bytes | FetchError] = {}

    @property
    def online(self) -> bool:
        return self._client is not None

    def get_bytes(self, url: str, accept: str = "application/json") -> bytes:
        url = urldefrag(url)[0]
        hit = self._cache.get(url)
        if isinstance(hit, FetchError):
            raise hit
        if hit is not None:
            return hit
        try:
            body = self._fetch(url, accept)
        except FetchError as exc:
            self._cache[url] = exc
            raise
        self._cache[url] = body
        return body

    def _fetch(self, url: str, accept: str) -> bytes:
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchRefusedError(url, "not an http(s) URL")
        if self._client is None:
            raise FetchRefusedError(url, "no network access was allowed")
        try:
            with self._client.stream("GET", url, headers={"accept": accept}) as resp:
                if resp.status_code == 410:
                    raise GoneError(url, "the server says it is gone (HTTP 410)")
                if resp.status_code != 200:
                    raise FetchError(url, f"HTTP {resp.status_code}")
                chunks: list[bytes] = []
                size = 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > self._max:
                        raise FetchError(url, f"larger than {self._max} bytes")
                    chunks.append(chunk)
                return b"".join(chunks)
        except RefusedError as exc:
            raise FetchRefusedError(url, str(exc)) from None
        except httpx.HTTPError as exc:
            raise FetchError(url, type(exc).__name__) from None

    def get_json(self, url: str) -> Any:
        body = self.get_bytes(url)
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise FetchError(url, "the answer is not JSON") from None
