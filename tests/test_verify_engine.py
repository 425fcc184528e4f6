"""The verification pipeline on credentials signed here with real keys."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from credentials._did import did_jwk_from_jwk
from credentials._formats.jws import public_key_to_jwk, sign_jws
from credentials._net import Fetcher
from credentials._status import encode_list, set_status
from credentials._verify import verify
from tests.helpers import ED2020, OB3, VC1, VC2, ed25519_signer, memory_fetcher, ob3_credential, p256_signer

AT = datetime(2026, 11, 22, tzinfo=UTC)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022", "Ed25519Signature2020",
                                   "Ed25519Signature2018"])
def test_each_suite_signs_and_verifies(suite: str) -> None:
    signer = ed25519_signer()
    doc = ob3_credential(signer.did)
    if suite.startswith("Ed25519Signature2020"):
        doc["@context"].append(ED2020)
    if suite == "Ed25519Signature2018":
        doc["@context"].append("https://w3id.org/security/suites/ed25519-2018/v1")
    signed = signer.sign(doc, suite)
    report = verify(signed, at=AT)
    assert report.verdict == "valid", report.to_json()
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Brain surgery"
    assert verify(tampered, at=AT).problems == ("invalid-signature",)


def test_vc11_credential_with_ed25519signature2020_verifies() -> None:
    signer = ed25519_signer()
    doc = ob3_credential(signer.did)
    doc["@context"] = [VC1, OB3, ED2020]
    doc["issuanceDate"] = doc.pop("validFrom")
    assert verify(signer.sign(doc, "Ed25519Signature2020"), at=AT).verdict == "valid"


def test_verify_reports_key_that_is_not_the_issuers() -> None:
    issuer, other = ed25519_signer(), ed25519_signer()
    signed = other.sign(ob3_credential(issuer.did))
    report = verify(signed, at=AT)
    assert report.problems == ("issuer-key-mismatch",)
    assert report.check("proof.signature").status == "passed"


def test_ecdsa_rdfc_2019_with_p256_did_key_signs_and_verifies() -> None:
    signer = p256_signer()
    signed = signer.sign(ob3_credential(signer.did), "ecdsa-rdfc-2019")
    assert verify(signed, at=AT).verdict == "valid"
    signed["name"] = "Changed"
    assert verify(signed, at=AT).problems == ("invalid-signature",)


def test_p256_did_key_issuer_is_unsupported_for_eddsa_but_not_valid() -> None:
    signer = p256_signer()
    doc = ob3_credential(signer.did)
    forged = ed25519_signer().sign(doc, vm=signer.vm)
    assert verify(forged, at=AT).verdict != "valid"


def test_proof_set_needs_every_proof_and_chain_puts_previous_proof_back() -> None:
    signer = ed25519_signer()
    doc = ob3_credential(signer.did)
    first = signer.sign(doc, id="urn:proof:1")
    chained = signer.sign(first, id="urn:proof:2", previous_proof="urn:proof:1")
    assert verify(chained, at=AT).verdict == "valid"
    broken = copy.deepcopy(chained)
    broken["proof"][0]["created"] = "2001-01-01T00:00:00Z"  # breaks proof 1 and the chain on it
    assert "invalid-signature" in verify(broken, at=AT).problems
    only_second = copy.deepcopy(chained)
    only_second["proof"] = [chained["proof"][1]]
    assert verify(only_second, at=AT).verdict != "valid"


def test_unknown_context_is_could_not_check_and_never_fetched() -> None:
    signer = ed25519_signer()
    doc = ob3_credential(signer.did)
    doc["@context"].append("https://example.com/contexts/unknown/v1")
    fetcher = Fetcher(None)
    report = verify(signer.sign(doc, "eddsa-jcs-2022"), fetcher=fetcher, at=AT)
    assert report.problems == ("unknown-context",)
    assert report.verdict == "unverifiable"


def test_undefined_term_under_vc11_is_safe_mode_failure() -> None:
    signer = ed25519_signer()
    doc = {"@context": [VC1, ED2020], "type": ["VerifiableCredential"], "issuer": signer.did,
           "issuanceDate": "2025-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:learner"}}
    signed = signer.sign(doc, "Ed25519Signature2020")
    assert verify(signed, at=AT).verdict == "valid"
    # Added after signing: no context defines "degree", so plain JSON-LD would drop it and the
    # signature would still verify over data the learner never sees.
    signed["credentialSubject"]["degree"] = "MD"
    report = verify(signed, at=AT)
    assert report.problems == ("jsonld-safe-mode",)


def test_unsupported_proof_type_is_could_not_check() -> None:
    signer = ed25519_signer()
    signed = signer.sign(ob3_credential(signer.did))
    signed["proof"]["cryptosuite"] = "bbs-2023"
    report = verify(signed, at=AT)
    assert report.problems == ("unsupported-proof-type",)


def test_unsigned_credential_is_no_proof() -> None:
    assert verify(ob3_credential("did:example:issuer"), at=AT).problems == ("no-proof",)


def test_validity_period_is_judged_at_the_time_asked() -> None:
    signer = ed25519_signer()
    signed = signer.sign(ob3_credential(signer.did, validUntil="2026-01-01T00:00:00Z"))
    assert verify(signed, at=datetime(2025, 6, 1, tzinfo=UTC)).verdict == "valid"
    assert verify(signed, at=AT).problems == ("expired",)
    assert verify(signed, at=datetime(2024, 6, 1, tzinfo=UTC)).problems == ("not-yet-valid",)


def test_id_that_is_not_a_url_is_malformed() -> None:
    signer = ed25519_signer()
    signed = signer.sign(ob3_credential(signer.did))
    signed["id"] = "not a url"
    assert verify(signed, at=AT).problems == ("malformed",)


def test_did_web_issuer_resolves_through_injected_transport() -> None:
    signer = ed25519_signer()
    did = "did:web:badges.example.org:issuers:north"
    vm = f"{did}#key-1"
    from credentials._multiformats import encode_multikey

    doc = {"@context": ["https://www.w3.org/ns/did/v1"], "id": did,
           "verificationMethod": [{"id": vm, "type": "Multikey", "controller": did,
                                   "publicKeyMultibase": encode_multikey(signer.key.public_key())}],
           "assertionMethod": [vm]}
    signed = signer.sign(ob3_credential(did), vm=vm)
    fetcher = memory_fetcher({"https://badges.example.org/issuers/north/did.json": doc})
    assert verify(signed, fetcher=fetcher, at=AT).verdict == "valid"
    assert verify(signed, fetcher=Fetcher(None), at=AT).problems == ("unresolvable-key",)
    doc_auth_only = {**doc, "assertionMethod": [], "authentication": [vm]}
    fetcher = memory_fetcher({"https://badges.example.org/issuers/north/did.json": doc_auth_only})
    assert verify(signed, fetcher=fetcher, at=AT).problems == ("issuer-key-mismatch",)


# --- status -------------------------------------------------------------------------------

LIST_URL = "https://status.example.org/lists/1"


def _status_setup(purpose: str = "revocation", set_bit: bool = True, list_purpose: str | None = None,
                  list_valid_until: str | None = None, index: int = 42):
    issuer = ed25519_signer()
    bits = bytearray(16 * 1024)
    if set_bit:
        set_status(bits, 42, 1)
    status_list = {
        "@context": [VC2], "id": LIST_URL, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did, "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": LIST_URL + "#list", "type": "BitstringStatusList",
                              "statusPurpose": list_purpose or purpose, "encodedList": encode_list(bytes(bits))},
    }
    if list_valid_until:
        status_list["validUntil"] = list_valid_until
    cred = ob3_credential(issuer.did, credentialStatus={
        "id": f"{LIST_URL}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": purpose,
        "statusListIndex": str(index), "statusListCredential": LIST_URL})
    return issuer.sign(cred), memory_fetcher({LIST_URL: issuer.sign(status_list)})


def test_verify_reports_revoked_credential() -> None:
    cred, fetcher = _status_setup()
    assert verify(cred, fetcher=fetcher, at=AT).problems == ("revoked",)


def test_verify_reports_suspended_credential() -> None:
    cred, fetcher = _status_setup(purpose="suspension")
    assert verify(cred, fetcher=fetcher, at=AT).problems == ("suspended",)


def test_unset_bit_is_not_revoked() -> None:
    cred, fetcher = _status_setup(set_bit=False)
    report = verify(cred, fetcher=fetcher, at=AT)
    assert report.verdict == "valid"
    assert report.check("status.revocation").status == "passed"


@pytest.mark.parametrize("kwargs", [{"list_purpose": "suspension"}, {"list_valid_until": "2026-01-01T00:00:00Z"},
                                    {"index": 10_000_000}])
def test_unusable_status_list_is_status_unknown(kwargs: dict) -> None:
    cred, fetcher = _status_setup(**kwargs)
    assert verify(cred, fetcher=fetcher, at=AT).problems == ("status-unknown",)


def test_status_list_that_cannot_be_fetched_is_status_unknown_never_valid() -> None:
    cred, _ = _status_setup()
    assert verify(cred, fetcher=Fetcher(None), at=AT).problems == ("status-unknown",)


def test_tampered_status_list_is_status_unknown() -> None:
    cred, fetcher = _status_setup(set_bit=True)
    doc = fetcher.get_json(LIST_URL)
    doc["credentialSubject"]["encodedList"] = encode_list(bytes(16 * 1024))  # "un-revoke" it
    assert verify(cred, fetcher=memory_fetcher({LIST_URL: doc}), at=AT).problems == ("status-unknown",)


# --- VC-JWT ------------------------------------------------------------------------------

@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "RS256"])
def test_vc_jwt_with_did_jwk_verifies_each_alg(alg: str) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    key = {"EdDSA": lambda: ed25519.Ed25519PrivateKey.generate(),
           "ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
           "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)}[alg]()
    did = did_jwk_from_jwk(public_key_to_jwk(key.public_key()))
    cred = ob3_credential(did)
    import json

    header = {"alg": alg, "typ": "vc+ld+jwt", "kid": f"{did}#0"}
    token = sign_jws(header, json.dumps(cred).encode(), key)
    assert verify(token, at=AT).verdict == "valid"
    head, payload, sig = token.split(".")
    other = sign_jws(header, json.dumps({**cred, "name": "Other"}).encode(), key).split(".")[1]
    assert verify(f"{head}.{other}.{sig}", at=AT).problems == ("invalid-signature",)


def test_ob3_style_jwt_maps_registered_claims() -> None:
    import json

    signer = ed25519_signer()
    cred = ob3_credential(signer.did)
    del cred["issuer"]
    claims = {"vc": cred, "iss": signer.did, "sub": "did:example:learner", "jti": cred["id"],
              "nbf": int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()),
              "exp": int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())}
    token = sign_jws({"alg": "EdDSA", "typ": "JWT", "kid": signer.vm}, json.dumps(claims).encode(), signer.key)
    assert verify(token, at=datetime(2025, 6, 1, tzinfo=UTC)).verdict == "valid"
    assert verify(token, at=AT).problems == ("expired",)


def test_ob3_identifier_hash_is_checked_against_stated_identity() -> None:
    import hashlib

    signer = ed25519_signer()
    doc = ob3_credential(signer.did)
    doc["credentialSubject"]["identifier"] = [{
        "type": "IdentityObject", "identityType": "emailAddress", "hashed": True, "salt": "s4lt",
        "identityHash": "sha256$" + hashlib.sha256(b"ana@example.org" + b"s4lt").hexdigest()}]
    signed = signer.sign(doc)
    assert verify(signed, at=AT, identity="ana@example.org").verdict == "valid"
    assert verify(signed, at=AT, identity="bob@example.org").problems == ("recipient-mismatch",)
    assert verify(signed, at=AT).check("recipient") is None


def test_1edtech_revocation_list_reports_revoked_and_needs_the_issuers_list() -> None:
    signer = ed25519_signer()
    url = "https://issuer.example.org/revocations/1"
    doc = ob3_credential(signer.did, credentialStatus={"id": url, "type": "1EdTechRevocationList"})
    doc["@context"].append("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    signed = signer.sign(doc)
    listed = {"id": url, "issuer": signer.did,
              "revokedCredentials": [{"id": signed["id"], "revocationReason": "Issued in error"}]}
    assert verify(signed, fetcher=memory_fetcher({url: listed}), at=AT).problems == ("revoked",)
    clean = {**listed, "revokedCredentials": []}
    assert verify(signed, fetcher=memory_fetcher({url: clean}), at=AT).verdict == "valid"
    foreign = {**listed, "issuer": "did:example:someone-else", "revokedCredentials": []}
    assert verify(signed, fetcher=memory_fetcher({url: foreign}), at=AT).problems == ("status-unknown",)


def test_endorsements_are_verified_and_shown_without_changing_the_verdict() -> None:
    issuer, endorser = ed25519_signer(), ed25519_signer()
    endorsement = endorser.sign({
        "@context": [VC2, OB3], "id": "urn:uuid:0e0a3b3e-2b0c-4c56-9d0e-6f7a8b9c0d1e",
        "type": ["VerifiableCredential", "EndorsementCredential"], "name": "Endorsed by the nursing board",
        "issuer": {"id": endorser.did, "type": ["Profile"], "name": "Nursing board"},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "https://example.edu/achievements/wound-care", "type": ["EndorsementSubject"],
                              "endorsementComment": "Meets our standard."}})
    doc = ob3_credential(issuer.did)
    doc["credentialSubject"]["achievement"]["endorsement"] = [endorsement]
    report = verify(issuer.sign(doc), at=AT)
    assert report.verdict == "valid" and report.warnings == ()
    assert [a.format for a in report.attached] == ["endorsement"] and report.attached[0].verdict == "valid"
    forged = copy.deepcopy(doc)
    forged["credentialSubject"]["achievement"]["endorsement"][0]["credentialSubject"]["endorsementComment"] = "Best"
    report = verify(issuer.sign(forged), at=AT)
    assert report.verdict == "valid"
    assert report.attached[0].problems == ("invalid-signature",)
    assert "endorsement-problem" in report.warnings
