"""What a learner reads, in the real app (headless Chromium): the graded verdict with its next step,
each check as a plain headline with its technical detail behind "Details", people by name ("Issued
to you", "presented by you"), no DID or proof-suite name on a badge's main screen or on the Share
screen (they are under "Technical details"), a trust list turning "genuine" into "from an issuer
you trust", and a share history that says when (date and time) and how (QR code or link), with
"Unshare" only on what can be withdrawn."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from credentials import GRADE_WORDS, CheckId, Grade, plain_check
from tests.helpers import Signer, ed25519_signer, ob3_credential
from tests.ui.test_share_link import (  # noqa: F401  (verifier_service is a fixture)
    shown_texts,
    verifier_service,
    wallet_did,
)
from tests.ui.ui_driver import (
    DESKTOP,
    RunningApp,
    click,
    create_wallet,
    is_shown,
    navigate_to,
    open_app,
    point_share_links_at,
    scroll_to_shown,
    tick,
    type_until_held,
    upload_files,
    wait_shown,
)

pytest.importorskip("wallet.share", reason="wallet.share (sharing) is not installed")

PASSPHRASE = "meadow lantern copper violin"
GENUINE, TRUSTED = GRADE_WORDS[Grade.GENUINE].headline, GRADE_WORDS[Grade.TRUSTED].headline
# What a main screen must not show: identifiers and the names of proof suites and specs.
JARGON = re.compile(r"did:|urn:uuid|eddsa|ecdsa|rdfc|jcs-|Ed25519|Data Model|@context|#key", re.IGNORECASE)
WHEN = r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}"  # "3 Dec 2026, 14:02"


@pytest.fixture(scope="module")
def page(app: RunningApp, browser: Any) -> Iterator[Any]:
    opened = open_app(browser, app.url, DESKTOP)
    yield opened
    opened.context.close()


@pytest.fixture(scope="module")
def college() -> Signer:
    return ed25519_signer()


def badge_file(folder: Path, issuer: Signer, subject: str, name: str, issuer_name: str) -> Path:
    """An OB 3.0 badge signed by ``issuer`` (did:key: verifies with no network) for ``subject``."""
    credential = ob3_credential(issuer.did, subject=subject, id=f"urn:uuid:{uuid.uuid4()}", name=name)
    credential["credentialSubject"]["achievement"]["name"] = name
    credential["issuer"]["name"] = issuer_name
    path = folder / f"{name.lower().replace(' ', '-')}.json"
    path.write_text(json.dumps(issuer.sign(credential)), encoding="utf-8")
    return path


def import_file(page: Any, path: Path) -> None:
    navigate_to(page, "Import")
    wait_shown(page, "Import badges")
    upload_files(page, "Choose badge files", [path])


def open_badge(page: Any, name: str) -> None:
    navigate_to(page, "My badges")
    page.get_by_role("button", name=name).first.click()
    wait_shown(page, "What it certifies", timeout=30_000)


def wait_gone(page: Any, text: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while is_shown(page, text):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{text!r} is still shown after {timeout:.0f} s")
        time.sleep(0.25)


def screen_without_jargon(page: Any) -> str:
    texts = shown_texts(page)
    found = JARGON.search(texts)
    if found is not None:
        around = texts[max(0, found.start() - 80):found.end() + 80]
        raise AssertionError(f"a main screen shows {found.group(0)!r}: …{around}…")
    return texts


def test_a_badge_s_main_screen_says_the_graded_verdict_and_names_people_not_dids(
        page: Any, college: Signer, tmp_path: Path) -> None:
    from wallet.app.wording import LEARNER_NEXT_STEPS

    create_wallet(page, PASSPHRASE)
    did = wallet_did(page)
    import_file(page, badge_file(tmp_path, college, did, "Wound care basics", "Northside College"))
    wait_shown(page, f"Wound care basics added: {GENUINE}.", timeout=60_000)

    open_badge(page, "Wound care basics")
    wait_shown(page, f"Status: {GENUINE}")
    wait_shown(page, LEARNER_NEXT_STEPS[Grade.GENUINE])
    wait_shown(page, "name not confirmed by a trust list")
    scroll_to_shown(page, "Issued to")
    assert "You" in shown_texts(page).splitlines()  # the badge names this wallet's own DID
    signature = plain_check(CheckId.PROOF_SIGNATURE, "passed", "").headline
    scroll_to_shown(page, f"{signature}: Passed")
    screen_without_jargon(page)
    for _ in range(40):  # every part of the screen, top to bottom, as a learner scrolls it
        page.mouse.wheel(0, 300)
        screen_without_jargon(page)
        if is_shown(page, "Delete badge"):
            break

    # the check's technical detail: the engine's own message and the check id, behind "Details"
    scroll_to_shown(page, f"{signature}: Passed")
    page.mouse.wheel(0, 250)  # clear of the screen's edge, where a click can miss
    time.sleep(0.5)
    click(page, "button", f"Details: {signature}")
    wait_shown(page, f"Check id: {CheckId.PROOF_SIGNATURE}")
    click(page, "button", f"Hide details: {signature}")
    wait_gone(page, f"Check id: {CheckId.PROOF_SIGNATURE}")

    # the identifiers are there for whoever asks: under "Technical details"
    scroll_to_shown(page, "Technical details")
    click(page, "button", "Technical details")
    scroll_to_shown(page, did)
    scroll_to_shown(page, college.did)


def test_a_trust_list_naming_the_issuer_grades_its_badges_trusted(
        page: Any, college: Signer, tmp_path: Path) -> None:
    trust = tmp_path / "trust-list.json"
    trust.write_text(json.dumps({"meta": {"name": "Care sector issuers"},
                                 "registry": {college.did: {"name": "Northside College"}}}), encoding="utf-8")
    navigate_to(page, "Settings")
    scroll_to_shown(page, "Choose trust list file")
    upload_files(page, "Choose trust list file", [trust])
    wait_shown(page, "Care sector issuers", timeout=30_000)

    did = wallet_did(page)
    import_file(page, badge_file(tmp_path, college, did, "Safe moving and handling", "Northside College"))
    wait_shown(page, f"Safe moving and handling added: {TRUSTED}.", timeout=60_000)
    stranger = ed25519_signer()  # an issuer the list does not name: still only genuine
    import_file(page, badge_file(tmp_path, stranger, did, "Fire safety awareness", "Riverside Training"))
    wait_shown(page, f"Fire safety awareness added: {GENUINE}.", timeout=60_000)

    navigate_to(page, "My badges")
    trusted = page.get_by_role("button", name="Safe moving and handling").first
    trusted.wait_for(timeout=15_000)
    wait_shown(page, TRUSTED)
    assert TRUSTED in (trusted.get_attribute("aria-label") or trusted.inner_text())
    other = page.get_by_role("button", name="Fire safety awareness").first
    assert GENUINE in (other.get_attribute("aria-label") or other.inner_text())

    open_badge(page, "Safe moving and handling")
    wait_shown(page, f"Status: {TRUSTED}")
    wait_shown(page, "on your trust list")


def test_the_share_screen_and_its_history_say_who_when_and_how(page: Any, verifier_service: str) -> None:  # noqa: F811
    navigate_to(page, "Share")
    wait_shown(page, "1. Choose badges")
    page.get_by_role("checkbox", name="Wound care basics").first.click()
    wait_shown(page, "presented by you, signed with this wallet's key")
    wait_shown(page, "issued to you")
    texts = screen_without_jargon(page)
    assert "“Wound care basics” from Northside College" in texts

    type_until_held(page, "Who is it for?", "Maple Grove Care Home")
    click(page, "button", "Show QR code")
    wait_shown(page, "Show this QR code to Maple Grove Care Home", timeout=60_000)
    click(page, "button", "Done")
    scroll_to_shown(page, "A QR code cannot be withdrawn once shown")
    history = shown_texts(page)
    assert re.search(f"QR code for Maple Grove Care Home, {WHEN}", history), history
    assert not is_shown(page, "Unshare with Maple Grove Care Home")

    navigate_to(page, "Settings")
    scroll_to_shown(page, "Verifier address")
    point_share_links_at(page, verifier_service)
    navigate_to(page, "Share")
    wait_shown(page, "1. Choose badges")
    tick(page, "Wound care basics")
    wait_shown(page, "presented by you")
    type_until_held(page, "Who is it for?", "Acme Care")
    click(page, "button", "Share as a link")
    wait_shown(page, "Link for Acme Care ready", timeout=60_000)
    click(page, "button", "Done with the link")
    scroll_to_shown(page, "Unshare with Acme Care")  # a link kept on the relay can be withdrawn
    history = shown_texts(page)
    assert re.search(f"Link for Acme Care, {WHEN}, until {WHEN}", history), history
