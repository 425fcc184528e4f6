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

import codecs
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from credentials._encoding import inflate_bounded
from credentials._errors import MalformedError, TooComplexError

__all__ = [
    "BakedData",
    "MAX_IMAGE_BYTES",
    "MAX_TEXT_BYTES",
    "bake_png",
    "bake_svg",
    "is_png",
    "is_svg",
    "unbake",
]

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


# --------------------------------------------------------------------------- PNG


@dataclass(frozen=True)
class _Chunk:
    type: bytes
    data: bytes
    raw: bytes  # the whole chunk as stored: length, type, data, CRC


def _read_chunk(data: bytes, pos: int, *, first: bool) -> _Chunk:
    """The chunk at ``pos``, its length, type and CRC checked (PNG spec §5.3-§5.4, §5.6 for the first)."""
    n = len(data)
    if pos + 8 > n:
        raise MalformedError("PNG image is truncated (no IEND chunk)")
    (length,) = struct.unpack_from(">I", data, pos)
    ctype = bytes(data[pos + 4 : pos + 8])
    # §5.3: the length is at most 2^31 - 1; §5.4: type bytes are ASCII letters.
    if length > 0x7FFFFFFF:
        raise MalformedError("PNG chunk length out of range")
    if not all(65 <= b <= 90 or 97 <= b <= 122 for b in ctype):
        raise MalformedError("PNG chunk has an invalid type")
    end = pos + 12 + length
    if end > n:
        raise MalformedError(f"PNG image is truncated (inside a {ctype.decode('ascii')} chunk)")
    body = bytes(data[pos + 8 : pos + 8 + length])
    (crc,) = struct.unpack_from(">I", data, pos + 8 + length)
    # §5.3: the CRC covers the chunk type and chunk data, not the length.
    if zlib.crc32(body, zlib.crc32(ctype)) & 0xFFFFFFFF != crc:
        raise MalformedError(f"PNG {ctype.decode('ascii')} chunk has a bad CRC")
    if first and (ctype != b"IHDR" or length != 13):
        # §5.6: IHDR comes first and is 13 bytes long.
        raise MalformedError("PNG image does not start with an IHDR chunk")
    return _Chunk(ctype, body, bytes(data[pos:end]))


def _png_chunks(data: bytes) -> list[_Chunk]:
    """Walk and validate the chunk layout (PNG spec §5.3), up to and including IEND."""
    if not is_png(data):
        raise MalformedError("not a PNG image (bad signature)")
    chunks: list[_Chunk] = []
    pos = 8
    while True:
        if len(chunks) >= MAX_PNG_CHUNKS:
            raise MalformedError("PNG image has too many chunks")
        chunk = _read_chunk(data, pos, first=not chunks)
        chunks.append(chunk)
        pos += len(chunk.raw)
        if chunk.type == b"IEND":
            return chunks  # trailing bytes after IEND are ignored


def _keyword_of(chunk: _Chunk) -> str | None:
    """Keyword of a textual chunk (tEXt, zTXt, iTXt), or None."""
    if chunk.type not in (b"tEXt", b"zTXt", b"iTXt"):
        return None
    nul = chunk.data.find(b"\x00", 0, 80)
    if nul < 1:
        return None
    return chunk.data[:nul].decode("latin-1")


def _inflate(blob: bytes) -> bytes:
    return inflate_bounded(blob, MAX_TEXT_BYTES, what="a compressed badge chunk")


def _decode_text(raw: bytes, encoding: str) -> str:
    if len(raw) > MAX_TEXT_BYTES:
        raise MalformedError("baked badge data is too large")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        raise MalformedError(f"baked badge data is not valid {encoding}") from None
    text = text.strip()
    if not text:
        raise MalformedError("the image's baked badge chunk is empty")
    return text


def _parse_itxt(body: bytes) -> str:
    """Text of an iTXt chunk (PNG spec §11.3.3.4)."""
    # keyword NUL flag method language NUL translated-keyword NUL text
    nul = body.find(b"\x00")
    rest = body[nul + 1 :]
    if len(rest) < 2:
        raise MalformedError("iTXt badge chunk is truncated")
    flag, method = rest[0], rest[1]
    rest = rest[2:]
    lang_end = rest.find(b"\x00")
    if lang_end < 0:
        raise MalformedError("iTXt badge chunk is truncated (language tag)")
    tkw_end = rest.find(b"\x00", lang_end + 1)
    if tkw_end < 0:
        raise MalformedError("iTXt badge chunk is truncated (translated keyword)")
    text = rest[tkw_end + 1 :]
    if flag == 0:
        pass
    elif flag == 1:
        # The baking specs say compression MUST NOT be used; we still read it (bounded).
        if method != 0:
            raise MalformedError("iTXt badge chunk uses an unknown compression method")
        text = _inflate(text)
    else:
        raise MalformedError("iTXt badge chunk has an invalid compression flag")
    return _decode_text(text, "utf-8")


def _unbake_png(data: bytes) -> BakedData:
    chunks = _png_chunks(data)
    found: dict[tuple[bytes, str], _Chunk] = {}
    for chunk in chunks:
        keyword = _keyword_of(chunk)
        if keyword not in (KEYWORD_OB3, KEYWORD_OB2):
            continue
        key = (chunk.type, keyword)
        if key in found:
            # OB 3.0 docformat "PNG Baking" / OB 2.0 baking "PNGs": MUST NOT appear more than once.
            raise MalformedError(f"PNG image has more than one {chunk.type.decode()} {keyword!r} chunk")
        found[key] = chunk
    # OB 3.0 (docformat, PNG Extracting): iTXt "openbadgecredential".
    if (c := found.get((b"iTXt", KEYWORD_OB3))) is not None:
        return BakedData(KEYWORD_OB3, _parse_itxt(c.data), "3.0", "png")
    # OB 2.0 (baking, PNGs Extracting): iTXt "openbadges".
    if (c := found.get((b"iTXt", KEYWORD_OB2))) is not None:
        return BakedData(KEYWORD_OB2, _parse_itxt(c.data), "2.0", "png")
    # OB 2.0 baking "Legacy PNGs" (OB 1.0): tEXt "openbadges" holding the assertion URL.
    if (c := found.get((b"tEXt", KEYWORD_OB2))) is not None:
        body = c.data[len(KEYWORD_OB2) + 1 :]
        return BakedData(KEYWORD_OB2, _decode_text(body, "latin-1"), "2.0", "png")
    raise MalformedError("the PNG image has no baked badge data")


def _make_chunk(ctype: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(body, zlib.crc32(ctype)) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", crc)


def _version_info(ob_version: str) -> tuple[str, str, str]:
    try:
        return _OB_VERSIONS[ob_version]
    except (KeyError, TypeError):
        raise ValueError(f"ob_version must be '3.0' or '2.0', not {ob_version!r}") from None


def bake_png(image: bytes, payload: str, *, ob_version: str = "3.0") -> bytes:
    """Bake ``payload`` into a PNG as an uncompressed iTXt chunk right after IHDR.

    OB 3.0 docformat "PNG Baking": keyword ``openbadgecredential``; OB 2.0 baking "PNGs":
    keyword ``openbadges``; compression flag and method 0, empty language tag and translated
    keyword. Any existing badge chunk (either version, iTXt/tEXt/zTXt) is replaced, since only
    one may appear. Raises MalformedError for a bad image, ValueError for bad arguments.
    """
    keyword, _, _ = _version_info(ob_version)
    if not isinstance(payload, str) or not payload.strip():
        raise ValueError("payload must be a non-empty string")
    if len(image) > MAX_IMAGE_BYTES:
        raise MalformedError("image is too large")
    chunks = _png_chunks(bytes(image))
    body = keyword.encode("latin-1") + b"\x00" + b"\x00\x00" + b"\x00" + b"\x00" + payload.encode("utf-8")
    out = [PNG_SIGNATURE, chunks[0].raw, _make_chunk(b"iTXt", body)]
    for chunk in chunks[1:]:
        if _keyword_of(chunk) in (KEYWORD_OB3, KEYWORD_OB2):
            continue
        out.append(chunk.raw)
    return b"".join(out)


# --------------------------------------------------------------------------- SVG


@dataclass
class _Element:
    ns: str
    local: str
    attrib: dict[str, str]
    start: int  # byte index of "<"
    end: int = -1  # byte index just past the element's last ">"
    text_parts: list[str] | None = None


class _SvgScan:
    """ElementTree parser target: records the root and every badge element with byte spans."""

    def __init__(self) -> None:
        self.parser: DefusedXMLParser | None = None
        self.depth = 0
        self.root: _Element | None = None
        self.badges: list[_Element] = []
        self._stack: list[_Element | None] = []
        self._collect: _Element | None = None
        self._count = 0

    def _index(self) -> int:
        assert self.parser is not None
        expat: Any = self.parser.parser
        return int(expat.CurrentByteIndex)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self._count += 1
        if self._count > MAX_SVG_ELEMENTS:
            exc = TooComplexError("SVG image has too many elements")
            exc.work = self._count  # elements parsed when it stopped: the bound, not the whole file
            raise exc
        ns, local = _split_tag(tag)
        el: _Element | None = None
        if self.depth == 0:
            el = self.root = _Element(ns, local, dict(attrib), self._index())
        elif (ns, local) in ((NS_OB3, "credential"), (NS_OB2, "assertion")):
            el = _Element(ns, local, dict(attrib), self._index(), text_parts=[])
            self.badges.append(el)
            if self._collect is None:
                self._collect = el
        self._stack.append(el)
        self.depth += 1

    def end(self, tag: str) -> None:
        self.depth -= 1
        el = self._stack.pop()
        if el is not None:
            el.end = self._index()  # fixed up to the real end by _element_span
            if el is self._collect:
                self._collect = None

    def data(self, text: str) -> None:
        if self._collect is not None and self._collect.text_parts is not None:
            self._collect.text_parts.append(text)

    def close(self) -> None:
        return None


def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _parse_svg(data: bytes) -> _SvgScan:
    scan = _SvgScan()
    # defusedxml: entity declarations and external entities are refused (no expansion at all).
    parser = DefusedXMLParser(target=scan, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    scan.parser = parser
    try:
        parser.feed(data)
        parser.close()
    except DefusedXmlException as exc:
        raise MalformedError(f"SVG image uses forbidden XML features: {type(exc).__name__}") from None
    except (SyntaxError, ValueError, LookupError, RecursionError, MemoryError) as exc:
        # ParseError is a SyntaxError; LookupError: unknown declared encoding.
        raise MalformedError(f"SVG image is not well-formed XML: {exc}") from None
    if scan.root is None or scan.root.local != "svg" or scan.root.ns not in (NS_SVG, ""):
        raise MalformedError("image is not an SVG document (root element is not svg)")
    return scan


def _unbake_svg(data: bytes) -> BakedData:
    scan = _parse_svg(data)
    # OB 3.0 docformat "SVG Extracting" / OB 2.0 baking "SVGs Extracting": the first badge tag.
    if not scan.badges:
        raise MalformedError("the SVG image has no baked badge data")
    el = scan.badges[0]
    if el.ns == NS_OB3:
        keyword, version = KEYWORD_OB3, "3.0"
    else:
        keyword, version = KEYWORD_OB2, "2.0"
    body = "".join(el.text_parts or []).strip()
    verify = el.attrib.get("verify")
    verify = verify.strip() if verify is not None else None
    # With an embedded proof / hosted assertion the JSON is in the CDATA body; a VC-JWT (OB 3.0)
    # or a signed assertion (OB 2.0) puts the compact JWS in ``verify``; an empty body leaves
    # ``verify`` as the assertion URL (OB 2.0 hosted).
    text = body or (verify or "")
    if not text:
        raise MalformedError("the SVG image's badge element is empty")
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise MalformedError("baked badge data is too large")
    return BakedData(keyword, text, version, "svg", verify_url=verify or None)


def _tag_end(data: bytes, start: int) -> int:
    """Index just past the ``>`` closing the tag that starts at ``start`` (quote-aware)."""
    quote = 0
    i = start + 1
    n = len(data)
    while i < n:
        c = data[i]
        if quote:
            if c == quote:
                quote = 0
        elif c in (0x22, 0x27):
            quote = c
        elif c == 0x3E:
            return i + 1
        i += 1
    raise MalformedError("SVG tag is not closed")


def _element_span(data: bytes, el: _Element) -> tuple[int, int]:
    stag_end = _tag_end(data, el.start)
    if data[stag_end - 2 : stag_end] == b"/>":
        return el.start, stag_end
    return el.start, _tag_end(data, el.end)


def _xml_attr(value: str) -> str:
    return (value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;"))


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside a CDATA section: split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


_DECL_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")
_OB_XMLNS = re.compile(r"""\sxmlns:openbadges\s*=\s*(["'])(.*?)\1""", re.S)


def _document_encoding(data: bytes) -> tuple[str, int]:
    """(codec name, BOM length) for an ASCII-compatible document; MalformedError otherwise."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"<\x00", b"\x00<", b"\x00\x00")):
        raise MalformedError("cannot bake into an SVG encoded as UTF-16 or UTF-32")
    m = _DECL_ENCODING.match(data)
    name = m.group(1).decode("ascii") if m else "utf-8"
    try:
        codec = codecs.lookup(name).name
        ascii_compatible = "<a b='c'>]".encode(codec) == b"<a b='c'>]"
    except (LookupError, UnicodeError):
        raise MalformedError(f"SVG image uses an unsupported encoding {name!r}") from None
    if not ascii_compatible:
        raise MalformedError(f"cannot bake into an SVG encoded as {name!r}")
    return codec, 0


def _badge_element_content(payload: str, verify_url: str | None) -> tuple[str, str]:
    """(attributes, body) of the badge element: JSON in a CDATA body, anything else in ``verify``."""
    if payload.lstrip().startswith(("{", "[")):
        attrs = f' verify="{_xml_attr(verify_url)}"' if verify_url is not None else ""
        return attrs, _cdata(payload)
    if verify_url is not None and verify_url != payload:
        raise ValueError("a non-JSON payload goes into the verify attribute; do not pass verify_url")
    return f' verify="{_xml_attr(payload)}"', ""


def _declare_badge_prefix(root_tag: str, ns: str, self_closing: bool) -> str:
    """The root start tag with ``xmlns:openbadges`` set to ``ns`` (an existing declaration is rewritten)."""
    m = _OB_XMLNS.search(root_tag)
    if m is None:
        head = root_tag[:-2].rstrip() if self_closing else root_tag[:-1]
        return f'{head} xmlns:openbadges="{ns}"' + ("/>" if self_closing else ">")
    if m.group(2) != ns:
        return root_tag[: m.start()] + f' xmlns:openbadges="{ns}"' + root_tag[m.end() :]
    return root_tag


def _without_badges(data: bytes, start: int, badges: list[_Element]) -> bytes:
    """``data[start:]`` with every badge element removed (only one may exist per spec), outermost spans only."""
    spans = sorted(_element_span(data, el) for el in badges)
    body_parts: list[bytes] = []
    pos = start
    for s, e in spans:
        if s < pos:
            continue  # nested inside a span already removed
        body_parts.append(data[pos:s])
        pos = e
    body_parts.append(data[pos:])
    return b"".join(body_parts)


def bake_svg(svg: bytes, payload: str, *, ob_version: str = "3.0", verify_url: str | None = None) -> bytes:
    """Bake ``payload`` into an SVG; any existing badge element (either version) is replaced.

    OB 3.0 docformat "SVG Baking" / OB 2.0 baking "SVGs Baking": declare ``xmlns:openbadges`` on
    the root ``<svg>`` and add ``<openbadges:credential>`` (3.0) or ``<openbadges:assertion>``
    (2.0) directly after the root start tag. A JSON payload goes into the body, CDATA-wrapped,
    with ``verify_url`` (if given) as the ``verify`` attribute. Any other payload (a compact JWS,
    or an OB 2.0 assertion URL) goes into the ``verify`` attribute, as both specs require for
    signed badges, and ``verify_url`` must then be None. The rest of the document is kept
    byte for byte. Raises MalformedError for a bad image, ValueError for bad arguments.
    """
    _, ns, local = _version_info(ob_version)
    if not isinstance(payload, str) or not payload.strip():
        raise ValueError("payload must be a non-empty string")
    if len(svg) > MAX_IMAGE_BYTES:
        raise MalformedError("image is too large")
    data = bytes(svg)
    codec, _ = _document_encoding(data)
    scan = _parse_svg(data)
    assert scan.root is not None

    attrs, inner = _badge_element_content(payload, verify_url)

    root = scan.root
    root_end = _tag_end(data, root.start)
    root_tag = data[root.start : root_end].decode(codec)
    self_closing = root_tag.endswith("/>")
    # Declare the prefix on the root; an existing declaration of it is rewritten (the old badge
    # element that used it is removed below).
    root_tag = _declare_badge_prefix(root_tag, ns, self_closing)
    element = f"<openbadges:{local}{attrs}>{inner}</openbadges:{local}>"

    try:
        element_bytes = element.encode(codec)
        root_bytes = root_tag.encode(codec)
    except UnicodeEncodeError:
        raise MalformedError(f"the payload cannot be written in this SVG's encoding ({codec})") from None

    if self_closing:
        qname = re.match(r"<([^\s/>]+)", root_tag)
        assert qname is not None
        open_tag = root_bytes[:-2].rstrip() + b">"
        close_tag = f"</{qname.group(1)}>".encode(codec)
        return data[: root.start] + open_tag + element_bytes + close_tag + data[root_end:]

    return data[: root.start] + root_bytes + element_bytes + _without_badges(data, root_end, scan.badges)


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
