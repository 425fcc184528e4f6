"""The wallet file underneath the store: the SQLite layout, the key slot, and a connection whose
every record is sealed (locking, transactions, sealing helpers).

Layout (``PRAGMA application_id`` = 'STCH', ``user_version`` = format version)::

    meta(name, value)          format, keyslot (KDF + salt + wrapped data key, JSON),
                               key_check, default_profile (sealed)
    credentials(seq, id, dedup_tag, summary)     summary: small sealed JSON for listing
    credential_blobs(id, original, parsed, report)   each sealed separately
    profiles(seq, id, sealed)  shares(seq, id, sealed)

Every sealed blob's associated data is ``table|column|id`` (:func:`_records.aad`), so a blob moved
to another row or column fails authentication instead of showing the wrong badge.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote

from cryptography.exceptions import InvalidTag

from . import _crypto
from ._crypto import KdfParams, RecordCipher
from ._files import fsync_path
from ._records import aad, json_bytes
from .errors import CorruptRecordError, NotAStoreError, StoreError, UnsupportedFormatError, WrongPassphraseError

APPLICATION_ID = 0x53544348  # "STCH" in the SQLite header: `file` and we can tell our wallets apart
FORMAT_VERSION = 1
_KEYSLOT_AAD = b"satchel/store/v1/data-key"
_KEY_CHECK = b"satchel/store/v1/key-check"

_SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE credentials (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    dedup_tag BLOB NOT NULL UNIQUE,
    summary BLOB NOT NULL
);
CREATE TABLE credential_blobs (
    id TEXT PRIMARY KEY REFERENCES credentials(id) ON DELETE CASCADE,
    original BLOB NOT NULL,
    parsed BLOB NOT NULL,
    report BLOB
);
CREATE TABLE profiles (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, sealed BLOB NOT NULL);
CREATE TABLE shares (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, sealed BLOB NOT NULL);
"""


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    uri = f"file:{quote(str(path))}?mode={mode}"
    # isolation_level=None: we issue BEGIN/COMMIT ourselves so every mutation is one transaction.
    return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=10.0)


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA synchronous = FULL")  # a commit is on disk before it returns, even on power loss
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed, not left with old ciphertext


# -- the key slot ------------------------------------------------------------------------------


def _new_keyslot(passphrase: str, kdf: KdfParams, data_key: bytes) -> bytes:
    salt = os.urandom(_crypto.SALT_BYTES)
    kek = _crypto.derive_kek(passphrase, kdf, salt)
    slot = {
        "kdf": kdf.to_json(),
        "salt": _crypto.b64(salt),
        "wrapped_key": _crypto.b64(_crypto.seal(kek, data_key, _KEYSLOT_AAD)),
        "aead": "AES-256-GCM",
    }
    return json_bytes(slot)


def _read_keyslot(raw: bytes) -> tuple[KdfParams, bytes, bytes]:
    try:
        slot = json.loads(raw)
        salt = _crypto.unb64(slot["salt"])
        wrapped = _crypto.unb64(slot["wrapped_key"])
    except (ValueError, KeyError, TypeError):
        raise NotAStoreError("the wallet's key slot is unreadable: the file is damaged") from None
    return _crypto.kdf_from_json(slot.get("kdf")), salt, wrapped


def _unwrap_data_key(passphrase: str, kdf: KdfParams, salt: bytes, wrapped: bytes) -> bytes:
    kek = _crypto.derive_kek(passphrase, kdf, salt)
    try:
        return _crypto.unseal(kek, wrapped, _KEYSLOT_AAD)
    except InvalidTag:
        raise WrongPassphraseError() from None


# -- files -------------------------------------------------------------------------------------


def initialise_file(path: Path, passphrase: str, kdf: KdfParams, data_key: bytes) -> None:
    """Writes an empty wallet (schema, key slot, key check) to a new file at ``path``."""
    # Owner-only from the first byte; SQLite gives its -wal/-shm files the same mode.
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    conn = _connect(path, "rw")
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        _configure(conn)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        cipher = RecordCipher(data_key)
        conn.executemany(
            "INSERT INTO meta(name, value) VALUES (?, ?)",
            [
                ("format", str(FORMAT_VERSION).encode()),
                ("keyslot", _new_keyslot(passphrase, kdf, data_key)),
                ("key_check", cipher.seal(_KEY_CHECK, b"meta|key_check")),
            ],
        )
        conn.execute("COMMIT")
    finally:
        conn.close()  # the last close checkpoints the WAL into the main file
    fsync_path(path)


def unlock_file(path: Path, passphrase: str) -> tuple[bytes, KdfParams]:
    """The data key and KDF of the wallet at ``path``. Nothing in the file is written."""
    conn = _connect(path, "rw")
    try:
        kdf, salt, wrapped = _check_header(conn, path)
        return _unwrap_data_key(passphrase, kdf, salt, wrapped), kdf
    finally:
        conn.close()


def _check_header(conn: sqlite3.Connection, path: Path) -> tuple[KdfParams, bytes, bytes]:
    try:
        (app_id,) = conn.execute("PRAGMA application_id").fetchone()
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if app_id != APPLICATION_ID:
            raise NotAStoreError(f"{path} is not a Satchel wallet")
        if version > FORMAT_VERSION:
            raise UnsupportedFormatError(
                f"{path} was written by a newer Satchel (wallet format {version}); please update"
            )
        row = conn.execute("SELECT value FROM meta WHERE name = 'keyslot'").fetchone()
    except sqlite3.DatabaseError:
        raise NotAStoreError(f"{path} is not a Satchel wallet or is damaged") from None
    if row is None:
        raise NotAStoreError(f"{path} has no key slot: the wallet is damaged")
    return _read_keyslot(row[0])


def attach(path: Path, data_key: bytes) -> tuple[sqlite3.Connection, RecordCipher]:
    """A configured connection to the wallet at ``path`` and its cipher, after the key check."""
    conn = _connect(path, "rw")
    try:
        _configure(conn)
        cipher = RecordCipher(data_key)
        row = conn.execute("SELECT value FROM meta WHERE name = 'key_check'").fetchone()
        try:
            ok = row is not None and cipher.unseal(row[0], b"meta|key_check") == _KEY_CHECK
        except (InvalidTag, ValueError):
            ok = False
        if not ok:
            raise NotAStoreError(f"the key check of {path} failed: the wallet is damaged or was altered")
    except BaseException:
        conn.close()
        raise
    return conn, cipher


# -- the open connection -------------------------------------------------------------------------


class SealedDatabase:
    """An open wallet file: one connection behind one lock, transactions, and record sealing.

    The base of :class:`wallet.store.Store`, which adds what the records mean.
    """

    def __init__(
        self, conn: sqlite3.Connection, path: Path, cipher: RecordCipher, kdf: KdfParams,
        clock: Callable[[], datetime],
    ) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._path = path
        self._cipher = cipher
        self._kdf = kdf
        self._clock = clock
        self._lock = threading.RLock()
        self._in_transaction = False

    @property
    def path(self) -> Path:
        return self._path

    @property
    def kdf(self) -> KdfParams:
        return self._kdf

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
                self._forget_cached()

    def _forget_cached(self) -> None:
        """Drops what a subclass keeps in memory (on close, and after a rollback)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError("the wallet is closed")
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Groups several mutations into one all-or-nothing commit (nested calls join it)."""
        with self._lock:
            if self._in_transaction:
                yield
                return
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            self._in_transaction = True
            try:
                yield
            except BaseException:
                db.execute("ROLLBACK")
                self._forget_cached()  # it may hold rows that were just rolled back
                raise
            else:
                db.execute("COMMIT")
            finally:
                self._in_transaction = False

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """A read transaction: everything read inside sees one consistent state."""
        with self._lock:
            if self._in_transaction:
                yield
                return
            self._db.execute("BEGIN DEFERRED")
            self._in_transaction = True
            try:
                yield
            finally:
                self._in_transaction = False
                self._db.execute("COMMIT")

    def cache_key(self) -> bytes:
        """A key for sealing what the app caches about this wallet's badges (issuer documents,
        status lists, badge pictures): derived from the data key, so it outlives passphrase changes
        and dies with the wallet."""
        return self._cipher.cache_key

    def change_passphrase(self, old: str, new: str, *, kdf: KdfParams | None = None) -> None:
        """Re-wraps the data key under ``new`` (fresh salt); no record is touched.

        The old passphrase is checked against the file, not against this session, so a
        wallet left unlocked cannot be re-keyed by someone who does not know it.
        """
        _crypto.passphrase_bytes(new)
        new_kdf = kdf or self._kdf
        with self._lock:
            if self._in_transaction:
                raise StoreError("change the passphrase outside other transactions")
            with self.transaction():
                row = self._db.execute("SELECT value FROM meta WHERE name = 'keyslot'").fetchone()
                old_kdf, salt, wrapped = _read_keyslot(row[0])
                data_key = _unwrap_data_key(old, old_kdf, salt, wrapped)
                self._db.execute(
                    "UPDATE meta SET value = ? WHERE name = 'keyslot'", (_new_keyslot(new, new_kdf, data_key),)
                )
            # Move the commit out of the WAL so the old key slot does not linger there.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._kdf = new_kdf

    # -- sealing helpers ---------------------------------------------------------------------

    def _seal(self, value: bytes, table: str, column: str, record_id: str) -> bytes:
        return self._cipher.seal(value, aad(table, column, record_id))

    def _seal_json(self, value: object, table: str, column: str, record_id: str) -> bytes:
        return self._seal(json_bytes(value), table, column, record_id)

    def _unseal(self, blob: bytes, table: str, column: str, record_id: str) -> bytes:
        try:
            return self._cipher.unseal(blob, aad(table, column, record_id))
        except (InvalidTag, ValueError):
            raise CorruptRecordError(
                f"the {table} record {record_id} failed its integrity check: the wallet file was altered"
            ) from None

    def _unseal_json(self, blob: bytes, table: str, column: str, record_id: str) -> Any:
        return json.loads(self._unseal(blob, table, column, record_id))
