"""Screenshots of every verifier screen at phone (390x844) and desktop (1280x800) size, for a person to
look at and for the README's tour: ``python scripts/verifier_screenshots.py [OUT]`` (default
docs/screenshots), written as ``verifier-<phone|desktop>-<screen>.png``.

Runs ``satchel-verifier app --web`` on loopback with the issuer stub's sample credentials (all
documents answered locally) and a trust list naming the stub's issuer, drives it in Debian's
headless Chromium, aborts every request that is not to 127.0.0.1. Screens: scan, a paste, each
graded result (trusted, genuine, problem, could not check), a check's Details, a presentation opened
at a share link, offline mode, ask, history; then, with the camera test hook
(``SATCHEL_CAMERA_SOURCE``: a synthesized recording of a phone playing an animated QR code), the
camera receiving it and its result (``--camera-only``: just those)."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from credentials import encode_inline_link, encode_qr_parts  # noqa: E402
from issuer_stub.cli import main as issuer_main  # noqa: E402 - after the path set-up
from scripts.phone_video import VideoConditions, synthesize_phone_video  # noqa: E402
from tests.helpers import ed25519_signer, ob3_credential  # noqa: E402
from tests.ui.test_verifier_camera_ui import choose_camera, verifier_with_camera_source  # noqa: E402
from tests.ui.test_verifier_ui import signed_vp  # noqa: E402
from tests.ui.ui_driver import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_FLAGS,
    DESKTOP,
    PHONE,
    click,
    is_shown,
    navigate_to,
    nudge,
    scroll_to_shown,
    steady_screenshot,
    type_into,
    wait_shown,
)
from tests.ui.verifier_fixtures import open_verifier, running_verifier  # noqa: E402

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the script needs playwright anyway; main() says so when it imports it
    PlaywrightTimeout = TimeoutError  # type: ignore[misc,assignment]

STUB_ISSUER = "did:web:127.0.0.1%3A8765"  # the issuer `satchel-issuer sample` names
FIELD = "Link, JSON or JWT"
SIZES = (("desktop", DESKTOP), ("phone", PHONE))


def shot(page: Any, out: Path, size: str, screen: str) -> None:
    steady_screenshot(page, out / f"verifier-{size}-{screen}.png")


def to_top(page: Any) -> None:
    page.mouse.move((page.viewport_size or DESKTOP)["width"] * 0.6, 300)
    for _ in range(20):
        page.mouse.wheel(0, -2000)
    time.sleep(0.5)


def check(page: Any, text: str, headline: str) -> None:
    navigate_to(page, "Scan")
    wait_shown(page, "Check a credential")
    for _attempt in range(3):  # a paste the phone-sized page lost leaves Check disabled: paste again
        type_into(page, FIELD, text)
        nudge(page)
        try:
            page.get_by_role("button", name="Check", exact=True).first.click(timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
    wait_shown(page, f"Result: {headline}")
    to_top(page)


def badges(samples: Path) -> dict[str, str]:
    """One input per graded result: the stub's badge (its issuer on the trust list), a badge signed by
    an issuer not on it, the stub's revoked badge, and a badge whose did:web key cannot be fetched
    (checked in offline mode, so nothing is asked of the network)."""
    stranger = ed25519_signer()
    elsewhere = ed25519_signer()
    unreachable = ob3_credential("did:web:college.example")
    return {
        "trusted": (samples / "ob3-v2-eddsa-rdfc-2022.json").read_text(),
        "genuine": json.dumps(stranger.sign(ob3_credential(stranger.did))),
        "problem": (samples / "ob3-v2-eddsa-rdfc-2022-revoked.json").read_text(),
        "could-not-check": json.dumps(elsewhere.sign(unreachable, vm="did:web:college.example#key-1")),
    }


HEADLINES = {"trusted": "Genuine, from an issuer you trust", "genuine": "Genuine, issuer not on your list",
             "problem": "Problem", "could-not-check": "Could not check"}


def main_screens(browser: Any, app: Any, out: Path, inputs: dict[str, str]) -> None:
    for size_name, size in SIZES:
        page = open_verifier(browser, app.url, size)
        wait_shown(page, "Check a credential")
        shot(page, out, size_name, "scan")
        type_into(page, FIELD, inputs["genuine"])
        scroll_to_shown(page, "Check")
        shot(page, out, size_name, "paste")
        for grade in ("trusted", "genuine", "problem"):
            check(page, inputs[grade], HEADLINES[grade])
            shot(page, out, size_name, f"result-{grade}")
        scroll_to_shown(page, "Revoked by the issuer")
        nudge(page)
        page.get_by_role("button", name="Revoked by the issuer").first.click()  # its Details open
        wait_shown(page, "Check: status.revocation")
        page.mouse.wheel(0, 400)  # the opened Details in view
        time.sleep(0.5)
        shot(page, out, size_name, "result-check-details")
        click(page, "switch", "Offline mode")
        wait_shown(page, "Offline mode.")
        check(page, inputs["could-not-check"], HEADLINES["could-not-check"])
        shot(page, out, size_name, "result-could-not-check")
        navigate_to(page, "Scan")
        wait_shown(page, "Check a credential")
        shot(page, out, size_name, "offline")
        click(page, "switch", "Offline mode")
        navigate_to(page, "Ask")
        click(page, "button", "New request")
        wait_shown(page, "Waiting for the candidate's wallet")
        shot(page, out, size_name, "ask")
        navigate_to(page, "History")
        wait_shown(page, "Verifications made on this device")
        shot(page, out, size_name, "history")
        page.context.close()
        link = encode_inline_link(app.url.rstrip("/"), signed_vp(2))  # the app opened at a share link
        page = open_verifier(browser, link, size)
        wait_shown(page, "2 credentials were presented")
        shot(page, out, size_name, "result-presentation")
        page.context.close()


def camera_screens(browser: Any, out: Path, tmp: Path) -> None:
    """A phone playing an animated QR code (a presentation of three badges in small codes) in front
    of the camera: receiving it, then its result."""
    parts = encode_qr_parts(signed_vp(3), max_version=5, level="M")
    video = tmp / "phone-showing-animated-qr.avi"
    synthesize_phone_video(parts.frame, video, seconds=min(40.0, 3 * parts.seq_len / 4 + 4), seed=3,
                           version=parts.version, level=parts.level, conditions=VideoConditions(codes_per_second=4))
    for size_name, size in SIZES:
        home = tmp / f"camera-home-{size_name}"
        home.mkdir()
        with verifier_with_camera_source(home, video) as app:
            page = open_verifier(browser, app.url, size)
            choose_camera(page, f"Video: {video.name}")
            click(page, "button", "Start camera")
            page.mouse.move(size["width"] * 0.6, size["height"] * 0.5)
            page.mouse.wheel(0, 250)  # the ring and the part count under the camera's picture
            deadline = time.monotonic() + 60
            while not is_shown(page, "% received") and not is_shown(page, "Result:"):
                if time.monotonic() > deadline:
                    raise TimeoutError("the camera never showed an animated code coming in")
                nudge(page)
                time.sleep(0.1)
            if is_shown(page, "% received"):
                time.sleep(1.5)  # a few parts more in, and the page caught up with the app
                if not is_shown(page, "Result:"):
                    page.screenshot(path=str(out / f"verifier-{size_name}-receiving.png"))
            else:
                print(f"{size_name}: the whole code was read before its progress was shown", flush=True)
            wait_shown(page, "Result: Genuine", timeout=90_000)
            to_top(page)
            shot(page, out, size_name, "camera-result")
            page.context.close()


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        samples, home = Path(tmp) / "samples", Path(tmp) / "home"
        home.mkdir()
        assert issuer_main(["sample", "--out", str(samples)]) == 0
        trust = Path(tmp) / "care-registry.json"
        trust.write_text(json.dumps({"meta": {"name": "Care sector registry"},
                                     "registry": {STUB_ISSUER: {"name": "Riverside Community College"}}}))
        with running_verifier(home, documents=samples / "web.json", extra_args=["--trust", str(trust)]) as app, \
                sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            if "--camera-only" not in sys.argv:
                main_screens(browser, app, out, badges(samples))
            camera_screens(browser, out, Path(tmp))
            browser.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(Path(paths[0]) if paths else REPO / "docs" / "screenshots")
