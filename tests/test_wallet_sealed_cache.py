"""The wallet's caches of fetched documents are sealed with its key (wallet/store/sealed_cache.py)."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

from credentials._cache import CachedDocument, DiskCache
from wallet.store.sealed_cache import SealedDiskCache, remove_plaintext_entries

URL = "https://issuer.example/status/3"
DOC = CachedDocument(URL, b'{"encodedList": "H4sIAAAA"}', datetime(2026, 11, 22, 10, tzinfo=UTC), max_age=300,
                     etag='"v1"')


def test_an_entry_comes_back_whole_and_nothing_readable_is_on_disk(tmp_path: Path) -> None:
    key = os.urandom(32)
    SealedDiskCache(tmp_path, key).put(DOC)
    assert SealedDiskCache(tmp_path, key).get(URL) == DOC
    (entry,) = tmp_path.iterdir()
    data = entry.read_bytes()
    assert b"issuer.example" not in data and b"encodedList" not in data and b"v1" not in data
    # The name is keyed: the plain hash of the URL (what anyone could compute) is not it.
    assert hashlib.sha256(URL.encode()).hexdigest() not in entry.name


def test_another_key_or_a_changed_byte_is_a_miss_not_an_error(tmp_path: Path) -> None:
    key = os.urandom(32)
    cache = SealedDiskCache(tmp_path, key)
    cache.put(DOC)
    assert SealedDiskCache(tmp_path, os.urandom(32)).get(URL) is None
    (entry,) = tmp_path.iterdir()
    data = bytearray(entry.read_bytes())
    data[-1] ^= 1
    entry.write_bytes(bytes(data))
    assert cache.get(URL) is None


def test_entries_cannot_be_swapped_between_urls(tmp_path: Path) -> None:
    key = os.urandom(32)
    cache = SealedDiskCache(tmp_path, key)
    other = CachedDocument("https://issuer.example/status/4", b"{}", DOC.fetched_at)
    cache.put(DOC)
    cache.put(other)
    a, b = cache._file_for(URL), cache._file_for(other.url)
    a_bytes, b_bytes = a.read_bytes(), b.read_bytes()
    a.write_bytes(b_bytes)
    b.write_bytes(a_bytes)
    assert cache.get(URL) is None and cache.get(other.url) is None


def test_plaintext_entries_of_an_older_cache_are_removed(tmp_path: Path) -> None:
    DiskCache(tmp_path).put(DOC)
    SealedDiskCache(tmp_path, os.urandom(32)).put(DOC)
    assert remove_plaintext_entries(tmp_path) == 1
    assert [p.suffix for p in tmp_path.iterdir()] == [".sealed"]
    assert remove_plaintext_entries(tmp_path / "missing") == 0
