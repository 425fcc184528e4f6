"""A verification as the screens and reports read it: :func:`record_of` turns an engine report into
the record the history keeps, :func:`facts_of` reads the plain facts back out of a record.

What a credential *says* (its achievement, issuer, subject, competencies, credits, evidence,
dates) is the engine's reading, ``credentials.read_facts``, the one reader both apps use; this
module adds what the verifier knows on top (the verdict, every check, whether the issuer is on
the trust list, the status list's "as of") and words it for the screen, the CSV and the PDF.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from credentials import Facts, read_facts

__all__ = [
    "FORMAT_WORDS", "HEADLINES", "SOURCE_WORDS", "CredentialFacts", "RecordFacts", "credential_facts", "facts_of",
    "record_of", "short_id",
]

HEADLINES = {"valid": "Verified", "invalid": "Problem", "unverifiable": "Could not check"}
SOURCE_WORDS = {"camera": "Camera", "image": "QR image", "paste": "Pasted", "link": "Share link",
                "request": "Request"}
FORMAT_WORDS = {"vc": "Verifiable Credential (JSON-LD)", "vp": "Verifiable Presentation (JSON-LD)",
                "vc-jwt": "Verifiable Credential (JWT)", "vp-jwt": "Verifiable Presentation (JWT)",
                "ob2": "Open Badge 2.0", "ob2-jws": "Open Badge 2.0 (signed)", "ob2-url": "Open Badge 2.0 (hosted)",
                "url": "Hosted credential"}


def record_of(report: Any) -> dict[str, Any]:
    """The report's JSON with each level's verified document under ``"document"``."""
    out: dict[str, Any] = report.to_json()
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
    subject_id: str = ""  # the subject's whole id (``subject`` may show it shortened)


@dataclass(frozen=True)
class RecordFacts:
    """A whole verification: the answer, the presentation's own checks, and each credential."""

    verdict: str
    answer: str
    format: str
    at: str
    holder: str
    presentation_checks: tuple[dict[str, str], ...]
    credentials: tuple[CredentialFacts, ...]
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    is_presentation: bool = False
    endorsements: tuple[CredentialFacts, ...] = field(default=())
    holder_id: str = ""  # the holder's whole id (``holder`` shows it shortened)


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


def _evidence(facts: Facts) -> tuple[str, ...]:
    return tuple(" ".join(x for x in (e.name or e.narrative, f"<{e.url}>" if e.url else "") if x) or "evidence"
                 for e in facts.evidence)


def _issuer(facts: Facts) -> tuple[str, str]:
    party = facts.issuer
    if party is None:
        return "an unnamed issuer", ""
    return party.name or short_id(party.id) or "an unnamed issuer", party.id


def _subject(facts: Facts, doc: dict[str, Any], ob2: bool) -> str:
    if ob2:  # OB 2.0: the recipient's identity, or what kind of identity it hashes
        recipient = doc.get("recipient")
        if not isinstance(recipient, dict) or not recipient:
            return "not stated"
        identity = recipient.get("identity")
        if not recipient.get("hashed") and identity:
            return str(identity)
        return f"a hashed {recipient.get('type', 'identity')}"
    return facts.subject_name or (short_id(facts.subject_id) if facts.subject_id else "not stated")


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
    return CredentialFacts(
        verdict=str(rec.get("verdict", "")), kind="Open Badge 2.0" if ob2 else said.form, issuer=issuer,
        issuer_id=issuer_id, issuer_known=bool(known_check and known_check["status"] == "passed"),
        issuer_note=known_check["message"] if known_check else "", subject=_subject(said, doc, ob2),
        subject_id="" if ob2 else said.subject_id, achievement=_achievement(said, doc, ob2),
        description=said.description, achievement_type=said.achievement_type, competencies=_competencies(said),
        credits=_credits(said), evidence=_evidence(said), results=tuple(r.value for r in said.results),
        issued=_date(said.issued), valid_until=_date(said.valid_until), status_as_of=_status_as_of(checks),
        checks=checks, problems=tuple(rec.get("problems", [])), warnings=tuple(rec.get("warnings", [])), format=fmt)


def facts_of(rec: dict[str, Any]) -> RecordFacts:
    fmt = str(rec.get("format", ""))
    verdict = str(rec.get("verdict", "unverifiable"))
    checks = _checks(rec)
    doc = rec.get("document") if isinstance(rec.get("document"), dict) else {}
    assert isinstance(doc, dict)
    problems, warnings = tuple(rec.get("problems", [])), tuple(rec.get("warnings", []))
    if fmt.startswith("vp"):
        holder = doc.get("holder")
        holder = holder.get("id") if isinstance(holder, dict) else holder
        creds = tuple(credential_facts(c) for c in rec.get("credentials", []) if isinstance(c, dict))
        return RecordFacts(verdict, HEADLINES.get(verdict, verdict), fmt, str(rec.get("at", "")),
                           short_id(holder) if isinstance(holder, str) else "", checks, creds, problems, warnings,
                           True, holder_id=holder if isinstance(holder, str) else "")
    endorsements = tuple(credential_facts(a) for a in rec.get("attached", []) if isinstance(a, dict))
    return RecordFacts(verdict, HEADLINES.get(verdict, verdict), fmt, str(rec.get("at", "")), "", (),
                       (credential_facts(rec),), problems, warnings, False, endorsements)
