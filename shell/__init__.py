"""What both apps need from the machine they run on: is there a screen to open a window on, is
Flet's desktop client installed, and a settings file written whole or not at all. Beside the
engine, like ``scan``; the apps never import each other, so what they share lives here.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._pickers import file_picker as file_picker
    from ._pickers import forget_file_picker as forget_file_picker

__all__ = ["desktop_client_available", "file_picker", "forget_file_picker", "has_display", "write_atomically"]


def __getattr__(name: str) -> Any:
    # the Flet-bound helpers load flet only when an app asks for them
    if name in ("file_picker", "forget_file_picker"):
        from . import _pickers

        return getattr(_pickers, name)
    raise AttributeError(f"module 'shell' has no attribute {name!r}")


def has_display(environ: Mapping[str, str]) -> bool:
    """A window can open: always on macOS and Windows; on Linux when X11 or Wayland is there."""
    if sys.platform.startswith("linux"):
        return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))
    return True


def desktop_client_available() -> bool:
    """Flet's desktop client (``flet-desktop``) is installed; without it the app serves web mode."""
    try:
        import flet_desktop  # noqa: F401
    except ImportError:
        return False
    return True


def write_atomically(path: Path, data: bytes | str) -> None:
    """Replace ``path`` with ``data`` so that a reader (or a kill mid-write) sees the old file or
    the new one, never half of one: a temporary file in the same directory, flushed to disk, then
    ``os.replace`` (atomic on POSIX and Windows)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
