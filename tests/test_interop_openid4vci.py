"""OpenID4VCI 1.0 against an independent implementation: Animo's @openid4vc/openid4vci and
@openid4vc/oauth2 (scripts/interop/oid4vci, pinned in its package-lock.json), both ways on loopback.

Their issuer (Openid4vciIssuer + Oauth2AuthorizationServer, an SD-JWT VC from @sd-jwt) is a node
HTTP server on 127.0.0.1; our wallet receives from it, with and without a tx_code. Their wallet side
(Openid4vciClient) receives from our issuer stub. Skipped without node or its packages."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials import Fetcher, parse_input, public_key_to_jwk, verify
from credentials._net import GuardedTransport, make_client
from tests.helpers import NODE, node_package_skips
from tests.stub_server import Stub
from wallet.importer import ImportService
from wallet.store import Store

DRIVER = Path(__file__).resolve().parents[1] / "scripts" / "interop" / "oid4vci"
pytestmark = node_package_skips(DRIVER, "@openid4vc/openid4vci")


class TheirIssuer:
    def __init__(self) -> None:
        assert NODE is not None
        self.proc = subprocess.Popen([NODE, str(DRIVER / "oid4vci.mjs"), "issuer"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.startswith("{"), (line, self.proc.stderr.read() if self.proc.poll() is not None else "")
        self.base = json.loads(line)["base"]

    def offer(self, *, tx_code: bool = False) -> dict[str, Any]:
        answer = httpx.post(f"{self.base}/offers", json={"txCode": tx_code}, timeout=10)
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()


@pytest.fixture(scope="module")
def their_issuer() -> Iterator[TheirIssuer]:
    issuer = TheirIssuer()
    try:
        yield issuer
    finally:
        issuer.stop()


@pytest.fixture
def service(store: Store) -> Iterator[ImportService]:
    client = make_client(GuardedTransport(allow_loopback=True))
    yield ImportService(store, lambda: Fetcher(client), client=client)
    client.close()


def their_client(offer: str, tx_code: str | None = None) -> dict[str, Any]:
    assert NODE is not None
    given = {"offer": offer, **({"txCode": tx_code} if tx_code else {})}
    proc = subprocess.run([NODE, str(DRIVER / "oid4vci.mjs"), "client"], input=json.dumps(given), text=True,
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout))


def assert_bound_to_the_wallet(store: Store, outcome: Any) -> None:
    assert (outcome.verdict, outcome.error) == ("valid", None), outcome
    record = store.get_credential(outcome.id or "")
    assert record.summary.media_type == "application/dc+sd-jwt"
    parsed = parse_input(record.original)
    assert parsed.sd_jwt is not None and parsed.document is not None
    profile = store.default_profile()
    assert profile is not None
    assert parsed.document["cnf"]["jwk"] == public_key_to_jwk(store.signing_key(profile.id).public_key())


# -- our wallet receives from their issuer --------------------------------------------------------

def test_our_wallet_receives_an_sd_jwt_vc_from_their_issuer(service: ImportService, store: Store,
                                                           their_issuer: TheirIssuer) -> None:
    link = their_issuer.offer()["offer"]
    preview = service.preview_offer(link)
    assert (preview.issuer_name, preview.credential_name, preview.format) == (
        "Their demo issuer (@openid4vc)", "Wound care badge (their SD-JWT VC)", "dc+sd-jwt")
    outcome = service.redeem_offer(link)
    assert_bound_to_the_wallet(store, outcome)
    assert outcome.name == "Wound care basics"


def test_our_wallet_gives_their_issuer_the_tx_code(service: ImportService, store: Store,
                                                   their_issuer: TheirIssuer) -> None:
    made = their_issuer.offer(tx_code=True)
    preview = service.preview_offer(made["offer"])
    assert preview.tx_code is not None and preview.tx_code.description == "Sent to you by e-mail"
    wrong = service.redeem_offer(made["offer"], tx_code=str((int(made["txCode"]) + 1) % 1_000_000).zfill(6))
    assert wrong.error and "The issuer refused the token request (HTTP 400)" in wrong.error
    assert store.count_credentials() == 0
    assert_bound_to_the_wallet(store, service.redeem_offer(made["offer"], tx_code=made["txCode"]))


# -- their wallet side receives from our issuer stub ----------------------------------------------

def _offer(stub: Stub, **options: Any) -> dict[str, Any]:
    answer = stub.http.post("/api/offers", json={"achievement": "wound-care-basics",
                                                 "credential_configuration_id": "OpenBadgeCredential_dc+sd-jwt",
                                                 **options})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _verified_for(stub: Stub, credential: str) -> Any:
    """Our engine's report on what their client received (the stub's did:web over loopback)."""
    client = make_client(GuardedTransport(allow_loopback=True))
    try:
        return verify(credential.encode(), fetcher=Fetcher(client))
    finally:
        client.close()


def test_their_client_receives_from_our_stub_by_reference(stub: Stub) -> None:
    received = their_client(_offer(stub)["offer_by_reference"])
    assert "error" not in received, received
    (credential,) = received["credentials"]
    parsed = parse_input(credential.encode())
    assert parsed.document is not None and parsed.document["cnf"]["jwk"] == received["holderJwk"]
    assert received["issuerName"] == "Satchel demo issuer"
    assert _verified_for(stub, credential).verdict == "valid"


def test_their_client_sends_our_stub_the_tx_code(stub: Stub) -> None:
    made = _offer(stub, tx_code="numeric")
    refused = their_client(made["credential_offer_uri"], "000000" if made["tx_code"] != "000000" else "111111")
    assert "error" in refused and "wrong transaction code" in json.dumps(refused)
    received = their_client(made["credential_offer_uri"], made["tx_code"])
    assert "error" not in received, received
    assert len(received["credentials"]) == 1
