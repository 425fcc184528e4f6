"""How ``satchel-wallet`` prints: JSON for ``--json``, one readable line per badge or outcome."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from wallet.importer import ImportOutcome
    from wallet.store import CredentialSummary


# -- colour --------------------------------------------------------------------------------------

_VERDICT_COLOURS = {"valid": "32", "invalid": "31", "unverifiable": "33", "unchecked": "2"}  # SGR codes


@dataclass(frozen=True)
class Style:
    """How verdicts look: coloured on a terminal, plain text everywhere else."""

    colour: bool = False

    def verdict(self, verdict: str | None, width: int = 0, problems: Iterable[str] = ()) -> str:
        """The verdict ("unchecked" when never verified) and its problems in brackets, padded to
        ``width`` outside the colour codes."""
        word = verdict or "unchecked"
        listed = ", ".join(problems)
        text = f"{word} ({listed})" if listed else word
        code = _VERDICT_COLOURS.get(word)
        if self.colour and code is not None:
            return f"\033[{code}m{word}\033[0m{text[len(word):]}".ljust(width + len(code) + 7)
        return text.ljust(width)


PLAIN = Style()


def style_for(stream: TextIO, environ: Mapping[str, str]) -> Style:
    """Colour only when ``stream`` is a terminal, never with ``NO_COLOR`` set (https://no-color.org)
    or on a dumb terminal."""
    wanted = not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"
    try:
        return Style(colour=wanted and stream.isatty())
    except (AttributeError, ValueError):  # a replaced or closed stream
        return Style()


# -- lines and JSON --------------------------------------------------------------------------------


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def summary_json(summary: CredentialSummary) -> dict[str, Any]:
    d = summary.display
    return {
        "id": summary.id, "name": d.name, "issuer": d.issuer, "verdict": summary.verdict,
        "problems": list(summary.problems), "issued": d.issued, "kind": d.kind, "form": form_name(summary),
        "skills": list(d.skills), "tags": list(summary.tags), "mediaType": summary.media_type,
        "addedAt": summary.added_at.isoformat(),
        "verifiedAt": summary.verified_at.isoformat() if summary.verified_at else None,
        "sources": [{"kind": s.kind, "detail": s.detail, "at": s.at.isoformat() if s.at else None}
                    for s in summary.sources],
    }


_SHORT_FORMS = {"Open Badge 3.0": "OB 3.0", "Open Badge 2.0": "OB 2.0", "Comprehensive Learner Record": "CLR",
                "Endorsement": "Endorsement", "Verifiable Credential": "VC"}
_FORMS_BY_KIND = {"Assertion": "Open Badge 2.0", "OpenBadgeCredential": "Open Badge 3.0",
                  "AchievementCredential": "Open Badge 3.0", "ClrCredential": "Comprehensive Learner Record",
                  "EndorsementCredential": "Endorsement"}
_ENVELOPES = {"application/vc+jwt": "VC-JOSE", "image/png": "PNG", "image/svg+xml": "SVG"}


def form_name(summary: CredentialSummary) -> str:
    """The engine's form; for a summary stored before it was kept, guessed from the type."""
    d = summary.display
    return d.form or _FORMS_BY_KIND.get(d.kind, "Verifiable Credential" if d.kind else "")


def form_label(summary: CredentialSummary) -> str:
    """Short: what it is and how it came, e.g. ``OB 3.0``, ``OB 3.0 VC-JWT``, ``OB 2.0 PNG``, ``CLR``."""
    form = form_name(summary)
    short = _SHORT_FORMS.get(form, form) or "-"
    if summary.media_type == "application/jwt":  # a compact JWS: OB 2.0 signed, or a VC-JWT (VCDM 1.1)
        return f"{short} signed" if short == "OB 2.0" else f"{short} VC-JWT"
    envelope = _ENVELOPES.get(summary.media_type)
    return f"{short} {envelope}" if envelope else short


def issued_date(issued: str | None) -> str:
    """The day it was issued (an ISO 8601 date-time's first ten characters), or ``-`` when unsaid."""
    return issued[:10] if issued else "-"


def summary_line(summary: CredentialSummary, style: Style = PLAIN) -> str:
    """``id  verdict (problems)  form  issued  name — issuer``: the columns tell apart badges of the
    same name (a revoked copy, the VC-JWT one, last year's)."""
    d = summary.display
    issuer = f" — {d.issuer}" if d.issuer else ""
    return (f"{summary.id[:12]}  {style.verdict(summary.verdict, 20, summary.problems)}  "
            f"{form_label(summary):<14}  {issued_date(d.issued):<10}  {d.name or '(no name)'}{issuer}")


def outcome_line(outcome: ImportOutcome, style: Style = PLAIN) -> str:
    if outcome.error:
        return f"{outcome.source}: not imported: {outcome.error}"
    if outcome.verdict == "pending":  # OID4VCI §9 deferred issuance
        return (f"{outcome.source}: {outcome.name or '(no name)'}: on its way; the issuer delivers it later "
                "(satchel-wallet collect fetches it)")
    problems = f" ({', '.join(outcome.problems)})" if outcome.problems else ""
    merged = ", already in the wallet (merged)" if outcome.merged else ""
    return f"{outcome.source}: {outcome.name or '(no name)'}: {style.verdict(outcome.verdict)}{problems}{merged}"


def import_summary(outcomes: Iterable[ImportOutcome]) -> str:
    """``Imported 2 new, 1 already there (merged), 0 not imported; 2 valid, 1 invalid.``"""
    outcomes = list(outcomes)
    failed = sum(1 for o in outcomes if o.error)
    pending = sum(1 for o in outcomes if o.error is None and o.verdict == "pending")
    stored = [o for o in outcomes if o.error is None and o.verdict != "pending"]
    merged = sum(1 for o in stored if o.merged)
    verdicts = count(o.verdict or "" for o in stored)
    detail = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
    later = f", {pending} on its way" if pending else ""
    return (f"Imported {len(stored) - merged} new, {merged} already there (merged), {failed} not imported{later}"
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
