"""End to end, Open Badges 2.0 (1EdTech OB 2.0 Final, "Badge Verification"): hosted and signed
badges issued by the stub (a real process on a free loopback port) verified over real HTTP,
revoked through its API, and served wrongly — out of the issuer's verification scope, signed
with a key the issuer does not list, their documents gone."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from credentials._formats.jws import parse_compact_jws, sign_jws
from credentials._report import Status
from tests.stub_server import Overlay, Stub, payload_of, verify_live


def other_origin(stub: Stub) -> str:
    """The same server under another origin (``localhost`` instead of ``127.0.0.1``): for the
    issuer, whose id is on 127.0.0.1, that is someone else's host."""
    return stub.base.replace("127.0.0.1", "localhost")


def payload(jws_text: str) -> dict[str, Any]:
    return dict(json.loads(parse_compact_jws(jws_text).payload))


# -- hosted ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["ob2-hosted", "ob2-hosted-png", "ob2-hosted-svg"])
def test_hosted_valid(stub: Stub, form: str) -> None:
    issued = stub.issue(form)
    report = verify_live(payload_of(issued))
    assert report.problems == ()
    for check_id in ("ob2.hosted", "ob2.documents", "ob2.scope", "status.revocation"):
        check = report.check(check_id)
        assert check is not None and check.status == Status.PASSED, check_id


def test_hosted_by_url_valid(stub: Stub) -> None:
    issued = stub.issue("ob2-hosted")
    assert verify_live(issued["id"]).problems == ()


def test_hosted_revoked(stub: Stub) -> None:
    issued = stub.issue("ob2-hosted")
    stub.act(issued["id"], "revoke")
    report = verify_live(issued["credential"])
    assert report.problems == ("revoked",)
    check = report.check("status.revocation")
    assert check is not None and "Revoked by the issuer" in check.message
    assert verify_live(issued["id"]).problems == ("revoked",)  # given as its URL too


def test_hosted_gone_410_is_revoked(stub: Stub, overlay: Overlay) -> None:
    """OB 2.0 "HostedBadge": an assertion URL answering 410 Gone is a revoked badge."""
    issued = stub.issue("ob2-hosted")
    overlay.answer(issued["id"], 410, {"error": "gone"})
    report = verify_live(issued["credential"], overlay)
    assert report.problems == ("revoked",)
    check = report.check("status.revocation")
    assert check is not None and "410" in check.message


def test_hosted_404_is_unreachable(stub: Stub, overlay: Overlay) -> None:
    issued = stub.issue("ob2-hosted")
    overlay.answer(issued["id"], 404, {"error": "not_found"})
    report = verify_live(issued["credential"], overlay)
    assert report.problems == ("unreachable",)
    check = report.check("ob2.hosted")
    assert check is not None and check.status == Status.COULD_NOT_CHECK and "HTTP 404" in check.message


def test_hosted_out_of_scope_id_is_refused(stub: Stub, overlay: Overlay) -> None:
    """OB 2.0 "VerificationObject": with no startsWith / allowedOrigins, a hosted assertion must
    share its issuer's origin. The same assertion copied to another host is not the issuer's word."""
    issued = stub.issue("ob2-hosted")
    elsewhere = issued["id"].replace(stub.base, other_origin(stub))
    copy = {**stub.http.get(issued["id"].removeprefix(stub.base)).json(), "id": elsewhere}
    overlay.answer(elsewhere, 200, copy, "application/ld+json")
    report = verify_live(copy, overlay)
    assert report.problems == ("issuer-key-mismatch",)
    check = report.check("ob2.scope")
    assert check is not None and check.status == Status.FAILED and elsewhere in check.message
    assert elsewhere in overlay.seen  # the copy was fetched from where it claims to live


def test_hosted_local_copy_differs_from_the_issuers_the_issuers_counts(stub: Stub) -> None:
    """The hosted copy is the one trusted: the learner's copy (issued before the revocation, with
    its expiry pushed out) does not say revoked; the issuer's copy does, and it counts."""
    issued = stub.issue("ob2-hosted")
    stub.act(issued["id"], "revoke")
    doctored = {**issued["credential"], "expires": "2099-01-01T00:00:00Z"}
    assert "revoked" not in doctored
    report = verify_live(doctored)
    assert report.problems == ("revoked",)
    assert report.credential is not None and "expires" not in report.credential


def test_hosted_issuer_profile_unreachable(stub: Stub, overlay: Overlay) -> None:
    issued = stub.issue("ob2-hosted")
    overlay.answer(f"{stub.base}/ob2/issuer", 503, b"")
    report = verify_live(issued["credential"], overlay)
    assert report.problems == ("unreachable",)


# -- signed ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["ob2-signed", "ob2-signed-png", "ob2-signed-svg"])
def test_signed_valid(stub: Stub, form: str) -> None:
    issued = stub.issue(form)
    report = verify_live(payload_of(issued))
    assert report.problems == ()
    for check_id in ("proof.signature", "proof.key-binding", "status.revocation-list"):
        check = report.check(check_id)
        assert check is not None and check.status == Status.PASSED, check_id


def test_signed_revoked(stub: Stub) -> None:
    issued = stub.issue("ob2-signed")
    other = stub.issue("ob2-signed")
    stub.act(issued["id"], "revoke")
    report = verify_live(issued["credential"])
    assert report.problems == ("revoked",)
    check = report.check("status.revocation-list")
    assert check is not None and "Revoked by the issuer" in check.message
    assert verify_live(other["credential"]).problems == ()


def test_signed_with_a_key_the_issuer_does_not_have(stub: Stub) -> None:
    """Same payload, same creator, signed with another RSA key: the signature does not match the
    key the issuer publishes."""
    issued = stub.issue("ob2-signed")
    forged = sign_jws({"alg": "RS256"}, json.dumps(payload(issued["credential"])).encode(),
                      rsa.generate_private_key(public_exponent=65537, key_size=2048))
    assert verify_live(forged).problems == ("invalid-signature",)


def test_signed_with_a_key_the_issuer_does_not_list(stub: Stub, overlay: Overlay) -> None:
    """OB 2.0 "SignedBadge": the key must be one of the issuer profile's publicKey. An attacker's
    key, hosted elsewhere and claiming the issuer as owner, signs a self-consistent badge."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_url = f"{other_origin(stub)}/keys/attacker"
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    overlay.answer(key_url, 200, {"@context": "https://w3id.org/openbadges/v2", "type": "CryptographicKey",
                                  "id": key_url, "owner": f"{stub.base}/ob2/issuer", "publicKeyPem": pem})
    issued = stub.issue("ob2-signed")
    doc = payload(issued["credential"])
    doc["verification"] = {"type": "signed", "creator": key_url}
    forged = sign_jws({"alg": "RS256"}, json.dumps(doc).encode(), key)
    report = verify_live(forged, overlay)
    assert report.problems == ("issuer-key-mismatch",)
    check = report.check("proof.key-binding")
    assert check is not None and check.status == Status.FAILED
    assert key_url in overlay.seen


def test_signed_payload_changed_after_signing(stub: Stub) -> None:
    issued = stub.issue("ob2-signed")
    jws = parse_compact_jws(issued["credential"])
    doc = payload(issued["credential"])
    doc["expires"] = "2099-01-01T00:00:00Z"
    body = base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()
    head, _, sig = issued["credential"].split(".")
    assert jws.signature  # the original signature, kept
    assert verify_live(f"{head}.{body}.{sig}").problems == ("invalid-signature",)


def test_signed_revocation_list_unreachable_is_status_unknown(stub: Stub, overlay: Overlay) -> None:
    issued = stub.issue("ob2-signed")
    overlay.answer(f"{stub.base}/ob2/revocations", 404, {"error": "not_found"})
    report = verify_live(issued["credential"], overlay)
    assert report.problems == ("status-unknown",)
    check = report.check("status.revocation")
    assert check is not None and check.status == Status.COULD_NOT_CHECK and "HTTP 404" in check.message


def test_signed_key_unreachable_is_unresolvable_key(stub: Stub, overlay: Overlay) -> None:
    issued = stub.issue("ob2-signed")
    overlay.answer(f"{stub.base}/ob2/keys/rsa-1", 404, {"error": "not_found"})
    assert verify_live(issued["credential"], overlay).problems == ("unresolvable-key",)
