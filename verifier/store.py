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


class Store(ExchangeStore, RelayStore, Protocol):
    """Everything the service keeps: both stores, expiry, and a clean close."""

    def purge(self, now: float) -> None: ...

    def close(self) -> None: ...


def open_store(database: str | None, data_dir: Path) -> Store:
    """PostgreSQL for a ``postgresql://`` (or ``postgres://``) URL; else SQLite in ``data_dir``."""
    if database and database.startswith(("postgresql://", "postgres://")):
        return PostgresStore(database)
    if database:
        raise ValueError("--database takes a postgresql:// URL (SQLite needs none: it lives in --data)")
    data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteStore(data_dir / "verifier.sqlite3")


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


# -- PostgreSQL ---------------------------------------------------------------------------------------
# Schema version 1 = the SQLite schema, in PostgreSQL types. Each migration runs once, under an
# advisory lock, so instances starting together do not race.
_PG_MIGRATIONS = (
    """
    CREATE TABLE exchanges (
        id TEXT PRIMARY KEY, challenge TEXT NOT NULL UNIQUE, domain TEXT NOT NULL, query TEXT,
        created DOUBLE PRECISION NOT NULL, expires DOUBLE PRECISION NOT NULL, state TEXT NOT NULL,
        poll_hash TEXT NOT NULL, result TEXT);
    CREATE INDEX exchanges_expires ON exchanges (expires);
    CREATE TABLE relay (
        id TEXT PRIMARY KEY, blob BYTEA, created DOUBLE PRECISION NOT NULL, expires DOUBLE PRECISION NOT NULL,
        unshare_hash TEXT NOT NULL, unshared BOOLEAN NOT NULL DEFAULT FALSE);
    CREATE INDEX relay_expires ON relay (expires);
    """,
)
_PG_LOCK = 0x5A7C4E1  # pg_advisory_xact_lock key of Satchel's migrations


class PostgresStore:
    """Both stores in PostgreSQL, for several instances behind a load balancer.

    A small connection pool (psycopg_pool); autocommit, so each method's statement is durable
    when it returns and an instance killed afterwards loses nothing another can read.
    """

    def __init__(self, url: str, max_connections: int = 8) -> None:
        from psycopg_pool import ConnectionPool

        self._pool = ConnectionPool(url, min_size=1, max_size=max_connections, open=True, timeout=10,
                                    kwargs={"autocommit": True, "connect_timeout": 10})
        self._migrate()

    def _migrate(self) -> None:
        with self._pool.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS satchel_schema (version INTEGER NOT NULL)")
            row = conn.execute("SELECT max(version) FROM satchel_schema").fetchone()
            version = int(row[0]) if row and row[0] is not None else 0
            for n, step in enumerate(_PG_MIGRATIONS[version:], start=version + 1):
                conn.execute(step)
                conn.execute("INSERT INTO satchel_schema (version) VALUES (%s)", (n,))

    def close(self) -> None:
        self._pool.close()

    def _one(self, sql: str, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with self._pool.connection() as conn:
            row = conn.execute(sql, args).fetchone()
        return tuple(row) if row is not None else None

    def _run(self, sql: str, args: tuple[Any, ...]) -> int:
        with self._pool.connection() as conn:
            return conn.execute(sql, args).rowcount

    def purge(self, now: float) -> None:
        with self._pool.connection() as conn:
            conn.execute("DELETE FROM exchanges WHERE expires < %s", (now - EXCHANGE_RETENTION_S,))
            conn.execute("UPDATE relay SET blob = NULL WHERE expires <= %s AND blob IS NOT NULL", (now,))
            conn.execute("DELETE FROM relay WHERE expires < %s", (now - RELAY_TOMBSTONE_S,))

    def add_exchange(self, exchange: Exchange) -> None:
        self._run("INSERT INTO exchanges VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)", (
            exchange.id, exchange.challenge, exchange.domain, json.dumps(exchange.query), exchange.created,
            exchange.expires, str(exchange.state), exchange.poll_hash,
            None if exchange.result is None else json.dumps(exchange.result)))

    def get_exchange(self, exchange_id: str) -> Exchange | None:
        return SqliteStore._exchange(self._one("SELECT * FROM exchanges WHERE id = %s", (exchange_id,)))

    def find_challenge(self, challenge: str) -> Exchange | None:
        return SqliteStore._exchange(self._one("SELECT * FROM exchanges WHERE challenge = %s", (challenge,)))

    def claim(self, exchange_id: str, now: float) -> Claim:
        won = self._one("UPDATE exchanges SET state = %s WHERE id = %s AND state = %s AND expires > %s RETURNING id",
                        (str(ExchangeState.VERIFYING), exchange_id, str(ExchangeState.PENDING), now))
        if won is not None:
            return Claim.CLAIMED
        row = self._one("SELECT state FROM exchanges WHERE id = %s", (exchange_id,))
        if row is None:
            return Claim.UNKNOWN
        return Claim.EXPIRED if row[0] == ExchangeState.PENDING else Claim.USED

    def finish(self, exchange_id: str, result: Any) -> None:
        self._run("UPDATE exchanges SET state = %s, result = %s WHERE id = %s",
                  (str(ExchangeState.COMPLETE), json.dumps(result), exchange_id))

    def put_blob(self, entry: RelayEntry) -> None:
        self._run("INSERT INTO relay VALUES (%s,%s,%s,%s,%s,%s)", (
            entry.id, entry.blob, entry.created, entry.expires, entry.unshare_hash, entry.unshared))

    def get_blob(self, relay_id: str) -> RelayEntry | None:
        row = self._one("SELECT * FROM relay WHERE id = %s", (relay_id,))
        if row is None:
            return None
        return RelayEntry(row[0], bytes(row[1]) if row[1] is not None else None, row[2], row[3], row[4], bool(row[5]))

    def unshare(self, relay_id: str) -> bool:
        return self._run("UPDATE relay SET blob = NULL, unshared = TRUE WHERE id = %s", (relay_id,)) == 1
