"""The glue between views and the wallet: the store, the import service and the network.

One module per feature, each a part of :class:`WalletServices` (``core`` holds what they share):
``session`` (create, unlock, restore, lock, auto-lock), ``badges`` (the list and its pictures),
``detail`` (one badge), ``importing``, ``pathways``, ``settings``, ``sharing`` (QR code, link,
history) and ``request`` (answering a verifier's request).
"""

from __future__ import annotations

from .badges import card_of, image_from_data_uri
from .core import ImportPort, NetworkPort, UploadedFile, sharing_available, ui_caller
from .detail import BadgeDetail, raw_text_of
from .importing import Importing, outcome_line
from .pathways import Pathways
from .request import RequestAnswering, describe_query, disclosure_field
from .session import Session
from .settings import Settings

__all__ = [
    "ImportPort", "NetworkPort", "UploadedFile", "WalletServices", "card_of", "describe_query",
    "disclosure_field", "image_from_data_uri", "outcome_line", "raw_text_of",
    "sharing_available", "ui_caller",
]

class WalletServices(Session, BadgeDetail, Importing, Pathways, Settings, RequestAnswering):
    """One learner's wallet as the app sees it. Create one per browser session / window:
    ``WalletServices(state, settings, network)``."""
