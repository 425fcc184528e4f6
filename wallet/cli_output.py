"""How ``satchel-wallet`` prints: JSON for ``--json``, one readable line per badge or outcome."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wallet.importer import ImportOutcome
    from wallet.store import CredentialSummary


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def summary_json(summary: CredentialSummary) -> dict[str, Any]:
    d = summary.display
    return {
        "id": summary.id, "name": d.name, "issuer": d.issuer, "verdict": summary.verdict, "issued": d.issued,
        "kind": d.kind, "skills": list(d.skills), "tags": list(summary.tags), "mediaType": summary.media_type,
        "addedAt": summary.added_at.isoformat(),
        "verifiedAt": summary.verified_at.isoformat() if summary.verified_at else None,
        "sources": [{"kind": s.kind, "detail": s.detail, "at": s.at.isoformat() if s.at else None}
                    for s in summary.sources],
    }


def summary_line(summary: CredentialSummary) -> str:
    verdict = summary.verdict or "unchecked"
    issuer = f" — {summary.display.issuer}" if summary.display.issuer else ""
    return f"{summary.id[:12]}  {verdict:<12}  {summary.display.name or '(no name)'}{issuer}"


def outcome_line(outcome: ImportOutcome) -> str:
    if outcome.error:
        return f"{outcome.source}: not imported: {outcome.error}"
    problems = f" ({', '.join(outcome.problems)})" if outcome.problems else ""
    merged = ", already in the wallet (merged)" if outcome.merged else ""
    return f"{outcome.source}: {outcome.name or '(no name)'}: {outcome.verdict}{problems}{merged}"


def import_summary(outcomes: Iterable[ImportOutcome]) -> str:
    """``Imported 2 new, 1 already there (merged), 0 not imported; 2 valid, 1 invalid.``"""
    outcomes = list(outcomes)
    failed = sum(1 for o in outcomes if o.error)
    stored = [o for o in outcomes if o.error is None]
    merged = sum(1 for o in stored if o.merged)
    verdicts = count(o.verdict or "" for o in stored)
    detail = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
    return (f"Imported {len(stored) - merged} new, {merged} already there (merged), {failed} not imported"
            + (f"; {detail}" if detail else "") + ".")


def count(values: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return counts


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def when(iso: str | None) -> str:
    """An ISO 8601 time as people read it (the engine's wording: 02 Dec 2026 21:30 UTC)."""
    if not iso:
        return "no end"
    from credentials import human

    return human(datetime.fromisoformat(iso))
