"""The verify service as an OpenID4VP 1.0 verifier (§5 request, §8 response), as a real process on
a loopback port with a real SQLite file: a small wallet written here from the spec (its own JWS,
JWE and SD-JWT+KB, real keys) resolves the request by request_uri, checks the Request Object's
signature under each client_id prefix, and answers by direct_post and direct_post.jwt. Refusals:
a replayed vp_token, a wrong nonce or audience, a missing required credential, a tampered
disclosure, an unknown state, malformed and oversized bodies, an expired request."""

from __future__ import annotations

import base64
import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwe
from joserfc.jwk import ECKey

from credentials import (
    Concealed,
    Fetcher,
    b64url_decode,
    issue_sd_jwt,
    parse_compact_jws,
    present_sd_jwt,
    public_key_to_jwk,
    resolve_verification_method,
    verify_jws_signature,
)
from tests.helpers import VC2, ed25519_signer, ob3_credential
from tests.test_sd_jwt_verify import Issuer
from tests.verifier_process import running_verifier

VCT = "https://credentials.example.edu/wound-care"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def openid4vp_service(data: Path) -> Iterator[httpx.Client]:
    """`satchel-verifier serve` known as localhost (x509_san_dns names the response_uri's host)."""
    port = free_port()
    with running_verifier("--offline", "--data", str(data), "--port", str(port), "--public-url",
                          f"http://localhost:{port}", "--name", "Example Hospital", "--request-timeout", "5") \
            as (base, _proc), httpx.Client(base_url=base, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with openid4vp_service(tmp_path_factory.mktemp("verifier-data")) as client:
        yield client


def loopback(url: str) -> str:
    """The wallet reaches localhost on 127.0.0.1 (where the test server listens)."""
    return url.replace("//localhost:", "//127.0.0.1:")


class Wallet:
    """A holder with one SD-JWT VC (issued by a did:jwk issuer, bound to the holder's P-256 key)."""

    def __init__(self) -> None:
        self.issuer, self.key = Issuer("ES256"), ec.generate_private_key(ec.SECP256R1())
        claims = {"iss": self.issuer.did, "vct": VCT, "iat": int(time.time()) - 60,
                  "cnf": {"jwk": public_key_to_jwk(self.key.public_key())},
                  "achievement": Concealed({"name": "Wound care basics"}), "given_name": Concealed("Ada")}
        self.issued = issue_sd_jwt(claims, self.issuer.key, {"alg": "ES256", "typ": "dc+sd-jwt",
                                                             "kid": self.issuer.kid})

    def present(self, nonce: str, aud: str, withhold: str | None = None) -> str:
        return present_sd_jwt(self.issued, lambda d: d.name != withhold, holder_key=self.key, nonce=nonce, aud=aud,
                              iat=int(time.time()))


def make_request(client: httpx.Client, **body: Any) -> dict[str, Any]:
    resp = client.post("/openid4vp/requests", json={"vct": [VCT], **body})
    assert resp.status_code == 201, resp.text
    made: dict[str, Any] = resp.json()
    return made


def resolve(client: httpx.Client, link: str) -> dict[str, Any]:
    """§5.10: fetch the Request Object and check it is signed as its client_id prefix says (§5.9.3)."""
    params = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    if "request_uri" not in params:  # redirect_uri: every parameter by value, unsigned
        assert params["client_id"] == "redirect_uri:" + params["response_uri"]
        return {k: json.loads(v) if k in ("dcql_query", "client_metadata") else v for k, v in params.items()}
    resp = client.get(loopback(params["request_uri"]))
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/oauth-authz-req+jwt"
    jws = parse_compact_jws(resp.text)
    request: dict[str, Any] = json.loads(jws.payload)
    assert jws.header["typ"] == "oauth-authz-req+jwt" and request["client_id"] == params["client_id"]
    prefix, _, identifier = request["client_id"].partition(":")
    if prefix == "decentralized_identifier":
        assert jws.header["kid"].split("#")[0] == identifier
        key = resolve_verification_method(jws.header["kid"], Fetcher(None)).public_key
    else:
        assert prefix == "x509_san_dns"
        cert = x509.load_der_x509_certificate(base64.b64decode(jws.header["x5c"][0]))
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert identifier in sans.get_values_for_type(x509.DNSName)
        assert urlsplit(request["response_uri"]).hostname == identifier
        key = cert.public_key()
    assert verify_jws_signature(jws.header["alg"], jws.signing_input, jws.signature, key)
    return request


def answer(client: httpx.Client, request: dict[str, Any], vp_token: dict[str, Any],
           state: str | None = None) -> httpx.Response:
    params = {"vp_token": vp_token, "state": request["state"] if state is None else state}
    if request["response_mode"] == "direct_post.jwt":  # §8.3: encrypted to the request's key
        jwk = request["client_metadata"]["jwks"]["keys"][0]
        enc = request["client_metadata"]["encrypted_response_enc_values_supported"][0]
        token = jwe.encrypt_compact({"alg": "ECDH-ES", "enc": enc, "kid": jwk["kid"]},
                                    json.dumps(params).encode(), ECKey.import_key(jwk))
        form = {"response": token}
    else:
        form = {"vp_token": json.dumps(vp_token), "state": params["state"]}
    return client.post(loopback(request["response_uri"]), data=form)


def status(client: httpx.Client, made: dict[str, Any]) -> dict[str, Any]:
    resp = client.get(f"/exchanges/{made['exchangeId']}", headers={"Authorization": f"Bearer {made['pollToken']}"})
    assert resp.status_code == 200
    out: dict[str, Any] = resp.json()
    return out


@pytest.mark.parametrize("prefix", ["decentralized_identifier", "x509_san_dns", "redirect_uri"])
@pytest.mark.parametrize("mode", ["direct_post", "direct_post.jwt"])
def test_a_wallet_answers_an_openid4vp_request_once(server: httpx.Client, prefix: str, mode: str) -> None:
    wallet = Wallet()
    made = make_request(server, client_id_prefix=prefix, response_mode=mode)
    assert made["url"].startswith("openid4vp://?") and made["clientId"].startswith(prefix + ":")
    request = resolve(server, made["url"])
    assert request["client_metadata"]["client_name"] == "Example Hospital"
    assert request["nonce"] and request["dcql_query"]["credentials"][-1]["meta"] == {"vct_values": [VCT]}
    vp_token = {"badge_sd_jwt": [wallet.present(request["nonce"], request["client_id"])]}
    resp = answer(server, request, vp_token)
    assert resp.status_code == 200 and resp.json() == {}, resp.text
    result = status(server, made)
    assert result["state"] == "complete" and result["result"]["verified"] is True, result
    assert result["result"]["verdict"] == "valid" and result["result"]["format"] == "vp-sd-jwt"
    for key in result["verifiablePresentationRequest"]["client_metadata"].get("jwks", {}).get("keys", []):
        assert "d" not in key  # the poller sees the request as the wallet does, never its private key
    assert any(c["id"] == "request.query" and c["status"] == "passed" for c in result["result"]["checks"])
    shown = result["result"]["verifiablePresentation"]["verifiableCredential"][0]
    assert shown["achievement"] == {"name": "Wound care basics"} and shown["given_name"] == "Ada"
    replay = answer(server, request, vp_token)
    assert replay.status_code == 400 and replay.json()["error"] == "challenge-mismatch"
    assert "already answered" in replay.json()["message"]
    assert server.get(loopback(made["requestUri"])).status_code == 410 if made["requestUri"] else True


def _refused(server: httpx.Client, vp_token_of: Any, **body: Any) -> dict[str, Any]:
    made = make_request(server, **body)
    request = resolve(server, made["url"])
    resp = answer(server, request, vp_token_of(request))
    assert resp.status_code == 400, resp.text
    result = status(server, made)["result"]
    assert result["verified"] is False
    return result


def test_a_presentation_for_another_nonce_is_refused(server: httpx.Client) -> None:
    wallet = Wallet()
    result = _refused(server, lambda r: {"badge_sd_jwt": [wallet.present("an-earlier-nonce", r["client_id"])]})
    assert result["problems"] == ["challenge-mismatch"]
    assert any(c["id"] == "proof.challenge" and c["status"] == "failed" for c in result["credentials"][0]["checks"]
               + result["checks"])


def test_a_presentation_for_another_verifier_is_refused(server: httpx.Client) -> None:
    wallet = Wallet()
    result = _refused(server, lambda r: {"badge_sd_jwt": [wallet.present(r["nonce"], "x509_san_dns:elsewhere.org")]})
    assert "challenge-mismatch" in result["problems"]
    assert any(c["id"] == "proof.domain" and "elsewhere.org" in c["message"] for c in result["checks"])


def test_a_tampered_disclosure_is_refused(server: httpx.Client) -> None:
    wallet = Wallet()

    def tampered(request: dict[str, Any]) -> dict[str, Any]:
        presented = wallet.present(request["nonce"], request["client_id"])
        parts = presented.split("~")
        salt, name, _ = json.loads(b64url_decode(parts[1]))
        forged = base64.urlsafe_b64encode(json.dumps([salt, name, "Grace"]).encode()).rstrip(b"=").decode()
        return {"badge_sd_jwt": ["~".join([parts[0], forged, *parts[2:]])]}

    result = _refused(server, tampered)
    assert result["verdict"] == "invalid" and result["problems"]


def test_an_answer_that_misses_what_was_asked_is_refused(server: httpx.Client) -> None:
    """The query asks for an SD-JWT VC of one vct; a badge of another type does not answer it."""
    wallet = Wallet()
    query = {"credentials": [{"id": "licence", "format": "dc+sd-jwt",
                              "meta": {"vct_values": ["https://example.org/nursing-licence"]}}]}
    result = _refused(server, lambda r: {"licence": [wallet.present(r["nonce"], r["client_id"])]}, dcql_query=query)
    assert result["problems"] == ["challenge-mismatch"]
    assert any(c["id"] == "request.query" and c["status"] == "failed"
               and "sent for 'licence' is not what it asks for" in c["message"] for c in result["checks"])


def test_an_answer_without_a_required_credential_is_refused(server: httpx.Client) -> None:
    wallet = Wallet()
    diploma = {"id": "diploma", "format": "ldp_vc", "meta": {"type_values": [["VerifiableCredential"]]}}
    query = {"credentials": [{"id": "badge", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]}}, diploma]}
    result = _refused(server, lambda r: {"badge": [wallet.present(r["nonce"], r["client_id"])]}, dcql_query=query)
    assert any(c["id"] == "request.query" and "nothing was sent for diploma" in c["message"] for c in result["checks"])


def test_a_data_integrity_presentation_answers_for_its_nonce_and_client_id(server: httpx.Client) -> None:
    issuer, holder = ed25519_signer(), ed25519_signer()
    cred = issuer.sign(ob3_credential(issuer.did, subject=holder.did))
    made = make_request(server, response_mode="direct_post")
    request = resolve(server, made["url"])
    vp = holder.sign({"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did,
                      "verifiableCredential": [cred]}, proof_purpose="authentication",
                     challenge=request["nonce"], domain=request["client_id"])
    resp = answer(server, request, {"open_badge_ldp": [vp]})
    assert resp.status_code == 200, resp.text
    result = status(server, made)["result"]
    assert result["verdict"] == "valid" and result["format"] == "vp", result
    # the same presentation for another request: its challenge is not this one's
    other = resolve(server, make_request(server, response_mode="direct_post")["url"])
    again = answer(server, other, {"open_badge_ldp": [vp]})
    assert again.status_code == 400 and "challenge-mismatch" in again.json()["problems"]


def test_an_unknown_state_is_refused_and_leaves_the_request_open(server: httpx.Client) -> None:
    wallet = Wallet()
    made = make_request(server)
    request = resolve(server, made["url"])
    token = {"badge_sd_jwt": [wallet.present(request["nonce"], request["client_id"])]}
    resp = answer(server, request, token, state="not-this-one")
    assert resp.status_code == 400 and resp.json()["error"] == "unknown-state"
    assert status(server, made)["state"] == "pending"
    assert answer(server, request, token).status_code == 200


def test_a_plain_answer_to_an_encrypted_request_is_refused(server: httpx.Client) -> None:
    wallet = Wallet()
    request = resolve(server, make_request(server, response_mode="direct_post.jwt")["url"])
    token = {"badge_sd_jwt": [wallet.present(request["nonce"], request["client_id"])]}
    resp = server.post(loopback(request["response_uri"]), data={"vp_token": json.dumps(token),
                                                                "state": request["state"]})
    assert resp.status_code == 400 and "encrypted" in resp.json()["message"]
    other = ECKey.generate_key("P-256")  # encrypted, but to a key that is not this request's
    forged = jwe.encrypt_compact({"alg": "ECDH-ES", "enc": "A128GCM"}, json.dumps({"vp_token": token}).encode(), other)
    resp = server.post(loopback(request["response_uri"]), data={"response": forged})
    assert resp.status_code == 400 and resp.json()["error"] == "bad-response"
    jwk = ECKey.import_key(request["client_metadata"]["jwks"]["keys"][0])
    inflating = jwe.encrypt_compact({"alg": "ECDH-ES", "enc": "A128GCM", "zip": "DEF"}, b"{}" + b" " * 10_000, jwk)
    resp = server.post(loopback(request["response_uri"]), data={"response": inflating})
    assert resp.status_code == 400 and resp.json()["error"] == "bad-response"
    assert server.post(loopback(request["response_uri"]), data={"response": "not.a.jwe"}).status_code == 400


@pytest.mark.parametrize(("body", "ctype", "code"), [
    (b"vp_token=%7B%7D&state=x", "application/json", 415),
    (b"vp_token=not-json&state=x", "application/x-www-form-urlencoded", 400),
    (b"state=x&state=y", "application/x-www-form-urlencoded", 400),
    (b"\xff\xfe", "application/x-www-form-urlencoded", 400),
    (b"vp_token=" + b"A" * (3 * 1024 * 1024), "application/x-www-form-urlencoded", 413),
])
def test_malformed_and_oversized_answers_get_a_clear_error(server: httpx.Client, body: bytes, ctype: str,
                                                           code: int) -> None:
    made = make_request(server, response_mode="direct_post")
    request = resolve(server, made["url"])
    resp = server.post(loopback(request["response_uri"]), content=body, headers={"content-type": ctype})
    assert resp.status_code == code, resp.text
    assert resp.json()["message"] and "Traceback" not in resp.text
    assert status(server, made)["state"] == "pending"


def test_an_expired_request_is_refused(server: httpx.Client) -> None:
    wallet = Wallet()
    made = make_request(server, ttl=1)
    request = resolve(server, made["url"])
    time.sleep(1.2)
    assert server.get(loopback(made["requestUri"])).status_code == 410
    resp = answer(server, request, {"badge_sd_jwt": [wallet.present(request["nonce"], request["client_id"])]})
    assert resp.status_code == 400 and "expired" in resp.json()["message"]
    assert status(server, made)["state"] == "expired"


def test_a_bad_request_to_make_a_request_says_why(server: httpx.Client) -> None:
    for body, word in (({"client_id_prefix": "pre-registered"}, "client_id_prefix"),
                       ({"response_mode": "fragment"}, "response_mode"),
                       ({"dcql_query": {"credentials": []}}, "dcql_query"),
                       ({"dcql_query": {"credentials": [{"id": "m", "format": "mso_mdoc", "meta": {}}]}}, "format")):
        resp = server.post("/openid4vp/requests", json=body)
        assert resp.status_code == 400 and word in resp.json()["message"], resp.text
    assert server.get("/openid4vp/requests/" + "A" * 22).status_code == 404
    assert server.post("/openid4vp/responses/" + "A" * 22, data={"vp_token": "{}"}).status_code == 404


def test_a_wallet_that_declines_ends_the_request(server: httpx.Client) -> None:
    made = make_request(server, response_mode="direct_post")
    request = resolve(server, made["url"])
    resp = server.post(loopback(request["response_uri"]), data={"error": "access_denied", "state": request["state"]})
    assert resp.status_code == 200
    result = status(server, made)
    assert result["state"] == "complete" and result["result"]["error"] == "declined"


def test_a_configured_certificate_signs_and_the_did_key_outlives_a_restart(tmp_path: Path) -> None:
    import datetime as dt

    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Example Hospital verifier")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=9))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    port, data = free_port(), tmp_path / "data"
    args = ("--offline", "--data", str(data), "--port", str(port), "--public-url", f"http://localhost:{port}",
            "--openid4vp-cert", str(tmp_path / "cert.pem"), "--openid4vp-key", str(tmp_path / "key.pem"))
    client_ids = []
    for _ in range(2):
        with running_verifier(*args) as (base, _proc), httpx.Client(base_url=base, timeout=30) as client:
            made = make_request(client, client_id_prefix="x509_san_dns")
            jws = parse_compact_jws(client.get(loopback(made["requestUri"])).text)
            assert base64.b64decode(jws.header["x5c"][0]) == cert.public_bytes(serialization.Encoding.DER)
            assert resolve(client, made["url"])["client_id"] == "x509_san_dns:localhost"
            client_ids.append(make_request(client)["clientId"])
    assert client_ids[0] == client_ids[1] and client_ids[0].startswith("decentralized_identifier:did:key:z6Mk")


@pytest.mark.parametrize("withheld", [None, "given_name"])
def test_the_claims_a_query_asks_for_must_be_disclosed(server: httpx.Client, withheld: str | None) -> None:
    """DCQL §6.3: a claims query is answered only when the presentation discloses that claim."""
    wallet = Wallet()
    query = {"credentials": [{"id": "badge", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]},
                              "claims": [{"path": ["achievement", "name"]}, {"path": ["given_name"]}]}]}
    made = make_request(server, dcql_query=query, response_mode="direct_post")
    request = resolve(server, made["url"])
    resp = answer(server, request, {"badge": [wallet.present(request["nonce"], request["client_id"], withheld)]})
    result = status(server, made)["result"]
    query_check = next(c for c in result["checks"] if c["id"] == "request.query")
    if withheld is None:
        assert resp.status_code == 200 and result["verified"] is True and query_check["status"] == "passed"
    else:
        assert resp.status_code == 400 and result["problems"] == ["challenge-mismatch"]
        assert query_check["status"] == "failed" and "claim it needs is not disclosed" in query_check["message"]


def test_an_openid4vp_request_is_answered_only_at_its_response_uri(server: httpx.Client) -> None:
    """Its query is checked there: the VC-API endpoints refuse it rather than skip that check."""
    issuer, holder = ed25519_signer(), ed25519_signer()
    made = make_request(server, response_mode="direct_post")
    request = resolve(server, made["url"])
    vp = holder.sign({"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did,
                      "verifiableCredential": [issuer.sign(ob3_credential(issuer.did, subject=holder.did))]},
                     proof_purpose="authentication", challenge=request["nonce"], domain=request["client_id"])
    for path, body in ((f"/exchanges/{made['exchangeId']}", {"verifiablePresentation": vp}),
                       (f"/exchanges/{made['exchangeId']}", {}),
                       ("/presentations/verify", {"verifiablePresentation": vp,
                                                  "options": {"challenge": request["nonce"]}})):
        resp = server.post(path, json=body)
        assert resp.status_code == 400 and resp.json()["error"] == "wrong-endpoint", resp.text
    assert status(server, made)["state"] == "pending"
    assert answer(server, request, {"open_badge_ldp": [vp]}).status_code == 200


def test_serve_refuses_a_certificate_with_another_key_at_start_up(tmp_path: Path) -> None:
    import subprocess
    import sys

    from cryptography.hazmat.primitives import serialization

    from tests.verifier_process import ROOT

    made = tmp_path / "data"
    port = free_port()
    with running_verifier("--offline", "--data", str(made), "--port", str(port), "--public-url",
                          f"http://localhost:{port}") as (base, _proc), httpx.Client(base_url=base) as client:
        make_request(client, client_id_prefix="x509_san_dns")  # makes and keeps a self-signed certificate
    cert = next((made / "openid4vp").glob("x509-localhost.pem"))
    other = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "other.pem").write_bytes(other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    refusals = ((tmp_path / "other.pem", "not the key of the certificate"), (tmp_path / "none.pem", "cannot be read"))
    for key, said in refusals:
        out = subprocess.run([sys.executable, "-m", "verifier.cli", "serve", "--port", "0", "--data", str(made),
                              "--openid4vp-cert", str(cert), "--openid4vp-key", str(key)],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert out.returncode == 2 and said in out.stderr and "Traceback" not in out.stderr, out.stderr
