"""``Ed25519Signature2020`` (W3C CCG, the suite most OB 3.0 / DCC credentials use): the same
hashData as eddsa-rdfc-2022, with its own proof type and no cryptosuite property."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from ._data_integrity import ProofOptions, options_to_proof, sign_ed25519, verify_ed25519
from ._rdfc import rdfc

PROOF_TYPE = "Ed25519Signature2020"
CRYPTOSUITE = None
CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"


def create_proof(unsecured: Mapping[str, Any], key: ed25519.Ed25519PrivateKey,
                 options: ProofOptions) -> dict[str, Any]:
    return sign_ed25519(unsecured, key, options_to_proof(options, PROOF_TYPE, None), rdfc)


def verify_proof(unsecured: Mapping[str, Any], proof: Mapping[str, Any], public_key: Any) -> bool:
    return verify_ed25519(unsecured, proof, public_key, rdfc, PROOF_TYPE)
