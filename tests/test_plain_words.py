"""The plain words both apps show (credentials._plain): one jargon-free headline for every check id
and status, the engine's message kept as the detail, and the graded verdict (trusted / genuine /
problem / could not check) read from real reports of the issuer stub's sample credentials."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from credentials import (
    CHECK_STATUS_WORDS,
    GRADE_WORDS,
    CheckId,
    Fetcher,
    Grade,
    LocalDocuments,
    Status,
    TrustList,
    VerificationReport,
    grade_json,
    grade_of,
    grade_report,
    plain_check,
    plain_checks,
    verify,
)
from tests.helpers import VC2, ed25519_signer, ob3_credential

# What a person should never have to read in a headline: DIDs, suite names and years, JSON-LD
# keywords, URNs, the data model's name, the "(no challenge)" aside.
JARGON = ("did:", "rdfc", "jcs", "2022", "2019", "2020", "@context", "urn:", "data model", "json-ld", "jsonld",
          "(no challenge)", "eddsa", "ecdsa", "proofpurpose", "verificationmethod", "http")
STATUSES = [str(s) for s in Status]
AT = datetime(2026, 11, 22, tzinfo=UTC)
STUB_ISSUER = "did:web:127.0.0.1%3A8765"  # the issuer the stub's samples name (satchel-issuer sample)


def _no_jargon(text: str) -> None:
    lowered = text.lower()
    assert not [j for j in JARGON if j in lowered], text


@pytest.mark.parametrize("check_id", list(CheckId), ids=str)
@pytest.mark.parametrize("status", STATUSES)
def test_every_check_and_status_has_its_own_plain_headline(check_id: CheckId, status: str) -> None:
    plain = plain_check(check_id, status, "the engine's own sentence")
    assert plain.headline and plain.headline != "Another check"
    _no_jargon(plain.headline)
    if "." in check_id or "-" in check_id:  # the id is for "Details", not the headline
        assert str(check_id) not in plain.headline.lower()
    assert len(plain.headline) <= 100, "a headline is one short line"
    assert plain.detail == "the engine's own sentence" and plain.id == str(check_id)
    assert plain.status_word == CHECK_STATUS_WORDS[status]


@pytest.mark.parametrize("check_id", list(CheckId), ids=str)
def test_a_passed_check_never_reads_like_a_failed_one(check_id: CheckId) -> None:
    assert plain_check(check_id, "passed", "").headline != plain_check(check_id, "failed", "").headline


def test_the_status_words_are_the_same_everywhere_and_never_not_applicable() -> None:
    assert CHECK_STATUS_WORDS["skipped"] == "Not checked"
    assert set(CHECK_STATUS_WORDS) == set(STATUSES)
    assert "Not applicable" not in CHECK_STATUS_WORDS.values()


def test_an_unknown_check_id_gets_a_neutral_headline_not_its_id() -> None:
    plain = plain_check("some.future-check", "passed", "It is fine.")
    assert plain.headline == "Another check" and plain.detail == "It is fine." and plain.status_word == "Passed"


@pytest.mark.parametrize("grade", list(Grade))
def test_each_grade_says_what_it_means_and_what_to_do(grade: Grade) -> None:
    words = GRADE_WORDS[grade]
    for text in (words.headline, words.explanation, words.next_step):
        assert text
        _no_jargon(text)
    assert len({GRADE_WORDS[g].headline for g in Grade}) == len(Grade)


# -- grades from real reports ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from issuer_stub.cli import main as issuer_main

    out = tmp_path_factory.mktemp("samples")
    assert issuer_main(["sample", "--out", str(out)]) == 0
    return out


def _check(samples: Path, name: str, *, trust: TrustList | None = None, offline_documents: bool = True) -> Any:
    """Verify a sample with the stub's documents answering (its DID document, status lists), or with
    nothing answering (``offline_documents=False``: no network, nothing saved)."""
    docs = LocalDocuments.from_file(samples / "web.json") if offline_documents else None
    text = (samples / name).read_text()
    data = json.loads(text) if name.endswith(".json") else text.strip()
    return verify(data, fetcher=Fetcher(None, documents=docs), trust=trust)


def _trusting(*issuers: str) -> TrustList:
    return TrustList.from_json({"meta": {"name": "Care sector registry"},
                                "registry": {i: {"name": "Riverside Community College"} for i in issuers}})


def _grades(report: VerificationReport) -> tuple[Grade, Grade]:
    """The grade of the report object and of its JSON form (what the history stores): they must agree."""
    return grade_report(report), grade_json(report.to_json())


@pytest.mark.parametrize("name", ["ob3-v2-eddsa-rdfc-2022.json", "ob3-v1-ed25519signature2020.json",
                                  "ob3-vc-jwt.jwt", "ob3-v2-eddsa-jcs-2022.json"])
def test_a_sound_badge_from_an_issuer_on_the_trust_list_is_trusted(samples: Path, name: str) -> None:
    report = _check(samples, name, trust=_trusting(STUB_ISSUER))
    assert report.verdict == "valid"
    assert _grades(report) == (Grade.TRUSTED, Grade.TRUSTED)


def test_the_same_badge_from_an_issuer_not_on_the_list_is_genuine_not_trusted(samples: Path) -> None:
    report = _check(samples, "ob3-v2-eddsa-rdfc-2022.json", trust=_trusting("did:web:other-college.example"))
    assert report.verdict == "valid" and report.check(CheckId.ISSUER_KNOWN).status == "warning"
    assert _grades(report) == (Grade.GENUINE, Grade.GENUINE)
    assert GRADE_WORDS[Grade.GENUINE].headline == "Genuine, issuer not on your list"


def test_without_a_trust_list_a_sound_badge_is_genuine(samples: Path) -> None:
    report = _check(samples, "ob3-v2-eddsa-rdfc-2022.json")
    assert report.check(CheckId.ISSUER_KNOWN).status == "skipped"
    assert _grades(report) == (Grade.GENUINE, Grade.GENUINE)


@pytest.mark.parametrize("name", ["ob3-v2-eddsa-rdfc-2022-revoked.json", "ob3-v2-eddsa-rdfc-2022-expired.json",
                                  "ob3-vc-jwt-suspended.jwt"])
def test_a_revoked_expired_or_suspended_badge_is_a_problem_even_from_a_trusted_issuer(samples: Path,
                                                                                        name: str) -> None:
    report = _check(samples, name, trust=_trusting(STUB_ISSUER))
    assert report.verdict == "invalid" and report.check(CheckId.ISSUER_KNOWN).status == "passed"
    assert _grades(report) == (Grade.PROBLEM, Grade.PROBLEM)
    failed = [p for p in plain_checks(report.checks) if p.status == "failed"]
    assert failed and all(p.status_word == "Failed" for p in failed)


def test_a_badge_whose_issuer_cannot_be_reached_could_not_be_checked(samples: Path) -> None:
    report = _check(samples, "ob3-v2-eddsa-rdfc-2022.json", trust=_trusting(STUB_ISSUER), offline_documents=False)
    assert report.verdict == "unverifiable"
    assert _grades(report) == (Grade.COULD_NOT_CHECK, Grade.COULD_NOT_CHECK)
    plain = plain_checks(report.checks)
    assert any(p.status == "could-not-check" and p.status_word == "Could not check" for p in plain)


def test_the_plain_checks_of_a_real_report_keep_the_engines_words_as_detail(samples: Path) -> None:
    report = _check(samples, "ob3-v2-eddsa-rdfc-2022.json")
    plain = plain_checks(report.checks)
    assert [p.id for p in plain] == [c.id for c in report.checks]
    assert [p.detail for p in plain] == [c.message for c in report.checks]
    assert plain_checks(report.to_json()["checks"]) == plain
    signature = next(p for p in plain if p.id == CheckId.PROOF_SIGNATURE)
    assert signature.headline == "Signature intact: it has not been changed since it was signed"
    assert "eddsa-rdfc-2022" in signature.detail  # the technical words stay, behind "Details"
    for p in plain:
        _no_jargon(p.headline)


def _presentation(*credentials: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    holder = ed25519_signer()
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did,
          "verifiableCredential": list(credentials)}
    return holder.sign(vp, proof_purpose="authentication"), holder


def test_a_presentation_is_trusted_only_when_every_credential_in_it_is() -> None:
    known, unknown = ed25519_signer(), ed25519_signer()
    holder = ed25519_signer()
    creds = [known.sign(ob3_credential(known.did, subject=holder.did)),
             unknown.sign(ob3_credential(unknown.did, subject=holder.did))]
    vp = holder.sign({"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did,
                      "verifiableCredential": creds}, proof_purpose="authentication")
    both = verify(vp, at=AT, trust=_trusting(known.did, unknown.did))
    one = verify(vp, at=AT, trust=_trusting(known.did))
    assert both.verdict == one.verdict == "valid"
    assert _grades(both) == (Grade.TRUSTED, Grade.TRUSTED)
    assert _grades(one) == (Grade.GENUINE, Grade.GENUINE)
    # the presentation's own checks name no issuer: alone they never make it trusted
    assert grade_of("valid", both.checks) is Grade.GENUINE


def test_a_presentation_of_someone_elses_badge_is_a_problem() -> None:
    issuer, owner = ed25519_signer(), ed25519_signer()
    vp, _holder = _presentation(issuer.sign(ob3_credential(issuer.did, subject=owner.did)))
    report = verify(vp, at=AT, trust=_trusting(issuer.did))
    assert _grades(report) == (Grade.PROBLEM, Grade.PROBLEM)
    holder_check = report.check(CheckId.PRESENTATION_HOLDER)
    assert holder_check is not None
    assert plain_check(holder_check.id, holder_check.status, holder_check.message).headline == \
        "Sent by someone other than the person it was issued to"
