"""Conformance points found by external suites and real credentials (issue 12), one test each."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from credentials._formats.jws import sign_jws
from credentials._status.bitstring import encode_list, set_status
from credentials._verify import verify
from tests.conftest import AT
from tests.helpers import VC1, VC2, ed25519_signer, memory_fetcher, ob3_credential

LIST_URL = "https://status.example/lists/1"


def _jwt_status_list(signer, revoked_index: int | None) -> bytes:
    bits = bytearray(16 * 1024)
    if revoked_index is not None:
        set_status(bits, revoked_index, 1)
    payload = {"@context": [VC2], "id": LIST_URL, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
               "issuer": signer.did, "validFrom": "2025-01-01T00:00:00Z",
               "credentialSubject": {"id": LIST_URL + "#list", "type": "BitstringStatusList",
                                     "statusPurpose": "revocation", "encodedList": encode_list(bytes(bits))}}
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": signer.vm}
    return sign_jws(header, json.dumps(payload).encode(), signer.key).encode()


@pytest.mark.parametrize(("revoked", "expected"), [(True, ("revoked",)), (False, ())])
def test_status_list_secured_as_a_vc_jwt_is_read(revoked: bool, expected: tuple) -> None:
    signer = ed25519_signer()
    entry = {"id": LIST_URL + "#7", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
             "statusListIndex": "7", "statusListCredential": LIST_URL}
    cred = signer.sign(ob3_credential(signer.did, credentialStatus=entry))
    fetcher = memory_fetcher({LIST_URL: _jwt_status_list(signer, 7 if revoked else None)})
    report = verify(cred, fetcher=fetcher, at=AT)
    assert report.problems == expected, report.to_json()


def test_a_tampered_vc_jwt_status_list_is_status_unknown() -> None:
    signer, other = ed25519_signer(), ed25519_signer()
    entry = {"id": LIST_URL + "#7", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
             "statusListIndex": "7", "statusListCredential": LIST_URL}
    cred = signer.sign(ob3_credential(signer.did, credentialStatus=entry))
    forged = _jwt_status_list(signer, None).split(b".")
    forged[2] = _jwt_status_list(other, None).split(b".")[2]
    report = verify(cred, fetcher=memory_fetcher({LIST_URL: b".".join(forged)}), at=AT)
    assert report.problems == ("status-unknown",)


@pytest.mark.parametrize("prop", ["evidence", "refreshService", "termsOfUse", "credentialStatus"])
def test_vcdm_objects_without_type_are_malformed(prop: str) -> None:
    signer = ed25519_signer()
    value = {"id": "https://example.org/thing/1"}
    report = verify(signer.sign(ob3_credential(signer.did, **{prop: value})), at=AT)
    assert report.problems == ("malformed",)
    assert "no type" in report.checks[0].message


@pytest.mark.parametrize("missing", ["id", "type"])
def test_credential_schema_without_id_or_type_is_malformed(missing: str) -> None:
    signer = ed25519_signer()
    schema = {"id": "https://example.org/schema.json", "type": "JsonSchema"}
    del schema[missing]
    report = verify(signer.sign(ob3_credential(signer.did, credentialSchema=schema)), at=AT)
    assert report.problems == ("malformed",)


def test_proof_without_purpose_is_malformed_with_a_plain_message() -> None:
    signer = ed25519_signer()
    doc = signer.sign(ob3_credential(signer.did))
    del doc["proof"]["proofPurpose"]
    report = verify(doc, at=AT)
    assert report.problems == ("malformed",)
    message = next(c.message for c in report.checks if c.problem)
    assert "no proofPurpose" in message and "None" not in message


def test_data_integrity_proof_without_cryptosuite_is_malformed() -> None:
    signer = ed25519_signer()
    doc = signer.sign(ob3_credential(signer.did))
    del doc["proof"]["cryptosuite"]
    assert verify(doc, at=AT).problems == ("malformed",)


@pytest.mark.parametrize("suite", ["bbs-2023", "ecdsa-jcs-2019", "no-such-suite-2099"])
def test_unknown_or_unsupported_cryptosuite_is_could_not_check_and_names_it(suite: str) -> None:
    signer = ed25519_signer()
    doc = signer.sign(ob3_credential(signer.did))
    doc["proof"]["cryptosuite"] = suite
    report = verify(doc, at=AT)
    assert report.problems == ("unsupported-proof-type",)
    assert suite in next(c.message for c in report.checks if c.problem)


def test_ecdsa_proof_with_a_key_on_a_curve_the_suite_does_not_define_is_unsupported() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    from credentials._errors import UnsupportedProofError
    from credentials._proofs import ecdsa_rdfc_2019

    key = ec.generate_private_key(ec.SECP256K1())
    with pytest.raises(UnsupportedProofError):
        ecdsa_rdfc_2019.verify_proof(ob3_credential("did:example:x"), {"proofValue": "z1"}, key.public_key())


@pytest.mark.parametrize("kid", ["did:web:example.com#key-1", "https://issuer.example/keys#1", "key-1"])
def test_vc_jwt_whose_kid_cannot_be_resolved_is_unresolvable_key(kid: str) -> None:
    signer = ed25519_signer()
    issuer = "did:web:example.com" if kid.startswith("did:") else "https://issuer.example"
    token = sign_jws({"alg": "EdDSA", "typ": "vc+jwt", "kid": kid},
                     json.dumps(ob3_credential(issuer)).encode(), signer.key)
    assert verify(token, at=AT).problems == ("unresolvable-key",)


def test_ob3_schema_accepts_a_vcdm_1_1_credential_with_issuance_date() -> None:
    signer = ed25519_signer()
    doc = ob3_credential(signer.did)
    doc["@context"] = [VC1, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                       "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
                       "https://w3id.org/security/suites/ed25519-2020/v1"]
    doc["issuanceDate"] = doc.pop("validFrom")
    doc["credentialSchema"] = {"id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
                               "type": "1EdTechJsonSchemaValidator2019"}
    report = verify(signer.sign(doc, "Ed25519Signature2020"), at=AT)
    schema = [c for c in report.checks if c.id == "schema"]
    assert schema and all(c.problem is None for c in schema), report.to_json()
    assert report.verdict == "valid", report.problems



def _vc11_with_undefined_terms(issuer: str) -> dict:
    """VCDM 1.1 has no @vocab: without the OB 3.0 extensions context these types mean nothing."""
    return {"@context": [VC1, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": issuer,
            "issuanceDate": "2025-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:x", "type": ["AchievementSubject"],
                                  "achievement": {"id": "https://e.org/a", "type": ["Achievement"], "name": "A",
                                                  "criteria": {"narrative": "n"}}},
            "credentialStatus": {"id": "https://e.org/revlist", "type": "1EdTechRevocationList"},
            "refreshService": {"id": "https://e.org/refresh", "type": "1EdTechCredentialRefresh"}}


@pytest.mark.parametrize("form", ["jwt", "eddsa-jcs-2022", "Ed25519Signature2020"])
def test_vcdm_1_1_credential_with_undefined_terms_is_a_safe_mode_failure(form: str) -> None:
    signer = ed25519_signer()
    cred = _vc11_with_undefined_terms(signer.did)
    if form == "jwt":
        data: object = sign_jws({"alg": "EdDSA", "typ": "JWT", "kid": signer.vm},
                                json.dumps({"vc": cred, "iss": signer.did, "nbf": 1700000000}).encode(), signer.key)
    elif form == "eddsa-jcs-2022":
        cred["@context"].append("https://w3id.org/security/data-integrity/v2")
        data = signer.sign(cred, form)
    else:
        # signed with the extensions context that defines them, which is then taken away
        extensions = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
        cred["@context"] += [extensions, "https://w3id.org/security/suites/ed25519-2020/v1"]
        data = signer.sign(cred, form)
        data["@context"] = [c for c in data["@context"] if c != extensions]
    report = verify(data, at=AT, refresh=False)
    assert "jsonld-safe-mode" in report.problems, report.to_json()
    assert [c.id for c in report.checks].count("jsonld.safe-mode") == 1


def test_sd_jwt_is_read_and_a_disclosure_the_issuer_never_signed_is_refused() -> None:
    # SD-JWT VC is checked now (tests/test_sd_jwt*.py); the issuer's _sd lists no digest of this disclosure
    signer = ed25519_signer()
    claims = {"iss": signer.did, "vct": "https://example.org/badge", "_sd": []}
    jwt = sign_jws({"alg": "EdDSA", "typ": "dc+sd-jwt"}, json.dumps(claims).encode(), signer.key)
    report = verify(jwt + "~WyJzYWx0IiwgImdpdmVuX25hbWUiLCAiSm9obiJd~", at=AT)
    assert report.problems == ("invalid-signature",)
    assert report.format == "sd-jwt-vc" and "SD-JWT VC" in report.checks[0].message
    assert "given_name" in (report.check("proof.signature") or report.checks[0]).message


def test_jades_sealed_credential_is_named_and_could_not_check() -> None:
    signer = ed25519_signer()
    from credentials._formats.jws import b64url_encode

    header = {"alg": "EdDSA", "sigT": "2025-01-01T00:00:00Z", "crit": ["sigT"], "kid": signer.vm}
    signing_input = (b64url_encode(json.dumps(header).encode()) + "."
                     + b64url_encode(json.dumps(ob3_credential(signer.did)).encode()))
    token = signing_input + "." + b64url_encode(signer.key.sign(signing_input.encode()))
    report = verify(token, at=AT)
    assert report.problems == ("unsupported-proof-type",)
    assert "JAdES" in report.checks[0].message


def test_a_damaged_cbor_ld_qr_text_is_malformed_and_says_why() -> None:
    # 38 base32 characters cannot be whole bytes (RFC 4648 §6); real VP1- codes: tests/test_cborld.py
    report = verify("VP1-B3ECQDYYIQ4OCAIGJQGOABGAMXR3X2FN5EXVRDX", at=AT)
    assert report.problems == ("malformed",)
    assert "CBOR-LD" in report.checks[0].message and "base32" in report.checks[0].message


def test_bbs_2023_proof_is_named_and_could_not_check() -> None:
    signer = ed25519_signer()
    doc = signer.sign(ob3_credential(signer.did))
    doc["proof"]["cryptosuite"] = "bbs-2023"
    report = verify(doc, at=AT)
    assert report.problems == ("unsupported-proof-type",)
    assert "BBS" in next(c.message for c in report.checks if c.problem)


def test_a_chain_with_a_co_signer_after_the_issuer_verifies_and_names_the_co_signer() -> None:
    """The W3C vc-di-eddsa previousProof test: a non-issuer proof chained to the issuer's."""
    issuer, notary = ed25519_signer(), ed25519_signer()
    doc = issuer.sign(ob3_credential(issuer.did), id="urn:uuid:proof-1")
    doc = notary.sign(doc, previous_proof="urn:uuid:proof-1", id="urn:uuid:proof-2")
    report = verify(doc, at=AT)
    assert report.verdict == "valid", report.problems
    assert "co-signed" in report.warnings
    assert any(notary.did[:20] in c.message for c in report.checks if c.warning == "co-signed")


def test_a_proof_set_with_no_proof_by_the_issuer_is_issuer_key_mismatch() -> None:
    issuer, one, two = ed25519_signer(), ed25519_signer(), ed25519_signer()
    doc = two.sign(one.sign(ob3_credential(issuer.did)))
    report = verify(doc, at=AT)
    assert report.problems == ("issuer-key-mismatch",)
    assert "None of its 2 signatures" in next(c.message for c in report.checks if c.problem)


def test_a_co_signed_proof_set_still_needs_every_proof_to_verify() -> None:
    issuer, notary = ed25519_signer(), ed25519_signer()
    doc = notary.sign(issuer.sign(ob3_credential(issuer.did)))
    doc["proof"][1]["proofValue"] = doc["proof"][0]["proofValue"]
    assert "invalid-signature" in verify(doc, at=AT).problems


def test_status_checked_for_a_future_time_says_it_is_as_of_now() -> None:
    from datetime import UTC, datetime, timedelta

    signer = ed25519_signer()
    entry = {"id": LIST_URL + "#7", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
             "statusListIndex": "7", "statusListCredential": LIST_URL}
    cred = signer.sign(ob3_credential(signer.did, credentialStatus=entry))
    fetcher = memory_fetcher({LIST_URL: _jwt_status_list(signer, None)})
    report = verify(cred, fetcher=fetcher, at=datetime.now(UTC) + timedelta(days=400))
    status = report.check("status.revocation")
    assert status is not None and status.problem is None
    assert "as of now" in status.message and "cannot be known yet" in status.message


def test_status_read_from_a_given_copy_never_claims_a_date_it_cannot_know(tmp_path: Path) -> None:
    """``--documents`` copies have no fetch time: a check at a future ``at`` must not say the list
    was current then (issue 16: "not revoked (as of <future date>)")."""
    from credentials import Fetcher, LocalDocuments, verify
    from issuer_stub.sample import write_sample

    write_sample(tmp_path)
    fetcher = Fetcher(None, documents=LocalDocuments.from_file(tmp_path / "web.json"))
    at = datetime(2030, 1, 1, tzinfo=UTC)
    report = verify((tmp_path / "ob3-v2-eddsa-rdfc-2022.json").read_bytes(), fetcher=fetcher, at=at)
    message = report.check("status.revocation").message
    assert report.verdict == "valid" and "copy of the list given to Satchel" in message
    assert "2030" not in message
