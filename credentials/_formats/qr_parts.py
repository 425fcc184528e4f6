"""A presentation as a looping sequence of QR codes (``UR:SATCHEL-VP/…``), and the one assembler
that turns whatever a camera reads (one ``SV1:`` code, a ``VP1-`` code, a link, or the parts of
a multi-part code) into the text the verifier's intake reads.

SKELETON (issue 13): signatures fixed; the implementation is being written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["QR_UR_TYPE", "AssemblyProgress", "QrAssembler", "QrParts", "alphanumeric_capacity",
           "encode_qr_parts"]

QR_UR_TYPE = "satchel-vp"


def alphanumeric_capacity(version: int, level: Literal["L", "M", "Q", "H"] = "M") -> int:
    """Characters a QR symbol of ``version`` holds in alphanumeric mode (ISO/IEC 18004 Table 7)."""
    raise NotImplementedError


class QrParts:
    """The frames of one presentation: ``seq_len`` pure parts, then fountain parts without end."""

    seq_len: int
    version: int  # the QR version every frame fits in

    def frame(self, n: int) -> str:
        """Frame ``n`` (1-based) as QR text, upper case (alphanumeric mode)."""
        raise NotImplementedError

    def frames(self, count: int, start: int = 1) -> list[str]:
        raise NotImplementedError


def encode_qr_parts(doc: Mapping[str, Any], *, max_version: int = 20) -> QrParts:
    """The multi-part code of a presentation or credential, every frame at most ``max_version`` (level M)."""
    raise NotImplementedError


@dataclass(frozen=True)
class AssemblyProgress:
    complete: bool
    fraction: float  # 0.0 … 1.0, shown as "42 % received"
    kind: Literal["single", "multipart"]
    parts_received: int
    parts_expected: int | None
    restarted: bool = False  # the parts of a different presentation arrived: started over


class QrAssembler:
    """Feed every text a camera reads; ``text`` is what to verify once ``complete``."""

    def add(self, text: str) -> AssemblyProgress:
        raise NotImplementedError

    @property
    def text(self) -> str | None:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError
