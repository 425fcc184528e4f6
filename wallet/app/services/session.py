"""Creating, opening, restoring and locking the wallet, and locking it after a while without
activity."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from pathlib import Path

from wallet.store import (
    BackupError,
    NotAStoreError,
    Store,
    StoreError,
    WrongBackupPassphraseError,
    WrongPassphraseError,
    restore_backup,
)

from ..passphrase_strength import estimate_strength
from ..state import FIRST_RUN, LOCKED, UNLOCKED
from .badges import BadgeList
from .core import CARDS_PER_PAGE, UploadedFile

MAX_BACKUP_BYTES = 512 * 1024 * 1024
INACTIVITY_NOTICE = "Locked after a while without activity. Enter your passphrase to continue."


class Session(BadgeList):
    """The welcome and unlock screens' work; unlocking shows the first badges at once."""

    @property
    def autolock_seconds(self) -> float | None:
        if self._autolock_override is not None:
            return self._autolock_override
        minutes = self.state.settings.autolock_minutes
        return minutes * 60.0 if minutes > 0 else None

    def _start_autolock(self) -> None:
        self.touch()
        if self._autolock_task is None or self._autolock_task.done():
            self._autolock_task = asyncio.get_running_loop().create_task(self._watch_inactivity())

    async def _watch_inactivity(self) -> None:
        while self._store is not None:
            limit = self.autolock_seconds
            await asyncio.sleep(min(5.0, limit / 4) if limit else 5.0)
            if limit and self._store is not None and time.monotonic() - self._last_activity > limit:
                self.lock(notice=INACTIVITY_NOTICE)
                return

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
