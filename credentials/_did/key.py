"""did:key (W3C CCG did:key method, v0.7): the DID is the key; the document is generated."""

from __future__ import annotations

from typing import Any

from .._errors import KeyResolutionError, MalformedError
from .._multiformats import PublicKey, decode_multikey, encode_multikey


def did_key_from_public_key(key: PublicKey) -> str:
    return "did:key:" + encode_multikey(key)


def resolve_did_key(did: str) -> dict[str, Any]:
    fragment = did.removeprefix("did:key:")
    try:
        decode_multikey(fragment)  # validates the key bytes
    except MalformedError as exc:
        raise KeyResolutionError(f"{did} is not a valid did:key: {exc}") from None
    vm_id = f"{did}#{fragment}"
    method = {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": fragment}
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [method],
        "assertionMethod": [vm_id],
        "authentication": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
    }
