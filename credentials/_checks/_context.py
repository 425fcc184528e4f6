from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import ModuleType

from .._net import Fetcher
from .._proofs import SUITES
from .._trust import TrustList
from .status_methods import STATUS_CHECKERS, StatusChecker


def _bundled_suites() -> Mapping[str, ModuleType]:
    return SUITES


def _bundled_status_checkers() -> Mapping[str, StatusChecker]:
    return STATUS_CHECKERS


@dataclass(frozen=True)
class VerifyOptions:
    """Everything a verification depends on besides the credential: network, time, request, and
    which proof suites and status methods it may use."""

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
    # Data Integrity proofs by cryptosuite (or proof type) name: a proof whose suite is not here
    # is unsupported-proof-type (credentials._proofs.SUITES by default).
    suites: Mapping[str, ModuleType] = field(default_factory=_bundled_suites, hash=False)
    # credentialStatus checkers by entry type; an entry of a type not here is status-unknown
    # (credentials._checks.status_methods.STATUS_CHECKERS by default).
    status_checkers: Mapping[str, StatusChecker] = field(default_factory=_bundled_status_checkers, hash=False)

    def nested(self, **changes: object) -> VerifyOptions:
        return replace(self, depth=self.depth + 1, **changes)  # type: ignore[arg-type]
