"""Wires the concrete parts together: the store on disk, the import service, the network, the views."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import flet as ft

from .services import ImportPort, WalletServices
from .state import FIRST_RUN, LOCKED, AppState, SessionState
from .views.badges import BadgesView
from .views.common import BACKGROUND, app_theme, forget_file_picker
from .views.detail import DetailView
from .views.importing import ImportView
from .views.pathways import PathwaysView
from .views.request import RequestView
from .views.settings import SettingsView
from .views.share import ShareView
from .views.shell import WIDE_FROM, Shell
from .views.welcome import UnlockView, WelcomeView

if TYPE_CHECKING:
    import httpx

    from credentials import Fetcher, MemoryCache, TrustList
    from wallet.settings import WalletSettings
    from wallet.store import Store
    from wallet.store.sealed_cache import SealedDiskCache

log = logging.getLogger(__name__)

WALLET_CHANGED_TOPIC = "satchel/wallet-changed"
IMAGE_ACCEPT = "image/png, image/svg+xml, image/jpeg, image/*;q=0.8"
MAX_IMAGE_BYTES = 2 * 1024 * 1024


class Network:
    """The one HTTP client of this app process, the fetchers made from it, and badge images.
    ``settings.offline``: no client at all; ``settings.allow_loopback``: it may talk to 127.0.0.1."""

    def __init__(self, settings: WalletSettings) -> None:
        self.settings = settings
        self.home = settings.home
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._cache_key: bytes | None = None  # the open wallet's, for its sealed caches

    def client(self) -> httpx.Client | None:
        with self._lock:
            if self._client is None:
                from wallet.network import make_http_client

                self._client = make_http_client(self.settings)
            return self._client

    def _cache_dirs(self) -> tuple[Path, Path]:
        from wallet.paths import document_cache_dir

        return document_cache_dir(self.home), self.home / "cache" / "images"

    def _cache(self, folder: Path) -> SealedDiskCache | MemoryCache:
        """What is fetched for the wallet's badges is sealed with its key on disk (it tells which
        badges the learner holds); with no wallet open nothing is kept beyond memory."""
        from credentials import MemoryCache
        from wallet.store.sealed_cache import SealedDiskCache

        key = self._cache_key
        return SealedDiskCache(folder, key) if key is not None else MemoryCache()

    def new_fetcher(self) -> Fetcher:
        from credentials import Fetcher

        return Fetcher(self.client(), cache=self._cache(self._cache_dirs()[0]))

    def import_service(self, store: Store, trust: TrustList | None = None) -> ImportPort:
        """The import service; ``trust`` (the learner's trust list) feeds the engine's "Known issuer" check."""
        from wallet.importer import ImportService
        from wallet.store.sealed_cache import remove_plaintext_entries

        self._cache_key = store.cache_key()
        for folder in self._cache_dirs():
            remove_plaintext_entries(folder)  # what an older Satchel cached in the clear
        return ImportService(store, self.new_fetcher, client=self.client, trust=trust)  # client None: offline

    def forget_wallet(self) -> None:
        """The wallet was locked: its caches cannot be read or written any more."""
        self._cache_key = None

    def fetch_image(self, url: str) -> bytes | None:
        from credentials import Fetcher, FetchError

        fetcher = Fetcher(self.client(), max_bytes=MAX_IMAGE_BYTES, cache=self._cache(self._cache_dirs()[1]))
        try:
            return fetcher.get_bytes(url, accept=IMAGE_ACCEPT)
        except FetchError:
            return None

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


@ft.observable
@dataclass
class LayoutState:
    width: float = 1280

    @property
    def wide(self) -> bool:
        return self.width >= WIDE_FROM


@ft.component
def SatchelApp(session: SessionState, layout: LayoutState, state: AppState, services: WalletServices) -> ft.Control:
    if session.phase == FIRST_RUN:
        return ft.SafeArea(WelcomeView(session, services), expand=True)
    if session.phase == LOCKED:
        return ft.SafeArea(UnlockView(session, services), expand=True)
    wide = layout.wide
    return ft.SafeArea(ft.Router([
        ft.Route(component=lambda: Shell(services, wide), children=[
            ft.Route(index=True, component=lambda: BadgesView(state.badges, services, wide)),
            ft.Route(path="badge/:id", component=lambda: DetailView(state.detail, state.badges, services, wide)),
            ft.Route(path="pathways", component=lambda: PathwaysView(state.pathways, services, wide)),
            ft.Route(path="import", component=lambda: ImportView(state.importing, services, wide)),
            ft.Route(path="share/request", component=lambda: RequestView(state.request, services, wide)),
            ft.Route(path="share", component=lambda: ShareView(state.share, state.badges, services, wide)),
            ft.Route(path="settings", component=lambda: SettingsView(state.settings, services, wide)),
        ]),
    ], not_found=lambda: BadgesView(state.badges, services, wide)), expand=True)


def start_page(page: ft.Page, settings: WalletSettings) -> Network:
    """One browser tab (or the desktop window): its own services and state, its own unlock.
    Returns the tab's network, for the warm-up to prepare while the learner types the passphrase."""
    page.title = "Satchel"
    page.theme = app_theme()
    page.theme_mode = ft.ThemeMode.LIGHT
    page.bgcolor = BACKGROUND
    page.padding = 0
    network = Network(settings)
    state = AppState()
    services = WalletServices(state, settings, network)
    layout = LayoutState(width=page.width or 1280)

    def resized(e: Any) -> None:
        layout.width = e.width

    def disconnected(_: Any = None) -> None:
        with contextlib.suppress(Exception):
            page.pubsub.unsubscribe_all()  # type: ignore[no-untyped-call]  # unannotated in Flet 1.0.5
        services.shutdown()
        network.close()
        forget_file_picker(page)

    share_changes(page, services)
    page.on_resize = resized
    page.on_keyboard_event = lambda _e: services.touch()
    page.on_disconnect = disconnected
    page.on_close = disconnected
    page.render(SatchelApp, state.session, layout, state, services)
    log_render_failures(page)
    return network


def share_changes(page: ft.Page, services: WalletServices) -> None:
    """Several tabs (or windows) on one wallet: what one imports, re-checks, tags or deletes shows
    in the others' lists at once (each has its own unlocked store; SQLite carries the data)."""
    # The refresh must run in this page's context: Flet re-renders the page whose context
    # changed the state, and a sync pubsub handler runs in the sender's.
    context = contextvars.copy_context()

    def changed_elsewhere(_topic: str, _message: Any) -> None:
        loop = page.session.connection.loop
        loop.call_soon_threadsafe(lambda: asyncio.ensure_future(services.changed_elsewhere()), context=context)

    page.pubsub.subscribe_topic(WALLET_CHANGED_TOPIC, changed_elsewhere)
    services.announce_change = lambda: page.pubsub.send_others_on_topic(WALLET_CHANGED_TOPIC, "badges")


def log_render_failures(page: ft.Page) -> None:
    """Flet 1.0.5's update scheduler dies silently when a re-render raises (the UI just stops
    updating); log the exception so a broken view is visible in the app's output."""
    task = getattr(page.session, "_Session__updates_task", None)
    if task is None:
        return

    def finished(done: Any) -> None:
        if not done.cancelled() and done.exception() is not None:
            log.error("a view failed to render; the page stopped updating", exc_info=done.exception())

    task.add_done_callback(finished)
