"""Proof suites, one module each; every suite can create and verify its proofs.

    add_proof(document, suite, key, options) -> a copy of document with the proof added
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType
from typing import Any

from . import ecdsa_rdfc_2019, ecdsa_sd_2023, ed25519_2018, ed25519_2020, eddsa_jcs_2022, eddsa_rdfc_2022
from ._data_integrity import ProofOptions, without_proof

__all__ = ["SUITES", "ProofOptions", "add_proof", "suite_name"]

SUITES: dict[str, ModuleType] = {
    "eddsa-rdfc-2022": eddsa_rdfc_2022,
    "eddsa-jcs-2022": eddsa_jcs_2022,
    "ecdsa-rdfc-2019": ecdsa_rdfc_2019,
    "ecdsa-sd-2023": ecdsa_sd_2023,  # verifies derived proofs; creates base proofs (derive_proof for holders)
    "Ed25519Signature2020": ed25519_2020,
    "Ed25519Signature2018": ed25519_2018,
}


def suite_name(proof: Mapping[str, Any]) -> str:
    if proof.get("type") == "DataIntegrityProof":
        return str(proof.get("cryptosuite"))
    return str(proof.get("type"))


def add_proof(document: Mapping[str, Any], suite: str, key: Any, options: ProofOptions) -> dict[str, Any]:
    """Sign ``document``: the new proof joins any existing ones (a proof set, or a chain with
    ``options.previous_proof``; VC Data Integrity 1.0 §2.1.1, §4.2 Add Proof)."""
    module = SUITES[suite]
    existing = document.get("proof")
    existing_list = [] if existing is None else existing if isinstance(existing, list) else [existing]
    unsecured = without_proof(document)
    if options.previous_proof is not None:
        wanted = [options.previous_proof] if isinstance(options.previous_proof, str) else options.previous_proof
        previous = [p for p in existing_list if p.get("id") in wanted]
        if len(previous) != len(wanted):
            raise ValueError("previous_proof names a proof the document does not have")
        unsecured["proof"] = previous[0] if len(previous) == 1 else previous
    proof = module.create_proof(unsecured, key, options)
    out = without_proof(document)
    out["proof"] = proof if not existing_list else [*existing_list, proof]
    return out
