"""Pathways: every part of each pathway the badges belong to, earned or not, with the credits,
what to do next, where to earn the rest and what the whole stack certifies."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from credentials import PathwayPart

from ..pathways import ShownPathway
from ..services import WalletServices
from ..state import PathwaysState
from .common import (
    INK,
    MUTED,
    OUTLINE,
    PRIMARY,
    SURFACE,
    busy_line,
    empty_state,
    heading,
    message_banner,
    page_frame,
    primary_button,
)

EARNED_INK = "#1D5E2A"


def _part_row(shown: ShownPathway, part: PathwayPart, on_open: Callable[[str], None]) -> ft.Control:
    record = shown.record_for(part)
    credits = part.credits_words
    names = {p.achievement_id: p.name for p in shown.pathway.parts}
    waiting = [names.get(p, "another part") for p in part.prerequisites
               if not any(q.earned and q.achievement_id == p for q in shown.pathway.parts)]
    detail = " · ".join(x for x in (credits, f"after {', '.join(waiting)}" if waiting and not part.earned else "") if x)
    icon = ft.Icon(ft.Icons.CHECK_CIRCLE if part.earned else ft.Icons.RADIO_BUTTON_UNCHECKED,
                   color=EARNED_INK if part.earned else MUTED, size=22)
    words = ft.Column([
        ft.Text(part.name, color=INK, weight=ft.FontWeight.W_600 if part.earned else None),
        ft.Text(detail, size=12, color=MUTED, visible=bool(detail)),
    ], spacing=0, expand=True)
    state: ft.Control = ft.Text("Earned", size=13, color=EARNED_INK, weight=ft.FontWeight.W_600)
    if not part.earned:
        state = (ft.TextButton("Where to earn it", icon=ft.Icons.OPEN_IN_NEW, url=part.where_to_earn,
                               tooltip=part.where_to_earn)
                 if part.where_to_earn else ft.Text("Not yet", size=13, color=MUTED))
    row = ft.Row([icon, words, state], vertical_alignment=ft.CrossAxisAlignment.CENTER)
    status = "earned" if part.earned else "not earned yet"
    label = f"{part.name}: {status}" + (f", {credits}" if credits else "")
    if part.earned and record:
        return ft.Semantics(button=True, label=f"{label}. Open badge", content=ft.Container(
            row, on_click=lambda: on_open(record), padding=6, border_radius=8, ink=True))
    return ft.Semantics(label=label, container=True, content=ft.Container(row, padding=6))


def _competencies(shown: ShownPathway) -> ft.Control:
    names = list(dict.fromkeys(a.name for a in shown.pathway.competencies))
    if not names:
        return ft.Container(visible=False)
    lead = "It certifies:" if shown.pathway.is_complete else "When complete, it certifies:"
    return ft.Column([
        ft.Text(lead, size=13, weight=ft.FontWeight.W_600, color=INK),
        *(ft.Row([ft.Icon(ft.Icons.VERIFIED_OUTLINED, size=16, color=PRIMARY),
                  ft.Text(name, size=13, color=INK, expand=True)], spacing=6,
                 vertical_alignment=ft.CrossAxisAlignment.START) for name in names[:12]),
    ], spacing=4)


def _next_line(shown: ShownPathway) -> ft.Control:
    pathway = shown.pathway
    upcoming = pathway.next_parts
    if pathway.is_complete or not upcoming:
        return ft.Container(visible=False)
    text = "Next: " + ", ".join(p.name for p in upcoming[:3])
    return ft.Row([ft.Icon(ft.Icons.ARROW_FORWARD, color=PRIMARY, size=18),
                   ft.Text(text, color=INK, expand=True, weight=ft.FontWeight.W_600)], spacing=6,
                  vertical_alignment=ft.CrossAxisAlignment.START)


def pathway_card(shown: ShownPathway, on_open: Callable[[str], None]) -> ft.Control:
    pathway = shown.pathway
    progress_text = pathway.progress_words
    credits_text = pathway.credits_words
    issuer = pathway.issuer.label if pathway.issuer is not None else ""
    head = ("Complete: " if pathway.is_complete else "In progress: ") + progress_text
    return ft.Container(
        content=ft.Column([
            ft.Row([ft.Icon(ft.Icons.ROUTE, color=PRIMARY),
                    ft.Semantics(header=True, content=ft.Text(pathway.name, size=18, weight=ft.FontWeight.W_700,
                                                              color=INK)), ],
                   vertical_alignment=ft.CrossAxisAlignment.CENTER, wrap=True),
            ft.Text(f"From {issuer}", size=12, color=MUTED, visible=bool(issuer)),
            message_banner(shown.note),
            ft.Text(head, color=INK),
            ft.ProgressBar(value=shown.progress, bar_height=10, border_radius=5, color=PRIMARY,
                           bgcolor="#E3E8EA", semantics_label=f"{pathway.name}: {progress_text}",
                           semantics_value=round(shown.progress * 100)),
            ft.Text(f"Credits: {credits_text}", color=INK, visible=bool(credits_text)),
            _next_line(shown),
            ft.Column([_part_row(shown, part, on_open) for part in pathway.parts], spacing=2),
            _competencies(shown),
        ], spacing=10),
        bgcolor=SURFACE, border_radius=14, padding=16, border=ft.Border.all(1, OUTLINE),
    )


@ft.component
def PathwaysView(pathways: PathwaysState, services: WalletServices, wide: bool) -> ft.Control:
    page = ft.context.page

    async def load() -> None:
        await services.load_pathways()

    ft.use_effect(load, [])

    def open_badge(record_id: str) -> None:
        page.navigate(f"/badge/{record_id}")

    intro = ft.Text("Some badges stack: together they earn a larger credential. Here is every part of each "
                    "pathway, how far along you are and where to earn the rest.", color=MUTED)
    if pathways.loading and not pathways.pathways:
        body: list[ft.Control] = [busy_line("Working out your pathways…")]
    elif pathways.error:
        body = [message_banner(pathways.error, error=True)]
    elif not pathways.pathways:
        body = [empty_state(ft.Icons.ROUTE, "No pathways yet",
                            "When you hold a badge that is part of a pathway (a certificate, a CLR), "
                            "every part of it appears here.",
                            primary_button("Import a badge", lambda: page.navigate("/import"), icon=ft.Icons.ADD))]
    else:
        body = [ft.ResponsiveRow([ft.Container(pathway_card(p, open_badge), col={"xs": 12, "lg": 6})
                                  for p in pathways.pathways], spacing=12, run_spacing=12)]
    return page_frame(heading("Pathways"), intro, *body, wide=wide)
