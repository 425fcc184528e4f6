"""Where the wallet keeps its files, under its data directory (``WalletSettings.home``).

The data directory comes from the settings (``wallet.settings``: ``$SATCHEL_HOME`` when it is
set, testers run many wallets side by side; otherwise the platform's per-user data directory for
"Satchel"). It holds::

    wallet.satchel           the encrypted store (see wallet.store)
    cache/documents/         DID documents, status lists and contexts fetched while verifying
"""

from __future__ import annotations

from pathlib import Path

WALLET_FILE_NAME = "wallet.satchel"
DEFAULT_PROFILE_LABEL = "Me"
MAX_IMPORT_BYTES = 16 * 1024 * 1024  # larger files are refused before they are read


def wallet_path(home: Path) -> Path:
    return home / WALLET_FILE_NAME


def document_cache_dir(home: Path) -> Path:
    return home / "cache" / "documents"
