"""Import: pick files, paste text or a link, read a QR code from a photo or the camera, redeem an issuer offer."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from ..camera_service import looks_like_badge_qr
from ..services import WalletServices
from ..state import ImportState, OfferShown, OutcomeLine
from .camera import CameraScanPanel
from .common import (
    INK,
    MUTED,
    choose_files,
    heading,
    message_banner,
    page_frame,
    section,
    text_input,
)

BADGE_EXTENSIONS = ["json", "jsonld", "jwt", "jws", "png", "svg", "txt"]
PHOTO_EXTENSIONS = ["png", "jpg", "jpeg", "webp", "bmp", "gif"]


def progress_panel(importing: ImportState) -> ft.Control:
    if not importing.running and not importing.total:
        return ft.Container(visible=False)
    total = max(importing.total, 1)
    text = (f"{importing.what}: {importing.done} of {importing.total}" if importing.running
            else f"Finished: {importing.done} of {importing.total}")
    return ft.Semantics(live_region=True, label=text, content=ft.Column([
        ft.Text(text, color=INK, weight=ft.FontWeight.W_600),
        ft.ProgressBar(value=importing.done / total if importing.total else None, bar_height=10, border_radius=5,
                       semantics_label=f"Import progress: {importing.done} of {importing.total}"),
    ], spacing=6))


NOT_YOURS_INK = "#7A4B00"
NOT_YOURS_FILL = "#FFF1D6"


def not_yours_note(text: str) -> ft.Control:
    """A badge issued to someone else: said where it was imported, before any employer sees it."""
    return ft.Semantics(label=f"Not yours: {text}", container=True, content=ft.Container(
        content=ft.Row([
            ft.Icon(ft.Icons.PERSON_OFF, color=NOT_YOURS_INK, size=20),
            ft.Column([ft.Text("Not issued to you", color=NOT_YOURS_INK, weight=ft.FontWeight.W_600),
                       ft.Text(text, color=INK, size=13)], spacing=2, expand=True),
        ], vertical_alignment=ft.CrossAxisAlignment.START),
        bgcolor=NOT_YOURS_FILL, border_radius=10, padding=10))


def outcome_row(line: OutcomeLine, on_open: Callable[[str], None]) -> ft.Control:
    ok_ink = "#1D5E2A" if not line.not_yours else NOT_YOURS_INK
    icon = ft.Icon(ft.Icons.CHECK_CIRCLE if line.ok else ft.Icons.ERROR, color=ok_ink if line.ok else "#A1231B")
    texts: list[ft.Control] = [ft.Text(line.source, size=13, color=MUTED), ft.Text(line.message, color=INK)]
    if line.not_yours:
        texts.append(not_yours_note(line.not_yours))
    body = ft.Semantics(label=f"{line.source}: {line.message}", container=True,
                        content=ft.Column(texts, spacing=4), expand=True)
    controls: list[ft.Control] = [icon, body]
    record_id = line.record_id
    if record_id:
        controls.append(ft.TextButton("Open", on_click=lambda: on_open(record_id)))
    return ft.Row(controls, vertical_alignment=ft.CrossAxisAlignment.START)


def import_log(importing: ImportState, on_open: Callable[[str], None], on_clear: Callable[[], None]) -> ft.Control:
    """What the imports did, newest first. It keeps its place in the tree when it is empty: the
    sections below keep their state (a running camera scan is not restarted when the first
    outcome appears)."""
    if not importing.outcomes:
        return ft.Container(visible=False)
    return section(
        "What happened",
        *[outcome_row(line, on_open) for line in importing.outcomes[:50]],
        ft.TextButton("Clear this list", on_click=on_clear, disabled=importing.running),
        icon=ft.Icons.HISTORY,
    )


def offer_card(shown: OfferShown) -> ft.Control:
    """What the issuer offers (OpenID4VCI §12.2.4 display: its name and logo), before it is collected."""
    logo: ft.Control = (ft.Image(src=shown.logo, width=56, height=56, fit=ft.BoxFit.CONTAIN,
                                 semantics_label=f"{shown.issuer} logo") if shown.logo
                        else ft.Icon(ft.Icons.WORKSPACE_PREMIUM, size=40, color=MUTED))
    lines: list[ft.Control] = [ft.Text(shown.credential, weight=ft.FontWeight.W_600, color=INK),
                               ft.Text(f"Offered by {shown.issuer}", size=13, color=MUTED)]
    if shown.sign_in:
        lines.append(ft.Text("Collecting it opens your browser to sign in with the issuer.", size=13, color=INK))
    return ft.Semantics(label=f"Offer: {shown.credential}, offered by {shown.issuer}", container=True,
                        content=ft.Container(ft.Row([logo, ft.Column(lines, spacing=2, expand=True)]),
                                             bgcolor="#F1F4F9", border_radius=10, padding=10))


def tx_code_input(shown: OfferShown, value: str, on_change: Callable[[str], None],
                  on_submit: Callable[..., object]) -> ft.Control:
    """§4.1.1: the code the issuer gave the learner apart from the link (by text, e-mail, on its page)."""
    length = f" ({shown.tx_code_length} {'digits' if shown.tx_code_numeric else 'characters'})" \
        if shown.tx_code_length else ""
    field = text_input("Transaction code", value, on_change, hint="the code, not the link",
                       on_submit=on_submit, autofocus=True)
    field.keyboard_type = ft.KeyboardType.NUMBER if shown.tx_code_numeric else ft.KeyboardType.TEXT
    field.max_length = shown.tx_code_length
    return ft.Column([ft.Text(f"This offer needs a transaction code{length}. The issuer says: “{shown.tx_code_hint}”.",
                              color=INK), field], spacing=6)


def on_its_way_section(importing: ImportState, on_ask: Callable[..., object]) -> ft.Control:
    """Credentials an issuer will deliver later (OpenID4VCI §9), kept in the wallet until they arrive."""
    if not importing.on_its_way:
        return ft.Container(visible=False)
    return section(
        "On its way",
        *[ft.Row([ft.Icon(ft.Icons.SCHEDULE, color=MUTED), ft.Text(name, color=INK, expand=True)])
          for name in importing.on_its_way],
        ft.Text("The issuer will deliver these later. Satchel asks each time you open this screen.", color=MUTED),
        ft.OutlinedButton("Ask the issuer now", icon=ft.Icons.REFRESH, on_click=on_ask, disabled=importing.running),
        icon=ft.Icons.SCHEDULE,
    )


@ft.component
def OfferSection(importing: ImportState, services: WalletServices) -> ft.Control:
    """An issuer's offer link: what it offers, the transaction code it may need, then collecting it."""
    offer, set_offer = ft.use_state("")
    tx_code, set_tx_code = ft.use_state("")

    shown = importing.offer
    link = offer or (shown.link if shown else "")  # an offer scanned or pasted elsewhere waits here for its code

    async def collect_offer(_: object = None) -> None:
        lines = await services.redeem_offer(link, tx_code)
        if lines and all(line.ok for line in lines):
            set_offer("")
            set_tx_code("")

    def change_offer(text: str) -> None:
        set_offer(text)
        if importing.offer is not None and importing.offer.link != text.strip():
            services.forget_offer()
            set_tx_code("")

    return section(
        "Redeem an issuer offer",
        ft.Text("Your issuer gave you an offer link (openid-credential-offer://…). Satchel collects the badge "
                "and has it issued to you.", color=MUTED),
        text_input("Offer link", link, change_offer, hint="openid-credential-offer://?credential_offer=…",
                   on_submit=collect_offer),
        *([offer_card(shown)] if shown else []),
        *([tx_code_input(shown, tx_code, set_tx_code, collect_offer)] if shown and shown.tx_code_hint else []),
        ft.FilledButton("Collect badge", icon=ft.Icons.REDEEM, on_click=collect_offer, disabled=importing.running),
        icon=ft.Icons.REDEEM,
    )


@ft.component
def ImportView(importing: ImportState, services: WalletServices, wide: bool) -> ft.Control:
    page = ft.context.page
    pasted, set_pasted = ft.use_state("")

    async def ask_on_its_way(_: object = None) -> None:
        await services.load_on_its_way()
        await services.collect_on_its_way()

    ft.use_effect(ask_on_its_way, [])

    async def pick_badges(_: object = None) -> None:
        files = await choose_files("Choose badge files", multiple=True, extensions=BADGE_EXTENSIONS)
        if files:
            await services.import_uploads(files)

    async def pick_photo(_: object = None) -> None:
        photos = await choose_files("Choose a photo of a QR code", extensions=PHOTO_EXTENSIONS)
        if photos:
            await services.import_qr_photos(photos)

    async def import_pasted(_: object = None) -> None:
        if await services.import_text(pasted):
            set_pasted("")

    def open_badge(record_id: str) -> None:
        page.navigate(f"/badge/{record_id}")

    busy = importing.running
    sections: list[ft.Control] = [
        section(
            "From a file",
            ft.Text("Badge files from your issuer: JSON, JWT, or a badge image (PNG or SVG). Pick several at once "
                    "to import a batch.", color=MUTED),
            ft.FilledButton("Choose badge files", icon=ft.Icons.UPLOAD_FILE, on_click=pick_badges, disabled=busy),
            icon=ft.Icons.FOLDER_OPEN,
        ),
        section(
            "Scan with the camera",
            CameraScanPanel("the issuer's QR code", looks_like_badge_qr, services.import_text,
                            camera_source=services.settings.camera_source, disabled=busy,
                            key="import-camera"),  # type: ignore[call-arg]  # ft.component takes key=; its stub drops it
            icon=ft.Icons.VIDEOCAM,
        ),
        OfferSection(importing, services),
        section(
            "Paste a badge or a link",
            text_input("Badge, link or offer to paste", pasted, set_pasted, multiline=True,
                       hint="Paste JSON, a JWT, a badge URL or an offer link"),
            ft.FilledButton("Import pasted text", icon=ft.Icons.CONTENT_PASTE, on_click=import_pasted, disabled=busy),
            icon=ft.Icons.CONTENT_PASTE,
        ),
        section(
            "QR code from a photo",
            ft.Text("A photo or screenshot of the QR code your issuer showed you.", color=MUTED),
            ft.OutlinedButton("Choose QR photo", icon=ft.Icons.QR_CODE_SCANNER, on_click=pick_photo, disabled=busy),
            icon=ft.Icons.QR_CODE_SCANNER,
        ),
    ]
    if importing.on_its_way:
        sections.insert(0, on_its_way_section(importing, ask_on_its_way))
    log = import_log(importing, open_badge, services.clear_import_log)
    grid = ft.ResponsiveRow([ft.Container(s, col={"xs": 12, "lg": 6}) for s in sections], spacing=12,
                            run_spacing=12)
    return page_frame(
        heading("Import badges"),
        progress_panel(importing),
        message_banner(importing.error, error=True),
        log,
        grid,
        wide=wide,
    )
