"""Result: the verdict in large type, what the credential says, and every check behind it."""

from __future__ import annotations

import flet as ft

from credentials import describe_problem
from verifier.history import SOURCE_WORDS, CredentialFacts, Entry, RecordFacts

from ..services import VerifierServices
from ..state import SCAN, ResultState
from .common import (
    CHECKS,
    INK,
    LINE,
    MUTED,
    VERDICTS,
    card,
    chip,
    fact,
    frame,
    note,
    offer_download,
    primary,
    secondary,
    title,
    when,
)


def _check_row(check: dict[str, str], key: str, wide: bool) -> ft.Control:
    look = CHECKS.get(check["status"], CHECKS["skipped"])
    return ft.ExpansionTile(
        leading=ft.Icon(look.icon, color=look.ink),
        title=ft.Text(check["message"], color=INK, size=14),
        subtitle=ft.Text(look.word, color=look.ink, size=12, weight=ft.FontWeight.W_600),
        controls=[ft.Container(ft.Column([
            ft.Text(f"Check: {check['id']}", color=MUTED, size=13),
            ft.Text(f"Result: {look.word}", color=MUTED, size=13),
            ft.Text(check["message"], color=INK, size=13),
        ], spacing=4), padding=ft.Padding.only(left=56 if wide else 44, right=16, bottom=12))],
        expanded_cross_axis_alignment=ft.CrossAxisAlignment.START, shape=ft.RoundedRectangleBorder(radius=10),
        collapsed_shape=ft.RoundedRectangleBorder(radius=10), min_tile_height=44, dense=True,
        # a phone's narrow card: less side padding, so a check's sentence gets the room
        tile_padding=None if wide else ft.Padding.symmetric(horizontal=4),
        key=key,
    )


def _credential_card(cred: CredentialFacts, n: int, many: bool, wide: bool) -> ft.Control:
    look = VERDICTS.get(cred.verdict, VERDICTS["unverifiable"])
    issuer_chip = (chip("Known issuer", "#1B5E20", "#E4F4E6", ft.Icons.VERIFIED_USER) if cred.issuer_known
                   else chip("Self-asserted name", "#7A4A00", "#FFF2D9", ft.Icons.WARNING_AMBER))
    head: list[ft.Control] = [
        ft.Row([ft.Semantics(header=True, content=ft.Text(cred.achievement, size=20, weight=ft.FontWeight.W_700,
                                                          color=INK)),
                chip(look.word, look.ink, look.fill, look.icon) if many else ft.Container(visible=False)],
               wrap=True, spacing=10),
        ft.Text(" · ".join(x for x in (cred.kind, cred.achievement_type) if x), color=MUTED, size=13),
    ]
    facts: list[ft.Control] = [
        fact("Issued by", cred.issuer, wide),
        ft.Row([ft.Container(width=170), issuer_chip], spacing=10) if wide else issuer_chip,
        fact("Issued to", cred.subject, wide),
        fact("What it certifies", cred.description, wide),
        fact("Competencies", cred.competencies, wide),
        fact("Credits", cred.credits, wide),
        fact("Results", cred.results, wide),
        fact("Evidence", cred.evidence, wide),
        fact("Issued", cred.issued, wide),
        fact("Valid until", cred.valid_until or "No end date", wide),
        fact("Status as of", cred.status_as_of or "It has no status list", wide),
    ]
    checks = [_check_row(c, f"c{n}-{i}", wide) for i, c in enumerate(cred.checks)]
    return card(*head, ft.Divider(color=LINE), *facts, ft.Divider(color=LINE),
                ft.Semantics(header=True, content=ft.Text("Every check", size=15, weight=ft.FontWeight.W_700,
                                                          color=INK)),
                ft.Column(checks, spacing=2))


def _verdict_banner(entry: Entry, wide: bool) -> ft.Control:
    look = VERDICTS.get(entry.verdict, VERDICTS["unverifiable"])
    facts = entry.facts
    explain = look.explain
    if facts.is_presentation and len(facts.credentials) > 1:
        explain += f" {len(facts.credentials)} credentials were presented."
    return ft.Semantics(live_region=True, label=f"Result: {look.word}", content=ft.Container(
        content=ft.Row([
            ft.Icon(look.icon, color=look.ink, size=64 if wide else 48),
            ft.Column([
                ft.Text(look.word, size=40 if wide else 32, weight=ft.FontWeight.W_800, color=look.ink),
                ft.Text(explain, color=look.ink, size=15),
                ft.Text(f"{SOURCE_WORDS.get(entry.source, entry.source)} · checked {when(entry.verified_at)}",
                        color=look.ink, size=13),
            ], spacing=4, expand=True),
        ], spacing=18, vertical_alignment=ft.CrossAxisAlignment.CENTER),
        bgcolor=look.fill, border_radius=20, padding=ft.Padding.symmetric(horizontal=24, vertical=22),
        border=ft.Border.all(2, look.ink)))


def _notes(facts: RecordFacts) -> ft.Control:
    """The problems and notes in plain words: the warning checks' own sentences (tokens only if
    none says it)."""
    if not (facts.problems or facts.warnings):
        return ft.Container(visible=False)
    said = [c["message"] for c in (*facts.presentation_checks, *(c for cr in facts.credentials for c in cr.checks))
            if c["status"] == "warning" and c["message"]]
    notes = list(dict.fromkeys(said)) or [describe_problem(w) for w in facts.warnings]
    words = [describe_problem(p) for p in facts.problems] + (notes if facts.warnings else [])
    return note(" ".join(words), error=bool(facts.problems))


def _presentation_card(facts: RecordFacts, wide: bool) -> ft.Control:
    rows = [_check_row(c, f"p-{i}", wide) for i, c in enumerate(facts.presentation_checks)]
    return card(fact("Presented by", facts.holder or "not stated", wide),
                fact("Credentials", f"{len(facts.credentials)} in this presentation", wide),
                ft.Column(rows, spacing=2), title_text="The presentation", icon=ft.Icons.FOLDER_SHARED)


@ft.component
def ResultView(result: ResultState, services: VerifierServices, wide: bool) -> ft.Control:
    entry = result.entry
    if entry is None:
        return frame(title("No result"), note("That verification was deleted."), wide=wide)
    facts = entry.facts

    async def export_pdf() -> None:
        await services.export_pdf(offer_download)

    parts: list[ft.Control] = [
        ft.Row([secondary("Back", services.back, ft.Icons.ARROW_BACK),
                secondary("Export PDF", export_pdf, ft.Icons.PICTURE_AS_PDF)], spacing=10, wrap=True),
        _verdict_banner(entry, wide),
        _notes(facts),
    ]
    if facts.is_presentation:
        parts.append(_presentation_card(facts, wide))
    many = len(facts.credentials) > 1
    parts.extend(_credential_card(cred, n, many, wide) for n, cred in enumerate(facts.credentials))
    parts.extend(card(fact("Endorsed by", cred.issuer, wide),
                      ft.Column([_check_row(c, f"e{n}-{i}", wide) for i, c in enumerate(cred.checks)]),
                      title_text="Endorsement", icon=ft.Icons.THUMB_UP)
                 for n, cred in enumerate(facts.endorsements))
    parts.append(note(result.message))
    parts.append(ft.Row([primary("Check another", lambda: services.go(SCAN), ft.Icons.QR_CODE_SCANNER)]))
    return frame(*parts, wide=wide)
