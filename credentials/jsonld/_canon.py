"""Safe-mode expansion and RDFC-1.0 canonicalization (reference path through pyld)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from pyld import jsonld  # type: ignore[import-untyped]

from ..errors import SafeModeError, UnknownContextError
from ._loader import pyld_document_loader


def _unwrap(exc: BaseException) -> BaseException:
    seen = 0
    while seen < 20:
        seen += 1
        if isinstance(exc, (UnknownContextError, SafeModeError)):
            return exc
        nxt = getattr(exc, "cause", None) or exc.__cause__ or exc.__context__
        if nxt is None:
            return exc
        exc = nxt
    return exc


def expand_safe(doc: Mapping[str, Any]) -> list[Any]:
    try:
        out = jsonld.expand(dict(doc), {"documentLoader": pyld_document_loader})
    except Exception as exc:  # pyld wraps loader errors in JsonLdError
        inner = _unwrap(exc)
        if isinstance(inner, (UnknownContextError, SafeModeError)):
            raise inner from None
        raise SafeModeError(f"JSON-LD expansion failed: {exc}") from None
    return cast(list[Any], out)


def canonize(doc: Mapping[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of ``doc``."""
    try:
        out = jsonld.normalize(
            dict(doc),
            {"algorithm": "URDNA2015", "format": "application/n-quads",
             "documentLoader": pyld_document_loader},
        )
    except Exception as exc:
        inner = _unwrap(exc)
        if isinstance(inner, (UnknownContextError, SafeModeError)):
            raise inner from None
        raise SafeModeError(f"JSON-LD canonicalization failed: {exc}") from None
    return cast(str, out)
