"""SD-JWT VC through the apps: the wallet imports one (pasted text and a file), `satchel-verify`
gives its report under the corpus contract, and the verify service refuses a replayed key binding."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import Concealed, Fetcher, issue_sd_jwt, present_sd_jwt, public_key_to_jwk, read_facts
from tests.helpers import PASSPHRASE, fast_kdf
from tests.test_sd_jwt import A5_KEY, AUD, NONCE, PID_ISSUER, vector
from tests.test_sd_jwt_verify import Issuer
from tests.verifier_process import running_verifier
from wallet.importer import ImportService
from wallet.store import Store

ROOT = Path(__file__).resolve().parents[1]


def badge(issuer: Issuer, holder: Any) -> str:
    now = int(time.time())
    claims = {"iss": issuer.did, "vct": "https://credentials.example.edu/wound-care", "iat": now - 60,
              "cnf": {"jwk": public_key_to_jwk(holder.public_key())},
              "achievement": Concealed({"name": "Wound care basics", "achievementType": "Badge"}),
              "given_name": Concealed("Ada")}
    return issue_sd_jwt(claims, issuer.key, {"alg": issuer.alg, "typ": "dc+sd-jwt", "kid": issuer.kid})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.create(tmp_path / "wallet.satchel", PASSPHRASE, kdf=fast_kdf()) as s:
        yield s


def test_the_wallet_imports_a_pasted_sd_jwt_vc_and_a_file(store: Store, tmp_path: Path) -> None:
    issuer, holder = Issuer("ES256"), ec.generate_private_key(ec.SECP256R1())
    service = ImportService(store, lambda: Fetcher(None))
    pasted = service.import_text("\n  " + badge(issuer, holder) + "\n")
    assert pasted.error is None and pasted.verdict == "valid", pasted
    assert pasted.name == "Wound care basics"
    record = store.get_credential(pasted.id or "")
    assert record.summary.media_type == "application/dc+sd-jwt"
    assert read_facts(record.credential).subject_name == "Ada"
    path = tmp_path / "badge.sd-jwt"
    path.write_text(badge(Issuer("EdDSA"), holder))
    from_file = service.import_file(path)
    assert from_file.error is None and from_file.verdict == "valid" and from_file.name == "Wound care basics"


def test_the_wallet_refuses_an_unreadable_sd_jwt_with_the_reason(store: Store) -> None:
    outcome = ImportService(store, lambda: Fetcher(None)).import_text(
        "eyJhbGciOiJFUzI1NiJ9.e30.c2ln~WyJzYWx0Il0~")
    assert outcome.id is None and outcome.error is not None and "disclosure" in outcome.error


def test_satchel_verify_reports_the_rfc_presentation_under_the_contract(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text(json.dumps({"issuer": PID_ISSUER, "jwks": {"keys": [A5_KEY]}}))
    web = tmp_path / "web.json"
    web.write_text(json.dumps({f"{PID_ISSUER}/.well-known/jwt-vc-issuer": "meta.json"}))
    given = tmp_path / "presented.txt"
    given.write_text(vector("rfc9901_a3_presented"))
    cmd = [sys.executable, "-m", "credentials._cli", "--json", "--offline", "--documents", str(web),
           "--at", "2025-05-29T16:47:30Z", "--challenge", NONCE, "--domain", AUD, str(given)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT)
    answer = json.loads(proc.stdout)
    assert answer["verdict"] == "valid" and answer["problems"] == [], answer
    assert {c["id"] for c in answer["checks"]} >= {"presentation.holder", "proof.challenge", "proof.domain"}
    assert answer["credentials"][0]["format"] == "sd-jwt-vc"
    replayed = subprocess.run([*cmd[:-5], "--challenge", "a-later-request", "--domain", AUD, str(given)],
                              capture_output=True, text=True, timeout=120, cwd=ROOT)
    again = json.loads(replayed.stdout)
    assert again["verdict"] == "invalid" and again["problems"] == ["challenge-mismatch"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    data = tmp_path_factory.mktemp("verifier-data")
    with running_verifier("--offline", "--data", str(data), "--request-timeout", "5") as (base, _proc), \
            httpx.Client(base_url=base, timeout=30) as client:
        yield client


def test_the_verify_service_accepts_a_key_bound_answer_once(server: httpx.Client) -> None:
    issuer, holder = Issuer("EdDSA"), ec.generate_private_key(ec.SECP256R1())
    issued = server.post("/challenges").json()
    answer = present_sd_jwt(badge(issuer, holder), lambda d: True, holder_key=holder, nonce=issued["challenge"],
                            aud=issued["domain"], iat=int(time.time()))
    body = {"verifiablePresentation": answer, "options": {"challenge": issued["challenge"]}}
    first = server.post("/presentations/verify", json=body)
    assert first.status_code == 200, first.text
    assert first.json()["verified"] is True
    replay = server.post("/presentations/verify", json=body)
    assert replay.status_code == 400
    result = replay.json()
    assert "challenge-mismatch" in result["problems"]
    assert any(c["id"] == "request.challenge" and "already answered" in c["message"] for c in result["checks"])


def test_the_verify_service_refuses_an_answer_to_another_request(server: httpx.Client) -> None:
    issuer, holder = Issuer("ES256"), ec.generate_private_key(ec.SECP256R1())
    issued = server.post("/challenges").json()
    answer = present_sd_jwt(badge(issuer, holder), lambda d: True, holder_key=holder, nonce="not-this-one",
                            aud=issued["domain"], iat=int(time.time()))
    resp = server.post("/presentations/verify", json={"verifiablePresentation": answer,
                                                      "options": {"challenge": issued["challenge"]}})
    assert resp.status_code == 400 and "challenge-mismatch" in resp.json()["problems"]


def test_the_wallet_refuses_a_presentation_made_for_a_verifier(store: Store) -> None:
    # RFC 9901 §7.2: an issuer gives an SD-JWT, never an SD-JWT+KB; the wallet keeps only the former
    outcome = ImportService(store, lambda: Fetcher(None)).import_text(vector("rfc9901_a3_presented"))
    assert outcome.id is None and outcome.error is not None and "key binding" in outcome.error
    assert store.credential_ids() == []
