"""Where the wallet keeps its files.

The data directory is ``$SATCHEL_HOME`` when it is set (testers run many wallets side by side),
otherwise the platform's per-user data directory for "Satchel" (platformdirs). It holds::

    wallet.satchel           the encrypted store (see wallet.store)
    cache/documents/         DID documents, status lists and contexts fetched while verifying
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "Satchel"
HOME_ENV = "SATCHEL_HOME"
PASSPHRASE_ENV = "SATCHEL_PASSPHRASE"
WALLET_FILE_NAME = "wallet.satchel"
DEFAULT_PROFILE_LABEL = "Me"
MAX_IMPORT_BYTES = 16 * 1024 * 1024  # larger files are refused before they are read


def data_dir() -> Path:
    """``$SATCHEL_HOME`` if set and non-empty, else the user data directory for Satchel."""
    override = os.environ.get(HOME_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def wallet_path(home: Path | None = None) -> Path:
    return (home or data_dir()) / WALLET_FILE_NAME


def document_cache_dir(home: Path | None = None) -> Path:
    return (home or data_dir()) / "cache" / "documents"
