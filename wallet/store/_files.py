"""Durable, no-clobber file moves for the wallet file and its backups.

A wallet or backup is always built in a temporary file beside its destination and published
only when complete, so a crash never leaves a half-written file where the app looks for one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .errors import StoreExistsError


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_directory(path: Path) -> None:
    """Makes a rename durable; directories cannot be opened for fsync on Windows."""
    if os.name == "nt":
        return
    fsync_path(path)


def publish_no_clobber(temp: Path, dest: Path) -> None:
    """Moves a finished file into place atomically, refusing to replace anything already there."""
    try:
        os.link(temp, dest)  # atomic and fails if dest exists
    except FileExistsError:
        raise StoreExistsError(dest) from None
    except OSError:
        # Filesystems without hard links (FAT, some Android storage): rename, after a check.
        if dest.exists():
            raise StoreExistsError(dest) from None
        os.replace(temp, dest)
    else:
        os.unlink(temp)
    fsync_directory(dest.parent)


def temporary_sibling(dest: Path, purpose: str) -> Path:
    return dest.parent / f".{dest.name}.{purpose}-{secrets.token_hex(6)}.tmp"


def remove_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass
