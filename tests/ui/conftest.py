"""UI tests: the real app (``python -m wallet.app --web``) in headless Debian Chromium.

Each module gets a fresh SATCHEL_HOME and its own app process group on a free loopback port;
every browser request not to 127.0.0.1 is aborted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.ui_driver import CHROMIUM, CHROMIUM_FLAGS, RunningApp, running_app

if not CHROMIUM.exists():
    pytest.skip(f"UI tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    home = tmp_path_factory.mktemp("satchel-home")
    with running_app(home, extra_env=getattr_env()) as running:
        yield running


def getattr_env() -> dict[str, str]:
    return {}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def issuer_samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every credential form the issuer stub makes (``satchel-issuer sample``)."""
    from issuer_stub.cli import main as issuer_main

    out = tmp_path_factory.mktemp("samples")
    assert issuer_main(["sample", "--out", str(out)]) == 0
    return out


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failure, show the app's own output and save what the browser showed."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    running = funcargs.get("app")
    if isinstance(running, RunningApp):
        report.sections.append(("satchel app output (tail)", running.log()[-6000:]))
    page = funcargs.get("page")
    if page is not None:
        shot = Path(str(item.config.rootpath)) / "build" / "ui-failures" / f"{item.name}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(shot))
            report.sections.append(("screenshot", str(shot)))
        except Exception as exc:  # the browser may be gone
            report.sections.append(("screenshot", f"not taken: {exc}"))
