"""My badges: cards with image, name, issuer, date and status; search, filter, sort."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from credentials import GRADE_WORDS, Grade

from ..services import WalletServices
from ..state import BadgeCard, BadgeListState
from .common import (
    INK,
    MUTED,
    OUTLINE,
    SURFACE,
    badge_picture,
    busy_line,
    empty_state,
    heading,
    message_banner,
    page_frame,
    primary_button,
    status_chip,
)

# The store filters by verdict: "valid" is every genuine badge, trusted issuer or not.
STATUS_OPTIONS = [("all", "Any status"), ("valid", "Genuine"), ("invalid", GRADE_WORDS[Grade.PROBLEM].headline),
                  ("unverifiable", GRADE_WORDS[Grade.COULD_NOT_CHECK].headline)]
SORT_OPTIONS = [("added", "Newest"), ("issued", "Date issued"), ("name", "Name"), ("issuer", "Issuer")]


def badge_card(card: BadgeCard, image: bytes | None, on_open: Callable[[str], None]) -> ft.Control:
    date = f"Issued {card.issued}" if card.issued else "No issue date"
    apart = f" {card.tells_apart}." if card.tells_apart else ""
    description = f"{card.name}. {card.issuer}. {date}.{apart} {card.graded.headline}."
    return ft.Semantics(
        button=True, label=description, container=True,
        content=ft.Container(
            content=ft.Row([
                badge_picture(card.name, image, 72),
                ft.Column([
                    ft.Text(card.name, size=16, weight=ft.FontWeight.W_700, color=INK, max_lines=2,
                            overflow=ft.TextOverflow.ELLIPSIS),
                    ft.Text(card.issuer, color=MUTED, size=13, max_lines=2, overflow=ft.TextOverflow.ELLIPSIS),
                    ft.Text(date, color=MUTED, size=13),
                    *([ft.Text(card.tells_apart, color=INK, size=13, italic=True)] if card.tells_apart else []),
                    status_chip(card.graded),
                ], spacing=4, expand=True),
            ], spacing=14, vertical_alignment=ft.CrossAxisAlignment.START),
            bgcolor=SURFACE, border_radius=14, padding=14, border=ft.Border.all(1, OUTLINE),
            on_click=lambda: on_open(card.id), ink=True,
        ),
    )


def choice(label: str, value: str, options: list[tuple[str, str]], on_pick: Callable[[str | None], object],
           width: int | None = None) -> ft.Control:
    return ft.Dropdown(
        label=label, value=value, dense=True, expand=True, menu_width=max(width or 0, 220),
        options=[ft.DropdownOption(key=k, text=t) for k, t in options],
        on_select=lambda e: on_pick(e.control.value),
    )


@ft.component
def BadgesView(badges: BadgeListState, services: WalletServices, wide: bool) -> ft.Control:
    page = ft.context.page

    def open_badge(record_id: str) -> None:
        services.touch()
        page.navigate(f"/badge/{record_id}")

    def update(**changes: str) -> None:
        page.run_task(services.set_list_options, **changes)

    filters_on = badges.query or badges.status != "all" or badges.issuer or badges.tag
    filters = ft.ResponsiveRow([
        ft.Container(control, col={"xs": 6, "md": 3}) for control in (
            choice("Status", badges.status, STATUS_OPTIONS, lambda v: update(status=v or "all")),
            choice("Issuer", badges.issuer or "*", [("*", "Any issuer")] + [(i, i) for i in badges.issuers],
                   lambda v: update(issuer="" if v in (None, "*") else v), 360),
            choice("Tag", badges.tag or "*", [("*", "Any tag")] + [(t, t) for t in badges.tags],
                   lambda v: update(tag="" if v in (None, "*") else v)),
            choice("Sort by", badges.sort, SORT_OPTIONS, lambda v: update(sort=v or "added")),
        )
    ], spacing=10, run_spacing=10)
    search = ft.TextField(
        label="Search badges", value=badges.query, prefix_icon=ft.Icons.SEARCH, border_radius=24,
        hint_text="Name, issuer, skill or tag", on_change=lambda e: update(query=e.control.value), expand=True,
    )

    shown = len(badges.cards)
    if badges.loading and not badges.cards:
        body: list[ft.Control] = [busy_line("Opening your badges…")]
    elif badges.error:
        body = [message_banner(badges.error, error=True),
                ft.OutlinedButton("Try again", on_click=lambda: page.run_task(services.refresh_badges))]
    elif badges.total_in_wallet == 0:
        body = [empty_state(
            ft.Icons.WORKSPACE_PREMIUM, "No badges yet",
            "Bring in your first badge: a file from your issuer, a link, a QR code or an offer.",
            primary_button("Import a badge", lambda: page.navigate("/import"), icon=ft.Icons.ADD),
        )]
    elif not badges.cards:
        body = [empty_state(ft.Icons.SEARCH_OFF, "Nothing matches",
                            "No badge matches your search and filters.",
                            ft.OutlinedButton("Clear search and filters", on_click=lambda: update(
                                query="", status="all", issuer="", tag="")))]
    else:
        cards: list[ft.Control] = [
            ft.Container(badge_card(card, badges.images.get(card.id), open_badge),
                         col={"xs": 12, "md": 6, "xl": 4})
            for card in badges.cards
        ]
        body = [ft.ResponsiveRow(cards, spacing=12, run_spacing=12)]
        if services.filtered_count > shown:
            body.append(ft.OutlinedButton(f"Show more ({services.filtered_count - shown} more)",
                                          on_click=lambda: page.run_task(services.show_more_badges)))
    count = (f"{services.filtered_count} of {badges.total_in_wallet} badges" if filters_on
             else f"{badges.total_in_wallet} badge{'s' if badges.total_in_wallet != 1 else ''}")
    header = ft.Row([
        heading("My badges"),
        ft.Text(count if badges.total_in_wallet else "", color=MUTED),
    ], alignment=ft.MainAxisAlignment.SPACE_BETWEEN, vertical_alignment=ft.CrossAxisAlignment.CENTER)
    top: list[ft.Control] = [header]
    if badges.total_in_wallet:
        top += [ft.Row([search], spacing=0), filters]
    return page_frame(*top, *body, wide=wide)
