"""credentials.read_facts: what a credential says, read from real issued credentials (the issuer
stub's every form, verified first, as the apps do) and from hostile shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import credentials
from issuer_stub.sample import write_sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    write_sample(out)
    return out


def _verified(sample: Path, name: str) -> tuple[credentials.VerificationReport, credentials.Fetcher]:
    transport = credentials.DocumentMapTransport.from_file(sample / "web.json")
    fetcher = credentials.Fetcher(credentials.make_client(transport))
    return credentials.verify((sample / name).read_bytes(), fetcher=fetcher), fetcher


@pytest.mark.parametrize("name", ["ob3-v2-eddsa-rdfc-2022.json", "ob3-vc-jwt.jwt", "ob3-vc-jose.jwt",
                                  "ob3-v1-ed25519signature2020.json", "ob3-v2-eddsa-rdfc-2022.png"])
def test_read_facts_of_an_issued_open_badge_3_names_what_it_certifies(sample: Path, name: str) -> None:
    report, _ = _verified(sample, name)
    assert report.verdict == credentials.Verdict.VALID
    facts = credentials.read_facts(report.credential)
    assert facts.form == "Open Badge 3.0" and facts.name == "Donning and doffing PPE"
    assert facts.issuer is not None and "Riverside Community College" in facts.issuer.name
    assert facts.issuer.id.startswith("did:")
    assert facts.subject_id.startswith("did:key:") and facts.issued[:4].isdigit()
    assert facts.alignments and all(a.name for a in facts.alignments)
    assert facts.results and all(r.value for r in facts.results)
    assert facts.evidence and facts.criteria and facts.learning_outcomes
    assert set(a.name for a in facts.alignments) <= set(facts.skills)


def test_read_facts_of_a_clr_uses_its_own_name_and_lists_its_parts(sample: Path) -> None:
    report, _ = _verified(sample, "clr-v2-eddsa-rdfc-2022.json")
    facts = credentials.read_facts(report.credential)
    assert facts.form == "Comprehensive Learner Record" and facts.kind == "ClrCredential"
    assert facts.name == report.credential["name"]
    first_badge = facts.parts[0].name
    assert len(facts.parts) == 3 and first_badge and facts.name != first_badge
    assert all(p.form == "Open Badge 3.0" and p.name for p in facts.parts)


@pytest.mark.parametrize("name", ["ob2-hosted.json", "ob2-signed.jws"])
def test_read_facts_of_an_ob2_assertion_reads_its_badge_class_through_the_fetcher(sample: Path, name: str) -> None:
    report, fetcher = _verified(sample, name)
    assert report.verdict == credentials.Verdict.VALID
    assert credentials.read_facts(report.credential).name == ""  # no fetcher: nothing fetched
    facts = credentials.read_facts(report.credential, fetcher=fetcher)
    assert facts.form == "Open Badge 2.0" and facts.name == "Donning and doffing PPE"
    assert facts.issuer is not None and "Riverside" in facts.issuer.name
    assert facts.recipient_hashed and facts.subject_id == ""


def test_read_facts_of_a_vc_jwt_payload_takes_issuer_and_dates_from_the_claims() -> None:
    payload = {"iss": "did:example:issuer", "nbf": 1_767_225_600, "exp": 1_798_761_600,
               "vc": {"type": ["VerifiableCredential", "OpenBadgeCredential"],
                      "credentialSubject": {"achievement": {"name": "Knots"}}}}
    facts = credentials.read_facts(payload)
    assert (facts.name, facts.issuer, facts.issued, facts.valid_until) == (
        "Knots", credentials.Party(name="", id="did:example:issuer"), "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")


def test_read_facts_bounds_what_a_hostile_credential_makes_it_read() -> None:
    huge = {"type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "x" * 1_000_000,
            "credentialSubject": {"achievement": {
                "name": {"@value": "y" * 50_000},
                "alignment": [{"targetName": f"skill {i}"} for i in range(10_000)]}},
            "evidence": [{"name": "e"}] * 10_000}
    facts = credentials.read_facts(huge)
    assert len(facts.name) == 4_000 and len(facts.alignments) == 200 and len(facts.evidence) == 200
    for odd in (None, [], "text", 42, {"credentialSubject": "not an object"}, {"badge": ["x"]}):
        assert credentials.read_facts(odd).name == ""  # type: ignore[arg-type]


def test_read_facts_takes_language_maps_and_value_objects() -> None:
    doc = json.loads('{"type": "VerifiableCredential", "credentialSubject": {"achievement": '
                     '{"name": {"en": "Welding"}, "description": [{"@value": "Arc welding", "@language": "en"}]}}}')
    facts = credentials.read_facts(doc)
    assert (facts.name, facts.description) == ("Welding", "Arc welding")
