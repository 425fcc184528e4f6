"""OpenID4VCI 1.0 from the command lines: ``satchel-issuer issue --offer`` makes the offer (and prints
its transaction code apart), ``satchel-wallet import --offer`` redeems it, ``satchel-wallet collect``
fetches a deferred one; real processes, the stub serving on 127.0.0.1."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stub_server import BIN, Stub
from tests.test_wallet_cli import PASSPHRASE, wallet
from wallet.paths import wallet_path
from wallet.store import Store


@pytest.fixture(scope="module")
def issuer_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("issuer-state")


@pytest.fixture(scope="module")
def served(issuer_state: Path) -> Iterator[Stub]:
    stub = Stub(issuer_state)
    try:
        yield stub
    finally:
        stub.stop()


def issuer_offer(state: Path, *options: str) -> tuple[str, str]:
    result = subprocess.run([str(BIN / "satchel-issuer"), "--state", str(state), "issue", "wound-care-basics",
                             "--offer", *options], capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.strip(), result.stderr


def test_a_tx_code_offer_from_the_issuer_cli_is_redeemed_with_the_code(tmp_path: Path, issuer_state: Path,
                                                                       served: Stub) -> None:
    link, notes = issuer_offer(issuer_state, "--tx-code", "numeric")
    code = re.search(r"transaction code for the learner .*: (\d{6})", notes)
    assert code is not None and code.group(1) not in link
    home = tmp_path / "home"
    wallet(home, "init")
    wrong = str((int(code.group(1)) + 1) % 1_000_000).zfill(6)
    refused = wallet(home, "import", "--allow-loopback", "--offer", link, "--tx-code", wrong, expect=None)
    assert refused.returncode != 0 and "wrong transaction code; 2 tries left" in refused.stdout
    taken = wallet(home, "import", "--allow-loopback", "--offer", link, "--tx-code", code.group(1), "--json")
    (outcome,) = json.loads(taken.stdout)
    assert (outcome["verdict"], outcome["error"], outcome["name"]) == ("valid", None, "Wound care basics")


def test_a_deferred_offer_by_reference_is_collected_once_approved(tmp_path: Path, issuer_state: Path,
                                                                  served: Stub) -> None:
    link, _ = issuer_offer(issuer_state, "--deferred", "--by-reference", "--format", "dc+sd-jwt")
    assert link.startswith("openid-credential-offer://?credential_offer_uri=")
    home = tmp_path / "home"
    wallet(home, "init")
    waiting = wallet(home, "import", "--allow-loopback", "--offer", link)
    assert "on its way" in waiting.stdout and "1 on its way" in waiting.stdout
    assert "none due yet" in wallet(home, "collect", "--allow-loopback").stdout
    assert "on its way" in wallet(home, "collect", "--allow-loopback", "--now").stdout  # not approved yet

    issued_before = len(served.http.get("/api/credentials").json())
    with Store.open(wallet_path(home), PASSPHRASE) as store:
        (item,) = store.pending_issuances()
    waiting_list = [t for t in served.http.get("/api/deferred").json() if not t["approved"]]  # the operator's view
    assert [(t["transaction_id"], t["achievement"]) for t in waiting_list] == [(item.transaction_id,
                                                                                "wound-care-basics")]
    assert served.http.post(f"/api/deferred/{item.transaction_id}/approve").status_code == 200
    collected = json.loads(wallet(home, "collect", "--allow-loopback", "--now", "--json").stdout)
    assert [(o["verdict"], o["error"]) for o in collected] == [("valid", None)]
    assert len(served.http.get("/api/credentials").json()) == issued_before + 1
    assert "Nothing is on its way." in wallet(home, "collect", "--allow-loopback").stdout
