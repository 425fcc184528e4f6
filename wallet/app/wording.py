"""What the wallet says about a verification, beyond the words both apps share.

The graded verdict (its headline and explanation), each check's plain headline and every status
word come from the engine (``credentials.GRADE_WORDS``, ``credentials.plain_check``), so one
outcome reads the same in the wallet and in the verifier. This module keeps only what is the
wallet's own: the next step for a *learner holding* the badge (the verifier's next step speaks to
someone receiving one), a badge never checked yet, and the problem sentences about "this badge".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from credentials import GRADE_WORDS, Grade, grade_of, plain_check

NOT_CHECKED_YET = "Not checked yet"

# The learner holds the badge: what to do next is about sharing it or getting it fixed.
LEARNER_NEXT_STEPS: Mapping[Grade, str] = {
    Grade.TRUSTED: "You can share it: anyone using the same trust list sees it as trusted.",
    Grade.GENUINE: "You can share it. A verifier will see it is genuine and decide for itself whether it knows "
                   "the issuer.",
    Grade.PROBLEM: "Do not share it until this is sorted out: ask the issuer for a fresh copy.",
    Grade.COULD_NOT_CHECK: "Press “Check again” when you are online; if it keeps failing, ask the issuer for "
                           "another copy.",
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

# Notes worth a line under the verdict. "untrusted-issuer" is not here: the grade ("issuer not on
# your list") already says it, and saying it twice reads as a second, louder problem.
WARNING_SENTENCES: dict[str, str] = {
    "status-stale": "The withdrawal check used a saved copy because the issuer could not be reached.",
    "schema-unavailable": "The Open Badges rules for this badge could not be loaded.",
    "schema-unsupported": "This badge names content rules Satchel does not know.",
    "schema-compacted": "The badge is written in a compact form the rules check does not cover.",
    "refresh-failed": "The issuer's refresh service did not answer.",
    "endorsement-problem": "One of the endorsements on this badge did not pass its checks.",
    "contained-credential-problem": "One of the badges inside this record did not pass its checks.",
}
SAID_BY_THE_GRADE = frozenset({"untrusted-issuer"})


@dataclass(frozen=True)
class Verdict:
    """A graded verdict as the learner reads it; ``grade`` is None for a badge never checked."""

    grade: Grade | None
    headline: str
    explanation: str
    next_step: str


NEVER_CHECKED = Verdict(None, NOT_CHECKED_YET, "This badge has not been checked yet.",
                        "Press “Check again” to check it now.")


def grade_words(grade: Grade) -> Verdict:
    words = GRADE_WORDS[grade]
    return Verdict(grade, words.headline, words.explanation, LEARNER_NEXT_STEPS[grade])


def verdict_of(verdict: str | None, checks: Iterable[Mapping[str, Any]] = ()) -> Verdict:
    """The graded verdict of a stored report's verdict and checks (``None``: never checked)."""
    if verdict is None:
        return NEVER_CHECKED
    return grade_words(grade_of(verdict, list(checks)))


def headline_of(verdict: str | None, checks: Iterable[Mapping[str, Any]] = ()) -> str:
    return verdict_of(verdict, checks).headline


def problem_sentence(token: str) -> str:
    return PROBLEM_SENTENCES.get(token, f"Problem: {token.replace('-', ' ')}.")


def warning_sentence(token: str) -> str:
    return WARNING_SENTENCES.get(token, f"Note: {token.replace('-', ' ')}.")


@dataclass(frozen=True)
class CheckLine:
    """One verification check as the learner sees it: the engine's plain headline and status word;
    its own message and check id are the technical detail."""

    check_id: str
    headline: str
    status: str  # passed | failed | warning | skipped | could-not-check
    status_word: str
    detail: str  # the engine's message


@dataclass(frozen=True)
class ReportInPlainWords:
    verdict: Verdict
    problems: tuple[str, ...]
    warnings: tuple[str, ...]
    checks: tuple[CheckLine, ...]
    checked_at: str | None
    attached: tuple[tuple[str, str], ...] = ()  # (role, verdict headline) of endorsements and parts


def check_lines(checks: Iterable[Any]) -> tuple[CheckLine, ...]:
    lines = []
    for check in checks:
        if not isinstance(check, Mapping):
            continue
        plain = plain_check(str(check.get("id", "")), str(check.get("status", "")),
                            str(check.get("message", "")).strip())
        lines.append(CheckLine(plain.id, plain.headline, plain.status, plain.status_word, plain.detail))
    return tuple(lines)


def explain_report(report: Mapping[str, Any] | None) -> ReportInPlainWords:
    if not report:
        return ReportInPlainWords(NEVER_CHECKED, (), (), (), None)
    verdict = report.get("verdict")
    checks = [c for c in report.get("checks") or () if isinstance(c, Mapping)]
    problems = tuple(problem_sentence(p) for p in report.get("problems") or () if isinstance(p, str))
    warnings = tuple(warning_sentence(w) for w in report.get("warnings") or ()
                     if isinstance(w, str) and w not in SAID_BY_THE_GRADE)
    attached = tuple(
        (str(sub.get("role", "attached")), headline_of(sub.get("verdict"), sub.get("checks") or ()))
        for sub in report.get("attached") or () if isinstance(sub, Mapping)
    )
    at = report.get("at")
    return ReportInPlainWords(
        verdict=verdict_of(verdict if isinstance(verdict, str) else None, checks),
        problems=problems,
        warnings=warnings,
        checks=check_lines(checks),
        checked_at=at if isinstance(at, str) else None,
        attached=attached,
    )
