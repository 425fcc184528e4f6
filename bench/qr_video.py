"""Benchmark: an animated QR read off a phone screen by a laptop camera, first frame to verdict.

    .venv/bin/python bench/qr_video.py [--seeds 7] [--rate 12] [--max-version 20] [--level L] [--only NAME]
                                       [--workers 1] [--every-frame]

For each presentation (a holder's signed VP of: the issuer stub's 5.7 KB OB 3.0 sample
``ob3-v2-eddsa-rdfc-2022.json``; a CLR of 5 badges; a 60 KB OB 3.0 badge whose achievement image
is a ``data:`` PNG of noise-like pixels), and for each seed: a synthesized recording of a phone
showing ``credentials.encode_qr_parts(vp)`` (``scripts/phone_video.py``: perspective, blur, glare,
noise, MJPEG, 10 % dropped frames and a burst) of the wallet's loop of codes (``AnimatedQr``: rounds
of the pure parts, then as many fresh fountain parts), the camera starting at a random point of
the loop, is played through the
verifier's capture loop (``scan.CameraScanner`` paced at the file's 30 fps, ``scan.QrCollector``)
and the assembled text is verified as the app does (``VerifierEngine.verify_text``).

Printed per presentation: parts (``seq_len``), QR version, median and p90 of

* camera time: frames the camera delivered until the read that completed the code, / fps;
* time to verdict: from the first frame's capture to the verdict, measured (the loop runs in real
  time, so decode time that falls behind the camera, and the verification, are in it).

The documents and the capture run are also what ``tests/test_qr_video.py`` uses.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from credentials import ProofOptions, add_proof, encode_qr_parts  # noqa: E402
from issuer_stub.catalogue import Achievement  # noqa: E402
from issuer_stub.forms import data_integrity  # noqa: E402
from issuer_stub.issuer import CLR_FORM, Issuer  # noqa: E402
from issuer_stub.keys import ED25519_FRAGMENT, load_or_create_key  # noqa: E402
from issuer_stub.ob3 import Validity, open_badge_credential  # noqa: E402
from issuer_stub.state import State  # noqa: E402
from scan import CameraScanner, QrCollector, QrRead  # noqa: E402
from scripts.phone_video import PhoneVideo, VideoConditions, synthesize_phone_video  # noqa: E402
from verifier.app.engine import VerifierEngine  # noqa: E402
from verifier.app.settings import AppSettings  # noqa: E402
from verifier.history import Entry  # noqa: E402
from wallet.share.qrshare import FRAME_LEVEL, FRAME_RATE, AnimatedQr  # noqa: E402

VC2 = "https://www.w3.org/ns/credentials/v2"
SAMPLE = "ob3-v2-eddsa-rdfc-2022.json"  # satchel-issuer sample's standard micro-credential
CLR5 = "clr-5-badges.json"
IMAGE_BADGE = "ob3-image-60kb.json"
CLR_TOP = "psw-certificate"  # a pathway stacking the four achievements of the bundled catalogue
IMAGE_PNG_BYTES = 40_000


@dataclass(frozen=True)
class BenchDocuments:
    presentations: dict[str, dict[str, Any]]  # file name of the credential -> the holder's signed VP
    credentials: dict[str, dict[str, Any]]
    web_json: Path  # URL -> file map answering the verifier's fetches (did:web, status lists)


def noise_png(target_bytes: int = IMAGE_PNG_BYTES, seed: int = 3) -> bytes:
    """A badge picture that does not compress away: a colour gradient under strong noise, sized so
    the PNG is about ``target_bytes`` (a photo-like image, as real badge images often are)."""
    rng = np.random.default_rng(seed)
    side = 64
    while True:
        y, x = np.mgrid[0:side, 0:side].astype(np.float32)
        base = np.dstack([x / side * 200, y / side * 200, (x + y) / (2 * side) * 120 + 60])
        image = np.clip(base + rng.normal(0, 40, base.shape), 0, 255).astype(np.uint8)
        ok, png = cv2.imencode(".png", image)
        assert ok
        if len(png) >= target_bytes:
            return bytes(png.tobytes())
        side += 4


def _catalogue_with_pathway(issuer: Issuer) -> dict[str, Achievement]:
    """The bundled catalogue plus a certificate that stacks all four of its achievements: a CLR of 5."""
    catalogue = dict(issuer.catalogue)
    top = catalogue["psw-foundations"]
    catalogue[CLR_TOP] = replace(top, slug=CLR_TOP, name="Personal Support Worker certificate",
                                 description="Completes the Personal Support Worker programme.",
                                 stacks=("donning-doffing-ppe", "healthy-menus", "wound-care-basics",
                                         "psw-foundations"))
    return catalogue


def _image_badge(issuer: Issuer, png: bytes) -> dict[str, Any]:
    """An OB 3.0 badge whose achievement image is embedded (OB 3.0 §B.1.14 Image: ``id`` may be a
    ``data:`` URL, RFC 2397), issued and signed by the stub's key as its own badges are."""
    ach = issuer.catalogue["wound-care-basics"]
    now = issuer.clock()
    cred = open_badge_credential(ach, base_url=issuer.base_url, credential_id="urn:uuid:6b1f0e0c-image-badge",
                                 issuer=issuer.profile(), subject_id=issuer.learner_did(), validity=Validity(now),
                                 status=None)
    cred["credentialSubject"]["achievement"]["image"] = {
        "id": "data:image/png;base64," + base64.b64encode(png).decode(), "type": "Image", "caption": ach.name}
    return data_integrity(cred, "eddsa-rdfc-2022", issuer.keys.ed25519_key, issuer.keys.method(ED25519_FRAGMENT),
                          now)


def _presentation(issuer: Issuer, credential: dict[str, Any]) -> dict[str, Any]:
    """What the wallet shows: the demo learner's signed presentation of the credential."""
    key = load_or_create_key(issuer.state, "learner-ed25519", "ed25519")
    holder = issuer.learner_did()
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder, "verifiableCredential": [credential]}
    return add_proof(vp, "eddsa-rdfc-2022", key, ProofOptions(
        verification_method=f"{holder}#{holder.removeprefix('did:key:')}", proof_purpose="authentication",
        created=datetime.now(UTC).replace(microsecond=0)))


def _write_documents(issuer: Issuer, out: Path) -> Path:
    """Everything the stub serves (did.json, status lists), as files and a ``web.json`` map."""
    web: dict[str, str] = {}
    for path in issuer.hosted_paths():
        served = issuer.document(path)
        if served is not None:
            local = out / "documents" / (path.strip("/").replace("/", "_") or "index")
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_bytes(served.body)
            web[issuer.base_url + path] = str(local)
    (out / "web.json").write_text(json.dumps(web, indent=1), encoding="utf-8")
    return out / "web.json"


def bench_documents(out: Path, names: tuple[str, ...] = (SAMPLE, CLR5, IMAGE_BADGE)) -> BenchDocuments:
    """The credentials of the benchmark, issued by one stub, each in a presentation; documents in ``out``."""
    issuer = Issuer(State(":memory:"))
    issuer.catalogue = _catalogue_with_pathway(issuer)
    made: dict[str, dict[str, Any]] = {}
    if SAMPLE in names:  # exactly what `satchel-issuer sample` writes under that name
        made[SAMPLE] = issuer.issue("donning-doffing-ppe", "ob3-v2-eddsa-rdfc-2022")[1].credential
    if CLR5 in names:
        made[CLR5] = issuer.issue(CLR_TOP, CLR_FORM)[1].credential
    if IMAGE_BADGE in names:
        made[IMAGE_BADGE] = _image_badge(issuer, noise_png())
    out.mkdir(parents=True, exist_ok=True)
    return BenchDocuments({name: _presentation(issuer, cred) for name, cred in made.items()}, made,
                          _write_documents(issuer, out))


@dataclass(frozen=True)
class Capture:
    """One run of the capture loop over a video."""

    entry: Entry | None  # the verdict, or None when the video ended first
    text: str | None  # what was put together and verified
    frames_consumed: int  # camera frames up to and including the one whose read completed the code
    frames_grabbed: int
    frames_decoded: int
    reads: int  # codes read (repeats of the last one excluded)
    rejected: int
    latency: float | None  # seconds from the first frame's capture to the verdict (measured)
    verify_seconds: float
    decode_seconds: tuple[float, ...]

    def camera_seconds(self, fps: float) -> float:
        return self.frames_consumed / fps


def capture(video: Path, engine: VerifierEngine, *, timeout: float = 120.0, workers: int = 1,
            every_frame: bool = False) -> Capture:
    """The verifier's capture loop over ``video`` (paced at its frame rate, like a camera) until one
    code is complete and verified, or the video ends. ``every_frame``: no frame is skipped while
    the decoder is busy (``CameraScanner(every_frame=True)``), so the result depends on the video
    alone; without it, as in the app, a slow decode costs frames."""
    done = threading.Event()
    found: list[tuple[str, QrRead, Entry, float, float]] = []

    def on_complete(text: str, read: QrRead) -> None:  # a decoder thread, as in the app
        if done.is_set():
            return
        began = time.monotonic()
        entry = engine.verify_text(text, "camera")
        found.append((text, read, entry, time.monotonic(), time.monotonic() - began))
        done.set()

    collector = QrCollector(on_complete)
    scanner = CameraScanner(video, collector, on_end=lambda _error: done.set(), workers=workers,
                            every_frame=every_frame)
    scanner.start()
    try:
        done.wait(timeout)
    finally:
        scanner.stop()
        scanner.join(10)
    decoded = tuple(scanner.decode_seconds)
    if not found:
        return Capture(None, None, scanner.frames_grabbed, scanner.frames_grabbed, scanner.frames_decoded,
                       collector.reads, collector.rejected, None, 0.0, decoded)
    text, read, entry, finished, verify_seconds = found[0]
    return Capture(entry, text, read.frame_index + 1, scanner.frames_grabbed, scanner.frames_decoded,
                   collector.reads, collector.rejected, finished - scanner.frame_times[0], verify_seconds, decoded)


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]


def record(vp: dict[str, Any], path: Path, seed: int, args: argparse.Namespace,
           rng: np.random.Generator) -> tuple[PhoneVideo, Any]:
    """The phone replaying the wallet's loop, the camera starting at a random point of it."""
    parts = encode_qr_parts(vp, max_version=args.max_version, level=args.level)
    animation = AnimatedQr(parts)  # the wallet's own loop: its frame n is what the phone shows n-th
    loop = animation.loop_length
    seconds = min(60.0, 3 * parts.seq_len / args.rate + 4)
    video = synthesize_phone_video(lambda n: animation.frame_text(n - 1), path, seconds=seconds, seed=seed,
                                   first_part=int(rng.integers(1, loop + 1)), version=parts.version,
                                   level=args.level, conditions=VideoConditions(codes_per_second=args.rate))
    return video, parts


def _row(name: str, vp: dict[str, Any], runs: list[tuple[Capture, PhoneVideo]], parts: Any) -> str:
    cameras = [c.camera_seconds(v.fps) for c, v in runs if c.entry is not None and c.entry.verdict == "valid"]
    latencies = [c.latency for c, _ in runs if c.entry is not None and c.entry.verdict == "valid" and c.latency]
    decodes = [d for c, _ in runs for d in c.decode_seconds]
    raw = json.dumps(vp, separators=(",", ":")).encode()
    cam = f"{statistics.median(cameras):.2f} / {p90(cameras):.2f} s" if cameras else "-"
    lat = f"{statistics.median(latencies):.2f} / {p90(latencies):.2f} s" if latencies else "-"
    return (f"| {name} | {len(raw):,} | {len(zlib.compress(raw, 9)):,} | {parts.seq_len} | {parts.version} | "
            f"{len(cameras)}/{len(runs)} | {cam} | {lat} | {statistics.median(decodes) * 1000:.0f} / "
            f"{p90(decodes) * 1000:.0f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=7)
    parser.add_argument("--rate", type=float, default=float(FRAME_RATE), help="codes the phone shows per second")
    parser.add_argument("--max-version", type=int, default=20)
    parser.add_argument("--level", choices=("L", "M", "Q", "H"), default=FRAME_LEVEL)
    parser.add_argument("--workers", type=int, default=1, help="decoder threads of the capture loop")
    parser.add_argument("--every-frame", action="store_true",
                        help="decode every frame (the grabber waits): the time if decoding keeps up with the camera")
    parser.add_argument("--only", choices=(SAMPLE, CLR5, IMAGE_BADGE), action="append")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qr-video-") as tmp:
        work = Path(tmp)
        docs = bench_documents(work / "docs", tuple(args.only or (SAMPLE, CLR5, IMAGE_BADGE)))
        engine = VerifierEngine(AppSettings(home=work / "verifier", documents=str(docs.web_json), offline=True))
        # every video first, then every capture: the capture loop runs in real time, alone
        videos = {}
        for name, vp in docs.presentations.items():
            rng = np.random.default_rng(1000 + len(name))
            videos[name] = [record(vp, work / f"{name}-{seed}.avi", seed, args, rng) for seed in range(args.seeds)]
        print(f"phone at {args.rate:g} codes/s, QR level {args.level}, version <= {args.max_version}; camera "
              f"1280x720 at 30 fps; {args.seeds} seeds; {args.workers} decoder thread(s)"
              + ("; every frame decoded" if args.every_frame else ""))
        print("| presentation | VP JSON | zlib | parts | QR version | verified | camera time median / p90 | "
              "time to verdict median / p90 | decode ms median / p90 |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, vp in docs.presentations.items():
            runs = []
            for seed, (video, _parts) in enumerate(videos[name]):
                result = capture(video.path, engine, workers=args.workers, every_frame=args.every_frame)
                runs.append((result, video))
                print(f"  {name} seed {seed}: from part {video.first_part}, {result.frames_consumed} frames "
                      f"({result.camera_seconds(video.fps):.2f} s camera), latency "
                      f"{result.latency if result.latency is not None else float('nan'):.2f} s, verify "
                      f"{result.verify_seconds * 1000:.0f} ms, reads {result.reads}, decoded "
                      f"{result.frames_decoded}/{result.frames_grabbed}, "
                      f"verdict {result.entry.verdict if result.entry else 'none'}", file=sys.stderr, flush=True)
            print(_row(name, vp, runs, videos[name][0][1]), flush=True)
        engine.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
