"""The wallet's settings, read once where the process starts (``wallet.cli`` / ``wallet.app.run``)
and passed down as one frozen object: no module below reads the environment itself.

Environment (all optional):

==============================  ===================================================================
``SATCHEL_HOME``                the data directory (default: the user data directory for Satchel)
``SATCHEL_PASSPHRASE``          the wallet passphrase for the command line (never for the app)
``SATCHEL_VERIFIER_URL``        the default verifier address (Settings › Verifier address)
``SATCHEL_OFFLINE``             ``1``: never use the network; checks that need it "could not check"
``SATCHEL_ALLOW_LOOPBACK``      ``1``: talk to an issuer or verifier on this machine (demos, tests)
``SATCHEL_AUTOLOCK_SECONDS``    overrides the learner's auto-lock setting (tests)
``SATCHEL_CAMERA_SOURCE``       an extra camera: a device index or a video file (tests, diagnostics)
``SATCHEL_DEBUG``               ``1``: the command line shows tracebacks
==============================  ===================================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from scan import CAMERA_SOURCE_ENV

__all__ = ["HOME_ENV", "PASSPHRASE_ENV", "WalletSettings", "default_home"]

APP_NAME = "Satchel"
HOME_ENV = "SATCHEL_HOME"
PASSPHRASE_ENV = "SATCHEL_PASSPHRASE"


def _flag(environ: Mapping[str, str], name: str) -> bool:
    return environ.get(name, "").strip().lower() in ("1", "true", "yes")


def _seconds(environ: Mapping[str, str], name: str) -> float | None:
    value = environ.get(name, "").strip()
    try:
        return float(value) if value else None
    except ValueError:
        return None


def default_home() -> Path:
    """The user data directory for Satchel (platformdirs)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class WalletSettings:
    home: Path
    passphrase: str | None = None
    verifier_url: str = ""
    offline: bool = False
    allow_loopback: bool = False
    autolock_seconds: float | None = None
    camera_source: str | None = None
    debug: bool = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> WalletSettings:
        env = os.environ if environ is None else environ
        home = env.get(HOME_ENV, "").strip()
        return cls(
            home=Path(home).expanduser() if home else default_home(),
            passphrase=env.get(PASSPHRASE_ENV),
            verifier_url=env.get("SATCHEL_VERIFIER_URL", "").strip(),
            offline=_flag(env, "SATCHEL_OFFLINE"),
            allow_loopback=_flag(env, "SATCHEL_ALLOW_LOOPBACK"),
            autolock_seconds=_seconds(env, "SATCHEL_AUTOLOCK_SECONDS"),
            camera_source=env.get(CAMERA_SOURCE_ENV, "").strip() or None,
            debug=_flag(env, "SATCHEL_DEBUG"),
        )

    def with_home(self, home: Path | None) -> WalletSettings:
        """These settings with ``--home`` applied (None: unchanged)."""
        return self if home is None else replace(self, home=home.expanduser())
