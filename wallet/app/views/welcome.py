"""First run: create a wallet (with passphrase strength feedback) or restore one from a backup."""

from __future__ import annotations

from typing import cast

import flet as ft

from ..passphrase_strength import estimate_strength
from ..services import UploadedFile, WalletServices
from ..state import SessionState
from .common import (
    INK,
    MUTED,
    PRIMARY,
    SURFACE,
    busy_line,
    choose_files,
    logo,
    message_banner,
    primary_button,
    text_input,
)

STRENGTH_COLOURS = ("#A1231B", "#A1231B", "#7A4B00", "#1D5E2A", "#1D5E2A")


def strength_meter(passphrase: str) -> ft.Control:
    if not passphrase:
        return ft.Text("Choose a passphrase only you know. Satchel cannot recover it for you.", color=MUTED, size=13)
    strength = estimate_strength(passphrase)
    colour = STRENGTH_COLOURS[strength.score]
    label = f"Passphrase strength: {strength.label}"
    return ft.Column([
        ft.ProgressBar(value=(strength.score + 1) / 5, color=colour, bgcolor="#E3E8EA", bar_height=8,
                       border_radius=4, semantics_label=label, semantics_value=strength.score + 1),
        ft.Text(f"{label}. {strength.hint}", color=colour, size=13, weight=ft.FontWeight.W_600),
    ], spacing=6)


def brand_header(subtitle: str) -> ft.Control:
    return ft.Column([
        logo(72),
        ft.Semantics(header=True, content=ft.Text("Satchel", size=32, weight=ft.FontWeight.W_800, color=INK)),
        ft.Text(subtitle, color=MUTED, text_align=ft.TextAlign.CENTER),
    ], horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=6)


def centred_card(*controls: ft.Control) -> ft.Control:
    return ft.ListView(
        controls=[ft.Container(
            content=ft.Container(
                content=ft.Column(list(controls), spacing=16, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                bgcolor=SURFACE, border_radius=20, padding=28, width=460,
                shadow=ft.BoxShadow(blur_radius=24, color="#1A0B5563", offset=ft.Offset(0, 6)),
            ),
            alignment=ft.Alignment.TOP_CENTER, padding=ft.Padding.symmetric(horizontal=12, vertical=28),
        )],
        expand=True,
    )


@ft.component
def WelcomeView(session: SessionState, services: WalletServices) -> ft.Control:
    mode, set_mode = ft.use_state("create")
    passphrase, set_passphrase = ft.use_state("")
    confirmation, set_confirmation = ft.use_state("")
    backup, set_backup = ft.use_state(cast("UploadedFile | None", None))  # the backup file chosen
    backup_passphrase, set_backup_passphrase = ft.use_state("")

    async def create(_: object = None) -> None:
        await services.create_wallet(passphrase, confirmation)

    async def pick_backup(_: object = None) -> None:
        files = await choose_files("Choose your Satchel backup")
        if files:
            set_backup(files[0])

    async def restore(_: object = None) -> None:
        if not isinstance(backup, UploadedFile):
            session.error = "Choose your backup file first."
            return
        await services.restore_wallet(backup, backup_passphrase, passphrase)

    def switch(to: str) -> None:
        session.error = ""
        set_mode(to)

    working = bool(session.busy)
    if mode == "create":
        body: list[ft.Control] = [
            brand_header("Your badges and credentials, kept on your own device and encrypted."),
            ft.Text("Create your wallet", size=20, weight=ft.FontWeight.W_700, color=INK),
            text_input("New passphrase", passphrase, set_passphrase, password=True, autofocus=True),
            strength_meter(passphrase),
            text_input("Repeat the passphrase", confirmation, set_confirmation, password=True, on_submit=create),
            message_banner(session.error, error=True),
            busy_line(session.busy) if working else primary_button(
                "Create wallet", create, icon=ft.Icons.LOCK, disabled=not passphrase),
            ft.Divider(),
            ft.TextButton("I have a backup: restore my wallet", icon=ft.Icons.RESTORE,
                          on_click=lambda: switch("restore")),
        ]
    else:
        chosen = backup.name if isinstance(backup, UploadedFile) else "No file chosen yet"
        body = [
            brand_header("Bring your wallet back from an encrypted backup."),
            ft.Text("Restore from a backup", size=20, weight=ft.FontWeight.W_700, color=INK),
            ft.Row([ft.OutlinedButton("Choose backup file", icon=ft.Icons.FOLDER_OPEN, on_click=pick_backup),
                    ft.Text(chosen, color=MUTED, expand=True)], wrap=True),
            text_input("Backup passphrase", backup_passphrase, set_backup_passphrase, password=True),
            text_input("New passphrase for this device (optional)", passphrase, set_passphrase, password=True,
                       hint="Leave empty to keep the backup's passphrase"),
            strength_meter(passphrase) if passphrase else ft.Container(visible=False),
            message_banner(session.error, error=True),
            busy_line(session.busy) if working else primary_button("Restore wallet", restore, icon=ft.Icons.RESTORE),
            ft.Divider(),
            ft.TextButton("Start a new wallet instead", icon=ft.Icons.ADD, on_click=lambda: switch("create")),
        ]
    return centred_card(*body)


@ft.component
def UnlockView(session: SessionState, services: WalletServices) -> ft.Control:
    passphrase, set_passphrase = ft.use_state("")

    async def unlock(_: object = None) -> None:
        if await services.unlock(passphrase):
            set_passphrase("")

    return centred_card(
        brand_header("Your wallet is locked."),
        message_banner(session.notice),
        text_input("Passphrase", passphrase, set_passphrase, password=True, autofocus=True, on_submit=unlock),
        message_banner(session.error, error=True),
        busy_line(session.busy) if session.busy else primary_button("Unlock", unlock, icon=ft.Icons.LOCK_OPEN),
        ft.Text("Forgot it? Satchel cannot recover a passphrase. Restore from a backup in a new wallet folder.",
                color=MUTED, size=13, text_align=ft.TextAlign.CENTER),
    )


__all__ = ["PRIMARY", "UnlockView", "WelcomeView"]
