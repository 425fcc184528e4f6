"""Scan: the live camera, a pasted link or credential, or a photo of a QR code."""

from __future__ import annotations

from pathlib import Path

import flet as ft

from shell import file_picker

from ..services import VerifierServices
from ..state import CameraState, ScanState
from .common import BRAND, INK, LINE, MUTED, card, frame, note, primary, secondary, spinner, title

IMAGE_TYPES = ["png", "jpg", "jpeg", "webp", "bmp"]


def _camera_choices(camera: CameraState, services: VerifierServices) -> ft.Control:
    # radio buttons, not a dropdown: a few cameras at most, all in view, each a labelled control
    # for a screen reader (Flet's web dropdown gives its menu items no labels)
    return ft.Semantics(label="Camera", container=True, content=ft.RadioGroup(
        value=camera.device, on_change=lambda e: services.choose_camera(e.control.value),
        content=ft.Row([ft.Radio(value=c.key, label=c.label) for c in camera.devices],
                       wrap=True, spacing=16, run_spacing=4)))


def _camera_buttons(camera: CameraState, services: VerifierServices) -> ft.Control:
    buttons: list[ft.Control] = []
    if camera.on:
        buttons.append(primary("Stop camera", services.stop_camera, ft.Icons.STOP_CIRCLE))
    elif camera.devices:
        buttons.append(primary("Start camera", services.start_camera, ft.Icons.VIDEOCAM))
    elif not camera.searched:
        buttons.append(primary("Find cameras", services.find_cameras, ft.Icons.SEARCH, disabled=camera.searching))
    if camera.searched and not camera.on:
        # short, so it sits beside "Start camera" on a phone
        buttons.append(secondary("Look again", services.find_cameras, ft.Icons.REFRESH))
    return ft.Row(buttons, wrap=True, spacing=10, run_spacing=10)


def _camera_picture(camera: CameraState, wide: bool) -> ft.Control:
    # the picture at its own shape (no black bars): as wide as the card on a phone, 330 high on a
    # desktop; a placeholder of the same height until the first frame comes
    if camera.preview:
        return ft.Image(src=camera.preview, height=330 if wide else None, fit=ft.BoxFit.CONTAIN,
                        gapless_playback=True, border_radius=12, semantics_label="What the camera sees")
    return ft.Container(spinner("Starting the camera…"), height=330 if wide else 180, padding=16,
                        alignment=ft.Alignment.CENTER_LEFT)


def _receiving(camera: CameraState) -> ft.Control:
    """An animated QR code coming in: a ring filling up, "42 % received" and "12 of 30 parts"."""
    if camera.received is None:
        return ft.Container(visible=False)
    return ft.Row([
        ft.ProgressRing(value=camera.received, width=40, height=40, stroke_width=5, color=BRAND, bgcolor=LINE,
                        semantics_label="Received"),
        ft.Column([ft.Text(camera.received_words, color=INK, size=16, weight=ft.FontWeight.W_700),
                   ft.Text(camera.parts, color=MUTED)], spacing=2, tight=True),
    ], spacing=14)


@ft.component
def CameraCard(camera: CameraState, services: VerifierServices, wide: bool) -> ft.Control:
    """Live camera: find the computer's cameras, choose one, scan; the picture while it reads;
    Stop at any time. In web mode too: the app serves 127.0.0.1 only, so its computer is the
    browser's."""
    # A wide window is a computer's (its webcam faces the user: the candidate holds the phone up to
    # it); a narrow one may be a phone or tablet, whose camera the verifier points at the code.
    device = "this computer's camera" if wide else "this device's camera"
    controls: list[ft.Control] = [
        ft.Text(f"Point {device} at the candidate's QR code. It is read as soon as it is sharp enough (an "
                "animated one in a few seconds); nothing is recorded.", color=MUTED),
    ]
    if camera.on:  # which camera, in full contrast (a disabled radio list would be greyed out)
        controls.append(ft.Row([ft.Icon(ft.Icons.VIDEOCAM, color=BRAND, size=18),
                                ft.Text(f"Scanning with {camera.chosen_label}", color=INK, expand=True)], spacing=8))
    elif camera.devices:
        controls.append(_camera_choices(camera, services))
    if not camera.on:  # what went wrong comes before what to do about it
        controls.append(note(camera.error, error=True))
    controls.append(_camera_buttons(camera, services))
    controls.append(spinner("Looking for cameras…" if camera.searching else ""))
    if camera.on:
        controls += [_camera_picture(camera, wide), _receiving(camera), note(camera.note),
                     note(camera.error, error=True)]
    else:
        controls.append(note(camera.note))
    return card(*controls, title_text="Live camera", icon=ft.Icons.VIDEOCAM)


@ft.component
def ScanView(scan: ScanState, camera: CameraState, services: VerifierServices, wide: bool) -> ft.Control:
    async def pick_image() -> None:
        files = await file_picker().pick_files(
            dialog_title="Open a photo or screenshot of a QR code", with_data=True,
            file_type=ft.FilePickerFileType.CUSTOM, allowed_extensions=IMAGE_TYPES,
            cancel_upload_on_window_blur=False)
        if not files:
            return
        data = files[0].bytes or b""
        if not data and files[0].path:
            data = Path(files[0].path).read_bytes()
        services.check_image(data)

    field = ft.TextField(
        label="Link, JSON or JWT", expand=True, value=scan.pasted, multiline=True, min_lines=3, max_lines=8,
        hint_text="https://…/s#vp=…   or   {\"@context\": …}   or   eyJ…",
        on_change=lambda e: services.set_pasted(e.control.value or ""), border_radius=12,
        text_style=ft.TextStyle(font_family="monospace", size=13))
    return frame(
        title("Check a credential"),
        ft.Text("Scan the candidate's QR code, open a photo of it, or paste what they sent you.", color=MUTED),
        CameraCard(camera, services, wide),
        card(ft.Text("A share link from the candidate's wallet, a credential's JSON, or a JWT.", color=MUTED),
             ft.Row([field]),
             ft.Row([primary("Check", services.check_pasted, ft.Icons.FACT_CHECK, disabled=not scan.pasted.strip()),
                     secondary("Clear", lambda: services.set_pasted(""), ft.Icons.CLEAR)], spacing=10),
             title_text="Paste a link or credential", icon=ft.Icons.CONTENT_PASTE),
        card(ft.Text("A photo or screenshot of the QR code on the candidate's phone.", color=MUTED),
             ft.Row([secondary("Open a QR image", pick_image, ft.Icons.IMAGE)]),
             title_text="Open an image", icon=ft.Icons.IMAGE_OUTLINED),
        spinner(scan.busy),
        note(scan.message, error=True),
        wide=wide)
