"""OpenID4VCI 1.0 on the Import screen of the real app: an offer shows what it is (the issuer's
display name and logo, §12.2.4), asks for the transaction code the issuer gave apart (§4.1.1), says
a wrong one plainly and takes the right one; a deferred credential (§9) is "on its way" until the
issuer delivers it. Phone and desktop screenshots are kept in build/ui-screens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.stub_server import Stub
from tests.ui.ui_driver import (
    PHONE,
    RunningApp,
    click,
    create_wallet,
    open_app,
    scroll_to_shown,
    scroll_until_shown,
    steady_screenshot,
    type_into,
    wait_shown,
)

SCREENS = Path(__file__).resolve().parents[2] / "build" / "ui-screens"
GENUINE = "Genuine, issuer not on your list"


@pytest.fixture(scope="module")
def page(app: RunningApp, browser: Any) -> Iterator[Any]:
    opened = open_app(browser, app.url, PHONE)
    yield opened
    opened.context.close()


def offer(stub: Stub, **options: Any) -> dict[str, Any]:
    resp = stub.http.post("/api/offers", json={"achievement": "wound-care-basics"} | options)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def test_an_offer_with_a_transaction_code_is_shown_then_collected_with_the_code(page: Any, stub: Stub) -> None:
    made = offer(stub, tx_code="numeric")
    create_wallet(page, "meadow lantern copper violin")
    click(page, "button", "Import a badge")
    wait_shown(page, "Import badges")
    scroll_to_shown(page, "Collect badge")
    type_into(page, "Offer link", made["credential_offer_uri"])
    click(page, "button", "Collect badge")
    scroll_until_shown(page, "This offer needs a transaction code (6 digits). The issuer says: “The code")
    scroll_to_shown(page, "Offered by Satchel demo issuer")
    scroll_to_shown(page, "Open Badge (Data Integrity)")
    scroll_to_shown(page, "Collect badge")
    page.mouse.wheel(0, 240)  # the code field and the button above the navigation bar
    steady_screenshot(page, SCREENS / "wallet-offer-tx-code-phone.png")

    wrong = str((int(made["tx_code"]) + 1) % 1_000_000).zfill(6)
    type_into(page, "Transaction code", wrong)
    click(page, "button", "Collect badge")
    scroll_until_shown(page, "wrong transaction code; 2 tries left")
    scroll_to_shown(page, "Collect badge")  # the new outcome line pushed the field down
    type_into(page, "Transaction code", made["tx_code"])
    click(page, "button", "Collect badge")
    scroll_until_shown(page, f"Wound care basics added: {GENUINE}.")


def test_a_deferred_credential_is_on_its_way_until_the_issuer_delivers_it(page: Any, stub: Stub) -> None:
    made = offer(stub, achievement="healthy-menus", deferred=True,
                 credential_configuration_id="OpenBadgeCredential_dc+sd-jwt")
    scroll_to_shown(page, "Collect badge")
    type_into(page, "Offer link", made["credential_offer_uri"])
    click(page, "button", "Collect badge")
    scroll_until_shown(page, "is on its way: the issuer will deliver it later")
    scroll_until_shown(page, "Ask the issuer now")
    page.set_viewport_size({"width": 1280, "height": 800})
    steady_screenshot(page, SCREENS / "wallet-offer-on-its-way-desktop.png")
    page.set_viewport_size(PHONE)

    transaction = _pending_transaction(stub)
    assert stub.http.post(f"/api/deferred/{transaction}/approve").status_code == 200
    click(page, "button", "Ask the issuer now")
    scroll_until_shown(page, f"Preparing healthy menus added: {GENUINE}.")


def _pending_transaction(stub: Stub) -> str:
    """The transaction the stub holds open, from its operator's list."""
    waiting = [t["transaction_id"] for t in stub.http.get("/api/deferred").json() if not t["approved"]]
    assert len(waiting) == 1, waiting
    return str(waiting[0])


def test_a_pasted_offer_that_needs_a_code_waits_in_the_offer_section(page: Any, stub: Stub) -> None:
    made = offer(stub, achievement="psw-foundations", tx_code="numeric")
    scroll_to_shown(page, "Import pasted text")
    type_into(page, "Badge, link or offer to paste", made["credential_offer_uri"])
    click(page, "button", "Import pasted text")
    scroll_until_shown(page, "This offer needs a transaction code (6 digits).")
    scroll_to_shown(page, "Collect badge")
    type_into(page, "Transaction code", made["tx_code"])
    click(page, "button", "Collect badge")
    scroll_until_shown(page, f"Personal Support Worker foundations added: {GENUINE}.")
