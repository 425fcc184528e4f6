"""Scanning a QR code with a camera of the computer the wallet runs on (desktop window, or the
local web mode, whose browser is on the same machine).

The capture loop is the shared one (:mod:`scan`): frames are grabbed on one
thread and decoded on another, so the window never waits for OpenCV. A scan stops by itself at
the first code it accepts; ``stop()`` cancels it at any time.

Sources: the device indexes OpenCV can open (``0``, ``1``, ...) and, when the settings name one
(``WalletSettings.camera_source``, from ``SATCHEL_CAMERA_SOURCE``), that source too (a device index
or a video file: what a capture card or a recorded phone screen gives; the tests use a recording so
that they run the same code a webcam does).

No Flet here: the views own the widgets and hand in callbacks. Callbacks run on the scanner's
threads; the caller moves them to its UI loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scan import CAMERA_SOURCE_ENV  # the name only: loads no OpenCV

if TYPE_CHECKING:
    from scan import CameraChoice

__all__ = [
    "CAMERA_SOURCE_ENV", "CameraScan", "CameraUnavailable", "find_cameras",
    "looks_like_badge_qr", "looks_like_request_qr",
]


PREVIEW_WIDTH = 480
PREVIEW_EVERY = 4  # frames: about 7 preview pictures a second from a 30 fps camera
NO_CAMERA = ("No camera found on this computer. Use a photo or screenshot of the QR code instead, "
             "or connect a camera and look again.")


class CameraUnavailable(Exception):
    """The camera cannot be used; the message is a sentence for the learner."""


def find_cameras(camera_source: str | None = None, max_index: int = 4) -> list[CameraChoice]:
    """The cameras that open and give a picture, plus ``camera_source`` (the settings' extra
    source). Probing takes a moment per device: call it off the UI thread. Raises
    CameraUnavailable without OpenCV."""
    try:
        import scan

        extra = scan.camera_choice(camera_source)
    except ImportError:  # a build without OpenCV (e.g. a phone package)
        raise CameraUnavailable("Camera scanning is not available in this version of Satchel. "
                                "Use a photo or screenshot of the QR code instead.") from None
    return scan.find_cameras(max_index, extra=extra)


def looks_like_badge_qr(text: str) -> str | None:
    """None when the text can be imported (an offer link, a badge URL, a credential); else why not."""
    from credentials import looks_like_qr_text

    stripped = text.strip()
    lowered = stripped.lower()
    if (lowered.startswith(("openid-credential-offer:", "http://", "https://", "{", "ey"))
            or looks_like_qr_text(stripped)):
        return None
    return "That QR code does not hold a badge or an offer. Keep looking for the issuer's code."


def looks_like_request_qr(text: str) -> str | None:
    """None when the text can be a verifier's request (its exchange URL or JSON); else why not."""
    lowered = text.strip().lower()
    if lowered.startswith(("http://", "https://", "{", "openid4vp:", "haip-vp:", "eudi-openid4vp:")):
        return None
    return "That QR code is not a verifier's request. Point the camera at the verifier's code."


class CameraScan:
    """One scan of one source.

    ``on_found(text)``: the first code ``accept`` takes (``accept(text)`` returns None, or a
    sentence saying why the code is not the right kind: that goes to ``on_note`` and scanning
    goes on). ``on_preview(jpeg)``: a small picture of what the camera sees, a few times a
    second. ``on_end(error)``: once, when the scan is over (found, stopped, or the source ended
    or failed; ``error`` is a sentence or None).
    """

    def __init__(self, choice: CameraChoice, on_found: Callable[[str], None], *,
                 accept: Callable[[str], str | None] | None = None,
                 on_note: Callable[[str], None] | None = None,
                 on_preview: Callable[[bytes], None] | None = None,
                 on_end: Callable[[str | None], None] | None = None) -> None:
        self.choice = choice
        self.on_found = on_found
        self.accept = accept or (lambda _text: None)
        self.on_note = on_note
        self.on_preview = on_preview
        self.on_end = on_end
        self.found: str | None = None
        self._scanner: Any = None
        self._lock = threading.Lock()
        self._ended = False
        self._stopped = False

    def start(self) -> CameraScan:
        """Opens the source and starts the threads; raises CameraUnavailable with a sentence."""
        try:
            from scan import CameraScanner
        except ImportError:
            raise CameraUnavailable("Camera scanning is not available in this version of Satchel.") from None
        try:
            self._scanner = CameraScanner(self.choice.source, self._read, on_frame=self._frame,
                                          on_end=self._source_ended).start()
        except OSError:
            raise CameraUnavailable(f"{self.choice.label} does not open. It may be in use by another "
                                    "program, or unplugged.") from None
        return self

    def stop(self) -> None:
        """Cancels the scan (safe to call more than once, from any thread)."""
        self._stopped = True
        if self._scanner is not None:
            self._scanner.stop()

    def join(self, timeout: float | None = None) -> bool:
        return self._scanner is None or bool(self._scanner.join(timeout))

    @property
    def running(self) -> bool:
        return self._scanner is not None and bool(self._scanner.running) and not self._stopped

    # -- scanner threads --------------------------------------------------------------------------
    def _frame(self, frame: Any) -> None:
        if self.on_preview is None or self._stopped or frame.index % PREVIEW_EVERY:
            return
        from scan import preview_jpeg

        jpeg = preview_jpeg(frame.image, PREVIEW_WIDTH)
        if jpeg is not None:
            self.on_preview(jpeg)

    def _read(self, read: Any) -> None:
        with self._lock:
            if self.found is not None or self._stopped:
                return
            reason = self.accept(read.text)
            if reason is None:
                self.found = read.text
        if reason is not None:
            if self.on_note is not None:
                self.on_note(reason)
            return
        self.stop()
        self.on_found(read.text)

    def _source_ended(self, error: str | None) -> None:
        with self._lock:
            if self._ended:
                return
            self._ended = True
        if self.on_end is None:
            return
        if error:
            self.on_end(f"The camera stopped: {error}.")
        elif self.found is None and not self._stopped:
            self.on_end("The video ended before a QR code could be read.")
        else:
            self.on_end(None)
