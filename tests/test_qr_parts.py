"""A presentation as a loop of QR codes: frames that fit the version they promise, real QR
images decoded by OpenCV, any sufficient subset reassembling the document, and the assembler
taking single codes and multi-part codes through the same door."""

from __future__ import annotations

import base64
import io
import json
import random
from typing import Any

import pytest
import qrcode
import qrcode.constants

from credentials import (
    QR_UR_TYPE,
    QrAssembler,
    UrError,
    alphanumeric_capacity,
    decode_qr_image,
    encode_qr_parts,
    encode_qr_text,
    encode_single_ur,
)
from credentials._formats.qr_parts import decode_payload_message, payload_message


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
