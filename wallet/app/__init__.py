"""The learner's app (Flet): ``satchel-wallet app [--web] [--port P]`` calls :func:`main`.

Runs as a desktop window where Flet's desktop client is available, otherwise (``--web``, or no
display) as a web app on 127.0.0.1 served fully offline. The settings (``wallet.settings``: the
wallet in ``$SATCHEL_HOME`` or the user data directory, offline, loopback, auto-lock, camera) are
read once here and passed down; nothing below reads the environment.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

from wallet.settings import WalletSettings

DEFAULT_WEB_PORT = 8550
ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"


def run(web: bool = False, port: int | None = None, settings: WalletSettings | None = None) -> None:
    """Starts the app; web mode on 127.0.0.1:``port`` when asked, or when there is no display.
    ``settings``: read from the environment when not given."""
    import flet as ft

    from shell import desktop_client_available, has_display

    from .warmup import warm_for_unlock, warm_process

    chosen_settings = settings if settings is not None else WalletSettings.from_environ()
    use_web = web or not has_display(os.environ) or not desktop_client_available()
    os.environ.setdefault("FLET_WEB_NO_CDN", "1")  # everything is served from this machine (written for Flet)
    assets = str(ASSETS_DIR) if ASSETS_DIR.is_dir() else None

    def main(page: ft.Page) -> None:
        from .app import start_page  # imported by the warm-up while the browser boots

        network = start_page(page, chosen_settings)
        warm_for_unlock(network)

    if use_web:
        chosen = port if port is not None else DEFAULT_WEB_PORT
        warm_process(chosen)  # the screens are imported once the server listens, not before
        print(f"Satchel is running at http://127.0.0.1:{chosen}/ (wallet in {chosen_settings.home})", flush=True)
        ft.run(main, view=ft.AppView.WEB_BROWSER, host="127.0.0.1", port=chosen,
               assets_dir=assets, no_cdn=True)
    else:
        warm_process(None)
        ft.run(main, assets_dir=assets, no_cdn=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="satchel-wallet app", description="Open the Satchel wallet app.")
    parser.add_argument("--web", action="store_true", help="serve the app in the browser on 127.0.0.1")
    parser.add_argument("--port", type=int, default=None, help=f"web port (default {DEFAULT_WEB_PORT})")
    args = parser.parse_args(argv)
    run(web=args.web, port=args.port, settings=WalletSettings.from_environ())
    return 0


__all__ = ["main", "run"]
