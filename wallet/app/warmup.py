"""Work done ahead of need, so the learner never waits for it.

Two idle stretches come with every start: while Flutter's web client boots in the browser (about a
second in which the server only hands out static files) and while the learner types the passphrase.
The first is used to import the screens and the Flet controls they draw (Flet imports each control
class on first use: ≈0.3 s for the theme and the sixty-odd classes the screens name); the second to
build what unlocking and the next screens need (the import service, the sharing package, and the TLS
context of the HTTP client: loading the system's CA certificates alone takes ≈0.2 s).

The warm-up threads run at a lower CPU priority: on a two-core laptop the browser compiling the web
client is the critical path. Everything here is an optimisation: a failure is logged and the same
work simply happens when it is first needed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import pkgutil
import socket
import threading
import time
import types
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

_process_warm = threading.Event()


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


def _flet_names_the_views_use() -> set[str]:
    """The Flet classes the app's screens name, read off their compiled code (works from .pyc too)."""
    import flet as ft

    from . import views

    modules = ["wallet.app.app", *(f"{views.__name__}.{m.name}" for m in pkgutil.iter_modules(views.__path__))]
    names: set[str] = set()

    def walk(code: types.CodeType) -> None:
        names.update(code.co_names)
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                walk(const)

    for module in modules:
        spec = importlib.util.find_spec(module)
        code = spec.loader.get_code(module) if spec and spec.loader else None  # type: ignore[attr-defined]
        if code is not None:
            walk(code)
    return names & set(getattr(ft, "__all__", ()))


def _touch_flet_controls() -> None:
    """Flet imports each control class on first use; the screens' own ones are imported here."""
    import flet as ft

    for name in sorted(_flet_names_the_views_use()):
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
