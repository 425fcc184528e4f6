"""JSON-LD: bundled contexts only, safe mode, RDFC-1.0 canonical N-Quads."""

from __future__ import annotations

import copy
import json
import socket
from functools import reduce
from pathlib import Path
from typing import Any

import pytest

from credentials._errors import SafeModeError, UnknownContextError
from credentials._jsonld import (
    BUNDLED_CONTEXTS,
    canonize,
    canonize_reference,
    expand_safe,
    load_context,
    pyld_document_loader,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
EDDSA = CORPUS / "w3c-vc-di-eddsa" / "TestVectors"
OB3 = CORPUS / "1edtech-ob3"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not available")

VC11 = "https://www.w3.org/2018/credentials/v1"
VC20 = "https://www.w3.org/ns/credentials/v2"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _manifest_credentials() -> list[str]:
    if not CORPUS.is_dir():
        return []
    manifest = _load(CORPUS / "manifest.json")
    return [e["file"] for e in manifest if e["kind"] in ("vc-ldp", "vc-unsigned")]


def _status_lists() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*.json")
        if {"statusLists", "status"} & set(p.relative_to(CORPUS).parts[:-1])
    )


def _without_proof(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "proof"}


def _proof_config(doc: dict[str, Any], proof: dict[str, Any]) -> dict[str, Any]:
    config = {k: v for k, v in proof.items() if k not in ("proofValue", "jws")}
    config["@context"] = doc["@context"]
    return config


def _vc11_credential() -> dict[str, Any]:
    doc = _load(CORPUS / "dcc-vc-test-fixtures/v1/ed25519/didKey/noRegistry-noStatus-noExpiry.json")
    assert doc["@context"][0] == VC11
    return _without_proof(doc)


def _vc20_credential() -> dict[str, Any]:
    doc = _load(CORPUS / "dcc-vc-test-fixtures/v2/ed25519/didKey/legacy-noStatus-noExpiry.json")
    assert doc["@context"][0] == VC20
    return _without_proof(doc)


# --- canonical form: spec test vectors, byte for byte ---------------------------------------


@pytest.mark.parametrize("canon", [canonize, canonize_reference], ids=["fast", "reference"])
@pytest.mark.parametrize("folder", ["eddsa-rdfc-2022", "eddsa-rdfc-2022/employ"])
def test_canonize_matches_w3c_eddsa_rdfc_vector(canon: Any, folder: str) -> None:
    signed = _load(EDDSA / folder / "signedDataInt.json")
    assert canon(_without_proof(signed)) == (EDDSA / folder / "canonDocDataInt.txt").read_text()
    proof_config = _load(EDDSA / folder / "proofConfigDataInt.json")
    assert canon(proof_config) == (EDDSA / folder / "proofCanonDataInt.txt").read_text()


@pytest.mark.parametrize("canon", [canonize, canonize_reference], ids=["fast", "reference"])
def test_canonize_matches_w3c_ed25519signature2020_vector(canon: Any) -> None:
    folder = EDDSA / "Ed25519Signature2020"
    signed = _load(folder / "signedEdSig.json")
    assert canon(_without_proof(signed)) == (folder / "canonDocEdSig.txt").read_text()
    assert canon(_load(folder / "proofConfigEdSig.json")) == (folder / "proofCanonEdSig.txt").read_text()


@pytest.mark.parametrize("canon", [canonize, canonize_reference], ids=["fast", "reference"])
def test_canonize_matches_1edtech_ob3_vector(canon: Any) -> None:
    signed = _load(OB3 / "ob3-impl-guide-ldp-vector.signed.json")
    assert canon(_without_proof(signed)) == (OB3 / "obv3p0__document-canon.txt").read_text()
    config = _proof_config(signed, signed["proof"])
    assert canon(config) == (OB3 / "obv3p0__proof-canon.txt").read_text()


def test_canonize_output_is_sorted_nquads_with_trailing_newline() -> None:
    out = canonize(_vc20_credential())
    lines = out.split("\n")
    assert lines[-1] == ""
    assert lines[:-1] == sorted(set(lines[:-1]))
    assert all(line.endswith(" .") for line in lines[:-1])


def test_canonize_does_not_modify_its_input() -> None:
    doc = _load(OB3 / "ob3-impl-guide-ldp-vector.signed.json")
    before = copy.deepcopy(doc)
    canonize(doc)
    canonize_reference(doc)
    expand_safe(doc)
    assert doc == before


# --- fast path agrees with the pyld reference ------------------------------------------------


@pytest.mark.parametrize("rel", _manifest_credentials() + _status_lists())
def test_fast_canonize_is_byte_identical_to_reference_on_corpus(rel: str) -> None:
    doc = _load(CORPUS / rel)
    assert isinstance(doc, dict)
    unsigned = _without_proof(doc)
    assert canonize(unsigned) == canonize_reference(unsigned)
    assert canonize(doc) == canonize_reference(doc)
    proofs = doc.get("proof", [])
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        config = _proof_config(doc, proof)
        assert canonize(config) == canonize_reference(config)


# --- safe mode: legitimately signed documents pass --------------------------------------------


@pytest.mark.parametrize("rel", _manifest_credentials() + _status_lists())
def test_safe_mode_accepts_every_corpus_credential(rel: str) -> None:
    doc = _load(CORPUS / rel)
    expanded = expand_safe(doc)
    assert expanded and isinstance(expanded, list)
    assert canonize(_without_proof(doc))


def test_safe_mode_accepts_did_document_whose_terms_are_all_defined() -> None:
    did_doc = _load(CORPUS / "dcc-vc-test-fixtures/dids/legacy/did.json")
    assert "did:web:" in canonize(did_doc)


def test_safe_mode_rejects_did_document_with_terms_its_contexts_do_not_define() -> None:
    # This DID document uses name/email/url/publicKeyMultibase, none of which its contexts
    # define: JSON-LD would drop them, so it is not safe-mode JSON-LD (it is fine as plain JSON).
    did_doc = _load(CORPUS / "dcc-vc-test-fixtures/dids/oidf/did.json")
    with pytest.raises(SafeModeError):
        canonize(did_doc)


# --- safe mode: what would be silently dropped or mangled is an error --------------------------


def test_safe_mode_rejects_undefined_term_under_vc11() -> None:
    doc = _vc11_credential()
    doc["notInAnyContext"] = "surprise"
    with pytest.raises(SafeModeError, match="notInAnyContext"):
        canonize(doc)
    with pytest.raises(SafeModeError):
        expand_safe(doc)


def test_safe_mode_rejects_undefined_term_inside_credential_subject_under_vc11() -> None:
    doc = _vc11_credential()
    doc["credentialSubject"]["grade"] = "A+"
    with pytest.raises(SafeModeError, match="grade"):
        canonize(doc)


def test_safe_mode_rejects_undefined_term_deep_inside_achievement() -> None:
    doc = _vc20_credential()
    doc["credentialSubject"]["achievement"]["extraClaim"] = {"level": 9}
    with pytest.raises(SafeModeError):
        canonize(doc)


def test_safe_mode_rejects_undefined_type_value_under_vc11() -> None:
    doc = _vc11_credential()
    doc["type"] = [*doc["type"], "UndefinedCredentialType"]
    with pytest.raises(SafeModeError, match="UndefinedCredentialType"):
        canonize(doc)


def test_safe_mode_rejects_relative_id_under_vc11() -> None:
    doc = _vc11_credential()
    doc["credentialSubject"]["id"] = "learners/42"
    with pytest.raises(SafeModeError, match="learners/42"):
        canonize(doc)


def test_safe_mode_rejects_relative_fragment_id() -> None:
    doc = _vc20_credential()
    doc["id"] = "#credential"
    with pytest.raises(SafeModeError):
        canonize(doc)


def test_safe_mode_rejects_undefined_term_under_vc20_without_vocab() -> None:
    # The bundled (final) VCDM 2.0 context defines no @vocab: undefined terms are dropped.
    doc = _vc20_credential()
    doc["credentialSubject"]["undefinedClaim"] = "x"
    with pytest.raises(SafeModeError):
        canonize(doc)


def test_safe_mode_accepts_undefined_term_when_a_context_defines_vocab() -> None:
    doc = {
        "@context": [VC20, "https://www.w3.org/ns/credentials/undefined-terms/v2"],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential", "MyCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:s", "undefinedClaim": "x"},
    }
    out = canonize(doc)
    assert "<https://www.w3.org/ns/credentials/undefined-term#undefinedClaim>" in out
    assert "<https://www.w3.org/ns/credentials/undefined-term#MyCredential>" in out


def test_safe_mode_rejects_relative_vocab() -> None:
    doc = _vc11_credential()
    doc["@context"] = [*doc["@context"], {"@vocab": "terms#"}]
    doc["extra"] = "x"
    with pytest.raises(SafeModeError):
        canonize(doc)


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda d: d.__setitem__("@foo", "x"), id="reserved-keyword-like-key"),
        pytest.param(lambda d: d.__setitem__("_:b0", "x"), id="blank-node-property"),
        pytest.param(lambda d: d.__setitem__("relative/prop", "x"), id="relative-iri-property"),
        pytest.param(lambda d: d["credentialSubject"].__setitem__(
            "name", {"@value": "x", "@language": "not a tag"}), id="invalid-language"),
        pytest.param(lambda d: d["credentialSubject"].__setitem__(
            "name", {"@value": "x", "@direction": "rtl"}), id="direction-without-rdf-direction"),
        pytest.param(lambda d: d["credentialSubject"].__setitem__(
            "name", {"@value": None}), id="null-value-object"),
        pytest.param(lambda d: d["credentialSubject"].__setitem__(
            "name", {"@language": "en"}), id="object-with-only-language"),
        pytest.param(lambda d: d.__setitem__("@included", [{"id": "https://x.example/n"}]),
                     id="free-floating-node-with-only-id"),
        pytest.param(lambda d: d["credentialSubject"].__setitem__("id", "https://x.example/a b"),
                     id="iri-with-space"),
        pytest.param(lambda d: d["credentialSubject"].__setitem__("id", "https://x.example/a>b"),
                     id="iri-with-angle-bracket"),
        pytest.param(lambda d: d["credentialSubject"].__setitem__(
            "name", {"@value": "x", "@index": "unsigned"}), id="index-on-value"),
        pytest.param(lambda d: d["@context"].append({"m": {"@id": "https://ex.example/m", "@container": "@index"}})
                     or d.__setitem__("m", {"unsigned-key": {"id": "https://x.example/n", "name": "n"}}),
                     id="index-map-keys"),
        pytest.param(lambda d: d["@context"].append({"extra": {"@id": "ex:extra", "@type": "@id"}})
                     or d.__setitem__("extra", "rel/ative"), id="relative-object-iri"),
    ],
)
def test_safe_mode_rejects_data_that_would_be_dropped_or_mangled(mutate: Any) -> None:
    doc = _vc20_credential()
    mutate(doc)
    with pytest.raises(SafeModeError):
        canonize(doc)
    with pytest.raises(SafeModeError):
        canonize_reference(doc)


def test_safe_mode_allows_null_property_values() -> None:
    doc = _vc20_credential()
    base = canonize(doc)
    doc["credentialSubject"]["name"] = None
    assert canonize(doc) == canonize({**_vc20_credential(), "credentialSubject": {
        k: v for k, v in _vc20_credential()["credentialSubject"].items() if k != "name"}})
    assert base


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"@context": VC20, "id": 5}, id="non-string-id"),
        pytest.param({"@context": 17}, id="non-object-context"),
        pytest.param({"@context": [VC20], "@type": {"x": 1}}, id="object-type"),
        pytest.param({"@context": {"@version": 2.0}}, id="bad-version"),
        pytest.param({"@context": [VC20, {"id": None}], "id": "urn:x"}, id="redefine-protected"),
        pytest.param([1, 2, 3], id="top-level-scalars"),
        pytest.param("just a string", id="string"),
        pytest.param({}, id="empty-object"),
        pytest.param({"@context": VC20, "credentialSubject": reduce(
            lambda acc, _: {"credentialSubject": acc}, range(3000), {})}, id="deeply-nested"),
    ],
)
def test_canonize_raises_only_safe_mode_error_on_malformed_input(bad: Any) -> None:
    with pytest.raises(SafeModeError):
        canonize(bad)
    with pytest.raises(SafeModeError):
        expand_safe(bad)


# --- bundled contexts only -------------------------------------------------------------------


def test_unknown_context_url_raises_unknown_context_error() -> None:
    doc = _vc20_credential()
    doc["@context"] = [*doc["@context"], "https://example.com/unknown/v1"]
    with pytest.raises(UnknownContextError) as info:
        canonize(doc)
    assert info.value.url == "https://example.com/unknown/v1"
    with pytest.raises(UnknownContextError):
        canonize_reference(doc)
    with pytest.raises(UnknownContextError):
        expand_safe(doc)


def test_unknown_scoped_context_in_embedded_context_raises_unknown_context_error() -> None:
    doc = _vc20_credential()
    doc["@context"] = [*doc["@context"], {
        "scoped": {"@id": "https://example.com/scoped", "@context": "https://example.com/unknown/v2"}}]
    with pytest.raises(UnknownContextError) as info:
        canonize(doc)
    assert info.value.url == "https://example.com/unknown/v2"


def test_unknown_imported_context_raises_unknown_context_error() -> None:
    doc = _vc20_credential()
    doc["@context"] = [*doc["@context"], {"@import": "https://example.com/unknown/v3"}]
    with pytest.raises(UnknownContextError):
        canonize(doc)


def test_unknown_context_in_nested_node_raises_unknown_context_error() -> None:
    doc = _vc20_credential()
    doc["credentialSubject"]["@context"] = "https://example.com/unknown/v4"
    with pytest.raises(UnknownContextError):
        canonize(doc)


def test_relative_context_url_raises_unknown_context_error() -> None:
    doc = _vc20_credential()
    doc["@context"] = [*doc["@context"], "contexts/local.json"]
    with pytest.raises(UnknownContextError):
        canonize(doc)


def test_loader_never_opens_a_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    doc = _vc20_credential()
    doc["@context"] = [*doc["@context"], "https://example.com/unknown/v1"]
    with pytest.raises(UnknownContextError):
        canonize(doc)
    with pytest.raises(UnknownContextError):
        canonize_reference(doc)
    with pytest.raises(UnknownContextError):
        pyld_document_loader("https://example.com/unknown/v1")
    assert canonize(_vc20_credential())


def test_bundled_contexts_load_and_match_their_pins() -> None:
    assert VC11 in BUNDLED_CONTEXTS and VC20 in BUNDLED_CONTEXTS
    for url in BUNDLED_CONTEXTS:
        doc = load_context(url)
        assert isinstance(doc, dict)
        assert pyld_document_loader(url)["document"] == doc


def test_context_cached_by_another_pyld_user_is_not_served() -> None:
    # Another part of the process may use pyld with its own (network) loader and the
    # process-global context cache; our canonicalization must not pick those contexts up.
    from pyld import jsonld

    url = "https://example.com/unknown/cached"

    def other_loader(u: str, options: Any = None) -> dict[str, Any]:
        return {"contextUrl": None, "documentUrl": u,
                "document": {"@context": {"@vocab": "https://evil.example/#"}}}

    jsonld.expand({"@context": url, "x": 1}, {"documentLoader": other_loader})
    with pytest.raises(UnknownContextError):
        canonize({"@context": url, "x": 1})


# --- fast path against the reference on JSON-LD features the corpus does not exercise ----------

_EX_CONTEXT = {
    "@version": 1.1,
    "ex": "https://ex.example/vocab#",
    "id": "@id",
    "type": "@type",
    "name": "ex:name",
    "knows": {"@id": "ex:knows", "@type": "@id"},
    "knownBy": {"@reverse": "ex:knows"},
    "items": {"@id": "ex:items", "@container": "@list"},
    "tags": {"@id": "ex:tags", "@container": "@set"},
    "label": {"@id": "ex:label", "@container": "@language"},
    "data": {"@id": "ex:data", "@type": "@json"},
    "claims": {"@id": "ex:claims", "@container": "@graph"},
    "byId": {"@id": "ex:byId", "@container": "@id"},
    "byType": {"@id": "ex:byType", "@container": "@type"},
    "meta": "@nest",
    "when": {"@id": "ex:when", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
    "score": {"@id": "ex:score", "@type": "http://www.w3.org/2001/XMLSchema#double"},
    "Scoped": {"@id": "ex:Scoped", "@context": {"inner": "ex:inner"}},
    "Thing": "ex:Thing",
}

_FEATURE_DOCS: dict[str, dict[str, Any]] = {
    "lists-and-sets": {"id": "https://a.example/1", "items": [1, 2.5, True, "x", {"id": "https://b.example/"}, []],
                       "tags": ["a", "a", "b"]},
    "empty-list": {"id": "https://a.example/1", "items": []},
    "nested-list": {"@context": {"nested": {"@id": "ex:nested", "@container": "@list"}},
                    "id": "https://a.example/1", "nested": [[1, 2], [], ["x"]]},
    "numbers": {"id": "https://a.example/1", "ex:n": [0, -1, 10**21, 1.0, 1.5, -0.000125, 1e300, "7"],
                "score": ["2", 3, 1.25, "nope"]},
    "language-map": {"id": "https://a.example/1", "label": {"en": "Hi", "de-AT": ["Servus", "Griass di"]}},
    "json-literal": {"id": "https://a.example/1", "data": {"b": [1, 2.0, {"z": None}], "a": "é\u2028"}},
    "escapes": {"id": "https://a.example/1", "name": "quote \" backslash \\ tab \t nl \n cr \r é"},
    "reverse": {"id": "https://a.example/1", "knownBy": [{"id": "https://a.example/2", "name": "two"},
                                                          {"name": "anon"}]},
    "graph-container": {"id": "https://a.example/1", "claims": [{"name": "g1"}, {"id": "https://c.example",
                                                                                  "name": "g2"}]},
    "named-graph": {"id": "https://a.example/g", "@graph": [{"id": "https://a.example/1", "name": "in g"},
                                                            {"name": "anon in g", "knows": "https://x.example"}]},
    "id-and-type-maps": {"id": "https://a.example/1", "byId": {"https://d.example/1": {"name": "d1"}},
                         "byType": {"Thing": {"name": "t"}, "Scoped": {"inner": "scoped"}}},
    "nest": {"id": "https://a.example/1", "meta": {"name": "nested name", "when": "2020-01-01T00:00:00Z"}},
    "type-scoped": {"id": "https://a.example/1", "type": "Scoped", "inner": "x",
                    "knows": "https://a.example/2"},
    "included": {"id": "https://a.example/1", "@included": [{"id": "https://a.example/2", "name": "inc"}]},
    "blank-node-ids": {"id": "_:me", "knows": ["_:you", "_:me"], "ex:rel": {"id": "_:you", "name": "you"}},
    "merged-node": {"id": "https://a.example/1",
                    "ex:p": [{"id": "https://a.example/2", "type": "Thing", "name": "n"},
                             {"id": "https://a.example/2", "type": "Thing", "name": "n"}]},
    "same-value-different-form": {"id": "https://a.example/1",
                                  "ex:v": [5, {"@value": "5", "@type": "http://www.w3.org/2001/XMLSchema#integer"}]},
    "bool-and-typed-bool": {"id": "https://a.example/1",
                            "ex:v": [True, {"@value": "true", "@type": "http://www.w3.org/2001/XMLSchema#boolean"}]},
    "symmetric-blank-nodes": {"id": "https://a.example/1", "ex:has": [{"name": "twin"}, {"name": "twin"}]},
    "blank-node-cycle": {"id": "https://a.example/1",
                         "ex:has": [{"id": "_:x", "knows": "_:y"}, {"id": "_:y", "knows": "_:x"}]},
    "self-loop": {"id": "https://a.example/1", "ex:has": {"id": "_:s", "knows": "_:s"}},
}


@pytest.mark.parametrize("name", sorted(_FEATURE_DOCS))
def test_fast_canonize_matches_reference_on_jsonld_features(name: str) -> None:
    doc = copy.deepcopy(_FEATURE_DOCS[name])
    extra = doc.pop("@context", None)
    doc["@context"] = [_EX_CONTEXT, extra] if extra else _EX_CONTEXT
    fast = canonize(doc)
    assert fast == canonize_reference(doc)
    assert fast.endswith(" .\n")
    assert doc["@context"]  # input untouched


def test_canonize_runs_the_n_degree_algorithm_for_look_alike_blank_nodes_and_matches_the_reference() -> None:
    from credentials._jsonld._canon import _expand_checked
    from credentials._jsonld._rdfc import Budget, canonical_nquads, to_quads

    for name in ("symmetric-blank-nodes", "blank-node-cycle"):
        doc = {**copy.deepcopy(_FEATURE_DOCS[name]), "@context": _EX_CONTEXT}
        budget = Budget(100)
        out = canonical_nquads(to_quads(_expand_checked(doc)), budget=budget)
        assert out == canonize_reference(doc)
        assert budget.rounds > 0  # the N-degree path ran, not a first-degree shortcut
    assert "_:c14n1" in canonize({**_FEATURE_DOCS["symmetric-blank-nodes"], "@context": _EX_CONTEXT})


def _clique(n: int) -> dict:
    """n blank nodes, each knowing every other: alike at every degree (an RDFC poison graph)."""
    ids = [f"_:n{i}" for i in range(n)]
    return {"@context": _EX_CONTEXT, "id": "https://a.example/1",
            "ex:has": [{"id": i, "knows": [j for j in ids if j != i]} for i in ids]}


def test_canonize_of_small_look_alike_graphs_matches_the_reference() -> None:
    for n in (2, 3, 4):
        assert canonize(_clique(n)) == canonize_reference(_clique(n))


def test_canonize_refuses_a_poison_graph_within_its_work_budget() -> None:
    from credentials._errors import TooComplexError
    from credentials._jsonld._rdfc import Budget

    budget = Budget(4000)
    with pytest.raises(TooComplexError, match="too alike"):
        canonize(_clique(8), budget=budget)
    assert budget.rounds == 4001  # stopped at the first round over the limit, not minutes later


def test_canonize_is_safe_to_call_from_several_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    docs = [_without_proof(_load(CORPUS / rel)) for rel in _manifest_credentials()[:24]]
    expected = [canonize_reference(d) for d in docs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(canonize, docs * 4))
    assert got == expected * 4


def test_imported_bundled_context_is_served_by_the_bundle_loader() -> None:
    doc = {
        "@context": [VC20, {"@import": "https://www.w3.org/ns/credentials/undefined-terms/v2",
                            "localTerm": "https://ex.example/localTerm"}],
        "id": "urn:uuid:2",
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:s", "undefinedClaim": "x", "localTerm": "y"},
    }
    out = canonize(doc)
    assert "<https://www.w3.org/ns/credentials/undefined-term#undefinedClaim>" in out
    assert "<https://ex.example/localTerm>" in out
    assert out == canonize_reference(doc)


def test_every_bundled_context_used_by_the_corpus_resolves_without_unknown_contexts() -> None:
    used = set()
    for rel in _manifest_credentials():
        ctx = _load(CORPUS / rel)["@context"]
        used.update(c for c in (ctx if isinstance(ctx, list) else [ctx]) if isinstance(c, str))
    assert used <= BUNDLED_CONTEXTS
    for url in sorted(used):
        assert expand_safe({"@context": url, "@id": "urn:x:1", "@type": "urn:x:T"})


@pytest.mark.parametrize("version", ["1.1", "2.0"])
def test_safe_mode_accepts_presentation_wrapping_corpus_credential(version: str) -> None:
    if version == "1.1":
        vc = _load(CORPUS / "dcc-vc-test-fixtures/v1/ed25519/didKey/noRegistry-noStatus-noExpiry.json")
        ctx = [VC11, "https://w3id.org/security/suites/ed25519-2020/v1"]
    else:
        vc = _load(CORPUS / "dcc-vc-test-fixtures/v2/ed25519/didKey/legacy-noStatus-noExpiry.json")
        ctx = [VC20]
    vp = {"@context": ctx, "type": ["VerifiablePresentation"], "holder": "did:example:holder",
          "verifiableCredential": [vc]}
    out = canonize(vp)
    assert out == canonize_reference(vp)
    # the credential sits in its own named (blank node) graph
    assert "VerifiablePresentation" in out and " _:c14n" in out
    tampered = copy.deepcopy(vp)
    tampered["verifiableCredential"][0]["credentialSubject"]["sneaky"] = "added"
    with pytest.raises(SafeModeError):
        canonize(tampered)


def test_import_cannot_change_the_imported_bundled_context_for_later_documents() -> None:
    undefined_terms = "https://www.w3.org/ns/credentials/undefined-terms/v2"
    plain = {"@context": [VC20, undefined_terms], "id": "urn:uuid:3", "type": ["VerifiableCredential"],
             "issuer": "did:example:issuer", "credentialSubject": {"id": "did:example:s", "claim": "x"}}
    before = canonize(plain)
    before_reference = canonize_reference(plain)
    attacker = {"@context": [VC20, {"@import": undefined_terms, "@vocab": "https://evil.example/#"}],
                "id": "urn:uuid:4", "type": ["VerifiableCredential"], "issuer": "did:example:issuer",
                "credentialSubject": {"id": "did:example:s", "claim": "x"}}
    assert "https://evil.example/#claim" in canonize(attacker)
    assert "https://evil.example/#claim" in canonize_reference(attacker)
    assert canonize(plain) == before
    assert canonize_reference(plain) == before_reference
    assert "https://evil.example" not in before


def test_import_of_a_context_list_or_relative_url_is_rejected() -> None:
    doc = _vc20_credential()
    doc["@context"] = [*doc["@context"], {"@import": "contexts/local.json"}]
    with pytest.raises(UnknownContextError):
        canonize(doc)
    doc["@context"][-1] = {"@import": 5}
    with pytest.raises(SafeModeError):
        canonize(doc)
