"""Answer a verifier's request in the real app, against a real `satchel-verifier serve` on loopback:
the verifier creates an exchange (POST /exchanges); the learner pastes its link (or uploads a photo
of its QR code), sees who asks and what they would receive, and sends: the app shows the verifier's
verdict, and the verifier's own record of the exchange (GET with the poll token) agrees. Offline,
the answer is a QR code that OpenCV reads off the screen and the verifier accepts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.ui.test_share_link import (  # noqa: F401  (verifier_service is a fixture)
    PASSPHRASE,
    import_badge_for,
    shown_texts,
    verifier_service,
    wallet_did,
)
from tests.ui.ui_driver import (
    DESKTOP,
    RunningApp,
    click,
    create_wallet,
    navigate_to,
    open_app,
    steady_screenshot,
    type_into,
    upload_files,
    wait_shown,
)

pytest.importorskip("wallet.share", reason="wallet.share (sharing) is not installed")


@pytest.fixture(scope="module")
def page(app: RunningApp, browser: Any) -> Iterator[Any]:
    opened = open_app(browser, app.url, DESKTOP)
    yield opened
    opened.context.close()


def new_exchange(base: str) -> dict[str, Any]:
    resp = httpx.post(base + "/exchanges", json={}, timeout=30)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def exchange_record(base: str, exchange: dict[str, Any]) -> dict[str, Any]:
    resp = httpx.get(f"{base}/exchanges/{exchange['exchangeId']}", timeout=30,
                     headers={"Authorization": f"Bearer {exchange['pollToken']}"})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def open_request_screen(page: Any) -> None:
    navigate_to(page, "Share")
    click(page, "button", "Answer a request")
    wait_shown(page, "Paste the request")


def test_answer_a_pasted_request_online_and_the_verifier_agrees(
        page: Any, verifier_service: str, tmp_path: Path) -> None:  # noqa: F811
    create_wallet(page, PASSPHRASE)
    did = wallet_did(page)
    import_badge_for(page, did, tmp_path, "Wound care basics")
    import_badge_for(page, did, tmp_path, "Safe moving and handling")

    exchange = new_exchange(verifier_service)
    assert exchange_record(verifier_service, exchange)["state"] == "pending"
    open_request_screen(page)
    type_into(page, "Request link or text", exchange["url"])
    click(page, "button", "Read request")
    wait_shown(page, "Who is asking", timeout=30_000)
    domain = exchange["verifiablePresentationRequest"]["domain"]
    texts = shown_texts(page)
    # who asks and as whom the learner answers, in words; the address and the DIDs only under "Technical details"
    assert "Your answer goes straight to them over the internet." in texts
    assert "Yourself (this wallet's key)" in texts
    assert did not in texts and "did:" not in texts and domain not in texts
    click(page, "button", "Technical details")
    wait_shown(page, did)
    wait_shown(page, domain)
    click(page, "button", "Technical details")
    wait_shown(page, "Please present your Open Badges.")
    wait_shown(page, "asks for: Open Badges")

    # both badges match; the newest is chosen; choosing the other one changes what is disclosed
    newest = page.get_by_role("checkbox", name="Safe moving and handling (Northside College)").first
    other = page.get_by_role("checkbox", name="Wound care basics (Northside College)").first
    assert newest.get_attribute("aria-checked") == "true"
    assert other.get_attribute("aria-checked") != "true"
    wait_shown(page, "“Safe moving and handling” from Northside College")
    newest.click()
    wait_shown(page, "Choose a badge above to see what they would receive.")
    other.click()
    wait_shown(page, "“Wound care basics” from Northside College")
    assert "Safe moving and handling”" not in shown_texts(page)
    wait_shown(page, "Issued to you")  # the summary card names the learner in words
    wait_shown(page, "Presented by you, signed with this wallet's key")

    # the verifier's request gives no organisation name (no client_metadata): said as such
    wait_shown(page, "A verifier that did not give its name")
    click(page, "button", "Send to the verifier")
    wait_shown(page, "The verifier says: Genuine, issuer not on your list", timeout=60_000)

    record = exchange_record(verifier_service, exchange)
    assert record["state"] in ("complete", "completed", "verified"), record
    result = record["result"]
    assert result["verified"] is True and result["verdict"] == "valid", result
    shared = result.get("presentation") or result.get("verifiablePresentation") or {}
    names = [c.get("name") for c in shared.get("verifiableCredential", [])] if isinstance(shared, dict) else []
    assert names in ([], ["Wound care basics"]), names  # only what the learner chose

    click(page, "button", "Done")
    wait_shown(page, "1. Choose badges")


def test_answered_request_cannot_be_answered_again(page: Any, verifier_service: str) -> None:  # noqa: F811
    exchange = new_exchange(verifier_service)
    open_request_screen(page)
    type_into(page, "Request link or text", exchange["url"])
    click(page, "button", "Read request")
    wait_shown(page, "Who is asking", timeout=30_000)
    click(page, "button", "Send to")
    wait_shown(page, "says: Genuine, issuer not on your list", timeout=60_000)
    click(page, "button", "Done")
    open_request_screen(page)
    type_into(page, "Request link or text", exchange["url"])
    click(page, "button", "Read request")
    wait_shown(page, "already answered or has expired", timeout=30_000)


def test_request_from_a_qr_photo_answered_offline_by_qr(
        page: Any, verifier_service: str, tmp_path: Path) -> None:  # noqa: F811
    from wallet.share import decode_qr_image, decode_qr_text, encode_qr

    exchange = new_exchange(verifier_service)
    photo = tmp_path / "request-qr.png"
    photo.write_bytes(encode_qr(exchange["url"]).png)  # what the verifier's screen shows
    open_request_screen(page)
    upload_files(page, "Choose request photo", [photo])
    wait_shown(page, "Who is asking", timeout=30_000)
    click(page, "button", "Show as QR code")
    wait_shown(page, "It answers their request only.", timeout=60_000)
    shot = steady_screenshot(page, tmp_path / "answer-qr.png")

    presentation = decode_qr_text(decode_qr_image(shot))  # the verifier's camera reads it off the screen
    request = exchange["verifiablePresentationRequest"]
    assert presentation["proof"]["challenge"] == request["challenge"]
    assert presentation["proof"]["domain"] == request["domain"]
    answered = httpx.post(exchange["url"], json={"verifiablePresentation": presentation}, timeout=60)
    assert answered.status_code == 200 and answered.json()["verified"] is True, answered.text
    assert exchange_record(verifier_service, exchange)["result"]["verified"] is True
    click(page, "button", "Done")
