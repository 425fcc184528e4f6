"""Share as a QR code in the real app: the QR in a screenshot decodes (OpenCV) to a presentation
that verifies; then unshare from the history."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.stub_server import Stub
from tests.ui.ui_driver import (
    DESKTOP,
    RunningApp,
    click,
    create_wallet,
    is_shown,
    open_app,
    scroll_to_shown,
    type_into,
    wait_shown,
)

pytest.importorskip("wallet.share", reason="wallet.share (sharing) is not installed")


@pytest.fixture(scope="module")
def page(app: RunningApp, browser: Any) -> Iterator[Any]:
    opened = open_app(browser, app.url, DESKTOP)
    yield opened
    opened.context.close()


def test_share_a_badge_as_qr_that_decodes_to_a_verifying_presentation(
        page: Any, stub: Stub, tmp_path: Path) -> None:
    from credentials._net import Fetcher, GuardedTransport, make_client
    from credentials._verify import verify
    from tests.ui.test_wallet_animated_qr import assemble_from_screen, screen_presentation

    create_wallet(page, "meadow lantern copper violin")
    answer = stub.http.post("/api/offers", json={"achievement": "healthy-menus"})
    click(page, "button", "Import a badge")
    type_into(page, "Offer link", answer.json()["credential_offer_uri"])
    click(page, "button", "Collect badge")
    wait_shown(page, "Preparing healthy menus added: Genuine, issuer not on your list.", timeout=60_000)

    click(page, "button", "Share")
    page.get_by_role("checkbox", name="Preparing healthy menus").first.click()
    wait_shown(page, "presented by you")
    type_into(page, "Who is it for?", "Maple Grove Care Home")
    click(page, "button", "Show QR code")
    wait_shown(page, "Show this QR code to Maple Grove Care Home", timeout=60_000)
    presentation = screen_presentation(assemble_from_screen(page)[0])  # OpenCV reads the code(s) off the screen
    assert "VerifiablePresentation" in json.dumps(presentation.get("type"))
    with make_client(GuardedTransport(allow_loopback=True)) as client:
        report = verify(presentation, fetcher=Fetcher(client))
    assert report.verdict == "valid", report.to_json()

    click(page, "button", "Done")
    # a QR code is in the other side's hands once shown: the history says so and offers no "Unshare"
    scroll_to_shown(page, "A QR code cannot be withdrawn once shown")
    wait_shown(page, "QR code for Maple Grove Care Home, ")
    assert not is_shown(page, "Unshare with Maple Grove Care Home")
