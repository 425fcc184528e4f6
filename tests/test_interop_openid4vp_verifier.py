"""Interop: an independent OpenID4VP 1.0 wallet answers Satchel's verifier. Animo's
@openid4vc/openid4vp 0.4.6 client (the wallet side inside Credo) resolves our request_uri, checks the
Request Object's signature as the client_id prefix says (did:key, x5c) and sends the direct_post or
direct_post.jwt answer; the OpenWallet Foundation @sd-jwt packages make the SD-JWT VC and its KB-JWT,
jose the JWE. Our verifier runs as a real process on 127.0.0.1 (the wallet's fetches are guarded to it).

Set up with ``npm ci --prefix scripts/interop/oid4vp-wallet`` (``make interop-deps``); skipped without node.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from credentials import parse_compact_jws
from tests.helpers import NODE, VC2, ed25519_signer, node_package_skips, ob3_credential
from tests.test_openid4vp_verifier import VCT, loopback, openid4vp_service

ROOT = Path(__file__).resolve().parent.parent
WALLET = ROOT / "scripts" / "interop" / "oid4vp-wallet"

pytestmark = node_package_skips(WALLET, "@openid4vc/openid4vp")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with openid4vp_service(tmp_path_factory.mktemp("verifier-data")) as client:
        yield client


def their_wallet(given: dict[str, Any]) -> dict[str, Any]:
    assert NODE is not None
    proc = subprocess.run([NODE, str(WALLET / "wallet.mjs")], input=json.dumps(given), capture_output=True,
                          text=True, timeout=120, cwd=WALLET)
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    return out


def ask(server: httpx.Client, **body: Any) -> dict[str, Any]:
    resp = server.post("/openid4vp/requests", json={"vct": [VCT], **body})
    assert resp.status_code == 201, resp.text
    made: dict[str, Any] = resp.json()
    return made


def leaf_certificate(server: httpx.Client, made: dict[str, Any]) -> str:
    """The certificate our x509_san_dns request is signed under, which the test's wallet trusts."""
    jws = parse_compact_jws(server.get(loopback(made["requestUri"])).text)
    leaf: str = jws.header["x5c"][0]
    return leaf


def result_of(server: httpx.Client, made: dict[str, Any]) -> dict[str, Any]:
    resp = server.get(f"/exchanges/{made['exchangeId']}", headers={"Authorization": f"Bearer {made['pollToken']}"})
    body: dict[str, Any] = resp.json()
    return body


@pytest.mark.parametrize("prefix", ["decentralized_identifier", "x509_san_dns", "redirect_uri"])
@pytest.mark.parametrize("mode", ["direct_post", "direct_post.jwt"])
def test_their_wallet_presents_an_sd_jwt_vc_to_our_verifier(server: httpx.Client, prefix: str, mode: str) -> None:
    made = ask(server, client_id_prefix=prefix, response_mode=mode)
    trusted = [leaf_certificate(server, made)] if prefix == "x509_san_dns" else []
    out = their_wallet({"link": made["url"], "trustedCertificates": trusted})
    assert out["ok"] is True, out
    assert out["prefix"] == prefix and out["clientId"] == made["clientId"] and out["responseMode"] == mode
    assert out["version"] == 100  # the library's reading: a request of OpenID4VP 1.0 final
    assert out["clientName"] == "Example Hospital"
    assert out["status"] == 200 and out["body"] == {}
    result = result_of(server, made)
    assert result["state"] == "complete" and result["result"]["verified"] is True, result
    shown = result["result"]["verifiablePresentation"]["verifiableCredential"][0]
    assert shown["achievement"]["name"] == "Wound care basics" and "given_name" not in shown


def test_their_wallet_refuses_a_certificate_it_does_not_trust(server: httpx.Client) -> None:
    made = ask(server, client_id_prefix="x509_san_dns")
    out = their_wallet({"link": made["url"], "trustedCertificates": []})
    assert out["ok"] is False and "verif" in out["error"].lower(), out
    assert result_of(server, made)["state"] == "pending"


@pytest.mark.parametrize(("change", "check"), [({"kbNonce": "an-earlier-nonce"}, "proof.challenge"),
                                               ({"kbAud": "x509_san_dns:elsewhere.example"}, "proof.domain")])
def test_our_verifier_refuses_their_key_binding_for_another_request(server: httpx.Client, change: dict[str, str],
                                                                     check: str) -> None:
    made = ask(server)
    out = their_wallet({"link": made["url"], **change})
    assert out["ok"] is True and out["status"] == 400, out
    assert out["body"]["problems"] == ["challenge-mismatch"]
    result = result_of(server, made)["result"]
    assert result["verified"] is False
    assert any(c["id"] == check and c["status"] == "failed" for c in result["checks"])


def test_their_wallet_presents_a_vp_jwt_of_a_badge(server: httpx.Client) -> None:
    """jwt_vc_json: a VP-JWT (for our nonce and client_id) holding an Open Badge 3.0, sent by their library."""
    from credentials import sign_jws

    made = ask(server, response_mode="direct_post.jwt")
    params = {k: v[0] for k, v in parse_qs(urlsplit(made["url"]).query).items()}
    request = json.loads(parse_compact_jws(server.get(loopback(params["request_uri"])).text).payload)
    issuer, holder = ed25519_signer(), ed25519_signer()
    badge = issuer.sign(ob3_credential(issuer.did, subject=holder.did))
    vp_jwt = sign_jws({"alg": "EdDSA", "typ": "JWT", "kid": holder.vm}, json.dumps({
        "iss": holder.did, "nonce": request["nonce"], "aud": request["client_id"], "iat": int(time.time()),
        "vp": {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did,
               "verifiableCredential": [badge]}}).encode(), holder.key)
    out = their_wallet({"link": made["url"], "present": "vp-jwt", "vpJwt": vp_jwt})
    assert out["ok"] is True and out["status"] == 200, out
    result = result_of(server, made)["result"]
    assert result["verified"] is True and result["format"] == "vp-jwt", result
    assert any(c["id"] == "request.query" and c["status"] == "passed" for c in result["checks"])
