"""The learner's first session, end to end in the real app: create the wallet, import badges the
issuer stub issues (a file and an OpenID4VCI offer), read the checks, check again, lock, unlock."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from credentials import GRADE_WORDS, CheckId, Grade, plain_check
from tests.stub_server import Stub
from tests.ui.ui_driver import (
    DESKTOP,
    RunningApp,
    click,
    collect_offer,
    is_shown,
    open_app,
    scroll_to_shown,
    type_into,
    type_until_held,
    upload_files,
    wait_shown,
)

PASSPHRASE = "meadow lantern copper violin"
GENUINE = GRADE_WORDS[Grade.GENUINE].headline  # the stub's issuer is on no trust list here


def headline(check: CheckId) -> str:
    """A passed check's plain headline, in the engine's words (the wallet shows those)."""
    return plain_check(check, "passed", "").headline


@pytest.fixture(scope="module")
def page(app: RunningApp, browser: Any) -> Iterator[Any]:
    opened = open_app(browser, app.url, DESKTOP)
    yield opened
    opened.context.close()


def write_issued(stub: Stub, folder: Path, achievement: str, form: str = "ob3-v2-eddsa-rdfc-2022") -> Path:
    issued = stub.issue(form, achievement)
    if "contentBase64" in issued:
        path = folder / f"{achievement}.png"
        path.write_bytes(base64.b64decode(issued["contentBase64"]))
    else:
        credential = issued["credential"]
        path = folder / f"{achievement}.json"
        path.write_text(credential if isinstance(credential, str) else json.dumps(credential), encoding="utf-8")
    return path


def test_first_run_gives_passphrase_strength_feedback_and_creates_the_wallet(page: Any, app: RunningApp) -> None:
    wait_shown(page, "Create your wallet")
    type_into(page, "New passphrase", "abc")
    wait_shown(page, "Passphrase strength: Too weak")
    type_into(page, "New passphrase", PASSPHRASE)
    wait_shown(page, "Passphrase strength: Strong")
    type_into(page, "Repeat the passphrase", PASSPHRASE)
    click(page, "button", "Create wallet")
    wait_shown(page, "No badges yet", timeout=60_000)
    assert (app.home / "wallet.satchel").is_file()


def test_import_a_badge_file_issued_by_the_stub(page: Any, stub: Stub, tmp_path: Path) -> None:
    badge = write_issued(stub, tmp_path, "wound-care-basics")
    click(page, "button", "Import a badge")
    wait_shown(page, "Import badges")
    upload_files(page, "Choose badge files", [badge])
    wait_shown(page, f"Wound care basics added: {GENUINE}.", timeout=60_000)


def test_batch_import_shows_progress_and_every_outcome(page: Any, stub: Stub, tmp_path: Path) -> None:
    files = [write_issued(stub, tmp_path, "healthy-menus"), write_issued(stub, tmp_path, "psw-foundations"),
             tmp_path / "notes.txt"]
    files[-1].write_text("not a badge at all", encoding="utf-8")
    upload_files(page, "Choose badge files", files)
    wait_shown(page, "Finished: 3 of 3", timeout=90_000)
    wait_shown(page, f"Preparing healthy menus added: {GENUINE}.")
    wait_shown(page, "not a credential Satchel can read")


def test_redeem_an_issuer_offer(page: Any, stub: Stub) -> None:
    answer = stub.http.post("/api/offers", json={"achievement": "donning-doffing-ppe"})
    assert answer.status_code == 201, answer.text
    collect_offer(page, answer.json()["credential_offer_uri"], f"Donning and doffing PPE added: {GENUINE}.")


def test_my_badges_lists_cards_with_status_and_search_filters_them(page: Any) -> None:
    click(page, "button", "My badges")
    wait_shown(page, "4 badges")
    card = page.get_by_role("button", name="Wound care basics").first
    card.wait_for(timeout=15_000)
    assert GENUINE in (card.get_attribute("aria-label") or card.inner_text())
    type_until_held(page, "Search badges", "menus")
    wait_shown(page, "1 of 4 badges")
    assert page.get_by_role("button", name="Wound care basics").count() == 0
    type_until_held(page, "Search badges", "")
    wait_shown(page, "4 badges")


def test_pathways_show_progress_toward_the_stacked_certificate(page: Any) -> None:
    click(page, "button", "Pathways")
    wait_shown(page, "Personal Support Worker foundations")
    wait_shown(page, "2 of 2 parts earned")


def test_detail_shows_what_the_badge_certifies_and_the_checks(page: Any) -> None:
    click(page, "button", "My badges")
    page.get_by_role("button", name="Wound care basics").first.click()
    wait_shown(page, "What it certifies")
    wait_shown(page, f"Status: {GENUINE}")
    scroll_to_shown(page, "name not confirmed by a trust list")
    scroll_to_shown(page, f"{headline(CheckId.PROOF_SIGNATURE)}: Passed")
    scroll_to_shown(page, f"{headline(CheckId.STATUS_REVOCATION)}: Passed")
    scroll_to_shown(page, "Check again")
    click(page, "button", "Check again")
    wait_shown(page, f"Checked again just now: {GENUINE}.", timeout=60_000)


def test_revoked_badge_says_so_in_plain_words_after_checking_again(page: Any, stub: Stub) -> None:
    # the badge imported first is revoked at the issuer; "check again" must notice
    listed = stub.http.get("/api/credentials").json()
    items = listed if isinstance(listed, list) else listed.get("credentials", [])
    wound = next(c for c in items if "wound-care-basics" in json.dumps(c))
    stub.act(wound["id"], "revoke")
    scroll_to_shown(page, "Check again")
    click(page, "button", "Check again")
    wait_shown(page, "The issuer has withdrawn (revoked) this badge.", timeout=60_000)
    wait_shown(page, f"Status: {GRADE_WORDS[Grade.PROBLEM].headline}")


def test_lock_and_unlock(page: Any, app: RunningApp, tmp_path: Path) -> None:
    click(page, "button", "Lock wallet")
    wait_shown(page, "Your wallet is locked.")
    type_into(page, "Passphrase", "not the passphrase")
    click(page, "button", "Unlock")
    wait_shown(page, "That passphrase is not right", timeout=60_000)
    type_into(page, "Passphrase", PASSPHRASE)
    click(page, "button", "Unlock")
    wait_shown(page, "Wound care basics", timeout=60_000)  # back on the badge it showed before locking
    click(page, "button", "My badges")
    wait_shown(page, "4 badges")
    assert not is_shown(page, "Your wallet is locked.")
