"""Exceptions raised inside the engine.

The verification pipeline never lets these escape: each one becomes a failed (or
could-not-check) check carrying the problem token named below. Parsers and resolvers
raise them so callers outside the pipeline (issuer stub, wallet import) get a clear error.

    SatchelError
    ├── MalformedError            -> "malformed"          (not something we can read)
    │   └── TooComplexError                               (more work than any honest input needs)
    ├── UnknownContextError       -> "unknown-context"    (an @context that is not bundled)
    ├── SafeModeError             -> "jsonld-safe-mode"   (JSON-LD would silently drop data)
    ├── UnsupportedProofError     -> "unsupported-proof-type"
    │   └── UnsupportedFormatError                        (a format we know by name but do not read yet)
    ├── KeyResolutionError        -> "unresolvable-key"
    └── FetchError                -> "unreachable"        (a document could not be had)
        ├── FetchRefusedError                             (not attempted: offline, not allowed)
        └── GoneError                                     (HTTP 410: the publisher withdrew it)
"""

from __future__ import annotations


class SatchelError(Exception):
    """Base class of every error the engine raises. ``problem`` is the report token."""

    problem = "malformed"


class MalformedError(SatchelError):
    problem = "malformed"


class TooComplexError(MalformedError):
    """The input would take more work to check than any genuine credential needs (a poison
    graph for canonicalization, a picture too large to search): refused in bounded time.
    ``work`` says how much was done when it stopped, where the refuser counts it."""

    work: int | None = None


class UnknownContextError(SatchelError):
    problem = "unknown-context"

    def __init__(self, url: str) -> None:
        super().__init__(f"the JSON-LD context {url} is not one Satchel knows (it is never fetched)")
        self.url = url


class SafeModeError(SatchelError):
    problem = "jsonld-safe-mode"


class UnsupportedProofError(SatchelError):
    problem = "unsupported-proof-type"


class UnsupportedFormatError(UnsupportedProofError):
    """A credential format Satchel recognises but does not verify yet (SD-JWT VC, JAdES, CBOR-LD
    QR codes, Open Badges 1.0): could not check, with a sentence that names the format."""


class KeyResolutionError(SatchelError):
    problem = "unresolvable-key"


class FetchError(SatchelError):
    problem = "unreachable"

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"could not fetch {url}: {reason}")
        self.url = url
        self.reason = reason


class FetchRefusedError(FetchError):
    """The fetch was refused before any connection was attempted."""


class GoneError(FetchError):
    """HTTP 410 Gone: the publisher removed the document on purpose (OB 2.0: revoked)."""
