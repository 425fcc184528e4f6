"""History: the checks made on this device, newest first; open, delete, export as CSV."""

from __future__ import annotations

import flet as ft

from verifier.history import SOURCE_WORDS, Entry

from ..services import VerifierServices
from ..state import HistoryState
from .common import (
    BRAND,
    INK,
    LINE,
    MUTED,
    SURFACE,
    card,
    frame,
    grade_look,
    note,
    offer_download,
    secondary,
    title,
    when,
)


def _history_row(entry: Entry, services: VerifierServices, wide: bool) -> ft.Control:
    look = grade_look(entry.grade)

    def open_it() -> None:
        services.open_entry(entry.id)

    def delete_it() -> None:
        services.delete_entry(entry.id)

    return ft.Container(
        content=ft.Row([
            ft.Icon(look.icon, color=look.ink, size=28),
            ft.Column([
                ft.Text(entry.achievement, weight=ft.FontWeight.W_700, color=INK, size=15,
                        max_lines=2, overflow=ft.TextOverflow.ELLIPSIS),
                ft.Text(look.words.headline, color=look.ink, size=14, weight=ft.FontWeight.W_600),
                ft.Text(f"From {entry.issuer}" if entry.issuer else "No issuer named", color=MUTED, size=14,
                        max_lines=2, overflow=ft.TextOverflow.ELLIPSIS),
                ft.Text(f"{SOURCE_WORDS.get(entry.source, entry.source)} · {when(entry.verified_at)}"
                        + (f" · input {entry.facts.fingerprint}" if entry.facts.fingerprint else ""), color=MUTED,
                        size=13),
            ], spacing=2, expand=True),
            ft.TextButton("Open", on_click=open_it, tooltip=f"Open the result for {entry.achievement}") if wide else
            # a phone: the whole row opens it; an arrow (not a word) leaves the text its room
            ft.IconButton(ft.Icons.CHEVRON_RIGHT, tooltip=f"Open the result for {entry.achievement}",
                          icon_color=BRAND, on_click=open_it),
            ft.IconButton(ft.Icons.DELETE_OUTLINE, tooltip=f"Delete {entry.achievement}", icon_color=MUTED,
                          on_click=delete_it),
        ], spacing=12 if wide else 6),
        bgcolor=SURFACE, border_radius=14, padding=ft.Padding.symmetric(horizontal=14 if wide else 10, vertical=10),
        border=ft.Border.all(1, LINE), on_click=open_it,
    )


@ft.component
def HistoryView(history: HistoryState, services: VerifierServices, wide: bool) -> ft.Control:
    async def export_csv() -> None:
        await services.export_csv(offer_download)

    parts: list[ft.Control] = [
        ft.Row([title("History"), secondary("Export CSV", export_csv, ft.Icons.TABLE_VIEW)],
               alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
        ft.Text("Verifications made on this device. Only you can see them; delete any you no longer need.",
                color=MUTED),
        note(history.message),
    ]
    if not history.entries:
        parts.append(card(ft.Text("Nothing checked yet. Results appear here after each check.", color=MUTED)))
    parts.extend(_history_row(e, services, wide) for e in history.entries)
    return frame(*parts, wide=wide)
