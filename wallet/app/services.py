"""The glue between views and the wallet: the store, the import service and the network.

Views call these methods from their event handlers; the methods run slow work (key derivation,
verification, network) on worker threads and write results into the observable state on the
UI event loop, so the screen never freezes and progress is visible.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import contextvars
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote_to_bytes, urlsplit

from credentials import is_png, is_svg
from wallet.store import (
    BackupError,
    CredentialRecord,
    CredentialSummary,
    EmptyPassphraseError,
    NotAStoreError,
    Store,
    StoreError,
    WrongBackupPassphraseError,
    WrongPassphraseError,
    restore_backup,
)

from .badge_facts import badge_facts, short_date
from .passphrase_strength import estimate_strength
from .pathways import HeldBadge, find_pathways
from .state import (
    FIRST_RUN,
    LOCKED,
    UNLOCKED,
    AppState,
    BadgeCard,
    DisclosedBadge,
    OutcomeLine,
    ProfileLine,
    RequestChoice,
    RequestState,
    reset_fields,
)
from .wording import explain_report, problem_sentence, status_word

log = logging.getLogger(__name__)

CARDS_PER_PAGE = 24
FIRST_PAINT_CARDS = 12  # what fills a desktop window; the rest of the page follows at once
SETTINGS_FILE = "app-settings.json"
TRUST_LIST_FILE = "trust-list.json"
BACKUP_FOLDER = "backups"
MAX_BACKUP_BYTES = 512 * 1024 * 1024
MAX_IMAGE_BYTES = 2 * 1024 * 1024
VERIFIER_URL_ENV = "SATCHEL_VERIFIER_URL"  # the default "Verifier address" (Settings)
LINK_EXPIRY_DAYS = (1, 7, 30)
MAX_REQUEST_PHOTO_BYTES = 20 * 1024 * 1024


class ImportPort(Protocol):
    """What the app needs from ``wallet.importer.ImportService``."""

    def import_bytes(self, data: bytes, source: Any) -> Any: ...
    def import_text(self, text: str) -> Any: ...
    def import_qr_image(self, image_bytes: bytes) -> Any: ...
    def redeem_offer(self, offer: str, profile_id: str | None = None) -> Any: ...
    def reverify(self, ids: Iterable[str] | None = None, progress: Callable[[int, int], None] | None = None) -> Any: ...
    def close(self) -> None: ...


class NetworkPort(Protocol):
    """Makes fetchers for verification and fetches badge images (see ``app.py``)."""

    def import_service(self, store: Store, trust: Any = None) -> ImportPort: ...
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


def image_from_data_uri(uri: str) -> bytes | None:
    head, _, body = uri.partition(",")
    if not head.startswith("data:image/"):
        return None
    try:
        # RFC 2397: without ";base64" the data is percent-encoded text (an SVG, usually).
        return base64.b64decode(body) if head.endswith(";base64") else unquote_to_bytes(body)
    except ValueError:
        return None


def card_of(summary: CredentialSummary) -> BadgeCard:
    return BadgeCard(
        id=summary.id,
        name=summary.display.name or "Untitled badge",
        issuer=summary.display.issuer or "Unknown issuer",
        issued=short_date(summary.display.issued or ""),
        verdict=summary.verdict,
        tags=summary.tags,
    )


def outcome_line(outcome: Any) -> OutcomeLine:
    if outcome.error:
        return OutcomeLine(outcome.source, False, outcome.error)
    name = outcome.name or "A badge"
    if outcome.merged:
        message = f"{name} was already in your wallet; kept one copy."
    else:
        message = f"{name} added: {status_word(outcome.verdict)}."
    if outcome.problems:
        message += " " + " ".join(problem_sentence(p) for p in outcome.problems)
    return OutcomeLine(outcome.source, True, message, outcome.id)


class WalletServices:
    """One learner's wallet as the app sees it. Create one per browser session / window."""

    def __init__(
        self,
        state: AppState,
        home: Path,
        network: NetworkPort,
        *,
        autolock_seconds: float | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.state = state
        self.home = Path(home)
        self.network = network
        self._clock = clock
        self._store: Store | None = None
        self._importer: ImportPort | None = None
        self._last_activity = time.monotonic()
        self._autolock_task: asyncio.Task[None] | None = None
        self._autolock_override = autolock_seconds
        self._image_cache: dict[str, bytes] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._image_misses: set[str] = set()
        self.cards_shown = CARDS_PER_PAGE
        prefs = self._read_settings()
        self.state.settings.autolock_minutes = int(prefs.get("autolock_minutes", 5))
        self.state.settings.verifier_url = str(prefs.get("verifier_url")
                                               or os.environ.get(VERIFIER_URL_ENV, "")).strip()
        self._request: Any = None  # the verifier's request being answered (wallet.share.PresentationRequest)
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
        prefs = self._read_settings() | changes
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / SETTINGS_FILE).write_text(json.dumps(prefs, indent=2), encoding="utf-8")

    @property
    def autolock_seconds(self) -> float | None:
        if self._autolock_override is not None:
            return self._autolock_override
        minutes = self.state.settings.autolock_minutes
        return minutes * 60.0 if minutes > 0 else None

    @property
    def store(self) -> Store:
        if self._store is None:
            raise StoreError("the wallet is locked")
        return self._store

    # -- activity and auto-lock ------------------------------------------------------------------

    def touch(self) -> None:
        """Something the learner did: postpones the auto-lock."""
        self._last_activity = time.monotonic()

    def _start_autolock(self) -> None:
        self.touch()
        if self._autolock_task is None or self._autolock_task.done():
            self._autolock_task = asyncio.get_running_loop().create_task(self._watch_inactivity())

    async def _watch_inactivity(self) -> None:
        while self._store is not None:
            limit = self.autolock_seconds
            await asyncio.sleep(min(5.0, limit / 4) if limit else 5.0)
            if limit and self._store is not None and time.monotonic() - self._last_activity > limit:
                self.lock(notice="Locked after a while without activity. Enter your passphrase to continue.")
                return

    # -- creating, opening, locking ------------------------------------------------------------------

    async def create_wallet(self, passphrase: str, confirmation: str) -> bool:
        session = self.state.session
        strength = estimate_strength(passphrase)
        if passphrase != confirmation:
            session.error = "The two passphrases are not the same."
            return False
        if not strength.acceptable:
            session.error = f"That passphrase is {strength.label.lower()}. {strength.hint}"
            return False
        session.error, session.busy = "", "Creating your wallet…"
        try:
            store = await asyncio.to_thread(self._create_store, passphrase)
        except (StoreError, OSError) as exc:
            session.busy, session.error = "", f"The wallet could not be created: {exc}"
            return False
        await self._opened(store)
        return True

    def _create_store(self, passphrase: str) -> Store:
        from wallet.paths import DEFAULT_PROFILE_LABEL

        store = Store.create(self.wallet_path, passphrase)
        if store.default_profile() is None:
            store.create_profile(DEFAULT_PROFILE_LABEL)
        return store

    async def unlock(self, passphrase: str) -> bool:
        session = self.state.session
        if not passphrase:
            session.error = "Enter your passphrase."
            return False
        session.error, session.busy, session.notice = "", "Unlocking…", ""
        try:
            store = await asyncio.to_thread(Store.open, self.wallet_path, passphrase)
        except WrongPassphraseError:
            session.busy, session.error = "", "That passphrase is not right. Try again."
            return False
        except (NotAStoreError, StoreError, OSError) as exc:
            session.busy, session.error = "", f"The wallet could not be opened: {exc}"
            return False
        await self._opened(store)
        return True

    async def restore_wallet(self, backup: UploadedFile, backup_passphrase: str, new_passphrase: str) -> bool:
        session = self.state.session
        if not backup_passphrase:
            session.error = "Enter the passphrase the backup was made with."
            return False
        if new_passphrase and not estimate_strength(new_passphrase).acceptable:
            session.error = "The new passphrase is too weak. " + estimate_strength(new_passphrase).hint
            return False
        session.error, session.busy = "", f"Restoring {backup.name}…"
        try:
            store = await asyncio.to_thread(self._restore, backup.data, backup_passphrase, new_passphrase or None)
        except WrongBackupPassphraseError:
            session.busy, session.error = "", "That is not the passphrase of this backup."
            return False
        except (BackupError, StoreError, OSError) as exc:
            session.busy, session.error = "", f"Nothing was restored: {exc}"
            return False
        await self._opened(store)
        return True

    def _restore(self, data: bytes, backup_passphrase: str, new_passphrase: str | None) -> Store:
        if len(data) > MAX_BACKUP_BYTES:
            raise BackupError("that file is too large to be a Satchel backup")
        self.home.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.home, prefix=".restore-") as folder:
            source = Path(folder) / "upload.satchel-backup"
            source.write_bytes(data)
            return restore_backup(source, backup_passphrase, self.wallet_path, store_passphrase=new_passphrase)

    async def _opened(self, store: Store) -> None:
        self._store = store
        self._importer = self.network.import_service(store, trust=self.trust_list())
        # The first page of badges is read before the screen changes, so the list appears in one
        # go rather than as an empty "Opening your badges…" frame followed by the cards.
        await self.refresh_badges()
        session = self.state.session
        session.busy, session.error, session.notice = "", "", ""
        session.phase = UNLOCKED
        self._start_autolock()

    def lock(self, notice: str = "") -> None:
        importer, store = self._importer, self._store
        self._importer = self._store = None
        if importer is not None:
            with contextlib.suppress(Exception):
                importer.close()
        if store is not None:
            store.close()
        self.network.forget_wallet()
        self._image_cache.clear()
        self._image_misses.clear()
        self.cards_shown = CARDS_PER_PAGE
        self.state.forget_wallet_contents()
        session = self.state.session
        session.error, session.busy, session.notice = "", "", notice
        session.phase = LOCKED if self.wallet_path.exists() else FIRST_RUN

    def shutdown(self) -> None:
        """The browser tab or window went away."""
        if self._autolock_task is not None:
            self._autolock_task.cancel()
        self.lock()

    # -- My badges ---------------------------------------------------------------------------

    async def refresh_badges(self) -> None:
        badges = self.state.badges
        if self._store is None:
            return
        badges.loading, badges.error = True, ""
        if not badges.query and not badges.tag and not badges.issuer and badges.status == "all" \
                and badges.sort == "added":
            # First screen at once: the newest cards that fill a window decrypt on their own; the
            # rest of the page, the search index and the issuer / tag filters follow in the background.
            try:
                first = min(self.cards_shown, FIRST_PAINT_CARDS)
                quick = await asyncio.to_thread(self.store.list_credentials, limit=first)
            except StoreError as exc:
                badges.loading, badges.error = False, f"Your badges could not be read: {exc}"
                return
            badges.total_in_wallet, self.filtered_count = quick.total, quick.total
            badges.cards = [card_of(s) for s in quick.items]
            badges.loading = False
            self._load_images([c.id for c in badges.cards])
            # The rest must not hold this handler (and so the first paint) back.
            task = asyncio.get_running_loop().create_task(self._complete_badges())
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return
        await self._complete_badges()

    async def _complete_badges(self) -> None:
        """The filtered list, the issuer and tag choices, and the search index."""
        badges = self.state.badges
        if self._store is None:
            return
        try:
            everything, page = await asyncio.to_thread(self._query_badges)
        except StoreError as exc:
            badges.loading, badges.error = False, f"Your badges could not be read: {exc}"
            return
        badges.issuers = sorted({s.display.issuer for s in everything.items if s.display.issuer}, key=str.lower)
        badges.tags = sorted({t for s in everything.items for t in s.tags}, key=str.lower)
        badges.total_in_wallet = everything.total
        badges.cards = [card_of(s) for s in page]
        badges.loading = False
        self._load_images([c.id for c in badges.cards])

    def _query_badges(self) -> tuple[Any, list[CredentialSummary]]:
        badges = self.state.badges
        everything = self.store.list_credentials(limit=None)
        verdicts: tuple[str | None, ...] = ()
        if badges.status != "all":
            verdicts = (badges.status,) if badges.status != "unverifiable" else ("unverifiable", None)
        found = self.store.search(
            badges.query, tags=(badges.tag,) if badges.tag else (), verdicts=verdicts,
            sort=badges.sort if badges.sort in ("added", "issued", "name", "issuer") else "added",  # type: ignore[arg-type]
            limit=None,
        )
        items = [s for s in found.items if not badges.issuer or s.display.issuer == badges.issuer]
        self.filtered_count = len(items)
        return everything, items[: self.cards_shown]

    filtered_count = 0

    async def set_list_options(self, **changes: str) -> None:
        self.touch()
        for name, value in changes.items():
            setattr(self.state.badges, name, value)
        self.cards_shown = CARDS_PER_PAGE
        await self.refresh_badges()

    async def show_more_badges(self) -> None:
        self.touch()
        self.cards_shown += CARDS_PER_PAGE
        await self.refresh_badges()

    def _load_images(self, record_ids: list[str]) -> None:
        wanted = [i for i in record_ids if i not in self._image_cache and i not in self._image_misses]
        for record_id in record_ids:
            if record_id in self._image_cache and record_id not in self.state.badges.images:
                self.state.badges.images[record_id] = self._image_cache[record_id]
        if not wanted:
            return
        loop = asyncio.get_running_loop()
        on_ui = ui_caller()

        def publish(found: dict[str, bytes]) -> None:
            if self._store is not None:
                self.state.badges.images.update(found)

        def work() -> None:
            try:
                find_images()
            except Exception:  # a picture never takes the list down; the monogram stays
                log.exception("badge images could not be loaded")

        def find_images() -> None:
            found: dict[str, bytes] = {}
            for record_id in wanted:
                if self._store is None:
                    return
                try:
                    image = self.badge_image(self._record_with_hosted_parts(record_id))
                except StoreError:
                    image = None
                if image is None:
                    self._image_misses.add(record_id)
                    continue
                self._image_cache[record_id] = image
                found[record_id] = image
                if len(found) >= 12:
                    on_ui(publish, found)
                    found = {}
            if found:
                on_ui(publish, found)

        loop.run_in_executor(None, work)

    def badge_image(self, record: CredentialRecord) -> bytes | None:
        """The badge's picture: the baked image itself, an embedded data: URI, or the issuer's URL."""
        if is_png(record.original) or is_svg(record.original):
            return record.original
        ref = badge_facts(record.credential).image_ref
        if ref.startswith("data:"):
            return image_from_data_uri(ref)
        if ref.startswith(("http://", "https://")):
            return self.network.fetch_image(ref)
        return None

    # -- Badge detail ----------------------------------------------------------------------------

    async def open_badge(self, record_id: str) -> None:
        self.touch()
        detail = self.state.detail
        if detail.record_id != record_id:
            detail.facts = detail.plain_report = None
        detail.record_id, detail.loading, detail.error, detail.message, detail.deleted = record_id, True, "", "", False
        try:
            record = await asyncio.to_thread(self._record_with_hosted_parts, record_id)
        except KeyError:
            detail.loading, detail.error = False, "This badge is no longer in your wallet."
            return
        except StoreError as exc:
            detail.loading, detail.error = False, f"This badge could not be read: {exc}"
            return
        self._show_record(record)
        if record_id not in self._image_cache:
            self._load_images([record_id])

    def _record_with_hosted_parts(self, record_id: str) -> CredentialRecord:
        """An OB 2.0 hosted assertion names its BadgeClass and issuer by URL: fetch them (the
        verification just did, so they usually come from the document cache) to show them."""
        record = self.store.get_credential(record_id)
        credential = record.credential
        if not isinstance(credential, dict) or not isinstance(credential.get("badge"), str):
            return record
        from dataclasses import replace

        from credentials import FetchError

        fetcher = self.network.new_fetcher()
        try:
            badge = fetcher.get_json(credential["badge"])
            if isinstance(badge, dict) and isinstance(badge.get("issuer"), str):
                badge = {**badge, "issuer": fetcher.get_json(badge["issuer"])}
        except (FetchError, ValueError):
            return record
        return replace(record, credential={**credential, "badge": badge})

    def _show_record(self, record: CredentialRecord) -> None:
        detail = self.state.detail
        facts = badge_facts(record.credential, record.report)
        trusted = self.trusted_issuer_ids()
        if facts.issuer is not None and facts.issuer.identifier in trusted:
            from dataclasses import replace

            facts = replace(facts, issuer=replace(facts.issuer, self_asserted=False))
        detail.facts = facts
        detail.plain_report = explain_report(record.report)
        detail.media_type = record.summary.media_type
        detail.raw_text = raw_text_of(record)
        detail.tags = list(record.summary.tags)
        detail.sources = [
            f"{source.kind}: {source.detail}" if source.detail else source.kind for source in record.summary.sources
        ]
        detail.loading = False

    async def check_again(self, record_id: str) -> None:
        self.touch()
        detail = self.state.detail
        if self._importer is None:
            return
        detail.checking, detail.error, detail.message = True, "", ""
        try:
            outcomes = await asyncio.to_thread(self._importer.reverify, [record_id])
            record = await asyncio.to_thread(self.store.get_credential, record_id)
        except StoreError as exc:
            detail.checking, detail.error = False, f"Checking again failed: {exc}"
            return
        self._show_record(record)
        verdict = outcomes[0].verdict if outcomes else None
        detail.checking, detail.message = False, f"Checked again just now: {status_word(verdict)}."
        await self.refresh_badges()
        self._changed()

    def _changed(self) -> None:
        try:
            self.announce_change()
        except Exception:  # another window missing an update never breaks this one
            log.exception("other windows could not be told about a change")

    async def changed_elsewhere(self) -> None:
        """Another window of this wallet imported, re-checked, tagged or deleted badges."""
        if self._store is not None:
            await self.refresh_badges()

    async def set_tags(self, record_id: str, text: str) -> None:
        self.touch()
        tags = [t.strip() for t in text.split(",") if t.strip()]
        summary = await asyncio.to_thread(self.store.set_tags, record_id, tags)
        self.state.detail.tags = list(summary.tags)
        self.state.detail.message = "Tags saved."
        await self.refresh_badges()
        self._changed()

    async def delete_badge(self, record_id: str) -> None:
        self.touch()
        await asyncio.to_thread(self.store.delete_credential, record_id)
        self._image_cache.pop(record_id, None)
        self.state.badges.images.pop(record_id, None)
        self.state.detail.deleted = True
        await self.refresh_badges()
        self._changed()

    # -- Import ------------------------------------------------------------------------------

    async def _run_import(self, what: str, items: list[Callable[[], Any]]) -> list[OutcomeLine]:
        """Runs import steps on a worker thread; each finished step moves the progress bar."""
        self.touch()
        importing = self.state.importing
        if importing.running or self._importer is None:
            return []
        importing.running, importing.what, importing.done, importing.total, importing.error = (
            True, what, 0, len(items), "")
        loop = asyncio.get_running_loop()
        on_ui = ui_caller()
        lines: list[OutcomeLine] = []

        def step_done(line: OutcomeLine) -> None:
            importing.done += 1
            importing.outcomes.insert(0, line)
            self.touch()

        def work() -> None:
            for item in items:
                try:
                    line = outcome_line(item())
                except Exception as exc:  # an import step never takes the app down
                    log.exception("import step failed")
                    line = OutcomeLine(what, False, f"Satchel could not import it ({exc}).")
                lines.append(line)
                on_ui(step_done, line)

        try:
            await loop.run_in_executor(None, work)
        finally:
            importing.running = False
        await self.refresh_badges()
        self._changed()
        return lines

    async def import_uploads(self, files: list[UploadedFile]) -> list[OutcomeLine]:
        from wallet.store import ImportSource

        importer = self._importer
        if importer is None:
            return []
        steps = [lambda f=f: importer.import_bytes(f.data, ImportSource("file", f.name)) for f in files]
        noun = "file" if len(files) == 1 else "files"
        return await self._run_import(f"Importing {len(files)} {noun}", steps)

    async def import_text(self, text: str) -> list[OutcomeLine]:
        importer = self._importer
        if importer is None:
            return []
        if not text.strip():
            self.state.importing.error = "Paste a badge, a link or an offer first."
            return []
        return await self._run_import("Importing what you pasted", [lambda: importer.import_text(text)])

    async def redeem_offer(self, offer: str) -> list[OutcomeLine]:
        importer = self._importer
        if importer is None:
            return []
        if not offer.strip():
            self.state.importing.error = "Paste the offer link from the issuer first."
            return []
        return await self._run_import("Collecting your badge from the issuer",
                                      [lambda: importer.redeem_offer(offer.strip())])

    async def import_qr_photos(self, photos: list[UploadedFile]) -> list[OutcomeLine]:
        importer = self._importer
        if importer is None:
            return []
        steps = [lambda p=p: importer.import_qr_image(p.data) for p in photos]
        return await self._run_import("Reading the QR code", steps)

    async def check_all_again(self) -> None:
        self.touch()
        importer = self._importer
        importing = self.state.importing
        if importer is None or importing.running:
            return
        on_ui = ui_caller()
        importing.running, importing.what, importing.done, importing.total = True, "Checking every badge again", 0, 0

        def show(done: int, total: int) -> None:
            importing.total, importing.done = total, done

        def progress(done: int, total: int) -> None:
            on_ui(show, done, total)

        try:
            await asyncio.to_thread(importer.reverify, None, progress)
        finally:
            importing.running = False
        await self.refresh_badges()
        self._changed()

    def clear_import_log(self) -> None:
        self.state.importing.outcomes.clear()
        self.state.importing.error = ""

    # -- Pathways ----------------------------------------------------------------------------

    async def load_pathways(self) -> None:
        self.touch()
        pathways = self.state.pathways
        pathways.loading, pathways.error = True, ""
        try:
            found = await asyncio.to_thread(self._find_pathways)
        except StoreError as exc:
            pathways.loading, pathways.error = False, f"Your pathways could not be worked out: {exc}"
            return
        pathways.pathways = found
        pathways.loading = False

    def _find_pathways(self) -> list[Any]:
        held = [
            HeldBadge(record.id, badge_facts(record.credential, record.report), record.credential)
            for record in self.store.iter_credentials()
        ]
        return find_pathways(held)

    # -- Settings ----------------------------------------------------------------------------

    async def load_settings(self) -> None:
        settings = self.state.settings
        if self._store is None:
            return
        profiles, count = await asyncio.to_thread(lambda: (self._profile_lines(), self.store.count_credentials()))
        settings.profiles = profiles
        settings.badge_count = count
        settings.wallet_location = str(self.wallet_path)
        trust = self.trust_list()
        settings.trust_list_name = trust.name if trust else ""
        settings.trusted_issuers = [f"{i.name} ({i.id})" for i in trust.issuers] if trust else []

    def _profile_lines(self) -> list[ProfileLine]:
        default = self.store.default_profile()
        return [
            ProfileLine(p.id, p.label, p.did, default is not None and p.id == default.id)
            for p in self.store.list_profiles()
        ]

    async def add_profile(self, label: str) -> None:
        self.touch()
        settings = self.state.settings
        if not label.strip():
            settings.error = "Give the profile a name, e.g. “Work” or “College”."
            return
        await asyncio.to_thread(self.store.create_profile, label.strip())
        settings.error, settings.message = "", f"Profile “{label.strip()}” created with its own DID."
        await self.load_settings()

    async def make_default_profile(self, profile_id: str) -> None:
        self.touch()
        await asyncio.to_thread(self.store.set_default_profile, profile_id)
        self.state.settings.message = "New badges from issuers will go to this profile."
        await self.load_settings()

    async def change_passphrase(self, old: str, new: str, confirmation: str) -> bool:
        self.touch()
        settings = self.state.settings
        settings.error = settings.message = ""
        if new != confirmation:
            settings.error = "The two new passphrases are not the same."
            return False
        strength = estimate_strength(new)
        if not strength.acceptable:
            settings.error = f"The new passphrase is {strength.label.lower()}. {strength.hint}"
            return False
        settings.busy = "Changing your passphrase…"
        try:
            await asyncio.to_thread(self.store.change_passphrase, old, new)
        except WrongPassphraseError:
            settings.error = "The current passphrase is not right; nothing was changed."
            return False
        except (EmptyPassphraseError, StoreError) as exc:
            settings.error = f"The passphrase was not changed: {exc}"
            return False
        finally:
            settings.busy = ""
        settings.message = "Passphrase changed. Use the new one next time you unlock."
        return True

    async def make_backup(self, passphrase: str) -> Path | None:
        self.touch()
        settings = self.state.settings
        settings.error = settings.message = ""
        strength = estimate_strength(passphrase)
        if not strength.acceptable:
            settings.error = f"The backup passphrase is {strength.label.lower()}. {strength.hint}"
            return None
        settings.busy = "Writing the encrypted backup…"
        stamp = self._clock().strftime("%Y-%m-%d-%H%M%S")
        dest = self.home / BACKUP_FOLDER / f"satchel-{stamp}.satchel-backup"
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            path = await asyncio.to_thread(self.store.backup, dest, passphrase)
        except (StoreError, OSError) as exc:
            settings.error = f"The backup could not be written: {exc}"
            return None
        finally:
            settings.busy = ""
        settings.last_backup = str(path)
        settings.message = f"Backup written to {path}."
        return path

    def trust_list(self) -> Any:
        from credentials import TrustList

        path = self.home / TRUST_LIST_FILE
        if not path.exists():
            return None
        try:
            return TrustList.load(path)
        except (OSError, ValueError):
            return None

    def _use_trust_list(self) -> None:
        """A new import service with the trust list as it is now (the engine's "Known issuer" check)."""
        if self._store is None:
            return
        old, self._importer = self._importer, self.network.import_service(self._store, trust=self.trust_list())
        if old is not None:
            with contextlib.suppress(Exception):
                old.close()

    def trusted_issuer_ids(self) -> set[str]:
        trust = self.trust_list()
        return {i.id for i in trust.issuers} if trust else set()

    async def set_trust_list(self, upload: UploadedFile) -> None:
        from credentials import TrustList

        self.touch()
        settings = self.state.settings
        settings.error = settings.message = ""
        try:
            trust = TrustList.from_json(json.loads(upload.data.decode("utf-8")), name=upload.name)
        except (ValueError, UnicodeDecodeError) as exc:
            settings.error = f"{upload.name} is not a trust list: {exc}"
            return
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / TRUST_LIST_FILE).write_bytes(upload.data)
        self._use_trust_list()
        settings.message = (f"Trust list “{trust.name}” set: {len(trust.issuers)} issuers. New badges are checked "
                            "against it; use “Check all badges again” for the ones you have.")
        await self.load_settings()

    async def remove_trust_list(self) -> None:
        self.touch()
        with contextlib.suppress(FileNotFoundError):
            (self.home / TRUST_LIST_FILE).unlink()
        self._use_trust_list()
        self.state.settings.message = "Trust list removed."
        await self.load_settings()

    async def choose_for_sharing(self, record_ids: list[str]) -> None:
        """Selects badges to share and shows exactly what would be disclosed."""
        self.touch()
        share = self.state.share
        share.selected = list(dict.fromkeys(record_ids))
        share.qr_png, share.error, share.message = None, "", ""

        def describe() -> list[str]:
            profile = self.store.default_profile()
            did = profile.did if profile else "no profile"
            lines: list[str] = []
            for record_id in share.selected:
                lines += disclosure_lines(self.store.get_credential(record_id), did)
            return lines

        share.disclosure = await asyncio.to_thread(describe) if share.selected else []

    async def share_as_qr(self, recipient: str) -> None:
        self.touch()
        share = self.state.share
        if not share.selected:
            share.error = "Choose at least one badge to share."
            return
        if not recipient.strip():
            share.error = "Say who the QR code is for (a person or an organisation); it goes in your share history."
            return
        from wallet.share import QrTooLarge, ShareError, share_qr

        share.error, share.busy = "", "Signing and drawing the QR code…"
        try:
            made = await asyncio.to_thread(share_qr, self.store, list(share.selected), recipient=recipient.strip(),
                                           max_version=40, pixels=1200)  # shown full screen, bright: 40 reads
        except QrTooLarge:
            share.error = "Those badges are too much for one QR code. Share fewer at a time."
            return
        except (ShareError, StoreError) as exc:
            share.error = f"The QR code could not be made: {exc}"
            return
        finally:
            share.busy = ""
        share.qr_png = made.qr.png
        share.expires = short_date(made.expires.isoformat())
        share.message = f"Show this QR code to {recipient.strip()}. It works until {share.expires}."
        await self.load_share_history()

    def close_qr(self) -> None:
        self.touch()
        self.state.share.qr_png = None

    async def load_share_history(self) -> None:
        from .state import ShareLine

        if self._store is None:
            return
        entries = await asyncio.to_thread(self.store.list_shares)
        now = self._clock()
        seen: set[str] = set()
        lines = []
        for entry in sorted(entries, key=lambda e: e.shared_at, reverse=True):
            group = str(entry.details.get("group") or entry.id)
            if group in seen:
                continue
            seen.add(group)
            names = [e.credential_name for e in entries if str(e.details.get("group") or e.id) == group]
            lines.append(ShareLine(
                id=entry.id, credential_name=", ".join(names), recipient=entry.recipient,
                shared_at=short_date(entry.shared_at.isoformat()),
                expires_at=short_date(entry.expires_at.isoformat()) if entry.expires_at else "",
                active=entry.is_active(now),
            ))
        self.state.share.history = lines

    async def unshare(self, share_id: str) -> None:
        self.touch()
        from wallet.share import ShareError, unshare

        share = self.state.share
        client = self.network.client() if hasattr(self.network, "client") else None
        try:
            result = await asyncio.to_thread(unshare, self.store, share_id, client)
        except (ShareError, StoreError) as exc:
            share.error = f"Could not unshare: {exc}"
            return
        share.message = ("Unshared: the link no longer works." if result.recalled else
                         "Marked as unshared. A QR code someone already scanned cannot be called back; "
                         "its proof stops working when it expires.")
        await self.load_share_history()

    # -- Share as a link -----------------------------------------------------------------------

    async def set_verifier_url(self, text: str) -> bool:
        """Settings → "Verifier address": where share links point (and the relay that keeps them)."""
        self.touch()
        settings = self.state.settings
        settings.error = settings.message = ""
        value = text.strip().rstrip("/")
        if value:
            parts = urlsplit(value)
            if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
                settings.error = ("The verifier address must be a web address such as https://verify.example.org "
                                  "(no ?query or #part).")
                return False
        settings.verifier_url = value
        self._write_settings(verifier_url=value)
        settings.message = (f"Share links will point to {value}." if value
                            else "Verifier address removed: you can still share by QR code.")
        return True

    async def share_as_link(self, recipient: str, days: int, withdrawable: bool) -> None:
        """A link to the selected badges, valid ``days`` days; through the verifier's relay when the
        learner wants to be able to withdraw it (or when it is too long to travel in the link)."""
        self.touch()
        share = self.state.share
        verifier = self.state.settings.verifier_url
        share.error = share.message = ""
        if not share.selected:
            share.error = "Choose at least one badge to share."
            return
        if not recipient.strip():
            share.error = "Say who the link is for (a person or an organisation); it goes in your share history."
            return
        if not verifier:
            share.error = ("Links need a verifier address: the website that will open them. Set it in Settings → "
                           "Share links (your college or employer can tell you which one to use).")
            return
        if days not in LINK_EXPIRY_DAYS:
            days = 7
        from wallet.share import RelayError, ShareError, share_link

        client = self.network.client() if hasattr(self.network, "client") else None
        if client is None and withdrawable:
            share.error = "Satchel is offline, so it cannot store a link you can withdraw. Try again when online."
            return
        share.busy = "Signing your badges and making the link…"
        expires = self._clock() + timedelta(days=days)
        try:
            made = await asyncio.to_thread(
                share_link, self.store, list(share.selected), verifier_base_url=verifier, relay_client=client,
                expires=expires, recipient=recipient.strip(),
                relay=True if withdrawable else (False if client is None else None))
        except RelayError as exc:
            share.error = f"The link could not be stored at {urlsplit(verifier).hostname}: {exc}"
            return
        except ValueError:
            share.error = ("Those badges are too much for a link on its own and Satchel is offline. Share fewer, "
                           "or try again when online.")
            return
        except (ShareError, StoreError) as exc:
            share.error = f"The link could not be made: {exc}"
            return
        finally:
            share.busy = ""
        share.link, share.link_kind, share.link_recipient = made.url, made.kind, recipient.strip()
        share.expires = short_date(made.expires.isoformat())
        share.message = (f"Link for {recipient.strip()} ready. It works until {share.expires}"
                         + ("; you can withdraw it from your share history." if made.revocable else
                            ". It carries your badges itself, so it cannot be withdrawn."))
        await self.load_share_history()

    def link_copied(self, ok: bool) -> None:
        self.touch()
        share = self.state.share
        share.error = "" if ok else "The link could not be copied here; select it and copy it by hand."
        share.message = "Link copied. Paste it into an email or a message." if ok else share.message

    def close_link(self) -> None:
        self.touch()
        share = self.state.share
        share.link = share.link_kind = share.link_recipient = ""
        share.message = ""

    # -- Answer a verifier's request ---------------------------------------------------------------

    def clear_request(self) -> None:
        self.touch()
        self._request = None
        reset_fields(self.state.request, RequestState())

    async def read_request(self, text: str) -> None:
        """A request link (the verifier's exchange URL) or its JSON, as pasted."""
        if not text.strip():
            self.state.request.error = "Paste the request link or text the verifier gave you."
            return
        await self._read_request(text.strip(), "Reading the request…")

    async def read_request_photo(self, photo: UploadedFile) -> None:
        if len(photo.data) > MAX_REQUEST_PHOTO_BYTES:
            self.state.request.error = f"{photo.name} is too large to be a photo of a QR code."
            return
        await self._read_request(photo.data, f"Reading the QR code in {photo.name}…")

    async def _read_request(self, source: str | bytes, what: str) -> None:
        from wallet.share import RequestError, RequestGoneError, parse_request, preview_request

        self.touch()
        request = self.state.request
        self.clear_request()
        request.busy = what
        client = self.network.client() if hasattr(self.network, "client") else None

        def work() -> tuple[Any, Any]:
            parsed = parse_request(source, client=client)
            return parsed, preview_request(self.store, parsed)

        try:
            parsed, preview = await asyncio.to_thread(work)
        except RequestGoneError as exc:
            request.busy, request.error = "", str(exc)
            return
        except RequestError as exc:
            message = str(exc)
            if "needs the network" in message:
                message = "Satchel is offline, so it cannot fetch the request from its link."
            request.busy, request.error = "", message
            return
        except (StoreError, ValueError) as exc:
            request.busy, request.error = "", f"The request could not be read: {exc}"
            return
        self._request = parsed
        request.verifier, request.origin, request.holder = preview.verifier, preview.origin or "", preview.holder
        request.online = parsed.exchange_url is not None and client is not None
        request.asks = [describe_query(m.query) for m in preview.matches]
        names = {s.id: s for s in await asyncio.to_thread(self._summaries_of,
                                                         [cid for m in preview.matches for cid in m.credential_ids])}
        request.choices = [RequestChoice(cid, names[cid].display.name or "Untitled badge",
                                         names[cid].display.issuer or "Unknown issuer")
                           for cid in dict.fromkeys(c for m in preview.matches for c in m.credential_ids)
                           if cid in names]
        self._show_preview(preview)
        request.loaded, request.busy = True, ""

    def _summaries_of(self, ids: list[str]) -> list[CredentialSummary]:
        return [self.store.get_credential(cid).summary for cid in dict.fromkeys(ids)]

    def _show_preview(self, preview: Any) -> None:
        request = self.state.request
        request.selected = list(preview.selected)
        request.warnings = list(preview.warnings)
        request.satisfied = bool(preview.satisfied) and bool(preview.selected)
        request.disclosed = [DisclosedBadge(d.name or "Untitled badge", d.issuer or "Unknown issuer",
                                            tuple(disclosure_field(f.path, f.value) for f in d.fields))
                             for d in preview.disclosed]

    async def choose_request_badges(self, record_ids: list[str]) -> None:
        from wallet.share import preview_request

        self.touch()
        if self._request is None:
            return
        parsed = self._request
        preview = await asyncio.to_thread(preview_request, self.store, parsed, credential_ids=record_ids)
        self._show_preview(preview)

    async def answer_request(self, offline: bool) -> None:
        """Sign the answer for the request's challenge and domain; post it (online) or draw its QR code."""
        from wallet.share import QrTooLarge, RequestError, RequestGoneError, ShareError, answer_request

        self.touch()
        request = self.state.request
        parsed = self._request
        if parsed is None:
            return
        if not request.selected:
            request.error = "Choose at least one badge to send."
            return
        client = None if offline else self.network.client() if hasattr(self.network, "client") else None
        if not offline and client is None:
            request.error = "Satchel is offline: show your answer as a QR code instead."
            return
        request.error, request.verdict, request.verdict_lines = "", "", []
        request.busy = "Drawing your answer as a QR code…" if offline else f"Sending your answer to {request.verifier}…"
        try:
            answer = await asyncio.to_thread(answer_request, self.store, parsed, list(request.selected),
                                             client=client, offline=offline)
        except QrTooLarge:
            request.error = "Those badges are too much for one QR code. Choose fewer, or send the answer online."
            return
        except RequestGoneError as exc:
            request.error = str(exc)
            return
        except (RequestError, ShareError, StoreError) as exc:
            request.error = f"Your answer could not be sent: {exc}"
            return
        finally:
            request.busy = ""
        if answer.mode == "offline":
            request.qr_png = answer.qr.png if answer.qr is not None else None
        else:
            result = dict(answer.result or {})
            request.verified = bool(answer.verified)
            request.verdict = status_word(str(result.get("verdict") or ("valid" if answer.verified else "invalid")))
            problems = [str(p) for p in result.get("problems") or []]
            request.verdict_lines = [problem_sentence(p) for p in problems] or (
                [f"{request.verifier} checked your badges and that they are yours."] if answer.verified else [])
        await self.load_share_history()

    def close_request_qr(self) -> None:
        self.touch()
        self.state.request.qr_png = None

    def set_autolock_minutes(self, minutes: int) -> None:
        self.touch()
        self.state.settings.autolock_minutes = minutes
        self._write_settings(autolock_minutes=minutes)


# -- Share (wallet.share) ----------------------------------------------------------------------


def sharing_available() -> bool:
    """Whether this build has the sharing package; looked up, not imported (that costs ≈0.2 s of the
    first screen; the warm-up imports it while the learner types the passphrase)."""
    import importlib.util

    return importlib.util.find_spec("wallet.share") is not None


def disclosure_lines(record: CredentialRecord, holder_did: str) -> list[str]:
    """What the recipient will see, in plain words: the whole credential travels, signed by you."""
    facts = badge_facts(record.credential, record.report)
    lines = [f"“{facts.name}” from {facts.issuer.name if facts.issuer else 'an unknown issuer'}"]
    details = [label for label, present in (
        ("the description and criteria", facts.description or facts.criteria),
        ("your results", facts.results), ("credits", facts.credits_earned), ("the evidence", facts.evidence),
        ("the skills it aligns to", facts.alignments), ("the issue and expiry dates", facts.issued),
    ) if present]
    if details:
        lines.append("  including " + ", ".join(details))
    if facts.recipient:
        lines.append(f"  issued to {facts.recipient}")
    lines.append(f"  presented by you ({holder_did})")
    return lines


QUERY_TYPE_WORDS = {"OpenBadgeCredential": "Open Badges", "AchievementCredential": "Open Badges",
                    "ClrCredential": "Comprehensive Learner Records", "EndorsementCredential": "endorsements"}


def describe_query(query: Any) -> str:
    """One request line in plain words: its reason, then which kind of credential it asks for."""
    types = [str(t) for t in (query.example.get("type") or []) if t != "VerifiableCredential"] \
        if isinstance(query.example.get("type"), list) else [str(query.example.get("type") or "")]
    kinds = ", ".join(dict.fromkeys(QUERY_TYPE_WORDS.get(t, t) for t in types if t)) or "any credential"
    text = f"{query.reason} " if query.reason else ""
    text += f"(asks for: {kinds}"
    if query.trusted_issuers:
        text += "; only from " + ", ".join(query.trusted_issuers)
    text += ")" if query.required else "; optional)"
    return text


def disclosure_field(path: str, value: str, limit: int = 90) -> str:
    """``credentialSubject.achievement.name`` → ``achievement › name: …``, long values shortened."""
    named = {"credentialSubject.id": "issued to", "credentialSubject.type": "subject type", "id": "badge id"}
    steps = [named[path]] if path in named else [p for p in path.replace("credentialSubject", "").split(".") if p]
    shown = value if len(value) <= limit else value[:limit - 1] + "…"
    if shown.startswith("data:"):
        shown = shown.split(",", 1)[0] + ",… (an embedded picture)"
    return f"{' › '.join(steps) or path}: {shown}"


def raw_text_of(record: CredentialRecord) -> str:
    """The credential as the learner can read it: JSON pretty-printed, a JWT as it is."""
    if record.credential is not None and (is_png(record.original) or is_svg(record.original)):
        return json.dumps(record.credential, indent=2, ensure_ascii=False)
    try:
        text = record.original.decode("utf-8")
    except UnicodeDecodeError:
        return json.dumps(record.credential, indent=2, ensure_ascii=False) if record.credential else ""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text.strip()


def env_seconds(name: str) -> float | None:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else None
    except ValueError:
        return None
