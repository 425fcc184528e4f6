"""What the employer notices without reading: when a check finishes, the screen pulses in the
verdict's colour, a short sound plays, a phone buzzes, and screen readers hear the answer.

* Flash: a full-screen colour pulse drawn by the shell (:func:`verifier.app.views.shell.VerifierShell`)
  from :attr:`ShellState.flash`; one pulse (on in 90 ms, held 250 ms, out in 700 ms), far below the
  three flashes a second WCAG 2.3.1 warns about, and it never takes a click (``ignore_interactions``).
* Sound: the ``flet-audio`` extension's ``Audio`` service. Flet 1.0.5's prebuilt web client
  (``flet_web/web/main.dart.js``) registers the ``Audio`` control (audioplayers' web player, an
  HTML ``<audio>`` element), so it plays in web mode as well as in the desktop and phone clients.
  The sounds are made here (16-bit PCM WAV, :func:`tone`), so there is no asset file to package.
  Browsers only play sound after the user has touched the page (Chrome's autoplay policy): a
  result reached by a click sounds, one reached by opening a link may stay silent; a refused or
  missing player is ignored, never an error.
* Haptics: ``ft.HapticFeedback`` (a phone's vibration motor; ``navigator.vibrate`` in a phone's
  browser; nothing on a desktop).
* Announcement: ``ft.SemanticsService.announce_message`` (an assertive ARIA live region on the
  web), on top of the result banner's own live region.
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import struct
import wave
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

import flet as ft

__all__ = ["SOUND_RATE", "Feedback", "announcement", "tone"]

log = logging.getLogger(__name__)

SOUND_RATE = 22_050
# (frequency Hz, seconds) per note: a rising chime for "Verified", a falling pair for "Problem",
# one mid note for "Could not check".
_NOTES: dict[str, tuple[tuple[float, float], ...]] = {
    "valid": ((880.0, 0.09), (1318.5, 0.20)),  # A5 then E6
    "invalid": ((440.0, 0.14), (330.0, 0.26)),  # A4 then E4
    "unverifiable": ((587.3, 0.22),),  # D5
}
_CALL_TIMEOUT = 5.0


@cache
def tone(verdict: str) -> bytes:
    """A short WAV (mono, 16-bit, 22.05 kHz) for a verdict: soft attack and decay, no clicks."""
    notes = _NOTES.get(verdict, _NOTES["unverifiable"])
    frames = bytearray()
    for freq, seconds in notes:
        count = int(SOUND_RATE * seconds)
        attack = int(SOUND_RATE * 0.006)
        for i in range(count):
            envelope = min(1.0, i / attack) * math.exp(-4.0 * i / count)
            sample = 0.5 * envelope * (math.sin(2 * math.pi * freq * i / SOUND_RATE)
                                       + 0.25 * math.sin(4 * math.pi * freq * i / SOUND_RATE)) / 1.25
            frames += struct.pack("<h", int(sample * 32767))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SOUND_RATE)
        out.writeframes(bytes(frames))
    return buf.getvalue()


def announcement(word: str, what: str) -> str:
    return f"Result: {word}. {what}".strip()


class Feedback:
    """One tab's sound, vibration and announcements. Made while the page is being set up, so the
    services register with it and the sounds are loaded before they are needed."""

    def __init__(self, page: ft.Page) -> None:
        self.page = page
        self.sounds: dict[str, Any] = {}
        try:
            from flet_audio import Audio, ReleaseMode
        except ImportError:  # the extension is not installed: flash and announcement only
            Audio = None  # noqa: N806
        if Audio is not None:
            for verdict in _NOTES:
                self.sounds[verdict] = Audio(src=tone(verdict), volume=0.8, release_mode=ReleaseMode.STOP)
        self.haptics = ft.HapticFeedback()
        self.speech = ft.SemanticsService()

    async def _call(self, what: str, work: Any) -> None:
        try:
            await asyncio.wait_for(work, _CALL_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - no speaker, autoplay refused, no vibration motor: fine
            log.debug("feedback %s not given: %s", what, exc)

    async def give(self, verdict: str, word: str, what: str) -> None:
        """Sound, vibration and announcement for a finished check, each on its own; none can fail."""
        sound = self.sounds.get(verdict)
        calls = [self._call("announcement", self.speech.announce_message(
            announcement(word, what), assertiveness=ft.Assertiveness.ASSERTIVE))]
        if sound is not None:
            calls.append(self._call("sound", sound.play()))
        # Flet's HapticFeedback methods carry no annotations: named here with the type they have
        buzz: Callable[[], Awaitable[Any]] = (self.haptics.medium_impact if verdict == "valid"
                                              else self.haptics.vibrate)
        calls.append(self._call("vibration", buzz()))
        await asyncio.gather(*calls)
