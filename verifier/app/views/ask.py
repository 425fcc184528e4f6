"""Ask: a request QR code the candidate's wallet answers with a presentation made for it."""

from __future__ import annotations

import flet as ft

from ..services import VerifierServices
from ..state import AskState
from .common import INK, LINE, MUTED, SURFACE, card, frame, note, primary, secondary, spinner, title, when


def _waiting(ask: AskState, code: bytes, services: VerifierServices) -> ft.Control:
    qr = ft.Container(ft.Image(src=code, width=280, height=280, semantics_label="Request QR code"),
                      bgcolor=SURFACE, padding=10, border_radius=16, border=ft.Border.all(1, LINE))
    return card(
        ft.Row([qr], alignment=ft.MainAxisAlignment.CENTER),
        spinner("Waiting for the candidate's wallet…"),
        ft.Text("Request address", color=MUTED, size=13, weight=ft.FontWeight.W_600),
        ft.Text(ask.url, size=12, color=INK, font_family="monospace"),
        ft.Text(f"Expires {when(ask.expires)}.", color=MUTED, size=13),
        ft.Row([secondary("Cancel request", services.cancel_request, ft.Icons.CLOSE),
                secondary("New request", services.start_request, ft.Icons.REFRESH)], spacing=10, wrap=True),
    )


@ft.component
def AskView(ask: AskState, services: VerifierServices, wide: bool) -> ft.Control:
    parts: list[ft.Control] = [
        title("Ask for a credential"),
        ft.Text("Show this code to the candidate. Their wallet answers it with a presentation made just for "
                "this request, so it cannot be a copy.", color=MUTED),
    ]
    if ask.qr and ask.state == "waiting":
        parts.append(_waiting(ask, ask.qr, services))
    else:
        if ask.state == "expired":
            parts.append(note("That request expired before an answer came. Make a new one."))
        parts.append(card(
            ft.Text("A fresh challenge is made for every request and can be answered once.", color=MUTED),
            ft.Row([primary("New request", services.start_request, ft.Icons.QR_CODE_2)]),
            title_text="Request QR code", icon=ft.Icons.QR_CODE_2))
    parts.append(note(ask.message, error=True))
    return frame(*parts, wide=wide)
