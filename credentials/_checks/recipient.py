"""Recipient: is this badge about the person in front of us?

OB 2.0 §IdentityObject (``recipient``: type, hashed, salt, identity ``sha256$<hex>`` or
``md5$<hex>`` of identity + salt) and OB 3.0 §B.1.13 IdentityObject (``credentialSubject.identifier``:
identityType, hashed, identityHash, salt). The caller states the identity (an email, URL or phone).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from .._report import CheckId, CheckResult, failed, passed, skipped


def _normalise(identity: str, kind: str) -> str:
    identity = identity.strip()
    # Email addresses compare case-insensitively in practice; issuers hash them lower-cased.
    return identity.lower() if "mail" in kind.lower() or "@" in identity else identity


def identity_matches(claimed: Any, hashed: Any, salt: Any, identity: str, kind: str = "") -> bool:
    if not isinstance(claimed, str):
        return False
    salt_text = salt if isinstance(salt, str) else ""
    candidates = {identity.strip(), _normalise(identity, kind)}
    if hashed is not True and not (isinstance(hashed, str) and hashed.lower() == "true"):
        return any(hmac.compare_digest(claimed.encode(), c.encode()) for c in candidates)
    algo, _, digest = claimed.partition("$")
    if algo.lower() not in ("sha256", "md5") or not digest:
        return False
    for cand in candidates:
        computed = hashlib.new(algo.lower(), (cand + salt_text).encode()).hexdigest()
        if hmac.compare_digest(computed, digest.lower()):
            return True
    return False


def _identity_objects(doc: dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(doc.get("recipient"), dict):  # OB 2.0
        r = doc["recipient"]
        return [{"claimed": r.get("identity"), "hashed": r.get("hashed"), "salt": r.get("salt"),
                 "kind": str(r.get("type", ""))}]
    out: list[dict[str, Any]] = []
    subject = doc.get("credentialSubject")
    for s in subject if isinstance(subject, list) else [subject]:
        if not isinstance(s, dict):
            continue
        if isinstance(s.get("id"), str):
            out.append({"claimed": s["id"], "hashed": False, "salt": None, "kind": "id"})
        ids = s.get("identifier")
        for ident in ids if isinstance(ids, list) else [ids] if ids else []:
            if isinstance(ident, dict):
                out.append({"claimed": ident.get("identityHash"), "hashed": ident.get("hashed"),
                            "salt": ident.get("salt"), "kind": str(ident.get("identityType", ""))})
    return out


def check_recipient(doc: dict[str, Any], identity: str | None) -> CheckResult:
    objects = _identity_objects(doc)
    if identity is None:
        return skipped(CheckId.RECIPIENT, "No identity was given to compare the recipient with.")
    if not objects:
        return failed(CheckId.RECIPIENT, "recipient-mismatch",
                      f"The badge names no recipient, so it cannot be shown to belong to {identity}.")
    for obj in objects:
        if identity_matches(obj["claimed"], obj["hashed"], obj["salt"], identity, obj["kind"]):
            return passed(CheckId.RECIPIENT, f"Issued to {identity}.")
    return failed(CheckId.RECIPIENT, "recipient-mismatch", f"This badge was not issued to {identity}.")
