"""Reading QR codes from a camera: the shared capture loop lives in the engine
(:mod:`credentials.formats.camera`); the verifier uses it as it is.

Which cameras the app offers (:func:`find_cameras`): the device indexes OpenCV can open (``0``,
``1``, ...) and, when the environment variable ``SATCHEL_CAMERA_SOURCE`` is set, that source too.

``SATCHEL_CAMERA_SOURCE`` is a **test and diagnostic hook**: a device index (``2``: a camera the
probe does not reach, such as a capture card) or the path of a video file (a recording of a phone
screen). It is offered in the camera list under its own name (``Video: phone.avi``), never
disguised as a camera, and it goes through exactly the same :class:`CameraScanner` as a webcam
(``cv2.VideoCapture(source)``, the same grabber and decoder threads, a file paced at its own frame
rate as a camera would deliver it). The UI tests use it to drive the live-camera screen end to end
on machines without a camera; a support engineer can use it to replay what a camera saw.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from credentials.formats.camera import (
    CameraScanner,
    Frame,
    FrameDecoder,
    QrRead,
    decode_image_bytes,
    list_devices,
    open_capture,
)

__all__ = [
    "CAMERA_SOURCE_ENV", "CameraChoice", "CameraScanner", "Frame", "FrameDecoder", "QrRead", "camera_source_from_env",
    "decode_image_bytes", "find_cameras", "list_devices", "open_capture",
]

CAMERA_SOURCE_ENV = "SATCHEL_CAMERA_SOURCE"


@dataclass(frozen=True)
class CameraChoice:
    """One entry of the camera list: a stable key (for a dropdown), what the user reads, and what
    ``cv2.VideoCapture`` opens."""

    key: str  # "0", "1", ... for devices; "source" for a video file
    label: str
    source: int | str


def camera_source_from_env() -> CameraChoice | None:
    """The source named by ``SATCHEL_CAMERA_SOURCE`` (unset or blank: None)."""
    value = os.environ.get(CAMERA_SOURCE_ENV, "").strip()
    if not value:
        return None
    if value.isdigit():
        return CameraChoice(value, f"Camera {int(value) + 1}", int(value))
    return CameraChoice("source", f"Video: {Path(value).name}", value)


def find_cameras(max_index: int = 4) -> list[CameraChoice]:
    """The cameras that open and give a picture, then the configured source (if it is not one of
    them). Probing opens each device for a moment: call it off the UI thread."""
    found = [CameraChoice(str(i), f"Camera {i + 1}", i) for i in list_devices(max_index)]
    extra = camera_source_from_env()
    if extra is not None and all(c.source != extra.source for c in found):
        found.append(extra)
    return found
