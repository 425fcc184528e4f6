"""End to end, status: the issuer stub runs as a real process on a free loopback port; what it
issues is verified over real HTTP with the engine's guarded client, then revoked, suspended and
reinstated through the stub's API, and its status lists made unreachable or tampered with.

Status types the stub issues: Bitstring Status List v1.0 (revocation + suspension entries, every
OB 3.0 form that names a status list) and the 1EdTech Revocation List Status Method 1.0.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from credentials._did import did_key_from_public_key
from credentials._net import LocalDocuments
from credentials._proofs import ProofOptions, add_proof
from credentials._report import Status
from credentials._status import decode_encoded_list, encode_list
from credentials._status.bitstring import read_status, set_status
from tests.stub_server import Overlay, Stub, json_rewrite, payload_of, verify_live

BITSTRING_FORMS = ["ob3-v2-eddsa-rdfc-2022", "ob3-v1-ed25519signature2020", "ob3-vc-jwt", "ob3-vc-jose"]
ONEDTECH = "ob3-v2-1edtech-revocation-list"


def problems(data: Any, transport: Any = None, documents: LocalDocuments | None = None) -> tuple[str, ...]:
    return verify_live(data, transport, documents).problems


def status_checks(data: Any, transport: Any = None) -> dict[str, tuple[str, str]]:
    report = verify_live(data, transport)
    return {c.id: (str(c.status), c.message) for c in report.checks if c.id.startswith("status")}


def set_bit(encoded: str, index: int, value: int) -> str:
    bits = bytearray(decode_encoded_list(encoded))
    set_status(bits, index, value)
    return encode_list(bytes(bits))


# -- Bitstring Status List v1.0: the lifecycle --------------------------------------------------------


@pytest.mark.parametrize("form", BITSTRING_FORMS)
def test_bitstring_lifecycle_valid_revoked_suspended_reinstated(stub: Stub, form: str) -> None:
    issued = stub.issue(form)
    data = payload_of(issued)
    checks = status_checks(data)
    assert checks["status.revocation"][0] == "passed" and checks["status.suspension"][0] == "passed"
    assert problems(data) == ()

    stub.act(issued["id"], "suspend")
    assert problems(data) == ("suspended",)
    stub.act(issued["id"], "reinstate")
    assert problems(data) == ()

    stub.act(issued["id"], "suspend")
    stub.act(issued["id"], "revoke")  # both bits set: both reported
    assert problems(data) == ("revoked", "suspended")
    # Bitstring Status List §2.1: revocation is final, so the stub changes nothing more.
    refused = stub.http.post(f"/api/credentials/{issued['id']}/reinstate")
    assert refused.status_code == 409 and refused.json()["error"] == "already_revoked"
    assert problems(data) == ("revoked", "suspended")


def test_bitstring_revoked_only(stub: Stub) -> None:
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022")
    stub.act(issued["id"], "revoke")
    report = verify_live(issued["credential"])
    assert report.problems == ("revoked",)
    suspension = report.check("status.suspension")
    assert suspension is not None and suspension.status == Status.PASSED


def test_other_credentials_on_the_same_list_are_unaffected(stub: Stub) -> None:
    a, b = stub.issue("ob3-v2-eddsa-rdfc-2022"), stub.issue("ob3-v2-eddsa-rdfc-2022")
    assert a["statusListIndex"] != b["statusListIndex"]
    stub.act(a["id"], "revoke")
    assert problems(a["credential"]) == ("revoked",)
    assert problems(b["credential"]) == ()


# -- Bitstring: the list cannot be had -------------------------------------------------------------


@pytest.mark.parametrize("purpose", ["revocation", "suspension"])
def test_bitstring_list_404_is_status_unknown(stub: Stub, overlay: Overlay, purpose: str) -> None:
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022")
    overlay.answer(f"{stub.base}/status/{purpose}", 404, {"error": "not_found"})
    report = verify_live(issued["credential"], overlay)
    assert report.problems == ("status-unknown",)
    check = report.check(f"status.{purpose}")
    assert check is not None and check.status == Status.COULD_NOT_CHECK and "HTTP 404" in check.message
    other = report.check("status.suspension" if purpose == "revocation" else "status.revocation")
    assert other is not None and other.status == Status.PASSED


def test_bitstring_list_not_json_is_status_unknown(stub: Stub, overlay: Overlay) -> None:
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022")
    overlay.answer(f"{stub.base}/status/revocation", 200, b"<html>maintenance</html>", "text/html")
    assert problems(issued["credential"], overlay) == ("status-unknown",)


# -- Bitstring: the list is tampered with -----------------------------------------------------------


def test_bitstring_list_with_a_bit_cleared_in_transit_is_status_unknown(stub: Stub, overlay: Overlay) -> None:
    """Hiding a revocation: the bit is cleared, the issuer's proof no longer matches."""
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022")
    stub.act(issued["id"], "revoke")
    index = issued["statusListIndex"]

    def clear(doc: dict[str, Any]) -> dict[str, Any]:
        subject = doc["credentialSubject"]
        assert read_status(decode_encoded_list(subject["encodedList"]), index) == 1
        subject["encodedList"] = set_bit(subject["encodedList"], index, 0)
        return doc

    overlay.rewrite(f"{stub.base}/status/revocation", json_rewrite(clear))
    report = verify_live(issued["credential"], overlay)
    assert report.problems == ("status-unknown",)
    check = report.check("status.revocation")
    assert check is not None and "does not verify" in check.message and "invalid-signature" in check.message


def test_bitstring_list_with_a_bit_set_in_transit_is_status_unknown(stub: Stub, overlay: Overlay) -> None:
    """Forging a suspension: not 'suspended' on the word of an unsigned change."""
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022")
    index = issued["statusListIndex"]

    def suspend(doc: dict[str, Any]) -> dict[str, Any]:
        doc["credentialSubject"]["encodedList"] = set_bit(doc["credentialSubject"]["encodedList"], index, 1)
        return doc

    overlay.rewrite(f"{stub.base}/status/suspension", json_rewrite(suspend))
    assert problems(issued["credential"], overlay) == ("status-unknown",)


def test_bitstring_list_without_its_proof_is_status_unknown(stub: Stub, overlay: Overlay) -> None:
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022")
    overlay.rewrite(f"{stub.base}/status/revocation",
                    json_rewrite(lambda doc: {k: v for k, v in doc.items() if k != "proof"}))
    assert problems(issued["credential"], overlay) == ("status-unknown",)


def test_bitstring_list_for_the_other_purpose_replayed_is_status_unknown(stub: Stub, overlay: Overlay) -> None:
    """The issuer's own, validly signed suspension list served at the revocation list's URL."""
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022")
    stub.act(issued["id"], "revoke")
    suspension = stub.http.get("/status/suspension").content
    overlay.answer(f"{stub.base}/status/revocation", 200, suspension, "application/vc+ld+json")
    report = verify_live(issued["credential"], overlay)
    assert report.problems == ("status-unknown",)
    check = report.check("status.revocation")
    assert check is not None and "suspension" in check.message


def _attacker_list(real: dict[str, Any], index: int) -> dict[str, Any]:
    """The real list with the credential's bit cleared, signed again by a did:key the attacker holds."""
    key = ed25519.Ed25519PrivateKey.generate()
    did = did_key_from_public_key(key.public_key())
    doc = {k: v for k, v in real.items() if k != "proof"}
    doc["issuer"] = did
    doc["credentialSubject"] = {**doc["credentialSubject"],
                                "encodedList": set_bit(doc["credentialSubject"]["encodedList"], index, 0)}
    method = f"{did}#{did.removeprefix('did:key:')}"
    return add_proof(doc, "eddsa-rdfc-2022", key,
                     ProofOptions(verification_method=method, created=datetime.now(UTC).replace(microsecond=0)))


def test_bitstring_list_signed_by_another_issuer_is_flagged(stub: Stub, overlay: Overlay) -> None:
    """A status list kept by another party is allowed (Bitstring Status List does not require the
    credential's issuer to sign it, the DCC fixtures share one list, and the corpus contract in
    ../shared/corpus/README.md says "Its issuer need not be the credential's issuer"). So a list
    re-signed by someone else is read, but the report must say plainly who kept it."""
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022")
    stub.act(issued["id"], "revoke")
    index = issued["statusListIndex"]
    overlay.rewrite(f"{stub.base}/status/revocation", json_rewrite(lambda real: _attacker_list(real, index)))
    report = verify_live(issued["credential"], overlay)
    assert "status-list-issuer-differs" in report.warnings, report.to_json()["checks"]
    check = report.check("status.list-issuer")
    assert check is not None and "not by the issuer of the credential" in check.message


# -- 1EdTech Revocation List Status Method 1.0 --------------------------------------------------------


def test_1edtech_list_valid_revoked(stub: Stub) -> None:
    issued = stub.issue(ONEDTECH)
    assert issued["credential"]["credentialStatus"] == {"id": f"{stub.base}/status/1edtech-revocation-list",
                                                        "type": "1EdTechRevocationList"}
    checks = status_checks(issued["credential"])
    assert checks["status.revocation"][0] == "passed"
    assert problems(issued["credential"]) == ()
    stub.act(issued["id"], "revoke")
    report = verify_live(issued["credential"])
    assert report.problems == ("revoked",)
    check = report.check("status.revocation")
    assert check is not None and "Revoked by the issuer" in check.message


# -- methods that only revoke: the 1EdTech list and StatusList2021 -----------------------------------
# (what is particular to StatusList2021, its encoding and its tampering, is in test_e2e_statuslist2021.py)

REVOCATION_ONLY = {ONEDTECH: "/status/1edtech-revocation-list", "ob3-v1-statuslist2021": "/status/2021/revocation"}


@pytest.mark.parametrize("form", REVOCATION_ONLY)
def test_revocation_only_lists_refuse_suspension(stub: Stub, form: str) -> None:
    """Both methods revoke only: the stub refuses to suspend or reinstate, nothing changes."""
    issued = stub.issue(form)
    for action in ("suspend", "reinstate"):
        resp = stub.http.post(f"/api/credentials/{issued['id']}/{action}")
        assert resp.status_code == 409 and resp.json()["error"] == "not_suspendable"
    assert problems(issued["credential"]) == ()


@pytest.mark.parametrize("form", REVOCATION_ONLY)
def test_revocation_only_lists_other_revocations_do_not_leak(stub: Stub, form: str) -> None:
    a, b = stub.issue(form), stub.issue(form)
    stub.act(a["id"], "revoke")
    assert problems(a["credential"]) == ("revoked",)
    assert problems(b["credential"]) == ()


@pytest.mark.parametrize("form", REVOCATION_ONLY)
def test_revocation_only_list_404_is_status_unknown(stub: Stub, overlay: Overlay, form: str) -> None:
    issued = stub.issue(form)
    overlay.answer(f"{stub.base}{REVOCATION_ONLY[form]}", 404, {"error": "not_found"})
    report = verify_live(issued["credential"], overlay)
    assert report.problems == ("status-unknown",)
    check = report.check("status.revocation")
    assert check is not None and check.status == Status.COULD_NOT_CHECK and "HTTP 404" in check.message


@pytest.mark.parametrize(("form", "lists"), [
    ("ob3-v2-eddsa-rdfc-2022", {"revocation": "/status/revocation", "suspension": "/status/suspension"}),
    *[(form, {"revocation": path}) for form, path in REVOCATION_ONLY.items()],
])
def test_status_unknown_when_the_issuers_server_is_stopped(tmp_path: Path, form: str, lists: dict[str, str]) -> None:
    own = Stub(tmp_path / "state")
    try:
        issued = own.issue(form)
        own.act(issued["id"], "revoke")
        did_json = tmp_path / "did.json"
        did_json.write_bytes(own.http.get("/.well-known/did.json").content)
        base = own.base
        assert problems(issued["credential"]) == ("revoked",)
    finally:
        assert own.stop() == 0
    # The issuer's key is still known (a local copy of its DID document); its lists are not.
    docs = LocalDocuments({f"{base}/.well-known/did.json": did_json})
    report = verify_live(issued["credential"], documents=docs)
    assert report.problems == ("status-unknown",)
    for purpose, path in lists.items():
        check = report.check(f"status.{purpose}")
        assert check is not None and check.status == Status.COULD_NOT_CHECK
        assert f"{base}{path}" in check.message


@pytest.mark.parametrize("tamper", ["other-issuer", "no-list", "not-json"])
def test_1edtech_list_tampered_is_status_unknown(stub: Stub, overlay: Overlay, tamper: str) -> None:
    """The list is not signed (VCRL 1.0): what the engine can hold it to is naming the
    credential's own issuer and having the shape of a list."""
    issued = stub.issue(ONEDTECH)
    stub.act(issued["id"], "revoke")
    url = f"{stub.base}/status/1edtech-revocation-list"
    if tamper == "not-json":
        overlay.answer(url, 200, b"revokedCredentials: none", "text/plain")
    else:
        def change(doc: dict[str, Any]) -> dict[str, Any]:
            if tamper == "other-issuer":
                doc["issuer"] = "did:web:attacker.example"
            else:
                doc["revokedCredentials"] = "none"
            return doc

        overlay.rewrite(url, json_rewrite(change))
    assert problems(issued["credential"], overlay) == ("status-unknown",)


def test_1edtech_list_with_the_entry_removed_in_transit_cannot_be_told(stub: Stub, overlay: Overlay) -> None:
    """A limit of the method, not of Satchel: the 1EdTech list carries no proof, so a list with
    the entry dropped on the way is indistinguishable from the issuer's. Only the transport
    (https, which the guarded client insists on beyond loopback) protects it."""
    issued = stub.issue(ONEDTECH)
    stub.act(issued["id"], "revoke")
    url = f"{stub.base}/status/1edtech-revocation-list"
    overlay.rewrite(url, json_rewrite(lambda doc: {**doc, "revokedCredentials": []}))
    assert problems(issued["credential"], overlay) == ()
