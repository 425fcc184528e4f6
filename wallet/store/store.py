"""The encrypted wallet file: one SQLite database, every record sealed.

What an attacker holding the file learns: how many credentials, profiles and shares there
are, the order they were added, and each blob's size to within a padding bucket. Names,
issuers, dates, tags, sources, reports and keys are only ever stored sealed.

Layout (``PRAGMA application_id`` = 'STCH', ``user_version`` = format version)::

    meta(name, value)          format, keyslot (KDF + salt + wrapped data key, JSON),
                               key_check, default_profile (sealed)
    credentials(seq, id, dedup_tag, summary)     summary: small sealed JSON for listing
    credential_blobs(id, original, parsed, report)   each sealed separately
    profiles(seq, id, sealed)  shares(seq, id, sealed)

Every sealed blob's associated data is ``table|column|id``, so a blob moved to another row
or column fails authentication instead of showing the wrong badge.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from credentials import encode_multikey

from . import _crypto
from ._crypto import KdfParams, RecordCipher
from .display import describe_credential
from .errors import (
    CorruptRecordError,
    NotAStoreError,
    RecordNotFoundError,
    StoreError,
    StoreExistsError,
    StoreNotFoundError,
    UnsupportedFormatError,
    WrongPassphraseError,
)
from .models import (
    AddResult,
    CredentialDisplay,
    CredentialRecord,
    CredentialSummary,
    HolderProfile,
    ImportSource,
    SearchPage,
    ShareEntry,
    SortOrder,
)

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


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_record_id() -> str:
    return secrets.token_hex(16)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat()


def _parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _required_time(text: object) -> datetime:
    moment = _parse_time(text)
    if moment is None:
        raise ValueError("missing timestamp")
    return moment


def _json_bytes(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _content_identity(original: bytes, credential: Mapping[str, Any] | None) -> bytes:
    """What makes two imports the same credential.

    The parsed credential when there is one, so the same badge as JSON and baked into a PNG
    is one record; sorted keys because key order is not meaning in JSON.
    """
    if credential is not None:
        return b"credential\0" + json.dumps(
            credential, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")
    return b"original\0" + original


def fold_for_search(text: str) -> str:
    """Case- and accent-insensitive form: "Café" and "cafe" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _aad(table: str, column: str, record_id: str) -> bytes:
    return f"{table}|{column}|{record_id}".encode()


# -- (de)serialisation of the sealed JSON --------------------------------------------------


def _source_to_json(source: ImportSource) -> dict[str, Any]:
    return {"kind": source.kind, "detail": source.detail, "at": _iso(source.at)}


def _source_from_json(data: Mapping[str, Any]) -> ImportSource:
    return ImportSource(kind=data["kind"], detail=data.get("detail"), at=_parse_time(data.get("at")))


def _summary_to_json(summary: CredentialSummary) -> dict[str, Any]:
    d = summary.display
    return {
        "name": d.name, "issuer": d.issuer, "issued": d.issued, "skills": list(d.skills), "kind": d.kind,
        "media_type": summary.media_type, "added_at": _iso(summary.added_at), "tags": list(summary.tags),
        "sources": [_source_to_json(s) for s in summary.sources], "verdict": summary.verdict,
        "verified_at": _iso(summary.verified_at),
    }


def _summary_from_json(record_id: str, data: Mapping[str, Any]) -> CredentialSummary:
    return CredentialSummary(
        id=record_id,
        display=CredentialDisplay(
            name=data["name"], issuer=data["issuer"], issued=data.get("issued"),
            skills=tuple(data.get("skills", ())), kind=data.get("kind", ""),
        ),
        media_type=data["media_type"],
        added_at=_required_time(data["added_at"]),
        tags=tuple(data.get("tags", ())),
        sources=tuple(_source_from_json(s) for s in data.get("sources", ())),
        verdict=data.get("verdict"),
        verified_at=_parse_time(data.get("verified_at")),
    )


def _normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    cleaned = (t.strip() for t in tags)
    return tuple(dict.fromkeys(t for t in cleaned if t))


def _merge_sources(old: tuple[ImportSource, ...], new: ImportSource) -> tuple[ImportSource, ...]:
    if any((s.kind, s.detail) == (new.kind, new.detail) for s in old):
        return old  # the same file or URL again: the first time it came is what matters
    return (*old, new)


def _verification_of(report: Mapping[str, Any], fallback: datetime) -> tuple[str | None, datetime]:
    verdict = report.get("verdict")
    return (verdict if isinstance(verdict, str) else None), (_parse_time(report.get("at")) or fallback)


@dataclass(frozen=True)
class _Indexed:
    summary: CredentialSummary
    haystack: str  # folded name, issuer, skills and tags


def _indexed(summary: CredentialSummary) -> _Indexed:
    d = summary.display
    parts = [d.name, d.issuer, *d.skills, *summary.tags]
    return _Indexed(summary, "\n".join(fold_for_search(p) for p in parts))


# -- files -----------------------------------------------------------------------------------


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_directory(path: Path) -> None:
    """Makes a rename durable; directories cannot be opened for fsync on Windows."""
    if os.name == "nt":
        return
    fsync_path(path)


def publish_no_clobber(temp: Path, dest: Path) -> None:
    """Moves a finished file into place atomically, refusing to replace anything already there."""
    try:
        os.link(temp, dest)  # atomic and fails if dest exists
    except FileExistsError:
        raise StoreExistsError(dest) from None
    except OSError:
        # Filesystems without hard links (FAT, some Android storage): rename, after a check.
        if dest.exists():
            raise StoreExistsError(dest) from None
        os.replace(temp, dest)
    else:
        os.unlink(temp)
    fsync_directory(dest.parent)


def temporary_sibling(dest: Path, purpose: str) -> Path:
    return dest.parent / f".{dest.name}.{purpose}-{secrets.token_hex(6)}.tmp"


def remove_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    uri = f"file:{quote(str(path))}?mode={mode}"
    # isolation_level=None: we issue BEGIN/COMMIT ourselves so every mutation is one transaction.
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=10.0)
    return conn


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA synchronous = FULL")  # a commit is on disk before it returns, even on power loss
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA secure_delete = ON")  # freed pages are zeroed, not left with old ciphertext


def _new_keyslot(passphrase: str, kdf: KdfParams, data_key: bytes) -> bytes:
    salt = os.urandom(_crypto.SALT_BYTES)
    kek = _crypto.derive_kek(passphrase, kdf, salt)
    slot = {
        "kdf": kdf.to_json(),
        "salt": _crypto.b64(salt),
        "wrapped_key": _crypto.b64(_crypto.seal(kek, data_key, _KEYSLOT_AAD)),
        "aead": "AES-256-GCM",
    }
    return _json_bytes(slot)


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


class Store:
    """An unlocked wallet. Use ``Store.create`` or ``Store.open``; close it (or use ``with``).

    Safe to share between threads (one lock); other processes may open the same file, and
    the first-screen cache notices their commits.
    """

    def __init__(
        self, conn: sqlite3.Connection, path: Path, data_key: bytes, kdf: KdfParams,
        clock: Callable[[], datetime],
    ) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._path = path
        self._cipher = RecordCipher(data_key)
        self._kdf = kdf
        self._clock = clock
        self._lock = threading.RLock()
        self._in_transaction = False
        self._index: dict[str, _Indexed] | None = None
        self._index_version = -1

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls, path: str | os.PathLike[str], passphrase: str, *, kdf: KdfParams | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> Store:
        """A new, empty wallet at ``path``; refuses to overwrite anything.

        Built in a temporary file beside ``path`` and moved into place only when complete,
        so a crash never leaves a half-made wallet where the app will look for one.
        """
        dest = Path(path)
        _crypto.passphrase_bytes(passphrase)  # an empty passphrase fails before any file exists
        if dest.exists():
            raise StoreExistsError(dest)
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        kdf = kdf or _crypto.default_kdf()
        data_key = os.urandom(_crypto.KEY_BYTES)
        temp = temporary_sibling(dest, "creating")
        try:
            cls._initialise_file(temp, passphrase, kdf, data_key)
            publish_no_clobber(temp, dest)
        finally:
            remove_database_files(temp)
        return cls._attach(dest, data_key, kdf, clock)

    @classmethod
    def _initialise_file(cls, path: Path, passphrase: str, kdf: KdfParams, data_key: bytes) -> None:
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

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], passphrase: str, *, clock: Callable[[], datetime] = utc_now,
    ) -> Store:
        """Unlocks an existing wallet. Nothing in the file is written, whatever the outcome."""
        source = Path(path)
        if not source.is_file():
            raise StoreNotFoundError(source)
        _crypto.passphrase_bytes(passphrase)
        conn = _connect(source, "rw")
        try:
            kdf, salt, wrapped = cls._check_header(conn, source)
            data_key = _unwrap_data_key(passphrase, kdf, salt, wrapped)
        finally:
            conn.close()
        return cls._attach(source, data_key, kdf, clock)

    @staticmethod
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

    @classmethod
    def _attach(cls, path: Path, data_key: bytes, kdf: KdfParams, clock: Callable[[], datetime]) -> Store:
        conn = _connect(path, "rw")
        try:
            _configure(conn)
            store = cls(conn, path, data_key, kdf, clock)
            row = conn.execute("SELECT value FROM meta WHERE name = 'key_check'").fetchone()
            try:
                ok = row is not None and store._cipher.unseal(row[0], b"meta|key_check") == _KEY_CHECK
            except (InvalidTag, ValueError):
                ok = False
            if not ok:
                raise NotAStoreError(f"the key check of {path} failed: the wallet is damaged or was altered")
        except BaseException:
            conn.close()
            raise
        return store

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
                self._index = None

    def __enter__(self) -> Store:
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
                self._index = None  # it may hold rows that were just rolled back
                raise
            else:
                db.execute("COMMIT")
            finally:
                self._in_transaction = False

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

    def _seal_json(self, value: object, table: str, column: str, record_id: str) -> bytes:
        return self._cipher.seal(_json_bytes(value), _aad(table, column, record_id))

    def _unseal(self, blob: bytes, table: str, column: str, record_id: str) -> bytes:
        try:
            return self._cipher.unseal(blob, _aad(table, column, record_id))
        except (InvalidTag, ValueError):
            raise CorruptRecordError(
                f"the {table} record {record_id} failed its integrity check: the wallet file was altered"
            ) from None

    def _unseal_json(self, blob: bytes, table: str, column: str, record_id: str) -> Any:
        return json.loads(self._unseal(blob, table, column, record_id))

    # -- credentials -------------------------------------------------------------------------

    def add_credential(
        self,
        original: bytes,
        media_type: str,
        credential: Mapping[str, Any] | None,
        source: ImportSource,
        *,
        report: Mapping[str, Any] | None = None,
        tags: Iterable[str] = (),
        display: CredentialDisplay | None = None,
    ) -> AddResult:
        """Stores an import, or merges it into the record it duplicates (sources and tags unioned).

        ``credential`` is the parsed credential (None if the bytes could not be parsed: the
        learner still keeps them); ``report`` is ``VerificationReport.to_json()``;
        ``display`` overrides what ``describe_credential`` would derive.
        """
        if not isinstance(original, bytes | bytearray):
            raise TypeError("original must be the imported bytes")
        now = self._clock()
        source = replace(source, at=source.at or now)
        tag = self._cipher.dedup_tag(_content_identity(bytes(original), credential))
        with self.transaction():
            row = self._db.execute("SELECT id, summary FROM credentials WHERE dedup_tag = ?", (tag,)).fetchone()
            if row is not None:
                record_id = row[0]
                summary = _summary_from_json(record_id, self._unseal_json(row[1], "credentials", "summary", record_id))
                summary = replace(
                    summary,
                    sources=_merge_sources(summary.sources, source),
                    tags=_normalise_tags((*summary.tags, *tags)),
                )
                if report is not None:
                    summary = self._write_report(summary, report, now)
                self._write_summary(summary)
                return AddResult(record_id, merged=True)
            summary = CredentialSummary(
                id=new_record_id(),
                display=display or describe_credential(credential),
                media_type=media_type,
                added_at=now,
                tags=_normalise_tags(tags),
                sources=(source,),
            )
            if report is not None:
                verdict, verified_at = _verification_of(report, now)
                summary = replace(summary, verdict=verdict, verified_at=verified_at)
            self._insert_credential(summary, tag, bytes(original), credential, report)
            return AddResult(summary.id, merged=False)

    def _insert_credential(
        self, summary: CredentialSummary, tag: bytes, original: bytes,
        credential: Mapping[str, Any] | None, report: Mapping[str, Any] | None,
    ) -> None:
        rid = summary.id
        db = self._db
        db.execute(
            "INSERT INTO credentials(id, dedup_tag, summary) VALUES (?, ?, ?)",
            (rid, tag, self._seal_json(_summary_to_json(summary), "credentials", "summary", rid)),
        )
        db.execute(
            "INSERT INTO credential_blobs(id, original, parsed, report) VALUES (?, ?, ?, ?)",
            (
                rid,
                self._cipher.seal(original, _aad("credential_blobs", "original", rid)),
                self._seal_json(credential, "credential_blobs", "parsed", rid),
                None if report is None else self._seal_json(report, "credential_blobs", "report", rid),
            ),
        )
        if self._index is not None:
            self._index[rid] = _indexed(summary)

    def _write_report(
        self, summary: CredentialSummary, report: Mapping[str, Any], now: datetime
    ) -> CredentialSummary:
        """Stores the report; returns the summary with its verdict (the caller writes the summary)."""
        self._db.execute(
            "UPDATE credential_blobs SET report = ? WHERE id = ?",
            (self._seal_json(report, "credential_blobs", "report", summary.id), summary.id),
        )
        verdict, verified_at = _verification_of(report, now)
        return replace(summary, verdict=verdict, verified_at=verified_at)

    def _write_summary(self, summary: CredentialSummary) -> None:
        cur = self._db.execute(
            "UPDATE credentials SET summary = ? WHERE id = ?",
            (self._seal_json(_summary_to_json(summary), "credentials", "summary", summary.id), summary.id),
        )
        if cur.rowcount != 1:
            raise RecordNotFoundError("credential", summary.id)
        if self._index is not None:
            self._index[summary.id] = _indexed(summary)

    def _read_summary(self, record_id: str) -> CredentialSummary:
        row = self._db.execute("SELECT summary FROM credentials WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise RecordNotFoundError("credential", record_id)
        return _summary_from_json(record_id, self._unseal_json(row[0], "credentials", "summary", record_id))

    def get_summary(self, record_id: str) -> CredentialSummary:
        with self._lock:
            return self._read_summary(record_id)

    def get_credential(self, record_id: str) -> CredentialRecord:
        with self._lock:
            summary = self._read_summary(record_id)
            row = self._db.execute(
                "SELECT original, parsed, report FROM credential_blobs WHERE id = ?", (record_id,)
            ).fetchone()
            if row is None:
                raise CorruptRecordError(f"the credential {record_id} has lost its contents: the wallet is damaged")
            return CredentialRecord(
                summary=summary,
                original=self._unseal(row[0], "credential_blobs", "original", record_id),
                credential=self._unseal_json(row[1], "credential_blobs", "parsed", record_id),
                report=None if row[2] is None else self._unseal_json(row[2], "credential_blobs", "report", record_id),
            )

    def record_verification(self, record_id: str, report: Mapping[str, Any]) -> CredentialSummary:
        """Replaces the latest report (``VerificationReport.to_json()``) and the verdict shown."""
        with self.transaction():
            summary = self._write_report(self._read_summary(record_id), report, self._clock())
            self._write_summary(summary)
            return summary

    def set_tags(self, record_id: str, tags: Iterable[str]) -> CredentialSummary:
        with self.transaction():
            summary = replace(self._read_summary(record_id), tags=_normalise_tags(tags))
            self._write_summary(summary)
            return summary

    def delete_credential(self, record_id: str) -> None:
        """Deletes the credential; its share history stays (that data left the wallet)."""
        with self.transaction():
            cur = self._db.execute("DELETE FROM credentials WHERE id = ?", (record_id,))
            if cur.rowcount != 1:
                raise RecordNotFoundError("credential", record_id)
            if self._index is not None:
                self._index.pop(record_id, None)

    def credential_ids(self) -> list[str]:
        """Ids in the order they were added."""
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT id FROM credentials ORDER BY seq")]

    def iter_credentials(self) -> Iterator[CredentialRecord]:
        """Every record, oldest first; safe to update records while iterating (re-verify all)."""
        for record_id in self.credential_ids():
            try:
                yield self.get_credential(record_id)
            except RecordNotFoundError:
                continue  # deleted meanwhile

    def count_credentials(self) -> int:
        with self._lock:
            return len(self._current_index())

    # -- first screen and search -------------------------------------------------------------

    def _current_index(self) -> dict[str, _Indexed]:
        (version,) = self._db.execute("PRAGMA data_version").fetchone()
        if self._index is None or version != self._index_version:
            index: dict[str, _Indexed] = {}
            for record_id, blob in self._db.execute("SELECT id, summary FROM credentials ORDER BY seq"):
                data = self._unseal_json(blob, "credentials", "summary", record_id)
                index[record_id] = _indexed(_summary_from_json(record_id, data))
            self._index, self._index_version = index, version
        return self._index

    def list_credentials(self, *, sort: SortOrder = "added", offset: int = 0, limit: int | None = 50) -> SearchPage:
        """A page of credentials. Newest-first pages right after unlock decrypt only that page, so
        the first screen does not wait for the whole search index (built on the first search)."""
        if sort == "added" and limit is not None:
            with self._lock:
                (version,) = self._db.execute("PRAGMA data_version").fetchone()
                if self._index is None or version != self._index_version:
                    (total,) = self._db.execute("SELECT COUNT(*) FROM credentials").fetchone()
                    rows = self._db.execute(
                        "SELECT id, summary FROM credentials ORDER BY seq DESC LIMIT ? OFFSET ?", (limit, offset)
                    ).fetchall()
                    items = tuple(
                        _summary_from_json(rid, self._unseal_json(blob, "credentials", "summary", rid))
                        for rid, blob in rows
                    )
                    return SearchPage(total=total, items=items)
        return self.search("", sort=sort, offset=offset, limit=limit)

    def warm_search_index(self) -> None:
        """Decrypt every summary now (e.g. in the background after the first screen)."""
        with self._lock:
            self._current_index()

    def search(
        self,
        query: str = "",
        *,
        tags: Iterable[str] = (),
        verdicts: Iterable[str | None] = (),
        sort: SortOrder = "added",
        offset: int = 0,
        limit: int | None = 50,
    ) -> SearchPage:
        """Credentials whose name, issuer, skills or tags contain every word of ``query``.

        Matching ignores case and accents. ``tags``: all must be present; ``verdicts``: any
        (None = never verified). Summaries are decrypted once per unlock and kept in memory.
        """
        terms = fold_for_search(query).split()
        wanted_tags = set(tags)
        wanted_verdicts = set(verdicts)
        with self._lock:
            entries: Iterable[_Indexed] = self._current_index().values()
            hits = [
                e for e in entries
                if all(t in e.haystack for t in terms)
                and wanted_tags.issubset(e.summary.tags)
                and (not wanted_verdicts or e.summary.verdict in wanted_verdicts)
            ]
        summaries = [e.summary for e in hits]
        if sort == "added":
            summaries.reverse()  # newest first; the index is in insertion order
        elif sort == "issued":
            summaries.sort(key=lambda s: s.display.issued or "", reverse=True)
        elif sort == "name":
            summaries.sort(key=lambda s: fold_for_search(s.display.name))
        elif sort == "issuer":
            summaries.sort(key=lambda s: fold_for_search(s.display.issuer))
        else:
            raise ValueError(f"unknown sort order {sort!r}")
        end = None if limit is None else offset + limit
        return SearchPage(total=len(summaries), items=tuple(summaries[offset:end]))

    # -- holder profiles ---------------------------------------------------------------------

    def create_profile(self, label: str) -> HolderProfile:
        """A new identity with a fresh Ed25519 key; the first one becomes the default."""
        key = ed25519.Ed25519PrivateKey.generate()
        return self._insert_profile(new_record_id(), label, key, self._clock())

    def _insert_profile(
        self, profile_id: str, label: str, key: ed25519.Ed25519PrivateKey, created_at: datetime
    ) -> HolderProfile:
        profile = HolderProfile(
            id=profile_id, label=label, did="did:key:" + encode_multikey(key.public_key()), created_at=created_at
        )
        raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        with self.transaction():
            self._db.execute(
                "INSERT INTO profiles(id, sealed) VALUES (?, ?)",
                (profile_id, self._seal_json(_profile_to_json(profile, raw), "profiles", "sealed", profile_id)),
            )
            if self._default_profile_id() is None:
                self.set_default_profile(profile_id)
        return profile

    def _profile_row(self, profile_id: str) -> dict[str, Any]:
        row = self._db.execute("SELECT sealed FROM profiles WHERE id = ?", (profile_id,)).fetchone()
        if row is None:
            raise RecordNotFoundError("profile", profile_id)
        data: dict[str, Any] = self._unseal_json(row[0], "profiles", "sealed", profile_id)
        return data

    def get_profile(self, profile_id: str) -> HolderProfile:
        with self._lock:
            return _profile_from_json(profile_id, self._profile_row(profile_id))

    def list_profiles(self) -> list[HolderProfile]:
        with self._lock:
            rows = self._db.execute("SELECT id, sealed FROM profiles ORDER BY seq").fetchall()
            return [_profile_from_json(pid, self._unseal_json(b, "profiles", "sealed", pid)) for pid, b in rows]

    def rename_profile(self, profile_id: str, label: str) -> HolderProfile:
        with self.transaction():
            data = self._profile_row(profile_id)
            data["label"] = label
            self._db.execute(
                "UPDATE profiles SET sealed = ? WHERE id = ?",
                (self._seal_json(data, "profiles", "sealed", profile_id), profile_id),
            )
            return _profile_from_json(profile_id, data)

    def signing_key(self, profile_id: str) -> ed25519.Ed25519PrivateKey:
        """The profile's private key, for signing presentations and binding offers to its DID."""
        with self._lock:
            raw = _crypto.unb64(self._profile_row(profile_id)["private_key"])
        return ed25519.Ed25519PrivateKey.from_private_bytes(raw)

    def _default_profile_id(self) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE name = 'default_profile'").fetchone()
        if row is None:
            return None
        value: str = self._unseal_json(row[0], "meta", "value", "default_profile")
        return value

    def default_profile(self) -> HolderProfile | None:
        with self._lock:
            profile_id = self._default_profile_id()
            return None if profile_id is None else self.get_profile(profile_id)

    def set_default_profile(self, profile_id: str) -> None:
        with self.transaction():
            self._profile_row(profile_id)  # must exist
            self._db.execute(
                "INSERT OR REPLACE INTO meta(name, value) VALUES ('default_profile', ?)",
                (self._seal_json(profile_id, "meta", "value", "default_profile"),),
            )

    # -- share history -----------------------------------------------------------------------

    def record_share(
        self,
        credential_id: str,
        recipient: str,
        *,
        expires_at: datetime | None = None,
        details: Mapping[str, Any] | None = None,
        shared_at: datetime | None = None,
    ) -> ShareEntry:
        """Notes that a credential was shared with ``recipient`` (a domain), until ``expires_at``."""
        with self.transaction():
            name = self._read_summary(credential_id).display.name
            entry = ShareEntry(
                id=new_record_id(), credential_id=credential_id, credential_name=name, recipient=recipient,
                shared_at=shared_at or self._clock(), expires_at=expires_at, details=dict(details or {}),
            )
            self._insert_share(entry)
            return entry

    def _insert_share(self, entry: ShareEntry) -> None:
        self._db.execute(
            "INSERT INTO shares(id, sealed) VALUES (?, ?)",
            (entry.id, self._seal_json(_share_to_json(entry), "shares", "sealed", entry.id)),
        )

    def list_shares(self, credential_id: str | None = None) -> list[ShareEntry]:
        """The share history, oldest first; only one credential's when ``credential_id`` is given."""
        with self._lock:
            rows = self._db.execute("SELECT id, sealed FROM shares ORDER BY seq").fetchall()
            entries = [_share_from_json(sid, self._unseal_json(b, "shares", "sealed", sid)) for sid, b in rows]
        return [e for e in entries if credential_id is None or e.credential_id == credential_id]

    def mark_unshared(self, share_id: str, *, at: datetime | None = None) -> ShareEntry:
        with self.transaction():
            row = self._db.execute("SELECT sealed FROM shares WHERE id = ?", (share_id,)).fetchone()
            if row is None:
                raise RecordNotFoundError("share", share_id)
            entry = _share_from_json(share_id, self._unseal_json(row[0], "shares", "sealed", share_id))
            if entry.unshared_at is None:
                entry = replace(entry, unshared_at=at or self._clock())
                self._db.execute(
                    "UPDATE shares SET sealed = ? WHERE id = ?",
                    (self._seal_json(_share_to_json(entry), "shares", "sealed", share_id), share_id),
                )
            return entry

    # -- backup ------------------------------------------------------------------------------

    def backup(self, dest: str | os.PathLike[str], passphrase: str, *, kdf: KdfParams | None = None) -> Path:
        """Writes an encrypted backup of the whole wallet to ``dest`` (see ``wallet.store.backup``)."""
        from .backup import write_backup

        return write_backup(self, Path(dest), passphrase, kdf=kdf)

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

    def _restore_credential(
        self, summary: CredentialSummary, original: bytes, credential: Mapping[str, Any] | None,
        report: Mapping[str, Any] | None,
    ) -> None:
        tag = self._cipher.dedup_tag(_content_identity(original, credential))
        self._insert_credential(summary, tag, original, credential, report)


def _profile_to_json(profile: HolderProfile, private_key: bytes) -> dict[str, Any]:
    return {
        "label": profile.label, "did": profile.did, "created_at": _iso(profile.created_at),
        "private_key": _crypto.b64(private_key),
    }


def _profile_from_json(profile_id: str, data: Mapping[str, Any]) -> HolderProfile:
    return HolderProfile(
        id=profile_id, label=data["label"], did=data["did"], created_at=_required_time(data["created_at"])
    )


def _share_to_json(entry: ShareEntry) -> dict[str, Any]:
    return {
        "credential_id": entry.credential_id, "credential_name": entry.credential_name,
        "recipient": entry.recipient, "shared_at": _iso(entry.shared_at), "expires_at": _iso(entry.expires_at),
        "unshared_at": _iso(entry.unshared_at), "details": dict(entry.details),
    }


def _share_from_json(share_id: str, data: Mapping[str, Any]) -> ShareEntry:
    return ShareEntry(
        id=share_id, credential_id=data["credential_id"], credential_name=data["credential_name"],
        recipient=data["recipient"], shared_at=_required_time(data["shared_at"]),
        expires_at=_parse_time(data.get("expires_at")), unshared_at=_parse_time(data.get("unshared_at")),
        details=data.get("details") or {},
    )
