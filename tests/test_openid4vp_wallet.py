"""The wallet's OpenID4VP 1.0 side against Satchel's own verify service (a real `satchel-verifier
serve` process on loopback), and its refusals of requests it must not answer: links that are
malformed or too long, a redirect_uri client whose answer would go elsewhere, an unsigned request
naming a DID, an oversized or expired Request Object (served over real HTTP on 127.0.0.1), a
query Satchel does not read."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import Concealed, Fetcher, issue_sd_jwt, make_client, public_key_to_jwk, sign_jws
from credentials._did.jwk import did_jwk_from_jwk
from tests.helpers import PASSPHRASE, ed25519_signer, fast_kdf, ob3_credential
from tests.verifier_process import running_verifier
from wallet.importer import ImportService
from wallet.share import (
    RequestError,
    RequestGoneError,
    answer_openid4vp,
    is_openid4vp_link,
    parse_openid4vp_link,
    preview_openid4vp,
    read_openid4vp_request,
)
from wallet.store import Store

VCT = "https://credentials.example.edu/wound-care"
QUERY = {"credentials": [{"id": "badge", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]},
                          "claims": [{"path": ["given_name"]}]}]}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A wallet with an SD-JWT VC bound to its holder key and a Data Integrity Open Badge."""
    with Store.create(tmp_path_factory.mktemp("w") / "wallet.satchel", PASSPHRASE, kdf=fast_kdf()) as s:
        profile = s.create_profile("Me")
        holder = s.signing_key(profile.id)
        issuer = ec.generate_private_key(ec.SECP256R1())
        did = did_jwk_from_jwk(public_key_to_jwk(issuer.public_key()))
        claims = {"iss": did, "vct": VCT, "iat": int(time.time()) - 60,
                  "cnf": {"jwk": public_key_to_jwk(holder.public_key())},
                  "achievement": Concealed({"name": "Wound care basics"}), "given_name": Concealed("Ada")}
        service = ImportService(s, lambda: Fetcher(None))
        assert service.import_text(issue_sd_jwt(claims, issuer, {"alg": "ES256", "typ": "dc+sd-jwt",
                                                                 "kid": f"{did}#0"})).verdict == "valid"
        signer = ed25519_signer()
        assert service.import_text(json.dumps(signer.sign(ob3_credential(signer.did, subject=profile.did)))
                                   ).verdict == "valid"
        yield s


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with make_client(allow_loopback=True) as c:
        yield c


# -- our wallet, our verifier -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def verifier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    data = tmp_path_factory.mktemp("verifier-data")
    with running_verifier("--offline", "--data", str(data), "--name", "Example Hospital") as (base, _proc), \
            httpx.Client(base_url=base, timeout=30) as c:
        yield c


def _poll(verifier: httpx.Client, made: dict[str, Any]) -> dict[str, Any]:
    resp = verifier.get(f"/exchanges/{made['exchangeId']}", headers={"Authorization": f"Bearer {made['pollToken']}"})
    assert resp.status_code == 200
    out: dict[str, Any] = resp.json()
    return out


@pytest.mark.parametrize(("prefix", "mode", "query"), [
    ("decentralized_identifier", "direct_post.jwt", QUERY),  # the SD-JWT VC answers
    ("redirect_uri", "direct_post", None),  # the service's default query: the Open Badge answers
])
def test_our_wallet_answers_our_verifier(store: Store, client: httpx.Client, verifier: httpx.Client,
                                         prefix: str, mode: str, query: dict[str, Any] | None) -> None:
    made = verifier.post("/openid4vp/requests", json={"client_id_prefix": prefix, "response_mode": mode,
                                                      **({"dcql_query": query} if query else {})}).json()
    request = read_openid4vp_request(made["url"], client=client)
    assert request.verifier.name == "Example Hospital"
    assert request.verifier.confirmed is (prefix == "decentralized_identifier")
    preview = preview_openid4vp(store, request)
    assert preview.satisfied and len(preview.choices) == 1
    answer = answer_openid4vp(store, request, client=client)
    assert answer.status == 200, answer.body
    result = _poll(verifier, made)
    assert result["state"] == "complete" and result["result"]["verified"] is True, result
    assert result["result"]["format"] == ("vp-sd-jwt" if query else "vp")
    again = answer_openid4vp(store, request, client=client)  # the verifier takes one answer per request
    assert again.status == 400
    history = [e for e in store.list_shares() if e.details.get("client_id") == request.client_id]
    assert history and history[0].recipient == "Example Hospital"
    assert history[0].details["channel"] == "request" and history[0].details["protocol"] == "openid4vp"


def test_a_same_device_answer_sends_the_learner_back_and_only_that_browser_reads_the_result(
        store: Store, client: httpx.Client, verifier: httpx.Client) -> None:
    """§8.2 redirect_uri with a response_code; the "Session Fixation" section: the poll token alone
    (held by whoever started the request) no longer reads the answer."""
    made = verifier.post("/openid4vp/requests", json={"dcql_query": QUERY,
                                                      "redirect_uri": "https://hire.example/after?job=7"}).json()
    answer = answer_openid4vp(store, read_openid4vp_request(made["url"], client=client), client=client)
    assert answer.status == 200, answer.body
    assert answer.redirect_uri is not None and answer.redirect_uri.startswith("https://hire.example/after?job=7#")
    code = answer.redirect_uri.split("#response_code=", 1)[1]
    assert len(code) >= 22  # §8.2: 128 bits or more

    def poll(**params: str) -> dict[str, Any]:
        resp = verifier.get(f"/exchanges/{made['exchangeId']}", params=params,
                            headers={"Authorization": f"Bearer {made['pollToken']}"})
        assert resp.status_code == 200
        return dict(resp.json())

    for params in ({}, {"response_code": "not-" + code}):
        held = poll(**params)
        assert held["state"] == "complete" and "result" not in held and held["resultNeeds"] == "response_code"
    released = poll(response_code=code)["result"]
    assert released["verified"] is True and "responseCodeHash" not in released


@pytest.mark.parametrize("target", ["javascript:alert(1)", "http://hire.example/after", "https://hire.example/a#x",
                                    "file:///etc/passwd", "https://" + "a" * 2000 + ".example/"])
def test_a_same_device_request_must_return_to_a_web_page(verifier: httpx.Client, target: str) -> None:
    resp = verifier.post("/openid4vp/requests", json={"redirect_uri": target})
    assert resp.status_code == 400 and "redirect_uri" in resp.json()["message"]


@pytest.mark.parametrize(("given", "kept"), [
    ("https://hire.example/after#response_code=abc", True), ("http://127.0.0.1:8080/done", True),
    ("javascript:alert(1)", False), ("intent://scan#Intent;scheme=x;end", False), ("http://hire.example/", False),
    (["https://hire.example/"], False)])
def test_the_wallet_only_follows_a_verifier_back_to_a_web_page(given: Any, kept: bool) -> None:
    from wallet.share.openid4vp import _reply

    assert _reply(httpx.Response(200, json={"redirect_uri": given}))[1] == (given if kept else None)


# -- refusals ---------------------------------------------------------------------------------------


def _link(**params: str) -> str:
    return "openid4vp://?" + urlencode(params, quote_via=quote)


def _plain(query: Any = QUERY, **extra: str) -> str:
    uri = "https://hire.example/response"
    return _link(client_id=f"redirect_uri:{uri}", response_type="vp_token", response_mode="direct_post",
                 response_uri=uri, nonce="n-1", dcql_query=json.dumps(query), **extra)


def test_a_plain_redirect_uri_request_is_read_without_the_network() -> None:
    request = read_openid4vp_request(_plain(client_metadata=json.dumps({"client_name": "Hire"})))
    assert request.verifier.name == "Hire" and not request.verifier.confirmed
    assert request.query.credentials[0].id == "badge" and request.nonce == "n-1"


@pytest.mark.parametrize(("link", "words"), [
    ("https://hire.example/jobs", "not an OpenID4VP request link"),
    ("openid4vp://?request_uri=https://hire.example/r", "does not say which verifier"),
    ("openid4vp://?client_id=a&client_id=b", "gives client_id twice"),
    ("openid4vp://?client_id=" + "x" * 20_000, "too long"),
])
def test_malformed_links_are_refused(link: str, words: str) -> None:
    with pytest.raises(RequestError, match=words):
        parse_openid4vp_link(link)


@pytest.mark.parametrize(("link", "words"), [
    (_link(client_id="pre-registered-client", request_uri="https://hire.example/r"), "does not check"),
    (_plain().replace("response_uri=https%3A%2F%2Fhire.example%2Fresponse",
                      "response_uri=https%3A%2F%2Fevil.example%2Fresponse"), "sends the answer to another"),
    (_link(client_id="decentralized_identifier:did:key:z6Mk", response_type="vp_token", nonce="n",
           response_uri="https://hire.example/r", response_mode="direct_post", dcql_query=json.dumps(QUERY)),
     "not signed"),
    (_plain().replace("nonce=n-1&", ""), "no nonce"),
    (_plain().replace("response_mode=direct_post", "response_mode=fragment"), "answers by direct_post"),
    (_plain().replace("response_type=vp_token", "response_type=code"), "does not ask for credentials"),
    (_plain().replace("https%3A%2F%2Fhire.example%2Fresponse", "http%3A%2F%2Fhire.example%2Fresponse"),
     "not a secure web address"),
])
def test_requests_that_must_not_be_answered_are_refused(link: str, words: str) -> None:
    with pytest.raises(RequestError, match=words):
        read_openid4vp_request(link)


def test_a_presentation_exchange_request_is_refused_with_a_sentence() -> None:
    link = _plain().replace("dcql_query=", "presentation_definition=")
    with pytest.raises(RequestError, match="Presentation Exchange"):
        read_openid4vp_request(link)


def test_a_malformed_dcql_query_says_what_is_wrong() -> None:
    with pytest.raises(RequestError, match="credential query 1's id"):
        read_openid4vp_request(_plain({"credentials": [{"format": "dc+sd-jwt"}]}))


class _Serve(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("content-type", "application/oauth-authz-req+jwt")
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def start(body: bytes) -> str:
        handler = type("Handler", (_Serve,), {"body": body})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/request"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _signed_request(claims: dict[str, Any]) -> tuple[str, str]:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from credentials import did_key_from_public_key

    key = ed25519.Ed25519PrivateKey.generate()
    did = did_key_from_public_key(key.public_key())
    client_id = f"decentralized_identifier:{did}"
    header = {"alg": "EdDSA", "typ": "oauth-authz-req+jwt", "kid": f"{did}#{did.removeprefix('did:key:')}"}
    body = {"client_id": client_id, "response_type": "vp_token", "response_mode": "direct_post",
            "response_uri": "http://127.0.0.1:9/response", "nonce": "n", "dcql_query": QUERY, **claims}
    return client_id, sign_jws(header, json.dumps(body).encode(), key)


def test_an_oversized_request_object_is_refused_before_it_is_read(client: httpx.Client, serve: Any) -> None:
    uri = serve(b"e" * (300 * 1024))
    with pytest.raises(RequestError, match="larger than 256 KB"):
        read_openid4vp_request(_link(client_id="decentralized_identifier:did:key:z6Mk", request_uri=uri),
                               client=client)


def test_a_garbled_request_object_is_refused(client: httpx.Client, serve: Any) -> None:
    uri = serve(b"not.a.jwt")
    with pytest.raises(RequestError, match="not a signed JWT"):
        read_openid4vp_request(_link(client_id="decentralized_identifier:did:key:z6Mk", request_uri=uri),
                               client=client)


def test_a_signed_request_is_checked_end_to_end_and_an_expired_one_refused(client: httpx.Client,
                                                                          serve: Any) -> None:
    client_id, jwt = _signed_request({"exp": int(time.time()) + 300})
    request = read_openid4vp_request(_link(client_id=client_id, request_uri=serve(jwt.encode())), client=client)
    assert request.verifier.confirmed and request.verifier.how.startswith("Signed by did:key:")
    client_id, expired = _signed_request({"exp": int(time.time()) - 5})
    with pytest.raises(RequestGoneError, match="expired"):
        read_openid4vp_request(_link(client_id=client_id, request_uri=serve(expired.encode())), client=client)
    other, jwt = _signed_request({})
    with pytest.raises(RequestError, match="different verifier than its link"):
        read_openid4vp_request(_link(client_id=client_id, request_uri=serve(jwt.encode())), client=client)
    assert other != client_id


def test_an_encrypted_answer_needs_a_key_satchel_can_encrypt_to() -> None:
    metadata = {"jwks": {"keys": [{"kty": "RSA", "n": "x", "e": "AQAB", "use": "enc"}]}}
    with pytest.raises(RequestError, match="no key Satchel can encrypt to"):
        read_openid4vp_request(_plain(client_metadata=json.dumps(metadata)).replace(
            "response_mode=direct_post", "response_mode=direct_post.jwt"))


def test_openid4vp_links_are_told_from_other_urls() -> None:
    assert is_openid4vp_link("openid4vp://?client_id=x&request_uri=https://a.example/r")
    assert is_openid4vp_link("https://wallet.example/cb?client_id=x&request_uri=https://a.example/r")
    assert not is_openid4vp_link("https://verifier.example/exchanges/123")


def test_nothing_matching_is_said_and_not_sent(store: Store) -> None:
    other = {"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eu:pid"]}}]}
    request = read_openid4vp_request(_plain(other))
    preview = preview_openid4vp(store, request)
    assert not preview.satisfied and preview.choices[0].credential_id is None
    assert "Nothing in your wallet answers" in " ".join(preview.warnings)
    with pytest.raises(RequestError, match="cannot answer this request"):
        with make_client(offline=True) as offline:
            answer_openid4vp(store, request, client=offline)


def test_satchel_wallet_answer_shows_what_goes_and_sends_only_when_told(tmp_path_factory: pytest.TempPathFactory,
                                                                        verifier: httpx.Client) -> None:
    from tests.test_wallet_cli import wallet as run

    home = tmp_path_factory.mktemp("cli-home")
    did = json.loads(run(home, "init", "--json").stdout)["profile"]["did"]
    signer = ed25519_signer()
    badge = tmp_path_factory.mktemp("files") / "badge.json"
    badge.write_text(json.dumps(signer.sign(ob3_credential(signer.did, subject=did))))
    run(home, "import", str(badge), "--offline")
    made = verifier.post("/openid4vp/requests", json={"client_id_prefix": "decentralized_identifier",
                                                      "response_mode": "direct_post"}).json()
    asked = run(home, "answer", made["url"], "--allow-loopback", expect=1)
    assert "Example Hospital asks for your badges (confirmed: Signed by did:key:" in asked.stderr
    assert "sent whole: the verifier sees everything in it" in asked.stderr
    assert "Nothing was sent (give --yes to send)." in asked.stderr
    assert _poll(verifier, made)["state"] != "complete"
    sent = run(home, "answer", made["url"], "--allow-loopback", "--yes", "--json")
    assert json.loads(sent.stdout)["accepted"] is True
    assert _poll(verifier, made)["result"]["verified"] is True
    again = run(home, "answer", made["url"], "--allow-loopback", "--yes", expect=None)  # one answer per request
    assert again.returncode != 0 and "already answered or has expired" in again.stderr, again.stderr


def _wallet_with(tmp_path_factory: pytest.TempPathFactory, make: Any) -> Store:
    store = Store.create(tmp_path_factory.mktemp("w") / "wallet.satchel", PASSPHRASE, kdf=fast_kdf())
    profile = store.create_profile("Me")
    outcome = ImportService(store, lambda: Fetcher(None)).import_text(make(profile.did))
    assert outcome.verdict == "valid", outcome
    return store


def test_an_ecdsa_sd_badge_discloses_only_what_is_kept(tmp_path_factory: pytest.TempPathFactory,
                                                       client: httpx.Client, verifier: httpx.Client) -> None:
    from credentials import SdBaseProofKey
    from credentials._proofs import ProofOptions, add_proof
    from tests.helpers import p256_signer

    issuer = p256_signer()
    mandatory = ("/issuer", "/credentialSubject/id", "/credentialSubject/type")
    store = _wallet_with(tmp_path_factory, lambda did: json.dumps(add_proof(
        ob3_credential(issuer.did, subject=did), "ecdsa-sd-2023", SdBaseProofKey(issuer.key, mandatory),
        ProofOptions(verification_method=issuer.vm))))
    query = {"credentials": [{"id": "badge", "format": "ldp_vc", "meta": {}, "claims": [
        {"id": "achievement", "path": ["credentialSubject", "achievement"]}, {"id": "name", "path": ["name"]}],
        "claim_sets": [["achievement", "name"], ["achievement"]]}]}
    try:
        made = verifier.post("/openid4vp/requests", json={"client_id_prefix": "decentralized_identifier",
                                                          "dcql_query": query}).json()
        request = read_openid4vp_request(made["url"], client=client)
        [choice] = preview_openid4vp(store, request).choices
        assert not choice.whole and {c.label: c.optional for c in choice.claims} == {
            "credentialSubject.achievement": False, "name": True}
        assert "issuer" in choice.always and "credentialSubject" in choice.always
        name = next(c.index for c in choice.claims if c.label == "name")
        answer = answer_openid4vp(store, request, client=client, withheld={"badge": {name}})
        assert answer.status == 200, answer.body
        result = _poll(verifier, made)["result"]
        assert result["verified"] is True, result
        [vc] = answer.vp_token["badge"][0]["verifiableCredential"]
        assert "name" not in vc and vc["credentialSubject"]["achievement"]["name"]  # withheld, asked
    finally:
        store.close()


def test_the_app_takes_an_openid4vp_link_from_text_or_the_camera() -> None:
    from wallet.app.camera_service import looks_like_request_qr
    from wallet.app.services.openid4vp import openid4vp_link_in

    link = "openid4vp://?client_id=decentralized_identifier%3Adid%3Akey%3Az6Mk&request_uri=https%3A%2F%2Fa.example%2Fr"
    assert looks_like_request_qr(link) is None  # the camera keeps scanning for it
    assert openid4vp_link_in("  " + link + "\n") == link
    assert openid4vp_link_in("https://verifier.example/exchanges/1") is None  # the VC-API flow's
    assert openid4vp_link_in(b'{"verifiablePresentationRequest": {}}') is None


def test_a_jwt_badge_answers_our_verifier_as_a_vp_jwt(tmp_path_factory: pytest.TempPathFactory,
                                                      client: httpx.Client, verifier: httpx.Client) -> None:
    """jwt_vc_json (B.1.3.1.5): the VC-JWT goes inside a VP-JWT, and our verifier checks both."""
    issuer = ed25519_signer()

    def vc_jwt(did: str) -> str:
        return sign_jws({"alg": "EdDSA", "kid": issuer.vm, "typ": "vc+jwt"},
                        json.dumps(ob3_credential(issuer.did, subject=did)).encode(), issuer.key)

    store = _wallet_with(tmp_path_factory, vc_jwt)
    query = {"credentials": [{"id": "badge", "format": "jwt_vc_json", "meta": {"type_values": [
        ["OpenBadgeCredential"]]}}]}
    try:
        made = verifier.post("/openid4vp/requests", json={"client_id_prefix": "decentralized_identifier",
                                                          "dcql_query": query}).json()
        request = read_openid4vp_request(made["url"], client=client)
        assert preview_openid4vp(store, request).satisfied
        answer = answer_openid4vp(store, request, client=client)
        assert answer.status == 200, answer.body
        [token] = answer.vp_token["badge"]
        assert isinstance(token, str) and token.count(".") == 2  # a VP-JWT, its credential a VC-JWT inside
        result = _poll(verifier, made)["result"]
        assert result["verified"] is True and result["format"] == "vp-jwt", result
    finally:
        store.close()
