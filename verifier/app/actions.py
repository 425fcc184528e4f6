"""What the buttons do, for one tab: verify pasted text, images and camera reads, run a request,
export history. Work that waits (the request's answer, the camera) runs off the UI thread and
updates the tab's :class:`~verifier.app.state.UiState`."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flet as ft

from verifier.history import Entry, pdf_report

from .engine import IntakeError, RequestFlow, VerifierEngine
from .feedback import Feedback
from .intake import share_fragment
from .state import ASK, HISTORY, RESULT, SCAN, UiState


def qr_png(text: str) -> bytes:
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=3)
    qr.add_data(text)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image(fill_color="#111111", back_color="white").save(buf, format="PNG")
    return buf.getvalue()


def age_words(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return "never"
    seconds = ((now or datetime.now(UTC)) - when).total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


class Actions:
    def __init__(self, page: ft.Page, state: UiState, engine: VerifierEngine,
                 feedback: Feedback | None = None) -> None:
        self.page = page
        self.state = state
        self.engine = engine
        self.feedback = feedback
        self._link_fragment: str | None = None  # the share link this tab was last opened with
        self._request: RequestFlow | None = None
        self._stop_request = threading.Event()
        self._scanner: Any = None
        self._picker: ft.FilePicker | None = None

    # -- navigation -----------------------------------------------------------------------------
    def go(self, screen: str) -> None:
        self.state.message = ""
        if screen != ASK:
            self.cancel_request()
        if screen != SCAN:
            self.stop_camera()
        self.state.screen = screen

    def show(self, entry: Entry, came_from: str, *, fresh: bool = True) -> None:
        """The result screen for ``entry``; ``fresh`` (a check just made, not one reopened from the
        history) also flashes the screen, sounds and announces the verdict."""
        self.state.result = entry
        self.state.came_from = came_from
        self.state.detail = ""
        self.state.busy = ""
        self.state.message = ""
        self.state.history_version += 1
        self.state.screen = RESULT
        if fresh:
            self._signal(entry)

    def _signal(self, entry: Entry) -> None:
        from .look import VERDICTS

        look = VERDICTS.get(entry.verdict, VERDICTS["unverifiable"])
        try:
            self.page.run_task(self._pulse, entry.verdict)
            if self.feedback is not None:
                self.page.run_task(self.feedback.give, entry.verdict, look.word, entry.achievement)
        except RuntimeError:  # the tab has gone: nobody to signal
            pass

    async def _pulse(self, verdict: str) -> None:
        """One colour pulse over the whole screen: on at once, then fading (see views.flash_layer)."""
        self.state.flash = verdict
        self.state.flash_on = True
        await asyncio.sleep(0.25)
        self.state.flash_on = False
        await asyncio.sleep(0.8)
        if not self.state.flash_on:
            self.state.flash = ""

    def open_entry(self, entry_id: str) -> None:
        entry = self.engine.history.get(entry_id)
        if entry is not None:
            self.show(entry, HISTORY, fresh=False)

    # -- a share link in the app's own address (web) ----------------------------------------------
    def open_route(self, route: str | None) -> None:
        """Verify the share link this tab was opened with (or that was typed into its address bar).

        The fragment reaches this process through the tab's own connection (Flet's "hash" route,
        see :func:`~verifier.app.intake.share_fragment`); nothing is sent anywhere else, except that
        a relay link's encrypted copy is fetched from the service the app was started with.
        Each link is checked once per tab: going back to it does not add it to the history again."""
        fragment = share_fragment(route)
        if fragment is None or fragment == self._link_fragment:
            return
        self._link_fragment = fragment
        self.stop_camera()
        self.cancel_request()
        self.state.screen = SCAN
        self._verify(lambda: self.engine.verify_fragment(fragment, offline=self.state.offline), "link")

    def back(self) -> None:
        self.go(self.state.came_from if self.state.came_from != RESULT else SCAN)

    # -- offline --------------------------------------------------------------------------------
    def set_offline(self, on: bool) -> None:
        self.state.offline = on  # this tab only; the engine's start-up setting stays

    def cache_words(self) -> str:
        age = self.engine.cache_age()
        if not age.documents:
            return "No issuer documents are saved on this device yet: checks that need them will say " \
                   "\"could not check\"."
        return (f"Using {age.documents} saved issuer document{'s' if age.documents != 1 else ''}, fetched "
                f"{age_words(age.newest)}" + (f" (oldest {age_words(age.oldest)})"
                                              if age_words(age.oldest) != age_words(age.newest) else "") + ".")

    # -- verifying ------------------------------------------------------------------------------
    def _verify(self, work: Any, source: str) -> None:
        self.state.message = ""
        self.state.busy = "Checking…"
        try:
            entry = work()
        except IntakeError as exc:
            self.state.busy = ""
            self.state.message = str(exc)
            return
        except OSError as exc:
            self.state.busy = ""
            self.state.message = f"Could not read it: {exc}"
            return
        self.show(entry, SCAN)

    def check_pasted(self, _e: Any = None) -> None:
        text = self.state.pasted
        source = "link" if text.strip().startswith(("http://", "https://")) else "paste"
        self._verify(lambda: self.engine.verify_text(text, source, offline=self.state.offline), source)

    async def pick_image(self, _e: Any = None) -> None:
        if self._picker is None:
            self._picker = ft.FilePicker()
        files = await self._picker.pick_files(
            dialog_title="Open a photo or screenshot of a QR code", with_data=True,
            file_type=ft.FilePickerFileType.CUSTOM, allowed_extensions=["png", "jpg", "jpeg", "webp", "bmp"],
            cancel_upload_on_window_blur=False)
        if not files:
            return
        data = files[0].bytes or b""
        if not data and files[0].path:
            data = Path(files[0].path).read_bytes()
        self._verify(lambda: self.engine.verify_image(data, "image", offline=self.state.offline), "image")

    # -- camera (desktop) -----------------------------------------------------------------------
    def find_cameras(self, _e: Any = None) -> None:
        from verifier.camera import list_devices

        self.state.camera_devices = list_devices()
        self.state.camera_note = "" if self.state.camera_devices else "No camera found on this computer."

    def start_camera(self, _e: Any = None) -> None:
        from verifier.camera import CameraScanner, Frame, QrRead

        self.stop_camera()
        state = self.state

        def on_frame(frame: Frame) -> None:
            if frame.index % 4 == 0:  # a light preview: ~7 pictures a second
                import cv2

                small = cv2.resize(frame.image, (480, int(480 * frame.image.shape[0] / frame.image.shape[1])))
                ok, jpg = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 70])
                if ok:
                    state.camera_preview = jpg.tobytes()

        def on_read(read: QrRead) -> None:
            self._verify(lambda: self.engine.verify_text(read.text, "camera", offline=state.offline), "camera")
            if state.screen == RESULT:
                self.stop_camera()

        def on_end(error: str | None) -> None:
            state.camera_on = False
            if error:
                state.camera_note = f"The camera stopped: {error}."

        try:
            self._scanner = CameraScanner(state.camera_device, on_read, on_frame=on_frame, on_end=on_end).start()
        except OSError as exc:
            state.camera_note = f"That camera does not open ({exc})."
            return
        state.camera_on = True
        state.camera_note = "Hold the candidate's QR code in front of the camera."

    def stop_camera(self, _e: Any = None) -> None:
        if self._scanner is not None:
            self._scanner.stop()
            self._scanner = None
        self.state.camera_on = False
        self.state.camera_preview = None

    # -- Ask ------------------------------------------------------------------------------------
    def start_request(self, _e: Any = None) -> None:
        self.cancel_request()
        self.state.message = ""
        try:
            flow = self.engine.new_request()
        except (OSError, ValueError, KeyError) as exc:
            self.state.request_state = "failed"
            self.state.message = f"Could not make a request: {exc}"
            return
        self._request = flow
        self._stop_request = threading.Event()
        self.state.request_url = flow.url
        self.state.request_qr = qr_png(flow.url)
        self.state.request_expires = flow.expires
        self.state.request_state = "waiting"
        self.page.run_task(self._wait_for_answer, flow, self._stop_request)

    async def _wait_for_answer(self, flow: RequestFlow, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                state, result = await asyncio.to_thread(flow.poll)
            except Exception:  # noqa: BLE001 - a failed poll is retried; the request may still be answered
                state, result = "pending", None
            if stop.is_set():
                return
            if state == "complete" and isinstance(result, dict):
                presented = result.get("verifiablePresentation")
                if "verdict" not in result:  # the service refused it before verifying (wrong kind of input)
                    self.state.request_state = "failed"
                    self.state.message = str(result.get("message", "The wallet's answer could not be read."))
                    return
                entry = await asyncio.to_thread(self.engine.record_answer, result, presented)
                self._request = None
                self.state.request_state = ""
                self.show(entry, ASK)
                return
            if state in ("expired", "gone"):
                self.state.request_state = "expired"
                return
            await asyncio.sleep(0.5)

    def cancel_request(self, _e: Any = None) -> None:
        self._stop_request.set()
        self._request = None
        self.state.request_qr = None
        self.state.request_url = ""
        self.state.request_state = ""

    # -- history and exports --------------------------------------------------------------------
    def delete_entry(self, entry_id: str) -> None:
        self.engine.history.delete(entry_id)
        if self.state.result is not None and self.state.result.id == entry_id:
            self.state.result = None
        self.state.history_version += 1
        self.state.message = "Deleted from this device's history."

    def _exports_dir(self) -> Path:
        target = self.engine.settings.home / "exports"
        target.mkdir(parents=True, exist_ok=True)
        return target

    async def _deliver(self, name: str, data: bytes) -> None:
        """Saves a copy in the data directory, and offers it to the user (a download in a browser)."""
        path = self._exports_dir() / name
        path.write_bytes(data)
        if self._picker is None:
            self._picker = ft.FilePicker()
        try:
            await self._picker.save_file(dialog_title="Save", file_name=name, src_bytes=data)
        except Exception:  # noqa: BLE001 - the copy in the data directory is there either way
            pass
        self.state.message = f"Saved {name} (a copy is in {path.parent})."

    async def export_csv(self, _e: Any = None) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        await self._deliver(f"verifications-{stamp}.csv", ("\ufeff" + self.engine.history.export_csv()).encode())

    async def export_pdf(self, _e: Any = None) -> None:
        entry = self.state.result
        if entry is None:
            return
        data = await asyncio.to_thread(pdf_report, entry)
        await self._deliver(f"verification-{entry.verified_at[:10]}-{entry.id}.pdf", data)

    def shutdown(self) -> None:
        self.cancel_request()
        self.stop_camera()
