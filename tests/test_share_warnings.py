"""Warnings before sharing (``wallet.share.warnings``), from the wallet's own verdicts on real
credentials: signed and verified offline (tampered, expired, not yet valid, unsigned, someone
else's), or issued by the real issuer stub through an offer and revoked or suspended there; and the
app's share flow (warned, then "Share anyway" once, or "Cancel") and its "not yours" lines."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from credentials._net import Fetcher
from tests.helpers import ed25519_signer, holder_did, imported, ob3_credential
from tests.stub_server import Stub
from wallet.importer import ImportService
from wallet.share.warnings import ShareWarning, sharing_warnings
from wallet.store import Store

STRANGER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def xsd(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def signed(subject: str, **extra: Any) -> dict[str, Any]:
    issuer = ed25519_signer()
    return issuer.sign(ob3_credential(issuer.did, subject=subject, **extra))


def codes(warnings: list[ShareWarning]) -> list[str]:
    return [w.code for w in warnings]


# -- from the stored verdict and the credential -------------------------------------------------------


def test_a_genuine_badge_of_ones_own_gets_no_warning(store: Store) -> None:
    rid = imported(store, signed(holder_did(store)))
    assert store.get_summary(rid).verdict == "valid"
    assert sharing_warnings(store, [rid]) == []


def test_a_badge_changed_after_signing_is_warned_about_as_tampered(store: Store) -> None:
    doc = signed(holder_did(store))
    doc["credentialSubject"]["achievement"]["name"] = "Advanced wound care"  # the signature no longer matches
    rid = imported(store, doc)
    assert "invalid-signature" in store.get_summary(rid).problems
    [warning] = sharing_warnings(store, [rid])
    assert (warning.code, warning.credential_id) == ("tampered", rid)
    assert "“Advanced wound care” failed its signature check" in warning.message


def test_an_expired_badge_is_warned_about_with_its_date(store: Store) -> None:
    rid = imported(store, signed(holder_did(store), validUntil="2025-06-30T00:00:00Z"))
    assert "expired" in store.get_summary(rid).problems
    [warning] = sharing_warnings(store, [rid])
    assert warning.code == "expired" and "expired on 30 Jun 2025" in warning.message


def test_a_badge_that_expired_since_its_last_check_is_warned_about_too(store: Store) -> None:
    ends = datetime.now(UTC) + timedelta(days=1)
    rid = imported(store, signed(holder_did(store), validUntil=xsd(ends)))
    assert store.get_summary(rid).verdict == "valid"
    assert sharing_warnings(store, [rid], now=ends - timedelta(hours=1)) == []
    [warning] = sharing_warnings(store, [rid], now=ends + timedelta(days=1))
    assert warning.code == "expired" and f"expired on {ends:%d %b %Y}" in warning.message


def test_a_badge_not_valid_yet_is_warned_about(store: Store) -> None:
    rid = imported(store, signed(holder_did(store), validFrom=xsd(datetime.now(UTC) + timedelta(days=30))))
    assert codes(sharing_warnings(store, [rid])) == ["not-yet-valid"]


def test_an_unsigned_badge_is_warned_about_in_the_engines_words(store: Store) -> None:
    rid = imported(store, ob3_credential("did:example:college", subject=holder_did(store)))
    [warning] = sharing_warnings(store, [rid])
    assert warning.code == "invalid" and "carries no digital signature" in warning.message


def test_someone_elses_badge_is_warned_about_and_each_warning_names_its_badge(store: Store) -> None:
    own = imported(store, signed(holder_did(store)))
    tampered = signed(STRANGER)
    tampered["credentialSubject"]["achievement"]["name"] = "Borrowed badge"
    other = imported(store, tampered)
    warnings = sharing_warnings(store, [own, other, own])  # asked twice: said once
    assert [(w.code, w.credential_id) for w in warnings] == [("tampered", other), ("someone-else", other)]
    assert warnings[1].message.startswith("“Borrowed badge”: This badge was issued to someone else (not this wallet)")
    assert "refuse it as not yours" in warnings[1].message
    assert warnings[1].to_json() == {"code": "someone-else", "message": warnings[1].message, "credential": other}


def test_the_warning_follows_the_profile_that_presents(store: Store) -> None:
    work = store.create_profile("Work")
    rid = imported(store, signed(work.did))
    assert codes(sharing_warnings(store, [rid])) == ["someone-else"]
    assert sharing_warnings(store, [rid], profile_id=work.id) == []


# -- the real issuer: revoked and suspended -------------------------------------------------------------


def collected(live: ImportService, stub: Stub) -> tuple[str, str]:
    """A badge redeemed through the stub's offer (issued to the wallet's DID): record id, credential id."""
    offer = stub.http.post("/api/offers", json={"achievement": "healthy-menus"}).json()["credential_offer_uri"]
    outcome = live.redeem_offer(offer)
    assert outcome.id is not None and outcome.verdict == "valid", outcome
    return outcome.id, str(stub.http.get("/api/credentials").json()[-1]["id"])


def test_revoked_then_suspended_then_reinstated_as_the_wallet_last_checked(
        store: Store, live: ImportService, stub: Stub) -> None:
    rid, cid = collected(live, stub)
    credential = store.get_credential(rid).credential
    assert credential is not None and credential["id"] == cid
    assert sharing_warnings(store, [rid]) == []
    stub.act(cid, "suspend")
    assert sharing_warnings(store, [rid]) == []  # the wallet's verdict is its last check's
    live.reverify([rid])
    [warning] = sharing_warnings(store, [rid])
    assert warning.code == "suspended" and "“Preparing healthy menus” was put on hold" in warning.message
    stub.act(cid, "reinstate")
    stub.act(cid, "revoke")
    live.reverify([rid])
    [warning] = sharing_warnings(store, [rid])
    checked = store.get_summary(rid).verified_at
    assert checked is not None
    assert warning.message == (f"“Preparing healthy menus” was withdrawn (revoked) by its issuer, as of Satchel's "
                               f"last check ({checked:%d %b %Y}): a verifier will say so.")


# -- the app: warned before sharing; "not yours" at import and on the badge -------------------------------


class LoopbackNetwork:
    """The app's network port for these tests: loopback fetches only, no HTTP client for offers."""

    def client(self) -> None:
        return None

    def new_fetcher(self) -> Fetcher:
        return Fetcher(None)

    def import_service(self, store: Any, trust: Any = None) -> Any:
        return ImportService(store, lambda: Fetcher(None))

    def forget_wallet(self) -> None:
        pass

    def fetch_image(self, url: str) -> bytes | None:
        return None

    def close(self) -> None:
        pass


def app_services(store: Store, tmp_path: Path) -> Any:
    from wallet.app.services import WalletServices
    from wallet.app.state import AppState
    from wallet.settings import WalletSettings

    services = WalletServices(AppState(), WalletSettings(home=tmp_path), LoopbackNetwork())
    services._store = store  # opened here, as Session.unlock would
    services._importer = ImportService(store, lambda: Fetcher(None))
    return services


def test_the_app_warns_before_sharing_then_shares_anyway_once_or_cancels(store: Store, tmp_path: Path) -> None:
    own, other = imported(store, signed(holder_did(store))), imported(store, signed(STRANGER))
    services = app_services(store, tmp_path)
    share = services.state.share

    share.selected = [own]
    assert asyncio.run(services.warn_before_sharing("qr")) is True and share.warnings == []

    share.selected = [own, other]
    assert asyncio.run(services.warn_before_sharing("link")) is False
    assert len(share.warnings) == 1 and "not this wallet" in share.warnings[0]
    assert (share.warned_way, share.warned_for) == ("link", [own, other])
    services.cancel_share()
    assert (share.warnings, share.warned_way, share.warned_for) == ([], "", [])

    assert asyncio.run(services.warn_before_sharing("qr")) is False
    assert services.share_anyway() == "qr" and (share.warnings, share.warned_for) == ([], [])
    assert asyncio.run(services.warn_before_sharing("link")) is False  # the next share is warned about again
    assert share.warned_way == "link"


def test_the_app_says_not_yours_on_the_import_line_and_on_the_badge(store: Store, tmp_path: Path) -> None:
    services = app_services(store, tmp_path)
    foreign = ImportService(store, lambda: Fetcher(None)).import_text(json.dumps(signed(STRANGER)))
    line = services._line_with_binding(foreign)
    assert line.ok and line.message == "Wound care basics added: Genuine, issuer not on your list."
    assert line.not_yours.startswith("This badge was issued to someone else (not this wallet)")
    assert "“Redeem an issuer offer” on the Import screen collects it" in line.not_yours
    assert "Settings shows it under Profiles" in line.not_yours
    assert "did:" not in line.not_yours  # a main screen names people, not DIDs (issue 17)

    asyncio.run(services.open_badge(foreign.id))
    assert services.state.detail.not_yours == line.not_yours

    own = ImportService(store, lambda: Fetcher(None)).import_text(json.dumps(signed(holder_did(store), name="Mine")))
    assert services._line_with_binding(own).not_yours == ""
    asyncio.run(services.open_badge(own.id))
    assert services.state.detail.not_yours == ""
