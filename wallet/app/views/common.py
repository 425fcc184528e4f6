"""Small building blocks shared by the screens: colours, status chips, badge pictures, sections."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import flet as ft

from shell import file_picker
from shell import forget_file_picker as forget_page_picker

if TYPE_CHECKING:
    from flet.components.hooks.use_ref import MutableRef

    from ..services import UploadedFile

from credentials import Grade

from ..wording import Verdict

# Colours chosen for at least 4.5:1 contrast of text on its background (WCAG AA).
PRIMARY = "#0B5563"  # deep teal
PRIMARY_SOFT = "#E3F1F3"
INK = "#1B2326"
MUTED = "#4A5A60"
SURFACE = "#FFFFFF"
BACKGROUND = "#F4F7F8"
OUTLINE = "#D5DEE1"
ERROR = "#A1231B"


@dataclass(frozen=True)
class StatusLook:
    icon: Any
    ink: str
    fill: str


# A graded verdict's look (None: never checked). Trusted is green; genuine a calmer teal with an
# "info" mark (intact, but nobody on your list vouches for the issuer); problem red; amber for could not check.
STATUS_LOOKS: dict[Grade | None, StatusLook] = {
    Grade.TRUSTED: StatusLook(ft.Icons.VERIFIED, "#1D5E2A", "#E3F3E6"),
    Grade.GENUINE: StatusLook(ft.Icons.VERIFIED_OUTLINED, PRIMARY, PRIMARY_SOFT),
    Grade.PROBLEM: StatusLook(ft.Icons.ERROR, "#A1231B", "#FCE8E6"),
    Grade.COULD_NOT_CHECK: StatusLook(ft.Icons.HELP, "#7A4B00", "#FFF1D6"),
    None: StatusLook(ft.Icons.SCHEDULE, "#455A64", "#ECEFF1"),
}

CHECK_LOOKS: dict[str, StatusLook] = {
    "passed": StatusLook(ft.Icons.CHECK_CIRCLE, "#1D5E2A", "#E3F3E6"),
    "failed": StatusLook(ft.Icons.CANCEL, "#A1231B", "#FCE8E6"),
    "could-not-check": StatusLook(ft.Icons.HELP, "#7A4B00", "#FFF1D6"),
    "warning": StatusLook(ft.Icons.INFO, "#7A4B00", "#FFF1D6"),
    "skipped": StatusLook(ft.Icons.REMOVE_CIRCLE_OUTLINE, "#455A64", "#ECEFF1"),
}


def app_theme() -> ft.Theme:
    return ft.Theme(color_scheme_seed=PRIMARY, use_material3=True)


def status_chip(verdict: Verdict, *, large: bool = False) -> ft.Control:
    word = verdict.headline
    look = STATUS_LOOKS[verdict.grade]
    size = 16 if large else 13
    return ft.Container(
        content=ft.Row(
            [ft.Icon(look.icon, color=look.ink, size=size + 4), ft.Text(word, color=look.ink, size=size,
                                                                      weight=ft.FontWeight.W_600)],
            spacing=6, tight=True,
        ),
        bgcolor=look.fill,
        border_radius=20,
        padding=ft.Padding.symmetric(horizontal=10, vertical=4),
    )


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def badge_picture(name: str, image: bytes | None, size: int) -> ft.Control:
    """The badge's own image, or a calm monogram tile while there is none."""
    if image:
        return ft.Container(
            content=ft.Image(src=image, width=size, height=size, fit=ft.BoxFit.CONTAIN,
                             semantics_label=f"Badge image: {name}"),
            width=size, height=size,
        )
    return ft.Container(
        content=ft.Text(initials(name), size=size * 0.34, weight=ft.FontWeight.BOLD, color=PRIMARY),
        width=size, height=size, alignment=ft.Alignment.CENTER, bgcolor=PRIMARY_SOFT,
        border_radius=size / 2,
    )


def heading(text: str, *, size: int = 22) -> ft.Control:
    return ft.Semantics(header=True, content=ft.Text(text, size=size, weight=ft.FontWeight.W_700, color=INK))


def section(title: str, *controls: ft.Control, icon: Any = None) -> ft.Control:
    head: list[ft.Control] = [ft.Icon(icon, color=PRIMARY, size=20)] if icon else []
    head.append(ft.Semantics(header=True, content=ft.Text(title, size=16, weight=ft.FontWeight.W_700, color=INK)))
    return ft.Container(
        content=ft.Column([ft.Row(head, spacing=8), *controls], spacing=8),
        bgcolor=SURFACE, border_radius=14, padding=16, border=ft.Border.all(1, OUTLINE),
    )


def message_banner(text: str, *, error: bool = False) -> ft.Control:
    if not text:
        return ft.Container(visible=False)
    ink, fill, icon = (ERROR, "#FCE8E6", ft.Icons.ERROR_OUTLINE) if error else (PRIMARY, PRIMARY_SOFT, ft.Icons.INFO)
    return ft.Semantics(
        live_region=True, label=text, container=True,
        content=ft.Container(
            content=ft.Row([ft.Icon(icon, color=ink), ft.Text(text, color=ink, expand=True)],
                           vertical_alignment=ft.CrossAxisAlignment.START),
            bgcolor=fill, border_radius=10, padding=12,
        ),
    )


def empty_state(icon: Any, title: str, text: str, action: ft.Control | None = None) -> ft.Control:
    items: list[ft.Control] = [
        ft.Icon(icon, size=56, color=PRIMARY),
        ft.Text(title, size=20, weight=ft.FontWeight.W_700, color=INK, text_align=ft.TextAlign.CENTER),
        ft.Text(text, color=MUTED, text_align=ft.TextAlign.CENTER),
    ]
    if action is not None:
        items.append(action)
    return ft.Container(
        content=ft.Column(items, horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=12),
        padding=32, alignment=ft.Alignment.CENTER,
    )


def busy_line(text: str) -> ft.Control:
    return ft.Semantics(
        live_region=True, label=text,
        content=ft.Row([ft.ProgressRing(width=20, height=20, stroke_width=3, semantics_label=text),
                        ft.Text(text, color=MUTED)], spacing=12),
    )


def primary_button(text: str, on_click: Callable[..., Any] | None, *, icon: Any = None,
                   disabled: bool = False) -> ft.Control:
    return ft.FilledButton(text, icon=icon, on_click=on_click, disabled=disabled,
                           style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=14)))


def page_frame(*controls: ft.Control, wide: bool = True) -> ft.Control:
    """A screen's scrolling body, centred and not too wide to read comfortably."""
    return ft.ListView(
        controls=[ft.Container(
            content=ft.Column(list(controls), spacing=16),
            padding=ft.Padding.symmetric(horizontal=24 if wide else 14, vertical=20),
        )],
        expand=True,
    )


# What surrounds a full-screen QR code: the top bar (and, on a phone, the navigation bar), the
# screen's padding, one or two lines of text above the code and the Done button below it.
TOP_BAR, NAV_BAR, RAIL = 50, 80, 97
QR_CHROME = 16 * 2 + 48 + 16 * 2 + 44


def qr_side(page: ft.Page, wide: bool) -> int:
    """The largest square that fits on the screen with its caption and Done button (never under
    240 px, the smallest a phone camera reads a dense code from at arm's length)."""
    width = (page.width or 800) - (RAIL if wide else 0) - 32
    height = (page.height or 800) - TOP_BAR - (0 if wide else NAV_BAR) - QR_CHROME
    return int(max(240, min(width, height)))


@functools.cache
def logo_bytes() -> bytes | None:
    """The app icon (``assets/icon.png`` in a checkout, else the copy inside the package)."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[3] / "assets" / "icon.png", here.parents[1] / "icon.png"):
        if candidate.is_file():
            return candidate.read_bytes()
    return None


def logo(size: int) -> ft.Control:
    image = logo_bytes()
    if image is None:
        return ft.Icon(ft.Icons.WALLET, color=PRIMARY, size=size)
    return ft.Image(src=image, width=size, height=size, semantics_label="Satchel logo")


def forget_file_picker(page: ft.Page) -> None:
    """The tab closed: its file picker and clipboard go."""
    forget_page_picker(page)
    _clipboards.pop(id(page), None)


_clipboards: dict[int, ft.Clipboard] = {}


async def copy_text(text: str) -> bool:
    """Puts ``text`` on the system clipboard (the browser's in web mode); False when it refused."""
    page = ft.context.page
    board = _clipboards.get(id(page))
    if board is None:
        board = _clipboards[id(page)] = ft.Clipboard()
    try:
        await board.set(text)
    except Exception:  # the platform said no (e.g. a browser without clipboard permission)
        return False
    return True


async def choose_files(title: str, *, multiple: bool = False,
                       extensions: list[str] | None = None) -> list[UploadedFile]:
    """Opens the system file dialog (the browser's in web mode); returns ``UploadedFile``s with their bytes."""
    from ..services import UploadedFile

    picked = await file_picker().pick_files(
        dialog_title=title, allow_multiple=multiple, with_data=True,
        file_type=ft.FilePickerFileType.CUSTOM if extensions else ft.FilePickerFileType.ANY,
        allowed_extensions=extensions, cancel_upload_on_window_blur=False,
    )
    return [UploadedFile(f.name, f.bytes or b"") for f in picked or []]


def checkbox_row(text: str, value: bool, on_toggle: Callable[[bool], Any]) -> ft.Control:
    """A checkbox whose label wraps (Flet's own label stays on one line and is cut off on a phone).
    Screen readers get the whole text as the checkbox's name; a click on the text toggles it too."""
    return ft.Row([
        ft.Checkbox(value=value, semantics_label=text, on_change=lambda e: on_toggle(bool(e.control.value))),
        ft.Container(ft.Semantics(exclude_semantics=True, content=ft.Text(text, color=INK)), expand=True,
                     on_click=lambda: on_toggle(not value), padding=ft.Padding.only(top=10, bottom=6)),
    ], vertical_alignment=ft.CrossAxisAlignment.START, spacing=4)


T = TypeVar("T")


def toggled(selected: list[str], record_id: str, on: bool) -> list[str]:
    """A list of chosen badges with ``record_id`` ticked (last) or unticked."""
    return [i for i in selected if i != record_id] + ([record_id] if on else [])


def use_observable(make: Callable[[], T]) -> T:
    """``ft.use_state`` for a state object made once, on the first render (the component re-renders
    when it changes). Flet types ``use_state(initial: StateT | Callable[[], StateT])``, a union mypy
    cannot solve for a factory, so the factory goes in untyped and the value comes back typed."""
    initial: Any = make
    value, _set_value = ft.use_state(initial)
    return cast(T, value)


def use_typed(initial: str = "") -> tuple[str, Callable[[str], None], Callable[[], str]]:
    """A text field's value as state, its setter, and a function giving the latest keystroke: a
    button clicked right after typing may run before the re-render that would refresh its closure,
    so actions call ``latest()`` rather than read the state."""
    value, set_value = ft.use_state(initial)
    ref: MutableRef[str] = ft.use_ref(initial)

    def typed(text: str) -> None:
        ref.current = text
        set_value(text)

    def latest() -> str:
        return ref.current or ""

    return value, typed, latest


def text_input(label: str, value: str, on_change: Callable[[str], Any], *, password: bool = False,
               multiline: bool = False, hint: str | None = None, on_submit: Callable[..., Any] | None = None,
               autofocus: bool = False, error: str | None = None, expand: bool | int | None = None) -> ft.TextField:
    return ft.TextField(
        label=label, value=value, password=password, can_reveal_password=password, multiline=multiline,
        min_lines=3 if multiline else None, max_lines=6 if multiline else 1, hint_text=hint,
        on_change=lambda e: on_change(e.control.value), on_submit=on_submit, autofocus=autofocus,
        error=error or None, border_radius=10, expand=expand,
        text_style=ft.TextStyle(font_family="monospace") if multiline else None,
    )
