"""Share by link in the real app, against a real `satchel-verifier serve` (its share relay) on loopback:
set the verifier address in Settings, share a badge as a link the learner can withdraw, copy it, then
`satchel-verify` (a separate process) finds it valid; unshare in the app and `satchel-verify` says
it was withdrawn."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from queue import Empty, Queue
from typing import Any

import pytest

from tests.helpers import ed25519_signer, ob3_credential
from tests.ui.ui_driver import (
    DESKTOP,
    REPO,
    RunningApp,
    click,
    create_wallet,
    is_shown,
    navigate_to,
    nudge,
    open_app,
    point_share_links_at,
    running_app,
    scroll_to_shown,
    scroll_until_shown,
    tick,
    type_into,
    upload_files,
    wait_shown,
)

pytest.importorskip("wallet.share", reason="wallet.share (sharing) is not installed")

PASSPHRASE = "meadow lantern copper violin"
TEXTS = """() => [...document.querySelectorAll('flt-semantics-host [aria-label], flt-semantics, input, textarea')]
    .map(e => (e.getAttribute('aria-label') || '') + '\\n' + (e.textContent || '')).join('\\n')"""


@contextlib.contextmanager
def running_verifier_service(data: Path) -> Iterator[str]:
    """`satchel-verifier serve --port 0 --offline` in its own process; yields the base URL it prints."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "verifier.cli", "serve", "--port", "0", "--offline", "--data", str(data)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines: Queue[str] = Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout or []], daemon=True).start()
    try:
        try:
            first = lines.get(timeout=30)
        except Empty:
            raise RuntimeError("the verifier printed no base URL: "
                               + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "")) from None
        found = re.search(r"http://127\.0\.0\.1:\d+", first)
        if not found:
            raise RuntimeError(f"the verifier printed no base URL: {first!r}")
        yield found.group(0)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def verifier_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_verifier_service(tmp_path_factory.mktemp("verifier-data")) as base:
        yield base


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    home = tmp_path_factory.mktemp("satchel-home")
    with running_app(home, extra_env={"SATCHEL_VERIFIER_URL": ""}) as running:
        yield running


@pytest.fixture(scope="module")
def page(app: RunningApp, browser: Any) -> Iterator[Any]:
    opened = open_app(browser, app.url, DESKTOP)
    opened.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app.url.rstrip("/"))
    yield opened
    opened.context.close()


def shown_texts(page: Any) -> str:
    nudge(page)
    return str(page.evaluate(TEXTS))


def wallet_did(page: Any) -> str:
    """The default profile's DID, as Settings shows it."""
    navigate_to(page, "Settings")
    wait_shown(page, "Each profile is an identity issuers can issue badges to")
    if not is_shown(page, "did:key:z"):  # folded away: a main screen names people, not DIDs (issue 17)
        click(page, "button", "identity for issuers")
    wait_shown(page, "did:key:z")
    found = re.search(r"did:key:z[1-9A-HJ-NP-Za-km-z]+", shown_texts(page))
    assert found, "Settings shows no DID"
    click(page, "button", "identity for issuers")  # folded again, as a learner leaves it
    return found.group(0)


def import_badge_for(page: Any, did: str, folder: Path, name: str) -> None:
    """A badge signed for the wallet's DID (did:key issuer: verifies with no network at all)."""
    issuer = ed25519_signer()
    badge = folder / f"{name.lower().replace(' ', '-')}.json"
    credential = ob3_credential(issuer.did, subject=did, id=f"urn:uuid:{uuid.uuid4()}", name=name)
    credential["credentialSubject"]["achievement"]["name"] = name
    badge.write_text(json.dumps(issuer.sign(credential)), encoding="utf-8")
    navigate_to(page, "Import")
    wait_shown(page, "Import badges")
    upload_files(page, "Choose badge files", [badge])
    scroll_until_shown(page, f"{name} added: Genuine, issuer not on your list.", timeout=60)


def satchel_verify(link: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "credentials._cli", "--json", "--allow-loopback", link],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.stdout, proc.stderr
    return dict(json.loads(proc.stdout.splitlines()[0]))


def test_links_need_a_verifier_address_first(page: Any, tmp_path: Path) -> None:
    create_wallet(page, PASSPHRASE)
    did = wallet_did(page)
    import_badge_for(page, did, tmp_path, "Wound care basics")
    navigate_to(page, "Share")
    page.get_by_role("checkbox", name="Wound care basics").first.click()
    wait_shown(page, "presented by you")
    wait_shown(page, "Links need a verifier address")
    click(page, "button", "Set the verifier address")
    wait_shown(page, "Not set: you can share by QR code, but not by link.")


def test_share_as_withdrawable_link_verifies_then_unshare_withdraws_it(
        page: Any, verifier_service: str) -> None:
    point_share_links_at(page, verifier_service)

    navigate_to(page, "Share")
    wait_shown(page, "1. Choose badges")
    tick(page, "Wound care basics")
    wait_shown(page, "presented by you")
    wait_shown(page, f"The link opens at {verifier_service}.")
    type_into(page, "Who is it for?", "Acme Care")
    click(page, "button", "30 days")
    click(page, "button", "Share as a link")
    wait_shown(page, "Link for Acme Care ready", timeout=60_000)
    wait_shown(page, "Link for Acme Care, until")
    wait_shown(page, "you can withdraw it from your share history")

    found = re.search(re.escape(verifier_service) + r"/s#r=[A-Za-z0-9_-]+&k=[A-Za-z0-9_-]+", shown_texts(page))
    assert found, "the link is not shown"
    link = found.group(0)
    click(page, "button", "Copy link")
    wait_shown(page, "Link copied")
    assert page.evaluate("() => navigator.clipboard.readText()") == link

    report = satchel_verify(link)
    assert report["verdict"] == "valid", report

    click(page, "button", "Done with the link")
    scroll_to_shown(page, "Unshare with Acme Care")
    history = shown_texts(page)
    assert "Link for Acme Care, " in history and "until" in history
    click(page, "button", "Unshare with Acme Care")
    wait_shown(page, "Unshared: the link no longer works.", timeout=30_000)

    gone = satchel_verify(link)
    assert gone["verdict"] != "valid" and gone["problems"] == ["unreachable"], gone
    assert "withdrawn" in json.dumps(gone["checks"]).lower(), gone
