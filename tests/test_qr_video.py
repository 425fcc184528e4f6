"""An animated QR code read off a phone screen by a laptop camera: the verifier's capture loop
(``scan.CameraScanner`` + ``scan.QrCollector`` + the engine's ``QrAssembler``, no UI) over a
synthesized 720p recording (``scripts/phone_video.py``: perspective, blur, glare, noise, MJPEG,
dropped frames) of the wallet's loop of codes, for a 5.7 KB badge and a 60 KB one. Real signatures
from the issuer stub, real OpenCV decoding, the app's own verification.

The bound on the work done is in camera frames, derived from the number of parts and the drop rate:
never in wall time (timings are in ``bench/qr_video.py`` and BENCHMARKS.md "Animated QR"). The loop
runs with ``every_frame`` (no frame skipped while the decoder is busy), so what it reads depends on
the recording, not on how busy the machine is; the app's own lossy loop is run end to end by
``tests/ui/test_verifier_animated_qr.py``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cbor2
import cv2
import pytest

from bench.qr_video import IMAGE_BADGE, SAMPLE, BenchDocuments, bench_documents, capture
from credentials import AssemblyProgress, QrParts, encode_qr_parts, encode_qr_text, encode_single_ur
from scan import FrameDecoder, QrCollector, QrRead
from scripts.phone_video import PhoneVideo, VideoConditions, synthesize_phone_video
from verifier.app.engine import VerifierEngine
from verifier.app.settings import AppSettings
from wallet.share.qrshare import AnimatedQr  # the wallet as a tool: the loop of codes its screen shows

SHOWINGS = 2.5  # the bound: the pure parts shown this many times over, less what the camera dropped


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> BenchDocuments:
    return bench_documents(tmp_path_factory.mktemp("qr-video-docs"), (SAMPLE, IMAGE_BADGE))


@pytest.fixture(scope="module")
def engine(docs: BenchDocuments, tmp_path_factory: pytest.TempPathFactory) -> Iterator[VerifierEngine]:
    engine = VerifierEngine(AppSettings(home=tmp_path_factory.mktemp("verifier"), documents=str(docs.web_json),
                                        offline=True))
    yield engine
    engine.close()


def wallet_loop(parts: QrParts) -> tuple[int, Any]:
    """The wallet's animated QR (``AnimatedQr``): its loop length, and frame n of the endless replay."""
    loop = AnimatedQr(parts).loop_length
    return loop, lambda n: parts.frame((n - 1) % loop + 1)


def frame_bound(parts: QrParts, video: PhoneVideo) -> int:
    """Camera frames within which the code must be whole: ``SHOWINGS`` times the time the phone takes
    to show the pure parts once, stretched by the frames the camera lost."""
    return math.ceil(SHOWINGS * parts.seq_len * video.fps / video.codes_per_second / (1 - video.drop_rate))


def record(vp: dict[str, Any], path: Path, *, seed: int, first_part: int, rate: float) -> tuple[QrParts, PhoneVideo]:
    parts = encode_qr_parts(vp)
    loop, frame = wallet_loop(parts)
    seconds = SHOWINGS * parts.seq_len / rate / 0.8 + 1  # past the bound even with 20 % of frames lost
    video = synthesize_phone_video(frame, path, seconds=seconds, seed=seed, first_part=(first_part - 1) % loop + 1,
                                   version=parts.version, conditions=VideoConditions(codes_per_second=rate))
    return parts, video


@pytest.mark.parametrize(("name", "seed", "first_part", "rate"), [
    (SAMPLE, 4, 3, 8.0),  # starts on the last pure part: the rest comes from the fountain half of the loop
    (IMAGE_BADGE, 7, 40, 15.0),  # 60 KB: a hundred parts, from the middle of the loop
])
def test_phone_video_is_assembled_and_verified_within_a_bound_of_camera_frames(
        docs: BenchDocuments, engine: VerifierEngine, tmp_path: Path, name: str, seed: int, first_part: int,
        rate: float) -> None:
    vp = docs.presentations[name]
    parts, video = record(vp, tmp_path / "phone.avi", seed=seed, first_part=first_part, rate=rate)
    assert parts.seq_len > 1 and video.drop_rate >= 0.1  # a multi-part code, and a camera that loses frames
    bound = frame_bound(parts, video)
    assert bound < video.frame_count
    result = capture(video.path, engine, every_frame=True)
    print(f"\n{name}: {parts.seq_len} parts (v{parts.version}) at {rate:g}/s from part {video.first_part}: whole "
          f"after {result.frames_consumed} camera frames (bound {bound}), {result.reads} reads, "
          f"{result.frames_decoded} of {result.frames_grabbed} frames decoded, {result.rejected} refused")
    assert result.entry is not None, f"not assembled in {result.frames_grabbed} frames ({result.reads} reads)"
    assert result.text is not None and json.loads(result.text) == vp  # byte for byte what the wallet showed
    entry = result.entry
    assert entry.verdict == "valid" and entry.answer == "Genuine, issuer not on your list", entry.record["problems"]
    assert entry.source == "camera" and entry.record["format"] == "vp"
    assert result.frames_consumed <= bound
    assert result.frames_decoded >= result.frames_consumed  # every frame up to the last part was looked at
    assert result.reads >= parts.seq_len  # every part read counted: none was dropped as a repeat
    assert engine.history.get(entry.id) is not None


def test_synthesized_video_is_deterministic_and_as_hard_as_promised(docs: BenchDocuments, tmp_path: Path) -> None:
    parts = encode_qr_parts(docs.presentations[SAMPLE])
    a = synthesize_phone_video(parts.frame, tmp_path / "a.avi", seconds=3, seed=11, version=parts.version)
    b = synthesize_phone_video(parts.frame, tmp_path / "b.avi", seconds=3, seed=11, version=parts.version)
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.frame_count == 90 and 0.1 <= a.drop_rate <= 0.35  # 10 % at random plus a burst of 8
    assert 300 <= a.code_px <= 450
    cap = cv2.VideoCapture(str(a.path))
    assert cap.get(cv2.CAP_PROP_FPS) == 30 and int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 90
    shown = {parts.frame(n) for n in set(a.shown)}
    decoder, readable, size = FrameDecoder(), 0, None
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        size = frame.shape
        found = decoder.decode(frame)
        readable += found is not None and found[0] in shown
    cap.release()
    assert size == (720, 1280, 3)
    # Hard but readable. The count moves by a few frames between CPUs (OpenCV's resampling and detector take
    # different SIMD paths: 21 here, 18 on CI), so the floor is a sixth of the frames, not a tuned figure.
    assert 15 <= readable < 90, f"{readable} of 90 frames readable: blur, glare, blends and drops must cost some"


def reads(texts: list[str]) -> list[QrRead]:
    return [QrRead(t, i, float(i), float(i), "fast") for i, t in enumerate(texts)]


def collect(texts: list[str]) -> tuple[QrCollector, list[str], list[AssemblyProgress]]:
    done: list[str] = []
    steps: list[AssemblyProgress] = []
    collector = QrCollector(lambda text, _read: done.append(text), on_progress=lambda p, _read: steps.append(p))
    for read in reads(texts):
        collector(read)
    return collector, done, steps


def test_collector_passes_a_single_code_through_at_once(docs: BenchDocuments) -> None:
    sv1 = encode_qr_text(docs.presentations[SAMPLE])
    collector, done, steps = collect([sv1, "https://example.org/badge.json"])
    assert done == [sv1, "https://example.org/badge.json"] and steps == []  # each complete at once, as before


def test_collector_gathers_parts_in_any_order_and_starts_again_after(docs: BenchDocuments) -> None:
    vp = docs.presentations[SAMPLE]
    parts = encode_qr_parts(vp)
    order = [parts.frame(n) for n in range(parts.seq_len, 0, -1)]  # backwards, with a repeat
    collector, done, steps = collect([order[0], *order])
    assert len(done) == 1 and json.loads(done[0]) == vp
    assert all(s.kind == "multipart" and not s.complete for s in steps)
    fractions = [s.fraction for s in steps]
    assert fractions == sorted(fractions) and fractions[-1] < 1.0
    collector(reads([parts.frame(1)])[0])  # the same loop again: gathered anew, not completed by the old parts
    assert len(done) == 1 and collector.completed == 1


def test_collector_starts_over_for_another_presentation_and_survives_bad_parts(docs: BenchDocuments) -> None:
    first = encode_qr_parts(docs.presentations[SAMPLE])
    other = encode_qr_parts({**docs.presentations[SAMPLE], "id": "urn:uuid:another-presentation"})
    damaged = first.frame(2)[:-6] + ("AAAAAA" if not first.frame(2).endswith("AAAAAA") else "BBBBBB")
    texts = [first.frame(1), damaged, "UR:CRYPTO-SEED/OYADGDHKWZDTFTHPTOKIAOIEKKOEKSIEEENVATPENYNJNSP",
             other.frame(1), *(other.frame(n) for n in range(2, other.seq_len + 1))]
    collector, done, steps = collect(texts)
    assert collector.rejected == 2 and collector.last_error  # the misread part and the foreign UR: ignored
    assert [s.restarted for s in steps][:2] == [False, True]  # the other presentation started over, visibly
    assert len(done) == 1 and json.loads(done[0])["id"] == "urn:uuid:another-presentation"


def test_collector_refuses_a_part_claiming_billions_of_parts_and_goes_on(docs: BenchDocuments) -> None:
    # BCR-2020-005 §4: a part is [seqNum, seqLen, messageLen, checksum, fragment]; this one claims
    # 4e9 parts of a 2 GB message, a well-formed part (its CRC holds) that no one should allocate for
    hostile = cbor2.dumps([1, 4_000_000_000, 2**31, 12345, b"x" * 20])
    text = "UR:SATCHEL-VP/1-4000000000/" + encode_single_ur("satchel-vp", hostile).split("/", 1)[1]
    parts = encode_qr_parts(docs.presentations[SAMPLE])
    collector, done, _steps = collect([text, *parts.frames(parts.seq_len)])
    assert collector.rejected == 1 and "4000000000" in collector.last_error
    assert len(done) == 1 and json.loads(done[0]) == docs.presentations[SAMPLE]
