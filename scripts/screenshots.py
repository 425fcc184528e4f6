"""Screenshots of every screen of the Satchel app at phone (390x844) and desktop (1280x800) size.

    python scripts/screenshots.py [--out build/screenshots]

Runs the issuer stub and the real app (web mode, fresh SATCHEL_HOME) on loopback, drives Debian's
headless Chromium through first run, imports (files and an offer), detail, pathways, share
(with the QR code), share as a link and answering a verifier's request (against a real
`satchel-verifier serve` on loopback), settings and the lock screen, and writes one PNG per screen
and size.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from tests.stub_server import Stub  # noqa: E402
from tests.ui.test_share_link import import_badge_for, running_verifier_service, wallet_did  # noqa: E402
from tests.ui.ui_driver import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_FLAGS,
    DESKTOP,
    PHONE,
    click,
    navigate_to,
    nudge,
    open_app,
    running_app,
    scroll_to_shown,
    steady_screenshot,
    type_into,
    upload_files,
    wait_shown,
)

PASSPHRASE = "meadow lantern copper violin"
SIZES = {"phone": PHONE, "desktop": DESKTOP}


def issue_files(stub: Stub, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for achievement, form in (("wound-care-basics", "ob3-v2-eddsa-rdfc-2022"), ("healthy-menus", "ob3-png"),
                              ("psw-foundations", "ob3-v2-eddsa-rdfc-2022"), ("wound-care-basics", "ob2-hosted")):
        issued = stub.issue(form, achievement)
        if "contentBase64" in issued:
            path = folder / f"{achievement}-{form}.png"
            path.write_bytes(base64.b64decode(issued["contentBase64"]))
        else:
            credential = issued["credential"]
            path = folder / f"{achievement}-{form}.json"
            path.write_text(credential if isinstance(credential, str) else json.dumps(credential), encoding="utf-8")
        files.append(path)
    return files


def shoot(page: Any, out: Path, name: str) -> None:
    page.bring_to_front()  # a background tab stops painting (and updating its accessibility tree)
    nudge(page)
    time.sleep(0.6)
    steady_screenshot(page, out / f"{name}.png")
    print("wrote", out / f"{name}.png", flush=True)


def wait_or_show(page: Any, text: str, out: Path, timeout: float = 60_000) -> None:
    """``wait_shown``, leaving a picture of the screen behind when it does not come."""
    try:
        wait_shown(page, text, timeout=timeout)
    except TimeoutError:
        page.screenshot(path=str(out / "FAILED.png"))
        raise


def scroll_and_type(page: Any, label: str, text: str) -> None:
    """Like ``scroll_and_click``, for a text field below the fold (on a phone)."""
    scroll_to_shown(page, label)
    page.mouse.wheel(0, 200)
    time.sleep(1.2)
    type_into(page, label, text)


def scroll_and_click(page: Any, name: str, *, exact: bool = False) -> None:
    """Scrolls the button into view, lets the accessibility tree catch up with the scroll (its
    positions lag it), then clicks it."""
    scroll_to_shown(page, name)
    page.mouse.wheel(0, 120)
    time.sleep(1.2)
    nudge(page)
    click(page, "button", name, exact=exact)


def go(page: Any, destination: str, shows: str) -> None:
    """The navigation destination by its exact name (a section's merged label may contain the word too)."""
    page.bring_to_front()
    nudge(page)
    try:
        page.get_by_role("tab", name=destination, exact=True).first.click(timeout=3_000)  # phone: bottom bar
    except Exception:  # the navigation rail (wide): buttons
        navigate_to(page, destination)
    wait_shown(page, shows, timeout=30_000)


def share_link_and_request(pages: dict[str, Any], desktop: Any, verifier: str, folder: Path, out: Path) -> None:
    """Share as a link, then answer a verifier's request, at each size (badge bound to the wallet's DID)."""
    folder.mkdir(parents=True, exist_ok=True)
    desktop.bring_to_front()
    import_badge_for(desktop, wallet_did(desktop), folder, "Safe moving and handling")
    desktop.bring_to_front()
    for size, page in pages.items():
        go(page, "Settings", "Profiles and DIDs")
        scroll_to_shown(page, f"Now: {verifier}")  # SATCHEL_VERIFIER_URL is the default address
        page.mouse.wheel(0, 150)
        shoot(page, out, f"{size}-11-settings-verifier")
        if page is not desktop:  # each tab keeps its own list: the same file again refreshes this one
            go(page, "Import", "From a file")
            upload_files(page, "Choose badge files", [folder / "safe-moving-and-handling.json"])
            wait_shown(page, "already in your wallet", timeout=60_000)
        go(page, "Share", "1. Choose badges")
        box = page.get_by_role("checkbox", name="Safe moving and handling").first
        if box.get_attribute("aria-checked") != "true":
            box.click()
        wait_shown(page, "presented by you")
        scroll_and_type(page, "Who is it for?", "Maple Grove Care Home")
        scroll_to_shown(page, "Share as a link")
        shoot(page, out, f"{size}-08c-share-ways")
        scroll_and_click(page, "Share as a link", exact=True)
        for _ in range(3):  # a keystroke can miss a field the accessibility tree has not placed yet
            with contextlib.suppress(TimeoutError):
                wait_shown(page, "Link for Maple Grove Care Home", timeout=20_000)
                break
            scroll_and_type(page, "Who is it for?", "Maple Grove Care Home")
            scroll_and_click(page, "Share as a link", exact=True)
        scroll_to_shown(page, "Copy link")
        shoot(page, out, f"{size}-08d-share-link")
        scroll_and_click(page, "Done with the link")
        scroll_to_shown(page, "Share history")
        page.mouse.wheel(0, 400)
        shoot(page, out, f"{size}-08e-share-history")

        exchange = httpx.post(verifier + "/exchanges", json={}, timeout=30).json()
        scroll_and_click(page, "Answer a request")
        wait_shown(page, "Paste the request")
        shoot(page, out, f"{size}-12-request-read")
        type_into(page, "Request link or text", exchange["url"])
        click(page, "button", "Read request")
        wait_shown(page, "Who is asking", timeout=30_000)
        shoot(page, out, f"{size}-12b-request-preview")
        scroll_to_shown(page, "What they will receive")
        page.mouse.wheel(0, 300)
        shoot(page, out, f"{size}-12c-request-disclosed")
        scroll_and_click(page, "Send to")
        wait_shown(page, "says: Verified", timeout=60_000)
        shoot(page, out, f"{size}-12d-request-verdict")
        click(page, "button", "Done")
        wait_shown(page, "1. Choose badges")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "build" / "screenshots")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"needs Debian's chromium at {CHROMIUM}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="satchel-shots-") as scratch:
        root = Path(scratch)
        stub = Stub(root / "issuer")
        try:
            files = issue_files(stub, root / "badges")
            (root / "home").mkdir()
            with running_verifier_service(root / "verifier") as verifier, \
                    running_app(root / "home", extra_env={"SATCHEL_VERIFIER_URL": verifier}) as app, \
                    sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
                pages = {size: open_app(browser, app.url, viewport) for size, viewport in SIZES.items()}
                for size, page in pages.items():
                    wait_shown(page, "Create your wallet")
                    type_into(page, "New passphrase", "copper violin")
                    shoot(page, args.out, f"{size}-01-first-run")
                desktop = pages["desktop"]
                type_into(desktop, "New passphrase", PASSPHRASE)
                type_into(desktop, "Repeat the passphrase", PASSPHRASE)
                click(desktop, "button", "Create wallet")
                wait_shown(desktop, "No badges yet", timeout=60_000)
                shoot(desktop, args.out, "desktop-02-empty-list")
                click(desktop, "button", "Import a badge")
                upload_files(desktop, "Choose badge files", files)
                wait_shown(desktop, f"Finished: {len(files)} of {len(files)}", timeout=120_000)
                offer = stub.http.post("/api/offers", json={"achievement": "donning-doffing-ppe"}).json()
                type_into(desktop, "Offer link", offer["credential_offer_uri"])
                click(desktop, "button", "Collect badge")
                wait_shown(desktop, "Donning and doffing PPE added", timeout=60_000)
                shoot(desktop, args.out, "desktop-04-import")

                pages["phone"].context.close()  # a new phone-sized tab: the same wallet, unlocked on its own
                phone = pages["phone"] = open_app(browser, app.url, PHONE)
                wait_shown(phone, "Your wallet is locked.", timeout=45_000)
                shoot(phone, args.out, "phone-09-unlock")
                type_into(phone, "Passphrase", PASSPHRASE)
                click(phone, "button", "Unlock")
                wait_shown(phone, "Lock wallet", timeout=60_000)

                for size, page in pages.items():
                    go(page, "My badges", "Wound care basics")
                    time.sleep(1.5)  # badge pictures arrive in the background
                    shoot(page, args.out, f"{size}-03-my-badges")
                    page.get_by_role("button", name="Donning and doffing PPE").first.click()
                    wait_shown(page, "Status: ")
                    time.sleep(1)
                    shoot(page, args.out, f"{size}-05-badge-detail")
                    scroll_to_shown(page, "Signature matches: Passed")
                    page.mouse.wheel(0, 250)
                    shoot(page, args.out, f"{size}-06-badge-checks")
                    go(page, "Pathways", "parts earned")
                    shoot(page, args.out, f"{size}-07-pathways")
                    go(page, "Settings", "Profiles and DIDs")
                    shoot(page, args.out, f"{size}-10-settings")
                    go(page, "Share", "1. Choose badges")
                    page.get_by_role("checkbox", name="Donning and doffing PPE").first.click()
                    wait_shown(page, "presented by you")
                    shoot(page, args.out, f"{size}-08-share")
                    scroll_and_type(page, "Who is it for?", "Maple Grove Care Home")
                    scroll_and_click(page, "Show QR code")
                    wait_or_show(page, "Show this QR code", args.out)
                    shoot(page, args.out, f"{size}-08b-share-qr")
                    click(page, "button", "Done")
                share_link_and_request(pages, desktop, verifier, root / "bound", args.out)
                go(pages["phone"], "Import", "From a file")
                shoot(pages["phone"], args.out, "phone-04-import")
                click(desktop, "button", "Lock wallet")
                wait_shown(desktop, "Your wallet is locked.")
                shoot(desktop, args.out, "desktop-09-unlock")
                browser.close()
        finally:
            stub.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
