"""The employer's app (Flet): ``satchel-verifier app [--web] [--port P]`` calls :func:`run`.

A desktop window where Flet's desktop client is installed and there is a display; otherwise, or
with ``--web``, a web app on 127.0.0.1 served fully offline. Either way: scan with a camera of this
computer (in web mode the browser runs on this computer too: the app serves loopback only), open
an image, paste a link / JSON / JWT, or ask by request QR. Data (history, cached issuer documents,
the in-process request service's challenge store) lives in ``$SATCHEL_VERIFIER_HOME`` or the user
data directory (:func:`verifier.history.verifier_home`).

Camera test/diagnostic hook: ``SATCHEL_CAMERA_SOURCE`` (a device index, or the path of a video
file) adds that source to the camera list under its own name ("Video: phone.avi"); it is read by
the same capture loop as a webcam (see :mod:`verifier.camera`). The camera's comings and goings
(cameras found, scan started, code read, scan over and its capture threads stopped) are logged
on stderr under ``satchel.verifier.camera``.

Screens are in ``views``, their actions in ``actions``, the work without screens in ``engine``.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_WEB_PORT = 8560


def has_display() -> bool:
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def desktop_client_available() -> bool:
    try:
        import flet_desktop  # noqa: F401
    except ImportError:
        return False
    return True


def camera_log() -> logging.Logger:
    """The camera's log lines, on stderr (the app's console), whatever Flet does with the root logger."""
    log = logging.getLogger("satchel.verifier.camera")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def start_page(page: Any, engine: Any) -> None:
    """One browser tab (or the desktop window): its own screen state and actions, a shared engine."""
    import flet as ft

    from .actions import Actions
    from .feedback import Feedback
    from .look import BACKGROUND, theme
    from .state import UiState
    from .views import WIDE_FROM, VerifierApp

    page.title = "Satchel Verifier"
    page.theme = theme()
    page.theme_mode = ft.ThemeMode.LIGHT
    page.bgcolor = BACKGROUND
    page.padding = 0
    state = UiState(wide=(page.width or 1280) >= WIDE_FROM, offline=engine.offline)
    actions = Actions(page, state, engine, Feedback(page))

    def resized(e: Any) -> None:
        wide = (e.width or 1280) >= WIDE_FROM
        if wide != state.wide:
            state.wide = wide

    page.on_resize = resized
    page.on_disconnect = lambda _e=None: actions.shutdown()
    page.on_close = lambda _e=None: actions.shutdown()
    page.on_route_change = lambda e: actions.open_route(e.route)
    page.render(VerifierApp, state, actions)
    actions.open_route(page.route)  # opened at a share link: …/s#vp=… (web)


def run(*, web: bool = False, port: int | None = None, home: Path | None = None, documents: str | None = None,
        trust: str | None = None, service_url: str | None = None, offline: bool = False,
        allow_loopback: bool = False) -> None:
    import flet as ft

    from verifier.history import verifier_home

    from .engine import AppSettings, VerifierEngine

    settings = AppSettings(home=home or verifier_home(), documents=documents, trust=trust, service_url=service_url,
                           offline=offline, allow_loopback=allow_loopback)
    engine = VerifierEngine(settings)
    camera_log()
    use_web = web or not has_display() or not desktop_client_available()
    os.environ.setdefault("FLET_WEB_NO_CDN", "1")  # everything is served from this machine

    def main(page: ft.Page) -> None:
        start_page(page, engine)

    try:
        if use_web:
            chosen = port if port is not None else DEFAULT_WEB_PORT
            print(f"Satchel Verifier is running at http://127.0.0.1:{chosen}/ (data in {settings.home})", flush=True)
            # "hash": the browser hands the part of the address after "#" to the app as its route, so
            # a share link opened in the app (…/s#vp=…) is read here; with "path" Flutter drops it.
            ft.run(main, view=ft.AppView.WEB_BROWSER if has_display() else None, host="127.0.0.1", port=chosen,
                   no_cdn=True, route_url_strategy=ft.RouteUrlStrategy.HASH)
        else:
            ft.run(main, no_cdn=True)
    finally:
        engine.close()


__all__ = ["DEFAULT_WEB_PORT", "run", "start_page"]
