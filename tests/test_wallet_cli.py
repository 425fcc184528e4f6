"""``satchel-wallet`` end to end: every command in a real subprocess, with SATCHEL_HOME in a temp
folder and SATCHEL_PASSPHRASE, on the issuer stub's sample files and its live server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.stub_server import Stub
from tests.test_wallet_import import BIN, qr_photo, sample_credential_files, write_issuer_sample

PASSPHRASE = "a long learner passphrase"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_issuer_sample(tmp_path_factory.mktemp("issuer-sample"))


def wallet(home: Path, *args: str, passphrase: str | None = PASSPHRASE, stdin: str | None = None,
           expect: int | None = 0) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SATCHEL_")}
    env["SATCHEL_HOME"] = str(home)
    if passphrase is not None:
        env["SATCHEL_PASSPHRASE"] = passphrase
    result = subprocess.run([str(BIN / "satchel-wallet"), *args], capture_output=True, text=True, env=env,
                            input=stdin if stdin is not None else "", timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    if expect is not None:
        assert result.returncode == expect, (result.returncode, result.stdout, result.stderr)
    return result


def listed(home: Path, *extra: str) -> list[dict[str, Any]]:
    rows = json.loads(wallet(home, "list", "--json", *extra).stdout)
    assert isinstance(rows, list)
    return rows


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("satchel-wallet: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, sample: Path) -> tuple[Path, Path]:
    """A wallet (home) with every sample credential imported offline from a nested folder."""
    home = tmp_path_factory.mktemp("home")
    folder = tmp_path_factory.mktemp("downloads")
    for n, path in enumerate(sample_credential_files(sample)):
        target = folder / ("older" if n % 2 else "") / path.name
        target.parent.mkdir(exist_ok=True)
        shutil.copy(path, target)
    created = wallet(home, "init", "--json")
    assert json.loads(created.stdout)["profile"]["did"].startswith("did:key:z6Mk")
    result = wallet(home, "import", str(folder), "--offline", "--documents", str(sample / "web.json"))
    total = len(sample_credential_files(sample))
    progress = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert len(progress) == total and progress[-1].startswith(f"[{total}/{total}] ")
    assert f"Imported {total} new, 0 already there (merged), 0 not imported" in result.stdout
    return home, folder


def test_init_refuses_to_overwrite(filled: tuple[Path, Path]) -> None:
    home, _ = filled
    assert_one_line_error(wallet(home, "init", expect=None), "already exists")


def test_list_json_has_id_name_issuer_verdict(filled: tuple[Path, Path], sample: Path) -> None:
    home, _ = filled
    rows = listed(home)
    assert len(rows) == len(sample_credential_files(sample))
    for row in rows:
        assert {"id", "name", "issuer", "verdict"} <= row.keys()
        assert row["name"] and row["issuer"]
        assert row["verdict"] in ("valid", "invalid")
    assert sum(r["verdict"] == "invalid" for r in rows) == sum(
        any(v in p.name for v in ("-revoked.", "-suspended.", "-expired.")) for p in sample_credential_files(sample))
    found = listed(home, "--search", "menus")
    assert found == [] or all("menus" in (r["name"] + " ".join(r["skills"])).lower() for r in found)


def test_show_by_prefix_prints_summary_and_checks(filled: tuple[Path, Path]) -> None:
    home, _ = filled
    revoked = next(r for r in listed(home) if r["verdict"] == "invalid")
    shown = wallet(home, "show", revoked["id"][:8]).stdout
    assert revoked["name"] in shown and revoked["id"] in shown
    assert "verdict   invalid" in shown and "checks" in shown
    as_json = json.loads(wallet(home, "show", revoked["id"][:8], "--json").stdout)
    assert as_json["report"]["verdict"] == "invalid" and as_json["credential"]
    assert_one_line_error(wallet(home, "show", "zzzz", expect=None), "no credential")


def test_export_round_trip_is_byte_identical(filled: tuple[Path, Path], tmp_path: Path) -> None:
    home, folder = filled
    originals = {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    for row in listed(home):
        source = row["sources"][0]["detail"]
        out = tmp_path / f"exported-{source}"
        wallet(home, "export", row["id"][:10], "--out", str(out))
        assert out.read_bytes() == originals[source], source
    again = wallet(home, "export", listed(home)[0]["id"], "--out", str(out), expect=None)
    assert_one_line_error(again, "already exists")


def test_import_again_merges_and_reports_failures(filled: tuple[Path, Path], tmp_path: Path) -> None:
    home, folder = filled
    before = len(listed(home))
    broken = tmp_path / "broken.json"
    broken.write_text("{ this is not json")
    any_file = next(p for p in folder.rglob("*.jwt"))
    result = wallet(home, "import", str(any_file), str(broken), str(tmp_path / "missing.png"), "--offline",
                    expect=3)
    assert "Imported 0 new, 1 already there (merged), 2 not imported" in result.stdout
    assert "broken.json: not imported" in result.stderr and "missing.png: not imported" in result.stderr
    assert len(listed(home)) == before


def test_verify_offline_uses_the_warm_document_cache(filled: tuple[Path, Path], tmp_path: Path) -> None:
    home, _ = filled
    copy = tmp_path / "copy-home"
    shutil.copytree(home, copy)
    before = {r["id"]: r["verdict"] for r in listed(copy)}
    warm = wallet(copy, "verify", "--offline", "--json", expect=0 if set(before.values()) == {"valid"} else 4)
    outcomes = json.loads(warm.stdout)
    assert {o["id"]: o["verdict"] for o in outcomes} == before  # what import fetched is in SATCHEL_HOME/cache
    shutil.rmtree(copy / "cache")
    cold = json.loads(wallet(copy, "verify", "--offline", "--json", expect=4).stdout)  # not all valid: exit 4
    assert all(o["error"] is None for o in cold)
    assert "unverifiable" in {o["verdict"] for o in cold}  # did:web keys and status lists unreachable


def test_backup_and_restore_into_another_home(filled: tuple[Path, Path], tmp_path: Path) -> None:
    home, _ = filled
    backup = tmp_path / "wallet.satchel-backup"
    wallet(home, "backup", str(backup))
    assert backup.stat().st_size > 0
    other = tmp_path / "other-machine"
    wallet(other, "restore", str(backup))
    assert listed(other) == listed(home)
    profiles = json.loads(wallet(other, "profiles", "--json").stdout)
    assert profiles == json.loads(wallet(home, "profiles", "--json").stdout)
    assert_one_line_error(wallet(other, "restore", str(backup), expect=None), "already exists")


def test_a_tampered_backup_restores_nothing(filled: tuple[Path, Path], tmp_path: Path) -> None:
    home, _ = filled
    backup = tmp_path / "b.satchel-backup"
    wallet(home, "backup", str(backup))
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x01
    backup.write_bytes(bytes(data))
    other = tmp_path / "other"
    assert_one_line_error(wallet(other, "restore", str(backup), expect=None))
    assert not (other / "wallet.satchel").exists()
    assert_one_line_error(wallet(other, "restore", str(tmp_path / "nope"), expect=None), "no backup file")


def test_wrong_passphrase_is_one_line_and_changes_nothing(filled: tuple[Path, Path]) -> None:
    home, _ = filled
    before = (home / "wallet.satchel").read_bytes()
    for command in (["list"], ["verify"], ["backup", str(home / "x")], ["profiles", "add", "Nope"]):
        result = wallet(home, *command, passphrase="not the passphrase", expect=None)
        assert_one_line_error(result, "wrong passphrase")
    assert (home / "wallet.satchel").read_bytes() == before
    assert not (home / "x").exists()


def test_no_passphrase_and_no_terminal(filled: tuple[Path, Path]) -> None:
    home, _ = filled
    assert_one_line_error(wallet(home, "list", passphrase=None, expect=None), "SATCHEL_PASSPHRASE")


def test_commands_without_a_wallet(tmp_path: Path) -> None:
    assert_one_line_error(wallet(tmp_path / "empty", "list", expect=None), "no wallet", "init")


def test_profiles_add_and_list(tmp_path: Path) -> None:
    home = tmp_path / "home"
    wallet(home, "init", "--label", "School")
    added = wallet(home, "profiles", "add", "Work").stdout
    assert "Work" in added and "did:key:" in added
    profiles = json.loads(wallet(home, "profiles", "list", "--json").stdout)
    assert [(p["label"], p["default"]) for p in profiles] == [("School", True), ("Work", False)]


def test_import_offer_qr_url_and_text_from_the_live_stub(tmp_path: Path, stub: Stub, sample: Path) -> None:
    home = tmp_path / "home"
    wallet(home, "init")
    did = json.loads(wallet(home, "profiles", "--json").stdout)[0]["did"]
    offer = stub.http.post("/api/offers", json={"achievement": "wound-care-basics"}).json()["credential_offer_uri"]
    qr_offer = stub.http.post("/api/offers", json={"achievement": "healthy-menus"}).json()["credential_offer_uri"]
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(qr_photo(qr_offer))
    url = stub.issue("ob2-hosted", "donning-doffing-ppe")["credential"]["id"]
    pasted = (sample / "ob3-vc-jose.jwt").read_text()

    result = wallet(home, "import", url, "--offer", offer, "--qr", str(photo), "--text", "-", "--allow-loopback",
                    "--json", stdin=pasted)
    outcomes = json.loads(result.stdout)
    assert [(o["source"], o["error"]) for o in outcomes] == [
        (url, None), ("pasted text", None), ("QR image", None), ("offer", None)]
    assert [o["verdict"] for o in outcomes[:1] + outcomes[2:]] == ["valid", "valid", "valid"]
    for outcome in outcomes[2:]:
        shown = json.loads(wallet(home, "show", outcome["id"], "--json").stdout)
        assert shown["credential"]["credentialSubject"]["id"] == did

    other = stub.issue("ob2-hosted", "healthy-menus")["credential"]["id"]
    without_loopback = wallet(home, "import", other, expect=3)  # production rules: https, public hosts only
    assert "not imported" in without_loopback.stdout


def test_verify_after_the_issuer_revokes(tmp_path: Path, stub: Stub) -> None:
    home = tmp_path / "home"
    wallet(home, "init")
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022", "healthy-menus")
    badge = tmp_path / "badge.json"
    badge.write_text(json.dumps(issued["credential"]))
    wallet(home, "import", str(badge), "--allow-loopback")
    (row,) = listed(home)
    assert row["verdict"] == "valid"
    stub.act(issued["id"], "revoke")
    result = json.loads(wallet(home, "verify", "--allow-loopback", "--json", expect=4).stdout)
    assert [(o["verdict"], o["problems"]) for o in result] == [("invalid", ["revoked"])]
    assert listed(home)[0]["verdict"] == "invalid"


def test_what_verification_fetched_is_cached_sealed_with_the_wallets_key(tmp_path: Path, stub: Stub) -> None:
    """Issuer documents and status lists tell which badges a learner holds: on disk they are as
    private as the store (no URL, issuer or list in the clear), yet an offline check reads them."""
    home = tmp_path / "home"
    wallet(home, "init")
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022", "healthy-menus")
    badge = tmp_path / "badge.json"
    badge.write_text(json.dumps(issued["credential"]))
    legacy = home / "cache" / "documents" / "0123.json"  # what an older Satchel cached in the clear
    legacy.parent.mkdir(parents=True)
    legacy.write_text(json.dumps({"url": f"{stub.base}/status/revocation"}))
    wallet(home, "import", str(badge), "--allow-loopback")
    entries = sorted((home / "cache").rglob("*.*"))
    assert entries and all(p.suffix == ".sealed" for p in entries), entries
    host = stub.base.split("//")[1].encode()
    for entry in entries:
        data = entry.read_bytes()
        assert host not in data and b"did:web" not in data and b"encodedList" not in data
    outcomes = json.loads(wallet(home, "verify", "--offline", "--json").stdout)
    assert [o["verdict"] for o in outcomes] == ["valid"]
    wallet(home, "verify", "--offline", "--json", passphrase="not the passphrase", expect=None)
    assert sorted((home / "cache").rglob("*.*")) == entries  # nothing readable without the key


def test_app_subcommand_hands_its_options_to_the_app(tmp_path: Path) -> None:
    result = wallet(tmp_path, "app", "--help", expect=None)
    if result.returncode == 0:  # the Flet app is installed: its own help
        assert "satchel-wallet app" in result.stdout
    else:
        assert_one_line_error(result, "not installed")


def test_usage_errors_are_not_tracebacks(tmp_path: Path) -> None:
    assert wallet(tmp_path, "import", expect=None).returncode != 0
    assert wallet(tmp_path, "frobnicate", expect=None).returncode == 2


def test_offer_link_given_as_a_plain_argument(tmp_path: Path, stub: Stub) -> None:
    home = tmp_path / "home"
    wallet(home, "init")
    offer = stub.http.post("/api/offers", json={"achievement": "psw-foundations"}).json()["credential_offer_uri"]
    result = wallet(home, "import", offer, "--allow-loopback")
    assert result.stdout.startswith("offer: ") and ": valid" in result.stdout
    assert [r["verdict"] for r in listed(home)] == ["valid"]
