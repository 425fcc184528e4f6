"""Open Badges 2.0 documents (1EdTech OB 2.0 Final): Issuer Profile, CryptographicKey,
BadgeClass, Assertion (hosted or signed), RevocationList."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from credentials import sign_jws

from .catalogue import Achievement
from .ob3 import xsd

OB2_CONTEXT = "https://w3id.org/openbadges/v2"


@dataclass(frozen=True)
class Ob2Urls:
    base_url: str

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/ob2/issuer"

    @property
    def key(self) -> str:
        return f"{self.base_url}/ob2/keys/rsa-1"

    @property
    def revocation_list(self) -> str:
        return f"{self.base_url}/ob2/revocations"

    def badge(self, slug: str) -> str:
        return f"{self.base_url}/ob2/badges/{slug}"

    def assertion(self, uid: str) -> str:
        return f"{self.base_url}/ob2/assertions/{uid}"

    def image(self, slug: str) -> str:
        return f"{self.base_url}/images/{slug}.png"


def issuer_profile(urls: Ob2Urls, name: str) -> dict[str, Any]:
    """OB 2.0 "Profile" (Issuer): publicKey and revocationList make signed badges checkable."""
    return {"@context": OB2_CONTEXT, "type": "Issuer", "id": urls.issuer, "name": name, "url": urls.base_url,
            "email": "badges@issuer-stub.invalid", "publicKey": urls.key,
            "revocationList": urls.revocation_list}


def cryptographic_key(urls: Ob2Urls, public_pem: str) -> dict[str, Any]:
    """OB 2.0 "CryptographicKey": owner is the issuer profile that lists the key."""
    return {"@context": OB2_CONTEXT, "type": "CryptographicKey", "id": urls.key, "owner": urls.issuer,
            "publicKeyPem": public_pem}


def badge_class(urls: Ob2Urls, ach: Achievement) -> dict[str, Any]:
    """OB 2.0 "BadgeClass" with criteria, alignment (§AlignmentObject) and tags."""
    doc: dict[str, Any] = {"@context": OB2_CONTEXT, "type": "BadgeClass", "id": urls.badge(ach.slug),
                           "name": ach.name, "description": ach.description, "image": urls.image(ach.slug),
                           "criteria": {"narrative": ach.criteria}, "issuer": urls.issuer}
    if ach.alignments:
        doc["alignment"] = [{k: v for k, v in {"targetName": a.target_name, "targetUrl": a.target_url,
                                               "targetDescription": a.target_description,
                                               "targetFramework": a.target_framework,
                                               "targetCode": a.target_code}.items() if v}
                            for a in ach.alignments]
    if ach.tags:
        doc["tags"] = list(ach.tags)
    return doc


def hashed_email(email: str, salt: str) -> dict[str, Any]:
    """OB 2.0 "IdentityObject": identity = sha256$hex(sha256(email + salt))."""
    digest = hashlib.sha256((email + salt).encode("utf-8")).hexdigest()
    return {"type": "email", "hashed": True, "salt": salt, "identity": f"sha256${digest}"}


def assertion(urls: Ob2Urls, ach: Achievement, *, assertion_id: str, email: str, salt: str, issued_on: str,
              expires: str | None, signed: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": OB2_CONTEXT, "type": "Assertion", "id": assertion_id,
        "recipient": hashed_email(email, salt), "badge": urls.badge(ach.slug), "issuedOn": issued_on,
        "verification": {"type": "signed", "creator": urls.key} if signed else {"type": "hosted"},
    }
    if expires:
        doc["expires"] = expires
    if ach.evidence:
        doc["evidence"] = [{"narrative": e.narrative, "name": e.name} for e in ach.evidence]
    return doc


def hosted_copy(stored: dict[str, Any], revoked: bool) -> dict[str, Any]:
    """What is served at a hosted assertion's id: OB 2.0 "revoked" marks a revoked badge."""
    if not revoked:
        return stored
    return {**stored, "revoked": True, "revocationReason": "Revoked by the issuer."}


def revocation_list(urls: Ob2Urls, revoked_ids: list[str]) -> dict[str, Any]:
    """OB 2.0 "RevocationList" for signed assertions."""
    return {"@context": OB2_CONTEXT, "type": "RevocationList", "id": urls.revocation_list,
            "issuer": urls.issuer,
            "revokedAssertions": [{"id": i, "revocationReason": "Revoked by the issuer."} for i in revoked_ids]}


def sign_assertion(doc: dict[str, Any], key: rsa.RSAPrivateKey) -> str:
    """OB 2.0 "SignedBadge": a JWS (RS256) whose payload is the assertion."""
    return sign_jws({"alg": "RS256"}, json.dumps(doc, ensure_ascii=False).encode("utf-8"), key)


__all__ = ["OB2_CONTEXT", "Ob2Urls", "assertion", "badge_class", "cryptographic_key", "hosted_copy",
           "issuer_profile", "revocation_list", "sign_assertion", "xsd"]
