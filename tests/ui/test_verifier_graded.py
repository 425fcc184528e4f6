"""The graded verdict in the verifier app (issue 17): a verifier started with a trust list that
names the issuer stub shows the stub's badge as "Genuine, from an issuer you trust"; the same kind
of badge (Open Badge 3.0, signed and intact) from an issuer not on that list shows "Genuine, issuer
not on your list" with its next step. Each check reads as a plain headline, its technical detail
behind "Details"; the learner is shown by name or said to have none, never as a DID on the main
screen. Screenshots for a person in build/screenshots/verifier/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from credentials import GRADE_WORDS, Grade
from tests.helpers import ed25519_signer, ob3_credential
from tests.ui.ui_driver import (
    DESKTOP,
    PHONE,
    REPO,
    RunningApp,
    click,
    is_shown,
    scroll_to_shown,
    steady_screenshot,
    type_into,
    wait_shown,
)
from tests.ui.verifier_fixtures import open_verifier, running_verifier, tab_on

STUB_ISSUER = "did:web:127.0.0.1%3A8765"  # the issuer `satchel-issuer sample` names
SHOTS = REPO / "build" / "screenshots" / "verifier"
FIELD = "Link, JSON or JWT"


@pytest.fixture(scope="module")
def trusting_verifier(tmp_path_factory: pytest.TempPathFactory, issuer_samples: Path) -> Iterator[RunningApp]:
    home = tmp_path_factory.mktemp("verifier-trust")
    trust = home / "care-registry.json"
    trust.write_text(json.dumps({"meta": {"name": "Care sector registry"},
                                 "registry": {STUB_ISSUER: {"name": "Riverside Community College",
                                                            "location": "Riverside"}}}))
    with running_verifier(home, documents=issuer_samples / "web.json",
                          extra_args=["--trust", str(trust)]) as running:
        yield running


@pytest.fixture
def tab(browser: Any, trusting_verifier: RunningApp) -> Iterator[Any]:
    with tab_on(browser, trusting_verifier.url, open_verifier) as page:
        yield page


def _check(page: Any, text: str) -> None:
    wait_shown(page, "Check a credential")
    type_into(page, FIELD, text)
    click(page, "button", "Check", exact=True)


def test_a_badge_from_an_issuer_on_the_trust_list_is_genuine_from_an_issuer_you_trust(
        tab: Any, issuer_samples: Path) -> None:
    _check(tab, (issuer_samples / "ob3-v2-eddsa-rdfc-2022.json").read_text())
    trusted = GRADE_WORDS[Grade.TRUSTED]
    wait_shown(tab, f"Result: {trusted.headline}")
    for text in (trusted.explanation, f"What to do: {trusted.next_step}", "Checked: ‘Donning and doffing PPE’",
                 "On your trust list", "No name given: known only by a digital key"):
        wait_shown(tab, text, timeout=5_000)
    assert not is_shown(tab, "did:")  # nobody shown as a DID on the main screen
    assert not is_shown(tab, GRADE_WORDS[Grade.GENUINE].headline)
    steady_screenshot(tab, SHOTS / "desktop-result-trusted.png")
    scroll_to_shown(tab, "Signature intact: it has not been changed since it was signed")
    assert not is_shown(tab, "eddsa-rdfc-2022")  # the suite is in the check's Details, folded away
    assert not is_shown(tab, "Not applicable")


def test_the_same_kind_of_badge_from_an_issuer_not_on_the_list_is_genuine_with_its_next_step(
        browser: Any, trusting_verifier: RunningApp) -> None:
    stranger = ed25519_signer()
    badge = json.dumps(stranger.sign(ob3_credential(stranger.did, subject="did:example:learner")))
    genuine = GRADE_WORDS[Grade.GENUINE]
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page = open_verifier(browser, trusting_verifier.url, size)
        try:
            _check(page, badge)
            wait_shown(page, f"Result: {genuine.headline}")
            wait_shown(page, f"What to do: {genuine.next_step}", timeout=5_000)
            wait_shown(page, "Checked: ‘Wound care basics’ from Northside College", timeout=5_000)
            assert not is_shown(page, GRADE_WORDS[Grade.TRUSTED].headline)
            assert not is_shown(page, "Verified")  # no big "Verified" beside a name nobody vouches for
            steady_screenshot(page, SHOTS / f"{size_name}-result-genuine.png")
            scroll_to_shown(page, "Not on your trust list")
            assert not is_shown(page, "did:key:")
        finally:
            page.context.close()
