"""The consent screen of an OpenID4VP request (Share → Answer a request, ``openid4vp://…``): who
asks, whether Satchel could confirm it, exactly which claims of which badge go (optional ones with
a tick to take away), then Send. Addresses and identifiers only under "Technical details"."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import flet as ft

from ..openid4vp_consent import ConsentBadge, ConsentClaim, OpenId4VpConsent
from .common import INK, MUTED, OUTLINE, SURFACE, checkbox_row, message_banner, page_frame, primary_button, section

CONFIRMED_INK, CONFIRMED_FILL = "#1B5E20", "#E6F4EA"
WARNING_INK, WARNING_FILL = "#7A4B00", "#FFF1D6"


def _banner(text: str, ink: str, fill: str, icon: Any, label: str) -> ft.Control:
    return ft.Semantics(label=f"{label}: {text}", container=True, content=ft.Container(
        content=ft.Row([ft.Icon(icon, color=ink), ft.Text(text, color=ink, expand=True)],
                       vertical_alignment=ft.CrossAxisAlignment.START),
        bgcolor=fill, border_radius=10, padding=12))


def _details(lines: list[tuple[str, str]]) -> ft.Control:
    rows: list[ft.Control] = []
    for label, value in lines:
        rows += [ft.Text(label, size=13, color=MUTED, weight=ft.FontWeight.W_600),
                 ft.Text(value, size=13, color=INK, font_family="monospace", selectable=True)]
    return ft.ExpansionTile(title="Technical details", dense=True, controls=[
        ft.Container(ft.Column(rows, spacing=2), padding=ft.Padding.only(left=12, right=12, bottom=12))])


def who_is_asking(consent: OpenId4VpConsent) -> ft.Control:
    sure = (_banner(consent.note, CONFIRMED_INK, CONFIRMED_FILL, ft.Icons.VERIFIED_USER, "Confirmed")
            if consent.confirmed else _banner(consent.note, WARNING_INK, WARNING_FILL, ft.Icons.WARNING_AMBER,
                                              "Warning"))
    return section(
        "Who is asking",
        ft.Text(consent.verifier_name[:1].upper() + consent.verifier_name[1:], size=20, weight=ft.FontWeight.W_700,
                color=INK),
        sure,
        ft.Text("Your answer goes straight to them" + (", encrypted for them alone." if consent.encrypted else "."),
                color=INK),
        _details([("Identifier (client_id)", consent.client_id), ("Answer sent to", consent.address),
                  ("How it was checked", consent.how)]),
        icon=ft.Icons.STOREFRONT)


def _claim_row(badge: ConsentBadge, claim: ConsentClaim, on_tick: Callable[[str, int, bool], Any]) -> ft.Control:
    text = f"{claim.label}: {claim.value}"
    if claim.optional:
        return checkbox_row(f"{text} (optional)", claim.sent, partial(on_tick, badge.query_id, claim.index))
    return ft.Row([ft.Icon(ft.Icons.CHECK, color=INK, size=18, semantics_label="Sent, required"),
                   ft.Text(text, color=INK, expand=True)], spacing=8,
                  vertical_alignment=ft.CrossAxisAlignment.START)


def badge_card(badge: ConsentBadge, on_tick: Callable[[str, int, bool], Any]) -> ft.Control:
    if not badge.found:
        return ft.Text(f"Nothing in your wallet answers their request for a {badge.kind}.", color=MUTED)
    lines: list[ft.Control] = [
        ft.Text(f"“{badge.name}” from {badge.issuer}", color=INK, weight=ft.FontWeight.W_600),
        ft.Text(badge.kind[:1].upper() + badge.kind[1:], size=13, color=MUTED),
    ]
    if badge.whole:
        lines.append(ft.Text("It goes whole: they will see everything in it, not only what they ask for.",
                             color=INK, size=14))
    lines.append(ft.Text("They ask for:" if badge.claims else "They ask for the badge itself, no details.",
                         color=INK, size=14))
    lines += [_claim_row(badge, claim, on_tick) for claim in badge.claims]
    if badge.always and not badge.whole:
        lines.append(ft.Text("Always included: " + ", ".join(badge.always), size=13, color=MUTED))
    return ft.Container(ft.Column(lines, spacing=6), bgcolor=SURFACE, border=ft.Border.all(1, OUTLINE),
                        border_radius=10, padding=12)


def consent_screen(consent: OpenId4VpConsent, *, top: ft.Control, busy: ft.Control, error: str, sending: bool,
                   on_tick: Callable[[str, int, bool], Any], on_send: Callable[[], Any],
                   on_cancel: Callable[[], Any], wide: bool) -> ft.Control:
    sent = section("What they will receive", *[badge_card(b, on_tick) for b in consent.badges],
                   icon=ft.Icons.VISIBILITY)
    warnings = [_banner(w, WARNING_INK, WARNING_FILL, ft.Icons.WARNING_AMBER, "Warning") for w in consent.warnings
                if not w.startswith(consent.how)]  # the identity's own warning is in "Who is asking"
    actions = ft.Row([
        primary_button(f"Send to {consent.verifier_name}", on_send, icon=ft.Icons.SEND,
                       disabled=sending or not consent.satisfied),
        ft.TextButton("Do not send", on_click=on_cancel),
    ], wrap=True, spacing=10, run_spacing=10)
    return page_frame(
        top, busy, message_banner(error, error=True),
        ft.ResponsiveRow([ft.Container(who_is_asking(consent), col={"xs": 12, "lg": 5}),
                          ft.Container(sent, col={"xs": 12, "lg": 7})], spacing=12, run_spacing=12),
        *warnings,
        ft.Container(actions, padding=ft.Padding.only(bottom=8)),
        ft.Text("Nothing is sent until you press Send.", size=13, color=MUTED, italic=True),
        wide=wide)
