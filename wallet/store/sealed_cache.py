"""Caches of fetched documents, sealed with the wallet's key.

What the wallet fetches for its badges (issuer DID documents, status lists, hosted badge pictures)
says which badges a learner holds, so on disk it is as private as the store: each entry is
AES-256-GCM sealed under a key derived from the wallet's data key (:meth:`Store.cache_key`), its
file named by an HMAC of the URL (not the URL's plain hash, which anyone could recompute), and the
file name bound in as associated data so entries cannot be swapped. An entry that does not open
(another wallet's, tampered with, left from an older plaintext cache) is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from credentials import DiskCache

from ._crypto import hkdf_subkey

NONCE_BYTES = 12


class SealedDiskCache(DiskCache):
    """:class:`credentials.DiskCache` with every entry sealed (see the module docstring)."""

    suffix = ".sealed"

    def __init__(self, directory: str | os.PathLike[str], key: bytes) -> None:
        super().__init__(Path(directory))
        self._names = hkdf_subkey(key, b"satchel/cache/v1/names")
        self._aead = AESGCM(hkdf_subkey(key, b"satchel/cache/v1/entries"))

    def _file_for(self, url: str) -> Path:
        name = hmac.new(self._names, url.encode("utf-8"), hashlib.sha256).hexdigest()
        return self.directory / (name + self.suffix)

    def _encode(self, record: dict[str, object], name: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, super()._encode(record, name), name.encode())

    def _decode(self, data: bytes, name: str) -> dict[str, object]:
        from cryptography.exceptions import InvalidTag

        try:
            plain = self._aead.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], name.encode())
        except (InvalidTag, ValueError):
            raise ValueError("not an entry sealed with this wallet's key") from None
        return super()._decode(plain, name)


def remove_plaintext_entries(directory: str | os.PathLike[str]) -> int:
    """Deletes entries an older Satchel cached in the clear (``*.json``); returns how many."""
    removed = 0
    for path in Path(directory).glob("*.json"):
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed


__all__ = ["SealedDiskCache", "remove_plaintext_entries"]
