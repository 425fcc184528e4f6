"""Reading QR codes from a camera: one capture loop over ``cv2.VideoCapture(source)``.

Shared by the apps (the verifier scans a learner's QR; the wallet scans an issuer's offer or a
verifier's request). Needs OpenCV (``cv2``) and numpy; imported only when a camera is used.

``source`` is a device index (a webcam) or a video file path; both go through the same loop, so a
recorded video of a phone screen tests exactly what a live camera does.

Threads per scanner:

* the **grabber** reads frames as fast as the source gives them (a file is paced at its own frame
  rate, as a camera would deliver it) and keeps only the newest one, stamped with the monotonic
  time it was captured;
* the **decoders** (``workers``, default 1; OpenCV's QR code releases the GIL, so with two, two
  cores decode two frames at once) each take the newest frame whenever they are free. Frames that
  arrive while every decoder is busy are skipped, so a slow decode never builds a backlog.

Each frame is tried with OpenCV's fast ``QRCodeDetector`` first, then with ``QRCodeDetectorAruco``
(more tolerant of dense, tilted or blurred codes) on a sharpened (contrast-enhanced), size-capped copy. A
payload read again within ``dedup_seconds`` is not reported twice; only a repeat of the *last* read
counts, so the parts of an animated code, each different from the one before, all get through.

One code or many: :class:`QrCollector` is the loop's ``on_read``. It feeds every read to the engine's
``credentials.QrAssembler``, which completes at once for a single code (``SV1:``, ``VP1-``, a link,
JSON) and gathers the fountain-coded parts of an animated one (``UR:SATCHEL-VP/…``) until the whole
presentation is there, in whatever order and with whatever gaps the camera read them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from credentials import AssemblyProgress, QrAssembler, QrAssemblyError, QrDecodeError

__all__ = [
    "CameraChoice", "CameraScanner", "Frame", "FrameDecoder", "QrCollector", "QrRead", "camera_choice",
    "find_cameras", "list_devices", "open_capture", "preview_jpeg",
]


# Aruco works on frames no larger than this (longest side); bigger frames are scaled down first.
ARUCO_MAX_SIDE = 1280
# The fast detector gives up quickly on frames it cannot read; a smaller copy keeps it quick too.
FAST_MAX_SIDE = 1600


@dataclass(frozen=True)
class QrRead:
    """One successful read: what the code says, and which frame it came from."""

    text: str
    frame_index: int
    captured_at: float  # time.monotonic() when the frame was grabbed
    decoded_at: float  # time.monotonic() when the decode finished
    detector: str  # "fast" | "aruco"


@dataclass(frozen=True)
class Frame:
    index: int
    captured_at: float
    image: Any  # numpy BGR array


def _scaled(gray: Any, max_side: int) -> Any:
    h, w = gray.shape[:2]
    side = max(h, w)
    if side <= max_side:
        return gray
    f = max_side / side
    return cv2.resize(gray, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA)


def _enhanced(gray: Any) -> Any:
    """Unsharp mask (1.8 x frame - 0.8 x blurred): restores module edges softened by focus and motion
    blur, and stretches local contrast, which is what Aruco's module sampling needs."""
    soft = cv2.GaussianBlur(gray, (0, 0), 2.0)
    return cv2.addWeighted(gray, 1.8, soft, -0.8, 0)


class FrameDecoder:
    """Fast detector first, Aruco on an enhanced frame next. Not thread-safe: one per thread.

    Once a code has been *located* (even if it could not be read yet), the next frames are searched
    only around it (its box grown by :data:`ROI_MARGIN`): a hand-held phone moves little between
    frames, and a 1280x720 search costs twice as much as a search of the phone's region. After
    :data:`ROI_MISSES` frames with nothing located there, the whole frame is searched again.
    """

    ROI_MARGIN = 0.35
    ROI_MISSES = 3

    def __init__(self, track: bool = True) -> None:
        self._fast = cv2.QRCodeDetector()
        self._aruco = cv2.QRCodeDetectorAruco()
        self._track = track
        self._roi: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 in frame pixels
        self._misses = 0

    def _try(self, gray: Any) -> tuple[str | None, str, Any]:
        points = None
        text, pts, _ = self._fast.detectAndDecode(gray)
        if text:
            return text, "fast", pts
        if pts is not None and len(pts):
            points = pts
        small = _scaled(gray, ARUCO_MAX_SIDE)
        text, pts, _ = self._aruco.detectAndDecode(_enhanced(small))
        if pts is not None and len(pts):
            points = pts * (gray.shape[1] / small.shape[1])
        return (text or None), "aruco", points

    def _grow(self, points: Any, shape: tuple[int, ...], dx: int, dy: int) -> tuple[int, int, int, int]:
        pts = np.asarray(points, dtype=np.float32).reshape(-1, 2)
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        mx, my = (x1 - x0) * self.ROI_MARGIN, (y1 - y0) * self.ROI_MARGIN
        h, w = shape[:2]
        return (max(0, int(x0 - mx) + dx), max(0, int(y0 - my) + dy),
                min(w + dx, int(x1 + mx) + dx), min(h + dy, int(y1 + my) + dy))

    def decode(self, image: Any) -> tuple[str, str] | None:
        """``(text, detector)`` for the first code found, or None."""
        if image is None or getattr(image, "size", 0) == 0:
            return None
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
        try:
            if self._track and self._roi is not None:
                x0, y0, x1, y1 = self._roi
                crop = gray[y0:y1, x0:x1]
                if crop.shape[0] >= 40 and crop.shape[1] >= 40:
                    text, detector, points = self._try(crop)
                    if points is not None:
                        self._misses = 0
                        self._roi = self._grow(points, crop.shape, x0, y0)
                        self._roi = (self._roi[0], self._roi[1], min(self._roi[2], gray.shape[1]),
                                     min(self._roi[3], gray.shape[0]))
                    else:
                        self._misses += 1
                        if self._misses >= self.ROI_MISSES:
                            self._roi = None
                    return (text, detector) if text else None
                self._roi = None
            text, detector, points = self._try(_scaled(gray, FAST_MAX_SIDE))
            if points is not None and self._track:
                f = gray.shape[1] / _scaled(gray, FAST_MAX_SIDE).shape[1]
                self._roi, self._misses = self._grow(np.asarray(points) * f, gray.shape, 0, 0), 0
            return (text, detector) if text else None
        except cv2.error:
            return None  # a frame OpenCV cannot handle is just an unreadable frame


def open_capture(source: int | str | Path) -> Any:
    """``cv2.VideoCapture`` for a device index or a file path; raises OSError if it does not open."""
    cap = cv2.VideoCapture(str(source) if isinstance(source, Path) else source)
    if not cap.isOpened():
        cap.release()
        raise OSError(f"cannot open camera or video {source!r}")
    return cap


def list_devices(max_index: int = 5) -> list[int]:
    """Device indexes 0..max_index-1 that open and give a frame."""
    found: list[int] = []
    log = getattr(getattr(cv2, "utils", None), "logging", None)
    previous = log.getLogLevel() if log is not None else None
    if log is not None:
        log.setLogLevel(log.LOG_LEVEL_SILENT)  # probing absent devices fails by design: keep OpenCV quiet
    for index in range(max_index):
        cap = cv2.VideoCapture(index)
        try:
            if cap.isOpened() and cap.read()[0]:
                found.append(index)
        finally:
            cap.release()
    if log is not None and previous is not None:
        log.setLogLevel(previous)
    return found


@dataclass(frozen=True)
class CameraChoice:
    """One entry of a camera list: a stable key (for the picker), what the user reads, and what
    ``cv2.VideoCapture`` opens."""

    key: str  # "0", "1", ... for devices; "source" for a video file
    label: str
    source: int | str


def camera_choice(value: str | None) -> CameraChoice | None:
    """The source a setting names (the apps read ``SATCHEL_CAMERA_SOURCE`` into their settings):
    a device index or a video file path; unset or blank: None."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return CameraChoice(value, f"Camera {int(value) + 1}", int(value))
    return CameraChoice("source", f"Video: {Path(value).name}", value)


def find_cameras(max_index: int = 4, *, extra: CameraChoice | None = None) -> list[CameraChoice]:
    """The cameras that open and give a picture, then ``extra`` (the configured source, if it is
    not one of them). Probing opens each device for a moment: call it off the UI thread."""
    found = [CameraChoice(str(i), f"Camera {i + 1}", i) for i in list_devices(max_index)]
    if extra is not None and all(c.source != extra.source for c in found):
        found.append(extra)
    return found


def preview_jpeg(image: Any, width: int = 480, quality: int = 70) -> bytes | None:
    """A small JPEG of a frame for a live preview (no wider than ``width``)."""
    height, full_width = image.shape[:2]
    if full_width > width:
        image = cv2.resize(image, (width, max(1, int(height * width / full_width))), interpolation=cv2.INTER_AREA)
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return bytes(jpeg.tobytes()) if ok else None


class CameraScanner:
    """Continuous QR reading from one source; ``on_read`` is called (on the decoder thread) per new read.

    ``on_frame(frame)`` (optional) sees every grabbed frame, for a live preview. ``realtime``
    paces a video file at its frame rate like a camera (default: on for files, off for devices,
    which pace themselves). ``on_end(error)`` is called once when the source runs out or fails.
    ``every_frame`` (for tests and measurements on a recording): the grabber waits until a decoder
    has taken the previous frame, so none is skipped however slow decoding is, and what is read
    depends on the recording alone, not on how busy the computer was.
    """

    def __init__(self, source: int | str | Path, on_read: Callable[[QrRead], None], *,
                 on_frame: Callable[[Frame], None] | None = None, on_end: Callable[[str | None], None] | None = None,
                 realtime: bool | None = None, dedup_seconds: float = 5.0, workers: int = 1,
                 every_frame: bool = False, clock: Callable[[], float] = time.monotonic) -> None:
        self.source = source
        self.on_read = on_read
        self.on_frame = on_frame
        self.on_end = on_end
        self.realtime = (not isinstance(source, int)) if realtime is None else realtime
        self.dedup_seconds = dedup_seconds
        self.workers = max(1, workers)
        self.every_frame = every_frame
        self._read_lock = threading.Lock()
        self.clock = clock
        self.frame_times: dict[int, float] = {}  # frame index -> capture time (monotonic)
        self.frames_decoded = 0
        self.decode_seconds: list[float] = []  # how long each decode took
        self.frames_grabbed = 0
        self._latest: Frame | None = None
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._source_done = False
        self._last_text: str | None = None
        self._last_at = 0.0
        self._threads: list[threading.Thread] = []
        self._live_decoders = 0
        self._warm = threading.Barrier(1 + max(1, workers))
        self.error: str | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> CameraScanner:
        cap = open_capture(self.source)
        self._threads = [threading.Thread(target=self._grab_loop, args=(cap,), name="qr-grab", daemon=True)]
        self._threads += [threading.Thread(target=self._decode_loop, name=f"qr-decode-{n}", daemon=True)
                          for n in range(self.workers)]
        self._live_decoders = self.workers
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for both threads; True when they finished."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for t in self._threads:
            t.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._threads)

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    # -- threads --------------------------------------------------------------------------------
    def _grab_loop(self, cap: Any) -> None:
        try:
            self._warm.wait(10)  # the decoders have loaded their models: frames from now on count
        except threading.BrokenBarrierError:
            pass
        fps = cap.get(cv2.CAP_PROP_FPS) or 0.0
        period = 1.0 / fps if self.realtime and 1.0 <= fps <= 240.0 else 0.0
        index = 0
        failures = 0
        started = self.clock()
        try:
            while not self._stop.is_set():
                if period:
                    delay = started + index * period - self.clock()
                    if delay > 0:
                        time.sleep(delay)
                ok, image = cap.read()
                if not ok or image is None:
                    failures += 1
                    if not isinstance(self.source, int) or failures >= 30:
                        if isinstance(self.source, int):
                            self.error = "the camera stopped giving pictures"
                        break
                    time.sleep(0.03)
                    continue
                failures = 0
                # A paced file's frame is stamped when a camera would have captured it (its slot
                # in the schedule), so a grabber running late makes latencies longer, never shorter.
                frame = Frame(index, started + index * period if period else self.clock(), image)
                self.frame_times[index] = frame.captured_at
                self.frames_grabbed += 1
                with self._cond:
                    while self.every_frame and self._latest is not None and not self._stop.is_set():
                        self._cond.wait(0.1)
                    self._latest = frame  # an undecoded older frame is dropped here (unless every_frame)
                    self._cond.notify_all()
                if self.on_frame is not None:
                    self.on_frame(frame)
                index += 1
        finally:
            cap.release()
            with self._cond:
                self._source_done = True
                self._cond.notify_all()

    def _decode_loop(self) -> None:
        decoder = FrameDecoder()
        decoder.decode(np.zeros((64, 64), np.uint8))  # OpenCV initialises lazily: not on a real frame
        try:
            self._warm.wait(10)
        except threading.BrokenBarrierError:
            pass
        try:
            while True:
                with self._cond:
                    while self._latest is None and not self._source_done and not self._stop.is_set():
                        self._cond.wait(0.5)
                    if self._stop.is_set() or (self._latest is None and self._source_done):
                        return
                    frame, self._latest = self._latest, None
                    self._cond.notify_all()  # the grabber may be waiting for this frame to be taken
                assert frame is not None
                began = self.clock()
                found = decoder.decode(frame.image)
                self.decode_seconds.append(self.clock() - began)
                if found is None:
                    with self._read_lock:
                        self.frames_decoded += 1
                    continue
                now = self.clock()
                text, detector = found
                with self._read_lock:
                    self.frames_decoded += 1
                    if text == self._last_text and now - self._last_at < self.dedup_seconds:
                        self._last_at = now
                        continue
                    self._last_text, self._last_at = text, now
                self.on_read(QrRead(text, frame.index, frame.captured_at, now, detector))
        finally:
            with self._read_lock:
                self._live_decoders -= 1
                last = self._live_decoders == 0
            if last and self.on_end is not None:
                self.on_end(self.error)


class QrCollector:
    """A capture loop's ``on_read`` that gathers one code or the parts of many into what to verify.

    ``on_complete(text, read)`` gets :attr:`credentials.QrAssembler.text` (a single code's own text,
    or a multi-part code's presentation as compact JSON) with the read that completed it; then the
    collector starts afresh, so a later code (or the same loop again) is gathered anew.
    ``on_progress(progress, read)`` gets every step of a multi-part code still being received,
    including ``restarted`` (the parts of another presentation came into view). A read the assembler
    refuses (a damaged or foreign part) is counted in :attr:`rejected` and otherwise ignored: one bad
    frame never ends a scan. A multi-part code read whole that is no presentation
    (``credentials.QrAssemblyError``: the assembler has started over) goes to ``on_error(sentence,
    read)`` and is counted in :attr:`failed`: the screen says so instead of waiting on for parts.
    Thread-safe: the scanner's decoder threads call it; the callbacks run on the calling thread,
    outside the lock.
    """

    def __init__(self, on_complete: Callable[[str, QrRead], None], *,
                 on_progress: Callable[[AssemblyProgress, QrRead], None] | None = None,
                 on_error: Callable[[str, QrRead], None] | None = None) -> None:
        self.on_complete = on_complete
        self.on_progress = on_progress
        self.on_error = on_error
        self._assembler = QrAssembler()
        self._lock = threading.Lock()
        self.reads = 0  # reads handed in
        self.rejected = 0  # of them, refused by the assembler (a part that does not read)
        self.last_error = ""  # why the last refused or failed one was
        self.failed = 0  # of them, the read that found a whole code broken, or a part of such a code
        self.completed = 0  # codes gathered whole

    def __call__(self, read: QrRead) -> None:
        with self._lock:
            self.reads += 1
            try:
                progress = self._assembler.add(read.text)
            except QrAssemblyError as exc:
                self.failed, self.last_error = self.failed + 1, str(exc)
                failure: str | None = str(exc)
            except QrDecodeError as exc:
                self.rejected, self.last_error = self.rejected + 1, str(exc)
                return
            else:
                failure = None
                text = self._assembler.text if progress.complete else None
                if text is not None:
                    self.completed += 1
                    self._assembler.reset()
        if failure is not None:
            if self.on_error is not None:
                self.on_error(failure, read)
        elif text is not None:
            self.on_complete(text, read)
        elif self.on_progress is not None:
            self.on_progress(progress, read)

    def reset(self) -> None:
        """Forget the parts gathered so far (the user started a new scan)."""
        with self._lock:
            self._assembler.reset()
