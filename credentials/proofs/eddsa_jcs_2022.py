"""DataIntegrityProof with cryptosuite ``eddsa-jcs-2022`` (W3C vc-di-eddsa 1.0 §3.4): JCS, RFC 8785."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from ..errors import MalformedError
from ..multiformats import multibase_decode, multibase_encode_b58
from ._data_integrity import ProofOptions, check_context_prefix, hash_data, options_to_proof, proof_config

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"


def jcs(doc: Mapping[str, Any]) -> bytes:
    try:
        return bytes(rfc8785.dumps(dict(doc)))
    except (rfc8785.CanonicalizationError, TypeError, ValueError, RecursionError) as exc:
        raise MalformedError(f"cannot be canonicalized with JCS: {exc}") from None


def create_proof(unsecured: Mapping[str, Any], key: ed25519.Ed25519PrivateKey,
                 options: ProofOptions) -> dict[str, Any]:
    proof = options_to_proof(options, PROOF_TYPE, CRYPTOSUITE)
    data = hash_data(unsecured, proof_config(unsecured, proof, "proofValue"), jcs)
    proof["proofValue"] = multibase_encode_b58(key.sign(data))
    return proof


def verify_proof(unsecured: Mapping[str, Any], proof: Mapping[str, Any], public_key: Any) -> bool:
    if not isinstance(public_key, ed25519.Ed25519PublicKey):
        raise MalformedError("eddsa-jcs-2022 needs an Ed25519 key")
    check_context_prefix(unsecured, proof)
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise MalformedError("proofValue is not a base58btc multibase value")
    data = hash_data(unsecured, proof_config(unsecured, proof, "proofValue"), jcs)
    try:
        public_key.verify(multibase_decode(value), data)
    except InvalidSignature:
        return False
    return True
