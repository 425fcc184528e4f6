"""The encrypted wallet file: one SQLite database, every record sealed.

What an attacker holding the file learns: how many credentials, profiles and shares there
are, the order they were added, and each blob's size to within a padding bucket. Names,
issuers, dates, tags, sources, reports and keys are only ever stored sealed.

This module is what the records mean (credentials, search, profiles, shares, the backup's
logical dump); the file layout, key slot, transactions and sealing are ``_database``, the sealed
JSON shapes ``_records``, matching and sorting ``_search``, the backup file format ``_backup_format``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from credentials import did_key_from_public_key

from . import _crypto
from ._backup_format import Frame, write_backup_file
from ._crypto import KdfParams, RecordCipher
from ._database import FORMAT_VERSION, SealedDatabase, attach, initialise_file, unlock_file
from ._files import publish_no_clobber, remove_database_files, temporary_sibling
from ._records import (
    content_identity,
    merge_sources,
    new_record_id,
    normalise_tags,
    profile_from_json,
    profile_to_json,
    share_from_json,
    share_to_json,
    summary_from_json,
    summary_to_json,
    utc_now,
    with_verification,
)
from ._search import Indexed, indexed, search_entries
from .display import describe_credential
from .errors import CorruptRecordError, RecordNotFoundError, StoreExistsError, StoreNotFoundError
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
from .pending import PendingIssuance, pending_from_json, pending_to_json


class Store(SealedDatabase):
    """An unlocked wallet. Use ``Store.create`` or ``Store.open``; close it (or use ``with``).

    Safe to share between threads (one lock); other processes may open the same file, and
    the first-screen cache notices their commits.
    """

    def __init__(
        self, conn: sqlite3.Connection, path: Path, cipher: RecordCipher, kdf: KdfParams,
        clock: Callable[[], datetime],
    ) -> None:
        super().__init__(conn, path, cipher, kdf, clock)
        self._index: dict[str, Indexed] | None = None
        self._index_version = -1

    def _forget_cached(self) -> None:
        self._index = None

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
            initialise_file(temp, passphrase, kdf, data_key)
            publish_no_clobber(temp, dest)
        finally:
            remove_database_files(temp)
        return cls._attach(dest, data_key, kdf, clock)

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], passphrase: str, *, clock: Callable[[], datetime] = utc_now,
    ) -> Store:
        """Unlocks an existing wallet. Nothing in the file is written, whatever the outcome."""
        source = Path(path)
        if not source.is_file():
            raise StoreNotFoundError(source)
        _crypto.passphrase_bytes(passphrase)
        data_key, kdf = unlock_file(source, passphrase)
        return cls._attach(source, data_key, kdf, clock)

    @classmethod
    def _attach(cls, path: Path, data_key: bytes, kdf: KdfParams, clock: Callable[[], datetime]) -> Store:
        """The wallet at ``path`` opened with its data key (after the file's key check)."""
        conn, cipher = attach(path, data_key)
        return cls(conn, path, cipher, kdf, clock)

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
        tag = self._cipher.dedup_tag(content_identity(bytes(original), credential))
        with self.transaction():
            row = self._db.execute("SELECT id, summary FROM credentials WHERE dedup_tag = ?", (tag,)).fetchone()
            if row is not None:
                record_id = row[0]
                summary = summary_from_json(record_id, self._unseal_json(row[1], "credentials", "summary", record_id))
                summary = replace(
                    summary,
                    sources=merge_sources(summary.sources, source),
                    tags=normalise_tags((*summary.tags, *tags)),
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
                tags=normalise_tags(tags),
                sources=(source,),
            )
            if report is not None:
                summary = with_verification(summary, report, now)
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
            (rid, tag, self._seal_json(summary_to_json(summary), "credentials", "summary", rid)),
        )
        db.execute(
            "INSERT INTO credential_blobs(id, original, parsed, report) VALUES (?, ?, ?, ?)",
            (
                rid,
                self._seal(original, "credential_blobs", "original", rid),
                self._seal_json(credential, "credential_blobs", "parsed", rid),
                None if report is None else self._seal_json(report, "credential_blobs", "report", rid),
            ),
        )
        if self._index is not None:
            self._index[rid] = indexed(summary)

    def _write_report(
        self, summary: CredentialSummary, report: Mapping[str, Any], now: datetime
    ) -> CredentialSummary:
        """Stores the report; returns the summary with its verdict (the caller writes the summary)."""
        self._db.execute(
            "UPDATE credential_blobs SET report = ? WHERE id = ?",
            (self._seal_json(report, "credential_blobs", "report", summary.id), summary.id),
        )
        return with_verification(summary, report, now)

    def _write_summary(self, summary: CredentialSummary) -> None:
        cur = self._db.execute(
            "UPDATE credentials SET summary = ? WHERE id = ?",
            (self._seal_json(summary_to_json(summary), "credentials", "summary", summary.id), summary.id),
        )
        if cur.rowcount != 1:
            raise RecordNotFoundError("credential", summary.id)
        if self._index is not None:
            self._index[summary.id] = indexed(summary)

    def _read_summary(self, record_id: str) -> CredentialSummary:
        row = self._db.execute("SELECT summary FROM credentials WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise RecordNotFoundError("credential", record_id)
        return summary_from_json(record_id, self._unseal_json(row[0], "credentials", "summary", record_id))

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
            summary = replace(self._read_summary(record_id), tags=normalise_tags(tags))
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

    def _current_index(self) -> dict[str, Indexed]:
        (version,) = self._db.execute("PRAGMA data_version").fetchone()
        if self._index is None or version != self._index_version:
            index: dict[str, Indexed] = {}
            for record_id, blob in self._db.execute("SELECT id, summary FROM credentials ORDER BY seq"):
                data = self._unseal_json(blob, "credentials", "summary", record_id)
                index[record_id] = indexed(summary_from_json(record_id, data))
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
                        summary_from_json(rid, self._unseal_json(blob, "credentials", "summary", rid))
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
        with self._lock:
            entries = list(self._current_index().values())
        return search_entries(entries, query, tags=tags, verdicts=verdicts, sort=sort, offset=offset, limit=limit)

    # -- holder profiles ---------------------------------------------------------------------

    def create_profile(self, label: str) -> HolderProfile:
        """A new identity with a fresh Ed25519 key; the first one becomes the default."""
        key = ed25519.Ed25519PrivateKey.generate()
        return self._insert_profile(new_record_id(), label, key, self._clock())

    def _insert_profile(
        self, profile_id: str, label: str, key: ed25519.Ed25519PrivateKey, created_at: datetime
    ) -> HolderProfile:
        profile = HolderProfile(
            id=profile_id, label=label, did=did_key_from_public_key(key.public_key()), created_at=created_at
        )
        raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        with self.transaction():
            self._db.execute(
                "INSERT INTO profiles(id, sealed) VALUES (?, ?)",
                (profile_id, self._seal_json(profile_to_json(profile, raw), "profiles", "sealed", profile_id)),
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
            return profile_from_json(profile_id, self._profile_row(profile_id))

    def list_profiles(self) -> list[HolderProfile]:
        with self._lock:
            rows = self._db.execute("SELECT id, sealed FROM profiles ORDER BY seq").fetchall()
            return [profile_from_json(pid, self._unseal_json(b, "profiles", "sealed", pid)) for pid, b in rows]

    def rename_profile(self, profile_id: str, label: str) -> HolderProfile:
        with self.transaction():
            data = self._profile_row(profile_id)
            data["label"] = label
            self._db.execute(
                "UPDATE profiles SET sealed = ? WHERE id = ?",
                (self._seal_json(data, "profiles", "sealed", profile_id), profile_id),
            )
            return profile_from_json(profile_id, data)

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
            (entry.id, self._seal_json(share_to_json(entry), "shares", "sealed", entry.id)),
        )

    def list_shares(self, credential_id: str | None = None) -> list[ShareEntry]:
        """The share history, oldest first; only one credential's when ``credential_id`` is given."""
        with self._lock:
            rows = self._db.execute("SELECT id, sealed FROM shares ORDER BY seq").fetchall()
            entries = [share_from_json(sid, self._unseal_json(b, "shares", "sealed", sid)) for sid, b in rows]
        return [e for e in entries if credential_id is None or e.credential_id == credential_id]

    def mark_unshared(self, share_id: str, *, at: datetime | None = None) -> ShareEntry:
        with self.transaction():
            row = self._db.execute("SELECT sealed FROM shares WHERE id = ?", (share_id,)).fetchone()
            if row is None:
                raise RecordNotFoundError("share", share_id)
            entry = share_from_json(share_id, self._unseal_json(row[0], "shares", "sealed", share_id))
            if entry.unshared_at is None:
                entry = replace(entry, unshared_at=at or self._clock())
                self._db.execute(
                    "UPDATE shares SET sealed = ? WHERE id = ?",
                    (self._seal_json(share_to_json(entry), "shares", "sealed", share_id), share_id),
                )
            return entry

    # -- pending deferred issuance (wallet/store/pending.py) ---------------------------------

    def pending_issuances(self) -> list[PendingIssuance]:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'pending_issuance'").fetchone()
            items = [] if row is None else self._unseal_json(row[0], "meta", "value", "pending_issuance")
        return [pending_from_json(item) for item in items]

    def save_pending_issuance(self, item: PendingIssuance) -> None:
        """Adds ``item``, or replaces the one with its id."""
        with self.transaction():
            kept = [p for p in self.pending_issuances() if p.id != item.id] + [item]
            self._write_pending(kept)

    def remove_pending_issuance(self, item_id: str) -> None:
        with self.transaction():
            self._write_pending([p for p in self.pending_issuances() if p.id != item_id])

    def _write_pending(self, items: list[PendingIssuance]) -> None:
        sealed = self._seal_json([pending_to_json(p) for p in items], "meta", "value", "pending_issuance")
        self._db.execute("INSERT OR REPLACE INTO meta(name, value) VALUES ('pending_issuance', ?)", (sealed,))

    # -- backup ------------------------------------------------------------------------------

    def backup(self, dest: str | os.PathLike[str], passphrase: str, *, kdf: KdfParams | None = None) -> Path:
        """Writes an encrypted backup of the whole wallet, as one consistent snapshot, to ``dest``
        (replaced atomically; the format is ``wallet.store._backup_format``)."""
        frames = self._backup_frames()
        try:
            return write_backup_file(Path(dest), passphrase, frames, kdf=kdf)
        finally:
            frames.close()  # ends the read snapshot even when writing failed half-way

    def _backup_frames(self) -> Generator[Frame]:
        """The logical dump: W (wallet), P (profile; blob = Ed25519 private key), C (credential; blob =
        the original bytes), S (share), D (a deferred credential still on its way: its access token and
        transaction id are all that can collect it), E (end, with counts checked on restore). Not the
        SQLite file, so a backup restores into any later store format under a new data key."""
        counts = {"profiles": 0, "credentials": 0, "shares": 0}
        with self._snapshot():
            yield b"W", {"format": FORMAT_VERSION, "created_at": utc_now().isoformat()}, b""
            default_id = self._default_profile_id()
            for profile in self.list_profiles():
                raw = self.signing_key(profile.id).private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
                yield b"P", {"id": profile.id, "label": profile.label, "created_at": profile.created_at.isoformat(),
                             "default": profile.id == default_id}, raw
                counts["profiles"] += 1
            rows = self._db.execute(
                "SELECT c.id, c.summary, b.original, b.parsed, b.report"
                " FROM credentials c JOIN credential_blobs b ON b.id = c.id ORDER BY c.seq"
            )
            for record_id, summary, original, parsed, report in rows:
                meta = {
                    "id": record_id,
                    "summary": self._unseal_json(summary, "credentials", "summary", record_id),
                    "credential": self._unseal_json(parsed, "credential_blobs", "parsed", record_id),
                    "report": None if report is None
                    else self._unseal_json(report, "credential_blobs", "report", record_id),
                }
                yield b"C", meta, self._unseal(original, "credential_blobs", "original", record_id)
                counts["credentials"] += 1
            for entry in self.list_shares():
                yield b"S", {"id": entry.id, **share_to_json(entry)}, b""
                counts["shares"] += 1
            pending = self.pending_issuances()
            for item in pending:
                yield b"D", pending_to_json(item), b""
            if pending:  # counted only when there are some, so an older Satchel restores a backup without
                counts["pending"] = len(pending)
            yield b"E", {"counts": counts}, b""

    def _restore_credential(
        self, summary: CredentialSummary, original: bytes, credential: Mapping[str, Any] | None,
        report: Mapping[str, Any] | None,
    ) -> None:
        tag = self._cipher.dedup_tag(content_identity(original, credential))
        self._insert_credential(summary, tag, original, credential, report)
