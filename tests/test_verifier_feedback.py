"""The verifier app's result sounds (verifier/app/feedback.py): real WAV files a browser's <audio>
element plays, short, never clipping, starting and ending quietly, different for each verdict."""

from __future__ import annotations

import io
import struct
import wave

from verifier.app.feedback import SOUND_RATE, announcement, tone


def _samples(data: bytes) -> tuple[wave.Wave_read, list[int]]:
    reader = wave.open(io.BytesIO(data))
    frames = reader.readframes(reader.getnframes())
    return reader, list(struct.unpack(f"<{len(frames) // 2}h", frames))


def test_each_verdict_has_its_own_short_mono_pcm_sound() -> None:
    sounds = {v: tone(v) for v in ("valid", "invalid", "unverifiable")}
    assert len(set(sounds.values())) == 3
    for data in sounds.values():
        assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
        reader, samples = _samples(data)
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (1, 2, SOUND_RATE)
        assert 0.15 <= len(samples) / SOUND_RATE <= 0.5  # a chime, not a tune
        assert len(data) < 24_000  # sent to each tab once
    assert tone("something new") == sounds["unverifiable"]


def test_sounds_do_not_clip_and_start_and_end_softly() -> None:
    for verdict in ("valid", "invalid", "unverifiable"):
        _reader, samples = _samples(tone(verdict))
        peak = max(abs(s) for s in samples)
        assert 8_000 < peak < 32_000  # audible, with headroom
        assert abs(samples[0]) < 200 and max(abs(s) for s in samples[-20:]) < peak * 0.1  # no click


def test_announcement_says_the_answer_first() -> None:
    assert announcement("Verified", "Donning and doffing PPE") == "Result: Verified. Donning and doffing PPE"
    assert announcement("Problem", "") == "Result: Problem."
