"""Property tests: canonize raises only Satchel's JSON-LD errors, and agrees with the reference."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials._errors import SafeModeError, UnknownContextError
from credentials._jsonld import canonize, canonize_reference, expand_safe

CONTEXTS = [
    "https://www.w3.org/2018/credentials/v1",
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://w3id.org/security/data-integrity/v2",
    "https://www.w3.org/ns/credentials/undefined-terms/v2",
    "https://example.com/unknown/v1",
]
KEYS = ["id", "type", "name", "description", "credentialSubject", "achievement", "issuer", "validFrom",
        "image", "proof", "@id", "@type", "@value", "@language", "@list", "@set", "@graph", "@included",
        "@nest", "@reverse", "@index", "@json", "@context", "undefinedTerm", "_:b0", "ex:thing",
        "https://ex.example/p", "alignment", "criteria", "evidence", "endorsement", "@foo"]
STRINGS = ["OpenBadgeCredential", "VerifiableCredential", "Achievement", "AchievementSubject",
           "Profile", "urn:uuid:1", "did:example:1", "https://ex.example/x", "relative", "#frag",
           "_:b1", "en", "en US", "@json", "@id", "2020-01-01T00:00:00Z", "", "Foo", "ex:Foo"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**22, 10**22),
                    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(STRINGS),
                    st.text(max_size=5))
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(KEYS), children, max_size=5)),
    max_leaves=25,
)
contexts = st.one_of(
    st.lists(st.sampled_from(CONTEXTS), min_size=1, max_size=3),
    st.lists(st.one_of(st.sampled_from(CONTEXTS), st.dictionaries(
        st.sampled_from(["@vocab", "@base", "@language", "ex", "name", "@import", "@version"]),
        st.one_of(st.sampled_from(STRINGS + CONTEXTS), st.none(), st.just(1.1)), max_size=3)),
        min_size=1, max_size=3),
)
documents = st.builds(lambda ctx, body: {**body, "@context": ctx}, contexts,
                      st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6))


def _check_against_reference(doc: dict[str, Any]) -> None:
    try:
        fast = canonize(doc)
    except (SafeModeError, UnknownContextError) as exc:
        # the reference path rejects it the same way
        try:
            canonize_reference(doc)
        except (SafeModeError, UnknownContextError) as ref_exc:
            assert type(ref_exc) is type(exc)
        else:
            raise AssertionError(f"fast path rejected what the reference accepts: {exc}") from None
        return
    assert fast == canonize_reference(doc)
    expand_safe(doc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_canonize_raises_only_jsonld_errors_and_matches_reference(doc: dict[str, Any]) -> None:
    _check_against_reference(doc)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_canonize_of_arbitrary_json_raises_only_jsonld_errors(value: Any) -> None:
    try:
        canonize(value)
    except (SafeModeError, UnknownContextError):
        pass


# Mostly well-formed OB 3.0 documents (so that most examples get all the way to canonical form).
OB3_TERMS = ["id", "type", "name", "description", "achievement", "criteria", "narrative", "alignment",
             "targetName", "targetUrl", "image", "evidence", "creator", "endorsement", "result",
             "resultDescription", "value", "tag", "ex:list", "ex:score", "ex:any"]
OB3_TYPES = ["Achievement", "AchievementSubject", "Profile", "Alignment", "Criteria", "Image",
             "EndorsementCredential", "Evidence", "Result"]
IRIS = ["https://ex.example/a", "https://ex.example/b", "did:example:1", "urn:uuid:3", "_:b7", "_:b8"]
ob3_scalars = st.one_of(st.sampled_from(IRIS), st.text(max_size=8), st.integers(-5, 5),
                        st.floats(allow_nan=False, allow_infinity=False), st.booleans())
ob3_nodes = st.recursive(
    ob3_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.fixed_dictionaries(
            {"type": st.lists(st.sampled_from(OB3_TYPES), min_size=1, max_size=2)},
            optional={"id": st.sampled_from(IRIS), **{k: children for k in OB3_TERMS[2:]}},
        ),
    ),
    max_leaves=20,
)
ob3_documents = st.builds(
    lambda subject, extra: {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                     {"ex": "https://ex.example/vocab#",
                      "ex:list": {"@container": "@list"}}],
        "id": "urn:uuid:0", "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://ex.example/issuer", "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2024-01-01T00:00:00Z", "name": "n",
        "credentialSubject": subject, **extra,
    },
    ob3_nodes,
    st.dictionaries(st.sampled_from(["description", "image", "evidence", "endorsement"]), ob3_nodes,
                    max_size=2),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ob3_documents)
def test_fast_canonize_matches_reference_on_generated_ob3_documents(doc: dict[str, Any]) -> None:
    _check_against_reference(doc)
