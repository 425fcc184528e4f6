"""The verifier app reads CBOR-LD ``VP1-`` codes (the DCC Learner Credential Wallet's QR format), in
headless Chromium (web mode, loopback only): the DCC's own published code, pasted or shown on a phone
recorded as a video and fed as the camera (``SATCHEL_CAMERA_SOURCE``), ends on the result its data
implies today: an unsigned presentation of a credential whose signature is intact and which expired
in June 2021. Screenshots in build/screenshots/verifier/ (looked at by a person)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_verifier_camera import record_video
from tests.ui.test_verifier_camera_ui import choose_camera, verifier_with_camera_source
from tests.ui.ui_driver import (
    DESKTOP,
    REPO,
    RunningApp,
    click,
    is_shown,
    open_app,
    scroll_to_shown,
    steady_screenshot,
    type_into,
    wait_shown,
)
from tests.ui.verifier_fixtures import *  # noqa: F403 - the fixtures: page, verifier_app
from verifier.history import History

SHOTS = REPO / "build" / "screenshots" / "verifier"
DCC_VP1 = (Path(__file__).resolve().parents[1] / "data" / "cborld" / "dcc-vpqr-2.2.1-legacy-base32.txt").read_text()


def test_the_dcc_wallets_published_vp1_code_pasted_shows_what_its_data_implies(page: Any) -> None:
    wait_shown(page, "Check a credential")
    type_into(page, "Link, JSON or JWT", DCC_VP1.strip())
    click(page, "button", "Check")
    wait_shown(page, "Problem")  # the presentation is unsigned and the credential expired in 2021
    wait_shown(page, "It has expired", timeout=10_000)
    wait_shown(page, "It carries no digital signature", timeout=10_000)
    steady_screenshot(page, SHOTS / "desktop-result-dcc-vp1.png")
    # the credential's own proof (the presentation has none): its plain headline, the key behind Details
    scroll_to_shown(page, "Signature intact: it has not been changed since it was signed")
    assert not is_shown(page, "did:key:z6MkkUbCFazdoducKf8SUye7cAxuicMdDB")
    steady_screenshot(page, SHOTS / "desktop-result-dcc-vp1-credential.png")


@pytest.fixture(scope="module")
def vp1_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("camera") / "phone-showing-dcc-vp1-qr.avi"
    record_video(path, DCC_VP1.strip())
    return path


@pytest.fixture(scope="module")
def vp1_verifier(tmp_path_factory: pytest.TempPathFactory, vp1_video: Path) -> Iterator[RunningApp]:
    with verifier_with_camera_source(tmp_path_factory.mktemp("verifier-vp1-home"), vp1_video) as running:
        yield running


def test_a_phone_showing_the_dcc_vp1_code_through_the_camera_ends_on_its_result(vp1_verifier: RunningApp,
                                                                                 browser: Any, vp1_video: Path) -> None:
    page = open_app(browser, vp1_verifier.url, DESKTOP)
    try:
        choose_camera(page, f"Video: {vp1_video.name}")
        click(page, "button", "Start camera")
        wait_shown(page, "Result: Problem", timeout=30_000)
        wait_shown(page, "It has expired")
        wait_shown(page, "Camera · checked")  # the source on the verdict banner
        steady_screenshot(page, SHOTS / "desktop-camera-dcc-vp1.png")
    finally:
        page.context.close()
    entries = History.open(vp1_verifier.home).list()  # the app's real SQLite history
    assert [(e.source, e.verdict) for e in entries] == [("camera", "invalid")]
