"""The verifier never shows a result for anything but what was just submitted (issue 17, the stale
verdict): two Chromium tabs on one verifier app, pasting fast, a revoked badge right after a valid
one. Each tab must end on Problem for the revoked badge, named by the fingerprint of what was pasted,
and at no step after that paste show the earlier badge's genuine result.

The stub's valid and revoked samples are the same badge (same name, same issuer): only the
fingerprint of the input (``verifier.history.fingerprint_of``) tells the two results apart, so the
test reads it from the screen, as a person would.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.ui.ui_driver import (
    DESKTOP,
    PHONE,
    REPO,
    into_view,
    is_shown,
    navigate_to,
    nudge,
    steady_screenshot,
    type_into,
    wait_shown,
)
from tests.ui.verifier_fixtures import *  # noqa: F403 - the fixtures: verifier_app
from tests.ui.verifier_fixtures import open_verifier
from verifier.history import fingerprint_of

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # conftest skips the UI tests without a browser
    PlaywrightTimeout = TimeoutError  # type: ignore[misc,assignment]

FIELD = "Link, JSON or JWT"
GENUINE = "Result: Genuine"
PROBLEM = "Result: Problem"
SHOTS = REPO / "build" / "screenshots" / "verifier"


def submit_fast(page: Any, text: str, *, careful: bool = False) -> bool:
    """A person in a hurry: into the field, select all, paste, Check, with no pause anywhere
    (``careful``: the driver's own typing, which lets each step land). False when Check stayed
    disabled: the paste never reached the app (the field on the canvas missed the click, or the
    text is still on its way), and so nothing at all may be checked."""
    box = page.get_by_role("textbox", name=FIELD).first
    if careful:
        type_into(page, FIELD, text)
    else:
        into_view(page, box)
        box.click()
        page.keyboard.press("Control+A")
        page.keyboard.press("Backspace")
        page.keyboard.insert_text(text)
    nudge(page)
    try:
        page.get_by_role("button", name="Check", exact=True).first.click(timeout=4_000)
    except PlaywrightTimeout:
        return False
    return True


def submit(page: Any, text: str) -> None:
    """Fast first, then carefully until the app has the text."""
    for attempt in range(4):
        if submit_fast(page, text, careful=attempt > 0):
            return
    raise AssertionError("the paste never reached the app")


def on_scan_screen(page: Any) -> None:
    navigate_to(page, "Scan")
    wait_shown(page, "Check a credential")
    deadline = time.monotonic() + 10
    while is_shown(page, "Result:"):  # the result screen has gone from the accessibility tree too
        assert time.monotonic() < deadline, "the result screen stayed after going to Scan"
        nudge(page)
        time.sleep(0.1)


def what_it_shows(page: Any, fingerprints: dict[str, str]) -> tuple[str, ...]:
    """The verdicts and the input fingerprints the accessibility tree shows right now."""
    nudge(page)
    shown = [word for word in (GENUINE, PROBLEM) if is_shown(page, word)]
    shown += [name for name, fp in fingerprints.items() if is_shown(page, f"input {fp}")]
    return tuple(shown)


def follow_to_problem(page: Any, revoked: str, fingerprints: dict[str, str],
                      *, seconds: float = 40) -> list[tuple[str, ...]]:
    """Every distinct state the tab shows after the revoked paste, until it shows Problem for it. A
    paste the field never took (headless Chromium under load can lose it) leaves the tab on the scan
    screen with nothing checked: it is pasted again, the careful way, and followed on."""
    steps: list[tuple[str, ...]] = []
    deadline = time.monotonic() + seconds
    retyped = False
    while time.monotonic() < deadline:
        state = what_it_shows(page, fingerprints)
        if not steps or steps[-1] != state:
            steps.append(state)
        if PROBLEM in state and "revoked" in state:
            return steps
        if not retyped and time.monotonic() > deadline - seconds * 0.75 and is_shown(page, "Check a credential"):
            retyped = True
            submit(page, revoked)
        time.sleep(0.1)
    raise AssertionError(f"never showed Problem for the revoked badge; it showed {steps}")


def test_two_tabs_pasting_fast_each_end_on_the_revoked_badge_and_never_on_the_earlier_result(
        browser: Any, verifier_app: Any, issuer_samples: Path) -> None:
    valid = (issuer_samples / "ob3-v2-eddsa-rdfc-2022.json").read_text()
    revoked = (issuer_samples / "ob3-v2-eddsa-rdfc-2022-revoked.json").read_text()
    fingerprints = {"valid": fingerprint_of(valid), "revoked": fingerprint_of(revoked)}
    assert fingerprints["valid"] != fingerprints["revoked"]
    tabs = [open_verifier(browser, verifier_app.url, PHONE), open_verifier(browser, verifier_app.url, DESKTOP)]
    try:
        for tab in tabs:
            wait_shown(tab, "Check a credential")
        for _round in range(3):
            for tab in tabs:  # both tabs paste the valid badge, one straight after the other
                submit(tab, valid)
            for tab in tabs:
                wait_shown(tab, GENUINE)
                wait_shown(tab, f"input {fingerprints['valid']}")
                assert not is_shown(tab, PROBLEM)
            for tab in tabs:
                on_scan_screen(tab)
            for tab in tabs:  # then the revoked one, pasted at once on both
                submit_fast(tab, revoked)
            for tab in tabs:
                steps = follow_to_problem(tab, revoked, fingerprints)
                # from the revoked paste on, no step showed a genuine result or the earlier input
                assert all(GENUINE not in step and "valid" not in step for step in steps), steps
                assert steps[-1] == (PROBLEM, "revoked"), steps
            for tab in tabs:
                on_scan_screen(tab)
                # the field starts empty: the checked text is used up, it cannot be sent again unseen
                assert tab.get_by_role("textbox", name=FIELD).first.input_value() == ""
        submit(tabs[0], revoked)
        wait_shown(tabs[0], PROBLEM)
        steady_screenshot(tabs[0], SHOTS / "phone-stale-result-problem.png")
    finally:
        for tab in tabs:
            tab.context.close()
