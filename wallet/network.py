"""The wallet's one way to make an HTTP client, from its settings (``wallet.settings``).

Offline there is no client at all (``credentials.Fetcher(None)`` answers from its cache and
local documents; anything else "could not be checked"); online it is the engine's guarded client
(https, public hosts only), which also talks to 127.0.0.1 when ``allow_loopback`` is set (the
issuer stub, demos, tests). The command line and the import service use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import httpx


class NetworkSettings(Protocol):
    """The part of :class:`wallet.settings.WalletSettings` that decides the network."""

    @property
    def offline(self) -> bool: ...

    @property
    def allow_loopback(self) -> bool: ...


@dataclass(frozen=True)
class _Network:
    offline: bool = False
    allow_loopback: bool = False


GUARDED: NetworkSettings = _Network()  # online, public https hosts only: what production uses


def make_http_client(settings: NetworkSettings = GUARDED) -> httpx.Client | None:
    """None when offline; else a new guarded client, which the caller closes."""
    if settings.offline:
        return None
    from credentials import make_client

    return make_client(allow_loopback=settings.allow_loopback)
