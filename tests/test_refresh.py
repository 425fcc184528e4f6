"""OB 3.0 refresh (1EdTech Verifiable Credential Refresh Service 1.0, ``1EdTechCredentialRefresh``):
:func:`credentials._checks.refresh.refresh_credential` against the issuer stub running as a real
process, whose ``ob3-v2-refreshable`` form names ``GET /refresh/<uuid>``."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from credentials._checks.refresh import refresh_credential
from credentials._net import Fetcher, GuardedTransport, make_client
from credentials._report import CheckResult, Status
from tests.stub_server import Overlay, Stub, json_rewrite, verify_live

FORM = "ob3-v2-refreshable"


def refresh(doc: dict[str, Any], transport: Any = None, **fetcher_args: Any) -> tuple[dict[str, Any] | None,
                                                                                     CheckResult]:
    with make_client(transport or GuardedTransport(allow_loopback=True)) as client:
        return refresh_credential(doc, Fetcher(client, **fetcher_args))


def xsd(dt: datetime) -> str:
    return dt.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def expired_one(stub: Stub) -> dict[str, Any]:
    now = datetime.now(UTC)
    issued = stub.issue(FORM, validFrom=xsd(now - timedelta(days=400)), validUntil=xsd(now - timedelta(days=30)))
    return dict(issued["credential"])


def assert_failed(result: tuple[dict[str, Any] | None, CheckResult], *words: str) -> str:
    refreshed, check = result
    assert refreshed is None
    assert check.id == "refresh" and check.status == Status.WARNING and check.warning == "refresh-failed"
    assert check.problem is None  # a failed refresh is never a verdict by itself
    for w in words:
        assert w in check.message, check.message
    return check.message


# -- the stub's side -----------------------------------------------------------------------------


def test_the_refreshable_form_names_its_refresh_service(stub: Stub) -> None:
    issued = stub.issue(FORM)
    cred = issued["credential"]
    uid = issued["id"].removeprefix("urn:uuid:")
    assert cred["refreshService"] == {"id": f"{stub.base}/refresh/{uid}", "type": "1EdTechCredentialRefresh"}
    assert "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json" in cred["@context"]
    assert verify_live(cred).problems == ()


def test_the_refresh_endpoint(stub: Stub) -> None:
    issued = stub.issue(FORM)
    uid = issued["id"].removeprefix("urn:uuid:")
    resp = stub.http.get(f"/refresh/{uid}")
    assert resp.status_code == 200 and resp.headers["cache-control"] == "no-cache"
    assert resp.headers["content-type"] == "application/vc+ld+json"
    plain = stub.issue("ob3-v2-eddsa-rdfc-2022")["id"].removeprefix("urn:uuid:")
    for missing in (plain, "00000000-0000-0000-0000-000000000000"):
        gone = stub.http.get(f"/refresh/{missing}")
        assert gone.status_code == 404 and gone.json()["error"] == "not_found"


# -- refreshing ----------------------------------------------------------------------------------


def test_an_expired_credential_refreshes_into_a_valid_one(stub: Stub) -> None:
    original = expired_one(stub)
    assert verify_live(original, refresh=False).problems == ("expired",)
    refreshed, check = refresh(original)
    assert check.status == Status.PASSED and original["refreshService"]["id"] in check.message
    assert refreshed is not None
    assert refreshed["id"] == original["id"] and refreshed["issuer"] == original["issuer"]
    assert refreshed["credentialSubject"] == original["credentialSubject"]
    until = datetime.fromisoformat(refreshed["validUntil"].replace("Z", "+00:00"))
    assert until > datetime.now(UTC) + timedelta(days=300)
    assert refreshed["proof"] != original["proof"]
    assert verify_live(refreshed).problems == ()


def test_the_pipeline_judges_the_refreshed_copy_of_an_expired_credential(stub: Stub) -> None:
    original = expired_one(stub)
    report = verify_live(original)
    assert report.problems == (), report.to_json()["checks"]
    check = report.check("refresh")
    assert check is not None and check.status == Status.PASSED
    assert report.credential is not None and report.credential["validUntil"] != original["validUntil"]


def test_a_refreshed_copy_that_does_not_verify_falls_back_to_the_held_one(stub: Stub, overlay: Overlay) -> None:
    original = expired_one(stub)
    overlay.rewrite(original["refreshService"]["id"],
                    json_rewrite(lambda real: {**real, "name": "Tampered on the way"}))
    report = verify_live(original, overlay)
    assert report.problems == ("expired",)
    assert "refresh-failed" in report.warnings


def test_the_refreshed_copy_keeps_its_status(stub: Stub) -> None:
    issued = stub.issue(FORM)
    stub.act(issued["id"], "revoke")
    refreshed, check = refresh(issued["credential"])
    assert check.status == Status.PASSED and refreshed is not None
    assert refreshed["credentialStatus"] == issued["credential"]["credentialStatus"]
    assert verify_live(refreshed).problems == ("revoked",)


def test_refresh_asks_once(stub: Stub, overlay: Overlay) -> None:
    """OB 3.0: refresh once, even though the refreshed copy names a refresh service too."""
    original = expired_one(stub)
    refreshed, _ = refresh(original, overlay)
    assert refreshed is not None and "refreshService" in refreshed
    assert overlay.seen.count(original["refreshService"]["id"]) == 1
    assert len(overlay.seen) == 1


def test_a_refreshed_copy_that_does_not_verify_is_caught_by_the_pipeline(stub: Stub, overlay: Overlay) -> None:
    """refresh_credential checks the copy's identity, not its proof; verifying it (with refresh
    off) is the pipeline's job, which then falls back to the original."""
    original = expired_one(stub)
    url = original["refreshService"]["id"]
    overlay.rewrite(url, lambda body: json.dumps({**json.loads(body), "name": "Brain Surgery"}).encode())
    refreshed, check = refresh(original, overlay)
    assert check.status == Status.PASSED and refreshed is not None
    assert verify_live(refreshed).problems == ("invalid-signature",)


# -- nothing to refresh with ---------------------------------------------------------------------


def test_no_refresh_service_is_skipped(stub: Stub) -> None:
    cred = stub.issue("ob3-v2-eddsa-rdfc-2022")["credential"]
    refreshed, check = refresh(cred)
    assert refreshed is None and check.status == Status.SKIPPED and check.warning is None


def test_another_refresh_type_is_skipped(stub: Stub, overlay: Overlay) -> None:
    cred = {**stub.issue(FORM)["credential"]}
    cred["refreshService"] = {"id": cred["refreshService"]["id"], "type": "VerifiableCredentialRefreshService2021"}
    refreshed, check = refresh(cred, overlay)
    assert refreshed is None and check.status == Status.SKIPPED
    assert "VerifiableCredentialRefreshService2021" in check.message and overlay.seen == []


def test_the_first_1edtech_service_of_a_list_is_used(stub: Stub) -> None:
    cred = {**stub.issue(FORM)["credential"]}
    cred["refreshService"] = [{"id": "https://elsewhere.invalid/r", "type": "ManualRefreshService2018"},
                              cred["refreshService"]]
    refreshed, check = refresh(cred)
    assert check.status == Status.PASSED and refreshed is not None


def test_offline_is_skipped_not_failed(stub: Stub) -> None:
    refreshed, check = refresh_credential(stub.issue(FORM)["credential"], Fetcher(None))
    assert refreshed is None and check.status == Status.SKIPPED and "no network" in check.message


# -- refresh fails: warning, original kept ------------------------------------------------------------


def test_refresh_service_404(stub: Stub, overlay: Overlay) -> None:
    cred = stub.issue(FORM)["credential"]
    overlay.answer(cred["refreshService"]["id"], 404, {"error": "not_found"})
    assert_failed(refresh(cred, overlay), "could not be reached", "HTTP 404", "as it is held")


def test_refresh_service_down(stub: Stub, tmp_path: Path) -> None:
    own = Stub(tmp_path / "state")
    cred = own.issue(FORM)["credential"]
    assert own.stop() == 0
    assert_failed(refresh(cred), "could not be reached", cred["refreshService"]["id"])


def test_refresh_service_on_a_closed_port(stub: Stub) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cred = {**stub.issue(FORM)["credential"]}
    cred["refreshService"] = {**cred["refreshService"], "id": f"http://127.0.0.1:{port}/refresh/x"}
    assert_failed(refresh(cred), "could not be reached", "the server could not be reached")


def test_refresh_service_at_a_private_address_is_not_asked(stub: Stub) -> None:
    cred = {**stub.issue(FORM)["credential"]}
    cred["refreshService"] = {**cred["refreshService"], "id": "https://169.254.169.254/latest/meta-data/"}
    assert_failed(refresh(cred), "was not asked", "private or local addresses are never fetched")


@pytest.mark.parametrize("answer,words", [
    (b"<html>Service Unavailable</html>", ("did not answer JSON",)),
    (b"eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln", ("answered a JWT",)),
    (b"[1, 2, 3]", ("not answer a verifiable credential",)),
    (json.dumps({"type": ["Profile"], "id": "x"}).encode(), ("not answer a verifiable credential",)),
])
def test_refresh_answers_that_are_not_a_credential(stub: Stub, overlay: Overlay, answer: bytes,
                                                   words: tuple[str, ...]) -> None:
    cred = stub.issue(FORM)["credential"]
    overlay.answer(cred["refreshService"]["id"], 200, answer, "application/json")
    assert_failed(refresh(cred, overlay), *words)


@pytest.mark.parametrize("change,words", [
    (lambda d: {k: v for k, v in d.items() if k != "proof"}, ("unsigned",)),
    (lambda d: {**d, "id": "urn:uuid:00000000-0000-0000-0000-000000000001"}, ("another credential",)),
    (lambda d: {**d, "issuer": {**d["issuer"], "id": "did:web:attacker.example"}}, ("another issuer",)),
    (lambda d: {**d, "credentialSubject": {**d["credentialSubject"], "id": "did:example:someone-else"}},
     ("someone else",)),
])
def test_refresh_answers_another_credential(stub: Stub, overlay: Overlay, change: Any,
                                            words: tuple[str, ...]) -> None:
    cred = stub.issue(FORM)["credential"]
    overlay.rewrite(cred["refreshService"]["id"], lambda body: json.dumps(change(json.loads(body))).encode())
    assert_failed(refresh(cred, overlay), *words)


def test_refresh_answer_over_the_size_cap(stub: Stub) -> None:
    cred = stub.issue(FORM)["credential"]
    assert_failed(refresh(cred, max_bytes=512), "larger than 512 bytes")


def test_refresh_service_without_a_url(stub: Stub) -> None:
    cred = {**stub.issue(FORM)["credential"]}
    cred["refreshService"] = {"type": "1EdTechCredentialRefresh", "id": "ftp://127.0.0.1/r"}
    assert_failed(refresh(cred), "no http(s) URL")


def test_refresh_never_raises(stub: Stub) -> None:
    class Exploding(Fetcher):
        def get_bytes(self, url: str, accept: str = "application/json") -> bytes:
            raise RuntimeError("boom")

    refreshed, check = refresh_credential(stub.issue(FORM)["credential"], Exploding(None))
    assert refreshed is None and check.warning == "refresh-failed" and "RuntimeError" in check.message
