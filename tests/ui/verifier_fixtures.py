"""Fixtures for the verifier app's UI tests: ``satchel-verifier app --web`` as its own process group
on a free loopback port, with a fresh data directory and the issuer stub's sample documents
(``--documents web.json``), so every check runs offline. Browser helpers come from ``ui_driver``."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

__all__ = ["RunningVerifier", "open_verifier", "page", "running_verifier", "verifier_app"]

from collections.abc import Callable

from tests.ui.ui_driver import DESKTOP, REPO, free_port, keep_loopback_only, open_app, wait_for_port


@dataclass
class RunningVerifier:
    url: str
    home: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def running_verifier(home: Path, *, documents: Path | None = None,
                     extra_args: list[str] | None = None) -> Iterator[RunningVerifier]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update({"SATCHEL_VERIFIER_HOME": str(home), "FLET_WEB_NO_CDN": "1", "PYTHONUNBUFFERED": "1"})
    argv = [sys.executable, "-m", "verifier.cli", "app", "--web", "--port", str(port)]
    if documents is not None:
        argv += ["--documents", str(documents)]
    argv += extra_args or []
    log_path = home.parent / f"verifier-app-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        wait_for_port(port, process)
        yield RunningVerifier(f"http://127.0.0.1:{port}/", home, process, log_path)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def verifier_app(tmp_path_factory: pytest.TempPathFactory, issuer_samples: Path) -> Iterator[RunningVerifier]:
    home = tmp_path_factory.mktemp("verifier-home")
    with running_verifier(home, documents=issuer_samples / "web.json") as running:
        yield running


@pytest.fixture
def page(browser: Any, verifier_app: RunningVerifier) -> Iterator[Any]:
    """A fresh tab on the verifier at desktop size (tests resize it for the phone layout)."""
    tab = open_app(browser, verifier_app.url, DESKTOP)
    try:
        yield tab
    finally:
        tab.context.close()


def open_verifier(browser: Any, url: str, viewport: dict[str, int] = DESKTOP, *, init_script: str | None = None,
                  before: Callable[[Any], Any] | None = None) -> Any:
    """A fresh tab at ``url`` (which may carry a share link's fragment), with ``init_script`` run
    before the app's own scripts and ``before(page)`` called before it navigates (listeners)."""
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    if init_script:
        context.add_init_script(init_script)
    tab = context.new_page()
    keep_loopback_only(tab)
    if before is not None:
        before(tab)
    tab.goto(url)
    tab.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=45_000)
    tab.locator("flt-semantics-placeholder").evaluate("e => e.click()")  # accessibility tree on
    return tab
