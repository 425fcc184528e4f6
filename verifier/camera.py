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

from credentials.formats.camera import (
    CAMERA_SOURCE_ENV,
    CameraChoice,
    CameraScanner,
    Frame,
    FrameDecoder,
    QrRead,
    camera_source_from_env,
    decode_image_bytes,
    find_cameras,
    list_devices,
    open_capture,
    preview_jpeg,
)

__all__ = [
    "CAMERA_SOURCE_ENV", "CameraChoice", "CameraScanner", "Frame", "FrameDecoder", "QrRead", "camera_source_from_env",
    "decode_image_bytes", "find_cameras", "list_devices", "open_capture", "preview_jpeg",
]
