"""The wallet's import service, end to end on real inputs: the issuer stub's sample files (every
form), its live server on 127.0.0.1 (hosted OB 2.0 URLs, OpenID4VCI offers, revocation), QR codes
in photo-like pictures decoded with OpenCV, a real SQLite wallet file and real signatures."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from credentials._net import Fetcher, GuardedTransport, LocalDocuments, make_client
from tests.stub_server import Stub
from wallet.importer import MAX_IMPORT_BYTES, ImportOutcome, ImportService, decode_qr_image
from wallet.store import Argon2idParams, ImportSource, Store

BIN = Path(sys.executable).parent
FAST_KDF = Argon2idParams(memory_kib=1024, iterations=1, lanes=1)  # tests only: real wallets use the default
CREDENTIAL_SUFFIXES = {".json", ".jwt", ".jws", ".png", ".svg"}


def write_issuer_sample(out: Path) -> Path:
    """``satchel-issuer sample --out DIR``: every form, with revoked / suspended / expired variants."""
    subprocess.run([str(BIN / "satchel-issuer"), "sample", "--out", str(out)], check=True, capture_output=True)
    return out


def sample_credential_files(sample: Path) -> list[Path]:
    """The credential files of a sample folder (not web.json, not the hosted documents)."""
    return sorted(p for p in sample.iterdir()
                  if p.is_file() and p.suffix in CREDENTIAL_SUFFIXES and p.name != "web.json")


def expected_problem(name: str) -> str | None:
    for variant in ("revoked", "suspended", "expired"):
        if f"-{variant}." in name:
            return variant
    return None


def qr_photo(text: str, *, seed: int = 7) -> bytes:
    """A JPEG "photo" of a QR code: rendered with qrcode, tilted in perspective onto a larger, uneven,
    noisy background, blurred a little, and compressed, as a phone camera would give it."""
    import cv2
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    code = cv2.imdecode(np.frombuffer(buffer.getvalue(), np.uint8), cv2.IMREAD_COLOR)
    assert code is not None
    size = code.shape[0]

    rng = np.random.default_rng(seed)
    height, width = 1200, 1600
    gradient = np.linspace(90, 200, width, dtype=np.float32)[None, :, None]
    photo = np.repeat(np.repeat(gradient, height, axis=0), 3, axis=2)
    photo += rng.normal(0, 12, photo.shape).astype(np.float32)  # desk texture / sensor noise
    photo = np.clip(photo, 0, 255).astype(np.uint8)

    corners = np.array([[0, 0], [size, 0], [size, size], [0, size]], dtype=np.float32)
    # Held at an angle: one side nearer the camera than the other.
    target = np.array([[430, 210], [1170, 300], [1110, 1010], [380, 930]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    warped = cv2.warpPerspective(code, matrix, (width, height))
    mask = cv2.warpPerspective(np.full((size, size), 255, np.uint8), matrix, (width, height))
    photo[mask > 0] = warped[mask > 0]
    # Uneven light and a little defocus.
    light = np.linspace(0.75, 1.05, height, dtype=np.float32)[:, None, None]
    photo = np.clip(photo.astype(np.float32) * light, 0, 255).astype(np.uint8)
    photo = cv2.GaussianBlur(photo, (5, 5), 1.2)
    ok, jpeg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return bytes(jpeg.tobytes())


# -- fixtures -----------------------------------------------------------------------------------

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_issuer_sample(tmp_path_factory.mktemp("issuer-sample"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.create(tmp_path / "wallet.satchel", PASSPHRASE, kdf=FAST_KDF) as s:
        s.create_profile("Me")
        yield s


@pytest.fixture
def offline_service(store: Store, sample: Path) -> ImportService:
    """No network: the URLs the sample names are answered from the files the stub wrote beside it."""
    documents = LocalDocuments.from_file(sample / "web.json")
    return ImportService(store, lambda: Fetcher(None, documents=documents))


@pytest.fixture
def live_service(store: Store) -> Iterator[ImportService]:
    """Real HTTP to the stub on 127.0.0.1 (loopback allowed, everything else as in production)."""
    client = make_client(GuardedTransport(allow_loopback=True))
    yield ImportService(store, lambda: Fetcher(client), client=client)
    client.close()


def new_offer(stub: Stub, achievement: str = "wound-care-basics") -> str:
    resp = stub.http.post("/api/offers", json={"achievement": achievement})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["credential_offer_uri"])


def issued_bytes(issued: dict[str, Any]) -> bytes:
    if "contentBase64" in issued:
        return base64.b64decode(issued["contentBase64"])
    credential = issued["credential"]
    return credential.encode() if isinstance(credential, str) else json.dumps(credential).encode()


def assert_nothing_stored(outcome: ImportOutcome, store: Store) -> None:
    assert outcome.error and outcome.id is None and outcome.verdict is None
    assert "\n" not in outcome.error and "Traceback" not in outcome.error
    assert store.count_credentials() == 0


# -- files --------------------------------------------------------------------------------------


def test_every_sample_form_imports_with_its_verdict_and_original_bytes(
        offline_service: ImportService, store: Store, sample: Path) -> None:
    files = sample_credential_files(sample)
    assert {p.suffix for p in files} == CREDENTIAL_SUFFIXES  # JSON, JWT, JWS, PNG and SVG all covered
    for path in files:
        outcome = offline_service.import_file(path)
        assert outcome.error is None, (path.name, outcome.error)
        problem = expected_problem(path.name)
        if problem is None:
            assert (outcome.verdict, outcome.problems) == ("valid", ()), path.name
        else:  # a failing badge is kept, marked with its verdict
            assert (outcome.verdict, outcome.problems) == ("invalid", (problem,)), path.name
        assert outcome.source == path.name and outcome.name and not outcome.merged
        record = store.get_credential(outcome.id or "")
        assert record.original == path.read_bytes()
        assert record.summary.verdict == outcome.verdict
        assert record.report is not None and record.report["verdict"] == outcome.verdict
        assert record.summary.sources[0] == ImportSource("file", path.name, record.summary.sources[0].at)
    assert store.count_credentials() == len(files)


def test_ob2_assertions_show_the_badge_class_name_and_issuer(offline_service: ImportService, store: Store,
                                                             sample: Path) -> None:
    outcome = offline_service.import_file(sample / "ob2-hosted.json")
    summary = store.get_summary(outcome.id or "")
    assert summary.name == "Donning and doffing PPE" == outcome.name
    assert "Riverside" in summary.issuer


def test_importing_the_same_credential_again_merges(offline_service: ImportService, store: Store,
                                                    sample: Path, tmp_path: Path) -> None:
    first = offline_service.import_file(sample / "ob3-v2-eddsa-rdfc-2022.json")
    copy = tmp_path / "copy-of-badge.json"
    shutil.copy(sample / "ob3-v2-eddsa-rdfc-2022.json", copy)
    again = offline_service.import_file(copy)
    pasted = offline_service.import_text((sample / "ob3-v2-eddsa-rdfc-2022.json").read_text())
    assert not first.merged and again.merged and pasted.merged
    assert first.id == again.id == pasted.id
    assert store.count_credentials() == 1
    assert [s.kind for s in store.get_summary(first.id or "").sources] == ["file", "file", "paste"]


def test_pasted_json_and_jwt(offline_service: ImportService, store: Store, sample: Path) -> None:
    jwt = offline_service.import_text("\n  " + (sample / "ob3-vc-jwt.jwt").read_text() + "  \n")
    doc = offline_service.import_text((sample / "ob3-v2-eddsa-jcs-2022.json").read_text())
    for outcome in (jwt, doc):
        assert (outcome.source, outcome.verdict, outcome.error) == ("pasted text", "valid", None)
    assert store.get_summary(jwt.id or "").media_type == "application/jwt"
    assert store.get_summary(jwt.id or "").sources[0].kind == "paste"


@pytest.mark.parametrize("data", [
    b"hello, this is not a badge",
    b"{}",
    b'{"name": "a JSON object that claims nothing"}',
    b"\x00\x01\x02 random bytes \xff\xfe",
    b"eyJhbGciOiJub25lIn0.eyJmb28iOiJiYXIifQ.",
    b"",
])
def test_input_that_is_not_a_credential_is_refused_and_not_stored(
        offline_service: ImportService, store: Store, data: bytes) -> None:
    outcome = offline_service.import_bytes(data, ImportSource("paste"))
    assert_nothing_stored(outcome, store)


def test_a_png_without_a_baked_badge_is_refused(offline_service: ImportService, store: Store,
                                                tmp_path: Path) -> None:
    from PIL import Image

    plain = tmp_path / "holiday.png"
    Image.new("RGB", (40, 30), "orange").save(plain)
    assert_nothing_stored(offline_service.import_file(plain), store)


def test_oversized_file_is_refused_without_being_read(offline_service: ImportService, store: Store,
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "huge.json"
    with open(big, "wb") as fh:
        fh.truncate(MAX_IMPORT_BYTES + 1)  # sparse: 16 MB + 1 byte on paper
    reads: list[int] = []
    real_open = open

    def spying_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        if Path(str(file)) == big:
            original = handle.read

            def counted_read(n: int = -1) -> bytes:
                reads.append(n)
                return bytes(original(n))

            handle.read = counted_read  # type: ignore[method-assign]
        return handle

    monkeypatch.setattr("builtins.open", spying_open)
    outcome = offline_service.import_file(big)
    assert_nothing_stored(outcome, store)
    assert "16 MB" in (outcome.error or "") and reads == []
    assert_nothing_stored(offline_service.import_bytes(b"{" + b" " * MAX_IMPORT_BYTES + b"}",
                                                       ImportSource("paste")), store)


def test_missing_file_and_folder_given_as_a_file(offline_service: ImportService, store: Store,
                                                 tmp_path: Path) -> None:
    missing = offline_service.import_file(tmp_path / "nope.json")
    assert missing.error == f"There is no file at {tmp_path / 'nope.json'}."
    assert_nothing_stored(missing, store)
    assert_nothing_stored(offline_service.import_file(tmp_path), store)


# -- folders ------------------------------------------------------------------------------------


def test_batch_folder_import_reports_progress(offline_service: ImportService, store: Store, sample: Path,
                                              tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    (folder / "2025" / "spring").mkdir(parents=True)
    (folder / ".trash").mkdir()
    files = sample_credential_files(sample)
    for n, path in enumerate(files):
        target = folder / ("2025/spring" if n % 3 == 0 else "2025" if n % 3 == 1 else ".") / path.name
        shutil.copy(path, target)
    shutil.copy(files[0], folder / ".trash" / files[0].name)  # hidden: skipped
    (folder / "notes.txt").write_text("not a badge")  # not a credential suffix: skipped
    (folder / "broken.json").write_text("{ not json")  # tried, refused, reported
    calls: list[tuple[int, int, ImportOutcome]] = []

    outcomes = offline_service.import_paths([folder], progress=lambda d, t, last: calls.append((d, t, last)))

    total = len(files) + 1
    assert [(d, t) for d, t, _ in calls] == [(n, total) for n in range(1, total + 1)]
    assert [last for _, _, last in calls] == outcomes
    refused = [o for o in outcomes if o.error]
    assert [o.source for o in refused] == ["broken.json"]
    assert store.count_credentials() == len(files)


def test_import_paths_reports_a_missing_path_and_goes_on(offline_service: ImportService, store: Store,
                                                         sample: Path, tmp_path: Path) -> None:
    outcomes = offline_service.import_paths([tmp_path / "gone", sample / "ob3-vc-jose.jwt"])
    assert outcomes[0].error and outcomes[1].verdict == "valid"
    assert store.count_credentials() == 1


# -- the live issuer: URLs, offers, QR photos, revocation ----------------------------------------


def test_hosted_ob2_assertion_by_url(live_service: ImportService, store: Store, stub: Stub) -> None:
    issued = stub.issue("ob2-hosted")
    url = issued["credential"]["id"]
    assert url.startswith(stub.base + "/ob2/assertions/")
    outcome = live_service.import_url(url)
    assert (outcome.verdict, outcome.error, outcome.source) == ("valid", None, url)
    assert outcome.name == "Wound care basics"
    pasted = live_service.import_text(f"  {url}\n")
    assert pasted.merged and pasted.id == outcome.id
    record = store.get_credential(outcome.id or "")
    assert json.loads(record.original)["id"] == url
    assert record.summary.sources[0].kind == "url" and record.summary.sources[0].detail == url


def test_credential_url_that_is_unreachable_gives_an_error(live_service: ImportService, store: Store,
                                                           stub: Stub) -> None:
    outcome = live_service.import_url(stub.base + "/ob2/assertions/no-such-assertion")
    assert_nothing_stored(outcome, store)
    assert "could not be fetched" in (outcome.error or "")


def test_public_urls_over_plain_http_are_refused(store: Store) -> None:
    client = make_client()  # production policy: https only, no private addresses
    service = ImportService(store, lambda: Fetcher(client), client=client)
    outcome = service.import_url("http://127.0.0.1:9/badge.json")
    assert_nothing_stored(outcome, store)
    client.close()


def test_offer_is_redeemed_and_bound_to_the_default_profile(live_service: ImportService, store: Store,
                                                             stub: Stub) -> None:
    profile = store.default_profile()
    assert profile is not None
    offer = new_offer(stub)
    outcome = live_service.redeem_offer(offer)
    assert (outcome.source, outcome.verdict, outcome.error) == ("offer", "valid", None)
    record = store.get_credential(outcome.id or "")
    assert record.credential is not None
    assert record.credential["credentialSubject"]["id"] == profile.did
    assert record.summary.sources[0].kind == "offer" and record.summary.sources[0].detail == stub.base
    assert record.credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    issued = stub.http.get("/api/credentials/" + record.credential["id"]).json()
    assert issued["subject"] == profile.did

    again = live_service.redeem_offer(offer)  # pre-authorized codes are single use
    assert again.error and "already used" in again.error and store.count_credentials() == 1


def test_offer_for_another_profile(live_service: ImportService, store: Store, stub: Stub) -> None:
    work = store.create_profile("Work")
    outcome = live_service.redeem_offer(new_offer(stub, "healthy-menus"), profile_id=work.id)
    assert outcome.verdict == "valid"
    credential = store.get_credential(outcome.id or "").credential
    assert credential is not None and credential["credentialSubject"]["id"] == work.did


def test_pasted_offer_link_is_redeemed(live_service: ImportService, stub: Stub) -> None:
    outcome = live_service.import_text("\n" + new_offer(stub) + "\n")
    assert (outcome.source, outcome.verdict) == ("offer", "valid")


def test_offer_needs_the_network(store: Store, stub: Stub) -> None:
    service = ImportService(store, Fetcher(None))
    assert_nothing_stored(service.redeem_offer(new_offer(stub)), store)


@pytest.mark.parametrize("link", [
    "openid-credential-offer://?nothing=here",
    "openid-credential-offer://?credential_offer=%7Bnot%20json",
    'openid-credential-offer://?credential_offer={"credential_issuer":"http://127.0.0.1:1",'
    '"credential_configuration_ids":["x"],"grants":{}}',
])
def test_broken_offer_links_give_one_sentence(live_service: ImportService, store: Store, link: str) -> None:
    assert_nothing_stored(live_service.redeem_offer(link), store)


def test_qr_photo_of_an_offer(live_service: ImportService, store: Store, stub: Stub) -> None:
    offer = new_offer(stub)
    photo = qr_photo(offer)
    assert photo[:2] == b"\xff\xd8"  # a JPEG, as a phone camera gives
    assert decode_qr_image(photo) == offer
    outcome = live_service.import_qr_image(photo)
    assert (outcome.source, outcome.verdict, outcome.error) == ("QR image", "valid", None)
    profile = store.default_profile()
    record = store.get_credential(outcome.id or "")
    assert profile is not None and record.credential is not None
    assert record.credential["credentialSubject"]["id"] == profile.did
    assert record.summary.sources[0].kind == "qr"


def test_qr_screenshot_of_the_stub_offer_png(live_service: ImportService, stub: Stub) -> None:
    resp = stub.http.post("/api/offers", json={"achievement": "donning-doffing-ppe"})
    png = stub.http.get(resp.json()["qr"]).content
    outcome = live_service.import_qr_image(png)
    assert (outcome.verdict, outcome.name) == ("valid", "Donning and doffing PPE")


def test_an_offer_qr_saved_as_a_file_is_redeemed_like_a_scanned_one(live_service: ImportService, store: Store,
                                                                    stub: Stub, tmp_path: Path) -> None:
    """``satchel-issuer issue --offer --out offer.png`` then ``satchel-wallet import offer.png`` (issue 16:
    it used to say the picture was "not … an image")."""
    resp = stub.http.post("/api/offers", json={"achievement": "donning-doffing-ppe"})
    (tmp_path / "offer.png").write_bytes(stub.http.get(resp.json()["qr"]).content)
    outcome = live_service.import_file(tmp_path / "offer.png")
    assert (outcome.verdict, outcome.name, outcome.error) == ("valid", "Donning and doffing PPE", None)
    record = store.get_credential(outcome.id or "")
    profile = store.default_profile()
    assert profile is not None and record.credential is not None
    assert record.credential["credentialSubject"]["id"] == profile.did


def test_qr_photo_of_a_badge_url(live_service: ImportService, stub: Stub) -> None:
    url = stub.issue("ob2-hosted", "healthy-menus")["credential"]["id"]
    outcome = live_service.import_qr_image(qr_photo(url, seed=3))
    assert (outcome.source, outcome.verdict, outcome.name) == ("QR image", "valid", "Preparing healthy menus")


def test_picture_without_a_qr_code(live_service: ImportService, store: Store) -> None:
    import cv2

    noise = np.random.default_rng(1).integers(0, 255, (300, 400, 3), dtype=np.uint8)
    ok, png = cv2.imencode(".png", noise)
    assert ok
    outcome = live_service.import_qr_image(png.tobytes())
    assert_nothing_stored(outcome, store)
    assert outcome.error == "No QR code could be read in the image; hold it steadier, closer, or out of the glare."
    assert_nothing_stored(live_service.import_qr_image(b"GIF89a not really"), store)


def test_reverify_sees_a_revocation(live_service: ImportService, store: Store, stub: Stub) -> None:
    kept = stub.issue("ob3-v2-eddsa-rdfc-2022")
    doomed = stub.issue("ob3-vc-jwt", "healthy-menus")
    kept_id = live_service.import_bytes(issued_bytes(kept), ImportSource("file", "kept.json")).id
    doomed_id = live_service.import_bytes(issued_bytes(doomed), ImportSource("file", "doomed.jwt")).id
    assert {store.get_summary(i or "").verdict for i in (kept_id, doomed_id)} == {"valid"}
    before = store.get_summary(doomed_id or "").verified_at

    stub.act(doomed["id"], "revoke")
    seen: list[tuple[int, int]] = []
    outcomes = live_service.reverify(progress=lambda d, t: seen.append((d, t)))

    assert seen == [(1, 2), (2, 2)]
    by_id = {o.id: o for o in outcomes}
    assert (by_id[kept_id].verdict, by_id[kept_id].problems) == ("valid", ())
    assert (by_id[doomed_id].verdict, by_id[doomed_id].problems) == ("invalid", ("revoked",))
    summary = store.get_summary(doomed_id or "")
    assert summary.verdict == "invalid" and before is not None and summary.verified_at is not None
    assert summary.verified_at >= before
    report = store.get_credential(doomed_id or "").report
    assert report is not None and report["problems"] == ["revoked"]


def test_reverify_follows_suspension_and_reinstatement(live_service: ImportService, store: Store,
                                                      stub: Stub) -> None:
    """Each run gets a fresh fetcher from the factory, so no status list is remembered between runs."""
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022", "healthy-menus")
    record_id = live_service.import_bytes(issued_bytes(issued), ImportSource("file", "x.json")).id or ""
    stub.act(issued["id"], "suspend")
    (outcome,) = live_service.reverify([record_id])
    assert (outcome.verdict, outcome.problems) == ("invalid", ("suspended",))
    stub.act(issued["id"], "reinstate")
    (outcome,) = live_service.reverify([record_id])
    assert (outcome.verdict, outcome.problems) == ("valid", ())
    assert store.get_summary(record_id).verdict == "valid"


def test_reverify_of_an_unknown_id_is_an_outcome_not_a_crash(live_service: ImportService) -> None:
    (outcome,) = live_service.reverify(["0" * 32])
    assert outcome.error and outcome.id is None


def test_outcome_json_is_plain(offline_service: ImportService, sample: Path) -> None:
    outcome = offline_service.import_file(sample / "ob3-vc-jwt-revoked.jwt")
    assert outcome.to_json() == {"source": "ob3-vc-jwt-revoked.jwt", "id": outcome.id, "merged": False,
                                 "verdict": "invalid", "problems": ["revoked"], "name": "Donning and doffing PPE",
                                 "error": None}


def test_import_modules_stay_clear_of_the_ui_and_other_apps() -> None:
    code = ("import sys, wallet.importer, wallet.cli, wallet.paths; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flet', 'verifier', 'issuer_stub')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
