"""Every fetch the engine makes goes through a :class:`Fetcher`.

A fetcher answers from local documents first (``--documents``: URLs mapped to files, as
``../shared/corpus/web.json``), then from one injected httpx client. With no client there is
no network at all: ``Fetcher(None)`` refuses every URL it has no local answer for.

The httpx transports (``GuardedTransport`` for live fetches with SSRF rules,
``RefusingTransport``, ``DocumentMapTransport``) live in ``credentials._transports`` and are
imported on first use, so an offline run never loads the HTTP stack.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlsplit

from ._cache import CachedDocument, DocumentCache, from_response
from ._errors import FetchError, FetchRefusedError, GoneError

if TYPE_CHECKING:
    import httpx

    from ._transports import DocumentMapTransport, GuardedTransport, RefusingTransport

__all__ = ["DocumentMapTransport", "Fetcher", "GuardedTransport", "LocalDocuments", "RefusingTransport",
           "describe_http_error", "make_client"]

MAX_DOCUMENT_BYTES = 4 * 1024 * 1024


def __getattr__(name: str) -> Any:
    if name in ("DocumentMapTransport", "GuardedTransport", "RefusingTransport", "RefusedError"):
        from . import _transports

        return getattr(_transports, name)
    raise AttributeError(name)


def make_client(transport: httpx.BaseTransport | None = None, *, offline: bool = False,
                allow_loopback: bool = False) -> httpx.Client:
    """The one httpx client shape (:func:`credentials._transports.make_client`)."""
    from ._transports import make_client as _make

    return _make(transport, offline=offline, allow_loopback=allow_loopback)


class LocalDocuments:
    """URLs (without fragment) answered from local files: ``{url: path}``, paths relative to ``base``."""

    def __init__(self, mapping: Mapping[str, str | Path], base: Path | None = None) -> None:
        base = base or Path.cwd()
        self._files = {urldefrag(url)[0]: base / path for url, path in mapping.items()}

    @classmethod
    def from_file(cls, path: str | Path) -> LocalDocuments:
        p = Path(path)
        mapping = json.loads(p.read_text(encoding="utf-8"))
        if not isinstance(mapping, dict):
            raise ValueError(f"{p}: a documents map is a JSON object of URL -> file")
        return cls(mapping, base=p.parent)

    def path_for(self, url: str) -> Path | None:
        return self._files.get(urldefrag(url)[0])


@dataclass(frozen=True)
class Provenance:
    """Where an answer came from: when it was fetched, and whether it is a stale cached copy."""

    fetched_at: datetime | None
    source: str  # "local" | "network" | "cache"
    stale: bool = False


def _now() -> datetime:
    return datetime.now(UTC)


def describe_http_error(exc: httpx.HTTPError) -> str:
    """What went wrong with a request, in words (never an exception's class name)."""
    import httpx

    from ._transports import RefusedError

    if isinstance(exc, RefusedError):  # a guard's refusal says why itself (private address, loopback)
        return str(exc)
    if isinstance(exc, httpx.TimeoutException):
        return "the server did not answer in time"
    if isinstance(exc, httpx.ConnectError):
        return "the server could not be reached"
    if isinstance(exc, httpx.TooManyRedirects):
        return "it redirected too many times"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.DecodingError)):
        return "the server's answer could not be read"
    return "the connection failed"


def _request_headers(accept: str, cached: CachedDocument | None) -> dict[str, str]:
    """``accept``, and a conditional request (RFC 9110 §13.1) for what ``cached`` holds."""
    headers = {"accept": accept}
    if cached is not None and cached.etag:
        headers["if-none-match"] = cached.etag
    if cached is not None and cached.last_modified:
        headers["if-modified-since"] = cached.last_modified
    return headers


class Fetcher:
    """Fetches documents for verification: local documents, then the cache, then the client.

    Answers are memoised per fetcher, so one run fetches each status list once. With a
    ``cache``, fresh entries are used as they are, stale ones revalidated when the network is
    there and used (marked stale) when it is not.
    """

    def __init__(self, client: httpx.Client | None = None, max_bytes: int = MAX_DOCUMENT_BYTES,
                 documents: LocalDocuments | None = None, cache: DocumentCache | None = None,
                 clock: Callable[[], datetime] = _now) -> None:
        self._client = client
        self._documents = documents
        self._max = max_bytes
        self._store = cache
        self._clock = clock
        self._cache: dict[str, bytes | FetchError] = {}
        self._provenance: dict[str, Provenance] = {}

    def provenance(self, url: str) -> Provenance | None:
        return self._provenance.get(urldefrag(url)[0])

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
        local = self._documents.path_for(url) if self._documents else None
        if local is not None:
            return self._fetch_local(url, local)
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchRefusedError(url, "not an http(s) URL")
        return self._fetch_remote(url, accept)

    def _fetch_local(self, url: str, local: Path) -> bytes:
        # A mapped URL is answered from its file whatever its scheme: no network is involved.
        try:
            if local.stat().st_size > self._max:
                raise FetchError(url, f"larger than {self._max} bytes")
            body = local.read_bytes()
        except OSError as exc:
            raise FetchError(url, f"the local copy cannot be read ({exc.strerror})") from None
        self._provenance[url] = Provenance(None, "local")
        if self._store is not None:  # stands in for the web: remembered like a fetched copy
            self._store.put(CachedDocument(url, body, self._clock()))
        return body

    def _fetch_remote(self, url: str, accept: str) -> bytes:
        """An http(s) URL: a fresh cached copy, else the network, else a stale cached copy."""
        now = self._clock()
        cached = self._store.get(url) if self._store else None
        if cached is not None and cached.is_fresh(now):
            self._provenance[url] = Provenance(cached.fetched_at, "cache")
            return cached.body
        try:
            if self._client is None:
                raise FetchRefusedError(url, "no network access was allowed")
            body = self._fetch_http(url, accept, cached, now)
        except GoneError:
            raise
        except FetchError:
            if cached is None:
                raise
            # Offline or unreachable: the last copy we had, said to be as old as it is.
            self._provenance[url] = Provenance(cached.fetched_at, "cache", stale=True)
            return cached.body
        self._provenance[url] = Provenance(now, "network")
        return body

    def _fetch_http(self, url: str, accept: str, cached: CachedDocument | None, now: datetime) -> bytes:
        import httpx

        from ._transports import RefusedError

        assert self._client is not None
        try:
            with self._client.stream("GET", url, headers=_request_headers(accept, cached)) as resp:
                return self._answer(url, resp, cached, now)
        except RefusedError as exc:
            raise FetchRefusedError(url, str(exc)) from None
        except httpx.HTTPError as exc:
            raise FetchError(url, describe_http_error(exc)) from None

    def _answer(self, url: str, resp: httpx.Response, cached: CachedDocument | None, now: datetime) -> bytes:
        """The body a response gives (``cached``'s on a 304), remembered in the store."""
        if resp.status_code == 304 and cached is not None:
            if self._store:
                self._store.put(cached.revalidated(now))
            return cached.body
        if resp.status_code == 410:
            raise GoneError(url, "the server says it is gone (HTTP 410)")
        if resp.status_code != 200:
            raise FetchError(url, f"HTTP {resp.status_code}")
        body = self._read_body(url, resp)
        if self._store is not None:
            entry = from_response(url, body, {k.lower(): v for k, v in resp.headers.items()}, now)
            if entry is not None:
                self._store.put(entry)
        return body

    def _read_body(self, url: str, resp: httpx.Response) -> bytes:
        """The streamed body, refused as soon as it grows past the size limit."""
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > self._max:
                raise FetchError(url, f"larger than {self._max} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def get_json(self, url: str) -> Any:
        body = self.get_bytes(url)
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise FetchError(url, "the answer is not JSON") from None
