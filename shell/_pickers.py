"""One Flet file picker per page (a Flet service), made on first use and forgotten when the tab
closes: both apps open and save files through it."""

from __future__ import annotations

import flet as ft

_file_pickers: dict[int, ft.FilePicker] = {}


def file_picker() -> ft.FilePicker:
    """The current page's file picker (``ft.context.page``), made on first use."""
    page = ft.context.page
    picker = _file_pickers.get(id(page))
    if picker is None:
        picker = _file_pickers[id(page)] = ft.FilePicker()
    return picker


def forget_file_picker(page: ft.Page) -> None:
    _file_pickers.pop(id(page), None)
