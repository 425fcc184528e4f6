"""IETF Token Status List (draft-ietf-oauth-status-list): reading a Status List Token's bits.

§4.1 a Status List is ``{"bits": 1|2|4|8, "lst": base64url(ZLIB-compressed bytes)}``; §4.1 the
status of index ``i`` is the ``bits``-wide value at bit offset ``i * bits``, counted from the least
significant bit of each byte; §7.1 values: 0 VALID, 1 INVALID, 2 SUSPENDED, 3 and above
application specific. §5.1 the Status List Token is a JWT typed ``statuslist+jwt`` whose ``sub``
is the list's URI. Inflation is bounded (:data:`MAX_LIST_BYTES`): a zip bomb stops there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._encoding import b64url_decode, inflate_bounded
from .._errors import MalformedError

__all__ = ["MAX_LIST_BYTES", "STATUS_INVALID", "STATUS_SUSPENDED", "STATUS_VALID", "StatusList",
           "parse_status_list", "read_token_status"]

MAX_LIST_BYTES = 4 * 1024 * 1024  # 32 million one-bit entries: more than any issuer publishes
STATUS_VALID, STATUS_INVALID, STATUS_SUSPENDED = 0, 1, 2


@dataclass(frozen=True)
class StatusList:
    bits: int
    statuses: bytes  # the inflated list

    @property
    def size(self) -> int:
        return len(self.statuses) * 8 // self.bits


def parse_status_list(claim: Any) -> StatusList:
    """The ``status_list`` claim of a Status List Token (§4.1, §5.1)."""
    if not isinstance(claim, dict):
        raise MalformedError("the status list token has no status_list object")
    bits, lst = claim.get("bits"), claim.get("lst")
    if isinstance(bits, bool) or bits not in (1, 2, 4, 8):
        raise MalformedError("the status list's bits is not 1, 2, 4 or 8")
    if not isinstance(lst, str):
        raise MalformedError("the status list has no lst")
    compressed = b64url_decode(lst, strict=False)
    return StatusList(bits, inflate_bounded(compressed, MAX_LIST_BYTES, what="the status list"))


def read_token_status(status_list: StatusList, idx: Any) -> int:
    """The status value at ``idx`` (§4.1); MalformedError when ``idx`` is not in the list."""
    if isinstance(idx, bool) or not isinstance(idx, int) or idx < 0:
        raise MalformedError("the status index is not a non-negative integer")
    if idx >= status_list.size:
        raise MalformedError(f"the status index {idx} is beyond the list's {status_list.size} entries")
    offset = idx * status_list.bits
    byte = status_list.statuses[offset // 8]
    return (byte >> (offset % 8)) & ((1 << status_list.bits) - 1)
