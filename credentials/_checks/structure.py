"""Structural checks (VCDM 2.0 §4, VCDM 1.1 §4): is this a credential we can read at all?"""

from __future__ import annotations

import re
from typing import Any

from .._errors import MalformedError
from .._formats import VC_V1, VC_V2
from .._jsonld import BUNDLED_CONTEXTS
from .._report import CheckId, CheckResult, could_not_check, passed

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


def is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(_URL.match(value))


def types_of(node: Any) -> list[Any]:
    t = node.get("type", []) if isinstance(node, dict) else []
    return t if isinstance(t, list) else [t]


def vc_version(doc: dict[str, Any]) -> int:
    """2 for VCDM 2.0, 1 for VCDM 1.1 (VCDM 2.0 §4.3: the first context decides)."""
    ctx = doc.get("@context")
    first = ctx[0] if isinstance(ctx, list) and ctx else ctx
    if first == VC_V2:
        return 2
    if first == VC_V1:
        return 1
    raise MalformedError("the first @context is neither the VC 1.1 nor the VC 2.0 context")


def issuer_id(doc: dict[str, Any]) -> str:
    issuer = doc.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not is_url(value):
        raise MalformedError("the issuer is missing or is not identified by a URL")
    return str(value)


# VCDM 2.0 §4.10 (credentialStatus), §4.11 (credentialSchema: id and type), §5.6 (refreshService),
# §5.7 (termsOfUse), §5.8 (evidence); VCDM 1.1 §4.9-§5.6 the same: each object MUST have a type.
_TYPED = {"credentialStatus": ("type",), "refreshService": ("type",), "termsOfUse": ("type",),
          "evidence": ("type",), "credentialSchema": ("id", "type")}


def _check_typed_objects(doc: dict[str, Any]) -> None:
    for prop, required in _TYPED.items():
        value = doc.get(prop)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, dict):
                raise MalformedError(f"{prop} must be an object (or a list of objects)")
            for field in required:
                if field not in item or item[field] in (None, "", []):
                    raise MalformedError(f"a {prop} object has no {field} (VC Data Model: it MUST)")


def check_credential_structure(doc: dict[str, Any]) -> CheckResult:
    version = vc_version(doc)
    if "VerifiableCredential" not in types_of(doc):
        raise MalformedError("its type does not include VerifiableCredential")
    if "id" in doc and not is_url(doc["id"]):
        raise MalformedError("its id is not a URL (VCDM 2.0 §4.4)")
    issuer = issuer_id(doc)
    subject = doc.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    if not subjects or not all(isinstance(s, dict) and s for s in subjects):
        raise MalformedError("credentialSubject is missing or not an object")
    for s in subjects:
        if isinstance(s, dict) and "id" in s and not is_url(s["id"]):
            raise MalformedError("credentialSubject.id is not a URL")
    if version == 1 and "issuanceDate" not in doc:
        raise MalformedError("a VC 1.1 credential must have an issuanceDate")
    _check_typed_objects(doc)
    kinds = [t for t in types_of(doc) if t != "VerifiableCredential"]
    what = ", ".join(str(k) for k in kinds) or "VerifiableCredential"
    article = "An" if what[:1] in "AEIOU" else "A"
    return passed(CheckId.FORMAT, f"{article} {what} (VC Data Model {'2.0' if version == 2 else '1.1'}) from {issuer}.")


def check_contexts(doc: dict[str, Any]) -> CheckResult:
    ctx = doc.get("@context")
    for entry in ctx if isinstance(ctx, list) else [ctx]:
        if isinstance(entry, str) and entry not in BUNDLED_CONTEXTS:
            return could_not_check(CheckId.CONTEXTS, "unknown-context",
                                   f"It uses the vocabulary {entry}, which Satchel does not know; "
                                   "contexts are never fetched, so its meaning cannot be checked.")
        if not isinstance(entry, (str, dict)):
            raise MalformedError("@context holds something that is not a URL or an object")
    return passed(CheckId.CONTEXTS, "Every vocabulary it uses is one Satchel knows.")
