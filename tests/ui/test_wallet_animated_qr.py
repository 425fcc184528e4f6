"""Show QR for a badge too large for one code, in the real app on a phone-sized screen: the
screen loops an animated QR; screenshots a fraction of a second apart, read with OpenCV, show
different parts of one multi-part code, which ``credentials.QrAssembler`` rebuilds into a
presentation that verifies; Done closes it."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.stub_server import Stub
from tests.ui.ui_driver import (
    PHONE,
    REPO,
    RunningApp,
    click,
    create_wallet,
    is_shown,
    navigate_to,
    nudge,
    open_app,
    steady_screenshot,
    type_into,
    type_until_held,
    wait_shown,
)

pytest.importorskip("wallet.share", reason="wallet.share (sharing) is not installed")

SAMPLE_ACHIEVEMENT = "donning-doffing-ppe"  # the 5.7 KB badge `satchel-issuer sample` writes
CAPTION = "Hold steady: the employer's camera reads this in a few seconds"
MAX_SHOTS = 60


@pytest.fixture(scope="module")
def page(app: RunningApp, browser: Any) -> Iterator[Any]:
    opened = open_app(browser, app.url, PHONE)
    yield opened
    opened.context.close()


def read_screen(page: Any) -> str | None:
    """The text of the QR code on the screen now, or None when OpenCV reads none."""
    from credentials import QrDecodeError, decode_qr_image

    nudge(page)  # headless Chromium paints a Flutter frame when something happens
    try:
        return decode_qr_image(page.screenshot())
    except QrDecodeError:
        return None


def assemble_from_screen(page: Any, max_shots: int = MAX_SHOTS) -> tuple[Any, set[str]]:
    """Screenshots a fraction of a second apart, each read with OpenCV and fed to a
    ``QrAssembler``, until it is complete (or ``max_shots``); and the parts seen ("3-4": part 3
    of a 4-part code). Asserts it completed."""
    from credentials import QrAssembler

    assembler, parts, started = QrAssembler(), set(), time.monotonic()
    # Uneven gaps: screenshots a fixed interval apart can fall in step with a short loop (6 codes at
    # 12 a second repeat every 0.5 s) and see the same codes every time, as no real camera would.
    jitter = random.Random(5)
    for _ in range(max_shots):
        text = read_screen(page)
        if text is None:
            continue
        if text.upper().startswith("UR:"):
            parts.add(text.split("/")[1])
        if assembler.add(text).complete:
            break
        time.sleep(jitter.uniform(0.05, 0.45))
    took = time.monotonic() - started
    assert assembler.text is not None, f"{assembler.progress} after {len(parts)} different parts in {took:.0f} s"
    return assembler, parts


def screen_presentation(assembler: Any) -> dict[str, Any]:
    """The presentation a completed assembler holds: one SV1: code's, or a multi-part code's JSON."""
    from credentials import decode_qr_text

    text = str(assembler.text)
    return decode_qr_text(text) if assembler.progress.kind == "single" else dict(json.loads(text))


def test_show_qr_of_a_large_badge_loops_parts_that_reassemble_to_a_verifying_presentation(
        page: Any, stub: Stub, app: RunningApp) -> None:
    from credentials._net import Fetcher, GuardedTransport, make_client
    from credentials._verify import verify

    create_wallet(page, "harbour lantern copper violin")
    offer = stub.http.post("/api/offers", json={"achievement": SAMPLE_ACHIEVEMENT}).json()
    click(page, "button", "Import a badge")
    type_into(page, "Offer link", offer["credential_offer_uri"])
    click(page, "button", "Collect badge")
    wait_shown(page, "Donning and doffing PPE added: Genuine, issuer not on your list.", timeout=60_000)

    navigate_to(page, "Share")
    page.get_by_role("checkbox", name="Donning and doffing PPE").first.click()
    wait_shown(page, "presented by you, signed with this wallet's key")
    type_until_held(page, "Who is it for?", "Maple Grove Care Home")  # the field re-renders as badges are chosen
    click(page, "button", "Show QR code")
    wait_shown(page, CAPTION, timeout=60_000)
    wait_shown(page, "Show this QR code to Maple Grove Care Home")

    assembler, parts = assemble_from_screen(page)
    assert len(parts) >= 2, parts  # the screen moves on from code to code
    assert all(part.endswith(f"-{assembler.progress.parts_expected}") for part in parts), parts  # one code's
    presentation = screen_presentation(assembler)
    assert "VerifiablePresentation" in presentation["type"]
    with make_client(GuardedTransport(allow_loopback=True)) as client:
        report = verify(presentation, fetcher=Fetcher(client))
    assert report.verdict == "valid", report.to_json()

    shot = REPO / "docs" / "screenshots" / "wallet-phone-animated-qr.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    shot.write_bytes(page.screenshot())  # a moving screen: no two screenshots alike, take one as it is

    click(page, "button", "Done")
    wait_shown(page, "Choose badges, check what the other side will see", timeout=30_000)
    assert not is_shown(page, CAPTION)
    steady_screenshot(page, REPO / "build" / "screenshots" / "wallet" / "after-animated-qr.png")
    assert read_screen(page) is None  # the loop has stopped with its screen

    click(page, "button", "Show QR code")  # again, then the other way: a link (this wallet has no verifier set)
    wait_shown(page, CAPTION, timeout=60_000)
    click(page, "button", "Share as a link instead")
    wait_shown(page, "Links need a verifier address", timeout=30_000)
    assert not is_shown(page, CAPTION)
    assert "Traceback" not in app.log() and "Exception in effect" not in app.log(), app.log()[-3000:]
