"""Fixtures for the verifier app's UI tests: ``satchel-verifier app --web`` as its own process group
on a free loopback port, with a fresh data directory and the issuer stub's sample documents
(``--documents web.json``), so every check runs offline. Browser helpers come from ``ui_driver``."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["RunningVerifier", "open_verifier", "page", "running_verifier", "tab_on", "verifier_app"]

from tests.ui.ui_driver import DESKTOP, RunningApp, free_port, keep_loopback_only, open_app, running_process

RunningVerifier = RunningApp  # url, home, process, log()


@contextlib.contextmanager
def running_verifier(home: Path, *, documents: Path | None = None,
                     extra_args: list[str] | None = None) -> Iterator[RunningApp]:
    """``satchel-verifier app --web`` (ui_driver's launcher: own process group, killed with it)."""
    port = free_port()
    argv = [sys.executable, "-m", "verifier.cli", "app", "--web", "--port", str(port)]
    if documents is not None:
        argv += ["--documents", str(documents)]
    argv += extra_args or []
    with running_process(argv, port, home, env={"SATCHEL_VERIFIER_HOME": str(home)},
                         log_name="verifier-app") as running:
        yield running


@pytest.fixture(scope="module")
def verifier_app(tmp_path_factory: pytest.TempPathFactory, issuer_samples: Path) -> Iterator[RunningVerifier]:
    home = tmp_path_factory.mktemp("verifier-home")
    with running_verifier(home, documents=issuer_samples / "web.json") as running:
        yield running


@contextlib.contextmanager
def tab_on(browser: Any, url: str, opener: Callable[[Any, str], Any] = open_app) -> Iterator[Any]:
    """A fresh desktop-size tab at ``url``, closed with its browser context afterwards."""
    tab = opener(browser, url)
    try:
        yield tab
    finally:
        tab.context.close()


@pytest.fixture
def page(browser: Any, verifier_app: RunningVerifier) -> Iterator[Any]:
    """A fresh tab on the verifier at desktop size (tests resize it for the phone layout)."""
    with tab_on(browser, verifier_app.url) as tab:
        yield tab


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
