"""Share: choose badges, see exactly what will be disclosed, then a bright full-screen QR code or a
link with an expiry (withdrawable through the verifier's relay); answer a verifier's request; the
share history with "unshare"."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar, cast
from urllib.parse import parse_qs, urlsplit

import flet as ft

from ..services import WalletServices
from ..state import BadgeCard, BadgeListState, ShareLine, ShareState
from .common import (
    INK,
    MUTED,
    NAV_BAR,
    OUTLINE,
    PRIMARY,
    PRIMARY_SOFT,
    QR_CHROME,
    SURFACE,
    TOP_BAR,
    busy_line,
    checkbox_row,
    copy_text,
    empty_state,
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

log = logging.getLogger(__name__)


def qr_screen(message: str, png: bytes, on_close: Callable[[], None], size: int) -> ft.Control:
    """White, large, nothing else: easy for a phone camera to read."""
    return ft.Container(
        content=ft.Column([
            ft.Text(message, color=INK, size=15, text_align=ft.TextAlign.CENTER),
            ft.Image(src=png, width=size, height=size, fit=ft.BoxFit.CONTAIN,
                     semantics_label="QR code of your shared badges", filter_quality=ft.FilterQuality.NONE),
            ft.FilledButton("Done", icon=ft.Icons.CHECK, on_click=on_close),
            ScreenKeptOn(),
        ], horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=16, scroll=ft.ScrollMode.AUTO),
        bgcolor="#FFFFFF", expand=True, alignment=ft.Alignment.TOP_CENTER, padding=16,
    )


# -- an animated QR code: a loop of codes (wallet.share.AnimatedQr) ------------------------------

ANIMATED_CHROME = 96  # the caption and the progress line this screen adds under the code
_screen_services: dict[int, tuple[ft.Wakelock, ft.ScreenBrightness | None]] = {}  # per page, made once


async def _screen_on(on: bool) -> None:
    """No screen sleep while a code is shown (Flet's Wakelock: the Screen Wake Lock API in a
    browser) and, on a phone, full brightness (Flet's ScreenBrightness: Android and iOS only)."""
    page = ft.context.page
    made = _screen_services.get(id(page))
    if made is None:
        phone = not page.web and page.platform is not None and page.platform.is_mobile()
        made = _screen_services[id(page)] = (ft.Wakelock(), ft.ScreenBrightness() if phone else None)
    lock, brightness = made
    try:  # Flet 1.0.5 leaves these unannotated
        await asyncio.wait_for(lock.enable() if on else lock.disable(), timeout=5)  # type: ignore[no-untyped-call]
        if brightness is not None:
            await asyncio.wait_for(brightness.set_application_screen_brightness(1.0) if on else
                                   brightness.reset_application_screen_brightness(),  # type: ignore[no-untyped-call]
                                   timeout=5)
    except Exception as exc:  # a browser may refuse a wake lock (no user gesture, hidden tab): show the code anyway
        log.info("the screen stays as the system sets it: %s", exc)


@ft.component
def ScreenKeptOn() -> ft.Control:
    """Keeps the screen on and bright while it is shown (nothing to see)."""
    async def on() -> None:
        await _screen_on(True)

    async def off() -> None:
        await _screen_on(False)

    ft.use_effect(on, [], cleanup=off)
    return ft.Container(visible=False)


def animated_qr_side(page: ft.Page, wide: bool) -> int:
    """As wide as the screen allows, leaving room for the caption and progress line below it."""
    height = (page.height or 800) - TOP_BAR - (0 if wide else NAV_BAR) - QR_CHROME - ANIMATED_CHROME
    return int(max(240, min(qr_side(page, wide), height)))


def shown_qr(share: ShareState, services: WalletServices, page: ft.Page, wide: bool,
             make_link: Callable[[], Awaitable[None]]) -> ft.Control | None:
    """The QR screen being shown: one code, or the loop of an animated code (with "Share as a
    link instead"); None when none is."""
    async def link_instead() -> None:
        services.close_qr()
        await make_link()

    if share.qr_frames:
        return AnimatedQrScreen(share, services, animated_qr_side(page, wide), link_instead)
    if share.qr_png:
        return qr_screen(share.message, share.qr_png, services.close_qr, qr_side(page, wide))
    return None


@ft.component
def AnimatedQrScreen(share: ShareState, services: WalletServices, size: int,
                     on_link: Callable[[], Any]) -> ft.Control:
    """The codes of one loop in turn, ``qr_frame_rate`` a second, until Done: a camera that misses
    some reads the ones after them (fountain parts), so it finishes within a round or two."""
    shown, set_shown = ft.use_state((0, share.qr_png))
    loop_length, rate = len(share.qr_frames), share.qr_frame_rate

    async def play() -> None:
        clock = asyncio.get_running_loop()
        next_at = clock.time()
        for n in itertools.count():
            png = await services.qr_frame_png(n)  # drawn once, then from the cache
            if png is None:  # closed meanwhile
                return
            set_shown((n, png))
            next_at = max(next_at + 1 / rate, clock.time() + 0.5 / rate)  # a late frame never rushes the next
            await asyncio.sleep(next_at - clock.time())

    async def stop() -> None:  # leaving the screen cancels play() (Flet cancels an effect's task at cleanup)
        return None

    ft.use_effect(play, [share.qr_frames[0] if share.qr_frames else ""], cleanup=stop)
    n, png = shown
    seconds = max(1, round(loop_length / rate))
    return ft.Container(
        content=ft.Column([
            ft.Text(share.message, color=INK, size=15, text_align=ft.TextAlign.CENTER),
            ft.Text("Hold steady: the employer's camera reads this in a few seconds", color=INK, size=15,
                    weight=ft.FontWeight.W_600, text_align=ft.TextAlign.CENTER),
            ft.Image(src=png, width=size, height=size, fit=ft.BoxFit.CONTAIN, gapless_playback=True,
                     semantics_label="Animated QR code of your shared badges",
                     filter_quality=ft.FilterQuality.NONE) if png else ft.Container(width=size, height=size),
            ft.Container(ft.ProgressBar(value=(n % loop_length + 1) / loop_length if loop_length else None,
                                        color=PRIMARY, bgcolor=OUTLINE), width=size),
            ft.Text(f"{share.qr_parts} codes carry your badges, {rate} a second; the loop repeats every "
                    f"{seconds} s. Keep showing it until their screen shows the result.", size=13, color=MUTED,
                    text_align=ft.TextAlign.CENTER, width=size),
            ft.Row([ft.FilledButton("Done", icon=ft.Icons.CHECK, on_click=services.close_qr),
                    ft.TextButton("Share as a link instead", icon=ft.Icons.LINK, on_click=on_link)],
                   alignment=ft.MainAxisAlignment.CENTER, wrap=True, spacing=8),
            ScreenKeptOn(),
        ], horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=12, scroll=ft.ScrollMode.AUTO),
        bgcolor="#FFFFFF", expand=True, alignment=ft.Alignment.TOP_CENTER, padding=16,
    )


EXPIRY_CHOICES = [(1, "1 day"), (7, "7 days"), (30, "30 days")]


def link_card(share: ShareState, on_copy: Callable[[], Any], on_done: Callable[[], None]) -> ft.Control:
    """The link just made: readable, copyable, and what it will do."""
    kind = ("You can withdraw it from your share history." if share.link_kind == "relay"
            else "It carries your badges itself, so it cannot be withdrawn; it stops working on the expiry date.")
    return ft.Container(
        content=ft.Column([
            ft.Row([ft.Icon(ft.Icons.LINK, color=PRIMARY),
                    ft.Text(f"Link for {share.link_recipient}, until {share.expires}", color=INK,
                            weight=ft.FontWeight.W_600, expand=True)], spacing=8),
            ft.Container(
                content=ft.Text(share.link, selectable=True, size=13, color=INK, font_family="monospace",
                                max_lines=4, overflow=ft.TextOverflow.ELLIPSIS, semantics_label=share.link),
                bgcolor=SURFACE, border_radius=8, padding=10, border=ft.Border.all(1, OUTLINE)),
            ft.Text(kind, size=13, color=MUTED),
            ft.Row([
                ft.FilledButton("Copy link", icon=ft.Icons.COPY, on_click=on_copy),
                ft.TextButton("Done with the link", icon=ft.Icons.CHECK, on_click=on_done),
            ], wrap=True, spacing=8),
        ], spacing=10),
        bgcolor=PRIMARY_SOFT, border_radius=12, padding=14,
    )


def badge_in_route(route: str | None) -> str | None:
    """``/share?badge=<id>`` (the detail screen's "Share" button): the badge to select at once."""
    return next(iter(parse_qs(urlsplit(route or "").query).get("badge") or []), None)


def disclosure_lines(lines: list[str]) -> list[ft.Control]:
    """What the recipient will see; the indented lines are details of the badge above them."""
    if not lines:
        return [ft.Text("Choose one or more badges above.", color=MUTED)]
    return [ft.Text(line, color=INK, size=15 if not line.startswith("  ") else 14,
                    weight=ft.FontWeight.W_600 if not line.startswith("  ") else None) for line in lines]


def qr_option(show_qr: Callable[[], Any], *, busy: bool) -> ft.Control:
    return ft.Column([
        ft.Row([ft.Icon(ft.Icons.QR_CODE_2, color=PRIMARY, size=18),
                ft.Text("As a QR code", weight=ft.FontWeight.W_600, color=INK)], spacing=6),
        ft.Text("Face to face: they scan it from your screen. Works without the internet.", size=13, color=MUTED),
        primary_button("Show QR code", show_qr, icon=ft.Icons.QR_CODE_2, disabled=busy),
    ], spacing=8)


def history_line(line: ShareLine, on_unshare: Callable[[str], object]) -> ft.Control:
    """One share: what, with whom, how, when and until when. Only a link kept on the verifier's
    relay can be withdrawn; a QR code (or a link carrying the badges itself) cannot, and says so."""
    unshare_button = ft.TextButton(
        f"Unshare with {line.recipient}", icon=ft.Icons.LINK_OFF,
        style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=0, vertical=4)),
        on_click=lambda: on_unshare(line.id))
    until = f", until {line.expires_at}" if line.expires_at else ""
    if not line.active:
        after: ft.Control = ft.Text("Unshared or expired", size=13, color=MUTED)
    elif line.withdrawable:
        after = unshare_button
    else:
        after = ft.Text(("A QR code cannot be withdrawn once shown" if line.way == "QR code" else
                         "This cannot be withdrawn: it carries your badges itself")
                        + (f"; it stops working {line.expires_at}." if line.expires_at else "."),
                        size=13, color=MUTED)
    return ft.Semantics(container=True, label=f"Shared {line.credential_name} with {line.recipient} "
                                              f"by {line.way} on {line.shared_at}", content=ft.Row([
        ft.Icon(ft.Icons.QR_CODE_2 if line.way == "QR code" else ft.Icons.LINK if line.way == "Link"
                else ft.Icons.SEND, color="#1D5E2A" if line.active else MUTED),
        ft.Column([
            ft.Text(line.credential_name, color=INK, weight=ft.FontWeight.W_600),
            ft.Text(f"{line.way} for {line.recipient}, {line.shared_at}{until}", size=13, color=INK),
            after,
        ], spacing=2, expand=True),
    ], vertical_alignment=ft.CrossAxisAlignment.START))


def link_options(verifier: str, days: int, set_days: Callable[[int], None], withdrawable: bool,
                 set_withdrawable: Callable[[bool], None], make_link: Callable[[], Any], *, busy: bool,
                 to_settings: Callable[[], None]) -> ft.Control:
    """"As a link": how long it works, whether it can be withdrawn, where it opens."""
    where: ft.Control
    if verifier:
        where = ft.Text(f"The link opens at {verifier}.", size=13, color=MUTED)
    else:
        where = ft.Column([
            ft.Text("Links need a verifier address: the website that opens them for the other side. Your "
                    "college or employer can tell you which one to use.", size=13, color=MUTED),
            ft.TextButton("Set the verifier address", icon=ft.Icons.SETTINGS, on_click=to_settings),
        ], spacing=2)

    def chose_days(e: ft.Event[ft.SegmentedButton]) -> None:
        set_days(int((e.control.selected or ["7"])[0]))

    def chose_withdrawable(e: ft.Event[ft.Checkbox]) -> None:
        set_withdrawable(bool(e.control.value))

    return ft.Column([
        ft.Row([ft.Icon(ft.Icons.LINK, color=PRIMARY, size=18),
                ft.Text("As a link", weight=ft.FontWeight.W_600, color=INK)], spacing=6),
        ft.Text("Link works for", size=13, color=INK),
        ft.SegmentedButton(
            segments=[ft.Segment(value=str(d), label=t, tooltip=f"The link works for {t}")
                      for d, t in EXPIRY_CHOICES],
            selected=[str(days)], show_selected_icon=False, on_change=chose_days),
        ft.Checkbox(label="Let me withdraw it later", value=withdrawable, on_change=chose_withdrawable),
        where,
        ft.OutlinedButton("Share as a link", icon=ft.Icons.LINK, on_click=make_link, disabled=busy or not verifier),
    ], spacing=8)


ShareAction = Callable[[object], Awaitable[None]]
Action = TypeVar("Action", bound=ShareAction)


def chosen_label(card: BadgeCard) -> str:
    """A badge to choose by its name, and what tells it from a look-alike ("another copy: Open Badge 2.0")."""
    apart = card.tells_apart
    return f"{card.name} ({apart[:1].lower()}{apart[1:]})" if apart else card.name


def warned_first(services: WalletServices, way: str, action: Action) -> Action:
    """``action`` once the chosen badges have nothing to warn about, or the learner has said "Share anyway"."""
    async def run(_: object = None) -> None:
        if await services.warn_before_sharing(way):
            await action(None)

    return cast(Action, run)


def anyway(services: WalletServices, actions: dict[str, ShareAction]) -> ShareAction:
    """"Share anyway": the way the learner was sharing when warned, now without asking again."""
    async def run(_: object = None) -> None:
        action = actions.get(services.share_anyway())
        if action is not None:
            await action(None)

    return run


def warnings_or(share: ShareState, ways: ft.Control, on_anyway: ShareAction, on_cancel: Callable[[], None]
                ) -> ft.Control:
    """The warnings about the badges chosen now, while the learner decides; else the ways to share."""
    if share.warnings and share.warned_for == share.selected:
        return warnings_panel(share.warnings, on_anyway, on_cancel)
    return ways


def warnings_panel(warnings: list[str], on_anyway: ShareAction, on_cancel: Callable[[], None]) -> ft.Control:
    """Before a badge the verifier will refuse is shared (wallet.share.warnings): what is wrong, and
    the learner's choice to share anyway or not."""
    ink = "#7A4B00"
    return ft.Semantics(container=True, label="Before you share", content=ft.Container(
        content=ft.Column([
            ft.Row([ft.Icon(ft.Icons.WARNING_AMBER, color=ink),
                    ft.Text("Before you share", weight=ft.FontWeight.W_700, color=ink, size=16)], spacing=8),
            *[ft.Text(w, color=INK) for w in warnings],
            ft.Row([ft.FilledButton("Share anyway", icon=ft.Icons.SEND, on_click=on_anyway,
                                    style=ft.ButtonStyle(bgcolor=ink)),
                    ft.TextButton("Cancel", on_click=on_cancel)], wrap=True, spacing=8),
        ], spacing=10),
        bgcolor="#FFF1D6", border_radius=12, padding=14))


@ft.component
def ShareView(share: ShareState, badges: BadgeListState, services: WalletServices, wide: bool) -> ft.Control:
    page = ft.context.page
    recipient, set_recipient, typed_recipient = use_typed("")
    days, set_days = ft.use_state(7)
    withdrawable, set_withdrawable = ft.use_state(True)
    query = badge_in_route(page.route)

    async def load() -> None:
        await services.load_share_history()
        if query and query not in share.selected:
            await services.choose_for_sharing([query])

    ft.use_effect(load, [query])

    if not share.available:
        return page_frame(heading("Share"), empty_state(
            ft.Icons.QR_CODE_2, "Sharing is not available in this build",
            "This version of Satchel cannot share badges. Your badges stay private in your wallet."), wide=wide)

    def toggle(record_id: str, on: bool) -> None:
        page.run_task(services.choose_for_sharing, toggled(share.selected, record_id, on))

    async def show_qr(_: object = None) -> None:
        await services.share_as_qr(typed_recipient())

    async def make_link(_: object = None) -> None:
        await services.share_as_link(typed_recipient(), days, withdrawable)

    share_anyway = anyway(services, {"qr": show_qr, "link": make_link})
    show_qr, make_link = warned_first(services, "qr", show_qr), warned_first(services, "link", make_link)
    showing = shown_qr(share, services, page, wide, make_link)
    if showing is not None:
        return showing

    async def copy(_: object = None) -> None:
        services.link_copied(await copy_text(share.link))

    answer_request = ft.OutlinedButton("Answer a request", icon=ft.Icons.QR_CODE_SCANNER,
                                       on_click=lambda: page.navigate("/share/request"))

    choices = [checkbox_row(chosen_label(card), card.id in share.selected, partial(toggle, card.id))
               for card in badges.cards]
    if not choices:
        return page_frame(heading("Share"), empty_state(ft.Icons.QR_CODE_2, "Nothing to share yet",
                                                        "Import a badge first; then you can show it as a QR code.",
                                                        answer_request),
                          wide=wide)
    disclosure = disclosure_lines(share.disclosure)
    nothing_shared: ft.Control = ft.Text("Nothing shared yet.", color=MUTED)
    history = [history_line(line, lambda sid: page.run_task(services.unshare, sid)) for line in share.history]
    verifier = services.state.settings.verifier_url
    as_qr = qr_option(show_qr, busy=bool(share.busy))
    as_link = link_options(
        verifier, days, set_days, withdrawable, set_withdrawable, make_link, busy=bool(share.busy),
        to_settings=lambda: page.navigate("/settings"))
    ways = ft.ResponsiveRow([ft.Container(as_qr, col={"xs": 12, "md": 6}),
                             ft.Container(as_link, col={"xs": 12, "md": 6})], spacing=16, run_spacing=16)
    return page_frame(
        ft.Row([heading("Share"), answer_request], alignment=ft.MainAxisAlignment.SPACE_BETWEEN, wrap=True),
        ft.Text("Choose badges, check what the other side will see, then show a QR code or send a link. "
                "A verifier asked you for badges? Answer their request.", color=MUTED),
        message_banner(share.message),
        message_banner(share.error, error=True),
        section("1. Choose badges", *choices, icon=ft.Icons.CHECKLIST),
        section("2. What they will see", *disclosure, icon=ft.Icons.VISIBILITY),
        section("3. Show it",
                text_input("Who is it for?", recipient, set_recipient, hint="e.g. Maple Grove Care Home"),
                busy_line(share.busy) if share.busy else ft.Container(visible=False),
                link_card(share, copy, services.close_link) if share.link else
                warnings_or(share, ways, share_anyway, services.cancel_share),
                icon=ft.Icons.SEND),
        ft.Container(section("Share history", *(history or [nothing_shared]),
                             icon=ft.Icons.HISTORY), bgcolor=SURFACE, border_radius=14,
                     border=ft.Border.all(1, OUTLINE)),
        wide=wide,
    )
