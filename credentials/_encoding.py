"""Byte encodings every format here shares: base64url (RFC 4648 §5) and bounded inflation.

One owner for each, so that a rule (strict base64url, a decompression limit) is decided once.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

from ._errors import MalformedError

__all__ = ["Base64Error", "b64url_decode", "b64url_encode", "inflate_bounded"]



class Base64Error(MalformedError, ValueError):
    """Not base64url (a ValueError too, as ``base64`` itself raises)."""


_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_B64URL_PADDED = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def b64url_encode(data: bytes) -> str:
    """base64url without padding (RFC 7515 §2, Appendix C)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, *, strict: bool = True, error: type[MalformedError] = Base64Error) -> bytes:
    """base64url to bytes; raises ``error`` (a MalformedError) on anything else.

    ``strict`` (JOSE, share links, did:jwk): alphabet ``A-Z a-z 0-9 - _`` only, no padding, no
    whitespace, and canonical (unused trailing bits zero), so every byte string has exactly one
    encoding. Not strict (status lists, whose publishers pad): padding is allowed.
    """
    if not isinstance(text, str):
        raise error("base64url value is not a string")
    pattern = _B64URL if strict else _B64URL_PADDED
    body = text if strict else text.rstrip("=")
    if len(body) % 4 == 1 or pattern.fullmatch(text) is None:
        raise error("not base64url (RFC 4648 §5: URL-safe alphabet" + (", no padding)" if strict else ")"))
    try:
        out = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise error("not valid base64url") from None
    if strict and b64url_encode(out) != text:
        raise error("non-canonical base64url (trailing bits are not zero)")
    return out


def inflate_bounded(data: bytes, limit: int, *, what: str = "the payload", wbits: int = zlib.MAX_WBITS,
                    zdict: bytes = b"", trailing: bool = True,
                    error: type[MalformedError] = MalformedError) -> bytes:
    """Inflate zlib (``wbits`` 15), raw deflate (-15) or gzip (31) data, never past ``limit`` bytes.

    A decompression bomb stops at ``limit + 1`` bytes of output, whatever its ratio. Truncated or
    damaged data, and (unless ``trailing``) bytes after the end of the stream, raise ``error``
    with a sentence naming ``what``.
    """
    inflater = zlib.decompressobj(wbits, zdict=zdict) if zdict else zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error:
        raise error(f"{what} is damaged (compressed data that does not inflate)") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise error(f"{what} is larger than {_size(limit)} once decompressed (the size limit)")
    if not inflater.eof:
        raise error(f"{what} is truncated")
    if not trailing and inflater.unused_data:
        raise error(f"{what} has bytes after its end")
    return out


def _size(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MB"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KB"
    return f"{limit} bytes"
