"""Open Badges baked in PNG images: an iTXt (or legacy tEXt) chunk keyed ``openbadgecredential`` /
``openbadges`` (OB 3.0 docformat "PNG"; OB Baking 2.0 "PNGs"; W3C PNG §5 datastream, §11.3.3
textual information). Walks at most MAX_PNG_CHUNKS chunks and inflates at most MAX_TEXT_BYTES."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from credentials._encoding import inflate_bounded
from credentials._errors import MalformedError

from ._baking import (
    KEYWORD_OB2,
    KEYWORD_OB3,
    MAX_PNG_CHUNKS,
    MAX_TEXT_BYTES,
    PNG_SIGNATURE,
    BakedData,
    check_bake_arguments,
    is_png,
    version_info,
)

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



def bake_png(image: bytes, payload: str, *, ob_version: str = "3.0") -> bytes:
    """Bake ``payload`` into a PNG as an uncompressed iTXt chunk right after IHDR.

    OB 3.0 docformat "PNG Baking": keyword ``openbadgecredential``; OB 2.0 baking "PNGs":
    keyword ``openbadges``; compression flag and method 0, empty language tag and translated
    keyword. Any existing badge chunk (either version, iTXt/tEXt/zTXt) is replaced, since only
    one may appear. Raises MalformedError for a bad image, ValueError for bad arguments.
    """
    keyword, _, _ = version_info(ob_version)
    check_bake_arguments(image, payload)
    chunks = _png_chunks(bytes(image))
    body = keyword.encode("latin-1") + b"\x00" + b"\x00\x00" + b"\x00" + b"\x00" + payload.encode("utf-8")
    out = [PNG_SIGNATURE, chunks[0].raw, _make_chunk(b"iTXt", body)]
    for chunk in chunks[1:]:
        if _keyword_of(chunk) in (KEYWORD_OB3, KEYWORD_OB2):
            continue
        out.append(chunk.raw)
    return b"".join(out)
