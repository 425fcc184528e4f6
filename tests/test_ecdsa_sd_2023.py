"""ecdsa-sd-2023 (W3C vc-di-ecdsa 1.0 §3.4-§3.6): the spec's test vectors, tampering, hostile
proof values, and our own base -> derive -> verify round trips through the pipeline.

The vectors (tests/data/ecdsa_sd_2023/README.md: source commit) fix the issuer key, the
proof-scoped key and the HMAC key, and were made with deterministic ECDSA, so our base proof and
our derivation can be compared with theirs byte for byte.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import (
    MalformedError,
    SdBaseProofKey,
    UnsupportedProofError,
    derive_selective_disclosure,
    has_sd_base_proof,
    verify,
)
from credentials._encoding import b64url_encode
from credentials._multiformats import decode_multikey, multibase_decode
from credentials._proofs import ProofOptions, add_proof
from credentials._proofs import ecdsa_sd_2023 as sd
from credentials._proofs._data_integrity import without_proof
from tests.helpers import ed25519_signer, ob3_credential, p256_signer

DATA = Path(__file__).parent / "data" / "ecdsa_sd_2023"
AT = datetime(2026, 11, 22, tzinfo=UTC)
# Inside both vectors' validity periods (the permanent resident card's ends on 2025-12-16).
VECTOR_AT = datetime(2025, 6, 1, tzinfo=UTC)
VECTORS = {  # name: (mandatory pointers, selective pointers)
    "employ": ("employMandatory.json", "employSelective.json"),
    "prc": ("prCredMandatory.json", "prCredSelective.json"),
}


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def secret_key(multibase: str) -> ec.EllipticCurvePrivateKey:
    raw = multibase_decode(multibase)
    assert raw[:2] == b"\x86\x26"  # multicodec p256-priv (0x1306) as a varint
    return ec.derive_private_key(int.from_bytes(raw[2:], "big"), ec.SECP256R1())


KEYS = load("SDKeyMaterial.json")
ISSUER_KEY = secret_key(KEYS["baseKeyPair"]["secretKeyMultibase"])
PROOF_KEY = secret_key(KEYS["proofKeyPair"]["secretKeyMultibase"])
ISSUER_PUBLIC = decode_multikey(KEYS["baseKeyPair"]["publicKeyMultibase"])
HMAC_KEY = bytes.fromhex(KEYS["hmacKeyString"])


def signed_base(name: str) -> dict[str, Any]:
    return dict(load(f"{name}_addSignedSDBase.json"))


def derived_vector(name: str) -> dict[str, Any]:
    return dict(load(f"{name}_derivedRevealDocument.json"))


def verify_suite(doc: dict[str, Any], key: Any = ISSUER_PUBLIC) -> bool:
    return sd.verify_proof(without_proof(doc), doc["proof"], key)


def with_derived(doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``doc`` with its derived proof value rebuilt with some components changed."""
    value = sd.parse_derived_proof_value(doc["proof"]["proofValue"])
    fields = {"base_signature": value.base_signature, "public_key": value.public_key,
              "signatures": value.signatures, "label_map": value.label_map,
              "mandatory_indexes": value.mandatory_indexes, **changes}
    out = copy.deepcopy(doc)
    out["proof"]["proofValue"] = sd.serialize_derived_proof_value(sd.DerivedProofValue(**fields))
    return out


def hostile_value(header: bytes, body: bytes) -> str:
    return "u" + b64url_encode(header + body)


# -- the W3C test vectors --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_our_base_proof_with_the_vectors_keys_is_their_base_proof_byte_for_byte(name: str) -> None:
    mandatory_file, _ = VECTORS[name]
    theirs = signed_base(name)["proof"]
    options = ProofOptions(verification_method=theirs["verificationMethod"],
                           created=datetime.fromisoformat(theirs["created"]))
    key = SdBaseProofKey(ISSUER_KEY, tuple(load(mandatory_file)), HMAC_KEY, PROOF_KEY)
    ours = add_proof(without_proof(signed_base(name)), "ecdsa-sd-2023", key, options)
    assert ours["proof"] == theirs
    assert sd.parse_base_proof_value(ours["proof"]["proofValue"]).mandatory_pointers == ("/issuer",)


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_our_derivation_from_their_base_is_their_derived_document(name: str) -> None:
    selective = load(VECTORS[name][1])
    ours = derive_selective_disclosure(signed_base(name), selective)
    theirs = derived_vector(name)
    assert ours["proof"]["proofValue"] == theirs["proof"]["proofValue"]
    assert ours == theirs
    assert derive_selective_disclosure(signed_base(name), selective) == ours  # nothing random in a derivation


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_their_derived_proof_verifies_and_the_pipeline_reports_its_signature_intact(name: str) -> None:
    doc = derived_vector(name)
    assert verify_suite(doc)
    report = verify(doc, at=VECTOR_AT)
    assert report.check("proof.signature").status == "passed"
    assert "ecdsa-sd-2023 signature" in report.check("proof.signature").message
    # The vectors' issuer (did:key:zDnaeg…/zDnaeT…) is not the key's controller (did:key:zDnaep…).
    assert report.problems == ("issuer-key-mismatch",)


def test_derived_vector_says_what_it_discloses_and_nothing_else() -> None:
    doc = derived_vector("employ")
    subject = doc["credentialSubject"]
    assert subject["birthCountry"] == "Bahamas"
    assert "givenName" not in subject and "birthDate" not in subject
    base = sd.parse_base_proof_value(signed_base("employ")["proof"]["proofValue"])
    derived = sd.parse_derived_proof_value(doc["proof"]["proofValue"])
    assert len(base.signatures) == 20 and len(derived.signatures) == 6
    assert derived.mandatory_indexes == (0, 4, 5, 7)


# -- tampering ---------------------------------------------------------------------------------------


def test_a_changed_disclosed_value_is_invalid() -> None:
    doc = derived_vector("employ")
    doc["credentialSubject"]["birthCountry"] = "Atlantis"
    assert not verify_suite(doc)
    assert verify(doc, at=VECTOR_AT).problems == ("invalid-signature",)


def test_a_changed_mandatory_value_is_invalid() -> None:
    doc = derived_vector("employ")
    doc["issuer"]["image"] = doc["issuer"]["image"].replace("iVBOR", "iVBOX")
    assert not verify_suite(doc)


def test_a_removed_mandatory_statement_is_invalid() -> None:
    doc = derived_vector("employ")
    del doc["issuer"]["image"]
    with pytest.raises(MalformedError, match="6 signatures for 5 disclosed statements"):
        verify_suite(doc)
    # Counted as one mandatory statement fewer, the signatures add up, but the base signature
    # covers the hash of all four mandatory statements.
    assert not verify_suite(with_derived(doc, mandatory_indexes=(0, 4, 5)))
    assert verify(doc, at=VECTOR_AT).problems == ("invalid-signature",)


def test_a_claim_the_holder_did_not_disclose_cannot_be_added_back_even_with_its_true_value() -> None:
    doc = derived_vector("employ")
    doc["credentialSubject"]["givenName"] = "JOHN"  # what the base credential says
    with pytest.raises(MalformedError, match="6 signatures for 7 disclosed statements"):
        verify_suite(doc)


def test_swapped_signatures_are_invalid() -> None:
    doc = derived_vector("employ")
    sigs = list(sd.parse_derived_proof_value(doc["proof"]["proofValue"]).signatures)
    sigs[0], sigs[1] = sigs[1], sigs[0]
    assert not verify_suite(with_derived(doc, signatures=tuple(sigs)))


def test_a_signature_from_another_proof_scoped_key_is_invalid() -> None:
    doc = derived_vector("employ")
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    assert not verify_suite(with_derived(doc, public_key=sd._multikey_bytes(other)))


def test_the_wrong_issuer_key_is_invalid() -> None:
    doc = derived_vector("employ")
    assert not verify_suite(doc, ec.generate_private_key(ec.SECP256R1()).public_key())
    with pytest.raises(UnsupportedProofError, match="secp384r1"):
        verify_suite(doc, ec.generate_private_key(ec.SECP384R1()).public_key())


def test_a_changed_proof_option_is_invalid() -> None:
    doc = derived_vector("employ")
    doc["proof"]["created"] = "2024-01-01T00:00:00Z"
    assert not verify_suite(doc)


def test_a_label_map_that_moves_blank_nodes_is_invalid() -> None:
    doc = derived_vector("employ")
    labels = sd.parse_derived_proof_value(doc["proof"]["proofValue"]).label_map
    swapped = {"c14n0": labels["c14n1"], "c14n1": labels["c14n0"]}
    assert not verify_suite(with_derived(doc, label_map=swapped))
    with pytest.raises(MalformedError, match="no label for blank node _:c14n1"):
        verify_suite(with_derived(doc, label_map={"c14n0": labels["c14n0"]}))


# -- a base proof shown to a verifier -------------------------------------------------------------


def test_a_base_proof_is_refused_by_a_verifier_saying_what_to_ask_for() -> None:
    base = signed_base("employ")
    assert has_sd_base_proof(base) and not has_sd_base_proof(derived_vector("employ"))
    with pytest.raises(UnsupportedProofError, match="holder's own copy"):
        verify_suite(base)
    report = verify(base, at=VECTOR_AT)
    check = report.check("proof.signature")
    assert (report.verdict, check.status, check.problem) == ("unverifiable", "could-not-check",
                                                             "unsupported-proof-type")
    assert "vc-di-ecdsa 1.0 §3.6.5" in check.message and "share it again from their wallet" in check.message


def test_a_derived_proof_cannot_be_derived_from_again() -> None:
    with pytest.raises(MalformedError, match="derived ecdsa-sd-2023 proof, not a base proof"):
        derive_selective_disclosure(derived_vector("employ"), ["/validFrom"])


# -- hostile proof values: refused by their bounds, before any canonicalization or signature --------


def test_a_proof_value_longer_than_any_credential_needs_is_refused_unread() -> None:
    doc = derived_vector("employ")
    doc["proof"]["proofValue"] = "u" + "A" * sd.MAX_PROOF_VALUE_CHARS
    with pytest.raises(MalformedError, match="1,000,001 characters long"):
        verify_suite(doc)
    assert verify(doc, at=VECTOR_AT).problems == ("invalid-signature",)


def test_more_signatures_than_the_statement_bound_are_refused_unread() -> None:
    # 10,001 signatures of 64 bytes fit in the length bound; the count bound refuses them.
    body = cbor2.dumps([b"\0" * 64, b"\x80\x24" + b"\2" * 33, [b"\1" * 64] * (sd.MAX_STATEMENTS + 1), {}, []])
    value = hostile_value(sd.DERIVED_HEADER, body)
    assert len(value) <= sd.MAX_PROOF_VALUE_CHARS
    with pytest.raises(MalformedError, match="not a list of at most 10,000"):
        sd.parse_derived_proof_value(value)


@pytest.mark.parametrize(("body", "words"), [
    (b"\x9b" + b"\xff" * 8, "not well-formed CBOR"),  # an array of 2^64-1 items, none there
    (b"\x81" * 100_000 + b"\x00", "nesting depth"),  # 100,000 nested arrays
    (b"\xa1\x00" * 50_000 + b"\x00", "nesting depth"),  # 50,000 nested maps
    (cbor2.dumps([1, 2, 3]), "array of five components"),
    (cbor2.dumps([b"\0" * 64, b"\0" * 35, [], {0: b"\0" * 31}, []]), "32-byte HMAC labels"),
    (cbor2.dumps([b"\0" * 64, b"\0" * 35, [], {}, [-1]]), "mandatory indexes"),
    (cbor2.dumps([b"\0" * 63, b"\0" * 35, [], {}, []]), "base signature is not a 64-byte value"),
    (cbor2.dumps([b"\0" * 64, b"\0" * 35, [b"\0" * 64], cbor2.CBORTag(64, b"\0"), []]), "label map"),
])
def test_hostile_derived_proof_values_get_a_clear_error(body: bytes, words: str) -> None:
    with pytest.raises(MalformedError, match=words):
        sd.parse_derived_proof_value(hostile_value(sd.DERIVED_HEADER, body))


def test_a_proof_value_with_another_header_or_encoding_is_malformed() -> None:
    with pytest.raises(MalformedError, match="unknown header"):
        sd.parse_derived_proof_value(hostile_value(b"\xd9\x5d\x02", cbor2.dumps([])))
    with pytest.raises(MalformedError, match="starts with 'u'"):
        sd.parse_derived_proof_value("z3yQ")


def test_mandatory_indexes_past_the_disclosed_statements_are_malformed() -> None:
    doc = derived_vector("employ")
    with pytest.raises(MalformedError, match="mandatory statements the credential does not have"):
        verify_suite(with_derived(doc, mandatory_indexes=(0, 4, 5, 7, 10_000)))


# -- our own base -> derive -> verify, through the pipeline ------------------------------------------


@pytest.fixture(scope="module")
def issued() -> dict[str, Any]:
    signer = p256_signer()
    doc = ob3_credential(signer.did, validUntil="2030-01-01T00:00:00Z")
    doc["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "Clean technique", "targetUrl": "https://example.edu/a/1"},
        {"type": ["Alignment"], "targetName": "Dressing choice", "targetUrl": "https://example.edu/a/2"},
    ]
    key = SdBaseProofKey(signer.key, ("/issuer", "/credentialSubject/id", "/credentialSubject/type"))
    return add_proof(doc, "ecdsa-sd-2023", key, ProofOptions(verification_method=signer.vm))


@pytest.mark.parametrize(("pointers", "shown", "hidden"), [
    (None, ["name", "validFrom", "validUntil", "credentialSubject"], []),
    ([], ["issuer", "credentialSubject"], ["name", "validFrom"]),
    (["/name", "/validFrom"], ["name", "validFrom"], ["validUntil"]),
    (["/credentialSubject/achievement/name"], ["credentialSubject"], ["name", "validUntil"]),
    (["/credentialSubject/achievement/alignment/1/targetName"], ["credentialSubject"], ["name"]),
])
def test_our_base_derives_selections_that_verify_and_show_only_what_was_chosen(
        issued: dict[str, Any], pointers: list[str] | None, shown: list[str], hidden: list[str]) -> None:
    derived = derive_selective_disclosure(issued, pointers)
    report = verify(derived, at=AT)
    assert (report.verdict, report.problems) == ("valid", ())
    assert all(k in derived for k in shown) and not any(k in derived for k in hidden)
    assert derived["issuer"] == issued["issuer"]  # mandatory
    assert derived["credentialSubject"]["id"] == issued["credentialSubject"]["id"]
    if pointers == ["/credentialSubject/achievement/alignment/1/targetName"]:
        assert derived["credentialSubject"]["achievement"]["alignment"] == [
            {"type": ["Alignment"], "targetName": "Dressing choice"}]
    if pointers is None:
        assert without_proof(derived) == without_proof(issued)


def test_our_base_is_refused_by_the_pipeline_and_our_derivation_tampered_is_invalid(issued: dict[str, Any]) -> None:
    assert verify(issued, at=AT).problems == ("unsupported-proof-type",)
    derived = derive_selective_disclosure(issued, ["/credentialSubject/achievement/alignment/0/targetUrl"])
    derived["credentialSubject"]["achievement"]["alignment"][0]["targetUrl"] = "https://example.edu/a/2"
    assert verify(derived, at=AT).problems == ("invalid-signature",)


def test_each_derivation_has_fresh_nothing_but_the_same_hmac_labels(issued: dict[str, Any]) -> None:
    """Blank nodes keep the issuer's HMAC labels (§3.4.4) whatever is disclosed: two selections
    of the same alignment name it by the same label."""
    one = sd.parse_derived_proof_value(derive_selective_disclosure(
        issued, ["/credentialSubject/achievement/alignment/0/targetName"])["proof"]["proofValue"])
    two = sd.parse_derived_proof_value(derive_selective_disclosure(
        issued, ["/credentialSubject/achievement/alignment/0"])["proof"]["proofValue"])
    assert set(one.label_map.values()) == set(two.label_map.values())
    assert one.base_signature == two.base_signature


@pytest.mark.parametrize(("pointer", "words"), [
    ("/credentialSubject/nickname", "names nothing in the credential"),
    ("/credentialSubject/achievement/alignment/2", "names nothing in the credential"),
    ("/credentialSubject/achievement/alignment/01", "names nothing in the credential"),
    ("credentialSubject", "starts with '/'"),
    ("/credentialSubject/~2x", "'~' that is not ~0 or ~1"),
    ("", "starts with '/'"),
])
def test_a_pointer_that_names_nothing_is_a_clear_error(issued: dict[str, Any], pointer: str, words: str) -> None:
    with pytest.raises(MalformedError, match=words):
        derive_selective_disclosure(issued, [pointer])


def test_a_credential_without_an_sd_base_proof_cannot_be_derived() -> None:
    signer = p256_signer()
    plain = signer.sign(ob3_credential(signer.did), "ecdsa-rdfc-2019")
    assert not has_sd_base_proof(plain)
    with pytest.raises(MalformedError, match="no ecdsa-sd-2023 proof"):
        derive_selective_disclosure(plain)


def test_a_base_proof_needs_a_p256_key() -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(UnsupportedProofError):
        add_proof(ob3_credential("did:example:x"), "ecdsa-sd-2023", key, ProofOptions(verification_method="x"))


def test_an_ecdsa_sd_2023_proof_made_with_an_ed25519_key_is_a_broken_proof_not_an_unknown_suite() -> None:
    # Once listed as a suite Satchel could not check (tests/test_conformance.py), now checked.
    signer = ed25519_signer()
    doc = signer.sign(ob3_credential(signer.did))
    doc["proof"]["cryptosuite"] = "ecdsa-sd-2023"
    report = verify(doc, at=AT)
    assert report.problems == ("invalid-signature",)
    assert "ecdsa-sd-2023 needs an ECDSA key" in report.check("proof.signature").message
