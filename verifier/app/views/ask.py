"""Ask: a request QR code the candidate's wallet answers with a presentation made for it.

Two ways to ask: Satchel's own request (a VC-API exchange, which Satchel wallets answer) or
OpenID4VP 1.0 (an ``openid4vp://`` request with a DCQL query, which any OpenID4VP wallet answers).
"""

from __future__ import annotations

import flet as ft

from ..services import VerifierServices
from ..state import OPENID4VP, VC_API, AskState
from .common import BRAND, INK, LINE, MUTED, SURFACE, card, frame, note, primary, secondary, spinner, title, when

# what each way reaches, in the words a hiring manager reads
WAYS = {
    VC_API: ("Satchel request", "For candidates with the Satchel wallet."),
    OPENID4VP: ("OpenID4VP", "For any wallet that speaks OpenID for Verifiable Presentations 1.0 "
                             "(Satchel too); it asks for an Open Badge."),
}


def _way_choice(ask: AskState, services: VerifierServices) -> ft.Control:
    # radio buttons (as the camera choice): both ways in view, each a labelled control for a screen reader
    return ft.Semantics(label="How to ask", container=True, content=ft.RadioGroup(
        value=ask.protocol, on_change=lambda e: services.choose_protocol(e.control.value),
        content=ft.Column([item for key, (name, words) in WAYS.items() for item in (
            ft.Radio(value=key, label=name),  # a Radio's label stays on one line: the words wrap below it
            ft.Container(ft.Text(words, color=MUTED, size=13), padding=ft.Padding.only(left=40, bottom=6)))],
            spacing=0)))


def _waiting(ask: AskState, code: bytes, services: VerifierServices) -> ft.Control:
    qr = ft.Container(ft.Image(src=code, width=280, height=280, semantics_label="Request QR code"),
                      bgcolor=SURFACE, padding=10, border_radius=16, border=ft.Border.all(1, LINE))
    name, words = WAYS.get(ask.protocol, WAYS[VC_API])
    technical = [("Request address", ask.url)]
    if ask.protocol == OPENID4VP:
        technical.append(("How wallets check who asks (client_id)", ask.client_id))
    asker = (ft.Text(f"Wallets show “{ask.asker}” as asking.", color=INK, size=13) if ask.asker else
             ft.Text("Wallets are not told who is asking: start the app with --name ORGANISATION (or set "
                     "SATCHEL_VERIFIER_NAME) so candidates see your name.", color=MUTED, size=13))
    details: list[ft.Control] = [asker, ft.ExpansionTile(title="Technical details", dense=True, controls=[
        ft.Container(ft.Column([item for label, value in technical for item in (
            ft.Text(label, color=MUTED, size=13, weight=ft.FontWeight.W_600),
            ft.Text(value, size=12, color=INK, font_family="monospace"))], spacing=2),
            padding=ft.Padding.only(left=12, right=12, bottom=12))])]
    return card(
        ft.Row([qr], alignment=ft.MainAxisAlignment.CENTER),
        spinner("Waiting for the candidate's wallet…"),
        ft.Row([ft.Icon(ft.Icons.VERIFIED_USER, color=BRAND, size=18),
                ft.Text(f"{name}. {words}", color=INK, size=13, expand=True)], spacing=8),
        *details,
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
            _way_choice(ask, services),
            ft.Text("A fresh challenge is made for every request and can be answered once.", color=MUTED),
            ft.Row([primary("New request", services.start_request, ft.Icons.QR_CODE_2)]),
            title_text="Request QR code", icon=ft.Icons.QR_CODE_2))
    parts.append(note(ask.message, error=True))
    return frame(*parts, wide=wide)
