"""DataIntegrityProof with cryptosuite ``ecdsa-rdfc-2019`` (W3C vc-di-ecdsa 1.0 §3.2).

Same construction as eddsa-rdfc-2022 with an ECDSA key: P-256 hashes with SHA-256, P-384 with
SHA-384 (§3.2.4); the signature is the raw r||s value, multibase base58btc (§3.2.6).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from .._errors import MalformedError, UnsupportedProofError
from .._multiformats import multibase_decode, multibase_encode_b58
from ._data_integrity import ProofOptions, check_context_prefix, options_to_proof, proof_config
from ._rdfc import rdfc

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "ecdsa-rdfc-2019"


def _curve_params(key: ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) -> tuple[str, int, Any]:
    if isinstance(key.curve, ec.SECP256R1):
        return "sha256", 32, hashes.SHA256()
    if isinstance(key.curve, ec.SECP384R1):
        return "sha384", 48, hashes.SHA384()
    # vc-di-ecdsa §3.2 defines P-256 and P-384 only: another curve is a suite we do not check.
    raise UnsupportedProofError(f"ecdsa-rdfc-2019 with a {key.curve.name} key is not something Satchel can check")


def _hash_data(unsecured: Mapping[str, Any], proof: Mapping[str, Any], algo: str) -> bytes:
    # vc-di-ecdsa §3.2.3/§3.2.4: the curve's hash both inside RDFC-1.0 and over its output.
    doc_hash = hashlib.new(algo, rdfc(unsecured, algo)).digest()
    return hashlib.new(algo, rdfc(proof_config(unsecured, proof, "proofValue"), algo)).digest() + doc_hash


def create_proof(unsecured: Mapping[str, Any], key: ec.EllipticCurvePrivateKey,
                 options: ProofOptions) -> dict[str, Any]:
    algo, size, hash_alg = _curve_params(key)
    proof = options_to_proof(options, PROOF_TYPE, CRYPTOSUITE)
    der = key.sign(_hash_data(unsecured, proof, algo), ec.ECDSA(hash_alg))
    r, s = decode_dss_signature(der)
    proof["proofValue"] = multibase_encode_b58(r.to_bytes(size, "big") + s.to_bytes(size, "big"))
    return proof


def verify_proof(unsecured: Mapping[str, Any], proof: Mapping[str, Any], public_key: Any) -> bool:
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise MalformedError("ecdsa-rdfc-2019 needs an ECDSA key")
    algo, size, hash_alg = _curve_params(public_key)
    check_context_prefix(unsecured, proof)
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise MalformedError("proofValue is not a base58btc multibase value")
    raw = multibase_decode(value)
    if len(raw) != 2 * size:
        return False
    der = encode_dss_signature(int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big"))
    try:
        public_key.verify(der, _hash_data(unsecured, proof, algo), ec.ECDSA(hash_alg))
    except InvalidSignature:
        return False
    return True
