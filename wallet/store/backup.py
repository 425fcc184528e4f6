"""Encrypted, authenticated wallet backups: one file, restorable into a fresh wallet anywhere.

File layout (all integers big-endian)::

    magic        18 bytes  b"\\x89SATCHEL-BACKUP\\r\\n\\x1a\\n"  (PNG-style: catches text-mode copies)
    version      u16       1
    header_len   u32
    header       JSON: kdf {name + cost}, salt, nonce_prefix (7 bytes), key_check (16 bytes),
                 aead "AES-256-GCM", compression "zlib", chunk_size
    chunks       u32 length (top bit = final chunk) + AES-256-GCM ciphertext, repeated

Everything before the chunks is the associated data of every chunk, so the KDF parameters
cannot be downgraded unnoticed. Chunk ``i``'s nonce is nonce_prefix + u32 i + final flag (the
STREAM construction): reordering, dropping or truncating chunks fails authentication, and
bytes after the final chunk are refused.

Plaintext: a zlib stream of frames ``kind u8, meta_len u32, meta JSON, blob_len u32, blob``;
kinds W (wallet), P (profile; blob = Ed25519 private key), C (credential; blob = the
original bytes), S (share), E (end, with counts checked on restore). It is a logical dump,
not the SQLite file, so a backup restores into any later store format under a new data key.
"""

from __future__ import annotations

import hmac
import json
import os
import sqlite3
import struct
import zlib
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from . import _crypto
from ._crypto import KdfParams
from .errors import BackupError, StoreError, StoreExistsError, UnsupportedFormatError, WrongBackupPassphraseError
from .store import (
    FORMAT_VERSION,
    Store,
    _json_bytes,
    _share_from_json,
    _share_to_json,
    _summary_from_json,
    fsync_directory,
    fsync_path,
    publish_no_clobber,
    remove_database_files,
    temporary_sibling,
    utc_now,
)

MAGIC = b"\x89SATCHEL-BACKUP\r\n\x1a\n"
BACKUP_VERSION = 1
CHUNK_SIZE = 1 << 20
_FINAL = 0x8000_0000
_NONCE_PREFIX_BYTES = 7
_MAX_HEADER = 1 << 16
_RESTORE_BATCH = 1000  # records per commit into the (not yet published) restored wallet


def _backup_keys(passphrase: str, kdf: KdfParams, salt: bytes) -> tuple[bytes, bytes]:
    master = _crypto.derive_kek(passphrase, kdf, salt)
    payload_key = _crypto.hkdf_subkey(master, b"satchel/backup/v1/payload")
    key_check = _crypto.hkdf_subkey(master, b"satchel/backup/v1/key-check")[:16]
    return payload_key, key_check


def _nonce(prefix: bytes, counter: int, final: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if final else 0)


class _ChunkSealer:
    """Compresses, cuts into chunks and seals; the last chunk is marked final (maybe empty)."""

    def __init__(self, out: BinaryIO, key: bytes, nonce_prefix: bytes, aad: bytes) -> None:
        self._out, self._aead, self._prefix, self._aad = out, AESGCM(key), nonce_prefix, aad
        self._compressor = zlib.compressobj(6)
        self._pending = bytearray()
        self._counter = 0

    def write(self, data: bytes) -> None:
        self._pending += self._compressor.compress(data)
        while len(self._pending) > CHUNK_SIZE:
            self._emit(bytes(self._pending[:CHUNK_SIZE]), final=False)
            del self._pending[:CHUNK_SIZE]

    def finish(self) -> None:
        self._pending += self._compressor.flush()
        while len(self._pending) > CHUNK_SIZE:
            self._emit(bytes(self._pending[:CHUNK_SIZE]), final=False)
            del self._pending[:CHUNK_SIZE]
        self._emit(bytes(self._pending), final=True)

    def _emit(self, plaintext: bytes, *, final: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, final), plaintext, self._aad)
        self._out.write(struct.pack(">I", len(sealed) | (_FINAL if final else 0)) + sealed)
        self._counter += 1


def _frame(kind: bytes, meta: Mapping[str, Any], blob: bytes = b"") -> bytes:
    meta_bytes = _json_bytes(meta)
    return kind + struct.pack(">I", len(meta_bytes)) + meta_bytes + struct.pack(">I", len(blob)) + blob


def write_backup(store: Store, dest: Path, passphrase: str, *, kdf: KdfParams | None = None) -> Path:
    """Writes the whole wallet, as one consistent snapshot, to ``dest`` (replaced atomically)."""
    kdf = kdf or _crypto.default_kdf()
    salt = os.urandom(_crypto.SALT_BYTES)
    payload_key, key_check = _backup_keys(passphrase, kdf, salt)
    header_json = _json_bytes({
        "kdf": kdf.to_json(), "salt": _crypto.b64(salt),
        "nonce_prefix": _crypto.b64(os.urandom(_NONCE_PREFIX_BYTES)), "key_check": _crypto.b64(key_check),
        "aead": "AES-256-GCM", "compression": "zlib", "chunk_size": CHUNK_SIZE,
    })
    header = MAGIC + struct.pack(">HI", BACKUP_VERSION, len(header_json)) + header_json
    nonce_prefix = _crypto.unb64(json.loads(header_json)["nonce_prefix"])

    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = temporary_sibling(dest, "backup")
    try:
        fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(header)
            sealer = _ChunkSealer(out, payload_key, nonce_prefix, header)
            _dump(store, sealer)
            sealer.finish()
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, dest)  # the previous backup at dest survives until this one is whole
        fsync_directory(dest.parent)
    finally:
        if temp.exists():
            temp.unlink()
    return dest


def _dump(store: Store, sealer: _ChunkSealer) -> None:
    counts = {"profiles": 0, "credentials": 0, "shares": 0}
    with store._snapshot():
        db = store._db
        sealer.write(_frame(b"W", {"format": FORMAT_VERSION, "created_at": utc_now().isoformat()}))
        default_id = store._default_profile_id()
        for profile in store.list_profiles():
            raw = store.signing_key(profile.id).private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
            meta = {"id": profile.id, "label": profile.label, "created_at": profile.created_at.isoformat(),
                    "default": profile.id == default_id}
            sealer.write(_frame(b"P", meta, raw))
            counts["profiles"] += 1
        rows = db.execute(
            "SELECT c.id, c.summary, b.original, b.parsed, b.report"
            " FROM credentials c JOIN credential_blobs b ON b.id = c.id ORDER BY c.seq"
        )
        for record_id, summary, original, parsed, report in rows:
            meta = {
                "id": record_id,
                "summary": store._unseal_json(summary, "credentials", "summary", record_id),
                "credential": store._unseal_json(parsed, "credential_blobs", "parsed", record_id),
                "report": None if report is None
                else store._unseal_json(report, "credential_blobs", "report", record_id),
            }
            blob = store._unseal(original, "credential_blobs", "original", record_id)
            sealer.write(_frame(b"C", meta, blob))
            counts["credentials"] += 1
        for entry in store.list_shares():
            sealer.write(_frame(b"S", {"id": entry.id, **_share_to_json(entry)}))
            counts["shares"] += 1
        sealer.write(_frame(b"E", {"counts": counts}))


# -- restore -----------------------------------------------------------------------------------


def _read_exact(src: BinaryIO, n: int) -> bytes:
    data = src.read(n)
    if len(data) != n:
        raise BackupError("the backup is truncated (it ends too early); nothing was restored")
    return data


def _read_header(src: BinaryIO) -> tuple[bytes, dict[str, Any]]:
    magic = src.read(len(MAGIC))
    if magic != MAGIC:
        if magic and MAGIC.startswith(magic):
            raise BackupError("the backup is truncated (it ends inside its header); nothing was restored")
        raise BackupError("this is not a Satchel backup file")
    version, header_len = struct.unpack(">HI", _read_exact(src, 6))
    if version != BACKUP_VERSION:
        raise BackupError(f"this backup uses format {version}, which this Satchel cannot read; please update")
    if header_len > _MAX_HEADER:
        raise BackupError("the backup header is damaged")
    header_json = _read_exact(src, header_len)
    try:
        header = json.loads(header_json)
        if not isinstance(header, dict):
            raise ValueError
    except ValueError:
        raise BackupError("the backup header is damaged") from None
    return magic + struct.pack(">HI", version, header_len) + header_json, header


def _open_chunks(src: BinaryIO, key: bytes, nonce_prefix: bytes, aad: bytes, chunk_size: int) -> Iterator[bytes]:
    aead = AESGCM(key)
    counter = 0
    while True:
        (length_field,) = struct.unpack(">I", _read_exact(src, 4))
        final = bool(length_field & _FINAL)
        length = length_field & ~_FINAL
        if not 16 <= length <= chunk_size + 16:
            raise BackupError("the backup was altered or damaged (bad chunk length); nothing was restored")
        sealed = _read_exact(src, length)
        try:
            yield aead.decrypt(_nonce(nonce_prefix, counter, final), sealed, aad)
        except InvalidTag:
            raise BackupError(
                f"the backup was altered or damaged (part {counter + 1} failed its integrity check); "
                "nothing was restored"
            ) from None
        if final:
            if src.read(1):
                raise BackupError("the backup has extra data after its end; nothing was restored")
            return
        counter += 1


def _frames(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, dict[str, Any], bytes]]:
    inflater = zlib.decompressobj()
    pending = bytearray()
    for chunk in chunks:
        pending += inflater.decompress(chunk)
        offset = 0
        while True:
            if len(pending) - offset < 5:
                break
            kind = bytes(pending[offset : offset + 1])
            (meta_len,) = struct.unpack_from(">I", pending, offset + 1)
            blob_at = offset + 5 + meta_len
            if len(pending) < blob_at + 4:
                break
            (blob_len,) = struct.unpack_from(">I", pending, blob_at)
            end = blob_at + 4 + blob_len
            if len(pending) < end:
                break
            meta = json.loads(bytes(pending[offset + 5 : blob_at]))
            yield kind, meta, bytes(pending[blob_at + 4 : end])
            offset = end
        del pending[:offset]
    if pending or not inflater.eof or inflater.unused_data:
        raise BackupError("the backup ends in the middle of a record; nothing was restored")


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
        aad, header = _read_header(src_file)
        try:
            backup_kdf = _crypto.kdf_from_json(header.get("kdf"))
            salt = _crypto.unb64(header.get("salt"))
            nonce_prefix = _crypto.unb64(header.get("nonce_prefix"))
            expected_check = _crypto.unb64(header.get("key_check"))
            chunk_size = header.get("chunk_size")
            if not isinstance(chunk_size, int) or not 1 <= chunk_size <= 1 << 26:
                raise ValueError
            if len(nonce_prefix) != _NONCE_PREFIX_BYTES or header.get("aead") != "AES-256-GCM":
                raise ValueError
        except (ValueError, UnsupportedFormatError):
            raise BackupError("the backup header is damaged or uses parameters this Satchel refuses") from None
        payload_key, key_check = _backup_keys(passphrase, backup_kdf, salt)
        if not hmac.compare_digest(key_check, expected_check):
            raise WrongBackupPassphraseError()
        return _restore_into_new_store(
            _frames(_open_chunks(src_file, payload_key, nonce_prefix, aad, chunk_size)),
            dest, store_passphrase, kdf or _crypto.default_kdf(), clock,
        )


def _restore_into_new_store(
    frames: Iterator[tuple[bytes, dict[str, Any], bytes]], dest: Path, passphrase: str, kdf: KdfParams,
    clock: Callable[[], datetime],
) -> Store:
    data_key = os.urandom(_crypto.KEY_BYTES)
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = temporary_sibling(dest, "restoring")
    try:
        Store._initialise_file(temp, passphrase, kdf, data_key)
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
        self.counts = {"profiles": 0, "credentials": 0, "shares": 0}
        self.default_profile: str | None = None
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
            if meta.get("default"):
                self.default_profile = meta["id"]
            self.counts["profiles"] += 1
        elif kind == b"C":
            summary = _summary_from_json(meta["id"], meta["summary"])
            self.store._restore_credential(summary, blob, meta["credential"], meta["report"])
            self.counts["credentials"] += 1
        elif kind == b"S":
            self.store._insert_share(_share_from_json(meta["id"], meta))
            self.counts["shares"] += 1
        elif kind == b"E":
            if meta.get("counts") != self.counts:
                raise BackupError("the backup's record counts do not match its contents; nothing was restored")
            if self.default_profile is not None:
                self.store.set_default_profile(self.default_profile)
            self.ended = True
        else:
            raise BackupError(f"the backup holds an unknown record kind {kind!r}; please update Satchel")


def _load_frames(store: Store, frames: Iterator[tuple[bytes, dict[str, Any], bytes]]) -> None:
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
