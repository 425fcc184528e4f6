"""Zero false accepts: no single-field change to a valid corpus credential is reported valid.

A verifier that shows a tampered badge as valid is the worst bug this product can have.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials._errors import SatchelError
from credentials._jsonld import canonize
from credentials._verify import verify
from tests.conftest import AT, CORPUS

MANIFEST = json.loads((CORPUS / "manifest.json").read_text())
VALID = [e for e in MANIFEST if not e["expected"]["problems"] and not e.get("args")]
JSON_VALID = [e for e in VALID if e["file"].endswith(".json")]
JWT_VALID = [e for e in VALID if e["file"].endswith(".jwt")]


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key and list position in a JSON document."""
    out: list[tuple] = []
    if isinstance(node, dict):
        for k, v in node.items():
            out.append((*prefix, k))
            out.extend(paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.append((*prefix, i))
            out.extend(paths(v, (*prefix, i)))
    return out


def same_signed_meaning(a: dict, b: dict) -> bool:
    """Whether two JSON-LD documents have the same canonical RDF (the data Data Integrity signs).

    Dropping an embedded @context that repeats the one already in scope, say, changes the JSON
    but not one statement: that is not tampering, and the signature rightly still holds.
    Likewise dropping whole proofs from a proof set: each proof stands alone (VC Data Integrity
    1.0 §2.1.1), so the issuer's remaining signatures still vouch for unchanged content.
    """

    def proofs(d: dict) -> list:
        p = d.get("proof")
        return p if isinstance(p, list) else [p]

    strip = lambda d: {k: v for k, v in d.items() if k != "proof"}  # noqa: E731
    kept = proofs(b)
    same_proofs = bool(kept) and all(p in proofs(a) for p in kept) and b.get("proof") is not None
    try:
        return canonize(strip(a)) == canonize(strip(b)) and same_proofs
    except SatchelError:
        return False


def mutate(doc: Any, path: tuple, how: str, text: str) -> Any:
    doc = copy.deepcopy(doc)
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    key = path[-1]
    value = parent[key]
    if how == "delete":
        del parent[key]
    elif how == "add-sibling" and isinstance(parent, dict):
        parent["x" + text + "Extra"] = text or "extra"
    elif isinstance(value, bool):
        parent[key] = not value
    elif isinstance(value, (int, float)):
        parent[key] = value + 1
    elif isinstance(value, str):
        parent[key] = value + (text or "x") if how != "replace" else (text if text != value else value + "!")
    elif isinstance(value, list):
        parent[key] = value + [text or "x"] if how != "replace" else value[1:]
    elif isinstance(value, dict):
        parent[key] = {**value, "injected": text or "x"}
    else:
        parent[key] = text or "x"
    return doc


MUTATIONS = st.sampled_from(["delete", "append", "replace", "add-sibling"])
TEXT = st.text(alphabet="abcXYZ019 :/#", min_size=0, max_size=6)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), how=MUTATIONS, text=TEXT)
def test_single_field_mutation_of_valid_credential_is_never_valid(data, how, text, corpus_fetcher) -> None:
    entry = data.draw(st.sampled_from(JSON_VALID))
    original = json.loads((CORPUS / entry["file"]).read_text())
    path = data.draw(st.sampled_from(paths(original)))
    changed = mutate(original, path, how, text)
    if changed == original or same_signed_meaning(original, changed):
        return
    report = verify(changed, fetcher=corpus_fetcher, at=AT)
    assert report.verdict != "valid", (entry["file"], path, how, text)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), how=MUTATIONS, text=TEXT)
def test_single_claim_mutation_of_valid_jwt_is_never_valid(data, how, text, corpus_fetcher) -> None:
    entry = data.draw(st.sampled_from(JWT_VALID))
    header, payload, signature = (CORPUS / entry["file"]).read_text().strip().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    path = data.draw(st.sampled_from(paths(claims)))
    changed = mutate(claims, path, how, text)
    if changed == claims:
        return
    token = ".".join([header, _b64(json.dumps(changed).encode()), signature])
    report = verify(token, fetcher=corpus_fetcher, at=AT)
    assert report.verdict != "valid", (entry["file"], path, how, text)


def test_every_valid_corpus_credential_is_valid_in_process(corpus_fetcher) -> None:
    """The mutation tests above mean something only if the originals verify."""
    for entry in VALID:
        report = verify((CORPUS / entry["file"]).read_bytes(), fetcher=corpus_fetcher, at=AT)
        assert report.verdict == "valid", (entry["file"], report.problems)
