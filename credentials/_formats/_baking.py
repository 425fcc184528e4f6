"""What PNG and SVG baking share (1EdTech OB 3.0 "Open Badges Document Formats"; OB Baking 2.0):
the limits that bound hostile images, the keywords and namespaces, what was found, and sniffing."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from credentials._errors import MalformedError

#: Largest image accepted at all (badge images are small; anything larger is refused at once).
MAX_IMAGE_BYTES = 32 * 1024 * 1024
#: Largest baked payload accepted after decompression (compressed iTXt).
MAX_TEXT_BYTES = 5 * 1024 * 1024
#: Largest number of PNG chunks walked (real images have a few thousand at most).
MAX_PNG_CHUNKS = 100_000
#: Largest number of SVG elements parsed (bounds the time spent on a hostile SVG).
MAX_SVG_ELEMENTS = 500_000

KEYWORD_OB3 = "openbadgecredential"
KEYWORD_OB2 = "openbadges"
NS_OB3 = "https://purl.imsglobal.org/ob/v3p0"
NS_OB2 = "http://openbadges.org"
NS_SVG = "http://www.w3.org/2000/svg"

_OB_VERSIONS = {"3.0": (KEYWORD_OB3, NS_OB3, "credential"), "2.0": (KEYWORD_OB2, NS_OB2, "assertion")}


@dataclass(frozen=True)
class BakedData:
    """What was found baked into an image."""

    keyword: str  # "openbadgecredential" | "openbadges"
    text: str  # the baked payload: JSON text, compact JWS, or a URL
    ob_version: str  # "3.0" | "2.0"
    image_type: str  # "png" | "svg"
    verify_url: str | None = None  # SVG only: the ``verify`` attribute of the badge element


# --------------------------------------------------------------------------- sniffing

# PNG spec §5.2: the eight-byte PNG signature.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def is_png(data: bytes) -> bool:
    """True when ``data`` starts with the PNG signature (PNG spec §5.2)."""
    return isinstance(data, bytes | bytearray | memoryview) and bytes(data[:8]) == PNG_SIGNATURE


_SNIFF_BYTES = 64 * 1024
_ROOT_SVG = re.compile(r"<(?:[A-Za-z_][\w.\-]*:)?svg[\s/>]")


def _sniff_text(data: bytes) -> str:
    head = bytes(data[:_SNIFF_BYTES])
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(enc, errors="replace")
    return head.decode("utf-8", errors="replace")


def _doctype_end(text: str, i: int) -> int:
    """Index just past the DOCTYPE at ``i``, or -1 if it never ends.

    The internal subset in ``[...]`` may hold ``>`` and quoted strings may hold anything
    (XML 1.0 §2.8), so only a ``>`` outside both ends the declaration.
    """
    j, n = i + 9, len(text)
    quote = ""
    depth = 0
    while j < n:
        c = text[j]
        if quote:
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == ">" and depth <= 0:
            return j + 1
        j += 1
    return -1


# Prolog items that end at a fixed closing string: XML declaration / PIs, and comments.
_PROLOG_DELIMITED = (("<?", "?>"), ("<!--", "-->"))


def _prolog_item_end(text: str, i: int) -> int:
    """Index just past the declaration, PI, comment or DOCTYPE at ``i``; -1 if it never ends; ``i`` if none starts."""
    for opener, closer in _PROLOG_DELIMITED:
        if text.startswith(opener, i):
            j = text.find(closer, i + len(opener))
            return -1 if j < 0 else j + len(closer)
    if text.startswith("<!DOCTYPE", i):
        return _doctype_end(text, i)
    return i


def _skip_prolog(text: str) -> int | None:
    """Index of the root element's ``<`` after XML declaration, PIs, comments, DOCTYPE, or None."""
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return None
        end = _prolog_item_end(text, i)
        if end < 0:
            return None
        if end == i:  # not a prolog item: the root element, or not XML at all
            return i if text.startswith("<", i) else None
        i = end


def is_svg(data: bytes) -> bool:
    """Sniff: XML whose root element is ``svg`` (any prefix).

    Allows a BOM, an XML declaration, processing instructions, comments and a DOCTYPE before
    the root. Only the first 64 KiB are looked at; a full parse happens in :func:`unbake`.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        return False
    text = _sniff_text(data)
    start = _skip_prolog(text)
    if start is None:
        return False
    return _ROOT_SVG.match(text, start) is not None

def version_info(ob_version: str) -> tuple[str, str, str]:
    try:
        return _OB_VERSIONS[ob_version]
    except (KeyError, TypeError):
        raise ValueError(f"ob_version must be '3.0' or '2.0', not {ob_version!r}") from None


def check_bake_arguments(image: bytes, payload: object) -> None:
    """What baking into either format refuses before it reads the image."""
    if not isinstance(payload, str) or not payload.strip():
        raise ValueError("payload must be a non-empty string")
    if len(image) > MAX_IMAGE_BYTES:
        raise MalformedError("image is too large")
