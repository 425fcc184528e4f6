"""Answer a verifier's request (Share → Answer a request): read it from its link, its text or a photo
of its QR code; show exactly who asks, what for, which badges match and what they will receive; then
send the answer (and show the verifier's verdict) or show it as a QR code."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import flet as ft

from ..camera_service import looks_like_request_qr
from ..services import WalletServices
from ..state import RequestState
from .camera import CameraScanPanel
from .common import (
    INK,
    MUTED,
    OUTLINE,
    STATUS_LOOKS,
    SURFACE,
    busy_line,
    checkbox_row,
    choose_files,
    heading,
    message_banner,
    page_frame,
    primary_button,
    qr_side,
    section,
    text_input,
    toggled,
    use_typed,
)
from .importing import PHOTO_EXTENSIONS
from .openid4vp import consent_screen

WARNING_INK, WARNING_FILL = "#7A4B00", "#FFF1D6"


def warning_banner(text: str) -> ft.Control:
    return ft.Semantics(
        label=f"Warning: {text}", container=True,
        content=ft.Container(
            content=ft.Row([ft.Icon(ft.Icons.WARNING_AMBER, color=WARNING_INK),
                            ft.Text(text, color=WARNING_INK, expand=True)],
                           vertical_alignment=ft.CrossAxisAlignment.START),
            bgcolor=WARNING_FILL, border_radius=10, padding=12,
        ),
    )


def fact(label: str, value: str, *, mono: bool = False) -> ft.Control:
    return ft.Column([
        ft.Text(label, size=13, color=MUTED),
        ft.Text(value, color=INK, weight=ft.FontWeight.W_600,
                font_family="monospace" if mono else None, size=13 if mono else 15),
    ], spacing=2)


def answer_qr_screen(who: str, png: bytes, on_close: Callable[[], None], size: int) -> ft.Control:
    return ft.Container(
        content=ft.Column([
            ft.Text(f"Show this QR code to {who}. It answers their request only.", color=INK, size=15,
                    text_align=ft.TextAlign.CENTER),
            ft.Image(src=png, width=size, height=size, fit=ft.BoxFit.CONTAIN,
                     semantics_label="QR code of your answer", filter_quality=ft.FilterQuality.NONE),
            ft.FilledButton("Done", icon=ft.Icons.CHECK, on_click=on_close),
        ], horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=16, scroll=ft.ScrollMode.AUTO),
        bgcolor="#FFFFFF", expand=True, alignment=ft.Alignment.TOP_CENTER, padding=16,
    )


def verdict_card(request: RequestState, on_done: Callable[[], None]) -> ft.Control:
    look = STATUS_LOOKS[request.grade]
    title = f"{request.verifier_name or 'The verifier'} says: {request.verdict}"
    return ft.Semantics(live_region=True, label=title, container=True, content=ft.Container(
        content=ft.Column([
            ft.Row([ft.Icon(look.icon, color=look.ink, size=36),
                    ft.Text(title, size=20, weight=ft.FontWeight.W_700, color=look.ink, expand=True)], spacing=12),
            *[ft.Text(line, color=INK) for line in request.verdict_lines],
            ft.Text("It is in your share history.", size=13, color=INK),
            *continue_at(request),
            # Going on to the verifier's page is the next step when it asks for one; Done then steps back.
            (ft.OutlinedButton("Done", icon=ft.Icons.CHECK, on_click=on_done) if request.continue_url
             else primary_button("Done", on_done, icon=ft.Icons.CHECK)),
        ], spacing=10),
        bgcolor=look.fill, border_radius=14, padding=20,
    ))


def continue_at(request: RequestState) -> list[ft.Control]:
    """OpenID4VP §8.2: the verifier's page the learner goes on to (same device), host named."""
    if not request.continue_url:
        return []
    host = urlsplit(request.continue_url).hostname or "their site"
    who = request.verifier_name or "The verifier"
    return [ft.Text(f"{who} asks you to continue on its site, {host}.", color=INK),
            ft.FilledButton(f"Continue at {host}", icon=ft.Icons.OPEN_IN_NEW, url=request.continue_url,
                            tooltip=request.continue_url,
                            style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=14)))]


def reading_screen(request: RequestState, services: WalletServices, top: ft.Control, busy: ft.Control,
                   pasted_field: ft.Control, read: Callable[[], Any], photo: Callable[[], Any], *,
                   wide: bool) -> ft.Control:
    """Before a request is read: paste it, pick a photo of its QR code, or scan it with the camera."""
    return page_frame(
        top,
        ft.Text("A verifier (an employer, a college) shows a QR code or gives you a link asking for badges. "
                "Satchel shows you who asks and exactly what they would receive before anything is sent.",
                color=MUTED),
        busy,
        message_banner(request.error, error=True),
        ft.ResponsiveRow([
            ft.Container(section(
                "Paste the request",
                pasted_field,
                primary_button("Read request", read, icon=ft.Icons.MANAGE_SEARCH, disabled=bool(request.busy)),
                icon=ft.Icons.CONTENT_PASTE), col={"xs": 12, "lg": 6}),
            ft.Container(section(
                "Photo of the request QR code",
                ft.Text("A photo or screenshot of the QR code the verifier showed you.", color=MUTED),
                ft.OutlinedButton("Choose request photo", icon=ft.Icons.QR_CODE_SCANNER, on_click=photo,
                                  disabled=bool(request.busy)),
                icon=ft.Icons.QR_CODE_SCANNER), col={"xs": 12, "lg": 6}),
            ft.Container(section(
                "Scan the request with the camera",
                CameraScanPanel("the verifier's QR code", looks_like_request_qr, services.read_request,
                                camera_source=services.settings.camera_source, disabled=bool(request.busy),
                                key="request-camera"),  # type: ignore[call-arg]  # ft.component takes key=; its stub drops it
                icon=ft.Icons.VIDEOCAM), col={"xs": 12, "lg": 6}),
        ], spacing=12, run_spacing=12),
        wide=wide,
    )


def technical_details(title: str, lines: list[tuple[str, str]] | tuple[str, ...]) -> ft.Control:
    """Addresses, DIDs and raw fields, folded away: for whoever wants to see them."""
    rows: list[ft.Control] = []
    for line in lines:
        label, value = line if isinstance(line, tuple) else ("", line)
        if label:
            rows.append(ft.Text(label, size=13, color=MUTED, weight=ft.FontWeight.W_600))
        rows.append(ft.Text(value, size=13, color=INK, font_family="monospace"))
    return ft.ExpansionTile(title=title, dense=True, controls=[
        ft.Container(ft.Column(rows, spacing=2), padding=ft.Padding.only(left=12, right=12, bottom=12))])


def what_they_receive(request: RequestState) -> list[ft.Control]:
    """Each badge they will receive: a readable summary first, every raw field under "Technical
    details" (the badge travels signed and whole)."""
    if not request.disclosed:
        return [ft.Text("Choose a badge above to see what they would receive.", color=MUTED)]
    return [
        ft.Text(f"Signed by you for {request.verifier_name or 'the verifier'}, used once. Each badge travels whole "
                "(that is what keeps the issuer's signature valid):", color=INK),
        *[ft.Container(
            content=ft.Column([
                ft.Text(f"“{badge.name}” from {badge.issuer}", color=INK, weight=ft.FontWeight.W_600),
                *[ft.Text(line[:1].upper() + line[1:], size=14, color=INK) for line in badge.summary],
                technical_details("Technical details: every field", badge.fields),
            ], spacing=4),
            bgcolor=SURFACE, border=ft.Border.all(1, OUTLINE), border_radius=10, padding=10)
          for badge in request.disclosed],
    ]


@ft.component
def RequestView(request: RequestState, services: WalletServices, wide: bool) -> ft.Control:
    page = ft.context.page
    pasted, set_pasted, typed_request = use_typed("")

    async def read(_: object = None) -> None:
        await services.read_request(typed_request())

    async def photo(_: object = None) -> None:
        photos = await choose_files("Choose a photo of the request QR code", extensions=PHOTO_EXTENSIONS)
        if photos:
            await services.read_request_photo(photos[0])

    def toggle(record_id: str, on: bool) -> None:
        page.run_task(services.choose_request_badges, toggled(request.selected, record_id, on))

    def finish(_: object = None) -> None:
        services.clear_request()
        set_pasted("")
        page.navigate("/share")

    if request.qr_png:
        return answer_qr_screen(request.verifier_name or "the verifier", request.qr_png, services.close_request_qr,
                                qr_side(page, wide))

    top = ft.Row([heading("Answer a request"),
                  ft.TextButton("Back to Share", icon=ft.Icons.ARROW_BACK, on_click=finish)],
                 alignment=ft.MainAxisAlignment.SPACE_BETWEEN, wrap=True)
    busy = busy_line(request.busy) if request.busy else ft.Container(visible=False)
    if request.verdict:
        return page_frame(top, verdict_card(request, finish), wide=wide)
    if not request.loaded:
        return reading_screen(request, services, top, busy, text_input(
            "Request link or text", pasted, set_pasted, multiline=True,
            hint="openid4vp://…, https://verifier.example/exchanges/… or the request JSON"), read, photo, wide=wide)
    if request.openid4vp is not None:
        return consent_screen(
            request.openid4vp, top=top, busy=busy, error=request.error, sending=bool(request.busy),
            on_tick=lambda query_id, index, on: page.run_task(services.tick_openid4vp_claim, query_id, index, on),
            on_send=lambda: page.run_task(services.answer_request, False), on_cancel=finish, wide=wide)

    where = ("Your answer goes straight to them over the internet." if request.online else
             "You will answer with a QR code they scan (this request has no address to send to).")
    who = section(
        "Who is asking",
        fact("Verifier", request.verifier_name or "A verifier that did not give its name"),
        ft.Text(request.name_note, color=INK, size=13),
        ft.Text(where, color=INK),
        fact("You answer as", "Yourself (this wallet's key)"),
        *[warning_banner(w) for w in request.warnings],
        technical_details("Technical details", [(label, value) for label, value in (
            ("Signed for the domain", request.verifier), ("Sent to", request.origin),
            ("Your DID", request.holder)) if value]),
        icon=ft.Icons.STOREFRONT,
    )
    asks = section("What they ask for", *[ft.Text(f"• {line}", color=INK) for line in request.asks]
                   or [ft.Text("They do not say; anything you choose will be sent.", color=MUTED)],
                   icon=ft.Icons.HELP_OUTLINE)
    choices = [checkbox_row(f"{c.name} ({c.issuer})", c.id in request.selected, partial(toggle, c.id))
               for c in request.choices]
    badges = section("Your matching badges", *(choices or [ft.Text(
        "Nothing in your wallet matches this request (only badges issued to you count).", color=MUTED)]),
        icon=ft.Icons.CHECKLIST)
    disclosed = what_they_receive(request)
    ready = bool(request.selected) and not request.busy
    actions = ft.Row([
        *([primary_button(f"Send to {request.verifier_name or 'the verifier'}",
                          lambda: page.run_task(services.answer_request, False),
                          icon=ft.Icons.SEND, disabled=not ready)]
          if request.online else []),
        ft.OutlinedButton("Show as QR code", icon=ft.Icons.QR_CODE_2,
                          on_click=lambda: page.run_task(services.answer_request, True), disabled=not ready),
        ft.TextButton("Read another request", on_click=lambda: services.clear_request()),
    ], wrap=True, spacing=10, run_spacing=10)
    return page_frame(
        top,
        busy,
        message_banner(request.error, error=True),
        ft.ResponsiveRow([ft.Container(who, col={"xs": 12, "lg": 6}),
                          ft.Container(ft.Column([asks, badges], spacing=12), col={"xs": 12, "lg": 6})],
                         spacing=12, run_spacing=12),
        section("What they will receive", *disclosed, icon=ft.Icons.VISIBILITY),
        *([] if request.satisfied or not request.choices else
          [warning_banner("What you chose does not answer everything they ask for; they may refuse it.")]),
        ft.Container(actions, padding=ft.Padding.only(bottom=8)),
        ft.Text("Nothing is sent until you press Send.", size=13, color=MUTED, italic=True)
        if request.online else ft.Container(visible=False),
        wide=wide,
    )

