"""Verification history: a real SQLite file in the verifier's data directory, CSV with stable
columns, and a printable PDF report per verification (fpdf2)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from credentials import DocumentMapTransport, Fetcher, make_client, verify
from tests.helpers import VC2, ed25519_signer, ob3_credential
from verifier.history import CSV_COLUMNS, History, facts_of, history_csv, pdf_report, verifier_home, write_csv

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    subprocess.run([sys.executable, "-m", "issuer_stub.cli", "sample", "--out", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    return out


def _verify_file(sample: Path, name: str):  # noqa: ANN202 - engine report
    # fetched over a transport, as the verifier app fetches: the status check knows when
    fetcher = Fetcher(make_client(DocumentMapTransport.from_file(sample / "web.json")))
    return verify((sample / name).read_bytes(), fetcher=fetcher)


def test_history_lives_in_the_verifier_home(tmp_path: Path) -> None:
    home = verifier_home({"SATCHEL_VERIFIER_HOME": str(tmp_path / "vh")})  # the environment, as the app reads it
    assert home == tmp_path / "vh"
    history = History.open(home)
    assert history.path == tmp_path / "vh" / "history.sqlite3" and history.path.is_file()
    history.close()


def test_entries_keep_report_source_and_summary_and_survive_reopening(sample: Path, tmp_path: Path) -> None:
    history = History.open(tmp_path)
    good = history.add(_verify_file(sample, "ob3-v2-eddsa-rdfc-2022.json"), "paste")
    bad = history.add(_verify_file(sample, "ob3-v2-eddsa-rdfc-2022-revoked.json"), "camera")
    history.close()
    again = History.open(tmp_path)
    entries = again.list()
    assert [e.id for e in entries] == [bad.id, good.id]  # newest first
    first = again.get(good.id)
    assert first is not None and first.verdict == "valid" and first.source == "paste"
    assert first.grade == "genuine" and first.answer == "Genuine, issuer not on your list"  # no trust list used
    assert first.achievement == "Donning and doffing PPE"
    assert first.issuer.startswith("Riverside Community College") and first.issuer_known is False
    # the sample names its learner by a did:key only: the summary says so, the key is in the facts' details
    assert first.subject == "No name given: known only by a digital key"
    assert first.facts.credentials[0].subject_id.startswith("did:key:")
    assert first.record["checks"] and first.record["document"]["type"] == ["VerifiableCredential",
                                                                         "OpenBadgeCredential"]
    revoked = again.get(bad.id)
    assert revoked is not None and revoked.verdict == "invalid" and "revoked" in revoked.record["problems"]
    assert revoked.grade == "problem" and revoked.answer == "Problem"
    assert again.delete(good.id) is True and again.delete(good.id) is False
    assert [e.id for e in again.list()] == [bad.id] and again.count() == 1
    again.close()


def test_facts_name_competencies_credits_evidence_dates_and_status_as_of(sample: Path) -> None:
    from verifier.history import record_of

    facts = facts_of(record_of(_verify_file(sample, "ob3-v2-eddsa-rdfc-2022.json")))
    cred = facts.credentials[0]
    assert facts.answer == "Genuine, issuer not on your list" and cred.kind == "Open Badge 3.0"
    # each result with what it measures (its ResultDescription's name), never a bare number
    assert cred.results == ("Observed demonstration: Completed", "Knowledge check: 92")
    assert any("IPAC-1" in c for c in cred.competencies)
    assert cred.credits == "0.5 credits earned" or "credit" in cred.credits
    assert cred.evidence and cred.issued and cred.status_as_of
    assert {"proof.signature", "status.revocation"} <= {c["id"] for c in cred.checks}


def test_presentation_lists_each_credential(tmp_path: Path) -> None:
    issuer, holder = ed25519_signer(), ed25519_signer()
    creds = [issuer.sign(ob3_credential(issuer.did, subject=holder.did)),
             issuer.sign(ob3_credential(issuer.did, subject=holder.did, id="urn:uuid:2", name="Second"))]
    creds[1]["credentialSubject"]["achievement"]["name"] = "Second"
    creds[1] = issuer.sign({k: v for k, v in creds[1].items() if k != "proof"})
    vp = holder.sign({"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did,
                      "verifiableCredential": creds}, proof_purpose="authentication")
    history = History.open(tmp_path)
    entry = history.add(verify(vp), "link")
    assert entry.credentials == 2 and entry.achievement == "Wound care basics; Second"
    facts = entry.facts
    assert facts.is_presentation and facts.holder_id == holder.did and len(facts.credentials) == 2
    assert facts.holder_is_subject is True  # both were issued to the one presenting them
    history.close()


def test_csv_has_stable_columns_and_defuses_formulas(sample: Path, tmp_path: Path) -> None:
    history = History.open(tmp_path)
    history.add(_verify_file(sample, "ob3-v2-eddsa-rdfc-2022.json"), "paste")
    issuer = ed25519_signer()
    evil = ob3_credential(issuer.did)
    evil["issuer"]["name"] = "=HYPERLINK(\"http://evil\")"
    history.add(verify(issuer.sign(evil)), "image")
    text = history_csv(history.everything())
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 3 and all(len(r) == len(CSV_COLUMNS) for r in rows)
    by = [dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]]
    assert by[0]["verdict"] == "valid" and by[0]["answer"] == "Genuine, issuer not on your list"
    assert by[0]["source"] == "paste"
    assert by[0]["issuer_known"] == "no (self-asserted)"
    assert by[1]["issuer"].startswith("'=")  # a spreadsheet shows it as text, never runs it
    out = write_csv(tmp_path / "history.csv", history.everything())
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,verified_at,")
    history.close()


def _pdf_text(pdf: bytes) -> str:
    """The text shown by an uncompressed PDF made with core fonts: the strings of its Tj operators."""
    text = pdf.decode("latin-1")
    streams = re.findall(r"stream\r?\n(.*?)endstream", text, re.S)
    out = []
    for s in streams:
        try:
            s = zlib.decompress(s.encode("latin-1")).decode("latin-1")
        except zlib.error:
            pass
        out.extend(m.replace("\\(", "(").replace("\\)", ")") for m in re.findall(r"\((.*?)(?<!\\)\)\s*Tj", s))
    return " ".join(out)


def test_pdf_report_is_a_valid_pdf_with_every_fact_and_check(sample: Path, tmp_path: Path) -> None:
    history = History.open(tmp_path)
    entry = history.add(_verify_file(sample, "ob3-v2-eddsa-rdfc-2022.json"), "paste")
    pdf = pdf_report(entry, unicode=False, compress=False)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    words = _pdf_text(pdf)
    for expected in ("Genuine, issuer not on your list", "What to do: Check the issuer's name",
                     "Checked: 'Donning and doffing PPE' from Riverside", "Donning and doffing PPE",
                     "Riverside Community College", "the issuer's own claim", "IPAC-1", "credits", "Status as of",
                     "Every check", "Signature intact: it has not been changed since it was signed",
                     "check proof.signature", "check status.revocation", "is intact", "Not revoked"):
        assert expected in words, expected
    revoked = history.add(_verify_file(sample, "ob3-v2-eddsa-rdfc-2022-revoked.json"), "camera")
    words = _pdf_text(pdf_report(revoked, unicode=False, compress=False))
    assert "Problem" in words and "Revoked by the issuer" in words and "Do not rely on it" in words


def test_pdf_report_with_unicode_font_is_a_pdf(sample: Path, tmp_path: Path) -> None:
    history = History.open(tmp_path)
    issuer = ed25519_signer()
    doc = ob3_credential(issuer.did)
    doc["issuer"]["name"] = "École Ōtautahi – 北京"
    entry = history.add(verify(issuer.sign(doc)), "paste")
    pdf = pdf_report(entry)
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-32:]
    assert len(pdf) > 2000 and json.dumps(entry.record)  # the record stays JSON
    history.close()


def test_pdf_report_prints_long_ids_whole_numbers_pages_and_owns_up_to_missing_characters(tmp_path: Path) -> None:
    history = History.open(tmp_path)
    issuer = ed25519_signer()
    subject = "did:jwk:" + "eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6IjExcWZB" * 3
    doc = ob3_credential(issuer.did, subject=subject)
    doc["credentialSubject"]["achievement"]["name"] = "Soins infirmiers 高级护理"
    doc["credentialSubject"]["achievement"]["description"] = "Wound care, step by step. " * 60  # over a page
    entry = history.add(verify(issuer.sign(doc)), "link")
    assert entry.facts.credentials[0].subject != subject  # the screen shows it shortened
    words = _pdf_text(pdf_report(entry, unicode=False, compress=False))
    assert subject in words.replace(" ", "")  # the report has it whole, wrapped inside its column
    assert "How it came" in words and "Share link" in words
    assert "Verifiable Credential (JSON-LD)" in words
    assert re.search(r"Page 1 of\s+2\b", words) and re.search(r"Page 2 of\s+2\b", words)  # a footer on each page
    assert f"verification {entry.id}" in words
    assert "U+9AD8 U+7EA7 U+62A4 U+7406" in words and "print as ?" in words
    plain = history.add(_verify_signed_ascii(), "paste")
    assert "have no font" not in _pdf_text(pdf_report(plain, unicode=False, compress=False))
    history.close()


def _verify_signed_ascii():  # noqa: ANN202 - engine report
    issuer = ed25519_signer()
    return verify(issuer.sign(ob3_credential(issuer.did)))


def test_an_ob2_badge_checked_in_the_app_is_named_by_its_badge_class_not_its_url(sample: Path, tmp_path: Path) -> None:
    """The app's result, history, CSV and PDF read the BadgeClass and issuer the check fetched."""
    from verifier.app.engine import VerifierEngine
    from verifier.app.settings import AppSettings

    engine = VerifierEngine(AppSettings(home=tmp_path, documents=str(sample / "web.json"), offline=True))
    try:
        entry = engine.verify_given(engine.read_text((sample / "ob2-hosted.json").read_text()), "paste")
    finally:
        engine.close()
    cred = entry.facts.credentials[0]
    assert entry.verdict == "valid" and cred.kind == "Open Badge 2.0"
    assert cred.achievement == "Donning and doffing PPE" and cred.issuer.startswith("Riverside Community College")


def test_a_clrs_own_credentials_are_its_parts_not_endorsements_on_screen_and_in_the_pdf(
        sample: Path, tmp_path: Path) -> None:
    report = _verify_file(sample, "clr-v2-eddsa-rdfc-2022.json")
    entry = History.open(tmp_path).add(report, "paste")
    facts = entry.facts
    held = [c["credentialSubject"]["achievement"]["name"]
            for c in report.credential["credentialSubject"]["verifiableCredential"]]
    assert [p.achievement for p in facts.parts] == held and len(held) == 3
    assert facts.endorsements == ()  # the sample CLR has no endorsements: its parts are not shown as such
    assert all(p.checks and p.grade for p in facts.parts)  # each part checked on its own
    only = facts.credentials[0]
    assert only.achievement == report.credential["name"] and only.competencies == ()  # not its first part's
    words = _pdf_text(pdf_report(entry, unicode=False, compress=False))
    for name in held:
        assert f"In this record: {name} from " in words
    assert "Endorsement by" not in words
