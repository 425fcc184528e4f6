"""Share: choose badges, see exactly what will be disclosed, then a bright full-screen QR code;
the share history with "unshare"."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import flet as ft

from ..services import WalletServices
from ..state import BadgeListState, ShareState
from .common import (
    INK,
    MUTED,
    OUTLINE,
    SURFACE,
    busy_line,
    empty_state,
    heading,
    message_banner,
    page_frame,
    primary_button,
    section,
    text_input,
)


def qr_screen(share: ShareState, on_close, size: int) -> ft.Control:
    """White, large, nothing else: easy for a phone camera to read."""
    return ft.Container(
        content=ft.Column([
            ft.Text(share.message, color=INK, size=15, text_align=ft.TextAlign.CENTER),
            ft.Image(src=share.qr_png, width=size, height=size, fit=ft.BoxFit.CONTAIN,
                     semantics_label="QR code of your shared badges", filter_quality=ft.FilterQuality.NONE),
            ft.FilledButton("Done", icon=ft.Icons.CHECK, on_click=on_close),
        ], horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=16, scroll=ft.ScrollMode.AUTO),
        bgcolor="#FFFFFF", expand=True, alignment=ft.Alignment.TOP_CENTER, padding=16,
    )


@ft.component
def ShareView(share: ShareState, badges: BadgeListState, services: WalletServices, wide: bool) -> ft.Control:
    page = ft.context.page
    recipient, set_recipient = ft.use_state("")
    query = (parse_qs(urlsplit(page.route or "").query).get("badge") or [None])[0]

    async def load():
        await services.load_share_history()
        if query and query not in share.selected:
            await services.choose_for_sharing([query])

    ft.use_effect(load, [query])

    if not share.available:
        return page_frame(heading("Share"), empty_state(
            ft.Icons.QR_CODE_2, "Sharing is not available in this build",
            "This version of Satchel cannot share badges. Your badges stay private in your wallet."), wide=wide)
    if share.qr_png:
        side = min(page.width or 800, (page.height or 800) - 120)
        return qr_screen(share, lambda: services.close_qr(), int(max(300, side - 32)))

    def toggle(record_id: str, on: bool) -> None:
        chosen = [i for i in share.selected if i != record_id] + ([record_id] if on else [])
        page.run_task(services.choose_for_sharing, chosen)

    async def show_qr(_=None):
        await services.share_as_qr(recipient)

    choices = [ft.Checkbox(label=card.name, value=card.id in share.selected,
                           on_change=lambda e, rid=card.id: toggle(rid, bool(e.control.value)))
               for card in badges.cards]
    if not choices:
        return page_frame(heading("Share"), empty_state(ft.Icons.QR_CODE_2, "Nothing to share yet",
                                                        "Import a badge first; then you can show it as a QR code."),
                          wide=wide)
    disclosure = ([ft.Text(line, color=INK if not line.startswith("  ") else MUTED, size=14)
                   for line in share.disclosure]
                  if share.disclosure else [ft.Text("Choose one or more badges above.", color=MUTED)])
    history = [ft.Semantics(container=True, label=f"Shared {line.credential_name} with {line.recipient}",
                            content=ft.Row([
        ft.Icon(ft.Icons.CHECK_CIRCLE if line.active else ft.Icons.BLOCK, color="#1D5E2A" if line.active else MUTED),
        ft.Column([
            ft.Text(line.credential_name, color=INK, weight=ft.FontWeight.W_600),
            ft.Text(f"with {line.recipient} on {line.shared_at}"
                    + (f", until {line.expires_at}" if line.expires_at else "")
                    + ("" if line.active else " · unshared or expired"), size=12, color=MUTED),
        ], spacing=2, expand=True),
        *([ft.TextButton(f"Unshare with {line.recipient}",
                         on_click=lambda _=None, sid=line.id: page.run_task(services.unshare, sid))]
          if line.active else []),
    ])) for line in share.history]
    return page_frame(
        heading("Share"),
        ft.Text("Choose badges, check what the other side will see, then show a QR code.", color=MUTED),
        message_banner(share.message),
        message_banner(share.error, error=True),
        section("1. Choose badges", *choices, icon=ft.Icons.CHECKLIST),
        section("2. What they will see", *disclosure, icon=ft.Icons.VISIBILITY),
        section("3. Show it",
                text_input("Who is it for?", recipient, set_recipient, hint="e.g. Maple Grove Care Home"),
                busy_line(share.busy) if share.busy else primary_button("Show QR code", show_qr,
                                                                        icon=ft.Icons.QR_CODE_2),
                icon=ft.Icons.QR_CODE_2),
        ft.Container(section("Share history", *(history or [ft.Text("Nothing shared yet.", color=MUTED)]),
                             icon=ft.Icons.HISTORY), bgcolor=SURFACE, border_radius=14,
                     border=ft.Border.all(1, OUTLINE)),
        wide=wide,
    )
