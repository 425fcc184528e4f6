"""The ``schema`` check: credentialSchema against bundled 1EdTech JSON Schemas, offline."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import httpx
import pytest

from credentials._checks import schema as schema_mod
from credentials._checks.schema import check_schema
from credentials._net import Fetcher, make_client
from credentials._report import Status

from .conftest import CORPUS
from .helpers import memory_fetcher

OB3_AC = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
OB3_EC = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
DCC_AC = "dcc-vc-test-fixtures/v2/dataIntegrityProof/didKey/legacyRegistry-noStatus-notExpired-withSchema.json"
DCC_EC = "dcc-vc-test-fixtures/v2/bothSignatureTypes/didkey/legacy-noStatus-notExpired-endorsement-withSchema.json"
VECTOR = "1edtech-ob3/ob3-impl-guide-ldp-vector.signed.json"
BASIC = "1edtech-ob3/basicOpenBadgeCredential.unsigned.json"


def load(rel: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((CORPUS / rel).read_text(encoding="utf-8"))
    return doc


def with_schema(doc: dict[str, Any], url: str = OB3_AC, kind: str = "1EdTechJsonSchemaValidator2019") -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out["credentialSchema"] = [{"id": url, "type": kind}]
    return out


class NoNetwork(httpx.BaseTransport):
    """Fails the test if anything is ever requested."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"network touched: {request.url}")


@pytest.fixture
def offline() -> Fetcher:
    return Fetcher(None)


def problems(results: list[Any]) -> list[str]:
    return [r.problem for r in results if r.problem]


# --- corpus credentials -----------------------------------------------------------------------


def test_no_credential_schema_is_no_result(offline: Fetcher) -> None:
    assert check_schema(load(BASIC), offline) == []


def test_corpus_endorsement_with_schema_passes(offline: Fetcher) -> None:
    [res] = check_schema(load(DCC_EC), offline)
    assert res.status == Status.PASSED
    assert res.message == "It follows the Open Badges 3.0 EndorsementCredential schema."


def test_spec_example_passes(offline: Fetcher) -> None:
    [res] = check_schema(with_schema(load(BASIC)), offline)
    assert res.status == Status.PASSED
    assert res.message == "It follows the Open Badges 3.0 AchievementCredential schema."


@pytest.mark.parametrize("rel", [DCC_AC, VECTOR])
def test_single_proof_object_is_compacted_form_not_a_problem(rel: str, offline: Fetcher) -> None:
    # The plain-JSON schema wants `proof` as a list; OB 3.0 "Serialization" allows the
    # JSON-LD compacted single object. A warning, never schema-invalid.
    doc = load(rel) if rel == DCC_AC else with_schema(load(rel))
    [res] = check_schema(doc, offline)
    assert res.status == Status.WARNING and res.warning == "schema-compacted", res
    assert res.problem is None
    assert "proof" in res.message


def test_compacted_form_still_checks_everything_else(offline: Fetcher) -> None:
    doc = load(DCC_AC)
    del doc["credentialSubject"]["achievement"]["criteria"]
    [res] = check_schema(doc, offline)
    assert res.problem == "schema-invalid"
    assert "criteria" in res.message


def test_all_expected_valid_corpus_credentials_with_a_schema_have_no_problem(
        corpus_manifest: list[dict[str, Any]], offline: Fetcher) -> None:
    seen = 0
    for entry in corpus_manifest:
        if entry["expected"]["problems"] or not entry["file"].endswith(".json"):
            continue
        try:
            doc = json.loads((CORPUS / entry["file"]).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(doc, dict) or "credentialSchema" not in doc:
            continue
        seen += 1
        assert problems(check_schema(doc, offline)) == [], entry["file"]
    assert seen >= 2


# --- failures --------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "prop"), [
    (("credentialSubject", "achievement"), "criteria"),
    (("credentialSubject", "achievement"), "name"),
    ((), "validFrom"),
    ((), "issuer"),
])
def test_required_property_removed_fails(path: tuple[str, ...], prop: str, offline: Fetcher) -> None:
    doc = with_schema(load(BASIC))
    node = doc
    for key in path:
        node = node[key]
    del node[prop]
    [res] = check_schema(doc, offline)
    assert res.status == Status.FAILED and res.problem == "schema-invalid"
    assert res.message.startswith("It does not follow the Open Badges 3.0 AchievementCredential schema: ")
    assert f'missing "{prop}"' in res.message


def test_endorsement_missing_subject_type_fails(offline: Fetcher) -> None:
    doc = load(DCC_EC)
    del doc["credentialSubject"]["type"]
    [res] = check_schema(doc, offline)
    assert res.problem == "schema-invalid"


def test_bad_date_time_fails(offline: Fetcher) -> None:
    doc = with_schema(load(BASIC))
    doc["validFrom"] = "last tuesday"
    [res] = check_schema(doc, offline)
    assert res.problem == "schema-invalid" and "validFrom" in res.message and "date-time" in res.message


def test_real_date_time_shapes_are_accepted(offline: Fetcher) -> None:
    for value in ("2010-01-01T00:00:00Z", "2010-01-01T00:00:00.123456789Z", "2010-01-01T00:00:00+05:30"):
        doc = with_schema(load(BASIC))
        doc["validFrom"] = value
        assert problems(check_schema(doc, offline)) == [], value


def test_wrong_type_message_is_plain(offline: Fetcher) -> None:
    doc = with_schema(load(BASIC))
    doc["credentialSubject"]["achievement"]["criteria"] = "none"
    [res] = check_schema(doc, offline)
    assert res.problem == "schema-invalid"
    assert "credentialSubject.achievement.criteria should be an object" in res.message


# --- unavailable / unsupported: warnings, never problems ---------------------------------------


def test_unknown_schema_url_is_a_warning(offline: Fetcher) -> None:
    doc = with_schema(load(BASIC), "https://example.org/schemas/mine.json", "JsonSchema")
    [res] = check_schema(doc, offline)
    assert res.status == Status.WARNING and res.warning == "schema-unavailable"
    assert res.problem is None


def test_unsupported_schema_type_is_a_warning(offline: Fetcher) -> None:
    doc = with_schema(load(BASIC), OB3_AC, "ShaclValidator2017")
    [res] = check_schema(doc, offline)
    assert res.status == Status.WARNING and res.problem is None


@pytest.mark.parametrize("entry", [{"type": "JsonSchema"}, "https://example.org/s.json", 7])
def test_malformed_entry_is_a_warning(entry: Any, offline: Fetcher) -> None:
    doc = load(BASIC)
    doc["credentialSchema"] = [entry]
    assert problems(check_schema(doc, offline)) == []


@pytest.mark.parametrize("kind", ["1EdTechJsonSchemaValidator2019", "JsonSchema", "JsonSchemaValidator2018"])
def test_bundled_schemas_never_touch_the_network(kind: str) -> None:
    fetcher = Fetcher(make_client(NoNetwork()))
    [res] = check_schema(with_schema(load(BASIC), OB3_AC, kind), fetcher)
    assert res.status == Status.PASSED
    [res] = check_schema(load(DCC_EC), fetcher)
    assert res.status == Status.PASSED


def test_single_entry_object_is_read_as_compacted(offline: Fetcher) -> None:
    doc = load(BASIC)
    doc["credentialSchema"] = {"id": OB3_AC, "type": "1EdTechJsonSchemaValidator2019"}
    [res] = check_schema(doc, offline)
    assert res.warning == "schema-compacted" and res.problem is None and "credentialSchema" in res.message


# --- fetched schemas ------------------------------------------------------------------------


MINE = "https://issuer.example/schemas/mine.json"


def test_fetched_schema_validates() -> None:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Mine", "type": "object",
              "required": ["favouriteColour"]}
    fetcher = memory_fetcher({MINE: schema})
    [res] = check_schema(with_schema(load(BASIC), MINE, "JsonSchema"), fetcher)
    assert res.problem == "schema-invalid" and 'missing "favouriteColour"' in res.message
    doc = with_schema(load(BASIC), MINE, "JsonSchema")
    doc["favouriteColour"] = "green"
    [res] = check_schema(doc, fetcher)
    assert res.status == Status.PASSED


def test_fetched_schema_may_ref_a_bundled_one_offline() -> None:
    schema = {"$schema": "https://json-schema.org/draft/2019-09/schema", "$ref": OB3_AC}
    [res] = check_schema(with_schema(load(BASIC), MINE, "JsonSchema"), memory_fetcher({MINE: schema}))
    assert res.status == Status.PASSED


def test_remote_ref_not_bundled_is_unavailable() -> None:
    schema = {"$schema": "https://json-schema.org/draft/2019-09/schema",
              "$ref": "https://elsewhere.example/other.json"}
    [res] = check_schema(with_schema(load(BASIC), MINE, "JsonSchema"), memory_fetcher({MINE: schema}))
    assert res.status == Status.WARNING and res.warning == "schema-unavailable" and res.problem is None


@pytest.mark.parametrize("schema", [
    ["not", "a", "schema"],
    {"type": 12},
    {"$schema": "https://example.org/my-own-draft", "type": "object"},
    {"properties": {"name": {"pattern": "(a+)+$"}}},
])
def test_unusable_fetched_schema_is_unavailable(schema: Any) -> None:
    doc = with_schema(load(BASIC), MINE, "JsonSchema")
    doc["name"] = "a" * 40 + "!"
    start = time.monotonic()
    results = check_schema(doc, memory_fetcher({MINE: schema}))
    assert time.monotonic() - start < 5
    assert problems(results) == []


# --- bounds ------------------------------------------------------------------------------------


def test_deep_credential_does_not_hang(offline: Fetcher) -> None:
    doc = with_schema(load(BASIC))
    node: dict[str, Any] = {}
    doc["credentialSubject"]["deep"] = node
    for _ in range(5000):
        node["x"] = {}
        node = node["x"]
    start = time.monotonic()
    results = check_schema(doc, offline)
    assert time.monotonic() - start < 5
    assert problems(results) == []


def test_many_entries_are_bounded(offline: Fetcher) -> None:
    doc = load(BASIC)
    doc["credentialSchema"] = [{"id": f"https://example.org/{i}.json", "type": "JsonSchema"} for i in range(1000)]
    results = check_schema(doc, offline)
    assert len(results) <= schema_mod.MAX_ENTRIES + 1
    assert problems(results) == []


def test_schemas_are_compiled_once(offline: Fetcher) -> None:
    check_schema(with_schema(load(BASIC)), offline)
    before = schema_mod._bundled_validator.cache_info().misses
    for _ in range(3):
        check_schema(with_schema(load(BASIC)), offline)
    assert schema_mod._bundled_validator.cache_info().misses == before


def test_bundle_index_is_pinned() -> None:
    index = schema_mod._bundled()
    assert OB3_AC in index and OB3_EC in index
