"""The wallet's Pathways screen with unearned parts, in the real app in headless Chromium: two of
the Health Care Support Worker pathway's badges redeemed from the issuer stub's offers, the
pathway document fetched from the stub, every part shown (2 of 5), the credits, what is next and
where to earn the rest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.stub_server import Stub
from tests.ui.ui_driver import (
    DESKTOP,
    PHONE,
    RunningApp,
    click,
    collect_offer,
    create_wallet,
    navigate_to,
    nudge,
    open_app,
    scroll_to_shown,
    shown,
    steady_screenshot,
    wait_shown,
)

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"


@pytest.fixture(scope="module")
def page(app: RunningApp, browser: Any) -> Iterator[Any]:
    opened = open_app(browser, app.url, DESKTOP)
    yield opened
    opened.context.close()


def _redeem(page: Any, stub: Stub, slug: str, name: str) -> None:
    answer = stub.http.post("/api/offers", json={"achievement": slug})
    assert answer.status_code == 201, answer.text
    collect_offer(page, answer.json()["credential_offer_uri"], f"{name} added")


def test_two_badges_of_the_pathway_redeemed_from_the_issuers_offers(page: Any, stub: Stub) -> None:
    create_wallet(page, "meadow lantern copper violin")
    navigate_to(page, "Import")
    _redeem(page, stub, "donning-doffing-ppe", "Donning and doffing PPE")
    _redeem(page, stub, "healthy-menus", "Preparing healthy menus")


def test_pathways_shows_every_part_earned_or_not_with_credits_and_where_to_earn(page: Any, stub: Stub) -> None:
    navigate_to(page, "Pathways")
    wait_shown(page, "Health Care Support Worker certificate", timeout=60_000)
    wait_shown(page, "In progress: 2 of 5 parts earned")
    wait_shown(page, "Credits: 1.5 of 5 credits earned")
    wait_shown(page, "Next: Wound care basics, Safe client transfers and mobility")
    scroll_to_shown(page, "Donning and doffing PPE: earned, 0.5 credits. Open badge")
    for part in ("Wound care basics: not earned yet, 0.5 credits", "Safe client transfers and mobility: not earned yet",
                 "Supervised clinical placement: not earned yet, 2 credits"):
        scroll_to_shown(page, part)
    scroll_to_shown(page, "When complete, it certifies:")
    # "where to earn it" is the issuer's own page for the part
    with page.context.expect_page() as opened:
        nudge(page)
        page.get_by_role("button", name="Where to earn it").or_(page.get_by_role("link", name="Where to earn it")) \
            .first.click()
    earn = opened.value
    earn.wait_for_load_state()
    assert earn.url == stub.base + "/earn/wound-care-basics"
    assert "Wound care basics" in earn.content() and "Health Care Support Worker certificate" in earn.content()
    earn.close()


def _to_top(page: Any, text: str) -> None:
    scroll_to_shown(page, text)
    size = page.viewport_size
    for _ in range(6):
        nudge(page)
        box = shown(page, text).bounding_box()
        if box is None or abs(box["y"] - 110) < 40:
            return
        page.mouse.move(size["width"] * 0.6, size["height"] * 0.5)
        page.mouse.wheel(0, box["y"] - 110)
        page.wait_for_timeout(400)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_pathways_screenshots(page: Any, size: str) -> None:
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    navigate_to(page, "Pathways")
    wait_shown(page, "In progress: 2 of 5 parts earned", timeout=30_000)
    _to_top(page, "Health Care Support Worker certificate")
    steady_screenshot(page, SCREENSHOTS / f"wallet-{size}-pathways.png")


def test_an_earned_part_opens_its_badge(page: Any) -> None:
    page.set_viewport_size(DESKTOP)
    navigate_to(page, "Pathways")
    scroll_to_shown(page, "Donning and doffing PPE: earned, 0.5 credits. Open badge")
    click(page, "button", "Donning and doffing PPE: earned, 0.5 credits. Open badge")
    wait_shown(page, "What it certifies", timeout=30_000)
