"""The verifier app reads an animated QR code from its camera, end to end (web mode, headless Debian
Chromium, loopback only).

``SATCHEL_CAMERA_SOURCE`` names a synthesized recording (``scripts/phone_video.py``) of a phone
replaying the wallet's loop of codes (``wallet.share.AnimatedQr``, at the wallet's own rate) for a
60 KB Open Badge with an embedded picture: a hundred parts, perspective, blur, glare, noise and
dropped frames. The user picks the video in the camera list and starts the camera; the scan card
shows "n % received" and "n of m parts" climbing, then the result screen says "Genuine, issuer not on your list". The
screenshots (mid-way and the verdict) go to docs/screenshots/.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bench.qr_video import IMAGE_BADGE, BenchDocuments, bench_documents
from credentials import encode_qr_parts
from scan import CAMERA_SOURCE_ENV
from scripts.phone_video import PhoneVideo, VideoConditions, synthesize_phone_video
from tests.ui.test_verifier_camera_ui import choose_camera, live_screenshot, wait_logged
from tests.ui.ui_driver import DESKTOP, REPO, RunningApp, click, nudge, open_app, steady_screenshot, wait_shown
from tests.ui.verifier_fixtures import running_verifier
from verifier.history import History
from wallet.share.qrshare import FRAME_LEVEL, AnimatedQr  # the wallet as a tool: the loop its Show QR screen plays

SHOTS = REPO / "docs" / "screenshots"
RECEIVED = re.compile(r"(\d+) % received")
PARTS = re.compile(r"(\d+) of (\d+) parts")

SHOWN_TEXTS = """() => [...document.querySelectorAll('flt-semantics-host [aria-label], flt-semantics')]
    .map(e => (e.getAttribute('aria-label') || '') + ' ' + (e.textContent || '')).join('\\n')"""


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> BenchDocuments:
    return bench_documents(tmp_path_factory.mktemp("animated-docs"), (IMAGE_BADGE,))


@pytest.fixture(scope="module")
def phone_video(tmp_path_factory: pytest.TempPathFactory, docs: BenchDocuments) -> tuple[PhoneVideo, int]:
    """The phone replaying the wallet's loop of the 60 KB badge, from a point in its middle."""
    animation = AnimatedQr(encode_qr_parts(docs.presentations[IMAGE_BADGE], level=FRAME_LEVEL))
    parts, loop, rate = animation.parts, animation.loop_length, animation.frame_rate
    path = tmp_path_factory.mktemp("animated-camera") / "phone-showing-animated-qr.avi"
    video = synthesize_phone_video(lambda n: parts.frame((n - 1) % loop + 1), path,
                                   seconds=min(45.0, 3 * parts.seq_len / rate + 2), seed=21,
                                   first_part=parts.seq_len // 3, version=parts.version, level=parts.level,
                                   conditions=VideoConditions(codes_per_second=rate))
    return video, parts.seq_len


@pytest.fixture(scope="module")
def animated_verifier(tmp_path_factory: pytest.TempPathFactory, docs: BenchDocuments,
                      phone_video: tuple[PhoneVideo, int]) -> Iterator[RunningApp]:
    with contextlib.ExitStack() as stack:
        with pytest.MonkeyPatch.context() as env:  # only while the process starts: it copies os.environ
            env.setenv(CAMERA_SOURCE_ENV, str(phone_video[0].path))
            running = stack.enter_context(running_verifier(tmp_path_factory.mktemp("verifier-animated-home"),
                                                           documents=docs.web_json))
        yield running


def progress_seen(page: Any) -> tuple[int, int, int] | None:
    """(percent, parts recovered, parts in all) as the scan card shows them, or None."""
    nudge(page)
    texts = page.evaluate(SHOWN_TEXTS)
    percent, parts = RECEIVED.search(texts), PARTS.search(texts)
    if percent is None or parts is None:
        return None
    return int(percent[1]), int(parts[1]), int(parts[2])


def wait_progress(page: Any, at_least: int, timeout: float = 60.0) -> tuple[int, int, int]:
    deadline = time.monotonic() + timeout
    while True:
        seen = progress_seen(page)
        if seen is not None and seen[0] >= at_least:
            return seen
        assert time.monotonic() < deadline, f"the scan card never showed {at_least} % received (last: {seen})"
        time.sleep(0.2)


def test_animated_qr_from_the_camera_shows_progress_and_ends_on_verified(
        animated_verifier: RunningApp, browser: Any, phone_video: tuple[PhoneVideo, int]) -> None:
    video, seq_len = phone_video
    page = open_app(browser, animated_verifier.url, DESKTOP)
    try:
        choose_camera(page, f"Video: {video.path.name}")
        click(page, "button", "Start camera")
        wait_shown(page, "Receiving an animated QR code", timeout=60_000)
        early = wait_progress(page, 1)
        later = wait_progress(page, 35)
        assert early[2] == later[2] == seq_len  # "n of 101 parts"
        assert early[0] < later[0] < 100 and early[1] < later[1] < seq_len  # climbing, not there yet
        live_screenshot(page, SHOTS / "verifier-animated-qr-receiving.png")
        wait_shown(page, "Result: Genuine, issuer not on your list", timeout=90_000)
        wait_shown(page, "Wound care basics")
        wait_shown(page, "Camera · checked")
        steady_screenshot(page, SHOTS / "verifier-animated-qr-verified.png")
    finally:
        page.context.close()
    entries = History.open(animated_verifier.home).list()  # the app's real SQLite history
    assert [(e.source, e.verdict, e.achievement) for e in entries] == [("camera", "valid", "Wound care basics")]
    wait_logged(animated_verifier, r"camera: put an animated QR code together, its last part read in frame \d+")
    wait_logged(animated_verifier, r"off \(read a QR code\).*capture threads still running in the app: 0")

