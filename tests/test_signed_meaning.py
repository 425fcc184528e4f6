"""Verification reads what was signed: respelling a field never improves a verdict.

An RDFC-based proof signs the canonical RDF. JSON-LD gives one meaning many spellings (a full
IRI as key, a compact IRI, a term of an inline context, ``@type`` for ``type``, a ``null`` next
to an IRI copy), each leaving the signed RDF as it was. Every rename below is applied to every
field the engine reads, in every corpus credential (valid and expected-not-valid) and in
presentations built here; whenever the rename keeps the signed meaning (so it *is* an attack:
the signature still holds), the verdict must be no better than the original's.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from credentials._errors import SatchelError
from credentials._jsonld import canonize
from credentials._verify import verify
from tests.conftest import AT, CORPUS
from tests.helpers import VC2, ed25519_signer, memory_fetcher, ob3_credential

CRED = "https://www.w3.org/2018/credentials#"
SEC = "https://w3id.org/security#"
STATUS = "https://www.w3.org/ns/credentials/status#"
SL2021 = "https://w3id.org/vc/status-list#"

# The IRI each engine-read term names (VCDM 1.1 / 2.0 contexts, Data Integrity, status lists),
# written out here from the specs' contexts, independently of the engine.
IRIS: dict[str, list[str]] = {
    **{t: [CRED + t] for t in ("credentialStatus", "validFrom", "validUntil", "expirationDate", "issuanceDate",
                               "issuer", "credentialSubject", "holder", "verifiableCredential",
                               "refreshService", "evidence", "credentialSchema", "termsOfUse")},
    "proof": [SEC + "proof"],
    "proofPurpose": [SEC + "proofPurpose"],
    "verificationMethod": [SEC + "verificationMethod"],
    "challenge": [SEC + "challenge"],
    "domain": [SEC + "domain"],
    "expires": [SEC + "expiration"],
    "cryptosuite": [SEC + "cryptosuite"],
    "statusListCredential": [STATUS + "statusListCredential", SL2021 + "statusListCredential"],
    "statusListIndex": [STATUS + "statusListIndex", SL2021 + "statusListIndex"],
    "statusPurpose": [STATUS + "statusPurpose", SL2021 + "statusPurpose"],
}
KEYWORDS = {"type": "@type", "id": "@id"}
OBV = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
# Types whose term carries no scoped context (a scoped one makes the IRI spelling mean less).
TYPE_IRIS = {
    "OpenBadgeCredential": OBV + "OpenBadgeCredential",
    "AchievementCredential": OBV + "AchievementCredential",
    "EndorsementCredential": OBV + "EndorsementCredential",
    "Criteria": OBV + "Criteria",
    "BitstringStatusListCredential": CRED + "BitstringStatusListCredential",
    "EnvelopedVerifiableCredential": CRED + "EnvelopedVerifiableCredential",
}
RANK = {"invalid": 0, "unverifiable": 1, "valid": 2}

MANIFEST = json.loads((CORPUS / "manifest.json").read_text())
LDP = [e for e in MANIFEST if e["kind"] == "vc-ldp" and e["file"].endswith(".json")]


def key_paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Paths to every object key (never inside @context)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "@context":
                continue
            yield (*prefix, k)
            yield from key_paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from key_paths(v, (*prefix, i))


def _at(doc: Any, path: tuple) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def _with_context(doc: dict, extra: dict) -> None:
    ctx = doc["@context"]
    doc["@context"] = [*(ctx if isinstance(ctx, list) else [ctx]), extra]


def renames(doc: dict, path: tuple) -> Iterator[tuple[str, dict]]:
    """Every respelling class, of the key at ``path``."""
    key = path[-1]
    for n, iri in enumerate(IRIS.get(key, [])):
        def moved(new_key: str, keep_null: bool = False) -> dict:
            out = copy.deepcopy(doc)
            parent = _at(out, path[:-1])
            parent[new_key] = parent.pop(key)
            if keep_null:
                parent[key] = None
            return out

        yield f"full-iri:{n}", moved(iri)
        yield f"null-beside-iri:{n}", moved(iri, keep_null=True)
        alias = moved("zzAlias")
        _with_context(alias, {"zzAlias": iri})
        yield f"inline-term:{n}", alias
        base, _, local = iri.rpartition("#") if "#" in iri else iri.rpartition("/")
        compact = moved("zzp:" + local)
        _with_context(compact, {"zzp": iri[: len(iri) - len(local)]})
        yield f"compact-iri:{n}", compact
    if key in KEYWORDS:
        out = copy.deepcopy(doc)
        parent = _at(out, path[:-1])
        parent[KEYWORDS[key]] = parent.pop(key)
        yield "keyword", out
    if key == "type":
        value = _at(doc, path)
        for n, t in enumerate(value if isinstance(value, list) else [value]):
            if t in TYPE_IRIS:
                out = copy.deepcopy(doc)
                parent = _at(out, path[:-1])
                values = list(value) if isinstance(value, list) else [value]
                values[n] = TYPE_IRIS[t]
                parent[key] = values
                yield "type-iri", out


def same_signed_meaning(a: dict, b: dict) -> bool:
    """Whether the canonical RDF (document and proofs) is the same: then the signature holds."""
    try:
        return canonize(a) == canonize(b)
    except SatchelError:
        return False


def _verdict(doc: dict, fetcher: Any, args: dict) -> str:
    return verify(doc, fetcher=fetcher, at=AT, challenge=args.get("challenge"), domain=args.get("domain")).verdict


def _attack_all(doc: dict, fetcher: Any, args: dict, tried: Counter, where: str) -> list[str]:
    baseline = _verdict(doc, fetcher, args)
    worse: list[str] = []
    for path in key_paths(doc):
        for how, changed in renames(doc, path):
            if not same_signed_meaning(doc, changed):
                continue  # not an attack: the signature breaks (or the rename is not a JSON-LD alias)
            tried[how.split(":")[0]] += 1
            got = _verdict(changed, fetcher, args)
            if RANK[got] > RANK[baseline]:
                worse.append(f"{where} {path} {how}: {baseline} -> {got}")
    return worse


def test_respelling_any_read_field_of_a_corpus_credential_never_improves_the_verdict(corpus_fetcher) -> None:
    tried: Counter = Counter()
    improved: list[str] = []
    for entry in LDP:
        doc = json.loads((CORPUS / entry["file"]).read_text())
        improved += _attack_all(doc, corpus_fetcher, entry.get("args") or {}, tried, entry["file"])
    assert not improved, "\n".join(improved[:20])
    # The test means something only if the renames really kept the signature: every class ran.
    for how in ("full-iri", "null-beside-iri", "inline-term", "compact-iri", "keyword", "type-iri"):
        assert tried[how] >= 20, tried


def test_revoked_credential_with_status_under_its_full_iri_is_not_valid(corpus_fetcher) -> None:
    path = "dcc-vc-test-fixtures/v2/ed25519/didWeb/legacy-revokedStatus-noExpiry.json"
    doc = json.loads((CORPUS / path).read_text())
    doc[CRED + "credentialStatus"] = doc.pop("credentialStatus")
    assert same_signed_meaning(json.loads((CORPUS / path).read_text()), doc)
    report = verify(doc, fetcher=corpus_fetcher, at=AT)
    assert report.problems == ("malformed",)
    assert "credentialStatus" in report.checks[0].message


def _presentation(holder: Any, credential: dict, challenge: str = "c-1") -> dict:
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did,
          "verifiableCredential": [credential]}
    return holder.sign(vp, proof_purpose="authentication", challenge=challenge, domain="hire.example")


def test_respelling_a_presentation_never_hides_a_tampered_or_foreign_credential() -> None:
    issuer, learner, other = ed25519_signer(), ed25519_signer(), ed25519_signer()
    good = issuer.sign(ob3_credential(issuer.did, subject=learner.did))
    tampered = copy.deepcopy(good)
    tampered["credentialSubject"]["achievement"]["name"] = "Heart surgery"
    expired = issuer.sign(ob3_credential(issuer.did, subject=learner.did, validUntil="2026-01-01T00:00:00Z"))
    cases = {
        "tampered": _presentation(learner, tampered),
        "expired": _presentation(learner, expired),
        "someone else's": _presentation(other, good),
    }
    fetcher = memory_fetcher({})
    args = {"challenge": "c-1", "domain": "hire.example"}
    tried: Counter = Counter()
    improved: list[str] = []
    for name, vp in cases.items():
        assert _verdict(vp, fetcher, args) != "valid" or name == "someone else's"
        improved += _attack_all(vp, fetcher, args, tried, name)
    assert not improved, "\n".join(improved)
    assert tried["full-iri"] >= 3


@pytest.mark.parametrize("how", ["full-iri", "inline-term"])
def test_presentation_with_credentials_moved_to_another_key_is_not_valid(how: str) -> None:
    issuer, learner = ed25519_signer(), ed25519_signer()
    tampered = issuer.sign(ob3_credential(issuer.did, subject=learner.did))
    tampered["name"] = "Forged"
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": learner.did}
    if how == "full-iri":
        vp[CRED + "verifiableCredential"] = [tampered]
    else:
        vp["@context"] = [VC2, {"creds": {"@id": CRED + "verifiableCredential", "@type": "@id",
                                          "@container": "@graph"}}]
        vp["creds"] = [tampered]
    vp = learner.sign(vp, proof_purpose="authentication", challenge="c-1")
    report = verify(vp, fetcher=memory_fetcher({}), at=AT, challenge="c-1")
    assert report.verdict == "invalid"
    assert "malformed" in report.problems
