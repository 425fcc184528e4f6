"""did:jwk (quartzjer/did-jwk): the DID is base64url(JWK); its one method is ``#0``."""

from __future__ import annotations

import json
from typing import Any

from .._encoding import b64url_decode, b64url_encode
from .._errors import KeyResolutionError, MalformedError


def did_jwk_from_jwk(jwk: dict[str, Any]) -> str:
    raw = json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()
    return "did:jwk:" + b64url_encode(raw)


def resolve_did_jwk(did: str) -> dict[str, Any]:
    body = did.removeprefix("did:jwk:")
    try:
        jwk = json.loads(b64url_decode(body))
    except (MalformedError, ValueError, UnicodeDecodeError):
        raise KeyResolutionError(f"{did} does not hold a JSON Web Key") from None
    if not isinstance(jwk, dict) or "d" in jwk:
        raise KeyResolutionError(f"{did} does not hold a public JSON Web Key")
    vm_id = f"{did}#0"
    use = jwk.get("use")
    method = {"id": vm_id, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
    doc: dict[str, Any] = {"id": did, "verificationMethod": [method]}
    # did:jwk spec: "use": "enc" keys only for keyAgreement, "sig" never for it.
    if use != "enc":
        for rel in ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation"):
            doc[rel] = [vm_id]
    if use != "sig":
        doc["keyAgreement"] = [vm_id]
    return doc
