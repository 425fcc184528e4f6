"""Colours, small building blocks and helpers shared by the verifier's screens.

Every text colour here has a contrast of at least 4.5:1 (WCAG 2.2 SC 1.4.3, AA) against the fill it
sits on: MUTED on SURFACE 7.2, on BACKGROUND 6.6; each look's ink on its fill 6.2–6.9
(``tests/test_verifier_contrast.py`` measures them). No text is smaller than 12 px.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import flet as ft

from credentials import CHECK_STATUS_WORDS, Grade, GradeWords
from shell import file_picker
from verifier.history import grade_words

INK = "#17212B"
MUTED = "#4B5966"
BRAND = "#1F3A93"  # indigo: the employer's tool, distinct from the wallet's teal
BRAND_SOFT = "#E6EBFA"
SURFACE = "#FFFFFF"
BACKGROUND = "#F3F5F9"
LINE = "#D7DDE6"


@dataclass(frozen=True)
class Look:
    word: str
    icon: Any
    ink: str
    fill: str
    explain: str


GREEN, GREEN_SOFT = "#1B5E20", "#E4F4E6"
TEAL, TEAL_SOFT = "#005F5C", "#E3F4F3"
RED, RED_SOFT = "#A3231A", "#FCE9E7"
AMBER, AMBER_SOFT = "#7A4A00", "#FFF2D9"
GREY_SOFT = "#ECEFF3"


@dataclass(frozen=True)
class GradeLook:
    """How a graded verdict looks: its words (``credentials.GRADE_WORDS``) and its colours."""

    grade: str
    words: GradeWords
    icon: Any
    ink: str
    fill: str


# trusted: green and a seal; genuine: a calmer teal with an info icon (sound, but nobody on your
# list vouches for the issuer); problem: red; could not check: amber.
_GRADE_STYLE: dict[str, tuple[Any, str, str]] = {
    Grade.TRUSTED: (ft.Icons.VERIFIED, GREEN, GREEN_SOFT),
    Grade.GENUINE: (ft.Icons.INFO, TEAL, TEAL_SOFT),
    Grade.PROBLEM: (ft.Icons.GPP_BAD, RED, RED_SOFT),
    Grade.COULD_NOT_CHECK: (ft.Icons.HELP, AMBER, AMBER_SOFT),
}


def grade_look(grade: str) -> GradeLook:
    icon, ink, fill = _GRADE_STYLE.get(grade, _GRADE_STYLE[Grade.COULD_NOT_CHECK])
    return GradeLook(grade, grade_words(grade), icon, ink, fill)


_CHECK_STYLE: dict[str, tuple[Any, str, str]] = {
    "passed": (ft.Icons.CHECK_CIRCLE, GREEN, GREEN_SOFT),
    "failed": (ft.Icons.CANCEL, RED, RED_SOFT),
    "could-not-check": (ft.Icons.HELP, AMBER, AMBER_SOFT),
    "warning": (ft.Icons.INFO, AMBER, AMBER_SOFT),
    "skipped": (ft.Icons.REMOVE_CIRCLE_OUTLINE, MUTED, GREY_SOFT),
}
# one check's status, in the words both apps use (credentials.CHECK_STATUS_WORDS)
CHECKS: dict[str, Look] = {status: Look(CHECK_STATUS_WORDS[status], icon, ink, fill, "")
                           for status, (icon, ink, fill) in _CHECK_STYLE.items()}


def theme() -> ft.Theme:
    return ft.Theme(color_scheme_seed=BRAND, use_material3=True)


def title(text: str, size: int = 22) -> ft.Control:
    return ft.Semantics(header=True, content=ft.Text(text, size=size, weight=ft.FontWeight.W_700, color=INK))


def card(*controls: ft.Control, padding: int = 18, title_text: str | None = None, icon: Any = None) -> ft.Control:
    items: list[ft.Control] = []
    if title_text:
        head: list[ft.Control] = [ft.Icon(icon, color=BRAND, size=20)] if icon else []
        head.append(ft.Semantics(header=True, content=ft.Text(title_text, size=16, weight=ft.FontWeight.W_700,
                                                                color=INK)))
        items.append(ft.Row(head, spacing=8))
    items.extend(controls)
    return ft.Container(content=ft.Column(items, spacing=10), bgcolor=SURFACE, border_radius=16, padding=padding,
                        border=ft.Border.all(1, LINE))


def note(text: str, *, error: bool = False) -> ft.Control:
    if not text:
        return ft.Container(visible=False)
    ink, fill, icon = (RED, RED_SOFT, ft.Icons.ERROR_OUTLINE) if error else (BRAND, BRAND_SOFT, ft.Icons.INFO)
    return ft.Semantics(live_region=True, content=ft.Container(
        content=ft.Row([ft.Icon(icon, color=ink), ft.Text(text, color=ink, expand=True)],
                       vertical_alignment=ft.CrossAxisAlignment.START),
        bgcolor=fill, border_radius=12, padding=12))


def spinner(text: str) -> ft.Control:
    if not text:
        return ft.Container(visible=False)
    return ft.Semantics(live_region=True, label=text, content=ft.Row(
        [ft.ProgressRing(width=20, height=20, stroke_width=3), ft.Text(text, color=MUTED)], spacing=12))


def primary(text: str, on_click: Callable[..., Any] | None, icon: Any = None, disabled: bool = False) -> ft.Control:
    return ft.FilledButton(text, icon=icon, on_click=on_click, disabled=disabled,
                           style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=16),
                                                shape=ft.RoundedRectangleBorder(radius=12)))


def secondary(text: str, on_click: Callable[..., Any] | None, icon: Any = None) -> ft.Control:
    return ft.OutlinedButton(text, icon=icon, on_click=on_click,
                             style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=18, vertical=16),
                                                  shape=ft.RoundedRectangleBorder(radius=12)))


def chip(text: str, ink: str, fill: str, icon: Any = None) -> ft.Control:
    row: list[ft.Control] = [ft.Icon(icon, color=ink, size=16)] if icon else []
    row.append(ft.Text(text, color=ink, size=13, weight=ft.FontWeight.W_600))
    return ft.Container(content=ft.Row(row, spacing=6, tight=True), bgcolor=fill, border_radius=20,
                        padding=ft.Padding.symmetric(horizontal=10, vertical=4))


def fact(label: str, value: str | list[str] | tuple[str, ...], wide: bool) -> ft.Control:
    if not value:
        return ft.Container(visible=False)
    values = [value] if isinstance(value, str) else list(value)
    # Plain (not selectable) text: Flutter web exposes it to screen readers, selectable text it does not.
    body = ft.Column([ft.Text(v, color=INK, size=15) for v in values], spacing=4, expand=True)
    label_text = ft.Text(label, color=MUTED, size=14, weight=ft.FontWeight.W_600)
    if wide:
        # the label's top padding lines its smaller text up with the value's first line
        return ft.Row([ft.Container(label_text, width=170, padding=ft.Padding.only(top=1)), body],
                      vertical_alignment=ft.CrossAxisAlignment.START)
    return ft.Column([label_text, body], spacing=2)


def frame(*controls: ft.Control, wide: bool) -> ft.Control:
    """A screen's scrolling body, centred, at a comfortable reading width."""
    return ft.ListView(controls=[ft.Row([ft.Container(
        content=ft.Column(list(controls), spacing=16),
        padding=ft.Padding.symmetric(horizontal=28 if wide else 14, vertical=22),
        width=920 if wide else None, expand=not wide)], alignment=ft.MainAxisAlignment.CENTER)], expand=True)


def when(iso: str) -> str:
    """An ISO 8601 time in the reader's time zone, e.g. "2 Dec 2026, 23:40"."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return iso
    return moment.strftime("%d %b %Y, %H:%M").lstrip("0")


async def offer_download(name: str, data: bytes) -> None:
    """The save dialog (a download in a browser) for a file the app made."""
    await file_picker().save_file(dialog_title="Save", file_name=name, src_bytes=data)
