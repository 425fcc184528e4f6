"""The service's only state: request challenges (exchanges) and share-relay blobs.

Both live behind small Protocols so several verifier instances behind a load balancer can share
one database: anything implementing :class:`ExchangeStore` and :class:`RelayStore` with the same
atomicity (a challenge is claimed by exactly one presentation) will do. :class:`SqliteStore` is
the default, one file in the data directory; SQLite's WAL mode lets processes on one host share it.

Times are POSIX seconds (float) so any database can compare them.
"""

from __future__ import annotations

import enum
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

# How long finished exchanges and relay tombstones are kept after they expire: long enough for
# the verifier's screen to read a result and for a stale link to say "expired" rather than 404,
# short enough that presented data does not pile up.
EXCHANGE_RETENTION_S = 3600.0
RELAY_TOMBSTONE_S = 30 * 86400.0


class ExchangeState(enum.StrEnum):
    PENDING = "pending"  # waiting for the wallet
    VERIFYING = "verifying"  # claimed by one presentation; its check is running
    COMPLETE = "complete"  # result recorded


class Claim(enum.StrEnum):
    CLAIMED = "claimed"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Exchange:
    id: str
    challenge: str
    domain: str
    query: Any  # VC-API Query By Example list, or None for a bare POST /challenges challenge
    created: float
    expires: float
    state: ExchangeState = ExchangeState.PENDING
    poll_hash: str = ""  # SHA-256 of the creator's poll token (base64url)
    result: Any = None  # the verification answer once complete


@dataclass(frozen=True)
class RelayEntry:
    id: str
    blob: bytes | None  # None once unshared or expired
    created: float
    expires: float
    unshare_hash: str
    unshared: bool = False


class ExchangeStore(Protocol):
    def add_exchange(self, exchange: Exchange) -> None: ...

    def get_exchange(self, exchange_id: str) -> Exchange | None: ...

    def find_challenge(self, challenge: str) -> Exchange | None: ...

    def claim(self, exchange_id: str, now: float) -> Claim:
        """Atomically move a pending, unexpired exchange to VERIFYING; say why not otherwise."""
        ...

    def finish(self, exchange_id: str, result: Any) -> None: ...


class RelayStore(Protocol):
    def put_blob(self, entry: RelayEntry) -> None: ...

    def get_blob(self, relay_id: str) -> RelayEntry | None: ...

    def unshare(self, relay_id: str) -> bool: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS exchanges (
    id TEXT PRIMARY KEY, challenge TEXT NOT NULL UNIQUE, domain TEXT NOT NULL, query TEXT,
    created REAL NOT NULL, expires REAL NOT NULL, state TEXT NOT NULL, poll_hash TEXT NOT NULL,
    result TEXT);
CREATE TABLE IF NOT EXISTS relay (
    id TEXT PRIMARY KEY, blob BLOB, created REAL NOT NULL, expires REAL NOT NULL,
    unshare_hash TEXT NOT NULL, unshared INTEGER NOT NULL DEFAULT 0);
"""


class SqliteStore:
    """Both stores in one SQLite file; one connection guarded by a lock (the work is tiny)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=10)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA secure_delete=ON")  # unshared blobs are overwritten on disk
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def purge(self, now: float) -> None:
        """Drop what is past keeping; blank blobs the moment they expire."""
        with self._lock:
            self._db.execute("DELETE FROM exchanges WHERE expires < ?", (now - EXCHANGE_RETENTION_S,))
            self._db.execute("UPDATE relay SET blob = NULL WHERE expires <= ? AND blob IS NOT NULL", (now,))
            self._db.execute("DELETE FROM relay WHERE expires < ?", (now - RELAY_TOMBSTONE_S,))

    # -- exchanges ------------------------------------------------------------------------------
    def add_exchange(self, exchange: Exchange) -> None:
        with self._lock:
            self._db.execute("INSERT INTO exchanges VALUES (?,?,?,?,?,?,?,?,?)", (
                exchange.id, exchange.challenge, exchange.domain, json.dumps(exchange.query), exchange.created,
                exchange.expires, str(exchange.state), exchange.poll_hash,
                None if exchange.result is None else json.dumps(exchange.result)))

    @staticmethod
    def _exchange(row: tuple[Any, ...] | None) -> Exchange | None:
        if row is None:
            return None
        return Exchange(row[0], row[1], row[2], json.loads(row[3]) if row[3] else None, row[4], row[5],
                        ExchangeState(row[6]), row[7], json.loads(row[8]) if row[8] else None)

    def get_exchange(self, exchange_id: str) -> Exchange | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM exchanges WHERE id = ?", (exchange_id,)).fetchone()
        return self._exchange(row)

    def find_challenge(self, challenge: str) -> Exchange | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM exchanges WHERE challenge = ?", (challenge,)).fetchone()
        return self._exchange(row)

    def claim(self, exchange_id: str, now: float) -> Claim:
        with self._lock:
            # One UPDATE is atomic across connections too, so two instances cannot both claim.
            cur = self._db.execute("UPDATE exchanges SET state = ? WHERE id = ? AND state = ? AND expires > ?",
                                   (str(ExchangeState.VERIFYING), exchange_id, str(ExchangeState.PENDING), now))
            if cur.rowcount == 1:
                return Claim.CLAIMED
            row = self._db.execute("SELECT state FROM exchanges WHERE id = ?", (exchange_id,)).fetchone()
        if row is None:
            return Claim.UNKNOWN
        return Claim.EXPIRED if row[0] == ExchangeState.PENDING else Claim.USED

    def finish(self, exchange_id: str, result: Any) -> None:
        with self._lock:
            self._db.execute("UPDATE exchanges SET state = ?, result = ? WHERE id = ?",
                             (str(ExchangeState.COMPLETE), json.dumps(result), exchange_id))

    # -- relay ----------------------------------------------------------------------------------
    def put_blob(self, entry: RelayEntry) -> None:
        with self._lock:
            self._db.execute("INSERT INTO relay VALUES (?,?,?,?,?,?)", (
                entry.id, entry.blob, entry.created, entry.expires, entry.unshare_hash, int(entry.unshared)))

    def get_blob(self, relay_id: str) -> RelayEntry | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM relay WHERE id = ?", (relay_id,)).fetchone()
        if row is None:
            return None
        return RelayEntry(row[0], row[1], row[2], row[3], row[4], bool(row[5]))

    def unshare(self, relay_id: str) -> bool:
        with self._lock:
            cur = self._db.execute("UPDATE relay SET blob = NULL, unshared = 1 WHERE id = ?", (relay_id,))
        return cur.rowcount == 1
