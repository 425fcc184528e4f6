"""Bitstring Status List v1.0 (W3C) and its predecessor StatusList2021.

encodedList = multibase base64url (``u``) of the GZIP-compressed bitstring (StatusList2021:
plain base64url, no multibase prefix); index 0 is the left-most bit of the first byte
(Bitstring Status List §4.2 / §4.3).
"""

from __future__ import annotations

import zlib

from .._encoding import b64url_decode, b64url_encode, inflate_bounded
from .._errors import MalformedError

MAX_LIST_BYTES = 16 * 1024 * 1024  # 128 Mi entries: far beyond any real list


def decode_encoded_list(value: object, multibase: bool = True) -> bytes:
    if not isinstance(value, str) or not value:
        raise MalformedError("encodedList is missing")
    body = value
    if multibase:
        if not value.startswith("u"):
            raise MalformedError("encodedList is not multibase base64url")
        body = value[1:]
    try:
        compressed = b64url_decode(body, strict=False)
    except MalformedError:
        raise MalformedError("encodedList is not base64url") from None
    return inflate_bounded(compressed, MAX_LIST_BYTES, what="encodedList (GZIP)", wbits=16 + zlib.MAX_WBITS)


def encode_list(bits: bytes) -> str:
    gz = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    data = gz.compress(bits) + gz.flush()
    return "u" + b64url_encode(data)


def read_status(bitstring: bytes, index: int, size: int = 1) -> int:
    """The ``size``-bit value at entry ``index`` (most significant bit first)."""
    start = index * size
    if index < 0 or start + size > len(bitstring) * 8:
        raise IndexError(index)
    value = 0
    for bit in range(start, start + size):
        value = (value << 1) | ((bitstring[bit // 8] >> (7 - bit % 8)) & 1)
    return value


def set_status(bitstring: bytearray, index: int, value: int, size: int = 1) -> None:
    start = index * size
    for i in range(size):
        bit = start + i
        mask = 1 << (7 - bit % 8)
        if (value >> (size - 1 - i)) & 1:
            bitstring[bit // 8] |= mask
        else:
            bitstring[bit // 8] &= ~mask & 0xFF
