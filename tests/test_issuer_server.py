"""End to end: the stub runs as a real process on a free loopback port; everything it issues is
verified by the engine over real HTTP (did:web, status lists, hosted OB 2.0), then revoked."""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from credentials._did import did_key_from_public_key
from credentials._net import Fetcher, GuardedTransport, make_client
from credentials._verify import verify
from issuer_stub.oid4vci import wallet_proof
from tests.stub_server import Stub

BIN = Path(sys.executable).parent


def fresh_verify(data: bytes | str | dict) -> dict:
    """A new fetcher each time: no memoised status list from an earlier call."""
    with make_client(GuardedTransport(allow_loopback=True)) as client:
        return verify(data, fetcher=Fetcher(client)).to_json()


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("issuer-state")


@pytest.fixture(scope="module")
def stub(state_dir: Path) -> Iterator[Stub]:
    s = Stub(state_dir, port=0)
    yield s
    if s.proc.poll() is None:
        s.stop()


def issue(stub: Stub, form: str, achievement: str = "wound-care-basics", **extra: str) -> dict:
    resp = stub.http.post("/api/issue", json={"achievement": achievement, "form": form, **extra})
    assert resp.status_code == 201, resp.text
    return resp.json()


def payload_of(issued: dict) -> bytes | str | dict:
    if "contentBase64" in issued:
        return base64.b64decode(issued["contentBase64"])
    return issued["credential"]


ALL_FORMS = ["ob3-v2-eddsa-rdfc-2022", "ob3-v2-1edtech-revocation-list", "ob3-v2-eddsa-jcs-2022",
             "ob3-v1-ed25519signature2020",
             "ob3-v1-ed25519signature2020-didkey", "ob3-vc-jwt", "ob3-vc-jose", "ob3-png", "ob3-svg",
             "ob3-endorsement", "ob2-hosted", "ob2-hosted-png", "ob2-hosted-svg", "ob2-signed", "ob2-signed-png",
             "ob2-signed-svg"]


def test_binds_loopback_and_serves_its_did_web(stub: Stub) -> None:
    assert stub.base.startswith("http://127.0.0.1:")
    port = stub.base.rsplit(":", 1)[1]
    assert stub.did == f"did:web:127.0.0.1%3A{port}"
    doc = stub.http.get("/.well-known/did.json").json()
    assert doc["id"] == stub.did and len(doc["assertionMethod"]) == 3


@pytest.mark.parametrize("form", ALL_FORMS)
def test_every_form_issued_over_http_verifies_over_http(stub: Stub, form: str) -> None:
    issued = issue(stub, form)
    report = fresh_verify(payload_of(issued))
    assert report["verdict"] == "valid", report
    ids = {c["id"]: c["status"] for c in report["checks"]}
    if form == "ob3-v2-1edtech-revocation-list":
        assert ids["status.revocation"] == "passed"
    elif form.startswith("ob3-") and form not in ("ob3-endorsement", "ob3-v1-ed25519signature2020-didkey"):
        assert ids["status.revocation"] == "passed" and ids["status.suspension"] == "passed"


def test_revoke_over_http_is_seen_by_the_verifier(stub: Stub) -> None:
    issued = issue(stub, "ob3-v2-eddsa-rdfc-2022")
    assert fresh_verify(issued["credential"])["verdict"] == "valid"
    resp = stub.http.post(f"/api/credentials/{issued['id']}/revoke")
    assert resp.status_code == 200 and resp.json()["revoked"] is True
    report = fresh_verify(issued["credential"])
    assert report["verdict"] == "invalid" and report["problems"] == ["revoked"]
    again = stub.http.post(f"/api/credentials/{issued['id']}/revoke")
    assert again.status_code == 409 and again.json()["error"] == "already_revoked"


def test_suspend_and_reinstate(stub: Stub) -> None:
    issued = issue(stub, "ob3-vc-jwt")
    assert stub.http.post(f"/api/credentials/{issued['id']}/suspend").status_code == 200
    assert fresh_verify(issued["credential"])["problems"] == ["suspended"]
    assert stub.http.post(f"/api/credentials/{issued['id']}/reinstate").status_code == 200
    assert fresh_verify(issued["credential"])["verdict"] == "valid"
    assert stub.http.post(f"/api/credentials/{issued['id']}/reinstate").status_code == 409


def test_revoking_ob2_and_1edtech_revocation_list_forms(stub: Stub) -> None:
    items = [issue(stub, f) for f in ("ob2-hosted", "ob2-signed", "ob3-v2-1edtech-revocation-list")]
    for item in items:
        assert stub.http.post(f"/api/credentials/{item['id']}/revoke").status_code == 200
        assert fresh_verify(item["credential"])["problems"] == ["revoked"]


def test_status_list_caching_headers_are_honest(stub: Stub) -> None:
    first = stub.http.get("/status/revocation")
    assert first.headers["cache-control"] == "no-cache" and first.headers["etag"]
    assert "last-modified" in first.headers
    same = stub.http.get("/status/revocation", headers={"If-None-Match": first.headers["etag"]})
    assert same.status_code == 304 and same.content == b""
    issued = issue(stub, "ob3-v2-eddsa-rdfc-2022")
    stub.http.post(f"/api/credentials/{issued['id']}/revoke")
    changed = stub.http.get("/status/revocation", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]


def test_bad_requests_get_clear_errors_and_change_nothing(stub: Stub) -> None:
    before = stub.http.get("/api/credentials").json()
    status_before = stub.http.get("/status/revocation").headers["etag"]
    cases = [
        (stub.http.post("/api/issue", content=b"achievement=x", headers={"content-type": "text/plain"}), 415),
        (stub.http.post("/api/issue", content=b"{" * (70 * 1024), headers={"content-type": "application/json"}),
         413),
        (stub.http.post("/api/issue", content=b"{not json", headers={"content-type": "application/json"}), 400),
        (stub.http.post("/api/issue", json={"achievement": "astrophysics"}), 404),
        (stub.http.post("/api/issue", json={"achievement": "healthy-menus", "form": "pdf"}), 400),
        (stub.http.post("/api/credentials/urn:uuid:00000000-0000-0000-0000-000000000000/revoke"), 404),
        (stub.http.get("/ob2/assertions/nope"), 404),
        (stub.http.post("/token", data={"grant_type": "password"}), 400),
        (stub.http.post("/credential", json={}), 401),
    ]
    for resp, code in cases:
        assert resp.status_code == code, (resp.request.url, resp.text)
        body = resp.json()
        assert body["error"] and body["error_description"]
    assert stub.http.get("/api/credentials").json() == before
    assert stub.http.get("/status/revocation").headers["etag"] == status_before


def test_openid4vci_pre_authorized_flow_binds_to_the_wallet_did(stub: Stub) -> None:
    wallet_key = ed25519.Ed25519PrivateKey.generate()
    wallet_did = did_key_from_public_key(wallet_key.public_key())
    offer = stub.http.post("/api/offers", json={"achievement": "healthy-menus"}).json()
    assert offer["credential_offer_uri"].startswith("openid-credential-offer://?credential_offer=")
    qr = stub.http.get(offer["qr"].removeprefix(stub.base))
    assert qr.status_code == 200 and qr.content.startswith(b"\x89PNG")
    meta = stub.http.get("/.well-known/openid-credential-issuer").json()
    assert meta["credential_issuer"] == stub.base
    token = stub.http.post("/token", data={"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                                           "pre-authorized_code": offer["pre-authorized_code"]}).json()
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    bad = wallet_proof(wallet_key, audience=stub.base, nonce="not-the-nonce")
    refused = stub.http.post("/credential", headers=auth, json={"proof": {"proof_type": "jwt", "jwt": bad}})
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_nonce"
    proof = wallet_proof(wallet_key, audience=stub.base, nonce=token["c_nonce"])
    resp = stub.http.post("/credential", headers=auth, json={"credential_configuration_id":
                                                             "OpenBadgeCredential_ldp_vc",
                                                             "proof": {"proof_type": "jwt", "jwt": proof}})
    assert resp.status_code == 200, resp.text
    cred = resp.json()["credentials"][0]["credential"]
    assert cred["credentialSubject"]["id"] == wallet_did
    assert fresh_verify(cred)["verdict"] == "valid"
    reused = stub.http.post("/token", data={"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                                            "pre-authorized_code": offer["pre-authorized_code"]})
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"


def test_restart_keeps_credentials_and_revocations(state_dir: Path, stub: Stub) -> None:
    issued = issue(stub, "ob3-v1-ed25519signature2020")
    stub.http.post(f"/api/credentials/{issued['id']}/revoke")
    port = int(stub.base.rsplit(":", 1)[1])
    assert stub.stop() == 0  # stops cleanly on SIGINT
    again = Stub(state_dir, port=None)  # no --port: the port given before, kept in the state
    try:
        assert again.base == stub.base and again.did == stub.did
        assert again.http.get(f"/api/credentials/{issued['id']}").json()["revoked"] is True
        assert fresh_verify(issued["credential"])["problems"] == ["revoked"]
    finally:
        assert again.stop() == 0
    assert port > 0 and os.path.isfile(state_dir / "state.sqlite3")
