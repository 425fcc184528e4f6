"""Every form ``satchel-issuer sample`` writes, shown as QR by the wallet and read off a phone screen
by the verifier's capture loop: the real issuer stub on 127.0.0.1 issues each form to the wallet's
own DID; the wallet imports it (``wallet.importer.ImportService``) and shares it as QR
(``wallet.share.share_qr``: one ``SV1:`` code, or an animated loop of fountain-coded parts); a
synthesized 720p recording of that screen (``scripts/phone_video.py``: perspective, blur, glare,
noise, MJPEG, dropped frames) goes through ``scan.CameraScanner`` + ``scan.QrCollector`` into the
verifier's ``VerifierEngine.verify_text`` (``bench.qr_video.capture``), which fetches from the live
stub as the app would. The verdict must be the one verifying the credential directly gives.

Open Badges 2.0 forms cannot go inside a presentation (they carry no holder binding): the wallet's
code carries the badge itself (``wallet.share.presentation.badge_itself``), and the verifier checks it
as it would the file.

Work is bounded in camera frames (the loop runs with ``every_frame``, so what is read depends on
the recording only), never in wall time; the recordings are a few seconds each.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.qr_video import capture
from credentials import QrAssembler
from issuer_stub.issuer import FORMS
from issuer_stub.sample import SAMPLE_ACHIEVEMENT, SAMPLE_ACHIEVEMENT_OF, write_sample
from scripts.phone_video import PhoneVideo, VideoConditions, synthesize_phone_video
from tests.helpers import PASSPHRASE, fast_kdf, live_import_service
from tests.stub_server import Stub, payload_of, verify_live
from verifier.app.engine import VerifierEngine
from verifier.app.settings import AppSettings
from wallet.holder_binding import holder_binding
from wallet.importer import ImportService
from wallet.share import QrShare, share_qr
from wallet.store import ImportSource, Store

SHOWINGS = 2.5  # the bound: the camera frames of this many rounds of the wallet's loop, the lost ones apart
MIN_SECONDS = 1.0
# The phone held at a comfortable distance (the code 370-420 px wide of 1280; the recording's
# default reaches down to 330 px, where a version-20 code at level L is 3.4 px a module and some
# seeds read nothing for seconds): this test is about every form getting through, the hard
# recordings are tests/test_qr_video.py's and bench/qr_video.py's.
CODE_PX = (370.0, 420.0)
SEED = 100
STACKED = "psw-foundations"  # the sample's extra file: the stacked certificate (issuer_stub/sample.py)


@dataclass(frozen=True)
class SampleForm:
    """One file ``satchel-issuer sample`` writes (no status variant): its form and achievement."""

    name: str
    form: str
    achievement: str


def sample_forms() -> list[SampleForm]:
    """The files of ``write_sample`` with no variant, as it names them (checked against it below)."""
    forms = [SampleForm(f"{FORMS[f].stem}.{FORMS[f].extension}", f, SAMPLE_ACHIEVEMENT_OF.get(f, SAMPLE_ACHIEVEMENT))
             for f in FORMS]
    stacked = FORMS["ob3-v2-eddsa-rdfc-2022"]
    return [*forms, SampleForm(f"{stacked.stem}-{STACKED}.{stacked.extension}", stacked.name, STACKED)]


FORMS_SHOWN = sample_forms()

def test_the_forms_here_are_every_form_satchel_issuer_sample_writes(tmp_path: Path) -> None:
    written = write_sample(tmp_path / "sample")
    assert sorted(f.name for f in written if not f.variant) == sorted(f.name for f in FORMS_SHOWN)
    assert {f.form for f in written} == {f.form for f in FORMS_SHOWN}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store.create(tmp_path_factory.mktemp("wallet") / "w.satchel", PASSPHRASE, kdf=fast_kdf()) as opened:
        opened.create_profile("Me")
        yield opened


@pytest.fixture(scope="module")
def importer(store: Store) -> Iterator[ImportService]:
    with live_import_service(store) as service:
        yield service


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VerifierEngine]:
    """The verifier app's engine, fetching from issuers on this machine (the live stub)."""
    engine = VerifierEngine(AppSettings(home=tmp_path_factory.mktemp("verifier"), allow_loopback=True))
    yield engine
    engine.close()


def as_bytes(payload: bytes | str | dict[str, Any]) -> bytes:
    if isinstance(payload, bytes):
        return payload
    return payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()


@dataclass(frozen=True)
class Screen:
    """What the wallet's QR screen shows: frame ``n`` of an endless replay, at a rate, drawn at a version."""

    frame: Callable[[int], str]
    loop_length: int
    seq_len: int
    version: int
    level: str
    codes_per_second: float
    shown: str  # what the verifier must put together: the one code's text, or the loop's presentation


def screen_of(share: QrShare) -> Screen:
    if share.animation is None:
        assert share.qr is not None and share.kind == "code"
        text = share.qr.text
        return Screen(lambda _n: text, 1, 1, share.qr.version, "M", 12.0, text)
    animation, parts = share.animation, share.animation.parts
    loop = animation.frame_texts()  # the wallet's own loop, replayed for ever as its screen does
    assembler = QrAssembler()  # what the loop holds, read straight from its texts
    for text in loop:
        if assembler.add(text).complete:
            break
    assert assembler.text is not None
    return Screen(lambda n: loop[(n - 1) % len(loop)], len(loop), parts.seq_len, parts.version, parts.level,
                  float(animation.frame_rate), assembler.text)


def bound_frames(screen: Screen, fps: float) -> int:
    """Camera frames delivered (the lost ones not counted) within which the code must be read:
    ``SHOWINGS`` rounds of the wallet's loop (each round the pure parts, then as many fountain
    parts), never under ``MIN_SECONDS``."""
    return math.ceil(max(SHOWINGS * 2 * screen.seq_len / screen.codes_per_second, MIN_SECONDS) * fps)


def record(screen: Screen, path: Path, seed: int) -> PhoneVideo:
    """The recording, a little longer than the bound in frames delivered, no longer: the synthesis,
    not the reading, is what this test spends its time on. Which frames the camera loses is drawn
    with the recording, so a short one that lost more than most is made again half a second longer."""
    conditions = VideoConditions(codes_per_second=screen.codes_per_second, code_px=CODE_PX)
    bound = bound_frames(screen, conditions.fps)
    seconds = (bound / (1 - conditions.drop_rate) + conditions.burst_frames + 2) / conditions.fps
    while True:
        video = synthesize_phone_video(screen.frame, path, seconds=seconds, seed=seed,
                                       first_part=seed % screen.loop_length + 1,  # each camera starts elsewhere
                                       version=screen.version, level=screen.level, conditions=conditions)
        if delivered(video, video.frame_count) > bound:
            return video
        seconds += 0.5


def delivered(video: PhoneVideo, frames: int) -> int:
    """Of the first ``frames`` frames of the file, those the camera delivered (not repeats of a lost one)."""
    return sum(1 for lost in video.dropped[:frames] if not lost)


@pytest.mark.parametrize("sample", [pytest.param(f, id=f.name) for f in FORMS_SHOWN])
def test_every_sample_form_shown_as_qr_reads_off_a_phone_video_to_its_own_verdict(
        stub: Stub, store: Store, importer: ImportService, engine: VerifierEngine, tmp_path: Path,
        sample: SampleForm) -> None:
    profile = store.default_profile()
    assert profile is not None
    payload = payload_of(stub.issue(sample.form, achievement=sample.achievement, recipient=profile.did))
    direct = verify_live(payload)  # the form's own verification, over the live stub
    outcome = importer.import_bytes(as_bytes(payload), ImportSource("file", sample.name))
    assert outcome.id is not None and outcome.verdict == str(direct.verdict), outcome

    binding = holder_binding(store, store.get_credential(outcome.id))
    share = share_qr(store, [outcome.id], recipient="Maple Grove Care Home")
    screen = screen_of(share)
    seed = SEED + FORMS_SHOWN.index(sample)  # one recording per form, each its own
    video = record(screen, tmp_path / "phone.avi", seed)
    bound = bound_frames(screen, video.fps)
    assert video.drop_rate >= 0.1 and bound < delivered(video, video.frame_count)  # frames lost; room to fail

    result = capture(video.path, engine, every_frame=True)
    print(f"\n{sample.name}: {share.kind}, {screen.seq_len} part(s) v{screen.version}: read after "
          f"{delivered(video, result.frames_consumed)} camera frames delivered (bound {bound}), {result.reads} "
          f"reads, {result.rejected} refused")
    assert result.entry is not None, f"not read in {result.frames_grabbed} frames ({result.reads} reads)"
    assert result.text == screen.shown  # byte for byte what the wallet's screen carried
    assert delivered(video, result.frames_consumed) <= bound
    # What verifying the credential itself says, and what the wallet says of whose it is: a verifier
    # refuses a badge presented by someone it was not issued to (an endorsement is about its subject).
    expected = set(direct.problems) | ({"holder-mismatch"} if binding.someone_else else set())
    entry = result.entry
    assert entry.source == "camera"
    assert sorted(entry.record["problems"]) == sorted(expected)
    assert entry.verdict == (str(direct.verdict) if not binding.someone_else else "invalid"), entry.record
