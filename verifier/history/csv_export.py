"""The history as CSV (RFC 4180): a header row of :data:`CSV_COLUMNS`, one row per verification,
oldest first; a cell a spreadsheet would run as a formula is made plain text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from shell import write_atomically

from .store import Entry

__all__ = ["CSV_COLUMNS", "history_csv", "write_csv"]

CSV_COLUMNS = ("id", "verified_at", "source", "verdict", "answer", "issuer", "issuer_id", "issuer_known",
               "subject", "achievement", "credentials", "problems", "warnings")


def _cell(text: str) -> str:
    # A cell starting with = + - @ is a formula to spreadsheets (CSV injection): make it plain text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def history_csv(entries: Iterable[Entry]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in sorted(entries, key=lambda e: e.verified_at):
        facts = e.facts
        writer.writerow([e.id, e.verified_at, e.source, e.verdict, e.answer, _cell(e.issuer), e.issuer_id,
                         "yes" if e.issuer_known else "no (self-asserted)", _cell(e.subject),
                         _cell(e.achievement), e.credentials, " ".join(facts.problems), " ".join(facts.warnings)])
    return buf.getvalue()


def write_csv(path: str | Path, entries: Iterable[Entry]) -> Path:
    """The CSV in a file, with a BOM (spreadsheets then read it as UTF-8), written whole or not at all."""
    target = Path(path)
    write_atomically(target, "\ufeff" + history_csv(entries))
    return target
