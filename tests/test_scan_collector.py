"""The capture loop's collector (``scan.QrCollector``) over the engine's assembler: an animated code
whose parts all read but whose whole is no presentation is said once it is whole (``on_error``, a
sentence), the collector starts over, and the next code is gathered as ever; a misread part is
only counted. Real UR parts of real bytes; the reads are handed in as the scanner would."""

from __future__ import annotations

import json
import random
import zlib

import cbor2

from credentials import QR_UR_TYPE, UrEncoder, encode_qr_parts
from scan import QrCollector, QrRead


def read(text: str, n: int) -> QrRead:
    return QrRead(text, n, float(n), float(n), "fast")


def test_a_broken_whole_is_said_once_whole_then_the_next_code_is_gathered() -> None:
    broken = UrEncoder(QR_UR_TYPE, cbor2.dumps(zlib.compress(random.Random(3).randbytes(700))), max_fragment_len=150)
    good_doc = {"type": ["VerifiablePresentation"], "holder": "did:example:h", "blob": "ab" * 900}
    good = encode_qr_parts(good_doc)
    done: list[str] = []
    errors: list[tuple[str, int]] = []
    progress: list[int] = []
    collector = QrCollector(lambda text, _r: done.append(text), on_progress=lambda p, _r: progress.append(
        p.parts_received), on_error=lambda said, r: errors.append((said, r.frame_index)))
    texts = [broken.part(n) for n in range(1, broken.seq_len + 3)]  # whole at seq_len, then the loop goes on
    texts.append(texts[0][:-4] + ("AAAA" if not texts[0].endswith("AAAA") else "BBBB"))  # a misread part
    texts += [good.frame(n) for n in range(1, good.seq_len + 1)]
    for n, text in enumerate(texts):
        collector(read(text, n))
    assert errors[0][1] == broken.seq_len - 1  # said on the read that made it whole, not before
    assert len(errors) == 3 and len({said for said, _ in errors}) == 1  # its later parts: the same words
    assert "holds no presentation Satchel can read" in errors[0][0] and "UTF-8 JSON" in errors[0][0]
    assert (collector.failed, collector.rejected) == (3, 1)
    assert progress[:broken.seq_len - 1] == list(range(1, broken.seq_len))  # it was received before it failed
    assert len(done) == 1 and json.loads(done[0]) == good_doc and collector.completed == 1
