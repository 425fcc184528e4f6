"""DCQL (OpenID4VP 1.0 §6) and claims path pointers (§7): parsing, matching, SD-JWT disclosure choice.

The queries and the credential below are the specification's own examples (§6.4.1 / §6.4.2 and
Appendix D "DCQL Examples", §7.4 claims path pointer example), reproduced as JSON."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from credentials import (
    Concealed,
    DcqlCandidate,
    MalformedError,
    TooComplexError,
    issue_sd_jwt,
    json_pointer_of,
    match_dcql,
    parse_dcql_query,
    parse_sd_jwt,
    process_disclosures,
    sd_jwt_candidate,
    sd_jwt_disclosures_for,
    select_claims_path,
)

IDENTITY = "https://credentials.example.com/identity_credential"

# §7.4: the credential the claims path pointer examples point into.
ARTHUR: dict[str, Any] = {
    "name": "Arthur Dent",
    "address": {"street_address": "42 Market Street", "locality": "Milliways", "postal_code": "12345"},
    "degrees": [{"type": "Bachelor of Science", "university": "University of Betelgeuse"},
                {"type": "Master of Science", "university": "University of Betelgeuse"}],
    "nationalities": ["British", "Betelgeusian"],
}

# Appendix D: the simple SD-JWT VC query.
SIMPLE = {"credentials": [{
    "id": "my_credential", "format": "dc+sd-jwt", "meta": {"vct_values": [IDENTITY]},
    "claims": [{"path": ["last_name"]}, {"path": ["first_name"]}, {"path": ["address", "street_address"]}]}]}

# §6.4.1 / Appendix D: claim_sets, the verifier's preference first.
CLAIM_SETS = {"credentials": [{
    "id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": [IDENTITY]},
    "claims": [{"id": "a", "path": ["last_name"]}, {"id": "b", "path": ["postal_code"]},
               {"id": "c", "path": ["locality"]}, {"id": "d", "path": ["region"]},
               {"id": "e", "path": ["date_of_birth"]}],
    "claim_sets": [["a", "c", "d", "e"], ["a", "b", "e"]]}]}

# Appendix D: values.
VALUES = {"credentials": [{
    "id": "my_credential", "format": "dc+sd-jwt", "meta": {"vct_values": [IDENTITY]},
    "claims": [{"path": ["last_name"], "values": ["Doe"]}, {"path": ["first_name"]},
               {"path": ["address", "street_address"]}, {"path": ["postal_code"], "values": ["90210", "90211"]}]}]}


# §6.4.2 / Appendix D: credential_sets with alternatives and an optional set.
CREDENTIAL_SETS = {
    "credentials": [
        {"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["https://credentials.example.com/pid"]},
         "claims": [{"path": ["given_name"]}, {"path": ["family_name"]}, {"path": ["address", "street_address"]}]},
        {"id": "other_pid", "format": "dc+sd-jwt",
         "meta": {"vct_values": ["https://othercredentials.example/pid"]},
         "claims": [{"path": ["given_name"]}, {"path": ["family_name"]}, {"path": ["address", "street_address"]}]},
        {"id": "pid_reduced_cred_1", "format": "dc+sd-jwt",
         "meta": {"vct_values": ["https://credentials.example.com/reduced_identity_credential"]},
         "claims": [{"path": ["family_name"]}, {"path": ["given_name"]}]},
        {"id": "pid_reduced_cred_2", "format": "dc+sd-jwt",
         "meta": {"vct_values": ["https://cred.example/residence_credential"]},
         "claims": [{"path": ["postal_code"]}, {"path": ["locality"]}, {"path": ["region"]}]},
        {"id": "nice_to_have", "format": "dc+sd-jwt",
         "meta": {"vct_values": ["https://company.example/company_rewards"]},
         "claims": [{"path": ["rewards_number"]}]},
    ],
    "credential_sets": [
        {"options": [["pid"], ["other_pid"], ["pid_reduced_cred_1", "pid_reduced_cred_2"]]},
        {"required": False, "options": [["nice_to_have"]]},
    ],
}

# Appendix D: a W3C VC (ldp_vc) query by type.
LDP = {"credentials": [{
    "id": "example_ldp_vc", "format": "ldp_vc", "meta": {"type_values": [["IDCredential"]]},
    "claims": [{"path": ["credentialSubject", "family_name"]}, {"path": ["credentialSubject", "given_name"]}]}]}


def test_claims_path_pointer_examples_select_what_section_7_4_says() -> None:
    assert select_claims_path(ARTHUR, ("name",)) == ((("name",), "Arthur Dent"),)
    assert select_claims_path(ARTHUR, ("address",)) == ((("address",), ARTHUR["address"]),)
    assert select_claims_path(ARTHUR, ("address", "street_address")) == (
        (("address", "street_address"), "42 Market Street"),)
    assert select_claims_path(ARTHUR, ("degrees", None, "type")) == (
        (("degrees", 0, "type"), "Bachelor of Science"), (("degrees", 1, "type"), "Master of Science"))
    assert select_claims_path(ARTHUR, ("nationalities", 1)) == ((("nationalities", 1), "Betelgeusian"),)


def test_claims_path_pointer_aborts_on_a_wrong_kind_and_selects_nothing_absent() -> None:
    assert select_claims_path(ARTHUR, ("name", "first")) == ()  # a key into a string: §7.2 aborts
    assert select_claims_path(ARTHUR, ("address", 0)) == ()  # an index into an object
    assert select_claims_path(ARTHUR, ("nationalities", 5)) == ()  # out of range
    assert select_claims_path(ARTHUR, ("missing",)) == ()


def test_simple_query_matches_the_credential_with_the_asked_vct_and_claims() -> None:
    query = parse_dcql_query(SIMPLE)
    holder = {"vct": IDENTITY, "last_name": "Doe", "first_name": "John", "address": {"street_address": "1 Main St"}}
    other = {**holder, "vct": "https://credentials.example.com/other"}
    missing = {k: v for k, v in holder.items() if k != "first_name"}
    match = match_dcql(query, [DcqlCandidate("a", "dc+sd-jwt", holder), DcqlCandidate("b", "dc+sd-jwt", other),
                               DcqlCandidate("c", "dc+sd-jwt", missing), DcqlCandidate("d", "ldp_vc", holder)])
    found = match.for_query("my_credential")
    assert [c.key for c in found.candidates] == ["a"]
    assert found.candidates[0].disclosed() == (("last_name",), ("first_name",), ("address", "street_address"))
    assert match.satisfied and match.answer == ("my_credential",)


def test_claim_sets_prefer_the_first_the_credential_can_satisfy() -> None:
    query = parse_dcql_query(CLAIM_SETS)
    full = {"vct": IDENTITY, "last_name": "Doe", "postal_code": "90210", "locality": "LA", "region": "CA",
            "date_of_birth": "1990-01-01"}
    no_region = {k: v for k, v in full.items() if k != "region"}
    match = match_dcql(query, [DcqlCandidate("full", "dc+sd-jwt", full),
                               DcqlCandidate("partial", "dc+sd-jwt", no_region)])
    by_key = {c.key: c for c in match.for_query("pid").candidates}
    assert [m.id for m in by_key["full"].claims] == ["a", "c", "d", "e"]
    assert [m.id for m in by_key["partial"].claims] == ["a", "b", "e"]  # the first set needs region


def test_an_optional_claim_is_one_another_satisfiable_set_leaves_out() -> None:
    query = parse_dcql_query(CLAIM_SETS)
    claims = {"vct": IDENTITY, "last_name": "Doe", "postal_code": "90210", "locality": "LA", "region": "CA",
              "date_of_birth": "1990-01-01"}
    every = frozenset({(k,) for k in claims if k != "vct"})
    candidate = match_dcql(query, [DcqlCandidate("k", "dc+sd-jwt", claims, disclosable=every)]
                           ).for_query("pid").candidates[0]
    optional = {m.id for m in candidate.claims if m.optional}
    assert optional == {"c", "d"}  # a and e are in both sets
    # withholding the region picks the second set, which does not need it
    assert candidate.disclosed(withheld={3}) == (("last_name",), ("postal_code",), ("date_of_birth",))
    assert candidate.choose(withheld={0}) is None  # last_name is in every set
    # a credential sent whole has nothing optional
    whole = match_dcql(query, [DcqlCandidate("k", "dc+sd-jwt", claims)]).for_query("pid").candidates[0]
    assert not any(m.optional for m in whole.claims)


def test_values_must_match_in_type_and_value() -> None:
    query = parse_dcql_query(VALUES)
    good = {"vct": IDENTITY, "last_name": "Doe", "first_name": "J", "address": {"street_address": "x"},
            "postal_code": "90211"}
    wrong_value = {**good, "last_name": "Dent"}
    wrong_type = {**good, "postal_code": 90211}
    match = match_dcql(query, [DcqlCandidate("good", "dc+sd-jwt", good),
                               DcqlCandidate("value", "dc+sd-jwt", wrong_value),
                               DcqlCandidate("type", "dc+sd-jwt", wrong_type)])
    assert [c.key for c in match.for_query("my_credential").candidates] == ["good"]
    boolean = parse_dcql_query({"credentials": [{"id": "q", "format": "ldp_vc", "meta": {},
                                                 "claims": [{"path": ["flag"], "values": [1]}]}]})
    assert not match_dcql(boolean, [DcqlCandidate("b", "ldp_vc", {"flag": True})]).satisfied  # true is not 1


def test_credential_sets_take_the_first_satisfiable_option_and_optional_sets_when_possible() -> None:
    query = parse_dcql_query(CREDENTIAL_SETS)
    reduced_1 = {"vct": "https://credentials.example.com/reduced_identity_credential",
                 "family_name": "Doe", "given_name": "J"}
    reduced_2 = {"vct": "https://cred.example/residence_credential", "postal_code": "1", "locality": "L",
                 "region": "R"}
    rewards = {"vct": "https://company.example/company_rewards", "rewards_number": 7}
    wallet = [DcqlCandidate("r1", "dc+sd-jwt", reduced_1), DcqlCandidate("r2", "dc+sd-jwt", reduced_2)]
    match = match_dcql(query, wallet)
    assert match.satisfied and match.answer == ("pid_reduced_cred_1", "pid_reduced_cred_2")
    with_rewards = match_dcql(query, [*wallet, DcqlCandidate("n", "dc+sd-jwt", rewards)])
    assert with_rewards.answer == ("pid_reduced_cred_1", "pid_reduced_cred_2", "nice_to_have")
    only_rewards = match_dcql(query, [DcqlCandidate("n", "dc+sd-jwt", rewards)])
    assert not only_rewards.satisfied  # the required set has no satisfiable option


def test_without_credential_sets_every_query_is_required() -> None:
    query = parse_dcql_query({"credentials": [
        {"id": "one", "format": "ldp_vc", "meta": {"type_values": [["A"]]}},
        {"id": "two", "format": "ldp_vc", "meta": {"type_values": [["B"]]}}]})
    only_a = [DcqlCandidate("a", "ldp_vc", {"type": ["VerifiableCredential", "A"]})]
    match = match_dcql(query, only_a)
    assert match.answer == ("one", "two") and not match.satisfied
    assert match.for_query("one").candidates[0].disclosed() == ()  # no claims asked for


def test_w3c_type_values_need_every_type_of_one_entry() -> None:
    query = parse_dcql_query(LDP)
    vc = {"type": ["VerifiableCredential", "IDCredential"],
          "credentialSubject": {"family_name": "Doe", "given_name": "J"}}
    assert match_dcql(query, [DcqlCandidate("vc", "ldp_vc", vc)]).satisfied
    other = {**vc, "type": ["VerifiableCredential"]}
    assert not match_dcql(query, [DcqlCandidate("vc", "ldp_vc", other)]).satisfied
    # the holder may name its types as expanded IRIs too (B.1.1)
    iri = parse_dcql_query({"credentials": [{"id": "q", "format": "ldp_vc",
                                             "meta": {"type_values": [["https://example.org/IDCredential"]]}}]})
    known = DcqlCandidate("vc", "ldp_vc", vc, types=frozenset({"IDCredential", "https://example.org/IDCredential"}))
    assert match_dcql(iri, [known]).satisfied


def test_a_format_satchel_does_not_read_is_parsed_and_never_matches() -> None:
    query = parse_dcql_query({"credentials": [{"id": "mdl", "format": "mso_mdoc",
                                               "meta": {"doctype_value": "org.iso.18013.5.1.mDL"}}]})
    assert query.credentials[0].format == "mso_mdoc"
    assert not match_dcql(query, [DcqlCandidate("x", "mso_mdoc", {})]).satisfied


@pytest.mark.parametrize(("query", "words"), [
    ([], "not a JSON object"),
    ({}, "asks for no credentials"),
    ({"credentials": []}, "not a non-empty array"),
    ({"credentials": [{"format": "ldp_vc"}]}, "credential query 1's id"),
    ({"credentials": [{"id": "a b", "format": "ldp_vc"}]}, "characters other than"),
    ({"credentials": [{"id": "a", "format": "ldp_vc"}, {"id": "a", "format": "ldp_vc"}]}, "same id"),
    ({"credentials": [{"id": "a"}]}, "format"),
    ({"credentials": [{"id": "a", "format": "ldp_vc", "meta": []}]}, "meta is not an object"),
    ({"credentials": [{"id": "a", "format": "ldp_vc", "claims": [{"path": []}]}]}, "path"),
    ({"credentials": [{"id": "a", "format": "ldp_vc", "claims": [{"path": ["x", -1]}]}]}, "not a key, an index"),
    ({"credentials": [{"id": "a", "format": "ldp_vc", "claims": [{"path": ["x", True]}]}]}, "not a key, an index"),
    ({"credentials": [{"id": "a", "format": "ldp_vc", "claim_sets": [["x"]]}]}, "claim_sets but no claims"),
    ({"credentials": [{"id": "a", "format": "ldp_vc", "claims": [{"path": ["x"]}], "claim_sets": [["x"]]}]},
     "every claim needs an id"),
    ({"credentials": [{"id": "a", "format": "ldp_vc", "claims": [{"id": "x", "path": ["x"]}],
                       "claim_sets": [["y"]]}]}, "no claim has as id"),
    ({"credentials": [{"id": "a", "format": "ldp_vc", "claims": [{"path": ["x"], "values": [{}]}]}]},
     "not a string, an integer or a boolean"),
    ({"credentials": [{"id": "a", "format": "ldp_vc"}], "credential_sets": [{"options": [["b"]]}]},
     "no credential query has"),
    ({"credentials": [{"id": "a", "format": "ldp_vc", "multiple": "yes"}]}, "multiple is not true or false"),
])
def test_malformed_queries_are_refused_with_a_sentence_naming_the_part(query: Any, words: str) -> None:
    with pytest.raises(MalformedError, match=words):
        parse_dcql_query(query)


def test_oversize_queries_are_refused_before_any_work() -> None:
    many = {"credentials": [{"id": f"q{i}", "format": "ldp_vc"} for i in range(10_000)]}
    with pytest.raises(TooComplexError, match="more than the 64"):
        parse_dcql_query(many)
    deep = {"credentials": [{"id": "q", "format": "ldp_vc", "claims": [{"path": ["a"] * 1000}]}]}
    with pytest.raises(TooComplexError, match="more than the 32"):
        parse_dcql_query(deep)


def test_matching_a_fan_out_of_nulls_stops_at_its_work_budget() -> None:
    wide: Any = list(range(100))
    for _ in range(3):
        wide = [wide] * 100  # 10^8 leaves if every null were followed
    query = parse_dcql_query({"credentials": [{"id": "q", "format": "ldp_vc",
                                               "claims": [{"path": ["w", None, None, None, None]}]}]})
    with pytest.raises(TooComplexError) as refused:
        match_dcql(query, [DcqlCandidate("x", "ldp_vc", {"w": wide})])
    assert refused.value.work is not None and 500_000 < refused.value.work < 700_000


def _issued_sd_jwt() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    claims = {"vct": IDENTITY, "iss": "https://issuer.example", "given_name": Concealed("John"),
              "last_name": Concealed("Doe"),
              "address": Concealed({"street_address": Concealed("1 Main St"), "locality": Concealed("Town")}),
              "nationalities": [Concealed("DE"), Concealed("FR")]}
    return issue_sd_jwt(claims, key, {"alg": "ES256", "typ": "dc+sd-jwt"}, decoys=2)


def _kept_names(issued: str, keep: frozenset[str]) -> dict[str, Any]:
    sd_jwt = parse_sd_jwt(issued)
    head = issued.split("~", 1)[0]
    presented = "~".join([head, *[d.encoded for d in sd_jwt.disclosures if d.encoded in keep]]) + "~"
    return process_disclosures(parse_sd_jwt(presented))


def test_an_sd_jwt_candidate_knows_its_disclosable_claims_and_discloses_only_those_asked() -> None:
    issued = _issued_sd_jwt()
    candidate = sd_jwt_candidate("k", issued)
    assert candidate.disclosable == frozenset({("given_name",), ("last_name",), ("address",),
                                               ("address", "street_address"), ("address", "locality"),
                                               ("nationalities", 0), ("nationalities", 1)})
    # SIMPLE asks for first_name, which this credential does not have
    assert not match_dcql(parse_dcql_query(SIMPLE), [candidate]).satisfied
    keep = sd_jwt_disclosures_for(issued, [("last_name",), ("address", "street_address")])
    # the enclosing address object is disclosed so that its street can be; its locality is not
    assert _kept_names(issued, keep) == {"vct": IDENTITY, "iss": "https://issuer.example", "last_name": "Doe",
                                         "address": {"street_address": "1 Main St"}, "nationalities": []}


def test_asking_for_an_object_or_every_element_discloses_all_of_it() -> None:
    issued = _issued_sd_jwt()
    query = parse_dcql_query({"credentials": [{"id": "q", "format": "dc+sd-jwt", "meta": {"vct_values": [IDENTITY]},
                                               "claims": [{"path": ["address"]}, {"path": ["nationalities", None]}]}]})
    found = match_dcql(query, [sd_jwt_candidate("k", issued)]).for_query("q").candidates[0]
    kept = _kept_names(issued, sd_jwt_disclosures_for(issued, found.disclosed()))
    assert kept["address"] == {"street_address": "1 Main St", "locality": "Town"}
    assert kept["nationalities"] == ["DE", "FR"] and "given_name" not in kept


def test_json_pointer_of_escapes_per_rfc_6901() -> None:
    assert json_pointer_of(("credentialSubject", "a/b", "c~d", 0)) == "/credentialSubject/a~1b/c~0d/0"


def test_a_w3c_candidate_knows_its_expanded_types_and_an_sd_base_proofs_withholdable_claims() -> None:
    from credentials import SdBaseProofKey, w3c_candidate
    from credentials._proofs import ProofOptions, add_proof
    from tests.helpers import ob3_credential, p256_signer

    issuer = p256_signer()
    doc = ob3_credential(issuer.did, subject="did:example:learner")
    plain = w3c_candidate("plain", "ldp_vc", doc)
    assert {"OpenBadgeCredential", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential",
            "https://www.w3.org/2018/credentials#VerifiableCredential"} <= plain.types
    assert plain.disclosable is None  # a Data Integrity credential without a base proof goes whole
    ob3 = parse_dcql_query({"credentials": [{"id": "badge", "format": "ldp_vc", "meta": {"type_values": [[
        "https://www.w3.org/2018/credentials#VerifiableCredential",
        "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"]]},
        "claims": [{"path": ["credentialSubject", "id"]}, {"path": ["name"]}]}]})
    assert match_dcql(ob3, [plain]).satisfied
    base = add_proof(doc, "ecdsa-sd-2023", SdBaseProofKey(issuer.key, ("/issuer", "/credentialSubject/id")),
                     ProofOptions(verification_method=issuer.vm))
    sd = w3c_candidate("sd", "ldp_vc", base)
    assert sd.disclosable is not None
    assert ("name",) in sd.disclosable and ("issuer",) not in sd.disclosable
    assert ("credentialSubject",) not in sd.disclosable and ("credentialSubject", "id") not in sd.disclosable
    claims = parse_dcql_query({"credentials": [{"id": "b", "format": "ldp_vc", "meta": {},
                                                "claims": [{"id": "n", "path": ["name"]},
                                                           {"id": "s", "path": ["credentialSubject", "id"]}],
                                                "claim_sets": [["n", "s"], ["s"]]}]})
    found = match_dcql(claims, [sd]).for_query("b").candidates[0]
    assert {m.id: m.optional for m in found.claims} == {"n": True, "s": False}
    assert json_pointer_of(found.disclosed(withheld={0})[0]) == "/credentialSubject/id"
