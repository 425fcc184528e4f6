"""One tab's state: plain observable dataclasses the views read (no widgets, no engine handles).

A view re-renders when a field of a state it was given changes; only the services
(:mod:`verifier.app.services`) write these, always on the tab's UI event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import flet as ft

from verifier.history import Entry

if TYPE_CHECKING:  # scan loads OpenCV on first use; a build without it still shows the screens
    from scan import CameraChoice

SCAN, ASK, RESULT, HISTORY = "scan", "ask", "result", "history"
TABS = (SCAN, ASK, HISTORY)


@ft.observable
@dataclass
class ShellState:
    """What the frame around the screens shows: which screen, the layout, offline mode, the pulse."""

    screen: str = SCAN
    came_from: str = SCAN  # where "Back" on the result screen goes, and which tab is lit meanwhile
    wide: bool = True
    offline: bool = False
    cache_words: str = ""  # how old the saved issuer documents are (shown in offline mode)
    # the colour pulse after a check ("valid" / "invalid" / "unverifiable"; "" when none), and
    # whether it is at its peak (on) or fading out
    flash: str = ""
    flash_on: bool = False


@ft.observable
@dataclass
class ScanState:
    pasted: str = ""
    busy: str = ""  # what is being done right now ("Checking…"), shown with a spinner
    message: str = ""  # why what was given could not be checked


@ft.observable
@dataclass
class CameraState:
    """A camera of the computer the app runs on (see :mod:`scan`)."""

    devices: list[CameraChoice] = field(default_factory=list)
    device: str = ""  # the chosen CameraChoice.key
    searched: bool = False  # cameras were looked for at least once
    searching: bool = False
    on: bool = False
    preview: bytes | None = None  # a small JPEG of what the camera sees
    note: str = ""  # what is happening / what to do
    error: str = ""  # why it cannot scan
    # an animated (multi-part) QR code being received: the share of it read so far (None: none is),
    # in words ("42 % received"), and how many of its parts ("12 of 30 parts")
    received: float | None = None
    received_words: str = ""
    parts: str = ""

    @property
    def chosen_label(self) -> str:
        return next((c.label for c in self.devices if c.key == self.device), "")


VC_API, OPENID4VP = "vc-api", "openid4vp"  # how the Ask screen asks: our exchange, or OpenID4VP 1.0


@ft.observable
@dataclass
class AskState:
    protocol: str = VC_API
    qr: bytes | None = None
    url: str = ""
    client_id: str = ""  # who the wallet is told is asking (OpenID4VP client_id; the exchange's domain)
    asker: str = ""  # the organisation name wallets show as asking; "" when the verifier has none set
    expires: str = ""
    state: str = ""  # "", "waiting", "expired", "failed"
    message: str = ""


@ft.observable
@dataclass
class ResultState:
    entry: Entry | None = None
    message: str = ""  # e.g. where the exported PDF went


@ft.observable
@dataclass
class HistoryState:
    entries: list[Entry] = field(default_factory=list)  # newest first
    message: str = ""


@dataclass
class TabState:
    """Holds the per-screen states; each view is handed the ones it shows."""

    shell: ShellState = field(default_factory=ShellState)
    scan: ScanState = field(default_factory=ScanState)
    camera: CameraState = field(default_factory=CameraState)
    ask: AskState = field(default_factory=AskState)
    result: ResultState = field(default_factory=ResultState)
    history: HistoryState = field(default_factory=HistoryState)

    def clear_messages(self) -> None:
        """Leaving a screen: its notes and errors do not follow to the next one."""
        self.scan.message = self.ask.message = self.result.message = self.history.message = ""
