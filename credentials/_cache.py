"""An on-disk cache of fetched documents (DID documents, status lists, hosted badges).

Each entry keeps the body, when it was fetched and the HTTP caching headers that came with it
(RFC 9111: Cache-Control max-age / no-store / no-cache, Expires, ETag, Last-Modified). A fresh
entry is used without asking; a stale one is revalidated when the network is there and used,
marked stale, when it is not, so offline verification can say "status as of <time>".
Writes are atomic (temporary file + rename), so a crash never leaves half an entry.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class CachedDocument:
    url: str
    body: bytes
    fetched_at: datetime
    max_age: int | None = None
    expires: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    no_cache: bool = False

    def fresh_until(self) -> datetime:
        if self.no_cache:
            return self.fetched_at
        if self.max_age is not None:
            return self.fetched_at + timedelta(seconds=self.max_age)
        if self.expires is not None:
            return self.expires
        return self.fetched_at  # no freshness information: revalidate every time

    def is_fresh(self, now: datetime) -> bool:
        return now < self.fresh_until()

    def revalidated(self, now: datetime) -> CachedDocument:
        return replace(self, fetched_at=now)


def from_response(url: str, body: bytes, headers: dict[str, str], now: datetime) -> CachedDocument | None:
    """A cache entry for an HTTP answer, or None when the server forbids storing it."""
    control = headers.get("cache-control", "").lower()
    if "no-store" in control:
        return None
    max_age = None
    m = re.search(r"(?:^|,)\s*max-age\s*=\s*(\d+)", control)
    if m:
        max_age = int(m.group(1))
    expires = None
    if "expires" in headers:
        from email.utils import parsedate_to_datetime

        try:
            expires = parsedate_to_datetime(headers["expires"]).astimezone(UTC)
        except (TypeError, ValueError):
            expires = now  # RFC 9111 §5.3: an invalid date means already expired
    return CachedDocument(url, body, now, max_age, expires, headers.get("etag"), headers.get("last-modified"),
                          "no-cache" in control)


class DocumentCache(Protocol):
    def get(self, url: str) -> CachedDocument | None: ...

    def put(self, doc: CachedDocument) -> None: ...


class DiskCache:
    """One file per URL in ``directory`` (JSON). Subclasses may seal entries: override
    :meth:`_file_for`, :meth:`_encode` and :meth:`_decode` (the wallet encrypts its caches)."""

    suffix = ".json"

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _file_for(self, url: str) -> Path:
        return self.directory / (hashlib.sha256(url.encode()).hexdigest() + self.suffix)

    def _encode(self, record: dict[str, object], name: str) -> bytes:
        return json.dumps(record).encode("utf-8")

    def _decode(self, data: bytes, name: str) -> dict[str, object]:
        value = json.loads(data)
        if not isinstance(value, dict):
            raise ValueError("not a cache entry")
        return value

    def get(self, url: str) -> CachedDocument | None:
        path = self._file_for(url)
        try:
            raw: dict[str, Any] = self._decode(path.read_bytes(), path.name)
            if raw.get("url") != url:
                return None
            return CachedDocument(
                url=url, body=base64.b64decode(raw["body"]), fetched_at=datetime.fromisoformat(raw["fetched_at"]),
                max_age=raw.get("max_age"),
                expires=datetime.fromisoformat(raw["expires"]) if raw.get("expires") else None,
                etag=raw.get("etag"), last_modified=raw.get("last_modified"), no_cache=bool(raw.get("no_cache")))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a missing or unreadable entry is simply not cached

    def put(self, doc: CachedDocument) -> None:
        import tempfile

        self.directory.mkdir(parents=True, exist_ok=True)
        record: dict[str, object] = {
            "url": doc.url, "body": base64.b64encode(doc.body).decode(), "fetched_at": doc.fetched_at.isoformat(),
            "max_age": doc.max_age, "expires": doc.expires.isoformat() if doc.expires else None, "etag": doc.etag,
            "last_modified": doc.last_modified, "no_cache": doc.no_cache}
        target = self._file_for(doc.url)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=self.suffix)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(self._encode(record, target.name))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


class MemoryCache:
    def __init__(self) -> None:
        self._docs: dict[str, CachedDocument] = {}

    def get(self, url: str) -> CachedDocument | None:
        return self._docs.get(url)

    def put(self, doc: CachedDocument) -> None:
        self._docs[doc.url] = doc
