"""The frame around the screens: brand, offline switch, navigation (a rail on a wide screen, a
bottom bar on a phone, below :data:`WIDE_FROM` logical pixels), and the colour pulse after a check."""

from __future__ import annotations

from typing import Any

import flet as ft

from ..services import VerifierServices
from ..state import ASK, HISTORY, RESULT, SCAN, TABS, ShellState, TabState
from .ask import AskView
from .common import AMBER, AMBER_SOFT, BACKGROUND, BRAND, BRAND_SOFT, INK, LINE, MUTED, SURFACE, grade_look
from .history import HistoryView
from .result import ResultView
from .scan import ScanView

WIDE_FROM = 760
NAV = [(SCAN, "Scan", ft.Icons.QR_CODE_SCANNER_OUTLINED, ft.Icons.QR_CODE_SCANNER),
       (ASK, "Ask", ft.Icons.SEND_TO_MOBILE_OUTLINED, ft.Icons.SEND_TO_MOBILE),
       (HISTORY, "History", ft.Icons.HISTORY_OUTLINED, ft.Icons.HISTORY)]


def _offline_bar(shell: ShellState) -> ft.Control:
    if not shell.offline:
        return ft.Container(visible=False)
    return ft.Container(
        content=ft.Row([ft.Icon(ft.Icons.CLOUD_OFF, color=AMBER, size=18),
                        ft.Text("Offline mode. " + shell.cache_words, color=AMBER, size=14, expand=True)],
                       spacing=8),
        bgcolor=AMBER_SOFT, padding=ft.Padding.symmetric(horizontal=16, vertical=8))


def _top_bar(shell: ShellState, services: VerifierServices) -> ft.Control:
    brand = ft.Row([
        ft.Container(ft.Icon(ft.Icons.VERIFIED_USER, color=SURFACE, size=20), bgcolor=BRAND, border_radius=10,
                     padding=6),
        ft.Column([ft.Text("Satchel Verifier", size=18, weight=ft.FontWeight.W_800, color=INK),
                   ft.Text("Check badges and credentials", size=12, color=MUTED)] if shell.wide else
                  [ft.Text("Satchel Verifier", size=17, weight=ft.FontWeight.W_800, color=INK)], spacing=0),
    ], spacing=10)
    switch = ft.Switch(label="Offline mode", value=shell.offline, active_color=BRAND,
                       on_change=lambda e: services.set_offline(bool(e.control.value)))
    return ft.Container(content=ft.Row([brand, switch], alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
                        bgcolor=SURFACE, padding=ft.Padding.symmetric(horizontal=16, vertical=10),
                        border=ft.Border.only(bottom=ft.BorderSide(1, LINE)))


def _screen(tab: TabState, services: VerifierServices) -> ft.Control:
    wide, screen = tab.shell.wide, tab.shell.screen
    if screen == ASK:
        return AskView(tab.ask, services, wide)
    if screen == RESULT:
        return ResultView(tab.result, services, wide)
    if screen == HISTORY:
        return HistoryView(tab.history, services, wide)
    return ScanView(tab.scan, tab.camera, services, wide)


def flash_layer(shell: ShellState) -> ft.Control:
    """The colour pulse after a check (driven by ``VerifierServices._pulse``): the verdict's colour
    over the whole screen, up in 90 ms, held a quarter second, gone in 700 ms; it never takes a
    click or a screen reader's focus. Always in the tree (hidden when idle), so the screens under
    it keep their state."""
    look = grade_look(shell.flash)
    return ft.Container(
        bgcolor=look.ink, opacity=0.38 if shell.flash_on else 0.0, visible=bool(shell.flash),
        animate_opacity=ft.Animation(90 if shell.flash_on else 700, ft.AnimationCurve.EASE_OUT),
        ignore_interactions=True, expand=True, left=0, top=0, right=0, bottom=0, key="flash")


@ft.component
def VerifierShell(shell: ShellState, tab: TabState, services: VerifierServices) -> ft.Control:
    # the result screen lights the tab it was reached from
    lit = shell.screen if shell.screen in TABS else shell.came_from if shell.came_from in TABS else SCAN
    index = [t for t, *_ in NAV].index(lit)

    def pick(e: Any) -> None:
        services.go(NAV[int(e.control.selected_index)][0])

    content = ft.Container(ft.Column([_offline_bar(shell), ft.Container(_screen(tab, services), expand=True)],
                                     spacing=0, expand=True), expand=True, bgcolor=BACKGROUND)
    frame: ft.Control
    if shell.wide:
        rail = ft.NavigationRail(
            selected_index=index, on_change=pick, label_type=ft.NavigationRailLabelType.ALL, min_width=92,
            bgcolor=SURFACE, indicator_color=BRAND_SOFT,
            destinations=[ft.NavigationRailDestination(icon=i, selected_icon=s, label=label)
                          for _t, label, i, s in NAV])
        frame = ft.Column([_top_bar(shell, services),
                           ft.Row([rail, ft.VerticalDivider(width=1, color=LINE), content], expand=True, spacing=0)],
                          expand=True, spacing=0)
    else:
        bar = ft.NavigationBar(
            selected_index=index, on_change=pick, bgcolor=SURFACE, indicator_color=BRAND_SOFT,
            label_behavior=ft.NavigationBarLabelBehavior.ALWAYS_SHOW,
            destinations=[ft.NavigationBarDestination(icon=i, selected_icon=s, label=label) for _t, label, i, s in NAV])
        frame = ft.Column([_top_bar(shell, services), content, bar], expand=True, spacing=0)
    return ft.Stack([frame, flash_layer(shell)], expand=True, fit=ft.StackFit.EXPAND)
