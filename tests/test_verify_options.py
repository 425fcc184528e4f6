"""Verification options as parameters (vc.js style): the proof suites and status methods a
verification may use are VerifyOptions fields and ``verify`` keywords, bundled ones by default."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from credentials._checks._context import VerifyOptions
from credentials._checks.status_methods import STATUS_CHECKERS, StatusContext, StatusOutcome
from credentials._formats import ParsedInput
from credentials._net import Fetcher
from credentials._proofs import SUITES
from credentials._report import CheckId, passed
from credentials._status import encode_list, set_status
from credentials._verify import verify, verify_parsed
from tests.helpers import VC2, ed25519_signer, memory_fetcher, ob3_credential

AT = datetime(2026, 11, 22, tzinfo=UTC)
LIST_URL = "https://status.example.org/lists/7"


def _without(name: str) -> dict[str, Any]:
    return {k: v for k, v in SUITES.items() if k != name}


def test_the_bundled_suites_and_status_checkers_are_the_defaults() -> None:
    opts = VerifyOptions(fetcher=Fetcher(None), at=AT)
    assert opts.suites is SUITES
    assert opts.status_checkers is STATUS_CHECKERS
    nested = opts.nested(check_status=False)
    assert nested.suites is SUITES and nested.status_checkers is STATUS_CHECKERS


def test_options_without_a_suite_report_its_proofs_unsupported() -> None:
    signer = ed25519_signer()
    signed = signer.sign(ob3_credential(signer.did), "eddsa-rdfc-2022")
    assert verify(signed, at=AT).verdict == "valid"
    opts = VerifyOptions(fetcher=Fetcher(None), at=AT, suites=_without("eddsa-rdfc-2022"))
    report = verify_parsed(ParsedInput("vc", document=signed), opts)
    assert report.problems == ("unsupported-proof-type",)
    check = report.check(CheckId.PROOF_SIGNATURE)
    assert check is not None and check.status == "could-not-check"
    assert "eddsa-rdfc-2022" in check.message


def test_verify_takes_the_suites_as_a_keyword() -> None:
    signer = ed25519_signer()
    signed = signer.sign(ob3_credential(signer.did), "eddsa-jcs-2022")
    assert verify(signed, at=AT, suites=_without("eddsa-jcs-2022")).problems == ("unsupported-proof-type",)
    assert verify(signed, at=AT, suites=_without("eddsa-rdfc-2022")).verdict == "valid"


def _with_status(entry: dict[str, Any], *contexts: str) -> dict[str, Any]:
    signer = ed25519_signer()
    doc = ob3_credential(signer.did, credentialStatus=entry)
    doc["@context"].extend(contexts)
    return signer.sign(doc)


def test_a_custom_status_checker_is_called_for_its_type() -> None:
    entry = {"id": f"{LIST_URL}#3", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
             "statusListIndex": "3", "statusListCredential": LIST_URL}
    cred = _with_status(entry)
    calls: list[tuple[Any, Any, StatusContext]] = []

    def registry_lookup(credential: dict[str, Any], status: dict[str, Any], context: StatusContext) -> StatusOutcome:
        calls.append((credential["id"], status, context))
        return StatusOutcome(passed(CheckId.STATUS_REVOCATION, "Not revoked: the registry says so."))

    report = verify(cred, at=AT, status_checkers={"BitstringStatusListEntry": registry_lookup})
    assert report.verdict == "valid", report.to_json()
    check = report.check(CheckId.STATUS_REVOCATION)
    assert check is not None and check.message == "Not revoked: the registry says so."
    assert len(calls) == 1
    credential_id, status, context = calls[0]
    assert credential_id == cred["id"] and status == entry
    assert context.at == AT  # the verification's time and fetcher are the checker's


def test_a_status_type_without_a_checker_is_status_unknown() -> None:
    cred = _with_status({"id": "https://status.example.org/revocations", "type": "1EdTechRevocationList"},
                        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
    checkers = {k: v for k, v in STATUS_CHECKERS.items() if k != "1EdTechRevocationList"}
    report = verify(cred, at=AT, status_checkers=checkers)
    assert report.problems == ("status-unknown",)
    check = report.check(CheckId.STATUS)
    assert check is not None and "does not know the status type" in check.message


def test_the_status_list_credential_is_verified_with_the_same_suites() -> None:
    """A status list signed with a suite the verification leaves out cannot be read: unknown, never
    "not revoked"."""
    issuer = ed25519_signer()
    bits = bytearray(16 * 1024)
    set_status(bits, 5, 1)
    status_list = {
        "@context": [VC2], "id": LIST_URL, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did, "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": LIST_URL + "#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": encode_list(bytes(bits))},
    }
    cred = issuer.sign(ob3_credential(issuer.did, credentialStatus={
        "id": f"{LIST_URL}#5", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
        "statusListIndex": "5", "statusListCredential": LIST_URL}), "eddsa-rdfc-2022")
    fetcher = memory_fetcher({LIST_URL: issuer.sign(status_list, "eddsa-jcs-2022")})
    assert verify(cred, fetcher=fetcher, at=AT).problems == ("revoked",)
    fetcher = memory_fetcher({LIST_URL: issuer.sign(status_list, "eddsa-jcs-2022")})
    report = verify(cred, fetcher=fetcher, at=AT, suites=_without("eddsa-jcs-2022"))
    assert report.problems == ("status-unknown",)
    check = report.check(CheckId.STATUS_REVOCATION)
    assert check is not None and "unsupported-proof-type" in check.message
