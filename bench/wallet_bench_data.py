"""A wallet filled with real credentials from the issuer stub, for the app benchmarks."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSPHRASE = "correct horse battery staple"


def _bench_wallet():  # type: ignore[no-untyped-def]
    """bench/wallet.py, loaded by path (its module name would shadow the ``wallet`` package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_wallet", Path(__file__).with_name("wallet.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fill_wallet(home: Path, count: int) -> str:
    """Creates ``home/wallet.satchel`` holding ``count`` verified credentials; returns the passphrase."""
    from credentials._net import Fetcher, LocalDocuments
    from wallet import paths
    from wallet.importer import ImportService
    from wallet.store import Store
    issue_credentials = _bench_wallet().issue_credentials

    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="satchel-creds-") as tmp:
        creds = Path(tmp) / "credentials"
        creds.mkdir()
        documents = LocalDocuments.from_file(issue_credentials(count, creds))
        with Store.create(paths.wallet_path(home), PASSPHRASE) as store:
            store.create_profile("Me")
            service = ImportService(store, lambda: Fetcher(None, documents=documents))
            service.import_paths([creds])
            service.close()
    return PASSPHRASE
