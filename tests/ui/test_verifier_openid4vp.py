"""The verifier app asks with OpenID4VP 1.0: on the Ask screen the employer chooses OpenID4VP, the
app shows the ``openid4vp://`` QR code and link (its request on the app's own verify service, on
loopback), a wallet resolves the signed request and answers by direct_post.jwt with a Data Integrity
presentation made for its nonce and client_id, and the app shows the verdict as for any request.
Screenshots at phone and desktop size go to docs/screenshots/verifier-openid4vp-request-*.png."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials import decode_qr_image
from tests.test_openid4vp_verifier import answer, resolve
from tests.ui.test_verifier_ui import REPO, go_to, page_text_with, signed_vp
from tests.ui.ui_driver import DESKTOP, PHONE, RunningApp, click, is_shown, steady_screenshot, wait_shown
from tests.ui.verifier_fixtures import *  # noqa: F403 - the fixtures: page, verifier_app
from tests.ui.verifier_fixtures import running_verifier

ASKER = "Maple Grove Care Home"

SHOTS = REPO / "docs" / "screenshots"
BUILD = REPO / "build" / "screenshots" / "verifier-openid4vp"


@pytest.fixture(scope="module")
def verifier_app(tmp_path_factory: pytest.TempPathFactory, issuer_samples: Path) -> Iterator[RunningApp]:
    """The verifier app with its organisation's name, which its requests carry (client_metadata.client_name)."""
    home = tmp_path_factory.mktemp("verifier-named")
    with running_verifier(home, documents=issuer_samples / "web.json", extra_args=["--name", ASKER]) as running:
        yield running


def ask_with_openid4vp(page: Any) -> str:
    go_to(page, "Ask")
    wait_shown(page, "Ask for a credential")
    wait_shown(page, "For candidates with the Satchel wallet.")
    page.get_by_role("radio", name="OpenID4VP", exact=False).first.click()
    size = "phone" if (page.viewport_size or DESKTOP)["width"] < 600 else "desktop"
    steady_screenshot(page, SHOTS / f"verifier-{size}-ask.png")  # the choice of how to ask, for the README's tour
    click(page, "button", "New request")
    wait_shown(page, "Waiting for the candidate's wallet")
    wait_shown(page, f"Wallets show “{ASKER}” as asking.")
    assert not is_shown(page, "did:key:")  # identifiers are folded away: a main screen names people
    click(page, "button", "Technical details")
    wait_shown(page, "openid4vp://")
    link = page_text_with(page, "openid4vp://").strip()
    return link[link.index("openid4vp://"):].split()[0]


def test_an_openid4vp_request_is_answered_and_its_result_shown(page: Any) -> None:
    link = ask_with_openid4vp(page)
    assert "request_uri=" in link and "client_id=decentralized_identifier" in link
    assert is_shown(page, "decentralized_identifier:did:key:")
    time.sleep(0.5)
    screen = steady_screenshot(page, SHOTS / "verifier-openid4vp-request-desktop.png")
    assert decode_qr_image(screen) == link  # the QR code on screen holds the link shown under it
    with httpx.Client(timeout=30) as wallet:
        request = resolve(wallet, link)  # its signature checked under its did:key
        assert request["response_mode"] == "direct_post.jwt"
        vp = signed_vp(challenge=request["nonce"], domain=request["client_id"])
        sent = answer(wallet, request, {"open_badge_ldp": [vp]})
    assert sent.status_code == 200 and sent.json() == {}, sent.text
    wait_shown(page, "Result: Genuine", timeout=60_000)
    wait_shown(page, "Wound care basics")
    assert not is_shown(page, "Not made for a request of yours")
    steady_screenshot(page, BUILD / "result.png")


def test_the_openid4vp_request_at_phone_size(page: Any) -> None:
    page.set_viewport_size(PHONE)
    wait_shown(page, "Check a credential")
    time.sleep(1)  # the layout settles at its new size before the tab bar takes a click
    ask_with_openid4vp(page)
    time.sleep(0.5)
    steady_screenshot(page, SHOTS / "verifier-openid4vp-request-phone.png")
    click(page, "button", "Cancel request")
    wait_shown(page, "New request")
    page.set_viewport_size(DESKTOP)
