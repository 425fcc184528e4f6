"""``satchel-wallet`` as a new user reads it: list rows that tell badges apart, only the flags a
command uses, colour only on a terminal, and the settings read once with the flags on top."""

from __future__ import annotations

import argparse
import io
import os
import pty
import subprocess
from pathlib import Path

from tests.test_wallet_cli import PASSPHRASE, filled, listed, sample, wallet  # noqa: F401 - fixtures
from tests.test_wallet_import import BIN
from wallet.cli import settings_for
from wallet.cli_output import Style, style_for

__all__ = ["filled", "sample"]


def test_list_rows_show_form_issued_day_and_why_a_badge_is_not_valid(filled: tuple[Path, Path]) -> None:
    home, _ = filled
    rows = {r["id"]: r for r in listed(home)}
    lines = wallet(home, "list").stdout.splitlines()
    assert len(lines) == len(rows)
    by_source = {}
    for line in lines:
        row = next(r for rid, r in rows.items() if line.startswith(rid[:12]))
        assert row["issued"][:10] in line and row["name"] in line
        by_source[row["sources"][0]["detail"]] = line.split("  ", 1)[1]  # without the id
    for source, line in by_source.items():
        for problem in ("revoked", "suspended", "expired"):
            if f"-{problem}." in source:
                assert line.startswith(f"invalid ({problem})"), line
    assert " OB 3.0 VC-JWT " in by_source["ob3-vc-jwt.jwt"] and " OB 3.0 VC-JOSE " in by_source["ob3-vc-jose.jwt"]
    assert " OB 2.0 signed " in by_source["ob2-signed.jws"]
    assert " OB 3.0 PNG " in by_source["ob3-v2-eddsa-rdfc-2022.png"]
    same_badge = [by_source[s] for s in ("ob3-vc-jwt.jwt", "ob3-vc-jwt-revoked.jwt", "ob3-v2-eddsa-rdfc-2022.json")]
    assert len(set(same_badge)) == 3  # one name, three different rows
    clr = next(line for source, line in by_source.items() if source.startswith("clr-"))
    clr_row = next(r for r in rows.values() if r["sources"][0]["detail"].startswith("clr-"))
    assert " CLR " in clr and clr_row["form"] == "Comprehensive Learner Record"
    badge_names = {r["name"] for r in rows.values() if r["form"] == "Open Badge 3.0"}
    assert clr_row["name"] not in badge_names  # the record's own name, not its first badge's


def test_list_json_says_the_form_and_the_problems(filled: tuple[Path, Path]) -> None:
    home, _ = filled
    revoked = next(r for r in listed(home) if r["sources"][0]["detail"] == "ob3-vc-jwt-revoked.jwt")
    assert (revoked["form"], revoked["problems"], revoked["verdict"]) == ("Open Badge 3.0", ["revoked"], "invalid")


def test_only_the_commands_that_go_online_take_the_network_flags(tmp_path: Path) -> None:
    for command in ("import", "verify", "share"):  # share checks the badges again with their issuers first
        shown = wallet(tmp_path, command, "--help").stdout
        assert "--offline" in shown and "--allow-loopback" in shown and "--documents" in shown
    for command in ("unshare",):
        shown = wallet(tmp_path, command, "--help").stdout
        assert "--offline" in shown and "--allow-loopback" in shown and "--documents" not in shown
    for command in ("init", "list", "show", "export", "backup", "restore", "profiles", "shares"):
        shown = wallet(tmp_path, command, "--help").stdout
        assert "--offline" not in shown and "--allow-loopback" not in shown and "--documents" not in shown
    refused = wallet(tmp_path, "list", "--offline", expect=2)
    assert "unrecognized arguments: --offline" in refused.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_verdicts_are_coloured_only_on_a_terminal_and_never_with_no_color() -> None:
    assert style_for(_Terminal(), {}).colour
    assert not style_for(_Terminal(), {"NO_COLOR": "1"}).colour
    assert not style_for(_Terminal(), {"TERM": "dumb"}).colour
    assert not style_for(io.StringIO(), {}).colour
    coloured, plain = Style(colour=True), Style()
    assert coloured.verdict("valid") == "\033[32mvalid\033[0m" and plain.verdict("valid") == "valid"
    assert coloured.verdict("invalid", 20, ["revoked"]) == "\033[31minvalid\033[0m (revoked)" + " " * 3
    assert plain.verdict(None, 12) == "unchecked   "


def _on_a_terminal(home: Path, *args: str, **env: str) -> str:
    main, child = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SATCHEL_") and k != "NO_COLOR"}
    environ.update(SATCHEL_HOME=str(home), SATCHEL_PASSPHRASE=PASSPHRASE, TERM="xterm", **env)
    with subprocess.Popen([str(BIN / "satchel-wallet"), *args], stdout=child, stderr=subprocess.DEVNULL,
                          stdin=subprocess.DEVNULL, env=environ) as proc:
        os.close(child)
        out = b""
        while True:
            try:
                data = os.read(main, 65536)
            except OSError:  # the child closed its side
                break
            if not data:
                break
            out += data
        proc.wait(timeout=60)
    os.close(main)
    return out.decode("utf-8", "replace")


def test_list_on_a_terminal_is_coloured_unless_no_color(filled: tuple[Path, Path]) -> None:
    home, _ = filled
    assert "\033[32mvalid\033[0m" in _on_a_terminal(home, "list")
    assert "\033[" not in _on_a_terminal(home, "list", NO_COLOR="1")
    assert "\033[" not in wallet(home, "list").stdout  # a pipe


def test_settings_are_read_once_with_home_and_network_flags_on_top(tmp_path: Path) -> None:
    environ = {"SATCHEL_HOME": str(tmp_path / "env-home"), "SATCHEL_OFFLINE": "1"}
    plain = settings_for(argparse.Namespace(run=None), environ)
    assert (plain.home, plain.offline, plain.allow_loopback) == (tmp_path / "env-home", True, False)
    flagged = settings_for(argparse.Namespace(home=str(tmp_path / "flag-home"), offline=False, allow_loopback=True),
                           environ)
    assert (flagged.home, flagged.offline, flagged.allow_loopback) == (tmp_path / "flag-home", True, True)
    assert settings_for(argparse.Namespace(offline=True), {"SATCHEL_HOME": str(tmp_path)}).offline
