"""The unlocked app's frame: navigation (bottom bar on a phone, rail on a wide screen) around the screens."""

from __future__ import annotations

import flet as ft

from ..services import WalletServices
from .common import BACKGROUND, INK, SURFACE, logo

DESTINATIONS = [
    ("/", "My badges", ft.Icons.WORKSPACE_PREMIUM_OUTLINED, ft.Icons.WORKSPACE_PREMIUM),
    ("/pathways", "Pathways", ft.Icons.ROUTE_OUTLINED, ft.Icons.ROUTE),
    ("/import", "Import", ft.Icons.ADD_CIRCLE_OUTLINE, ft.Icons.ADD_CIRCLE),
    ("/share", "Share", ft.Icons.QR_CODE_2_OUTLINED, ft.Icons.QR_CODE_2),
    ("/settings", "Settings", ft.Icons.SETTINGS_OUTLINED, ft.Icons.SETTINGS),
]
WIDE_FROM = 840


def selected_index(pathname: str) -> int:
    for index, (route, *_rest) in enumerate(DESTINATIONS):
        if route != "/" and pathname.startswith(route):
            return index
    return 0


@ft.component
def Shell(services: WalletServices, wide: bool) -> ft.Control:
    page = ft.context.page
    location = ft.use_route_location()
    pathname = location if isinstance(location, str) else getattr(location, "pathname", "/")
    outlet = ft.use_route_outlet()
    index = selected_index(pathname or "/")

    def go(e: ft.Event[ft.NavigationRail] | ft.Event[ft.NavigationBar]) -> None:
        services.touch()
        chosen = e.control.selected_index
        if chosen is not None:
            page.navigate(DESTINATIONS[chosen][0])

    def lock() -> None:
        services.lock()

    lock_button = ft.TextButton("Lock wallet", icon=ft.Icons.LOCK, on_click=lock)
    brand = ft.Row([logo(32),
                    ft.Text("Satchel", size=20, weight=ft.FontWeight.W_800, color=INK)], spacing=10)
    top_bar = ft.Container(
        content=ft.Row([brand, lock_button], alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
        bgcolor=SURFACE, padding=ft.Padding.symmetric(horizontal=16, vertical=8),
        border=ft.Border.only(bottom=ft.BorderSide(1, "#D5DEE1")),
    )
    if wide:
        rail = ft.NavigationRail(
            selected_index=index, on_change=go, label_type=ft.NavigationRailLabelType.ALL, min_width=96,
            bgcolor=SURFACE, indicator_color="#CFE6EA",
            destinations=[ft.NavigationRailDestination(icon=icon, selected_icon=selected, label=label)
                          for _route, label, icon, selected in DESTINATIONS],
        )
        return ft.Column([
            top_bar,
            ft.Row([rail, ft.VerticalDivider(width=1, color="#D5DEE1"),
                    ft.Container(outlet, expand=True, bgcolor=BACKGROUND)], expand=True, spacing=0),
        ], expand=True, spacing=0)
    bar = ft.NavigationBar(
        selected_index=index, on_change=go, bgcolor=SURFACE, indicator_color="#CFE6EA",
        label_behavior=ft.NavigationBarLabelBehavior.ALWAYS_SHOW,
        destinations=[ft.NavigationBarDestination(icon=icon, selected_icon=selected, label=label)
                      for _route, label, icon, selected in DESTINATIONS],
    )
    return ft.Column([top_bar, ft.Container(outlet, expand=True, bgcolor=BACKGROUND), bar], expand=True, spacing=0)
