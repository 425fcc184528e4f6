"""Result: the graded verdict in large type with what to do next, what was checked, what the
credential says (people by name), and every check as a plain headline with its technical detail
behind "Details"."""

from __future__ import annotations

import flet as ft

from credentials import Grade, describe_problem, plain_check
from verifier.history import SOURCE_WORDS, CredentialFacts, Entry, RecordFacts, checked_what

from ..services import VerifierServices
from ..state import SCAN, ResultState
from .common import (
    AMBER,
    AMBER_SOFT,
    CHECKS,
    GREEN,
    GREEN_SOFT,
    INK,
    LINE,
    MUTED,
    RED,
    card,
    chip,
    fact,
    frame,
    grade_look,
    note,
    offer_download,
    primary,
    secondary,
    title,
    when,
)
from .pathway import pathway_cards


def _check_row(check: dict[str, str], key: str, wide: bool) -> ft.Control:
    """One check: its plain headline and status word; the engine's sentence and the check id behind
    "Details"."""
    look = CHECKS.get(check["status"], CHECKS["skipped"])
    plain = plain_check(check["id"], check["status"], check["message"])
    return ft.ExpansionTile(
        leading=ft.Icon(look.icon, color=look.ink),
        title=ft.Text(plain.headline, color=INK, size=15),
        subtitle=ft.Text(plain.status_word, color=look.ink, size=13, weight=ft.FontWeight.W_600),
        trailing=ft.Row([ft.Text("Details", color=MUTED, size=13), ft.Icon(ft.Icons.EXPAND_MORE, color=MUTED)],
                        tight=True, spacing=2),
        controls=[ft.Container(ft.Column([
            ft.Text(plain.detail, color=INK, size=14),
            ft.Text(f"Check: {plain.id} · {plain.status_word}", color=MUTED, size=13),
        ], spacing=4), padding=ft.Padding.only(left=56 if wide else 44, right=16, bottom=12))],
        expanded_cross_axis_alignment=ft.CrossAxisAlignment.START, shape=ft.RoundedRectangleBorder(radius=10),
        collapsed_shape=ft.RoundedRectangleBorder(radius=10), min_tile_height=44, dense=True,
        # a phone's narrow card: less side padding, so a check's headline gets the room
        tile_padding=None if wide else ft.Padding.symmetric(horizontal=4),
        key=key,
    )


def _technical(rows: list[tuple[str, str]], wide: bool, key: str) -> ft.Control:
    """Keys and ids (DIDs, formats) a person rarely needs, folded away."""
    shown = [(label, value) for label, value in rows if value]
    if not shown:
        return ft.Container(visible=False)
    return ft.ExpansionTile(
        title=ft.Text("Technical details", color=INK, size=14, weight=ft.FontWeight.W_600),
        controls=[ft.Container(ft.Column([fact(label, value, wide) for label, value in shown], spacing=8),
                               padding=ft.Padding.only(left=4, right=8, bottom=10))],
        expanded_cross_axis_alignment=ft.CrossAxisAlignment.START, dense=True, key=key,
        tile_padding=ft.Padding.symmetric(horizontal=4), shape=ft.RoundedRectangleBorder(radius=10),
        collapsed_shape=ft.RoundedRectangleBorder(radius=10))


def _issuer_chip(cred: CredentialFacts) -> ft.Control:
    if cred.issuer_known:
        return chip("On your trust list", GREEN, GREEN_SOFT, ft.Icons.VERIFIED_USER)
    return chip("Not on your trust list", AMBER, AMBER_SOFT, ft.Icons.INFO)


def _credential_card(cred: CredentialFacts, n: int, many: bool, wide: bool) -> ft.Control:
    look = grade_look(cred.grade)
    head: list[ft.Control] = [
        ft.Row([ft.Semantics(header=True, content=ft.Text(cred.achievement, size=20, weight=ft.FontWeight.W_700,
                                                          color=INK)),
                chip(look.words.headline, look.ink, look.fill, look.icon) if many else ft.Container(visible=False)],
               wrap=True, spacing=10),
        ft.Text(" · ".join(x for x in (cred.kind, cred.achievement_type) if x), color=MUTED, size=14),
    ]
    facts: list[ft.Control] = [
        fact("Issued by", cred.issuer, wide),
        ft.Row([ft.Container(width=170), _issuer_chip(cred)], spacing=10) if wide else _issuer_chip(cred),
        fact("Issued to", cred.subject, wide),
        fact("What it certifies", cred.description, wide),
        fact("Competencies", cred.competencies, wide),
        fact("Credits", cred.credits, wide),
        fact("Results", cred.results, wide),
        fact("Evidence", cred.evidence, wide),
        fact("Issued", cred.issued, wide),
        fact("Valid until", cred.valid_until or "No end date", wide),
        fact("Status as of", cred.status_as_of or "It has no status list", wide),
        _technical([("Issuer's key", cred.issuer_id), ("Subject's key", cred.subject_id), ("Format", cred.format)],
                   wide, f"t{n}"),
    ]
    checks = [_check_row(c, f"c{n}-{i}", wide) for i, c in enumerate(cred.checks)]
    return card(*head, ft.Divider(color=LINE), *facts, ft.Divider(color=LINE),
                ft.Semantics(header=True, content=ft.Text("Every check", size=16, weight=ft.FontWeight.W_700,
                                                          color=INK)),
                ft.Column(checks, spacing=2))


def _part_card(cred: CredentialFacts, n: int, wide: bool) -> ft.Control:
    """One credential a CLR holds, checked on its own: its name and grade, who issued it, when, and its checks
    behind the same headlines as the record's."""
    look = grade_look(cred.grade)
    return card(
        ft.Row([ft.Text(cred.achievement, size=16, weight=ft.FontWeight.W_700, color=INK),
                chip(look.words.headline, look.ink, look.fill, look.icon)], wrap=True, spacing=10),
        fact("Issued by", cred.issuer, wide),
        fact("Issued", cred.issued, wide),
        fact("Competencies", cred.competencies, wide),
        fact("Credits", cred.credits, wide),
        ft.Column([_check_row(c, f"p{n}-{i}", wide) for i, c in enumerate(cred.checks)], spacing=2),
        title_text="In this record", icon=ft.Icons.SCHOOL)


def _verdict_banner(entry: Entry, wide: bool) -> ft.Control:
    """The graded verdict (credentials.GRADE_WORDS): headline, what it means, what to do next, and
    what was checked (its name, its issuer and a fingerprint of what was submitted)."""
    facts = entry.facts
    look = grade_look(facts.grade)
    explain = look.words.explanation
    if facts.is_presentation and len(facts.credentials) > 1:
        explain += f" {len(facts.credentials)} credentials were presented."
    return ft.Semantics(live_region=True, label=f"Result: {look.words.headline}", content=ft.Container(
        content=ft.Row([
            ft.Icon(look.icon, color=look.ink, size=56 if wide else 44),
            ft.Column([
                ft.Text(look.words.headline, size=32 if wide else 26, weight=ft.FontWeight.W_800, color=look.ink),
                ft.Text(explain, color=look.ink, size=15),
                ft.Text(f"What to do: {look.words.next_step}", color=look.ink, size=15, weight=ft.FontWeight.W_700),
                ft.Text(checked_what(facts), color=look.ink, size=14),
                ft.Text(f"{SOURCE_WORDS.get(entry.source, entry.source)} · checked {when(entry.verified_at)}",
                        color=look.ink, size=13),
            ], spacing=5, expand=True),
        ], spacing=18, vertical_alignment=ft.CrossAxisAlignment.START),
        bgcolor=look.fill, border_radius=20, padding=ft.Padding.symmetric(horizontal=24, vertical=22),
        border=ft.Border.all(2, look.ink)))


def _notes(facts: RecordFacts) -> ft.Control:
    """What needs a person's attention, in plain words: a sentence per problem, then the headline of
    every noted check (the issuer's trust-list note is the banner's own when the grade is genuine)."""
    every = (*facts.presentation_checks, *(c for cr in facts.credentials for c in cr.checks))
    noted = [plain_check(c["id"], c["status"], c["message"]).headline + "." for c in every
             if c["status"] == "warning" and not (c["id"] == "issuer.known" and facts.grade == Grade.GENUINE)]
    words = list(dict.fromkeys([describe_problem(p) for p in facts.problems] + noted))
    if not words:
        return ft.Container(visible=False)
    return note(" ".join(words), error=bool(facts.problems))


def _sender(facts: RecordFacts) -> ft.Control:
    """Sent by the person it was issued to ✓ / ✗ sent by someone else, by name when known. The mark
    is the icon on screen (the app's font has no ✓ glyph) and in the words a screen reader says."""
    if facts.holder_is_subject is None:
        return ft.Text("Who sent it is not stated", color=MUTED, size=15)
    if facts.holder_is_subject:
        who = f"{facts.holder_name}, the person it was issued to" if facts.holder_name else \
            "the person it was issued to"
        words, said, icon, ink = f"Sent by {who}", f"Sent by {who} ✓", ft.Icons.CHECK_CIRCLE, GREEN
    else:
        words = "Sent by someone else, not the person it was issued to"
        said, icon, ink = f"✗ {words}", ft.Icons.CANCEL, RED
    return ft.Semantics(label=said, container=True, content=ft.Row(
        [ft.Icon(icon, color=ink, size=18), ft.Text(words, color=INK if ink == GREEN else RED, size=15, expand=True)],
        spacing=6))


def _presentation_card(facts: RecordFacts, wide: bool) -> ft.Control:
    rows = [_check_row(c, f"p-{i}", wide) for i, c in enumerate(facts.presentation_checks)]
    return card(_sender(facts),
                fact("Credentials", f"{len(facts.credentials)} in this presentation", wide),
                _technical([("Sender's key", facts.holder_id)], wide, "tp"),
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
    parts.extend(pathway_cards(entry, wide))  # a CLR's (or several badges') pathway: earned and not
    parts.extend(_part_card(cred, n, wide) for n, cred in enumerate(facts.parts))
    parts.extend(card(fact("Endorsed by", cred.issuer, wide),
                      ft.Column([_check_row(c, f"e{n}-{i}", wide) for i, c in enumerate(cred.checks)]),
                      title_text="Endorsement", icon=ft.Icons.THUMB_UP)
                 for n, cred in enumerate(facts.endorsements))
    parts.append(note(result.message))
    parts.append(ft.Row([primary("Check another", lambda: services.go(SCAN), ft.Icons.QR_CODE_SCANNER)]))
    return frame(*parts, wide=wide)
