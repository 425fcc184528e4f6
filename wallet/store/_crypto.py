"""Key derivation, key wrapping and record sealing for the store and its backups.

Keys: passphrase --KDF--> KEK (wraps) data key --HKDF--> record key (AES-256-GCM) and
dedup key (HMAC-SHA256). The data key never changes for the life of a wallet, so a
passphrase change rewrites one row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
import zlib
from dataclasses import dataclass
from typing import Any, ClassVar

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from credentials import MalformedError, inflate_bounded

from .errors import EmptyPassphraseError, UnsupportedFormatError

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16

# Ceilings for parameters read from a file: a crafted wallet or backup must not be able to
# make us allocate gigabytes or spin for minutes before the passphrase is even checked.
_MAX_MEMORY_KIB = 1 << 21  # 2 GiB
_MAX_ITERATIONS = 64
_MAX_LANES = 64
_MAX_SCRYPT_LOG2_N = 22


@dataclass(frozen=True)
class Argon2idParams:
    """Argon2id cost. The default is RFC 9106's second recommended option (64 MiB, t=3, p=4)."""

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4
    name: ClassVar[str] = "argon2id"

    def derive(self, secret: bytes, salt: bytes) -> bytes:
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

        kdf = Argon2id(
            salt=salt, length=KEY_BYTES, iterations=self.iterations, lanes=self.lanes,
            memory_cost=self.memory_kib,
        )
        return kdf.derive(secret)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "memory_kib": self.memory_kib, "iterations": self.iterations,
                "lanes": self.lanes}


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost; used where this build's OpenSSL has no Argon2id."""

    log2_n: int = 17
    r: int = 8
    p: int = 1
    name: ClassVar[str] = "scrypt"

    def derive(self, secret: bytes, salt: bytes) -> bytes:
        return Scrypt(salt=salt, length=KEY_BYTES, n=1 << self.log2_n, r=self.r, p=self.p).derive(secret)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "log2_n": self.log2_n, "r": self.r, "p": self.p}


KdfParams = Argon2idParams | ScryptParams


def argon2id_available() -> bool:
    try:
        Argon2idParams(memory_kib=8, iterations=1, lanes=1).derive(b"probe", b"\0" * SALT_BYTES)
    except (ImportError, UnsupportedAlgorithm):
        return False
    return True


def default_kdf() -> KdfParams:
    return Argon2idParams() if argon2id_available() else ScryptParams()


def _int_field(data: dict[str, Any], key: str, low: int, high: int) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise UnsupportedFormatError(f"the key-derivation parameter {key!r} is missing or out of range")
    return value


def kdf_from_json(data: object) -> KdfParams:
    if not isinstance(data, dict):
        raise UnsupportedFormatError("the key-derivation parameters are missing")
    name = data.get("name")
    if name == Argon2idParams.name:
        lanes = _int_field(data, "lanes", 1, _MAX_LANES)
        return Argon2idParams(
            memory_kib=_int_field(data, "memory_kib", 8 * lanes, _MAX_MEMORY_KIB),
            iterations=_int_field(data, "iterations", 1, _MAX_ITERATIONS),
            lanes=lanes,
        )
    if name == ScryptParams.name:
        return ScryptParams(
            log2_n=_int_field(data, "log2_n", 1, _MAX_SCRYPT_LOG2_N),
            r=_int_field(data, "r", 1, 32),
            p=_int_field(data, "p", 1, 16),
        )
    raise UnsupportedFormatError(f"unknown key-derivation function {name!r}")


def passphrase_bytes(passphrase: str) -> bytes:
    """NFC first: the same passphrase typed on macOS (NFD input) and elsewhere must match."""
    if not passphrase:
        raise EmptyPassphraseError()
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive_kek(passphrase: str, kdf: KdfParams, salt: bytes) -> bytes:
    try:
        return kdf.derive(passphrase_bytes(passphrase), salt)
    except UnsupportedAlgorithm:
        raise UnsupportedFormatError(f"this build of Satchel cannot run the {kdf.name} key derivation") from None


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text, validate=True)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """Raises ``InvalidTag`` when the blob, its associated data or the key do not match."""
    if len(blob) < NONCE_BYTES + 16:
        raise InvalidTag()
    return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)


def hkdf_subkey(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose).derive(master)


def padded_length(n: int) -> int:
    """Bucket sizes so a ciphertext's length says little about the name or badge inside.

    Multiples of 256 bytes up to 64 KiB, then Padmé (Nikitin et al., 2019), which
    costs at most 12 % and leaks O(log log n) bits of the length.
    """
    if n <= 1 << 16:
        return max(256, -(-n // 256) * 256)
    exponent = n.bit_length() - 1
    low_bits = exponent - exponent.bit_length()
    mask = (1 << low_bits) - 1
    return (n + mask) & ~mask


def pad(data: bytes) -> bytes:
    # ISO/IEC 7816-4 padding: one 0x80 byte, then zeros, so unpadding needs no length field.
    body = data + b"\x80"
    return body + b"\0" * (padded_length(len(body)) - len(body))


def unpad(data: bytes) -> bytes:
    end = len(data.rstrip(b"\0"))
    if end == 0 or data[end - 1] != 0x80:
        raise ValueError("bad padding")
    return data[: end - 1]


_RAW, _ZLIB = b"\x00", b"\x01"
_COMPRESS_FROM = 512  # summaries stay below this: the first screen decrypts 10,000 of them


def pack(data: bytes) -> bytes:
    """Compresses before sealing when it pays (JSON does, PNG does not); lossless, one flag byte."""
    if len(data) >= _COMPRESS_FROM:
        packed = zlib.compress(data, 6)
        if len(packed) < len(data) * 0.9:
            return _ZLIB + packed
    return _RAW + data


MAX_RECORD_BYTES = 64 * 1024 * 1024  # an import is at most 16 MiB; a record is that and its JSON


def unpack(data: bytes) -> bytes:
    if data[:1] == _RAW:
        return data[1:]
    if data[:1] == _ZLIB:
        # Sealed under the wallet's key, so only its holder could plant a bomb; bounded all the same.
        try:
            return inflate_bounded(data[1:], MAX_RECORD_BYTES, what="a stored record")
        except MalformedError as exc:
            raise ValueError(str(exc)) from None
    raise ValueError("unknown record encoding")


class RecordCipher:
    """Seals records under keys derived from the data key; associated data names the slot.

    Plaintext layout: pack() flag + body, then pad(); the length after padding reveals little.
    """

    def __init__(self, data_key: bytes) -> None:
        self._aead = AESGCM(hkdf_subkey(data_key, b"satchel/store/v1/records"))
        self._dedup_key = hkdf_subkey(data_key, b"satchel/store/v1/dedup")
        # For the app's caches of fetched documents and badge pictures (wallet/store/sealed_cache.py).
        self.cache_key = hkdf_subkey(data_key, b"satchel/store/v1/cache")

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, pad(pack(plaintext)), aad)

    def unseal(self, blob: bytes, aad: bytes) -> bytes:
        """Raises ``InvalidTag`` (or ``ValueError`` for the layout) on anything not sealed by us."""
        if len(blob) < NONCE_BYTES + 16:
            raise InvalidTag()
        try:
            return unpack(unpad(self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)))
        except zlib.error:
            raise ValueError("undecodable record") from None

    def dedup_tag(self, identity: bytes) -> bytes:
        return hmac.new(self._dedup_key, identity, hashlib.sha256).digest()
