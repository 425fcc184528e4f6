"""Settings: profiles and DIDs, backup, passphrase change, auto-lock, trust list, about."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import flet as ft

from shell import file_picker

from ..services import WalletServices
from ..state import ProfileLine, SettingsState
from .common import (
    INK,
    MUTED,
    PRIMARY,
    busy_line,
    choose_files,
    copy_text,
    heading,
    message_banner,
    page_frame,
    section,
    text_input,
    use_typed,
)
from .welcome import strength_meter

AUTOLOCK_CHOICES = [(1, "After 1 minute"), (5, "After 5 minutes"), (15, "After 15 minutes"), (60, "After 1 hour"),
                    (0, "Never")]


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("satchel")
    except PackageNotFoundError:
        return "development"


def profile_entry(profile: ProfileLine, on_make_default: Callable[[str], object],
                  on_copy: Callable[[str], object]) -> ft.Control:
    """A profile by its name; its DID, which a learner rarely needs, folded away with a Copy button
    (to give an issuer that issues by DID rather than through an offer link)."""
    return ft.Column([
        ft.Row([
            ft.Icon(ft.Icons.PERSON, color=PRIMARY),
            ft.Text(profile.label, weight=ft.FontWeight.W_700, color=INK),
            ft.Text("default" if profile.is_default else "", color="#1D5E2A", size=13, weight=ft.FontWeight.W_600),
        ]),
        ft.ExpansionTile(title=f"{profile.label}'s identity for issuers", dense=True, controls=[
            ft.Container(ft.Column([
                ft.Text("Issuers that issue to an identity rather than through an offer link need this one "
                        "(a DID: a public key, nothing private).", size=13, color=MUTED),
                ft.Text(profile.did, size=13, color=INK, font_family="monospace"),
                ft.TextButton(f"Copy {profile.label}'s identity", icon=ft.Icons.COPY,
                              on_click=lambda: on_copy(profile.did)),
            ], spacing=4), padding=ft.Padding.only(left=12, right=12, bottom=8))]),
        *([] if profile.is_default else [ft.TextButton(
            f"Make {profile.label} the default", on_click=lambda: on_make_default(profile.id))]),
    ], spacing=4)


def trust_rows(settings: SettingsState, on_remove: Callable[[], object]) -> list[ft.Control]:
    if not settings.trust_list_name:
        return [ft.Text("No trust list. Issuer names are shown as self-asserted: the issuer chose them.",
                        color=MUTED)]
    return ([ft.Text(f"Using “{settings.trust_list_name}”:", color=INK)]
            + [ft.Text(f"• {line}", size=13, color=INK) for line in settings.trusted_issuers[:20]]
            + [ft.TextButton("Remove trust list", on_click=on_remove)])


def autolock_picker(settings: SettingsState, services: WalletServices) -> ft.Control:
    def chose(e: ft.Event[ft.Dropdown]) -> None:
        services.set_autolock_minutes(int(e.control.value or 5))

    return ft.Dropdown(
        label="Lock the wallet", value=str(settings.autolock_minutes), width=240,
        options=[ft.DropdownOption(key=str(m), text=t) for m, t in AUTOLOCK_CHOICES],
        on_select=chose,
    )


async def offer_download(page: ft.Page, path: Path) -> None:
    """In web mode the backup is handed to the browser too, so it lands in the learner's downloads."""
    if page.web:
        await file_picker().save_file(file_name=Path(path).name, src_bytes=Path(path).read_bytes(),
                                      dialog_title="Save your Satchel backup")


@ft.component
def ProfilesSection(settings: SettingsState, services: WalletServices) -> ft.Control:
    page = ft.context.page
    new_profile, set_new_profile = ft.use_state("")

    async def add_profile(_: object = None) -> None:
        await services.add_profile(new_profile)
        set_new_profile("")

    copied, set_copied = ft.use_state("")

    def make_default(profile_id: str) -> None:
        page.run_task(services.make_default_profile, profile_id)

    async def copy_identity(did: str) -> None:
        set_copied("Identity copied." if await copy_text(did) else
                   "This browser did not allow copying. Ask the issuer for an offer link instead: it needs no "
                   "identity copied.")

    return section("Profiles",
                   ft.Text("Each profile is an identity issuers can issue badges to. An issuer's offer link "
                           "issues to the default profile.", color=MUTED),
                   *[profile_entry(p, make_default, lambda did: page.run_task(copy_identity, did))
                     for p in settings.profiles],
                   *([ft.Semantics(live_region=True, content=ft.Text(copied, color=INK, size=13))] if copied else []),
                   ft.Row([text_input("New profile name", new_profile, set_new_profile, on_submit=add_profile,
                                      expand=True),
                           ft.OutlinedButton("Add profile", on_click=add_profile)]),
                   icon=ft.Icons.BADGE)


@ft.component
def BackupSection(settings: SettingsState, services: WalletServices) -> ft.Control:
    page = ft.context.page
    backup_passphrase, set_backup_passphrase = ft.use_state("")

    async def backup(_: object = None) -> None:
        path = await services.make_backup(backup_passphrase)
        if path is not None:
            set_backup_passphrase("")
            await offer_download(page, path)

    return section("Backup",
                   ft.Text("An encrypted copy of everything in your wallet. Keep it somewhere safe; restore it "
                           "from the welcome screen on a new device.", color=MUTED),
                   text_input("Backup passphrase", backup_passphrase, set_backup_passphrase, password=True),
                   strength_meter(backup_passphrase) if backup_passphrase else ft.Container(visible=False),
                   ft.FilledButton("Make backup", icon=ft.Icons.SAVE, on_click=backup),
                   *([ft.Text(f"Last backup: {settings.last_backup}", size=13, color=MUTED)]
                     if settings.last_backup else []),
                   icon=ft.Icons.BACKUP)


@ft.component
def PassphraseSection(services: WalletServices) -> ft.Control:
    old, set_old = ft.use_state("")
    new, set_new = ft.use_state("")
    again, set_again = ft.use_state("")

    async def change(_: object = None) -> None:
        if await services.change_passphrase(old, new, again):
            set_old("")
            set_new("")
            set_again("")

    return section("Passphrase",
                   text_input("Current passphrase", old, set_old, password=True),
                   text_input("New passphrase", new, set_new, password=True),
                   strength_meter(new) if new else ft.Container(visible=False),
                   text_input("Repeat the new passphrase", again, set_again, password=True, on_submit=change),
                   ft.FilledButton("Change passphrase", icon=ft.Icons.PASSWORD, on_click=change),
                   icon=ft.Icons.KEY)


@ft.component
def SettingsView(settings: SettingsState, services: WalletServices, wide: bool) -> ft.Control:
    page = ft.context.page
    verifier, set_verifier, typed_verifier = use_typed(settings.verifier_url)

    async def load() -> None:
        await services.load_settings()

    ft.use_effect(load, [])

    async def choose_trust_list(_: object = None) -> None:
        files = await choose_files("Choose a trust list (JSON)", extensions=["json"])
        if files:
            await services.set_trust_list(files[0])

    async def save_verifier(_: object = None) -> None:
        if await services.set_verifier_url(typed_verifier()):
            set_verifier(settings.verifier_url)

    async def check_everything(_: object = None) -> None:
        await services.check_all_again()
        settings.message = "Every badge was checked again."

    blocks: list[ft.Control] = [
        ProfilesSection(settings, services),
        BackupSection(settings, services),
        PassphraseSection(services),
        section("Auto-lock",
                ft.Text("When nobody uses Satchel for a while, it locks itself.", color=MUTED),
                autolock_picker(settings, services), icon=ft.Icons.TIMER),
        section("Share links",
                ft.Text("Links to your badges open on a verifier's website; a link you can withdraw is kept "
                        "there, encrypted (the verifier cannot read it). Your college or employer can tell you "
                        "which address to use.", color=MUTED),
                ft.Row([text_input("Verifier address", verifier, set_verifier, on_submit=save_verifier,
                                   hint="https://verify.example.org", expand=True),
                        ft.OutlinedButton("Save address", icon=ft.Icons.SAVE, on_click=save_verifier)]),
                ft.Text(f"Now: {settings.verifier_url}" if settings.verifier_url else
                        "Not set: you can share by QR code, but not by link.", size=13, color=MUTED),
                icon=ft.Icons.LINK),
        section("Trust list", *trust_rows(settings, lambda: page.run_task(services.remove_trust_list)),
                ft.OutlinedButton("Choose trust list file", icon=ft.Icons.UPLOAD_FILE, on_click=choose_trust_list),
                icon=ft.Icons.VERIFIED_USER),
        section("About Satchel",
                ft.Text(f"Satchel {app_version()}: a learner-owned wallet for Open Badges and Verifiable "
                        "Credentials. Everything stays encrypted on this device.", color=INK),
                ft.Text(f"{settings.badge_count} badges in {settings.wallet_location}", size=13, color=MUTED),
                ft.OutlinedButton("Check all badges again", icon=ft.Icons.REFRESH, on_click=check_everything),
                icon=ft.Icons.INFO),
    ]
    return page_frame(
        heading("Settings"),
        busy_line(settings.busy) if settings.busy else ft.Container(visible=False),
        message_banner(settings.message),
        message_banner(settings.error, error=True),
        ft.ResponsiveRow([ft.Container(b, col={"xs": 12, "lg": 6}) for b in blocks], spacing=12, run_spacing=12),
        wide=wide,
    )
