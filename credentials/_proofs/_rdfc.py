from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._jsonld import canonize


def rdfc(doc: Mapping[str, Any], hash_name: str = "sha256") -> bytes:
    """RDFC-1.0 canonical N-Quads, UTF-8 (safe mode on; see credentials._jsonld), with the
    hash algorithm RDFC-1.0 uses inside (vc-di-ecdsa §3.2: SHA-384 for P-384 keys)."""
    return canonize(doc, hash_name=hash_name).encode("utf-8")
