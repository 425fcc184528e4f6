"""Every manifest entry of the shared corpus agrees with `satchel-verify` under the contract
(../shared/corpus/README.md). No verdict is written here: the manifest is the only source."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict

import pytest

from tests.conftest import CORPUS, ROOT, no_network_prefix

TOKENS = {
    "malformed", "unknown-context", "jsonld-safe-mode", "no-proof", "unsupported-proof-type",
    "invalid-signature", "unresolvable-key", "issuer-key-mismatch", "expired", "not-yet-valid", "revoked",
    "suspended", "status-unknown", "unreachable", "schema-invalid", "recipient-mismatch", "holder-mismatch",
    "challenge-mismatch",
}
COULD_NOT_CHECK = {"unresolvable-key", "status-unknown", "unreachable", "unsupported-proof-type", "unknown-context"}
MANIFEST = json.loads((CORPUS / "manifest.json").read_text())
SATCHEL_VERIFY = [sys.executable, "-m", "credentials._cli"]


@pytest.fixture(scope="module")
def answers() -> dict[str, dict]:
    """Run the contract command once per distinct (at, args), all files of a group in one call."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for entry in MANIFEST:
        groups[(entry["at"], tuple(entry.get("args", [])))].append(entry)
    out: dict[str, dict] = {}
    for (at, args), entries in groups.items():
        cmd = [*no_network_prefix(), *SATCHEL_VERIFY, "--json", "--offline", "--documents",
               str(CORPUS / "web.json"), "--at", at, *args, *[str(CORPUS / e["file"]) for e in entries]]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
        lines = proc.stdout.splitlines()
        assert len(lines) == len(entries), proc.stderr[-2000:]
        for entry, line in zip(entries, lines, strict=True):
            out[entry["file"]] = json.loads(line)
    return out


def verdict_for(problems: list[str]) -> str:
    if not problems:
        return "valid"
    return "unverifiable" if set(problems) <= COULD_NOT_CHECK else "invalid"


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_verifier_agrees_with_corpus_entry(entry: dict, answers: dict[str, dict]) -> None:
    got = answers[entry["file"]]
    problems = got["problems"]
    expected = set(entry["expected"]["problems"])
    allowed = expected | set(entry["expected"].get("may_also_report", []))
    detail = f"{entry['note']}\nexpected {sorted(expected)} (+ may {sorted(allowed - expected)}), got {problems}"
    assert problems == sorted(set(problems)), detail
    assert set(problems) <= TOKENS, detail
    assert "warnings" in got and "checks" in got, detail
    assert all({"id", "status", "message"} <= set(c) for c in got["checks"]), detail
    assert got["verdict"] == verdict_for(problems), detail
    assert expected <= set(problems) <= allowed, detail


def _check_ids(answer: dict) -> set[str]:
    ids = {c["id"] for c in answer.get("checks", [])}
    for key in ("credentials", "attached"):
        for sub in answer.get(key, []):
            ids |= _check_ids(sub)
    return ids


def test_every_check_a_report_carries_is_in_the_check_id_registry(answers: dict[str, dict]) -> None:
    from credentials import CheckId

    seen = set().union(*(_check_ids(a) for a in answers.values()))
    assert {"proof.signature", "status.revocation", "validity.expired"} <= seen  # the corpus reaches them
    assert seen - {c.value for c in CheckId} == set()
