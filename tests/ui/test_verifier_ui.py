"""The verifier app in headless Chromium (web mode, loopback only): paste, QR image, share link (pasted,
or the app opened at the link itself) and request flow each end on the right result screen; a fresh
result flashes, sounds and is announced; history and exports; phone and desktop layouts, with
screenshots in build/screenshots/verifier/ (looked at by a person)."""

from __future__ import annotations

import contextlib
import io
import json
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import qrcode
from PIL import Image

from credentials import encode_inline_link, encrypt_for_relay, relay_link, unshare_hash
from tests.helpers import VC2, ed25519_signer, ob3_credential
from tests.ui.ui_driver import (
    DESKTOP,
    PHONE,
    REPO,
    click,
    is_shown,
    nudge,
    scroll_to_shown,
    steady_screenshot,
    type_into,
    upload_files,
    wait_shown,
)
from tests.ui.verifier_fixtures import *  # noqa: F403 - the fixtures: page, verifier_app
from tests.ui.verifier_fixtures import open_verifier, running_verifier
from verifier.history import History
from wallet.share.qrcodec import encode_qr_text  # the wallet as a tool: the QR its share screen shows

SHOTS = REPO / "build" / "screenshots" / "verifier"


def shot(page: Any, name: str) -> None:
    steady_screenshot(page, SHOTS / f"{name}.png")


def signed_vp(n: int = 1, *, challenge: str | None = None, domain: str | None = None) -> dict[str, Any]:
    issuer, holder = ed25519_signer(), ed25519_signer()
    creds = []
    for i in range(n):
        doc = ob3_credential(issuer.did, subject=holder.did, id=f"urn:uuid:00000000-0000-4000-8000-00000000000{i}")
        if i:
            doc["credentialSubject"]["achievement"]["name"] = "Safe patient handling"
            doc["name"] = "Safe patient handling"
        creds.append(issuer.sign(doc))
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did, "verifiableCredential": creds}
    options = {k: v for k, v in (("challenge", challenge), ("domain", domain)) if v}
    return holder.sign(vp, proof_purpose="authentication", **options)


def go_to(page: Any, tab: str) -> None:
    nudge(page)
    page.get_by_role("tab", name=tab).or_(page.get_by_role("button", name=tab)).first.click()


def page_text_with(page: Any, needle: str) -> str:
    """The text of the first element (text or label) containing ``needle``."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = page.evaluate("""needle => {
            for (const e of document.querySelectorAll('flt-semantics, [aria-label], textarea, input')) {
              for (const t of [e.getAttribute('aria-label') || '', e.value || '', e.textContent || '']) {
                if (t.includes(needle)) return t; } }
            return null; }""", needle)
        if found:
            return str(found)
        nudge(page)
        time.sleep(0.25)
    raise TimeoutError(f"no text with {needle!r}")


def test_paste_credential_json_shows_verified_with_its_facts(page: Any, issuer_samples: Path) -> None:
    wait_shown(page, "Check a credential")
    shot(page, "desktop-scan")
    type_into(page, "Link, JSON or JWT", (issuer_samples / "ob3-v2-eddsa-rdfc-2022.json").read_text())
    click(page, "button", "Check")
    wait_shown(page, "Result: Genuine, issuer not on your list")  # no trust list: sound, nobody vouches
    for text in ("It is intact, in force and signed by the issuer it names",
                 "What to do: Check the issuer's name and website", "Donning and doffing PPE",
                 "Riverside Community College", "Not on your trust list", "Issued to",
                 "No name given: known only by a digital key", "IPAC-1", "0.5 credits earned",
                 "Knowledge check: 92", "Pasted"):
        wait_shown(page, text, timeout=5_000)
    shot(page, "desktop-result-verified")
    scroll_to_shown(page, "Every check")
    scroll_to_shown(page, "Not revoked")
    scroll_to_shown(page, "status as of") if is_shown(page, "status as of") else scroll_to_shown(page, "Status as of")
    shot(page, "desktop-result-checks")


def test_revoked_credential_shows_problem(page: Any, issuer_samples: Path) -> None:
    wait_shown(page, "Check a credential")
    type_into(page, "Link, JSON or JWT", (issuer_samples / "ob3-v2-eddsa-rdfc-2022-revoked.json").read_text())
    click(page, "button", "Check")
    wait_shown(page, "Result: Problem")
    wait_shown(page, "At least one check failed")
    wait_shown(page, "What to do: Do not rely on it")
    wait_shown(page, "The issuer has revoked it")
    shot(page, "desktop-result-problem")


def test_unreadable_paste_says_why_and_stays_on_scan(page: Any) -> None:
    wait_shown(page, "Check a credential")
    type_into(page, "Link, JSON or JWT", "hello there")
    click(page, "button", "Check")
    wait_shown(page, "not a share link")
    assert is_shown(page, "Check a credential")


def test_qr_image_upload_shows_result(page: Any, tmp_path: Path) -> None:
    text = encode_qr_text(signed_vp())
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    photo = Image.new("RGB", (900, 1100), (200, 196, 188))  # a screenshot-like picture around the code
    code = qr.make_image().convert("RGB")
    photo.paste(code, ((900 - code.size[0]) // 2, 180))
    path = tmp_path / "qr-photo.png"
    photo.save(path)
    assert cv2.imread(str(path)) is not None
    wait_shown(page, "Open a QR image")
    upload_files(page, "Open a QR image", [path])
    wait_shown(page, "Result: Genuine")
    wait_shown(page, "QR image")
    wait_shown(page, "The presentation")
    wait_shown(page, "Wound care basics")


def test_share_link_with_two_credentials_lists_both(page: Any) -> None:
    link = encode_inline_link("http://127.0.0.1:8400", signed_vp(2))
    wait_shown(page, "Check a credential")
    type_into(page, "Link, JSON or JWT", link)
    click(page, "button", "Check")
    wait_shown(page, "Result: Genuine")
    wait_shown(page, "2 credentials were presented")
    wait_shown(page, "Share link")
    wait_shown(page, "The presentation")
    scroll_to_shown(page, "Wound care basics")
    scroll_to_shown(page, "Safe patient handling")
    shot(page, "desktop-result-presentation")


def test_request_flow_answered_by_a_wallet_ends_verified(page: Any) -> None:
    go_to(page, "Ask")
    wait_shown(page, "Ask for a credential")
    click(page, "button", "New request")
    wait_shown(page, "Waiting for the candidate's wallet")
    wait_shown(page, "Wallets are not told who is asking")  # this app has no --name: it says how to set one
    click(page, "button", "Technical details")  # the request address is folded away
    wait_shown(page, "/exchanges/")
    url = page_text_with(page, "/exchanges/").strip()
    url = url[url.index("http"):].split()[0]
    shot(page, "desktop-ask")
    with httpx.Client(timeout=30) as wallet:  # what a wallet does with the request QR
        request = wallet.post(url, json={}).json()["verifiablePresentationRequest"]
        vp = signed_vp(challenge=request["challenge"], domain=request["domain"])
        answer = wallet.post(url, json={"verifiablePresentation": vp})
    assert answer.status_code == 200 and answer.json()["verified"] is True
    wait_shown(page, "Result: Genuine")
    wait_shown(page, "Request")
    wait_shown(page, "Wound care basics")
    assert not is_shown(page, "Not made for a request of yours")  # it answered our own fresh challenge
    shot(page, "desktop-result-request")


def test_history_lists_checks_opens_them_and_exports_csv(page: Any, verifier_app: Any) -> None:
    go_to(page, "History")
    wait_shown(page, "Verifications made on this device")
    wait_shown(page, "Donning and doffing PPE")
    shot(page, "desktop-history")
    click(page, "button", "Export CSV")
    deadline = time.monotonic() + 20
    exports = verifier_app.home / "exports"
    while time.monotonic() < deadline and not list(exports.glob("verifications-*.csv")):
        time.sleep(0.2)
    csv_files = list(exports.glob("verifications-*.csv"))
    assert csv_files, "no CSV was exported"
    text = csv_files[0].read_text(encoding="utf-8-sig")
    assert text.startswith("id,verified_at,source,verdict,answer,issuer")
    assert "Donning and doffing PPE" in text and ',paste,valid,"Genuine, issuer not on your list",' in text
    nudge(page)
    page.get_by_role("button", name="Open", exact=True).last.click()  # the oldest: the pasted PPE badge
    wait_shown(page, "Export PDF")
    wait_shown(page, "Donning and doffing PPE")
    click(page, "button", "Export PDF")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not list(exports.glob("verification-*.pdf")):
        time.sleep(0.2)
    pdfs = list(exports.glob("verification-*.pdf"))
    assert pdfs and pdfs[0].read_bytes().startswith(b"%PDF-")


def test_offline_switch_says_how_old_the_saved_documents_are(page: Any) -> None:
    wait_shown(page, "Check a credential")
    click(page, "switch", "Offline mode")
    wait_shown(page, "Offline mode. Using")
    wait_shown(page, "saved issuer document")
    shot(page, "desktop-offline")


def test_phone_layout_screens(page: Any, issuer_samples: Path) -> None:
    page.set_viewport_size(PHONE)
    wait_shown(page, "Check a credential")
    time.sleep(1)
    shot(page, "phone-scan")
    type_into(page, "Link, JSON or JWT", (issuer_samples / "ob3-v2-eddsa-rdfc-2022.json").read_text())
    click(page, "button", "Check")
    wait_shown(page, "Result: Genuine")
    shot(page, "phone-result-verified")
    go_to(page, "Ask")
    click(page, "button", "New request")
    wait_shown(page, "Waiting for the candidate's wallet")
    shot(page, "phone-ask")
    go_to(page, "History")
    wait_shown(page, "Verifications made on this device")
    shot(page, "phone-history")
    page.set_viewport_size(DESKTOP)


def test_app_uses_its_data_dir_and_starts_with_no_history(tmp_path: Path, browser: Any) -> None:
    from tests.ui.ui_driver import open_app

    home = tmp_path / "fresh"
    home.mkdir()
    with running_verifier(home) as running:
        tab = open_app(browser, running.url, DESKTOP)
        try:
            go_to(tab, "History")
            wait_shown(tab, "Nothing checked yet")
        finally:
            tab.context.close()
    assert (home / "history.sqlite3").is_file()
    assert json.dumps(str(home))


# -- a share link in the app's own address ----------------------------------------------------------
def fragment_of(link: str) -> str:
    return link.split("#", 1)[1]


def test_app_opened_at_a_share_link_verifies_it_without_sending_it_anywhere(browser: Any,
                                                                            verifier_app: Any) -> None:
    link = encode_inline_link(verifier_app.url.rstrip("/"), signed_vp(2))  # http://127.0.0.1:P/s#vp=…
    payload = fragment_of(link).split("=", 1)[1]
    requests: list[tuple[str, str]] = []
    sockets: list[str] = []

    def on_request(request: Any) -> None:
        requests.append((request.url, request.post_data or ""))

    tab = open_verifier(browser, link, DESKTOP, before=lambda p: (p.on("request", on_request),
                                                                 p.on("websocket", lambda ws: sockets.append(ws.url))))
    try:
        wait_shown(tab, "Result: Genuine, issuer not on your list")
        wait_shown(tab, "2 credentials were presented")
        wait_shown(tab, "Sent by the person it was issued to ✓")
        wait_shown(tab, "Share link")
        wait_shown(tab, "The presentation")
        wait_shown(tab, "Not made for a request of yours, so it may be an old copy")  # a link can be a copy
        assert not is_shown(tab, "did:key:")  # the holder by what they are, their key in Technical details
        scroll_to_shown(tab, "Safe patient handling")
        shot(tab, "desktop-result-opened-link")
    finally:
        tab.context.close()
    origin = verifier_app.url.rstrip("/")
    # The fragment is never in an HTTP request (browsers keep it), and the app talks to its own
    # backend only (Flet's websocket); the one other request is Flet's page asking a CDN for a
    # Rive script, which the test aborts (and which carries nothing of ours).
    assert requests and not [u for u, body in requests if payload[:32] in u or payload[:32] in body]
    assert sockets and all(url.startswith(origin.replace("http://", "ws://") + "/") for url in sockets)
    assert {u.split("/")[2] for u, _ in requests} <= {origin.split("/")[2], "cdn.jsdelivr.net"}
    history = History.open(verifier_app.home)  # the app's own history file, read beside it
    try:
        assert [e for e in history.list() if e.source == "link" and e.verdict == "valid"]
    finally:
        history.close()


def test_app_opened_at_a_broken_or_relay_link_says_why(browser: Any, verifier_app: Any) -> None:
    tab = open_verifier(browser, verifier_app.url + "s#vp=bm90LXpsaWI", DESKTOP)
    try:
        wait_shown(tab, "not a Satchel share link")
        wait_shown(tab, "Check a credential")
    finally:
        tab.context.close()
    blob, key = encrypt_for_relay(signed_vp())
    tab = open_verifier(browser, relay_link(verifier_app.url.rstrip("/"), "AbC_-12345678901234567", key), DESKTOP)
    try:  # this app was started without --service: it has no relay to ask, and says so
        wait_shown(tab, "encrypted copy on the verifier service")
    finally:
        tab.context.close()


@contextlib.contextmanager
def relay_service(data: Path) -> Iterator[str]:
    """A real `satchel-verifier serve` (its share relay) on loopback, in this process."""
    from verifier.service import ServiceConfig, VerifierServer, VerifierService

    service = VerifierService(ServiceConfig(data_dir=data, port=0, offline=True))
    server = VerifierServer(("127.0.0.1", 0), service)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield service.base_url
    finally:
        server.shutdown()
        server.server_close()
        service.close()


def test_app_opened_at_a_relay_link_opens_the_copy_from_its_service(browser: Any, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with relay_service(tmp_path / "service") as base:
        blob, key = encrypt_for_relay(signed_vp())
        import base64

        stored = httpx.post(f"{base}/relay", json={
            "ciphertext": base64.urlsafe_b64encode(blob).rstrip(b"=").decode(),
            "unshareHash": unshare_hash(secrets.token_urlsafe(32))}, timeout=10)
        assert stored.status_code == 201, stored.text
        link = relay_link(base, stored.json()["id"], key)
        with running_verifier(home, extra_args=["--service", base]) as app:
            tab = open_verifier(browser, app.url + "s#" + fragment_of(link), DESKTOP)
            try:
                wait_shown(tab, "Result: Genuine")
                wait_shown(tab, "Share link")
                wait_shown(tab, "Wound care basics")
            finally:
                tab.context.close()


# -- the flash, the sound and the announcement -------------------------------------------------------
RECORD_FEEDBACK = """
window.__plays = []; window.__said = [];
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  const done = play.apply(this, arguments);
  const rec = { src: String(this.currentSrc || this.src || '').slice(0, 48), played: null };
  window.__plays.push(rec);
  if (done && done.then) done.then(() => { rec.played = true; }, e => { rec.played = String(e); });
  return done;
};
new MutationObserver(records => { for (const r of records) {
  const host = r.target.nodeType === 1 ? r.target : r.target.parentElement;
  if (host && host.closest && host.closest('flt-announcement-host') && r.target.textContent)
    window.__said.push(r.target.textContent); } })
  .observe(document, { subtree: true, childList: true, characterData: true });
"""


def _tint(png: bytes, xy: tuple[int, int]) -> tuple[int, int, int]:
    return Image.open(io.BytesIO(png)).convert("RGB").getpixel(xy)  # type: ignore[return-value]


def test_fresh_result_flashes_plays_a_sound_and_is_announced(browser: Any, verifier_app: Any,
                                                             issuer_samples: Path) -> None:
    tab = open_verifier(browser, verifier_app.url, DESKTOP, init_script=RECORD_FEEDBACK)
    try:
        wait_shown(tab, "Check a credential")
        corner = (DESKTOP["width"] - 20, DESKTOP["height"] - 20)  # empty page background
        type_into(tab, "Link, JSON or JWT", (issuer_samples / "ob3-v2-eddsa-rdfc-2022.json").read_text())
        click(tab, "button", "Check")
        frames = []
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            nudge(tab)  # headless Chromium paints Flutter's frames when something moves
            frames.append(_tint(tab.screenshot(), corner))
        wait_shown(tab, "Result: Genuine, issuer not on your list")
        # the page background took the grade's colour for a moment (genuine: teal #005F5C at 38 %
        # over it), then came back to what it is without the pulse
        after = _tint(steady_screenshot(tab, SHOTS / "desktop-after-pulse.png"), corner)
        peak = tuple(round(b * 0.62 + t * 0.38) for b, t in zip(after, (0x00, 0x5F, 0x5C), strict=True))
        gap = sum(abs(a - p) for a, p in zip(after, peak, strict=True))
        tinted = [f for f in frames if sum(abs(c - p) for c, p in zip(f, peak, strict=True)) <= gap / 2]
        assert tinted, f"no teal pulse (peak {peak}) in {frames} (background {after})"
        assert frames[-1] == after
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not tab.evaluate("window.__plays.some(p => p.played === true)"):
            time.sleep(0.2)
        plays = tab.evaluate("window.__plays")
        assert [p for p in plays if p["played"] is True and p["src"].startswith("data:audio/")], plays
        said = tab.evaluate("window.__said")
        assert any("Result: Genuine, issuer not on your list. Donning and doffing PPE" in s for s in said), said
        # a result reopened from the history is only shown: no sound, no announcement
        count = len(plays)
        go_to(tab, "History")
        wait_shown(tab, "Verifications made on this device")
        nudge(tab)
        tab.get_by_role("button", name="Open", exact=True).first.click()
        wait_shown(tab, "Export PDF")
        time.sleep(1.5)
        assert len(tab.evaluate("window.__plays")) == count
    finally:
        tab.context.close()
