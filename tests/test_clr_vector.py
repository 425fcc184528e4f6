"""CLR 2.0: the bundled contexts, and the 1EdTech CLR 2.0 signed test vector (canonical N-Quads
byte for byte, its signature and the signature of the AchievementCredential it bundles)."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from credentials._jsonld import canonize, canonize_reference, expand_safe, load_context
from credentials._verify import verify
from tests.helpers import memory_fetcher

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "clr"
VECTOR = FIXTURES / "clrv2p0-impl-guide-ldp-vector.signed.json"
OB3_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "1edtech-ob3"

CLR_201 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CLR_UNVERSIONED = "https://purl.imsglobal.org/spec/clr/v2p0/context.json"
ODRL = "https://www.w3.org/ns/odrl.jsonld"
OB_LEGACY_V1 = "https://w3id.org/openbadges/legacy-v1"

# Published in the same chapter of the OB 3.0 implementation guide as the vector.
ISSUER = "https://example.edu/issuers/565049"
MULTIKEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
DOCUMENT_HASH = "768d7015ae69e0210e1c2a45194d9c1d15d7a6022e52b946574a2a27f6fa85fe"
CONTROLLER = {
    "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
    "id": ISSUER,
    "assertionMethod": [{"id": f"{ISSUER}#{MULTIKEY}", "type": "Multikey", "controller": ISSUER,
                         "publicKeyMultibase": MULTIKEY}],
}
AT = datetime(2024, 1, 1, tzinfo=UTC)


def _vector() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(VECTOR.read_text(encoding="utf-8"))
    return doc


def _without_proof(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "proof"}


# --- bundled contexts ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CLR_201, CLR_UNVERSIONED, ODRL, OB_LEGACY_V1])
def test_context_is_bundled(url: str) -> None:
    assert "@context" in load_context(url)


def test_clr_context_scopes_clr_terms_to_its_types() -> None:
    ctx = load_context(CLR_201)["@context"]
    subject = ctx["ClrSubject"]["@context"]
    assert {"achievement", "association", "verifiableCredential"} <= set(subject)
    assert "@context" in ctx["ClrCredential"] and "@context" in ctx["Association"]


def test_vc_examples_v1_context_resolves_its_odrl_import() -> None:
    doc = {"@context": ["https://www.w3.org/2018/credentials/v1", "https://www.w3.org/2018/credentials/examples/v1"],
           "id": "http://example.edu/credentials/1872", "type": ["VerifiableCredential", "AlumniCredential"],
           "issuer": "https://example.edu/issuers/565049", "issuanceDate": "2010-01-01T19:23:24Z",
           "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21", "alumniOf": "Example University"}}
    assert "<https://example.org/examples#AlumniCredential>" in canonize(doc)
    assert canonize(doc) == canonize_reference(doc)


def test_open_badges_v1_context_resolves_its_legacy_import() -> None:
    doc = {"@context": "https://w3id.org/openbadges/v1", "type": "Assertion", "id": "https://example.org/a/1",
           "uid": "abc", "issuedOn": "2016-01-01T00:00:00Z", "badge": "https://example.org/b/1",
           "recipient": {"type": "email", "hashed": False, "identity": "learner@example.org"},
           "verify": {"type": "hosted", "url": "https://example.org/a/1"}}
    out = canonize(doc)
    assert "<https://w3id.org/openbadges#Assertion>" in out
    assert out == canonize_reference(doc)


# --- the 1EdTech CLR 2.0 vector -----------------------------------------------------------------


@pytest.mark.parametrize("canon", [canonize, canonize_reference], ids=["fast", "reference"])
def test_vector_document_hash_matches_the_implementation_guide(canon: Any) -> None:
    out = canon(_without_proof(_vector()))
    assert hashlib.sha256(out.encode("utf-8")).hexdigest() == DOCUMENT_HASH


@pytest.mark.skipif(not OB3_CORPUS.is_dir(), reason="shared corpus not available")
@pytest.mark.parametrize("canon", [canonize, canonize_reference], ids=["fast", "reference"])
def test_vector_canonicalizes_to_the_published_nquads(canon: Any) -> None:
    doc = _vector()
    assert canon(_without_proof(doc)) == (OB3_CORPUS / "clrv2p0__document-canon.txt").read_text(encoding="utf-8")
    proof = doc["proof"][0]
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = doc["@context"]
    assert canon(config) == (OB3_CORPUS / "clrv2p0__proof-canon.txt").read_text(encoding="utf-8")


def test_vector_passes_safe_mode() -> None:
    expand_safe(_without_proof(_vector()))


def test_vector_verifies_with_every_part() -> None:
    report = verify(_vector(), fetcher=memory_fetcher({ISSUER: CONTROLLER}), at=AT)
    assert report.verdict == "valid", report.to_json()
    assert report.check("proof.signature").status == "passed"
    assert [a.format for a in report.attached] == ["clr-part"]
    part = report.attached[0]
    assert part.verdict == "valid" and part.check("proof.signature").status == "passed"
    assert "contained-credential-problem" not in report.warnings


def test_vector_with_a_tampered_part_warns_but_keeps_its_verdict() -> None:
    doc = _vector()
    doc["credentialSubject"]["verifiableCredential"][0]["name"] = "Doctor of Medicine"
    report = verify(doc, fetcher=memory_fetcher({ISSUER: CONTROLLER}), at=AT)
    # The part is inside the signed CLR, so the CLR's own signature breaks too.
    assert "invalid-signature" in report.problems
    assert "invalid-signature" in report.attached[0].problems
    assert "contained-credential-problem" in report.warnings


def test_vector_tampered_outside_its_parts_is_invalid() -> None:
    doc = copy.deepcopy(_vector())
    doc["credentialSubject"]["achievement"][1]["name"] = "Achievement 3"
    report = verify(doc, fetcher=memory_fetcher({ISSUER: CONTROLLER}), at=AT)
    assert report.verdict == "invalid" and report.problems == ("invalid-signature",)
    assert report.attached[0].verdict == "valid"
