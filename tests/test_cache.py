"""Fetched documents are cached on disk with their fetch time and caching headers; offline
verification uses the cache and says how old the status is."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from credentials._cache import DiskCache
from credentials._net import Fetcher, make_client
from credentials._status import encode_list, set_status
from credentials._verify import verify
from tests.conftest import CORPUS, ROOT, no_network_prefix
from tests.helpers import VC2, ed25519_signer, ob3_credential

AT = datetime(2026, 11, 22, tzinfo=UTC)
LIST_URL = "https://status.example.org/lists/7"


def _revoked_setup():
    issuer = ed25519_signer()
    bits = bytearray(16 * 1024)
    set_status(bits, 3, 1)
    status_list = issuer.sign({
        "@context": [VC2], "id": LIST_URL, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did, "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": LIST_URL + "#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
                              "encodedList": encode_list(bytes(bits))}})
    cred = issuer.sign(ob3_credential(issuer.did, credentialStatus={
        "id": LIST_URL + "#3", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
        "statusListIndex": "3", "statusListCredential": LIST_URL}))
    return cred, status_list


class Server:
    """An httpx transport that plays an origin server and records what it was asked."""

    def __init__(self, doc: dict, headers: dict[str, str]) -> None:
        self.doc, self.headers, self.requests = doc, headers, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.headers.get("etag") and request.headers.get("if-none-match") == self.headers["etag"]:
            return httpx.Response(304, headers=self.headers)
        return httpx.Response(200, json=self.doc, headers=self.headers)


def test_fresh_cached_status_list_is_used_offline_and_dated(tmp_path: Path) -> None:
    cred, status_list = _revoked_setup()
    server = Server(status_list, {"cache-control": "max-age=3600"})
    fetched_at = datetime(2026, 11, 21, 12, tzinfo=UTC)
    online = Fetcher(make_client(httpx.MockTransport(server)), cache=DiskCache(tmp_path), clock=lambda: fetched_at)
    assert verify(cred, fetcher=online, at=AT).problems == ("revoked",)
    offline = Fetcher(None, cache=DiskCache(tmp_path), clock=lambda: fetched_at + timedelta(minutes=5))
    report = verify(cred, fetcher=offline, at=AT)
    assert report.problems == ("revoked",)
    assert "status as of 21 Nov 2026 12:00 UTC" in report.check("status.revocation").message
    assert "status-stale" not in report.warnings


def test_stale_cache_offline_still_answers_but_warns(tmp_path: Path) -> None:
    cred, status_list = _revoked_setup()
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    online = Fetcher(make_client(httpx.MockTransport(Server(status_list, {"cache-control": "max-age=60"}))),
                     cache=DiskCache(tmp_path), clock=lambda: t0)
    verify(cred, fetcher=online, at=AT)
    offline = Fetcher(None, cache=DiskCache(tmp_path), clock=lambda: t0 + timedelta(days=3))
    report = verify(cred, fetcher=offline, at=AT)
    assert report.problems == ("revoked",)
    assert "status-stale" in report.warnings


def test_stale_entry_is_revalidated_with_etag(tmp_path: Path) -> None:
    cred, status_list = _revoked_setup()
    server = Server(status_list, {"cache-control": "no-cache", "etag": '"v1"'})
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    verify(cred, fetcher=Fetcher(make_client(httpx.MockTransport(server)), cache=DiskCache(tmp_path),
                                 clock=lambda: t0), at=AT)
    report = verify(cred, fetcher=Fetcher(make_client(httpx.MockTransport(server)), cache=DiskCache(tmp_path),
                                          clock=lambda: t0 + timedelta(hours=1)), at=AT)
    assert report.problems == ("revoked",)
    assert server.requests[-1].headers["if-none-match"] == '"v1"'


def test_no_store_answers_are_not_cached(tmp_path: Path) -> None:
    cred, status_list = _revoked_setup()
    server = Server(status_list, {"cache-control": "no-store"})
    verify(cred, fetcher=Fetcher(make_client(httpx.MockTransport(server)), cache=DiskCache(tmp_path)), at=AT)
    assert list(tmp_path.iterdir()) == []
    assert verify(cred, fetcher=Fetcher(None, cache=DiskCache(tmp_path)), at=AT).problems == ("status-unknown",)


def test_cache_writes_leave_no_partial_files(tmp_path: Path) -> None:
    cred, status_list = _revoked_setup()
    server = Server(status_list, {"cache-control": "max-age=60"})
    verify(cred, fetcher=Fetcher(make_client(httpx.MockTransport(server)), cache=DiskCache(tmp_path)), at=AT)
    names = [p.name for p in tmp_path.iterdir()]
    assert len(names) == 1 and not names[0].startswith(".tmp-")
    entry = json.loads((tmp_path / names[0]).read_text())
    assert entry["url"] == LIST_URL and entry["max_age"] == 60


def test_corpus_status_entries_agree_offline_from_a_warm_cache(tmp_path: Path) -> None:
    manifest = json.loads((CORPUS / "manifest.json").read_text())
    entries = [e for e in manifest if {"revoked", "expired", "status-unknown"} & set(e["expected"]["problems"])]
    files = [str(CORPUS / e["file"]) for e in entries]
    base = [*no_network_prefix(), sys.executable, "-m", "credentials._cli", "--json", "--offline",
            "--at", "2026-11-22T00:00:00Z", "--cache", str(tmp_path)]
    warm = subprocess.run([*base, "--documents", str(CORPUS / "web.json"), *files], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    cold = subprocess.run([*base, *files], capture_output=True, text=True, timeout=300, cwd=ROOT)
    for entry, line_warm, line_cached in zip(entries, warm.stdout.splitlines(), cold.stdout.splitlines(), strict=True):
        expected = set(entry["expected"]["problems"])
        allowed = expected | set(entry["expected"].get("may_also_report", []))
        for line in (line_warm, line_cached):
            got = set(json.loads(line)["problems"])
            assert expected <= got <= allowed, (entry["file"], got)
