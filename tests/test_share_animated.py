"""A badge too large for one QR code is shared as an animated QR: ``share_qr`` gives a loop of
version ≤ 20 codes, ``satchel-wallet share ID --qr out.png`` writes an animated PNG of them, and
every frame read back off that file (Pillow, then OpenCV through the engine's QR reader) is fed
to ``credentials.QrAssembler`` shuffled and with frames dropped: the presentation it rebuilds
verifies with the engine. A small badge still gives one ``SV1:`` code; every way of sharing
prints sentences (no ``ShareLink(...)``)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageSequence

from credentials import QrAssembler, decode_qr_image
from credentials._net import Fetcher, GuardedTransport, make_client
from credentials._report import VerificationReport
from credentials._verify import verify
from issuer_stub.cli import main as issuer_main
from tests.conftest import ROOT
from tests.helpers import ed25519_signer, ob3_credential
from tests.stub_server import Stub
from tests.test_cli_share_inputs import verifier  # noqa: F401  (a live verifier with its relay)
from wallet.share import QrTooLarge, share_qr
from wallet.share.qrshare import FRAME_RATE, LOOP_ROUNDS, MAX_ANIMATED_PARTS, SCREEN_MAX_VERSION
from wallet.store import Argon2idParams, ImportSource, Store

FAST_KDF = Argon2idParams(memory_kib=1024, iterations=1, lanes=1)  # tests only
SAMPLE_ACHIEVEMENT = "donning-doffing-ppe"  # what `satchel-issuer sample` issues (issuer_stub/sample.py)
ANIMATED = re.compile(r"Wrote (?P<out>\S+): an animated QR of (?P<parts>\d+) codes \(version (?P<version>\d+)\), "
                      rf"{FRAME_RATE} per "
                      r"second\. Show it on screen; the verifier's camera reads it in a few seconds\.")


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SATCHEL_HOME": str(home), "SATCHEL_PASSPHRASE": "a long enough passphrase"}
    proc = subprocess.run([sys.executable, "-m", "wallet.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def live_verify(data: Any) -> VerificationReport:
    """The engine over real loopback HTTP (the stub's did:web and status lists)."""
    with make_client(GuardedTransport(allow_loopback=True)) as client:
        return verify(data, fetcher=Fetcher(client))


def noise_png(side: int, seed: int) -> bytes:
    """A picture that does not compress (noise): what makes a real badge's embedded image large."""
    rng = random.Random(seed)
    picture = Image.frombytes("L", (side, side), bytes(rng.randrange(256) for _ in range(side * side)))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def named_badge(name: str, subject: str, **extra: Any) -> dict[str, Any]:
    """An OB 3.0 badge called ``name`` (the credential and its achievement), signed (did:key, offline)."""
    issuer = ed25519_signer()
    doc = ob3_credential(issuer.did, subject=subject, name=name, **extra)
    doc["credentialSubject"]["achievement"]["name"] = name
    return issuer.sign(doc)


def large_badge(subject: str, *, image_side: int = 120, seed: int = 7) -> dict[str, Any]:
    """A badge with an embedded PNG and a long description."""
    picture = base64.b64encode(noise_png(image_side, seed)).decode()
    return named_badge("Large badge", subject, description=" ".join(f"step{n}" for n in range(300)),
                       image={"id": f"data:image/png;base64,{picture}", "type": "Image"})


def apng_frames(path: Path) -> tuple[list[bytes], dict[str, Any]]:
    """Every frame of an animated PNG as a PNG of its own, and the file's animation info."""
    with Image.open(path) as picture:
        assert picture.format == "PNG"
        info = dict(picture.info)
        frames = []
        for frame in ImageSequence.Iterator(picture):
            out = io.BytesIO()
            frame.convert("L").save(out, format="PNG")
            frames.append(out.getvalue())
    return frames, info


def assembled(texts: list[str], seed: int, drop: float = 0.25, loops: int = 8) -> tuple[str, int]:
    """What QrAssembler rebuilds from a camera watching the loop ``texts`` go round, each round in
    a shuffled order with a ``drop`` share of the codes shown missed at random; and how many codes
    it read. The drops come from ``seed`` alone, so whether every pure part is read within ``loops``
    rounds (which always completes the code) does not depend on the presentation's bytes."""
    rng = random.Random(seed)
    assembler = QrAssembler()
    read = 0
    for _ in range(loops):
        for text in rng.sample(texts, k=len(texts)):
            if rng.random() < drop:
                continue
            read += 1
            progress = assembler.add(text)
            assert progress.kind == "multipart" and progress.parts_expected is not None
            if progress.complete:
                assert assembler.text is not None
                return assembler.text, read
    raise AssertionError(f"{read} codes read over {loops} rounds did not complete: {assembler.progress}")


# -- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("wallet-home")
    assert _run(home, "init").returncode == 0
    return home


@pytest.fixture(scope="module")
def holder(home: Path) -> str:
    return str(json.loads(_run(home, "profiles", "--json").stdout)[0]["did"])


def _import(home: Path, folder: Path, name: str, credential: dict[str, Any]) -> str:
    path = folder / name
    path.write_text(json.dumps(credential))
    proc = _run(home, "import", "--offline", str(path))
    assert proc.returncode == 0, proc.stderr
    listed = json.loads(_run(home, "list", "--json").stdout)
    name = credential["credentialSubject"]["achievement"]["name"]
    return str(next(item["id"] for item in listed if item["name"] == name))


@pytest.fixture(scope="module")
def badges(stub: Stub, home: Path, holder: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Record ids: the stub's sample badge issued to this wallet, a large badge, a small one."""
    folder = tmp_path_factory.mktemp("badges")
    sample = stub.issue("ob3-v2-eddsa-rdfc-2022", achievement=SAMPLE_ACHIEVEMENT, recipient=holder)["credential"]
    assert issuer_main(["sample", "--out", str(folder / "sample")]) == 0
    written = (folder / "sample" / "ob3-v2-eddsa-rdfc-2022.json").read_bytes()  # issue 13's 5.7 KB badge
    assert len(written) > 5600 and json.loads(written).keys() == sample.keys()
    assert sample["credentialSubject"]["achievement"]["name"] == json.loads(written)["credentialSubject"][
        "achievement"]["name"]
    return {"sample": _import(home, folder, "sample.json", sample),
            "large": _import(home, folder, "large.json", large_badge(holder)),
            "small": _import(home, folder, "small.json", named_badge("Small badge", holder))}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.create(tmp_path / "w.satchel", "pass phrase here", kdf=FAST_KDF) as opened:
        yield opened


def _add(store: Store, credential: dict[str, Any]) -> str:
    return store.add_credential(json.dumps(credential).encode(), "application/ld+json", credential,
                                ImportSource("file", "badge.json")).id


# -- the CLI: an animated PNG that reassembles and verifies ---------------------------------------

@pytest.mark.parametrize("which", ["sample", "large"])
def test_cli_writes_an_animated_png_whose_every_frame_reads_and_reassembles_to_a_verifying_presentation(
        home: Path, holder: str, badges: dict[str, str], tmp_path: Path, which: str) -> None:
    out = tmp_path / f"{which}.png"
    proc = _run(home, "share", badges[which][:10], "--qr", str(out), "--recipient", "Maple Grove Care Home")
    assert proc.returncode == 0, proc.stderr
    said = ANIMATED.fullmatch(proc.stdout.strip())
    assert said is not None, proc.stdout
    assert said["out"] == str(out)
    parts, version = int(said["parts"]), int(said["version"])
    assert parts > 1 and version <= SCREEN_MAX_VERSION
    assert re.search(r"Shared “.+” with Maple Grove Care Home; share \w+, valid until \d\d [A-Z][a-z]{2} \d{4} "
                     r"\d\d:\d\d UTC\.", proc.stderr), proc.stderr

    frames, info = apng_frames(out)
    assert info["loop"] == 0 and info["duration"] == 1000 // FRAME_RATE  # FRAME_RATE a second, for ever
    assert len(frames) == LOOP_ROUNDS * 2 * parts
    texts = [decode_qr_image(frame) for frame in frames]  # every frame reads (OpenCV)
    numbers = [re.match(rf"UR:SATCHEL-VP/(\d+)-{parts}/[A-Z]+$", text) for text in texts]
    assert all(numbers), texts[:3]
    shown = [int(m[1]) for m in numbers if m]
    # each round: the pure parts in order, then as many fountain parts (numbers past seq_len) never
    # shown before, rising; only the pure parts come round again
    rounds = [shown[r * 2 * parts:(r + 1) * 2 * parts] for r in range(LOOP_ROUNDS)]
    assert all(r[:parts] == list(range(1, parts + 1)) for r in rounds)
    fountain = [n for r in rounds for n in r[parts:]]
    assert fountain == sorted(set(fountain)) and fountain[0] > parts

    text, _ = assembled(texts, seed=len(texts))
    presentation = json.loads(text)
    assert "VerifiablePresentation" in presentation["type"] and presentation["holder"] == holder
    report = live_verify(presentation)
    assert report.verdict == "valid", report.to_json()
    assert [n.verdict for n in report.nested] == ["valid"]
    shared = json.loads(_run(home, "shares", "--json").stdout)
    assert shared[0]["recipient"] == "Maple Grove Care Home"


def test_a_camera_that_starts_late_finishes_from_the_fountain_frames(
        home: Path, badges: dict[str, str], tmp_path: Path) -> None:
    """The pure parts missed altogether (the camera came up late): the frames after them suffice."""
    out = tmp_path / "late.png"
    assert _run(home, "share", badges["large"][:10], "--qr", str(out), "--json").returncode == 0
    frames, _ = apng_frames(out)
    texts = [decode_qr_image(frame) for frame in frames]
    parts = len(texts) // (2 * LOOP_ROUNDS)
    late = texts[parts // 2:] + texts[:parts // 2]  # came up after half the pure parts; then watches on
    assembler = QrAssembler()
    read = 0
    for text in late:
        read += 1
        if assembler.add(text).complete:
            break
    # Whole at the latest when the missed pure parts come round again; often sooner, from fountain parts.
    assert assembler.text is not None and read <= len(late)
    assert live_verify(json.loads(assembler.text)).verdict == "valid"


def test_cli_json_says_what_the_animated_file_holds(home: Path, badges: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "shared.png"
    proc = _run(home, "share", badges["sample"][:10], "--qr", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["kind"] == "animated" and result["qr"] == str(out) and result["frame_rate"] == FRAME_RATE
    assert result["frames"] == LOOP_ROUNDS * 2 * result["parts"] == len(apng_frames(out)[0])
    assert result["version"] <= SCREEN_MAX_VERSION and result["names"] == ["Donning and doffing PPE"]


def test_a_small_badge_is_still_one_sv1_code(home: Path, badges: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "small.png"
    proc = _run(home, "share", badges["small"][:10], "--qr", str(out), "--recipient", "Acme Care")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"QR code written to {out} (version ")
    assert "holding the presentation itself" in proc.stdout
    frames, _ = apng_frames(out)
    assert len(frames) == 1
    text = decode_qr_image(frames[0])
    assert text.startswith("SV1:")
    assembler = QrAssembler()
    progress = assembler.add(text)
    assert progress.complete and progress.kind == "single" and assembler.text == text


# -- sentences, never a repr -----------------------------------------------------------------------

def test_share_as_a_link_says_what_was_shared_with_whom_and_until_when(
        home: Path, badges: dict[str, str]) -> None:
    proc = _run(home, "share", badges["small"][:10], "--link", "--verifier", "https://verify.example.org",
                "--recipient", "Acme Care")
    assert proc.returncode == 0, proc.stderr
    assert re.fullmatch(r"https://verify\.example\.org/s#vp=\S+\n", proc.stdout), proc.stdout  # pipeable
    assert re.search(r"Shared “Small badge” with Acme Care; share \w+, valid until \d\d [A-Z][a-z]{2} \d{4} "
                     r"\d\d:\d\d UTC\.", proc.stderr), proc.stderr
    assert "cannot be withdrawn" in proc.stderr
    assert "ShareLink(" not in proc.stdout + proc.stderr


def test_qr_with_a_verifier_puts_a_relay_link_in_the_code_and_says_so(
        home: Path, badges: dict[str, str], tmp_path: Path, verifier: str) -> None:  # noqa: F811
    out = tmp_path / "link.png"
    proc = _run(home, "share", badges["large"][:10], "--qr", str(out), "--verifier", verifier,
                "--allow-loopback", "--recipient", "Acme Care")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"QR code written to {out} (version ") and "holding a link to the verifier" in lines[0]
    link = lines[1].removeprefix("The code opens this link: ")
    assert link.startswith(f"{verifier}/s#") and decode_qr_image(out.read_bytes()) == link
    assert "Shared “Large badge” with Acme Care; share " in proc.stderr
    withdraw = re.search(r"You can withdraw it: satchel-wallet unshare (\w+)", proc.stderr)
    assert withdraw, proc.stderr
    assert "ShareLink(" not in proc.stdout + proc.stderr
    assert _run(home, "unshare", withdraw[1], "--allow-loopback").returncode == 0


# -- share_qr: the kinds and the bounds -----------------------------------------------------------

def test_share_qr_gives_an_animated_code_and_records_it(store: Store) -> None:
    me = store.create_profile("Me")
    cid = _add(store, large_badge(me.did))
    shared = share_qr(store, [cid], recipient="Acme")
    assert shared.kind == "animated" and shared.qr is None and shared.animation is not None
    animation = shared.animation
    assert animation.version == shared.version <= SCREEN_MAX_VERSION and animation.frame_rate == FRAME_RATE
    loop = animation.frame_texts()
    assert len(loop) == animation.loop_length == LOOP_ROUNDS * 2 * animation.seq_len
    assert loop == animation.frame_texts()  # the same frames each time they are asked for
    assert loop[:animation.seq_len] == animation.parts.frames(animation.seq_len)  # the pure parts first
    fountain = [text for text in loop if text not in set(loop[:animation.seq_len])]
    assert len(fountain) == len(set(fountain)) == LOOP_ROUNDS * animation.seq_len  # never repeated in a loop
    # each mixes several fragments (mixes of one or two are mostly what the camera already has)
    numbers = [animation.part_number(i) for i in range(animation.loop_length)]
    assert all(animation.parts.mixes(n) >= 4 for n in numbers if n > animation.seq_len)
    entry = next(e for e in store.list_shares() if e.id == shared.share_id)
    assert entry.details["kind"] == "animated" and entry.details["qr_parts"] == animation.seq_len
    assert entry.details["qr_version"] == animation.version and entry.expires_at == shared.expires
    text, _ = assembled(loop, seed=11)
    assert verify(json.loads(text)).verdict == "valid"


def test_animate_false_keeps_the_old_refusal(store: Store) -> None:
    me = store.create_profile("Me")
    cid = _add(store, large_badge(me.did))
    with pytest.raises(QrTooLarge, match="share it as a link"):
        share_qr(store, [cid], recipient="Acme", animate=False)
    assert store.list_shares() == []


def test_a_presentation_too_long_to_hold_up_is_refused_before_anything_is_drawn(store: Store) -> None:
    """Past MAX_ANIMATED_PARTS codes (40 s a round) the learner is told to send a link; nothing is
    recorded as shared."""
    me = store.create_profile("Me")
    cid = _add(store, large_badge(me.did, image_side=600))  # ~360 KB of noise: over 480 parts
    with pytest.raises(QrTooLarge, match=r"needs \d+ QR codes, over \d+ seconds.*share it as a link") as refused:
        share_qr(store, [cid], recipient="Acme")
    needed = int(re.search(r"needs (\d+) QR codes", str(refused.value))[1])  # type: ignore[index]
    assert needed > MAX_ANIMATED_PARTS
    assert store.list_shares() == []


# -- the app's services: the loop's frames, each drawn once ----------------------------------------

class OfflineNetwork:
    """The app's network port with no network: QR sharing needs none."""

    def client(self) -> None:
        return None

    def new_fetcher(self) -> Fetcher:
        return Fetcher(None)

    def import_service(self, store: Any, trust: Any = None) -> Any:
        raise AssertionError("not used")

    def forget_wallet(self) -> None:
        pass

    def fetch_image(self, url: str) -> bytes | None:
        return None

    def close(self) -> None:
        pass


def app_services(store: Store, home: Path) -> Any:
    from wallet.app.services import WalletServices
    from wallet.app.state import AppState
    from wallet.settings import WalletSettings

    services = WalletServices(AppState(), WalletSettings(home=home), OfflineNetwork())
    services._store = store  # opened here, as Session.unlock would
    return services


def test_the_app_shows_the_loop_drawing_each_frame_once_and_forgets_it_when_closed(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import wallet.share

    me = store.create_profile("Me")
    services = app_services(store, tmp_path)
    share = services.state.share
    share.selected = [_add(store, large_badge(me.did))]
    drawn: list[str] = []
    real_encode_qr = wallet.share.encode_qr

    def counting_encode_qr(payload: Any, **options: Any) -> Any:
        drawn.append(payload)
        return real_encode_qr(payload, **options)

    monkeypatch.setattr(wallet.share, "encode_qr", counting_encode_qr)
    asyncio.run(services.share_as_qr("Maple Grove Care Home"))
    assert share.error == "" and share.message.startswith("Show this QR code to Maple Grove Care Home. It works")
    loop = list(share.qr_frames)
    assert len(loop) == LOOP_ROUNDS * 2 * share.qr_parts and share.qr_parts > 1 and share.qr_frame_rate == FRAME_RATE
    assert share.qr_png is not None and decode_qr_image(share.qr_png) == loop[0]

    async def two_rounds() -> list[bytes | None]:
        return [await services.qr_frame_png(n) for n in range(2 * len(loop))]

    pngs = asyncio.run(two_rounds())
    assert drawn == list(dict.fromkeys(loop))  # each code drawn once, in order: repeats come from the cache
    assert [decode_qr_image(png) for png in pngs[:len(loop)]] == loop  # type: ignore[arg-type]
    assert pngs[len(loop):] == pngs[:len(loop)]
    text, _ = assembled(loop, seed=5)
    assert verify(json.loads(text)).verdict == "valid"

    services.close_qr()
    assert (share.qr_frames, share.qr_png, share.qr_parts) == ([], None, 0)
    assert asyncio.run(services.qr_frame_png(0)) is None  # the screen's loop ends with it


def test_the_app_shows_a_small_badge_as_one_code(store: Store, tmp_path: Path) -> None:
    me = store.create_profile("Me")
    services = app_services(store, tmp_path)
    share = services.state.share
    share.selected = [_add(store, named_badge("Small badge", me.did))]
    asyncio.run(services.share_as_qr("Acme"))
    assert share.qr_frames == [] and share.qr_png is not None
    assert decode_qr_image(share.qr_png).startswith("SV1:")
