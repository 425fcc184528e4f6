"""Synthesize what a laptop's 720p webcam records when a phone screen showing an animated QR is held
up to it: the test and benchmark input for the verifier's capture loop (issue 13).

    python scripts/phone_video.py IN.json OUT.avi [--seconds N] [--seed S] [--max-version 20]

The phone shows the frames of ``credentials.encode_qr_parts(doc)`` (QR level M, quiet zone 4) at
``codes_per_second`` (8: each code is on screen for about four camera frames); the camera records
30 fps. What makes it hard, as a real recording is hard:

* the phone is a plane seen through a pinhole camera: a few degrees of yaw, pitch and roll, drifting
  slowly with the hand, the code 300-450 px wide in the 1280x720 frame;
* motion blur along the hand's movement (half the frame period exposed), defocus that breathes;
* the phone screen changes code during an exposure now and then: such a frame holds both codes,
  blended by how long each was shown;
* a glare blob (a lamp reflected in the screen) drifting across it; auto-exposure drifting, with
  one sudden step; sensor noise; the webcam's own MJPEG compression (quality 70);
* dropped camera frames: 10 % at random and one burst of about a quarter second. A dropped frame is
  written as a repeat of the last delivered one, so the file keeps the camera's clock (a player
  reading it at its fps spends real time on the gap, as a camera does).

Everything is drawn from ``numpy.random.default_rng(seed)``: one seed, one video, byte for byte.
Importable (``synthesize_phone_video``) by tests and benchmarks; they put the project root on
``sys.path`` and import ``scripts.phone_video``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import qrcode

__all__ = ["PhoneVideo", "VideoConditions", "main", "synthesize_phone_video"]

WIDTH, HEIGHT = 1280, 720
FOCAL_PX = 1005.0  # a 720p laptop webcam's ~65° horizontal field of view: 640 / tan(32.5°)
MODULE_PX = 5  # screen pixels per QR module as the phone draws it (sharp; the camera resamples it)

NDArray = Any  # numpy arrays (numpy's own typing is not worth the noise here)


@dataclass(frozen=True)
class VideoConditions:
    """How the recording is made; the defaults are a careful but ordinary hand-held showing."""

    fps: float = 30.0
    codes_per_second: float = 8.0
    code_px: tuple[float, float] = (330.0, 420.0)  # the code's width on the camera image, drawn per seed
    drop_rate: float = 0.10  # camera frames lost at random
    burst_frames: int = 8  # one burst of consecutive lost frames (0: none)
    jpeg_quality: int = 70  # the webcam's MJPEG stream
    noise_sigma: float = 5.0
    glare: bool = True
    max_tilt_degrees: float = 7.0  # yaw and pitch swing at most this much
    exposure: float = 0.5  # share of the frame period the shutter is open (motion blur, blended codes)


@dataclass(frozen=True)
class PhoneVideo:
    """The file written and what it shows, for tests to derive bounds from."""

    path: Path
    fps: float
    codes_per_second: float
    first_part: int  # the part on screen when the recording starts (1-based, as QrParts.frame)
    frame_count: int
    dropped: tuple[bool, ...]  # per file frame: a repeat of the previous frame (the camera lost it)
    shown: tuple[int, ...]  # per file frame: the part on screen when its exposure began
    code_px: float  # the code's width on the camera image at rest

    @property
    def drop_rate(self) -> float:
        return sum(self.dropped) / max(1, self.frame_count)


@dataclass
class _Scene:
    rng: np.random.Generator
    conditions: VideoConditions
    background: NDArray
    noise: list[NDArray]
    scale: float  # camera pixels per screen pixel at rest
    phases: NDArray  # random phases of the hand's sway
    glare_path: NDArray
    exposure_step_at: float
    codes: dict[int, NDArray] = field(default_factory=dict)  # part -> rendered phone screen


_LEVELS = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
           "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}


def _qr_modules(text: str, version: int | None, level: str = "M") -> NDArray:
    """The code's modules (True = dark), quiet zone of 4 included (ISO/IEC 18004 §7.5, §6.3.8)."""
    qr = qrcode.QRCode(version=version, error_correction=_LEVELS[level], border=4)
    qr.add_data(text)
    qr.make(fit=True)
    return np.array(qr.get_matrix(), dtype=bool)


def _phone_screen(modules: NDArray, label: str) -> NDArray:
    """The wallet's "show QR" screen (grey levels, float32): a header bar, the code, a caption."""
    code = np.where(modules, 20, 250).astype(np.uint8)
    code = np.kron(code, np.ones((MODULE_PX, MODULE_PX), np.uint8))
    side = code.shape[0]
    width, height = int(side * 1.10), int(side * 1.65)
    screen = np.full((height, width), 246, np.uint8)
    header = int(side * 0.16)
    screen[:header] = 70
    cv2.putText(screen, "Satchel", (int(side * 0.05), int(header * 0.65)), cv2.FONT_HERSHEY_SIMPLEX,
                side / 500, 235, max(1, side // 220))
    top, left = header + int(side * 0.08), (width - side) // 2
    screen[top:top + side, left:left + side] = code
    cv2.putText(screen, label, (left, top + side + int(side * 0.12)), cv2.FONT_HERSHEY_SIMPLEX, side / 650, 60,
                max(1, side // 300))
    return screen.astype(np.float32)


def _background(rng: np.random.Generator) -> NDArray:
    """An office behind the phone: soft gradients and a few blurred shapes (grey, float32)."""
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    base = 95 + 35 * np.sin(x / 170.0 + rng.uniform(0, 6)) + 20 * np.cos(y / 110.0 + rng.uniform(0, 6))
    for _ in range(6):
        x0, y0 = int(rng.uniform(0, WIDTH)), int(rng.uniform(0, HEIGHT))
        cv2.rectangle(base, (x0, y0), (x0 + int(rng.uniform(60, 300)), y0 + int(rng.uniform(40, 200))),
                      float(rng.uniform(40, 200)), -1)
    return cv2.GaussianBlur(base, (0, 0), 6.0)


def _pose(scene: _Scene, t: float) -> tuple[float, float, float, float, float, float]:
    """(centre x, centre y, yaw, pitch, roll in radians, distance factor) of the phone at time t:
    a slow sway and drift of the hand, a little tremor."""
    p, tilt = scene.phases, math.radians(scene.conditions.max_tilt_degrees)
    cx = WIDTH * 0.5 + 45 * math.sin(0.7 * t + p[0]) + 6 * math.sin(5.3 * t + p[1])
    cy = HEIGHT * 0.5 + 25 * math.sin(0.9 * t + p[2]) + 4 * math.sin(6.1 * t + p[3])
    yaw = tilt * math.sin(0.5 * t + p[4])
    pitch = tilt * 0.8 * math.sin(0.6 * t + p[5])
    roll = math.radians(4.0) * math.sin(0.4 * t + p[6])
    distance = 1.0 + 0.06 * math.sin(0.3 * t + p[7])
    return cx, cy, yaw, pitch, roll, distance


def _homography(scene: _Scene, shape: tuple[int, ...], t: float) -> NDArray:
    """Screen pixels -> camera pixels: the screen rectangle rotated in 3-D, projected by a pinhole."""
    h, w = shape[:2]
    cx, cy, yaw, pitch, roll, distance = _pose(scene, t)
    s = scene.scale / distance
    corners = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]]) * s
    cy_, sy_ = math.cos(yaw), math.sin(yaw)
    cp, sp = math.cos(pitch), math.sin(pitch)
    cr, sr = math.cos(roll), math.sin(roll)
    rot = (np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]]) @ np.array([[cy_, 0, sy_], [0, 1, 0], [-sy_, 0, cy_]])
           @ np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]]))
    pts = corners @ rot.T
    z = FOCAL_PX + pts[:, 2]
    dst = np.stack([cx + FOCAL_PX * pts[:, 0] / z, cy + FOCAL_PX * pts[:, 1] / z], axis=1).astype(np.float32)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    return cv2.getPerspectiveTransform(src, dst)


def _motion_kernel(dx: float, dy: float) -> NDArray | None:
    length = math.hypot(dx, dy)
    if length < 1.5:
        return None
    size = int(math.ceil(length)) | 1
    kernel = np.zeros((size, size), np.float32)
    c = size // 2
    cv2.line(kernel, (int(round(c - dx / 2)), int(round(c - dy / 2))),
             (int(round(c + dx / 2)), int(round(c + dy / 2))), 1.0, 1)
    return kernel / kernel.sum()


class _Renderer:
    def __init__(self, part_text: Callable[[int], str], version: int | None, level: str, seed: int,
                 conditions: VideoConditions) -> None:
        rng = np.random.default_rng(seed)
        self.part_text, self.version, self.level, self.conditions = part_text, version, level, conditions
        module_count = _qr_modules(part_text(1), version, level).shape[0] - 8  # the code without its quiet zone
        self.code_px = float(rng.uniform(*conditions.code_px))
        self.scene = _Scene(
            rng=rng, conditions=conditions, background=_background(rng),
            noise=[rng.normal(0, conditions.noise_sigma, (HEIGHT, WIDTH, 3)).astype(np.float32) for _ in range(6)],
            scale=self.code_px / (module_count * MODULE_PX), phases=rng.uniform(0, 2 * math.pi, 8),
            glare_path=rng.uniform(0, 2 * math.pi, 4), exposure_step_at=float(rng.uniform(1.0, 4.0)))
        self.tint = np.array([0.96, 1.0, 1.04], np.float32) * rng.uniform(0.95, 1.05, 3).astype(np.float32)

    def screen(self, part: int) -> NDArray:
        """The phone's screen showing ``part`` (the last few are kept: a code is on screen for ~4 frames)."""
        codes = self.scene.codes
        if part not in codes:
            if len(codes) > 8:
                codes.pop(next(iter(codes)))
            codes[part] = _phone_screen(_qr_modules(self.part_text(part), self.version, self.level),
                                        "Hold steady: showing your badge")
        return codes[part]

    def _glare(self, frame: NDArray, t: float, m: NDArray, shape: tuple[int, ...]) -> None:
        """A lamp's reflection: a soft bright blob drifting over the screen, saturating at its core."""
        g = self.scene.glare_path
        h, w = shape[:2]
        u = w * (0.5 + 0.35 * math.sin(0.35 * t + g[0]))
        v = h * (0.45 + 0.30 * math.sin(0.27 * t + g[1]))
        p = m @ np.array([u, v, 1.0])
        gx, gy = p[0] / p[2], p[1] / p[2]
        radius = 55 + 25 * math.sin(0.5 * t + g[2])
        x0, x1 = int(max(0, gx - 3 * radius)), int(min(WIDTH, gx + 3 * radius))
        y0, y1 = int(max(0, gy - 3 * radius)), int(min(HEIGHT, gy + 3 * radius))
        if x1 <= x0 or y1 <= y0:
            return
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        blob = (150 + 40 * math.sin(0.8 * t + g[3])) * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * radius ** 2))
        frame[y0:y1, x0:x1] += blob

    def _gain(self, t: float) -> float:
        """Auto-exposure: a slow drift, and one sudden step (a light switched on) it recovers from."""
        gain = 0.88 + 0.08 * math.sin(2 * math.pi * t / 7.0)
        since = t - self.scene.exposure_step_at
        if since >= 0:
            gain += 0.35 * math.exp(-since / 0.4)
        return gain

    def frame(self, t: float, part_at: Callable[[float], tuple[int, int, float]], dt: float) -> NDArray:
        """The camera's picture for an exposure starting at time t."""
        first, second, share = part_at(t)
        screen = self.screen(first)
        if second != first:  # the phone changed code while the shutter was open
            screen = screen * (1 - share) + self.screen(second) * share
        m = _homography(self.scene, screen.shape, t)
        warped = cv2.warpPerspective(screen, m, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR, borderValue=-1.0)
        frame = np.where(warped >= 0, warped, self.scene.background)
        body = cv2.warpPerspective(np.ones(screen.shape, np.float32), m, (WIDTH, HEIGHT))
        frame = np.where((body <= 0) & (cv2.dilate(body, np.ones((25, 25), np.uint8)) > 0), 28.0, frame)
        if self.conditions.glare:
            self._glare(frame, t, m, screen.shape)
        x0, y0, *_ = _pose(self.scene, t)
        x1, y1, *_ = _pose(self.scene, t + dt)
        kernel = _motion_kernel((x1 - x0) * self.conditions.exposure, (y1 - y0) * self.conditions.exposure)
        if kernel is not None:
            frame = cv2.filter2D(frame, -1, kernel)
        frame = cv2.GaussianBlur(frame, (0, 0), 0.75 + 0.3 * math.sin(t * 1.3))  # focus breathing
        rng = self.scene.rng
        colour = frame[..., None] * (self.tint * self._gain(t))
        noise = self.scene.noise[int(rng.integers(len(self.scene.noise)))]
        colour += np.roll(noise, (int(rng.integers(HEIGHT)), int(rng.integers(WIDTH))), axis=(0, 1))
        image = np.clip(colour, 0, 255).astype(np.uint8)
        ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, self.conditions.jpeg_quality])
        return cv2.imdecode(jpeg, cv2.IMREAD_COLOR) if ok else image


def _dropped_frames(rng: np.random.Generator, count: int, conditions: VideoConditions) -> list[bool]:
    dropped = list(rng.random(count) < conditions.drop_rate)
    if conditions.burst_frames and count > conditions.burst_frames + 30:
        start = int(rng.integers(15, count - conditions.burst_frames))
        dropped[start:start + conditions.burst_frames] = [True] * conditions.burst_frames
    dropped[0] = False  # the first frame is the first the camera delivered
    return dropped


def synthesize_phone_video(part_text: Callable[[int], str], path: Path, *, seconds: float, seed: int = 0,
                           first_part: int = 1, version: int | None = None, level: str = "M",
                           conditions: VideoConditions | None = None) -> PhoneVideo:
    """Write the recording of a phone showing ``part_text(first_part)``, ``part_text(first_part + 1)``, …
    (``QrParts.frame``: unending) at ``conditions.codes_per_second`` for ``seconds`` to ``path`` (MJPG AVI).

    ``version``: the QR version every code is drawn at (``QrParts.version``; None: each its smallest);
    ``level``: its error correction (``QrParts.level``).
    """
    cond = conditions or VideoConditions()
    renderer = _Renderer(part_text, version, level, seed, cond)
    count = max(1, int(round(seconds * cond.fps)))
    dt = 1.0 / cond.fps
    exposure = cond.exposure * dt

    def part_at(t: float) -> tuple[int, int, float]:
        a, b = t * cond.codes_per_second, (t + exposure) * cond.codes_per_second
        first, second = first_part + int(a), first_part + int(b)
        share = (b - int(b)) / (b - a) if second != first else 0.0
        return first, second, share

    dropped = _dropped_frames(renderer.scene.rng, count, cond)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), cond.fps, (WIDTH, HEIGHT))
    if not writer.isOpened():
        raise OSError(f"cannot write a video at {path}")
    writer.set(cv2.VIDEOWRITER_PROP_QUALITY, 95)  # the file keeps what the webcam's stream delivered
    shown: list[int] = []
    last: NDArray | None = None
    try:
        for index in range(count):
            t = index * dt
            if not dropped[index] or last is None:
                last = renderer.frame(t, part_at, dt)
                shown.append(part_at(t)[0])
            else:
                shown.append(shown[-1])
            writer.write(last)
    finally:
        writer.release()
    return PhoneVideo(path, cond.fps, cond.codes_per_second, first_part, count, tuple(dropped), tuple(shown),
                      renderer.code_px)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("document", type=Path, help="a credential or presentation (JSON)")
    parser.add_argument("out", type=Path, help="the video to write (.avi, MJPG)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="length (default: three times the loop of pure parts, at most 60 s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-version", type=int, default=20, help="the largest QR version a frame may use")
    parser.add_argument("--start", type=int, default=1, help="the part on screen when the recording starts")
    parser.add_argument("--rate", type=float, default=8.0, help="codes shown per second")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from credentials import encode_qr_parts

    parts = encode_qr_parts(json.loads(args.document.read_text(encoding="utf-8")), max_version=args.max_version)
    seconds = args.seconds if args.seconds is not None else min(60.0, 3 * parts.seq_len / args.rate + 1)
    video = synthesize_phone_video(parts.frame, args.out, seconds=seconds, seed=args.seed, first_part=args.start,
                                   version=parts.version, conditions=VideoConditions(codes_per_second=args.rate))
    print(f"{video.path}: {video.frame_count} frames at {video.fps:g} fps, {parts.seq_len} parts (QR version "
          f"{parts.version}) at {video.codes_per_second:g} a second from part {video.first_part}, code "
          f"{video.code_px:.0f} px wide, {sum(video.dropped)} frames dropped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
