"""DataIntegrityProof with cryptosuite ``eddsa-jcs-2022`` (W3C vc-di-eddsa 1.0 §3.4): JCS, RFC 8785."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric import ed25519

from .._errors import MalformedError
from ._data_integrity import ProofOptions, check_context_prefix, options_to_proof, sign_ed25519, verify_ed25519

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"


def jcs(doc: Mapping[str, Any]) -> bytes:
    try:
        return bytes(rfc8785.dumps(dict(doc)))
    except (rfc8785.CanonicalizationError, TypeError, ValueError, RecursionError) as exc:
        raise MalformedError(f"cannot be canonicalized with JCS: {exc}") from None


def create_proof(unsecured: Mapping[str, Any], key: ed25519.Ed25519PrivateKey,
                 options: ProofOptions) -> dict[str, Any]:
    return sign_ed25519(unsecured, key, options_to_proof(options, PROOF_TYPE, CRYPTOSUITE), jcs)


def verify_proof(unsecured: Mapping[str, Any], proof: Mapping[str, Any], public_key: Any) -> bool:
    check_context_prefix(unsecured, proof)
    return verify_ed25519(unsecured, proof, public_key, jcs, CRYPTOSUITE)
