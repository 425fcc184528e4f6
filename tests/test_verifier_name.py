"""Who is asking: a verifier started with ``--name`` gives its organisation name in every request
(OpenID4VP 1.0 §5.1 ``client_metadata.client_name``), and the wallet, fetching the request from the
verifier's own address, shows that name as confirmed. A real ``satchel-verifier serve`` on loopback."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.verifier_process import running_verifier
from wallet.app.services.request import who_is_asking
from wallet.share.request import parse_request


def asked_by(base: str) -> tuple[str, str]:
    with httpx.Client(timeout=30) as client:
        made = client.post(f"{base}/exchanges", json={"query": {"type": "QueryByExample", "credentialQuery": {
            "reason": "Care roles", "example": {"type": "OpenBadgeCredential"}}}})
        assert made.status_code == 201, made.text
        request = parse_request(made.json()["url"], client=client)
    return who_is_asking(request)


def test_the_wallet_shows_the_name_the_verifier_gives_as_confirmed(tmp_path: Path) -> None:
    with running_verifier("--offline", "--data", str(tmp_path / "a"), "--name", "Maple  Grove Care Home") as (base, _):
        name, note = asked_by(base)
    assert name == "Maple Grove Care Home"
    assert note == "The name its request gives, fetched from the verifier's own address."


def test_a_verifier_without_a_name_is_said_to_give_none(tmp_path: Path) -> None:
    with running_verifier("--offline", "--data", str(tmp_path / "b")) as (base, _):
        name, note = asked_by(base)
    assert name == "" and "did not give its name" in note
