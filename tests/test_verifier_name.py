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


def test_the_verifier_apps_own_requests_carry_its_name_both_ways(tmp_path: Path) -> None:
    """`satchel-verifier app --name` (or SATCHEL_VERIFIER_NAME): the app's Ask screen shows who wallets are
    told is asking, from the request its own service made (client_metadata.client_name)."""
    from verifier.app.engine import VerifierEngine
    from verifier.app.settings import AppSettings

    named = AppSettings.from_environ({"SATCHEL_VERIFIER_NAME": " Maple Grove Care Home "}, home=tmp_path / "a")
    assert named.organisation == "Maple Grove Care Home"
    assert AppSettings.from_environ({"SATCHEL_VERIFIER_NAME": "x"}, home=tmp_path / "a",
                                    organisation="Acme Care").organisation == "Acme Care"  # the command line wins
    engine = VerifierEngine(named)
    try:
        for openid4vp in (False, True):
            flow = engine.new_request(openid4vp=openid4vp)
            assert flow.asker == "Maple Grove Care Home"
    finally:
        engine.close()
    unnamed = VerifierEngine(AppSettings.from_environ({}, home=tmp_path / "b"))
    try:
        assert unnamed.new_request(openid4vp=True).asker == ""  # the Ask screen then says how to set one
    finally:
        unnamed.close()
