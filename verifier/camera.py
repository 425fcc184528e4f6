"""Reading QR codes from a camera: the shared capture loop lives in
:mod:`scan`; the verifier uses it as it is.

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

from scan import (
    CAMERA_SOURCE_ENV,
    CameraChoice,
    CameraScanner,
    Frame,
    FrameDecoder,
    QrRead,
    camera_choice,
    list_devices,
    open_capture,
    preview_jpeg,
)

__all__ = [
    "CAMERA_SOURCE_ENV", "CameraChoice", "CameraScanner", "Frame", "FrameDecoder", "QrRead", "camera_choice",
    "find_cameras", "list_devices", "open_capture", "preview_jpeg",
]


def find_cameras(max_index: int = 4) -> list[CameraChoice]:
    """The cameras that open, then the source ``SATCHEL_CAMERA_SOURCE`` names (if any)."""
    from scan import find_cameras as probe

    return probe(max_index, extra=camera_choice(os.environ.get(CAMERA_SOURCE_ENV)))
