"""Shared steps of the Data Integrity suites (W3C VC Data Integrity 1.0, vc-di-eddsa 1.0).

hashData = SHA-256(canonical proof config) || SHA-256(canonical document)
(vc-di-eddsa §3.3.4 / §3.4.4; Ed25519Signature2020 and 2018 use the same construction).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from .._errors import MalformedError
from .._multiformats import multibase_decode, multibase_encode_b58

Canonicalizer = Callable[[Mapping[str, Any]], bytes]


@dataclass(frozen=True)
class ProofOptions:
    """What a signer states in a new proof besides the signature."""

    verification_method: str
    proof_purpose: str = "assertionMethod"
    created: datetime | None = None
    challenge: str | None = None
    domain: str | None = None
    previous_proof: str | list[str] | None = None
    id: str | None = None
    expires: datetime | None = None


def xsd_datetime(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def proof_config(document: Mapping[str, Any], proof: Mapping[str, Any], value_key: str) -> dict[str, Any]:
    """The proof without its value, carrying the document's @context (vc-di-eddsa §3.3.5)."""
    config = {k: v for k, v in proof.items() if k != value_key}
    if "@context" in document:
        config["@context"] = document["@context"]
    return config


def options_to_proof(options: ProofOptions, proof_type: str, cryptosuite: str | None) -> dict[str, Any]:
    proof: dict[str, Any] = {}
    if options.id:
        proof["id"] = options.id
    proof["type"] = proof_type
    if cryptosuite:
        proof["cryptosuite"] = cryptosuite
    proof["created"] = xsd_datetime(options.created or datetime.now(UTC))
    if options.expires:
        proof["expires"] = xsd_datetime(options.expires)
    proof["verificationMethod"] = options.verification_method
    proof["proofPurpose"] = options.proof_purpose
    if options.challenge is not None:
        proof["challenge"] = options.challenge
    if options.domain is not None:
        proof["domain"] = options.domain
    if options.previous_proof is not None:
        proof["previousProof"] = options.previous_proof
    return proof


def hash_data(document: Mapping[str, Any], config: Mapping[str, Any], canon: Canonicalizer) -> bytes:
    # The document is canonicalized first so that an unsafe document is reported as such.
    doc_hash = hashlib.sha256(canon(document)).digest()
    return hashlib.sha256(canon(config)).digest() + doc_hash


def check_context_prefix(document: Mapping[str, Any], proof: Mapping[str, Any]) -> None:
    """vc-di-eddsa §3.3.2: a proof's own @context must be a prefix of the document's."""
    if "@context" not in proof:
        return
    pctx = proof["@context"] if isinstance(proof["@context"], list) else [proof["@context"]]
    dctx = document.get("@context")
    dctx = dctx if isinstance(dctx, list) else [dctx]
    if dctx[: len(pctx)] != pctx:
        raise MalformedError("the proof's @context does not match the document's")


def without_proof(document: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "proof"}


def sign_ed25519(unsecured: Mapping[str, Any], key: ed25519.Ed25519PrivateKey, proof: dict[str, Any],
                 canon: Canonicalizer) -> dict[str, Any]:
    """Add ``proofValue`` = multibase base58btc Ed25519 signature over hashData."""
    data = hash_data(unsecured, proof_config(unsecured, proof, "proofValue"), canon)
    proof["proofValue"] = multibase_encode_b58(key.sign(data))
    return proof


def verify_ed25519(unsecured: Mapping[str, Any], proof: Mapping[str, Any], public_key: Any,
                   canon: Canonicalizer, suite: str) -> bool:
    """Check an Ed25519 ``proofValue`` (multibase base58btc) over hashData."""
    if not isinstance(public_key, ed25519.Ed25519PublicKey):
        raise MalformedError(f"{suite} needs an Ed25519 key")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise MalformedError("proofValue is not a base58btc multibase value")
    signature = multibase_decode(value)
    data = hash_data(unsecured, proof_config(unsecured, proof, "proofValue"), canon)
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
