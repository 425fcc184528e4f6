"""A presentation as a loop of QR codes: frames that fit the version they promise, real QR
images decoded by OpenCV, any sufficient subset reassembling the document, and the assembler
taking single codes and multi-part codes through the same door."""

from __future__ import annotations

import base64
import io
import json
import random
import zlib
from typing import Any

import cbor2
import pytest
import qrcode
import qrcode.constants

from credentials import (
    QR_UR_TYPE,
    QrAssembler,
    QrAssemblyError,
    UrEncoder,
    UrError,
    alphanumeric_capacity,
    decode_qr_image,
    encode_qr_parts,
    encode_qr_text,
    encode_single_ur,
)
from credentials._formats.qr_parts import decode_payload_message, payload_message
from credentials._formats.ur import bytewords_encode


def big_badge(kb: int, seed: int = 0) -> dict[str, Any]:
    """An OB 3.0-shaped credential with an incompressible ``data:`` image of about ``kb`` KB."""
    rng = random.Random(seed)
    image = "data:image/png;base64," + base64.b64encode(rng.randbytes(kb * 750)).decode()
    return {"@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "did:web:example.edu", "name": "Example"},
            "credentialSubject": {"achievement": {"name": "Big", "image": {"id": image, "type": "Image"}}}}


@pytest.mark.parametrize(("version", "level", "expected"), [(1, "M", 20), (10, "M", 311), (20, "M", 970),
                                                            (20, "L", 1249), (40, "L", 4296), (40, "H", 1852)])
def test_alphanumeric_capacity_matches_iso_18004_table_7(version: int, level: Any, expected: int) -> None:
    assert alphanumeric_capacity(version, level) == expected


@pytest.mark.parametrize("level", ["L", "M"])
def test_every_frame_fits_the_version_the_parts_promise(level: Any) -> None:
    parts = encode_qr_parts(big_badge(30), max_version=20, level=level)
    assert parts.version <= 20 and parts.seq_len > 10
    frames = parts.frames(parts.seq_len * 3) + [parts.frame(4_000_000_000)]
    assert all(f.startswith(f"UR:{QR_UR_TYPE.upper()}/") and f == f.upper() for f in frames)
    assert max(len(f) for f in frames) <= alphanumeric_capacity(parts.version, level)
    for f in frames[:3]:
        qr = qrcode.QRCode(version=parts.version, error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{level}"))
        qr.add_data(f)
        qr.make(fit=False)  # raises when the text does not fit the version
        assert qr.data_list[0].mode == qrcode.util.MODE_ALPHA_NUM


def test_payload_is_the_sv1_stream_in_a_cbor_byte_string() -> None:
    doc = big_badge(2)
    message = payload_message(doc)
    assert message[0] >> 5 == 2  # CBOR major type 2: a byte string
    assert decode_payload_message(message) == doc


def _decode_png(text: str, version: int) -> str:
    qr = qrcode.QRCode(version=version, error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=4, border=4)
    qr.add_data(text)
    buf = io.BytesIO()
    qr.make_image().save(buf)
    return decode_qr_image(buf.getvalue())  # the engine's reader: OpenCV's detectors, scaled


def test_frames_drawn_as_qr_images_and_read_by_opencv_reassemble_in_any_order() -> None:
    doc = big_badge(6, seed=3)
    parts = encode_qr_parts(doc)
    frames = parts.frames(2 * parts.seq_len, start=5)
    random.Random(1).shuffle(frames)
    assembler = QrAssembler()
    read = 0
    for frame in frames:
        progress = assembler.add(_decode_png(frame, parts.version))
        read += 1
        assert progress.kind == "multipart" and progress.parts_expected == parts.seq_len
        if progress.complete:
            break
    assert assembler.progress.complete and read <= len(frames)
    assert assembler.text is not None and json.loads(assembler.text) == doc


def test_assembler_passes_a_single_code_through_as_it_is() -> None:
    assembler = QrAssembler()
    text = encode_qr_text({"type": ["VerifiablePresentation"]})
    progress = assembler.add(text)
    assert progress.complete and progress.kind == "single" and assembler.text == text
    link = "https://verifier.example/s#vp=abc"
    assert assembler.add(link).complete and assembler.text == link


def test_assembler_reports_progress_then_starts_over_for_another_presentation() -> None:
    first, second = encode_qr_parts(big_badge(8, seed=1)), encode_qr_parts(big_badge(8, seed=2))
    assembler = QrAssembler()
    p1 = assembler.add(first.frame(1))
    p2 = assembler.add(first.frame(2))
    assert not p2.complete and p2.parts_received == 2 and 0 < p1.fraction < p2.fraction < 1
    assert 0 < p2.percent < 100
    p3 = assembler.add(second.frame(7))
    assert p3.restarted and p3.parts_received == 1
    n = 7
    while not assembler.progress.complete:
        n += 1
        assembler.add(second.frame(n))
    assert json.loads(assembler.text or "") == big_badge(8, seed=2)


def test_assembler_refuses_a_ur_that_is_not_a_satchel_presentation() -> None:
    with pytest.raises(UrError, match="ur:crypto-psbt"):
        QrAssembler().add(encode_single_ur("crypto-psbt", b"\x41\x00"))


def test_sv1_codes_of_the_sample_badges_are_not_worse_than_their_parts() -> None:
    # The multi-part code is for what does not fit; what fits one SV1 code uses about as many
    # characters as the parts would (bytewords cost 11 bits a byte, base45 8.25).
    doc = big_badge(1)
    parts = encode_qr_parts(doc)
    assert len(encode_qr_text(doc)) < sum(len(f) for f in parts.frames(parts.seq_len))


# -- honest counts, broken wholes, explicit restarts ------------------------------------------------------


def test_parts_received_never_exceeds_parts_expected_though_codes_read_may() -> None:
    doc = big_badge(8, seed=5)
    parts = encode_qr_parts(doc)
    assembler = QrAssembler()
    steps = []
    for n in range(parts.seq_len + 1, 6 * parts.seq_len):  # fountain parts only: each mixes several fragments
        steps.append(assembler.add(parts.frame(n)))
        if steps[-1].complete:
            break
    assert steps[-1].complete and json.loads(assembler.text or "") == doc
    assert all(s.parts_expected == parts.seq_len and 0 <= s.parts_received <= parts.seq_len for s in steps)
    assert all(s.parts_received < parts.seq_len for s in steps[:-1])  # "all of them" only once it is whole
    assert steps[-1].parts_received == parts.seq_len
    received = [s.parts_received for s in steps]
    assert received == sorted(received)
    assert steps[-1].codes_read == len(steps) > parts.seq_len  # more codes read than parts: the loss of peeling


def ur_frames(message: bytes, *, max_fragment_len: int = 200) -> list[str]:
    """The pure parts, then as many fountain parts, of ``message`` as a ``satchel-vp`` UR."""
    encoder = UrEncoder(QR_UR_TYPE, message, max_fragment_len=max_fragment_len)
    assert encoder.seq_len > 1
    return [encoder.part(n) for n in range(1, 2 * encoder.seq_len + 1)]


def feed_until_it_fails(assembler: QrAssembler, frames: list[str]) -> tuple[QrAssemblyError, int]:
    for n, frame in enumerate(frames, 1):
        try:
            progress = assembler.add(frame)
        except QrAssemblyError as exc:
            return exc, n
        assert not progress.complete
    raise AssertionError(f"{len(frames)} parts taken, no failure: {assembler.progress}")


BROKEN_WHOLES = {
    "not zlib": (cbor2.dumps(b"\x78\x00" + random.Random(1).randbytes(900)), "not zlib data"),
    "not UTF-8 JSON": (cbor2.dumps(zlib.compress(random.Random(2).randbytes(900))), "UTF-8 JSON"),
    "a JSON list": (cbor2.dumps(zlib.compress(json.dumps(list(range(400))).encode())), "JSON object"),
    "inflates past 1 MiB": (cbor2.dumps(zlib.compress(b"[" * (3 * 1024 * 1024), 9)),
                            "larger than 1 MB once decompressed"),
    "not a byte string": (cbor2.dumps("x" * 700), "byte string"),
}


@pytest.mark.parametrize("broken", BROKEN_WHOLES)
def test_a_code_whose_parts_all_read_but_whose_whole_is_no_presentation_fails_clearly_and_starts_over(
        broken: str) -> None:
    message, reason = BROKEN_WHOLES[broken]
    frames = ur_frames(message)
    seq_len = UrEncoder(QR_UR_TYPE, message, max_fragment_len=200).seq_len
    assembler = QrAssembler()
    error, taken = feed_until_it_fails(assembler, frames)
    assert taken == seq_len  # it fails on the part that completes it, not before, not never
    said = str(error)
    assert said.startswith("The animated QR code was read whole, but it holds no presentation Satchel can read (")
    assert reason in said and said.endswith("starting over.")
    assert assembler.progress == QrAssembler().progress and assembler.text is None  # started over
    with pytest.raises(QrAssemblyError) as again:  # the same code still in view: refused at once, same words
        assembler.add(frames[-1])
    assert str(again.value) == said
    doc = big_badge(3, seed=9)
    good = encode_qr_parts(doc)
    for n in range(1, good.seq_len + 1):  # another code then reads as ever
        progress = assembler.add(good.frame(n))
    assert progress.complete and json.loads(assembler.text or "") == doc


def forged_part(n: int, seq_len: int, message: bytes, fragment_len: int, checksum: int) -> str:
    fragment = message.ljust(seq_len * fragment_len, b"\0")[(n - 1) * fragment_len:n * fragment_len]
    body = cbor2.dumps([n, seq_len, len(message), checksum, fragment])
    return f"ur:{QR_UR_TYPE}/{n}-{seq_len}/{bytewords_encode(body)}".upper()


def test_parts_that_each_read_but_fail_the_whole_codes_checksum_fail_clearly_then_an_honest_code_reads() -> None:
    message = payload_message(big_badge(2, seed=4))
    fragment_len, seq_len = 100, -(-len(message) // 100)
    wrong = (zlib.crc32(message) + 1) & 0xFFFFFFFF  # every part says so: each one's own CRC holds
    forged = [forged_part(n, seq_len, message, fragment_len, wrong) for n in range(1, seq_len + 1)]
    assembler = QrAssembler()
    error, taken = feed_until_it_fails(assembler, forged)
    assert taken == seq_len and "do not fit together" in str(error) and str(error).endswith("starting over.")
    assert assembler.progress.parts_received == 0 and assembler.text is None
    honest = UrEncoder(QR_UR_TYPE, message, max_fragment_len=fragment_len)
    for n in range(1, honest.seq_len + 1):
        progress = assembler.add(honest.part(n))
    assert progress.complete and not progress.restarted  # nothing was being collected: no restart to show
    assert json.loads(assembler.text or "") == big_badge(2, seed=4)


def test_a_refused_part_of_another_code_does_not_cost_the_parts_collected() -> None:
    doc = big_badge(8, seed=6)
    parts = encode_qr_parts(doc)
    hostile = cbor2.dumps([1, 4_000_000_000, 2**31, 12345, b"x" * 20])  # well formed, refused for its size
    assembler = QrAssembler()
    for n in (1, 2, 3):
        assembler.add(parts.frame(n))
    with pytest.raises(UrError, match="4000000000"):
        assembler.add(f"UR:{QR_UR_TYPE.upper()}/1-4000000000/{bytewords_encode(hostile).upper()}")
    step = assembler.add(parts.frame(4))
    assert (step.parts_received, step.codes_read, step.restarted) == (4, 4, False)
    n = 4
    while not assembler.progress.complete:
        n += 1
        assembler.add(parts.frame(n))
    assert n == parts.seq_len and json.loads(assembler.text or "") == doc


def test_a_single_part_ur_while_collecting_starts_over_visibly_and_completes() -> None:
    parts = encode_qr_parts(big_badge(8, seed=7))
    small = {"type": ["VerifiablePresentation"], "holder": "did:example:me"}
    assembler = QrAssembler()
    assembler.add(parts.frame(1))
    step = assembler.add(encode_single_ur(QR_UR_TYPE, payload_message(small)))
    assert step.complete and step.restarted and step.kind == "single" and (step.parts_received,
                                                                           step.parts_expected) == (1, 1)
    assert json.loads(assembler.text or "") == small


def test_progress_counts_what_fountain_parts_determine_before_any_fragment_is_known() -> None:
    """A camera that came up after the pure parts: every fountain code that adds to what the others
    say moves the ring ("n of m parts" is the rank), though no single fragment is known yet."""
    parts = encode_qr_parts(big_badge(8, seed=4))
    seq_len = parts.seq_len
    assembler = QrAssembler()
    fractions = []
    n = seq_len
    for _ in range(seq_len // 2):
        n += 1
        progress = assembler.add(parts.frame(n))
        fractions.append(progress.fraction)
        assert progress.parts_received == round(progress.fraction * seq_len) == assembler._decoder.rank
    # Mostly mixes of several fragments, yet the rank rose with nearly every one (a mix of k parts
    # held adds nothing: at most a few of them).
    assert fractions[-1] >= (seq_len // 2 - 3) / seq_len and not assembler.progress.complete
    while not assembler.progress.complete:
        n += 1
        assembler.add(parts.frame(n))
    assert json.loads(assembler.text or "") == big_badge(8, seed=4)
    assert n - seq_len <= 1.5 * seq_len  # elimination: fountain parts alone finish near seq_len of them
