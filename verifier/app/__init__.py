"""The employer's app (Flet): ``satchel-verifier app [--web] [--port P]`` calls :func:`run`.

A desktop window where Flet's desktop client is installed and there is a display; otherwise, or
with ``--web``, a web app on 127.0.0.1 served fully offline. Either way: scan with a camera of this
computer (in web mode the browser runs on this computer too: the app serves loopback only), open
an image, paste a link / JSON / JWT, or ask by request QR. Data (history, cached issuer documents,
the in-process request service's challenge store) lives in ``$SATCHEL_VERIFIER_HOME`` or the user
data directory; the environment is read once, into :class:`~verifier.app.settings.AppSettings`.

The camera's comings and goings (cameras found, scan started, code read, scan over and its
capture threads stopped) are logged on stderr under ``satchel.verifier.camera``.

Built as the wallet's app is: ``state`` (observable dataclasses, one per screen), ``services``
(the tab's actions: they call the ``engine`` and write the state, never a widget), ``views`` (one
component per screen), ``app`` (wires the concrete parts: engine, feedback, file dialogs, page).
"""

from __future__ import annotations

import os

from .settings import DEFAULT_WEB_PORT, AppSettings

__all__ = ["DEFAULT_WEB_PORT", "AppSettings", "run"]


def run(settings: AppSettings) -> None:
    """Open the app with ``settings`` (made by :meth:`AppSettings.from_environ`)."""
    import shell

    from .app import run_app

    os.environ.setdefault("FLET_WEB_NO_CDN", "1")  # told to Flet, never read here: serve everything locally
    run_app(settings, desktop_client=shell.desktop_client_available())
