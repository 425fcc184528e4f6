"""The issuer stub's CLR 2.0 form: a ClrCredential bundling the AchievementCredentials of the
stacked pathway "Personal Support Worker foundations", each signed on its own. The engine checks
each part as ``attached`` (role ``clr-part``): a bad part is a warning on the CLR, not its verdict."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from credentials._net import Fetcher, LocalDocuments
from credentials._report import VerificationReport
from credentials._verify import verify
from issuer_stub.forms import data_integrity
from issuer_stub.issuer import CLR_FORM, Issuer
from issuer_stub.keys import ED25519_FRAGMENT
from issuer_stub.sample import write_sample
from issuer_stub.state import State
from tests.helpers import memory_fetcher
from tests.test_issuer_server import Stub, fresh_verify

PATHWAY = "psw-foundations"
PARTS = ["donning-doffing-ppe", "healthy-menus", "psw-foundations"]
SAMPLE_FILE = "clr-v2-eddsa-rdfc-2022.json"


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clr-sample")
    write_sample(out)
    return out


def _offline(sample: Path) -> Fetcher:
    return Fetcher(documents=LocalDocuments.from_file(sample / "web.json"))


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer(State(":memory:"))


def _hosted(issuer: Issuer) -> Fetcher:
    """Everything the stub would serve (did.json, status lists), answered in memory."""
    docs: dict[str, Any] = {}
    for path in issuer.hosted_paths():
        served = issuer.document(path)
        if served is not None:
            docs[issuer.base_url + path] = served.body
    return memory_fetcher(docs)


def _issue_clr(issuer: Issuer) -> dict[str, Any]:
    _, artifact = issuer.issue(PATHWAY, CLR_FORM)
    return artifact.credential


def _resign(issuer: Issuer, doc: dict[str, Any]) -> dict[str, Any]:
    """The stub signs the CLR afresh, as it stands (its proof covers whatever the parts now say)."""
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    created = datetime.fromisoformat(doc["proof"]["created"].replace("Z", "+00:00"))
    return data_integrity(unsigned, "eddsa-rdfc-2022", issuer.keys.ed25519_key, issuer.keys.method(ED25519_FRAGMENT),
                          created)


def _slug(achievement_id: str) -> str:
    return achievement_id.rsplit("/", 1)[1]


# --- the sample -----------------------------------------------------------------------------


def test_sample_has_the_clr(sample_dir: Path) -> None:
    doc = json.loads((sample_dir / SAMPLE_FILE).read_text(encoding="utf-8"))
    assert doc["type"] == ["VerifiableCredential", "ClrCredential"]
    assert "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json" in doc["@context"]
    assert doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_sample_clr_bundles_the_pathway_credentials_achievements_and_how_they_stack(sample_dir: Path) -> None:
    doc = json.loads((sample_dir / SAMPLE_FILE).read_text(encoding="utf-8"))
    subject = doc["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    parts = subject["verifiableCredential"]
    assert [p["type"] for p in parts] == [["VerifiableCredential", "AchievementCredential"]] * 3
    assert [_slug(p["credentialSubject"]["achievement"]["id"]) for p in parts] == PARTS
    assert all(p["credentialSubject"]["id"] == subject["id"] for p in parts)
    assert all(p["issuer"]["id"] == doc["issuer"]["id"] and "proof" in p for p in parts)
    assert [_slug(a["id"]) for a in subject["achievement"]] == PARTS
    assert [(a["associationType"], _slug(a["sourceId"]), _slug(a["targetId"])) for a in subject["association"]] \
        == [("isParentOf", PATHWAY, "donning-doffing-ppe"), ("isParentOf", PATHWAY, "healthy-menus")]


def test_sample_clr_verifies_valid_with_every_part_valid(sample_dir: Path) -> None:
    report = verify((sample_dir / SAMPLE_FILE).read_bytes(), fetcher=_offline(sample_dir))
    assert report.verdict == "valid" and report.problems == (), report.to_json()
    assert report.check("jsonld.safe-mode").status == "passed"
    assert report.check("proof.key-binding").status == "passed"
    assert report.check("status.revocation").status == "passed"
    assert [a.format for a in report.attached] == ["clr-part"] * 3
    for part in report.attached:
        assert part.verdict == "valid" and part.problems == (), part.to_json()
        assert part.check("proof.signature").status == "passed"
        assert part.check("status.revocation").status == "passed"
    assert "contained-credential-problem" not in report.warnings


def test_sample_clr_report_lists_its_parts(sample_dir: Path) -> None:
    out = verify((sample_dir / SAMPLE_FILE).read_bytes(), fetcher=_offline(sample_dir)).to_json()
    assert [a["role"] for a in out["attached"]] == ["clr-part"] * 3
    assert all(a["verdict"] == "valid" for a in out["attached"])


# --- tampering ------------------------------------------------------------------------------


def test_tampered_part_in_a_clr_the_issuer_signed_is_a_warning_not_a_verdict(issuer: Issuer) -> None:
    doc = copy.deepcopy(_issue_clr(issuer))
    doc["credentialSubject"]["verifiableCredential"][1]["credentialSubject"]["achievement"]["name"] = "Brain surgery"
    doc = _resign(issuer, doc)  # the CLR's own signature covers the tampered part
    report: VerificationReport = verify(doc, fetcher=_hosted(issuer))
    assert report.verdict == "valid" and report.problems == (), report.to_json()
    assert "contained-credential-problem" in report.warnings
    verdicts = [(a.verdict, a.problems) for a in report.attached]
    assert verdicts == [("valid", ()), ("invalid", ("invalid-signature",)), ("valid", ())]


def test_part_tampered_after_the_clr_was_signed_breaks_the_clr_too(issuer: Issuer) -> None:
    doc = copy.deepcopy(_issue_clr(issuer))
    doc["credentialSubject"]["verifiableCredential"][0]["name"] = "Brain surgery"
    report = verify(doc, fetcher=_hosted(issuer))
    assert report.verdict == "invalid" and report.problems == ("invalid-signature",)
    assert report.attached[0].problems == ("invalid-signature",)
    assert "contained-credential-problem" in report.warnings


def test_tampered_clr_is_an_invalid_signature(issuer: Issuer) -> None:
    doc = copy.deepcopy(_issue_clr(issuer))
    doc["credentialSubject"]["achievement"][2]["name"] = "Registered Nurse"
    report = verify(doc, fetcher=_hosted(issuer))
    assert report.verdict == "invalid" and report.problems == ("invalid-signature",), report.to_json()
    assert all(a.verdict == "valid" for a in report.attached)
    assert "contained-credential-problem" not in report.warnings


def test_untampered_clr_from_the_issuer_is_valid(issuer: Issuer) -> None:
    report = verify(_issue_clr(issuer), fetcher=_hosted(issuer))
    assert report.verdict == "valid" and len(report.attached) == 3, report.to_json()


def test_clr_of_an_achievement_that_stacks_nothing_bundles_just_it(issuer: Issuer) -> None:
    _, artifact = issuer.issue("wound-care-basics", CLR_FORM)
    subject = artifact.credential["credentialSubject"]
    assert len(subject["verifiableCredential"]) == 1 and "association" not in subject
    report = verify(artifact.credential, fetcher=_hosted(issuer))
    assert report.verdict == "valid" and [a.verdict for a in report.attached] == ["valid"]


# --- over HTTP ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stub]:
    s = Stub(tmp_path_factory.mktemp("clr-issuer-state"), port=0)
    yield s
    if s.proc.poll() is None:
        s.stop()


def test_clr_issued_over_http_verifies_and_its_parts_can_be_revoked(stub: Stub) -> None:
    resp = stub.http.post("/api/issue", json={"achievement": PATHWAY, "form": CLR_FORM})
    assert resp.status_code == 201, resp.text
    issued = resp.json()
    assert issued["form"] == CLR_FORM and issued["mediaType"] == "application/vc+ld+json"
    clr = issued["credential"]
    report = fresh_verify(clr)
    assert report["verdict"] == "valid", report
    assert [(a["role"], a["verdict"]) for a in report["attached"]] == [("clr-part", "valid")] * 3

    part_id = clr["credentialSubject"]["verifiableCredential"][0]["id"]
    assert stub.http.get(f"/api/credentials/{part_id}").json()["achievement"] == "donning-doffing-ppe"
    assert stub.http.post(f"/api/credentials/{part_id}/revoke").status_code == 200
    report = fresh_verify(clr)
    assert report["verdict"] == "valid" and "contained-credential-problem" in report["warnings"], report
    assert report["attached"][0]["problems"] == ["revoked"]

    assert stub.http.post(f"/api/credentials/{issued['id']}/revoke").status_code == 200
    report = fresh_verify(clr)
    assert report["verdict"] == "invalid" and report["problems"] == ["revoked"]


def test_server_lists_the_clr_form(stub: Stub) -> None:
    assert CLR_FORM in stub.http.get("/").json()["forms"]
