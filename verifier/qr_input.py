"""The verifier's reader for QR inputs: a picture of a QR code (PNG/JPEG/WebP), or the text it
holds: a Satchel ``SV1:`` presentation code, a share link (``/s#vp=`` / ``#vc=`` / ``#r=&k=``), or
anything else the engine reads (a URL, a JWT, JSON).

The formats and the decoders are the engine's (:mod:`credentials.qr`,
:mod:`credentials.share_links`): one copy for the wallet, the verifier and
``satchel-verify``. This module sorts what a code held into what the verifier does next.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from credentials import (
    QR_DICTIONARY_V1 as DICTIONARY_V1,
)
from credentials import (
    QR_PREFIX as PREFIX,
)
from credentials import (
    Base45Error,
    QrDecodeError,
    decode_qr_text,
)
from credentials import b45decode as _b45decode
from credentials import decode_qr_image as _decode_qr_image

from .links import LinkError, decode_link

__all__ = ["DICTIONARY_V1", "PREFIX", "QrInput", "QrInputError", "b45decode", "decode_qr_image", "decode_sv1",
           "read_qr_input", "verifiable_input"]

QrInputError = QrDecodeError  # not a readable QR input, with the reason


@dataclass(frozen=True)
class QrInput:
    """What a QR input held. ``kind``: ``vp`` / ``vc`` (a document to verify, from ``SV1:`` or an
    inline link), ``relay`` (a relay link: ``relay_id`` and ``key`` to fetch and open), ``text``
    (anything else: hand ``text`` to the engine as it is)."""

    kind: Literal["vp", "vc", "relay", "text"]
    text: str
    document: dict[str, Any] | None = None
    relay_id: str | None = None
    key: bytes | None = None


def b45decode(text: str) -> bytes:
    """RFC 9285 §4.2, refusing what the RFC says a decoder must refuse."""
    try:
        return _b45decode(text)
    except Base45Error as exc:
        raise QrInputError(str(exc)) from None


def decode_sv1(text: str) -> dict[str, Any]:
    return decode_qr_text(text)


def decode_qr_image(image_bytes: bytes) -> str:
    return _decode_qr_image(image_bytes)


def _kind(doc: dict[str, Any]) -> Literal["vp", "vc"]:
    types = doc.get("type")
    names = types if isinstance(types, list) else [types]
    return "vp" if "VerifiablePresentation" in names or "EnvelopedVerifiablePresentation" in names else "vc"


def read_qr_input(data: bytes | str) -> QrInput:
    """Read a QR picture (bytes) or the text of a code. Raises QrInputError."""
    text = decode_qr_image(data) if isinstance(data, bytes) else data
    stripped = text.strip()
    if stripped.upper().startswith(PREFIX):
        doc = decode_sv1(stripped)
        return QrInput(_kind(doc), stripped, doc)
    if stripped.startswith(("http://", "https://")) and "#" in stripped:
        try:
            kind, found = decode_link(stripped)
        except LinkError:
            return QrInput("text", stripped)
        if kind == "relay":
            return QrInput("relay", stripped, relay_id=found.relay_id, key=found.key)
        return QrInput("vp" if kind == "vp" else "vc", stripped, found)
    return QrInput("text", stripped)


def verifiable_input(doc: dict[str, Any]) -> dict[str, Any] | str:
    """What to hand the engine's ``verify``: the compact JWT of an enveloped presentation (VCDM 2.0
    §4.13.2; the engine unwraps enveloped credentials but not presentations), else the object."""
    types = doc.get("type")
    names = types if isinstance(types, list) else [types]
    ident = doc.get("id")
    if "EnvelopedVerifiablePresentation" in names and isinstance(ident, str) and ident.startswith("data:") \
            and "," in ident:
        return ident.split(",", 1)[1]
    return doc
