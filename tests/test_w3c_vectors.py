"""The W3C vc-di-eddsa test vectors, step by step: hashes and signatures byte for byte.

(The canonical N-Quads themselves are compared in tests/test_jsonld.py.)
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from credentials._multiformats import ED25519_PRIV, multibase_decode
from credentials._proofs import ProofOptions, add_proof
from credentials._proofs._data_integrity import hash_data, proof_config
from credentials._proofs._rdfc import rdfc
from credentials._proofs.eddsa_jcs_2022 import jcs
from tests.conftest import CORPUS

VECTORS = CORPUS / "w3c-vc-di-eddsa" / "TestVectors"
CASES = [("eddsa-rdfc-2022", "DataInt", rdfc), ("eddsa-jcs-2022", "JCS", jcs),
         ("Ed25519Signature2020", "EdSig", rdfc)]


def _key() -> ed25519.Ed25519PrivateKey:
    raw = multibase_decode(json.loads((VECTORS / "keyPair.json").read_text())["privateKeyMultibase"])
    assert raw[:2] == ED25519_PRIV
    return ed25519.Ed25519PrivateKey.from_private_bytes(raw[2:])


@pytest.mark.parametrize(("suite", "tag", "canon"), CASES, ids=[c[0] for c in CASES])
def test_hashes_match_the_w3c_vector(suite: str, tag: str, canon) -> None:
    folder = VECTORS / suite
    signed = json.loads((folder / f"signed{tag}.json").read_text())
    unsigned = {k: v for k, v in signed.items() if k != "proof"}  # 2020 adds its suite context
    config = proof_config(unsigned, signed["proof"], "proofValue")
    combined = hash_data(unsigned, config, canon)
    assert combined.hex() == (folder / f"combinedHash{tag}.txt").read_text().strip()
    assert combined[32:].hex() == (folder / f"docHash{tag}.txt").read_text().strip()
    assert combined[:32].hex() == (folder / f"proofHash{tag}.txt").read_text().strip()


@pytest.mark.parametrize(("suite", "tag", "canon"), CASES, ids=[c[0] for c in CASES])
def test_signing_reproduces_the_w3c_vector_signature(suite: str, tag: str, canon) -> None:
    folder = VECTORS / suite
    signed = json.loads((folder / f"signed{tag}.json").read_text())
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    expected = signed["proof"]
    options = ProofOptions(verification_method=expected["verificationMethod"],
                           created=datetime.fromisoformat(expected["created"].replace("Z", "+00:00")))
    proof = add_proof(unsigned, suite, _key(), options)["proof"]
    assert proof["proofValue"] == expected["proofValue"]
    assert proof["proofValue"] == (folder / f"sigBTC58{tag}.txt").read_text().strip()


@pytest.mark.parametrize("name", ["signedECDSAP256.json", "signedECDSAP384.json"])
def test_ecdsa_rdfc_2019_w3c_vectors_verify_and_tampering_fails(name: str) -> None:
    from credentials._multiformats import decode_multikey
    from credentials._proofs import ecdsa_rdfc_2019
    from tests.conftest import ROOT

    signed = json.loads((ROOT / "tests" / "fixtures" / "vc-di-ecdsa" / name).read_text())
    proof = signed["proof"]
    key = decode_multikey(proof["verificationMethod"].split("#", 1)[1])
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    assert ecdsa_rdfc_2019.verify_proof(unsecured, proof, key)
    assert not ecdsa_rdfc_2019.verify_proof({**unsecured, "name": "Other"}, proof, key)


def test_ecdsa_rdfc_2019_p384_vector_with_blank_nodes_verifies_with_sha384_inside_rdfc() -> None:
    """vc-di-ecdsa §3.2: with a P-384 key RDFC-1.0 runs with SHA-384 (blank-node labels depend on it)."""
    from credentials._jsonld import canonize
    from credentials._multiformats import decode_multikey
    from credentials._proofs import ecdsa_rdfc_2019
    from tests.conftest import ROOT

    signed = json.loads((ROOT / "tests" / "fixtures" / "vc-di-ecdsa" / "employ-signedECDSAP384.json").read_text())
    proof = signed["proof"]
    key = decode_multikey(proof["verificationMethod"].split("#", 1)[1])
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    canon = canonize(unsecured, hash_name="sha384")
    assert "_:c14n2 <https://www.w3.org/2018/credentials#credentialSubject> _:c14n1 ." in canon
    assert canon != canonize(unsecured)  # SHA-256 labels the blank nodes differently
    assert ecdsa_rdfc_2019.verify_proof(unsecured, proof, key)
    assert not ecdsa_rdfc_2019.verify_proof({**unsecured, "name": "Other"}, proof, key)
