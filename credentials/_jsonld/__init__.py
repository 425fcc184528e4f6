"""JSON-LD for verification: bundled contexts only, safe mode, RDFC-1.0 canonicalization.

A document loader is just ``url -> document``; only the contexts bundled in ``contexts/``
(pinned by sha256 in ``contexts/index.json``) are served. Nothing is ever fetched here.
"""

from ._canon import canonize, canonize_reference, expand_safe
from ._loader import BUNDLED_CONTEXTS, load_context, pyld_document_loader
from ._spelling import check_signed_spelling, compact_signed

__all__ = [
    "BUNDLED_CONTEXTS",
    "canonize",
    "check_signed_spelling",
    "compact_signed",
    "canonize_reference",
    "expand_safe",
    "load_context",
    "pyld_document_loader",
]
