"""Proof checks: each proof's signature, its key, and whether the key speaks for the issuer.

VC Data Integrity 1.0 §4.3 Verify Proof (with proof sets and chains, §2.1.1–2.1.2, §4.5);
the verification method must be listed by its controller for the proof's purpose
(Controlled Identifiers / DID Core §5.3), and that controller must be the issuer
(OB 3.0 §8.2 "Verification": the issuer's key).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from .._did import VerificationMethod, resolve_verification_method
from .._errors import (
    KeyResolutionError,
    MalformedError,
    SafeModeError,
    SatchelError,
    TooComplexError,
    UnknownContextError,
    UnsupportedProofError,
)
from .._proofs import suite_name
from .._proofs._data_integrity import without_proof
from .._report import CheckId, CheckResult, Status, could_not_check, failed, passed, warning
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


@dataclass(frozen=True)
class _ProofRequest:
    """What every proof of one document is checked against."""

    doc: dict[str, Any]
    proofs: list[Any]
    opts: VerifyOptions
    purpose: str
    controller: str | None
    who: str
    challenge: str | None
    domain: str | None

    @property
    def many(self) -> bool:
        return len(self.proofs) > 1

    def label(self, n: int) -> str:
        return f"Proof {n} of {len(self.proofs)}: " if self.many else ""


@dataclass
class _ProofSetResults:
    """What the proofs of one document found, as they are checked one by one."""

    checks: list[CheckResult] = field(default_factory=list)
    safe_mode: CheckResult | None = None  # a proof found data its contexts do not define
    cosigners: list[str] = field(default_factory=list)
    owners_proof: bool = False  # at least one proof is the issuer's (holder's) own


def check_data_integrity(doc: dict[str, Any], opts: VerifyOptions, *, purpose: str,
                         controller: str | None, who: str = "issuer",
                         challenge: str | None = None, domain: str | None = None) -> list[CheckResult]:
    proofs = proofs_of(doc)
    if not proofs:
        return [failed(CheckId.PROOF_PRESENT, "no-proof", "It carries no signature, so nobody vouches for it.")]
    request = _ProofRequest(doc, proofs, opts, purpose, controller, who, challenge, domain)
    results = _ProofSetResults()
    for n, proof in enumerate(proofs, 1):
        _check_proof(proof, request, request.label(n), results)
    return _proof_set_checks(request, results)


def _check_proof(proof: Any, request: _ProofRequest, label: str, results: _ProofSetResults) -> None:
    """One proof: what it claims to be, the request it answers, its key, its signature, expiry and
    whether the key speaks for the issuer (or holder)."""
    gate = next((c for g in _PROOF_GATES if (c := g(proof, request, label)) is not None), None)
    if gate is not None:
        results.checks.append(gate)
        return
    results.checks.extend(_request_checks(proof, request, label))
    method = _method_of(proof, request, label)
    if isinstance(method, CheckResult):
        results.checks.append(method)
        return
    signature = _signature_check(proof, method, request, label)
    if signature.id == CheckId.JSONLD_SAFE_MODE:
        results.safe_mode = signature
        return
    results.checks.append(signature)
    if signature.status != Status.PASSED:
        return
    expiry = _proof_expiry(proof, request.opts, label)
    if expiry is not None:
        results.checks.append(expiry)
    _add_key_binding(method, request, label, results)


# -- before the key is looked up: what the proof says it is and what it is for ----------------


def _suite_of(proof: dict[str, Any], suites: Mapping[str, ModuleType]) -> ModuleType | None:
    """The suite (of the verification's ``suites``) that checks this proof, or None."""
    module = suites.get(suite_name(proof))
    if module is None or module.PROOF_TYPE != proof.get("type"):
        return None
    return module


def _not_an_object(proof: Any, request: _ProofRequest, label: str) -> CheckResult | None:
    if isinstance(proof, dict):
        return None
    return failed(CheckId.PROOF_SIGNATURE, "malformed", f"{label}the proof is not a JSON object.")


def _no_cryptosuite(proof: dict[str, Any], request: _ProofRequest, label: str) -> CheckResult | None:
    """VC Data Integrity 1.0 §3.1: a DataIntegrityProof MUST name its cryptosuite."""
    if proof.get("type") != "DataIntegrityProof" or isinstance(proof.get("cryptosuite"), str):
        return None
    return failed(CheckId.PROOF_SIGNATURE, "malformed",
                  f"{label}The proof does not say which cryptosuite made it (no cryptosuite).")


def _unsupported_suite(proof: dict[str, Any], request: _ProofRequest, label: str) -> CheckResult | None:
    if _suite_of(proof, request.opts.suites) is not None:
        return None
    return could_not_check(CheckId.PROOF_SIGNATURE, "unsupported-proof-type",
                           f"{label}{unsupported_sentence(suite_name(proof))}")


def _no_purpose(proof: dict[str, Any], request: _ProofRequest, label: str) -> CheckResult | None:
    """VC Data Integrity 1.0 §2.1: proofPurpose is REQUIRED."""
    if isinstance(proof.get("proofPurpose"), str):
        return None
    return failed(CheckId.PROOF_PURPOSE, "malformed",
                  f"{label}The proof does not say what it is for (no proofPurpose), "
                  f"so it cannot count as the {request.who}'s signature.")


def _other_purpose(proof: dict[str, Any], request: _ProofRequest, label: str) -> CheckResult | None:
    if proof.get("proofPurpose") == request.purpose:
        return None
    return failed(CheckId.PROOF_PURPOSE, mismatch_token(request.who),
                  f"{label}the proof is for {proof.get('proofPurpose')!r}, not {request.purpose}.")


# In this order; the first that objects ends the proof's checks (the object check comes first:
# the others read the proof's fields).
_PROOF_GATES: tuple[Callable[[Any, _ProofRequest, str], CheckResult | None], ...] = (
    _not_an_object, _no_cryptosuite, _unsupported_suite, _no_purpose, _other_purpose)


def _request_checks(proof: dict[str, Any], request: _ProofRequest, label: str) -> list[CheckResult]:
    """The challenge and domain the verifier asked for (a presentation's replay protection)."""
    out: list[CheckResult] = []
    if request.challenge is not None and proof.get("challenge") != request.challenge:
        out.append(failed(CheckId.PROOF_CHALLENGE, "challenge-mismatch",
                          f"{label}it answers another request (challenge {proof.get('challenge')!r}); "
                          "it may be a replay."))
    if request.domain is not None and proof.get("domain") != request.domain:
        out.append(failed(CheckId.PROOF_DOMAIN, "challenge-mismatch",
                          f"{label}it was made for {proof.get('domain')!r}, not for {request.domain}."))
    return out


# -- the key and the signature -------------------------------------------------------------------


def _method_of(proof: dict[str, Any], request: _ProofRequest, label: str) -> VerificationMethod | CheckResult:
    """The proof's verification method, resolved; or the check that says it cannot be."""
    vm_id = proof.get("verificationMethod")
    try:
        return resolve_verification_method(vm_id if isinstance(vm_id, str) else "", request.opts.fetcher)
    except KeyResolutionError as exc:
        return could_not_check(CheckId.PROOF_KEY, "unresolvable-key", f"{label}{exc}")


def _signature_check(proof: dict[str, Any], method: VerificationMethod, request: _ProofRequest,
                     label: str) -> CheckResult:
    """The signature over what the proof was made on: passed, or why not. A document its contexts
    do not fully define is a safe-mode failure (id ``jsonld.safe-mode``), said once for the set."""
    suite = _suite_of(proof, request.opts.suites)
    assert suite is not None  # the gates let only a proof of a known suite through
    try:
        unsecured = _unsecured_for(request.doc, proof, request.proofs)
        ok = suite.verify_proof(unsecured, proof, method.public_key)
    except SafeModeError as exc:
        return failed(CheckId.JSONLD_SAFE_MODE, "jsonld-safe-mode",
                      f"Part of the data is not defined by its contexts, so the signature "
                      f"would not cover it: {exc}")
    except (UnknownContextError, UnsupportedProofError, MalformedError) as exc:
        return _unverifiable(exc, label)
    name = suite_name(proof)
    if not ok:
        return failed(CheckId.PROOF_SIGNATURE, "invalid-signature",
                      f"{label}the {name} signature does not match: the content was changed "
                      "after signing, or it was signed by another key.")
    return passed(CheckId.PROOF_SIGNATURE, f"{label}{name} signature by {short(method.id)} is intact.")


def _unverifiable(exc: SatchelError, label: str) -> CheckResult:
    """Why a proof's signature could not be checked, by what stopped it."""
    if isinstance(exc, UnknownContextError):
        return could_not_check(CheckId.PROOF_SIGNATURE, "unknown-context", f"{label}{exc}")
    if isinstance(exc, UnsupportedProofError):
        return could_not_check(CheckId.PROOF_SIGNATURE, "unsupported-proof-type", f"{label}{exc}.")
    if isinstance(exc, TooComplexError):
        return failed(CheckId.PROOF_SIGNATURE, "malformed", f"{label}Too complex to check: {exc}.")
    return failed(CheckId.PROOF_SIGNATURE, "invalid-signature", f"{label}the proof is broken: {exc}")


# -- whose key it is -------------------------------------------------------------------------------


def _add_key_binding(method: VerificationMethod, request: _ProofRequest, label: str,
                     results: _ProofSetResults) -> None:
    binding = check_binding(method, request.purpose, request.controller, request.who)
    if binding.problem and request.many and request.purpose in method.relationships:
        # A co-signer (VC Data Integrity 1.0 §2.1.1 proof sets, §2.1.2 chains: anyone may add a
        # proof): its key is its own controller's, listed for the purpose, so the proof is
        # sound; it speaks for the co-signer, not for the issuer (or holder).
        results.cosigners.append(method.controller)
        results.checks.append(warning(CheckId.PROOF_KEY_BINDING, "co-signed",
                                      f"{label}Also signed by {short(method.controller)}, who is not the "
                                      f"{request.who}."))
    else:
        results.checks.append(binding)
        results.owners_proof = results.owners_proof or binding.problem is None


def _proof_set_checks(request: _ProofRequest, results: _ProofSetResults) -> list[CheckResult]:
    """The checks of every proof, with what only the whole set can say: that none of them is the
    issuer's (holder's) own, and (first) whether safe mode held."""
    out = results.checks
    if results.cosigners and not results.owners_proof \
            and not any(c.problem for c in out if c.id == CheckId.PROOF_KEY_BINDING):
        out.append(failed(CheckId.PROOF_KEY_BINDING, mismatch_token(request.who),
                          f"None of its {len(request.proofs)} signatures is the {request.who}'s "
                          f"({short(str(request.controller))}): "
                          f"signed by {', '.join(short(c) for c in dict.fromkeys(results.cosigners))}."))
    if results.safe_mode is not None:
        out.insert(0, results.safe_mode)
    elif any(c.id == CheckId.PROOF_SIGNATURE and c.status == "passed" for c in out):
        out.insert(0, passed(CheckId.JSONLD_SAFE_MODE, "Every field is defined by the credential's contexts."))
    return out
