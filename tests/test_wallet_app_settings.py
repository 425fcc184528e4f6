"""The app's services take their settings from ``WalletSettings`` (read once where the app starts),
never from the environment, and write the learner's preferences whole (temp file, then replace)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from wallet.app.services import WalletServices
from wallet.app.state import FIRST_RUN, AppState
from wallet.settings import WalletSettings


class OfflineNetwork:
    """A network that is never used by what these tests do."""

    def client(self) -> None:
        return None

    def new_fetcher(self) -> Any:
        raise AssertionError("no fetch expected")

    def import_service(self, store: Any, trust: Any = None) -> Any:
        raise AssertionError("no wallet is opened here")

    def forget_wallet(self) -> None:
        pass

    def fetch_image(self, url: str) -> bytes | None:
        return None

    def close(self) -> None:
        pass


def services_for(settings: WalletSettings) -> WalletServices:
    return WalletServices(AppState(), settings, OfflineNetwork())


def test_the_settings_give_the_default_verifier_and_the_auto_lock_override(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SATCHEL_VERIFIER_URL", "https://ignored.example")  # only the settings object counts
    monkeypatch.setenv("SATCHEL_AUTOLOCK_SECONDS", "99")
    services = services_for(WalletSettings(home=tmp_path, verifier_url="https://verify.example.org",
                                           autolock_seconds=2.5))
    assert services.state.settings.verifier_url == "https://verify.example.org"
    assert services.autolock_seconds == 2.5
    assert services.state.session.phase == FIRST_RUN
    assert services_for(WalletSettings(home=tmp_path)).autolock_seconds == 5 * 60.0


def test_a_saved_verifier_address_wins_over_the_default_and_is_written_whole(tmp_path: Path) -> None:
    services = services_for(WalletSettings(home=tmp_path, verifier_url="https://default.example"))
    assert asyncio.run(services.set_verifier_url("https://college.example/ ")) is True
    services.set_autolock_minutes(15)
    prefs = json.loads((tmp_path / "app-settings.json").read_text(encoding="utf-8"))
    assert prefs == {"verifier_url": "https://college.example", "autolock_minutes": 15}
    assert [p.name for p in tmp_path.iterdir()] == ["app-settings.json"]  # no temporary file left behind
    again = services_for(WalletSettings(home=tmp_path, verifier_url="https://default.example"))
    assert again.state.settings.verifier_url == "https://college.example"
    assert again.state.settings.autolock_minutes == 15


def test_a_verifier_address_with_a_query_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    services = services_for(WalletSettings(home=tmp_path))
    assert asyncio.run(services.set_verifier_url("https://verify.example.org/?x=1")) is False
    assert "no ?query" in services.state.settings.error
    assert not (tmp_path / "app-settings.json").exists()
