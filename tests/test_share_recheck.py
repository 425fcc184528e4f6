"""Before a share, badges not checked for a while are checked again with their issuers
(``ImportService.recheck_before_sharing``), so a badge revoked since its last check is warned about in
the wallet, not refused by the verifier; offline, the last check stands. Real issuer stub on
127.0.0.1, real store, real status lists."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from credentials._net import Fetcher
from tests.helpers import PASSPHRASE, live_import_service
from tests.stub_server import Stub
from wallet.importer import RECHECK_BEFORE_SHARING, ImportService
from wallet.share.warnings import sharing_warnings
from wallet.store import Store

ROOT = Path(__file__).resolve().parents[1]
LATER = RECHECK_BEFORE_SHARING + timedelta(minutes=1)


class Clock:
    """The importer's clock: real time until the test moves it on (the stub dates its badges by real time, so a
    clock read before the badge was issued would find it not yet valid), then held there."""

    def __init__(self) -> None:
        self.held: datetime | None = None

    def move_on(self, by: timedelta) -> None:
        self.held = datetime.now(UTC) + by

    def __call__(self) -> datetime:
        return self.held or datetime.now(UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def live(store: Store, clock: Clock) -> Iterator[ImportService]:
    with live_import_service(store, clock) as service:
        yield service


def collected(live: ImportService, stub: Stub) -> tuple[str, str]:
    """A badge redeemed through the stub's offer (bound to the wallet's DID): record id, credential id."""
    offer = stub.http.post("/api/offers", json={"achievement": "healthy-menus"}).json()["credential_offer_uri"]
    outcome = live.redeem_offer(offer)
    assert outcome.id is not None and outcome.verdict == "valid", outcome
    credential = live_store(live).get_credential(outcome.id).credential
    assert credential is not None
    return outcome.id, str(credential["id"])  # the stub's list is not in issue order: ask the badge


def live_store(live: ImportService) -> Store:
    return live._store  # the store the service imports into


def test_a_badge_revoked_since_its_last_check_is_warned_about_before_sharing(
        store: Store, live: ImportService, stub: Stub, clock: Clock) -> None:
    rid, cid = collected(live, stub)
    stub.act(cid, "revoke")

    assert live.recheck_before_sharing([rid]) == []  # checked a moment ago: not asked again
    assert sharing_warnings(store, [rid]) == []

    clock.move_on(LATER)
    [outcome] = live.recheck_before_sharing([rid, rid])  # each badge once
    assert (outcome.id, outcome.verdict, outcome.problems) == (rid, "invalid", ("revoked",))
    summary = store.get_summary(rid)
    assert summary.verdict == "invalid" and summary.verified_at == clock()  # recorded: the list shows it too
    [warning] = sharing_warnings(store, [rid])
    assert warning.code == "revoked" and "“Preparing healthy menus” was withdrawn (revoked)" in warning.message


def test_offline_the_last_check_stands_and_is_not_overwritten(store: Store, live: ImportService, stub: Stub,
                                                             clock: Clock) -> None:
    rid, _ = collected(live, stub)
    before = store.get_summary(rid)
    offline = ImportService(store, lambda: Fetcher(None), clock=clock)  # no client: every fetch refused

    clock.move_on(LATER)
    [outcome] = offline.recheck_before_sharing([rid])
    assert outcome.verdict == "unverifiable" and "status-unknown" in outcome.problems
    after = store.get_summary(rid)
    assert (after.verdict, after.verified_at) == (before.verdict, before.verified_at) == ("valid", before.verified_at)
    assert sharing_warnings(store, [rid]) == []  # shown in an interview without a network, as last checked


def app_services(store: Store, importer: ImportService, tmp_path: Path) -> object:
    from wallet.app.services import WalletServices
    from wallet.app.state import AppState
    from wallet.settings import WalletSettings

    from .test_share_warnings import LoopbackNetwork

    services = WalletServices(AppState(), WalletSettings(home=tmp_path), LoopbackNetwork())
    services._store = store  # opened here, as Session.unlock would
    services._importer = importer
    return services


def test_the_app_checks_again_before_sharing_and_warns_then_lists_the_badge_as_revoked(
        store: Store, live: ImportService, stub: Stub, clock: Clock, tmp_path: Path) -> None:
    from wallet.app.services import WalletServices

    rid, cid = collected(live, stub)
    services = app_services(store, live, tmp_path)
    assert isinstance(services, WalletServices)
    share = services.state.share
    share.selected = [rid]
    assert asyncio.run(services.warn_before_sharing("qr")) is True  # in good standing: shared at once

    stub.act(cid, "revoke")
    clock.move_on(LATER)
    assert asyncio.run(services.warn_before_sharing("qr")) is False
    assert len(share.warnings) == 1 and "withdrawn (revoked)" in share.warnings[0]
    assert share.busy == ""  # the "Checking your badges…" line is gone once the check is done
    [card] = [c for c in services.state.badges.cards if c.id == rid]
    assert card.verdict == "invalid"  # the list shows it as a problem now, too


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SATCHEL_HOME": str(home), "SATCHEL_PASSPHRASE": PASSPHRASE}
    return subprocess.run([sys.executable, "-m", "wallet.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env=env, check=False)


def test_the_cli_checks_again_before_sharing_and_warns_on_stderr(tmp_path: Path, stub: Stub) -> None:
    home = tmp_path / "home"
    assert run_cli(home, "init").returncode == 0
    offer = stub.http.post("/api/offers", json={"achievement": "healthy-menus"}).json()["credential_offer_uri"]
    done = run_cli(home, "import", "--allow-loopback", "--offer", offer, "--json")
    assert done.returncode == 0, done.stderr
    [imported] = json.loads(done.stdout)
    shown = json.loads(run_cli(home, "show", imported["id"], "--json").stdout)
    stub.act(str(shown["credential"]["id"]), "revoke")

    shared = run_cli(home, "share", imported["id"], "--qr", str(tmp_path / "qr.png"), "--allow-loopback")
    assert shared.returncode == 0, shared.stderr  # warned, not refused: the learner may share knowingly
    assert "warning: “Preparing healthy menus” was withdrawn (revoked)" in shared.stderr
    listed = run_cli(home, "list", "--json")
    assert '"invalid"' in listed.stdout, listed.stdout  # the re-check was recorded
