"""Open Badges 2.0 hosted verification: the issuer's own copies decide."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
from PIL import Image

from credentials._formats.images import bake_png
from credentials._net import Fetcher, make_client
from credentials._verify import verify
from tests.helpers import memory_fetcher

AT = datetime(2026, 11, 22, tzinfo=UTC)
ISSUER = "https://badges.northside.edu/issuer.json"
BADGE = "https://badges.northside.edu/badges/wound-care.json"
ASSERTION = "https://badges.northside.edu/assertions/123.json"


def _docs(**assertion_extra):
    assertion = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": ASSERTION,
                 "recipient": {"type": "email", "hashed": True,
                               "identity": "sha256$c7ef86405ba71b85acd8e2e95166c4b111448089f2e1599f42fe1bba46e865c5"},
                 "badge": BADGE, "issuedOn": "2025-03-01T00:00:00Z", "verification": {"type": "hosted"},
                 **assertion_extra}
    badge = {"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass", "id": BADGE,
             "name": "Wound care basics", "description": "Cleans and dresses simple wounds.",
             "image": "https://badges.northside.edu/img/wound.png",
             "criteria": {"narrative": "Practical assessment"}, "issuer": ISSUER}
    issuer = {"@context": "https://w3id.org/openbadges/v2", "type": "Issuer", "id": ISSUER,
              "name": "Northside College", "url": "https://northside.edu", "email": "badges@northside.edu"}
    return {ASSERTION: assertion, BADGE: badge, ISSUER: issuer}


def test_hosted_assertion_verifies_from_issuer_copies() -> None:
    docs = _docs()
    report = verify(json.dumps(docs[ASSERTION]), fetcher=memory_fetcher(docs), at=AT)
    assert report.verdict == "valid", report.to_json()


def test_hosted_copy_is_trusted_not_the_one_presented() -> None:
    docs = _docs(revoked=True, revocationReason="Issued in error")
    presented = dict(docs[ASSERTION])
    presented.pop("revoked")
    report = verify(json.dumps(presented), fetcher=memory_fetcher(docs), at=AT)
    assert report.problems == ("revoked",)


def test_expired_assertion_is_expired() -> None:
    docs = _docs(expires="2026-01-01T00:00:00Z")
    assert verify(json.dumps(docs[ASSERTION]), fetcher=memory_fetcher(docs), at=AT).problems == ("expired",)


def test_assertion_hosted_outside_issuer_scope_is_refused() -> None:
    docs = _docs()
    evil = "https://evil.example/assertions/123.json"
    docs[evil] = {**docs[ASSERTION], "id": evil}
    report = verify(json.dumps(docs[evil]), fetcher=memory_fetcher(docs), at=AT)
    assert report.problems == ("issuer-key-mismatch",)


def test_issuer_verification_allowed_origins_extends_scope() -> None:
    docs = _docs()
    cdn = "https://cdn.example.net/a/123.json"
    docs[cdn] = {**docs[ASSERTION], "id": cdn}
    docs[ISSUER]["verification"] = {"allowedOrigins": ["cdn.example.net", "badges.northside.edu"]}
    assert verify(json.dumps(docs[cdn]), fetcher=memory_fetcher(docs), at=AT).verdict == "valid"


def test_gone_hosted_assertion_is_revoked() -> None:
    docs = _docs()

    def handler(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if url == ASSERTION:
            return httpx.Response(410)
        return httpx.Response(200, json=docs[url]) if url in docs else httpx.Response(404)

    fetcher = Fetcher(make_client(httpx.MockTransport(handler)))
    assert verify(json.dumps(docs[ASSERTION]), fetcher=fetcher, at=AT).problems == ("revoked",)


def test_unreachable_hosted_assertion_is_could_not_check() -> None:
    docs = _docs()
    report = verify(json.dumps(docs[ASSERTION]), fetcher=Fetcher(None), at=AT)
    assert report.problems == ("unreachable",)
    assert report.verdict == "unverifiable"


def test_baked_png_with_hosted_assertion_and_with_url_verify(tmp_path) -> None:
    docs = _docs()
    Image.new("RGB", (8, 8), "teal").save(tmp_path / "b.png")
    plain = (tmp_path / "b.png").read_bytes()
    for payload in (json.dumps(docs[ASSERTION]), ASSERTION):
        baked = bake_png(plain, payload, ob_version="2.0")
        report = verify(baked, fetcher=memory_fetcher(docs), at=AT)
        assert report.verdict == "valid", (payload[:30], report.to_json())


def test_recipient_identity_hash_matches_the_stated_email_only() -> None:
    import hashlib

    docs = _docs()
    digest = hashlib.sha256(b"learner@example.com" + b"deadsea").hexdigest()
    docs[ASSERTION]["recipient"] = {"type": "email", "hashed": True, "salt": "deadsea",
                                    "identity": f"sha256${digest}"}
    fetcher = memory_fetcher(docs)
    ok = verify(json.dumps(docs[ASSERTION]), fetcher=fetcher, at=AT, identity="Learner@Example.com")
    assert ok.verdict == "valid" and ok.check("recipient").status == "passed"
    other = verify(json.dumps(docs[ASSERTION]), fetcher=fetcher, at=AT, identity="someone@example.com")
    assert other.problems == ("recipient-mismatch",)


def test_badge_class_without_criteria_is_malformed() -> None:
    docs = _docs()
    del docs[BADGE]["criteria"]
    assert verify(json.dumps(docs[ASSERTION]), fetcher=memory_fetcher(docs), at=AT).problems == ("malformed",)


def test_hosted_assertion_whose_context_is_not_ob2_is_malformed() -> None:
    docs = _docs()
    docs[ASSERTION]["@context"] = "https://www.w3.org/ns/credentials/v2"
    report = verify(json.dumps({"type": "Assertion", "id": ASSERTION, "verification": {"type": "hosted"},
                                "recipient": {}, "badge": BADGE}), fetcher=memory_fetcher(docs), at=AT)
    assert report.problems == ("malformed",)
    assert "Open Badges 2.0 context" in report.checks[0].message


def test_hosted_assertion_whose_type_is_not_assertion_is_malformed() -> None:
    docs = _docs()
    docs[ASSERTION]["type"] = "BadgeClass"
    report = verify(json.dumps(docs[ASSERTION]), fetcher=memory_fetcher(docs), at=AT)
    assert report.problems == ("malformed",)
    assert "not Assertion" in report.checks[0].message


OB1_URL = "https://badges.northside.edu/ob1/abc123.json"
OB1_BADGE = "https://badges.northside.edu/ob1/badge.json"
OB1_ISSUER = "https://badges.northside.edu/ob1/issuer.json"
OB1 = {"uid": "abc123", "recipient": {"type": "email", "hashed": True, "salt": "deadsea",
                                      "identity": "sha256$" + __import__("hashlib").sha256(
                                          b"learner@example.orgdeadsea").hexdigest()},
       "badge": OB1_BADGE, "issuedOn": "2014-05-01", "verify": {"type": "hosted", "url": OB1_URL}}


def _ob1_docs(**changes) -> dict:
    badge = {"name": "Wound care (2014)", "description": "Cleans and dresses simple wounds.",
             "image": "https://badges.northside.edu/ob1/badge.png", "criteria": "https://badges.northside.edu/ob1/c",
             "issuer": OB1_ISSUER}
    issuer = {"name": "Northside College", "url": "https://northside.edu"}
    return {OB1_URL: {**OB1, **changes}, OB1_BADGE: badge, OB1_ISSUER: issuer}


def test_open_badges_1_0_hosted_badge_verifies_from_the_issuers_copy() -> None:
    report = verify(json.dumps(OB1), fetcher=memory_fetcher(_ob1_docs()), at=AT)
    assert report.verdict == "valid", report.to_json()
    assert report.checks[0].message.startswith("An Open Badges 1.0 badge")
    assert report.credential is not None and report.credential["badge"]["name"] == "Wound care (2014)"


def test_open_badges_1_0_badge_checks_its_recipient() -> None:
    docs = _ob1_docs()
    mine = verify(json.dumps(OB1), fetcher=memory_fetcher(docs), at=AT, identity="learner@example.org")
    assert mine.verdict == "valid"
    assert verify(json.dumps(OB1), fetcher=memory_fetcher(docs), at=AT,
                  identity="someone@example.org").problems == ("recipient-mismatch",)


def test_open_badges_1_0_gone_is_revoked_and_expired_is_expired() -> None:
    gone = Fetcher(make_client(httpx.MockTransport(lambda r: httpx.Response(410))))
    assert verify(json.dumps(OB1), fetcher=gone, at=AT).problems == ("revoked",)
    docs = _ob1_docs(expires="2020-01-01")
    assert verify(json.dumps({**OB1, "expires": "2020-01-01"}), fetcher=memory_fetcher(docs), at=AT).problems \
        == ("expired",)


def test_open_badges_1_0_hosted_elsewhere_than_its_issuer_is_refused() -> None:
    evil = "https://evil.example/abc123.json"
    docs = _ob1_docs(verify={"type": "hosted", "url": evil})
    docs[evil] = docs.pop(OB1_URL)
    report = verify(json.dumps({**OB1, "verify": {"type": "hosted", "url": evil}}), fetcher=memory_fetcher(docs), at=AT)
    assert report.problems == ("issuer-key-mismatch",)


def test_open_badges_1_0_presented_copy_must_be_the_hosted_one() -> None:
    report = verify(json.dumps({**OB1, "uid": "other"}), fetcher=memory_fetcher(_ob1_docs()), at=AT)
    assert report.problems == ("malformed",)


def test_open_badges_1_0_baked_url_leads_to_the_1_0_badge() -> None:
    baked = bake_png(_png(), OB1_URL, ob_version="2.0")
    assert verify(baked, fetcher=memory_fetcher(_ob1_docs()), at=AT).verdict == "valid"


def test_open_badges_1_0_hosted_badge_offline_is_unreachable_at_its_verify_url() -> None:
    baked = bake_png(_png(), json.dumps(OB1), ob_version="2.0")
    report = verify(baked, fetcher=memory_fetcher({}), at=AT)
    assert report.problems == ("unreachable",)


def test_open_badges_1_0_signed_badge_is_named() -> None:
    signed = {**OB1, "verify": {"type": "signed", "url": "https://badges.northside.edu/ob1/key.pem"}}
    report = verify(json.dumps(signed), at=AT)
    assert report.problems == ("unsupported-proof-type",)
    assert "Open Badges 1.0" in report.checks[0].message


def _png() -> bytes:
    import io

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()
