"""``Ed25519Signature2018``: a detached JWS (RFC 7797, b64=false, alg EdDSA) over hashData.

Used by JFF plugfest badges. The proof's ``jws`` is ``header..signature``; the signing input is
ASCII(base64url(header)) + "." + hashData.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from .._encoding import b64url_decode, b64url_encode
from .._errors import MalformedError, SafeModeError
from ._data_integrity import ProofOptions, hash_data, options_to_proof, proof_config
from ._rdfc import rdfc

PROOF_TYPE = "Ed25519Signature2018"
CRYPTOSUITE = None
_HEADER = {"alg": "EdDSA", "b64": False, "crit": ["b64"]}
# Older jsonld-signatures canonicalized the proof under the security v2 context.
_LEGACY_PROOF_CONTEXT = "https://w3id.org/security/v2"


def create_proof(unsecured: Mapping[str, Any], key: ed25519.Ed25519PrivateKey,
                 options: ProofOptions) -> dict[str, Any]:
    proof = options_to_proof(options, PROOF_TYPE, None)
    data = hash_data(unsecured, proof_config(unsecured, proof, "jws"), rdfc)
    header = b64url_encode(json.dumps(_HEADER, separators=(",", ":")).encode())
    signature = key.sign(header.encode() + b"." + data)
    proof["jws"] = f"{header}..{b64url_encode(signature)}"
    return proof


def verify_proof(unsecured: Mapping[str, Any], proof: Mapping[str, Any], public_key: Any) -> bool:
    if not isinstance(public_key, ed25519.Ed25519PublicKey):
        raise MalformedError("Ed25519Signature2018 needs an Ed25519 key")
    jws = proof.get("jws")
    if not isinstance(jws, str) or jws.count(".") != 2 or jws.split(".")[1] != "":
        raise MalformedError("the proof's jws is not a detached JWS")
    header_b64, _, sig_b64 = jws.split(".")
    try:
        header = json.loads(b64url_decode(header_b64))
    except ValueError:
        raise MalformedError("the JWS header is not JSON") from None
    if not isinstance(header, dict) or header.get("alg") != "EdDSA" or header.get("b64") is not False:
        raise MalformedError("the JWS header must be alg EdDSA with b64 false")
    signature = b64url_decode(sig_b64)
    configs = [proof_config(unsecured, proof, "jws")]
    legacy = dict(configs[0])
    legacy["@context"] = _LEGACY_PROOF_CONTEXT
    configs.append(legacy)
    for config in configs:
        try:
            data = hash_data(unsecured, config, rdfc)
        except SafeModeError:
            if config is configs[-1]:
                raise
            continue
        try:
            public_key.verify(signature, header_b64.encode() + b"." + data)
            return True
        except InvalidSignature:
            continue
    return False
