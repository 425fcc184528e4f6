"""Multibase (base58btc ``z``, base64url ``u``) and multicodec public keys (Multikey).

did:key and Multikey values are ``z`` + base58btc(varint(codec) + raw key bytes)
(W3C Controller Documents 1.0 §2.2.2 Multikey; multicodec table).
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ._encoding import b64url_decode
from ._errors import MalformedError

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}

ED25519_PUB = b"\xed\x01"
P256_PUB = b"\x80\x24"
P384_PUB = b"\x81\x24"
ED25519_PRIV = b"\x80\x26"

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_B58[r])
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    if len(text) > 4096:
        raise MalformedError("base58 value too long")
    n = 0
    for ch in text:
        try:
            n = n * 58 + _B58_INDEX[ch]
        except KeyError:
            raise MalformedError(f"not base58btc: {ch!r}") from None
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\0" * pad + body


def multibase_decode(value: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise MalformedError("empty multibase value")
    prefix, body = value[0], value[1:]
    if prefix == "z":
        return b58decode(body)
    if prefix == "u":
        return b64url_decode(body, strict=False)
    raise MalformedError(f"unsupported multibase prefix {prefix!r}")


def multibase_encode_b58(data: bytes) -> str:
    return "z" + b58encode(data)


def decode_multikey(value: str) -> PublicKey:
    """A public key from a ``publicKeyMultibase`` / did:key method-specific id."""
    raw = multibase_decode(value)
    try:
        if raw[:2] == ED25519_PUB and len(raw) == 34:
            return ed25519.Ed25519PublicKey.from_public_bytes(raw[2:])
        if raw[:2] == P256_PUB:
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw[2:])
        if raw[:2] == P384_PUB:
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP384R1(), raw[2:])
    except ValueError:
        raise MalformedError("invalid public key bytes") from None
    raise MalformedError("unsupported or malformed multikey")


def encode_multikey(key: PublicKey) -> str:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return multibase_encode_b58(ED25519_PUB + key.public_bytes(Encoding.Raw, PublicFormat.Raw))
    point = key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    if isinstance(key.curve, ec.SECP256R1):
        return multibase_encode_b58(P256_PUB + point)
    if isinstance(key.curve, ec.SECP384R1):
        return multibase_encode_b58(P384_PUB + point)
    raise ValueError("unsupported key type")
