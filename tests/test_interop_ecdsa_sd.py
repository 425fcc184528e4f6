"""Interop: Digital Bazaar's ecdsa-sd-2023 cryptosuite (@digitalbazaar/ecdsa-sd-2023-cryptosuite
3.4.1 with @digitalbazaar/data-integrity and jsonld-signatures, pinned in
scripts/interop/ecdsasd/package-lock.json, run with node) and Satchel's, both ways:

* they sign a base proof, our wallet-side derivation discloses a part, our verifier and theirs
  accept it;
* we sign a base proof, they derive, our verifier accepts it;
* a tampered derivation is refused by both (the oracle is not a yes-machine).

Both sides read the same context files (scripts/interop/ecdsasd/ecdsasd.mjs serves only
credentials/_jsonld/contexts and did:key documents, and blocks every socket).

Set up with ``npm ci --prefix scripts/interop/ecdsasd`` (``make interop-deps``); skipped without node or it.
"""

from __future__ import annotations

import copy
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import SdBaseProofKey, derive_selective_disclosure, verify
from credentials._multiformats import encode_multikey, multibase_encode_b58
from credentials._proofs import ProofOptions, add_proof
from credentials._proofs import ecdsa_sd_2023 as sd
from tests.helpers import NODE, node_package_skips, ob3_credential

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "scripts" / "interop" / "ecdsasd"
AT = datetime(2026, 11, 22, tzinfo=UTC)
MANDATORY = ["/issuer", "/credentialSubject/id"]
SELECTIONS = [
    ["/credentialSubject/achievement/name"],
    ["/name", "/validFrom", "/credentialSubject/achievement/alignment/1/targetName"],
    ["/credentialSubject"],
]

pytestmark = node_package_skips(DRIVER, "@digitalbazaar/ecdsa-sd-2023-cryptosuite")


def run_node(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    run = subprocess.run([str(NODE), str(DRIVER / "ecdsasd.mjs")], input=json.dumps(jobs), capture_output=True,
                         text=True, timeout=300, cwd=DRIVER)
    assert run.returncode == 0, run.stderr[-4000:]
    results: list[dict[str, Any]] = json.loads(run.stdout)
    assert len(results) == len(jobs)
    assert not [r["error"] for r in results if "error" in r]
    return results


def credential(did: str) -> dict[str, Any]:
    doc = ob3_credential(did, validUntil="2030-01-01T00:00:00Z")
    doc["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "Clean technique", "targetUrl": "https://example.edu/a/1"},
        {"type": ["Alignment"], "targetName": "Dressing choice", "targetUrl": "https://example.edu/a/2"},
    ]
    return doc


@pytest.fixture(scope="module")
def issuer() -> tuple[ec.EllipticCurvePrivateKey, str, str, str]:
    """A P-256 key: the key, its did:key, and its public and secret multikeys."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = encode_multikey(key.public_key())
    # multicodec p256-priv (0x1306) as a varint, then the 32-byte scalar (Multikey, Controlled Identifiers §2.2.2)
    secret = multibase_encode_b58(b"\x86\x26" + key.private_numbers().private_value.to_bytes(32, "big"))
    return key, f"did:key:{public}", public, secret


@pytest.fixture(scope="module")
def their_base(issuer: tuple[ec.EllipticCurvePrivateKey, str, str, str]) -> dict[str, Any]:
    _key, did, public, secret = issuer
    job = {"op": "sign", "doc": credential(did), "publicKeyMultibase": public, "secretKeyMultibase": secret,
           "mandatoryPointers": MANDATORY}
    return run_node([job])[0]["doc"]


def test_their_base_proof_is_a_base_proof_our_verifier_refuses_as_the_holders_copy(their_base: dict[str, Any]) -> None:
    assert sd.parse_base_proof_value(their_base["proof"]["proofValue"]).mandatory_pointers == tuple(MANDATORY)
    report = verify(their_base, at=AT)
    assert report.problems == ("unsupported-proof-type",)
    assert "holder's own copy" in report.check("proof.signature").message


@pytest.mark.parametrize("selection", SELECTIONS)
def test_we_derive_from_their_base_and_both_verifiers_accept(their_base: dict[str, Any],
                                                             selection: list[str]) -> None:
    derived = derive_selective_disclosure(their_base, selection)
    report = verify(derived, at=AT)
    assert (report.verdict, report.problems) == ("valid", ())
    theirs = run_node([{"op": "verify", "doc": derived}])[0]
    assert theirs == {"verified": True, "errors": []}


def test_a_tampered_derivation_is_refused_by_both(their_base: dict[str, Any]) -> None:
    derived = derive_selective_disclosure(their_base, ["/credentialSubject/achievement/name"])
    derived["credentialSubject"]["achievement"]["name"] = "Open heart surgery"
    assert verify(derived, at=AT).problems == ("invalid-signature",)
    assert run_node([{"op": "verify", "doc": derived}])[0]["verified"] is False
    undisclosed_added = copy.deepcopy(derive_selective_disclosure(their_base, ["/name"]))
    undisclosed_added["validFrom"] = their_base["validFrom"]  # true, but not disclosed
    assert verify(undisclosed_added, at=AT).problems == ("invalid-signature",)
    assert run_node([{"op": "verify", "doc": undisclosed_added}])[0]["verified"] is False


def test_they_derive_from_our_base_and_our_verifier_accepts(
        issuer: tuple[ec.EllipticCurvePrivateKey, str, str, str]) -> None:
    key, did, _public, _secret = issuer
    ours = add_proof(credential(did), "ecdsa-sd-2023", SdBaseProofKey(key, tuple(MANDATORY)),
                     ProofOptions(verification_method=f"{did}#{did.removeprefix('did:key:')}"))
    jobs = [{"op": "derive", "doc": ours, "selectivePointers": s} for s in SELECTIONS]
    for selection, result in zip(SELECTIONS, run_node(jobs), strict=True):
        report = verify(result["doc"], at=AT)
        assert (report.verdict, report.problems) == ("valid", ()), selection
        # and they derive exactly what we derive: the same document, the same proof value
        assert result["doc"] == derive_selective_disclosure(ours, selection)
