"""Plain words for what the verification engine reports.

The engine speaks in problem tokens (``revoked``, ``issuer-key-mismatch``) and check ids
(``proof.signature``); a learner reads the sentences and status words below instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credentials import CheckId

VERIFIED = "Verified"
PROBLEM = "Problem"
COULD_NOT_CHECK = "Could not check"
NOT_CHECKED_YET = "Not checked yet"

STATUS_BY_VERDICT: dict[str | None, str] = {
    "valid": VERIFIED,
    "invalid": PROBLEM,
    "unverifiable": COULD_NOT_CHECK,
    None: NOT_CHECKED_YET,
}

STATUS_EXPLANATION: dict[str, str] = {
    VERIFIED: "Every check passed: this badge is genuine and in good standing.",
    PROBLEM: "Something is wrong with this badge. See the checks below.",
    COULD_NOT_CHECK: "Satchel could not finish checking this badge, usually because the issuer could not be reached.",
    NOT_CHECKED_YET: "This badge has not been checked yet.",
}

PROBLEM_SENTENCES: dict[str, str] = {
    "revoked": "The issuer has withdrawn (revoked) this badge.",
    "suspended": "The issuer has put this badge on hold (suspended) for now.",
    "expired": "This badge has expired.",
    "not-yet-valid": "This badge is not valid yet: its start date is in the future.",
    "invalid-signature": "The badge's digital signature does not match: it may have been changed after it was issued.",
    "issuer-key-mismatch": "The badge was signed with a key that does not belong to the issuer it names.",
    "status-unknown": "Satchel could not find out whether the issuer has withdrawn this badge.",
    "unreachable": "A document needed to check this badge could not be downloaded.",
    "unresolvable-key": "Satchel could not find the issuer's signing key to check the signature.",
    "malformed": "This file is not a badge Satchel can read, or it is damaged.",
    "no-proof": "This badge has no digital signature, so nobody can confirm who issued it.",
    "unknown-context": "The badge uses a vocabulary Satchel does not know, so it could not be checked.",
    "jsonld-safe-mode": "The badge contains terms that are not defined, so its meaning is not certain.",
    "unsupported-proof-type": "The badge is signed in a way Satchel cannot check yet.",
    "schema-invalid": "The badge does not follow the Open Badges rules for its content.",
    "recipient-mismatch": "The badge was issued to someone else, not to you.",
    "holder-mismatch": "The badge was presented by someone other than its owner.",
    "challenge-mismatch": "The presentation was made for a different request.",
}

WARNING_SENTENCES: dict[str, str] = {
    "untrusted-issuer": "The issuer is not on your trust list; its name is self-asserted.",
    "status-stale": "The withdrawal check used a saved copy because the issuer could not be reached.",
    "schema-unavailable": "The Open Badges rules for this badge could not be loaded.",
    "schema-unsupported": "This badge names content rules Satchel does not know.",
    "schema-compacted": "The badge is written in a compact form the rules check does not cover.",
    "refresh-failed": "The issuer's refresh service did not answer.",
    "endorsement-problem": "One of the endorsements on this badge did not pass its checks.",
    "contained-credential-problem": "One of the badges inside this record did not pass its checks.",
}

CHECK_TITLES: dict[str, str] = {  # keyed by the engine's registry; a report's id strings find them (StrEnum)
    CheckId.FORMAT: "Readable badge",
    CheckId.FETCH: "Downloaded",
    CheckId.CONTEXTS: "Known vocabulary",
    CheckId.JSONLD_SAFE_MODE: "Well-defined terms",
    CheckId.SCHEMA: "Follows the Open Badges rules",
    CheckId.PROOF_PRESENT: "Digitally signed",
    CheckId.PROOF_SIGNATURE: "Signature matches",
    CheckId.PROOF_KEY: "Issuer's key found",
    CheckId.PROOF_KEY_BINDING: "Key belongs to the issuer",
    CheckId.PROOF_PURPOSE: "Signature made for issuing",
    CheckId.PROOF_CHALLENGE: "Answer to this request",
    CheckId.PROOF_DOMAIN: "Made for this verifier",
    CheckId.VALIDITY_NOT_YET_VALID: "Already valid",
    CheckId.VALIDITY_EXPIRED: "Not expired",
    CheckId.STATUS: "Not withdrawn",
    CheckId.STATUS_REVOCATION: "Not revoked",
    CheckId.STATUS_REVOCATION_LIST: "Not on the revocation list",
    CheckId.STATUS_SUSPENSION: "Not suspended",
    CheckId.STATUS_FRESHNESS: "Up-to-date status",
    CheckId.ISSUER_KNOWN: "Known issuer",
    CheckId.RECIPIENT: "Issued to you",
    CheckId.PRESENTATION_HOLDER: "Presented by its owner",
    CheckId.OB2_HOSTED: "Still published by the issuer",
    CheckId.OB2_SCOPE: "Hosted by the issuer",
    CheckId.OB2_DOCUMENTS: "Issuer documents available",
    CheckId.REFRESH: "Refresh service",
}

CHECK_STATUS_WORDS: dict[str, str] = {
    "passed": "Passed",
    "failed": "Failed",
    "warning": "Note",
    "skipped": "Not applicable",
    "could-not-check": "Could not check",
}


def status_word(verdict: str | None) -> str:
    return STATUS_BY_VERDICT.get(verdict, COULD_NOT_CHECK)


def problem_sentence(token: str) -> str:
    return PROBLEM_SENTENCES.get(token, f"Problem: {token.replace('-', ' ')}.")


def warning_sentence(token: str) -> str:
    return WARNING_SENTENCES.get(token, f"Note: {token.replace('-', ' ')}.")


def check_title(check_id: str) -> str:
    if check_id in CHECK_TITLES:
        return CHECK_TITLES[check_id]
    head = check_id.split(".")[0]
    return CHECK_TITLES.get(head, check_id.replace(".", " ").replace("-", " ").capitalize())


@dataclass(frozen=True)
class CheckLine:
    """One verification check as the learner sees it."""

    title: str
    status: str  # passed | failed | warning | skipped | could-not-check
    status_word: str
    explanation: str  # the problem in plain words, then the engine's own message


@dataclass(frozen=True)
class ReportInPlainWords:
    status: str  # Verified / Problem / Could not check / Not checked yet
    summary: str
    problems: tuple[str, ...]
    warnings: tuple[str, ...]
    checks: tuple[CheckLine, ...]
    checked_at: str | None
    attached: tuple[tuple[str, str], ...] = ()  # (role, status word) of endorsements and parts


def explain_report(report: Mapping[str, Any] | None) -> ReportInPlainWords:
    if not report:
        return ReportInPlainWords(NOT_CHECKED_YET, STATUS_EXPLANATION[NOT_CHECKED_YET], (), (), (), None)
    verdict = report.get("verdict")
    status = status_word(verdict if isinstance(verdict, str) else None)
    problems = tuple(problem_sentence(p) for p in report.get("problems") or () if isinstance(p, str))
    warnings = tuple(warning_sentence(w) for w in report.get("warnings") or () if isinstance(w, str))
    lines = []
    for check in report.get("checks") or ():
        if not isinstance(check, Mapping):
            continue
        check_status = str(check.get("status", ""))
        token = check.get("problem")
        message = str(check.get("message", "")).strip()
        explanation = message
        if isinstance(token, str) and check_status != "passed":
            plain = problem_sentence(token)
            explanation = f"{plain} {message}".strip() if message and message != plain else plain
        lines.append(CheckLine(
            title=check_title(str(check.get("id", ""))),
            status=check_status,
            status_word=CHECK_STATUS_WORDS.get(check_status, check_status),
            explanation=explanation,
        ))
    attached = tuple(
        (str(sub.get("role", "attached")), status_word(sub.get("verdict")))
        for sub in report.get("attached") or () if isinstance(sub, Mapping)
    )
    at = report.get("at")
    return ReportInPlainWords(
        status=status,
        summary=STATUS_EXPLANATION[status],
        problems=problems,
        warnings=warnings,
        checks=tuple(lines),
        checked_at=at if isinstance(at, str) else None,
        attached=attached,
    )
