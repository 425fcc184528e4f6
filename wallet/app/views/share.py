"""Share: choose badges, see what will be disclosed, then a QR code or a link; share history.

The sharing service (``wallet.share``) is built separately; until it is installed this screen
says so plainly instead of offering buttons that cannot work.
"""

from __future__ import annotations

import flet as ft

from ..services import WalletServices
from ..state import ShareState
from .common import MUTED, empty_state, heading, page_frame


@ft.component
def ShareView(share: ShareState, services: WalletServices, wide: bool) -> ft.Control:
    return page_frame(
        heading("Share"),
        ft.Text("Choose badges, see exactly what the other side will see, then show a QR code or send a link.",
                color=MUTED),
        empty_state(ft.Icons.QR_CODE_2, "Sharing is not available in this build",
                    "This version of Satchel cannot share badges yet. Your badges stay private in your wallet."),
        wide=wide,
    )
