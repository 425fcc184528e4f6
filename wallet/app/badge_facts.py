"""The detail screen's model of a badge: the engine's reading of it (:func:`credentials.read_facts`,
the one reader both apps use) in the words the wallet shows, with the issuer's name marked
self-asserted unless a trust list the learner chose vouches for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from credentials import Alignment, CheckId, Evidence, Facts, Party, Result, read_facts


@dataclass(frozen=True)
class IssuerFacts:
    name: str
    identifier: str
    url: str = ""
    self_asserted: bool = True  # True unless a trust list the learner chose vouches for the name


@dataclass(frozen=True)
class BadgeFacts:
    name: str
    description: str = ""
    achievement_type: str = ""
    criteria: str = ""
    criteria_url: str = ""
    learning_outcomes: tuple[str, ...] = ()
    alignments: tuple[Alignment, ...] = ()
    credits_earned: str = ""
    credits_available: str = ""
    field_of_study: str = ""
    code: str = ""
    results: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    issuer: IssuerFacts | None = None
    issued: str = ""
    valid_until: str = ""
    endorsements: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    recipient: str = ""  # the subject's id (a DID, a URL), "hashed identity", or ""
    recipient_name: str = ""  # the subject's own name, or a plain identifier such as an email address
    form: str = ""  # "Open Badge 3.0", "Open Badge 2.0", "Comprehensive Learner Record"...
    achievement_id: str = ""
    related_achievement_ids: tuple[str, ...] = ()
    image_ref: str = ""  # URL or data: URI of the badge image
    parts: tuple[tuple[str, str], ...] = ()  # a CLR's credentials: (achievement id or name, name)


def issuer_is_vouched_for(report: Mapping[str, Any] | None) -> bool:
    """True when the ``issuer.known`` check passed: a trust list names this issuer."""
    for check in (report or {}).get("checks") or ():
        if isinstance(check, Mapping) and check.get("id") == CheckId.ISSUER_KNOWN:
            return check.get("status") == "passed"
    return False


def _issuer(party: Party | None, trusted: bool) -> IssuerFacts | None:
    if party is None or not party.label:
        return None
    return IssuerFacts(name=party.label, identifier=party.id or party.label, url=party.url, self_asserted=not trusted)


def _result_line(result: Result) -> str:
    return f"{result.label or 'Result'}: {result.value}"


def _recipient(facts: Facts) -> str:
    if facts.recipient_hashed and not facts.subject_id:
        return "hashed identity"
    return facts.subject_id


def badge_facts(credential: Mapping[str, Any] | None, report: Mapping[str, Any] | None = None) -> BadgeFacts:
    """The detail screen's words for a stored credential, from the engine's reading of it."""
    if not isinstance(credential, Mapping):
        return BadgeFacts(name="Unreadable badge", description="Satchel kept the file, but could not read it.")
    facts = read_facts(credential)
    is_ob2 = facts.form == "Open Badge 2.0"
    return BadgeFacts(
        name=facts.name or "Untitled badge",
        description=facts.description,
        achievement_type=facts.achievement_type or ("Badge" if is_ob2 else ""),
        criteria=facts.criteria,
        criteria_url=facts.criteria_url,
        learning_outcomes=facts.learning_outcomes,
        alignments=facts.alignments,
        credits_earned=facts.credits_earned,
        credits_available=facts.credits_available,
        field_of_study=facts.field_of_study,
        code=facts.code,
        results=tuple(_result_line(r) for r in facts.results),
        evidence=tuple(e if e.name else replace(e, name="Evidence") for e in facts.evidence),
        issuer=_issuer(facts.issuer, issuer_is_vouched_for(report)),
        issued=facts.issued,
        valid_until=facts.valid_until,
        endorsements=tuple(name or "An endorser" for name in facts.endorsers),
        tags=facts.tags,
        recipient=_recipient(facts),
        recipient_name=facts.subject_name,
        form=facts.form,
        achievement_id=facts.achievement_id,
        related_achievement_ids=facts.related_achievement_ids,
        image_ref=facts.image,
        parts=tuple((p.achievement_id or p.name, p.name) for p in facts.parts),
    )


def _moment(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def short_date(value: str) -> str:
    """``2026-03-14T09:00:00Z`` -> ``14 Mar 2026``; anything unparsable is returned as is."""
    if not value:
        return ""
    moment = _moment(value)
    return value if moment is None else f"{moment.day} {moment:%b %Y}"


def date_and_time(value: str | datetime) -> str:
    """``2026-03-14T09:05:00Z`` -> ``14 Mar 2026, 09:05`` in this computer's time zone (a date
    without a time stays a date); anything unparsable is returned as is."""
    moment = value if isinstance(value, datetime) else _moment(value) if value else None
    if moment is None:
        return str(value)
    if isinstance(value, str) and "T" not in value and " " not in value.strip():
        return short_date(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return f"{moment.day} {moment:%b %Y}, {moment:%H:%M}"
