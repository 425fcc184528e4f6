"""The verifier service as a real process on a free loopback port, with a real SQLite file and real
signatures: verify endpoints, the request (challenge) flow, the share relay and the share page."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials import (
    b64url_encode,
    decrypt_from_relay,
    encode_inline_link,
    encrypt_for_relay,
    new_unshare_secret,
    relay_link,
)
from credentials._formats.jws import sign_jws
from tests.helpers import VC2, Signer, ed25519_signer, ob3_credential
from tests.verifier_process import running_verifier

ROOT = Path(__file__).resolve().parents[1]
TRACE_MARKERS = ("Traceback", 'File "', "line ", ".py")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("verifier-data")
    with running_verifier("--offline", "--data", str(data), "--request-timeout", "5") as (base, proc), \
            httpx.Client(base_url=base, timeout=30) as client:
        yield {"base": base, "client": client, "proc": proc, "data": data}


def _no_trace(resp: httpx.Response) -> None:
    text = resp.text
    for marker in TRACE_MARKERS:
        assert marker not in text or resp.headers.get("content-type", "").startswith(("text/javascript",
                                                                                        "text/html")), text


def _vp(holder: Signer, creds: list[dict], challenge: str, domain: str) -> dict:
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did, "verifiableCredential": creds}
    return holder.sign(vp, proof_purpose="authentication", challenge=challenge, domain=domain)


@pytest.fixture(scope="module")
def people() -> dict[str, Any]:
    issuer, holder = ed25519_signer(), ed25519_signer()
    cred = issuer.sign(ob3_credential(issuer.did, subject=holder.did))
    return {"issuer": issuer, "holder": holder, "cred": cred}


# -- verify endpoints ---------------------------------------------------------------------------------
def test_server_binds_loopback_and_says_what_it_serves(server) -> None:
    resp = server["client"].get("/")
    assert resp.status_code == 200 and resp.json()["service"] == "satchel-verifier"
    assert resp.json()["domain"] == "127.0.0.1"
    assert server["base"].startswith("http://127.0.0.1:")
    assert (server["data"] / "verifier.sqlite3").is_file()


def test_valid_credential_verifies_over_http(server, people) -> None:
    resp = server["client"].post("/credentials/verify", json={"verifiableCredential": people["cred"], "options": {}})
    body = resp.json()
    assert resp.status_code == 200, body
    assert body["verified"] is True and body["verdict"] == "valid" and body["problems"] == [] and body["errors"] == []
    assert {c["id"] for c in body["checks"]} >= {"format", "proof.signature", "proof.key-binding"}
    assert body["format"] == "vc" and body["warnings"] == []


def test_tampered_credential_is_refused_with_its_reason(server, people) -> None:
    tampered = json.loads(json.dumps(people["cred"]))
    tampered["credentialSubject"]["achievement"]["name"] = "Heart surgery"
    resp = server["client"].post("/credentials/verify", json={"verifiableCredential": tampered})
    body = resp.json()
    assert resp.status_code == 400 and body["verified"] is False
    assert body["verdict"] == "invalid" and body["problems"] == ["invalid-signature"]
    assert body["errors"][0]["problem"] == "invalid-signature" and body["errors"][0]["check"] == "proof.signature"


def test_vc_jwt_string_verifies(server, people) -> None:
    issuer: Signer = people["issuer"]
    cred = ob3_credential(issuer.did, subject=people["holder"].did)
    claims = {"vc": cred, "iss": issuer.did, "sub": people["holder"].did, "jti": cred["id"],
              "nbf": 1735689600}
    jwt = sign_jws({"alg": "EdDSA", "typ": "JWT", "kid": issuer.vm}, json.dumps(claims).encode(), issuer.key)
    body = server["client"].post("/credentials/verify", json={"verifiableCredential": jwt}).json()
    assert body["format"] == "vc-jwt" and body["verdict"] == "valid", body
    enveloped = {"@context": [VC2], "type": "EnvelopedVerifiableCredential", "id": f"data:application/vc+jwt,{jwt}"}
    body = server["client"].post("/credentials/verify", json={"verifiableCredential": enveloped}).json()
    assert body["format"] == "vc-jwt" and body["verdict"] == "valid", body


def test_urls_and_presentations_are_not_accepted_as_credentials(server, people) -> None:
    client = server["client"]
    for item in ("https://169.254.169.254/latest", {"type": "EnvelopedVerifiableCredential",
                                                    "id": "data:application/vc+jwt,https://169.254.169.254/x"}):
        resp = client.post("/credentials/verify", json={"verifiableCredential": item})
        assert resp.status_code == 400 and resp.json()["error"] == "bad-request"
    vp = _vp(people["holder"], [people["cred"]], "c", "d")
    resp = client.post("/credentials/verify", json={"verifiableCredential": vp})
    assert resp.status_code == 400 and resp.json()["error"] == "wrong-endpoint"
    resp = client.post("/presentations/verify", json={"verifiablePresentation": people["cred"]})
    assert resp.status_code == 400 and resp.json()["error"] == "wrong-endpoint"


def test_presentation_with_callers_own_challenge_and_without_one(server, people) -> None:
    client = server["client"]
    vp = _vp(people["holder"], [people["cred"]], "caller-chosen-1", "hire.example.com")
    ok = client.post("/presentations/verify", json={"verifiablePresentation": vp, "options": {
        "challenge": "caller-chosen-1", "domain": "hire.example.com"}})
    assert ok.status_code == 200 and ok.json()["verdict"] == "valid", ok.json()
    assert ok.json()["credentials"][0]["verdict"] == "valid"
    wrong = client.post("/presentations/verify", json={"verifiablePresentation": vp, "options": {
        "challenge": "another", "domain": "hire.example.com"}})
    assert wrong.status_code == 400 and wrong.json()["problems"] == ["challenge-mismatch"]
    bare = client.post("/presentations/verify", json={"verifiablePresentation": vp}).json()
    assert bare["verdict"] == "valid" and "no-challenge" in bare["warnings"]


def test_holder_mismatch_is_reported_nested(server, people) -> None:
    stranger = ed25519_signer()
    vp = _vp(stranger, [people["cred"]], "c-1", "d")
    body = server["client"].post("/presentations/verify", json={
        "verifiablePresentation": vp, "options": {"challenge": "c-1", "domain": "d"}}).json()
    assert body["problems"] == ["holder-mismatch"] and body["verified"] is False


def test_vc_api_checks_without_holder_binding_accept_someone_elses_credential_with_a_warning(server, people) -> None:
    stranger = ed25519_signer()
    vp = _vp(stranger, [people["cred"]], "c-2", "d")
    body = server["client"].post("/presentations/verify", json={
        "verifiablePresentation": vp, "options": {"challenge": "c-2", "domain": "d", "checks": ["proof"]}}).json()
    assert body["verified"] is True and body["problems"] == [], body
    assert "holder-not-subject" in body["warnings"]
    asked = server["client"].post("/presentations/verify", json={
        "verifiablePresentation": vp,
        "options": {"challenge": "c-2", "domain": "d", "checks": ["proof", "holderBinding"]}}).json()
    assert asked["problems"] == ["holder-mismatch"] and asked["verified"] is False


def test_vc_api_checks_never_make_a_tampered_credential_verified(server, people) -> None:
    tampered = json.loads(json.dumps(people["cred"]))
    tampered["name"] = "Brain surgery"
    body = server["client"].post("/credentials/verify", json={
        "verifiableCredential": tampered, "options": {"checks": ["credentialStatus"]}}).json()
    assert body["verified"] is False and "invalid-signature" in body["problems"]


def test_vc_api_checks_that_leave_out_dates_show_expiry_as_a_warning(server, people) -> None:
    issuer = people["issuer"]
    expired = issuer.sign(ob3_credential(issuer.did, validUntil="2020-01-01T00:00:00Z"))
    body = server["client"].post("/credentials/verify", json={
        "verifiableCredential": expired, "options": {"checks": ["proof"]}}).json()
    assert body["verified"] is True and "expired" in body["warnings"]
    full = server["client"].post("/credentials/verify", json={"verifiableCredential": expired}).json()
    assert full["problems"] == ["expired"]
    bad = server["client"].post("/credentials/verify", json={"verifiableCredential": expired,
                                                             "options": {"checks": "proof"}})
    assert bad.status_code == 400


# -- request flow -------------------------------------------------------------------------------------
def test_exchange_flow_verifies_once_and_refuses_the_replay(server, people) -> None:
    client = server["client"]
    created = client.post("/exchanges", json={})
    assert created.status_code == 201, created.text
    ex = created.json()
    vpr = ex["verifiablePresentationRequest"]
    assert vpr["domain"] == "127.0.0.1" and len(vpr["challenge"]) >= 32
    assert vpr["query"][0]["type"] == "QueryByExample"
    assert ex["url"] == f"{server['base']}/exchanges/{ex['exchangeId']}" and ex["state"] == "pending"
    # a wallet that scanned the QR first asks what is wanted (VC-API: POST {} to the exchange)
    asked = client.post(ex["url"], json={})
    assert asked.status_code == 200 and asked.json()["verifiablePresentationRequest"] == vpr
    pending = client.get(ex["url"], headers={"Authorization": f"Bearer {ex['pollToken']}"}).json()
    assert pending["state"] == "pending" and "result" not in pending

    vp = _vp(people["holder"], [people["cred"]], vpr["challenge"], vpr["domain"])
    answer = client.post(ex["url"], json={"verifiablePresentation": vp})
    assert answer.status_code == 200 and answer.json()["verdict"] == "valid", answer.json()

    polled = client.get(ex["url"], headers={"Authorization": f"Bearer {ex['pollToken']}"}).json()
    assert polled["state"] == "complete" and polled["result"]["verdict"] == "valid"
    assert polled["result"]["verifiablePresentation"]["holder"] == people["holder"].did
    anonymous = client.get(ex["url"]).json()
    assert anonymous["state"] == "complete" and "result" not in anonymous
    assert client.get(ex["url"], headers={"Authorization": "Bearer not-it"}).status_code == 403

    replay = client.post(ex["url"], json={"verifiablePresentation": vp})
    assert replay.status_code == 400 and replay.json()["problems"] == ["challenge-mismatch"]
    assert any(e["check"] == "request.challenge" for e in replay.json()["errors"])
    # the same challenge through the stateless endpoint is this service's challenge too: single use
    again = client.post("/presentations/verify", json={"verifiablePresentation": vp, "options": {
        "challenge": vpr["challenge"], "domain": vpr["domain"]}})
    assert again.status_code == 400 and again.json()["problems"] == ["challenge-mismatch"]
    # the first result stands
    assert client.get(ex["url"], headers={"Authorization": f"Bearer {ex['pollToken']}"}).json()[
        "result"]["verdict"] == "valid"
    assert client.post(ex["url"], json={}).status_code == 410


def test_answer_to_another_request_is_challenge_mismatch(server, people) -> None:
    client = server["client"]
    ex = client.post("/exchanges", json={}).json()
    vp = _vp(people["holder"], [people["cred"]], "some-other-challenge", "127.0.0.1")
    body = client.post(ex["url"], json={"verifiablePresentation": vp}).json()
    assert body["problems"] == ["challenge-mismatch"]


def test_expired_exchange_is_refused(server, people) -> None:
    client = server["client"]
    ex = client.post("/exchanges", json={"ttl": 1}).json()
    vpr = ex["verifiablePresentationRequest"]
    vp = _vp(people["holder"], [people["cred"]], vpr["challenge"], vpr["domain"])
    time.sleep(1.3)
    assert client.get(ex["url"]).json()["state"] == "expired"
    resp = client.post(ex["url"], json={"verifiablePresentation": vp})
    assert resp.status_code == 400 and resp.json()["problems"] == ["challenge-mismatch"]
    assert "expired" in next(e["message"] for e in resp.json()["errors"] if e["check"] == "request.challenge")


def test_vc_api_challenge_endpoint_is_single_use(server, people) -> None:
    client = server["client"]
    issued = client.post("/challenges").json()
    vp = _vp(people["holder"], [people["cred"]], issued["challenge"], issued["domain"])
    body = {"verifiablePresentation": vp, "options": {"challenge": issued["challenge"], "domain": issued["domain"]}}
    assert client.post("/presentations/verify", json=body).json()["verdict"] == "valid"
    assert client.post("/presentations/verify", json=body).json()["problems"] == ["challenge-mismatch"]


def test_exchange_query_and_ttl_are_validated(server) -> None:
    client = server["client"]
    qbe = {"type": "QueryByExample", "credentialQuery": {"reason": "Nursing roles", "example": {
        "type": "OpenBadgeCredential", "credentialSubject": {"achievement": {"name": "Wound care basics"}}}}}
    made = client.post("/exchanges", json={"query": qbe})
    assert made.status_code == 201 and made.json()["verifiablePresentationRequest"]["query"] == [qbe]
    for bad in ({"query": {"type": "PresentationDefinition"}}, {"query": []}, {"ttl": 0}, {"ttl": 10**9},
                {"ttl": "600"}):
        resp = client.post("/exchanges", json=bad)
        assert resp.status_code == 400 and resp.json()["error"] == "bad-request", bad
    assert client.get("/exchanges/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404


# -- relay ----------------------------------------------------------------------------------------------
def test_relay_store_get_and_unshare(server, people) -> None:
    client = server["client"]
    vp = _vp(people["holder"], [people["cred"]], "link-share", "127.0.0.1")
    blob, key = encrypt_for_relay(vp)
    secret = new_unshare_secret()
    put = client.post("/relay", json={"ciphertext": b64url_encode(blob), "unshareHash": secret.hash, "ttl": 3600})
    assert put.status_code == 201, put.text
    rid = put.json()["id"]
    assert put.json()["url"] == f"{server['base']}/relay/{rid}"

    got = client.get(f"/relay/{rid}")
    assert got.status_code == 200 and got.headers["content-type"] == "application/octet-stream"
    assert got.content == blob and decrypt_from_relay(got.content, key) == vp
    with open(server["data"] / "verifier.sqlite3", "rb") as fh:  # the relay holds no plaintext
        assert people["holder"].did.encode() not in fh.read()

    assert client.delete(f"/relay/{rid}").status_code == 401
    assert client.delete(f"/relay/{rid}", headers={"Authorization": "Bearer guessed"}).status_code == 403
    assert client.get(f"/relay/{rid}").status_code == 200  # a wrong secret changed nothing
    assert client.delete(f"/relay/{rid}", headers={"Authorization": f"Bearer {secret.secret}"}).status_code == 204
    gone = client.get(f"/relay/{rid}")
    assert gone.status_code == 410 and gone.json()["error"] == "unshared"


def test_relay_expiry_and_caps(server) -> None:
    client = server["client"]
    blob, _ = encrypt_for_relay({"type": ["VerifiablePresentation"]})
    secret = new_unshare_secret()
    put = client.post("/relay", json={"ciphertext": b64url_encode(blob), "unshareHash": secret.hash, "ttl": 1})
    rid = put.json()["id"]
    time.sleep(1.3)
    gone = client.get(f"/relay/{rid}")
    assert gone.status_code == 410 and gone.json()["error"] == "expired"
    assert client.get("/relay/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404
    for bad in ({"ciphertext": b64url_encode(blob), "unshareHash": secret.hash, "ttl": 86400 * 365},
                {"ciphertext": b64url_encode(blob), "unshareHash": "short"},
                {"ciphertext": "not base64!", "unshareHash": secret.hash},
                {"ciphertext": b64url_encode(b"tiny"), "unshareHash": secret.hash},
                {"ciphertext": b64url_encode(blob), "unshareHash": secret.hash, "expires": "yesterday"},
                {"ciphertext": b64url_encode(blob), "unshareHash": secret.hash, "expires": "2000-01-01T00:00:00Z"}):
        resp = client.post("/relay", json=bad)
        assert resp.status_code == 400, (bad, resp.text)
    big = client.post("/relay", json={"ciphertext": b64url_encode(b"\0" * (1024 * 1024 + 1)),
                                      "unshareHash": secret.hash})
    assert big.status_code == 413


# -- hostile and malformed requests ---------------------------------------------------------------------
def _raw(base: str, data: bytes, read_timeout: float = 10) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=read_timeout) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass
        out = b""
        try:
            while chunk := sock.recv(65536):
                out += chunk
        except OSError:
            pass
    return out


def test_body_too_large_is_413_without_reading_it(server) -> None:
    head = (b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 3000000\r\n\r\n{")
    out = _raw(server["base"], head)
    assert out.startswith(b"HTTP/1.1 413"), out[:200]
    assert b'"too-large"' in out and b"Traceback" not in out


def test_malformed_requests_get_clear_json_errors(server) -> None:
    client = server["client"]
    cases = [
        (client.post("/credentials/verify", content=b"{not json", headers={"content-type": "application/json"}),
         400, "bad-json"),
        (client.post("/credentials/verify", content=b"\xff\xfe", headers={"content-type": "application/json"}),
         400, "bad-json"),
        (client.post("/credentials/verify", content=b"[" * 100000, headers={"content-type": "application/json"}),
         400, "bad-json"),
        (client.post("/credentials/verify", content=b"{}", headers={"content-type": "text/plain"}),
         415, "unsupported-media-type"),
        (client.post("/credentials/verify", json=[1, 2]), 400, "bad-request"),
        (client.post("/credentials/verify", json={}), 400, "bad-request"),
        (client.post("/credentials/verify", json={"verifiableCredential": 5}), 400, "bad-request"),
        (client.post("/credentials/verify", json={"verifiableCredential": {}, "options": []}), 400, "bad-request"),
        (client.post("/presentations/verify", json={"verifiablePresentation": {}, "options": {"challenge": 1}}),
         400, "bad-request"),
        (client.post("/credentials/verify"), 400, "bad-request"),
        (client.get("/nowhere"), 404, "not-found"),
        (client.get("/credentials/verify"), 405, "method-not-allowed"),
        (client.put("/relay/abc", content=b""), 400, "bad-request"),  # an unknown method -> 501 JSON
    ]
    for resp, status, error in cases[:-1]:
        assert resp.status_code == status, (resp.request.url, resp.text)
        assert resp.headers["content-type"] == "application/json"
        assert resp.json()["error"] == error and resp.json()["message"]
        _no_trace(resp)
    put = cases[-1][0]
    assert put.status_code == 501 and put.headers["content-type"] == "application/json"


def test_garbage_on_the_wire_never_shows_a_traceback(server, people) -> None:
    base = server["base"]
    hostile = [
        b"GARBAGE\r\n\r\n",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
        b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 10\r\n\r\n{",  # stalls mid-body
        b"GET / HTTP/9.9\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(64)),  # a TLS hello
    ]
    for data in hostile:
        out = _raw(base, data, read_timeout=20)
        assert b"Traceback" not in out and b'File "' not in out, out[:300]
        if out:
            assert b"application/json" in out or out.startswith(b"HTTP/1.1 4"), out[:300]
    hostile_json = [
        {"verifiableCredential": {"@context": "x" * 1000}},
        {"verifiableCredential": {"@context": [VC2], "type": "VerifiableCredential", "proof": [1, "x", None]}},
        {"verifiableCredential": "a.b.c"},
        {"verifiableCredential": {"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,a.b.c"}},
        {"verifiableCredential": {**people["cred"], "proof": {**people["cred"]["proof"], "verificationMethod": 7}}},
        {"verifiableCredential": {**people["cred"], "issuer": {"id": "https://169.254.169.254/x"}}},
    ]
    with httpx.Client(base_url=base, timeout=30) as client:
        for doc in hostile_json:
            resp = client.post("/credentials/verify", json=doc)
            assert resp.status_code in (200, 400), resp.text
            _no_trace(resp)
        # still serving the good ones
        ok = client.post("/credentials/verify", json={"verifiableCredential": people["cred"]})
        assert ok.json()["verdict"] == "valid"
    assert server["proc"].poll() is None


# -- web verifier page --------------------------------------------------------------------------------
def test_share_page_is_served_with_a_strict_policy(server) -> None:
    client = server["client"]
    page = client.get("/s")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    assert '<script src="/s.js"' in page.text
    js = client.get("/s.js")
    assert js.status_code == 200 and "AES-GCM" in js.text and "innerHTML" not in js.text
    assert client.get("/s.css").status_code == 200


NODE_HARNESS = """
const S = require(process.argv[2]);
S.run(process.argv[4], process.argv[3], fetch).then(
  (r) => console.log(JSON.stringify({kind: r.kind, verdict: r.result.verdict, problems: r.result.problems})),
  (e) => console.log(JSON.stringify({error: e.message, share: e instanceof S.ShareError})));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the page's script")
def test_share_page_script_reads_inline_and_relay_links(server, people, tmp_path) -> None:
    """The browser half for real: the served script, Node's WebCrypto / DecompressionStream / fetch."""
    client, base = server["client"], server["base"]
    (tmp_path / "s.js").write_text(client.get("/s.js").text)
    (tmp_path / "harness.js").write_text(NODE_HARNESS)

    def run(link: str) -> dict:
        fragment = "#" + link.partition("#")[2]
        out = subprocess.run(["node", str(tmp_path / "harness.js"), str(tmp_path / "s.js"), base, fragment],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    vp = _vp(people["holder"], [people["cred"]], "link", "127.0.0.1")
    assert run(encode_inline_link(base, vp)) == {"kind": "vp", "verdict": "valid", "problems": []}
    assert run(encode_inline_link(base, people["cred"], kind="vc")) == {"kind": "vc", "verdict": "valid",
                                                                        "problems": []}
    tampered = json.loads(json.dumps(vp))
    tampered["verifiableCredential"][0]["name"] = "Heart surgery"
    assert run(encode_inline_link(base, tampered))["problems"] == ["invalid-signature"]

    blob, key = encrypt_for_relay(vp)
    secret = new_unshare_secret()
    rid = client.post("/relay", json={"ciphertext": b64url_encode(blob), "unshareHash": secret.hash}).json()["id"]
    assert run(relay_link(base, rid, key)) == {"kind": "vp", "verdict": "valid", "problems": []}
    wrong_key = run(relay_link(base, rid, bytes(32)))
    assert wrong_key["share"] and "key" in wrong_key["error"]
    client.delete(f"/relay/{rid}", headers={"Authorization": f"Bearer {secret.secret}"})
    unshared = run(relay_link(base, rid, key))
    assert unshared["share"] and "stopped sharing" in unshared["error"]
    damaged = run(f"{base}/s#vp=AAAA")
    assert damaged["share"] and "damaged" in damaged["error"]
    assert run(f"{base}/s")["share"]


# -- options ------------------------------------------------------------------------------------------
def _start(argv: list[str], cwd: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "verifier.cli", "serve", "--port", "0", *argv], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.search(r"(http://127\.0\.0\.1:\d+)", line)
    if m is None:
        proc.kill()
        pytest.fail("no base URL: " + line + (proc.stderr.read() if proc.stderr else ""))
    return proc, m.group(1)


def test_documents_map_answers_an_issuers_did_web_offline(tmp_path) -> None:
    """--documents (as satchel-verify): the did:web issuer's DID document comes from a local file."""
    signer = ed25519_signer()
    did = "did:web:college.example"
    multikey = signer.did.removeprefix("did:key:")
    (tmp_path / "did.json").write_text(json.dumps({
        "@context": ["https://www.w3.org/ns/did/v1"], "id": did,
        "verificationMethod": [{"id": f"{did}#key-1", "type": "Multikey", "controller": did,
                                "publicKeyMultibase": multikey}],
        "assertionMethod": [f"{did}#key-1"]}))
    (tmp_path / "web.json").write_text(json.dumps({"https://college.example/.well-known/did.json": "did.json"}))
    cred = signer.sign(ob3_credential(did), vm=f"{did}#key-1")
    proc, base = _start(["--offline", "--documents", str(tmp_path / "web.json"), "--data", str(tmp_path / "d")],
                        ROOT)
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            ok = client.post("/credentials/verify", json={"verifiableCredential": cred}).json()
            assert ok["verdict"] == "valid", ok
            other = signer.sign(ob3_credential("did:web:elsewhere.example"), vm="did:web:elsewhere.example#k")
            refused = client.post("/credentials/verify", json={"verifiableCredential": other}).json()
            assert refused["verdict"] == "unverifiable" and refused["problems"] == ["unresolvable-key"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_start_up_errors_exit_2_with_a_message(tmp_path) -> None:
    (tmp_path / "bad.json").write_text("[1, 2]")
    out = subprocess.run([sys.executable, "-m", "verifier.cli", "serve", "--port", "0", "--documents",
                          str(tmp_path / "bad.json"), "--data", str(tmp_path / "d")], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "cannot start" in out.stderr and "Traceback" not in out.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "verifier.cli", "serve", "--port", str(port), "--offline",
                              "--data", str(tmp_path / "d")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "cannot start" in out.stderr and "Traceback" not in out.stderr


def test_exchange_accepts_a_vp_jwt_answer(server, people) -> None:
    client, holder = server["client"], people["holder"]
    ex = client.post("/exchanges", json={}).json()
    vpr = ex["verifiablePresentationRequest"]
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did,
          "verifiableCredential": [people["cred"]]}
    claims = {"vp": vp, "iss": holder.did, "aud": vpr["domain"], "nonce": vpr["challenge"]}
    jwt = sign_jws({"alg": "EdDSA", "typ": "JWT", "kid": holder.vm}, json.dumps(claims).encode(), holder.key)
    answer = client.post(ex["url"], json={"verifiablePresentation": jwt}).json()
    assert answer["format"] == "vp-jwt" and answer["verdict"] == "valid", answer
    polled = client.get(ex["url"], headers={"Authorization": f"Bearer {ex['pollToken']}"}).json()
    assert polled["result"]["verifiablePresentation"] == {"jwt": jwt}
    assert client.post(ex["url"], json={"verifiablePresentation": jwt}).json()["problems"] == ["challenge-mismatch"]


def test_a_request_the_http_layer_cannot_parse_gets_a_json_400(server) -> None:
    out = _raw(server["base"], b"\x16\x03\x01\x00\xa5 garbage\r\n\r\n")
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"content-type: application/json" in head.lower()
    assert json.loads(body)["error"] == "bad-request"


def test_a_client_that_sends_its_headers_too_slowly_is_cut_off(server) -> None:
    # the fixture's --request-timeout is 5 s; a slowloris client never finishes its headers
    host, port = server["base"].removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\n")
        assert sock.recv(65536) == b""  # the server closed it (a timeout here raises instead)


def test_a_body_sent_too_slowly_is_a_408(server) -> None:
    out = _raw(server["base"], b"POST /credentials/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: 100\r\n\r\n{", read_timeout=20)
    assert out.startswith(b"HTTP/1.1 408"), out[:200]


def test_over_the_concurrency_limit_the_answer_is_a_json_503_busy(tmp_path: Path) -> None:
    import anyio

    from verifier.api import ServiceConfig, VerifierService
    from verifier.asgi import VerifierApp

    service = VerifierService(ServiceConfig(data_dir=tmp_path, offline=True, max_connections=0))
    app = VerifierApp(service)

    async def ask() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
            return await client.get("/")

    try:
        resp = anyio.run(ask)
    finally:
        service.close()
    assert resp.status_code == 503 and resp.headers["content-type"] == "application/json"
    assert resp.json()["error"] == "busy" and resp.headers["retry-after"] == "1"
