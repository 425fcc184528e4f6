"""The backup file format: sealing a stream of frames into one file, and opening it again.

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

Plaintext: a zlib stream of frames ``kind u8, meta_len u32, meta JSON, blob_len u32, blob``.
It is inflated as a stream, never more than one chunk's worth of output per step, and a frame
larger than :data:`MAX_FRAME_BYTES` is refused, so a hostile backup cannot exhaust memory.
What the frames mean (the logical dump of a wallet) is ``Store.backup`` and ``wallet.store.backup``.
"""

from __future__ import annotations

import hmac
import json
import os
import struct
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import _crypto
from ._crypto import KdfParams
from ._files import fsync_directory, temporary_sibling
from ._records import json_bytes
from .errors import BackupError, UnsupportedFormatError, WrongBackupPassphraseError

MAGIC = b"\x89SATCHEL-BACKUP\r\n\x1a\n"
BACKUP_VERSION = 1
CHUNK_SIZE = 1 << 20
# A credential's original bytes are at most 16 MiB (wallet.paths.MAX_IMPORT_BYTES); its parsed
# JSON and report are of the same order. Anything beyond this is not a frame Satchel wrote.
MAX_FRAME_BYTES = 96 * 1024 * 1024
_FINAL = 0x8000_0000
_NONCE_PREFIX_BYTES = 7
_MAX_HEADER = 1 << 16

Frame = tuple[bytes, dict[str, Any], bytes]  # kind, meta, blob


def backup_keys(passphrase: str, kdf: KdfParams, salt: bytes) -> tuple[bytes, bytes]:
    """The payload key and the 16-byte key check, both from the backup passphrase."""
    master = _crypto.derive_kek(passphrase, kdf, salt)
    payload_key = _crypto.hkdf_subkey(master, b"satchel/backup/v1/payload")
    key_check = _crypto.hkdf_subkey(master, b"satchel/backup/v1/key-check")[:16]
    return payload_key, key_check


def _nonce(prefix: bytes, counter: int, final: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if final else 0)


def frame(kind: bytes, meta: Mapping[str, Any], blob: bytes = b"") -> bytes:
    meta_bytes = json_bytes(meta)
    return kind + struct.pack(">I", len(meta_bytes)) + meta_bytes + struct.pack(">I", len(blob)) + blob


# -- writing -----------------------------------------------------------------------------------


class ChunkSealer:
    """Compresses, cuts into chunks and seals; the last chunk is marked final (maybe empty)."""

    def __init__(self, out: BinaryIO, key: bytes, nonce_prefix: bytes, aad: bytes) -> None:
        self._out, self._aead, self._prefix, self._aad = out, AESGCM(key), nonce_prefix, aad
        self._compressor = zlib.compressobj(6)
        self._pending = bytearray()
        self._counter = 0

    def write(self, data: bytes) -> None:
        self._pending += self._compressor.compress(data)
        self._emit_full_chunks()

    def finish(self) -> None:
        self._pending += self._compressor.flush()
        self._emit_full_chunks()
        self._emit(bytes(self._pending), final=True)

    def _emit_full_chunks(self) -> None:
        while len(self._pending) > CHUNK_SIZE:
            self._emit(bytes(self._pending[:CHUNK_SIZE]), final=False)
            del self._pending[:CHUNK_SIZE]

    def _emit(self, plaintext: bytes, *, final: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, final), plaintext, self._aad)
        self._out.write(struct.pack(">I", len(sealed) | (_FINAL if final else 0)) + sealed)
        self._counter += 1


def write_backup_file(dest: Path, passphrase: str, frames: Iterable[Frame], *, kdf: KdfParams | None = None) -> Path:
    """Seals ``frames`` into a backup at ``dest`` (replaced atomically once complete)."""
    kdf = kdf or _crypto.default_kdf()
    salt = os.urandom(_crypto.SALT_BYTES)
    payload_key, key_check = backup_keys(passphrase, kdf, salt)
    nonce_prefix = os.urandom(_NONCE_PREFIX_BYTES)
    header_json = json_bytes({
        "kdf": kdf.to_json(), "salt": _crypto.b64(salt),
        "nonce_prefix": _crypto.b64(nonce_prefix), "key_check": _crypto.b64(key_check),
        "aead": "AES-256-GCM", "compression": "zlib", "chunk_size": CHUNK_SIZE,
    })
    header = MAGIC + struct.pack(">HI", BACKUP_VERSION, len(header_json)) + header_json

    dest.parent.mkdir(parents=True, exist_ok=True)
    temp = temporary_sibling(dest, "backup")
    try:
        fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(header)
            sealer = ChunkSealer(out, payload_key, nonce_prefix, header)
            for kind, meta, blob in frames:
                sealer.write(frame(kind, meta, blob))
            sealer.finish()
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, dest)  # the previous backup at dest survives until this one is whole
        fsync_directory(dest.parent)
    finally:
        if temp.exists():
            temp.unlink()
    return dest


# -- reading -----------------------------------------------------------------------------------


def read_backup_frames(src: BinaryIO, passphrase: str) -> Iterator[Frame]:
    """The frames of the backup open in ``src``, authenticated as they are read.

    The header and the passphrase are checked before this returns (BackupError,
    WrongBackupPassphraseError); the frames raise BackupError when the rest is altered or cut.
    """
    aad, header = _read_header(src)
    try:
        kdf = _crypto.kdf_from_json(header.get("kdf"))
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
    payload_key, key_check = backup_keys(passphrase, kdf, salt)
    if not hmac.compare_digest(key_check, expected_check):
        raise WrongBackupPassphraseError()
    return _frames(_open_chunks(src, payload_key, nonce_prefix, aad, chunk_size))


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


def _inflated(chunks: Iterator[bytes], inflater: zlib._Decompress) -> Iterator[bytes]:
    """The zlib stream's output, at most CHUNK_SIZE bytes per piece (a bomb cannot burst memory)."""
    for chunk in chunks:
        data = chunk
        while data:
            piece = inflater.decompress(data, CHUNK_SIZE)
            data = inflater.unconsumed_tail
            if piece:
                yield piece


def _split_frames(pending: bytearray) -> tuple[list[Frame], int]:
    """The whole frames at the start of ``pending``, and how many bytes they took."""
    found: list[Frame] = []
    offset = 0
    while len(pending) - offset >= 5:
        kind = bytes(pending[offset : offset + 1])
        (meta_len,) = struct.unpack_from(">I", pending, offset + 1)
        blob_at = offset + 5 + meta_len
        if len(pending) < blob_at + 4:
            break
        (blob_len,) = struct.unpack_from(">I", pending, blob_at)
        end = blob_at + 4 + blob_len
        if len(pending) < end:
            break
        found.append((kind, json.loads(bytes(pending[offset + 5 : blob_at])), bytes(pending[blob_at + 4 : end])))
        offset = end
    return found, offset


def _frames(chunks: Iterator[bytes]) -> Iterator[Frame]:
    inflater = zlib.decompressobj()
    pending = bytearray()
    for piece in _inflated(chunks, inflater):
        pending += piece
        found, used = _split_frames(pending)
        yield from found
        del pending[:used]
        if len(pending) > MAX_FRAME_BYTES:
            raise BackupError("the backup holds a record larger than any Satchel writes; nothing was restored")
    if pending or not inflater.eof or inflater.unused_data:
        raise BackupError("the backup ends in the middle of a record; nothing was restored")
