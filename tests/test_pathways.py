"""Pathways (``credentials._pathways``): a pathway as the issuer defines it, read from a pathway
document the issuer stub publishes, from a CLR 2.0 progress record and from OB 3.0
``Achievement.related``; earned parts come from held credentials of the same issuer. Hostile
documents (huge, deep, cyclic ``precedes``, too many parts) get a clear error in counted work."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from credentials import (
    MalformedError,
    TooComplexError,
    parse_pathway_document,
    pathway_document_urls,
    pathways_in_credential,
    read_facts,
    with_earned,
)
from credentials._pathways import MAX_DEPTH, MAX_PARTS, MAX_PATHWAY_BYTES
from issuer_stub.issuer import CLR_FORM, Issuer
from issuer_stub.state import State
from tests.stub_server import Stub, running_stub

LEARNER = "did:example:learner-pathways"
PATHWAY_PATH = "/pathways/hcsw-certificate"
FORM = "ob3-v2-eddsa-rdfc-2022"


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer(State(":memory:"))


@pytest.fixture(scope="module")
def document(issuer: Issuer) -> dict[str, Any]:
    served = issuer.document(PATHWAY_PATH)
    assert served is not None
    return dict(json.loads(served.body))


@pytest.fixture(scope="module")
def earned(issuer: Issuer) -> list[dict[str, Any]]:
    """Two of the pathway's badges, issued to the learner (signed, as a wallet would hold them)."""
    return [issuer.issue(slug, FORM, LEARNER)[1].credential for slug in ("donning-doffing-ppe", "healthy-menus")]


def _url(issuer: Issuer) -> str:
    return issuer.base_url + PATHWAY_PATH


def test_the_document_gives_every_part_in_order_with_credits_prerequisites_and_where_to_earn(
        issuer: Issuer, document: dict[str, Any]) -> None:
    pathway = parse_pathway_document(json.dumps(document).encode(), url=_url(issuer))
    assert pathway.name == "Health Care Support Worker certificate"
    assert pathway.source == "document" and pathway.document_url == _url(issuer)
    assert pathway.issuer is not None and pathway.issuer.id == issuer.did
    assert [p.name for p in pathway.parts] == [
        "Donning and doffing PPE", "Preparing healthy menus", "Wound care basics",
        "Safe client transfers and mobility", "Supervised clinical placement"]
    assert [p.order for p in pathway.parts] == [1, 2, 3, 4, 5]
    assert [p.credits for p in pathway.parts] == [0.5, 1.0, 0.5, 1.0, 2.0]
    assert pathway.credits_required == 5.0 and pathway.credits_available == 5.0
    base = issuer.base_url
    assert pathway.parts[2].prerequisites == (f"{base}/achievements/donning-doffing-ppe",)
    assert len(pathway.parts[4].prerequisites) == 4
    assert all(p.where_to_earn == f"{base}/earn/{p.achievement_id.rsplit('/', 1)[1]}" for p in pathway.parts)
    assert not any(p.earned for p in pathway.parts) and not pathway.is_complete
    # the certificate's own competency first, then each part's
    names = [a.name for a in pathway.competencies]
    assert names[0] == "Health care support worker: entry to practice" and len(names) == 6


def test_held_badges_of_the_issuer_earn_their_parts_and_add_up_their_credits(
        issuer: Issuer, document: dict[str, Any], earned: list[dict[str, Any]]) -> None:
    pathway = with_earned(parse_pathway_document(document, url=_url(issuer)), [read_facts(c) for c in earned])
    assert pathway.earned_count == 2 and len(pathway.parts) == 5
    assert [p.earned for p in pathway.parts] == [True, True, False, False, False]
    assert pathway.credits_earned == 1.5  # the credentials' creditsEarned: 0.5 + 1.0
    assert not pathway.is_complete
    # the placement waits for the three others; wound care's one prerequisite (PPE) is earned
    assert [p.name for p in pathway.next_parts] == ["Wound care basics", "Safe client transfers and mobility"]


def test_every_part_earned_completes_the_pathway(issuer: Issuer, document: dict[str, Any]) -> None:
    slugs = ["donning-doffing-ppe", "healthy-menus", "wound-care-basics", "safe-transfers", "supervised-placement"]
    held = [read_facts(issuer.issue(slug, FORM, "did:example:finisher")[1].credential) for slug in slugs]
    pathway = with_earned(parse_pathway_document(document, url=_url(issuer)), held)
    assert pathway.earned_count == 5 and pathway.credits_earned == 5.0 and pathway.is_complete
    assert pathway.next_parts == ()


def test_a_badge_from_another_issuer_for_the_same_achievement_earns_nothing(
        issuer: Issuer, document: dict[str, Any], earned: list[dict[str, Any]]) -> None:
    forged = copy.deepcopy(earned[0])
    forged["issuer"] = {**forged["issuer"], "id": "did:web:elsewhere.example"}
    pathway = with_earned(parse_pathway_document(document, url=_url(issuer)), [read_facts(forged)])
    assert pathway.earned_count == 0


def test_a_clr_progress_record_states_the_whole_pathway_and_the_parts_it_carries(
        issuer: Issuer, earned: list[dict[str, Any]]) -> None:
    _, artifact = issuer.issue("hcsw-certificate", CLR_FORM, LEARNER)
    (pathway,) = pathways_in_credential(artifact.credential)
    assert pathway.source == "clr" and pathway.name == "Health Care Support Worker certificate"
    assert [p.earned for p in pathway.parts] == [True, True, False, False, False]
    assert pathway.credits_earned == 1.5 and pathway.credits_available == 5.0
    assert [p.name for p in pathway.next_parts] == ["Wound care basics", "Safe client transfers and mobility"]
    assert "Assists clients with mobility and transfers safely" in [a.name for a in pathway.competencies]


def test_related_achievements_are_a_pathway_whose_parts_held_badges_name_and_earn(issuer: Issuer) -> None:
    _, cert = issuer.issue("psw-foundations", FORM, LEARNER)
    (pathway,) = pathways_in_credential(cert.credential)
    assert pathway.source == "related" and pathway.name == "Personal Support Worker foundations"
    assert [p.name for p in pathway.parts] == ["Donning doffing ppe", "Healthy menus"]  # known only by their ids
    held = read_facts(issuer.issue("healthy-menus", FORM, LEARNER)[1].credential)
    marked = with_earned(pathway, [held])
    assert [(p.name, p.earned) for p in marked.parts] == [("Donning doffing ppe", False),
                                                          ("Preparing healthy menus", True)]


def test_a_credential_names_its_pathway_document_only_on_its_issuers_origin(
        issuer: Issuer, earned: list[dict[str, Any]]) -> None:
    assert pathway_document_urls(earned[0]) == (_url(issuer),)
    elsewhere = copy.deepcopy(earned[0])
    entry = elsewhere["credentialSubject"]["achievement"]["otherIdentifier"][0]
    entry["identifier"] = "https://attacker.example/pathways/hcsw-certificate"
    assert pathway_document_urls(elsewhere) == ()
    userinfo = copy.deepcopy(earned[0])
    userinfo["credentialSubject"]["achievement"]["otherIdentifier"][0]["identifier"] = \
        _url(issuer).replace("http://", "http://user@")
    assert pathway_document_urls(userinfo) == ()


def test_where_to_earn_on_another_origin_is_dropped(issuer: Issuer, document: dict[str, Any]) -> None:
    doc = copy.deepcopy(document)
    doc["parts"][0]["whereToEarn"] = "https://phishing.example/enrol"
    pathway = parse_pathway_document(doc, url=_url(issuer))
    assert pathway.parts[0].where_to_earn == "" and pathway.parts[1].where_to_earn


# -- hostile documents ------------------------------------------------------------------------------

def _ring(size: int) -> dict[str, Any]:
    """A pathway whose parts each precede the next, the last preceding the first."""
    ids = [f"https://issuer.example/achievements/a{n}" for n in range(size)]
    return {"type": "Pathway", "name": "Ring", "achievement": {"id": "https://issuer.example/achievements/ring"},
            "parts": [{"achievement": {"id": i, "name": f"Part {n}"}} for n, i in enumerate(ids)],
            "association": [{"type": "Association", "associationType": "precedes", "sourceId": ids[n],
                             "targetId": ids[(n + 1) % size]} for n in range(size)]}


def test_a_precedes_cycle_is_a_clear_error_found_in_one_pass() -> None:
    doc = json.dumps(_ring(MAX_PARTS)).encode()
    # 100 parts + 100 associations + 200 edges + the byte scan: a budget an algorithm that walked
    # round the ring (or compared every pair) would run out of, and report TooComplexError instead
    budget = len(doc) // 64 + 4 * MAX_PARTS + 10
    with pytest.raises(MalformedError, match=r"go round in a circle \(Part 0, Part 1, .*no part could ever be started"):
        parse_pathway_document(doc, url="https://issuer.example/pathways/ring", max_work=budget)


def test_a_two_part_cycle_names_just_the_parts_in_it() -> None:
    doc = _ring(2)
    doc["parts"].append({"achievement": {"id": "https://issuer.example/achievements/free", "name": "Free"}})
    with pytest.raises(MalformedError, match=r"circle \(Part 0, Part 1\)"):
        parse_pathway_document(doc, url="https://issuer.example/pathways/ring")


def test_a_huge_document_is_refused_before_it_is_parsed() -> None:
    huge = b'{"type": "Pathway", "name": "' + b"x" * MAX_PATHWAY_BYTES + b'"}'
    with pytest.raises(TooComplexError, match="over the") as caught:
        parse_pathway_document(huge, url="https://issuer.example/pathways/huge")
    assert caught.value.work == 0


def test_a_deeply_nested_document_is_refused_before_a_parser_recurses() -> None:
    deep = b'{"type": "Pathway", "parts": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(TooComplexError, match=f"deeper than {MAX_DEPTH}") as caught:
        parse_pathway_document(deep, url="https://issuer.example/pathways/deep")
    assert caught.value.work is not None and caught.value.work < 200_000 // 64 + 1


def test_too_many_parts_or_associations_are_refused() -> None:
    many = _ring(MAX_PARTS + 1)
    many["association"] = []
    with pytest.raises(TooComplexError, match=f"{MAX_PARTS + 1} parts"):
        parse_pathway_document(many, url="https://issuer.example/pathways/many")
    chatty = _ring(3)
    chatty["association"] = chatty["association"] * 500
    with pytest.raises(TooComplexError, match="1500 associations"):
        parse_pathway_document(chatty, url="https://issuer.example/pathways/chatty")


def test_a_document_that_is_not_a_pathway_or_lists_itself_is_malformed() -> None:
    with pytest.raises(MalformedError, match="not a pathway document"):
        parse_pathway_document(b'{"type": "Achievement"}', url="https://issuer.example/x")
    with pytest.raises(MalformedError, match="not JSON"):
        parse_pathway_document(b"<html>", url="https://issuer.example/x")
    itself = _ring(2)
    itself["parts"].append({"achievement": {"id": itself["achievement"]["id"]}})
    with pytest.raises(MalformedError, match="lists its own achievement"):
        parse_pathway_document(itself, url="https://issuer.example/x")


def test_credits_that_are_not_sensible_numbers_are_not_stated() -> None:
    doc = _ring(3)
    doc["association"] = []
    doc["creditsRequired"] = "lots"
    for part, credits in zip(doc["parts"], (float("nan"), -1, True), strict=True):
        part["achievement"]["creditsAvailable"] = credits
    pathway = parse_pathway_document(doc, url="https://issuer.example/x")
    assert pathway.credits_required is None and [p.credits for p in pathway.parts] == [None, None, None]


def test_a_clr_with_cyclic_associations_states_no_pathway(issuer: Issuer) -> None:
    _, artifact = issuer.issue("hcsw-certificate", CLR_FORM, LEARNER)
    clr = copy.deepcopy(artifact.credential)
    parts = [a["id"] for a in clr["credentialSubject"]["achievement"][1:3]]  # [0] is the certificate
    clr["credentialSubject"]["association"] += [
        {"type": "Association", "associationType": "precedes", "sourceId": parts[1], "targetId": parts[0]},
        {"type": "Association", "associationType": "precedes", "sourceId": parts[0], "targetId": parts[1]}]
    assert pathways_in_credential(clr) == ()


# -- the stub publishes it ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def stub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stub]:
    yield from running_stub(tmp_path_factory.mktemp("pathway-issuer-state"))


def test_the_stub_serves_the_pathway_its_badges_name_and_a_page_for_each_part(stub: Stub) -> None:
    issued = stub.issue(FORM, "safe-transfers", recipient=LEARNER)["credential"]
    (url,) = pathway_document_urls(issued)
    assert url == stub.base + PATHWAY_PATH
    answer = stub.http.get(PATHWAY_PATH)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    pathway = with_earned(parse_pathway_document(answer.content, url=url), [read_facts(issued)])
    assert pathway.earned_count == 1 and pathway.parts[3].earned
    page = stub.http.get(pathway.parts[3].where_to_earn.removeprefix(stub.base))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Safe client transfers and mobility" in page.text and "Health Care Support Worker certificate" in page.text
    assert stub.http.get("/pathways/no-such-pathway").status_code == 404


# -- the wallet puts its badges on the issuer's pathway ---------------------------------------------

def _held(credentials_: list[dict[str, Any]]) -> list[Any]:
    from wallet.app.pathways import HeldBadge

    return [HeldBadge(f"record-{n}", c) for n, c in enumerate(credentials_)]


def test_the_wallet_fetches_the_issuers_pathway_and_shows_every_part(tmp_path: Any) -> None:
    from credentials import Fetcher, make_client
    from wallet.app.pathways import document_urls, find_pathways
    from wallet.app.services.pathways import fetch_pathway_documents

    stub = Stub(tmp_path / "state")
    try:
        held = _held([stub.issue(FORM, slug, recipient=LEARNER)["credential"]
                      for slug in ("donning-doffing-ppe", "healthy-menus")])
        urls = document_urls(held)
        assert urls == [stub.base + PATHWAY_PATH]
        with make_client(allow_loopback=True) as client:
            documents, unreachable = fetch_pathway_documents(Fetcher(client), urls)
    finally:
        stub.stop()
    assert unreachable == {}
    (shown,) = find_pathways(held, documents, unreachable)
    assert shown.pathway.progress_words == "2 of 5 parts earned"
    assert shown.pathway.credits_words == "1.5 of 5 credits earned"
    assert shown.record_for(shown.pathway.parts[0]) == "record-0" and shown.record_for(shown.pathway.parts[2]) is None
    assert shown.pathway.parts[3].where_to_earn.startswith(stub.base + "/earn/")


def test_with_the_issuer_down_the_wallet_says_so_and_keeps_the_parts_its_badges_name(tmp_path: Any) -> None:
    from credentials import Fetcher, make_client
    from wallet.app.pathways import HeldBadge, document_urls, find_pathways
    from wallet.app.services.pathways import fetch_pathway_documents

    stub = Stub(tmp_path / "state")
    held = _held([stub.issue(FORM, slug, recipient=LEARNER)["credential"]
                  for slug in ("donning-doffing-ppe", "healthy-menus")])
    revoked = stub.issue(FORM, "wound-care-basics", recipient=LEARNER)["credential"]
    stub.stop()
    held.append(HeldBadge("record-revoked", revoked, counts=False))
    with make_client(allow_loopback=True) as client:
        documents, unreachable = fetch_pathway_documents(Fetcher(client), document_urls(held))
    assert documents == {}
    (why,) = unreachable.values()
    assert "could not be reached" in why and "only the parts your badges name" in why
    (shown,) = find_pathways(held, documents, unreachable)
    assert shown.note == why
    assert shown.pathway.name.startswith("A pathway of Riverside Community College")
    # the revoked badge names the pathway too, but earns nothing
    assert [(p.name, p.earned) for p in shown.pathway.parts] == [
        ("Donning and doffing PPE", True), ("Preparing healthy menus", True), ("Wound care basics", False)]


def test_offline_the_wallet_never_fetches_and_says_it_is_offline(issuer: Issuer,
                                                                  earned: list[dict[str, Any]]) -> None:
    from credentials import Fetcher, make_client
    from wallet.app.pathways import document_urls
    from wallet.app.services.pathways import fetch_pathway_documents

    with make_client(offline=True) as client:
        documents, unreachable = fetch_pathway_documents(Fetcher(client), document_urls(_held(earned)))
    assert documents == {} and "offline" in next(iter(unreachable.values()))


# -- the verifier shows a shared CLR's stack --------------------------------------------------------

def _verified_record(issuer: Issuer, content: bytes) -> dict[str, Any]:
    from credentials import verify
    from tests.helpers import memory_fetcher
    from verifier.history import record_of

    docs = {issuer.base_url + p: served.body for p in issuer.hosted_paths() if (served := issuer.document(p))}
    return record_of(verify(content, fetcher=memory_fetcher(docs)))


def test_the_verifier_reads_a_shared_clrs_stack_from_what_it_verified() -> None:
    from verifier.app.views.pathway import stack_of

    issuer = Issuer(State(":memory:"))
    for slug in ("donning-doffing-ppe", "healthy-menus"):
        issuer.issue(slug, FORM, LEARNER)
    _, clr = issuer.issue("hcsw-certificate", CLR_FORM, LEARNER)
    record = _verified_record(issuer, clr.content)
    assert record["verdict"] == "valid"
    (pathway,) = stack_of(record)
    assert pathway.progress_words == "2 of 5 parts earned" and pathway.credits_words == "1.5 of 5 credits earned"
    assert [p.earned for p in pathway.parts] == [True, True, False, False, False]


def test_a_revoked_part_of_a_shared_clr_is_not_counted_as_earned() -> None:
    from verifier.app.views.pathway import stack_of

    issuer = Issuer(State(":memory:"))
    ppe, _ = issuer.issue("donning-doffing-ppe", FORM, LEARNER)
    issuer.issue("healthy-menus", FORM, LEARNER)
    _, clr = issuer.issue("hcsw-certificate", CLR_FORM, LEARNER)
    issuer.change_status(ppe.id, "revoke")
    record = _verified_record(issuer, clr.content)
    (pathway,) = stack_of(record)
    assert [p.earned for p in pathway.parts] == [False, True, False, False, False]
    assert pathway.credits_words == "1 of 5 credits earned"
