"""Open Badges baked in SVG images: an ``openbadges:credential`` / ``openbadges:assertion`` element
(OB 3.0 docformat "SVG"; OB Baking 2.0 "SVGs"), read by a bounded scan (defusedxml; at most
MAX_SVG_ELEMENTS elements) and written by splicing, so the rest of the image stays byte-identical."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from credentials._errors import MalformedError, TooComplexError

from ._baking import (
    KEYWORD_OB2,
    KEYWORD_OB3,
    MAX_SVG_ELEMENTS,
    MAX_TEXT_BYTES,
    NS_OB2,
    NS_OB3,
    NS_SVG,
    BakedData,
    check_bake_arguments,
    version_info,
)

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
    _, ns, local = version_info(ob_version)
    check_bake_arguments(svg, payload)
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
