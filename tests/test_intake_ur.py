"""The verifier's intake reads a whole ``UR:SATCHEL-VP/…`` code pasted as text, and says plainly
that a single frame of an animated code is to be scanned, not pasted."""

from __future__ import annotations

import random

import cbor2
import pytest

from credentials import encode_qr_parts, encode_single_ur
from credentials._formats.qr_parts import payload_message
from verifier.app.intake import IntakeError, read_text

VP = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"]}


def test_intake_reads_a_single_part_satchel_ur() -> None:
    given = read_text(encode_single_ur("satchel-vp", payload_message(VP)))
    assert given.how == "animated QR" and given.data == VP and given.is_presentation


def test_intake_says_a_single_frame_of_an_animated_code_is_to_be_scanned() -> None:
    big = dict(VP, blob=random.Random(1).randbytes(6000).hex())
    parts = encode_qr_parts(big)
    with pytest.raises(IntakeError, match=f"one of {parts.seq_len}.*camera"):
        read_text(parts.frame(2))


def test_intake_refuses_another_kind_of_ur_clearly() -> None:
    with pytest.raises(IntakeError, match="ur:crypto-seed"):
        read_text(encode_single_ur("crypto-seed", cbor2.dumps(b"\x00" * 16)))
