"""The wallet's words for people, verdicts and shares, from real credentials in a real store:
"Issued to you" for the wallet's own DID (and never a DID in the words), the graded verdict from the
stored report (a trust list naming the issuer makes it trusted), look-alike cards saying what tells
them apart, a verifier named by its request's client_metadata (confirmed only from its own address),
and share history lines that say how (QR code, link) and whether they can be withdrawn."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from credentials import GRADE_WORDS, Fetcher, Grade, TrustList
from tests.helpers import ed25519_signer, ob3_credential
from wallet.app.badge_facts import badge_facts, date_and_time
from wallet.app.disclosure import badge_summary, issued_to_words, share_line
from wallet.app.services.badges import cards_of
from wallet.app.services.request import who_is_asking
from wallet.app.wording import explain_report
from wallet.holder_binding import holder_binding
from wallet.importer import ImportService
from wallet.share import parse_request
from wallet.store import Argon2idParams, Store

PASSPHRASE = "a long enough passphrase"
FAST_KDF = Argon2idParams(memory_kib=1024, iterations=1, lanes=1)  # tests only
STRANGER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.create(tmp_path / "wallet.satchel", PASSPHRASE, kdf=FAST_KDF) as s:
        s.create_profile("Me")
        yield s


def mine(store: Store) -> str:
    profile = store.default_profile()
    assert profile is not None
    return profile.did


def imported(store: Store, doc: dict[str, Any], trust: TrustList | None = None) -> str:
    outcome = ImportService(store, lambda: Fetcher(None), trust=trust).import_text(json.dumps(doc))
    assert outcome.id is not None, outcome.error
    return outcome.id


def test_a_badge_for_this_wallet_reads_issued_to_you_and_someone_else_s_names_no_did(store: Store) -> None:
    issuer = ed25519_signer()
    own = imported(store, issuer.sign(ob3_credential(issuer.did, subject=mine(store), id="urn:uuid:1")))
    theirs = imported(store, issuer.sign(ob3_credential(issuer.did, subject=STRANGER, id="urn:uuid:2")))
    for record_id, words in ((own, "You"), (theirs, "Someone else (not this wallet)")):
        record = store.get_credential(record_id)
        said = issued_to_words(holder_binding(store, record), badge_facts(record.credential))
        assert said == words and "did:" not in said
    title, lines = badge_summary(store, store.get_credential(own))
    assert title.endswith("” from Northside College")
    assert "issued to you" in lines and "presented by you, signed with this wallet's key" in lines
    assert not any("did:" in line or "urn:" in line or "T00:00" in line for line in (title, *lines))


def test_the_graded_verdict_is_trusted_only_when_a_trust_list_names_the_issuer(store: Store) -> None:
    issuer = ed25519_signer()
    listed = TrustList.from_json({"registry": {issuer.did: {"name": "Northside College"}}})
    plain = imported(store, issuer.sign(ob3_credential(issuer.did, subject=mine(store), id="urn:uuid:3")))
    vouched = imported(store, issuer.sign(ob3_credential(issuer.did, subject=mine(store), id="urn:uuid:4")),
                       trust=listed)
    genuine = explain_report(store.get_credential(plain).report).verdict
    trusted = explain_report(store.get_credential(vouched).report).verdict
    assert (genuine.grade, genuine.headline) == (Grade.GENUINE, GRADE_WORDS[Grade.GENUINE].headline)
    assert (trusted.grade, trusted.headline) == (Grade.TRUSTED, GRADE_WORDS[Grade.TRUSTED].headline)
    assert genuine.next_step and trusted.next_step != genuine.next_step
    checks = explain_report(store.get_credential(plain).report).checks
    assert checks and all(c.headline and c.status_word for c in checks)
    assert "Not applicable" not in {c.status_word for c in checks}  # the engine's word: "Not checked"

    tampered = ob3_credential(issuer.did, subject=mine(store), id="urn:uuid:5")
    signed = issuer.sign(tampered)
    signed["credentialSubject"]["achievement"]["name"] = "Something else"
    problem = explain_report(store.get_credential(imported(store, signed)).report).verdict
    assert problem.grade is Grade.PROBLEM


def test_look_alike_cards_say_what_tells_them_apart(store: Store) -> None:
    issuer = ed25519_signer()
    for n, moment in enumerate(("2026-03-14T09:00:00Z", "2026-03-14T14:02:00Z")):
        imported(store, issuer.sign(ob3_credential(issuer.did, subject=mine(store), id=f"urn:uuid:6{n}",
                                                   validFrom=moment)))
    imported(store, issuer.sign(ob3_credential(issuer.did, subject=mine(store), id="urn:uuid:70",
                                               validFrom="2026-05-01T00:00:00Z")))
    cards = cards_of(store.list_credentials(limit=None).items)
    alike = [c for c in cards if c.issued == "14 Mar 2026"]
    assert len(alike) == 2 and len({c.tells_apart for c in alike}) == 2
    assert {c.tells_apart for c in alike} == {f"Another copy: issued {date_and_time('2026-03-14T09:00:00Z')}",
                                              f"Another copy: issued {date_and_time('2026-03-14T14:02:00Z')}"}
    assert [c.tells_apart for c in cards if c.issued == "1 May 2026"] == [""]


def request_json(**extra: Any) -> dict[str, Any]:
    return {"verifiablePresentationRequest": {
        "query": [{"type": "QueryByExample", "credentialQuery": {"example": {"type": "OpenBadgeCredential"}}}],
        "challenge": "c-123", "domain": "verifier.example", **extra}}


def test_who_is_asking_is_the_request_s_client_name_confirmed_only_from_its_own_address() -> None:
    named = parse_request(json.dumps(request_json(client_metadata={"client_name": "  Maple Grove\nCare Home "})))
    name, note = who_is_asking(named)
    assert name == "Maple Grove Care Home" and note.startswith("Not confirmed")  # pasted: anyone could write it
    assert who_is_asking(parse_request(json.dumps(request_json())))[0] == ""


def test_share_history_lines_say_how_when_and_whether_they_can_be_withdrawn(store: Store) -> None:
    issuer = ed25519_signer()
    cid = imported(store, issuer.sign(ob3_credential(issuer.did, subject=mine(store), id="urn:uuid:8")))
    until = datetime.now(UTC) + timedelta(days=7)
    qr = store.record_share(cid, "Maple Grove Care Home", expires_at=until, details={"channel": "qr", "kind": "code"})
    relay = store.record_share(cid, "Acme Care", expires_at=until, details={"channel": "link", "kind": "relay"})
    inline = store.record_share(cid, "Acme Care", expires_at=until, details={"channel": "link", "kind": "inline"})
    now = datetime.now(UTC)
    lines = {e.id: share_line(e, [e.credential_name], now) for e in store.list_shares()}
    assert (lines[qr.id].way, lines[qr.id].withdrawable) == ("QR code", False)
    assert (lines[relay.id].way, lines[relay.id].withdrawable) == ("Link", True)
    assert (lines[inline.id].way, lines[inline.id].withdrawable) == ("Link", False)
    assert lines[qr.id].shared_at == date_and_time(qr.shared_at) and ":" in lines[qr.id].shared_at
