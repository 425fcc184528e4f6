"""Restoring an encrypted wallet backup into a fresh wallet, anywhere.

``Store.backup`` writes the backup: the wallet's logical dump (frames W, P, C, S, D, E; see
``Store._backup_frames``) sealed into the file format of ``wallet.store._backup_format``. This
module reads it back, checking the frames' order and the end marker's counts, into a wallet
that is published only once everything is in.
"""

from __future__ import annotations

import os
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519

from . import _crypto
from ._backup_format import Frame, read_backup_frames
from ._crypto import KdfParams
from ._database import initialise_file
from ._files import fsync_path, publish_no_clobber, remove_database_files, temporary_sibling
from ._records import share_from_json, summary_from_json, utc_now
from .errors import BackupError, StoreError, StoreExistsError
from .pending import pending_from_json
from .store import Store

_RESTORE_BATCH = 1000  # records per commit into the (not yet published) restored wallet


def restore_backup(
    backup_path: str | os.PathLike[str],
    passphrase: str,
    store_path: str | os.PathLike[str],
    *,
    store_passphrase: str | None = None,
    kdf: KdfParams | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Store:
    """Restores a backup into a new wallet at ``store_path`` and returns it unlocked.

    The new wallet gets a fresh data key, protected by ``store_passphrase`` (default: the
    backup's passphrase). It is built beside ``store_path`` and moved into place only once
    every record is in and the backup's end marker checked, so a bad backup or a crash
    restores nothing.
    """
    dest = Path(store_path)
    store_passphrase = store_passphrase or passphrase
    _crypto.passphrase_bytes(store_passphrase)
    if dest.exists():
        raise StoreExistsError(dest)
    try:
        src_file = open(backup_path, "rb")
    except FileNotFoundError:
        raise BackupError(f"there is no backup file at {backup_path}") from None
    with src_file:
        frames = read_backup_frames(src_file, passphrase)
        return _restore_into_new_store(frames, dest, store_passphrase, kdf or _crypto.default_kdf(), clock)


def _restore_into_new_store(
    frames: Iterator[Frame], dest: Path, passphrase: str, kdf: KdfParams, clock: Callable[[], datetime],
) -> Store:
    data_key = os.urandom(_crypto.KEY_BYTES)
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = temporary_sibling(dest, "restoring")
    try:
        initialise_file(temp, passphrase, kdf, data_key)
        store = Store._attach(temp, data_key, kdf, clock)
        try:
            _load_frames(store, frames)
        finally:
            store.close()
        fsync_path(temp)
        publish_no_clobber(temp, dest)
    except (KeyError, TypeError, ValueError, zlib.error, sqlite3.Error) as exc:
        # Authenticated yet unreadable: written by a buggy or hostile tool that had the passphrase.
        raise BackupError(f"the backup's contents are malformed ({exc!r}); nothing was restored") from None
    except StoreError as exc:
        if isinstance(exc, BackupError | StoreExistsError):
            raise
        raise BackupError(f"the backup could not be restored ({exc}); nothing was restored") from None
    finally:
        remove_database_files(temp)
    return Store._attach(dest, data_key, kdf, clock)


class _Loader:
    """Applies frames to the store being restored, checking their order and the end counts."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.counts = {"profiles": 0, "credentials": 0, "shares": 0, "pending": 0}
        self.default_profile: str | None = None
        self.profiles: set[str] = set()
        self.started = self.ended = False

    def apply(self, kind: bytes, meta: dict[str, Any], blob: bytes) -> None:
        if kind == b"W":
            self.started = True
            return
        if not self.started:
            raise BackupError("the backup does not start with a wallet marker; nothing was restored")
        if kind == b"P":
            key = ed25519.Ed25519PrivateKey.from_private_bytes(blob)
            created_at = datetime.fromisoformat(meta["created_at"])
            self.store._insert_profile(meta["id"], meta["label"], key, created_at)
            self.profiles.add(meta["id"])
            if meta.get("default"):
                self.default_profile = meta["id"]
            self.counts["profiles"] += 1
        elif kind == b"C":
            summary = summary_from_json(meta["id"], meta["summary"])
            self.store._restore_credential(summary, blob, meta["credential"], meta["report"])
            self.counts["credentials"] += 1
        elif kind == b"S":
            self.store._insert_share(share_from_json(meta["id"], meta))
            self.counts["shares"] += 1
        elif kind == b"D":
            item = pending_from_json(meta)
            if item.profile_id not in self.profiles:
                raise BackupError("the backup holds a pending credential for a profile it does not hold")
            self.store.save_pending_issuance(item)
            self.counts["pending"] += 1
        elif kind == b"E":
            self._end(meta)
        else:
            raise BackupError(f"the backup holds an unknown record kind {kind!r}; please update Satchel")

    def _end(self, meta: dict[str, Any]) -> None:
        # Backups written before D frames existed, or with none, count no "pending".
        expected = meta.get("counts")
        if isinstance(expected, dict):
            expected = {"pending": 0, **expected}
        if expected != self.counts:
            raise BackupError("the backup's record counts do not match its contents; nothing was restored")
        if self.default_profile is not None:
            self.store.set_default_profile(self.default_profile)
        self.ended = True


def _load_frames(store: Store, frames: Iterator[Frame]) -> None:
    loader = _Loader(store)
    while not loader.ended:
        # Commits in batches keep the WAL small; atomicity comes from publishing the file at the end.
        with store.transaction():
            for _ in range(_RESTORE_BATCH):
                frame = next(frames, None)
                if frame is None:
                    raise BackupError("the backup is truncated (no end marker); nothing was restored")
                loader.apply(*frame)
                if loader.ended:
                    break
    for _ in frames:  # also runs the final-chunk, end-of-stream and end-of-file checks
        raise BackupError("the backup has records after its end marker; nothing was restored")
