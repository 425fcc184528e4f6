"""The wallet shares an ecdsa-sd-2023 badge: the stored copy carries the issuer's base proof (the
holder's alone, vc-di-ecdsa 1.0 §3.6.5); a presentation carries a proof derived from it (§3.6.6),
which the verifier (a real ``satchel-verifier serve`` process on loopback) accepts, shared as a link
or as a QR code read back from its picture.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

import credentials
from credentials import SdBaseProofKey, has_sd_base_proof
from credentials._net import Fetcher, make_client
from credentials._proofs import ProofOptions, add_proof
from credentials._proofs import ecdsa_sd_2023 as sd
from credentials._verify import verify
from tests.helpers import ob3_credential, p256_signer
from tests.verifier_process import running_verifier
from wallet.importer import ImportService
from wallet.share import (
    NotPresentableError,
    decode_qr_image,
    decode_qr_text,
    present,
    qrcodec,
    share_link,
    share_qr,
)
from wallet.store import Argon2idParams, ImportSource, Store

FAST_KDF = Argon2idParams(memory_kib=1024, iterations=1, lanes=1)  # tests only
MANDATORY = ("/issuer", "/credentialSubject/id", "/credentialSubject/type")


@pytest.fixture(scope="module")
def wallet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A wallet holding one badge issued to its holder with an ecdsa-sd-2023 base proof."""
    path = tmp_path_factory.mktemp("wallet") / "wallet.satchel"
    issuer = p256_signer()
    with Store.create(path, "correct horse battery staple", kdf=FAST_KDF) as store:
        profile = store.create_profile("Me")
        doc = ob3_credential(issuer.did, subject=profile.did)
        base = add_proof(doc, "ecdsa-sd-2023", SdBaseProofKey(issuer.key, MANDATORY),
                         ProofOptions(verification_method=issuer.vm))
        with make_client(None) as client:
            service = ImportService(store, lambda: Fetcher(client), client=client)
            outcome = service.import_bytes(json.dumps(base).encode(), ImportSource("file", "sd-badge.json"))
        assert outcome.ok and outcome.id is not None, outcome
        yield {"store": store, "profile": profile, "id": str(outcome.id), "base": base}


@pytest.fixture(scope="module")
def verifier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("verifier-data")
    with running_verifier("--offline", "--data", str(data)) as (base, _), httpx.Client(timeout=30) as client:
        yield {"base": base, "client": client}


def test_the_wallet_keeps_the_base_proof_and_presents_a_derived_one(wallet: dict[str, Any]) -> None:
    store: Store = wallet["store"]
    assert has_sd_base_proof(store.get_credential(wallet["id"]).credential)
    vp = present(store, [wallet["id"]], challenge="c-1", domain="acme.example")
    assert isinstance(vp, dict)
    inner = vp["verifiableCredential"][0]
    assert not has_sd_base_proof(inner)
    sd.parse_derived_proof_value(inner["proof"]["proofValue"])  # a derived proof, whole
    assert {k: v for k, v in inner.items() if k != "proof"} == {k: v for k, v in wallet["base"].items()
                                                                if k != "proof"}  # every claim, by default
    report = verify(vp, challenge="c-1", domain="acme.example")
    assert (report.verdict, report.problems) == ("valid", ()) and report.nested[0].verdict == "valid"


def test_the_learner_can_disclose_less_and_it_still_verifies(wallet: dict[str, Any]) -> None:
    store: Store = wallet["store"]
    vp = present(store, [wallet["id"]], challenge="c-2", domain="acme.example",
                 disclose={wallet["id"]: ["/credentialSubject/achievement/name"]})
    assert isinstance(vp, dict)
    inner = vp["verifiableCredential"][0]
    assert "name" not in inner and "validFrom" not in inner
    assert inner["credentialSubject"]["achievement"] == {
        "id": "https://example.edu/achievements/wound-care", "type": ["Achievement"], "name": "Wound care basics"}
    report = verify(vp, challenge="c-2", domain="acme.example")
    assert (report.verdict, report.problems) == ("valid", ())


def test_a_pointer_that_names_nothing_is_not_presentable(wallet: dict[str, Any]) -> None:
    with pytest.raises(NotPresentableError, match="names nothing in the credential"):
        present(wallet["store"], [wallet["id"]], disclose={wallet["id"]: ["/credentialSubject/nickname"]})


def test_shared_as_a_link_it_verifies_at_the_verifier(wallet: dict[str, Any], verifier: dict[str, Any]) -> None:
    link = share_link(wallet["store"], [wallet["id"]], verifier_base_url=verifier["base"],
                      relay_client=verifier["client"], expires=datetime.now(UTC) + timedelta(days=1),
                      recipient="Acme")
    kind, vp = credentials.decode_link(link.url)
    assert kind == "vp" and not has_sd_base_proof(vp["verifiableCredential"][0])
    resp = verifier["client"].post(verifier["base"] + "/presentations/verify", json={"verifiablePresentation": vp})
    assert resp.status_code == 200 and resp.json()["verified"] is True, resp.json()


def test_shared_as_a_qr_code_it_verifies_at_the_verifier(wallet: dict[str, Any], verifier: dict[str, Any]) -> None:
    shared = share_qr(wallet["store"], [wallet["id"]], recipient="Acme Care", challenge="c-qr",
                      domain="acme.example", max_version=qrcodec.MAX_QR_VERSION)
    assert shared.kind == "code" and shared.qr is not None, shared.kind
    vp = decode_qr_text(decode_qr_image(shared.qr.png))
    assert not has_sd_base_proof(vp["verifiableCredential"][0])
    resp = verifier["client"].post(verifier["base"] + "/presentations/verify", json={
        "verifiablePresentation": vp, "options": {"challenge": "c-qr", "domain": "acme.example"}})
    assert resp.status_code == 200 and resp.json()["verified"] is True, resp.json()


def test_the_stored_base_copy_shown_to_the_verifier_is_refused_with_what_to_ask_for(
        wallet: dict[str, Any], verifier: dict[str, Any]) -> None:
    resp = verifier["client"].post(verifier["base"] + "/credentials/verify",
                                   json={"verifiableCredential": wallet["base"]})
    body = resp.json()
    # VC-API: a verification that did not succeed is "400 Invalid input", the report in the body.
    assert resp.status_code == 400 and (body["verdict"], body["problems"]) == (
        "unverifiable", ["unsupported-proof-type"]), body
    signature = next(c for c in body["checks"] if c["id"] == "proof.signature")
    assert "holder's own copy" in signature["message"] and "share it again" in signature["message"]


def test_the_wallet_checks_its_base_copy_as_the_derived_one_it_will_show(wallet: dict[str, Any]) -> None:
    store: Store = wallet["store"]
    summary = store.get_summary(wallet["id"])
    assert (summary.verdict, summary.problems) == ("valid", ())  # not "could not check": the verifier's view
    with make_client(None) as client:
        [again] = ImportService(store, lambda: Fetcher(client), client=client).reverify([wallet["id"]])
    assert (again.verdict, again.problems) == ("valid", ())
    broken = json.loads(json.dumps(wallet["base"]))
    broken["credentialSubject"]["achievement"]["name"] = "Something else"  # changed after signing
    with make_client(None) as client:
        outcome = ImportService(store, lambda: Fetcher(client), client=client).import_bytes(
            json.dumps(broken).encode(), ImportSource("file", "changed.json"))
    assert (outcome.verdict, "invalid-signature" in outcome.problems) == ("invalid", True)
