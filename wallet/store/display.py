"""Name, issuer, date and skills of a parsed credential, for list rows and search.

Handles OB 3.0 / VC 2.0 and 1.1 (``credentialSubject.achievement``), VC-JWT payloads (``vc``
claim) and OB 2.0 assertions with an embedded BadgeClass. Anything missing becomes "".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .models import CredentialDisplay

_MAX_TEXT = 300  # summaries stay small so 10,000 of them decrypt fast
_MAX_SKILLS = 30
_GENERIC_TYPES = {"VerifiableCredential", "Assertion", "BadgeClass"}


def _text(value: object) -> str:
    """A display string from a plain string, a JSON-LD value object or a language-map list."""
    if isinstance(value, str):
        return value.strip()[:_MAX_TEXT]
    if isinstance(value, Mapping):
        return _text(value.get("@value") or value.get("name") or "")
    if isinstance(value, list) and value:
        return _text(value[0])
    return ""


def _first_mapping(value: object) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    if isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping):
                return item
    return {}


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _issuer_text(issuer: object) -> str:
    if isinstance(issuer, Mapping):
        return _text(issuer.get("name")) or _text(issuer.get("id"))
    return _text(issuer)


def _skills(*holders: Mapping[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    for holder in holders:
        for alignment in _as_list(holder.get("alignment")):
            if isinstance(alignment, Mapping):
                found.append(_text(alignment.get("targetName")))
        found.extend(_text(tag) for tag in _as_list(holder.get("tag")) + _as_list(holder.get("tags")))
        found.append(_text(holder.get("achievementType")))
    unique = dict.fromkeys(s for s in found if s)
    return tuple(unique)[:_MAX_SKILLS]


def _kind(credential: Mapping[str, Any]) -> str:
    types = [t for t in _as_list(credential.get("type")) if isinstance(t, str)]
    specific = [t for t in types if t not in _GENERIC_TYPES]
    return (specific or types or [""])[-1]


def _epoch_to_iso(value: object) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")
        except (OverflowError, OSError, ValueError):
            return None
    return None


def describe_credential(credential: Mapping[str, Any] | None) -> CredentialDisplay:
    if not isinstance(credential, Mapping):
        return CredentialDisplay(name="", issuer="")
    jwt_issuer = jwt_issued = None
    if isinstance(credential.get("vc"), Mapping):  # VC-JWT (VCDM 1.1) payload
        jwt_issuer = credential.get("iss")
        jwt_issued = _epoch_to_iso(credential.get("nbf") or credential.get("iat"))
        credential = credential["vc"]

    badge = credential.get("badge")
    if isinstance(badge, Mapping):  # OB 2.0 assertion with its BadgeClass embedded
        return CredentialDisplay(
            name=_text(badge.get("name")),
            issuer=_issuer_text(badge.get("issuer")),
            issued=_text(credential.get("issuedOn")) or None,
            skills=_skills(badge),
            kind=_kind(credential) or "Assertion",
        )

    subject = _first_mapping(credential.get("credentialSubject"))
    achievement = _first_mapping(subject.get("achievement"))
    issued = credential.get("validFrom") or credential.get("issuanceDate")
    return CredentialDisplay(
        name=_text(achievement.get("name")) or _text(credential.get("name")) or _kind(credential),
        issuer=_issuer_text(credential.get("issuer") or jwt_issuer),
        issued=_text(issued) or jwt_issued,
        skills=_skills(achievement, credential),
        kind=_kind(credential),
    )
