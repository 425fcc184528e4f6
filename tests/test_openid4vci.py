"""OpenID4VCI 1.0 end to end on loopback: the wallet's client (wallet.openid4vci through the import
service) against the issuer stub as a real ``satchel-issuer serve`` process, real keys, a real
wallet file. The sign-in flow's browser is played by the test: it GETs the authorization page with
httpx, submits the stub's form and follows the redirect to the wallet's loopback listener."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import httpx
import pytest

from credentials import parse_input
from credentials._net import GuardedTransport, make_client
from tests.helpers import PASSPHRASE
from tests.stub_server import Stub
from wallet.importer import ImportService
from wallet.openid4vci import Holder, Issued, OfferFlow, TxCodeNeeded
from wallet.store import Store


def offer(stub: Stub, achievement: str = "wound-care-basics", **options: Any) -> dict[str, Any]:
    resp = stub.http.post("/api/offers", json={"achievement": achievement, **options})
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def holder_of(store: Store) -> Holder:
    profile = store.default_profile()
    assert profile is not None
    return Holder(store.signing_key(profile.id), profile.verification_method, profile.did)


class Browser:
    """Plays the learner's browser: opens the authorization page, answers it, follows the redirect."""

    def __init__(self, decide: Callable[[str], dict[str, str]] | None = None,
                 tamper: Callable[[str], str] | None = None) -> None:
        self.decide = decide or (lambda page: {"learner": "S-1024", "decision": "allow"})
        self.tamper = tamper or (lambda location: location)
        self.pages: list[str] = []
        self.errors: list[BaseException] = []
        self.thread: threading.Thread | None = None

    def __call__(self, url: str) -> bool:
        self.thread = threading.Thread(target=self._visit, args=(url,), daemon=True)
        self.thread.start()
        return True

    def _visit(self, url: str) -> None:
        try:
            with httpx.Client(timeout=10) as http:
                page = http.get(url)
                assert page.status_code == 200, page.text
                self.pages.append(page.text)
                request_id = re.search(r'name="request_id" value="([^"]+)"', page.text)
                assert request_id is not None
                base = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
                answer = http.post(f"{base}/authorize", data={"request_id": request_id.group(1),
                                                              **self.decide(page.text)})
                assert answer.status_code == 303, answer.text
                http.get(self.tamper(answer.headers["location"]))  # the wallet's loopback listener
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            self.errors.append(exc)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    c = make_client(GuardedTransport(allow_loopback=True))
    yield c
    c.close()


@pytest.fixture
def service(store: Store, client: httpx.Client) -> ImportService:
    from credentials import Fetcher

    return ImportService(store, lambda: Fetcher(client), client=client)


def stored_document(store: Store, outcome: Any) -> dict[str, Any]:
    assert (outcome.verdict, outcome.error) == ("valid", None), outcome
    record = store.get_credential(outcome.id or "")
    assert record.credential is not None
    return dict(record.credential)


# -- offers by value and by reference -------------------------------------------------------------

def test_an_offer_by_reference_is_fetched_and_redeemed(service: ImportService, store: Store, stub: Stub) -> None:
    made = offer(stub)
    link = made["offer_by_reference"]
    assert "credential_offer_uri=" in link and "credential_offer=" not in link
    document = stored_document(store, service.redeem_offer(link))
    assert document["credentialSubject"]["id"] == holder_of(store).did
    again = service.redeem_offer(link)  # the offer is used: its address now answers 410
    assert again.error and "HTTP 410" in again.error and store.count_credentials() == 1


@pytest.mark.parametrize(("link", "words"), [
    ("openid-credential-offer://?credential_offer_uri=ftp%3A%2F%2F127.0.0.1%2Fo", "not an http(s) URL"),
    ("openid-credential-offer://?credential_offer=%7B%7D&credential_offer_uri=http%3A%2F%2F127.0.0.1%3A9%2Fo",
     "both an offer and an offer address"),
    ('openid-credential-offer://?credential_offer={"credential_issuer":"http://127.0.0.1:9",'
     '"credential_configuration_ids":["x"],"grants":{}}', "neither a pre-authorized code nor a sign-in"),
])
def test_broken_offers_are_refused_in_one_sentence(service: ImportService, store: Store, link: str,
                                                   words: str) -> None:
    outcome = service.redeem_offer(link)
    assert outcome.error and words in outcome.error and store.count_credentials() == 0


def test_an_unknown_offer_address_is_refused(service: ImportService, store: Store, stub: Stub) -> None:
    link = "openid-credential-offer://?credential_offer_uri=" + quote(f"{stub.base}/offers/no-such-offer", safe="")
    outcome = service.redeem_offer(link)
    assert outcome.error and "HTTP 404" in outcome.error and "no such offer" in outcome.error


def test_an_expired_offer_is_refused_by_the_issuer(service: ImportService, store: Store, stub: Stub) -> None:
    outcome = service.redeem_offer(offer(stub, expires_in=0)["credential_offer_uri"])
    assert outcome.error and "the offer expired" in outcome.error and store.count_credentials() == 0


# -- tx_code --------------------------------------------------------------------------------------

def test_a_tx_code_offer_asks_for_the_code_then_takes_the_right_one(service: ImportService, store: Store,
                                                                    stub: Stub) -> None:
    made = offer(stub, tx_code="numeric")
    code, link = made["tx_code"], made["credential_offer_uri"]
    assert re.fullmatch(r"\d{6}", code) and code not in link  # §4.1.1: the code never travels in the offer
    page = stub.http.get(made["page"])  # the issuer's page shows the code beside the QR, never in it
    assert page.status_code == 200 and code in page.text and f'/offers/{made["pre-authorized_code"]}.png' in page.text
    preview = service.preview_offer(link)
    assert preview.tx_code is not None and (preview.tx_code.input_mode, preview.tx_code.length) == ("numeric", 6)
    assert preview.tx_code.description

    without = service.redeem_offer(link)
    assert without.error and "transaction code" in without.error
    letters = service.redeem_offer(link, tx_code="12a456")
    assert letters.error == "The transaction code is made of digits only."
    wrong = service.redeem_offer(link, tx_code=str((int(code) + 1) % 1_000_000).zfill(6))
    assert wrong.error and "wrong transaction code; 2 tries left" in wrong.error
    assert store.count_credentials() == 0

    document = stored_document(store, service.redeem_offer(link, tx_code=code))  # tried again within limits
    assert document["credentialSubject"]["id"] == holder_of(store).did


def test_three_wrong_tx_codes_withdraw_the_offer(service: ImportService, store: Store, stub: Stub) -> None:
    made = offer(stub, tx_code="text")
    wrong = "ZZZZZ1" if made["tx_code"] != "ZZZZZ1" else "ZZZZZ2"
    errors = [service.redeem_offer(made["credential_offer_uri"], tx_code=wrong).error for _ in range(3)]
    assert errors[2] and "the offer is withdrawn" in errors[2]
    late = service.redeem_offer(made["credential_offer_uri"], tx_code=made["tx_code"])
    assert late.error and "already used" in late.error and store.count_credentials() == 0


def test_the_flow_raises_tx_code_needed_with_the_issuers_description(client: httpx.Client, store: Store,
                                                                      stub: Stub) -> None:
    from datetime import UTC, datetime

    flow = OfferFlow(client, lambda: datetime.now(UTC))
    with pytest.raises(TxCodeNeeded) as caught:
        flow.redeem(offer(stub, tx_code="numeric")["credential_offer_uri"], holder_of(store))
    assert caught.value.tx_code.description and caught.value.tx_code.description in str(caught.value)


# -- formats and metadata -------------------------------------------------------------------------

def test_a_jwt_vc_json_offer_gives_a_vc_jwt_bound_to_the_wallet(service: ImportService, store: Store,
                                                                stub: Stub) -> None:
    made = offer(stub, credential_configuration_id="OpenBadgeCredential_jwt_vc_json")
    preview = service.preview_offer(made["credential_offer_uri"])
    assert (preview.format, preview.credential_name) == ("jwt_vc_json", "Open Badge (VC-JWT)")
    assert preview.logo_uri and preview.logo_uri.startswith(stub.base + "/images/")
    outcome = service.redeem_offer(made["credential_offer_uri"])
    record = store.get_credential(outcome.id or "")
    assert (outcome.verdict, record.summary.media_type) == ("valid", "application/jwt")
    assert parse_input(record.original).jws is not None
    assert stored_document(store, outcome)["sub"] == holder_of(store).did


def test_an_sd_jwt_vc_offer_gives_a_credential_bound_to_the_wallets_key(service: ImportService, store: Store,
                                                                        stub: Stub) -> None:
    from credentials import public_key_to_jwk

    made = offer(stub, "healthy-menus", credential_configuration_id="OpenBadgeCredential_dc+sd-jwt")
    outcome = service.redeem_offer(made["credential_offer_uri"])
    assert (outcome.verdict, outcome.error) == ("valid", None), outcome
    record = store.get_credential(outcome.id or "")
    assert record.summary.media_type == "application/dc+sd-jwt"
    parsed = parse_input(record.original)
    assert parsed.sd_jwt is not None  # what the learner may hide when sharing: the achievement's text
    assert sorted(d.name or "" for d in parsed.sd_jwt.disclosures) == ["criteria", "description"]
    assert parsed.document is not None
    assert parsed.document["cnf"]["jwk"] == public_key_to_jwk(holder_of(store).signing_key.public_key())


class BrokenMetadata:
    """A loopback issuer whose metadata is whatever the test says."""

    def __init__(self, metadata: Callable[[str], Any]) -> None:
        make = metadata

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def do_GET(self) -> None:  # noqa: N802
                body = json.dumps(make(base)).encode()
                self.send_response(200 if self.path.startswith("/.well-known/openid-credential-issuer") else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.base = base
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def link(self) -> str:
        body = {"credential_issuer": self.base, "credential_configuration_ids": ["c"],
                "grants": {"urn:ietf:params:oauth:grant-type:pre-authorized_code": {"pre-authorized_code": "x"}}}
        return "openid-credential-offer://?credential_offer=" + quote(json.dumps(body))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize(("metadata", "words"), [
    (lambda base: ["not", "an", "object"], "not a JSON object"),
    (lambda base: {"credential_issuer": "http://127.0.0.1:1"}, "different credential issuer"),
    (lambda base: {"credential_issuer": base}, "lists no credential configurations"),
    (lambda base: {"credential_issuer": base, "credential_configurations_supported": {"other": {}}},
     "does not describe the credential it offers"),
    (lambda base: {"credential_issuer": base, "credential_configurations_supported": {"c": {"format": "mso_mdoc"}}},
     "mso_mdoc, which Satchel cannot receive"),
    (lambda base: {"credential_issuer": base, "authorization_servers": "nope",
                   "credential_configurations_supported": {"c": {"format": "ldp_vc"}}}, "authorization servers"),
])
def test_malformed_issuer_metadata_is_refused(service: ImportService, store: Store,
                                              metadata: Callable[[str], Any], words: str) -> None:
    issuer = BrokenMetadata(metadata)
    try:
        outcome = service.redeem_offer(issuer.link())
    finally:
        issuer.close()
    assert outcome.error and words in outcome.error and store.count_credentials() == 0


# -- authorization code flow with PKCE ------------------------------------------------------------

def test_the_sign_in_flow_receives_the_badge_through_the_browser(service: ImportService, store: Store,
                                                                 stub: Stub) -> None:
    made = offer(stub, "donning-doffing-ppe", grant="authorization_code")
    assert "issuer_state" in made["credential_offer"]["grants"]["authorization_code"]
    assert service.preview_offer(made["credential_offer_uri"]).sign_in
    browser = Browser()
    outcome = service.redeem_offer(made["credential_offer_uri"], browser=browser)
    assert not browser.errors, browser.errors
    assert "Donning and doffing PPE" in browser.pages[0] and "Sign in" in browser.pages[0]
    assert stored_document(store, outcome)["credentialSubject"]["id"] == holder_of(store).did


def test_a_callback_with_another_state_is_ignored(service: ImportService, store: Store, stub: Stub) -> None:
    made = offer(stub, grant="authorization_code")
    browser = Browser(tamper=lambda location: re.sub(r"state=[^&]+", "state=forged", location))
    outcome = service.redeem_offer(made["credential_offer_uri"], browser=browser)
    assert outcome.error and "did not carry the request's state" in outcome.error
    assert store.count_credentials() == 0


def test_a_declined_sign_in_is_reported(service: ImportService, store: Store, stub: Stub) -> None:
    made = offer(stub, grant="authorization_code")
    browser = Browser(decide=lambda page: {"learner": "S-1", "decision": "deny"})
    outcome = service.redeem_offer(made["credential_offer_uri"], browser=browser)
    assert outcome.error and "did not authorize" in outcome.error and "did not sign in" in outcome.error


def _authorization_code(stub: Stub, redirect_uri: str, challenge: str, issuer_state: str) -> str:
    """The browser's part by hand: the page, the answer, the code in the redirect."""
    query = {"response_type": "code", "client_id": "tester", "redirect_uri": redirect_uri, "state": "s1",
             "code_challenge": challenge, "code_challenge_method": "S256", "issuer_state": issuer_state}
    page = stub.http.get("/authorize?" + urlencode(query))
    assert page.status_code == 200, page.text
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text)
    assert request_id is not None
    answer = stub.http.post("/authorize", data={"request_id": request_id.group(1), "learner": "S-1",
                                                "decision": "allow"})
    location = parse_qs(urlsplit(answer.headers["location"]).query)
    assert location["state"] == ["s1"]
    return location["code"][0]


def test_the_stub_refuses_a_wrong_code_verifier_and_a_replayed_code(stub: Stub) -> None:
    from wallet.openid4vci.authorize import new_pkce

    pkce, redirect = new_pkce(), "http://127.0.0.1:9/callback"
    issuer_state = offer(stub, grant="authorization_code")["credential_offer"]["grants"]["authorization_code"][
        "issuer_state"]
    code = _authorization_code(stub, redirect, pkce.challenge, issuer_state)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "client_id": "tester"}
    wrong = stub.http.post("/token", data={**form, "code_verifier": new_pkce().verifier})
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    assert "code_verifier does not match" in wrong.json()["error_description"]
    replayed = stub.http.post("/token", data={**form, "code_verifier": pkce.verifier})  # spent by the first try
    assert replayed.status_code == 400 and "already used" in replayed.json()["error_description"]

    issuer_state = offer(stub, grant="authorization_code")["credential_offer"]["grants"]["authorization_code"][
        "issuer_state"]
    code = _authorization_code(stub, redirect, pkce.challenge, issuer_state)
    good = stub.http.post("/token", data={**form, "code": code, "code_verifier": pkce.verifier})
    assert good.status_code == 200 and good.json()["token_type"] == "Bearer"
    again = stub.http.post("/token", data={**form, "code": code, "code_verifier": pkce.verifier})
    assert again.status_code == 400 and "already used" in again.json()["error_description"]


def test_the_stub_refuses_a_redirect_off_the_loopback_and_no_pkce(stub: Stub) -> None:
    issuer_state = offer(stub, grant="authorization_code")["credential_offer"]["grants"]["authorization_code"][
        "issuer_state"]
    base = {"response_type": "code", "client_id": "c", "state": "s", "issuer_state": issuer_state,
            "code_challenge": "A" * 43, "code_challenge_method": "S256"}
    away = stub.http.get("/authorize?" + urlencode({**base, "redirect_uri": "https://evil.example/cb"}))
    assert away.status_code == 400 and "loopback" in away.json()["error_description"]
    plain = stub.http.get("/authorize?" + urlencode({**base, "redirect_uri": "http://127.0.0.1:9/cb",
                                                     "code_challenge_method": "plain"}))
    assert plain.status_code == 400 and "S256" in plain.json()["error_description"]


# -- key proofs -----------------------------------------------------------------------------------

def _token_and_nonce(stub: Stub) -> tuple[dict[str, str], str]:
    code = offer(stub)["pre-authorized_code"]
    token = stub.http.post("/token", data={"grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
                                           "pre-authorized_code": code}).json()
    nonce = stub.http.post("/nonce").json()["c_nonce"]
    return {"Authorization": f"Bearer {token['access_token']}"}, nonce


def test_a_proof_by_jwk_binds_the_credential_to_a_did_jwk(stub: Stub) -> None:
    import time

    from cryptography.hazmat.primitives.asymmetric import ec

    from credentials import public_key_to_jwk, sign_jws

    auth, nonce = _token_and_nonce(stub)
    key = ec.generate_private_key(ec.SECP256R1())
    header = {"typ": "openid4vci-proof+jwt", "alg": "ES256", "jwk": public_key_to_jwk(key.public_key())}
    proof = sign_jws(header, json.dumps({"aud": stub.base, "iat": int(time.time()), "nonce": nonce}).encode(), key)
    answer = stub.http.post("/credential", headers=auth, json={"credential_configuration_id":
                                                               "OpenBadgeCredential_ldp_vc",
                                                               "proofs": {"jwt": [proof]}})
    assert answer.status_code == 200, answer.text
    subject = answer.json()["credentials"][0]["credential"]["credentialSubject"]["id"]
    assert subject.startswith("did:jwk:")


def test_the_stub_refuses_a_proof_with_a_spent_nonce_or_for_another_issuer(stub: Stub, store: Store) -> None:
    from issuer_stub.oid4vci import wallet_proof

    key = holder_of(store).signing_key
    auth, nonce = _token_and_nonce(stub)
    body = {"credential_configuration_id": "OpenBadgeCredential_ldp_vc"}
    elsewhere = stub.http.post("/credential", headers=auth, json={
        **body, "proofs": {"jwt": [wallet_proof(key, audience="https://other.example", nonce=nonce)]}})
    assert elsewhere.status_code == 400 and "aud" in elsewhere.json()["error_description"]
    stale = stub.http.post("/credential", headers=auth, json={
        **body, "proofs": {"jwt": [wallet_proof(key, audience=stub.base, nonce="made-up")]}})
    assert (stale.status_code, stale.json()["error"]) == (400, "invalid_nonce")


# -- batch ----------------------------------------------------------------------------------------

def test_a_batch_gives_one_credential_per_proof(client: httpx.Client, store: Store, stub: Stub) -> None:
    from datetime import UTC, datetime

    flow = OfferFlow(client, lambda: datetime.now(UTC))
    metadata = stub.http.get("/.well-known/openid-credential-issuer").json()
    assert metadata["batch_credential_issuance"]["batch_size"] == 3
    result = flow.redeem(offer(stub)["credential_offer_uri"], holder_of(store), copies=5)  # capped at 3
    assert isinstance(result, Issued) and len(result.credentials) == 3
    ids = {r.document["id"] for r in result.credentials}
    assert len(ids) == 3 and {r.document["credentialSubject"]["id"] for r in result.credentials} == {
        holder_of(store).did}


# -- deferred -------------------------------------------------------------------------------------

def test_a_deferred_credential_waits_in_the_wallet_then_arrives(service: ImportService, store: Store,
                                                                stub: Stub) -> None:
    outcome = service.redeem_offer(offer(stub, "healthy-menus", deferred=True)["credential_offer_uri"])
    assert (outcome.verdict, outcome.error, outcome.id) == ("pending", None, None)
    (pending,) = store.pending_issuances()
    assert pending.interval == 5 and store.count_credentials() == 0

    reopened = Store.open(store.path, PASSPHRASE)  # a restart keeps it
    try:
        assert [p.transaction_id for p in reopened.pending_issuances()] == [pending.transaction_id]
    finally:
        reopened.close()

    assert service.collect_pending() == []  # not due yet: the issuer asked for 5 s between asks
    not_ready = service.collect_pending(force=True)
    assert [o.verdict for o in not_ready] == ["pending"] and len(store.pending_issuances()) == 1

    approved = stub.http.post(f"/api/deferred/{pending.transaction_id}/approve")
    assert approved.status_code == 200
    (arrived,) = service.collect_pending(force=True)
    assert stored_document(store, arrived)["credentialSubject"]["id"] == holder_of(store).did
    assert store.pending_issuances() == []
    again = service.collect_pending(force=True)  # delivered once: nothing is left to ask for
    assert again == []


def test_a_deferred_credential_in_a_backup_arrives_in_the_restored_wallet(service: ImportService, store: Store,
                                                                         client: httpx.Client, stub: Stub,
                                                                         tmp_path: Path) -> None:
    from credentials import Fetcher
    from tests.helpers import fast_kdf
    from wallet.store import restore_backup

    link = offer(stub, "healthy-menus", deferred=True)["credential_offer_uri"]
    assert service.redeem_offer(link).verdict == "pending"
    (pending,) = store.pending_issuances()
    store.backup(tmp_path / "wallet.satchel-backup", PASSPHRASE)

    with restore_backup(tmp_path / "wallet.satchel-backup", PASSPHRASE, tmp_path / "new" / "wallet.satchel",
                        kdf=fast_kdf()) as restored:
        assert restored.pending_issuances() == [pending]  # token, transaction id and profile kept
        assert stub.http.post(f"/api/deferred/{pending.transaction_id}/approve").status_code == 200
        (arrived,) = ImportService(restored, lambda: Fetcher(client), client=client).collect_pending(force=True)
        assert stored_document(restored, arrived)["credentialSubject"]["id"] == holder_of(store).did
        assert restored.pending_issuances() == []


def test_an_expired_deferred_credential_is_dropped_with_the_reason(service: ImportService, store: Store,
                                                                   stub: Stub) -> None:
    link = offer(stub, deferred=True, deferred_expires_in=0)["credential_offer_uri"]
    assert service.redeem_offer(link).verdict == "pending"
    (gone,) = service.collect_pending(force=True)
    assert gone.error and "no longer knows this pending credential" in gone.error
    assert store.pending_issuances() == [] and store.count_credentials() == 0


# -- notification ---------------------------------------------------------------------------------

def test_the_wallet_tells_the_issuer_it_kept_the_credential(client: httpx.Client, store: Store, stub: Stub,
                                                            service: ImportService) -> None:
    from datetime import UTC, datetime

    flow = OfferFlow(client, lambda: datetime.now(UTC))
    issued = flow.redeem(offer(stub)["credential_offer_uri"], holder_of(store))
    assert isinstance(issued, Issued) and issued.notification is not None
    seen = f"/api/notifications/{issued.notification.notification_id}"
    assert stub.http.get(seen).json() == {"event": None}
    assert flow.notify(issued.notification, "credential_deleted")
    assert stub.http.get(seen).json() == {"event": "credential_deleted"}
    forged = type(issued.notification)(issued.notification.endpoint, issued.notification.access_token, "forged")
    assert not flow.notify(forged, "credential_accepted")  # refused by the issuer: advisory, no exception

    outcome = service.redeem_offer(offer(stub)["credential_offer_uri"])  # the import service says accepted
    assert outcome.verdict == "valid"
    events = [stub.http.get(f"/api/notifications/{n}").json()["event"] for n in _notification_ids(stub)]
    assert "credential_accepted" in events


def _notification_ids(stub: Stub) -> list[str]:
    import sqlite3

    state = Path(stub.proc.args[2]) / "state.sqlite3"
    with sqlite3.connect(state) as db:
        rows = db.execute("SELECT key FROM meta WHERE key LIKE 'oid4vci:notification:%'").fetchall()
    return [key.rsplit(":", 1)[1] for (key,) in rows]
