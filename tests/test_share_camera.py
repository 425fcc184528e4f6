"""A synthetic "phone screen seen by a laptop camera" set: real signed presentations as SV1 QR
codes, shown at several sizes on a screen in a room, seen in perspective, out of focus, with
sensor noise, a glare spot and JPEG compression; OpenCV must read ≥ 99 % of them.

Seeded, so the set is the same on every run; ``bench/qr.py`` uses the same frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from cryptography.hazmat.primitives.asymmetric import ed25519

from credentials._did import did_key_from_public_key
from tests.helpers import VC2, Signer, ob3_credential
from wallet.share.qrcodec import QrDecodeError, decode_qr_image, decode_qr_text, encode_qr

SEED = 20260601
FRAMES = 200
FRAME_W, FRAME_H = 1280, 720  # a laptop webcam


@dataclass(frozen=True)
class Distortion:
    screen_px: int  # side of the code as it lands in the frame, before perspective
    tilt: float  # perspective strength (0 = square on)
    blur: float  # Gaussian sigma in pixels
    noise: float  # sensor noise sigma, grey levels
    glare: float  # 0..1 strength of a white glare spot
    jpeg: int  # JPEG quality


CREATED = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)


def _signer(rng: np.random.Generator) -> Signer:
    """A seeded Ed25519 key: Ed25519 signatures are deterministic, so the whole set is too."""
    key = ed25519.Ed25519PrivateKey.from_private_bytes(rng.bytes(32))
    return Signer(key, did_key_from_public_key(key.public_key()))


def presentations(count: int = 5) -> list[dict[str, Any]]:
    """Signed presentations of one Open Badge each, from short to about the size a real
    Open Badge from the issuer stub makes (longer descriptions and criteria)."""
    rng = np.random.default_rng(SEED)
    words = ("wound", "care", "skin", "client", "nurse", "report", "safe", "dressing", "clean", "stage",
             "pressure", "injury", "observe", "document", "reposition", "assist", "scope", "practice",
             "hygiene", "infection", "control", "gloves", "mobility", "comfort", "dignity", "consent")
    out = []
    for n in range(count):
        issuer, holder = _signer(rng), _signer(rng)
        text = " ".join(str(w) for w in rng.choice(words, 12 + 90 * n)) + "."
        cred = issuer.sign(ob3_credential(issuer.did, subject=holder.did, description=text), created=CREATED)
        vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did,
              "verifiableCredential": [cred]}
        out.append(holder.sign(vp, proof_purpose="authentication", challenge=f"c-{n}-0123456789abcdef",
                               domain="verifier.example", created=CREATED))
    return out


def distortions(rng: np.random.Generator, count: int) -> Iterator[Distortion]:
    for _ in range(count):
        yield Distortion(screen_px=int(rng.integers(380, 560)), tilt=float(rng.uniform(0.0, 0.12)),
                         blur=float(rng.uniform(0.0, 1.3)), noise=float(rng.uniform(2, 10)),
                         glare=float(rng.uniform(0.0, 0.45)), jpeg=int(rng.integers(65, 95)))


def camera_frame(png: bytes, d: Distortion, rng: np.random.Generator) -> bytes:
    """The QR PNG on a lit screen in a room, photographed: a JPEG of FRAME_W x FRAME_H."""
    import cv2

    code = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    # A screen is never pure black and white: lift the blacks, dim the whites.
    code = (code.astype(np.float32) * (rng.uniform(0.78, 0.95)) + rng.uniform(10, 35)).astype(np.float32)
    size = code.shape[0]
    room = np.full((FRAME_H, FRAME_W), rng.uniform(50, 120), np.float32)
    room += np.linspace(-25, 25, FRAME_W, dtype=np.float32)[None, :]
    side = d.screen_px  # the whole code stays in the frame: the learner aims the phone at the camera
    reach = side * 0.75  # half the diagonal of a turned, tilted code, with its quiet zone
    cx = rng.uniform(reach, FRAME_W - reach)
    cy = rng.uniform(min(reach, FRAME_H / 2), max(FRAME_H - reach, FRAME_H / 2))
    half = side / 2
    square = np.float32([[cx - half, cy - half], [cx + half, cy - half], [cx + half, cy + half],
                         [cx - half, cy + half]])
    jitter = rng.uniform(-d.tilt, d.tilt, (4, 2)).astype(np.float32) * side
    angle = rng.uniform(-0.25, 0.25)  # a phone held a little crooked
    rot = np.float32([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    target = ((square - [cx, cy]) @ rot.T + [cx, cy] + jitter).astype(np.float32)
    source = np.float32([[0, 0], [size, 0], [size, size], [0, size]])
    matrix = cv2.getPerspectiveTransform(source, target)
    warped = cv2.warpPerspective(code, matrix, (FRAME_W, FRAME_H), flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.ones((size, size), np.float32), matrix, (FRAME_W, FRAME_H))
    frame = room * (1 - mask) + warped * mask
    if d.glare > 0:
        gx, gy = rng.uniform(0, FRAME_W), rng.uniform(0, FRAME_H)
        radius = rng.uniform(0.15, 0.35) * side
        yy, xx = np.mgrid[0:FRAME_H, 0:FRAME_W].astype(np.float32)
        spot = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * radius**2))
        frame = frame + d.glare * 255 * spot * (1 - frame / 255 * 0.6)
    if d.blur > 0.05:
        frame = cv2.GaussianBlur(frame, (0, 0), d.blur)
    frame = frame + rng.normal(0, d.noise, frame.shape).astype(np.float32)
    frame = np.clip(frame, 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, d.jpeg])
    assert ok
    return bytes(jpeg.tobytes())


def camera_set(count: int = FRAMES, seed: int = SEED) -> Iterator[tuple[dict[str, Any], Distortion, bytes, int]]:
    """``(presentation, distortion, jpeg, version)`` for ``count`` frames, the same every run."""
    rng = np.random.default_rng(seed)
    codes = [(vp, encode_qr(vp)) for vp in presentations()]
    for n, d in enumerate(distortions(rng, count)):
        vp, qr = codes[n % len(codes)]
        yield vp, d, camera_frame(qr.png, d, rng), qr.version


def _decodes(item: tuple[dict[str, Any], Distortion, bytes, int]) -> bool:
    vp, _d, jpeg, _version = item
    try:
        return decode_qr_text(decode_qr_image(jpeg)) == vp
    except QrDecodeError:
        return False


def test_qr_codes_photographed_from_a_screen_decode_at_least_99_percent() -> None:
    frames = list(camera_set())
    assert len(frames) >= 200
    versions = {version for *_rest, version in frames}
    assert min(versions) < 20 and max(versions) >= 28, versions  # small and dense codes both
    with ThreadPoolExecutor(max_workers=4) as pool:  # OpenCV releases the GIL while it works
        results = list(pool.map(_decodes, frames))
    failures = [d for (_vp, d, _jpeg, _v), ok in zip(frames, results, strict=True) if not ok]
    assert sum(results) / len(frames) >= 0.99, failures
