"""Wires the concrete parts together: one engine per app process, and per tab (browser tab or the
desktop window) its state, its services, its sound and vibration, and the views."""

from __future__ import annotations

import logging
import sys
from typing import Any

import flet as ft

from shell import forget_file_picker

from .engine import VerifierEngine
from .feedback import Feedback
from .services import CAMERA_LOG, VerifierServices
from .settings import DEFAULT_WEB_PORT, AppSettings
from .state import TabState
from .views.common import BACKGROUND, theme
from .views.shell import WIDE_FROM, VerifierShell

__all__ = ["camera_log", "run_app", "start_page"]


def camera_log() -> logging.Logger:
    """The camera's log lines, on stderr (the app's console), whatever Flet does with the root logger."""
    log = logging.getLogger(CAMERA_LOG)
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def start_page(page: ft.Page, engine: VerifierEngine) -> None:
    """One browser tab (or the desktop window): its own screen state and services, a shared engine."""
    page.title = "Satchel Verifier"
    page.theme = theme()
    page.theme_mode = ft.ThemeMode.LIGHT
    page.bgcolor = BACKGROUND
    page.padding = 0
    tab = TabState()
    tab.shell.wide = (page.width or 1280) >= WIDE_FROM
    services = VerifierServices(tab, engine, Feedback(page))
    services.set_offline(engine.offline)

    def resized(e: Any) -> None:
        services.set_wide((e.width or 1280) >= WIDE_FROM)

    def closed(_e: Any = None) -> None:
        services.shutdown()
        forget_file_picker(page)

    page.on_resize = resized
    page.on_disconnect = closed
    page.on_close = closed
    page.on_route_change = lambda e: services.open_route(e.route)
    page.render(VerifierShell, tab.shell, tab, services)
    services.open_route(page.route)  # opened at a share link: …/s#vp=… (web)


def run_app(settings: AppSettings, *, desktop_client: bool) -> None:
    """A desktop window when there is a display and Flet's desktop client (``desktop_client``),
    otherwise a web app on 127.0.0.1, served from this machine (no CDN)."""
    engine = VerifierEngine(settings)
    camera_log()
    use_web = settings.web or not settings.display or not desktop_client

    def main(page: ft.Page) -> None:
        start_page(page, engine)

    try:
        if use_web:
            port = settings.port if settings.port is not None else DEFAULT_WEB_PORT
            print(f"Satchel Verifier is running at http://127.0.0.1:{port}/ (data in {settings.home})", flush=True)
            # "hash": the browser hands the part of the address after "#" to the app as its route, so
            # a share link opened in the app (…/s#vp=…) is read here; with "path" Flutter drops it.
            ft.run(main, view=ft.AppView.WEB_BROWSER if settings.display else None, host="127.0.0.1", port=port,
                   no_cdn=True, route_url_strategy=ft.RouteUrlStrategy.HASH)
        else:
            ft.run(main, no_cdn=True)
    finally:
        engine.close()
