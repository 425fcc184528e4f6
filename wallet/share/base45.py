"""Base45 (RFC 9285): bytes as text in the QR code alphanumeric alphabet.

RFC 9285 §4: every two bytes ``a, b`` make ``n = a * 256 + b`` written as three characters
``c, d, e`` with ``n = c + d * 45 + e * 45²`` (least significant first); a lone last byte makes
two characters. §4.2: decoding refuses a character outside the alphabet, a triple above 65535,
a pair above 255, and a length that leaves one character over.

Why base45 rather than base64: the QR alphanumeric mode (ISO/IEC 18004 §7.4.4) packs two of its
45 characters into 11 bits, 5.5 bits a character, so base45 costs 8.25 bits a byte against 8 in
byte mode and 10.7 for base64 in byte mode (RFC 9285 §1; the EU DCC ``HC1:`` code does the same).
"""

from __future__ import annotations

__all__ = ["ALPHABET", "Base45Error", "b45decode", "b45encode"]

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"  # RFC 9285 §4.2, Table 1
_VALUES = {c: i for i, c in enumerate(ALPHABET)}


class Base45Error(ValueError):
    """Text that is not base45 (RFC 9285 §4.2 says a decoder MUST refuse it)."""


def b45encode(data: bytes) -> str:
    out: list[str] = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += (ALPHABET[c], ALPHABET[d], ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (ALPHABET[c], ALPHABET[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    try:
        values = [_VALUES[c] for c in text]
    except KeyError as exc:
        raise Base45Error(f"{exc.args[0]!r} is not a base45 character") from None
    if len(values) % 3 == 1:
        raise Base45Error("base45 text cannot be 1 more than a multiple of 3 characters long")
    out = bytearray()
    for i in range(0, len(values) - 2, 3):
        n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025
        if n > 0xFFFF:
            raise Base45Error("a base45 triple above 65535")
        out += n.to_bytes(2, "big")
    if len(values) % 3 == 2:
        n = values[-2] + values[-1] * 45
        if n > 0xFF:
            raise Base45Error("a base45 pair above 255")
        out.append(n)
    return bytes(out)
