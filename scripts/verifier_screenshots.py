"""Screenshots of the verifier app at phone (390x844) and desktop (1280x800) sizes, for a person to
look at: ``python scripts/verifier_screenshots.py [OUT]`` (default build/screenshots/verifier).

Runs ``satchel-verifier app --web`` on loopback with the issuer stub's sample credentials (all
documents answered locally), drives it in Debian's headless Chromium, aborts every request that
is not to 127.0.0.1.

The camera screens use the app's camera test hook (``SATCHEL_CAMERA_SOURCE``, see
``scan``): a recording of a phone with its screen off while it scans and after Stop,
then the recording of a phone showing a wallet QR (the camera test's video), ending on its result."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from credentials import encode_inline_link  # noqa: E402
from issuer_stub.cli import main as issuer_main  # noqa: E402 - after the path set-up
from tests.test_verifier_camera import record_video, signed_presentation  # noqa: E402
from tests.ui.test_verifier_camera_ui import (  # noqa: E402
    choose_camera,
    live_screenshot,
    record_idle_video,
    verifier_with_camera_source,
)
from tests.ui.test_verifier_ui import signed_vp  # noqa: E402
from tests.ui.ui_driver import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_FLAGS,
    DESKTOP,
    PHONE,
    click,
    nudge,
    open_app,
    steady_screenshot,
    type_into,
    wait_shown,
)
from tests.ui.verifier_fixtures import open_verifier, running_verifier  # noqa: E402
from wallet.share.qrcodec import encode_qr_text  # noqa: E402 - the QR the wallet's share screen shows


def pulse_frame(page: Any, path: Path, corner: tuple[int, int]) -> None:
    """The frame of the result's colour pulse where the page background is furthest from its own colour."""
    import io

    from PIL import Image

    best, best_shift = b"", -1
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        nudge(page)
        png = page.screenshot()
        r, g, b = Image.open(io.BytesIO(png)).convert("RGB").getpixel(corner)
        shift = abs(243 - r) + abs(245 - g) + abs(249 - b)  # the background is #F3F5F9
        if shift > best_shift:
            best, best_shift = png, shift
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(best)


def go(page: Any, tab: str) -> None:
    nudge(page)
    page.get_by_role("tab", name=tab).or_(page.get_by_role("button", name=tab)).first.click(timeout=10_000)


def camera_screens(browser: Any, out: Path, tmp: Path) -> None:
    """Live camera: scanning, stopped, and the result of reading a phone's QR from the video."""
    idle, phone = tmp / "phone-screen-off.avi", tmp / "phone-showing-wallet-qr.avi"
    record_idle_video(idle)
    record_video(phone, encode_qr_text(signed_presentation()))
    for video in (idle, phone):
        home = tmp / f"home-{video.stem}"
        home.mkdir()
        with verifier_with_camera_source(home, video) as app:
            for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
                page = open_app(browser, app.url, size)
                choose_camera(page, f"Video: {video.name}")
                steady_screenshot(page, out / f"{size_name}-camera-chosen.png")
                click(page, "button", "Start camera")
                if video is idle:
                    wait_shown(page, "What the camera sees")
                    live_screenshot(page, out / f"{size_name}-camera-scanning.png")
                    click(page, "button", "Stop camera")
                    wait_shown(page, "Camera stopped.")
                    steady_screenshot(page, out / f"{size_name}-camera-stopped.png")
                else:
                    wait_shown(page, "Result: Verified")
                    steady_screenshot(page, out / f"{size_name}-camera-verified.png")
                page.context.close()


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        samples, home = Path(tmp) / "samples", Path(tmp) / "home"
        home.mkdir()
        assert issuer_main(["sample", "--out", str(samples)]) == 0
        good = (samples / "ob3-v2-eddsa-rdfc-2022.json").read_text()
        revoked = (samples / "ob3-v2-eddsa-rdfc-2022-revoked.json").read_text()
        with running_verifier(home, documents=samples / "web.json") as app, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
                page = open_app(browser, app.url, size)
                wait_shown(page, "Check a credential")
                steady_screenshot(page, out / f"{size_name}-scan.png")
                for name, text, word in (("verified", good, "Verified"), ("problem", revoked, "Problem")):
                    type_into(page, "Link, JSON or JWT", text)
                    click(page, "button", "Check")
                    pulse_frame(page, out / f"{size_name}-result-{name}-pulse.png",
                                (size["width"] - 8, size["height"] // 2))
                    wait_shown(page, word)
                    steady_screenshot(page, out / f"{size_name}-result-{name}.png")
                    page.mouse.move(size["width"] * 0.6, size["height"] * 0.5)
                    for _ in range(6):
                        page.mouse.wheel(0, 600)
                        time.sleep(0.2)
                    steady_screenshot(page, out / f"{size_name}-result-{name}-checks.png")
                    nudge(page)
                    go(page, "Scan")
                    wait_shown(page, "Check a credential")
                nudge(page)
                go(page, "Ask")
                click(page, "button", "New request")
                wait_shown(page, "Waiting for the candidate's wallet")
                steady_screenshot(page, out / f"{size_name}-ask.png")
                go(page, "History")
                wait_shown(page, "Verifications made on this device")
                steady_screenshot(page, out / f"{size_name}-history.png")
                page.context.close()
                link = encode_inline_link(app.url.rstrip("/"), signed_vp(2))  # the app opened at a share link
                page = open_verifier(browser, link, size)
                wait_shown(page, "2 credentials were presented")
                steady_screenshot(page, out / f"{size_name}-result-opened-link.png")
                page.context.close()
            camera_screens(browser, out, Path(tmp))
            browser.close()
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "build" / "screenshots" / "verifier")
