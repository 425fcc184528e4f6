"""SD-JWT VCs issued by our own test issuer (ES256 with did:jwk, EdDSA with did:key, an x5c chain):
what verifies, what a key binding must answer, Token Status List revocation and suspension, and
hostile input refused in bounded work."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

import credentials._formats.sd_jwt as sd_jwt_format
from credentials import (
    Concealed,
    Fetcher,
    TrustList,
    b64url_encode,
    issue_sd_jwt,
    parse_sd_jwt,
    present_sd_jwt,
    public_key_to_jwk,
    read_facts,
    sign_jws,
    verify,
)
from credentials._did import did_jwk_from_jwk, did_key_from_public_key
from credentials._status.token_status_list import MAX_LIST_BYTES
from credentials._trust import TrustedIssuer
from tests.helpers import memory_fetcher

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOW = int(AT.timestamp())
VERIFIER = "https://verifier.example.org"
LIST_URI = "https://issuer.example/status/1"


class Issuer:
    """A test issuer: its key, its DID and the kid it signs with."""

    def __init__(self, alg: str) -> None:
        self.alg = alg
        if alg == "ES256":
            self.key: Any = ec.generate_private_key(ec.SECP256R1())
            self.did = did_jwk_from_jwk(public_key_to_jwk(self.key.public_key()))
            self.kid = f"{self.did}#0"
        else:
            self.key = ed25519.Ed25519PrivateKey.generate()
            self.did = did_key_from_public_key(self.key.public_key())
            self.kid = f"{self.did}#{self.did.removeprefix('did:key:')}"

    def issue(self, holder: Any = None, **claims: Any) -> str:
        payload: dict[str, Any] = {
            "iss": self.did, "vct": "https://credentials.example.edu/wound-care", "iat": NOW - 86_400,
            "exp": NOW + 365 * 86_400,
            "achievement": Concealed({"name": "Wound care basics",
                                      "description": Concealed("Cleans and dresses simple wounds safely.")}),
            "given_name": Concealed("Ada"), "family_name": Concealed("Lovelace"),
            "skills": [Concealed("wound cleaning"), Concealed("dressing")],
        }
        if holder is not None:
            payload["cnf"] = {"jwk": public_key_to_jwk(holder.public_key())}
        payload.update(claims)
        return issue_sd_jwt(payload, self.key, {"alg": self.alg, "typ": "dc+sd-jwt", "kid": self.kid}, decoys=3)

    def status_list(self, statuses: list[int], bits: int, **extra: Any) -> bytes:
        """A Status List Token (draft-ietf-oauth-status-list §5.1) holding ``statuses``."""
        packed = bytearray((len(statuses) * bits + 7) // 8)
        for i, value in enumerate(statuses):
            packed[i * bits // 8] |= value << (i * bits % 8)
        claims = {"sub": LIST_URI, "iat": NOW - 60, "status_list": {
            "bits": bits, "lst": b64url_encode(zlib.compress(bytes(packed)))}, **extra}
        header = {"alg": self.alg, "typ": "statuslist+jwt", "kid": self.kid}
        return sign_jws(header, json.dumps(claims).encode(), self.key).encode()


@pytest.fixture(params=["ES256", "EdDSA"])
def issuer(request: pytest.FixtureRequest) -> Issuer:
    return Issuer(request.param)


@pytest.fixture
def holder() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def everything(_d: object) -> bool:
    return True


def test_our_issuers_sd_jwt_vc_verifies_and_reads_as_a_badge(issuer: Issuer) -> None:
    report = verify(issuer.issue(), at=AT)
    assert report.verdict == "valid", report.to_json()
    assert report.format == "sd-jwt-vc"
    binding = report.check("proof.key-binding")
    assert binding is not None and binding.status == "passed" and issuer.did[:20] in binding.message
    facts = read_facts(report.credential)
    assert facts.name == "Wound care basics" and facts.description.startswith("Cleans and dresses")
    assert facts.subject_name == "Ada Lovelace" and facts.issuer is not None and facts.issuer.id == issuer.did
    assert facts.issued.startswith("2026-02-28") and facts.valid_until.startswith("2027-03-01")
    assert report.credential is not None and report.credential["skills"] == ["wound cleaning", "dressing"]


def test_withheld_claims_are_not_shown_and_decoys_are_ignored(issuer: Issuer) -> None:
    issued = issuer.issue()
    shown = present_sd_jwt(issued, lambda d: d.name == "achievement")
    report = verify(shown, at=AT)
    assert report.verdict == "valid", report.to_json()
    assert report.credential is not None
    assert report.credential["achievement"] == {"name": "Wound care basics"}  # its description withheld
    assert "given_name" not in report.credential and report.credential["skills"] == []
    assert len(parse_sd_jwt(issued).payload["_sd"]) == 6  # 3 claims + 3 decoys, none of them a problem


def test_another_key_than_the_issuers_is_refused(issuer: Issuer) -> None:
    impostor = Issuer(issuer.alg)
    forged = impostor.issue(iss=issuer.did)  # claims the issuer's DID, signs with its own key and kid
    report = verify(forged, at=AT)
    assert report.problems == ("issuer-key-mismatch",)


def test_an_expired_sd_jwt_vc_is_expired(issuer: Issuer) -> None:
    report = verify(issuer.issue(exp=NOW - 10), at=AT)
    assert report.problems == ("expired",)


def test_a_selectively_disclosed_issuer_is_malformed(issuer: Issuer) -> None:
    # draft-ietf-oauth-sd-jwt-vc: iss, nbf, exp, cnf, vct and status are never selectively disclosed
    report = verify(issuer.issue(exp=Concealed(NOW + 10)), at=AT)
    assert report.problems == ("malformed",) and "'exp'" in report.checks[0].message


# -- key binding --------------------------------------------------------------------------------------


def presented(issued: str, holder: Any, *, nonce: str = "n-1", aud: str = VERIFIER, iat: int = NOW - 5) -> str:
    return present_sd_jwt(issued, everything, holder_key=holder, nonce=nonce, aud=aud, iat=iat)


def test_a_key_bound_presentation_answers_its_request(issuer: Issuer, holder: Any) -> None:
    report = verify(presented(issuer.issue(holder), holder), at=AT, challenge="n-1", domain=VERIFIER)
    assert report.verdict == "valid", report.to_json()
    assert report.format == "vp-sd-jwt" and report.nested[0].format == "sd-jwt-vc"
    assert report.check("presentation.holder") is not None


@pytest.mark.parametrize(("change", "check_id"), [
    ({"nonce": "n-0"}, "proof.challenge"),
    ({"aud": "https://elsewhere.example"}, "proof.domain"),
])
def test_a_wrong_nonce_or_audience_is_a_challenge_mismatch(issuer: Issuer, holder: Any, change: dict[str, str],
                                                         check_id: str) -> None:
    report = verify(presented(issuer.issue(holder), holder, **change), at=AT, challenge="n-1", domain=VERIFIER)
    assert report.problems == ("challenge-mismatch",)
    check = report.check(check_id)
    assert check is not None and check.problem == "challenge-mismatch"


def test_key_binding_missing_when_asked_for_is_a_challenge_mismatch(issuer: Issuer, holder: Any) -> None:
    report = verify(issuer.issue(holder), at=AT, challenge="n-1", domain=VERIFIER)
    assert report.format == "vp-sd-jwt" and report.problems == ("challenge-mismatch",)
    check = report.check("proof.challenge")
    assert check is not None and "no key binding" in check.message


def test_a_key_binding_by_someone_else_is_refused(issuer: Issuer, holder: Any) -> None:
    thief = ec.generate_private_key(ec.SECP256R1())
    report = verify(presented(issuer.issue(holder), thief), at=AT, challenge="n-1", domain=VERIFIER)
    check = report.check("presentation.holder")
    assert check is not None and check.problem == "invalid-signature"
    assert report.problems == ("invalid-signature",)


def test_a_key_binding_of_a_credential_without_holder_key_is_a_holder_mismatch(issuer: Issuer, holder: Any) -> None:
    report = verify(presented(issuer.issue(), holder), at=AT, challenge="n-1", domain=VERIFIER)
    assert report.problems == ("holder-mismatch",)


def test_a_stale_key_binding_is_expired(issuer: Issuer, holder: Any) -> None:
    stale = presented(issuer.issue(holder), holder, iat=NOW - 3600)
    report = verify(stale, at=AT, challenge="n-1", domain=VERIFIER)
    assert report.problems == ("expired",)
    check = report.check("proof.expires")
    assert check is not None and "fresh presentation" in check.message


def test_dropping_a_disclosure_after_key_binding_is_caught(issuer: Issuer, holder: Any) -> None:
    bound = presented(issuer.issue(holder), holder)
    sd = parse_sd_jwt(bound)
    stripped = bound.replace(sd.disclosures[0].encoded + "~", "", 1)
    report = verify(stripped, at=AT, challenge="n-1", domain=VERIFIER)
    check = report.check("presentation.holder")
    assert check is not None and check.problem == "invalid-signature" and "sd_hash" in check.message


# -- Token Status List ---------------------------------------------------------------------------------


def status_claim(idx: int) -> dict[str, Any]:
    return {"status_list": {"idx": idx, "uri": LIST_URI}}


@pytest.mark.parametrize(("idx", "problems", "checked"), [
    (0, (), {"status.revocation": "passed", "status.suspension": "passed"}),
    (1, ("revoked",), {"status.revocation": "failed"}),
    (2, ("suspended",), {"status.revocation": "passed", "status.suspension": "failed"}),
])
def test_token_status_list_says_valid_revoked_or_suspended(issuer: Issuer, idx: int, problems: tuple[str, ...],
                                                           checked: dict[str, str]) -> None:
    fetcher = memory_fetcher({LIST_URI: issuer.status_list([0, 1, 2, 0, 0], bits=2)})
    report = verify(issuer.issue(status=status_claim(idx)), fetcher=fetcher, at=AT)
    assert report.problems == problems, report.to_json()
    assert {c.id: str(c.status) for c in report.checks if c.id.startswith("status.")} == checked


def test_a_one_bit_status_list_reads_revocation(issuer: Issuer) -> None:
    fetcher = memory_fetcher({LIST_URI: issuer.status_list([0] * 9 + [1], bits=1)})
    assert verify(issuer.issue(status=status_claim(9)), fetcher=fetcher, at=AT).problems == ("revoked",)
    assert verify(issuer.issue(status=status_claim(8)), fetcher=fetcher, at=AT).problems == ()


@pytest.mark.parametrize(("served", "reason"), [
    (None, "could not be fetched"),
    ("someone else's list", "not signed with the issuer's key"),
    ("index beyond", "beyond the list's"),
    ("another sub", "not the list the credential names"),
    ("expired", "expired"),
])
def test_a_status_that_cannot_be_read_is_status_unknown(issuer: Issuer, served: str | None, reason: str) -> None:
    documents: dict[str, Any] = {}
    if served == "someone else's list":
        documents[LIST_URI] = Issuer(issuer.alg).status_list([0], bits=1)
    elif served == "index beyond":
        documents[LIST_URI] = issuer.status_list([0] * 8, bits=1)
    elif served == "another sub":
        documents[LIST_URI] = issuer.status_list([0], bits=1, sub="https://issuer.example/status/2")
    elif served == "expired":
        documents[LIST_URI] = issuer.status_list([0], bits=1, exp=NOW - 1)
    idx = 40 if served == "index beyond" else 0
    report = verify(issuer.issue(status=status_claim(idx)), fetcher=memory_fetcher(documents), at=AT)
    assert report.problems == ("status-unknown",) and report.verdict == "unverifiable"
    check = report.check("status.revocation")
    assert check is not None and reason in check.message, check


def test_a_zip_bomb_status_list_stops_at_the_inflation_bound() -> None:
    issuer = Issuer("EdDSA")
    bomb = zlib.compress(bytes(64 * 1024 * 1024), 9)  # 64 MB of zeros in ~64 KB
    assert len(bomb) < 100_000
    claims = {"sub": LIST_URI, "iat": NOW, "status_list": {"bits": 1, "lst": b64url_encode(bomb)}}
    token = sign_jws({"alg": "EdDSA", "typ": "statuslist+jwt", "kid": issuer.kid}, json.dumps(claims).encode(),
                     issuer.key)
    inflated: list[int] = []
    real_inflate = zlib.decompressobj

    class Counting:
        def __init__(self, *args: Any) -> None:
            self.inner = real_inflate(*args)

        def decompress(self, data: bytes, max_length: int = 0) -> bytes:
            out = self.inner.decompress(data, max_length)
            inflated.append(len(out))
            return out

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(zlib, "decompressobj", Counting)
        report = verify(issuer.issue(status=status_claim(0)), fetcher=memory_fetcher({LIST_URI: token.encode()}),
                        at=AT)
    assert report.problems == ("status-unknown",)
    check = report.check("status.revocation")
    assert check is not None and "larger than 4 MB" in check.message
    assert sum(inflated) == MAX_LIST_BYTES + 1  # the work done: one byte past the bound, never the 64 MB


# -- x5c -----------------------------------------------------------------------------------------------


def certificate(subject: str, key: Any, issuer_name: str, signer: Any, *, ca: bool, san: str | None = None
                ) -> x509.Certificate:
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(AT - timedelta(days=1)).not_valid_after(AT + timedelta(days=365))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
    return builder.sign(signer, hashes.SHA256())


def x5c_issued(san: str) -> str:
    import base64

    root_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root = certificate("Test Root CA", root_key, "Test Root CA", root_key, ca=True)
    leaf = certificate("Northside College", leaf_key, "Test Root CA", root_key, ca=False, san=san)
    chain = [base64.b64encode(c.public_bytes(Encoding.DER)).decode() for c in (leaf, root)]
    claims = {"iss": "https://issuer.example", "vct": "https://credentials.example.edu/wound-care", "iat": NOW,
              "achievement": Concealed({"name": "Wound care basics"})}
    return issue_sd_jwt(claims, leaf_key, {"alg": "ES256", "typ": "dc+sd-jwt", "x5c": chain})


def test_an_x5c_signature_verifies_but_who_it_is_needs_a_trust_list() -> None:
    issued = x5c_issued("issuer.example")
    report = verify(issued, at=AT)
    assert report.problems == ("unresolvable-key",) and report.verdict == "unverifiable"
    signature, binding = report.check("proof.signature"), report.check("proof.key-binding")
    assert signature is not None and signature.status == "passed"
    assert binding is not None and "CN=Northside College" in binding.message and "trust list" in binding.message
    trust = TrustList("the college list", (TrustedIssuer("https://issuer.example", "Northside College"),))
    trusted = verify(issued, at=AT, trust=trust)
    assert trusted.verdict == "valid", trusted.to_json()


def test_an_x5c_certificate_for_another_host_is_not_the_issuers() -> None:
    report = verify(x5c_issued("elsewhere.example"), at=AT)
    assert report.problems == ("issuer-key-mismatch",)


# -- hostile input --------------------------------------------------------------------------------------


def test_too_many_disclosures_are_refused_before_any_is_read(issuer: Issuer) -> None:
    one = parse_sd_jwt(issuer.issue()).disclosures[0].encoded
    head = issuer.issue().split("~", 1)[0]
    hostile = head + "~" + "~".join([one] * (sd_jwt_format.MAX_DISCLOSURES + 1)) + "~"
    read: list[str] = []
    real = sd_jwt_format.parse_disclosure
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sd_jwt_format, "parse_disclosure", lambda e: read.append(e) or real(e))
        report = verify(hostile, at=AT)
    assert report.problems == ("malformed",) and "more than 1000 disclosures" in report.checks[0].message
    assert read == []  # the count is judged first: no disclosure was decoded


def test_deeply_recursive_disclosures_stop_at_the_depth_bound(issuer: Issuer) -> None:
    value: Any = "bottom"
    for _ in range(sd_jwt_format.MAX_DEPTH + 5):
        value = {"inner": Concealed(value)}
    report = verify(issuer.issue(nested=Concealed(value)), at=AT)
    assert report.problems == ("malformed",)
    assert f"nested more than {sd_jwt_format.MAX_DEPTH} levels" in report.checks[0].message


def test_a_payload_with_too_many_values_stops_at_the_work_bound(issuer: Issuer) -> None:
    big = [[0] * 1000 for _ in range(sd_jwt_format.MAX_NODES // 1000 + 1)]
    report = verify(issuer.issue(big=big), at=AT)
    assert report.problems == ("malformed",)
    assert f"more than {sd_jwt_format.MAX_NODES} values" in report.checks[0].message


def test_the_offline_fetcher_is_the_only_way_out(issuer: Issuer) -> None:
    report = verify(issuer.issue(status=status_claim(0)), fetcher=Fetcher(None), at=AT)
    assert report.problems == ("status-unknown",)


def test_a_vcdm_credential_secured_as_an_sd_jwt_is_verified_only_when_typed_vc_sd_jwt(issuer: Issuer) -> None:
    """VC-JOSE-COSE §3.2.1 (tests/test_vc_sd_jwt.py): typed vc+sd-jwt it is verified as a VCDM 2.0
    credential; typed dc+sd-jwt it is neither that nor an SD-JWT VC, and is named and could-not-check."""
    claims = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
              "issuer": issuer.did, "credentialSubject": Concealed({"id": "did:example:learner"})}
    issued = issue_sd_jwt(claims, issuer.key, {"alg": issuer.alg, "typ": "vc+sd-jwt", "kid": issuer.kid})
    report = verify(issued, at=AT)
    assert report.format == "vc-sd-jwt" and report.verdict == "valid", report.to_json()
    issued = issue_sd_jwt(claims, issuer.key, {"alg": issuer.alg, "typ": "dc+sd-jwt", "kid": issuer.kid})
    report = verify(issued, at=AT)
    assert report.problems == ("unsupported-proof-type",) and "VC-JOSE-COSE" in report.checks[0].message
