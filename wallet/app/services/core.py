"""What every feature of the app's services shares: the wallet's place on disk and its open store,
the network, the learner's app preferences, the trust list, and running work off the UI loop.

Views call the services' methods from their event handlers; the methods run slow work (key
derivation, verification, network) on worker threads and write results into the observable state
on the UI event loop, so the screen never freezes and progress is visible.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import time
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from shell import write_atomically
from wallet.store import Store, StoreError

from ..state import FIRST_RUN, LOCKED, AppState

if TYPE_CHECKING:
    import httpx

    from credentials import Fetcher, TrustList
    from wallet.importer import ImportOutcome
    from wallet.openid4vci import OfferPreview
    from wallet.settings import WalletSettings
    from wallet.share import PresentationRequest
    from wallet.store import ImportSource
    from wallet.store.pending import PendingIssuance

log = logging.getLogger(__name__)

CARDS_PER_PAGE = 24
SETTINGS_FILE = "app-settings.json"
TRUST_LIST_FILE = "trust-list.json"


class ImportPort(Protocol):
    """What the app needs from ``wallet.importer.ImportService``."""

    def import_bytes(self, data: bytes, source: ImportSource) -> ImportOutcome: ...
    def import_text(self, text: str) -> ImportOutcome: ...
    def import_qr_image(self, image: bytes) -> ImportOutcome: ...
    def redeem_offer(self, offer: str, profile_id: str | None = None, *,
                     tx_code: str | None = None) -> ImportOutcome: ...
    def preview_offer(self, offer: str) -> OfferPreview: ...
    def collect_pending_one(self, item: PendingIssuance) -> ImportOutcome: ...
    def reverify(self, ids: Iterable[str] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> list[ImportOutcome]: ...
    def recheck_before_sharing(self, ids: Iterable[str]) -> list[ImportOutcome]: ...
    def close(self) -> None: ...


class NetworkPort(Protocol):
    """The HTTP client, the fetchers made from it and badge images (``app.Network``)."""

    def client(self) -> httpx.Client | None: ...
    def new_fetcher(self) -> Fetcher: ...
    def import_service(self, store: Store, trust: TrustList | None = None) -> ImportPort: ...
    def forget_wallet(self) -> None: ...
    def fetch_image(self, url: str) -> bytes | None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class UploadedFile:
    name: str
    data: bytes


def ui_caller() -> Callable[..., None]:
    """From a worker thread, run ``fn(*args)`` on the UI loop, in the context of the page that
    started the work (state changes need it to know which page to update)."""
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()

    def call(fn: Callable[..., Any], *args: Any) -> None:
        loop.call_soon_threadsafe(fn, *args, context=context)

    return call


def _now() -> datetime:
    return datetime.now(UTC)


class WalletCore:
    """The state every feature reads and writes; the features (``services/*.py``) add the methods
    views call, and ``WalletServices`` combines them. One per browser session / window."""

    def __init__(
        self,
        state: AppState,
        settings: WalletSettings,
        network: NetworkPort,
        *,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.state = state
        self.settings = settings
        self.home = Path(settings.home)
        self.network = network
        self._clock = clock
        self._store: Store | None = None
        self._importer: ImportPort | None = None
        self._last_activity = time.monotonic()
        self._autolock_task: asyncio.Task[None] | None = None
        self._autolock_override = settings.autolock_seconds
        self._image_cache: dict[str, bytes] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._image_misses: set[str] = set()
        self.cards_shown = CARDS_PER_PAGE
        self.filtered_count = 0  # badges matching the list's filters (the list shows cards_shown of them)
        prefs = self._read_settings()
        self.state.settings.autolock_minutes = int(prefs.get("autolock_minutes", 5))
        self.state.settings.verifier_url = str(prefs.get("verifier_url") or settings.verifier_url).strip()
        self._request: PresentationRequest | None = None  # the verifier's request being answered
        # Tells the app's other windows on this wallet that its badges changed (set by app.py).
        self.announce_change: Callable[[], None] = lambda: None
        self.state.session.phase = LOCKED if self.wallet_path.exists() else FIRST_RUN
        self.state.share.available = sharing_available()

    # -- paths and preferences -------------------------------------------------------------------

    @property
    def wallet_path(self) -> Path:
        from wallet.paths import wallet_path

        return wallet_path(self.home)

    def _read_settings(self) -> dict[str, Any]:
        try:
            value = json.loads((self.home / SETTINGS_FILE).read_text(encoding="utf-8"))
            return value if isinstance(value, dict) else {}
        except (OSError, ValueError):
            return {}

    def _write_settings(self, **changes: Any) -> None:
        """The app's preferences file, written whole or not at all (a crash keeps the old one)."""
        prefs = self._read_settings() | changes
        write_atomically(self.home / SETTINGS_FILE, json.dumps(prefs, indent=2))

    @property
    def store(self) -> Store:
        if self._store is None:
            raise StoreError("the wallet is locked")
        return self._store

    def _client(self) -> httpx.Client | None:
        """The app's HTTP client; None when Satchel is offline."""
        return self.network.client()

    # -- activity, and the other windows ---------------------------------------------------------

    def touch(self) -> None:
        """Something the learner did: postpones the auto-lock."""
        self._last_activity = time.monotonic()

    def _changed(self) -> None:
        try:
            self.announce_change()
        except Exception:  # another window missing an update never breaks this one
            log.exception("other windows could not be told about a change")

    def _in_background(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Starts a coroutine that must not hold the calling handler back; kept until it is done."""
        task = asyncio.get_running_loop().create_task(work())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- the trust list (the engine's "Known issuer" check) ---------------------------------------

    def trust_list(self) -> TrustList | None:
        from credentials import TrustList

        path = self.home / TRUST_LIST_FILE
        if not path.exists():
            return None
        try:
            return TrustList.load(path)
        except (OSError, ValueError):
            return None

    def trusted_issuer_ids(self) -> set[str]:
        trust = self.trust_list()
        return {i.id for i in trust.issuers} if trust else set()


def sharing_available() -> bool:
    """Whether this build has the sharing package; looked up, not imported (that costs ≈0.2 s of the
    first screen; the warm-up imports it while the learner types the passphrase)."""
    import importlib.util

    return importlib.util.find_spec("wallet.share") is not None
