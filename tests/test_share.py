"""Sharing end to end: credentials issued by the live issuer stub to the wallet's own DID (an
OpenID4VCI offer and direct issues), stored in a real SQLite wallet, presented by the wallet,
carried by QR codes (PNG, read back with OpenCV), links and the relay of a real
``satchel-verifier serve`` process on 127.0.0.1, and judged by the engine and the verifier."""

from __future__ import annotations

import base64
import json
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import credentials
from credentials._net import Fetcher, GuardedTransport, make_client
from credentials._report import VerificationReport
from credentials._verify import verify
from tests.helpers import VC2, ed25519_signer, ob3_credential
from tests.stub_server import Overlay, Stub
from tests.verifier_process import running_verifier
from verifier.app.intake import verifiable_input
from wallet.importer import ImportService
from wallet.share import (
    MAX_INLINE_LINK,
    NotPresentableError,
    QrDecodeError,
    QrTooLarge,
    RequestGoneError,
    answer_request,
    b45decode,
    b45encode,
    decode_qr_image,
    decode_qr_text,
    encode_qr,
    encode_qr_text,
    parse_request,
    present,
    presentation_image_report,
    preview_request,
    qrcodec,
    share_link,
    share_qr,
    unshare,
    unwrap_enveloped,
)
from wallet.share.base45 import Base45Error
from wallet.store import Argon2idParams, ImportSource, Store

ROOT = Path(__file__).resolve().parents[1]
FAST_KDF = Argon2idParams(memory_kib=1024, iterations=1, lanes=1)  # tests only
FORMS = ("ob3-v2-eddsa-rdfc-2022", "ob3-v1-ed25519signature2020", "ob3-vc-jwt", "ob3-png")


def live_verify(data: Any, **options: Any) -> VerificationReport:
    """The engine over real loopback HTTP to the stub (did:web, status lists), nothing memoised."""
    with make_client(GuardedTransport(allow_loopback=True)) as client:
        return verify(data, fetcher=Fetcher(client), **options)


# -- fixtures ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wallet(stub: Stub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A wallet holding the stub's credentials issued to its own DID, one per form, one from an
    OpenID4VCI offer (bound by the wallet's key proof), and one issued to somebody else."""
    path = tmp_path_factory.mktemp("wallet") / "wallet.satchel"
    with Store.create(path, "correct horse battery staple", kdf=FAST_KDF) as store:
        profile = store.create_profile("Me")
        client = make_client(GuardedTransport(allow_loopback=True))
        service = ImportService(store, lambda: Fetcher(client), client=client)
        ids: dict[str, str] = {}
        for form in FORMS:
            issued = stub.issue(form, recipient=profile.did)
            raw = base64.b64decode(issued["contentBase64"]) if "contentBase64" in issued else (
                issued["credential"].encode() if isinstance(issued["credential"], str)
                else json.dumps(issued["credential"]).encode())
            outcome = service.import_bytes(raw, ImportSource("file", f"{form}.bin"))
            assert outcome.ok and outcome.verdict == "valid", outcome
            ids[form] = str(outcome.id)
        offer = stub.http.post("/api/offers", json={"achievement": "wound-care-basics"}).json()
        outcome = service.redeem_offer(offer["credential_offer_uri"])
        assert outcome.ok and outcome.verdict == "valid", outcome
        ids["offer"] = str(outcome.id)
        other = ed25519_signer()
        issued = stub.issue("ob3-v2-eddsa-rdfc-2022", recipient=other.did)
        outcome = service.import_bytes(json.dumps(issued["credential"]).encode(), ImportSource("file", "x.json"))
        ids["someone-else"] = str(outcome.id)
        yield {"store": store, "profile": profile, "ids": ids, "path": path}
        client.close()


@pytest.fixture(scope="module")
def documents(stub: Stub, wallet: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A --documents map for the verifier: every URL verifying the wallet's credentials needs
    (did:web document, status lists), as the stub serves them now."""
    overlay = Overlay()
    with make_client(overlay) as client:
        for cid in wallet["ids"].values():
            verify(wallet["store"].get_credential(cid).original, fetcher=Fetcher(client))
    folder = tmp_path_factory.mktemp("web")
    mapping = {}
    for n, url in enumerate(sorted(set(overlay.seen))):
        resp = httpx.get(url, timeout=10)
        assert resp.status_code == 200, url
        (folder / f"{n}.json").write_bytes(resp.content)
        mapping[url] = f"{n}.json"
    overlay.shutdown()
    (folder / "web.json").write_text(json.dumps(mapping))
    return folder / "web.json"


@pytest.fixture(scope="module")
def verifier(documents: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("verifier-data")
    with running_verifier("--offline", "--documents", str(documents), "--data", str(data)) as (base, _), \
            httpx.Client(timeout=30) as client:
        yield {"base": base, "client": client}


def _new_exchange(verifier: dict[str, Any], **body: Any) -> dict[str, Any]:
    resp = verifier["client"].post(verifier["base"] + "/exchanges", json=body)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


# -- base45 and the SV1 codec -----------------------------------------------------------------------

def test_base45_matches_rfc_9285_examples_and_refuses_what_the_rfc_says_to() -> None:
    assert b45encode(b"AB") == "BB8"
    assert b45encode(b"Hello!!") == "%69 VD92EX0"
    assert b45encode(b"base-45") == "UJCLQE7W581"
    assert b45decode("QED8WEX0") == b"ietf!"
    for bad in ("GGW", "ZZ", "A", "abc"):  # 65536+, 256+, a lone character, outside the alphabet
        with pytest.raises(Base45Error):
            b45decode(bad)


def test_sv1_text_is_qr_alphanumeric_and_round_trips() -> None:
    doc = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": "did:key:z6Mk…", "x": "é ✓"}
    text = encode_qr_text(doc)
    assert text.startswith("SV1:") and set(text) <= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
    assert decode_qr_text(text) == doc
    assert decode_qr_text(" " + text.lower()[:4].upper() + text[4:] + "\n") == doc


def test_sv1_reader_accepts_plain_zlib_so_hc1_style_encoders_interoperate() -> None:
    doc = {"type": "VerifiableCredential", "name": "Wound care basics"}
    plain = "SV1:" + b45encode(zlib.compress(json.dumps(doc).encode()))
    assert decode_qr_text(plain) == doc


def test_sv1_damage_is_refused_with_its_reason() -> None:
    good = encode_qr_text({"type": "VerifiableCredential"})
    cases = {
        "HC1:" + good[4:]: "does not start with SV1:",
        "VP1-BZGHHCO": "CBOR-LD",
        good[:-3]: "truncated",
        "SV1:" + b45encode(b"\x78\xbb\x00\x00\x00\x01abc"): "dictionary",
        "SV1:" + b45encode(zlib.compress(b"[1, 2]")): "not a JSON object",
        "SV1:" + b45encode(zlib.compress(b"\xff\xfe")): "not UTF-8 JSON",
        "SV1:" + b45encode(b"not zlib"): "not zlib",
        "SV1:abc": "not base45",
    }
    for text, reason in cases.items():
        with pytest.raises(QrDecodeError, match=reason):
            decode_qr_text(text)


def test_sv1_refuses_a_zlib_bomb() -> None:
    with pytest.raises(QrDecodeError, match="larger than 1 MB"):
        decode_qr_text("SV1:" + b45encode(zlib.compress(b" " * (2 * 1024 * 1024))))


def test_verifier_copy_of_the_decoder_is_identical_to_the_wallets() -> None:
    # the verifier reads codes with the engine's decoder (credentials.decode_qr_text, QR_PREFIX)
    assert credentials.QR_DICTIONARY_V1 == qrcodec.DICTIONARY_V1
    assert credentials.QR_PREFIX == qrcodec.PREFIX
    doc = {"@context": [VC2], "type": ["VerifiablePresentation"], "verifiableCredential": []}
    assert credentials.decode_qr_text(encode_qr_text(doc)) == doc
    assert credentials.b45decode(b45encode(bytes(range(256)))) == bytes(range(256))


def test_preset_dictionary_makes_a_real_presentation_smaller(wallet: dict[str, Any]) -> None:
    vp = present(wallet["store"], [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]], challenge="c", domain="d")
    assert isinstance(vp, dict)
    raw = qrcodec.compact_json(vp)
    with_dictionary = len(b45decode(encode_qr_text(vp)[4:]))
    assert with_dictionary < 0.85 * len(zlib.compress(raw, 9)), (with_dictionary, len(zlib.compress(raw, 9)))


# -- presentations ----------------------------------------------------------------------------------

def test_presentation_of_every_form_verifies_with_a_nested_report_each(wallet: dict[str, Any]) -> None:
    ids = [wallet["ids"][f] for f in (*FORMS, "offer")]
    vp = present(wallet["store"], ids, challenge="c-1", domain="hire.example")
    assert isinstance(vp, dict)
    assert vp["holder"] == wallet["profile"].did
    assert vp["proof"]["proofPurpose"] == "authentication" and vp["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert vp["proof"]["challenge"] == "c-1" and vp["proof"]["domain"] == "hire.example"
    kinds = [c.get("type") for c in vp["verifiableCredential"]]
    assert kinds[2] == "EnvelopedVerifiableCredential"  # the VC-JWT, VCDM 2.0 §4.13.1
    assert vp["verifiableCredential"][2]["id"].startswith("data:application/vc+jwt,ey")
    assert "OpenBadgeCredential" in kinds[3]  # the baked PNG goes in as its credential, no pixels
    report = live_verify(vp, challenge="c-1", domain="hire.example")
    assert report.verdict == "valid", report.to_json()
    assert len(report.nested) == 5 and all(n.verdict == "valid" for n in report.nested)
    assert {c.id: str(c.status) for c in report.checks}["presentation.holder"] == "passed"


def test_vp_jwt_verifies_and_binds_nonce_and_audience(wallet: dict[str, Any]) -> None:
    ids = [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"], wallet["ids"]["ob3-vc-jwt"]]
    jwt = present(wallet["store"], ids, challenge="n-1", domain="hire.example", fmt="jwt")
    assert isinstance(jwt, str) and jwt.count(".") == 2
    report = live_verify(jwt, challenge="n-1", domain="hire.example")
    assert report.verdict == "valid" and report.format == "vp-jwt" and len(report.nested) == 2, report.to_json()
    assert live_verify(jwt, challenge="n-2", domain="hire.example").problems == ("challenge-mismatch",)


def test_open_badges_2_and_unknown_ids_cannot_be_presented(wallet: dict[str, Any], stub: Stub) -> None:
    store: Store = wallet["store"]
    issued = stub.issue("ob2-hosted")
    added = store.add_credential(json.dumps(issued["credential"]).encode(), "application/json",
                                 issued["credential"], ImportSource("file", "ob2.json"))
    with pytest.raises(NotPresentableError, match="Open Badges 2.0"):
        present(store, [added.id])
    store.delete_credential(added.id)
    with pytest.raises(KeyError):
        present(store, ["no-such-id"])



def carried_by(share: Any) -> dict[str, Any]:
    """What a verifier's camera puts together from the share: one code's picture, or the loop's texts."""
    if share.kind == "code":
        return dict(decode_qr_text(decode_qr_image(share.qr.png)))
    assembler = credentials.QrAssembler()
    for text in share.animation.frame_texts():
        if assembler.add(text).complete:
            return dict(json.loads(str(assembler.text)))
    raise AssertionError("the loop never completes")


@pytest.mark.parametrize("form", ["ob2-hosted", "ob2-signed"])
def test_an_open_badges_2_badge_shown_as_qr_on_its_own_carries_the_badge_and_verifies(
        wallet: dict[str, Any], stub: Stub, form: str) -> None:
    store: Store = wallet["store"]
    issued = stub.issue(form)
    data = issued["credential"] if isinstance(issued["credential"], str) else json.dumps(issued["credential"])
    added = store.add_credential(data.encode(), "application/json", None, ImportSource("file", f"{form}.txt"))
    try:
        share = share_qr(store, [added.id], recipient="Acme Care")
        carried = carried_by(share)
        assert "VerifiablePresentation" not in str(carried.get("type"))  # the badge itself, no holder's proof
        report = live_verify(carried)
        assert report.verdict == "valid" and report.format.startswith("ob2"), report.to_json()
        stub.act(str(issued["id"]), "revoke")
        assert live_verify(carried).problems == ("revoked",)  # checked live, as the file would be
        with pytest.raises(NotPresentableError, match="show it as a QR code on its own"):
            share_qr(store, [added.id, wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]], recipient="Acme Care")
    finally:
        store.delete_credential(added.id)

def test_signed_image_data_is_kept_and_reported_never_replaced(tmp_path: Path) -> None:
    """An image inside a signed credential is covered by the issuer's proof: replacing it by a
    hash would break the signature, so it stays, and the code falls back to a link."""
    issuer = ed25519_signer()
    with Store.create(tmp_path / "w.satchel", "pass phrase here", kdf=FAST_KDF) as store:
        me = store.create_profile("Me")
        picture = base64.b64encode(bytes(range(256)) * 24).decode()
        cred = issuer.sign(ob3_credential(issuer.did, subject=me.did, image={
            "id": f"data:image/png;base64,{picture}", "type": "Image"}))
        added = store.add_credential(json.dumps(cred).encode(), "application/ld+json", cred,
                                     ImportSource("file", "big.json"))
        vp = present(store, [added.id], challenge="c", domain="d")
        assert isinstance(vp, dict)
        refs = presentation_image_report(vp)
        assert len(refs) == 1 and refs[0].signed and refs[0].bytes == 256 * 24
        assert refs[0].path == "verifiableCredential[0].image.id"
        assert verify(vp, challenge="c", domain="d").verdict == "valid"
        with pytest.raises(QrTooLarge, match="share it as a link"):
            share_qr(store, [added.id], recipient="Acme", animate=False)
        assert store.list_shares() == []  # nothing shared, nothing recorded


# -- QR codes ---------------------------------------------------------------------------------------

def test_wallet_qr_png_read_by_opencv_verifies_with_nested_reports(wallet: dict[str, Any]) -> None:
    store: Store = wallet["store"]
    cid = wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]
    shared = share_qr(store, [cid], recipient="Acme Care", challenge="c-qr", domain="acme.example",
                      max_version=qrcodec.MAX_QR_VERSION)
    assert shared.kind == "code" and shared.qr.version <= qrcodec.MAX_QR_VERSION
    assert shared.qr.png.startswith(b"\x89PNG")
    text = decode_qr_image(shared.qr.png)
    assert text == shared.qr.text and text.startswith("SV1:")
    vp = decode_qr_text(text)
    report = live_verify(vp, challenge="c-qr", domain="acme.example")
    assert report.verdict == "valid" and len(report.nested) == 1 and report.nested[0].verdict == "valid"
    # the proof expires with the code (VC Data Integrity §2.1)
    assert datetime.fromisoformat(vp["proof"]["expires"]) <= datetime.now(UTC) + timedelta(minutes=16)
    # the verifier's own reader gets the same presentation from the same picture
    seen = credentials.parse_input(shared.qr.png)
    assert seen.format == "vp" and seen.container == "qr" and seen.document == vp
    entry = next(e for e in store.list_shares() if e.id == shared.share_id)
    assert entry.recipient == "Acme Care" and entry.details["channel"] == "qr"
    assert entry.details["qr_version"] == shared.qr.version and entry.expires_at == shared.expires


def test_vp_jwt_travels_in_a_qr_code_as_an_enveloped_presentation(wallet: dict[str, Any],
                                                                    tmp_path: Path) -> None:
    # base64url JSON inside a JWT defeats deflate: the stub's rich badge does not fit as a VP-JWT…
    with pytest.raises(QrTooLarge):
        share_qr(wallet["store"], [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]], recipient="Acme", fmt="jwt",
                 max_version=qrcodec.MAX_QR_VERSION, animate=False)
    # …a plainer one does in a large code, as a VCDM 2.0 §4.13.2 enveloped presentation
    issuer = ed25519_signer()
    with Store.create(tmp_path / "w.satchel", "pass phrase here", kdf=FAST_KDF) as store:
        me = store.create_profile("Me")
        cred = issuer.sign(ob3_credential(issuer.did, subject=me.did))
        added = store.add_credential(json.dumps(cred).encode(), "application/ld+json", cred,
                                     ImportSource("file", "c.json"))
        shared = share_qr(store, [added.id], recipient="Acme", challenge="n-qr", domain="acme.example", fmt="jwt",
                          max_version=40)
    doc = decode_qr_text(decode_qr_image(shared.qr.png))
    assert doc["type"] == "EnvelopedVerifiablePresentation" and doc["id"].startswith("data:application/vp+jwt,")
    jwt = unwrap_enveloped(doc)
    assert verifiable_input(doc) == jwt
    report = verify(jwt, challenge="n-qr", domain="acme.example")
    assert report.verdict == "valid" and report.format == "vp-jwt", report.to_json()


def test_too_big_for_one_code_falls_back_to_a_relay_link_in_the_code(wallet: dict[str, Any],
                                                                      verifier: dict[str, Any]) -> None:
    store: Store = wallet["store"]
    ids = [wallet["ids"][f] for f in FORMS]
    with pytest.raises(QrTooLarge):
        encode_qr(present(store, ids))  # type: ignore[arg-type]
    shared = share_qr(store, ids, recipient="Acme", verifier_base_url=verifier["base"],
                      relay_client=verifier["client"])
    assert shared.kind == "link" and shared.link is not None and shared.qr.version < 10
    url = decode_qr_image(shared.qr.png)
    kind, ref = credentials.decode_link(url)
    assert kind == "relay"
    blob = verifier["client"].get(f"{verifier['base']}/relay/{ref.relay_id}")
    vp = credentials.decrypt_from_relay(blob.content, ref.key)
    report = live_verify(vp)
    assert report.verdict == "valid" and len(report.nested) == 4, report.to_json()
    assert {e.details["channel"] for e in store.list_shares() if e.id == shared.share_id} == {"qr"}


def test_qr_encoder_picks_alphanumeric_mode_and_small_versions_for_links() -> None:
    link = "http://127.0.0.1:8400/s#r=AbCdEfGhIjKlMnOpQrStUv&k=" + "A" * 43
    result = encode_qr(link)
    assert result.text == link and result.version <= 7
    assert decode_qr_image(result.png) == link
    assert qrcodec.qr_version_for("SV1:" + "A" * 1900) == 30  # alphanumeric: v30-M holds 1,960 characters


def test_a_picture_without_a_code_is_refused_plainly() -> None:
    import cv2
    import numpy as np

    ok, png = cv2.imencode(".png", np.full((200, 300), 200, np.uint8))
    with pytest.raises(QrDecodeError, match="no QR code"):
        decode_qr_image(png.tobytes())
    with pytest.raises(QrDecodeError, match="could not be read as a picture"):
        decode_qr_image(b"GIF89a not really")


# -- links ------------------------------------------------------------------------------------------

def test_inline_link_is_read_by_the_verifiers_decoder_and_verifies(wallet: dict[str, Any],
                                                                   verifier: dict[str, Any]) -> None:
    store: Store = wallet["store"]
    until = datetime.now(UTC) + timedelta(days=7)
    link = share_link(store, [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]], verifier_base_url=verifier["base"],
                      relay_client=verifier["client"], expires=until, recipient="Acme")
    assert link.kind == "inline" and link.url.startswith(verifier["base"] + "/s#vp=")
    assert len(link.url) <= MAX_INLINE_LINK == credentials.MAX_INLINE_LINK
    kind, vp = credentials.decode_link(link.url)
    assert kind == "vp" and vp["proof"]["domain"] == "127.0.0.1"
    resp = verifier["client"].post(verifier["base"] + "/presentations/verify", json={"verifiablePresentation": vp})
    assert resp.status_code == 200 and resp.json()["verified"] is True, resp.json()
    # the verifier's encoder and the wallet's write the same payload for the same document
    assert credentials.decode_link(credentials.encode_inline_link(verifier["base"], vp)) == ("vp", vp)


def test_relay_link_round_trip_the_relay_never_sees_plaintext(wallet: dict[str, Any],
                                                              verifier: dict[str, Any]) -> None:
    store: Store = wallet["store"]
    ids = [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"], wallet["ids"]["offer"]]
    until = datetime.now(UTC) + timedelta(days=2)
    link = share_link(store, ids, verifier_base_url=verifier["base"], relay_client=verifier["client"],
                      expires=until, recipient="Acme", relay=True)
    assert link.kind == "relay" and link.revocable and "#r=" in link.url and "&k=" in link.url
    kind, ref = credentials.decode_link(link.url)
    blob = verifier["client"].get(f"{verifier['base']}/relay/{ref.relay_id}").content
    assert b"holder" not in blob and wallet["profile"].did.encode() not in blob
    vp = credentials.decrypt_from_relay(blob, ref.key)
    resp = verifier["client"].post(verifier["base"] + "/presentations/verify", json={"verifiablePresentation": vp})
    body = resp.json()
    assert resp.status_code == 200 and body["verified"] is True and len(body["credentials"]) == 2, body
    entries = [e for e in store.list_shares() if e.details.get("relay_id") == ref.relay_id]
    assert len(entries) == 2 and {e.credential_id for e in entries} == set(ids)
    assert all(e.expires_at == until for e in entries)
    assert credentials.unshare_hash(entries[0].details["unshare_secret"])  # the secret is only in the wallet


def test_unshared_link_says_so(wallet: dict[str, Any], verifier: dict[str, Any]) -> None:
    store: Store = wallet["store"]
    link = share_link(store, [wallet["ids"]["ob3-v1-ed25519signature2020"]], verifier_base_url=verifier["base"],
                      relay_client=verifier["client"], expires=datetime.now(UTC) + timedelta(days=1),
                      recipient="Acme", relay=True)
    result = unshare(store, link.share_id, verifier["client"])
    assert result.recalled and all(e.unshared_at is not None for e in result.entries)
    resp = verifier["client"].get(f"{verifier['base']}/relay/{link.relay_id}")
    assert resp.status_code == 410 and resp.json()["error"] == "unshared", resp.text
    assert "stopped sharing" in resp.json()["message"]


def test_unsharing_needs_the_wallets_secret(wallet: dict[str, Any], verifier: dict[str, Any]) -> None:
    link = share_link(wallet["store"], [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]],
                      verifier_base_url=verifier["base"], relay_client=verifier["client"],
                      expires=datetime.now(UTC) + timedelta(days=1), recipient="Acme", relay=True)
    url = f"{verifier['base']}/relay/{link.relay_id}"
    assert verifier["client"].delete(url, headers={"Authorization": "Bearer guessed"}).status_code == 403
    assert verifier["client"].get(url).status_code == 200


def test_expired_link_says_so(wallet: dict[str, Any], verifier: dict[str, Any]) -> None:
    link = share_link(wallet["store"], [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]],
                      verifier_base_url=verifier["base"], relay_client=verifier["client"],
                      expires=datetime.now(UTC) + timedelta(seconds=6), recipient="Acme", relay=True)
    # 6 s: signing the presentation on a loaded machine must not outlast the link (the relay refuses
    # an expiry in the past); then wait until the link really has expired, however long that was.
    url = f"{verifier['base']}/relay/{link.relay_id}"
    assert verifier["client"].get(url).status_code == 200
    time.sleep(max(0.0, (link.expires - datetime.now(UTC)).total_seconds()) + 1.0)
    resp = verifier["client"].get(url)
    assert resp.status_code == 410 and resp.json()["error"] == "expired" and "expired" in resp.json()["message"]


def test_inline_link_cannot_be_recalled_and_says_so(wallet: dict[str, Any], verifier: dict[str, Any]) -> None:
    link = share_link(wallet["store"], [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]],
                      verifier_base_url=verifier["base"], relay_client=verifier["client"],
                      expires=datetime.now(UTC) + timedelta(days=1), recipient="Acme")
    result = unshare(wallet["store"], link.share_id, verifier["client"])
    assert link.kind == "inline" and not link.revocable and not result.recalled
    assert result.entries[0].unshared_at is not None


def test_bad_expiry_is_refused_before_anything_is_shared(wallet: dict[str, Any], verifier: dict[str, Any]) -> None:
    before = len(wallet["store"].list_shares())
    for when in (datetime.now(UTC) - timedelta(minutes=1), datetime.now() + timedelta(days=1)):
        with pytest.raises(ValueError):
            share_link(wallet["store"], [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]],
                       verifier_base_url=verifier["base"], relay_client=verifier["client"], expires=when,
                       recipient="Acme")
    assert len(wallet["store"].list_shares()) == before


# -- the request flow -------------------------------------------------------------------------------

def test_request_qr_wallet_answer_verifier_says_verified(wallet: dict[str, Any], verifier: dict[str, Any]) -> None:
    store: Store = wallet["store"]
    exchange = _new_exchange(verifier)
    request_png = encode_qr(exchange["url"]).png  # what the verifier's screen shows
    request = parse_request(decode_qr_image(request_png), client=verifier["client"])
    assert request.domain == "127.0.0.1" and request.challenge == exchange["verifiablePresentationRequest"][
        "challenge"]
    preview = preview_request(store, request)
    assert preview.verifier == "127.0.0.1" and preview.origin == "127.0.0.1" and preview.satisfied
    assert preview.holder == wallet["profile"].did
    assert wallet["ids"]["someone-else"] not in preview.matches[0].credential_ids
    assert wallet["ids"]["ob3-v2-eddsa-rdfc-2022"] in preview.matches[0].credential_ids
    assert preview.matches[0].query.reason == "Please present your Open Badges."
    fields = {f.path: f.value for f in preview.disclosed[0].fields}
    assert fields["credentialSubject.id"] == wallet["profile"].did and "credentialSubject.achievement.name" in fields
    assert not any(p.startswith("proof") for p in fields)
    answer = answer_request(store, request, preview.selected, client=verifier["client"])
    assert answer.mode == "online" and answer.verified is True, answer.result
    status = verifier["client"].get(exchange["url"], headers={"Authorization": f"Bearer {exchange['pollToken']}"})
    assert status.json()["state"] == "complete" and status.json()["result"]["verified"] is True, status.json()
    entry = next(e for e in store.list_shares() if e.id == answer.share_id)
    assert entry.recipient == "a verifier that gave no name" and entry.details["channel"] == "request"
    assert entry.details["domain"] == "127.0.0.1"  # the address is a detail, not who asked (issue 17)


def test_replayed_answer_is_refused_as_challenge_mismatch(wallet: dict[str, Any], verifier: dict[str, Any]) -> None:
    exchange = _new_exchange(verifier)
    request = parse_request(exchange["url"], client=verifier["client"])
    answer = answer_request(wallet["store"], request, [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]],
                            client=verifier["client"])
    assert answer.verified is True
    again = verifier["client"].post(exchange["url"], json={"verifiablePresentation": answer.presentation})
    body = again.json()
    assert again.status_code == 400 and body["verified"] is False and body["problems"] == ["challenge-mismatch"]
    assert "already answered" in body["errors"][0]["message"]
    with pytest.raises(RequestGoneError, match="already answered"):
        parse_request(exchange["url"], client=verifier["client"])


def test_answer_for_another_challenge_is_refused(wallet: dict[str, Any], verifier: dict[str, Any]) -> None:
    exchange = _new_exchange(verifier)
    vp = present(wallet["store"], [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]], challenge="someone-elses",
                 domain="127.0.0.1")
    resp = verifier["client"].post(exchange["url"], json={"verifiablePresentation": vp})
    body = resp.json()
    assert resp.status_code == 400 and body["problems"] == ["challenge-mismatch"], body
    assert body["errors"][0]["check"] == "proof.challenge"


def test_tampered_presentation_is_refused_as_invalid_signature(wallet: dict[str, Any],
                                                               verifier: dict[str, Any]) -> None:
    exchange = _new_exchange(verifier)
    request = parse_request(exchange["url"], client=verifier["client"])
    vp = present(wallet["store"], [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]], challenge=request.challenge,
                 domain=request.domain)
    assert isinstance(vp, dict)
    vp["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] = "Heart surgery"
    body = verifier["client"].post(exchange["url"], json={"verifiablePresentation": vp}).json()
    assert body["verified"] is False and body["problems"] == ["invalid-signature"], body
    assert {e["check"] for e in body["errors"]} == {"proof.signature", "credentials[0].proof.signature"}


def test_presenting_someone_elses_badge_is_holder_mismatch(wallet: dict[str, Any], verifier: dict[str, Any]) -> None:
    exchange = _new_exchange(verifier)
    request = parse_request(exchange["url"], client=verifier["client"])
    answer = answer_request(wallet["store"], request, [wallet["ids"]["someone-else"]], client=verifier["client"])
    assert answer.verified is False and answer.result is not None
    assert answer.result["problems"] == ["holder-mismatch"], answer.result
    assert "not to the holder" in answer.result["errors"][0]["message"]


def test_offline_answer_is_a_qr_the_verifier_reads_and_accepts(wallet: dict[str, Any],
                                                               verifier: dict[str, Any]) -> None:
    exchange = _new_exchange(verifier)
    request = parse_request(json.dumps(exchange))  # the request read from its JSON: no network
    assert request.exchange_url == exchange["url"]
    answer = answer_request(wallet["store"], request, [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]], offline=True)
    assert answer.mode == "offline" and answer.qr is not None
    seen = credentials.parse_input(answer.qr.png)  # what the verifier reads in the picture
    assert seen.format == "vp" and seen.document is not None
    options = {"challenge": request.challenge, "domain": request.domain}
    resp = verifier["client"].post(verifier["base"] + "/presentations/verify",
                                   json={"verifiablePresentation": seen.document, "options": options})
    assert resp.status_code == 200 and resp.json()["verified"] is True, resp.json()
    again = verifier["client"].post(verifier["base"] + "/presentations/verify",
                                    json={"verifiablePresentation": seen.document, "options": options})
    assert again.json()["problems"] == ["challenge-mismatch"]  # a screenshot of it is useless later


def test_preview_warns_when_the_request_names_another_domain(wallet: dict[str, Any]) -> None:
    request = parse_request({"verifiablePresentationRequest": {
        "challenge": "c", "domain": "bank.example",
        "query": [{"type": "QueryByExample", "credentialQuery": [{"required": True, "example": {
            "type": ["VerifiableCredential", "ClrCredential"]}}]}]}, "url": "https://evil.example/exchanges/x"})
    preview = preview_request(wallet["store"], request)
    assert preview.origin == "evil.example" and not preview.satisfied
    assert any("bank.example" in w and "evil.example" in w for w in preview.warnings)
    assert any("Nothing in your wallet matches" in w for w in preview.warnings)


def test_query_by_example_matches_issuer_and_subject_fields(wallet: dict[str, Any], stub: Stub) -> None:
    query = {"type": "QueryByExample", "credentialQuery": {
        "example": {"type": "OpenBadgeCredential", "credentialSubject": {"achievement": {"name": "Wound care basics"}}},
        "trustedIssuer": [{"issuer": stub.did, "required": True}]}}
    request = parse_request({"challenge": "c", "domain": "d", "query": query})
    found = set(preview_request(wallet["store"], request).matches[0].credential_ids)
    assert wallet["ids"]["offer"] in found and wallet["ids"]["ob3-v2-eddsa-rdfc-2022"] in found
    other = parse_request({"challenge": "c", "domain": "d", "query": {**query, "credentialQuery": {
        **query["credentialQuery"], "trustedIssuer": [{"issuer": "did:web:elsewhere.example", "required": True}]}}})
    assert preview_request(wallet["store"], other).matches[0].credential_ids == ()


def test_requests_without_challenge_or_in_another_language_are_refused() -> None:
    from wallet.share import RequestError

    with pytest.raises(RequestError, match="no challenge"):
        parse_request({"domain": "d", "query": []})
    with pytest.raises(RequestError, match="QueryByExample"):
        parse_request({"challenge": "c", "domain": "d", "query": {"type": "DIDAuthentication"}})
    with pytest.raises(RequestError, match="needs the network"):
        parse_request("https://verifier.example/exchanges/abc")
    with pytest.raises(RequestError, match="not a verifier's request"):
        parse_request("hello")


# -- engine behaviour sharing relies on ---------------------------------------------------------------

def test_presentation_whose_proof_expired_is_refused(tmp_path: Path) -> None:
    issuer = ed25519_signer()
    with Store.create(tmp_path / "w.satchel", "pass phrase here", kdf=FAST_KDF) as store:
        me = store.create_profile("Me")
        cred = issuer.sign(ob3_credential(issuer.did, subject=me.did))
        added = store.add_credential(json.dumps(cred).encode(), "application/ld+json", cred,
                                     ImportSource("file", "c.json"))
        vp = present(store, [added.id], expires=datetime.now(UTC) - timedelta(minutes=1))
    assert verify(vp).problems == ("expired",)  # type: ignore[arg-type]


def test_vp_jwt_past_its_exp_is_refused(tmp_path: Path) -> None:
    issuer = ed25519_signer()
    with Store.create(tmp_path / "w.satchel", "pass phrase here", kdf=FAST_KDF) as store:
        me = store.create_profile("Me")
        cred = issuer.sign(ob3_credential(issuer.did, subject=me.did))
        added = store.add_credential(json.dumps(cred).encode(), "application/ld+json", cred,
                                     ImportSource("file", "c.json"))
        jwt = present(store, [added.id], fmt="jwt", expires=datetime.now(UTC) - timedelta(minutes=1))
    assert verify(jwt).problems == ("expired",)


def test_top_level_enveloped_presentation_verifies(tmp_path: Path) -> None:
    issuer = ed25519_signer()
    with Store.create(tmp_path / "w.satchel", "pass phrase here", kdf=FAST_KDF) as store:
        me = store.create_profile("Me")
        cred = issuer.sign(ob3_credential(issuer.did, subject=me.did))
        added = store.add_credential(json.dumps(cred).encode(), "application/ld+json", cred,
                                     ImportSource("file", "c.json"))
        jwt = present(store, [added.id], fmt="jwt", challenge="c", domain="d")
    from wallet.share import enveloped

    assert verify(enveloped(jwt, "vp"), challenge="c", domain="d").verdict == "valid"  # type: ignore[arg-type]


def test_an_offline_wallet_says_a_relay_share_needs_the_network_and_records_nothing(
        wallet: dict[str, Any], verifier: dict[str, Any]) -> None:
    from wallet.share import RelayError

    store: Store = wallet["store"]
    before = len(store.list_shares())
    with pytest.raises(RelayError, match="offline"):
        share_link(store, [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]], verifier_base_url=verifier["base"],
                   relay_client=None, expires=datetime.now(UTC) + timedelta(days=1), recipient="Acme", relay=True)
    assert len(store.list_shares()) == before
    link = share_link(store, [wallet["ids"]["ob3-v2-eddsa-rdfc-2022"]], verifier_base_url=verifier["base"],
                      relay_client=verifier["client"], expires=datetime.now(UTC) + timedelta(days=1),
                      recipient="Acme", relay=True)
    with pytest.raises(RelayError, match="offline"):
        unshare(store, link.share_id, None)
    assert all(e.unshared_at is None for e in store.list_shares() if e.id == link.share_id)
    assert verifier["client"].get(f"{verifier['base']}/relay/{link.relay_id}").status_code == 200
