"""Exceptions raised by the wallet store (the tree is drawn in ``wallet.store``'s docstring).

Every message is one plain sentence a CLI can print as is.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of everything the store raises on purpose."""


class StoreNotFoundError(StoreError, FileNotFoundError):
    def __init__(self, path: object) -> None:
        super().__init__(f"there is no wallet at {path}")
        self.path = path


class StoreExistsError(StoreError, FileExistsError):
    def __init__(self, path: object) -> None:
        super().__init__(f"a file already exists at {path}; a new wallet is never written over it")
        self.path = path


class NotAStoreError(StoreError):
    """The file is not a Satchel wallet, or it is damaged beyond the records themselves."""


class UnsupportedFormatError(NotAStoreError):
    """A wallet written by a newer Satchel (or a KDF this build cannot run)."""


class PassphraseError(StoreError):
    """Base of the passphrase problems."""


class WrongPassphraseError(PassphraseError):
    def __init__(self, message: str = "wrong passphrase: the wallet could not be unlocked") -> None:
        super().__init__(message)


class EmptyPassphraseError(PassphraseError, ValueError):
    def __init__(self) -> None:
        super().__init__("the passphrase must not be empty")


class RecordNotFoundError(StoreError, KeyError):
    def __init__(self, kind: str, record_id: str) -> None:
        super().__init__(f"no {kind} with id {record_id!r} in this wallet")
        self.kind = kind
        self.record_id = record_id

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class CorruptRecordError(StoreError):
    """A sealed record failed authentication: the file was altered or damaged."""


class BackupError(StoreError):
    """The backup file is not one we can restore (tampered, truncated, other format); nothing restored."""


class WrongBackupPassphraseError(BackupError, WrongPassphraseError):
    def __init__(self) -> None:
        super().__init__("wrong passphrase for this backup (or its header was altered); nothing was restored")
