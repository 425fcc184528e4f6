"""The glue between one tab's screens and the engine: verify what was given (pasted text, an image,
a camera read, a share link in the app's address), run a request, keep the history list, export.

Views call these methods from their event handlers (on the tab's UI event loop); slow work runs on
worker threads, and what it finds is written into the tab's observable state
(:mod:`verifier.app.state`) back on the UI loop. Nothing here touches a widget: the tab's sound,
vibration and announcement come through :class:`FeedbackPort`, the file dialogs stay in the views.
"""

from __future__ import annotations

import asyncio
import contextvars
import io
import logging
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from credentials import is_ur_text
from shell import write_atomically
from verifier.history import Entry, history_csv, pdf_report

from .engine import IntakeError, RequestFlow, VerifierEngine
from .intake import share_fragment
from .state import ASK, HISTORY, OPENID4VP, RESULT, SCAN, VC_API, TabState

if TYPE_CHECKING:
    from credentials import AssemblyProgress
    from scan import CameraChoice, CameraScanner, Frame, QrRead

__all__ = ["CAMERA_LOG", "FeedbackPort", "SaveOffer", "VerifierServices", "age_words", "qr_png"]

CAMERA_LOG = "satchel.verifier.camera"
_log = logging.getLogger(CAMERA_LOG)

PREVIEW_WIDTH = 480
PREVIEW_EVERY = 4  # frames: about 7 preview pictures a second from a 30 fps camera
NO_CAMERA = ("No camera found on this computer. Open a photo of the candidate's QR code or paste what they "
             "sent you instead, or connect a camera and look again.")
RECEIVING = "Receiving an animated QR code: keep the phone in view until it is all read."
RESTARTED = "A different presentation came into view: receiving it from the start."
FAILED_CODE_NEXT = ("Ask the candidate to show the QR code again, or to send it as a link; the camera goes on "
                    "looking.")
NO_CAMERA_SUPPORT = ("Camera scanning is not available in this version of Satchel Verifier. Open a photo of the "
                     "QR code or paste what the candidate sent you instead.")


SaveOffer = Callable[[str, bytes], Awaitable[object]]  # (file name, bytes): the view's save dialog


class FeedbackPort(Protocol):
    """What a finished check sounds and feels like (``feedback.Feedback``: sound, vibration, announcement)."""

    async def give(self, verdict: str, word: str, what: str) -> None: ...


@dataclass(eq=False)
class _CameraRun:
    """One scan: the camera chosen, its scanner, and how it is going (touched on the UI loop only,
    apart from ``halted``, which the grabber reads)."""

    choice: CameraChoice
    scanner: CameraScanner | None = None
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


def _ui_caller() -> Callable[..., None]:
    """From a worker thread, run ``fn(*args)`` on the UI loop, in the context of the tab that
    started the work (a state change must know which page to update)."""
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()

    def call(fn: Callable[..., Any], *args: Any) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(fn, *args, context=context)

    return call


class VerifierServices:
    """One tab's actions. ``engine`` is shared by every tab of the app process."""

    def __init__(self, state: TabState, engine: VerifierEngine, feedback: FeedbackPort | None = None) -> None:
        self.state = state
        self.engine = engine
        self.feedback = feedback
        self._link_fragment: str | None = None  # the share link this tab was last opened with
        self._request: RequestFlow | None = None
        self._stop_request = threading.Event()
        self._camera: _CameraRun | None = None
        self._tasks: set[asyncio.Task[Any]] = set()  # held until done (the loop keeps only weak references)
        # Every check started and every result shown takes the next number; a check's result is shown
        # only while its number is the latest, so a slow earlier check can never stand in for a later one.
        self._submission = 0

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run ``work`` on this tab's UI loop, in its context (call it from the UI loop)."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- navigation -----------------------------------------------------------------------------
    def go(self, screen: str) -> None:
        self.state.clear_messages()
        if screen != ASK:
            self.cancel_request()
        if screen != SCAN:
            self._halt_camera("left the scan screen")
        if screen == HISTORY:
            self.refresh_history()
        self.state.shell.screen = screen

    def back(self) -> None:
        came_from = self.state.shell.came_from
        self.go(came_from if came_from != RESULT else SCAN)

    def show(self, entry: Entry, came_from: str, *, fresh: bool = True) -> None:
        """The result screen for ``entry``; ``fresh`` (a check just made, not one reopened from the
        history) also flashes the screen, sounds and announces the verdict."""
        self._submission += 1  # whatever check is still running was overtaken by this result
        self.state.clear_messages()
        self.state.result.entry = entry
        self.state.scan.busy = ""
        self.state.shell.came_from = came_from
        self.state.shell.screen = RESULT
        if fresh:
            self._signal(entry)

    def _signal(self, entry: Entry) -> None:
        self._spawn(self._pulse(entry.grade))
        if self.feedback is not None:
            self._spawn(self.feedback.give(entry.verdict, entry.answer, entry.achievement))

    async def _pulse(self, grade: str) -> None:
        """One colour pulse over the whole screen in the grade's colour: on at once, then fading
        (see views.shell.flash_layer)."""
        shell = self.state.shell
        shell.flash, shell.flash_on = grade, True
        await asyncio.sleep(0.25)
        shell.flash_on = False
        await asyncio.sleep(0.8)
        if not shell.flash_on:
            shell.flash = ""

    def set_wide(self, wide: bool) -> None:
        if wide != self.state.shell.wide:
            self.state.shell.wide = wide

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
        self.state.shell.screen = SCAN
        self._verify(lambda: self.engine.verify_fragment(fragment, offline=self.state.shell.offline))

    # -- offline --------------------------------------------------------------------------------
    def set_offline(self, on: bool) -> None:
        """This tab only; the engine's start-up setting stays."""
        if on:
            self.state.shell.cache_words = self.cache_words()
        self.state.shell.offline = on

    def cache_words(self) -> str:
        age = self.engine.cache_age()
        if not age.documents:
            return "No issuer documents are saved on this device yet: checks that need them will say " \
                   "\"could not check\"."
        newest, oldest = age_words(age.newest), age_words(age.oldest)
        return (f"Using {age.documents} saved issuer document{'s' if age.documents != 1 else ''}, fetched "
                f"{newest}" + (f" (oldest {oldest})" if oldest != newest else "") + ".")

    # -- verifying ------------------------------------------------------------------------------
    def _verify(self, work: Callable[[], Entry], *, pasted: str | None = None) -> int:
        """Start checking what was just submitted, on a worker thread (the screen stays live meanwhile);
        its number (see ``_submission``) is returned. ``pasted``: the text, when it came from the paste field."""
        self._submission += 1
        submission = self._submission
        scan = self.state.scan
        scan.message, scan.busy = "", "Checking…"
        self._spawn(self._finish_check(submission, work, pasted))
        return submission

    async def _finish_check(self, submission: int, work: Callable[[], Entry], pasted: str | None) -> None:
        scan = self.state.scan
        try:
            entry = await asyncio.to_thread(work)
        except (IntakeError, OSError) as exc:
            if submission == self._submission:
                said = str(exc) if isinstance(exc, IntakeError) else f"Could not read it: {exc}"
                scan.busy, scan.message = "", said
            return
        if submission != self._submission:
            return  # a later submission (or a result shown meanwhile) replaced it; it is in the history
        if pasted is not None and scan.pasted == pasted:
            # The text is used up: the field starts empty, so a later Check can only ever send what
            # was pasted after this (the stale-verdict bug: the field's old text checked again when
            # the new paste had not reached the app).
            scan.pasted = ""
        self.show(entry, SCAN)

    def set_pasted(self, text: str) -> None:
        self.state.scan.pasted = text

    def check_pasted(self) -> None:
        """The Check button: the paste field's text as the field last reported it."""
        self.check_text(self.state.scan.pasted)

    def check_text(self, given: str) -> None:
        """Check ``given``, the paste field's text carried with the submission (its on_submit event)."""
        self.state.scan.pasted = given
        if not given.strip():
            self.state.scan.message = "Nothing was given: paste a link, a credential's JSON, or a JWT."
            return
        source = "link" if given.strip().startswith(("http://", "https://")) else "paste"
        self._verify(lambda: self.engine.verify_text(given, source, offline=self.state.shell.offline), pasted=given)

    def check_image(self, data: bytes) -> None:
        """A photo or screenshot of a QR code, as the file dialog gave it."""
        self._verify(lambda: self.engine.verify_image(data, "image", offline=self.state.shell.offline))

    # -- camera ---------------------------------------------------------------------------------
    # A camera of the computer the app runs on: the desktop window's, or in web mode the browser's
    # own computer (the app serves 127.0.0.1 only). The capture loop grabs and decodes on its own
    # threads; their callbacks are moved onto this tab's UI loop before they touch state.
    def choose_camera(self, key: str | None) -> None:
        if key:
            self.state.camera.device = key

    async def find_cameras(self) -> None:
        camera = self.state.camera
        camera.searching, camera.error, camera.note = True, "", ""
        try:
            devices = await asyncio.to_thread(self.engine.find_cameras)
        except ImportError:  # a build without OpenCV
            devices, camera.error = [], NO_CAMERA_SUPPORT
        camera.searching, camera.searched, camera.devices = False, True, devices
        if devices and camera.device not in {c.key for c in devices}:
            camera.device = devices[0].key
        if not devices and not camera.error:
            camera.error = NO_CAMERA
        _log.info("camera: looked for cameras: %s", ", ".join(c.label for c in devices) or "none found")

    async def start_camera(self) -> None:
        if not self.state.camera.searched:
            await self.find_cameras()
        camera = self.state.camera
        choice = next((c for c in camera.devices if c.key == camera.device), None)
        if choice is None:
            return
        self._halt_camera("a new scan started")
        run = _CameraRun(choice)
        run.scanner = self._scanner_for(run)
        self._camera = run  # Stop works from here on, even while the device is still opening
        camera.on, camera.preview, camera.error = True, None, ""
        camera.note = "Hold the candidate's QR code in front of the camera."
        try:
            await asyncio.to_thread(run.scanner.start)  # opening a device can take a second
        except OSError:
            run.halted = True
            _log.info("camera: %s does not open", choice.label)
            if run is self._camera:
                self._halt_camera("it did not open")
                camera.note = ""
                camera.error = f"{choice.label} does not open. It may be in use by another program, or unplugged."
            return
        threading.Thread(target=self._watch_camera, args=(run,), name="camera-watch", daemon=True).start()
        _log.info("camera: scanning %s", choice.label)

    def _scanner_for(self, run: _CameraRun) -> CameraScanner:
        """The capture loop for ``run``, its callbacks (on the scanner's threads) sent to the UI loop.

        Every read goes to a :class:`scan.QrCollector` on the decoder thread (putting fountain-coded
        parts together is work the UI loop need not do): a single code comes out at once, an animated
        one once enough of its parts are in, and meanwhile its progress is shown."""
        from scan import CameraScanner, QrCollector, preview_jpeg

        on_ui = _ui_caller()

        def on_frame(frame: Frame) -> None:  # grabber thread
            if run.halted or frame.index % PREVIEW_EVERY:
                return
            jpeg = preview_jpeg(frame.image, PREVIEW_WIDTH)
            if jpeg is not None:
                on_ui(self._camera_preview, run, jpeg)

        def on_complete(text: str, read: QrRead) -> None:  # a decoder thread
            if is_ur_text(read.text):
                _log.info("camera: put an animated QR code together, its last part read in frame %d (%s detector)",
                          read.frame_index, read.detector)
            else:
                _log.info("camera: read a QR code in frame %d (%s detector)", read.frame_index, read.detector)
            on_ui(self._camera_read, run, text)

        def on_progress(progress: AssemblyProgress, read: QrRead) -> None:  # a decoder thread
            if not run.halted:
                on_ui(self._camera_progress, run, progress)

        def on_error(sentence: str, read: QrRead) -> None:  # a decoder thread: a code read whole is broken
            on_ui(self._camera_failed_code, run, sentence)

        def on_end(error: str | None) -> None:  # the last decoder thread, once
            on_ui(self._camera_ended, run, error)

        collector = QrCollector(on_complete, on_progress=on_progress, on_error=on_error)
        return CameraScanner(run.choice.source, collector, on_frame=on_frame, on_end=on_end)

    def stop_camera(self) -> None:
        """The Stop button."""
        if self._halt_camera("stopped by the user"):
            self.state.camera.note = "Camera stopped."

    def _halt_camera(self, why: str) -> bool:
        """Stops this tab's scan (if any): True when one was running."""
        run, self._camera = self._camera, None
        self.state.camera.on = False
        self.state.camera.preview = None
        self._clear_progress()
        if run is None:
            return False
        run.halted, run.why = True, run.why or why
        if run.scanner is not None:
            run.scanner.stop()
        return True

    @staticmethod
    def _watch_camera(run: _CameraRun) -> None:
        """Waits for the scan's capture threads to finish and says so in the app's log (a scan that
        is over leaves no thread behind, reading or decoding)."""
        scanner = run.scanner
        assert scanner is not None
        scanner.join()
        left = sum(1 for t in threading.enumerate() if t.name.startswith(("qr-grab", "qr-decode")) and t.is_alive())
        _log.info("camera: %s off (%s); %d frames grabbed, %d decoded; capture threads of this scan stopped; "
                  "capture threads still running in the app: %d", run.choice.label, run.why or "the source ended",
                  scanner.frames_grabbed, scanner.frames_decoded, left)

    def _camera_preview(self, run: _CameraRun, jpeg: bytes) -> None:
        if run is self._camera and not run.halted:
            self.state.camera.preview = jpeg

    def _camera_progress(self, run: _CameraRun, progress: AssemblyProgress) -> None:
        """Part of an animated code is in: "42 % received", "12 of 30 parts"; a new one starts over."""
        if run is not self._camera or run.halted or run.checking:
            return
        if progress.kind != "multipart":
            return
        camera = self.state.camera
        camera.received, camera.received_words = progress.fraction, f"{progress.percent} % received"
        # The parts' worth the codes read determine, never more than there are (a fountain part mixes
        # several, so the codes read can outnumber the parts without the code being whole yet).
        camera.parts = f"{progress.parts_received} of {progress.parts_expected or 0} parts"
        camera.note = RESTARTED if progress.restarted else RECEIVING
        camera.error = ""  # a code that reads is coming in: a broken one before it is no longer the news

    def _camera_failed_code(self, run: _CameraRun, sentence: str) -> None:
        """An animated code read whole is no presentation: say so, drop its progress, scan on."""
        if run is not self._camera or run.halted or run.checking:
            return
        self._clear_progress()
        camera = self.state.camera
        camera.note = ""
        camera.error = f"{sentence} {FAILED_CODE_NEXT}"

    def _clear_progress(self) -> None:
        camera = self.state.camera
        camera.received, camera.received_words, camera.parts = None, "", ""

    def _camera_read(self, run: _CameraRun, text: str) -> None:
        if run is not self._camera or run.halted or run.checking:
            return
        run.checking = True
        camera = self.state.camera
        if camera.received is not None:  # the last part of an animated code
            camera.received, camera.received_words = 1.0, "100 % received"
            camera.note = "Received the whole animated QR code. Checking it…"
        else:
            camera.note = "Read a QR code. Checking it…"
        self._spawn(self._camera_check(run, text))

    async def _camera_check(self, run: _CameraRun, text: str) -> None:
        camera = self.state.camera
        try:
            entry = await asyncio.to_thread(self.engine.verify_text, text, "camera",
                                            offline=self.state.shell.offline)
        except (IntakeError, OSError) as exc:
            run.checking = False
            if run is self._camera:
                self._clear_progress()
                camera.note = f"{exc} Keep looking for the candidate's QR code."
            return
        if run is not self._camera:  # stopped while checking: the result is in the history
            return
        self._halt_camera("read a QR code")
        camera.note = ""
        self.show(entry, SCAN)

    def _camera_ended(self, run: _CameraRun, error: str | None) -> None:
        if run is not self._camera:
            return
        run.why = run.why or ("the camera failed" if error else "the source ended")
        self._halt_camera(run.why)
        if error:
            self.state.camera.error = f"The camera stopped: {error}."
        else:
            self.state.camera.note = ("The video ended before a QR code could be read."
                                      if isinstance(run.choice.source, str) else "The camera stopped.")

    # -- Ask ------------------------------------------------------------------------------------
    def start_request(self) -> None:
        self.cancel_request()
        ask = self.state.ask
        ask.message = ""
        try:
            flow = self.engine.new_request(openid4vp=ask.protocol == OPENID4VP)
        except (OSError, ValueError, KeyError) as exc:
            ask.state, ask.message = "failed", f"Could not make a request: {exc}"
            return
        self._request = flow
        self._stop_request = threading.Event()
        ask.url, ask.qr, ask.expires, ask.state = flow.url, qr_png(flow.url), flow.expires, "waiting"
        ask.client_id, ask.asker = flow.domain, flow.asker
        self._spawn(self._wait_for_answer(flow, self._stop_request))

    async def _wait_for_answer(self, flow: RequestFlow, stop: threading.Event) -> None:
        ask = self.state.ask
        while not stop.is_set():
            try:
                state, result = await asyncio.to_thread(flow.poll)
            except Exception:  # noqa: BLE001 - a failed poll is retried; the request may still be answered
                state, result = "pending", None
            if stop.is_set():
                return
            if state == "complete" and isinstance(result, dict):
                await self._answered(result)
                return
            if state in ("expired", "gone"):
                ask.state = "expired"
                return
            await asyncio.sleep(0.5)

    async def _answered(self, result: dict[str, Any]) -> None:
        if "verdict" not in result:  # the service refused it before verifying (wrong kind of input)
            self.state.ask.state = "failed"
            self.state.ask.message = str(result.get("message", "The wallet's answer could not be read."))
            return
        entry = await asyncio.to_thread(self.engine.record_answer, result, result.get("verifiablePresentation"))
        self._request = None
        self.state.ask.state = ""
        self.show(entry, ASK)

    def choose_protocol(self, protocol: str) -> None:
        """How the next request asks (the Ask screen's choice); an open request is left as it is."""
        if protocol in (VC_API, OPENID4VP):
            self.state.ask.protocol = protocol

    def cancel_request(self) -> None:
        self._stop_request.set()
        self._request = None
        ask = self.state.ask
        ask.qr, ask.url, ask.state = None, "", ""

    # -- history and exports --------------------------------------------------------------------
    def refresh_history(self) -> None:
        self.state.history.entries = self.engine.history.list()

    def open_entry(self, entry_id: str) -> None:
        entry = self.engine.history.get(entry_id)
        if entry is not None:
            self.show(entry, HISTORY, fresh=False)

    def delete_entry(self, entry_id: str) -> None:
        self.engine.history.delete(entry_id)
        if self.state.result.entry is not None and self.state.result.entry.id == entry_id:
            self.state.result.entry = None
        self.refresh_history()
        self.state.history.message = "Deleted from this device's history."

    async def _deliver(self, name: str, data: bytes, offer: SaveOffer) -> str:
        """Saves a copy in the data directory, and offers it to the user (``offer``: the view's save
        dialog, a download in a browser); the words saying where it went."""
        target = self.engine.settings.home / "exports" / name
        write_atomically(target, data)
        try:
            await offer(name, data)
        except Exception:  # noqa: BLE001 - the copy in the data directory is there either way
            pass
        return f"Saved {name} (a copy is in {target.parent})."

    async def export_csv(self, offer: SaveOffer) -> None:
        name = f"verifications-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.csv"
        data = ("\ufeff" + history_csv(self.engine.history.everything())).encode()  # BOM: spreadsheets read UTF-8
        self.state.history.message = await self._deliver(name, data, offer)

    async def export_pdf(self, offer: SaveOffer) -> None:
        entry = self.state.result.entry
        if entry is None:
            return
        data = await asyncio.to_thread(pdf_report, entry)
        name = f"verification-{entry.verified_at[:10]}-{entry.id}.pdf"
        self.state.result.message = await self._deliver(name, data, offer)

    def shutdown(self) -> None:
        self.cancel_request()
        self._halt_camera("the tab closed")
