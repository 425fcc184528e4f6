"""End to end, StatusList2021: the issuer stub runs as a real process on a free loopback port and issues
the ``ob3-v1-statuslist2021`` form (VCDM 1.1 + Ed25519Signature2020, one StatusList2021Entry for
revocation); the engine verifies it over real HTTP against the stub's StatusList2021Credential at
/status/2021/revocation, then after a revocation, with the list unreachable, and with it tampered with.

VC Status List 2021 (W3C CCG, Bitstring Status List's predecessor) differs from Bitstring Status List
in its type names, its context (https://w3id.org/vc/status-list/2021/v1) and in ``encodedList``:
base64url of the GZIP-compressed bitstring with no multibase prefix.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from credentials._net import LocalDocuments
from credentials._proofs import ProofOptions, add_proof
from credentials._report import Status
from credentials._status.bitstring import read_status, set_status
from issuer_stub.keys import ED25519_2020_FRAGMENT, issuer_keys
from issuer_stub.ob3 import encode_list_2021
from issuer_stub.state import State
from tests.stub_server import Overlay, Stub, json_rewrite, verify_live

FORM = "ob3-v1-statuslist2021"
LIST_PATH = "/status/2021/revocation"


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("issuer-state-2021")


@pytest.fixture(scope="module")
def stub(state_dir: Path) -> Iterator[Stub]:
    s = Stub(state_dir)
    try:
        yield s
    finally:
        s.stop()


def problems(data: Any, transport: Any = None, documents: LocalDocuments | None = None) -> tuple[str, ...]:
    return verify_live(data, transport, documents).problems


def decode_2021(encoded: str) -> bytes:
    assert not encoded.startswith("u"), "StatusList2021 encodedList has no multibase prefix"
    return gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def with_bit(encoded: str, index: int, value: int) -> str:
    bits = bytearray(decode_2021(encoded))
    set_status(bits, index, value)
    return encode_list_2021(bytes(bits))


def resign_as_issuer(stub: Stub, state_dir: Path, doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` signed again with the stub's own Ed25519 key (what only the issuer could do)."""
    state = State.in_dir(state_dir)
    try:
        keys = issuer_keys(state, stub.base)
    finally:
        state.close()
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    return add_proof(unsigned, "Ed25519Signature2020", keys.ed25519_key,
                     ProofOptions(verification_method=keys.method(ED25519_2020_FRAGMENT),
                                  created=datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)))


# -- what the stub issues and serves -----------------------------------------------------------------


def test_the_form_names_one_statuslist2021_entry(stub: Stub) -> None:
    issued = stub.issue(FORM)
    cred = issued["credential"]
    assert "https://w3id.org/vc/status-list/2021/v1" in cred["@context"]
    assert cred["proof"]["type"] == "Ed25519Signature2020" and "issuanceDate" in cred
    index = issued["statusListIndex"]
    assert cred["credentialStatus"] == {"id": f"{stub.base}{LIST_PATH}#{index}", "type": "StatusList2021Entry",
                                        "statusPurpose": "revocation", "statusListIndex": str(index),
                                        "statusListCredential": f"{stub.base}{LIST_PATH}"}


def test_the_list_is_a_signed_statuslist2021_credential(stub: Stub) -> None:
    resp = stub.http.get(LIST_PATH)
    assert resp.status_code == 200 and resp.headers["cache-control"] == "no-cache" and resp.headers["etag"]
    doc = resp.json()
    assert doc["type"] == ["VerifiableCredential", "StatusList2021Credential"]
    assert doc["@context"][:2] == ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc/status-list/2021/v1"]
    assert doc["issuer"] == stub.did and doc["proof"]["type"] == "Ed25519Signature2020"
    subject = doc["credentialSubject"]
    assert subject["type"] == "StatusList2021" and subject["statusPurpose"] == "revocation"
    assert subject["encodedList"].startswith("H4sI")  # base64url GZIP, no multibase "u"
    assert len(decode_2021(subject["encodedList"])) >= 16 * 1024
    again = stub.http.get(LIST_PATH, headers={"If-None-Match": resp.headers["etag"]})
    assert again.status_code == 304


# -- valid, revoked --------------------------------------------------------------------------------------


def test_valid_then_revoked(stub: Stub) -> None:
    issued = stub.issue(FORM)
    report = verify_live(issued["credential"])
    assert report.problems == (), report.to_json()["checks"]
    check = report.check("status.revocation")
    assert check is not None and check.status == Status.PASSED

    stub.act(issued["id"], "revoke")
    bits = decode_2021(stub.http.get(LIST_PATH).json()["credentialSubject"]["encodedList"])
    assert read_status(bits, issued["statusListIndex"]) == 1
    report = verify_live(issued["credential"])
    assert report.problems == ("revoked",)
    check = report.check("status.revocation")
    assert check is not None and check.status == Status.FAILED

    again = stub.http.post(f"/api/credentials/{issued['id']}/revoke")
    assert again.status_code == 409 and again.json()["error"] == "already_revoked"


# -- the list cannot be had (404, server stopped, refused suspension: test_e2e_status.py) ----------


def test_list_not_json_is_status_unknown(stub: Stub, overlay: Overlay) -> None:
    issued = stub.issue(FORM)
    overlay.answer(f"{stub.base}{LIST_PATH}", 200, b"<html>maintenance</html>", "text/html")
    assert problems(issued["credential"], overlay) == ("status-unknown",)


# -- the list is tampered with ---------------------------------------------------------------------------


def test_list_with_the_bit_cleared_in_transit_is_status_unknown(stub: Stub, overlay: Overlay) -> None:
    issued = stub.issue(FORM)
    stub.act(issued["id"], "revoke")
    index = issued["statusListIndex"]

    def clear(doc: dict[str, Any]) -> dict[str, Any]:
        doc["credentialSubject"]["encodedList"] = with_bit(doc["credentialSubject"]["encodedList"], index, 0)
        return doc

    overlay.rewrite(f"{stub.base}{LIST_PATH}", json_rewrite(clear))
    report = verify_live(issued["credential"], overlay)
    assert report.problems == ("status-unknown",)
    check = report.check("status.revocation")
    assert check is not None and "does not verify" in check.message


def test_list_with_a_bit_set_in_transit_is_status_unknown(stub: Stub, overlay: Overlay) -> None:
    issued = stub.issue(FORM)
    index = issued["statusListIndex"]

    def revoke(doc: dict[str, Any]) -> dict[str, Any]:
        doc["credentialSubject"]["encodedList"] = with_bit(doc["credentialSubject"]["encodedList"], index, 1)
        return doc

    overlay.rewrite(f"{stub.base}{LIST_PATH}", json_rewrite(revoke))
    assert problems(issued["credential"], overlay) == ("status-unknown",)


def test_list_without_its_proof_is_status_unknown(stub: Stub, overlay: Overlay) -> None:
    issued = stub.issue(FORM)
    overlay.rewrite(f"{stub.base}{LIST_PATH}", json_rewrite(lambda doc: {k: v for k, v in doc.items()
                                                                          if k != "proof"}))
    assert problems(issued["credential"], overlay) == ("status-unknown",)


def test_a_bitstring_list_served_in_its_place_is_status_unknown(stub: Stub, overlay: Overlay) -> None:
    """The issuer's own, validly signed BitstringStatusListCredential (same revocation bits) is not a
    StatusList2021Credential."""
    issued = stub.issue(FORM)
    stub.act(issued["id"], "revoke")
    bitstring = stub.http.get("/status/revocation").content
    overlay.answer(f"{stub.base}{LIST_PATH}", 200, bitstring, "application/vc+ld+json")
    report = verify_live(issued["credential"], overlay)
    assert report.problems == ("status-unknown",)
    check = report.check("status.revocation")
    assert check is not None and "StatusList2021Credential" in check.message


def test_an_expired_list_signed_by_the_issuer_is_status_unknown(stub: Stub, state_dir: Path,
                                                                 overlay: Overlay) -> None:
    """A validly signed but expired copy (a stale list replayed): not to be relied on."""
    issued = stub.issue(FORM)
    real = stub.http.get(LIST_PATH).json()
    old = {**real, "issuanceDate": "2020-01-01T00:00:00Z", "expirationDate": "2021-01-01T00:00:00Z"}
    overlay.answer(f"{stub.base}{LIST_PATH}", 200, resign_as_issuer(stub, state_dir, old))
    report = verify_live(issued["credential"], overlay)
    assert report.problems == ("status-unknown",), report.to_json()["checks"]
    check = report.check("status.revocation")
    assert check is not None and "does not verify (expired)" in check.message


def test_a_list_for_another_purpose_signed_by_the_issuer_is_status_unknown(stub: Stub, state_dir: Path,
                                                                            overlay: Overlay) -> None:
    issued = stub.issue(FORM)
    stub.act(issued["id"], "revoke")
    real = stub.http.get(LIST_PATH).json()
    other = {**real, "credentialSubject": {**real["credentialSubject"], "statusPurpose": "suspension"}}
    overlay.answer(f"{stub.base}{LIST_PATH}", 200, resign_as_issuer(stub, state_dir, other))
    report = verify_live(issued["credential"], overlay)
    assert report.problems == ("status-unknown",)
    check = report.check("status.revocation")
    assert check is not None and "suspension" in check.message


def test_a_multibase_prefixed_list_signed_by_the_issuer_is_status_unknown(stub: Stub, state_dir: Path,
                                                                          overlay: Overlay) -> None:
    """Bitstring Status List's ``u`` prefix is not StatusList2021's encoding: the list cannot be read,
    so the status is unknown (never "not revoked")."""
    issued = stub.issue(FORM)
    stub.act(issued["id"], "revoke")
    real = stub.http.get(LIST_PATH).json()
    subject = real["credentialSubject"]
    prefixed = {**real, "credentialSubject": {**subject, "encodedList": "u" + subject["encodedList"]}}
    overlay.answer(f"{stub.base}{LIST_PATH}", 200, resign_as_issuer(stub, state_dir, prefixed))
    report = verify_live(issued["credential"], overlay)
    assert report.problems == ("status-unknown",)
    check = report.check("status.revocation")
    assert check is not None and "encodedList" in check.message


def test_the_list_resigned_unchanged_still_counts(stub: Stub, state_dir: Path, overlay: Overlay) -> None:
    """Control for the three tests above: the issuer's key and the overlay are not what failed them."""
    issued = stub.issue(FORM)
    stub.act(issued["id"], "revoke")
    real = stub.http.get(LIST_PATH).json()
    overlay.answer(f"{stub.base}{LIST_PATH}", 200, resign_as_issuer(stub, state_dir, real))
    assert problems(issued["credential"], overlay) == ("revoked",)
