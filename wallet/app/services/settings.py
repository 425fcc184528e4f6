"""Settings: profiles, the passphrase, backups, the trust list, auto-lock and the verifier address."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path
from urllib.parse import urlsplit

from shell import write_atomically
from wallet.store import EmptyPassphraseError, StoreError, WrongPassphraseError

from ..passphrase_strength import estimate_strength
from ..state import ProfileLine
from .core import TRUST_LIST_FILE, UploadedFile, WalletCore

BACKUP_FOLDER = "backups"
BAD_VERIFIER_URL = ("The verifier address must be a web address such as https://verify.example.org "
                    "(no ?query or #part).")


def is_verifier_url(value: str) -> bool:
    """An http(s) address of a host, without query or fragment (links are made by appending to it)."""
    parts = urlsplit(value)
    return parts.scheme in ("https", "http") and bool(parts.hostname) and not parts.query and not parts.fragment


class Settings(WalletCore):
    """The Settings screen's work."""

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

    # -- the trust list --------------------------------------------------------------------------

    def _use_trust_list(self) -> None:
        """A new import service with the trust list as it is now (the engine's "Known issuer" check)."""
        if self._store is None:
            return
        old, self._importer = self._importer, self.network.import_service(self._store, trust=self.trust_list())
        if old is not None:
            with contextlib.suppress(Exception):
                old.close()

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
        write_atomically(self.home / TRUST_LIST_FILE, upload.data)
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

    # -- preferences ------------------------------------------------------------------------------

    def set_autolock_minutes(self, minutes: int) -> None:
        self.touch()
        self.state.settings.autolock_minutes = minutes
        self._write_settings(autolock_minutes=minutes)

    async def set_verifier_url(self, text: str) -> bool:
        """Settings → "Verifier address": where share links point (and the relay that keeps them)."""
        self.touch()
        settings = self.state.settings
        settings.error = settings.message = ""
        value = text.strip().rstrip("/")
        if value and not is_verifier_url(value):
            settings.error = BAD_VERIFIER_URL
            return False
        settings.verifier_url = value
        self._write_settings(verifier_url=value)
        settings.message = (f"Share links will point to {value}." if value
                            else "Verifier address removed: you can still share by QR code.")
        return True
