"""`satchel-verify` takes what an employer is handed: a QR picture (PNG or JPEG), the text of a
Satchel QR code, or a share link (inline, or through a verifier's relay), like any other input."""

from __future__ import annotations

import io
import json
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from credentials._formats.qr import encode_qr_text
from credentials._formats.share_links import encode_inline_link, encrypt_for_relay, new_unshare_secret, relay_link
from tests.conftest import ROOT
from tests.helpers import VC2, ed25519_signer, ob3_credential
from wallet.share.qrcodec import encode_qr

CHALLENGE, DOMAIN = "c-4711", "hire.example.com"


def _presentation() -> dict:
    issuer, holder = ed25519_signer(), ed25519_signer()
    cred = issuer.sign(ob3_credential(issuer.did, subject=holder.did))
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did, "verifiableCredential": [cred]}
    return holder.sign(vp, proof_purpose="authentication", challenge=CHALLENGE, domain=DOMAIN)


def _cli(*args: str, stdin: bytes | None = None) -> list[dict]:
    cmd = [sys.executable, "-m", "credentials._cli", "--json", "--challenge", CHALLENGE, "--domain", DOMAIN, *args]
    proc = subprocess.run(cmd, input=stdin, capture_output=True, timeout=120, cwd=ROOT)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode()
    return [json.loads(line) for line in proc.stdout.decode().splitlines()]


def test_qr_pictures_and_qr_text_verify(tmp_path: Path) -> None:
    vp = _presentation()
    png = encode_qr(vp).png
    (tmp_path / "qr.png").write_bytes(png)
    buffer = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(buffer, format="JPEG", quality=85)
    (tmp_path / "qr.jpg").write_bytes(buffer.getvalue())
    reports = _cli("--offline", str(tmp_path / "qr.png"), str(tmp_path / "qr.jpg"))
    assert [r["verdict"] for r in reports] == ["valid", "valid"], reports
    assert len(reports[0]["credentials"]) == 1
    (text_report,) = _cli("--offline", "-", stdin=encode_qr_text(vp).encode())
    assert text_report["verdict"] == "valid"


def test_inline_share_link_verifies_and_a_tampered_one_does_not() -> None:
    vp = _presentation()
    link = encode_inline_link("https://verify.example.org", vp)
    vp["verifiableCredential"][0]["name"] = "Brain surgery"
    forged = encode_inline_link("https://verify.example.org", vp)
    good, bad = _cli("--offline", link, forged)
    assert good["verdict"] == "valid"
    assert bad["problems"] == ["invalid-signature"]


def test_a_picture_without_a_qr_code_is_malformed(tmp_path: Path) -> None:
    Image.new("RGB", (64, 64), "white").save(tmp_path / "blank.jpg")
    (report,) = _cli("--offline", str(tmp_path / "blank.jpg"))
    assert report["problems"] == ["malformed"]


@pytest.fixture(scope="module")
def verifier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("verifier")
    proc = subprocess.Popen([sys.executable, "-m", "verifier.cli", "serve", "--port", "0", "--offline",
                             "--data", str(data)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
    match = re.search(r"(http://127\.0\.0\.1:\d+)", lines.get(timeout=30))
    assert match
    yield match.group(1)
    proc.terminate()
    proc.wait(timeout=10)


def test_relay_link_is_fetched_opened_and_verified_then_unshared(verifier: str) -> None:
    vp = _presentation()
    blob, key = encrypt_for_relay(vp)
    unshare = new_unshare_secret()
    with httpx.Client(base_url=verifier, timeout=30) as client:
        import base64

        created = client.post("/relay", json={
            "ciphertext": base64.urlsafe_b64encode(blob).rstrip(b"=").decode(), "unshareHash": unshare.hash})
        assert created.status_code == 201, created.text
        link = relay_link(verifier, created.json()["id"], key)
        (report,) = _cli("--allow-loopback", link)
        assert report["verdict"] == "valid", report
        assert client.delete(f"/relay/{created.json()['id']}",
                             headers={"authorization": f"Bearer {unshare.secret}"}).status_code == 204
    (gone,) = _cli("--allow-loopback", link)
    assert gone["problems"] == ["unreachable"]
    assert "withdrawn" in gone["checks"][0]["message"]


def test_satchel_verify_says_plainly_when_a_file_is_missing_and_exits_2(tmp_path: Path) -> None:
    import subprocess
    import sys

    missing = tmp_path / "nowhere.json"
    result = subprocess.run([sys.executable, "-m", "credentials._cli", "--offline", str(missing)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"cannot read {missing}: No such file or directory" in result.stderr
    assert "PROBLEM" not in result.stdout and "Traceback" not in result.stderr


def test_satchel_verify_into_a_pipe_closed_early_exits_quietly() -> None:
    import subprocess
    import sys

    from tests.conftest import CORPUS

    files = [str(p) for p in sorted((CORPUS / "dcc-vc-test-fixtures").rglob("*.json"))[:40]]
    verify = subprocess.Popen([sys.executable, "-m", "credentials._cli", "--offline", *files],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert verify.stdout is not None and verify.stderr is not None
    verify.stdout.readline()
    verify.stdout.close()  # what `| head -1` does
    stderr = verify.stderr.read().decode()
    assert verify.wait(timeout=120) == 0
    assert "BrokenPipeError" not in stderr and "Traceback" not in stderr


def test_satchel_verify_names_what_was_verified_and_who_it_was_issued_to() -> None:
    import subprocess
    import sys

    from tests.conftest import CORPUS

    path = CORPUS / "dcc-vc-test-fixtures" / "v2" / "ed25519" / "didWeb" / "legacy-revokedStatus-noExpiry.json"
    out = subprocess.run([sys.executable, "-m", "credentials._cli", "--offline", "--documents",
                          str(CORPUS / "web.json"), "--at", "2026-11-22T00:00:00Z", str(path)],
                         capture_output=True, text=True, timeout=60).stdout.splitlines()
    assert out[0] == f"{path}: PROBLEM  (revoked)"  # a file path is never shortened
    assert out[1] == "  \u201cBachelors - v2 - revoked\u201d from Example Corp issued to Sam Salmon"



def test_satchel_verify_colours_only_a_terminal_and_respects_no_color() -> None:
    import io

    from credentials import Fetcher, verify
    from credentials._cli import render_text, wants_colour

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert wants_colour(Tty(), {}) and not wants_colour(io.StringIO(), {})
    assert not wants_colour(Tty(), {"NO_COLOR": "1"}) and not wants_colour(Tty(), {"TERM": "dumb"})
    report = verify({"not": "a credential"}, fetcher=Fetcher(None))
    painted, plain = render_text(report, "x.json", colour=True), render_text(report, "x.json")
    assert "\x1b[1;31mPROBLEM\x1b[0m" in painted and "\x1b[" not in plain and "PROBLEM" in plain
