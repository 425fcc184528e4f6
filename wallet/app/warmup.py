"""Work done ahead of need, so the learner never waits for it.

Two idle stretches come with every start: while Flutter's web client boots in the browser (about a
second in which the server only hands out static files) and while the learner types the passphrase.
The first is used to import the screens and the Flet controls they draw (Flet imports each control
class on first use, ≈0.3 s all told); the second to build what unlocking needs (the import service
the sharing package, and the TLS context of the HTTP client: loading the system's CA certificates alone takes ≈0.2 s).

Everything here is an optimisation: a failure is logged and the same work simply happens when it
is first needed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

_process_warm = threading.Event()
_controls_touched = threading.Event()


def _quietly(step: Callable[[], object]) -> None:
    try:
        step()
    except Exception:  # never let an optimisation take the app down
        log.debug("warm-up step failed", exc_info=True)


def _yield_to_the_browser() -> None:
    """Lowers this thread's CPU priority (Linux: niceness is per thread). On a two-core laptop the
    browser compiling the web client is the critical path; the warm-up takes what it leaves idle."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def _wait_for_listening(port: int, timeout: float = 15.0) -> None:
    """Returns once the server accepts connections, so the warm-up never delays it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.02)


def _import_screens() -> None:
    from . import app  # noqa: F401  (the views, state and services)
    from .views.common import app_theme

    app_theme()  # the theme's classes are imported on first use: ≈0.14 s


def _touch_flet_controls() -> None:
    if _controls_touched.is_set():
        return
    _controls_touched.set()
    import flet as ft

    for name in getattr(ft, "__all__", ()):
        with contextlib.suppress(Exception):
            getattr(ft, name)


def warm_process(port: int | None) -> threading.Thread:
    """Starts the process-wide warm-up: after the web server listens (when ``port`` is given)."""

    def work() -> None:
        _yield_to_the_browser()
        if port is not None:
            _wait_for_listening(port)
        _quietly(_import_screens)
        _quietly(_touch_flet_controls)
        _process_warm.set()

    thread = threading.Thread(target=work, name="satchel-warm-up", daemon=True)
    thread.start()
    return thread


def warm_for_unlock(network: Any) -> threading.Thread:
    """Prepares what opening the wallet needs while the unlock screen waits for the passphrase."""

    def work() -> None:
        _yield_to_the_browser()
        _process_warm.wait(timeout=10)
        # In the order unlocking needs them: the import service, then what only later screens use.
        _quietly(lambda: __import__("wallet.importer"))
        _quietly(lambda: __import__("wallet.share"))
        _quietly(network.client)

    thread = threading.Thread(target=work, name="satchel-warm-unlock", daemon=True)
    thread.start()
    return thread
