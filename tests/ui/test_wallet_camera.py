"""Scan with the camera, in the real app (web mode, headless Chromium). This machine has no camera:
the Import and request screens say so plainly. With ``SATCHEL_CAMERA_SOURCE`` naming a recorded
video of a phone showing the issuer's offer QR (the same ``cv2.VideoCapture`` path a webcam takes),
the app shows the live picture, reads the code and the badge lands in the wallet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.stub_server import Stub
from tests.test_verifier_camera import record_video
from tests.ui.ui_driver import (
    DESKTOP,
    PHONE,
    RunningApp,
    click,
    create_wallet,
    navigate_to,
    open_app,
    running_app,
    scroll_to_shown,
    wait_shown,
)
from wallet.app.camera_service import CAMERA_SOURCE_ENV

PASSPHRASE = "meadow lantern copper violin"


@pytest.fixture(scope="module")
def offer_video(stub: Stub, tmp_path_factory: pytest.TempPathFactory) -> Path:
    offer = stub.http.post("/api/offers", json={"achievement": "donning-doffing-ppe"}).json()
    path = tmp_path_factory.mktemp("camera") / "offer-on-a-phone.avi"
    record_video(path, offer["credential_offer_uri"])
    return path


@pytest.fixture(scope="module")
def camera_app(tmp_path_factory: pytest.TempPathFactory, offer_video: Path) -> Iterator[RunningApp]:
    home = tmp_path_factory.mktemp("satchel-camera-home")
    with running_app(home, extra_env={CAMERA_SOURCE_ENV: str(offer_video)}) as running:
        yield running


def open_import(page: Any) -> None:
    navigate_to(page, "Import")
    wait_shown(page, "From a file")
    scroll_to_shown(page, "Scan with camera")


def test_no_camera_on_this_computer_is_said_plainly(app: RunningApp, browser: Any) -> None:
    page = open_app(browser, app.url, PHONE)
    try:
        create_wallet(page, PASSPHRASE)
        open_import(page)
        click(page, "button", "Scan with camera")
        wait_shown(page, "No camera found on this computer.", timeout=30_000)
        wait_shown(page, "Look for cameras again")
        page.set_viewport_size(DESKTOP)  # the request screen too, at desktop size
        for attempt in range(3):  # the bottom bar turns into the rail: a click may land mid-change
            navigate_to(page, "Share")
            try:
                wait_shown(page, "Nothing to share yet", timeout=15_000)
                break
            except TimeoutError:
                if attempt == 2:
                    raise
        click(page, "button", "Answer a request")
        wait_shown(page, "Paste the request")
        scroll_to_shown(page, "Scan with camera")
        click(page, "button", "Scan with camera")
        wait_shown(page, "No camera found on this computer.", timeout=30_000)
    finally:
        page.context.close()


def test_offer_qr_in_front_of_the_camera_is_collected(camera_app: RunningApp, browser: Any) -> None:
    page = open_app(browser, camera_app.url, DESKTOP)
    try:
        create_wallet(page, PASSPHRASE)
        open_import(page)
        click(page, "button", "Scan with camera")
        wait_shown(page, "Donning and doffing PPE added: Genuine, issuer not on your list.", timeout=60_000)
        scroll_to_shown(page, "Read the QR code.")  # below the import log that just appeared
        navigate_to(page, "My badges")
        wait_shown(page, "Donning and doffing PPE")
    finally:
        page.context.close()
