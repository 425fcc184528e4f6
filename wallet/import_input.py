"""What a learner brings in, before anything is verified: telling an offer link from a URL,
reading files and QR photos within bounds, and refusing in one plain sentence (ImportRefused).

Shared by the import service (``wallet.importer``) and the offer client (``wallet.openid4vci``).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from wallet.paths import MAX_IMPORT_BYTES

# In a folder, only files that can hold a credential are tried (photos, notes and .DS_Store are not).
FOLDER_IMPORT_SUFFIXES = frozenset({".json", ".jsonld", ".jwt", ".jws", ".png", ".svg"})
OFFER_SCHEMES = ("openid-credential-offer", "haip", "openid4vci")


class ImportRefused(Exception):
    """Raised inside the service for input it will not store; the message is one plain sentence."""


def sentence(text: str) -> str:
    """``text`` on one line, ending like a sentence."""
    text = " ".join(str(text).split())
    return text if text.endswith((".", "!", "?")) else text + "."


def is_http_url(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in text.strip())


def is_offer_link(text: str) -> bool:
    """An OpenID4VCI credential offer: a link carrying ``credential_offer`` or ``credential_offer_uri``."""
    stripped = text.strip()
    scheme = stripped.split(":", 1)[0].lower()
    if scheme in OFFER_SCHEMES:
        return True
    if stripped.startswith("{"):
        try:
            value = json.loads(stripped)
        except (ValueError, RecursionError):
            return False
        return isinstance(value, dict) and "credential_issuer" in value and "grants" in value
    query = urlsplit(stripped).query if "?" in stripped else ""
    params = parse_qs(query)
    return "credential_offer" in params or "credential_offer_uri" in params


def decode_qr_image(image: bytes) -> str:
    """The text of the QR code in a photo or screenshot (PNG, JPEG, WebP...): the engine's reader
    (:func:`credentials.decode_qr_image`, OpenCV). Raises ImportRefused."""
    from credentials import QrDecodeError
    from credentials import decode_qr_image as read

    try:
        return read(image)
    except QrDecodeError as exc:
        raise ImportRefused(sentence(str(exc)[:1].upper() + str(exc)[1:])) from None


def too_large(size: int) -> str:
    return (f"It is {size / (1024 * 1024):.1f} MB; Satchel imports files up to "
            f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB.")


def read_bounded(path: Path) -> bytes:
    """The file's bytes, refusing anything over MAX_IMPORT_BYTES without reading it whole."""
    try:
        with open(path, "rb") as fh:
            info = os.fstat(fh.fileno())
            if stat.S_ISDIR(info.st_mode):
                raise ImportRefused(f"{path} is a folder; import its files instead.")
            if info.st_size > MAX_IMPORT_BYTES:
                raise ImportRefused(f"{path.name} is too large to be a credential: {too_large(info.st_size)}")
            data = fh.read(MAX_IMPORT_BYTES + 1)
    except IsADirectoryError:
        raise ImportRefused(f"{path} is a folder; import its files instead.") from None
    except FileNotFoundError:
        raise ImportRefused(f"There is no file at {path}.") from None
    except PermissionError:
        raise ImportRefused(f"Satchel is not allowed to read {path}.") from None
    except OSError as exc:
        raise ImportRefused(f"{path} could not be read ({exc.strerror or type(exc).__name__}).") from None
    if len(data) > MAX_IMPORT_BYTES:  # it grew while we looked
        raise ImportRefused(f"{path.name} is too large to be a credential: {too_large(len(data))}")
    return data


def credential_files(folder: Path) -> list[Path]:
    """A folder's credential files, recursively, in a stable order (hidden entries skipped)."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in FOLDER_IMPORT_SUFFIXES:
                found.append(Path(root) / name)
    return found
