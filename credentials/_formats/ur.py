"""Uniform Resources (Blockchain Commons BCR-2020-005) with Bytewords (BCR-2020-012): multi-part,
fountain-coded QR text, so that anything too large for one code travels as a loop of codes.

SKELETON (issue 13): signatures fixed; the implementation is being written.
"""

from __future__ import annotations

from .qr import QrDecodeError

__all__ = ["UrDecoder", "UrEncoder", "UrError", "decode_single_ur", "encode_single_ur", "is_ur_text"]


class UrError(QrDecodeError):
    """Text that is not a well-formed UR, or a part that does not belong with the others."""


def is_ur_text(text: str) -> bool:
    """True when ``text`` starts with the ``ur:`` scheme (either case)."""
    raise NotImplementedError


def encode_single_ur(ur_type: str, cbor: bytes) -> str:
    """``UR:TYPE/BYTEWORDS`` (upper case: QR alphanumeric mode) of one CBOR item."""
    raise NotImplementedError


def decode_single_ur(text: str) -> tuple[str, bytes]:
    """(type, CBOR bytes) of a single-part UR. Raises :class:`UrError`."""
    raise NotImplementedError


class UrEncoder:
    """The parts of one message: ``seq_len`` pure fragments, then fountain parts without end."""

    def __init__(self, ur_type: str, cbor: bytes, *, max_fragment_len: int, min_fragment_len: int = 10,
                 first_seq_num: int = 0) -> None:
        raise NotImplementedError

    @property
    def seq_len(self) -> int:
        raise NotImplementedError

    @property
    def fragment_len(self) -> int:
        raise NotImplementedError

    def part(self, seq_num: int) -> str:
        """Part ``seq_num`` (1-based; above ``seq_len`` a fountain part), upper case."""
        raise NotImplementedError

    def next_part(self) -> str:
        raise NotImplementedError


class UrDecoder:
    """Collects parts in any order, with repeats and gaps, until the message is whole."""

    def __init__(self, *, max_message_len: int = 1024 * 1024) -> None:
        raise NotImplementedError

    def receive_part(self, text: str) -> bool:
        """Take one part; True when it was new and usable. Raises :class:`UrError` for bad text
        or a part of another message."""
        raise NotImplementedError

    @property
    def is_complete(self) -> bool:
        raise NotImplementedError

    @property
    def progress(self) -> float:
        """0.0 … 1.0: the share of pure fragments recovered so far."""
        raise NotImplementedError

    @property
    def expected_part_count(self) -> int | None:
        raise NotImplementedError

    @property
    def ur_type(self) -> str | None:
        raise NotImplementedError

    @property
    def message(self) -> bytes:
        """The whole CBOR message once complete (raises :class:`UrError` before)."""
        raise NotImplementedError
