"""What the buttons do, for one tab: verify pasted text, images and camera reads, run a request,
export history. Work that waits (the request's answer, the camera) runs off the UI thread and
updates the tab's :class:`~verifier.app.state.UiState`."""

from __future__ import annotations

import asyncio
import contextvars
import io
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flet as ft

from verifier.history import Entry, pdf_report

from .engine import IntakeError, RequestFlow, VerifierEngine
from .feedback import Feedback
from .intake import share_fragment
from .state import ASK, HISTORY, RESULT, SCAN, UiState

_log = logging.getLogger("satchel.verifier.camera")

PREVIEW_WIDTH = 480
PREVIEW_EVERY = 4  # frames: about 7 preview pictures a second from a 30 fps camera
NO_CAMERA = ("No camera found on this computer. Open a photo of the candidate's QR code or paste what they "
             "sent you instead, or connect a camera and look again.")
NO_CAMERA_SUPPORT = ("Camera scanning is not available in this version of Satchel Verifier. Open a photo of the "
                     "QR code or paste what the candidate sent you instead.")


@dataclass(eq=False)
class _CameraRun:
    """One scan: the camera chosen, its scanner, and how it is going (touched on the UI loop only,
    apart from ``halted``, which the grabber reads)."""

    choice: Any  # verifier.camera.CameraChoice
    scanner: Any = None  # verifier.camera.CameraScanner
    halted: bool = False
    checking: bool = False  # a read is being verified
    why: str = ""  # why it stopped, for the log


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
        self._camera: _CameraRun | None = None
        self._picker: ft.FilePicker | None = None

    # -- navigation -----------------------------------------------------------------------------
    def go(self, screen: str) -> None:
        self.state.message = ""
        if screen != ASK:
            self.cancel_request()
        if screen != SCAN:
            self._halt_camera("left the scan screen")
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
        self._halt_camera("a share link was opened")
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

    # -- camera ---------------------------------------------------------------------------------
    # A camera of the computer the app runs on: the desktop window's, or in web mode the browser's
    # own computer (the app serves 127.0.0.1 only). The engine's capture loop grabs and decodes on
    # its own threads; their callbacks are moved onto this tab's UI loop before they touch state.
    async def find_cameras(self, _e: Any = None) -> None:
        state = self.state
        state.camera_searching, state.camera_error, state.camera_note = True, "", ""
        try:
            from verifier.camera import find_cameras

            devices = await asyncio.to_thread(find_cameras)
        except ImportError:  # a build without OpenCV
            devices, state.camera_error = [], NO_CAMERA_SUPPORT
        state.camera_searching, state.camera_searched, state.camera_devices = False, True, devices
        if devices and state.camera_device not in {c.key for c in devices}:
            state.camera_device = devices[0].key
        if not devices and not state.camera_error:
            state.camera_error = NO_CAMERA
        _log.info("camera: looked for cameras: %s", ", ".join(c.label for c in devices) or "none found")

    async def start_camera(self, _e: Any = None) -> None:
        from verifier.camera import CameraScanner, Frame, QrRead

        if not self.state.camera_searched:
            await self.find_cameras()
        state = self.state
        choice = next((c for c in state.camera_devices if c.key == state.camera_device), None)
        if choice is None:
            return
        self._halt_camera("a new scan started")
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()  # the tab's page: state changes must know where to go

        def on_ui(fn: Any, *args: Any) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(fn, *args, context=context)

        run = _CameraRun(choice)

        def on_frame(frame: Frame) -> None:  # grabber thread
            if run.halted or frame.index % PREVIEW_EVERY:
                return
            from verifier.camera import preview_jpeg

            jpeg = preview_jpeg(frame.image, PREVIEW_WIDTH)
            if jpeg is not None:
                on_ui(self._camera_preview, run, jpeg)

        def on_read(read: QrRead) -> None:  # a decoder thread
            _log.info("camera: read a QR code in frame %d (%s detector)", read.frame_index, read.detector)
            on_ui(self._camera_read, run, read.text)

        def on_end(error: str | None) -> None:  # the last decoder thread, once
            on_ui(self._camera_ended, run, error)

        run.scanner = CameraScanner(choice.source, on_read, on_frame=on_frame, on_end=on_end)
        self._camera = run  # Stop works from here on, even while the device is still opening
        state.camera_on, state.camera_preview, state.camera_error = True, None, ""
        state.camera_note = "Hold the candidate's QR code in front of the camera."
        try:
            await asyncio.to_thread(run.scanner.start)  # opening a device can take a second
        except OSError:
            run.halted = True
            _log.info("camera: %s does not open", choice.label)
            if run is self._camera:
                self._halt_camera("it did not open")
                state.camera_note = ""
                state.camera_error = (f"{choice.label} does not open. It may be in use by another program, "
                                      "or unplugged.")
            return
        threading.Thread(target=self._watch_camera, args=(run,), name="camera-watch", daemon=True).start()
        _log.info("camera: scanning %s", choice.label)

    def stop_camera(self, _e: Any = None) -> None:
        """The Stop button."""
        if self._halt_camera("stopped by the user"):
            self.state.camera_note = "Camera stopped."

    def _halt_camera(self, why: str) -> bool:
        """Stops this tab's scan (if any): True when one was running."""
        run, self._camera = self._camera, None
        self.state.camera_on = False
        self.state.camera_preview = None
        if run is None:
            return False
        run.halted, run.why = True, run.why or why
        if run.scanner is not None:
            run.scanner.stop()
        return True

    def _watch_camera(self, run: _CameraRun) -> None:
        """Waits for the scan's capture threads to finish and says so in the app's log (a scan that
        is over leaves no thread behind, reading or decoding)."""
        scanner = run.scanner
        scanner.join()
        left = sum(1 for t in threading.enumerate() if t.name.startswith(("qr-grab", "qr-decode")) and t.is_alive())
        _log.info("camera: %s off (%s); %d frames grabbed, %d decoded; capture threads of this scan stopped; "
                  "capture threads still running in the app: %d", run.choice.label, run.why or "the source ended",
                  scanner.frames_grabbed, scanner.frames_decoded, left)

    def _camera_preview(self, run: _CameraRun, jpeg: bytes) -> None:
        if run is self._camera and not run.halted:
            self.state.camera_preview = jpeg

    def _camera_read(self, run: _CameraRun, text: str) -> None:
        if run is not self._camera or run.halted or run.checking:
            return
        run.checking = True
        self.state.camera_note = "Read a QR code. Checking it…"
        self.page.run_task(self._camera_check, run, text)

    async def _camera_check(self, run: _CameraRun, text: str) -> None:
        state = self.state
        try:
            entry = await asyncio.to_thread(self.engine.verify_text, text, "camera", offline=state.offline)
        except (IntakeError, OSError) as exc:
            run.checking = False
            if run is self._camera:
                state.camera_note = f"{exc} Keep looking for the candidate's QR code."
            return
        if run is not self._camera:  # stopped while checking: the result is in the history
            return
        self._halt_camera("read a QR code")
        state.camera_note = ""
        self.show(entry, SCAN)

    def _camera_ended(self, run: _CameraRun, error: str | None) -> None:
        if run is not self._camera:
            return
        run.why = run.why or ("the camera failed" if error else "the source ended")
        self._halt_camera(run.why)
        if error:
            self.state.camera_error = f"The camera stopped: {error}."
        else:
            self.state.camera_note = ("The video ended before a QR code could be read."
                                      if isinstance(run.choice.source, str) else "The camera stopped.")

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
        self._halt_camera("the tab closed")
