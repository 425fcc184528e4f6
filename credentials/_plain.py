"""Plain words for a report, the same in every app: a graded verdict and one headline per check.

The engine's own messages stay as the technical detail ("eddsa-rdfc-2022 signature", key ids);
a person first reads a :class:`Grade`'s headline with what to do next, and one short headline per
check. Both apps take their words from here, so one outcome reads the same in the wallet and the
verifier.

Grades (issue 17): a valid report is *trusted* when a trust list vouches for its issuer and
*genuine* otherwise (genuine, but nobody on your list vouches for who the issuer is); an invalid
one is a *problem*; an unverifiable one *could not be checked*.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._report import CheckId, CheckResult, VerificationReport

__all__ = [
    "CHECK_STATUS_WORDS", "GRADE_WORDS", "Grade", "GradeWords", "PlainCheck", "grade_of", "grade_report",
    "plain_check",
]


class Grade(enum.StrEnum):
    TRUSTED = "trusted"  # valid, and a trust list vouches for the issuer
    GENUINE = "genuine"  # valid; the issuer is not on any trust list in use
    PROBLEM = "problem"  # invalid
    COULD_NOT_CHECK = "could-not-check"  # unverifiable


@dataclass(frozen=True)
class GradeWords:
    headline: str  # large type: "Genuine, from an issuer you trust"
    explanation: str  # one sentence under it
    next_step: str  # what the reader should do now


GRADE_WORDS: Mapping[Grade, GradeWords] = {
    Grade.TRUSTED: GradeWords(
        "Genuine, from an issuer you trust",
        "Every check passed and your trust list vouches for the issuer.",
        "You can rely on it."),
    Grade.GENUINE: GradeWords(
        "Genuine, issuer not on your list",
        "It is intact, in force and signed by the issuer it names, but no trust list you use vouches for "
        "who that issuer is.",
        "Check the issuer's name and website before you rely on it."),
    Grade.PROBLEM: GradeWords(
        "Problem",
        "At least one check failed.",
        "Do not rely on it. Ask the person for a fresh copy, or contact the issuer."),
    Grade.COULD_NOT_CHECK: GradeWords(
        "Could not check",
        "Some checks could not be made, so it is neither confirmed nor refuted.",
        "Try again when the issuer can be reached, or ask for another copy."),
}

# The status of one check, in words (the same in both apps).
CHECK_STATUS_WORDS: Mapping[str, str] = {
    "passed": "Passed",
    "failed": "Failed",
    "warning": "Note",
    "skipped": "Not checked",
    "could-not-check": "Could not check",
}


def _status_of(check: CheckResult | Mapping[str, Any]) -> tuple[str, str]:
    if isinstance(check, CheckResult):
        return str(check.id), str(check.status)
    return str(check.get("id", "")), str(check.get("status", ""))


def grade_of(verdict: str, checks: Iterable[CheckResult | Mapping[str, Any]]) -> Grade:
    """The grade of a verdict given its checks (report objects or their JSON form)."""
    if verdict == "invalid":
        return Grade.PROBLEM
    if verdict != "valid":
        return Grade.COULD_NOT_CHECK
    known = any(_status_of(c) == (CheckId.ISSUER_KNOWN, "passed") for c in checks)
    return Grade.TRUSTED if known else Grade.GENUINE


def grade_report(report: VerificationReport) -> Grade:
    return grade_of(str(report.verdict), report.checks)


@dataclass(frozen=True)
class PlainCheck:
    """One check as a person reads it: a short headline; the engine's message as the detail."""

    id: str
    status: str
    status_word: str
    headline: str
    detail: str


# (check id, status) -> headline; (check id, "") is the fallback for any status.
_HEADLINES: Mapping[tuple[str, str], str] = {
    (CheckId.PROOF_SIGNATURE, "passed"): "The signature matches: it has not been changed",
    (CheckId.PROOF_SIGNATURE, "failed"): "The signature does not match",
    (CheckId.PROOF_SIGNATURE, ""): "Signature",
}


def plain_check(check_id: str, status: str, message: str) -> PlainCheck:
    """A check's headline for ``status`` (the engine's ``message`` becomes the detail)."""
    headline = (_HEADLINES.get((check_id, status)) or _HEADLINES.get((check_id, ""))
                or check_id.replace(".", " ").replace("-", " ").capitalize())
    return PlainCheck(check_id, status, CHECK_STATUS_WORDS.get(status, status), headline, message)
