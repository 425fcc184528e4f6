"""Runs the real Satchel app in web mode and drives it in headless Chromium (Debian's, never a download).

Used by the UI tests (``conftest.py``) and by ``scripts/screenshots.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
LOOPBACK_PREFIXES = ("http://127.0.0.1", "ws://127.0.0.1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with code {process.returncode} before serving")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"the app did not listen on 127.0.0.1:{port} within {timeout} s")


@dataclass
class RunningApp:
    url: str
    home: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def running_process(argv: list[str], port: int, home: Path, *, env: dict[str, str],
                    log_name: str = "app") -> Iterator[RunningApp]:
    """An app process serving ``http://127.0.0.1:<port>/`` (``argv`` must make it listen there), run
    in its own process group from the repository, without a display, with Flet's web client served
    offline; its output goes to ``<home's parent>/<log_name>-<port>.log``. The whole group is killed
    afterwards (``flet`` leaves children running on SIGTERM alone)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    full_env.update({"FLET_WEB_NO_CDN": "1", "PYTHONUNBUFFERED": "1"})
    full_env.update(env)
    log_path = home.parent / f"{log_name}-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(argv, cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        wait_for_port(port, process)
        yield RunningApp(f"http://127.0.0.1:{port}/", home, process, log_path)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@contextlib.contextmanager
def running_app(home: Path, *, extra_env: dict[str, str] | None = None) -> Iterator[RunningApp]:
    """``satchel-wallet app --web`` as its own process group; killed with the whole group afterwards."""
    port = free_port()
    env = {"SATCHEL_HOME": str(home), "SATCHEL_ALLOW_LOOPBACK": "1",
           "FLET_LOG_LEVEL": os.environ.get("FLET_LOG_LEVEL", "")}
    env.update(extra_env or {})
    with running_process([sys.executable, "-m", "wallet.app", "--web", "--port", str(port)], port, home,
                         env=env) as running:
        yield running


def keep_loopback_only(page: Any) -> None:
    """Every request that is not to 127.0.0.1 is aborted: the app must work offline."""
    def route(request_route: Any) -> None:
        if request_route.request.url.startswith(LOOPBACK_PREFIXES):
            request_route.continue_()
        else:
            request_route.abort()

    page.route("**/*", route)


def open_app(browser: Any, url: str, viewport: dict[str, int] = DESKTOP) -> Any:
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    keep_loopback_only(page)
    page.goto(url)
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=45_000)
    page.locator("flt-semantics-placeholder").evaluate("e => e.click()")  # accessibility tree on
    return page


def shown(page: Any, text: str) -> Any:
    """Anything showing ``text``: its own text, or the label Flutter merged it into."""
    pattern = re.compile(re.escape(text))
    return page.get_by_text(pattern).or_(page.get_by_label(pattern)).first


SHOWS_TEXT = """text => [...document.querySelectorAll(
    'flt-semantics-host [aria-label], flt-semantics, input, textarea')].some(e =>
    (e.getAttribute('aria-label') || '').includes(text) || (e.textContent || '').includes(text))"""


def is_shown(page: Any, text: str) -> bool:
    return bool(page.evaluate(SHOWS_TEXT, text))


def nudge(page: Any) -> None:
    """Headless Chromium paints Flutter frames lazily; a pointer move makes it update the
    accessibility tree (and the screen) to what the app last sent."""
    page.mouse.move(3, 3)
    page.mouse.move(1, 1)


def wait_shown(page: Any, text: str, timeout: float = 30_000) -> None:
    """Waits until the accessibility tree shows ``text`` (as text, or in a merged label)."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        if is_shown(page, text):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{text!r} was not shown within {timeout / 1000:.0f} s")
        nudge(page)
        time.sleep(0.25)


def scroll_to_shown(page: Any, text: str, *, steps: int = 40) -> None:
    """Flutter leaves what is scrolled out of view out of the accessibility tree: scroll the
    screen's main area down until ``text`` is shown (from the top first)."""
    size = page.viewport_size or DESKTOP
    page.mouse.move(size["width"] * 0.6, size["height"] * 0.5)
    for _ in range(steps):
        page.mouse.wheel(0, -2000)
    for _ in range(steps):
        time.sleep(0.25)
        if is_shown(page, text):
            return
        page.mouse.wheel(0, size["height"] * 0.5)
    raise TimeoutError(f"{text!r} was not found by scrolling")


def into_view(page: Any, control: Any, *, tries: int = 8) -> None:
    """Scrolls the screen until ``control`` sits clear of the edges: Playwright's own scrolling
    moves the accessibility node, not Flutter's canvas, so a field half under the phone's bottom
    navigation bar would take the click on the bar instead."""
    size = page.viewport_size or DESKTOP
    top, bottom = 72, size["height"] - 110  # the app bar above, the navigation bar below
    for _ in range(tries):
        nudge(page)
        where = control.bounding_box()
        if where is None or (where["y"] >= top and where["y"] + where["height"] <= bottom):
            return
        middle = where["y"] + where["height"] / 2
        page.mouse.move(size["width"] * 0.6, size["height"] * 0.5)
        page.mouse.wheel(0, middle - size["height"] * 0.45)
        time.sleep(0.3)


def type_into(page: Any, label: str, text: str) -> None:
    """Flutter text fields take real key presses (``fill`` does not reach the app)."""
    nudge(page)
    box = page.get_by_role("textbox", name=label).first
    into_view(page, box)
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    # Let the cleared value make its round trip to the app and back before the first key: under
    # load its late echo could otherwise land after that key and drop it ("ttp://…").
    page.wait_for_timeout(150)
    if len(text) > 200:
        page.keyboard.insert_text(text)
    else:
        page.keyboard.type(text, delay=25)


def type_until_held(page: Any, label: str, text: str, tries: int = 3) -> None:
    """Types into a field that answers every key (a search) and checks the field holds the text:
    Flet web can drop a key whose echo crosses the next one (a known limitation, ff6ad17); the
    test then asserts what the app does with the whole text, as a person would see it."""
    box = page.get_by_role("textbox", name=label).first
    for _ in range(tries):
        type_into(page, label, text)
        deadline = time.monotonic() + 5  # under load the field's value can trail the keys by seconds
        while time.monotonic() < deadline:
            page.wait_for_timeout(250)
            if box.input_value() == text:
                return
    raise TimeoutError(f"{label!r} holds {box.input_value()!r}, not {text!r}")


def click(page: Any, role: str, name: str, *, exact: bool = False) -> None:
    nudge(page)
    page.get_by_role(role, name=name, exact=exact).first.click()


def scroll_until_shown(page: Any, text: str, timeout: float = 40.0) -> None:
    """Something that appears below the fold after a while (scrolled to, and waited for)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            scroll_to_shown(page, text, steps=12)
            return
        except TimeoutError:
            if time.monotonic() > deadline:
                raise


def collect_offer(page: Any, offer_uri: str, outcome: str, timeout: float = 60.0) -> None:
    """Redeems an issuer's offer on the Import screen and waits for its outcome line. Earlier imports'
    lines push the offer card and the outcome below the fold, and Flutter leaves what is scrolled out of
    view out of the accessibility tree: scroll to each."""
    scroll_to_shown(page, "Collect badge")
    type_into(page, "Offer link", offer_uri)
    click(page, "button", "Collect badge")
    scroll_until_shown(page, outcome, timeout)


def tick(page: Any, name: str) -> None:
    """Ticks a checkbox (a badge to share) unless it is ticked already."""
    box = page.get_by_role("checkbox", name=name).first
    if box.get_attribute("aria-checked") != "true":
        box.click()


def point_share_links_at(page: Any, verifier: str) -> None:
    """Settings → the verifier address share links open at (the wallet must be on Settings)."""
    type_into(page, "Verifier address", verifier)
    click(page, "button", "Save address")
    wait_shown(page, f"Share links will point to {verifier}.")


def navigate_to(page: Any, destination: str) -> None:
    """Clicks a destination in the navigation rail (wide) or the bottom navigation bar (phone)."""
    nudge(page)
    target = page.get_by_role("button", name=destination).or_(page.get_by_role("tab", name=destination))
    target.first.click()


def steady_screenshot(page: Any, path: Path, *, tries: int = 20) -> bytes:
    """Screenshots lag the DOM: take them until two in a row are the same."""
    previous = None
    image = b""
    for _ in range(tries):
        image = page.screenshot()
        digest = hashlib.sha256(image).digest()
        if digest == previous:
            break
        previous = digest
        time.sleep(0.4)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(image)
    return image


def create_wallet(page: Any, passphrase: str) -> None:
    wait_shown(page, "Create your wallet")
    type_into(page, "New passphrase", passphrase)
    type_into(page, "Repeat the passphrase", passphrase)
    click(page, "button", "Create wallet")
    wait_shown(page, "My badges", timeout=60_000)


def upload_files(page: Any, button: str, paths: list[Path]) -> None:
    if not is_shown(page, button):  # below an import log: Flutter leaves it out of the tree until scrolled to
        scroll_to_shown(page, button)
    with page.expect_file_chooser(timeout=15_000) as chooser:
        click(page, "button", button)
    chooser.value.set_files([str(p) for p in paths])
