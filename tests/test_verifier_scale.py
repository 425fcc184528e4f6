"""Several verify-service instances on one real PostgreSQL, as behind a load balancer.

Real processes (`satchel-verifier serve --database postgresql://…`), real HTTP on loopback, a
real PostgreSQL cluster (tests/postgres.py). Shown here: a challenge is claimed exactly once when
the same presentation races to every instance; a relay blob posted to one instance is served and
unshared through the others; an instance killed mid-load loses nothing it had committed, and a
restarted one serves it; both stores keep the same contract.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials import b64url_encode, encrypt_for_relay, new_unshare_secret
from tests.helpers import VC2, Signer, ed25519_signer, ob3_credential
from tests.verifier_process import running_verifier
from verifier.store import Claim, Exchange, PostgresStore, RelayEntry, SqliteStore

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def instance(data: Path, database: str, *extra: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    with running_verifier("--offline", "--data", str(data), "--database", database, *extra) as (base, proc):
        yield base, proc


@pytest.fixture(scope="module")
def people() -> dict[str, Any]:
    issuer, holder = ed25519_signer(), ed25519_signer()
    return {"issuer": issuer, "holder": holder, "cred": issuer.sign(ob3_credential(issuer.did, subject=holder.did))}


def _vp(holder: Signer, cred: dict, challenge: str, domain: str) -> dict:
    vp = {"@context": [VC2], "type": ["VerifiablePresentation"], "holder": holder.did, "verifiableCredential": [cred]}
    return holder.sign(vp, proof_purpose="authentication", challenge=challenge, domain=domain)


def test_a_challenge_is_claimed_exactly_once_when_a_presentation_races_to_three_instances(
        postgres_url: str, tmp_path: Path, people: dict[str, Any]) -> None:
    with instance(tmp_path / "a", postgres_url) as (a, _), instance(tmp_path / "b", postgres_url) as (b, _), \
            instance(tmp_path / "c", postgres_url) as (c, _), httpx.Client(timeout=60) as client:
        bases = [a, b, c]
        races = []
        for n in range(100):
            ex = client.post(f"{bases[n % 3]}/exchanges", json={}).json()
            vpr = ex["verifiablePresentationRequest"]
            races.append((ex["exchangeId"], _vp(people["holder"], people["cred"], vpr["challenge"], vpr["domain"])))

        def race(item: tuple[str, dict]) -> list[int]:
            exchange_id, vp = item
            start = threading.Barrier(3)

            def post(base: str) -> int:
                with httpx.Client(timeout=60) as own:
                    start.wait()
                    return own.post(f"{base}/exchanges/{exchange_id}", json={"verifiablePresentation": vp}).status_code

            with ThreadPoolExecutor(3) as pool:
                return list(pool.map(post, bases))

        with ThreadPoolExecutor(4) as pool:
            outcomes = list(pool.map(race, races))
        assert all(sorted(codes) == [200, 400, 400] for codes in outcomes), outcomes
        # every instance sees the one result
        for exchange_id, _ in races[:10]:
            states = {client.get(f"{base}/exchanges/{exchange_id}").json()["state"] for base in bases}
            assert states == {"complete"}


def test_a_relay_blob_posted_to_one_instance_is_served_and_unshared_through_others(
        postgres_url: str, tmp_path: Path, people: dict[str, Any]) -> None:
    with instance(tmp_path / "a", postgres_url) as (a, _), instance(tmp_path / "b", postgres_url) as (b, _), \
            httpx.Client(timeout=30) as client:
        blob, _key = encrypt_for_relay(_vp(people["holder"], people["cred"], "link", "127.0.0.1"))
        secret = new_unshare_secret()
        put = client.post(f"{a}/relay", json={"ciphertext": b64url_encode(blob), "unshareHash": secret.hash})
        assert put.status_code == 201, put.text
        rid = put.json()["id"]
        got = client.get(f"{b}/relay/{rid}")
        assert got.status_code == 200 and got.content == blob
        assert client.delete(f"{b}/relay/{rid}", headers={"Authorization": "Bearer guessed"}).status_code == 403
        assert client.delete(f"{b}/relay/{rid}", headers={"Authorization": f"Bearer {secret.secret}"}).status_code \
            == 204
        assert client.get(f"{a}/relay/{rid}").status_code == 410


def test_an_instance_killed_mid_load_loses_nothing_it_had_committed(
        postgres_url: str, tmp_path: Path, people: dict[str, Any]) -> None:
    committed: list[tuple[str, str]] = []  # (exchange id, relay id) the killed instance answered 201 for
    with instance(tmp_path / "b", postgres_url) as (b, _), httpx.Client(timeout=30) as client:
        with instance(tmp_path / "a", postgres_url, "--workers", "2") as (a, proc_a):
            stop = threading.Event()

            def load() -> None:
                with httpx.Client(timeout=10) as own:
                    while not stop.is_set():
                        try:
                            ex = own.post(f"{a}/exchanges", json={})
                            relay = own.post(f"{a}/relay", json={"ciphertext": b64url_encode(os.urandom(64)),
                                                                  "unshareHash": new_unshare_secret().hash})
                        except httpx.HTTPError:
                            return  # the instance is gone
                        if ex.status_code == 201 and relay.status_code == 201:
                            committed.append((ex.json()["exchangeId"], relay.json()["id"]))

            workers = [threading.Thread(target=load) for _ in range(3)]
            for t in workers:
                t.start()
            deadline = time.monotonic() + 60
            while len(committed) < 60 and time.monotonic() < deadline:
                time.sleep(0.05)
            _kill_with_workers(proc_a)  # SIGKILL, mid-load: a crashed host
            stop.set()
            for t in workers:
                t.join(timeout=20)
        assert len(committed) >= 60
        for exchange_id, relay_id in committed:
            assert client.get(f"{b}/exchanges/{exchange_id}").json()["state"] == "pending"
            assert client.get(f"{b}/relay/{relay_id}").status_code == 200
        with instance(tmp_path / "a2", postgres_url) as (again, _):
            for exchange_id, relay_id in committed[-10:]:
                assert client.get(f"{again}/exchanges/{exchange_id}").status_code == 200
                assert client.get(f"{again}/relay/{relay_id}").status_code == 200


def _children_of(pid: int) -> list[str]:
    """Process ids whose parent is ``pid`` (read from /proc: no procps needed)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid):  # after "pid (comm)": state, then the parent's pid
            found.append(stat.parent.name)
    return found


def _kill_with_workers(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the instance and uvicorn's worker processes under it."""
    children = _children_of(proc.pid)
    proc.kill()
    for child in children:
        try:
            os.kill(int(child), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass
    proc.wait(timeout=10)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "sqlite":
        made: Any = SqliteStore(tmp_path / "v.sqlite3")
    else:
        made = PostgresStore(request.getfixturevalue("postgres_url"))
    yield made
    made.close()


def test_both_stores_keep_the_same_contract(store: Any) -> None:
    now = time.time()
    suffix = os.urandom(6).hex()
    ex = Exchange(id=f"ex-{suffix}", challenge=f"ch-{suffix}", domain="d", query=[{"type": "QueryByExample"}],
                  created=now, expires=now + 60, poll_hash="h")
    store.add_exchange(ex)
    assert store.get_exchange(ex.id) == ex and store.find_challenge(ex.challenge) == ex
    assert store.claim(ex.id, now) == Claim.CLAIMED
    assert store.claim(ex.id, now) == Claim.USED
    assert store.claim("nope-" + suffix, now) == Claim.UNKNOWN
    store.finish(ex.id, {"verdict": "valid"})
    assert store.get_exchange(ex.id).result == {"verdict": "valid"}
    late = Exchange(id=f"late-{suffix}", challenge=f"late-{suffix}", domain="d", query=None, created=now - 120,
                    expires=now - 60, poll_hash="h")
    store.add_exchange(late)
    assert store.claim(late.id, now) == Claim.EXPIRED
    entry = RelayEntry(id=f"r-{suffix}", blob=b"\x00sealed\xff", created=now, expires=now + 60, unshare_hash="u")
    store.put_blob(entry)
    assert store.get_blob(entry.id) == entry
    assert store.unshare(entry.id) is True and store.get_blob(entry.id).blob is None
    store.purge(now + 120)
    assert store.get_blob(entry.id).unshared is True


def test_serve_allow_loopback_checks_the_demo_issuer_and_sees_a_revocation_at_once(
        stub: Any, tmp_path: Path) -> None:
    issued = stub.issue("ob3-v2-eddsa-rdfc-2022")
    with running_verifier("--data", str(tmp_path), "--allow-loopback") as (base, _), \
            httpx.Client(base_url=base, timeout=30) as client:
        body = {"verifiableCredential": issued["credential"]}
        assert client.post("/credentials/verify", json=body).json()["verdict"] == "valid"
        stub.act(issued["id"], "revoke")
        assert client.post("/credentials/verify", json=body).json()["problems"] == ["revoked"]
