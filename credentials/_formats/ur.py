"""Uniform Resources (Blockchain Commons BCR-2020-005) with Bytewords (BCR-2020-012): multi-part,
fountain-coded QR text, so that anything too large for one code travels as a loop of codes.

A message (one CBOR item) is cut into ``seq_len`` equal fragments. Parts 1 … ``seq_len`` carry one
fragment each ("pure" parts); every later part carries the XOR of a pseudo-random subset of them,
chosen from ``(seq_num, checksum)`` by Xoshiro256** seeded with SHA-256 and a degree drawn from a
1/d distribution (a Luby-transform fountain code, BCR-2020-005 §"Multi-part URs"). A reader that
misses frames just waits for later ones: any sufficient set of parts, in any order, rebuilds the
message. The choice of fragments is byte-exact with the reference implementations (bc-ur in C++,
Swift and TypeScript), which ``tests/test_interop_ur.py`` checks against ``@ngraveio/bc-ur``.

Text form (BCR-2020-005 §3): ``ur:<type>/<bytewords>`` for a single part,
``ur:<type>/<seq>-<len>/<bytewords>`` for one of many. A part's body is the CBOR array
``[seq_num, seq_len, message_len, checksum, fragment]``. We write upper case so a QR code can use
its alphanumeric mode (BCR-2020-005 §4: URs are case-insensitive).

Every limit a hostile code could push on is bounded here: the message length, the number of
fragments, the rows held (at most one per fragment) and the part numbers remembered, and so the work
done per part, which the decoder counts (:attr:`UrDecoder.row_xors`).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import cbor2

from .qr import QrDecodeError

__all__ = ["UrDecoder", "UrEncoder", "UrError", "UrMismatchError", "decode_single_ur", "encode_single_ur", "is_ur_text"]

# BCR-2020-012 §"Bytewords": byte i is word i; the minimal form is its first and last letter.
_WORDS = (
    "able acid also apex aqua arch atom aunt away axis back bald barn belt beta bias blue body brag brew bulb "
    "buzz calm cash cats chef city claw code cola cook cost crux curl cusp cyan dark data days deli dice diet "
    "door down draw drop drum dull duty each easy echo edge epic even exam exit eyes fact fair fern figs film "
    "fish fizz flap flew flux foxy free frog fuel fund gala game gear gems gift girl glow good gray grim guru "
    "gush gyro half hang hard hawk heat help high hill holy hope horn huts iced idea idle inch inky into iris "
    "iron item jade jazz join jolt jowl judo jugs jump junk jury keep keno kept keys kick kiln king kite kiwi "
    "knob lamb lava lazy leaf legs liar limp lion list logo loud love luau luck lung main many math maze memo "
    "menu meow mild mint miss monk nail navy need news next noon note numb obey oboe omit onyx open oval owls "
    "paid part peck play plus poem pool pose puff puma purr quad quiz race ramp real redo rich road rock roof "
    "ruby ruin runs rust safe saga scar sets silk skew slot soap solo song stub surf swan taco task taxi tent "
    "tied time tiny toil tomb toys trip tuna twin ugly undo unit urge user vast very veto vial vibe view visa "
    "void vows wall wand warm wasp wave waxy webs what when whiz wolf work yank yawn yell yoga yurt zaps zero "
    "zest zinc zone zoom"
).split()
assert len(_WORDS) == 256 and len(set(w[0] + w[-1] for w in _WORDS)) == 256
_MINIMAL = tuple(w[0] + w[-1] for w in _WORDS)
_FROM_MINIMAL = {m: i for i, m in enumerate(_MINIMAL)}

MAX_SEQ_LEN = 4096  # fragments per message: 4096 × ≥ 10 bytes is more than any badge we show
MAX_SEQ_NUM = 0xFFFFFFFF  # uint32 (BCR-2020-005 §"Multi-part URs")
MAX_PART_TEXT = 8 * 1024  # far above the 2 953 bytes a version-40 QR code holds
MAX_MIXED_PARTS = 4 * MAX_SEQ_LEN  # part numbers a decoder remembers, to skip their repeats at no cost


class UrError(QrDecodeError):
    """Text that is not a well-formed UR, or a part that does not belong with the others."""


class UrMismatchError(UrError):
    """A well-formed part of a different message than the one being collected."""


# ------------------------------------------------------------------------------------ Bytewords


def bytewords_encode(data: bytes) -> str:
    """Minimal bytewords of ``data`` followed by its CRC-32 (big-endian), lower case."""
    body = data + zlib.crc32(data).to_bytes(4, "big")
    return "".join(_MINIMAL[b] for b in body)


def bytewords_decode(text: str) -> bytes:
    """Bytes of minimal bytewords, checked against their trailing CRC-32. Raises :class:`UrError`."""
    text = text.lower()
    if len(text) % 2 or len(text) < 10:
        raise UrError("the code's data is cut short (bytewords need an even number of letters and a checksum)")
    try:
        body = bytes(_FROM_MINIMAL[text[i:i + 2]] for i in range(0, len(text), 2))
    except KeyError as exc:
        raise UrError(f"the code's data holds {exc.args[0]!r}, which is not a byteword") from None
    data, crc = body[:-4], body[-4:]
    if zlib.crc32(data).to_bytes(4, "big") != crc:
        raise UrError("the code's data does not match its checksum: it was misread or altered")
    return data


# ------------------------------------------------------------------------------------ UR text


def is_ur_text(text: str) -> bool:
    """True when ``text`` starts with the ``ur:`` scheme (either case)."""
    return text[:3].lower() == "ur:"


def _check_type(ur_type: str) -> str:
    # BCR-2020-005 §3: a type is lower-case letters, digits and hyphens.
    if not ur_type or any(not (c.isascii() and (c.islower() or c.isdigit() or c == "-")) for c in ur_type):
        raise UrError(f"{ur_type[:40]!r} is not a UR type (lower-case letters, digits and '-')")
    return ur_type


def encode_single_ur(ur_type: str, cbor: bytes) -> str:
    """``UR:TYPE/BYTEWORDS`` (upper case: QR alphanumeric mode) of one CBOR item."""
    return f"ur:{_check_type(ur_type)}/{bytewords_encode(cbor)}".upper()


def _split_ur(text: str) -> tuple[str, list[str]]:
    if len(text) > MAX_PART_TEXT:
        raise UrError(f"a UR part of {len(text)} characters is longer than any QR code holds")
    if not is_ur_text(text):
        raise UrError("not a UR (it does not start with 'ur:')")
    ur_type, *rest = text[3:].strip().lower().split("/")
    if not rest or len(rest) > 2:
        raise UrError("a UR is 'ur:type/data' or 'ur:type/seq-len/data'")
    return _check_type(ur_type), rest


def decode_single_ur(text: str) -> tuple[str, bytes]:
    """(type, CBOR bytes) of a single-part UR. Raises :class:`UrError`."""
    ur_type, rest = _split_ur(text)
    if len(rest) != 1:
        raise UrError("this UR is one part of a multi-part code; read all its parts")
    return ur_type, bytewords_decode(rest[0])


# ------------------------------------------------------------------------------------ fountain code


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & 0xFFFFFFFFFFFFFFFF


class _Xoshiro256:
    """xoshiro256** (Blackman & Vigna), seeded with SHA-256 of the seed read as four big-endian
    words, as the UR reference implementations do."""

    def __init__(self, seed: bytes) -> None:
        digest = hashlib.sha256(seed).digest()
        self._s = [int.from_bytes(digest[i:i + 8], "big") for i in range(0, 32, 8)]

    def _next(self) -> int:
        s = self._s
        result = (_rotl((s[1] * 5) & 0xFFFFFFFFFFFFFFFF, 7) * 9) & 0xFFFFFFFFFFFFFFFF
        t = (s[1] << 17) & 0xFFFFFFFFFFFFFFFF
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result

    def next_double(self) -> float:
        return self._next() / 18446744073709551616  # exact quotient, rounded once, as in the references

    def next_int(self, low: int, high: int) -> int:
        return int(self.next_double() * (high - low + 1)) + low


@lru_cache(maxsize=32)
def _degree_table(seq_len: int) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """Vose's alias table for P(degree = d) ∝ 1/d, d = 1 … seq_len, built in the references' order
    (the same float operations, so the same table)."""
    weights = [1 / (i + 1) for i in range(seq_len)]
    total = 0.0
    for w in weights:  # left to right, as the references add them
        total += w
    scaled = [w * seq_len / total for w in weights]
    prob = [0.0] * seq_len
    alias = [0] * seq_len
    small = [i for i in range(seq_len - 1, -1, -1) if scaled[i] < 1]
    large = [i for i in range(seq_len - 1, -1, -1) if scaled[i] >= 1]
    while small and large:
        less, more = small.pop(), large.pop()
        prob[less], alias[less] = scaled[less], more
        scaled[more] = (scaled[more] + scaled[less]) - 1
        (small if scaled[more] < 1 else large).append(more)
    for i in large + small:
        prob[i] = 1.0
    return tuple(prob), tuple(alias)


def choose_fragments(seq_num: int, seq_len: int, checksum: int) -> frozenset[int]:
    """The fragment indexes part ``seq_num`` carries (BCR-2020-005's ``choose_fragments``)."""
    if seq_num <= seq_len:
        return frozenset((seq_num - 1,))
    rng = _Xoshiro256(seq_num.to_bytes(4, "big") + checksum.to_bytes(4, "big"))
    prob, alias = _degree_table(seq_len)
    column = int(rng.next_double() * seq_len)
    degree = (column if rng.next_double() < prob[column] else alias[column]) + 1
    # The references shuffle all indexes and keep the first `degree`; the rest of the shuffle
    # draws from the generator without effect, so stopping at `degree` gives the same set.
    remaining = list(range(seq_len))
    return frozenset(remaining.pop(rng.next_int(0, len(remaining) - 1)) for _ in range(degree))


def nominal_fragment_len(message_len: int, min_fragment_len: int, max_fragment_len: int) -> int:
    """The smallest number of equal fragments no longer than ``max_fragment_len`` decides their length."""
    if message_len <= 0 or not 0 < min_fragment_len <= max_fragment_len:
        raise ValueError("a UR needs a message and 0 < min_fragment_len <= max_fragment_len")
    fragment_len = message_len
    for count in range(1, -(-message_len // min_fragment_len) + 1):
        fragment_len = -(-message_len // count)
        if fragment_len <= max_fragment_len:
            break
    return fragment_len


def _xor_into(target: bytearray, other: bytes) -> None:
    mixed = int.from_bytes(target, "big") ^ int.from_bytes(other, "big")
    target[:] = mixed.to_bytes(len(target), "big")


class UrEncoder:
    """The parts of one message: ``seq_len`` pure fragments, then fountain parts without end."""

    def __init__(self, ur_type: str, cbor: bytes, *, max_fragment_len: int, min_fragment_len: int = 10,
                 first_seq_num: int = 0) -> None:
        self._type = _check_type(ur_type)
        self._message = bytes(cbor)
        self._fragment_len = nominal_fragment_len(len(cbor), min_fragment_len, max_fragment_len)
        padded = self._message.ljust(-(-len(cbor) // self._fragment_len) * self._fragment_len, b"\0")
        self._fragments = [padded[i:i + self._fragment_len] for i in range(0, len(padded), self._fragment_len)]
        if len(self._fragments) > MAX_SEQ_LEN:
            raise ValueError(f"{len(cbor)} bytes in fragments of {self._fragment_len} is more than "
                             f"{MAX_SEQ_LEN} parts")
        self._checksum = zlib.crc32(self._message)
        self._seq_num = first_seq_num

    @property
    def seq_len(self) -> int:
        return len(self._fragments)

    @property
    def fragment_len(self) -> int:
        return self._fragment_len

    @property
    def is_single_part(self) -> bool:
        return self.seq_len == 1

    def part(self, seq_num: int) -> str:
        """Part ``seq_num`` (1-based; above ``seq_len`` a fountain part), upper case. A message of
        one fragment is its single-part UR (BCR-2020-005 §3), whatever ``seq_num``."""
        if self.is_single_part:
            return encode_single_ur(self._type, self._message)
        if not 1 <= seq_num <= MAX_SEQ_NUM:
            raise ValueError(f"part numbers run from 1 to {MAX_SEQ_NUM}")
        mixed = bytearray(self._fragment_len)
        for index in choose_fragments(seq_num, self.seq_len, self._checksum):
            _xor_into(mixed, self._fragments[index])
        body = cbor2.dumps([seq_num, self.seq_len, len(self._message), self._checksum, bytes(mixed)])
        return f"ur:{self._type}/{seq_num}-{self.seq_len}/{bytewords_encode(body)}".upper()

    def degree(self, seq_num: int) -> int:
        """How many fragments part ``seq_num`` mixes (1 for a pure part)."""
        return 1 if self.is_single_part else len(choose_fragments(seq_num, self.seq_len, self._checksum))

    def next_part(self) -> str:
        self._seq_num = self._seq_num % MAX_SEQ_NUM + 1
        return self.part(self._seq_num)


# ------------------------------------------------------------------------------------ decoder


def _parse_seq(component: str) -> tuple[int, int]:
    num, _, count = component.partition("-")
    if not (num.isdigit() and count.isdigit() and len(num) <= 10 and len(count) <= 10):
        raise UrError(f"{component[:24]!r} is not a part number 'seq-len'")
    return int(num), int(count)


def _parse_part(body: bytes) -> tuple[int, int, int, int, bytes]:
    try:
        item = cbor2.loads(body)
    except (cbor2.CBORDecodeError, ValueError, OverflowError, RecursionError, MemoryError):
        raise UrError("a part's data is not the CBOR a multi-part UR carries") from None
    if not (isinstance(item, list) and len(item) == 5 and all(type(v) is int for v in item[:4])
            and isinstance(item[4], bytes) and item[4]):
        raise UrError("a part's data is not [seq_num, seq_len, message_len, checksum, fragment]")
    seq_num, seq_len, message_len, checksum, fragment = item
    return seq_num, seq_len, message_len, checksum, fragment


@dataclass(frozen=True)
class _Row:
    """One equation over GF(2): the XOR of the fragments whose bits are set in ``mask`` is ``data``
    (the fragment bytes read as one big-endian integer, so a row XOR is two integer XORs)."""

    mask: int
    data: int


class UrDecoder:
    """Collects parts in any order, with repeats and gaps, until the message is whole.

    Every part is one linear equation over GF(2) in the ``seq_len`` unknown fragments (a fountain
    part is the XOR of the fragments ``choose_fragments`` names, BCR-2020-005 §"Multi-part URs").
    The reference decoders *peel* (they only use a part once all but one of its fragments are known);
    this one solves by Gauss–Jordan elimination instead, which reads the same parts and finishes
    whenever the parts read are enough to determine the message, not only when they happen to peel:
    15–20 % fewer parts for a camera that starts at a random point of the loop (BENCHMARKS.md
    "Animated QR"). The rows are kept in reduced echelon form, keyed by their pivot (lowest set bit):
    a pivot's bit is set in no other row. So a new part is reduced with at most one row XOR per
    fragment it names, and a new pivot is cleared from at most ``rank`` rows: at most
    ``2 × seq_len`` row XORs per part (counted in :attr:`row_xors`), at most ``seq_len`` rows held.
    The message is whole when the rank reaches ``seq_len``; it is then checked against its CRC-32.
    """

    def __init__(self, *, max_message_len: int = 1024 * 1024) -> None:
        self._max_message_len = max_message_len
        self._type: str | None = None
        self._single: bytes | None = None
        self._shape: tuple[int, int, int, int] | None = None  # seq_len, message_len, checksum, fragment_len
        self._rows: dict[int, _Row] = {}  # pivot -> row
        self._pivots = 0  # the pivots' bits
        self._seen: set[int] = set()  # part numbers taken, up to MAX_MIXED_PARTS of them
        self._received = 0
        self._message: bytes | None = None
        self.row_xors = 0  # work done: XORs of one row into another (mask and data)

    # -- what it knows

    @property
    def is_complete(self) -> bool:
        return self._message is not None

    @property
    def rank(self) -> int:
        """How many independent parts are held (``seq_len`` once complete)."""
        if self._message is not None:
            return self._shape[0] if self._shape else 1
        return len(self._rows)

    @property
    def progress(self) -> float:
        """0.0 … 1.0: the rank over ``seq_len``, the share of the message the parts read determine
        (a fountain part counts once it adds what the others do not already say)."""
        if self._message is not None:
            return 1.0
        return len(self._rows) / self._shape[0] if self._shape else 0.0

    @property
    def expected_part_count(self) -> int | None:
        return self._shape[0] if self._shape else (1 if self._single is not None else None)

    @property
    def received_part_count(self) -> int:
        """How many distinct parts arrived (pure and mixed)."""
        return self._received + (1 if self._single is not None else 0)

    @property
    def ur_type(self) -> str | None:
        return self._type

    @property
    def message(self) -> bytes:
        """The whole CBOR message once complete (raises :class:`UrError` before)."""
        if self._message is None:
            raise UrError(f"the code is not complete yet ({round(self.progress * 100)} % received)")
        return self._message

    # -- taking parts

    def receive_part(self, text: str) -> bool:
        """Take one part; True when it was new and usable (it raised the rank). Raises
        :class:`UrError` for bad text, a part that contradicts the parts held, or a message that
        fails its checksum (then the parts held are dropped, so the next ones start afresh);
        :class:`UrMismatchError` for a part of another message."""
        ur_type, rest = _split_ur(text)
        if self._type is not None and ur_type != self._type:
            raise UrMismatchError(f"a part of a 'ur:{ur_type}' arrived while reading a 'ur:{self._type}'")
        if len(rest) == 1:
            return self._receive_single(ur_type, bytewords_decode(rest[0]))
        seq_num, seq_len = _parse_seq(rest[0])
        body = _parse_part(bytewords_decode(rest[1]))
        if (body[0], body[1]) != (seq_num, seq_len):
            raise UrError("a part's number disagrees with its data")
        self._type = ur_type
        return self._receive_multi(*body)

    def _receive_single(self, ur_type: str, cbor: bytes) -> bool:
        if self._shape is not None or (self._single is not None and self._single != cbor):
            raise UrMismatchError("a single-part code arrived while reading another code")
        if len(cbor) > self._max_message_len:
            raise UrError(f"the code holds {len(cbor)} bytes, more than {self._max_message_len}")
        new = self._single is None
        self._type, self._single, self._message = ur_type, cbor, cbor
        return new

    def _check_shape(self, seq_len: int, message_len: int, checksum: int, fragment_len: int) -> None:
        shape = (seq_len, message_len, checksum, fragment_len)
        if self._shape is not None:
            if shape != self._shape:
                raise UrMismatchError("a part of a different code arrived (its length or checksum differ)")
            return
        if not 2 <= seq_len <= MAX_SEQ_LEN:
            raise UrError(f"a code of {seq_len} parts is outside what Satchel reads (2 to {MAX_SEQ_LEN})")
        if not 0 < message_len <= self._max_message_len:
            raise UrError(f"the code announces {message_len} bytes; Satchel reads up to {self._max_message_len}")
        # seq_len fragments of fragment_len bytes must hold the message with less than one fragment
        # of padding (BCR-2020-005's partition): no announcing a length the parts cannot fill.
        if seq_len != -(-message_len // fragment_len) or not 0 <= checksum <= 0xFFFFFFFF:
            raise UrError("the code's parts do not add up to the length it announces")
        self._shape = shape

    def _receive_multi(self, seq_num: int, seq_len: int, message_len: int, checksum: int, fragment: bytes) -> bool:
        if self._single is not None:
            raise UrMismatchError("a part of a multi-part code arrived while reading a single code")
        if not 1 <= seq_num <= MAX_SEQ_NUM:
            raise UrError(f"part number {seq_num} is outside 1 … {MAX_SEQ_NUM}")
        self._check_shape(seq_len, message_len, checksum, len(fragment))
        if self._message is not None or seq_num in self._seen:
            return False
        mask = 0
        for index in choose_fragments(seq_num, seq_len, checksum):
            mask |= 1 << index
        raised_rank = self._add(_Row(mask, int.from_bytes(fragment, "big")))
        self._received += 1
        if len(self._seen) < MAX_MIXED_PARTS:  # past that, a repeat is reduced again: at most its degree in XORs
            self._seen.add(seq_num)
        if len(self._rows) == seq_len:
            self._finish()
        return raised_rank

    def _add(self, row: _Row) -> bool:
        """Reduce ``row`` by the rows held (one XOR per held pivot it names: a held row has no other
        pivot's bit, so XORing it in brings none); if anything is left, it is a new pivot, which is
        cleared from the rows that name it. True when the rank rose. Raises :class:`UrError` when
        the part reduces to "nothing equals something": it contradicts the parts held."""
        mask, data = row.mask, row.data
        held = mask & self._pivots
        while held:
            low = held & -held
            pivot_row = self._rows[low.bit_length() - 1]
            mask, data = mask ^ pivot_row.mask, data ^ pivot_row.data
            self.row_xors += 1
            held ^= low
        if not mask:
            if data:
                # Every part passed its own CRC, so this is a forged part or one of another code with
                # the same announced shape; which of them is wrong cannot be told yet: keep what is held.
                raise UrError("a part contradicts the parts read before it: they are not all of one code")
            return False
        pivot_bit = mask & -mask
        for key, other in list(self._rows.items()):
            if other.mask & pivot_bit:
                self._rows[key] = _Row(other.mask ^ mask, other.data ^ data)
                self.row_xors += 1
        self._rows[pivot_bit.bit_length() - 1] = _Row(mask, data)
        self._pivots |= pivot_bit
        return True

    def _finish(self) -> None:
        """Full rank: the rows are the identity, each one fragment. Check the whole message's CRC-32
        (BCR-2020-005: the part's ``checksum`` is the CRC-32 of the message)."""
        assert self._shape is not None
        seq_len, message_len, checksum, fragment_len = self._shape
        message = b"".join(self._rows[i].data.to_bytes(fragment_len, "big") for i in range(seq_len))[:message_len]
        self._rows.clear()
        self._pivots = 0
        if zlib.crc32(message) != checksum:
            # Every part passed its own CRC, so this is a forged or mixed-up code, not a misread. The
            # rows are dropped, so a camera still watching an honest code starts over and finishes.
            self._seen.clear()
            self._received = 0
            raise UrError("the reassembled code does not match its checksum: parts of different codes were mixed")
        self._message = message


def iter_parts(encoder: UrEncoder, count: int, start: int = 1) -> Iterable[str]:
    """``count`` parts of ``encoder`` from part ``start`` on."""
    return (encoder.part(n) for n in range(start, start + count))
