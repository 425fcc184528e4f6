"""Scan with the camera: a panel that finds the computer's cameras, lets the learner choose one,
shows what it sees while OpenCV reads frames in the background, and hands the first QR code of
the right kind to the screen (Import: an issuer's offer or a badge; Answer a request: a
verifier's request). Stop cancels at any time; leaving the screen stops the camera too."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import flet as ft

from ..camera_service import NO_CAMERA, CameraScan, CameraUnavailable, find_cameras
from ..services import ui_caller
from .common import ERROR, INK, MUTED, OUTLINE, busy_line, primary_button, use_observable

if TYPE_CHECKING:
    from flet.components.hooks.use_ref import MutableRef

    from scan import CameraChoice

PREVIEW_HEIGHT = 240


@ft.observable
@dataclass
class CameraPanelState:
    devices: list[CameraChoice] = field(default_factory=list)
    device: str = ""
    searched: bool = False  # cameras were looked for at least once
    searching: bool = False
    on: bool = False
    preview: bytes | None = None
    note: str = ""  # what is happening / what to do
    error: str = ""  # why it cannot scan

    def chosen(self) -> CameraChoice | None:
        return next((c for c in self.devices if c.key == self.device), None)


def _device_picker(state: CameraPanelState) -> ft.Control:
    def pick(e: ft.Event[ft.Dropdown]) -> None:
        state.device = e.control.value or state.device

    return ft.Dropdown(
        label="Camera", value=state.device, dense=True, width=260, disabled=state.on,
        options=[ft.DropdownOption(key=c.key, text=c.label) for c in state.devices],
        on_select=pick,
    )


async def _look_for_cameras(state: CameraPanelState, camera_source: str | None) -> None:
    state.searching, state.error, state.note = True, "", ""
    try:
        devices = await asyncio.to_thread(find_cameras, camera_source)
    except CameraUnavailable as exc:
        devices, state.error = [], str(exc)
    state.searching, state.searched, state.devices = False, True, devices
    if devices and state.device not in {c.key for c in devices}:
        state.device = devices[0].key
    if not devices and not state.error:
        state.error = NO_CAMERA


def _start_scan(state: CameraPanelState, choice: CameraChoice, accept: Callable[[str], str | None],
                on_found: Callable[[str], None]) -> CameraScan:
    """Starts scanning ``choice``; what the scanner's threads report reaches ``state`` on the UI loop.
    Raises CameraUnavailable."""
    on_ui = ui_caller()

    def preview(jpeg: bytes) -> None:
        if state.on:
            state.preview = jpeg

    def noted(text: str) -> None:
        state.note = text

    def found(text: str) -> None:
        state.on, state.preview = False, None
        state.note = "Read the QR code."
        on_found(text)

    def ended(error: str | None) -> None:
        if state.on:
            state.on, state.preview = False, None
            state.note = ""
        if error:
            state.error = error

    return CameraScan(
        choice, lambda text: on_ui(found, text), accept=accept,
        on_note=lambda text: on_ui(noted, text),
        on_preview=lambda jpeg: on_ui(preview, jpeg),
        on_end=lambda error: on_ui(ended, error)).start()


def _buttons(state: CameraPanelState, disabled: bool, start: Callable[[], Any], stop: Callable[[], Any],
             look: Callable[[], Any]) -> ft.Control:
    buttons: list[ft.Control] = []
    if state.on:
        buttons.append(primary_button("Stop camera", stop, icon=ft.Icons.STOP_CIRCLE))
    else:
        buttons.append(ft.OutlinedButton("Scan with camera", icon=ft.Icons.VIDEOCAM, on_click=start,
                                         disabled=disabled or state.searching))
    if state.searched and not state.on:
        buttons.append(ft.TextButton("Look for cameras again", icon=ft.Icons.REFRESH, on_click=look,
                                     disabled=state.searching))
    return ft.Row(buttons, wrap=True, spacing=8, run_spacing=8)


def _live_picture(state: CameraPanelState) -> ft.Control:
    picture: ft.Control = (
        ft.Image(src=state.preview, height=PREVIEW_HEIGHT, fit=ft.BoxFit.CONTAIN, gapless_playback=True,
                 semantics_label="What the camera sees")
        if state.preview else
        ft.Container(busy_line("Starting the camera…"), padding=12))
    return ft.Container(picture, height=PREVIEW_HEIGHT, border=ft.Border.all(1, OUTLINE),
                        border_radius=10, bgcolor="#101417" if state.preview else None,
                        alignment=ft.Alignment.CENTER)


def _messages(state: CameraPanelState) -> list[ft.Control]:
    shown: list[ft.Control] = []
    if state.note:
        shown.append(ft.Semantics(live_region=True, label=state.note, content=ft.Text(state.note, color=INK)))
    if state.error:
        shown.append(ft.Semantics(live_region=True, label=state.error, container=True, content=ft.Row(
            [ft.Icon(ft.Icons.NO_PHOTOGRAPHY, color=ERROR), ft.Text(state.error, color=ERROR, expand=True)],
            vertical_alignment=ft.CrossAxisAlignment.START)))
    return shown


@ft.component
def CameraScanPanel(what: str, accept: Callable[[str], str | None],
                    on_text: Callable[[str], Awaitable[object]], camera_source: str | None = None,
                    disabled: bool = False) -> ft.Control:
    """``what``: what to point the camera at ("the issuer's QR code"); ``on_text``: what to do
    with the code once read (runs on the UI loop); ``camera_source``: the settings' extra source."""
    page = ft.context.page
    state = use_observable(CameraPanelState)
    scan: MutableRef[CameraScan | None] = ft.use_ref(None)

    def stop_scan() -> None:
        if scan.current is not None:
            scan.current.stop()
            scan.current = None

    ft.use_effect(lambda: None, [], cleanup=stop_scan)  # leaving the screen turns the camera off

    async def look() -> None:
        await _look_for_cameras(state, camera_source)

    def found(text: str) -> None:
        scan.current = None
        page.run_task(on_text, text)

    async def start() -> None:
        if not state.searched:
            await look()
        choice = state.chosen()
        if choice is not None:
            stop_scan()
            scan.current = _scan_or_say_why(state, choice, what, accept, found)

    def stop() -> None:
        stop_scan()
        state.on, state.preview, state.note = False, None, "Camera stopped."

    return _panel(state, what, _buttons(state, disabled, start, stop, look))


def _scan_or_say_why(state: CameraPanelState, choice: CameraChoice, what: str, accept: Callable[[str], str | None],
                     on_found: Callable[[str], None]) -> CameraScan | None:
    """The scan started, or None with the reason in ``state.error``."""
    try:
        scan = _start_scan(state, choice, accept, on_found)
    except CameraUnavailable as exc:
        state.error = str(exc)
        return None
    state.on, state.error, state.note = True, "", f"Hold {what} in front of the camera."
    return scan


def camera_hint(page: ft.Page, what: str) -> str:
    """What to do with the camera, in the device's terms. The camera read is the one of the machine
    Satchel runs on (OpenCV there): a phone's browser showing the web app cannot lend its own."""
    said = f"Hold {what} in front of the camera. Satchel reads it as soon as it is sharp enough; nothing is recorded."
    phone = page.platform is not None and page.platform.is_mobile()
    if phone and page.web:
        return (f"{said} This uses the camera of the computer Satchel runs on, not this phone's: to use this "
                "phone, take a photo of the code and choose the photo instead.")
    return said


def _panel(state: CameraPanelState, what: str, buttons: ft.Control) -> ft.Control:
    controls: list[ft.Control] = [ft.Text(camera_hint(ft.context.page, what), color=MUTED)]
    if state.devices and (len(state.devices) > 1 or state.on):
        controls.append(_device_picker(state))
    controls.append(buttons)
    if state.searching:
        controls.append(busy_line("Looking for cameras…"))
    if state.on:
        controls.append(_live_picture(state))
    return ft.Column([*controls, *_messages(state)], spacing=10)
