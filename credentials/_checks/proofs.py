"""Proof checks: each proof's signature, its key, and whether the key speaks for the issuer.

VC Data Integrity 1.0 §4.3 Verify Proof (with proof sets and chains, §2.1.1–2.1.2, §4.5);
the verification method must be listed by its controller for the proof's purpose
(Controlled Identifiers / DID Core §5.3), and that controller must be the issuer
(OB 3.0 §8.2 "Verification": the issuer's key).
"""

from __future__ import annotations

from typing import Any

from .._did import VerificationMethod, resolve_verification_method
from .._errors import (
    KeyResolutionError,
    MalformedError,
    SafeModeError,
    TooComplexError,
    UnknownContextError,
    UnsupportedProofError,
)
from .._proofs import suite_for, suite_name
from .._proofs._data_integrity import without_proof
from .._report import CheckId, CheckResult, could_not_check, failed, passed, warning
from ._context import VerifyOptions


def short(identifier: str, width: int = 48) -> str:
    return identifier if len(identifier) <= width else identifier[: width - 6] + "…" + identifier[-5:]


def proofs_of(doc: dict[str, Any]) -> list[Any]:
    proof = doc.get("proof")
    if proof is None:
        return []
    return proof if isinstance(proof, list) else [proof]


def _unsecured_for(doc: dict[str, Any], proof: dict[str, Any], all_proofs: list[Any]) -> dict[str, Any]:
    """The document a proof was made over: no proofs, or the proofs its previousProof names."""
    unsecured = without_proof(doc)
    prev = proof.get("previousProof")
    if prev is None:
        return unsecured
    wanted = [prev] if isinstance(prev, str) else prev
    if not isinstance(wanted, list) or not all(isinstance(w, str) for w in wanted):
        raise MalformedError("previousProof is not a proof id or a list of them")
    found = [p for p in all_proofs if isinstance(p, dict) and p.get("id") in wanted]
    if len(found) != len(wanted):
        raise MalformedError("previousProof names a proof that is not in the document")
    unsecured["proof"] = found[0] if len(found) == 1 else found
    return unsecured


# Cryptosuites and proof types Satchel knows of but does not check yet, by their spec's name.
_KNOWN_UNSUPPORTED = {
    "ecdsa-sd-2023": "ECDSA selective disclosure (W3C vc-di-ecdsa, ecdsa-sd-2023)",
    "bbs-2023": "BBS selective disclosure (W3C vc-di-bbs, bbs-2023)",
    "ecdsa-jcs-2019": "ECDSA over JCS (W3C vc-di-ecdsa, ecdsa-jcs-2019)",
    "BbsBlsSignature2020": "BBS+ (BbsBlsSignature2020)",
    "JsonWebSignature2020": "JSON Web Signature 2020",
    "EcdsaSecp256k1Signature2019": "ECDSA secp256k1 (EcdsaSecp256k1Signature2019)",
    "RsaSignature2018": "RSA (RsaSignature2018)",
}


def unsupported_sentence(name: str) -> str:
    known = _KNOWN_UNSUPPORTED.get(name)
    if known:
        return f"It is signed with {known}, which Satchel cannot check yet."
    return f"Satchel cannot check {name} signatures."


def mismatch_token(who: str) -> str:
    return "holder-mismatch" if who == "holder" else "issuer-key-mismatch"


def _proof_expiry(proof: dict[str, Any], opts: VerifyOptions, label: str) -> CheckResult | None:
    """VC Data Integrity 1.0 §2.1: a proof with ``expires`` is not valid after that time."""
    from .dates import human, parse_datetime

    if "expires" not in proof:
        return None
    when = parse_datetime(proof["expires"], "proof expires")
    if when < opts.at:
        return failed(CheckId.PROOF_EXPIRES, "expired", f"{label}The signature expired on {human(when)}; "
                      "a presentation like this one is meant to be used at once, ask for a fresh one.")
    return passed(CheckId.PROOF_EXPIRES, f"{label}The signature is good until {human(when)}.")


def check_binding(method: VerificationMethod, purpose: str, controller: str | None,
                  who: str) -> CheckResult:
    if purpose not in method.relationships:
        return failed(CheckId.PROOF_KEY_BINDING, mismatch_token(who),
                      f"The key {short(method.id)} is not listed by {short(method.controller)} "
                      f"for {purpose}, so it cannot sign on their behalf.")
    if controller is None or method.controller != controller:
        return failed(CheckId.PROOF_KEY_BINDING, mismatch_token(who),
                      f"Signed with a key of {short(method.controller)}, not of the {who} "
                      f"({short(str(controller))}).")
    return passed(CheckId.PROOF_KEY_BINDING, f"The signing key belongs to the {who}, {short(controller)}.")


def check_data_integrity(doc: dict[str, Any], opts: VerifyOptions, *, purpose: str,
                         controller: str | None, who: str = "issuer",
                         challenge: str | None = None, domain: str | None = None) -> list[CheckResult]:
    proofs = proofs_of(doc)
    if not proofs:
        return [failed(CheckId.PROOF_PRESENT, "no-proof", "It carries no signature, so nobody vouches for it.")]
    out: list[CheckResult] = []
    safe_mode: CheckResult | None = None
    many = len(proofs) > 1
    cosigners: list[str] = []
    owners_proof = False  # at least one proof is the issuer's (holder's) own
    for n, proof in enumerate(proofs, 1):
        label = f"Proof {n} of {len(proofs)}: " if many else ""
        if not isinstance(proof, dict):
            out.append(failed(CheckId.PROOF_SIGNATURE, "malformed", f"{label}the proof is not a JSON object."))
            continue
        name = suite_name(proof)
        suite = suite_for(proof)
        if proof.get("type") == "DataIntegrityProof" and not isinstance(proof.get("cryptosuite"), str):
            # VC Data Integrity 1.0 §3.1: a DataIntegrityProof MUST name its cryptosuite.
            out.append(failed(CheckId.PROOF_SIGNATURE, "malformed",
                              f"{label}The proof does not say which cryptosuite made it (no cryptosuite)."))
            continue
        if suite is None:
            out.append(could_not_check(CheckId.PROOF_SIGNATURE, "unsupported-proof-type",
                                       f"{label}{unsupported_sentence(name)}"))
            continue
        if "proofPurpose" not in proof or not isinstance(proof.get("proofPurpose"), str):
            # VC Data Integrity 1.0 §2.1: proofPurpose is REQUIRED.
            out.append(failed(CheckId.PROOF_PURPOSE, "malformed",
                              f"{label}The proof does not say what it is for (no proofPurpose), "
                              f"so it cannot count as the {who}'s signature."))
            continue
        if proof.get("proofPurpose") != purpose:
            out.append(failed(CheckId.PROOF_PURPOSE, mismatch_token(who),
                              f"{label}the proof is for {proof.get('proofPurpose')!r}, not {purpose}."))
            continue
        if challenge is not None and proof.get("challenge") != challenge:
            out.append(failed(CheckId.PROOF_CHALLENGE, "challenge-mismatch",
                              f"{label}it answers another request (challenge {proof.get('challenge')!r}); "
                              "it may be a replay."))
        if domain is not None and proof.get("domain") != domain:
            out.append(failed(CheckId.PROOF_DOMAIN, "challenge-mismatch",
                              f"{label}it was made for {proof.get('domain')!r}, not for {domain}."))
        vm_id = proof.get("verificationMethod")
        try:
            method = resolve_verification_method(vm_id if isinstance(vm_id, str) else "", opts.fetcher)
        except KeyResolutionError as exc:
            out.append(could_not_check(CheckId.PROOF_KEY, "unresolvable-key", f"{label}{exc}"))
            continue
        try:
            unsecured = _unsecured_for(doc, proof, proofs)
            ok = suite.verify_proof(unsecured, proof, method.public_key)
        except SafeModeError as exc:
            safe_mode = failed(CheckId.JSONLD_SAFE_MODE, "jsonld-safe-mode",
                               f"Part of the data is not defined by its contexts, so the signature "
                               f"would not cover it: {exc}")
            continue
        except UnknownContextError as exc:
            out.append(could_not_check(CheckId.PROOF_SIGNATURE, "unknown-context", f"{label}{exc}"))
            continue
        except UnsupportedProofError as exc:
            out.append(could_not_check(CheckId.PROOF_SIGNATURE, "unsupported-proof-type", f"{label}{exc}."))
            continue
        except TooComplexError as exc:
            out.append(failed(CheckId.PROOF_SIGNATURE, "malformed", f"{label}Too complex to check: {exc}."))
            continue
        except MalformedError as exc:
            out.append(failed(CheckId.PROOF_SIGNATURE, "invalid-signature", f"{label}the proof is broken: {exc}"))
            continue
        if not ok:
            out.append(failed(CheckId.PROOF_SIGNATURE, "invalid-signature",
                              f"{label}the {name} signature does not match: the content was changed "
                              "after signing, or it was signed by another key."))
            continue
        out.append(passed(CheckId.PROOF_SIGNATURE, f"{label}{name} signature by {short(method.id)} is intact."))
        expiry = _proof_expiry(proof, opts, label)
        if expiry is not None:
            out.append(expiry)
        binding = check_binding(method, purpose, controller, who)
        if binding.problem and many and purpose in method.relationships:
            # A co-signer (VC Data Integrity 1.0 §2.1.1 proof sets, §2.1.2 chains: anyone may add a
            # proof): its key is its own controller's, listed for the purpose, so the proof is
            # sound; it speaks for the co-signer, not for the issuer (or holder).
            cosigners.append(method.controller)
            out.append(warning(CheckId.PROOF_KEY_BINDING, "co-signed",
                               f"{label}Also signed by {short(method.controller)}, who is not the {who}."))
        else:
            out.append(binding)
            owners_proof = owners_proof or binding.problem is None
    if cosigners and not owners_proof and not any(c.problem for c in out if c.id == CheckId.PROOF_KEY_BINDING):
        out.append(failed(CheckId.PROOF_KEY_BINDING, mismatch_token(who),
                          f"None of its {len(proofs)} signatures is the {who}'s ({short(str(controller))}): "
                          f"signed by {', '.join(short(c) for c in dict.fromkeys(cosigners))}."))
    if safe_mode is not None:
        out.insert(0, safe_mode)
    elif any(c.id == CheckId.PROOF_SIGNATURE and c.status == "passed" for c in out):
        out.insert(0, passed(CheckId.JSONLD_SAFE_MODE, "Every field is defined by the credential's contexts."))
    return out
