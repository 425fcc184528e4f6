"""Two tabs on one wallet (the same app process): what one imports or deletes shows in the other's
list at once, without reloading or unlocking again."""

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
    open_app,
    type_into,
    upload_files,
    wait_shown,
)

PASSPHRASE = "harbour pepper saddle violet"


@pytest.fixture(scope="module")
def tabs(app: RunningApp, browser: Any) -> Iterator[tuple[Any, Any]]:
    first = open_app(browser, app.url, DESKTOP)
    create_wallet(first, PASSPHRASE)
    second = open_app(browser, app.url, DESKTOP)
    wait_shown(second, "Your wallet is locked.")
    type_into(second, "Passphrase", PASSPHRASE)
    click(second, "button", "Unlock")
    wait_shown(second, "No badges yet", timeout=60_000)
    yield first, second
    first.context.close()
    second.context.close()


def test_a_badge_imported_in_one_tab_appears_in_the_other(tabs: tuple[Any, Any], stub: Stub, tmp_path: Path) -> None:
    importing, watching = tabs
    badge = tmp_path / "wound-care-basics.json"
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022", "wound-care-basics")
    badge.write_text(json.dumps(issued["credential"]), encoding="utf-8")
    click(importing, "button", "Import a badge")
    wait_shown(importing, "Import badges")
    upload_files(importing, "Choose badge files", [badge])
    wait_shown(importing, "Wound care basics added: Genuine, issuer not on your list.", timeout=60_000)

    wait_shown(watching, "1 badge", timeout=20_000)
    wait_shown(watching, "Wound care basics")

