"""Answer an OpenID4VP 1.0 request in the real app, against a real `satchel-verifier serve` on
loopback: the verifier makes a DCQL request for an SD-JWT VC (the full name preferred, the given
name alone accepted: claim_sets); the learner pastes its openid4vp:// link, sees who asks (confirmed:
signed by its DID) and each claim that would go, unticks the optional family name, and sends. The
verifier's record shows what it received: no family name. Screenshots of the consent screen on a
phone and a desktop go to docs/screenshots/wallet-openid4vp-consent-{phone,desktop}.png."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import Concealed, Fetcher, issue_sd_jwt, public_key_to_jwk, resolve_verification_method
from credentials._did.jwk import did_jwk_from_jwk
from tests.ui.test_share_link import PASSPHRASE, shown_texts
from tests.ui.ui_driver import (
    DESKTOP,
    PHONE,
    RunningApp,
    click,
    create_wallet,
    navigate_to,
    open_app,
    steady_screenshot,
    type_until_held,
    upload_files,
    wait_shown,
)
from tests.verifier_process import running_verifier

pytest.importorskip("wallet.share", reason="wallet.share (sharing) is not installed")

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VCT = "https://credentials.example.edu/wound-care"
QUERY = {"credentials": [{
    "id": "badge", "format": "dc+sd-jwt", "meta": {"vct_values": [VCT]},
    "claims": [{"id": "given", "path": ["given_name"]}, {"id": "family", "path": ["family_name"]},
               {"id": "achievement", "path": ["achievement", "name"]}],
    "claim_sets": [["given", "family", "achievement"], ["given", "achievement"]]}]}


@pytest.fixture(scope="module")
def verifier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("verifier-data")
    with running_verifier("--offline", "--data", str(data), "--name", "Northside Hospital") as (base, _proc):
        yield base


@pytest.fixture(scope="module")
def page(app: RunningApp, browser: Any) -> Iterator[Any]:
    opened = open_app(browser, app.url, DESKTOP)
    yield opened
    opened.context.close()


def holder_did(page: Any) -> str:
    """The default profile's DID, from Settings (folded away under the profile's identity)."""
    navigate_to(page, "Settings")
    wait_shown(page, "Each profile is an identity issuers can issue badges to")
    if "did:key:z" not in shown_texts(page):
        click(page, "button", "identity for issuers")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = re.search(r"did:key:z[1-9A-HJ-NP-Za-km-z]+", shown_texts(page))
        if found:
            return found.group(0)
        time.sleep(0.5)
    raise AssertionError("Settings shows no DID")


def sd_jwt_for(did: str) -> str:
    """An SD-JWT VC bound (cnf) to the wallet's holder key, from a did:jwk issuer."""
    holder = resolve_verification_method(f"{did}#{did.removeprefix('did:key:')}", Fetcher(None)).public_key
    issuer = ec.generate_private_key(ec.SECP256R1())
    issuer_did = did_jwk_from_jwk(public_key_to_jwk(issuer.public_key()))
    claims = {"iss": issuer_did, "vct": VCT, "iat": int(time.time()) - 60, "cnf": {"jwk": public_key_to_jwk(holder)},
              "given_name": Concealed("Ada"), "family_name": Concealed("Lovelace"),
              "achievement": Concealed({"name": Concealed("Wound care basics"), "achievementType": "Badge"})}
    return issue_sd_jwt(claims, issuer, {"alg": "ES256", "typ": "dc+sd-jwt", "kid": f"{issuer_did}#0"})


def test_the_learner_sees_who_asks_for_what_unticks_an_optional_claim_and_sends(
        page: Any, browser: Any, app: RunningApp, verifier: str, tmp_path: Path) -> None:
    create_wallet(page, PASSPHRASE)
    badge = tmp_path / "wound-care.txt"
    badge.write_text(sd_jwt_for(holder_did(page)))
    navigate_to(page, "Import")
    wait_shown(page, "Import badges")
    upload_files(page, "Choose badge files", [badge])
    wait_shown(page, "Wound care basics added", timeout=60_000)

    made = httpx.post(f"{verifier}/openid4vp/requests", timeout=30, json={
        "client_id_prefix": "decentralized_identifier", "response_mode": "direct_post.jwt", "dcql_query": QUERY}).json()
    navigate_to(page, "Share")
    click(page, "button", "Answer a request")
    wait_shown(page, "Paste the request")
    type_until_held(page, "Request link or text", made["url"])
    click(page, "button", "Read request")
    wait_shown(page, "Who is asking", timeout=30_000)
    wait_shown(page, "Northside Hospital")
    wait_shown(page, "Confirmed: its request is signed with the key of the identity it names.")
    wait_shown(page, "“Wound care basics” from an issuer that gives no name")  # its DID is no name
    wait_shown(page, "given name: Ada")
    wait_shown(page, "achievement › name: Wound care basics")
    texts = shown_texts(page)
    assert "did:key:" not in texts and made["clientId"] not in texts  # identifiers only under Technical details
    steady_screenshot(page, SHOTS / "wallet-openid4vp-consent-desktop.png")

    # The same consent screen at phone size. (A second tab typing the link again was load-flaky on CI:
    # the phone tab's field stayed empty; the resized screen is what a phone shows.)
    page.set_viewport_size(PHONE)
    try:
        wait_shown(page, "family name: Lovelace (optional)", timeout=30_000)
        wait_shown(page, "Send to Northside Hospital")
        steady_screenshot(page, SHOTS / "wallet-openid4vp-consent-phone.png")
    finally:
        page.set_viewport_size(DESKTOP)

    family = page.get_by_role("checkbox", name="family name: Lovelace (optional)").first
    assert family.get_attribute("aria-checked") == "true"
    family.click()
    page.wait_for_function("el => el.getAttribute('aria-checked') !== 'true'", arg=family.element_handle())
    click(page, "button", "Send to Northside Hospital")
    wait_shown(page, "Northside Hospital says: accepted your answer", timeout=60_000)
    wait_shown(page, "They received exactly what you agreed to send.")

    record = httpx.get(f"{verifier}/exchanges/{made['exchangeId']}", timeout=30,
                       headers={"Authorization": f"Bearer {made['pollToken']}"}).json()
    assert record["state"] == "complete" and record["result"]["verified"] is True, record
    received = record["result"]["verifiablePresentation"]["verifiableCredential"][0]
    assert received["given_name"] == "Ada" and received["achievement"]["name"] == "Wound care basics"
    assert "family_name" not in received  # unticked, so never sent


def test_a_same_device_answer_offers_to_continue_on_the_verifiers_site(page: Any, verifier: str) -> None:
    """§8.2 redirect_uri: after the answer the learner is offered the verifier's page, its host named.
    (Runs after the test above: the same wallet, the badge already in it.)"""
    made = httpx.post(f"{verifier}/openid4vp/requests", timeout=30, json={
        "dcql_query": QUERY, "redirect_uri": "https://jobs.northside.example/applied"}).json()
    click(page, "button", "Done")  # the answer above: back to Share
    click(page, "button", "Answer a request")
    wait_shown(page, "Paste the request")
    type_until_held(page, "Request link or text", made["url"])
    click(page, "button", "Read request")
    wait_shown(page, "Send to Northside Hospital", timeout=30_000)
    click(page, "button", "Send to Northside Hospital")
    wait_shown(page, "Northside Hospital says: accepted your answer", timeout=60_000)
    wait_shown(page, "Northside Hospital asks you to continue on its site, jobs.northside.example.")
    assert page.get_by_role("button", name=re.compile("Continue at jobs.northside.example")).count() >= 1
    steady_screenshot(page, SHOTS / "wallet-openid4vp-continue-desktop.png")
    record = httpx.get(f"{verifier}/exchanges/{made['exchangeId']}", timeout=30,
                       headers={"Authorization": f"Bearer {made['pollToken']}"}).json()
    assert record["state"] == "complete" and record["resultNeeds"] == "response_code"  # only that browser reads it
