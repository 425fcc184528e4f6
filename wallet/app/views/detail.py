"""Badge detail: what it certifies in plain words, the checks, "check again", the raw credential."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import flet as ft

from ..badge_facts import BadgeFacts, date_and_time, short_date
from ..services import WalletServices
from ..state import BadgeListState, DetailState
from ..wording import CheckLine, ReportInPlainWords
from .common import (
    CHECK_LOOKS,
    INK,
    MUTED,
    OUTLINE,
    PRIMARY,
    STATUS_LOOKS,
    SURFACE,
    badge_picture,
    busy_line,
    empty_state,
    message_banner,
    page_frame,
    section,
    text_input,
)
from .importing import NOT_YOURS_FILL, NOT_YOURS_INK

CHIP_PADDING = ft.Padding.symmetric(horizontal=8, vertical=2)


def label_value(label: str, value: str) -> ft.Control:
    return ft.Column([
        ft.Text(label, size=13, color=MUTED, weight=ft.FontWeight.W_600),
        ft.Text(value, color=INK),
    ], spacing=2)


def bullet_list(lines: list[str] | tuple[str, ...]) -> ft.Control:
    return ft.Column([
        ft.Row([ft.Text("•", color=PRIMARY, weight=ft.FontWeight.BOLD), ft.Text(line, color=INK, expand=True)],
               vertical_alignment=ft.CrossAxisAlignment.START)
        for line in lines
    ], spacing=6)


def status_panel(report: ReportInPlainWords, checking: bool, on_check: Callable[[], Any]) -> ft.Control:
    """The graded verdict: its headline, what it means and what to do next (the same headline the
    verifier shows for the same outcome)."""
    verdict = report.verdict
    look = STATUS_LOOKS[verdict.grade]
    lines: list[ft.Control] = [
        ft.Row([ft.Icon(look.icon, color=look.ink, size=28),
                ft.Text(verdict.headline, size=20, weight=ft.FontWeight.W_700, color=look.ink, expand=True)],
               vertical_alignment=ft.CrossAxisAlignment.START),
        ft.Text(verdict.explanation, color=INK),
    ]
    lines += [ft.Text(p, color=look.ink, weight=ft.FontWeight.W_600) for p in report.problems]
    lines += [ft.Text(w, color=INK) for w in report.warnings]
    lines.append(ft.Text(spans=[ft.TextSpan("What to do: ", ft.TextStyle(weight=ft.FontWeight.W_700)),
                                ft.TextSpan(verdict.next_step)], color=INK))
    if report.checked_at:
        lines.append(ft.Text(f"Last checked {date_and_time(report.checked_at)}", size=13, color=INK))
    lines.append(busy_line("Checking again…") if checking else
                 ft.OutlinedButton("Check again", icon=ft.Icons.REFRESH, on_click=on_check))
    return ft.Semantics(container=True, label=f"Status: {verdict.headline}", content=ft.Container(
        content=ft.Column(lines, spacing=8), bgcolor=look.fill, border_radius=14, padding=16,
    ))


def not_yours_panel(text: str, on_offer: Callable[[], None]) -> ft.Control:
    """The badge names someone else: every share of it will be refused (holder-mismatch), so the
    learner is told here, with the way to have it issued to them (an issuer offer)."""
    if not text:
        return ft.Container(visible=False)
    return ft.Semantics(container=True, label=f"Not issued to you: {text}", content=ft.Container(
        content=ft.Column([
            ft.Row([ft.Icon(ft.Icons.PERSON_OFF, color=NOT_YOURS_INK, size=24),
                    ft.Text("Not issued to you", size=17, weight=ft.FontWeight.W_700, color=NOT_YOURS_INK)]),
            ft.Text(text, color=INK),
            ft.OutlinedButton("Redeem an issuer offer", icon=ft.Icons.REDEEM, on_click=on_offer),
        ], spacing=8),
        bgcolor=NOT_YOURS_FILL, border_radius=14, padding=16))


@ft.component
def CheckRow(check: CheckLine) -> ft.Control:
    """One check: its plain headline and status word; the engine's own message and the check id
    behind "Details"."""
    open_, set_open = ft.use_state(False)
    look = CHECK_LOOKS.get(check.status, CHECK_LOOKS["skipped"])
    body: list[ft.Control] = [
        ft.Row([ft.Text(check.headline, weight=ft.FontWeight.W_600, color=INK),
                ft.Text(check.status_word, color=look.ink, size=13, weight=ft.FontWeight.W_600)],
               wrap=True, spacing=8),
        # Named after its check, so a screen reader (and a test) can tell one "Details" from the next.
        ft.Semantics(label=f"{'Hide details' if open_ else 'Details'}: {check.headline}", button=True,
                     content=ft.TextButton("Hide details" if open_ else "Details", on_click=lambda: set_open(not open_),
                                           style=ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=0,
                                                                                             vertical=0)))),
    ]
    if open_:
        body += [ft.Text(check.detail or "No further detail.", color=INK, size=13),
                 ft.Text(f"Check id: {check.check_id}", color=MUTED, size=13, font_family="monospace")]
    return ft.Semantics(container=True, label=f"{check.headline}: {check.status_word}", content=ft.Row([
        ft.Icon(look.icon, color=look.ink, size=22),
        ft.Column(body, spacing=0, expand=True),
    ], vertical_alignment=ft.CrossAxisAlignment.START))


def checks_list(report: ReportInPlainWords) -> ft.Control:
    if not report.checks:
        return ft.Text("No checks have been made yet.", color=MUTED)
    rows: list[ft.Control] = [CheckRow(check, key=check.check_id)  # type: ignore[call-arg]  # ft.component takes key=
                              for check in report.checks]
    if report.attached:
        rows.append(ft.Text("Also checked: " + ", ".join(f"{role} ({word})" for role, word in report.attached),
                            color=MUTED, size=13))
    return ft.Column(rows, spacing=8)


def what_it_certifies(facts: BadgeFacts) -> list[ft.Control]:
    """The sections about the achievement itself, each only when the badge says something for it."""
    parts = [_about(facts), _how_earned(facts), _learning_outcomes(facts), _skills(facts),
             _credits_and_results(facts), _evidence(facts)]
    return [part for part in parts if part is not None]


def _about(facts: BadgeFacts) -> ft.Control | None:
    about: list[ft.Control] = []
    if facts.description:
        about.append(ft.Text(facts.description, color=INK))
    small = [(label, value) for label, value in (
        ("Kind", facts.achievement_type), ("Field of study", facts.field_of_study), ("Code", facts.code),
    ) if value]
    if small:
        about.append(ft.Row([label_value(k, v) for k, v in small], wrap=True, spacing=28))
    return section("What it certifies", *about, icon=ft.Icons.SCHOOL) if about else None


def _how_earned(facts: BadgeFacts) -> ft.Control | None:
    if not (facts.criteria or facts.criteria_url):
        return None
    return section("How it was earned", ft.Text(facts.criteria or facts.criteria_url, color=INK),
                   icon=ft.Icons.CHECKLIST)


def _learning_outcomes(facts: BadgeFacts) -> ft.Control | None:
    if not facts.learning_outcomes:
        return None
    return section("Learning outcomes", bullet_list(facts.learning_outcomes), icon=ft.Icons.LIGHTBULB)


def _skills(facts: BadgeFacts) -> ft.Control | None:
    if not facts.alignments:
        return None
    rows: list[ft.Control] = []
    for a in facts.alignments:
        framework = " · ".join(x for x in (a.framework, a.code) if x)
        rows.append(ft.Column([
            ft.Text(a.name, weight=ft.FontWeight.W_600, color=INK),
            *([ft.Text(framework, size=13, color=MUTED)] if framework else []),
            *([ft.Text(a.description, size=13, color=INK)] if a.description else []),
        ], spacing=2))
    return section("Skills and competencies", *rows, icon=ft.Icons.HUB)


def _credits_and_results(facts: BadgeFacts) -> ft.Control | None:
    credits = [(k, v) for k, v in (("Credits earned", facts.credits_earned),
                                   ("Credits available", facts.credits_available)) if v]
    body: list[ft.Control] = []
    if credits:
        body.append(ft.Row([label_value(k, v) for k, v in credits], spacing=28, wrap=True))
    if facts.results:
        body.append(bullet_list(facts.results))
    return section("Credits and results", *body, icon=ft.Icons.STARS) if body else None


def _evidence(facts: BadgeFacts) -> ft.Control | None:
    if not facts.evidence:
        return None
    rows: list[ft.Control] = [ft.Column([
        ft.Text(e.name + (f" ({e.genre})" if e.genre else ""), weight=ft.FontWeight.W_600, color=INK),
        *([ft.Text(e.narrative, size=13, color=INK)] if e.narrative else []),
        *([ft.Text(e.url, size=13, color=PRIMARY)] if e.url else []),
    ], spacing=2) for e in facts.evidence]
    return section("Evidence", *rows, icon=ft.Icons.ATTACH_FILE)


def issuer_and_dates(facts: BadgeFacts, issued_to: str) -> ft.Control:
    """Who issued it, to whom, when: by name (identifiers are under "Technical details")."""
    rows: list[ft.Control] = []
    if facts.issuer is not None:
        marker = (ft.Container(ft.Text("name not confirmed by a trust list", size=13, color="#7A4B00",
                                       weight=ft.FontWeight.W_600),
                               bgcolor="#FFF1D6", border_radius=10, padding=CHIP_PADDING,
                               tooltip="The issuer named itself; no trust list you chose vouches for this name.")
                  if facts.issuer.self_asserted else
                  ft.Container(ft.Text("on your trust list", size=13, color="#1D5E2A", weight=ft.FontWeight.W_600),
                               bgcolor="#E3F3E6", border_radius=10, padding=CHIP_PADDING))
        rows.append(ft.Column([
            ft.Text("Issuer", size=13, color=MUTED, weight=ft.FontWeight.W_600),
            ft.Row([ft.Text(facts.issuer.name, color=INK, weight=ft.FontWeight.W_600), marker], wrap=True),
            *([ft.Text(facts.issuer.url, size=13, color=PRIMARY, selectable=True)] if facts.issuer.url else []),
        ], spacing=2))
    dates = [(k, short_date(v)) for k, v in (("Issued", facts.issued), ("Valid until", facts.valid_until)) if v]
    if dates:
        rows.append(ft.Row([label_value(k, v) for k, v in dates], spacing=28, wrap=True))
    if issued_to:
        rows.append(label_value("Issued to", issued_to))
    rows.append(label_value("Endorsed by", ", ".join(facts.endorsements) if facts.endorsements else "No endorsements"))
    return section("Issuer, dates and endorsements", *rows, icon=ft.Icons.ACCOUNT_BALANCE)


def technical_details(facts: BadgeFacts, detail: DetailState) -> ft.Control:
    """Identifiers and the credential as imported, for whoever asks for them."""
    facts_lines = [(label, value) for label, value in (
        ("Form", facts.form), ("Issuer identifier", facts.issuer.identifier if facts.issuer else ""),
        ("Issued to (identifier)", facts.recipient), ("This wallet shares as", detail.holder_did),
        ("Achievement identifier", facts.achievement_id), ("Imported as", detail.media_type),
    ) if value]
    return ft.ExpansionTile(
        title="Technical details",
        subtitle="Identifiers, and exactly what was imported",
        controls=[ft.Container(ft.Column([
            *[ft.Column([ft.Text(label, size=13, color=MUTED, weight=ft.FontWeight.W_600),
                         ft.Text(value, size=13, color=INK, font_family="monospace")], spacing=2)
              for label, value in facts_lines],
            ft.Container(
                content=ft.Text(detail.raw_text, font_family="monospace", size=12, selectable=True, color=INK),
                bgcolor="#F0F3F4", padding=12, border_radius=8,
            ),
        ], spacing=8), padding=ft.Padding.only(left=16, right=16, bottom=16))],
    )


@ft.component
def DetailView(detail: DetailState, badges: BadgeListState, services: WalletServices, wide: bool) -> ft.Control:
    page = ft.context.page
    record_id = ft.use_route_params().get("id", "")
    tag_text, set_tag_text = ft.use_state(cast("str | None", None))  # None: not being edited
    confirm_delete, set_confirm_delete = ft.use_state(False)

    async def load() -> None:
        await services.open_badge(record_id)

    ft.use_effect(load, [record_id])

    def back() -> None:
        page.navigate("/")

    back_button = ft.TextButton("Back to my badges", icon=ft.Icons.ARROW_BACK, on_click=back)
    if detail.deleted:
        return page_frame(back_button, empty_state(ft.Icons.DELETE, "Badge deleted",
                                                   "It is no longer in your wallet."), wide=wide)
    if detail.error:
        return page_frame(back_button, message_banner(detail.error, error=True), wide=wide)
    facts, report = detail.facts, detail.plain_report
    if facts is None or report is None or detail.record_id != record_id:
        return page_frame(back_button, busy_line("Opening the badge…"), wide=wide)

    async def check_again(_: object = None) -> None:
        await services.check_again(record_id)

    async def save_tags(_: object = None) -> None:
        await services.set_tags(record_id, tag_text if tag_text is not None else ", ".join(detail.tags))
        set_tag_text(None)

    async def delete(_: object = None) -> None:
        await services.delete_badge(record_id)

    image = badges.images.get(record_id)
    title = ft.Column([
        ft.Semantics(header=True, content=ft.Text(facts.name, size=26, weight=ft.FontWeight.W_800, color=INK)),
        ft.Text(facts.issuer.name if facts.issuer else "Unknown issuer", color=MUTED),
    ], spacing=4, expand=True)
    head = ft.Container(
        content=ft.Row([badge_picture(facts.name, image, 112 if wide else 84), title], spacing=18,
                       vertical_alignment=ft.CrossAxisAlignment.CENTER),
        bgcolor=SURFACE, border_radius=16, padding=18, border=ft.Border.all(1, OUTLINE),
    )
    tags_value = tag_text if tag_text is not None else ", ".join(detail.tags)
    tags = section("Your tags", ft.Row([
        text_input("Tags (comma separated)", tags_value, set_tag_text, on_submit=save_tags, expand=True),
        ft.OutlinedButton("Save tags", on_click=save_tags),
    ], vertical_alignment=ft.CrossAxisAlignment.CENTER), icon=ft.Icons.LABEL)
    raw = technical_details(facts, detail)
    delete_row = (ft.Row([ft.Text("Delete this badge from your wallet?", color=INK),
                          ft.FilledButton("Yes, delete", on_click=delete, style=ft.ButtonStyle(bgcolor="#A1231B")),
                          ft.TextButton("Keep it", on_click=lambda: set_confirm_delete(False))], wrap=True)
                  if confirm_delete else
                  ft.TextButton("Delete badge", icon=ft.Icons.DELETE_OUTLINE,
                                on_click=lambda: set_confirm_delete(True)))
    sources = ft.Text("Came from: " + "; ".join(detail.sources), size=13, color=MUTED) if detail.sources else None
    main_column = [
        head,
        status_panel(report, detail.checking, check_again),
        not_yours_panel(detail.not_yours, lambda: page.navigate("/import")),
        message_banner(detail.message),
        *what_it_certifies(facts),
        issuer_and_dates(facts, detail.issued_to),
        section("Checks", checks_list(report), icon=ft.Icons.FACT_CHECK),
        tags,
        ft.Container(raw, bgcolor=SURFACE, border_radius=14, border=ft.Border.all(1, OUTLINE)),
        *([sources] if sources else []),
        ft.Row([
            ft.OutlinedButton("Share this badge", icon=ft.Icons.QR_CODE,
                              on_click=lambda: page.navigate(f"/share?badge={record_id}")),
            delete_row,
        ], wrap=True, alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
    ]
    return page_frame(back_button, *main_column, wide=wide)
