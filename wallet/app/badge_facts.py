"""What a badge certifies, pulled out of the parsed credential for the detail screen.

Reads OB 3.0 / VC 2.0 and 1.1 credentials (``credentialSubject.achievement``), VC-JWT payloads
(``vc`` claim) and OB 2.0 assertions with the BadgeClass embedded. Missing parts stay empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Alignment:
    name: str
    framework: str = ""
    code: str = ""
    description: str = ""
    url: str = ""


@dataclass(frozen=True)
class Evidence:
    name: str
    narrative: str = ""
    genre: str = ""
    url: str = ""


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
    recipient: str = ""
    achievement_id: str = ""
    related_achievement_ids: tuple[str, ...] = ()
    image_ref: str = ""  # URL or data: URI of the badge image


def text_of(value: object) -> str:
    """A display string from a string, a JSON-LD value object or a language-tagged list."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        return text_of(value.get("@value") or value.get("name") or "")
    if isinstance(value, list) and value:
        return text_of(value[0])
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return ""


def as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def first_mapping(value: object) -> Mapping[str, Any]:
    for item in as_list(value):
        if isinstance(item, Mapping):
            return item
    return {}


def reference_of(value: object) -> str:
    """The URL (or data: URI) of an image or document given as a string or as ``{"id": ...}``."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        return text_of(value.get("id"))
    return ""


_BULLET = re.compile(r"^\s*[-*\u2022]\s+(.+)$")


def split_criteria(narrative: str) -> tuple[str, tuple[str, ...]]:
    """Criteria text without its bullet list, and the bullets (the learning outcomes)."""
    prose, outcomes = [], []
    for line in narrative.splitlines():
        match = _BULLET.match(line)
        if match:
            outcomes.append(match.group(1).strip())
        else:
            prose.append(line)
    while outcomes and prose and (not prose[-1].strip() or prose[-1].rstrip().endswith(":")):
        prose.pop()  # the "Learning outcomes. The learner can:" line that introduced the list
    return "\n".join(prose).strip(), tuple(outcomes)


def _alignments(holder: Mapping[str, Any]) -> tuple[Alignment, ...]:
    found = []
    for item in as_list(holder.get("alignment")):
        if isinstance(item, Mapping) and text_of(item.get("targetName")):
            found.append(Alignment(
                name=text_of(item.get("targetName")),
                framework=text_of(item.get("targetFramework")),
                code=text_of(item.get("targetCode")),
                description=text_of(item.get("targetDescription")),
                url=text_of(item.get("targetUrl")),
            ))
    return tuple(found)


def _evidence(credential: Mapping[str, Any]) -> tuple[Evidence, ...]:
    found = []
    for item in as_list(credential.get("evidence")):
        if isinstance(item, str):
            found.append(Evidence(name="Evidence", url=item))
        elif isinstance(item, Mapping):
            found.append(Evidence(
                name=text_of(item.get("name")) or "Evidence",
                narrative=text_of(item.get("narrative")) or text_of(item.get("description")),
                genre=text_of(item.get("genre")),
                url=text_of(item.get("id")) if text_of(item.get("id")).startswith("http") else "",
            ))
    return tuple(found)


def _issuer(value: object, trusted: bool) -> IssuerFacts | None:
    if isinstance(value, Mapping):
        identifier = text_of(value.get("id"))
        return IssuerFacts(name=text_of(value.get("name")) or identifier, identifier=identifier,
                           url=text_of(value.get("url")), self_asserted=not trusted)
    if isinstance(value, str) and value:
        return IssuerFacts(name=value, identifier=value, self_asserted=not trusted)
    return None


def _endorsers(*holders: Mapping[str, Any]) -> tuple[str, ...]:
    names = []
    for holder in holders:
        for item in as_list(holder.get("endorsement")):
            if isinstance(item, Mapping):
                issuer = item.get("issuer")
                name = text_of(issuer.get("name")) if isinstance(issuer, Mapping) else text_of(issuer)
                names.append(name or "An endorser")
    return tuple(dict.fromkeys(names))


def _results(subject: Mapping[str, Any], achievement: Mapping[str, Any]) -> tuple[str, ...]:
    names = {
        text_of(d.get("id")): text_of(d.get("name"))
        for d in as_list(achievement.get("resultDescription")) if isinstance(d, Mapping)
    }
    lines = []
    for result in as_list(subject.get("result")):
        if not isinstance(result, Mapping):
            continue
        label = names.get(text_of(result.get("resultDescription")), "") or "Result"
        value = text_of(result.get("value")) or text_of(result.get("status")) or text_of(result.get("achievedLevel"))
        if value:
            lines.append(f"{label}: {value}")
    return tuple(lines)


def issuer_is_vouched_for(report: Mapping[str, Any] | None) -> bool:
    """True when the ``issuer.known`` check passed: a trust list names this issuer."""
    for check in (report or {}).get("checks") or ():
        if isinstance(check, Mapping) and check.get("id") == "issuer.known":
            return check.get("status") == "passed"
    return False


def badge_facts(credential: Mapping[str, Any] | None, report: Mapping[str, Any] | None = None) -> BadgeFacts:
    if not isinstance(credential, Mapping):
        return BadgeFacts(name="Unreadable badge", description="Satchel kept the file, but could not read it.")
    trusted = issuer_is_vouched_for(report)
    if isinstance(credential.get("vc"), Mapping):
        credential = credential["vc"]
    badge = credential.get("badge")
    if isinstance(badge, Mapping):
        return _ob2_facts(credential, badge, trusted)

    subject = first_mapping(credential.get("credentialSubject"))
    achievement = first_mapping(subject.get("achievement"))
    criteria = achievement.get("criteria")
    narrative = text_of(criteria.get("narrative")) if isinstance(criteria, Mapping) else ""
    prose, outcomes = split_criteria(narrative)
    image = reference_of(achievement.get("image")) or reference_of(credential.get("image"))
    tags = [text_of(t) for t in as_list(achievement.get("tag"))]
    return BadgeFacts(
        name=text_of(achievement.get("name")) or text_of(credential.get("name")) or "Untitled badge",
        description=text_of(achievement.get("description")) or text_of(credential.get("description")),
        achievement_type=text_of(achievement.get("achievementType")),
        criteria=prose,
        criteria_url=text_of(criteria.get("id")) if isinstance(criteria, Mapping) else "",
        learning_outcomes=outcomes,
        alignments=_alignments(achievement),
        credits_earned=text_of(subject.get("creditsEarned")),
        credits_available=text_of(achievement.get("creditsAvailable")),
        field_of_study=text_of(achievement.get("fieldOfStudy")),
        code=text_of(achievement.get("humanCode")),
        results=_results(subject, achievement),
        evidence=_evidence(credential),
        issuer=_issuer(credential.get("issuer"), trusted),
        issued=text_of(credential.get("validFrom") or credential.get("issuanceDate")),
        valid_until=text_of(credential.get("validUntil") or credential.get("expirationDate")),
        endorsements=_endorsers(credential, achievement),
        tags=tuple(t for t in tags if t),
        recipient=text_of(subject.get("id")),
        achievement_id=text_of(achievement.get("id")),
        related_achievement_ids=tuple(
            text_of(r.get("id")) for r in as_list(achievement.get("related")) if isinstance(r, Mapping)
        ),
        image_ref=image,
    )


def _ob2_facts(assertion: Mapping[str, Any], badge: Mapping[str, Any], trusted: bool) -> BadgeFacts:
    criteria = badge.get("criteria")
    narrative = text_of(criteria.get("narrative")) if isinstance(criteria, Mapping) else ""
    prose, outcomes = split_criteria(narrative)
    recipient = assertion.get("recipient")
    return BadgeFacts(
        name=text_of(badge.get("name")) or "Untitled badge",
        description=text_of(badge.get("description")),
        achievement_type="Badge",
        criteria=prose,
        criteria_url=reference_of(criteria) if not isinstance(criteria, Mapping) else text_of(criteria.get("id")),
        learning_outcomes=outcomes,
        alignments=_alignments(badge),
        evidence=_evidence(assertion),
        issuer=_issuer(badge.get("issuer"), trusted),
        issued=text_of(assertion.get("issuedOn")),
        valid_until=text_of(assertion.get("expires")),
        endorsements=_endorsers(assertion, badge),
        tags=tuple(t for t in (text_of(x) for x in as_list(badge.get("tags"))) if t),
        recipient="hashed identity" if isinstance(recipient, Mapping) and recipient.get("hashed") else
        text_of(recipient.get("identity")) if isinstance(recipient, Mapping) else "",
        achievement_id=text_of(badge.get("id")),
        image_ref=reference_of(assertion.get("image")) or reference_of(badge.get("image")),
    )


def short_date(value: str) -> str:
    """``2026-03-14T09:00:00Z`` -> ``14 Mar 2026``; anything unparsable is returned as is."""
    from datetime import datetime

    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return f"{moment.day} {moment:%b %Y}"
