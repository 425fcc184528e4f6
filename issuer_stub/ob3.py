"""Open Badges 3.0 documents: OpenBadgeCredential, EndorsementCredential, status entries and
the BitstringStatusListCredential, before they are signed (see :mod:`issuer_stub.forms`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from credentials import encode_list

from .catalogue import Achievement, achievement_document, result_description_id

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# The unversioned OB 3.0 context: the one didkit 0.3.3 bundles (it knows no 3.0.x versions).
OB3_CONTEXT_UNVERSIONED = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
# 1EdTech Revocation List Status Method: its type term is defined by the OB 3.0 extensions context.
OB3_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
# Bitstring Status List v1.0 §2.1: VCDM 1.1 documents need the status vocabulary's own context.
STATUS_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"
# VC Status List 2021 (W3C CCG, Bitstring Status List's predecessor): its own context, VCDM 1.1 era.
STATUS_LIST_2021_CONTEXT = "https://w3id.org/vc/status-list/2021/v1"


def xsd(dt: datetime) -> str:
    return dt.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Validity:
    valid_from: datetime
    valid_until: datetime | None = None


@dataclass(frozen=True)
class StatusRef:
    """Where a credential's bit lives: one index in each purpose's list (Bitstring §2.1)."""

    index: int
    list_urls: tuple[tuple[str, str], ...]  # (purpose, status list credential URL)
    entry_type: str = "BitstringStatusListEntry"  # or "StatusList2021Entry" (Status List 2021 §2.1)

    def entries(self) -> list[dict[str, Any]]:
        return [{"id": f"{url}#{self.index}", "type": self.entry_type, "statusPurpose": purpose,
                 "statusListIndex": str(self.index), "statusListCredential": url}
                for purpose, url in self.list_urls]

    @property
    def context(self) -> str:
        """The context a VCDM 1.1 credential needs for the entry's terms."""
        return STATUS_LIST_2021_CONTEXT if self.entry_type == "StatusList2021Entry" else STATUS_CONTEXT


def issuer_profile(issuer_id: str, base_url: str, name: str) -> dict[str, Any]:
    """OB 3.0 §B.1.16 Profile, embedded as the credential's issuer."""
    return {"id": issuer_id, "type": ["Profile"], "name": name, "url": base_url,
            "description": "Demonstration issuer run by the Satchel issuer stub on the local machine."}


def _subject(ach: Achievement, base_url: str, subject_id: str, achievement: dict[str, Any]) -> dict[str, Any]:
    """OB 3.0 §B.1.2 AchievementSubject, with the learner's results (§B.1.18 Result)."""
    subject: dict[str, Any] = {"id": subject_id, "type": ["AchievementSubject"], "achievement": achievement}
    if ach.credits is not None:
        subject["creditsEarned"] = ach.credits
    if ach.results:
        subject["result"] = [{"type": ["Result"], "resultDescription": result_description_id(base_url, ach, i),
                              ("status" if r.result_type == "Status" and r.value in ("Completed", "Enrolled",
                               "Failed", "InProgress", "OnHold", "Provisional", "Withdrew") else "value"):
                              r.value}
                             for i, r in enumerate(ach.results)]
    return subject


def _evidence(ach: Achievement) -> list[dict[str, Any]]:
    """OB 3.0 §B.1.8 Evidence."""
    out = []
    for ev in ach.evidence:
        item: dict[str, Any] = {"type": ["Evidence"], "name": ev.name, "narrative": ev.narrative}
        if ev.description:
            item["description"] = ev.description
        if ev.genre:
            item["genre"] = ev.genre
        out.append(item)
    return out


def _dates(v2: bool, validity: Validity) -> dict[str, str]:
    """VCDM 2.0 §4.9 validFrom / validUntil; VCDM 1.1 §4.6 issuanceDate, §4.7 expirationDate."""
    if v2:
        out = {"validFrom": xsd(validity.valid_from)}
        if validity.valid_until:
            out["validUntil"] = xsd(validity.valid_until)
        return out
    out = {"issuanceDate": xsd(validity.valid_from)}
    if validity.valid_until:
        out["expirationDate"] = xsd(validity.valid_until)
    return out


def contexts_for(v2: bool, with_status: bool, with_2020_suite: bool, ob_context: str = OB3_CONTEXT,
                 status_context: str = STATUS_CONTEXT) -> list[str]:
    if v2:
        return [VC_V2, ob_context]
    ctx = [VC_V1, ob_context]
    if with_status:
        ctx.append(status_context)
    if with_2020_suite:
        ctx.append(ED25519_2020_CONTEXT)
    return ctx


def open_badge_credential(ach: Achievement, *, base_url: str, credential_id: str, issuer: dict[str, Any],
                          subject_id: str, validity: Validity, status: StatusRef | None,
                          v2: bool = True, with_2020_suite: bool = False,
                          stacked: list[dict[str, Any]] | None = None,
                          ob_context: str = OB3_CONTEXT, revocation_list_url: str | None = None,
                          refresh_url: str | None = None) -> dict[str, Any]:
    """OB 3.0 §B.1.10 OpenBadgeCredential (also §8 for the VCDM 1.1 form)."""
    achievement = achievement_document(ach, base_url, issuer)
    if stacked:
        # OB 3.0 §B.1.15 Related: the stacked micro-credentials this achievement is made of.
        achievement["related"] = [{"id": a["id"], "type": ["Related"], "inLanguage": "en",
                                   "version": "1.0"} for a in stacked]
    doc: dict[str, Any] = {
        "@context": contexts_for(v2, status is not None, with_2020_suite, ob_context,
                                 status.context if status is not None else STATUS_CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer,
        "name": ach.name,
        **_dates(v2, validity),
        "credentialSubject": _subject(ach, base_url, subject_id, achievement),
    }
    if ach.evidence:
        doc["evidence"] = _evidence(ach)
    if status is not None:
        entries = status.entries()
        # Status List 2021 §2.1 shows the entry as a single object (VCDM 1.1 era); one entry, so one object.
        doc["credentialStatus"] = entries[0] if status.entry_type == "StatusList2021Entry" else entries
    if revocation_list_url is not None:
        # 1EdTech Revocation List Status Method 1.0 §2: the entry's id is the list's URL.
        doc["@context"] = [*doc["@context"], OB3_EXTENSIONS_CONTEXT]
        doc["credentialStatus"] = {"id": revocation_list_url, "type": "1EdTechRevocationList"}
    if refresh_url is not None:
        # OB 3.0 data model "RefreshService" / 1EdTech Verifiable Credential Refresh Service 1.0: a GET on
        # the id answers the credential as the issuer would issue it now. The type term comes from
        # the OB 3.0 extensions context (VCDM 2.0 §5.4 defines refreshService itself).
        if OB3_EXTENSIONS_CONTEXT not in doc["@context"]:
            doc["@context"] = [*doc["@context"], OB3_EXTENSIONS_CONTEXT]
        doc["refreshService"] = {"id": refresh_url, "type": "1EdTechCredentialRefresh"}
    return doc


def endorsement_credential(*, credential_id: str, endorser: dict[str, Any], endorsed_id: str,
                           comment: str, validity: Validity) -> dict[str, Any]:
    """OB 3.0 §B.1.6 EndorsementCredential / §B.1.7 EndorsementSubject."""
    return {
        "@context": [VC_V2, OB3_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "issuer": endorser,
        "name": "Endorsement of a Satchel demo achievement",
        **_dates(True, validity),
        "credentialSubject": {"id": endorsed_id, "type": ["EndorsementSubject"], "endorsementComment": comment},
    }


def status_list_credential(*, list_url: str, issuer_id: str, purpose: str, bits: bytes,
                           valid_from: datetime) -> dict[str, Any]:
    """Bitstring Status List v1.0 §2.2 BitstringStatusListCredential (unsigned)."""
    return {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": xsd(valid_from),
        "credentialSubject": {"id": f"{list_url}#list", "type": "BitstringStatusList",
                              "statusPurpose": purpose, "encodedList": encode_list(bits)},
    }


def encode_list_2021(bits: bytes) -> str:
    """Status List 2021 §2.2: encodedList is the GZIP-compressed bitstring, base64url-encoded, with no
    multibase prefix (Bitstring Status List later added the ``u``)."""
    return encode_list(bits).removeprefix("u")


def status_list_2021_credential(*, list_url: str, issuer_id: str, purpose: str, bits: bytes,
                                issued: datetime) -> dict[str, Any]:
    """Status List 2021 §2.2 StatusList2021Credential (VCDM 1.1, unsigned; signed Ed25519Signature2020)."""
    return {
        "@context": [VC_V1, STATUS_LIST_2021_CONTEXT, ED25519_2020_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": issuer_id,
        "issuanceDate": xsd(issued),
        "credentialSubject": {"id": f"{list_url}#list", "type": "StatusList2021",
                              "statusPurpose": purpose, "encodedList": encode_list_2021(bits)},
    }
