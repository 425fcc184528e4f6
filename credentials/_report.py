"""Verification reports: immutable, check by check.

A report lists every check made with its own status and a plain-language message. The
verdict is derived from the problem tokens alone (see ../shared/corpus/README.md):
valid iff there is no problem; unverifiable iff every problem is a could-not-check token.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PROBLEMS: frozenset[str] = frozenset(
    {
        "malformed", "unknown-context", "jsonld-safe-mode", "no-proof", "unsupported-proof-type",
        "invalid-signature", "unresolvable-key", "issuer-key-mismatch", "expired", "not-yet-valid",
        "revoked", "suspended", "status-unknown", "unreachable", "schema-invalid",
        "recipient-mismatch", "holder-mismatch", "challenge-mismatch",
    }
)
COULD_NOT_CHECK: frozenset[str] = frozenset(
    {"unresolvable-key", "status-unknown", "unreachable", "unsupported-proof-type", "unknown-context"}
)


# One plain sentence per problem token, for anyone who reads a report (the apps may say it
# in their own voice; these are the neutral words).
PROBLEM_SENTENCES: dict[str, str] = {
    "malformed": "It is not a credential that can be read, or it is damaged.",
    "unknown-context": "It uses a vocabulary Satchel does not know, so its meaning could not be checked.",
    "jsonld-safe-mode": "It contains terms its vocabulary does not define, so the signature would not cover them.",
    "no-proof": "It carries no digital signature, so nobody vouches for it.",
    "unsupported-proof-type": "It is signed in a way Satchel cannot check.",
    "invalid-signature": "Its signature does not match: it was changed after signing, or signed by someone else.",
    "unresolvable-key": "The signing key could not be found, so the signature could not be checked.",
    "issuer-key-mismatch": "It was signed with a key that does not belong to the issuer it names.",
    "expired": "It has expired.",
    "not-yet-valid": "It is not valid yet.",
    "revoked": "The issuer has revoked it.",
    "suspended": "The issuer has suspended it for now.",
    "status-unknown": "Whether the issuer has revoked it could not be found out.",
    "unreachable": "A document needed to check it could not be fetched.",
    "schema-invalid": "Its content does not follow the rules of its declared schema.",
    "recipient-mismatch": "It was not issued to the person named.",
    "holder-mismatch": "It is presented by someone other than the person it was issued to.",
    "challenge-mismatch": "It answers another request (a different challenge or domain): it may be a replay.",
}


def describe_problem(token: str) -> str:
    return PROBLEM_SENTENCES.get(token, token)


class CheckId(enum.StrEnum):
    """Every check a report can carry: the one registry of check ids (stable; JSON reports, the
    apps and the corpus contract use the string values). A StrEnum, so ``check.id == "proof.signature"``
    still holds for callers that compare with strings."""

    FORMAT = "format"  # what the input is (and whether it can be read at all)
    FETCH = "fetch"  # a URL given as the input could be fetched
    CONTEXTS = "contexts"  # every @context is one Satchel bundles
    JSONLD_SAFE_MODE = "jsonld.safe-mode"  # JSON-LD safe mode and the signed-spelling gate
    SCHEMA = "schema"  # the credentialSchema (OB 3.0 JSON Schema) validates
    ISSUER_KNOWN = "issuer.known"  # a trust list vouches for the issuer
    PROOF_PRESENT = "proof.present"  # there is a proof (or a JWS)
    PROOF_SIGNATURE = "proof.signature"  # the signature is intact
    PROOF_KEY = "proof.key"  # the verification method resolves to a key
    PROOF_KEY_BINDING = "proof.key-binding"  # the key belongs to the issuer (or holder)
    PROOF_PURPOSE = "proof.purpose"  # assertionMethod / authentication, as the role needs
    PROOF_EXPIRES = "proof.expires"  # the proof's own expiry
    PROOF_DOMAIN = "proof.domain"  # a presentation's domain is the one asked for
    PROOF_CHALLENGE = "proof.challenge"  # a presentation's challenge is the one asked for
    VALIDITY_NOT_YET_VALID = "validity.not-yet-valid"  # validFrom / issuanceDate / nbf / issuedOn
    VALIDITY_EXPIRED = "validity.expired"  # validUntil / expirationDate / exp / expires
    STATUS = "status"  # a status entry of no known purpose, or none at all
    STATUS_REVOCATION = "status.revocation"  # revoked? (status lists, 1EdTech lists, HTTP 410)
    STATUS_SUSPENSION = "status.suspension"  # suspended?
    STATUS_REFRESH = "status.refresh"  # a status list entry asking for a refresh
    STATUS_MESSAGE = "status.message"  # a status list's message for this credential
    STATUS_REVOCATION_LIST = "status.revocation-list"  # an OB 2.0 signed badge's revocationList
    STATUS_LIST_ISSUER = "status.list-issuer"  # the status list is the credential issuer's
    STATUS_FRESHNESS = "status.freshness"  # the status list copy is current
    RECIPIENT = "recipient"  # issued to the identity given
    PRESENTATION_HOLDER = "presentation.holder"  # the presentation's holder controls its key, owns its credentials
    REFRESH = "refresh"  # the issuer's refresh service gave the current copy
    SHARE_LINK = "share.link"  # a relay share link's presentation could be fetched
    REQUEST_CHALLENGE = "request.challenge"  # the verify service's own request: answered once, in time
    REQUEST_QUERY = "request.query"  # what was presented is what the request asked for (OpenID4VP DCQL)
    OB1_HOSTED = "ob1.hosted"  # an OB 1.0 badge's hosted copy
    OB1_DOCUMENTS = "ob1.documents"  # its badge class and issuer organization
    OB1_SCOPE = "ob1.scope"  # the badge is hosted where its issuer is
    OB2_HOSTED = "ob2.hosted"  # an OB 2.0 badge's hosted copy
    OB2_DOCUMENTS = "ob2.documents"  # its badge class and issuer profile
    OB2_SCOPE = "ob2.scope"  # the assertion is within the issuer's verification scope

    @classmethod
    def for_status_purpose(cls, purpose: object) -> CheckId:
        """The check of a status entry by its statusPurpose (Bitstring Status List §2.1)."""
        return _BY_PURPOSE.get(purpose, cls.STATUS) if isinstance(purpose, str) else cls.STATUS


_BY_PURPOSE = {"revocation": CheckId.STATUS_REVOCATION, "suspension": CheckId.STATUS_SUSPENSION,
               "refresh": CheckId.STATUS_REFRESH, "message": CheckId.STATUS_MESSAGE}


class Status(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"
    SKIPPED = "skipped"
    COULD_NOT_CHECK = "could-not-check"


class Verdict(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True)
class CheckResult:
    """One check: a stable id (``proof.signature``), its status and what it means in plain words.

    ``problem`` is the contract token a failed / could-not-check result contributes;
    ``warning`` a short token shown as a warning (``untrusted-issuer``, ``schema-unavailable``).
    """

    id: str
    status: Status
    message: str
    problem: str | None = None
    warning: str | None = None

    def __post_init__(self) -> None:
        if self.problem is not None and self.problem not in PROBLEMS:
            raise ValueError(f"unknown problem token {self.problem!r}")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "status": str(self.status), "message": self.message}
        if self.problem:
            out["problem"] = self.problem
        return out


def passed(check_id: CheckId, message: str) -> CheckResult:
    return CheckResult(check_id, Status.PASSED, message)


def failed(check_id: CheckId, problem: str, message: str) -> CheckResult:
    return CheckResult(check_id, Status.FAILED, message, problem=problem)


def could_not_check(check_id: CheckId, problem: str, message: str) -> CheckResult:
    return CheckResult(check_id, Status.COULD_NOT_CHECK, message, problem=problem)


def warning(check_id: CheckId, token: str, message: str) -> CheckResult:
    return CheckResult(check_id, Status.WARNING, message, warning=token)


def skipped(check_id: CheckId, message: str) -> CheckResult:
    return CheckResult(check_id, Status.SKIPPED, message)


def verdict_of(problems: Iterable[str]) -> Verdict:
    probs = set(problems)
    if not probs:
        return Verdict.VALID
    if probs <= COULD_NOT_CHECK:
        return Verdict.UNVERIFIABLE
    return Verdict.INVALID


def _extend_new(out: list[str], tokens: Iterable[str]) -> None:
    """Append each of ``tokens`` not yet in ``out`` (first occurrence wins the place)."""
    for token in tokens:
        if token not in out:
            out.append(token)


def _attached_problem_token(sub: VerificationReport) -> str:
    """The warning an attached report with problems gives the report it travels with."""
    return "endorsement-problem" if sub.format == "endorsement" else "contained-credential-problem"


@dataclass(frozen=True)
class VerificationReport:
    """What was verified, when, and every check made.

    ``credential`` is the parsed JSON of what was verified (the credential, the presentation,
    or the OB 2.0 assertion); ``nested`` holds the reports of credentials inside a
    presentation, whose problems count for this report too. ``attached`` holds reports of
    credentials that travel with this one (endorsements, the parts of a CLR): each is judged
    on its own and shown under this one, and a problem there is a warning here, not a verdict.
    """

    format: str
    checks: tuple[CheckResult, ...]
    at: datetime
    credential: Mapping[str, Any] | None = None
    nested: tuple[VerificationReport, ...] = ()
    source: str | None = None
    extra_warnings: tuple[str, ...] = field(default=())
    attached: tuple[VerificationReport, ...] = ()

    @property
    def problems(self) -> tuple[str, ...]:
        found = {c.problem for c in self.checks if c.problem and c.status != Status.PASSED}
        for sub in self.nested:
            found.update(sub.problems)
        return tuple(sorted(found))

    @property
    def warnings(self) -> tuple[str, ...]:
        """Warning tokens, each once, in order: this report's checks, its extra warnings, a token
        per attached report with problems, then the nested reports' warnings."""
        out: list[str] = []
        _extend_new(out, (c.warning for c in self.checks if c.status == Status.WARNING and c.warning))
        _extend_new(out, self.extra_warnings)
        _extend_new(out, (_attached_problem_token(sub) for sub in self.attached if sub.problems))
        for sub in self.nested:
            _extend_new(out, sub.warnings)
        return tuple(out)

    @property
    def verdict(self) -> Verdict:
        return verdict_of(self.problems)

    def check(self, check_id: str) -> CheckResult | None:
        for c in self.checks:
            if c.id == check_id:
                return c
        return None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "verdict": str(self.verdict),
            "problems": list(self.problems),
            "warnings": list(self.warnings),
            "checks": [c.to_json() for c in self.checks],
            "format": self.format,
            "at": self.at.isoformat().replace("+00:00", "Z"),
        }
        if self.source is not None:
            out["source"] = self.source
        if self.nested:
            out["credentials"] = [sub.to_json() for sub in self.nested]
        if self.attached:
            out["attached"] = [{"role": sub.format, **sub.to_json()} for sub in self.attached]
        return out
