"""CBOR-LD (W3C CBOR-LD 1.0) and the ``VP1-`` / ``VC1-`` QR text of the W3C VC Barcodes note and
the Digital Credentials Consortium's wallet (vpqr): ``"VP1-" + multibase base32 (CBOR-LD)``.

SKELETON (issue 13): signatures fixed; the implementation is being written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["CborLdError", "decode_cborld", "decode_vpqr_text", "encode_cborld", "encode_vpqr_text"]

from .qr import QrDecodeError


class CborLdError(QrDecodeError):
    """Bytes or text that are not CBOR-LD Satchel can read, with the reason."""


def decode_cborld(data: bytes) -> dict[str, Any]:
    raise NotImplementedError


def encode_cborld(doc: Mapping[str, Any]) -> bytes:
    raise NotImplementedError


def decode_vpqr_text(text: str) -> dict[str, Any]:
    """The JSON-LD document of a ``VP1-`` / ``VC1-`` QR text."""
    raise NotImplementedError


def encode_vpqr_text(doc: Mapping[str, Any]) -> str:
    raise NotImplementedError
