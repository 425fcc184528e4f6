"""Screenshots of every screen of the Satchel app at phone (390x844) and desktop (1280x800) size.

    python scripts/screenshots.py [--out build/screenshots]

Runs the issuer stub and the real app (web mode, fresh SATCHEL_HOME) on loopback, drives Debian's
headless Chromium through first run, imports (files and an offer), detail, pathways, share
(with the QR code), settings and the lock screen, and writes one PNG per screen and size.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.stub_server import Stub  # noqa: E402
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
    nudge(page)
    time.sleep(0.6)
    steady_screenshot(page, out / f"{name}.png")
    print("wrote", out / f"{name}.png", flush=True)


def go(page: Any, destination: str, shows: str) -> None:
    navigate_to(page, destination)
    wait_shown(page, shows, timeout=30_000)


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
            with running_app(root / "home") as app, sync_playwright() as playwright:
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
                    type_into(page, "Who is it for?", "Maple Grove Care Home")
                    click(page, "button", "Show QR code")
                    wait_shown(page, "Show this QR code", timeout=60_000)
                    shoot(page, args.out, f"{size}-08b-share-qr")
                    click(page, "button", "Done")
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
