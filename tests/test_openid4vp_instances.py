"""OpenID4VP across several verifier instances sharing one PostgreSQL database (real processes, a
real cluster from tests/postgres.py): a request made on one instance is served, signed, by another
and answered at a third, once; instances that do not share their OpenID4VP keys say so rather than
sign a request under a client_id that is not theirs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.test_openid4vp_verifier import Wallet, answer, make_request, resolve, status
from tests.verifier_process import running_verifier


@contextmanager
def instance(data: Path, database: str, keys: Path) -> Iterator[str]:
    with running_verifier("--offline", "--data", str(data), "--database", database,
                          "--openid4vp-keys", str(keys)) as (base, _proc):
        yield base


def at(base: str, url: str) -> str:
    """``url`` as sent to the instance at ``base`` (what a load balancer does)."""
    return base + urlsplit(url).path


def test_a_request_is_made_served_and_answered_by_three_instances(postgres_url: str, tmp_path: Path) -> None:
    keys = tmp_path / "shared-keys"
    with instance(tmp_path / "a", postgres_url, keys) as a, instance(tmp_path / "b", postgres_url, keys) as b, \
            instance(tmp_path / "c", postgres_url, keys) as c, httpx.Client(timeout=60) as client:
        with httpx.Client(base_url=a, timeout=60) as maker:
            made = make_request(maker)
        link = made["url"].replace(urlsplit(made["requestUri"]).netloc, urlsplit(b).netloc)
        request = resolve(client, link)  # B signs it with the keys A's client_id names
        assert request["client_id"] == made["clientId"]
        wallet = Wallet()
        token = {"badge_sd_jwt": [wallet.present(request["nonce"], request["client_id"])]}
        first = answer(client, {**request, "response_uri": at(c, request["response_uri"])}, token)
        again = answer(client, {**request, "response_uri": at(a, request["response_uri"])}, token)
        assert first.status_code == 200, first.text
        assert again.status_code == 400 and again.json()["error"] == "challenge-mismatch"  # replayed elsewhere
        with httpx.Client(base_url=b, timeout=60) as polled:
            assert status(polled, made)["result"]["verified"] is True


def test_instances_with_other_keys_refuse_to_sign_another_instances_request(postgres_url: str,
                                                                            tmp_path: Path) -> None:
    with instance(tmp_path / "a", postgres_url, tmp_path / "keys-a") as a, \
            instance(tmp_path / "b", postgres_url, tmp_path / "keys-b") as b, httpx.Client(timeout=60) as client:
        with httpx.Client(base_url=a, timeout=60) as maker:
            made = make_request(maker)
        resp = client.get(at(b, made["requestUri"]))
        assert resp.status_code == 503 and resp.json()["error"] == "key-mismatch"
        assert "--openid4vp-keys" in resp.json()["message"]
        assert client.get(at(a, made["requestUri"])).status_code == 200
