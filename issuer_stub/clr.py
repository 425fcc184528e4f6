"""Comprehensive Learner Record 2.0: the ClrCredential that bundles a learner's achievement
credentials (CLR 2.0 §B.1.1 ClrCredential, §B.1.2 ClrSubject, §B.1.3 Association), before it is
signed (see :mod:`issuer_stub.forms`).

Each bundled credential is an OB 3.0 ``AchievementCredential`` signed on its own, so a verifier
can check every part as well as the record that carries them.
"""

from __future__ import annotations

from typing import Any

from .ob3 import OB3_CONTEXT, VC_V2, StatusRef, Validity, xsd

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"


def as_achievement_credential(cred: dict[str, Any]) -> dict[str, Any]:
    """CLR 2.0 §B.1.2: ``verifiableCredential`` holds AchievementCredentials (OB 3.0 §B.1.10 — the OB
    3.0 context defines AchievementCredential as the same class as OpenBadgeCredential)."""
    return {**cred, "type": ["VerifiableCredential", "AchievementCredential"]}


def parent_associations(parent_id: str, child_ids: list[str]) -> list[dict[str, Any]]:
    """CLR 2.0 §B.1.3 Association: the stacked certificate ``isParentOf`` each micro-credential."""
    return [{"type": "Association", "associationType": "isParentOf", "sourceId": parent_id, "targetId": child}
            for child in child_ids]


def clr_credential(*, credential_id: str, issuer: dict[str, Any], subject_id: str, name: str, description: str,
                   validity: Validity, parts: list[dict[str, Any]], achievements: list[dict[str, Any]],
                   associations: list[dict[str, Any]], status: StatusRef | None) -> dict[str, Any]:
    """CLR 2.0 §B.1.1 ClrCredential (VCDM 2.0) with its §B.1.2 ClrSubject."""
    subject: dict[str, Any] = {"id": subject_id, "type": ["ClrSubject"], "verifiableCredential": parts}
    if achievements:
        subject["achievement"] = achievements
    if associations:
        subject["association"] = associations
    doc: dict[str, Any] = {
        "@context": [VC_V2, CLR_CONTEXT, OB3_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer,
        "name": name,
        "description": description,
        "validFrom": xsd(validity.valid_from),
        "credentialSubject": subject,
    }
    if validity.valid_until:
        doc["validUntil"] = xsd(validity.valid_until)
    if status is not None:
        doc["credentialStatus"] = status.entries()
    return doc
