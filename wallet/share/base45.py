"""Base45 (RFC 9285): the engine's implementation (:mod:`credentials.formats.qr`), re-exported."""

from credentials.formats.qr import ALPHABET, Base45Error, b45decode, b45encode

__all__ = ["ALPHABET", "Base45Error", "b45decode", "b45encode"]
