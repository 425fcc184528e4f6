"""Pathways: badges that stack toward a larger credential, shown as progress."""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from ..pathways import Pathway, describe_progress
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


def pathway_card(pathway: Pathway, on_open: Callable[[str], None]) -> ft.Control:
    progress_text = describe_progress(pathway)
    complete = pathway.progress >= 1

    def opener(record_id: str) -> Callable[[], None]:
        return lambda: on_open(record_id)

    steps: list[ft.Control] = []
    for step in pathway.steps:
        icon = ft.Icon(ft.Icons.CHECK_CIRCLE if step.earned else ft.Icons.RADIO_BUTTON_UNCHECKED,
                       color="#1D5E2A" if step.earned else MUTED, size=22)
        label = ft.Text(step.name, color=INK if step.earned else MUTED, expand=True,
                        weight=ft.FontWeight.W_600 if step.earned else None)
        state = ft.Text("Earned" if step.earned else "Not yet", size=12, color="#1D5E2A" if step.earned else MUTED)
        row = ft.Row([icon, label, state], vertical_alignment=ft.CrossAxisAlignment.CENTER)
        if step.record_id:
            steps.append(ft.Semantics(button=True, label=f"{step.name}: earned. Open badge", content=ft.Container(
                row, on_click=opener(step.record_id), padding=6, border_radius=8, ink=True)))
        else:
            steps.append(ft.Semantics(label=f"{step.name}: {'earned' if step.earned else 'not yet earned'}",
                                      content=ft.Container(row, padding=6)))
    return ft.Container(
        content=ft.Column([
            ft.Row([ft.Icon(ft.Icons.ROUTE, color=PRIMARY),
                    ft.Text(pathway.name, size=18, weight=ft.FontWeight.W_700, color=INK, expand=True)]),
            ft.Text(("Complete: " if complete else "In progress: ") + progress_text, color=MUTED),
            ft.ProgressBar(value=pathway.progress, bar_height=10, border_radius=5, color=PRIMARY,
                           bgcolor="#E3E8EA", semantics_label=f"{pathway.name}: {progress_text}",
                           semantics_value=round(pathway.progress * 100)),
            ft.Column(steps, spacing=2),
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

    intro = ft.Text("Some badges stack: together they earn a larger credential. Here is how far along you are.",
                    color=MUTED)
    if pathways.loading and not pathways.pathways:
        body: list[ft.Control] = [busy_line("Working out your pathways…")]
    elif pathways.error:
        body = [message_banner(pathways.error, error=True)]
    elif not pathways.pathways:
        body = [empty_state(ft.Icons.ROUTE, "No pathways yet",
                            "When you hold a credential made of smaller badges (a certificate or a CLR), "
                            "its progress appears here.",
                            primary_button("Import a badge", lambda: page.navigate("/import"), icon=ft.Icons.ADD))]
    else:
        body = [ft.ResponsiveRow([ft.Container(pathway_card(p, open_badge), col={"xs": 12, "lg": 6})
                                  for p in pathways.pathways], spacing=12, run_spacing=12)]
    return page_frame(heading("Pathways"), intro, *body, wide=wide)
