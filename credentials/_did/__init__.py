"""Resolving verification methods: did:key, did:jwk, did:web and https controller documents.

``resolve_verification_method(url, fetcher)`` returns the key, its controller, and the
verification relationships the controller's document lists it under. Resolution never
touches the network except through the fetcher given (did:key and did:jwk need none).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urldefrag

from .._errors import FetchError, KeyResolutionError
from .._net import Fetcher
from ._document import find_method, public_key_of
from ._types import VerificationMethod
from .jwk import did_jwk_from_jwk, resolve_did_jwk
from .key import did_key_from_public_key, resolve_did_key
from .web import did_web_to_url, resolve_did_web, url_to_did_web

__all__ = [
    "VerificationMethod", "did_jwk_from_jwk", "did_key_from_public_key", "did_web_to_url",
    "public_key_of", "resolve_document", "resolve_verification_method", "url_to_did_web",
]


def resolve_document(id_: str, fetcher: Fetcher) -> dict[str, Any]:
    """The DID document (or https controller document) of a DID or URL, without fragment."""
    base = urldefrag(id_)[0]
    if base.startswith("did:key:"):
        return resolve_did_key(base)
    if base.startswith("did:jwk:"):
        return resolve_did_jwk(base)
    if base.startswith("did:web:"):
        return resolve_did_web(base, fetcher)
    if base.startswith("did:"):
        method = base.split(":")[1] if base.count(":") >= 2 else "?"
        raise KeyResolutionError(f"DIDs of the method did:{method} cannot be resolved")
    if base.startswith(("https://", "http://")):
        try:
            doc = fetcher.get_json(base)
        except FetchError as exc:
            raise KeyResolutionError(f"the key document {base} could not be fetched ({exc.reason})") from exc
        if not isinstance(doc, dict):
            raise KeyResolutionError(f"{base} is not a controller document")
        return doc
    raise KeyResolutionError(f"{id_!r} is neither a DID nor an https URL")


def resolve_verification_method(vm_id: str, fetcher: Fetcher) -> VerificationMethod:
    """Resolve a verification method and check its controller lists it (DID Core §5.3).

    The relationships come from the *controller's* document, so a key in someone else's
    document cannot claim to be authorised by a controller that never listed it.
    """
    if not isinstance(vm_id, str) or not vm_id:
        raise KeyResolutionError("the proof names no verification method")
    if vm_id.startswith("did:") and "#" not in vm_id:
        # A bare DID: its first assertion method (did:key / did:jwk style).
        doc = resolve_document(vm_id, fetcher)
        vms = doc.get("verificationMethod") or []
        if not vms or not isinstance(vms[0], dict):
            raise KeyResolutionError(f"{vm_id} has no verification method")
        first = vms[0].get("id", "")
        vm_id = vm_id + first if first.startswith("#") else first
    doc = resolve_document(vm_id, fetcher)
    if doc.get("id") == vm_id and "controller" in doc and not doc.get("verificationMethod"):
        # The URL dereferences to the method itself (a standalone key document).
        method = VerificationMethod(
            id=vm_id, type=str(doc.get("type", "")), controller=str(doc["controller"]),
            public_key=public_key_of(doc), relationships=frozenset(),
        )
    else:
        method = find_method(doc, vm_id)
    if method.controller != doc.get("id"):
        # The method names another controller: only that controller's document can authorise it.
        controller_doc = resolve_document(method.controller, fetcher)
        try:
            listed = find_method(controller_doc, vm_id)
            rels = listed.relationships
        except KeyResolutionError:
            rels = frozenset()
        method = VerificationMethod(method.id, method.type, method.controller, method.public_key, rels)
    return method
