"""Per-tab state of the verifier app (observable: a change re-renders the screens that read it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import flet as ft

from verifier.history import Entry

SCAN, ASK, RESULT, HISTORY = "scan", "ask", "result", "history"
TABS = (SCAN, ASK, HISTORY)


@ft.observable
@dataclass
class UiState:
    screen: str = SCAN
    wide: bool = True
    offline: bool = False
    busy: str = ""  # what is being done right now ("Checking…"), shown with a spinner
    message: str = ""  # a plain-language error or note for the current screen
    pasted: str = ""
    result: Entry | None = None
    came_from: str = SCAN  # where "Back" on the result screen goes
    history_version: int = 0  # bumped when the history changes, so the list re-reads it
    # Ask
    request_qr: bytes | None = None
    request_url: str = ""
    request_expires: str = ""
    request_state: str = ""  # "", "waiting", "expired", "failed"
    # Camera (a camera of the computer the app runs on; see verifier.camera)
    camera_devices: list[Any] = field(default_factory=list)  # verifier.camera.CameraChoice
    camera_device: str = ""  # the chosen CameraChoice.key
    camera_searched: bool = False  # cameras were looked for at least once
    camera_searching: bool = False
    camera_on: bool = False
    camera_preview: bytes | None = None  # a small JPEG of what the camera sees
    camera_note: str = ""  # what is happening / what to do
    camera_error: str = ""  # why it cannot scan
    # the colour pulse after a check ("valid" / "invalid" / "unverifiable"; "" when none), and
    # whether it is at its peak (on) or fading out
    flash: str = ""
    flash_on: bool = False
    # open check details on the result screen (check ids, per credential index)
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
