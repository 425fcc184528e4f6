from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import PASSPHRASE, fast_kdf, live_import_service
from tests.stub_server import Overlay, Stub, running_stub

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
AT = datetime(2026, 11, 22, tzinfo=UTC)


def no_network_prefix() -> list[str]:
    """``unshare -rn`` where it works: proves a run fetches nothing from the network."""
    exe = shutil.which("unshare")
    if not exe:
        return []
    try:
        ok = subprocess.run([exe, "-rn", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [exe, "-rn"] if ok else []


@pytest.fixture(scope="session")
def corpus_manifest() -> list[dict]:
    return json.loads((CORPUS / "manifest.json").read_text())


@pytest.fixture(scope="session")
def corpus_fetcher():
    from credentials._net import DocumentMapTransport, Fetcher, make_client

    return Fetcher(make_client(DocumentMapTransport.from_file(CORPUS / "web.json")))


@pytest.fixture(scope="module")
def stub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stub]:
    """The issuer stub as a real process on a free loopback port; one per test module."""
    yield from running_stub(tmp_path_factory.mktemp("issuer-state"))


@pytest.fixture
def overlay() -> Iterator[Overlay]:
    """A loopback proxy in front of the stub that can answer or rewrite chosen URLs."""
    o = Overlay()
    yield o
    o.shutdown()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL cluster on a loopback port (skipped outside CI where none is installed)."""
    from tests.postgres import running_postgres

    with running_postgres() as url:
        yield url


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    """A wallet store (``wallet.store.Store``, cheap KDF) with one profile, "Me": the holder its
    presentations name (``tests.helpers.holder_did``)."""
    from wallet.store import Store

    with Store.create(tmp_path / "wallet.satchel", PASSPHRASE, kdf=fast_kdf()) as opened:
        opened.create_profile("Me")
        yield opened


@pytest.fixture
def live(store: Any) -> Iterator[Any]:
    """The wallet's importer for ``store`` over the real loopback network (the issuer stub)."""
    with live_import_service(store) as service:
        yield service
