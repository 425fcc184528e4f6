"""Reading verification methods out of a DID / controller document."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from .._errors import KeyResolutionError, MalformedError
from .._multiformats import b58decode, decode_multikey
from ._types import VERIFICATION_RELATIONSHIPS, VerificationMethod


def _absolute(ref: str, doc_id: str) -> str:
    if ref.startswith("#"):
        return doc_id + ref
    if ":" not in ref.split("#", 1)[0]:
        return urljoin(doc_id, ref)
    return ref


def public_key_of(node: dict[str, Any]) -> Any:
    """The public key in a verification method node (Multikey, 2018/2020 suites, JWK)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    try:
        if isinstance(node.get("publicKeyMultibase"), str):
            value = node["publicKeyMultibase"]
            if node.get("type") == "Ed25519VerificationKey2018":
                return ed25519.Ed25519PublicKey.from_public_bytes(b58decode(value[1:]))
            return decode_multikey(value)
        if isinstance(node.get("publicKeyJwk"), dict):
            from .._formats.jws import jwk_to_public_key

            return jwk_to_public_key(node["publicKeyJwk"])
        if isinstance(node.get("publicKeyBase58"), str):
            return ed25519.Ed25519PublicKey.from_public_bytes(b58decode(node["publicKeyBase58"]))
    except (MalformedError, ValueError) as exc:
        raise KeyResolutionError(f"the key of {node.get('id')} cannot be read: {exc}") from None
    raise KeyResolutionError(f"{node.get('id')} has no public key Satchel can read")


def find_method(doc: dict[str, Any], vm_id: str) -> VerificationMethod:
    """Find ``vm_id`` in ``doc`` (embedded or referenced) and the relationships that list it."""
    if not isinstance(doc, dict):
        raise KeyResolutionError("the controller document is not a JSON object")
    doc_id = doc.get("id")
    if not isinstance(doc_id, str):
        raise KeyResolutionError("the controller document has no id")
    node: dict[str, Any] | None = None
    relationships: set[str] = set()
    candidates = doc.get("verificationMethod", [])
    candidates = candidates if isinstance(candidates, list) else [candidates]
    for rel in VERIFICATION_RELATIONSHIPS:
        entries = doc.get(rel, [])
        entries = entries if isinstance(entries, list) else [entries]
        for entry in entries:
            if isinstance(entry, str) and _absolute(entry, doc_id) == vm_id:
                relationships.add(rel)
            elif isinstance(entry, dict) and isinstance(entry.get("id"), str) \
                    and _absolute(entry["id"], doc_id) == vm_id:
                relationships.add(rel)
                node = node or entry
    for cand in candidates:
        if isinstance(cand, dict) and isinstance(cand.get("id"), str) and _absolute(cand["id"], doc_id) == vm_id:
            node = cand
            break
    if node is None:
        raise KeyResolutionError(f"{vm_id} is not in the document of {doc_id}")
    controller = node.get("controller", doc_id)
    if not isinstance(controller, str):
        raise KeyResolutionError(f"{vm_id} has no controller")
    return VerificationMethod(
        id=vm_id, type=str(node.get("type", "")), controller=controller,
        public_key=public_key_of(node), relationships=frozenset(relationships),
    )
