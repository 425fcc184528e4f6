"""SD-JWT (RFC 9901) as the RFC's own examples show it: digests, processing, key binding, and the
examples verified end to end (tests/data/sd_jwt/README.md says where each comes from)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from credentials import (
    DocumentMapTransport,
    Fetcher,
    MalformedError,
    UnsupportedProofError,
    b64url_encode,
    parse_sd_jwt,
    process_disclosures,
    read_facts,
    verify,
)
from credentials._formats.sd_jwt import digest_of, sd_hash_of

DATA = Path(__file__).parent / "data" / "sd_jwt"
# RFC 9901 Appendix A.5: the issuer key of every example.
A5_KEY = {"kty": "EC", "crv": "P-256", "x": "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
          "y": "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8"}
PID_ISSUER = "https://pid-issuer.bund.de.example"
KB_MADE = datetime.fromtimestamp(1748537243, UTC)  # the iat of the examples' Key Binding JWTs
NONCE, AUD = "1234567890", "https://verifier.example.org"


def vector(name: str) -> str:
    return (DATA / f"{name}.txt").read_text().strip()


def pid_issuer_metadata(tmp_path: Path, issuer: str = PID_ISSUER) -> Fetcher:
    """The A.3 issuer's JWT VC Issuer Metadata, served from a file (no network)."""
    meta = tmp_path / "jwt-vc-issuer.json"
    meta.write_text(json.dumps({"issuer": issuer, "jwks": {"keys": [A5_KEY]}}))
    url = f"{PID_ISSUER}/.well-known/jwt-vc-issuer"
    return Fetcher(httpx.Client(transport=DocumentMapTransport({url: meta})))


# RFC 9901 §5.1: each Disclosure's "SHA-256 Hash", as the RFC lists them.
SECTION_5_1_DIGESTS = {
    "given_name": "jsu9yVulwQQlhFlM_3JlzMaSFzglhQG0DpfayQwLUK4",
    "family_name": "TGf4oLbgwd5JQaHyKVQZU9UdGE0w5rtDsrZzfUaomLo",
    "email": "JzYjH4svliH0R3PyEMfeZu6Jt69u5qehZo7F7EPYlSE",
    "phone_number": "PorFbpKuVu6xymJagvkFsFXAbRoc2JGlAUA2BA4o7cI",
    "phone_number_verified": "XQ_3kPKt1XyX7KANkqVR6yZ2Va5NrPIvPYbyMvRKBMM",
    "address": "XzFrzwscM6Gn6CJDc6vVK8BkMnfG8vOSKfpPIZdAfdE",
    "birthdate": "gbOsI4Edq2x2Kw-w5wPEzakob9hV1cRD0ATN3oQL9JM",
    "updated_at": "CrQe7S5kqBAHt-nMYXgc6bdt2SH5aTY1sU_M-PgkjPI",
    "US": "pFndjkZ_VCzmyTa6UjlZo3dh-ko8aIKQc9DlGzhaVYo",
    "DE": "7Cf6JkPudry3lcbwHgeZ8khAv1U1OSlerP0VkBJrWZ0",
}


def test_disclosure_digests_are_the_ones_rfc9901_section_5_1_lists() -> None:
    sd_jwt = parse_sd_jwt(vector("rfc9901_5_1_issued"))
    found = {(d.name or d.value): digest_of(d.encoded) for d in sd_jwt.disclosures}
    assert found == SECTION_5_1_DIGESTS
    # §4.2.2: the two nationalities are array elements, [salt, value]
    assert [d.value for d in sd_jwt.disclosures if d.name is None] == ["US", "DE"]


def test_section_5_2_presentation_processes_to_the_rfcs_payload_and_sd_hash() -> None:
    sd_jwt = parse_sd_jwt(vector("rfc9901_5_2_presented"))
    # §5.2 "After validation, the Verifier will have the following Processed SD-JWT Payload"
    assert process_disclosures(sd_jwt) == {
        "iss": "https://issuer.example.com", "iat": 1683000000, "exp": 1883000000, "sub": "user_42",
        "nationalities": ["US"],
        "cnf": {"jwk": {"kty": "EC", "crv": "P-256", "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc",
                        "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ"}},
        "family_name": "Doe",
        "address": {"street_address": "123 Main St", "locality": "Anytown", "region": "Anystate", "country": "US"},
        "given_name": "John",
    }
    # §5.2: the Key Binding JWT's sd_hash, over the SD-JWT as presented (§4.3.1)
    assert sd_jwt.kb_payload["sd_hash"] == "G3I8z-cFMATAK2ep8MXWk-vnjI3X6-aahYeU9Tvzz3E"
    assert sd_hash_of(sd_jwt.presented) == sd_jwt.kb_payload["sd_hash"]


def test_appendix_a3_recursive_disclosures_process_to_the_rfcs_payload() -> None:
    sd_jwt = parse_sd_jwt(vector("rfc9901_a3_presented"))
    processed = process_disclosures(sd_jwt)
    # A.3: age_equal_or_over is disclosed with one of its own recursively disclosed claims
    assert processed["age_equal_or_over"] == {"18": True}
    assert processed["nationalities"] == ["DE"]
    assert set(processed) == {"iss", "iat", "exp", "vct", "cnf", "age_equal_or_over", "nationalities"}


def test_appendix_a3_sd_jwt_vc_verifies_with_the_issuers_metadata_key(tmp_path: Path) -> None:
    report = verify(vector("rfc9901_a3_issued"), fetcher=pid_issuer_metadata(tmp_path), at=KB_MADE)
    assert report.verdict == "valid", report.to_json()
    assert report.format == "sd-jwt-vc"
    assert report.credential is not None and report.credential["given_name"] == "Erika"
    signature = report.check("proof.signature")
    assert signature is not None and "27 disclosed claims" in signature.message
    assert report.check("proof.key-binding") is not None
    facts = read_facts(report.credential)
    assert facts.form == "SD-JWT VC" and facts.kind == "urn:eudi:pid:de:1"
    assert facts.subject_name == "Erika Mustermann" and facts.issuer is not None and facts.issuer.id == PID_ISSUER


def test_appendix_a3_presentation_answers_the_request_it_was_made_for(tmp_path: Path) -> None:
    fetcher = pid_issuer_metadata(tmp_path)
    report = verify(vector("rfc9901_a3_presented"), fetcher=fetcher, at=KB_MADE, challenge=NONCE, domain=AUD)
    assert report.verdict == "valid", report.to_json()
    assert report.format == "vp-sd-jwt" and [n.format for n in report.nested] == ["sd-jwt-vc"]
    assert {c.id for c in report.checks} >= {"presentation.holder", "proof.challenge", "proof.domain"}
    other = verify(vector("rfc9901_a3_presented"), fetcher=fetcher, at=KB_MADE, challenge="another", domain=AUD)
    assert other.problems == ("challenge-mismatch",)
    elsewhere = verify(vector("rfc9901_a3_presented"), fetcher=fetcher, at=KB_MADE, challenge=NONCE,
                       domain="https://other.example")
    assert elsewhere.problems == ("challenge-mismatch",)
    check = elsewhere.check("proof.domain")
    assert check is not None and "https://other.example" in check.message


def test_metadata_of_another_issuer_does_not_vouch_for_the_key(tmp_path: Path) -> None:
    fetcher = pid_issuer_metadata(tmp_path, issuer="https://someone-else.example")
    report = verify(vector("rfc9901_a3_issued"), fetcher=fetcher, at=KB_MADE)
    assert report.problems == ("unresolvable-key",)


def test_offline_the_issuers_key_could_not_be_checked() -> None:
    report = verify(vector("rfc9901_a3_issued"), fetcher=Fetcher(None), at=KB_MADE)
    assert report.verdict == "unverifiable" and report.problems == ("unresolvable-key",)


def _reencoded(contents: list[object]) -> str:
    return b64url_encode(json.dumps(contents).encode())


def test_a_changed_disclosure_is_not_covered_by_the_signature(tmp_path: Path) -> None:
    issued = vector("rfc9901_a3_issued")
    sd_jwt = parse_sd_jwt(issued)
    given = next(d for d in sd_jwt.disclosures if d.name == "given_name")
    tampered = issued.replace(given.encoded, _reencoded([given.salt, "given_name", "Mallory"]))
    report = verify(tampered, fetcher=pid_issuer_metadata(tmp_path), at=KB_MADE)
    assert report.problems == ("invalid-signature",)
    check = report.check("proof.signature")
    assert check is not None and "given_name" in check.message and "not one the issuer signed" in check.message
    assert report.credential is not None and "given_name" not in report.credential  # never shown as signed


def test_a_changed_disclosure_also_breaks_the_key_binding(tmp_path: Path) -> None:
    presented = vector("rfc9901_a3_presented")
    sd_jwt = parse_sd_jwt(presented)
    nationality = next(d for d in sd_jwt.disclosures if d.name == "nationalities")
    forged = presented.replace(nationality.encoded, _reencoded([nationality.salt, "nationalities", ["FR"]]))
    report = verify(forged, fetcher=pid_issuer_metadata(tmp_path), at=KB_MADE, challenge=NONCE, domain=AUD)
    holder = report.check("presentation.holder")
    assert holder is not None and holder.problem == "invalid-signature" and "sd_hash" in holder.message
    assert "invalid-signature" in report.nested[0].problems


def test_a_disclosure_sent_twice_is_malformed() -> None:
    issued = vector("rfc9901_5_1_issued")
    first = parse_sd_jwt(issued).disclosures[0].encoded
    report = verify(issued + first + "~", at=KB_MADE)
    assert report.problems == ("malformed",)
    assert "twice" in report.checks[0].message


def test_a_claim_both_in_the_clear_and_disclosed_is_malformed() -> None:
    # RFC 9901 §7.1 step 3.3.2.3: the §5.1 payload has "sub" in the clear; a digest for another "sub"
    # cannot be added without re-signing, so the rule is checked on the processing itself.
    sd_jwt = parse_sd_jwt(vector("rfc9901_5_1_issued"))
    from dataclasses import replace

    from credentials._formats.sd_jwt import parse_disclosure

    extra = parse_disclosure(_reencoded(["c2FsdA", "sub", "someone_else"]))
    payload = {**sd_jwt.payload, "_sd": [*sd_jwt.payload["_sd"], digest_of(extra.encoded)]}
    with pytest.raises(MalformedError, match="both disclosed and in the clear"):
        process_disclosures(replace(sd_jwt, payload=payload, disclosures=(*sd_jwt.disclosures, extra)))


@pytest.mark.parametrize(("contents", "reason"), [
    (["c2FsdA", "_sd", ["x"]], "reserved claim '_sd'"),
    (["c2FsdA", "...", 1], "reserved claim '...'"),
    (["c2FsdA", "lonely value"], "has no claim name"),
])
def test_disclosures_that_break_the_section_7_1_rules_are_malformed(contents: list[object], reason: str) -> None:
    from dataclasses import replace

    from credentials._formats.sd_jwt import parse_disclosure

    sd_jwt = parse_sd_jwt(vector("rfc9901_5_1_issued"))
    bad = parse_disclosure(_reencoded(contents))
    payload = {**sd_jwt.payload, "_sd": [digest_of(bad.encoded)]}
    with pytest.raises(MalformedError, match=reason):
        process_disclosures(replace(sd_jwt, payload=payload, disclosures=(bad,)))


def test_an_object_disclosure_in_an_array_is_malformed() -> None:
    from dataclasses import replace

    from credentials._formats.sd_jwt import parse_disclosure

    sd_jwt = parse_sd_jwt(vector("rfc9901_5_1_issued"))
    bad = parse_disclosure(_reencoded(["c2FsdA", "name", "value"]))
    payload = {"nationalities": [{"...": digest_of(bad.encoded)}]}
    with pytest.raises(MalformedError, match="array element's disclosure has a claim name"):
        process_disclosures(replace(sd_jwt, payload=payload, disclosures=(bad,)))


def test_a_hash_algorithm_it_does_not_accept_is_named() -> None:
    from dataclasses import replace

    sd_jwt = parse_sd_jwt(vector("rfc9901_5_1_issued"))
    with pytest.raises(UnsupportedProofError, match="md5"):
        process_disclosures(replace(sd_jwt, payload={**sd_jwt.payload, "_sd_alg": "md5"}))


@pytest.mark.parametrize("text", [
    "eyJhbGciOiJFUzI1NiJ9.e30.c2ln~not base64~",
    "eyJhbGciOiJFUzI1NiJ9.e30.c2ln~WyJzYWx0Il0~",  # a one-element array
    "eyJhbGciOiJFUzI1NiJ9.e30.c2ln~WzEsICJuYW1lIiwgMl0~",  # salt not a string
])
def test_unreadable_sd_jwts_are_malformed_with_a_reason(text: str) -> None:
    report = verify(text, at=KB_MADE)
    assert report.problems == ("malformed",)
    assert report.checks[0].message.startswith("Not a credential Satchel can read")
