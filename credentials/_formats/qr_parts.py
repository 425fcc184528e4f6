"""A presentation as a looping sequence of QR codes (``UR:SATCHEL-VP/…``), and the one assembler
that turns whatever a camera reads (one ``SV1:`` code, a ``VP1-`` code, a link, or the parts of
a multi-part code) into the text the verifier's intake reads.

The multi-part code is a Blockchain Commons UR (``ur.py``) of type ``satchel-vp`` whose message is
a CBOR byte string holding the same zlib + dictionary stream as a single ``SV1:`` code (RFC 1950,
so its first byte is ``0x78``; a CBOR-LD message would start with its tag, ``0xd9``). Each frame
is sized so that its whole text fits one QR symbol of at most ``max_version`` in alphanumeric mode
(bytewords are upper-case letters: ISO/IEC 18004 §7.4.4), and every frame has the same version, so
the picture on the phone does not jump in size.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import cbor2

from .qr import QrDecodeError, _deflate, _inflate, compact_json
from .ur import (
    MAX_SEQ_NUM,
    UrDecoder,
    UrEncoder,
    UrError,
    _parse_part,
    _parse_seq,
    _split_ur,
    bytewords_decode,
    is_ur_text,
)

__all__ = ["QR_UR_TYPE", "AssemblyProgress", "QrAssembler", "QrAssemblyError", "QrParts", "alphanumeric_capacity",
           "encode_qr_parts"]

QR_UR_TYPE = "satchel-vp"
Level = Literal["L", "M", "Q", "H"]
FRAMES_PER_SECOND = 8  # what a phone shows and a 30 fps laptop camera reads: ~4 camera frames per code

# ISO/IEC 18004:2015 Table 9: data codewords per version (1 … 40) and error-correction level.
_DATA_CODEWORDS: dict[str, tuple[int, ...]] = {
    "L": (19, 34, 55, 80, 108, 136, 156, 194, 232, 274, 324, 370, 428, 461, 523, 589, 647, 721, 795, 861,
          932, 1006, 1094, 1174, 1276, 1370, 1468, 1531, 1631, 1735, 1843, 1955, 2071, 2191, 2306, 2434,
          2566, 2702, 2812, 2956),
    "M": (16, 28, 44, 64, 86, 108, 124, 154, 182, 216, 254, 290, 334, 365, 415, 453, 507, 563, 627, 669,
          714, 782, 860, 914, 1000, 1062, 1128, 1193, 1267, 1373, 1455, 1541, 1631, 1725, 1812, 1914,
          1992, 2102, 2216, 2334),
    "Q": (13, 22, 34, 48, 62, 76, 88, 110, 132, 154, 180, 206, 244, 261, 295, 325, 367, 397, 445, 485,
          512, 568, 614, 664, 718, 754, 808, 871, 911, 985, 1033, 1115, 1171, 1231, 1286, 1354, 1426,
          1502, 1582, 1666),
    "H": (9, 16, 26, 36, 46, 60, 66, 86, 100, 122, 140, 158, 180, 197, 223, 253, 283, 313, 341, 385,
          406, 442, 464, 514, 538, 596, 628, 661, 701, 745, 793, 845, 901, 961, 986, 1054, 1096, 1142,
          1222, 1276),
}
_ZLIB_FIRST_BYTE = 0x78
_PART_CBOR_OVERHEAD = 1 + 5 + 5 + 5 + 5 + 3  # array head, four uint32 at most, the bstr head
_CRC_BYTES = 4


def alphanumeric_capacity(version: int, level: Level = "M") -> int:
    """Characters a QR symbol of ``version`` holds in alphanumeric mode (ISO/IEC 18004 §7.4.4:
    4 mode bits, a 9/11/13-bit count, 11 bits per pair and 6 for a last single character)."""
    if not 1 <= version <= 40 or level not in _DATA_CODEWORDS:
        raise ValueError("a QR version is 1 … 40 and a level one of L, M, Q, H")
    bits = _DATA_CODEWORDS[level][version - 1] * 8 - 4 - (9 if version < 10 else 11 if version < 27 else 13)
    return bits // 11 * 2 + (1 if bits % 11 >= 6 else 0)


def _frame_overhead(seq_len: int) -> int:
    """Characters of a frame that are not fragment: ``UR:SATCHEL-VP/`` + the widest ``seq-len/`` a
    frame number can reach + the CBOR of the part around its fragment + the CRC, as bytewords."""
    return len(f"ur:{QR_UR_TYPE}/{MAX_SEQ_NUM}-{seq_len}/") + 2 * (_PART_CBOR_OVERHEAD + _CRC_BYTES)


def _fragment_room(version: int, level: Level) -> int:
    return (alphanumeric_capacity(version, level) - _frame_overhead(9999)) // 2


class QrParts:
    """The frames of one presentation: ``seq_len`` pure parts, then fountain parts without end.

    Show them counting on (1, 2, 3 …, never looping back): frames past ``seq_len`` mix fragments,
    so a camera that missed some, or started late, finishes from whichever later ones it reads.
    ``frame(n)`` costs about the same for any ``n``."""

    def __init__(self, message: bytes, *, version: int, level: Level) -> None:
        self._encoder = UrEncoder(QR_UR_TYPE, message, max_fragment_len=_fragment_room(version, level))
        self.seq_len = self._encoder.seq_len
        self.level: Level = level
        self.message_len = len(message)
        self.frames_per_second = FRAMES_PER_SECOND
        # The smallest version that holds every frame: the same size on screen from first to last.
        self.version = version
        while self.version > 1 and _fits(self.version - 1, level, self.seq_len, self._encoder.fragment_len):
            self.version -= 1

    def frame(self, n: int) -> str:
        """Frame ``n`` (1-based) as QR text, upper case (alphanumeric mode)."""
        return self._encoder.part(n)

    def mixes(self, n: int) -> int:
        """How many of the ``seq_len`` fragments frame ``n`` carries XORed together (1: a pure part)."""
        return self._encoder.degree(n)

    def frames(self, count: int, start: int = 1) -> list[str]:
        return [self._encoder.part(n) for n in range(start, start + count)]


def _fits(version: int, level: Level, seq_len: int, fragment_len: int) -> bool:
    return alphanumeric_capacity(version, level) >= _frame_overhead(seq_len) + 2 * fragment_len


def payload_message(doc: Mapping[str, Any]) -> bytes:
    """The UR message of a document: a CBOR byte string of its zlib + dictionary stream."""
    if not isinstance(doc, Mapping):
        raise TypeError("a QR payload is a JSON object (a presentation or a credential)")
    return cbor2.dumps(_deflate(compact_json(doc)))


def encode_qr_parts(doc: Mapping[str, Any], *, max_version: int = 20, level: Level = "M") -> QrParts:
    """The multi-part code of a presentation or credential, every frame at most ``max_version``."""
    if not 5 <= max_version <= 40:
        raise ValueError("frames smaller than version 5 carry too little to be worth showing")
    return QrParts(payload_message(doc), version=max_version, level=level)


def decode_payload_message(message: bytes) -> dict[str, Any]:
    """The JSON object a ``satchel-vp`` UR message carries. Raises :class:`QrDecodeError`."""
    try:
        stream = cbor2.loads(message)
    except (cbor2.CBORDecodeError, ValueError, OverflowError, RecursionError, MemoryError):
        raise QrDecodeError("the multi-part code's message is not CBOR") from None
    if not isinstance(stream, bytes) or not stream:
        raise QrDecodeError("the multi-part code's message is not the byte string Satchel writes")
    if stream[0] != _ZLIB_FIRST_BYTE:
        raise QrDecodeError("the multi-part code holds a payload this version cannot read")
    raw = _inflate(stream)  # its own QrDecodeError (a ValueError) says what is wrong with the stream
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise QrDecodeError("the multi-part code does not hold UTF-8 JSON") from None
    if not isinstance(doc, dict):
        raise QrDecodeError("the multi-part code does not hold a JSON object")
    return doc


class QrAssemblyError(QrDecodeError):
    """Every part of a multi-part code read and checked, yet the whole is no presentation: the
    message fails its checksum, or it is not the CBOR / zlib / UTF-8 JSON Satchel writes, or it
    inflates past the limit. The assembler has started over when this is raised."""


@dataclass(frozen=True)
class _CodeIdentity:
    """Which code a part belongs to: the fields every part of one message repeats (BCR-2020-005
    §"Multi-part URs": ``seqLen``, ``messageLen``, ``checksum``; a single-part UR is its own code)."""

    seq_len: int
    message_len: int
    checksum: int


def parse_code_identity(text: str) -> _CodeIdentity:
    """The code a ``ur:satchel-vp`` text belongs to, with the part checked as the decoder checks it
    (its bytewords' CRC, its CBOR, the number in its text agreeing with its data). Raises
    :class:`UrError` for a part that does not read."""
    ur_type, rest = _split_ur(text)
    if ur_type != QR_UR_TYPE:
        raise UrError(f"this is a 'ur:{ur_type[:40]}' code, not a Satchel presentation ('ur:{QR_UR_TYPE}')")
    if len(rest) == 1:
        cbor = bytewords_decode(rest[0])
        return _CodeIdentity(1, len(cbor), zlib.crc32(cbor))
    seq_num, seq_len = _parse_seq(rest[0])
    number, length, message_len, checksum, _fragment = _parse_part(bytewords_decode(rest[1]))
    if (number, length) != (seq_num, seq_len) or not 1 <= seq_num <= MAX_SEQ_NUM:
        raise UrError("a part's number disagrees with its data")
    return _CodeIdentity(seq_len, message_len, checksum)


@dataclass(frozen=True)
class AssemblyProgress:
    """Where the assembly of one code stands. ``parts_received`` of ``parts_expected`` is what a
    screen may say as "n of m parts": the parts' worth of the message the codes read so far
    determine (a fountain part counts only for what it adds), never more than ``parts_expected``
    (``seq_len``). ``codes_read`` is the distinct codes taken, which a loop of fountain parts
    makes larger than ``seq_len`` when the camera missed some."""

    complete: bool
    fraction: float  # 0.0 … 1.0, shown as "42 % received"
    kind: Literal["single", "multipart"]
    parts_received: int
    parts_expected: int | None
    restarted: bool = False  # the parts of a different presentation arrived: started over
    codes_read: int = 0  # parts of this code read, repeats included

    @property
    def percent(self) -> int:
        """Whole percent, never 100 before the code is complete."""
        return 100 if self.complete else min(99, int(self.fraction * 100))


_NOTHING = AssemblyProgress(False, 0.0, "single", 0, None)
_FAILED_CODES_KEPT = 8  # codes found broken whole, refused at once while they stay in view


class QrAssembler:
    """Feed every text a camera reads; ``text`` is what to verify once ``complete``.

    One code (``SV1:``, ``VP1-``, a link, JSON) is complete at once. The parts of a multi-part code
    are collected in any order; a misread part (its CRC fails) raises :class:`UrError` and changes
    nothing, so the caller may simply go on. A part of another code starts over, explicitly: the
    part is read for the code it belongs to before it reaches the decoder, and a different code gets
    a fresh decoder (``restarted``). A code whose parts all read but whose whole does not (see
    :class:`QrAssemblyError`) raises that error, with the assembler started over; parts of that
    same code are then refused at once with the same sentence, rather than gathered to fail again."""

    def __init__(self, *, max_message_len: int = 1024 * 1024) -> None:
        self._max = max_message_len
        self._decoder = UrDecoder(max_message_len=max_message_len)
        self._code: _CodeIdentity | None = None  # the code the decoder holds parts of
        self._failed: dict[_CodeIdentity, str] = {}
        self._text: str | None = None
        self._codes_read = 0
        self._last = _NOTHING

    def add(self, text: str) -> AssemblyProgress:
        text = text.strip()
        if not text:
            raise QrDecodeError("the code read as empty text")
        if not is_ur_text(text):
            restarted = self._code is not None and self._text is None
            self.reset()
            self._text = text
            self._last = AssemblyProgress(True, 1.0, "single", 1, 1, restarted, 1)
        else:
            self._last = self._progress(self._receive(text))
        return self._last

    def _receive(self, text: str) -> bool:
        """Take one UR part; True when it belongs to a new code (everything so far dropped)."""
        code = parse_code_identity(text)
        if code in self._failed:
            raise QrAssemblyError(self._failed[code])
        restarted = self._code is not None and (code != self._code or self._text is not None)
        decoder = UrDecoder(max_message_len=self._max) if restarted or self._code is None else self._decoder
        before = decoder.progress
        try:
            decoder.receive_part(text)
        except UrError:
            if decoder is self._decoder and self._parts_dropped(before):
                self.reset()
                raise QrAssemblyError("The animated QR code's parts all read, but they do not fit together "
                                      "(forged, or of different codes): starting over.") from None
            raise  # a part refused; what was collected stays
        if restarted or self._code is None:  # the code being collected is this part's from now on
            self.reset()
            self._decoder, self._code = decoder, code
        self._codes_read += 1
        if decoder.is_complete:
            self._text = self._whole_text(code, decoder.message)
        return restarted

    def _parts_dropped(self, before: float) -> bool:
        """After the decoder refused a part of the code it holds: did the whole fail? Every fragment
        was there but the message failed its CRC-32, so the decoder dropped what it held (or, an
        older decoder, holds every fragment and never completes)."""
        after = self._decoder.progress
        return (after == 0.0 < before) or (after >= 1.0 and not self._decoder.is_complete)

    def _whole_text(self, code: _CodeIdentity, message: bytes) -> str:
        try:
            return compact_json(decode_payload_message(message)).decode("utf-8")
        except QrDecodeError as exc:
            said = (f"The animated QR code was read whole, but it holds no presentation Satchel can read "
                    f"({exc}): starting over.")
            self.reset()
            while len(self._failed) >= _FAILED_CODES_KEPT:
                del self._failed[next(iter(self._failed))]
            self._failed[code] = said
            raise QrAssemblyError(said) from None

    def _progress(self, restarted: bool) -> AssemblyProgress:
        d = self._decoder
        expected = d.expected_part_count
        kind: Literal["single", "multipart"] = "multipart" if (expected or 0) > 1 else "single"
        complete = self._text is not None
        # The decoder's progress is the share of the message its parts determine (rank / seq_len):
        # as parts, rounded, and short of all of them until the message is whole and checked.
        if complete:
            received = expected or 1
        else:
            received = min(round(d.progress * expected), expected - 1) if expected else 0
        return AssemblyProgress(complete, d.progress, kind, received, expected, restarted, self._codes_read)

    @property
    def text(self) -> str | None:
        return self._text

    @property
    def progress(self) -> AssemblyProgress:
        """Where the assembly stands after the last :meth:`add`."""
        return self._last

    def reset(self) -> None:
        """Forget the code being collected (the codes found broken stay refused)."""
        self._decoder = UrDecoder(max_message_len=self._max)
        self._code = None
        self._text = None
        self._codes_read = 0
        self._last = _NOTHING
