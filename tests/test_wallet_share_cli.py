"""`satchel-wallet share ID… --qr OUT.png` and `--link` (inline or through the relay, with
`--expires`), then `satchel-verify` on what the employer receives; `unshare` withdraws a relay link."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.helpers import ed25519_signer, ob3_credential
from tests.test_cli_share_inputs import verifier  # noqa: F401  (the live verifier fixture)


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SATCHEL_HOME": str(home), "SATCHEL_PASSPHRASE": "a long enough passphrase"}
    proc = subprocess.run([sys.executable, "-m", "wallet.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def _verify(*args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "credentials._cli", "--json", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    return json.loads(proc.stdout.splitlines()[0])


@pytest.fixture
def wallet_with_badge(tmp_path: Path) -> tuple[Path, str]:
    home = tmp_path / "home"
    assert _run(home, "init").returncode == 0
    profiles = json.loads(_run(home, "profiles", "--json").stdout)
    did = profiles[0]["did"]
    issuer = ed25519_signer()
    badge = tmp_path / "badge.json"
    badge.write_text(json.dumps(issuer.sign(ob3_credential(issuer.did, subject=did))))
    assert _run(home, "import", "--offline", str(badge)).returncode == 0
    listed = json.loads(_run(home, "list", "--json").stdout)
    return home, listed[0]["id"]


def test_share_as_qr_picture_verifies(wallet_with_badge: tuple[Path, str], tmp_path: Path) -> None:
    home, cid = wallet_with_badge
    out = tmp_path / "share.png"
    proc = _run(home, "share", cid[:8], "--qr", str(out), "--recipient", "Acme Care")
    assert proc.returncode == 0, proc.stderr
    report = _verify("--offline", str(out))
    assert report["verdict"] == "valid", report
    history = json.loads(_run(home, "shares", "--json").stdout)
    assert history[0]["recipient"] == "Acme Care" and history[0]["expires"]


def test_share_as_inline_link_verifies(wallet_with_badge: tuple[Path, str]) -> None:
    home, cid = wallet_with_badge
    proc = _run(home, "share", cid, "--link", "--verifier", "https://verify.example.org", "--expires", "2d", "--json")
    assert proc.returncode == 0, proc.stderr
    link = json.loads(proc.stdout)["link"]
    assert link.startswith("https://verify.example.org/s#vp=")
    assert _verify("--offline", link)["verdict"] == "valid"


def test_relay_link_verifies_until_unshared(wallet_with_badge: tuple[Path, str], verifier: str) -> None:  # noqa: F811
    home, cid = wallet_with_badge
    proc = _run(home, "share", cid, "--link", "--relay", "--allow-loopback", "--verifier", verifier, "--json")
    assert proc.returncode == 0, proc.stderr
    shared = json.loads(proc.stdout)
    assert shared["kind"] == "relay"
    assert _verify("--allow-loopback", shared["link"])["verdict"] == "valid"
    proc = _run(home, "unshare", shared["share"][:10], "--allow-loopback")
    assert proc.returncode == 0 and "Withdrawn" in proc.stdout, proc.stderr
    gone = _verify("--allow-loopback", shared["link"])
    assert gone["problems"] == ["unreachable"] and "withdrawn" in gone["checks"][0]["message"]


def test_share_needs_a_way_and_a_verifier_for_links(wallet_with_badge: tuple[Path, str]) -> None:
    home, cid = wallet_with_badge
    assert _run(home, "share", cid).returncode != 0
    proc = _run(home, "share", cid, "--link")
    assert proc.returncode != 0 and "--verifier" in proc.stderr


def test_share_output_is_sentences_and_readable_times(wallet_with_badge: tuple[Path, str], tmp_path: Path) -> None:
    home, cid = wallet_with_badge
    out = tmp_path / "share.png"
    proc = _run(home, "share", cid[:8], "--qr", str(out), "--recipient", "Acme Care")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"QR code written to {out} (version ")
    assert "holding the presentation itself" in proc.stdout and "ShareLink(" not in proc.stdout
    assert re.search(r"valid until \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC\.", proc.stderr), proc.stderr
    listed = _run(home, "shares").stdout
    assert re.search(r"  \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d UTC  .* → Acme Care  \(until \d\d [A-Z]", listed), listed


def test_a_badge_too_large_for_one_code_is_shared_as_a_code_holding_a_link(
        tmp_path: Path, verifier: str) -> None:  # noqa: F811
    home = tmp_path / "home"
    assert _run(home, "init").returncode == 0
    did = json.loads(_run(home, "profiles", "--json").stdout)[0]["did"]
    issuer = ed25519_signer()
    words = " ".join(f"word{n}" for n in range(900))  # a long, real-world-sized description
    badge = tmp_path / "badge.json"
    badge.write_text(json.dumps(issuer.sign(ob3_credential(issuer.did, subject=did, description=words))))
    assert _run(home, "import", "--offline", str(badge)).returncode == 0
    cid = json.loads(_run(home, "list", "--json").stdout)[0]["id"]
    out = tmp_path / "share.png"
    proc = _run(home, "share", cid[:8], "--qr", str(out), "--verifier", verifier, "--allow-loopback")
    assert proc.returncode == 0, proc.stderr
    assert "holding a link to the verifier" in proc.stdout and "ShareLink(" not in proc.stdout
    shown = json.loads(_run(home, "share", cid[:8], "--qr", str(tmp_path / "again.png"), "--verifier", verifier,
                            "--allow-loopback", "--json").stdout)
    assert shown["link"].startswith(f"{verifier}/s#")
    assert _verify("--offline", str(out))["verdict"] != "malformed"  # the code's link is read back


def test_a_relay_that_cannot_be_reached_is_said_in_words(wallet_with_badge: tuple[Path, str]) -> None:
    home, cid = wallet_with_badge
    proc = _run(home, "share", cid[:8], "--link", "--relay", "--verifier", "https://127.0.0.1:9")
    assert proc.returncode != 0
    assert "could not be reached" in proc.stderr and "Error)" not in proc.stderr
    assert "--allow-loopback" in proc.stderr
