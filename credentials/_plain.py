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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._report import CheckId, CheckResult, VerificationReport

__all__ = [
    "CHECK_STATUS_WORDS", "GRADE_WORDS", "Grade", "GradeWords", "PlainCheck", "grade_json", "grade_of",
    "grade_report", "plain_check", "plain_checks",
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
    """The grade of a verdict given its checks (report objects or their JSON form): a valid one
    is *trusted* only when its ``issuer.known`` check passed."""
    if verdict == "invalid":
        return Grade.PROBLEM
    if verdict != "valid":
        return Grade.COULD_NOT_CHECK
    known = any(_status_of(c) == (CheckId.ISSUER_KNOWN, "passed") for c in checks)
    return Grade.TRUSTED if known else Grade.GENUINE


def _grade_of_parts(verdict: str, own: Iterable[CheckResult | Mapping[str, Any]],
                    parts: Sequence[Iterable[CheckResult | Mapping[str, Any]]]) -> Grade:
    """A presentation is trusted only when every credential in it is (its own checks name no issuer)."""
    grade = grade_of(verdict, own)
    if grade not in (Grade.TRUSTED, Grade.GENUINE) or not parts:
        return grade
    return Grade.TRUSTED if all(grade_of(verdict, p) is Grade.TRUSTED for p in parts) else Grade.GENUINE


def grade_report(report: VerificationReport) -> Grade:
    """The grade of a whole report: a presentation's from the credentials inside it."""
    return _grade_of_parts(str(report.verdict), report.checks, [sub.checks for sub in report.nested])


def grade_json(report: Mapping[str, Any]) -> Grade:
    """:func:`grade_report` for a report's JSON form (``VerificationReport.to_json``, a stored record)."""
    nested = report.get("credentials")
    parts = [c.get("checks") or [] for c in nested if isinstance(c, Mapping)] if isinstance(nested, list) else []
    checks = report.get("checks")
    return _grade_of_parts(str(report.get("verdict", "")), checks if isinstance(checks, list) else [], parts)


@dataclass(frozen=True)
class PlainCheck:
    """One check as a person reads it: a short headline; the engine's message as the detail."""

    id: str
    status: str
    status_word: str
    headline: str
    detail: str


@dataclass(frozen=True)
class _Said:
    """One check's headline for each status it can end in (passed, failed, note, not checked,
    could not check): what a person reads first; the engine's message stays as the detail."""

    passed: str
    failed: str
    warning: str
    skipped: str
    could_not_check: str

    def by_status(self) -> dict[str, str]:
        return {"passed": self.passed, "failed": self.failed, "warning": self.warning, "skipped": self.skipped,
                "could-not-check": self.could_not_check}


_SAID: Mapping[CheckId, _Said] = {
    CheckId.FORMAT: _Said(
        "Readable: a kind of credential Satchel can check", "Not a credential that can be read, or damaged",
        "Readable, with a note about its form", "Its form was not checked",
        "Could not tell what kind of credential it is"),
    CheckId.FETCH: _Said(
        "Fetched from the address given", "The address given did not hold a credential",
        "Fetched, with a note", "Nothing needed fetching", "Could not fetch it from the address given"),
    CheckId.CONTEXTS: _Said(
        "Written in a vocabulary Satchel knows", "Written in a vocabulary Satchel does not know",
        "Its vocabulary has a note", "Its vocabulary was not checked", "Its vocabulary could not be checked"),
    CheckId.JSONLD_SAFE_MODE: _Said(
        "Every term is defined, so the signature covers all of it",
        "It holds terms the signature does not cover", "A term in it has a note",
        "Its terms were not checked", "Its terms could not be checked"),
    CheckId.SCHEMA: _Said(
        "Follows the rules of its declared format", "Breaks the rules of its declared format",
        "Its format rules could not all be applied", "No format rules to check it against",
        "Its format rules could not be fetched"),
    CheckId.ISSUER_KNOWN: _Said(
        "The issuer is on your trust list", "The issuer is not one your trust list accepts",
        "The issuer is not on your trust list: its name is its own claim",
        "No trust list in use: the issuer's name is its own claim",
        "Could not look the issuer up on your trust list"),
    CheckId.PROOF_PRESENT: _Said(
        "Digitally signed", "Not digitally signed, so nobody vouches for it", "Signed, with a note",
        "Not looked for a signature", "Could not tell whether it is signed"),
    CheckId.PROOF_SIGNATURE: _Said(
        "Signature intact: it has not been changed since it was signed",
        "Signature broken: changed after signing, or signed by someone else",
        "Signature intact, with a note", "Signature not checked",
        "The signature could not be checked (Satchel cannot read this kind, or the key is missing)"),
    CheckId.PROOF_KEY: _Said(
        "The signing key was found", "The signing key is not usable", "The signing key has a note",
        "The signing key was not looked up", "The signing key could not be found"),
    CheckId.PROOF_KEY_BINDING: _Said(
        "Signed with a key that belongs to the signer it names",
        "Signed with a key that does not belong to the signer it names",
        "Also signed by someone else", "Whose key it is was not checked", "Whose key it is could not be checked"),
    CheckId.PROOF_PURPOSE: _Said(
        "The signature was made for this use", "The signature was made for another use",
        "The signature's use has a note", "The signature's use was not checked",
        "The signature's use could not be checked"),
    CheckId.PROOF_EXPIRES: _Said(
        "The signature is still in force", "The signature has expired: ask for a fresh one",
        "The signature's end date has a note", "The signature has no end date",
        "The signature's end date could not be checked"),
    CheckId.PROOF_DOMAIN: _Said(
        "Made for this verifier", "Made for another verifier: it may be a replay",
        "Who it was made for has a note", "Who it was made for was not checked",
        "Who it was made for could not be checked"),
    CheckId.PROOF_CHALLENGE: _Said(
        "Answers your request", "Answers another request: it may be a replay",
        "The answer to your request has a note", "Not checked against a request",
        "Could not check which request it answers"),
    CheckId.VALIDITY_NOT_YET_VALID: _Said(
        "Already in force", "Not in force yet", "Its start date has a note", "No start date given",
        "Its start date could not be checked"),
    CheckId.VALIDITY_EXPIRED: _Said(
        "Not expired", "Expired", "Its end date has a note", "No end date given",
        "Its end date could not be checked"),
    CheckId.STATUS: _Said(
        "No online status: the issuer cannot withdraw it online", "Its status says it is withdrawn",
        "Its status has a note", "Its status was not checked", "Its status could not be checked"),
    CheckId.STATUS_REVOCATION: _Said(
        "Not revoked", "Revoked by the issuer", "Revocation: the issuer's list has a note",
        "Revocation not checked", "Could not find out whether it is revoked"),
    CheckId.STATUS_SUSPENSION: _Said(
        "Not suspended", "Suspended by the issuer for now", "Suspension: the issuer's list has a note",
        "Suspension not checked", "Could not find out whether it is suspended"),
    CheckId.STATUS_REFRESH: _Said(
        "No fresh copy needed", "The issuer asks for a fresh copy", "The issuer asks for a fresh copy",
        "Whether a fresh copy is needed was not checked", "Could not find out whether a fresh copy is needed"),
    CheckId.STATUS_MESSAGE: _Said(
        "No message from the issuer", "The issuer has a message about it", "The issuer has a message about it",
        "The issuer's messages were not checked", "Could not read the issuer's message about it"),
    CheckId.STATUS_REVOCATION_LIST: _Said(
        "Not on the issuer's revocation list", "On the issuer's revocation list: revoked",
        "The issuer's revocation list has a note", "The revocation list was not checked",
        "The issuer's revocation list could not be checked"),
    CheckId.STATUS_LIST_ISSUER: _Said(
        "The status list is the issuer's own", "The status list is not the issuer's",
        "The status list is kept by someone other than the issuer",
        "Who keeps the status list was not checked", "Who keeps the status list could not be checked"),
    CheckId.STATUS_FRESHNESS: _Said(
        "The status is up to date", "The status is out of date",
        "The status is from a saved copy, not checked just now", "How fresh the status is was not checked",
        "How fresh the status is could not be checked"),
    CheckId.RECIPIENT: _Said(
        "Issued to the person named", "Not issued to the person named", "Who it was issued to has a note",
        "Not compared with a person (none was named)", "Could not check who it was issued to"),
    CheckId.PRESENTATION_HOLDER: _Said(
        "Sent by the person it was issued to", "Sent by someone other than the person it was issued to",
        "Not sent by the person it was issued to", "Who sent it was not checked",
        "Could not check who sent it"),
    CheckId.REFRESH: _Said(
        "The issuer's current copy was checked", "The issuer's current copy does not check out",
        "The issuer's current copy could not be used: the copy held was checked",
        "No current copy was asked of the issuer", "Could not get the issuer's current copy"),
    CheckId.SHARE_LINK: _Said(
        "The shared copy was fetched", "The shared copy does not open", "The shared copy has a note",
        "No shared copy to fetch", "Could not fetch the shared copy: withdrawn, expired or unreachable"),
    CheckId.REQUEST_CHALLENGE: _Said(
        "A fresh answer to your request", "Not a fresh answer to your request: it may be a replay",
        "Not made for a request of yours, so it may be an old copy",
        "Not checked against a request of yours", "Could not check it against your request"),
    CheckId.REQUEST_QUERY: _Said(
        "What you asked for", "Not what you asked for", "What you asked for, with a note",
        "Not compared with what you asked for", "Could not compare it with what you asked for"),
    CheckId.OB1_HOSTED: _Said(
        "The issuer's hosted copy matches", "The issuer's hosted copy does not match",
        "The issuer's hosted copy has a note", "The hosted copy was not checked",
        "The issuer's hosted copy could not be fetched"),
    CheckId.OB1_DOCUMENTS: _Said(
        "The badge's description and issuer were fetched", "The badge's description or issuer is wrong",
        "The badge's description or issuer has a note", "The badge's description and issuer were not fetched",
        "The badge's description or issuer could not be fetched"),
    CheckId.OB1_SCOPE: _Said(
        "Hosted where its issuer is", "Hosted somewhere its issuer is not", "Where it is hosted has a note",
        "Where it is hosted was not checked", "Where it is hosted could not be checked"),
    CheckId.OB2_HOSTED: _Said(
        "The issuer's hosted copy matches", "The issuer's hosted copy does not match",
        "The issuer's hosted copy has a note", "The hosted copy was not checked",
        "The issuer's hosted copy could not be fetched"),
    CheckId.OB2_DOCUMENTS: _Said(
        "The badge's description and issuer were fetched", "The badge's description or issuer is wrong",
        "The badge's description or issuer has a note", "The badge's description and issuer were not fetched",
        "The badge's description or issuer could not be fetched"),
    CheckId.OB2_SCOPE: _Said(
        "Hosted where its issuer says it may be", "Hosted where its issuer does not vouch for it",
        "Where it is hosted has a note", "Where it is hosted was not checked",
        "Where it is hosted could not be checked"),
}

# (check id, status) -> headline, for every check id and status.
_HEADLINES: Mapping[tuple[str, str], str] = {
    (str(check_id), status): headline
    for check_id, said in _SAID.items() for status, headline in said.by_status().items()
}


def plain_check(check_id: str, status: str, message: str) -> PlainCheck:
    """A check's headline for ``status`` (the engine's ``message`` becomes the detail)."""
    headline = _HEADLINES.get((str(check_id), str(status))) or "Another check"
    return PlainCheck(str(check_id), str(status), CHECK_STATUS_WORDS.get(str(status), str(status)), headline, message)


def plain_checks(checks: Iterable[CheckResult | Mapping[str, Any]]) -> tuple[PlainCheck, ...]:
    """Every check of a report (objects or their JSON form) in plain words, in order."""
    out: list[PlainCheck] = []
    for c in checks:
        check_id, status = _status_of(c)
        message = c.message if isinstance(c, CheckResult) else str(c.get("message", ""))
        out.append(plain_check(check_id, status, message))
    return tuple(out)
