"""shell: start-up facts and whole-file writes both apps use."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from shell import has_display, write_atomically


def test_write_atomically_replaces_the_file_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "settings.json"
    write_atomically(target, '{"a": 1}')
    write_atomically(target, b'{"a": 2}')
    assert target.read_bytes() == b'{"a": 2}' and [p.name for p in target.parent.iterdir()] == ["settings.json"]


def test_write_atomically_keeps_the_old_file_when_the_write_fails(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "settings.json"
    write_atomically(target, "old")

    def failing_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("shell.os.replace", failing_replace)
    with pytest.raises(OSError):
        write_atomically(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["settings.json"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland are Linux's")
def test_has_display_reads_the_environment_it_is_given() -> None:
    assert has_display({"DISPLAY": ":0"}) and has_display({"WAYLAND_DISPLAY": "wayland-0"})
    assert not has_display({})
