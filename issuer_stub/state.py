"""The stub's state in SQLite: keys, issued credentials, status bits, OB 2.0 assertions, offers.

One file (``state.sqlite3``) in the state directory; a restart keeps everything. Every method
takes the one lock, so the threaded HTTP server can share a single connection.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from credentials import set_status

# Bitstring Status List v1.0 §4.1: at least 131,072 entries (16 KB) for group privacy.
STATUS_LIST_BYTES = 16 * 1024
STATUS_PURPOSES = ("revocation", "suspension")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (name TEXT PRIMARY KEY, pem BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (
    id TEXT PRIMARY KEY, form TEXT NOT NULL, achievement TEXT NOT NULL, subject TEXT,
    status_index INTEGER, issued_at TEXT NOT NULL, body TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0, suspended INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS status_lists (
    purpose TEXT PRIMARY KEY, bits BLOB NOT NULL, version INTEGER NOT NULL, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS offers (
    code TEXT PRIMARY KEY, achievement TEXT NOT NULL, created TEXT NOT NULL,
    access_token TEXT UNIQUE, c_nonce TEXT, redeemed_id TEXT);
"""


class StateError(Exception):
    """A request the state cannot honour; ``status`` is the HTTP status it maps to."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IssuedRecord:
    id: str
    form: str
    achievement: str
    subject: str | None
    status_index: int | None
    issued_at: str
    body: str
    revoked: bool
    suspended: bool


@dataclass(frozen=True)
class StatusListRecord:
    purpose: str
    bits: bytes
    version: int
    updated: str


@dataclass(frozen=True)
class OfferRecord:
    code: str
    achievement: str
    created: str
    access_token: str | None
    c_nonce: str | None
    redeemed_id: str | None


class State:
    """SQLite-backed state; ``State(":memory:")`` for throw-away runs (``sample``)."""

    def __init__(self, path: str | Path) -> None:
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL") if str(path) != ":memory:" else None
        self._db.executescript(_SCHEMA)

    @classmethod
    def in_dir(cls, state_dir: str | Path) -> State:
        directory = Path(state_dir)
        directory.mkdir(parents=True, exist_ok=True)
        return cls(directory / "state.sqlite3")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- meta ---------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- keys ---------------------------------------------------------------------------------
    def get_key_pem(self, name: str) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT pem FROM keys WHERE name = ?", (name,)).fetchone()
        return None if row is None else bytes(row[0])

    def put_key_pem(self, name: str, pem: bytes) -> None:
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO keys (name, pem) VALUES (?, ?)", (name, pem))

    # -- status lists ---------------------------------------------------------------------------
    def status_list(self, purpose: str) -> StatusListRecord:
        with self._lock:
            row = self._db.execute("SELECT purpose, bits, version, updated FROM status_lists "
                                   "WHERE purpose = ?", (purpose,)).fetchone()
        if row is None:
            raise StateError(404, "not_found", f"there is no {purpose} status list")
        return StatusListRecord(row[0], bytes(row[1]), int(row[2]), row[3])

    def ensure_status_lists(self, now: str) -> None:
        with self._tx() as db:
            for purpose in STATUS_PURPOSES:
                db.execute("INSERT OR IGNORE INTO status_lists (purpose, bits, version, updated) "
                           "VALUES (?, ?, 1, ?)", (purpose, bytes(STATUS_LIST_BYTES), now))

    def allocate_status_index(self) -> int:
        """The next unused index; shared by the revocation and the suspension list."""
        with self._tx() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'next_status_index'").fetchone()
            index = 0 if row is None else int(row[0])
            if index >= STATUS_LIST_BYTES * 8:
                raise StateError(507, "status_list_full", "the status list has no free entries left")
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_status_index', ?)",
                       (str(index + 1),))
        return index

    # -- credentials ----------------------------------------------------------------------------
    def record_credential(self, record: IssuedRecord) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO credentials (id, form, achievement, subject, status_index, issued_at, "
                       "body, revoked, suspended) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)",
                       (record.id, record.form, record.achievement, record.subject, record.status_index,
                        record.issued_at, record.body))

    def credential(self, credential_id: str) -> IssuedRecord:
        with self._lock:
            row = self._db.execute("SELECT id, form, achievement, subject, status_index, issued_at, body, "
                                   "revoked, suspended FROM credentials WHERE id = ?",
                                   (credential_id,)).fetchone()
        if row is None:
            raise StateError(404, "unknown_credential", f"no credential {credential_id!r} was issued here")
        return IssuedRecord(row[0], row[1], row[2], row[3], row[4], row[5], row[6], bool(row[7]),
                            bool(row[8]))

    def credentials(self) -> list[IssuedRecord]:
        with self._lock:
            ids = [r[0] for r in self._db.execute("SELECT id FROM credentials ORDER BY issued_at, id")]
        return [self.credential(i) for i in ids]

    def change_status(self, credential_id: str, purpose: str, value: bool, now: str) -> IssuedRecord:
        """Set or clear a credential's bit in one list; refuses a change that changes nothing."""
        column = {"revocation": "revoked", "suspension": "suspended"}[purpose]
        with self._tx() as db:
            record = self.credential(credential_id)
            if record.revoked and purpose == "suspension":
                raise StateError(409, "already_revoked", "a revoked credential cannot be suspended "
                                 "or reinstated (Bitstring Status List §2.1: revocation is final)")
            if getattr(record, column) == value:
                state = {("revoked", True): "is already revoked", ("suspended", True): "is already suspended",
                         ("suspended", False): "is not suspended"}[(column, value)]
                raise StateError(409, f"already_{column}" if value else "not_suspended",
                                 f"credential {credential_id} {state}")
            db.execute(f"UPDATE credentials SET {column} = ? WHERE id = ?", (int(value), credential_id))
            if record.status_index is not None:
                self._flip_bit(db, purpose, record.status_index, value, now)
        return self.credential(credential_id)

    def _flip_bit(self, db: sqlite3.Connection, purpose: str, index: int, value: bool, now: str) -> None:
        row = db.execute("SELECT bits FROM status_lists WHERE purpose = ?", (purpose,)).fetchone()
        bits = bytearray(row[0])
        set_status(bits, index, int(value))
        db.execute("UPDATE status_lists SET bits = ?, version = version + 1, updated = ? WHERE purpose = ?",
                   (bytes(bits), now, purpose))

    # -- offers (OpenID4VCI pre-authorized code flow) --------------------------------------------
    def add_offer(self, code: str, achievement: str, now: str) -> None:
        with self._tx() as db:
            db.execute("INSERT INTO offers (code, achievement, created) VALUES (?, ?, ?)",
                       (code, achievement, now))

    def offer_by_code(self, code: str) -> OfferRecord | None:
        return self._offer("code", code)

    def offer_by_token(self, token: str) -> OfferRecord | None:
        return self._offer("access_token", token)

    def _offer(self, column: str, value: str) -> OfferRecord | None:
        with self._lock:
            row = self._db.execute(f"SELECT code, achievement, created, access_token, c_nonce, redeemed_id "
                                   f"FROM offers WHERE {column} = ?", (value,)).fetchone()
        return None if row is None else OfferRecord(*row)

    def grant_token(self, code: str, token: str, c_nonce: str) -> None:
        """Exchange the pre-authorized code once (OID4VCI §6: a code is single use)."""
        with self._tx() as db:
            cur = db.execute("UPDATE offers SET access_token = ?, c_nonce = ? WHERE code = ? "
                             "AND access_token IS NULL", (token, c_nonce, code))
            if cur.rowcount != 1:
                raise StateError(400, "invalid_grant", "the pre-authorized code was already used")

    def set_nonce(self, token: str, c_nonce: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE offers SET c_nonce = ? WHERE access_token = ?", (c_nonce, token))

    def mark_redeemed(self, token: str, credential_id: str) -> None:
        with self._tx() as db:
            cur = db.execute("UPDATE offers SET redeemed_id = ?, c_nonce = NULL WHERE access_token = ? "
                             "AND redeemed_id IS NULL", (credential_id, token))
            if cur.rowcount != 1:
                raise StateError(400, "invalid_token", "this offer was already redeemed")


def dumps(doc: Any) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False)
