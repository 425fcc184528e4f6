"""VCDM 2.0 credentials secured with SD-JWT (W3C VC-JOSE-COSE §3.2.1, ``vc+sd-jwt``), issued here
with real Ed25519 and P-256 did:key issuers: an OB 3.0 credential with some claims concealed
verifies like any VCDM 2.0 credential (JSON-LD safe mode, dates, Bitstring status list), its
Disclosures covered by the issuer's signature; enveloped and inside a presentation too; hostile
input refused in bounded work."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import credentials._formats.sd_jwt as sd_jwt_format
from credentials import (
    Concealed,
    DocumentMapTransport,
    Fetcher,
    b64url_decode,
    b64url_encode,
    envelope,
    issue_sd_jwt,
    present_sd_jwt,
    public_key_to_jwk,
    read_facts,
    verify,
)
from credentials._net import make_client
from credentials._report import CheckId
from credentials._status import encode_list, set_status
from tests.helpers import VC2, Signer, ed25519_signer, ob3_credential, p256_signer

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LIST_URL = "https://issuer.example/status/vc-sd-jwt"
VERIFIER = "https://verifier.example.org"


def _alg(signer: Signer) -> str:
    return "EdDSA" if signer.key.__class__.__name__.startswith("Ed25519") else "ES256"


def _concealed_ob3(issuer: str, **extra: Any) -> dict[str, Any]:
    """An OB 3.0 credential whose name and achievement are selectively disclosable."""
    doc = ob3_credential(issuer, **extra)
    subject = doc["credentialSubject"]
    doc["name"] = Concealed(doc["name"])
    doc["credentialSubject"] = {**subject, "achievement": Concealed(subject["achievement"])}
    return doc


def _issue(signer: Signer, claims: dict[str, Any], typ: str = "vc+sd-jwt") -> str:
    return issue_sd_jwt(claims, signer.key, {"alg": _alg(signer), "typ": typ, "kid": signer.vm})


@pytest.fixture(params=["Ed25519", "P-256"])
def signer(request: pytest.FixtureRequest) -> Signer:
    return ed25519_signer() if request.param == "Ed25519" else p256_signer()


def test_a_vc_sd_jwt_ob3_credential_verifies_and_its_facts_are_read(signer: Signer) -> None:
    token = _issue(signer, _concealed_ob3(signer.did))
    report = verify(token, at=AT)
    assert report.verdict == "valid", report.to_json()
    assert report.format == "vc-sd-jwt"
    signature = report.check(CheckId.PROOF_SIGNATURE)
    assert signature is not None and "SD-JWT signature" in signature.message
    assert report.check(CheckId.JSONLD_SAFE_MODE) is None  # no safe-mode failure
    assert report.credential is not None and report.credential["name"] == "Wound care basics"
    facts = read_facts(report.credential)
    assert facts.name == "Wound care basics" and facts.form == "Open Badge 3.0"


def test_what_the_holder_withholds_is_not_in_the_verified_credential() -> None:
    signer = ed25519_signer()
    issued = _issue(signer, _concealed_ob3(signer.did))
    only_name = present_sd_jwt(issued, lambda d: d.name == "name")
    report = verify(only_name, at=AT)
    assert report.verdict == "valid", report.to_json()
    assert report.credential is not None and "achievement" not in report.credential["credentialSubject"]


def test_a_tampered_disclosure_is_invalid_signature() -> None:
    signer = ed25519_signer()
    issued = _issue(signer, _concealed_ob3(signer.did))
    jwt, *disclosures, _ = issued.split("~")
    forged = []
    for d in disclosures:
        salt, name, value = json.loads(b64url_decode(d))
        if name == "name":
            value = "Advanced surgery"
        forged.append(b64url_encode(json.dumps([salt, name, value]).encode()))
    report = verify("~".join([jwt, *forged]) + "~", at=AT)
    assert "invalid-signature" in report.problems
    assert report.credential is not None and report.credential.get("name") != "Advanced surgery"


def test_an_issuer_in_the_payload_other_than_the_signer_is_issuer_key_mismatch() -> None:
    signer, other = ed25519_signer(), ed25519_signer()
    report = verify(_issue(signer, _concealed_ob3(other.did)), at=AT)
    assert report.problems == ("issuer-key-mismatch",)


def test_an_expired_vc_sd_jwt_is_expired() -> None:
    signer = ed25519_signer()
    report = verify(_issue(signer, _concealed_ob3(signer.did, validUntil="2026-01-01T00:00:00Z")), at=AT)
    assert report.problems == ("expired",)


def test_a_disclosed_claim_no_context_defines_is_jsonld_safe_mode() -> None:
    signer = ed25519_signer()
    claims = _concealed_ob3(signer.did)
    claims["credentialSubject"]["favouriteColour"] = Concealed("red")
    token = _issue(signer, claims)
    assert verify(token, at=AT).problems == ("jsonld-safe-mode",)
    withheld = present_sd_jwt(token, lambda d: d.name != "favouriteColour")
    assert verify(withheld, at=AT).verdict == "valid"


def _status_fetcher(signer: Signer, tmp_path: Path, revoked: int) -> Fetcher:
    bits = bytearray(16 * 1024)
    set_status(bits, revoked, 1)
    status_list = signer.sign({
        "@context": [VC2], "id": LIST_URL, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": signer.did, "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": LIST_URL + "#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": encode_list(bytes(bits))},
    })
    (tmp_path / "list.json").write_text(json.dumps(status_list), encoding="utf-8")
    return Fetcher(make_client(DocumentMapTransport({LIST_URL: "list.json"}, base=tmp_path)))


def _with_status(signer: Signer, index: int) -> str:
    return _issue(signer, _concealed_ob3(signer.did, credentialStatus={
        "id": f"{LIST_URL}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
        "statusListIndex": str(index), "statusListCredential": LIST_URL}))


def test_a_vc_sd_jwt_revoked_in_a_bitstring_status_list_is_revoked(tmp_path: Path) -> None:
    signer = ed25519_signer()
    fetcher = _status_fetcher(signer, tmp_path, revoked=7)
    assert verify(_with_status(signer, 7), fetcher=fetcher, at=AT).problems == ("revoked",)
    report = verify(_with_status(signer, 8), fetcher=fetcher, at=AT)
    assert report.verdict == "valid", report.to_json()
    check = report.check(CheckId.STATUS_REVOCATION)
    assert check is not None and check.problem is None


def test_an_enveloped_vc_sd_jwt_verifies() -> None:
    signer = p256_signer()
    wrapped = envelope(_issue(signer, _concealed_ob3(signer.did)))
    assert wrapped["id"].startswith("data:application/vc+sd-jwt,ey")
    report = verify(wrapped, at=AT)
    assert report.verdict == "valid", report.to_json()
    assert report.format == "vc-sd-jwt"


def test_a_vc_sd_jwt_inside_a_presentation_is_verified_as_its_credential() -> None:
    issuer, holder = ed25519_signer(), ed25519_signer()
    token = _issue(issuer, _concealed_ob3(issuer.did))
    token_for_holder = _issue(issuer, {**_concealed_ob3(issuer.did), "credentialSubject": {
        "id": holder.did, "type": ["AchievementSubject"],
        "achievement": Concealed(ob3_credential(issuer.did)["credentialSubject"]["achievement"])}})
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "verifiableCredential": [envelope(token_for_holder)]}
    signed = holder.sign(vp, proof_purpose="authentication", challenge="c-1", domain="d.example")
    report = verify(signed, at=AT, challenge="c-1", domain="d.example")
    assert report.verdict == "valid", report.to_json()
    assert [n.format for n in report.nested] == ["vc-sd-jwt"]
    someone_elses = {**vp, "verifiableCredential": [envelope(token)]}
    signed = holder.sign(someone_elses, proof_purpose="authentication", challenge="c-1", domain="d.example")
    assert verify(signed, at=AT, challenge="c-1", domain="d.example").problems == ("holder-mismatch",)


def test_a_key_bound_vc_sd_jwt_answers_the_verifiers_nonce_and_audience() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    signer = ed25519_signer()
    holder_key = ec.generate_private_key(ec.SECP256R1())
    claims = {**_concealed_ob3(signer.did), "cnf": {"jwk": public_key_to_jwk(holder_key.public_key())}}
    issued = _issue(signer, claims)
    now = int(AT.timestamp())
    presented = present_sd_jwt(issued, lambda d: True, holder_key=holder_key, nonce="n-1", aud=VERIFIER, iat=now)
    report = verify(presented, at=AT, challenge="n-1", domain=VERIFIER)
    assert report.verdict == "valid", report.to_json()
    assert report.format == "vp-sd-jwt" and [n.format for n in report.nested] == ["vc-sd-jwt"]
    assert verify(presented, at=AT, challenge="n-2", domain=VERIFIER).problems == ("challenge-mismatch",)
    unbound = present_sd_jwt(issued, lambda d: True)
    assert verify(unbound, at=AT, challenge="n-1").problems == ("challenge-mismatch",)


def test_a_vc_sd_jwt_naming_a_vct_without_the_vcdm_context_stays_an_sd_jwt_vc() -> None:
    """The SD-JWT VC drafts (≤ 05) used the same typ: without the VCDM 2.0 context it is one of those."""
    signer = ed25519_signer()
    claims = {"iss": signer.did, "vct": "https://credentials.example.edu/wound-care", "iat": int(AT.timestamp()),
              "name": Concealed("Wound care basics")}
    report = verify(_issue(signer, claims), at=AT)
    assert report.format == "sd-jwt-vc" and report.verdict == "valid", report.to_json()


def test_a_dc_sd_jwt_carrying_a_vcdm_credential_is_still_unsupported() -> None:
    signer = ed25519_signer()
    report = verify(_issue(signer, _concealed_ob3(signer.did), typ="dc+sd-jwt"), at=AT)
    assert report.problems == ("unsupported-proof-type",) and "VC-JOSE-COSE" in report.checks[0].message


def test_hostile_vc_sd_jwts_are_refused_in_bounded_work() -> None:
    signer = ed25519_signer()
    too_many = {**_concealed_ob3(signer.did),
                "tags": [Concealed(i) for i in range(sd_jwt_format.MAX_DISCLOSURES + 1)]}
    assert verify(_issue(signer, too_many), at=AT).problems == ("malformed",)
    deep: Any = "bottom"
    for _ in range(sd_jwt_format.MAX_DEPTH + 2):
        deep = {"inner": Concealed(deep)}
    report = verify(_issue(signer, {**_concealed_ob3(signer.did), "deep": deep}), at=AT)
    assert report.problems == ("malformed",)
    assert f"nested more than {sd_jwt_format.MAX_DEPTH} levels" in report.checks[0].message
    garbage = envelope("eyJhbGciOiJFZERTQSJ9.e30.c2ln~bm90LWpzb24~")
    assert verify(garbage, at=AT).problems == ("malformed",)


def test_a_vp_sd_jwt_is_verified_as_its_holders_presentation_with_its_credentials() -> None:
    """VC-JOSE-COSE §3.2.2: a VCDM 2.0 presentation secured with SD-JWT, signed by its holder."""
    issuer, holder = ed25519_signer(), p256_signer()
    credential = _issue(issuer, {**_concealed_ob3(issuer.did), "credentialSubject": {
        "id": holder.did, "type": ["AchievementSubject"],
        "achievement": ob3_credential(issuer.did)["credentialSubject"]["achievement"]}})
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did,
          "verifiableCredential": [Concealed(envelope(credential))]}
    token = _issue(holder, vp, typ="vp+sd-jwt")
    report = verify(token, at=AT)
    assert report.verdict == "valid", report.to_json()
    assert report.format == "vp-sd-jwt" and [n.format for n in report.nested] == ["vc-sd-jwt"]
    # It names no nonce, so it answers no verifier's request.
    assert verify(token, at=AT, challenge="n-1").problems == ("challenge-mismatch",)
    jwt, disclosure, _ = token.split("~")
    salt, value = json.loads(b64url_decode(disclosure))
    other = envelope(_issue(issuer, _concealed_ob3(issuer.did)))
    forged = b64url_encode(json.dumps([salt, other]).encode())
    assert "invalid-signature" in verify(f"{jwt}~{forged}~", at=AT).problems
    stranger = ed25519_signer()
    signed_by_stranger = issue_sd_jwt(vp, stranger.key, {"alg": "EdDSA", "typ": "vp+sd-jwt", "kid": stranger.vm})
    assert "holder-mismatch" in verify(signed_by_stranger, at=AT).problems


@pytest.mark.parametrize("typ", ["vp+sd-jwt", "vp+jwt"])
def test_a_vc_jose_presentation_answers_with_jwt_nonce_and_jti_claims(typ: str) -> None:
    """JWT claims beside the VCDM properties (nonce, jti: the VCDM 2.0 context leaves them undefined)
    are the JWT's to read, not JSON-LD's; the nonce is still the answer to the verifier's challenge."""
    from credentials._formats.jws import sign_jws

    issuer, holder = ed25519_signer(), p256_signer()
    credential = _issue(issuer, {**ob3_credential(issuer.did), "credentialSubject": {
        "id": holder.did, "type": ["AchievementSubject"],
        "achievement": ob3_credential(issuer.did)["credentialSubject"]["achievement"]}})

    def presented(**claims: Any) -> str:
        vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did,
              "verifiableCredential": [envelope(credential)], "jti": "urn:uuid:5b1c0e9e", **claims}
        if typ == "vp+sd-jwt":
            return _issue(holder, vp, typ=typ)
        return sign_jws({"alg": "ES256", "typ": typ, "kid": holder.vm}, json.dumps(vp).encode(), holder.key)

    token = presented(nonce="n-1", aud=VERIFIER)
    report = verify(token, at=AT, challenge="n-1", domain=VERIFIER)
    assert report.verdict == "valid", report.to_json()
    assert verify(token, at=AT, challenge="n-2", domain=VERIFIER).problems == ("challenge-mismatch",)
    # Anything but a string under those names is data the contexts must define, and they do not.
    hidden = presented(nonce={"said": "more"}, aud=VERIFIER)
    assert "jsonld-safe-mode" in verify(hidden, at=AT, domain=VERIFIER).problems


def test_the_verifiers_history_names_the_format_in_words(tmp_path: Path) -> None:
    from verifier.history import FORMAT_WORDS, History, pdf_report

    signer = ed25519_signer()
    report = verify(_issue(signer, _concealed_ob3(signer.did)), at=AT)
    entry = History.open(tmp_path).add(report, "paste")
    assert FORMAT_WORDS[entry.facts.format] == "Verifiable Credential (SD-JWT)"
    assert pdf_report(entry, unicode=False).startswith(b"%PDF-")
