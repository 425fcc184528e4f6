"""What the ``satchel-wallet`` commands share: the one-sentence error, the passphrase, the open
wallet, the network the settings allow, and turning what the learner typed into ids and times."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wallet import paths
from wallet.network import make_http_client
from wallet.settings import PASSPHRASE_ENV, WalletSettings

if TYPE_CHECKING:
    import httpx

    from credentials import Fetcher
    from wallet.importer import ImportService
    from wallet.store import Store

PROG = "satchel-wallet"
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_SOME_FAILED = 3
EXIT_NOT_ALL_VALID = 4


class CliError(Exception):
    """Ends the command with this one sentence on stderr."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


# -- passphrase and the wallet ------------------------------------------------------------------


def read_passphrase(settings: WalletSettings, *, confirm: bool = False, prompt: str = "Wallet passphrase: ") -> str:
    """``$SATCHEL_PASSPHRASE`` (through the settings), else a prompt on the terminal."""
    if settings.passphrase:
        return settings.passphrase
    if not sys.stdin.isatty():
        raise CliError(f"no passphrase: set {PASSPHRASE_ENV} or run {PROG} in a terminal")
    import getpass

    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat it: ") != first:
        raise CliError("the two passphrases differ; nothing was created")
    return first


@contextmanager
def opened_store(settings: WalletSettings) -> Iterator[Store]:
    from wallet.store import Store

    path = paths.wallet_path(settings.home)
    if not path.exists():
        raise CliError(f"there is no wallet at {path}; create one with '{PROG} init'")
    store = Store.open(path, read_passphrase(settings))
    try:
        yield store
    finally:
        store.close()


# -- the network -------------------------------------------------------------------------------


@contextmanager
def http_client(settings: WalletSettings) -> Iterator[httpx.Client | None]:
    """The client the settings allow (None offline), closed when the command ends."""
    client = make_http_client(settings)
    try:
        yield client
    finally:
        if client is not None:
            client.close()


@contextmanager
def import_service(settings: WalletSettings, store: Store, documents: str | None) -> Iterator[ImportService]:
    """The import service with the network the settings allow; ``documents``: a web.json map of
    URLs answered from local files."""
    from credentials import Fetcher
    from wallet.importer import ImportService
    from wallet.store.sealed_cache import SealedDiskCache, remove_plaintext_entries

    # Sealed with the wallet's key: which issuers and status lists it fetched tells which badges it holds.
    folder = paths.document_cache_dir(settings.home)
    remove_plaintext_entries(folder)
    cache = SealedDiskCache(folder, store.cache_key())
    local = None
    if documents:
        from credentials import LocalDocuments

        local = LocalDocuments.from_file(documents)
    with http_client(settings) as client:

        def new_fetcher() -> Fetcher:
            return Fetcher(client, cache=cache, documents=local)

        service = ImportService(store, new_fetcher, client=client)
        try:
            yield service
        finally:
            service.close()


# -- what the learner typed ---------------------------------------------------------------------


def resolve_id(store: Store, given: str) -> str:
    """The full id for ``given``: an exact id or a unique prefix of one."""
    ids = store.credential_ids()
    if given in ids:
        return given
    matches = [i for i in ids if i.startswith(given.lower())]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise CliError(f"no credential with an id starting {given!r}; see '{PROG} list'")
    raise CliError(f"{given!r} matches {len(matches)} credentials; give more of the id")


def resolve_profile(store: Store, given: str) -> str:
    matches = [p.id for p in store.list_profiles() if p.id.startswith(given) or p.label == given]
    if len(matches) != 1:
        raise CliError(f"{given!r} names {'no' if not matches else 'more than one'} profile")
    return matches[0]


def parse_expires(text: str) -> datetime:
    """``7d``, ``12h``, ``30m`` from now, or an ISO 8601 time."""
    import re
    from datetime import UTC, timedelta

    m = re.fullmatch(r"\s*(\d+)\s*([dhm])\s*", text)
    if m:
        unit = {"d": "days", "h": "hours", "m": "minutes"}[m.group(2)]
        return datetime.now(UTC) + timedelta(**{unit: int(m.group(1))})
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CliError(f"--expires {text!r} is neither a duration like 7d / 12h nor an ISO 8601 time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def existing_file_check(out: Path, force: bool) -> None:
    if out.exists() and not force:
        raise CliError(f"{out} already exists; use --force to replace it")
