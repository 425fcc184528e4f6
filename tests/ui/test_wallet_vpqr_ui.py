"""The wallet app imports a CBOR-LD ``VP1-`` code (the DCC Learner Credential Wallet's QR format), in
headless Chromium (web mode, loopback only): the DCC's own published code pasted on the Import
screen adds the credential it carries (not the presentation around it), kept with the verdict its
data implies today (expired in June 2021). Screenshot in build/ui-screens/ (looked at by a person)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.ui_driver import (
    DESKTOP,
    RunningApp,
    click,
    create_wallet,
    open_app,
    steady_screenshot,
    type_into,
    wait_shown,
)

SCREENS = Path(__file__).resolve().parents[2] / "build" / "ui-screens"
DCC_VP1 = (Path(__file__).resolve().parents[1] / "data" / "cborld" / "dcc-vpqr-2.2.1-legacy-base32.txt").read_text()


@pytest.fixture(scope="module")
def page(app: RunningApp, browser: Any) -> Iterator[Any]:
    opened = open_app(browser, app.url, DESKTOP)
    yield opened
    opened.context.close()


def test_a_pasted_dcc_vp1_code_imports_the_credential_it_carries(page: Any) -> None:
    create_wallet(page, "harbour quilt ember saffron")
    click(page, "button", "Import a badge")
    wait_shown(page, "Import badges")
    type_into(page, "Badge, link or offer to paste", DCC_VP1.strip())
    click(page, "button", "Import pasted text")
    wait_shown(page, "OverAgeTokenCredential added:", timeout=60_000)
    wait_shown(page, "expired", timeout=10_000)
    steady_screenshot(page, SCREENS / "wallet-import-dcc-vp1.png")
