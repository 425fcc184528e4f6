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


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_node_of(entry: Any, vm_id: str, doc_id: str) -> bool:
    """``entry`` is an embedded verification method node whose id is ``vm_id``."""
    return isinstance(entry, dict) and isinstance(entry.get("id"), str) and _absolute(entry["id"], doc_id) == vm_id


def _relationships_of(doc: dict[str, Any], vm_id: str, doc_id: str) -> tuple[set[str], dict[str, Any] | None]:
    """The verification relationships that list ``vm_id`` (by reference or embedded), and the
    first node of it embedded in one of them."""
    node: dict[str, Any] | None = None
    relationships: set[str] = set()
    for rel in VERIFICATION_RELATIONSHIPS:
        for entry in _as_list(doc.get(rel, [])):
            if isinstance(entry, str) and _absolute(entry, doc_id) == vm_id:
                relationships.add(rel)
            elif _is_node_of(entry, vm_id, doc_id):
                relationships.add(rel)
                node = node or entry
    return relationships, node


def find_method(doc: dict[str, Any], vm_id: str) -> VerificationMethod:
    """Find ``vm_id`` in ``doc`` (embedded or referenced) and the relationships that list it."""
    if not isinstance(doc, dict):
        raise KeyResolutionError("the controller document is not a JSON object")
    doc_id = doc.get("id")
    if not isinstance(doc_id, str):
        raise KeyResolutionError("the controller document has no id")
    relationships, embedded = _relationships_of(doc, vm_id, doc_id)
    # A node under verificationMethod wins over one embedded in a relationship.
    listed = (c for c in _as_list(doc.get("verificationMethod", [])) if _is_node_of(c, vm_id, doc_id))
    node: dict[str, Any] | None = next(listed, embedded)
    if node is None:
        raise KeyResolutionError(f"{vm_id} is not in the document of {doc_id}")
    controller = node.get("controller", doc_id)
    if not isinstance(controller, str):
        raise KeyResolutionError(f"{vm_id} has no controller")
    return VerificationMethod(
        id=vm_id, type=str(node.get("type", "")), controller=controller,
        public_key=public_key_of(node), relationships=frozenset(relationships),
    )
