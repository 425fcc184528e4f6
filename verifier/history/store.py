"""The device's verification history: one SQLite file in the verifier's data directory.

Each entry keeps the full record (the report as ``satchel-verify --json`` prints it, with the
verified documents alongside, so a PDF can be made later without the original input), when it
was made, where the input came from (``camera``, ``image``, ``paste``, ``link``, ``request``, ...)
and a summary for lists: who issued it, to whom, and what it certifies.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from .facts import RecordFacts, facts_of, record_of

__all__ = ["HOME_ENV", "Entry", "History", "verifier_home"]

HOME_ENV = "SATCHEL_VERIFIER_HOME"


@dataclass(frozen=True)
class Entry:
    id: str
    verified_at: str  # ISO 8601 UTC, milliseconds
    source: str
    verdict: str
    issuer: str
    issuer_id: str
    issuer_known: bool
    subject: str
    achievement: str
    credentials: int
    record: dict[str, Any]

    @property
    def answer(self) -> str:
        """The graded verdict's headline ("Genuine, from an issuer you trust"; ``credentials.GRADE_WORDS``)."""
        return self.facts.answer

    @property
    def grade(self) -> str:
        return self.facts.grade

    @cached_property
    def facts(self) -> RecordFacts:  # read once per entry: every render and export asks for it
        return facts_of(self.record)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS verifications (
    id TEXT PRIMARY KEY, verified_at TEXT NOT NULL, source TEXT NOT NULL, verdict TEXT NOT NULL,
    issuer TEXT NOT NULL, issuer_id TEXT NOT NULL, issuer_known INTEGER NOT NULL, subject TEXT NOT NULL,
    achievement TEXT NOT NULL, credentials INTEGER NOT NULL, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS verifications_when ON verifications (verified_at);
"""


class History:
    """The device's verification history (thread-safe; one connection behind a lock)."""

    FILE_NAME = "history.sqlite3"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None, timeout=10)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA secure_delete=ON")  # a deleted verification is overwritten on disk
            self._db.executescript(_SCHEMA)

    @classmethod
    def open(cls, home: Path) -> History:
        """The history in the data directory ``home`` (see :func:`verifier_home`)."""
        return cls(home / cls.FILE_NAME)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, report: Any, source: str, *, when: datetime | None = None, fingerprint: str = "") -> Entry:
        """Record a verification (an engine report, or a record from :func:`record_of`); ``fingerprint``
        names what was submitted (:func:`~verifier.history.facts.fingerprint_of`)."""
        rec = dict(report) if isinstance(report, dict) else record_of(report)
        if fingerprint:
            rec["input"] = {"fingerprint": fingerprint}
        facts = facts_of(rec)
        first = facts.credentials[0] if facts.credentials else None
        at = (when or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        entry = Entry(
            id=secrets.token_hex(8), verified_at=at, source=source, verdict=facts.verdict,
            issuer=first.issuer if first else "", issuer_id=first.issuer_id if first else "",
            issuer_known=bool(first and first.issuer_known), subject=first.subject if first else "",
            achievement="; ".join(c.achievement for c in facts.credentials) or "nothing readable",
            credentials=len(facts.credentials), record=rec)
        with self._lock:
            self._db.execute("INSERT INTO verifications VALUES (?,?,?,?,?,?,?,?,?,?,?)", (
                entry.id, entry.verified_at, entry.source, entry.verdict, entry.issuer, entry.issuer_id,
                int(entry.issuer_known), entry.subject, entry.achievement, entry.credentials,
                json.dumps(rec, ensure_ascii=False)))
        return entry

    @staticmethod
    def _entry(row: Sequence[Any]) -> Entry:
        return Entry(str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), str(row[5]), bool(row[6]),
                     str(row[7]), str(row[8]), int(row[9]), json.loads(row[10]))

    def everything(self) -> list[Entry]:
        """Every entry, oldest first (what an export holds)."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM verifications ORDER BY verified_at, rowid").fetchall()
        return [self._entry(r) for r in rows]


    def list(self, limit: int = 500) -> list[Entry]:
        """Newest first."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM verifications ORDER BY verified_at DESC, rowid DESC LIMIT ?",
                                    (limit,)).fetchall()
        return [self._entry(r) for r in rows]

    def get(self, entry_id: str) -> Entry | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM verifications WHERE id = ?", (entry_id,)).fetchone()
        return self._entry(row) if row else None

    def delete(self, entry_id: str) -> bool:
        with self._lock:
            return self._db.execute("DELETE FROM verifications WHERE id = ?", (entry_id,)).rowcount > 0

    def clear(self) -> int:
        with self._lock:
            return int(self._db.execute("DELETE FROM verifications").rowcount)

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM verifications").fetchone()[0])


def verifier_home(environ: Mapping[str, str]) -> Path:
    """Where this device keeps the verifier's data (history, cached issuer documents):
    ``$SATCHEL_VERIFIER_HOME``, else the platform's user data directory + ``satchel/verifier``.
    The caller hands in the environment (the app reads it once, into its settings)."""
    named = environ.get(HOME_ENV, "").strip()
    if named:
        return Path(named).expanduser()
    import platformdirs

    return platformdirs.user_data_path("satchel") / "verifier"
