"""The self-contained QR payload: a presentation (or one credential) in one QR code.

The text codec and the picture reader are the engine's (:mod:`credentials.qr`, the one
copy both apps use); this module adds what only the wallet does: drawing the QR symbol.

Format ``SV1`` (Satchel Verifiable, version 1)::

    "SV1:" + base45( zlib( UTF-8 minified JSON object ) )

* The JSON object is a ``VerifiablePresentation``, a single credential, or, for JWTs, their
  VCDM 2.0 §4.13 enveloped forms (``EnvelopedVerifiablePresentation`` /
  ``EnvelopedVerifiableCredential`` with a ``data:application/vp+jwt,…`` id).
* zlib is RFC 1950 around raw deflate (RFC 1951), exactly what the EU DCC ``HC1:`` code uses
  (eu-dcc-hcert-spec, "Transport Encodings › Barcode › Payload (CWT) Compression").
  Encoders SHOULD use the preset dictionary :data:`DICTIONARY_V1` (RFC 1950 §2.2, FDICT): the
  contexts, types and property names every Open Badge and Data Integrity proof repeats, which
  saves about a quarter of the bytes of a typical Open Badge 3.0 presentation. The stream
  names its dictionary by Adler-32 (DICTID), so a decoder knows which one to use; a stream
  without FDICT (a plain ``zlib.compress``) is read too.
* base45 is RFC 9285; the whole text is then in the QR
  alphanumeric alphabet, so the code is made in alphanumeric mode (ISO/IEC 18004 §7.4.4), as
  the hcert spec requires for ``HC1:``.
* The prefix works like ``HC1:``: a later, incompatible version is ``SV2:``. The prefix differs
  from the CBOR-LD ``VP1-`` / ``VC1-`` codes of the Digital Credentials Consortium (vpqr):
  those are multibase base32 of CBOR-LD and need CBOR and registered context tables; a reader
  tells the two apart by the prefix alone.

QR symbol: error correction level M (15 %) and version ≤ :data:`MAX_QR_VERSION` by default.
The hcert spec recommends Q for printed codes; a code shown on a screen is not scratched or
folded, and M lets a typical one-badge presentation fit in a version a laptop camera still
reads at arm's length (measured in ``bench/qr.py``; figures in BENCHMARKS.md). Past that the
caller shows an animated loop of codes (``UR:SATCHEL-VP/…`` parts, :func:`credentials.encode_qr_parts`),
drawn here one symbol per frame and, for a file, as one animated PNG (:func:`encode_animated_png`),
or a link (:func:`wallet.share.share_qr`).

Nothing here signs or verifies; what a signature covers is decided in
:mod:`wallet.share.presentation`, and this codec never changes the JSON's content, only its
whitespace (the proofs stay valid: Data Integrity canonicalises, JWTs travel as their text).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credentials import (
    QR_DICTIONARY_V1 as DICTIONARY_V1,
)
from credentials import (
    QR_MAX_DECODED_BYTES as MAX_DECODED_BYTES,
)
from credentials import (
    QR_PREFIX as PREFIX,
)
from credentials import (
    QrDecodeError,
    compact_json,
    decode_qr_image,
    decode_qr_text,
    encode_qr_text,
)

__all__ = [
    "DICTIONARY_V1", "MAX_DECODED_BYTES", "MAX_QR_VERSION", "PREFIX", "QrDecodeError", "QrResult", "QrTooLarge",
    "compact_json", "decode_qr_image", "decode_qr_text", "encode_animated_png", "encode_qr", "encode_qr_text",
    "qr_version_for",
]

MAX_QR_VERSION = 30


class QrTooLarge(ValueError):
    """The payload needs a bigger QR version than allowed; share a link instead."""

    def __init__(self, needed: int | None, max_version: int, characters: int, *, reason: str = "") -> None:
        self.needed, self.max_version, self.characters = needed, max_version, characters
        shown = f"version {needed}" if needed else "more than one QR code holds"
        super().__init__(reason or f"The presentation needs {shown} ({characters} characters); at most version "
                         f"{max_version} reads reliably from a screen, so share it as a link.")


@dataclass(frozen=True)
class QrResult:
    png: bytes  # the QR image, black on white, with a 4-module quiet zone (ISO/IEC 18004 §6.3.8)
    text: str  # exactly what the code holds
    version: int  # QR version 1..40 (size 17 + 4 * version modules)

    @property
    def modules(self) -> int:
        return 17 + 4 * self.version


# -- QR symbols ----------------------------------------------------------------------------------

def _qr_for(text: str, max_version: int, version: int | None = None, level: str = "M") -> Any:
    """The symbol of ``text`` in the smallest version that holds it, or in ``version`` exactly."""
    import qrcode
    from qrcode.exceptions import DataOverflowError
    from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData

    alnum = all(c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:" for c in text)
    correction = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
                  "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}[level]
    qr = qrcode.QRCode(version=version, error_correction=correction, border=4)
    qr.add_data(QRData(text.encode("utf-8"), mode=MODE_ALPHA_NUM if alnum else MODE_8BIT_BYTE))
    try:
        qr.make(fit=version is None)
    except (DataOverflowError, ValueError):  # qrcode 8.2 says "Invalid version (was 41 …)" past 40
        raise QrTooLarge(None, max_version, len(text)) from None
    if qr.version > max_version:
        raise QrTooLarge(int(qr.version), max_version, len(text))
    return qr


def qr_version_for(text: str) -> int | None:
    """The QR version ``text`` needs at level M, or None past version 40."""
    try:
        return int(_qr_for(text, 40).version)
    except QrTooLarge:
        return None


def _symbol_image(text: str, max_version: int, pixels: int, version: int | None = None,
                  level: str = "M") -> tuple[Any, int]:
    """The QR symbol of ``text`` as a black-on-white PIL image (each module a whole number of
    pixels, at least 4), and its version."""
    qr = _qr_for(text, max_version, version, level)
    modules = 17 + 4 * int(qr.version) + 2 * qr.border
    qr.box_size = max(4, pixels // modules)
    return qr.make_image(fill_color="black", back_color="white").get_image(), int(qr.version)


def encode_qr(payload: Mapping[str, Any] | str, *, max_version: int = MAX_QR_VERSION,
              pixels: int = 1200, level: str = "M") -> QrResult:
    """A PNG QR code of a presentation or credential (``SV1:``), or of a text as it is (a share link).

    ``pixels`` is roughly the image's side; each module is a whole number of pixels (at least 4).
    Raises :class:`QrTooLarge` when it needs a version above ``max_version``. ``level`` is the
    error correction (M for one code; an animated code's frames say theirs, ``QrParts.level``).
    """
    text = encode_qr_text(payload) if isinstance(payload, Mapping) else payload
    image, version = _symbol_image(text, max_version, pixels, level=level)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return QrResult(buffer.getvalue(), text, version)


def encode_animated_png(frames: Sequence[str], *, frame_ms: int = 125, pixels: int = 800,
                        max_version: int = 40, level: str = "M") -> bytes:
    """One animated PNG (APNG) showing ``frames`` in turn, ``frame_ms`` each, looping for ever.

    Every frame is its own QR symbol (alphanumeric mode when it can be, at ``level``), all in the
    version the longest frame needs, so the picture keeps one size (a part's sequence number
    grows a digit now and then). APNG is the animated PNG browsers and viewers play (W3C PNG
    3rd edition §4, acTL/fcTL); ``loop 0`` is "repeat without end" (acTL num_plays = 0).
    """
    if not frames:
        raise ValueError("an animated QR needs at least one frame")
    version = int(_qr_for(max(frames, key=len), max_version, level=level).version)  # longer never needs less
    images = [_symbol_image(text, max_version, pixels, version, level)[0].convert("L") for text in frames]
    buffer = io.BytesIO()
    images[0].save(buffer, format="PNG", save_all=True, append_images=images[1:], duration=frame_ms, loop=0)
    return buffer.getvalue()
