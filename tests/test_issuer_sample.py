"""`satchel-issuer sample` writes one file per form plus revoked / suspended / expired variants;
`satchel-verify --offline --documents DIR/web.json` must give each the verdict its name implies."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    subprocess.run([str(BIN / "satchel-issuer"), "sample", "--out", str(out)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def reports(sample_dir: Path) -> dict[str, dict]:
    files = sorted(p for p in sample_dir.iterdir() if p.is_file() and p.name != "web.json")
    run = subprocess.run([str(BIN / "satchel-verify"), "--json", "--offline", "--documents",
                          str(sample_dir / "web.json"), *map(str, files)], capture_output=True, text=True)
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(lines) == len(files), run.stderr
    return {f.name: r for f, r in zip(files, lines, strict=True)}


EXPECTED_FILES = [
    "ob3-v2-eddsa-rdfc-2022.json", "ob3-v2-eddsa-jcs-2022.json", "ob3-v1-ed25519signature2020.json",
    "ob3-v1-ed25519signature2020-didkey.json", "ob3-vc-jwt.jwt", "ob3-vc-jose.jwt",
    "ob3-v2-eddsa-rdfc-2022.png", "ob3-v2-eddsa-rdfc-2022.svg", "ob3-endorsement-v2-eddsa-rdfc-2022.json",
    "ob3-v2-eddsa-rdfc-2022-psw-foundations.json",
    "ob2-hosted.json", "ob2-hosted.png", "ob2-hosted.svg", "ob2-signed.jws", "ob2-signed.png", "ob2-signed.svg",
    "ob3-v2-eddsa-rdfc-2022-revoked.json", "ob3-v2-eddsa-rdfc-2022-suspended.json",
    "ob3-v2-eddsa-rdfc-2022-expired.json", "ob3-v1-ed25519signature2020-revoked.json",
    "ob3-v1-ed25519signature2020-suspended.json", "ob3-vc-jwt-revoked.jwt", "ob3-vc-jwt-suspended.jwt",
    "ob3-vc-jwt-expired.jwt", "ob3-vc-jose-revoked.jwt", "ob2-hosted-revoked.json", "ob2-signed-revoked.jws",
    "ob2-hosted-expired.json", "ob2-signed-expired.jws",
    "ob3-v2-eddsa-rdfc-2022-1edtech-revocation-list.json",
    "ob3-v2-eddsa-rdfc-2022-1edtech-revocation-list-revoked.json",
]


def expected_problems(name: str) -> list[str]:
    stem = name.rsplit(".", 1)[0]
    for variant in ("revoked", "suspended", "expired"):
        if stem.endswith("-" + variant):
            return [variant]
    return []


def test_sample_has_every_form_and_variant(sample_dir: Path) -> None:
    present = {p.name for p in sample_dir.iterdir()}
    assert set(EXPECTED_FILES) <= present
    assert "web.json" in present


def test_web_json_maps_to_files_in_the_sample(sample_dir: Path) -> None:
    web = json.loads((sample_dir / "web.json").read_text())
    assert "http://127.0.0.1:8765/.well-known/did.json" in web
    assert "http://127.0.0.1:8765/status/revocation" in web and "http://127.0.0.1:8765/status/suspension" in web
    for url, rel in web.items():
        assert (sample_dir / rel).is_file(), url


def test_every_sample_file_gets_the_verdict_its_name_implies(reports: dict[str, dict]) -> None:
    wrong = {}
    for name, report in reports.items():
        want = expected_problems(name)
        verdict = "valid" if not want else "invalid"
        if report["problems"] != want or report["verdict"] != verdict:
            wrong[name] = (report["verdict"], report["problems"])
    assert not wrong, wrong


def test_ob3_credentials_pass_jsonld_safe_mode_and_key_binding(reports: dict[str, dict]) -> None:
    for name in ("ob3-v2-eddsa-rdfc-2022.json", "ob3-v1-ed25519signature2020.json",
                 "ob3-endorsement-v2-eddsa-rdfc-2022.json", "ob3-v2-eddsa-rdfc-2022-psw-foundations.json"):
        checks = {c["id"]: c["status"] for c in reports[name]["checks"]}
        assert checks["jsonld.safe-mode"] == "passed", name
        assert checks["proof.key-binding"] == "passed", name
        assert checks["status.revocation" if "endorsement" not in name and "didkey" not in name
                      else "status"] == "passed", name


def test_status_list_is_a_signed_bitstring_list_of_herd_privacy_size(sample_dir: Path) -> None:
    from credentials._status import decode_encoded_list

    web = json.loads((sample_dir / "web.json").read_text())
    for purpose in ("revocation", "suspension"):
        doc = json.loads((sample_dir / web[f"http://127.0.0.1:8765/status/{purpose}"]).read_text())
        assert "BitstringStatusListCredential" in doc["type"]
        assert doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        assert doc["credentialSubject"]["statusPurpose"] == purpose
        assert len(decode_encoded_list(doc["credentialSubject"]["encodedList"])) >= 16 * 1024


def test_the_stacked_certificate_names_its_parts(sample_dir: Path) -> None:
    doc = json.loads((sample_dir / "ob3-v2-eddsa-rdfc-2022-psw-foundations.json").read_text())
    related = doc["credentialSubject"]["achievement"]["related"]
    assert [r["id"].rsplit("/", 1)[1] for r in related] == ["donning-doffing-ppe", "healthy-menus"]


def test_tampering_with_a_sample_breaks_its_signature(sample_dir: Path, tmp_path: Path) -> None:
    doc = json.loads((sample_dir / "ob3-v2-eddsa-rdfc-2022.json").read_text())
    doc["credentialSubject"]["achievement"]["name"] = "Brain surgery"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(doc))
    run = subprocess.run([str(BIN / "satchel-verify"), "--json", "--offline", "--documents",
                          str(sample_dir / "web.json"), str(forged)], capture_output=True, text=True)
    report = json.loads(run.stdout)
    assert report["verdict"] == "invalid" and "invalid-signature" in report["problems"]
