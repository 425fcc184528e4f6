"""A verification as the screens and reports read it: :func:`record_of` turns an engine report into
the record the history keeps, :func:`facts_of` reads the plain facts back out of a record.

What a credential *says* (its achievement, issuer, subject, competencies, credits, evidence,
dates) is the engine's reading, ``credentials.read_facts``, the one reader both apps use; this
module adds what the verifier knows on top (the verdict, every check, whether the issuer is on
the trust list, the status list's "as of") and words it for the screen, the CSV and the PDF.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from credentials import GRADE_WORDS, Facts, Grade, GradeWords, grade_json, read_facts

__all__ = [
    "FORMAT_WORDS", "NO_NAME", "SOURCE_WORDS", "CredentialFacts", "RecordFacts", "checked_what", "credential_facts",
    "facts_of", "fingerprint_of", "grade_words", "record_of", "short_id",
]
SOURCE_WORDS = {"camera": "Camera", "image": "QR image", "paste": "Pasted", "link": "Share link",
                "request": "Request"}
FORMAT_WORDS = {"vc": "Verifiable Credential (JSON-LD)", "vp": "Verifiable Presentation (JSON-LD)",
                "vc-jwt": "Verifiable Credential (JWT)", "vp-jwt": "Verifiable Presentation (JWT)",
                "ob2": "Open Badge 2.0", "ob2-jws": "Open Badge 2.0 (signed)", "ob2-url": "Open Badge 2.0 (hosted)",
                "url": "Hosted credential", "sd-jwt-vc": "SD-JWT credential", "sd-jwt": "SD-JWT credential",
                "vc-sd-jwt": "Verifiable Credential (SD-JWT)", "vp-sd-jwt": "Verifiable Presentation (SD-JWT)"}


def fingerprint_of(given: str | bytes) -> str:
    """A short fingerprint of what was submitted (the text as pasted or scanned, an image's bytes),
    shown with its result so a person can tell one submission from another: "3F2A-91C0"."""
    data = given.strip().encode() if isinstance(given, str) else given
    digest = hashlib.sha256(data).hexdigest()[:8].upper()
    return f"{digest[:4]}-{digest[4:]}"


def grade_words(grade: str) -> GradeWords:
    """The plain words of a grade (``Grade`` value); an unknown one reads as "could not check"."""
    try:
        return GRADE_WORDS[Grade(grade)]
    except ValueError:
        return GRADE_WORDS[Grade.COULD_NOT_CHECK]


def record_of(report: Any, *, fingerprint: str = "") -> dict[str, Any]:
    """The report's JSON with each level's verified document under ``"document"`` (and, at the top,
    the fingerprint of what was submitted, when given)."""
    out: dict[str, Any] = report.to_json()
    if fingerprint:
        out["input"] = {"fingerprint": fingerprint}
    if report.credential is not None:
        out["document"] = json.loads(json.dumps(report.credential, default=str))
    if report.nested:
        out["credentials"] = [record_of(sub) for sub in report.nested]
    if report.attached:
        out["attached"] = [{"role": sub.format, **record_of(sub)} for sub in report.attached]
    return out


def short_id(value: str, keep: int = 28) -> str:
    return value if len(value) <= keep + 8 else value[:keep] + "…" + value[-6:]


@dataclass(frozen=True)
class CredentialFacts:
    """What one credential says, in the words the screen and the reports use."""

    verdict: str
    kind: str  # "Open Badge 3.0", "Open Badge 2.0", "Verifiable Credential", ...
    issuer: str
    issuer_id: str
    issuer_known: bool  # on the trust list; otherwise the name is self-asserted
    issuer_note: str  # the issuer.known check's message
    subject: str
    achievement: str
    description: str = ""
    achievement_type: str = ""
    competencies: tuple[str, ...] = ()
    credits: str = ""
    evidence: tuple[str, ...] = ()
    results: tuple[str, ...] = ()
    issued: str = ""
    valid_until: str = ""
    status_as_of: str = ""
    checks: tuple[dict[str, str], ...] = ()
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    format: str = ""
    subject_id: str = ""  # the subject's whole id, for "Details" (``subject`` is the name, or says there is none)
    grade: str = ""  # its Grade value (trusted / genuine / problem / could-not-check)
    subject_named: bool = False  # the credential gives the subject's name (or a plain e-mail / identifier)


@dataclass(frozen=True)
class RecordFacts:
    """A whole verification: the answer, the presentation's own checks, and each credential."""

    verdict: str
    answer: str  # the grade's headline
    format: str
    at: str
    holder: str
    presentation_checks: tuple[dict[str, str], ...]
    credentials: tuple[CredentialFacts, ...]
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    is_presentation: bool = False
    endorsements: tuple[CredentialFacts, ...] = field(default=())
    holder_id: str = ""  # the holder's whole id, for "Details"
    grade: str = ""  # the Grade value of the whole record (a presentation: of every credential in it)
    fingerprint: str = ""  # of what was submitted (see fingerprint_of); "" for records made before it was kept
    holder_is_subject: bool | None = None  # a presentation: sent by the person its credentials were issued to?
    holder_name: str = ""  # that person's name, when a credential gives it
    parts: tuple[CredentialFacts, ...] = field(default=())  # a CLR's own credentials (CLR 2.0 §ClrSubject), checked

    @property
    def words(self) -> GradeWords:
        return grade_words(self.grade)


_AS_OF = re.compile(r"as of ([^,)]+)")


def _checks(rec: dict[str, Any]) -> tuple[dict[str, str], ...]:
    return tuple({"id": str(c.get("id", "")), "status": str(c.get("status", "")),
                  "message": str(c.get("message", ""))} for c in rec.get("checks", []) if isinstance(c, dict))


def _status_as_of(checks: Sequence[dict[str, str]]) -> str:
    for c in checks:
        if c["id"].startswith("status"):
            m = _AS_OF.search(c["message"])
            if m:
                return m.group(1).strip()
    return ""


def _date(text: str) -> str:
    if not text:
        return ""
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return when.strftime("%d %B %Y").lstrip("0")


def _competencies(facts: Facts) -> tuple[str, ...]:
    return tuple(a.name + (f" ({a.code})" if a.code else "") + (f", {a.framework}" if a.framework else "")
                 for a in facts.alignments)


def _credits(facts: Facts) -> str:
    for amount, word in ((facts.credits_earned, "earned"), (facts.credits_available, "available")):
        try:
            value = float(amount)
        except ValueError:
            continue
        return f"{value:g} credit{'s' if value != 1 else ''} {word}"
    return ""


def _results(facts: Facts) -> tuple[str, ...]:
    """Each result with what it measures (its ResultDescription's name): "Knowledge check: 92"."""
    return tuple(f"{r.label}: {r.value}" if r.label else r.value for r in facts.results)


def _evidence(facts: Facts) -> tuple[str, ...]:
    return tuple(" ".join(x for x in (e.name or e.narrative, f"<{e.url}>" if e.url else "") if x) or "evidence"
                 for e in facts.evidence)


def _issuer(facts: Facts) -> tuple[str, str]:
    party = facts.issuer
    if party is None:
        return "an unnamed issuer", ""
    return party.name or short_id(party.id) or "an unnamed issuer", party.id


# OB 2.0 IdentityObject.type (§IdentityObject) and OB 3.0 IdentityObject.identityType (§B.1.14).
_IDENTITY_WORDS = {"email": "e-mail address", "emailaddress": "e-mail address", "url": "web address",
                   "telephone": "phone number", "phonenumber": "phone number"}
NO_NAME = "No name given: known only by a digital key"


def _hashed_words(kind: object) -> str:
    return f"Someone with a hashed {_IDENTITY_WORDS.get(str(kind).lower(), 'identifier')} (not shown)"


def _subject(facts: Facts, doc: dict[str, Any], ob2: bool) -> tuple[str, bool]:
    """Who it was issued to, by name when the credential gives one; whether it does."""
    if ob2:  # OB 2.0: the recipient's identity, or what kind of identity it hashes
        recipient = doc.get("recipient")
        if not isinstance(recipient, dict) or not recipient:
            return "Not stated", False
        identity = recipient.get("identity")
        if not recipient.get("hashed") and identity:
            return str(identity), True
        return _hashed_words(recipient.get("type", "")), False
    if facts.subject_name:
        return facts.subject_name, True
    if facts.recipient_hashed:
        subject = doc.get("credentialSubject")
        idents = subject.get("identifier") if isinstance(subject, dict) else None
        first = idents[0] if isinstance(idents, list) and idents else idents
        return _hashed_words(first.get("identityType", "") if isinstance(first, dict) else ""), False
    return (NO_NAME if facts.subject_id else "Not stated"), False


def _achievement(facts: Facts, doc: dict[str, Any], ob2: bool) -> str:
    if ob2:
        badge = doc.get("badge")
        return facts.name or (badge if isinstance(badge, str) else "") or "a badge"
    return facts.name or "a credential"


def credential_facts(rec: dict[str, Any]) -> CredentialFacts:
    """One credential's record (its report and ``"document"``) in the screen's words."""
    doc = rec.get("document") if isinstance(rec.get("document"), dict) else {}
    assert isinstance(doc, dict)
    fmt = str(rec.get("format", ""))
    ob2 = fmt.startswith("ob2")
    said = read_facts(doc)
    checks = _checks(rec)
    known_check = next((c for c in checks if c["id"] == "issuer.known"), None)
    issuer, issuer_id = _issuer(said)
    subject, named = _subject(said, doc, ob2)
    return CredentialFacts(
        verdict=str(rec.get("verdict", "")), kind="Open Badge 2.0" if ob2 else said.form, issuer=issuer,
        issuer_id=issuer_id, issuer_known=bool(known_check and known_check["status"] == "passed"),
        issuer_note=known_check["message"] if known_check else "", subject=subject,
        subject_id="" if ob2 else said.subject_id, subject_named=named, achievement=_achievement(said, doc, ob2),
        description=said.description, achievement_type=said.achievement_type, competencies=_competencies(said),
        credits=_credits(said), evidence=_evidence(said), results=_results(said),
        issued=_date(said.issued), valid_until=_date(said.valid_until), status_as_of=_status_as_of(checks),
        checks=checks, problems=tuple(rec.get("problems", [])), warnings=tuple(rec.get("warnings", [])), format=fmt,
        grade=str(grade_json(rec)))


def _holder_is_subject(checks: Sequence[dict[str, str]]) -> bool | None:
    """The presentation.holder check: passed when every credential names the one presenting it."""
    found = next((c for c in checks if c["id"] == "presentation.holder"), None)
    return None if found is None else found["status"] == "passed"


def _input_fingerprint(rec: dict[str, Any]) -> str:
    given = rec.get("input")
    return str(given.get("fingerprint", "")) if isinstance(given, dict) else ""


def facts_of(rec: dict[str, Any]) -> RecordFacts:
    fmt = str(rec.get("format", ""))
    verdict = str(rec.get("verdict", "unverifiable"))
    checks = _checks(rec)
    doc = rec.get("document") if isinstance(rec.get("document"), dict) else {}
    assert isinstance(doc, dict)
    problems, warnings = tuple(rec.get("problems", [])), tuple(rec.get("warnings", []))
    grade, fingerprint = str(grade_json(rec)), _input_fingerprint(rec)
    if fmt.startswith("vp"):
        holder = doc.get("holder")
        holder = holder.get("id") if isinstance(holder, dict) else holder
        creds = tuple(credential_facts(c) for c in rec.get("credentials", []) if isinstance(c, dict))
        own = _holder_is_subject(checks)
        name = next((c.subject for c in creds if c.subject_named), "") if own else ""
        return RecordFacts(verdict, grade_words(grade).headline, fmt, str(rec.get("at", "")),
                           short_id(holder) if isinstance(holder, str) else "", checks, creds, problems, warnings,
                           True, holder_id=holder if isinstance(holder, str) else "", grade=grade,
                           fingerprint=fingerprint, holder_is_subject=own, holder_name=name)
    attached = [a for a in rec.get("attached", []) if isinstance(a, dict)]
    # The engine names each attached report's role: an endorsement of the credential, or a CLR's part.
    endorsements = tuple(credential_facts(a) for a in attached if a.get("role") != "clr-part")
    parts = tuple(credential_facts(a) for a in attached if a.get("role") == "clr-part")
    return RecordFacts(verdict, grade_words(grade).headline, fmt, str(rec.get("at", "")), "", (),
                       (credential_facts(rec),), problems, warnings, False, endorsements, grade=grade,
                       fingerprint=fingerprint, parts=parts)


def checked_what(facts: RecordFacts) -> str:
    """What was checked, named: "Checked: ‘Donning and doffing PPE’ from Riverside… · input 3F2A-91C0"."""
    names = [f"‘{c.achievement}’" for c in facts.credentials[:3]]
    more = len(facts.credentials) - len(names)
    what = ", ".join(names) + (f" and {more} more" if more > 0 else "") or "nothing readable"
    issuers = list(dict.fromkeys(c.issuer for c in facts.credentials if c.issuer))
    source = f" from {issuers[0]}" if len(issuers) == 1 else f" from {len(issuers)} issuers" if issuers else ""
    tail = f" · input {facts.fingerprint}" if facts.fingerprint else ""
    return f"Checked: {what}{source}{tail}"
