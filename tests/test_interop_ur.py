"""Interop: the reference TypeScript implementation of Blockchain Commons URs (@ngraveio/bc-ur,
pinned in scripts/interop/ur/package-lock.json, run with node) and ours write the same parts, byte
for byte, fountain parts included, and each decodes what the other wrote.

Set up with ``npm ci --prefix scripts/interop/ur`` (``make interop-deps``); skipped without node or it.
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import cbor2
import pytest

from credentials import UrDecoder, UrEncoder, encode_qr_parts
from tests.helpers import NODE, node_package_skips

ROOT = Path(__file__).resolve().parent.parent
UR = ROOT / "scripts" / "interop" / "ur"

pytestmark = node_package_skips(UR, "@ngraveio/bc-ur")


def node(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    assert NODE is not None
    return subprocess.run([NODE, str(UR / "ur.mjs"), *args], input=stdin, capture_output=True, text=True,
                          timeout=120, cwd=UR)


@pytest.mark.parametrize(("size", "max_fragment"), [(120, 30), (3_000, 200), (25_000, 900)])
def test_reference_encoder_writes_the_parts_we_write(size: int, max_fragment: int) -> None:
    message = cbor2.dumps(random.Random(size).randbytes(size))
    ours = UrEncoder("satchel-vp", message, max_fragment_len=max_fragment)
    count = 3 * ours.seq_len  # pure parts and as many fountain parts again, twice
    result = node("encode", "satchel-vp", str(max_fragment), str(count), stdin=message.hex())
    assert result.returncode == 0, result.stderr
    theirs = result.stdout.split()
    assert len(theirs) == count
    assert [ours.part(n).lower() for n in range(1, count + 1)] == theirs


def test_reference_decoder_reads_our_frames_starting_late() -> None:
    doc = {"type": ["VerifiablePresentation"], "blob": random.Random(7).randbytes(9_000).hex()}
    parts = encode_qr_parts(doc)
    frames = parts.frames(4 * parts.seq_len, start=parts.seq_len + 3)  # fountain parts only
    result = node("decode", stdin="\n".join(frames))
    assert result.returncode == 0, result.stdout + result.stderr
    out = json.loads(result.stdout)
    decoder = UrDecoder()
    for frame in frames[: out["parts_used"]]:
        decoder.receive_part(frame)
    assert out["type"] == "satchel-vp" and decoder.is_complete
    assert bytes.fromhex(out["cbor_hex"]) == decoder.message


def test_we_decode_what_the_reference_encoder_wrote() -> None:
    message = cbor2.dumps(random.Random(3).randbytes(8_000))
    result = node("encode", "bytes", "300", "200", stdin=message.hex())
    theirs = result.stdout.split()
    decoder = UrDecoder()
    for part in theirs[40:]:  # the first 40 never seen
        decoder.receive_part(part)
        if decoder.is_complete:
            break
    assert decoder.is_complete and decoder.ur_type == "bytes" and decoder.message == message
