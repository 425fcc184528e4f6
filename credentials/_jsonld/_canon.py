"""Safe-mode expansion and RDFC-1.0 canonicalization (reference path through pyld)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from .._errors import SafeModeError, TooComplexError, UnknownContextError
from ._loader import pyld_document_loader
from ._rdfc import Budget, canonical_nquads, current_budget, to_quads
from ._safe import FastProcessor, SafeProcessor, check_expanded, new_context_resolver

T = TypeVar("T")


def _unwrap(exc: BaseException) -> BaseException:
    seen = 0
    while seen < 50:
        seen += 1
        if isinstance(exc, (UnknownContextError, SafeModeError, TooComplexError)):
            return exc
        nxt = getattr(exc, "cause", None) or exc.__cause__ or exc.__context__
        if not isinstance(nxt, BaseException):
            return exc
        exc = nxt
    return exc


def _input(doc: Any) -> Any:
    if isinstance(doc, Mapping):
        return dict(doc)
    if isinstance(doc, list):
        return list(doc)
    raise SafeModeError(f"a JSON-LD document must be an object or an array, not {type(doc).__name__}")


# pyld's processing and the caches behind it (cachetools LRU caches, the context-processing
# memo) are not thread-safe; canonicalization is CPU-bound pure Python, so serializing the
# calls costs nothing in throughput.
_LOCK = threading.RLock()


def guarded(what: str, fn: Callable[[], T]) -> T:
    """Run ``fn``; every failure becomes UnknownContextError or SafeModeError."""
    try:
        with _LOCK:
            return fn()
    except (UnknownContextError, SafeModeError, TooComplexError):
        raise
    except RecursionError:
        raise SafeModeError(f"JSON-LD {what} failed: the document is nested too deeply") from None
    except Exception as exc:  # pyld wraps our errors (and its own) in JsonLdError
        inner = _unwrap(exc)
        if isinstance(inner, (UnknownContextError, SafeModeError, TooComplexError)):
            raise inner from None
        raise SafeModeError(f"JSON-LD {what} failed: {_describe(exc)}") from None


def _describe(exc: BaseException) -> str:
    parts: list[str] = []
    seen = 0
    cur: BaseException | None = exc
    while cur is not None and seen < 10:
        seen += 1
        msg = getattr(cur, "message", None) or str(cur).split("\n", 1)[0]
        code = getattr(cur, "code", None)
        parts.append(f"{msg} ({code})" if code else str(msg))
        nxt = getattr(cur, "cause", None) or cur.__cause__
        cur = nxt if isinstance(nxt, BaseException) else None
    # the innermost cause is usually the informative one
    return parts[-1] if len(parts) == 1 else f"{parts[-1]} [{parts[0]}]"


def _options(reference: bool = False) -> dict[str, Any]:
    return {
        "documentLoader": pyld_document_loader,
        "contextResolver": new_context_resolver(pyld_document_loader, reference=reference),
        "base": "",
        "processingMode": "json-ld-1.1",
    }


SEC_PROOF = "https://w3id.org/security#proof"


def _digest(doc: Any) -> bytes | None:
    try:
        text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _expand_checked(doc: Any, reference: bool = False) -> list[Any]:
    # Within one verification (work_budget), safe-mode expansions are kept by a digest of the
    # JSON: the spelling gate expands the credential, and canonicalization needs it again without
    # its proof. Callers treat the expanded form as read-only. Nothing is kept across verifications.
    scope = current_budget()
    memo = scope.expanded if scope is not None and not reference else None
    key = _digest(doc) if memo is not None else None
    if memo is not None and key is not None:
        hit = memo.get(key)
        if hit is not None:
            return hit
    proc = SafeProcessor() if reference else FastProcessor()
    expanded = cast(list[Any], proc.expand(_input(doc), _options(reference)))
    check_expanded(expanded)
    if memo is not None and key is not None and len(memo) < 64:
        memo[key] = expanded
        if isinstance(doc, Mapping) and "proof" in doc and len(expanded) == 1 and SEC_PROOF in expanded[0]:
            # The document without its proofs (what a Data Integrity proof signs) expands to the
            # same node without sec:proof: the proof is a graph of its own (VC DI 1.0 §2.1).
            unsecured_key = _digest({k: v for k, v in doc.items() if k != "proof"})
            if unsecured_key is not None:
                memo[unsecured_key] = [{k: v for k, v in expanded[0].items() if k != SEC_PROOF}]
    return expanded


def expand_safe(doc: Mapping[str, Any]) -> list[Any]:
    """Expanded form of ``doc`` in JSON-LD safe mode, with bundled contexts only."""
    return guarded("expansion", lambda: _expand_checked(doc))


def _canonize_reference(doc: Any) -> str:
    # safe mode: expand once with the checks, then let pyld do everything again from the
    # document (expansion, toRdf, URDNA2015), as a plain pyld user would.
    _expand_checked(doc, reference=True)
    out = SafeProcessor().normalize(
        _input(doc),
        {**_options(reference=True), "algorithm": "URDNA2015", "format": "application/n-quads"},
    )
    return cast(str, out)


def canonize_reference(doc: Mapping[str, Any], *, hash_name: str = "sha256") -> str:
    """RDFC-1.0 canonical N-Quads of ``doc`` computed the straightforward way with pyld.

    Safe mode is on; no context-processing memo, pyld's own toRdf and URDNA2015. It is the
    oracle :func:`canonize` is tested against (unbounded: tests only). pyld hashes with SHA-256 only.
    """
    if hash_name != "sha256":
        raise ValueError("pyld's URDNA2015 hashes with SHA-256 only")
    return guarded("canonicalization", lambda: _canonize_reference(doc))


def _canonize(doc: Any, hash_name: str, budget: Budget | None) -> str:
    return canonical_nquads(to_quads(_expand_checked(doc)), hash_name, budget)


def canonize(doc: Mapping[str, Any], *, hash_name: str = "sha256", budget: Budget | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of ``doc`` (JSON-LD safe mode, bundled contexts only).

    ``hash_name`` is RDFC-1.0's hash algorithm (SHA-256 by default; vc-di-ecdsa asks SHA-384
    of P-384 proofs); ``budget`` bounds the N-degree work (TooComplexError past it).
    """
    return guarded("canonicalization", lambda: _canonize(doc, hash_name, budget))
