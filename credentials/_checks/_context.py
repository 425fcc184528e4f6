from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from .._net import Fetcher
from .._trust import TrustList


@dataclass(frozen=True)
class VerifyOptions:
    """Everything a verification depends on besides the credential: network, time, request."""

    fetcher: Fetcher
    at: datetime
    challenge: str | None = None
    domain: str | None = None
    check_status: bool = True
    depth: int = 0
    identity: str | None = None  # the recipient's email / URL / phone, when the caller states one
    trust: TrustList | None = None
    refresh: bool = True  # OB 3.0 refreshService: ask the issuer once for a current copy
    # A presentation's credentials must name its holder as their subject (holder-mismatch). VCDM
    # 2.0 §4.13 lets a holder present someone else's credential; a verifier that does not ask for
    # subject binding sees it as a warning (holder-not-subject) instead.
    subject_binding: bool = True

    def nested(self, **changes: object) -> VerifyOptions:
        return replace(self, depth=self.depth + 1, **changes)  # type: ignore[arg-type]
