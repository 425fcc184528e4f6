"""A check's result belongs to its submission (issue 17, the stale verdict): the verifier app's
services run each check off the UI loop and show its result only while it is the latest submission;
a checked paste is used up. Real engine, real history file, the stub's sample credentials; the only
thing held back is when the first check may finish (a gate, so the order is not left to timing)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from verifier.app.engine import VerifierEngine
from verifier.app.services import VerifierServices
from verifier.app.settings import AppSettings
from verifier.app.state import RESULT, SCAN, TabState
from verifier.history import Entry, fingerprint_of


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from issuer_stub.cli import main as issuer_main

    out = tmp_path_factory.mktemp("samples")
    assert issuer_main(["sample", "--out", str(out)]) == 0
    return out


class GatedEngine(VerifierEngine):
    """The real engine; a check of ``held`` text waits for ``gate`` before it starts."""

    def __init__(self, settings: AppSettings, held: str) -> None:
        super().__init__(settings)
        self.held, self.gate = held, threading.Event()

    def verify_text(self, text: str, source: str, *, offline: bool | None = None) -> Entry:
        if text == self.held:
            assert self.gate.wait(30)
        return super().verify_text(text, source, offline=offline)


async def _until(condition: object, what: str) -> None:
    for _ in range(600):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


def _services(tmp_path: Path, samples: Path, held: str) -> tuple[VerifierServices, GatedEngine]:
    settings = AppSettings(home=tmp_path / "home", documents=str(samples / "web.json"))
    engine = GatedEngine(settings, held)
    return VerifierServices(TabState(), engine), engine


def test_a_slow_earlier_check_never_replaces_the_result_of_a_later_one(tmp_path: Path, samples: Path) -> None:
    valid = (samples / "ob3-v2-eddsa-rdfc-2022.json").read_text()
    revoked = (samples / "ob3-v2-eddsa-rdfc-2022-revoked.json").read_text()
    services, engine = _services(tmp_path, samples, held=valid)
    state = services.state

    async def scenario() -> None:
        services.check_text(valid)  # held at the gate
        assert state.scan.busy == "Checking…" and state.shell.screen == SCAN  # the screen stays live
        services.check_text(revoked)
        await _until(lambda: state.result.entry is not None, "the revoked badge's result")
        entry = state.result.entry
        assert entry is not None and entry.grade == "problem"
        assert entry.facts.fingerprint == fingerprint_of(revoked)
        engine.gate.set()  # now the valid badge's check finishes, late
        await _until(lambda: engine.history.count() == 2, "the late check recorded")
        await asyncio.sleep(0.3)
        shown = state.result.entry
        assert shown is not None and shown.id == entry.id and shown.grade == "problem"  # still the revoked one
        assert state.shell.screen == RESULT
        late = [e for e in engine.history.list() if e.id != entry.id]
        assert late[0].grade == "genuine" and late[0].facts.fingerprint == fingerprint_of(valid)  # in the history

    try:
        asyncio.run(scenario())
    finally:
        engine.close()


def test_a_checked_paste_is_used_up_and_an_empty_check_checks_nothing(tmp_path: Path, samples: Path) -> None:
    valid = (samples / "ob3-v2-eddsa-rdfc-2022.json").read_text()
    services, engine = _services(tmp_path, samples, held="")
    state = services.state

    async def scenario() -> None:
        services.set_pasted(valid)
        services.check_pasted()
        await _until(lambda: state.result.entry is not None, "the result")
        assert state.scan.pasted == ""  # the next Check can only send what is pasted after this
        services.go(SCAN)
        services.check_pasted()  # the field's new text never arrived: nothing is checked
        await asyncio.sleep(0.3)
        assert state.shell.screen == SCAN and "Nothing was given" in state.scan.message
        assert engine.history.count() == 1

    try:
        asyncio.run(scenario())
    finally:
        engine.close()


def test_a_result_shown_meanwhile_overtakes_a_running_check(tmp_path: Path, samples: Path) -> None:
    """Opening an entry from the history while a check runs: the check's result does not jump over it."""
    valid = (samples / "ob3-v2-eddsa-rdfc-2022.json").read_text()
    services, engine = _services(tmp_path, samples, held=valid)
    state = services.state
    old = engine.history.add(engine.check(engine.read_text(
        (samples / "ob3-v2-eddsa-rdfc-2022-revoked.json").read_text())), "paste")

    async def scenario() -> None:
        services.check_text(valid)
        services.open_entry(old.id)
        engine.gate.set()
        await _until(lambda: engine.history.count() == 2, "the running check recorded")
        await asyncio.sleep(0.3)
        assert state.result.entry is not None and state.result.entry.id == old.id

    try:
        asyncio.run(scenario())
    finally:
        engine.close()
