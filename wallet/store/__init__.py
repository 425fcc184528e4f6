"""The wallet store: an encrypted SQLite file holding the learner's credentials and keys.

    from wallet.store import Store, ImportSource

    with Store.create(path, passphrase) as store:          # or Store.open(path, passphrase)
        added = store.add_credential(raw, "application/ld+json", parsed,
                                     ImportSource("file", "badge.json"), report=report.to_json())
        page = store.search("python", limit=50)
        store.backup("wallet.satchel-backup", backup_passphrase)
    restore_backup("wallet.satchel-backup", backup_passphrase, other_path)

Keys: passphrase --Argon2id (or scrypt; parameters and salt stored in the file)--> KEK, which
wraps a random data key (AES-256-GCM); records are sealed under keys derived from it, each
with its table, column and id as associated data. Changing the passphrase re-wraps the data key.

Errors::

    StoreError
    ├── StoreNotFoundError (also FileNotFoundError)   no wallet at that path
    ├── StoreExistsError (also FileExistsError)       create/restore never overwrite
    ├── NotAStoreError                                not a Satchel wallet, or its key check failed
    │   └── UnsupportedFormatError                    newer format, or a KDF this build cannot run
    ├── PassphraseError
    │   ├── WrongPassphraseError                      nothing was changed
    │   │   └── WrongBackupPassphraseError (also BackupError)
    │   └── EmptyPassphraseError (also ValueError)
    ├── RecordNotFoundError (also KeyError)           no credential / profile / share with that id
    ├── CorruptRecordError                            a sealed record failed authentication
    └── BackupError                                   tampered, truncated or foreign backup; nothing restored
"""

from ._crypto import Argon2idParams, KdfParams, ScryptParams, argon2id_available, default_kdf
from ._search import fold_for_search
from .backup import restore_backup
from .display import describe_credential
from .errors import (
    BackupError,
    CorruptRecordError,
    EmptyPassphraseError,
    NotAStoreError,
    PassphraseError,
    RecordNotFoundError,
    StoreError,
    StoreExistsError,
    StoreNotFoundError,
    UnsupportedFormatError,
    WrongBackupPassphraseError,
    WrongPassphraseError,
)
from .models import (
    AddResult,
    CredentialDisplay,
    CredentialRecord,
    CredentialSummary,
    HolderProfile,
    ImportSource,
    SearchPage,
    ShareEntry,
    SortOrder,
    SourceKind,
)
from .store import Store

__all__ = [
    "AddResult",
    "Argon2idParams",
    "BackupError",
    "CorruptRecordError",
    "CredentialDisplay",
    "CredentialRecord",
    "CredentialSummary",
    "EmptyPassphraseError",
    "HolderProfile",
    "ImportSource",
    "KdfParams",
    "NotAStoreError",
    "PassphraseError",
    "RecordNotFoundError",
    "ScryptParams",
    "SearchPage",
    "ShareEntry",
    "SortOrder",
    "SourceKind",
    "Store",
    "StoreError",
    "StoreExistsError",
    "StoreNotFoundError",
    "UnsupportedFormatError",
    "WrongBackupPassphraseError",
    "WrongPassphraseError",
    "argon2id_available",
    "default_kdf",
    "describe_credential",
    "fold_for_search",
    "restore_backup",
]
