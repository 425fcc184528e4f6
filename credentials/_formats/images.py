"""Open Badges baking and unbaking for PNG and SVG images.

Specifications followed (cited by section in the code below):

* 1EdTech Open Badges 3.0, "Open Badges Document Formats" (ob_v3p0/docformat), sections
  "PNG" (Baking / Extracting) and "SVG" (Baking / Extracting).
* 1EdTech Open Badges Baking 2.0 (ob_v2p0/baking), sections "PNGs" (Baking, Extracting,
  Legacy PNGs) and "SVGs" (Baking, Extracting).
* W3C PNG Specification (Third Edition), section 5 "Datastream structure" (signature,
  chunk layout, CRC) and section 11.3.3 "Textual information" (tEXt, iTXt).

Everything read here may be hostile.  ``unbake`` never raises anything but
:class:`~credentials._errors.MalformedError`; memory and time are bounded by
``MAX_IMAGE_BYTES``, ``MAX_PNG_CHUNKS`` and ``MAX_TEXT_BYTES``.
"""

from __future__ import annotations

import struct
import zlib

from credentials._errors import MalformedError

from ._baking import MAX_IMAGE_BYTES, MAX_PNG_CHUNKS, MAX_SVG_ELEMENTS, MAX_TEXT_BYTES, BakedData, is_png, is_svg
from ._png import _unbake_png, bake_png
from ._svg import _unbake_svg, bake_svg

__all__ = [
    "BakedData",
    "MAX_IMAGE_BYTES",
    "MAX_PNG_CHUNKS",
    "MAX_SVG_ELEMENTS",
    "MAX_TEXT_BYTES",
    "bake_png",
    "bake_svg",
    "is_png",
    "is_svg",
    "unbake",
]


# --------------------------------------------------------------------------- entry point


def unbake(data: bytes) -> BakedData:
    """Extract the baked Open Badge from a PNG or SVG image.

    Raises MalformedError (and nothing else) when the image is not a readable PNG/SVG, is
    damaged, or has no baked badge data ("… has no baked badge data").
    """
    try:
        if not isinstance(data, bytes | bytearray | memoryview):
            raise MalformedError("image data must be bytes")
        if len(data) > MAX_IMAGE_BYTES:
            raise MalformedError(f"image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
        raw = bytes(data)
        if is_png(raw):
            return _unbake_png(raw)
        if is_svg(raw):
            return _unbake_svg(raw)
        raise MalformedError("not a PNG or SVG image")
    except MalformedError:
        raise
    except (ValueError, TypeError, struct.error, IndexError, UnicodeError, RecursionError,
            MemoryError, zlib.error) as exc:  # defensive: nothing else may escape
        raise MalformedError(f"unreadable image: {type(exc).__name__}") from None
