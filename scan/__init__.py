"""Reading QR codes from a camera, for both apps: one capture loop over ``cv2.VideoCapture``.

The verifier scans a learner's QR; the wallet scans an issuer's offer or a verifier's request. A
package beside the engine, not inside it: it needs OpenCV and threads, the engine needs neither.
What a code *holds* is the engine's business (``credentials.decode_qr_text``, ``parse_text``; the
parts of an animated code are put together by ``credentials.QrAssembler``, fed by :class:`QrCollector`);
a still picture is read by ``credentials.decode_qr_image`` (bounded work), never here.

    from scan import CameraScanner, QrCollector, find_cameras

Importing this package is cheap; OpenCV is loaded on first use of a name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._camera import CameraChoice as CameraChoice
    from ._camera import CameraScanner as CameraScanner
    from ._camera import Frame as Frame
    from ._camera import FrameDecoder as FrameDecoder
    from ._camera import QrCollector as QrCollector
    from ._camera import QrRead as QrRead
    from ._camera import camera_choice as camera_choice
    from ._camera import find_cameras as find_cameras
    from ._camera import list_devices as list_devices
    from ._camera import open_capture as open_capture
    from ._camera import preview_jpeg as preview_jpeg

__all__ = [
    "CAMERA_SOURCE_ENV", "CameraChoice", "CameraScanner", "Frame", "FrameDecoder", "QrCollector", "QrRead",
    "camera_choice", "find_cameras", "list_devices", "open_capture", "preview_jpeg",
]


# A test and diagnostic hook the apps read into their settings: a device index the probe does not
# reach (a capture card) or a video file (a recorded phone screen), read by the very same loop as a
# webcam. Defined here, not in _camera, so reading it never loads OpenCV.
CAMERA_SOURCE_ENV = "SATCHEL_CAMERA_SOURCE"


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'scan' has no attribute {name!r}")
    from . import _camera

    value = getattr(_camera, name)
    globals()[name] = value
    return value
