"""The verifier's live-camera scan, end to end in the real app (web mode, headless Debian Chromium,
loopback only).

This machine (and CI) has no camera. ``SATCHEL_CAMERA_SOURCE`` (the app's test hook, see
:mod:`scan`) names a recorded video instead: the app lists it as "Video: <file>" and
reads it through the same ``cv2.VideoCapture`` loop as a webcam. The tests choose it in the camera
list like a user, start the camera and end on the result screen (the recording of a phone showing a
wallet QR, with motion and blur, from ``tests/test_verifier_camera.py``); stop the camera and see in
the app's log that its capture threads ended; and, with no camera at all, see the plain "No camera
found" message while pasting and opening an image still work.
"""

from __future__ import annotations

import contextlib
import glob
import json
import math
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from scan import CAMERA_SOURCE_ENV
from tests.test_verifier_camera import phone_image, qr_image, record_video, signed_presentation
from tests.ui.ui_driver import (
    DESKTOP,
    PHONE,
    REPO,
    RunningApp,
    click,
    is_shown,
    navigate_to,
    nudge,
    open_app,
    scroll_to_shown,
    steady_screenshot,
    type_into,
    upload_files,
    wait_shown,
)
from tests.ui.verifier_fixtures import running_verifier
from verifier.history import History
from wallet.share.qrcodec import encode_qr_text  # the wallet as a tool: the QR its share screen shows

SHOTS = REPO / "build" / "screenshots" / "verifier"
IDLE_FPS, IDLE_FRAMES = 10, 600  # a minute of a phone with its screen off: nothing to read


def record_idle_video(path: Path) -> None:
    """A phone held in front of the camera with a blank screen, wobbling, with sensor noise (small
    frames: it only has to keep the camera busy while the test stops it)."""
    w, h = 640, 360
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:h, 0:w]
    base = (110 + 40 * np.sin(x / 70.0) + 25 * np.cos(y / 45.0)).astype(np.float32)
    backdrop = np.dstack([base * 0.8, base * 0.9, base]).astype(np.uint8)
    blank = np.full_like(qr_image("blank"), 236)
    phone = cv2.resize(phone_image(blank), None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
    ph, pw = phone.shape[:2]
    noise = [rng.normal(0, 6, (h, w, 3)).astype(np.int16) for _ in range(5)]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), IDLE_FPS, (w, h))
    assert writer.isOpened()
    for i in range(IDLE_FRAMES):
        t = i / IDLE_FPS
        frame = backdrop.copy()
        left = int((w - pw) / 2 + 10 * math.sin(t * 5.1))
        top = int((h - ph) / 2 + 6 * math.cos(t * 4.3))
        frame[top:top + ph, left:left + pw] = phone
        writer.write(np.clip(frame.astype(np.int16) + noise[i % len(noise)], 0, 255).astype(np.uint8))
    writer.release()


@contextlib.contextmanager
def verifier_with_camera_source(home: Path, source: Path | None) -> Iterator[RunningApp]:
    """The verifier app (``running_verifier``) started with ``SATCHEL_CAMERA_SOURCE`` set to
    ``source``, or with it unset (``None``)."""
    with contextlib.ExitStack() as stack:
        with pytest.MonkeyPatch.context() as env:  # only while the process starts: it copies os.environ
            if source is None:
                env.delenv(CAMERA_SOURCE_ENV, raising=False)
            else:
                env.setenv(CAMERA_SOURCE_ENV, str(source))
            running = stack.enter_context(running_verifier(home))
        yield running


@pytest.fixture(scope="module")
def presentation() -> dict[str, Any]:
    return signed_presentation()  # fixed keys: a holder's presentation of "Wound care basics"


@pytest.fixture(scope="module")
def phone_video(tmp_path_factory: pytest.TempPathFactory, presentation: dict[str, Any]) -> Path:
    """A phone showing the wallet's share QR, swinging in, wobbling, jerked aside (motion, blur)."""
    path = tmp_path_factory.mktemp("camera") / "phone-showing-wallet-qr.avi"
    record_video(path, encode_qr_text(presentation))
    return path


@pytest.fixture(scope="module")
def idle_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("camera") / "phone-screen-off.avi"
    record_idle_video(path)
    return path


@pytest.fixture(scope="module")
def camera_verifier(tmp_path_factory: pytest.TempPathFactory, phone_video: Path) -> Iterator[RunningApp]:
    with verifier_with_camera_source(tmp_path_factory.mktemp("verifier-camera-home"), phone_video) as running:
        yield running


@pytest.fixture(scope="module")
def idle_verifier(tmp_path_factory: pytest.TempPathFactory, idle_video: Path) -> Iterator[RunningApp]:
    with verifier_with_camera_source(tmp_path_factory.mktemp("verifier-idle-home"), idle_video) as running:
        yield running


@pytest.fixture(scope="module")
def no_camera_verifier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    if glob.glob("/dev/video*"):
        pytest.skip("this computer has a camera device: the no-camera case cannot be seen here")
    with verifier_with_camera_source(tmp_path_factory.mktemp("verifier-no-camera-home"), None) as running:
        yield running


def wait_logged(app: RunningApp, pattern: str, *, after: int = 0, timeout: float = 20.0) -> re.Match[str]:
    """The first line of the app's log (from character ``after``) matching ``pattern``."""
    deadline = time.monotonic() + timeout
    while True:
        found = re.search(pattern, app.log()[after:])
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"the app never logged {pattern!r}; log tail:\n{app.log()[-3000:]}")
        time.sleep(0.2)


def choose_camera(page: Any, label: str) -> None:
    """Scan screen → Find cameras → pick ``label`` in the list, as a user does."""
    wait_shown(page, "Live camera")
    click(page, "button", "Find cameras")
    wait_shown(page, label)
    nudge(page)
    radio = page.get_by_role("radio", name=label)
    radio.click()
    deadline = time.monotonic() + 10
    while radio.get_attribute("aria-checked") != "true":
        assert time.monotonic() < deadline, f"{label!r} was not chosen"
        nudge(page)
        time.sleep(0.2)


def live_screenshot(page: Any, path: Path) -> None:
    """A screen with a moving picture never gives two equal screenshots in a row: let the page catch
    up with the app (screenshots lag the DOM by about half a second), then take one."""
    nudge(page)
    time.sleep(1.0)
    nudge(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))


def test_recorded_phone_video_as_the_camera_ends_on_verified(camera_verifier: RunningApp, browser: Any,
                                                             phone_video: Path) -> None:
    page = open_app(browser, camera_verifier.url, DESKTOP)
    try:
        choose_camera(page, f"Video: {phone_video.name}")
        click(page, "button", "Start camera")
        wait_shown(page, "Result: Genuine, issuer not on your list", timeout=30_000)
        wait_shown(page, "Wound care basics")
        wait_shown(page, "Camera · checked")  # the source on the verdict banner
        wait_shown(page, "The presentation")
        SHOTS.mkdir(parents=True, exist_ok=True)
        steady_screenshot(page, SHOTS / "desktop-camera-verified.png")
    finally:
        page.context.close()
    entries = History.open(camera_verifier.home).list()  # the app's real SQLite history
    assert [(e.source, e.verdict, e.achievement) for e in entries] == [("camera", "valid", "Wound care basics")]
    # read once, then the scan ended by itself and left no capture thread behind
    wait_logged(camera_verifier, r"camera: read a QR code in frame \d+")
    wait_logged(camera_verifier, r"off \(read a QR code\).*capture threads still running in the app: 0")


def test_stopping_the_camera_ends_its_capture_threads(idle_verifier: RunningApp, browser: Any,
                                                      idle_video: Path) -> None:
    label = f"Video: {idle_video.name}"
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page = open_app(browser, idle_verifier.url, size)
        try:
            choose_camera(page, label)
            mark = len(idle_verifier.log())
            click(page, "button", "Start camera")
            wait_logged(idle_verifier, "camera: scanning " + re.escape(label), after=mark)
            wait_shown(page, "What the camera sees")  # frames are flowing: the live picture is up
            wait_shown(page, "Hold the candidate's QR code in front of the camera.")
            assert not is_shown(page, "Start camera")  # one scan at a time
            live_screenshot(page, SHOTS / f"{size_name}-camera-scanning.png")
            click(page, "button", "Stop camera")
            wait_shown(page, "Camera stopped.")
            wait_shown(page, "Start camera")
            stopped = wait_logged(idle_verifier, re.escape(label) + r" off \(stopped by the user\); (\d+) frames "
                                  r"grabbed.*capture threads still running in the app: (\d+)", after=mark)
            assert 0 < int(stopped[1]) < IDLE_FRAMES, "stopped while the video was still playing"
            assert stopped[2] == "0", "a capture thread is still running after Stop"
            assert not is_shown(page, "What the camera sees")
            steady_screenshot(page, SHOTS / f"{size_name}-camera-stopped.png")

            # leaving the Scan screen while the camera runs turns it off too
            mark = len(idle_verifier.log())
            click(page, "button", "Start camera")
            wait_shown(page, "What the camera sees")
            navigate_to(page, "History")
            wait_shown(page, "Verifications made on this device")
            left = wait_logged(idle_verifier, re.escape(label) + r" off \(left the scan screen\).*capture threads "
                               r"still running in the app: (\d+)", after=mark)
            assert left[1] == "0"
        finally:
            page.context.close()
    assert History.open(idle_verifier.home).list() == []  # a blank screen verified nothing


def test_no_camera_is_said_plainly_and_the_other_ways_still_work(no_camera_verifier: RunningApp, browser: Any,
                                                                 presentation: dict[str, Any],
                                                                 tmp_path: Path) -> None:
    qr_png = tmp_path / "phone-screenshot.png"
    cv2.imwrite(str(qr_png), qr_image(encode_qr_text(presentation)))
    page = open_app(browser, no_camera_verifier.url, PHONE)
    try:
        wait_shown(page, "Live camera")
        click(page, "button", "Find cameras")
        wait_shown(page, "No camera found on this computer.")
        wait_shown(page, "Look again")
        assert not is_shown(page, "Start camera")
        steady_screenshot(page, SHOTS / "phone-camera-none.png")
        wait_logged(no_camera_verifier, "camera: looked for cameras: none found")

        scroll_to_shown(page, "Link, JSON or JWT")  # pasting still works
        type_into(page, "Link, JSON or JWT", json.dumps(presentation))
        click(page, "button", "Check", exact=True)
        wait_shown(page, "Result: Genuine, issuer not on your list")
        wait_shown(page, "Pasted · checked")

        navigate_to(page, "Scan")  # and so does a photo of the QR code
        scroll_to_shown(page, "Open a QR image")
        upload_files(page, "Open a QR image", [qr_png])
        wait_shown(page, "Result: Genuine, issuer not on your list")
        wait_shown(page, "QR image · checked")
    finally:
        page.context.close()
    sources = sorted(e.source for e in History.open(no_camera_verifier.home).list())
    assert sources == ["image", "paste"]
