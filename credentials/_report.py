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


def passed(check_id: str, message: str) -> CheckResult:
    return CheckResult(check_id, Status.PASSED, message)


def failed(check_id: str, problem: str, message: str) -> CheckResult:
    return CheckResult(check_id, Status.FAILED, message, problem=problem)


def could_not_check(check_id: str, problem: str, message: str) -> CheckResult:
    return CheckResult(check_id, Status.COULD_NOT_CHECK, message, problem=problem)


def warning(check_id: str, token: str, message: str) -> CheckResult:
    return CheckResult(check_id, Status.WARNING, message, warning=token)


def skipped(check_id: str, message: str) -> CheckResult:
    return CheckResult(check_id, Status.SKIPPED, message)


def verdict_of(problems: Iterable[str]) -> Verdict:
    probs = set(problems)
    if not probs:
        return Verdict.VALID
    if probs <= COULD_NOT_CHECK:
        return Verdict.UNVERIFIABLE
    return Verdict.INVALID


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
        out: list[str] = []
        for c in self.checks:
            if c.status == Status.WARNING and c.warning and c.warning not in out:
                out.append(c.warning)
        for w in self.extra_warnings:
            if w not in out:
                out.append(w)
        for sub in self.attached:
            if sub.problems:
                token = "endorsement-problem" if sub.format == "endorsement" else "contained-credential-problem"
                if token not in out:
                    out.append(token)
        for sub in self.nested:
            for w in sub.warnings:
                if w not in out:
                    out.append(w)
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
