"""Sharing honesty in the real app: a badge the issuer stub gave its demo learner imports as
genuine and is said to be someone else's, on the import line and on the badge; sharing it first
shows what is wrong, with "Share anyway" (then the QR code) and "Cancel"
(nothing shared)."""

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
    steady_screenshot,
    type_into,
    upload_files,
    wait_shown,
)

SCREENS = Path(__file__).resolve().parents[2] / "build" / "ui-screens"


@pytest.fixture(scope="module")
def page(app: RunningApp, browser: Any) -> Iterator[Any]:
    opened = open_app(browser, app.url, DESKTOP)
    yield opened
    opened.context.close()


def test_a_badge_issued_to_someone_else_is_said_not_yours_at_import_on_the_badge_and_before_sharing(
        page: Any, stub: Stub, tmp_path: Path) -> None:
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022", "wound-care-basics")  # no recipient: the stub's demo learner
    demo = issued["credential"]["credentialSubject"]["id"]
    badge = tmp_path / "wound-care-basics.json"
    badge.write_text(json.dumps(issued["credential"]), encoding="utf-8")

    create_wallet(page, "meadow lantern copper violin")
    click(page, "button", "Import a badge")
    wait_shown(page, "Import badges")
    upload_files(page, "Choose badge files", [badge])
    wait_shown(page, "Wound care basics added: Genuine, issuer not on your list.", timeout=60_000)  # genuine...
    wait_shown(page, "This badge was issued to someone else")  # ...and not yours
    assert not is_shown(page, demo[:20])  # said in words: its DID is for Technical details (issue 17)
    wait_shown(page, "(not this wallet). An employer's verifier will refuse it as not yours.")
    wait_shown(page, "“Redeem an issuer offer” on the Import screen collects it")
    steady_screenshot(page, SCREENS / "wallet-import-not-yours.png")

    click(page, "button", "Open")
    wait_shown(page, "What it certifies", timeout=30_000)
    wait_shown(page, "Not issued to you")
    assert is_shown(page, "Redeem an issuer offer")
    steady_screenshot(page, SCREENS / "wallet-detail-not-yours.png")

    scroll_to_shown(page, "Share this badge")
    click(page, "button", "Share this badge")
    wait_shown(page, "presented by you", timeout=30_000)
    type_into(page, "Who is it for?", "Maple Grove Care Home")
    click(page, "button", "Show QR code")
    wait_shown(page, "Before you share", timeout=30_000)
    wait_shown(page, "“Wound care basics”: This badge was issued to")
    assert is_shown(page, "Share anyway") and not is_shown(page, "Show this QR code to")
    steady_screenshot(page, SCREENS / "wallet-share-warning.png")

    click(page, "button", "Cancel")
    wait_shown(page, "Show QR code")
    assert not is_shown(page, "Before you share") and not is_shown(page, "Show this QR code to")

    click(page, "button", "Show QR code")  # warned again: "Cancel" accepted nothing
    wait_shown(page, "Before you share", timeout=30_000)
    click(page, "button", "Share anyway")  # the learner's choice, knowingly
    wait_shown(page, "Show this QR code to Maple Grove Care Home", timeout=60_000)
