"""What both Flet apps need to start, and nothing else: is there a screen to open a window on, and
is Flet's desktop client installed. Beside the engine, like ``scan``; the apps never import each
other, so what they share lives here.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

__all__ = ["desktop_client_available", "has_display"]


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
