"""`satchel-issuer` CLI: init, issue to a file, offer link + QR, revoke (twice), restart-safe state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from credentials._verify import verify

BIN = Path(sys.executable).parent / "satchel-issuer"


def cli(state: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), "--state", str(state), *args], capture_output=True, text=True, check=check,
                          timeout=60)


def test_init_creates_persistent_identities(tmp_path: Path) -> None:
    first = json.loads(cli(tmp_path, "init", "--port", "9123").stdout)
    assert first["did"] == "did:web:127.0.0.1%3A9123" and first["didKey"].startswith("did:key:z6Mk")
    again = json.loads(cli(tmp_path, "init", "--port", "9123").stdout)
    assert again == first  # keys are kept, not regenerated
    assert (tmp_path / "state.sqlite3").is_file()


def test_issue_to_file_then_revoke_twice(tmp_path: Path) -> None:
    cli(tmp_path, "init")
    out = tmp_path / "cred.json"
    issued = json.loads(cli(tmp_path, "issue", "healthy-menus", "--recipient", "did:example:learner-42",
                            "--out", str(out)).stdout)
    doc = json.loads(out.read_text())
    assert doc["credentialSubject"]["id"] == "did:example:learner-42"
    assert doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022" and doc["id"] == issued["id"]
    assert cli(tmp_path, "revoke", issued["id"]).returncode == 0
    twice = cli(tmp_path, "revoke", issued["id"], check=False)
    assert twice.returncode == 2 and "already revoked" in twice.stderr
    unknown = cli(tmp_path, "revoke", "urn:uuid:not-issued", check=False)
    assert unknown.returncode == 2 and "no credential" in unknown.stderr


@pytest.mark.parametrize("form", ["ob3-vc-jwt", "ob3-png", "ob2-signed"])
def test_issue_other_forms_to_files(tmp_path: Path, form: str) -> None:
    cli(tmp_path, "init")
    issued = json.loads(cli(tmp_path, "issue", "wound-care-basics", "--form", form,
                            "--out", str(tmp_path / f"c.{form}")).stdout)
    data = Path(issued["file"]).read_bytes()
    report = verify(data)  # offline: the signature is checkable only for did:key / embedded cases
    assert report.verdict in ("valid", "unverifiable")
    assert "invalid-signature" not in report.problems and "malformed" not in report.problems


def test_issue_as_offer_link_and_qr(tmp_path: Path) -> None:
    cli(tmp_path, "init", "--port", "9124")
    qr = tmp_path / "offer.png"
    link = cli(tmp_path, "issue", "donning-doffing-ppe", "--offer", "--out", str(qr)).stdout.strip()
    assert link.startswith("openid-credential-offer://?credential_offer=")
    offer = json.loads(parse_qs(urlsplit(link).query)["credential_offer"][0])
    assert offer["credential_issuer"] == "http://127.0.0.1:9124"
    assert offer["grants"]["urn:ietf:params:oauth:grant-type:pre-authorized_code"]["pre-authorized_code"]
    assert qr.read_bytes().startswith(b"\x89PNG")


def test_issuer_cli_says_in_one_line_when_it_cannot_write_or_listen(tmp_path) -> None:
    import socket
    import subprocess

    from tests.conftest import ROOT

    exe = str(ROOT / ".venv" / "bin" / "satchel-issuer")
    state = str(tmp_path / "state")
    subprocess.run([exe, "--state", state, "init"], capture_output=True, check=True, timeout=60)
    out = subprocess.run([exe, "--state", state, "issue", "wound-care-basics", "--form", "ob3-png",
                          "--out", str(tmp_path / "no" / "such" / "dir" / "x.png")], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2 and "No such file or directory" in out.stderr and "Traceback" not in out.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run([exe, "--state", state, "serve", "--port", str(port)], capture_output=True, text=True,
                             timeout=60)
    assert out.returncode == 2 and "in use" in out.stderr and "Traceback" not in out.stderr


def test_every_option_has_a_help_text() -> None:
    """Every argument of satchel-issuer and of each of its commands says what it is for."""
    import argparse

    from issuer_stub.cli import build_parser

    def parsers(p: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
        found = [p]
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    found += parsers(sub)
        return found

    missing = [f"{p.prog} {'/'.join(a.option_strings) or a.dest}" for p in parsers(build_parser())
               for a in p._actions
               if not isinstance(a, argparse._HelpAction | argparse._SubParsersAction) and not a.help]
    assert missing == []
