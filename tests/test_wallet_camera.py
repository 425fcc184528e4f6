"""The wallet's camera scan, on the code path a webcam uses: ``cv2.VideoCapture`` over a recorded
video of a phone (hand wobble, motion blur, focus breathing) showing the issuer's offer QR or a
verifier's request QR. The text read goes to the real services: the offer is redeemed at the
issuer stub on 127.0.0.1 into a real encrypted wallet, the request is fetched from a real
``satchel-verifier serve``. No camera on this machine: that case is a clear sentence."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from credentials._net import Fetcher, GuardedTransport, make_client
from scan import CameraChoice
from tests.stub_server import Stub
from tests.test_verifier_camera import record_video  # the same synthetic phone-in-front-of-a-webcam video
from tests.ui.test_share_link import running_verifier_service
from wallet.app.camera_service import (
    CAMERA_SOURCE_ENV,
    NO_CAMERA,
    CameraScan,
    CameraUnavailable,
    find_cameras,
    looks_like_badge_qr,
    looks_like_request_qr,
)
from wallet.importer import ImportService
from wallet.settings import WalletSettings
from wallet.share import parse_request
from wallet.store import Argon2idParams, Store

FAST_KDF = Argon2idParams(memory_kib=1024, iterations=1, lanes=1)


class Recorder:
    """Collects what a scan reports, from the scanner's threads."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self.notes: list[str] = []
        self.previews: list[bytes] = []
        self.ended: list[str | None] = []
        self.done = threading.Event()

    def scan(self, path: Path, accept=None) -> CameraScan:  # type: ignore[no-untyped-def]
        def found(text: str) -> None:
            self.found.append(text)

        def ended(error: str | None) -> None:
            self.ended.append(error)
            self.done.set()

        return CameraScan(CameraChoice("source", f"Video: {path.name}", str(path)), found, accept=accept,
                          on_note=self.notes.append, on_preview=self.previews.append, on_end=ended)


@pytest.fixture(scope="module")
def stub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stub]:
    s = Stub(tmp_path_factory.mktemp("issuer-state"))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    c = make_client(GuardedTransport(allow_loopback=True))
    yield c
    c.close()


def test_offer_qr_filmed_by_the_camera_is_redeemed_into_the_wallet(
        stub: Stub, client: httpx.Client, tmp_path: Path) -> None:
    offer = stub.http.post("/api/offers", json={"achievement": "donning-doffing-ppe"}).json()["credential_offer_uri"]
    video = tmp_path / "offer.avi"
    record_video(video, offer)
    seen = Recorder()
    scan = seen.scan(video, accept=looks_like_badge_qr).start()
    assert seen.done.wait(30), "the scan never ended"
    assert scan.join(5)
    assert seen.found == [offer]  # one read, then the scan stops by itself
    assert seen.ended == [None]
    assert seen.previews and all(p[:2] == b"\xff\xd8" for p in seen.previews)  # JPEG preview frames
    with Store.create(tmp_path / "wallet.satchel", "camera test passphrase", kdf=FAST_KDF) as store:
        profile = store.create_profile("Me")
        outcome = ImportService(store, lambda: Fetcher(client), client=client).import_text(seen.found[0])
        assert (outcome.source, outcome.verdict, outcome.error) == ("offer", "valid", None)
        record = store.get_credential(outcome.id or "")
        assert record.credential is not None
        assert record.credential["credentialSubject"]["id"] == profile.did
        assert record.summary.display.name == "Donning and doffing PPE"


def test_request_qr_filmed_by_the_camera_opens_the_verifiers_request(client: httpx.Client, tmp_path: Path) -> None:
    with running_verifier_service(tmp_path / "verifier") as verifier:
        exchange = httpx.post(verifier + "/exchanges", json={}, timeout=30).json()
        video = tmp_path / "request.avi"
        record_video(video, exchange["url"])
        seen = Recorder()
        seen.scan(video, accept=looks_like_request_qr).start()
        assert seen.done.wait(30)
        assert seen.found == [exchange["url"]]
        request = parse_request(seen.found[0], client=client)
        assert request.exchange_url == exchange["url"]
        assert request.challenge and request.domain


def test_a_qr_of_the_wrong_kind_is_named_and_scanning_goes_on(tmp_path: Path) -> None:
    video = tmp_path / "other.avi"
    record_video(video, "WIFI:S:Cafe;T:WPA;P:espresso;;")
    seen = Recorder()
    seen.scan(video, accept=looks_like_request_qr).start()
    assert seen.done.wait(30)
    assert seen.found == []
    assert seen.notes == ["That QR code is not a verifier's request. Point the camera at the verifier's code."]
    assert seen.ended == ["The video ended before a QR code could be read."]


def test_stop_cancels_a_running_scan(tmp_path: Path) -> None:
    video = tmp_path / "blank.avi"
    record_video(video, "WIFI:S:Cafe;;")
    seen = Recorder()
    scan = seen.scan(video, accept=lambda _t: "not this one").start()
    assert scan.running
    scan.stop()
    assert seen.done.wait(10) and scan.join(5)
    assert seen.ended == [None] and not scan.running


def test_a_source_that_does_not_open_is_a_sentence(tmp_path: Path) -> None:
    scan = CameraScan(CameraChoice("2", "Camera 3", str(tmp_path / "unplugged.avi")), lambda _t: None)
    with pytest.raises(CameraUnavailable, match="Camera 3 does not open"):
        scan.start()


def test_this_machine_has_no_camera_and_the_configured_source_is_offered(tmp_path: Path) -> None:
    if Path("/dev/video0").exists():
        pytest.skip("this machine has a camera")
    unset = WalletSettings.from_environ({"SATCHEL_HOME": str(tmp_path)})
    assert find_cameras(unset.camera_source) == []  # the app then says NO_CAMERA
    assert "No camera found" in NO_CAMERA
    configured = WalletSettings.from_environ({"SATCHEL_HOME": str(tmp_path),
                                             CAMERA_SOURCE_ENV: str(tmp_path / "phone.avi")})
    assert find_cameras(configured.camera_source) == [
        CameraChoice("source", "Video: phone.avi", str(tmp_path / "phone.avi"))]


def test_what_counts_as_a_badge_or_a_request() -> None:
    assert looks_like_badge_qr("openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fx") is None
    assert looks_like_badge_qr("https://issuer.example/assertions/1") is None
    assert looks_like_badge_qr("SV1:6BFOXN*TS0BI$ZD") is None
    assert looks_like_badge_qr("WIFI:S:Cafe;;") is not None
    assert looks_like_request_qr("https://hire.example/exchanges/abc") is None
    assert looks_like_request_qr("openid-credential-offer://?x") is not None
