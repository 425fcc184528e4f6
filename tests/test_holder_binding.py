"""Whose badge is it (``wallet.holder_binding``), said as the verifier will judge it (for every
presentable form the issuer stub makes), and said at import: the wallet's store with real signed
credentials; the real issuer stub issuing to its demo learner (said "not yours" at import, refused
as holder-mismatch when shared) or through an OpenID4VCI offer to the wallet's own DID (no warning,
and the verifier accepts the share); the issuer CLI's guidance when it issues to the demo learner."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from credentials._net import Fetcher, GuardedTransport, LocalDocuments, make_client
from credentials._verify import verify
from tests.conftest import ROOT
from tests.helpers import PASSPHRASE, ed25519_signer, fast_kdf, holder_did, imported, ob3_credential
from tests.stub_server import Stub, payload_of
from wallet.holder_binding import holder_binding, short_id
from wallet.importer import ImportService
from wallet.share import present
from wallet.store import ImportSource, Store

STRANGER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
ISSUER_BIN = Path(sys.executable).parent / "satchel-issuer"


def signed_for(subject: Any) -> dict[str, Any]:
    issuer = ed25519_signer()
    doc = ob3_credential(issuer.did)
    doc["credentialSubject"] = subject
    return issuer.sign(doc)


def achievement_subject(**fields: Any) -> dict[str, Any]:
    """An AchievementSubject naming no one, with ``fields`` (``id``, ``identifier``) added."""
    subject = {k: v for k, v in ob3_credential("did:example:x")["credentialSubject"].items() if k != "id"}
    return {**subject, **fields}


def verifier_says_holder_mismatch(store: Store, record_id: str) -> bool:
    """The verifier's own judgement of the wallet's presentation of this one badge."""
    report = verify(present(store, [record_id]), fetcher=Fetcher(None))
    return "holder-mismatch" in report.problems


# -- the store: whom a badge names, as the verifier judges it -----------------------------------------


def test_a_badge_issued_to_the_wallets_did_is_the_holders_and_the_verifier_agrees(store: Store) -> None:
    rid = imported(store, signed_for(achievement_subject(id=holder_did(store))))
    binding = holder_binding(store, store.get_credential(rid))
    assert (binding.status, binding.subject, binding.holder) == ("holder", holder_did(store), holder_did(store))
    assert not binding.someone_else and "issued to you" in binding.message
    assert not verifier_says_holder_mismatch(store, rid)


def test_a_badge_issued_to_another_did_is_someone_elses_and_the_verifier_refuses_it(store: Store) -> None:
    rid = imported(store, signed_for(achievement_subject(id=STRANGER)))
    binding = holder_binding(store, store.get_credential(rid))
    assert (binding.status, binding.subject, binding.own_profile) == ("someone-else", STRANGER, None)
    assert binding.message.startswith("This badge was issued to someone else (not this wallet).")
    assert "did:" not in binding.message  # the DID is for Technical details (binding.subject), not the sentence
    assert "verifier will refuse it as not yours" in binding.message
    assert verifier_says_holder_mismatch(store, rid)


def test_one_foreign_subject_among_several_is_enough_for_the_verifier_and_for_the_wallet(store: Store) -> None:
    rid = imported(store, signed_for([achievement_subject(id=holder_did(store)), achievement_subject(id=STRANGER)]))
    binding = holder_binding(store, store.get_credential(rid))
    assert (binding.status, binding.subject) == ("someone-else", STRANGER)
    assert verifier_says_holder_mismatch(store, rid)


def test_a_badge_for_another_profile_of_this_wallet_names_that_profile(store: Store) -> None:
    work = store.create_profile("Work")
    rid = imported(store, signed_for(achievement_subject(id=work.did)))
    binding = holder_binding(store, store.get_credential(rid))
    assert (binding.status, binding.own_profile) == ("someone-else", "Work")
    assert "your profile “Work”" in binding.message and "shares as “Me”" in binding.message
    assert verifier_says_holder_mismatch(store, rid)  # the default profile presents it
    as_work = holder_binding(store, store.get_credential(rid), profile_id=work.id)
    assert as_work.status == "holder"
    store.set_default_profile(work.id)
    assert holder_binding(store, store.get_credential(rid)).status == "holder"
    assert not verifier_says_holder_mismatch(store, rid)


def test_a_badge_naming_no_one_is_unknown_and_the_verifier_does_not_refuse_it(store: Store) -> None:
    rid = imported(store, signed_for(achievement_subject()))
    binding = holder_binding(store, store.get_credential(rid))
    assert (binding.status, binding.subject) == ("unknown", None)
    assert "does not say whom it was issued to" in binding.message
    assert not verifier_says_holder_mismatch(store, rid)


def test_an_ob3_badge_naming_a_hashed_email_says_what_it_names(store: Store) -> None:
    digest = "sha256$" + hashlib.sha256(b"learner@example.orgNaCl").hexdigest()
    identifier = [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                   "identityHash": digest, "salt": "NaCl"}]
    rid = imported(store, signed_for(achievement_subject(identifier=identifier)))
    binding = holder_binding(store, store.get_credential(rid))
    assert (binding.status, binding.subject) == ("unknown", digest)
    assert "hashed email address" in binding.message


def test_an_ob2_badge_from_the_issuer_stub_names_a_hashed_email(store: Store, tmp_path: Path) -> None:
    from issuer_stub.cli import main as issuer_main

    sample = tmp_path / "sample"
    assert issuer_main(["sample", "--out", str(sample)]) == 0
    documents = LocalDocuments.from_file(sample / "web.json")
    service = ImportService(store, lambda: Fetcher(None, documents=documents))
    outcome = service.import_file(next(sample.glob("ob2-hosted*.json")))
    assert outcome.id is not None, outcome.error
    binding = holder_binding(store, store.get_credential(outcome.id))
    assert binding.status == "unknown" and (binding.subject or "").startswith("sha256$")
    assert "hashed email address" in binding.message


def test_a_wallet_without_a_profile_cannot_say(tmp_path: Path) -> None:
    with Store.create(tmp_path / "bare.satchel", PASSPHRASE, kdf=fast_kdf()) as bare:
        rid = imported(bare, signed_for(achievement_subject(id=STRANGER)))
        binding = holder_binding(bare, bare.get_credential(rid))
    assert (binding.status, binding.subject, binding.holder) == ("unknown", STRANGER, None)
    assert "no holder identity" in binding.message


# -- the CLI against the real issuer stub --------------------------------------------------------------


def wallet(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SATCHEL_HOME": str(home), "SATCHEL_PASSPHRASE": PASSPHRASE}
    proc = subprocess.run([sys.executable, "-m", "wallet.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def satchel_verify(link: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "credentials._cli", "--json", "--allow-loopback", link],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    return dict(json.loads(proc.stdout.splitlines()[0]))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    assert wallet(home, "init").returncode == 0
    return home


def shared_link(home: Path, record_id: str) -> tuple[str, str]:
    """``satchel-wallet share ID --link``: the link, and what was said on stderr before it."""
    proc = wallet(home, "share", record_id, "--link", "--verifier", "https://verify.example.org", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["link"], proc.stderr


def redeemed(home: Path, stub: Stub) -> dict[str, Any]:
    offer = stub.http.post("/api/offers", json={"achievement": "healthy-menus"}).json()["credential_offer_uri"]
    proc = wallet(home, "import", "--allow-loopback", "--offer", offer, "--json")
    assert proc.returncode == 0, proc.stderr
    [outcome] = json.loads(proc.stdout)
    return dict(outcome)


def test_a_badge_issued_to_the_stubs_demo_learner_is_said_not_yours_at_import_and_refused_when_shared(
        home: Path, stub: Stub, tmp_path: Path) -> None:
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022")  # no recipient: the stub's demo learner
    demo = issued["credential"]["credentialSubject"]["id"]
    badge = tmp_path / "badge.json"
    badge.write_text(json.dumps(issued["credential"]))
    mine = json.loads(wallet(home, "profiles", "--json").stdout)[0]["did"]

    proc = wallet(home, "import", "--allow-loopback", str(badge))
    assert proc.returncode == 0, proc.stderr
    said = proc.stdout
    assert "Not yours: “Wound care basics”: This badge was issued to " in said
    assert f"(not this wallet). An employer's verifier will refuse it as not yours. (It names {short_id(demo)}.)" \
        in said
    assert "An employer's verifier will refuse it as not yours." in said
    assert "satchel-wallet import --offer LINK" in said and mine in said  # the offer flow, to this wallet's DID
    assert said.index("Not yours") < said.index("Imported 1 new")

    again = json.loads(wallet(home, "import", "--allow-loopback", str(badge), "--json").stdout)
    assert again[0]["verdict"] == "valid"  # genuine, and still not yours
    assert (again[0]["holder"]["status"], again[0]["holder"]["subject"]) == ("someone-else", demo)

    link, before = shared_link(home, again[0]["id"])
    assert before.startswith("warning: “Wound care basics”: This badge was issued to "), before
    report = satchel_verify(link)
    assert "holder-mismatch" in report["problems"], report  # what the wallet warned about, the verifier says


def test_a_badge_collected_through_an_offer_is_yours_and_the_verifier_accepts_its_share(
        home: Path, stub: Stub) -> None:
    outcome = redeemed(home, stub)
    mine = json.loads(wallet(home, "profiles", "--json").stdout)[0]["did"]
    assert outcome["verdict"] == "valid"
    assert (outcome["holder"]["status"], outcome["holder"]["subject"]) == ("holder", mine)
    link, before = shared_link(home, outcome["id"])
    assert "warning" not in before, before
    report = satchel_verify(link)
    assert report["verdict"] == "valid", report


def test_a_revoked_badge_is_warned_about_before_it_is_shared(home: Path, stub: Stub) -> None:
    outcome = redeemed(home, stub)
    shown = json.loads(wallet(home, "show", outcome["id"], "--json").stdout)
    stub.act(shown["credential"]["id"], "revoke")
    checked = wallet(home, "verify", "--allow-loopback", outcome["id"][:10])
    assert checked.returncode == 4 and "revoked" in checked.stdout, checked.stdout + checked.stderr
    link, before = shared_link(home, outcome["id"])
    assert before.startswith("warning: “Preparing healthy menus” was withdrawn (revoked) by its issuer"), before
    assert "revoked" in satchel_verify(link)["problems"]


def test_an_import_without_anyone_elses_badge_says_nothing_of_the_sort(home: Path, stub: Stub) -> None:
    mine = json.loads(wallet(home, "profiles", "--json").stdout)[0]["did"]
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022", recipient=mine)
    proc = wallet(home, "import", "--allow-loopback", "--text", json.dumps(issued["credential"]))
    assert proc.returncode == 0 and "valid" in proc.stdout, proc.stderr
    assert "Not yours" not in proc.stdout and "offer" not in proc.stdout


def test_a_folder_of_the_demo_learners_badges_is_said_not_yours_once(home: Path, tmp_path: Path) -> None:
    from issuer_stub.cli import main as issuer_main

    sample = tmp_path / "sample"
    assert issuer_main(["sample", "--out", str(sample)]) == 0
    demo = json.loads((sample / "ob3-v2-eddsa-rdfc-2022.json").read_text())["credentialSubject"]["id"]
    proc = wallet(home, "import", "-q", "--offline", "--documents", str(sample / "web.json"), str(sample))
    said = [line for line in proc.stdout.splitlines() if short_id(demo) in line]
    assert len(said) == 1, proc.stdout  # one line for every badge naming the demo learner
    assert said[0].startswith("Not yours: ") and " badges (" in said[0] and "“Donning and doffing PPE” ×" in said[0]
    assert proc.stdout.count("satchel-wallet import --offer LINK") == 1


# -- the issuer CLI's guidance ---------------------------------------------------------------------------


def issuer_cli(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ISSUER_BIN), "--state", str(state), *args], capture_output=True, text=True,
                          check=True, timeout=60)


def test_issuing_without_a_recipient_says_it_goes_to_the_demo_learner_and_how_to_issue_to_a_wallet(
        tmp_path: Path) -> None:
    issuer_cli(tmp_path, "init")
    out = tmp_path / "badge.json"
    proc = issuer_cli(tmp_path, "issue", "healthy-menus", "--out", str(out))
    demo = json.loads(out.read_text())["credentialSubject"]["id"]
    assert json.loads(proc.stdout)["recipient"] == demo
    note = proc.stderr
    assert f"issued to the stub's demo learner ({demo}), not to a wallet" in note
    assert "holder-mismatch" in note
    assert f"satchel-issuer --state {tmp_path} issue healthy-menus --recipient DID" in note
    assert f"satchel-issuer --state {tmp_path} issue healthy-menus --offer" in note

    named = issuer_cli(tmp_path, "issue", "healthy-menus", "--recipient", STRANGER, "--out", str(out))
    assert named.stderr == "" and json.loads(named.stdout)["recipient"] == STRANGER


def test_an_offer_link_says_how_a_wallet_redeems_it(tmp_path: Path) -> None:
    issuer_cli(tmp_path, "init", "--port", "9125")
    proc = issuer_cli(tmp_path, "issue", "healthy-menus", "--offer")
    assert proc.stdout.startswith("openid-credential-offer://") and proc.stdout.count("\n") == 1
    assert "serve answers at http://127.0.0.1:9125" in proc.stderr
    assert "satchel-wallet import --allow-loopback --offer LINK" in proc.stderr


def test_issue_help_says_how_to_issue_a_badge_a_wallet_can_share() -> None:
    proc = subprocess.run([str(ISSUER_BIN), "issue", "--help"], capture_output=True, text=True, check=True,
                          timeout=60)
    text = " ".join(proc.stdout.split())
    assert "--recipient DID" in text and "satchel-wallet profiles" in text
    assert "demo learner" in text and "holder-mismatch" in text and "--offer" in text


# -- every form the issuer makes: the wallet and the verifier agree ---------------------------------------

AGREEMENT_FORMS = ["ob3-v2-eddsa-rdfc-2022", "ob3-v1-ed25519signature2020", "ob3-vc-jwt", "ob3-vc-jose", "ob3-png",
                   "ob3-svg", "clr-v2-eddsa-rdfc-2022"]


def live_verdict_says_holder_mismatch(store: Store, record_id: str) -> bool:
    with make_client(GuardedTransport(allow_loopback=True)) as client:
        report = verify(present(store, [record_id]), fetcher=Fetcher(client))
    return "holder-mismatch" in report.problems


@pytest.mark.parametrize("form", AGREEMENT_FORMS)
def test_for_every_presentable_form_the_wallet_says_what_the_verifier_will(
        store: Store, live: ImportService, stub: Stub, form: str) -> None:
    for recipient, expected in ((holder_did(store), "holder"), (None, "someone-else")):
        issued = stub.issue(form, **({"recipient": recipient} if recipient else {}))
        payload = payload_of(issued)
        data = payload if isinstance(payload, bytes) else (
            payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
        outcome = live.import_bytes(data, ImportSource("file", f"{form}.bin"))
        assert outcome.id is not None and outcome.verdict == "valid", outcome
        binding = holder_binding(store, store.get_credential(outcome.id))
        assert binding.status == expected, (form, binding)
        assert live_verdict_says_holder_mismatch(store, outcome.id) == (expected == "someone-else"), form


def test_an_endorsement_is_about_its_subject_not_the_holder(store: Store, tmp_path: Path) -> None:
    from issuer_stub.cli import main as issuer_main

    sample = tmp_path / "sample"
    assert issuer_main(["sample", "--out", str(sample)]) == 0
    documents = LocalDocuments.from_file(sample / "web.json")
    service = ImportService(store, lambda: Fetcher(None, documents=documents))
    outcome = service.import_file(next(sample.glob("ob3-endorsement*.json")))
    assert outcome.id is not None, outcome.error
    binding = holder_binding(store, store.get_credential(outcome.id))
    assert binding.status == "someone-else" and binding.message.startswith("This endorsement is about ")


def test_an_ob2_recipient_in_plain_words_is_named(store: Store) -> None:
    assertion = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "urn:uuid:1",
                 "recipient": {"type": "email", "hashed": False, "identity": "sam@example.org"},
                 "badge": "https://example.org/badge", "issuedOn": "2025-01-01T00:00:00Z"}
    added = store.add_credential(json.dumps(assertion).encode(), "application/json", assertion,
                                 ImportSource("paste"))
    binding = holder_binding(store, store.get_credential(added.id))
    assert (binding.status, binding.subject) == ("unknown", "sam@example.org")
    assert "issued to the email address sam@example.org" in binding.message
