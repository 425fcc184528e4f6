"""The verifier app's settings: one frozen object, read from the command line and the environment
once at start-up (:func:`AppSettings.from_environ`, called by ``satchel-verifier app``) and handed
down; nothing below reads the environment.

Environment:

* ``SATCHEL_VERIFIER_HOME``: the data directory (history, cached issuer documents, the in-process
  request service's challenge store); else the platform's user data directory + ``satchel/verifier``.
* ``SATCHEL_CAMERA_SOURCE``: a test and diagnostic hook, a device index or the path of a video file,
  offered in the camera list under its own name (``Video: phone.avi``) and read by the same capture
  loop as a webcam (:func:`scan.camera_choice`).
* ``DISPLAY`` / ``WAYLAND_DISPLAY``: whether a desktop window can open (:func:`shell.has_display`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import shell
from scan import CAMERA_SOURCE_ENV  # the name only: loads no OpenCV
from verifier.history import verifier_home

ORGANISATION_ENV = "SATCHEL_VERIFIER_NAME"  # the same variable as `satchel-verifier serve --name`

__all__ = ["CAMERA_SOURCE_ENV", "DEFAULT_WEB_PORT", "AppSettings"]

DEFAULT_WEB_PORT = 8560



@dataclass(frozen=True)
class AppSettings:
    home: Path
    documents: str | None = None  # URL -> file map answering fetches (demos, tests, air-gapped sites)
    trust: str | None = None  # issuer trust list (DCC registry JSON shape)
    service_url: str | None = None  # a running `satchel-verifier serve` for the request flow
    offline: bool = False  # start in offline mode
    allow_loopback: bool = False  # fetch from issuers on this machine (demos, tests)
    camera_source: str | None = None  # SATCHEL_CAMERA_SOURCE: an extra camera (a device index or a video)
    web: bool = False  # serve the app to a browser on 127.0.0.1 instead of opening a window
    port: int | None = None  # the web port (None: the default)
    display: bool = True  # a window can open on this machine
    organisation: str | None = None  # who is asking, as the candidate's wallet shows it (--name)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], *, home: Path | None = None, documents: str | None = None,
                     trust: str | None = None, service_url: str | None = None, offline: bool = False,
                     allow_loopback: bool = False, web: bool = False, port: int | None = None,
                     organisation: str | None = None) -> AppSettings:
        """The command line's choices, completed from the environment (the only place it is read)."""
        return cls(home=home or verifier_home(environ), documents=documents, trust=trust, service_url=service_url,
                   offline=offline, allow_loopback=allow_loopback,
                   camera_source=environ.get(CAMERA_SOURCE_ENV) or None, web=web, port=port,
                   display=shell.has_display(environ),
                   organisation=(organisation or environ.get(ORGANISATION_ENV) or "").strip() or None)
