"""DataIntegrityProof with cryptosuite ``eddsa-rdfc-2022`` (W3C vc-di-eddsa 1.0 §3.3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from ._data_integrity import ProofOptions, check_context_prefix, options_to_proof, sign_ed25519, verify_ed25519
from ._rdfc import rdfc

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


def create_proof(unsecured: Mapping[str, Any], key: ed25519.Ed25519PrivateKey,
                 options: ProofOptions) -> dict[str, Any]:
    return sign_ed25519(unsecured, key, options_to_proof(options, PROOF_TYPE, CRYPTOSUITE), rdfc)


def verify_proof(unsecured: Mapping[str, Any], proof: Mapping[str, Any], public_key: Any) -> bool:
    check_context_prefix(unsecured, proof)  # §3.3.2: a proof @context must prefix the document's
    return verify_ed25519(unsecured, proof, public_key, rdfc, CRYPTOSUITE)
