from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..jsonld import canonize


def rdfc(doc: Mapping[str, Any]) -> bytes:
    """RDFC-1.0 canonical N-Quads, UTF-8 (safe mode on; see credentials.jsonld)."""
    return canonize(doc).encode("utf-8")
