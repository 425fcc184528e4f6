"""Reading QR codes from a camera: the shared capture loop lives in the engine
(:mod:`credentials.formats.camera`); the verifier uses it as it is."""

from __future__ import annotations

from credentials.formats.camera import (
    CameraScanner,
    Frame,
    FrameDecoder,
    QrRead,
    decode_image_bytes,
    list_devices,
    open_capture,
)

__all__ = ["CameraScanner", "Frame", "FrameDecoder", "QrRead", "decode_image_bytes", "list_devices", "open_capture"]
