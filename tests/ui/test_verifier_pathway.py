"""The verifier app shows a shared CLR's stack: the issuer stub's progress record on the Health Care
Support Worker pathway (2 of its 5 parts earned) pasted into the real app in headless Chromium,
every document it needs answered offline from the stub's own files (``--documents web.json``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from issuer_stub.issuer import CLR_FORM, Issuer
from issuer_stub.sample import write_documents
from issuer_stub.state import State
from tests.ui.ui_driver import (
    DESKTOP,
    PHONE,
    click,
    nudge,
    open_app,
    scroll_to_shown,
    steady_screenshot,
    type_into,
    wait_shown,
)
from tests.ui.verifier_fixtures import running_verifier

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
LEARNER = "did:example:hcsw-learner"


@pytest.fixture(scope="module")
def progress_record(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Two parts issued to the learner, then the CLR of the pathway; the documents to check it offline."""
    out = tmp_path_factory.mktemp("pathway-issuer")
    issuer = Issuer(State(str(out / "state.sqlite3")))
    for slug in ("donning-doffing-ppe", "healthy-menus"):
        issuer.issue(slug, "ob3-v2-eddsa-rdfc-2022", LEARNER)
    _, clr = issuer.issue("hcsw-certificate", CLR_FORM, LEARNER)
    write_documents(issuer, out)
    return out / "web.json", json.dumps(clr.credential)


@pytest.fixture(scope="module")
def verifier_url(tmp_path_factory: pytest.TempPathFactory, progress_record: tuple[Path, str]) -> Iterator[str]:
    with running_verifier(tmp_path_factory.mktemp("verifier-home"), documents=progress_record[0]) as running:
        yield running.url


def _pathway_in_view(page: Any, below_top: int) -> None:
    """Scrolls from the top down past the credential's own card, to the pathway card (for the picture;
    the accessibility tree holds nodes off screen, so it cannot tell where the card is painted)."""
    scroll_to_shown(page, "Back")  # from the top
    size = page.viewport_size
    page.mouse.move(size["width"] * 0.6, size["height"] * 0.5)
    for _ in range(below_top // 200):
        page.mouse.wheel(0, 200)
        page.wait_for_timeout(60)
    nudge(page)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_shared_clr_shows_every_part_of_its_pathway_earned_or_not(
        browser: Any, verifier_url: str, progress_record: tuple[Path, str], size: str) -> None:
    page = open_app(browser, verifier_url, DESKTOP if size == "desktop" else PHONE)
    try:
        wait_shown(page, "Link, JSON or JWT", timeout=45_000)
        type_into(page, "Link, JSON or JWT", progress_record[1])
        click(page, "button", "Check")
        wait_shown(page, "Health Care Support Worker certificate: learner record", timeout=90_000)
        scroll_to_shown(page, "In progress: 2 of 5 parts earned")
        wait_shown(page, "1.5 of 5 credits earned")
        for part in ("Donning and doffing PPE: earned", "Preparing healthy menus: earned"):
            scroll_to_shown(page, part)
        for part in ("Wound care basics: not earned yet", "Safe client transfers and mobility: not earned yet",
                     "Supervised clinical placement: not earned yet"):
            scroll_to_shown(page, part)
        scroll_to_shown(page, "Practises safely and professionally in a care setting")  # certified when complete
        _pathway_in_view(page, 1400 if size == "desktop" else 2000)
        steady_screenshot(page, SCREENSHOTS / f"verifier-{size}-clr-pathway.png")
    finally:
        page.context.close()
