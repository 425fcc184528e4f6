"""Satchel's credential engine: read and verify Open Badges and Verifiable Credentials offline.

    from credentials.verify import verify
    from credentials import Fetcher

    report = verify(data, fetcher=Fetcher(None), at=None)   # bytes, text or parsed JSON
    report.verdict        # "valid" | "invalid" | "unverifiable"
    report.problems       # contract tokens (../shared/corpus/README.md)
    report.checks         # every check: stable id, status, plain-language message

No network unless a client is passed in (``Fetcher(make_client(...))``); JSON-LD contexts come
only from the bundle; time is a parameter. The error tree is drawn in ``credentials.errors``.
Names are loaded on first use so that light users (the wallet store, say) stay light.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CheckResult", "Fetcher", "MalformedError", "SatchelError", "Status", "TrustList", "Verdict",
    "VerificationReport", "make_client", "parse_input", "verify_credential", "verify_presentation",
]

_WHERE = {
    "verify_credential": "verify", "verify_presentation": "verify",
    "CheckResult": "report", "Status": "report", "Verdict": "report", "VerificationReport": "report",
    "Fetcher": "net", "make_client": "net", "TrustList": "trust", "parse_input": "formats",
    "MalformedError": "errors", "SatchelError": "errors",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'credentials' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"credentials.{module}"), name)
