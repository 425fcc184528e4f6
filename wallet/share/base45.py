"""Base45 (RFC 9285): the engine's implementation (:mod:`credentials.qr`), re-exported."""

from credentials import BASE45_ALPHABET as ALPHABET
from credentials import Base45Error, b45decode, b45encode

__all__ = ["ALPHABET", "Base45Error", "b45decode", "b45encode"]
