"""Issuer trust lists: a known issuer is named from the list, an unknown one is a warning."""

from __future__ import annotations

from datetime import UTC, datetime

from credentials._trust import TrustList
from credentials._verify import verify
from tests.helpers import ed25519_signer, ob3_credential

AT = datetime(2026, 11, 22, tzinfo=UTC)


def test_known_issuer_is_named_from_the_trust_list() -> None:
    signer = ed25519_signer()
    trust = TrustList.from_json({"meta": {"name": "Ontario care registry"},
                                 "registry": {signer.did: {"name": "Northside College", "location": "Toronto"}}})
    report = verify(signer.sign(ob3_credential(signer.did)), at=AT, trust=trust)
    assert report.verdict == "valid" and report.warnings == ()
    assert "Northside College, Toronto" in report.check("issuer.known").message


def test_unknown_issuer_is_a_warning_with_the_name_marked_self_asserted() -> None:
    signer = ed25519_signer()
    trust = TrustList.from_json({"registry": [{"id": "did:web:somewhere.example", "name": "Somewhere"}]})
    report = verify(signer.sign(ob3_credential(signer.did)), at=AT, trust=trust)
    assert report.verdict == "valid"
    assert report.warnings == ("untrusted-issuer",)
    assert "self-asserted" in report.check("issuer.known").message
